//! Bad input at the command line gets a clear error naming what to fix, and no crash.

use std::process::Command;

#[test]
fn a_bad_site_list_names_every_bad_row_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("sites.csv");
    std::fs::write(
        &list,
        "网站名称,首页地址,网站类别\nA局,http://a.gov.cn/,市级部门\n,http://b.gov.cn/,园区\nC局,,市级部门\nD局,http://a.gov.cn,市级部门\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pucha"))
        .args(["run", "--sites"])
        .arg(&list)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("row 3: missing site name"), "{stderr}");
    assert!(stderr.contains("row 4: missing home URL"), "{stderr}");
    assert!(stderr.contains("row 5: duplicate site"), "{stderr}");
    assert!(
        !stderr.contains("Stack backtrace"),
        "operators get the message, not a backtrace: {stderr}"
    );
    assert!(!dir.path().join("out/report.json").exists());
}

#[test]
fn a_missing_site_list_says_which_file() {
    let out = Command::new(env!("CARGO_BIN_EXE_pucha"))
        .args(["run", "--sites", "/nonexistent/sites.csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("/nonexistent/sites.csv"), "{stderr}");
}
