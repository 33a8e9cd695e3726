//! Stop sequencing: [`runsheet_route::plan`] under the core's name for it, as the FFI and the
//! CLI use it. The core's own glue (open tasks to a route instance, re-planning) is
//! [`crate::route`].

pub use runsheet_route::plan::*;
