//! End to end: the embedded census of the demo farm, over real HTTP on loopback, checked
//! against the farm's ground truth — verdicts, vetoes and per-rule findings.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::sync::Arc;

use pucha::census::{run_embedded, CensusOpts};
use pucha_cluster::store::MemStore;
use pucha_core::{Report, Verdict};
use pucha_farm::{Farm, FarmServer, FarmSpec, FarmTruth};

async fn census_of_demo_farm(net: Ipv4Addr) -> (Report, FarmTruth, tempfile::TempDir) {
    census_of(FarmSpec::demo(), net).await
}

/// `pucha run`'s path (the embedded census over HTTP) over a served farm, as of its date.
async fn census_of(spec: FarmSpec, net: Ipv4Addr) -> (Report, FarmTruth, tempfile::TempDir) {
    let server = FarmServer::start(Farm::generate(&spec), net)
        .await
        .expect("serve the demo farm on loopback");
    let truth = server.truth();
    let opts = CensusOpts::own_loopback_farm(spec.as_of);
    let out = tempfile::tempdir().unwrap();
    let report = run_embedded(
        &server.sites(),
        &opts,
        &opts.crawl_config(),
        pucha_cluster::admission::Admission::default(),
        Arc::new(MemStore::new()),
        out.path(),
    )
    .await
    .expect("the census finishes");
    server.shutdown().await;
    (report, truth, out)
}

#[derive(Default, Debug)]
struct Tally {
    tp: u32,
    fp: u32,
    fn_: u32,
    count_mismatch: Vec<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_census_matches_the_farm_truth() {
    let m = pucha_metrics::metrics();
    let pages_before = m.pages_fetched.get();
    let bytes_before = m.fetched_bytes.get();
    let blank_before = m.findings("veto.blank_columns").unwrap().get();
    let (report, truth, out) = census_of_demo_farm(Ipv4Addr::new(127, 0, 41, 0)).await;

    // The dashboards' work panels move with the census: every crawled page, byte and finding.
    let pages: u64 = report.sites.iter().map(|r| r.crawl.pages_fetched).sum();
    assert!(pages > 0);
    // At least: a retried job's first attempt fetched pages too.
    assert!(
        m.pages_fetched.get() - pages_before >= pages,
        "pucha_pages_fetched_total moved by {} for {pages} pages",
        m.pages_fetched.get() - pages_before
    );
    assert!(
        m.fetched_bytes.get() > bytes_before,
        "pucha_fetched_bytes_total"
    );
    let blank: u64 = report
        .sites
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| f.rule == "veto.blank_columns")
        .count() as u64;
    assert!(blank > 0, "the demo farm has blank-column sites");
    assert!(
        m.findings("veto.blank_columns").unwrap().get() - blank_before >= blank,
        "pucha_findings_total{{rule=veto.blank_columns}}"
    );

    assert_matches_truth(&report, &truth);

    // The files the newcomer reads.
    let json: Report =
        serde_json::from_slice(&std::fs::read(out.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(json.summary, report.summary);
    let notice = std::fs::read_to_string(out.path().join("notice.md")).unwrap();
    assert!(notice.contains(&report.summary.total.to_string()));
    let failed: Vec<_> = report
        .sites
        .iter()
        .filter(|s| s.verdict == Verdict::Fail)
        .collect();
    assert!(
        !failed.is_empty() && failed.len() < report.sites.len(),
        "the demo has passing and failing sites"
    );
    for s in failed {
        assert!(
            notice.contains(&s.site.name),
            "the notice names failing site {}",
            s.site.name
        );
    }
}

/// Verdicts and vetoes of every site as in the truth; per rule the truth covers, precision and
/// recall over (site, rule) pairs and the agreement of per-site counts at least 0.95. A rule
/// that fires nowhere, in the truth or in the census, is not scored (no free 1.0).
fn assert_matches_truth(report: &Report, truth: &FarmTruth) {
    // Every site has exactly one result, with the verdict and vetoes of the truth.
    assert_eq!(report.sites.len(), truth.sites.len(), "one result per site");
    let mut wrong = Vec::new();
    for t in &truth.sites {
        let r = report
            .sites
            .iter()
            .find(|r| r.site.url.as_str() == t.url.as_str())
            .unwrap_or_else(|| panic!("no result for {}", t.url));
        let got: BTreeSet<&str> = r.vetoes.iter().map(String::as_str).collect();
        let want: BTreeSet<&str> = t.vetoes.iter().map(String::as_str).collect();
        if r.verdict != t.verdict || got != want {
            wrong.push(format!(
                "{} ({}): got {:?} {:?}, truth {:?} {:?}",
                t.name, t.url, r.verdict, got, t.verdict, want
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "verdicts differ from the truth:\n{}",
        wrong.join("\n")
    );

    // Per-rule precision and recall over (site, rule) pairs, for the rules the truth covers.
    let covered: BTreeSet<&str> = truth
        .sites
        .iter()
        .flat_map(|t| t.findings.keys().map(String::as_str))
        .collect();
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    for t in &truth.sites {
        let r = report
            .sites
            .iter()
            .find(|r| r.site.url.as_str() == t.url.as_str())
            .unwrap();
        for rule in &covered {
            let want = t.findings.get(*rule).copied().unwrap_or(0);
            let got = r.finding(rule).map(|f| f.count).unwrap_or(0);
            let tally = tallies.entry(rule).or_default();
            match (want > 0, got > 0) {
                (true, true) => {
                    tally.tp += 1;
                    if want != got {
                        tally
                            .count_mismatch
                            .push(format!("{}: got {got}, truth {want}", t.name));
                    }
                }
                (false, true) => tally.fp += 1,
                (true, false) => tally.fn_ += 1,
                (false, false) => {}
            }
        }
    }
    let mut low = Vec::new();
    let mut counts_off = Vec::new();
    for (rule, t) in &tallies {
        let p = if t.tp + t.fp == 0 {
            1.0
        } else {
            t.tp as f64 / (t.tp + t.fp) as f64
        };
        let r = if t.tp + t.fn_ == 0 {
            1.0
        } else {
            t.tp as f64 / (t.tp + t.fn_) as f64
        };
        // Count agreement: of the sites where the rule fires (in the truth or in the
        // census), those whose count equals the truth's.
        let fired = t.tp + t.fp + t.fn_;
        let agree = if fired == 0 {
            None
        } else {
            Some((t.tp - t.count_mismatch.len() as u32) as f64 / fired as f64)
        };
        println!("{rule:45} precision {p:.2} recall {r:.2} counts {agree:?} {t:?}");
        if p < 0.95 || r < 0.95 {
            low.push(format!("{rule}: precision {p:.2} recall {r:.2} {t:?}"));
        }
        // veto.site_unreachable counts failed probes, which follow the flaky server's timing;
        // the truth records that the site is vetoed (1). Its verdicts are checked above.
        if *rule != "veto.site_unreachable" && agree.is_some_and(|a| a < 0.95) {
            counts_off.push(format!("{rule}: count agreement {agree:?} {t:?}"));
        }
    }
    assert!(
        low.is_empty(),
        "rules below 0.95 precision/recall:\n{}",
        low.join("\n")
    );
    assert!(
        counts_off.is_empty(),
        "rules whose per-site counts agree with the truth on fewer than 95% of sites:\n{}",
        counts_off.join("\n")
    );
}

/// The unseen CMS families (TRS WCM relative dated links and title dates, old GBK tables with
/// `[MM-DD]`, Hanweb datastore lists, a script-loaded list) as of early January, so month-day
/// dates cross a year boundary: the product path gets every verdict and count right.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unseen_families_census_matches_the_farm_truth() {
    let (report, truth, _out) = census_of(FarmSpec::unseen(), Ipv4Addr::new(127, 0, 46, 0)).await;
    assert_matches_truth(&report, &truth);
}

/// The README's first command, as a newcomer runs it (debug build of the same binary).
#[test]
fn pucha_demo_command_writes_the_notice() {
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_pucha"))
        .args(["demo", "--net", "127.0.42.0", "--out"])
        .arg(out.path().join("demo"))
        .arg("--data-dir")
        .arg(out.path().join("data"))
        .output()
        .expect("run pucha demo");
    let stdout = String::from_utf8_lossy(&status.stdout);
    assert!(
        status.status.success(),
        "pucha demo failed: {stdout}\n{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(out.path().join("demo/notice.md").exists());
    let line = stdout
        .lines()
        .find(|l| l.starts_with("verdicts matching the farm's ground truth:"))
        .expect("the demo compares with the truth");
    let (agree, total) = line.rsplit_once(' ').unwrap().1.split_once('/').unwrap();
    assert_eq!(agree, total, "{line}");
}
