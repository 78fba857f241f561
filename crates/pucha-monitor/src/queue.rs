//! Queue mode: the monitor spread over workers.
//!
//! One scheduler (`pucha monitor --sites FILE --queue`) keeps the schedule and publishes a
//! [`ProbeJob`] per due probe to a RabbitMQ queue; any number of probe consumers
//! (`pucha monitor --probe-only`) take the jobs, probe, store the sample and warn
//! ([`run_prober`]), then acknowledge.
//!
//! The queue is the census job queue of `pucha-cluster` ([`pucha_cluster::AmqpQueue`])
//! under its own prefix (`{prefix}.monitor`): the probe jobs go to `{prefix}.monitor.jobs`,
//! undecodable ones to `{prefix}.monitor.jobs.dead`; connection handling, publisher
//! confirms, prefetch and reconnection are the census queue's.
//!
//! A probe job is for one slot of its site, `[slot, not_after)`, `not_after` being the
//! site's next due time. A job taken after its slot (it waited in the queue while no
//! consumer ran) is dropped and counted, not probed late: a late sample would sit in the
//! next slot, beside that slot's own. A redelivered job whose slot already has its sample
//! (the consumer died between storing and acknowledging) is dropped too, and the store
//! refuses a second sample for a slot atomically, so a slot never has two samples.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use pucha_cluster::queue::JobQueue;
use pucha_cluster::{AmqpConfig, AmqpQueue, RawDelivery};
use pucha_core::Site;
use pucha_metrics::{metrics, ProbeDrop};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::monitor::{Prober, Recorder};
use crate::MonitorError;

/// One due probe of one site, as published to the probe queue (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeJob {
    pub site_key: String,
    pub site: Site,
    /// When the probe was due: the slot it fills.
    pub slot: DateTime<Utc>,
    /// The end of the slot (the site's next due time): a job taken later is dropped.
    pub not_after: DateTime<Utc>,
}

impl ProbeJob {
    /// Whether the job's slot is over at `now` (pure).
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.not_after
    }
}

/// What a consumer did with a probe job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// Probed and stored as the slot's sample.
    Probed,
    /// Taken after its slot; not probed.
    Expired,
    /// Its slot already had its sample; not stored again.
    Duplicate,
}

/// Where the scheduler publishes probe jobs.
#[async_trait]
pub trait ProbeQueue: Send + Sync {
    /// Returns once the queue holds the job durably.
    async fn publish(&self, job: &ProbeJob) -> Result<(), MonitorError>;
}

/// The RabbitMQ probe queue: the census queue of `pucha-cluster` under `{prefix}.monitor`.
#[derive(Clone)]
pub struct AmqpProbeQueue {
    queue: AmqpQueue,
}

impl std::fmt::Debug for AmqpProbeQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmqpProbeQueue")
            .field("queue", &self.queue.config().jobs_queue())
            .finish()
    }
}

fn queue_err(e: pucha_cluster::QueueError) -> MonitorError {
    MonitorError::Queue(e.to_string())
}

impl AmqpProbeQueue {
    /// The queue settings for `prefix` (`pucha`: the queue is `pucha.monitor.jobs`).
    pub fn config(url: &str, prefix: &str, prefetch: u16) -> AmqpConfig {
        let mut cfg = AmqpConfig::new(url, &format!("{prefix}.monitor"));
        cfg.prefetch = prefetch.max(1);
        cfg.connection_name = format!("pucha-monitor-{}", std::process::id());
        cfg
    }

    /// Connects (retrying up to `patience`) and declares the queues.
    pub async fn connect(
        cfg: AmqpConfig,
        patience: Duration,
    ) -> Result<AmqpProbeQueue, MonitorError> {
        let queue = AmqpQueue::connect(cfg, patience).await.map_err(queue_err)?;
        Ok(AmqpProbeQueue { queue })
    }

    /// The underlying queue (depth, tests).
    pub fn inner(&self) -> &AmqpQueue {
        &self.queue
    }

    /// Stops consuming: a pending [`run_prober`] returns after its jobs in flight.
    pub async fn close(&self) {
        self.queue.close().await;
    }
}

#[async_trait]
impl ProbeQueue for AmqpProbeQueue {
    async fn publish(&self, job: &ProbeJob) -> Result<(), MonitorError> {
        let payload = serde_json::to_vec(job)?;
        self.queue.publish_bytes(&payload).await.map_err(queue_err)
    }
}

/// Handles one probe job: drop it when its slot is over or already has its sample, else
/// probe and record the sample as the slot's one sample (assessment, warnings; no per-site
/// gauges, which the scheduler sets).
pub async fn handle_job(
    recorder: &Recorder,
    prober: &dyn Prober,
    job: &ProbeJob,
) -> Result<Handled, MonitorError> {
    let key = job.site_key.as_str();
    if job.expired(Utc::now()) {
        metrics().probe_jobs_dropped(ProbeDrop::Expired).inc();
        tracing::info!(site = %key, slot = %job.slot, not_after = %job.not_after, "Probe job past its slot dropped");
        return Ok(Handled::Expired);
    }
    if recorder.store().slot_taken(key, job.slot).await? {
        metrics().probe_jobs_dropped(ProbeDrop::Duplicate).inc();
        return Ok(Handled::Duplicate);
    }
    let sample = prober
        .probe(&job.site.url, recorder.config().probe_timeout)
        .await;
    metrics().record_probe_result(&sample);
    if let Some(f) = &sample.failure {
        tracing::info!(site = %key, failure = ?f, elapsed_ms = sample.elapsed_ms, "Probe failed");
    }
    match recorder
        .record_for_slot(key, &job.site, job.slot, &sample, false)
        .await?
    {
        Some(_) => Ok(Handled::Probed),
        None => {
            metrics().probe_jobs_dropped(ProbeDrop::Duplicate).inc();
            Ok(Handled::Duplicate)
        }
    }
}

/// A probe consumer: takes probe jobs from `queue` (up to `concurrency` at once), handles
/// each ([`handle_job`]) and acknowledges it, until `shutdown`; then waits for the jobs in
/// flight. A job whose sample cannot be stored (Redis down) is given back to the queue.
pub async fn run_prober(
    queue: AmqpProbeQueue,
    recorder: Arc<Recorder>,
    prober: Arc<dyn Prober>,
    concurrency: usize,
    shutdown: CancellationToken,
) -> Result<(), MonitorError> {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let closer = {
        let q = queue.clone();
        let stop = shutdown.clone();
        tokio::spawn(async move {
            stop.cancelled().await;
            q.close().await;
        })
    };
    tracing::info!(queue = %queue.queue.config().jobs_queue(), concurrency, "Probe consumer started");
    loop {
        let permit = tokio::select! {
            _ = shutdown.cancelled() => break,
            p = permits.clone().acquire_owned() => p.expect("the semaphore is never closed"),
        };
        let delivery = match queue.queue.next_raw().await {
            Ok(Some(d)) => d,
            Ok(None) => break,
            Err(e) => {
                tracing::warn!(error = %e, "Probe queue unavailable; retrying");
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
                }
            }
        };
        while let Some(done) = tasks.try_join_next() {
            if let Err(e) = done {
                tracing::error!(error = %e, "Probe job task panicked");
            }
        }
        let recorder = recorder.clone();
        let prober = prober.clone();
        tasks.spawn(async move {
            let _permit = permit;
            settle(delivery, &recorder, prober.as_ref()).await;
        });
    }
    tracing::info!(
        in_flight = tasks.len(),
        "Probe consumer stopping; finishing jobs in flight"
    );
    while let Some(done) = tasks.join_next().await {
        if let Err(e) = done {
            tracing::error!(error = %e, "Probe job task panicked");
        }
    }
    closer.abort();
    queue.queue.disconnect().await;
    Ok(())
}

async fn settle(delivery: RawDelivery, recorder: &Recorder, prober: &dyn Prober) {
    let job: ProbeJob = match serde_json::from_slice(&delivery.data) {
        Ok(j) => j,
        Err(e) => {
            tracing::warn!(error = %e, "Undecodable probe job dead-lettered");
            let _ = delivery
                .dead_letter(&format!("undecodable probe job: {e}"))
                .await;
            return;
        }
    };
    match handle_job(recorder, prober, &job).await {
        Ok(_) => {
            if let Err(e) = delivery.ack().await {
                tracing::warn!(site = %job.site_key, error = %e, "Probe job not acknowledged; the broker redelivers it");
            }
        }
        Err(e) => {
            if matches!(e, MonitorError::Redis(_)) {
                metrics()
                    .dependency_up(pucha_metrics::Dependency::Redis)
                    .set(0);
            }
            tracing::warn!(site = %job.site_key, error = %e, "Probe job failed; given back to the queue");
            // Not at once: the store is likely down for a moment.
            tokio::time::sleep(Duration::from_millis(500)).await;
            let _ = delivery.requeue().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_job_expires_at_the_end_of_its_slot() {
        let slot = Utc.with_ymd_and_hms(2026, 11, 26, 2, 0, 0).unwrap();
        let job = ProbeJob {
            site_key: "http://www.example.gov.cn".into(),
            site: Site {
                name: "示例".into(),
                url: url::Url::parse("http://www.example.gov.cn/").unwrap(),
                category: pucha_core::Category::Department,
                site_code: None,
                sponsor: None,
            },
            slot,
            not_after: slot + chrono::Duration::minutes(30),
        };
        assert!(!job.expired(slot));
        assert!(!job.expired(slot + chrono::Duration::minutes(29)));
        assert!(job.expired(slot + chrono::Duration::minutes(30)));
        let back: ProbeJob = serde_json::from_slice(&serde_json::to_vec(&job).unwrap()).unwrap();
        assert_eq!(back, job);
    }
}
