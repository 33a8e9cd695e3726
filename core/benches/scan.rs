//! Scan benchmark: parse a scan and classify it against a 20-item manifest (plus the courier's
//! other tasks' manifests), the work done for every frame the camera reports. Target: under
//! 5 µs per scan. The baseline, measured in the same run, is parsing a plain EAN-13 alone.
//!
//! `cargo bench -p runsheet-core --bench scan` (release). With `RUNSHEET_BENCH_SCALE=small` it
//! runs a handful of iterations only, so the test suite can run it in debug builds to check
//! that it still works.

use std::hint::black_box;
use std::time::Instant;

use chrono::NaiveDate;
use runsheet_core::scan::confirm::{classify_code, Manifest, ScanOutcome};
use runsheet_gs1::{order_label, parse_with_symbology_at, Symbology};
use runsheet_protocol::ItemDoc;

fn items(order: &str, n: u32) -> Vec<ItemDoc> {
    (1..=n)
        .map(|k| ItemDoc {
            code: order_label(order, k, n).expect("valid label"),
            name: format!("bag {k}"),
            temperature: Default::default(),
            quantity: 1,
            size: None,
            restricted: None,
        })
        .collect()
}

/// How many scans per round, and how many rounds (the best one counts).
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
    fn per_op(&self, mut f: impl FnMut(u32)) -> f64 {
        for i in 0..self.iterations / 10 {
            f(i);
        }
        (0..self.rounds)
            .map(|_| {
                let t = Instant::now();
                for i in 0..self.iterations {
                    f(i);
                }
                t.elapsed().as_secs_f64() / f64::from(self.iterations)
            })
            .fold(f64::INFINITY, f64::min)
    }
}

fn main() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    let manifest = Manifest::new(&items("ORD-1", 20), today);
    let others: Vec<(String, Manifest)> = (2..=4)
        .map(|k| {
            let id = format!("ORD-{k}");
            let m = Manifest::new(&items(&id, 5), today);
            (id, m)
        })
        .collect();
    let confirmed: Vec<String> = items("ORD-1", 20)
        .into_iter()
        .take(10)
        .map(|i| i.code)
        .collect();
    // A mix: labels of this task (new and already confirmed), another task's label, a GS1
    // DataMatrix with expiry and batch, a stranger's EAN-13.
    let mut scans: Vec<String> = items("ORD-1", 20).into_iter().map(|i| i.code).collect();
    scans.push(order_label("ORD-3", 2, 5).expect("label"));
    scans.push("\u{1d}010950600013435217261231\u{1d}10MILK7".into());
    scans.push("4006381333931".into());
    // The mix must classify as intended, or the figure would measure something else.
    let outcome = |raw: &str| {
        classify_code(
            raw,
            Symbology::Unknown,
            today,
            &manifest,
            &confirmed,
            &others,
            |_| None,
            1_795_406_400,
        )
        .0
    };
    assert!(matches!(outcome(&scans[0]), ScanOutcome::Duplicate { .. }));
    assert!(matches!(outcome(&scans[19]), ScanOutcome::Confirmed { .. }));
    assert!(matches!(outcome(&scans[20]), ScanOutcome::OtherTask { .. }));
    assert_eq!(outcome(&scans[21]), ScanOutcome::NotMine);
    assert_eq!(outcome(&scans[22]), ScanOutcome::NotMine);

    let scale = Scale::from_env();
    let n = scale.iterations;
    let baseline = scale.per_op(|_| {
        black_box(parse_with_symbology_at(
            black_box("4006381333931"),
            Symbology::Unknown,
            today,
        ))
        .ok();
    });
    let scan = scale.per_op(|i| {
        let raw = &scans[i as usize % scans.len()];
        black_box(classify_code(
            black_box(raw),
            Symbology::Unknown,
            today,
            &manifest,
            &confirmed,
            &others,
            |_| None,
            1_795_406_400,
        ));
    });
    println!(
        "runsheet scan benchmark ({n} scans, best of {} round{})",
        scale.rounds,
        if scale.rounds == 1 { "" } else { "s" }
    );
    println!(
        "parse + classify against a 20-item manifest: {:.2} µs per scan (target < 5 µs); baseline, parsing a bare EAN-13: {:.2} µs; ratio {:.1}x",
        scan * 1e6,
        baseline * 1e6,
        scan / baseline
    );
}
