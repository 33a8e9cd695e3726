//! Sync against a hostile server, without a socket: every case `tests/tests/hostile.rs` and the
//! fault proxy (`tests/src/faults.rs`) play against a real server over TCP, played here against
//! a scripted in-memory [`Remote`] through [`Runsheet::open_with_remote`]. Each test checks what
//! the phone holds afterwards: pending actions, task states, where the next pull starts.
//!
//! The scripted server keeps only what sync needs to be checked against: the mutations it has
//! applied (so a re-sent one is a duplicate, a gap is refused as the real server does), a
//! change log served in pages from a cursor, its clock, and the token it accepts. Before
//! answering, it takes the next entry of its fault script: pass, fail before the server sees
//! the call, lose the answer after the server handled it, handle it twice (a duplicated request),
//! or answer a raw body instead (decoded as the HTTP client decodes it: what does not parse is a
//! `BadResponse`). Delays are not played: nothing here depends on wall time.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::SeedableRng;
use runsheet_core::{
    AutoSyncPolicy, Clock, Config, Error, PullPosition, PushPlatform, Remote, Runsheet, Settings,
    TaskStatus, Token, TokenProvider,
};
use runsheet_protocol::{
    Change, LocationAck, LocationBatch, Mutation, MutationOutcome, MutationResult, PullResponse,
    PushRequest, PushResponse, PushTokenAck, PushTokenRegistration, StopDoc, TaskDoc,
};

/// What the scripted server does with one call.
#[derive(Debug)]
enum Fault {
    /// Handle it normally.
    Pass,
    /// The call never reaches the server (refused, reset before sending): this error comes back.
    Fail(Error),
    /// The server handles the call, then the answer is lost (restart, reset, cut body).
    Lost(Error),
    /// Answer with this HTTP 200 body instead of handling the call.
    Body(&'static str),
    /// The call reaches the server twice (a duplicated packet, an eager retry): the phone gets
    /// the second answer.
    Twice,
}

#[derive(Default)]
struct State {
    /// Mutations applied, in order.
    applied: Vec<Mutation>,
    /// The server's change log; a change's cursor is its index + 1.
    log: Vec<Change>,
    settings: Option<Settings>,
    page: usize,
    server_time: i64,
    accepted_token: String,
    token: String,
    script: VecDeque<Fault>,
    /// Every call, in order: (endpoint, outcome).
    calls: Vec<String>,
    /// The pull positions the phone sent.
    pulls: Vec<PullPosition>,
    uploads: Vec<String>,
    fixes: usize,
    /// Push token registrations received, in order.
    push_tokens: Vec<PushTokenRegistration>,
    /// Push token registrations still to refuse with a 503.
    refuse_push_tokens: usize,
    /// Whether a push carrying the pull position answers the pull's first page, as the
    /// reference server does (else the phone pulls on its own, as from an older server).
    pull_in_push: bool,
    /// The pull positions pushes carried and this server answered.
    pulled_in_push: Vec<PullPosition>,
    /// The positions long-polls asked from.
    waits: Vec<PullPosition>,
    /// When set, the next long-poll waits for this before the server reads its page (so the
    /// test can run a sync while it waits).
    hold_wait: Option<Arc<tokio::sync::Notify>>,
}

#[derive(Clone)]
struct Scripted(Arc<Mutex<State>>);

impl Scripted {
    fn new(tasks: usize) -> Self {
        let log = (0..tasks)
            .map(|i| Change::UpsertTask {
                task: Box::new(task_doc(&format!("T{i:04}"))),
            })
            .collect();
        Scripted(Arc::new(Mutex::new(State {
            log,
            page: 500,
            server_time: 1_800_000_000,
            accepted_token: "good".into(),
            ..State::default()
        })))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap()
    }

    fn script(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state().script.extend(faults);
    }

    /// Runs one call: the fault script first, then the token, then `handle`.
    fn call<T: serde::de::DeserializeOwned>(
        &self,
        endpoint: &str,
        mut handle: impl FnMut(&mut State) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut s = self.state();
        let fault = s.script.pop_front().unwrap_or(Fault::Pass);
        s.calls.push(format!("{endpoint}: {fault:?}"));
        match fault {
            Fault::Fail(e) => Err(e),
            Fault::Body(body) => serde_json::from_str(body)
                .map_err(|e| Error::BadResponse(format!("HTTP 200 OK: {e}"))),
            Fault::Pass | Fault::Lost(_) | Fault::Twice if s.token != s.accepted_token => {
                Err(Error::AuthRequired)
            }
            Fault::Pass => handle(&mut s),
            Fault::Lost(e) => {
                handle(&mut s)?;
                Err(e)
            }
            Fault::Twice => {
                let _first: T = handle(&mut s)?;
                handle(&mut s)
            }
        }
    }

    /// How many times mutation `id` was applied.
    fn applied_times(&self, id: i64) -> usize {
        self.state()
            .applied
            .iter()
            .filter(|m| m.mutation_id == id)
            .count()
    }
}

fn push(s: &mut State, req: &PushRequest) -> Result<PushResponse, Error> {
    let mut last = s.applied.last().map_or(0, |m| m.mutation_id);
    let before = s.applied.len();
    let mut results = Vec::new();
    for m in &req.mutations {
        if m.mutation_id <= last {
            results.push(MutationResult {
                mutation_id: m.mutation_id,
                outcome: MutationOutcome::Duplicate,
            });
            continue;
        }
        if m.mutation_id != last + 1 {
            // What the reference server answers (server/src/sync_api.rs), nothing applied.
            s.applied.truncate(before);
            return Err(Error::Server {
                status: 409,
                code: "mutation_gap".into(),
                reason: format!(
                    "mutation {} arrived but {} was expected next",
                    m.mutation_id,
                    last + 1
                ),
                retry_after: None,
                mutation_id: Some(last + 1),
            });
        }
        s.applied.push(m.clone());
        last = m.mutation_id;
        results.push(MutationResult {
            mutation_id: m.mutation_id,
            outcome: MutationOutcome::Applied,
        });
    }
    let pulled = match req.pull {
        Some(at) if s.pull_in_push => {
            let page = pull(s, &at)?;
            s.pulls.pop();
            s.pulled_in_push.push(at);
            Some(Box::new(page))
        }
        _ => None,
    };
    Ok(PushResponse {
        pulled,
        results,
        last_mutation_id: last,
        wal_lsn: None,
    })
}

fn pull(s: &mut State, at: &PullPosition) -> Result<PullResponse, Error> {
    s.pulls.push(*at);
    let last = s.applied.last().map_or(0, |m| m.mutation_id);
    if at.cursor > s.log.len() as i64 {
        // What the reference server answers for a cursor past its feed (it lost commits).
        return Err(Error::Server {
            status: 409,
            code: "server_behind".into(),
            reason: "the server is behind this device".into(),
            retry_after: None,
            mutation_id: Some(last + 1),
        });
    }
    let from = usize::try_from(at.cursor).unwrap_or(0).min(s.log.len());
    let to = (from + s.page).min(s.log.len());
    let settings = s
        .settings
        .clone()
        .filter(|x| x.version > at.settings_version);
    Ok(PullResponse {
        changes: s.log[from..to].to_vec(),
        cursor: to as i64,
        has_more: to < s.log.len(),
        last_mutation_id: s.applied.last().map_or(0, |m| m.mutation_id),
        server_time: s.server_time,
        settings,
        checklists: Vec::new(),
        ratings: Vec::new(),
        cases: Vec::new(),
        recalls: Vec::new(),
        offers: Vec::new(),
        vehicle: None,
        earnings: Vec::new(),
        training: Vec::new(),
        qualifications: Vec::new(),
    })
}

#[async_trait::async_trait]
impl Remote for Scripted {
    async fn push(&self, req: &PushRequest) -> Result<PushResponse, Error> {
        self.call("push", |s| push(s, req))
    }

    async fn pull(&self, _client_id: &str, at: &PullPosition) -> Result<PullResponse, Error> {
        self.call("pull", |s| pull(s, at))
    }

    async fn put_attachment(&self, sha256: &str, _bytes: Vec<u8>) -> Result<(), Error> {
        self.call::<serde_json::Value>("upload", |s| {
            s.uploads.push(sha256.to_owned());
            Ok(serde_json::Value::Null)
        })
        .map(|_| ())
    }

    async fn push_locations(&self, batch: &LocationBatch) -> Result<LocationAck, Error> {
        self.call("locations", |s| {
            s.fixes += batch.fixes.len();
            Ok(LocationAck {
                stored: batch.fixes.len() as u64,
            })
        })
    }

    async fn register_push_token(
        &self,
        reg: &PushTokenRegistration,
    ) -> Result<PushTokenAck, Error> {
        self.call("push-token", |s| {
            if s.refuse_push_tokens > 0 {
                s.refuse_push_tokens -= 1;
                return Err(Error::Server {
                    status: 503,
                    code: "unavailable".into(),
                    reason: "draining".into(),
                    retry_after: None,
                    mutation_id: None,
                });
            }
            s.push_tokens.push(reg.clone());
            Ok(PushTokenAck {
                registered_at: s.server_time,
            })
        })
    }

    async fn wait_for_change(
        &self,
        _client_id: &str,
        at: &PullPosition,
        _wait: Duration,
    ) -> Result<Option<PullResponse>, Error> {
        let hold = self.state().hold_wait.take();
        if let Some(hold) = hold {
            hold.notified().await;
        }
        // A whole page from `at`, as the reference server's long-poll answers it; none when
        // nothing is new.
        self.call("wait", |s| {
            let page = pull(s, at)?;
            s.pulls.pop();
            s.waits.push(*at);
            Ok((!page.is_quiet()).then_some(page))
        })
    }

    fn set_token(&self, token: Token) {
        self.state().token = token.secret().to_owned();
    }
}

fn stop(name: &str) -> StopDoc {
    StopDoc::new(name, "1 Test Road", 30.27, 120.15)
}

fn task_doc(id: &str) -> TaskDoc {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "kind": "parcel",
        "status": "assigned",
        "dropoff": stop("customer"),
        "revision": 1,
    }))
    .unwrap()
}

/// A clock the test sets.
struct Fixed(Mutex<i64>);

impl Clock for Fixed {
    fn now(&self) -> i64 {
        *self.0.lock().unwrap()
    }
}

struct Phone {
    core: Runsheet,
    server: Scripted,
    _dir: tempfile::TempDir,
}

fn phone_with(server: &Scripted, token: &str, clock: Arc<dyn Clock>) -> Phone {
    let dir = tempfile::tempdir().unwrap();
    let core = Runsheet::open_with_remote(
        Config {
            db_path: dir.path().join("phone.db"),
            db_key: None,
            server_url: "unused://".into(),
            token: Token::new(token),
            clock,
        },
        Arc::new(server.clone()),
    )
    .unwrap();
    Phone {
        core,
        server: server.clone(),
        _dir: dir,
    }
}

fn phone(server: &Scripted) -> Phone {
    phone_with(server, "good", Arc::new(Fixed(Mutex::new(1_800_000_000))))
}

/// What the phone holds, to compare before and after a failed sync: each task's state and
/// pending actions, the outbox, and where the next pull starts.
fn snapshot(p: &Phone) -> (Vec<(String, TaskStatus)>, u64, usize) {
    let tasks = p
        .core
        .tasks()
        .unwrap()
        .into_iter()
        .map(|t| (t.id, t.status))
        .collect();
    (
        tasks,
        p.core.sync_status().unwrap().pending,
        p.server.state().log.len(),
    )
}

/// Syncs the tasks down and walks `n` of them to the door.
async fn at_the_door(p: &Phone, n: usize) -> Vec<String> {
    p.core.sync().await.unwrap();
    let ids: Vec<String> = p
        .core
        .tasks()
        .unwrap()
        .into_iter()
        .take(n)
        .map(|t| t.id)
        .collect();
    for id in &ids {
        p.core.accept(id).unwrap();
        p.core.arrive_manually(id, "test: at the door").unwrap();
    }
    p.core.sync().await.unwrap();
    assert_eq!(p.core.sync_status().unwrap().pending, 0);
    ids
}

/// The cursor the phone sends on its next pull.
fn next_cursor(p: &Phone) -> i64 {
    p.server.state().pulls.last().map_or(-1, |at| at.cursor)
}

#[tokio::test]
async fn garbage_and_nonsense_answers_change_nothing_and_keep_actions_queued() {
    // (the answer to the push, how sync must refuse it)
    let nonsense = [
        // A captive portal, a cut body, an outcome nobody knows: unreadable.
        (Fault::Body("<html>captive portal</html>"), "bad"),
        (Fault::Body(r#"{"results": "#), "bad"),
        (
            Fault::Body(
                r#"{"results":[{"mutation_id":3,"outcome":"teleported"}],"last_mutation_id":3}"#,
            ),
            "bad",
        ),
        // An acknowledgement for a mutation never sent (the phone sent 3).
        (
            Fault::Body(
                r#"{"results":[{"mutation_id":99,"outcome":"applied"}],"last_mutation_id":3}"#,
            ),
            "protocol",
        ),
        // The server says it processed more than was sent.
        (
            Fault::Body(r#"{"results":[],"last_mutation_id":50}"#),
            "protocol",
        ),
        // Negative and huge numbers.
        (
            Fault::Body(
                r#"{"results":[{"mutation_id":-1,"outcome":"applied"}],"last_mutation_id":-5}"#,
            ),
            "protocol",
        ),
        (
            Fault::Body(
                r#"{"results":[{"mutation_id":3,"outcome":"applied"}],"last_mutation_id":9223372036854775807}"#,
            ),
            "protocol",
        ),
        (
            Fault::Body(r#"{"results":[],"last_mutation_id":1e300}"#),
            "bad",
        ),
        // An error status with a body that is not JSON either.
        (
            Fault::Fail(Error::Server {
                status: 500,
                code: "unknown".into(),
                reason: "no readable error body".into(),
                retry_after: None,
                mutation_id: None,
            }),
            "server",
        ),
    ];
    for (case, (answer, refusal)) in nonsense.into_iter().enumerate() {
        let server = Scripted::new(2);
        let p = phone(&server);
        let ids = at_the_door(&p, 1).await;
        p.core.mark_delivered(&ids[0]).unwrap();
        let before = snapshot(&p);
        let cursor = next_cursor(&p);
        server.script([answer]);
        let err = p.core.sync().await.unwrap_err();
        let kind = match err {
            Error::BadResponse(_) => "bad",
            Error::Protocol(_) => "protocol",
            Error::Server { .. } => "server",
            _ => "other",
        };
        assert_eq!(kind, refusal, "case {case}: {err:?}");
        assert_eq!(
            snapshot(&p),
            before,
            "case {case}: a bad answer changed the phone"
        );
        assert_eq!(p.core.sync_status().unwrap().pending, 1, "case {case}");
        assert!(p.core.sync_status().unwrap().last_error.is_some());
        assert!(p.core.rejections().unwrap().is_empty(), "case {case}");
        assert_eq!(
            server.applied_times(3),
            0,
            "case {case}: the bad answer was a lie"
        );
        // The next sync against an honest server sends it, once.
        let r = p.core.sync().await.unwrap();
        assert_eq!((r.pushed, r.pending), (1, 0), "case {case}");
        assert_eq!(next_cursor(&p), cursor, "case {case}: the cursor moved");
        assert_eq!(p.core.task(&ids[0]).unwrap().status, TaskStatus::Delivered);
        assert_eq!(
            server.applied_times(3),
            1,
            "case {case}: applied exactly once"
        );
    }
}

#[tokio::test]
async fn an_answer_that_acknowledges_nothing_keeps_the_action_queued() {
    let server = Scripted::new(1);
    let p = phone(&server);
    let ids = at_the_door(&p, 1).await;
    p.core.mark_delivered(&ids[0]).unwrap();
    // Too few results: the server answers for none of what was sent, and claims nothing new.
    server.script([Fault::Body(r#"{"results":[],"last_mutation_id":2}"#)]);
    let r = p.core.sync().await.unwrap();
    assert_eq!((r.pushed, r.duplicates, r.pending), (0, 0, 1));
    assert_eq!(p.core.task(&ids[0]).unwrap().status, TaskStatus::Delivered);
    let r = p.core.sync().await.unwrap();
    assert_eq!((r.pushed, r.pending), (1, 0));
    assert_eq!(server.applied_times(3), 1);
}

#[tokio::test]
async fn a_push_that_reaches_the_server_twice_is_applied_once() {
    let server = Scripted::new(1);
    let p = phone(&server);
    let ids = at_the_door(&p, 1).await;
    p.core.mark_delivered(&ids[0]).unwrap();
    server.script([Fault::Twice]);
    let r = p.core.sync().await.unwrap();
    // The answer the phone sees is the second one: a duplicate, acknowledged all the same.
    assert_eq!((r.pushed, r.duplicates, r.pending), (0, 1, 0));
    assert_eq!(server.applied_times(3), 1);
    assert_eq!(p.core.task(&ids[0]).unwrap().status, TaskStatus::Delivered);
}

#[tokio::test]
async fn a_pull_answer_going_backwards_applies_nothing() {
    let server = Scripted::new(3);
    let p = phone(&server);
    server.script([Fault::Body(
        r#"{"changes":[{"op":"remove_task","task_id":"T0000"}],"cursor":-7,"has_more":false,"last_mutation_id":0,"server_time":1}"#,
    )]);
    match p.core.sync().await {
        Err(Error::BadResponse(m)) => assert!(m.contains("backwards"), "{m}"),
        other => panic!("expected a refused cursor, got {other:?}"),
    }
    assert!(p.core.tasks().unwrap().is_empty());
    assert_eq!(p.core.sync_status().unwrap().clock_offset_seconds, None);
    assert_eq!(p.core.sync().await.unwrap().pulled_changes, 3);
    assert_eq!(p.core.tasks().unwrap().len(), 3);
}

#[tokio::test]
async fn a_pull_cut_mid_page_applies_nothing_and_keeps_the_cursor() {
    let server = Scripted::new(620);
    let p = phone(&server);
    // No pending actions: the sync is pull page 1 (500), then page 2, whose body is cut.
    server.script([
        Fault::Pass,
        Fault::Lost(Error::Offline(
            "connection closed before message completed".into(),
        )),
    ]);
    assert!(matches!(p.core.sync().await, Err(Error::Offline(_))));
    assert!(
        p.core.tasks().unwrap().is_empty(),
        "a partial pull was applied"
    );
    assert_eq!(p.core.sync_status().unwrap().online, Some(false));
    // The next sync starts from the cursor the phone had, and gets everything.
    let r = p.core.sync().await.unwrap();
    let pulls = server.state().pulls.clone();
    assert_eq!(
        pulls.iter().map(|at| at.cursor).collect::<Vec<_>>(),
        [0, 500, 0, 500]
    );
    assert_eq!(r.pulled_changes, 620);
    assert_eq!(p.core.tasks().unwrap().len(), 620);
    // The cursor was stored once, at the end: nothing comes again.
    assert_eq!(p.core.sync().await.unwrap().pulled_changes, 0);
    assert_eq!(next_cursor(&p), 620);
}

#[tokio::test]
async fn a_push_applied_but_its_answer_lost_is_resent_and_counted_a_duplicate_once() {
    let server = Scripted::new(1200);
    let p = phone(&server);
    p.core.sync().await.unwrap();
    let ids: Vec<String> = p.core.tasks().unwrap().into_iter().map(|t| t.id).collect();
    for id in &ids {
        p.core.accept(id).unwrap();
    }
    assert_eq!(p.core.sync_status().unwrap().pending, 1200);
    // Three push batches (500, 500, 200): the server applies the second, then its answer is
    // lost (a restart, a reset).
    server.script([
        Fault::Pass,
        Fault::Lost(Error::Offline("connection reset".into())),
    ]);
    assert!(p.core.sync().await.is_err());
    assert_eq!(p.core.sync_status().unwrap().pending, 700);
    assert_eq!(server.state().applied.len(), 1000);
    let r = p.core.sync().await.unwrap();
    assert_eq!((r.duplicates, r.pushed, r.pending), (500, 200, 0));
    let mids: Vec<i64> = server
        .state()
        .applied
        .iter()
        .map(|m| m.mutation_id)
        .collect();
    assert_eq!(
        mids,
        (1..=1200).collect::<Vec<_>>(),
        "each mutation applied once"
    );
    assert!(p
        .core
        .tasks()
        .unwrap()
        .iter()
        .all(|t| t.status == TaskStatus::Accepted));
    // Nothing is sent twice again.
    let r = p.core.sync().await.unwrap();
    assert_eq!((r.duplicates, r.pushed), (0, 0));
}

#[tokio::test]
async fn a_503_with_retry_after_is_reported_with_the_wait() {
    let server = Scripted::new(1);
    let p = phone(&server);
    let ids = at_the_door(&p, 1).await;
    p.core.mark_delivered(&ids[0]).unwrap();
    server.script([Fault::Fail(Error::Server {
        status: 503,
        code: "overloaded".into(),
        reason: "lunch peak".into(),
        retry_after: Some(7),
        mutation_id: None,
    })]);
    let e = p.core.sync().await.unwrap_err();
    assert!(matches!(e, Error::Server { status: 503, .. }), "{e:?}");
    assert_eq!(e.retry_after(), Some(7));
    assert!(e.is_transient());
    // Auto-sync waits at least what the server asked for.
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    assert!(
        AutoSyncPolicy::default().delay(1, e.retry_after(), &mut rng) >= Duration::from_secs(7)
    );
    let status = p.core.sync_status().unwrap();
    assert_eq!(status.pending, 1);
    assert_eq!(
        status.online,
        Some(true),
        "a 503 is an answer: the server was reached"
    );
    assert!(status.last_error.unwrap().contains("503"));
    assert_eq!(p.core.task(&ids[0]).unwrap().status, TaskStatus::Delivered);
    let r = p.core.sync().await.unwrap();
    assert_eq!((r.pushed, r.pending), (1, 0));
    assert_eq!(p.core.sync_status().unwrap().last_error, None);
}

#[tokio::test]
async fn server_errors_resets_and_cut_bodies_keep_everything_queued() {
    let failures = [
        Fault::Fail(Error::Server {
            status: 500,
            code: "internal".into(),
            reason: "oops".into(),
            retry_after: None,
            mutation_id: None,
        }),
        Fault::Fail(Error::Server {
            status: 502,
            code: "unknown".into(),
            reason: "no readable error body".into(),
            retry_after: None,
            mutation_id: None,
        }),
        Fault::Fail(Error::Offline("connection reset by peer".into())),
        Fault::Fail(Error::Offline(
            "error decoding response body: unexpected EOF".into(),
        )),
        Fault::Fail(Error::Offline("connection refused".into())),
    ];
    for (case, failure) in failures.into_iter().enumerate() {
        let server = Scripted::new(2);
        let p = phone(&server);
        let ids = at_the_door(&p, 2).await;
        p.core.mark_delivered(&ids[0]).unwrap();
        p.core
            .report_exception(
                &ids[1],
                runsheet_core::ExceptionReason::VehicleBreakdown,
                Some("flat tyre".into()),
                Vec::new(),
                None,
            )
            .unwrap();
        let before = snapshot(&p);
        server.script([failure]);
        let e = p.core.sync().await.unwrap_err();
        assert!(e.is_transient(), "case {case}: {e:?}");
        assert_eq!(snapshot(&p), before, "case {case}");
        assert_eq!(p.core.sync_status().unwrap().pending, 2, "case {case}");
        assert_eq!(
            server.state().applied.len(),
            4,
            "case {case}: nothing new reached the server"
        );
        let r = p.core.sync().await.unwrap();
        assert_eq!((r.pushed, r.pending), (2, 0), "case {case}");
    }
}

#[tokio::test]
async fn a_failed_upload_or_location_batch_stays_queued_without_failing_the_sync() {
    let server = Scripted::new(1);
    let p = phone(&server);
    let ids = at_the_door(&p, 1).await;
    let photo = p._dir.path().join("door.jpg");
    std::fs::write(&photo, b"a photo of the door").unwrap();
    let a = p.core.attach_file(&photo).unwrap();
    p.core
        .mark_delivered_with_proof(&ids[0], vec![a.sha256.clone()])
        .unwrap();
    p.core.record_location(30.27, 120.15, 8.0).unwrap();
    // push, pull pass; the upload is reset; the location batch gets a 503.
    server.script([
        Fault::Pass,
        Fault::Pass,
        Fault::Fail(Error::Offline("reset".into())),
        Fault::Fail(Error::Server {
            status: 503,
            code: "overloaded".into(),
            reason: "busy".into(),
            retry_after: Some(3),
            mutation_id: None,
        }),
    ]);
    let r = p.core.sync().await.unwrap();
    assert_eq!((r.pushed, r.uploaded, r.pending), (1, 0, 0));
    let status = p.core.sync_status().unwrap();
    assert_eq!((status.pending_uploads, status.pending_fixes), (1, 1));
    let r = p.core.sync().await.unwrap();
    assert_eq!(r.uploaded, 1);
    let status = p.core.sync_status().unwrap();
    assert_eq!((status.pending_uploads, status.pending_fixes), (0, 0));
    assert_eq!(server.state().uploads, [a.sha256]);
    assert_eq!(server.state().fixes, 1);
}

#[tokio::test]
async fn a_device_clock_hours_off_is_measured_from_the_server_time() {
    let server = Scripted::new(1);
    let five_hours = 5 * 3600;
    let server_now = server.state().server_time;
    let clock = Arc::new(Fixed(Mutex::new(server_now - five_hours)));
    let p = phone_with(&server, "good", clock.clone());
    p.core.sync().await.unwrap();
    assert_eq!(
        p.core.sync_status().unwrap().clock_offset_seconds,
        Some(five_hours)
    );
    p.core.accept("T0000").unwrap();
    p.core.sync().await.unwrap();
    // The device's own time goes as evidence, with the offset the server corrects it by.
    let sent = server.state().applied[0].clone();
    assert_eq!(sent.device_time, server_now - five_hours);
    assert_eq!(sent.context.unwrap().clock_offset_s, Some(five_hours));
    // The clock is corrected on the phone: the next pull measures again.
    *clock.0.lock().unwrap() = server_now;
    p.core.sync().await.unwrap();
    assert_eq!(p.core.sync_status().unwrap().clock_offset_seconds, Some(0));
}

struct Provider {
    token: Option<&'static str>,
    asked: Mutex<u32>,
}

impl TokenProvider for Provider {
    fn fresh_token(&self) -> Option<Token> {
        *self.asked.lock().unwrap() += 1;
        self.token.map(Token::new)
    }
}

#[tokio::test]
async fn a_refused_token_is_replaced_from_the_provider_and_the_sync_retried_once() {
    let server = Scripted::new(1);
    let p = phone(&server);
    let ids = at_the_door(&p, 1).await;
    p.core.mark_delivered(&ids[0]).unwrap();
    // The token expires on the server.
    server.state().accepted_token = "fresh".into();
    // No provider: the courier must sign in; nothing changes.
    let before = snapshot(&p);
    assert!(matches!(p.core.sync().await, Err(Error::AuthRequired)));
    assert_eq!(snapshot(&p), before);
    // A provider with a fresh token: asked once, the sync retried once and done.
    let provider = Arc::new(Provider {
        token: Some("fresh"),
        asked: Mutex::new(0),
    });
    p.core.set_token_provider(Some(provider.clone()));
    let r = p.core.sync().await.unwrap();
    assert_eq!((r.pushed, r.pending), (1, 0));
    assert_eq!(*provider.asked.lock().unwrap(), 1);
    // A provider whose token is refused too: one retry, not a loop.
    server.state().accepted_token = "newer".into();
    p.core.accept("T0000").ok();
    let stale = Arc::new(Provider {
        token: Some("also stale"),
        asked: Mutex::new(0),
    });
    p.core.set_token_provider(Some(stale.clone()));
    let calls_before = server.state().calls.len();
    assert!(matches!(p.core.sync().await, Err(Error::AuthRequired)));
    assert_eq!(*stale.asked.lock().unwrap(), 1);
    assert_eq!(
        server.state().calls.len() - calls_before,
        2,
        "one attempt and one retry"
    );
}

#[tokio::test]
async fn after_a_server_rollback_the_phone_sends_again_what_the_server_lost() {
    let server = Scripted::new(2);
    let p = phone(&server);
    let ids = at_the_door(&p, 2).await;
    assert_eq!(server.state().applied.len(), 4);
    // The server comes back from a backup without the last two mutations: the phone's next
    // one (5) is ahead of what the server expects (3), and 3 and 4 left the phone's queue when
    // they were acknowledged.
    server.state().applied.truncate(2);
    p.core.mark_delivered(&ids[0]).unwrap();
    let report = p.core.sync().await.unwrap();
    let applied: Vec<i64> = server
        .state()
        .applied
        .iter()
        .map(|m| m.mutation_id)
        .collect();
    assert_eq!(
        applied,
        [1, 2, 3, 4, 5],
        "each action on the server once, in order"
    );
    assert_eq!(report.pending, 0);
    assert!(
        p.core.rejections().unwrap().is_empty(),
        "a gap is not the action's fault"
    );
    assert_eq!(
        server.state().applied[4].action,
        runsheet_protocol::Action::delivered(ids[0].as_str())
    );
    // The pull started over from the beginning to reconcile every task.
    assert_eq!(next_cursor(&p), 0);
    p.core.sync().await.unwrap();
    assert_eq!(next_cursor(&p), 2);
    assert_eq!(server.state().applied.len(), 5);
}

#[tokio::test]
async fn a_server_behind_the_phones_cursor_gets_the_lost_actions_again() {
    let server = Scripted::new(2);
    let p = phone(&server);
    let ids = at_the_door(&p, 2).await;
    // Restored from a backup taken after the first two mutations and the first change: the
    // phone has nothing pending, and its cursor (2) is past the server's feed (1).
    {
        let mut s = server.state();
        s.applied.truncate(2);
        s.log.truncate(1);
    }
    p.core.sync().await.unwrap();
    let applied: Vec<i64> = server
        .state()
        .applied
        .iter()
        .map(|m| m.mutation_id)
        .collect();
    assert_eq!(applied, [1, 2, 3, 4]);
    assert_eq!(p.core.sync_status().unwrap().pending, 0);
    assert_eq!(p.core.task(&ids[1]).unwrap().status, TaskStatus::AtDropoff);
    assert_eq!(next_cursor(&p), 0);
    // Nothing more to send on the next sync, which starts where the re-pull ended.
    p.core.sync().await.unwrap();
    assert_eq!(next_cursor(&p), 1);
    assert_eq!(server.state().applied.len(), 4);
}

#[tokio::test]
async fn the_pull_position_goes_whole_to_the_remote() {
    let server = Scripted::new(3);
    server.state().settings = Some(Settings {
        version: 4,
        ..Settings::default()
    });
    let p = phone(&server);
    p.core.sync().await.unwrap();
    p.core.sync().await.unwrap();
    let pulls = server.state().pulls.clone();
    assert_eq!(pulls[0], PullPosition::default());
    assert_eq!(
        pulls[1],
        PullPosition {
            cursor: 3,
            settings_version: 4,
            checklists_after: 0,
            ratings_after: 0,
            cases_after: 0,
            recalls_after: 0,
            offers_after: 0,
            vehicle_version: 0,
            earnings_after: 0,
            training_after: 0,
            qualifications_after: 0,
        }
    );
    assert_eq!(p.core.settings().unwrap().version, 4);
    // The long-poll asks from the same position.
    assert!(!p
        .core
        .wait_for_changes(Duration::from_secs(1))
        .await
        .unwrap());
    server.state().log.push(Change::UpsertTask {
        task: Box::new(task_doc("T9999")),
    });
    assert!(p
        .core
        .wait_for_changes(Duration::from_secs(1))
        .await
        .unwrap());
}

#[tokio::test]
async fn a_push_token_registered_offline_reaches_the_server_once_and_again_when_it_changes() {
    let server = Scripted::new(1);
    let p = phone(&server);
    let client_id = p.core.client_id().unwrap();
    let sent = |s: &Scripted| -> Vec<(runsheet_protocol::PushPlatform, String)> {
        s.state()
            .push_tokens
            .iter()
            .map(|r| {
                assert_eq!(r.client_id, client_id);
                (r.platform, r.token.clone())
            })
            .collect()
    };
    // Offline: the token is kept, nothing reaches the server.
    p.core
        .register_push_token("fcm:first", PushPlatform::Fcm)
        .unwrap();
    server.script([Fault::Fail(Error::Offline("no network".into()))]);
    assert!(p.core.sync().await.is_err());
    assert!(sent(&server).is_empty());
    // The next sync sends it, once; later syncs and the same token given again send nothing.
    p.core.sync().await.unwrap();
    assert_eq!(
        sent(&server),
        vec![(runsheet_protocol::PushPlatform::Fcm, "fcm:first".to_owned())]
    );
    p.core.sync().await.unwrap();
    p.core
        .register_push_token("fcm:first", PushPlatform::Fcm)
        .unwrap();
    p.core.sync().await.unwrap();
    assert_eq!(sent(&server).len(), 1);
    // A new token: a refused registration does not fail the sync and stays pending.
    p.core
        .register_push_token("fcm:second", PushPlatform::Fcm)
        .unwrap();
    server.state().refuse_push_tokens = 1;
    p.core.sync().await.unwrap();
    assert_eq!(sent(&server).len(), 1);
    p.core.sync().await.unwrap();
    p.core.sync().await.unwrap();
    assert_eq!(
        sent(&server),
        vec![
            (runsheet_protocol::PushPlatform::Fcm, "fcm:first".to_owned()),
            (
                runsheet_protocol::PushPlatform::Fcm,
                "fcm:second".to_owned()
            ),
        ]
    );
    // A token the shell should never have passed is refused, without quoting it, and the
    // registered one stands.
    for bad in ["", "has space", "\u{4ee4}\u{724c}"] {
        match p.core.register_push_token(bad, PushPlatform::Apns) {
            Err(Error::InvalidArgument(why)) => {
                assert!(bad.is_empty() || !why.contains(bad), "{why}")
            }
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    p.core.sync().await.unwrap();
    assert_eq!(sent(&server).len(), 2);
}

#[tokio::test]
async fn a_push_token_is_sent_again_after_a_lost_answer() {
    let server = Scripted::new(0);
    let p = phone(&server);
    p.core
        .register_push_token(&"ab".repeat(32), PushPlatform::Apns)
        .unwrap();
    p.core.sync().await.unwrap();
    assert_eq!(server.state().push_tokens.len(), 1);
    // The server stores a new token but the answer is lost: the phone sends it again (the
    // server replaces the install's token, so twice is harmless), then never more.
    p.core
        .register_push_token(&"cd".repeat(32), PushPlatform::Apns)
        .unwrap();
    let calls_before = server.state().calls.len();
    let lost = Error::Offline("reset".into());
    // Everything before the registration passes; the registration's answer is lost.
    let mut faults: Vec<Fault> = Vec::new();
    {
        // A dry run on a copy tells how many calls a sync makes before the registration.
        let probe = Scripted::new(0);
        let q = phone(&probe);
        q.core.register_push_token("x", PushPlatform::Fcm).unwrap();
        q.core.sync().await.unwrap();
        let calls = probe.state().calls.clone();
        let at = calls
            .iter()
            .position(|c| c.starts_with("push-token"))
            .expect("a sync sends the token");
        faults.extend((0..at).map(|_| Fault::Pass));
    }
    faults.push(Fault::Lost(lost));
    server.script(faults);
    p.core.sync().await.unwrap();
    assert!(server.state().calls.len() > calls_before);
    assert_eq!(server.state().push_tokens.len(), 2);
    p.core.sync().await.unwrap();
    p.core.sync().await.unwrap();
    let tokens: Vec<String> = server
        .state()
        .push_tokens
        .iter()
        .map(|r| r.token.clone())
        .collect();
    assert_eq!(
        tokens,
        vec!["ab".repeat(32), "cd".repeat(32), "cd".repeat(32)]
    );
}

#[tokio::test]
async fn a_sync_after_an_action_is_one_request_when_the_push_answers_the_page() {
    let server = Scripted::new(2);
    server.state().pull_in_push = true;
    server.state().page = 1;
    let p = phone(&server);
    p.core.sync().await.unwrap();
    assert_eq!(p.core.tasks().unwrap().len(), 2);
    server.state().calls.clear();
    // Dispatch changes a task meanwhile: the push's answer brings it.
    let mut changed = task_doc("T0001");
    changed.revision = 2;
    changed.dropoff.name = "new door".into();
    server.state().log.push(Change::UpsertTask {
        task: Box::new(changed),
    });
    p.core.accept("T0000").unwrap();
    let report = p.core.sync().await.unwrap();
    assert_eq!(report.pushed, 1);
    assert_eq!(report.pulled_changes, 1);
    assert_eq!(server.state().calls, vec!["push: Pass".to_owned()]);
    assert_eq!(
        server.state().pulled_in_push,
        vec![PullPosition {
            cursor: 2,
            ..PullPosition::default()
        }]
    );
    let t1 = p.core.task("T0001").unwrap();
    assert_eq!(t1.dropoff.name, "new door");
    assert_eq!(p.core.sync_status().unwrap().pending, 0);
    // A page with more behind it: the rest is pulled, from the page's cursor.
    for i in 0..2 {
        let mut t = task_doc(&format!("T000{i}"));
        t.revision = 3;
        server
            .state()
            .log
            .push(Change::UpsertTask { task: Box::new(t) });
    }
    server.state().calls.clear();
    p.core
        .arrive_manually("T0000", "test: at the shop")
        .unwrap();
    let report = p.core.sync().await.unwrap();
    assert_eq!(report.pulled_changes, 2);
    assert_eq!(
        server.state().calls,
        vec!["push: Pass".to_owned(), "pull: Pass".to_owned()]
    );
    assert_eq!(server.state().pulls.last().map(|at| at.cursor), Some(4));
    // Nothing queued: a plain pull.
    server.state().calls.clear();
    p.core.sync().await.unwrap();
    assert_eq!(server.state().calls, vec!["pull: Pass".to_owned()]);
}

/// Counts task-list updates that changed something.
#[derive(Default)]
struct Updates(Mutex<Vec<runsheet_core::TaskListUpdate>>);

impl runsheet_core::TaskListener for Updates {
    fn on_update(&self, update: runsheet_core::TaskListUpdate) {
        self.0.lock().unwrap().push(update);
    }
}

/// Dispatch changes task `id` (a new door): a new entry in the server's log.
fn dispatch_changes(server: &Scripted, id: &str, revision: i64) {
    let mut t = task_doc(id);
    t.revision = revision;
    t.dropoff.name = format!("door {revision}");
    server
        .state()
        .log
        .push(Change::UpsertTask { task: Box::new(t) });
}

#[tokio::test]
async fn a_sync_after_a_long_poll_that_found_a_change_makes_no_request() {
    let server = Scripted::new(2);
    let p = phone(&server);
    p.core.sync().await.unwrap();
    let updates = Arc::new(Updates::default());
    let _sub = p.core.subscribe(updates.clone()).unwrap();
    server.state().calls.clear();
    dispatch_changes(&server, "T0001", 2);
    assert!(p
        .core
        .wait_for_changes(Duration::from_secs(1))
        .await
        .unwrap());
    assert_eq!(server.state().calls, vec!["wait: Pass".to_owned()]);
    assert_eq!(
        server.state().waits,
        vec![PullPosition {
            cursor: 2,
            ..PullPosition::default()
        }]
    );
    // The long-poll applied nothing.
    assert_eq!(p.core.task("T0001").unwrap().dropoff.name, "customer");
    server.state().calls.clear();
    let report = p.core.sync().await.unwrap();
    assert_eq!(server.state().calls, Vec::<String>::new());
    assert_eq!(report.pulled_changes, 1);
    assert_eq!(report.changed_task_ids, vec!["T0001".to_owned()]);
    assert_eq!(p.core.task("T0001").unwrap().dropoff.name, "door 2");
    let last = updates.0.lock().unwrap().last().cloned().unwrap();
    assert_eq!(last.updated, vec!["T0001".to_owned()]);
    // The page was used once: the next sync pulls, from the page's cursor.
    let report = p.core.sync().await.unwrap();
    assert_eq!(report.pulled_changes, 0);
    assert_eq!(server.state().calls, vec!["pull: Pass".to_owned()]);
    assert_eq!(server.state().pulls.last().map(|at| at.cursor), Some(3));
    // A quiet long-poll keeps nothing: the sync pulls.
    server.state().calls.clear();
    assert!(!p
        .core
        .wait_for_changes(Duration::from_secs(1))
        .await
        .unwrap());
    p.core.sync().await.unwrap();
    assert_eq!(
        server.state().calls,
        vec!["wait: Pass".to_owned(), "pull: Pass".to_owned()]
    );
}

#[tokio::test]
async fn a_long_polls_page_from_before_a_sync_is_not_used() {
    let server = Scripted::new(2);
    let p = phone(&server);
    p.core.sync().await.unwrap();
    server.state().calls.clear();
    dispatch_changes(&server, "T0001", 2);
    // The long-poll asks from cursor 2 and waits; meanwhile a sync brings the change (cursor
    // 3); then the long-poll answers its page from cursor 2, stale now.
    let hold = Arc::new(tokio::sync::Notify::new());
    server.state().hold_wait = Some(hold.clone());
    let (news, report) = tokio::join!(p.core.wait_for_changes(Duration::from_secs(1)), async {
        let report = p.core.sync().await.unwrap();
        hold.notify_one();
        report
    });
    assert!(news.unwrap());
    assert_eq!(report.pulled_changes, 1);
    assert_eq!(
        server.state().calls,
        vec!["pull: Pass".to_owned(), "wait: Pass".to_owned()]
    );
    assert_eq!(server.state().waits.last().map(|at| at.cursor), Some(2));
    // The next sync does not apply the stale page again: it pulls from where the phone is.
    server.state().calls.clear();
    let report = p.core.sync().await.unwrap();
    assert_eq!(report.pulled_changes, 0);
    assert_eq!(server.state().calls, vec!["pull: Pass".to_owned()]);
    assert_eq!(server.state().pulls.last().map(|at| at.cursor), Some(3));
    assert_eq!(p.core.task("T0001").unwrap().dropoff.name, "door 2");
}

#[tokio::test]
async fn with_an_action_queued_the_pushs_page_wins_over_the_long_polls() {
    for pull_in_push in [true, false] {
        let server = Scripted::new(2);
        server.state().pull_in_push = pull_in_push;
        let p = phone(&server);
        p.core.sync().await.unwrap();
        server.state().calls.clear();
        dispatch_changes(&server, "T0001", 2);
        assert!(p
            .core
            .wait_for_changes(Duration::from_secs(1))
            .await
            .unwrap());
        // Dispatch changes the task again after the long-poll answered, and the courier acts.
        dispatch_changes(&server, "T0001", 3);
        p.core.accept("T0000").unwrap();
        server.state().calls.clear();
        let report = p.core.sync().await.unwrap();
        assert_eq!(report.pushed, 1);
        // Both changes came from the push's page (or a pull after a push that answered none),
        // none from the long-poll's page.
        assert_eq!(report.pulled_changes, 2, "pull in push: {pull_in_push}");
        let expected: Vec<String> = if pull_in_push {
            vec!["push: Pass".into()]
        } else {
            vec!["push: Pass".into(), "pull: Pass".into()]
        };
        assert_eq!(server.state().calls, expected);
        assert_eq!(p.core.task("T0001").unwrap().dropoff.name, "door 3");
        assert_eq!(p.core.sync_status().unwrap().pending, 0);
        // And it was dropped: the next sync pulls.
        server.state().calls.clear();
        let report = p.core.sync().await.unwrap();
        assert_eq!(report.pulled_changes, 0);
        assert_eq!(server.state().calls, vec!["pull: Pass".to_owned()]);
    }
}

#[tokio::test]
async fn a_long_polls_page_with_more_behind_it_is_followed_by_a_pull_from_its_cursor() {
    let server = Scripted::new(2);
    server.state().page = 1;
    let p = phone(&server);
    p.core.sync().await.unwrap();
    server.state().calls.clear();
    dispatch_changes(&server, "T0000", 2);
    dispatch_changes(&server, "T0001", 2);
    assert!(p
        .core
        .wait_for_changes(Duration::from_secs(1))
        .await
        .unwrap());
    server.state().calls.clear();
    let report = p.core.sync().await.unwrap();
    assert_eq!(report.pulled_changes, 2);
    assert_eq!(server.state().calls, vec!["pull: Pass".to_owned()]);
    assert_eq!(server.state().pulls.last().map(|at| at.cursor), Some(3));
    assert_eq!(p.core.task("T0000").unwrap().dropoff.name, "door 2");
    assert_eq!(p.core.task("T0001").unwrap().dropoff.name, "door 2");
}
