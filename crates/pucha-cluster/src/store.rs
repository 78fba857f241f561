//! The result store: runs, their site lists, one result per (run, site), and job leases.
//!
//! Writing a result is idempotent: it is keyed by run and site, so a redelivered job
//! overwrites its earlier result instead of adding a second one.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use pucha_core::{Report, Run, Site, SiteResult};

use crate::error::StoreError;

/// Where runs and results live.
#[async_trait]
pub trait ResultStore: Send + Sync {
    /// Records a run and its site list. Idempotent: re-creating a run keeps its results (resume).
    async fn create_run(&self, run: &Run, sites: &[Site]) -> Result<(), StoreError>;
    async fn run(&self, run_id: &str) -> Result<Option<Run>, StoreError>;
    /// Updates a run's record (e.g. its finish time).
    async fn update_run(&self, run: &Run) -> Result<(), StoreError>;
    async fn sites(&self, run_id: &str) -> Result<Vec<Site>, StoreError>;
    /// Stores the result of one site, replacing any earlier one for the same site.
    async fn put_result(&self, run_id: &str, result: &SiteResult) -> Result<(), StoreError>;
    async fn has_result(&self, run_id: &str, site_key: &str) -> Result<bool, StoreError>;
    async fn results(&self, run_id: &str) -> Result<Vec<SiteResult>, StoreError>;
    /// Keys (`Site::key`) of the sites that have a result.
    async fn done_keys(&self, run_id: &str) -> Result<HashSet<String>, StoreError>;
    async fn list_runs(&self) -> Result<Vec<Run>, StoreError>;
    /// Deletes a run and everything stored under it; false when there was none.
    async fn delete_run(&self, run_id: &str) -> Result<bool, StoreError>;
    /// Takes or renews the lease of a job (a worker's heartbeat). False when another holder has it.
    async fn lease(
        &self,
        run_id: &str,
        site_key: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError>;
    async fn release_lease(&self, run_id: &str, site_key: &str) -> Result<(), StoreError>;
    /// Whether some worker holds a live lease on the job.
    async fn is_leased(&self, run_id: &str, site_key: &str) -> Result<bool, StoreError>;

    /// The run's report built from what is stored, or `None` when the run is unknown.
    async fn load_report(&self, run_id: &str) -> Result<Option<Report>, StoreError> {
        let Some(run) = self.run(run_id).await? else {
            return Ok(None);
        };
        let results = self.results(run_id).await?;
        Ok(Some(Report::new(run, results)))
    }
}

#[derive(Default)]
struct MemRun {
    run: Option<Run>,
    sites: Vec<Site>,
    results: BTreeMap<String, SiteResult>,
    leases: HashMap<String, (String, Instant)>,
}

/// The in-process store of embedded mode.
#[derive(Clone, Default)]
pub struct MemStore {
    runs: Arc<Mutex<BTreeMap<String, MemRun>>>,
}

impl MemStore {
    pub fn new() -> MemStore {
        MemStore::default()
    }
}

#[async_trait]
impl ResultStore for MemStore {
    async fn create_run(&self, run: &Run, sites: &[Site]) -> Result<(), StoreError> {
        let mut g = self.runs.lock().expect("store lock");
        let r = g.entry(run.id.clone()).or_default();
        if r.run.is_none() {
            r.run = Some(run.clone());
            r.sites = sites.to_vec();
        }
        Ok(())
    }

    async fn run(&self, run_id: &str) -> Result<Option<Run>, StoreError> {
        let g = self.runs.lock().expect("store lock");
        Ok(g.get(run_id).and_then(|r| r.run.clone()))
    }

    async fn update_run(&self, run: &Run) -> Result<(), StoreError> {
        let mut g = self.runs.lock().expect("store lock");
        let r = g
            .get_mut(&run.id)
            .ok_or_else(|| StoreError::NoSuchRun(run.id.clone()))?;
        r.run = Some(run.clone());
        Ok(())
    }

    async fn sites(&self, run_id: &str) -> Result<Vec<Site>, StoreError> {
        let g = self.runs.lock().expect("store lock");
        Ok(g.get(run_id).map(|r| r.sites.clone()).unwrap_or_default())
    }

    async fn put_result(&self, run_id: &str, result: &SiteResult) -> Result<(), StoreError> {
        let mut g = self.runs.lock().expect("store lock");
        let r = g
            .get_mut(run_id)
            .ok_or_else(|| StoreError::NoSuchRun(run_id.to_string()))?;
        r.results.insert(result.site.key(), result.clone());
        Ok(())
    }

    async fn has_result(&self, run_id: &str, site_key: &str) -> Result<bool, StoreError> {
        let g = self.runs.lock().expect("store lock");
        Ok(g.get(run_id)
            .is_some_and(|r| r.results.contains_key(site_key)))
    }

    async fn results(&self, run_id: &str) -> Result<Vec<SiteResult>, StoreError> {
        let g = self.runs.lock().expect("store lock");
        Ok(g.get(run_id)
            .map(|r| r.results.values().cloned().collect())
            .unwrap_or_default())
    }

    async fn done_keys(&self, run_id: &str) -> Result<HashSet<String>, StoreError> {
        let g = self.runs.lock().expect("store lock");
        Ok(g.get(run_id)
            .map(|r| r.results.keys().cloned().collect())
            .unwrap_or_default())
    }

    async fn list_runs(&self) -> Result<Vec<Run>, StoreError> {
        let g = self.runs.lock().expect("store lock");
        Ok(g.values().filter_map(|r| r.run.clone()).collect())
    }

    async fn delete_run(&self, run_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .runs
            .lock()
            .expect("store lock")
            .remove(run_id)
            .is_some())
    }

    async fn lease(
        &self,
        run_id: &str,
        site_key: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let mut g = self.runs.lock().expect("store lock");
        let r = g.entry(run_id.to_string()).or_default();
        let now = Instant::now();
        match r.leases.get(site_key) {
            Some((h, until)) if h != holder && *until > now => Ok(false),
            _ => {
                r.leases
                    .insert(site_key.to_string(), (holder.to_string(), now + ttl));
                Ok(true)
            }
        }
    }

    async fn release_lease(&self, run_id: &str, site_key: &str) -> Result<(), StoreError> {
        let mut g = self.runs.lock().expect("store lock");
        if let Some(r) = g.get_mut(run_id) {
            r.leases.remove(site_key);
        }
        Ok(())
    }

    async fn is_leased(&self, run_id: &str, site_key: &str) -> Result<bool, StoreError> {
        let g = self.runs.lock().expect("store lock");
        Ok(g.get(run_id)
            .and_then(|r| r.leases.get(site_key))
            .is_some_and(|(_, until)| *until > Instant::now()))
    }
}
