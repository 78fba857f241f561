//! `pucha check-page` shows an operator why a page is flagged: its tampering signals in the
//! text output and in the JSON, next to the findings they lead to.

use std::process::Command;

const HACKED: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8">
<title>某县人民政府</title><meta name="SiteName" content="某县人民政府">
<meta http-equiv="refresh" content="30;url=http://www.am-dc888.example/">
</head><body><div class="nav"><a href="/xwzx/">新闻中心</a></div>
<ul><li><a href="/xwzx/1.html">县政府召开常务会议</a><span>2024-10-01</span></li>
<li><a href="/xwzx/2.html">全县秋粮收购工作有序推进</a><span>2024-09-30</span></li></ul>
<div style="position:absolute;left:-9999px"><a href="http://www.am-dc888.example/">澳门赌场 百家乐</a></div>
<div class="footer">主办单位：某县人民政府办公室</div></body></html>"#;

fn check_page(args: &[&str]) -> (String, String, bool) {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("index.html");
    std::fs::write(&page, HACKED).unwrap();
    let mut all = vec!["--url", "http://www.example.gov.cn/", "--home"];
    all.extend_from_slice(args);
    check_url(page.to_str().unwrap(), &all)
}

#[test]
fn text_output_lists_hidden_links_and_redirects() {
    let (stdout, stderr, ok) = check_page(&[]);
    assert!(ok, "{stderr}");
    assert!(
        stdout
            .contains("hidden link      http://www.am-dc888.example/ (OffScreen) 澳门赌场 百家乐"),
        "{stdout}"
    );
    assert!(
        stdout.contains("redirect         http://www.am-dc888.example/ (MetaRefresh)"),
        "{stdout}"
    );
}

#[test]
fn json_output_carries_the_signals() {
    let (stdout, stderr, ok) = check_page(&["--json"]);
    assert!(ok, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let hidden = &v["signals"]["hidden_links"];
    assert_eq!(hidden[0]["url"], "http://www.am-dc888.example/");
    assert_eq!(hidden[0]["hiding"], "off_screen");
    assert_eq!(v["signals"]["redirects"][0]["kind"], "meta_refresh");
    assert_eq!(v["encoding"], "UTF-8");
}

/// Serves one raw HTTP response to every connection on 127.0.0.1 and hands back each request head.
fn serve_raw(response: Vec<u8>) -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let _ = tx.send(String::from_utf8_lossy(&buf[..n]).into_owned());
            let _ = s.write_all(&response);
        }
    });
    (format!("http://{addr}/"), rx)
}

/// Runs `pucha check-page TARGET ARGS...`: stdout, stderr, success.
fn check_url(target: &str, args: &[&str]) -> (String, String, bool) {
    let out = Command::new(env!("CARGO_BIN_EXE_pucha"))
        .arg("check-page")
        .arg(target)
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

#[test]
fn a_url_is_fetched_by_the_crawlers_client_with_the_given_user_agent() {
    let body = HACKED.as_bytes();
    let mut resp = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    resp.extend_from_slice(body);
    let (url, heads) = serve_raw(resp);
    let (stdout, stderr, ok) = check_url(
        &url,
        &[
            "--loopback-only",
            "--user-agent",
            "pucha-test-ua/1",
            "--json",
        ],
    );
    assert!(ok, "check-page failed: {stderr}");
    let head = heads.recv().unwrap().to_ascii_lowercase();
    assert!(head.contains("user-agent: pucha-test-ua/1"), "{head}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["url"], url.as_str());
    // Without --loopback-only the census's egress policy refuses a loopback address.
    let (_, stderr, ok) = check_url(&url, &[]);
    assert!(!ok);
    assert!(stderr.contains("egress policy"), "{stderr}");
}

#[test]
fn a_hostile_chunk_size_is_a_clear_error_not_a_crash() {
    // The chunk announces 2^64-1 bytes: a hand-written de-chunker overflowed on it.
    let resp = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nffffffffffffffff\r\n<html>"
        .to_vec();
    let (url, _heads) = serve_raw(resp);
    let (_stdout, stderr, ok) = check_url(&url, &["--loopback-only"]);
    assert!(!stderr.contains("panicked"), "{stderr}");
    if !ok {
        assert!(stderr.contains("cannot fetch"), "{stderr}");
    }
}
