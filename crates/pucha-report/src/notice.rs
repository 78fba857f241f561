//! The quarterly notice (通报) as a document model, drafted from a report's findings.
//!
//! The model (title, sections of paragraphs and tables, annex rows) is built once here
//! and rendered by `markdown` and `html`, so every format says the same thing.

use chrono::Datelike;
use pucha_core::{Category, Report, SiteResult, Verdict};
use serde::{Deserialize, Serialize};

use crate::diff::RunDiff;
use crate::text::{cn_num, finding_sentence, kind_of, pending_only, problems, result_label};
use crate::text::{other_problems, other_problems_text, problems_text, veto_problems};
use crate::text::{ProblemKind, OTHER_KIND, PROBLEM_KINDS};

/// The quarter's 我为政府网站找错 statistics, when the bureau supplies them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JiucuoStats {
    pub received: u32,
    pub closed_on_time: u32,
}

/// What the report alone cannot know: who issues the notice, to whom, and the deadlines.
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeOptions {
    /// 发文单位, e.g. "绵阳市政务服务监督管理局".
    pub issuer: String,
    /// The area covered, e.g. "全市".
    pub scope: String,
    /// 文号, when assigned.
    pub doc_number: Option<String>,
    /// 主送单位 line, ending in "：".
    pub recipients: String,
    /// The provincial notice cited after 国办秘函〔2019〕19号, e.g. "《四川省……》（川府公开办函〔2023〕15号）".
    pub provincial_basis: Option<String>,
    /// Working days given to rectify.
    pub deadline_days: u32,
    pub jiucuo: Option<JiucuoStats>,
    /// The re-check against the previous run (复查), when there is one.
    pub recheck: Option<RunDiff>,
    /// At most this many sites are named per problem kind in 二、主要问题 (the annex lists all).
    pub max_names: usize,
    /// List passed sites with deduction or norm problems in the annex too.
    pub annex_all_problem_sites: bool,
    /// 成文日期 (落款日期). When None the notice is dated with the run's as-of date
    /// (`Notice::dated_as_of` says so) and nothing in it depends on the day it is issued.
    pub issue_date: Option<chrono::NaiveDate>,
    /// 联系人, printed before the annex list.
    pub contact_person: Option<String>,
    /// 联系电话, printed before the annex list.
    pub contact_phone: Option<String>,
    /// The region named in 总体情况 ("截至…，绵阳市共有运行政府网站…"); the scope when None.
    pub region_name: Option<String>,
    /// Whether the notice carries 附件2 (其他问题) and the 其他问题 paragraph.
    pub include_other_problems: bool,
}

impl Default for NoticeOptions {
    fn default() -> Self {
        NoticeOptions {
            issuer: "××市政府网站主管单位".to_string(),
            scope: "全市".to_string(),
            doc_number: None,
            recipients: "各县（市、区）人民政府，各园区管委会，市级各部门：".to_string(),
            provincial_basis: None,
            deadline_days: 15,
            jiucuo: None,
            recheck: None,
            max_names: 30,
            annex_all_problem_sites: false,
            issue_date: None,
            contact_person: None,
            contact_phone: None,
            region_name: None,
            include_other_problems: true,
        }
    }
}

/// One block of a notice section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Block {
    Para(String),
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

/// A numbered section (一、总体情况 …).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

/// A row of the annex 存在突出问题的政府网站名单.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnexRow {
    /// 序号
    pub seq: usize,
    /// 类别
    pub category: String,
    /// 网站名称
    pub name: String,
    /// 填报单位 (Site::owner)
    pub owner: String,
    /// 首页地址
    pub url: String,
    /// 网站标识码
    pub site_code: String,
    /// 结果
    pub result: String,
    /// 得分, empty in veto_only mode
    pub score: String,
    /// 发现的突出问题
    pub problems: String,
    /// 典型问题示例 (first evidence URL)
    pub example_url: String,
}

impl AnnexRow {
    pub const HEADERS: [&'static str; 10] = [
        "序号",
        "类别",
        "网站名称",
        "填报单位",
        "首页地址",
        "网站标识码",
        "结果",
        "得分",
        "发现的突出问题",
        "典型问题示例",
    ];

    /// The columns of the published annex (the seed notice's, with 类别) that notice.html and
    /// notice.docx print; the last is the problems column, whose header each annex names.
    pub const DOC_HEADERS: [&'static str; 6] = [
        "序号",
        "类别",
        "填报单位",
        "首页地址",
        "结果",
        "发现的突出问题",
    ];

    /// The cells of [`AnnexRow::DOC_HEADERS`].
    pub fn doc_cells(&self) -> [String; 6] {
        [
            self.seq.to_string(),
            self.category.clone(),
            self.owner.clone(),
            self.url.clone(),
            self.result.clone(),
            self.problems.clone(),
        ]
    }

    pub fn cells(&self) -> [String; 10] {
        [
            self.seq.to_string(),
            self.category.clone(),
            self.name.clone(),
            self.owner.clone(),
            self.url.clone(),
            self.site_code.clone(),
            self.result.clone(),
            self.score.clone(),
            self.problems.clone(),
            self.example_url.clone(),
        ]
    }
}

/// The whole notice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    pub title: String,
    pub doc_number: Option<String>,
    pub recipients: String,
    pub basis: String,
    pub sections: Vec<Section>,
    pub issuer: String,
    /// 成文日期 (落款), "2019年10月8日": the configured issue date, else the run's as_of.
    pub date: String,
    /// True when no issue date was configured and `date` is the run's as-of date.
    pub dated_as_of: bool,
    /// "联系人：张三，联系电话：0816-2508459", when either is configured.
    pub contact: Option<String>,
    pub annex_title: String,
    pub annex: Vec<AnnexRow>,
    /// The second annex: deductions and norms, kept out of 突出问题.
    pub other_annex_title: String,
    pub other_annex: Vec<AnnexRow>,
    /// False when the notice was configured without 附件2 (`include_other_problems = false`).
    pub other_annex_included: bool,
}

/// The annex title, as the seed notice words it.
pub const ANNEX_TITLE: &str = "存在突出问题的政府网站名单";

/// The title of the second annex (deductions and norms).
pub const OTHER_ANNEX_TITLE: &str = "存在其他问题的政府网站名单";

/// Whether a site belongs in the annex: not passed, or awaiting a person, or (optionally) with any problem.
pub fn in_annex(s: &SiteResult, all_problem_sites: bool) -> bool {
    s.verdict != Verdict::Pass || s.needs_review || (all_problem_sites && !problems(s).is_empty())
}

/// The annex rows of a report (failing, errored and pending sites, in report order); the
/// problems column lists single-veto problems only.
pub fn annex_rows(report: &Report, all_problem_sites: bool) -> Vec<AnnexRow> {
    rows_of(
        report,
        |s| in_annex(s, all_problem_sites),
        problems_text,
        veto_problems,
    )
}

/// The annex of other problems (deductions and norms), one row per site that has any.
pub fn other_annex_rows(report: &Report) -> Vec<AnnexRow> {
    rows_of(
        report,
        |s| s.verdict != Verdict::Error && !other_problems(s).is_empty(),
        other_problems_text,
        other_problems,
    )
}

fn rows_of(
    report: &Report,
    keep: impl Fn(&SiteResult) -> bool,
    text: fn(&SiteResult) -> String,
    found: for<'a> fn(&'a SiteResult) -> Vec<&'a pucha_core::Finding>,
) -> Vec<AnnexRow> {
    report
        .sites
        .iter()
        .filter(|s| keep(s))
        .enumerate()
        .map(|(i, s)| AnnexRow {
            seq: i + 1,
            category: s.site.category.label_zh().to_string(),
            name: s.site.name.clone(),
            owner: s.site.owner().to_string(),
            url: s.site.url.to_string(),
            site_code: s.site.site_code.clone().unwrap_or_default(),
            result: result_label(s),
            score: s.score.map(fmt_score).unwrap_or_default(),
            problems: text(s),
            // The page of the problem (its evidence), not the homepage.
            example_url: found(s)
                .iter()
                .flat_map(|f| f.evidence.iter())
                .map(|e| e.url.clone())
                .find(|u| !u.is_empty())
                .unwrap_or_default(),
        })
        .collect()
}

/// A score with at most one decimal.
pub fn fmt_score(s: f64) -> String {
    let t = format!("{s:.1}");
    t.strip_suffix(".0").map(str::to_string).unwrap_or(t)
}

/// "2019年10月8日"
pub fn date_zh(d: chrono::NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The method paragraph's warning when the checker had no outside network: external links
/// were not checked (never counted broken), and a re-check from a networked machine is due.
fn offline_para(report: &Report) -> Option<String> {
    let (sites, links) = report
        .sites
        .iter()
        .filter(|r| r.crawl.external_unchecked_offline > 0)
        .fold((0usize, 0u64), |(n, l), r| {
            (n + 1, l + r.crawl.external_unchecked_offline)
        });
    (sites > 0).then(|| {
        format!(
            "检测期间检测系统无法访问外部网络（外网探测点均无响应），{sites}家网站的{links}个外部链接未检测，\
             未计为不可用链接，须在可访问外网的环境中复检。"
        )
    })
}
/// The pass rate as a notice writes it: "45.83%" (two decimals), "—" when nothing was checked.
pub fn rate_text(n: &pucha_core::Counts) -> String {
    pucha_core::pass_rate(n.passed, n.checked())
        .map(|r| format!("{r:.2}%"))
        .unwrap_or_else(|| "—".into())
}

/// Drafts the notice of a report.
pub fn build_notice(report: &Report, opts: &NoticeOptions) -> Notice {
    let as_of = report.run.as_of;
    let quarter = (as_of.month() - 1) / 3 + 1;
    let title = format!(
        "{}关于{}年第{}季度{}政府网站普查情况的通报",
        opts.issuer,
        as_of.year(),
        cn_num(quarter as usize),
        opts.scope
    );
    let provincial = opts
        .provincial_basis
        .as_deref()
        .map(|p| format!("和{p}"))
        .unwrap_or_default();
    let basis = format!(
        "根据《国务院办公厅秘书局关于印发政府网站与政务新媒体检查指标、监管工作年度考核指标的通知》\
         （国办秘函〔2019〕19号）{provincial}有关要求，{}以{}为监测时间点，组织开展了{}年第{}季度{}政府网站检测。\
         现将有关情况通报如下：",
        opts.issuer,
        date_zh(as_of),
        as_of.year(),
        cn_num(quarter as usize),
        opts.scope
    );
    let annex = annex_rows(report, opts.annex_all_problem_sites);
    let mut sections = vec![
        overview(report, opts, annex.len()),
        main_problems(report, opts),
    ];
    if let Some(d) = &opts.recheck {
        sections.push(recheck_section(d));
    }
    sections.push(requirements(opts));
    for (i, s) in sections.iter_mut().enumerate() {
        s.heading = format!("{}、{}", cn_num(i + 1), s.heading);
    }
    Notice {
        title,
        doc_number: opts.doc_number.clone(),
        recipients: opts.recipients.clone(),
        basis,
        sections,
        issuer: opts.issuer.clone(),
        date: date_zh(opts.issue_date.unwrap_or(as_of)),
        dated_as_of: opts.issue_date.is_none(),
        contact: contact_line(opts),
        annex_title: ANNEX_TITLE.to_string(),
        annex,
        other_annex_title: OTHER_ANNEX_TITLE.to_string(),
        other_annex: if opts.include_other_problems {
            other_annex_rows(report)
        } else {
            Vec::new()
        },
        other_annex_included: opts.include_other_problems,
    }
}

/// "联系人：张三，联系电话：0816-2508459" (either part alone when only one is given).
fn contact_line(opts: &NoticeOptions) -> Option<String> {
    fn nonempty(o: &Option<String>) -> Option<&str> {
        o.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    match (
        nonempty(&opts.contact_person),
        nonempty(&opts.contact_phone),
    ) {
        (Some(p), Some(t)) => Some(format!("联系人：{p}，联系电话：{t}")),
        (Some(p), None) => Some(format!("联系人：{p}")),
        (None, Some(t)) => Some(format!("联系电话：{t}")),
        (None, None) => None,
    }
}

fn overview(report: &Report, opts: &NoticeOptions, problem_sites: usize) -> Section {
    let s = &report.summary;
    let cats: Vec<String> = Category::ALL
        .iter()
        .filter_map(|c| s.by_category.get(c).map(|n| (c, n)))
        .map(|(c, n)| format!("{}{}家", c.label_zh(), n.total))
        .collect();
    let mut p1 = format!(
        "截至{}，{}共有运行政府网站{}家",
        date_zh(report.run.as_of),
        opts.region_name.as_deref().unwrap_or(&opts.scope),
        s.total
    );
    if !cats.is_empty() {
        p1.push_str(&format!("，其中{}", cats.join("、")));
    }
    p1.push('。');
    let counts = s.counts();
    let coverage = if report.run.sites_total == 0 || report.run.sites_total <= s.total {
        "全覆盖检查".to_string()
    } else {
        let pct = s.total as f64 * 100.0 / report.run.sites_total as f64;
        format!(
            "抽查（抽查{}家，占名单{}家的{pct:.2}%）",
            s.total, report.run.sites_total
        )
    };
    let mut p2 = format!(
        "本次检查采取系统扫描的方式进行{coverage}，共检查网站{}家",
        counts.checked()
    );
    if s.errors > 0 {
        p2.push_str(&format!(
            "（另有{}家网站检测失败，未计入检查网站数，名单见附件）",
            s.errors
        ));
    }
    p2.push_str(&format!(
        "。发现存在突出问题的网站{problem_sites}家，其中不合格网站{}家",
        s.failed
    ));
    let pending = report.sites.iter().filter(|s| pending_only(s)).count();
    if pending > 0 {
        p2.push_str(&format!("（含待复核网站{pending}家）"));
    }
    p2.push_str(&format!(
        "；合格网站{}家，合格率为{}。",
        s.passed,
        rate_text(&counts)
    ));
    let mut blocks = vec![Block::Para(p1), Block::Para(p2)];
    if let Some(p) = offline_para(report) {
        blocks.push(Block::Para(p));
    }
    if let Some(j) = &opts.jiucuo {
        let rate = pucha_core::pass_rate(j.closed_on_time as usize, j.received as usize)
            .map(|r| format!("{r:.2}%"))
            .unwrap_or_else(|| "—".into());
        blocks.push(Block::Para(format!(
            "本季度“我为政府网站找错”平台共收到网民留言{}条，按时办结{}条，按时办结率{rate}。",
            j.received, j.closed_on_time
        )));
    }
    let mut rows = Vec::new();
    for c in Category::ALL {
        if let Some(n) = s.by_category.get(&c) {
            rows.push(counts_row(c.label_zh(), n));
        }
    }
    rows.push(counts_row("合计", &counts));
    blocks.push(Block::Table {
        headers: COUNTS_HEADERS.map(String::from).to_vec(),
        rows,
    });
    Section {
        heading: "总体情况".to_string(),
        blocks,
    }
}

/// The columns of a counts table (the notice's 总体情况 table, the 概况 sheet of report.xlsx).
pub const COUNTS_HEADERS: [&str; 7] = [
    "类别",
    "运行网站数",
    "检查网站数",
    "合格",
    "不合格",
    "检测失败",
    "合格率",
];

/// One row of a counts table, in the order of [`COUNTS_HEADERS`].
fn counts_row(label: &str, n: &pucha_core::Counts) -> Vec<String> {
    vec![
        label.to_string(),
        n.total.to_string(),
        n.checked().to_string(),
        n.passed.to_string(),
        n.failed.to_string(),
        n.errors.to_string(),
        rate_text(n),
    ]
}

/// A site and its problem sentences of one kind.
pub type SiteProblems<'a> = (&'a SiteResult, Vec<String>);

/// The sites that have single-veto problems of each kind, with their sentences for that kind.
pub fn problems_by_kind(report: &Report) -> Vec<(&'static ProblemKind, Vec<SiteProblems<'_>>)> {
    let kinds: Vec<&'static ProblemKind> = PROBLEM_KINDS
        .iter()
        .chain(std::iter::once(&OTHER_KIND))
        .collect();
    kinds
        .into_iter()
        .map(|k| {
            let sites: Vec<(&SiteResult, Vec<String>)> = report
                .sites
                .iter()
                .filter(|s| s.verdict != Verdict::Error)
                .filter_map(|s| {
                    let v: Vec<String> = veto_problems(s)
                        .into_iter()
                        .filter(|f| kind_of(&f.rule).title == k.title)
                        .map(finding_sentence)
                        .collect();
                    (!v.is_empty()).then_some((s, v))
                })
                .collect();
            (k, sites)
        })
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

fn main_problems(report: &Report, opts: &NoticeOptions) -> Section {
    let mut blocks = Vec::new();
    for (i, (kind, sites)) in problems_by_kind(report).into_iter().enumerate() {
        let named: Vec<String> = sites
            .iter()
            .take(opts.max_names.max(1))
            .map(|(s, v)| format!("{}（{}）", s.site.name, v.join("；")))
            .collect();
        let more = if sites.len() > named.len() {
            format!("等{}家网站，完整名单见附件", sites.len())
        } else {
            String::new()
        };
        blocks.push(Block::Para(format!(
            "（{}）{}。{}家网站{}：{}{}。",
            cn_num(i + 1),
            kind.title,
            sites.len(),
            kind.lead,
            named.join("、"),
            more
        )));
    }
    let errors: Vec<&SiteResult> = report
        .sites
        .iter()
        .filter(|s| s.verdict == Verdict::Error)
        .collect();
    if !errors.is_empty() {
        let names: Vec<String> = errors.iter().map(|s| s.site.name.clone()).collect();
        blocks.push(Block::Para(format!(
            "此外，{}家网站本次未能完成检测：{}。",
            errors.len(),
            names.join("、")
        )));
    }
    if blocks.is_empty() {
        blocks.push(Block::Para("本次检查未发现突出问题。".to_string()));
    }
    let others = if opts.include_other_problems {
        other_annex_rows(report)
    } else {
        Vec::new()
    };
    if !others.is_empty() {
        let named: Vec<String> = others
            .iter()
            .take(opts.max_names.max(1))
            .map(|r| format!("{}（{}）", r.name, r.problems))
            .collect();
        let more = if others.len() > named.len() {
            format!("等{}家网站", others.len())
        } else {
            String::new()
        };
        blocks.push(Block::Para(format!(
            "其他问题。{}家网站存在扣分或规范性问题（不属于单项否决问题），名单见附件2：{}{}。",
            others.len(),
            named.join("、"),
            more
        )));
    }
    let pending = report
        .sites
        .iter()
        .any(|s| s.needs_review || s.findings.iter().any(|f| f.needs_review && f.triggered));
    if pending {
        blocks.push(Block::Para(
            "注：标注“待复核”的问题为系统初步发现、尚需人工核实的问题，经复核确认后方可作为通报依据。"
                .to_string(),
        ));
    }
    Section {
        heading: "主要问题".to_string(),
        blocks,
    }
}

fn recheck_section(d: &RunDiff) -> Section {
    let (fixed, open, new) = d.totals();
    let p = format!(
        "对照上次检查（{}，监测时间点{}）发现的问题进行复查：已整改问题{fixed}个，仍未整改问题{open}个，本次新发现问题{new}个。",
        d.run_before,
        date_zh(d.as_of_before)
    );
    let join = |v: &[crate::diff::ProblemRef]| {
        if v.is_empty() {
            "—".to_string()
        } else {
            v.iter()
                .map(|p| p.summary_zh.clone())
                .collect::<Vec<_>>()
                .join("；")
        }
    };
    let rows: Vec<Vec<String>> = d
        .sites
        .iter()
        .filter(|s| !s.is_quiet())
        .map(|s| {
            vec![
                s.name.clone(),
                s.verdict_change_zh(),
                join(&s.fixed),
                join(&s.still_open),
                join(&s.new),
            ]
        })
        .collect();
    let mut blocks = vec![Block::Para(p)];
    if !rows.is_empty() {
        blocks.push(Block::Table {
            headers: ["网站名称", "结论变化", "已整改", "仍未整改", "新发现"]
                .map(String::from)
                .to_vec(),
            rows,
        });
    }
    Section {
        heading: "整改复查情况".to_string(),
        blocks,
    }
}

fn requirements(opts: &NoticeOptions) -> Section {
    let paras = [
        format!(
            "（一）抓好问题整改。请附件所列网站的主办单位对照检查发现的问题，自本通报印发之日起{}个工作日内完成整改，\
             并将整改情况书面报送{}。标注“待复核”的问题经人工核实后另行反馈。",
            opts.deadline_days, opts.issuer
        ),
        "（二）严格内容审核把关。落实信息发布“三审”制度，严防严重表述错误等问题，确保发布信息准确、权威。".to_string(),
        "（三）及时回应公众关切。认真办理政务咨询类栏目留言和“我为政府网站找错”平台转办的网民留言，按时答复、公开。".to_string(),
        "（四）加强日常监测。定期自查栏目更新、空白栏目、链接可用性和网站标识等情况，及时更新全国政府网站基本信息。".to_string(),
    ];
    Section {
        heading: "下一步工作要求".to_string(),
        blocks: paras.into_iter().map(Block::Para).collect(),
    }
}
