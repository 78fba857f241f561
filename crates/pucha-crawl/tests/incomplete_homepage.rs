//! A homepage that cannot be read whole (issue #17 item 3): it hangs after its headers,
//! drips one byte a second, announces more bytes than it sends, or resets mid-body. Each is
//! an availability failure recorded as a failed probe, with the site unreachable — the
//! shape of a refused connection, which veto.site_unreachable judges — never a reachable
//! site without a homepage (verdict `error`, "首页未能取得（HTTP 200）").

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pucha_core::{ProbeFailure, Reachability, SiteCrawl};
use support::*;

const SLACK: Duration = Duration::from_secs(20);

/// The crawl's record of an unreachable homepage, with the reason and the probe failure.
fn assert_unreachable(c: &SiteCrawl, reason: &str) {
    match &c.reachability {
        Reachability::Unreachable { reason: r } => assert!(r.contains(reason), "{r}"),
        other => panic!("reachable: {other:?} {:?}", c.stats.notes),
    }
    assert!(c.pages.is_empty());
    let failed: Vec<_> = c.probes.iter().filter(|p| !p.ok()).collect();
    assert!(!failed.is_empty(), "{:?}", c.probes);
    match &failed[0].failure {
        Some(ProbeFailure::Other(m)) => assert!(m.contains(reason), "{m}"),
        f => panic!("{f:?}"),
    }
}

#[tokio::test]
async fn a_homepage_that_hangs_after_its_headers_is_unreachable() {
    let srv = serve("127.0.0.1", |_| Reply::HeadersThenHang { declared: 5_000 }).await;
    let cfg = cfg();
    let t0 = Instant::now();
    let c = crawl_home(&srv, &cfg).await;
    assert_unreachable(&c, "首页响应不完整：读取正文超时（已收到 0 字节）");
    assert!(t0.elapsed() < Duration::from_millis(cfg.request_timeout_ms) + SLACK);
}

#[tokio::test]
async fn a_homepage_dripping_a_byte_a_second_is_unreachable() {
    let srv = serve("127.0.0.1", |_| Reply::Drip(Duration::from_secs(1))).await;
    let cfg = cfg();
    let t0 = Instant::now();
    let c = crawl_home(&srv, &cfg).await;
    assert_unreachable(&c, "首页响应不完整：读取正文超时");
    assert!(t0.elapsed() < Duration::from_millis(cfg.request_timeout_ms) + SLACK);
}

#[tokio::test]
async fn a_homepage_shorter_than_its_content_length_is_unreachable() {
    let srv = serve("127.0.0.1", |_| Reply::Short {
        declared: 1 << 30,
        body: page("首页", &[]).into_bytes(),
    })
    .await;
    let sent = page("首页", &[]).len();
    let c = crawl_home(&srv, &cfg()).await;
    assert_unreachable(
        &c,
        &format!("首页响应不完整：声明 1073741824 字节，仅收到 {sent} 字节"),
    );
}

#[tokio::test]
async fn a_homepage_reset_mid_body_is_unreachable() {
    let srv = serve("127.0.0.1", |_| Reply::ResetAfter {
        declared: 100_000,
        body: vec![b' '; 1_000],
    })
    .await;
    let c = crawl_home(&srv, &cfg()).await;
    assert_unreachable(&c, "首页响应不完整");
}

#[tokio::test]
async fn a_refused_connection_has_the_same_shape() {
    // A port nothing listens on (bound, then closed).
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", l.local_addr().unwrap());
    drop(l);
    let cfg = cfg();
    let c = pucha_crawl::Crawler::new(&cfg)
        .unwrap()
        .crawl_site(&site(&url), &cfg)
        .await;
    assert!(matches!(c.reachability, Reachability::Unreachable { .. }));
    assert!(c.pages.is_empty());
    assert_eq!(c.probes.len(), 1);
    assert_eq!(c.probes[0].failure, Some(ProbeFailure::Connect));
}

#[tokio::test]
async fn a_homepage_that_answers_the_probe_then_stalls_is_a_failed_probe() {
    // The first request (the reachability probe) gets the page; the crawl's then hangs.
    let n = AtomicUsize::new(0);
    let srv = serve("127.0.0.1", move |r| match r.path() {
        "/" if n.fetch_add(1, Ordering::SeqCst) == 0 => Reply::html(page("首页", &[])),
        "/" => Reply::HeadersThenHang { declared: 5_000 },
        _ => Reply::status(404),
    })
    .await;
    let c = crawl_home(&srv, &cfg()).await;
    assert_unreachable(&c, "首页响应不完整：读取正文超时");
    assert_eq!(c.probes.len(), 2, "{:?}", c.probes);
    assert!(c.probes[0].ok());
    assert!(c
        .stats
        .notes
        .iter()
        .any(|n| n.contains("homepage not fetched")));
}

#[tokio::test]
async fn an_inner_page_cut_short_is_a_broken_link_not_an_unreachable_site() {
    let srv = serve("127.0.0.1", |r| match r.path() {
        "/" => Reply::html(page("首页", &[("/short.html", "短"), ("/hang.html", "挂")])),
        "/short.html" => Reply::Short {
            declared: 1 << 30,
            body: b"<html>".to_vec(),
        },
        "/hang.html" => Reply::HeadersThenHang { declared: 100 },
        _ => Reply::status(404),
    })
    .await;
    let c = crawl_home(&srv, &cfg()).await;
    assert!(matches!(c.reachability, Reachability::Reachable { .. }));
    assert_eq!(c.pages.len(), 1);
    assert!(c.probes.iter().all(|p| p.ok()));
    let short = outcome_of(&c, "/short.html");
    assert!(
        matches!(short, pucha_core::LinkOutcome::Broken {
            reason: pucha_core::BrokenReason::Connect { detail }
        } if detail.contains("声明 1073741824 字节")),
        "{short:?}"
    );
    assert_eq!(
        outcome_of(&c, "/hang.html"),
        &pucha_core::LinkOutcome::Broken {
            reason: pucha_core::BrokenReason::Timeout
        }
    );
}
