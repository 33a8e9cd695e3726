//! Earnings through the screens against the reference server, on one virtual clock: a
//! delivery made offline shows its pay as expected (computed on the phone with the published
//! rates), the sync replaces it with the server's confirmed lines of the same amounts, the
//! week's second on-time delivery meets the incentive programme (expected bonus, then the
//! server's), and a confirmed line is appealed through its offer and decided by dispatch: the
//! decision is notified once, in the courier's language.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use runsheet_core::earnings::EarningsPeriod;
use runsheet_core::{Clock, Config, Runsheet, Token};
use runsheet_protocol::{Incentive, PayLineState, PayRates, Settings, StopDoc, TaskKind};
use runsheet_screens::{
    Body, Channel, CourierApp, EarningsPage, Effect, Screen, ScreenListener, ScreenUpdate, Tap,
    TapError, Tone,
};
use runsheet_server::{DbConfig, Dispatcher, ServerConfig};
use runsheet_words::Words;

const ADMIN: &str = "screens-admin";
/// Monday 2026-11-23 10:00 in Beijing (02:00 UTC): off-peak.
const T0: i64 = 1_795_406_400 - 2 * 3600;

struct Shared(Arc<AtomicI64>);

impl Clock for Shared {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Records the effects an app asks for.
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
    /// The (title, body) of the notifications about pay appeals, taken.
    fn pay_appeals(&self) -> Vec<(String, String)> {
        std::mem::take(&mut *self.effects.lock().unwrap())
            .into_iter()
            .filter_map(|e| match e {
                Effect::Notify {
                    id,
                    channel: Channel::Ratings,
                    title,
                    body,
                } if id.starts_with("pay-appeal-") => Some((title, body)),
                _ => None,
            })
            .collect()
    }
}

fn stop(name: &str, lat: f64, due_by: Option<i64>) -> StopDoc {
    StopDoc {
        due_by,
        ..StopDoc::new(name, "1 Test Road", lat, 120.15)
    }
}

fn page(screen: &Screen) -> &EarningsPage {
    match &screen.body {
        Body::Earnings { page } => page,
        other => panic!("expected the earnings page, got {other:?}"),
    }
}

/// (title, amount, state) of each line, newest first.
fn lines(screen: &Screen) -> Vec<(String, String, PayLineState)> {
    page(screen)
        .lines
        .iter()
        .map(|l| (l.title.clone(), l.amount.clone(), l.state))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn pay_is_expected_offline_then_confirmed_and_a_week_earns_its_bonus() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(AtomicI64::new(T0));
    let advance = |s: i64| {
        clock.fetch_add(s, Ordering::SeqCst);
    };
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
            pay: PayRates {
                incentives: vec![Incentive {
                    id: "week2".into(),
                    target_deliveries: 2,
                    min_on_time_bp: 9500,
                    bonus_minor: 2000,
                }],
                ..PayRates::default()
            },
            ..Settings::default()
        })
        .await
        .unwrap();
    let token = dispatch.create_courier("c1", "Courier").await.unwrap();
    for id in ["F1", "F2"] {
        dispatch
            .assign_task(
                id,
                "c1",
                TaskKind::Food,
                Some(stop("Noodle Bar", 30.27, None)),
                stop("王女士", 30.28, Some(T0 + 3 * 3600)),
            )
            .await
            .unwrap();
    }
    let core = Arc::new(
        Runsheet::open(Config {
            db_path: dir.path().join("phone.db"),
            db_key: None,
            server_url: server.url(),
            token: Token::new(token),
            clock: Arc::new(Shared(clock.clone())),
        })
        .unwrap(),
    );
    core.sync().await.unwrap();
    core.start_shift().unwrap();
    let deliver = |task: &str, wait_s: i64| {
        core.accept(task).unwrap();
        core.arrive_manually(task, "GPS lost indoors").unwrap();
        advance(wait_s);
        core.pick_up(task).unwrap();
        advance(600);
        core.arrive_manually(task, "GPS lost indoors").unwrap();
        core.mark_delivered(task).unwrap();
    };
    // Eight minutes at the kitchen, five of them free; delivered offline.
    deliver("F1", 8 * 60);

    let app = CourierApp::new(core.clone(), "en", true).unwrap();
    let heard = Arc::new(Recorder::default());
    app.subscribe(heard.clone());
    let zh = CourierApp::new(core.clone(), "zh-CN", true).unwrap();
    let heard_zh = Arc::new(Recorder::default());
    zh.subscribe(heard_zh.clone());
    let tab = app
        .screen()
        .unwrap()
        .header
        .tabs
        .iter()
        .find(|o| matches!(o.tap, Tap::ShowEarnings { .. }))
        .unwrap()
        .clone();
    assert_eq!(tab.label, "Earnings");
    app.tap(tab.tap).unwrap();
    let screen = app.screen().unwrap();
    assert_eq!(screen.header.title, "My earnings");
    let expected = [
        ("Waiting time · task F1", "CN¥1.50"),
        ("Distance · task F1", "CN¥1.11"),
        ("Base pay · task F1", "CN¥5.00"),
    ];
    assert_eq!(
        lines(&screen),
        expected
            .iter()
            .map(|(t, a)| (t.to_string(), a.to_string(), PayLineState::Expected))
            .collect::<Vec<_>>()
    );
    let p = page(&screen);
    assert_eq!(p.total, "Total CN¥7.61");
    assert_eq!(p.confirmed, "Confirmed CN¥0.00");
    assert_eq!(
        p.expected.as_deref(),
        Some("Expected CN¥7.61, not yet confirmed by the platform")
    );
    assert!(p.lines.iter().all(|l| l.offers.is_empty()));
    let bar = &p.incentives[0];
    assert_eq!(
        (bar.progress_bp, bar.progress.as_str(), bar.verdict.as_str()),
        (
            5_000,
            "1 of 2 deliveries · on time 100.0%",
            "1 more delivery to go"
        )
    );
    // An expected line cannot be appealed yet: the core says why; the screen offers nothing.
    let refused = core.appeal_pay("pay:F1:distance", "too short").unwrap_err();
    assert!(refused.to_string().contains("still expected"), "{refused}");
    let not_offered = app.tap(Tap::AppealPay {
        line_id: "pay:F1:distance".into(),
        reason: "too short".into(),
    });
    assert!(matches!(not_offered, Err(TapError::NotOffered { .. })));

    // The sync brings the server's lines: the same amounts, now confirmed.
    core.sync().await.unwrap();
    let screen = app.screen().unwrap();
    assert_eq!(
        lines(&screen),
        expected
            .iter()
            .map(|(t, a)| (t.to_string(), a.to_string(), PayLineState::Confirmed))
            .collect::<Vec<_>>()
    );
    let p = page(&screen);
    assert_eq!(p.expected, None);
    assert_eq!(p.confirmed, "Confirmed CN¥7.61");

    // The week's second on-time delivery, offline: the bonus is expected at once.
    deliver("F2", 60);
    let screen = app.screen().unwrap();
    let p = page(&screen);
    assert_eq!(p.incentives[0].verdict, "Bonus earned");
    assert_eq!(p.incentives[0].tone, Tone::Good);
    assert_eq!(
        lines(&screen)[0],
        (
            "Incentive bonus".to_owned(),
            "CN¥20.00".to_owned(),
            PayLineState::Expected
        )
    );
    core.sync().await.unwrap();
    let screen = app.screen().unwrap();
    assert!(lines(&screen)
        .iter()
        .all(|l| l.2 == PayLineState::Confirmed));
    assert_eq!(page(&screen).total, "Total CN¥33.72");
    let server = dispatch
        .earnings(
            "c1",
            runsheet_server::earnings_api::StatementPeriod::Week,
            None,
        )
        .await
        .unwrap();
    // F1 7.61, F2 6.11 (no wait to pay), the bonus 20.00.
    assert_eq!(server.total.minor, 3372);

    // The week view holds the same lines; the switch goes back to today.
    let switch = page(&screen).switch_period.clone();
    assert!(matches!(
        switch.tap,
        Tap::ShowEarnings {
            period: EarningsPeriod::Week
        }
    ));
    app.tap(switch.tap).unwrap();
    let week = app.screen().unwrap();
    assert_eq!(lines(&week), lines(&screen));

    // Appeal the distance line through its offer, with the reason filled in.
    let line = page(&week)
        .lines
        .iter()
        .find(|l| l.line_id == "pay:F1:distance")
        .unwrap();
    let offer = line.offers[0].clone();
    let words = Words::new("en");
    let empty = app.tap(offer.tap.clone());
    assert!(matches!(empty, Err(TapError::Blocked { .. })), "{empty:?}");
    app.tap(
        offer
            .tap
            .with_input("reason", "the bridge was closed: 3 km around", &words)
            .unwrap(),
    )
    .unwrap();
    let screen = app.screen().unwrap();
    assert_eq!(screen.notice.as_ref().unwrap().text, "Appeal sent.");
    let line = page(&screen)
        .lines
        .iter()
        .find(|l| l.line_id == "pay:F1:distance")
        .unwrap();
    assert_eq!(line.appeal.as_deref(), Some("Appeal pending"));
    assert!(line.offers.is_empty());
    core.sync().await.unwrap();
    // Filed, not decided: nothing to tell yet.
    assert_eq!(heard.pay_appeals(), vec![]);
    advance(3600);
    dispatch
        .decide_pay_appeal(
            "pay:F1:distance",
            true,
            Some("detour paid"),
            Some(("2.00", "CNY")),
        )
        .await
        .unwrap();
    core.sync().await.unwrap();
    let screen = app.screen().unwrap();
    let line = page(&screen)
        .lines
        .iter()
        .find(|l| l.line_id == "pay:F1:distance")
        .unwrap();
    assert_eq!(line.appeal.as_deref(), Some("Appeal upheld"));
    assert_eq!(line.detail.as_deref(), Some("detour paid"));
    assert_eq!(lines(&screen)[0].0, "Adjustment · task F1");
    assert_eq!(page(&screen).total, "Total CN¥35.72");
    // The decision is notified, once, as a rating appeal's is, in each app's language.
    assert_eq!(
        heard.pay_appeals(),
        vec![(
            "Pay appeal upheld".to_owned(),
            "Distance · task F1 (CN¥1.11): see My earnings".to_owned()
        )]
    );
    assert_eq!(
        heard_zh.pay_appeals(),
        vec![(
            "收入申诉成功".to_owned(),
            "距离补贴 · 订单F1（¥1.11），详情见“我的收入”".to_owned()
        )]
    );
    core.sync().await.unwrap();
    assert_eq!(heard.pay_appeals(), vec![]);

    // The same page in Chinese.
    zh.tap(Tap::ShowEarnings {
        period: EarningsPeriod::Day,
    })
    .unwrap();
    let screen = zh.screen().unwrap();
    assert_eq!(screen.header.title, "我的收入");
    assert_eq!(page(&screen).total, "合计¥35.72");
    assert_eq!(page(&screen).incentives[0].verdict, "已获得奖励");
}
