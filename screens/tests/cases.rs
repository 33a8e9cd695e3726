//! After-sales through the screens against the reference server: dispatch opens a complaint
//! about a delivery and asks the courier; the phone announces it, shows it on the cases page
//! with its deadlines, takes the statement through the answer offer, and once the case is
//! settled offers the answer no more, saying why.

use std::sync::{Arc, Mutex};

use runsheet_core::{Config, Runsheet, SystemClock, Token};
use runsheet_protocol::{CaseCommand, CaseKind, NewCase, NewRecall, StopDoc, TaskKind};
use runsheet_screens::{
    Body, Channel, CourierApp, Effect, Screen, ScreenListener, ScreenUpdate, Tap, Tone,
};
use runsheet_server::{DbConfig, Dispatcher, ServerConfig};

const ADMIN: &str = "screens-admin";

#[derive(Default)]
struct Recorder {
    effects: Mutex<Vec<Effect>>,
}

impl ScreenListener for Recorder {
    fn on_screen(&self, _update: ScreenUpdate) {}
    fn on_effect(&self, effect: Effect) {
        self.effects.lock().unwrap().push(effect);
    }
}

fn stop(name: &str) -> StopDoc {
    StopDoc::new(name, "1 Test Road", 30.27, 120.15)
}

fn case_page(screen: &Screen) -> &runsheet_screens::CasesPage {
    match &screen.body {
        Body::Cases { page } => page,
        other => panic!("expected the cases page, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_complaint_is_announced_answered_and_closed_through_the_screens() {
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
    dispatch
        .assign_task("P1", "c1", TaskKind::Parcel, None, stop("王女士"))
        .await
        .unwrap();
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
    core.start_shift().unwrap();
    core.accept("P1").unwrap();
    core.arrive_manually("P1", "gate").unwrap();
    core.mark_delivered("P1").unwrap();
    core.sync().await.unwrap();

    let app = CourierApp::new(core.clone(), "en", true).unwrap();
    let seen = Arc::new(Recorder::default());
    app.subscribe(seen.clone());
    app.tap(Tap::ShowCases).unwrap();
    let screen = app.screen().unwrap();
    assert_eq!(screen.header.title, "My cases");
    assert!(case_page(&screen).empty_text.is_some());

    // Dispatch opens a late-delivery complaint and asks the courier.
    let opened = dispatch
        .open_case(&NewCase {
            task_id: "P1".into(),
            kind: CaseKind::Late,
            summary: "It came 40 minutes late".into(),
        })
        .await
        .unwrap();
    let case_id = opened.case.id;
    dispatch
        .case_step(
            case_id,
            &CaseCommand::AskCourier {
                note: "What happened?".into(),
            },
        )
        .await
        .unwrap();
    core.sync().await.unwrap();
    assert!(
        seen.effects.lock().unwrap().iter().any(|e| matches!(
            e,
            Effect::Notify { channel: Channel::Cases, title, .. }
                if title == "A case needs your statement"
        )),
        "{:?}",
        seen.effects.lock().unwrap()
    );
    let screen = app.screen().unwrap();
    let page = case_page(&screen);
    assert_eq!(page.cases.len(), 1);
    let view = &page.cases[0];
    assert_eq!(view.title, format!("Case {case_id} · Late delivery"));
    assert_eq!(view.status, "waiting for your statement");
    assert_eq!(view.tone, Tone::Warning);
    assert!(
        view.deadlines
            .iter()
            .any(|d| d.starts_with("Answer by") && d.contains("due in")),
        "{:?}",
        view.deadlines
    );
    let answer = view
        .offers
        .iter()
        .find(|o| matches!(o.tap, Tap::AnswerCase { .. }))
        .unwrap()
        .clone();
    assert!(answer.enabled);
    assert_eq!(answer.inputs[0].field, "statement");

    // An empty statement is refused with the blocker's sentence; a real one is saved.
    assert!(app.tap(answer.tap.clone()).is_err());
    let filled = answer
        .tap
        .clone()
        .with_input(
            "statement",
            "Road closed; I called the customer.",
            &app.words(),
        )
        .unwrap();
    app.tap(filled).unwrap();
    let screen = app.screen().unwrap();
    assert_eq!(
        screen.notice.as_ref().map(|n| n.text.as_str()),
        Some("Statement saved; it is sent with the next sync.")
    );
    let view = &case_page(&screen).cases[0];
    assert!(view
        .statement
        .as_deref()
        .is_some_and(|s| s.contains("Road closed") && s.contains("next sync")));

    // The server receives it with the evidence, then the team resolves the case.
    core.sync().await.unwrap();
    let record = dispatch.case(case_id).await.unwrap();
    assert_eq!(
        record.case.courier_statement.as_deref(),
        Some("Road closed; I called the customer.")
    );
    dispatch
        .case_step(
            case_id,
            &CaseCommand::Resolve {
                note: "Apologised to the customer".into(),
                follow_up: None,
            },
        )
        .await
        .unwrap();
    core.sync().await.unwrap();
    app.tap(Tap::ShowCase { case_id }).unwrap();
    let screen = app.screen().unwrap();
    let Body::CaseDetail { page } = &screen.body else {
        panic!("expected the case page, got {:?}", screen.body);
    };
    assert_eq!(page.detail.status, "resolved");
    assert_eq!(
        page.detail.resolution.as_deref(),
        Some("Resolution: Apologised to the customer")
    );
    let answer = page
        .detail
        .offers
        .iter()
        .find(|o| matches!(o.tap, Tap::AnswerCase { .. }))
        .unwrap();
    assert!(!answer.enabled);
    assert_eq!(
        answer.why,
        vec![format!(
            "Case {case_id} is resolved: it takes no statement any more."
        )]
    );
    assert!(page.task.is_some(), "the case links to its task");
    std::mem::forget(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recall_with_the_bag_in_the_box_blocks_the_delivery_until_the_item_is_set_aside() {
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
    dispatch
        .create_task(&serde_json::json!({
            "id": "G1", "courier_id": "c1", "kind": "grocery",
            "pickup": stop("Fresh Mart"), "dropoff": stop("王女士"),
            "items": [{"code": "(01)09506000134352", "name": "milk"}],
        }))
        .await
        .unwrap();
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
    core.start_shift().unwrap();
    core.accept("G1").unwrap();
    core.arrive_manually("G1", "shop").unwrap();
    let milk = "(01)09506000134352(10)L42(17)271231";
    core.scan("G1", milk, runsheet_gs1::Symbology::Unknown)
        .unwrap();
    core.pick_up("G1").unwrap();
    core.arrive_manually("G1", "door").unwrap();
    core.sync().await.unwrap();

    // Dispatch recalls the batch while the milk is in the box.
    dispatch
        .recall(&NewRecall {
            gtin: "09506000134352".into(),
            batch: "L42".into(),
            expiry_from: None,
            expiry_to: None,
            reason: "listeria".into(),
        })
        .await
        .unwrap();
    core.sync().await.unwrap();

    let app = CourierApp::new(core.clone(), "en", true).unwrap();
    app.tap(Tap::ShowTask {
        task_id: "G1".into(),
    })
    .ok();
    let screen = app.screen().unwrap();
    let Body::Task { page } = &screen.body else {
        panic!("expected the task page, got {:?}", screen.body);
    };
    let deliver = page.primary.clone().unwrap();
    assert!(!deliver.enabled);
    assert!(
        deliver.why.iter().any(|w| w.contains("recalled milk")),
        "{:?}",
        deliver.why
    );
    assert_eq!(
        page.items[0].state_text,
        "Recalled: set it aside, do not hand it over"
    );
    // Scanning it at the door: the recalled verdict, read as bad.
    app.tap(Tap::ShowScan {
        task_id: "G1".into(),
    })
    .unwrap();
    app.tap(Tap::Scan {
        task_id: "G1".into(),
        code: milk.into(),
        symbology: runsheet_gs1::Symbology::Unknown,
    })
    .unwrap();
    let screen = app.screen().unwrap();
    let Body::Scan { page } = &screen.body else {
        panic!("expected the scan page, got {:?}", screen.body);
    };
    let verdict = page.last_verdict.clone().unwrap();
    assert_eq!(
        verdict.text,
        "Recalled batch (listeria): do not hand it over; set it aside."
    );
    assert_eq!(verdict.tone, Tone::Bad);
    let set_aside = page.items[0]
        .offers
        .iter()
        .find(|o| matches!(o.tap, Tap::SetAside { .. }))
        .unwrap()
        .clone();
    app.tap(set_aside.tap).unwrap();
    app.tap(Tap::ShowTask {
        task_id: "G1".into(),
    })
    .unwrap();
    let screen = app.screen().unwrap();
    let Body::Task { page } = &screen.body else {
        panic!("expected the task page, got {:?}", screen.body);
    };
    assert_eq!(page.items[0].state_text, "Set aside (not handed over)");
    let deliver = page.primary.clone().unwrap();
    assert!(deliver.enabled, "{:?}", deliver.why);
    app.tap(deliver.tap).unwrap();
    core.sync().await.unwrap();

    // The KPI page carries the after-sales figures.
    app.tap(Tap::ShowKpis).unwrap();
    let screen = app.screen().unwrap();
    let Body::Kpis { page } = &screen.body else {
        panic!("expected the KPI page, got {:?}", screen.body);
    };
    assert!(page.figures.iter().any(|f| f.name == "After-sales cases"));
    std::mem::forget(server);
}
