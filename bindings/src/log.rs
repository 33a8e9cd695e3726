//! Forwards the core's `tracing` events to the shell (Logcat, os_log) through one callback.
//! Events carry no personal data or tokens by construction (see docs/architecture.md).

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock, RwLock};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::Registry;

/// Severity of a forwarded record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    /// Very detailed.
    Trace,
    /// Debugging.
    Debug,
    /// Normal events.
    Info,
    /// Something unexpected that was handled.
    Warn,
    /// A failure.
    Error,
}

impl From<&Level> for LogLevel {
    fn from(l: &Level) -> Self {
        match *l {
            Level::TRACE => LogLevel::Trace,
            Level::DEBUG => LogLevel::Debug,
            Level::INFO => LogLevel::Info,
            Level::WARN => LogLevel::Warn,
            _ => LogLevel::Error,
        }
    }
}

/// One log record.
#[derive(Debug, Clone, uniffi::Record)]
pub struct LogRecord {
    /// Severity.
    pub level: LogLevel,
    /// Module path, e.g. `runsheet_core::sync`.
    pub target: String,
    /// Message and fields, `message key=value ...`.
    pub text: String,
}

/// Implemented by the shell to receive the core's logs.
#[uniffi::export(with_foreign)]
pub trait LogSink: Send + Sync {
    /// One record; must not call back into Runsheet.
    fn log(&self, record: LogRecord);
}

struct Sink {
    sink: Arc<dyn LogSink>,
    min: LogLevel,
}

static SINK: OnceLock<RwLock<Option<Sink>>> = OnceLock::new();

struct ForwardLayer;

struct TextVisitor(String);

impl Visit for TextVisitor {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        } else {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }
}

impl<S: Subscriber> Layer<S> for ForwardLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let Some(lock) = SINK.get() else { return };
        let guard = lock.read().unwrap_or_else(|p| p.into_inner());
        let Some(sink) = guard.as_ref() else { return };
        let level = LogLevel::from(event.metadata().level());
        if level < sink.min {
            return;
        }
        let mut v = TextVisitor(String::new());
        event.record(&mut v);
        let record = LogRecord {
            level,
            target: event.metadata().target().to_owned(),
            text: v.0,
        };
        // A sink that throws must not take the core down (nor log about itself, recursively).
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sink.sink.log(record)));
    }
}

/// Sends the core's logs at `min_level` and above to `sink`, replacing any earlier sink.
/// The first call installs the forwarder as the process's `tracing` subscriber (if the host
/// has not installed one already).
#[uniffi::export]
pub fn set_log_sink(sink: Arc<dyn LogSink>, min_level: LogLevel) {
    let lock = SINK.get_or_init(|| {
        let _ = tracing::subscriber::set_global_default(Registry::default().with(ForwardLayer));
        RwLock::new(None)
    });
    *lock.write().unwrap_or_else(|p| p.into_inner()) = Some(Sink {
        sink,
        min: min_level,
    });
}
