//! Barcode confirmation over FFI: the shell's camera (ML Kit on Android, VisionKit on iOS)
//! hands the raw text and symbology to the core, which decides whether the scan confirms the
//! handoff and keeps the trace.

/// The symbology the scanner reported (`Unknown` lets the content decide): the parser's own type.
pub use runsheet_core::scan::Symbology as ScanSymbology;

use crate::{Runsheet, RunsheetError};

pub use runsheet_core::scan::confirm::{Progress as ScanProgress, ScanOutcome};
pub use runsheet_core::scan::handoff::HandoffCheck;

/// The result of one scan: what it was (its `Display` is the sentence for the courier) and the
/// handoff's progress after it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ScanResult {
    /// What it was.
    pub outcome: ScanOutcome,
    /// The handoff's progress after the scan.
    pub progress: ScanProgress,
}

#[uniffi::export]
impl Runsheet {
    /// Checks the code the customer shows (PIN typed, or the QR's text), offline against the
    /// salted hash the platform sent; locked after five wrong codes.
    pub fn verify_handoff_code(
        &self,
        task_id: String,
        code: String,
    ) -> Result<HandoffCheck, RunsheetError> {
        Ok(self.inner.verify_handoff_code(&task_id, &code)?)
    }

    /// Classifies a scan for the task's current handoff and records it.
    pub fn scan(
        &self,
        task_id: String,
        raw: String,
        symbology: ScanSymbology,
    ) -> Result<ScanResult, RunsheetError> {
        let (o, p) = self
            .inner
            .scan(&task_id, &raw, symbology)
            .map_err(RunsheetError::from)?;
        Ok(ScanResult {
            outcome: o,
            progress: p,
        })
    }

    /// The current handoff's progress.
    pub fn scan_progress(&self, task_id: String) -> Result<ScanProgress, RunsheetError> {
        Ok(self.inner.scan_progress(&task_id)?)
    }

    /// Confirms an item by hand (damaged label) with a reason and photo hashes.
    pub fn confirm_item_manually(
        &self,
        task_id: String,
        item_code: String,
        reason: String,
        photo_hashes: Vec<String>,
    ) -> Result<(), RunsheetError> {
        self.inner
            .confirm_item_manually(&task_id, &item_code, &reason, photo_hashes)?;
        Ok(())
    }
}
