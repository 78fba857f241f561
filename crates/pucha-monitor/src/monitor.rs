//! The monitor loop: probe each site when due, store the sample, assess the
//! window, update the metrics and send warnings.
//!
//! Two ways to run it. In one process, [`Monitor::run`] probes each site itself when due.
//! Spread over workers ([`Monitor::with_queue`]), the same loop keeps the schedule but
//! publishes a [`ProbeJob`] per due probe to a queue instead, and probe consumers
//! ([`crate::queue::run_prober`]) probe, store the sample through [`Recorder`] and warn.
//!
//! Everything external is passed in (store, prober, notifier, queue, shutdown), so
//! tests run the real loop against an in-process store or a Redis prefix of
//! their own, and loopback servers.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use pucha_core::{ProbeSample, Site};
use pucha_metrics::{metrics, Dependency};
use rand::SeedableRng;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::availability::{assess, Assessment, Level, Thresholds};
use crate::freshness::{self, assess_freshness, Freshness};
use crate::notify::{Notifier, Warning};
use crate::queue::{ProbeJob, ProbeQueue};
use crate::schedule;
use crate::store::{SampleStore, WarnKind, WarnState};
use crate::{MonitorError, DEFAULT_INTERVAL, DEFAULT_RETENTION, PROBE_TIMEOUT};

/// Takes one probe of a homepage. Implemented by `pucha_crawl::Crawler` (the one probe of
/// indicators §3.7); tests may substitute their own.
#[async_trait]
pub trait Prober: Send + Sync {
    async fn probe(&self, url: &Url, timeout: Duration) -> ProbeSample;
}

#[async_trait]
impl Prober for pucha_crawl::Crawler {
    async fn probe(&self, url: &Url, timeout: Duration) -> ProbeSample {
        pucha_crawl::Crawler::probe(self, url, timeout).await
    }
}

/// Settings of the monitor. Every threshold is a named setting.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorConfig {
    /// Time between two probes of one site (48 a day by default).
    pub interval: Duration,
    /// Total time a probe may take before it fails (15 s: the rule).
    pub probe_timeout: Duration,
    /// How long samples are kept.
    pub retention: Duration,
    /// The window assessed after each probe (7 days: the rule).
    pub window: Duration,
    pub thresholds: Thresholds,
    /// A site still at the same level is warned again after this long.
    pub warning_cooldown: Duration,
    /// Probes running at the same time, at most (in queue mode: jobs being published).
    pub max_concurrent_probes: usize,
    /// "Homepage not updated" early warning after this many days without update
    /// (10: vendor practice; must stay below the veto's 14).
    pub stale_after_days: u32,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorConfig {
            interval: DEFAULT_INTERVAL,
            probe_timeout: PROBE_TIMEOUT,
            retention: DEFAULT_RETENTION,
            window: Duration::from_secs(7 * 86400),
            thresholds: Thresholds::default(),
            warning_cooldown: Duration::from_secs(86400),
            max_concurrent_probes: 64,
            stale_after_days: freshness::DEFAULT_STALE_AFTER_DAYS,
        }
    }
}

impl MonitorConfig {
    /// Reports every problem at once.
    pub fn validate(&self) -> Result<(), MonitorError> {
        let mut problems = Vec::new();
        if self.interval.is_zero() {
            problems.push("the interval must be positive".to_string());
        }
        if self.probe_timeout.is_zero() {
            problems.push("the probe timeout must be positive".to_string());
        }
        if self.retention < self.window {
            problems.push(format!(
                "the retention ({}s) is shorter than the assessed window ({}s)",
                self.retention.as_secs(),
                self.window.as_secs()
            ));
        }
        if self.max_concurrent_probes == 0 {
            problems.push("max_concurrent_probes must be at least 1".to_string());
        }
        if let Err(e) = self.thresholds.validate() {
            problems.push(e);
        }
        if let Err(e) = freshness::validate(self.stale_after_days) {
            problems.push(e);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(MonitorError::Config(problems.join("; ")))
        }
    }

    /// Probes a day per site at this interval.
    pub fn probes_per_day(&self) -> f64 {
        86400.0 / self.interval.as_secs_f64()
    }

    /// The history read after each probe: the availability window, or the homepage's
    /// warning level plus a day when that is longer.
    pub fn history(&self) -> Duration {
        self.window.max(freshness::lookback(self.stale_after_days))
    }
}

fn chrono_dur(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// What one recorded probe led to.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// Availability over the window.
    pub availability: Assessment,
    /// Whether the homepage was updated (None when no sample saw the page).
    pub freshness: Option<Freshness>,
    /// The latest stored sample.
    pub latest: Option<ProbeSample>,
}

/// Stores samples and acts on them: assessment, per-site metrics, warnings. Shared by the
/// one-process monitor and the probe consumers of queue mode.
pub struct Recorder {
    cfg: MonitorConfig,
    store: Arc<dyn SampleStore>,
    notifier: Arc<dyn Notifier>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

/// Where to send a warning: a site key and the site.
type SiteRef<'a> = (&'a str, &'a Site);

impl Recorder {
    pub fn new(
        cfg: MonitorConfig,
        store: Arc<dyn SampleStore>,
        notifier: Arc<dyn Notifier>,
    ) -> Result<Recorder, MonitorError> {
        cfg.validate()?;
        Ok(Recorder {
            cfg,
            store,
            notifier,
        })
    }

    pub fn config(&self) -> &MonitorConfig {
        &self.cfg
    }

    pub fn store(&self) -> &Arc<dyn SampleStore> {
        &self.store
    }

    /// Stores `sample` for the site `key` and acts on the new assessment: per-site gauges
    /// (when `gauges`), availability and homepage warnings.
    pub async fn record(
        &self,
        key: &str,
        site: &Site,
        sample: &ProbeSample,
        gauges: bool,
    ) -> Result<Recorded, MonitorError> {
        let keep_from = sample.at - chrono_dur(self.cfg.retention);
        self.store.append(key, sample, keep_from).await?;
        metrics().dependency_up(Dependency::Redis).set(1);
        self.act((key, site), sample.at, gauges).await
    }

    /// [`Recorder::record`] as the one sample of probe slot `slot` (queue mode): None, and
    /// nothing stored or sent, when the slot already has its sample.
    pub async fn record_for_slot(
        &self,
        key: &str,
        site: &Site,
        slot: DateTime<Utc>,
        sample: &ProbeSample,
        gauges: bool,
    ) -> Result<Option<Recorded>, MonitorError> {
        let keep_from = sample.at - chrono_dur(self.cfg.retention);
        // The mark outlives any redelivery that could still be probed (within the slot).
        let mark_ttl = self.cfg.interval * 4;
        let stored = self
            .store
            .append_for_slot(key, slot, sample, keep_from, mark_ttl)
            .await?;
        metrics().dependency_up(Dependency::Redis).set(1);
        if !stored {
            return Ok(None);
        }
        self.act((key, site), sample.at, gauges).await.map(Some)
    }

    /// Assesses the stored history of a site as of `now` (availability window and homepage
    /// freshness) without storing or sending anything.
    pub async fn assess(&self, key: &str, now: DateTime<Utc>) -> Result<Recorded, MonitorError> {
        let history = self
            .store
            .load(key, now - chrono_dur(self.cfg.history()), now)
            .await?;
        let from = now - chrono_dur(self.cfg.window);
        let start = history.partition_point(|s| s.at < from);
        Ok(Recorded {
            availability: assess(&history[start..], &self.cfg.thresholds),
            freshness: assess_freshness(&history, now, self.cfg.stale_after_days),
            latest: history.last().cloned(),
        })
    }

    /// Sets the per-site gauges of `key` from an assessment.
    pub fn set_gauges(key: &str, r: &Recorded) {
        if let Some(s) = &r.latest {
            metrics().set_site_last_probe(key, s);
        }
        metrics().set_site_availability(key, r.availability.availability_ratio());
        metrics().set_site_warning(key, r.availability.level >= Level::Warning);
        if let Some(f) = &r.freshness {
            metrics().set_site_homepage(key, f.updated_at.timestamp(), f.stale);
        }
    }

    async fn act(
        &self,
        site: SiteRef<'_>,
        now: DateTime<Utc>,
        gauges: bool,
    ) -> Result<Recorded, MonitorError> {
        let r = self.assess(site.0, now).await?;
        if gauges {
            Recorder::set_gauges(site.0, &r);
        }
        self.maybe_warn(site, &r.availability, now).await?;
        self.maybe_warn_homepage(site, &r, now).await?;
        Ok(r)
    }

    async fn maybe_warn(
        &self,
        (key, site): SiteRef<'_>,
        a: &Assessment,
        now: DateTime<Utc>,
    ) -> Result<(), MonitorError> {
        let kind = WarnKind::Availability;
        let prev = self.store.warn_state(key, kind).await?;
        match a.level {
            Level::Warning | Level::Veto => {
                let due = match &prev {
                    None => true,
                    Some(p) => {
                        a.level > p.level || now - p.at >= chrono_dur(self.cfg.warning_cooldown)
                    }
                };
                if !due {
                    return Ok(());
                }
                let w = self.warning(key, site, a, now);
                match self.notifier.notify(&w).await {
                    Ok(()) => {
                        metrics().availability_warnings.inc();
                        tracing::warn!(site = %key, level = ?a.level, ratio = a.failure_ratio, "Availability warning sent");
                        let state = WarnState {
                            at: now,
                            level: a.level,
                        };
                        self.store.set_warn_state(key, kind, Some(&state)).await?;
                    }
                    // Not stored as sent: the next probe tries again.
                    Err(e) => {
                        tracing::warn!(site = %key, error = %e, "Availability warning not delivered")
                    }
                }
            }
            Level::Ok if prev.is_some() => {
                tracing::info!(site = %key, "Availability back below the warning level");
                self.store.set_warn_state(key, kind, None).await?;
            }
            Level::Ok | Level::Unknown => {}
        }
        Ok(())
    }

    /// One "homepage not updated" warning per episode: sent when the homepage reaches the
    /// warning level, again only if it reaches the veto's 2 weeks, and armed again once the
    /// homepage was updated.
    async fn maybe_warn_homepage(
        &self,
        (key, site): SiteRef<'_>,
        r: &Recorded,
        now: DateTime<Utc>,
    ) -> Result<(), MonitorError> {
        let kind = WarnKind::HomepageNotUpdated;
        let Some(f) = &r.freshness else {
            return Ok(());
        };
        let prev = self.store.warn_state(key, kind).await?;
        if !f.stale {
            if prev.is_some() {
                tracing::info!(site = %key, age_days = f.age_days, "Homepage updated again");
                self.store.set_warn_state(key, kind, None).await?;
            }
            return Ok(());
        }
        let level = if f.age_days >= i64::from(freshness::VETO_WINDOW_DAYS) {
            Level::Veto
        } else {
            Level::Warning
        };
        if prev.as_ref().is_some_and(|p| p.level >= level) {
            return Ok(());
        }
        let w = self.homepage_warning(key, site, &r.availability, f, level, now);
        match self.notifier.notify(&w).await {
            Ok(()) => {
                metrics().homepage_warnings.inc();
                tracing::warn!(site = %key, age_days = f.age_days, basis = ?f.basis, "Homepage-not-updated warning sent");
                let state = WarnState { at: now, level };
                self.store.set_warn_state(key, kind, Some(&state)).await?;
            }
            Err(e) => {
                tracing::warn!(site = %key, error = %e, "Homepage-not-updated warning not delivered")
            }
        }
        Ok(())
    }

    fn window_days(&self) -> u32 {
        (self.cfg.window.as_secs() / 86400).max(1) as u32
    }

    fn warning(&self, key: &str, site: &Site, a: &Assessment, now: DateTime<Utc>) -> Warning {
        let t = &self.cfg.thresholds;
        let window_days = self.window_days();
        let what = match a.level {
            Level::Veto => "已达单项否决线",
            _ => "已达预警线",
        };
        let text = format!(
            "{}（{}）近{}天首页可用性{}：探测{}次，失败{}次（{:.1}%），预警线{:.1}%，否决线{:.1}%",
            site.name,
            site.url,
            window_days,
            what,
            a.probes,
            a.failures,
            a.failure_ratio * 100.0,
            t.warn_failure_ratio * 100.0,
            t.veto_failure_ratio * 100.0
        );
        Warning {
            kind: WarnKind::Availability.as_str().into(),
            level: a.level,
            site_key: key.to_string(),
            site_name: site.name.clone(),
            site_url: site.url.to_string(),
            probes: a.probes,
            failures: a.failures,
            failure_ratio: a.failure_ratio,
            warn_failure_ratio: t.warn_failure_ratio,
            veto_failure_ratio: t.veto_failure_ratio,
            window_days,
            basis: None,
            newest_content: None,
            updated_at: None,
            age_days: None,
            stale_after_days: None,
            at: now,
            text,
        }
    }

    fn homepage_warning(
        &self,
        key: &str,
        site: &Site,
        a: &Assessment,
        f: &Freshness,
        level: Level,
        now: DateTime<Utc>,
    ) -> Warning {
        let n = self.cfg.stale_after_days;
        let what = match level {
            Level::Veto => "已达单项否决线（两周）",
            _ => "已达预警线",
        };
        let shown = match f.newest {
            Some(d) => format!("首页最新信息日期 {d}，已 {} 天未更新", f.age_days),
            None => format!(
                "首页无带日期的信息，内容自 {} 起 {} 天未变化",
                f.updated_at
                    .with_timezone(&pucha_core::cst())
                    .format("%Y-%m-%d %H:%M"),
                f.age_days
            ),
        };
        let text = format!(
            "{}（{}）首页不更新{}：{}（预警线 {} 天，否决线 {} 天）",
            site.name,
            site.url,
            what,
            shown,
            n,
            freshness::VETO_WINDOW_DAYS
        );
        Warning {
            kind: WarnKind::HomepageNotUpdated.as_str().into(),
            level,
            basis: Some(f.basis),
            newest_content: f.newest,
            updated_at: Some(f.updated_at),
            age_days: Some(f.age_days),
            stale_after_days: Some(n),
            text,
            // The availability figures of the same window, as in an availability warning.
            ..self.warning(key, site, a, now)
        }
    }
}

/// What the monitor does with a due probe.
enum Dispatch {
    /// Probe it in this process.
    Local(Arc<dyn Prober>),
    /// Publish it as a [`ProbeJob`] for the probe consumers.
    Queue(Arc<dyn ProbeQueue>),
}

/// The availability monitor of a site list.
pub struct Monitor {
    sites: Vec<(String, Site)>,
    recorder: Arc<Recorder>,
    dispatch: Dispatch,
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor")
            .field("cfg", &self.recorder.cfg)
            .field("sites", &self.sites.len())
            .field("queue", &matches!(self.dispatch, Dispatch::Queue(_)))
            .finish_non_exhaustive()
    }
}

impl Monitor {
    /// A monitor of `sites` (duplicates by site key are probed once).
    pub fn new(
        cfg: MonitorConfig,
        sites: Vec<Site>,
        store: Arc<dyn SampleStore>,
        prober: Arc<dyn Prober>,
        notifier: Arc<dyn Notifier>,
    ) -> Result<Monitor, MonitorError> {
        let recorder = Arc::new(Recorder::new(cfg, store, notifier)?);
        let mut seen = HashSet::new();
        let sites = sites
            .into_iter()
            .map(|s| (s.key(), s))
            .filter(|(k, _)| seen.insert(k.clone()))
            .collect();
        Ok(Monitor {
            sites,
            recorder,
            dispatch: Dispatch::Local(prober),
        })
    }

    /// The scheduler of queue mode: instead of probing, each due probe is published to
    /// `queue` as a [`ProbeJob`] for the probe consumers. The per-site gauges are set here
    /// (from the stored samples, when the site's next probe is published), so one process
    /// exports them whatever number of consumers there is.
    pub fn with_queue(self, queue: Arc<dyn ProbeQueue>) -> Monitor {
        Monitor {
            dispatch: Dispatch::Queue(queue),
            ..self
        }
    }

    /// The keys of the monitored sites.
    pub fn site_keys(&self) -> impl Iterator<Item = &str> {
        self.sites.iter().map(|(k, _)| k.as_str())
    }

    /// Probes (or publishes the probe of) every site when due until `shutdown` is cancelled,
    /// then waits for the probes in flight. Fails only when the store cannot be read at
    /// start-up; later store, queue or webhook errors are logged and retried at the next probe.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), MonitorError> {
        let this = Arc::new(self);
        let cfg = &this.recorder.cfg;
        let store = &this.recorder.store;
        let interval = cfg.interval;
        let mut rng = rand::rngs::StdRng::from_os_rng();

        let stored = store.schedule().await.inspect_err(|_| {
            metrics().dependency_up(Dependency::Redis).set(0);
        })?;
        metrics().dependency_up(Dependency::Redis).set(1);
        let keys: Vec<String> = this.sites.iter().map(|(k, _)| k.clone()).collect();
        let current: HashSet<&str> = keys.iter().map(String::as_str).collect();
        let stale: Vec<String> = stored
            .keys()
            .filter(|k| !current.contains(k.as_str()))
            .cloned()
            .collect();
        store.forget(&stale).await?;
        for k in &stale {
            metrics().forget_site(k);
        }

        let first = schedule::initial(&keys, &stored, Utc::now(), interval, &mut rng);
        let resumed = keys
            .iter()
            .zip(&first)
            .filter(|(k, d)| stored.get(*k) == Some(*d))
            .count();
        tracing::info!(
            sites = keys.len(),
            resumed,
            interval_s = interval.as_secs_f64(),
            probes_per_day = cfg.probes_per_day(),
            queue = matches!(this.dispatch, Dispatch::Queue(_)),
            "Monitor started"
        );
        let mut heap: BinaryHeap<Reverse<(DateTime<Utc>, usize)>> = BinaryHeap::new();
        for (i, d) in first.into_iter().enumerate() {
            heap.push(Reverse((d, i)));
        }

        let permits = Arc::new(Semaphore::new(cfg.max_concurrent_probes));
        let mut tasks = JoinSet::new();
        loop {
            let Some(Reverse((due, i))) = heap.pop() else {
                // An empty site list: nothing to do but wait for the stop.
                shutdown.cancelled().await;
                break;
            };
            let wait = (due - Utc::now()).to_std().unwrap_or(Duration::ZERO);
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(wait) => {}
            }
            while let Some(done) = tasks.try_join_next() {
                if let Err(e) = done {
                    tracing::error!(error = %e, "Probe task panicked");
                }
            }
            let permit = tokio::select! {
                _ = shutdown.cancelled() => break,
                p = permits.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            };
            let next = schedule::next(due, Utc::now(), interval, &mut rng);
            heap.push(Reverse((next, i)));
            let this = this.clone();
            tasks.spawn(async move {
                let _permit = permit;
                let key = &this.sites[i].0;
                if let Err(e) = this.recorder.store.set_next(key, next).await {
                    tracing::warn!(site = %key, error = %e, "Cannot store the next probe time");
                }
                let done = match &this.dispatch {
                    Dispatch::Local(prober) => this.probe_site(prober.as_ref(), i).await,
                    Dispatch::Queue(queue) => {
                        this.publish_probe(queue.as_ref(), i, due, next).await
                    }
                };
                if let Err(e) = done {
                    if matches!(e, MonitorError::Redis(_)) {
                        metrics().dependency_up(Dependency::Redis).set(0);
                    }
                    let what = match &this.dispatch {
                        Dispatch::Local(_) => "Probe not recorded",
                        Dispatch::Queue(_) => "Probe job not published",
                    };
                    tracing::warn!(site = %key, error = %e, "{what}");
                }
            });
        }
        tracing::info!(
            in_flight = tasks.len(),
            "Monitor stopping; waiting for probes in flight"
        );
        while let Some(done) = tasks.join_next().await {
            if let Err(e) = done {
                tracing::error!(error = %e, "Probe task panicked");
            }
        }
        Ok(())
    }

    /// Probes site `i` once: store the sample, assess the window, update metrics, warn.
    async fn probe_site(&self, prober: &dyn Prober, i: usize) -> Result<(), MonitorError> {
        let (key, site) = &self.sites[i];
        let sample = prober
            .probe(&site.url, self.recorder.cfg.probe_timeout)
            .await;
        metrics().record_probe(key, &sample);
        if let Some(f) = &sample.failure {
            tracing::info!(site = %key, failure = ?f, elapsed_ms = sample.elapsed_ms, "Probe failed");
        }
        self.recorder.record(key, site, &sample, true).await?;
        Ok(())
    }

    /// Publishes the probe of site `i` for the slot `[due, next)`, after refreshing the
    /// site's gauges from what the consumers stored.
    async fn publish_probe(
        &self,
        queue: &dyn ProbeQueue,
        i: usize,
        due: DateTime<Utc>,
        next: DateTime<Utc>,
    ) -> Result<(), MonitorError> {
        let (key, site) = &self.sites[i];
        match self.recorder.assess(key, Utc::now()).await {
            Ok(r) if r.availability.probes > 0 => Recorder::set_gauges(key, &r),
            Ok(_) => {}
            Err(e) => tracing::warn!(site = %key, error = %e, "Cannot refresh the site's gauges"),
        }
        let job = ProbeJob {
            site_key: key.clone(),
            site: site.clone(),
            slot: due,
            not_after: next,
        };
        queue.publish(&job).await?;
        metrics().probe_jobs_published.inc();
        Ok(())
    }
}
