//! Offers over real HTTP on loopback: dispatch offers a task or a stack with an expiry on the
//! server's clock; the courier's pull carries it (without the customer's name and phone); an
//! acceptance in time makes the tasks the courier's; a late one (received after the expiry, or
//! made after it by the phone's corrected clock) is refused `offer_expired` and changes
//! nothing; declines keep their reason; the figures and `/metrics` count them. Every test runs
//! on SQLite (`sqlite::`) and on PostgreSQL (`postgres::`, on the cluster `cargo xtask test`
//! starts).

use runsheet_protocol::{
    DeclineReason, MutationOutcome, NewOffer, OfferStatus, PullResponse, PushResponse, RejectCode,
    Settings, StopDoc, TaskStatus,
};
use serde_json::{json, Value};

mod loopback;
use loopback::*;

fn stop(name: &str, lat: f64) -> StopDoc {
    StopDoc {
        phone: Some("+8613800000000".into()),
        due_by: Some(T0 + 3600),
        ..StopDoc::new(name, "1 Test Road", lat, 120.15)
    }
}

impl Env {
    /// A food task no courier holds (to be offered), or assigned to `courier`.
    async fn task(&self, id: &str, courier: Option<&str>) {
        self.dispatch
            .create_task(&json!({
                "id": id, "courier_id": courier, "kind": "food",
                "pickup": stop("Noodle Bar", 30.28), "dropoff": stop("Ms Customer", 30.27),
            }))
            .await
            .unwrap();
    }

    async fn offer(&self, courier: &str, tasks: &[&str], expires_in_s: Option<u32>) -> i64 {
        self.dispatch
            .offer(&NewOffer {
                courier_id: courier.into(),
                task_ids: tasks.iter().map(|t| t.to_string()).collect(),
                expires_in_s,
            })
            .await
            .unwrap()
            .offer
            .id
    }

    /// Pushes `actions` made now by a phone whose clock is in step with the server's.
    async fn push_now(&self, token: &str, client: &str, actions: Vec<Value>) -> PushResponse {
        self.push_at(token, client, actions, self.now(), Some(0))
            .await
    }

    /// `client`'s pull of the offers after `after`.
    async fn offers_from(&self, token: &str, client: &str, after: i64) -> PullResponse {
        self.pull(token, client, &format!("offers_after={after}"))
            .await
    }

    async fn metrics(&self) -> String {
        self.http
            .get(format!("{}/metrics", self.server.url()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

fn rejected(r: &PushResponse) -> Option<RejectCode> {
    match &r.results[0].outcome {
        MutationOutcome::Rejected { code, .. } => Some(*code),
        _ => None,
    }
}

async fn a_stack_accepted_in_time_becomes_the_couriers(engine: Engine) {
    let Some(e) = env_on(engine, "offer_stack_accepted").await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    e.task("S1", None).await;
    e.task("S2", None).await;
    let id = e.offer("ann", &["S1", "S2"], None).await;
    // The default expiry is the platform's 30 seconds.
    let rec = &e.dispatch.offers(Some("ann")).await.unwrap()[0];
    assert_eq!(rec.offer.expires_at, T0 + 30);
    assert_eq!(rec.offer.status, OfferStatus::Open);

    // The pull carries it, without the customer's name and phone; the tasks are not hers yet.
    let page = e.offers_from(&ann, "ann-phone", 0).await;
    assert!(page.changes.is_empty());
    assert_eq!(page.offers.len(), 1);
    let offered = &page.offers[0];
    assert_eq!(offered.id, id);
    assert_eq!(offered.tasks.len(), 2);
    assert_eq!(offered.tasks[0].dropoff.name, "");
    assert_eq!(offered.tasks[0].dropoff.phone, None);
    assert_eq!(offered.tasks[0].pickup.as_ref().unwrap().name, "Noodle Bar");
    // Pulled again from its sequence: nothing new.
    assert!(e
        .offers_from(&ann, "ann-phone", offered.seq)
        .await
        .offers
        .is_empty());

    // A task on an open offer cannot be offered again; a task already assigned cannot be
    // offered at all; a stack of four is refused.
    let bob = e.dispatch.create_courier("bob", "Bob").await.unwrap();
    let again = e
        .dispatch
        .offer(&NewOffer {
            courier_id: "bob".into(),
            task_ids: vec!["S1".into()],
            expires_in_s: None,
        })
        .await
        .unwrap_err();
    assert_eq!(status_of(again), (409, "task_on_offer".into()));
    e.task("B1", Some("bob")).await;
    let assigned = e
        .dispatch
        .offer(&NewOffer {
            courier_id: "ann".into(),
            task_ids: vec!["B1".into()],
            expires_in_s: None,
        })
        .await
        .unwrap_err();
    assert_eq!(status_of(assigned), (409, "task_not_offerable".into()));
    let four = e
        .dispatch
        .offer(&NewOffer {
            courier_id: "ann".into(),
            task_ids: vec!["a".into(), "b".into(), "c".into(), "d".into()],
            expires_in_s: None,
        })
        .await
        .unwrap_err();
    assert_eq!(status_of(four), (422, "invalid".into()));
    let unknown = e
        .dispatch
        .offer(&NewOffer {
            courier_id: "ann".into(),
            task_ids: vec!["nope".into()],
            expires_in_s: Some(20),
        })
        .await
        .unwrap_err();
    assert_eq!(status_of(unknown), (404, "not_found".into()));

    // Another courier cannot answer it.
    let r = e
        .push_now(
            &bob,
            "bob-phone",
            vec![json!({"type": "accept_offer", "offer_id": id})],
        )
        .await;
    assert_eq!(rejected(&r), Some(RejectCode::Invalid));

    // Accepted 20 s in: both tasks are hers, accepted, with the customer's details.
    e.advance(20);
    let r = e
        .push_now(
            &ann,
            "ann-phone",
            vec![json!({"type": "accept_offer", "offer_id": id})],
        )
        .await;
    assert_eq!(r.results[0].outcome, MutationOutcome::Applied);
    let page = e.offers_from(&ann, "ann-phone", offered.seq).await;
    assert_eq!(page.changes.len(), 2);
    assert_eq!(page.offers.len(), 1);
    assert_eq!(page.offers[0].status, OfferStatus::Accepted);
    for id in ["S1", "S2"] {
        let t = e.dispatch.task(id).await.unwrap();
        assert_eq!(t.task.status, TaskStatus::Accepted);
        assert_eq!(t.courier_id.as_deref(), Some("ann"));
    }
    // Answered once: a second acceptance is refused as the offer's state.
    let r = e
        .push_now(
            &ann,
            "ann-phone",
            vec![json!({"type": "accept_offer", "offer_id": id})],
        )
        .await;
    assert_eq!(rejected(&r), Some(RejectCode::InvalidState));
}

async fn a_late_acceptance_is_refused_and_changes_nothing(engine: Engine) {
    let Some(e) = env_on(engine, "offer_late_acceptance").await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    e.task("L1", None).await;
    e.task("L2", None).await;
    let late = e.offer("ann", &["L1"], Some(30)).await;
    let skewed = e.offer("ann", &["L2"], Some(30)).await;
    let seq = e.offers_from(&ann, "ann-phone", 0).await.offers[1].seq;

    // Accepted on the phone 10 s in, but offline: it reaches the server 3 minutes later.
    let made = e.now() + 10;
    e.advance(180);
    let r = e
        .push_at(
            &ann,
            "ann-phone",
            vec![json!({"type": "accept_offer", "offer_id": late})],
            made,
            Some(0),
        )
        .await;
    let MutationOutcome::Rejected { code, reason } = &r.results[0].outcome else {
        panic!("a late acceptance was applied: {r:?}");
    };
    assert_eq!(*code, RejectCode::OfferExpired);
    assert!(reason.contains("expired"), "{reason}");
    // Nothing changed: the task is nobody's, and the offer is recorded expired.
    let t = e.dispatch.task("L1").await.unwrap();
    assert_eq!(t.courier_id, None);
    assert_eq!(t.task.status, TaskStatus::Assigned);
    let page = e.offers_from(&ann, "ann-phone", seq).await;
    assert!(page.changes.is_empty());
    let doc = page.offers.iter().find(|o| o.id == late).unwrap();
    assert_eq!(doc.status, OfferStatus::Expired);
    let rec = e
        .dispatch
        .offers(Some("ann"))
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.offer.id == late)
        .unwrap();
    assert_eq!(rec.late_acceptances, 1);
    // Not a case for after-sales: the courier is told, and it is counted.
    assert!(e.dispatch.cases(&[]).await.unwrap().is_empty());

    // The other offer's acceptance reaches the server in time, but the phone made it after the
    // expiry by its clock corrected with its offset (its clock is 100 s slow): refused too.
    let e2 = e.dispatch.offers(Some("ann")).await.unwrap();
    assert!(e2.iter().any(|o| o.offer.id == skewed));
    let r = e
        .push_at(
            &ann,
            "ann-phone",
            vec![json!({"type": "accept_offer", "offer_id": skewed})],
            T0 + 31 - 100,
            Some(100),
        )
        .await;
    assert_eq!(rejected(&r), Some(RejectCode::OfferExpired));
}

async fn declines_and_expiries_make_the_figures(engine: Engine) {
    let Some(e) = env_on(engine, "offer_figures").await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    let _bob = e.dispatch.create_courier("bob", "Bob").await.unwrap();
    e.dispatch
        .publish_settings(&Settings {
            offer_expiry_s: 60,
            ..Settings::default()
        })
        .await
        .unwrap();
    for t in ["D1", "D2", "A1", "X1", "O1"] {
        e.task(t, None).await;
    }
    let d1 = e.offer("ann", &["D1"], None).await;
    let d2 = e.offer("ann", &["D2"], None).await;
    let a1 = e.offer("ann", &["A1"], None).await;
    let _x1 = e.offer("bob", &["X1"], None).await;
    assert_eq!(
        e.dispatch.offers(None).await.unwrap()[0].offer.expires_at,
        T0 + 60
    );
    let r = e
        .push_now(
            &ann,
            "ann-phone",
            vec![
                json!({"type": "decline_offer", "offer_id": d1, "reason": "box_full"}),
                json!({"type": "decline_offer", "offer_id": d2, "reason": "other",
                       "note": "flat tyre"}),
                json!({"type": "accept_offer", "offer_id": a1}),
            ],
        )
        .await;
    assert!(r
        .results
        .iter()
        .all(|r| r.outcome == MutationOutcome::Applied));
    // A reason outside the list is refused as invalid at the edge.
    let r = e
        .push_now(
            &ann,
            "ann-phone",
            vec![json!({"type": "decline_offer", "offer_id": d1, "reason": "bored"})],
        )
        .await;
    assert_eq!(rejected(&r), Some(RejectCode::Invalid));
    // Bob's offer runs out unanswered; a fresh one stays open.
    e.advance(61);
    let _o1 = e.offer("ann", &["O1"], None).await;
    let f = e.dispatch.offer_figures(None).await.unwrap();
    let p = &f.platform;
    assert_eq!(
        (p.offered, p.accepted, p.declined, p.expired, p.open),
        (5, 1, 2, 1, 1)
    );
    assert_eq!(p.acceptance_rate, Some(0.25));
    let reasons: Vec<(DeclineReason, u32)> = p
        .decline_reasons
        .iter()
        .map(|d| (d.reason, d.count))
        .collect();
    assert_eq!(
        reasons,
        [(DeclineReason::BoxFull, 1), (DeclineReason::Other, 1)]
    );
    let ann_f = f.couriers.iter().find(|c| c.courier_id == "ann").unwrap();
    assert_eq!(ann_f.counts.acceptance_rate, Some(1.0 / 3.0));
    let bob_f = f.couriers.iter().find(|c| c.courier_id == "bob").unwrap();
    assert_eq!(
        (bob_f.counts.expired, bob_f.counts.acceptance_rate),
        (1, Some(0.0))
    );
    let note = e
        .dispatch
        .offers(Some("ann"))
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.offer.id == d2)
        .unwrap()
        .decline_note;
    assert_eq!(note.as_deref(), Some("flat tyre"));
    // A later period counts only the offer made in it.
    assert_eq!(
        e.dispatch
            .offer_figures(Some(T0 + 30))
            .await
            .unwrap()
            .platform
            .offered,
        1
    );
    // The same figures on /metrics.
    let m = e.metrics().await;
    assert!(m.contains("runsheet_offers{status=\"declined\"} 2"), "{m}");
    assert!(
        m.contains("runsheet_offer_declines{reason=\"box_full\"} 1"),
        "{m}"
    );
    assert!(m.contains("runsheet_offer_acceptance_rate 0.25"), "{m}");
    assert!(m.contains("runsheet_offers_made_total 5"), "{m}");
}

async fn dispatch_withdraws_an_open_offer(engine: Engine) {
    let Some(e) = env_on(engine, "offer_withdrawn").await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    e.task("W1", None).await;
    e.task("W2", None).await;
    let first = e.offer("ann", &["W1"], Some(60)).await;
    let seq = e.offers_from(&ann, "ann-phone", 0).await.offers[0].seq;

    // Dispatch takes it back: withdrawn, its reason kept for dispatch.
    e.advance(5);
    let rec = e
        .dispatch
        .withdraw_offer(first, "the customer changed the address")
        .await
        .unwrap();
    assert_eq!(rec.offer.status, OfferStatus::Withdrawn);
    assert_eq!(
        rec.withdraw_reason.as_deref(),
        Some("the customer changed the address")
    );
    assert_eq!(rec.decided_at, Some(e.now()));
    // The courier's next pull carries it as withdrawn (without the reason: dispatch's words).
    let page = e.offers_from(&ann, "ann-phone", seq).await;
    let doc = page.offers.iter().find(|o| o.id == first).unwrap();
    assert_eq!(doc.status, OfferStatus::Withdrawn);
    assert!(doc.seq > seq);

    // The acceptance the phone made offline before it knew is refused, nothing changed.
    let r = e
        .push_at(
            &ann,
            "ann-phone",
            vec![json!({"type": "accept_offer", "offer_id": first})],
            e.now() - 3,
            Some(0),
        )
        .await;
    let MutationOutcome::Rejected { code, reason } = &r.results[0].outcome else {
        panic!("an acceptance of a withdrawn offer was applied: {r:?}");
    };
    assert_eq!(*code, RejectCode::OfferWithdrawn);
    assert!(reason.contains("withdrawn"), "{reason}");
    let t = e.dispatch.task("W1").await.unwrap();
    assert_eq!((t.courier_id, t.task.status), (None, TaskStatus::Assigned));
    let rec = e
        .dispatch
        .offers(Some("ann"))
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.offer.id == first)
        .unwrap();
    assert_eq!(
        (rec.offer.status, rec.late_acceptances),
        (OfferStatus::Withdrawn, 0)
    );
    // Not a case for after-sales.
    assert!(e.dispatch.cases(&[]).await.unwrap().is_empty());

    // Its task is free to be offered again.
    let again = e.offer("ann", &["W1"], Some(60)).await;
    assert_ne!(again, first);

    // Withdrawn already, accepted, declined, expired: 409 offer_not_open; unknown: 404; a
    // reason is required.
    let not_open = |r: Result<_, DispatchError>| status_of(r.unwrap_err());
    assert_eq!(
        not_open(e.dispatch.withdraw_offer(first, "again").await),
        (409, "offer_not_open".into())
    );
    let r = e
        .push_now(
            &ann,
            "ann-phone",
            vec![json!({"type": "accept_offer", "offer_id": again})],
        )
        .await;
    assert_eq!(rejected(&r), None);
    assert_eq!(
        not_open(e.dispatch.withdraw_offer(again, "too late").await),
        (409, "offer_not_open".into())
    );
    let declined = e.offer("ann", &["W2"], Some(30)).await;
    let r = e
        .push_now(
            &ann,
            "ann-phone",
            vec![json!({"type": "decline_offer", "offer_id": declined, "reason": "too_far"})],
        )
        .await;
    assert_eq!(rejected(&r), None);
    assert_eq!(
        not_open(e.dispatch.withdraw_offer(declined, "x").await),
        (409, "offer_not_open".into())
    );
    e.task("W3", None).await;
    let expired = e.offer("ann", &["W3"], Some(5)).await;
    e.advance(6);
    assert_eq!(
        not_open(e.dispatch.withdraw_offer(expired, "x").await),
        (409, "offer_not_open".into())
    );
    assert_eq!(
        not_open(e.dispatch.withdraw_offer(99_999, "x").await),
        (404, "not_found".into())
    );
    e.task("W4", None).await;
    let open = e.offer("ann", &["W4"], Some(60)).await;
    assert_eq!(
        not_open(e.dispatch.withdraw_offer(open, "  ").await),
        (422, "invalid".into())
    );

    // The figures: a withdrawn offer is neither accepted nor declined.
    let f = e.dispatch.offer_figures(None).await.unwrap();
    let c = &f.platform;
    assert_eq!(
        (
            c.offered,
            c.accepted,
            c.declined,
            c.expired,
            c.withdrawn,
            c.open
        ),
        (5, 1, 1, 1, 1, 1)
    );
    assert_eq!(c.acceptance_rate, Some(1.0 / 3.0));
    let m = e.metrics().await;
    assert!(m.contains("runsheet_offers{status=\"withdrawn\"} 1"), "{m}");
}

on_both_stores!(
    a_stack_accepted_in_time_becomes_the_couriers,
    a_late_acceptance_is_refused_and_changes_nothing,
    declines_and_expiries_make_the_figures,
    dispatch_withdraws_an_open_offer,
);
