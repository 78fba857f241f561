//! The worker loop: take a job, hold its lease, check the site, store the result, and
//! only then acknowledge. Written once for every queue and store backend.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use pucha_core::{Job, SiteResult};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn, Instrument};

use crate::queue::{Delivery, JobQueue};
use crate::store::ResultStore;

/// Why checking a site failed as a job (not as a finding): the job is retried, then dead-lettered.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ProcessError(pub String);

/// Turns a job into a site result. Site problems are findings inside the result, never errors.
#[async_trait]
pub trait JobProcessor: Send + Sync {
    async fn process(&self, job: &Job) -> Result<SiteResult, ProcessError>;
}

/// Worker settings.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Sites checked at once by this worker.
    pub concurrency: usize,
    /// Attempts before a job is dead-lettered and recorded as verdict "error".
    pub max_attempts: u32,
    /// Backoff before the first retry; doubles with each attempt.
    pub retry_backoff: Duration,
    /// Lease time-to-live; renewed every third of it while the job runs.
    pub lease_ttl: Duration,
    /// This worker's name in leases and logs.
    pub holder: String,
    /// On shutdown, how long in-flight jobs may run before they are handed back.
    pub grace: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            concurrency: 8,
            max_attempts: 3,
            retry_backoff: Duration::from_secs(5),
            lease_ttl: Duration::from_secs(60),
            holder: format!("worker-{}", std::process::id()),
            grace: Duration::from_secs(30),
        }
    }
}

/// Consumes jobs until `shutdown` is cancelled or the queue closes.
pub async fn run_worker(
    queue: Arc<dyn JobQueue>,
    store: Arc<dyn ResultStore>,
    processor: Arc<dyn JobProcessor>,
    cfg: WorkerConfig,
    shutdown: CancellationToken,
) -> Result<(), crate::QueueError> {
    let slots = Arc::new(Semaphore::new(cfg.concurrency.max(1)));
    let jobs = CancellationToken::new(); // cancelled when the grace period is over
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        let permit = tokio::select! {
            _ = shutdown.cancelled() => break,
            p = slots.clone().acquire_owned() => p.expect("semaphore open"),
        };
        let delivery = tokio::select! {
            _ = shutdown.cancelled() => break,
            d = queue.next() => d?,
        };
        let Some(delivery) = delivery else { break };
        let (q, s, p, c, j) = (
            queue.clone(),
            store.clone(),
            processor.clone(),
            cfg.clone(),
            jobs.clone(),
        );
        let span =
            tracing::info_span!("job", run = %delivery.job.run_id, site = %delivery.job.site.url);
        tasks.spawn(
            async move {
                handle(delivery, q, s, p, &c, j).await;
                drop(permit);
            }
            .instrument(span),
        );
        while tasks.try_join_next().is_some() {}
    }
    // Stop taking jobs; give in-flight ones the grace period, then hand them back.
    if !tasks.is_empty() {
        info!(in_flight = tasks.len(), grace = ?cfg.grace, "worker stopping: finishing in-flight jobs");
        let drained = tokio::time::timeout(cfg.grace, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            jobs.cancel();
            while tasks.join_next().await.is_some() {}
        }
    }
    Ok(())
}

async fn handle(
    delivery: Delivery,
    queue: Arc<dyn JobQueue>,
    store: Arc<dyn ResultStore>,
    processor: Arc<dyn JobProcessor>,
    cfg: &WorkerConfig,
    cancel: CancellationToken,
) {
    let job = delivery.job.clone();
    let key = job.site.key();
    // A redelivered job whose result is already stored: nothing to redo.
    if delivery.redelivered && matches!(store.has_result(&job.run_id, &key).await, Ok(true)) {
        let _ = delivery.ack().await;
        return;
    }
    let _ = store
        .lease(&job.run_id, &key, &cfg.holder, cfg.lease_ttl)
        .await;
    let heartbeat = {
        let (store, job, holder, ttl) = (
            store.clone(),
            job.clone(),
            cfg.holder.clone(),
            cfg.lease_ttl,
        );
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(ttl / 3).await;
                let _ = store
                    .lease(&job.run_id, &job.site.key(), &holder, ttl)
                    .await;
            }
        })
    };
    let mut work = {
        let (p, job) = (processor.clone(), job.clone());
        tokio::spawn(async move { p.process(&job).await })
    };
    let outcome = tokio::select! {
        r = &mut work => r.map_err(|e| ProcessError(format!("the check panicked: {e}"))).and_then(|r| r),
        _ = cancel.cancelled() => {
            work.abort();
            heartbeat.abort();
            let _ = store.release_lease(&job.run_id, &key).await;
            let _ = delivery.requeue().await;
            return;
        }
    };
    heartbeat.abort();
    match outcome {
        Ok(result) => {
            if let Err(e) = store.put_result(&job.run_id, &result).await {
                // Not stored: hand the job back so it is not lost.
                warn!(error = %e, "cannot store the result; the job goes back to the queue");
                let _ = delivery.requeue().await;
                return;
            }
            let _ = store.release_lease(&job.run_id, &key).await;
            let _ = delivery.ack().await;
        }
        Err(e) if job.attempt < cfg.max_attempts => {
            let backoff = cfg.retry_backoff * 2u32.saturating_pow(job.attempt - 1);
            warn!(attempt = job.attempt, error = %e, ?backoff, "job failed; retrying later");
            let mut next = job.clone();
            next.attempt += 1;
            match queue.publish_delayed(&next, backoff).await {
                Ok(()) => {
                    let _ = delivery.ack().await;
                }
                Err(_) => {
                    let _ = delivery.requeue().await;
                }
            }
            let _ = store.release_lease(&job.run_id, &key).await;
        }
        Err(e) => {
            warn!(attempt = job.attempt, error = %e, "job failed for good; dead-lettered");
            let reason = format!("failed {} times: {e}", job.attempt);
            let result = SiteResult::error(job.site.clone(), reason.clone(), job.attempt);
            if store.put_result(&job.run_id, &result).await.is_ok() {
                let _ = delivery.dead_letter(&reason).await;
            } else {
                let _ = delivery.requeue().await;
            }
            let _ = store.release_lease(&job.run_id, &key).await;
        }
    }
}
