//! After-sales cases over FFI: the cases about the courier's deliveries, answering one with a
//! statement (the core attaches the task's evidence bundle), and the courier's case figures.

use std::sync::Arc;

use runsheet_core::rating::Period as KpiPeriod;
pub use runsheet_core::CourierCase;
pub use runsheet_protocol::{
    CaseDoc as Case, CaseFigures, CaseKind, CaseStatus, CaseTeam, Fault, KindFigures,
};

use crate::{Inner, RunsheetError};

/// The courier's side of after-sales.
#[derive(uniffi::Object)]
pub struct Cases {
    inner: Arc<Inner>,
}

impl Cases {
    pub(crate) fn over(inner: &Arc<Inner>) -> Self {
        Cases {
            inner: Arc::clone(inner),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Cases {
    /// The cases about the courier's deliveries: those waiting for the courier first, then the
    /// others newest first (new ones are announced through the sync listener too).
    pub async fn list(&self) -> Result<Vec<CourierCase>, RunsheetError> {
        self.inner.run(|c| c.cases()).await
    }

    /// One case (`CaseNotFound` when it is not on the phone).
    pub async fn get(&self, case_id: i64) -> Result<CourierCase, RunsheetError> {
        self.inner.run(move |c| c.case(case_id)).await
    }

    /// The cases about a task, and the case a follow-up task was created for.
    pub async fn for_task(&self, task_id: String) -> Result<Vec<CourierCase>, RunsheetError> {
        self.inner.run(move |c| c.cases_for_task(&task_id)).await
    }

    /// Answers a case with a statement (1 to 2000 characters); queued offline with the task's
    /// evidence bundle and shown as answered until the server confirms. `CaseSettled` once the
    /// case takes no statement any more.
    pub async fn answer(&self, case_id: i64, statement: String) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| c.answer_case(case_id, &statement).map(drop))
            .await
    }

    /// The courier's after-sales figures for a period (the function the server uses).
    pub async fn figures(&self, period: KpiPeriod) -> Result<CaseFigures, RunsheetError> {
        self.inner.run(move |c| c.case_figures(period)).await
    }
}
