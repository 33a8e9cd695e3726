//! Offers of work over FFI: the offers on the phone with the seconds left to answer (on the
//! server's clock), what accepting one would do to the current plan, and the courier's answer
//! (accept, or decline with a reason), queued offline like every action.

use std::sync::Arc;

pub use runsheet_core::{CourierOffer, OfferImpact, OfferState, OfferedTask, StopAtRisk};
pub use runsheet_protocol::{DeclineReason, OfferStatus};

use crate::{Inner, RunsheetError};

/// The courier's side of offers.
#[derive(uniffi::Object)]
pub struct Offers {
    inner: Arc<Inner>,
}

impl Offers {
    pub(crate) fn over(inner: &Arc<Inner>) -> Self {
        Offers {
            inner: Arc::clone(inner),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Offers {
    /// Every offer on the phone, newest first, with its state and the seconds left.
    pub async fn list(&self) -> Result<Vec<CourierOffer>, RunsheetError> {
        self.inner.run(|c| c.offers()).await
    }

    /// One offer (`OfferNotFound` when it is not on the phone).
    pub async fn get(&self, offer_id: i64) -> Result<CourierOffer, RunsheetError> {
        self.inner.run(move |c| c.offer(offer_id)).await
    }

    /// What accepting the offer would do to the current plan.
    pub async fn impact(&self, offer_id: i64) -> Result<OfferImpact, RunsheetError> {
        self.inner.run(move |c| c.offer_impact(offer_id)).await
    }

    /// Accepts the offer; queued offline, shown as sent until the server confirms or refuses
    /// it as too late. `OfferExpired` once its time is up, `OfferAnswered` when answered.
    pub async fn accept(&self, offer_id: i64) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| c.accept_offer(offer_id).map(drop))
            .await
    }

    /// Declines the offer with a reason and an optional note (at most 500 characters).
    pub async fn decline(
        &self,
        offer_id: i64,
        reason: DeclineReason,
        note: Option<String>,
    ) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| c.decline_offer(offer_id, reason, note.as_deref()).map(drop))
            .await
    }
}
