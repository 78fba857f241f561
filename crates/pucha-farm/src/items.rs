//! The items of each column (articles, citizen messages, service guides), with
//! their dates, titles, bodies and the defects placed in them.

use chrono::{Days, NaiveDate};

use crate::names::{
    self, FIXED_PHRASES, GIVEN, ISSUES, PHRASE_SENTENCES, PLACES, SENTENCES, SURNAMES, TOPICS,
};
use crate::plan::{ColumnKind, ColumnPlan, MetaDefect, SitePlan, Style};
use crate::rng::Rng;

/// A link placed on purpose to a target that does not answer.
#[derive(Debug, Clone)]
pub(crate) struct Broken {
    /// Target as written in the page (may hold host/port markers).
    pub target: String,
    pub text: String,
    /// `internal_404`, `image_404`, `attachment_404` or `external_refused`.
    pub kind: &'static str,
}

/// A citizen message (留言) and its answer.
#[derive(Debug, Clone)]
pub(crate) struct Msg {
    pub asker: String,
    pub answered: Option<NaiveDate>,
    pub question: String,
    pub reply: String,
    pub unit: String,
}

/// A service guide: (label as shown, value) rows and the key elements it lacks.
#[derive(Debug, Clone)]
pub(crate) struct Guide {
    pub rows: Vec<(String, String)>,
    pub missing: Vec<&'static str>,
}

#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub id: u32,
    pub column: usize,
    pub title: String,
    pub date: NaiveDate,
    pub hm: (u32, u32),
    pub path: String,
    pub source: String,
    pub doc_no: Option<String>,
    pub paragraphs: Vec<String>,
    /// (wrong form, correct form) of a serious wording error in the body.
    pub wording: Option<(&'static str, &'static str)>,
    pub broken: Option<Broken>,
    /// A served attachment (PDF).
    pub attachment: Option<String>,
    pub no_source: bool,
    pub bad_pubdate: Option<String>,
    pub message: Option<Msg>,
    pub guide: Option<Guide>,
}

pub(crate) const GROUP_SLUGS: [&str; 4] = ["xwzx", "zwgk", "bsfw", "hdjl"];

/// Items per list page, by style.
pub(crate) fn per_page(style: Style) -> usize {
    match style {
        Style::Trs => 15,
        Style::Jcms => 15,
        Style::Dede => 10,
        Style::Hanweb => 12,
        Style::Modern => 10,
        // Short pages, so that the farm's columns page through the script pager and the
        // table layout's list_X_N.html links.
        Style::TrsWcm => 5,
        Style::OldTable => 5,
        // A jpage datastore holds every record of the column on its one list page.
        Style::HanwebDatastore => usize::MAX,
        Style::ScriptList => 10,
    }
}

/// Path of page `n` (1-based) of a column list.
pub(crate) fn list_path(style: Style, col: &ColumnPlan, n: usize) -> String {
    let g = GROUP_SLUGS[col.group];
    match (style.base(), n) {
        (Style::Trs, 1) => format!("/{g}/{}/index.html", col.slug),
        (Style::Trs, n) => format!("/{g}/{}/index_{}.html", col.slug, n - 1),
        (Style::Jcms, 1) => format!("/col/col{}/index.html", col.id),
        (Style::Jcms, n) => format!(
            "/col/col{}/index.html?uid={}&pageNum={n}",
            col.id,
            4000 + col.id
        ),
        (Style::Dede, 1) => format!("/{}/", col.slug),
        (Style::Dede, n) => format!("/{}/list_{}_{n}.html", col.slug, col.id - 1290),
        (Style::Hanweb, 1) => format!("/{}/list.shtml", col.slug),
        (Style::Hanweb, n) => format!("/{}/list_{n}.shtml", col.slug),
        (Style::Modern, 1) => format!("/{g}/{}/", col.slug),
        (Style::Modern, n) => format!("/{g}/{}/?page={n}", col.slug),
        (Style::TrsWcm | Style::OldTable | Style::HanwebDatastore | Style::ScriptList, _) => {
            unreachable!("base() is a first style")
        }
    }
}

fn item_path(style: Style, col: &ColumnPlan, id: u32, d: NaiveDate, rng: &mut Rng) -> String {
    use chrono::Datelike;
    let (y, m, day) = (d.year(), d.month(), d.day());
    let g = GROUP_SLUGS[col.group];
    match style {
        Style::Trs => format!("/{g}/{}/{y}{m:02}/t{y}{m:02}{day:02}_{id}.html", col.slug),
        Style::Jcms => format!("/art/{y}/{m}/{day}/art_{}_{id}.html", col.id),
        Style::Dede => format!("/a/{}/{y}{m:02}{day:02}/{id}.html", col.slug),
        Style::Hanweb => format!(
            "/{}/{y}{m:02}/{}.shtml",
            col.slug,
            rng.hex(32).to_lowercase()
        ),
        Style::Modern => format!("/{g}/{}/{id}.html", col.slug),
        Style::TrsWcm => item_path(Style::Trs, col, id, d, rng),
        Style::OldTable => format!("/html/{}/{id}.html", col.slug),
        Style::HanwebDatastore => item_path(Style::Jcms, col, id, d, rng),
        Style::ScriptList => item_path(Style::Modern, col, id, d, rng),
    }
}

fn person(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

fn pick_str(rng: &mut Rng, from: &[&'static str]) -> &'static str {
    from[rng.below(from.len())]
}

/// Fills `{t}`, `{c}`, `{u}`, `{n}`, `{m}` in a template.
fn fill(tpl: &str, topic: &str, unit: &str, rng: &mut Rng) -> String {
    tpl.replace("{t}", topic)
        .replace("{c}", names::CITY)
        .replace("{u}", unit)
        .replace("{n}", &rng.range(12, 480).to_string())
        .replace("{m}", &(rng.range(2, 90) * 100).to_string())
}

fn title(
    kind: ColumnKind,
    col: &ColumnPlan,
    plan: &SitePlan,
    d: NaiveDate,
    rng: &mut Rng,
) -> (String, Option<String>) {
    use chrono::Datelike;
    let t = *rng.pick(TOPICS);
    let u = &plan.sponsor;
    let year = d.year();
    let short = plan.name.replace("人民政府", "").replace("管理委员会", "");
    let doc_no = format!("{}〔{year}〕{}号", plan.doc_prefix, rng.range(1, 60));
    let s = match kind {
        ColumnKind::News => {
            let pat = [
                format!("{short}召开{t}工作推进会"),
                format!("{}调研{t}工作", person(rng)),
                format!("{short}举办{t}专题培训班"),
                format!("{}扎实推进{t}", rng.pick(names::COUNTIES).0),
                format!("{short}开展{t}宣传活动"),
                format!("{}{t}工作取得阶段性成效", names::CITY),
                format!(
                    "{short}召开{}年第{}次党组（扩大）会议",
                    year,
                    rng.range(2, 20)
                ),
            ];
            rng.pick(&pat).clone()
        }
        ColumnKind::Notice => {
            let pat = [
                format!("关于做好{t}有关工作的通知"),
                format!("关于开展{year}年度{t}工作的通知"),
                format!("{u}关于{t}有关事项的公告"),
                format!("关于{t}项目拟立项情况的公示"),
                format!(
                    "关于公开征求《{}{t}实施方案（征求意见稿）》意见的公告",
                    names::CITY
                ),
            ];
            rng.pick(&pat).clone()
        }
        ColumnKind::Policy => {
            let pat = [
                format!("{u}关于印发《{}{t}实施方案》的通知", names::CITY),
                format!("{u}关于进一步加强{t}工作的意见"),
                format!("{u}关于印发《{}{t}管理办法》的通知", names::CITY),
            ];
            return (rng.pick(&pat).clone(), Some(doc_no));
        }
        ColumnKind::Interpretation => {
            let pat = [
                format!("《{}{t}实施方案》政策解读", names::CITY),
                format!("图解：{}{t}管理办法", names::CITY),
                format!("一图读懂{t}新政"),
            ];
            rng.pick(&pat).clone()
        }
        ColumnKind::Personnel => {
            let pat = [
                format!("{u}关于{}等同志职务任免的通知", person(rng)),
                format!("{year}年{u}公开招聘事业单位工作人员公告"),
                format!("关于{}同志任职前公示", person(rng)),
            ];
            rng.pick(&pat).clone()
        }
        ColumnKind::Planning => {
            let pat = [
                format!("{u}{year}年工作要点"),
                format!("{u}{}年工作总结和{year}年工作计划", year - 1),
                format!("{}“十四五”{t}规划中期评估报告", names::CITY),
            ];
            rng.pick(&pat).clone()
        }
        ColumnKind::Fiscal => {
            let pat = [
                format!("{u}{year}年部门预算公开"),
                format!("{u}{}年部门决算公开", year - 1),
                format!("{u}{year}年“三公”经费预算情况说明"),
            ];
            rng.pick(&pat).clone()
        }
        ColumnKind::Interview => format!("在线访谈：聚焦{t}，回应群众关切"),
        ColumnKind::Survey => format!("关于{t}的网上问卷调查"),
        _ => format!(
            "{}{}情况公开（{year}年第{}期）",
            col.name,
            t,
            rng.range(1, 12)
        ),
    };
    (s, None)
}

fn body(kind: ColumnKind, topic_title: &str, plan: &SitePlan, rng: &mut Rng) -> Vec<String> {
    let t = *rng.pick(TOPICS);
    let n = match kind {
        ColumnKind::News => rng.range(4, 7),
        _ => rng.range(3, 5),
    };
    let mut out = Vec::new();
    if kind == ColumnKind::Policy {
        out.push("各县市区人民政府，市直各单位：".to_string());
    }
    out.push(format!(
        "{}。{}",
        topic_title.trim_end_matches('。'),
        fill(pick_str(rng, SENTENCES), t, &plan.sponsor, rng)
    ));
    for _ in 1..n {
        out.push(fill(pick_str(rng, SENTENCES), t, &plan.sponsor, rng));
    }
    if rng.chance(40) {
        let (correct, _) = *rng.pick(FIXED_PHRASES);
        out.push(rng.pick(PHRASE_SENTENCES).replace("{p}", correct));
    }
    out
}

/// Days between consecutive items of a column.
fn gap(kind: ColumnKind, rng: &mut Rng) -> u32 {
    match kind {
        ColumnKind::News => rng.range(1, 3),
        ColumnKind::Notice => rng.range(3, 15),
        ColumnKind::Policy | ColumnKind::Interpretation => rng.range(7, 30),
        ColumnKind::Consult => rng.range(5, 20),
        _ => rng.range(15, 60),
    }
}

pub(crate) fn days_before(as_of: NaiveDate, days: u32) -> NaiveDate {
    as_of
        .checked_sub_days(Days::new(u64::from(days)))
        .expect("date in range")
}

/// Generates the items of every column of a site.
pub(crate) fn generate(plan: &SitePlan, as_of: NaiveDate, rng: &mut Rng) -> Vec<Vec<Item>> {
    let mut next_id = 10_000 + 1_000 * plan.index as u32 * 7 % 90_000;
    let mut all = Vec::with_capacity(plan.columns.len());
    for (ci, col) in plan.columns.iter().enumerate() {
        let mut items = Vec::with_capacity(col.items);
        let Some(newest) = col.newest_age else {
            all.push(items);
            continue;
        };
        let mut age = newest;
        for k in 0..col.items {
            if k > 0 {
                age += gap(col.kind, rng);
            }
            let date = days_before(as_of, age);
            next_id += rng.range(1, 9);
            let id = next_id;
            let path = item_path(plan.style, col, id, date, rng);
            let (title, doc_no) = title(col.kind, col, plan, date, rng);
            let paragraphs = body(col.kind, &title, plan, rng);
            let hm = (rng.range(8, 17), rng.range(0, 59));
            let attachment = (col.kind == ColumnKind::Policy || rng.chance(10))
                .then(|| format!("/uploadfiles/{}/P0{id}.pdf", date.format("%Y%m")));
            items.push(Item {
                id,
                column: ci,
                title,
                date,
                hm,
                path,
                source: plan.sponsor.clone(),
                doc_no,
                paragraphs,
                wording: None,
                broken: None,
                attachment,
                no_source: false,
                bad_pubdate: None,
                message: None,
                guide: None,
            });
        }
        match col.kind {
            ColumnKind::Consult => messages(plan, as_of, &mut items, rng),
            ColumnKind::Service => guides(plan, &mut items, rng),
            ColumnKind::Survey if !plan.profile.survey_no_feedback => survey_feedback(&mut items),
            _ => {}
        }
        all.push(items);
    }
    inject(plan, &mut all, rng);
    all
}

/// Every second survey is followed by its result feedback (a short title, so that templates which
/// cut long titles keep the 结果反馈 words).
fn survey_feedback(items: &mut [Item]) {
    for it in items.iter_mut().skip(1).step_by(2) {
        if let Some(topic) = it
            .title
            .strip_prefix("关于")
            .and_then(|t| t.strip_suffix("的网上问卷调查"))
        {
            it.title = format!("{topic}网上调查结果反馈");
        }
    }
}

/// Turns the items of a 政务咨询 column into messages; places unanswered old ones when asked to.
fn messages(plan: &SitePlan, as_of: NaiveDate, items: &mut [Item], rng: &mut Rng) {
    let unanswered = plan.profile.unanswered as usize;
    let n = items.len();
    for (k, it) in items.iter_mut().enumerate() {
        let place = *rng.pick(PLACES);
        let issue = *rng.pick(ISSUES);
        let district = rng.pick(names::COUNTIES).0;
        it.title = format!("关于{district}{place}{issue}的问题");
        // Injected unanswered messages take the oldest slots, 100..330 days old.
        let injected = k >= n - unanswered;
        if injected {
            let age = crate::plan::safe_age(as_of, rng.range(100, 330));
            it.date = days_before(as_of, age);
        }
        let age = (as_of - it.date).num_days() as u32;
        // Injected messages stay unanswered; a recent one may still be in hand (fine).
        let answered = if injected || (k == 0 && age <= 9 && rng.chance(50)) {
            None
        } else {
            let delay = if k <= 1 {
                rng.range(1, 6)
            } else {
                rng.range(2, 25)
            };
            Some(days_before(as_of, age.saturating_sub(delay)))
        };
        let answered = answered.map(|a| a.min(as_of));
        it.message = Some(Msg {
            asker: format!("{}**", rng.pick(SURNAMES)),
            answered,
            question: format!(
                "您好！我是{place}附近的居民，{issue}的问题已经持续较长时间，给周边群众生活带来不便，希望有关部门尽快协调解决。"
            ),
            reply: format!(
                "您好！您反映的{place}{issue}问题已收悉。经核实，我单位已会同属地街道现场查看，并制定整改方案，预计近期完成处理。感谢您对我们工作的关心和支持！"
            ),
            unit: plan.sponsor.clone(),
        });
        it.attachment = None;
    }
    items.sort_by(|a, b| b.date.cmp(&a.date).then(a.id.cmp(&b.id)));
}

/// The 10 key elements of indicators §9 with the label variants a template may use.
pub(crate) const GUIDE_ELEMENTS: [(&str, &[&str]); 10] = [
    ("事项名称", &["事项名称", "服务事项", "项目名称"]),
    (
        "设定依据",
        &["设定依据", "法定依据", "办理依据", "实施依据"],
    ),
    ("申请条件", &["申请条件", "受理条件", "办理条件"]),
    (
        "办理材料",
        &["办理材料", "申请材料", "所需材料", "材料目录"],
    ),
    ("办理地点", &["办理地点", "受理地点", "窗口地址"]),
    (
        "办理机构",
        &["办理机构", "实施机构", "受理机构", "办理部门"],
    ),
    ("收费标准", &["收费标准", "收费依据及标准", "是否收费"]),
    ("办理时间", &["办理时间", "受理时间", "办公时间"]),
    ("联系电话", &["联系电话", "咨询电话", "咨询方式"]),
    ("办理流程", &["办理流程", "办理程序", "办事流程"]),
];

fn guides(plan: &SitePlan, items: &mut [Item], rng: &mut Rng) {
    let variants = ["", "（变更）", "（延续）", "（注销）", "（补办）"];
    let label_pick: Vec<usize> = GUIDE_ELEMENTS
        .iter()
        .map(|(_, v)| rng.below(v.len()))
        .collect();
    for (k, it) in items.iter_mut().enumerate() {
        let svc = &plan.services[k % plan.services.len()];
        let name = format!(
            "{svc}{}",
            variants[(k / plan.services.len()) % variants.len()]
        );
        it.title = format!("{name}办事指南");
        it.attachment = None;
        let mut missing = Vec::new();
        if k < plan.profile.guides_missing as usize {
            let mut idx: Vec<usize> = (1..10).collect();
            rng.shuffle(&mut idx);
            let count = rng.range(1, 2) as usize;
            missing = idx[..count].to_vec();
            missing.sort_unstable();
        }
        let mut rows = Vec::new();
        for (e, (canon, labels)) in GUIDE_ELEMENTS.iter().enumerate() {
            let label = labels[label_pick[e]].to_string();
            let value = match *canon {
                "事项名称" => name.clone(),
                "设定依据" => format!("《{}条例》第{}条", svc.trim_end_matches("许可").trim_end_matches("登记"), rng.range(5, 40)),
                "申请条件" => "申请人为依法设立的法人、其他组织或具有完全民事行为能力的自然人，符合法律法规规定的条件。".into(),
                "办理材料" => "1.申请书（原件1份）；2.申请人身份证明（复印件1份）；3.相关证明材料（原件1份）。".into(),
                "办理地点" => format!("{}政务服务中心{}楼{}号窗口", names::CITY, rng.range(1, 4), rng.range(1, 40)),
                "办理机构" => plan.sponsor.clone(),
                "收费标准" => "不收费".into(),
                "办理时间" => "工作日上午9:00-12:00，下午13:30-17:00（法定节假日除外）".into(),
                "联系电话" => plan.phone.clone(),
                _ => "申请—受理—审查—决定—送达".into(),
            };
            if missing.contains(&e) {
                // Either the row is left out, or it holds a placeholder.
                if rng.chance(50) {
                    rows.push((label, "无".into()));
                }
                continue;
            }
            rows.push((label, value));
        }
        it.guide = Some(Guide {
            rows,
            missing: missing.iter().map(|&e| GUIDE_ELEMENTS[e].0).collect(),
        });
    }
}

/// Places wording errors, broken links and page-tag defects in concrete items.
fn inject(plan: &SitePlan, all: &mut [Vec<Item>], rng: &mut Rng) {
    let prof = &plan.profile;
    // Candidate articles: items of fresh, non-interaction columns, newest first per column.
    let mut cands: Vec<(usize, usize)> = Vec::new();
    for (ci, items) in all.iter().enumerate() {
        let kind = plan.columns[ci].kind;
        if matches!(kind, ColumnKind::Consult | ColumnKind::Service) {
            continue;
        }
        for k in 0..items.len() {
            cands.push((ci, k));
        }
    }
    rng.shuffle(&mut cands);
    let mut cursor = 0usize;
    let mut take =
        |pred: &dyn Fn(&Item) -> bool, all: &mut [Vec<Item>]| -> Option<(usize, usize)> {
            while cursor < cands.len() {
                let (ci, k) = cands[cursor];
                cursor += 1;
                if pred(&all[ci][k]) {
                    return Some((ci, k));
                }
            }
            None
        };
    let news_fresh = |it: &Item| -> bool { plan.columns[it.column].kind == ColumnKind::News };
    for w in 0..prof.wording {
        if let Some((ci, k)) = take(&news_fresh, all) {
            let (correct, wrong) = FIXED_PHRASES[(w as usize + plan.index) % FIXED_PHRASES.len()];
            let it = &mut all[ci][k];
            it.wording = Some((wrong, correct));
            let s = PHRASE_SENTENCES[w as usize % PHRASE_SENTENCES.len()].replace("{p}", wrong);
            let pos = it.paragraphs.len().min(2);
            it.paragraphs.insert(pos, s);
        }
    }
    let kinds: [&str; 4] = [
        "attachment_404",
        "image_404",
        "external_refused",
        "internal_404",
    ];
    let any = |_: &Item| true;
    for b in 0..prof.broken_other {
        if let Some((ci, k)) = take(&any, all) {
            let it = &mut all[ci][k];
            let kind = kinds[(b as usize + plan.index) % kinds.len()];
            let id = it.id;
            let (target, text) = match kind {
                "attachment_404" => (
                    format!("/uploadfiles/{}/W0{id}.doc", it.date.format("%Y%m")),
                    format!(
                        "附件：{}.doc",
                        it.title.chars().take(12).collect::<String>()
                    ),
                ),
                "image_404" => (
                    format!("/uploadfiles/img/{}/{id}_01.jpg", it.date.format("%Y%m")),
                    "现场图片".into(),
                ),
                "external_refused" => (
                    format!(
                        "http://127.0.9.{}:\u{1}P\u{1}/art/{id}.html",
                        1 + (id % 250)
                    ),
                    "原文链接".into(),
                ),
                _ => (
                    format!("/{}/old/{id}.html", plan.columns[ci].slug),
                    "相关阅读".into(),
                ),
            };
            it.broken = Some(Broken { target, text, kind });
        }
    }
    // Page-tag defects on content pages.
    for d in &plan.meta_defects {
        match *d {
            MetaDefect::NoContentSource { n } => {
                for _ in 0..n {
                    if let Some((ci, k)) =
                        take(&|it: &Item| !it.no_source && it.bad_pubdate.is_none(), all)
                    {
                        all[ci][k].no_source = true;
                    }
                }
            }
            MetaDefect::BadPubDate { n } => {
                for j in 0..n {
                    if let Some((ci, k)) =
                        take(&|it: &Item| !it.no_source && it.bad_pubdate.is_none(), all)
                    {
                        let it = &mut all[ci][k];
                        it.bad_pubdate = Some(if j % 2 == 0 {
                            it.date.format("%Y/%m/%d").to_string()
                        } else {
                            it.date.format("%Y-%m-%d").to_string()
                        });
                    }
                }
            }
            _ => {}
        }
    }
}
