//! `pucha worker` and `pucha coordinator` as processes: `/readyz` follows Redis (a private
//! `redis-server` stopped and started again), a second coordinator of a run is refused, and
//! a resume with another as-of is refused with the difference shown.

mod common;

use common::services_up;
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_pucha");
const REDIS_URL: &str = "redis://127.0.0.1:6379/";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn redis_server(port: u16, dir: &std::path::Path) -> Child {
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect(
            "this test starts its own redis-server: install it (`apt-get install -y redis-server`)",
        );
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

/// `GET path` over plain HTTP/1.0: (status, body), or `None` when nothing answers.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    let status = raw.split_whitespace().nth(1)?.parse().ok()?;
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b.to_string())?;
    Some((status, body))
}

fn wait_for(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "{what} within {limit:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn worker_readyz_is_503_while_redis_is_down_and_200_when_it_is_back() {
    if !services_up() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let redis_port = free_port();
    let mut redis = redis_server(redis_port, dir.path());
    let metrics_port = free_port();
    let prefix = format!("pucha-readyz-test-{}", std::process::id());
    let mut worker = Command::new(BIN)
        .args(["worker", "--drill", "--prefix", &prefix])
        .args(["--redis-url", &format!("redis://127.0.0.1:{redis_port}/")])
        .args(["--metrics-addr", &format!("127.0.0.1:{metrics_port}")])
        .env("PUCHA_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start pucha worker");
    let ready = |want: u16| move || get(metrics_port, "/readyz").is_some_and(|(s, _)| s == want);
    wait_for("the worker is ready", Duration::from_secs(30), ready(200));

    let _ = redis.kill();
    let _ = redis.wait();
    wait_for(
        "/readyz is 503 once Redis is stopped",
        Duration::from_secs(20),
        ready(503),
    );
    let (_, body) = get(metrics_port, "/readyz").unwrap();
    assert!(body.contains("redis unreachable"), "{body}");
    let metrics = get(metrics_port, "/metrics").unwrap().1;
    assert!(
        metrics.contains("pucha_dependency_up{dependency=\"redis\"} 0"),
        "{metrics}"
    );

    let mut redis = redis_server(redis_port, dir.path());
    wait_for(
        "/readyz is 200 again once Redis answers",
        Duration::from_secs(20),
        ready(200),
    );
    stop(&mut worker);
    let _ = redis.kill();
    let _ = redis.wait();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let cfg = pucha_cluster::AmqpConfig::new("amqp://guest:guest@127.0.0.1:5672/%2f", &prefix);
        let q = pucha_cluster::AmqpQueue::connect(cfg, Duration::from_secs(10))
            .await
            .unwrap();
        q.delete_queues(&[]).await.unwrap();
        q.disconnect().await;
    });
}

#[test]
fn a_second_coordinator_and_a_resume_with_another_as_of_are_refused() {
    if !services_up() {
        return;
    }
    let prefix = format!("pucha-lease-cli-test-{}", std::process::id());
    let dir = tempfile::tempdir().unwrap();
    let sites = dir.path().join("sites.csv");
    let mut f = std::fs::File::create(&sites).unwrap();
    writeln!(f, "name,url,category").unwrap();
    for i in 0..3 {
        writeln!(f, "site {i},http://127.0.4.{}/,department", i + 1).unwrap();
    }
    drop(f);
    let coordinator = |as_of: &str| {
        let mut c = Command::new(BIN);
        c.args(["coordinator", "--sites"])
            .arg(&sites)
            .args(["--run", "cli-lease", "--as-of", as_of, "--prefix", &prefix])
            .arg("--out")
            .arg(dir.path().join("out"))
            .env("PUCHA_LOG", "warn");
        c
    };
    // The first coordinator waits for workers that never come: it holds the run.
    let mut first = coordinator("2024-10-08")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let store = rt
        .block_on(pucha_cluster::RedisStore::connect(
            REDIS_URL,
            &format!("{prefix}:"),
        ))
        .unwrap();
    wait_for("the run is created", Duration::from_secs(30), || {
        rt.block_on(pucha_cluster::store::ResultStore::run(&store, "cli-lease"))
            .ok()
            .flatten()
            .is_some()
    });
    let second = coordinator("2024-10-08").output().unwrap();
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(!second.status.success(), "a second coordinator is refused");
    assert!(
        err.contains("run cli-lease is already coordinated by")
            && err.contains("one coordinator per run"),
        "{err}"
    );
    stop(&mut first); // releases the lease

    let other = coordinator("2025-03-01").output().unwrap();
    let err = String::from_utf8_lossy(&other.stderr);
    assert!(!other.status.success());
    assert!(
        err.contains("run cli-lease was created with as-of 2024-10-08, this start asks for 2025-03-01; start a new run or pass --replace"),
        "{err}"
    );
    // Nothing of the refused start was stored.
    let run = rt
        .block_on(pucha_cluster::store::ResultStore::run(&store, "cli-lease"))
        .unwrap()
        .unwrap();
    assert_eq!(run.as_of.to_string(), "2024-10-08");

    rt.block_on(async {
        let cfg = pucha_cluster::AmqpConfig::new("amqp://guest:guest@127.0.0.1:5672/%2f", &prefix);
        let q = pucha_cluster::AmqpQueue::connect(cfg, Duration::from_secs(10))
            .await
            .unwrap();
        q.delete_queues(&[]).await.unwrap();
        q.disconnect().await;
        store.purge_prefix().await.unwrap();
    });
}

#[test]
fn the_coordinator_outlives_a_redis_outage_and_re_creates_its_lost_run() {
    if !services_up() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let redis_port = free_port();
    let redis_url = format!("redis://127.0.0.1:{redis_port}/");
    let mut redis = redis_server(redis_port, dir.path());
    let metrics_port = free_port();
    let prefix = format!("pucha-loss-cli-test-{}", std::process::id());
    let sites = dir.path().join("sites.csv");
    let mut f = std::fs::File::create(&sites).unwrap();
    writeln!(f, "name,url,category").unwrap();
    for i in 0..3 {
        writeln!(f, "site {i},http://127.0.7.{}/,department", i + 1).unwrap();
    }
    drop(f);
    // No workers: the coordinator waits, holding the run.
    let mut coordinator = Command::new(BIN)
        .args(["coordinator", "--sites"])
        .arg(&sites)
        .args([
            "--run",
            "cli-loss",
            "--as-of",
            "2024-10-08",
            "--prefix",
            &prefix,
        ])
        .args(["--redis-url", &redis_url])
        .args(["--metrics-addr", &format!("127.0.0.1:{metrics_port}")])
        .arg("--out")
        .arg(dir.path().join("out"))
        .env("PUCHA_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let ready = |want: u16| move || get(metrics_port, "/readyz").is_some_and(|(s, _)| s == want);
    wait_for(
        "the coordinator is ready",
        Duration::from_secs(30),
        ready(200),
    );

    let _ = redis.kill();
    let _ = redis.wait();
    wait_for(
        "/readyz is 503 without Redis",
        Duration::from_secs(20),
        ready(503),
    );
    assert!(get(metrics_port, "/readyz")
        .unwrap()
        .1
        .contains("redis unreachable"));
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        coordinator.try_wait().unwrap().is_none(),
        "the coordinator waits for Redis instead of exiting"
    );

    // Redis comes back empty: the coordinator re-creates its run.
    let mut redis = redis_server(redis_port, dir.path());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let store = rt
        .block_on(pucha_cluster::RedisStore::connect(
            &redis_url,
            &format!("{prefix}:"),
        ))
        .unwrap();
    wait_for("the run is re-created", Duration::from_secs(60), || {
        rt.block_on(pucha_cluster::store::ResultStore::sites(&store, "cli-loss"))
            .is_ok_and(|s| s.len() == 3)
            && rt
                .block_on(pucha_cluster::store::ResultStore::run(&store, "cli-loss"))
                .ok()
                .flatten()
                .is_some()
    });
    wait_for("ready again", Duration::from_secs(20), ready(200));
    let metrics = get(metrics_port, "/metrics").unwrap().1;
    assert!(
        metrics.contains("pucha_runs_recreated_total 1"),
        "{metrics}"
    );
    stop(&mut coordinator);
    let _ = redis.kill();
    let _ = redis.wait();
    rt.block_on(async {
        let cfg = pucha_cluster::AmqpConfig::new("amqp://guest:guest@127.0.0.1:5672/%2f", &prefix);
        let q = pucha_cluster::AmqpQueue::connect(cfg, Duration::from_secs(10))
            .await
            .unwrap();
        q.delete_queues(&[]).await.unwrap();
        q.disconnect().await;
    });
}
