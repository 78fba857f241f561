//! The metrics server over real loopback HTTP, and the naming spec checked on a real scrape.

use std::collections::BTreeSet;

use pucha_core::CrawlStats;
use pucha_metrics::{metrics, serve, Dependency, FetchErrorKind, Readiness};

async fn get(url: &str) -> (u16, String) {
    let resp = reqwest::get(url).await.expect("request to loopback server");
    let status = resp.status().as_u16();
    (status, resp.text().await.expect("body"))
}

#[tokio::test]
async fn readyz_says_which_required_dependency_is_down() {
    let ready = Readiness::new().requires(&[Dependency::Broker, Dependency::Redis]);
    let server = serve("127.0.0.1:0".parse().unwrap(), ready.clone())
        .await
        .unwrap();
    let url = format!("http://{}/readyz", server.local_addr());
    let up = |d| metrics().dependency_up(d);
    up(Dependency::Broker).set(1);
    up(Dependency::Redis).set(1);
    assert_eq!(get(&url).await.0, 503, "not ready before set_ready");
    ready.set_ready(true);
    assert_eq!(get(&url).await, (200, "ready\n".to_string()));
    up(Dependency::Redis).set(0);
    let (status, body) = get(&url).await;
    assert_eq!(status, 503);
    assert!(body.contains("redis unreachable"), "{body}");
    assert!(!body.contains("broker"), "{body}");
    up(Dependency::Broker).set(0);
    assert!(get(&url).await.1.contains("broker and redis unreachable"));
    up(Dependency::Broker).set(1);
    up(Dependency::Redis).set(1);
    assert_eq!(get(&url).await.0, 200, "ready again once Redis answers");
    ready.set_ready(false);
    assert!(get(&url).await.1.contains("stopping"));
    server.shutdown().await.unwrap();
}

/// Metric family names from a text exposition (`# TYPE name kind`).
fn families(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .map(|l| {
            let mut it = l.split_whitespace();
            (
                it.next().unwrap().to_string(),
                it.next().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn serves_metrics_health_and_readiness_then_shuts_down() {
    let ready = Readiness::new();
    let server = serve("127.0.0.1:0".parse().unwrap(), ready.clone())
        .await
        .unwrap();
    let base = format!("http://{}", server.local_addr());

    assert_eq!(get(&format!("{base}/healthz")).await.0, 200);
    assert_eq!(get(&format!("{base}/readyz")).await.0, 503);
    ready.set_ready(true);
    assert_eq!(get(&format!("{base}/readyz")).await.0, 200);

    let before = metrics().pages_fetched.get();
    pucha_metrics::record_site_crawl(&CrawlStats {
        pages_fetched: 7,
        bytes: 1234,
        links_checked: 10,
        links_broken: 2,
        links_blocked: 1,
        ..CrawlStats::default()
    });
    assert_eq!(metrics().pages_fetched.get(), before + 7);

    let (status, text) = get(&format!("{base}/metrics")).await;
    assert_eq!(status, 200);
    assert!(text.contains("pucha_fetched_bytes_total"), "{text}");
    assert!(
        text.contains("pucha_links_checked_total{result=\"broken\"}"),
        "{text}"
    );
    assert!(text.contains("pucha_build_info{version=\""), "{text}");
    assert!(
        text.contains("pucha_findings_total{rule=\"veto.site_unreachable\"} 0"),
        "{text}"
    );

    server.shutdown().await.unwrap();
    assert!(reqwest::get(format!("{base}/healthz")).await.is_err());
}

#[test]
fn every_metric_follows_the_naming_spec() {
    let m = pucha_metrics::Metrics::new();
    m.record_probe(
        "http://127.0.0.1:1",
        &pucha_core::ProbeSample {
            content: None,
            at: chrono::Utc::now(),
            elapsed_ms: 15_000,
            status: None,
            failure: Some(pucha_core::ProbeFailure::Timeout),
        },
    );
    m.set_site_availability("http://127.0.0.1:1", 0.5);
    m.set_site_homepage("http://127.0.0.1:1", 1_795_000_000, true);
    let text = m.render();
    let fams = families(&text);
    let names: BTreeSet<&str> = fams.iter().map(|(n, _)| n.as_str()).collect();
    for must in [
        "pucha_jobs_published_total",
        "pucha_jobs_dead_lettered_total",
        "pucha_job_duration_seconds",
        "pucha_queue_depth",
        "pucha_run_eta_seconds",
        "pucha_site_probe_success",
        "pucha_site_availability_ratio",
        "pucha_availability_warnings_total",
        "pucha_site_homepage_updated_timestamp_seconds",
        "pucha_site_homepage_stale",
        "pucha_homepage_warnings_total",
        "pucha_probe_jobs_published_total",
        "pucha_probe_jobs_dropped_total",
    ] {
        assert!(names.contains(must), "missing {must}");
    }
    if cfg!(target_os = "linux") {
        assert!(names.contains("pucha_process_resident_memory_bytes"));
    }
    for (name, kind) in &fams {
        assert!(name.starts_with("pucha_"), "{name} lacks the prefix");
        match kind.as_str() {
            "counter" => assert!(
                name.ends_with("_total"),
                "counter {name} must end in _total"
            ),
            "histogram" => assert!(
                name.ends_with("_seconds"),
                "histogram {name} must be _seconds"
            ),
            _ => assert!(
                !name.ends_with("_total"),
                "non-counter {name} ends in _total"
            ),
        }
        for bad in ["_ms", "_milliseconds", "_kb", "_mb", "_minutes", "_hours"] {
            assert!(!name.contains(bad), "{name} is not in base units");
        }
    }
    // Only the availability series carry a site label.
    for line in text.lines().filter(|l| l.contains("site=\"")) {
        assert!(
            line.starts_with("pucha_site_"),
            "site label outside availability series: {line}"
        );
    }
    assert!(text.contains("pucha_fetch_errors_total{kind=\"timeout\"} 1"));
    for k in FetchErrorKind::ALL {
        assert!(text.contains(&format!("kind=\"{}\"", k.as_str())));
    }
    assert!(text.contains(
        "pucha_site_homepage_updated_timestamp_seconds{site=\"http://127.0.0.1:1\"} 1795000000"
    ));
    assert!(text.contains("pucha_site_homepage_stale{site=\"http://127.0.0.1:1\"} 1"));
    // The drop reasons are a closed set, present from the first scrape.
    for r in pucha_metrics::ProbeDrop::ALL {
        assert!(text.contains(&format!(
            "pucha_probe_jobs_dropped_total{{reason=\"{}\"}} 0",
            r.as_str()
        )));
    }
}

#[test]
fn findings_keep_the_rule_label_closed() {
    let m = pucha_metrics::Metrics::new();
    assert!(m.findings("veto.site_unreachable").is_some());
    assert!(m.findings("made.up.rule").is_none());
    assert!(!m.render().contains("made.up.rule"));
}
