//! The monitor loop: probe each site when due, store the sample, assess the
//! window, update the metrics and send warnings.
//!
//! Everything external is passed in (store, prober, notifier, shutdown), so
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
use crate::notify::{Notifier, Warning};
use crate::schedule;
use crate::store::{SampleStore, WarnState};
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
    /// Probes running at the same time, at most.
    pub max_concurrent_probes: usize,
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
}

fn chrono_dur(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// The availability monitor of a site list.
pub struct Monitor {
    cfg: MonitorConfig,
    sites: Vec<(String, Site)>,
    store: Arc<dyn SampleStore>,
    prober: Arc<dyn Prober>,
    notifier: Arc<dyn Notifier>,
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor")
            .field("cfg", &self.cfg)
            .field("sites", &self.sites.len())
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
        cfg.validate()?;
        let mut seen = HashSet::new();
        let sites = sites
            .into_iter()
            .map(|s| (s.key(), s))
            .filter(|(k, _)| seen.insert(k.clone()))
            .collect();
        Ok(Monitor {
            cfg,
            sites,
            store,
            prober,
            notifier,
        })
    }

    /// The keys of the monitored sites.
    pub fn site_keys(&self) -> impl Iterator<Item = &str> {
        self.sites.iter().map(|(k, _)| k.as_str())
    }

    /// Probes every site when due until `shutdown` is cancelled, then waits for the probes
    /// in flight. Fails only when the store cannot be read at start-up; later store or
    /// webhook errors are logged and retried at the next probe.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), MonitorError> {
        let this = Arc::new(self);
        let interval = this.cfg.interval;
        let mut rng = rand::rngs::StdRng::from_os_rng();

        let stored = this.store.schedule().await.inspect_err(|_| {
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
        this.store.forget(&stale).await?;
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
            probes_per_day = this.cfg.probes_per_day(),
            "Monitor started"
        );
        let mut heap: BinaryHeap<Reverse<(DateTime<Utc>, usize)>> = BinaryHeap::new();
        for (i, d) in first.into_iter().enumerate() {
            heap.push(Reverse((d, i)));
        }

        let permits = Arc::new(Semaphore::new(this.cfg.max_concurrent_probes));
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
                if let Err(e) = this.store.set_next(key, next).await {
                    tracing::warn!(site = %key, error = %e, "Cannot store the next probe time");
                }
                if let Err(e) = this.probe_site(i).await {
                    metrics().dependency_up(Dependency::Redis).set(0);
                    tracing::warn!(site = %key, error = %e, "Probe not recorded");
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
    async fn probe_site(&self, i: usize) -> Result<Assessment, MonitorError> {
        let (key, site) = &self.sites[i];
        let sample = self.prober.probe(&site.url, self.cfg.probe_timeout).await;
        metrics().record_probe(key, &sample);
        if let Some(f) = &sample.failure {
            tracing::info!(site = %key, failure = ?f, elapsed_ms = sample.elapsed_ms, "Probe failed");
        }
        self.record(key, site, &sample).await
    }

    /// Stores `sample` for the site `key` and acts on the new assessment of the window.
    pub async fn record(
        &self,
        key: &str,
        site: &Site,
        sample: &ProbeSample,
    ) -> Result<Assessment, MonitorError> {
        let keep_from = sample.at - chrono_dur(self.cfg.retention);
        self.store.append(key, sample, keep_from).await?;
        metrics().dependency_up(Dependency::Redis).set(1);
        let to = sample.at;
        let from = to - chrono_dur(self.cfg.window);
        let window = self.store.load(key, from, to).await?;
        let a = assess(&window, &self.cfg.thresholds);
        metrics().set_site_availability(key, a.availability_ratio());
        metrics().set_site_warning(key, a.level >= Level::Warning);
        self.maybe_warn(key, site, &a, to).await?;
        Ok(a)
    }

    async fn maybe_warn(
        &self,
        key: &str,
        site: &Site,
        a: &Assessment,
        now: DateTime<Utc>,
    ) -> Result<(), MonitorError> {
        let prev = self.store.warn_state(key).await?;
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
                        self.store.set_warn_state(key, Some(&state)).await?;
                    }
                    // Not stored as sent: the next probe tries again.
                    Err(e) => {
                        tracing::warn!(site = %key, error = %e, "Availability warning not delivered")
                    }
                }
            }
            Level::Ok if prev.is_some() => {
                tracing::info!(site = %key, "Availability back below the warning level");
                self.store.set_warn_state(key, None).await?;
            }
            Level::Ok | Level::Unknown => {}
        }
        Ok(())
    }

    fn warning(&self, key: &str, site: &Site, a: &Assessment, now: DateTime<Utc>) -> Warning {
        let t = &self.cfg.thresholds;
        let window_days = (self.cfg.window.as_secs() / 86400).max(1) as u32;
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
            kind: "availability".into(),
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
            at: now,
            text,
        }
    }
}
