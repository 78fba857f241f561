//! `pucha monitor` spread over processes against the real RabbitMQ and Redis: a scheduler
//! (`--queue`, here switched on by `PUCHA_MONITOR_QUEUE=1` as the deploy files do) and two
//! probe consumers (`--probe-only`) probe a loopback homepage whose newest item is 12 days
//! old; the samples land in Redis with what the page shows, one consumer sends the
//! "homepage not updated" webhook, and SIGTERM stops every process with status 0.

mod common;

use common::services_up;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_pucha");
const REDIS_URL: &str = "redis://127.0.0.1:6379/";
const AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// Serves every HTTP request on a loopback port with `answer(request)`; returns the base URL.
fn serve(answer: impl Fn(&str) -> String + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for sock in listener.incoming() {
            let Ok(mut sock) = sock else { continue };
            let answer = answer.clone();
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // Headers, then a Content-Length body.
                loop {
                    let Ok(n) = sock.read(&mut chunk) else { return };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(i) = text.find("\r\n\r\n") {
                        let len = text[..i]
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        if buf.len() >= i + 4 + len {
                            break;
                        }
                    }
                }
                let body = answer(&String::from_utf8_lossy(&buf));
                let msg = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(msg.as_bytes());
            });
        }
    });
    format!("http://{addr}/")
}

fn monitor(args: &[&str], prefix: &str, extra_env: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(BIN);
    cmd.arg("monitor")
        .args(args)
        .args(["--prefix", prefix, "--loopback-only", "--interval", "1s"])
        .env("REDIS_URL", REDIS_URL)
        .env("AMQP_URL", AMQP_URL)
        .env("PUCHA_LOG", "warn")
        .env_remove("PUCHA_MONITOR_QUEUE")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("start pucha monitor")
}

fn stop(child: &mut Child) -> std::process::ExitStatus {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("pucha monitor did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_scheduler_and_two_probe_processes_record_samples_and_warn_of_a_stale_homepage() {
    if !services_up() {
        return;
    }
    let prefix = format!("pucha-cli-monitor-{}", std::process::id());
    let stale = pucha_crawl::today_cst() - chrono::Duration::days(12);
    let site_url = serve(move |_| {
        format!(
            "<html><head><meta charset=\"utf-8\"><title>某区人民政府</title></head><body>\
             <div class=\"news\"><h3>通知公告</h3><ul>\
             <li><a href=\"/tzgg/1.html\">关于做好冬季安全生产工作的通知</a><span>{stale}</span></li>\
             <li><a href=\"/tzgg/0.html\">关于开展消防检查的通知</a><span>{}</span></li>\
             </ul></div></body></html>",
            stale - chrono::Duration::days(6)
        )
    });
    let hooks = Arc::new(Mutex::new(Vec::<serde_json::Value>::new()));
    let got = hooks.clone();
    let hook_url = serve(move |req| {
        if let Some((_, body)) = req.split_once("\r\n\r\n") {
            if let Ok(v) = serde_json::from_str(body) {
                got.lock().unwrap().push(v);
            }
        }
        String::new()
    });
    let dir = tempfile::tempdir().unwrap();
    let sites = dir.path().join("sites.csv");
    std::fs::write(
        &sites,
        format!("网站名称,首页地址,网站类别\n某区人民政府,{site_url},county_portal\n"),
    )
    .unwrap();
    let key = pucha_core::site_key(&url::Url::parse(&site_url).unwrap());

    let mut probers = [
        monitor(&["--probe-only", "--webhook", &hook_url], &prefix, &[]),
        monitor(&["--probe-only", "--webhook", &hook_url], &prefix, &[]),
    ];
    let mut scheduler = monitor(
        &["--sites", sites.to_str().unwrap()],
        &prefix,
        &[("PUCHA_MONITOR_QUEUE", "1")],
    );

    let client = pucha_monitor::redis::Client::open(REDIS_URL).unwrap();
    let mut conn = client.get_connection().unwrap();
    let samples_key = format!("{prefix}:avail:{key}");
    let samples = |conn: &mut pucha_monitor::redis::Connection| -> Vec<pucha_core::ProbeSample> {
        let raw: Vec<String> = pucha_monitor::redis::cmd("ZRANGE")
            .arg(&samples_key)
            .arg(0)
            .arg(-1)
            .query(conn)
            .unwrap();
        raw.iter()
            .map(|r| serde_json::from_str(r).unwrap())
            .collect()
    };
    // A loop bound guards against a hang only.
    for _ in 0..600 {
        if samples(&mut conn).len() >= 3 && !hooks.lock().unwrap().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = stop(&mut scheduler);
    let statuses: Vec<_> = probers.iter_mut().map(stop).collect();

    let stored = samples(&mut conn);
    assert!(stored.len() >= 3, "{} samples", stored.len());
    for s in &stored {
        assert!(s.ok(), "{s:?}");
        assert_eq!(s.content.as_ref().unwrap().newest, Some(stale), "{s:?}");
    }
    let hooks = hooks.lock().unwrap().clone();
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    assert_eq!(hooks[0]["kind"], "homepage_not_updated");
    assert_eq!(hooks[0]["site_key"], key.as_str());
    assert_eq!(hooks[0]["age_days"], 12);
    // The schedule lives in Redis for a restart.
    let next: Option<i64> = pucha_monitor::redis::cmd("HGET")
        .arg(format!("{prefix}:monitor:next"))
        .arg(&key)
        .query(&mut conn)
        .unwrap();
    assert!(next.is_some());
    assert!(status.success(), "scheduler exit status {status:?}");
    for s in statuses {
        assert!(s.success(), "probe consumer exit status {s:?}");
    }

    // Clean up this test's keys and queues.
    let keys: Vec<String> = pucha_monitor::redis::cmd("KEYS")
        .arg(format!("{prefix}:*"))
        .query(&mut conn)
        .unwrap();
    if !keys.is_empty() {
        let _: () = pucha_monitor::redis::cmd("DEL")
            .arg(&keys)
            .query(&mut conn)
            .unwrap();
    }
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let q = pucha_cluster::AmqpQueue::connect(
                pucha_monitor::AmqpProbeQueue::config(AMQP_URL, &prefix, 1),
                Duration::from_secs(5),
            )
            .await
            .unwrap();
            q.delete_queues(&[]).await.unwrap();
            q.disconnect().await;
        });
}
