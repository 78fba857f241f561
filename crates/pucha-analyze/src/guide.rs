//! 办事指南 (service guide) elements, indicators §9.
//!
//! A guide is a set of label → value pairs laid out as table rows (`<th>`/`<td>`),
//! headings followed by a block, definition lists, or `label：value` lines. An element
//! counts only when its value is real: empty, `无`, `-` or `详见…` without a link is missing.

use crate::page::ElementExt;
use ego_tree::NodeRef;
use pucha_core::ServiceGuide;
use scraper::Node;

use crate::page::Page;

/// The ten key elements (canonical name, label variants).
pub const KEY_ELEMENTS: &[(&str, &[&str])] = &[
    ("事项名称", &["事项名称", "服务事项", "项目名称"]),
    (
        "设定依据",
        &["设定依据", "法定依据", "办理依据", "实施依据"],
    ),
    ("申请条件", &["申请条件", "受理条件", "办理条件"]),
    (
        "办理材料",
        &["办理材料", "申请材料", "申报材料", "所需材料", "材料目录"],
    ),
    (
        "办理地点",
        &["办理地点", "受理地点", "办公地址", "窗口地址"],
    ),
    (
        "办理机构",
        &["办理机构", "实施机构", "受理机构", "办理部门"],
    ),
    ("收费标准", &["收费标准", "收费依据及标准", "是否收费"]),
    ("办理时间", &["办理时间", "受理时间", "办公时间"]),
    ("联系电话", &["联系电话", "咨询电话", "咨询方式"]),
    ("办理流程", &["办理流程", "办理程序", "办事流程", "流程图"]),
];

/// Minimum number of distinct key labels for a page to count as a guide.
const MIN_LABELS: usize = 3;

fn canonical(label: &str) -> Option<usize> {
    let l = label
        .trim()
        .trim_end_matches([':', '：'])
        .trim()
        .trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '.' | '、' | ' '));
    KEY_ELEMENTS
        .iter()
        .position(|(_, variants)| variants.contains(&l))
}

fn is_placeholder(value: &str, has_link: bool) -> bool {
    let v = value.trim().trim_matches(['。', '.', ' ']);
    if v.is_empty()
        || matches!(
            v,
            "无" | "-" | "—" | "--" | "——" | "/" | "暂无" | "空" | "null"
        )
    {
        return true;
    }
    v.starts_with("详见") && !has_link
}

fn has_link(n: NodeRef<'_, Node>) -> bool {
    n.descendants().any(|d| {
        d.value().as_element().is_some_and(|e| {
            e.name() == "a"
                && e.attr_of("href")
                    .is_some_and(|h| !h.starts_with("javascript"))
        })
    })
}

/// Finds the service-guide elements of a page, if it looks like a guide.
pub(crate) fn service_guide(page: &Page) -> Option<ServiceGuide> {
    // For each key element: Some(present?) once its label was seen.
    let mut found: [Option<bool>; 10] = [None; 10];
    let mut item_name: Option<String> = None;
    let mut record = |idx: usize, value: &str, link: bool, found: &mut [Option<bool>; 10]| {
        let ok = !is_placeholder(value, link);
        if idx == 0 && ok && item_name.is_none() {
            item_name = Some(value.trim().to_string());
        }
        found[idx] = Some(found[idx].unwrap_or(false) || ok);
    };
    for n in page.html.tree.nodes() {
        let Some(el) = n.value().as_element() else {
            continue;
        };
        if !matches!(
            el.name(),
            "th" | "td"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "dt"
                | "strong"
                | "b"
                | "label"
                | "span"
                | "div"
                | "p"
                | "li"
        ) {
            continue;
        }
        let Some(info) = page.info(n.id()) else {
            continue;
        };
        if info.region.boilerplate() || info.end - info.start > 400 {
            continue;
        }
        let text = page.text_of(n.id()).trim();
        if let Some(idx) = canonical(text) {
            // Label element: the value is the next element sibling.
            let value_node = n.next_siblings().find(|s| s.value().is_element());
            let (value, link) = match value_node {
                Some(v) => (page.text_of(v.id()).to_string(), has_link(v)),
                None => (String::new(), false),
            };
            record(idx, &value, link, &mut found);
            continue;
        }
        // `label：value` in one element without child blocks.
        if let Some((label, value)) = text.split_once(['：', ':']) {
            if let Some(idx) = canonical(label) {
                if !text.contains('\n') {
                    record(idx, value, has_link(n), &mut found);
                }
            }
        }
    }
    let labels = found.iter().filter(|f| f.is_some()).count();
    // A contact page (办公地址, 联系电话, 办公时间) is not a guide: one of the elements only
    // guides have must be labelled too.
    let guide_only = [0, 1, 2, 3, 6, 9].iter().any(|&i| found[i].is_some());
    if labels < MIN_LABELS || !guide_only {
        return None;
    }
    let mut guide = ServiceGuide {
        item_name,
        ..ServiceGuide::default()
    };
    for (i, (name, _)) in KEY_ELEMENTS.iter().enumerate() {
        if found[i] == Some(true) {
            guide.present.push(name.to_string());
        } else {
            guide.missing.push(name.to_string());
        }
    }
    Some(guide)
}
