//! A synthetic census with the composition of the seed notice (绵阳 2019 Q3: 53 sites =
//! 1 市级门户 + 39 市级部门 + 9 县市区门户 + 4 园区, 18 with outstanding problems), for tests,
//! documentation and trying the renderers without a crawl. Names and addresses are made up.

use chrono::{NaiveDate, TimeZone, Utc};
use pucha_core::rule_ids as r;
use pucha_core::{
    Category, CrawlStats, Evidence, Finding, Report, Run, ScoringMode, Severity, Site, SiteResult,
    Verdict,
};

const DEPARTMENTS: [&str; 39] = [
    "发展和改革委员会",
    "教育和体育局",
    "科学技术局",
    "经济和信息化局",
    "民族宗教事务委员会",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化广播电视和旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "国有资产监督管理委员会",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "林业局",
    "机关事务管理局",
    "信访局",
    "投资促进局",
    "政务服务监督管理局",
    "大数据中心",
    "粮食和物资储备局",
    "供销合作社",
    "地方金融监督管理局",
    "城市管理行政执法局",
    "人民防空办公室",
    "气象局",
    "档案馆",
];
const COUNTIES: [&str; 9] = [
    "东城区",
    "西城区",
    "南湖区",
    "北山县",
    "青川县",
    "白水县",
    "平安县",
    "长乐县",
    "江口市",
];
const PARKS: [&str; 4] = ["高新区", "经开区", "科创园区", "仙海区"];

fn site(i: usize, name: String, category: Category) -> Site {
    Site {
        url: format!("http://127.0.2.{}:8080/", i + 1)
            .parse()
            .expect("valid url"),
        sponsor: Some(name.replace("门户网站", "").replace("网站", "")),
        name,
        category,
        site_code: Some(format!("5107{:06}", 10 + i)),
    }
}

/// The 53 sites of the seed composition, in site-list order.
pub fn seed_sites() -> Vec<Site> {
    let mut v = vec![site(
        0,
        "示例市人民政府门户网站".into(),
        Category::CityPortal,
    )];
    for d in DEPARTMENTS {
        v.push(site(
            v.len(),
            format!("示例市{d}网站"),
            Category::Department,
        ));
    }
    for c in COUNTIES {
        v.push(site(
            v.len(),
            format!("示例市{c}人民政府门户网站"),
            Category::CountyPortal,
        ));
    }
    for p in PARKS {
        v.push(site(
            v.len(),
            format!("示例市{p}管委会网站"),
            Category::Park,
        ));
    }
    v
}

fn ev(site: &Site, path: &str, detail: &str) -> Evidence {
    Evidence {
        url: format!("{}{path}", site.url),
        detail: detail.to_string(),
        ..Evidence::default()
    }
}

/// A triggered finding with `count` pieces of evidence of the given shape.
pub fn finding(site: &Site, rule: &str, count: u32) -> Finding {
    let info = r::info(rule);
    let severity = info.map(|i| i.severity).unwrap_or(Severity::Info);
    let as_of = NaiveDate::from_ymd_opt(2019, 9, 30).expect("date");
    let evidence = (0..count.min(8))
        .map(|k| {
            let mut e = ev(site, &format!("col{k}/"), "");
            match rule {
                r::VETO_BLANK_COLUMNS => {
                    e.column = Some(format!("栏目{}", k + 1));
                    e.detail = "栏目无任何信息".into();
                }
                r::VETO_KEY_COLUMNS_STALE | r::VETO_LONG_TERM_STALE_COLUMNS => {
                    e.column = Some(format!("工作动态{}", k + 1));
                    e.date = as_of.checked_sub_days(chrono::Days::new(200 + 10 * k as u64));
                    e.detail = "最新信息发布日期距监测时间点超过期限".into();
                }
                r::VETO_CONSULTATION_UNANSWERED => {
                    e.url = format!("{}hudong/msg{k}.html", site.url);
                    e.column = Some("政务咨询".into());
                    e.date = as_of.checked_sub_days(chrono::Days::new(120 + k as u64));
                    e.detail = "留言超过3个月未回复".into();
                }
                r::VETO_SERIOUS_WORDING_ERROR => {
                    e.url = format!("{}news/{k}.html", site.url);
                    e.snippet = Some("……（示例文本：含错误表述的原文片段）……".into());
                    e.detail = "领导人姓名或重要表述错误".into();
                }
                r::DED_BROKEN_LINKS_HOMEPAGE | r::DED_BROKEN_LINKS_OTHER => {
                    e.url = site.url.to_string();
                    e.target = Some(format!("{}old/{k}.html", site.url));
                    e.detail = "HTTP 404".into();
                }
                _ => e.detail = r::label_zh(rule).to_string(),
            }
            e
        })
        .collect();
    Finding {
        rule: rule.to_string(),
        count,
        severity,
        triggered: true,
        needs_review: false,
        points: None,
        summary_zh: String::new(),
        evidence,
    }
}

/// Builds a site result, deriving vetoes and verdict from the findings.
pub fn result(site: Site, findings: Vec<Finding>) -> SiteResult {
    let vetoes: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == Severity::Veto && f.triggered)
        .map(|f| f.rule.clone())
        .collect();
    let needs_review = findings
        .iter()
        .any(|f| f.severity == Severity::Veto && f.triggered && f.needs_review);
    SiteResult {
        verdict: if vetoes.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Fail
        },
        site,
        vetoes,
        score: None,
        findings,
        needs_review,
        error: None,
        crawl: CrawlStats {
            pages_fetched: 120,
            links_found: 900,
            links_checked: 850,
            links_broken: 2,
            links_blocked: 1,
            links_not_checked: 47,
            skipped_robots: 3,
            cut_max_pages: 12,
            elapsed_ms: 42_000,
            ..CrawlStats::default()
        },
        attempts: 1,
    }
}

/// The run record of a sample census.
pub fn run(id: &str, as_of: NaiveDate) -> Run {
    Run {
        id: id.to_string(),
        as_of,
        mode: ScoringMode::VetoOnly,
        exec: Default::default(),
        rule_pack: "gb-2019".to_string(),
        started_at: Utc.from_utc_datetime(&as_of.and_hms_opt(1, 0, 0).expect("time")),
        finished_at: None,
        sites_total: 53,
        pack: None,
    }
}

/// Indices (into `seed_sites`) of the 18 sites with outstanding problems, with their vetoes.
/// 10 departments, 5 county portals and 3 parks fail; the city portal passes.
pub fn seed_failures() -> Vec<(usize, Vec<(&'static str, u32)>)> {
    vec![
        // A site with a serious wording error and unanswered messages.
        (
            3,
            vec![
                (r::VETO_SERIOUS_WORDING_ERROR, 1),
                (r::VETO_CONSULTATION_UNANSWERED, 4),
            ],
        ),
        // One with ≥5 stale key columns.
        (5, vec![(r::VETO_KEY_COLUMNS_STALE, 6)]),
        // One with ≥5 blank columns.
        (8, vec![(r::VETO_BLANK_COLUMNS, 7)]),
        (11, vec![(r::VETO_BLANK_COLUMNS, 5)]),
        (14, vec![(r::VETO_KEY_COLUMNS_STALE, 5)]),
        (17, vec![(r::VETO_CONSULTATION_UNANSWERED, 2)]),
        (21, vec![(r::VETO_LONG_TERM_STALE_COLUMNS, 12)]),
        (26, vec![(r::VETO_HOMEPAGE_NOT_UPDATED, 1)]),
        (30, vec![(r::VETO_NO_CONSULTATION_CHANNEL, 1)]),
        (36, vec![(r::VETO_SITE_UNREACHABLE, 1)]),
        (
            41,
            vec![(r::VETO_BLANK_COLUMNS, 9), (r::VETO_KEY_COLUMNS_STALE, 5)],
        ),
        (42, vec![(r::VETO_KEY_COLUMNS_STALE, 8)]),
        (44, vec![(r::VETO_CONSULTATION_UNANSWERED, 1)]),
        (46, vec![(r::VETO_SERVICE_GUIDE_ELEMENTS_MISSING, 3)]),
        (47, vec![(r::VETO_BLANK_COLUMNS, 6)]),
        (49, vec![(r::VETO_KEY_COLUMNS_STALE, 5)]),
        (50, vec![(r::VETO_BLANK_COLUMNS, 5)]),
        (52, vec![(r::VETO_LONG_TERM_STALE_COLUMNS, 10)]),
    ]
}

/// The seed census as of 2019-09-30: 53 sites, 18 failing, some passed sites with
/// non-vetoing problems (broken links, footer items) so that 二、主要问题 has them too.
pub fn seed_census() -> Report {
    census(
        run(
            "2019q3",
            NaiveDate::from_ymd_opt(2019, 9, 30).expect("date"),
        ),
        &seed_failures(),
    )
}

/// A census of the seed sites where `failures` (site index → vetoes) fail; every 7th site has
/// broken homepage links and every 11th lacks the 公安机关备案标识, whatever its verdict.
fn census(run: Run, failures: &[(usize, Vec<(&'static str, u32)>)]) -> Report {
    let results = seed_sites()
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let mut fs: Vec<Finding> = failures
                .iter()
                .find(|(k, _)| *k == i)
                .map(|(_, v)| v.iter().map(|(rule, n)| finding(&s, rule, *n)).collect())
                .unwrap_or_default();
            if i % 7 == 2 {
                fs.push(finding(&s, r::DED_BROKEN_LINKS_HOMEPAGE, 2));
            }
            if i % 11 == 4 {
                let mut f = finding(&s, r::NORM_FOOTER_PSB_RECORD, 1);
                f.summary_zh = "网站底部缺少公安机关备案标识".into();
                fs.push(f);
            }
            result(s, fs)
        })
        .collect();
    Report::new(run, results)
}

/// The quarter before the seed census (as of 2019-06-30), for re-check and trend tests:
/// site 1 had 6 blank columns (fixed since), site 5 passed (its stale columns are new),
/// site 8 had 9 blank columns (still open, now 7); everything else as in the seed census.
pub fn previous_census() -> Report {
    let mut failures = seed_failures();
    failures.retain(|(i, _)| *i != 5);
    for (i, v) in failures.iter_mut() {
        if *i == 8 {
            *v = vec![(r::VETO_BLANK_COLUMNS, 9)];
        }
    }
    failures.push((1, vec![(r::VETO_BLANK_COLUMNS, 6)]));
    census(
        run(
            "2019q2",
            NaiveDate::from_ymd_opt(2019, 6, 30).expect("date"),
        ),
        &failures,
    )
}
