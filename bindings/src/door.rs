//! At the door over FFI: cash on delivery (record the cash collected and the change, the cash
//! held, the hand-in at the end of the shift) and locker or pickup-point drop-offs. Age and ID
//! checks are checklist answers ([`crate::Checklists`]). The rules are the core's.

use std::sync::Arc;

pub use runsheet_core::cash::HandIn;
pub use runsheet_core::locker::LockerDrop;
pub use runsheet_protocol::{
    AmountProblem, CashBalance, CashCollection, IdCheckOutcome, IdCheckResult, IdDocument,
    LockerDoc, LockerKind, Money, Restriction,
};

use crate::{Inner, RunsheetError};

/// Cash on delivery and locker drop-offs.
#[derive(uniffi::Object)]
pub struct Door {
    inner: Arc<Inner>,
}

impl Door {
    pub(crate) fn over(inner: &Arc<Inner>) -> Self {
        Door {
            inner: Arc::clone(inner),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Door {
    /// Records the cash collected at the door and the change given, as typed ("50", "4.50")
    /// in the amount due's currency. `InvalidAmount` (nothing recorded) for more decimals than
    /// the currency allows; `Blocked` when they do not add up to the amount due and no reason
    /// is given.
    pub async fn collect_cash(
        &self,
        task_id: String,
        collected: String,
        change: String,
        reason: Option<String>,
    ) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| {
                c.collect_cash(&task_id, &collected, &change, reason)
                    .map(drop)
            })
            .await
    }

    /// What was recorded at a task's door, if anything.
    pub async fn cash_collection(
        &self,
        task_id: String,
    ) -> Result<Option<CashCollection>, RunsheetError> {
        self.inner.run(move |c| c.cash_collection(&task_id)).await
    }

    /// The cash the courier holds, one amount per currency.
    pub async fn cash_held(&self) -> Result<Vec<Money>, RunsheetError> {
        self.inner.run(|c| c.cash_held()).await
    }

    /// Hands in the cash held, as counted out (typed); the balance against what the phone
    /// counted comes back (the server reconciles and reports a discrepancy).
    pub async fn hand_in_cash(&self, handed: String) -> Result<HandIn, RunsheetError> {
        self.inner.run(move |c| c.hand_in_cash(&handed)).await
    }

    /// The latest hand-in, if any.
    pub async fn last_hand_in(&self) -> Result<Option<HandIn>, RunsheetError> {
        self.inner.run(|c| c.last_hand_in()).await
    }

    /// Records a locker or pickup-point drop-off: the locker's label and the compartment,
    /// scanned. `WrongLocker` (nothing recorded) when the label is another locker's.
    pub async fn locker_drop(
        &self,
        task_id: String,
        locker_code: String,
        compartment: String,
    ) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| {
                c.locker_drop(&task_id, &locker_code, &compartment)
                    .map(drop)
            })
            .await
    }

    /// The locker drop-off recorded for a task, if any.
    pub async fn locker_drop_of(
        &self,
        task_id: String,
    ) -> Result<Option<LockerDrop>, RunsheetError> {
        self.inner.run(move |c| c.locker_drop_of(&task_id)).await
    }
}
