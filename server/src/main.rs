//! `runsheet-server`: the reference dispatch and sync server, one replica per process, with
//! nothing else in the binary. Flags and environment variables: see [`runsheet_server::launch`].

use std::process::ExitCode;

use clap::Parser;

/// Runsheet's reference dispatch and sync server (one replica).
#[derive(Parser)]
#[command(name = "runsheet-server", version)]
struct Cli {
    #[command(flatten)]
    args: runsheet_server::launch::Args,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    runsheet_server::launch::run(cli.args)
}
