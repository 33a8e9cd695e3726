//! Earnings, incentive progress and appeals of pay lines over FFI.

use std::sync::Arc;

use runsheet_core::earnings::{Earnings as EarningsView, EarningsPeriod};

use crate::{Inner, RunsheetError};

/// What the courier earned: confirmed lines, expected ones, incentive progress, appeals.
#[derive(uniffi::Object)]
pub struct Earnings {
    inner: Arc<Inner>,
}

impl Earnings {
    pub(crate) fn over(inner: &Arc<Inner>) -> Self {
        Earnings {
            inner: Arc::clone(inner),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Earnings {
    /// The day or week holding `at` (server clock, Unix seconds; `None`: now): lines, totals
    /// and the week's incentive progress, computed on the phone.
    pub async fn statement(
        &self,
        period: EarningsPeriod,
        at: Option<i64>,
    ) -> Result<EarningsView, RunsheetError> {
        self.inner.run(move |c| c.earnings(period, at)).await
    }

    /// Appeals a confirmed line with a reason (queued offline; the decision comes back with a
    /// later pull).
    pub async fn appeal(&self, line_id: String, reason: String) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| c.appeal_pay(&line_id, &reason).map(drop))
            .await
    }
}
