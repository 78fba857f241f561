//! Embedded mode: the coordinator and N workers in one process, over the in-process
//! queue and a store. The same loops as the distributed mode.

use std::sync::Arc;
use std::time::Duration;

use pucha_core::{CrawlConfig, Report, Run, Site};
use tokio_util::sync::CancellationToken;

use crate::coordinator::{publish_run, wait_for_run, Progress, RunError};
use crate::queue::{JobQueue, MemQueue};
use crate::store::ResultStore;
use crate::worker::{run_worker, JobProcessor, WorkerConfig};

/// Runs a whole census in-process and returns its report.
pub async fn run_census(
    run: &Run,
    sites: &[Site],
    crawl: &CrawlConfig,
    admission: crate::admission::Admission,
    store: Arc<dyn ResultStore>,
    processor: Arc<dyn JobProcessor>,
    on_progress: impl FnMut(Progress),
) -> Result<Report, RunError> {
    let queue = Arc::new(MemQueue::new());
    let shutdown = CancellationToken::new();
    let cfg = WorkerConfig {
        concurrency: admission.max.max(1),
        memory_budget: admission.memory_budget,
        holder: "embedded".into(),
        retry_backoff: Duration::from_millis(200),
        ..WorkerConfig::default()
    };
    let worker = tokio::spawn(run_worker(
        queue.clone() as Arc<dyn JobQueue>,
        store.clone(),
        processor,
        cfg,
        shutdown.clone(),
    ));
    let result = async {
        publish_run(queue.as_ref(), store.as_ref(), run, sites, crawl).await?;
        wait_for_run(
            store.clone(),
            &run.id,
            Duration::from_millis(100),
            CancellationToken::new(),
            on_progress,
        )
        .await
    }
    .await;
    shutdown.cancel();
    queue.close().await;
    let _ = worker.await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemStore;
    use crate::worker::ProcessError;
    use async_trait::async_trait;
    use pucha_core::{Category, Job, SiteResult, Verdict};
    use std::sync::atomic::{AtomicU32, Ordering};

    /// Fails the first attempt of every site whose name ends in "!" and always fails "poison".
    struct Flaky(AtomicU32);

    #[async_trait]
    impl JobProcessor for Flaky {
        async fn process(&self, job: &Job) -> Result<SiteResult, ProcessError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            if job.site.name == "poison" {
                panic!("poison job");
            }
            if job.site.name.ends_with('!') && job.attempt == 1 {
                return Err(ProcessError::transient("transient"));
            }
            let mut r = SiteResult::error(job.site.clone(), "x", job.attempt);
            r.verdict = Verdict::Pass;
            r.error = None;
            Ok(r)
        }
    }

    fn site(i: usize, name: &str) -> Site {
        Site {
            name: name.into(),
            url: format!("http://127.0.0.{i}/").parse().unwrap(),
            category: Category::Department,
            site_code: None,
            sponsor: None,
        }
    }

    #[tokio::test]
    async fn every_site_gets_exactly_one_result_despite_retries_and_a_poison_job() {
        let sites = vec![site(1, "a"), site(2, "b!"), site(3, "poison"), site(4, "c")];
        let run = Run {
            id: "t1".into(),
            as_of: chrono::NaiveDate::from_ymd_opt(2024, 10, 8).unwrap(),
            mode: Default::default(),
            exec: Default::default(),
            rule_pack: "test".into(),
            started_at: chrono::Utc::now(),
            finished_at: None,
            sites_total: 4,
            pack: None,
        };
        let store = Arc::new(MemStore::new());
        let p = Arc::new(Flaky(AtomicU32::new(0)));
        let report = run_census(
            &run,
            &sites,
            &CrawlConfig::default(),
            crate::admission::Admission::fixed(3),
            store,
            p.clone(),
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(report.sites.len(), 4);
        assert_eq!(report.summary.passed, 3);
        assert_eq!(report.summary.errors, 1);
        let poison = report
            .sites
            .iter()
            .find(|s| s.site.name == "poison")
            .unwrap();
        assert_eq!(poison.verdict, Verdict::Error);
        assert!(poison.error.as_deref().unwrap().contains("panicked"));
        // a: 1, b!: 2, c: 1, poison: 3 attempts
        assert_eq!(p.0.load(Ordering::SeqCst), 7);
        assert!(report.run.finished_at.is_some());
    }
}
