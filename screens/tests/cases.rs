//! After-sales through the screens against the reference server: dispatch opens a complaint
//! about a delivery and asks the courier; the phone announces it, shows it on the cases page
//! with its deadlines, takes the statement through the answer offer, and once the case is
//! settled offers the answer no more, saying why.

use std::sync::{Arc, Mutex};

use runsheet_core::{Config, Runsheet, SystemClock, Token};
use runsheet_protocol::{CaseCommand, CaseKind, NewCase, StopDoc, TaskKind};
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
    StopDoc {
        name: name.into(),
        address: "1 Test Road".into(),
        phone: None,
        lat: 30.27,
        lon: 120.15,
        ready_at: None,
        due_by: None,
        not_before: None,
        pin_corrected: false,
    }
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
