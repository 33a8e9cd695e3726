//! Plans every `runsheet-route-v1` instance in a folder with `plan_json` and writes each
//! solution to `OUT/<instance name>.json`, printing the cost and the time: the planner on its
//! own, as a dispatch server would call it.
//!
//! `cargo run --release -p runsheet-route --example plan_dir -- INSTANCE_DIR OUT_DIR`

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use runsheet_route::plan::plan_json;

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [dir, out] = args.as_slice() else {
        eprintln!("usage: plan_dir INSTANCE_DIR OUT_DIR");
        return ExitCode::from(2);
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect(),
        Err(e) => {
            eprintln!("{}: {e}", dir.display());
            return ExitCode::from(2);
        }
    };
    files.sort();
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("{}: {e}", out.display());
        return ExitCode::from(2);
    }
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let started = Instant::now();
        // Other JSON in the folder (reference.json) is not an instance: skipped.
        let Ok((solution, cost)) = plan_json(&text) else {
            continue;
        };
        let ms = started.elapsed().as_secs_f64() * 1e3;
        println!("{:<22} {:>9} {:>8.1} ms", solution.instance, cost.cost, ms);
        let path = out.join(format!("{}.json", solution.instance));
        let written = serde_json::to_string(&solution)
            .map_err(|e| e.to_string())
            .and_then(|s| std::fs::write(&path, s).map_err(|e| e.to_string()));
        if let Err(e) = written {
            eprintln!("{}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
