//! Per-host politeness: at most N requests in flight and at most R requests per second to one
//! host, plus pauses after 429/503 with Retry-After. Shared by all sites of a worker, so two
//! sites linking to the same external host do not double its load.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The gate of one host.
#[derive(Debug)]
pub struct HostGate {
    slots: Arc<Semaphore>,
    /// Earliest start of the next request, and the spacing between requests.
    schedule: Mutex<(Instant, Duration)>,
}

/// Held while a request to the host is in flight.
#[derive(Debug)]
pub struct Permit {
    _slot: OwnedSemaphorePermit,
}

impl HostGate {
    fn new(concurrency: u32, interval: Duration) -> HostGate {
        HostGate {
            slots: Arc::new(Semaphore::new(concurrency.max(1) as usize)),
            schedule: Mutex::new((Instant::now(), interval)),
        }
    }

    /// Waits for a free slot and the next start time.
    pub async fn acquire(&self) -> Permit {
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("host gate semaphore is never closed");
        let start = {
            let mut s = self.schedule.lock().expect("host gate lock");
            let now = Instant::now();
            let start = s.0.max(now);
            s.0 = start + s.1;
            start
        };
        tokio::time::sleep_until(start).await;
        Permit { _slot: slot }
    }

    /// Widens the spacing between requests (robots.txt Crawl-delay); never narrows it.
    pub fn at_least(&self, interval: Duration) {
        let mut s = self.schedule.lock().expect("host gate lock");
        s.1 = s.1.max(interval);
    }

    /// No request starts before `until` (Retry-After).
    pub fn pause_until(&self, until: Instant) {
        let mut s = self.schedule.lock().expect("host gate lock");
        s.0 = s.0.max(until);
    }
}

/// The gates of all hosts a worker talks to.
#[derive(Debug, Default)]
pub struct Gates {
    map: Mutex<HashMap<String, Arc<HostGate>>>,
}

/// Gates of idle hosts are forgotten when the map grows past this.
const PRUNE_AT: usize = 20_000;

impl Gates {
    /// The gate of `host_key` (host:port), created with the given limits if new.
    pub fn get(&self, host_key: &str, concurrency: u32, rps: f64) -> Arc<HostGate> {
        let mut m = self.map.lock().expect("gates lock");
        if let Some(g) = m.get(host_key) {
            return g.clone();
        }
        if m.len() >= PRUNE_AT {
            m.retain(|_, g| Arc::strong_count(g) > 1);
        }
        let interval = if rps > 0.0 {
            Duration::from_secs_f64(1.0 / rps)
        } else {
            Duration::ZERO
        };
        let g = Arc::new(HostGate::new(concurrency, interval));
        m.insert(host_key.to_string(), g.clone());
        g
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn spaces_requests_and_honours_pauses() {
        let gates = Gates::default();
        let g = gates.get("x:80", 2, 4.0);
        let t0 = Instant::now();
        for _ in 0..5 {
            drop(g.acquire().await);
        }
        // 5 requests at 4 req/s: the 5th starts 1 s after the first.
        assert_eq!(Instant::now() - t0, Duration::from_millis(1000));
        g.pause_until(Instant::now() + Duration::from_secs(10));
        let t1 = Instant::now();
        drop(g.acquire().await);
        assert!(Instant::now() - t1 >= Duration::from_secs(10));
        assert!(Arc::ptr_eq(&g, &gates.get("x:80", 9, 9.0)));
    }
}
