//! Soak: 500 slow or idle connections on loopback (half a header sent, or nothing at all) held
//! against one replica, and `/healthz` still answers a fresh client; the latency measured under
//! the soak is printed (`cargo test -p runsheet-server --test soak -- --nocapture`), never
//! asserted beyond a liveness bound. Then the same 500 against a replica capped at 256
//! connections (the 256-descriptor server): the slow ones time out and `/healthz` still
//! answers.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use runsheet_server::{DbConfig, Limits, RunningServer, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SLOW: usize = 500;
/// Longest a test waits for something that must happen (a liveness bound, not a measurement).
const LIVENESS: Duration = Duration::from_secs(60);

/// The soak holds about 1,000 descriptors in this process (both ends of 500 connections): raise
/// the soft limit towards the hard one when it is lower than that.
fn enough_descriptors() {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit/setrlimit only read and write the struct passed by pointer.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < 4096 {
                lim.rlim_cur = lim.rlim_max.min(4096);
                libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
            }
        }
    }
}

fn server(dir: &tempfile::TempDir, limits: Limits) -> RunningServer {
    runsheet_server::start_limited(
        ServerConfig {
            addr: "127.0.0.1:0".parse().unwrap(),
            db: DbConfig::Sqlite(dir.path().join("s.db")),
            admin_token: None,
            clock: None,
        },
        limits,
    )
    .unwrap()
}

/// `SLOW` connections: even ones sent half a header, odd ones nothing.
async fn hold_slow(addr: SocketAddr) -> Vec<TcpStream> {
    let mut held = Vec::with_capacity(SLOW);
    for i in 0..SLOW {
        let mut s = TcpStream::connect(addr).await.unwrap();
        if i % 2 == 0 {
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                .await
                .unwrap();
        }
        held.push(s);
    }
    held
}

/// `/healthz` latencies of `n` fresh clients (a new connection each), in order.
async fn healthz_latencies(url: &str, n: usize) -> Vec<Duration> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(LIVENESS)
        .build()
        .unwrap();
    let mut took = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let resp = http
            .get(format!("{url}/healthz"))
            .send()
            .await
            .expect("/healthz answers under the soak");
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.text().await.unwrap(), "ok");
        took.push(started.elapsed());
    }
    took
}

fn summary(took: &mut [Duration]) -> String {
    took.sort();
    format!(
        "median {:?}, max {:?} over {} requests",
        took[took.len() / 2],
        took[took.len() - 1],
        took.len()
    )
}

async fn all_closed_by_server(held: Vec<TcpStream>) {
    let waits: Vec<_> = held
        .into_iter()
        .map(|mut s| {
            tokio::spawn(async move {
                let mut sink = Vec::new();
                tokio::time::timeout(LIVENESS, s.read_to_end(&mut sink))
                    .await
                    .is_ok()
            })
        })
        .collect();
    let mut open = 0;
    for w in waits {
        if !w.await.unwrap() {
            open += 1;
        }
    }
    assert_eq!(open, 0, "{open} slow connections were never closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_slow_connections_leave_healthz_answering() {
    enough_descriptors();
    let dir = tempfile::tempdir().unwrap();
    let server = server(
        &dir,
        Limits {
            header_timeout: Duration::from_secs(3),
            ..Limits::default()
        },
    );
    let held = hold_slow(server.addr).await;
    let mut took = healthz_latencies(&server.url(), 50).await;
    println!(
        "soak: /healthz with {SLOW} slow or idle connections open: {}",
        summary(&mut took)
    );
    all_closed_by_server(held).await;
    assert_eq!(healthz_latencies(&server.url(), 1).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_slow_connections_against_a_cap_of_256_time_out_and_healthz_answers() {
    enough_descriptors();
    let dir = tempfile::tempdir().unwrap();
    let server = server(
        &dir,
        Limits {
            header_timeout: Duration::from_secs(2),
            max_connections: 256,
            ..Limits::default()
        },
    );
    let held = hold_slow(server.addr).await;
    let mut took = healthz_latencies(&server.url(), 5).await;
    println!(
        "soak: /healthz behind {SLOW} slow connections over a cap of 256: {}",
        summary(&mut took)
    );
    all_closed_by_server(held).await;
}
