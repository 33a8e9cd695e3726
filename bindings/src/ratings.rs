//! Ratings, appeals and KPIs over FFI.

use runsheet_core::rating::Period as KpiPeriod;
use runsheet_protocol::{Kpis, RatingDoc as Rating, RatingTarget};

use crate::{Runsheet, RunsheetError};

#[uniffi::export]
impl Runsheet {
    /// The ratings received, newest first (announced through the sync listener too).
    pub fn ratings(&self) -> Result<Vec<Rating>, RunsheetError> {
        Ok(self.inner.ratings()?)
    }

    /// The courier's KPIs for a period, computed on the phone.
    pub fn kpis(&self, period: KpiPeriod) -> Result<Kpis, RunsheetError> {
        Ok(self.inner.kpis(period)?)
    }

    /// Rates the merchant or drop-off of a task (queued offline; re-rating replaces).
    pub fn rate_stop(
        &self,
        task_id: String,
        target: RatingTarget,
        stars: u8,
        tags: Vec<String>,
        note: Option<String>,
    ) -> Result<(), RunsheetError> {
        self.inner.rate_stop(&task_id, target, stars, tags, note)?;
        Ok(())
    }

    /// Appeals a rating with a reason (the task's evidence bundle goes with it).
    pub fn appeal(&self, rating_id: String, reason: String) -> Result<(), RunsheetError> {
        self.inner.appeal(&rating_id, &reason)?;
        Ok(())
    }
}
