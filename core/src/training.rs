//! Training and qualifications, offline. Dispatch publishes training modules (pages of text and
//! images, a short quiz with a pass mark); the phone receives them with each pull and keeps the
//! newest version of each. The courier reads a module and answers its quiz without a network:
//! the core grades the answers with the protocol's [`grade`] (the server's function), records
//! the attempt and queues [`Action::TakeQuiz`] like every action. The server grades again and
//! records the pass, which comes back as the courier's qualification ([`QualificationDoc`],
//! with its expiry); answers for a version replaced meanwhile are refused (`module_replaced`)
//! and the attempt is shown as refused, to be taken again on the new version.
//!
//! A qualification gates task kinds ([`runsheet_protocol::missing_for`]): the server never
//! gives the courier a task they are not qualified for, and should one reach the phone anyway,
//! accepting or picking it up is blocked ([`Blocker::NotQualified`]).

use runsheet_protocol::{
    expiry, grade, missing_for, Action, MissingQualification, QualificationDoc, QuizGrade,
    QuizProblem, TaskKind, TemperatureClass, TrainingModule,
};
use rusqlite::{params, Connection, OptionalExtension};

use crate::blocker::Blocker;
use crate::device::Device;
use crate::error::{Error, Result};
use crate::store::{meta_get, meta_set};
use crate::task::Task;

/// Days before a qualification expires from which the phone warns the courier.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Days before a qualification expires from which the courier is notified (once; and again
/// on the day it expires).
pub const EXPIRY_REMINDER_DAYS: i64 = 14;

/// Which of a qualification's two reminders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ReminderStage {
    /// It expires within [`EXPIRY_REMINDER_DAYS`] days (not today).
    Soon,
    /// It expires today (the city's calendar day).
    Today,
}

impl ReminderStage {
    /// The stable name (the notification's id, the store's record).
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderStage::Soon => "soon",
            ReminderStage::Today => "today",
        }
    }
}

/// A reminder that a qualification the courier holds is about to expire.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QualificationReminder {
    /// The module.
    pub module_id: String,
    /// The module's title (its id when the phone does not hold the module).
    pub title: String,
    /// When the qualification lapses, Unix seconds (server clock).
    pub expires_at: i64,
    /// Within the reminder days, or today.
    pub stage: ReminderStage,
}

impl QualificationReminder {
    /// Where the store remembers it was given.
    fn key(&self) -> String {
        format!(
            "reminded:qualification:{}:{}:{}",
            self.module_id,
            self.expires_at,
            self.stage.as_str()
        )
    }
}

/// The city's calendar day of `t` (days since the epoch, local time).
fn local_day(t: i64, utc_offset_min: i32) -> i64 {
    (t + i64::from(utc_offset_min) * 60).div_euclid(86_400)
}

/// The reminders due at `now` (device clock, as the training page counts) and not given yet:
/// for each qualification the server confirmed that expires within
/// [`EXPIRY_REMINDER_DAYS`] days, [`ReminderStage::Soon`]; on the city's calendar day it
/// expires (`utc_offset_min`), [`ReminderStage::Today`] (the only one given when the courier
/// first opens the app that day). None for a module passed again on the phone and waiting for
/// the server.
pub fn due_reminders(
    conn: &Connection,
    now: i64,
    utc_offset_min: i32,
) -> Result<Vec<QualificationReminder>> {
    let mut out = Vec::new();
    let held = qualifications(conn)?;
    let known = modules(conn)?;
    for q in &held {
        let Some(expires_at) = q.expires_at else {
            continue;
        };
        let module = known.iter().find(|m| m.id == q.module_id);
        if let Some(m) = module {
            let last = last_attempt(conn, &m.id)?;
            if state_of(m, Some(q), last.as_ref(), now) == TrainingState::PassedAwaitingSync {
                continue;
            }
        }
        let stage = if local_day(now, utc_offset_min) == local_day(expires_at, utc_offset_min) {
            ReminderStage::Today
        } else if now < expires_at && expires_at - now <= EXPIRY_REMINDER_DAYS * 86_400 {
            ReminderStage::Soon
        } else {
            continue;
        };
        let r = QualificationReminder {
            module_id: q.module_id.clone(),
            title: module.map_or_else(|| q.module_id.clone(), |m| m.title.clone()),
            expires_at,
            stage,
        };
        if meta_get(conn, &r.key())?.is_none() {
            out.push(r);
        }
    }
    Ok(out)
}

/// Remembers that `r` was given (it survives a restart): [`due_reminders`] leaves it out.
pub fn mark_reminded(conn: &Connection, r: &QualificationReminder, now: i64) -> Result<()> {
    meta_set(conn, &r.key(), &now.to_string())?;
    tracing::info!(
        module = r.module_id.as_str(),
        stage = r.stage.as_str(),
        "qualification expiry reminder given"
    );
    Ok(())
}

/// Where the courier stands with a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum TrainingState {
    /// Never taken (or only attempts the server refused).
    NotTaken,
    /// The last attempt failed: take the quiz again.
    Failed,
    /// Passed on the phone; the server has not confirmed the qualification yet.
    PassedAwaitingSync,
    /// Qualified, the qualification in force.
    Qualified,
    /// Qualified, but the qualification expires within [`EXPIRY_WARNING_DAYS`] days.
    ExpiresSoon,
    /// The qualification has expired: take the quiz again.
    Expired,
    /// The last answers were for a version replaced since: take the new version.
    Replaced,
}

impl TrainingState {
    /// The stable name (QA scenarios, logs).
    pub fn as_str(self) -> &'static str {
        match self {
            TrainingState::NotTaken => "not_taken",
            TrainingState::Failed => "failed",
            TrainingState::PassedAwaitingSync => "passed_awaiting_sync",
            TrainingState::Qualified => "qualified",
            TrainingState::ExpiresSoon => "expires_soon",
            TrainingState::Expired => "expired",
            TrainingState::Replaced => "replaced",
        }
    }

    /// True when the courier may take tasks the module gates.
    pub fn qualifies(self) -> bool {
        matches!(
            self,
            TrainingState::PassedAwaitingSync
                | TrainingState::Qualified
                | TrainingState::ExpiresSoon
        )
    }
}

/// A quiz attempt made on this phone.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QuizAttempt {
    /// The module.
    pub module_id: String,
    /// The version answered.
    pub module_version: i64,
    /// The grade, by the phone (the server's function).
    pub grade: QuizGrade,
    /// When it was taken, device clock.
    pub at: i64,
    /// The server's code when it refused the answers (`module_replaced`).
    pub refused: Option<String>,
}

/// A module as the courier's phone shows it, with where the courier stands.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CourierModule {
    /// The newest version the phone holds.
    pub module: TrainingModule,
    /// Where the courier stands.
    pub state: TrainingState,
    /// The qualification the server confirmed, if any (in force or lapsed).
    pub qualification: Option<QualificationDoc>,
    /// The latest attempt on this phone, if any.
    pub last_attempt: Option<QuizAttempt>,
}

/// The highest module publication the phone holds (the pull cursor for training).
pub fn last_seq(conn: &Connection) -> Result<i64> {
    Ok(meta_get(conn, "training_seq")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// The highest qualification sequence the phone holds (the pull cursor for qualifications).
pub fn last_qualification_seq(conn: &Connection) -> Result<i64> {
    Ok(meta_get(conn, "qualifications_seq")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Stores a module the server published (it replaces the older version of its id).
pub fn store_module(conn: &Connection, m: &TrainingModule) -> Result<()> {
    let body = serde_json::to_string(m)
        .map_err(|e| Error::InvalidArgument(format!("module cannot be encoded: {e}")))?;
    conn.execute(
        "INSERT INTO training_modules (id, version, body, seq) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET version = ?2, body = ?3, seq = ?4
         WHERE excluded.version >= training_modules.version",
        params![m.id, m.version, body, m.seq],
    )?;
    if m.seq > last_seq(conn)? {
        meta_set(conn, "training_seq", &m.seq.to_string())?;
    }
    tracing::info!(module = %m.id, version = m.version, "training module stored");
    Ok(())
}

/// Stores a qualification the server recorded (the courier's last pass of the module).
pub fn store_qualification(conn: &Connection, q: &QualificationDoc) -> Result<()> {
    let body = serde_json::to_string(q)
        .map_err(|e| Error::InvalidArgument(format!("qualification cannot be encoded: {e}")))?;
    conn.execute(
        "INSERT OR REPLACE INTO qualifications (module_id, body, seq) VALUES (?1, ?2, ?3)",
        params![q.module_id, body, q.seq],
    )?;
    if q.seq > last_qualification_seq(conn)? {
        meta_set(conn, "qualifications_seq", &q.seq.to_string())?;
    }
    tracing::info!(module = %q.module_id, "qualification stored");
    Ok(())
}

/// Every module on the phone (the newest version of each), by title.
pub fn modules(conn: &Connection) -> Result<Vec<TrainingModule>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM training_modules ORDER BY id")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out: Vec<TrainingModule> = Vec::new();
    for body in rows {
        if let Ok(m) = serde_json::from_str(&body?) {
            out.push(m);
        }
    }
    out.sort_by(|a, b| a.title.cmp(&b.title).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// One module, or [`Error::ModuleNotFound`].
pub fn module(conn: &Connection, module_id: &str) -> Result<TrainingModule> {
    let body: Option<String> = conn
        .query_row(
            "SELECT body FROM training_modules WHERE id = ?1",
            [module_id],
            |r| r.get(0),
        )
        .optional()?;
    body.and_then(|b| serde_json::from_str(&b).ok())
        .ok_or_else(|| Error::ModuleNotFound {
            module_id: module_id.to_owned(),
        })
}

/// The qualifications the server confirmed.
pub fn qualifications(conn: &Connection) -> Result<Vec<QualificationDoc>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM qualifications ORDER BY module_id")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for body in rows {
        if let Ok(q) = serde_json::from_str(&body?) {
            out.push(q);
        }
    }
    Ok(out)
}

fn attempt_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<QuizAttempt> {
    Ok(QuizAttempt {
        module_id: r.get(0)?,
        module_version: r.get(1)?,
        grade: QuizGrade {
            correct: r.get(2)?,
            total: r.get(3)?,
            passed: r.get(4)?,
        },
        at: r.get(5)?,
        refused: r.get(6)?,
    })
}

/// The latest attempt at a module on this phone.
pub fn last_attempt(conn: &Connection, module_id: &str) -> Result<Option<QuizAttempt>> {
    Ok(conn
        .query_row(
            "SELECT module_id, module_version, correct, total, passed, at, refused
               FROM quiz_attempts WHERE module_id = ?1 ORDER BY id DESC LIMIT 1",
            [module_id],
            attempt_from_row,
        )
        .optional()?)
}

/// The server refused the answers to `module_id` version `version` (`code`): the attempts
/// still waiting for it are shown as refused, and no longer count as a pass.
pub fn refuse_attempts(conn: &Connection, module_id: &str, version: i64, code: &str) -> Result<()> {
    conn.execute(
        "UPDATE quiz_attempts SET refused = ?3
          WHERE module_id = ?1 AND module_version = ?2 AND refused IS NULL",
        params![module_id, version, code],
    )?;
    tracing::info!(module = module_id, version, code, "quiz answers refused");
    Ok(())
}

/// Where the courier stands with `m` at `now`, from the server's qualification and the
/// phone's latest attempt.
pub fn state_of(
    m: &TrainingModule,
    qualification: Option<&QualificationDoc>,
    last: Option<&QuizAttempt>,
    now: i64,
) -> TrainingState {
    let newer_than_qualification =
        |a: &QuizAttempt| qualification.is_none_or(|q| a.at > q.passed_at);
    if let Some(a) = last.filter(|a| newer_than_qualification(a)) {
        match (&a.refused, a.grade.passed) {
            (None, true) => return TrainingState::PassedAwaitingSync,
            (Some(code), _) if code == "module_replaced" || a.module_version < m.version => {
                return TrainingState::Replaced
            }
            (None, false) if qualification.is_none_or(|q| !q.valid_at(now)) => {
                return TrainingState::Failed
            }
            _ => {}
        }
    }
    match qualification {
        Some(q) if !q.valid_at(now) => TrainingState::Expired,
        Some(q) => match q.expires_at {
            Some(e) if e - now <= EXPIRY_WARNING_DAYS * 86_400 => TrainingState::ExpiresSoon,
            _ => TrainingState::Qualified,
        },
        None => TrainingState::NotTaken,
    }
}

/// Every module with where the courier stands at `now`.
pub fn courier_modules(conn: &Connection, now: i64) -> Result<Vec<CourierModule>> {
    let held = qualifications(conn)?;
    let mut out = Vec::new();
    for m in modules(conn)? {
        let qualification = held.iter().find(|q| q.module_id == m.id).cloned();
        let last_attempt = last_attempt(conn, &m.id)?;
        let state = state_of(&m, qualification.as_ref(), last_attempt.as_ref(), now);
        out.push(CourierModule {
            module: m,
            state,
            qualification,
            last_attempt,
        });
    }
    Ok(out)
}

/// The qualifications the courier holds at `now` as the gate counts them: the server's, and a
/// pass on this phone the server has not confirmed yet (valid from when it was taken).
fn held_now(conn: &Connection, now: i64) -> Result<Vec<QualificationDoc>> {
    let mut held = qualifications(conn)?;
    for c in courier_modules(conn, now)? {
        if c.state == TrainingState::PassedAwaitingSync {
            if let Some(a) = c.last_attempt {
                held.retain(|q| q.module_id != a.module_id);
                held.push(QualificationDoc {
                    expires_at: expiry(a.at, c.module.validity_months),
                    module_id: a.module_id,
                    module_version: a.module_version,
                    passed_at: a.at,
                    seq: 0,
                });
            }
        }
    }
    Ok(held)
}

/// The qualifications a task of `kind` with `goods` needs that the courier lacks at `now`.
pub fn missing(
    conn: &Connection,
    kind: TaskKind,
    goods: &[TemperatureClass],
    now: i64,
) -> Result<Vec<MissingQualification>> {
    let modules = modules(conn)?;
    if !modules.iter().any(|m| m.required_for(kind, goods)) {
        return Ok(Vec::new());
    }
    let held = held_now(conn, now)?;
    Ok(missing_for(kind, goods, &modules, &held, now))
}

/// The blocker on taking `t` at `now` when the courier lacks a qualification it needs.
pub fn blocker(conn: &Connection, t: &Task, now: i64) -> Result<Option<Blocker>> {
    let mut goods: Vec<TemperatureClass> = t
        .items
        .iter()
        .chain(t.take_back.iter())
        .map(|i| i.temperature)
        .collect();
    goods.dedup();
    let missing = missing(conn, t.kind, &goods, now)?;
    Ok((!missing.is_empty()).then(|| Blocker::NotQualified {
        modules: missing.into_iter().map(|m| m.title).collect(),
    }))
}

/// Answers the quiz of `module_id`, version `version`, offline: graded on the phone with the
/// server's function, recorded and queued in one transaction. Refused with
/// [`Error::ModuleNotFound`], [`Error::ModuleReplaced`] (the phone holds a newer version: the
/// courier takes that one) or [`Error::InvalidArgument`] (not one answer per question, or an
/// answer naming no choice); nothing is recorded then.
pub(crate) fn take_quiz(
    dev: &Device,
    module_id: &str,
    version: i64,
    answers: Vec<u32>,
) -> Result<QuizGrade> {
    let m = dev.store.read(|c| module(c, module_id))?;
    let g = grade(&m, version, &answers).map_err(|p| match p {
        QuizProblem::VersionReplaced { answered, current } => Error::ModuleReplaced {
            module_id: module_id.to_owned(),
            answered,
            current,
        },
        other => Error::InvalidArgument(other.to_string()),
    })?;
    let now = dev.now();
    dev.act_with(
        Action::TakeQuiz {
            module_id: module_id.to_owned(),
            module_version: version,
            answers,
        },
        &mut |tx| {
            tx.execute(
                "INSERT INTO quiz_attempts (module_id, module_version, correct, total, passed, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![module_id, version, g.correct, g.total, g.passed, now],
            )?;
            Ok(())
        },
    )?;
    tracing::info!(module = module_id, version, passed = g.passed, "quiz taken");
    Ok(g)
}

#[cfg(test)]
mod tests {
    use runsheet_protocol::{QuizQuestion, TrainingPage};

    use super::*;

    fn module(version: i64) -> TrainingModule {
        TrainingModule {
            id: "cold-chain".into(),
            version,
            seq: version,
            title: "Cold chain".into(),
            pages: vec![TrainingPage {
                text: "0 to 4 °C".into(),
                images: vec![],
            }],
            quiz: vec![QuizQuestion {
                id: "q1".into(),
                text: "?".into(),
                choices: vec!["a".into(), "b".into()],
                correct: 0,
            }],
            pass_mark_pct: 100,
            required_for_kinds: vec![TaskKind::Grocery],
            required_for_goods: vec![TemperatureClass::Chilled],
            validity_months: 12,
        }
    }

    fn attempt(version: i64, passed: bool, at: i64, refused: Option<&str>) -> QuizAttempt {
        QuizAttempt {
            module_id: "cold-chain".into(),
            module_version: version,
            grade: QuizGrade {
                correct: u32::from(passed),
                total: 1,
                passed,
            },
            at,
            refused: refused.map(str::to_owned),
        }
    }

    #[test]
    fn where_the_courier_stands() {
        let m = module(2);
        let now = 1_800_000_000;
        let day = 86_400;
        let q = |passed_at: i64, expires_at: i64| QualificationDoc {
            module_id: "cold-chain".into(),
            module_version: 2,
            passed_at,
            expires_at: Some(expires_at),
            seq: 1,
        };
        let state = |q: Option<&QualificationDoc>, a: Option<&QuizAttempt>| state_of(&m, q, a, now);
        assert_eq!(state(None, None), TrainingState::NotTaken);
        assert_eq!(
            state(None, Some(&attempt(2, false, now, None))),
            TrainingState::Failed
        );
        assert_eq!(
            state(None, Some(&attempt(2, true, now, None))),
            TrainingState::PassedAwaitingSync
        );
        assert_eq!(
            state(None, Some(&attempt(1, true, now, Some("module_replaced")))),
            TrainingState::Replaced
        );
        let fresh = q(now - day, now + 300 * day);
        assert_eq!(state(Some(&fresh), None), TrainingState::Qualified);
        // The pass the server confirmed is the phone's attempt: qualified, not waiting.
        assert_eq!(
            state(Some(&fresh), Some(&attempt(2, true, now - 2 * day, None))),
            TrainingState::Qualified
        );
        // A failed retake does not take a qualification in force away.
        assert_eq!(
            state(Some(&fresh), Some(&attempt(2, false, now, None))),
            TrainingState::Qualified
        );
        let ending = q(now - 340 * day, now + 20 * day);
        assert_eq!(state(Some(&ending), None), TrainingState::ExpiresSoon);
        let lapsed = q(now - 400 * day, now - day);
        assert_eq!(state(Some(&lapsed), None), TrainingState::Expired);
        assert_eq!(
            state(Some(&lapsed), Some(&attempt(2, false, now, None))),
            TrainingState::Failed
        );
        assert!(TrainingState::ExpiresSoon.qualifies() && !TrainingState::Expired.qualifies());
    }

    #[test]
    fn reminders_come_within_fourteen_days_and_on_the_day_once_each() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::schema::migrate(&mut conn).unwrap();
        store_module(&conn, &module(1)).unwrap();
        // Lapses 2027-01-10 16:00 UTC = 2027-01-11 00:00 in Beijing (UTC+8).
        let e = 1_799_596_800;
        store_qualification(
            &conn,
            &QualificationDoc {
                module_id: "cold-chain".into(),
                module_version: 1,
                passed_at: e - 365 * 86_400,
                expires_at: Some(e),
                seq: 1,
            },
        )
        .unwrap();
        let due = |now: i64| due_reminders(&conn, now, 480).unwrap();
        let stages = |now: i64| due(now).iter().map(|r| r.stage).collect::<Vec<_>>();
        assert_eq!(stages(e - 15 * 86_400), vec![]);
        assert_eq!(stages(e - 14 * 86_400), vec![ReminderStage::Soon]);
        // 23:59 the evening before, Beijing: still "soon"; a minute later it is the day.
        assert_eq!(stages(e - 60), vec![ReminderStage::Soon]);
        assert_eq!(stages(e), vec![ReminderStage::Today]);
        // Given once: remembered, not due again; the day's still due.
        let soon = due(e - 86_400).remove(0);
        assert_eq!(soon.title, "Cold chain");
        mark_reminded(&conn, &soon, e - 86_400).unwrap();
        assert_eq!(stages(e - 3_600), vec![]);
        assert_eq!(stages(e + 3_600), vec![ReminderStage::Today]);
        // A day later it has lapsed: nothing more (the page says so).
        assert_eq!(stages(e + 86_400), vec![]);
        // Passed again on the phone, waiting for the server: no reminder.
        conn.execute(
            "INSERT INTO quiz_attempts (module_id, module_version, correct, total, passed, at)
             VALUES ('cold-chain', 1, 1, 1, 1, ?1)",
            [e - 2 * 86_400],
        )
        .unwrap();
        assert_eq!(stages(e + 3_600), vec![]);
    }
}
