//! A push in two statements on PostgreSQL, whatever the batch size: one reads what the batch
//! needs (the install's last applied id, the tasks it names, the content of retried ids, the
//! bounds of its device times), the server decides every outcome as [`super::sync::push`]
//! would, and one call of the function [`APPLY_FUNCTION`] checks that nothing it read has
//! changed (under the install's and the tasks' row locks) and records and applies the whole
//! batch, atomically, or changes nothing and says so.
//!
//! Only the batches of the courier's everyday work take this way: status steps, scans,
//! answers, contact attempts, and retries of them, on tasks with no open handover. A batch that
//! opens an after-sales case, rates, checks a handoff code, moves a pin, sends a message,
//! records a shift, touches a task on an open handover (a step voids it), carries a mutation
//! that is not valid, or that the store refuses, or that raced another change, is left to the
//! transaction of [`super::sync::push`], which stays the rule. (SQLite runs
//! in-process, where round trips cost nothing: it always takes the transaction.)

use std::collections::HashMap;

use runsheet_protocol::{Action, Mutation, MutationOutcome, MutationResult, PushResponse};
use serde::Serialize;

use super::mutations;
use super::push_memory::{PushMemory, Remembered};
use super::sql::rows_from_json;
use super::sync::{self, PullPosition, Pushed};
use super::{device_time, earnings, settings, tasks, Db, StoreError, Tx};
use crate::clock::Clock;
use crate::params;

/// The PostgreSQL function that checks and applies a decided batch (installed, replaced, by
/// every replica at start; its name carries its version so that replicas of two releases can
/// run side by side). Takes the batch as JSON text; answers `applied`, or `conflict` when the
/// install's last applied id or a task changed since the batch was decided (then it changed
/// nothing).
pub(crate) const APPLY_FUNCTION: &str = r#"
CREATE OR REPLACE FUNCTION runsheet_apply_push_v6(batch_text TEXT, OUT verdict TEXT, OUT page TEXT)
LANGUAGE plpgsql AS $fn$
DECLARE
    batch   JSONB := batch_text::jsonb;
    client  TEXT := batch->>'client_id';
    courier TEXT := batch->>'courier';
    owner   TEXT;
    last    BIGINT;
    step    JSONB;
    tid     TEXT;
BEGIN
    SELECT c.courier_id, c.last_mutation_id INTO owner, last
        FROM clients c WHERE c.client_id = client FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO clients (client_id, courier_id, last_mutation_id, created_at)
            VALUES (client, courier, 0, (batch->>'received')::BIGINT)
            ON CONFLICT (client_id) DO NOTHING;
        SELECT c.courier_id, c.last_mutation_id INTO owner, last
            FROM clients c WHERE c.client_id = client FOR UPDATE;
    END IF;
    IF owner IS DISTINCT FROM courier OR last <> (batch->>'expected_last')::BIGINT THEN
        verdict := 'conflict';
        RETURN;
    END IF;
    -- The tasks the batch read, locked in id order, must be as they were read. (One
    -- statement per task, each answered from the primary key whatever the table's size.)
    FOR tid IN SELECT DISTINCT e->>'id' FROM jsonb_array_elements(batch->'tasks') e ORDER BY 1
    LOOP
        PERFORM 1 FROM tasks t WHERE t.id = tid FOR UPDATE;
    END LOOP;
    FOR step IN SELECT e FROM jsonb_array_elements(batch->'tasks') e LOOP
        PERFORM 1 FROM tasks t
            WHERE t.id = step->>'id'
              AND t.revision = (step->>'revision')::BIGINT
              AND t.status = step->>'status'
              AND t.courier_id IS NOT DISTINCT FROM step->>'courier_id';
        IF NOT FOUND THEN
            verdict := 'conflict';
        RETURN;
        END IF;
    END LOOP;
    -- Decided on the replica's memory: no mutation of the courier since (another install's).
    IF (batch->>'check_floor')::BOOLEAN
       AND (SELECT MAX(m.bounded_time) FROM mutations m WHERE m.courier_id = courier)
           IS DISTINCT FROM (batch->>'expected_floor')::BIGINT THEN
        verdict := 'conflict';
        RETURN;
    END IF;
    FOR tid IN SELECT jsonb_array_elements_text(batch->'absent') LOOP
        IF EXISTS (SELECT 1 FROM tasks t WHERE t.id = tid) THEN
            verdict := 'conflict';
        RETURN;
        END IF;
    END LOOP;
    FOR step IN SELECT e FROM jsonb_array_elements(batch->'tasks') e
                WHERE e->>'new_revision' <> e->>'revision' LOOP
        UPDATE tasks SET status = step->>'new_status',
                         revision = (step->>'new_revision')::BIGINT,
                         updated_at = (step->>'updated_at')::BIGINT
            WHERE id = step->>'id';
    END LOOP;
    INSERT INTO mutations (client_id, mutation_id, courier_id, task_id, action, device_time,
                           received_at, outcome, reject_code, reason, context, content_sha256,
                           bounded_time)
        SELECT client, (e->>'mutation_id')::BIGINT, courier, e->>'task_id', e->>'action',
               (e->>'device_time')::BIGINT, (batch->>'received')::BIGINT, e->>'outcome',
               e->>'reject_code', e->>'reason', e->>'context', e->>'content_sha256',
               (e->>'bounded_time')::BIGINT
        FROM jsonb_array_elements(batch->'mutations') e;
    IF jsonb_array_length(batch->'changes') > 0 THEN
        -- Under the courier's lock, as every append to their change log.
        PERFORM 1 FROM couriers c WHERE c.id = courier FOR UPDATE;
        PERFORM pg_notify('runsheet_changes', courier);
        INSERT INTO changes (courier_id, task_id, op)
            SELECT courier, e->>'task_id', e->>'op'
            FROM jsonb_array_elements(batch->'changes') WITH ORDINALITY AS a(e, n)
            ORDER BY n;
    END IF;
    IF jsonb_array_length(batch->'pay') > 0 THEN
        -- A delivery's pay lines, numbered after every line under the courier's lock (as
        -- every append to their feeds), each once (a line's id is its task's and kind's).
        PERFORM 1 FROM couriers c WHERE c.id = courier FOR UPDATE;
        PERFORM pg_notify('runsheet_changes', courier);
        INSERT INTO earning_lines (id, courier_id, task_id, kind, amount_minor, currency, note,
                                   earned_at, seq)
            SELECT e->>'id', courier, e->>'task_id', e->>'kind', (e->>'amount_minor')::BIGINT,
                   e->>'currency', NULL, (e->>'earned_at')::BIGINT,
                   (SELECT COALESCE(MAX(l.seq), 0) FROM earning_lines l) + n
            FROM jsonb_array_elements(batch->'pay') WITH ORDINALITY AS a(e, n)
            ORDER BY n
            ON CONFLICT (id) DO NOTHING;
    END IF;
    UPDATE clients SET last_mutation_id = (batch->>'new_last')::BIGINT
        WHERE client_id = client;
    verdict := 'applied';
    -- The pull's first page after the batch (when the phone sent its position): read by this
    -- statement after its own writes, so the sync after an action costs no third round trip.
    IF jsonb_typeof(batch->'page') = 'object' THEN
        page := runsheet_page_v1(batch->'page'->>'client_id', courier,
            (batch->'page'->>'cursor')::BIGINT, (batch->'page'->>'limit')::BIGINT,
            (batch->'page'->>'settings_version')::BIGINT,
            (batch->'page'->>'checklists_after')::BIGINT,
            (batch->'page'->>'ratings_after')::BIGINT, (batch->'page'->>'cases_after')::BIGINT,
            (batch->'page'->>'recalls_after')::BIGINT, (batch->'page'->>'offers_after')::BIGINT,
            (batch->'page'->>'vehicle_version')::BIGINT,
            (batch->'page'->>'earnings_after')::BIGINT,
            (batch->'page'->>'training_after')::BIGINT,
            (batch->'page'->>'qualifications_after')::BIGINT);
    END IF;
END
$fn$;
"#;

/// What the read statement returns: one row. (Each id of a list is looked up on its own, by a
/// subquery answered from the index: a list matched as a whole, `IN (SELECT …)` or
/// `= ANY(…)`, can be planned, and the plan kept, as a scan of the whole table. The task ids
/// come as JSON, never as constants the planner sees: while the statistics say that most
/// mutations have no task, as they do after the shift starts of a fresh store, `task_id = id`
/// alone looks like the whole index and is planned, and kept, as a scan of the table; the
/// index condition `task_id > ''` (true of every id looked up: empty ones are left to the
/// transaction) keeps it on the index.)
const READ: &str = "
SELECT (SELECT courier_id FROM clients WHERE client_id = ?1),
       (SELECT last_mutation_id FROM clients WHERE client_id = ?1),
       (SELECT COALESCE(json_agg(task), '[]')::TEXT
          FROM (SELECT (SELECT json_build_array(id, kind, status, pickup, dropoff, revision,
                                                courier_id, details)
                          FROM tasks WHERE id = i.id) AS task
                  FROM jsonb_array_elements_text(CAST(?2 AS TEXT)::jsonb) AS i(id)) f
         WHERE task IS NOT NULL),
       (SELECT COALESCE(json_agg(json_build_array(mutation_id, content_sha256)), '[]')::TEXT
          FROM mutations WHERE client_id = ?1 AND mutation_id BETWEEN ?3 AND ?4),
       (SELECT MAX(bounded_time) FROM mutations WHERE courier_id = ?5),
       (SELECT COALESCE(json_agg(json_build_array(i.id,
                   (SELECT MAX(bounded_time) FROM mutations
                     WHERE task_id = i.id AND task_id > ''))), '[]')::TEXT
          FROM jsonb_array_elements_text(CAST(?2 AS TEXT)::jsonb) AS i(id)),
       (SELECT json_build_array(version, body)::TEXT FROM settings
         WHERE id = 1 AND CAST(?6 AS TEXT) <> '[]'),
       (SELECT COALESCE(json_agg(json_build_array(d.id,
                   (SELECT COALESCE(json_agg(json_build_array(COALESCE(bounded_time, device_time),
                                                              action, courier_id)
                                             ORDER BY received_at, mutation_id), '[]')
                      FROM mutations
                     WHERE task_id = d.id AND task_id > '' AND outcome = 'applied'))),
                 '[]')::TEXT
          FROM jsonb_array_elements_text(CAST(?6 AS TEXT)::jsonb) AS d(id))";

/// A task as the batch read it and leaves it.
#[derive(Serialize)]
struct TaskStep {
    id: String,
    revision: i64,
    status: String,
    courier_id: Option<String>,
    new_status: String,
    new_revision: i64,
    updated_at: i64,
}

/// A mutation record as the batch writes it (see [`mutations::record`]).
#[derive(Serialize)]
struct Recorded {
    mutation_id: i64,
    task_id: String,
    action: String,
    device_time: i64,
    outcome: &'static str,
    reject_code: Option<&'static str>,
    reason: Option<String>,
    context: Option<String>,
    content_sha256: String,
    bounded_time: i64,
}

/// An append to the courier's change log.
#[derive(Serialize)]
struct ChangeRow {
    task_id: String,
    op: &'static str,
}

/// A pay line of a delivery the batch applies (see [`earnings::task_lines`]).
#[derive(Serialize)]
struct PayRow {
    id: String,
    task_id: Option<String>,
    kind: &'static str,
    amount_minor: i64,
    currency: String,
    earned_at: i64,
}

/// The decided batch, as [`APPLY_FUNCTION`] takes it.
#[derive(Serialize)]
struct Batch<'a> {
    client_id: &'a str,
    courier: &'a str,
    received: i64,
    expected_last: i64,
    new_last: i64,
    tasks: Vec<TaskStep>,
    /// Tasks the batch found missing (they must still be).
    absent: Vec<String>,
    mutations: Vec<Recorded>,
    changes: Vec<ChangeRow>,
    /// The pay of the deliveries it applies.
    pay: Vec<PayRow>,
    /// Where the pull's page after the batch starts, when the phone sent its position.
    page: Option<PageAt<'a>>,
    /// Decided on the replica's memory ([`PushMemory`]): the courier's latest bounded time
    /// must still be `expected_floor`.
    check_floor: bool,
    expected_floor: Option<i64>,
}

/// A pull's position as [`APPLY_FUNCTION`] passes it to the page function (see
/// [`sync::PullPosition`]; `limit` one more than the page, to tell whether more follow).
#[derive(Serialize)]
struct PageAt<'a> {
    client_id: &'a str,
    cursor: i64,
    limit: i64,
    settings_version: i64,
    checklists_after: i64,
    ratings_after: i64,
    cases_after: i64,
    recalls_after: i64,
    offers_after: i64,
    vehicle_version: i64,
    earnings_after: i64,
    training_after: i64,
    qualifications_after: i64,
}

impl<'a> PageAt<'a> {
    fn of(at: &'a PullPosition) -> Self {
        PageAt {
            client_id: &at.client_id,
            cursor: at.cursor,
            limit: i64::try_from(at.limit.saturating_add(1)).unwrap_or(i64::MAX),
            settings_version: at.settings_version,
            checklists_after: at.checklists_after,
            ratings_after: at.ratings_after,
            cases_after: at.cases_after,
            recalls_after: at.recalls_after,
            offers_after: at.offers_after,
            vehicle_version: at.vehicle_version,
            earnings_after: at.earnings_after,
            training_after: at.training_after,
            qualifications_after: at.qualifications_after,
        }
    }
}

/// A push applied in one statement.
pub struct Applied {
    /// The answer.
    pub response: PushResponse,
    /// It applied a delivery whose pay it did not write (an incentive programme runs, whose
    /// bonus the delivery may complete): [`earnings::settle`] must pay it.
    pub unpaid: bool,
    /// The pull's page after the batch, read by the same statement (asked for with the
    /// position, and not left unpaid).
    pub page: Option<runsheet_protocol::PullResponse>,
}

/// Whether the action's effects, when it applies, are a status step of its task and nothing
/// else (the work the one-statement push does): an answer outside the procedure opens a
/// cold-chain case, so it takes the transaction.
fn is_plain_step(action: &Action) -> bool {
    matches!(
        action,
        Action::Accept { .. }
            | Action::Arrive { .. }
            | Action::PickUp { .. }
            | Action::Delivered { .. }
            | Action::Returned { .. }
            | Action::ContactAttempt { .. }
            | Action::Scan { .. }
            | Action::ConfirmItem { .. }
            | Action::Answer {
                out_of_range: false,
                ..
            }
    )
}

/// Applies a push in two statements when it is one of everyday work (see the module's
/// description), a delivery's pay included, and with it the pull's page from `page_at`.
/// `Ok(None)`: it was not, or it raced another change, or the store refused its data; nothing
/// was written and [`super::sync::push`] must take it. Run outside a transaction
/// ([`super::Db::run_autocommit`]).
pub fn push(
    tx: &mut Tx<'_>,
    clock: &Clock,
    (courier, client_id): (&str, &str),
    items: &[Pushed],
    sent_at: Option<i64>,
    (page_at, memory): (Option<&PullPosition>, &PushMemory),
) -> Result<Option<Applied>, StoreError> {
    if !tx.is_postgres() || items.is_empty() {
        return Ok(None);
    }
    let mut valid = Vec::with_capacity(items.len());
    for item in items {
        match item {
            // (An empty task id, which the edge refuses, is left to the transaction too: the
            // read below skips the task-less mutations.)
            Pushed::Valid(m) if is_plain_step(&m.action) && m.action.task() != Some("") => {
                valid.push(m)
            }
            _ => return Ok(None),
        }
    }
    let received = clock.now();
    let mut task_ids: Vec<&str> = valid.iter().filter_map(|m| m.action.task()).collect();
    task_ids.sort_unstable();
    task_ids.dedup();
    let ids_json = serde_json::to_string(&task_ids).map_err(StoreError::document)?;
    // The tasks the batch delivers: their history and the platform's rates are read too, so
    // that their pay is written with the batch.
    let mut delivering: Vec<&str> = valid
        .iter()
        .filter(|m| matches!(m.action, Action::Delivered { .. }))
        .filter_map(|m| m.action.task())
        .collect();
    delivering.sort_unstable();
    delivering.dedup();
    let delivering_json = serde_json::to_string(&delivering).map_err(StoreError::document)?;
    let first = valid.first().map_or(0, |m| m.mutation_id);
    let end = valid.last().map_or(0, |m| m.mutation_id);
    // Decided on what this replica remembers of the install's last push when the batch
    // continues it (the apply function checks it), else on the read statement.
    let recalled = if delivering.is_empty() {
        memory.recall(client_id, courier, first, &task_ids)
    } else {
        None
    };
    let remembered = recalled.is_some();
    let (read, expected_last, mut docs, hashes, mut courier_floor, mut task_floors) = match recalled
    {
        Some(m) => (
            None,
            m.last,
            m.tasks,
            HashMap::new(),
            m.courier_floor,
            m.task_floors,
        ),
        None => {
            let read = tx.query_row(
                READ,
                params![client_id, ids_json, first, end, courier, delivering_json],
                |r| Ok(r.clone()),
            )?;
            let owner: Option<String> = read.get(0)?;
            if owner.as_deref().is_some_and(|o| o != courier) {
                return Ok(None);
            }
            let expected_last: i64 = read.get::<Option<i64>>(1)?.unwrap_or(0);
            let mut docs = HashMap::new();
            for row in rows_from_json(&read.get::<String>(2)?)? {
                let id: String = row.get(0)?;
                let rest = super::Row {
                    values: row.values.get(1..).unwrap_or_default().to_vec(),
                };
                docs.insert(id.clone(), tasks::from_row(&id, &rest)?);
            }
            let mut hashes: HashMap<i64, Option<String>> = HashMap::new();
            for row in rows_from_json(&read.get::<String>(3)?)? {
                hashes.insert(row.get(0)?, row.get(1)?);
            }
            let courier_floor: Option<i64> = read.get(4)?;
            let mut task_floors: HashMap<String, i64> = HashMap::new();
            for row in rows_from_json(&read.get::<String>(5)?)? {
                if let Some(floor) = row.get::<Option<i64>>(1)? {
                    task_floors.insert(row.get(0)?, floor);
                }
            }
            (
                Some(read),
                expected_last,
                docs,
                hashes,
                courier_floor,
                task_floors,
            )
        }
    };
    let expected_floor = courier_floor;
    let read_docs: Vec<(String, i64, String, Option<String>)> = docs
        .iter()
        .map(|(id, (doc, owner))| {
            (
                id.clone(),
                doc.revision,
                doc.status.as_str().to_owned(),
                owner.clone(),
            )
        })
        .collect();

    let mut last = expected_last;
    let mut results = Vec::with_capacity(valid.len());
    let mut records = Vec::new();
    let mut changes = Vec::new();
    let mut updated_at: HashMap<String, i64> = HashMap::new();
    // What the batch applies to the tasks it delivers, as (bounded time, action).
    let mut applied_to_delivered: Vec<(&str, i64, &Action)> = Vec::new();
    for m in valid {
        if m.mutation_id <= last {
            // A retry: the same content, or another install under this id (left to the
            // transaction, which refuses the push).
            if let Some(Some(hash)) = hashes.get(&m.mutation_id) {
                if *hash != mutations::content_hash(m)? {
                    return Ok(None);
                }
            }
            results.push(MutationResult {
                mutation_id: m.mutation_id,
                outcome: MutationOutcome::Duplicate,
            });
            continue;
        }
        if m.mutation_id != last.saturating_add(1) {
            return Ok(None);
        }
        let outcome = match m.action.task() {
            None => MutationOutcome::Applied,
            Some(task_id) => match docs.get_mut(task_id) {
                None => MutationOutcome::Rejected {
                    code: runsheet_protocol::RejectCode::UnknownTask,
                    reason: "no such task".into(),
                },
                Some((doc, owner)) => {
                    // A task on an open handover: a step by its holder voids the handover,
                    // which the transaction does.
                    if owner.as_deref() != Some(courier)
                        || doc.handovers.iter().any(|h| {
                            matches!(
                                h.status,
                                runsheet_protocol::HandoverStatus::Requested
                                    | runsheet_protocol::HandoverStatus::Assigned
                            )
                        })
                    {
                        return Ok(None);
                    }
                    let Some(next) = doc.status.after(&m.action, doc.pickup.is_some()) else {
                        return Ok(None);
                    };
                    if next != doc.status {
                        let t = clock.now();
                        doc.status = next;
                        doc.revision += 1;
                        updated_at.insert(doc.id.clone(), t);
                        changes.push(ChangeRow {
                            task_id: doc.id.clone(),
                            op: "upsert",
                        });
                    }
                    MutationOutcome::Applied
                }
            },
        };
        let offset = device_time::offset(m, sent_at, received);
        let mut floor = courier_floor.unwrap_or(i64::MIN);
        if let Some(task) = m.action.task() {
            floor = floor.max(task_floors.get(task).copied().unwrap_or(i64::MIN));
        }
        let bounded = m
            .device_time
            .saturating_add(offset)
            .max(floor)
            .min(received);
        courier_floor = Some(courier_floor.map_or(bounded, |f| f.max(bounded)));
        if let Some(task) = m.action.task() {
            let f = task_floors.entry(task.to_owned()).or_insert(bounded);
            *f = (*f).max(bounded);
        }
        if outcome == MutationOutcome::Applied {
            if let Some(task) = m.action.task().filter(|t| delivering.contains(t)) {
                applied_to_delivered.push((task, bounded, &m.action));
            }
        }
        records.push(record(m, &outcome, bounded)?);
        last = m.mutation_id;
        results.push(MutationResult {
            mutation_id: m.mutation_id,
            outcome,
        });
    }

    let mut steps = Vec::new();
    for (id, revision, status, owner) in read_docs {
        let Some((doc, _)) = docs.get(&id) else {
            continue;
        };
        steps.push(TaskStep {
            new_status: doc.status.as_str().to_owned(),
            new_revision: doc.revision,
            updated_at: updated_at.get(&id).copied().unwrap_or(0),
            id,
            revision,
            status,
            courier_id: owner,
        });
    }
    let absent = task_ids
        .iter()
        .filter(|id| !docs.contains_key(**id))
        .map(|id| (*id).to_owned())
        .collect();
    let (pay, unpaid) = match &read {
        Some(read) => delivery_pay(read, courier, &docs, &applied_to_delivered)?,
        None => (Vec::new(), false),
    };
    let announce = !changes.is_empty() || !pay.is_empty();
    let batch = Batch {
        client_id,
        courier,
        received,
        expected_last,
        new_last: last,
        tasks: steps,
        absent,
        mutations: records,
        changes,
        pay,
        // (Left unpaid, the page is read after the pay is.)
        page: page_at.filter(|_| !unpaid).map(PageAt::of),
        check_floor: remembered,
        expected_floor,
    };
    let text = serde_json::to_string(&batch).map_err(StoreError::document)?;
    let verdict = tx.query_row(
        "SELECT verdict, page FROM runsheet_apply_push_v6(?1)",
        params![text],
        |r| Ok((r.get::<String>(0)?, r.get::<Option<String>>(1)?)),
    );
    let page = match verdict {
        Ok((v, page)) if v == "applied" => page,
        Ok(_) if remembered => {
            // The memory was stale (another replica, dispatch, another install): decide again
            // from the read statement.
            memory.forget(client_id);
            return push(
                tx,
                clock,
                (courier, client_id),
                items,
                sent_at,
                (page_at, memory),
            );
        }
        Ok(_) => {
            tracing::info!("push raced another change; applying it in a transaction");
            return Ok(None);
        }
        Err(e) if e.is_about_the_data() => {
            tracing::info!(
                engine_code = e.engine_code().as_deref().unwrap_or("-"),
                "the store refused the batch; applying it mutation by mutation"
            );
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    if announce {
        // Committed with the statement (its NOTIFY reached the other replicas); this
        // replica's waiting pulls are woken by the caller.
        tx.announced.push(courier.to_owned());
    }
    memory.remember(
        client_id,
        Remembered {
            courier: courier.to_owned(),
            last,
            tasks: docs,
            courier_floor,
            task_floors,
        },
    );
    let applied = results
        .iter()
        .filter(|r| r.outcome == MutationOutcome::Applied)
        .count();
    tracing::info!(
        mutations = items.len(),
        applied,
        last,
        "push processed in one statement"
    );
    let page = match (page, page_at) {
        (Some(text), Some(at)) => {
            let row = rows_from_json(&format!("[{text}]"))?
                .into_iter()
                .next()
                .ok_or_else(|| StoreError::Query("the page function answered no row".into()))?;
            Some(sync::page_from_row(&row, clock, courier, at)?)
        }
        _ => None,
    };
    Ok(Some(Applied {
        response: PushResponse {
            results,
            last_mutation_id: last,
            wal_lsn: None,
            pulled: None,
        },
        unpaid,
        page,
    }))
}

/// The pay lines of the deliveries the batch applies (`applied`: what it applies to the tasks
/// it delivers, in order), from their tasks' earlier history by `courier` and the platform's
/// rates as the read statement returned them (its columns 6 and 7); and whether a delivery was left unpaid
/// because an incentive programme runs (its bonus is awarded by [`earnings::settle`]).
fn delivery_pay(
    read: &super::Row,
    courier: &str,
    docs: &HashMap<String, (runsheet_protocol::TaskDoc, Option<String>)>,
    applied: &[(&str, i64, &Action)],
) -> Result<(Vec<PayRow>, bool), StoreError> {
    let delivered: Vec<&str> = applied
        .iter()
        .filter(|(_, _, a)| matches!(a, Action::Delivered { .. }))
        .map(|(t, _, _)| *t)
        .collect();
    if delivered.is_empty() {
        return Ok((Vec::new(), false));
    }
    let rates = match read.get::<Option<String>>(6)? {
        Some(text) => {
            let row = rows_from_json(&format!("[{text}]"))?
                .into_iter()
                .next()
                .ok_or_else(|| StoreError::Query("no settings row".into()))?;
            settings::from_row(row.get(0)?, &row.get::<String>(1)?)?
        }
        None => runsheet_protocol::Settings::default(),
    };
    if !earnings::pays_task_lines_only(&rates) {
        return Ok((Vec::new(), true));
    }
    let mut history: HashMap<String, Vec<(i64, Action)>> = HashMap::new();
    for task in rows_from_json(&read.get::<String>(7)?)? {
        let id: String = task.get(0)?;
        let rows: String = task.get(1)?;
        for row in rows_from_json(&rows)? {
            // The courier's own (their earlier steps, not another courier's before a
            // handover), as the transaction reads them; filtered here so that the lookup
            // stays on the task's index whatever the courier's history.
            if row.get::<Option<String>>(2)?.as_deref() != Some(courier) {
                continue;
            }
            let action: String = row.get(1)?;
            // (A stored action this release cannot read pays nothing, as in the transaction.)
            if let Ok(a) = serde_json::from_str::<Action>(&action) {
                history
                    .entry(id.clone())
                    .or_default()
                    .push((row.get(0)?, a));
            }
        }
    }
    for (task, at, action) in applied {
        history
            .entry((*task).to_owned())
            .or_default()
            .push((*at, (*action).clone()));
    }
    let mut pay = Vec::new();
    let mut paid: Vec<&str> = Vec::new();
    for task in delivered {
        if paid.contains(&task) {
            continue;
        }
        paid.push(task);
        let (Some((doc, _)), Some(h)) = (docs.get(task), history.remove(task)) else {
            continue;
        };
        let Some(facts) = earnings::facts_from(doc, h) else {
            continue;
        };
        pay.extend(
            earnings::task_lines(task, &facts, &rates)
                .into_iter()
                .map(|l| PayRow {
                    id: l.id,
                    task_id: l.task_id,
                    kind: l.kind.as_str(),
                    amount_minor: l.amount.minor,
                    currency: l.amount.currency,
                    earned_at: l.earned_at,
                }),
        );
    }
    Ok((pay, false))
}

/// Applies a push in as few round trips as the store allows: in one statement after one read
/// ([`push`]) when it can, else in the transaction of [`super::sync::push`]; and answers the
/// pull's first page from `pull` when given (the phone's sync after an action), read after the
/// push, in the push's statement when it can. What the push handler calls.
pub async fn push_fewest_trips(
    db: &Db,
    clock: Clock,
    (courier, client_id): (String, String),
    items: Vec<Pushed>,
    sent_at: Option<i64>,
    pull: Option<PullPosition>,
) -> Result<PushResponse, StoreError> {
    let mut response = None;
    if db.engine_name() == "postgres" {
        let (c, who, id, batch, at, memory) = (
            clock.clone(),
            courier.clone(),
            client_id.clone(),
            items.clone(),
            pull.clone(),
            db.push_memory().clone(),
        );
        let done = db
            .run_autocommit(move |tx| {
                push(tx, &c, (&who, &id), &batch, sent_at, (at.as_ref(), &memory))
            })
            .await?;
        if let Some(Applied {
            response: mut r,
            unpaid,
            page,
        }) = done
        {
            if unpaid {
                // The week's bonus a delivery may complete is decided from the week's figures,
                // in a transaction of its own before the push is answered.
                let payee = courier.clone();
                db.run(move |tx| super::earnings::settle(tx, &payee))
                    .await?;
            }
            r.pulled = page.map(Box::new);
            response = Some(r);
        }
    }
    let mut response = match response {
        Some(r) => r,
        None => {
            // What the transaction does is not remembered: the next push reads.
            db.push_memory().forget(&client_id);
            let (c, who, id) = (clock.clone(), courier.clone(), client_id.clone());
            db.run(move |tx| super::sync::push(tx, &c, &who, &id, &items, sent_at))
                .await?
        }
    };
    if let (None, Some(at)) = (&response.pulled, pull) {
        // Read on the primary after the push, so it holds it: one statement on PostgreSQL.
        let page = db
            .run_autocommit({
                let courier = courier.clone();
                move |tx| sync::pull(tx, &clock, &courier, &at)
            })
            .await?;
        response.pulled = Some(Box::new(page));
    }
    if let Some(page) = &response.pulled {
        db.push_memory().learn(&client_id, &courier, page);
    }
    Ok(response)
}

/// The record of `m` as [`mutations::record`] writes it.
fn record(m: &Mutation, outcome: &MutationOutcome, bounded: i64) -> Result<Recorded, StoreError> {
    let (o, code, reason) = match outcome {
        MutationOutcome::Rejected { code, reason } => {
            ("rejected", Some(code.as_str()), Some(reason.clone()))
        }
        _ => ("applied", None, None),
    };
    Ok(Recorded {
        mutation_id: m.mutation_id,
        task_id: m.action.task_id().to_owned(),
        action: serde_json::to_string(&m.action.redacted()).map_err(StoreError::document)?,
        device_time: m.device_time,
        outcome: o,
        reject_code: code,
        reason,
        context: m
            .context
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(StoreError::document)?,
        content_sha256: mutations::content_hash(m)?,
        bounded_time: bounded,
    })
}
