//! The real monitor loop on the in-process store, with a scripted prober and a recording
//! notifier: no network, no Redis.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use pucha_core::{Category, ProbeFailure, ProbeSample, Site};
use pucha_monitor::{
    assess, CancellationToken, Level, MemoryStore, Monitor, MonitorConfig, MonitorError, Notifier,
    Prober, SampleStore, Thresholds, Warning,
};
use url::Url;

/// Fails request n of a host when `fails(n)` (n counted from 1 per host).
struct Scripted {
    counts: Mutex<HashMap<String, u64>>,
    total: AtomicU64,
}

impl Scripted {
    fn fails(host: &str, n: u64) -> bool {
        match host {
            "bad.example" => n.is_multiple_of(3),
            "flaky.example" => n.is_multiple_of(25),
            _ => false,
        }
    }
}

#[async_trait]
impl Prober for Scripted {
    async fn probe(&self, url: &Url, _timeout: Duration) -> ProbeSample {
        let host = url.host_str().unwrap().to_string();
        let n = {
            let mut c = self.counts.lock().unwrap();
            let e = c.entry(host.clone()).or_default();
            *e += 1;
            *e
        };
        self.total.fetch_add(1, Ordering::SeqCst);
        let fail = Scripted::fails(&host, n);
        ProbeSample {
            at: Utc::now(),
            elapsed_ms: 3,
            status: Some(if fail { 503 } else { 200 }),
            failure: fail.then_some(ProbeFailure::Status(503)),
        }
    }
}

#[derive(Default)]
struct Recording(Mutex<Vec<Warning>>);

#[async_trait]
impl Notifier for Recording {
    async fn notify(&self, w: &Warning) -> Result<(), MonitorError> {
        self.0.lock().unwrap().push(w.clone());
        Ok(())
    }
}

fn site(host: &str) -> Site {
    Site {
        name: format!("{host} 网站"),
        url: Url::parse(&format!("http://{host}/")).unwrap(),
        category: Category::Department,
        site_code: None,
        sponsor: None,
    }
}

#[tokio::test]
async fn vetoes_the_failing_site_and_warns_early_for_the_flaky_one() {
    let sites = vec![
        site("bad.example"),
        site("good.example"),
        site("flaky.example"),
    ];
    let store = Arc::new(MemoryStore::new());
    let prober = Arc::new(Scripted {
        counts: Mutex::default(),
        total: AtomicU64::new(0),
    });
    let notes = Arc::new(Recording::default());
    let cfg = MonitorConfig {
        interval: Duration::from_millis(40),
        warning_cooldown: Duration::from_secs(3600),
        ..MonitorConfig::default()
    };
    let monitor = Monitor::new(
        cfg,
        sites.clone(),
        store.clone(),
        prober.clone(),
        notes.clone(),
    )
    .unwrap();
    let stop = CancellationToken::new();
    let task = tokio::spawn(monitor.run(stop.clone()));

    let flaky = sites[2].key();
    let far = Utc::now() + chrono::Duration::days(1);
    let from = Utc::now() - chrono::Duration::days(1);
    // Guard against a hang only; the number of probes is what the test waits for.
    for _ in 0..600 {
        if store.load(&flaky, from, far).await.unwrap().len() >= 50 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.cancel();
    task.await.unwrap().unwrap();

    let t = Thresholds::default();
    let mut stored = 0;
    for s in &sites {
        let samples = store.load(&s.key(), from, far).await.unwrap();
        stored += samples.len() as u64;
        let a = assess(&samples, &t);
        match s.url.host_str().unwrap() {
            "bad.example" => assert_eq!(a.level, Level::Veto, "{a:?}"),
            "good.example" => assert_eq!((a.level, a.failures), (Level::Ok, 0), "{a:?}"),
            _ => {
                assert!(samples.len() >= 50);
                assert!(
                    a.failures >= 2 && a.failure_ratio < t.veto_failure_ratio,
                    "{a:?}"
                );
            }
        }
    }
    // Every probe was recorded once: no retries, nothing lost at shutdown.
    assert_eq!(stored, prober.total.load(Ordering::SeqCst));

    let notes = notes.0.lock().unwrap().clone();
    let for_site = |k: &str| notes.iter().filter(|w| w.site_key == k).collect::<Vec<_>>();
    assert!(for_site(&sites[1].key()).is_empty());
    let bad = for_site(&sites[0].key());
    assert_eq!(
        bad.len(),
        1,
        "one veto-level warning within the cooldown: {bad:?}"
    );
    assert_eq!(bad[0].level, Level::Veto);
    let fl = for_site(&flaky);
    assert!(!fl.is_empty());
    assert!(fl.iter().all(|w| w.level == Level::Warning), "{fl:?}");
    assert!(fl[0].text.contains("预警线"), "{}", fl[0].text);

    // The schedule is stored for a restart.
    let next = store.schedule().await.unwrap();
    for s in &sites {
        assert!(next.contains_key(&s.key()));
    }
}

#[test]
fn an_invalid_configuration_reports_every_problem() {
    let cfg = MonitorConfig {
        interval: Duration::ZERO,
        retention: Duration::from_secs(60),
        thresholds: Thresholds {
            warn_failure_ratio: 0.2,
            ..Thresholds::default()
        },
        ..MonitorConfig::default()
    };
    let err = cfg.validate().unwrap_err().to_string();
    assert!(err.contains("interval"), "{err}");
    assert!(err.contains("retention"), "{err}");
    assert!(err.contains("warning level"), "{err}");
}
