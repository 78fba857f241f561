//! Shared helpers of the tests against the real RabbitMQ and Redis.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use pucha_cluster::coordinator::{drive_run, publish_run, CoordinatorConfig};
use pucha_cluster::drill::DrillProcessor;
use pucha_cluster::queue::JobQueue;
use pucha_cluster::store::ResultStore;
use pucha_cluster::worker::{run_worker, WorkerConfig};
use pucha_cluster::{AmqpConfig, AmqpQueue, RedisStore};
use pucha_core::{Category, CrawlConfig, ExecMode, Report, Run, Site};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub const AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
pub const REDIS_URL: &str = "redis://127.0.0.1:6379/";

const HOW_TO_START: &str =
    "these tests need RabbitMQ on 127.0.0.1:5672 (guest/guest) and Redis on \
127.0.0.1:6379: start them with `rabbitmq-server -detached` and `redis-server --daemonize yes \
--bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no --dir /var/lib/redis --logfile \
/var/log/redis/ci.log`, or set PUCHA_SKIP_SERVICES=1 to skip them";

/// One test's isolated queues and keys.
pub struct Env {
    pub prefix: String,
    pub store: Arc<RedisStore>,
    queues: Vec<AmqpQueue>,
    retry_delays: Vec<Duration>,
}

/// Connects to both services, or returns `None` (skip) / panics with how to start them.
pub async fn env(test: &str) -> Option<Env> {
    if let Ok(filter) = std::env::var("PUCHA_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let prefix = format!("pucha-test-{test}-{}-{nanos}", std::process::id());
    let store = RedisStore::connect(REDIS_URL, &format!("{prefix}:")).await;
    let probe = AmqpQueue::connect(
        AmqpConfig::new(AMQP_URL, &format!("{prefix}-probe")),
        Duration::from_secs(3),
    )
    .await;
    match (store, probe) {
        (Ok(store), Ok(probe)) => {
            probe.delete_queues(&[]).await.unwrap();
            probe.disconnect().await;
            Some(Env {
                prefix,
                store: Arc::new(store),
                queues: Vec::new(),
                retry_delays: Vec::new(),
            })
        }
        (s, q) => {
            if std::env::var("PUCHA_SKIP_SERVICES").as_deref() == Ok("1") {
                eprintln!(
                    "skipped {test}: RabbitMQ or Redis is not running (PUCHA_SKIP_SERVICES=1)"
                );
                return None;
            }
            panic!(
                "{HOW_TO_START}\nredis: {:?}\nrabbitmq: {:?}",
                s.err(),
                q.err()
            );
        }
    }
}

impl Env {
    pub fn amqp_config(&self, name: &str) -> AmqpConfig {
        let mut cfg = AmqpConfig::new(AMQP_URL, &self.prefix);
        cfg.connection_name = format!("{}-{name}", self.prefix);
        cfg.prefetch = 4;
        cfg.publish_patience = Duration::from_secs(60);
        cfg
    }

    /// A new connection (one per worker, as separate processes would have).
    pub async fn queue(&mut self, name: &str) -> AmqpQueue {
        let q = AmqpQueue::connect(self.amqp_config(name), Duration::from_secs(10))
            .await
            .expect("connect to RabbitMQ");
        self.queues.push(q.clone());
        q
    }

    /// Retry queues a test used (so cleanup deletes them).
    pub fn uses_delay(&mut self, d: Duration) {
        self.retry_delays.push(d);
    }

    pub async fn cleanup(self) {
        if let Some(q) = self.queues.first() {
            let _ = q.delete_queues(&self.retry_delays).await;
        }
        for q in &self.queues {
            q.disconnect().await;
        }
        self.store.purge_prefix().await.expect("purge test keys");
    }
}

pub fn worker_config(name: &str) -> WorkerConfig {
    WorkerConfig {
        concurrency: 4,
        memory_budget: 0,
        max_attempts: 3,
        max_takes: 6,
        retry_backoff: Duration::from_millis(200),
        lease_ttl: Duration::from_millis(1500),
        holder: name.to_string(),
        grace: Duration::from_secs(5),
    }
}

/// A running worker: its queue, its stop switch and its task.
pub struct Worker {
    pub queue: AmqpQueue,
    pub stop: CancellationToken,
    pub task: JoinHandle<()>,
}

pub async fn start_worker(
    env: &mut Env,
    name: &str,
    processor: Arc<DrillProcessor>,
    cfg: WorkerConfig,
) -> Worker {
    let queue = env.queue(name).await;
    let stop = CancellationToken::new();
    let task = tokio::spawn({
        let (q, s, stop) = (queue.clone(), env.store.clone(), stop.clone());
        async move {
            run_worker(Arc::new(q.clone()), s, processor, cfg, stop)
                .await
                .expect("worker loop");
            q.disconnect().await;
        }
    });
    Worker { queue, stop, task }
}

impl Worker {
    pub async fn stop(self) {
        self.stop.cancel();
        self.queue.close().await;
        let _ = self.task.await;
    }
}

pub fn site(i: usize, name: &str) -> Site {
    Site {
        name: format!("site{i} {name}"),
        url: format!("http://127.0.{}.{}/", i / 250, i % 250 + 1)
            .parse()
            .unwrap(),
        category: if i.is_multiple_of(3) {
            Category::CountyPortal
        } else {
            Category::Department
        },
        site_code: None,
        sponsor: None,
    }
}

/// `n` sites; every 7th fails, the rest pass.
pub fn sites(n: usize) -> Vec<Site> {
    (0..n)
        .map(|i| site(i, if i % 7 == 3 { "[fail]" } else { "" }))
        .collect()
}

pub fn run(id: &str, n: usize) -> Run {
    Run {
        id: id.into(),
        as_of: chrono::NaiveDate::from_ymd_opt(2024, 10, 8).unwrap(),
        mode: Default::default(),
        exec: ExecMode::Distributed,
        rule_pack: "drill".into(),
        started_at: chrono::Utc::now(),
        finished_at: None,
        sites_total: n,
        pack: None,
    }
}

pub fn coordinator_config() -> CoordinatorConfig {
    CoordinatorConfig {
        poll: Duration::from_millis(200),
        sweep_every: Duration::from_secs(3),
        log_every: Duration::from_secs(2),
    }
}

/// Publishes the run and waits for it (with the sweeper), failing the test after `limit`.
pub async fn coordinate(env: &mut Env, run: &Run, sites: &[Site], limit: Duration) -> Report {
    let queue = env.queue("coordinator").await;
    publish_run(
        &queue,
        env.store.as_ref(),
        run,
        sites,
        &CrawlConfig::default(),
    )
    .await
    .expect("publish");
    drive(queue, env, run, limit).await
}

/// Waits for an already published run (with the sweeper), failing the test after `limit`.
pub async fn drive(queue: AmqpQueue, env: &Env, run: &Run, limit: Duration) -> Report {
    let sites = env.store.sites(&run.id).await.unwrap();
    let cancel = CancellationToken::new();
    let (crawl, cfg) = (CrawlConfig::default(), coordinator_config());
    let drive = drive_run(
        Arc::new(queue) as Arc<dyn JobQueue>,
        env.store.clone() as Arc<dyn ResultStore>,
        run,
        &crawl,
        &cfg,
        cancel.clone(),
        |_| {},
    );
    match tokio::time::timeout(limit, drive).await {
        Ok(r) => r.expect("run"),
        Err(_) => {
            let done = env.store.result_count(&run.id).await.unwrap();
            panic!(
                "run {} did not finish: {done}/{} results",
                run.id,
                sites.len()
            )
        }
    }
}

/// Every site of the list has exactly one result, and nothing else has one.
pub fn assert_one_result_per_site(report: &Report, sites: &[Site]) {
    let mut keys: Vec<String> = report.sites.iter().map(|r| r.site.key()).collect();
    keys.sort();
    let mut want: Vec<String> = sites.iter().map(|s| s.key()).collect();
    want.sort();
    assert_eq!(keys, want, "one result per site");
}
