//! The notice of a census with the seed notice's composition states its numbers and lists
//! every failing site with its problems.

use pucha_core::{Category, Verdict};
use pucha_report::notice::{annex_rows, build_notice, Block};
use pucha_report::sample::{seed_census, seed_failures, seed_sites};
use pucha_report::{render_notice_md, NoticeOptions};

#[test]
fn seed_census_numbers_are_stated() {
    let report = seed_census();
    let md = render_notice_md(&report, &NoticeOptions::default());
    std::fs::create_dir_all(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/artifacts"
    ))
    .ok();
    std::fs::write(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/artifacts/seed-notice.md"
        ),
        &md,
    )
    .ok();

    // Composition, as the sample built it.
    let sites = seed_sites();
    let count = |c: Category| sites.iter().filter(|s| s.category == c).count();
    assert_eq!(sites.len(), 53);
    let failing = seed_failures().len();
    assert_eq!(failing, 18);

    assert!(md.contains("共有运行政府网站53家"), "{md}");
    let cats = format!(
        "其中市级门户{}家、市级部门{}家、县市区门户{}家、园区{}家",
        count(Category::CityPortal),
        count(Category::Department),
        count(Category::CountyPortal),
        count(Category::Park)
    );
    assert!(md.contains(&cats), "missing {cats}");
    assert!(md.contains("1家、市级部门39家、县市区门户9家、园区4家"));
    assert!(md.contains("共检查网站53家"));
    assert!(md.contains(&format!("发现存在突出问题的网站{failing}家")));
    assert!(md.contains("不合格网站18家"));
    // The pass rate as a notice writes it: no formula, no method note.
    assert!(md.contains("合格率为66.04%。"), "{md}");
    assert!(!md.contains("35/53"));
    assert!(!md.contains("四舍五入"));
    assert!(md.contains("政府网站普查情况的通报"));
    assert!(!md.contains("人工核查相结合"));
    assert!(md.contains("国办秘函〔2019〕19号"));
    assert!(md.contains("2019年第三季度"));
    for h in [
        "一、总体情况",
        "二、主要问题",
        "三、下一步工作要求",
        "附件1　存在突出问题的政府网站名单",
        "附件2　存在其他问题的政府网站名单",
    ] {
        assert!(md.contains(h), "missing heading {h}");
    }

    // The annex lists exactly the failing sites, each with its problems.
    let rows = annex_rows(&report, false);
    assert_eq!(rows.len(), 18);
    for (i, vetoes) in seed_failures() {
        let site = &sites[i];
        let row = rows
            .iter()
            .find(|r| r.url == site.url.as_str())
            .unwrap_or_else(|| panic!("{} not in annex", site.name));
        assert_eq!(row.owner, site.owner());
        assert_eq!(row.result, "不合格");
        for (rule, n) in vetoes {
            let label = pucha_core::rule_ids::label_zh(rule);
            assert!(
                row.problems.contains(label),
                "{}: {} lacks {label}",
                site.name,
                row.problems
            );
            if n > 1 {
                assert!(
                    row.problems.contains(&n.to_string()),
                    "{} lacks count {n}",
                    row.problems
                );
            }
        }
        assert!(
            md.contains(&format!("| {} | {} |", row.name, row.owner)),
            "annex line of {}",
            row.name
        );
    }
    let seqs: Vec<usize> = rows.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (1..=18).collect::<Vec<_>>());
}

#[test]
fn main_problems_name_the_sites_of_each_kind() {
    let report = seed_census();
    let notice = build_notice(&report, &NoticeOptions::default());
    let problems = &notice.sections[1];
    assert_eq!(problems.heading, "二、主要问题");
    let text: String = problems
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Para(p) => Some(p.clone()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let sites = seed_sites();
    let para = |title: &str| {
        text.lines()
            .find(|l| l.contains(title))
            .unwrap_or_else(|| panic!("no paragraph {title}:\n{text}"))
            .to_string()
    };
    // The site with the serious wording error and the unanswered messages is named under both kinds.
    let s3 = &sites[3].name;
    assert!(para("内容审核把关不严").contains(&format!("{s3}（严重表述错误1处）")));
    assert!(para("互动回应不到位").contains(s3));
    assert!(para("栏目更新不及时").contains(&format!(
        "{}（动态要闻类、通知公告及政策文件类栏目不更新6个）",
        sites[5].name
    )));
    assert!(para("空白栏目较多").contains(&format!("{}（空白栏目7个）", sites[8].name)));
    // Deductions and norms are kept out of 突出问题 and named under 其他问题.
    let veto_paras: Vec<&str> = text.lines().filter(|l| l.starts_with('（')).collect();
    assert!(!veto_paras.is_empty());
    for l in &veto_paras {
        assert!(!l.contains("首页链接不可用"), "{l}");
        assert!(!l.contains("公安机关备案标识"), "{l}");
    }
    assert!(!text.contains("网站标识及网页标签不规范"));
    assert!(para("其他问题").contains("首页链接不可用2个"));
    assert!(para("其他问题").contains("网站底部缺少公安机关备案标识"));
    // Each paragraph counts the sites it names.
    let blank = report
        .sites
        .iter()
        .filter(|s| {
            s.finding(pucha_core::rule_ids::VETO_BLANK_COLUMNS)
                .is_some()
        })
        .count();
    assert!(para("空白栏目较多").contains(&format!("{blank}家网站存在空白栏目")));
}

#[test]
fn errors_and_pending_reviews_are_marked() {
    let mut report = seed_census();
    let reason = "重试 3 次后仍无法连接";
    let victim = report
        .sites
        .iter()
        .position(|s| s.verdict == Verdict::Pass)
        .unwrap();
    let site = report.sites[victim].site.clone();
    report.sites[victim] = pucha_core::SiteResult::error(site.clone(), reason, 3);
    let wording = report
        .sites
        .iter_mut()
        .find(|s| {
            s.finding(pucha_core::rule_ids::VETO_SERIOUS_WORDING_ERROR)
                .is_some()
        })
        .unwrap();
    wording.findings[0].needs_review = true;
    wording.needs_review = true;
    report.summary = pucha_core::Summary::from_results(&report.sites);

    let md = render_notice_md(&report, &NoticeOptions::default());
    assert!(md.contains("合格率为65.38%"), "{md}");
    assert!(md.contains("另有1家网站检测失败，未计入检查网站数"), "{md}");
    assert!(md.contains("本次未能完成检测："), "{md}");
    // The site still fails on a confirmed veto (unanswered messages): plain 不合格, not 待复核.
    assert!(!md.contains("含待复核网站"), "{md}");
    assert!(md.contains("严重表述错误1处（待复核）"));
    assert!(!md.contains("）（待复核）"));
    let rows = annex_rows(&report, false);
    assert!(!rows.iter().any(|r| r.result == "不合格（待复核）"));
    // Once every veto of the site awaits a person, it is counted and marked 待复核.
    let wording = report
        .sites
        .iter_mut()
        .find(|s| {
            s.finding(pucha_core::rule_ids::VETO_SERIOUS_WORDING_ERROR)
                .is_some()
        })
        .unwrap();
    for f in wording.findings.iter_mut() {
        f.needs_review = true;
    }
    let md = render_notice_md(&report, &NoticeOptions::default());
    assert!(md.contains("不合格网站18家（含待复核网站1家）"), "{md}");
    let rows = annex_rows(&report, false);
    assert_eq!(rows.len(), 19);
    let err = rows.iter().find(|r| r.url == site.url.as_str()).unwrap();
    assert_eq!(err.result, "检测失败");
    assert_eq!(err.problems, "未能完成检测");
    assert!(!md.contains(reason));
    assert!(rows.iter().any(|r| r.result == "不合格（待复核）"));
}

#[test]
fn sampled_runs_jiucuo_and_options_are_stated() {
    let mut report = seed_census();
    report.run.sites_total = 212;
    let opts = NoticeOptions {
        issuer: "示例市政务服务监督管理局".into(),
        doc_number: Some("示政管函〔2019〕12号".into()),
        provincial_basis: Some("《示例省政府网站检查实施方案》".into()),
        deadline_days: 10,
        jiucuo: Some(pucha_report::notice::JiucuoStats {
            received: 18,
            closed_on_time: 17,
        }),
        ..NoticeOptions::default()
    };
    let md = render_notice_md(&report, &opts);
    assert!(
        md.starts_with("# 示例市政务服务监督管理局关于2019年第三季度全市政府网站普查情况的通报")
    );
    assert!(md.contains("示政管函〔2019〕12号"));
    assert!(md.contains("（国办秘函〔2019〕19号）和《示例省政府网站检查实施方案》有关要求"));
    assert!(md.contains("抽查（抽查53家，占名单212家的25.00%）"), "{md}");
    assert!(md.contains("共收到网民留言18条，按时办结17条，按时办结率94.44%"));
    assert!(md.contains("10个工作日内完成整改"));
}

#[test]
fn html_escapes_what_sites_publish() {
    let mut report = seed_census();
    report.sites[0].site.name = "<script>alert(1)</script>&站".into();
    let html = pucha_report::render_html(&report, &[]);
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;站"));
    // Exactly one script element: the inline sorter.
    assert_eq!(html.matches("<script>").count(), 1);
}

#[test]
fn annex_lists_vetoes_once_with_the_problem_page() {
    use pucha_core::rule_ids as r;
    use pucha_report::notice::other_annex_rows;
    use pucha_report::sample::finding;
    let mut report = seed_census();
    let s = report
        .sites
        .iter_mut()
        .find(|s| s.finding(r::VETO_SERIOUS_WORDING_ERROR).is_some())
        .unwrap();
    let site = s.site.clone();
    // A duplicate of the same veto, an IPv6 deduction and a .gov.cn norm on the same site.
    s.findings
        .push(finding(&site, r::VETO_SERIOUS_WORDING_ERROR, 1));
    s.findings.push(finding(&site, r::DED_IPV6, 1));
    s.findings.push(finding(&site, r::NORM_DOMAIN_GOV_CN, 1));
    let rows = annex_rows(&report, false);
    let row = rows.iter().find(|r| r.url == site.url.as_str()).unwrap();
    assert_eq!(
        row.problems.matches("严重表述错误").count(),
        1,
        "{}",
        row.problems
    );
    assert!(!row.problems.contains(r::label_zh(r::DED_IPV6)));
    assert!(!row.problems.contains(r::label_zh(r::NORM_DOMAIN_GOV_CN)));
    assert!(!row.problems.contains(' '), "{}", row.problems);
    // The typical example is the page of the problem, not the homepage.
    assert_ne!(row.example_url, site.url.as_str());
    assert!(row.example_url.contains("/news/"), "{}", row.example_url);
    let other = other_annex_rows(&report);
    let orow = other.iter().find(|r| r.url == site.url.as_str()).unwrap();
    assert!(orow.problems.contains(r::label_zh(r::DED_IPV6)));
    assert!(!orow.problems.contains("严重表述错误"));
    let md = render_notice_md(&report, &NoticeOptions::default());
    let annex1 = md
        .split("## 附件1")
        .nth(1)
        .unwrap()
        .split("## 附件2")
        .next()
        .unwrap();
    assert!(!annex1.contains(r::label_zh(r::DED_IPV6)), "{annex1}");
}

#[test]
fn an_offline_checker_is_stated_in_the_method_paragraph() {
    let mut report = seed_census();
    let md = render_notice_md(&report, &NoticeOptions::default());
    assert!(!md.contains("无法访问外部网络"), "{md}");
    report.sites[0].crawl.external_unchecked_offline = 12;
    report.sites[3].crawl.external_unchecked_offline = 30;
    let md = render_notice_md(&report, &NoticeOptions::default());
    assert!(
        md.contains("检测期间检测系统无法访问外部网络（外网探测点均无响应），2家网站的42个外部链接未检测，未计为不可用链接"),
        "{md}"
    );
}

#[test]
fn the_basis_sentence_uses_the_seed_notices_wording() {
    let md = render_notice_md(&seed_census(), &NoticeOptions::default());
    assert!(
        md.contains("组织开展了2019年第三季度全市政府网站检测。现将有关情况通报如下："),
        "{md}"
    );
    assert!(md.contains("政府网站普查情况的通报"), "{md}");
}

#[test]
fn issue_date_contact_region_and_other_problems_come_from_the_options() {
    let report = seed_census();
    // Defaults: dated with the as-of date (and said so in the model), 附件2 carried, no contact line.
    let n = build_notice(&report, &NoticeOptions::default());
    assert!(n.dated_as_of);
    assert_eq!(n.date, "2019年9月30日");
    assert!(n.contact.is_none());
    assert!(n.other_annex_included && !n.other_annex.is_empty());
    let opts = NoticeOptions {
        issue_date: chrono::NaiveDate::from_ymd_opt(2019, 10, 8),
        contact_phone: Some("0816-2508459".into()),
        region_name: Some("示例市".into()),
        include_other_problems: false,
        ..NoticeOptions::default()
    };
    let n = build_notice(&report, &opts);
    assert!(!n.dated_as_of);
    assert_eq!(n.date, "2019年10月8日");
    assert_eq!(n.contact.as_deref(), Some("联系电话：0816-2508459"));
    assert!(n.other_annex.is_empty() && !n.other_annex_included);
    let md = render_notice_md(&report, &opts);
    assert!(md.contains("示例市共有运行政府网站53家"), "{md}");
    assert!(
        md.contains("联系电话：0816-2508459\n\n附件：存在突出问题的政府网站名单"),
        "{md}"
    );
    assert!(md.contains("2019年10月8日"));
    assert!(!md.contains("附件2") && !md.contains("其他问题。"), "{md}");
    let html = pucha_report::render_notice_html(&report, &opts);
    assert!(!html.contains("附件2") && html.contains("2019年10月8日"));
}
