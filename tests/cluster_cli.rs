//! `pucha coordinator`, `pucha worker` and `pucha runs` as processes against the real
//! RabbitMQ and Redis: a worker SIGKILLed mid-run loses nothing, SIGTERM exits 0, and the
//! run's report is written and listed. Workers use the hidden `--drill` processor (results
//! derived from the jobs) so the test does not depend on crawling.

mod common;

use common::services_up;
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_pucha");
const REDIS_URL: &str = "redis://127.0.0.1:6379/";

fn worker(prefix: &str) -> Child {
    Command::new(BIN)
        .args([
            "worker",
            "--drill",
            "--prefix",
            prefix,
            "--concurrency",
            "3",
            "--lease-seconds",
            "2",
            "--grace-seconds",
            "10",
        ])
        .env("PUCHA_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start pucha worker")
}

fn wait_exit(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("process did not exit");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_sigkilled_worker_loses_nothing_and_sigterm_exits_cleanly() {
    if !services_up() {
        return;
    }
    let prefix = format!("pucha-cli-test-{}", std::process::id());
    let dir = tempfile::tempdir().unwrap();
    let sites = dir.path().join("sites.csv");
    let mut f = std::fs::File::create(&sites).unwrap();
    writeln!(f, "name,url,category").unwrap();
    let n = 24;
    for i in 0..n {
        let marker = if i % 5 == 0 { " [fail]" } else { "" };
        writeln!(
            f,
            "site {i} [sleep=400]{marker},http://127.0.3.{}/,department",
            i + 1
        )
        .unwrap();
    }
    drop(f);
    let out = dir.path().join("out");

    let mut victim = worker(&prefix);
    let mut coordinator = Command::new(BIN)
        .args(["coordinator", "--sites"])
        .arg(&sites)
        .args([
            "--run",
            "cli-run",
            "--as-of",
            "2024-10-08",
            "--prefix",
            &prefix,
        ])
        .args(["--sweep-seconds", "3", "--out"])
        .arg(&out)
        .env("PUCHA_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start pucha coordinator");

    // SIGKILL the victim in the middle of its jobs: once its first results are stored,
    // it is checking the next sites (it is the only worker so far).
    let rt = rt();
    let store = rt
        .block_on(pucha_cluster::RedisStore::connect(
            REDIS_URL,
            &format!("{prefix}:"),
        ))
        .unwrap();
    let start = Instant::now();
    while rt
        .block_on(pucha_cluster::store::ResultStore::result_count(
            &store, "cli-run",
        ))
        .unwrap_or(0)
        == 0
    {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the worker never finished a job"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    victim.kill().unwrap(); // SIGKILL
    victim.wait().unwrap();

    // A second worker finishes the run; SIGTERM a third one mid-run: it must exit 0.
    let mut survivor = worker(&prefix);
    let mut quitter = worker(&prefix);
    std::thread::sleep(Duration::from_millis(800));
    Command::new("kill")
        .args(["-TERM", &quitter.id().to_string()])
        .status()
        .unwrap();
    assert!(
        wait_exit(&mut quitter, Duration::from_secs(30)).success(),
        "SIGTERM exit status"
    );

    let status = wait_exit(&mut coordinator, Duration::from_secs(120));
    Command::new("kill")
        .args(["-TERM", &survivor.id().to_string()])
        .status()
        .unwrap();
    assert!(wait_exit(&mut survivor, Duration::from_secs(30)).success());
    assert!(status.success(), "coordinator exit status");

    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let rows = report["sites"].as_array().unwrap();
    let mut urls: Vec<&str> = rows.iter().map(|r| r["url"].as_str().unwrap()).collect();
    urls.sort();
    urls.dedup();
    assert_eq!(rows.len(), n, "one row per site");
    assert_eq!(urls.len(), n, "no site twice");
    assert_eq!(report["summary"]["failed"], 5);
    assert_eq!(report["summary"]["errors"], 0);

    // The run is listed, shown and deleted through `pucha runs`.
    let runs = |args: &[&str]| {
        Command::new(BIN)
            .arg("runs")
            .args(args)
            .args(["--store", REDIS_URL, "--prefix", &prefix])
            .output()
            .unwrap()
    };
    let list = runs(&["list"]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("cli-run"));
    let show = runs(&["show", "cli-run"]);
    assert!(String::from_utf8_lossy(&show.stdout).contains("24/24"));
    assert!(runs(&["delete", "cli-run"]).status.success());
    assert!(!runs(&["show", "cli-run"]).status.success());

    // Remove the test's queues and keys.
    rt.block_on(async {
        let cfg = pucha_cluster::AmqpConfig::new("amqp://guest:guest@127.0.0.1:5672/%2f", &prefix);
        let q = pucha_cluster::AmqpQueue::connect(cfg, Duration::from_secs(10))
            .await
            .unwrap();
        q.delete_queues(&[Duration::from_secs(2), Duration::from_secs(5)])
            .await
            .unwrap();
        q.disconnect().await;
        store.purge_prefix().await.unwrap();
    });
}
