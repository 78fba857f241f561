//! Re-check (复查) between two runs, trends, and the review file's decisions.

use pucha_core::rule_ids as r;
use pucha_core::{Report, Verdict};
use pucha_report::sample::{previous_census, seed_census, seed_sites};
use pucha_report::{diff, render_notice_md, Decision, NoticeOptions, Review, Trends};

#[test]
fn diff_sorts_problems_into_fixed_open_and_new() {
    let (before, after) = (previous_census(), seed_census());
    let d = diff(&before, &after);
    assert_eq!(d.sites.len(), 53);
    let sites = seed_sites();
    let of = |i: usize| d.site(&sites[i].key()).unwrap();

    let fixed = of(1);
    assert_eq!(fixed.verdict_before, Some(Verdict::Fail));
    assert_eq!(fixed.verdict_after, Some(Verdict::Pass));
    assert_eq!(fixed.fixed.len(), 1);
    assert_eq!(fixed.fixed[0].rule, r::VETO_BLANK_COLUMNS);
    assert_eq!(fixed.fixed[0].count_before, 6);

    let open = of(8);
    assert_eq!(open.still_open.len(), 1);
    assert_eq!(
        (
            open.still_open[0].count_before,
            open.still_open[0].count_after
        ),
        (9, 7)
    );
    assert!(open.fixed.is_empty() && open.new.is_empty());

    let new = of(5);
    assert_eq!(new.new.len(), 1);
    assert_eq!(new.new[0].rule, r::VETO_KEY_COLUMNS_STALE);

    // Totals add up over all sites: what was open before is either fixed or still open.
    let before_problems: usize = before
        .sites
        .iter()
        .map(|s| pucha_report::text::problems(s).len())
        .sum();
    let (f, o, n) = d.totals();
    assert_eq!(f + o, before_problems);
    let after_problems: usize = after
        .sites
        .iter()
        .map(|s| pucha_report::text::problems(s).len())
        .sum();
    assert_eq!(o + n, after_problems);

    let md = render_notice_md(
        &after,
        &NoticeOptions {
            recheck: Some(d.clone()),
            ..NoticeOptions::default()
        },
    );
    assert!(md.contains(&format!(
        "已整改问题{f}个，仍未整改问题{o}个，本次新发现问题{n}个"
    )));
    assert!(
        md.contains(&format!(
            "| {} | 不合格 → 合格 | 空白栏目6个 |",
            sites[1].name
        )),
        "{md}"
    );
}

#[test]
fn trends_follow_each_site_over_runs() {
    let t = Trends::build(&seed_census(), &[previous_census()]);
    assert_eq!(t.runs.len(), 2);
    assert_eq!(t.runs[0].run_id, "2019q2");
    assert_eq!(t.runs[1].pass_rate, Some(66.04));
    // 18 failing in Q3; Q2 had site 1 failing and site 5 passing instead.
    assert_eq!(t.runs[0].failed, 18);
    let s1 = t.site(&seed_sites()[1].key()).unwrap();
    let verdicts: Vec<_> = s1.points.iter().map(|p| p.verdict).collect();
    assert_eq!(verdicts, vec![Some(Verdict::Fail), Some(Verdict::Pass)]);
}

fn with_pending_wording(mut report: Report) -> (Report, String) {
    let site = report
        .sites
        .iter_mut()
        .find(|s| s.finding(r::VETO_SERIOUS_WORDING_ERROR).is_some())
        .unwrap();
    for f in &mut site.findings {
        f.needs_review = true;
    }
    site.needs_review = true;
    let key = site.site.key();
    report.summary = pucha_core::Summary::from_results(&report.sites);
    (report, key)
}

#[test]
fn review_drop_rederives_the_verdict_and_the_summary() {
    let (mut report, key) = with_pending_wording(seed_census());
    let mut review = Review::template(&report);
    assert_eq!(review.items.len(), 2);
    assert!(review.items.iter().all(|i| i.decision == Decision::Pending));

    // Save and load: the file a person edits.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.toml");
    review.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("decision = \"pending\""), "{text}");
    let edited = text.replacen("decision = \"pending\"", "decision = \"drop\"", 2);
    std::fs::write(&path, edited).unwrap();
    review = Review::load(&path).unwrap();

    let applied = review.apply(&mut report);
    assert_eq!(applied.dropped, 2);
    let site = report.sites.iter().find(|s| s.site.key() == key).unwrap();
    assert_eq!(site.verdict, Verdict::Pass);
    assert!(site.vetoes.is_empty());
    assert!(!site.needs_review);
    assert_eq!(report.summary.passed, 36);
    assert_eq!(report.summary.failed, 17);
    assert_eq!(report.summary.counts().pass_rate_text(), "36/53 = 67.92%");
    let md = render_notice_md(&report, &NoticeOptions::default());
    assert!(md.contains("合格率为67.92%"));
    assert!(!md.contains(&site.site.name));
}

#[test]
fn review_confirm_keeps_the_veto_and_clears_the_mark() {
    let (mut report, key) = with_pending_wording(seed_census());
    let before = render_notice_md(&report, &NoticeOptions::default());
    assert!(before.contains("严重表述错误1处（待复核）"));
    let mut review = Review::template(&report);
    review.decide(
        &key,
        r::VETO_SERIOUS_WORDING_ERROR,
        Decision::Confirm,
        "张三",
        "核实无误",
    );
    let applied = review.apply(&mut report);
    assert_eq!((applied.confirmed, applied.pending), (1, 1));
    let site = report.sites.iter().find(|s| s.site.key() == key).unwrap();
    assert_eq!(site.verdict, Verdict::Fail);
    // The unanswered-messages veto is still pending.
    assert!(site.needs_review);
    let md = render_notice_md(&report, &NoticeOptions::default());
    assert!(md.contains("严重表述错误1处；"));
    assert!(!md.contains("严重表述错误1处（待复核）"));

    // Applying twice changes nothing more.
    let again = report.clone();
    review.apply(&mut report);
    assert_eq!(report, again);
}

#[test]
fn write_all_creates_and_completes_the_review_file_without_losing_decisions() {
    let (report, key) = with_pending_wording(seed_census());
    let dir = tempfile::tempdir().unwrap();
    let w = pucha_report::write_all(&report, dir.path(), &[]).unwrap();
    let path = w.review.unwrap();
    let mut review = Review::load(&path).unwrap();
    assert_eq!(review.items.len(), 2);
    review.decide(&key, r::VETO_SERIOUS_WORDING_ERROR, Decision::Drop, "", "");
    review.save(&path).unwrap();
    pucha_report::write_all(&report, dir.path(), &[]).unwrap();
    let kept = Review::load(&path).unwrap();
    assert_eq!(
        kept.get(&key, r::VETO_SERIOUS_WORDING_ERROR)
            .unwrap()
            .decision,
        Decision::Drop
    );
}

#[test]
fn dropping_a_deduction_in_full_score_mode_gives_its_points_back() {
    let mut report = seed_census();
    report.run.mode = pucha_core::ScoringMode::FullScore;
    let site = report
        .sites
        .iter_mut()
        .find(|s| s.verdict == Verdict::Pass)
        .unwrap();
    let mut f = pucha_report::sample::finding(&site.site, r::DED_ONLINE_INTERVIEW, 1);
    f.points = Some(8.0);
    f.needs_review = true;
    site.findings.push(f);
    site.score = Some(55.0);
    site.verdict = Verdict::Fail;
    let key = site.site.key();
    report.summary = pucha_core::Summary::from_results(&report.sites);
    assert_eq!(report.summary.passed, 34);

    let mut review = Review::template(&report);
    review.decide(&key, r::DED_ONLINE_INTERVIEW, Decision::Drop, "", "");
    review.apply(&mut report);
    let site = report.sites.iter().find(|s| s.site.key() == key).unwrap();
    assert_eq!(site.score, Some(63.0));
    assert_eq!(site.verdict, Verdict::Pass);
    assert_eq!(report.summary.passed, 35);
}

#[test]
fn a_broken_review_file_is_an_error_that_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.toml");
    std::fs::write(
        &path,
        "[[item]]\nsite = \"x\"\nrule = \"y\"\ndecision = \"maybe\"\n",
    )
    .unwrap();
    let err = Review::load(&path).unwrap_err().to_string();
    assert!(err.contains("review.toml"), "{err}");
    assert!(err.contains("maybe"), "{err}");
}
