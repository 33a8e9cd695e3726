//! `runsheet app`: the courier app in a terminal. It renders the core's screens
//! (`runsheet-screens`) and carries out their effects in terminal form: notifications and
//! links printed in the effects pane, permissions and photos asked at a prompt, the location
//! mode in the status line, and a key that rides to the next stop (GPS fixes fed to the core).
//! It takes no decision of its own: what it shows and offers is the screen's.

mod location;
mod placeholder;
mod render;
mod shell;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind};
use runsheet_core::{AutoSyncPolicy, Config, DbKey, Runsheet, SystemClock, Token};
use runsheet_screens::CourierApp;

use location::{LocationSource, WallPace};
use shell::{run_loop, Shell};

/// `runsheet app`'s options.
#[derive(clap::Args, Debug)]
pub struct Options {
    /// The dispatch server, http(s)://host:port.
    #[arg(long)]
    server: String,
    /// The courier's bearer token.
    #[arg(long, env = "RUNSHEET_TOKEN", hide_env_values = true)]
    token: String,
    /// The phone's database file (created if missing).
    #[arg(long, default_value = "runsheet-app.db")]
    db: PathBuf,
    /// The app's language: zh-CN or en (any BCP 47 tag; unknown ones mean English).
    #[arg(long, default_value = "zh-CN")]
    locale: String,
    /// Encrypt the database under this key (64 hex digits).
    #[arg(long, hide_env_values = true, env = "RUNSHEET_DB_KEY")]
    db_key: Option<String>,
}

/// How often the screen is recomputed for the time that passed.
const REFRESH_EVERY: Duration = Duration::from_secs(60);

/// Runs the app until the courier quits.
pub fn run(opts: Options) -> ExitCode {
    match start(opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("runsheet app: {e}");
            ExitCode::FAILURE
        }
    }
}

fn start(opts: Options) -> Result<(), String> {
    let db_key = match &opts.db_key {
        Some(hex) => Some(DbKey::from_hex(hex).map_err(|e| e.to_string())?),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    // Not entered: the screen model then leaves every sync to the shell's ScheduleSync.
    let core = Arc::new(
        Runsheet::open(Config {
            db_path: opts.db.clone(),
            db_key,
            server_url: opts.server.clone(),
            token: Token::new(opts.token.clone()),
            clock: Arc::new(SystemClock),
        })
        .map_err(|e| e.to_string())?,
    );
    core.start_auto_sync(AutoSyncPolicy::default())
        .map_err(|e| e.to_string())?;
    let app = CourierApp::new(core.clone(), &opts.locale, true).map_err(|e| e.to_string())?;
    let files = opts.db.with_extension("files");
    let location = LocationSource::new(Arc::new(WallPace), true);
    let mut shell = Shell::new(app, runtime.handle().clone(), files, location);
    let first = core.clone();
    runtime.spawn(async move {
        if let Err(e) = first.sync().await {
            tracing::info!(error = %e, "first sync did not complete");
        }
    });
    let mut terminal = ratatui::try_init().map_err(|e| e.to_string())?;
    let result = run_loop(&mut terminal, &mut shell, keys());
    ratatui::restore();
    core.stop_auto_sync();
    result.map(|_| ()).map_err(|e| e.to_string())
}

/// The terminal's key presses; a `Null` key every half second (or when the terminal
/// resizes) so the loop redraws for what changed meanwhile (a sync, the time).
fn keys() -> impl Iterator<Item = KeyEvent> {
    let mut last_refresh = Instant::now();
    std::iter::from_fn(move || loop {
        let tick = KeyEvent::from(KeyCode::Null);
        if last_refresh.elapsed() >= REFRESH_EVERY {
            last_refresh = Instant::now();
            return Some(KeyEvent::from(KeyCode::Char('r')));
        }
        match event::poll(Duration::from_millis(500)) {
            Ok(false) => return Some(tick),
            Ok(true) => match event::read() {
                Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => return Some(k),
                Ok(Event::Resize(..)) => return Some(tick),
                Ok(_) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "the terminal could not be read");
                    return None;
                }
            },
            Err(e) => {
                tracing::error!(error = %e, "the terminal could not be read");
                return None;
            }
        }
    })
}
