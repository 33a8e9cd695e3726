//! The connections of a replica: accepted up to [`Limits::max_connections`] (further clients
//! wait in the listen queue), each served by hyper's HTTP/1.1 server with a header read timeout
//! (a client that sends half a header and waits, or a kept-alive connection with no next
//! request, is closed), and drained on shutdown: no new connection is accepted, idle ones are
//! closed, and requests in flight finish.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::limits::Limits;

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting and waits for the
/// open connections to finish their requests (idle ones are closed at once).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let cap = cap_for(limits.max_connections, descriptor_limit());
    if cap < limits.max_connections {
        tracing::warn!(
            cap,
            configured = limits.max_connections,
            "connection cap lowered to fit the file-descriptor limit (raise `ulimit -n`)"
        );
    }
    let slots = Arc::new(Semaphore::new(cap));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        // A free slot first: beyond the cap, connections wait in the kernel's listen queue
        // until a slow one is closed by its timeout.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or the client gave up before the accept: wait a
                    // moment (the error may persist) and go on; the listener stays open.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A connection closed by a timeout or a client that went away is not an error of
            // the server's: logged at debug only.
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection closed");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Descriptors kept free of connections for the store (SQLite's files, PostgreSQL's pool and
/// listener), the listening socket, the runtime and the logs.
pub const RESERVED_DESCRIPTORS: u64 = 64;

/// The connection cap that fits `descriptors` (the process's soft limit, `None` when unlimited
/// or unknown): `configured`, lowered so that [`RESERVED_DESCRIPTORS`] stay free, and at least 1.
pub fn cap_for(configured: usize, descriptors: Option<u64>) -> usize {
    let room = descriptors.map_or(usize::MAX, |d| {
        usize::try_from(d.saturating_sub(RESERVED_DESCRIPTORS)).unwrap_or(usize::MAX)
    });
    configured.min(room).max(1)
}

/// The process's soft limit of open file descriptors, when it has one.
fn descriptor_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit only writes the struct it is given, which lives for the call.
        let read = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
        if read == 0 && lim.rlim_cur != libc::RLIM_INFINITY {
            // rlim_t is u64 on Linux, not on every unix.
            #[allow(clippy::unnecessary_cast)]
            return Some(lim.rlim_cur as u64);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_descriptors_for_the_store() {
        assert_eq!(cap_for(4096, Some(256)), 192);
        assert_eq!(cap_for(100, Some(20_000)), 100);
        assert_eq!(cap_for(4096, None), 4096);
        assert_eq!(cap_for(4096, Some(10)), 1);
        assert_eq!(cap_for(0, None), 1);
    }
}
