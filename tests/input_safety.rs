//! What reaches pucha from a site list or a page cannot leak or inject: a password in a site URL
//! never reaches a log, a report or a file name; page titles cannot drive the terminal; bad site
//! lists are named as what they are; an interrupted census says how to resume; a refused login
//! to RabbitMQ or Redis is named at once.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: &str = "S3cretPW";

const PAGE: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>丰阳市测试局</title>
<meta name="SiteName" content="丰阳市测试局"></head><body>
<ul><li><a href="/xwzx/1.html">工作动态</a><span>2026-09-20</span></li></ul>
<div class="footer">主办单位：丰阳市测试局</div></body></html>"#;

/// Serves PAGE (404 for robots.txt) on 127.0.0.1; keeps every request head.
fn serve(delay: Duration) -> (u16, Arc<Mutex<Vec<String>>>) {
    let (port, heads, _) = serve_slow(delay);
    (port, heads)
}

/// As `serve`, waiting `delay` before each answer while the flag it returns is set.
fn serve_slow(delay: Duration) -> (u16, Arc<Mutex<Vec<String>>>, Arc<AtomicBool>) {
    let slow = Arc::new(AtomicBool::new(true));
    let slow_flag = slow.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            let seen = seen.clone();
            let slow = slow_flag.clone();
            std::thread::spawn(move || {
                let mut s = s;
                let mut buf = [0u8; 8192];
                let n = s.read(&mut buf).unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                seen.lock().unwrap().push(head.clone());
                if slow.load(Ordering::SeqCst) {
                    std::thread::sleep(delay);
                }
                let resp = if head.starts_with("GET /robots.txt") {
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_string()
                } else {
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{PAGE}",
                        PAGE.len()
                    )
                };
                let _ = s.write_all(resp.as_bytes());
            });
        }
    });
    (port, heads, slow)
}

fn pucha(dir: &Path, list: &str, extra: &[&str]) -> Output {
    let sites = dir.join("sites.csv");
    std::fs::write(&sites, list).unwrap();
    Command::new(env!("CARGO_BIN_EXE_pucha"))
        .args(["run", "--sites"])
        .arg(&sites)
        .arg("--out")
        .arg(dir.join("out"))
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args([
            "--as-of",
            "2026-09-30",
            "--loopback-only",
            "--no-politeness",
            "--no-canary",
            "--max-seconds",
            "30",
        ])
        .args(extra)
        .env("PUCHA_LOG", "debug")
        .output()
        .unwrap()
}

/// Every file under `dir` whose name or content holds `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.to_string_lossy().contains(needle) {
                hits.push(format!("name: {}", p.display()));
            }
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let bytes = std::fs::read(&p).unwrap();
            let mut text = String::from_utf8_lossy(&bytes).to_string();
            if p.extension().is_some_and(|x| x == "xlsx") {
                // The workbook is a ZIP: look inside its parts.
                let out = Command::new("unzip").arg("-p").arg(&p).output();
                match out {
                    Ok(o) if o.status.success() => text = String::from_utf8_lossy(&o.stdout).into(),
                    _ => {}
                }
            }
            if text.contains(needle) {
                hits.push(format!("content: {}", p.display()));
            }
        }
    }
    hits
}

#[test]
fn a_password_in_a_site_url_is_refused_and_never_written() {
    let (port, heads) = serve(Duration::ZERO);
    let dir = tempfile::tempdir().unwrap();
    let list = format!(
        "网站名称,首页地址,网站类别\n丰阳市测试局,http://admin:{PASSWORD}@127.0.0.1:{port}/,市级部门\n"
    );
    let out = pucha(dir.path(), &list, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("row 2: the home URL http://***@127.0.0.1"),
        "{stderr}"
    );
    assert!(stderr.contains("--strip-url-credentials"), "{stderr}");
    assert!(!stderr.contains(PASSWORD), "{stderr}");
    assert!(!dir.path().join("out").exists());
    assert!(
        heads.lock().unwrap().is_empty(),
        "a refused list sends nothing"
    );

    // Stripped on request: the census runs, and the password is nowhere.
    let out = pucha(dir.path(), &list, &["--strip-url-credentials"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("stripped"), "{stderr}");
    for text in [&stdout, &stderr] {
        assert!(!text.contains(PASSWORD), "{text}");
        assert!(!text.contains("admin:"), "{text}");
    }
    // Logs to a pipe carry no colour.
    assert!(
        !stderr.contains('\u{1b}'),
        "ANSI escapes in a piped log: {stderr}"
    );
    // Every output file and everything kept in the data directory (the site list itself, the
    // input, is the only file that may hold it).
    for needle in [PASSWORD, "admin:"] {
        for sub in ["out", "data"] {
            let hits = files_holding(&dir.path().join(sub), needle);
            assert!(hits.is_empty(), "{needle} in {hits:?}");
        }
    }
    assert!(dir.path().join("out/notice.md").is_file());
    assert!(dir.path().join("out/report.xlsx").is_file());
    let heads = heads.lock().unwrap();
    assert!(!heads.is_empty(), "the site was crawled");
    for h in heads.iter() {
        assert!(!h.to_ascii_lowercase().contains("authorization"), "{h}");
    }
}

fn run_list(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let sites = dir.path().join("sites.csv");
    std::fs::write(&sites, bytes).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pucha"))
        .args(["run", "--sites"])
        .arg(&sites)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!dir.path().join("out").exists());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_site_lists_are_named_as_what_they_are() {
    let utf16: Vec<u8> = "网站名称,首页地址\n丰阳市测试局,http://a.gov.cn/\n"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let e = run_list(&utf16);
    assert!(
        e.contains(
            "is not text in UTF-8/GBK/UTF-16 (looks like UTF-16 little-endian without a BOM)"
        ),
        "{e}"
    );
    let e = run_list(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00binary");
    assert!(e.contains("is not text in UTF-8/GBK/UTF-16"), "{e}");
    let e = run_list(
        "网站名称,首页地址\n\"丰阳市测试局,http://a.gov.cn/\nB,http://b.gov.cn/\n".as_bytes(),
    );
    assert!(
        e.contains("row 2: a quoted field opened here is never closed"),
        "{e}"
    );
    let e = run_list("网站名称,首页地址\nA,javascript:alert(1)\n".as_bytes());
    assert!(e.contains("row 2: invalid home URL \"javascript:alert(1)\": URL scheme javascript is not http or https"), "{e}");
    let huge = format!(
        "网站名称,首页地址\nA,http://a.gov.cn/{}\n",
        "x".repeat(1 << 20)
    );
    let e = run_list(huge.as_bytes());
    assert!(
        e.contains("row 2: the home URL is 1048592 characters long (at most 2048)"),
        "{e}"
    );
    assert!(e.len() < 2000, "the 1 MB cell is quoted: {} bytes", e.len());
}

#[test]
fn check_page_does_not_pass_page_escapes_to_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("index.html");
    std::fs::write(
        &page,
        "<html><head><meta charset=\"utf-8\"><title>\u{1b}]0;pwned\u{7}丰阳\u{1b}]52;c;ZWNobyBoaQ==\u{7}市\u{1b}[2J\u{1b}[H政府&#27;[31m</title></head><body><p>x</p></body></html>",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pucha"))
        .arg("check-page")
        .arg(&page)
        .args([
            "--url",
            "http://www.example.gov.cn/",
            "--as-of",
            "2026-09-30",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("丰阳市政府"), "{stdout}");
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout:?}"
    );
    assert!(
        !stdout.contains("pwned") && !stdout.contains("ZWNobyBoaQ"),
        "{stdout:?}"
    );
}

#[cfg(unix)]
#[test]
fn an_interrupted_run_says_how_to_resume_and_a_plain_rerun_resumes() {
    let (port, _, slow) = serve_slow(Duration::from_secs(3));
    let (port2, _, slow2) = serve_slow(Duration::from_secs(3));
    let dir = tempfile::tempdir().unwrap();
    let list = format!(
        "网站名称,首页地址\n丰阳市测试局,http://127.0.0.1:{port}/\n丰阳市二局,http://127.0.0.1:{port2}/?site=2\n"
    );
    let sites = dir.path().join("sites.csv");
    std::fs::write(&sites, &list).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_pucha"))
        .args(["run", "--sites"])
        .arg(&sites)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args([
            "--as-of",
            "2026-09-30",
            "--loopback-only",
            "--no-politeness",
            "--no-canary",
        ])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    let hint = stderr
        .lines()
        .find(|l| l.starts_with("interrupted; resume with: pucha run --run "))
        .unwrap_or_else(|| panic!("no resume hint: {stderr}"));
    let id = hint
        .trim_start_matches("interrupted; resume with: pucha run --run ")
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    assert!(id.starts_with("2026q3-20260930-"), "{id}");
    slow.store(false, Ordering::SeqCst);
    slow2.store(false, Ordering::SeqCst);
    // The same command again resumes that run (the id comes from the inputs, not the clock).
    let out = Command::new(env!("CARGO_BIN_EXE_pucha"))
        .args(["run", "--sites"])
        .arg(&sites)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args([
            "--as-of",
            "2026-09-30",
            "--loopback-only",
            "--no-politeness",
            "--no-canary",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("run {id} (as of 2026-09-30): 2 sites")),
        "{stdout}"
    );
}

/// Whether something listens on 127.0.0.1:`port`.
fn listening(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

fn worker(amqp: &str, redis: &str) -> (String, Duration) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_pucha"))
        .args([
            "worker",
            "--drill",
            "--amqp-url",
            amqp,
            "--redis-url",
            redis,
        ])
        .args([
            "--prefix",
            &format!("pucha-authtest-{}", std::process::id()),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    (
        String::from_utf8_lossy(&out.stderr).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn refused_credentials_are_named_at_once() {
    if !listening(5672) || !listening(6379) {
        eprintln!("skipped: RabbitMQ or Redis is not running");
        return;
    }
    let (e, took) = worker(
        "amqp://guest:wrong-password@127.0.0.1:5672/%2f",
        "redis://127.0.0.1:6379/",
    );
    assert!(
        e.contains("RabbitMQ refused the credentials for user guest"),
        "{e}"
    );
    assert!(!e.contains("rabbitmq-server -detached"), "{e}");
    assert!(!e.contains("wrong-password"), "{e}");
    assert!(took < Duration::from_secs(15), "took {took:?}: {e}");
    let (e, took) = worker(
        "amqp://guest:guest@127.0.0.1:5672/%2f",
        "redis://nobody:wrong-password@127.0.0.1:6379/",
    );
    assert!(e.contains("Redis refused the credentials"), "{e}");
    assert!(!e.contains("is Redis running"), "{e}");
    assert!(!e.contains("wrong-password"), "{e}");
    assert!(took < Duration::from_secs(15), "took {took:?}: {e}");
}
