//! Rule tests at and around each threshold, on hand-built crawls.

mod common;

use chrono::{Days, Duration, Months, TimeZone, Utc};
use common::*;
use pucha_core::rule_ids as ids;
use pucha_core::{
    BrokenReason, LinkKind, LinkOutcome, PageKind, ProbeFailure, ProbeSample, Reachability,
    ScoringMode, ServiceGuide, SiteResult, Verdict,
};
use pucha_rules::{columns_at, evaluate, ColumnClass, EvalContext, RulePack};

fn as_of() -> chrono::NaiveDate {
    d("2024-10-08")
}

fn eval_with(crawl: &pucha_core::SiteCrawl, pack: &RulePack, mode: ScoringMode) -> SiteResult {
    let ctx = EvalContext {
        as_of: as_of(),
        mode,
        pack,
        probes: &[],
    };
    evaluate(crawl, &ctx)
}

fn eval(crawl: &pucha_core::SiteCrawl) -> SiteResult {
    eval_with(crawl, &RulePack::builtin(), ScoringMode::VetoOnly)
}

fn count(r: &SiteResult, rule: &str) -> u32 {
    r.finding(rule).map(|f| f.count).unwrap_or(0)
}

fn triggered(r: &SiteResult, rule: &str) -> bool {
    r.finding(rule).is_some_and(|f| f.triggered)
}

#[test]
fn healthy_site_passes_with_no_veto_findings() {
    let r = eval(&crawl(healthy(as_of()), vec![]));
    assert_eq!(r.verdict, Verdict::Pass, "{:#?}", r.findings);
    assert!(r.vetoes.is_empty());
    assert!(r.score.is_none());
    for f in &r.findings {
        assert_ne!(f.severity, pucha_core::Severity::Veto, "{f:#?}");
    }
}

fn with_blank(n: usize) -> SiteResult {
    let mut pages = healthy(as_of());
    for i in 0..n {
        pages.push(column(
            &format!("/blank{i}/"),
            &format!("空栏目{i}"),
            "信息公开",
            &[],
        ));
    }
    eval(&crawl(pages, vec![]))
}

#[test]
fn blank_columns_four_counts_five_vetoes() {
    let r4 = with_blank(4);
    assert_eq!(count(&r4, ids::VETO_BLANK_COLUMNS), 4);
    assert!(!triggered(&r4, ids::VETO_BLANK_COLUMNS));
    assert_eq!(r4.verdict, Verdict::Pass);
    let f = r4.finding(ids::VETO_BLANK_COLUMNS).unwrap();
    assert_eq!(f.summary_zh, "空白栏目 4 个");
    assert!(f.evidence[0].column.is_some());

    let r5 = with_blank(5);
    assert_eq!(count(&r5, ids::VETO_BLANK_COLUMNS), 5);
    assert!(r5.vetoes.contains(&ids::VETO_BLANK_COLUMNS.to_string()));
    assert_eq!(r5.verdict, Verdict::Fail);
}

#[test]
fn a_list_filled_by_script_is_a_review_item_not_a_blank_column() {
    let mut pages = healthy(as_of());
    for i in 0..5 {
        let mut c = column(
            &format!("/blank{i}/"),
            &format!("空栏目{i}"),
            "信息公开",
            &[],
        );
        // Four lists only a script fills (no placeholder on the page), one truly blank.
        if i < 4 {
            c.facts.placeholder = None;
            c.facts.list_needs_script = true;
            c.facts.main_text_chars = 20;
        }
        pages.push(c);
    }
    let r = eval(&crawl(pages.clone(), vec![]));
    let f = r.finding(ids::VETO_BLANK_COLUMNS).unwrap();
    assert_eq!(f.count, 1, "{f:#?}");
    assert!(!f.triggered);
    assert!(f.needs_review);
    assert_eq!(f.evidence.len(), 5);
    assert_eq!(
        f.summary_zh,
        "空白栏目 1 个；另有 4 个栏目列表由脚本加载，待复核"
    );
    assert_eq!(r.verdict, Verdict::Pass);
    // Neither are they stale columns without dates.
    let cols = columns_at(&crawl(pages, vec![]), &RulePack::builtin(), as_of());
    let c = cols.iter().find(|c| c.name == "空栏目0").unwrap();
    assert!(c.needs_script && c.blank.is_none() && !c.stale, "{c:#?}");
    assert!(r
        .finding(ids::VETO_LONG_TERM_STALE_COLUMNS)
        .is_none_or(|f| f
            .evidence
            .iter()
            .all(|e| e.column.as_deref() != Some("空栏目0"))));
    // A placeholder on the page still makes the column blank.
    let mut pages = healthy(as_of());
    let mut c = column("/blank9/", "空栏目9", "信息公开", &[]);
    c.facts.list_needs_script = true;
    c.facts.placeholder = Some("暂无信息".into());
    pages.push(c);
    assert_eq!(
        count(&eval(&crawl(pages, vec![])), ids::VETO_BLANK_COLUMNS),
        1
    );
}

#[test]
fn navigation_only_parent_is_not_blank() {
    let mut pages = healthy(as_of());
    // 政务公开 groups the columns whose breadcrumb goes through it; it lists nothing itself.
    let mut parent = column("/zwgk/", "政务公开", "信息公开", &[]);
    parent.facts.breadcrumb = vec!["首页".into(), "政务公开".into()];
    pages.push(parent);
    let r = eval(&crawl(pages.clone(), vec![]));
    assert_eq!(count(&r, ids::VETO_BLANK_COLUMNS), 0, "{:#?}", r.findings);
    let cols = columns_at(&crawl(pages, vec![]), &RulePack::builtin(), as_of());
    let p = cols.iter().find(|c| c.name == "政务公开").unwrap();
    assert!(p.nav_only && !p.leaf && !p.children.is_empty());
}

#[test]
fn placeholder_text_with_long_page_is_still_blank_when_no_items() {
    let mut pages = healthy(as_of());
    let mut c = column("/tjxx/", "统计信息", "信息公开", &[]);
    c.facts.placeholder = None;
    c.facts.main_text_chars = 20;
    pages.push(c);
    let r = eval(&crawl(pages, vec![]));
    assert_eq!(count(&r, ids::VETO_BLANK_COLUMNS), 1);
}

fn with_home_age(days: u64) -> SiteResult {
    let mut pages = healthy(as_of());
    pages[0] = home(as_of() - Days::new(days));
    // Columns fresh; only the homepage's own list matters.
    eval(&crawl(pages, vec![]))
}

#[test]
fn homepage_13_and_14_days_ok_15_vetoes() {
    assert_eq!(count(&with_home_age(13), ids::VETO_HOMEPAGE_NOT_UPDATED), 0);
    assert_eq!(count(&with_home_age(14), ids::VETO_HOMEPAGE_NOT_UPDATED), 0);
    let r = with_home_age(15);
    assert!(triggered(&r, ids::VETO_HOMEPAGE_NOT_UPDATED));
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(r
        .finding(ids::VETO_HOMEPAGE_NOT_UPDATED)
        .unwrap()
        .summary_zh
        .contains("15 天"));
}

#[test]
fn homepage_counts_pubdate_of_linked_content_pages() {
    let mut pages = healthy(as_of());
    pages[0] = home(as_of() - Days::new(40));
    pages[0].facts.links.push(link("/art/fresh.html", "新文章"));
    pages.push(content("/art/fresh.html", as_of() - Days::new(2), "正文"));
    assert_eq!(
        count(&eval(&crawl(pages, vec![])), ids::VETO_HOMEPAGE_NOT_UPDATED),
        0
    );
}

#[test]
fn navigation_only_homepage_uses_second_level_pages() {
    let mk = |age: u64| {
        let mut pages = healthy(as_of());
        let mut h = page("/", PageKind::Home, 0);
        h.facts.links = vec![
            nav("/gzdt/", "工作动态"),
            link("/ldxx/", "领导信箱"),
            link("/bsfw/", "办事服务"),
            link("/zcjd/", "政策解读"),
            link("/gk/", "机构职能"),
        ];
        pages[0] = h;
        pages[1] = column(
            "/gzdt/",
            "工作动态",
            "工作动态",
            &[as_of() - Days::new(age)],
        );
        for p in pages.iter_mut().skip(2) {
            p.depth = 2;
        }
        eval(&crawl(pages, vec![]))
    };
    assert_eq!(count(&mk(5), ids::VETO_HOMEPAGE_NOT_UPDATED), 0);
    let r = mk(20);
    assert!(triggered(&r, ids::VETO_HOMEPAGE_NOT_UPDATED));
    assert!(r
        .finding(ids::VETO_HOMEPAGE_NOT_UPDATED)
        .unwrap()
        .summary_zh
        .contains("导航"));
}

fn key_site(news_ages: &[u64], notice_newest: &[chrono::NaiveDate]) -> SiteResult {
    let mut pages = healthy(as_of());
    for (i, age) in news_ages.iter().enumerate() {
        pages.push(column(
            &format!("/dt{i}/"),
            &format!("部门动态{i}"),
            "工作动态",
            &[as_of() - Days::new(*age)],
        ));
    }
    for (i, n) in notice_newest.iter().enumerate() {
        pages.push(column(
            &format!("/gg{i}/"),
            &format!("公示公告{i}"),
            "通知公告",
            &[*n],
        ));
    }
    eval(&crawl(pages, vec![]))
}

#[test]
fn news_column_13_days_fresh_15_days_stale() {
    assert_eq!(
        count(&key_site(&[13, 14], &[]), ids::VETO_KEY_COLUMNS_STALE),
        0
    );
    assert_eq!(count(&key_site(&[15], &[]), ids::VETO_KEY_COLUMNS_STALE), 1);
    assert_eq!(count(&key_site(&[15], &[]), ids::DED_NEWS_COLUMNS), 1);
}

#[test]
fn notice_column_exactly_six_months_is_fresh() {
    let six = as_of().checked_sub_months(Months::new(6)).unwrap();
    assert_eq!(
        count(&key_site(&[], &[six]), ids::VETO_KEY_COLUMNS_STALE),
        0
    );
    let older = six - Days::new(1);
    assert_eq!(
        count(&key_site(&[], &[older]), ids::VETO_KEY_COLUMNS_STALE),
        1
    );
}

#[test]
fn key_columns_four_vs_five_with_both_subcounts() {
    let old = d("2023-01-01");
    let r4 = key_site(&[20, 30], &[old, old]);
    assert_eq!(count(&r4, ids::VETO_KEY_COLUMNS_STALE), 4);
    assert!(!triggered(&r4, ids::VETO_KEY_COLUMNS_STALE));
    let r5 = key_site(&[20, 30], &[old, old, old]);
    assert!(triggered(&r5, ids::VETO_KEY_COLUMNS_STALE));
    assert_eq!(
        r5.finding(ids::VETO_KEY_COLUMNS_STALE).unwrap().summary_zh,
        "动态要闻类栏目超两周未更新 2 个、通知公告、政策文件类栏目超六个月未更新 3 个"
    );
}

#[test]
fn undated_items_count_as_stale() {
    let mut pages = healthy(as_of());
    let mut c = column("/dt/", "部门动态", "工作动态", &[]);
    c.facts.placeholder = None;
    c.facts.main_text_chars = 400;
    c.facts.links.push(link("/dt/a.html", "无日期信息"));
    pages.push(c);
    let mut a = content("/dt/a.html", as_of(), "正文");
    a.facts.published = None;
    pages.push(a);
    let r = eval(&crawl(pages, vec![]));
    assert_eq!(
        count(&r, ids::VETO_KEY_COLUMNS_STALE),
        1,
        "{:#?}",
        r.findings
    );
    assert_eq!(count(&r, ids::VETO_BLANK_COLUMNS), 0);
}

fn long_term(n: usize) -> SiteResult {
    let mut pages = healthy(as_of());
    for i in 0..n {
        pages.push(column(
            &format!("/o{i}/"),
            &format!("权责清单{i}"),
            "信息公开",
            &[d("2023-09-01")],
        ));
    }
    // One column within its 12-month window never counts.
    pages.push(column(
        "/ok/",
        "双随机一公开",
        "信息公开",
        &[d("2023-11-01")],
    ));
    eval(&crawl(pages, vec![]))
}

#[test]
fn long_term_stale_nine_vs_ten() {
    let r9 = long_term(9);
    assert_eq!(count(&r9, ids::VETO_LONG_TERM_STALE_COLUMNS), 9);
    assert!(!triggered(&r9, ids::VETO_LONG_TERM_STALE_COLUMNS));
    let r10 = long_term(10);
    assert!(triggered(&r10, ids::VETO_LONG_TERM_STALE_COLUMNS));
    assert!(
        r10.finding(ids::VETO_LONG_TERM_STALE_COLUMNS)
            .unwrap()
            .needs_review
    );
}

fn consult(msgs: Vec<pucha_core::Message>, name: &str) -> SiteResult {
    let mut pages = healthy(as_of());
    let mut c = column("/zx/", name, "咨询投诉", &[]);
    c.facts.placeholder = None;
    c.facts.main_text_chars = 300;
    c.facts.messages = msgs;
    pages.push(c);
    eval(&crawl(pages, vec![]))
}

#[test]
fn message_exactly_three_months_is_not_overdue() {
    let three = as_of().checked_sub_months(Months::new(3)).unwrap();
    let r = consult(vec![message("问", "/zx/1.html", three, None)], "政务咨询");
    assert_eq!(count(&r, ids::VETO_CONSULTATION_UNANSWERED), 0);
    let r = consult(
        vec![message("问", "/zx/1.html", three - Days::new(1), None)],
        "政务咨询",
    );
    assert_eq!(count(&r, ids::VETO_CONSULTATION_UNANSWERED), 1);
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(r.needs_review);
    assert_eq!(
        r.finding(ids::VETO_CONSULTATION_UNANSWERED)
            .unwrap()
            .summary_zh,
        "政务咨询类栏目存在超过 3 个月未回复留言 1 条"
    );
}

#[test]
fn messages_older_than_a_year_or_in_excluded_columns_do_not_count() {
    let r = consult(
        vec![message("问", "/zx/1.html", d("2023-09-01"), None)],
        "政务咨询",
    );
    assert_eq!(count(&r, ids::VETO_CONSULTATION_UNANSWERED), 0);
    let r = consult(
        vec![message("问", "/zx/1.html", d("2024-03-01"), None)],
        "网上信访",
    );
    assert_eq!(count(&r, ids::VETO_CONSULTATION_UNANSWERED), 0);
}

#[test]
fn late_reply_is_configurable() {
    let msgs = vec![message(
        "问",
        "/zx/1.html",
        d("2024-01-01"),
        Some(d("2024-05-01")),
    )];
    assert_eq!(
        count(
            &consult(msgs.clone(), "政务咨询"),
            ids::VETO_CONSULTATION_UNANSWERED
        ),
        1
    );
    let pack = RulePack::from_overlay_str("[consultation]\nlate_reply_counts = false\n").unwrap();
    let mut pages = healthy(as_of());
    pages[6].facts.messages.extend(msgs);
    let r = eval_with(&crawl(pages, vec![]), &pack, ScoringMode::VetoOnly);
    assert_eq!(count(&r, ids::VETO_CONSULTATION_UNANSWERED), 0);
}

#[test]
fn answered_flag_without_date_is_answered_but_lacks_field() {
    let mut m = message("问", "/zx/1.html", d("2024-01-01"), None);
    m.answered_flag = Some(true);
    let r = consult(vec![m], "政务咨询");
    assert_eq!(count(&r, ids::VETO_CONSULTATION_UNANSWERED), 0);
    assert_eq!(count(&r, ids::DED_MESSAGE_FIELDS), 1);
}

#[test]
fn no_consultation_channel_and_no_service() {
    let recent = as_of() - Days::new(2);
    let mut h = page("/", PageKind::Home, 0);
    h.facts.dated_items.push(item("要闻", "/a.html", recent));
    let pages = vec![h, column("/gzdt/", "工作动态", "工作动态", &[recent])];
    let r = eval(&crawl(pages, vec![]));
    assert!(triggered(&r, ids::VETO_NO_CONSULTATION_CHANNEL));
    assert!(triggered(&r, ids::VETO_NO_ONLINE_SERVICE));
    // A 信访 entry is no consultation channel.
    let mut h = page("/", PageKind::Home, 0);
    h.facts.dated_items.push(item("要闻", "/a.html", recent));
    h.facts.links.push(link("/xf/", "网上信访"));
    let r = eval(&crawl(vec![h], vec![]));
    assert!(triggered(&r, ids::VETO_NO_CONSULTATION_CHANNEL));
    // Sites without a service function are not asked for services.
    let pack =
        RulePack::from_overlay_str(&format!("[services]\nno_service_sites = [\"{HOST}/\"]\n"))
            .unwrap();
    let mut h = page("/", PageKind::Home, 0);
    h.facts.dated_items.push(item("要闻", "/a.html", recent));
    let r = eval_with(&crawl(vec![h], vec![]), &pack, ScoringMode::VetoOnly);
    assert_eq!(count(&r, ids::VETO_NO_ONLINE_SERVICE), 0);
}

fn guides(missing: &[usize]) -> SiteResult {
    let pack = RulePack::builtin();
    let mut pages = healthy(as_of());
    for (i, n) in missing.iter().enumerate() {
        let mut g = content(&format!("/bsfw/{i}.html"), d("2024-05-01"), "办事指南");
        g.facts.service_guide = Some(ServiceGuide {
            item_name: Some(format!("事项{i}")),
            present: pack.services.key_elements[*n..].to_vec(),
            missing: pack.services.key_elements[..*n].to_vec(),
        });
        pages.push(g);
    }
    eval(&crawl(pages, vec![]))
}

#[test]
fn service_guides_veto_needs_five_guides_missing_four() {
    let r = guides(&[4, 4, 4, 4, 4]);
    assert!(triggered(&r, ids::VETO_SERVICE_GUIDE_ELEMENTS_MISSING));
    assert_eq!(count(&r, ids::DED_SERVICE_GUIDE_QUALITY), 5);
    let r = guides(&[4, 4, 4, 4, 3]);
    assert_eq!(count(&r, ids::VETO_SERVICE_GUIDE_ELEMENTS_MISSING), 4);
    assert!(!triggered(&r, ids::VETO_SERVICE_GUIDE_ELEMENTS_MISSING));
    let r = guides(&[1, 2, 0]);
    assert_eq!(count(&r, ids::VETO_SERVICE_GUIDE_ELEMENTS_MISSING), 0);
    assert_eq!(count(&r, ids::DED_SERVICE_GUIDE_QUALITY), 2);
}

#[test]
fn broken_links_split_homepage_and_other_blocked_never_counts() {
    let broken = |s| LinkOutcome::Broken {
        reason: BrokenReason::Status { status: s },
    };
    let links = vec![
        link_record("/", "/missing.jpg", broken(404), LinkKind::InternalResource),
        link_record(
            "/",
            "http://127.0.9.1:8080/",
            LinkOutcome::Broken {
                reason: BrokenReason::Refused,
            },
            LinkKind::External,
        ),
        link_record(
            "/",
            "/waf",
            LinkOutcome::Blocked {
                detail: "403 WAF".into(),
            },
            LinkKind::InternalPage,
        ),
        link_record("/gzdt/", "/a.doc", broken(404), LinkKind::Attachment),
        link_record("/gzdt/", "/a.doc", broken(404), LinkKind::Attachment),
        link_record("/tzgg/", "/a.doc", broken(404), LinkKind::Attachment),
        link_record(
            "/tzgg/",
            "https://x.gov.cn/",
            LinkOutcome::NotChecked {
                why: "egress".into(),
            },
            LinkKind::External,
        ),
        link_record(
            "/tzgg/",
            "/ok.html",
            LinkOutcome::Ok { status: 200 },
            LinkKind::InternalPage,
        ),
    ];
    let r = eval(&crawl(healthy(as_of()), links.clone()));
    assert_eq!(count(&r, ids::DED_BROKEN_LINKS_HOMEPAGE), 2);
    assert_eq!(count(&r, ids::DED_BROKEN_LINKS_OTHER), 2);
    let pack =
        RulePack::from_overlay_str("[links]\ndedupe = \"per_target\"\ncount_external = false\n")
            .unwrap();
    let r = eval_with(
        &crawl(healthy(as_of()), links),
        &pack,
        ScoringMode::VetoOnly,
    );
    assert_eq!(count(&r, ids::DED_BROKEN_LINKS_HOMEPAGE), 1);
    assert_eq!(count(&r, ids::DED_BROKEN_LINKS_OTHER), 1);
}

fn probes(total: usize, failed: usize) -> Vec<ProbeSample> {
    let start = Utc.with_ymd_and_hms(2024, 10, 1, 0, 0, 0).unwrap();
    (0..total)
        .map(|i| ProbeSample {
            content: None,
            at: start + Duration::minutes(30 * i as i64),
            elapsed_ms: 300,
            status: Some(200),
            failure: (i < failed).then_some(ProbeFailure::Timeout),
        })
        .collect()
}

#[test]
fn availability_five_percent_vetoes_below_is_a_deduction() {
    let pack = RulePack::builtin();
    let c = crawl(healthy(as_of()), vec![]);
    let p = probes(140, 7);
    let r = evaluate(
        &c,
        &EvalContext {
            as_of: as_of(),
            mode: ScoringMode::VetoOnly,
            pack: &pack,
            probes: &p,
        },
    );
    assert!(triggered(&r, ids::VETO_SITE_UNREACHABLE));
    assert!(!r.finding(ids::VETO_SITE_UNREACHABLE).unwrap().needs_review);
    let p = probes(140, 6);
    let r = evaluate(
        &c,
        &EvalContext {
            as_of: as_of(),
            mode: ScoringMode::VetoOnly,
            pack: &pack,
            probes: &p,
        },
    );
    assert_eq!(count(&r, ids::VETO_SITE_UNREACHABLE), 0);
    assert_eq!(count(&r, ids::DED_HOMEPAGE_AVAILABILITY), 6);
    // A slow answer (≥15 s) is a failure.
    let mut p = probes(20, 0);
    p[0].elapsed_ms = 15_000;
    let r = evaluate(
        &c,
        &EvalContext {
            as_of: as_of(),
            mode: ScoringMode::VetoOnly,
            pack: &pack,
            probes: &p,
        },
    );
    assert!(triggered(&r, ids::VETO_SITE_UNREACHABLE));
    assert!(
        r.finding(ids::VETO_SITE_UNREACHABLE).unwrap().needs_review,
        "20 probes < 7×20"
    );
}

#[test]
fn unreachable_site_gets_a_provisional_result() {
    let mut c = crawl(vec![], vec![]);
    c.reachability = Reachability::Unreachable {
        reason: "connection refused".into(),
    };
    let r = eval(&c);
    assert_eq!(r.verdict, Verdict::Fail);
    assert_eq!(r.vetoes, vec![ids::VETO_SITE_UNREACHABLE.to_string()]);
    assert!(r.needs_review);
    // Crawl probes: 3 of 3 failed, provisional, with the span said.
    c.probes = probes(3, 3);
    let r = eval(&c);
    let f = r.finding(ids::VETO_SITE_UNREACHABLE).unwrap();
    assert_eq!(f.count, 3);
    assert!(f.needs_review);
    assert!(
        f.evidence[0].detail.contains("3 次探测"),
        "{}",
        f.evidence[0].detail
    );
    // Monitor says healthy, crawl failed: the check itself failed.
    let p = probes(140, 0);
    let pack = RulePack::builtin();
    let r = evaluate(
        &c,
        &EvalContext {
            as_of: as_of(),
            mode: ScoringMode::VetoOnly,
            pack: &pack,
            probes: &p,
        },
    );
    assert_eq!(r.verdict, Verdict::Error);
}

#[test]
fn serious_wording_vetoes_once_per_page_and_form() {
    let mut pages = healthy(as_of());
    pages.push(content(
        "/art/1.html",
        d("2024-09-01"),
        "深入学习贯彻习近凭总书记重要讲话精神。再次强调习近凭总书记。",
    ));
    let mut list = column("/list/", "要闻", "工作动态", &[as_of()]);
    list.facts.body_text = "习近凭总书记重要讲话".into();
    pages.push(list);
    let r = eval(&crawl(pages, vec![]));
    let f = r.finding(ids::VETO_SERIOUS_WORDING_ERROR).unwrap();
    assert_eq!(f.count, 1, "{f:#?}");
    assert!(f.triggered && f.needs_review);
    assert!(f.evidence[0].snippet.as_deref().unwrap().contains("习近凭"));
    assert_eq!(r.verdict, Verdict::Fail);
}

#[test]
fn future_dates_are_falsification_signals() {
    let mut pages = healthy(as_of());
    pages.push(content("/art/2024/10/1/x.html", d("2024-12-01"), "正文"));
    let r = eval(&crawl(pages, vec![]));
    assert!(triggered(&r, ids::VETO_FALSIFICATION));
    assert!(r.finding(ids::VETO_FALSIFICATION).unwrap().needs_review);
}

#[test]
fn ip_host_is_a_norm_never_a_veto() {
    let mut c = crawl(healthy(as_of()), vec![]);
    c.site.url = url::Url::parse("http://127.0.2.1:8080/").unwrap();
    for p in &mut c.pages {
        p.url = p.url.replace(HOST, "http://127.0.2.1:8080");
        p.final_url = p.url.clone();
    }
    let r = eval(&c);
    assert_eq!(count(&r, ids::NORM_DOMAIN_GOV_CN), 1);
    assert_eq!(r.verdict, Verdict::Pass, "{:?}", r.vetoes);
}

#[test]
fn full_score_caps_items_and_scales_no_service_sites() {
    let mut pages = healthy(as_of());
    pages[0].facts.links.clear();
    pages[0].facts.links.push(link("/ldxx/", "领导信箱"));
    let links: Vec<_> = (0..10)
        .map(|i| {
            link_record(
                "/",
                &format!("/m{i}.jpg"),
                LinkOutcome::Broken {
                    reason: BrokenReason::Status { status: 404 },
                },
                LinkKind::InternalResource,
            )
        })
        .collect();
    let pack = RulePack::builtin();
    let r = eval_with(
        &crawl(pages.clone(), links.clone()),
        &pack,
        ScoringMode::FullScore,
    );
    let f = r.finding(ids::DED_BROKEN_LINKS_HOMEPAGE).unwrap();
    assert_eq!(f.count, 10);
    assert_eq!(f.points, Some(5.0), "capped at the item's 5 points");
    let total: f64 = r.findings.iter().filter_map(|f| f.points).sum();
    assert!((r.score.unwrap() - (100.0 - total)).abs() < 1e-6);
    assert_eq!(r.verdict, Verdict::Pass);

    let pack =
        RulePack::from_overlay_str(&format!("[services]\nno_service_sites = [\"{HOST}/\"]\n"))
            .unwrap();
    let r2 = eval_with(&crawl(pages, links), &pack, ScoringMode::FullScore);
    let non_service: f64 = r2.findings.iter().filter_map(|f| f.points).sum();
    let expected = (75.0 - non_service) * 4.0 / 3.0;
    assert!(
        (r2.score.unwrap() - (expected * 100.0).round() / 100.0).abs() < 0.011,
        "{:?} vs {expected}",
        r2.score
    );
}

#[test]
fn score_below_sixty_fails() {
    let pack = RulePack::from_overlay_str(
        "[scoring.items.\"ded.broken_links_homepage\"]\ngroup = \"function\"\npoints_each = 50.0\ncap = 50.0\n[scoring.groups]\nfunction = 50.0\n",
    )
    .unwrap();
    let links = vec![link_record(
        "/",
        "/m.jpg",
        LinkOutcome::Broken {
            reason: BrokenReason::Status { status: 404 },
        },
        LinkKind::InternalResource,
    )];
    let r = eval_with(
        &crawl(healthy(as_of()), links),
        &pack,
        ScoringMode::FullScore,
    );
    assert!(r.score.unwrap() < 60.0);
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(r.vetoes.is_empty());
}

#[test]
fn vetoed_site_has_no_score_in_full_score_mode() {
    let mut pages = healthy(as_of());
    pages[0] = home(d("2024-01-01"));
    let r = eval_with(
        &crawl(pages, vec![]),
        &RulePack::builtin(),
        ScoringMode::FullScore,
    );
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(r.score.is_none());
}

#[test]
fn classes_follow_names_then_column_type() {
    let pages = vec![
        home(as_of()),
        column("/a/", "人事公告", "通知公告", &[as_of()]),
        column("/b/", "政策解读", "政策文件", &[as_of()]),
        column("/c/", "栏目甲", "政策文件", &[as_of()]),
        column("/zwzx/", "栏目乙", "", &[as_of()]),
    ];
    let cols = columns_at(&crawl(pages, vec![]), &RulePack::builtin(), as_of());
    let class = |n: &str| cols.iter().find(|c| c.name == n).unwrap().class;
    assert_eq!(class("人事公告"), ColumnClass::Notice);
    assert_eq!(class("政策解读"), ColumnClass::Interpretation);
    assert_eq!(class("栏目甲"), ColumnClass::Policy);
    assert_eq!(class("栏目乙"), ColumnClass::Consultation);
    let b = cols.iter().find(|c| c.name == "政策解读").unwrap();
    assert!(!b.confident && b.class_reason.contains("以名称为准"));
}

#[test]
fn check_page_content_tags_pubdate_and_columntype() {
    let pack = RulePack::builtin();
    let mut p = content("/art/1.html", d("2024-09-01"), "正文");
    p.facts.meta.remove("ArticleTitle");
    p.facts.meta.insert("PubDate".into(), "2024/09/01".into());
    p.facts.meta.insert("ColumnType".into(), "".into());
    let url = url::Url::parse(&p.url).unwrap();
    let f = pucha_rules::check_page(&p.facts, &url, &pack);
    let get = |r: &str| f.iter().find(|x| x.rule == r).map(|x| x.count).unwrap_or(0);
    assert_eq!(get(ids::NORM_META_CONTENT_TAGS), 1);
    assert_eq!(get(ids::NORM_META_PUBDATE_FORMAT), 1);
    assert_eq!(get(ids::NORM_META_COLUMNTYPE_VOCAB), 1);
    assert_eq!(
        get(ids::NORM_META_COLUMN_TAGS),
        0,
        "an empty ColumnType is a vocabulary problem"
    );
    // Footer items are a homepage matter.
    assert_eq!(get(ids::NORM_FOOTER_PSB_RECORD), 0);

    // A group value real CMSs write is accepted; an unknown one is not.
    p.facts.meta.insert("ColumnType".into(), "信息公开".into());
    let f = pucha_rules::check_page(&p.facts, &url, &pack);
    assert!(f.iter().all(|x| x.rule != ids::NORM_META_COLUMNTYPE_VOCAB));
    p.facts.meta.insert("ColumnType".into(), "杂项栏目".into());
    let f = pucha_rules::check_page(&p.facts, &url, &pack);
    assert!(f.iter().any(|x| x.rule == ids::NORM_META_COLUMNTYPE_VOCAB));
}

#[test]
fn check_page_homepage_footer_items() {
    let pack = RulePack::builtin();
    let mut h = home(as_of());
    h.facts.footer.psb = pucha_core::FooterItem::default();
    h.facts.footer.contact.value = Some("联系电话：暂无".into());
    h.facts.footer.icp.value = Some("黔ICP备123号".into());
    h.facts.jiucuo_site_code = Some("5204000002".into());
    let url = url::Url::parse(&h.url).unwrap();
    let f = pucha_rules::check_page(&h.facts, &url, &pack);
    let get = |r: &str| f.iter().find(|x| x.rule == r);
    assert_eq!(
        get(ids::NORM_FOOTER_PSB_RECORD).unwrap().summary_zh,
        "网站底部缺少公安机关备案标识"
    );
    assert_eq!(get(ids::NORM_FOOTER_SPONSOR_CONTACT).unwrap().count, 1);
    assert!(
        get(ids::NORM_FOOTER_ICP).is_some(),
        "ICP number must have 8 digits"
    );
    assert!(get(ids::NORM_META_SITEIDCODE_CONSISTENCY).is_some());
    assert!(get(ids::NORM_FOOTER_CONAC_BADGE).is_none());
    assert!(
        get(ids::NORM_META_COLUMN_TAGS).is_none(),
        "homepages carry site tags only"
    );
}

#[test]
fn check_page_legacy_jiucuo_host_follows_the_pack() {
    let mut h = home(as_of());
    h.facts.links.push(link_abs(
        "https://pucha.kaipuyun.cn/exposure/jiucuo.html?site_code=5204000001",
        "我为政府网站找错",
    ));
    h.facts.footer.jiucuo.problems = vec!["legacy host".into()];
    let url = url::Url::parse(&h.url).unwrap();
    let f = pucha_rules::check_page(&h.facts, &url, &RulePack::builtin());
    assert!(
        f.iter().all(|x| x.rule != ids::NORM_FOOTER_JIUCUO),
        "{f:#?}"
    );
    let strict = RulePack::from_overlay_str("[footer]\nlegacy_jiucuo_is_defect = true\n").unwrap();
    let f = pucha_rules::check_page(&h.facts, &url, &strict);
    assert!(f.iter().any(|x| x.rule == ids::NORM_FOOTER_JIUCUO));
}

#[test]
fn columntype_values_that_name_a_class_are_accepted() {
    let pack = RulePack::builtin();
    let mut p = content("/art/1.html", d("2024-09-01"), "正文");
    let url = url::Url::parse(&p.url).unwrap();
    for (v, ok) in [
        ("洪湖要闻", true),
        ("绥滨新闻", true),
        ("政策文件", true),
        ("5", false),
        ("政务类", false),
    ] {
        p.facts.meta.insert("ColumnType".into(), v.into());
        let f = pucha_rules::check_page(&p.facts, &url, &pack);
        let flagged = f.iter().any(|x| x.rule == ids::NORM_META_COLUMNTYPE_VOCAB);
        assert_eq!(flagged, !ok, "{v}");
    }
}

#[test]
fn month_day_list_dates_guessed_a_year_ahead_still_count_as_fresh() {
    let mut pages = healthy(as_of());
    // "09-27" read as next year's date by an analyser without the check date.
    pages[0] = home(d("2025-10-05"));
    let r = eval(&crawl(pages, vec![]));
    assert_eq!(count(&r, ids::VETO_HOMEPAGE_NOT_UPDATED), 0);
    assert_eq!(
        count(&r, ids::VETO_FALSIFICATION),
        0,
        "list dates are no falsification signal by default"
    );
}

#[test]
fn a_target_that_answered_once_is_not_a_broken_link() {
    let links = vec![
        link_record(
            "/",
            "/gzdt/",
            LinkOutcome::Ok { status: 200 },
            LinkKind::InternalPage,
        ),
        link_record(
            "/tzgg/",
            "/gzdt/",
            LinkOutcome::Broken {
                reason: BrokenReason::Status { status: 503 },
            },
            LinkKind::InternalPage,
        ),
        link_record(
            "/tzgg/",
            "/",
            LinkOutcome::Broken {
                reason: BrokenReason::Status { status: 503 },
            },
            LinkKind::InternalPage,
        ),
    ];
    let r = eval(&crawl(healthy(as_of()), links));
    assert_eq!(
        count(&r, ids::DED_BROKEN_LINKS_OTHER),
        0,
        "{:#?}",
        r.findings
    );
}

/// Monitor samples every 6 hours over the 16 days before the check date, each with the
/// homepage's fingerprint: `fp(day_index)` gives it (day 0 = 16 days before `as_of`).
fn snapshots(fp: impl Fn(i64) -> &'static str) -> Vec<ProbeSample> {
    // 2024-10-08 00:00 UTC+8 minus 16 days.
    let start = Utc.with_ymd_and_hms(2024, 9, 21, 16, 0, 0).unwrap();
    (0..16 * 4)
        .map(|i| ProbeSample {
            content: Some(pucha_core::HomepageContent {
                newest: Some(d("2024-10-07")),
                fingerprint: fp(i / 4).to_string(),
            }),
            at: start + Duration::hours(6 * i),
            elapsed_ms: 300,
            status: Some(200),
            failure: None,
        })
        .collect()
}

fn eval_snapshots(pages: Vec<pucha_core::PageRecord>, p: &[ProbeSample]) -> SiteResult {
    let pack = RulePack::builtin();
    evaluate(
        &crawl(pages, vec![]),
        &EvalContext {
            as_of: as_of(),
            mode: ScoringMode::VetoOnly,
            pack: &pack,
            probes: p,
        },
    )
}

#[test]
fn homepage_snapshots_unchanged_over_the_window_veto_whatever_the_dates_say() {
    // The page shows an item dated yesterday, but what it lists never changed in 16 days.
    let r = eval_snapshots(healthy(as_of()), &snapshots(|_| "aaaa"));
    assert!(triggered(&r, ids::VETO_HOMEPAGE_NOT_UPDATED));
    let f = r.finding(ids::VETO_HOMEPAGE_NOT_UPDATED).unwrap();
    assert!(
        f.evidence[0].detail.contains("监测快照"),
        "{:?}",
        f.evidence
    );
}

#[test]
fn homepage_snapshot_change_inside_the_window_is_an_update_outside_is_not() {
    // Stale dates on the page (20 days), but the list changed 5 days before the check date.
    let mut pages = healthy(as_of());
    pages[0] = home(as_of() - Days::new(20));
    let changed_late = snapshots(|day| if day < 11 { "aaaa" } else { "bbbb" });
    let r = eval_snapshots(pages.clone(), &changed_late);
    assert_eq!(count(&r, ids::VETO_HOMEPAGE_NOT_UPDATED), 0);
    // Changed 15 days before (day 1), i.e. before the 14-day window: not updated.
    let changed_early = snapshots(|day| if day < 1 { "aaaa" } else { "bbbb" });
    let r = eval_snapshots(healthy(as_of()), &changed_early);
    assert!(triggered(&r, ids::VETO_HOMEPAGE_NOT_UPDATED));
}

#[test]
fn homepage_snapshots_that_do_not_cover_the_window_leave_it_to_the_dates() {
    // Only the last 3 days monitored: no snapshot before the window, the dates decide.
    let recent: Vec<ProbeSample> = snapshots(|_| "aaaa").into_iter().skip(13 * 4).collect();
    let r = eval_snapshots(healthy(as_of()), &recent);
    assert_eq!(count(&r, ids::VETO_HOMEPAGE_NOT_UPDATED), 0);
    // Monitoring stopped 5 days before the check date: the dates decide too.
    let stopped: Vec<ProbeSample> = snapshots(|_| "aaaa").into_iter().take(11 * 4).collect();
    let r = eval_snapshots(healthy(as_of()), &stopped);
    assert_eq!(count(&r, ids::VETO_HOMEPAGE_NOT_UPDATED), 0);
    // The pack can switch snapshots off.
    let mut pack = RulePack::builtin();
    pack.homepage_update.snapshots = false;
    let p = snapshots(|_| "aaaa");
    let r = evaluate(
        &crawl(healthy(as_of()), vec![]),
        &EvalContext {
            as_of: as_of(),
            mode: ScoringMode::VetoOnly,
            pack: &pack,
            probes: &p,
        },
    );
    assert_eq!(count(&r, ids::VETO_HOMEPAGE_NOT_UPDATED), 0);
}
