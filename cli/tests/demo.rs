//! `runsheet demo` end to end, as a person runs it: it completes on loopback with exit 0, and
//! at trace level its logs (stderr) hold no customer name, address or phone, and no token.

use std::process::Command;

#[test]
fn the_demo_completes_and_its_trace_logs_are_clean() {
    let out = Command::new(env!("CARGO_BIN_EXE_runsheet"))
        .arg("demo")
        .env("RUST_LOG", "trace")
        .env("NO_COLOR", "1")
        .output()
        .expect("runsheet demo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "demo failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("every delivery reached the server exactly once"));
    assert!(
        stdout.contains("No connection to the server"),
        "the outage is shown"
    );
    assert!(
        stderr.lines().count() > 20,
        "trace logging produced almost nothing; the check would prove nothing"
    );
    // What the courier sees on screen (stdout) includes customers; the logs must not.
    for secret in [
        "Customer A",
        "Customer B",
        "Customer C",
        "Huanglong Garden",
        "Qinghe Tower",
        "Gongshu Lane",
        "Noodle House",
        "Wensan Rd",
        "demo-admin-",
        "Bearer",
    ] {
        assert!(!stderr.contains(secret), "the logs contain {secret:?}");
    }
    // Courier tokens are 64 hex digits: none may appear in the logs.
    let hex_run = stderr
        .split(|c: char| !c.is_ascii_hexdigit())
        .any(|w| w.len() >= 64);
    assert!(!hex_run, "the logs contain a token-like hex string");
}
