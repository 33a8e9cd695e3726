//! The courier's box over FFI: the vehicle dispatch set, the load on board against its room,
//! and whether more goods would fit (the same function the pickup blocker uses).

use std::sync::Arc;

pub use runsheet_core::BoxState;
use runsheet_protocol::ItemDoc;
pub use runsheet_protocol::{Compartment, Load, Overflow, VehicleDoc as Vehicle, VehicleKind};

use crate::{Inner, RunsheetError};

/// The courier's vehicle and box.
#[derive(uniffi::Object)]
pub struct Capacity {
    inner: Arc<Inner>,
}

impl Capacity {
    pub(crate) fn over(inner: &Arc<Inner>) -> Self {
        Capacity {
            inner: Arc::clone(inner),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Capacity {
    /// The vehicle and box dispatch set for the courier, as last received (`None` until then).
    pub async fn vehicle(&self) -> Result<Option<Vehicle>, RunsheetError> {
        self.inner.run(|c| c.vehicle()).await
    }

    /// The box now: the load of the goods on board and the room.
    pub async fn box_state(&self) -> Result<BoxState, RunsheetError> {
        self.inner.run(|c| c.box_state()).await
    }

    /// Whether `items` (an order's goods) would overflow the box or the chilled compartment
    /// on top of what is on board now; `None` when they fit or no vehicle is set.
    pub async fn overflow_with(
        &self,
        items: Vec<ItemDoc>,
    ) -> Result<Option<Overflow>, RunsheetError> {
        self.inner
            .run(move |c| {
                let b = c.box_state()?;
                Ok(b.capacity
                    .and_then(|room| runsheet_core::box_overflow(b.load, &items, room)))
            })
            .await
    }
}
