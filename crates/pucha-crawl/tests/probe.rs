//! Availability probes: one request, never retried, failing on status, empty body, timeout,
//! refused connections and redirect loops; inline probes are taken during a crawl.

mod support;

use std::time::{Duration, Instant};

use pucha_core::ProbeFailure;
use pucha_crawl::Crawler;
use support::*;

#[tokio::test]
async fn probe_outcomes() {
    let srv = serve("127.0.0.1", |r| match r.path() {
        "/" => Reply::html(page("首页", &[])),
        "/500" => Reply::status(500),
        "/empty" => Reply::with(200, "text/html", Vec::new()),
        "/hang" => Reply::Hang,
        _ => Reply::status(404),
    })
    .await;
    let crawler = Crawler::new(&cfg()).unwrap();
    let probe = |p: &str| {
        let url = srv.url(p).parse().unwrap();
        let c = crawler.clone();
        async move { c.probe(&url, Duration::from_secs(1)).await }
    };
    let ok = probe("/").await;
    assert!(ok.ok(), "{ok:?}");
    assert_eq!(ok.status, Some(200));
    assert_eq!(probe("/500").await.failure, Some(ProbeFailure::Status(500)));
    assert_eq!(probe("/empty").await.failure, Some(ProbeFailure::EmptyBody));
    let t0 = Instant::now();
    let hang = probe("/hang").await;
    assert_eq!(hang.failure, Some(ProbeFailure::Timeout));
    assert!(hang.elapsed_ms >= 1000);
    assert!(t0.elapsed() < Duration::from_secs(10));
    // A closed port: connection refused.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let refused = crawler
        .probe(
            &format!("http://{closed}/").parse().unwrap(),
            Duration::from_secs(1),
        )
        .await;
    assert_eq!(refused.failure, Some(ProbeFailure::Connect));
    // Probes are never retried.
    assert_eq!(
        srv.requests().iter().filter(|r| r.path() == "/500").count(),
        1
    );
}

#[tokio::test]
async fn inline_probes_are_taken_during_the_crawl() {
    let srv = serve("127.0.0.1", |r| match r.path() {
        "/" => Reply::html(page("首页", &[("/a.html", "甲")])),
        _ => Reply::html(page("页", &[])),
    })
    .await;
    let mut cfg = cfg();
    cfg.inline_probes = 4;
    let c = crawl_home(&srv, &cfg).await;
    assert_eq!(c.probes.len(), 4);
    assert!(c.probes.iter().all(|p| p.ok()));
    assert!(c.probes.windows(2).all(|w| w[0].at <= w[1].at));
    // The crawl's probes read one byte: they record no homepage content.
    assert!(c.probes.iter().all(|p| p.content.is_none()));
}

#[tokio::test]
async fn the_monitor_probe_records_what_the_homepage_shows() {
    let newest = pucha_crawl::today_cst() - chrono::Duration::days(12);
    let list = format!(
        "<html><head><meta charset=\"utf-8\"><title>首页</title></head><body><ul>\
         <li><a href=\"/n/2.html\">市政府常务会议</a><span>{newest}</span></li>\
         <li><a href=\"/n/1.html\">安全生产通知</a><span>{}</span></li></ul></body></html>",
        newest - chrono::Duration::days(3)
    );
    let srv = serve("127.0.0.1", move |r| match r.path() {
        "/" => Reply::html(list.clone()),
        "/nav" => Reply::html(page(
            "首页",
            &[("/zwgk/", "政务公开"), ("/zwfw/", "政务服务")],
        )),
        "/json" => Reply::with(200, "application/json", b"{\"ok\":true}".to_vec()),
        _ => Reply::status(503),
    })
    .await;
    let crawler = Crawler::new(&cfg()).unwrap();
    let probe = |p: &str| {
        let url = srv.url(p).parse().unwrap();
        let c = crawler.clone();
        async move { c.probe(&url, Duration::from_secs(2)).await }
    };
    let home = probe("/").await;
    let content = home.content.clone().expect("content of a 2xx HTML page");
    assert_eq!(content.newest, Some(newest));
    assert_eq!(content.fingerprint.len(), 16);
    // Same page, same fingerprint; a page without dates has one too, but no date.
    assert_eq!(probe("/").await.content, Some(content.clone()));
    let nav = probe("/nav")
        .await
        .content
        .expect("content of the nav page");
    assert_eq!(nav.newest, None);
    assert_ne!(nav.fingerprint, content.fingerprint);
    // Not HTML, or failed: nothing recorded.
    let json = probe("/json").await;
    assert!(json.ok() && json.content.is_none(), "{json:?}");
    let down = probe("/down").await;
    assert_eq!(down.failure, Some(ProbeFailure::Status(503)));
    assert_eq!(down.content, None);
}
