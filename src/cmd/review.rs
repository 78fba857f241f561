//! `pucha review`: list the findings that need a person (待复核) and record decisions in the
//! review file (review.toml) that the next `pucha report` honours.

use std::path::PathBuf;

use anyhow::{bail, Context};
use pucha_report::{Decision, Review, REVIEW_FILE};

/// Arguments of `pucha review`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The report directory (holding report.json; the review file is DIR/review.toml).
    pub dir: PathBuf,
    /// Decisions by item number of the listing: `3=confirm`, `5=drop`, `7=pending` (repeatable).
    #[arg(long = "set", value_name = "N=DECISION")]
    pub set: Vec<String>,
    /// Who decided (recorded in the file).
    #[arg(long, default_value = "")]
    pub reviewer: String,
    /// A note recorded with the decisions.
    #[arg(long, default_value = "")]
    pub note: String,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let report = super::report::read_report(&args.dir)?;
    let path = args.dir.join(REVIEW_FILE);
    let mut review = Review::load_or_default(&path)
        .with_context(|| format!("fix or remove {}", path.display()))?;
    let added = review.merge_pending(&report);
    for s in &args.set {
        let (n, d) = s
            .split_once('=')
            .with_context(|| format!("--set {s}: expected N=confirm|drop|pending"))?;
        let n: usize = n
            .trim()
            .parse()
            .with_context(|| format!("--set {s}: {n} is not an item number"))?;
        let decision = match d.trim() {
            "confirm" | "确认" => Decision::Confirm,
            "drop" | "删除" | "排除" => Decision::Drop,
            "pending" | "待复核" => Decision::Pending,
            other => bail!("--set {s}: unknown decision {other:?} (confirm, drop or pending)"),
        };
        let Some(item) = review.items.get(n.wrapping_sub(1)) else {
            bail!(
                "--set {s}: there is no item {n} (the file has {})",
                review.items.len()
            );
        };
        let (site, rule) = (item.site.clone(), item.rule.clone());
        review.decide(&site, &rule, decision, &args.reviewer, &args.note);
    }
    if added > 0 || !args.set.is_empty() || !path.exists() {
        review
            .save(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if review.items.is_empty() {
        println!("no finding of run {} needs review", report.run.id);
        return Ok(());
    }
    println!("review file {} (run {}):", path.display(), report.run.id);
    for (i, it) in review.items.iter().enumerate() {
        let d = match it.decision {
            Decision::Pending => "待复核",
            Decision::Confirm => "已确认",
            Decision::Drop => "已排除",
        };
        let name = if it.name.is_empty() {
            &it.site
        } else {
            &it.name
        };
        println!("{:>3}. [{d}] {name} · {} · {}", i + 1, it.rule, it.finding);
    }
    println!("\nrecord decisions with `pucha review {} --set N=confirm|drop`, then `pucha report --from {}`", args.dir.display(), args.dir.display());
    Ok(())
}
