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
    /// Drops the lease of a job if `holder` still holds it (a lease taken over by another
    /// worker after it expired is left alone).
    async fn release_lease(
        &self,
        run_id: &str,
        site_key: &str,
        holder: &str,
    ) -> Result<(), StoreError>;
    /// Whether some worker holds a live lease on the job.
    async fn is_leased(&self, run_id: &str, site_key: &str) -> Result<bool, StoreError>;
    /// Counts one more time a worker started the job and returns the count so far (guards
    /// against a job that kills its worker every time, which would otherwise loop forever).
    async fn count_take(&self, run_id: &str, site_key: &str) -> Result<u32, StoreError>;

    /// Whether the run's record is in the store. A run that was created and is no longer
    /// there was deleted, or the store lost its data (Redis restarted without persistence).
    async fn run_exists(&self, run_id: &str) -> Result<bool, StoreError> {
        Ok(self.run(run_id).await?.is_some())
    }

    /// Takes or renews the coordinator's lease on a run: one coordinator per run. `None`
    /// when `holder` holds it afterwards, else who holds it.
    async fn lease_run(
        &self,
        run_id: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<String>, StoreError> {
        if self.lease(run_id, RUN_LEASE_KEY, holder, ttl).await? {
            Ok(None)
        } else {
            Ok(Some("another coordinator".into()))
        }
    }

    /// Drops the coordinator's lease on a run if `holder` still holds it.
    async fn release_run(&self, run_id: &str, holder: &str) -> Result<(), StoreError> {
        self.release_lease(run_id, RUN_LEASE_KEY, holder).await
    }

    /// Number of sites that have a result (cheaper than [`ResultStore::done_keys`]).
    async fn result_count(&self, run_id: &str) -> Result<usize, StoreError> {
        Ok(self.done_keys(run_id).await?.len())
    }

    /// One batch of results: start with cursor 0, stop when the returned cursor is 0.
    /// Lets callers aggregate a large run without holding every result at once.
    async fn scan_results(
        &self,
        run_id: &str,
        cursor: u64,
        count: usize,
    ) -> Result<(u64, Vec<SiteResult>), StoreError> {
        let all = self.results(run_id).await?;
        let start = (cursor as usize).min(all.len());
        let end = start.saturating_add(count.max(1)).min(all.len());
        let next = if end >= all.len() { 0 } else { end as u64 };
        Ok((next, all[start..end].to_vec()))
    }

    /// The run's report built from what is stored, or `None` when the run is unknown.
    async fn load_report(&self, run_id: &str) -> Result<Option<Report>, StoreError> {
        let Some(run) = self.run(run_id).await? else {
            return Ok(None);
        };
        let results = self.results(run_id).await?;
        Ok(Some(Report::new(run, results)))
    }
}

/// The lease key of a run's coordinator in stores that keep it among the job leases (never
/// a site key: those are URLs).
pub const RUN_LEASE_KEY: &str = "#coordinator";

#[derive(Default)]
struct MemRun {
    run: Option<Run>,
    sites: Vec<Site>,
    results: BTreeMap<String, SiteResult>,
    leases: HashMap<String, (String, Instant)>,
    takes: HashMap<String, u32>,
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
            .filter(|r| r.run.is_some())
            .ok_or_else(|| StoreError::NoSuchRun(run_id.to_string()))?;
        let key = result.site.key();
        if !r.sites.iter().any(|s| s.key() == key) {
            return Err(StoreError::NotInRun {
                run: run_id.to_string(),
                site: key,
            });
        }
        r.results.insert(key, result.clone());
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

    async fn release_lease(
        &self,
        run_id: &str,
        site_key: &str,
        holder: &str,
    ) -> Result<(), StoreError> {
        let mut g = self.runs.lock().expect("store lock");
        if let Some(r) = g.get_mut(run_id) {
            if r.leases.get(site_key).is_some_and(|(h, _)| h == holder) {
                r.leases.remove(site_key);
            }
        }
        Ok(())
    }

    async fn count_take(&self, run_id: &str, site_key: &str) -> Result<u32, StoreError> {
        let mut g = self.runs.lock().expect("store lock");
        let r = g.entry(run_id.to_string()).or_default();
        let n = r.takes.entry(site_key.to_string()).or_insert(0);
        *n += 1;
        Ok(*n)
    }

    async fn is_leased(&self, run_id: &str, site_key: &str) -> Result<bool, StoreError> {
        let g = self.runs.lock().expect("store lock");
        Ok(g.get(run_id)
            .and_then(|r| r.leases.get(site_key))
            .is_some_and(|(_, until)| *until > Instant::now()))
    }
}

/// Checks that a run id is safe as a file name and inside a Redis key:
/// 1–100 characters of ASCII letters, digits, `.`, `_` and `-`, not starting with a dot.
pub fn validate_run_id(run_id: &str) -> Result<(), StoreError> {
    let ok = !run_id.is_empty()
        && run_id.len() <= 100
        && !run_id.starts_with('.')
        && run_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Other(format!(
            "invalid run id {run_id:?}: use letters, digits, '.', '_' and '-'"
        )))
    }
}

/// A URL with its password (if any) replaced by `***`, for logs and error messages.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "<unparsable url>".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(
            redact_url("redis://:s3cret@10.0.0.5:6379/0"),
            "redis://:***@10.0.0.5:6379/0"
        );
        assert_eq!(
            redact_url("amqp://guest:guest@127.0.0.1:5672/%2f"),
            "amqp://guest:***@127.0.0.1:5672/%2f"
        );
        assert_eq!(redact_url("redis://127.0.0.1/"), "redis://127.0.0.1/");
        assert!(!redact_url("redis://u:pw@").contains("pw"));
    }

    #[test]
    fn run_ids_are_safe_path_and_key_parts() {
        assert!(validate_run_id("2024Q4-city").is_ok());
        for bad in ["", "../x", "a/b", ".hidden", "a b", "a:b"] {
            assert!(validate_run_id(bad).is_err(), "{bad}");
        }
    }
}
