//! Redis losing its data mid-run, against a private `redis-server` (killed and restarted
//! without persistence) and the real RabbitMQ: the coordinator notices the run vanished,
//! re-creates it and re-publishes its jobs; workers never hot-loop on a store that cannot
//! take their results, and a job given up while the store is unreachable really lands in
//! the dead-letter queue.

mod common;

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use common::*;
use pucha_cluster::coordinator::{drive_run, publish_run};
use pucha_cluster::drill::DrillProcessor;
use pucha_cluster::queue::JobQueue;
use pucha_cluster::store::ResultStore;
use pucha_cluster::worker::{run_worker, MAX_STORE_WAITS};
use pucha_cluster::{RedisStore, StoreError};
use pucha_core::{CrawlConfig, Report, Run, Site, SiteResult};
use tokio_util::sync::CancellationToken;

/// Every log line of this test binary (WARN and above of pucha-cluster), for assertions.
fn logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf: Arc<Mutex<Vec<u8>>> = Arc::default();
        let writer = Capture(buf.clone());
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("pucha_cluster=info"))
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init();
        buf
    })
}

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn log_text() -> String {
    String::from_utf8_lossy(&logs().lock().unwrap()).into_owned()
}

/// A `redis-server` of this test on a free loopback port, without persistence.
struct PrivateRedis {
    port: u16,
    child: Child,
    dir: tempfile::TempDir,
}

impl PrivateRedis {
    fn start() -> PrivateRedis {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let child = spawn_redis(port, dir.path());
        let r = PrivateRedis { port, child, dir };
        r.wait_up();
        r
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn wait_up(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL, then a fresh server on the same port: every key is gone.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn restart_empty(&mut self) {
        self.child = spawn_redis(self.port, self.dir.path());
        self.wait_up();
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_redis(port: u16, dir: &std::path::Path) -> Child {
    Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect(
            "this test starts its own redis-server: install it (`apt-get install -y redis-server`)",
        )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_losing_its_data_mid_run_is_detected_and_the_run_still_finishes() {
    logs();
    let Some(mut env) = env("loss").await else {
        return;
    };
    let mut redis = PrivateRedis::start();
    let store = Arc::new(
        RedisStore::connect(&redis.url(), &format!("{}:", env.prefix))
            .await
            .unwrap(),
    );
    let sites: Vec<Site> = (0..24).map(|i| site(i, "[sleep=150]")).collect();
    let run = run("r-loss", sites.len());
    let m = pucha_metrics::metrics();
    let (recreated0, requeued0, errors0) = (
        m.runs_recreated.get(),
        m.jobs_requeued.get(),
        m.store_errors.get(),
    );

    let p = Arc::new(DrillProcessor::new());
    let mut workers = Vec::new();
    for name in ["w1", "w2"] {
        let queue = env.queue(name).await;
        let stop = CancellationToken::new();
        let (q, s, p, stop2) = (queue.clone(), store.clone(), p.clone(), stop.clone());
        let mut cfg = worker_config(name);
        cfg.concurrency = 2;
        workers.push((
            queue,
            stop,
            tokio::spawn(async move {
                run_worker(Arc::new(q.clone()), s, p, cfg, stop2)
                    .await
                    .unwrap();
                q.disconnect().await;
            }),
        ));
    }
    for ms in [200u64, 400, 800, 1600, 3200, 6400, 12800, 25600] {
        env.uses_delay(Duration::from_millis(ms));
    }
    env.uses_delay(Duration::from_millis(1500));

    let coordinator = env.queue("coordinator").await;
    publish_run(
        &coordinator,
        store.as_ref(),
        &run,
        &sites,
        &CrawlConfig::default(),
    )
    .await
    .unwrap();
    let drive = {
        let (q, s, run) = (coordinator.clone(), store.clone(), run.clone());
        tokio::spawn(async move {
            drive_run(
                Arc::new(q) as Arc<dyn JobQueue>,
                s as Arc<dyn ResultStore>,
                &run,
                &CrawlConfig::default(),
                &coordinator_config(),
                CancellationToken::new(),
                |_| {},
            )
            .await
        })
    };

    // Mid-run: some results stored, most not.
    let deadline = Instant::now() + Duration::from_secs(60);
    while store.result_count(&run.id).await.unwrap() < 4 {
        assert!(Instant::now() < deadline, "no progress before the loss");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before_loss = store.result_count(&run.id).await.unwrap();
    assert!(before_loss < sites.len(), "the run must still be going");
    redis.kill();
    tokio::time::sleep(Duration::from_secs(2)).await;
    redis.restart_empty();

    let report: Report = match tokio::time::timeout(Duration::from_secs(150), drive).await {
        Ok(r) => r.unwrap().expect("the run finishes"),
        Err(_) => panic!(
            "the run did not finish after Redis lost its data: {}/{} results\n{}",
            store.result_count(&run.id).await.unwrap_or(0),
            sites.len(),
            log_text()
        ),
    };
    for (queue, stop, task) in workers {
        stop.cancel();
        queue.close().await;
        let _ = task.await;
    }
    assert_one_result_per_site(&report, &sites);
    assert_eq!(report.summary.errors, 0, "no site ended as an error");
    let log = log_text();
    assert!(
        log.contains(
            "run r-loss vanished from the store (Redis lost its data?); re-created it and re-published"
        ),
        "the coordinator says what happened:\n{log}"
    );
    assert!(m.runs_recreated.get() > recreated0, "runs_recreated_total");
    // Whether a worker met the store without the run (and counted it) depends on who
    // reconnected first; the dead-letter test below checks the counting itself.
    eprintln!(
        "store errors {}, hand-backs {}",
        m.store_errors.get() - errors0,
        m.jobs_requeued.get() - requeued0
    );
    // No hot loop: a few hand-backs per site at most, not thousands.
    let requeued = m.jobs_requeued.get() - requeued0;
    assert!(
        requeued < 10 * sites.len() as u64,
        "{requeued} hand-backs for {} sites",
        sites.len()
    );
    assert!(
        p.total_started() < 4 * sites.len() as u32,
        "{} checks started",
        p.total_started()
    );
    assert_eq!(
        env.queue("probe").await.dead_letter_count().await.unwrap(),
        0,
        "nothing dead-lettered"
    );
    drop(redis);
    env.cleanup().await;
}

/// A store that can never be reached.
struct Unreachable;

fn down() -> StoreError {
    StoreError::Connection("redis://127.0.0.1:1/: connection refused".into())
}

#[async_trait]
impl ResultStore for Unreachable {
    async fn create_run(&self, _: &Run, _: &[Site]) -> Result<(), StoreError> {
        Err(down())
    }
    async fn run(&self, _: &str) -> Result<Option<Run>, StoreError> {
        Err(down())
    }
    async fn update_run(&self, _: &Run) -> Result<(), StoreError> {
        Err(down())
    }
    async fn sites(&self, _: &str) -> Result<Vec<Site>, StoreError> {
        Err(down())
    }
    async fn put_result(&self, _: &str, _: &SiteResult) -> Result<(), StoreError> {
        Err(down())
    }
    async fn has_result(&self, _: &str, _: &str) -> Result<bool, StoreError> {
        Err(down())
    }
    async fn results(&self, _: &str) -> Result<Vec<SiteResult>, StoreError> {
        Err(down())
    }
    async fn done_keys(&self, _: &str) -> Result<std::collections::HashSet<String>, StoreError> {
        Err(down())
    }
    async fn list_runs(&self) -> Result<Vec<Run>, StoreError> {
        Err(down())
    }
    async fn delete_run(&self, _: &str) -> Result<bool, StoreError> {
        Err(down())
    }
    async fn lease(&self, _: &str, _: &str, _: &str, _: Duration) -> Result<bool, StoreError> {
        Err(down())
    }
    async fn release_lease(&self, _: &str, _: &str, _: &str) -> Result<(), StoreError> {
        Err(down())
    }
    async fn is_leased(&self, _: &str, _: &str) -> Result<bool, StoreError> {
        Err(down())
    }
    async fn count_take(&self, _: &str, _: &str) -> Result<u32, StoreError> {
        Err(down())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_the_store_never_takes_is_dead_lettered_after_bounded_delayed_requeues() {
    logs();
    let Some(mut env) = env("unreachable").await else {
        return;
    };
    let queue = env.queue("w").await;
    let mut cfg = worker_config("w");
    cfg.retry_backoff = Duration::from_millis(20);
    for n in 0..MAX_STORE_WAITS {
        env.uses_delay(pucha_cluster::worker::store_delay(cfg.retry_backoff, n));
    }
    let job = pucha_cluster::coordinator::job_for(
        &run("r-unreachable", 1),
        &site(1, ""),
        &CrawlConfig::default(),
    );
    queue.publish(&job).await.unwrap();
    let stop = CancellationToken::new();
    let m = pucha_metrics::metrics();
    let requeued0 = m.jobs_requeued.get();
    let dead0 = m.jobs_dead_lettered.get();
    let started = Instant::now();
    let worker = tokio::spawn({
        let (q, stop) = (queue.clone(), stop.clone());
        async move {
            run_worker(
                Arc::new(q),
                Arc::new(Unreachable),
                Arc::new(DrillProcessor::new()),
                cfg,
                stop,
            )
            .await
            .unwrap()
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while queue.dead_letter_count().await.unwrap() == 0 {
        assert!(
            Instant::now() < deadline,
            "the job never reached the dead-letter queue"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The delays add up (20 ms doubled 8 times: 5.1 s): handed back with a wait each time.
    assert!(started.elapsed() >= Duration::from_secs(5), "no hot loop");
    stop.cancel();
    queue.close().await;
    let _ = worker.await;
    // (The counters are shared with the other test of this binary: at least this job's.)
    assert!(
        m.jobs_requeued.get() - requeued0 >= u64::from(MAX_STORE_WAITS),
        "hand-backs are counted"
    );
    assert!(m.jobs_dead_lettered.get() > dead0);
    let dead = queue.drain_dead_letters().await.unwrap();
    assert_eq!(dead.len(), 1, "the dead-letter queue holds the job");
    let reason = dead[0].1.clone().unwrap_or_default();
    assert!(
        reason.contains("the result store could not be used")
            && reason.contains("the error result could not be stored"),
        "{reason}"
    );
    let dead_job: pucha_core::Job = serde_json::from_slice(&dead[0].0).unwrap();
    assert_eq!(dead_job.site, job.site);
    assert_eq!(dead_job.store_waits, MAX_STORE_WAITS, "bounded hand-backs");
    env.cleanup().await;
}
