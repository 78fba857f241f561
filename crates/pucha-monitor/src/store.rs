//! Where probe samples and the schedule live: the [`SampleStore`] trait, the
//! Redis store used in production and the in-process store used by tests and
//! embedded runs.
//!
//! Redis layout (documented in `docs/operations.md`), `{p}` = key prefix (`pucha`):
//! - `{p}:avail:{site_key}`: sorted set, score = probe time in unix ms, member = the
//!   JSON [`ProbeSample`]. Trimmed with `ZREMRANGEBYSCORE` to the retention on every
//!   append, and given a `PEXPIRE` of the retention so a site that left the list vanishes.
//! - `{p}:monitor:next`: hash, site_key → next due time in unix ms (resume after restart).
//! - `{p}:monitor:warned`: hash, site_key → JSON [`WarnState`] of the last availability
//!   warning sent; `{p}:monitor:warned:homepage` the same for "homepage not updated".
//! - `{p}:monitor:slot:{site_key}:{slot_ms}`: string, set when the sample of a probe slot
//!   is stored (queue mode), with an expiry; a second sample for the slot is refused.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use pucha_core::ProbeSample;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};

use crate::availability::Level;
use crate::MonitorError;

/// The key prefix of production deployments.
pub const DEFAULT_PREFIX: &str = "pucha";

/// The kinds of warning, each with its own de-duplication state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WarnKind {
    /// Failure share over the window (`veto.site_unreachable`).
    Availability,
    /// Homepage not updated (`veto.homepage_not_updated`).
    HomepageNotUpdated,
}

impl WarnKind {
    /// The `kind` field of the webhook's JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            WarnKind::Availability => "availability",
            WarnKind::HomepageNotUpdated => "homepage_not_updated",
        }
    }
}

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
    async fn warn_state(
        &self,
        site: &str,
        kind: WarnKind,
    ) -> Result<Option<WarnState>, MonitorError>;
    async fn set_warn_state(
        &self,
        site: &str,
        kind: WarnKind,
        state: Option<&WarnState>,
    ) -> Result<(), MonitorError>;
    /// Whether the sample of probe slot `slot` of the site is already stored.
    async fn slot_taken(&self, site: &str, slot: DateTime<Utc>) -> Result<bool, MonitorError>;
    /// [`SampleStore::append`] as the one sample of probe slot `slot`, atomically: false (and
    /// nothing stored) when the slot already has its sample. The slot mark expires after
    /// `mark_ttl`.
    async fn append_for_slot(
        &self,
        site: &str,
        slot: DateTime<Utc>,
        sample: &ProbeSample,
        keep_from: DateTime<Utc>,
        mark_ttl: std::time::Duration,
    ) -> Result<bool, MonitorError>;
}

/// Appends a sample only when the slot mark can be set (KEYS: samples, slot mark; ARGV:
/// score, member, trim bound, expiry ms of the series, expiry ms of the mark).
static APPEND_FOR_SLOT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(APPEND_FOR_SLOT_LUA));
const APPEND_FOR_SLOT_LUA: &str = r"
if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[5]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
";

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

    fn warned_key_of(&self, kind: WarnKind) -> String {
        match kind {
            WarnKind::Availability => self.warned_key(),
            WarnKind::HomepageNotUpdated => format!("{}:monitor:warned:homepage", self.prefix),
        }
    }

    /// The mark of probe slot `slot` of a site (queue mode).
    pub fn slot_key(&self, site: &str, slot: DateTime<Utc>) -> String {
        format!(
            "{}:monitor:slot:{site}:{}",
            self.prefix,
            slot.timestamp_millis()
        )
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
            .cmd("HDEL")
            .arg(self.warned_key_of(WarnKind::HomepageNotUpdated))
            .arg(sites)
            .ignore()
            .query_async::<()>(&mut conn)
            .await?;
        Ok(())
    }

    async fn warn_state(
        &self,
        site: &str,
        kind: WarnKind,
    ) -> Result<Option<WarnState>, MonitorError> {
        let mut conn = self.conn.clone();
        let raw: Option<String> = redis::cmd("HGET")
            .arg(self.warned_key_of(kind))
            .arg(site)
            .query_async(&mut conn)
            .await?;
        Ok(raw.map(|r| serde_json::from_str(&r)).transpose()?)
    }

    async fn set_warn_state(
        &self,
        site: &str,
        kind: WarnKind,
        state: Option<&WarnState>,
    ) -> Result<(), MonitorError> {
        let mut conn = self.conn.clone();
        let key = self.warned_key_of(kind);
        match state {
            Some(s) => {
                redis::cmd("HSET")
                    .arg(key)
                    .arg(site)
                    .arg(serde_json::to_string(s)?)
                    .query_async::<()>(&mut conn)
                    .await?
            }
            None => {
                redis::cmd("HDEL")
                    .arg(key)
                    .arg(site)
                    .query_async::<()>(&mut conn)
                    .await?
            }
        }
        Ok(())
    }

    async fn slot_taken(&self, site: &str, slot: DateTime<Utc>) -> Result<bool, MonitorError> {
        let mut conn = self.conn.clone();
        let n: i64 = redis::cmd("EXISTS")
            .arg(self.slot_key(site, slot))
            .query_async(&mut conn)
            .await?;
        Ok(n > 0)
    }

    async fn append_for_slot(
        &self,
        site: &str,
        slot: DateTime<Utc>,
        sample: &ProbeSample,
        keep_from: DateTime<Utc>,
        mark_ttl: std::time::Duration,
    ) -> Result<bool, MonitorError> {
        let mut conn = self.conn.clone();
        let retention_ms = (sample.at - keep_from).num_milliseconds().max(1);
        let stored: i64 = APPEND_FOR_SLOT
            .key(self.samples_key(site))
            .key(self.slot_key(site, slot))
            .arg(sample.at.timestamp_millis())
            .arg(serde_json::to_string(sample)?)
            .arg(format!("({}", keep_from.timestamp_millis()))
            .arg(retention_ms)
            .arg(mark_ttl.as_millis().max(1) as u64)
            .invoke_async(&mut conn)
            .await?;
        Ok(stored == 1)
    }
}

/// The samples of `site_key` probed within `from..=to`, from the production key layout
/// (prefix [`DEFAULT_PREFIX`]). The census reads [`crate::census_samples_window`] with it:
/// the 7 days of `veto.site_unreachable` and the homepage snapshots of
/// `veto.homepage_not_updated`.
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
    warned: HashMap<(String, WarnKind), WarnState>,
    slots: std::collections::HashSet<(String, DateTime<Utc>)>,
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
            g.warned.retain(|(site, _), _| site != s);
        }
        Ok(())
    }

    async fn warn_state(
        &self,
        site: &str,
        kind: WarnKind,
    ) -> Result<Option<WarnState>, MonitorError> {
        Ok(self.lock().warned.get(&(site.to_string(), kind)).cloned())
    }

    async fn set_warn_state(
        &self,
        site: &str,
        kind: WarnKind,
        state: Option<&WarnState>,
    ) -> Result<(), MonitorError> {
        let mut g = self.lock();
        let k = (site.to_string(), kind);
        match state {
            Some(s) => g.warned.insert(k, s.clone()),
            None => g.warned.remove(&k),
        };
        Ok(())
    }

    async fn slot_taken(&self, site: &str, slot: DateTime<Utc>) -> Result<bool, MonitorError> {
        Ok(self.lock().slots.contains(&(site.to_string(), slot)))
    }

    async fn append_for_slot(
        &self,
        site: &str,
        slot: DateTime<Utc>,
        sample: &ProbeSample,
        keep_from: DateTime<Utc>,
        _mark_ttl: std::time::Duration,
    ) -> Result<bool, MonitorError> {
        if !self.lock().slots.insert((site.to_string(), slot)) {
            return Ok(false);
        }
        self.append(site, sample, keep_from).await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> ProbeSample {
        ProbeSample {
            content: None,
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
