//! Barcode confirmation over FFI: the shell's camera (ML Kit on Android, VisionKit on iOS)
//! hands the raw text and symbology to the core, which decides whether the scan confirms the
//! handoff and keeps the trace; handoff codes, manual confirmation, and the photo and signature
//! files that prove them.

use std::sync::Arc;

use crate::{Attachment, Inner, RunsheetError};

/// The symbology the scanner reported (`Unknown` lets the content decide): the parser's own type.
pub use runsheet_core::scan::Symbology as ScanSymbology;

pub use runsheet_core::scan::confirm::{Progress as ScanProgress, ScanOutcome};
pub use runsheet_core::scan::handoff::HandoffCheck;
pub use runsheet_core::RecalledItem;
pub use runsheet_protocol::RecallDoc as Recall;

/// The result of one scan: what it was (its `Display` is the sentence for the courier) and the
/// handoff's progress after it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ScanResult {
    /// What it was.
    pub outcome: ScanOutcome,
    /// The handoff's progress after the scan.
    pub progress: ScanProgress,
}

/// Scans, handoff codes and proof files.
#[derive(uniffi::Object)]
pub struct Scans {
    inner: Arc<Inner>,
}

impl Scans {
    pub(crate) fn over(inner: &Arc<Inner>) -> Self {
        Scans {
            inner: Arc::clone(inner),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Scans {
    /// Classifies a scan for the task's current handoff and records it.
    pub async fn scan(
        &self,
        task_id: String,
        raw: String,
        symbology: ScanSymbology,
    ) -> Result<ScanResult, RunsheetError> {
        let (outcome, progress) = self
            .inner
            .run(move |c| c.scan(&task_id, &raw, symbology))
            .await?;
        Ok(ScanResult { outcome, progress })
    }

    /// The current handoff's progress.
    pub async fn progress(&self, task_id: String) -> Result<ScanProgress, RunsheetError> {
        self.inner.run(move |c| c.scan_progress(&task_id)).await
    }

    /// Confirms an item by hand (damaged label) with a reason and photo hashes.
    pub async fn confirm_item_manually(
        &self,
        task_id: String,
        item_code: String,
        reason: String,
        photo_hashes: Vec<String>,
    ) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| {
                c.confirm_item_manually(&task_id, &item_code, &reason, photo_hashes)
                    .map(drop)
            })
            .await
    }

    /// Checks the code the customer shows (PIN typed, or the QR's text), offline against the
    /// salted hash the platform sent; locked after five wrong codes.
    pub async fn verify_handoff_code(
        &self,
        task_id: String,
        code: String,
    ) -> Result<HandoffCheck, RunsheetError> {
        self.inner
            .run(move |c| c.verify_handoff_code(&task_id, &code))
            .await
    }

    /// Records a photo or signature file the app wrote (in its private storage) for upload;
    /// returns it with the SHA-256 that proofs, exceptions and manual confirmations take.
    pub async fn attach_file(&self, path: String) -> Result<Attachment, RunsheetError> {
        self.inner
            .run(move |c| c.attach_file(std::path::Path::new(&path)))
            .await
    }

    /// The task's items a recall in force covers and that are still to be set aside (its
    /// handoff is blocked until they are).
    pub async fn recalled_items(
        &self,
        task_id: String,
    ) -> Result<Vec<RecalledItem>, RunsheetError> {
        self.inner.run(move |c| c.recalled_items(&task_id)).await
    }

    /// Sets a recalled item aside: it is not handed over and the handoff no longer waits for
    /// it (queued offline like every action).
    pub async fn set_aside(&self, task_id: String, item_code: String) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| c.set_aside(&task_id, &item_code).map(drop))
            .await
    }

    /// The recalls on the phone, lifted ones included.
    pub async fn recalls(&self) -> Result<Vec<Recall>, RunsheetError> {
        self.inner.run(|c| c.recalls()).await
    }

    /// Every attachment with its upload state (for an upload progress view).
    pub async fn attachments(&self) -> Result<Vec<Attachment>, RunsheetError> {
        self.inner.run(|c| c.attachments()).await
    }
}
