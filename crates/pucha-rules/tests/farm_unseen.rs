//! Accuracy on the demo roster rendered in the CMS families pucha was not first built on
//! (`pucha_farm::FarmSpec::unseen`: TRS WCM with script pagers and title-attribute dates, GBK
//! table layouts with `[MM-DD]` dates across the year boundary, Hanweb datastore lists),
//! offline: the farm is dumped to a temporary directory as the `dump` example does, then every
//! page is analysed and the rules compared with the truth.

mod farm;

use pucha_farm::{site_ip, Farm, FarmSpec};

#[test]
fn unseen_families_verdicts_and_column_counts_match_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let generated = Farm::generate(&FarmSpec::unseen());
    let port = 8080;
    let hosts: Vec<String> = (0..generated.sites.len())
        .map(|i| format!("{}:{port}", site_ip("127.0.3.0".parse().unwrap(), i)))
        .collect();
    for (i, s) in generated.sites.iter().enumerate() {
        for (path, page) in s.pages() {
            let mut p = path.trim_start_matches('/').replace('?', "_");
            if p.is_empty() || p.ends_with('/') {
                p.push_str("index.html");
            }
            let f = dir.path().join(format!("s{:02}", i + 1)).join(p);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, page.fill(&hosts, port)).unwrap();
        }
    }
    std::fs::write(
        dir.path().join("truth.json"),
        generated.truth_for(&hosts, port).to_json_pretty(),
    )
    .unwrap();

    let pack = pucha_rules::RulePack::builtin();
    let farm = farm::Farm::load(dir.path(), &pack);
    let acc = farm.accuracy(&pack);
    let report = acc.render();
    assert_eq!(acc.verdicts_correct(), acc.sites.len(), "{report}");
    for rule in [
        "veto.blank_columns",
        "veto.key_columns_stale",
        "veto.long_term_stale_columns",
        "veto.homepage_not_updated",
        "ded.policy_docs_column_stale",
    ] {
        let row = acc.rows.iter().find(|r| r.rule == rule).expect(rule);
        assert!(row.truth > 0, "{rule} has no truth occurrences");
        assert_eq!(
            (row.fp, row.fn_),
            (0, 0),
            "{rule}: {} found for {} true\n{report}",
            row.found,
            row.truth
        );
    }
}
