//! `runsheet scan parse`: the barcode parser (`runsheet-gs1`) from the command line, so QA can
//! check a label by hand and test vectors can be run without an app.

use std::process::ExitCode;

use chrono::NaiveDate;
use runsheet_gs1 as scan;

/// Parses `raw` as the phone would and prints one JSON object.
pub fn parse(today: Option<&str>, raw: &str) -> ExitCode {
    let today = match today {
        Some(t) => match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            Ok(d) => d,
            Err(_) => {
                eprintln!("runsheet scan parse: --today must be YYYY-MM-DD, not {t:?}");
                return ExitCode::from(2);
            }
        },
        None => chrono::Local::now().date_naive(),
    };
    match scan::parse_at(raw, today) {
        Ok(code) => {
            println!("{}", code.to_json(Some(today)));
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("{}", scan::error_json(&e));
            ExitCode::from(1)
        }
    }
}
