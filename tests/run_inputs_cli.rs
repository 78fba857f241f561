//! `pucha run` (embedded, data directory): a resume with another as-of or site list is
//! refused with the difference shown, `--replace` starts the run anew, and a run whose
//! lock file is held by a live process is refused. Sites are closed loopback ports, so
//! nothing leaves the machine and each check ends at once.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_pucha");

fn run(dir: &Path, sites: &Path, extra: &[&str]) -> Output {
    Command::new(BIN)
        .args(["run", "--sites"])
        .arg(sites)
        .args(["--run", "emb", "--data-dir"])
        .arg(dir.join("data"))
        .arg("--out")
        .arg(dir.join("out"))
        .args(["--loopback-only", "--no-canary", "--max-seconds", "5"])
        .args(extra)
        .env("PUCHA_LOG", "warn")
        .output()
        .expect("run pucha")
}

fn site_list(path: &Path, n: usize) {
    let mut f = std::fs::File::create(path).unwrap();
    writeln!(f, "name,url,category").unwrap();
    for i in 0..n {
        writeln!(f, "site {i},http://127.0.6.{}:9/,department", i + 1).unwrap();
    }
}

#[test]
fn an_embedded_run_keeps_its_inputs_unless_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (four, three) = (dir.path().join("four.csv"), dir.path().join("three.csv"));
    site_list(&four, 4);
    site_list(&three, 3);
    assert!(run(dir.path(), &four, &["--as-of", "2025-01-06"])
        .status
        .success());

    let other = run(dir.path(), &four, &["--as-of", "2025-03-01"]);
    assert!(!other.status.success());
    let err = String::from_utf8_lossy(&other.stderr);
    assert!(
        err.contains("run emb was created with as-of 2025-01-06, this start asks for 2025-03-01; start a new run or pass --replace"),
        "{err}"
    );
    let fewer = run(dir.path(), &three, &[]);
    assert!(!fewer.status.success());
    let err = String::from_utf8_lossy(&fewer.stderr);
    assert!(
        err.contains("with site list of 4 sites") && err.contains("1 of the run left out"),
        "{err}"
    );
    // Resuming without --as-of takes the run's own: nothing is left to check.
    assert!(run(dir.path(), &four, &[]).status.success());

    let replaced = run(dir.path(), &three, &["--as-of", "2025-03-01", "--replace"]);
    assert!(
        replaced.status.success(),
        "{}",
        String::from_utf8_lossy(&replaced.stderr)
    );
    let show = Command::new(BIN)
        .args(["runs", "show", "emb", "--store"])
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    let show = String::from_utf8_lossy(&show.stdout);
    assert!(show.contains("as of:     2025-03-01"), "{show}");
    assert!(show.contains("results:   3/3"), "{show}");
    assert!(
        show.contains("progress:  3 done, 0 in flight, 0 waiting;"),
        "{show}"
    );

    // A live process holding the run's lock: refused.
    let locks = dir.path().join("data/locks");
    std::fs::create_dir_all(&locks).unwrap();
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or(host);
    std::fs::write(
        locks.join("emb.lock"),
        serde_json::json!({"holder": "other-1", "pid": std::process::id(), "host": host})
            .to_string(),
    )
    .unwrap();
    let busy = run(dir.path(), &three, &[]);
    assert!(!busy.status.success());
    let err = String::from_utf8_lossy(&busy.stderr);
    assert!(
        err.contains("run emb is already coordinated by other-1"),
        "{err}"
    );
}
