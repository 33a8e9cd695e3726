//! Navigation hints and arrival detection: [`runsheet_route::hint`],
//! [`runsheet_route::arrival`] and the distance and bearing of [`runsheet_route::travel`]
//! under the core's name for them.

pub use runsheet_route::arrival::*;
pub use runsheet_route::hint::*;
pub use runsheet_route::travel::{bearing_deg, compass, distance_m};
