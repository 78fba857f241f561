//! `pucha report`: render a stored run (or a report.json) as md, html, xlsx, csv or json,
//! honouring the review file's decisions.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use pucha_core::Report;
use pucha_report::notice::JiucuoStats;
use pucha_report::{Format, NoticeOptions, Review, REVIEW_FILE};

/// Arguments of `pucha report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A directory holding report.json (e.g. the --out of `pucha run`), or a report.json file.
    #[arg(long, conflicts_with = "run")]
    pub from: Option<PathBuf>,
    /// A stored run id (see `pucha runs`), loaded from the data directory.
    #[arg(long)]
    pub run: Option<String>,
    /// Where runs are kept (as for `pucha run`; default: `[run] data_dir`, else `.pucha`).
    #[arg(long, env = "PUCHA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Run configuration whose `[notice]` section sets the notice (see deploy/pucha.toml.example).
    /// Default: ./pucha.toml when it exists. Flags win over the file.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Formats to write: md, html, xlsx, csv, json (comma-separated or repeated; default all).
    #[arg(long, value_delimiter = ',')]
    pub format: Vec<String>,
    /// Output directory (default: the --from directory, or out/<run id>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Review file to honour (default: review.toml next to the input, else in --out).
    #[arg(long)]
    pub review: Option<PathBuf>,
    /// Earlier reports (report.json files or their directories) for the re-check and the trends.
    /// With --run, earlier runs of the data directory are used as well.
    #[arg(long)]
    pub history: Vec<PathBuf>,
    /// 发文单位 of the notice.
    #[arg(long)]
    pub issuer: Option<String>,
    /// Area covered, e.g. 全市.
    #[arg(long)]
    pub scope: Option<String>,
    /// 文号 of the notice.
    #[arg(long)]
    pub doc_number: Option<String>,
    /// Provincial notice cited in the basis paragraph, e.g. "《……》（川府公开办函〔2023〕15号）".
    #[arg(long)]
    pub provincial_basis: Option<String>,
    /// Working days given to rectify (default: `[notice] deadline_days`, else 15).
    #[arg(long)]
    pub deadline_days: Option<u32>,
    /// 成文日期 (落款) of the notice, YYYY-MM-DD (default: `[notice] issue_date`, else the
    /// run's as-of date).
    #[arg(long, value_parser = crate::census::parse_date)]
    pub issue_date: Option<chrono::NaiveDate>,
    /// 联系人 printed before the annex list.
    #[arg(long)]
    pub contact_person: Option<String>,
    /// 联系电话 printed before the annex list.
    #[arg(long)]
    pub contact_phone: Option<String>,
    /// 我为政府网站找错 messages received this quarter (with --jiucuo-on-time).
    #[arg(long, requires = "jiucuo_on_time")]
    pub jiucuo_received: Option<u32>,
    /// 我为政府网站找错 messages closed on time.
    #[arg(long, requires = "jiucuo_received")]
    pub jiucuo_on_time: Option<u32>,
    /// List passed sites with non-vetoing problems in the annex too.
    #[arg(long)]
    pub annex_all: bool,
}

/// The unreviewed input kept next to a report once a review changed it.
const ORIGINAL: &str = "report.original.json";

pub async fn run(mut args: Args) -> anyhow::Result<()> {
    let config = crate::config::Config::resolve(args.config.as_deref())?;
    args.data_dir = args
        .data_dir
        .take()
        .or(config.run.data_dir.clone())
        .or(Some(".pucha".into()));
    let original = load_report(&args).await?;
    let formats = formats(&args.format)?;
    let out = match (&args.out, &args.from) {
        (Some(o), _) => o.clone(),
        (None, Some(f)) if f.is_dir() => f.clone(),
        (None, Some(f)) => f
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| ".".into()),
        (None, None) => PathBuf::from("out").join(&original.run.id),
    };
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;

    let review_path = args.review.clone().unwrap_or_else(|| {
        let beside = args.from.as_deref().map(|f| {
            if f.is_dir() {
                f.join(REVIEW_FILE)
            } else {
                f.with_file_name(REVIEW_FILE)
            }
        });
        beside
            .filter(|p| p.exists())
            .unwrap_or_else(|| out.join(REVIEW_FILE))
    });
    let review = Review::load_or_default(&review_path)
        .with_context(|| format!("fix or remove the review file {}", review_path.display()))?;
    let mut report = original.clone();
    let applied = review.apply(&mut report);
    if applied.confirmed + applied.dropped > 0 {
        let keep = out.join(ORIGINAL);
        if !keep.exists() {
            let body = serde_json::to_string_pretty(&original)?;
            std::fs::write(&keep, body)
                .with_context(|| format!("cannot write {}", keep.display()))?;
        }
        println!(
            "review {}: {} confirmed, {} dropped, {} pending{}",
            review_path.display(),
            applied.confirmed,
            applied.dropped,
            applied.pending,
            if applied.unmatched > 0 {
                format!(", {} not matching any finding", applied.unmatched)
            } else {
                String::new()
            }
        );
    }

    let history = load_history(&args, &report).await?;
    let flags = crate::config::NoticeFlags {
        issuer: args.issuer.clone(),
        scope: args.scope.clone(),
        doc_number: args.doc_number.clone(),
        provincial_basis: args.provincial_basis.clone(),
        deadline_days: args.deadline_days,
        issue_date: args.issue_date,
        contact_person: args.contact_person.clone(),
        contact_phone: args.contact_phone.clone(),
    };
    let opts = NoticeOptions {
        jiucuo: args
            .jiucuo_received
            .zip(args.jiucuo_on_time)
            .map(|(received, closed_on_time)| JiucuoStats {
                received,
                closed_on_time,
            }),
        annex_all_problem_sites: args.annex_all,
        ..config.notice_options(&flags)
    };
    if opts.issue_date.is_none() {
        println!(
            "note: the notice is dated with the as-of date {} (set [notice] issue_date in pucha.toml or --issue-date)",
            report.run.as_of
        );
    }
    if opts.issuer == NoticeOptions::default().issuer {
        println!(
            "note: the notice names the placeholder issuer {} (set [notice] issuer in pucha.toml or --issuer)",
            opts.issuer
        );
    }
    let written = pucha_report::write_formats(&report, &out, &history, &opts, &formats)
        .with_context(|| format!("cannot write the report into {}", out.display()))?;
    let s = &report.summary;
    println!(
        "run {} (as of {}): {} sites, {} passed, {} failed, {} errors, {} awaiting review; pass rate {}",
        report.run.id,
        report.run.as_of,
        s.total,
        s.passed,
        s.failed,
        s.errors,
        s.needs_review,
        s.counts().pass_rate_text()
    );
    for p in written
        .all()
        .into_iter()
        .filter(|p| !p.as_os_str().is_empty() && !p.starts_with(out.join("sites")))
    {
        println!("wrote {}", p.display());
    }
    if !written.site_reports.is_empty() {
        println!(
            "wrote {} site reports in {}",
            written.site_reports.len(),
            out.join("sites").display()
        );
    }
    Ok(())
}

/// The data directory (resolved from the flag, the configuration and the default in `run`).
fn data_dir(args: &Args) -> PathBuf {
    args.data_dir.clone().unwrap_or_else(|| ".pucha".into())
}

fn formats(names: &[String]) -> anyhow::Result<Vec<Format>> {
    if names.is_empty() || names.iter().any(|n| n == "all") {
        return Ok(Format::ALL.to_vec());
    }
    names
        .iter()
        .map(|n| {
            Format::parse(n)
                .with_context(|| format!("unknown format {n:?}: use md, html, xlsx, csv or json"))
        })
        .collect()
}

/// Loads the report to render: from `--from` (a directory or a report.json) or from the data
/// directory's store with `--run`. In a directory, the unreviewed `report.original.json` is
/// preferred so that review decisions are always applied to the report as the rules made it.
pub async fn load_report(args: &Args) -> anyhow::Result<Report> {
    match (&args.from, &args.run) {
        (Some(from), _) => read_report(from),
        (None, Some(id)) => {
            let store = super::run::open_data_dir(&data_dir(args))?;
            store
                .load_report(id)
                .await
                .with_context(|| format!("cannot load run {id} from {}", data_dir(args).display()))?
                .with_context(|| {
                    format!(
                        "no run {id} in {} (see `pucha runs`)",
                        data_dir(args).display()
                    )
                })
        }
        (None, None) => {
            bail!("say which report to render: --from DIR (or DIR/report.json) or --run ID")
        }
    }
}

/// Reads a report.json, or the report of a directory (report.original.json when present).
pub fn read_report(path: &Path) -> anyhow::Result<Report> {
    let file = if path.is_dir() {
        let orig = path.join(ORIGINAL);
        if orig.exists() {
            orig
        } else {
            path.join("report.json")
        }
    } else {
        path.to_path_buf()
    };
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a pucha report.json", file.display()))
}

async fn load_history(args: &Args, report: &Report) -> anyhow::Result<Vec<Report>> {
    let mut history = Vec::new();
    for p in &args.history {
        history.push(read_report(p)?);
    }
    if args.run.is_some() {
        let store = super::run::open_data_dir(&data_dir(args))?;
        for r in crate::census::history_before(store.as_ref(), report).await {
            if !history.iter().any(|h: &Report| h.run.id == r.run.id) {
                history.push(r);
            }
        }
    }
    Ok(history)
}
