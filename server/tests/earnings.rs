//! Earnings over real HTTP on loopback: a delivered task paid by the published rates (base,
//! distance, peak, waiting) from the server's bounded times, a week's incentive bonus awarded
//! by the KPI function, tips and adjustments read exactly (decimals against the currency) and
//! refused with a reason, a disputed line appealed by the courier and decided by dispatch, the
//! pull carrying the lines, and the day and week statements. Every test runs on SQLite
//! (`sqlite::`) and on PostgreSQL (`postgres::`, on the cluster `cargo xtask test` starts).

use runsheet_protocol::{
    AppealStatus, EarningLineDoc, Incentive, Money, MutationOutcome, PayLineKind, PayRates,
    PullResponse, RejectCode, Settings, StopDoc,
};
use runsheet_server::earnings_api::StatementPeriod;
use serde_json::json;

mod loopback;
use loopback::*;

/// Monday 2026-11-23 10:00 in Beijing (02:00 UTC).
const T0: i64 = 1_795_406_400 - 2 * 3600;
/// Beijing.
const UTC_OFFSET_MIN: i32 = 480;

fn stop(name: &str, lat: f64, due_by: Option<i64>) -> StopDoc {
    StopDoc {
        due_by,
        ..StopDoc::new(name, "1 Test Road", lat, 120.15)
    }
}

/// The platform's rates (the defaults) with a week's programme: `target` deliveries at 95 %
/// on time pay 50.00.
fn settings(target: u32) -> Settings {
    Settings {
        utc_offset_min: UTC_OFFSET_MIN,
        pay: PayRates {
            incentives: vec![Incentive {
                id: "week".into(),
                target_deliveries: target,
                min_on_time_bp: 9500,
                bonus_minor: 5000,
            }],
            ..PayRates::default()
        },
        ..Settings::default()
    }
}

impl Env {
    /// A food task whose drop-off is 0.01° of latitude (1,112 m) north of the pickup, due in
    /// an hour, assigned to `courier`.
    async fn timed_task(&self, id: &str, courier: &str) {
        self.dispatch
            .create_task(&json!({
                "id": id, "courier_id": courier, "kind": "food",
                "pickup": stop("Noodle Bar", 30.27, None),
                "dropoff": stop("Customer", 30.28, Some(self.now() + 3600)),
            }))
            .await
            .unwrap();
    }

    /// Walks a food task through, waiting `wait_s` at the pickup.
    async fn deliver(&self, token: &str, client: &str, task: &str, wait_s: i64) {
        let mut results = Vec::new();
        let r = self
            .push(
                token,
                client,
                vec![
                    json!({"type": "accept", "task_id": task}),
                    json!({"type": "arrive", "task_id": task, "stop": "pickup", "method": "gps"}),
                ],
            )
            .await;
        results.extend(r.results);
        self.advance(wait_s);
        let r = self
            .push(
                token,
                client,
                vec![json!({"type": "pick_up", "task_id": task})],
            )
            .await;
        results.extend(r.results);
        self.advance(600);
        let r = self
            .push(
                token,
                client,
                vec![
                    json!({"type": "arrive", "task_id": task, "stop": "dropoff", "method": "gps"}),
                    json!({"type": "delivered", "task_id": task}),
                ],
            )
            .await;
        results.extend(r.results);
        for res in &results {
            assert_eq!(res.outcome, MutationOutcome::Applied, "{res:?}");
        }
    }

    /// `client`'s pull of the pay lines after `after`.
    async fn earnings_from(&self, token: &str, client: &str, after: i64) -> PullResponse {
        self.pull(token, client, &format!("earnings_after={after}"))
            .await
    }
}

fn amounts(lines: &[EarningLineDoc]) -> Vec<(String, PayLineKind, i64)> {
    lines
        .iter()
        .map(|l| (l.id.clone(), l.kind, l.amount.minor))
        .collect()
}

async fn a_delivery_is_paid_and_a_week_earns_the_bonus(engine: Engine) {
    let Some(e) = env_from(engine, "earnings_bonus_week", T0).await else {
        return;
    };
    e.dispatch.publish_settings(&settings(3)).await.unwrap();
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    // Monday 10:00: eight minutes at the kitchen (five are free), delivered at 10:18.
    e.timed_task("F1", "ann").await;
    e.deliver(&ann, "ann-phone", "F1", 8 * 60).await;
    let page = e.earnings_from(&ann, "ann-phone", 0).await;
    assert_eq!(
        amounts(&page.earnings),
        [
            ("pay:F1:base".to_owned(), PayLineKind::Base, 500),
            // 1,112 m at 1.00 a kilometre.
            ("pay:F1:distance".to_owned(), PayLineKind::Distance, 111),
            // Three minutes beyond the free five, at 0.50.
            ("pay:F1:waiting".to_owned(), PayLineKind::Waiting, 150),
        ]
    );
    assert!(page.earnings.iter().all(|l| l.amount.currency == "CNY"));
    let cursor = page.earnings.iter().map(|l| l.seq).max().unwrap();
    // At noon (the lunch peak) the next two: the peak supplement, and the third delivery of
    // the week, all on time, earns the programme's bonus.
    e.advance(2 * 3600 - e.now() + T0);
    e.timed_task("F2", "ann").await;
    e.deliver(&ann, "ann-phone", "F2", 60).await;
    e.timed_task("F3", "ann").await;
    e.deliver(&ann, "ann-phone", "F3", 0).await;
    let page = e.earnings_from(&ann, "ann-phone", cursor).await;
    let got = amounts(&page.earnings);
    assert!(got.contains(&("pay:F2:peak".to_owned(), PayLineKind::Peak, 200)));
    let week_start = T0 - 10 * 3600;
    let bonus = format!("bonus:week:{week_start}");
    assert_eq!(got.last(), Some(&(bonus.clone(), PayLineKind::Bonus, 5000)));
    // Later deliveries in the same week earn no second bonus.
    e.timed_task("F4", "ann").await;
    e.deliver(&ann, "ann-phone", "F4", 0).await;
    let week = e
        .dispatch
        .earnings("ann", StatementPeriod::Week, Some(e.now()))
        .await
        .unwrap();
    let bonuses = week
        .lines
        .iter()
        .filter(|l| l.line.kind == PayLineKind::Bonus)
        .count();
    assert_eq!(bonuses, 1);
    assert_eq!((week.from, week.to), (week_start, week_start + 7 * 86_400));
    let sum: i64 = week.lines.iter().map(|l| l.line.amount.minor).sum();
    assert_eq!(week.total, Money::new(sum, "CNY"));
    // F1 761, F2..F4 811 each with the peak supplement, and the bonus.
    assert_eq!(sum, 761 + 3 * 811 + 5000);
    let p = &week.incentives[0];
    assert_eq!(
        (p.deliveries, p.on_time_bp, p.progress_bp, p.met),
        (4, Some(10_000), 10_000, true)
    );
    // The day statement is the same day here; the next day has nothing yet.
    let day = e
        .dispatch
        .earnings("ann", StatementPeriod::Day, Some(e.now()))
        .await
        .unwrap();
    assert_eq!(day.total, week.total);
    let tomorrow = e
        .dispatch
        .earnings("ann", StatementPeriod::Day, Some(e.now() + 86_400))
        .await
        .unwrap();
    assert!(tomorrow.lines.is_empty());
    assert_eq!(tomorrow.total, Money::new(0, "CNY"));
    // An unknown courier has no statement; a bad period is refused.
    let (status, _) = e
        .admin(
            "GET",
            "/v1/dispatch/couriers/nobody/earnings?period=week",
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, body) = e
        .admin(
            "GET",
            "/v1/dispatch/couriers/ann/earnings?period=month",
            None,
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("bad_request")));
}

async fn tips_and_adjustments_are_read_exactly_or_refused(engine: Engine) {
    let Some(e) = env_from(engine, "earnings_tips_refused", T0).await else {
        return;
    };
    e.dispatch.publish_settings(&settings(50)).await.unwrap();
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    e.timed_task("F1", "ann").await;
    e.deliver(&ann, "ann-phone", "F1", 0).await;
    let tip = |id: &str, kind: &str, amount: &str, currency: &str| {
        json!({"id": id, "task_id": "F1", "kind": kind, "amount": amount,
               "currency": currency, "note": "thanks"})
    };
    // More decimals than the yuan has, a negative tip, nothing, no number, no currency.
    for (body, reason) in [
        (
            tip("T1", "tip", "5.005", "CNY"),
            "CNY amounts have at most 2 decimals",
        ),
        (tip("T1", "tip", "-1", "CNY"), "a tip must not be negative"),
        (
            tip("T1", "adjustment", "0.00", "CNY"),
            "the amount must not be zero",
        ),
        (
            tip("T1", "tip", "five", "CNY"),
            "the amount is not a decimal number",
        ),
        (
            tip("T1", "tip", "5", "XYZ"),
            "\"XYZ\" is not a currency the platform pays in",
        ),
    ] {
        let (status, err) = e.admin("POST", "/v1/dispatch/earnings", Some(body)).await;
        assert_eq!(status, 422, "{err}");
        assert_eq!(err["error"], "invalid");
        assert_eq!(err["field"], "amount");
        assert_eq!(err["reason"], format!("amount: {reason}"));
    }
    // Yen have no minor unit, and couriers here are paid in yuan.
    let (status, err) = e
        .admin(
            "POST",
            "/v1/dispatch/earnings",
            Some(tip("T1", "tip", "5.5", "JPY")),
        )
        .await;
    assert_eq!((status, err["field"].as_str()), (422, Some("amount")));
    let (status, err) = e
        .admin(
            "POST",
            "/v1/dispatch/earnings",
            Some(tip("T1", "tip", "5", "USD")),
        )
        .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (409, Some("other_currency"))
    );
    let unknown = json!({"id": "T1", "task_id": "nope", "kind": "tip", "amount": "1",
                         "currency": "CNY"});
    let (status, _) = e
        .admin("POST", "/v1/dispatch/earnings", Some(unknown))
        .await;
    assert_eq!(status, 404);
    // Nothing was stored by the refusals.
    let page = e.earnings_from(&ann, "ann-phone", 0).await;
    assert!(page.earnings.iter().all(|l| l.kind != PayLineKind::Tip));
    // A tip and a deduction, exact.
    let t = e
        .dispatch
        .add_earning(&tip("T1", "tip", "5.5", "CNY"))
        .await
        .unwrap();
    assert_eq!((t.kind, t.amount.minor), (PayLineKind::Tip, 550));
    let a = e
        .dispatch
        .add_earning(&tip("A1", "adjustment", "-3.20", "CNY"))
        .await
        .unwrap();
    assert_eq!((a.kind, a.amount.minor), (PayLineKind::Adjustment, -320));
    let again = e
        .dispatch
        .add_earning(&tip("T1", "tip", "5.5", "CNY"))
        .await;
    assert_eq!(
        status_of(again.unwrap_err()),
        (409, "earning_line_exists".into())
    );
    // Rates with a negative base are refused with the field and nothing changes.
    let before = e.dispatch.publish_settings(&settings(50)).await.unwrap();
    let mut bad = serde_json::to_value(settings(50)).unwrap();
    bad["pay"]["base"]["food"] = json!(-100);
    let (status, err) = e.admin("PUT", "/v1/dispatch/settings", Some(bad)).await;
    assert_eq!(status, 422);
    assert_eq!(err["field"], "pay.base.food");
    let (_, now_published) = e.admin("GET", "/v1/dispatch/settings", None).await;
    assert_eq!(now_published["version"], before.version);
    assert_eq!(now_published["pay"]["base"]["food"], 500);
}

async fn a_disputed_line_is_appealed_and_decided(engine: Engine) {
    let Some(e) = env_from(engine, "earnings_appeal", T0).await else {
        return;
    };
    e.dispatch.publish_settings(&settings(50)).await.unwrap();
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    let eve = e.dispatch.create_courier("eve", "Eve").await.unwrap();
    e.timed_task("F1", "ann").await;
    e.deliver(&ann, "ann-phone", "F1", 0).await;
    let appeal =
        |line: &str, reason: &str| json!({"type": "appeal_pay", "line_id": line, "reason": reason});
    let r = e
        .push(
            &ann,
            "ann-phone",
            vec![
                appeal("pay:F1:distance", "the road is twice as long"),
                appeal("pay:F1:distance", "again"),
                appeal("pay:nope:base", "no such line"),
                appeal("pay:F1:base", "  "),
            ],
        )
        .await;
    assert_eq!(r.results[0].outcome, MutationOutcome::Applied);
    for (i, code) in [
        (1, RejectCode::InvalidState),
        (2, RejectCode::InvalidState),
        (3, RejectCode::Invalid),
    ] {
        match &r.results[i].outcome {
            MutationOutcome::Rejected { code: c, .. } => assert_eq!(*c, code, "{i}"),
            other => panic!("{i}: {other:?}"),
        }
    }
    // Another courier cannot appeal Ann's line.
    let r = e
        .push(&eve, "eve-phone", vec![appeal("pay:F1:base", "mine")])
        .await;
    assert!(matches!(
        r.results[0].outcome,
        MutationOutcome::Rejected {
            code: RejectCode::InvalidState,
            ..
        }
    ));
    let week = e
        .dispatch
        .earnings("ann", StatementPeriod::Week, Some(e.now()))
        .await
        .unwrap();
    let disputed = week
        .lines
        .iter()
        .find(|l| l.line.id == "pay:F1:distance")
        .unwrap();
    assert_eq!(disputed.line.appeal, Some(AppealStatus::Pending));
    assert_eq!(
        disputed.appeal_reason.as_deref(),
        Some("the road is twice as long")
    );
    // A correction in the wrong form is refused; the appeal stays pending.
    let bad = e
        .dispatch
        .decide_pay_appeal("pay:F1:distance", true, None, Some(("1.111", "CNY")))
        .await;
    assert_eq!(status_of(bad.unwrap_err()).0, 422);
    let decided = e
        .dispatch
        .decide_pay_appeal(
            "pay:F1:distance",
            true,
            Some("the detour is paid"),
            Some(("1.10", "CNY")),
        )
        .await
        .unwrap();
    assert_eq!(decided.appeal, Some(AppealStatus::Upheld));
    let twice = e
        .dispatch
        .decide_pay_appeal("pay:F1:distance", false, None, None)
        .await;
    assert_eq!(
        status_of(twice.unwrap_err()),
        (409, "no_pending_appeal".into())
    );
    let unknown = e
        .dispatch
        .decide_pay_appeal("nope", false, None, None)
        .await;
    assert_eq!(status_of(unknown.unwrap_err()).0, 404);
    // The courier's next pull brings the decision and the correction.
    let page = e.earnings_from(&ann, "ann-phone", 0).await;
    let line = page
        .earnings
        .iter()
        .find(|l| l.id == "pay:F1:distance")
        .unwrap();
    assert_eq!(line.appeal, Some(AppealStatus::Upheld));
    assert_eq!(line.appeal_note.as_deref(), Some("the detour is paid"));
    let correction = page
        .earnings
        .iter()
        .find(|l| l.id == "pay:F1:distance:correction")
        .unwrap();
    assert_eq!(
        (correction.kind, correction.amount.minor),
        (PayLineKind::Adjustment, 110)
    );
    // Eve's pull carries none of Ann's lines.
    assert!(e
        .earnings_from(&eve, "eve-phone", 0)
        .await
        .earnings
        .is_empty());
}

on_both_stores!(
    a_delivery_is_paid_and_a_week_earns_the_bonus,
    tips_and_adjustments_are_read_exactly_or_refused,
    a_disputed_line_is_appealed_and_decided,
);
