//! Hostile servers: a 20 MB page, a gzip bomb, redirect loops, a server that never answers, a
//! slow drip, a calendar trap, an endless site under a time budget. Each test asserts the
//! recorded outcome and that the crawl ended within its configured budget (with generous slack).

mod support;

use std::io::Write;
use std::time::{Duration, Instant};

use pucha_core::{BrokenReason, LinkOutcome, ProbeFailure, Reachability};
use pucha_crawl::Crawler;
use support::*;

const SLACK: Duration = Duration::from_secs(20);

#[tokio::test]
async fn a_20_mb_page_is_cut_at_the_body_cap() {
    let srv = serve("127.0.0.1", |r| match r.path() {
        "/" => Reply::Big {
            content_type: "text/html".into(),
            len: 20 * 1024 * 1024,
            fill: b' ',
        },
        _ => Reply::status(404),
    })
    .await;
    let cfg = cfg();
    let c = crawl_home(&srv, &cfg).await;
    let home = &c.pages[0];
    assert!(home.truncated);
    assert_eq!(home.bytes, cfg.max_body_bytes);
    assert_eq!(c.stats.bodies_truncated, 1);
    assert!(c.stats.notes.iter().any(|n| n.contains("max_body_bytes")));
}

#[tokio::test]
async fn a_gzip_bomb_is_cut_at_the_body_cap() {
    // 200 MB of zeros behind a ~200 KB gzip stream.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"<html><body>").unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..200 {
        gz.write_all(&zeros).unwrap();
    }
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 2 * 1024 * 1024);
    let srv = serve("127.0.0.1", move |r| match r.path() {
        "/" => Reply::html(bomb.clone()).header("Content-Encoding", "gzip"),
        _ => Reply::status(404),
    })
    .await;
    let mut cfg = cfg();
    cfg.max_body_bytes = 4 * 1024 * 1024;
    let c = crawl_home(&srv, &cfg).await;
    assert!(c.pages[0].truncated, "{:?}", c.stats);
    assert_eq!(c.pages[0].bytes, 4 * 1024 * 1024);
}

#[tokio::test]
async fn redirect_loops_and_endless_redirects_are_broken_links() {
    let srv = serve("127.0.0.1", |r| {
        let p = r.path().to_string();
        match p.as_str() {
            "/" => Reply::html(page("首页", &[("/loop-a", "循环"), ("/r/1", "无尽")])),
            "/loop-a" => Reply::redirect("/loop-b"),
            "/loop-b" => Reply::redirect("/loop-a"),
            _ if p.starts_with("/r/") => {
                let n: u64 = p[3..].parse().unwrap_or(0);
                Reply::redirect(&format!("/r/{}", n + 1))
            }
            _ => Reply::status(404),
        }
    })
    .await;
    let cfg = cfg();
    let crawler = Crawler::new(&cfg).unwrap();
    let c = crawler.crawl_site(&site(&srv.url("/")), &cfg).await;
    let too_many = LinkOutcome::Broken {
        reason: BrokenReason::TooManyRedirects,
    };
    assert_eq!(outcome_of(&c, "/loop-a"), &too_many);
    assert_eq!(outcome_of(&c, "/r/1"), &too_many);
    // Endless redirects stop at the limit.
    let hops = srv
        .requests()
        .iter()
        .filter(|r| r.path().starts_with("/r/"))
        .count();
    assert!(hops <= cfg.max_redirects as usize + 1, "{hops} hops");
    let p = crawler
        .probe(&srv.url("/loop-a").parse().unwrap(), Duration::from_secs(5))
        .await;
    assert_eq!(p.failure, Some(ProbeFailure::RedirectLoop));
}

#[tokio::test]
async fn a_server_that_never_answers_costs_one_timeout() {
    let silent = serve("127.0.0.2", |_| Reply::Hang).await;
    let silent_url = silent.url("/x.html");
    let srv = serve("127.0.0.1", move |r| match r.path() {
        "/" => Reply::html(page("首页", &[(&silent_url, "沉默的外部网站")])),
        _ => Reply::status(404),
    })
    .await;
    let cfg = cfg();
    let crawler = Crawler::new(&cfg).unwrap();
    let t0 = Instant::now();
    let c = crawler.crawl_site(&site(&srv.url("/")), &cfg).await;
    assert_eq!(
        outcome_of(&c, "/x.html"),
        &LinkOutcome::Broken {
            reason: BrokenReason::Timeout
        }
    );
    assert!(t0.elapsed() < Duration::from_millis(cfg.request_timeout_ms) * 3 + SLACK);

    // A homepage that never answers: unreachable after one probe, no crawl.
    let t0 = Instant::now();
    let c = crawler.crawl_site(&site(&silent.url("/")), &cfg).await;
    assert!(matches!(c.reachability, Reachability::Unreachable { .. }));
    assert_eq!(c.probes.len(), 1);
    assert_eq!(c.probes[0].failure, Some(ProbeFailure::Timeout));
    assert!(c.pages.is_empty());
    assert!(t0.elapsed() < Duration::from_millis(cfg.request_timeout_ms) + SLACK);
}

#[tokio::test]
async fn a_slow_drip_is_a_timeout() {
    let srv = serve("127.0.0.1", |r| match r.path() {
        "/" => Reply::html(page("首页", &[("/drip.html", "慢")])),
        "/drip.html" => Reply::Drip(Duration::from_millis(200)),
        _ => Reply::status(404),
    })
    .await;
    let cfg = cfg();
    let t0 = Instant::now();
    let c = crawl_home(&srv, &cfg).await;
    assert_eq!(
        outcome_of(&c, "/drip.html"),
        &LinkOutcome::Broken {
            reason: BrokenReason::Timeout
        }
    );
    assert_eq!(c.stats.pages_failed, 1);
    assert!(t0.elapsed() < Duration::from_millis(cfg.request_timeout_ms) * 2 + SLACK);
}

/// `/cal?d=YYYY-MM-DD` links the previous and next day and its month; a month page links
/// every day of the month and the next month. Unbounded in every direction.
fn calendar(r: &Req) -> Reply {
    let q = r.target.split_once('?').map(|x| x.1).unwrap_or("");
    match r.path() {
        "/" => Reply::html(page("首页", &[("/cal?d=2024-06-15", "日历")])),
        "/cal" => {
            let d = q.trim_start_matches("d=");
            let date = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
            let prev = date.pred_opt().unwrap().format("%Y-%m-%d").to_string();
            let next = date.succ_opt().unwrap().format("%Y-%m-%d").to_string();
            let month = date.format("%Y-%m").to_string();
            Reply::html(page(
                d,
                &[
                    (&format!("/cal?d={prev}"), "前一天"),
                    (&format!("/cal?d={next}"), "后一天"),
                    (&format!("/month?m={month}"), "本月"),
                ],
            ))
        }
        "/month" => {
            let m = q.trim_start_matches("m=");
            let first = chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").unwrap();
            let next = (first + chrono::Duration::days(32))
                .format("%Y-%m")
                .to_string();
            let mut links: Vec<(String, String)> = (0..28)
                .map(|i| {
                    let d = first + chrono::Duration::days(i);
                    (format!("/cal?d={}", d.format("%Y-%m-%d")), format!("{i}日"))
                })
                .collect();
            links.push((format!("/month?m={next}"), "下月".into()));
            let l: Vec<(&str, &str)> = links
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            Reply::html(page(m, &l))
        }
        _ => Reply::status(404),
    }
}

#[tokio::test]
async fn a_calendar_trap_is_stopped_by_pattern_budgets() {
    let srv = serve("127.0.0.1", calendar).await;
    let mut cfg = cfg();
    cfg.max_depth = 1000;
    cfg.max_pages = 5000;
    cfg.max_pages_per_pattern = 60;
    cfg.max_pattern_chain = 8;
    let t0 = Instant::now();
    let c = crawl_home(&srv, &cfg).await;
    let s = &c.stats;
    assert!(s.cut_traps > 0);
    assert!(!s.traps.is_empty());
    assert!(
        s.traps
            .iter()
            .any(|(p, n)| p.contains("/cal?d=N-N-N") && *n > 0),
        "{:?}",
        s.traps
    );
    // Two patterns (days, months) of at most 60 pages each, plus the homepage.
    assert!(s.pages_fetched <= 2 * 60 + 1, "{}", s.pages_fetched);
    assert_eq!(s.cut_max_pages, 0);
    assert!(c.links.iter().any(
        |l| matches!(&l.outcome, LinkOutcome::NotChecked { why } if why.starts_with("crawler trap"))
    ));
    assert!(t0.elapsed() < Duration::from_secs(cfg.max_seconds) + SLACK);
}

#[tokio::test]
async fn the_time_budget_stops_the_crawl_and_is_reported() {
    // 400 distinct slow pages; a 2 s budget cannot fetch them all.
    let srv = serve("127.0.0.1", |r| {
        let p = r.path().to_string();
        if p == "/" {
            let links: Vec<(String, String)> = (0..400)
                .map(|i| (format!("/s{i}/p.html"), format!("页{i}")))
                .collect();
            let l: Vec<(&str, &str)> = links
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            Reply::html(page("首页", &l))
        } else {
            Reply::After(
                Duration::from_millis(30),
                Box::new(Reply::html(page("页", &[]))),
            )
        }
    })
    .await;
    let mut cfg = cfg();
    cfg.max_seconds = 2;
    cfg.max_pages_per_pattern = 10_000;
    cfg.unpolite_concurrency = 2;
    let t0 = Instant::now();
    let c = crawl_home(&srv, &cfg).await;
    assert!(c.stats.cut_max_time > 0, "{:?}", c.stats);
    assert!(c
        .links
        .iter()
        .any(|l| matches!(&l.outcome, LinkOutcome::NotChecked { why } if why == "max_time")));
    assert_eq!(
        c.stats.pages_fetched + c.stats.cut_max_time,
        401,
        "every admitted page is fetched or counted as cut"
    );
    assert!(t0.elapsed() < Duration::from_secs(cfg.max_seconds) + SLACK);
}
