//! Link targets of the world as it is: hosts that never answer the SYN, pages that answer
//! after 20 s, flaky and refusing hosts, targets shared by every site of a run, a checker
//! with no outside network, and an HTTP proxy. None of them may hold a site for longer than
//! its own crawl plus one timeout.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pucha_core::{BrokenReason, CrawlConfig, LinkOutcome};
use pucha_crawl::Crawler;
use support::*;

/// A free loopback port with nothing listening (connections are refused).
fn refusing_port(ip: &str) -> std::net::SocketAddr {
    let l = std::net::TcpListener::bind((ip, 0)).unwrap();
    l.local_addr().unwrap()
}

fn polite_cfg() -> CrawlConfig {
    let mut c = cfg();
    // Polite, but fast enough for a test: two requests at a time per host.
    c.no_politeness = false;
    c.per_host_concurrency = 2;
    c.per_host_rps = 200.0;
    c.request_timeout_ms = 1_500;
    c.connect_timeout_ms = 1_000;
    c.retries = 1;
    c
}

#[tokio::test]
async fn dead_slow_and_flaky_targets_cost_one_timeout_not_one_per_link() {
    let slow = serve("127.0.0.6", |_| {
        Reply::After(
            Duration::from_secs(20),
            Box::new(Reply::html(page("慢", &[]))),
        )
    })
    .await;
    let flaky_count = Arc::new(AtomicUsize::new(0));
    let fc = flaky_count.clone();
    let flaky = serve("127.0.0.7", move |_| {
        if fc.fetch_add(1, Ordering::SeqCst) % 3 == 2 {
            Reply::status(503)
        } else {
            Reply::html(page("时好时坏", &[]))
        }
    })
    .await;
    let blackhole = pucha_farm::Blackhole::bind("127.0.0.8:0".parse().unwrap())
        .await
        .unwrap();
    let hole = blackhole.addr();
    let refused = refusing_port("127.0.0.9");

    let mut links: Vec<(String, String)> = Vec::new();
    for i in 0..30 {
        links.push((slow.url(&format!("/s/{i}.html")), format!("慢{i}")));
        links.push((format!("http://{hole}/h/{i}.html"), format!("黑洞{i}")));
        links.push((format!("http://{refused}/r/{i}.html"), format!("拒绝{i}")));
        links.push((flaky.url(&format!("/f/{i}.html")), format!("抖动{i}")));
    }
    let home_links: Vec<(String, String)> = (0..10)
        .map(|i| (format!("/p/{i}.html"), format!("栏目{i}")))
        .collect();
    let srv = serve("127.0.0.1", move |r| {
        let refs: Vec<(&str, &str)> = match r.path() {
            "/" => home_links
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect(),
            p if p.starts_with("/p/") => links
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect(),
            "/robots.txt" => return Reply::status(404),
            _ => return Reply::status(404),
        };
        Reply::html(page("页面", &refs))
    })
    .await;

    let cfg = polite_cfg();
    let t0 = Instant::now();
    let c = crawl_home(&srv, &cfg).await;
    let took = t0.elapsed();
    eprintln!("site took {took:?}; stats {:?}", c.stats);

    assert_eq!(c.pages.len(), 11, "{:?}", c.stats.notes);
    // One link each: every slow/dead/refusing link is broken, every flaky one works.
    for i in [0, 17, 29] {
        assert_broken(&c, &format!("/s/{i}.html"), BrokenReason::Timeout);
        assert_broken(&c, &format!("/h/{i}.html"), BrokenReason::Timeout);
        assert_broken(&c, &format!("/r/{i}.html"), BrokenReason::Refused);
        let f = outcome_of(&c, &format!("/f/{i}.html"));
        assert!(matches!(f, LinkOutcome::Ok { .. }), "flaky {i}: {f:?}");
    }
    // The slow host saw its two strikes (plus the one request that started between them,
    // two being allowed in flight), not thirty requests, and no GET after a timed-out HEAD.
    let slow_reqs = slow.requests();
    assert!(slow_reqs.len() <= 3, "{} requests", slow_reqs.len());
    assert!(slow_reqs.iter().all(|r| r.method == "HEAD"));
    // The evidence: each down host once, with its first failure and the links it covers.
    let hosts: Vec<&str> = c.stats.hosts_down.iter().map(|h| h.host.as_str()).collect();
    assert_eq!(hosts.len(), 3, "{:#?}", c.stats.hosts_down);
    for h in &c.stats.hosts_down {
        // Ten pages link each of its thirty targets.
        assert_eq!(h.links, 300, "{h:?}");
        assert!(h.first_url.starts_with("http://"), "{h:?}");
    }
    assert!(c
        .stats
        .notes
        .iter()
        .any(|n| n.contains("answered from that state")));
    // The bound: one timeout per host at most, in parallel. Thirty timeouts per host two at
    // a time would be ≥ 22 s for the slow host alone (the flaky host's 503 pauses take most
    // of what the site needs).
    assert!(
        took < Duration::from_secs(15),
        "took {took:?}: a slow target held the site"
    );
}

#[tokio::test]
async fn forty_sites_sharing_one_slow_target_cost_one_timeout_in_total() {
    let slow = serve("127.0.0.10", |_| {
        Reply::After(
            Duration::from_secs(20),
            Box::new(Reply::html(page("慢", &[]))),
        )
    })
    .await;
    let shared = slow.url("/portal/slow.html");
    let mut sites = Vec::new();
    for _ in 0..40 {
        let target = shared.clone();
        sites.push(
            serve("127.0.0.1", move |r| match r.path() {
                "/" => Reply::html(page("首页", &[(&target, "市政府门户")])),
                _ => Reply::status(404),
            })
            .await,
        );
    }
    let cfg = polite_cfg();
    let crawler = Crawler::new(&cfg).unwrap();
    let t0 = Instant::now();
    let records: Vec<_> = sites.iter().map(|s| site(&s.url("/"))).collect();
    let crawls =
        futures::future::join_all(records.iter().map(|s| crawler.crawl_site(s, &cfg))).await;
    let took = t0.elapsed();
    for c in &crawls {
        assert_broken(c, "/portal/slow.html", BrokenReason::Timeout);
    }
    assert_eq!(slow.requests().len(), 1, "one check for the whole run");
    assert!(crawler.link_checks_shared() >= 1);
    assert!(took < Duration::from_secs(8), "took {took:?}");
}

#[tokio::test]
async fn without_outside_network_external_links_are_not_checked_not_broken() {
    let srv = serve("127.0.0.1", |r| match r.path() {
        "/" => Reply::html(page(
            "首页",
            &[
                ("http://www.example-ministry.gov.cn/zwgk/", "国务院部门"),
                ("/ok.html", "本站"),
            ],
        )),
        "/ok.html" => Reply::html(page("本站", &[])),
        _ => Reply::status(404),
    })
    .await;
    // The default egress policy (the outside allowed), but canaries that do not answer.
    let mut cfg = CrawlConfig {
        no_politeness: true,
        request_timeout_ms: 2_000,
        inline_probes: 0,
        ..CrawlConfig::default()
    };
    cfg.canaries = vec![refusing_port("127.0.0.1").to_string()];
    let c = crawl_home(&srv, &cfg).await;
    let o = outcome_of(&c, "www.example-ministry.gov.cn/zwgk/");
    match o {
        LinkOutcome::NotChecked { why } => assert!(why.contains("no outside network"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(outcome_of(&c, "/ok.html"), LinkOutcome::Ok { .. }));
    assert_eq!(c.stats.links_broken, 0);
    assert_eq!(c.stats.external_unchecked_offline, 1);
    assert!(
        c.stats
            .notes
            .iter()
            .any(|n| n.contains("no outside network")),
        "{:?}",
        c.stats.notes
    );
}

#[tokio::test]
async fn answering_canaries_let_external_links_be_checked() {
    let canary = serve("127.0.0.11", |_| Reply::status(200)).await;
    let ext = serve("127.0.0.12", |_| Reply::html(page("外部", &[]))).await;
    let ext_url = ext.url("/x.html");
    let srv = serve("127.0.0.1", move |r| match r.path() {
        "/" => Reply::html(page("首页", &[(&ext_url, "外部")])),
        _ => Reply::status(404),
    })
    .await;
    let mut cfg = CrawlConfig {
        no_politeness: true,
        request_timeout_ms: 2_000,
        inline_probes: 0,
        ..CrawlConfig::default()
    };
    cfg.egress.allow = vec!["127.0.0.12/32".into()];
    cfg.canaries = vec![canary.addr.to_string()];
    let c = crawl_home(&srv, &cfg).await;
    assert!(
        matches!(outcome_of(&c, "/x.html"), LinkOutcome::Ok { .. }),
        "{:?}",
        outcome_of(&c, "/x.html")
    );
    assert_eq!(c.stats.external_unchecked_offline, 0);
}

#[tokio::test]
async fn requests_go_through_the_configured_proxy() {
    // The proxy answers every request itself; the site's address has nothing listening, so
    // the crawl only succeeds through the proxy.
    let proxy = serve("127.0.0.1", |r| {
        if r.target.ends_with("/robots.txt") {
            return Reply::status(404);
        }
        Reply::html(page("经代理访问", &[]))
    })
    .await;
    let site_addr = refusing_port("127.0.0.13");
    let mut cfg = cfg();
    cfg.proxy = Some(proxy.url(""));
    let crawler = Crawler::new(&CrawlConfig::default()).unwrap();
    let c = crawler
        .crawl_site(&site(&format!("http://{site_addr}/")), &cfg)
        .await;
    assert!(
        matches!(c.reachability, pucha_core::Reachability::Reachable { .. }),
        "{:?} {:?}",
        c.reachability,
        c.stats.notes
    );
    assert_eq!(c.pages[0].facts.title.as_deref(), Some("经代理访问"));
    let reqs = proxy.requests();
    assert!(
        reqs.iter()
            .any(|r| r.target == format!("http://{site_addr}/")),
        "the proxy got absolute-form requests: {:?}",
        reqs.iter().map(|r| &r.target).collect::<Vec<_>>()
    );

    // A proxy URL no client can use is the job's error, named as such.
    let mut bad = cfg.clone();
    bad.proxy = Some("::not a url::".into());
    let e = crawler.client_for(&bad).unwrap_err().to_string();
    assert!(e.contains("proxy"), "{e}");
}
