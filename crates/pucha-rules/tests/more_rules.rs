//! Tests of the interaction, publishing, content-safety and IPv6 rules at and around their
//! thresholds: ded.message_stats, ded.survey_feedback, ded.online_interview,
//! ded.policy_interpretation, ded.overview_info, veto.prohibited_content, veto.security_incident,
//! ded.ipv6.

mod common;

use chrono::{Days, Months};
use common::*;
use pucha_core::rule_ids as ids;
use pucha_core::{
    HiddenLink, Hiding, Ipv6Check, PageKind, PageRecord, PageRedirect, RedirectKind, ScoringMode,
    SiteResult, Verdict,
};
use pucha_rules::{evaluate, EvalContext, RulePack};

fn as_of() -> chrono::NaiveDate {
    d("2024-10-08")
}

fn eval_pack(pages: Vec<PageRecord>, pack: &RulePack) -> SiteResult {
    let c = crawl(pages, vec![]);
    evaluate(
        &c,
        &EvalContext {
            as_of: as_of(),
            mode: ScoringMode::VetoOnly,
            pack,
            probes: &[],
        },
    )
}

fn eval(pages: Vec<PageRecord>) -> SiteResult {
    eval_pack(pages, &RulePack::builtin())
}

fn count(r: &SiteResult, rule: &str) -> u32 {
    r.finding(rule).map(|f| f.count).unwrap_or(0)
}

fn recent() -> chrono::NaiveDate {
    as_of() - Days::new(3)
}

#[test]
fn healthy_site_has_none_of_these_findings() {
    let r = eval(healthy(as_of()));
    for rule in [
        ids::DED_MESSAGE_STATS,
        ids::DED_SURVEY_FEEDBACK,
        ids::DED_ONLINE_INTERVIEW,
        ids::DED_POLICY_INTERPRETATION,
        ids::DED_OVERVIEW_INFO,
        ids::VETO_PROHIBITED_CONTENT,
        ids::VETO_SECURITY_INCIDENT,
        ids::DED_IPV6,
    ] {
        assert_eq!(count(&r, rule), 0, "{rule}: {:#?}", r.finding(rule));
    }
}

// ------------------------------------------------------------------ ded.message_stats

fn without_stats_link(pages: &mut [PageRecord]) {
    for p in pages.iter_mut() {
        p.facts.links.retain(|l| !l.text.contains("统计"));
    }
}

#[test]
fn message_stats_missing_is_a_finding_needing_review() {
    let mut pages = healthy(as_of());
    without_stats_link(&mut pages);
    let r = eval(pages);
    let f = r.finding(ids::DED_MESSAGE_STATS).expect("finding");
    assert_eq!(f.count, 1);
    assert!(f.needs_review);
    assert_eq!(f.evidence[0].column.as_deref(), Some("领导信箱"));
    assert!(f.evidence[0].url.ends_with("/ldxx/"));
}

#[test]
fn message_stats_found_in_titles_and_context_links() {
    // A list title of the consultation column needs no message word of its own.
    let mut pages = healthy(as_of());
    without_stats_link(&mut pages);
    let consult = pages
        .iter_mut()
        .find(|p| p.url.ends_with("/ldxx/"))
        .unwrap();
    consult
        .facts
        .dated_items
        .push(item("2024年9月办理情况统计", "/ldxx/tj9.html", recent()));
    assert_eq!(count(&eval(pages), ids::DED_MESSAGE_STATS), 0);

    // Elsewhere, a statistics word counts only next to a message word.
    let mut pages = healthy(as_of());
    without_stats_link(&mut pages);
    pages[0].facts.links.push(link("/tjxx/", "统计信息"));
    assert_eq!(count(&eval(pages), ids::DED_MESSAGE_STATS), 1);
    let mut pages = healthy(as_of());
    without_stats_link(&mut pages);
    pages[0]
        .facts
        .links
        .push(link("/hd/sjgk.html", "网民留言数据公开"));
    assert_eq!(count(&eval(pages), ids::DED_MESSAGE_STATS), 0);
}

#[test]
fn message_stats_not_asked_without_a_consultation_channel() {
    let mut h = page("/", PageKind::Home, 0);
    h.facts
        .dated_items
        .push(item("要闻", "/a.html", as_of() - Days::new(1)));
    let r = eval(vec![h]);
    assert!(r.finding(ids::VETO_NO_CONSULTATION_CHANNEL).is_some());
    assert_eq!(count(&r, ids::DED_MESSAGE_STATS), 0);
}

// ------------------------------------------------------------------ ded.survey_feedback

fn survey(titles: &[&str]) -> PageRecord {
    let mut c = column("/zjdc/", "征集调查", "征集调查", &[]);
    c.facts.placeholder = None;
    c.facts.main_text_chars = 300;
    for (i, t) in titles.iter().enumerate() {
        c.facts.dated_items.push(item(
            t,
            &format!("/zjdc/{i}.html"),
            recent() - Days::new(i as u64 * 20),
        ));
    }
    c
}

#[test]
fn survey_column_without_feedback_counts_once() {
    let mut pages = healthy(as_of());
    pages.push(survey(&[
        "关于公交线路优化的网上问卷调查",
        "关于老旧小区改造的意见征集",
    ]));
    let r = eval(pages);
    let f = r.finding(ids::DED_SURVEY_FEEDBACK).expect("finding");
    assert_eq!(f.count, 1);
    assert!(f.needs_review);
    assert!(
        f.evidence[0].detail.contains("2 条"),
        "{}",
        f.evidence[0].detail
    );
    assert_eq!(f.evidence[0].column.as_deref(), Some("征集调查"));
}

#[test]
fn survey_feedback_item_or_result_column_answers() {
    let mut pages = healthy(as_of());
    pages.push(survey(&[
        "关于公交线路优化的网上问卷调查",
        "公交线路优化网上问卷调查结果反馈",
    ]));
    assert_eq!(count(&eval(pages), ids::DED_SURVEY_FEEDBACK), 0);

    let mut pages = healthy(as_of());
    pages.push(survey(&["关于公交线路优化的网上问卷调查"]));
    pages.push(column("/zjjg/", "征集结果", "征集调查", &[recent()]));
    assert_eq!(count(&eval(pages), ids::DED_SURVEY_FEEDBACK), 0);
}

#[test]
fn blank_survey_column_is_blank_not_without_feedback() {
    let mut pages = healthy(as_of());
    pages.push(column("/zjdc/", "征集调查", "征集调查", &[]));
    let r = eval(pages);
    assert_eq!(count(&r, ids::DED_SURVEY_FEEDBACK), 0);
    assert_eq!(count(&r, ids::VETO_BLANK_COLUMNS), 1);
}

// ------------------------------------------------------------------ ded.online_interview

fn without_interview_link(pages: &mut [PageRecord]) {
    pages[0].facts.links.retain(|l| !l.text.contains("访谈"));
}

fn interview_aged(newest: chrono::NaiveDate) -> SiteResult {
    let mut pages = healthy(as_of());
    without_interview_link(&mut pages);
    pages.push(column("/zxft/", "在线访谈", "在线访谈", &[newest]));
    eval(pages)
}

#[test]
fn interview_missing_is_a_finding_an_entry_link_is_enough() {
    let mut pages = healthy(as_of());
    without_interview_link(&mut pages);
    let r = eval(pages);
    let f = r.finding(ids::DED_ONLINE_INTERVIEW).expect("finding");
    assert_eq!(f.count, 1);
    assert!(f.needs_review);
    assert!(f.evidence[0].detail.contains("未发现在线访谈"));
    assert_eq!(count(&eval(healthy(as_of())), ids::DED_ONLINE_INTERVIEW), 0);
}

#[test]
fn interview_exactly_twelve_months_is_maintained_one_day_more_is_not() {
    let start = as_of() - Months::new(12);
    assert_eq!(count(&interview_aged(start), ids::DED_ONLINE_INTERVIEW), 0);
    let r = interview_aged(start - Days::new(1));
    let f = r.finding(ids::DED_ONLINE_INTERVIEW).expect("stale");
    assert!(f.evidence[0].detail.contains("12 个月"), "{f:#?}");
    // The window comes from the pack.
    let pack = RulePack::from_overlay_str("[interaction]\ninterview_window_months = 6\n").unwrap();
    let mut pages = healthy(as_of());
    without_interview_link(&mut pages);
    pages.push(column(
        "/zxft/",
        "在线访谈",
        "在线访谈",
        &[as_of() - Months::new(7)],
    ));
    assert_eq!(
        count(&eval_pack(pages, &pack), ids::DED_ONLINE_INTERVIEW),
        1
    );
}

// ------------------------------------------------------------------ ded.policy_interpretation

fn with_interp_column(newest: chrono::NaiveDate) -> SiteResult {
    let mut pages = healthy(as_of());
    let i = pages
        .iter()
        .position(|p| p.url.ends_with("/zcjd/"))
        .unwrap();
    pages[i] = column("/zcjd/", "政策解读", "政策解读", &[newest]);
    eval(pages)
}

#[test]
fn interpretation_column_six_months_fresh_one_day_more_stale() {
    let start = as_of() - Months::new(6);
    assert_eq!(
        count(&with_interp_column(start), ids::DED_POLICY_INTERPRETATION),
        0
    );
    let r = with_interp_column(start - Days::new(1));
    let f = r.finding(ids::DED_POLICY_INTERPRETATION).expect("stale");
    assert_eq!(f.count, 1);
    assert!(f.needs_review);
    assert!(f.summary_zh.contains("未按期更新 1 个"), "{}", f.summary_zh);
    assert_eq!(f.evidence[0].column.as_deref(), Some("政策解读"));
}

fn interp_page(path: &str, links: Vec<pucha_core::PageLink>) -> PageRecord {
    let mut p = content(path, recent(), "解读正文");
    p.facts.meta.insert("ColumnName".into(), "政策解读".into());
    p.facts.meta.insert("ColumnType".into(), "政策解读".into());
    p.facts.links = links;
    p
}

fn policy_page(path: &str) -> PageRecord {
    let mut p = content(path, recent(), "政策正文");
    p.facts.meta.insert("ColumnName".into(), "政策文件".into());
    p.facts.meta.insert("ColumnType".into(), "政策文件".into());
    p
}

#[test]
fn interpretation_pages_must_link_to_their_policy_document() {
    let mut pages = healthy(as_of());
    pages.push(policy_page("/zcwj/p1.html"));
    // Linked by target, by keyword, by document-title shape.
    pages.push(interp_page(
        "/zcjd/a1.html",
        vec![link("/zcwj/p1.html", "点击查看")],
    ));
    pages.push(interp_page(
        "/zcjd/a2.html",
        vec![link("/other/x.pdf", "政策原文")],
    ));
    pages.push(interp_page(
        "/zcjd/a3.html",
        vec![link(
            "/other/y.html",
            "丰阳市人民政府关于印发《丰阳市促进消费若干措施》的通知",
        )],
    ));
    assert_eq!(
        count(&eval(pages.clone()), ids::DED_POLICY_INTERPRETATION),
        0
    );
    // Not linked: only a link to the next interpretation, and a navigation link to the column.
    let mut nav_link = link("/zcwj/p1.html", "政策文件");
    nav_link.in_nav = true;
    pages.push(interp_page(
        "/zcjd/a4.html",
        vec![
            link(
                "/zcjd/a1.html",
                "下一篇：关于印发《促进消费若干措施》的解读",
            ),
            nav_link,
        ],
    ));
    let r = eval(pages);
    let f = r.finding(ids::DED_POLICY_INTERPRETATION).expect("unlinked");
    assert_eq!(f.count, 1);
    assert!(f.evidence[0].url.ends_with("/zcjd/a4.html"));
    assert!(f.summary_zh.contains("未关联"), "{}", f.summary_zh);
}

#[test]
fn no_interpretation_at_all_is_one_finding() {
    let mut pages = healthy(as_of());
    pages.retain(|p| !p.url.ends_with("/zcjd/"));
    pages[0].facts.links.retain(|l| !l.text.contains("解读"));
    let r = eval(pages);
    let f = r.finding(ids::DED_POLICY_INTERPRETATION).expect("missing");
    assert_eq!(f.count, 1);
    assert!(f.evidence[0].detail.contains("未发现政策解读"));
}

// ------------------------------------------------------------------ ded.overview_info

fn static_page(path: &str, name: &str, ctype: &str, body: &str) -> PageRecord {
    let mut p = content(path, d("2024-03-01"), body);
    p.facts.meta.insert("ColumnName".into(), name.into());
    p.facts.meta.insert("ColumnType".into(), ctype.into());
    p
}

fn overview_pages(function_body: &str, leader_body: &str) -> Vec<PageRecord> {
    let mut pages = healthy(as_of());
    pages.push(static_page("/gk/", "机构职能", "机构职能", function_body));
    pages.push(static_page(
        "/ldxx/info.html",
        "领导信息",
        "负责人信息",
        leader_body,
    ));
    pages
}

const FUNCTION_OK: &str =
    "主要职责：贯彻执行有关法律法规。内设机构：办公室、政策法规科。联系电话：0833-1234567";
const LEADER_OK: &str = "张三 局长 简历：1975年出生，大学学历。分工：主持全面工作。";

#[test]
fn overview_sections_showing_their_elements_pass() {
    let r = eval(overview_pages(FUNCTION_OK, LEADER_OK));
    assert_eq!(
        count(&r, ids::DED_OVERVIEW_INFO),
        0,
        "{:#?}",
        r.finding(ids::DED_OVERVIEW_INFO)
    );
}

#[test]
fn overview_sections_missing_elements_are_named() {
    let r = eval(overview_pages(
        "主要职责：贯彻执行有关法律法规。内设机构：办公室、政策法规科。",
        "张三 局长 分工：主持全面工作。",
    ));
    let f = r.finding(ids::DED_OVERVIEW_INFO).expect("finding");
    assert_eq!(f.count, 2);
    assert!(f.needs_review);
    let details: Vec<&str> = f.evidence.iter().map(|e| e.detail.as_str()).collect();
    assert!(
        details
            .iter()
            .any(|d| d.starts_with("机构职能") && d.ends_with("联系方式")),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|d| d.starts_with("负责人信息") && d.ends_with("简历")),
        "{details:?}"
    );
}

#[test]
fn overview_missing_leader_section_is_one_occurrence() {
    let mut pages = healthy(as_of());
    pages[0].facts.links.retain(|l| &*l.text != "领导信息");
    let r = eval(pages);
    let f = r.finding(ids::DED_OVERVIEW_INFO).expect("finding");
    assert_eq!(f.count, 1);
    assert!(f.evidence[0].detail.contains("负责人信息"));
}

// ------------------------------------------------------------------ veto.prohibited_content

fn hidden(url: &str, text: &str, hiding: Hiding) -> HiddenLink {
    HiddenLink {
        url: url.into(),
        text: text.into(),
        hiding,
    }
}

#[test]
fn prohibited_term_in_body_text_vetoes_pending_review() {
    let mut pages = healthy(as_of());
    pages.push(content(
        "/art/x.html",
        recent(),
        "网站首页 澳门赌场 百家乐 在线开户",
    ));
    let r = eval(pages);
    let f = r.finding(ids::VETO_PROHIBITED_CONTENT).expect("finding");
    assert!(f.triggered && f.needs_review);
    assert_eq!(f.count, 2);
    assert!(f.evidence[0]
        .snippet
        .as_deref()
        .unwrap()
        .contains("澳门赌场"));
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(r.needs_review);
}

#[test]
fn campaign_phrases_are_not_prohibited_content() {
    let mut pages = healthy(as_of());
    pages.push(content(
        "/art/y.html",
        recent(),
        "我市开展扫黄打非专项行动，严厉打击色情低俗信息，传承红色情怀",
    ));
    let r = eval(pages);
    assert_eq!(count(&r, ids::VETO_PROHIBITED_CONTENT), 0);
    assert_eq!(r.verdict, Verdict::Pass);
}

#[test]
fn hidden_gambling_link_on_every_page_is_one_occurrence_of_both_vetoes() {
    let mut pages = healthy(as_of());
    let n = pages.len() as u32;
    for p in pages.iter_mut() {
        p.facts.signals.hidden_links.push(hidden(
            "http://www.am-dc888.example/",
            "澳门博彩",
            Hiding::DisplayNone,
        ));
    }
    let r = eval(pages);
    let p = r.finding(ids::VETO_PROHIBITED_CONTENT).expect("prohibited");
    assert_eq!(p.count, 1);
    assert_eq!(
        p.evidence[0].target.as_deref(),
        Some("http://www.am-dc888.example/")
    );
    assert!(
        p.evidence[0].detail.contains(&format!("共 {n} 个页面")),
        "{}",
        p.evidence[0].detail
    );
    let s = r.finding(ids::VETO_SECURITY_INCIDENT).expect("security");
    assert_eq!(s.count, 1);
    assert!(s.triggered && s.needs_review);
    assert!(s.evidence[0].detail.contains("暗链"));
    let mut want = vec![
        ids::VETO_PROHIBITED_CONTENT.to_string(),
        ids::VETO_SECURITY_INCIDENT.to_string(),
    ];
    want.sort();
    let mut got = r.vetoes.clone();
    got.sort();
    assert_eq!(got, want);
}

#[test]
fn pack_terms_are_operator_extendable() {
    let mut pages = healthy(as_of());
    pages.push(content("/art/z.html", recent(), "专业代办假证，联系QQ"));
    assert_eq!(count(&eval(pages.clone()), ids::VETO_PROHIBITED_CONTENT), 0);
    let pack =
        RulePack::from_overlay_str("[prohibited]\nterms = [\"博彩\", \"代办假证\"]\n").unwrap();
    assert_eq!(
        count(&eval_pack(pages, &pack), ids::VETO_PROHIBITED_CONTENT),
        1
    );
}

// ------------------------------------------------------------------ veto.security_incident

fn with_hidden(links: Vec<HiddenLink>) -> SiteResult {
    let mut pages = healthy(as_of());
    pages[0].facts.signals.hidden_links = links;
    eval(pages)
}

#[test]
fn hidden_links_count_by_method_host_and_term() {
    // Off-screen to another host: a 暗链 even without a spam word.
    let r = with_hidden(vec![hidden(
        "http://seo.example/",
        "合作",
        Hiding::OffScreen,
    )]);
    assert_eq!(count(&r, ids::VETO_SECURITY_INCIDENT), 1);
    assert_eq!(count(&r, ids::VETO_PROHIBITED_CONTENT), 0);
    // display:none, as dropdown menus hide their links: only with a prohibited term.
    let r = with_hidden(vec![hidden(
        "http://seo.example/",
        "合作",
        Hiding::DisplayNone,
    )]);
    assert_eq!(count(&r, ids::VETO_SECURITY_INCIDENT), 0);
    // Another government site, hidden off-screen: not counted.
    let r = with_hidden(vec![hidden(
        "http://www.sc.gov.cn/",
        "四川省人民政府",
        Hiding::FontSizeZero,
    )]);
    assert_eq!(count(&r, ids::VETO_SECURITY_INCIDENT), 0);
    // The site itself: never.
    let r = with_hidden(vec![hidden(&u("/x.html"), "百家乐", Hiding::OffScreen)]);
    assert_eq!(count(&r, ids::VETO_SECURITY_INCIDENT), 0);
    // The pack can count weakly hidden links too.
    let pack = RulePack::from_overlay_str("[security]\nweak_hiding_needs_term = false\n").unwrap();
    let mut pages = healthy(as_of());
    pages[0].facts.signals.hidden_links =
        vec![hidden("http://seo.example/", "合作", Hiding::DisplayNone)];
    assert_eq!(
        count(&eval_pack(pages, &pack), ids::VETO_SECURITY_INCIDENT),
        1
    );
}

#[test]
fn homepage_redirect_to_another_host_is_a_signal() {
    let redirect = |url: &str| PageRedirect {
        kind: RedirectKind::Script,
        url: url.into(),
        code: format!("window.location.href=\"{url}\""),
    };
    let mut pages = healthy(as_of());
    pages[0]
        .facts
        .signals
        .redirects
        .push(redirect("http://spam.example/"));
    let r = eval(pages);
    let f = r.finding(ids::VETO_SECURITY_INCIDENT).expect("redirect");
    assert_eq!(f.count, 1);
    assert!(f.evidence[0].detail.contains("跳转到外部网站 spam.example"));
    assert!(f.evidence[0]
        .snippet
        .as_deref()
        .unwrap()
        .contains("location"));

    // On other pages (homepage mode), to the site itself, or to a government host: no signal.
    let mut pages = healthy(as_of());
    pages[1]
        .facts
        .signals
        .redirects
        .push(redirect("http://spam.example/"));
    pages[0].facts.signals.redirects.push(redirect(&u("/m/")));
    pages[0]
        .facts
        .signals
        .redirects
        .push(redirect("http://m.fy.gov.cn/"));
    assert_eq!(count(&eval(pages), ids::VETO_SECURITY_INCIDENT), 0);
}

// ------------------------------------------------------------------ ded.ipv6

fn with_ipv6(check: Option<Ipv6Check>, mode: ScoringMode) -> SiteResult {
    let mut c = crawl(healthy(as_of()), vec![]);
    c.ipv6 = check;
    let pack = RulePack::builtin();
    evaluate(
        &c,
        &EvalContext {
            as_of: as_of(),
            mode,
            pack: &pack,
            probes: &[],
        },
    )
}

#[test]
fn ipv6_no_aaaa_or_failed_connect_is_a_finding_not_checked_is_none() {
    let r = with_ipv6(
        Some(Ipv6Check::NoAaaa {
            detail: "www.fy.gov.cn 无 AAAA 记录".into(),
        }),
        ScoringMode::VetoOnly,
    );
    let f = r.finding(ids::DED_IPV6).expect("no AAAA");
    assert_eq!(f.count, 1);
    assert!(!f.needs_review, "auto = yes");
    assert!(f.evidence[0].detail.contains("AAAA"));
    let r = with_ipv6(
        Some(Ipv6Check::ConnectFailed {
            addr: "[2001:db8::1]:80".into(),
            error: "timed out".into(),
        }),
        ScoringMode::VetoOnly,
    );
    assert!(r.finding(ids::DED_IPV6).unwrap().evidence[0]
        .detail
        .contains("2001:db8::1"));
    for check in [
        None,
        Some(Ipv6Check::NotChecked {
            why: "egress policy".into(),
        }),
        Some(Ipv6Check::Reachable {
            addr: "[2001:db8::1]:80".into(),
        }),
    ] {
        assert_eq!(
            count(
                &with_ipv6(check.clone(), ScoringMode::VetoOnly),
                ids::DED_IPV6
            ),
            0,
            "{check:?}"
        );
    }
}

#[test]
fn ipv6_deducts_its_points_in_full_score_mode() {
    let with = with_ipv6(
        Some(Ipv6Check::NoAaaa {
            detail: "none".into(),
        }),
        ScoringMode::FullScore,
    );
    let without = with_ipv6(None, ScoringMode::FullScore);
    assert_eq!(with.finding(ids::DED_IPV6).unwrap().points, Some(1.0));
    assert!((without.score.unwrap() - with.score.unwrap() - 1.0).abs() < 1e-9);
}

#[test]
fn ipv6_is_judged_even_when_the_homepage_could_not_be_read() {
    let mut c = crawl(Vec::new(), vec![]);
    c.ipv6 = Some(Ipv6Check::NoAaaa {
        detail: "none".into(),
    });
    let pack = RulePack::builtin();
    let r = evaluate(
        &c,
        &EvalContext {
            as_of: as_of(),
            mode: ScoringMode::VetoOnly,
            pack: &pack,
            probes: &[],
        },
    );
    assert_eq!(r.verdict, Verdict::Error);
    assert_eq!(count(&r, ids::DED_IPV6), 1);
}
