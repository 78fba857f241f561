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
    /// Resuming with other inputs than the run was created with.
    #[error("run {run} was created with {}; start a new run or pass --replace", changes.iter().map(ToString::to_string).collect::<Vec<_>>().join("; with "))]
    InputsChanged {
        run: String,
        changes: Vec<InputChange>,
    },
    /// Another coordinator holds the run's lease.
    #[error("run {run} is already coordinated by {holder}; one coordinator per run: wait for it to finish or stop it (its lease expires by itself {ttl:?} after it died)")]
    Busy {
        run: String,
        holder: String,
        ttl: Duration,
    },
}

/// One input of a run that a start asks to change (see [`input_changes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputChange {
    /// `as-of`, `mode`, `rule pack` or `site list`.
    pub what: &'static str,
    /// What the run was created with.
    pub created: String,
    /// What this start asks for.
    pub asked: String,
}

impl std::fmt::Display for InputChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}, this start asks for {}",
            self.what, self.created, self.asked
        )
    }
}

/// A digest of a site list, independent of the rows' order: FNV-1a (64 bits, hex) over
/// the sorted JSON of its sites. Two lists with the same sites (names, URLs, categories,
/// codes) have the same digest.
pub fn sites_digest(sites: &[Site]) -> String {
    let mut rows: Vec<String> = sites
        .iter()
        .map(|s| serde_json::to_string(s).unwrap_or_default())
        .collect();
    rows.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for row in &rows {
        for b in row.bytes().chain(std::iter::once(b'\n')) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn mode_name(m: pucha_core::ScoringMode) -> String {
    serde_json::to_value(m)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{m:?}"))
}

/// What differs between the inputs a run was created with (`stored`, `stored_sites`) and
/// those a new start asks for: as-of date, scoring mode, rule pack (by content hash) and
/// site list (by [`sites_digest`]). Empty when the start may resume the run.
pub fn input_changes(
    stored: &Run,
    stored_sites: &[Site],
    asked: &Run,
    sites: &[Site],
) -> Vec<InputChange> {
    let mut out = Vec::new();
    if stored.as_of != asked.as_of {
        out.push(InputChange {
            what: "as-of",
            created: stored.as_of.to_string(),
            asked: asked.as_of.to_string(),
        });
    }
    if stored.mode != asked.mode {
        out.push(InputChange {
            what: "mode",
            created: mode_name(stored.mode),
            asked: mode_name(asked.mode),
        });
    }
    let pack = |r: &Run| match &r.pack {
        Some(p) => format!("{} (sha256 {})", p.label, &p.hash[..p.hash.len().min(12)]),
        None => r.rule_pack.clone(),
    };
    let pack_differs = match (&stored.pack, &asked.pack) {
        (Some(a), Some(b)) => a.hash != b.hash,
        // Runs stored before the pack was recorded: compare the labels.
        _ => stored.rule_pack != asked.rule_pack,
    };
    if pack_differs {
        out.push(InputChange {
            what: "rule pack",
            created: pack(stored),
            asked: pack(asked),
        });
    }
    let (was, now) = (sites_digest(stored_sites), sites_digest(sites));
    if was != now {
        let old: HashSet<String> = stored_sites.iter().map(Site::key).collect();
        let new: HashSet<String> = sites.iter().map(Site::key).collect();
        let added = new.difference(&old).count();
        let dropped = old.difference(&new).count();
        let mut detail = Vec::new();
        if added > 0 {
            detail.push(format!("{added} not in the run"));
        }
        if dropped > 0 {
            detail.push(format!("{dropped} of the run left out"));
        }
        if detail.is_empty() {
            detail.push("the same URLs with other names, categories or codes".into());
        }
        out.push(InputChange {
            what: "site list",
            created: format!("of {} sites (digest {was})", stored_sites.len()),
            asked: format!(
                "{} sites (digest {now}: {})",
                sites.len(),
                detail.join(", ")
            ),
        });
    }
    out
}

/// `--replace`: when the stored run `run.id` was created with other inputs than `run` and
/// `sites`, deletes it (and its results) so that [`publish_run`] creates it anew. Returns
/// the changes that were replaced (empty when the run is new or unchanged: it resumes).
pub async fn replace_if_changed(
    store: &dyn ResultStore,
    run: &Run,
    sites: &[Site],
) -> Result<Vec<InputChange>, RunError> {
    let Some(stored) = store.run(&run.id).await? else {
        return Ok(Vec::new());
    };
    let changes = input_changes(&stored, &store.sites(&run.id).await?, run, sites);
    if !changes.is_empty() {
        store.delete_run(&run.id).await?;
        warn!(run = %run.id, changes = %changes.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "), "--replace: the stored run and its results were deleted; it starts anew");
    }
    Ok(changes)
}

/// The coordinator's lease on a run, renewed in the background until released or dropped.
pub struct RunLease {
    store: Arc<dyn ResultStore>,
    run_id: String,
    holder: String,
    renew: tokio::task::JoinHandle<()>,
}

/// A holder name for a coordinator of this process: `{host}-{pid}`.
pub fn coordinator_holder() -> String {
    format!("{}-{}", crate::file_store::host_name(), std::process::id())
}

impl RunLease {
    /// Takes the lease of `run_id` for `holder` (one coordinator per run), or fails with
    /// [`RunError::Busy`] naming who holds it. Renewed every third of `ttl`.
    pub async fn take(
        store: Arc<dyn ResultStore>,
        run_id: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<RunLease, RunError> {
        if let Some(other) = store.lease_run(run_id, holder, ttl).await? {
            return Err(RunError::Busy {
                run: run_id.to_string(),
                holder: other,
                ttl,
            });
        }
        let renew = {
            let (store, run_id, holder) = (store.clone(), run_id.to_string(), holder.to_string());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(ttl / 3).await;
                    match store.lease_run(&run_id, &holder, ttl).await {
                        Ok(None) => {}
                        Ok(Some(other)) => {
                            warn!(run = %run_id, %other, "the run's coordinator lease was taken by another coordinator")
                        }
                        Err(e) => {
                            warn!(run = %run_id, error = %e, "cannot renew the run's coordinator lease")
                        }
                    }
                }
            })
        };
        Ok(RunLease {
            store,
            run_id: run_id.to_string(),
            holder: holder.to_string(),
            renew,
        })
    }

    /// Stops renewing and drops the lease.
    pub async fn release(self) {
        self.renew.abort();
        let _ = self.store.release_run(&self.run_id, &self.holder).await;
    }
}

impl Drop for RunLease {
    fn drop(&mut self) {
        self.renew.abort();
    }
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
///
/// A run's inputs are fixed when it is created: resuming it with another as-of date, mode,
/// rule pack or site list fails with [`RunError::InputsChanged`] (see [`replace_if_changed`]).
pub async fn publish_run(
    queue: &dyn JobQueue,
    store: &dyn ResultStore,
    run: &Run,
    sites: &[Site],
    crawl: &CrawlConfig,
) -> Result<usize, RunError> {
    let stored = match store.run(&run.id).await? {
        Some(stored) => {
            let changes = input_changes(&stored, &store.sites(&run.id).await?, run, sites);
            if !changes.is_empty() {
                return Err(RunError::InputsChanged {
                    run: run.id.clone(),
                    changes,
                });
            }
            // Resumed: the jobs come from the stored record.
            stored
        }
        None => {
            store.create_run(run, sites).await?;
            run.clone()
        }
    };
    let run = &stored;
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
        store_waits: 0,
    }
}

/// Waits until every site of the run has a result, then marks the run finished and returns its report.
pub async fn wait_for_run(
    store: Arc<dyn ResultStore>,
    run_id: &str,
    poll: Duration,
    cancel: CancellationToken,
    on_progress: impl FnMut(Progress),
) -> Result<Report, RunError> {
    wait(store, run_id, poll, cancel, on_progress, None).await
}

/// What the coordinator needs to put a run back when the store lost it.
struct Recovery<'a> {
    queue: &'a dyn JobQueue,
    run: &'a Run,
    sites: &'a [Site],
    crawl: &'a CrawlConfig,
}

/// Checks the run is still in the store; when it is not (Redis restarted without its
/// data, or the run was deleted under the coordinator), re-creates it from the site list
/// and publishes the jobs of every site without a result. Returns how many, when it did.
async fn recover(store: &dyn ResultStore, r: &Recovery<'_>) -> Result<Option<usize>, RunError> {
    if store.run_exists(&r.run.id).await? {
        return Ok(None);
    }
    let n = publish_run(r.queue, store, r.run, r.sites, r.crawl).await?;
    pucha_metrics::metrics().runs_recreated.inc();
    warn!(
        run = %r.run.id,
        republished = n,
        "run {} vanished from the store (Redis lost its data?); re-created it and re-published {n} jobs",
        r.run.id
    );
    Ok(Some(n))
}

async fn wait(
    store: Arc<dyn ResultStore>,
    run_id: &str,
    poll: Duration,
    cancel: CancellationToken,
    mut on_progress: impl FnMut(Progress),
    recovery: Option<Recovery<'_>>,
) -> Result<Report, RunError> {
    let total = match &recovery {
        Some(r) => r.sites.len(),
        None => store.sites(run_id).await?.len(),
    };
    let mut started = Instant::now();
    let mut first_done = store.result_count(run_id).await?;
    loop {
        let done = match &recovery {
            None => store.result_count(run_id).await?,
            // The coordinator outlives a store outage: it waits and checks again.
            Some(r) => {
                let tick = async {
                    if recover(store.as_ref(), r).await?.is_some() {
                        started = Instant::now();
                        first_done = store.result_count(run_id).await?;
                    }
                    Ok::<_, RunError>(store.result_count(run_id).await?)
                };
                let failed = match tick.await {
                    Ok(done) => Ok(done),
                    Err(RunError::Store(e)) if e.is_transient() => Err(e.to_string()),
                    Err(RunError::Queue(e)) if e.is_transient() => Err(e.to_string()),
                    Err(e) => return Err(e),
                };
                match failed {
                    Ok(done) => done,
                    Err(e) => {
                        warn!(error = %e, "cannot follow the run in the store or re-publish its jobs; trying again");
                        tokio::select! {
                            _ = cancel.cancelled() => return Err(RunError::Interrupted(run_id.to_string())),
                            _ = tokio::time::sleep(poll) => {}
                        }
                        continue;
                    }
                }
            }
        };
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
    let sites = store.sites(&run.id).await?;
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
    let recovery = Recovery {
        queue: queue.as_ref(),
        run,
        sites: &sites,
        crawl,
    };
    let progress = |p: Progress| {
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
    };
    let result = wait(
        store.clone(),
        &run.id,
        cfg.poll,
        cancel,
        progress,
        Some(recovery),
    )
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
