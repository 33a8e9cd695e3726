//! The reference server over real HTTP on loopback: authentication and authorisation,
//! exactly-once push, gaps, paging, and bad input answered with typed 4xx errors. One suite,
//! run against both stores: every test below runs once on SQLite (`sqlite::`) and once on
//! PostgreSQL (`postgres::`, on the cluster `cargo xtask test` starts).

use runsheet_protocol::{
    Action, Change, ErrorBody, Mutation, MutationOutcome, PullResponse, PushRequest, PushResponse,
    RejectCode, TaskKind, TaskStatus,
};
use serde_json::json;

mod loopback;
use loopback::*;

impl Env {
    async fn courier_with_tasks(&self, courier: &str, tasks: &[&str]) -> String {
        let token = self.dispatch.create_courier(courier, "Test").await.unwrap();
        for t in tasks {
            self.dispatch
                .assign_task(t, courier, TaskKind::Parcel, None, stop("Customer"))
                .await
                .unwrap();
        }
        token
    }

    /// Pushes typed mutations; the push must be answered 200.
    async fn push_mutations(&self, token: &str, client: &str, muts: Vec<Mutation>) -> PushResponse {
        let r = self
            .push_raw(
                token,
                &serde_json::to_value(PushRequest {
                    pull: None,
                    client_id: client.into(),
                    mutations: muts,
                    sent_at: None,
                })
                .unwrap(),
            )
            .await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// `client`'s pull of `limit` changes from `cursor`.
    async fn pull_page(
        &self,
        token: &str,
        client: &str,
        cursor: i64,
        limit: usize,
    ) -> PullResponse {
        self.pull(token, client, &format!("cursor={cursor}&limit={limit}"))
            .await
    }
}

fn delivered(id: i64, task: &str) -> Mutation {
    Mutation {
        mutation_id: id,
        device_time: 1_795_400_000,
        action: Action::delivered(task),
        context: None,
    }
}

fn accept(id: i64, task: &str) -> Mutation {
    Mutation {
        mutation_id: id,
        device_time: 1_795_400_000,
        action: Action::Accept {
            task_id: task.into(),
        },
        context: None,
    }
}

async fn error_of(r: reqwest::Response) -> (u16, ErrorBody) {
    let status = r.status().as_u16();
    let body: ErrorBody = r.json().await.expect("error answers carry a JSON body");
    (status, body)
}

async fn a_retried_push_is_acknowledged_but_applied_once(engine: Engine) {
    let e = match env_with_clock(
        engine,
        "a_retried_push_is_acknowledged_but_applied_once",
        None,
    )
    .await
    {
        Some(e) => e,
        None => return,
    };
    let token = e.courier_with_tasks("c1", &["T1", "T2"]).await;
    let first = e
        .push_mutations(&token, "dev-1", vec![accept(1, "T1"), accept(2, "T2")])
        .await;
    assert_eq!(first.last_mutation_id, 2);
    assert!(first
        .results
        .iter()
        .all(|r| r.outcome == MutationOutcome::Applied));
    // The same request again (its answer was lost): acknowledged, not applied again.
    let again = e
        .push_mutations(&token, "dev-1", vec![accept(1, "T1"), accept(2, "T2")])
        .await;
    assert_eq!(again.last_mutation_id, 2);
    assert!(again
        .results
        .iter()
        .all(|r| r.outcome == MutationOutcome::Duplicate));
    let recorded = e.dispatch.mutations(Some("c1")).await.unwrap();
    assert_eq!(recorded.len(), 2);
    assert_eq!(
        e.dispatch.task("T1").await.unwrap().task.status,
        TaskStatus::Accepted
    );
}

async fn a_gap_in_mutation_ids_is_a_409_and_applies_nothing(engine: Engine) {
    let e = match env_on(engine, "a_gap_in_mutation_ids_is_a_409_and_applies_nothing").await {
        Some(e) => e,
        None => return,
    };
    let token = e.courier_with_tasks("c1", &["T1", "T2"]).await;
    e.push_mutations(&token, "dev-1", vec![delivered(1, "T1")])
        .await;
    let r = e
        .push_raw(
            &token,
            &json!({"client_id": "dev-1", "mutations": [
                {"mutation_id": 3, "device_time": 0, "action": {"type": "delivered", "task_id": "T2"}}]}),
        )
        .await;
    let (status, body) = error_of(r).await;
    assert_eq!(status, 409);
    assert_eq!(body.error, "mutation_gap");
    assert_eq!(body.expected_mutation_id, Some(2));
    assert_eq!(
        e.dispatch.task("T2").await.unwrap().task.status,
        TaskStatus::Assigned
    );
}

async fn a_courier_can_neither_see_nor_change_another_couriers_task(engine: Engine) {
    let e = match env_on(
        engine,
        "a_courier_can_neither_see_nor_change_another_couriers_task",
    )
    .await
    {
        Some(e) => e,
        None => return,
    };
    let ann = e.courier_with_tasks("ann", &["A1"]).await;
    let bob = e.courier_with_tasks("bob", &["B1"]).await;

    let seen = e.pull_page(&bob, "bob-phone", 0, 100).await;
    let ids: Vec<String> = seen
        .changes
        .iter()
        .map(|c| match c {
            Change::UpsertTask { task } => task.id.clone(),
            Change::RemoveTask { task_id } => task_id.clone(),
        })
        .collect();
    assert_eq!(ids, ["B1"]);

    let r = e
        .push_mutations(&bob, "bob-phone", vec![delivered(1, "A1")])
        .await;
    match &r.results[0].outcome {
        MutationOutcome::Rejected { code, .. } => assert_eq!(*code, RejectCode::NotYourTask),
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(
        e.dispatch.task("A1").await.unwrap().task.status,
        TaskStatus::Assigned
    );

    // Bob cannot push or pull as Ann's phone either.
    e.push_mutations(&ann, "ann-phone", vec![]).await;
    let r = e
        .push_raw(&bob, &json!({"client_id": "ann-phone", "mutations": []}))
        .await;
    let (status, body) = error_of(r).await;
    assert_eq!((status, body.error.as_str()), (403, "forbidden"));
    let r = e
        .http
        .get(format!(
            "{}/v1/sync/pull?client_id=ann-phone",
            e.server.url()
        ))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

async fn requests_without_a_valid_token_are_refused(engine: Engine) {
    let e = match env_with_clock(engine, "requests_without_a_valid_token_are_refused", None).await {
        Some(e) => e,
        None => return,
    };
    e.courier_with_tasks("c1", &["T1"]).await;
    for token in [None, Some("wrong"), Some(ADMIN)] {
        let mut req = e
            .http
            .get(format!("{}/v1/sync/pull?client_id=x", e.server.url()));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let (status, body) = error_of(req.send().await.unwrap()).await;
        assert_eq!((status, body.error.as_str()), (401, "unauthorized"));
    }
    // The dispatch API needs the admin token, not a courier's.
    let courier = e.dispatch.create_courier("c2", "x").await.unwrap();
    let r = e
        .http
        .get(format!("{}/v1/dispatch/mutations", e.server.url()))
        .bearer_auth(&courier)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

async fn bad_requests_get_a_4xx_with_a_reason(engine: Engine) {
    let e = match env_on(engine, "bad_requests_get_a_4xx_with_a_reason").await {
        Some(e) => e,
        None => return,
    };
    let token = e.courier_with_tasks("c1", &["T1"]).await;
    let url = format!("{}/v1/sync/push", e.server.url());
    let json_post = |body: String| {
        e.http
            .post(&url)
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
    };
    let cases: Vec<(reqwest::RequestBuilder, u16)> = vec![
        (json_post("{not json".into()), 400),
        (
            json_post(
                r#"{"client_id":"d","mutations":[{"device_time":0,"action":{"type":"teleported","task_id":"T1"}}]}"#.into(),
            ),
            422,
        ),
        (
            json_post(
                r#"{"client_id":"d","mutations":[{"mutation_id":1,"device_time":0,"action":{"type":"accept","task_id":"T1"}},{"mutation_id":3,"device_time":0,"action":{"type":"accept","task_id":"T1"}}]}"#.into(),
            ),
            422,
        ),
        (json_post(r#"{"client_id":"d","mutations":[],"extra":1}"#.into()), 422),
        (json_post(r#"{"client_id":"","mutations":[]}"#.into()), 422),
        (json_post("[]".into()), 422),
        (e.http.post(&url).bearer_auth(&token).body("{}"), 415),
        (
            e.http
                .get(format!("{}/v1/sync/pull?client_id=d&cursor=-1", e.server.url()))
                .bearer_auth(&token),
            400,
        ),
        (
            e.http
                .get(format!("{}/v1/sync/pull?client_id=d&cursor=abc", e.server.url()))
                .bearer_auth(&token),
            400,
        ),
        (e.http.get(format!("{}/v1/nowhere", e.server.url())), 404),
    ];
    for (i, (req, want)) in cases.into_iter().enumerate() {
        let (status, body) = error_of(req.send().await.unwrap()).await;
        assert_eq!(status, want, "case {i}: {body:?}");
        assert!(!body.reason.is_empty(), "case {i} has no reason");
    }
    // Nothing was applied by any of them, and the server still works.
    assert_eq!(e.dispatch.mutations(None).await.unwrap().len(), 0);
    e.push_mutations(&token, "d", vec![delivered(1, "T1")])
        .await;
    assert_eq!(e.dispatch.mutations(None).await.unwrap().len(), 1);
}

async fn pull_pages_through_changes_with_a_cursor(engine: Engine) {
    let e = match env_with_clock(engine, "pull_pages_through_changes_with_a_cursor", None).await {
        Some(e) => e,
        None => return,
    };
    let tasks: Vec<String> = (1..=5).map(|i| format!("T{i}")).collect();
    let refs: Vec<&str> = tasks.iter().map(String::as_str).collect();
    let token = e.courier_with_tasks("c1", &refs).await;
    let mut cursor = 0;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let p = e.pull_page(&token, "d", cursor, 2).await;
        pages += 1;
        assert!(p.cursor > cursor || p.changes.is_empty());
        cursor = p.cursor;
        for c in p.changes {
            if let Change::UpsertTask { task } = c {
                seen.push(task.id.clone());
            }
        }
        if !p.has_more {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, tasks);
    // Nothing new after the final cursor; a cancellation shows up next.
    assert!(e.pull_page(&token, "d", cursor, 2).await.changes.is_empty());
    e.dispatch.cancel_task("T3").await.unwrap();
    let p = e.pull_page(&token, "d", cursor, 2).await;
    match &p.changes[..] {
        [Change::UpsertTask { task }] => {
            assert_eq!(task.id, "T3");
            assert_eq!(task.status, TaskStatus::Cancelled);
            assert_eq!(task.revision, 2);
        }
        other => panic!("expected the cancellation, got {other:?}"),
    }
}

async fn a_push_carrying_the_pull_answers_its_first_page(engine: Engine) {
    let e = match env_with_clock(
        engine,
        "a_push_carrying_the_pull_answers_its_first_page",
        None,
    )
    .await
    {
        Some(e) => e,
        None => return,
    };
    let token = e.courier_with_tasks("c1", &["T1", "T2"]).await;
    let first = e.pull_page(&token, "d", 0, 100).await;
    // One request: the acceptance applied, and the page after the phone's cursor holds it.
    let r = e
        .push_raw(
            &token,
            &serde_json::json!({
                "client_id": "d",
                "mutations": [accept(1, "T1")],
                "pull": {"cursor": first.cursor},
            }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let answer: PushResponse = r.json().await.unwrap();
    assert_eq!(answer.last_mutation_id, 1);
    let page = answer.pulled.expect("the push carried the pull");
    assert_eq!(page.last_mutation_id, 1);
    assert!(page.cursor > first.cursor);
    match &page.changes[..] {
        [Change::UpsertTask { task }] => {
            assert_eq!(task.id, "T1");
            assert_eq!(task.status, TaskStatus::Accepted);
        }
        other => panic!("expected the acceptance, got {other:?}"),
    }
    // The same page a pull from that cursor answers next.
    let pulled = e.pull_page(&token, "d", first.cursor, 100).await;
    assert_eq!(pulled.changes, page.changes);
    assert_eq!(pulled.cursor, page.cursor);
    // Without the position, no page; with a bad one, a typed refusal and nothing applied.
    assert!(e
        .push_mutations(&token, "d", vec![accept(2, "T2")])
        .await
        .pulled
        .is_none());
    let bad = e
        .push_raw(
            &token,
            &serde_json::json!({
                "client_id": "d",
                "mutations": [delivered(3, "T2")],
                "pull": {"cursor": -1},
            }),
        )
        .await;
    let (status, body) = error_of(bad).await;
    assert_eq!(status, 422, "{body:?}");
    assert_eq!(body.field.as_deref(), Some("pull.cursor"));
    let unknown = e
        .push_raw(
            &token,
            &serde_json::json!({
                "client_id": "d",
                "mutations": [delivered(3, "T2")],
                "pull": {"cursor": 0, "colour": "red"},
            }),
        )
        .await;
    let (status, body) = error_of(unknown).await;
    assert_eq!(status, 422, "{body:?}");
    assert_eq!(
        e.dispatch.task("T2").await.unwrap().task.status,
        TaskStatus::Accepted
    );
}

async fn a_delivery_of_a_cancelled_task_is_recorded_and_rejected(engine: Engine) {
    let e = match env_on(
        engine,
        "a_delivery_of_a_cancelled_task_is_recorded_and_rejected",
    )
    .await
    {
        Some(e) => e,
        None => return,
    };
    let token = e.courier_with_tasks("c1", &["T1"]).await;
    e.dispatch.cancel_task("T1").await.unwrap();
    let r = e
        .push_mutations(&token, "d", vec![delivered(1, "T1")])
        .await;
    match &r.results[0].outcome {
        MutationOutcome::Rejected { code, reason } => {
            assert_eq!(*code, RejectCode::InvalidState);
            assert!(reason.contains("cancelled"));
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(
        r.last_mutation_id, 1,
        "a rejection still advances the client's id"
    );
    let rec = e.dispatch.mutations(Some("c1")).await.unwrap();
    assert_eq!(rec.len(), 1);
    assert_eq!(rec[0].outcome, "rejected");
}

/// The in-process router over a fresh SQLite file, with the dispatch API on.
fn in_process_app(dir: &tempfile::TempDir) -> axum::Router {
    let state = runsheet_server::AppState::new(
        runsheet_server::Db::open_sqlite(&dir.path().join("s.db")).unwrap(),
        Some(ADMIN.into()),
    );
    runsheet_server::app(state)
}

async fn answer_of(resp: axum::response::Response) -> (u16, ErrorBody) {
    let status = resp.status().as_u16();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    // In-process (no socket): over a socket the server may close before the client has
    // finished writing the body, which makes the client's view of it racy.
    use tower::ServiceExt;
    let dir = tempfile::tempdir().unwrap();
    let app = in_process_app(&dir);
    let created = app
        .clone()
        .oneshot(
            axum::http::Request::post("/v1/dispatch/couriers")
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {ADMIN}"))
                .body(axum::body::Body::from(r#"{"id":"c1","name":"Test"}"#))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let bytes = axum::body::to_bytes(created.into_body(), 1 << 20)
        .await
        .unwrap();
    let token = serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let big = format!(
        r#"{{"client_id":"d","mutations":[],"pad":"{}"}}"#,
        "x".repeat(runsheet_server::MAX_BODY_BYTES + 1)
    );
    let req = axum::http::Request::post("/v1/sync/push")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::from(big))
        .unwrap();
    let (status, body) = answer_of(app.oneshot(req).await.unwrap()).await;
    assert_eq!((status, body.error.as_str()), (413, "too_large"));
}

#[tokio::test]
async fn an_unauthenticated_body_is_refused_401_before_it_is_read() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use tower::ServiceExt;
    let dir = tempfile::tempdir().unwrap();
    let app = in_process_app(&dir);
    // (method, route, token): courier routes without a token and with a wrong one, the
    // dispatch API with a courier-looking token that is not the admin's.
    let cases = [
        ("POST", "/v1/sync/push", None),
        ("POST", "/v1/sync/push", Some("not-a-courier")),
        ("POST", "/v1/sync/locations", Some("not-a-courier")),
        ("PUT", &format!("/v1/attachments/{}", "a".repeat(64)), None),
        ("POST", "/v1/dispatch/tasks", Some("not-the-admin")),
        ("PUT", "/v1/dispatch/settings", None),
    ];
    for (method, uri, token) in cases {
        // A body larger than any limit, which records whether anything read it.
        let read = Arc::new(AtomicBool::new(false));
        let flag = read.clone();
        let chunk = bytes::Bytes::from(vec![b'x'; 64 * 1024]);
        let stream = futures_util::stream::poll_fn(move |_| {
            flag.store(true, Ordering::SeqCst);
            std::task::Poll::Ready(Some(Ok::<_, std::io::Error>(chunk.clone())))
        });
        let mut req = axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .header(
                "content-length",
                (runsheet_server::attachment_api::MAX_ATTACHMENT_BYTES + 1).to_string(),
            );
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = req.body(axum::body::Body::from_stream(stream)).unwrap();
        let (status, body) = answer_of(app.clone().oneshot(req).await.unwrap()).await;
        assert_eq!(
            (status, body.error.as_str()),
            (401, "unauthorized"),
            "{method} {uri}"
        );
        assert!(
            !read.load(Ordering::SeqCst),
            "{method} {uri}: the body was read before the token was checked"
        );
    }
}

#[tokio::test]
async fn every_api_route_needs_the_right_token() {
    use tower::ServiceExt;
    let dir = tempfile::tempdir().unwrap();
    let app = in_process_app(&dir);
    let api: Vec<_> = runsheet_server::route_table()
        .into_iter()
        .filter(|(_, path)| path.starts_with("/v1/"))
        .collect();
    assert!(api.len() >= 20, "the API shrank: {api:?}");
    for (method, path) in api {
        let uri = path
            .replace("{id}", "some-id")
            .replace("{sha256}", &"a".repeat(64));
        // A courier's routes refuse the admin token; the dispatch API refuses anything else.
        let wrong = if path.starts_with("/v1/dispatch/") {
            "a-courier-token"
        } else {
            ADMIN
        };
        for token in [None, Some(wrong)] {
            let mut req = axum::http::Request::builder()
                .method(method)
                .uri(&uri)
                .header("content-type", "application/json");
            if let Some(t) = token {
                req = req.header("authorization", format!("Bearer {t}"));
            }
            let req = req.body(axum::body::Body::from("{}")).unwrap();
            let (status, body) = answer_of(app.clone().oneshot(req).await.unwrap()).await;
            assert_eq!(
                (status, body.error.as_str()),
                (401, "unauthorized"),
                "{method} {path} with {token:?}"
            );
        }
    }
}

async fn every_answer_carries_a_request_id(engine: Engine) {
    let e = match env_with_clock(engine, "every_answer_carries_a_request_id", None).await {
        Some(e) => e,
        None => return,
    };
    let r = e
        .http
        .get(format!("{}/healthz", e.server.url()))
        .send()
        .await
        .unwrap();
    let id = r.headers().get("x-request-id").expect("a request id");
    assert_eq!(id.to_str().unwrap().len(), 36, "a UUID");
    // A caller's id is kept, so a platform can follow one request across systems.
    let r = e
        .http
        .get(format!("{}/healthz", e.server.url()))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "trace-me-42");
}

async fn attachments_are_stored_once_verified_against_their_hash(engine: Engine) {
    use sha2::Digest;
    let e = match env_on(
        engine,
        "attachments_are_stored_once_verified_against_their_hash",
    )
    .await
    {
        Some(e) => e,
        None => return,
    };
    let token = e.courier_with_tasks("c1", &[]).await;
    let photo = b"\x89PNG proof of delivery at the door".to_vec();
    let sha = hex::encode(sha2::Sha256::digest(&photo));
    let put = |sha: String, body: Vec<u8>, token: Option<String>| {
        let mut r = e
            .http
            .put(format!("{}/v1/attachments/{sha}", e.server.url()))
            .body(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    let r = put(sha.clone(), photo.clone(), Some(token.clone()))
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // A retried upload is a no-op.
    let r = put(sha.clone(), photo.clone(), Some(token.clone()))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["created"], false);
    // The dispatcher (after-sales) gets the bytes back.
    let got = e
        .http
        .get(format!("{}/v1/dispatch/attachments/{sha}", e.server.url()))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), &photo[..]);

    let other = hex::encode(sha2::Sha256::digest(b"something else"));
    let cases = [
        (
            put(other, photo.clone(), Some(token.clone()))
                .await
                .unwrap(),
            422,
            "hash_mismatch",
        ),
        (
            put("abc".into(), photo.clone(), Some(token.clone()))
                .await
                .unwrap(),
            400,
            "bad_request",
        ),
        (
            put(sha.to_uppercase(), photo.clone(), Some(token.clone()))
                .await
                .unwrap(),
            400,
            "bad_request",
        ),
        (
            put(sha.clone(), vec![], Some(token.clone())).await.unwrap(),
            400,
            "bad_request",
        ),
        (
            put(sha.clone(), photo.clone(), None).await.unwrap(),
            401,
            "unauthorized",
        ),
    ];
    for (i, (r, status, code)) in cases.into_iter().enumerate() {
        let (s, b) = error_of(r).await;
        assert_eq!((s, b.error.as_str()), (status, code), "case {i}");
    }
}

async fn only_facts_about_tasks_the_courier_held_open_after_sales_cases(engine: Engine) {
    let e = match env_on(
        engine,
        "only_facts_about_tasks_the_courier_held_open_after_sales_cases",
    )
    .await
    {
        Some(e) => e,
        None => return,
    };
    let ann = e.courier_with_tasks("ann", &["A1"]).await;
    let eve = e.courier_with_tasks("eve", &[]).await;
    // Eve never held A1: her claim is recorded and rejected, no case.
    let r = e
        .push_mutations(&eve, "eve-phone", vec![delivered(1, "A1")])
        .await;
    assert!(matches!(
        r.results[0].outcome,
        MutationOutcome::Rejected {
            code: RejectCode::NotYourTask,
            ..
        }
    ));
    assert!(e.dispatch.after_sales().await.unwrap().is_empty());
    // Ann held A1 until it was reassigned: her delivery opens a case.
    e.dispatch.reassign_task("A1", "eve").await.unwrap();
    e.push_mutations(&ann, "ann-phone", vec![delivered(1, "A1")])
        .await;
    let cases = e.dispatch.after_sales().await.unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].kind, "fact_on_reassigned_task");
    assert_eq!(cases[0].courier_id, "ann");
    // Reassigning to the same courier, or a finished task, is refused.
    assert!(e.dispatch.reassign_task("A1", "eve").await.is_err());
    e.dispatch.cancel_task("A1").await.unwrap();
    assert!(e.dispatch.reassign_task("A1", "ann").await.is_err());
}

fn correct_pin(id: i64, task: &str, lat: f64, lon: f64) -> Mutation {
    Mutation {
        mutation_id: id,
        device_time: 1_795_400_000,
        action: Action::CorrectPin {
            task_id: task.into(),
            lat,
            lon,
        },
        context: None,
    }
}

async fn a_pin_correction_is_the_couriers_own_until_dispatch_accepts_it(engine: Engine) {
    use runsheet_server::dispatch_api::PinCorrectionStatus;
    let Some(e) = env_with_clock(engine, "pin_scope", None).await else {
        return;
    };
    let ann = e.courier_with_tasks("ann", &["A1"]).await;
    e.courier_with_tasks("bob", &[]).await;
    let door = (30.2756, 120.1627);
    let r = e
        .push_mutations(
            &ann,
            "ann-phone",
            vec![accept(1, "A1"), correct_pin(2, "A1", door.0, door.1)],
        )
        .await;
    assert!(r
        .results
        .iter()
        .all(|m| m.outcome == MutationOutcome::Applied));
    let pin_of =
        |t: runsheet_protocol::TaskDoc| (t.dropoff.lat, t.dropoff.lon, t.dropoff.pin_corrected);
    // Bob's next task at the address keeps the original pin; Ann's own gets her correction.
    let b1 = e
        .dispatch
        .assign_task("B1", "bob", TaskKind::Parcel, None, stop("Customer"))
        .await
        .unwrap();
    assert_eq!(pin_of(b1), (30.27, 120.15, false));
    let a2 = e
        .dispatch
        .assign_task("A2", "ann", TaskKind::Parcel, None, stop("Customer"))
        .await
        .unwrap();
    assert_eq!(pin_of(a2), (door.0, door.1, true));
    // Dispatch sees the pending correction and accepts it: Bob's next task gets it.
    let pending = e
        .dispatch
        .pin_corrections(PinCorrectionStatus::Pending)
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    let c = &pending[0];
    assert_eq!((c.task_id.as_str(), c.courier_id.as_str()), ("A1", "ann"));
    assert_eq!((c.original_lat, c.original_lon), (30.27, 120.15));
    assert_eq!((c.lat, c.lon), door);
    let decided = e.dispatch.decide_pin_correction(c.id, true).await.unwrap();
    assert_eq!(decided.status, PinCorrectionStatus::Accepted);
    let b2 = e
        .dispatch
        .assign_task("B2", "bob", TaskKind::Parcel, None, stop("Customer"))
        .await
        .unwrap();
    assert_eq!(pin_of(b2), (door.0, door.1, true));
    assert!(e
        .dispatch
        .pin_corrections(PinCorrectionStatus::Pending)
        .await
        .unwrap()
        .is_empty());
    // A decided correction is not decided again; an unknown one is not found.
    let again = e.dispatch.decide_pin_correction(c.id, false).await;
    assert!(format!("{again:?}").contains("409"), "{again:?}");
    let unknown = e.dispatch.decide_pin_correction(c.id + 100, true).await;
    assert!(format!("{unknown:?}").contains("404"), "{unknown:?}");
}

async fn a_rejected_pin_correction_moves_no_later_pin(engine: Engine) {
    use runsheet_server::dispatch_api::PinCorrectionStatus;
    let Some(e) = env_with_clock(engine, "pin_reject", None).await else {
        return;
    };
    let ann = e.courier_with_tasks("ann", &["A1"]).await;
    e.push_mutations(
        &ann,
        "ann-phone",
        vec![accept(1, "A1"), correct_pin(2, "A1", 31.0, 121.0)],
    )
    .await;
    let pending = e
        .dispatch
        .pin_corrections(PinCorrectionStatus::Pending)
        .await
        .unwrap();
    e.dispatch
        .decide_pin_correction(pending[0].id, false)
        .await
        .unwrap();
    let a2 = e
        .dispatch
        .assign_task("A2", "ann", TaskKind::Parcel, None, stop("Customer"))
        .await
        .unwrap();
    assert_eq!((a2.dropoff.lat, a2.dropoff.lon), (30.27, 120.15));
    assert!(!a2.dropoff.pin_corrected);
    let rejected = e
        .dispatch
        .pin_corrections(PinCorrectionStatus::Rejected)
        .await
        .unwrap();
    assert_eq!(rejected.len(), 1);
}

/// One action at `device_time` by the phone's clock.
fn at(id: i64, device_time: i64, action: Action) -> Mutation {
    Mutation {
        mutation_id: id,
        device_time,
        action,
        context: None,
    }
}

/// Accepting a parcel, calling the customer, arriving at the door.
fn walk_to_door(task: &str) -> [Action; 3] {
    [
        Action::Accept {
            task_id: task.into(),
        },
        Action::ContactAttempt {
            task_id: task.into(),
            channel: runsheet_protocol::ContactChannel::Call,
            answered: true,
        },
        Action::Arrive {
            task_id: task.into(),
            stop: runsheet_protocol::StopRole::Dropoff,
            method: runsheet_protocol::ArrivalMethod::Gps,
            reason: None,
        },
    ]
}

async fn kpis_use_the_servers_bound_on_device_time(engine: Engine) {
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::Arc;
    const T0: i64 = 1_795_400_000;
    const LATE: i64 = 2 * 3600;
    let now = Arc::new(AtomicI64::new(T0));
    let Some(e) = env_with_clock(engine, "device_time", Some(now.clone())).await else {
        return;
    };
    let mut customer = stop("Customer");
    customer.due_by = Some(T0 + 1800);
    let mut tokens = Vec::new();
    for c in ["ann", "cal", "bob"] {
        tokens.push(e.dispatch.create_courier(c, "Test").await.unwrap());
        e.dispatch
            .assign_task(c, c, TaskKind::Parcel, None, customer.clone())
            .await
            .unwrap();
    }
    let push = |token: &str, client: &str, sent_at: i64, server_now: i64, muts: Vec<Mutation>| {
        now.store(server_now, Ordering::SeqCst);
        let body = serde_json::to_value(PushRequest {
            pull: None,
            client_id: client.into(),
            mutations: muts,
            sent_at: Some(sent_at),
        })
        .unwrap();
        let req = e
            .http
            .post(format!("{}/v1/sync/push", e.server.url()))
            .bearer_auth(token.to_owned())
            .json(&body);
        async move {
            let r = req.send().await.unwrap();
            assert_eq!(r.status(), 200);
            let r: PushResponse = r.json().await.unwrap();
            assert!(
                r.results
                    .iter()
                    .all(|m| m.outcome == MutationOutcome::Applied),
                "{r:?}"
            );
        }
    };

    // Ann, online, walks to the door two hours late, then pushes "delivered" claiming a device
    // time before the promise: it is bounded by her previous action, and counts as late.
    let [accept, call, arrive] = walk_to_door("ann");
    push(&tokens[0], "ann-phone", T0, T0, vec![at(1, T0, accept)]).await;
    push(
        &tokens[0],
        "ann-phone",
        T0 + 600,
        T0 + 600,
        vec![at(2, T0 + 600, call)],
    )
    .await;
    let door = T0 + 1800 + LATE;
    push(
        &tokens[0],
        "ann-phone",
        door,
        door,
        vec![at(3, door, arrive)],
    )
    .await;
    let claimed = T0 + 1200;
    push(
        &tokens[0],
        "ann-phone",
        door + 60,
        door + 60,
        vec![at(4, claimed, Action::delivered("ann"))],
    )
    .await;

    // Cal sets the phone's clock back two hours for the whole walk: every action and the push
    // itself read two hours early, and the offset the server measures at sync puts them back.
    let [accept, call, arrive] = walk_to_door("cal");
    let real = T0 + 1800 + LATE;
    push(
        &tokens[1],
        "cal-phone",
        real + 30 - LATE,
        real + 30,
        vec![
            at(1, real - 900 - LATE, accept),
            at(2, real - 600 - LATE, call),
            at(3, real - 60 - LATE, arrive),
            at(4, real - LATE, Action::delivered("cal")),
        ],
    )
    .await;

    // Bob delivers on time offline and syncs an hour later: his real time stands.
    let [accept, call, arrive] = walk_to_door("bob");
    push(&tokens[2], "bob-phone", T0, T0, vec![at(1, T0, accept)]).await;
    let handed = T0 + 1500;
    push(
        &tokens[2],
        "bob-phone",
        handed + 3600,
        handed + 3600,
        vec![
            at(2, T0 + 600, call),
            at(3, handed - 60, arrive),
            at(4, handed, Action::delivered("bob")),
        ],
    )
    .await;

    let delivered_at = |courier: &'static str| {
        let dispatch = &e.dispatch;
        async move {
            let records = dispatch.mutations(Some(courier)).await.unwrap();
            let d = records
                .iter()
                .find(|r| r.action["type"] == "delivered")
                .unwrap();
            (d.device_time, d.bounded_time)
        }
    };
    // Both times are kept: the phone's claim and the server's bound.
    assert_eq!(delivered_at("ann").await, (claimed, Some(door)));
    assert_eq!(delivered_at("cal").await, (real - LATE, Some(real)));
    assert_eq!(delivered_at("bob").await, (handed, Some(handed)));
    for (courier, on_time) in [("ann", 0.0), ("cal", 0.0), ("bob", 1.0)] {
        let k = e.dispatch.kpis(courier, T0 - 3600).await.unwrap();
        assert_eq!(k.deliveries, 1, "{courier}");
        assert_eq!(k.on_time_rate, Some(on_time), "{courier}");
        assert_eq!(k.delay_rate, Some(1.0 - on_time), "{courier}");
    }
}

async fn a_reused_mutation_id_with_other_content_is_a_409_and_applies_nothing(engine: Engine) {
    let e = match env_on(
        engine,
        "a_reused_mutation_id_with_other_content_is_a_409_and_applies_nothing",
    )
    .await
    {
        Some(e) => e,
        None => return,
    };
    let token = e.courier_with_tasks("c1", &["T1", "T2", "T3"]).await;
    e.push_mutations(&token, "dev-1", vec![accept(1, "T1"), accept(2, "T2")])
        .await;
    // A restored copy of the phone's database: the same client id, ids 1 and 2 reused for
    // other actions (2 is identical, 3 is new).
    let r = e
        .push_raw(
            &token,
            &serde_json::to_value(PushRequest {
                pull: None,
                client_id: "dev-1".into(),
                mutations: vec![accept(1, "T1"), accept(2, "T3"), accept(3, "T3")],
                sent_at: None,
            })
            .unwrap(),
        )
        .await;
    let (status, body) = error_of(r).await;
    assert_eq!(status, 409);
    assert_eq!(body.error, "mutation_id_reused");
    assert_eq!(body.mutation_id, Some(2));
    assert_eq!(
        e.dispatch.task("T3").await.unwrap().task.status,
        TaskStatus::Assigned
    );
    assert_eq!(e.dispatch.mutations(Some("c1")).await.unwrap().len(), 2);
    // The same content again is still a duplicate, and the next id is applied.
    let again = e
        .push_mutations(&token, "dev-1", vec![accept(2, "T2"), accept(3, "T3")])
        .await;
    assert_eq!(again.results[0].outcome, MutationOutcome::Duplicate);
    assert_eq!(again.results[1].outcome, MutationOutcome::Applied);
}

async fn a_location_batch_claims_its_client_id(engine: Engine) {
    let e = match env_with_clock(engine, "a_location_batch_claims_its_client_id", None).await {
        Some(e) => e,
        None => return,
    };
    let ann = e.courier_with_tasks("ann", &[]).await;
    let eve = e.courier_with_tasks("eve", &[]).await;
    let send = |token: String, client: &'static str, seq: i64| {
        let http = e.http.clone();
        let url = format!("{}/v1/sync/locations", e.server.url());
        async move {
            http.post(url)
                .bearer_auth(token)
                .json(&json!({"client_id": client, "fixes": [
                    {"seq": seq, "lat": 30.2, "lon": 120.1, "accuracy_m": 5.0,
                     "recorded_at": 1_795_400_000 + seq}]}))
                .send()
                .await
                .unwrap()
        }
    };
    // Ann's phone sends fixes first: the client id is hers, for pushes too.
    assert_eq!(send(ann.clone(), "dev-ann", 1).await.status(), 200);
    let r = send(eve.clone(), "dev-ann", 2).await;
    let (status, body) = error_of(r).await;
    assert_eq!((status, body.error.as_str()), (403, "forbidden"));
    let r = e
        .push_raw(
            &eve,
            &json!({"client_id": "dev-ann", "mutations": [
                {"mutation_id": 1, "device_time": 0, "action": {"type": "shift", "event": "start"}}]}),
        )
        .await;
    assert_eq!(error_of(r).await.0, 403);
    // Ann's later fix is stored; Eve stored nothing.
    assert_eq!(send(ann.clone(), "dev-ann", 2).await.status(), 200);
    assert_eq!(e.dispatch.track("ann", 0).await.unwrap().fixes.len(), 2);
    assert!(e.dispatch.track("eve", 0).await.unwrap().fixes.is_empty());
}

async fn a_pull_past_the_servers_feed_is_answered_server_behind(engine: Engine) {
    let e = match env_on(
        engine,
        "a_pull_past_the_servers_feed_is_answered_server_behind",
    )
    .await
    {
        Some(e) => e,
        None => return,
    };
    let token = e.courier_with_tasks("c1", &["T1"]).await;
    e.push_mutations(&token, "dev-1", vec![accept(1, "T1")])
        .await;
    let page = e.pull_page(&token, "dev-1", 0, 100).await;
    // A cursor the server never handed out: the phone saw commits the server has lost.
    let r = e
        .http
        .get(format!(
            "{}/v1/sync/pull?client_id=dev-1&cursor={}",
            e.server.url(),
            page.cursor + 10
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (status, body) = error_of(r).await;
    assert_eq!((status, body.error.as_str()), (409, "server_behind"));
    assert_eq!(body.expected_mutation_id, Some(2));
    // Its own cursor is fine.
    assert!(e
        .pull_page(&token, "dev-1", page.cursor, 100)
        .await
        .changes
        .is_empty());
}

impl Env {
    /// A raw JSON request with the admin token.
    async fn admin_raw(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &str,
    ) -> reqwest::Response {
        self.http
            .request(method, format!("{}{path}", self.server.url()))
            .bearer_auth(ADMIN)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }

    /// A raw JSON POST with a courier's token.
    async fn courier_post(&self, token: &str, path: &str, body: &str) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.server.url()))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }
}

/// Asserts a 422 `invalid` naming `field`.
async fn assert_invalid(what: &str, r: reqwest::Response, field: &str) {
    let (status, body) = error_of(r).await;
    assert_eq!(
        (status, body.error.as_str(), body.field.as_deref()),
        (422, "invalid", Some(field)),
        "{what}: {body:?}"
    );
}

fn fix_batch(client: &str, seq: &str, dropped: &str) -> String {
    format!(
        r#"{{"client_id": "{client}", "dropped": {dropped},
            "fixes": [{{"seq": {seq}, "lat": 30.0, "lon": 120.0, "accuracy_m": 5, "recorded_at": 1795400000}}]}}"#
    )
}

async fn numbers_are_range_checked_and_sums_cannot_overflow(engine: Engine) {
    let Some(e) = env_with_clock(engine, "numbers_are_range_checked", None).await else {
        return;
    };
    let token = e.courier_with_tasks("c1", &["T1"]).await;
    let loc = "/v1/sync/locations";
    // Counts beyond what the server stores: refused, naming the field (they used to be stored,
    // u64::MAX as -1, and two of i64::MAX overflowed the track's sum into a 500 for good).
    for dropped in ["9223372036854775807", "18446744073709551615", "-1"] {
        let r = e
            .courier_post(&token, loc, &fix_batch("d", "1", dropped))
            .await;
        assert_invalid(&format!("dropped {dropped}"), r, "dropped").await;
    }
    let r = e.courier_post(&token, loc, &fix_batch("d", "0", "0")).await;
    assert_invalid("seq 0", r, "fixes[0].seq").await;
    let bad_lat = r#"{"client_id": "d", "fixes": [{"seq": 1, "lat": 91, "lon": 0, "accuracy_m": 5, "recorded_at": 1795400000}]}"#;
    assert_invalid(
        "lat 91",
        e.courier_post(&token, loc, bad_lat).await,
        "fixes[0].lat",
    )
    .await;
    // The largest count accepted, twice: the sum is exact and the track answers.
    let most = "9007199254740991";
    for seq in ["1.0", "2"] {
        let r = e
            .courier_post(&token, loc, &fix_batch("d", seq, most))
            .await;
        assert_eq!(
            r.status(),
            200,
            "seq {seq} (an integral number is an integer)"
        );
    }
    let r = e
        .admin_raw(
            reqwest::Method::GET,
            "/v1/dispatch/couriers/c1/locations",
            "",
        )
        .await;
    assert_eq!(r.status(), 200);
    let track: serde_json::Value = r.json().await.unwrap();
    assert_eq!(track["dropped"], json!(2 * 9_007_199_254_740_991u64));
    assert_eq!(track["fixes"].as_array().unwrap().len(), 2);

    // Ratings, times, coordinates and quantities of the dispatch API.
    let r = e
        .admin_raw(
            reqwest::Method::POST,
            "/v1/dispatch/ratings",
            r#"{"id": "r1", "task_id": "T1", "source": "customer", "stars": 6}"#,
        )
        .await;
    assert_invalid("stars 6", r, "stars").await;
    let task = |extra: &str| {
        format!(
            r#"{{"id": "T9", "kind": "parcel", "dropoff": {{"name": "n", "address": "a", "lat": 1, "lon": 2}}{extra}}}"#
        )
    };
    for (extra, field) in [
        (r#", "ordered_at": -5"#, "ordered_at"),
        (
            r#", "items": [{"code": "x", "name": "y", "quantity": 0}]"#,
            "items[0].quantity",
        ),
        (
            r#", "items": [{"code": "x", "name": "y", "quantity": 4294967296}]"#,
            "items[0].quantity",
        ),
    ] {
        let r = e
            .admin_raw(reqwest::Method::POST, "/v1/dispatch/tasks", &task(extra))
            .await;
        assert_invalid(extra, r, field).await;
    }
    let far = r#"{"id": "T9", "kind": "parcel", "dropoff": {"name": "n", "address": "a", "lat": 1000, "lon": 2}}"#;
    let r = e
        .admin_raw(reqwest::Method::POST, "/v1/dispatch/tasks", far)
        .await;
    assert_invalid("lat 1000", r, "dropoff.lat").await;
    let r = e
        .admin_raw(
            reqwest::Method::POST,
            "/v1/dispatch/tasks",
            &task(r#", "ordered_at": 1795400000.0, "items": [{"code": "x", "name": "y", "quantity": 2.0}]"#),
        )
        .await;
    assert_eq!(r.status(), 201, "integral numbers are integers");

    // Settings: a body that is not an object publishes nothing.
    for body in ["[]", "null", "3"] {
        let r = e
            .admin_raw(reqwest::Method::PUT, "/v1/dispatch/settings", body)
            .await;
        assert_invalid(body, r, "(body)").await;
    }
    let r = e
        .admin_raw(
            reqwest::Method::PUT,
            "/v1/dispatch/settings",
            r#"{"kpi_targets": {"on_time_rate": 2}}"#,
        )
        .await;
    assert_invalid("a rate of 2", r, "kpi_targets.on_time_rate").await;
    let r = e
        .admin_raw(reqwest::Method::GET, "/v1/dispatch/settings", "")
        .await;
    let settings: serde_json::Value = r.json().await.unwrap();
    assert_eq!(settings["version"], 0, "nothing was published");
    let r = e
        .admin_raw(
            reqwest::Method::PUT,
            "/v1/dispatch/settings",
            r#"{"auto_sync_interval_s": 30.0}"#,
        )
        .await;
    assert_eq!(r.status(), 200);
    let settings: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        (
            settings["version"].clone(),
            settings["auto_sync_interval_s"].clone()
        ),
        (json!(1), json!(30))
    );
}

async fn control_characters_are_refused_with_422_on_every_route(engine: Engine) {
    let Some(e) = env_with_clock(engine, "control_characters_are_refused", None).await else {
        return;
    };
    let token = e.courier_with_tasks("c1", &["T1"]).await;
    e.courier_with_tasks("c2", &[]).await;
    use reqwest::Method;
    let admin_cases: Vec<(Method, &str, String, &str)> = vec![
        (Method::POST, "/v1/dispatch/couriers", r#"{"id": "c3", "name": "A\u0000B"}"#.into(), "name"),
        (Method::POST, "/v1/dispatch/couriers", r#"{"id": "c\u0007", "name": "A"}"#.into(), "id"),
        (
            Method::POST,
            "/v1/dispatch/tasks",
            r#"{"id": "T2", "kind": "parcel", "dropoff": {"name": "n\u0000", "address": "a", "lat": 1, "lon": 2}}"#.into(),
            "dropoff.name",
        ),
        (
            Method::PATCH,
            "/v1/dispatch/tasks/T1",
            r#"{"dropoff": {"name": "n", "address": "a\u001b[2J", "lat": 1, "lon": 2}}"#.into(),
            "dropoff.address",
        ),
        (Method::POST, "/v1/dispatch/tasks/T1/reassign", r#"{"courier_id": "c2\u0000"}"#.into(), "courier_id"),
        (
            Method::PUT,
            "/v1/dispatch/checklists",
            r#"{"id": "k", "stage": "pickup", "items": [{"id": "i", "label": "x\u0000", "kind": {"type": "confirm"}}]}"#.into(),
            "items[0].label",
        ),
        (
            Method::POST,
            "/v1/dispatch/ratings",
            r#"{"id": "r1", "task_id": "T1", "source": "customer", "stars": 4, "comment": "\u0000"}"#.into(),
            "comment",
        ),
        (Method::POST, "/v1/dispatch/ratings/r1/decision", r#"{"upheld": true, "note": "\u0085"}"#.into(), "note"),
        (Method::PUT, "/v1/dispatch/settings", r#"{"from_the_future\u0000": 1}"#.into(), "from_the_future\u{0}"),
    ];
    for (method, path, body, field) in admin_cases {
        let r = e.admin_raw(method.clone(), path, &body).await;
        let (status, err) = error_of(r).await;
        assert_eq!(
            (status, err.error.as_str()),
            (422, "invalid"),
            "{method} {path}: {err:?}"
        );
        assert_eq!(err.field.as_deref(), Some(field), "{method} {path}");
    }
    let r = e
        .courier_post(
            &token,
            "/v1/sync/locations",
            &fix_batch("d\\u0000", "1", "0"),
        )
        .await;
    assert_invalid("location client id", r, "client_id").await;
    let r = e
        .courier_post(
            &token,
            "/v1/sync/push",
            r#"{"client_id": "d\u0000", "mutations": []}"#,
        )
        .await;
    assert_invalid("push client id", r, "client_id").await;
    // Ids and query values from the URL follow the same rule.
    for (path, field) in [
        ("/v1/dispatch/tasks/T%001", "(path)"),
        ("/v1/dispatch/couriers/c%001/ratings", "(path)"),
        ("/v1/dispatch/mutations?task_id=T%001", "task_id"),
    ] {
        let r = e.admin_raw(Method::GET, path, "").await;
        assert_invalid(path, r, field).await;
    }
    let r = e
        .http
        .get(format!("{}/v1/sync/pull?client_id=d%00", e.server.url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_invalid("pull client id", r, "client_id").await;
    // Nothing of it was stored, and tabs and line breaks are text.
    assert!(e.dispatch.mutations(None).await.unwrap().is_empty());
    let r = e
        .admin_raw(
            reqwest::Method::POST,
            "/v1/dispatch/couriers",
            r#"{"id": "c4", "name": "Ann\tB\r\nC"}"#,
        )
        .await;
    assert_eq!(r.status(), 201);
}

async fn one_bad_mutation_is_rejected_alone_and_the_rest_apply(engine: Engine) {
    let Some(e) = env_with_clock(engine, "one_bad_mutation_is_rejected_alone", None).await else {
        return;
    };
    let token = e.courier_with_tasks("c1", &["T1", "T2"]).await;
    let m = |id: i64, action: serde_json::Value| json!({"mutation_id": id, "device_time": 1_795_400_000, "action": action});
    let mutations = json!([
        m(1, json!({"type": "accept", "task_id": "T1"})),
        m(2, json!({"type": "send_message", "task_id": "T1", "template": "at_the_door", "text": "at the door\u{0}"})),
        m(3, json!({"type": "teleported", "task_id": "T1"})),
        m(4, json!({"type": "correct_pin", "task_id": "T1", "lat": 95.0, "lon": 1.0})),
        m(5, json!({"type": "accept", "task_id": "T2"})),
        {"mutation_id": 6, "device_time": 1e300, "action": {"type": "accept", "task_id": "T1"}},
        m(7, json!({"type": "report_exception", "task_id": "T1", "reason": "merchant_delay", "note": "line one\nline\ttwo"})),
    ]);
    let body = json!({"client_id": "d", "mutations": mutations});
    let r = e.push_raw(&token, &body).await;
    assert_eq!(r.status(), 200, "one bad mutation does not fail the push");
    let resp: PushResponse = r.json().await.unwrap();
    assert_eq!(resp.last_mutation_id, 7);
    let outcomes: Vec<(i64, &str)> = resp
        .results
        .iter()
        .map(|r| {
            (
                r.mutation_id,
                match &r.outcome {
                    MutationOutcome::Applied => "applied",
                    MutationOutcome::Duplicate => "duplicate",
                    MutationOutcome::Rejected { code, .. } => code.as_str(),
                },
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (1, "applied"),
            (2, "invalid"),
            (3, "invalid"),
            (4, "invalid"),
            (5, "applied"),
            (6, "invalid"),
            (7, "applied")
        ]
    );
    let MutationOutcome::Rejected { reason, .. } = &resp.results[1].outcome else {
        unreachable!()
    };
    assert!(reason.starts_with("mutations[1].action.text"), "{reason}");
    // Every one is recorded, the rejected ones as received (control characters replaced).
    let records = e.dispatch.mutations(None).await.unwrap();
    assert_eq!(records.len(), 7);
    let bad = records.iter().find(|r| r.mutation_id == 2).unwrap();
    assert_eq!(
        (bad.outcome.as_str(), bad.reject_code.as_deref()),
        ("rejected", Some("invalid"))
    );
    assert_eq!(bad.action["text"], "at the door\u{FFFD}");
    assert_eq!(bad.task_id, "T1");
    // A retry is answered duplicate throughout, and the queue moves on.
    let again: PushResponse = e.push_raw(&token, &body).await.json().await.unwrap();
    assert!(again
        .results
        .iter()
        .all(|r| r.outcome == MutationOutcome::Duplicate));
    let next = e
        .push_mutations(&token, "d", vec![delivered(8, "T2")])
        .await;
    assert_eq!(next.last_mutation_id, 8);
}

fn handoff(id: i64, task: &str, verified: bool, code: Option<&str>) -> Mutation {
    Mutation {
        mutation_id: id,
        device_time: 1_795_400_000,
        action: Action::HandoffCode {
            task_id: task.into(),
            verified,
            code: code.map(|c| runsheet_protocol::HandoffCodeEntry(c.into())),
        },
        context: None,
    }
}

async fn the_server_checks_handoff_codes_and_phones_get_only_a_slow_hash(engine: Engine) {
    let Some(e) = env_with_clock(engine, "handoff", None).await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    let task = |id: &str, code: &str| {
        json!({"id": id, "courier_id": "ann", "kind": "parcel", "dropoff": stop("Customer"),
               "handoff_code": code})
    };
    // Four digits are too few: the platform's default is six.
    let short = e.dispatch.create_task(&task("H0", "4711")).await;
    assert!(format!("{short:?}").contains("422"), "{short:?}");
    let doc = e
        .dispatch
        .create_task(&task("H1", "482913"))
        .await
        .unwrap()
        .handoff_code
        .unwrap();
    assert_eq!(
        doc.iterations,
        runsheet_protocol::DEFAULT_HANDOFF_KDF_ITERATIONS
    );
    assert!(doc.matches("482913") && !doc.matches("482914"));
    e.dispatch.create_task(&task("H2", "771204")).await.unwrap();
    // What the phone pulls holds no code.
    let pulled = serde_json::to_string(&e.pull_page(&ann, "ann-phone", 0, 50).await).unwrap();
    assert!(!pulled.contains("482913") && !pulled.contains("771204"));

    // A phone that says "verified" for a wrong code is answered `rejected`, and dispatch gets
    // a case; the right code is applied. A check without a code cannot be confirmed.
    let r = e
        .push_mutations(
            &ann,
            "ann-phone",
            vec![
                accept(1, "H1"),
                handoff(2, "H1", true, Some("000000")),
                handoff(3, "H1", true, None),
                handoff(4, "H1", true, Some(" 482913 ")),
            ],
        )
        .await;
    let outcomes: Vec<bool> = r
        .results
        .iter()
        .map(|m| m.outcome == MutationOutcome::Applied)
        .collect();
    assert_eq!(outcomes, [true, false, false, true]);
    let kinds: Vec<String> = e
        .dispatch
        .after_sales()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(kinds, ["handoff_code_disputed", "handoff_code_disputed"]);

    // Codes tried online lock after five wrong ones: the right one no longer verifies.
    let mut muts = vec![accept(5, "H2")];
    for (i, guess) in ["000001", "000002", "000003", "000004", "000005"]
        .into_iter()
        .enumerate()
    {
        muts.push(handoff(6 + i as i64, "H2", false, Some(guess)));
    }
    muts.push(handoff(11, "H2", true, Some("771204")));
    let r = e.push_mutations(&ann, "ann-phone", muts).await;
    assert_eq!(r.results[0].outcome, MutationOutcome::Applied);
    for res in &r.results[1..] {
        assert!(
            matches!(res.outcome, MutationOutcome::Rejected { .. }),
            "{res:?}"
        );
    }
    let MutationOutcome::Rejected { reason, .. } = &r.results[6].outcome else {
        unreachable!()
    };
    assert!(reason.contains("locked"), "{reason}");
    // The wrong code that locks it is a failed handoff, a case; the phone's "verified" after
    // the lock is one more. The four wrong codes before open none.
    let kinds: Vec<String> = e
        .dispatch
        .after_sales()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "handoff_code_disputed",
            "handoff_code_disputed",
            "handoff_code_locked",
            "handoff_code_disputed"
        ]
    );

    // The server stores whether a code matched, never the code.
    let records = serde_json::to_string(&e.dispatch.mutations(Some("ann")).await.unwrap()).unwrap();
    assert!(!records.contains("482913") && !records.contains("000000"));
    assert!(!records.contains("771204") && !records.contains("000003"));
}

async fn the_customers_language_travels_with_the_task(engine: Engine) {
    let Some(e) = env_with_clock(engine, "customer_locale", None).await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    let task = |id: &str, locale: Option<&str>| {
        let mut t = json!({"id": id, "courier_id": "ann", "kind": "parcel",
                           "dropoff": stop("Customer")});
        if let Some(l) = locale {
            t["customer_locale"] = json!(l);
        }
        t
    };
    let en = e
        .dispatch
        .create_task(&task("L1", Some("en-GB")))
        .await
        .unwrap();
    assert_eq!(en.customer_locale.as_deref(), Some("en-GB"));
    e.dispatch.create_task(&task("L2", None)).await.unwrap();
    let bad = e
        .dispatch
        .create_task(&task("L3", Some("en GB; drop")))
        .await;
    assert!(format!("{bad:?}").contains("422"), "{bad:?}");
    // Stored, read back by dispatch, and pulled by the phone; absent stays absent on the wire.
    let stored = e.dispatch.task("L1").await.unwrap().task;
    assert_eq!(stored.customer_locale.as_deref(), Some("en-GB"));
    let pulled = e.pull_page(&ann, "ann-phone", 0, 50).await;
    let locales: Vec<(String, Option<String>)> = pulled
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::UpsertTask { task } => Some((task.id.clone(), task.customer_locale.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        locales,
        [
            ("L1".to_owned(), Some("en-GB".to_owned())),
            ("L2".to_owned(), None)
        ]
    );
    let wire = serde_json::to_string(&pulled).unwrap();
    assert_eq!(wire.matches("customer_locale").count(), 1, "{wire}");
}

/// `PUT /v1/sync/push-token` with `body` as `token`.
async fn put_push_token(e: &Env, token: &str, body: serde_json::Value) -> reqwest::Response {
    e.http
        .put(format!("{}/v1/sync/push-token", e.server.url()))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn push_tokens_are_kept_one_per_install_for_dispatch(engine: Engine) {
    use runsheet_protocol::PushPlatform;
    let e = match env_with_clock(
        engine,
        "push_tokens_are_kept_one_per_install_for_dispatch",
        None,
    )
    .await
    {
        Some(e) => e,
        None => return,
    };
    let ann = e.courier_with_tasks("ann", &[]).await;
    let eve = e.courier_with_tasks("eve", &[]).await;
    assert!(e.dispatch.devices("ann").await.unwrap().devices.is_empty());
    let r = put_push_token(
        &e,
        &ann,
        json!({"client_id": "ann-phone", "platform": "fcm", "token": "fcm:first"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let ack: runsheet_protocol::PushTokenAck = r.json().await.unwrap();
    assert!(ack.registered_at > 0);
    // A new token for the same install replaces the old one.
    let r = put_push_token(
        &e,
        &ann,
        json!({"client_id": "ann-phone", "platform": "fcm", "token": "fcm:second"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = put_push_token(
        &e,
        &ann,
        json!({"client_id": "ann-ipad", "platform": "apns", "token": "ab".repeat(32)}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let mut devices = e.dispatch.devices("ann").await.unwrap().devices;
    devices.sort_by(|a, b| a.client_id.cmp(&b.client_id));
    let seen: Vec<_> = devices
        .iter()
        .map(|d| (d.client_id.as_str(), d.platform, d.token.clone()))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("ann-ipad", PushPlatform::Apns, "ab".repeat(32)),
            ("ann-phone", PushPlatform::Fcm, "fcm:second".to_owned()),
        ]
    );
    // Another courier cannot register under Ann's install.
    let r = put_push_token(
        &e,
        &eve,
        json!({"client_id": "ann-phone", "platform": "fcm", "token": "fcm:eve"}),
    )
    .await;
    let (status, body) = error_of(r).await;
    assert_eq!((status, body.error.as_str()), (403, "forbidden"));
    // Eve signs in on Ann's old iPad with a new install: the token moves to Eve's install.
    let r = put_push_token(
        &e,
        &eve,
        json!({"client_id": "eve-ipad", "platform": "apns", "token": "ab".repeat(32)}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let ann_devices = e.dispatch.devices("ann").await.unwrap().devices;
    assert_eq!(ann_devices.len(), 1);
    assert_eq!(ann_devices[0].token, "fcm:second");
    let eve_devices = e.dispatch.devices("eve").await.unwrap().devices;
    assert_eq!(eve_devices.len(), 1);
    assert_eq!(eve_devices[0].client_id, "eve-ipad");
    // Bad registrations are 422 naming the field, and store nothing.
    for (body, field) in [
        (
            json!({"client_id": "ann-phone", "platform": "gcm", "token": "t"}),
            "platform",
        ),
        (
            json!({"client_id": "ann-phone", "platform": "fcm", "token": ""}),
            "token",
        ),
        (
            json!({"client_id": "ann-phone", "platform": "fcm", "token": "a".repeat(4097)}),
            "token",
        ),
        (
            json!({"client_id": "ann-phone", "platform": "fcm", "token": "a b"}),
            "token",
        ),
        (
            json!({"client_id": "", "platform": "fcm", "token": "t"}),
            "client_id",
        ),
        (
            json!({"client_id": "ann-phone", "platform": "fcm"}),
            "(body)",
        ),
    ] {
        let r = put_push_token(&e, &ann, body.clone()).await;
        assert_invalid(&body.to_string(), r, field).await;
    }
    let r = put_push_token(
        &e,
        "not-a-courier",
        json!({"client_id": "x", "platform": "fcm", "token": "t"}),
    )
    .await;
    assert_eq!(error_of(r).await.0, 401);
    let after = e.dispatch.devices("ann").await.unwrap().devices;
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].token, "fcm:second");
    // Dispatch asking about nobody gets a 404.
    let r = e
        .http
        .get(format!(
            "{}/v1/dispatch/couriers/nobody/devices",
            e.server.url()
        ))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    let (status, body) = error_of(r).await;
    assert_eq!(
        (status, body.error.as_str()),
        (404, "not_found"),
        "{body:?}"
    );
}

/// A dispatcher's new task (two statements on PostgreSQL, a transaction on SQLite) is created,
/// or refused, alike on both stores: an existing id is a 409 `task_exists`, an unknown courier
/// a 404, and neither changes anything; the courier's pull brings the task.
async fn a_new_task_is_created_or_refused_alike_on_both_stores(engine: Engine) {
    let Some(e) = env_with_clock(engine, "new_task_refusals", None).await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    let task = |id: &str, courier: Option<&str>, name: &str| json!({"id": id, "courier_id": courier, "kind": "parcel", "dropoff": stop(name)});
    let create = |body: serde_json::Value| {
        e.http
            .post(format!("{}/v1/dispatch/tasks", e.server.url()))
            .bearer_auth(ADMIN)
            .json(&body)
            .send()
    };
    let first = create(task("N1", Some("ann"), "First")).await.unwrap();
    assert_eq!(first.status(), 201);
    let unassigned = create(task("N2", None, "Second")).await.unwrap();
    assert_eq!(unassigned.status(), 201);
    for (body, want) in [
        (task("N1", Some("ann"), "Again"), (409, "task_exists")),
        (task("N2", None, "Again"), (409, "task_exists")),
        (task("N3", Some("nobody"), "Third"), (404, "not_found")),
        (task("N1", Some("nobody"), "Again"), (404, "not_found")),
    ] {
        let (status, err) = error_of(create(body.clone()).await.unwrap()).await;
        assert_eq!((status, err.error.as_str()), want, "{body}");
    }
    assert_eq!(
        e.dispatch.task("N1").await.unwrap().task.dropoff.name,
        "First"
    );
    assert!(e.dispatch.task("N3").await.is_err());
    let pulled = e.pull_page(&ann, "ann-phone", 0, 50).await;
    let ids: Vec<&str> = pulled
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::UpsertTask { task } => Some(task.id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["N1"]);
}

// Every test of the shared suite, once per store.
on_both_stores!(
    a_retried_push_is_acknowledged_but_applied_once,
    a_gap_in_mutation_ids_is_a_409_and_applies_nothing,
    a_courier_can_neither_see_nor_change_another_couriers_task,
    requests_without_a_valid_token_are_refused,
    bad_requests_get_a_4xx_with_a_reason,
    pull_pages_through_changes_with_a_cursor,
    a_push_carrying_the_pull_answers_its_first_page,
    a_delivery_of_a_cancelled_task_is_recorded_and_rejected,
    every_answer_carries_a_request_id,
    attachments_are_stored_once_verified_against_their_hash,
    only_facts_about_tasks_the_courier_held_open_after_sales_cases,
    a_pin_correction_is_the_couriers_own_until_dispatch_accepts_it,
    a_rejected_pin_correction_moves_no_later_pin,
    kpis_use_the_servers_bound_on_device_time,
    the_server_checks_handoff_codes_and_phones_get_only_a_slow_hash,
    a_reused_mutation_id_with_other_content_is_a_409_and_applies_nothing,
    a_location_batch_claims_its_client_id,
    a_pull_past_the_servers_feed_is_answered_server_behind,
    numbers_are_range_checked_and_sums_cannot_overflow,
    control_characters_are_refused_with_422_on_every_route,
    one_bad_mutation_is_rejected_alone_and_the_rest_apply,
    the_customers_language_travels_with_the_task,
    push_tokens_are_kept_one_per_install_for_dispatch,
    a_new_task_is_created_or_refused_alike_on_both_stores,
);
