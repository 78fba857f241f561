//! `pucha report --config pucha.toml`: the `[notice]` section reaches notice.md, flags win
//! over it, and an unknown key stops the command with its name.

use std::process::Command;

fn census_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let report = pucha_report::sample::seed_census();
    std::fs::write(
        dir.path().join("report.json"),
        serde_json::to_string_pretty(&report).unwrap(),
    )
    .unwrap();
    dir
}

const CONFIG: &str = r#"
[notice]
issuer = "绵阳市政务服务监督管理局"
doc_number = "绵政监函〔2019〕49号"
issue_date = 2019-08-30
contact_phone = "0816-2508459"
contact_person = "张三"
"#;

fn pucha(args: &[&str], cwd: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pucha"))
        .args(args)
        .current_dir(cwd)
        .env_remove("PUCHA_DATA_DIR")
        .output()
        .unwrap()
}

#[test]
fn the_configured_issuer_doc_number_date_and_phone_reach_the_notice() {
    let dir = census_dir();
    let cfg = dir.path().join("pucha.toml");
    std::fs::write(&cfg, CONFIG).unwrap();
    let from = dir.path().display().to_string();
    let out = pucha(
        &[
            "report",
            "--from",
            &from,
            "--config",
            "pucha.toml",
            "--format",
            "md",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(dir.path().join("notice.md")).unwrap();
    assert!(md.contains("# 绵阳市政务服务监督管理局关于"), "{md}");
    assert!(md.contains("绵政监函〔2019〕49号"), "{md}");
    assert!(md.contains("2019年8月30日"), "{md}");
    assert!(md.contains("联系人：张三，联系电话：0816-2508459"), "{md}");
    assert!(!md.contains("××市"), "{md}");

    // A flag wins over the file.
    let out = pucha(
        &[
            "report",
            "--from",
            &from,
            "--format",
            "md",
            "--issuer",
            "某某局",
            "--issue-date",
            "2019-09-03",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(dir.path().join("notice.md")).unwrap();
    assert!(md.contains("# 某某局关于"), "{md}");
    assert!(md.contains("2019年9月3日"), "{md}");
    // ./pucha.toml is read without --config.
    assert!(md.contains("绵政监函〔2019〕49号"), "{md}");
}

#[test]
fn an_unknown_key_is_an_error_naming_it() {
    let dir = census_dir();
    std::fs::write(dir.path().join("pucha.toml"), "[notice]\nisuer = \"x\"\n").unwrap();
    let from = dir.path().display().to_string();
    let out = pucha(&["report", "--from", &from, "--format", "md"], dir.path());
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("isuer") && err.contains("pucha.toml"), "{err}");
    // A --config that does not exist is an error too.
    let out = pucha(
        &["report", "--from", &from, "--config", "nope.toml"],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.toml"));
}

#[test]
fn run_and_coordinator_read_the_configuration_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sites.csv"),
        "name,url,category\n示例,http://127.0.0.1:9/,other\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("pucha.toml"), "[crawl]\nmax_pagez = 3\n").unwrap();
    for cmd in [
        &["run", "--sites", "sites.csv"][..],
        &["coordinator", "--sites", "sites.csv"][..],
    ] {
        let out = pucha(cmd, dir.path());
        assert!(!out.status.success(), "{cmd:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("max_pagez") && err.contains("pucha.toml"),
            "{cmd:?}: {err}"
        );
    }
}

/// Serves one small page (404 for everything but `/`) on 127.0.0.1.
fn serve_page() -> u16 {
    use std::io::{Read, Write};
    const PAGE: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>丰阳市测试局</title></head><body><p>x</p></body></html>";
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 8192];
            let n = s.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).to_string();
            let resp = if head.starts_with("GET / ") {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{PAGE}",
                    PAGE.len()
                )
            } else {
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_string()
            };
            let _ = s.write_all(resp.as_bytes());
        }
    });
    port
}

#[test]
fn pucha_run_writes_the_configured_notice_into_the_configured_out() {
    let dir = tempfile::tempdir().unwrap();
    let port = serve_page();
    std::fs::write(
        dir.path().join("sites.csv"),
        format!("name,url,category\n丰阳市测试局,http://127.0.0.1:{port}/,department\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pucha.toml"),
        format!("{CONFIG}\n[run]\nout = \"q3\"\ndata_dir = \"data\"\n\n[crawl]\nmax_seconds = 30\npoliteness = false\n"),
    )
    .unwrap();
    let out = pucha(
        &[
            "run",
            "--sites",
            "sites.csv",
            "--as-of",
            "2026-09-30",
            "--loopback-only",
            "--no-canary",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("data").is_dir(), "[run] data_dir not used");
    let md = std::fs::read_to_string(dir.path().join("q3/notice.md")).unwrap();
    assert!(
        md.contains("# 绵阳市政务服务监督管理局关于2026年第三季度"),
        "{md}"
    );
    assert!(
        md.contains("绵政监函〔2019〕49号") && md.contains("2019年8月30日"),
        "{md}"
    );
    assert!(md.contains("联系电话：0816-2508459"), "{md}");
    for f in ["notice.html", "dashboard.html", "notice.docx"] {
        assert!(dir.path().join("q3").join(f).is_file(), "{f}");
    }
}
