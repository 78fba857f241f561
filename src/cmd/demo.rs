//! `pucha demo`: serve the built-in demo farm on loopback and run an embedded census of it,
//! then compare the verdicts with the farm's ground truth.

use std::net::Ipv4Addr;
use std::path::PathBuf;

use anyhow::Context;
use pucha_farm::{Farm, FarmServer, FarmSpec};

use crate::census::{print_summary, run_embedded, CensusOpts};

/// Arguments of `pucha demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory for the notice, the report and the farm's site list and truth.
    #[arg(long, default_value = "out/demo")]
    pub out: PathBuf,
    /// Sites checked at once.
    #[arg(long, default_value_t = 8)]
    pub workers: usize,
    /// Loopback network the farm's sites are served on (one address per site).
    #[arg(long, default_value = "127.0.3.0")]
    pub net: Ipv4Addr,
    /// Seed of the generated farm.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Where runs are kept (demo runs are kept apart from real ones by default).
    #[arg(long, default_value = ".pucha/demo")]
    pub data_dir: PathBuf,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let mut spec = FarmSpec::demo();
    if let Some(seed) = args.seed {
        spec.seed = seed;
    }
    let as_of = spec.as_of;
    let server = FarmServer::start(Farm::generate(&spec), args.net)
        .await
        .with_context(|| format!("cannot serve the demo farm on {}", args.net))?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    server
        .write_sites_csv(args.out.join("sites.csv"))
        .context("cannot write the farm's site list")?;
    let truth = server.truth();
    std::fs::write(
        args.out.join("truth.json"),
        serde_json::to_vec_pretty(&truth)?,
    )
    .context("cannot write the farm's truth")?;
    let sites = server.sites();
    eprintln!(
        "demo farm: {} synthetic government sites on {}.x (as of {as_of})",
        sites.len(),
        args.net
    );

    let census = CensusOpts::own_loopback_farm(as_of);
    let crawl = census.crawl_config();
    let store = super::run::open_data_dir(&args.data_dir)?;
    let report = run_embedded(
        &sites,
        &census,
        &crawl,
        pucha_cluster::admission::Admission::fixed(args.workers),
        store,
        &args.out,
    )
    .await;
    server.shutdown().await;
    let report = report?;
    print_summary(&report, &args.out);

    let mut agree = 0;
    for t in &truth.sites {
        let got = report
            .sites
            .iter()
            .find(|r| r.site.url.as_str() == t.url.as_str());
        match got {
            Some(r) if r.verdict == t.verdict => agree += 1,
            Some(r) => eprintln!(
                "  {}: census says {:?}, the farm's truth says {:?}",
                t.name, r.verdict, t.verdict
            ),
            None => eprintln!("  {}: no result", t.name),
        }
    }
    println!(
        "verdicts matching the farm's ground truth: {agree}/{}",
        truth.sites.len()
    );
    Ok(())
}
