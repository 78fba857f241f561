//! Crawl benchmark: crawl and fully check a loopback farm, optionally compared in the same run
//! with spider-rs's CLI crawling the same farm (politeness lifted for both).
//!
//! ```text
//! cargo run --release -p pucha-crawl --example bench_crawl -- \
//!     --sites 40 --pages 250 --parallel 40 [--site-concurrency 4] [--pages-only] [--spider ~/.cargo/bin/spider] [--net 127.0.10.0] (127.0.9.x is the farm's dead-link range)
//! ```
//!
//! Prints one JSON line per tool: sites, pages fetched, link targets checked, wall seconds and
//! rates. Run it under `/usr/bin/time -v` for the peak RSS. Results go in docs/benchmarks-crawl.md.

#[global_allocator]
static ALLOC: pucha_crawl::alloc::WorkerAllocator = pucha_crawl::alloc::WorkerAllocator;

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use pucha_core::{Category, CrawlConfig, LinkOutcome, Site};
use pucha_crawl::Crawler;
use pucha_farm::{Farm, FarmServer, FarmSpec};

struct Args {
    sites: usize,
    pages: usize,
    parallel: usize,
    spider: Option<String>,
    net: Ipv4Addr,
    skip_pucha: bool,
    verbose: bool,
    /// No link checks (`max_link_checks = 0`): pages fetched and analysed only, the work
    /// spider does, for a like-for-like rate.
    pages_only: bool,
    /// Internal: serve the farm in this process and print its port (the parent crawls).
    serve_farm: bool,
    /// Concurrent page fetches and link checks per site.
    site_concurrency: u32,
}

fn args() -> Args {
    let mut a = Args {
        sites: 40,
        pages: 250,
        parallel: 40,
        spider: None,
        net: Ipv4Addr::new(127, 0, 10, 0),
        skip_pucha: false,
        verbose: false,
        pages_only: false,
        serve_farm: false,
        site_concurrency: 4,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().expect("flag needs a value");
        match k.as_str() {
            "--sites" => a.sites = v().parse().expect("--sites N"),
            "--pages" => a.pages = v().parse().expect("--pages N"),
            "--parallel" => a.parallel = v().parse().expect("--parallel N"),
            "--spider" => a.spider = Some(v()),
            "--net" => a.net = v().parse().expect("--net 127.x.y.0"),
            "--skip-pucha" => a.skip_pucha = true,
            "--verbose" => a.verbose = true,
            "--pages-only" => a.pages_only = true,
            "--serve-farm" => a.serve_farm = true,
            "--site-concurrency" => a.site_concurrency = v().parse().expect("--site-concurrency N"),
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

fn main() {
    pucha_crawl::alloc::tune();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(run());
}

async fn run() {
    let a = args();
    if a.serve_farm {
        let farm = Farm::generate(&FarmSpec::bench(a.sites, a.pages));
        let html_pages = farm.html_pages();
        let server = FarmServer::start(farm, a.net)
            .await
            .expect("start the farm");
        println!("PORT {} PAGES {html_pages}", server.port());
        // Serve until the parent closes our stdin.
        let mut sink = Vec::new();
        let _ = tokio::io::AsyncReadExt::read_to_end(&mut tokio::io::stdin(), &mut sink).await;
        server.shutdown().await;
        return;
    }

    // The farm runs in a child process, so that this process's peak RSS is the crawler's own.
    let mut child = tokio::process::Command::new(std::env::current_exe().expect("own path"))
        .args([
            "--serve-farm",
            "--sites",
            &a.sites.to_string(),
            "--pages",
            &a.pages.to_string(),
            "--net",
            &a.net.to_string(),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the farm process");
    let mut first = String::new();
    let mut out = tokio::io::BufReader::new(child.stdout.take().expect("farm stdout"));
    tokio::io::AsyncBufReadExt::read_line(&mut out, &mut first)
        .await
        .expect("farm port");
    let words: Vec<&str> = first.split_whitespace().collect();
    let port: u16 = words.get(1).and_then(|p| p.parse().ok()).expect("PORT n");
    let html_pages = words.get(3).copied().unwrap_or("?");
    let sites: Vec<Site> = (0..a.sites)
        .map(|i| Site {
            name: format!("site{i}"),
            url: format!("http://{}:{port}/", pucha_farm::site_ip(a.net, i))
                .parse()
                .expect("url"),
            category: Category::Department,
            site_code: None,
            sponsor: None,
        })
        .collect();
    eprintln!(
        "farm: {} sites, {html_pages} HTML pages, port {port}",
        sites.len()
    );

    if !a.skip_pucha {
        let mut cfg = CrawlConfig {
            no_politeness: true,
            inline_probes: 0,
            max_pages: 10_000,
            max_depth: 20,
            unpolite_concurrency: a.site_concurrency,
            check_concurrency: a.site_concurrency,
            ..CrawlConfig::default()
        };
        cfg.egress.loopback_only = true;
        if a.pages_only {
            cfg.max_link_checks = 0;
        }
        let crawler = Crawler::new(&cfg).expect("crawler");
        let cfg = Arc::new(cfg);
        let t0 = Instant::now();
        let results: Vec<(u64, u64, u64, u64, u64)> = futures::stream::iter(sites.clone())
            .map(|site| {
                let (c, cfg, verbose) = (crawler.clone(), cfg.clone(), a.verbose);
                // One task per site: sites crawl in parallel across the runtime's threads.
                tokio::spawn(async move {
                    let r = c.crawl_site(&site, &cfg).await;
                    if verbose {
                        let size = |v: serde_json::Result<Vec<u8>>| v.map(|b| b.len()).unwrap_or(0);
                        let body_text: usize =
                            r.pages.iter().map(|p| p.facts.body_text.len()).sum();
                        eprintln!(
                            "sizes: crawl {} B, pages {} B (body_text {} B), links {} B",
                            size(serde_json::to_vec(&r)),
                            size(serde_json::to_vec(&r.pages)),
                            body_text,
                            size(serde_json::to_vec(&r.links)),
                        );
                        eprintln!(
                            "{} {}",
                            site.url,
                            serde_json::to_string(&r.stats).unwrap_or_default()
                        );
                    }
                    let checked_targets = r
                        .links
                        .iter()
                        .filter(|l| !matches!(l.outcome, LinkOutcome::NotChecked { .. }))
                        .map(|l| &*l.target)
                        .collect::<std::collections::HashSet<_>>()
                        .len() as u64;
                    // Summarise and drop: a worker hands each SiteCrawl on, it does not keep it.
                    (
                        r.stats.pages_fetched,
                        r.stats.links_found,
                        checked_targets,
                        r.stats.bytes,
                        r.stats.cut_traps
                            + r.stats.cut_max_pages
                            + r.stats.cut_max_depth
                            + r.stats.cut_max_time
                            + r.stats.cut_outlinks,
                    )
                })
            })
            .buffer_unordered(a.parallel)
            .map(|r| r.expect("site task"))
            .collect()
            .await;
        let secs = t0.elapsed().as_secs_f64();
        let pages: u64 = results.iter().map(|r| r.0).sum();
        let links: u64 = results.iter().map(|r| r.1).sum();
        let targets: u64 = results.iter().map(|r| r.2).sum();
        let bytes: u64 = results.iter().map(|r| r.3).sum();
        let cut: u64 = results.iter().map(|r| r.4).sum();
        println!(
            "{{\"tool\":\"pucha\",\"sites\":{},\"pages\":{pages},\"link_records\":{links},\"targets_checked\":{targets},\"bytes\":{bytes},\"cut_by_budgets\":{cut},\"secs\":{secs:.2},\"pages_per_s\":{:.0},\"requests_per_s\":{:.0},\"peak_rss_kb\":{},\"cpu_s\":{:.2}}}",
            results.len(),
            pages as f64 / secs,
            (pages + targets) as f64 / secs,
            pucha_crawl::alloc::peak_rss_kb(),
            cpu_secs()
        );
    }

    if let Some(spider) = &a.spider {
        let t0 = Instant::now();
        let counts: Vec<u64> = futures::stream::iter(sites.clone())
            .map(|site| {
                let spider = spider.clone();
                async move {
                    let out = tokio::process::Command::new(&spider)
                        .args(["--url", site.url.as_str(), "crawl", "--output-links"])
                        .output()
                        .await
                        .expect("run spider");
                    String::from_utf8_lossy(&out.stdout)
                        .lines()
                        .filter(|l| l.starts_with("http"))
                        .count() as u64
                }
            })
            .buffer_unordered(a.parallel)
            .collect()
            .await;
        let secs = t0.elapsed().as_secs_f64();
        let pages: u64 = counts.iter().sum();
        println!(
            "{{\"tool\":\"spider\",\"sites\":{},\"pages\":{pages},\"secs\":{secs:.2},\"pages_per_s\":{:.0}}}",
            counts.len(),
            pages as f64 / secs
        );
    }
    drop(child.stdin.take());
    let _ = child.wait().await;
}

/// User plus system CPU seconds of this process so far (all threads; /proc/self/stat).
fn cpu_secs() -> f64 {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|st| {
            // Fields after the command name (which may hold spaces) start at state.
            let rest = st.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    ticks as f64 / 100.0
}
