//! Scan benchmark: parse a scan and classify it against a 20-item manifest (plus the courier's
//! other tasks' manifests), the work done for every frame the camera reports. Target: under
//! 5 µs per scan. The baseline, measured in the same run, is parsing a plain EAN-13 alone.
//!
//! `cargo bench -p runsheet-core --bench scan` (release). `RUNSHEET_BENCH_SCALE=small` runs it
//! at a tiny size (a debug build in a second; `cargo xtask test` does so, so the benchmark
//! cannot rot); a number (`0.1`) scales the full size.

use std::hint::black_box;
use std::time::Instant;

use chrono::NaiveDate;
use runsheet_core::scan::confirm::{classify_code, Manifest, ScanOutcome};
use runsheet_core::scan::{order_label, parse_with_symbology_at, Symbology};
use runsheet_protocol::ItemDoc;

fn items(order: &str, n: u32) -> Vec<ItemDoc> {
    (1..=n)
        .map(|k| ItemDoc {
            code: order_label(order, k, n).expect("valid label"),
            name: format!("bag {k}"),
            temperature: Default::default(),
            quantity: 1,
        })
        .collect()
}

/// The size factor from `RUNSHEET_BENCH_SCALE`: unset is 1 (the documented figures), `small`
/// is the tiny size of `cargo xtask test`, a number scales the full size.
fn scale() -> f64 {
    match std::env::var("RUNSHEET_BENCH_SCALE") {
        Err(_) => 1.0,
        Ok(v) if v == "small" => 0.0,
        Ok(v) => match v.parse::<f64>() {
            Ok(x) if x > 0.0 && x.is_finite() => x,
            _ => panic!("RUNSHEET_BENCH_SCALE must be `small` or a positive number, not {v:?}"),
        },
    }
}

fn per_op(iterations: u32, mut f: impl FnMut(u32)) -> f64 {
    // Warm up, then take the best of five rounds (the machine is shared).
    for i in 0..iterations / 10 {
        f(i);
    }
    (0..5)
        .map(|_| {
            let t = Instant::now();
            for i in 0..iterations {
                f(i);
            }
            t.elapsed().as_secs_f64() / f64::from(iterations)
        })
        .fold(f64::INFINITY, f64::min)
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
    // What is timed must be the real work: each kind of scan classified as it should be.
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
    assert!(matches!(outcome(&scans[15]), ScanOutcome::Confirmed { .. }));
    assert!(matches!(outcome(&scans[0]), ScanOutcome::Duplicate { .. }));
    assert!(matches!(outcome(&scans[20]), ScanOutcome::OtherTask { .. }));
    assert!(matches!(outcome("4006381333931"), ScanOutcome::NotMine));
    let n = ((200_000.0 * scale()) as u32).max(1_000);
    let baseline = per_op(n, |_| {
        black_box(parse_with_symbology_at(
            black_box("4006381333931"),
            Symbology::Unknown,
            today,
        ))
        .ok();
    });
    let scan = per_op(n, |i| {
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
    println!("runsheet scan benchmark ({n} scans, best of 5 rounds)");
    println!(
        "parse + classify against a 20-item manifest: {:.2} µs per scan (target < 5 µs); baseline, parsing a bare EAN-13: {:.2} µs; ratio {:.1}x",
        scan * 1e6,
        baseline * 1e6,
        scan / baseline
    );
}
