//! A qualification about to expire, through the screens against the reference server on one
//! virtual clock: 14 days before it lapses the courier is notified once (in their language,
//! with the module's title and the date), not again on later renders nor after the app is
//! opened again over the same store; on the day it expires, once more; tapping the
//! notification opens the training page.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use runsheet_core::{Clock, Config, Runsheet, Token};
use runsheet_protocol::{QuizQuestion, Settings, TaskKind, TrainingModule, TrainingPage};
use runsheet_screens::{Channel, CourierApp, Effect, ScreenListener, ScreenUpdate};
use runsheet_server::{DbConfig, Dispatcher, ServerConfig};

const ADMIN: &str = "screens-admin";
/// Monday 2026-11-23 10:00 in Beijing (02:00 UTC).
const T0: i64 = 1_795_406_400 - 2 * 3600;
const DAY: i64 = 86_400;

struct Shared(Arc<AtomicI64>);

impl Clock for Shared {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Records the notifications an app asks for.
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

impl Recorder {
    /// (id, title, body) of the training notifications since the last call.
    fn training(&self) -> Vec<(String, String, String)> {
        std::mem::take(&mut *self.effects.lock().unwrap())
            .into_iter()
            .filter_map(|e| match e {
                Effect::Notify {
                    id,
                    channel: Channel::Training,
                    title,
                    body,
                } => Some((id, title, body)),
                _ => None,
            })
            .collect()
    }
}

fn module() -> TrainingModule {
    TrainingModule {
        id: "cold-chain".into(),
        version: 0,
        seq: 0,
        title: "冷链配送".into(),
        pages: vec![TrainingPage {
            text: "冷藏商品全程保持 0–4 °C。".into(),
            images: Vec::new(),
        }],
        quiz: vec![QuizQuestion {
            id: "q1".into(),
            text: "冷藏商品应保持在什么温度？".into(),
            choices: vec!["0–4 °C".into(), "8–12 °C".into()],
            correct: 0,
        }],
        pass_mark_pct: 100,
        required_for_kinds: vec![TaskKind::Grocery],
        required_for_goods: Vec::new(),
        validity_months: 1,
    }
}

fn open(dir: &std::path::Path, url: &str, token: &str, clock: &Arc<AtomicI64>) -> Arc<Runsheet> {
    Arc::new(
        Runsheet::open(Config {
            db_path: dir.join("phone.db"),
            db_key: None,
            server_url: url.to_owned(),
            token: Token::new(token.to_owned()),
            clock: Arc::new(Shared(clock.clone())),
        })
        .unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expiring_qualification_is_notified_once_then_on_its_day() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(AtomicI64::new(T0));
    let at = |t: i64| clock.store(t, Ordering::SeqCst);
    let server = runsheet_server::start(ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        db: DbConfig::Sqlite(dir.path().join("server.db")),
        admin_token: Some(ADMIN.into()),
        clock: Some(clock.clone()),
    })
    .unwrap();
    let dispatch = Dispatcher::new(&server.url(), ADMIN);
    dispatch
        .publish_settings(&Settings {
            utc_offset_min: 480,
            ..Settings::default()
        })
        .await
        .unwrap();
    dispatch.publish_training(&module()).await.unwrap();
    let token = dispatch.create_courier("c1", "Courier").await.unwrap();

    // Passed on the phone, confirmed by the server: valid for one calendar month, until
    // 2026-12-23 10:00 in Beijing.
    let core = open(dir.path(), &server.url(), &token, &clock);
    core.sync().await.unwrap();
    core.take_quiz("cold-chain", 1, vec![0]).unwrap();
    core.sync().await.unwrap();
    let expires_at = core.qualifications().unwrap()[0].expires_at.unwrap();
    assert_eq!(expires_at, T0 + 30 * DAY);

    let app = CourierApp::new(core.clone(), "en", true).unwrap();
    let heard = Arc::new(Recorder::default());
    app.subscribe(heard.clone());
    app.refresh();
    // Twenty days before: nothing yet.
    at(expires_at - 20 * DAY);
    app.refresh();
    assert_eq!(heard.training(), vec![]);

    // Within 14 days: one notification, with the module's title and the date.
    at(expires_at - 13 * DAY);
    app.refresh();
    let soon = heard.training();
    assert_eq!(
        soon,
        vec![(
            "qualification-cold-chain-soon".to_owned(),
            "Qualification expiring".to_owned(),
            "Your \"冷链配送\" qualification expires on Dec 23, 2026: take the quiz again in time."
                .to_owned()
        )]
    );
    // Not on every render.
    at(expires_at - 12 * DAY);
    app.refresh();
    assert_eq!(heard.training(), vec![]);

    // Nor after the app is opened again over the same store (remembered there), in Chinese.
    drop(app);
    drop(core);
    let core = open(dir.path(), &server.url(), &token, &clock);
    let app = CourierApp::new(core.clone(), "zh-CN", true).unwrap();
    let heard = Arc::new(Recorder::default());
    app.subscribe(heard.clone());
    app.refresh();
    assert_eq!(heard.training(), vec![]);

    // On the day it expires (08:00 in Beijing, two hours before): once more.
    at(expires_at - 2 * 3600);
    app.refresh();
    app.refresh();
    let today = heard.training();
    assert_eq!(
        today,
        vec![(
            "qualification-cold-chain-today".to_owned(),
            "资质今天到期".to_owned(),
            "“冷链配送”资质今天（2026年12月23日）到期，请重新测验以保持资质。".to_owned()
        )]
    );

    // Tapping it opens the training page, above the page the courier was on.
    app.open_notification(&today[0].0);
    let screen = app.screen().unwrap();
    assert_eq!(screen.header.title, "培训与资质");
    assert!(screen.header.back.is_some());
    // An id the core does not know changes nothing.
    app.open_notification("something-else");
    assert_eq!(app.screen().unwrap().header.title, "培训与资质");
}
