//! Training and qualifications over FFI: the modules dispatch published with where the courier
//! stands, taking a quiz offline (graded on the phone with the server's function, queued for
//! the server), the qualifications the server confirmed, and the six-monthly review's figures.

use std::sync::Arc;

use runsheet_core::rating::Period as KpiPeriod;
pub use runsheet_core::{CourierModule, QuizAttempt, TrainingState};
pub use runsheet_protocol::{
    Kpis, QualificationDoc as Qualification, QuizGrade, QuizQuestion, TrainingModule, TrainingPage,
};

use crate::{Inner, RunsheetError};

/// The courier's training.
#[derive(uniffi::Object)]
pub struct Training {
    inner: Arc<Inner>,
}

impl Training {
    pub(crate) fn over(inner: &Arc<Inner>) -> Self {
        Training {
            inner: Arc::clone(inner),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Training {
    /// Every module on the phone with where the courier stands.
    pub async fn modules(&self) -> Result<Vec<CourierModule>, RunsheetError> {
        self.inner.run(|c| c.training()).await
    }

    /// One module (`ModuleNotFound` when it is not on the phone).
    pub async fn module(&self, module_id: String) -> Result<CourierModule, RunsheetError> {
        self.inner.run(move |c| c.training_module(&module_id)).await
    }

    /// Answers a module's quiz (one choice index per question) offline; the grade is the
    /// phone's, by the server's function. `ModuleReplaced` when the version answered is no
    /// longer the module's: nothing is recorded.
    pub async fn take_quiz(
        &self,
        module_id: String,
        version: i64,
        answers: Vec<u32>,
    ) -> Result<QuizGrade, RunsheetError> {
        self.inner
            .run(move |c| c.take_quiz(&module_id, version, answers))
            .await
    }

    /// The qualifications the server confirmed (in force or lapsed).
    pub async fn qualifications(&self) -> Result<Vec<Qualification>, RunsheetError> {
        self.inner.run(|c| c.qualifications()).await
    }

    /// The six-monthly performance review's figures (the KPI function over six calendar
    /// months).
    pub async fn review(&self) -> Result<Kpis, RunsheetError> {
        self.inner.run(|c| c.kpis(KpiPeriod::SixMonths)).await
    }
}
