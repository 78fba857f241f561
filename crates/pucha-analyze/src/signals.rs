//! Tampering signals (indicators §3.3, §3.4): links hidden from view that leave the site — the
//! classic 暗链 of a hacked government page — and redirects written into the page (a meta refresh
//! or a script setting `location`).
//!
//! Self-contained: it reads only the parsed DOM and the page's base URL, so it can move with the
//! parsing layer. Hidden means an inline style or the `hidden` attribute on the link or an
//! ancestor, or a simple `.class` / `#id` rule of the page's own `<style>` blocks.

use crate::page::ElementExt;
use std::collections::HashMap;

use once_cell::sync::Lazy;
use pucha_core::{HiddenLink, Hiding, PageRedirect, PageSignals, RedirectKind};
use regex::Regex;
use scraper::{node::Element, Html};
use url::Url;

/// At most this many signals of each kind are kept per page.
const MAX_SIGNALS: usize = 50;

/// The tampering signals of a parsed page.
///
/// One walk over the tree: each element's hiding (its own, else its nearest hidden
/// ancestor's) is computed once, and only links that leave the site are resolved.
pub(crate) fn extract(html: &Html, base: &Url) -> PageSignals {
    use ego_tree::iter::Edge;
    let css = style_rules(html);
    let mut out = PageSignals::default();
    let page_host = url_host_key(base);
    // The hiding in force inside each open element.
    let mut stack: Vec<Option<Hiding>> = Vec::new();
    for edge in html.tree.root().traverse() {
        let node = match edge {
            Edge::Open(n) => n,
            Edge::Close(n) => {
                if n.value().is_element() {
                    stack.pop();
                }
                continue;
            }
        };
        let Some(el) = node.value().as_element() else {
            continue;
        };
        let inherited = stack.last().copied().flatten();
        let hiding = hiding_of(el, &css).or(inherited);
        stack.push(hiding);
        match el.name() {
            "a" | "area" => {
                let Some(hiding) = hiding else { continue };
                if out.hidden_links.len() >= MAX_SIGNALS {
                    continue;
                }
                let Some(href) = el.attr_of("href") else {
                    continue;
                };
                // A link without `//` (`/zwgk/`, `a.html`) cannot leave the site.
                if !href.contains("//") && !href.contains("\\\\") {
                    continue;
                }
                let Some(url) = resolve(base, href) else {
                    continue;
                };
                if url_host_key(&url).is_none_or(|h| Some(&h) == page_host.as_ref()) {
                    continue;
                }
                let mut text = String::new();
                for t in node.descendants().filter_map(|d| d.value().as_text()) {
                    text.push_str(t);
                }
                let mut text = collapse(&text);
                if text.is_empty() {
                    text = el.attr_of("title").map(collapse).unwrap_or_default();
                }
                out.hidden_links.push(HiddenLink {
                    url: url.to_string(),
                    text,
                    hiding,
                });
            }
            "meta" => {
                let refresh = el
                    .attr_of("http-equiv")
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh"));
                if let (true, Some(content)) = (refresh, el.attr_of("content")) {
                    if let Some(url) = refresh_target(content).and_then(|t| resolve(base, &t)) {
                        push_redirect(&mut out, RedirectKind::MetaRefresh, url, content);
                    }
                }
            }
            "script" if el.attr_of("src").is_none() => {
                // Borrowed from the tree: most scripts never mention `location`.
                let body = crate::page::child_text(node);
                if !body.contains("location") {
                    continue;
                }
                for (target, code) in script_targets(&body) {
                    if let Some(url) = resolve(base, &target) {
                        push_redirect(&mut out, RedirectKind::Script, url, &code);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn push_redirect(out: &mut PageSignals, kind: RedirectKind, url: Url, code: &str) {
    if out.redirects.len() < MAX_SIGNALS {
        out.redirects.push(PageRedirect {
            kind,
            url: url.to_string(),
            code: collapse(code).chars().take(200).collect(),
        });
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// http(s) targets only, fragment dropped.
fn resolve(base: &Url, raw: &str) -> Option<Url> {
    let raw = raw.trim().trim_matches(['\'', '"']);
    if raw.is_empty() || raw.starts_with('#') {
        return None;
    }
    let mut u = base.join(raw).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    u.set_fragment(None);
    Some(u)
}

/// The host without a leading `www.`, with the port when not the default.
fn url_host_key(u: &Url) -> Option<String> {
    let h = u.host_str()?.to_ascii_lowercase();
    let h = h.strip_prefix("www.").unwrap_or(&h).to_string();
    Some(match u.port() {
        Some(p) => format!("{h}:{p}"),
        None => h,
    })
}

/// Declarations of one style text, lower-case, whitespace removed: `display:none;left:-999px`.
fn squash(style: &str) -> String {
    style
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// False when no declaration of `decl` can hide: every hiding needs `none`, `hidden`, a
/// `font-size` or a negative number. Most styles have none of them.
fn may_hide(decl: &str) -> bool {
    let has = |word: &str| crate::page::contains_ignore_ascii_case(decl, word);
    let b = decl.as_bytes();
    has("none")
        || has("hidden")
        || has("font-size")
        || memchr::memchr_iter(b'-', b).any(|i| {
            b[i + 1..]
                .iter()
                .find(|c| !c.is_ascii_whitespace())
                .is_some_and(u8::is_ascii_digit)
        })
}

/// How a declaration block hides its element, if it does. Read declaration by
/// declaration, without regexes: this runs on every inline style of every page.
fn hiding_in(decl: &str) -> Option<Hiding> {
    if !may_hide(decl) {
        return None;
    }
    let (mut display, mut visibility, mut off, mut font0, mut size0, mut overflow) =
        (false, false, false, false, false, false);
    for d in decl.split(';') {
        let Some((prop, val)) = d.split_once(':') else {
            continue;
        };
        let prop = prop.trim();
        let is = |p: &str| prop.eq_ignore_ascii_case(p);
        // Properties that move an element off screen with a large negative value.
        const OFFSETS: &[&str] = &[
            "left",
            "top",
            "right",
            "bottom",
            "margin-left",
            "margin-top",
            "text-indent",
        ];
        const OTHERS: &[&str] = &[
            "display",
            "visibility",
            "overflow",
            "font-size",
            "width",
            "height",
        ];
        if !OTHERS.iter().chain(OFFSETS).any(|p| is(p)) {
            continue;
        }
        let mut val = squash(val);
        if let Some(v) = val.strip_suffix("!important") {
            val.truncate(v.len());
        }
        if is("display") {
            display |= val == "none";
        } else if is("visibility") {
            visibility |= val == "hidden";
        } else if is("overflow") {
            overflow |= val == "hidden";
        } else if is("font-size") {
            let num = strip_unit(&val, &["px", "pt", "em", "rem", "%"]);
            font0 |= num == "0"
                || num
                    .strip_prefix("0.")
                    .is_some_and(|z| !z.is_empty() && z.bytes().all(|b| b == b'0'));
        } else if is("width") || is("height") {
            size0 |= matches!(strip_unit(&val, &["px"]), "0" | "1");
        } else if OFFSETS.iter().any(|p| is(p)) {
            // Offsets of 1000 px and more put the element out of any screen.
            let num = strip_unit(&val, &["px", "pt", "em", "rem"]);
            off |= num.strip_prefix('-').is_some_and(|n| {
                n.len() >= 3
                    && n.bytes().all(|b| b.is_ascii_digit())
                    && n.parse::<u64>().is_ok_and(|n| n >= 1000)
            });
        }
    }
    if display {
        Some(Hiding::DisplayNone)
    } else if visibility {
        Some(Hiding::VisibilityHidden)
    } else if off {
        Some(Hiding::OffScreen)
    } else if font0 {
        Some(Hiding::FontSizeZero)
    } else if size0 && overflow {
        Some(Hiding::ZeroSize)
    } else {
        None
    }
}

/// `v` without one of the `units` at its end.
fn strip_unit<'a>(v: &'a str, units: &[&str]) -> &'a str {
    units.iter().find_map(|u| v.strip_suffix(u)).unwrap_or(v)
}

/// `.class` and `#id` selectors of the page's `<style>` blocks that hide their element.
fn style_rules(html: &Html) -> HashMap<String, Hiding> {
    let mut out = HashMap::new();
    for node in html.tree.nodes() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        if el.name() != "style" {
            continue;
        }
        let text = crate::page::child_text(node);
        let simple = |sel: &&str| {
            sel.len() > 1
                && (sel.starts_with('.') || sel.starts_with('#'))
                && sel[1..]
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        };
        for (selectors, decl) in css_blocks(&text) {
            // Only `.class` and `#id` selectors are matched, so other rules need no reading.
            if !selectors.split(',').map(str::trim).any(|s| simple(&s)) {
                continue;
            }
            let Some(h) = hiding_in(decl) else {
                continue;
            };
            for sel in selectors.split(',').map(str::trim).filter(simple) {
                out.insert(sel.to_ascii_lowercase(), h);
            }
        }
    }
    out
}

/// The innermost `selectors { declarations }` blocks of a style sheet (the blocks inside an
/// `@media` rule count, the `@media` prelude does not): a brace scan, no regex.
fn css_blocks(css: &str) -> impl Iterator<Item = (&str, &str)> {
    // The selector of a block runs from the brace before its `{`.
    let mut sel_start = 0;
    let mut open: Option<usize> = None;
    memchr::memchr2_iter(b'{', b'}', css.as_bytes()).filter_map(move |i| {
        if css.as_bytes()[i] == b'{' {
            if let Some(prev) = open {
                sel_start = prev + 1;
            }
            open = Some(i);
            return None;
        }
        let block = open
            .filter(|&o| o > sel_start)
            .map(|o| (&css[sel_start..o], &css[o + 1..i]));
        open = None;
        sel_start = i + 1;
        block
    })
}

/// How an element hides itself (inline style, `hidden` attribute, or a page style rule).
fn hiding_of(el: &Element, css: &HashMap<String, Hiding>) -> Option<Hiding> {
    if let Some(h) = el.attr_of("style").and_then(hiding_in) {
        return Some(h);
    }
    if el.attr_of("hidden").is_some() {
        return Some(Hiding::HiddenAttr);
    }
    if css.is_empty() {
        return None;
    }
    let mut key = String::new();
    let mut lookup = |prefix: char, name: &str| {
        key.clear();
        key.push(prefix);
        key.push_str(name);
        key.make_ascii_lowercase();
        css.get(&key).copied()
    };
    el.class_names()
        .find_map(|c| lookup('.', c))
        .or_else(|| el.id().and_then(|i| lookup('#', i)))
}

/// The URL of a meta refresh (`5; url=http://...`).
fn refresh_target(content: &str) -> Option<String> {
    let lower = content.to_ascii_lowercase();
    let i = lower.find("url")?;
    let rest = content[i + 3..].trim_start();
    let rest = rest.strip_prefix('=')?.trim();
    let t = rest.trim_matches(['\'', '"', ' ']);
    (!t.is_empty()).then(|| t.to_string())
}

/// Targets an inline script sends the window to: `location = "..."`, `location.href = '...'`,
/// `location.replace("...")`, `location.assign("...")`, `window.open("...", "_self")` is not one.
fn script_targets(body: &str) -> Vec<(String, String)> {
    static ASSIGN: Lazy<Regex> = Lazy::new(|| {
        Regex::new(
            r#"(?:\b(?:window|document|self|top|parent)\s*\.\s*)?\blocation(?:\s*\.\s*href)?\s*=\s*["']([^"']+)["']"#,
        )
        .expect("regex")
    });
    static CALL: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r#"\blocation\s*\.\s*(?:replace|assign)\s*\(\s*["']([^"']+)["']"#)
            .expect("regex")
    });
    ASSIGN
        .captures_iter(body)
        .chain(CALL.captures_iter(body))
        .map(|c| (c[1].to_string(), c[0].to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_blocks_match_the_innermost_rule_pattern() {
        let re = Regex::new(r"([^{}]+)\{([^{}]*)\}").unwrap();
        for css in [
            "",
            ".a{display:none}",
            ".a{x} #b , .c {y:1}\n",
            "@media screen{.a{display:none}.b{left:-2000px}}",
            "}{x}.d{}",
            "{}{}",
            ".e{unclosed",
            "x{{y}}",
            "a{b}c{d{e}f}g",
        ] {
            let want: Vec<(&str, &str)> = re
                .captures_iter(css)
                .map(|c| (c.get(1).unwrap().as_str(), c.get(2).unwrap().as_str()))
                .collect();
            assert_eq!(css_blocks(css).collect::<Vec<_>>(), want, "{css}");
        }
    }

    #[test]
    fn only_styles_that_may_hide_are_read() {
        for s in ["color:red", "margin:0 auto", "width:100px;height:20px"] {
            assert!(!may_hide(s), "{s}");
        }
        for s in [
            "DISPLAY: NONE",
            "visibility:hidden",
            "font-size:0",
            "left: - 1200px",
            "text-indent:-9999px",
        ] {
            assert!(may_hide(s), "{s}");
            assert!(hiding_in(s).is_some(), "{s}");
        }
    }

    fn sig(html: &str) -> PageSignals {
        let base = Url::parse("http://www.qls.gov.cn/index.html").unwrap();
        extract(&Html::parse_document(html), &base)
    }

    #[test]
    fn hidden_external_links_with_their_method_and_text() {
        let s = sig(
            r#"<html><head><style>.xq { display : none } .nav li{display:none}</style></head><body>
            <div style="display:none"><a href="http://www.am-dc888.example/">澳门<b>博彩</b></a></div>
            <div style="position:absolute; left:-9999px"><a href="http://spam.example/p">百家乐</a></div>
            <p style="font-size:0px"><a href="https://x.example/" title="真人娱乐"></a></p>
            <span class="xq"><a href="http://y.example/">六合彩</a></span>
            <div style="display:none"><a href="/zwgk/">政务公开</a><a href="http://qls.gov.cn/a.html">本站</a></div>
            <a href="http://www.gov.cn/">中国政府网</a>
            </body></html>"#,
        );
        let got: Vec<(&str, &str, Hiding)> = s
            .hidden_links
            .iter()
            .map(|l| (l.url.as_str(), l.text.as_str(), l.hiding))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "http://www.am-dc888.example/",
                    "澳门博彩",
                    Hiding::DisplayNone
                ),
                ("http://spam.example/p", "百家乐", Hiding::OffScreen),
                ("https://x.example/", "真人娱乐", Hiding::FontSizeZero),
                ("http://y.example/", "六合彩", Hiding::DisplayNone),
            ]
        );
        assert!(s.redirects.is_empty());
    }

    #[test]
    fn small_offsets_and_visible_links_are_not_hidden() {
        let s = sig(
            r#"<body><div style="position:relative;left:-20px;font-size:0.9em"><a href="http://a.example/">合作</a></div>
            <div style="width:0;height:0"><a href="http://b.example/">无 overflow</a></div></body>"#,
        );
        assert!(s.hidden_links.is_empty(), "{s:?}");
    }

    #[test]
    fn meta_refresh_and_script_redirects() {
        let s = sig(
            r#"<html><head><meta http-equiv="Refresh" content="0; URL='http://bad.example/x'">
            <script>if(document.referrer.indexOf('baidu')>0){ window.location.href = "https://spam.example/?a=1"; }
            setTimeout(function(){ location.replace('/index.htm') }, 10);</script>
            <script src="/js/a.js"></script></head><body></body></html>"#,
        );
        let got: Vec<(RedirectKind, &str)> = s
            .redirects
            .iter()
            .map(|r| (r.kind, r.url.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (RedirectKind::MetaRefresh, "http://bad.example/x"),
                (RedirectKind::Script, "https://spam.example/?a=1"),
                (RedirectKind::Script, "http://www.qls.gov.cn/index.htm"),
            ]
        );
    }
}
