//! Shared pieces of the end-to-end tests: a reference server that can be killed and restarted
//! on the same address and database, a dispatcher, and couriers' cores opened through the same
//! API the shells use (`runsheet_ffi`).

#![deny(missing_docs)]

pub mod faults;
pub mod qa;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use runsheet_ffi::{open_runsheet, Runsheet, RunsheetConfig, TaskListUpdate, TaskListener};
use runsheet_protocol::{StopDoc, TaskKind};
use runsheet_server::{DbConfig, Dispatcher, RunningServer, ServerConfig};

/// The admin token of test servers.
pub const ADMIN: &str = "e2e-admin";

/// Which store a world's server runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    /// A SQLite file in the world's folder (the default).
    Sqlite,
    /// A fresh database on this PostgreSQL server (a role that may create databases).
    Postgres {
        /// `postgres://user@host:port/db`.
        admin_url: String,
    },
}

/// A server on loopback with its own temporary folder, restartable on the same port.
pub struct World {
    /// Temporary folder holding the server's and the couriers' databases.
    pub dir: tempfile::TempDir,
    config: ServerConfig,
    server: Option<RunningServer>,
    /// The dispatcher's client.
    pub dispatch: Dispatcher,
}

impl World {
    /// Starts a fresh server on the system clock.
    pub fn new() -> Self {
        Self::with_clock(None)
    }

    /// Starts a fresh server that reads `clock` (the QA harness's virtual time).
    pub fn with_clock(clock: Option<Arc<std::sync::atomic::AtomicI64>>) -> Self {
        Self::on_store(clock, &Store::Sqlite)
    }

    /// Starts a fresh server on `store` (a new database of its own either way).
    pub fn on_store(clock: Option<Arc<std::sync::atomic::AtomicI64>>, store: &Store) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = match store {
            Store::Sqlite => DbConfig::Sqlite(dir.path().join("server.db")),
            Store::Postgres { admin_url } => {
                // The PostgreSQL client blocks on a runtime of its own: a thread of its own.
                let admin = admin_url.clone();
                let name = format!(
                    "rs_world_{}",
                    uuid::Uuid::new_v4()
                        .simple()
                        .to_string()
                        .get(..12)
                        .unwrap_or("0")
                );
                let url =
                    std::thread::spawn(move || runsheet_server::db::create_database(&admin, &name))
                        .join()
                        .expect("create database thread")
                        .expect("database created");
                DbConfig::Postgres {
                    url,
                    pool: runsheet_server::PoolLimits::default(),
                }
            }
        };
        let mut config = ServerConfig {
            addr: "127.0.0.1:0".parse().expect("addr"),
            db,
            admin_token: Some(ADMIN.into()),
            clock,
        };
        let server = runsheet_server::start(config.clone()).expect("server starts");
        config.addr = server.addr;
        let dispatch = Dispatcher::new(&server.url(), ADMIN);
        World {
            dir,
            config,
            server: Some(server),
            dispatch,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.config.addr)
    }

    /// Kills the server: every connection is cut, as if the process died.
    pub fn kill_server(&mut self) {
        if let Some(s) = self.server.take() {
            s.kill();
        }
    }

    /// Starts the server again on the same address and database.
    pub fn restart_server(&mut self) {
        self.kill_server();
        self.server = Some(runsheet_server::start(self.config.clone()).expect("server restarts"));
    }

    /// Creates a courier and assigns them parcel tasks with the given ids; returns the token.
    pub async fn courier(&self, id: &str, tasks: &[&str]) -> String {
        let token = self
            .dispatch
            .create_courier(id, "Courier")
            .await
            .expect("courier created");
        for t in tasks {
            self.dispatch
                .assign_task(t, id, TaskKind::Parcel, None, stop("Customer"))
                .await
                .expect("task assigned");
        }
        token
    }

    /// Path of a courier device database in the world's folder.
    pub fn device_db(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("{name}.db"))
    }

    /// Opens (or reopens, after an app kill) a courier's core.
    pub async fn open_core(&self, name: &str, token: &str) -> Arc<Runsheet> {
        self.open_core_via(name, token, &self.url()).await
    }

    /// Opens a courier's core that reaches the server through `url` (a proxy).
    pub async fn open_core_via(&self, name: &str, token: &str, url: &str) -> Arc<Runsheet> {
        let config = RunsheetConfig {
            db_path: self.device_db(name).to_string_lossy().into_owned(),
            db_key: None,
            locale: None,
            server_url: url.into(),
            token: token.into(),
        };
        open_runsheet(config, None).await.expect("core opens")
    }

    /// The server's address.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.config.addr
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

/// Brings parcel tasks to the courier's door: accepts each and confirms the arrival by hand
/// (two actions per task, saved like any other), so `mark_delivered` is the next step.
pub async fn walk_to_door(core: &Runsheet, tasks: &[&str]) {
    for t in tasks {
        core.tasks()
            .accept((*t).into())
            .await
            .expect("task accepted");
        core.tasks()
            .arrive_manually((*t).into(), "test: at the door".into())
            .await
            .expect("arrival confirmed");
    }
}

/// A drop-off stop at a fixed test location.
pub fn stop(name: &str) -> StopDoc {
    StopDoc::new(name, "1 Test Road", 30.27, 120.15)
}

/// The ids one listener update named: (added, updated, removed).
pub type UpdateIds = (Vec<String>, Vec<String>, Vec<String>);

/// A listener that keeps every update it receives.
#[derive(Default)]
pub struct Recorder {
    /// Updates in arrival order.
    pub updates: Mutex<Vec<UpdateIds>>,
}

impl TaskListener for Recorder {
    fn on_update(&self, u: TaskListUpdate) {
        self.updates
            .lock()
            .expect("recorder lock")
            .push((u.added, u.updated, u.removed));
    }
}
