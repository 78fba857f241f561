//! `pucha farm serve`: serve the built-in demo farm on loopback until Ctrl-C.

use std::net::Ipv4Addr;
use std::path::PathBuf;

use anyhow::Context as _;
use chrono::NaiveDate;
use pucha_farm::{Farm, FarmServer, FarmSpec, World, WorldSpec};

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
    /// Build the sites in the CMS families pucha was not first built against (TRS WCM with
    /// relative dated links and title dates, old GBK tables with [MM-DD] dates, Hanweb
    /// datastore lists, a script-loaded list), as of 2026-01-06 unless --as-of says otherwise.
    #[arg(long)]
    unseen: bool,
    /// Leave out the refusing and the flaky site.
    #[arg(long)]
    all_up: bool,
    /// Serve a hostile world around the farm and link it from every page: a portal every site
    /// links, a host answering after --slow-secs, a flaky host, a refusing host, a host that
    /// never answers the SYN, a name that does not resolve, and a trap site (added to
    /// sites.csv). For the census benchmark; truth.json covers the farm's own sites only.
    #[arg(long)]
    hostile: bool,
    /// Loopback /24 of the hostile world (with --hostile).
    #[arg(long, default_value = "127.0.30.0")]
    world_net: Ipv4Addr,
    /// Seconds the slow host waits before it answers (with --hostile).
    #[arg(long, default_value_t = 20)]
    slow_secs: u64,
    /// One site in N links a page of the slow host (with --hostile; 0: none).
    #[arg(long, default_value_t = 10)]
    slow_every: usize,
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
    let mut spec = if a.unseen {
        FarmSpec::unseen()
    } else {
        FarmSpec::demo()
    };
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
    let world = if a.hostile {
        let ws = WorldSpec {
            net: a.world_net,
            slow_after: std::time::Duration::from_secs(a.slow_secs),
            slow_every: a.slow_every,
        };
        Some(World::start(ws).await.with_context(|| {
            format!(
                "cannot serve the hostile world on {}/24; try --world-net 127.0.31.0",
                a.world_net
            )
        })?)
    } else {
        None
    };
    let links: Vec<String> = match &world {
        Some(w) => (0..farm.sites.len()).map(|i| w.links_for(i)).collect(),
        None => Vec::new(),
    };
    let server = FarmServer::start_with_links(farm, a.net, a.port, links)
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
    if let Some(w) = &world {
        // The trap site is one more site of the census.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&csv)
            .with_context(|| format!("cannot append the trap site to {}", csv.display()))?;
        use std::io::Write as _;
        writeln!(f, "青岚市活动日历,{},other,,青岚市文化馆", w.trap_url())
            .with_context(|| format!("cannot append the trap site to {}", csv.display()))?;
        println!(
            "hostile world on {}/24 port {}: portal .1, slow .2 ({} s, one site in {}), flaky .3, refusing .4, blackhole .5, trap site .6, dead name {}",
            a.world_net,
            w.port(),
            a.slow_secs,
            a.slow_every,
            pucha_farm::DEAD_NAME
        );
    }
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
    if let Some(w) = world {
        w.shutdown().await;
    }
    Ok(())
}
