//! One request-rate budget per host for every worker of a cluster, through the real Redis:
//! two crawlers (two workers) crawling two sites on one shared host send at the host's polite
//! rate together, not each at its own.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::env;
use pucha_cluster::host_pace::RedisHostPace;
use pucha_core::{Category, CrawlConfig, Site};
use pucha_crawl::{Crawler, HostPace};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_get_distinct_slots_one_interval_apart() {
    let Some(env) = env("pace-slots").await else {
        return;
    };
    let a = RedisHostPace::new(env.store.as_ref().clone());
    let b = RedisHostPace::new(env.store.as_ref().clone());
    let interval = Duration::from_millis(50);
    let mut slots = Vec::new();
    let mut tasks = Vec::new();
    for pace in [a, b] {
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for _ in 0..8 {
                let wait = pace.reserve("portal.example:80", interval).await.unwrap();
                out.push(Instant::now() + wait);
            }
            out
        }));
    }
    for t in tasks {
        slots.extend(t.await.unwrap());
    }
    slots.sort();
    // 16 slots from two workers, each at least (nearly) one interval after the one before
    // (the margin is the local clock's reading of a server-side schedule).
    for w in slots.windows(2) {
        assert!(
            w[1] - w[0] >= Duration::from_millis(40),
            "two slots {:?} apart",
            w[1] - w[0]
        );
    }
    assert!(*slots.last().unwrap() - slots[0] >= Duration::from_millis(15 * 40));
    env.cleanup().await;
}

/// A loopback server answering every request with a page linking `/p1.html` .. `/p4.html`,
/// recording when each request arrived.
/// When each request arrived, with its request line.
type Arrivals = Arc<Mutex<Vec<(Instant, String)>>>;

fn shared_host() -> (String, Arrivals) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let log = log.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let Ok(n) = s.read(&mut buf) else { return };
                if n == 0 {
                    return;
                }
                let line = String::from_utf8_lossy(&buf[..n])
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                log.lock().unwrap().push((Instant::now(), line));
                let body = "<html><head><title>t</title></head><body>\
                    <a href=\"/p1.html\">1</a><a href=\"/p2.html\">2</a>\
                    <a href=\"/p3.html\">3</a><a href=\"/p4.html\">4</a></body></html>";
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    (format!("http://{addr}"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_crawling_one_shared_host_keep_its_rate_together() {
    let Some(env) = env("pace-crawl").await else {
        return;
    };
    let (base, seen) = shared_host();
    let mut cfg = CrawlConfig {
        per_host_rps: 10.0,
        per_host_concurrency: 2,
        inline_probes: 0,
        respect_robots: false,
        check_external: false,
        ..CrawlConfig::default()
    };
    cfg.egress.loopback_only = true;
    let site = |path: &str| Site {
        name: format!("site {path}"),
        url: format!("{base}{path}").parse().unwrap(),
        category: Category::Department,
        site_code: None,
        sponsor: None,
    };
    let workers: Vec<Crawler> = (0..2)
        .map(|_| {
            Crawler::new(&cfg)
                .unwrap()
                .with_host_pace(Arc::new(RedisHostPace::new(env.store.as_ref().clone())))
        })
        .collect();
    let (a, b) = (site("/a/"), site("/b/"));
    let (ca, cb) = (workers[0].clone(), workers[1].clone());
    let (cfg_a, cfg_b) = (cfg.clone(), cfg.clone());
    let ta = tokio::spawn(async move { ca.crawl_site(&a, &cfg_a).await });
    let tb = tokio::spawn(async move { cb.crawl_site(&b, &cfg_b).await });
    let (ra, rb) = (ta.await.unwrap(), tb.await.unwrap());
    assert!(ra.stats.pages_fetched >= 1 && rb.stats.pages_fetched >= 1);
    let mut times = seen.lock().unwrap().clone();
    times.sort();
    assert!(times.len() >= 6, "{} requests", times.len());
    // 10 requests per second for both workers together: no two requests closer than ~100 ms
    // (each worker's own gate alone would let the two crawls send side by side).
    for w in times.windows(2) {
        assert!(
            w[1].0 - w[0].0 >= Duration::from_millis(80),
            "two requests {:?} apart: {:?}",
            w[1].0 - w[0].0,
            times
                .iter()
                .map(|(t, l)| (*t - times[0].0, l))
                .collect::<Vec<_>>()
        );
    }
    env.cleanup().await;
}
