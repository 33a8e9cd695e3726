//! A throwaway PostgreSQL cluster for `cargo xtask test` (its URL goes to the Rust tests in
//! [`ENV_VAR`]), `cargo xtask postgres` (a developer's cluster until Enter or Ctrl-C) and
//! `cargo xtask loadtest` (`runsheet loadtest` against it).
//!
//! The cluster lives in a fresh folder under the temp dir, listens on a free loopback port with
//! trust authentication for the user `runsheet`, and trades durability for speed (`fsync=off`,
//! ...). [`Cluster`] stops it and deletes the folder when dropped, so a failed test run or an
//! xtask error leaves nothing running. While a cluster runs, SIGINT (Ctrl-C), SIGTERM and SIGHUP
//! only set a flag ([`interrupted`]): the children in the foreground (cargo test) still die of
//! Ctrl-C, and the drop runs. A folder left by a killed xtask (SIGKILL) is cleaned up (its server
//! stopped) by the next start.
//!
//! PostgreSQL refuses to run as root: as root, the cluster belongs to the system user
//! `runsheet-pg` (created when absent; `nobody` if that fails) and its programs run through
//! `runuser` (else `setpriv`, else `su`).
//!
//! The binaries: `$RUNSHEET_PG_BINDIR` when set, else the highest `/usr/lib/postgresql/*/bin`,
//! else `pg_config --bindir`, else `initdb` on the PATH. When none is found, the Debian package
//! `postgresql` is installed (and any cluster its install started is stopped).

use std::io::IsTerminal;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::Result;

/// The environment variable that carries the cluster's URL to the Rust tests.
pub const ENV_VAR: &str = "RUNSHEET_TEST_POSTGRES";
/// The variable the test step sets to the URL of a streaming standby of that cluster (the
/// read-replica tests).
pub const STANDBY_ENV_VAR: &str = "RUNSHEET_TEST_POSTGRES_STANDBY";
/// Overrides where the PostgreSQL binaries are looked for (a folder holding `initdb`).
pub const BINDIR_VAR: &str = "RUNSHEET_PG_BINDIR";
/// The database superuser that `initdb` creates, with trust authentication.
pub const DB_USER: &str = "runsheet";
/// The system user that owns the cluster when xtask runs as root.
pub const SERVICE_USER: &str = "runsheet-pg";
/// Folders of throwaway clusters are named `runsheet-pg-<xtask pid>-<unique>`.
const DIR_PREFIX: &str = "runsheet-pg-";

/// The signal that interrupted xtask while a [`Cluster`] was running, if any.
pub fn interrupted() -> Option<i32> {
    sys::signalled()
}

/// The programs of one PostgreSQL installation (`initdb`, `pg_ctl`, `postgres`, `pgbench`...).
#[derive(Clone)]
pub struct Binaries {
    /// The folder that holds them.
    pub dir: PathBuf,
    /// The server version, as `postgres --version` prints it (e.g. `15.18`).
    pub version: String,
}

impl Binaries {
    /// The server option that loads `pg_stat_statements` (PostgreSQL's contrib, in the same
    /// installation: Debian's `postgresql` package ships it), or nothing when this installation
    /// has no such library. `runsheet loadtest` reads it to say where PostgreSQL's time went.
    fn statement_statistics(&self) -> &'static str {
        let lib = self
            .dir
            .parent()
            .map(|d| d.join("lib/pg_stat_statements.so"));
        if lib.is_some_and(|l| l.is_file()) {
            " -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
        } else {
            ""
        }
    }

    /// Finds an installation ([`Binaries::find`]); when there is none, installs the Debian
    /// package `postgresql` and looks again.
    pub fn find_or_install() -> Result<Binaries> {
        if let Some(b) = Self::find() {
            return Ok(b);
        }
        if let Some(dir) = std::env::var_os(BINDIR_VAR) {
            return Err(format!(
                "{BINDIR_VAR}={}: no initdb, pg_ctl and postgres there",
                Path::new(&dir).display()
            ));
        }
        if !crate::have("apt-get") {
            return Err(format!(
                "the PostgreSQL server binaries (initdb, pg_ctl, postgres) are not installed: \
                 install PostgreSQL, set {BINDIR_VAR}, or pass --no-postgres"
            ));
        }
        println!("PostgreSQL server binaries not found: installing the Debian package postgresql");
        crate::apt_install(&["postgresql"])?;
        stop_clusters_started_by_apt();
        Self::find().ok_or_else(|| {
            "the Debian package postgresql is installed but initdb/pg_ctl/postgres are still \
             not found"
                .into()
        })
    }

    /// Finds an installation without installing anything: `$RUNSHEET_PG_BINDIR` if set (and
    /// nothing else), else the highest `/usr/lib/postgresql/*/bin`, else `pg_config --bindir`,
    /// else the folder of `initdb` on the PATH.
    pub fn find() -> Option<Binaries> {
        if let Some(dir) = std::env::var_os(BINDIR_VAR) {
            return Self::at(Path::new(&dir));
        }
        let mut candidates: Vec<PathBuf> = Vec::new();
        let mut versioned: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let version: Option<Vec<u32>> = name.split('.').map(|p| p.parse().ok()).collect();
                version.map(|v| (v, e.path().join("bin")))
            })
            .collect();
        versioned.sort();
        candidates.extend(versioned.into_iter().rev().map(|(_, dir)| dir));
        if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
            if out.status.success() {
                let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
                candidates.push(PathBuf::from(dir));
            }
        }
        if let Some(dir) = find_program("initdb").and_then(|p| p.parent().map(Path::to_path_buf)) {
            candidates.push(dir);
        }
        candidates.iter().find_map(|dir| Self::at(dir))
    }

    fn at(dir: &Path) -> Option<Binaries> {
        if !["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|p| dir.join(p).is_file())
        {
            return None;
        }
        let out = Command::new(dir.join("postgres"))
            .arg("--version")
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let version = text
            .split("(PostgreSQL)")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .unwrap_or("(unknown version)")
            .to_string();
        Some(Binaries {
            dir: dir.to_path_buf(),
            version,
        })
    }

    /// The path of the program `name` (`pgbench`, `psql`...) in [`Binaries::dir`].
    pub fn program(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// The postinst of the Debian package creates a `main` cluster and may start it: stop it, the
/// tests use their own cluster and nothing should be left running.
fn stop_clusters_started_by_apt() {
    let Ok(out) = Command::new("pg_lsclusters").arg("--no-header").output() else {
        return;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() >= 4 && f[3] == "online" {
            println!(
                "stopping the cluster {} {} that the package install started",
                f[0], f[1]
            );
            let _ = Command::new("pg_ctlcluster")
                .args([f[0], f[1], "stop"])
                .status();
        }
    }
}

/// A running throwaway cluster. Dropping it (or [`Cluster::stop`]) stops the server and deletes
/// its folder.
pub struct Cluster {
    bins: Binaries,
    base: PathBuf,
    data: PathBuf,
    log: PathBuf,
    port: u16,
    url: String,
    runner: Runner,
    /// Who owns the cluster's folders (the service user, when xtask is root).
    owner: Option<(u32, u32)>,
    /// A streaming standby of this cluster, stopped before it.
    standby: Option<Box<Cluster>>,
    /// This is a standby of another cluster (which owns the process-wide settings).
    is_standby: bool,
    started: bool,
    done: bool,
    // Dropped after `Drop::drop` has stopped the server: Ctrl-C is only a flag until then.
    _signals: sys::SignalGuard,
}

impl Cluster {
    /// Finds (or installs) PostgreSQL, creates a cluster in a fresh temp folder and starts it on
    /// a free port of 127.0.0.1; returns once it accepts connections. Prints one line.
    pub fn start() -> Result<Cluster> {
        let bins = Binaries::find_or_install()?;
        let signals = sys::SignalGuard::install();
        let root = sys::is_root();
        let (runner, owner) = if root {
            let (name, uid, gid) = service_user()?;
            (Runner::for_user(&name, uid, gid)?, Some((uid, gid)))
        } else {
            (Runner::Direct, None)
        };
        let parent = temp_parent(root);
        remove_stale(&parent);
        let base = create_unique_dir(&parent)?;
        let mut cluster = Cluster {
            bins,
            data: base.join("data"),
            log: base.join("postgres.log"),
            base,
            port: 0,
            url: String::new(),
            runner,
            owner,
            standby: None,
            is_standby: false,
            started: false,
            done: false,
            _signals: signals,
        };
        // From here on, an error drops `cluster`, which removes the folder (and any server).
        sys::set_subreaper(true);
        if let Some((uid, gid)) = owner {
            sys::chown(&cluster.base, uid, gid)
                .map_err(|e| format!("chown {}: {e}", cluster.base.display()))?;
        }
        cluster.initdb()?;
        let mut attempts = 0;
        loop {
            check_interrupted()?;
            attempts += 1;
            match cluster.pg_ctl_start(free_port()?) {
                Ok(()) => break,
                Err(e) => {
                    cluster.stop_server();
                    let log = std::fs::read_to_string(&cluster.log).unwrap_or_default();
                    // The free port can be taken between finding it and the server binding it.
                    if attempts < 3 && log.contains("Address already in use") {
                        let _ = std::fs::remove_file(&cluster.log);
                        continue;
                    }
                    return Err(e);
                }
            }
        }
        cluster.started = true;
        wait_for_tcp(cluster.port, Duration::from_secs(15))?;
        check_interrupted()?;
        cluster.url = format!("postgres://{DB_USER}@127.0.0.1:{}/postgres", cluster.port);
        println!(
            "==> PostgreSQL {} throwaway cluster on 127.0.0.1:{} ({})",
            cluster.bins.version,
            cluster.port,
            cluster.base.display()
        );
        Ok(cluster)
    }

    /// Starts a streaming standby of this cluster (a read-only replica: `pg_basebackup -R`
    /// into a folder of its own, then a server on another free loopback port) and returns its
    /// URL (`postgres://runsheet@127.0.0.1:PORT/postgres`; the primary's databases appear there
    /// as they are created). It is stopped, and its folder deleted, before this cluster.
    pub fn start_standby(&mut self) -> Result<String> {
        let parent = self
            .base
            .parent()
            .map(Path::to_path_buf)
            .ok_or("the cluster's folder has no parent")?;
        let base = create_unique_dir(&parent)?;
        let mut standby = Cluster {
            bins: self.bins.clone(),
            data: base.join("data"),
            log: base.join("postgres.log"),
            base,
            port: 0,
            url: String::new(),
            runner: self.runner.clone(),
            owner: self.owner,
            standby: None,
            is_standby: true,
            started: false,
            done: false,
            _signals: sys::SignalGuard::install(),
        };
        if let Some((uid, gid)) = self.owner {
            sys::chown(&standby.base, uid, gid)
                .map_err(|e| format!("chown {}: {e}", standby.base.display()))?;
        }
        let args = [
            "-D".to_string(),
            path_arg(&standby.data)?,
            "-d".into(),
            format!("host=127.0.0.1 port={} user={DB_USER}", self.port),
            "-R".into(),
            "-X".into(),
            "stream".into(),
            "-c".into(),
            "fast".into(),
            "--no-sync".into(),
        ];
        quiet(
            "pg_basebackup",
            standby
                .runner
                .command(&standby.bins.program("pg_basebackup"), &args)
                .current_dir(&standby.base),
        )?;
        let mut attempts = 0;
        loop {
            check_interrupted()?;
            attempts += 1;
            match standby.pg_ctl_start(free_port()?) {
                Ok(()) => break,
                Err(e) => {
                    standby.stop_server();
                    let log = std::fs::read_to_string(&standby.log).unwrap_or_default();
                    if attempts < 3 && log.contains("Address already in use") {
                        let _ = std::fs::remove_file(&standby.log);
                        continue;
                    }
                    return Err(e);
                }
            }
        }
        standby.started = true;
        wait_for_tcp(standby.port, Duration::from_secs(15))?;
        standby.url = format!("postgres://{DB_USER}@127.0.0.1:{}/postgres", standby.port);
        println!(
            "==> PostgreSQL streaming standby of 127.0.0.1:{} on 127.0.0.1:{}",
            self.port, standby.port
        );
        let url = standby.url.clone();
        self.standby = Some(Box::new(standby));
        Ok(url)
    }

    /// `postgres://runsheet@127.0.0.1:PORT/postgres`: trust authentication, no password.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The installation the cluster runs from (for `pgbench`, `psql`...).
    pub fn binaries(&self) -> &Binaries {
        &self.bins
    }

    /// Stops the server and deletes the folder now (what dropping does). Prints one line.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn initdb(&self) -> Result<()> {
        let args = [
            "-D".to_string(),
            path_arg(&self.data)?,
            "-U".into(),
            DB_USER.into(),
            "--auth=trust".into(),
            "-E".into(),
            "UTF8".into(),
            "--no-locale".into(),
            "--no-sync".into(),
        ];
        quiet(
            "initdb",
            self.runner
                .command(&self.bins.program("initdb"), &args)
                .current_dir(&self.base),
        )
        .map(drop)
    }

    fn pg_ctl_start(&mut self, port: u16) -> Result<()> {
        self.port = port;
        let options = format!(
            "-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={} \
             -c max_connections=300 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c shared_buffers=128MB{}",
            sh_quote(&path_arg(&self.base)?),
            self.bins.statement_statistics()
        );
        let args = [
            "-D".to_string(),
            path_arg(&self.data)?,
            "-l".into(),
            path_arg(&self.log)?,
            "-w".into(),
            "-t".into(),
            "60".into(),
            "-o".into(),
            options,
            "start".into(),
        ];
        quiet(
            "pg_ctl start",
            self.runner
                .command(&self.bins.program("pg_ctl"), &args)
                .current_dir(&self.base),
        )
        .map(drop)
        .map_err(|e| format!("{e}\n{}", log_tail(&self.log)))
    }

    /// Stops the server if it runs: `pg_ctl stop -m fast`, else `-m immediate`, else SIGKILL.
    /// False when it had to be killed.
    fn stop_server(&self) -> bool {
        let pidfile = self.data.join("postmaster.pid");
        if !pidfile.exists() {
            return true;
        }
        let postmaster = postmaster_pid(&self.data);
        for mode in ["fast", "immediate"] {
            let data = self.data.to_string_lossy();
            let args = ["-D", &data, "-m", mode, "-w", "-t", "30", "stop"].map(String::from);
            let stopped = quiet(
                &format!("pg_ctl stop -m {mode}"),
                self.runner
                    .command(&self.bins.program("pg_ctl"), &args)
                    .current_dir(&self.base),
            );
            match stopped {
                Ok(_) if !pidfile.exists() => {
                    if let Some(pid) = postmaster {
                        wait_gone(pid, Duration::from_secs(10));
                    }
                    return true;
                }
                Ok(_) => {}
                Err(e) => eprintln!("xtask: {e}"),
            }
        }
        if let Some(pid) = postmaster.or_else(|| postmaster_pid(&self.data)) {
            eprintln!("xtask: killing the postmaster {pid}");
            sys::send_signal(pid, sys::SIGKILL);
            wait_gone(pid, Duration::from_secs(10));
        }
        false
    }

    fn shutdown(&mut self) {
        if self.done {
            return;
        }
        if self.is_standby {
            self.shutdown_standby();
            return;
        }
        self.done = true;
        if let Some(mut standby) = self.standby.take() {
            standby.shutdown_standby();
        }
        let clean = self.stop_server();
        sys::set_subreaper(false);
        if let Err(e) = std::fs::remove_dir_all(&self.base) {
            if e.kind() != std::io::ErrorKind::NotFound {
                eprintln!("xtask: cannot remove {}: {e}", self.base.display());
            }
        }
        if self.started {
            println!(
                "==> PostgreSQL throwaway cluster on 127.0.0.1:{} {}",
                self.port,
                if clean { "stopped" } else { "killed" }
            );
        }
    }
}

impl Cluster {
    /// A standby's shutdown: its server and folder (the primary keeps the subreaper setting).
    fn shutdown_standby(&mut self) {
        self.done = true;
        let clean = self.stop_server();
        if let Err(e) = std::fs::remove_dir_all(&self.base) {
            if e.kind() != std::io::ErrorKind::NotFound {
                eprintln!("xtask: cannot remove {}: {e}", self.base.display());
            }
        }
        if self.started {
            println!(
                "==> PostgreSQL standby on 127.0.0.1:{} {}",
                self.port,
                if clean { "stopped" } else { "killed" }
            );
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn check_interrupted() -> Result<()> {
    match interrupted() {
        Some(sig) => Err(format!("interrupted (signal {sig})")),
        None => Ok(()),
    }
}

/// `cargo xtask postgres [--standby]`: starts a cluster (and, with `--standby`, a streaming
/// standby of it), prints its URL and keeps it running until Enter
/// (when stdin is a terminal), Ctrl-C, SIGTERM or SIGHUP; then stops it.
pub fn serve(standby: bool) -> Result<()> {
    let mut cluster = Cluster::start()?;
    println!("{}", cluster.url());
    println!("  export {ENV_VAR}={}", cluster.url());
    if standby {
        let url = cluster.start_standby()?;
        println!("  export {STANDBY_ENV_VAR}={url}");
    }
    println!(
        "  psql {}   (pgbench: {})",
        cluster.url(),
        cluster.binaries().program("pgbench").display()
    );
    let stdin = std::io::stdin();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    if stdin.is_terminal() {
        println!("press Enter or Ctrl-C to stop it");
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = stdin.read_line(&mut line);
            let _ = tx.send(());
        });
    } else {
        println!(
            "stdin is not a terminal: send SIGINT or SIGTERM to process {} to stop it",
            std::process::id()
        );
        // Keep the sender alive so the receiver only times out.
        std::mem::forget(tx);
    }
    while interrupted().is_none() {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            _ => break,
        }
    }
    cluster.stop();
    Ok(())
}

/// `cargo xtask loadtest [ARGS...]`: builds `runsheet` (release), starts a cluster and runs
/// `cargo run --release -p runsheet-cli --bin runsheet -- loadtest --postgres URL --pgbench
/// PGBENCH ARGS...`, then stops the cluster.
pub fn loadtest(args: &[String]) -> Result<()> {
    crate::run(
        "build runsheet (release)",
        crate::cargo().args([
            "build",
            "--release",
            "-p",
            "runsheet-cli",
            "--bin",
            "runsheet",
        ]),
    )?;
    let cluster = Cluster::start()?;
    let pgbench = cluster.binaries().program("pgbench");
    if !pgbench.is_file() {
        return Err(format!("{}: not found", pgbench.display()));
    }
    let result = crate::run(
        "runsheet loadtest",
        crate::cargo()
            .args([
                "run",
                "--release",
                "-p",
                "runsheet-cli",
                "--bin",
                "runsheet",
            ])
            .args(["--", "loadtest", "--postgres", cluster.url(), "--pgbench"])
            .arg(&pgbench)
            .args(args),
    );
    cluster.stop();
    check_interrupted()?;
    result
}

/// How the cluster's programs are run: directly, or as the service user when xtask is root.
#[derive(Clone)]
enum Runner {
    Direct,
    Runuser(PathBuf, String),
    Setpriv(PathBuf, u32, u32),
    Su(PathBuf, String),
}

impl Runner {
    fn for_user(name: &str, uid: u32, gid: u32) -> Result<Runner> {
        if let Some(p) = find_program("runuser") {
            Ok(Runner::Runuser(p, name.into()))
        } else if let Some(p) = find_program("setpriv") {
            Ok(Runner::Setpriv(p, uid, gid))
        } else if let Some(p) = find_program("su") {
            Ok(Runner::Su(p, name.into()))
        } else {
            Err(format!(
                "running as root, and none of runuser, setpriv, su is there to run PostgreSQL \
                 as {name}"
            ))
        }
    }

    /// `program args`, as the service user, with stdin closed and in its own process group
    /// (so that Ctrl-C on the terminal does not kill a `pg_ctl stop` half-way).
    fn command(&self, program: &Path, args: &[String]) -> Command {
        let mut c = match self {
            Runner::Direct => {
                let mut c = Command::new(program);
                c.args(args);
                c
            }
            Runner::Runuser(runuser, user) => {
                let mut c = Command::new(runuser);
                c.args(["-u", user, "--"]).arg(program).args(args);
                c
            }
            Runner::Setpriv(setpriv, uid, gid) => {
                let mut c = Command::new(setpriv);
                c.arg(format!("--reuid={uid}"))
                    .arg(format!("--regid={gid}"))
                    .args(["--clear-groups", "--"])
                    .arg(program)
                    .args(args);
                c
            }
            Runner::Su(su, user) => {
                let mut line = sh_quote(&program.to_string_lossy());
                for a in args {
                    line.push(' ');
                    line.push_str(&sh_quote(a));
                }
                let mut c = Command::new(su);
                c.args(["-s", "/bin/sh", user, "-c", &line]);
                c
            }
        };
        c.stdin(Stdio::null());
        sys::own_process_group(&mut c);
        c
    }
}

/// The system user for the cluster when xtask is root: `runsheet-pg` (created when absent),
/// else `nobody`. Returns its name, uid and gid.
fn service_user() -> Result<(String, u32, u32)> {
    if user_ids(SERVICE_USER).is_none() {
        let useradd = find_program("useradd").unwrap_or_else(|| "useradd".into());
        let _ = Command::new(useradd)
            .args([
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SERVICE_USER,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    for user in [SERVICE_USER, "nobody"] {
        if let Some((uid, gid)) = user_ids(user) {
            return Ok((user.to_string(), uid, gid));
        }
    }
    Err(format!(
        "running as root, and neither the user {SERVICE_USER} (useradd failed) nor nobody \
         exists to run PostgreSQL"
    ))
}

fn user_ids(user: &str) -> Option<(u32, u32)> {
    let id = |flag: &str| -> Option<u32> {
        let out = Command::new("id").args([flag, user]).output().ok()?;
        if !out.status.success() {
            return None;
        }
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    };
    Some((id("-u")?, id("-g")?))
}

/// The temp dir; as root, `/tmp` when the service user could not reach into the temp dir.
fn temp_parent(root: bool) -> PathBuf {
    let dir = std::env::temp_dir();
    if root && !sys::world_traversable(&dir) {
        PathBuf::from("/tmp")
    } else {
        dir
    }
}

fn create_unique_dir(parent: &Path) -> Result<PathBuf> {
    let pid = std::process::id();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    for n in 0..100 {
        let dir = parent.join(format!("{DIR_PREFIX}{pid}-{nanos:09}{n}"));
        match sys::create_private_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("create {}: {e}", dir.display())),
        }
    }
    Err(format!(
        "cannot create a fresh folder in {}",
        parent.display()
    ))
}

/// Removes the folders (and stops the servers) of throwaway clusters whose xtask is gone.
fn remove_stale(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(owner) = name
            .strip_prefix(DIR_PREFIX)
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<i32>().ok())
        else {
            continue;
        };
        if !entry.file_type().is_ok_and(|t| t.is_dir()) || sys::alive(owner) {
            continue;
        }
        let path = entry.path();
        if let Some(pid) = postmaster_pid(&path.join("data")) {
            if sys::is_postgres(pid) {
                sys::send_signal(pid, sys::SIGQUIT);
                wait_gone(pid, Duration::from_secs(10));
            }
        }
        if std::fs::remove_dir_all(&path).is_ok() {
            println!(
                "removed a throwaway cluster left behind by process {owner}: {}",
                path.display()
            );
        }
    }
}

fn postmaster_pid(data: &Path) -> Option<i32> {
    std::fs::read_to_string(data.join("postmaster.pid"))
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

/// Waits until `pid` has exited (and collects it if it is a child of xtask).
fn wait_gone(pid: i32, timeout: Duration) {
    let start = Instant::now();
    loop {
        sys::reap(pid);
        if !sys::alive(pid) || start.elapsed() > timeout {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| format!("find a free port on 127.0.0.1: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

fn wait_for_tcp(port: u16, timeout: Duration) -> Result<()> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let start = Instant::now();
    loop {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
            Ok(_) => return Ok(()),
            Err(e) if start.elapsed() > timeout => {
                return Err(format!(
                    "PostgreSQL does not accept connections on {addr}: {e}"
                ))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// Runs `cmd` with its output captured; on failure, the error carries that output.
fn quiet(what: &str, cmd: &mut Command) -> Result<String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!("{what}: {}\n{}", out.status, text.trim_end()))
    }
}

fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(20)..].join("\n");
    format!("{} (last lines):\n{tail}", log.display())
}

fn path_arg(p: &Path) -> Result<String> {
    p.to_str()
        .map(str::to_string)
        .ok_or_else(|| format!("{}: not UTF-8", p.display()))
}

fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `name` on the PATH or in the sbin folders (which a non-login root shell may lack).
fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

#[cfg(unix)]
mod sys {
    use std::ffi::c_int;
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    use std::os::unix::process::CommandExt;
    use std::path::Path;
    use std::process::Command;
    use std::sync::atomic::{AtomicI32, Ordering};

    pub const SIGHUP: c_int = 1;
    pub const SIGINT: c_int = 2;
    pub const SIGQUIT: c_int = 3;
    pub const SIGKILL: c_int = 9;
    pub const SIGTERM: c_int = 15;
    const SIG_DFL: usize = 0;
    const SIG_IGN: usize = 1;
    const SIG_ERR: usize = usize::MAX;
    const ESRCH: i32 = 3;

    const WNOHANG: c_int = 1;

    extern "C" {
        fn signal(signum: c_int, handler: usize) -> usize;
        fn kill(pid: c_int, sig: c_int) -> c_int;
        fn geteuid() -> u32;
        fn waitpid(pid: c_int, status: *mut c_int, options: c_int) -> c_int;
        #[cfg(target_os = "linux")]
        fn prctl(option: c_int, ...) -> c_int;
    }

    static SIGNAL: AtomicI32 = AtomicI32::new(0);

    extern "C" fn on_signal(sig: c_int) {
        SIGNAL.store(sig, Ordering::SeqCst);
    }

    pub fn signalled() -> Option<i32> {
        match SIGNAL.load(Ordering::SeqCst) {
            0 => None,
            sig => Some(sig),
        }
    }

    /// While alive, SIGINT, SIGTERM and SIGHUP set a flag instead of killing xtask (signals
    /// that were ignored stay ignored); dropping it restores the previous handlers. A handler,
    /// unlike SIG_IGN, is reset by exec: children still die of Ctrl-C.
    pub struct SignalGuard {
        previous: Vec<(c_int, usize)>,
    }

    impl SignalGuard {
        pub fn install() -> SignalGuard {
            SIGNAL.store(0, Ordering::SeqCst);
            let handler = on_signal as extern "C" fn(c_int) as usize;
            let mut previous = Vec::new();
            for sig in [SIGINT, SIGTERM, SIGHUP] {
                // SAFETY: the handler only stores into an atomic (async-signal-safe).
                let old = unsafe { signal(sig, handler) };
                if old == SIG_IGN {
                    // SAFETY: restores the disposition it had.
                    unsafe { signal(sig, SIG_IGN) };
                } else if old != SIG_ERR {
                    previous.push((sig, old));
                }
            }
            SignalGuard { previous }
        }
    }

    impl Drop for SignalGuard {
        fn drop(&mut self) {
            for &(sig, old) in self.previous.iter().rev() {
                // SAFETY: restores the disposition returned by `signal` (a handler or SIG_DFL).
                unsafe { signal(sig, if old == SIG_ERR { SIG_DFL } else { old }) };
            }
        }
    }

    pub fn is_root() -> bool {
        // SAFETY: no arguments, cannot fail.
        unsafe { geteuid() == 0 }
    }

    pub fn send_signal(pid: i32, sig: c_int) {
        if pid > 0 {
            // SAFETY: plain system call; a positive pid names one process.
            unsafe { kill(pid, sig) };
        }
    }

    /// While on, orphaned descendants (the postmaster, once `pg_ctl` exits) become children of
    /// xtask, so that [`reap`] collects them instead of leaving zombies to an init that may not
    /// reap. Linux only.
    pub fn set_subreaper(on: bool) {
        #[cfg(target_os = "linux")]
        {
            const PR_SET_CHILD_SUBREAPER: c_int = 36;
            // SAFETY: plain system call with an integer argument.
            unsafe { prctl(PR_SET_CHILD_SUBREAPER, std::ffi::c_ulong::from(on)) };
        }
        #[cfg(not(target_os = "linux"))]
        let _ = on;
    }

    /// Collects `pid` if it is a child of xtask that has exited.
    pub fn reap(pid: i32) {
        if pid > 0 {
            let mut status: c_int = 0;
            // SAFETY: `status` is a valid out-pointer; WNOHANG never blocks.
            unsafe { waitpid(pid, &mut status, WNOHANG) };
        }
    }

    /// True unless the process surely does not exist or is a zombie (EPERM counts as alive).
    pub fn alive(pid: i32) -> bool {
        if pid <= 0 {
            return false;
        }
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // `pid (comm) STATE ...`: the state follows the last `)`.
            if stat
                .rsplit(')')
                .next()
                .map(str::trim_start)
                .is_some_and(|s| s.starts_with('Z'))
            {
                return false;
            }
        }
        // SAFETY: signal 0 only checks existence and permission.
        let r = unsafe { kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(ESRCH)
    }

    /// True when `pid` is a PostgreSQL server process (checked on Linux; elsewhere false, so
    /// an unverifiable pid is left alone).
    pub fn is_postgres(pid: i32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .is_ok_and(|c| c.trim() == "postgres" || c.trim() == "postmaster")
    }

    pub fn own_process_group(cmd: &mut Command) {
        cmd.process_group(0);
    }

    pub fn chown(path: &Path, uid: u32, gid: u32) -> std::io::Result<()> {
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
    }

    pub fn create_private_dir(path: &Path) -> std::io::Result<()> {
        std::fs::DirBuilder::new().mode(0o700).create(path)
    }

    /// Every folder from `/` down to `path` lets others through (o+x).
    pub fn world_traversable(path: &Path) -> bool {
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        path.ancestors()
            .all(|p| std::fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o001 != 0))
    }
}

/// Not Unix: no signals, no root, no other users (xtask's PostgreSQL support targets Unix).
#[cfg(not(unix))]
mod sys {
    use std::path::Path;
    use std::process::Command;

    pub const SIGQUIT: i32 = 3;
    pub const SIGKILL: i32 = 9;

    pub fn signalled() -> Option<i32> {
        None
    }

    pub struct SignalGuard;

    impl SignalGuard {
        pub fn install() -> SignalGuard {
            SignalGuard
        }
    }

    pub fn is_root() -> bool {
        false
    }

    pub fn set_subreaper(_on: bool) {}

    pub fn reap(_pid: i32) {}

    pub fn send_signal(_pid: i32, _sig: i32) {}

    pub fn alive(_pid: i32) -> bool {
        true
    }

    pub fn is_postgres(_pid: i32) -> bool {
        false
    }

    pub fn own_process_group(_cmd: &mut Command) {}

    pub fn chown(_path: &Path, _uid: u32, _gid: u32) -> std::io::Result<()> {
        Err(std::io::Error::other("chown is Unix-only"))
    }

    pub fn create_private_dir(path: &Path) -> std::io::Result<()> {
        std::fs::create_dir(path)
    }

    pub fn world_traversable(_path: &Path) -> bool {
        true
    }
}
