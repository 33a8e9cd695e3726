//! Fuzzes the planner: any bytes given to `plan_json` are planned or refused, never a panic,
//! and a plan is a permutation of the instance's stops with every pickup before its drop-off,
//! the capacity kept and the cost the spec's (checked independently of the planner; the
//! property is shared with `route/tests/plan_inputs.rs`, which runs it on seeded inputs).
//!
//! Run from `route/` with `cargo +nightly fuzz run plan_json`.

#![no_main]

#[path = "../../tests/support/plan_property.rs"]
mod plan_property;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    plan_property::check(data);
});
