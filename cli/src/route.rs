//! `runsheet route plan INSTANCE.json` and `runsheet route bench DIR`: the stop sequencer on
//! `runsheet-route-v1` instances (shared/bench/route/README.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use runsheet_route::plan;

/// Prints the solution of one instance as `{"instance", "sequence"}`.
pub fn plan_file(path: &Path) -> ExitCode {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("runsheet route plan: cannot read {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    match plan::plan_json(&text) {
        Ok((solution, _)) => match serde_json::to_string(&solution) {
            Ok(s) => {
                println!("{s}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("runsheet route plan: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("runsheet route plan: {}: {e}", path.display());
            ExitCode::FAILURE
        }
    }
}

/// Solves every instance in `dir`, and with `dir/reference.json` prints each cost's ratio to
/// OR-Tools with 10 s and to the best known, the time, and the averages.
pub fn bench(dir: &Path, out: Option<&PathBuf>) -> ExitCode {
    let reference: serde_json::Value = std::fs::read_to_string(dir.join("reference.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(serde_json::Value::Null);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x == "json")
                    && p.file_name().is_some_and(|n| n != "reference.json")
            })
            .collect(),
        Err(e) => {
            eprintln!("runsheet route bench: {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    };
    files.sort();
    if let Some(o) = out {
        if let Err(e) = std::fs::create_dir_all(o) {
            eprintln!("runsheet route bench: {}: {e}", o.display());
            return ExitCode::from(2);
        }
    }
    let (mut ratios_or, mut ratios_best, mut exact_hit, mut exact_n) =
        (Vec::new(), Vec::new(), 0, 0);
    println!(
        "{:<22} {:>5} {:>9} {:>9} {:>8} {:>8} {:>9}",
        "instance", "stops", "cost", "or10s", "vs or10", "vs best", "ms"
    );
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let started = Instant::now();
        let (solution, cost) = match plan::plan_json(&text) {
            Ok(r) => r,
            Err(e) => {
                println!("{}: {e}", f.display());
                continue;
            }
        };
        let ms = started.elapsed().as_secs_f64() * 1e3;
        let r = &reference[&solution.instance];
        let or10 = r["ortools_10s"]["cost"].as_i64();
        let best = r["best_cost"].as_i64();
        let ratio = |b: Option<i64>| b.map(|b| cost.cost as f64 / b as f64);
        if let Some(x) = ratio(or10) {
            ratios_or.push(x);
        }
        if let Some(x) = ratio(best) {
            ratios_best.push(x);
        }
        if let Some(e) = r["exact"]["cost"].as_i64() {
            exact_n += 1;
            if cost.cost <= e {
                exact_hit += 1;
            }
        }
        println!(
            "{:<22} {:>5} {:>9} {:>9} {:>8} {:>8} {:>9.1}",
            solution.instance,
            solution.sequence.len(),
            cost.cost,
            or10.map_or("-".into(), |v| v.to_string()),
            ratio(or10).map_or("-".into(), |x| format!("{x:.4}")),
            ratio(best).map_or("-".into(), |x| format!("{x:.4}")),
            ms
        );
        if let Some(o) = out {
            let _ = std::fs::write(
                o.join(format!("{}.json", solution.instance)),
                serde_json::to_string(&solution).unwrap_or_default(),
            );
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let worst = |v: &[f64]| v.iter().cloned().fold(0.0, f64::max);
    println!(
        "\nmean cost ratio to OR-Tools 10 s: {:.4} (worst {:.4}); to best known: {:.4} (worst {:.4}); exact optimum matched {exact_hit}/{exact_n}",
        mean(&ratios_or),
        worst(&ratios_or),
        mean(&ratios_best),
        worst(&ratios_best)
    );
    ExitCode::SUCCESS
}
