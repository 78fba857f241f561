//! Findings, verdicts and site results: what the rules produce and the report contract carries.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::crawl::CrawlStats;
use crate::run::Run;
use crate::site::Site;
use crate::summary::Summary;

/// The category of a rule (indicators §0 `cat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Veto,
    Deduction,
    Norm,
    Info,
    /// A check beyond the 2019 indicators (超出 2019 指标的检查, `ext.*` rules): reported in a
    /// section of its own, never scored and never a veto unless a rule pack promotes it.
    Extension,
}

/// One piece of evidence: where a problem is and what was seen there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Evidence {
    /// The page (or column, or link source) the evidence is about.
    pub url: String,
    /// What is wrong, in one line.
    pub detail: String,
    /// Text around the hit (≤200 chars).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// The column (栏目) name, when the evidence is about a column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The relevant date (newest item, message date, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// A link target, for broken links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// One finding: a rule that a site breaks (or comes close to), with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule id from the indicators (e.g. `veto.blank_columns`).
    pub rule: String,
    /// Occurrences found, whether or not the rule's threshold was reached.
    pub count: u32,
    pub severity: Severity,
    /// The rule's threshold was reached (for vetoes: this finding vetoes the site).
    #[serde(default)]
    pub triggered: bool,
    /// A person must confirm it before it counts (the spec's `auto = partly`, or provisional evidence).
    #[serde(default)]
    pub needs_review: bool,
    /// Points deducted (full_score mode), when scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    /// One plain Chinese sentence for the notice's annex, e.g. "空白栏目 7 个".
    #[serde(default)]
    pub summary_zh: String,
    pub evidence: Vec<Evidence>,
}

/// The verdict on one site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 合格
    Pass,
    /// 不合格
    Fail,
    /// The check itself failed (retries exhausted); listed in the notice.
    Error,
}

impl Verdict {
    pub fn label_zh(self) -> &'static str {
        match self {
            Verdict::Pass => "合格",
            Verdict::Fail => "不合格",
            Verdict::Error => "检测失败",
        }
    }
}

/// The result of checking one site: a row of the report contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteResult {
    #[serde(flatten)]
    pub site: Site,
    pub verdict: Verdict,
    /// Rule ids that made the site fail.
    pub vetoes: Vec<String>,
    /// Deduction score (plus bonus) in full_score mode; null in veto_only mode.
    pub score: Option<f64>,
    pub findings: Vec<Finding>,
    /// Some vetoing finding needs a person's confirmation (待复核).
    #[serde(default)]
    pub needs_review: bool,
    /// Why the check failed, for verdict "error".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default)]
    pub crawl: CrawlStats,
    /// Worker attempts it took.
    #[serde(default)]
    pub attempts: u32,
}

impl SiteResult {
    /// A result for a site whose check failed for good (retries exhausted).
    pub fn error(site: Site, reason: impl Into<String>, attempts: u32) -> SiteResult {
        SiteResult {
            site,
            verdict: Verdict::Error,
            vetoes: Vec::new(),
            score: None,
            findings: Vec::new(),
            needs_review: false,
            error: Some(reason.into()),
            crawl: CrawlStats::default(),
            attempts,
        }
    }

    pub fn finding(&self, rule: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.rule == rule)
    }
}

/// The report contract (docs/report-schema.md): `report.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub run: Run,
    pub summary: Summary,
    pub sites: Vec<SiteResult>,
}

impl Report {
    /// Builds the report from a run and its results, sorted by category, then name, then URL:
    /// results come back from the store in no order, so the notice's order is made here.
    pub fn new(run: Run, mut sites: Vec<SiteResult>) -> Report {
        sites.sort_by(|a, b| {
            a.site
                .category
                .cmp(&b.site.category)
                .then_with(|| a.site.name.cmp(&b.site.name))
                .then_with(|| a.site.url.as_str().cmp(b.site.url.as_str()))
        });
        let summary = Summary::from_results(&sites);
        Report {
            run,
            summary,
            sites,
        }
    }
}
