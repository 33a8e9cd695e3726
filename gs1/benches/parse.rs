//! Parse benchmark: the codes a courier's camera reads, each parsed from text to a
//! [`ParsedCode`](runsheet_gs1::ParsedCode). The baseline, measured in the same run, is parsing
//! a bare EAN-13 (the least work any scan takes); every other code is reported as a ratio
//! against it, so the figures compare across machines.
//!
//! `cargo bench -p runsheet-gs1 --bench parse` (release). With `RUNSHEET_BENCH_SCALE=small` it
//! runs a handful of iterations only, so the test suite can run it in debug builds to check
//! that it still works.

use std::hint::black_box;
use std::time::Instant;

use chrono::NaiveDate;
use runsheet_gs1::{order_label, parse_at, CodeKind};

/// How many times each code is parsed per round, and how many rounds (the best one counts).
struct Scale {
    iterations: u32,
    rounds: u32,
}

impl Scale {
    /// Full size, or tiny with `RUNSHEET_BENCH_SCALE=small`.
    fn from_env() -> Self {
        match std::env::var("RUNSHEET_BENCH_SCALE").as_deref() {
            Ok("small") => Scale {
                iterations: 50,
                rounds: 1,
            },
            _ => Scale {
                iterations: 200_000,
                rounds: 5,
            },
        }
    }

    /// Seconds per call of `f`: a warm-up, then the best of the rounds (the machine is shared).
    fn per_op(&self, mut f: impl FnMut()) -> f64 {
        for _ in 0..self.iterations / 10 {
            f();
        }
        (0..self.rounds)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..self.iterations {
                    f();
                }
                t.elapsed().as_secs_f64() / f64::from(self.iterations)
            })
            .fold(f64::INFINITY, f64::min)
    }
}

fn main() {
    let scale = Scale::from_env();
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).expect("a valid date");
    let label = order_label("ORD-4711", 2, 3).expect("a valid label");
    let cases: [(&str, &str, CodeKind); 5] = [
        (
            "GS1 element string, bracketed (GTIN, expiry, batch)",
            "(01)09506000134352(17)261231(10)ABC123",
            CodeKind::Gs1ElementString,
        ),
        (
            "GS1 element string, raw as a GS1 DataMatrix sends it (+ serial)",
            "]d2010950600013435217261231\u{1d}10ABC123\u{1d}21XYZ",
            CodeKind::Gs1ElementString,
        ),
        (
            "GS1 Digital Link URI (GTIN, batch, serial, expiry)",
            "https://id.gs1.org/01/09506000134352/10/ABC123/21/12345?17=261231",
            CodeKind::Gs1DigitalLink,
        ),
        ("order label", label.as_str(), CodeKind::OrderLabel),
        ("SSCC", "106141411234567897", CodeKind::Sscc),
    ];
    let ean13 = "4006381333931";
    // Every input must parse as what it is, or the figures would measure an error path.
    let parsed = parse_at(ean13, today).expect("the baseline EAN-13 parses");
    assert_eq!(parsed.kind, CodeKind::Gtin);
    for (name, raw, kind) in &cases {
        let parsed = parse_at(raw, today).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parsed.kind, *kind, "{name}");
    }

    let baseline = scale.per_op(|| {
        black_box(parse_at(black_box(ean13), today)).ok();
    });
    println!(
        "runsheet-gs1 parse benchmark ({} parses per code, best of {} round{})",
        scale.iterations,
        scale.rounds,
        if scale.rounds == 1 { "" } else { "s" }
    );
    println!(
        "baseline, a bare EAN-13: {:.3} µs per parse",
        baseline * 1e6
    );
    for (name, raw, _) in &cases {
        let t = scale.per_op(|| {
            black_box(parse_at(black_box(raw), today)).ok();
        });
        println!(
            "{name}: {:.3} µs per parse, ratio {:.1}x the EAN-13",
            t * 1e6,
            t / baseline
        );
    }
}
