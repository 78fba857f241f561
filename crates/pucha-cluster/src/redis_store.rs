//! The Redis result store of distributed mode.
//!
//! Every key starts with a configurable prefix (`pucha:` by default) so that several
//! deployments or tests can share one Redis. Layout (see docs/cluster.md):
//!
//! | key | type | lifetime |
//! |-----|------|----------|
//! | `{p}runs` | ZSET run id → start time | index, entries removed with their run |
//! | `{p}run:{id}` | STRING run record (JSON) | until `pucha runs delete` |
//! | `{p}run:{id}:sites` | LIST site (JSON), site-list order | until deleted |
//! | `{p}run:{id}:keys` | SET site keys of the list (results only for these) | until deleted |
//! | `{p}run:{id}:coordinator` | STRING the coordinator's holder, `PX` ttl | expires with its lease |
//! | `{p}run:{id}:results` | HASH site key → result (JSON) | until deleted |
//! | `{p}run:{id}:takes` | HASH site key → count | expires 30 days after last write |
//! | `{p}run:{id}:lease:{site key}` | STRING holder, `PX` ttl | expires with the lease |
//! | `{p}linkcache:{url}` | STRING outcome (JSON), `EX` ttl | expires |
//!
//! Each operation is retried with backoff on connection errors, on top of the
//! reconnecting [`ConnectionManager`], so a killed connection or a Redis restart only
//! delays the callers.

use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use pucha_core::{Run, Site, SiteResult};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{RedisError, Script};
use tracing::{debug, warn};

use crate::error::StoreError;
use crate::store::{redact_url, validate_run_id, ResultStore};

/// How long the per-run take counters are kept after their last change.
const TAKES_TTL_S: i64 = 30 * 24 * 3600;
/// Sites written or read per round trip.
const BATCH: usize = 500;

/// Takes the lease when free, renews it when `holder` has it; 1 when held afterwards.
const LEASE_LUA: &str = r"
local v = redis.call('GET', KEYS[1])
if v == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
elseif v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
";

/// Deletes the lease only if `holder` still holds it.
const RELEASE_LUA: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Writes a result only while the run exists (a late worker must not resurrect a deleted run)
/// and only for a site of its list (runs stored before the key set existed accept any site).
const PUT_RESULT_LUA: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
if redis.call('EXISTS', KEYS[3]) == 1 and redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 0 then
  return -2
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
";

/// The coordinator's lease on a run: taken when free, renewed by its holder; returns who
/// holds it afterwards.
const RUN_LEASE_LUA: &str = r"
local v = redis.call('GET', KEYS[1])
if v == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ARGV[1]
elseif v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return v
";

/// The result store on Redis.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    url_redacted: String,
}

fn conn_err(url: &str, e: RedisError) -> StoreError {
    StoreError::Connection(format!("{url}: {e}"))
}

/// Whether Redis refused the credentials (NOAUTH: a password is needed; WRONGPASS: wrong user
/// or password). Retrying cannot help.
fn is_auth_failure(e: &RedisError) -> bool {
    e.kind() == redis::ErrorKind::AuthenticationFailed
        || matches!(e.code(), Some("NOAUTH" | "WRONGPASS"))
        || {
            let t = e.to_string();
            t.contains("NOAUTH") || t.contains("WRONGPASS")
        }
}

fn auth_err(url: &str, e: &RedisError) -> StoreError {
    StoreError::Auth(format!(
        "Redis refused the credentials ({e}): check the user and password of --redis-url / REDIS_URL ({url})"
    ))
}

fn transient(e: &RedisError) -> bool {
    e.is_io_error()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || e.is_timeout()
        || e.is_unrecoverable_error()
}

impl RedisStore {
    /// Opens a store on `url` with key prefix `prefix` (e.g. `pucha:`). Does not connect yet:
    /// the first command does, and every command reconnects with backoff when needed.
    pub fn lazy(url: &str, prefix: &str) -> Result<RedisStore, StoreError> {
        let url_redacted = redact_url(url);
        let client = redis::Client::open(url).map_err(|e| conn_err(&url_redacted, e))?;
        let cfg = ConnectionManagerConfig::new()
            .set_number_of_retries(6)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_secs(2))
            .set_connection_timeout(Some(Duration::from_secs(5)))
            .set_response_timeout(Some(Duration::from_secs(30)));
        let conn = client
            .get_connection_manager_lazy(cfg)
            .map_err(|e| conn_err(&url_redacted, e))?;
        Ok(RedisStore {
            conn,
            prefix: prefix.to_string(),
            url_redacted,
        })
    }

    /// Opens a store and checks that Redis answers.
    pub async fn connect(url: &str, prefix: &str) -> Result<RedisStore, StoreError> {
        let store = RedisStore::lazy(url, prefix)?;
        store.ping().await?;
        Ok(store)
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Checks that Redis answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.with_retry("PING", |mut c| async move {
            redis::cmd("PING").query_async::<String>(&mut c).await
        })
        .await
        .map(|_| ())
    }

    /// One `PING` without the retries of the other commands, within `timeout` (the health
    /// watch behind `/readyz`); sets `pucha_dependency_up{dependency="redis"}`.
    pub async fn ping_once(&self, timeout: Duration) -> Result<(), StoreError> {
        let mut c = self.conn.clone();
        let r = tokio::time::timeout(timeout, async move {
            redis::cmd("PING").query_async::<String>(&mut c).await
        })
        .await;
        let up = pucha_metrics::metrics().dependency_up(pucha_metrics::Dependency::Redis);
        match r {
            Ok(Ok(_)) => {
                up.set(1);
                Ok(())
            }
            Ok(Err(e)) => {
                up.set(0);
                Err(conn_err(&self.url_redacted, e))
            }
            Err(_) => {
                up.set(0);
                Err(StoreError::Connection(format!(
                    "{}: no answer to PING within {timeout:?}",
                    self.url_redacted
                )))
            }
        }
    }

    /// Deletes every key under this store's prefix (tests and `pucha runs` maintenance).
    pub async fn purge_prefix(&self) -> Result<u64, StoreError> {
        self.delete_matching(&format!("{}*", glob_escape(&self.prefix)))
            .await
    }

    /// A handle on the store's reconnecting connection (for calls that must not retry).
    pub(crate) fn connection(&self) -> ConnectionManager {
        self.conn.clone()
    }

    pub(crate) fn key(&self, rest: &str) -> String {
        format!("{}{rest}", self.prefix)
    }

    fn run_key(&self, run_id: &str) -> String {
        self.key(&format!("run:{run_id}"))
    }

    fn sub_key(&self, run_id: &str, what: &str) -> String {
        self.key(&format!("run:{run_id}:{what}"))
    }

    fn lease_key(&self, run_id: &str, site_key: &str) -> String {
        self.key(&format!("run:{run_id}:lease:{site_key}"))
    }

    /// Runs `op` and retries it with backoff on connection errors (about 30 s in all).
    pub(crate) async fn with_retry<T, F, Fut>(&self, what: &str, op: F) -> Result<T, StoreError>
    where
        F: Fn(ConnectionManager) -> Fut,
        Fut: Future<Output = Result<T, RedisError>>,
    {
        let mut delay = Duration::from_millis(50);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let up = pucha_metrics::metrics().dependency_up(pucha_metrics::Dependency::Redis);
            match op(self.conn.clone()).await {
                Ok(v) => {
                    up.set(1);
                    return Ok(v);
                }
                Err(e) if is_auth_failure(&e) => {
                    up.set(0);
                    return Err(auth_err(&self.url_redacted, &e));
                }
                Err(e) if transient(&e) && attempt < 12 => {
                    up.set(0);
                    debug!(%what, attempt, error = %e, "redis command failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
                Err(e) if transient(&e) => {
                    warn!(%what, error = %e, url = %self.url_redacted, "redis unreachable");
                    return Err(conn_err(&self.url_redacted, e));
                }
                Err(e) => return Err(StoreError::Other(format!("redis {what}: {e}"))),
            }
        }
    }

    async fn delete_matching(&self, pattern: &str) -> Result<u64, StoreError> {
        let mut cursor: u64 = 0;
        let mut deleted = 0u64;
        loop {
            let (next, keys): (u64, Vec<String>) = self
                .with_retry("SCAN", |mut c| {
                    let pattern = pattern.to_string();
                    async move {
                        redis::cmd("SCAN")
                            .arg(cursor)
                            .arg("MATCH")
                            .arg(pattern)
                            .arg("COUNT")
                            .arg(1000)
                            .query_async(&mut c)
                            .await
                    }
                })
                .await?;
            if !keys.is_empty() {
                let n: u64 = self
                    .with_retry("DEL", |mut c| {
                        let keys = keys.clone();
                        async move { redis::cmd("DEL").arg(keys).query_async(&mut c).await }
                    })
                    .await?;
                deleted += n;
            }
            cursor = next;
            if cursor == 0 {
                return Ok(deleted);
            }
        }
    }

    async fn hscan(
        &self,
        key: &str,
        cursor: u64,
        count: usize,
    ) -> Result<(u64, Vec<(String, String)>), StoreError> {
        self.with_retry("HSCAN", |mut c| {
            let key = key.to_string();
            async move {
                redis::cmd("HSCAN")
                    .arg(key)
                    .arg(cursor)
                    .arg("COUNT")
                    .arg(count.max(1))
                    .query_async(&mut c)
                    .await
            }
        })
        .await
    }
}

/// Escapes glob characters so that a prefix matches itself literally in `SCAN MATCH`.
fn glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

fn decode<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T, StoreError> {
    serde_json::from_str(raw).map_err(|e| StoreError::Codec(e.to_string()))
}

fn encode<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Codec(e.to_string()))
}

#[async_trait]
impl ResultStore for RedisStore {
    async fn create_run(&self, run: &Run, sites: &[Site]) -> Result<(), StoreError> {
        validate_run_id(&run.id)?;
        let run_key = self.run_key(&run.id);
        let exists: bool = self
            .with_retry("EXISTS", |mut c| {
                let k = run_key.clone();
                async move { redis::cmd("EXISTS").arg(k).query_async(&mut c).await }
            })
            .await?;
        if exists {
            return Ok(()); // resume: keep the site list and results
        }
        // The site list first, the run record last: a run record always has its whole list.
        let sites_key = self.sub_key(&run.id, "sites");
        let keys_key = self.sub_key(&run.id, "keys");
        self.with_retry("DEL", |mut c| {
            let k = vec![sites_key.clone(), keys_key.clone()];
            async move { redis::cmd("DEL").arg(k).query_async::<()>(&mut c).await }
        })
        .await?;
        for chunk in sites.chunks(BATCH) {
            let encoded = chunk.iter().map(encode).collect::<Result<Vec<_>, _>>()?;
            let keys: Vec<String> = chunk.iter().map(Site::key).collect();
            self.with_retry("RPUSH", |mut c| {
                let (k, v) = (sites_key.clone(), encoded.clone());
                let (kk, kv) = (keys_key.clone(), keys.clone());
                async move {
                    redis::pipe()
                        .atomic()
                        .cmd("RPUSH")
                        .arg(k)
                        .arg(v)
                        .ignore()
                        .cmd("SADD")
                        .arg(kk)
                        .arg(kv)
                        .ignore()
                        .query_async::<()>(&mut c)
                        .await
                }
            })
            .await?;
        }
        let record = encode(run)?;
        let score = run.started_at.timestamp();
        let index = self.key("runs");
        self.with_retry("SET", |mut c| {
            let (rk, rec, idx, id) = (
                run_key.clone(),
                record.clone(),
                index.clone(),
                run.id.clone(),
            );
            async move {
                redis::pipe()
                    .atomic()
                    .cmd("SET")
                    .arg(rk)
                    .arg(rec)
                    .arg("NX")
                    .ignore()
                    .cmd("ZADD")
                    .arg(idx)
                    .arg(score)
                    .arg(id)
                    .ignore()
                    .query_async::<()>(&mut c)
                    .await
            }
        })
        .await
    }

    async fn run(&self, run_id: &str) -> Result<Option<Run>, StoreError> {
        let raw: Option<String> = self
            .with_retry("GET", |mut c| {
                let k = self.run_key(run_id);
                async move { redis::cmd("GET").arg(k).query_async(&mut c).await }
            })
            .await?;
        raw.as_deref().map(decode).transpose()
    }

    async fn update_run(&self, run: &Run) -> Result<(), StoreError> {
        let record = encode(run)?;
        let set: Option<String> = self
            .with_retry("SET", |mut c| {
                let (k, v) = (self.run_key(&run.id), record.clone());
                async move {
                    redis::cmd("SET")
                        .arg(k)
                        .arg(v)
                        .arg("XX")
                        .query_async(&mut c)
                        .await
                }
            })
            .await?;
        match set {
            Some(_) => Ok(()),
            None => Err(StoreError::NoSuchRun(run.id.clone())),
        }
    }

    async fn sites(&self, run_id: &str) -> Result<Vec<Site>, StoreError> {
        let key = self.sub_key(run_id, "sites");
        let mut out = Vec::new();
        loop {
            let start = out.len();
            let raw: Vec<String> = self
                .with_retry("LRANGE", |mut c| {
                    let k = key.clone();
                    async move {
                        redis::cmd("LRANGE")
                            .arg(k)
                            .arg(start)
                            .arg(start + BATCH - 1)
                            .query_async(&mut c)
                            .await
                    }
                })
                .await?;
            let n = raw.len();
            for r in raw {
                out.push(decode(&r)?);
            }
            if n < BATCH {
                return Ok(out);
            }
        }
    }

    async fn put_result(&self, run_id: &str, result: &SiteResult) -> Result<(), StoreError> {
        let value = encode(result)?;
        let script = Script::new(PUT_RESULT_LUA);
        let written: i64 = self
            .with_retry("put_result", |mut c| {
                let mut inv = script.prepare_invoke();
                inv.key(self.run_key(run_id))
                    .key(self.sub_key(run_id, "results"))
                    .key(self.sub_key(run_id, "keys"))
                    .arg(result.site.key())
                    .arg(value.clone());
                async move { inv.invoke_async(&mut c).await }
            })
            .await?;
        match written {
            -1 => Err(StoreError::NoSuchRun(run_id.to_string())),
            -2 => Err(StoreError::NotInRun {
                run: run_id.to_string(),
                site: result.site.key(),
            }),
            _ => Ok(()),
        }
    }

    async fn has_result(&self, run_id: &str, site_key: &str) -> Result<bool, StoreError> {
        self.with_retry("HEXISTS", |mut c| {
            let k = self.sub_key(run_id, "results");
            let f = site_key.to_string();
            async move {
                redis::cmd("HEXISTS")
                    .arg(k)
                    .arg(f)
                    .query_async(&mut c)
                    .await
            }
        })
        .await
    }

    async fn results(&self, run_id: &str) -> Result<Vec<SiteResult>, StoreError> {
        let mut out = Vec::new();
        let mut cursor = 0;
        loop {
            let (next, batch) = self.scan_results(run_id, cursor, BATCH).await?;
            out.extend(batch);
            if next == 0 {
                return Ok(out);
            }
            cursor = next;
        }
    }

    async fn done_keys(&self, run_id: &str) -> Result<HashSet<String>, StoreError> {
        let key = self.sub_key(run_id, "results");
        let mut out = HashSet::new();
        let mut cursor = 0;
        loop {
            // HSCAN returns values too; results are small enough that this is fine in batches.
            let (next, batch) = self.hscan(&key, cursor, BATCH).await?;
            out.extend(batch.into_iter().map(|(k, _)| k));
            if next == 0 {
                return Ok(out);
            }
            cursor = next;
        }
    }

    async fn result_count(&self, run_id: &str) -> Result<usize, StoreError> {
        self.with_retry("HLEN", |mut c| {
            let k = self.sub_key(run_id, "results");
            async move { redis::cmd("HLEN").arg(k).query_async(&mut c).await }
        })
        .await
    }

    async fn scan_results(
        &self,
        run_id: &str,
        cursor: u64,
        count: usize,
    ) -> Result<(u64, Vec<SiteResult>), StoreError> {
        let (next, batch) = self
            .hscan(&self.sub_key(run_id, "results"), cursor, count)
            .await?;
        let results = batch
            .iter()
            .map(|(_, v)| decode(v))
            .collect::<Result<Vec<SiteResult>, _>>()?;
        Ok((next, results))
    }

    async fn list_runs(&self) -> Result<Vec<Run>, StoreError> {
        let ids: Vec<String> = self
            .with_retry("ZRANGE", |mut c| {
                let k = self.key("runs");
                async move {
                    redis::cmd("ZRANGE")
                        .arg(k)
                        .arg(0)
                        .arg(-1)
                        .query_async(&mut c)
                        .await
                }
            })
            .await?;
        let mut runs = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(r) = self.run(&id).await? {
                runs.push(r);
            }
        }
        Ok(runs)
    }

    async fn delete_run(&self, run_id: &str) -> Result<bool, StoreError> {
        validate_run_id(run_id)?;
        let keys = vec![
            self.run_key(run_id),
            self.sub_key(run_id, "sites"),
            self.sub_key(run_id, "keys"),
            self.sub_key(run_id, "results"),
            self.sub_key(run_id, "takes"),
        ];
        let (deleted, _): (u64, u64) = self
            .with_retry("DEL", |mut c| {
                let (keys, idx, id) = (keys.clone(), self.key("runs"), run_id.to_string());
                async move {
                    redis::pipe()
                        .cmd("DEL")
                        .arg(keys)
                        .cmd("ZREM")
                        .arg(idx)
                        .arg(id)
                        .query_async(&mut c)
                        .await
                }
            })
            .await?;
        let leases = format!("{}*", glob_escape(&self.sub_key(run_id, "lease:")));
        self.delete_matching(&leases).await?;
        Ok(deleted > 0)
    }

    async fn lease(
        &self,
        run_id: &str,
        site_key: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let script = Script::new(LEASE_LUA);
        let ms = ttl.as_millis().max(1) as u64;
        let held: i64 = self
            .with_retry("lease", |mut c| {
                let mut inv = script.prepare_invoke();
                inv.key(self.lease_key(run_id, site_key))
                    .arg(holder)
                    .arg(ms);
                async move { inv.invoke_async(&mut c).await }
            })
            .await?;
        Ok(held == 1)
    }

    async fn release_lease(
        &self,
        run_id: &str,
        site_key: &str,
        holder: &str,
    ) -> Result<(), StoreError> {
        let script = Script::new(RELEASE_LUA);
        self.with_retry("release", |mut c| {
            let mut inv = script.prepare_invoke();
            inv.key(self.lease_key(run_id, site_key)).arg(holder);
            async move { inv.invoke_async::<i64>(&mut c).await }
        })
        .await
        .map(|_| ())
    }

    async fn is_leased(&self, run_id: &str, site_key: &str) -> Result<bool, StoreError> {
        self.with_retry("EXISTS", |mut c| {
            let k = self.lease_key(run_id, site_key);
            async move { redis::cmd("EXISTS").arg(k).query_async(&mut c).await }
        })
        .await
    }

    async fn run_exists(&self, run_id: &str) -> Result<bool, StoreError> {
        self.with_retry("EXISTS", |mut c| {
            let k = self.run_key(run_id);
            async move { redis::cmd("EXISTS").arg(k).query_async(&mut c).await }
        })
        .await
    }

    async fn lease_run(
        &self,
        run_id: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<String>, StoreError> {
        validate_run_id(run_id)?;
        let script = Script::new(RUN_LEASE_LUA);
        let ms = ttl.as_millis().max(1) as u64;
        let now: String = self
            .with_retry("lease_run", |mut c| {
                let mut inv = script.prepare_invoke();
                inv.key(self.sub_key(run_id, "coordinator"))
                    .arg(holder)
                    .arg(ms);
                async move { inv.invoke_async(&mut c).await }
            })
            .await?;
        Ok((now != holder).then_some(now))
    }

    async fn release_run(&self, run_id: &str, holder: &str) -> Result<(), StoreError> {
        let script = Script::new(RELEASE_LUA);
        self.with_retry("release_run", |mut c| {
            let mut inv = script.prepare_invoke();
            inv.key(self.sub_key(run_id, "coordinator")).arg(holder);
            async move { inv.invoke_async::<i64>(&mut c).await }
        })
        .await
        .map(|_| ())
    }

    async fn count_take(&self, run_id: &str, site_key: &str) -> Result<u32, StoreError> {
        let (n,): (u32,) = self
            .with_retry("HINCRBY", |mut c| {
                let k = self.sub_key(run_id, "takes");
                let f = site_key.to_string();
                async move {
                    redis::pipe()
                        .cmd("HINCRBY")
                        .arg(&k)
                        .arg(f)
                        .arg(1)
                        .cmd("EXPIRE")
                        .arg(&k)
                        .arg(TAKES_TTL_S)
                        .ignore()
                        .query_async(&mut c)
                        .await
                }
            })
            .await?;
        Ok(n)
    }
}
