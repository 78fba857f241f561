//! The worker loop: take a job, hold its lease, check the site, store the result, and
//! only then acknowledge. Written once for every queue and store backend.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use pucha_core::{Job, SiteResult};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn, Instrument};

use crate::queue::{Delivery, JobQueue};
use crate::store::ResultStore;
use crate::StoreError;

/// Why checking a site failed as a job (not as a finding): the job is retried, then
/// dead-lettered; a permanent failure (the job itself is unusable here, e.g. a rule pack this
/// worker cannot resolve) is dead-lettered at once.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ProcessError {
    pub message: String,
    /// Retrying cannot help.
    pub permanent: bool,
}

impl ProcessError {
    /// A failure a later attempt may not meet (a panic, a store hiccup).
    pub fn transient(message: impl Into<String>) -> ProcessError {
        ProcessError {
            message: message.into(),
            permanent: false,
        }
    }

    /// A failure every attempt would meet.
    pub fn permanent(message: impl Into<String>) -> ProcessError {
        ProcessError {
            message: message.into(),
            permanent: true,
        }
    }
}

/// What to do with a job whose processing failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureAction {
    /// Publish it again as attempt `next_attempt` after `backoff`.
    Retry {
        next_attempt: u32,
        backoff: Duration,
    },
    /// Record the site as verdict "error" with `reason` and dead-letter the job.
    GiveUp { reason: String },
}

/// The retry decision, apart from the IO: transient failures are retried with a doubling
/// backoff until `max_attempts`; permanent ones are given up at once.
pub fn on_failure(
    err: &ProcessError,
    attempt: u32,
    max_attempts: u32,
    base_backoff: Duration,
) -> FailureAction {
    if err.permanent {
        return FailureAction::GiveUp {
            reason: format!("cannot be checked by this worker: {}", err.message),
        };
    }
    if attempt < max_attempts {
        return FailureAction::Retry {
            next_attempt: attempt + 1,
            backoff: base_backoff * 2u32.saturating_pow(attempt.saturating_sub(1)),
        };
    }
    FailureAction::GiveUp {
        reason: format!("failed {attempt} times: {}", err.message),
    }
}

/// Turns a job into a site result. Site problems are findings inside the result, never errors.
#[async_trait]
pub trait JobProcessor: Send + Sync {
    async fn process(&self, job: &Job) -> Result<SiteResult, ProcessError>;
}

/// Worker settings.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Most sites checked at once by this worker.
    pub concurrency: usize,
    /// Resident memory (bytes) above which no new site starts (0: no memory check); see
    /// [`crate::admission`].
    pub memory_budget: u64,
    /// Attempts before a job is dead-lettered and recorded as verdict "error".
    pub max_attempts: u32,
    /// Times a job may be started in all (attempts plus restarts after a worker died
    /// mid-job) before it is treated as poison.
    pub max_takes: u32,
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
            concurrency: crate::admission::DEFAULT_MAX_SITES,
            memory_budget: crate::admission::DEFAULT_MEMORY_BUDGET,
            max_attempts: 3,
            max_takes: 6,
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
    let admission = crate::admission::Admission {
        max: cfg.concurrency.max(1),
        memory_budget: cfg.memory_budget,
    };
    let jobs = CancellationToken::new(); // cancelled when the grace period is over
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        let permit = tokio::select! {
            _ = shutdown.cancelled() => break,
            p = slots.clone().acquire_owned() => p.expect("semaphore open"),
        };
        // Under the memory budget before the next site (the permit held is not in flight yet).
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = admission.wait(|| admission.max - slots.available_permits() - 1) => {}
        }
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
    while tasks.try_join_next().is_some() {}
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

/// Distinguishes the leases of one worker's jobs (a redelivered copy of a job this same
/// worker is still running must not renew that job's lease as if it were its own).
static LEASE_SEQ: AtomicU64 = AtomicU64::new(1);

/// Counts a job in flight until dropped.
struct InFlight;

impl Drop for InFlight {
    fn drop(&mut self) {
        pucha_metrics::metrics().jobs_in_flight.dec();
    }
}

/// Aborts a spawned task when dropped.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Times a job may be handed back because the result store could not be used before it
/// is dead-lettered (with the base backoff of 5 s: about 20 minutes of waiting in all).
pub const MAX_STORE_WAITS: u32 = 8;

/// Longest delay before a job handed back for the store is tried again.
pub const MAX_STORE_DELAY: Duration = Duration::from_secs(300);

/// The delay before a job the store could not take is tried again, after `waits` earlier
/// hand-backs: the base backoff, doubled each time, at most [`MAX_STORE_DELAY`].
pub fn store_delay(base: Duration, waits: u32) -> Duration {
    base.saturating_mul(2u32.saturating_pow(waits.min(20)))
        .min(MAX_STORE_DELAY)
}

/// Waits before a delivery is requeued in place (no hot loop), unless the job is cancelled.
async fn pause(cancel: &CancellationToken, delay: Duration) {
    tokio::select! {
        _ = cancel.cancelled() => {}
        _ = tokio::time::sleep(delay) => {}
    }
}

/// The store could not be used for this job (unreachable, or the run is missing from it):
/// hand the job back to the queue after a delay that grows with every hand-back, and
/// dead-letter it once it was handed back [`MAX_STORE_WAITS`] times. Never an immediate
/// requeue: a store that is down must not turn the workers into a redelivery loop.
#[allow(clippy::too_many_arguments)]
async fn store_wait(
    delivery: Delivery,
    queue: &Arc<dyn JobQueue>,
    store: &Arc<dyn ResultStore>,
    job: &Job,
    holder: Option<&str>,
    cfg: &WorkerConfig,
    cancel: &CancellationToken,
    what: &str,
    err: &StoreError,
) {
    let m = pucha_metrics::metrics();
    m.store_errors.inc();
    if let Some(h) = holder {
        let _ = store.release_lease(&job.run_id, &job.site.key(), h).await;
    }
    if job.store_waits >= MAX_STORE_WAITS {
        let reason = format!(
            "the result store could not be used {} times ({what}: {err})",
            job.store_waits + 1
        );
        give_up(delivery, store, job, None, reason).await;
        return;
    }
    let delay = store_delay(cfg.retry_backoff, job.store_waits);
    warn!(error = %err, waits = job.store_waits + 1, retry_in = ?delay, "{what}; the job goes back to the queue after a delay");
    m.jobs_requeued.inc();
    let mut next = job.clone();
    next.store_waits += 1;
    match queue.publish_delayed(&next, delay).await {
        Ok(()) => settle(delivery.ack().await, "ack"),
        Err(_) => {
            pause(cancel, delay).await;
            settle(delivery.requeue().await, "requeue");
        }
    }
}

async fn handle(
    delivery: Delivery,
    queue: Arc<dyn JobQueue>,
    store: Arc<dyn ResultStore>,
    processor: Arc<dyn JobProcessor>,
    cfg: &WorkerConfig,
    cancel: CancellationToken,
) {
    let m = pucha_metrics::metrics();
    let job = delivery.job.clone();
    let key = job.site.key();
    if delivery.redelivered {
        m.jobs_redelivered.inc();
        debug!("redelivered job");
    }
    // Already done (a duplicate publish, or a redelivery after the result was stored).
    match store.has_result(&job.run_id, &key).await {
        Ok(true) => {
            debug!("site already has a result; dropping the duplicate job");
            settle(delivery.ack().await, "ack");
            return;
        }
        Ok(false) => {}
        Err(e) => {
            let what = "cannot reach the store";
            store_wait(delivery, &queue, &store, &job, None, cfg, &cancel, what, &e).await;
            return;
        }
    }
    // The run must be in the store, or the result could not be stored: do not check the
    // site for nothing (Redis lost its data; the coordinator re-creates the run).
    match store.run_exists(&job.run_id).await {
        Ok(true) => {}
        Ok(false) => {
            let e = StoreError::NoSuchRun(job.run_id.clone());
            let what = "the run is not in the store (deleted, or the store lost its data)";
            store_wait(delivery, &queue, &store, &job, None, cfg, &cancel, what, &e).await;
            return;
        }
        Err(e) => {
            let what = "cannot reach the store";
            store_wait(delivery, &queue, &store, &job, None, cfg, &cancel, what, &e).await;
            return;
        }
    }
    let holder = format!(
        "{}#{}",
        cfg.holder,
        LEASE_SEQ.fetch_add(1, Ordering::Relaxed)
    );
    match store.lease(&job.run_id, &key, &holder, cfg.lease_ttl).await {
        Ok(true) => {}
        Ok(false) => {
            // Another live worker is checking this site (e.g. the broker redelivered the
            // job after a consumer timeout closed that worker's channel). Look again once
            // its lease could have run out: by then there is a result, or the lease expired
            // because that worker died and this job takes over.
            info!("site is leased by another worker; parking the job");
            match queue.publish_delayed(&job, cfg.lease_ttl).await {
                Ok(()) => settle(delivery.ack().await, "ack"),
                Err(_) => {
                    pause(&cancel, cfg.retry_backoff).await;
                    settle(delivery.requeue().await, "requeue");
                }
            }
            return;
        }
        Err(e) => {
            let what = "cannot take the lease";
            store_wait(delivery, &queue, &store, &job, None, cfg, &cancel, what, &e).await;
            return;
        }
    }
    // A job that keeps killing its worker is poison: give up on it after a few takes.
    let takes = store.count_take(&job.run_id, &key).await.unwrap_or(1);
    if takes > cfg.max_takes {
        let reason = format!("the check was started {takes} times without finishing");
        give_up(delivery, &store, &job, Some(&holder), reason).await;
        return;
    }
    // Both tasks die with this future (a cancelled job must not keep renewing its lease).
    let heartbeat = {
        let (store, job, holder, ttl) = (store.clone(), job.clone(), holder.clone(), cfg.lease_ttl);
        AbortOnDrop(tokio::spawn(async move {
            loop {
                tokio::time::sleep(ttl / 3).await;
                match store
                    .lease(&job.run_id, &job.site.key(), &holder, ttl)
                    .await
                {
                    Ok(true) => {}
                    Ok(false) => {
                        warn!("lease lost to another worker; the result is stored either way")
                    }
                    Err(e) => warn!(error = %e, "cannot renew the lease"),
                }
            }
        }))
    };
    let started = std::time::Instant::now();
    m.jobs_started.inc();
    m.jobs_in_flight.inc();
    let _in_flight = InFlight;
    let mut work = {
        let (p, job) = (processor.clone(), job.clone());
        AbortOnDrop(tokio::spawn(async move { p.process(&job).await }))
    };
    let outcome = tokio::select! {
        r = &mut work.0 => r.map_err(|e| ProcessError::transient(format!("the check panicked: {e}"))).and_then(|r| r),
        _ = cancel.cancelled() => {
            drop((work, heartbeat));
            let _ = store.release_lease(&job.run_id, &key, &holder).await;
            settle(delivery.requeue().await, "requeue");
            info!("grace period over; job handed back");
            return;
        }
    };
    drop(heartbeat);
    match outcome {
        Ok(result) => {
            match store.put_result(&job.run_id, &result).await {
                Ok(()) => {}
                Err(e @ StoreError::NotInRun { .. }) => {
                    // A stale job of another site list: its result must not join the run.
                    warn!(error = %e, "result rejected: the site is not in the run");
                    give_up(delivery, &store, &job, Some(&holder), e.to_string()).await;
                    return;
                }
                Err(e) => {
                    // Not stored: hand the job back (after a delay) so it is not lost.
                    let what = "cannot store the result";
                    store_wait(
                        delivery,
                        &queue,
                        &store,
                        &job,
                        Some(&holder),
                        cfg,
                        &cancel,
                        what,
                        &e,
                    )
                    .await;
                    return;
                }
            }
            let _ = store.release_lease(&job.run_id, &key, &holder).await;
            settle(delivery.ack().await, "ack");
            m.jobs_done.inc();
            m.job_duration.observe(started.elapsed().as_secs_f64());
            info!(verdict = ?result.verdict, elapsed = ?started.elapsed(), "site checked");
        }
        Err(e) => {
            m.jobs_failed.inc();
            match on_failure(&e, job.attempt, cfg.max_attempts, cfg.retry_backoff) {
                FailureAction::Retry {
                    next_attempt,
                    backoff,
                } => {
                    warn!(attempt = job.attempt, error = %e, ?backoff, "job failed; retrying later");
                    let mut next = job.clone();
                    next.attempt = next_attempt;
                    let _ = store.release_lease(&job.run_id, &key, &holder).await;
                    match queue.publish_delayed(&next, backoff).await {
                        Ok(()) => settle(delivery.ack().await, "ack"),
                        Err(_) => {
                            pause(&cancel, backoff).await;
                            settle(delivery.requeue().await, "requeue");
                        }
                    }
                }
                FailureAction::GiveUp { reason } => {
                    give_up(delivery, &store, &job, Some(&holder), reason).await;
                }
            }
        }
    }
}

/// Records the site as verdict "error" and moves the job to the dead-letter queue. When
/// the error result cannot be stored (the store is down, or the run is missing), the job is
/// dead-lettered all the same, with that in its reason: the dead-letter queue and its
/// alert show it, and the coordinator's sweeper publishes the site again.
async fn give_up(
    delivery: Delivery,
    store: &Arc<dyn ResultStore>,
    job: &Job,
    holder: Option<&str>,
    reason: String,
) {
    let m = pucha_metrics::metrics();
    let key = job.site.key();
    let result = SiteResult::error(job.site.clone(), reason.clone(), job.attempt);
    let reason = match store.put_result(&job.run_id, &result).await {
        Ok(()) => reason,
        Err(e) => {
            if !matches!(e, StoreError::NotInRun { .. }) {
                m.store_errors.inc();
            }
            format!("{reason} (the error result could not be stored: {e})")
        }
    };
    match delivery.dead_letter(&reason).await {
        Ok(()) => {
            m.jobs_dead_lettered.inc();
            warn!(attempt = job.attempt, %reason, "job failed for good; dead-lettered");
        }
        Err(e) => {
            warn!(attempt = job.attempt, %reason, error = %e, "job failed for good but could not be dead-lettered; the broker redelivers it")
        }
    }
    if let Some(h) = holder {
        let _ = store.release_lease(&job.run_id, &key, h).await;
    }
}

/// Settling fails when the delivery's channel died meanwhile; the broker then redelivers
/// the job, and the stored result (or the lease) makes the redelivery a no-op.
fn settle(r: Result<(), crate::QueueError>, what: &str) {
    if let Err(e) = r {
        debug!(error = %e, "could not {what} the delivery");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_delays_grow_and_are_capped() {
        let base = Duration::from_secs(5);
        let got: Vec<u64> = (0..MAX_STORE_WAITS)
            .map(|n| store_delay(base, n).as_secs())
            .collect();
        assert_eq!(got, [5, 10, 20, 40, 80, 160, 300, 300]);
        assert_eq!(store_delay(base, u32::MAX), MAX_STORE_DELAY);
        assert_eq!(
            store_delay(Duration::from_millis(10), 2),
            Duration::from_millis(40)
        );
    }

    #[test]
    fn failure_decision_table() {
        let base = Duration::from_secs(5);
        let t = ProcessError::transient("store hiccup");
        let p = ProcessError::permanent("unknown rule pack");
        let retry = |n, s| FailureAction::Retry {
            next_attempt: n,
            backoff: Duration::from_secs(s),
        };
        let give_up = |r: &str| FailureAction::GiveUp { reason: r.into() };
        let table: Vec<(&ProcessError, u32, u32, FailureAction)> = vec![
            (&t, 1, 3, retry(2, 5)),
            (&t, 2, 3, retry(3, 10)),
            (&t, 3, 3, give_up("failed 3 times: store hiccup")),
            (&t, 1, 1, give_up("failed 1 times: store hiccup")),
            (
                &p,
                1,
                3,
                give_up("cannot be checked by this worker: unknown rule pack"),
            ),
        ];
        for (err, attempt, max, want) in table {
            assert_eq!(
                on_failure(err, attempt, max, base),
                want,
                "{err} {attempt}/{max}"
            );
        }
    }
}
