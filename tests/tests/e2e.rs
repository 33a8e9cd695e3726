//! End to end: the real core (through the FFI crate's API) against the real server on loopback.

use std::sync::Arc;

use runsheet_ffi::{RunsheetError, TaskStatus};
use runsheet_protocol::{Action, Mutation, PushRequest};
use runsheet_server::MutationRecord;
use runsheet_tests::{walk_to_door, Recorder, World, ADMIN};

/// The deliveries among a courier's recorded mutations (the walk to the door comes first).
fn deliveries(recorded: &[MutationRecord]) -> Vec<&MutationRecord> {
    recorded
        .iter()
        .filter(|m| m.action["type"] == "delivered")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_made_while_the_server_is_dead_is_sent_once_after_it_returns() {
    let mut w = World::new();
    let token = w.courier("c1", &["T1", "T2", "T3"]).await;
    let core = w.open_core("phone", &token).await;
    let rec = Arc::new(Recorder::default());
    let _sub = core.tasks().subscribe(rec.clone()).await.unwrap();
    core.sync().now().await.unwrap();
    assert_eq!(core.tasks().all().await.unwrap().len(), 3);
    walk_to_door(&core, &["T1", "T2"]).await;
    assert_eq!(core.sync().now().await.unwrap().pushed, 4);

    core.tasks().mark_delivered("T1".into()).await.unwrap();
    assert_eq!(core.sync().now().await.unwrap().pushed, 1);

    // Mid-shift the server dies.
    w.kill_server();
    core.tasks().mark_delivered("T2".into()).await.unwrap();
    match core.sync().now().await {
        Err(RunsheetError::Offline { .. }) => {}
        other => panic!("expected Offline, got {other:?}"),
    }
    let status = core.sync().status().await.unwrap();
    assert_eq!(status.pending, 1);
    assert!(status.last_error.is_some());
    assert_eq!(status.online, Some(false));
    let t2 = core.tasks().task("T2".into()).await.unwrap();
    assert_eq!(
        t2.status,
        TaskStatus::Delivered,
        "the courier sees their action at once"
    );
    assert_eq!(t2.pending_actions, 1);

    // Another failed attempt changes nothing.
    assert!(core.sync().now().await.is_err());
    assert_eq!(core.sync().status().await.unwrap().pending, 1);

    w.restart_server();
    let r = core.sync().now().await.unwrap();
    assert_eq!((r.pushed, r.duplicates, r.pending), (1, 0, 0));
    // And again: nothing left to send.
    assert_eq!(core.sync().now().await.unwrap().pushed, 0);

    let all = w.dispatch.mutations(Some("c1")).await.unwrap();
    assert!(all.iter().all(|m| m.outcome == "applied"));
    let recorded = deliveries(&all);
    let tasks: Vec<&str> = recorded.iter().map(|m| m.task_id.as_str()).collect();
    assert_eq!(tasks, ["T1", "T2"], "each delivery exactly once, in order");
    let ids: Vec<i64> = recorded.iter().map(|m| m.mutation_id).collect();
    assert_eq!(ids, [5, 6]);
    assert_eq!(
        w.dispatch.task("T2").await.unwrap().task.status,
        runsheet_protocol::TaskStatus::Delivered
    );
    let status = core.sync().status().await.unwrap();
    assert_eq!(status.pending, 0);
    assert!(status.last_error.is_none());
    assert!(status.last_success_at.is_some());
    assert_eq!(status.online, Some(true));

    // The listener saw the first snapshot, then T1 and T2 change.
    let updates = rec.updates.lock().unwrap();
    assert!(updates[0].0.is_empty(), "empty list before the first sync");
    assert_eq!(updates[1].0, ["T1", "T2", "T3"]);
    assert!(updates.iter().any(|u| u.1 == ["T2"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_survives_the_app_being_killed_before_it_syncs() {
    let w = World::new();
    let token = w.courier("c1", &["T1"]).await;
    {
        let core = w.open_core("phone", &token).await;
        core.sync().now().await.unwrap();
        walk_to_door(&core, &["T1"]).await;
        core.sync().now().await.unwrap();
        core.tasks().mark_delivered("T1".into()).await.unwrap();
        // The app is killed here: the core is dropped without syncing.
    }
    let core = w.open_core("phone", &token).await;
    assert_eq!(core.sync().status().await.unwrap().pending, 1);
    assert_eq!(
        core.tasks().task("T1".into()).await.unwrap().status,
        TaskStatus::Delivered
    );
    assert_eq!(core.sync().now().await.unwrap().pushed, 1);
    assert_eq!(w.dispatch.mutations(None).await.unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_whose_answer_was_lost_is_not_applied_twice() {
    let w = World::new();
    let token = w.courier("c1", &["T1", "T2"]).await;
    let core = w.open_core("phone", &token).await;
    core.sync().now().await.unwrap();
    walk_to_door(&core, &["T1", "T2"]).await;
    core.sync().now().await.unwrap();
    core.tasks().mark_delivered("T1".into()).await.unwrap();
    // The push reached the server and was applied, but its answer never came back: replay it
    // as the phone sent it (the same content: the server tells a retry by its content hash).
    let device_time: i64 = rusqlite::Connection::open(w.device_db("phone"))
        .unwrap()
        .query_row(
            "SELECT device_time FROM outbox WHERE mutation_id = 5",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let req = PushRequest {
        pull: None,
        client_id: core.session().client_id().await.unwrap(),
        mutations: vec![Mutation {
            mutation_id: 5,
            device_time,
            action: Action::delivered("T1"),
            context: None,
        }],
        sent_at: None,
    };
    let resp = reqwest::Client::new()
        .post(format!("{}/v1/sync/push", w.url()))
        .bearer_auth(&token)
        .json(&req)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    core.tasks().mark_delivered("T2".into()).await.unwrap();

    let r = core.sync().now().await.unwrap();
    assert_eq!((r.pushed, r.duplicates, r.pending), (1, 1, 0));
    let recorded = w.dispatch.mutations(Some("c1")).await.unwrap();
    assert_eq!(recorded.len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_of_a_task_cancelled_meanwhile_is_a_notice_not_a_loss() {
    let w = World::new();
    let token = w.courier("c1", &["T1", "T2"]).await;
    let core = w.open_core("phone", &token).await;
    core.sync().now().await.unwrap();
    walk_to_door(&core, &["T1", "T2"]).await;
    core.sync().now().await.unwrap();
    // The dispatcher cancels T1 while the courier, offline, delivers it.
    w.dispatch.cancel_task("T1").await.unwrap();
    core.tasks().mark_delivered("T1".into()).await.unwrap();
    core.tasks().mark_delivered("T2".into()).await.unwrap();

    let r = core.sync().now().await.unwrap();
    assert_eq!((r.pushed, r.rejected, r.pending), (1, 1, 0));
    let rejections = core.sync().rejections().await.unwrap();
    assert_eq!(rejections.len(), 1);
    assert_eq!(rejections[0].task_id, "T1");
    assert_eq!(rejections[0].code, "invalid_state");
    // The server recorded the courier's fact, and the phone now shows the server's state.
    let recorded = w.dispatch.mutations(Some("c1")).await.unwrap();
    assert_eq!(deliveries(&recorded).len(), 2);
    assert_eq!(
        core.tasks().task("T1".into()).await.unwrap().status,
        TaskStatus::Cancelled
    );
    // A cancelled task offers nothing more: the rulebook has no next step for it.
    assert_eq!(core.tasks().next_action("T1".into()).await.unwrap(), None);
    assert_eq!(
        core.tasks().task("T2".into()).await.unwrap().status,
        TaskStatus::Delivered
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn couriers_see_only_their_own_tasks_and_bad_tokens_are_typed_errors() {
    let w = World::new();
    let ann = w.courier("ann", &["A1", "A2"]).await;
    let bob = w.courier("bob", &["B1"]).await;
    let a = w.open_core("ann", &ann).await;
    let b = w.open_core("bob", &bob).await;
    a.sync().now().await.unwrap();
    b.sync().now().await.unwrap();
    assert_eq!(ids(&a).await, ["A1", "A2"]);
    assert_eq!(ids(&b).await, ["B1"]);
    match b.tasks().mark_delivered("A1".into()).await {
        Err(RunsheetError::NotFound { task_id, .. }) => assert_eq!(task_id, "A1"),
        other => panic!("expected NotFound, got {other:?}"),
    }

    let stranger = w.open_core("stranger", "not-a-token").await;
    match stranger.sync().now().await {
        Err(e @ RunsheetError::AuthRequired { .. }) => {
            assert!(e.to_string().contains("Sign in again"))
        }
        other => panic!("expected AuthRequired, got {other:?}"),
    }
    // The admin token is not a courier token either.
    stranger.session().set_token(ADMIN.into());
    assert!(matches!(
        stranger.sync().now().await,
        Err(RunsheetError::AuthRequired { .. })
    ));
    // After signing in properly the same core syncs.
    stranger.session().set_token(bob.clone());
    stranger.sync().now().await.unwrap();
    assert_eq!(ids(&stranger).await, ["B1"]);
}

/// The ids of a phone's tasks, in its order.
async fn ids(c: &runsheet_ffi::Runsheet) -> Vec<String> {
    c.tasks()
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect()
}

#[tokio::test]
async fn bad_configuration_is_a_typed_error() {
    let w = World::new();
    let config = runsheet_ffi::RunsheetConfig {
        db_path: w.device_db("x").to_string_lossy().into_owned(),
        db_key: None,
        locale: None,
        server_url: "ftp://example".into(),
        token: "t".into(),
    };
    let r = runsheet_ffi::open_runsheet(config, None).await;
    assert!(matches!(r, Err(RunsheetError::InvalidArgument { .. })));
    let config = runsheet_ffi::RunsheetConfig {
        db_path: w
            .dir
            .path()
            .join("no/such/dir/x.db")
            .to_string_lossy()
            .into_owned(),
        db_key: None,
        locale: None,
        server_url: w.url(),
        token: "t".into(),
    };
    let r = runsheet_ffi::open_runsheet(config, None).await;
    assert!(matches!(r, Err(RunsheetError::Storage { .. })));
}

struct Provider {
    token: Option<String>,
    calls: std::sync::atomic::AtomicU32,
}

impl runsheet_ffi::TokenProvider for Provider {
    fn fresh_token(&self) -> Option<String> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.token.clone()
    }
}

#[derive(Default)]
struct SyncEvents(std::sync::Mutex<Vec<runsheet_ffi::SyncEvent>>);

impl runsheet_ffi::SyncListener for SyncEvents {
    fn on_sync_event(&self, e: runsheet_ffi::SyncEvent) {
        self.0.lock().unwrap().push(e);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_is_refreshed_once_through_the_shells_provider() {
    let w = World::new();
    let good = w.courier("c1", &["T1"]).await;
    let core = w.open_core("phone", "expired-token").await;
    let events = Arc::new(SyncEvents::default());
    let _sub = core.sync().subscribe(events.clone()).await.unwrap();

    // Without a provider: AuthRequired, and the shell hears it must ask for sign-in.
    assert!(matches!(
        core.sync().now().await,
        Err(RunsheetError::AuthRequired { .. })
    ));
    assert!(events.0.lock().unwrap().last().unwrap().auth_required);

    // A provider that cannot help: asked once, still AuthRequired.
    let none = Arc::new(Provider {
        token: None,
        calls: Default::default(),
    });
    core.session().set_token_provider(Some(none.clone()));
    assert!(matches!(
        core.sync().now().await,
        Err(RunsheetError::AuthRequired { .. })
    ));
    assert_eq!(none.calls.load(std::sync::atomic::Ordering::SeqCst), 1);

    // A provider with a fresh token: asked once, the sync goes through, and later syncs use it.
    let fresh = Arc::new(Provider {
        token: Some(good),
        calls: Default::default(),
    });
    core.session().set_token_provider(Some(fresh.clone()));
    core.sync().now().await.unwrap();
    core.sync().now().await.unwrap();
    assert_eq!(fresh.calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(core.tasks().all().await.unwrap().len(), 1);
    assert!(!events.0.lock().unwrap().last().unwrap().auth_required);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_listener_hears_the_queue_failures_and_every_rejection() {
    let mut w = World::new();
    let token = w.courier("c1", &["T1", "T2"]).await;
    let core = w.open_core("phone", &token).await;
    core.sync().now().await.unwrap();
    walk_to_door(&core, &["T1", "T2"]).await;
    core.sync().now().await.unwrap();
    let events = Arc::new(SyncEvents::default());
    let _sub = core.sync().subscribe(events.clone()).await.unwrap();
    assert_eq!(events.0.lock().unwrap()[0].status.pending, 0);

    w.dispatch.cancel_task("T1").await.unwrap();
    core.tasks().mark_delivered("T1".into()).await.unwrap();
    assert_eq!(events.0.lock().unwrap().last().unwrap().status.pending, 1);

    w.kill_server();
    assert!(core.sync().now().await.is_err());
    {
        let ev = events.0.lock().unwrap();
        let last = ev.last().unwrap();
        assert_eq!(last.status.pending, 1);
        assert!(last.status.last_error.is_some());
        assert!(last.new_rejections.is_empty());
    }

    w.restart_server();
    core.sync().now().await.unwrap();
    let ev = events.0.lock().unwrap();
    let last = ev.last().unwrap();
    assert_eq!(last.status.pending, 0);
    assert!(last.status.last_error.is_none());
    assert_eq!(last.new_rejections.len(), 1);
    assert_eq!(last.new_rejections[0].task_id, "T1");
    assert_eq!(last.new_rejections[0].code, "invalid_state");
    // Each rejection is announced once.
    let announced: usize = ev.iter().map(|e| e.new_rejections.len()).sum();
    assert_eq!(announced, 1);
}

/// Polls `f` every 20 ms for up to 20 s: a behavioural wait, not a timing assertion.
async fn eventually<F: std::future::Future<Output = bool>>(what: &str, mut f: impl FnMut() -> F) {
    for _ in 0..1000 {
        if f().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("never happened: {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_sync_sends_actions_by_itself_and_resumes_when_the_network_returns() {
    let mut w = World::new();
    let token = w.courier("c1", &["T1", "T2"]).await;
    let core = w.open_core("phone", &token).await;
    // A long interval: only the start, the actions and the network hint trigger syncs here.
    core.sync().start_auto(3600).unwrap();
    eventually("the first automatic sync pulls the tasks", || async {
        core.tasks()
            .all()
            .await
            .map(|t| t.len() == 2)
            .unwrap_or(false)
    })
    .await;
    walk_to_door(&core, &["T1", "T2"]).await;

    core.tasks().mark_delivered("T1".into()).await.unwrap();
    eventually("the action is pushed without a sync() call", || async {
        core.sync()
            .status()
            .await
            .map(|s| s.pending == 0)
            .unwrap_or(false)
    })
    .await;

    w.kill_server();
    core.tasks().mark_delivered("T2".into()).await.unwrap();
    eventually("the failed attempt is recorded", || async {
        core.sync()
            .status()
            .await
            .map(|s| s.last_error.is_some())
            .unwrap_or(false)
    })
    .await;
    assert_eq!(core.sync().status().await.unwrap().pending, 1);

    w.restart_server();
    core.sync().network_available();
    eventually(
        "the queued action goes out after the network hint",
        || async {
            core.sync()
                .status()
                .await
                .map(|s| s.pending == 0)
                .unwrap_or(false)
        },
    )
    .await;
    let recorded = w.dispatch.mutations(Some("c1")).await.unwrap();
    let tasks: Vec<&str> = deliveries(&recorded)
        .iter()
        .map(|m| m.task_id.as_str())
        .collect();
    assert_eq!(tasks, ["T1", "T2"]);
    assert_eq!(recorded.len(), 6, "the walk and the deliveries, once each");
    core.sync().stop_auto();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proof_photos_follow_the_delivery_and_never_block_it() {
    use runsheet_ffi::UploadState;
    let mut w = World::new();
    let token = w.courier("c1", &["T1", "T2"]).await;
    let core = w.open_core("phone", &token).await;
    core.sync().now().await.unwrap();
    walk_to_door(&core, &["T1", "T2"]).await;
    core.sync().now().await.unwrap();
    let photos = w.dir.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    let door = photos.join("door.jpg");
    std::fs::write(&door, b"JPEG bytes of a parcel at the door").unwrap();

    // Offline: the photo is recorded and the delivery saved at once.
    w.kill_server();
    let a = core
        .scans()
        .attach_file(door.to_string_lossy().into_owned())
        .await
        .unwrap();
    assert_eq!(a.sha256.len(), 64);
    assert_eq!(a.state, UploadState::Pending);
    // Recording the same photo again is the same attachment.
    assert_eq!(
        core.scans()
            .attach_file(door.to_string_lossy().into_owned())
            .await
            .unwrap()
            .sha256,
        a.sha256
    );
    core.tasks()
        .mark_delivered_with_proof("T1".into(), vec![a.sha256.clone()])
        .await
        .unwrap();
    assert_eq!(core.sync().status().await.unwrap().pending_uploads, 1);
    // A hash the phone never recorded is refused, and nothing is queued.
    assert!(matches!(
        core.tasks()
            .mark_delivered_with_proof("T2".into(), vec!["0".repeat(64)])
            .await,
        Err(RunsheetError::InvalidArgument { .. })
    ));
    assert_eq!(core.sync().status().await.unwrap().pending, 1);

    w.restart_server();
    let r = core.sync().now().await.unwrap();
    assert_eq!((r.pushed, r.uploaded), (1, 1));
    assert_eq!(
        core.scans().attachments().await.unwrap()[0].state,
        UploadState::Uploaded
    );
    assert_eq!(core.sync().status().await.unwrap().pending_uploads, 0);
    let recorded = w.dispatch.mutations(Some("c1")).await.unwrap();
    assert_eq!(
        deliveries(&recorded)[0].action["proof"][0],
        a.sha256.as_str()
    );
    let bytes = reqwest::Client::new()
        .get(format!("{}/v1/dispatch/attachments/{}", w.url(), a.sha256))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), b"JPEG bytes of a parcel at the door");

    // A photo deleted before it could be sent is reported, not silently dropped.
    let lost = photos.join("lost.jpg");
    std::fs::write(&lost, b"another photo").unwrap();
    let l = core
        .scans()
        .attach_file(lost.to_string_lossy().into_owned())
        .await
        .unwrap();
    core.tasks()
        .mark_delivered_with_proof("T2".into(), vec![l.sha256.clone()])
        .await
        .unwrap();
    std::fs::remove_file(&lost).unwrap();
    let r = core.sync().now().await.unwrap();
    assert_eq!((r.pushed, r.uploaded), (1, 0));
    let state = core
        .scans()
        .attachments()
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.sha256 == l.sha256)
        .unwrap()
        .state;
    assert_eq!(state, UploadState::Missing);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn location_fixes_are_capped_offline_sent_last_and_stored_once() {
    let mut w = World::new();
    let token = w.courier("c1", &["T1"]).await;
    let core = w.open_core("phone", &token).await;
    core.sync().now().await.unwrap();
    w.kill_server();
    // A long offline stretch with a small buffer: the oldest fixes go first.
    let raw = runsheet_core::Runsheet::open(runsheet_core::Config {
        db_path: w.device_db("phone"),
        db_key: None,
        server_url: w.url(),
        token: runsheet_core::Token::new(token.clone()),
        clock: Arc::new(runsheet_core::SystemClock),
    })
    .unwrap();
    raw.set_location_buffer_cap(50);
    let mut dropped = 0;
    for i in 0..80 {
        dropped += raw
            .record_location(30.27 + i as f64 * 1e-4, 120.15, 5.0)
            .unwrap();
    }
    assert_eq!(dropped, 30);
    let s = raw.sync_status().unwrap();
    assert_eq!((s.pending_fixes, s.dropped_fixes), (50, 30));
    assert!(matches!(
        raw.record_location(91.0, 0.0, 5.0),
        Err(runsheet_core::Error::InvalidArgument(_))
    ));
    assert!(matches!(
        core.navigation().record_location(0.0, 0.0, f64::NAN).await,
        Err(RunsheetError::InvalidArgument { .. })
    ));
    drop(raw);

    w.restart_server();
    walk_to_door(&core, &["T1"]).await;
    core.tasks().mark_delivered("T1".into()).await.unwrap();
    core.sync().now().await.unwrap();
    let s = core.sync().status().await.unwrap();
    assert_eq!((s.pending, s.pending_fixes, s.dropped_fixes), (0, 0, 0));
    let track = w.dispatch.track("c1", 0).await.unwrap();
    assert_eq!(track.fixes.len(), 50);
    assert_eq!(track.dropped, 30);
    // The newest 50 were kept, in order.
    let seqs: Vec<i64> = track.fixes.iter().map(|f| f.seq).collect();
    assert_eq!(seqs, (31..=80).collect::<Vec<_>>());
    // Nothing is sent twice.
    core.sync().now().await.unwrap();
    assert_eq!(w.dispatch.track("c1", 0).await.unwrap().fixes.len(), 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reassignment_race_keeps_the_fact_and_opens_an_after_sales_case() {
    let w = World::new();
    let ann = w.courier("ann", &["T1", "T2"]).await;
    let bob = w.courier("bob", &[]).await;
    let a = w.open_core("ann", &ann).await;
    let b = w.open_core("bob", &bob).await;
    a.sync().now().await.unwrap();
    walk_to_door(&a, &["T1"]).await;
    a.sync().now().await.unwrap();
    // Ann, offline, delivers T1 while dispatch hands it to Bob.
    a.tasks().mark_delivered("T1".into()).await.unwrap();
    w.dispatch.reassign_task("T1", "bob").await.unwrap();

    let r = a.sync().now().await.unwrap();
    assert_eq!((r.rejected, r.pending), (1, 0));
    let notice = &a.sync().rejections().await.unwrap()[0];
    assert_eq!(
        (notice.task_id.as_str(), notice.code.as_str()),
        ("T1", "not_your_task")
    );
    let ids: Vec<String> = a
        .tasks()
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(ids, ["T2"], "the reassigned task left Ann's list");
    b.sync().now().await.unwrap();
    assert_eq!(
        b.tasks().task("T1".into()).await.unwrap().status,
        TaskStatus::Assigned
    );

    let cases = w.dispatch.after_sales().await.unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].kind, "fact_on_reassigned_task");
    assert_eq!(
        (cases[0].task_id.as_str(), cases[0].courier_id.as_str()),
        ("T1", "ann")
    );
    // Bob, who holds it now, delivers it normally.
    walk_to_door(&b, &["T1"]).await;
    b.tasks().mark_delivered("T1".into()).await.unwrap();
    assert_eq!(b.sync().now().await.unwrap().pushed, 3);
    assert_eq!(w.dispatch.after_sales().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_of_a_cancelled_task_opens_an_after_sales_case() {
    let w = World::new();
    let token = w.courier("c1", &["T1"]).await;
    let core = w.open_core("phone", &token).await;
    core.sync().now().await.unwrap();
    walk_to_door(&core, &["T1"]).await;
    core.sync().now().await.unwrap();
    w.dispatch.cancel_task("T1").await.unwrap();
    core.tasks().mark_delivered("T1".into()).await.unwrap();
    core.sync().now().await.unwrap();
    let cases = w.dispatch.after_sales().await.unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].kind, "fact_on_closed_task");
    assert!(cases[0].detail.contains("delivered"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispatcher_update_arrives_under_the_couriers_pending_action() {
    let w = World::new();
    let token = w.courier("c1", &["T1"]).await;
    let core = w.open_core("phone", &token).await;
    core.sync().now().await.unwrap();
    walk_to_door(&core, &["T1"]).await;
    core.sync().now().await.unwrap();
    // The courier delivers offline; meanwhile dispatch corrects the address and promise.
    core.tasks().mark_delivered("T1".into()).await.unwrap();
    let mut corrected = runsheet_tests::stop("Customer");
    corrected.address = "Gate 2, 1 Test Road".into();
    corrected.due_by = Some(1_795_409_999);
    w.dispatch
        .update_task("T1", None, Some(corrected))
        .await
        .unwrap();
    // The pull brings the update; the courier's delivery stays applied on top of it.
    let r = core.sync().now().await.unwrap();
    assert_eq!(r.pushed, 1);
    let t = core.tasks().task("T1".into()).await.unwrap();
    assert_eq!(t.dropoff.address, "Gate 2, 1 Test Road");
    assert_eq!(t.dropoff.due_by, Some(1_795_409_999));
    assert_eq!(t.status, TaskStatus::Delivered);
    // Updating a finished task is refused.
    assert!(w
        .dispatch
        .update_task("T1", None, Some(runsheet_tests::stop("x")))
        .await
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platform_settings_reach_the_phone_and_apply() {
    let w = World::new();
    let token = w.courier("c1", &[]).await;
    let core = w.open_core("phone", &token).await;
    core.sync().now().await.unwrap();
    assert_eq!(
        core.session().settings().await.unwrap().version,
        0,
        "defaults until published"
    );
    let published = w
        .dispatch
        .publish_settings(&runsheet_protocol::Settings {
            version: 0,
            auto_sync_interval_s: 30,
            location_buffer_cap: 100,
            customer_data_retention_h: 12,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(published.version, 1);
    core.sync().now().await.unwrap();
    let s = core.session().settings().await.unwrap();
    assert_eq!(
        (
            s.version,
            s.auto_sync_interval_s,
            s.location_buffer_cap,
            s.customer_data_retention_h
        ),
        (1, 30, 100, 12)
    );
    // The buffer cap applies at once.
    let mut dropped = 0;
    for _ in 0..150 {
        dropped += core
            .navigation()
            .record_location(30.0, 120.0, 5.0)
            .await
            .unwrap();
    }
    assert_eq!(dropped, 50);
    // Out-of-range settings are refused by the server, and the phone keeps what it has.
    let bad = runsheet_protocol::Settings {
        auto_sync_interval_s: 1,
        ..runsheet_protocol::Settings::default()
    };
    assert!(w.dispatch.publish_settings(&bad).await.is_err());
    core.sync().now().await.unwrap();
    assert_eq!(core.session().settings().await.unwrap().version, 1);
    // Settings survive a restart of the app.
    drop(core);
    let again = w.open_core("phone", &token).await;
    assert_eq!(
        again
            .session()
            .settings()
            .await
            .unwrap()
            .location_buffer_cap,
        100
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_or_revoked_token_is_replaced_through_the_shells_provider() {
    let server_now = Arc::new(std::sync::atomic::AtomicI64::new(1_800_000_000));
    let w = World::with_clock(Some(server_now.clone()));
    let first = w.courier("c1", &["T1"]).await;
    let core = w.open_core("phone", &first).await;
    core.sync().now().await.unwrap();
    // The shift outlasts the token: the server answers 401 token_expired, the core asks the
    // shell's provider (whose login backend got a fresh token from dispatch) and goes on.
    server_now.fetch_add(
        runsheet_server::DEFAULT_TOKEN_LIFETIME_S,
        std::sync::atomic::Ordering::SeqCst,
    );
    let second = w.dispatch.issue_token("c1").await.unwrap();
    let provider = Arc::new(Provider {
        token: Some(second),
        calls: Default::default(),
    });
    core.session().set_token_provider(Some(provider.clone()));
    core.sync().now().await.unwrap();
    assert_eq!(provider.calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    core.sync().now().await.unwrap();
    assert_eq!(provider.calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    // Dispatch revokes the courier's tokens (a lost phone): refused at the next sync, and a
    // provider with nothing better leaves the phone signed out, its actions kept.
    w.dispatch.revoke_tokens("c1").await.unwrap();
    core.tasks().accept("T1".into()).await.unwrap();
    let signed_out = Arc::new(Provider {
        token: None,
        calls: Default::default(),
    });
    core.session().set_token_provider(Some(signed_out.clone()));
    assert!(matches!(
        core.sync().now().await,
        Err(RunsheetError::AuthRequired { .. })
    ));
    assert_eq!(
        signed_out.calls.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    assert_eq!(
        core.tasks()
            .task("T1".into())
            .await
            .unwrap()
            .pending_actions,
        1
    );
}
