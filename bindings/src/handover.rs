//! Handovers between couriers over FFI: asking to hand a task over with a reason, the task's
//! handover as this courier sees it (who holds the goods, the chain of custody), and the
//! receiving courier's bag-by-bag scan.

use std::sync::Arc;

pub use runsheet_core::{Custody, HandoverBag, HandoverProgress};
pub use runsheet_protocol::{
    HandoverDoc as Handover, HandoverReason, HandoverSide, HandoverStatus, NearbyHandover,
};

use crate::{worker_stopped, Inner, RunsheetError, ScanOutcome, ScanSymbology};

/// The result of one bag scan: what it was (its `Display` is the sentence for the courier) and
/// the handover's progress after it (custody `Mine` once the last bag completed it).
#[derive(Debug, Clone, uniffi::Record)]
pub struct HandoverScanResult {
    /// What it was.
    pub outcome: ScanOutcome,
    /// The handover after the scan.
    pub progress: HandoverProgress,
}

/// The courier's side of a handover between couriers.
#[derive(uniffi::Object)]
pub struct Handovers {
    inner: Arc<Inner>,
}

impl Handovers {
    pub(crate) fn over(inner: &Arc<Inner>) -> Self {
        Handovers {
            inner: Arc::clone(inner),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Handovers {
    /// Asks to hand the task over, with a reason (a note is required for `Other`); queued
    /// offline. `Blocked` when a handover is already asked for; the task stays this courier's
    /// until the receiving courier has scanned every bag.
    pub async fn request(
        &self,
        task_id: String,
        reason: HandoverReason,
        note: Option<String>,
    ) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| c.request_handover(&task_id, reason, note).map(drop))
            .await
    }

    /// The task's handover as this courier sees it.
    pub async fn get(&self, task_id: String) -> Result<HandoverProgress, RunsheetError> {
        self.inner.run(move |c| c.handover(&task_id)).await
    }

    /// The receiving courier scans a bag; the last one queues the receipt.
    pub async fn scan_bag(
        &self,
        task_id: String,
        raw: String,
        symbology: ScanSymbology,
    ) -> Result<HandoverScanResult, RunsheetError> {
        let (outcome, progress) = self
            .inner
            .run(move |c| c.scan_handover_bag(&task_id, &raw, symbology))
            .await?;
        Ok(HandoverScanResult { outcome, progress })
    }

    /// Open handover requests of other couriers within 3 km of (`lat`, `lon`), nearest first
    /// (asks the server; `Offline` without a network).
    pub async fn nearby(&self, lat: f64, lon: f64) -> Result<Vec<NearbyHandover>, RunsheetError> {
        let core = Arc::clone(&self.inner.core);
        let words = self.inner.app.words();
        tokio::spawn(async move { core.nearby_handovers(lat, lon).await })
            .await
            .map_err(|e| worker_stopped(e, &words))?
            .map_err(|e| RunsheetError::localised(e, &words))
    }

    /// Takes a nearby courier's open handover request: this courier becomes the receiving
    /// courier and the task arrives as incoming (scan every bag to take the goods). Refusals
    /// (own task, off duty, already taken) come with a sentence in the courier's language.
    pub async fn take(&self, task_id: String) -> Result<(), RunsheetError> {
        let core = Arc::clone(&self.inner.core);
        let words = self.inner.app.words();
        tokio::spawn(async move { core.take_handover(&task_id).await.map(drop) })
            .await
            .map_err(|e| worker_stopped(e, &words))?
            .map_err(|e| RunsheetError::localised(e, &words))
    }
}
