//! A fault-injecting HTTP/1.1 proxy on loopback, between a courier's core and the server.
//!
//! Each request through the proxy gets one fault drawn from a seeded generator, so a failing
//! seed replays the same sequence of faults. The proxy understands just enough HTTP to forward
//! one request per connection (it answers `Connection: close`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Forward it and its answer untouched.
    None,
    /// Close the connection without forwarding (the request never reached the server).
    DropRequest,
    /// Forward it, let the server apply it, then close without answering.
    DropResponse,
    /// Forward it twice (a duplicated packet or an eager retry), answer with the second answer.
    Duplicate,
    /// Wait before forwarding.
    Delay,
    /// Answer 503 without forwarding.
    ServerError,
    /// Forward it, then send only the first half of the answer.
    TruncateResponse,
    /// Reset the connection after reading the request, without forwarding.
    Reset,
    /// Answer with these raw bytes (a whole HTTP response) without forwarding: garbage,
    /// wrong-but-valid JSON, a 503 with `Retry-After`.
    Respond(Vec<u8>),
}

impl Fault {
    /// A canned `HTTP/1.1 <status>` answer with a JSON content type and extra header lines.
    pub fn respond(status: u16, extra_headers: &str, body: &str) -> Fault {
        Fault::Respond(
            format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra_headers}connection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes(),
        )
    }
}

const ALL: [Fault; 7] = [
    Fault::DropRequest,
    Fault::DropResponse,
    Fault::Duplicate,
    Fault::Delay,
    Fault::ServerError,
    Fault::TruncateResponse,
    Fault::Reset,
];

struct State {
    /// Every connection is refused (no network at all).
    offline: bool,
    rng: StdRng,
    fault_rate: f64,
    /// When set, the next requests get these faults in order (then none), ignoring the rate.
    script: Option<std::collections::VecDeque<Fault>>,
    upstream: SocketAddr,
    log: Vec<Fault>,
}

/// A running proxy. Dropping it stops accepting connections.
pub struct FaultProxy {
    /// Where the core should connect.
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` that faults each request with probability `fault_rate`.
    pub async fn start(upstream: SocketAddr, seed: u64, fault_rate: f64) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State {
            offline: false,
            rng: StdRng::seed_from_u64(seed),
            fault_rate,
            script: None,
            upstream,
            log: Vec::new(),
        }));
        let st = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let st = st.clone();
                tokio::spawn(async move {
                    let _ = handle(conn, st).await;
                });
            }
        });
        Ok(FaultProxy { addr, state, task })
    }

    /// `http://addr`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Starts a proxy that applies `script` to the next requests, one fault each, in order,
    /// and forwards everything after untouched.
    pub async fn scripted(upstream: SocketAddr, script: Vec<Fault>) -> std::io::Result<Self> {
        let p = Self::start(upstream, 0, 0.0).await?;
        p.state.lock().expect("proxy lock").script = Some(script.into());
        Ok(p)
    }

    /// Cuts (or restores) the network: while offline every connection is closed at once.
    pub fn set_offline(&self, offline: bool) {
        self.state.lock().expect("proxy lock").offline = offline;
    }

    /// Changes the fault rate (0 for a clean network).
    pub fn set_fault_rate(&self, rate: f64) {
        self.state.lock().expect("proxy lock").fault_rate = rate;
    }

    /// The faults applied so far, in request order.
    pub fn faults(&self) -> Vec<Fault> {
        self.state.lock().expect("proxy lock").log.clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one HTTP/1.1 request (head + Content-Length body). `None` if the peer closed first.
async fn read_request(conn: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    // One request per upstream connection.
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut out: Vec<u8> = head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:") && !l.is_empty())
        .flat_map(|l| format!("{l}\r\n").into_bytes())
        .collect();
    out.extend_from_slice(b"connection: close\r\n\r\n");
    out.extend_from_slice(&buf[head_end..head_end + len]);
    Ok(Some(out))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

async fn forward(upstream: SocketAddr, req: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut up = TcpStream::connect(upstream).await?;
    up.write_all(req).await?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp).await?;
    Ok(resp)
}

async fn handle(mut conn: TcpStream, st: Arc<Mutex<State>>) -> std::io::Result<()> {
    if st.lock().expect("proxy lock").offline {
        conn.set_zero_linger()?;
        return Ok(());
    }
    let Some(req) = read_request(&mut conn).await? else {
        return Ok(());
    };
    let (fault, upstream, delay_ms) = {
        let mut s = st.lock().expect("proxy lock");
        let scripted = s
            .script
            .as_mut()
            .map(|q| q.pop_front().unwrap_or(Fault::None));
        let fault = match scripted {
            Some(f) => f,
            None => {
                let rate = s.fault_rate.clamp(0.0, 1.0);
                if s.rng.gen_bool(rate) {
                    ALL[s.rng.gen_range(0..ALL.len())].clone()
                } else {
                    Fault::None
                }
            }
        };
        let delay = s.rng.gen_range(1..30);
        s.log.push(fault.clone());
        (fault, s.upstream, delay)
    };
    match fault {
        Fault::None => {
            let resp = forward(upstream, &req).await?;
            conn.write_all(&resp).await?;
        }
        Fault::DropRequest => {}
        Fault::DropResponse => {
            let _ = forward(upstream, &req).await?;
        }
        Fault::Duplicate => {
            let _ = forward(upstream, &req).await?;
            let resp = forward(upstream, &req).await?;
            conn.write_all(&resp).await?;
        }
        Fault::Delay => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            let resp = forward(upstream, &req).await?;
            conn.write_all(&resp).await?;
        }
        Fault::ServerError => {
            conn.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 4\r\nconnection: close\r\n\r\nbusy",
            )
            .await?;
        }
        Fault::TruncateResponse => {
            let resp = forward(upstream, &req).await?;
            conn.write_all(&resp[..resp.len() / 2]).await?;
        }
        Fault::Respond(bytes) => {
            conn.write_all(&bytes).await?;
        }
        Fault::Reset => {
            // SO_LINGER 0: close sends RST instead of FIN.
            conn.set_zero_linger()?;
        }
    }
    let _ = conn.shutdown().await;
    Ok(())
}
