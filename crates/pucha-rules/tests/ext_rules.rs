//! The checks beyond the 2019 indicators (`ext.*`): findings with their own ids and class,
//! verdicts and scores unchanged unless the pack promotes a rule.

mod common;

use common::*;
use pucha_core::rule_ids as ids;
use pucha_core::{ScoringMode, Severity, SiteResult, Verdict};
use pucha_rules::{evaluate, EvalContext, RulePack};

/// A valid 居民身份证号 (GB 11643-1999 check digit 0 for these 17 digits, computed in the test).
fn id_number() -> String {
    let first17 = "51070219900307123";
    let c = pucha_analyze::pii::id_check_char(first17.as_bytes()).unwrap() as char;
    format!("{first17}{c}")
}

const MOBILE: &str = "13812345678";

fn eval_with(pages: Vec<pucha_core::PageRecord>, pack: &RulePack, mode: ScoringMode) -> SiteResult {
    let as_of = d("2024-10-08");
    let ctx = EvalContext {
        as_of,
        mode,
        pack,
        probes: &[],
    };
    evaluate(&crawl(pages, vec![]), &ctx)
}

/// The healthy site plus one content page whose body is `body`, its PII facts found as
/// `pucha_analyze::analyze` finds them.
fn site(body: &str) -> Vec<pucha_core::PageRecord> {
    let as_of = d("2024-10-08");
    let mut pages = healthy(as_of);
    pages[0]
        .facts
        .links
        .push(link("/zwgk/ndbb/2023.html", "2023年度政府网站工作年度报表"));
    let mut p = content("/gzdt/2024/t1.html", d("2024-10-01"), body);
    p.facts.pii = pucha_analyze::pii::find(body);
    pages.push(p);
    pages
}

fn dirty_body() -> String {
    format!(
        "公示名单：1 张三 {MOBILE} 身份证号 {} 。本项目经四川省工商行政管理局和国土资源部批准。",
        id_number()
    )
}

const CLEAN_BODY: &str =
    "公示名单：1 张三 138****5678 身份证号 5107**********1234 。本项目经四川省市场监督管理局和自然资源部批准。";

fn without_ext(r: &SiteResult) -> Vec<String> {
    r.findings
        .iter()
        .filter(|f| !f.rule.starts_with("ext."))
        .map(|f| format!("{} {} {} {:?}", f.rule, f.count, f.triggered, f.points))
        .collect()
}

#[test]
fn ext_findings_have_their_ids_and_class_and_change_no_verdict() {
    let pack = RulePack::builtin();
    for mode in [ScoringMode::VetoOnly, ScoringMode::FullScore] {
        let clean = eval_with(site(CLEAN_BODY), &pack, mode);
        let dirty = eval_with(site(&dirty_body()), &pack, mode);
        assert!(
            clean.findings.iter().all(|f| !f.rule.starts_with("ext.")),
            "{:#?}",
            clean.findings
        );
        let pii = dirty
            .finding(ids::EXT_PERSONAL_INFO_EXPOSED)
            .expect("pii finding");
        assert_eq!(pii.severity, Severity::Extension);
        assert_eq!(pii.count, 2, "{pii:#?}");
        assert!(pii.needs_review);
        let names = dirty
            .finding(ids::EXT_OUTDATED_INSTITUTION_NAME)
            .expect("names finding");
        assert_eq!(names.severity, Severity::Extension);
        assert_eq!(names.count, 2, "{names:#?}");
        assert!(names
            .evidence
            .iter()
            .any(|e| e.detail.contains("「国土资源部」应为「自然资源部」")));
        assert_eq!(names.evidence[0].date, Some(d("2024-10-01")));
        // Same verdict, vetoes, score and other findings with and without them.
        assert_eq!(dirty.verdict, clean.verdict, "{mode:?}");
        assert_eq!(dirty.verdict, Verdict::Pass, "{:#?}", dirty.findings);
        assert_eq!(dirty.vetoes, clean.vetoes);
        assert_eq!(dirty.score, clean.score);
        assert_eq!(without_ext(&dirty), without_ext(&clean));
        assert!(dirty
            .findings
            .iter()
            .filter(|f| f.rule.starts_with("ext."))
            .all(|f| f.points.is_none()));
    }
}

#[test]
fn rendered_findings_never_hold_the_full_number() {
    let r = eval_with(
        site(&dirty_body()),
        &RulePack::builtin(),
        ScoringMode::FullScore,
    );
    let f = r.finding(ids::EXT_PERSONAL_INFO_EXPOSED).unwrap();
    let id = id_number();
    let rendered = [
        serde_json::to_string(f).unwrap(),
        serde_json::to_string(&r).unwrap(),
        format!("{f:?}"),
        format!("{f:#?}"),
        format!("{r:?}"),
        f.summary_zh.clone(),
    ];
    for text in &rendered {
        assert!(!text.contains(&id), "full ID in {text}");
        assert!(!text.contains(MOBILE), "full mobile in {text}");
    }
    assert!(
        rendered[0].contains(&format!("5107**********{}", &id[14..])),
        "{}",
        rendered[0]
    );
    assert!(rendered[0].contains("138****5678"), "{}", rendered[0]);
    // The page facts carry only the masked form too.
    let facts = &site(&dirty_body())[7].facts;
    let json = serde_json::to_string(&facts.pii).unwrap();
    assert!(!json.contains(&id) && !json.contains(MOBILE), "{json}");
}

#[test]
fn a_pack_can_promote_an_ext_rule_to_a_veto() {
    let pack = RulePack::from_overlay_str(
        "[extensions.promote]\n\"ext.personal_info_exposed\" = \"veto\"\n",
    )
    .unwrap();
    let r = eval_with(site(&dirty_body()), &pack, ScoringMode::VetoOnly);
    assert_eq!(r.verdict, Verdict::Fail);
    assert_eq!(r.vetoes, vec![ids::EXT_PERSONAL_INFO_EXPOSED.to_string()]);
    assert!(r.needs_review);
    let names = r.finding(ids::EXT_OUTDATED_INSTITUTION_NAME).unwrap();
    assert_eq!(names.severity, Severity::Extension);
    // Only ext rules and real classes can be promoted.
    assert!(RulePack::from_overlay_str(
        "[extensions.promote]\n\"veto.blank_columns\" = \"norm\"\n"
    )
    .is_err());
    assert!(RulePack::from_overlay_str(
        "[extensions.promote]\n\"ext.personal_info_exposed\" = \"info\"\n"
    )
    .is_err());
}

#[test]
fn overlay_entries_and_grace_period() {
    let pack = RulePack::from_overlay_str(
        "[extensions.outdated_names]\ngrace_days = 10000\n\
         [[extensions.outdated_names.extra]]\nold = \"丰阳市扶贫开发办公室\"\nnew = \"丰阳市乡村振兴局\"\nended = \"2021-02-25\"\n",
    )
    .unwrap();
    let r = eval_with(
        site("丰阳市扶贫开发办公室、国土资源部"),
        &pack,
        ScoringMode::VetoOnly,
    );
    // 10000 days of grace: no shipped name counts; the operator's name neither (ended 2021).
    assert!(
        r.finding(ids::EXT_OUTDATED_INSTITUTION_NAME).is_none(),
        "{:#?}",
        r.findings
    );
    let pack = RulePack::from_overlay_str(
        "[[extensions.outdated_names.extra]]\nold = \"丰阳市扶贫开发办公室\"\nnew = \"丰阳市乡村振兴局\"\nended = \"2021-02-25\"\n",
    )
    .unwrap();
    let r = eval_with(
        site("丰阳市扶贫开发办公室、国土资源部"),
        &pack,
        ScoringMode::VetoOnly,
    );
    assert_eq!(
        r.finding(ids::EXT_OUTDATED_INSTITUTION_NAME).unwrap().count,
        2
    );
}

#[test]
fn annual_report_missing_after_31_january() {
    let pack = RulePack::builtin();
    let at = |as_of: &str, pages: Vec<pucha_core::PageRecord>| {
        let ctx = EvalContext {
            as_of: d(as_of),
            mode: ScoringMode::FullScore,
            pack: &pack,
            probes: &[],
        };
        evaluate(&crawl(pages, vec![]), &ctx)
    };
    let bare = || healthy(d("2024-10-08"));
    // Missing, as of October 2024: the 2023 report is owed.
    let r = at("2024-10-08", bare());
    let f = r
        .finding(ids::EXT_ANNUAL_REPORT_MISSING)
        .expect("missing report");
    assert_eq!(f.severity, Severity::Extension);
    assert!(f.summary_zh.contains("2023"), "{f:#?}");
    let with_report = at("2024-10-08", site(CLEAN_BODY));
    assert!(with_report
        .finding(ids::EXT_ANNUAL_REPORT_MISSING)
        .is_none());
    assert_eq!(r.verdict, with_report.verdict);
    assert_eq!(r.score, with_report.score);
    // A report of another year does not count.
    let mut pages = bare();
    pages[0]
        .facts
        .links
        .push(link("/ndbb/2022.html", "2022年度政府网站工作年度报表"));
    assert!(at("2024-10-08", pages)
        .finding(ids::EXT_ANNUAL_REPORT_MISSING)
        .is_some());
    // Not owed yet on 31 January; owed on 1 February.
    assert!(at("2024-01-31", healthy(d("2024-01-31")))
        .finding(ids::EXT_ANNUAL_REPORT_MISSING)
        .is_none());
    assert!(at("2024-02-01", healthy(d("2024-02-01")))
        .finding(ids::EXT_ANNUAL_REPORT_MISSING)
        .is_some());
}
