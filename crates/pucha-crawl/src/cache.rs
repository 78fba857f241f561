//! Cache of link-check outcomes, shared across the sites a worker crawls.
//!
//! Government sites link to the same external hosts over and over (the 党政机关 badge, the
//! provincial 政务服务网, ministry portals), so each external target is checked once per worker
//! (and, with the Redis implementation in pucha-cluster, once per run).

use std::collections::HashMap;
use std::sync::Mutex;

use futures::future::BoxFuture;
use pucha_core::LinkOutcome;

/// Where link-check outcomes are remembered. Implementations must be cheap to call concurrently.
pub trait LinkCache: Send + Sync {
    /// The remembered outcome of `url`, if any.
    fn get<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Option<LinkOutcome>>;
    /// Remembers the outcome of `url`. Best effort: a failing store loses the entry silently.
    fn put<'a>(&'a self, url: &'a str, outcome: &'a LinkOutcome) -> BoxFuture<'a, ()>;
}

/// An in-memory [`LinkCache`] holding at most `capacity` entries (when full, half of them are
/// dropped: simple, bounded, and good enough for a worker's lifetime).
#[derive(Debug)]
pub struct MemLinkCache {
    capacity: usize,
    map: Mutex<HashMap<String, LinkOutcome>>,
}

impl MemLinkCache {
    /// A cache that keeps at most `capacity` outcomes.
    pub fn new(capacity: usize) -> MemLinkCache {
        MemLinkCache {
            capacity: capacity.max(1),
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Number of cached outcomes.
    pub fn len(&self) -> usize {
        self.map.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for MemLinkCache {
    fn default() -> Self {
        MemLinkCache::new(100_000)
    }
}

impl LinkCache for MemLinkCache {
    fn get<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Option<LinkOutcome>> {
        let hit = self.map.lock().ok().and_then(|m| m.get(url).cloned());
        Box::pin(async move { hit })
    }

    fn put<'a>(&'a self, url: &'a str, outcome: &'a LinkOutcome) -> BoxFuture<'a, ()> {
        if let Ok(mut m) = self.map.lock() {
            if m.len() >= self.capacity && !m.contains_key(url) {
                let drop_n = m.len() / 2 + 1;
                let victims: Vec<String> = m.keys().take(drop_n).cloned().collect();
                for v in victims {
                    m.remove(&v);
                }
            }
            m.insert(url.to_string(), outcome.clone());
        }
        Box::pin(async {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn remembers_and_stays_bounded() {
        let c = MemLinkCache::new(4);
        for i in 0..10 {
            c.put(&format!("http://x/{i}"), &LinkOutcome::Ok { status: 200 })
                .await;
        }
        assert!(c.len() <= 4);
        assert_eq!(
            c.get("http://x/9").await,
            Some(LinkOutcome::Ok { status: 200 })
        );
        assert_eq!(c.get("http://nope/").await, None);
    }
}
