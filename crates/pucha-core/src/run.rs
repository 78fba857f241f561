//! Runs (one census) and jobs (one site of a run), and the crawl settings a job carries.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::site::Site;

/// How sites are scored (indicators §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ScoringMode {
    /// Vetoes only: the full-coverage quarterly check.
    #[default]
    VetoOnly,
    /// Vetoes, then the 100-point deductions and the 30-point bonus gate.
    FullScore,
}

/// Whether a run was executed in-process or over the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ExecMode {
    #[default]
    Embedded,
    Distributed,
}

/// One census: a site list checked as of one date (监测时间点).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub id: String,
    /// 监测时间点: every window is computed back from this date (UTC+8).
    pub as_of: NaiveDate,
    #[serde(default)]
    pub mode: ScoringMode,
    #[serde(default)]
    pub exec: ExecMode,
    /// Rule pack used, e.g. "gb-2019".
    #[serde(default)]
    pub rule_pack: String,
    pub started_at: DateTime<Utc>,
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
    /// Number of sites in the run's site list.
    #[serde(default)]
    pub sites_total: usize,
    /// The rule pack every job of the run is judged by (absent in runs stored before it
    /// was recorded: their jobs use the worker's own pack).
    #[serde(default)]
    pub pack: Option<PackSpec>,
}

/// Which rule pack judges a job, so that every worker of a fleet judges it the same way: the
/// operator's overlay travels with the job (small: only the keys it changes) and the content
/// hash of the resolved pack is checked by the worker. A worker whose resolution differs (an
/// older binary with another built-in pack) refuses the job instead of mixing verdicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackSpec {
    /// `name@version`, as recorded in reports.
    pub label: String,
    /// SHA-256 (hex) of the resolved pack.
    pub hash: String,
    /// The operator's pack file (an overlay over the built-in pack, or a full pack); `None`
    /// for the built-in pack.
    #[serde(default)]
    pub overlay: Option<String>,
}

/// The work unit: check one site for one run. Everything a stateless worker needs is in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub run_id: String,
    pub as_of: NaiveDate,
    #[serde(default)]
    pub mode: ScoringMode,
    pub site: Site,
    /// Delivery attempt, starting at 1.
    #[serde(default = "one")]
    pub attempt: u32,
    #[serde(default)]
    pub crawl: CrawlConfig,
    /// The rule pack (absent in jobs of older coordinators: the worker's own pack is used).
    #[serde(default)]
    pub pack: Option<PackSpec>,
    /// Times a worker handed the job back because the result store could not be used
    /// (unreachable, or the run missing from it): the delay before the next try grows with
    /// it, and past a bound the job is dead-lettered.
    #[serde(default)]
    pub store_waits: u32,
}

fn one() -> u32 {
    1
}

/// Which networks the crawler may send requests to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EgressPolicy {
    /// Only loopback (127.0.0.0/8, ::1) is reachable; everything else is recorded as "not checked".
    /// Tests and the demo run with this on.
    #[serde(default)]
    pub loopback_only: bool,
    /// Allow private, loopback and link-local targets (off by default, except that the
    /// site list's own hosts are always allowed).
    #[serde(default)]
    pub allow_private: bool,
    /// Extra allowed networks (CIDR) or host names.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Denied networks (CIDR) or host names; deny wins over allow.
    #[serde(default)]
    pub deny: Vec<String>,
}

/// Crawl budgets and behaviour for one site. Every cap is explicit; what a cap cuts is counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CrawlConfig {
    pub max_pages: u32,
    pub max_depth: u32,
    /// Wall-clock budget for one site, in seconds.
    pub max_seconds: u64,
    pub max_outlinks_per_page: u32,
    pub connect_timeout_ms: u64,
    pub request_timeout_ms: u64,
    pub max_body_bytes: u64,
    pub max_redirects: u32,
    pub user_agent: String,
    /// Honour robots.txt (default true); false only for authorised inspections.
    pub respect_robots: bool,
    /// Per-host concurrent requests.
    pub per_host_concurrency: u32,
    /// Per-host requests per second.
    pub per_host_rps: f64,
    /// Lift politeness limits: only for servers you own (benchmarks, the demo farm).
    pub no_politeness: bool,
    /// Continue on TLS certificate errors (recorded as findings either way).
    pub accept_invalid_certs: bool,
    /// Extra hosts that belong to the site (e.g. a department's pages on the portal's domain).
    pub extra_hosts: Vec<String>,
    /// Check links to other hosts.
    pub check_external: bool,
    pub egress: EgressPolicy,
    /// Homepage availability probes taken during the crawl when the store has too few (veto.site_unreachable).
    pub inline_probes: u32,
    /// Query parameters dropped during URL normalisation (tracking and session ids); a trailing
    /// `*` matches a prefix (e.g. `utm_*`). Case-insensitive.
    pub drop_query_params: Vec<String>,
    /// Crawler-trap budget: pages per URL pattern (digits and tokens collapsed, e.g. `/cal?d=N-N-N`).
    pub max_pages_per_pattern: u32,
    /// Crawler-trap budget: consecutive pages of one pattern each found on the previous one
    /// (next-day links of a calendar, next-page links of an endless pagination).
    pub max_pattern_chain: u32,
    /// Distinct link targets checked per site (resources, attachments, external links).
    pub max_link_checks: u32,
    /// Concurrent link checks per site (each host is still limited by the politeness settings).
    pub check_concurrency: u32,
    /// Concurrent page fetches per site when `no_politeness` is set (otherwise `per_host_concurrency`).
    pub unpolite_concurrency: u32,
    /// Retries for transient errors (connection reset, 502/503/504, 429); timeouts are not retried.
    pub retries: u32,
    /// Longest Retry-After / Crawl-delay honoured, in seconds (longer values are clamped and noted).
    pub max_retry_after_s: u64,
    /// HTTP(S) proxy every request goes through (`http://host:port`), as intranet servers need;
    /// the binary fills it from `--proxy` or HTTPS_PROXY / HTTP_PROXY. The proxy's own host is
    /// allowed by the egress policy.
    pub proxy: Option<String>,
    /// `host:port` of outside servers asked (one TCP connect each) before external links are
    /// checked: when none answers, the checker has no outside network and external links are
    /// "not checked", never "broken". Empty (the library default): assume the outside
    /// answers; the binary fills in [`DEFAULT_CANARIES`]. Not asked under
    /// `egress.loopback_only`. With a proxy, the proxy is asked instead.
    pub canaries: Vec<String>,
}

/// The canaries `pucha run` and `pucha coordinator` ask unless told otherwise (`--canary`).
pub const DEFAULT_CANARIES: &[&str] = &["www.gov.cn:443", "www.baidu.com:443", "www.qq.com:443"];

impl Default for CrawlConfig {
    fn default() -> Self {
        CrawlConfig {
            max_pages: 2000,
            max_depth: 6,
            max_seconds: 1800,
            max_outlinks_per_page: 500,
            connect_timeout_ms: 10_000,
            request_timeout_ms: 15_000,
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 10,
            user_agent: concat!(
                "pucha/",
                env!("CARGO_PKG_VERSION"),
                " (government website inspection; +https://github.com/pucha)"
            )
            .to_string(),
            respect_robots: true,
            per_host_concurrency: 2,
            per_host_rps: 3.0,
            no_politeness: false,
            accept_invalid_certs: false,
            extra_hosts: Vec::new(),
            check_external: true,
            egress: EgressPolicy::default(),
            inline_probes: 20,
            drop_query_params: [
                "utm_*",
                "spm",
                "jsessionid",
                "phpsessid",
                "aspsessionid*",
                "sessionid",
                "gclid",
                "fbclid",
                "_",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            max_pages_per_pattern: 300,
            max_pattern_chain: 10,
            max_link_checks: 5000,
            check_concurrency: 8,
            unpolite_concurrency: 16,
            retries: 2,
            max_retry_after_s: 30,
            proxy: None,
            canaries: Vec::new(),
        }
    }
}
