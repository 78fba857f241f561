//! `pucha`: census of government websites. See README.md.

use clap::{Parser, Subcommand};
use pucha::cmd;

// mimalloc, tuned to the memory budget (pucha_crawl::alloc).
#[global_allocator]
static ALLOC: pucha_crawl::alloc::WorkerAllocator = pucha_crawl::alloc::WorkerAllocator;

#[derive(Parser)]
#[command(
    name = "pucha",
    version,
    about = "Census of government websites against the national inspection indicators"
)]
struct Cli {
    /// Log as JSON lines (for log shippers).
    #[arg(long, global = true, env = "PUCHA_LOG_JSON")]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a census in-process (no broker): crawl and check every site of a list, write the report and notice.
    Run(cmd::run::Args),
    /// Serve the built-in demo farm and run a census of it: the one-command tour.
    Demo(cmd::demo::Args),
    /// The demo farm of synthetic government sites.
    Farm(cmd::farm::Args),
    /// Analyse one page (file or URL) and print its facts and findings.
    CheckPage(cmd::check_page::Args),
    /// Distributed mode: publish a run's jobs to RabbitMQ, track it in Redis, write the report when done.
    Coordinator(cmd::coordinator::Args),
    /// Distributed mode: consume jobs, crawl and check sites, store results in Redis.
    Worker(cmd::worker::Args),
    /// List, show or delete stored runs.
    Runs(cmd::runs::Args),
    /// Render a stored run as md, html, xlsx, csv or json.
    Report(cmd::report::Args),
    /// Re-check (复查): what was fixed, what is still open and what is new between two runs.
    Diff(cmd::diff::Args),
    /// Confirm or drop findings that need a person before the notice is published.
    Review(cmd::review::Args),
    /// Probe every site's homepage around the clock (availability, homepage updates); one process, or a scheduler (--queue) and probe consumers (--probe-only).
    Monitor(cmd::monitor::Args),
}

fn init_tracing(json: bool) {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("PUCHA_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // Colour only for a person at a terminal: a log file or a journal gets plain text.
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    if json {
        b.json().init();
    } else {
        b.init();
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    pucha_crawl::alloc::tune();
    let cli = Cli::parse();
    init_tracing(cli.log_json);
    match dispatch(cli.command).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The whole context chain, without a backtrace: these messages are for operators.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn dispatch(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Run(a) => cmd::run::run(a).await,
        Command::Demo(a) => cmd::demo::run(a).await,
        Command::Farm(a) => cmd::farm::run(a).await,
        Command::CheckPage(a) => cmd::check_page::run(a).await,
        Command::Coordinator(a) => cmd::coordinator::run(a).await,
        Command::Worker(a) => cmd::worker::run(a).await,
        Command::Runs(a) => cmd::runs::run(a).await,
        Command::Report(a) => cmd::report::run(a).await,
        Command::Diff(a) => cmd::diff::run(a).await,
        Command::Review(a) => cmd::review::run(a).await,
        Command::Monitor(a) => cmd::monitor::run(a).await,
    }
}
