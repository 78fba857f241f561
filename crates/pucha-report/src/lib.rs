//! pucha-report renders a census: the quarterly notice (通报), the per-site detection reports
//! (检测报告), the re-check against an earlier run (复查), trends over the runs kept and the
//! review file through which a person confirms or drops findings before publishing.
//!
//! Rendering is pure: it takes `pucha_core::Report` values (and earlier ones for history)
//! and performs no network IO. `write_all` writes every format into a directory.

pub mod csvout;
pub mod diff;
pub mod docx;
pub mod html;
pub mod markdown;
pub mod notice;
pub mod review;
pub mod sample;
pub mod table;
pub mod text;
pub mod trend;
pub mod xlsx;

use std::path::{Path, PathBuf};

use pucha_core::Report;

pub use csvout::{write_annex_csv, write_csv};
pub use diff::{diff, ProblemRef, RunDiff, SiteDiff};
pub use html::{render_html, render_notice_html};
pub use markdown::{render_notice_md, render_site_md, RunContext};
pub use notice::{annex_rows, build_notice, AnnexRow, Notice, NoticeOptions};
pub use review::{Applied, Decision, Review, ReviewItem, REVIEW_FILE};
pub use trend::Trends;
pub use xlsx::write_xlsx;

/// Errors of writing reports. Rendering itself cannot fail; writing files can.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    #[error("cannot write or read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot encode or decode JSON {path}: {source}")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot write the workbook {path}: {detail}")]
    Xlsx { path: PathBuf, detail: String },
    #[error("cannot write the Word document {path}: {detail}")]
    Docx { path: PathBuf, detail: String },
    #[error("cannot write the CSV {path}: {detail}")]
    Csv { path: PathBuf, detail: String },
    #[error("invalid review file {path}: {detail}")]
    Review { path: PathBuf, detail: String },
    /// Some formats could not be written; the others were.
    #[error("{} output(s) could not be written (the others were): {}", .failed.len(), .failed.iter().map(|(f, e)| format!("{}: {e}", f.name())).collect::<Vec<_>>().join("; "))]
    Incomplete {
        /// What was written.
        written: Box<Written>,
        /// Each format that failed, with its error.
        failed: Vec<(Format, ReportError)>,
    },
}

impl ReportError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> ReportError {
        ReportError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The files `write_all` wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub report_json: PathBuf,
    pub notice_md: PathBuf,
    /// notice.docx, beside notice.md.
    pub notice_docx: PathBuf,
    /// The notice alone, as an official document (GB/T 9704 layout).
    pub notice_html: PathBuf,
    /// The dashboard: key figures, annex, trends, every finding and each site's report.
    pub dashboard_html: PathBuf,
    pub xlsx: PathBuf,
    pub findings_csv: PathBuf,
    pub annex_csv: PathBuf,
    /// `sites/<n>-<name>.md`, in report order.
    pub site_reports: Vec<PathBuf>,
    /// `review.toml`, when the report has findings needing review (created or completed, never overwritten).
    pub review: Option<PathBuf>,
}

impl Written {
    /// Every path written, for logs.
    pub fn all(&self) -> Vec<&Path> {
        let mut v: Vec<&Path> = vec![
            &self.report_json,
            &self.notice_md,
            &self.notice_docx,
            &self.notice_html,
            &self.dashboard_html,
            &self.xlsx,
            &self.findings_csv,
            &self.annex_csv,
        ];
        v.extend(self.site_reports.iter().map(PathBuf::as_path));
        v.extend(self.review.as_deref());
        v
    }
}

/// Which formats to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// notice.md, notice.docx and sites/*.md
    Md,
    /// notice.html (the notice as an official document) and dashboard.html
    Html,
    /// report.xlsx
    Xlsx,
    /// findings.csv and annex.csv
    Csv,
    /// report.json
    Json,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Json,
        Format::Md,
        Format::Html,
        Format::Xlsx,
        Format::Csv,
    ];

    /// The format's name, as `parse` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Html => "html",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "md" | "markdown" => Format::Md,
            "html" => Format::Html,
            "xlsx" | "excel" => Format::Xlsx,
            "csv" => Format::Csv,
            "json" => Format::Json,
            _ => return None,
        })
    }
}

/// Writes report.json, notice.md, notice.docx, notice.html, dashboard.html, report.xlsx, findings.csv, annex.csv and
/// sites/<n>-<name>.md into `out_dir` (created if needed). `history` holds earlier runs: the
/// latest one before this run is the re-check baseline, all of them feed the trends.
pub fn write_all(
    report: &Report,
    out_dir: &Path,
    history: &[Report],
) -> Result<Written, ReportError> {
    write_formats(
        report,
        out_dir,
        history,
        &NoticeOptions::default(),
        &Format::ALL,
    )
}

/// Writes the chosen formats with the given notice options (the re-check baseline is filled in
/// from `history` when `opts.recheck` is None).
pub fn write_formats(
    report: &Report,
    out_dir: &Path,
    history: &[Report],
    opts: &NoticeOptions,
    formats: &[Format],
) -> Result<Written, ReportError> {
    std::fs::create_dir_all(out_dir).map_err(|e| ReportError::io(out_dir, e))?;
    let mut opts = opts.clone();
    if opts.recheck.is_none() {
        opts.recheck = trend::previous(report, history).map(|prev| diff(prev, report));
    }
    let trends = Trends::build(report, history);
    let mut w = Written::default();
    // Each format is written on its own: one that fails (a full disk for the workbook, a
    // review file that cannot be saved) is collected, and the others are still written.
    let mut failed: Vec<(Format, ReportError)> = Vec::new();
    for &format in Format::ALL.iter().filter(|f| formats.contains(f)) {
        if let Err(e) = write_one(format, report, out_dir, &opts, &trends, &mut w) {
            failed.push((format, e));
        }
    }
    if report
        .sites
        .iter()
        .any(|s| s.findings.iter().any(|f| f.needs_review))
    {
        let p = out_dir.join(REVIEW_FILE);
        // A review file a person broke is left alone (`pucha report` says what is wrong with it);
        // the census output must not fail because of it.
        if let Ok(mut r) = Review::load_or_default(&p) {
            if r.merge_pending(report) > 0 || !p.exists() {
                if let Err(e) = r.save(&p) {
                    failed.push((Format::Md, e));
                }
            }
        }
        w.review = Some(p);
    }
    if failed.is_empty() {
        Ok(w)
    } else {
        Err(ReportError::Incomplete {
            written: Box::new(w),
            failed,
        })
    }
}

fn write_one(
    format: Format,
    report: &Report,
    out_dir: &Path,
    opts: &NoticeOptions,
    trends: &Trends,
    w: &mut Written,
) -> Result<(), ReportError> {
    let put = |name: &str, body: &str| -> Result<PathBuf, ReportError> {
        let p = out_dir.join(name);
        std::fs::write(&p, body).map_err(|e| ReportError::io(&p, e))?;
        Ok(p)
    };
    match format {
        Format::Json => {
            let p = out_dir.join("report.json");
            let body =
                serde_json::to_string_pretty(report).map_err(|source| ReportError::Json {
                    path: p.clone(),
                    source,
                })?;
            w.report_json = put("report.json", &body)?;
        }
        Format::Md => {
            w.notice_md = put("notice.md", &render_notice_md(report, opts))?;
            w.notice_docx = out_dir.join("notice.docx");
            docx::write_docx(&build_notice(report, opts), &w.notice_docx)?;
            let dir = out_dir.join("sites");
            std::fs::create_dir_all(&dir).map_err(|e| ReportError::io(&dir, e))?;
            for (i, s) in report.sites.iter().enumerate() {
                let key = s.site.key();
                let ctx = RunContext {
                    run: &report.run,
                    recheck: opts.recheck.as_ref().and_then(|d| d.site(&key)),
                    trend: trends.site(&key),
                };
                let p = dir.join(format!("{:03}-{}.md", i + 1, text::file_safe(&s.site.name)));
                std::fs::write(&p, render_site_md(s, &ctx)).map_err(|e| ReportError::io(&p, e))?;
                w.site_reports.push(p);
            }
        }
        Format::Html => {
            w.notice_html = put("notice.html", &render_notice_html(report, opts))?;
            let body = html::render_html_with(report, trends, opts);
            w.dashboard_html = put("dashboard.html", &body)?;
        }
        Format::Xlsx => {
            w.xlsx = out_dir.join("report.xlsx");
            write_xlsx(report, &w.xlsx)?;
        }
        Format::Csv => {
            w.findings_csv = out_dir.join("findings.csv");
            write_csv(report, &w.findings_csv)?;
            w.annex_csv = out_dir.join("annex.csv");
            write_annex_csv(report, &w.annex_csv)?;
        }
    }
    Ok(())
}
