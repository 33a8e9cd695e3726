//! A dispatcher's new task in two statements on PostgreSQL: one reads what the creation needs
//! (the courier's own pending pin for the drop-off's address, the pin dispatch accepted for it,
//! whether the courier exists, the current training modules and the courier's
//! qualifications), the server decides as [`tasks::create`] would (the pin the drop-off takes,
//! an unknown courier, a missing qualification: the same rules, shared), and one call of the
//! PL/pgSQL function `runsheet_create_task_v1` inserts the task, appends it to the courier's
//! change log under their lock and keeps the customer's handoff code, atomically.
//!
//! The transaction of [`tasks::create`] stays the rule: whatever this way cannot decide (a
//! stored document that does not decode, data the store refuses, a courier gone between the
//! read and the write) is left to it, and SQLite (in-process, where round trips cost nothing)
//! always takes it.

use runsheet_protocol::{QualificationDoc, TaskDoc, TrainingModule};
use serde::Serialize;

use super::sql::rows_from_json;
use super::{handoff_codes, pin_corrections, tasks, training, Db, Refusal, StoreError, Tx};
use crate::clock::Clock;
use crate::params;

/// The PostgreSQL function that writes a decided task creation (installed, replaced, by every
/// replica at start; its name carries its version so that replicas of two releases can run
/// side by side). Takes the task as JSON text; answers `created`, or `exists` when a task has
/// the id (then it changed nothing). The writes are those of [`tasks::insert`] and
/// [`tasks::record_change`], in their order, then [`handoff_codes::remember`]'s.
pub(crate) const CREATE_FUNCTION: &str = r#"
CREATE OR REPLACE FUNCTION runsheet_create_task_v1(task_text TEXT) RETURNS TEXT
LANGUAGE plpgsql AS $fn$
DECLARE
    t       JSONB := task_text::jsonb;
    tid     TEXT := t->>'id';
    courier TEXT := t->>'courier';
BEGIN
    INSERT INTO tasks (id, courier_id, kind, status, pickup, dropoff, revision, updated_at,
                       details)
        VALUES (tid, courier, t->>'kind', t->>'status', t->>'pickup', t->>'dropoff',
                (t->>'revision')::BIGINT, (t->>'updated_at')::BIGINT, t->>'details')
        ON CONFLICT (id) DO NOTHING;
    IF NOT FOUND THEN
        RETURN 'exists';
    END IF;
    IF courier IS NOT NULL THEN
        -- Under the courier's lock, as every append to their change log.
        PERFORM 1 FROM couriers c WHERE c.id = courier FOR UPDATE;
        PERFORM pg_notify('runsheet_changes', courier);
        INSERT INTO changes (courier_id, task_id, op) VALUES (courier, tid, 'upsert');
    END IF;
    IF t->>'handoff_code' IS NOT NULL THEN
        INSERT INTO handoff_codes (task_id, code, failures) VALUES (tid, t->>'handoff_code', 0)
            ON CONFLICT (task_id) DO UPDATE SET code = excluded.code, failures = 0,
                verified_at = NULL;
    END IF;
    RETURN 'created';
END
$fn$;
"#;

/// What the read statement returns: one row. `?1` is the drop-off's address key, `?2` the
/// courier (null for an unassigned task). The pins are [`pin_corrections::apply`]'s two
/// queries; the modules are [`training::current`] (bodies as JSON strings, by id), the
/// qualifications [`training::held`] (rows of [`training::QUALIFICATION_COLUMNS`]).
static READ: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT own.lat, own.lon, accepted.lat, accepted.lon,
                EXISTS(SELECT 1 FROM couriers WHERE id = ?2),
                (SELECT COALESCE(json_agg(m.body ORDER BY m.id), '[]')::TEXT
                   FROM training_modules m
                  WHERE m.version = (SELECT MAX(version) FROM training_modules n
                                      WHERE n.id = m.id)),
                (SELECT COALESCE(json_agg(json_build_array({q}) ORDER BY module_id),
                                 '[]')::TEXT
                   FROM qualifications WHERE courier_id = ?2)
           FROM (SELECT 1) AS one
           LEFT JOIN LATERAL ({own}) AS own ON TRUE
           LEFT JOIN LATERAL ({accepted}) AS accepted ON TRUE",
        q = training::QUALIFICATION_COLUMNS,
        own = pin_corrections::OWN_PENDING_PIN,
        accepted = pin_corrections::ACCEPTED_PIN,
    )
});

/// The decided creation, as [`CREATE_FUNCTION`] takes it (the columns as [`tasks::insert`]
/// writes them).
#[derive(Serialize)]
struct Creation<'a> {
    id: &'a str,
    courier: Option<&'a str>,
    kind: &'static str,
    status: &'static str,
    pickup: Option<String>,
    dropoff: String,
    revision: i64,
    updated_at: i64,
    details: String,
    handoff_code: Option<&'a str>,
}

/// What the read found.
struct Found {
    own: Option<(f64, f64)>,
    accepted: Option<(f64, f64)>,
    courier_exists: bool,
    modules: Vec<TrainingModule>,
    held: Vec<QualificationDoc>,
}

/// Both coordinates, or none.
fn pin(lat: Option<f64>, lon: Option<f64>) -> Option<(f64, f64)> {
    lat.zip(lon)
}

/// Runs the read statement and decodes its row.
fn read(tx: &mut Tx<'_>, key: &str, courier: Option<&str>) -> Result<Found, StoreError> {
    let row = tx.query_row(&READ, params![key, courier], |r| Ok(r.clone()))?;
    let bodies: Vec<String> =
        serde_json::from_str(&row.get::<String>(5)?).map_err(StoreError::document)?;
    let modules = bodies
        .iter()
        .map(|b| serde_json::from_str(b).map_err(StoreError::document))
        .collect::<Result<Vec<TrainingModule>, _>>()?;
    let held = rows_from_json(&row.get::<String>(6)?)?
        .iter()
        .map(training::row_to_qualification)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Found {
        own: pin(row.get(0)?, row.get(1)?),
        accepted: pin(row.get(2)?, row.get(3)?),
        courier_exists: row.get(4)?,
        modules,
        held,
    })
}

/// Creates a dispatcher's task in two statements (see the module's description), with the
/// customer's handoff `code` (kept by the server, see [`handoff_codes`]) when given: the task
/// as created, or the refusal [`tasks::create`] would answer (an unknown courier, a missing
/// qualification, an existing id). `Ok(None)`: this way could not decide; nothing was written
/// and the transaction must take it. Run outside a transaction ([`Db::run_autocommit`]).
pub fn create(
    tx: &mut Tx<'_>,
    mut doc: TaskDoc,
    courier: Option<&str>,
    code: Option<&str>,
    now: i64,
) -> Result<Option<TaskDoc>, StoreError> {
    if !tx.is_postgres() {
        return Ok(None);
    }
    let key = pin_corrections::address_key(&doc.dropoff.address);
    let found = match read(tx, &key, courier) {
        Ok(found) => found,
        Err(e) if e.is_about_the_data() => {
            tracing::info!("a task creation's read did not decode; creating it in a transaction");
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    // The decision, by the rules of `tasks::create`, in its order.
    let own = if courier.is_some() { found.own } else { None };
    pin_corrections::place(&mut doc.dropoff, own, found.accepted);
    if courier.is_some() {
        if !found.courier_exists {
            return Err(Refusal::NoSuchCourier.into());
        }
        training::refuse_missing(training::missing_among(
            &doc,
            &found.modules,
            &found.held,
            now,
        ))?;
    }
    let creation = Creation {
        id: &doc.id,
        courier,
        kind: doc.kind.as_str(),
        status: doc.status.as_str(),
        pickup: doc.pickup.as_ref().map(tasks::stop_json).transpose()?,
        dropoff: tasks::stop_json(&doc.dropoff)?,
        revision: doc.revision,
        updated_at: now,
        details: tasks::details_json(&doc)?,
        handoff_code: code.map(str::trim),
    };
    let text = serde_json::to_string(&creation).map_err(StoreError::document)?;
    let verdict = tx.query_row("SELECT runsheet_create_task_v1(?1)", params![text], |r| {
        r.get::<String>(0)
    });
    match verdict {
        Ok(v) if v == "created" => {}
        Ok(v) if v == "exists" => return Err(Refusal::TaskExists.into()),
        Ok(v) => {
            tracing::warn!(verdict = %v, "unknown verdict of a task creation; using a transaction");
            return Ok(None);
        }
        // Data the store refuses, or a courier gone since the read (the task's reference to
        // them): the transaction decides, and answers as it always has.
        Err(e) if e.is_about_the_data() || e.engine_code().as_deref() == Some("23503") => {
            tracing::info!(
                engine_code = e.engine_code().as_deref().unwrap_or("-"),
                "the store refused a task creation; creating it in a transaction"
            );
            return Ok(None);
        }
        Err(e) => return Err(e),
    }
    if let Some(courier) = courier {
        // Committed with the statement (its NOTIFY reached the other replicas); this
        // replica's waiting pulls are woken by the caller.
        tx.announced.push(courier.to_owned());
    }
    tracing::info!(
        assigned = courier.is_some(),
        "task created in one statement"
    );
    Ok(Some(doc))
}

/// Creates a dispatcher's task, with the customer's handoff `code` when given, in as few round
/// trips as the store allows: in one statement after one read ([`create`]) when it can, else
/// in the transaction of [`tasks::create`] and [`handoff_codes::remember`]. What the dispatch
/// API calls; the answers (the task, or the refusal) are the same either way.
pub async fn create_fewest_trips(
    db: &Db,
    clock: Clock,
    doc: TaskDoc,
    courier: Option<String>,
    code: Option<String>,
) -> Result<TaskDoc, StoreError> {
    if db.engine_name() == "postgres" {
        let (c, d, who, hc) = (clock.clone(), doc.clone(), courier.clone(), code.clone());
        let done = db
            .run_autocommit(move |tx| create(tx, d, who.as_deref(), hc.as_deref(), c.now()))
            .await?;
        if let Some(created) = done {
            return Ok(created);
        }
    }
    db.run(move |tx| {
        let out = tasks::create(tx, doc, courier.as_deref(), clock.now())?;
        if let Some(c) = &code {
            handoff_codes::remember(tx, &out.id, c)?;
        }
        Ok(out)
    })
    .await
}
