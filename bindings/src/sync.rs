//! Sync over FFI: sending saved actions and fetching the dispatcher's changes, by hand or on
//! its own, its status and refusals, connectivity, and the sync listener.

use std::sync::Arc;
use std::time::Duration;

use runsheet_core as core;

use crate::{
    worker_stopped, Inner, Rejection, RunsheetError, Subscription, SyncListener,
    SyncListenerBridge, SyncReport, SyncStatus,
};

/// Sending the courier's actions and fetching the dispatcher's changes.
#[derive(uniffi::Object)]
pub struct Syncing {
    inner: Arc<Inner>,
}

impl Syncing {
    pub(crate) fn over(inner: &Arc<Inner>) -> Self {
        Syncing {
            inner: Arc::clone(inner),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Syncing {
    /// Sends saved actions and fetches the dispatcher's changes. Call it after each action, when
    /// the network comes back, and periodically (or start auto-sync); a failure keeps every
    /// action saved. Runs on the core's runtime, off the caller's thread.
    pub async fn now(&self) -> Result<SyncReport, RunsheetError> {
        let core = Arc::clone(&self.inner.core);
        let words = self.inner.app.words();
        tokio::spawn(async move { core.sync().await })
            .await
            .map_err(|e| worker_stopped(e, &words))?
            .map_err(|e| RunsheetError::localised(e, &words))
    }

    /// Pending actions and the last sync's outcome.
    pub async fn status(&self) -> Result<SyncStatus, RunsheetError> {
        self.inner.run(|c| c.sync_status()).await
    }

    /// Actions the server refused, newest first.
    pub async fn rejections(&self) -> Result<Vec<Rejection>, RunsheetError> {
        self.inner.run(|c| c.rejections()).await
    }

    /// Subscribes to sync events; `listener` gets the current state at once.
    pub async fn subscribe(
        &self,
        listener: Arc<dyn SyncListener>,
    ) -> Result<Arc<Subscription>, RunsheetError> {
        let sub = self
            .inner
            .run(move |c| c.subscribe_sync(Arc::new(SyncListenerBridge(listener))))
            .await?;
        Ok(Subscription::wrap(sub))
    }

    /// Syncs on its own from now on (on a thread of its own): at once, after each action, when
    /// `network_available()` is called, and every `interval_seconds`; failures back off
    /// exponentially with jitter.
    pub fn start_auto(&self, interval_seconds: u32) -> Result<(), RunsheetError> {
        let policy = core::AutoSyncPolicy {
            interval: Duration::from_secs(u64::from(interval_seconds.max(1))),
            ..Default::default()
        };
        Ok(self.inner.core.start_auto_sync(policy)?)
    }

    /// Stops automatic sync.
    pub fn stop_auto(&self) {
        self.inner.core.stop_auto_sync();
    }

    /// The platform reports connectivity (Android ConnectivityManager, iOS NWPathMonitor): with
    /// auto-sync on, sync now and forget the backoff.
    pub fn network_available(&self) {
        self.inner.core.network_available();
    }

    /// Waits up to `wait_seconds` (1 to 30) for the server to have something new for this
    /// phone; true if it has. Nothing is applied: call `now()` next, which takes the page this
    /// brought as its first page (no second request when nothing is queued). Auto-sync does
    /// this by itself in the foreground; this is for shells and tests that drive sync by hand.
    pub async fn wait_for_changes(&self, wait_seconds: u32) -> Result<bool, RunsheetError> {
        let core = Arc::clone(&self.inner.core);
        let words = self.inner.app.words();
        let wait = Duration::from_secs(u64::from(wait_seconds));
        tokio::spawn(async move { core.wait_for_changes(wait).await })
            .await
            .map_err(|e| worker_stopped(e, &words))?
            .map_err(|e| RunsheetError::localised(e, &words))
    }
}
