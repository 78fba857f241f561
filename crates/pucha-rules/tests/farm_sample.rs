//! Accuracy against the ground truth of `shared/farm-sample`, offline: every page is read from
//! disk and analysed by `pucha_analyze::analyze`, link outcomes come from `links.tsv`.
//!
//! The farm-sample truth checks 8 办事指南 elements, so the test uses `packs/farm-sample.toml`
//! (an overlay of the national pack) — the same as
//! `cargo run -p pucha-rules --example rule_accuracy -- ../shared/farm-sample --rules crates/pucha-rules/packs/farm-sample.toml`.

mod farm;

use std::path::PathBuf;

fn sample_dir() -> PathBuf {
    std::env::var_os("PUCHA_FARM_SAMPLE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/farm-sample")
        })
}

#[test]
fn farm_sample_verdicts_and_per_rule_precision_recall() {
    let dir = sample_dir();
    assert!(
        dir.join("truth.json").exists(),
        "farm-sample not found at {} (set PUCHA_FARM_SAMPLE to its directory)",
        dir.display()
    );
    let pack_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("packs/farm-sample.toml");
    let pack = pucha_rules::RulePack::load(&pack_path).expect("farm-sample overlay loads");
    let farm = farm::Farm::load(&dir, &pack);
    assert_eq!(farm.sites.len(), 6);
    let acc = farm.accuracy(&pack);
    let report = acc.render();
    println!("{report}");

    for s in &acc.sites {
        assert!(
            s.pages > 20,
            "{}: only {} pages crawled offline",
            s.id,
            s.pages
        );
        assert!(
            s.verdict_ok(),
            "{} {}: expected {:?}, got {:?} (vetoes {:?})\n{report}",
            s.id,
            s.name,
            s.expected,
            s.result.verdict,
            s.result.vetoes
        );
        let mut got: Vec<String> = s.result.vetoes.clone();
        got.sort();
        let mut want = s.expected_vetoes.clone();
        want.sort();
        assert_eq!(got, want, "{} vetoes\n{report}", s.id);
    }
    // The truth has defects for these rules: they must really be exercised, not vacuously 1.0.
    for rule in [
        "veto.blank_columns",
        "veto.key_columns_stale",
        "veto.serious_wording_error",
        "veto.consultation_unanswered",
        "ded.broken_links_homepage",
        "ded.broken_links_other",
        "ded.service_guide_quality",
        "norm.meta.content_tags",
    ] {
        let row = acc.rows.iter().find(|r| r.rule == rule).expect(rule);
        assert!(row.truth > 0, "{rule} has no truth occurrences");
    }
    for row in &acc.rows {
        assert!(
            row.precision() >= 0.95 && row.recall() >= 0.95,
            "{}: precision {:.3} recall {:.3}\n{report}",
            row.rule,
            row.precision(),
            row.recall()
        );
    }
}

#[test]
fn national_pack_reads_more_guide_elements_than_the_sample_truth() {
    // With the 10 elements of the national pack, guides lacking 办理机构/收费标准 count too:
    // the overlay is what makes the sample's truth comparable, not a tuning of the rules.
    let dir = sample_dir();
    if !dir.join("truth.json").exists() {
        panic!("farm-sample not found at {}", dir.display());
    }
    let pack = pucha_rules::RulePack::builtin();
    let farm = farm::Farm::load(&dir, &pack);
    let acc = farm.accuracy(&pack);
    let row = acc
        .rows
        .iter()
        .find(|r| r.rule == "ded.service_guide_quality")
        .unwrap();
    assert!(row.found > row.truth, "{}", acc.render());
    assert_eq!(acc.verdicts_correct(), 6, "{}", acc.render());
}
