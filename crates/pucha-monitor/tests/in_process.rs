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
    assess, handle_job, CancellationToken, Handled, Level, MemoryStore, Monitor, MonitorConfig,
    MonitorError, Notifier, ProbeJob, Prober, Recorder, SampleStore, Thresholds, WarnKind, Warning,
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
            content: None,
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

/// A prober whose homepage shows `newest` as its latest date (or no date), always the same list.
struct Showing(HashMap<String, Option<chrono::NaiveDate>>);

#[async_trait]
impl Prober for Showing {
    async fn probe(&self, url: &Url, _timeout: Duration) -> ProbeSample {
        let newest = self.0[url.host_str().unwrap()];
        ProbeSample {
            at: Utc::now(),
            elapsed_ms: 3,
            status: Some(200),
            failure: None,
            content: Some(pucha_core::HomepageContent {
                newest,
                fingerprint: format!("{:016x}", url.host_str().unwrap().len()),
            }),
        }
    }
}

#[tokio::test]
async fn a_homepage_not_updated_for_12_days_is_warned_once_and_a_fresh_one_not() {
    let today = pucha_crawl::today_cst();
    let sites = vec![site("stale.example"), site("fresh.example")];
    let prober = Arc::new(Showing(HashMap::from([
        (
            "stale.example".to_string(),
            Some(today - chrono::Duration::days(12)),
        ),
        (
            "fresh.example".to_string(),
            Some(today - chrono::Duration::days(3)),
        ),
    ])));
    let store = Arc::new(MemoryStore::new());
    let notes = Arc::new(Recording::default());
    let cfg = MonitorConfig {
        interval: Duration::from_millis(30),
        ..MonitorConfig::default()
    };
    let monitor = Monitor::new(cfg, sites.clone(), store.clone(), prober, notes.clone()).unwrap();
    let stop = CancellationToken::new();
    let task = tokio::spawn(monitor.run(stop.clone()));
    let (from, far) = (
        Utc::now() - chrono::Duration::days(1),
        Utc::now() + chrono::Duration::days(1),
    );
    for _ in 0..600 {
        if store.load(&sites[0].key(), from, far).await.unwrap().len() >= 10 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.cancel();
    task.await.unwrap().unwrap();

    let stored = store.load(&sites[0].key(), from, far).await.unwrap();
    assert!(stored.len() >= 10, "{}", stored.len());
    let notes = notes.0.lock().unwrap().clone();
    // Ten probes saw the stale homepage: one warning for the episode, none for the fresh one.
    assert_eq!(notes.len(), 1, "{notes:?}");
    let w = &notes[0];
    assert_eq!(w.kind, "homepage_not_updated");
    assert_eq!(w.site_key, sites[0].key());
    assert_eq!(w.level, Level::Warning);
    assert_eq!(w.age_days, Some(12));
    assert_eq!(w.newest_content, Some(today - chrono::Duration::days(12)));
    assert_eq!(w.stale_after_days, Some(10));
    assert!(w.text.contains("首页不更新"), "{}", w.text);
    let st = store
        .warn_state(&sites[0].key(), WarnKind::HomepageNotUpdated)
        .await
        .unwrap();
    assert_eq!(st.map(|s| s.level), Some(Level::Warning));
    // The availability state is apart: a healthy site has none.
    assert_eq!(
        store
            .warn_state(&sites[0].key(), WarnKind::Availability)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn an_undated_homepage_unchanged_for_the_period_is_warned_and_an_update_rearms_it() {
    let store: Arc<MemoryStore> = Arc::new(MemoryStore::new());
    let notes = Arc::new(Recording::default());
    let recorder = Recorder::new(MonitorConfig::default(), store.clone(), notes.clone()).unwrap();
    let s = site("nav.example");
    let key = s.key();
    let now = Utc::now();
    let page = |hours_ago: i64, fp: &str| ProbeSample {
        at: now - chrono::Duration::hours(hours_ago),
        elapsed_ms: 4,
        status: Some(200),
        failure: None,
        content: Some(pucha_core::HomepageContent {
            newest: None,
            fingerprint: fp.to_string(),
        }),
    };
    // Every 12 hours for 9 days: the same page; not yet at 10 days.
    for h in (0..=18).rev().map(|i| 36 + i * 12) {
        recorder
            .record(&key, &s, &page(h, "aaaa"), true)
            .await
            .unwrap();
    }
    assert!(notes.0.lock().unwrap().is_empty());
    // 10 days and more unchanged: warned, once.
    for h in [24, 12, 0] {
        recorder
            .record(&key, &s, &page(h, "aaaa"), true)
            .await
            .unwrap();
    }
    {
        let n = notes.0.lock().unwrap();
        assert_eq!(n.len(), 1, "{n:?}");
        assert_eq!(n[0].kind, "homepage_not_updated");
        assert_eq!(n[0].basis, Some(pucha_monitor::Basis::Fingerprint));
        assert_eq!(n[0].newest_content, None);
    }
    // The page changed: the episode ends and the warning is armed again.
    let r = recorder
        .record(
            &key,
            &s,
            &ProbeSample {
                at: now + chrono::Duration::minutes(1),
                ..page(0, "bbbb")
            },
            true,
        )
        .await
        .unwrap();
    assert!(!r.freshness.unwrap().stale);
    assert_eq!(
        store
            .warn_state(&key, WarnKind::HomepageNotUpdated)
            .await
            .unwrap(),
        None
    );
    assert_eq!(notes.0.lock().unwrap().len(), 1);
}

fn job(s: &Site, slot: chrono::DateTime<Utc>, slot_len: chrono::Duration) -> ProbeJob {
    ProbeJob {
        site_key: s.key(),
        site: s.clone(),
        slot,
        not_after: slot + slot_len,
    }
}

#[tokio::test]
async fn a_probe_job_past_its_slot_is_dropped_and_a_slot_gets_one_sample() {
    let store = Arc::new(MemoryStore::new());
    let recorder = Recorder::new(
        MonitorConfig::default(),
        store.clone(),
        Arc::new(Recording::default()),
    )
    .unwrap();
    let prober = Scripted {
        counts: Mutex::default(),
        total: AtomicU64::new(0),
    };
    let s = site("good.example");
    let now = Utc::now();
    let (from, far) = (
        now - chrono::Duration::days(1),
        now + chrono::Duration::days(1),
    );
    let metrics = pucha_metrics::metrics();
    let expired_before = metrics
        .probe_jobs_dropped(pucha_metrics::ProbeDrop::Expired)
        .get();

    // Sat in the queue past its slot: not probed, nothing stored, counted.
    let late = job(
        &s,
        now - chrono::Duration::minutes(31),
        chrono::Duration::minutes(30),
    );
    assert_eq!(
        handle_job(&recorder, &prober, &late).await.unwrap(),
        Handled::Expired
    );
    assert_eq!(prober.total.load(Ordering::SeqCst), 0);
    assert!(store.load(&s.key(), from, far).await.unwrap().is_empty());
    assert!(
        metrics
            .probe_jobs_dropped(pucha_metrics::ProbeDrop::Expired)
            .get()
            > expired_before
    );

    // Within its slot: probed; delivered again (a redelivery): not probed nor stored again.
    let current = job(
        &s,
        now - chrono::Duration::minutes(1),
        chrono::Duration::minutes(30),
    );
    assert_eq!(
        handle_job(&recorder, &prober, &current).await.unwrap(),
        Handled::Probed
    );
    assert_eq!(
        handle_job(&recorder, &prober, &current).await.unwrap(),
        Handled::Duplicate
    );
    assert_eq!(prober.total.load(Ordering::SeqCst), 1);
    assert_eq!(store.load(&s.key(), from, far).await.unwrap().len(), 1);
    // The store refuses a second sample for a taken slot even when asked directly.
    let again = ProbeSample {
        at: Utc::now(),
        elapsed_ms: 1,
        status: Some(200),
        failure: None,
        content: None,
    };
    assert!(!store
        .append_for_slot(
            &s.key(),
            current.slot,
            &again,
            from,
            Duration::from_secs(60)
        )
        .await
        .unwrap());
    assert_eq!(store.load(&s.key(), from, far).await.unwrap().len(), 1);
}
