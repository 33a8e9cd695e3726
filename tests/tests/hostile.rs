//! The server restarted mid-push, a pull interrupted mid-page, a server answering garbage or
//! nonsense, a full disk, a device clock hours off: each time the store is untouched, the error
//! is reported, and the next sync succeeds.

use std::sync::Arc;

use runsheet_core::{Clock, Config, Error, Runsheet, Token};
use runsheet_ffi::{RunsheetError, TaskStatus};
use runsheet_tests::faults::{Fault, FaultProxy};
use runsheet_tests::World;

/// What the phone holds, to compare before and after a failed sync.
async fn snapshot(core: &runsheet_ffi::Runsheet) -> (Vec<(String, TaskStatus, u32)>, u64) {
    let tasks = core
        .tasks()
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.id, t.status, t.pending_actions))
        .collect();
    (tasks, core.sync().status().await.unwrap().pending)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_and_nonsense_answers_change_nothing() {
    let w = World::new();
    let token = w.courier("c1", &["T1", "T2"]).await;
    let nonsense = [
        Fault::respond(200, "", "<html>captive portal</html>"),
        Fault::respond(200, "", r#"{"results": "#),
        Fault::respond(
            200,
            "",
            r#"{"results":[{"mutation_id":99,"outcome":"applied"}],"last_mutation_id":1}"#,
        ),
        Fault::respond(200, "", r#"{"results":[],"last_mutation_id":50}"#),
        Fault::respond(500, "", "not json either"),
        Fault::respond(
            200,
            "",
            r#"{"results":[{"mutation_id":1,"outcome":"teleported"}],"last_mutation_id":1}"#,
        ),
    ];
    for (i, answer) in nonsense.into_iter().enumerate() {
        let phone = format!("phone-{i}");
        let direct = w.open_core(&phone, &token).await;
        direct.sync().now().await.unwrap();
        let first = direct.tasks().all().await.unwrap()[0].id.clone();
        runsheet_tests::walk_to_door(&direct, &[first.as_str()]).await;
        direct.sync().now().await.unwrap();
        drop(direct);
        // First request (the push) gets the nonsense; everything after is real.
        let proxy = FaultProxy::scripted(w.addr(), vec![answer]).await.unwrap();
        let core = w.open_core_via(&phone, &token, &proxy.url()).await;
        core.tasks().mark_delivered(first.clone()).await.unwrap();
        let before = snapshot(&core).await;
        match core.sync().now().await {
            Err(RunsheetError::SyncFailed { .. }) | Err(RunsheetError::Offline { .. }) => {}
            other => panic!("case {i}: expected a sync failure, got {other:?}"),
        }
        assert_eq!(
            snapshot(&core).await,
            before,
            "case {i}: a bad answer changed the phone"
        );
        assert!(
            core.sync().rejections().await.unwrap().is_empty(),
            "case {i}"
        );
        let r = core.sync().now().await.unwrap();
        assert_eq!((r.pushed, r.pending), (1, 0), "case {i}");
        assert_eq!(
            core.tasks().task(first.clone()).await.unwrap().status,
            TaskStatus::Delivered
        );
        let client_id = core.session().client_id().await.unwrap();
        let applied = w
            .dispatch
            .mutations(Some("c1"))
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.client_id == client_id)
            .filter(|m| m.action["type"] == "delivered")
            .count();
        assert_eq!(applied, 1, "case {i}: applied exactly once");
        // The next phone starts from tasks still assigned on the server.
        w.dispatch
            .assign_task(
                &format!("X{i}"),
                "c1",
                runsheet_protocol::TaskKind::Parcel,
                None,
                runsheet_tests::stop("c"),
            )
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_interrupted_mid_page_applies_nothing_and_keeps_the_cursor() {
    let w = World::new();
    let ids: Vec<String> = (0..620).map(|i| format!("T{i:03}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let token = w.courier("c1", &refs).await;
    // No pending actions: the sync is pull page 1 (500), then page 2, which is cut.
    let proxy = FaultProxy::scripted(w.addr(), vec![Fault::None, Fault::TruncateResponse])
        .await
        .unwrap();
    let core = w.open_core_via("phone", &token, &proxy.url()).await;
    assert!(core.sync().now().await.is_err());
    assert!(
        core.tasks().all().await.unwrap().is_empty(),
        "a partial pull was applied"
    );
    let r = core.sync().now().await.unwrap();
    assert_eq!(r.pulled_changes, 620);
    assert_eq!(core.tasks().all().await.unwrap().len(), 620);
    // The cursor was stored once, at the end: nothing comes again.
    assert_eq!(core.sync().now().await.unwrap().pulled_changes, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_restarted_mid_push_gets_each_mutation_once() {
    let w = World::new();
    let ids: Vec<String> = (0..1200).map(|i| format!("T{i:04}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let token = w.courier("c1", &refs).await;
    let core = w.open_core("phone", &token).await;
    core.sync().now().await.unwrap();
    runsheet_tests::walk_to_door(&core, &refs).await;
    core.sync().now().await.unwrap();
    for id in &ids {
        core.tasks().mark_delivered(id.clone()).await.unwrap();
    }
    // Three push batches (500, 500, 200): the server dies after applying the second batch,
    // before answering it.
    let proxy = FaultProxy::scripted(w.addr(), vec![Fault::None, Fault::DropResponse])
        .await
        .unwrap();
    let via = w.open_core_via("phone", &token, &proxy.url()).await;
    drop(core);
    assert!(via.sync().now().await.is_err());
    assert_eq!(via.sync().status().await.unwrap().pending, 700);
    let r = via.sync().now().await.unwrap();
    assert_eq!((r.duplicates, r.pushed, r.pending), (500, 200, 0));
    let recorded = w.dispatch.mutations(Some("c1")).await.unwrap();
    assert_eq!(recorded.len(), 2400 + 1200);
    let mut mids: Vec<i64> = recorded.iter().map(|m| m.mutation_id).collect();
    mids.sort_unstable();
    assert_eq!(mids, (1..=3600).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_with_retry_after_is_reported_with_the_wait() {
    let w = World::new();
    let token = w.courier("c1", &["T1"]).await;
    let proxy = FaultProxy::scripted(
        w.addr(),
        vec![Fault::respond(
            503,
            "retry-after: 7\r\n",
            r#"{"error":"overloaded","reason":"lunch peak"}"#,
        )],
    )
    .await
    .unwrap();
    let core = Runsheet::open(Config {
        db_path: w.device_db("phone"),
        db_key: None,
        server_url: proxy.url(),
        token: Token::new(token),
        clock: Arc::new(runsheet_core::SystemClock),
    })
    .unwrap();
    match core.sync().await {
        Err(e @ Error::Server { status: 503, .. }) => {
            assert_eq!(e.retry_after(), Some(7));
            assert!(e.is_transient());
        }
        other => panic!("expected a 503, got {other:?}"),
    }
    core.sync().await.unwrap();
}

struct Skewed(i64);

impl Clock for Skewed {
    fn now(&self) -> i64 {
        runsheet_core::SystemClock.now() + self.0
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_clock_hours_off_is_measured_and_the_server_orders_by_its_own_clock() {
    let w = World::new();
    let token = w.courier("c1", &["T1", "T2"]).await;
    let five_hours = 5 * 3600;
    let core = Runsheet::open(Config {
        db_path: w.device_db("phone"),
        db_key: None,
        server_url: w.url(),
        token: Token::new(token),
        clock: Arc::new(Skewed(five_hours)),
    })
    .unwrap();
    core.sync().await.unwrap();
    let offset = core.sync_status().unwrap().clock_offset_seconds.unwrap();
    assert!((offset + five_hours).abs() <= 5, "offset {offset}");
    for t in ["T1", "T2"] {
        core.accept(t).unwrap();
        core.arrive_manually(t, "test: at the door").unwrap();
    }
    core.mark_delivered("T1").unwrap();
    core.sync().await.unwrap();
    core.mark_delivered("T2").unwrap();
    core.sync().await.unwrap();
    let recorded = w.dispatch.mutations(Some("c1")).await.unwrap();
    assert_eq!(recorded.len(), 6);
    for m in &recorded {
        // The device's claim is kept as evidence; the server's receipt time is its own.
        assert!(m.device_time - m.received_at >= five_hours - 5);
    }
    assert!(recorded[0].received_at <= recorded[1].received_at);
}
