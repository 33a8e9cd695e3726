//! The courier's shift over FFI: on and off duty, breaks, the shift's state and figures, and
//! the shift's primary action.

use std::sync::Arc;

use crate::{Inner, NextAction, RunsheetError};

pub use runsheet_core::{ShiftState, ShiftSummary};

/// Going on and off duty.
#[derive(uniffi::Object)]
pub struct Shift {
    inner: Arc<Inner>,
}

impl Shift {
    pub(crate) fn over(inner: &Arc<Inner>) -> Self {
        Shift {
            inner: Arc::clone(inner),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Shift {
    /// Goes on duty.
    pub async fn start(&self) -> Result<(), RunsheetError> {
        self.inner.run(|c| c.start_shift().map(drop)).await
    }

    /// Starts a break.
    pub async fn start_break(&self) -> Result<(), RunsheetError> {
        self.inner.run(|c| c.start_break().map(drop)).await
    }

    /// Ends the break.
    pub async fn end_break(&self) -> Result<(), RunsheetError> {
        self.inner.run(|c| c.end_break().map(drop)).await
    }

    /// Goes off duty (refused while goods are in the box).
    pub async fn end(&self) -> Result<(), RunsheetError> {
        self.inner.run(|c| c.end_shift().map(drop)).await
    }

    /// Off duty, on duty or on a break.
    pub async fn state(&self) -> Result<ShiftState, RunsheetError> {
        self.inner.run(|c| c.shift_state()).await
    }

    /// The shift's figures.
    pub async fn summary(&self) -> Result<ShiftSummary, RunsheetError> {
        self.inner.run(|c| c.shift_summary()).await
    }

    /// The shift's primary action (start shift, end break, the next stop's action, end shift).
    pub async fn next_action(&self) -> Result<NextAction, RunsheetError> {
        self.inner.run(|c| c.shift_next_action()).await
    }
}
