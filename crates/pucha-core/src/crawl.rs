//! What the crawl of one site produced: the input of the rules.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::facts::{LinkTag, PageFacts};
use crate::intern::SharedStr;
use crate::site::Site;

/// One HTML page fetched and analysed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageRecord {
    /// The URL requested (normalised).
    pub url: String,
    /// The URL after redirects.
    pub final_url: String,
    pub status: u16,
    pub depth: u32,
    /// The page this one was first found on.
    #[serde(default)]
    pub parent: Option<String>,
    /// The anchor text it was found under (the column name for navigation links).
    #[serde(default)]
    pub anchor: Option<String>,
    #[serde(default)]
    pub bytes: u64,
    /// The body was cut at the size cap.
    #[serde(default)]
    pub truncated: bool,
    pub facts: PageFacts,
}

/// How a link target was classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    InternalPage,
    InternalResource,
    Attachment,
    External,
    /// javascript:, mailto:, tel:
    Pseudo,
    Malformed,
}

/// Why a link is broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BrokenReason {
    Status { status: u16 },
    Dns,
    Timeout,
    Tls { detail: String },
    Refused,
    Connect { detail: String },
    TooManyRedirects,
    Soft404,
    EmptyAttachment,
    Malformed { detail: String },
}

impl BrokenReason {
    /// One short Chinese phrase for reports.
    pub fn label_zh(&self) -> String {
        match self {
            BrokenReason::Status { status } => format!("HTTP {status}"),
            BrokenReason::Dns => "域名解析失败".into(),
            BrokenReason::Timeout => "访问超时".into(),
            BrokenReason::Tls { .. } => "证书/TLS 错误".into(),
            BrokenReason::Refused => "连接被拒绝".into(),
            BrokenReason::Connect { .. } => "无法连接".into(),
            BrokenReason::TooManyRedirects => "重定向过多或循环".into(),
            BrokenReason::Soft404 => "页面不存在（软 404）".into(),
            BrokenReason::EmptyAttachment => "附件为空".into(),
            BrokenReason::Malformed { .. } => "链接格式错误".into(),
        }
    }
}

/// The outcome of checking one link target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LinkOutcome {
    Ok {
        status: u16,
    },
    Broken {
        reason: BrokenReason,
    },
    /// A firewall / rate limiter turned the crawler away: not broken, reported separately.
    Blocked {
        detail: String,
    },
    /// Not checked: outside the egress policy, robots.txt, budget, pseudo link.
    NotChecked {
        why: String,
    },
}

/// One link occurrence: a page, and a target it links to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRecord {
    pub page: SharedStr,
    pub target: SharedStr,
    #[serde(default)]
    pub text: SharedStr,
    #[serde(default)]
    pub tag: LinkTag,
    pub kind: LinkKind,
    pub outcome: LinkOutcome,
}

/// Why a homepage availability probe failed (indicators §3.7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeFailure {
    Timeout,
    Dns,
    Tls,
    Connect,
    Status(u16),
    EmptyBody,
    RedirectLoop,
    Other(String),
}

/// One availability probe of a homepage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeSample {
    pub at: DateTime<Utc>,
    pub elapsed_ms: u64,
    #[serde(default)]
    pub status: Option<u16>,
    /// None when the probe succeeded.
    #[serde(default)]
    pub failure: Option<ProbeFailure>,
    /// What the homepage showed, when the probe read a 2xx HTML page (the monitor's
    /// "homepage not updated" early warning). Absent in samples stored before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<HomepageContent>,
}

/// What a probed homepage shows, reduced to what tells whether it was updated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomepageContent {
    /// The newest content date on the page (dated list items and the publication date);
    /// None when the page shows no date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newest: Option<chrono::NaiveDate>,
    /// A stable hash of what the page lists (dated items, else its links), not of the raw
    /// body, which changes with clocks and visit counters. 16 hex digits.
    pub fingerprint: String,
}

impl ProbeSample {
    pub fn ok(&self) -> bool {
        self.failure.is_none()
    }
}

/// Counters of what the crawl did and what its caps cut. Nothing is cut silently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CrawlStats {
    pub pages_fetched: u64,
    pub pages_failed: u64,
    pub bytes: u64,
    pub links_found: u64,
    pub links_checked: u64,
    pub links_broken: u64,
    pub links_blocked: u64,
    pub links_not_checked: u64,
    pub skipped_robots: u64,
    pub cut_max_pages: u64,
    pub cut_max_depth: u64,
    pub cut_max_time: u64,
    pub cut_outlinks: u64,
    pub cut_traps: u64,
    pub bodies_truncated: u64,
    pub elapsed_ms: u64,
    /// URL patterns stopped as crawler traps, with how many URLs each cut.
    pub traps: Vec<(String, u64)>,
    /// Link targets not checked because of `max_link_checks`.
    pub cut_link_checks: u64,
    /// Links not checked because the egress policy forbids their target.
    pub skipped_egress: u64,
    /// Pages a firewall or rate limiter refused (blocked, not broken).
    pub pages_blocked: u64,
    /// Requests retried after a transient error.
    pub retries: u64,
    /// Notes on what the crawler decided (robots.txt unreadable, Crawl-delay clamped, homepage blocked, ...).
    pub notes: Vec<String>,
    /// Link target hosts taken as down during the crawl: their further links were answered
    /// from the first failure instead of one request (and one timeout) each.
    pub hosts_down: Vec<HostDownRecord>,
    /// External links not checked because the checker had no outside network (the run's
    /// canaries did not answer): not broken, not judged.
    pub external_unchecked_offline: u64,
    /// Pages whose analysis failed (the analyser panicked): kept out of the site's pages so
    /// no rule judges them as pages without tags or dates; the crawl notes say so too.
    #[serde(default)]
    pub analysis_failed: Vec<String>,
    /// Pages over the analysis budget (too deep, too many nodes or attributes), analysed on
    /// a truncated tree: `"URL: what was cut"` each (`PageFacts::analysis_cut`). The pages
    /// are kept and judged on what was read; the crawl notes say so too.
    #[serde(default)]
    pub analysis_cut: Vec<String>,
}

/// A link target host taken as down, with the evidence of its first failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostDownRecord {
    /// `host:port`.
    pub host: String,
    pub reason: BrokenReason,
    /// The link target whose check showed it (possibly checked for another site of the run).
    pub first_url: String,
    /// Links of this site whose target is on the host.
    pub links: u64,
}

/// Homepage reachability at crawl time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Reachability {
    Reachable { status: u16 },
    Unreachable { reason: String },
}

/// Whether the site answers over IPv6 (ded.ipv6): its host's AAAA records and a TCP connect to one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Ipv6Check {
    /// A TCP connection to `addr` (an AAAA address of the host, on the site's port) succeeded.
    Reachable { addr: String },
    /// The host has no AAAA record (or is an IPv4 literal).
    NoAaaa { detail: String },
    /// The host has AAAA records but no connection succeeded.
    ConnectFailed { addr: String, error: String },
    /// Not checked (the egress policy forbids the address, or the lookup was not allowed): no verdict.
    NotChecked { why: String },
}

/// Everything the crawl of one site produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteCrawl {
    pub site: Site,
    pub started_at: DateTime<Utc>,
    pub reachability: Reachability,
    /// The homepage is pages[0] when it was fetched.
    pub pages: Vec<PageRecord>,
    pub links: Vec<LinkRecord>,
    /// Probes taken during the crawl (provisional availability evidence).
    #[serde(default)]
    pub probes: Vec<ProbeSample>,
    #[serde(default)]
    pub stats: CrawlStats,
    /// TLS problems of the site itself (recorded as findings).
    #[serde(default)]
    pub tls_errors: Vec<String>,
    /// IPv6 reachability of the homepage's host; `None` when the crawler did not look.
    #[serde(default)]
    pub ipv6: Option<Ipv6Check>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_samples_stored_before_homepage_content_still_decode() {
        let old = r#"{"at":"2026-03-01T00:00:00Z","elapsed_ms":120,"status":200,"failure":null}"#;
        let s: ProbeSample = serde_json::from_str(old).unwrap();
        assert_eq!(s.content, None);
        assert!(s.ok());
        // A sample without content is stored as before (no new field in the JSON).
        assert_eq!(serde_json::to_string(&s).unwrap(), old);
        let with = ProbeSample {
            content: Some(HomepageContent {
                newest: chrono::NaiveDate::from_ymd_opt(2026, 2, 20),
                fingerprint: "00ff00ff00ff00ff".into(),
            }),
            ..s
        };
        let json = serde_json::to_string(&with).unwrap();
        assert!(
            json.ends_with(
                r#""content":{"newest":"2026-02-20","fingerprint":"00ff00ff00ff00ff"}}"#
            ),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<ProbeSample>(&json).unwrap(), with);
    }
}
