//! Map datums and hand-off to map apps: [`runsheet_route::datum`] and
//! [`runsheet_route::map_link`] under the core's name for them, as the FFI and the CLI use them.

pub use runsheet_route::datum::*;
pub use runsheet_route::map_link::*;
