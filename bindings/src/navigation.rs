//! Navigation over FFI: the planned route, the next stop with its map deep links, the location
//! accuracy to ask the platform for, and the GPS fixes it delivers.

use std::sync::Arc;

use crate::{Inner, RunsheetError};

pub use runsheet_core::hint::Risk;
pub use runsheet_core::{LocationAccuracy, LocationRequest, PlannedStop, Route};
pub use runsheet_protocol::StopRole;

/// A deep link to a maps app, in the datum that app expects: the route crate's record.
pub use runsheet_core::geo::NavigationLink;
/// The hint for the stop ahead, with its map links: the core's record.
pub use runsheet_core::NextStopHint;

/// The way to the next stops and the location feed.
#[derive(uniffi::Object)]
pub struct Navigation {
    inner: Arc<Inner>,
}

impl Navigation {
    pub(crate) fn over(inner: &Arc<Inner>) -> Self {
        Navigation {
            inner: Arc::clone(inner),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Navigation {
    /// The planned route with projected times and risks.
    pub async fn route(&self) -> Result<Route, RunsheetError> {
        self.inner.run(|c| c.route()).await
    }

    /// Distance, direction, ETA and risk to the next stop, with maps deep links.
    pub async fn next_stop_hint(&self) -> Result<Option<NextStopHint>, RunsheetError> {
        self.inner.run(|c| c.next_stop_hint()).await
    }

    /// The location accuracy and interval to request now (saves battery far from stops).
    pub async fn location_request(&self) -> Result<LocationRequest, RunsheetError> {
        self.inner.run(|c| c.location_request()).await
    }

    /// Buffers a GPS fix (from the platform's location service) for dispatch, and records an
    /// arrival when it is at a stop; sent last, capped on the phone. Returns how many old
    /// fixes were dropped to make room.
    pub async fn record_location(
        &self,
        lat: f64,
        lon: f64,
        accuracy_m: f64,
    ) -> Result<u64, RunsheetError> {
        self.inner
            .run(move |c| c.record_location(lat, lon, accuracy_m))
            .await
    }
}
