//! Training and qualifications: modules dispatch publishes (pages of text and images, a short
//! quiz with a pass mark), the one grading function both the phone and the server use, the
//! qualifications a pass earns (valid for the module's months), and the rule that a task of a
//! gated kind (fresh and chilled goods: the cold-chain module) needs a qualification in force.

use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};

use crate::{TaskDoc, TaskKind, TemperatureClass};

/// Most questions in one quiz.
pub const MAX_QUIZ_QUESTIONS: usize = 50;

/// One page of a module: text and the images that go with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TrainingPage {
    /// What the courier reads, in the platform's language.
    pub text: String,
    /// Images shown with the text (URLs or `sha256:` attachment references).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
}

/// One quiz question: pick one of the choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QuizQuestion {
    /// Stable id within the module.
    pub id: String,
    /// The question.
    pub text: String,
    /// The choices, in the order shown.
    pub choices: Vec<String>,
    /// The index of the right choice (the phone grades offline with it).
    pub correct: u32,
}

/// A training module as dispatch publishes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TrainingModule {
    /// Stable id ("cold-chain").
    pub id: String,
    /// Grows with each publication of this id (set by the server); a quiz is answered for one
    /// version, and an answer for a replaced version is refused.
    #[serde(default)]
    pub version: i64,
    /// Publication order across all modules (set by the server; the pull cursor).
    #[serde(default)]
    pub seq: i64,
    /// The title, in the platform's language.
    pub title: String,
    /// The pages, in order.
    pub pages: Vec<TrainingPage>,
    /// The quiz.
    pub quiz: Vec<QuizQuestion>,
    /// Least share of right answers that passes, percent (1 to 100).
    pub pass_mark_pct: u8,
    /// Task kinds a courier needs this module's qualification for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_for_kinds: Vec<TaskKind>,
    /// Goods (by temperature class) a courier needs this module's qualification to carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_for_goods: Vec<TemperatureClass>,
    /// Months a pass stays valid (0: for ever).
    #[serde(default)]
    pub validity_months: u32,
}

impl TrainingModule {
    /// Why the module cannot be published, if it cannot.
    pub fn problem(&self) -> Option<String> {
        if self.id.is_empty()
            || self.id.len() > 64
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Some("id must be 1 to 64 letters, digits, '-' or '_'".into());
        }
        if self.title.trim().is_empty() {
            return Some("a module needs a title".into());
        }
        if self.pages.is_empty() || self.pages.iter().any(|p| p.text.trim().is_empty()) {
            return Some("a module needs pages, each with text".into());
        }
        if self.quiz.is_empty() || self.quiz.len() > MAX_QUIZ_QUESTIONS {
            return Some(format!("a quiz needs 1 to {MAX_QUIZ_QUESTIONS} questions"));
        }
        let mut seen = std::collections::HashSet::new();
        for q in &self.quiz {
            if q.id.is_empty() || !seen.insert(q.id.as_str()) {
                return Some(format!("question id {:?} is empty or repeated", q.id));
            }
            if q.choices.len() < 2 {
                return Some(format!("question {}: needs at least two choices", q.id));
            }
            if q.correct as usize >= q.choices.len() {
                return Some(format!("question {}: correct names no choice", q.id));
            }
        }
        if !(1..=100).contains(&self.pass_mark_pct) {
            return Some("pass_mark_pct must be 1 to 100".into());
        }
        if self.validity_months > 120 {
            return Some("validity_months must be 0 to 120".into());
        }
        None
    }

    /// True when a courier needs this module's qualification for a task of `kind` carrying
    /// goods of the temperature classes `goods`: its kind is gated, or a class is.
    pub fn required_for(&self, kind: TaskKind, goods: &[TemperatureClass]) -> bool {
        self.required_for_kinds.contains(&kind)
            || goods.iter().any(|g| self.required_for_goods.contains(g))
    }

    /// When a pass at `passed_at` stops being valid (`None`: never).
    pub fn expiry(&self, passed_at: i64) -> Option<i64> {
        expiry(passed_at, self.validity_months)
    }
}

/// When a pass at `passed_at` valid for `months` calendar months stops being valid (`None`:
/// never, or beyond the calendar).
pub fn expiry(passed_at: i64, months: u32) -> Option<i64> {
    if months == 0 {
        return None;
    }
    DateTime::<Utc>::from_timestamp(passed_at, 0)
        .and_then(|t| t.checked_add_months(Months::new(months)))
        .map(|t| t.timestamp())
}

/// The start of the period `months` calendar months before `until` (the performance review
/// looks back six).
pub fn months_before(until: i64, months: u32) -> i64 {
    DateTime::<Utc>::from_timestamp(until, 0)
        .and_then(|t| t.checked_sub_months(Months::new(months)))
        .map_or(i64::MIN, |t| t.timestamp())
}

/// Months the six-monthly performance review covers.
pub const REVIEW_MONTHS: u32 = 6;

/// The grade of a quiz attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QuizGrade {
    /// Right answers.
    pub correct: u32,
    /// Questions.
    pub total: u32,
    /// Whether the share of right answers reaches the pass mark.
    pub passed: bool,
}

/// Why a set of answers cannot be graded against a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuizProblem {
    /// The answers are for another version of the module (it was replaced).
    VersionReplaced {
        /// The version answered.
        answered: i64,
        /// The module's current version.
        current: i64,
    },
    /// Not one answer per question.
    WrongCount {
        /// Answers given.
        given: usize,
        /// Questions.
        questions: usize,
    },
    /// An answer names no choice of its question.
    NoSuchChoice {
        /// The question's id.
        question: String,
    },
}

impl std::fmt::Display for QuizProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QuizProblem::VersionReplaced { answered, current } => write!(
                f,
                "the quiz answered is version {answered}; the module is now version {current}"
            ),
            QuizProblem::WrongCount { given, questions } => {
                write!(f, "{given} answers for {questions} questions")
            }
            QuizProblem::NoSuchChoice { question } => {
                write!(f, "the answer to question {question} names no choice")
            }
        }
    }
}

/// Grades `answers` (one choice index per question, in order) given for `version` of
/// `module`: the one function the phone (offline) and the server (the record) use.
pub fn grade(
    module: &TrainingModule,
    version: i64,
    answers: &[u32],
) -> Result<QuizGrade, QuizProblem> {
    if version != module.version {
        return Err(QuizProblem::VersionReplaced {
            answered: version,
            current: module.version,
        });
    }
    if answers.len() != module.quiz.len() {
        return Err(QuizProblem::WrongCount {
            given: answers.len(),
            questions: module.quiz.len(),
        });
    }
    let mut correct = 0u32;
    for (q, a) in module.quiz.iter().zip(answers) {
        if *a as usize >= q.choices.len() {
            return Err(QuizProblem::NoSuchChoice {
                question: q.id.clone(),
            });
        }
        if *a == q.correct {
            correct += 1;
        }
    }
    let total = u32::try_from(module.quiz.len()).unwrap_or(u32::MAX);
    // Integer arithmetic: correct / total >= pass_mark / 100.
    let passed = u64::from(correct) * 100 >= u64::from(module.pass_mark_pct) * u64::from(total);
    Ok(QuizGrade {
        correct,
        total,
        passed,
    })
}

/// A qualification a courier holds: the last pass of a module's quiz.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QualificationDoc {
    /// The module.
    pub module_id: String,
    /// The version passed.
    pub module_version: i64,
    /// When the server recorded the pass, Unix seconds (server clock).
    pub passed_at: i64,
    /// When it stops being valid (`None`: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// Order of the courier's qualification changes (set by the server; the pull cursor).
    #[serde(default)]
    pub seq: i64,
}

impl QualificationDoc {
    /// True when it is in force at `now`.
    pub fn valid_at(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|e| now < e)
    }
}

/// A qualification a task needs and the courier does not hold in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MissingQualification {
    /// The module whose pass the task needs.
    pub module_id: String,
    /// Its title.
    pub title: String,
    /// When the courier's earlier pass expired (`None`: never passed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<i64>,
}

/// The temperature classes of a task's goods (what it delivers and what it takes back).
pub fn goods_of(task: &TaskDoc) -> Vec<TemperatureClass> {
    let mut out: Vec<TemperatureClass> = task
        .items
        .iter()
        .chain(task.take_back.iter())
        .map(|i| i.temperature)
        .collect();
    out.sort_by_key(|t| t.as_str());
    out.dedup();
    out
}

/// The qualifications a task of `kind` carrying `goods` needs that `held` does not have in
/// force at `now`, given the current `modules` (one per id, the newest version): the gate the
/// server applies before it assigns or offers a task, and the phone's blocker should such a
/// task reach it anyway.
pub fn missing_for(
    kind: TaskKind,
    goods: &[TemperatureClass],
    modules: &[TrainingModule],
    held: &[QualificationDoc],
    now: i64,
) -> Vec<MissingQualification> {
    modules
        .iter()
        .filter(|m| m.required_for(kind, goods))
        .filter_map(|m| {
            let mine = held.iter().find(|q| q.module_id == m.id);
            match mine {
                Some(q) if q.valid_at(now) => None,
                _ => Some(MissingQualification {
                    module_id: m.id.clone(),
                    title: m.title.clone(),
                    expired_at: mine.and_then(|q| q.expires_at),
                }),
            }
        })
        .collect()
}

/// The six-monthly performance review of a courier: the KPIs over the period and the
/// qualifications held at its end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerformanceReview {
    /// The courier.
    pub courier_id: String,
    /// Start of the period, Unix seconds ([`REVIEW_MONTHS`] calendar months before `until`).
    pub from: i64,
    /// End of the period, Unix seconds.
    pub until: i64,
    /// The figures over the period, by the KPI function the phone uses too.
    pub kpis: crate::Kpis,
    /// Qualifications held, with their expiry.
    pub qualifications: Vec<QualificationDoc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ItemDoc, StopDoc, TaskStatus};

    fn module() -> TrainingModule {
        let q = |id: &str, correct| QuizQuestion {
            id: id.into(),
            text: "?".into(),
            choices: vec!["a".into(), "b".into(), "c".into()],
            correct,
        };
        TrainingModule {
            id: "cold-chain".into(),
            version: 2,
            seq: 5,
            title: "Cold chain".into(),
            pages: vec![TrainingPage {
                text: "Keep chilled goods at 0 to 4 °C.".into(),
                images: vec!["https://example.com/box.png".into()],
            }],
            quiz: vec![q("q1", 0), q("q2", 1), q("q3", 2), q("q4", 0)],
            pass_mark_pct: 75,
            required_for_kinds: vec![TaskKind::Grocery],
            required_for_goods: vec![TemperatureClass::Chilled, TemperatureClass::Frozen],
            validity_months: 12,
        }
    }

    fn task(kind: TaskKind, temperature: TemperatureClass) -> TaskDoc {
        let stop = StopDoc::new("n", "a", 0.0, 0.0);
        TaskDoc {
            id: "t".into(),
            kind,
            status: TaskStatus::Assigned,
            pickup: Some(stop.clone()),
            dropoff: stop,
            revision: 1,
            ordered_at: None,
            items: vec![ItemDoc {
                code: "x".into(),
                name: "milk".into(),
                temperature,
                quantity: 1,
                restricted: None,
                size: None,
            }],
            return_to: None,
            handoff_code: None,
            contactless: false,
            proof: Default::default(),
            customer_locale: None,
            case_id: None,
            take_back: vec![],
            cash_due: None,
            handovers: Vec::new(),
            locker: None,
        }
    }

    #[test]
    fn grading_against_the_pass_mark() {
        let m = module();
        assert!(m.problem().is_none());
        let g = grade(&m, 2, &[0, 1, 2, 1]).unwrap();
        assert_eq!((g.correct, g.total, g.passed), (3, 4, true));
        let g = grade(&m, 2, &[0, 0, 0, 1]).unwrap();
        assert_eq!((g.correct, g.passed), (1, false));
        assert_eq!(
            grade(&m, 1, &[0, 1, 2, 0]),
            Err(QuizProblem::VersionReplaced {
                answered: 1,
                current: 2
            })
        );
        assert!(matches!(
            grade(&m, 2, &[0, 1]),
            Err(QuizProblem::WrongCount { .. })
        ));
        assert!(matches!(
            grade(&m, 2, &[0, 1, 9, 0]),
            Err(QuizProblem::NoSuchChoice { .. })
        ));
        let bad = TrainingModule {
            pass_mark_pct: 0,
            ..module()
        };
        assert!(bad.problem().is_some());
    }

    #[test]
    fn a_pass_lasts_twelve_calendar_months() {
        // 2026-02-28 00:00 UTC + 12 months = 2027-02-28 00:00 UTC.
        let passed = 1_772_236_800;
        assert_eq!(expiry(passed, 12), Some(1_803_772_800));
        assert_eq!(expiry(passed, 0), None);
        assert_eq!(months_before(1_803_772_800, 12), passed);
    }

    #[test]
    fn fresh_goods_need_the_cold_chain_qualification_in_force() {
        let m = module();
        let now = 1_800_000_000;
        let fresh = task(TaskKind::Food, TemperatureClass::Chilled);
        let plain = task(TaskKind::Food, TemperatureClass::Hot);
        let grocery = task(TaskKind::Grocery, TemperatureClass::Ambient);
        let need = |t: &TaskDoc| (t.kind, goods_of(t));
        let (k, g) = need(&plain);
        assert!(missing_for(k, &g, std::slice::from_ref(&m), &[], now).is_empty());
        let (k, g) = need(&fresh);
        let missing = missing_for(k, &g, std::slice::from_ref(&m), &[], now);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].module_id, "cold-chain");
        assert_eq!(missing[0].expired_at, None);
        let (gk, gg) = need(&grocery);
        assert_eq!(
            missing_for(gk, &gg, std::slice::from_ref(&m), &[], now).len(),
            1
        );
        let held = QualificationDoc {
            module_id: "cold-chain".into(),
            module_version: 1,
            passed_at: now - 100,
            expires_at: m.expiry(now - 100),
            seq: 1,
        };
        assert!(missing_for(
            k,
            &g,
            std::slice::from_ref(&m),
            std::slice::from_ref(&held),
            now
        )
        .is_empty());
        let lapsed = QualificationDoc {
            expires_at: Some(now - 1),
            ..held
        };
        let missing = missing_for(k, &g, &[m], &[lapsed], now);
        assert_eq!(missing[0].expired_at, Some(now - 1));
    }
}
