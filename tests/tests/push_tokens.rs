//! End to end: the push token a phone's shell registers through the FFI reaches the server at
//! the next sync, once, replaces the install's previous one when it changes, is listed for
//! dispatch's push service, and never appears in a log line (phone or server), captured at
//! TRACE level.

use std::io::Write;
use std::sync::{Arc, Mutex};

use runsheet_ffi::{PushPlatform, RunsheetError};
use runsheet_tests::World;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_token_registered_offline_reaches_dispatch_once_and_never_a_log() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    let first = "fcm-token-first:APA91bHPRgkF3JUikC4ENAHEeMrd41Zxv3hVZjC9KtT8OvPVGJ";
    let second = "fcm-token-second:APA91bE-Zx_9ymNLq0w2Xf3cV6HqkQ8dRsT1uYbLmN4pJ";

    let mut w = World::new();
    let token = w.courier("c1", &["T1"]).await;
    let core = w.open_core("phone", &token).await;
    core.sync().now().await.unwrap();
    let client_id = core.session().client_id().await.unwrap();

    // The platform hands over a token while the server is down: kept, sent when it is back.
    w.kill_server();
    core.session()
        .register_push_token(first.into(), PushPlatform::Fcm)
        .await
        .unwrap();
    assert!(core.sync().now().await.is_err());
    w.restart_server();
    assert!(w.dispatch.devices("c1").await.unwrap().devices.is_empty());
    core.sync().now().await.unwrap();
    let devices = w.dispatch.devices("c1").await.unwrap().devices;
    assert_eq!(devices.len(), 1);
    assert_eq!(
        (
            devices[0].client_id.as_str(),
            devices[0].platform,
            devices[0].token.as_str()
        ),
        (
            client_id.as_str(),
            runsheet_protocol::PushPlatform::Fcm,
            first
        )
    );
    let registered_at = devices[0].registered_at;

    // Sent once: later syncs, and the same token handed over again, register nothing anew.
    core.session()
        .register_push_token(first.into(), PushPlatform::Fcm)
        .await
        .unwrap();
    core.sync().now().await.unwrap();
    let calls = |logs: &str| logs.matches("push token registered").count();
    let logs = String::from_utf8_lossy(&capture.0.lock().unwrap()).into_owned();
    assert_eq!(calls(&logs), 1, "the server received the token once");

    // The token rotates (onNewToken): the new one replaces the old for this install.
    core.session()
        .register_push_token(second.into(), PushPlatform::Fcm)
        .await
        .unwrap();
    core.sync().now().await.unwrap();
    let devices = w.dispatch.devices("c1").await.unwrap().devices;
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].token, second);
    assert!(devices[0].registered_at >= registered_at);

    // A token the platform would never issue is refused at the FFI, and changes nothing.
    match core
        .session()
        .register_push_token(String::new(), PushPlatform::Apns)
        .await
    {
        Err(RunsheetError::InvalidArgument { .. }) => {}
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
    core.sync().now().await.unwrap();
    assert_eq!(
        w.dispatch.devices("c1").await.unwrap().devices[0].token,
        second
    );

    let logs = String::from_utf8_lossy(&capture.0.lock().unwrap()).into_owned();
    assert_eq!(calls(&logs), 2, "the server received each token once");
    assert!(
        logs.contains("push token kept for the next sync"),
        "the phone's logs were captured: the check would prove nothing"
    );
    for secret in [first, second, "APA91b"] {
        assert!(!logs.contains(secret), "the logs contain a push token");
    }
}
