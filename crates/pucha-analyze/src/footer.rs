//! The footer identity items of indicators §10 (党政机关标识, 网站标识码, ICP, 公安备案,
//! 主办单位, 联系方式, 网站地图, 我为政府网站找错).
//!
//! Footers are written inconsistently: split across `<span>`s, only inside JavaScript
//! string literals (`var footer = '<div>…' + '…'`), or as `document.write(unescape("%3C…"))`.
//! So the items are searched in the visible text plus the HTML carried by inline scripts,
//! and the link-shaped items (badge, jiucuo) in the raw markup too. The sponsor and
//! contact are only read from the footer, because article bodies mention other units'
//! 主办单位 (an event's organiser).

use crate::page::ElementExt;
use once_cell::sync::Lazy;
use percent_encoding::percent_decode_str;
use pucha_core::{Footer, FooterItem};
use regex::Regex;
use scraper::{Html, Node};

use crate::page::Page;

/// Province abbreviations used in ICP and 公网安备 numbers.
const PROV: &str = "京津沪渝冀豫云滇辽黑湘皖鲁新苏浙赣鄂桂甘陇晋蒙陕吉闽贵黔粤青藏川蜀宁琼";

// ICP and 公网安备 numbers are searched from their label on (a rare literal the regex engine
// finds quickly); the province abbreviation before the label is read by `province_before`.
static ICP: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"ICP\s*(?:证|备)?\s*(?:案)?\s*([:：])?\s*(\d{6,12})\s*(号)?\s*(?:-\s*(\d{1,3})\s*(号)?)?",
    )
    .expect("regex")
});
static PSB: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"公\s*网\s*安\s*备\s*(号)?\s*([:：])?\s*(\d{10,16})\s*(号)?").expect("regex")
});
static PSB_LABEL: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"公安机关备案号\s*[:：]?\s*(\d{14})\s*(号)?").expect("regex"));
static SITE_CODE: Lazy<Regex> = Lazy::new(|| {
    // From 标识码/识别码 on (rarer than 网站); `site_code` checks the 网站 before it.
    Regex::new(r"(?:标识|识别)码\s*[:：]?\s*([A-Za-z]{0,2}\s*\d{6,14})").expect("regex")
});
static SPONSOR_LABEL: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"主\s*办(?:\s*单\s*位|\s*方)?\s*[:：]\s*([^\s|｜/，,;；:：]{2,80})").expect("regex")
});
static SPONSOR_SUFFIX: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"([\p{Han}、（）()·]{4,80}?)\s*主办(?:单位)?(?:$|[\s|｜，,。；;])").expect("regex")
});
static CONTACT: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?i)(?:电话|热线|联系|咨询)\p{Han}{0,6}\s*[:：]?\s*(?:\(?0\d{2,3}\)?[-\s]?\d{5,8}|\d{5,8}|1\d{10})|(?:邮编|邮政编码)\s*[:：]?\s*\d{6}|(?:邮箱|e-?mail|信箱)\s*[:：]?\s*[\w.-]+@[\w-]+\.[\w.-]+|地址\s*[:：]\s*[\p{Han}\d]{4,}",
    )
    .expect("regex")
});
static CONAC_LINK: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"^//bszs\.conac\.cn/sitename\?method=show&(?:amp;)?id=([0-9A-Fa-f]{32})")
        .expect("regex")
});
static JIUCUO_URL: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r#"(?:https?:)?//(?:zfwzgl|zfwzzc|zfwzxx)\.www\.gov\.cn/[^"'\s<>)]*|(?:https?:)?//(?:pucha\.kaipuyun\.cn|121\.43\.68\.40)/exposure/[^"'\s<>)]*"#,
    )
    .expect("regex")
});
static SITE_CODE_PARAM: Lazy<Regex> =
    Lazy::new(|| Regex::new(r#"(?i)site_?code\s*=\s*['"]?([A-Za-z0-9]{4,20})"#).expect("regex"));
static LINK_CALL: Lazy<Regex> =
    Lazy::new(|| Regex::new(r#"Link\(\s*\\?['"]([A-Za-z0-9]{6,20})\\?['"]"#).expect("regex"));

// Words looked for in every link text of a page.
static CONTACT_WORDS: Lazy<aho_corasick::AhoCorasick> =
    Lazy::new(|| crate::page::words(&["联系我们", "联系方式"]));
static SITEMAP_WORDS: Lazy<aho_corasick::AhoCorasick> =
    Lazy::new(|| crate::page::words(&["网站地图", "站点地图"]));
static JIUCUO_WORDS: Lazy<aho_corasick::AhoCorasick> =
    Lazy::new(|| crate::page::words(&["政府网站找错"]));

/// What the footer extraction returns besides the items.
pub(crate) struct FooterFacts {
    pub footer: Footer,
    pub jiucuo_site_code: Option<String>,
}

/// Visible text and links carried by inline scripts that write HTML.
#[derive(Default)]
pub(crate) struct ScriptHtml {
    pub text: String,
    /// (raw href, anchor text)
    pub links: Vec<(String, String)>,
    /// The decoded script sources (percent-decoded, concatenations removed).
    pub raw: String,
}

/// Extracts the HTML written by scripts that look like they build a footer.
pub(crate) fn script_html<S: AsRef<str>>(scripts: &[S]) -> ScriptHtml {
    static JOIN: Lazy<Regex> =
        Lazy::new(|| Regex::new(r#"['"]\s*\+\s*(?:\r?\n\s*)?['"]"#).expect("regex"));
    const KEYS: &[&str] = &[
        "ICP",
        "公网安备",
        "标识码",
        "conac",
        "jiucuo",
        "主办",
        "网站地图",
        "站点地图",
        "%3C",
        "%3c",
    ];
    let mut out = ScriptHtml::default();
    for s in scripts {
        let s = s.as_ref();
        if !s.contains('<') && !s.contains("%3C") && !s.contains("%3c") {
            continue;
        }
        if !KEYS.iter().any(|k| s.contains(k)) {
            continue;
        }
        let decoded = if s.contains("%3C") || s.contains("%3c") {
            percent_decode_str(s).decode_utf8_lossy().into_owned()
        } else {
            s.to_string()
        };
        let cleaned = JOIN
            .replace_all(&decoded, "")
            .replace("\\'", "'")
            .replace("\\\"", "\"")
            .replace("\\/", "/");
        out.raw.push_str(&cleaned);
        out.raw.push('\n');
        let frag = Html::parse_fragment(&cleaned);
        let mut hidden_depth: Vec<bool> = vec![false];
        use ego_tree::iter::Edge;
        for edge in frag.tree.root().traverse() {
            match edge {
                Edge::Open(n) => match n.value() {
                    Node::Element(el) => {
                        let parent_hidden = *hidden_depth.last().unwrap_or(&false);
                        hidden_depth.push(parent_hidden || matches!(el.name(), "script" | "style"));
                        if matches!(el.name(), "div" | "p" | "br" | "li" | "tr" | "ul" | "table") {
                            out.text.push('\n');
                        }
                        if el.name() == "a" {
                            if let Some(h) = el.attr_of("href") {
                                let h = h.trim();
                                if !h.contains('+') && !h.contains('\'') && !h.is_empty() {
                                    let t: String = n
                                        .descendants()
                                        .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
                                        .collect::<String>()
                                        .trim()
                                        .to_string();
                                    out.links.push((h.to_string(), t));
                                }
                            }
                        }
                    }
                    Node::Text(t) if !*hidden_depth.last().unwrap_or(&false) => {
                        crate::page::push_collapsed(&mut out.text, t);
                    }
                    _ => {}
                },
                Edge::Close(n) => {
                    if n.value().is_element() {
                        hidden_depth.pop();
                    }
                }
            }
        }
        out.text.push('\n');
    }
    out
}

fn item(value: Option<String>) -> FooterItem {
    FooterItem {
        present: true,
        value,
        problems: Vec::new(),
    }
}

/// The byte windows of `text` around footer anchors, for pages whose footer has no
/// recognisable markup.
fn anchor_windows(text: &str) -> String {
    static ANCHOR: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"ICP|公网安备|网站标识码|网站识别码|版权所有|Copyright|©").expect("regex")
    });
    const RADIUS: usize = 240;
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for m in ANCHOR.find_iter(text) {
        let mut s = m.start().saturating_sub(RADIUS);
        while !text.is_char_boundary(s) {
            s -= 1;
        }
        let mut e = (m.end() + RADIUS).min(text.len());
        while !text.is_char_boundary(e) {
            e += 1;
        }
        match ranges.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => ranges.push((s, e)),
        }
    }
    let mut out = String::new();
    for (s, e) in ranges {
        out.push_str(&text[s..e]);
        out.push('\n');
    }
    out
}

fn has_anchor(text: &str) -> bool {
    ["ICP", "公网安备", "标识码", "识别码", "版权", "主办"]
        .iter()
        .any(|k| text.contains(k))
}

/// Extracts the footer items of a page.
pub(crate) fn extract(page: &Page, raw_html: &str) -> FooterFacts {
    let sources: Vec<_> = page
        .scripts
        .iter()
        .map(|&id| page.script_text(id))
        .collect();
    let scripts = script_html(&sources);
    let all_text = joined(&page.text, &scripts.text);
    let region = page.footer_text();
    let footer_text = if has_anchor(&region) {
        format!("{region}\n{}", scripts.text)
    } else {
        format!("{region}\n{}\n{}", anchor_windows(&page.text), scripts.text)
    };
    let raw_all = joined(raw_html, &scripts.raw);

    let mut f = Footer {
        icp: icp(&all_text),
        psb: psb(&all_text),
        site_id_code: site_code(&all_text),
        sponsor: sponsor(&footer_text),
        ..Footer::default()
    };

    // Links of the page plus links written by scripts: (raw, text, in_footer).
    let mut links: Vec<(&str, &str)> = page
        .links
        .iter()
        .map(|l| (&*l.link.raw, &*l.link.text))
        .collect();
    links.extend(scripts.links.iter().map(|(h, t)| (h.as_str(), t.as_str())));

    // 党政机关标识
    // Tried at each `//bszs.conac.cn` in turn: anchored, so a badge script of another
    // shape costs nothing.
    let conac = memchr::memmem::find_iter(raw_all.as_bytes(), b"//bszs.conac.cn")
        .find_map(|hit| CONAC_LINK.captures(&raw_all[hit..]));
    if let Some(c) = conac {
        // Normalised to the https form; the id is what identifies the badge.
        f.conac_badge = item(Some(format!(
            "https://bszs.conac.cn/sitename?method=show&id={}",
            c[1].to_ascii_uppercase()
        )));
    } else if raw_all.contains("dcs.conac.cn") || raw_all.contains("_ideConac") {
        f.conac_badge = item(None);
    }

    // 联系方式: a contact line in the footer, else a 联系我们 link.
    if let Some(line) = contact_line(&footer_text) {
        f.contact = item(Some(line));
    } else if let Some((raw, _)) = links.iter().find(|(_, t)| CONTACT_WORDS.is_match(t)) {
        f.contact = item(Some(raw.to_string()));
    } else if footer_text.contains("联系我们") || footer_text.contains("联系方式") {
        f.contact = item(None);
    }
    // A phone label with a placeholder instead of a number (联系电话：暂无).
    static PHONE_PLACEHOLDER: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"(?:联系|咨询|服务)?电话\s*[:：]\s*(?:暂无|无|待定|—+|-+|－+)(?:$|[\s|｜，,])")
            .expect("regex")
    });
    if let Some(m) = PHONE_PLACEHOLDER.find(&footer_text) {
        f.contact
            .problems
            .push(format!("phone placeholder: {}", m.as_str().trim()));
    }

    // 网站地图 / 站点地图
    if let Some((raw, _)) = links.iter().find(|(_, t)| SITEMAP_WORDS.is_match(t)) {
        f.sitemap = item(Some(raw.to_string()));
    } else if all_text.contains("网站地图") || all_text.contains("站点地图") {
        f.sitemap = item(None);
    }

    // 我为政府网站找错
    let (jiucuo, code) = jiucuo(page, &links, &raw_all);
    f.jiucuo = jiucuo;
    FooterFacts {
        footer: f,
        jiucuo_site_code: code,
    }
}

/// `a` followed by `b` on a new line, without copying when `b` is empty.
fn joined<'a>(a: &'a str, b: &str) -> std::borrow::Cow<'a, str> {
    if b.is_empty() {
        std::borrow::Cow::Borrowed(a)
    } else {
        std::borrow::Cow::Owned(format!("{a}\n{b}"))
    }
}

/// Cheap test before running [`JIUCUO_URL`] over a whole page.
fn may_have_jiucuo_url(raw: &str) -> bool {
    raw.contains(".www.gov.cn/") || raw.contains("kaipuyun.cn") || raw.contains("121.43.68.40")
}

fn icp(text: &str) -> FooterItem {
    if !text.contains("ICP") {
        return FooterItem::default();
    }
    let mut values: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    for c in ICP.captures_iter(text) {
        // The number belongs to a province: `京ICP备…`.
        let Some(prov) = province_before(text, c.get(0).map_or(0, |m| m.start())) else {
            continue;
        };
        // 号 stands before the sub-number (`号-2`) or after it (`19031037-2号`).
        let mut v = format!("{prov}ICP备{}", &c[2]);
        if c.get(3).is_some() {
            v.push('号');
        }
        if let Some(n) = c.get(4) {
            v.push('-');
            v.push_str(n.as_str());
            if c.get(5).is_some() && c.get(3).is_none() {
                v.push('号');
            }
        }
        if values.is_empty() {
            if c.get(3).is_none() && c.get(5).is_none() {
                problems.push("no 号".to_string());
            }
            if c.get(1).is_some() {
                problems.push("colon after 备".to_string());
            }
            if c[2].len() != 8 && c[2].len() != 10 {
                problems.push(format!("unusual number length {}", c[2].len()));
            }
        }
        if !values.contains(&v) {
            values.push(v);
        }
    }
    if values.len() > 1 {
        problems.push(format!("several different numbers: {}", values.join(", ")));
    }
    match values.into_iter().next() {
        Some(v) => FooterItem {
            present: true,
            value: Some(v),
            problems,
        },
        None => FooterItem::default(),
    }
}

/// The province abbreviation just before byte `at` (whitespace between allowed).
fn province_before(text: &str, at: usize) -> Option<&str> {
    let before = text.get(..at)?.trim_end();
    let c = before.chars().next_back()?;
    PROV.contains(c)
        .then(|| &before[before.len() - c.len_utf8()..])
}

fn psb(text: &str) -> FooterItem {
    if !text.contains('公') {
        return FooterItem::default();
    }
    let mut values: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    for c in PSB.captures_iter(text) {
        let prefix = province_before(text, c.get(0).map_or(0, |m| m.start())).unwrap_or("");
        let mut v = format!("{prefix}公网安备{}", &c[3]);
        if c.get(4).is_some() {
            v.push('号');
        }
        if values.is_empty() {
            if prefix.is_empty() {
                problems.push("no province prefix".to_string());
            }
            if c.get(4).is_none() {
                problems.push("no 号".to_string());
            }
            if c[3].len() != 14 {
                problems.push(format!("number has {} digits, not 14", c[3].len()));
            }
        }
        if !values.contains(&v) {
            values.push(v);
        }
    }
    if values.is_empty() {
        if let Some(c) = PSB_LABEL.captures(text) {
            let mut v = format!("公安机关备案号{}", &c[1]);
            if c.get(2).is_some() {
                v.push('号');
            }
            return FooterItem {
                present: true,
                value: Some(v),
                problems: vec!["no province prefix".to_string()],
            };
        }
    }
    if values.len() > 1 {
        problems.push(format!("several different numbers: {}", values.join(", ")));
    }
    match values.into_iter().next() {
        Some(v) => FooterItem {
            present: true,
            value: Some(v),
            problems,
        },
        None => FooterItem::default(),
    }
}

fn site_code(text: &str) -> FooterItem {
    static VALID: Lazy<Regex> = Lazy::new(|| Regex::new(r"^(\d{10}|bm\d{8})$").expect("regex"));
    let Some(c) = SITE_CODE
        .captures_iter(text)
        .find(|c| text[..c.get(0).map_or(0, |m| m.start())].ends_with("网站"))
    else {
        return FooterItem::default();
    };
    let v: String = c[1].chars().filter(|c| !c.is_whitespace()).collect();
    let mut problems = Vec::new();
    if !VALID.is_match(&v) {
        problems.push("not 10 digits or bm+8 digits".to_string());
    }
    FooterItem {
        present: true,
        value: Some(v),
        problems,
    }
}

/// The sponsor(s): every `主办(单位|方)：` label's unit, cut at the next role label
/// (`主办：X承办：Y` → `X`); several sponsors are joined by `、` (the facts hold one string).
fn sponsor(footer_text: &str) -> FooterItem {
    static NEXT_ROLE: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"承\s*办|协\s*办|指\s*导|技术支持|运\s*维|维\s*护|联系|地址|电话|邮编")
            .expect("regex")
    });
    let mut units: Vec<String> = Vec::new();
    for c in SPONSOR_LABEL.captures_iter(footer_text) {
        let raw = &c[1];
        let raw = NEXT_ROLE.find(raw).map_or(raw, |m| &raw[..m.start()]);
        for u in trim_unit(raw).split('、') {
            let u = u.trim();
            if u.chars().count() >= 2 && !units.iter().any(|x| x == u) {
                units.push(u.to_string());
            }
        }
    }
    if !units.is_empty() {
        return item(Some(units.join("、")));
    }
    for c in SPONSOR_SUFFIX.captures_iter(footer_text) {
        let v = trim_unit(&c[1]);
        if v.chars().count() >= 4 {
            return item(Some(v));
        }
    }
    FooterItem::default()
}

/// Drops label words glued before a unit name ("版权所有西安市…" → "西安市…").
fn trim_unit(s: &str) -> String {
    let mut v = s.trim();
    for p in ["版权所有", "本网站由", "本站由", "网站由", "由"] {
        if let Some(i) = v.rfind(p) {
            v = &v[i + p.len()..];
        }
    }
    v.trim_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '：' | '|'))
        .to_string()
}

fn contact_line(footer_text: &str) -> Option<String> {
    static CUT: Lazy<Regex> = Lazy::new(|| {
        Regex::new(&format!(
            r"主\s*办|承\s*办|[{PROV}]?ICP|[{PROV}]?公网安备|(?:政府)?网站标识码|网站识别码|版权|技术支持单位|Copyright|©"
        ))
        .expect("regex")
    });
    let mut pieces: Vec<String> = Vec::new();
    for line in footer_text.lines() {
        let mut from = 0;
        while let Some(m) = CONTACT.find_at(line, from) {
            // Only pieces that carry a phone, an e-mail or an address.
            let rest = &line[m.start()..];
            let end = CUT.find(rest).map_or(rest.len(), |c| c.start());
            let piece = &rest[..end];
            from = m.start() + end.max(m.len());
            let has_value = piece.contains('@')
                || piece.contains("地址")
                || piece.bytes().filter(u8::is_ascii_digit).count() >= 5;
            if !has_value {
                continue;
            }
            // Take the label's qualifier too (政务服务便民热线).
            let head: String = line[..m.start()]
                .chars()
                .rev()
                .take_while(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
                .take(10)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let v = format!(
                "{head}{}",
                piece.trim().trim_end_matches(['|', '｜']).trim()
            );
            if !v.is_empty() && !pieces.contains(&v) {
                pieces.push(v);
            }
            if from >= line.len() {
                break;
            }
        }
        if pieces.len() >= 4 {
            break;
        }
    }
    (!pieces.is_empty()).then(|| pieces.join(" "))
}

/// `s[start..start + len]`, shortened to a char boundary.
fn window(s: &str, start: usize, len: usize) -> &str {
    let mut end = (start + len).min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(start..end).unwrap_or("")
}

const LEGACY_JIUCUO: &[&str] = &[
    "pucha.kaipuyun.cn",
    "zfwzzc.www.gov.cn",
    "zfwzxx.www.gov.cn",
    "121.43.68.40",
];

fn jiucuo(page: &Page, links: &[(&str, &str)], raw_all: &str) -> (FooterItem, Option<String>) {
    let mut value: Option<String> = None;
    let mut code: Option<String> = None;
    let mut present = false;
    // The official script (its src may have been rewritten by a saving browser).
    let mut script_src: Option<String> = None;
    if let Some(el) = page
        .jiucuo_script
        .and_then(|id| page.html.tree.get(id))
        .and_then(|n| n.value().as_element())
    {
        present = true;
        script_src = el.attr_of("src").map(|s| s.trim().to_string());
        code = el.attr_of("sitecode").map(|s| s.trim().to_string());
    }
    // Preference: a link to the platform (or a legacy host); the official script when
    // its src points to the platform; a platform page URL anywhere in the markup (e.g.
    // `window.open(...)`); the script with a rewritten src; a 纠错 entry.
    let page_url = |m: &str| m.contains("jiucuo.html") || m.contains("check_web");
    let scan = may_have_jiucuo_url(raw_all);
    // Only searched when no link names the platform (most pages have such a link).
    let raw_page = || {
        JIUCUO_URL
            .find_iter(if scan { raw_all } else { "" })
            .map(|m| m.as_str())
            .find(|m| page_url(m))
    };
    if let Some((raw, _)) = links
        .iter()
        .find(|(raw, _)| JIUCUO_URL.is_match(raw) && page_url(raw))
    {
        present = true;
        value = Some(raw.replace("&amp;", "&"));
    } else if script_src
        .as_deref()
        .is_some_and(|s| JIUCUO_URL.is_match(s))
    {
        value = script_src;
    } else if let Some(m) = raw_page() {
        present = true;
        value = Some(m.replace("&amp;", "&"));
    } else if script_src.is_some() {
        value = script_src;
    } else if let Some(m) = JIUCUO_URL.find(if scan { raw_all } else { "" }) {
        present = true;
        value = Some(m.as_str().replace("&amp;", "&"));
    } else if let Some((raw, _)) = links
        .iter()
        .find(|(_, t)| JIUCUO_WORDS.is_match(t) || t.trim() == "网站纠错")
    {
        present = true;
        value = crate::page::resolve(&page.base, raw).map(|_| raw.to_string());
    } else if raw_all.contains("_span_jiucuo") || raw_all.contains("政府网站找错") {
        present = true;
    } else if let Some(c) = raw_all
        .match_indices("jiucuo")
        .find_map(|(i, _)| LINK_CALL.captures(window(raw_all, i, 300)))
    {
        // `<div class="jiucuo"><img onclick="Link('3702000025')">`
        present = true;
        code = Some(c[1].to_string());
    }
    if code.is_none() {
        code = value
            .as_deref()
            .and_then(|v| SITE_CODE_PARAM.captures(v))
            .or_else(|| {
                // The script may come later than a plain mention of site_code.
                raw_all
                    .find("jiucuo")
                    .and_then(|i| SITE_CODE_PARAM.captures(&raw_all[i..]))
            })
            .map(|c| c[1].to_string());
    }
    if code.is_none() && present {
        if let Some(i) = raw_all.find("_span_jiucuo") {
            code = LINK_CALL
                .captures(window(raw_all, i, 600))
                .map(|c| c[1].to_string());
        }
    }
    if !present {
        return (FooterItem::default(), None);
    }
    let mut problems = Vec::new();
    if let Some(v) = &value {
        if LEGACY_JIUCUO.iter().any(|h| v.contains(h)) {
            problems.push("legacy host".to_string());
        }
    }
    (
        FooterItem {
            present,
            value,
            problems,
        },
        code,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icp_keeps_a_hao_after_the_sub_number() {
        let f = icp("版权所有 鄂ICP备19031037-2号 鄂公网安备42010202000123号");
        assert_eq!(f.value.as_deref(), Some("鄂ICP备19031037-2号"));
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let f = icp("京ICP备05070218号-1");
        assert_eq!(f.value.as_deref(), Some("京ICP备05070218号-1"));
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let f = icp("京ICP备05070218-1");
        assert_eq!(f.value.as_deref(), Some("京ICP备05070218-1"));
        assert_eq!(f.problems, ["no 号"]);
    }

    #[test]
    fn sponsor_stops_at_the_next_role() {
        let s = |t: &str| sponsor(t).value;
        assert_eq!(
            s("主办：武汉市人民政府办公厅 承办：武汉市大数据中心").as_deref(),
            Some("武汉市人民政府办公厅")
        );
        assert_eq!(
            s("主办：武汉市人民政府办公厅承办：武汉市大数据中心").as_deref(),
            Some("武汉市人民政府办公厅")
        );
        assert_eq!(
            s("主办方：某某县人民政府 技术支持：某公司").as_deref(),
            Some("某某县人民政府")
        );
    }

    #[test]
    fn two_sponsors_are_both_kept() {
        let s = |t: &str| sponsor(t).value;
        assert_eq!(
            s("主办单位：某某市人民政府、某某市委宣传部").as_deref(),
            Some("某某市人民政府、某某市委宣传部")
        );
        assert_eq!(
            s("主办：某某市人民政府 主办：某某市委宣传部 承办：某中心").as_deref(),
            Some("某某市人民政府、某某市委宣传部")
        );
    }
}
