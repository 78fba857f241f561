//! The availability monitor against the real Redis (127.0.0.1:6379), probing loopback test
//! servers with the crawler's probe, with a shortened interval and a key prefix of its own.
//!
//! A site that fails every third request reaches the veto level, a healthy one does not, and
//! a flaky one below the veto level fires only warning-level webhooks (received by a loopback
//! server). The samples are read back the way the census reads them.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use pucha_core::{Category, Site};
use pucha_monitor::redis::aio::ConnectionManager;
use pucha_monitor::{
    assess, census_window, CancellationToken, Level, Monitor, MonitorConfig, RedisStore,
    SampleStore, Thresholds, WebhookNotifier,
};
use tokio::net::TcpListener;

use common::{page_server, read_request, respond, webhook_server};

const REDIS_URL: &str = "redis://127.0.0.1:6379";

/// Connects to the test Redis, or says how to start it (None: skipped by PUCHA_SKIP_SERVICES=1).
async fn redis() -> Option<ConnectionManager> {
    let attempt = async {
        let client = pucha_monitor::redis::Client::open(REDIS_URL)?;
        tokio::time::timeout(Duration::from_secs(5), ConnectionManager::new(client))
            .await
            .map_err(|_| {
                pucha_monitor::redis::RedisError::from(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "connect timed out",
                ))
            })?
    };
    match attempt.await {
        Ok(c) => Some(c),
        Err(e) if std::env::var("PUCHA_SKIP_SERVICES").as_deref() == Ok("1") => {
            eprintln!("skipped: Redis unreachable at {REDIS_URL} ({e}) and PUCHA_SKIP_SERVICES=1");
            None
        }
        Err(e) => panic!(
            "this test needs Redis at {REDIS_URL} ({e}); start it with: redis-server --daemonize yes \
             --bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no --dir /var/lib/redis \
             --logfile /var/log/redis/ci.log (or set PUCHA_SKIP_SERVICES=1 to skip)"
        ),
    }
}

/// A homepage on loopback that fails request n (from 1) when `fails(n)`; counts requests.
async fn site_server(fails: fn(u64) -> bool) -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicU64::new(0));
    let c = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let c = c.clone();
            tokio::spawn(async move {
                if read_request(&mut sock).await.is_none() {
                    return;
                }
                let n = c.fetch_add(1, Ordering::SeqCst) + 1;
                if fails(n) {
                    respond(&mut sock, 503, "busy").await;
                } else {
                    respond(&mut sock, 200, "<html><body>首页</body></html>").await;
                }
            });
        }
    });
    (format!("http://{addr}/"), count)
}

fn site(name: &str, url: &str) -> Site {
    Site {
        name: name.to_string(),
        url: url::Url::parse(url).unwrap(),
        category: Category::Department,
        site_code: None,
        sponsor: None,
    }
}

async fn delete_prefix(conn: &mut ConnectionManager, prefix: &str) {
    let keys: Vec<String> = pucha_monitor::redis::cmd("KEYS")
        .arg(format!("{prefix}:*"))
        .query_async(conn)
        .await
        .unwrap();
    if !keys.is_empty() {
        pucha_monitor::redis::cmd("DEL")
            .arg(&keys)
            .query_async::<()>(conn)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn monitor_vetoes_the_failing_site_and_warns_early_for_the_flaky_one() {
    let Some(mut conn) = redis().await else {
        return;
    };
    let prefix = format!(
        "pucha-test-monitor-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default()
    );
    let (bad_url, bad_hits) = site_server(|n| n.is_multiple_of(3)).await;
    let (good_url, good_hits) = site_server(|_| false).await;
    // 1 in 25 = 4 %: past the 3 % warning level, below the 5 % veto.
    let (flaky_url, flaky_hits) = site_server(|n| n.is_multiple_of(25)).await;
    let (hook_url, hooks) = webhook_server().await;
    let sites = vec![
        site("每三次失败一次", &bad_url),
        site("健康站点", &good_url),
        site("偶发故障站点", &flaky_url),
    ];
    let keys: Vec<String> = sites.iter().map(Site::key).collect();
    let hits = [bad_hits, good_hits, flaky_hits];

    let store = Arc::new(RedisStore::new(conn.clone(), prefix.clone()));
    let mut crawl = pucha_core::CrawlConfig::default();
    crawl.egress.loopback_only = true;
    let crawler = Arc::new(pucha_crawl::Crawler::new(&crawl).unwrap());
    let cfg = MonitorConfig {
        interval: Duration::from_millis(120),
        warning_cooldown: Duration::from_secs(3600),
        ..MonitorConfig::default()
    };
    let notifier = Arc::new(WebhookNotifier::new(url::Url::parse(&hook_url).unwrap()).unwrap());
    let monitor = Monitor::new(
        cfg.clone(),
        sites.clone(),
        store.clone(),
        crawler.clone(),
        notifier.clone(),
    )
    .unwrap();
    let stop = CancellationToken::new();
    let run = tokio::spawn(monitor.run(stop.clone()));

    // The census reads the 7 days before its as-of date: tomorrow's census sees today.
    let as_of = pucha_crawl::today_cst() + chrono::Duration::days(1);
    let (from, to) = census_window(as_of);
    // Wait for 50 probes of the flaky site (a loop bound guards against a hang only).
    for _ in 0..1200 {
        if store.load(&keys[2], from, to).await.unwrap().len() >= 50 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.cancel();
    run.await.unwrap().unwrap();

    let t = Thresholds::default();
    let mut levels = HashMap::new();
    for (i, k) in keys.iter().enumerate() {
        let samples = store.load(k, from, to).await.unwrap();
        // Each probe is one request, never retried, and every probe was stored.
        assert_eq!(
            samples.len() as u64,
            hits[i].load(Ordering::SeqCst),
            "site {k}"
        );
        levels.insert(k.clone(), assess(&samples, &t));
    }
    let bad = &levels[&keys[0]];
    assert_eq!(bad.level, Level::Veto, "{bad:?}");
    assert!(bad.failure_ratio >= 0.05);
    let good = &levels[&keys[1]];
    assert_eq!((good.level, good.failures), (Level::Ok, 0), "{good:?}");
    let flaky = &levels[&keys[2]];
    assert!(flaky.probes >= 50, "{flaky:?}");
    assert!(
        flaky.failures >= 2 && flaky.failure_ratio < t.veto_failure_ratio,
        "{flaky:?}"
    );

    // Webhooks: warning level only for the flaky site, none for the healthy one.
    let hooks = hooks.lock().unwrap().clone();
    let of = |k: &str| {
        hooks
            .iter()
            .filter(|h| h["site_key"] == k)
            .map(|h| h["level"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert!(of(&keys[1]).is_empty(), "{hooks:?}");
    let flaky_hooks = of(&keys[2]);
    assert!(!flaky_hooks.is_empty(), "{hooks:?}");
    assert!(
        flaky_hooks.iter().all(|l| l == "warning"),
        "{flaky_hooks:?}"
    );
    assert_eq!(of(&keys[0]), vec!["veto".to_string()], "{hooks:?}");
    let first = hooks.iter().find(|h| h["site_key"] == keys[2]).unwrap();
    assert_eq!(first["site_name"], "偶发故障站点");
    assert_eq!(first["kind"], "availability");

    // The schedule is stored; a restarted monitor resumes and appends to the same series.
    let next = store.schedule().await.unwrap();
    for k in &keys {
        assert!(next.contains_key(k), "no stored schedule for {k}");
    }
    let before = store.load(&keys[1], from, to).await.unwrap().len();
    let monitor = Monitor::new(cfg, sites, store.clone(), crawler, notifier).unwrap();
    let stop = CancellationToken::new();
    let run = tokio::spawn(monitor.run(stop.clone()));
    for _ in 0..600 {
        if store.load(&keys[1], from, to).await.unwrap().len() >= before + 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.cancel();
    run.await.unwrap().unwrap();
    assert!(store.load(&keys[1], from, to).await.unwrap().len() >= before + 3);

    // Retention: the series expires and old samples are trimmed.
    let pttl: i64 = pucha_monitor::redis::cmd("PTTL")
        .arg(store.samples_key(&keys[1]))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(pttl > 0, "the sample series has no expiry: {pttl}");

    delete_prefix(&mut conn, &prefix).await;
}

#[tokio::test]
async fn samples_older_than_the_retention_are_trimmed() {
    let Some(mut conn) = redis().await else {
        return;
    };
    let prefix = format!("pucha-test-retention-{}", std::process::id());
    let store = RedisStore::new(conn.clone(), prefix.clone());
    let now = Utc::now();
    let sample = |days_ago: i64| pucha_core::ProbeSample {
        content: None,
        at: now - chrono::Duration::days(days_ago),
        elapsed_ms: 12,
        status: Some(200),
        failure: None,
    };
    let retention = chrono::Duration::days(120);
    for d in [200, 121, 119, 3, 0] {
        let s = sample(d);
        store.append("k", &s, s.at - retention).await.unwrap();
    }
    let all = store
        .load("k", now - chrono::Duration::days(1000), now)
        .await
        .unwrap();
    let ages: Vec<i64> = all.iter().map(|s| (now - s.at).num_days()).collect();
    assert_eq!(ages, vec![119, 3, 0]);
    delete_prefix(&mut conn, &prefix).await;
}

/// A government homepage whose news list's newest item is `newest_days_ago` days old, with
/// a clock and a visit counter that change on every request (they must not count as updates).
fn homepage(newest_days_ago: i64) -> String {
    let today = pucha_crawl::today_cst();
    let items: String = [newest_days_ago, newest_days_ago + 4, newest_days_ago + 9]
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let date = today - chrono::Duration::days(*d);
            format!("<li><a href=\"/xwzx/t{i}.html\">市政府召开第{i}次常务会议</a><span>{date}</span></li>")
        })
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>某市人民政府</title></head>\
         <body><div class=\"top\">今天是{} 访问量：{}</div>\
         <div class=\"news\"><h3>政务动态</h3><ul class=\"list\">{items}</ul></div>\
         <div class=\"footer\">主办单位：某市人民政府办公室</div></body></html>",
        Utc::now().format("%Y年%m月%d日 %H:%M:%S%.3f"),
        Utc::now().timestamp_subsec_nanos()
    )
}

#[tokio::test]
async fn a_homepage_not_updated_for_12_days_fires_the_webhook_and_one_updated_3_days_ago_does_not()
{
    let Some(mut conn) = redis().await else {
        return;
    };
    let prefix = format!(
        "pucha-test-homepage-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default()
    );
    let (stale_url, stale_hits) = page_server(homepage(12)).await;
    let (fresh_url, _) = page_server(homepage(3)).await;
    let (hook_url, hooks) = webhook_server().await;
    let sites = vec![
        site("久未更新站点", &stale_url),
        site("近期更新站点", &fresh_url),
    ];
    let keys: Vec<String> = sites.iter().map(Site::key).collect();

    let store = Arc::new(RedisStore::new(conn.clone(), prefix.clone()));
    let mut crawl = pucha_core::CrawlConfig::default();
    crawl.egress.loopback_only = true;
    let crawler = Arc::new(pucha_crawl::Crawler::new(&crawl).unwrap());
    let cfg = MonitorConfig {
        interval: Duration::from_millis(100),
        ..MonitorConfig::default()
    };
    let notifier = Arc::new(WebhookNotifier::new(url::Url::parse(&hook_url).unwrap()).unwrap());
    let monitor = Monitor::new(cfg, sites, store.clone(), crawler, notifier).unwrap();
    let stop = CancellationToken::new();
    let run = tokio::spawn(monitor.run(stop.clone()));
    let (from, to) = (
        Utc::now() - chrono::Duration::days(1),
        Utc::now() + chrono::Duration::days(1),
    );
    // Several probes of both (a loop bound guards against a hang only).
    for _ in 0..600 {
        let a = store.load(&keys[0], from, to).await.unwrap().len();
        let b = store.load(&keys[1], from, to).await.unwrap().len();
        if a >= 8 && b >= 8 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.cancel();
    run.await.unwrap().unwrap();

    // Every probe read the page and recorded what it shows: the newest date, and one
    // fingerprint although the clock and the counter changed on every request.
    let today = pucha_crawl::today_cst();
    let stale = store.load(&keys[0], from, to).await.unwrap();
    assert!(stale.len() >= 8, "{}", stale.len());
    assert_eq!(stale.len() as u64, stale_hits.load(Ordering::SeqCst));
    let contents: Vec<_> = stale.iter().map(|s| s.content.clone().unwrap()).collect();
    assert!(contents
        .iter()
        .all(|c| c.newest == Some(today - chrono::Duration::days(12))));
    assert!(contents
        .iter()
        .all(|c| c.fingerprint == contents[0].fingerprint));
    let fresh = store.load(&keys[1], from, to).await.unwrap();
    assert_eq!(
        fresh[0].content.as_ref().unwrap().newest,
        Some(today - chrono::Duration::days(3))
    );

    // The webhook: one homepage warning for the stale site, for the whole episode; none for
    // the fresh one; no availability warning (every probe succeeded).
    let hooks = hooks.lock().unwrap().clone();
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    let h = &hooks[0];
    assert_eq!(h["kind"], "homepage_not_updated");
    assert_eq!(h["site_key"], keys[0].as_str());
    assert_eq!(h["site_name"], "久未更新站点");
    assert_eq!(h["level"], "warning");
    assert_eq!(h["basis"], "dates");
    assert_eq!(h["age_days"], 12);
    assert_eq!(h["stale_after_days"], 10);
    assert_eq!(
        h["newest_content"],
        (today - chrono::Duration::days(12)).to_string()
    );
    // The dashboard series: homepage age of both sites, stale flag on the first only.
    let text = pucha_metrics::metrics().render();
    let line = |name: &str, k: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{name}{{site=\"{k}\"}}")))
            .and_then(|l| l.rsplit(' ').next())
            .map(|v| v.parse::<f64>().unwrap())
            .unwrap_or_else(|| panic!("no {name} for {k}"))
    };
    assert_eq!(line("pucha_site_homepage_stale", &keys[0]), 1.0);
    assert_eq!(line("pucha_site_homepage_stale", &keys[1]), 0.0);
    let age = |k: &str| {
        (Utc::now().timestamp() as f64 - line("pucha_site_homepage_updated_timestamp_seconds", k))
            / 86400.0
    };
    assert!((12.0..13.0).contains(&age(&keys[0])), "{}", age(&keys[0]));
    assert!((3.0..4.0).contains(&age(&keys[1])), "{}", age(&keys[1]));

    delete_prefix(&mut conn, &prefix).await;
}
