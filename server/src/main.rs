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

/// The allocator: glibc's malloc and free were about half of the replicas' own CPU time in the
/// load test (many threads allocating and freeing the pages they read and answer); mimalloc
/// took a sixth off the replicas' CPU per synced mutation (docs/scaling.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
