//! A whole shift played through the screens only, the way a shell plays it: read the screen,
//! tap what it offers, until the work is done; in Chinese and in English.

use std::sync::{Arc, Mutex};

use runsheet_core::{Config, Runsheet, SystemClock, Token};
use runsheet_protocol::{StopDoc, TaskKind};
use runsheet_screens::{
    Body, CourierApp, Effect, EffectResult, Permission, ScreenListener, ScreenUpdate, Tap, TapError,
};
use runsheet_server::{DbConfig, Dispatcher, ServerConfig};

const ADMIN: &str = "screens-admin";

#[derive(Default)]
struct Recorder {
    updates: Mutex<Vec<ScreenUpdate>>,
    effects: Mutex<Vec<Effect>>,
}

impl ScreenListener for Recorder {
    fn on_screen(&self, update: ScreenUpdate) {
        self.updates.lock().unwrap().push(update);
    }
    fn on_effect(&self, effect: Effect) {
        self.effects.lock().unwrap().push(effect);
    }
}

fn stop(name: &str) -> StopDoc {
    StopDoc {
        phone: Some("+86 138 0000 0000".into()),
        ..StopDoc::new(name, "1 Test Road", 30.27, 120.15)
    }
}

struct World {
    _dir: tempfile::TempDir,
    app: CourierApp,
    seen: Arc<Recorder>,
}

/// A reference server with courier `c1` holding `tasks`, and c1's phone synced with it.
struct Phone {
    dir: tempfile::TempDir,
    dispatch: Dispatcher,
    core: Arc<Runsheet>,
}

async fn phone(tasks: &[&str]) -> Phone {
    let dir = tempfile::tempdir().unwrap();
    let server = runsheet_server::start(ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        db: DbConfig::Sqlite(dir.path().join("server.db")),
        admin_token: Some(ADMIN.into()),
        clock: None,
    })
    .unwrap();
    let dispatch = Dispatcher::new(&server.url(), ADMIN);
    let token = dispatch.create_courier("c1", "Courier").await.unwrap();
    for t in tasks {
        dispatch
            .assign_task(t, "c1", TaskKind::Parcel, None, stop("王女士"))
            .await
            .unwrap();
    }
    let core = Arc::new(
        Runsheet::open(Config {
            db_path: dir.path().join("phone.db"),
            db_key: None,
            server_url: server.url(),
            token: Token::new(token),
            clock: Arc::new(SystemClock),
        })
        .unwrap(),
    );
    core.sync().await.unwrap();
    std::mem::forget(server); // lives as long as the test process
    Phone {
        dir,
        dispatch,
        core,
    }
}

async fn world(locale: &str, tasks: &[&str]) -> World {
    let p = phone(tasks).await;
    let app = CourierApp::new(p.core, locale, true).unwrap();
    let seen = Arc::new(Recorder::default());
    app.subscribe(seen.clone());
    World {
        _dir: p.dir,
        app,
        seen,
    }
}

/// Plays the shift: start, then for each task accept, arrive (by hand), deliver; then end.
fn play(app: &CourierApp, labels: &mut Vec<String>) {
    for _ in 0..40 {
        let screen = app.screen().unwrap();
        if let Some(p) = screen.shift_bar.primary.as_ref().filter(|p| p.enabled) {
            if matches!(p.tap, Tap::StartShift) {
                labels.push(p.label.clone());
                app.tap(p.tap.clone()).unwrap();
                continue;
            }
        }
        let Body::Tasks { page } = &screen.body else {
            panic!("expected the task list, got {:?}", screen.body);
        };
        let Some(offer) = page.rows.iter().filter_map(|r| r.primary.as_ref()).next() else {
            let end = screen.shift_bar.primary.clone().expect("end shift offered");
            labels.push(end.label.clone());
            app.tap(end.tap).unwrap();
            return;
        };
        assert!(offer.enabled, "{}: {:?}", offer.label, offer.why);
        labels.push(offer.label.clone());
        let tap = match offer.tap.clone() {
            Tap::ArriveManually { task_id, .. } => Tap::ArriveManually {
                task_id,
                reason: "gate".into(),
            },
            t => t,
        };
        app.tap(tap).unwrap();
    }
    panic!("the shift did not end");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shift_through_the_screens_in_chinese() {
    let w = world("zh-CN", &["F1", "F2"]).await;
    let first = w.app.screen().unwrap();
    assert_eq!(first.shift_bar.state, "未上班");
    assert_eq!(first.header.title, "订单");
    let mut labels = Vec::new();
    play(&w.app, &mut labels);
    assert_eq!(
        labels,
        [
            "开始上班",
            "接单",
            "已到达送货点",
            "确认送达",
            "接单",
            "已到达送货点",
            "确认送达",
            "下班"
        ]
    );
    let end = w.app.screen().unwrap();
    assert_eq!(end.shift_bar.state, "未上班");
    let Body::Tasks { page } = &end.body else {
        panic!()
    };
    assert!(
        page.rows.iter().all(|r| r.status == "已送达"),
        "{:?}",
        page.rows
    );
    // The listener got the whole screen first, then only changes.
    let updates = w.seen.updates.lock().unwrap();
    assert!(matches!(updates.first(), Some(ScreenUpdate::Reset { .. })));
    assert!(updates[1..]
        .iter()
        .all(|u| matches!(u, ScreenUpdate::Changed { .. })));
    // Starting the shift asked for location, and set the location mode; ending it turned it off.
    let effects = w.seen.effects.lock().unwrap();
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::RequestPermission { permission: Permission::Location, rationale } if rationale.contains("位置")
    )));
    assert!(matches!(
        effects
            .iter()
            .rev()
            .find(|e| matches!(e, Effect::SetLocationMode { .. })),
        Some(Effect::SetLocationMode {
            background: false,
            ..
        })
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shift_through_the_screens_in_english() {
    let w = world("en-GB", &["P1"]).await;
    let mut labels = Vec::new();
    play(&w.app, &mut labels);
    assert_eq!(
        labels,
        [
            "Start shift",
            "Accept",
            "Arrived at drop-off",
            "Delivered",
            "End shift"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tap_the_screen_does_not_offer_is_refused_and_changes_nothing() {
    let w = world("zh-CN", &["F1"]).await;
    let before = w.app.core().task("F1").unwrap();
    // Deliver before the shift even started: not on the screen.
    let err = w
        .app
        .tap(Tap::Deliver {
            task_id: "F1".into(),
        })
        .unwrap_err();
    assert!(matches!(err, TapError::NotOffered { .. }), "{err:?}");
    assert_eq!(err.to_string(), "当前页面已没有这个操作。");
    assert_eq!(w.app.core().task("F1").unwrap(), before);
    // A manual arrival without a reason is offered, and refused by the rulebook, in words.
    w.app.tap(Tap::StartShift).unwrap();
    w.app
        .tap(Tap::Accept {
            task_id: "F1".into(),
        })
        .unwrap();
    let err = w
        .app
        .tap(Tap::ArriveManually {
            task_id: "F1".into(),
            reason: " ".into(),
        })
        .unwrap_err();
    assert!(matches!(err, TapError::Blocked { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_scan_screen_asks_for_the_camera_and_shows_a_refusal_as_a_state() {
    let w = world("en", &["F1"]).await;
    let app = &w.app;
    app.tap(Tap::StartShift).unwrap();
    app.tap(Tap::ShowTask {
        task_id: "F1".into(),
    })
    .unwrap();
    let screen = app.screen().unwrap();
    let Body::Task { page } = &screen.body else {
        panic!()
    };
    assert!(
        page.maps.iter().any(|m| m.label == "Navigate with Amap"),
        "{:?}",
        page.maps
    );
    assert_eq!(
        page.maps[0].label, "Navigate with Amap",
        "Amap first in China"
    );
    // Open a map: the core hands the shell a link.
    app.tap(page.maps[0].tap.clone()).unwrap();
    assert!(matches!(
        w.seen.effects.lock().unwrap().last(),
        Some(Effect::OpenLink { url }) if url.starts_with("amapuri:") || url.contains("amap")
    ));
    // Change the language: the whole screen again, in Chinese.
    let before = w.seen.updates.lock().unwrap().len();
    app.set_locale("zh-Hans-CN");
    let updates = w.seen.updates.lock().unwrap();
    assert!(
        matches!(updates.get(before), Some(ScreenUpdate::Reset { screen }) if screen.header.title.contains('→') || !screen.header.title.is_empty())
    );
    drop(updates);
    // A permission refused is a state, not an error.
    app.resolve(EffectResult::Permission {
        permission: Permission::Camera,
        granted: false,
    })
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn without_location_the_task_page_says_to_confirm_arrivals_by_hand() {
    let w = world("zh-CN", &["F1"]).await;
    let app = &w.app;
    app.tap(Tap::StartShift).unwrap();
    app.resolve(EffectResult::Permission {
        permission: Permission::Location,
        granted: false,
    })
    .unwrap();
    app.tap(Tap::Accept {
        task_id: "F1".into(),
    })
    .unwrap();
    app.tap(Tap::ShowTask {
        task_id: "F1".into(),
    })
    .unwrap();
    let Body::Task { page } = app.screen().unwrap().body else {
        panic!()
    };
    assert!(
        page.notes.iter().any(|n| n.contains("手动确认到达")),
        "{:?}",
        page.notes
    );
    let primary = page.primary.expect("the arrival is offered");
    assert!(primary.enabled);
    assert_eq!(primary.inputs[0].field, "reason");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_photo_lost_before_it_was_sent_is_said_on_the_banner() {
    let w = world("en", &["F1"]).await;
    let app = &w.app;
    app.tap(Tap::StartShift).unwrap();
    app.tap(Tap::Accept {
        task_id: "F1".into(),
    })
    .unwrap();
    app.tap(Tap::ShowTask {
        task_id: "F1".into(),
    })
    .unwrap();
    app.tap(Tap::ShowProblem {
        task_id: "F1".into(),
    })
    .unwrap();
    let photo = w._dir.path().join("damage.jpg");
    std::fs::write(&photo, b"not really a jpeg").unwrap();
    app.resolve(EffectResult::PhotoTaken {
        purpose: runsheet_screens::PhotoPurpose::Problem {
            task_id: "F1".into(),
        },
        path: photo.to_string_lossy().into_owned(),
    })
    .unwrap();
    app.tap(Tap::ReportProblem {
        task_id: "F1".into(),
        reason: runsheet_protocol::ExceptionReason::VehicleBreakdown,
        note: String::new(),
        ready_in_min: None,
    })
    .unwrap();
    std::fs::remove_file(&photo).unwrap();
    let _ = app.core().sync().await;
    let banner = app.screen().unwrap().sync_banner;
    assert!(banner.visible);
    assert!(banner.text.contains("1 photo was lost"), "{}", banner.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_listener_a_tap_is_checked_against_the_screen_as_it_is_now() {
    let p = phone(&[]).await;
    let app = CourierApp::new(p.core.clone(), "en", true).unwrap();
    app.tap(Tap::StartShift).unwrap();
    // A task arrives after the last tap; no shell listens, so nothing was recomputed since.
    p.dispatch
        .assign_task("N1", "c1", TaskKind::Parcel, None, stop("Lin"))
        .await
        .unwrap();
    p.core.sync().await.unwrap();
    app.tap(Tap::Accept {
        task_id: "N1".into(),
    })
    .unwrap();
    assert_eq!(
        p.core.task("N1").unwrap().status,
        runsheet_protocol::TaskStatus::Accepted
    );
}
