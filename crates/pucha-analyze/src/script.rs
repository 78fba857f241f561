//! What CMS templates leave to scripts: pagers written by a call instead of links (TRS
//! `createPageHTML`, JCMS `pageCount`/`totalRecord` variables, `document.write` pagers,
//! `goPage(n)`), Hanweb's `<script type="text/xml"><datastore>` record sets, and lists that
//! an empty container leaves to a data request or a client-side template.
//!
//! Scripts are read as text, never run: a pager whose pages cannot be derived from literals
//! gives no page, and a list that only a script can fill is reported as such
//! (`PageFacts::list_needs_script`), not as empty.

use std::borrow::Cow;

use once_cell::sync::Lazy;
use regex::Regex;

use crate::page::{ElementExt, Page};

/// Pages generated from one pager call at most: the first pages hold the newest items, and
/// the crawl budget is better spent on other columns.
const MAX_SCRIPT_PAGES: usize = 6;

fn scripts(page: &Page) -> Vec<Cow<'_, str>> {
    page.scripts
        .iter()
        .map(|id| page.script_text(*id))
        .collect()
}

/// A number literal, or a variable assigned one in the page's scripts (`var countPage = 5`).
fn number(arg: &str, all: &str) -> Option<usize> {
    let a = arg.trim().trim_matches(['"', '\'']).trim();
    if let Ok(n) = a.parse() {
        return Some(n);
    }
    if a.is_empty()
        || !a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    {
        return None;
    }
    let re = Regex::new(&format!(
        r#"(?:^|[^\w$.]){}\s*=\s*['"]?(\d+)"#,
        regex::escape(a)
    ))
    .ok()?;
    re.captures(all)?[1].parse().ok()
}

fn string_literal(arg: &str) -> Option<&str> {
    let a = arg.trim();
    let s = a
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .or_else(|| a.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))?;
    (!s.is_empty() && s.parse::<usize>().is_err()).then_some(s)
}

/// TRS `createPageHTML(total, current, "index", "html")`, also with a leading element id
/// and a trailing record count (`createPageHTML('page_div', 5, 0, 'index', 'html', 68)`) and
/// with variables for the numbers. Page 0 is `index.html`, page i is `index_i.html`.
fn create_page_html(page: &Page, all: &str, out: &mut Vec<String>) {
    static CALL: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"createPageHTML\w*\s*\(([^()]*)\)").expect("regex"));
    for c in CALL.captures_iter(all) {
        let args: Vec<&str> = c[1].split(',').map(str::trim).collect();
        // Skip a leading element id.
        let args = match args.first() {
            Some(a) if string_literal(a).is_some() => &args[1..],
            _ => &args[..],
        };
        let (Some(total), Some(cur)) = (
            args.first().and_then(|a| number(a, all)),
            args.get(1).and_then(|a| number(a, all)),
        ) else {
            continue;
        };
        let (Some(name), Some(ext)) = (
            args.get(2).and_then(|a| string_literal(a)),
            args.get(3).and_then(|a| string_literal(a)),
        ) else {
            continue;
        };
        for i in (0..total.min(MAX_SCRIPT_PAGES)).filter(|i| *i != cur) {
            let file = if i == 0 {
                format!("{name}.{ext}")
            } else {
                format!("{name}_{i}.{ext}")
            };
            push(page, &file, out);
        }
        return;
    }
}

fn push(page: &Page, raw: &str, out: &mut Vec<String>) {
    if let Some(u) = crate::page::resolve(&page.base, raw) {
        if u != page.base.as_str() && !out.contains(&u) {
            out.push(u);
        }
    }
}

/// The number of pages a script states: a page-count variable, or records over page size.
fn page_count(all: &str) -> Option<usize> {
    static PAGES: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r#"(?i)(?:^|[^\w$.])(?:pagecount|totalpages?|countpage|pagetotal|page_count|total_page|pagenum_total|maxpage)\s*[:=]\s*['"]?(\d+)"#)
            .expect("regex")
    });
    static RECORDS: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r#"(?i)(?:^|[^\w$.])(?:totalrecords?|recordcount|totalcount|total_record|totalnum)\s*[:=]\s*['"]?(\d+)"#)
            .expect("regex")
    });
    static PER_PAGE: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r#"(?i)(?:^|[^\w$.])(?:perpage|pagesize|page_size|per_page|numperpage)\s*[:=]\s*['"]?(\d+)"#)
            .expect("regex")
    });
    if let Some(n) = PAGES.captures(all).and_then(|c| c[1].parse().ok()) {
        return Some(n);
    }
    let records: usize = RECORDS.captures(all)?[1].parse().ok()?;
    let per: usize = PER_PAGE.captures(all)?[1].parse().ok()?;
    (per > 0).then(|| records.div_ceil(per))
}

/// Query parameters that number a list's pages (JCMS `pageNum`, others `page`, `pageNo`, …).
const PAGE_PARAMS: &[&str] = &[
    "pageNum",
    "pageNo",
    "page",
    "pageIndex",
    "curPage",
    "currentPage",
    "pn",
];

/// A page-count variable with a page-number parameter in the page's own URL
/// (`…/index.html?uid=4321&pageNum=1` and `var pageCount = 3`) gives the other pages.
fn counted_query_pages(page: &Page, all: &str, out: &mut Vec<String>) {
    let Some(total) = page_count(all) else {
        return;
    };
    let pairs: Vec<(String, String)> = page
        .base
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let Some(param) = pairs
        .iter()
        .map(|(k, _)| k.as_str())
        .find(|k| PAGE_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(k)))
    else {
        return;
    };
    for n in 1..=total.min(MAX_SCRIPT_PAGES) {
        let mut u = page.base.clone();
        {
            let mut q = u.query_pairs_mut();
            q.clear();
            for (k, v) in &pairs {
                if k == param {
                    q.append_pair(k, &n.to_string());
                } else {
                    q.append_pair(k, v);
                }
            }
        }
        let u = u.to_string();
        if u != page.base.as_str() && !out.contains(&u) {
            out.push(u);
        }
    }
}

/// Pager URLs written as literals in scripts (`document.write('<a href="list_11_2.html">')`).
fn literal_pages(page: &Page, all: &str, out: &mut Vec<String>) {
    static PAGED: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r#"(?i)[\w./-]*\b(?:index|list|default)[_-]\d+(?:[_-]\d+)*\.s?html?"#)
            .expect("regex")
    });
    let mut n = 0;
    for m in PAGED.find_iter(all) {
        if n >= MAX_SCRIPT_PAGES {
            break;
        }
        let before = out.len();
        push(page, m.as_str(), out);
        n += out.len() - before;
    }
}

/// `goPage(n)`-style pagers: the page numbers in the calls of links and `onclick`s, and the
/// URL the script builds from the number (`"list_" + n + ".shtml"`, `"index_" + (n-1) + ".html"`).
fn go_page(page: &Page, all: &str, out: &mut Vec<String>) {
    static CALL: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r#"(?i)\b(?:go_?page|goto_?page|to_?page|turn_?page|jump_?page|change_?page|page_?go|showpage)\s*\(\s*['"]?(\d+)['"]?\s*[,)]"#)
            .expect("regex")
    });
    static TEMPLATE: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r#"["']([^"'\s<>+]{0,200}[_=/-])["']\s*\+\s*\(?\s*[A-Za-z_$][\w$]*\s*(?:([-+])\s*1)?\s*\)?\s*(?:\+\s*["']([^"'\s<>+]{0,100})["'])?"#)
            .expect("regex")
    });
    let mut numbers: Vec<usize> = Vec::new();
    let hay = page
        .links
        .iter()
        .map(|l| &*l.link.raw)
        .chain(onclicks(page))
        .collect::<Vec<&str>>();
    for h in hay {
        for c in CALL.captures_iter(h) {
            if let Ok(n) = c[1].parse::<usize>() {
                if !numbers.contains(&n) {
                    numbers.push(n);
                }
            }
        }
    }
    if numbers.is_empty() {
        return;
    }
    let Some(t) = TEMPLATE.captures_iter(all).find(|c| {
        let suffix = c.get(3).map_or("", |m| m.as_str());
        let prefix = &c[1];
        let pagey = |s: &str| {
            let s = s.to_ascii_lowercase();
            [".htm", ".shtml", ".jsp", ".php", ".asp", ".do"]
                .iter()
                .any(|e| s.contains(e))
        };
        (suffix.is_empty() && prefix.ends_with('=')) || pagey(suffix)
    }) else {
        return;
    };
    let prefix = t[1].to_string();
    let suffix = t.get(3).map_or("", |m| m.as_str()).to_string();
    let offset: i64 = match t.get(2).map(|m| m.as_str()) {
        Some("-") => -1,
        Some(_) => 1,
        None => 0,
    };
    for n in numbers.into_iter().take(MAX_SCRIPT_PAGES) {
        let k = n as i64 + offset;
        if k < 0 || (k == 0 && prefix.ends_with('_')) {
            continue;
        }
        push(page, &format!("{prefix}{k}{suffix}"), out);
    }
}

fn onclicks(page: &Page) -> impl Iterator<Item = &str> {
    page.html
        .tree
        .nodes()
        .filter_map(|n| n.value().as_element())
        .filter_map(|el| el.attr_of("onclick"))
}

/// Pagination URLs that only the page's scripts name, in the order found.
pub(crate) fn script_pages(page: &Page) -> Vec<String> {
    let all = scripts(page).join("\n");
    let mut out = Vec::new();
    create_page_html(page, &all, &mut out);
    if out.is_empty() {
        counted_query_pages(page, &all, &mut out);
    }
    if out.is_empty() {
        literal_pages(page, &all, &mut out);
    }
    if out.is_empty() {
        go_page(page, &all, &mut out);
    }
    out
}

/// A Hanweb datastore: the records' HTML and the `nextgroup` request, when named.
pub(crate) struct Datastore {
    pub records: String,
    pub next: Option<String>,
}

/// The `<script type="text/xml"><datastore>` of a Hanweb list, when the page has one:
/// `<recordset><record><![CDATA[<li>…</li>]]></record>…</recordset>`.
pub(crate) fn datastore(page: &Page) -> Option<Datastore> {
    static RECORD: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"(?is)<record\b[^>]*>(.*?)</record>").expect("regex"));
    static NEXT: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"(?is)<nextgroup\b[^>]*>(.*?)</nextgroup>").expect("regex"));
    static HREF: Lazy<Regex> =
        Lazy::new(|| Regex::new(r#"(?i)href\s*=\s*["']([^"']+)["']"#).expect("regex"));
    let mut records = String::new();
    let mut next = None;
    for id in &page.scripts {
        let text = page.script_text(*id);
        if !crate::page::contains_ignore_ascii_case(&text, "<datastore") {
            continue;
        }
        for c in RECORD.captures_iter(&text) {
            records.push_str(cdata(&c[1]));
            records.push('\n');
        }
        if next.is_none() {
            next = NEXT
                .captures(&text)
                .and_then(|c| HREF.captures(cdata(&c[1])).map(|h| h[1].to_string()))
                .and_then(|h| crate::page::resolve(&page.base, h.trim()));
        }
    }
    (!records.is_empty()).then_some(Datastore { records, next })
}

fn cdata(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix("<![CDATA[")
        .and_then(|r| r.strip_suffix("]]>"))
        .unwrap_or(s)
}

/// Whether the page's list is left to a script, and the same-site data URL it loads, if
/// named. Only asked of pages without list items in their HTML: a client-side template
/// (`v-for`, `ng-repeat`, `{{…}}` in a list), or a data request (`$.ajax({url: …})`,
/// `$.getJSON`, `fetch`, `XMLHttpRequest.open`, `.load`) next to an empty list container.
pub(crate) fn script_list(page: &Page) -> (bool, Option<String>) {
    static CALL: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r#"(?i)(?:\burl\s*:\s*|\$\.(?:get|getjson|post|ajax)\s*\(\s*|\bfetch\s*\(\s*|\.open\s*\(\s*['"](?:get|post)['"]\s*,\s*|\.load\s*\(\s*|axios(?:\.get|\.post)?\s*\(\s*)['"]([^'"\s]+)['"]"#)
            .expect("regex")
    });
    let all = scripts(page).join("\n");
    let template = page.html.tree.nodes().any(|n| {
        n.value().as_element().is_some_and(|el| {
            el.attr_of("v-for").is_some()
                || el.attr_of("ng-repeat").is_some()
                || (el.name() == "script"
                    && el.attr_of("type").is_some_and(|t| {
                        let t = t.to_ascii_lowercase();
                        t.contains("template") || t == "text/html"
                    }))
        })
    }) || page.text.contains("{{");
    let data: Vec<&str> = CALL
        .captures_iter(&all)
        .map(|c| c.get(1).map_or("", |m| m.as_str()))
        .filter(|u| is_data_url(u))
        .collect();
    if !template && (data.is_empty() || !has_empty_container(page)) {
        return (false, None);
    }
    let same_site = data.iter().find_map(|u| {
        let r = crate::page::resolve(&page.base, u)?;
        let parsed = url::Url::parse(&r).ok()?;
        (parsed.host_str() == page.base.host_str()).then_some(r)
    });
    (true, same_site)
}

/// A URL a script may load list data from: not a script, style sheet or image, not a
/// visit counter or statistics beacon.
fn is_data_url(u: &str) -> bool {
    let l = u.to_ascii_lowercase();
    let path = l.split(['?', '#']).next().unwrap_or("");
    const ASSETS: &[&str] = &[
        ".js", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".woff",
    ];
    const COUNTERS: &[&str] = &["visit", "count", "click", "hits", "stat", "log", "track"];
    !path.is_empty()
        && !ASSETS.iter().any(|e| path.ends_with(e))
        && !COUNTERS.iter().any(|w| path.contains(w))
        && !l.starts_with("javascript:")
}

/// An empty list-like element outside navigation, header and footer (`<ul id="newsList">`).
fn has_empty_container(page: &Page) -> bool {
    page.html.tree.nodes().any(|n| {
        let Some(el) = n.value().as_element() else {
            return false;
        };
        if !matches!(el.name(), "ul" | "ol" | "tbody" | "table" | "div" | "dl") {
            return false;
        }
        let listy = el
            .attr_of("id")
            .into_iter()
            .chain(el.class_names())
            .any(|c| {
                ["list", "news", "data", "item", "info", "article", "content"]
                    .iter()
                    .any(|w| crate::page::contains_ignore_ascii_case(c, w))
            });
        listy
            && !n.children().any(|c| c.value().is_element())
            && page.info(n.id()).is_some_and(|i| {
                !i.region.boilerplate() && page.text[i.start..i.end].trim().is_empty()
            })
    })
}
