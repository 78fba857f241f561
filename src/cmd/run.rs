//! `pucha run`: the embedded census of a site list, with no broker.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;

use pucha_cluster::admission::Admission;

use crate::census::{print_summary, run_embedded, CensusOpts};

/// Arguments of `pucha run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Site list: CSV (UTF-8 or GBK) or XLSX with columns 网站名称/name, 首页地址/url, 网站类别/category
    /// and optionally 网站标识码/site_code, 主办单位/sponsor.
    #[arg(long)]
    pub sites: PathBuf,
    /// Directory for report.json, notice.md and the other outputs.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Most sites checked at once. A polite crawl mostly waits on its host's request rate, so
    /// many sites run side by side; --memory-budget holds back new ones when memory runs short.
    #[arg(long, default_value_t = pucha_cluster::admission::DEFAULT_MAX_SITES)]
    pub workers: usize,
    /// Resident memory above which no new site starts (e.g. 768M, 2G; 0: no limit).
    #[arg(long, env = "PUCHA_MEMORY_BUDGET", default_value = "768M", value_parser = pucha_cluster::admission::parse_size)]
    pub memory_budget: u64,
    /// Where runs are kept for `pucha report`, `pucha diff` and trends.
    #[arg(long, default_value = ".pucha", env = "PUCHA_DATA_DIR")]
    pub data_dir: PathBuf,
    #[command(flatten)]
    pub census: CensusOpts,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let sites = pucha_core::sitelist::load(&args.sites)
        .with_context(|| format!("cannot use the site list {}", args.sites.display()))?;
    let store = open_data_dir(&args.data_dir)?;
    let crawl = args.census.crawl_config();
    let report = run_embedded(
        &sites,
        &args.census,
        &crawl,
        Admission {
            max: args.workers,
            memory_budget: args.memory_budget,
        },
        store,
        &args.out,
    )
    .await?;
    print_summary(&report, &args.out);
    Ok(())
}

/// The embedded store kept in a data directory.
pub fn open_data_dir(
    dir: &std::path::Path,
) -> anyhow::Result<Arc<dyn pucha_cluster::store::ResultStore>> {
    pucha_cluster::open_store(&dir.display().to_string())
        .with_context(|| format!("cannot open the data directory {}", dir.display()))
}
