//! The coordinator's side of a run: create or resume it, publish one job per site that
//! has no result yet, and wait until every site has a result (or a final error).

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pucha_core::summary::{pass_rate, Counts};
use pucha_core::{Category, CrawlConfig, Job, Report, Run, Site, SiteResult, Summary, Verdict};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::queue::JobQueue;
use crate::store::ResultStore;
use crate::{QueueError, StoreError};

/// Why a run could not be driven to its end.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("run {0} was interrupted before every site had a result; run it again with the same run id to resume")]
    Interrupted(String),
}

/// Progress of a run, for progress bars and the ETA metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    /// Estimated time to finish, from the rate so far.
    pub eta: Option<Duration>,
}

/// Creates the run (or finds it, to resume) and publishes a job for every site without a result.
/// Returns how many jobs were published.
pub async fn publish_run(
    queue: &dyn JobQueue,
    store: &dyn ResultStore,
    run: &Run,
    sites: &[Site],
    crawl: &CrawlConfig,
) -> Result<usize, RunError> {
    store.create_run(run, sites).await?;
    // A resumed run keeps what it was created with (as-of, mode, pack): the jobs come from
    // the stored record, not from this invocation's options.
    let stored = store.run(&run.id).await?;
    let run = stored.as_ref().unwrap_or(run);
    let done = store.done_keys(&run.id).await?;
    let mut published = 0;
    // Streamed in batches: memory stays flat whatever the number of sites.
    let mut batch = Vec::with_capacity(PUBLISH_BATCH);
    for site in sites.iter().filter(|s| !done.contains(&s.key())) {
        batch.push(job_for(run, site, crawl));
        if batch.len() == PUBLISH_BATCH {
            queue.publish_many(&batch).await?;
            published += batch.len();
            pucha_metrics::metrics()
                .jobs_published
                .inc_by(batch.len() as u64);
            batch.clear();
        }
    }
    if !batch.is_empty() {
        queue.publish_many(&batch).await?;
        published += batch.len();
        pucha_metrics::metrics()
            .jobs_published
            .inc_by(batch.len() as u64);
    }
    Ok(published)
}

/// Jobs published per pipelined batch.
const PUBLISH_BATCH: usize = 500;

/// The job of one site of a run.
pub fn job_for(run: &Run, site: &Site, crawl: &CrawlConfig) -> Job {
    Job {
        run_id: run.id.clone(),
        as_of: run.as_of,
        mode: run.mode,
        site: site.clone(),
        attempt: 1,
        crawl: crawl.clone(),
        pack: run.pack.clone(),
    }
}

/// Waits until every site of the run has a result, then marks the run finished and returns its report.
pub async fn wait_for_run(
    store: Arc<dyn ResultStore>,
    run_id: &str,
    poll: Duration,
    cancel: CancellationToken,
    mut on_progress: impl FnMut(Progress),
) -> Result<Report, RunError> {
    let total = store.sites(run_id).await?.len();
    let started = Instant::now();
    let first_done = store.result_count(run_id).await?;
    loop {
        let done = store.result_count(run_id).await?;
        let fresh = done.saturating_sub(first_done);
        let eta = (fresh > 0 && done < total).then(|| {
            started
                .elapsed()
                .mul_f64((total - done) as f64 / fresh as f64)
        });
        on_progress(Progress { done, total, eta });
        if done >= total {
            break;
        }
        tokio::select! {
            _ = cancel.cancelled() => return Err(RunError::Interrupted(run_id.to_string())),
            _ = tokio::time::sleep(poll) => {}
        }
    }
    let mut run = store
        .run(run_id)
        .await?
        .ok_or_else(|| StoreError::NoSuchRun(run_id.to_string()))?;
    if run.finished_at.is_none() {
        run.finished_at = Some(chrono::Utc::now());
        store.update_run(&run).await?;
    }
    let results = store.results(run_id).await?;
    Ok(Report::new(run, results))
}

/// Coordinator settings of a distributed run.
#[derive(Debug, Clone)]
pub struct CoordinatorConfig {
    /// How often progress is checked.
    pub poll: Duration,
    /// How often the sweeper looks for lost jobs (set it above the workers' lease TTL
    /// and the longest retry backoff).
    pub sweep_every: Duration,
    /// Shortest interval between two progress log lines.
    pub log_every: Duration,
}

impl Default for CoordinatorConfig {
    fn default() -> Self {
        CoordinatorConfig {
            poll: Duration::from_secs(2),
            sweep_every: Duration::from_secs(90),
            log_every: Duration::from_secs(10),
        }
    }
}

/// Waits for a published run like [`wait_for_run`], and meanwhile sweeps: a site with
/// neither a result nor a live lease while the work queue is empty, on two sweeps in a
/// row, has lost its job (e.g. Redis lost data, or a job was dropped), and its job is
/// published again. Progress and ETA are logged.
pub async fn drive_run(
    queue: Arc<dyn JobQueue>,
    store: Arc<dyn ResultStore>,
    run: &Run,
    crawl: &CrawlConfig,
    cfg: &CoordinatorConfig,
    cancel: CancellationToken,
    mut on_progress: impl FnMut(Progress),
) -> Result<Report, RunError> {
    let sweeper = {
        let (queue, store, run, crawl, every, cancel) = (
            queue.clone(),
            store.clone(),
            run.clone(),
            crawl.clone(),
            cfg.sweep_every,
            cancel.child_token(),
        );
        let stop = cancel.clone();
        let task = tokio::spawn(async move {
            let mut suspects: HashSet<String> = HashSet::new();
            loop {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(every) => {}
                }
                match sweep(queue.as_ref(), store.as_ref(), &run, &crawl, &mut suspects).await {
                    Ok(0) => {}
                    Ok(n) => warn!(
                        republished = n,
                        "jobs lost without a result were published again"
                    ),
                    Err(e) => warn!(error = %e, "sweep failed; trying again later"),
                }
            }
        });
        (task, stop)
    };
    let mut last_log: Option<Instant> = None;
    let log_every = cfg.log_every;
    let result = wait_for_run(store, &run.id, cfg.poll, cancel, |p| {
        if last_log.is_none_or(|t| t.elapsed() >= log_every) || p.done >= p.total {
            last_log = Some(Instant::now());
            info!(
                done = p.done,
                total = p.total,
                eta_s = p.eta.map(|d| d.as_secs()),
                "run progress"
            );
        }
        let m = pucha_metrics::metrics();
        m.run_sites_total.set(p.total as i64);
        m.run_sites_done.set(p.done as i64);
        m.run_eta_seconds
            .set(p.eta.map(|d| d.as_secs_f64()).unwrap_or(0.0));
        on_progress(p);
    })
    .await;
    sweeper.1.cancel();
    let _ = sweeper.0.await;
    result
}

/// One sweep; returns how many jobs were published again.
async fn sweep(
    queue: &dyn JobQueue,
    store: &dyn ResultStore,
    run: &Run,
    crawl: &CrawlConfig,
    suspects: &mut HashSet<String>,
) -> Result<usize, RunError> {
    // Jobs still waiting in the queue have no lease yet: only sweep an empty queue.
    let depth = queue.depth().await?;
    pucha_metrics::metrics()
        .queue_depth(pucha_metrics::QueueKind::Jobs)
        .set(depth as i64);
    if depth > 0 {
        suspects.clear();
        return Ok(0);
    }
    let sites = store.sites(&run.id).await?;
    if store.result_count(&run.id).await? >= sites.len() {
        return Ok(0);
    }
    let done = store.done_keys(&run.id).await?;
    let mut now_suspect = HashSet::new();
    let mut republished = 0;
    for site in sites.iter().filter(|s| !done.contains(&s.key())) {
        let key = site.key();
        if store.is_leased(&run.id, &key).await? {
            continue;
        }
        if suspects.contains(&key) {
            queue.publish(&job_for(run, site, crawl)).await?;
            pucha_metrics::metrics().jobs_published.inc();
            republished += 1;
        } else {
            now_suspect.insert(key);
        }
    }
    *suspects = now_suspect;
    Ok(republished)
}

/// The run summary computed from the store in batches (never all results at once).
pub async fn summarize(store: &dyn ResultStore, run_id: &str) -> Result<Summary, RunError> {
    let mut acc = SummaryAcc::default();
    let mut cursor = 0;
    loop {
        let (next, batch) = store.scan_results(run_id, cursor, 1000).await?;
        for r in &batch {
            acc.add(r);
        }
        if next == 0 {
            return Ok(acc.finish());
        }
        cursor = next;
    }
}

#[derive(Default)]
struct SummaryAcc {
    all: Counts,
    by_category: BTreeMap<Category, Counts>,
    needs_review: usize,
}

fn count(c: &mut Counts, v: Verdict) {
    c.total += 1;
    match v {
        Verdict::Pass => c.passed += 1,
        Verdict::Fail => c.failed += 1,
        Verdict::Error => c.errors += 1,
    }
}

impl SummaryAcc {
    fn add(&mut self, r: &SiteResult) {
        count(&mut self.all, r.verdict);
        count(
            self.by_category.entry(r.site.category).or_default(),
            r.verdict,
        );
        if r.needs_review {
            self.needs_review += 1;
        }
    }

    fn finish(mut self) -> Summary {
        for c in self.by_category.values_mut() {
            c.pass_rate = pass_rate(c.passed, c.checked());
        }
        Summary {
            total: self.all.total,
            passed: self.all.passed,
            failed: self.all.failed,
            errors: self.all.errors,
            pass_rate: pass_rate(self.all.passed, self.all.checked()),
            needs_review: self.needs_review,
            by_category: self.by_category,
        }
    }
}
