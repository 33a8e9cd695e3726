//! What a push, a pull and a dispatcher's task creation cost PostgreSQL in round trips, counted
//! by the replica's store: a push of everyday work is at most three whatever its size, a pull
//! one, a task creation two (and it answers as the transaction it replaces). (On SQLite, which
//! runs in-process, nothing is counted; the suite skips without `RUNSHEET_TEST_POSTGRES`.)

use runsheet_protocol::{
    expiry, Action, ArrivalMethod, Change, ItemDoc, Mutation, MutationOutcome, QuizQuestion,
    StopDoc, StopRole, TaskDoc, TaskKind, TaskStatus, TemperatureClass, TrainingModule,
    TrainingPage,
};
use runsheet_server::db::push_batch::push_fewest_trips;
use runsheet_server::db::sync::{self, PullPosition, Pushed};
use runsheet_server::db::task_creation::{self, create_fewest_trips};
use runsheet_server::db::{
    couriers, earnings, handoff_codes, mutations, pin_corrections, tasks, training, RoundTrips,
};
use runsheet_server::{Clock, Db, DbConfig, PoolLimits, Refusal, StoreError};

fn stop(name: &str) -> StopDoc {
    StopDoc::new(name, "1 Round Trip Road", 31.2, 121.4)
}

fn task(id: &str) -> TaskDoc {
    TaskDoc {
        id: id.into(),
        kind: TaskKind::Food,
        status: TaskStatus::Assigned,
        pickup: Some(stop("shop")),
        dropoff: stop("door"),
        revision: 1,
        ordered_at: None,
        items: vec![],
        return_to: None,
        handoff_code: None,
        contactless: false,
        proof: Default::default(),
        customer_locale: None,
        case_id: None,
        take_back: Vec::new(),
        handovers: Vec::new(),
        cash_due: None,
        locker: None,
    }
}

/// The whole walk of a task: accept, arrive, pick up, arrive, deliver.
fn walk(task_id: &str) -> Vec<Action> {
    let arrive = |stop| Action::Arrive {
        task_id: task_id.into(),
        stop,
        method: ArrivalMethod::Gps,
        reason: None,
    };
    vec![
        Action::Accept {
            task_id: task_id.into(),
        },
        arrive(StopRole::Pickup),
        Action::PickUp {
            task_id: task_id.into(),
        },
        arrive(StopRole::Dropoff),
        Action::Delivered {
            task_id: task_id.into(),
            proof: vec![],
        },
    ]
}

fn batch(first_id: i64, actions: Vec<Action>) -> Vec<Pushed> {
    actions
        .into_iter()
        .enumerate()
        .map(|(i, action)| {
            Pushed::Valid(Mutation {
                mutation_id: first_id + i as i64,
                device_time: 1_795_400_000 + i as i64,
                action,
                context: None,
            })
        })
        .collect()
}

fn position(cursor: i64) -> PullPosition {
    PullPosition {
        client_id: "phone".into(),
        cursor,
        limit: 100,
        settings_version: 0,
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
}

async fn pull(db: &Db, cursor: i64) -> runsheet_protocol::PullResponse {
    let at = position(cursor);
    db.run_autocommit(move |tx| sync::pull(tx, &Clock::system(), "c1", &at))
        .await
        .unwrap()
}

async fn push(db: &Db, items: Vec<Pushed>) -> runsheet_protocol::PushResponse {
    push_fewest_trips(
        db,
        Clock::system(),
        ("c1".into(), "phone".into()),
        items,
        None,
        None,
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_costs_at_most_three_round_trips_and_a_pull_one() {
    // One connection, so that every statement is prepared once and then kept.
    let Some(db) = postgres_store("trips", 1).await else {
        return;
    };
    db.run(|tx| {
        couriers::create(tx, "c1", "C", "digest-c1", 0)?;
        for i in 0..40 {
            tasks::create(tx, task(&format!("t{i}")), Some("c1"), 1_795_400_000)?;
        }
        Ok(())
    })
    .await
    .unwrap();

    // Warm up: the statements are prepared on the connection.
    let first = push(&db, batch(1, walk("t0"))).await;
    assert!(first
        .results
        .iter()
        .all(|r| r.outcome == MutationOutcome::Applied));
    let page = pull(&db, 0).await;

    // The transaction (what every push cost before): one mutation, some ten round trips.
    let before = db.round_trips();
    let one = batch(
        6,
        vec![Action::Accept {
            task_id: "t39".into(),
        }],
    );
    let resp = db
        .run(move |tx| sync::push(tx, &Clock::system(), "c1", "phone", &one, None))
        .await
        .unwrap();
    assert_eq!(resp.results[0].outcome, MutationOutcome::Applied);
    let in_transaction = (db.round_trips() - before).executed;
    assert!(in_transaction > 3, "{in_transaction}");
    eprintln!("round trips of a one-mutation push in a transaction: {in_transaction}");

    // Batches of 1, 5 and 35 mutations (seven tasks walked whole), then a retry of the last.
    let mut next_id = 7;
    let mut sizes = vec![];
    for tasks_in_batch in [0usize, 1, 7] {
        let actions: Vec<Action> = if tasks_in_batch == 0 {
            vec![Action::Accept {
                task_id: "t1".into(),
            }]
        } else {
            (0..tasks_in_batch)
                .flat_map(|k| walk(&format!("t{}", 2 + k + tasks_in_batch * 3)))
                .collect()
        };
        let n = actions.len() as i64;
        let before = db.round_trips();
        let resp = push(&db, batch(next_id, actions)).await;
        let cost = db.round_trips() - before;
        assert_eq!(resp.last_mutation_id, next_id + n - 1);
        assert!(resp
            .results
            .iter()
            .all(|r| r.outcome == MutationOutcome::Applied));
        assert!(
            cost.executed <= 3 && cost.prepared == 0,
            "a push of {n} mutations cost {cost:?}"
        );
        sizes.push((n, cost));
        next_id += n;
    }
    let retry = batch(
        next_id - 35,
        (2..9).flat_map(|k| walk(&format!("t{}", k + 21))).collect(),
    );
    let before = db.round_trips();
    let resp = push(&db, retry).await;
    let cost = db.round_trips() - before;
    assert!(resp
        .results
        .iter()
        .all(|r| r.outcome == MutationOutcome::Duplicate));
    assert!(cost.executed <= 3, "a retried push cost {cost:?}");

    // A pull, with its page of changes: one statement.
    let before = db.round_trips();
    let later = pull(&db, page.cursor).await;
    let cost = db.round_trips() - before;
    assert_eq!(
        cost,
        RoundTrips {
            executed: 1,
            prepared: 0
        }
    );
    // t1 accepted, eight tasks delivered (one in the batch of 5, seven in the batch of 35).
    let upserted: Vec<&TaskDoc> = later
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::UpsertTask { task } => Some(task.as_ref()),
            Change::RemoveTask { .. } => None,
        })
        .collect();
    assert!(upserted
        .iter()
        .any(|t| t.id == "t1" && t.status == TaskStatus::Accepted));
    assert_eq!(
        upserted
            .iter()
            .filter(|t| t.status == TaskStatus::Delivered)
            .map(|t| t.id.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        8
    );
    assert_eq!(later.last_mutation_id, next_id - 1);

    // Every mutation recorded, applied, with a bounded time never after receipt.
    let records = db
        .run(|tx| mutations::list(tx, Some("c1"), None))
        .await
        .unwrap();
    assert_eq!(records.len() as i64, next_id - 1);
    assert!(records.iter().all(|r| r.outcome == "applied"));
    assert!(records
        .iter()
        .all(|r| r.bounded_time.is_some_and(|b| b <= r.received_at)));
    eprintln!("round trips per push (mutations, cost): {sizes:?}");
    db.close();
}

/// A batch the one statement does not take (a shift event) still applies, in a transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_of_other_work_takes_the_transaction() {
    let Some(config) = tokio::task::spawn_blocking(|| runsheet_server::test_postgres("other"))
        .await
        .unwrap()
    else {
        return;
    };
    let db = tokio::task::spawn_blocking(move || Db::open(&config))
        .await
        .unwrap()
        .unwrap();
    db.run(|tx| {
        couriers::create(tx, "c1", "C", "digest-c1", 0)?;
        tasks::create(tx, task("t0"), Some("c1"), 1_795_400_000)?;
        Ok(())
    })
    .await
    .unwrap();
    let mut actions = vec![Action::Shift {
        event: runsheet_protocol::ShiftEvent::Start,
    }];
    actions.extend(walk("t0"));
    let before = db.round_trips();
    let resp = push(&db, batch(1, actions)).await;
    let cost = db.round_trips() - before;
    assert_eq!(resp.last_mutation_id, 6);
    assert!(resp
        .results
        .iter()
        .all(|r| r.outcome == MutationOutcome::Applied));
    assert!(cost.executed > 3, "{cost:?}");
    db.close();
}

/// A task from `shop` to a door about 1.4 km away (so its pay has a distance line).
fn far_task(id: &str) -> TaskDoc {
    let mut t = task(id);
    t.dropoff.lat = 31.21;
    t.dropoff.lon = 121.41;
    t
}

/// Courier c1 with `tasks` (each a [`far_task`]) assigned to them.
async fn seed(db: &Db, tasks: &[&str]) {
    let ids: Vec<String> = tasks.iter().map(|t| (*t).to_owned()).collect();
    db.run(move |tx| {
        couriers::create(tx, "c1", "C", "digest-c1", 0)?;
        for id in &ids {
            tasks::create(tx, far_task(id), Some("c1"), 1_795_400_000)?;
        }
        Ok(())
    })
    .await
    .unwrap();
}

/// The walk of `task_id` with device times: ten minutes waited at the pickup.
fn timed_walk(first_id: i64, task_id: &str, at: i64) -> (Vec<Pushed>, Vec<Pushed>) {
    let mut items = batch(first_id, walk(task_id));
    for (i, item) in items.iter_mut().enumerate() {
        if let Pushed::Valid(m) = item {
            m.device_time = at + [0, 60, 660, 1200, 1260][i];
        }
    }
    let second = items.split_off(3);
    (items, second)
}

/// The courier's pay lines as (id, kind, amount, earned at).
async fn lines(db: &Db, courier: &'static str) -> Vec<(String, String, i64, i64)> {
    let mut l: Vec<_> = db
        .run(move |tx| earnings::after(tx, courier, 0))
        .await
        .unwrap()
        .into_iter()
        .map(|l| {
            (
                l.id,
                l.kind.as_str().to_owned(),
                l.amount.minor,
                l.earned_at,
            )
        })
        .collect();
    l.sort();
    l
}

/// A delivery's pay is written by the push's one statement, the same lines as the
/// transaction computes from the same history; with an incentive programme running, the push
/// leaves the pay to the transaction that also decides the week's bonus.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_is_paid_in_the_push_statement() {
    let Some(db) = postgres_store("trips_pay", 1).await else {
        return;
    };
    seed(&db, &["warm", "paid", "bonus"]).await;
    let now = Clock::system().now();
    // Warm up the statements (a whole walk in one push).
    let (a, b) = timed_walk(1, "warm", now - 4000);
    push(&db, a.into_iter().chain(b).collect()).await;

    // The walk in two pushes: the delivery's push reads the wait from the first one's records.
    let (first, second) = timed_walk(6, "paid", now - 2000);
    push(&db, first).await;
    let before = db.round_trips();
    let resp = push(&db, second).await;
    let cost = db.round_trips() - before;
    assert!(resp
        .results
        .iter()
        .all(|r| r.outcome == MutationOutcome::Applied));
    assert!(
        cost.executed <= 2 && cost.prepared == 0,
        "a delivering push cost {cost:?}"
    );
    let paid = lines(&db, "c1").await;
    let kinds: Vec<&str> = paid
        .iter()
        .filter(|l| l.0.starts_with("pay:paid:"))
        .map(|l| l.1.as_str())
        .collect();
    for kind in ["base", "distance", "waiting"] {
        assert!(kinds.contains(&kind), "{kind} missing from {paid:?}");
    }

    // The transaction's pay from the same history is the same, line for line.
    db.run(|tx| {
        tx.execute(
            "DELETE FROM earning_lines WHERE courier_id = ?1",
            runsheet_server::params!["c1"],
        )?;
        assert_eq!(earnings::settle(tx, "c1")?, 2);
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(lines(&db, "c1").await, paid);

    // An incentive programme runs: the push's statement writes no pay, the transaction after
    // it pays the task and the bonus the delivery completes.
    db.run(|tx| {
        let mut s = runsheet_protocol::Settings::default();
        s.pay.incentives.push(runsheet_protocol::Incentive {
            id: "any-delivery".into(),
            target_deliveries: 1,
            min_on_time_bp: 0,
            bonus_minor: 1000,
        });
        runsheet_server::db::settings::publish(tx, s)?;
        Ok(())
    })
    .await
    .unwrap();
    let (a, b) = timed_walk(11, "bonus", now - 1500);
    let before = db.round_trips();
    push(&db, a.into_iter().chain(b).collect()).await;
    assert!((db.round_trips() - before).executed > 3);
    let after = lines(&db, "c1").await;
    assert!(
        after.iter().any(|l| l.0.starts_with("pay:bonus:")),
        "{after:?}"
    );
    assert!(after.iter().any(|l| l.1 == "bonus"), "{after:?}");
    db.close();
}

/// A phone's sync after `actions` (ids from `first`), its pull at `cursor`: the answer and what
/// it cost.
async fn sync_after(
    db: &Db,
    first: i64,
    actions: Vec<Action>,
    cursor: i64,
) -> (runsheet_protocol::PushResponse, RoundTrips) {
    let before = db.round_trips();
    let resp = push_fewest_trips(
        db,
        Clock::system(),
        ("c1".into(), "phone".into()),
        batch(first, actions),
        None,
        Some(position(cursor)),
    )
    .await
    .unwrap();
    (resp, db.round_trips() - before)
}

/// The sync after an action: a push carrying the pull's position answers the page in the
/// push's own statement (two round trips in all, the delivery's pay included), the same page
/// a pull from that position reads after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_answers_the_pull_page_in_its_statement() {
    let Some(db) = postgres_store("trips_page", 1).await else {
        return;
    };
    seed(&db, &["warm", "t1", "t2"]).await;
    // Warm up (statements prepared), then walk t1 a step at a time as a phone does.
    let (warm, _) = sync_after(&db, 1, walk("warm"), 0).await;
    let mut cursor = warm.pulled.expect("a page").cursor;
    for (i, action) in walk("t1").into_iter().enumerate() {
        let (resp, cost) = sync_after(&db, 6 + i as i64, vec![action], cursor).await;
        assert_eq!(resp.results[0].outcome, MutationOutcome::Applied);
        assert!(
            cost.executed <= 2 && cost.prepared == 0,
            "a sync after an action cost {cost:?}"
        );
        let page = *resp.pulled.expect("the push answers the page");
        // The page holds the step just applied, and is what a pull from there reads.
        assert!(page.changes.iter().any(|c| matches!(c,
            Change::UpsertTask { task } if task.id == "t1")));
        let mut read = pull(&db, cursor).await;
        read.server_time = page.server_time;
        assert_eq!(
            serde_json::to_value(&page).unwrap(),
            serde_json::to_value(&read).unwrap()
        );
        if i == 4 {
            // The delivery's pay is in the page that answered it.
            assert!(
                page.earnings.iter().any(|l| l.id == "pay:t1:base"),
                "{:?}",
                page.earnings
            );
        }
        cursor = page.cursor;
    }
    db.close();
}

/// A store on PostgreSQL over `max_connections` connections, or `None` without
/// `RUNSHEET_TEST_POSTGRES` (the test skips).
async fn postgres_store(label: &'static str, max_connections: u32) -> Option<Db> {
    let Some(DbConfig::Postgres { url, .. }) =
        tokio::task::spawn_blocking(move || runsheet_server::test_postgres(label))
            .await
            .unwrap()
    else {
        return None;
    };
    let config = DbConfig::Postgres {
        url,
        pool: PoolLimits {
            max_connections,
            ..PoolLimits::default()
        },
    };
    Some(
        tokio::task::spawn_blocking(move || Db::open(&config))
            .await
            .unwrap()
            .unwrap(),
    )
}

/// Creates a task as the dispatch API does, with a handoff code when given.
async fn create(
    db: &Db,
    doc: TaskDoc,
    courier: Option<&str>,
    code: Option<&str>,
) -> Result<TaskDoc, StoreError> {
    create_fewest_trips(
        db,
        Clock::system(),
        doc,
        courier.map(str::to_owned),
        code.map(str::to_owned),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_creation_costs_two_round_trips() {
    // One connection, so that every statement is prepared once and then kept.
    let Some(db) = postgres_store("create_trips", 1).await else {
        return;
    };
    db.run(|tx| couriers::create(tx, "c1", "C", "digest-c1", 0))
        .await
        .unwrap();
    // Warm up: the statements are prepared on the connection.
    create(&db, task("w1"), Some("c1"), Some("1234"))
        .await
        .unwrap();
    create(&db, task("w2"), None, None).await.unwrap();

    // The transaction (what every creation cost before).
    let before = db.round_trips();
    db.run(|tx| tasks::create(tx, task("x1"), Some("c1"), 1_795_400_000))
        .await
        .unwrap();
    let in_transaction = (db.round_trips() - before).executed;
    assert!(in_transaction > 2, "{in_transaction}");
    eprintln!("round trips of a task creation in a transaction: {in_transaction}");

    // A waiting pull of the courier is woken by the creation.
    let watch = db.feed().watch("c1");
    let woken = watch.notify().notified();
    tokio::pin!(woken);
    woken.as_mut().enable();

    for (id, courier, code) in [
        ("n1", Some("c1"), None),
        ("n2", None, None),
        ("n3", Some("c1"), Some("4321")),
    ] {
        let before = db.round_trips();
        let created = create(&db, task(id), courier, code).await.unwrap();
        let cost = db.round_trips() - before;
        assert_eq!(
            cost,
            RoundTrips {
                executed: 2,
                prepared: 0
            },
            "creating {id}"
        );
        let id_ = id.to_owned();
        let stored = db.run(move |tx| tasks::load(tx, &id_)).await.unwrap();
        assert_eq!(stored, Some((created, courier.map(str::to_owned))));
    }
    tokio::time::timeout(std::time::Duration::from_secs(5), woken)
        .await
        .expect("the courier's waiting pull is woken");

    // The courier's change log has their tasks, in order; the customer's code is kept.
    let (log, verdict) = db
        .run(|tx| {
            let log = tasks::changes_after(tx, "c1", 0, 100)?;
            let verdict = handoff_codes::check(tx, "n3", Some("4321"), 1_795_400_000)?;
            Ok((log, verdict))
        })
        .await
        .unwrap();
    let log: Vec<(&str, &str)> = log
        .iter()
        .map(|(_, t, op)| (t.as_str(), op.as_str()))
        .collect();
    assert_eq!(
        log,
        [
            ("w1", "upsert"),
            ("x1", "upsert"),
            ("n1", "upsert"),
            ("n3", "upsert")
        ]
    );
    assert_eq!(verdict, handoff_codes::Verdict::Matched);
    db.close();
}

/// The cold-chain module: needed for chilled goods, valid 12 months; right answers 0, 1.
fn cold_chain() -> TrainingModule {
    let q = |id: &str, correct| QuizQuestion {
        id: id.into(),
        text: format!("question {id}"),
        choices: vec!["a".into(), "b".into()],
        correct,
    };
    TrainingModule {
        id: "cold-chain".into(),
        version: 0,
        seq: 0,
        title: "Cold chain".into(),
        pages: vec![TrainingPage {
            text: "Chilled goods stay at 0 to 4 °C.".into(),
            images: vec![],
        }],
        quiz: vec![q("q1", 0), q("q2", 1)],
        pass_mark_pct: 100,
        required_for_kinds: vec![],
        required_for_goods: vec![TemperatureClass::Chilled],
        validity_months: 12,
    }
}

/// A task of chilled goods.
fn chilled(id: &str) -> TaskDoc {
    TaskDoc {
        items: vec![ItemDoc {
            code: format!("{id}-1"),
            name: "milk".into(),
            temperature: TemperatureClass::Chilled,
            quantity: 1,
            size: None,
            restricted: None,
        }],
        ..task(id)
    }
}

/// A task to the drop-off `address`.
fn to(id: &str, address: &str) -> TaskDoc {
    let mut t = task(id);
    t.dropoff.address = address.into();
    t
}

/// The refusal of a creation that must be refused.
fn refusal(r: Result<TaskDoc, StoreError>) -> Refusal {
    match r {
        Err(StoreError::Refused(r)) => r,
        other => panic!("not a refusal: {other:?}"),
    }
}

/// Creates `doc` at `now` the two-statement way, which must decide (no fallback to the
/// transaction) within two round trips.
async fn create_fast(
    db: &Db,
    doc: TaskDoc,
    courier: Option<&str>,
    now: i64,
) -> Result<TaskDoc, StoreError> {
    let who = courier.map(str::to_owned);
    let before = db.round_trips();
    let out = db
        .run_autocommit(move |tx| task_creation::create(tx, doc, who.as_deref(), None, now))
        .await;
    let cost = db.round_trips() - before;
    assert!(cost.executed <= 2, "{cost:?}");
    match out {
        Ok(Some(doc)) => Ok(doc),
        Ok(None) => panic!("the two-statement creation left the task to the transaction"),
        Err(e) => Err(e),
    }
}

/// Creates `doc` at `now` in the transaction (the rule the two-statement way follows).
async fn create_in_transaction(
    db: &Db,
    doc: TaskDoc,
    courier: Option<&str>,
    now: i64,
) -> Result<TaskDoc, StoreError> {
    let who = courier.map(str::to_owned);
    db.run(move |tx| tasks::create(tx, doc, who.as_deref(), now))
        .await
}

/// Both ways refuse `doc` alike, and create nothing.
async fn both_refuse(db: &Db, doc: TaskDoc, courier: Option<&str>, now: i64) -> Refusal {
    let id = doc.id.clone();
    let existed = {
        let id = id.clone();
        db.run(move |tx| tasks::load(tx, &id)).await.unwrap()
    };
    let fast = refusal(create_fast(db, doc.clone(), courier, now).await);
    let slow = refusal(create_in_transaction(db, doc, courier, now).await);
    assert_eq!(fast, slow, "{id}");
    let now_stored = db.run(move |tx| tasks::load(tx, &id)).await.unwrap();
    assert_eq!(now_stored, existed);
    fast
}

/// Both ways create `doc` alike (the transaction's copy under the id `<id>-tx`): the task as
/// created.
async fn both_create(db: &Db, doc: TaskDoc, courier: Option<&str>, now: i64) -> TaskDoc {
    let copy = TaskDoc {
        id: format!("{}-tx", doc.id),
        ..doc.clone()
    };
    let fast = create_fast(db, doc, courier, now).await.unwrap();
    let slow = create_in_transaction(db, copy, courier, now).await.unwrap();
    assert_eq!(
        TaskDoc {
            id: fast.id.clone(),
            ..slow
        },
        fast
    );
    fast
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_created_in_two_round_trips_is_refused_and_pinned_as_in_a_transaction() {
    const T0: i64 = 1_795_400_000;
    let Some(db) = postgres_store("create_rules", 4).await else {
        return;
    };
    db.run(|tx| {
        couriers::create(tx, "ann", "Ann", "digest-ann", 0)?;
        couriers::create(tx, "bob", "Bob", "digest-bob", 0)
    })
    .await
    .unwrap();

    // An existing id, an unknown courier: refused as before (the courier checked first).
    both_create(&db, task("t1"), Some("ann"), T0).await;
    assert_eq!(
        both_refuse(&db, task("t1"), Some("ann"), T0).await,
        Refusal::TaskExists
    );
    assert_eq!(
        both_refuse(&db, task("t1"), None, T0).await,
        Refusal::TaskExists
    );
    assert_eq!(
        both_refuse(&db, task("t2"), Some("nobody"), T0).await,
        Refusal::NoSuchCourier
    );
    assert_eq!(
        both_refuse(&db, task("t1"), Some("nobody"), T0).await,
        Refusal::NoSuchCourier
    );

    // Fresh goods to a courier without the module's pass: refused, with the pass's expiry
    // once it has lapsed.
    both_create(&db, chilled("g0"), Some("ann"), T0).await;
    db.run(|tx| training::publish(tx, cold_chain()).map(|_| ()))
        .await
        .unwrap();
    let unqualified = Refusal::NotQualified {
        module_id: "cold-chain".into(),
        expired_at: None,
    };
    assert_eq!(
        both_refuse(&db, chilled("g1"), Some("ann"), T0).await,
        unqualified
    );
    assert_eq!(
        both_refuse(&db, chilled("t1"), Some("ann"), T0).await,
        unqualified
    );
    // Ambient goods need no module; an unassigned task needs none either.
    both_create(&db, task("a1"), Some("ann"), T0).await;
    both_create(&db, chilled("g2"), None, T0).await;
    let passed = db
        .run(|tx| training::attempt(tx, "ann", ("ann-phone", 1), ("cold-chain", 1, &[0, 1]), T0))
        .await
        .unwrap();
    assert_eq!(passed, None);
    both_create(&db, chilled("g3"), Some("ann"), T0).await;
    assert_eq!(
        both_refuse(&db, chilled("g4"), Some("bob"), T0).await,
        unqualified
    );
    let expired = expiry(T0, 12).unwrap();
    assert_eq!(
        both_refuse(&db, chilled("g5"), Some("ann"), expired + 86_400).await,
        Refusal::NotQualified {
            module_id: "cold-chain".into(),
            expired_at: Some(expired),
        }
    );

    // Ann's pending correction of an address: her later tasks there get it at once (the
    // newest of hers), Bob's and unassigned ones only once dispatch accepts it.
    let door = "9 Hidden Gate, Block C";
    let original = (31.2, 121.4, false);
    let pin_of = |t: &TaskDoc| (t.dropoff.lat, t.dropoff.lon, t.dropoff.pin_corrected);
    let first = both_create(&db, to("p0", door), Some("ann"), T0).await;
    assert_eq!(pin_of(&first), original);
    let corrected = db
        .run(move |tx| {
            pin_corrections::record(tx, &first, "ann", 31.25, 121.45, T0)?;
            pin_corrections::record(tx, &first, "ann", 31.2501, 121.4502, T0 + 1)?;
            pin_corrections::list(tx, pin_corrections::PinCorrectionStatus::Pending)
        })
        .await
        .unwrap();
    assert_eq!(corrected.len(), 2);
    let mine = both_create(&db, to("p1", "  9 hidden gate,   BLOCK C"), Some("ann"), T0).await;
    assert_eq!(pin_of(&mine), (31.2501, 121.4502, true));
    let bobs = both_create(&db, to("p2", door), Some("bob"), T0).await;
    assert_eq!(pin_of(&bobs), original);
    let nobodys = both_create(&db, to("p3", door), None, T0).await;
    assert_eq!(pin_of(&nobodys), original);
    let accepted = corrected[0].id;
    db.run(move |tx| pin_corrections::decide(tx, accepted, true, T0 + 2).map(|_| ()))
        .await
        .unwrap();
    let bobs = both_create(&db, to("p4", door), Some("bob"), T0).await;
    assert_eq!(pin_of(&bobs), (31.25, 121.45, true));
    let nobodys = both_create(&db, to("p5", door), None, T0).await;
    assert_eq!(pin_of(&nobodys), (31.25, 121.45, true));
    // Ann's other correction is still pending and still hers.
    let mine = both_create(&db, to("p6", door), Some("ann"), T0).await;
    assert_eq!(pin_of(&mine), (31.2501, 121.4502, true));
    db.close();
}

/// `items` pushed by install `client` of courier c1 through `db`; the answer and what it cost.
async fn push_on(
    db: &Db,
    client: &str,
    items: Vec<Pushed>,
) -> (runsheet_protocol::PushResponse, RoundTrips) {
    let before = db.round_trips();
    let resp = push_fewest_trips(
        db,
        Clock::system(),
        ("c1".into(), client.into()),
        items,
        None,
        None,
    )
    .await
    .unwrap();
    (resp, db.round_trips() - before)
}

fn outcomes(resp: &runsheet_protocol::PushResponse) -> Vec<MutationOutcome> {
    resp.results.iter().map(|r| r.outcome.clone()).collect()
}

/// A push that continues the install's last one is decided on the replica's memory and costs
/// one round trip; when the memory is stale (dispatch changed the task, another replica took
/// the same push, another install of the courier pushed) the apply function refuses it and the
/// push is decided again from the read, with the right outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_continuing_the_last_is_decided_on_the_replicas_memory() {
    let Some(DbConfig::Postgres { url, .. }) =
        tokio::task::spawn_blocking(|| runsheet_server::test_postgres("trips_memory"))
            .await
            .unwrap()
    else {
        return;
    };
    let open = |url: String| async move {
        let config = DbConfig::Postgres {
            url,
            pool: PoolLimits {
                max_connections: 1,
                ..PoolLimits::default()
            },
        };
        tokio::task::spawn_blocking(move || Db::open(&config))
            .await
            .unwrap()
            .unwrap()
    };
    let db = open(url.clone()).await;
    let other = open(url).await;
    seed(&db, &["warm", "a", "b"]).await;
    let step = |id: i64, action: Action| batch(id, vec![action]);
    let arrive = |task: &str, stop| Action::Arrive {
        task_id: task.into(),
        stop,
        method: ArrivalMethod::Gps,
        reason: None,
    };
    // Warm up both replicas' statements (the read, the function).
    let (_, _) = push_on(&db, "phone", batch(1, walk("warm"))).await;
    let (r, _) = push_on(
        &other,
        "tablet",
        step(
            1,
            Action::Accept {
                task_id: "b".into(),
            },
        ),
    )
    .await;
    assert_eq!(outcomes(&r), [MutationOutcome::Applied]);

    // Accepting a task the memory does not hold reads; the next step is one round trip.
    let (r, cost) = push_on(
        &db,
        "phone",
        step(
            6,
            Action::Accept {
                task_id: "a".into(),
            },
        ),
    )
    .await;
    assert_eq!(
        (outcomes(&r), cost.executed),
        (vec![MutationOutcome::Applied], 2)
    );
    let (r, cost) = push_on(&db, "phone", step(7, arrive("a", StopRole::Pickup))).await;
    assert_eq!(
        (outcomes(&r), cost.executed),
        (vec![MutationOutcome::Applied], 1)
    );
    assert_eq!(db.push_memory().len(), 1);

    // Dispatch moves the drop-off (a new revision): refused on the memory, read, applied.
    db.run(|tx| {
        let mut stop = far_task("a").dropoff;
        stop.address = "2 Moved Road".into();
        tasks::change_stops(tx, "a", None, Some(&stop), 1_795_400_100)?;
        Ok(())
    })
    .await
    .unwrap();
    let (r, cost) = push_on(
        &db,
        "phone",
        step(
            8,
            Action::PickUp {
                task_id: "a".into(),
            },
        ),
    )
    .await;
    assert_eq!(
        (outcomes(&r), cost.executed),
        (vec![MutationOutcome::Applied], 3)
    );
    let page = pull(&db, 0).await;
    let a = page
        .changes
        .iter()
        .find_map(|c| match c {
            Change::UpsertTask { task } if task.id == "a" => Some(task),
            _ => None,
        })
        .expect("task a in the page");
    assert_eq!(
        (a.status, a.dropoff.address.as_str()),
        (TaskStatus::PickedUp, "2 Moved Road")
    );

    // The same push taken by another replica first (a retry raced the original): this
    // replica's memory says it is new, the function says otherwise, the answer is duplicate.
    let next = step(9, arrive("a", StopRole::Dropoff));
    let (r, _) = push_on(&other, "phone", next.clone()).await;
    assert_eq!(outcomes(&r), [MutationOutcome::Applied]);
    let (r, cost) = push_on(&db, "phone", next).await;
    assert_eq!(outcomes(&r), [MutationOutcome::Duplicate]);
    assert!(cost.executed >= 2, "{cost:?}");

    // Another install of the courier pushes (a later device time): the memory's time bound is
    // stale, so the push is read and its time bounded after the other install's.
    let mut later = step(2, arrive("b", StopRole::Pickup));
    let tablet_time = Clock::system().now() - 5;
    if let Some(Pushed::Valid(m)) = later.first_mut() {
        m.device_time = tablet_time;
    }
    let (r, _) = push_on(&other, "tablet", later).await;
    assert_eq!(outcomes(&r), [MutationOutcome::Applied]);
    let contact = Action::ContactAttempt {
        task_id: "a".into(),
        channel: runsheet_protocol::ContactChannel::Call,
        answered: false,
    };
    let (r, cost) = push_on(&db, "phone", step(10, contact)).await;
    assert_eq!(
        (outcomes(&r), cost.executed),
        (vec![MutationOutcome::Applied], 3)
    );

    // Every mutation recorded once; the contact's time bounded after the tablet's step.
    let records = db
        .run(|tx| mutations::list(tx, Some("c1"), None))
        .await
        .unwrap();
    let contact_time = records
        .iter()
        .find(|r| r.client_id == "phone" && r.mutation_id == 10)
        .and_then(|r| r.bounded_time);
    assert!(contact_time >= Some(tablet_time), "{contact_time:?}");
    let mut ids: Vec<(String, i64)> = records
        .iter()
        .map(|r| (r.client_id.clone(), r.mutation_id))
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n);
    db.close();
    other.close();
}

/// A task dispatch created reaches the phone in a page this replica answered: the replica
/// learns it, and the push accepting it is decided on the memory, in one round trip.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_task_in_a_page_is_accepted_in_one_round_trip() {
    let Some(db) = postgres_store("trips_learn", 1).await else {
        return;
    };
    seed(&db, &["warm"]).await;
    let (warm, _) = sync_after(&db, 1, walk("warm")[..2].to_vec(), 0).await;
    let cursor = warm.pulled.expect("a page").cursor;
    // Dispatch assigns a new task; the next sync's page (after picking up the first) brings it.
    db.run(|tx| {
        tasks::create(tx, far_task("new"), Some("c1"), 1_795_400_100)?;
        Ok(())
    })
    .await
    .unwrap();
    let pick_up = Action::PickUp {
        task_id: "warm".into(),
    };
    let (resp, _) = sync_after(&db, 3, vec![pick_up], cursor).await;
    let page = resp.pulled.expect("a page");
    assert!(page
        .changes
        .iter()
        .any(|c| matches!(c, Change::UpsertTask { task } if task.id == "new")));
    // Accepting it: decided on what the page taught, one round trip, applied.
    let accept = Action::Accept {
        task_id: "new".into(),
    };
    let (resp, cost) = sync_after(&db, 4, vec![accept], page.cursor).await;
    assert_eq!(resp.results[0].outcome, MutationOutcome::Applied);
    assert_eq!(cost.executed, 1, "{cost:?}");
    db.close();
}
