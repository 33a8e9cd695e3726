//! Barcode confirmation over FFI: the shell's camera (ML Kit on Android, VisionKit on iOS)
//! hands the raw text and symbology to the core, which decides whether the scan confirms the
//! handoff and keeps the trace.

use runsheet_core::scan::Symbology;

use crate::{Runsheet, RunsheetError};

pub use runsheet_core::scan::confirm::{Progress as ScanProgress, ScanOutcome};
pub use runsheet_core::scan::handoff::HandoffCheck;

/// The symbology the scanner reported (`Unknown` lets the content decide).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ScanSymbology {
    /// Not reported.
    Unknown,
    /// EAN-8.
    Ean8,
    /// EAN-13.
    Ean13,
    /// UPC-A.
    UpcA,
    /// UPC-E.
    UpcE,
    /// ITF / ITF-14.
    Itf,
    /// Code 128 (FNC1 first makes it GS1-128; the content decides).
    Code128,
    /// GS1-128.
    Gs1128,
    /// Code 39.
    Code39,
    /// Data Matrix.
    DataMatrix,
    /// GS1 DataMatrix.
    Gs1DataMatrix,
    /// QR Code.
    QrCode,
    /// GS1 QR Code.
    Gs1Qr,
    /// GS1 DataBar.
    Gs1DataBar,
    /// PDF417.
    Pdf417,
    /// Aztec.
    Aztec,
}

impl From<ScanSymbology> for Symbology {
    fn from(s: ScanSymbology) -> Self {
        match s {
            ScanSymbology::Unknown => Symbology::Unknown,
            ScanSymbology::Ean8 => Symbology::Ean8,
            ScanSymbology::Ean13 => Symbology::Ean13,
            ScanSymbology::UpcA => Symbology::UpcA,
            ScanSymbology::UpcE => Symbology::UpcE,
            ScanSymbology::Itf => Symbology::Itf,
            ScanSymbology::Code128 => Symbology::Code128,
            ScanSymbology::Gs1128 => Symbology::Gs1_128,
            ScanSymbology::Code39 => Symbology::Code39,
            ScanSymbology::DataMatrix => Symbology::DataMatrix,
            ScanSymbology::Gs1DataMatrix => Symbology::Gs1DataMatrix,
            ScanSymbology::QrCode => Symbology::QrCode,
            ScanSymbology::Gs1Qr => Symbology::Gs1Qr,
            ScanSymbology::Gs1DataBar => Symbology::Gs1DataBar,
            ScanSymbology::Pdf417 => Symbology::Pdf417,
            ScanSymbology::Aztec => Symbology::Aztec,
        }
    }
}

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
            .scan(&task_id, &raw, symbology.into())
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
