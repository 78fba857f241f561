//! Per-host politeness: at most N requests in flight and at most R requests per second to one
//! host, plus pauses after 429/503 with Retry-After. Shared by all sites of a worker, so two
//! sites linking to the same external host do not double its load; with a [`HostPace`]
//! (pucha-cluster's Redis one) the request rate of a host is shared by every worker of a
//! cluster, so the city portal that every department site links to gets R requests per second
//! from the whole census, not R from each worker.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures::future::BoxFuture;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// A request-rate budget per host shared beyond this process.
pub trait HostPace: Send + Sync {
    /// Reserves the next request slot of `host` at one request per `interval` and returns how
    /// long to wait before sending. An error means the shared budget is unavailable; the
    /// process's own gate then paces alone.
    fn reserve<'a>(
        &'a self,
        host: &'a str,
        interval: Duration,
    ) -> BoxFuture<'a, Result<Duration, String>>;
}

/// The gate of one host.
pub struct HostGate {
    host: String,
    slots: Arc<Semaphore>,
    /// Earliest start of the next request, and the spacing between requests.
    schedule: Mutex<(Instant, Duration)>,
    pace: Option<Arc<dyn HostPace>>,
}

impl std::fmt::Debug for HostGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostGate")
            .field("host", &self.host)
            .field("shared_pace", &self.pace.is_some())
            .finish_non_exhaustive()
    }
}

/// Held while a request to the host is in flight.
#[derive(Debug)]
pub struct Permit {
    _slot: OwnedSemaphorePermit,
}

impl HostGate {
    fn new(
        host: &str,
        concurrency: u32,
        interval: Duration,
        pace: Option<Arc<dyn HostPace>>,
    ) -> HostGate {
        HostGate {
            host: host.to_string(),
            slots: Arc::new(Semaphore::new(concurrency.max(1) as usize)),
            schedule: Mutex::new((Instant::now(), interval)),
            pace,
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
        let (start, interval) = {
            let mut s = self.schedule.lock().expect("host gate lock");
            let now = Instant::now();
            let start = s.0.max(now);
            s.0 = start + s.1;
            (start, s.1)
        };
        let start = match &self.pace {
            Some(pace) if !interval.is_zero() => match pace.reserve(&self.host, interval).await {
                Ok(wait) => start.max(Instant::now() + wait),
                Err(e) => {
                    tracing::debug!(host = %self.host, error = %e, "shared host pace unavailable; pacing locally");
                    start
                }
            },
            _ => start,
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
#[derive(Default)]
pub struct Gates {
    map: Mutex<HashMap<String, Arc<HostGate>>>,
    pace: OnceLock<Arc<dyn HostPace>>,
}

impl std::fmt::Debug for Gates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gates")
            .field("shared_pace", &self.pace.get().is_some())
            .finish_non_exhaustive()
    }
}

/// Gates of idle hosts are forgotten when the map grows past this.
const PRUNE_AT: usize = 20_000;

impl Gates {
    /// Shares every host's request rate through `pace` from now on (gates made before keep
    /// pacing alone). Set once; a second call is ignored and returns false.
    pub fn share_pace(&self, pace: Arc<dyn HostPace>) -> bool {
        self.pace.set(pace).is_ok()
    }

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
        let g = Arc::new(HostGate::new(
            host_key,
            concurrency,
            interval,
            self.pace.get().cloned(),
        ));
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

    /// A shared budget that hands out slots one `interval` apart, as the Redis one does.
    struct Board(Mutex<HashMap<String, Instant>>);

    impl HostPace for Board {
        fn reserve<'a>(
            &'a self,
            host: &'a str,
            interval: Duration,
        ) -> BoxFuture<'a, Result<Duration, String>> {
            Box::pin(async move {
                let mut m = self.0.lock().unwrap();
                let now = Instant::now();
                let next = m.get(host).copied().unwrap_or(now).max(now);
                m.insert(host.to_string(), next + interval);
                Ok(next - now)
            })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn two_workers_sharing_a_pace_send_at_the_host_rate_together() {
        let board: Arc<dyn HostPace> = Arc::new(Board(Mutex::new(HashMap::new())));
        let (a, b) = (Gates::default(), Gates::default());
        assert!(a.share_pace(board.clone()) && b.share_pace(board));
        let (ga, gb) = (a.get("portal:80", 2, 2.0), b.get("portal:80", 2, 2.0));
        let t0 = Instant::now();
        for _ in 0..3 {
            drop(ga.acquire().await);
            drop(gb.acquire().await);
        }
        // 6 requests at 2 req/s from two "workers": the 6th starts 2.5 s after the first,
        // not 1 s (what each worker's own gate alone allows).
        assert_eq!(Instant::now() - t0, Duration::from_millis(2500));
    }

    struct Down;

    impl HostPace for Down {
        fn reserve<'a>(
            &'a self,
            _: &'a str,
            _: Duration,
        ) -> BoxFuture<'a, Result<Duration, String>> {
            Box::pin(async { Err("redis down".to_string()) })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_unavailable_shared_pace_falls_back_to_the_local_gate() {
        let gates = Gates::default();
        gates.share_pace(Arc::new(Down));
        let g = gates.get("x:80", 1, 4.0);
        let t0 = Instant::now();
        for _ in 0..5 {
            drop(g.acquire().await);
        }
        assert_eq!(Instant::now() - t0, Duration::from_millis(1000));
    }
}
