//! Running an embedded census from the command line: the options `pucha run` and
//! `pucha demo` share, and the wiring of crawler, rules, queue, store and report writer.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, FixedOffset, NaiveDate};
use pucha_cluster::checker::SiteChecker;
use pucha_cluster::store::ResultStore;
use pucha_core::{CrawlConfig, ExecMode, PackSpec, Report, Run, ScoringMode, Site};
use pucha_rules::RulePack;

/// Options of a census run shared by `run`, `demo` and `coordinator`.
#[derive(Debug, Clone, clap::Args)]
pub struct CensusOpts {
    /// 监测时间点: the date every window is computed back from (YYYY-MM-DD, UTC+8). Default: today.
    #[arg(long, value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
    /// Run id; re-using one resumes that run. Default (`pucha run`): derived from the run's
    /// inputs (site list, as-of date, scoring mode, rule pack), so running the same command again
    /// resumes an interrupted census and a changed input starts a new run. A run's inputs are
    /// fixed when it is created: resuming a named run with others is refused (see --replace).
    #[arg(long = "run")]
    pub run_id: Option<String>,
    /// With --run ID of a stored run created with other inputs (site list, as-of, mode,
    /// rule pack): delete that run and its results and start it anew with these.
    #[arg(long)]
    pub replace: bool,
    /// Scoring mode: veto_only (the full-coverage quarterly check) or full_score.
    #[arg(long, value_enum, default_value = "veto-only")]
    pub mode: ModeArg,
    /// Rule pack (TOML) overriding the built-in national gb-2019 values, e.g. a province's overlay.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Most pages crawled per site.
    #[arg(long)]
    pub max_pages: Option<u32>,
    /// Most link hops from the homepage.
    #[arg(long)]
    pub max_depth: Option<u32>,
    /// Wall-clock budget per site, in seconds.
    #[arg(long)]
    pub max_seconds: Option<u64>,
    /// Ignore robots.txt: only for inspections you are authorised to make.
    #[arg(long)]
    pub ignore_robots: bool,
    /// Lift per-host rate and concurrency limits: only for servers you own (benchmarks, the demo farm).
    #[arg(long)]
    pub no_politeness: bool,
    /// Send requests only to loopback (127.0.0.0/8); links elsewhere are recorded as not checked.
    #[arg(long)]
    pub loopback_only: bool,
    /// User agent sent with every request.
    #[arg(long, env = "PUCHA_USER_AGENT")]
    pub user_agent: Option<String>,
    /// HTTP(S) proxy for every request (e.g. http://proxy.intranet:3128). Default: PUCHA_PROXY,
    /// else HTTPS_PROXY / HTTP_PROXY from the environment.
    #[arg(long)]
    pub proxy: Option<String>,
    /// `host:port` of an outside server asked before external links are checked (repeatable;
    /// default www.gov.cn:443, www.baidu.com:443, www.qq.com:443). When none answers, external
    /// links are recorded as not checked (no outside network), never as broken.
    #[arg(long = "canary")]
    pub canaries: Vec<String>,
    /// Ask no canary: assume the outside network answers.
    #[arg(long)]
    pub no_canary: bool,
    /// When the census must be done (RFC 3339, or `YYYY-MM-DD HH:MM` in UTC+8): exported as
    /// `pucha_run_deadline_timestamp_seconds`, which the PuchaRunBehindDeadline alert compares
    /// with the ETA.
    #[arg(long, value_parser = parse_deadline)]
    pub deadline: Option<DateTime<FixedOffset>>,
    /// The notice's settings (issuer, 文号, date…), from `pucha.toml` (`crate::config`).
    #[arg(skip)]
    pub notice: pucha_report::NoticeOptions,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ModeArg {
    #[value(alias = "veto_only")]
    VetoOnly,
    #[value(alias = "full_score")]
    FullScore,
}

/// The proxy the environment names (PUCHA_PROXY, HTTPS_PROXY, HTTP_PROXY, lower case too).
fn proxy_from_env() -> Option<String> {
    [
        "PUCHA_PROXY",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
    ]
    .iter()
    .filter_map(|k| std::env::var(k).ok())
    .find(|v| !v.trim().is_empty())
}

/// Parses `--deadline`: RFC 3339, or `YYYY-MM-DD HH:MM` / `YYYY-MM-DD` (end of day) in UTC+8.
pub fn parse_deadline(s: &str) -> Result<DateTime<FixedOffset>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t);
    }
    let cst = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(23, 59, 59))
        })
        .ok_or_else(|| {
            format!("{s:?} is not a deadline: use RFC 3339 (2026-12-31T18:00:00+08:00) or YYYY-MM-DD HH:MM (UTC+8)")
        })?;
    naive
        .and_local_timezone(cst)
        .single()
        .ok_or_else(|| format!("{s:?} is not a time in UTC+8"))
}

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| format!("{s:?} is not a YYYY-MM-DD date: {e}"))
}

impl CensusOpts {
    /// Options for a census of servers we own on loopback (the demo farm, tests, benchmarks):
    /// politeness lifted, traffic confined to loopback, robots.txt still honoured.
    pub fn own_loopback_farm(as_of: NaiveDate) -> CensusOpts {
        CensusOpts {
            as_of: Some(as_of),
            run_id: None,
            replace: false,
            mode: ModeArg::VetoOnly,
            rules: None,
            max_pages: None,
            max_depth: None,
            max_seconds: Some(120),
            ignore_robots: false,
            no_politeness: true,
            loopback_only: true,
            user_agent: None,
            proxy: None,
            canaries: Vec::new(),
            no_canary: true,
            deadline: None,
            notice: pucha_report::NoticeOptions::default(),
        }
    }

    /// Exports the run's deadline (0 when it has none) for the PuchaRunBehindDeadline alert.
    pub fn export_deadline(&self) {
        let secs = self.deadline.map_or(0, |d| d.timestamp());
        pucha_metrics::metrics()
            .run_deadline_timestamp_seconds
            .set(secs as f64);
    }

    /// The crawl settings these options ask for.
    pub fn crawl_config(&self) -> CrawlConfig {
        let mut c = CrawlConfig::default();
        if let Some(v) = self.max_pages {
            c.max_pages = v;
        }
        if let Some(v) = self.max_depth {
            c.max_depth = v;
        }
        if let Some(v) = self.max_seconds {
            c.max_seconds = v;
        }
        if let Some(ua) = &self.user_agent {
            c.user_agent = ua.clone();
        }
        c.respect_robots = !self.ignore_robots;
        c.no_politeness = self.no_politeness;
        c.egress.loopback_only = self.loopback_only;
        c.proxy = self.proxy.clone().or_else(proxy_from_env);
        c.canaries = if self.no_canary {
            Vec::new()
        } else if self.canaries.is_empty() {
            pucha_core::DEFAULT_CANARIES
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            self.canaries.clone()
        };
        c
    }

    pub fn scoring_mode(&self) -> ScoringMode {
        match self.mode {
            ModeArg::VetoOnly => ScoringMode::VetoOnly,
            ModeArg::FullScore => ScoringMode::FullScore,
        }
    }

    /// The rule pack: built-in, or the given file over it; with the spec its jobs carry.
    pub fn rule_pack(&self) -> anyhow::Result<(RulePack, PackSpec)> {
        match &self.rules {
            None => {
                let pack = RulePack::builtin();
                let spec = pack.spec(None);
                Ok((pack, spec))
            }
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read the rule pack {}", p.display()))?;
                let pack = RulePack::from_overlay_str(&text)
                    .with_context(|| format!("cannot load the rule pack {}", p.display()))?;
                let spec = pack.spec(Some(text));
                Ok((pack, spec))
            }
        }
    }

    /// The run id to use for `sites`: the one given, else [`stable_run_id`] of the inputs.
    pub fn run_id_for(&self, sites: &[Site]) -> anyhow::Result<String> {
        if let Some(id) = &self.run_id {
            return Ok(id.clone());
        }
        let (_, spec) = self.rule_pack()?;
        let as_of = self.as_of.unwrap_or_else(pucha_crawl::today_cst);
        Ok(stable_run_id(as_of, self.scoring_mode(), &spec, sites))
    }

    /// A new run record (or the id of one to resume).
    pub fn new_run(&self, exec: ExecMode, pack: &PackSpec, sites: usize) -> Run {
        let as_of = self.as_of.unwrap_or_else(pucha_crawl::today_cst);
        let started_at = chrono::Utc::now();
        let id = self
            .run_id
            .clone()
            .unwrap_or_else(|| default_run_id(as_of, started_at));
        Run {
            id,
            as_of,
            mode: self.scoring_mode(),
            exec,
            rule_pack: pack.label.clone(),
            started_at,
            finished_at: None,
            sites_total: sites,
            pack: Some(pack.clone()),
        }
    }
}

/// The default id of a run of these inputs, e.g. `2024q4-20241008-3fa2b1c95d07e6a4`: the quarter
/// and the as-of date, then a digest of the sites (as parsed, so re-saving the list in another
/// encoding changes nothing), the scoring mode and the rule pack's hash. The same inputs give the
/// same id, so a plain re-run resumes; changed inputs give a new one, never a refused resume.
pub fn stable_run_id(
    as_of: NaiveDate,
    mode: ScoringMode,
    pack: &PackSpec,
    sites: &[Site],
) -> String {
    use chrono::Datelike;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325; // FNV-1a
    let mut feed = |bytes: &[u8]| {
        for &b in bytes.iter().chain(std::iter::once(&0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(as_of.to_string().as_bytes());
    feed(format!("{mode:?}").as_bytes());
    feed(pack.label.as_bytes());
    feed(pack.hash.as_bytes());
    feed(pack.overlay.as_deref().unwrap_or("").as_bytes());
    for s in sites {
        feed(&serde_json::to_vec(s).unwrap_or_default());
    }
    format!(
        "{}q{}-{}-{h:016x}",
        as_of.year(),
        (as_of.month0() / 3) + 1,
        as_of.format("%Y%m%d")
    )
}

/// e.g. `2024q4-20241008t0930`: the quarter of the as-of date and the start time.
pub fn default_run_id(as_of: NaiveDate, at: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Datelike;
    let q = (as_of.month0() / 3) + 1;
    format!(
        "{}q{}-{}",
        as_of.year(),
        q,
        at.with_timezone(&pucha_core::cst()).format("%Y%m%dt%H%M%S")
    )
}

/// The worker's job processor: crawler + rules.
pub fn site_checker(crawl: &CrawlConfig, pack: RulePack) -> anyhow::Result<SiteChecker> {
    let crawler = pucha_crawl::Crawler::new(crawl).context("cannot build the HTTP client")?;
    Ok(SiteChecker::new(crawler, Arc::new(pack)))
}

/// Runs an embedded census over `sites`, writes every output file into `out` and returns the report.
pub async fn run_embedded(
    sites: &[Site],
    opts: &CensusOpts,
    crawl: &CrawlConfig,
    admission: pucha_cluster::admission::Admission,
    store: Arc<dyn ResultStore>,
    out: &Path,
) -> anyhow::Result<Report> {
    let (pack, spec) = opts.rule_pack()?;
    let mut run = opts.new_run(ExecMode::Embedded, &spec, sites.len());
    opts.export_deadline();
    // One census per run at a time (a lock file in a data directory).
    let lease = pucha_cluster::coordinator::RunLease::take(
        store.clone(),
        &run.id,
        &pucha_cluster::coordinator::coordinator_holder(),
        std::time::Duration::from_secs(30),
    )
    .await?;
    if let Some(stored) = store.run(&run.id).await? {
        if opts.as_of.is_none() {
            run.as_of = stored.as_of; // resuming without --as-of: the run's own
        }
        if opts.replace {
            pucha_cluster::coordinator::replace_if_changed(store.as_ref(), &run, sites).await?;
        }
    }
    if let Some(stored) = store.run(&run.id).await? {
        let changes = pucha_cluster::coordinator::input_changes(
            &stored,
            &store.sites(&run.id).await?,
            &run,
            sites,
        );
        if !changes.is_empty() {
            return Err(pucha_cluster::coordinator::RunError::InputsChanged {
                run: run.id.clone(),
                changes,
            }
            .into());
        }
        tracing::info!(run = %run.id, "resuming the run: sites with a result are not checked again");
        run = stored;
    }
    tracing::info!(run = %run.id, as_of = %run.as_of, sites = sites.len(), max_sites_in_flight = admission.max, memory_budget_mib = admission.memory_budget / (1024 * 1024), "census started");
    let checker = Arc::new(site_checker(crawl, pack)?);
    let bar = progress_bar(sites.len());
    let live_of = checker.crawler().clone();
    let mut last_logged = 0;
    let mut last_log_at = std::time::Instant::now();
    let report = pucha_cluster::embedded::run_census(
        &run,
        sites,
        crawl,
        admission,
        store.clone(),
        checker,
        |p| {
            let live = live_of.live();
            match &bar {
                Some(b) => {
                    b.set_position(p.done as u64);
                    b.set_message(progress_message(&live, p.eta));
                }
                None if p.done != last_logged || last_log_at.elapsed() >= LOG_EVERY => {
                    last_logged = p.done;
                    last_log_at = std::time::Instant::now();
                    tracing::info!(
                        done = p.done,
                        total = p.total,
                        in_flight = live.sites_in_flight,
                        pages = live.pages,
                        link_checks = live.link_checks,
                        eta_s = p.eta.map(|d| d.as_secs()),
                        "progress"
                    );
                }
                None => {}
            }
        },
    )
    .await
    .context("the census did not finish")?;
    lease.release().await;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let history = history_before(store.as_ref(), &report).await;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let formats = pucha_report::Format::ALL;
    pucha_report::write_formats(&report, out, &history, &opts.notice, &formats)
        .with_context(|| format!("cannot write the report into {}", out.display()))?;
    Ok(report)
}

/// Earlier finished runs in the store, oldest first, for the re-check and the trends.
pub async fn history_before(store: &dyn ResultStore, report: &Report) -> Vec<Report> {
    let mut runs = match store.list_runs().await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "cannot list earlier runs; the report has no history");
            return Vec::new();
        }
    };
    runs.retain(|r| {
        r.id != report.run.id && r.finished_at.is_some() && r.started_at < report.run.started_at
    });
    runs.sort_by_key(|r| r.started_at);
    let mut out = Vec::new();
    for r in runs {
        if let Ok(Some(rep)) = store.load_report(&r.id).await {
            out.push(rep);
        }
    }
    out
}

/// How often a census without a terminal logs its progress even when no site finished.
const LOG_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// The progress bar's message: what the crawler has done so far and the ETA.
fn progress_message(live: &pucha_crawl::LiveStats, eta: Option<std::time::Duration>) -> String {
    let eta = eta.map_or_else(|| "ETA -".to_string(), |d| format!("ETA {}", hms(d)));
    format!(
        "{} pages · {} links checked · {} sites in flight · {eta}",
        live.pages, live.link_checks, live.sites_in_flight
    )
}

/// A duration as a person reads an ETA: `1h02m`, `4m05s`, `9s`.
pub fn hms(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

fn progress_bar(total: usize) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new(total as u64);
    b.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} sites {msg}",
        )
        .expect("valid template"),
    );
    Some(b)
}

/// Prints the run's headline numbers.
pub fn print_summary(report: &Report, out: &Path) {
    let s = &report.summary;
    println!(
        "run {} (as of {}): {} sites, {} passed, {} failed, {} errors; pass rate {}",
        report.run.id,
        report.run.as_of,
        s.total,
        s.passed,
        s.failed,
        s.errors,
        s.counts().pass_rate_text()
    );
    println!("notice:  {}", out.join("notice.md").display());
    println!(
        "         {} (A4 document)",
        out.join("notice.html").display()
    );
    println!("         {}", out.join("notice.docx").display());
    println!("dashboard: {}", out.join("dashboard.html").display());
    println!("report:  {}", out.join("report.json").display());
}

#[cfg(test)]
mod tests {

    #[test]
    fn progress_says_what_the_crawler_did_and_when_it_ends() {
        let live = pucha_crawl::LiveStats {
            pages: 1200,
            link_checks: 3400,
            sites_in_flight: 43,
            sites_started: 43,
        };
        assert_eq!(
            progress_message(&live, Some(std::time::Duration::from_secs(3725))),
            "1200 pages · 3400 links checked · 43 sites in flight · ETA 1h02m"
        );
        assert!(progress_message(&live, None).ends_with("ETA -"));
        assert_eq!(hms(std::time::Duration::from_secs(75)), "1m15s");
        assert_eq!(hms(std::time::Duration::from_secs(9)), "9s");
    }

    use super::*;

    #[test]
    fn deadlines_parse_in_rfc3339_and_in_utc8() {
        let a = parse_deadline("2026-12-31T18:00:00+08:00").unwrap();
        let b = parse_deadline("2026-12-31 18:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.timestamp(), 1_798_711_200);
        let end = parse_deadline("2026-12-31").unwrap();
        assert_eq!(end.timestamp() - a.timestamp(), 5 * 3600 + 59 * 60 + 59);
        assert!(parse_deadline("next friday")
            .unwrap_err()
            .contains("RFC 3339"));
    }

    #[test]
    fn stable_run_ids_follow_the_inputs() {
        let d = NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
        let pack = RulePack::builtin().spec(None);
        let sites = pucha_core::sitelist::parse_csv(
            "name,url\nA,http://127.0.0.9/\nB,http://127.0.0.10/\n",
            "t",
        )
        .unwrap();
        let id = stable_run_id(d, ScoringMode::VetoOnly, &pack, &sites);
        assert!(id.starts_with("2026q3-20260930-"), "{id}");
        assert_eq!(id, stable_run_id(d, ScoringMode::VetoOnly, &pack, &sites));
        let others = [
            stable_run_id(d.succ_opt().unwrap(), ScoringMode::VetoOnly, &pack, &sites),
            stable_run_id(d, ScoringMode::FullScore, &pack, &sites),
            stable_run_id(d, ScoringMode::VetoOnly, &pack, &sites[..1]),
        ];
        for o in others {
            assert_ne!(o, id);
        }
        let mut opts = CensusOpts::own_loopback_farm(d);
        assert_eq!(opts.run_id_for(&sites).unwrap(), id);
        opts.run_id = Some("mine".into());
        assert_eq!(opts.run_id_for(&sites).unwrap(), "mine");
    }

    #[test]
    fn the_deadline_reaches_the_alert_gauge() {
        let mut opts = CensusOpts::own_loopback_farm(NaiveDate::from_ymd_opt(2026, 9, 30).unwrap());
        opts.deadline = Some(parse_deadline("2026-12-31 18:00").unwrap());
        opts.export_deadline();
        let g = &pucha_metrics::metrics().run_deadline_timestamp_seconds;
        assert_eq!(g.get(), 1_798_711_200.0);
        assert!(pucha_metrics::metrics()
            .render()
            .contains("pucha_run_deadline_timestamp_seconds 1798711200"));
    }
}
