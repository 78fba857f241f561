//! Every real page of /work/shared/real-pages against expected.json.

mod support;

#[test]
fn real_pages_match_expected() {
    let checks = support::run_all().unwrap_or_else(|e| panic!("{e}"));
    assert!(checks.len() > 100, "too few checks: {}", checks.len());
    for (field, (right, total)) in support::table(&checks) {
        println!("{field:<32} {right:>4}/{total}");
    }
    let wrong: Vec<String> = checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| format!("{} {}: {}", c.file, c.field, c.detail))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} checks wrong:\n{}",
        wrong.len(),
        checks.len(),
        wrong.join("\n")
    );
}
