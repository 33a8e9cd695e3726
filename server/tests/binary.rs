//! The deployable `runsheet-server` binary: started as an orchestrator would (flags, a SQLite
//! file, port 0), it prints where it listens, answers its probes, and drains and exits cleanly
//! on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// An admin token strong enough for the binary to accept.
const STRONG: &str = "4f1c9a7e2b6d8053c1e9f7a2d4b6c8e0";

/// The binary as a child process; killed if a test fails before it exits.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str], lines: usize) -> (Server, Vec<String>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_runsheet-server"));
    for var in [
        "RUNSHEET_ADDR",
        "RUNSHEET_DB",
        "RUNSHEET_ADMIN_TOKEN",
        "RUNSHEET_ADMIN_TOKEN_FILE",
        "RUNSHEET_DB_POOL",
        "RUNSHEET_DB_POOL_TIMEOUT_MS",
        "RUNSHEET_SHUTDOWN_GRACE_S",
    ] {
        cmd.env_remove(var);
    }
    let mut child = cmd
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the runsheet-server binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    // Its banner: the address, the store, and whether the dispatch API is on.
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(lines)
        .map(|l| l.expect("a line of stdout"))
        .collect();
    (server, lines)
}

#[tokio::test]
async fn the_binary_serves_on_a_free_port_and_drains_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let (mut server, banner) = start(
        &[
            "--addr",
            "127.0.0.1:0",
            "--db",
            db.to_str().unwrap(),
            "--shutdown-grace-s",
            "5",
        ],
        3,
    );
    let url = banner[0]
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("the first line names the address: {banner:?}"))
        .to_owned();
    assert!(!url.ends_with(":0"), "the chosen port is printed: {url}");
    assert_eq!(banner[1], "store: sqlite");
    assert_eq!(banner[2], "dispatch API off (no --admin-token)");

    let http = reqwest::Client::new();
    let health = http.get(format!("{url}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
    let ready = http.get(format!("{url}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert!(db.exists(), "the store was created where --db says");
    // Without --admin-token the dispatch API is off.
    let dispatch = http
        .get(format!("{url}/v1/dispatch/settings"))
        .bearer_auth("anything")
        .send()
        .await
        .unwrap();
    assert_eq!(dispatch.status(), 403);

    #[cfg(unix)]
    {
        let killed = Command::new("kill")
            .args(["-TERM", &server.0.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(killed.success());
        let status = server.0.wait().unwrap();
        assert!(status.success(), "a drained server exits 0, got {status}");
    }
}

#[tokio::test]
async fn the_binary_reads_its_settings_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("env.db");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_runsheet-server"));
    let mut child = cmd
        .env("RUNSHEET_ADDR", "127.0.0.1:0")
        .env("RUNSHEET_DB", &db)
        .env("RUNSHEET_ADMIN_TOKEN", STRONG)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the runsheet-server binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(2)
        .map(|l| l.expect("a line of stdout"))
        .collect();
    let url = lines[0]
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("the first line names the address: {lines:?}"));
    assert!(url.starts_with("http://127.0.0.1:"), "{lines:?}");
    assert_eq!(lines[1], "store: sqlite");
    assert!(db.exists());
    // The admin token from the environment unlocks the dispatch API.
    let http = reqwest::Client::new();
    let settings = |token: &'static str| {
        http.get(format!("{url}/v1/dispatch/settings"))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(settings(STRONG).await.unwrap().status(), 200);
    assert_eq!(settings("wrong").await.unwrap().status(), 401);
    drop(server);
}

#[test]
fn the_binary_refuses_to_start_without_a_store() {
    let out = Command::new(env!("CARGO_BIN_EXE_runsheet-server"))
        .env_remove("RUNSHEET_DB")
        .args(["--addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--db"));
}

#[test]
fn the_binary_refuses_a_weak_admin_token_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    for (var, weak) in [
        ("RUNSHEET_ADMIN_TOKEN", "secret-admin"),
        (
            "RUNSHEET_ADMIN_TOKEN",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_runsheet-server"))
            .env_remove("RUNSHEET_ADMIN_TOKEN_FILE")
            .env(var, weak)
            .args(["--addr", "127.0.0.1:0", "--db"])
            .arg(dir.path().join("weak.db"))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success(), "a weak admin token was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("admin token is too weak"), "{stderr}");
        assert!(
            !stderr.contains(weak),
            "the token itself is printed: {stderr}"
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).is_empty(),
            "a refused server printed that it listens"
        );
    }
}

#[tokio::test]
async fn the_binary_reads_its_admin_token_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("admin-token");
    std::fs::write(&file, format!("{STRONG}\n")).unwrap();
    let db = dir.path().join("file.db");
    let (server, banner) = start(
        &[
            "--addr",
            "127.0.0.1:0",
            "--db",
            db.to_str().unwrap(),
            "--admin-token-file",
            file.to_str().unwrap(),
        ],
        2,
    );
    let url = banner[0].strip_prefix("listening on ").unwrap().to_owned();
    let http = reqwest::Client::new();
    let status = http
        .get(format!("{url}/v1/dispatch/settings"))
        .bearer_auth(STRONG)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    drop(server);
}
