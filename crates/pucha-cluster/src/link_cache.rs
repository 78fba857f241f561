//! A [`pucha_crawl::LinkCache`] on Redis: the workers of a cluster check each external link
//! target once within the TTL instead of once per worker. Entries expire by themselves
//! (`{p}linkcache:{url}`, `SET … EX ttl`), so the cache never grows across quarters.

use std::time::Duration;

use futures::future::BoxFuture;
use futures::FutureExt;
use pucha_core::LinkOutcome;
use tracing::debug;

use crate::redis_store::RedisStore;

/// Link-check outcomes shared through Redis.
#[derive(Clone)]
pub struct RedisLinkCache {
    store: RedisStore,
    ttl: Duration,
}

impl RedisLinkCache {
    /// Uses the store's connection and prefix; entries live for `ttl` (e.g. 6 hours).
    pub fn new(store: RedisStore, ttl: Duration) -> RedisLinkCache {
        RedisLinkCache { store, ttl }
    }

    fn key(&self, url: &str) -> String {
        self.store.key(&format!("linkcache:{url}"))
    }
}

impl pucha_crawl::LinkCache for RedisLinkCache {
    fn get<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Option<LinkOutcome>> {
        async move {
            let key = self.key(url);
            let raw: Option<String> = self
                .store
                .with_retry("GET", |mut c| {
                    let k = key.clone();
                    async move { redis::cmd("GET").arg(k).query_async(&mut c).await }
                })
                .await
                .map_err(|e| debug!(error = %e, "link cache unavailable"))
                .ok()
                .flatten();
            raw.and_then(|r| serde_json::from_str(&r).ok())
        }
        .boxed()
    }

    fn put<'a>(&'a self, url: &'a str, outcome: &'a LinkOutcome) -> BoxFuture<'a, ()> {
        async move {
            let Ok(value) = serde_json::to_string(outcome) else {
                return;
            };
            let key = self.key(url);
            let secs = self.ttl.as_secs().max(1);
            let _ = self
                .store
                .with_retry("SET", |mut c| {
                    let (k, v) = (key.clone(), value.clone());
                    async move {
                        redis::cmd("SET")
                            .arg(k)
                            .arg(v)
                            .arg("EX")
                            .arg(secs)
                            .query_async::<()>(&mut c)
                            .await
                    }
                })
                .await
                .map_err(|e| debug!(error = %e, "link cache unavailable"));
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pucha_crawl::LinkCache;

    #[tokio::test]
    async fn outcomes_are_shared_and_expire() {
        let prefix = format!("pucha-test-linkcache-{}:", std::process::id());
        let store = match RedisStore::connect("redis://127.0.0.1:6379/", &prefix).await {
            Ok(s) => s,
            Err(e) if std::env::var("PUCHA_SKIP_SERVICES").as_deref() == Ok("1") => {
                eprintln!("skipped: Redis is not running ({e})");
                return;
            }
            Err(e) => panic!(
                "this test needs Redis on 127.0.0.1:6379 (start it with `redis-server --daemonize yes \
                 --bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no`): {e}"
            ),
        };
        let cache = RedisLinkCache::new(store.clone(), Duration::from_secs(60));
        let url = "http://www.gov.cn/";
        assert_eq!(cache.get(url).await, None);
        let ok = LinkOutcome::Ok { status: 200 };
        cache.put(url, &ok).await;
        let other = RedisLinkCache::new(store.clone(), Duration::from_secs(60));
        assert_eq!(other.get(url).await, Some(ok));
        let ttl: i64 = redis::cmd("TTL")
            .arg(cache.key(url))
            .query_async(
                &mut redis::Client::open("redis://127.0.0.1:6379/")
                    .unwrap()
                    .get_multiplexed_async_connection()
                    .await
                    .unwrap(),
            )
            .await
            .unwrap();
        assert!(ttl > 0 && ttl <= 60, "entries expire: ttl {ttl}");
        store.purge_prefix().await.unwrap();
    }
}
