//! `pucha farm serve`: serve the built-in demo farm on loopback until Ctrl-C.

use std::net::Ipv4Addr;
use std::path::PathBuf;

use anyhow::Context as _;
use chrono::NaiveDate;
use pucha_farm::{Farm, FarmServer, FarmSpec};

/// Arguments of `pucha farm`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Serve the farm: write DIR/sites.csv and DIR/truth.json, print the addresses, serve until Ctrl-C.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Loopback /24 to serve on: site i gets net+i (127.0.3.1, 127.0.3.2, ...).
    #[arg(long, default_value = "127.0.3.0")]
    net: Ipv4Addr,
    /// Port for every site (default: one that is free on all addresses).
    #[arg(long)]
    port: Option<u16>,
    /// Generator seed (same seed, same bytes).
    #[arg(long)]
    seed: Option<u64>,
    /// Number of sites (default: the demo's 24).
    #[arg(long)]
    sites: Option<usize>,
    /// Approximate HTML pages per site.
    #[arg(long)]
    pages_per_site: Option<usize>,
    /// Check date T the farm's dates are placed around (YYYY-MM-DD).
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// Leave out the refusing and the flaky site.
    #[arg(long)]
    all_up: bool,
    /// Where to write sites.csv and truth.json.
    #[arg(long, default_value = "farm-out")]
    out: PathBuf,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Command::Serve(a) => serve(a).await,
    }
}

async fn serve(a: ServeArgs) -> anyhow::Result<()> {
    let mut spec = FarmSpec::demo();
    if let Some(s) = a.seed {
        spec.seed = s;
    }
    if let Some(n) = a.sites {
        anyhow::ensure!((1..=254).contains(&n), "--sites must be between 1 and 254");
        spec.sites = n;
    }
    if let Some(n) = a.pages_per_site {
        spec.pages_per_site = n;
    }
    if let Some(d) = a.as_of {
        spec.as_of = d;
    }
    spec.unavailable_sites = !a.all_up;
    let farm = Farm::generate(&spec);
    let pages = farm.html_pages();
    let server = FarmServer::start_on(farm, a.net, a.port)
        .await
        .with_context(|| {
            format!(
                "cannot serve the farm on {}/24; is another farm using it? try --net 127.0.4.0",
                a.net
            )
        })?;
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let csv = a.out.join("sites.csv");
    let truth = a.out.join("truth.json");
    server
        .write_sites_csv(&csv)
        .with_context(|| format!("cannot write {}", csv.display()))?;
    server
        .write_truth(&truth)
        .with_context(|| format!("cannot write {}", truth.display()))?;
    let t = server.truth();
    println!(
        "demo farm: {} sites, {pages} HTML pages, as of {}, seed {}",
        t.sites.len(),
        t.as_of,
        spec.seed
    );
    for s in &t.sites {
        println!(
            "  {:<40} {:<28} {:<13} {}",
            s.name,
            s.url,
            s.category.key(),
            s.verdict.label_zh()
        );
    }
    println!("wrote {} and {}", csv.display(), truth.display());
    println!("serving until Ctrl-C");
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    server.shutdown().await;
    Ok(())
}
