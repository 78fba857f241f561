//! Dated list items and citizen messages.
//!
//! A list is recognised by its shape, not by CMS class names: a date sits in an element
//! that is repeated (same tag and class) among its siblings, each repetition also holding
//! a date and a title. That covers `<li><a/><span>date</span></li>`, table rows,
//! `<dl><dd>`, `<div>` rows and widgets without links (NFRA's 留言选登). The article's own
//! date line, a header's "今天" date and info-box stamps are not repeated item shapes,
//! and rows of one repeated label (`作出处罚决定的日期`) have identical titles.

use crate::page::ElementExt;
use std::collections::HashSet;

use rustc_hash::FxHashMap as HashMap;

use chrono::NaiveDate;
use ego_tree::{NodeId, NodeRef};
use once_cell::sync::Lazy;
use pucha_core::{DatedItem, Message};
use regex::Regex;
use scraper::Node;

use crate::dates::{find_dates, FoundDate};
use crate::page::Page;

/// Items longer than this (bytes of text) are article sections, not list rows.
const MAX_ITEM_TEXT: usize = 1200;
/// How far up from a date an item element is searched.
const MAX_CLIMB: usize = 8;

/// Labels that may stand right before a list item's date.
static LABEL: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?:^|[\s\[【(（|｜])(?:发布|更新|留言|提问|来信|咨询|答复|回复|办结|发文|创建)?(?:时间|日期)\s*[:：]?\s*$",
    )
    .expect("regex")
});
/// A time of day (`10:10`, `08:51:32`, `09时32分`).
static TIME: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"\d{1,2}[:时]\d{1,2}(?:[:分]\d{1,2}秒?)?分?").expect("regex"));
static STATUS_ANSWERED: &[&str] = &["已回复", "已答复", "已办结", "已反馈", "已处理"];
static STATUS_OPEN: &[&str] = &[
    "未回复",
    "待回复",
    "未答复",
    "待答复",
    "办理中",
    "处理中",
    "待处理",
    "未办结",
];

/// A list item found on the page.
pub(crate) struct Item {
    pub node: NodeId,
    pub item: DatedItem,
    /// All dates inside the item, in order.
    pub dates: Vec<FoundDate>,
}

fn signature<'a>(n: NodeRef<'a, Node>) -> Option<(&'a str, &'a str)> {
    let el = n.value().as_element()?;
    Some((el.name(), el.attr_of("class").unwrap_or("").trim()))
}

fn element_children(n: NodeRef<'_, Node>) -> impl Iterator<Item = NodeRef<'_, Node>> {
    n.children().filter(|c| c.value().is_element())
}

/// Characters that make a title (letters, digits, CJK).
fn title_chars(s: &str) -> usize {
    s.chars().filter(|c| c.is_alphanumeric()).count()
}

/// Link texts of page tools, never list titles.
const TOOL_WORDS: &[&str] = &[
    "打印",
    "关闭",
    "分享",
    "收藏",
    "字号",
    "返回",
    "顶部",
    "微信",
    "微博",
    "扫一扫",
    "纠错",
    "来源",
];

/// A list date stands on its own (`2024-10-04`, `[10-04]`, `日期：2024年10月8日`), while a
/// date inside prose (`9月29日，由…举行`) belongs to an article paragraph.
pub(crate) fn date_owns_text(page: &Page, d: &FoundDate) -> bool {
    let i = page.segs.partition_point(|s| s.end <= d.start);
    let Some(seg) = page.segs.get(i) else {
        return false;
    };
    let raw_before = &page.text[seg.start..d.start.max(seg.start)];
    let after = &page.text[d.end.min(seg.end)..seg.end];
    let before = LABEL.replace(raw_before.trim_end(), "");
    // Allow a time after the date (`2024-09-12 10:10`, `09时32分`).
    let after = TIME.replace_all(after, "");
    let sentence = after
        .trim_start()
        .starts_with(['，', ',', '。', '；', '、']);
    // A date closing a title (`关于…的通知 2024-10-04`, `标题（2024-10-04）`).
    let closes_title = title_chars(&after) == 0
        && raw_before.ends_with([' ', '(', '（', '[', '【', '|', '｜', '-', '—']);
    !sentence && (title_chars(&before) + title_chars(&after) <= 8 || closes_title)
}

/// `标题 2024-10-04` → `标题`; a title without a trailing date is returned as is.
fn strip_trailing_date(title: &str) -> String {
    if let Some(d) = find_dates(title, None).last() {
        if title_chars(&title[d.end..]) == 0 && title_chars(&title[..d.start]) >= 2 {
            return title[..d.start]
                .trim_end_matches(|c: char| c.is_whitespace() || "(（[【|｜-—".contains(c))
                .to_string();
        }
    }
    title.to_string()
}

/// Finds the dated list items of a page. `dates` are the dates of `page.text`. With
/// `by_url`, rows showing no date are dated by their link's URL (not asked on article
/// pages, whose related-article links are no list of the column).
pub(crate) fn dated_items(page: &Page, dates: &[FoundDate], by_url: bool) -> Vec<Item> {
    // Navigation and header are not excluded: mega-menu panels inside the header carry
    // real lists (NFRA's 留言选登); a header's lone "今天" date is no repeated shape anyway.
    let candidates: Vec<&FoundDate> = dates
        .iter()
        .filter(|d| {
            let r = page.region_at(d.start);
            !r.footer && date_owns_text(page, d)
        })
        .collect();
    let has_date = |id: NodeId| -> bool {
        page.info(id).is_some_and(|i| {
            let k = candidates.partition_point(|d| d.start < i.start);
            candidates.get(k).is_some_and(|d| d.end <= i.end)
        })
    };
    let mut seen: HashSet<NodeId> = HashSet::new();
    let mut items: Vec<Item> = Vec::new();
    // (parent, tag, class) -> how many such children hold a date; computed once per group
    // so long lists stay linear.
    let mut groups: HashMap<(NodeId, &str, &str), usize> = HashMap::default();
    for d in &candidates {
        let Some(seg_node) = page.node_at(d.start) else {
            continue;
        };
        let Some(text_node) = page.html.tree.get(seg_node) else {
            continue;
        };
        let mut cur = text_node.parent();
        for _ in 0..MAX_CLIMB {
            let Some(a) = cur else { break };
            if seen.contains(&a.id()) {
                break;
            }
            let Some(info) = page.info(a.id()) else { break };
            if info.end - info.start > MAX_ITEM_TEXT {
                break;
            }
            let Some(parent) = a.parent() else { break };
            let Some(sig) = signature(a) else { break };
            if matches!(sig.0, "body" | "html") {
                break;
            }
            let same = *groups
                .entry((parent.id(), sig.0, sig.1))
                .or_insert_with(|| {
                    element_children(parent)
                        .filter(|s| signature(*s) == Some(sig) && has_date(s.id()))
                        .count()
                });
            // A lone row counts when it is a list's kind of row, or a lead row of another
            // shape (a featured first item with picture and summary) beside two dated rows.
            let single_ok = same == 1
                && (matches!(sig.0, "li" | "tr" | "dd" | "tbody")
                    || element_children(parent)
                        .filter(|s| s.id() != a.id() && has_date(s.id()))
                        .nth(1)
                        .is_some())
                && link_title(page, a).is_some();
            if same >= 2 || single_ok {
                if let Some(it) = make_item(page, a, dates) {
                    seen.insert(a.id());
                    items.push(it);
                    break;
                }
            }
            cur = a.parent();
        }
    }
    if by_url {
        let found = url_dated_items(page, &items);
        items.extend(found);
    }
    // A group of rows with one repeated title is a form's field rows, not a list (rows
    // linking to distinct pages are a list, however alike their titles: 2025年工作要点).
    let mut by_parent: HashMap<Option<NodeId>, Vec<usize>> = HashMap::default();
    for (i, it) in items.iter().enumerate() {
        let p = page
            .html
            .tree
            .get(it.node)
            .and_then(|n| n.parent())
            .map(|p| p.id());
        by_parent.entry(p).or_default().push(i);
    }
    let mut drop: HashSet<usize> = HashSet::new();
    for idx in by_parent.values() {
        if idx.len() >= 2 {
            let titles: HashSet<&str> = idx.iter().map(|&i| items[i].item.title.as_str()).collect();
            let urls: HashSet<Option<&str>> =
                idx.iter().map(|&i| items[i].item.url.as_deref()).collect();
            if titles.len() == 1 && urls.len() < idx.len() {
                drop.extend(idx.iter().copied());
            }
        }
    }
    let mut out: Vec<Item> = items
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !drop.contains(i))
        .map(|(_, it)| it)
        .collect();
    out.sort_by_key(|it| page.info(it.node).map_or(0, |i| i.start));
    out
}

/// Rows whose only date is their link's URL (`./202401/t20240115_123.html`): TRS lists that
/// show no date, or draw it by script. A row is an element repeated among its siblings (same
/// tag and class), at least two of them holding such a link, outside the items already found,
/// navigation and footer; the URL date is the item's date.
fn url_dated_items(page: &Page, found: &[Item]) -> Vec<Item> {
    let mut covered: Vec<(usize, usize)> = found
        .iter()
        .filter_map(|it| page.info(it.node).map(|i| (i.start, i.end)))
        .collect();
    covered.sort_unstable();
    let inside = |pos: usize, end: usize| {
        let k = covered.partition_point(|r| r.0 <= pos);
        k > 0 && end <= covered[k - 1].1 && pos < covered[k - 1].1
    };
    let mut dated: HashMap<NodeId, NaiveDate> = HashMap::default();
    for l in &page.links {
        if l.link.tag != pucha_core::LinkTag::A || l.link.in_nav || l.link.in_footer {
            continue;
        }
        let Some(u) = l.link.url.as_deref() else {
            continue;
        };
        let Some(date) = crate::date_in_url(crate::serialized_path(u)) else {
            continue;
        };
        let Some(info) = page.info(l.node) else {
            continue;
        };
        if info.end == info.start || inside(info.start, info.end) {
            continue;
        }
        dated.insert(l.node, date);
    }
    if dated.len() < 2 {
        return Vec::new();
    }
    let holds = |n: NodeRef<'_, Node>| -> Option<NaiveDate> {
        std::iter::once(n)
            .chain(n.descendants())
            .find_map(|d| dated.get(&d.id()).copied())
    };
    let mut seen: HashSet<NodeId> = HashSet::new();
    let mut out = Vec::new();
    let mut groups: HashMap<(NodeId, &str, &str), usize> = HashMap::default();
    let mut nodes: Vec<NodeId> = dated.keys().copied().collect();
    nodes.sort_unstable_by_key(|n| page.info(*n).map_or(0, |i| i.start));
    for link in nodes {
        let Some(mut cur) = page.html.tree.get(link) else {
            continue;
        };
        for _ in 0..4 {
            let Some(parent) = cur.parent() else { break };
            let Some(sig) = signature(cur) else { break };
            if matches!(sig.0, "body" | "html") || seen.contains(&cur.id()) {
                break;
            }
            if page
                .info(cur.id())
                .is_none_or(|i| i.end - i.start > MAX_ITEM_TEXT || i.region.footer)
            {
                break;
            }
            let same = *groups
                .entry((parent.id(), sig.0, sig.1))
                .or_insert_with(|| {
                    element_children(parent)
                        .filter(|s| signature(*s) == Some(sig) && holds(*s).is_some())
                        .count()
                });
            if same >= 2 {
                if let (Some((title, url)), Some(date)) = (link_title(page, cur), holds(cur)) {
                    let text = page.text_of(cur.id()).trim_start();
                    if !text.starts_with("上一") && !text.starts_with("下一") {
                        seen.insert(cur.id());
                        out.push(Item {
                            node: cur.id(),
                            item: DatedItem { title, url, date },
                            dates: Vec::new(),
                        });
                    }
                }
                break;
            }
            cur = parent;
        }
    }
    out
}

/// The first link of an item with a usable title: (title, resolved url).
fn link_title(page: &Page, a: NodeRef<'_, Node>) -> Option<(String, Option<String>)> {
    for d in a.descendants() {
        let Some(el) = d.value().as_element() else {
            continue;
        };
        if el.name() != "a" {
            continue;
        }
        let text = page.text_of(d.id()).trim().to_string();
        let title = el
            .attr_of("title")
            .map(str::trim)
            .filter(|t| title_chars(t) >= 2 && find_dates(t, None).is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| strip_trailing_date(&text));
        let tool = TOOL_WORDS.iter().any(|w| title.contains(w)) && title_chars(&title) <= 6;
        let href = el.attr_of("href").unwrap_or("").trim().to_ascii_lowercase();
        let navigable = !href.is_empty() && !href.starts_with("javascript") && href != "#";
        if title_chars(&title) >= 2
            && navigable
            && !tool
            && !title.starts_with("上一")
            && !title.starts_with("下一")
        {
            let url = el
                .attr_of("href")
                .and_then(|h| crate::page::resolve(&page.base, h.trim()));
            return Some((title, url));
        }
    }
    None
}

fn make_item(page: &Page, a: NodeRef<'_, Node>, all_dates: &[FoundDate]) -> Option<Item> {
    let info = page.info(a.id())?;
    let from = all_dates.partition_point(|d| d.start < info.start);
    let dates: Vec<FoundDate> = all_dates[from..]
        .iter()
        .take_while(|d| d.end <= info.end)
        .copied()
        .collect();
    let first = *dates.first()?;
    let text = &page.text[info.start..info.end];
    if let Some((title, url)) = link_title(page, a) {
        if text.trim_start().starts_with("上一") || text.trim_start().starts_with("下一") {
            return None;
        }
        return Some(Item {
            node: a.id(),
            item: DatedItem {
                title,
                url,
                date: first.date,
            },
            dates,
        });
    }
    // No link: the text before the date, without its label, is the title; a field label
    // glued to the date (作出处罚决定的日期 2024年7月8日) is not.
    let before = &page.text[info.start..first.start];
    let stripped = LABEL.replace(before, "");
    let stripped = stripped.trim().trim_end_matches([':', '：']).trim_end();
    if stripped.len() == before.trim().trim_end_matches([':', '：']).trim_end().len()
        && (stripped.ends_with("日期") || stripped.ends_with("时间"))
    {
        return None;
    }
    // Otherwise the longest text line of the item, without dates and labels.
    let mut undated = String::with_capacity(text.len());
    let mut last = info.start;
    for d in &dates {
        if d.start >= last {
            undated.push_str(&page.text[last..d.start]);
            undated.push('\n');
            last = d.end;
        }
    }
    undated.push_str(&page.text[last..info.end]);
    let title = undated
        .split('\n')
        .map(|l| {
            let l = TIME.replace_all(l, "");
            LABEL.replace(l.trim(), "").trim().to_string()
        })
        .max_by_key(|l| title_chars(l))
        .unwrap_or_default();
    const META_WORDS: &[&str] = &[
        "来源",
        "作者",
        "字号",
        "浏览",
        "点击",
        "发布机构",
        "责任编辑",
        "信息来源",
    ];
    if title_chars(&title) < 4 || META_WORDS.iter().any(|w| title.starts_with(w)) {
        return None;
    }
    Some(Item {
        node: a.id(),
        item: DatedItem {
            title,
            url: None,
            date: first.date,
        },
        dates,
    })
}

fn status_flag(text: &str) -> Option<bool> {
    if STATUS_OPEN.iter().any(|s| text.contains(s)) {
        Some(false)
    } else if STATUS_ANSWERED.iter().any(|s| text.contains(s)) {
        Some(true)
    } else {
        None
    }
}

static ASKED_LABEL: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?:留言|提问|来信|咨询|写信)(?:时间|日期)").expect("regex"));
static ANSWER_LABEL: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?:答复|回复|办结|反馈)(?:时间|日期)").expect("regex"));

/// Messages from a table whose header row names 留言时间 (and 回复状态 / 回复时间).
fn table_messages(page: &Page, ctx: Option<i32>) -> Vec<Message> {
    let mut out = Vec::new();
    for n in page.html.tree.nodes() {
        let Some(el) = n.value().as_element() else {
            continue;
        };
        if el.name() != "tr" {
            continue;
        }
        let cells: Vec<NodeRef<'_, Node>> = element_children(n)
            .filter(|c| matches!(c.value().as_element().map(|e| e.name()), Some("th" | "td")))
            .collect();
        let heads: Vec<String> = cells
            .iter()
            .map(|c| page.text_of(c.id()).trim().to_string())
            .collect();
        if heads.iter().any(|h| !find_dates(h, None).is_empty()) {
            continue;
        }
        let Some(asked_col) = heads
            .iter()
            .position(|h| ASKED_LABEL.is_match(h) && h.chars().count() <= 8)
        else {
            continue;
        };
        let answer_col = heads
            .iter()
            .position(|h| ANSWER_LABEL.is_match(h) && h.chars().count() <= 8);
        let status_col = heads
            .iter()
            .position(|h| h.contains("状态") && h.chars().count() <= 8);
        let title_col = heads
            .iter()
            .position(|h| h.contains("标题") || h.contains("主题") || h.contains("事项"))
            .unwrap_or(0);
        let mut row = n.next_sibling();
        while let Some(r) = row {
            row = r.next_sibling();
            if r.value().as_element().map(|e| e.name()) != Some("tr") {
                continue;
            }
            let cells: Vec<NodeRef<'_, Node>> = element_children(r).collect();
            let cell_text = |i: Option<usize>| -> String {
                i.and_then(|i| cells.get(i))
                    .map_or(String::new(), |c| page.text_of(c.id()).trim().to_string())
            };
            let Some(asked) = find_dates(&cell_text(Some(asked_col)), ctx)
                .first()
                .map(|f| f.date)
            else {
                continue;
            };
            let answered = answer_col.and_then(|_| {
                find_dates(&cell_text(answer_col), ctx)
                    .first()
                    .map(|f| f.date)
            });
            let status = status_flag(&cell_text(status_col));
            let title_cell = cells.get(title_col);
            let (title, url) = title_cell
                .and_then(|c| link_title(page, *c))
                .unwrap_or_else(|| (cell_text(Some(title_col)), None));
            out.push(Message {
                title,
                url,
                asked: Some(asked),
                answered,
                answered_flag: if answered.is_some() {
                    Some(true)
                } else {
                    status
                },
            });
        }
    }
    out
}

/// A message detail page: one 留言时间, maybe a 回复时间 and a status.
fn detail_message(
    page: &Page,
    main: &str,
    ctx: Option<i32>,
    title: Option<&str>,
) -> Option<Message> {
    let asked_pos: Vec<usize> = ASKED_LABEL.find_iter(main).map(|m| m.end()).collect();
    if asked_pos.len() != 1 {
        return None;
    }
    let date_after = |pos: usize| -> Option<NaiveDate> {
        let mut end = (pos + 60).min(main.len());
        while !main.is_char_boundary(end) {
            end -= 1;
        }
        let window = &main[pos..end];
        let f = find_dates(window, ctx).into_iter().next()?;
        // The date must follow the label closely.
        (window[..f.start].chars().count() <= 8).then_some(f.date)
    };
    let asked = date_after(asked_pos[0])?;
    let answered = ANSWER_LABEL.find(main).and_then(|m| date_after(m.end()));
    static STATUS: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"(?:答复|回复|办理|处理)状态\s*[:：]?\s*(\S{2,6})").expect("regex")
    });
    let status = STATUS.captures(main).and_then(|c| status_flag(&c[1]));
    static TITLE: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"(?:留言|信件|来信)(?:标题|主题)\s*[:：]?\s*([^\n]{2,100})").expect("regex")
    });
    let title = TITLE
        .captures(main)
        .map(|c| c[1].trim().to_string())
        .or_else(|| title.map(str::to_string))
        .unwrap_or_default();
    Some(Message {
        title,
        url: Some(page.base.to_string()),
        asked: Some(asked),
        answered,
        answered_flag: if answered.is_some() {
            Some(true)
        } else {
            status
        },
    })
}

/// The messages of a message-board list or detail page.
pub(crate) fn messages(
    page: &Page,
    items: &[Item],
    main: &str,
    ctx: Option<i32>,
    title: Option<&str>,
) -> Vec<Message> {
    let table = table_messages(page, ctx);
    if !table.is_empty() {
        return table;
    }
    // List rows that carry a 留言时间 label or a reply status.
    let mut out = Vec::new();
    for it in items {
        let text = page.text_of(it.node);
        let labelled = ASKED_LABEL.is_match(text);
        let status = status_flag(text);
        if !labelled && status.is_none() {
            continue;
        }
        let answered = ANSWER_LABEL.find(text).and_then(|m| {
            let off = page.info(it.node).map_or(0, |i| i.start) + m.end();
            it.dates.iter().find(|d| d.start >= off).map(|d| d.date)
        });
        out.push(Message {
            title: it.item.title.clone(),
            url: it.item.url.clone(),
            asked: Some(it.item.date),
            answered,
            answered_flag: if answered.is_some() {
                Some(true)
            } else {
                status
            },
        });
    }
    if !out.is_empty() {
        return out;
    }
    detail_message(page, main, ctx, title).into_iter().collect()
}
