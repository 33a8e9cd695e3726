//! Training and qualifications over real HTTP on loopback: modules published and pulled, quiz
//! answers graded by the server with the phone's function, the qualification and its expiry in
//! the pull, the gate on every assignment (never a fresh-goods task to an unqualified courier),
//! answers for a replaced version refused with nothing changed, and the six-monthly review.
//! Every test runs on SQLite (`sqlite::`) and on PostgreSQL (`postgres::`, on the cluster
//! `cargo xtask test` starts).

use runsheet_protocol::{
    expiry, months_before, ErrorBody, MutationOutcome, QuizQuestion, RejectCode, TaskKind,
    TemperatureClass, TrainingModule, TrainingPage,
};
use serde_json::{json, Value};

mod loopback;
use loopback::*;

/// The cold-chain module: four questions, pass mark 75 %, needed for groceries and for
/// chilled or frozen goods, valid 12 months. Its right answers are 0, 1, 2, 0.
fn cold_chain(title: &str) -> TrainingModule {
    let q = |id: &str, correct| QuizQuestion {
        id: id.into(),
        text: format!("question {id}"),
        choices: vec!["a".into(), "b".into(), "c".into()],
        correct,
    };
    TrainingModule {
        id: "cold-chain".into(),
        version: 0,
        seq: 0,
        title: title.into(),
        pages: vec![TrainingPage {
            text: "Chilled goods stay at 0 to 4 °C, frozen at -18 °C or colder.".into(),
            images: vec!["https://example.com/insulated-box.png".into()],
        }],
        quiz: vec![q("q1", 0), q("q2", 1), q("q3", 2), q("q4", 0)],
        pass_mark_pct: 75,
        required_for_kinds: vec![TaskKind::Grocery],
        required_for_goods: vec![TemperatureClass::Chilled, TemperatureClass::Frozen],
        validity_months: 12,
    }
}

impl Env {
    fn task(&self, id: &str, courier: Option<&str>, kind: &str, temperature: &str) -> Value {
        json!({
            "id": id, "courier_id": courier, "kind": kind,
            "pickup": stop("Fresh Mart"), "dropoff": stop("Customer"),
            "items": [{"code": format!("{id}-1"), "name": "milk 1 l", "temperature": temperature}],
        })
    }

    /// Creates a task through the raw API: the status and the error body, if any.
    async fn create(&self, body: &Value) -> (u16, Option<ErrorBody>) {
        let r = self
            .http
            .post(format!("{}/v1/dispatch/tasks", self.server.url()))
            .bearer_auth(ADMIN)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body = if status >= 400 {
            Some(r.json::<ErrorBody>().await.unwrap())
        } else {
            None
        };
        (status, body)
    }

    async fn quiz(&self, token: &str, version: i64, answers: &[u32]) -> MutationOutcome {
        let action = json!({"type": "take_quiz", "module_id": "cold-chain",
                            "module_version": version, "answers": answers});
        let r = self.push(token, "ann-phone", vec![action]).await;
        r.results[0].outcome.clone()
    }
}

async fn an_unqualified_courier_is_never_given_fresh_goods(engine: Engine) {
    let Some(e) = env_on(engine, "training_gate").await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    // Before any module gates them, fresh goods go to anyone.
    assert_eq!(
        e.create(&e.task("G0", Some("ann"), "food", "chilled"))
            .await
            .0,
        201
    );
    let m = e
        .dispatch
        .publish_training(&cold_chain("Cold chain"))
        .await
        .unwrap();
    assert_eq!((m.version, m.seq), (1, 1));
    // Now a chilled item, a frozen one or a grocery order is refused with the module named;
    // nothing is created.
    for (id, kind, temp) in [
        ("G1", "food", "chilled"),
        ("G2", "parcel", "frozen"),
        ("G3", "grocery", "ambient"),
    ] {
        let (status, body) = e.create(&e.task(id, Some("ann"), kind, temp)).await;
        let body = body.unwrap();
        assert_eq!(
            (status, body.error.as_str()),
            (409, "not_qualified"),
            "{id}"
        );
        assert_eq!(body.qualification.as_deref(), Some("cold-chain"));
        assert_eq!(
            refusal(e.dispatch.task(id).await).0,
            404,
            "{id} must not exist"
        );
    }
    // Hot food needs no module.
    assert_eq!(
        e.create(&e.task("F1", Some("ann"), "food", "hot")).await.0,
        201
    );
    // An unassigned fresh task cannot be reassigned to her either.
    assert_eq!(
        e.create(&e.task("G4", None, "food", "chilled")).await.0,
        201
    );
    assert_eq!(
        refusal(e.dispatch.reassign_task("G4", "ann").await),
        (409, "not_qualified".into())
    );
    // The phone gets the module with its pull; a failed quiz earns nothing.
    let p = e.pull(&ann, "ann-phone", "training_after=0").await;
    assert_eq!(p.training.len(), 1);
    assert_eq!(p.training[0].quiz[1].correct, 1);
    assert_eq!(
        e.quiz(&ann, 1, &[0, 0, 0, 1]).await,
        MutationOutcome::Applied
    );
    assert!(e
        .pull(&ann, "ann-phone", "qualifications_after=0")
        .await
        .qualifications
        .is_empty());
    assert_eq!(
        refusal(e.dispatch.reassign_task("G4", "ann").await).1,
        "not_qualified"
    );
    // Three of four right passes: the qualification comes back with its expiry.
    assert_eq!(
        e.quiz(&ann, 1, &[0, 1, 2, 1]).await,
        MutationOutcome::Applied
    );
    let p = e
        .pull(&ann, "ann-phone", "qualifications_after=0&training_after=1")
        .await;
    assert!(p.training.is_empty());
    assert_eq!(p.qualifications.len(), 1);
    let q = &p.qualifications[0];
    assert_eq!(
        (q.module_id.as_str(), q.module_version, q.passed_at),
        ("cold-chain", 1, T0)
    );
    assert_eq!(q.expires_at, expiry(T0, 12));
    let record = e.dispatch.training_record("ann").await.unwrap();
    assert_eq!(record.attempts.len(), 2);
    assert!(record.attempts[0].passed && !record.attempts[1].passed);
    assert_eq!(
        (record.attempts[0].correct, record.attempts[0].total),
        (3, 4)
    );
    // Qualified: the task is hers now.
    e.dispatch.reassign_task("G4", "ann").await.unwrap();
    assert_eq!(
        e.create(&e.task("G5", Some("ann"), "grocery", "chilled"))
            .await
            .0,
        201
    );
    // Thirteen months later the pass has lapsed: fresh goods are withheld again.
    e.set_now(q.expires_at.unwrap() + 86_400);
    let (status, body) = e
        .create(&e.task("G6", Some("ann"), "food", "chilled"))
        .await;
    assert_eq!(
        (status, body.unwrap().error.as_str()),
        (409, "not_qualified")
    );
}

async fn answers_for_a_replaced_version_are_refused_and_change_nothing(engine: Engine) {
    let Some(e) = env_on(engine, "training_replaced").await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    e.dispatch
        .publish_training(&cold_chain("Cold chain"))
        .await
        .unwrap();
    let v2 = e
        .dispatch
        .publish_training(&cold_chain("Cold chain (2027)"))
        .await
        .unwrap();
    assert_eq!((v2.version, v2.seq), (2, 2));
    // Right answers, but to version 1: refused with the reason, nothing recorded.
    match e.quiz(&ann, 1, &[0, 1, 2, 0]).await {
        MutationOutcome::Rejected { code, reason } => {
            assert_eq!(code, RejectCode::ModuleReplaced);
            assert!(reason.contains("version 2"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // Answers that do not fit the quiz are refused as invalid.
    for answers in [&[0u32, 1][..], &[0, 1, 9, 0][..]] {
        match e.quiz(&ann, 2, answers).await {
            MutationOutcome::Rejected { code, .. } => assert_eq!(code, RejectCode::Invalid),
            other => panic!("{other:?}"),
        }
    }
    let record = e.dispatch.training_record("ann").await.unwrap();
    assert!(record.attempts.is_empty() && record.qualifications.is_empty());
    assert!(e
        .pull(&ann, "ann-phone", "")
        .await
        .qualifications
        .is_empty());
    // The current version passes.
    assert_eq!(
        e.quiz(&ann, 2, &[0, 1, 2, 0]).await,
        MutationOutcome::Applied
    );
    let q = e.pull(&ann, "ann-phone", "").await.qualifications;
    assert_eq!((q.len(), q[0].module_version), (1, 2));
    // The dispatch list shows the current version only; a bad module is a 422.
    let list = e.dispatch.list_training().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].version, 2);
    let bad = TrainingModule {
        pass_mark_pct: 0,
        ..cold_chain("x")
    };
    assert_eq!(
        status_of(e.dispatch.publish_training(&bad).await.unwrap_err()),
        (422, "invalid".into())
    );
}

async fn the_review_covers_six_calendar_months(engine: Engine) {
    let Some(e) = env_on(engine, "training_review").await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    e.dispatch
        .publish_training(&cold_chain("Cold chain"))
        .await
        .unwrap();
    assert_eq!(
        e.quiz(&ann, 1, &[0, 1, 2, 0]).await,
        MutationOutcome::Applied
    );
    let r = e.dispatch.review("ann").await.unwrap();
    assert_eq!((r.from, r.until), (months_before(T0, 6), T0));
    assert_eq!(r.kpis.deliveries, 0);
    assert_eq!(r.qualifications.len(), 1);
    assert_eq!(
        status_of(e.dispatch.review("nobody").await.unwrap_err()),
        (404, "not_found".into())
    );
}

on_both_stores!(
    an_unqualified_courier_is_never_given_fresh_goods,
    answers_for_a_replaced_version_are_refused_and_change_nothing,
    the_review_covers_six_calendar_months,
);
