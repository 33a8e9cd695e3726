//! `runsheet route plan` as a script calls it: a solution in the spec's format, or a clear error.

use std::process::Command;

#[test]
fn route_plan_prints_a_solution_or_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let inst = dir.path().join("example.json");
    std::fs::write(
        &inst,
        r#"{"format": "runsheet-route-v1", "name": "example-2o",
 "start": {"lat": 30.2741, "lon": 120.155}, "start_time": 1795406400,
 "speed_mps": 4.0, "detour_factor": 1.3, "lateness_weight": 10, "capacity": 1, "onboard": ["A"],
 "stops": [
  {"id": "A-d", "order": "A", "kind": "dropoff", "lat": 30.2801, "lon": 120.1602, "due_by": 1795406700, "service_s": 90},
  {"id": "B-p", "order": "B", "kind": "pickup", "lat": 30.2712, "lon": 120.1648, "ready_at": 1795407300, "service_s": 120},
  {"id": "B-d", "order": "B", "kind": "dropoff", "lat": 30.2655, "lon": 120.1801, "due_by": 1795407900, "service_s": 60}]}"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_runsheet"))
        .args(["route", "plan"])
        .arg(&inst)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["instance"], "example-2o");
    assert_eq!(v["sequence"], serde_json::json!(["A-d", "B-p", "B-d"]));

    std::fs::write(&inst, "{\"format\": \"nope\"}").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_runsheet"))
        .args(["route", "plan"])
        .arg(&inst)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad instance"));
}

#[test]
fn geo_convert_prints_json_and_refuses_bad_input() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_runsheet"))
            .args(["geo", "convert"])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--from", "wgs84", "--to", "gcj02", "39.915", "116.404"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!((v["lat"].as_f64().unwrap() - 39.91640428150164).abs() < 1e-9);
    assert!((v["lon"].as_f64().unwrap() - 116.41024449916938).abs() < 1e-9);
    // Outside China, unchanged; negative coordinates are accepted.
    let out = run(&["--from", "wgs84", "--to", "gcj02", "51.5007", "-0.1246"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["lat"].as_f64(), v["lon"].as_f64()),
        (Some(51.5007), Some(-0.1246))
    );
    assert_eq!(
        run(&["--from", "mars", "--to", "gcj02", "1", "2"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["--from", "wgs84", "--to", "bd09", "91", "2"])
            .status
            .code(),
        Some(2)
    );
}
