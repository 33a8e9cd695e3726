//! `runsheet`: the courier core's command line.
//!
//! - `runsheet app`: the courier app in a terminal, against a dispatch server.
//! - `runsheet demo`: a courier shift against an embedded reference server, narrated.
//! - `runsheet serve`: the reference dispatch and sync server.
//! - `runsheet qa run PATH...`: QA scenario files against the real core and server.

mod app;
mod demo;
mod loadtest;
mod qa;
mod route;
mod scan;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "runsheet",
    version,
    about = "Runsheet courier core: demo and reference server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The courier app in a terminal: the core's screens in zh-CN or English, against a
    /// dispatch server (keys: an offer's number and Enter; n next stop; r refresh; q quit).
    App(app::Options),
    /// Run a narrated courier shift against an embedded server on loopback (no set-up).
    Demo {
        /// The language of the screens the demo narrates: `en` or `zh-CN`.
        #[arg(long, default_value = "en")]
        locale: String,
    },
    /// Headless QA: run scenario files against the real core and server on loopback.
    Qa {
        #[command(subcommand)]
        command: QaCommand,
    },
    /// Coordinates: convert between WGS-84, GCJ-02 and BD-09.
    Geo {
        #[command(subcommand)]
        command: GeoCommand,
    },
    /// Barcodes: what the core reads in a scan.
    Scan {
        #[command(subcommand)]
        command: ScanCommand,
    },
    /// Stop sequencing on runsheet-route-v1 instances.
    Route {
        #[command(subcommand)]
        command: RouteCommand,
    },
    /// Benchmark: N couriers, each with its own core, against server replicas sharing one
    /// PostgreSQL; prints throughput, latencies, notification delay and a pgbench baseline.
    Loadtest(loadtest::Options),
    /// Run the reference dispatch and sync server (one replica), as the `runsheet-server`
    /// binary does. Every flag can also be set by its environment variable.
    Serve(runsheet_server::launch::Args),
}

#[derive(Subcommand)]
enum GeoCommand {
    /// Print {"lat":..,"lon":..} of a point converted from one datum to another.
    Convert {
        /// wgs84, gcj02 or bd09.
        #[arg(long)]
        from: String,
        /// wgs84, gcj02 or bd09.
        #[arg(long)]
        to: String,
        /// Latitude, degrees.
        #[arg(allow_hyphen_values = true)]
        lat: f64,
        /// Longitude, degrees.
        #[arg(allow_hyphen_values = true)]
        lon: f64,
    },
}

#[derive(Subcommand)]
enum ScanCommand {
    /// Print one JSON object: {"ok":true,"kind":..,"gtin":..,"expiry":..,"expired":..} with the
    /// fields present, or {"ok":false,"code":..,"message":..}. Exit 0 when it parsed, 1 when not.
    Parse {
        /// The date expiry is judged against (and the century window of two-digit years):
        /// YYYY-MM-DD; default: today.
        #[arg(long)]
        today: Option<String>,
        /// The scanner's text (GS1 element strings may hold GS, ASCII 29, as FNC1).
        #[arg(allow_hyphen_values = true)]
        raw: String,
    },
}

#[derive(Subcommand)]
enum RouteCommand {
    /// Print the best visiting order found for an instance, as {"instance", "sequence"}.
    Plan {
        /// A runsheet-route-v1 instance (JSON).
        instance: PathBuf,
    },
    /// Solve every instance of a folder and compare with its reference.json.
    Bench {
        /// Folder of instances (e.g. ../shared/bench/route/public).
        dir: PathBuf,
        /// Also write each solution to this folder.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum QaCommand {
    /// Run scenario files or folders of them (*.toml); see docs/scenarios.md.
    Run {
        /// Scenario files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Write a JUnit XML report here.
        #[arg(long)]
        junit: Option<PathBuf>,
        /// Use this seed for every scenario instead of each file's own.
        #[arg(long)]
        seed: Option<u64>,
        /// How many scenarios run at once.
        #[arg(long, default_value_t = 2)]
        jobs: usize,
        /// Run each scenario's server on a fresh database of this PostgreSQL server (a role that
        /// may create databases) instead of a SQLite file.
        #[arg(long, env = "RUNSHEET_QA_POSTGRES", hide_env_values = true)]
        postgres: Option<String>,
    },
}

/// The allocator, as `runsheet-server`'s (`runsheet serve` and the load test's replicas are the
/// same server): see server/src/main.rs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The demo and QA runs provoke failures on purpose; their output says what matters, so the
    // core's own warnings stay out of it unless RUST_LOG asks for them.
    let default_level = match cli.command {
        Command::Qa { .. } | Command::Demo { .. } => "error",
        // The terminal is the app's screen: log lines would tear it.
        Command::App(_) => "off",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level)),
        )
        .init();
    match cli.command {
        Command::App(opts) => app::run(opts),
        Command::Demo { locale } => demo::run(&locale),
        Command::Loadtest(opts) => loadtest::run(opts),
        Command::Geo {
            command: GeoCommand::Convert { from, to, lat, lon },
        } => geo_convert(&from, &to, lat, lon),
        Command::Scan {
            command: ScanCommand::Parse { today, raw },
        } => scan::parse(today.as_deref(), &raw),
        Command::Route {
            command: RouteCommand::Plan { instance },
        } => route::plan_file(&instance),
        Command::Route {
            command: RouteCommand::Bench { dir, out },
        } => route::bench(&dir, out.as_ref()),
        Command::Qa {
            command:
                QaCommand::Run {
                    paths,
                    junit,
                    seed,
                    jobs,
                    postgres,
                },
        } => qa::run(qa::QaRun {
            paths,
            junit,
            seed,
            jobs,
            store: match postgres {
                Some(admin_url) => runsheet_tests::Store::Postgres { admin_url },
                None => runsheet_tests::Store::Sqlite,
            },
        }),
        Command::Serve(args) => runsheet_server::launch::run(args),
    }
}

fn geo_convert(from: &str, to: &str, lat: f64, lon: f64) -> ExitCode {
    use runsheet_route::datum::{convert, Datum};
    let (Some(f), Some(t)) = (Datum::parse(from), Datum::parse(to)) else {
        eprintln!("runsheet geo convert: datums are wgs84, gcj02 or bd09");
        return ExitCode::from(2);
    };
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        eprintln!("runsheet geo convert: latitude must be -90..90 and longitude -180..180");
        return ExitCode::from(2);
    }
    let (la, lo) = convert(lat, lon, f, t);
    println!("{}", serde_json::json!({ "lat": la, "lon": lo }));
    ExitCode::SUCCESS
}
