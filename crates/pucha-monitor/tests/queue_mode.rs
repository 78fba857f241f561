//! Queue mode against the real RabbitMQ (127.0.0.1:5672) and Redis (127.0.0.1:6379): one
//! scheduler publishes probe jobs, two probe consumers probe loopback homepages with the
//! crawler's probe and store the samples; a restarted scheduler resumes the stored schedule;
//! a job past its slot is dropped, and a slot never gets two samples.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use pucha_core::{Category, ProbeSample, Site};
use pucha_metrics::{metrics, ProbeDrop};
use pucha_monitor::redis::aio::ConnectionManager;
use pucha_monitor::{
    run_prober, AmqpProbeQueue, CancellationToken, Monitor, MonitorConfig, MonitorError, ProbeJob,
    ProbeQueue, Prober, Recorder, RedisStore, SampleStore, WebhookNotifier,
};

use common::{page_server, webhook_server};
use url::Url;

const REDIS_URL: &str = "redis://127.0.0.1:6379";
const AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
const HOW_TO_START: &str = "this test needs RabbitMQ on 127.0.0.1:5672 (guest/guest) and Redis \
on 127.0.0.1:6379: start them with `rabbitmq-server -detached` and `redis-server --daemonize yes \
--bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no --dir /var/lib/redis --logfile \
/var/log/redis/ci.log`, or set PUCHA_SKIP_SERVICES=1 to skip it";

/// Redis and a probe-queue publisher under `prefix`, or None (skipped) / a panic saying how
/// to start the services.
async fn services(prefix: &str) -> Option<(ConnectionManager, AmqpProbeQueue)> {
    let redis = async {
        let client = pucha_monitor::redis::Client::open(REDIS_URL)?;
        tokio::time::timeout(Duration::from_secs(5), ConnectionManager::new(client))
            .await
            .map_err(|_| {
                pucha_monitor::redis::RedisError::from(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "connect timed out",
                ))
            })?
    }
    .await;
    let queue = AmqpProbeQueue::connect(
        AmqpProbeQueue::config(AMQP_URL, prefix, 8),
        Duration::from_secs(3),
    )
    .await;
    match (redis, queue) {
        (Ok(r), Ok(q)) => Some((r, q)),
        (r, q) => {
            if std::env::var("PUCHA_SKIP_SERVICES").as_deref() == Ok("1") {
                eprintln!("skipped: RabbitMQ or Redis is not running (PUCHA_SKIP_SERVICES=1)");
                return None;
            }
            panic!(
                "{HOW_TO_START}\nredis: {:?}\nrabbitmq: {:?}",
                r.err(),
                q.err()
            );
        }
    }
}

/// A homepage on loopback whose newest news item is `days_ago` days old; counts requests.
async fn homepage(days_ago: i64) -> (String, Arc<AtomicU64>) {
    let today = pucha_crawl::today_cst();
    let items: String = [days_ago, days_ago + 5]
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let date = today - chrono::Duration::days(*d);
            format!("<li><a href=\"/xwzx/t{i}.html\">政务动态第{i}条</a><span>{date}</span></li>")
        })
        .collect();
    page_server(format!(
        "<html><head><meta charset=\"utf-8\"><title>某县人民政府</title></head><body>\
         <div class=\"news\"><h3>政务动态</h3><ul>{items}</ul></div></body></html>"
    ))
    .await
}

/// Forwards to the real queue and remembers every published job.
struct Recording {
    queue: AmqpProbeQueue,
    jobs: Mutex<Vec<ProbeJob>>,
}

#[async_trait]
impl ProbeQueue for Recording {
    async fn publish(&self, job: &ProbeJob) -> Result<(), MonitorError> {
        self.queue.publish(job).await?;
        self.jobs.lock().unwrap().push(job.clone());
        Ok(())
    }
}

impl Recording {
    fn new(queue: AmqpProbeQueue) -> Arc<Recording> {
        Arc::new(Recording {
            queue,
            jobs: Mutex::new(Vec::new()),
        })
    }
    fn jobs(&self) -> Vec<ProbeJob> {
        self.jobs.lock().unwrap().clone()
    }
}

/// The crawler's probe, counted per consumer.
struct Counting {
    crawler: Arc<pucha_crawl::Crawler>,
    probes: AtomicU64,
}

#[async_trait]
impl Prober for Counting {
    async fn probe(&self, url: &Url, timeout: Duration) -> ProbeSample {
        self.probes.fetch_add(1, Ordering::SeqCst);
        self.crawler.probe(url, timeout).await
    }
}

fn site(name: &str, url: &str) -> Site {
    Site {
        name: name.to_string(),
        url: Url::parse(url).unwrap(),
        category: Category::CountyPortal,
        site_code: None,
        sponsor: None,
    }
}

fn dropped() -> u64 {
    ProbeDrop::ALL
        .iter()
        .map(|r| metrics().probe_jobs_dropped(*r).get())
        .sum()
}

/// Waits until `cond` holds; the bound guards against a hang only.
async fn until<F: std::future::Future<Output = bool>>(what: &str, mut cond: impl FnMut() -> F) {
    for _ in 0..1200 {
        if cond().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("gave up waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_scheduler_and_two_probe_consumers_share_the_probes_without_duplicates() {
    let prefix = format!(
        "pucha-test-monitor-queue-{}-{}",
        std::process::id(),
        Utc::now().timestamp_subsec_nanos()
    );
    let Some((mut conn, publisher)) = services(&prefix).await else {
        return;
    };
    let store = Arc::new(RedisStore::new(conn.clone(), prefix.clone()));
    let (hook_url, hooks) = webhook_server().await;
    let mut servers = Vec::new();
    let mut sites = Vec::new();
    for (i, days) in [1, 2, 12].into_iter().enumerate() {
        let (url, hits) = homepage(days).await;
        sites.push(site(&format!("第{i}县政府（{days}天前更新）"), &url));
        servers.push(hits);
    }
    let keys: Vec<String> = sites.iter().map(Site::key).collect();
    let interval = Duration::from_secs(1);
    let cfg = MonitorConfig {
        interval,
        ..MonitorConfig::default()
    };
    let mut crawl = pucha_core::CrawlConfig::default();
    crawl.egress.loopback_only = true;
    let crawler = Arc::new(pucha_crawl::Crawler::new(&crawl).unwrap());
    let notifier = Arc::new(WebhookNotifier::new(Url::parse(&hook_url).unwrap()).unwrap());
    let dropped_before = dropped();

    // Two probe consumers, each with its own connection.
    let consumers_stop = CancellationToken::new();
    let mut consumers = Vec::new();
    let mut counters = Vec::new();
    for _ in 0..2 {
        let q = AmqpProbeQueue::connect(
            AmqpProbeQueue::config(AMQP_URL, &prefix, 4),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
        let prober = Arc::new(Counting {
            crawler: crawler.clone(),
            probes: AtomicU64::new(0),
        });
        counters.push(prober.clone());
        let recorder =
            Arc::new(Recorder::new(cfg.clone(), store.clone(), notifier.clone()).unwrap());
        consumers.push(tokio::spawn(run_prober(
            q,
            recorder,
            prober,
            4,
            consumers_stop.clone(),
        )));
    }

    // The scheduler publishes; it never probes (its own prober would count into no server).
    let first = Recording::new(publisher.clone());
    let scheduler = Monitor::new(
        cfg.clone(),
        sites.clone(),
        store.clone(),
        crawler.clone(),
        notifier.clone(),
    )
    .unwrap()
    .with_queue(first.clone());
    let stop = CancellationToken::new();
    let run = tokio::spawn(scheduler.run(stop.clone()));
    // The waits below take copies of these references.
    let (keys, store) = (&keys, &store);
    let (from, far) = (
        Utc::now() - chrono::Duration::days(1),
        Utc::now() + chrono::Duration::days(1),
    );
    until("5 samples of every site", || async move {
        for k in keys {
            if store.load(k, from, far).await.unwrap().len() < 5 {
                return false;
            }
        }
        true
    })
    .await;
    stop.cancel();
    run.await.unwrap().unwrap();

    // Restart: the new scheduler resumes the stored schedule instead of starting afresh.
    // A stored time within the next interval is kept. The stored times are moved to one
    // instant here, no earlier than any of them (so no slot of the first scheduler is cut)
    // and far enough ahead to still be in the future when the new scheduler starts.
    let stored = store.schedule().await.unwrap();
    for k in keys {
        assert!(stored.contains_key(k), "no stored next probe for {k}");
    }
    // (The schedule is stored in whole milliseconds.)
    let soon = DateTime::from_timestamp_millis(Utc::now().timestamp_millis() + 500).unwrap();
    let resume_at = stored.values().copied().max().unwrap().max(soon);
    for k in keys {
        store.set_next(k, resume_at).await.unwrap();
    }
    let second = Recording::new(publisher.clone());
    let scheduler = Monitor::new(
        cfg.clone(),
        sites.clone(),
        store.clone(),
        crawler.clone(),
        notifier.clone(),
    )
    .unwrap()
    .with_queue(second.clone());
    let stop = CancellationToken::new();
    let run = tokio::spawn(scheduler.run(stop.clone()));
    let second_ref = &second;
    until(
        "a job of every site from the restarted scheduler",
        || async move {
            let jobs = second_ref.jobs();
            keys.iter().all(|k| jobs.iter().any(|j| &j.site_key == k))
        },
    )
    .await;
    stop.cancel();
    run.await.unwrap().unwrap();
    let resumed = second.jobs();
    for k in keys {
        let first_slot = resumed.iter().find(|j| &j.site_key == k).unwrap().slot;
        assert_eq!(
            first_slot, resume_at,
            "site {k} did not resume its schedule"
        );
    }
    // The scheduler exports the per-site series from the stored samples.
    let text = metrics().render();
    let stale_flag = format!("pucha_site_homepage_stale{{site=\"{}\"}} 1", keys[2]);
    assert!(text.contains(&stale_flag), "{stale_flag} not in the scrape");

    // Every published job ends as a stored sample or a counted drop.
    let mut jobs = first.jobs();
    jobs.extend(second.jobs());
    let published = jobs.len() as u64;
    until("every published job handled", || async move {
        let mut samples = 0;
        for k in keys {
            samples += store.load(k, from, far).await.unwrap().len() as u64;
        }
        samples + (dropped() - dropped_before) == published
    })
    .await;

    // Both consumers probed; each probe reached its site once and was stored once.
    for (i, c) in counters.iter().enumerate() {
        assert!(
            c.probes.load(Ordering::SeqCst) > 0,
            "consumer {i} never probed"
        );
    }
    for (k, hits) in keys.iter().zip(&servers) {
        let samples = store.load(k, from, far).await.unwrap();
        assert!(samples.len() >= 5, "{k}: {}", samples.len());
        assert_eq!(samples.len() as u64, hits.load(Ordering::SeqCst), "{k}");
        // One sample per slot at most, each inside the slot of a job published for it.
        let slots: Vec<(DateTime<Utc>, DateTime<Utc>)> = jobs
            .iter()
            .filter(|j| &j.site_key == k)
            .map(|j| (j.slot, j.not_after))
            .collect();
        let mut per_slot: HashMap<DateTime<Utc>, u32> = HashMap::new();
        for s in &samples {
            let inside: Vec<_> = slots
                .iter()
                .filter(|(a, b)| *a <= s.at && s.at < *b)
                .collect();
            assert_eq!(
                inside.len(),
                1,
                "{k}: sample at {} in {} slots",
                s.at,
                inside.len()
            );
            *per_slot.entry(inside[0].0).or_default() += 1;
        }
        assert!(per_slot.values().all(|n| *n == 1), "{k}: {per_slot:?}");
    }

    // The homepage not updated for 12 days was warned once, by whichever consumer saw it.
    let homepage_hooks: Vec<_> = hooks
        .lock()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] == "homepage_not_updated")
        .cloned()
        .collect();
    assert_eq!(homepage_hooks.len(), 1, "{homepage_hooks:?}");
    assert_eq!(homepage_hooks[0]["site_key"], keys[2].as_str());

    // A job that sat in the queue past its slot is dropped, not probed; a job delivered
    // twice (as after a consumer died before its ack) gives one sample.
    let expired_before = metrics().probe_jobs_dropped(ProbeDrop::Expired).get();
    let duplicate_before = metrics().probe_jobs_dropped(ProbeDrop::Duplicate).get();
    let hits_before: Vec<u64> = servers.iter().map(|h| h.load(Ordering::SeqCst)).collect();
    let samples_before = store.load(&keys[0], from, far).await.unwrap().len();
    let now = Utc::now();
    let late = ProbeJob {
        site_key: keys[1].clone(),
        site: sites[1].clone(),
        slot: now - chrono::Duration::seconds(60),
        not_after: now - chrono::Duration::seconds(30),
    };
    let twice = ProbeJob {
        site_key: keys[0].clone(),
        site: sites[0].clone(),
        slot: now,
        not_after: now + chrono::Duration::minutes(10),
    };
    publisher.publish(&late).await.unwrap();
    publisher.publish(&twice).await.unwrap();
    publisher.publish(&twice).await.unwrap();
    until("the late and the repeated job dropped", || async move {
        metrics().probe_jobs_dropped(ProbeDrop::Expired).get() > expired_before
            && metrics().probe_jobs_dropped(ProbeDrop::Duplicate).get() > duplicate_before
    })
    .await;
    until("the repeated job's sample stored", || async move {
        store.load(&keys[0], from, far).await.unwrap().len() > samples_before
    })
    .await;
    assert_eq!(
        metrics().probe_jobs_dropped(ProbeDrop::Expired).get(),
        expired_before + 1
    );
    assert_eq!(
        store.load(&keys[0], from, far).await.unwrap().len(),
        samples_before + 1
    );
    assert_eq!(
        servers[1].load(Ordering::SeqCst),
        hits_before[1],
        "the late job was probed"
    );

    consumers_stop.cancel();
    for c in consumers {
        c.await.unwrap().unwrap();
    }
    publisher.inner().delete_queues(&[]).await.unwrap();
    let keys: Vec<String> = pucha_monitor::redis::cmd("KEYS")
        .arg(format!("{prefix}:*"))
        .query_async(&mut conn)
        .await
        .unwrap();
    if !keys.is_empty() {
        pucha_monitor::redis::cmd("DEL")
            .arg(&keys)
            .query_async::<()>(&mut conn)
            .await
            .unwrap();
    }
}
