//! Where probe samples and the schedule live: the [`SampleStore`] trait, the
//! Redis store used in production and the in-process store used by tests and
//! embedded runs.
//!
//! Redis layout (documented in `docs/operations.md`), `{p}` = key prefix (`pucha`):
//! - `{p}:avail:{site_key}`: sorted set, score = probe time in unix ms, member = the
//!   JSON [`ProbeSample`]. Trimmed with `ZREMRANGEBYSCORE` to the retention on every
//!   append, and given a `PEXPIRE` of the retention so a site that left the list vanishes.
//! - `{p}:monitor:next`: hash, site_key → next due time in unix ms (resume after restart).
//! - `{p}:monitor:warned`: hash, site_key → JSON [`WarnState`] of the last warning sent.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use pucha_core::ProbeSample;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};

use crate::availability::Level;
use crate::MonitorError;

/// The key prefix of production deployments.
pub const DEFAULT_PREFIX: &str = "pucha";

/// The last warning sent for a site, so the webhook is not fired on every probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarnState {
    pub at: DateTime<Utc>,
    pub level: Level,
}

/// Storage of samples, schedule and warning state.
#[async_trait]
pub trait SampleStore: Send + Sync {
    /// Adds a sample and drops the site's samples older than `keep_from`.
    async fn append(
        &self,
        site: &str,
        sample: &ProbeSample,
        keep_from: DateTime<Utc>,
    ) -> Result<(), MonitorError>;
    /// The site's samples with `from <= at <= to`, oldest first.
    async fn load(
        &self,
        site: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ProbeSample>, MonitorError>;
    /// Every stored next-due time.
    async fn schedule(&self) -> Result<HashMap<String, DateTime<Utc>>, MonitorError>;
    async fn set_next(&self, site: &str, at: DateTime<Utc>) -> Result<(), MonitorError>;
    /// Drops schedule and warning entries of sites no longer monitored.
    async fn forget(&self, sites: &[String]) -> Result<(), MonitorError>;
    async fn warn_state(&self, site: &str) -> Result<Option<WarnState>, MonitorError>;
    async fn set_warn_state(
        &self,
        site: &str,
        state: Option<&WarnState>,
    ) -> Result<(), MonitorError>;
}

fn ms_to_time(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The Redis store. Clones share the connection.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    pub fn new(conn: ConnectionManager, prefix: impl Into<String>) -> RedisStore {
        RedisStore {
            conn,
            prefix: prefix.into(),
        }
    }

    /// Connects to `url` (e.g. `redis://127.0.0.1:6379`).
    pub async fn connect(url: &str, prefix: impl Into<String>) -> Result<RedisStore, MonitorError> {
        let client = redis::Client::open(url)?;
        let conn = ConnectionManager::new(client).await?;
        Ok(RedisStore::new(conn, prefix))
    }

    /// The sorted set of a site's samples.
    pub fn samples_key(&self, site: &str) -> String {
        format!("{}:avail:{site}", self.prefix)
    }

    pub fn next_key(&self) -> String {
        format!("{}:monitor:next", self.prefix)
    }

    pub fn warned_key(&self) -> String {
        format!("{}:monitor:warned", self.prefix)
    }

    /// A clone of the connection (for callers that share it).
    pub fn connection(&self) -> ConnectionManager {
        self.conn.clone()
    }
}

#[async_trait]
impl SampleStore for RedisStore {
    async fn append(
        &self,
        site: &str,
        sample: &ProbeSample,
        keep_from: DateTime<Utc>,
    ) -> Result<(), MonitorError> {
        let key = self.samples_key(site);
        let member = serde_json::to_string(sample)?;
        let retention_ms = (sample.at - keep_from).num_milliseconds().max(1);
        let mut conn = self.conn.clone();
        redis::pipe()
            .atomic()
            .cmd("ZADD")
            .arg(&key)
            .arg(sample.at.timestamp_millis())
            .arg(member)
            .ignore()
            .cmd("ZREMRANGEBYSCORE")
            .arg(&key)
            .arg("-inf")
            .arg(format!("({}", keep_from.timestamp_millis()))
            .ignore()
            .cmd("PEXPIRE")
            .arg(&key)
            .arg(retention_ms)
            .ignore()
            .query_async::<()>(&mut conn)
            .await?;
        Ok(())
    }

    async fn load(
        &self,
        site: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ProbeSample>, MonitorError> {
        let mut conn = self.conn.clone();
        let raw: Vec<String> = redis::cmd("ZRANGEBYSCORE")
            .arg(self.samples_key(site))
            .arg(from.timestamp_millis())
            .arg(to.timestamp_millis())
            .query_async(&mut conn)
            .await?;
        raw.iter()
            .map(|m| serde_json::from_str(m).map_err(MonitorError::from))
            .collect()
    }

    async fn schedule(&self) -> Result<HashMap<String, DateTime<Utc>>, MonitorError> {
        let mut conn = self.conn.clone();
        let raw: HashMap<String, i64> = redis::cmd("HGETALL")
            .arg(self.next_key())
            .query_async(&mut conn)
            .await?;
        Ok(raw.into_iter().map(|(k, v)| (k, ms_to_time(v))).collect())
    }

    async fn set_next(&self, site: &str, at: DateTime<Utc>) -> Result<(), MonitorError> {
        let mut conn = self.conn.clone();
        redis::cmd("HSET")
            .arg(self.next_key())
            .arg(site)
            .arg(at.timestamp_millis())
            .query_async::<()>(&mut conn)
            .await?;
        Ok(())
    }

    async fn forget(&self, sites: &[String]) -> Result<(), MonitorError> {
        if sites.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn.clone();
        redis::pipe()
            .cmd("HDEL")
            .arg(self.next_key())
            .arg(sites)
            .ignore()
            .cmd("HDEL")
            .arg(self.warned_key())
            .arg(sites)
            .ignore()
            .query_async::<()>(&mut conn)
            .await?;
        Ok(())
    }

    async fn warn_state(&self, site: &str) -> Result<Option<WarnState>, MonitorError> {
        let mut conn = self.conn.clone();
        let raw: Option<String> = redis::cmd("HGET")
            .arg(self.warned_key())
            .arg(site)
            .query_async(&mut conn)
            .await?;
        Ok(raw.map(|r| serde_json::from_str(&r)).transpose()?)
    }

    async fn set_warn_state(
        &self,
        site: &str,
        state: Option<&WarnState>,
    ) -> Result<(), MonitorError> {
        let mut conn = self.conn.clone();
        match state {
            Some(s) => {
                redis::cmd("HSET")
                    .arg(self.warned_key())
                    .arg(site)
                    .arg(serde_json::to_string(s)?)
                    .query_async::<()>(&mut conn)
                    .await?
            }
            None => {
                redis::cmd("HDEL")
                    .arg(self.warned_key())
                    .arg(site)
                    .query_async::<()>(&mut conn)
                    .await?
            }
        }
        Ok(())
    }
}

/// The samples of `site_key` probed within `from..=to`, from the production key layout
/// (prefix [`DEFAULT_PREFIX`]). The census reads the 7 days before its as-of date with it
/// for `veto.site_unreachable`.
pub async fn load_samples(
    conn: &mut ConnectionManager,
    site_key: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ProbeSample>, MonitorError> {
    RedisStore::new(conn.clone(), DEFAULT_PREFIX)
        .load(site_key, from, to)
        .await
}

/// An in-process store (tests, embedded runs). Nothing survives the process.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<MemInner>,
}

#[derive(Debug, Default)]
struct MemInner {
    samples: HashMap<String, Vec<ProbeSample>>,
    next: HashMap<String, DateTime<Utc>>,
    warned: HashMap<String, WarnState>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemInner> {
        // A panic elsewhere cannot leave the maps half-updated: every update is one insert.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl SampleStore for MemoryStore {
    async fn append(
        &self,
        site: &str,
        sample: &ProbeSample,
        keep_from: DateTime<Utc>,
    ) -> Result<(), MonitorError> {
        let mut g = self.lock();
        let v = g.samples.entry(site.to_string()).or_default();
        let pos = v.partition_point(|s| s.at <= sample.at);
        v.insert(pos, sample.clone());
        v.retain(|s| s.at >= keep_from);
        Ok(())
    }

    async fn load(
        &self,
        site: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ProbeSample>, MonitorError> {
        let g = self.lock();
        Ok(g.samples
            .get(site)
            .map(|v| {
                v.iter()
                    .filter(|s| s.at >= from && s.at <= to)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn schedule(&self) -> Result<HashMap<String, DateTime<Utc>>, MonitorError> {
        Ok(self.lock().next.clone())
    }

    async fn set_next(&self, site: &str, at: DateTime<Utc>) -> Result<(), MonitorError> {
        self.lock().next.insert(site.to_string(), at);
        Ok(())
    }

    async fn forget(&self, sites: &[String]) -> Result<(), MonitorError> {
        let mut g = self.lock();
        for s in sites {
            g.next.remove(s);
            g.warned.remove(s);
        }
        Ok(())
    }

    async fn warn_state(&self, site: &str) -> Result<Option<WarnState>, MonitorError> {
        Ok(self.lock().warned.get(site).cloned())
    }

    async fn set_warn_state(
        &self,
        site: &str,
        state: Option<&WarnState>,
    ) -> Result<(), MonitorError> {
        let mut g = self.lock();
        match state {
            Some(s) => g.warned.insert(site.to_string(), s.clone()),
            None => g.warned.remove(site),
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> ProbeSample {
        ProbeSample {
            at: Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap() + chrono::Duration::minutes(min),
            elapsed_ms: 5,
            status: Some(200),
            failure: None,
        }
    }

    #[tokio::test]
    async fn memory_store_keeps_order_and_retention() {
        let s = MemoryStore::new();
        for m in [10, 0, 20, 30] {
            let keep = at(m).at - chrono::Duration::minutes(15);
            s.append("k", &at(m), keep).await.unwrap();
        }
        let all = s
            .load("k", DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC)
            .await
            .unwrap();
        assert_eq!(all, vec![at(20), at(30)]);
        assert_eq!(
            s.load("k", at(25).at, at(40).at).await.unwrap(),
            vec![at(30)]
        );
    }
}
