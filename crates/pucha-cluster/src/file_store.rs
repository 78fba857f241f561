//! The file-backed result store of embedded mode: a run stays on disk after the process
//! exits, so `pucha report --run ID` can render it later without Redis.
//!
//! Layout under the data dir (default `.pucha/`):
//! `runs/{id}/run.json`, `runs/{id}/sites.json` and `runs/{id}/results/{site}.json`
//! (one file per site, replaced atomically: writing a result twice keeps one).
//! Leases are process-local: embedded mode has a single process.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use pucha_core::{Run, Site, SiteResult};

use crate::error::StoreError;
use crate::store::{validate_run_id, ResultStore};

/// (run id, site key) → (holder, expiry).
type Leases = HashMap<(String, String), (String, Instant)>;

/// A result store in a directory.
#[derive(Clone)]
pub struct FileStore {
    root: PathBuf,
    leases: Arc<Mutex<Leases>>,
    takes: Arc<Mutex<HashMap<(String, String), u32>>>,
    /// Site keys of each run's list, read once (results are only taken for these).
    keys: Arc<Mutex<HashMap<String, Arc<HashSet<String>>>>>,
}

/// The coordinator's lock file of a run (`locks/{run}.lock`): who holds it.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct RunLock {
    holder: String,
    pid: u32,
    host: String,
}

/// This machine's name (`HOSTNAME`, else /etc/hostname), for lock holders.
pub(crate) fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "localhost".into())
}

/// Whether process `pid` of this host is alive (`/proc` on Linux; elsewhere assumed alive,
/// and only the lock's age tells it is stale).
fn pid_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io(format!("{}: {e}", path.display()))
}

/// A file name for a site key: readable, and unique thanks to a hash of the whole key.
fn file_name(site_key: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325; // FNV-1a
    for b in site_key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let readable: String = site_key
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    format!("{readable}-{h:016x}.json")
}

async fn write_atomic(path: &Path, bytes: Vec<u8>) -> Result<(), StoreError> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    tokio::fs::write(&tmp, bytes)
        .await
        .map_err(|e| io(&tmp, e))?;
    tokio::fs::rename(&tmp, path).await.map_err(|e| io(path, e))
}

async fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>, StoreError> {
    match tokio::fs::read(path).await {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| StoreError::Codec(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path, e)),
    }
}

fn encode<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec_pretty(v).map_err(|e| StoreError::Codec(e.to_string()))
}

impl FileStore {
    /// A store under `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> FileStore {
        FileStore {
            root: root.into(),
            leases: Arc::default(),
            takes: Arc::default(),
            keys: Arc::default(),
        }
    }

    fn lock_file(&self, run_id: &str) -> Result<PathBuf, StoreError> {
        validate_run_id(run_id)?;
        Ok(self.root.join("locks").join(format!("{run_id}.lock")))
    }

    /// The site keys of a run's list (cached; `None` when the run has no list).
    async fn site_keys(&self, run_id: &str) -> Result<Option<Arc<HashSet<String>>>, StoreError> {
        if let Some(k) = self.keys.lock().expect("keys lock").get(run_id) {
            return Ok(Some(k.clone()));
        }
        let Some(sites) = read_json::<Vec<Site>>(&self.run_dir(run_id)?.join("sites.json")).await?
        else {
            return Ok(None);
        };
        let keys: Arc<HashSet<String>> = Arc::new(sites.iter().map(Site::key).collect());
        self.keys
            .lock()
            .expect("keys lock")
            .insert(run_id.to_string(), keys.clone());
        Ok(Some(keys))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn run_dir(&self, run_id: &str) -> Result<PathBuf, StoreError> {
        validate_run_id(run_id)?;
        Ok(self.root.join("runs").join(run_id))
    }

    async fn result_files(&self, run_id: &str) -> Result<Vec<PathBuf>, StoreError> {
        let dir = self.run_dir(run_id)?.join("results");
        let mut rd = match tokio::fs::read_dir(&dir).await {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(&dir, e)),
        };
        let mut files = Vec::new();
        while let Some(entry) = rd.next_entry().await.map_err(|e| io(&dir, e))? {
            let p = entry.path();
            if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
        files.sort();
        Ok(files)
    }
}

#[async_trait]
impl ResultStore for FileStore {
    async fn create_run(&self, run: &Run, sites: &[Site]) -> Result<(), StoreError> {
        let dir = self.run_dir(&run.id)?;
        let run_file = dir.join("run.json");
        if tokio::fs::try_exists(&run_file).await.unwrap_or(false) {
            return Ok(()); // resume
        }
        self.keys.lock().expect("keys lock").remove(&run.id);
        let results = dir.join("results");
        tokio::fs::create_dir_all(&results)
            .await
            .map_err(|e| io(&results, e))?;
        write_atomic(&dir.join("sites.json"), encode(&sites)?).await?;
        write_atomic(&run_file, encode(run)?).await
    }

    async fn run(&self, run_id: &str) -> Result<Option<Run>, StoreError> {
        read_json(&self.run_dir(run_id)?.join("run.json")).await
    }

    async fn update_run(&self, run: &Run) -> Result<(), StoreError> {
        let file = self.run_dir(&run.id)?.join("run.json");
        if !tokio::fs::try_exists(&file).await.unwrap_or(false) {
            return Err(StoreError::NoSuchRun(run.id.clone()));
        }
        write_atomic(&file, encode(run)?).await
    }

    async fn sites(&self, run_id: &str) -> Result<Vec<Site>, StoreError> {
        Ok(read_json(&self.run_dir(run_id)?.join("sites.json"))
            .await?
            .unwrap_or_default())
    }

    async fn put_result(&self, run_id: &str, result: &SiteResult) -> Result<(), StoreError> {
        let dir = self.run_dir(run_id)?;
        if !tokio::fs::try_exists(dir.join("run.json"))
            .await
            .unwrap_or(false)
        {
            return Err(StoreError::NoSuchRun(run_id.to_string()));
        }
        let key = result.site.key();
        if let Some(keys) = self.site_keys(run_id).await? {
            if !keys.contains(&key) {
                return Err(StoreError::NotInRun {
                    run: run_id.to_string(),
                    site: key,
                });
            }
        }
        let file = dir.join("results").join(file_name(&key));
        write_atomic(&file, encode(result)?).await
    }

    async fn has_result(&self, run_id: &str, site_key: &str) -> Result<bool, StoreError> {
        let file = self
            .run_dir(run_id)?
            .join("results")
            .join(file_name(site_key));
        Ok(tokio::fs::try_exists(&file).await.unwrap_or(false))
    }

    async fn results(&self, run_id: &str) -> Result<Vec<SiteResult>, StoreError> {
        let mut out = Vec::new();
        for f in self.result_files(run_id).await? {
            if let Some(r) = read_json(&f).await? {
                out.push(r);
            }
        }
        Ok(out)
    }

    async fn done_keys(&self, run_id: &str) -> Result<HashSet<String>, StoreError> {
        Ok(self
            .results(run_id)
            .await?
            .iter()
            .map(|r| r.site.key())
            .collect())
    }

    async fn result_count(&self, run_id: &str) -> Result<usize, StoreError> {
        Ok(self.result_files(run_id).await?.len())
    }

    async fn list_runs(&self) -> Result<Vec<Run>, StoreError> {
        let dir = self.root.join("runs");
        let mut rd = match tokio::fs::read_dir(&dir).await {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(&dir, e)),
        };
        let mut runs = Vec::new();
        while let Some(entry) = rd.next_entry().await.map_err(|e| io(&dir, e))? {
            if let Some(run) = read_json::<Run>(&entry.path().join("run.json")).await? {
                runs.push(run);
            }
        }
        runs.sort_by_key(|r| r.started_at);
        Ok(runs)
    }

    async fn delete_run(&self, run_id: &str) -> Result<bool, StoreError> {
        let dir = self.run_dir(run_id)?;
        self.keys.lock().expect("keys lock").remove(run_id);
        match tokio::fs::remove_dir_all(&dir).await {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io(&dir, e)),
        }
    }

    async fn lease(
        &self,
        run_id: &str,
        site_key: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let mut g = self.leases.lock().expect("lease lock");
        let k = (run_id.to_string(), site_key.to_string());
        let now = Instant::now();
        match g.get(&k) {
            Some((h, until)) if h != holder && *until > now => Ok(false),
            _ => {
                g.insert(k, (holder.to_string(), now + ttl));
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
        let mut g = self.leases.lock().expect("lease lock");
        let k = (run_id.to_string(), site_key.to_string());
        if g.get(&k).is_some_and(|(h, _)| h == holder) {
            g.remove(&k);
        }
        Ok(())
    }

    async fn is_leased(&self, run_id: &str, site_key: &str) -> Result<bool, StoreError> {
        let g = self.leases.lock().expect("lease lock");
        Ok(g.get(&(run_id.to_string(), site_key.to_string()))
            .is_some_and(|(_, until)| *until > Instant::now()))
    }

    async fn run_exists(&self, run_id: &str) -> Result<bool, StoreError> {
        Ok(
            tokio::fs::try_exists(self.run_dir(run_id)?.join("run.json"))
                .await
                .unwrap_or(false),
        )
    }

    /// A lock file `locks/{run}.lock` holding the coordinator's holder name and pid,
    /// rewritten on every renewal. A lock is stale when its process is gone (same host)
    /// or it was not renewed for three lease periods (a process on another host sharing
    /// the directory that died).
    async fn lease_run(
        &self,
        run_id: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<String>, StoreError> {
        let file = self.lock_file(run_id)?;
        let dir = file.parent().expect("lock dir").to_path_buf();
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| io(&dir, e))?;
        let mine = RunLock {
            holder: holder.to_string(),
            pid: std::process::id(),
            host: host_name(),
        };
        for _ in 0..3 {
            match read_json::<RunLock>(&file).await {
                Ok(Some(lock)) if lock.holder == holder => {
                    write_atomic(&file, encode(&mine)?).await?;
                    return Ok(None);
                }
                Ok(Some(lock)) => {
                    let age = tokio::fs::metadata(&file)
                        .await
                        .ok()
                        .and_then(|m| m.modified().ok())
                        .and_then(|t| t.elapsed().ok())
                        .unwrap_or_default();
                    let dead = lock.host == mine.host && !pid_alive(lock.pid);
                    if !dead && age < ttl * 3 {
                        return Ok(Some(format!(
                            "{} (pid {} on {}, lock file {})",
                            lock.holder,
                            lock.pid,
                            lock.host,
                            file.display()
                        )));
                    }
                    tracing::warn!(lock = %file.display(), holder = %lock.holder, pid = lock.pid, "removing a stale coordinator lock");
                    let _ = tokio::fs::remove_file(&file).await;
                }
                // Unreadable (half written by a crash): stale.
                Err(_) => {
                    let _ = tokio::fs::remove_file(&file).await;
                }
                Ok(None) => {}
            }
            let created = tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&file)
                .await;
            match created {
                Ok(mut f) => {
                    use tokio::io::AsyncWriteExt;
                    f.write_all(&encode(&mine)?)
                        .await
                        .map_err(|e| io(&file, e))?;
                    f.flush().await.map_err(|e| io(&file, e))?;
                    return Ok(None);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io(&file, e)),
            }
        }
        Ok(Some(format!(
            "another coordinator (lock file {})",
            file.display()
        )))
    }

    async fn release_run(&self, run_id: &str, holder: &str) -> Result<(), StoreError> {
        let file = self.lock_file(run_id)?;
        if let Ok(Some(lock)) = read_json::<RunLock>(&file).await {
            if lock.holder == holder {
                let _ = tokio::fs::remove_file(&file).await;
            }
        }
        Ok(())
    }

    async fn count_take(&self, run_id: &str, site_key: &str) -> Result<u32, StoreError> {
        let mut g = self.takes.lock().expect("redelivery lock");
        let n = g
            .entry((run_id.to_string(), site_key.to_string()))
            .or_insert(0);
        *n += 1;
        Ok(*n)
    }
}

/// Opens the store named by `spec`: a `redis://` or `rediss://` URL opens a [`RedisStore`]
/// with the default `pucha:` prefix (connecting lazily), anything else is a data directory
/// for a [`FileStore`].
///
/// [`RedisStore`]: crate::redis_store::RedisStore
pub fn open_store(spec: &str) -> Result<Arc<dyn ResultStore>, StoreError> {
    open_store_with_prefix(spec, crate::DEFAULT_PREFIX)
}

/// [`open_store`] with an explicit Redis key prefix (ignored for directories).
pub fn open_store_with_prefix(
    spec: &str,
    redis_prefix: &str,
) -> Result<Arc<dyn ResultStore>, StoreError> {
    if spec.starts_with("redis://")
        || spec.starts_with("rediss://")
        || spec.starts_with("redis+unix://")
    {
        let prefix = if redis_prefix.ends_with(':') {
            redis_prefix.to_string()
        } else {
            format!("{redis_prefix}:")
        };
        Ok(Arc::new(crate::redis_store::RedisStore::lazy(
            spec, &prefix,
        )?))
    } else {
        Ok(Arc::new(FileStore::new(spec)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pucha_core::{Category, Verdict};

    fn site(i: usize) -> Site {
        Site {
            name: format!("s{i}"),
            url: format!("http://127.0.0.{i}/a?b=c").parse().unwrap(),
            category: Category::Department,
            site_code: None,
            sponsor: None,
        }
    }

    fn run(id: &str) -> Run {
        Run {
            id: id.into(),
            as_of: chrono::NaiveDate::from_ymd_opt(2024, 10, 8).unwrap(),
            mode: Default::default(),
            exec: Default::default(),
            rule_pack: "test".into(),
            started_at: chrono::Utc::now(),
            finished_at: None,
            sites_total: 2,
            pack: None,
        }
    }

    #[tokio::test]
    async fn a_run_survives_the_process_and_results_are_keyed_by_site() {
        let dir = tempfile::tempdir().unwrap();
        let sites = vec![site(1), site(2)];
        {
            let store = open_store(dir.path().to_str().unwrap()).unwrap();
            store.create_run(&run("r1"), &sites).await.unwrap();
            let mut r = SiteResult::error(sites[0].clone(), "x", 1);
            store.put_result("r1", &r).await.unwrap();
            r.verdict = Verdict::Pass;
            r.error = None;
            store.put_result("r1", &r).await.unwrap(); // overwrite, not a second row
        }
        let store = FileStore::new(dir.path());
        let report = store.load_report("r1").await.unwrap().unwrap();
        assert_eq!(report.sites.len(), 1);
        assert_eq!(report.sites[0].verdict, Verdict::Pass);
        assert_eq!(store.sites("r1").await.unwrap(), sites);
        assert!(store.has_result("r1", &sites[0].key()).await.unwrap());
        assert!(!store.has_result("r1", &sites[1].key()).await.unwrap());
        assert_eq!(store.list_runs().await.unwrap().len(), 1);
        // Re-creating keeps the results (resume).
        store.create_run(&run("r1"), &sites).await.unwrap();
        assert_eq!(store.result_count("r1").await.unwrap(), 1);
        assert!(store.delete_run("r1").await.unwrap());
        assert!(store.load_report("r1").await.unwrap().is_none());
        assert!(store
            .put_result("r1", &SiteResult::error(site(1), "x", 1))
            .await
            .is_err());
        assert!(store.create_run(&run("../evil"), &sites).await.is_err());
    }
}
