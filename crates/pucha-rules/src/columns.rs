//! The site model: the columns (栏目) of a site, built from a crawl.
//!
//! The update rules (homepage, key columns, long-term stale, blank) all count columns, so they share
//! one model: which pages are column pages (list pages, merged with their pagination pages), what
//! class each column has (indicators §7, with the reason recorded), how many items it lists, its
//! newest item date, and whether it is blank, navigation-only, external or a leaf. Only leaf columns
//! are judged, so a parent and its children are never counted twice.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use pucha_core::{LinkOutcome, LinkTag, PageKind, PageRecord, SiteCrawl};
use serde::{Deserialize, Serialize};

use crate::dates::Window;
use crate::pack::{ClassDef, RulePack};

/// The column classes of indicators §7.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnClass {
    /// 动态/要闻
    News,
    /// 通知公告
    Notice,
    /// 政策文件
    Policy,
    /// 政策解读
    Interpretation,
    /// 人事, 规划计划
    Personnel,
    /// 财政预决算, 统计数据
    Fiscal,
    /// 概况信息, 机构职能, 负责人信息: judged on accuracy, not age
    Statics,
    /// 政务咨询 (message lists)
    Consultation,
    /// 在线访谈, 调查征集, 网上信访, 纪检举报
    ExcludedInteraction,
    /// 办事服务
    Service,
    /// 办事统计数据
    ServiceStats,
    /// 专题专栏
    Topic,
    /// Any other content column
    Other,
}

impl ColumnClass {
    /// Classes in the order their keywords are tried (most specific first).
    pub const ORDER: [ColumnClass; 13] = [
        ColumnClass::ExcludedInteraction,
        ColumnClass::Interpretation,
        ColumnClass::Consultation,
        ColumnClass::ServiceStats,
        ColumnClass::Service,
        ColumnClass::Topic,
        ColumnClass::Notice,
        ColumnClass::Policy,
        ColumnClass::News,
        ColumnClass::Personnel,
        ColumnClass::Fiscal,
        ColumnClass::Statics,
        ColumnClass::Other,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            ColumnClass::News => "动态要闻类",
            ColumnClass::Notice => "通知公告类",
            ColumnClass::Policy => "政策文件类",
            ColumnClass::Interpretation => "政策解读类",
            ColumnClass::Personnel => "人事规划类",
            ColumnClass::Fiscal => "财政统计类",
            ColumnClass::Statics => "基本信息类",
            ColumnClass::Consultation => "政务咨询类",
            ColumnClass::ExcludedInteraction => "访谈征集信访类",
            ColumnClass::Service => "办事服务类",
            ColumnClass::ServiceStats => "办事统计类",
            ColumnClass::Topic => "专题专栏",
            ColumnClass::Other => "其他",
        }
    }

    pub fn def(self, pack: &RulePack) -> &ClassDef {
        let c = &pack.classes;
        match self {
            ColumnClass::News => &c.news,
            ColumnClass::Notice => &c.notice,
            ColumnClass::Policy => &c.policy,
            ColumnClass::Interpretation => &c.interpretation,
            ColumnClass::Personnel => &c.personnel,
            ColumnClass::Fiscal => &c.fiscal,
            ColumnClass::Statics => &c.statics,
            ColumnClass::Consultation => &c.consultation,
            ColumnClass::ExcludedInteraction => &c.excluded_interaction,
            ColumnClass::Service => &c.service,
            ColumnClass::ServiceStats => &c.service_stats,
            ColumnClass::Topic => &c.topic,
            ColumnClass::Other => &c.other,
        }
    }

    /// The should-update window of the class, when it has one.
    pub fn window(self, pack: &RulePack) -> Option<Window> {
        let d = self.def(pack);
        match (d.window_days, d.window_months) {
            (Some(days), _) => Some(Window::Days(days)),
            (None, Some(m)) => Some(Window::Months(m)),
            (None, None) => None,
        }
    }
}

/// One column of a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// The column's (first list page's) URL: its identity.
    pub url: String,
    pub name: String,
    pub class: ColumnClass,
    /// Which signal assigned the class (ColumnName/menu text, ColumnType, URL token).
    pub class_reason: String,
    /// The signals agree (or only one spoke); otherwise a person should review the class.
    pub confident: bool,
    #[serde(default)]
    pub column_type: Option<String>,
    /// Breadcrumb path (without 首页).
    pub path: Vec<String>,
    /// A first-level column (directly under the homepage).
    pub first_level: bool,
    /// The list pages of the column (first page and its pagination pages).
    pub pages: Vec<String>,
    /// Items listed (dated or not).
    pub items: usize,
    /// Newest item date (list dates and PubDate of linked items), ignoring future dates.
    pub newest: Option<NaiveDate>,
    pub newest_url: Option<String>,
    /// Why the column is blank (no content at all), when it is.
    pub blank: Option<String>,
    /// Not updated within its class window (leaf, non-blank columns with a window only).
    pub stale: bool,
    /// Only groups child columns.
    pub nav_only: bool,
    /// URLs of child columns (by breadcrumb).
    pub children: Vec<String>,
    /// A link into an external system (e.g. the provincial 政务服务网), not a page of the site.
    pub external: bool,
    /// The column link itself is broken (a dead link, not a blank column).
    pub broken: bool,
    /// No child columns: only leaves are judged.
    pub leaf: bool,
    /// No item could be read because the list is filled in by script
    /// (`PageFacts::list_needs_script`): neither blank nor stale, a person reviews it.
    #[serde(default)]
    pub needs_script: bool,
}

impl Column {
    /// Judged by the update and blank rules.
    pub fn judged(&self) -> bool {
        self.leaf && !self.nav_only && !self.external && !self.broken
    }
}

/// Normalised URL for matching (fragment dropped).
pub(crate) fn norm_url(u: &str) -> String {
    match url::Url::parse(u.trim()) {
        Ok(mut p) => {
            p.set_fragment(None);
            p.to_string()
        }
        Err(_) => u.trim().to_string(),
    }
}

/// The homepage record of a crawl: the page at the site URL, else the page analysed as home, else
/// pages[0].
pub(crate) fn homepage(crawl: &SiteCrawl) -> Option<&PageRecord> {
    let key = norm_url(crawl.site.url.as_str());
    crawl
        .pages
        .iter()
        .find(|p| norm_url(&p.url) == key || norm_url(&p.final_url) == key)
        .or_else(|| crawl.pages.iter().find(|p| p.facts.kind == PageKind::Home))
        .or_else(|| crawl.pages.first().filter(|p| p.depth == 0))
}

/// Whether a fetched page is usable content (2xx and not a soft 404).
pub(crate) fn page_ok(p: &PageRecord) -> bool {
    (200..300).contains(&p.status) && !p.facts.soft_404
}

const INDEX_NAMES: [&str; 9] = [
    "index.html",
    "index.htm",
    "index.shtml",
    "index.php",
    "index.jsp",
    "index.asp",
    "index.aspx",
    "default.htm",
    "default.html",
];

/// The URLs under which the homepage is served (`/`, `/index.html`, ...).
pub(crate) fn home_aliases(crawl: &SiteCrawl) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let root = &crawl.site.url;
    out.insert(norm_url(root.as_str()));
    let mut dir = root.clone();
    dir.set_query(None);
    dir.set_fragment(None);
    if !dir.path().ends_with('/') {
        let p = dir.path().rsplit_once('/').map(|(a, _)| format!("{a}/"));
        if let Some(p) = p {
            dir.set_path(&p);
        }
    }
    out.insert(norm_url(dir.as_str()));
    for n in INDEX_NAMES {
        if let Ok(u) = dir.join(n) {
            out.insert(norm_url(u.as_str()));
        }
    }
    if let Some(h) = homepage(crawl) {
        out.insert(norm_url(&h.url));
        out.insert(norm_url(&h.final_url));
    }
    out
}

/// The usable pages of a crawl, the homepage once (aliases such as `/index.html` dropped).
pub(crate) fn site_pages(crawl: &SiteCrawl) -> Vec<&PageRecord> {
    let aliases = home_aliases(crawl);
    let home = homepage(crawl).map(|h| h as *const PageRecord);
    crawl
        .pages
        .iter()
        .filter(|p| page_ok(p))
        .filter(|p| Some(*p as *const PageRecord) == home || !aliases.contains(&norm_url(&p.url)))
        .collect()
}

/// Names of pages that are site furniture, never columns.
const NOT_COLUMNS: [&str; 10] = [
    "网站地图",
    "站点地图",
    "网站声明",
    "联系我们",
    "手机版",
    "无障碍",
    "隐私",
    "版权",
    "使用帮助",
    "关于我们",
];

/// Whether a page analysed as a column list really is one: it carries column tags or lists
/// something, or has a breadcrumb or an empty-column placeholder; furniture pages are excluded.
pub(crate) fn looks_like_column(f: &pucha_core::PageFacts) -> bool {
    let names = [
        f.meta("ColumnName"),
        f.title.as_deref(),
        f.breadcrumb.last().map(String::as_str),
    ];
    if names
        .iter()
        .flatten()
        .any(|n| NOT_COLUMNS.iter().any(|x| n.contains(x)))
    {
        return false;
    }
    f.meta("ColumnName").is_some()
        || f.meta("ColumnType").is_some()
        || !f.dated_items.is_empty()
        || !f.messages.is_empty()
        || f.placeholder.is_some()
        || f.breadcrumb
            .iter()
            .any(|b| !HOME_CRUMBS.contains(&b.trim()))
}

/// The page kind the rules use: the analysed kind, corrected where the page tags contradict it
/// (a "content" page with column tags, no article tags and a list is a column list page; a
/// "column" page that neither lists nor carries column tags is furniture).
pub(crate) fn effective_kind(f: &pucha_core::PageFacts, url: &str) -> PageKind {
    let last = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .rsplit('/')
        .next()
        .unwrap_or("");
    let list_url = last.is_empty() || last.starts_with("list") || last.starts_with("index");
    match f.kind {
        PageKind::Content
            if f.meta("ArticleTitle").is_none()
                && f.meta("PubDate").is_none()
                && f.meta("ContentSource").is_none()
                && f.meta("ColumnName").is_some()
                && (f.dated_items.len() >= 2 || list_url) =>
        {
            PageKind::Column
        }
        PageKind::Column if !looks_like_column(f) => PageKind::Other,
        k => k,
    }
}

pub(crate) fn is_column_page(p: &PageRecord) -> bool {
    match effective_kind(&p.facts, &p.url) {
        PageKind::Column => true,
        PageKind::Home | PageKind::Content => false,
        PageKind::Other => {
            p.facts.meta("ColumnName").is_some()
                && p.facts.meta("ArticleTitle").is_none()
                && p.facts.meta("PubDate").is_none()
                && looks_like_column(&p.facts)
        }
    }
}

fn nonempty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty() && *s != "null")
        .map(str::to_string)
}

const HOME_CRUMBS: [&str; 4] = ["首页", "网站首页", "主页", "返回首页"];

/// Classifies a column from its name, ColumnType and URL (indicators §7.1).
pub fn classify(
    name: &str,
    column_type: Option<&str>,
    url: &str,
    pack: &RulePack,
) -> (ColumnClass, String, bool) {
    let by_name = ColumnClass::ORDER.iter().find_map(|c| {
        c.def(pack)
            .names
            .iter()
            .find(|k| !k.is_empty() && name.contains(k.as_str()))
            .map(|k| (*c, k.clone()))
    });
    let by_type = column_type.and_then(|t| {
        ColumnClass::ORDER.iter().find_map(|c| {
            c.def(pack)
                .column_types
                .iter()
                .find(|k| !k.is_empty() && t.contains(k.as_str()))
                .map(|k| (*c, k.clone()))
        })
    });
    let segments: Vec<String> = url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.path_segments()
                .map(|s| s.map(|x| x.to_ascii_lowercase()).collect())
        })
        .unwrap_or_default();
    let by_url = ColumnClass::ORDER.iter().find_map(|c| {
        c.def(pack)
            .url_tokens
            .iter()
            .find(|k| segments.iter().any(|s| s == *k))
            .map(|k| (*c, k.clone()))
    });
    match (by_name, by_type, by_url) {
        (Some((c, k)), t, _) => {
            let agree = t.as_ref().is_none_or(|(tc, _)| *tc == c);
            let mut reason = format!("栏目名称「{name}」含「{k}」");
            if let Some((tc, tk)) = t.filter(|(tc, _)| *tc != c) {
                reason.push_str(&format!(
                    "；ColumnType「{tk}」指向{}，以名称为准",
                    tc.label_zh()
                ));
            }
            (c, reason, agree)
        }
        (None, Some((c, k)), _) => (c, format!("ColumnType 含「{k}」"), true),
        (None, None, Some((c, k))) => (c, format!("URL 路径含「{k}」"), true),
        (None, None, None) => (
            ColumnClass::Other,
            format!("栏目名称「{name}」未匹配已知类别，按其他栏目处理"),
            false,
        ),
    }
}

/// The columns of a crawled site, judged at the crawl date (UTC+8).
pub fn columns(crawl: &SiteCrawl, pack: &RulePack) -> Vec<Column> {
    let as_of = crawl
        .started_at
        .with_timezone(&pucha_core::cst())
        .date_naive();
    columns_at(crawl, pack, as_of)
}

/// The columns of a crawled site, judged at `as_of`.
pub fn columns_at(crawl: &SiteCrawl, pack: &RulePack, as_of: NaiveDate) -> Vec<Column> {
    let future_limit = as_of
        .checked_add_days(chrono::Days::new(
            pack.falsification.future_tolerance_days.into(),
        ))
        .unwrap_or(as_of);
    let home = homepage(crawl);
    let home_url = home.map(|h| norm_url(&h.url));
    let ok_pages: Vec<&PageRecord> = site_pages(crawl);
    let mut by_url: HashMap<String, &PageRecord> = HashMap::new();
    for p in &ok_pages {
        by_url.insert(norm_url(&p.url), p);
        by_url.entry(norm_url(&p.final_url)).or_insert(p);
    }
    let col_pages: Vec<&PageRecord> = ok_pages
        .iter()
        .copied()
        .filter(|p| is_column_page(p) && Some(norm_url(&p.url)) != home_url)
        .collect();
    let col_urls: BTreeSet<String> = col_pages.iter().map(|p| norm_url(&p.url)).collect();

    // Pagination: connected components over pagination links between column pages.
    let mut comp: HashMap<String, usize> = HashMap::new();
    let mut comps: Vec<Vec<&PageRecord>> = Vec::new();
    for p in &col_pages {
        let u = norm_url(&p.url);
        if comp.contains_key(&u) {
            continue;
        }
        let id = comps.len();
        let mut members = Vec::new();
        let mut stack = vec![u.clone()];
        comp.insert(u, id);
        while let Some(x) = stack.pop() {
            let Some(page) = by_url.get(&x) else { continue };
            members.push(*page);
            let mut next: Vec<String> = page.facts.pagination.iter().map(|n| norm_url(n)).collect();
            // Pages whose own pagination points back here belong here too.
            for q in &col_pages {
                if q.facts.pagination.iter().any(|n| norm_url(n) == x) {
                    next.push(norm_url(&q.url));
                }
            }
            for n in next {
                if col_urls.contains(&n) && !comp.contains_key(&n) {
                    comp.insert(n.clone(), id);
                    stack.push(n);
                }
            }
        }
        members.sort_by_key(|m| (m.depth, m.url.len()));
        comps.push(members);
    }

    // Anchor text of navigation / 更多 / sitemap links, by target.
    let mut anchors: HashMap<String, String> = HashMap::new();
    for p in &ok_pages {
        let sitemap = [p.facts.title.as_deref(), p.anchor.as_deref()]
            .into_iter()
            .flatten()
            .any(|t| t.contains("网站地图") || t.contains("站点地图"));
        for l in &p.facts.links {
            if let Some(u) = &l.url {
                if (l.in_nav || sitemap) && !l.is_more && !l.text.trim().is_empty() {
                    anchors
                        .entry(norm_url(u))
                        .or_insert_with(|| l.text.trim().to_string());
                }
            }
        }
    }

    let mut cols: Vec<Column> = Vec::new();
    for members in &comps {
        let root = members[0];
        let url = norm_url(&root.url);
        let f = &root.facts;
        let name = nonempty(f.meta("ColumnName"))
            .or_else(|| root.anchor.clone().filter(|a| !a.trim().is_empty()))
            .or_else(|| anchors.get(&url).cloned())
            .or_else(|| f.breadcrumb.last().cloned())
            .or_else(|| f.title.clone())
            .unwrap_or_else(|| url.clone());
        let column_type = f.meta("ColumnType").map(str::to_string);
        let path: Vec<String> = f
            .breadcrumb
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty() && !HOME_CRUMBS.contains(&s.as_str()))
            .collect();
        let (class, class_reason, confident) = classify(
            &name,
            nonempty(column_type.as_deref()).as_deref(),
            &url,
            pack,
        );

        // Items: dated list entries, links to content pages, messages.
        let mut item_keys: BTreeSet<String> = BTreeSet::new();
        let mut newest: Option<(NaiveDate, Option<String>)> = None;
        let mut bump = |d: NaiveDate, u: Option<String>| {
            if d <= future_limit && newest.as_ref().is_none_or(|(n, _)| d > *n) {
                newest = Some((d, u));
            }
        };
        for m in members {
            for it in &m.facts.dated_items {
                let key = it
                    .url
                    .as_deref()
                    .map(norm_url)
                    .unwrap_or_else(|| format!("{}|{}", it.title, it.date));
                item_keys.insert(key);
                bump(
                    crate::dates::list_date(it.date, future_limit),
                    it.url.clone(),
                );
            }
            for msg in &m.facts.messages {
                let key = msg
                    .url
                    .as_deref()
                    .map(norm_url)
                    .unwrap_or_else(|| format!("{}|{:?}", msg.title, msg.asked));
                item_keys.insert(key);
                if let Some(d) = msg.answered.or(msg.asked) {
                    bump(d, msg.url.clone());
                }
            }
            for l in &m.facts.links {
                if l.in_nav || l.in_footer || l.is_more || l.tag != LinkTag::A {
                    continue;
                }
                let Some(t) = l.url.as_deref().map(norm_url) else {
                    continue;
                };
                if let Some(target) = by_url.get(&t) {
                    if target.facts.kind == PageKind::Content {
                        if let Some(d) = target.facts.published {
                            bump(d, Some(t.clone()));
                        }
                        item_keys.insert(t);
                    }
                }
            }
        }
        let placeholder = members.iter().find_map(|m| {
            m.facts.placeholder.clone().or_else(|| {
                pack.blank_columns
                    .placeholders
                    .iter()
                    .find(|p| m.facts.body_text.contains(p.as_str()))
                    .filter(|_| m.facts.main_text_chars < 4 * pack.blank_columns.min_text_chars)
                    .cloned()
            })
        });
        let items = item_keys.len();
        let needs_script = items == 0
            && placeholder.is_none()
            && members.iter().any(|m| m.facts.list_needs_script);
        let blank = if items > 0 || needs_script {
            None
        } else if let Some(p) = placeholder {
            Some(format!("无信息，页面显示「{p}」"))
        } else if root.facts.main_text_chars < pack.blank_columns.min_text_chars
            || (class.window(pack).is_some()
                && root.facts.main_text_chars < pack.blank_columns.list_min_text_chars)
        {
            Some(format!(
                "无信息，列表为空，正文仅 {} 字",
                root.facts.main_text_chars
            ))
        } else {
            None
        };
        let first_level = if path.is_empty() {
            home.is_some_and(|h| {
                h.facts.links.iter().any(|l| {
                    l.in_nav && l.url.as_deref().map(norm_url).as_deref() == Some(url.as_str())
                })
            })
        } else {
            path.len() <= 1
        };
        cols.push(Column {
            url,
            name,
            class,
            class_reason,
            confident,
            column_type,
            path,
            first_level,
            pages: members.iter().map(|m| norm_url(&m.url)).collect(),
            items,
            newest: newest.as_ref().map(|(d, _)| *d),
            newest_url: newest.and_then(|(_, u)| u),
            blank,
            stale: false,
            nav_only: false,
            children: Vec::new(),
            external: false,
            broken: false,
            leaf: true,
            needs_script,
        });
    }

    // Parents by breadcrumb: a column whose name appears before the end of another's path, and
    // whose own path (when it has one) is a proper prefix of that path.
    let nodes: Vec<(usize, String, Vec<String>)> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| (i, c.name.clone(), c.path.clone()))
        .collect();
    let mut children: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (j, c) in cols.iter().enumerate() {
        if c.path.len() < 2 {
            continue;
        }
        let ancestors = &c.path[..c.path.len() - 1];
        for (i, n, p) in &nodes {
            let prefix = p.is_empty() || (p.len() < c.path.len() && c.path[..p.len()] == p[..]);
            if *i != j && *n != c.name && ancestors.iter().any(|a| a == n) && prefix {
                children.entry(*i).or_default().push(c.url.clone());
            }
        }
    }
    for (i, ch) in children {
        let c = &mut cols[i];
        c.leaf = false;
        if c.items == 0 {
            c.nav_only = true;
            c.blank = None;
        }
        c.children = ch;
    }

    // Navigation / 更多 links that leave the site or were never fetched: external systems and dead
    // column links.
    let site_host = crawl.site.url.host_str().map(str::to_ascii_lowercase);
    let known: BTreeSet<String> = cols
        .iter()
        .flat_map(|c| c.pages.iter().cloned())
        .chain(ok_pages.iter().map(|p| norm_url(&p.url)))
        .collect();
    let outcome: HashMap<String, &LinkOutcome> = crawl
        .links
        .iter()
        .map(|l| (norm_url(&l.target), &l.outcome))
        .collect();
    if let Some(h) = home {
        let mut seen = BTreeSet::new();
        for l in &h.facts.links {
            if !(l.in_nav || l.is_more) || l.tag != LinkTag::A {
                continue;
            }
            let Some(t) = l.url.as_deref().map(norm_url) else {
                continue;
            };
            let Ok(parsed) = url::Url::parse(&t) else {
                continue;
            };
            if !matches!(parsed.scheme(), "http" | "https") || known.contains(&t) {
                continue;
            }
            if Some(t.as_str()) == home_url.as_deref() || !seen.insert(t.clone()) {
                continue;
            }
            let external = parsed.host_str().map(str::to_ascii_lowercase) != site_host;
            let broken = matches!(outcome.get(&t), Some(LinkOutcome::Broken { .. }));
            if !external && !broken {
                // An internal page simply not crawled (budget): nothing to judge.
                continue;
            }
            let name = if l.text.trim().is_empty() {
                t.clone()
            } else {
                l.text.trim().to_string()
            };
            let (class, class_reason, confident) = classify(&name, None, &t, pack);
            cols.push(Column {
                url: t,
                name,
                class,
                class_reason,
                confident,
                column_type: None,
                path: Vec::new(),
                first_level: l.in_nav,
                pages: Vec::new(),
                items: 0,
                newest: None,
                newest_url: None,
                blank: None,
                stale: false,
                nav_only: false,
                children: Vec::new(),
                external,
                broken,
                leaf: true,
                needs_script: false,
            });
        }
    }

    for c in &mut cols {
        if !c.judged() || c.blank.is_some() || c.needs_script {
            continue;
        }
        if let Some(w) = c.class.window(pack) {
            if c.class != ColumnClass::Topic {
                let start = w.start(as_of);
                c.stale = c.newest.is_none_or(|d| d < start);
            }
        }
    }
    cols
}
