//! The headless QA harness: scenario files (TOML, docs/scenarios.md) that drive the real core,
//! through the API the shells use, against the real reference server on a virtual clock.
//! `runsheet qa run PATH...` is its command line.

pub mod report;
pub mod run;
pub mod scenario;
pub mod screen;

/// The screen model the scenarios assert on (what the courier sees), for the demo's narration.
pub use runsheet_screens as screens;

pub use crate::Store;
pub use report::{collect_files, junit_xml, run_all, run_all_on, Report};
pub use run::{
    complete, list_diff, run_narrated, run_narrated_on, run_on, status_name, step_name, Failure,
    Narration, Narrator, Outcome,
};
pub use scenario::{load, parse, Scenario, ScenarioError};
