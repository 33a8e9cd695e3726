//! What a push and a pull cost PostgreSQL in round trips, counted by the replica's store: a
//! push of everyday work is at most three whatever its size, a pull one. (On SQLite, which
//! runs in-process, nothing is counted; the suite skips without `RUNSHEET_TEST_POSTGRES`.)

use runsheet_protocol::{
    Action, ArrivalMethod, Change, Mutation, MutationOutcome, StopDoc, StopRole, TaskDoc, TaskKind,
    TaskStatus,
};
use runsheet_server::db::push_batch::push_fewest_trips;
use runsheet_server::db::sync::{self, PullPosition, Pushed};
use runsheet_server::db::{couriers, earnings, mutations, tasks, RoundTrips};
use runsheet_server::{Clock, Db, DbConfig, PoolLimits};

fn stop(name: &str) -> StopDoc {
    StopDoc {
        name: name.into(),
        address: "1 Round Trip Road".into(),
        phone: None,
        lat: 31.2,
        lon: 121.4,
        ready_at: None,
        due_by: None,
        not_before: None,
        pin_corrected: false,
    }
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
    let Some(DbConfig::Postgres { url, .. }) =
        tokio::task::spawn_blocking(|| runsheet_server::test_postgres("trips"))
            .await
            .unwrap()
    else {
        return;
    };
    // One connection, so that every statement is prepared once and then kept.
    let config = DbConfig::Postgres {
        url,
        pool: PoolLimits {
            max_connections: 1,
            ..PoolLimits::default()
        },
    };
    let db = tokio::task::spawn_blocking(move || Db::open(&config))
        .await
        .unwrap()
        .unwrap();
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
    let Some(DbConfig::Postgres { url, .. }) =
        tokio::task::spawn_blocking(|| runsheet_server::test_postgres("trips_pay"))
            .await
            .unwrap()
    else {
        return;
    };
    let config = DbConfig::Postgres {
        url,
        pool: PoolLimits {
            max_connections: 1,
            ..PoolLimits::default()
        },
    };
    let db = tokio::task::spawn_blocking(move || Db::open(&config))
        .await
        .unwrap()
        .unwrap();
    db.run(|tx| {
        couriers::create(tx, "c1", "C", "digest-c1", 0)?;
        tasks::create(tx, far_task("warm"), Some("c1"), 1_795_400_000)?;
        tasks::create(tx, far_task("paid"), Some("c1"), 1_795_400_000)?;
        tasks::create(tx, far_task("bonus"), Some("c1"), 1_795_400_000)?;
        Ok(())
    })
    .await
    .unwrap();
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

/// The sync after an action: a push carrying the pull's position answers the page in the
/// push's own statement (two round trips in all, the delivery's pay included), the same page
/// a pull from that position reads after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_answers_the_pull_page_in_its_statement() {
    let Some(DbConfig::Postgres { url, .. }) =
        tokio::task::spawn_blocking(|| runsheet_server::test_postgres("trips_page"))
            .await
            .unwrap()
    else {
        return;
    };
    let config = DbConfig::Postgres {
        url,
        pool: PoolLimits {
            max_connections: 1,
            ..PoolLimits::default()
        },
    };
    let db = tokio::task::spawn_blocking(move || Db::open(&config))
        .await
        .unwrap()
        .unwrap();
    db.run(|tx| {
        couriers::create(tx, "c1", "C", "digest-c1", 0)?;
        for id in ["warm", "t1", "t2"] {
            tasks::create(tx, far_task(id), Some("c1"), 1_795_400_000)?;
        }
        Ok(())
    })
    .await
    .unwrap();
    let sync_after = |first: i64, actions: Vec<Action>, cursor: i64| {
        let db = db.clone();
        async move {
            push_fewest_trips(
                &db,
                Clock::system(),
                ("c1".into(), "phone".into()),
                batch(first, actions),
                None,
                Some(position(cursor)),
            )
            .await
            .unwrap()
        }
    };
    // Warm up (statements prepared), then walk t1 a step at a time as a phone does.
    let warm = sync_after(1, walk("warm"), 0).await;
    let mut cursor = warm.pulled.expect("a page").cursor;
    for (i, action) in walk("t1").into_iter().enumerate() {
        let before = db.round_trips();
        let resp = sync_after(6 + i as i64, vec![action], cursor).await;
        let cost = db.round_trips() - before;
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
