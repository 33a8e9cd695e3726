//! Logs never carry a customer's name, phone or address, nor a token: every scenario of the
//! library runs here with every log line captured at TRACE level, and the captured text is
//! searched for each personal value the scenario files seed.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use runsheet_tests::qa;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("capture").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every customer/merchant name, address and phone in the scenario files.
fn seeded_values(files: &[std::path::PathBuf]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        let doc: toml::Value = toml::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let mut stops = Vec::new();
        for t in doc
            .get("task")
            .and_then(|t| t.as_array())
            .into_iter()
            .flatten()
        {
            for key in ["pickup", "dropoff", "return_to"] {
                if let Some(s) = t.get(key) {
                    stops.push(s.clone());
                }
            }
        }
        for s in stops {
            for key in ["name", "address", "phone"] {
                if let Some(v) = s.get(key).and_then(|v| v.as_str()) {
                    if v.len() >= 4 {
                        out.push(v.to_owned());
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_logs_of_every_scenario_hold_no_personal_data_and_no_token() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    let library = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let files = qa::collect_files(&[library]).unwrap();
    let report = qa::run_all(&files, None, 1, |_| {}).await.unwrap();
    assert_eq!(report.passed(), files.len(), "every scenario passes first");
    let logs = String::from_utf8_lossy(&capture.0.lock().unwrap()).into_owned();
    assert!(
        logs.lines().count() > 500,
        "trace logging produced almost nothing; the check would prove nothing"
    );
    let seeded = seeded_values(&files);
    assert!(
        seeded.len() > 30,
        "the scenarios seed few values: {seeded:?}"
    );
    for value in &seeded {
        assert!(!logs.contains(value.as_str()), "the logs contain {value:?}");
    }
    assert!(
        !logs.contains("Bearer"),
        "the logs contain an authorization header"
    );
    // Courier tokens are 64 hex digits. Attachment paths carry a photo's SHA-256 (a content
    // address, not a secret): they are taken out before the search.
    let hex_run = logs.lines().find(|l| {
        let l = l.replace("/v1/attachments/", "/v1/attachments/#");
        l.split(|c: char| !c.is_ascii_hexdigit() && c != '#')
            .any(|w| w.len() >= 64 && !w.starts_with('#'))
    });
    assert!(
        hex_run.is_none(),
        "the logs contain a token-like hex string: {hex_run:?}"
    );
}
