//! `smppd`: the gateway daemon. This file only parses arguments and calls the library.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

// glibc's malloc was a quarter of the async threads' time (its fast bins are consolidated on
// every larger allocation); mimalloc's per-thread free lists are not. Built without its
// transparent huge pages (`no_thp`): they doubled the resident set and added faults that
// zero 2 MiB at a time. See docs/performance.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// smppd: an SMPP 3.4 gateway.
#[derive(Debug, Parser)]
#[command(name = "smppd", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the gateway.
    Run {
        /// The configuration file.
        #[arg(long, short, default_value = "/etc/smppd/smppd.toml")]
        config: PathBuf,
    },
    /// Check a configuration file and exit: 0 if valid, 2 if not.
    CheckConfig {
        /// The configuration file.
        #[arg(long, short, default_value = "/etc/smppd/smppd.toml")]
        config: PathBuf,
    },
    /// Run the bundled SMSC simulator.
    Sim(Box<smppd_sim::SimArgs>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match cli.command {
        Command::CheckConfig { config } => {
            ExitCode::from(smppd::config::check_config(&config) as u8)
        }
        Command::Run { config } => {
            let Some(config) = smppd::config::load_and_report(&config, &mut std::io::stderr())
            else {
                return ExitCode::from(smppd::config::EXIT_INVALID_CONFIG as u8);
            };
            runtime(|| smppd::daemon::run(config), |e| e.to_string())
        }
        Command::Sim(args) => runtime(|| smppd_sim::run(*args), |e| e.to_string()),
    }
}

fn runtime<F, Fut, E>(f: F, describe: impl Fn(&E) -> String) -> ExitCode
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("smppd: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(f()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("smppd: {}", describe(&e));
            ExitCode::FAILURE
        }
    }
}
