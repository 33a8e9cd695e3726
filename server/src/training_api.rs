//! Dispatch's training routes: publish a module (phones get it with their next pull), read a
//! courier's training record, and the six-monthly performance review. Couriers take the quiz
//! offline; their answers come through the push ([`runsheet_protocol::Action::TakeQuiz`]).

use axum::extract::{Path, State};
use axum::Json;
use runsheet_protocol::{PerformanceReview, TrainingModule};

use crate::auth::Admin;
use crate::db::training;
use crate::error::ApiError;
use crate::input::{id, int, text, under, Document, Invalid, MAX_COUNT};
use crate::{ApiJson, AppState};

pub use crate::db::training::{AttemptRecord, TrainingRecord};

/// Longest page of a module, characters.
const MAX_PAGE_CHARS: usize = 20_000;

/// Most pages and images of a module.
const MAX_PAGES: usize = 100;

impl Document for TrainingModule {
    fn check(&self) -> Result<(), Invalid> {
        int("version", self.version, 0, MAX_COUNT)?;
        int("seq", self.seq, 0, MAX_COUNT)?;
        if let Some(problem) = self.problem() {
            return Err(Invalid::new("(body)", problem));
        }
        id("id", &self.id)?;
        text("title", &self.title, 200)?;
        if self.pages.len() > MAX_PAGES {
            return Err(Invalid::new("pages", format!("at most {MAX_PAGES} pages")));
        }
        for (i, p) in self.pages.iter().enumerate() {
            let at = format!("pages[{i}]");
            text(&under(&at, "text"), &p.text, MAX_PAGE_CHARS)?;
            if p.images.len() > MAX_PAGES {
                return Err(Invalid::new(
                    under(&at, "images"),
                    format!("at most {MAX_PAGES} images"),
                ));
            }
            for (j, img) in p.images.iter().enumerate() {
                text(&under(&at, &format!("images[{j}]")), img, 2000)?;
            }
        }
        for (i, q) in self.quiz.iter().enumerate() {
            let at = format!("quiz[{i}]");
            id(&under(&at, "id"), &q.id)?;
            text(&under(&at, "text"), &q.text, 2000)?;
            if q.choices.len() > 10 {
                return Err(Invalid::new(under(&at, "choices"), "at most 10 choices"));
            }
            for (j, c) in q.choices.iter().enumerate() {
                text(&under(&at, &format!("choices[{j}]")), c, 500)?;
            }
        }
        Ok(())
    }
}

/// `PUT /v1/dispatch/training`: publishes a training module (a new version of its id); every
/// phone gets it on its next pull, and quiz answers for the version it replaces are refused
/// from now on (`module_replaced`).
pub async fn publish(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson<TrainingModule>,
) -> Result<Json<TrainingModule>, ApiError> {
    Ok(Json(
        state.db.run(move |tx| training::publish(tx, body)).await?,
    ))
}

/// `GET /v1/dispatch/training`: the current version of every module.
pub async fn list(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<Vec<TrainingModule>>, ApiError> {
    Ok(Json(state.db.run(training::current).await?))
}

/// `GET /v1/dispatch/couriers/{id}/training`: a courier's qualifications and graded attempts.
pub async fn record(
    State(state): State<AppState>,
    _: Admin,
    Path(courier): Path<String>,
) -> Result<Json<TrainingRecord>, ApiError> {
    Ok(Json(
        state
            .db
            .run(move |tx| training::record(tx, &courier))
            .await?,
    ))
}

/// `GET /v1/dispatch/couriers/{id}/review`: the six-monthly performance review, the KPIs over
/// the six calendar months to now and the qualifications held.
pub async fn review(
    State(state): State<AppState>,
    _: Admin,
    Path(courier): Path<String>,
) -> Result<Json<PerformanceReview>, ApiError> {
    let clock = state.clock.clone();
    Ok(Json(
        state
            .db
            .run(move |tx| training::review(tx, &courier, clock.now()))
            .await?,
    ))
}
