//! Ratings, appeals and KPIs over FFI.

use std::sync::Arc;

use runsheet_core::rating::Period as KpiPeriod;
use runsheet_protocol::{Kpis, RatingDoc as Rating, RatingTarget};

use crate::{Inner, RunsheetError};

/// What the courier was rated, what they rate, and their figures.
#[derive(uniffi::Object)]
pub struct Ratings {
    inner: Arc<Inner>,
}

impl Ratings {
    pub(crate) fn over(inner: &Arc<Inner>) -> Self {
        Ratings {
            inner: Arc::clone(inner),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Ratings {
    /// The ratings received, newest first (announced through the sync listener too).
    pub async fn received(&self) -> Result<Vec<Rating>, RunsheetError> {
        self.inner.run(|c| c.ratings()).await
    }

    /// The courier's KPIs for a period, computed on the phone.
    pub async fn kpis(&self, period: KpiPeriod) -> Result<Kpis, RunsheetError> {
        self.inner.run(move |c| c.kpis(period)).await
    }

    /// Rates the merchant or drop-off of a task (queued offline; re-rating replaces).
    pub async fn rate_stop(
        &self,
        task_id: String,
        target: RatingTarget,
        stars: u8,
        tags: Vec<String>,
        note: Option<String>,
    ) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| c.rate_stop(&task_id, target, stars, tags, note).map(drop))
            .await
    }

    /// Appeals a rating with a reason (the task's evidence bundle goes with it).
    pub async fn appeal(&self, rating_id: String, reason: String) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| c.appeal(&rating_id, &reason).map(drop))
            .await
    }
}
