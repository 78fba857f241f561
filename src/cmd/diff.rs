//! `pucha diff`: the re-check (复查) between two runs — per site, problems fixed, still open and new.

use std::path::{Path, PathBuf};

use anyhow::Context;
use pucha_core::Report;

/// Arguments of `pucha diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The earlier run: a run id of the data directory, a report directory or a report.json.
    pub run_a: String,
    /// The later run, likewise.
    pub run_b: String,
    /// Where runs are kept (as for `pucha run`).
    #[arg(long, default_value = ".pucha", env = "PUCHA_DATA_DIR")]
    pub data_dir: PathBuf,
    /// Print the diff as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also list sites with nothing fixed, open or new.
    #[arg(long)]
    pub all: bool,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let a = resolve(&args.run_a, &args.data_dir).await?;
    let b = resolve(&args.run_b, &args.data_dir).await?;
    let d = pucha_report::diff(&a, &b);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&d)?);
        return Ok(());
    }
    let (fixed, open, new) = d.totals();
    println!(
        "复查 {} ({}) → {} ({}): 已整改 {fixed}, 仍未整改 {open}, 新发现 {new}; pass rate {} → {}",
        d.run_before,
        d.as_of_before,
        d.run_after,
        d.as_of_after,
        a.summary.counts().pass_rate_text(),
        b.summary.counts().pass_rate_text()
    );
    let join = |v: &[pucha_report::ProblemRef]| {
        v.iter()
            .map(|p| p.summary_zh.clone())
            .collect::<Vec<_>>()
            .join("；")
    };
    for s in d.sites.iter().filter(|s| args.all || !s.is_quiet()) {
        println!("\n{} [{}]  {}", s.name, s.key, s.verdict_change_zh());
        for (label, v) in [
            ("已整改", &s.fixed),
            ("仍未整改", &s.still_open),
            ("新发现", &s.new),
        ] {
            if !v.is_empty() {
                println!("  {label}: {}", join(v));
            }
        }
    }
    Ok(())
}

/// A path (directory or report.json) when it exists, else a run id of the data directory.
async fn resolve(what: &str, data_dir: &Path) -> anyhow::Result<Report> {
    let p = Path::new(what);
    if p.exists() {
        return super::report::read_report(p);
    }
    let store = super::run::open_data_dir(data_dir)?;
    store
        .load_report(what)
        .await
        .with_context(|| format!("cannot load run {what}"))?
        .with_context(|| {
            format!(
                "{what} is neither a report path nor a run in {} (see `pucha runs`)",
                data_dir.display()
            )
        })
}
