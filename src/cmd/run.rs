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
    /// Directory for report.json, notice.md and the other outputs (default: `[run] out` of the
    /// configuration, else `out`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Most sites checked at once (default: `[run] workers`, else 256). A polite crawl mostly
    /// waits on its host's request rate, so many sites run side by side; --memory-budget holds
    /// back new ones when memory runs short.
    #[arg(long)]
    pub workers: Option<usize>,
    /// Resident memory above which no new site starts (e.g. 768M, 2G; 0: no limit).
    #[arg(long, env = "PUCHA_MEMORY_BUDGET", default_value = "768M", value_parser = pucha_cluster::admission::parse_size)]
    pub memory_budget: u64,
    /// Where runs are kept for `pucha report`, `pucha diff` and trends (default: `[run] data_dir`
    /// of the configuration, else `.pucha`).
    #[arg(long, env = "PUCHA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Run configuration (`[notice]`, `[run]`, `[crawl]`; see deploy/pucha.toml.example).
    /// Default: ./pucha.toml when it exists. Flags win over the file.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Strip a user name and password from site-list URLs (with a warning) instead of refusing
    /// the list: credentials are never sent, logged or written into a report.
    #[arg(long)]
    pub strip_url_credentials: bool,
    #[command(flatten)]
    pub census: CensusOpts,
}

pub async fn run(mut args: Args) -> anyhow::Result<()> {
    let config = crate::config::Config::resolve(args.config.as_deref())?;
    config.apply_census(&mut args.census);
    args.out = args.out.or(config.run.out.clone()).or(Some("out".into()));
    args.data_dir = args
        .data_dir
        .or(config.run.data_dir.clone())
        .or(Some(".pucha".into()));
    let workers = args
        .workers
        .or(config.run.workers)
        .unwrap_or(pucha_cluster::admission::DEFAULT_MAX_SITES);
    let out = args.out.clone().unwrap_or_default();
    let data_dir = args.data_dir.clone().unwrap_or_default();
    let opts = pucha_core::sitelist::LoadOptions {
        strip_credentials: args.strip_url_credentials,
    };
    let loaded = pucha_core::sitelist::load_with(&args.sites, opts)
        .with_context(|| format!("cannot use the site list {}", args.sites.display()))?;
    for w in &loaded.warnings {
        tracing::warn!(site_list = %args.sites.display(), "{w}");
    }
    let sites = loaded.sites;
    let store = open_data_dir(&data_dir)?;
    let crawl = args.census.crawl_config();
    // The id is fixed before the census starts, so an interrupted one can say how to resume.
    let id = args.census.run_id_for(&sites)?;
    args.census.run_id = Some(id.clone());
    let admission = Admission {
        max: workers,
        memory_budget: args.memory_budget,
    };
    let census = run_embedded(&sites, &args.census, &crawl, admission, store, &out);
    let report = tokio::select! {
        r = census => r?,
        _ = tokio::signal::ctrl_c() => {
            eprintln!("{}", interrupted_hint(&id, &args));
            std::process::exit(130);
        }
    };
    print_summary(&report, &out);
    Ok(())
}

/// What an interrupted `pucha run` prints: the command that resumes it (results kept so far are
/// in the data directory; only the sites without one are checked again).
pub fn interrupted_hint(id: &str, args: &Args) -> String {
    let mut cmd = format!(
        "pucha run --run {id} --sites {} --out {}",
        shell_word(&args.sites.display().to_string()),
        shell_word(&args.out.clone().unwrap_or_default().display().to_string())
    );
    if let Some(d) = args
        .data_dir
        .as_deref()
        .filter(|d| *d != std::path::Path::new(".pucha"))
    {
        cmd.push_str(&format!(
            " --data-dir {}",
            shell_word(&d.display().to_string())
        ));
    }
    if let Some(c) = &args.config {
        cmd.push_str(&format!(
            " --config {}",
            shell_word(&c.display().to_string())
        ));
    }
    format!(
        "interrupted; resume with: {cmd} ... (the same options as before; running the same \
         command again resumes too)"
    )
}

fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-:=@+".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The embedded store kept in a data directory.
pub fn open_data_dir(
    dir: &std::path::Path,
) -> anyhow::Result<Arc<dyn pucha_cluster::store::ResultStore>> {
    pucha_cluster::open_store(&dir.display().to_string())
        .with_context(|| format!("cannot open the data directory {}", dir.display()))
}
