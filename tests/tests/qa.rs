//! The QA harness itself: the scenario library passes; a wrong expectation produces a precise
//! report; invalid files are refused with their line before anything runs; JUnit XML is sound.

use std::path::{Path, PathBuf};

use runsheet_tests::qa;

fn library() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scenario_library_passes() {
    let files = qa::collect_files(&[library()]).unwrap();
    assert!(files.len() >= 9, "the library shrank: {files:?}");
    let report = qa::run_all(&files, None, 2, |_| {}).await.unwrap();
    for o in &report.outcomes {
        assert!(
            o.failure.is_none(),
            "{}: {}",
            o.name,
            o.failure.as_ref().unwrap()
        );
        assert!(o.steps > 3);
    }
    assert_eq!(report.passed(), files.len());
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_expectation_is_reported_precisely() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(library().join("delivered-offline.toml")).unwrap();
    let wrong = original.replace("pending = 5", "pending = 0");
    assert_ne!(wrong, original);
    let file = write(dir.path(), "wrong.toml", &wrong);
    let report = qa::run_all(std::slice::from_ref(&file), None, 1, |_| {})
        .await
        .unwrap();
    let f = report.outcomes[0]
        .failure
        .clone()
        .expect("the wrong expectation fails");
    assert_eq!(f.expectation, "pending");
    assert_eq!((f.expected.as_str(), f.found.as_str()), ("0", "5"));
    assert_eq!(f.step, 5);
    assert_eq!(f.at, "+23m");
    let line = wrong
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "do = \"expect\"")
        .map(|(i, _)| i + 1)
        .next()
        .unwrap();
    assert_eq!(f.line, line, "the report points at the step's line");
    let text = qa::report::progress_line(&report.outcomes[0]);
    assert!(
        text.contains("wrong.toml") && text.contains("pending") && text.contains("+23m"),
        "{text}"
    );

    // A list expectation shows a diff.
    let listy = original.replace(
        r#"server_applied = ["F1"]"#,
        r#"server_applied = ["F1", "F9"]"#,
    );
    let file = write(dir.path(), "listy.toml", &listy);
    let report = qa::run_all(&[file], None, 1, |_| {}).await.unwrap();
    let f = report.outcomes[0].failure.clone().unwrap();
    assert_eq!(f.expectation, "server_applied");
    assert!(f.found.contains(r#"missing ["F9"]"#), "{}", f.found);

    // An action that fails unexpectedly names its typed error.
    let surprise = original.replace("expect_error = \"Offline\"\n", "");
    let file = write(dir.path(), "surprise.toml", &surprise);
    let report = qa::run_all(&[file], None, 1, |_| {}).await.unwrap();
    let f = report.outcomes[0].failure.clone().unwrap();
    assert_eq!(f.expectation, "sync");
    assert!(f.found.starts_with("error Offline"), "{}", f.found);
}

#[test]
fn invalid_files_are_refused_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let head = "[scenario]\nname = \"x\"\nstart = 0\n\n[[courier]]\nid = \"a\"\n\n";
    let task = "[[task]]\nid = \"T1\"\ncourier = \"a\"\nkind = \"parcel\"\ndropoff = { name = \"c\", lat = 1.0, lon = 2.0 }\n\n";
    let cases: Vec<(&str, String, usize, &str)> = vec![
        ("unknown action", format!("{head}[[step]]\nat = \"+1m\"\ndo = \"teleport\"\n"), 10, "unknown action \"teleport\""),
        ("unknown task", format!("{head}{task}[[step]]\nat = \"+1m\"\ndo = \"deliver\"\ntask = \"T9\"\n"), 17, "no task \"T9\""),
        ("bad time", format!("{head}[[step]]\nat = \"soon\"\ndo = \"sync\"\n"), 9, "not a time offset"),
        ("time backwards", format!("{head}[[step]]\nat = \"+5m\"\ndo = \"sync\"\n\n[[step]]\nat = \"+1m\"\ndo = \"sync\"\n"), 13, "time goes backwards"),
        ("unknown key", format!("{head}[[step]]\nat = \"+1m\"\ndo = \"sync\"\nwhen = 3\n"), 11, "unknown field `when`"),
        ("unknown courier", format!("{head}[[step]]\nat = \"+1m\"\ncourier = \"zed\"\ndo = \"sync\"\n"), 10, "no courier \"zed\""),
        ("bad start", "[scenario]\nname = \"x\"\nstart = \"yesterday\"\n\n[[courier]]\nid = \"a\"\n".into(), 3, "not an RFC 3339 time"),
        ("unknown error", format!("{head}[[step]]\nat = \"+1m\"\ndo = \"sync\"\nexpect_error = \"Grumpy\"\n"), 11, "unknown error \"Grumpy\""),
        ("not toml", "[scenario\nname = 1\n".into(), 1, ""),
    ];
    for (what, text, line, needle) in cases {
        let file = write(dir.path(), "bad.toml", &text);
        let e = qa::load(&file).expect_err(what);
        assert_eq!(e.line, line, "{what}: {e}");
        assert!(e.message.contains(needle), "{what}: {e}");
        assert!(
            e.to_string()
                .starts_with(&format!("{}:{line}:", file.display())),
            "{what}: {e}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn junit_xml_counts_failures_and_escapes_text() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(library().join("app-killed.toml")).unwrap();
    let good = write(dir.path(), "good.toml", &original);
    let bad = write(
        dir.path(),
        "bad.toml",
        &original
            .replace(
                "name = \"App killed between delivery and sync\"",
                "name = \"Quotes \\\" & <angles>\"",
            )
            .replace("pending = 0", "pending = 7"),
    );
    let report = qa::run_all(&[good, bad], None, 2, |_| {}).await.unwrap();
    assert_eq!((report.passed(), report.failed()), (1, 1));
    let xml = qa::junit_xml(&report);
    assert!(
        xml.contains(r#"<testsuite name="runsheet-qa" tests="2" failures="1""#),
        "{xml}"
    );
    assert_eq!(xml.matches("<testcase ").count(), 2);
    assert_eq!(xml.matches("<failure ").count(), 1);
    assert!(xml.contains("Quotes &quot; &amp; &lt;angles&gt;"), "{xml}");
    assert!(!xml.contains("<angles>"));
}

/// The same library against the PostgreSQL store (each scenario on a fresh database of the
/// cluster `cargo xtask test` starts): every endpoint a scenario touches runs the same SQL on
/// both stores, so the library is the broadest shared suite there is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scenario_library_passes_on_postgres() {
    let Ok(admin_url) = std::env::var(runsheet_server::db::TEST_POSTGRES_VAR) else {
        // Skips only where nothing asked for PostgreSQL (see `test_postgres`).
        assert!(runsheet_server::test_postgres("qa_library").is_none());
        return;
    };
    let files = qa::collect_files(&[library()]).unwrap();
    let store = qa::Store::Postgres { admin_url };
    let report = qa::run_all_on(&files, None, 2, &store, |_| {})
        .await
        .unwrap();
    for o in &report.outcomes {
        assert!(
            o.failure.is_none(),
            "{} on PostgreSQL: {}",
            o.name,
            o.failure.as_ref().unwrap()
        );
    }
    assert_eq!(report.passed(), files.len());
}

/// Screen expectations and taps fail precisely: a wrong label in Chinese names the task, what
/// was expected and what the courier saw; a tap on a label the screen does not show lists what
/// it does show; an expected refusal that does not come fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_screen_expectation_or_tap_is_reported_precisely() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(library().join("zh-shift.toml")).unwrap();
    let run = |name: &'static str, text: String| {
        let file = write(dir.path(), name, &text);
        async move {
            let report = qa::run_all(&[file], None, 1, |_| {}).await.unwrap();
            report.outcomes[0]
                .failure
                .clone()
                .unwrap_or_else(|| panic!("{name}: the mistake did not fail the scenario"))
        }
    };

    let wrong_label = original.replacen(
        "primary = { F1 = \"确认送达\" }\nenabled = { F1 = true }",
        "primary = { F1 = \"送达\" }\nenabled = { F1 = true }",
        1,
    );
    assert_ne!(wrong_label, original);
    let f = run("label.toml", wrong_label).await;
    assert_eq!(f.expectation, "primary.F1");
    assert_eq!(
        (f.expected.as_str(), f.found.as_str()),
        ("送达", "确认送达")
    );
    assert_eq!(f.at, "+30m");

    let not_on_screen = original.replacen("tap = \"开始上班\"", "tap = \"开始休息\"", 1);
    let f = run("tap.toml", not_on_screen).await;
    assert_eq!(f.expectation, "tap");
    assert_eq!(f.at, "+1m");
    assert!(
        f.found.contains("not on the screen") && f.found.contains("\"开始上班\""),
        "the report lists what the screen offers: {}",
        f.found
    );

    let no_refusal = original.replacen(
        "offer = \"deliver\"\ntask = \"F2\"\nrefusal = \"当前页面已没有这个操作。\"",
        "offer = \"show_task\"\ntask = \"F2\"\nrefused = true",
        1,
    );
    assert_ne!(no_refusal, original);
    let f = run("refusal.toml", no_refusal).await;
    assert_eq!(f.expectation, "tap");
    assert!(f.expected.ends_with("refused"), "{}", f.expected);

    let silent = original.replacen(
        "notified = [\"站点可能超时\", \"李女士 的送货点：12:02 前送达\"]",
        "notified = []",
        1,
    );
    let f = run("notified.toml", silent).await;
    assert_eq!(f.expectation, "notified");
    assert!(f.found.contains("站点可能超时"), "{}", f.found);
}
