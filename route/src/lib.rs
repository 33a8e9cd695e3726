//! Runsheet's route algorithms, on their own: the stop planner, the travel model, map datums
//! and deep links, navigation hints and arrival detection. Pure functions over plain data: no
//! store, no async, no knowledge of tasks beyond a route instance, so a dispatch server can
//! plan with it as well as the courier's phone.
//!
//! - [`plan`]: orders a courier's stops (`runsheet-route-v1` instances: every pickup before
//!   its drop-off, the box's capacity, ready times, promised times), exactly by dynamic
//!   programming up to [`plan::EXACT_MAX_STOPS`] stops, else by iterated local search.
//! - [`travel`]: great-circle distance and bearing (the `geo` crate's haversine), compass
//!   words, and the planner's travel seconds.
//! - [`datum`] and [`border`]: WGS-84, GCJ-02 and BD-09, and where China's datums apply (a
//!   border polygon; abroad every datum is WGS-84).
//! - [`map_link`]: navigation deep links for Google Maps, Apple Maps, Waze, Amap and Baidu.
//! - [`hint`] and [`arrival`]: distance, direction, ETA and lateness risk for the next stop,
//!   and arrival detection from GPS fixes that does not flip on jitter.
//!
//! Coordinates are WGS-84 `(lat, lon)` degrees unless a [`datum::Datum`] says otherwise.
//!
//! # Example
//!
//! Plan a small food batch: order A is already in the box, order B must be picked up (not
//! before its ready time) and dropped off, and the box holds one order.
//!
//! ```
//! use runsheet_route::plan::{plan_json, Instance, Problem};
//! use std::time::Duration;
//!
//! let json = r#"{"format": "runsheet-route-v1", "name": "lunch",
//!   "start": {"lat": 30.2741, "lon": 120.155}, "start_time": 1795406400,
//!   "speed_mps": 4.0, "detour_factor": 1.3, "capacity": 1, "onboard": ["A"],
//!   "stops": [
//!     {"id": "B-p", "order": "B", "kind": "pickup", "lat": 30.2712, "lon": 120.1648,
//!      "ready_at": 1795407300, "service_s": 120},
//!     {"id": "B-d", "order": "B", "kind": "dropoff", "lat": 30.2655, "lon": 120.1801,
//!      "due_by": 1795407900, "service_s": 60},
//!     {"id": "A-d", "order": "A", "kind": "dropoff", "lat": 30.2801, "lon": 120.1602,
//!      "due_by": 1795406700, "service_s": 90}]}"#;
//!
//! // From JSON to the spec's solution, with its cost (makespan + 10 x lateness).
//! let (solution, cost) = plan_json(json)?;
//! assert_eq!(solution.sequence, ["A-d", "B-p", "B-d"]);
//! assert_eq!((cost.makespan, cost.lateness, cost.cost), (1600, 40, 2000));
//!
//! // Or step by step, with a budget and a seed of your own, and the schedule.
//! let instance: Instance = serde_json::from_str(json).expect("an instance");
//! let problem = Problem::new(&instance)?;
//! let order = problem.solve(Duration::from_millis(20), 7);
//! let begins = problem.schedule(&order).expect("a feasible order");
//! assert_eq!(begins[0], 1795406400 + 271); // A's door, 271 s away
//! # Ok::<(), runsheet_route::plan::PlanError>(())
//! ```

#![deny(missing_docs)]

// The types that cross the FFI unchanged (the lateness risk, the map apps) are declared here once
// (Kotlin package `app.runsheet.route`, see uniffi.toml); runsheet-core's `uniffi` feature turns it on.
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

pub mod arrival;
pub mod border;
pub mod datum;
pub mod hint;
pub mod map_link;
pub mod plan;
pub mod travel;
