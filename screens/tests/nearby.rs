//! The nearby handovers page against the reference server: Ann's scooter breaks down and she
//! asks to hand her order over; Bob, close by, opens the page from the offers page, sees her
//! request (how far, how many bags, why, how long ago) and takes it, landing on the Handover page
//! where he scans every bag. Without a position nothing is fetched and the page offers to turn
//! location on; offline the last list stays, "as of" its time, with the take disabled and why; a
//! take the server refuses is told in words and the list fetched again.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use runsheet_core::{Config, Custody, Runsheet, SystemClock, Token};
use runsheet_gs1::Symbology;
use runsheet_protocol::HandoverReason;
use runsheet_screens::nearby_handovers_page::NearbyHandoversPage;
use runsheet_screens::{
    Body, CourierApp, Effect, Permission, Screen, ScreenListener, ScreenUpdate, Tap, TapError,
};
use runsheet_server::{DbConfig, Dispatcher, RunningServer, ServerConfig};
use serde_json::json;

const ADMIN: &str = "screens-admin";
const BAGS: [&str; 2] = ["RS1:F1:1/2:A", "RS1:F1:2/2:2"];
/// About 400 m from F1's pickup, where Ann is placed (she reported no fix).
const NEAR: (f64, f64) = (30.2800, 120.1450);

#[derive(Default)]
struct Recorder {
    screens: Mutex<u32>,
    effects: Mutex<Vec<Effect>>,
}

impl ScreenListener for Recorder {
    fn on_screen(&self, _update: ScreenUpdate) {
        *self.screens.lock().unwrap() += 1;
    }
    fn on_effect(&self, effect: Effect) {
        self.effects.lock().unwrap().push(effect);
    }
}

struct World {
    _dir: tempfile::TempDir,
    server: Option<RunningServer>,
    dispatch: Dispatcher,
    ann: Arc<Runsheet>,
    bob: Arc<Runsheet>,
    url: String,
    dir: std::path::PathBuf,
}

fn phone(dir: &std::path::Path, name: &str, url: &str, token: String) -> Arc<Runsheet> {
    Arc::new(
        Runsheet::open(Config {
            db_path: dir.join(format!("{name}.db")),
            db_key: None,
            server_url: url.to_owned(),
            token: Token::new(token),
            clock: Arc::new(SystemClock),
        })
        .unwrap(),
    )
}

fn stop(name: &str, lat: f64, lon: f64) -> serde_json::Value {
    json!({"name": name, "address": "1 Test Road", "lat": lat, "lon": lon})
}

/// Ann holds F1 (two bags, picked up) and asks to hand it over; Bob is on duty and synced.
async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let server = runsheet_server::start(ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        db: DbConfig::Sqlite(dir.path().join("server.db")),
        admin_token: Some(ADMIN.into()),
        clock: None,
    })
    .unwrap();
    let url = server.url();
    let dispatch = Dispatcher::new(&url, ADMIN);
    let ann_token = dispatch.create_courier("ann", "Ann").await.unwrap();
    let bob_token = dispatch.create_courier("bob", "Bob").await.unwrap();
    dispatch
        .create_task(&json!({
            "id": "F1", "courier_id": "ann", "kind": "food",
            "pickup": stop("Noodle House", 30.2790, 120.1410),
            "dropoff": stop("Li Wei", 30.2745, 120.1620),
            "items": [
                {"code": BAGS[0], "name": "Bag 1 of 2 (hot)", "temperature": "hot"},
                {"code": BAGS[1], "name": "Bag 2 of 2 (drinks)"},
            ],
        }))
        .await
        .unwrap();
    let ann = phone(dir.path(), "ann", &url, ann_token);
    let bob = phone(dir.path(), "bob", &url, bob_token);
    ann.sync().await.unwrap();
    ann.start_shift().unwrap();
    ann.accept("F1").unwrap();
    ann.arrive_manually("F1", "inside the food court").unwrap();
    for b in BAGS {
        ann.scan("F1", b, Symbology::QrCode).unwrap();
    }
    ann.pick_up("F1").unwrap();
    ann.request_handover(
        "F1",
        HandoverReason::VehicleBreakdown,
        Some("flat tyre".into()),
    )
    .unwrap();
    ann.sync().await.unwrap();
    bob.start_shift().unwrap();
    bob.sync().await.unwrap();
    World {
        dir: dir.path().to_owned(),
        _dir: dir,
        server: Some(server),
        dispatch,
        ann,
        bob,
        url,
    }
}

fn app(core: &Arc<Runsheet>, locale: &str) -> (CourierApp, Arc<Recorder>) {
    let app = CourierApp::new(core.clone(), locale, true).unwrap();
    let seen = Arc::new(Recorder::default());
    app.subscribe(seen.clone());
    (app, seen)
}

fn page(screen: &Screen) -> &NearbyHandoversPage {
    match &screen.body {
        Body::NearbyHandovers { page } => page,
        other => panic!("expected the nearby handovers page, got {other:?}"),
    }
}

/// The screen once the page no longer waits for the server.
async fn settled(app: &CourierApp) -> Screen {
    for _ in 0..400 {
        let s = app.screen().unwrap();
        if !matches!(&s.body, Body::NearbyHandovers { page } if page.busy) {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the page stayed busy");
}

/// Opens the page from the offers page, the way the courier does.
async fn open(app: &CourierApp) -> Screen {
    app.tap(Tap::ShowOffers).unwrap();
    let offers = app.screen().unwrap();
    let Body::Offers { page } = &offers.body else {
        panic!("expected the offers page");
    };
    assert!(
        page.nearby_handovers.enabled,
        "{:?}",
        page.nearby_handovers.why
    );
    app.tap(page.nearby_handovers.tap.clone()).unwrap();
    settled(app).await
}

fn take_of<'a>(screen: &'a Screen, task: &str) -> &'a runsheet_screens::Offer {
    &page(screen)
        .entries
        .iter()
        .find(|e| e.task_id == task)
        .unwrap_or_else(|| panic!("{task} is not listed: {:?}", page(screen)))
        .take
}

#[tokio::test(flavor = "multi_thread")]
async fn a_nearby_courier_sees_the_request_takes_it_and_scans_every_bag() {
    let w = world().await;
    w.bob.record_location(NEAR.0, NEAR.1, 5.0).unwrap();
    let (bob, _) = app(&w.bob, "en");
    let screen = open(&bob).await;
    assert_eq!(screen.header.title, "Handovers nearby");
    let p = page(&screen);
    assert!(p.summary.contains("3.0 km"), "{}", p.summary);
    assert!(p.as_of.as_deref().unwrap().starts_with("As of "));
    assert_eq!(p.status, None);
    assert_eq!(p.entries.len(), 1, "{p:?}");
    let e = &p.entries[0];
    assert_eq!(e.task_id, "F1");
    assert!(
        e.title.starts_with("Task F1 · ") && e.title.ends_with(" m away"),
        "{}",
        e.title
    );
    assert_eq!(e.bags, "2 bags");
    assert_eq!(e.reason, "Reason: Vehicle breakdown");
    assert_eq!(e.note.as_deref(), Some("Note: flat tyre"));
    assert!(e.asked.starts_with("Asked for "), "{}", e.asked);
    // Nothing of the customer's on the page.
    let shown = format!("{p:?}");
    assert!(
        !shown.contains("Li Wei") && !shown.contains("Test Road"),
        "{shown}"
    );
    assert!(e.take.enabled, "{:?}", e.take.why);

    bob.tap(e.take.tap.clone()).unwrap();
    let screen = settled(&bob).await;
    let Body::Handover { page: h } = &screen.body else {
        panic!("expected the Handover page, got {:?}", screen.body);
    };
    assert_eq!(h.task_id, "F1");
    assert_eq!(h.custody, Custody::Incoming);
    assert!(
        screen
            .notice
            .as_ref()
            .is_some_and(|n| n.text.contains("taking over task F1")),
        "{:?}",
        screen.notice
    );
    // Back goes to the page, which no longer lists what was taken.
    bob.tap(Tap::Back).unwrap();
    assert!(page(&bob.screen().unwrap()).entries.is_empty());
    bob.tap(Tap::ShowHandover {
        task_id: "F1".into(),
    })
    .unwrap_err(); // not on the nearby page: only through the task
    bob.tap(Tap::ShowTasks).unwrap();
    bob.tap(Tap::ShowTask {
        task_id: "F1".into(),
    })
    .unwrap();
    bob.tap(Tap::ShowHandover {
        task_id: "F1".into(),
    })
    .unwrap();
    for b in BAGS {
        bob.tap(Tap::ScanHandoverBag {
            task_id: "F1".into(),
            code: b.into(),
            symbology: Symbology::QrCode,
        })
        .unwrap();
    }
    let Body::Handover { page: h } = &bob.screen().unwrap().body else {
        panic!("expected the Handover page");
    };
    assert_eq!(h.custody, Custody::Mine);
    w.bob.sync().await.unwrap();
    let holder = w.dispatch.task("F1").await.unwrap().courier_id;
    assert_eq!(holder.as_deref(), Some("bob"));
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_position_nothing_is_fetched_and_location_is_offered() {
    let w = world().await;
    let (bob, seen) = app(&w.bob, "zh-CN");
    let screen = open(&bob).await;
    assert_eq!(screen.header.title, "附近转单");
    let p = page(&screen);
    assert!(!p.busy);
    assert_eq!(p.as_of, None);
    assert!(p.entries.is_empty());
    assert_eq!(
        p.empty_text, None,
        "nothing fetched, so nothing to call empty"
    );
    assert!(
        p.status.as_ref().unwrap().text.contains("开启定位"),
        "{:?}",
        p.status
    );
    let refresh = &p.offers[0];
    assert_eq!(refresh.tap, Tap::RefreshNearbyHandovers);
    // Tapped without a position, it fetches nothing.
    bob.tap(refresh.tap.clone()).unwrap();
    let again = bob.screen().unwrap();
    assert!(!page(&again).busy && page(&again).as_of.is_none());
    let allow = p
        .offers
        .iter()
        .find(|o| o.tap == Tap::AllowLocation)
        .expect("turning location on is offered");
    assert_eq!(allow.label, "开启定位");
    bob.tap(Tap::AllowLocation).unwrap();
    let effects = seen.effects.lock().unwrap().clone();
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::RequestPermission {
                permission: Permission::Location,
                ..
            }
        )),
        "{effects:?}"
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SetLocationMode { .. })),
        "{effects:?}"
    );
    // A fix: refreshing now fetches.
    w.bob.record_location(NEAR.0, NEAR.1, 5.0).unwrap();
    bob.tap(Tap::RefreshNearbyHandovers).unwrap();
    let p = page(&settled(&bob).await).clone();
    assert_eq!(p.entries.len(), 1);
    assert_eq!(p.entries[0].bags, "2 袋");
    assert_eq!(p.entries[0].reason, "原因：车辆故障");
    assert!(
        p.entries[0].asked.ends_with("前申请"),
        "{}",
        p.entries[0].asked
    );
    assert_eq!(p.entries[0].take.label, "接单");
}

#[tokio::test(flavor = "multi_thread")]
async fn off_duty_the_page_is_blocked_and_offline_the_list_stays_with_the_take_disabled() {
    let mut w = world().await;
    w.bob.record_location(NEAR.0, NEAR.1, 5.0).unwrap();
    let (bob, _) = app(&w.bob, "en");
    let screen = open(&bob).await;
    assert!(take_of(&screen, "F1").enabled);
    let as_of = page(&screen).as_of.clone().unwrap();

    // The network goes: the core's sync finds no server.
    w.server.take().unwrap().shutdown();
    assert!(w.bob.sync().await.is_err());
    bob.refresh();
    let screen = bob.screen().unwrap();
    let p = page(&screen);
    assert_eq!(p.as_of.as_deref(), Some(as_of.as_str()));
    let status = p.status.as_ref().unwrap();
    assert!(
        status
            .text
            .starts_with("You are offline: the list is as of "),
        "{status:?}"
    );
    let take = take_of(&screen, "F1");
    assert!(!take.enabled);
    assert_eq!(take.why, ["taking over needs a connection"]);
    assert!(matches!(
        bob.tap(take.tap.clone()),
        Err(TapError::Blocked { sentence, .. }) if sentence == "taking over needs a connection"
    ));
    // Refreshing offline keeps the list.
    bob.tap(Tap::RefreshNearbyHandovers).unwrap();
    let screen = settled(&bob).await;
    assert_eq!(page(&screen).entries.len(), 1);
    assert!(!take_of(&screen, "F1").enabled);

    // Off duty: the offers page blocks the page, with the reason.
    w.bob.end_shift().unwrap();
    bob.tap(Tap::ShowOffers).unwrap();
    let Body::Offers { page } = &bob.screen().unwrap().body else {
        panic!("expected the offers page");
    };
    assert!(!page.nearby_handovers.enabled);
    assert_eq!(page.nearby_handovers.why.len(), 1);
    assert!(page.nearby_handovers.why[0].contains("shift"));
    let _ = (&w.url, &w.dir, &w.ann);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_take_the_server_refuses_is_told_in_words_and_the_list_fetched_again() {
    let w = world().await;
    w.bob.record_location(NEAR.0, NEAR.1, 5.0).unwrap();
    let (bob, _) = app(&w.bob, "zh-CN");
    let screen = open(&bob).await;
    let take = take_of(&screen, "F1").clone();
    // Cat, as close, is first.
    let cat_token = w.dispatch.create_courier("cat", "Cat").await.unwrap();
    let cat = phone(&w.dir, "cat", &w.url, cat_token);
    cat.start_shift().unwrap();
    cat.take_handover("F1").await.unwrap();

    bob.tap(take.tap).unwrap();
    let screen = settled(&bob).await;
    let notice = screen.notice.clone().expect("the refusal is said");
    assert_eq!(notice.text, "这单已由其他骑手接走或调度已指派。");
    assert_eq!(notice.tone, runsheet_screens::Tone::Bad);
    assert!(!notice.text.contains("handover_already_assigned"));
    let p = page(&screen);
    assert!(p.entries.is_empty(), "fetched again: {p:?}");
    assert_eq!(p.empty_text.as_deref(), Some("附近暂无骑手申请转单。"));
    // Still Ann's on the server, and nothing of it on Bob's phone.
    assert_eq!(
        w.dispatch.task("F1").await.unwrap().courier_id.as_deref(),
        Some("ann")
    );
    assert!(w.bob.task("F1").is_err());
    let _ = &w.ann;
}

/// A tap from a thread without a runtime (and no runtime given to the app): the fetch runs to
/// its end on a small runtime of its own before the tap returns.
#[test]
fn without_a_runtime_the_fetch_is_done_when_the_tap_returns() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let w = rt.block_on(world());
    w.bob.record_location(NEAR.0, NEAR.1, 5.0).unwrap();
    let bob = CourierApp::new(w.bob.clone(), "en", true).unwrap();
    bob.tap(Tap::ShowOffers).unwrap();
    bob.tap(Tap::OpenNearbyHandovers).unwrap();
    let screen = bob.screen().unwrap();
    let p = page(&screen);
    assert!(!p.busy);
    assert_eq!(p.entries.len(), 1, "{p:?}");
    assert_eq!(p.entries[0].task_id, "F1");
}
