//! Training modules dispatch publishes (numbered in commit order, pulled by that number like
//! checklist templates), the quiz attempts couriers push (graded here with the protocol's
//! [`grade`], the phone's function), the qualifications a pass earns, and the gate every
//! assignment of a task goes through: [`missing_for`].

use runsheet_protocol::{
    goods_of, grade, missing_for as missing_in, months_before, MissingQualification,
    PerformanceReview, QualificationDoc, QuizProblem, RejectCode, TaskDoc, TrainingModule,
    REVIEW_MONTHS,
};

use super::{couriers, ratings, Refusal, Row, StoreError, Tx};
use crate::params;

/// The columns [`row_to_qualification`] reads, in order.
pub(crate) const QUALIFICATION_COLUMNS: &str =
    "module_id, module_version, passed_at, expires_at, seq";

/// A qualification from a row of [`QUALIFICATION_COLUMNS`].
pub(crate) fn row_to_qualification(r: &Row) -> Result<QualificationDoc, StoreError> {
    Ok(QualificationDoc {
        module_id: r.get(0)?,
        module_version: r.get(1)?,
        passed_at: r.get(2)?,
        expires_at: r.get(3)?,
        seq: r.get(4)?,
    })
}

/// Publishes a module as a new version of its id (the earlier version's quiz answers are
/// refused from now on) and wakes every waiting pull.
pub fn publish(tx: &mut Tx<'_>, module: TrainingModule) -> Result<TrainingModule, StoreError> {
    tx.lock_global("training")?;
    tx.announce("*")?;
    let version: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM training_modules WHERE id = ?1",
        params![&module.id],
        |r| r.get(0),
    )?;
    let seq: i64 = tx.query_row(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM training_modules",
        params![],
        |r| r.get(0),
    )?;
    let m = TrainingModule {
        version,
        seq,
        ..module
    };
    let json = serde_json::to_string(&m).map_err(StoreError::document)?;
    tx.execute(
        "INSERT INTO training_modules (id, version, seq, body) VALUES (?1, ?2, ?3, ?4)",
        params![m.id, version, seq, json],
    )?;
    tracing::info!(module = %m.id, version, "training module published");
    Ok(m)
}

/// Modules published after `seq`, in publication order (what a pull carries).
pub fn after(tx: &mut Tx<'_>, seq: i64) -> Result<Vec<TrainingModule>, StoreError> {
    let rows = tx.query_map(
        "SELECT body FROM training_modules WHERE seq > ?1 ORDER BY seq",
        params![seq],
        |r| r.get::<String>(0),
    )?;
    rows.iter()
        .map(|body| serde_json::from_str(body).map_err(StoreError::document))
        .collect()
}

/// The current version of every module, by id.
pub fn current(tx: &mut Tx<'_>) -> Result<Vec<TrainingModule>, StoreError> {
    let rows = tx.query_map(
        "SELECT m.body FROM training_modules m
          WHERE m.version = (SELECT MAX(version) FROM training_modules n WHERE n.id = m.id)
          ORDER BY m.id",
        params![],
        |r| r.get::<String>(0),
    )?;
    rows.iter()
        .map(|body| serde_json::from_str(body).map_err(StoreError::document))
        .collect()
}

/// The current version of one module.
pub fn module(tx: &mut Tx<'_>, id: &str) -> Result<Option<TrainingModule>, StoreError> {
    let body = tx.query_opt(
        "SELECT body FROM training_modules WHERE id = ?1 ORDER BY version DESC LIMIT 1",
        params![id],
        |r| r.get::<String>(0),
    )?;
    body.map(|b| serde_json::from_str(&b).map_err(StoreError::document))
        .transpose()
}

/// The courier's qualifications (one per module: the last pass).
pub fn held(tx: &mut Tx<'_>, courier: &str) -> Result<Vec<QualificationDoc>, StoreError> {
    tx.query_map(
        &format!(
            "SELECT {QUALIFICATION_COLUMNS} FROM qualifications WHERE courier_id = ?1
              ORDER BY module_id"
        ),
        params![courier],
        row_to_qualification,
    )
}

/// The courier's qualifications earned or renewed after `seq` (what a pull carries).
pub fn qualifications_after(
    tx: &mut Tx<'_>,
    courier: &str,
    seq: i64,
) -> Result<Vec<QualificationDoc>, StoreError> {
    tx.query_map(
        &format!(
            "SELECT {QUALIFICATION_COLUMNS} FROM qualifications WHERE courier_id = ?1 AND seq > ?2
              ORDER BY seq"
        ),
        params![courier, seq],
        row_to_qualification,
    )
}

/// The qualifications `task` needs that `courier` does not hold in force at `now` (empty:
/// the courier may have it). The one gate of every assignment — creation with a courier,
/// reassignment — and of every offer.
pub fn missing_for(
    tx: &mut Tx<'_>,
    courier: &str,
    task: &TaskDoc,
    now: i64,
) -> Result<Vec<MissingQualification>, StoreError> {
    let modules = current(tx)?;
    if !gated(task, &modules) {
        return Ok(Vec::new());
    }
    let held = held(tx, courier)?;
    Ok(missing_among(task, &modules, &held, now))
}

/// Whether any of the current `modules` gates `task` (when none does, the courier's
/// qualifications need not be read).
fn gated(task: &TaskDoc, modules: &[TrainingModule]) -> bool {
    let goods = goods_of(task);
    modules.iter().any(|m| m.required_for(task.kind, &goods))
}

/// The rule of [`missing_for`] on what it reads: the qualifications `task` needs, given the
/// current `modules` (one per id, the newest version), that `held` does not have in force at
/// `now`.
pub(crate) fn missing_among(
    task: &TaskDoc,
    modules: &[TrainingModule],
    held: &[QualificationDoc],
    now: i64,
) -> Vec<MissingQualification> {
    missing_in(task.kind, &goods_of(task), modules, held, now)
}

/// Refuses (409 `not_qualified`) giving `task` to `courier` when a qualification is missing.
pub fn must_be_qualified(
    tx: &mut Tx<'_>,
    courier: &str,
    task: &TaskDoc,
    now: i64,
) -> Result<(), StoreError> {
    refuse_missing(missing_for(tx, courier, task, now)?)
}

/// The refusal of an assignment that lacks the qualifications `missing` (the first one named),
/// `Ok` when nothing is missing: the one answer of [`must_be_qualified`] and of the task
/// creation that reads everything in one statement.
pub(crate) fn refuse_missing(missing: Vec<MissingQualification>) -> Result<(), StoreError> {
    match missing.into_iter().next() {
        None => Ok(()),
        Some(m) => {
            tracing::info!(module = %m.module_id, "assignment refused: qualification missing");
            Err(Refusal::NotQualified {
                module_id: m.module_id,
                expired_at: m.expired_at,
            }
            .into())
        }
    }
}

/// Grades and records a quiz attempt pushed by `courier`; a pass (re)sets the qualification,
/// valid for the module's months from now, and wakes the courier's pull. `Some` is the
/// rejection: a replaced version, answers that do not fit, an unknown module.
pub fn attempt(
    tx: &mut Tx<'_>,
    courier: &str,
    source: (&str, i64),
    (module_id, version, answers): (&str, i64, &[u32]),
    now: i64,
) -> Result<Option<(RejectCode, String)>, StoreError> {
    let Some(module) = module(tx, module_id)? else {
        return Ok(Some((
            RejectCode::Invalid,
            "no such training module".into(),
        )));
    };
    let g = match grade(&module, version, answers) {
        Ok(g) => g,
        Err(p @ QuizProblem::VersionReplaced { .. }) => {
            tracing::info!(module = module_id, version, "quiz for a replaced version");
            return Ok(Some((RejectCode::ModuleReplaced, p.to_string())));
        }
        Err(p) => return Ok(Some((RejectCode::Invalid, p.to_string()))),
    };
    let answers_json = serde_json::to_string(answers).map_err(StoreError::document)?;
    tx.execute(
        "INSERT INTO quiz_attempts (courier_id, client_id, mutation_id, module_id,
             module_version, answers, correct, total, passed, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            courier,
            source.0,
            source.1,
            module_id,
            version,
            answers_json,
            g.correct,
            g.total,
            g.passed,
            now
        ],
    )?;
    tracing::info!(
        module = module_id,
        version,
        passed = g.passed,
        "quiz attempt graded"
    );
    if g.passed {
        tx.lock_global("qualifications")?;
        let seq: i64 = tx.query_row(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM qualifications",
            params![],
            |r| r.get(0),
        )?;
        let expires = module.expiry(now);
        tx.execute(
            "DELETE FROM qualifications WHERE courier_id = ?1 AND module_id = ?2",
            params![courier, module_id],
        )?;
        tx.execute(
            "INSERT INTO qualifications (courier_id, module_id, module_version, passed_at,
                 expires_at, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![courier, module_id, version, now, expires, seq],
        )?;
        tx.announce(courier)?;
    }
    Ok(None)
}

/// One graded attempt, as dispatch reads it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AttemptRecord {
    /// The module.
    pub module_id: String,
    /// The version answered.
    pub module_version: i64,
    /// Right answers.
    pub correct: u32,
    /// Questions.
    pub total: u32,
    /// Whether it passed.
    pub passed: bool,
    /// When the server graded it.
    pub at: i64,
}

/// A courier's training record: qualifications and every graded attempt, newest first.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainingRecord {
    /// The courier.
    pub courier_id: String,
    /// Qualifications held (in force or lapsed).
    pub qualifications: Vec<QualificationDoc>,
    /// Graded attempts, newest first.
    pub attempts: Vec<AttemptRecord>,
}

/// The courier's training record (404 for an unknown courier).
pub fn record(tx: &mut Tx<'_>, courier: &str) -> Result<TrainingRecord, StoreError> {
    couriers::must_exist(tx, courier)?;
    let qualifications = held(tx, courier)?;
    let attempts = tx.query_map(
        "SELECT module_id, module_version, correct, total, passed, at FROM quiz_attempts
          WHERE courier_id = ?1 ORDER BY id DESC",
        params![courier],
        |r| {
            Ok(AttemptRecord {
                module_id: r.get(0)?,
                module_version: r.get(1)?,
                correct: r.get(2)?,
                total: r.get(3)?,
                passed: r.get(4)?,
                at: r.get(5)?,
            })
        },
    )?;
    Ok(TrainingRecord {
        courier_id: courier.to_owned(),
        qualifications,
        attempts,
    })
}

/// The six-monthly performance review of `courier` ending now (`until`, the server clock):
/// the KPIs over the [`REVIEW_MONTHS`] calendar months before it, by the server's own facts
/// and the protocol's arithmetic (the phone's), and the qualifications held.
pub fn review(tx: &mut Tx<'_>, courier: &str, until: i64) -> Result<PerformanceReview, StoreError> {
    couriers::must_exist(tx, courier)?;
    let from = months_before(until, REVIEW_MONTHS);
    let kpis = ratings::kpis(tx, courier, from)?;
    Ok(PerformanceReview {
        courier_id: courier.to_owned(),
        from,
        until,
        kpis,
        qualifications: held(tx, courier)?,
    })
}
