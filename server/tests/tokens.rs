//! Courier tokens over real HTTP, on both stores: they expire (401 `token_expired`), dispatch
//! issues fresh ones, and a revocation is refused at once on the replica that revoked it and,
//! on PostgreSQL, on another replica sharing the store as soon as the revocation's notice
//! reaches it (not after its token cache's time to live).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use runsheet_protocol::ErrorBody;
use runsheet_server::{
    DbConfig, Dispatcher, RunningServer, ServerConfig, DEFAULT_TOKEN_LIFETIME_S,
};

mod loopback;
use loopback::{store_on, Engine, ADMIN};

const T0: i64 = 1_800_000_000;

fn replica(db: DbConfig, clock: Arc<AtomicI64>) -> RunningServer {
    runsheet_server::start(ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        db,
        admin_token: Some(ADMIN.into()),
        clock: Some(clock),
    })
    .unwrap()
}

/// A pull with `token`: its status and, when refused, the error code.
async fn pull(server: &RunningServer, token: &str) -> (u16, Option<String>) {
    let r = reqwest::Client::new()
        .get(format!(
            "{}/v1/sync/pull?client_id=phone-1&cursor=0&limit=10",
            server.url()
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    if status == 200 {
        return (status, None);
    }
    let body: ErrorBody = r.json().await.unwrap();
    (status, Some(body.error))
}

async fn a_token_expires_and_a_fresh_one_is_issued(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let Some(db) = store_on(engine, &dir, "tokens_expire").await else {
        return;
    };
    let clock = Arc::new(AtomicI64::new(T0));
    let server = replica(db, clock.clone());
    let dispatch = Dispatcher::new(&server.url(), ADMIN);
    let token = dispatch.create_courier("ann", "Ann").await.unwrap();
    assert_eq!(pull(&server, &token).await, (200, None));
    // Just before the lifetime ends it is still accepted (and cached); at the end, refused
    // with a code the phone recognises, although the cache had verified it.
    clock.store(T0 + DEFAULT_TOKEN_LIFETIME_S - 1, Ordering::SeqCst);
    assert_eq!(pull(&server, &token).await, (200, None));
    clock.store(T0 + DEFAULT_TOKEN_LIFETIME_S, Ordering::SeqCst);
    assert_eq!(
        pull(&server, &token).await,
        (401, Some("token_expired".into()))
    );
    // The login backend asks dispatch for a fresh token: accepted, the old one still not.
    let fresh = dispatch.issue_token("ann").await.unwrap();
    assert_ne!(fresh, token);
    assert_eq!(pull(&server, &fresh).await, (200, None));
    assert_eq!(
        pull(&server, &token).await,
        (401, Some("token_expired".into()))
    );
    // No token for a courier who does not exist.
    assert!(dispatch.issue_token("nobody").await.is_err());
}

async fn revoked_tokens_are_refused_at_once(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let Some(db) = store_on(engine, &dir, "tokens_revoked").await else {
        return;
    };
    let clock = Arc::new(AtomicI64::new(T0));
    let server = replica(db.clone(), clock.clone());
    let dispatch = Dispatcher::new(&server.url(), ADMIN);
    let first = dispatch.create_courier("ann", "Ann").await.unwrap();
    let second = dispatch.issue_token("ann").await.unwrap();
    let bob = dispatch.create_courier("bob", "Bob").await.unwrap();
    // A second replica on the same PostgreSQL store verifies (and caches) the token too.
    let other = match engine {
        Engine::Postgres => Some(replica(db, clock.clone())),
        Engine::Sqlite => None,
    };
    for t in [&first, &second, &bob] {
        assert_eq!(pull(&server, t).await, (200, None));
        if let Some(o) = &other {
            assert_eq!(pull(o, t).await, (200, None));
        }
    }
    let heard_before = match &other {
        Some(o) => revocations_heard(o).await,
        None => 0,
    };
    assert_eq!(dispatch.revoke_tokens("ann").await.unwrap(), 2);
    // Refused at once here, although both were verified a moment ago; Bob is untouched.
    for t in [&first, &second] {
        assert_eq!(pull(&server, t).await, (401, Some("unauthorized".into())));
    }
    assert_eq!(pull(&server, &bob).await, (200, None));
    // The other replica hears of the revocation (PostgreSQL's NOTIFY) and refuses from then
    // on, although its cache would trust the token for minutes more.
    if let Some(o) = &other {
        assert!(runsheet_server::auth::TokenCache::HEARD_TTL > Duration::from_secs(60));
        let deadline = Instant::now() + Duration::from_secs(30);
        while revocations_heard(o).await < heard_before + 1 {
            assert!(
                Instant::now() < deadline,
                "the revocation never reached the other replica"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(pull(o, &first).await, (401, Some("unauthorized".into())));
        assert_eq!(pull(o, &second).await, (401, Some("unauthorized".into())));
        assert_eq!(pull(o, &bob).await, (200, None));
    }
    // A token issued after the revocation works; revoking again counts only what was left.
    let third = dispatch.issue_token("ann").await.unwrap();
    assert_eq!(pull(&server, &third).await, (200, None));
    assert_eq!(dispatch.revoke_tokens("ann").await.unwrap(), 1);
    assert_eq!(pull(&server, &third).await.0, 401);
    assert!(dispatch.revoke_tokens("nobody").await.is_err());
}

/// The revocations a replica has heard of (its metrics).
async fn revocations_heard(server: &RunningServer) -> i64 {
    let text = reqwest::get(format!("{}/metrics", server.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("runsheet_token_revocations_heard "))
        .and_then(|v| v.trim().parse().ok())
        .expect("the metric is exported")
}

on_both_stores!(
    a_token_expires_and_a_fresh_one_is_issued,
    revoked_tokens_are_refused_at_once,
);
