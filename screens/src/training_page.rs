//! Training and qualifications: the list of modules with where the courier stands (qualified
//! until a date, a warning before it expires, expired, failed), a module's pages, its quiz
//! (each answer a tap), and the six-monthly performance review (the KPI function over six
//! calendar months, with the qualifications held). Every rule is the core's.

use runsheet_core::rating::Period;
use runsheet_core::{CourierModule, Result, TrainingState};
use runsheet_protocol::{QualificationDoc, TrainingModule};
use runsheet_words::{Args, Words};

use crate::offer::{Offer, OfferStyle, Tap};
use crate::screen::{Figure, Tone};
use crate::view::View;
use crate::wording::t;

/// One module in the list.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TrainingRow {
    /// The module's id.
    pub module_id: String,
    /// Its title.
    pub title: String,
    /// Where the courier stands, in words.
    pub status: String,
    /// The stable state (QA scenarios).
    pub state: TrainingState,
    /// How it reads.
    pub tone: Tone,
    /// "Valid until …", "Expired on …", when there is a qualification.
    pub validity: Option<String>,
    /// "Needed for: Grocery, Chilled goods", when it gates tasks.
    pub needed_for: Option<String>,
    /// Open the module.
    pub offers: Vec<Offer>,
}

/// The training list.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TrainingListPage {
    /// Warnings of qualifications about to expire.
    pub warnings: Vec<String>,
    /// The modules.
    pub rows: Vec<TrainingRow>,
    /// What an empty page says.
    pub empty_text: Option<String>,
    /// The six-monthly review.
    pub review: Offer,
}

/// One page of a module.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LessonView {
    /// The text.
    pub text: String,
    /// Images to show with it (URLs or attachment references).
    pub images: Vec<String>,
}

/// A module: its pages and the way to its quiz.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ModulePage {
    /// Its title.
    pub title: String,
    /// Where the courier stands.
    pub row: TrainingRow,
    /// The pages.
    pub lessons: Vec<LessonView>,
    /// "4 questions · pass mark 75%".
    pub quiz_summary: String,
    /// The last attempt on this phone, in words.
    pub last_attempt: Option<String>,
    /// Start the quiz.
    pub start_quiz: Offer,
}

/// A quiz question with its choices as taps.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QuizQuestionView {
    /// "Question 1 of 4".
    pub number: String,
    /// The question.
    pub text: String,
    /// "Chosen: …" or "Not answered yet".
    pub chosen: String,
    /// Whether it is answered.
    pub answered: bool,
    /// One tap per choice.
    pub choices: Vec<Offer>,
}

/// A module's quiz.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QuizPage {
    /// Its title.
    pub title: String,
    /// "4 questions · pass mark 75%".
    pub summary: String,
    /// The questions.
    pub questions: Vec<QuizQuestionView>,
    /// Submit (disabled, with why, until every question is answered).
    pub submit: Offer,
}

/// The six-monthly performance review.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReviewPage {
    /// "Jun 6, 2026 to Dec 6, 2026 · 312 deliveries".
    pub period: String,
    /// The figures against the platform's targets.
    pub figures: Vec<Figure>,
    /// The qualifications held, each with its validity.
    pub qualifications: Vec<String>,
}

/// The training list.
pub fn build(v: &View<'_>) -> Result<TrainingListPage> {
    let w = v.words;
    let modules = v.core.training()?;
    let mut warnings = Vec::new();
    for m in &modules {
        if m.state == TrainingState::ExpiresSoon {
            if let Some(e) = m.qualification.as_ref().and_then(|q| q.expires_at) {
                warnings.push(
                    w.text(
                        "training-expiry-warning",
                        &Args::new()
                            .str("module", m.module.title.clone())
                            .str("date", date(v, e))
                            .num("days", ((e - v.now) / 86_400).max(0)),
                    ),
                );
            }
        }
    }
    let rows: Vec<TrainingRow> = modules.iter().map(|m| row(v, m, true)).collect();
    Ok(TrainingListPage {
        warnings,
        empty_text: rows.is_empty().then(|| t(w, "training-empty")),
        rows,
        review: Offer::new(
            Tap::ShowReview,
            t(w, "offer-show-review"),
            OfferStyle::Navigation,
        ),
    })
}

/// A module's page.
pub fn build_module(v: &View<'_>, module_id: &str) -> Result<ModulePage> {
    let w = v.words;
    let m = v.core.training_module(module_id)?;
    let last_attempt = m.last_attempt.as_ref().map(|a| {
        if a.refused.is_some() {
            t(w, "training-last-attempt-refused")
        } else {
            w.text(
                "training-last-attempt",
                &Args::new()
                    .num("correct", i64::from(a.grade.correct))
                    .num("total", i64::from(a.grade.total)),
            )
        }
    });
    Ok(ModulePage {
        title: m.module.title.clone(),
        row: row(v, &m, false),
        lessons: m
            .module
            .pages
            .iter()
            .map(|p| LessonView {
                text: p.text.clone(),
                images: p.images.clone(),
            })
            .collect(),
        quiz_summary: quiz_summary(w, &m.module),
        last_attempt,
        start_quiz: Offer::new(
            Tap::StartQuiz {
                module_id: m.module.id.clone(),
            },
            t(w, "offer-start-quiz"),
            OfferStyle::Primary,
        ),
    })
}

/// A module's quiz with the answers chosen so far (`answers`, one per question).
pub fn build_quiz(
    v: &View<'_>,
    module_id: &str,
    version: i64,
    answers: &[Option<u32>],
) -> Result<QuizPage> {
    let w = v.words;
    let m = v.core.training_module(module_id)?.module;
    let total = m.quiz.len();
    let questions: Vec<QuizQuestionView> = m
        .quiz
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let chosen = answers.get(i).copied().flatten();
            let chosen_text = chosen.and_then(|c| q.choices.get(c as usize));
            QuizQuestionView {
                number: w.text(
                    "quiz-question-number",
                    &Args::new()
                        .num("n", i as i64 + 1)
                        .num("total", total as i64),
                ),
                text: q.text.clone(),
                chosen: match chosen_text {
                    Some(c) => w.text("quiz-chosen", &Args::new().str("choice", c.clone())),
                    None => t(w, "quiz-not-answered"),
                },
                answered: chosen_text.is_some(),
                choices: q
                    .choices
                    .iter()
                    .enumerate()
                    .map(|(j, c)| {
                        Offer::new(
                            Tap::ChooseAnswer {
                                module_id: m.id.clone(),
                                question: i as u32,
                                choice: j as u32,
                            },
                            c.clone(),
                            if chosen == Some(j as u32) {
                                OfferStyle::Primary
                            } else {
                                OfferStyle::Secondary
                            },
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let missing = questions.iter().filter(|q| !q.answered).count();
    let mut submit = Offer::new(
        Tap::SubmitQuiz {
            module_id: m.id.clone(),
            version,
        },
        t(w, "offer-submit-quiz"),
        OfferStyle::Primary,
    );
    if missing > 0 {
        submit.enabled = false;
        submit.why = vec![w.text("quiz-unanswered", &Args::new().num("n", missing as i64))];
    }
    Ok(QuizPage {
        title: w.text("title-quiz", &Args::new().str("module", m.title.clone())),
        summary: quiz_summary(w, &m),
        questions,
        submit,
    })
}

/// The six-monthly performance review: the KPIs over six calendar months (the function the
/// server's review uses) and the qualifications held.
pub fn build_review(v: &View<'_>) -> Result<ReviewPage> {
    let w = v.words;
    let kpi = crate::kpi_page::build_for(v, Period::SixMonths)?;
    let from = Period::SixMonths.since(v.now);
    let deliveries = v.core.kpis(Period::SixMonths)?.deliveries;
    let qualifications = v
        .core
        .training()?
        .iter()
        .filter_map(|m| {
            m.qualification.as_ref().map(|q| {
                format!(
                    "{} · {} · {}",
                    m.module.title,
                    status(w, m.state),
                    validity(v, q)
                )
            })
        })
        .collect::<Vec<_>>();
    Ok(ReviewPage {
        period: w.text(
            "review-period",
            &Args::new()
                .str("from", date(v, from))
                .str("until", date(v, v.now))
                .num("deliveries", i64::from(deliveries)),
        ),
        figures: kpi.figures,
        qualifications: if qualifications.is_empty() {
            vec![t(w, "review-no-qualifications")]
        } else {
            qualifications
        },
    })
}

/// The courier's qualifications as figures of the KPI page: the module, where the courier
/// stands, and until when (no platform target: the tone says whether it is in force).
pub fn qualification_figures(v: &View<'_>) -> Result<Vec<Figure>> {
    Ok(v.core
        .training()?
        .iter()
        .filter_map(|m| {
            let q = m.qualification.as_ref()?;
            let r = row(v, m, false);
            Some(Figure {
                name: m.module.title.clone(),
                value: r.status.clone(),
                target: validity(v, q),
                below_target: !m.state.qualifies(),
                verdict: r.needed_for.unwrap_or(r.status),
                tone: r.tone,
            })
        })
        .collect())
}

/// The verdict of a graded quiz, as the notice after submitting.
pub fn verdict(w: &Words, m: &TrainingModule, g: &runsheet_core::QuizGrade) -> (String, Tone) {
    let args = Args::new()
        .num("correct", i64::from(g.correct))
        .num("total", i64::from(g.total))
        .str("mark", w.percent(f64::from(m.pass_mark_pct) / 100.0));
    if g.passed {
        (w.text("notice-quiz-passed", &args), Tone::Good)
    } else {
        (w.text("notice-quiz-failed", &args), Tone::Bad)
    }
}

fn quiz_summary(w: &Words, m: &TrainingModule) -> String {
    w.text(
        "training-quiz-summary",
        &Args::new()
            .num("questions", m.quiz.len() as i64)
            .str("mark", w.percent(f64::from(m.pass_mark_pct) / 100.0)),
    )
}

fn date(v: &View<'_>, unix: i64) -> String {
    v.words
        .date(unix, crate::view::local_offset_min(&v.settings, unix))
}

fn status(w: &Words, s: TrainingState) -> String {
    t(
        w,
        &format!("training-state-{}", s.as_str().replace('_', "-")),
    )
}

fn validity(v: &View<'_>, q: &QualificationDoc) -> String {
    let w = v.words;
    match q.expires_at {
        None => t(w, "training-valid-forever"),
        Some(e) if e <= v.now => {
            w.text("training-expired-on", &Args::new().str("date", date(v, e)))
        }
        Some(e) => w.text("training-valid-until", &Args::new().str("date", date(v, e))),
    }
}

fn row(v: &View<'_>, m: &CourierModule, listed: bool) -> TrainingRow {
    let w = v.words;
    let mut needed: Vec<String> = m
        .module
        .required_for_kinds
        .iter()
        .map(|k| runsheet_core::wording::task_kind(w, *k))
        .collect();
    needed.extend(m.module.required_for_goods.iter().map(|g| {
        w.text(
            "training-goods",
            &Args::new().str("class", crate::wording::temperature(w, *g)),
        )
    }));
    let mut offers = Vec::new();
    if listed {
        offers.push(Offer::new(
            Tap::ShowModule {
                module_id: m.module.id.clone(),
            },
            t(w, "offer-open-module"),
            OfferStyle::Navigation,
        ));
    }
    TrainingRow {
        module_id: m.module.id.clone(),
        title: m.module.title.clone(),
        status: status(w, m.state),
        state: m.state,
        tone: match m.state {
            TrainingState::Qualified => Tone::Good,
            TrainingState::PassedAwaitingSync => Tone::Neutral,
            TrainingState::ExpiresSoon | TrainingState::Replaced => Tone::Warning,
            TrainingState::Expired | TrainingState::Failed => Tone::Bad,
            TrainingState::NotTaken if needed.is_empty() => Tone::Neutral,
            TrainingState::NotTaken => Tone::Warning,
        },
        validity: m.qualification.as_ref().map(|q| validity(v, q)),
        needed_for: (!needed.is_empty()).then(|| {
            w.text(
                "training-needed-for",
                &Args::new().str("what", w.list(&needed)),
            )
        }),
        offers,
    }
}
