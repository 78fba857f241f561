//! Pages slow to analyse (issue #17 items 1 and 5): analysis runs on the bounded blocking
//! pool, so the site's deadline holds and its neighbours' fetches and probes are not starved.
//! Own test binary: the analyses still running when a crawl stops must not slow other tests.

mod support;

use std::time::{Duration, Instant};

use pucha_core::Reachability;
use pucha_crawl::Crawler;
use support::*;

async fn slow_site(pages: usize, bytes: usize) -> TestServer {
    let links: Vec<(String, String)> = (0..pages)
        .map(|i| (format!("/p{i}.html"), format!("第{i}页")))
        .collect();
    let home = page(
        "首页",
        &links
            .iter()
            .map(|(h, t)| (h.as_str(), t.as_str()))
            .collect::<Vec<_>>(),
    );
    let bodies: Vec<String> = (0..pages)
        .map(|i| pucha_farm::pathological_html(bytes, i))
        .collect();
    serve("127.0.0.1", move |r| {
        let p = r.path();
        if p == "/" {
            return Reply::html(home.clone());
        }
        match p
            .strip_prefix("/p")
            .and_then(|s| s.strip_suffix(".html"))
            .and_then(|n| n.parse::<usize>().ok())
        {
            Some(i) if i < bodies.len() => Reply::html(bodies[i].clone()),
            _ => Reply::status(404),
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_deadline_holds_when_analysis_is_slow() {
    let srv = slow_site(40, 512 * 1024).await;
    let mut cfg = cfg();
    cfg.max_seconds = 3;
    let t0 = Instant::now();
    let c = crawl_home(&srv, &cfg).await;
    let took = t0.elapsed();
    eprintln!(
        "slow site: {} pages analysed, {} cut by max_time, crawl took {took:?} for max_seconds {}",
        c.pages.len(),
        c.stats.cut_max_time,
        cfg.max_seconds
    );
    assert!(matches!(c.reachability, Reachability::Reachable { .. }));
    assert!(c.stats.cut_max_time > 0, "{:?}", c.stats);
    // Generous: the deadline, one request timeout, and slack for a loaded machine.
    assert!(
        took < Duration::from_secs(cfg.max_seconds)
            + Duration::from_millis(cfg.request_timeout_ms)
            + Duration::from_secs(15),
        "{took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_site_does_not_starve_its_neighbour() {
    let slow = slow_site(40, 256 * 1024).await;
    let normal = serve("127.0.0.1", |r| match r.path() {
        "/" => Reply::html(page("首页", &[("/a.html", "甲"), ("/b.html", "乙")])),
        "/a.html" | "/b.html" => Reply::html(page("栏目", &[])),
        _ => Reply::status(404),
    })
    .await;
    let mut slow_cfg = cfg();
    slow_cfg.max_seconds = 6;
    let mut cfg = cfg();
    cfg.max_seconds = 20;
    cfg.inline_probes = 5;
    cfg.request_timeout_ms = 10_000;
    let crawler = Crawler::new(&cfg).unwrap();
    let (slow_site, normal_site) = (site(&slow.url("/")), site(&normal.url("/")));
    let (_, c) = tokio::join!(
        crawler.crawl_site(&slow_site, &slow_cfg),
        crawler.crawl_site(&normal_site, &cfg)
    );
    assert!(matches!(c.reachability, Reachability::Reachable { .. }));
    assert_eq!(c.pages.len(), 3, "{:?}", c.stats);
    assert_eq!(c.probes.len(), 5, "{:?}", c.probes);
    assert!(c.probes.iter().all(|p| p.ok()), "{:?}", c.probes);
}

#[tokio::test]
async fn a_10_mb_page_is_capped_and_its_analysis_cut() {
    // 12 MB of nested markup: the body is cut at max_body_bytes while streaming, the tree at
    // the analysis budget; the page record keeps the facts, not the body.
    let body = "<div><span>".repeat(12 * 1024 * 1024 / 11);
    let srv = serve("127.0.0.1", move |r| match r.path() {
        "/" => Reply::html(body.clone()),
        _ => Reply::status(404),
    })
    .await;
    let cfg = cfg();
    let c = crawl_home(&srv, &cfg).await;
    let home = &c.pages[0];
    assert!(home.truncated);
    assert_eq!(home.bytes, cfg.max_body_bytes);
    let cut = home.facts.analysis_cut.as_deref().expect("analysis cut");
    assert!(
        cut.contains("depth 256") && cut.contains("250000 nodes"),
        "{cut}"
    );
    assert_eq!(c.stats.analysis_cut.len(), 1, "{:?}", c.stats.analysis_cut);
    assert!(c.stats.notes.iter().any(|n| n.contains("analysis budget")));
    assert!(home.facts.body_text.len() <= pucha_analyze::Budget::default().max_body_text_bytes);
}
