//! Reads the HTML report of a census the way a person does: renders it in headless Chromium,
//! checks what the page shows (the summary numbers, the annex rows, that the inline script ran)
//! and keeps a screenshot in tests/artifacts/.
//!
//! Needs Debian's chromium (`apt-get install -y chromium`); with PUCHA_SKIP_BROWSER=1 the test
//! is skipped when it is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pucha_report::notice::annex_rows;
use pucha_report::sample::{previous_census, seed_census};

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PUCHA_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// Runs chromium headless with the flags that keep it off the network, and returns stdout.
fn headless(bin: &Path, profile: &Path, extra: &[String], url: &str) -> String {
    // Output goes to files: a pipe would fill up (the DOM is large) while we wait.
    let out_path = profile.join("stdout.txt");
    let err_path = profile.join("stderr.txt");
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::from(std::fs::File::create(&out_path).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&err_path).unwrap()))
        .spawn()
        .expect("start chromium");
    // Guard against a hung browser; this is not a performance assertion.
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait chromium") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            panic!("chromium did not finish within 180 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        status.success(),
        "chromium failed: {}",
        std::fs::read_to_string(&err_path).unwrap_or_default()
    );
    std::fs::read_to_string(&out_path).expect("utf-8 DOM")
}

/// The text content of the element with `id` (first text run after its opening tag).
fn text_of(dom: &str, id: &str) -> String {
    let tag = format!("id=\"{id}\"");
    let at = dom
        .find(&tag)
        .unwrap_or_else(|| panic!("no element #{id} on the page"));
    let start = at + dom[at..].find('>').unwrap() + 1;
    let end = start + dom[start..].find('<').unwrap();
    dom[start..end].to_string()
}

#[test]
fn census_html_report_reads_right_in_chromium() {
    let Some(bin) = chromium() else {
        if std::env::var("PUCHA_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!("skipped: chromium is missing and PUCHA_SKIP_BROWSER=1");
            return;
        }
        panic!(
            "chromium is missing: install it with `apt-get install -y chromium` \
             (or set PUCHA_SKIP_BROWSER=1 to skip this test)"
        );
    };
    let report = seed_census();
    let dir = tempfile::tempdir().unwrap();
    let written = pucha_report::write_all(&report, dir.path(), &[previous_census()]).unwrap();
    let html = std::fs::read_to_string(&written.dashboard_html).unwrap();
    // Self-contained: no external stylesheet, script or image.
    for bad in ["<link", "src=\"http", "src='http", "@import", "url(http"] {
        assert!(
            !html.contains(bad),
            "the page loads an external asset ({bad})"
        );
    }
    let url = format!("file://{}", written.dashboard_html.display());
    let profile = tempfile::tempdir().unwrap();
    let dom = headless(&bin, profile.path(), &["--dump-dom".to_string()], &url);

    // The summary numbers a reader sees first.
    let s = &report.summary;
    assert_eq!(text_of(&dom, "fig-total"), "53");
    assert_eq!(text_of(&dom, "fig-total"), s.total.to_string());
    assert_eq!(text_of(&dom, "fig-checked"), "53");
    assert_eq!(text_of(&dom, "fig-failed"), "18");
    assert_eq!(text_of(&dom, "fig-problem-sites"), "18");
    assert_eq!(text_of(&dom, "fig-pass-rate"), "66.04%");
    assert!(dom.contains("合格率为66.04%"));
    assert!(dom.contains("其中市级门户1家、市级部门39家、县市区门户9家、园区4家"));

    // The annex: one row per site with outstanding problems, in order, with its problems.
    let at = dom.find("id=\"annex\"").expect("annex table");
    let table = &dom[at..at + dom[at..].find("</table>").unwrap()];
    assert!(
        table.contains("data-sortable=\"ready\""),
        "the inline script did not run"
    );
    let body = &table[table.find("<tbody>").unwrap()..];
    let rows: Vec<&str> = body.split("<tr>").skip(1).collect();
    let expected = annex_rows(&report, false);
    assert_eq!(rows.len(), expected.len());
    assert_eq!(rows.len(), 18);
    for (row, want) in rows.iter().zip(&expected) {
        let cells: Vec<String> = row
            .split("<td>")
            .skip(1)
            .map(|c| c[..c.find("</td>").unwrap()].replace("&amp;", "&"))
            .collect();
        assert_eq!(cells, want.cells().to_vec());
    }
    assert_eq!(text_of(&dom, "annex-count"), "18");
    // The trend chart has a point per run.
    let chart_at = dom.find("id=\"trend-chart\"").expect("trend chart");
    let chart = &dom[chart_at..chart_at + dom[chart_at..].find("</svg>").unwrap()];
    assert_eq!(chart.matches("<circle").count(), 2);

    // A screenshot for a person to look at.
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let shot = artifacts.join("report-census.png");
    let _ = std::fs::remove_file(&shot);
    let profile = tempfile::tempdir().unwrap();
    headless(
        &bin,
        profile.path(),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,3000".to_string(),
        ],
        &url,
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    eprintln!("screenshot: {}", shot.display());
}
