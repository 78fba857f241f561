//! Crawl benchmark: crawl and fully check a loopback farm, optionally compared in the same run
//! with spider-rs's CLI crawling the same farm (politeness lifted for both).
//!
//! ```text
//! cargo run --release -p pucha-crawl --example bench_crawl -- \
//!     --sites 40 --pages 250 --parallel 40 [--spider ~/.cargo/bin/spider] [--net 127.0.9.0]
//! ```
//!
//! Prints one JSON line per tool: sites, pages fetched, link targets checked, wall seconds and
//! rates. Run it under `/usr/bin/time -v` for the peak RSS. Results go in docs/benchmarks-crawl.md.

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use pucha_core::{CrawlConfig, LinkOutcome};
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
}

fn args() -> Args {
    let mut a = Args {
        sites: 40,
        pages: 250,
        parallel: 40,
        spider: None,
        net: Ipv4Addr::new(127, 0, 9, 0),
        skip_pucha: false,
        verbose: false,
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
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

#[tokio::main]
async fn main() {
    let a = args();
    let farm = Farm::generate(&FarmSpec::bench(a.sites, a.pages));
    let html_pages = farm.html_pages();
    let server = FarmServer::start(farm, a.net)
        .await
        .expect("start the farm");
    let sites = server.sites();
    eprintln!(
        "farm: {} sites, {} HTML pages, port {}",
        sites.len(),
        html_pages,
        server.port()
    );

    if !a.skip_pucha {
        let mut cfg = CrawlConfig {
            no_politeness: true,
            inline_probes: 0,
            max_pages: 10_000,
            max_depth: 20,
            ..CrawlConfig::default()
        };
        cfg.egress.loopback_only = true;
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
                        .map(|l| l.target.as_str())
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
            "{{\"tool\":\"pucha\",\"sites\":{},\"pages\":{pages},\"link_records\":{links},\"targets_checked\":{targets},\"bytes\":{bytes},\"cut_by_budgets\":{cut},\"secs\":{secs:.2},\"pages_per_s\":{:.0},\"requests_per_s\":{:.0}}}",
            results.len(),
            pages as f64 / secs,
            (pages + targets) as f64 / secs
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
    server.shutdown().await;
}
