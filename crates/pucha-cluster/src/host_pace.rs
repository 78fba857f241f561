//! A [`pucha_crawl::HostPace`] on Redis: one request-rate budget per host for every worker of
//! a cluster. Each request reserves the host's next slot atomically in a Lua script on the
//! server's clock (`TIME`), so workers on machines whose clocks differ still space their
//! requests. Keys (`{p}pace:{host}`) expire a minute after the last slot.

use std::time::Duration;

use futures::future::BoxFuture;
use futures::FutureExt;

use crate::redis_store::RedisStore;

/// Next slot = max(now, stored) ; stored := slot + interval ; returns slot - now, in µs.
const RESERVE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local next = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, next)
redis.call('SET', KEYS[1], tostring(slot + tonumber(ARGV[1])), 'PX', ARGV[2])
return slot - now
";

/// Waits longer than this are capped (a stored slot far in the future is a bug or a clock
/// jump, not a reason to stall a crawl).
const MAX_WAIT: Duration = Duration::from_secs(300);

/// How long one reservation may take before the local gate paces alone.
const CALL_TIMEOUT: Duration = Duration::from_secs(2);

/// After a failed reservation, how long every request paces locally without asking Redis
/// (so an outage costs one timeout per this period, not one per request).
const BACK_OFF: Duration = Duration::from_secs(30);

/// Host request rates shared through Redis.
#[derive(Clone)]
pub struct RedisHostPace {
    store: RedisStore,
    script: redis::Script,
    /// Until when reservations fail at once (after Redis failed to answer one).
    down_until: std::sync::Arc<std::sync::Mutex<Option<tokio::time::Instant>>>,
}

impl RedisHostPace {
    /// Uses the store's connection and prefix.
    pub fn new(store: RedisStore) -> RedisHostPace {
        RedisHostPace {
            store,
            script: redis::Script::new(RESERVE),
            down_until: Default::default(),
        }
    }
}

impl pucha_crawl::HostPace for RedisHostPace {
    fn reserve<'a>(
        &'a self,
        host: &'a str,
        interval: Duration,
    ) -> BoxFuture<'a, Result<Duration, String>> {
        async move {
            let now = tokio::time::Instant::now();
            if self
                .down_until
                .lock()
                .expect("pace lock")
                .is_some_and(|t| now < t)
            {
                return Err("redis failed recently; pacing locally".to_string());
            }
            let key = self.store.key(&format!("pace:{host}"));
            let step = interval.as_micros().max(1) as u64;
            let ttl_ms = (interval.as_millis() as u64).saturating_mul(2).max(60_000);
            let mut conn = self.store.connection();
            let mut invocation = self.script.key(key);
            invocation.arg(step).arg(ttl_ms);
            let call = invocation.invoke_async::<i64>(&mut conn);
            // No retries: when Redis does not answer at once, the local gate paces alone.
            let answer = match tokio::time::timeout(CALL_TIMEOUT, call).await {
                Ok(Ok(v)) => Ok(v),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err("redis did not answer in time".to_string()),
            };
            let wait_us = answer.inspect_err(|_| {
                *self.down_until.lock().expect("pace lock") = Some(now + BACK_OFF);
            })?;
            Ok(Duration::from_micros(wait_us.max(0) as u64).min(MAX_WAIT))
        }
        .boxed()
    }
}
