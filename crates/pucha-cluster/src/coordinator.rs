//! The coordinator's side of a run: create or resume it, publish one job per site that
//! has no result yet, and wait until every site has a result (or a final error).

use std::sync::Arc;
use std::time::{Duration, Instant};

use pucha_core::{CrawlConfig, Job, Report, Run, Site};
use tokio_util::sync::CancellationToken;

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
    let done = store.done_keys(&run.id).await?;
    let mut published = 0;
    for site in sites.iter().filter(|s| !done.contains(&s.key())) {
        queue.publish(&job_for(run, site, crawl)).await?;
        published += 1;
    }
    Ok(published)
}

/// The job of one site of a run.
pub fn job_for(run: &Run, site: &Site, crawl: &CrawlConfig) -> Job {
    Job {
        run_id: run.id.clone(),
        as_of: run.as_of,
        mode: run.mode,
        site: site.clone(),
        attempt: 1,
        crawl: crawl.clone(),
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
    let first_done = store.done_keys(run_id).await?.len();
    loop {
        let done = store.done_keys(run_id).await?.len();
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
