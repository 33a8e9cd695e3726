//! The server's edge against hostile and careless clients, over real sockets on loopback: slow
//! and idle connections are closed, a connection cap leaves the server answering, bursts meet
//! 429 with `Retry-After`, and unauthenticated uploads are refused before their bodies are read.
//! The tests that touch the store run on SQLite and, when configured, on PostgreSQL.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use runsheet_protocol::ErrorBody;
use runsheet_server::{DbConfig, Dispatcher, Limits, RunningServer, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ADMIN: &str = "edge-admin-token-0123456789abcdef";
/// How long a test waits for something that must happen before it calls it a failure (a
/// liveness bound, never a measurement).
const LIVENESS: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy)]
enum Engine {
    Sqlite,
    Postgres,
}

struct Env {
    _dir: tempfile::TempDir,
    server: RunningServer,
}

async fn server_on(engine: Engine, label: &str, limits: Limits) -> Option<Env> {
    let dir = tempfile::tempdir().unwrap();
    let db = match engine {
        Engine::Sqlite => DbConfig::Sqlite(dir.path().join("s.db")),
        Engine::Postgres => {
            let label = label.to_owned();
            tokio::task::spawn_blocking(move || runsheet_server::test_postgres(&label))
                .await
                .unwrap()?
        }
    };
    let server = runsheet_server::start_limited(
        ServerConfig {
            addr: "127.0.0.1:0".parse().unwrap(),
            db,
            admin_token: Some(ADMIN.into()),
            clock: None,
        },
        limits,
    )
    .unwrap();
    Some(Env { _dir: dir, server })
}

async fn sqlite_server(limits: Limits) -> Env {
    server_on(Engine::Sqlite, "edge", limits)
        .await
        .expect("SQLite is always available")
}

/// Reads until the server closes the connection; `true` when it did within [`LIVENESS`].
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut sink = Vec::new();
    // EOF, or a reset: closed either way.
    tokio::time::timeout(LIVENESS, stream.read_to_end(&mut sink))
        .await
        .is_ok()
}

/// A connection that sent half a request header and waits.
async fn half_header(addr: SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    s
}

/// The status line's code of the first response on `stream`.
async fn read_status(stream: &mut TcpStream) -> Option<u16> {
    let mut buf = vec![0u8; 4096];
    let mut got = 0;
    loop {
        let n = stream.read(&mut buf[got..]).await.ok()?;
        if n == 0 {
            break;
        }
        got += n;
        if buf[..got].windows(4).any(|w| w == b"\r\n\r\n") || got == buf.len() {
            break;
        }
    }
    let head = String::from_utf8_lossy(&buf[..got]);
    head.split_whitespace().nth(1)?.parse().ok()
}

fn short_timeouts() -> Limits {
    Limits {
        header_timeout: Duration::from_secs(1),
        ..Limits::default()
    }
}

#[tokio::test]
async fn a_connection_that_sends_half_a_header_and_waits_is_closed() {
    let env = sqlite_server(short_timeouts()).await;
    let mut slow = half_header(env.server.addr).await;
    assert!(
        closed_by_server(&mut slow).await,
        "a half-header connection stays open"
    );
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed() {
    let env = sqlite_server(short_timeouts()).await;
    let mut silent = TcpStream::connect(env.server.addr).await.unwrap();
    assert!(
        closed_by_server(&mut silent).await,
        "a silent connection stays open"
    );
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    let env = sqlite_server(short_timeouts()).await;
    let mut conn = TcpStream::connect(env.server.addr).await.unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(read_status(&mut conn).await, Some(200));
    assert!(
        closed_by_server(&mut conn).await,
        "an idle keep-alive connection stays open"
    );
}

#[tokio::test]
async fn a_body_that_stalls_fails_the_request_and_frees_the_connection() {
    let env = sqlite_server(Limits {
        body_timeout: Duration::from_secs(1),
        ..Limits::default()
    })
    .await;
    let mut conn = TcpStream::connect(env.server.addr).await.unwrap();
    // Authenticated (the admin token), so the body is read; half of it arrives.
    let head = format!(
        "PUT /v1/dispatch/settings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"a\":"
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    let status = tokio::time::timeout(LIVENESS, read_status(&mut conn))
        .await
        .expect("a stalled body is answered");
    assert!(
        matches!(status, Some(400..=599)),
        "a stalled body is refused, got {status:?}"
    );
    assert!(closed_by_server(&mut conn).await);
}

#[tokio::test]
async fn beyond_the_connection_cap_new_clients_wait_and_are_served_when_a_slot_frees() {
    let env = sqlite_server(Limits {
        max_connections: 8,
        header_timeout: Duration::from_secs(3600),
        ..Limits::default()
    })
    .await;
    let addr = env.server.addr;
    let mut slow = Vec::new();
    for _ in 0..8 {
        slow.push(half_header(addr).await);
    }
    // The ninth connects (the kernel queues it) but is not served while the eight hold the cap.
    let mut ninth = TcpStream::connect(addr).await.unwrap();
    ninth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut byte = [0u8; 1];
    assert!(
        tokio::time::timeout(Duration::from_millis(500), ninth.read(&mut byte))
            .await
            .is_err(),
        "a connection beyond the cap was served"
    );
    drop(slow.pop());
    let status = tokio::time::timeout(LIVENESS, read_status(&mut ninth))
        .await
        .expect("the waiting client is served once a slot frees");
    // The byte read above (if any) was part of the status line only when the read completed,
    // which the assertion above excludes.
    assert_eq!(status, Some(200));
}

#[tokio::test]
async fn slow_connections_beyond_the_cap_time_out_and_healthz_answers_a_fresh_client() {
    let env = sqlite_server(Limits {
        max_connections: 8,
        header_timeout: Duration::from_secs(1),
        ..Limits::default()
    })
    .await;
    let addr = env.server.addr;
    let mut slow = Vec::new();
    for _ in 0..24 {
        slow.push(half_header(addr).await);
    }
    let health = reqwest::Client::builder()
        .timeout(LIVENESS)
        .build()
        .unwrap()
        .get(format!("{}/healthz", env.server.url()))
        .send()
        .await
        .expect("/healthz answers while slow connections hold the cap");
    assert_eq!(health.status(), 200);
    for s in &mut slow {
        assert!(closed_by_server(s).await, "a slow connection stays open");
    }
}

fn assert_rate_limited(resp_status: u16, retry_after: Option<&str>, body: &str) {
    assert_eq!(resp_status, 429);
    let secs: u64 = retry_after
        .expect("a 429 carries Retry-After")
        .parse()
        .expect("Retry-After is whole seconds");
    assert!(secs >= 1);
    let err: ErrorBody = serde_json::from_str(body).expect("a 429 has a JSON error body");
    assert_eq!(err.error, "rate_limited");
}

async fn wrong_token_burst(engine: Engine) {
    let Some(env) = server_on(engine, "wrong_token_burst", Limits::default()).await else {
        return;
    };
    let http = reqwest::Client::new();
    // A courier on the same address, verified before the burst.
    let dispatch = Dispatcher::new(&env.server.url(), ADMIN);
    let token = dispatch.create_courier("c-near", "Near").await.unwrap();
    let pull = |token: String| {
        http.get(format!(
            "{}/v1/sync/pull?client_id=near-1",
            env.server.url()
        ))
        .bearer_auth(token)
        .send()
    };
    assert_eq!(pull(token.clone()).await.unwrap().status(), 200);
    let (mut unauthorized, mut limited) = (0, 0);
    for i in 0..1000 {
        let resp = http
            .get(format!("{}/v1/sync/pull?client_id=c", env.server.url()))
            .bearer_auth(format!("guess-{i:08}"))
            .send()
            .await
            .unwrap();
        match resp.status().as_u16() {
            401 => unauthorized += 1,
            429 => {
                let retry = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let body = resp.text().await.unwrap();
                assert_rate_limited(429, retry.as_deref(), &body);
                limited += 1;
            }
            other => panic!("a wrong token answered {other}"),
        }
    }
    assert!(unauthorized > 0, "the first guesses are answered 401");
    assert!(
        limited > 0,
        "1,000 wrong tokens from one address never met a 429 ({unauthorized} answered 401)"
    );
    // The courier verified before keeps syncing from the same address.
    assert_eq!(pull(token.clone()).await.unwrap().status(), 200);
    // ...also once this replica no longer trusts its cached check: a revocation (here of
    // another courier; a listener reconnecting does the same) sends its next request to the
    // store, and the address's guesses do not turn it away first.
    dispatch.create_courier("c-far", "Far").await.unwrap();
    assert!(dispatch.revoke_tokens("c-far").await.unwrap() >= 1);
    assert_eq!(pull(token).await.unwrap().status(), 200);
    // The probes stay open to the load balancer from the same address.
    let health = http
        .get(format!("{}/healthz", env.server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn a_burst_of_wrong_tokens_from_one_address_meets_429_sqlite() {
    wrong_token_burst(Engine::Sqlite).await;
}

#[tokio::test]
async fn a_burst_of_wrong_tokens_from_one_address_meets_429_postgres() {
    wrong_token_burst(Engine::Postgres).await;
}

async fn courier_rate(engine: Engine) {
    let limits = Limits {
        token_per_second: std::num::NonZeroU32::MIN,
        token_burst: std::num::NonZeroU32::new(5).unwrap(),
        ..Limits::default()
    };
    let Some(env) = server_on(engine, "courier_rate", limits).await else {
        return;
    };
    let dispatch = Dispatcher::new(&env.server.url(), ADMIN);
    let token = dispatch.create_courier("c-rate", "Rate").await.unwrap();
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let resp = http
            .get(format!(
                "{}/v1/sync/pull?client_id=rate-1",
                env.server.url()
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        if status == 429 {
            let retry = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = resp.text().await.unwrap();
            assert_rate_limited(status, retry.as_deref(), &body);
        }
        statuses.push(status);
    }
    assert_eq!(statuses[0], 200, "{statuses:?}");
    assert!(
        statuses.contains(&429),
        "a courier token over its burst is never limited: {statuses:?}"
    );
    // The dispatch API (the admin token) is not held to a courier's rate.
    for _ in 0..12 {
        dispatch.after_sales().await.unwrap();
    }
}

#[tokio::test]
async fn a_courier_token_over_its_rate_meets_429_sqlite() {
    courier_rate(Engine::Sqlite).await;
}

#[tokio::test]
async fn a_courier_token_over_its_rate_meets_429_postgres() {
    courier_rate(Engine::Postgres).await;
}

/// A request body that records whether it was ever polled and never yields anything.
struct Stalled(Arc<AtomicBool>);

impl http_body::Body for Stalled {
    type Data = bytes::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        self.0.store(true, Ordering::SeqCst);
        Poll::Pending
    }
}

const TEN_MIB: u64 = 10 * 1024 * 1024;
const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

#[tokio::test]
async fn fifty_stalled_unauthenticated_uploads_are_refused_without_polling_their_bodies() {
    use tower::ServiceExt;
    let dir = tempfile::tempdir().unwrap();
    let db = runsheet_server::Db::open(&DbConfig::Sqlite(dir.path().join("s.db"))).unwrap();
    let app = runsheet_server::app(runsheet_server::AppState::new(db, Some(ADMIN.into())));
    let mut calls = Vec::new();
    let mut polled = Vec::new();
    for i in 0..50 {
        let flag = Arc::new(AtomicBool::new(false));
        polled.push(flag.clone());
        let mut req = axum::http::Request::builder()
            .method("PUT")
            .uri(format!("/v1/attachments/{HASH}"))
            .header("content-length", TEN_MIB)
            .header("content-type", "image/jpeg");
        if i % 2 == 1 {
            req = req.header("authorization", format!("Bearer wrong-{i}"));
        }
        let req = req.body(axum::body::Body::new(Stalled(flag))).unwrap();
        calls.push(tokio::spawn(app.clone().oneshot(req)));
    }
    for call in calls {
        let resp = tokio::time::timeout(LIVENESS, call)
            .await
            .expect("an unauthenticated upload is answered without its body")
            .unwrap()
            .unwrap();
        assert_eq!(resp.status(), 401);
    }
    for flag in polled {
        assert!(
            !flag.load(Ordering::SeqCst),
            "an unauthenticated upload's body was read"
        );
    }
}

async fn stalled_uploads_over_sockets(engine: Engine) {
    let Some(env) = server_on(engine, "stalled_uploads", Limits::default()).await else {
        return;
    };
    let addr = env.server.addr;
    let mut uploads = Vec::new();
    for i in 0..50 {
        uploads.push(tokio::spawn(async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            let auth = if i % 2 == 1 {
                format!("Authorization: Bearer wrong-{i}\r\n")
            } else {
                String::new()
            };
            let head = format!(
                "PUT /v1/attachments/{HASH} HTTP/1.1\r\nHost: x\r\n{auth}\
                 Content-Type: image/jpeg\r\nContent-Length: {TEN_MIB}\r\n\r\n"
            );
            s.write_all(head.as_bytes()).await.unwrap();
            // Only the first few bytes of the body, then the client stalls.
            s.write_all(&[0u8; 1024]).await.unwrap();
            let status = read_status(&mut s).await;
            (status, s)
        }));
    }
    let started = Instant::now();
    let mut held = Vec::new();
    for u in uploads {
        let (status, s) = tokio::time::timeout(LIVENESS, u)
            .await
            .expect("a stalled unauthenticated upload is answered")
            .unwrap();
        assert_eq!(status, Some(401));
        held.push(s);
    }
    println!(
        "50 stalled unauthenticated uploads answered 401 in {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn stalled_unauthenticated_uploads_over_sockets_are_answered_401_sqlite() {
    stalled_uploads_over_sockets(Engine::Sqlite).await;
}

#[tokio::test]
async fn stalled_unauthenticated_uploads_over_sockets_are_answered_401_postgres() {
    stalled_uploads_over_sockets(Engine::Postgres).await;
}
