//! After-sales over real HTTP on loopback: cases routed and timed by the platform's settings,
//! the lifecycle table, breaches recorded once, reopening, the courier's side (pull and
//! answer) and its authorisation, the order-error rule both ways, follow-up tasks, recalls and
//! the figures. Every test runs on SQLite (`sqlite::`) and on PostgreSQL (`postgres::`, on the
//! cluster `cargo xtask test` starts).

use runsheet_protocol::{
    AfterSalesPolicy, CaseCommand, CaseDeadlines, CaseKind, CaseRule, CaseStatus, CaseTeam, Fault,
    FollowUp, FollowUpKind, NewCase, NewRecall, PullResponse, PushResponse, Settings, TaskKind,
};
use serde_json::json;

mod loopback;
use loopback::*;

impl Env {
    /// `client`'s pull of the cases after `after`.
    async fn cases_from(&self, token: &str, client: &str, after: i64) -> PullResponse {
        self.pull(token, client, &format!("cases_after={after}"))
            .await
    }

    /// Walks a food task through pickup and drop-off, scanning the listed items at each.
    async fn deliver(
        &self,
        token: &str,
        client: &str,
        task: &str,
        at_pickup: &[&str],
        at_dropoff: &[&str],
    ) {
        let scan = |stage: &str, code: &str| {
            json!({"type": "scan", "task_id": task, "stage": stage, "code": format!("raw:{code}"),
                   "outcome": "confirmed", "item_code": code})
        };
        let mut actions = vec![
            json!({"type": "accept", "task_id": task}),
            json!({"type": "arrive", "task_id": task, "stop": "pickup", "method": "gps"}),
        ];
        actions.extend(at_pickup.iter().map(|c| scan("pickup", c)));
        actions.push(json!({"type": "pick_up", "task_id": task}));
        actions
            .push(json!({"type": "arrive", "task_id": task, "stop": "dropoff", "method": "gps"}));
        actions.extend(at_dropoff.iter().map(|c| scan("dropoff", c)));
        actions.push(json!({"type": "delivered", "task_id": task}));
        let r = self.push(token, client, actions).await;
        for res in &r.results {
            assert_eq!(
                res.outcome,
                runsheet_protocol::MutationOutcome::Applied,
                "{res:?}"
            );
        }
    }

    async fn complain(&self, task: &str, kind: CaseKind) -> runsheet_protocol::CaseRecord {
        self.dispatch
            .open_case(&NewCase {
                task_id: task.into(),
                kind,
                summary: "the customer complains".into(),
            })
            .await
            .unwrap()
    }
}

fn rejected_code(r: &PushResponse, i: usize) -> Option<runsheet_protocol::RejectCode> {
    match &r.results[i].outcome {
        runsheet_protocol::MutationOutcome::Rejected { code, .. } => Some(*code),
        _ => None,
    }
}

async fn cases_are_routed_and_timed_by_the_platforms_settings(engine: Engine) {
    let Some(e) = env_on(engine, "cases_are_routed_by_settings").await else {
        return;
    };
    let _ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    e.food_task("A1", "ann", &[]).await;
    let settings = Settings {
        after_sales: AfterSalesPolicy {
            rules: vec![CaseRule {
                kind: CaseKind::Late,
                team: CaseTeam::DeliveryProblems,
                deadlines: CaseDeadlines {
                    first_response_min: 10,
                    resolution_min: 60,
                },
            }],
            courier_answer_min: 30,
        },
        ..Settings::default()
    };
    e.dispatch.publish_settings(&settings).await.unwrap();
    let late = e.complain("A1", CaseKind::Late).await;
    assert_eq!(late.case.team, CaseTeam::DeliveryProblems);
    assert_eq!(late.case.status, CaseStatus::Open);
    assert_eq!(late.case.respond_by, T0 + 600);
    assert_eq!(late.case.resolve_by, T0 + 3600);
    assert_eq!(late.courier_id.as_deref(), Some("ann"));
    assert_eq!(late.history.len(), 1);
    assert_eq!(late.history[0].event, "opened");
    // Kinds the platform does not route keep their defaults.
    let damaged = e.complain("A1", CaseKind::Damaged).await;
    assert_eq!(damaged.case.team, CaseTeam::Complaints);
    assert_eq!(damaged.case.respond_by, T0 + 30 * 60);
    assert_eq!(damaged.case.resolve_by, T0 + 24 * 3600);
    let ret = e.complain("A1", CaseKind::ReturnRequest).await;
    assert_eq!(ret.case.team, CaseTeam::Returns);
    assert_eq!(ret.case.resolve_by, T0 + 48 * 3600);
    // Filters.
    let complaints = e.dispatch.cases(&[("team", "complaints")]).await.unwrap();
    assert_eq!(complaints.len(), 1);
    let late_only = e.dispatch.cases(&[("kind", "late")]).await.unwrap();
    assert_eq!(late_only[0].case.id, late.case.id);
    assert_eq!(
        e.dispatch.cases(&[("courier", "bob")]).await.unwrap().len(),
        0
    );
    // Kinds the server opens itself are refused, and so is an unknown task.
    let (status, body) = e
        .call(
            "POST",
            "/v1/dispatch/cases",
            ADMIN,
            Some(json!({"task_id": "A1", "kind": "low_rating", "summary": "x"})),
        )
        .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("kind")));
    let err = e
        .dispatch
        .open_case(&NewCase {
            task_id: "nope".into(),
            kind: CaseKind::Late,
            summary: "late".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(status_of(err), (404, "not_found".into()));
    // A bad policy cannot be published.
    let mut twice = settings.clone();
    twice.after_sales.rules.push(twice.after_sales.rules[0]);
    assert!(e.dispatch.publish_settings(&twice).await.is_err());
}

async fn a_deadline_passed_is_recorded_once_and_a_reopen_restarts_the_resolution(engine: Engine) {
    let Some(e) = env_on(engine, "deadline_breach_and_reopen").await else {
        return;
    };
    e.dispatch.create_courier("ann", "Ann").await.unwrap();
    e.food_task("A1", "ann", &[]).await;
    let case = e.complain("A1", CaseKind::Late).await;
    let id = case.case.id;
    assert!(!case.case.breached);
    // 31 minutes without a first response: breached, recorded once.
    e.advance(31 * 60);
    let c = e.dispatch.case(id).await.unwrap();
    assert!(c.case.breached);
    e.advance(60);
    let c = e.dispatch.case(id).await.unwrap();
    let breaches = |c: &runsheet_protocol::CaseRecord, ev: &str| {
        c.history.iter().filter(|h| h.event == ev).count()
    };
    assert_eq!(breaches(&c, "breached_first_response"), 1);
    assert_eq!(breaches(&c, "breached_resolution"), 0);
    let breached = e.dispatch.cases(&[("breached", "true")]).await.unwrap();
    assert_eq!(breached.len(), 1);
    assert!(e
        .dispatch
        .cases(&[("breached", "false")])
        .await
        .unwrap()
        .is_empty());
    let metrics = e
        .http
        .get(format!("{}/metrics", e.server.url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("runsheet_cases_breached 1"), "{metrics}");
    // Acknowledged late; resolved within the day; closed with the customer's rating.
    let c = e
        .dispatch
        .case_step(id, &CaseCommand::Acknowledge { note: None })
        .await
        .unwrap();
    assert_eq!(c.case.status, CaseStatus::Acknowledged);
    assert_eq!(c.case.first_response_at, Some(e.now()));
    let c = e
        .dispatch
        .case_step(
            id,
            &CaseCommand::Resolve {
                note: "voucher".into(),
                follow_up: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(c.case.status, CaseStatus::Resolved);
    // The table refuses what it does not allow: a 409 with the reason, nothing changed.
    let err = e
        .dispatch
        .case_step(id, &CaseCommand::Acknowledge { note: None })
        .await
        .unwrap_err();
    assert_eq!(status_of(err), (409, "case_step_refused".into()));
    let c = e
        .dispatch
        .case_step(
            id,
            &CaseCommand::Close {
                satisfaction: Some(2),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (c.case.status, c.case.satisfaction),
        (CaseStatus::Closed, Some(2))
    );
    // The customer disagrees two days later: reopened, a fresh 24 h to settle it.
    e.advance(2 * 24 * 3600);
    let c = e
        .dispatch
        .case_step(
            id,
            &CaseCommand::Reopen {
                note: "the voucher did not work".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(c.case.status, CaseStatus::Reopened);
    assert_eq!(c.case.resolve_by, e.now() + 24 * 3600);
    assert_eq!(c.case.settled_at, None);
    assert_eq!(c.history.last().unwrap().event, "reopen");
    let err = e
        .dispatch
        .case_step(id, &CaseCommand::Close { satisfaction: None })
        .await
        .unwrap_err();
    assert_eq!(status_of(err), (409, "case_step_refused".into()));
    // Not settled again within the day: the resolution deadline is breached, once.
    e.advance(25 * 3600);
    let c = e.dispatch.case(id).await.unwrap();
    assert_eq!(breaches(&c, "breached_resolution"), 1);
    let f = e.dispatch.case_figures(None, None, None).await.unwrap();
    assert_eq!(f.platform.cases, 1);
    assert_eq!(f.platform.breached, 1);
    assert_eq!(f.platform.by_kind[0].kind, CaseKind::Late);
    assert_eq!(f.couriers.len(), 1);
    assert_eq!(f.couriers[0].courier_id, "ann");
    // Unknown and malformed case ids are 404s.
    let err = e.dispatch.case(999).await.unwrap_err();
    assert_eq!(status_of(err), (404, "not_found".into()));
    let (status, body) = e.call("GET", "/v1/dispatch/cases/abc", ADMIN, None).await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
}

async fn the_courier_sees_and_answers_only_their_own_cases(engine: Engine) {
    let Some(e) = env_on(engine, "courier_answers_own_cases").await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    let eve = e.dispatch.create_courier("eve", "Eve").await.unwrap();
    e.food_task("A1", "ann", &["I1"]).await;
    e.deliver(&ann, "ann-phone", "A1", &["I1"], &["I1"]).await;
    let id = e.complain("A1", CaseKind::Late).await.case.id;
    let c = e
        .dispatch
        .case_step(
            id,
            &CaseCommand::AskCourier {
                note: "what happened?".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(c.case.status, CaseStatus::WaitingForCourier);
    assert_eq!(c.case.answer_by, Some(e.now() + 120 * 60));
    // Ann's phone gets the case; Eve's does not.
    let pulled = e.cases_from(&ann, "ann-phone", 0).await;
    assert_eq!(pulled.cases.len(), 1);
    assert_eq!(pulled.cases[0].status, CaseStatus::WaitingForCourier);
    let seq = pulled.cases[0].seq;
    assert!(e.cases_from(&ann, "ann-phone", seq).await.cases.is_empty());
    assert!(e.cases_from(&eve, "eve-phone", 0).await.cases.is_empty());
    // Eve cannot answer it (and her attempt opens no case).
    let answer = |who: &str| {
        json!({"type": "answer_case", "case_id": id, "task_id": "A1",
               "statement": format!("{who} says: traffic"), "evidence": "{}"})
    };
    let r = e.push(&eve, "eve-phone", vec![answer("eve")]).await;
    assert_eq!(
        rejected_code(&r, 0),
        Some(runsheet_protocol::RejectCode::NotYourTask)
    );
    assert_eq!(e.dispatch.cases(&[]).await.unwrap().len(), 1);
    // Within the deadline Ann answers: the case goes back to the team.
    e.advance(10 * 60);
    let r = e.push(&ann, "ann-phone", vec![answer("ann")]).await;
    assert_eq!(rejected_code(&r, 0), None);
    let c = e.dispatch.case(id).await.unwrap();
    assert_eq!(c.case.status, CaseStatus::Acknowledged);
    assert_eq!(
        c.case.courier_statement.as_deref(),
        Some("ann says: traffic")
    );
    assert_eq!(c.case.answer_by, None);
    let last = c.history.last().unwrap();
    assert_eq!(
        (last.event.as_str(), last.actor),
        ("courier_answer", runsheet_protocol::CaseActor::Courier)
    );
    assert!(!c.case.breached);
    let pulled = e.cases_from(&ann, "ann-phone", seq).await;
    assert_eq!(
        pulled.cases[0].courier_statement.as_deref(),
        Some("ann says: traffic")
    );
    // Once settled it takes no statement: rejected with the reason, nothing changed.
    e.dispatch
        .case_step(
            id,
            &CaseCommand::Reject {
                note: "the order was on time".into(),
            },
        )
        .await
        .unwrap();
    let r = e.push(&ann, "ann-phone", vec![answer("ann")]).await;
    assert_eq!(
        rejected_code(&r, 0),
        Some(runsheet_protocol::RejectCode::InvalidState)
    );
    let r = e
        .push(
            &ann,
            "ann-phone",
            vec![
                json!({"type": "answer_case", "case_id": 4242, "task_id": "A1",
                        "statement": "x", "evidence": "{}"}),
            ],
        )
        .await;
    assert_eq!(
        rejected_code(&r, 0),
        Some(runsheet_protocol::RejectCode::Invalid)
    );
    // A courier's token opens no dispatch route.
    let (status, _) = e.call("GET", "/v1/dispatch/cases", &ann, None).await;
    assert_eq!(status, 401);
    let (status, _) = e
        .call(
            "POST",
            &format!("/v1/dispatch/cases/{id}/steps"),
            &ann,
            Some(json!({"step": "reopen", "note": "x"})),
        )
        .await;
    assert_eq!(status, 401);
    // A follow-up promised for a time already past is a 400 with its reason.
    let id2 = e.complain("A1", CaseKind::Damaged).await.case.id;
    let err = e
        .dispatch
        .case_step(
            id2,
            &CaseCommand::Resolve {
                note: "again".into(),
                follow_up: Some(FollowUp {
                    kind: FollowUpKind::Redelivery,
                    task_id: "A1-again".into(),
                    courier_id: Some("ann".into()),
                    items: vec![],
                    take_back: vec![],
                    due_by: Some(e.now() - 60),
                }),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(status_of(err), (400, "deadline_past".into()));
    assert_eq!(
        e.dispatch.case(id2).await.unwrap().case.status,
        CaseStatus::Open
    );
    assert!(e.dispatch.task("A1-again").await.is_err());
}

async fn a_wrong_item_counts_against_the_courier_unless_every_scan_was_made(engine: Engine) {
    let Some(e) = env_on(engine, "order_error_rule").await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    // W1: every item scanned at both handoffs. W2: the drop-off scan of I2 is missing.
    e.food_task("W1", "ann", &["I1", "I2"]).await;
    e.food_task("W2", "ann", &["I1", "I2"]).await;
    e.deliver(&ann, "ann-phone", "W1", &["I1", "I2"], &["I1", "I2"])
        .await;
    e.deliver(&ann, "ann-phone", "W2", &["I1", "I2"], &["I1"])
        .await;
    let kpis = e.dispatch.kpis("ann", 0).await.unwrap();
    assert_eq!(kpis.order_error_rate, Some(0.0));
    let resolve = CaseCommand::Resolve {
        note: "refund".into(),
        follow_up: None,
    };
    let c1 = e.complain("W1", CaseKind::WrongItem).await.case.id;
    let c2 = e.complain("W2", CaseKind::MissingItem).await.case.id;
    let r1 = e.dispatch.case_step(c1, &resolve).await.unwrap();
    let r2 = e.dispatch.case_step(c2, &resolve).await.unwrap();
    assert_eq!(r1.case.fault, Some(Fault::Merchant));
    assert_eq!(r2.case.fault, Some(Fault::Courier));
    // The phone sees whom it counts against.
    let pulled = e.cases_from(&ann, "ann-phone", 0).await;
    let fault_of = |id: i64| pulled.cases.iter().find(|c| c.id == id).unwrap().fault;
    assert_eq!(
        (fault_of(c1), fault_of(c2)),
        (Some(Fault::Merchant), Some(Fault::Courier))
    );
    // The courier's KPIs count W2 as an order error; the merchant's fault is listed apart.
    let kpis = e.dispatch.kpis("ann", 0).await.unwrap();
    assert_eq!(kpis.order_error_rate, Some(0.5));
    let f = e
        .dispatch
        .case_figures(Some("ann"), None, None)
        .await
        .unwrap();
    assert_eq!(f.couriers[0].order_errors.len(), 1);
    assert_eq!(f.couriers[0].order_errors[0].task_id, "W2");
    assert_eq!(f.merchant_order_errors.len(), 1);
    assert_eq!(f.merchant_order_errors[0].task_id, "W1");
    assert_eq!(
        f.merchant_order_errors[0].merchant.as_deref(),
        Some("Noodle Bar")
    );
    assert_eq!(f.platform.complaints_per_100, Some(100.0));
    // A rejected claim counts against nobody.
    let c3 = e.complain("W2", CaseKind::WrongItem).await.case.id;
    let r3 = e
        .dispatch
        .case_step(
            c3,
            &CaseCommand::Reject {
                note: "photo shows the right item".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(r3.case.fault, None);
    assert_eq!(
        e.dispatch.kpis("ann", 0).await.unwrap().order_error_rate,
        Some(0.5)
    );
}

async fn a_resolution_creates_linked_follow_up_tasks(engine: Engine) {
    let Some(e) = env_on(engine, "resolution_follow_ups").await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    let bob = e.dispatch.create_courier("bob", "Bob").await.unwrap();
    e.food_task("R1", "ann", &["I1"]).await;
    e.deliver(&ann, "ann-phone", "R1", &["I1"], &["I1"]).await;
    let due = e.now() + 3 * 3600;
    let ret = e.complain("R1", CaseKind::ReturnRequest).await.case.id;
    let c = e
        .dispatch
        .case_step(
            ret,
            &CaseCommand::Resolve {
                note: "return accepted".into(),
                follow_up: Some(FollowUp {
                    kind: FollowUpKind::ReturnPickup,
                    task_id: "R1-return".into(),
                    courier_id: Some("bob".into()),
                    items: vec![],
                    take_back: vec![],
                    due_by: Some(due),
                }),
            },
        )
        .await
        .unwrap();
    assert_eq!(c.case.follow_up_task_id.as_deref(), Some("R1-return"));
    let t = e.dispatch.task("R1-return").await.unwrap();
    assert_eq!(t.courier_id.as_deref(), Some("bob"));
    assert_eq!(t.task.kind, TaskKind::ReturnPickup);
    assert_eq!(t.task.case_id, Some(ret));
    assert_eq!(t.task.pickup.as_ref().unwrap().name, "Customer");
    assert_eq!(t.task.dropoff.name, "Noodle Bar");
    assert_eq!(t.task.dropoff.due_by, Some(due));
    assert_eq!(t.task.items[0].code, "I1");
    // Bob's phone gets the task with its link.
    let pulled = e.cases_from(&bob, "bob-phone", 0).await;
    assert!(pulled.changes.iter().any(|ch| matches!(ch,
        runsheet_protocol::Change::UpsertTask { task } if task.id == "R1-return"
            && task.case_id == Some(ret))));
    // An exchange carries the new item and takes the old one back.
    let ex = e.complain("R1", CaseKind::ExchangeRequest).await.case.id;
    e.dispatch
        .case_step(
            ex,
            &CaseCommand::Resolve {
                note: "exchange".into(),
                follow_up: Some(FollowUp {
                    kind: FollowUpKind::Exchange,
                    task_id: "R1-exchange".into(),
                    courier_id: Some("ann".into()),
                    items: vec![item("I9")],
                    take_back: vec![],
                    due_by: None,
                }),
            },
        )
        .await
        .unwrap();
    let t = e.dispatch.task("R1-exchange").await.unwrap().task;
    assert_eq!(t.kind, TaskKind::Food);
    assert_eq!(t.items[0].code, "I9");
    assert_eq!(t.take_back[0].code, "I1");
    assert_eq!(t.case_id, Some(ex));
    // A redelivery: the same goods again; an existing task id is a 409.
    let late = e.complain("R1", CaseKind::NotReceived).await.case.id;
    let again = |id: &str| CaseCommand::Resolve {
        note: "sent again".into(),
        follow_up: Some(FollowUp {
            kind: FollowUpKind::Redelivery,
            task_id: id.into(),
            courier_id: None,
            items: vec![],
            take_back: vec![],
            due_by: None,
        }),
    };
    let err = e.dispatch.case_step(late, &again("R1")).await.unwrap_err();
    assert_eq!(status_of(err), (409, "task_exists".into()));
    assert_eq!(
        e.dispatch.case(late).await.unwrap().case.status,
        CaseStatus::Open
    );
    e.dispatch
        .case_step(late, &again("R1-again"))
        .await
        .unwrap();
    let t = e.dispatch.task("R1-again").await.unwrap();
    assert_eq!((t.task.kind, t.courier_id), (TaskKind::Food, None));
    assert_eq!(t.task.items[0].code, "I1");
}

const MILK: &str = "09506000134352";

async fn a_recall_lists_the_deliveries_of_the_batch_and_opens_a_case_for_each(engine: Engine) {
    let Some(e) = env_on(engine, "recalls_list_deliveries").await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    let eve = e.dispatch.create_courier("eve", "Eve").await.unwrap();
    // M1 carried the batch and was delivered (the phone's scan key names it); M2 has it on its
    // manifest (a serial-numbered code) and is still under way; M3 carried another batch.
    let l42 = format!("(01){MILK}(10)L42");
    let serial = format!("(01){MILK}(21)SN7(10)L42");
    e.food_task("M1", "ann", &[&l42]).await;
    e.food_task("M2", "eve", &[&serial]).await;
    e.food_task("M3", "ann", &[&format!("(01){MILK}(10)L43")])
        .await;
    let scan = |task: &str, stage: &str, batch: &str, item: &str| {
        json!({"type": "scan", "task_id": task, "stage": stage,
               "code": format!("gtin:{MILK}:b:{batch}"), "outcome": "confirmed",
               "item_code": item})
    };
    e.push(
        &ann,
        "ann-phone",
        vec![
            json!({"type": "accept", "task_id": "M1"}),
            json!({"type": "arrive", "task_id": "M1", "stop": "pickup", "method": "gps"}),
            scan("M1", "pickup", "L42", &l42),
            json!({"type": "pick_up", "task_id": "M1"}),
            json!({"type": "arrive", "task_id": "M1", "stop": "dropoff", "method": "gps"}),
            json!({"type": "delivered", "task_id": "M1"}),
        ],
    )
    .await;
    // Malformed recalls are refused with the field at fault, and nothing is recalled.
    let bad = [
        (
            json!({"gtin": "09506000134353", "batch": "L42", "reason": "x"}),
            "gtin",
        ),
        (
            json!({"gtin": "950600013435", "batch": "L42", "reason": "x"}),
            "gtin",
        ),
        (json!({"gtin": MILK, "batch": "", "reason": "x"}), "batch"),
        (
            json!({"gtin": MILK, "batch": "L 42", "reason": "x"}),
            "batch",
        ),
        (
            json!({"gtin": MILK, "batch": "L42", "reason": "x",
                "expiry_from": "2026-12-31", "expiry_to": "2026-12-01"}),
            "expiry_to",
        ),
        (
            json!({"gtin": MILK, "batch": "L42", "reason": "x", "expiry_from": "31/12/2026"}),
            "expiry_from",
        ),
    ];
    for (body, field) in bad {
        let (status, answer) = e
            .call("POST", "/v1/dispatch/recalls", ADMIN, Some(body))
            .await;
        assert_eq!(
            (status, answer["field"].as_str()),
            (422, Some(field)),
            "{answer}"
        );
    }
    let report = e
        .dispatch
        .recall(&NewRecall {
            gtin: "9506000134352".into(),
            batch: "L42".into(),
            expiry_from: None,
            expiry_to: None,
            reason: "listeria".into(),
        })
        .await
        .unwrap();
    assert_eq!(report.recall.gtin, MILK);
    let found: Vec<(&str, bool, bool)> = report
        .deliveries
        .iter()
        .map(|d| (d.task_id.as_str(), d.delivered, d.case_id.is_some()))
        .collect();
    assert_eq!(found, [("M1", true, true), ("M2", false, false)]);
    let cases = e.dispatch.cases(&[("kind", "recall")]).await.unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].case.task_id, "M1");
    assert_eq!(cases[0].courier_id.as_deref(), Some("ann"));
    // Every phone gets the recall with its next pull.
    let pulled = e.cases_from(&eve, "eve-phone", 0).await;
    assert_eq!(pulled.recalls.len(), 1);
    assert!(!pulled.recalls[0].lifted);
    let seq = pulled.recalls[0].seq;
    // Eve sets the recalled bag aside (recorded on the task); an unknown recall is refused.
    let r = e
        .push(
            &eve,
            "eve-phone",
            vec![
                json!({"type": "accept", "task_id": "M2"}),
                json!({"type": "set_aside", "task_id": "M2", "item_code": serial,
                       "recall_id": report.recall.id}),
                json!({"type": "set_aside", "task_id": "M2", "item_code": serial,
                       "recall_id": 999}),
            ],
        )
        .await;
    assert_eq!(rejected_code(&r, 1), None);
    assert_eq!(
        rejected_code(&r, 2),
        Some(runsheet_protocol::RejectCode::Invalid)
    );
    let set_aside = e
        .dispatch
        .mutations(Some("eve"))
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.action["type"] == "set_aside" && m.outcome == "applied")
        .count();
    assert_eq!(set_aside, 1);
    // Lifted: the phones hear of it; lifting twice is a 409.
    let lifted = e.dispatch.lift_recall(report.recall.id).await.unwrap();
    assert!(lifted.lifted);
    let r = e
        .http
        .get(format!(
            "{}/v1/sync/pull?client_id=eve-phone&recalls_after={seq}",
            e.server.url()
        ))
        .bearer_auth(&eve)
        .send()
        .await
        .unwrap();
    let pulled: PullResponse = r.json().await.unwrap();
    assert_eq!(pulled.recalls.len(), 1);
    assert!(pulled.recalls[0].lifted);
    let err = e.dispatch.lift_recall(report.recall.id).await.unwrap_err();
    assert_eq!(status_of(err), (409, "recall_lifted".into()));
    let again = e.dispatch.recall_report(report.recall.id).await.unwrap();
    assert_eq!(again.deliveries.len(), 2);
    let err = e.dispatch.recall_report(77).await.unwrap_err();
    assert_eq!(status_of(err), (404, "not_found".into()));
}

async fn couriers_facts_and_low_ratings_open_cases_of_their_kind(engine: Engine) {
    let Some(e) = env_on(engine, "facts_open_cases").await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    e.food_task("F1", "ann", &[]).await;
    e.food_task("F2", "ann", &[]).await;
    let r = e
        .push(
            &ann,
            "ann-phone",
            vec![
                json!({"type": "accept", "task_id": "F1"}),
                json!({"type": "report_exception", "task_id": "F1", "reason": "merchant_delay"}),
                json!({"type": "accept", "task_id": "F2"}),
                json!({"type": "answer", "task_id": "F2", "stage": "pickup",
                       "template_id": "cold", "template_version": 1, "item_id": "temp",
                       "value": {"type": "number", "value": 9.0}, "out_of_range": true}),
                json!({"type": "report_exception", "task_id": "F2", "reason": "checklist_breach",
                       "note": "box at 9 C"}),
            ],
        )
        .await;
    for (i, res) in r.results.iter().enumerate() {
        assert_eq!(rejected_code(&r, i), None, "{res:?}");
    }
    e.dispatch
        .rate(&json!({"id": "r1", "task_id": "F1", "source": "customer", "stars": 2}))
        .await
        .unwrap();
    e.dispatch
        .rate(&json!({"id": "r2", "task_id": "F2", "source": "customer", "stars": 4}))
        .await
        .unwrap();
    let kinds: Vec<(String, CaseKind, CaseTeam)> = e
        .dispatch
        .cases(&[])
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.case.task_id, c.case.kind, c.case.team))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "F1".to_owned(),
                CaseKind::DeliveryException,
                CaseTeam::DeliveryProblems
            ),
            (
                "F2".to_owned(),
                CaseKind::ColdChainBreach,
                CaseTeam::DeliveryProblems
            ),
            ("F1".to_owned(), CaseKind::LowRating, CaseTeam::Complaints),
        ]
    );
    // The legacy list keeps the couriers' facts with their causes.
    let legacy: Vec<String> = e
        .dispatch
        .after_sales()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(
        legacy,
        ["exception:merchant_delay", "exception:checklist_breach"]
    );
}

on_both_stores!(
    cases_are_routed_and_timed_by_the_platforms_settings,
    a_deadline_passed_is_recorded_once_and_a_reopen_restarts_the_resolution,
    the_courier_sees_and_answers_only_their_own_cases,
    a_wrong_item_counts_against_the_courier_unless_every_scan_was_made,
    a_resolution_creates_linked_follow_up_tasks,
    a_recall_lists_the_deliveries_of_the_batch_and_opens_a_case_for_each,
    couriers_facts_and_low_ratings_open_cases_of_their_kind,
);
