//! Pure page analysis: from a page's bytes, URL and HTTP `Content-Type` to the
//! [`PageFacts`] the rules read.
//!
//! No IO and no async: the crawler fetches, this crate looks. It must never panic,
//! whatever the bytes, because one malformed page must not take a checker down.
//!
//! The pipeline: [`decode`] picks the encoding (module `encoding`), the DOM is walked once
//! (`page`), then extractors read that view: meta tags, links, dated list items and
//! messages (`lists`), the footer identity items (`footer`), the service guide (`guide`),
//! the publication date and the small facts (breadcrumb, pagination, placeholder text,
//! soft 404).

mod dates;
mod encoding;
mod footer;
mod guide;
mod homepage;
mod lists;
mod page;
pub mod pii;
mod script;
mod signals;
pub mod tree;

use crate::page::ElementExt;
use chrono::{Datelike, NaiveDate};
use once_cell::sync::Lazy;
use pucha_core::{PageFacts, PageKind, PageLink};
use regex::Regex;
use url::Url;

pub use dates::{date_in_url, find_dates, parse_date, FoundDate};
pub use encoding::{charset_from_content_type, decode, decode_with_hint, meta_charset, Decoded};
pub use guide::KEY_ELEMENTS as SERVICE_GUIDE_ELEMENTS;
pub use homepage::homepage_content;

use page::Page;

/// The standard meta tags, in their canonical case (indicators §8.1).
pub const STANDARD_META: &[&str] = &[
    "SiteName",
    "SiteDomain",
    "SiteIDCode",
    "ColumnName",
    "ColumnDescription",
    "ColumnKeywords",
    "ColumnType",
    "ArticleTitle",
    "PubDate",
    "ContentSource",
    "Keywords",
    "Author",
    "Description",
    "Image",
    "Url",
];

/// Texts that mark an empty column (indicators §3.11).
pub const PLACEHOLDERS: &[&str] = &[
    "暂无信息",
    "暂无数据",
    "暂无内容",
    "暂无记录",
    "栏目建设中",
    "正在建设",
    "建设中",
    "敬请期待",
    "内容更新中",
];

/// Settings of one analysis.
#[derive(Debug, Clone, Default)]
pub struct AnalyzeOptions {
    /// The inspection date: gives the year of month-day list dates (`[08-30]`); a
    /// month-day later than `today` is taken from the previous year. Without it the year
    /// comes from the page (URL, PubDate, other dates).
    pub today: Option<NaiveDate>,
    /// The encoding detected on earlier pages of the same site, if any: see
    /// [`decode_with_hint`].
    pub site_encoding: Option<&'static encoding_rs::Encoding>,
    /// The page's complexity budget: beyond it the page is analysed on a truncated tree and
    /// [`PageFacts::analysis_cut`] says what was cut.
    pub budget: Budget,
}

/// How much of one page the analysis reads, so that its cost stays linear in the input
/// whatever the markup (one page must not stall a census).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Nesting depth, nodes and attributes of the tree ([`tree::TreeBudget`]).
    pub tree: tree::TreeBudget,
    /// Bytes of visible text kept in [`PageFacts::body_text`] (cut on a character boundary).
    pub max_body_text_bytes: usize,
}

impl Default for Budget {
    /// The tree's defaults and 256 KiB of body text (some 85 000 Chinese characters, more
    /// than any article; the wording checks read it, and a census keeps it for every page).
    fn default() -> Budget {
        Budget {
            tree: tree::TreeBudget::default(),
            max_body_text_bytes: 256 << 10,
        }
    }
}

impl Budget {
    /// No limit.
    pub const UNLIMITED: Budget = Budget {
        tree: tree::TreeBudget::UNLIMITED,
        max_body_text_bytes: usize::MAX,
    };
}

/// Analyses a page body fetched from `url` with the given HTTP `Content-Type`.
///
/// No inspection date is given: month-day list dates (`[08-30]`) take their year from the
/// page's own evidence only (see [`AnalyzeOptions::today`]); a census passes its as-of date
/// through [`analyze_with`]. Nothing here reads the clock.
pub fn analyze(body: &[u8], url: &Url, content_type: Option<&str>) -> PageFacts {
    analyze_with(body, url, content_type, &AnalyzeOptions::default())
}

/// [`analyze`] with explicit options.
pub fn analyze_with(
    body: &[u8],
    url: &Url,
    content_type: Option<&str>,
    options: &AnalyzeOptions,
) -> PageFacts {
    let decoded = decode_with_hint(body, content_type, options.site_encoding);
    let mut facts = analyze_text_with(&decoded.text, url, options);
    facts.encoding = decoded.encoding.name().to_string();
    facts.encoding_source = decoded.source;
    facts
}

/// The encoding to offer a site's later pages as [`AnalyzeOptions::site_encoding`], from the
/// facts of one of its pages: GB18030 when the detector chose it (the only hint
/// [`decode_with_hint`] takes).
pub fn site_encoding_hint(facts: &PageFacts) -> Option<&'static encoding_rs::Encoding> {
    (facts.encoding_source == pucha_core::EncodingSource::Detected
        && facts.encoding == encoding_rs::GB18030.name())
    .then_some(encoding_rs::GB18030)
}

/// Analyses already decoded HTML (the encoding fields stay at their defaults: "UTF-8").
/// Month-day dates are read as in [`analyze`].
pub fn analyze_text(text: &str, url: &Url) -> PageFacts {
    analyze_text_with(text, url, &AnalyzeOptions::default())
}

/// [`analyze_text`] with explicit options.
pub fn analyze_text_with(text: &str, url: &Url, options: &AnalyzeOptions) -> PageFacts {
    let (page, mut analysis_cut) = Page::parse_within(text, url, options.budget.tree);
    let meta = meta_tags(&page);
    let url_date = date_in_url(url.path());

    let meta_pub = meta.get("PubDate").and_then(|p| parse_date(p, None));
    // An article's related links are no list of its column: only pages that are no
    // article date rows by their link URLs.
    let by_url = meta.get("ArticleTitle").is_none_or(|t| t.is_empty());
    let (all_dates, context_year, items) = read_items(&page, options, url_date, meta_pub, by_url);
    // Hanweb keeps a list's records in a `<script type="text/xml">` datastore: they are read
    // as a page of their own, with this page's year evidence; their links are the page's
    // links (jpage.js renders them), so the crawler reaches the column's articles.
    let datastore = script::datastore(&page);
    let mut store_items: Vec<pucha_core::DatedItem> = Vec::new();
    let mut store_links: Vec<PageLink> = Vec::new();
    if let Some(store) = &datastore {
        // The records are part of the page: the same budget bounds them.
        let (sub, sub_cut) = Page::parse_within(
            &format!(
                "<html><body><div class=\"datastore\">{}</div></body></html>",
                store.records
            ),
            &page.base,
            options.budget.tree,
        );
        if analysis_cut.is_none() {
            analysis_cut = sub_cut;
        }
        let (_, _, found) = read_items(&sub, options, url_date, meta_pub, by_url);
        store_items = found.into_iter().map(|i| i.item).collect();
        store_links = links(&sub)
            .into_iter()
            .filter(|l| l.tag == pucha_core::LinkTag::A)
            .collect();
    }
    let main = page.main_text();
    let main_text_chars = main.chars().filter(|c| !c.is_whitespace()).count();
    let footer = footer::extract(&page, text);
    let article_title = meta.get("ArticleTitle").cloned();
    let messages = lists::messages(
        &page,
        &items,
        &main,
        context_year,
        article_title.as_deref().or(page.title.as_deref()),
    );
    let published = published(&page, &all_dates, &items, url_date, meta_pub);
    let mut links = links(&page);
    links.extend(store_links);
    let mut pagination = pagination(&page);
    for u in script::script_pages(&page) {
        if !pagination.contains(&u) {
            pagination.push(u);
        }
    }
    let placeholder = placeholder(&page);
    let soft_404 = soft_404(page.title.as_deref(), &main);
    let has_search = page.has_search_form || links.iter().any(|l| SEARCH_WORDS.is_match(&*l.text));
    let mut dated_items: Vec<_> = items.iter().map(|i| i.item.clone()).collect();
    dated_items.extend(store_items);
    let (list_needs_script, mut list_data_url) = if dated_items.is_empty() && placeholder.is_none()
    {
        script::script_list(&page)
    } else {
        (false, None)
    };
    if let Some(store) = &datastore {
        list_data_url = list_data_url.or_else(|| store.next.clone());
    }
    let kind = kind(
        url,
        &meta,
        &dated_items,
        &pagination,
        placeholder.is_some(),
        published,
    );
    let mut body_text = if main_text_chars > 0 {
        main
    } else {
        page.text.clone()
    };
    let max_text = options.budget.max_body_text_bytes;
    if body_text.len() > max_text {
        let mut end = max_text;
        while !body_text.is_char_boundary(end) {
            end -= 1;
        }
        body_text.truncate(end);
        body_text.shrink_to_fit();
        let what = format!("body text kept to {max_text} bytes");
        analysis_cut = Some(match analysis_cut {
            Some(c) => format!("{c}; {what}"),
            None => format!("page too large, {what}"),
        });
    }
    let pii = pii::find_in_page(&page.html, &body_text);
    PageFacts {
        encoding: "UTF-8".to_string(),
        encoding_source: Default::default(),
        title: page.title.clone(),
        meta,
        kind,
        links,
        dated_items,
        published,
        pagination,
        placeholder,
        main_text_chars,
        footer: footer.footer,
        jiucuo_site_code: footer.jiucuo_site_code,
        messages,
        service_guide: guide::service_guide(&page),
        has_search,
        breadcrumb: breadcrumb(&page),
        body_text,
        soft_404,
        signals: signals::extract(&page.html, &page.base),
        analysis_cut,
        pii,
        list_needs_script,
        list_data_url,
    }
}

/// The page's dates (with month-day years given), the year month-day dates were read
/// with, and its dated list items.
fn read_items(
    page: &Page,
    options: &AnalyzeOptions,
    url_date: Option<NaiveDate>,
    meta_pub: Option<NaiveDate>,
    by_url: bool,
) -> (Vec<FoundDate>, Option<i32>, Vec<lists::Item>) {
    // The year for month-day dates.
    let known_year = options
        .today
        .map(|t| t.year())
        .or(url_date.map(|d| d.year()))
        .or(meta_pub.map(|d| d.year()));
    // Without a known year the page's own full dates give it (one more pass over the text).
    let (mut all_dates, context_year) = match known_year {
        Some(y) => (Vec::new(), Some(y)),
        None => {
            let dates = find_dates(&page.text, None);
            let year = dates.iter().map(|d| d.date.year()).max();
            (dates, year)
        }
    };
    if context_year.is_some() {
        all_dates = find_dates(&page.text, context_year);
        if let Some(today) = options.today {
            for d in all_dates
                .iter_mut()
                .filter(|d| !d.has_year && d.date > today)
            {
                d.date = d.date.with_year(d.date.year() - 1).unwrap_or(d.date);
            }
        }
    }
    let mut items = lists::dated_items(page, &all_dates, by_url);
    reyear_items(page, &mut items, &all_dates, options.today);
    (all_dates, context_year, items)
}

/// Gives month-day list dates (`10-11`, `[08-30]`) their year from the page's own
/// evidence: the item link's URL (`/2023/1011/`, `t20231011_1.html`, `./202310/`), else the
/// latest full date of the page outside the item's own list or of its date metas (not
/// after `today`), else the year already
/// given (as-of, previous year when later than as-of).
fn reyear_items(
    page: &Page,
    items: &mut [lists::Item],
    dates: &[FoundDate],
    today: Option<NaiveDate>,
) {
    let metas: Vec<NaiveDate> = meta_dates(page);
    // The reference for one item: the latest full date of the page outside the item's own
    // list (a list that writes the year only for old rows holds lower bounds, not the
    // page's time) or of its date metas, not after `today`.
    let page_ref = |it: &lists::Item| -> Option<NaiveDate> {
        let own = page
            .html
            .tree
            .get(it.node)
            .and_then(|n| n.parent())
            .and_then(|p| page.info(p.id()));
        dates
            .iter()
            .filter(|d| d.has_year && own.is_none_or(|r| d.start < r.start || d.start >= r.end))
            .map(|d| d.date)
            .chain(metas.iter().copied())
            .filter(|d| today.is_none_or(|t| *d <= t))
            .max()
    };
    for it in items.iter_mut() {
        let Some(first) = it.dates.first().copied() else {
            continue;
        };
        if first.has_year {
            continue;
        }
        let (m, d) = (first.date.month(), first.date.day());
        let url_year = it
            .item
            .url
            .as_deref()
            .and_then(|u| Url::parse(u).ok())
            .and_then(|u| year_in_url(u.path()));
        let year = url_year.or_else(|| {
            let r = page_ref(it)?;
            let md_after = (m, d) > (r.month(), r.day());
            Some(if md_after { r.year() - 1 } else { r.year() })
        });
        let Some(date) = year.and_then(|y| NaiveDate::from_ymd_opt(y, m, d)) else {
            continue;
        };
        it.item.date = date;
        if let Some(f) = it.dates.first_mut() {
            f.date = date;
        }
    }
}

/// The year a URL path dates its page in: a full date, or a `/YYYYMM/` folder.
fn year_in_url(path: &str) -> Option<i32> {
    static YEAR_MONTH: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"/((?:19|20)\d{2})(0[1-9]|1[0-2])/").expect("regex"));
    date_in_url(path)
        .map(|d| d.year())
        .or_else(|| YEAR_MONTH.captures(path).and_then(|c| c[1].parse().ok()))
}

/// Full dates in the page's publication and generation metas (`PubDate`, `generated`, …).
fn meta_dates(page: &Page) -> Vec<NaiveDate> {
    page.html
        .tree
        .nodes()
        .filter_map(|n| n.value().as_element())
        .filter(|el| el.name() == "meta")
        .filter(|el| {
            let name = el
                .attr_of("name")
                .or_else(|| el.attr_of("property"))
                .unwrap_or("")
                .to_ascii_lowercase();
            name.contains("pubdate")
                || name.contains("generat")
                || name.contains("published")
                || name.contains("modified")
        })
        .filter_map(|el| parse_date(el.attr_of("content")?, None))
        .collect()
}

/// The placeholder of an empty column: a short text standing on its own (`暂无信息`,
/// `栏目建设中，敬请期待`), not a word inside prose (`城市建设中…`).
fn placeholder(page: &Page) -> Option<String> {
    const MAX_CHARS: usize = 24;
    page.segs
        .iter()
        .filter(|s| !s.region.boilerplate())
        .map(|s| page.text[s.start..s.end].trim())
        // Four bytes a char at most: longer texts need no count.
        .filter(|t| t.len() <= 4 * MAX_CHARS && t.chars().count() <= MAX_CHARS)
        // The first placeholder of the list that the text contains.
        .find_map(|t| {
            PLACEHOLDER_WORDS
                .find_overlapping_iter(t)
                .map(|m| m.pattern().as_usize())
                .min()
        })
        .map(|i| PLACEHOLDERS[i].to_string())
}

static PLACEHOLDER_WORDS: Lazy<aho_corasick::AhoCorasick> = Lazy::new(|| page::words(PLACEHOLDERS));
static SEARCH_WORDS: Lazy<aho_corasick::AhoCorasick> = Lazy::new(|| page::words(&["搜索", "检索"]));

fn meta_tags(page: &Page) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for n in page.html.tree.nodes() {
        let Some(el) = n.value().as_element() else {
            continue;
        };
        if el.name() != "meta" {
            continue;
        }
        let Some(name) = el.attr_of("name").map(str::trim) else {
            continue;
        };
        let Some(canon) = STANDARD_META.iter().find(|c| c.eq_ignore_ascii_case(name)) else {
            continue;
        };
        out.entry(canon.to_string())
            .or_insert_with(|| el.attr_of("content").unwrap_or("").trim().to_string());
    }
    out
}

fn links(page: &Page) -> Vec<PageLink> {
    page.links
        .iter()
        .map(|l| {
            let mut link = l.link.clone();
            let t = link.text.trim();
            let class_more = || {
                page.html.tree.get(l.node).is_some_and(|n| {
                    n.ancestors()
                        .take(2)
                        .chain(std::iter::once(n))
                        .filter_map(|a| a.value().as_element())
                        .any(|e| {
                            e.attr_of("class")
                                .is_some_and(|c| page::contains_ignore_ascii_case(c, "more"))
                        })
                })
            };
            let short = || t.chars().count() <= 8;
            link.is_more = link.tag == pucha_core::LinkTag::A
                && ((t.contains("更多") && short())
                    || t.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("more"))
                    || (short() && class_more()));
            link
        })
        .collect()
}

/// Labels before a publication date, strongest first.
fn date_label(before: &str) -> Option<u8> {
    static STRONG: Lazy<Regex> = Lazy::new(|| {
        Regex::new(
            r"(?:发布|发表|发文|公开|公布|上传|录入)(?:时间|日期)\s*[:：]?\s*$|发布于\s*[:：]?\s*$",
        )
        .expect("regex")
    });
    static WEAK: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"(?:^|[^\p{Han}]|更新)(?:时间|日期)\s*[:：]?\s*$").expect("regex")
    });
    static EXCLUDED: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"(?i)(?:生成|成文|印发|留言|回复|答复|办结|截止|开始|结束|今天|今日)(?:时间|日期)?\s*[:：]?\s*$|publishdate\s*:?\s*$|今天是?\s*[:：]?\s*$")
            .expect("regex")
    });
    if EXCLUDED.is_match(before) || is_event_label(before) {
        return None;
    }
    if STRONG.is_match(before) {
        Some(0)
    } else if WEAK.is_match(before) {
        Some(1)
    } else {
        None
    }
}

/// Labels of event and deadline dates (`活动时间`, `截止时间`, `有效期`): never the
/// publication date, labelled or not.
fn is_event_label(before: &str) -> bool {
    static EVENT: Lazy<Regex> = Lazy::new(|| {
        Regex::new(
            r"(?:开始|截止|结束|活动|会议|报名|举办|申报|受理)(?:时间|日期)\s*[:：]?\s*$|有效期(?:限|为|至|自)?\s*[:：]?\s*$",
        )
        .expect("regex")
    });
    EVENT.is_match(before)
}

/// The article's publication date: a labelled visible date (not an event or deadline
/// label), else the URL date, else the first unlabelled date standing on its own (not in
/// prose), else the PubDate meta (often the page's
/// generation time, hence last).
fn published(
    page: &Page,
    dates: &[FoundDate],
    items: &[lists::Item],
    url_date: Option<NaiveDate>,
    meta_pub: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let mut ranges: Vec<(usize, usize)> = items
        .iter()
        .filter_map(|it| page.info(it.node).map(|i| (i.start, i.end)))
        .collect();
    ranges.sort_unstable();
    // Items do not overlap, so the candidate is the last range starting at or before pos.
    let in_item = |pos: usize| {
        let k = ranges.partition_point(|r| r.0 <= pos);
        k > 0 && pos < ranges[k - 1].1
    };

    let mut best: Option<(u8, NaiveDate)> = None;
    let mut unlabelled: Option<NaiveDate> = None;
    for d in dates.iter().filter(|d| d.has_year) {
        if page.region_at(d.start).boilerplate() || in_item(d.start) {
            continue;
        }
        let mut s = d.start.saturating_sub(40);
        while !page.text.is_char_boundary(s) {
            s += 1;
        }
        let before = &page.text[s..d.start];
        let before = before.rsplit('\n').next().unwrap_or(before);
        if is_event_label(before) {
            continue;
        }
        match date_label(before) {
            Some(rank) => {
                if best.is_none_or(|(r, _)| rank < r) {
                    best = Some((rank, d.date));
                }
            }
            None => {
                let tail = before.trim_end();
                let excluded =
                    tail.ends_with("今天") || tail.ends_with('：') || tail.ends_with(':');
                // A date inside prose (`1997年6月21日出生，…`) is no publication date.
                if unlabelled.is_none() && !excluded && lists::date_owns_text(page, d) {
                    unlabelled = Some(d.date);
                }
            }
        }
    }
    best.map(|(_, d)| d)
        .or(url_date)
        .or(unlabelled)
        .or(meta_pub)
}

fn pagination(page: &Page) -> Vec<String> {
    static PAGED: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"(?i)(?:index|list|default)_\d+\.s?html?$").expect("regex"));
    const WORDS: &[&str] = &[
        "下一页",
        "下页",
        "尾页",
        "末页",
        "上一页",
        "上页",
        "后页",
        "前页",
        "最后一页",
    ];
    let self_url = page.base.as_str().to_string();
    let base_dir = page.base.path().rsplit_once('/').map_or("", |(d, _)| d);
    let mut out: Vec<String> = Vec::new();
    for l in &page.links {
        if l.link.tag != pucha_core::LinkTag::A {
            continue;
        }
        let Some(u) = &l.link.url else { continue };
        let t = l.link.text.trim();
        let numeric = !t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit());
        let in_pager = numeric
            && page.html.tree.get(l.node).is_some_and(|n| {
                n.ancestors()
                    .take(4)
                    .filter_map(|a| a.value().as_element())
                    .any(|e| {
                        e.id()
                            .into_iter()
                            .chain(e.class_names())
                            .any(|c| page::contains_ignore_ascii_case(c, "page"))
                    })
            });
        let path = serialized_path(u);
        // `index_2.html` next to the current page (not a menu link to another column).
        let sibling = !l.link.in_nav
            && !l.link.in_footer
            && path.rsplit_once('/').map_or("", |(d, _)| d) == base_dir;
        if (WORDS.contains(&t) || in_pager || (sibling && PAGED.is_match(path)))
            && **u != *self_url
            && !out.iter().any(|o| **o == **u)
        {
            out.push(u.to_string());
        }
    }
    out
}

/// The path of a serialised http(s) URL (`scheme://host[:port]/path[?query]`, as
/// `page::resolve` writes it), without parsing it again.
fn serialized_path(u: &str) -> &str {
    let rest = u.split_once("://").map_or(u, |(_, r)| r);
    let rest = rest.find('/').map_or("", |i| &rest[i..]);
    rest.split(['?', '#']).next().unwrap_or("")
}

/// The column path after a 当前位置 label: the text that follows the label inside the
/// smallest element holding more than the label (breadcrumbs are often one `<li>` each).
fn breadcrumb(page: &Page) -> Vec<String> {
    static LABEL: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"(?:当前位置|您的位置|你的位置|所在位置|当前的位置|您现在的位置|你现在的位置|您当前的位置)(?:是)?\s*[:：]?")
            .expect("regex")
    });
    static SEP: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"\s*(?:>>|>|»|›|→|/|＞|》|\n)\s*").expect("regex"));
    let text = &page.text;
    for m in LABEL.find_iter(text) {
        let Some(node) = page
            .node_at(m.start())
            .and_then(|id| page.html.tree.get(id))
        else {
            continue;
        };
        let mut end = m.end();
        let mut cur = node.parent();
        for _ in 0..4 {
            let Some(el) = cur else { break };
            let Some(info) = page.info(el.id()) else {
                break;
            };
            end = info.end;
            let is_li = el.value().as_element().is_some_and(|e| e.name() == "li");
            if !is_li
                && text
                    .get(m.end()..info.end)
                    .is_some_and(|t| t.chars().any(char::is_alphanumeric))
            {
                break;
            }
            cur = el.parent();
        }
        let tail = text.get(m.end()..end.max(m.end())).unwrap_or("");
        let parts: Vec<String> = SEP
            .split(tail)
            .map(|p| p.trim_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '：')))
            .filter(|p| !p.is_empty() && !LABEL.is_match(p))
            .take(12)
            .map(str::to_string)
            .collect();
        let parts = if parts.len() == 1 && parts[0].contains(' ') {
            parts[0].split_whitespace().map(str::to_string).collect()
        } else {
            parts
        };
        if !parts.is_empty() {
            return parts;
        }
    }
    Vec::new()
}

/// "404" standing alone (not inside a phone number or a record code).
static ALONE_404: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?:^|[^\d\-])404(?:$|[^\d\-])").expect("regex"));

fn soft_404(title: Option<&str>, main: &str) -> bool {
    const PHRASES: &[&str] = &[
        "页面不存在",
        "页面未找到",
        "页面找不到",
        "找不到该页面",
        "找不到您要访问的页面",
        "您访问的页面不存在",
        "页面已删除",
        "404 Not Found",
        "Page Not Found",
    ];
    if let Some(t) = title {
        if ALONE_404.is_match(t) || PHRASES.iter().any(|p| t.contains(p)) {
            return true;
        }
    }
    let chars = main.chars().filter(|c| !c.is_whitespace()).count();
    if chars >= 600 {
        return false;
    }
    if PHRASES.iter().any(|p| main.contains(p)) {
        return true;
    }
    // A bare "404" in prose ("开展活动404场次") is not an error page: it needs an error word beside it.
    if chars >= 200 || !ALONE_404.is_match(main) {
        return false;
    }
    let lower = main.to_lowercase();
    ["错误", "抱歉", "error", "not found", "找不到", "不存在"]
        .iter()
        .any(|w| lower.contains(w))
}

fn kind(
    url: &Url,
    meta: &std::collections::BTreeMap<String, String>,
    items: &[pucha_core::DatedItem],
    pagination: &[String],
    placeholder: bool,
    published: Option<NaiveDate>,
) -> PageKind {
    static HOME: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"(?i)^/(?:(?:index|default|home)\.\w+)?$").expect("regex"));
    static ARTICLE: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"(?i)(?:/t\d{8}_\d+|/art_\d+_\d+|/content_\d+|/post_\d+|/\d{4,}\.s?html?$|detail|/c\d+/content)")
            .expect("regex")
    });
    if HOME.is_match(url.path()) {
        return PageKind::Home;
    }
    if meta.get("ArticleTitle").is_some_and(|t| !t.is_empty()) {
        return PageKind::Content;
    }
    if items.len() >= 3 || placeholder || !pagination.is_empty() {
        return PageKind::Column;
    }
    if ARTICLE.is_match(url.path()) || date_in_url(url.path()).is_some() || published.is_some() {
        return PageKind::Content;
    }
    if meta.contains_key("ColumnName") || !items.is_empty() || url.path().ends_with('/') {
        return PageKind::Column;
    }
    PageKind::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(html: &str, url: &str, today: Option<(i32, u32, u32)>) -> PageFacts {
        let options = AnalyzeOptions {
            today: today.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
            ..Default::default()
        };
        analyze_text_with(html, &Url::parse(url).unwrap(), &options)
    }

    fn rows(dates: &[(&str, &str)]) -> String {
        let lis: String = dates
            .iter()
            .enumerate()
            .map(|(i, (href, d))| {
                format!(
                    "<li><a href=\"{href}\">关于开展第{i}项重点工作的通知</a><span>{d}</span></li>"
                )
            })
            .collect();
        format!("<html><body><div class=\"main\"><ul class=\"list\">{lis}</ul></div></body></html>")
    }

    fn years(f: &PageFacts) -> Vec<String> {
        f.dated_items.iter().map(|i| i.date.to_string()).collect()
    }

    fn article(info: &str, body: &str) -> Option<NaiveDate> {
        let html = format!(
            "<html><head><title>关于开展工作的通知</title></head><body><div class=\"article\"><h1>关于开展工作的通知</h1><div class=\"info\">{info}</div><div class=\"content\"><p>{body}</p></div></div></body></html>"
        );
        at(
            &html,
            "http://www.example.gov.cn/art/content_1.html",
            Some((2026, 12, 4)),
        )
        .published
    }

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn publication_labels_give_the_publication_date() {
        let body = "为进一步做好相关工作，现将有关事项通知如下。";
        for label in ["发布时间：", "发布日期：", "日期：", "时间：", "发文日期："]
        {
            let info = format!("{label}2024-09-12 10:10 来源：本站");
            assert_eq!(article(&info, body), day(2024, 9, 12), "{label}");
        }
    }

    #[test]
    fn event_and_deadline_labels_are_not_the_publication_date() {
        let body = "为进一步做好相关工作，现将有关事项通知如下。";
        for label in [
            "开始时间：",
            "截止时间：",
            "结束时间：",
            "活动时间：",
            "会议时间：",
            "有效期：",
            "报名时间：",
            "活动时间 ",
            "截止时间 ",
        ] {
            let info = format!("{label}2024-10-01");
            assert_eq!(article(&info, body), None, "{label}");
            // Next to a publication label, the publication label wins wherever it stands.
            let info = format!("{label}2024-10-01 发布时间：2024-09-12");
            assert_eq!(article(&info, body), day(2024, 9, 12), "{label}");
        }
    }

    #[test]
    fn a_date_in_body_prose_is_not_the_publication_date() {
        let body = "张三，男，汉族，1997年6月21日出生，湖北武汉人，现任某局局长，负责全面工作。";
        assert_eq!(article("来源：本站", body), None);
    }

    #[test]
    fn hidden_rows_are_not_list_items() {
        let html = rows(&[
            ("/a/1.html", "2024-10-11"),
            ("/a/2.html", "2024-10-10"),
            ("/a/3.html", "2024-10-09"),
            ("/a/4.html", "2024-10-08"),
        ])
        .replacen("<li>", "<li style=\"DISPLAY: none\">", 2)
        .replacen("<li>", "<li hidden>", 1);
        let f = at(&html, "http://www.example.gov.cn/", Some((2026, 12, 4)));
        assert_eq!(years(&f), ["2024-10-08"]);
    }

    #[test]
    fn month_day_rows_take_the_year_of_their_urls() {
        let html = rows(&[
            ("/xwdt/2023/1011/1.html", "10-11"),
            ("/xwdt/202309/t20230920_2.html", "09-20"),
            ("./202308/3.html", "08-30"),
        ]);
        let f = at(&html, "http://www.example.gov.cn/", Some((2026, 12, 4)));
        assert_eq!(years(&f), ["2023-10-11", "2023-09-20", "2023-08-30"]);
    }

    #[test]
    fn month_day_rows_take_the_year_of_the_pages_full_dates() {
        let html = rows(&[("/a/1.html", "10-11"), ("/a/2.html", "12-20")]).replace(
            "</ul>",
            "</ul><ul class=\"x\"><li><a href=\"/b/1.html\">另一栏目的一条消息</a><span>2023-11-02</span></li><li><a href=\"/b/2.html\">另一栏目的二条消息</a><span>2023-10-02</span></li></ul>",
        );
        let f = at(&html, "http://www.example.gov.cn/", Some((2026, 12, 4)));
        assert_eq!(
            years(&f),
            ["2023-10-11", "2022-12-20", "2023-11-02", "2023-10-02"]
        );
        // The generation meta, too.
        let html = rows(&[("/a/1.html", "10-11"), ("/a/2.html", "12-20")]).replace(
            "<html>",
            "<html><head><meta name=\"PubDate\" content=\"2021-12-25 10:00\"></head>",
        );
        let f = at(&html, "http://www.example.gov.cn/", Some((2026, 12, 4)));
        assert_eq!(years(&f), ["2021-10-11", "2021-12-20"]);
    }

    #[test]
    fn month_day_rows_without_evidence_take_the_as_of_year() {
        let html = rows(&[("/a/1.html", "[12-20]"), ("/a/2.html", "[01-03]")]);
        let f = at(&html, "http://www.example.gov.cn/", Some((2025, 1, 6)));
        assert_eq!(years(&f), ["2024-12-20", "2025-01-03"]);
        // No as-of and no evidence: no year is invented.
        let f = at(&html, "http://www.example.gov.cn/", None);
        assert!(f.dated_items.is_empty());
    }

    #[test]
    fn only_a_detected_gb18030_becomes_a_site_hint() {
        use pucha_core::EncodingSource::*;
        let facts = |encoding: &str, source| PageFacts {
            encoding: encoding.to_string(),
            encoding_source: source,
            ..PageFacts::default()
        };
        assert_eq!(
            site_encoding_hint(&facts("gb18030", Detected)),
            Some(encoding_rs::GB18030)
        );
        assert_eq!(site_encoding_hint(&facts("gb18030", HttpHeader)), None);
        assert_eq!(site_encoding_hint(&facts("gb18030", MetaCharset)), None);
        assert_eq!(site_encoding_hint(&facts("Big5", Detected)), None);
        assert_eq!(site_encoding_hint(&facts("UTF-8", Detected)), None);
    }

    #[test]
    fn serialized_path_is_the_parsed_path() {
        for u in [
            "http://x.cn/",
            "http://x.cn:8080/a/index_2.html?p=1",
            "https://x.cn/a/b/",
            "http://127.0.0.1/x#f",
            "http://[::1]:80/v6/p?q=/a",
        ] {
            assert_eq!(serialized_path(u), Url::parse(u).unwrap().path(), "{u}");
        }
    }
}
