//! One pass over the parsed DOM that builds the views every extractor works on.
//!
//! The visible text of the page is laid out in one buffer (blocks separated by newlines,
//! inline elements glued, so `京<span>ICP</span>备` reads as `京ICP备`). Every element
//! remembers its byte range in that buffer and whether it sits in the navigation, header
//! or footer, so extractors can ask "which element holds this date" without re-walking.

use rustc_hash::FxHashMap;
use std::borrow::Cow;

use ego_tree::{NodeId, NodeRef};
use pucha_core::{LinkTag, PageLink};
use scraper::{node::Element, Html, Node};
use url::Url;

/// Where an element sits in the page layout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Region {
    pub nav: bool,
    pub header: bool,
    pub footer: bool,
}

impl Region {
    pub fn boilerplate(self) -> bool {
        self.nav || self.header || self.footer
    }
}

/// A run of visible text from one text node.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seg {
    pub node: NodeId,
    pub start: usize,
    pub end: usize,
    pub region: Region,
}

/// Per-element facts recorded during the walk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ElemInfo {
    pub start: usize,
    pub end: usize,
    pub region: Region,
}

/// A link plus the node it came from (the text is filled in after the walk).
pub(crate) struct RawLink {
    pub node: NodeId,
    pub link: PageLink,
}

pub(crate) struct Page {
    pub html: Html,
    pub base: Url,
    pub text: String,
    pub segs: Vec<Seg>,
    pub elems: FxHashMap<NodeId, ElemInfo>,
    pub links: Vec<RawLink>,
    /// Inline scripts with a non-blank body (for footers written by JavaScript); see
    /// [`Page::script_text`].
    pub scripts: Vec<NodeId>,
    pub title: Option<String>,
    pub has_search_form: bool,
    /// The first `<script id="_jiucuo_">` (the 找错 entry's official script).
    pub jiucuo_script: Option<NodeId>,
}

/// Attribute reads without scraper's per-call atom lookups: `Element::attr` interns the
/// name and binary-searches, `Element::classes` interns and sorts every class name. Both
/// showed in profiles; these scan the few attributes an element has.
pub(crate) trait ElementExt {
    /// The value of attribute `name` (lower-case, as the parser stores names).
    fn attr_of(&self, name: &str) -> Option<&str>;
    /// The class names, in document order.
    fn class_names(&self) -> impl Iterator<Item = &str>;
}

impl ElementExt for Element {
    fn attr_of(&self, name: &str) -> Option<&str> {
        // The names asked for on every element compare as atoms (one integer each), not
        // as strings through scraper's `attrs()`, which resolves every attribute's name.
        let atom = match name {
            "class" => html5ever::local_name!("class"),
            "id" => html5ever::local_name!("id"),
            "style" => html5ever::local_name!("style"),
            "href" => html5ever::local_name!("href"),
            "src" => html5ever::local_name!("src"),
            "title" => html5ever::local_name!("title"),
            "hidden" => html5ever::local_name!("hidden"),
            _ => return self.attrs().find(|(k, _)| *k == name).map(|(_, v)| v),
        };
        self.attrs
            .iter()
            .find(|(k, _)| k.local == atom)
            .map(|(_, v)| &**v)
    }

    fn class_names(&self) -> impl Iterator<Item = &str> {
        self.attr_of("class")
            .into_iter()
            .flat_map(str::split_ascii_whitespace)
    }
}

const HIDDEN: &[&str] = &["script", "style", "noscript", "template", "head", "title"];
/// Elements that start a new line of text.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "br"
            | "center"
            | "dd"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "li"
            | "main"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "table"
            | "tbody"
            | "thead"
            | "tfoot"
            | "tr"
            | "ul"
    )
}

/// The region an element opens, judged from its tag, id and classes.
fn own_region(el: &Element) -> Region {
    let mut r = match el.name() {
        "nav" => Region {
            nav: true,
            ..Region::default()
        },
        "header" => Region {
            header: true,
            ..Region::default()
        },
        "footer" => Region {
            footer: true,
            ..Region::default()
        },
        _ => Region::default(),
    };
    let id = el.attr_of("id");
    for t in id
        .into_iter()
        .chain(el.class_names())
        .flat_map(|s| s.as_bytes().split(|b| !b.is_ascii_alphanumeric()))
        .filter(|t| !t.is_empty())
    {
        token_region(t, &mut r);
    }
    // Chinese ids seen in the wild (`id='底部'`, `id='版权'`).
    if let Some(id) = id.filter(|id| !id.is_ascii()) {
        if id.contains("底部") || id.contains("版权") {
            r.footer = true;
        }
        if id.contains("导航") {
            r.nav = true;
        }
    }
    r
}

/// What one id or class token (ASCII letters and digits, any case) says of the region.
/// Compared in place, without a lower-cased copy: this runs for every element of a page.
fn token_region(t: &[u8], r: &mut Region) {
    let eq = |w: &[u8]| t.eq_ignore_ascii_case(w);
    let starts = |w: &[u8]| t.len() >= w.len() && t[..w.len()].eq_ignore_ascii_case(w);
    let ends = |w: &[u8]| t.len() >= w.len() && t[t.len() - w.len()..].eq_ignore_ascii_case(w);
    let has = |w: &[u8]| bytes_contain_ignore_ascii_case(t, w);
    if starts(b"nav") || ends(b"nav") || has(b"menu") || eq(b"daohang") {
        r.nav = true;
    }
    if [
        &b"header"[..],
        b"head",
        b"top",
        b"topbar",
        b"tophead",
        b"banner",
    ]
    .iter()
    .any(|w| eq(w))
        || ends(b"header")
    {
        r.header = true;
    }
    if starts(b"foot")
        || has(b"footer")
        || has(b"copyright")
        || [
            &b"foots"[..],
            b"bottom",
            b"btm",
            b"bq",
            b"banquan",
            b"copy",
            b"wzfoot",
        ]
        .iter()
        .any(|w| eq(w))
    {
        r.footer = true;
    }
}

/// Not rendered: the `hidden` attribute or an inline `display:none`.
fn hidden_by_style(el: &Element) -> bool {
    el.attr_of("hidden").is_some()
        || el.attr_of("style").is_some_and(|s| {
            // Most styles say nothing of display: no copy for them.
            if !contains_ignore_ascii_case(s, "none") {
                return false;
            }
            let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            contains_ignore_ascii_case(&s, "display:none")
        })
}

/// The text of a node's text children, borrowed from the tree when there is one (the tree
/// builder merges adjacent text, so a title, script or style body is one node).
pub(crate) fn child_text(node: NodeRef<'_, Node>) -> Cow<'_, str> {
    let mut texts = node.children().filter_map(|c| c.value().as_text());
    match (texts.next(), texts.next()) {
        (None, _) => Cow::Borrowed(""),
        (Some(t), None) => Cow::Borrowed(&**t),
        (Some(a), Some(b)) => {
            let mut s = format!("{}{}", &**a, &**b);
            texts.for_each(|t| s.push_str(t));
            Cow::Owned(s)
        }
    }
}

/// An automaton for a fixed word list that is searched for in many short texts (link texts,
/// text runs). `str::contains` sets up a substring searcher on every call; a page made a few
/// hundred such calls, a visible share of its analysis.
pub(crate) fn words(list: &[&str]) -> aho_corasick::AhoCorasick {
    aho_corasick::AhoCorasick::new(list).expect("a plain word list builds")
}

/// Whether `hay` contains `needle`, ASCII letters compared without case (no lowercased copy).
pub(crate) fn contains_ignore_ascii_case(hay: &str, needle: &str) -> bool {
    bytes_contain_ignore_ascii_case(hay.as_bytes(), needle.as_bytes())
}

/// [`contains_ignore_ascii_case`] on bytes.
fn bytes_contain_ignore_ascii_case(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Appends `s` with whitespace runs collapsed to one space.
pub(crate) fn push_collapsed(out: &mut String, s: &str) {
    // Whole runs of non-whitespace are copied at once.
    let mut rest = s;
    while !rest.is_empty() {
        let word = rest.trim_start();
        if word.len() != rest.len() && !out.ends_with([' ', '\n']) && !out.is_empty() {
            out.push(' ');
        }
        let end = word.find(char::is_whitespace).unwrap_or(word.len());
        out.push_str(&word[..end]);
        rest = &word[end..];
    }
}

/// Starts a new line. Never removes text: element ranges already point into `out`.
fn push_break(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

impl Page {
    /// Parses within the tree budget; also returns what the budget cut, if anything.
    pub fn parse_within(
        html_text: &str,
        url: &Url,
        budget: crate::tree::TreeBudget,
    ) -> (Page, Option<String>) {
        let (html, cut) = crate::tree::parse_document_within(html_text, budget);
        let mut page = Page {
            base: url.clone(),
            html,
            text: String::with_capacity(html_text.len() / 4),
            segs: Vec::new(),
            elems: FxHashMap::default(),
            links: Vec::new(),
            scripts: Vec::new(),
            title: None,
            has_search_form: false,
            jiucuo_script: None,
        };
        page.walk();
        (page, cut)
    }

    fn walk(&mut self) {
        use ego_tree::iter::Edge;
        // (region, hidden) of the open elements.
        let mut stack: Vec<(Region, bool)> = vec![(Region::default(), false)];
        let mut base_set = false;
        let mut text = std::mem::take(&mut self.text);
        let mut pending: Vec<(NodeId, usize, Region)> = Vec::new();
        let html = std::mem::replace(&mut self.html, Html::new_document());
        self.elems.reserve(html.tree.nodes().count());
        for edge in html.tree.root().traverse() {
            match edge {
                Edge::Open(node) => match node.value() {
                    Node::Element(el) => {
                        let (parent, parent_hidden) = *stack.last().expect("stack");
                        let own = own_region(el);
                        let region = Region {
                            nav: parent.nav || own.nav,
                            header: parent.header || own.header,
                            footer: parent.footer || own.footer,
                        };
                        let name = el.name();
                        let hidden = parent_hidden || HIDDEN.contains(&name) || hidden_by_style(el);
                        stack.push((region, hidden));
                        if is_block(name) {
                            push_break(&mut text);
                        } else if matches!(name, "td" | "th") && !text.ends_with([' ', '\n']) {
                            text.push(' ');
                        }
                        pending.push((node.id(), text.len(), region));
                        match name {
                            "base" if !base_set => {
                                if let Some(b) = el
                                    .attr_of("href")
                                    .and_then(|h| self.base.join(h.trim()).ok())
                                {
                                    self.base = b;
                                    base_set = true;
                                }
                            }
                            "title" if self.title.is_none() => {
                                let mut s = String::new();
                                push_collapsed(&mut s, &child_text(node));
                                let s = s.trim().to_string();
                                if !s.is_empty() {
                                    self.title = Some(s);
                                }
                            }
                            "script" => {
                                if self.jiucuo_script.is_none()
                                    && el.attr_of("id") == Some("_jiucuo_")
                                {
                                    self.jiucuo_script = Some(node.id());
                                }
                                let blank = node.children().all(|c| {
                                    c.value().as_text().is_none_or(|t| t.trim().is_empty())
                                });
                                if !blank {
                                    self.scripts.push(node.id());
                                }
                            }
                            _ => {}
                        }
                        self.collect_link(node.id(), el, region);
                    }
                    Node::Text(t) => {
                        let (region, hidden) = *stack.last().expect("stack");
                        if !hidden {
                            let start = text.len();
                            push_collapsed(&mut text, t);
                            if text.len() > start {
                                self.segs.push(Seg {
                                    node: node.id(),
                                    start,
                                    end: text.len(),
                                    region,
                                });
                            }
                        }
                    }
                    _ => {}
                },
                Edge::Close(node) => {
                    if let Node::Element(el) = node.value() {
                        stack.pop();
                        if let Some((id, start, region)) = pending.pop() {
                            debug_assert_eq!(id, node.id());
                            let hidden = stack.last().is_some_and(|s| s.1);
                            if !hidden {
                                self.title_date(el, id, start, region, &mut text);
                            }
                            self.elems.insert(
                                id,
                                ElemInfo {
                                    start,
                                    end: text.len(),
                                    region,
                                },
                            );
                        }
                        if is_block(el.name()) {
                            push_break(&mut text);
                        }
                    }
                }
            }
        }
        self.html = html;
        self.text = text;
        // Resolve links against the final base and fill in anchor texts.
        for l in &mut self.links {
            if let Some(info) = self.elems.get(&l.node) {
                if l.link.text.is_empty() && matches!(l.link.tag, LinkTag::A | LinkTag::Area) {
                    l.link.text = self.text[info.start..info.end].trim().into();
                }
            }
            l.link.url = resolve(&self.base, &l.link.raw).map(Into::into);
        }
        // Links with no text: fall back to the title attribute or an image's alt.
        let fills: Vec<(usize, String)> = self
            .links
            .iter()
            .enumerate()
            .filter(|(_, l)| l.link.text.is_empty() && l.link.tag == LinkTag::A)
            .filter_map(|(i, l)| {
                let node = self.html.tree.get(l.node)?;
                let el = node.value().as_element()?;
                let alt = el.attr_of("title").map(str::to_string).or_else(|| {
                    node.descendants()
                        .filter_map(|d| d.value().as_element())
                        .find_map(|e| e.attr_of("alt").or(e.attr_of("title")).map(str::to_string))
                })?;
                Some((i, alt.trim().to_string()))
            })
            .collect();
        for (i, t) in fills {
            self.links[i].link.text = t.into();
        }
    }

    /// A date written only in a `title` attribute (`<span title="2019-08-30">`, a link whose
    /// title carries its date) is appended to the text so lists see it.
    fn title_date(
        &mut self,
        el: &Element,
        id: NodeId,
        start: usize,
        region: Region,
        text: &mut String,
    ) {
        let Some(title) = el.attr_of("title") else {
            return;
        };
        if !title.bytes().any(|b| b.is_ascii_digit()) && !title.contains('０') {
            return;
        }
        let Some(found) = crate::dates::find_dates(title, None).into_iter().next() else {
            return;
        };
        if !crate::dates::find_dates(&text[start..], None).is_empty() {
            return;
        }
        text.push(' ');
        let s = text.len();
        text.push_str(&title[found.start..found.end]);
        self.segs.push(Seg {
            node: id,
            start: s,
            end: text.len(),
            region,
        });
    }

    fn collect_link(&mut self, node: NodeId, el: &Element, region: Region) {
        let (tag, attr) = match el.name() {
            "a" => (LinkTag::A, "href"),
            "area" => (LinkTag::Area, "href"),
            "iframe" | "frame" => (LinkTag::Iframe, "src"),
            "img" => (LinkTag::Img, "src"),
            "script" => (LinkTag::Script, "src"),
            "link" => (LinkTag::Link, "href"),
            "form" => {
                let method = el.attr_of("method").unwrap_or("get");
                if el
                    .attr_of("action")
                    .is_some_and(|a| contains_ignore_ascii_case(a, "search"))
                    || el
                        .attr_of("name")
                        .is_some_and(|a| contains_ignore_ascii_case(a, "search"))
                {
                    self.has_search_form = true;
                }
                if !method.eq_ignore_ascii_case("get") {
                    return;
                }
                (LinkTag::Form, "action")
            }
            "input" => {
                let probe = [
                    el.attr_of("name"),
                    el.attr_of("placeholder"),
                    el.attr_of("id"),
                ];
                if probe.iter().flatten().any(|v| {
                    contains_ignore_ascii_case(v, "search")
                        || contains_ignore_ascii_case(v, "keyword")
                        || v.contains("搜索")
                        || v.contains("关键")
                        || v.eq_ignore_ascii_case("q")
                }) {
                    self.has_search_form = true;
                }
                return;
            }
            _ => return,
        };
        let Some(raw) = el.attr_of(attr).map(str::trim).filter(|r| !r.is_empty()) else {
            return;
        };
        let text = match tag {
            LinkTag::Img => el
                .attr_of("alt")
                .or(el.attr_of("title"))
                .unwrap_or("")
                .trim()
                .to_string(),
            _ => String::new(),
        };
        self.links.push(RawLink {
            node,
            link: PageLink {
                raw: raw.into(),
                url: None,
                text: text.into(),
                tag,
                in_nav: region.nav,
                in_footer: region.footer,
                is_more: false,
            },
        });
    }

    /// The body of an inline script (see [`child_text`]).
    pub fn script_text(&self, id: NodeId) -> Cow<'_, str> {
        self.html.tree.get(id).map_or(Cow::Borrowed(""), child_text)
    }

    /// The element info of a node (elements only).
    pub fn info(&self, id: NodeId) -> Option<ElemInfo> {
        self.elems.get(&id).copied()
    }

    /// The text of an element.
    pub fn text_of(&self, id: NodeId) -> &str {
        self.info(id).map_or("", |i| &self.text[i.start..i.end])
    }

    /// The region of the text at byte `pos`.
    pub fn region_at(&self, pos: usize) -> Region {
        let i = self.segs.partition_point(|s| s.end <= pos);
        self.segs
            .get(i)
            .filter(|s| s.start <= pos)
            .map_or(Region::default(), |s| s.region)
    }

    /// The text node holding byte `pos` of the text.
    pub fn node_at(&self, pos: usize) -> Option<NodeId> {
        let i = self.segs.partition_point(|s| s.end <= pos);
        self.segs.get(i).filter(|s| s.start <= pos).map(|s| s.node)
    }

    /// Text of the segments that are not navigation, header or footer.
    pub fn main_text(&self) -> String {
        let mut out = String::new();
        let mut last_end = 0;
        for s in self.segs.iter().filter(|s| !s.region.boilerplate()) {
            if last_end != s.start && self.text[last_end..s.start].contains('\n') {
                push_break(&mut out);
            }
            out.push_str(&self.text[s.start..s.end]);
            last_end = s.end;
        }
        out
    }

    /// Text of the footer-region segments.
    pub fn footer_text(&self) -> String {
        let mut out = String::new();
        let mut last_end = 0;
        for s in self.segs.iter().filter(|s| s.region.footer) {
            if last_end != s.start && self.text[last_end..s.start].contains('\n') {
                push_break(&mut out);
            }
            out.push_str(&self.text[s.start..s.end]);
            last_end = s.end;
        }
        out
    }
}

/// Resolves a link against the base; only http(s) targets get a URL.
pub(crate) fn resolve(base: &Url, raw: &str) -> Option<String> {
    let r = raw.trim_start().as_bytes();
    let starts = |p: &[u8]| r.len() >= p.len() && r[..p.len()].eq_ignore_ascii_case(p);
    if starts(b"javascript:") || starts(b"mailto:") || r.first() == Some(&b'#') {
        return None;
    }
    if let Some(joined) = join_plain(base, raw) {
        return Some(joined);
    }
    // An absolute http(s) link resolves the same against any base: the footer's badge,
    // 备案 and 找错 links repeat on every page of every site, so their parse is remembered.
    if raw.starts_with("http://") || raw.starts_with("https://") {
        return ABSOLUTE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some(hit) = cache.get(raw) {
                return hit.clone();
            }
            let resolved = join_full(base, raw);
            if cache.len() >= ABSOLUTE_CACHE {
                cache.clear();
            }
            cache.insert(raw.into(), resolved.clone());
            resolved
        });
    }
    join_full(base, raw)
}

/// How many absolute links each thread remembers (cleared when full).
const ABSOLUTE_CACHE: usize = 1024;

thread_local! {
    static ABSOLUTE: std::cell::RefCell<FxHashMap<Box<str>, Option<String>>> =
        std::cell::RefCell::new(FxHashMap::default());
}

/// `Url::join`, http(s) only, fragment dropped.
fn join_full(base: &Url, raw: &str) -> Option<String> {
    let mut u = base.join(raw).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    u.set_fragment(None);
    // The URL's own serialisation, moved out (no copy).
    Some(u.into())
}

/// The common link shapes joined by concatenation, as `Url::join` would join them: a
/// path-absolute `/a/b.html?x=1`, or a relative `b.html`, `./b.html`, `../../c/d.html`,
/// made only of bytes the URL parser keeps as they are and with no dot segment past the
/// leading ones. Anything else returns `None` and goes through `Url::join` (most links of
/// a page are these shapes, and `Url::join` re-parses the base for each).
fn join_plain(base: &Url, raw: &str) -> Option<String> {
    // Bytes the parser copies unchanged into an http(s) path or query. `:` is left out (it
    // could start a scheme), `%` too (`%2e` is a dot segment), `'` (encoded in queries).
    fn plain(b: u8) -> bool {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'?'
                    | b'='
                    | b'&'
                    | b'!'
                    | b'$'
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'@'
            )
    }
    if !matches!(base.scheme(), "http" | "https") {
        return None;
    }
    let before_path = base[..url::Position::BeforePath].len();
    let base_str = base.as_str();
    // An absolute link to the base's own origin, spelt as the base spells it.
    let raw = match raw.strip_prefix(&base_str[..before_path]) {
        Some(path) if path.starts_with('/') => path,
        _ => raw,
    };
    if !raw.bytes().all(plain) {
        return None;
    }
    let path_end = raw.find('?').unwrap_or(raw.len());
    let mut out = String::with_capacity(base_str.len() + raw.len());
    let rest = if let Some(abs) = raw.strip_prefix('/') {
        if abs.starts_with('/') {
            return None; // `//host/…`: scheme-relative
        }
        out.push_str(&base_str[..before_path]);
        raw
    } else {
        let mut dir = &base.path()[..base.path().rfind('/')? + 1];
        let mut rest = raw;
        loop {
            if let Some(r) = rest.strip_prefix("./") {
                rest = r;
            } else if let Some(r) = rest.strip_prefix("../") {
                rest = r;
                if dir.len() > 1 {
                    dir = &dir[..dir[..dir.len() - 1].rfind('/')? + 1];
                }
            } else {
                break;
            }
        }
        // `../../` alone is the directory itself; an empty link is the base, query and all.
        if raw.is_empty() || rest.starts_with(['/', '?']) {
            return None;
        }
        out.push_str(&base_str[..before_path]);
        out.push_str(dir);
        rest
    };
    let rest_path_end = path_end - (raw.len() - rest.len());
    if rest[..rest_path_end]
        .split('/')
        .any(|seg| seg == "." || seg == "..")
    {
        return None;
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The former token reading (lower-cased copies and `str` searches), kept to check
    /// `token_region` against.
    fn token_region_reference(t: &str) -> Region {
        let t = t.to_ascii_lowercase();
        let t = t.as_str();
        let mut r = Region::default();
        if t.starts_with("nav") || t.ends_with("nav") || t.contains("menu") || t == "daohang" {
            r.nav = true;
        }
        if matches!(
            t,
            "header" | "head" | "top" | "topbar" | "tophead" | "banner"
        ) || t.ends_with("header")
        {
            r.header = true;
        }
        if t.contains("footer")
            || t.contains("copyright")
            || matches!(
                t,
                "foot" | "foots" | "bottom" | "btm" | "bq" | "banquan" | "copy" | "wzfoot"
            )
            || t.starts_with("foot")
        {
            r.footer = true;
        }
        r
    }

    #[test]
    fn attr_of_finds_atom_and_string_names_alike() {
        let html = crate::tree::parse_document(
            r#"<div CLASS="a b" id=x style="color:red" data-k=v hidden title="t"><a href="/h"></a></div>"#,
        );
        let el = |name: &str| {
            html.tree
                .nodes()
                .filter_map(|n| n.value().as_element())
                .find(|e| e.name() == name)
                .unwrap()
        };
        let div = el("div");
        assert_eq!(div.attr_of("class"), Some("a b"));
        assert_eq!(div.attr_of("id"), Some("x"));
        assert_eq!(div.attr_of("style"), Some("color:red"));
        assert_eq!(div.attr_of("hidden"), Some(""));
        assert_eq!(div.attr_of("title"), Some("t"));
        assert_eq!(div.attr_of("data-k"), Some("v"));
        assert_eq!(div.attr_of("href"), None);
        assert_eq!(el("a").attr_of("href"), Some("/h"));
        assert_eq!(div.class_names().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn token_region_agrees_with_the_lowercasing_reading() {
        let tokens = [
            "nav",
            "NAV",
            "mainNav",
            "navBar",
            "Menu",
            "topmenu",
            "daohang",
            "DaoHang",
            "header",
            "HEAD",
            "Top",
            "topbar",
            "tophead",
            "banner",
            "pageHeader",
            "headline",
            "footer",
            "FOOTER",
            "Copyright",
            "copyRight2",
            "foot",
            "foots",
            "Bottom",
            "btm",
            "bq",
            "banquan",
            "copy",
            "wzfoot",
            "footNav",
            "nave",
            "n",
            "",
            "x1",
            "menubottom",
            "TRS",
            "content",
            "list",
            "topNavMenu",
            "hd",
            "ft",
        ];
        for t in tokens {
            let mut r = Region::default();
            token_region(t.as_bytes(), &mut r);
            assert_eq!(r, token_region_reference(t), "{t}");
        }
    }

    #[test]
    fn absolute_links_resolve_the_same_from_the_cache() {
        let a = Url::parse("http://127.0.10.1:8080/col/index.html").unwrap();
        let b = Url::parse("https://www.example.gov.cn/x/").unwrap();
        for raw in [
            "https://bszs.conac.cn/sitename?method=show&id=0A1B",
            "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=43010202000001#x",
            "https://beian.miit.gov.cn/",
            "http://EXAMPLE.gov.cn:80/a/../b",
            "http://[::1",
        ] {
            for base in [&a, &b, &a] {
                assert_eq!(resolve(base, raw), join_full(base, raw), "{raw}");
            }
        }
        // Bounded: the cache is cleared when full.
        for i in 0..ABSOLUTE_CACHE + 10 {
            resolve(&a, &format!("https://h{i}.example.gov.cn/"));
        }
        assert!(ABSOLUTE.with(|c| c.borrow().len()) <= ABSOLUTE_CACHE);
    }

    #[test]
    fn join_plain_agrees_with_url_join() {
        let bases = [
            "http://127.0.10.1:8080/",
            "http://127.0.10.1:8080/col/col12/index.html",
            "https://www.example.gov.cn/a/b/c/t20240101_1.html?x=1",
            "http://user:pw@example.gov.cn/a/b/",
            "http://example.gov.cn/a",
        ];
        let raws = [
            "/",
            "/a/b.html",
            "/a/b.html?x=1&y=2",
            "/col/col12/index.html?uid=3&pageNum=2",
            "b.html",
            "./b.html",
            "././b.html",
            "../b.html",
            "../../../../b.html",
            "./../c/d.html?p=1",
            "c/d/",
            "a//b",
            "/a//b",
            "a/./b",
            "a/../b",
            "/a/..",
            "/a/.",
            "a?x=..",
            "x.html?",
            "?x=1",
            "./",
            "../",
            "../../../",
            "./../",
            "",
            ".",
            "..",
            "//other.host/x",
            "/a b",
            "a%2e",
            "/%2e%2e/x",
            "http://x/y",
            "a:b",
            "/a'b?c='d'",
            "#top",
            "/a#b",
            "/中文.html",
            "/A/B.HTML?Q=V",
            "..a/b",
            "a../b",
            "http://127.0.10.1:8080/a/b.html",
            "http://127.0.10.1:8080",
            "http://127.0.10.1:8080?x",
            "http://127.0.10.1:80800/a",
            "http://127.0.10.1:8080//x/y",
            "http://127.0.10.1:8080/a/../b",
            "https://www.example.gov.cn/x/y.html",
            "HTTPS://www.example.gov.cn/x/y.html",
            "http://user:pw@example.gov.cn/z",
        ];
        for b in bases {
            let base = Url::parse(b).unwrap();
            for raw in raws {
                if let Some(fast) = join_plain(&base, raw) {
                    let slow = base.join(raw).unwrap();
                    assert_eq!(fast, slow.as_str(), "base {b}, raw {raw}");
                }
            }
        }
        // The common shapes do take the fast path.
        let base = Url::parse(bases[1]).unwrap();
        for raw in [
            "/a/b.html",
            "b.html",
            "./b.html",
            "../../b.html?x=1",
            "http://127.0.10.1:8080/a/b.html",
        ] {
            assert!(join_plain(&base, raw).is_some(), "{raw}");
        }
        assert!(join_plain(&base, "/a/../b").is_none());
    }

    /// The char-by-char definition `push_collapsed` must agree with.
    fn reference(out: &mut String, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() {
                if !out.ends_with([' ', '\n']) && !out.is_empty() {
                    out.push(' ');
                }
            } else {
                out.push(c);
            }
        }
    }

    #[test]
    fn push_collapsed_matches_the_char_by_char_definition() {
        for prefix in ["", "a", "a ", "a\n"] {
            for s in [
                "",
                " ",
                "  x  y  ",
                "京\u{3000}\u{3000}ICP\u{a0}备",
                "\n\t line\r\nnext ",
                "no_space",
                "尾 ",
            ] {
                let (mut got, mut want) = (prefix.to_string(), prefix.to_string());
                push_collapsed(&mut got, s);
                reference(&mut want, s);
                assert_eq!(got, want, "{prefix:?} + {s:?}");
            }
        }
    }
}
