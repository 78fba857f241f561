//! Hostile pages (issue #17 items 2 and 11): deep nesting, huge attribute lists, megabytes of
//! broken markup, mixed encodings. Analysis must never panic, must stay within its budget
//! (`pucha_analyze::Budget`, linear in the input) and must say when it cut a page.
//!
//! Times are never asserted here (see `examples/hostile.rs` for the numbers); the asserts
//! are structural: the cut is recorded, the tree stays within the limits, the result comes.
//!
//! Long run: `PROPTEST_CASES=10000000 cargo test --release -p pucha-analyze --test hostile`.

use proptest::prelude::*;
use pucha_analyze::tree::{parse_document_within, TreeBudget};
use pucha_analyze::{analyze_with, AnalyzeOptions, Budget};

fn url() -> url::Url {
    url::Url::parse("http://www.example.gov.cn/col/col1/index.html").unwrap()
}

fn nested(depth: usize, tag: &str) -> String {
    let mut s = format!("<{tag}>").repeat(depth);
    s.push_str("<li><a href='/deep.html'>标题很长的一条消息</a>2024-01-01</li>");
    s.push_str(&format!("</{tag}>").repeat(depth));
    s.push_str("<div>嵌套之后的正文内容</div>");
    s
}

/// Depth of the deepest node and the number of nodes of a tree.
fn shape(html: &scraper::Html) -> (usize, usize) {
    let mut deepest = 0;
    let mut count = 0;
    for n in html.tree.root().descendants() {
        count += 1;
        deepest = deepest.max(n.ancestors().count());
    }
    (deepest, count)
}

#[test]
fn a_hundred_thousand_nested_divs_are_cut_at_the_depth_limit() {
    let s = nested(100_000, "div");
    let f = pucha_analyze::analyze(s.as_bytes(), &url(), None);
    let cut = f.analysis_cut.as_deref().expect("cut recorded");
    assert!(cut.contains("depth 256"), "{cut}");
    // What sits below the cut is still read, and so is what comes after the nesting.
    assert!(
        f.links.iter().any(|l| l.raw.contains("deep.html")),
        "{:?}",
        f.links
    );
    assert!(
        f.body_text.contains("嵌套之后的正文内容"),
        "{}",
        f.body_text
    );
    let (html, _) = parse_document_within(&s, TreeBudget::default());
    let (deepest, _) = shape(&html);
    assert!(deepest <= 256 + 2, "{deepest}");
}

#[test]
fn nesting_of_every_kind_is_cut() {
    for tag in ["span", "table", "b", "p", "li", "a", "font", "td", "svg"] {
        let s = nested(50_000, tag);
        let f = pucha_analyze::analyze(s.as_bytes(), &url(), None);
        let (html, cut) = parse_document_within(&s, TreeBudget::default());
        let (deepest, _) = shape(&html);
        assert!(deepest <= 256 + 2, "{tag}: {deepest}");
        // Elements that close themselves (p, li, a, td) never nest: nothing to cut there.
        assert_eq!(cut.is_some(), f.analysis_cut.is_some(), "{tag}");
    }
}

#[test]
fn two_megabytes_of_pathological_markup_are_analysed_and_cut() {
    let s = pucha_farm::pathological_html(2 << 20, 0);
    let f = pucha_analyze::analyze(s.as_bytes(), &url(), None);
    let cut = f.analysis_cut.as_deref().expect("cut recorded");
    assert!(cut.starts_with("page too complex"), "{cut}");
    assert!(f.body_text.len() <= Budget::default().max_body_text_bytes);
    assert!(!f.links.is_empty());
}

#[test]
fn the_node_limit_stops_reading() {
    let s = "<p>一段文字</p>".repeat(10_000);
    let options = AnalyzeOptions {
        budget: Budget {
            tree: TreeBudget {
                max_nodes: 1_000,
                ..TreeBudget::default()
            },
            ..Budget::default()
        },
        ..AnalyzeOptions::default()
    };
    let f = analyze_with(s.as_bytes(), &url(), None, &options);
    assert_eq!(
        f.analysis_cut.as_deref(),
        Some("page too complex, analysis cut at 1000 nodes")
    );
    let (html, _) = parse_document_within(&s, options.budget.tree);
    assert!(shape(&html).1 <= 1_008);
    // Under the defaults the page is whole.
    assert_eq!(
        pucha_analyze::analyze(s.as_bytes(), &url(), None).analysis_cut,
        None
    );
}

#[test]
fn an_element_with_a_million_attributes_keeps_the_first_ones() {
    let mut s = String::from("<div id=first ");
    for i in 0..1_000_000 {
        s.push_str(&format!("a{i}=1 "));
    }
    s.push_str("class=last>正文</div>");
    let f = pucha_analyze::analyze(s.as_bytes(), &url(), None);
    assert_eq!(
        f.analysis_cut.as_deref(),
        Some("page too complex, analysis cut at 256 attributes on one element")
    );
    assert!(f.body_text.contains("正文"));
    // Duplicates are no cut: `a=1` a million times is one attribute.
    let s = format!("<div {}>正文</div>", "a=1 ".repeat(1_000_000));
    assert_eq!(
        pucha_analyze::analyze(s.as_bytes(), &url(), None).analysis_cut,
        None
    );
}

#[test]
fn body_text_is_kept_bounded() {
    let s = format!("<p>{}</p>", "政务公开".repeat(200_000));
    let f = pucha_analyze::analyze(s.as_bytes(), &url(), None);
    let max = Budget::default().max_body_text_bytes;
    assert!(f.body_text.len() <= max && f.body_text.len() > max - 4);
    assert_eq!(
        f.analysis_cut.as_deref(),
        Some(format!("page too large, body text kept to {max} bytes").as_str())
    );
    assert!(f.main_text_chars >= 800_000);
}

#[test]
fn ordinary_pages_are_not_cut() {
    let mut s =
        String::from("<html><head><title>某市人民政府</title></head><body><div class=list><ul>");
    for i in 0..2_000 {
        s.push_str(&format!(
            "<li><a href='/a/{i}.html' title='标题'>关于做好通知公告工作的第{i}号通知</a><span>2024-10-04</span></li>"
        ));
    }
    s.push_str("</ul></div></body></html>");
    let f = pucha_analyze::analyze(s.as_bytes(), &url(), None);
    assert_eq!(f.analysis_cut, None);
    assert_eq!(f.links.len(), 2_000);
}

/// One piece of hostile markup.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    let tags = prop::sample::select(vec![
        "div",
        "span",
        "table",
        "tr",
        "td",
        "li",
        "ul",
        "p",
        "a href='/x'",
        "b",
        "font",
        "svg",
        "select",
        "option",
        "dl",
        "dd",
        "h1",
        "button",
        "form",
        "iframe",
        "title",
        "script",
    ]);
    prop_oneof![
        // Deep nesting, closed or not.
        (tags.clone(), 0usize..600, any::<bool>()).prop_map(|(t, n, close)| {
            let mut s = format!("<{t}>").repeat(n);
            if close {
                let name = t.split(' ').next().unwrap_or(t);
                s.push_str(&format!("</{name}>").repeat(n));
            }
            s.into_bytes()
        }),
        // Many attributes, or a huge one.
        (0usize..600).prop_map(|n| {
            let mut s = String::from("<div ");
            for i in 0..n {
                s.push_str(&format!("x{i}='{i}' "));
            }
            s.push('>');
            s.into_bytes()
        }),
        (0usize..200_000)
            .prop_map(|n| format!("<a title='{}' href='/t'>", "题".repeat(n / 3)).into_bytes()),
        // Broken tags and references.
        prop::sample::select(vec![
            "<",
            "</",
            "<a href='",
            "<!--",
            "-->",
            "<script>",
            "</script>",
            "&#x",
            "&#99999999;",
            "<!DOCTYPE html>",
            "<?xml",
            "</div",
            "<div/",
            "<<>>",
            "<table><td>",
            "</body>",
            "<html>",
            "<meta charset=gbk>",
            "<meta http-equiv='Content-Type' content='text/html; charset=big5'>",
            "2024-01-01",
            "08-30",
            "主办单位：",
            "\u{3000}",
            "&nbsp;",
            "\0",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        // Mixed encodings: GBK and UTF-8 Chinese, BOMs, invalid bytes.
        prop::sample::select(vec![
            &b"\xd6\xd0\xbb\xaa\xc8\xcb\xc3\xf1"[..],
            "中华人民共和国".as_bytes(),
            b"\xef\xbb\xbf",
            b"\xff\xfe",
            b"\xff",
            b"\x80\x81\x82",
            b"\xe4\xb8",
        ])
        .prop_map(|b| b.to_vec()),
        // Random bytes.
        prop::collection::vec(any::<u8>(), 0..64),
    ]
}

fn hostile_page() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(piece(), 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    // PROPTEST_CASES overrides the number of cases (256 by default, the CI's short run).
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn hostile_pages_stay_within_the_budget(
        body in hostile_page(),
        max_depth in 8usize..128,
        max_nodes in 64usize..4_096,
        max_attributes in 2usize..64,
    ) {
        let tree = TreeBudget { max_depth, max_nodes, max_attributes };
        let budget = Budget { tree, max_body_text_bytes: 4_096 };
        let options = AnalyzeOptions { budget, ..AnalyzeOptions::default() };
        let f = analyze_with(&body, &url(), None, &options);
        prop_assert!(f.body_text.len() <= 4_096);

        // The tree itself, on the decoded text as the analysis read it.
        let text = pucha_analyze::decode(&body, None).text;
        let (html, cut) = parse_document_within(&text, tree);
        let (deepest, nodes) = shape(&html);
        // The document node, html and body sit above the capped stack.
        prop_assert!(deepest <= max_depth + 2, "depth {} over {}", deepest, max_depth);
        // The markup that reaches the limit is finished (a table row adds tbody and tr).
        prop_assert!(nodes <= max_nodes + 8, "{} nodes over {}", nodes, max_nodes);
        // Over a limit means a cut is recorded.
        let (full, _) = parse_document_within(&text, TreeBudget::UNLIMITED);
        let (full_depth, full_nodes) = shape(&full);
        if full_depth > max_depth + 2 || full_nodes > max_nodes {
            prop_assert!(cut.is_some(), "over the budget without a cut");
        }
        if cut.is_some() {
            prop_assert!(f.analysis_cut.is_some());
        }
    }
}
