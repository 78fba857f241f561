//! Every Prometheus metric pucha exports, defined in one place.
//!
//! Why one crate: names, units and label sets follow the written spec in
//! `docs/metrics.md`, and keeping every definition here is what lets a test
//! (and the deploy checks) compare the dashboard and the alert rules against
//! what the processes really export. Other crates never build metrics
//! themselves; they call [`metrics()`] and bump the typed fields.
//!
//! Label values come from closed sets (enums below, rule ids from
//! `pucha_core::rule_ids::ALL`), so a metric's cardinality is known in
//! advance. The only open label is `site`, and only on the availability
//! series of `pucha monitor` (as blackbox_exporter does with `instance`).
//!
//! [`serve`] exposes `/metrics`, `/healthz` and `/readyz` over HTTP.

mod server;

use std::sync::OnceLock;

use prometheus::{
    Encoder, Gauge, GaugeVec, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};
use pucha_core::{BrokenReason, CrawlStats, LinkOutcome, ProbeFailure, ProbeSample};

pub use server::{serve, serve_listener, Readiness, ServerHandle};

/// The prefix of every metric pucha defines.
pub const PREFIX: &str = "pucha";

/// The closed set of fetch error classes (`pucha_fetch_errors_total{kind}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FetchErrorKind {
    Dns,
    Connect,
    Timeout,
    Tls,
    Status4xx,
    Status5xx,
    BodyTooLarge,
    Redirect,
    Other,
}

impl FetchErrorKind {
    pub const ALL: [FetchErrorKind; 9] = [
        FetchErrorKind::Dns,
        FetchErrorKind::Connect,
        FetchErrorKind::Timeout,
        FetchErrorKind::Tls,
        FetchErrorKind::Status4xx,
        FetchErrorKind::Status5xx,
        FetchErrorKind::BodyTooLarge,
        FetchErrorKind::Redirect,
        FetchErrorKind::Other,
    ];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            FetchErrorKind::Dns => "dns",
            FetchErrorKind::Connect => "connect",
            FetchErrorKind::Timeout => "timeout",
            FetchErrorKind::Tls => "tls",
            FetchErrorKind::Status4xx => "status_4xx",
            FetchErrorKind::Status5xx => "status_5xx",
            FetchErrorKind::BodyTooLarge => "body_too_large",
            FetchErrorKind::Redirect => "redirect",
            FetchErrorKind::Other => "other",
        }
    }

    /// The class of an HTTP status, when it is an error (≥ 400).
    pub fn of_status(status: u16) -> Option<FetchErrorKind> {
        match status {
            400..=499 => Some(FetchErrorKind::Status4xx),
            500..=599 => Some(FetchErrorKind::Status5xx),
            600.. => Some(FetchErrorKind::Other),
            _ => None,
        }
    }

    /// The class of a broken link; `None` when nothing was fetched (a malformed link).
    pub fn of_broken(reason: &BrokenReason) -> Option<FetchErrorKind> {
        Some(match reason {
            BrokenReason::Status { status } => {
                FetchErrorKind::of_status(*status).unwrap_or(FetchErrorKind::Other)
            }
            BrokenReason::Dns => FetchErrorKind::Dns,
            BrokenReason::Timeout => FetchErrorKind::Timeout,
            BrokenReason::Tls { .. } => FetchErrorKind::Tls,
            BrokenReason::Refused | BrokenReason::Connect { .. } => FetchErrorKind::Connect,
            BrokenReason::TooManyRedirects => FetchErrorKind::Redirect,
            BrokenReason::Soft404 | BrokenReason::EmptyAttachment => FetchErrorKind::Other,
            BrokenReason::Malformed { .. } => return None,
        })
    }

    /// The class of a failed availability probe.
    pub fn of_probe(failure: &ProbeFailure) -> FetchErrorKind {
        match failure {
            ProbeFailure::Timeout => FetchErrorKind::Timeout,
            ProbeFailure::Dns => FetchErrorKind::Dns,
            ProbeFailure::Tls => FetchErrorKind::Tls,
            ProbeFailure::Connect => FetchErrorKind::Connect,
            ProbeFailure::Status(s) => {
                FetchErrorKind::of_status(*s).unwrap_or(FetchErrorKind::Other)
            }
            ProbeFailure::RedirectLoop => FetchErrorKind::Redirect,
            ProbeFailure::EmptyBody | ProbeFailure::Other(_) => FetchErrorKind::Other,
        }
    }
}

/// The closed set of link check results (`pucha_links_checked_total{result}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkResult {
    Ok,
    Broken,
    Blocked,
    NotChecked,
}

impl LinkResult {
    pub const ALL: [LinkResult; 4] = [
        LinkResult::Ok,
        LinkResult::Broken,
        LinkResult::Blocked,
        LinkResult::NotChecked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkResult::Ok => "ok",
            LinkResult::Broken => "broken",
            LinkResult::Blocked => "blocked",
            LinkResult::NotChecked => "not_checked",
        }
    }

    pub fn of(outcome: &LinkOutcome) -> LinkResult {
        match outcome {
            LinkOutcome::Ok { .. } => LinkResult::Ok,
            LinkOutcome::Broken { .. } => LinkResult::Broken,
            LinkOutcome::Blocked { .. } => LinkResult::Blocked,
            LinkOutcome::NotChecked { .. } => LinkResult::NotChecked,
        }
    }
}

/// The closed set of queues whose depth is exported (`pucha_queue_depth{queue}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueueKind {
    /// The main job queue.
    Jobs,
    /// Jobs waiting for a delayed retry.
    Retry,
    /// Jobs that exhausted their attempts.
    DeadLetter,
}

impl QueueKind {
    pub const ALL: [QueueKind; 3] = [QueueKind::Jobs, QueueKind::Retry, QueueKind::DeadLetter];

    pub fn as_str(self) -> &'static str {
        match self {
            QueueKind::Jobs => "jobs",
            QueueKind::Retry => "retry",
            QueueKind::DeadLetter => "dead_letter",
        }
    }
}

/// The closed set of backing services whose reachability is exported (`pucha_dependency_up{dependency}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dependency {
    Broker,
    Redis,
}

impl Dependency {
    pub const ALL: [Dependency; 2] = [Dependency::Broker, Dependency::Redis];

    pub fn as_str(self) -> &'static str {
        match self {
            Dependency::Broker => "broker",
            Dependency::Redis => "redis",
        }
    }
}

/// Why the monitor dropped a probe job without probing (`pucha_probe_jobs_dropped_total{reason}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProbeDrop {
    /// It waited in the queue past its slot; a late probe would misplace the sample.
    Expired,
    /// Its slot already has a sample (a redelivery after the sample was stored).
    Duplicate,
}

impl ProbeDrop {
    pub const ALL: [ProbeDrop; 2] = [ProbeDrop::Expired, ProbeDrop::Duplicate];

    pub fn as_str(self) -> &'static str {
        match self {
            ProbeDrop::Expired => "expired",
            ProbeDrop::Duplicate => "duplicate",
        }
    }
}

/// Buckets of `pucha_job_duration_seconds`: one site takes seconds to half an hour.
pub const JOB_DURATION_BUCKETS: &[f64] = &[
    1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1200.0, 1800.0, 3600.0,
];

/// Every metric of pucha. Get the process-wide instance with [`metrics()`].
///
/// Unlabelled metrics are public fields; labelled ones are reached through
/// methods taking the closed label enums, so no caller can invent a label value.
pub struct Metrics {
    registry: Registry,
    /// Jobs the coordinator published to the broker.
    pub jobs_published: IntCounter,
    /// Jobs a worker began (every delivery, including redeliveries).
    pub jobs_started: IntCounter,
    /// Jobs whose site result was stored.
    pub jobs_done: IntCounter,
    /// Job attempts that ended in an error (to be retried or dead-lettered).
    pub jobs_failed: IntCounter,
    /// Deliveries the broker marked as redelivered.
    pub jobs_redelivered: IntCounter,
    /// Jobs moved to the dead-letter queue.
    pub jobs_dead_lettered: IntCounter,
    /// Jobs a worker handed back to the queue, after a delay, because the result store
    /// could not be used (unreachable, or the run is not in it).
    pub jobs_requeued: IntCounter,
    /// Store operations of a job that failed (reading, leasing or writing its result).
    pub store_errors: IntCounter,
    /// Runs the coordinator found missing from the store and re-created from its site list.
    pub runs_recreated: IntCounter,
    /// Wall-clock time of one job (crawl + check + store), in seconds.
    pub job_duration: Histogram,
    /// HTML pages fetched.
    pub pages_fetched: IntCounter,
    /// Body bytes fetched.
    pub fetched_bytes: IntCounter,
    fetch_errors: IntCounterVec,
    links_checked: IntCounterVec,
    queue_depth: IntGaugeVec,
    /// Jobs this worker is processing right now.
    pub jobs_in_flight: IntGauge,
    /// Sites in the current run (coordinator). Exported as `pucha_run_sites`: a gauge,
    /// so no `_total` suffix (that is for counters).
    pub run_sites_total: IntGauge,
    /// Sites of the current run with a stored result (coordinator).
    pub run_sites_done: IntGauge,
    /// Estimated seconds until the current run is done (coordinator).
    pub run_eta_seconds: Gauge,
    /// The run's deadline as a unix timestamp in seconds; 0 when it has none.
    pub run_deadline_timestamp_seconds: Gauge,
    findings: IntCounterVec,
    probes: IntCounterVec,
    site_probe_success: IntGaugeVec,
    site_probe_duration: GaugeVec,
    site_availability_ratio: GaugeVec,
    site_availability_warning: IntGaugeVec,
    /// Early availability warnings fired (monitor).
    pub availability_warnings: IntCounter,
    site_homepage_updated: GaugeVec,
    site_homepage_stale: IntGaugeVec,
    /// "Homepage not updated" early warnings fired (monitor).
    pub homepage_warnings: IntCounter,
    /// Probe jobs the monitor's scheduler published to the probe queue (queue mode).
    pub probe_jobs_published: IntCounter,
    probe_jobs_dropped: IntCounterVec,
    dependency_up: IntGaugeVec,
    build_info: IntGaugeVec,
}

/// The process-wide metrics.
pub fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

fn name(n: &str) -> String {
    format!("{PREFIX}_{n}")
}

impl Metrics {
    /// Builds a fresh set on its own registry. Processes use [`metrics()`];
    /// this exists for tests that need counters starting at zero.
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let counter = |n: &str, help: &str| {
            let c = IntCounter::new(name(n), help).expect("valid metric");
            registry.register(Box::new(c.clone())).expect("unique");
            c
        };
        let counter_vec = |n: &str, help: &str, label: &str| {
            let c = IntCounterVec::new(Opts::new(name(n), help), &[label]).expect("valid metric");
            registry.register(Box::new(c.clone())).expect("unique");
            c
        };
        let int_gauge = |n: &str, help: &str| {
            let g = IntGauge::new(name(n), help).expect("valid metric");
            registry.register(Box::new(g.clone())).expect("unique");
            g
        };
        let int_gauge_vec = |n: &str, help: &str, label: &str| {
            let g = IntGaugeVec::new(Opts::new(name(n), help), &[label]).expect("valid metric");
            registry.register(Box::new(g.clone())).expect("unique");
            g
        };
        let gauge = |n: &str, help: &str| {
            let g = Gauge::new(name(n), help).expect("valid metric");
            registry.register(Box::new(g.clone())).expect("unique");
            g
        };
        let gauge_vec = |n: &str, help: &str, label: &str| {
            let g = GaugeVec::new(Opts::new(name(n), help), &[label]).expect("valid metric");
            registry.register(Box::new(g.clone())).expect("unique");
            g
        };

        let job_duration = Histogram::with_opts(
            HistogramOpts::new(
                name("job_duration_seconds"),
                "Wall-clock time of one job (crawl, check, store) in seconds.",
            )
            .buckets(JOB_DURATION_BUCKETS.to_vec()),
        )
        .expect("valid metric");
        registry
            .register(Box::new(job_duration.clone()))
            .expect("unique");

        let m = Metrics {
            jobs_published: counter(
                "jobs_published_total",
                "Jobs published to the broker by the coordinator.",
            ),
            jobs_started: counter(
                "jobs_started_total",
                "Job deliveries a worker began processing.",
            ),
            jobs_done: counter(
                "jobs_done_total",
                "Jobs whose site result was stored and acknowledged.",
            ),
            jobs_failed: counter("jobs_failed_total", "Job attempts that ended in an error."),
            jobs_redelivered: counter(
                "jobs_redelivered_total",
                "Job deliveries flagged as redelivered by the broker.",
            ),
            jobs_dead_lettered: counter(
                "jobs_dead_lettered_total",
                "Jobs moved to the dead-letter queue after their last attempt.",
            ),
            jobs_requeued: counter(
                "jobs_requeued_total",
                "Jobs handed back to the queue after a delay because the result store could not be used.",
            ),
            store_errors: counter(
                "store_errors_total",
                "Store operations of a job (read, lease, write its result) that failed.",
            ),
            runs_recreated: counter(
                "runs_recreated_total",
                "Runs found missing from the store (data lost) and re-created by the coordinator.",
            ),
            job_duration,
            pages_fetched: counter("pages_fetched_total", "HTML pages fetched."),
            fetched_bytes: counter("fetched_bytes_total", "Response body bytes fetched."),
            fetch_errors: counter_vec(
                "fetch_errors_total",
                "Failed fetches (pages, links, probes) by error class.",
                "kind",
            ),
            links_checked: counter_vec(
                "links_checked_total",
                "Link targets checked, by result.",
                "result",
            ),
            queue_depth: int_gauge_vec(
                "queue_depth",
                "Messages ready in a queue, as last seen.",
                "queue",
            ),
            jobs_in_flight: int_gauge(
                "jobs_in_flight",
                "Jobs this process is working on right now.",
            ),
            run_sites_total: int_gauge("run_sites", "Sites in the current run."),
            run_sites_done: int_gauge(
                "run_sites_done",
                "Sites of the current run with a stored result.",
            ),
            run_eta_seconds: gauge(
                "run_eta_seconds",
                "Estimated seconds until the current run is done.",
            ),
            run_deadline_timestamp_seconds: gauge(
                "run_deadline_timestamp_seconds",
                "Deadline of the current run, unix time in seconds (0: none).",
            ),
            findings: counter_vec(
                "findings_total",
                "Findings produced by the rules, by rule id.",
                "rule",
            ),
            probes: counter_vec(
                "probes_total",
                "Homepage availability probes taken, by result (ok, failed).",
                "result",
            ),
            site_probe_success: int_gauge_vec(
                "site_probe_success",
                "Whether the last availability probe of a site succeeded (1) or failed (0).",
                "site",
            ),
            site_probe_duration: gauge_vec(
                "site_probe_duration_seconds",
                "Duration of the last availability probe of a site in seconds.",
                "site",
            ),
            site_availability_ratio: gauge_vec(
                "site_availability_ratio",
                "Share of successful availability probes of a site over the last 7 days.",
                "site",
            ),
            site_availability_warning: int_gauge_vec(
                "site_availability_warning",
                "Whether a site is at or past the availability warning level (1) or not (0).",
                "site",
            ),
            availability_warnings: counter(
                "availability_warnings_total",
                "Early availability warnings fired (webhook sent).",
            ),
            site_homepage_updated: gauge_vec(
                "site_homepage_updated_timestamp_seconds",
                "Since when a site's homepage shows what it shows now: its newest content date \
                 (00:00 UTC+8), or for a page without dates the first probe that saw its current \
                 fingerprint; unix time in seconds.",
                "site",
            ),
            site_homepage_stale: int_gauge_vec(
                "site_homepage_stale",
                "Whether a site's homepage is at or past the not-updated warning level (1) or not (0).",
                "site",
            ),
            homepage_warnings: counter(
                "homepage_warnings_total",
                "Early homepage-not-updated warnings fired (webhook sent).",
            ),
            probe_jobs_published: counter(
                "probe_jobs_published_total",
                "Probe jobs the monitor's scheduler published to the probe queue.",
            ),
            probe_jobs_dropped: counter_vec(
                "probe_jobs_dropped_total",
                "Probe jobs taken from the queue and dropped unprobed, by reason (expired, duplicate).",
                "reason",
            ),
            dependency_up: int_gauge_vec(
                "dependency_up",
                "Whether the last contact with a backing service succeeded (1) or not (0).",
                "dependency",
            ),
            build_info: int_gauge_vec(
                "build_info",
                "Always 1; the label carries the pucha version.",
                "version",
            ),
            registry,
        };

        // Closed label sets are initialised so every series exists from the
        // first scrape (rate() and dashboards need the zero).
        for k in FetchErrorKind::ALL {
            m.fetch_errors(k);
        }
        for r in LinkResult::ALL {
            m.links_checked(r);
        }
        for q in QueueKind::ALL {
            m.queue_depth(q);
        }
        for r in pucha_core::rule_ids::ALL {
            m.findings.with_label_values(&[r.id]);
        }
        for r in ["ok", "failed"] {
            m.probes.with_label_values(&[r]);
        }
        for d in ProbeDrop::ALL {
            m.probe_jobs_dropped(d);
        }
        m.build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION")])
            .set(1);

        #[cfg(target_os = "linux")]
        {
            // pucha_process_resident_memory_bytes, pucha_process_cpu_seconds_total, ...
            let pc = prometheus::process_collector::ProcessCollector::new(
                std::process::id() as i32,
                PREFIX,
            );
            if let Err(e) = m.registry.register(Box::new(pc)) {
                tracing::debug!(error = %e, "Process collector unavailable");
            }
        }
        m
    }

    /// `pucha_fetch_errors_total{kind}`.
    pub fn fetch_errors(&self, kind: FetchErrorKind) -> IntCounter {
        self.fetch_errors.with_label_values(&[kind.as_str()])
    }

    /// `pucha_links_checked_total{result}`.
    pub fn links_checked(&self, result: LinkResult) -> IntCounter {
        self.links_checked.with_label_values(&[result.as_str()])
    }

    /// `pucha_queue_depth{queue}`.
    pub fn queue_depth(&self, queue: QueueKind) -> IntGauge {
        self.queue_depth.with_label_values(&[queue.as_str()])
    }

    /// `pucha_probe_jobs_dropped_total{reason}`.
    pub fn probe_jobs_dropped(&self, reason: ProbeDrop) -> IntCounter {
        self.probe_jobs_dropped
            .with_label_values(&[reason.as_str()])
    }

    /// `pucha_dependency_up{dependency}`.
    pub fn dependency_up(&self, dep: Dependency) -> IntGauge {
        self.dependency_up.with_label_values(&[dep.as_str()])
    }

    /// `pucha_findings_total{rule}`; `None` for an id outside `rule_ids::ALL`
    /// (the label set stays closed).
    pub fn findings(&self, rule: &str) -> Option<IntCounter> {
        let info = pucha_core::rule_ids::info(rule)?;
        Some(self.findings.with_label_values(&[info.id]))
    }

    /// Counts the findings of one site result. Unknown rule ids are skipped.
    pub fn record_findings<'a>(&self, findings: impl IntoIterator<Item = &'a pucha_core::Finding>) {
        for f in findings {
            if let Some(c) = self.findings(&f.rule) {
                c.inc();
            }
        }
    }

    /// Records one availability probe of `site` (its key): the per-site gauges,
    /// `pucha_probes_total` and, when it failed, `pucha_fetch_errors_total`.
    pub fn record_probe(&self, site: &str, sample: &ProbeSample) {
        self.set_site_last_probe(site, sample);
        self.record_probe_result(sample);
    }

    /// Sets `pucha_site_probe_success{site}` and `pucha_site_probe_duration_seconds{site}`
    /// from the site's last probe (counts nothing).
    pub fn set_site_last_probe(&self, site: &str, sample: &ProbeSample) {
        self.site_probe_success
            .with_label_values(&[site])
            .set(i64::from(sample.ok()));
        self.site_probe_duration
            .with_label_values(&[site])
            .set(sample.elapsed_ms as f64 / 1000.0);
    }

    /// Records one availability probe without the per-site gauges (the probe consumers of
    /// the monitor's queue mode; the scheduler sets the per-site series):
    /// `pucha_probes_total` and, when it failed, `pucha_fetch_errors_total`.
    pub fn record_probe_result(&self, sample: &ProbeSample) {
        self.probes
            .with_label_values(&[if sample.ok() { "ok" } else { "failed" }])
            .inc();
        if let Some(f) = &sample.failure {
            self.fetch_errors(FetchErrorKind::of_probe(f)).inc();
        }
    }

    /// Sets `pucha_site_availability_ratio{site}` (0..=1).
    pub fn set_site_availability(&self, site: &str, ratio: f64) {
        self.site_availability_ratio
            .with_label_values(&[site])
            .set(ratio);
    }

    /// Sets `pucha_site_availability_warning{site}`.
    pub fn set_site_warning(&self, site: &str, warning: bool) {
        self.site_availability_warning
            .with_label_values(&[site])
            .set(i64::from(warning));
    }

    /// Sets `pucha_site_homepage_updated_timestamp_seconds{site}` and
    /// `pucha_site_homepage_stale{site}`.
    /// `updated_at` is unix time in seconds.
    pub fn set_site_homepage(&self, site: &str, updated_at: i64, stale: bool) {
        self.site_homepage_updated
            .with_label_values(&[site])
            .set(updated_at as f64);
        self.site_homepage_stale
            .with_label_values(&[site])
            .set(i64::from(stale));
    }

    /// Drops the per-site series of a site that left the site list.
    pub fn forget_site(&self, site: &str) {
        let _ = self.site_probe_success.remove_label_values(&[site]);
        let _ = self.site_probe_duration.remove_label_values(&[site]);
        let _ = self.site_availability_ratio.remove_label_values(&[site]);
        let _ = self.site_availability_warning.remove_label_values(&[site]);
        let _ = self.site_homepage_updated.remove_label_values(&[site]);
        let _ = self.site_homepage_stale.remove_label_values(&[site]);
    }

    /// Bumps the page, byte and link counters from a finished crawl.
    ///
    /// `links_checked` in [`CrawlStats`] counts every checked target, broken
    /// and blocked ones included, so `ok = checked − broken − blocked`.
    pub fn record_site_crawl(&self, stats: &CrawlStats) {
        self.pages_fetched.inc_by(stats.pages_fetched);
        self.fetched_bytes.inc_by(stats.bytes);
        let ok = stats
            .links_checked
            .saturating_sub(stats.links_broken)
            .saturating_sub(stats.links_blocked);
        self.links_checked(LinkResult::Ok).inc_by(ok);
        self.links_checked(LinkResult::Broken)
            .inc_by(stats.links_broken);
        self.links_checked(LinkResult::Blocked)
            .inc_by(stats.links_blocked);
        self.links_checked(LinkResult::NotChecked)
            .inc_by(stats.links_not_checked);
    }

    /// Counts the fetch errors behind the broken links of a crawl by class.
    pub fn record_broken_links<'a>(
        &self,
        links: impl IntoIterator<Item = &'a pucha_core::LinkRecord>,
    ) {
        for l in links {
            if let LinkOutcome::Broken { reason } = &l.outcome {
                if let Some(k) = FetchErrorKind::of_broken(reason) {
                    self.fetch_errors(k).inc();
                }
            }
        }
    }

    /// The registry, for callers that add their own collectors in tests.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Everything, in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buf)
            .expect("text encoding into a Vec cannot fail");
        String::from_utf8(buf).expect("text format is UTF-8")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Bumps the process-wide page, byte and link counters from a finished crawl.
pub fn record_site_crawl(stats: &CrawlStats) {
    metrics().record_site_crawl(stats);
}
