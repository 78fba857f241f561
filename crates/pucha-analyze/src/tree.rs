//! A fast, forgiving HTML tree builder that produces the same [`scraper::Html`] the
//! extractors read.
//!
//! Why it exists: html5ever's spec tokenizer and tree builder took over 60 % of a page's
//! analysis time (docs/analysis-accuracy.md), and page analysis is most of a worker's CPU.
//! This module scans the text with `memchr` and builds the tree with the parts of the
//! HTML5 tree-construction rules that shape real government pages: void elements, raw-text
//! elements (`script`, `style`, `textarea`, `title`), implied end tags (`p`, `li`, `dd`,
//! `dt`, `option`, table cells and rows, nested `a`), end tags matched within their scope
//! and stray end tags ignored, an implicit `html`/`head`/`body`, implied `tbody`/`tr` in
//! tables, and character references (named, decimal, hexadecimal, the C1 remapping).
//! It skips what the extractors never see: comments, doctype, foster parenting, the
//! adoption agency's re-opening of formatting elements, namespaces beyond SVG/MathML
//! self-closing tags. The real-page accuracy test (tests/real_pages.rs) runs on its output,
//! and a unit test compares its trees with html5ever's.
//!
//! Never panics: every slice boundary is an ASCII delimiter of a `&str`.
//!
//! Linear in its input whatever the markup ([`TreeBudget`]): the open elements are counted
//! by name, so a start or end tag looks down the stack only when the element it looks for
//! is open; the tree is at most [`TreeBudget::max_depth`] deep (deeper elements become
//! leaves, their content going to the deepest open element, as browsers cap the nesting);
//! it holds at most [`TreeBudget::max_nodes`] nodes (the rest of the document is not read)
//! and an element at most [`TreeBudget::max_attributes`] attributes. What was cut is
//! returned with the tree, never silent.

use std::borrow::Cow;

use ego_tree::{NodeId, Tree};
use html5ever::{ns, Attribute, LocalName, QualName};
use memchr::memchr;
use scraper::node::{Element, Text};
use scraper::{Html, Node, StrTendril};

/// Limits of one page's tree: beyond them the page is read on a truncated tree and the cut
/// is reported ([`parse_document_within`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeBudget {
    /// Elements nested deeper than this are not opened: each becomes a leaf and its content
    /// goes to the deepest open element (browsers cap nesting likewise: Chromium at 512).
    pub max_depth: usize,
    /// Nodes (elements and texts); the document after the node that reaches it is not read.
    pub max_nodes: usize,
    /// Attributes kept per element (the first ones); the rest are skipped.
    pub max_attributes: usize,
}

impl TreeBudget {
    /// No limit (tests comparing with html5ever).
    pub const UNLIMITED: TreeBudget = TreeBudget {
        max_depth: usize::MAX,
        max_nodes: usize::MAX,
        max_attributes: usize::MAX,
    };
}

impl Default for TreeBudget {
    /// 256 levels, 250 000 nodes, 256 attributes an element: real government pages stay far
    /// below (they nest some 20 to 40 deep; a list page of 5 000 rows has about 100 000
    /// nodes). At these limits the worst page costs about 2 s of one core.
    fn default() -> TreeBudget {
        TreeBudget {
            max_depth: 256,
            max_nodes: 250_000,
            max_attributes: 256,
        }
    }
}

/// Parses a whole document with no limits.
pub fn parse_document(text: &str) -> Html {
    parse_document_within(text, TreeBudget::UNLIMITED).0
}

/// Parses a whole document within `budget`; also returns what was cut, when anything was
/// ("page too complex, analysis cut at depth 256", "... at 250000 nodes", ...).
pub fn parse_document_within(text: &str, budget: TreeBudget) -> (Html, Option<String>) {
    let mut b = Builder::new(budget);
    b.run(text);
    let html = Html {
        errors: Vec::new(),
        quirks_mode: if b.quirks {
            html5ever::tree_builder::QuirksMode::Quirks
        } else {
            html5ever::tree_builder::QuirksMode::NoQuirks
        },
        tree: b.tree,
    };
    let cut = b.cut.describe(budget);
    (html, cut)
}

/// Which limits of the budget a document reached.
#[derive(Debug, Default)]
struct Cut {
    depth: bool,
    nodes: bool,
    attributes: bool,
}

impl Cut {
    fn describe(&self, b: TreeBudget) -> Option<String> {
        let mut parts = Vec::new();
        if self.depth {
            parts.push(format!("depth {}", b.max_depth));
        }
        if self.nodes {
            parts.push(format!("{} nodes", b.max_nodes));
        }
        if self.attributes {
            parts.push(format!("{} attributes on one element", b.max_attributes));
        }
        (!parts.is_empty())
            .then(|| format!("page too complex, analysis cut at {}", parts.join(", ")))
    }
}

/// Whether a doctype (its text after `<!`) puts the page in quirks mode, where a table
/// does not close an open `<p>`. A page with no doctype is in quirks mode too.
fn quirks_doctype(doctype: &str) -> bool {
    let d = doctype.to_ascii_lowercase();
    let no_system_id = !d.contains("http");
    d.contains("-//w3c//dtd html 4.0 transitional")
        || d.contains("-//w3c//dtd html 3")
        || d.contains("-//ietf//dtd html")
        || ((d.contains("-//w3c//dtd html 4.01 transitional")
            || d.contains("-//w3c//dtd html 4.01 frameset"))
            && no_system_id)
}

const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
    "keygen", "link", "meta", "param", "source", "track", "wbr",
];

/// Elements whose content is raw text up to their end tag (entities kept for RCDATA).
fn raw_text(name: &str) -> Option<bool> {
    match name {
        "script" | "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => Some(false),
        "textarea" | "title" => Some(true),
        _ => None,
    }
}

/// Elements that may sit in `<head>` before the body starts.
fn head_content(name: &str) -> bool {
    matches!(
        name,
        "title" | "meta" | "link" | "style" | "script" | "base" | "noscript" | "template"
    )
}

/// Start tags that close an open `<p>` (HTML5 "in body" block starts).
fn closes_p(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "listing"
            | "section"
            | "summary"
            | "table"
            | "ul"
            | "li"
            | "dd"
            | "dt"
            | "plaintext"
            | "xmp"
    )
}

/// The HTML5 "special" category: an unmatched end tag of another element stops here.
fn special(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "applet"
            | "area"
            | "article"
            | "aside"
            | "base"
            | "basefont"
            | "bgsound"
            | "blockquote"
            | "body"
            | "br"
            | "button"
            | "caption"
            | "center"
            | "col"
            | "colgroup"
            | "dd"
            | "details"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "embed"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "frame"
            | "frameset"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "head"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "iframe"
            | "img"
            | "input"
            | "li"
            | "link"
            | "listing"
            | "main"
            | "marquee"
            | "menu"
            | "meta"
            | "nav"
            | "noembed"
            | "noframes"
            | "noscript"
            | "object"
            | "ol"
            | "p"
            | "param"
            | "plaintext"
            | "pre"
            | "script"
            | "section"
            | "select"
            | "source"
            | "style"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "template"
            | "textarea"
            | "tfoot"
            | "th"
            | "thead"
            | "title"
            | "tr"
            | "track"
            | "ul"
            | "wbr"
            | "xmp"
    )
}

/// Boundaries of the default element scope.
fn scope_boundary(name: &str) -> bool {
    matches!(
        name,
        "applet" | "caption" | "html" | "table" | "td" | "th" | "marquee" | "object" | "template"
    )
}

const HEADINGS: [&str; 6] = ["h1", "h2", "h3", "h4", "h5", "h6"];

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

struct Open {
    id: NodeId,
    name: LocalName,
}

struct Builder {
    tree: Tree<Node>,
    stack: Vec<Open>,
    /// How many elements of each name are on `stack`: a look down the stack for an element
    /// that is not open costs nothing (without it, nested `<div>`s were quadratic).
    open: rustc_hash::FxHashMap<LocalName, u32>,
    budget: TreeBudget,
    /// Nodes appended so far.
    nodes: usize,
    /// Elements not opened because the stack was at `max_depth`: as many end tags are
    /// swallowed, so the depth-capped part of the tree stays balanced.
    excess: usize,
    cut: Cut,
    html: Option<NodeId>,
    head: Option<NodeId>,
    body: Option<NodeId>,
    /// Depth of open `svg`/`math` roots: `<x/>` self-closes inside them.
    foreign: usize,
    /// Quirks mode (no doctype, or a legacy one); decided by the first markup.
    quirks: bool,
    seen_doctype: bool,
}

impl Builder {
    fn new(budget: TreeBudget) -> Builder {
        Builder {
            tree: Tree::new(Node::Document),
            stack: Vec::new(),
            open: Default::default(),
            budget,
            nodes: 0,
            excess: 0,
            cut: Cut::default(),
            html: None,
            head: None,
            body: None,
            foreign: 0,
            quirks: true,
            seen_doctype: false,
        }
    }

    fn run(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut pos = 0;
        while pos < bytes.len() && !self.cut.nodes {
            let Some(off) = memchr(b'<', &bytes[pos..]) else {
                self.text(&text[pos..], true);
                break;
            };
            let lt = pos + off;
            if lt > pos {
                self.text(&text[pos..lt], true);
            }
            pos = self.markup(text, lt);
        }
        self.ensure_body();
    }

    /// Handles the markup starting at `lt` (a `<`); returns where scanning resumes.
    fn markup(&mut self, text: &str, lt: usize) -> usize {
        let bytes = text.as_bytes();
        let rest = &bytes[lt + 1..];
        match rest.first() {
            Some(b'!') => {
                if rest.starts_with(b"!--") {
                    // Comment: up to `-->` (or the end).
                    return match memchr::memmem::find(&rest[3..], b"-->") {
                        Some(e) => lt + 1 + 3 + e + 3,
                        None => bytes.len(),
                    };
                }
                let end = skip_to_gt(bytes, lt + 1);
                if !self.seen_doctype
                    && self.html.is_none()
                    && rest.len() >= 8
                    && rest[1..8].eq_ignore_ascii_case(b"doctype")
                {
                    self.seen_doctype = true;
                    self.quirks = quirks_doctype(&text[lt + 2..end.saturating_sub(1).max(lt + 2)]);
                }
                end
            }
            Some(b'?') => skip_to_gt(bytes, lt + 1),
            Some(b'/') => match rest.get(1) {
                Some(c) if c.is_ascii_alphabetic() => {
                    let (name, end) = tag_name(text, lt + 2);
                    let after = skip_to_gt(bytes, end);
                    self.end_tag(&name);
                    after
                }
                Some(b'>') => lt + 3,
                // `</ 3>`: a bogus comment.
                Some(_) => skip_to_gt(bytes, lt + 1),
                None => {
                    self.text("</", true);
                    bytes.len()
                }
            },
            Some(c) if c.is_ascii_alphabetic() => {
                let (name, end) = tag_name(text, lt + 1);
                let (attrs, self_closing, after, over) =
                    attributes(text, end, self.budget.max_attributes);
                self.cut.attributes |= over;
                self.start_tag(text, &name, attrs, self_closing, after)
            }
            _ => {
                self.text("<", true);
                lt + 1
            }
        }
    }

    fn current(&self) -> NodeId {
        self.stack
            .last()
            .map(|o| o.id)
            .unwrap_or_else(|| self.tree.root().id())
    }

    fn element(name: &LocalName, attrs: Vec<Attribute>) -> Node {
        Node::Element(Element::new(
            QualName::new(None, ns!(html), name.clone()),
            attrs,
        ))
    }

    fn append(&mut self, parent: NodeId, node: Node) -> NodeId {
        self.nodes += 1;
        if self.nodes >= self.budget.max_nodes {
            self.cut.nodes = true;
        }
        match self.tree.get_mut(parent) {
            Some(mut p) => p.append(node).id(),
            None => self.tree.root_mut().append(node).id(),
        }
    }

    fn ensure_html(&mut self) -> NodeId {
        if let Some(h) = self.html {
            return h;
        }
        let name = LocalName::from("html");
        let id = self.append(self.tree.root().id(), Self::element(&name, Vec::new()));
        self.html = Some(id);
        self.push_open(Open { id, name });
        id
    }

    fn ensure_head(&mut self) -> NodeId {
        if let Some(h) = self.head {
            return h;
        }
        let html = self.ensure_html();
        let name = LocalName::from("head");
        let id = self.append(html, Self::element(&name, Vec::new()));
        self.head = Some(id);
        id
    }

    fn ensure_body(&mut self) -> NodeId {
        if let Some(b) = self.body {
            return b;
        }
        self.ensure_head();
        let html = self.ensure_html();
        // Whatever was open in the head is closed by the body.
        self.truncate_stack(1);
        let name = LocalName::from("body");
        let id = self.append(html, Self::element(&name, Vec::new()));
        self.body = Some(id);
        self.push_open(Open { id, name });
        id
    }

    /// Where a head element goes: the head while no body exists, else the current node.
    fn head_parent(&mut self) -> NodeId {
        if self.body.is_none() {
            self.ensure_head()
        } else {
            self.current()
        }
    }

    fn text(&mut self, raw: &str, decode: bool) {
        if raw.is_empty() {
            return;
        }
        if self.body.is_none() {
            if raw.bytes().all(|b| b.is_ascii_whitespace()) {
                return;
            }
            self.ensure_body();
        }
        let parent = self.current();
        let decoded;
        let s: &str = if decode && raw.contains('&') {
            decoded = decode_entities(raw, false);
            &decoded
        } else {
            raw
        };
        self.push_text(parent, s);
    }

    fn push_text(&mut self, parent: NodeId, s: &str) {
        // Adjacent text merges into one node, as html5ever does.
        let last = self
            .tree
            .get(parent)
            .and_then(|p| p.last_child())
            .filter(|c| c.value().is_text())
            .map(|c| c.id());
        if let Some(id) = last {
            if let Some(mut n) = self.tree.get_mut(id) {
                if let Node::Text(t) = n.value() {
                    t.text.push_slice(s);
                    return;
                }
            }
        }
        self.append(
            parent,
            Node::Text(Text {
                text: StrTendril::from_slice(s),
            }),
        );
    }

    fn push_element(&mut self, parent: NodeId, name: LocalName, attrs: Vec<Attribute>) -> NodeId {
        let id = self.append(parent, Self::element(&name, attrs));
        if self.stack.len() >= self.budget.max_depth {
            // Too deep: a leaf; its content goes to the deepest open element.
            self.cut.depth = true;
            self.excess += 1;
            return parent;
        }
        self.push_open(Open { id, name });
        id
    }

    fn push_open(&mut self, o: Open) {
        *self.open.entry(o.name.clone()).or_default() += 1;
        self.stack.push(o);
    }

    /// Whether an element of this name is open.
    fn is_open(&self, name: &str) -> bool {
        self.open
            .get(&LocalName::from(name))
            .is_some_and(|&n| n > 0)
    }

    fn forget(&mut self, o: &Open) {
        if let Some(n) = self.open.get_mut(&o.name) {
            *n = n.saturating_sub(1);
        }
        if matches!(&*o.name, "svg" | "math") {
            self.foreign = self.foreign.saturating_sub(1);
        }
    }

    fn truncate_stack(&mut self, len: usize) {
        while self.stack.len() > len {
            self.pop_one();
        }
    }

    fn pop_one(&mut self) {
        if let Some(o) = self.stack.pop() {
            self.forget(&o);
        }
    }

    fn open_index(
        &self,
        pred: impl Fn(&str) -> bool,
        stop: impl Fn(&str) -> bool,
    ) -> Option<usize> {
        for (i, o) in self.stack.iter().enumerate().rev() {
            if pred(&o.name) {
                return Some(i);
            }
            if stop(&o.name) {
                return None;
            }
        }
        None
    }

    fn pop_to(&mut self, i: usize) {
        // The html and body elements stay open.
        let keep = self
            .stack
            .iter()
            .position(|o| &*o.name == "body")
            .map_or(1, |b| b + 1);
        let i = i.max(keep.min(self.stack.len()));
        self.truncate_stack(i);
    }

    fn close_p_before(&mut self, name: &str) {
        if name == "table" && self.quirks {
            return;
        }
        self.close_p();
    }

    fn close_p(&mut self) {
        if !self.is_open("p") {
            return;
        }
        if let Some(i) = self.open_index(|n| n == "p", |n| scope_boundary(n) || n == "button") {
            self.pop_to(i);
        }
    }

    fn start_tag(
        &mut self,
        text: &str,
        name: &str,
        attrs: Vec<Attribute>,
        self_closing: bool,
        after: usize,
    ) -> usize {
        match name {
            "html" => {
                self.ensure_html();
                return after;
            }
            "head" => {
                if self.body.is_none() {
                    self.ensure_head();
                }
                return after;
            }
            "body" => {
                if self.body.is_none() {
                    self.ensure_body();
                    if let Some(b) = self.body {
                        if let Some(mut n) = self.tree.get_mut(b) {
                            if let Node::Element(e) = n.value() {
                                *e = Element::new(
                                    QualName::new(None, ns!(html), LocalName::from("body")),
                                    attrs,
                                );
                            }
                        }
                    }
                }
                return after;
            }
            "frameset" | "frame" if self.body.is_none() => {
                // Framesets have no body; the frames are links the crawler follows.
                self.ensure_html();
            }
            _ => {}
        }
        let local = LocalName::from(name);
        let parent = if self.body.is_none() && head_content(name) {
            self.head_parent()
        } else {
            if self.body.is_none() && !matches!(name, "frameset" | "frame") {
                self.ensure_body();
            }
            self.implied_closes(name);
            self.table_fixups(name)
        };
        if VOID.contains(&name) || (self_closing && self.foreign > 0) {
            self.append(parent, Self::element(&local, attrs));
            return after;
        }
        if let Some(rcdata) = raw_text(name) {
            let id = self.append(parent, Self::element(&local, attrs));
            let (content, resume) = raw_content(text, after, name);
            if !content.is_empty() {
                if rcdata && content.contains('&') {
                    let s = decode_entities(content, false);
                    self.push_text(id, &s);
                } else {
                    // Scripts and styles are most of a template's bytes: one copy only.
                    self.push_text(id, content);
                }
            }
            return resume;
        }
        if matches!(name, "svg" | "math") {
            if self_closing {
                self.append(parent, Self::element(&local, attrs));
                return after;
            }
            self.foreign += 1;
        }
        self.push_element(parent, local, attrs);
        after
    }

    /// The end tags a start tag implies.
    fn implied_closes(&mut self, name: &str) {
        if closes_p(name) {
            self.close_p_before(name);
        }
        match name {
            "li" if self.is_open("li") => {
                if let Some(i) = self.open_index(
                    |n| n == "li",
                    |n| special(n) && !matches!(n, "address" | "div" | "p"),
                ) {
                    self.pop_to(i);
                }
            }
            "dd" | "dt" if self.is_open("dd") || self.is_open("dt") => {
                if let Some(i) = self.open_index(
                    |n| n == "dd" || n == "dt",
                    |n| special(n) && !matches!(n, "address" | "div" | "p"),
                ) {
                    self.pop_to(i);
                }
            }
            "option" | "optgroup" if self.stack.last().is_some_and(|o| &*o.name == "option") => {
                self.pop_one();
            }
            "a" if self.is_open("a") => {
                if let Some(i) = self.open_index(|n| n == "a", scope_boundary) {
                    self.pop_to(i);
                }
            }
            "button" if self.is_open("button") => {
                if let Some(i) = self.open_index(|n| n == "button", scope_boundary) {
                    self.pop_to(i);
                }
            }
            n if is_heading(n) && self.stack.last().is_some_and(|o| is_heading(&o.name)) => {
                self.pop_one();
            }
            _ => {}
        }
    }

    /// Table structure: cells close cells, rows close rows, and a row or cell directly in
    /// a table gets the `tbody`/`tr` html5ever would insert. Returns the parent to use.
    fn table_fixups(&mut self, name: &str) -> NodeId {
        let in_table = |n: &str| matches!(n, "table");
        match name {
            "td" | "th" => {
                let cell_open = self.is_open("td") || self.is_open("th");
                if let Some(i) = cell_open
                    .then(|| {
                        self.open_index(|n| n == "td" || n == "th", |n| in_table(n) || n == "tr")
                    })
                    .flatten()
                {
                    self.pop_to(i);
                }
                let top = self
                    .stack
                    .last()
                    .map(|o| o.name.to_string())
                    .unwrap_or_default();
                match top.as_str() {
                    "table" => {
                        let t = self.current();
                        let tb = self.push_element(t, LocalName::from("tbody"), Vec::new());
                        self.push_element(tb, LocalName::from("tr"), Vec::new())
                    }
                    "tbody" | "thead" | "tfoot" => {
                        let t = self.current();
                        self.push_element(t, LocalName::from("tr"), Vec::new())
                    }
                    _ => self.current(),
                }
            }
            "tr" => {
                let row_open = self.is_open("tr");
                let cell_open = self.is_open("td") || self.is_open("th");
                if let Some(i) = row_open
                    .then(|| {
                        self.open_index(
                            |n| n == "tr",
                            |n| in_table(n) || matches!(n, "tbody" | "thead" | "tfoot"),
                        )
                    })
                    .flatten()
                {
                    self.pop_to(i);
                } else if let Some(i) = cell_open
                    .then(|| self.open_index(|n| n == "td" || n == "th", in_table))
                    .flatten()
                {
                    // A row started inside an unclosed cell whose row is open.
                    if let Some(r) = self.stack[..i].iter().rposition(|o| &*o.name == "tr") {
                        self.pop_to(r);
                    }
                }
                if self.stack.last().is_some_and(|o| &*o.name == "table") {
                    let t = self.current();
                    self.push_element(t, LocalName::from("tbody"), Vec::new())
                } else {
                    self.current()
                }
            }
            "tbody" | "thead" | "tfoot" if self.is_open("table") => {
                if let Some(t) = self.open_index(|n| n == "table", |_| false) {
                    if self.stack[t + 1..].iter().any(|o| {
                        matches!(&*o.name, "tbody" | "thead" | "tfoot" | "tr" | "td" | "th")
                    }) {
                        self.pop_to(t + 1);
                    }
                }
                self.current()
            }
            _ => self.current(),
        }
    }

    fn end_tag(&mut self, name: &str) {
        if matches!(name, "html" | "body" | "head" | "br") {
            return;
        }
        if self.excess > 0 {
            // Closes one of the elements not opened for depth.
            self.excess -= 1;
            return;
        }
        let heading = is_heading(name);
        if !(self.is_open(name) || heading && HEADINGS.iter().any(|h| self.is_open(h))) {
            // Nothing to close: a stray end tag is ignored.
            return;
        }
        match name {
            "p" => {
                self.close_p();
                return;
            }
            "li" => {
                if let Some(i) = self.open_index(
                    |n| n == "li",
                    |n| scope_boundary(n) || matches!(n, "ol" | "ul"),
                ) {
                    self.pop_to(i);
                }
                return;
            }
            "td" | "th" | "tr" | "tbody" | "thead" | "tfoot" | "caption" => {
                if let Some(i) = self.open_index(|n| n == name, |n| n == "table") {
                    self.pop_to(i);
                }
                return;
            }
            "table" => {
                if let Some(i) = self.open_index(|n| n == "table", |n| n == "html") {
                    self.pop_to(i);
                }
                return;
            }
            _ => {}
        }
        if heading {
            if let Some(i) = self.open_index(is_heading, scope_boundary) {
                self.pop_to(i);
            }
            return;
        }
        if special(name) {
            // Block end tags: matched within the default scope, else ignored.
            if let Some(i) = self.open_index(|n| n == name, scope_boundary) {
                self.pop_to(i);
            }
            return;
        }
        // Any other end tag: matched unless a special element is open above it.
        if let Some(i) = self.open_index(|n| n == name, special) {
            self.pop_to(i);
        }
    }
}

/// The position after the next `>` at or after `from` (or the end).
fn skip_to_gt(bytes: &[u8], from: usize) -> usize {
    match memchr(b'>', &bytes[from.min(bytes.len())..]) {
        Some(i) => from + i + 1,
        None => bytes.len(),
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// A tag name (ASCII-lowercased) starting at `from`, and where it ends.
fn tag_name(text: &str, from: usize) -> (Cow<'_, str>, usize) {
    let bytes = text.as_bytes();
    let mut end = from;
    while end < bytes.len() && !is_space(bytes[end]) && bytes[end] != b'/' && bytes[end] != b'>' {
        end += 1;
    }
    (lower(&text[from..end]), end)
}

/// `s` in ASCII lower case, copied only when it has upper-case letters.
fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// The attributes of a start tag from `from` (the first `max` distinct ones): (attributes,
/// self-closing, position after `>`, whether some were skipped for `max`).
fn attributes(text: &str, from: usize, max: usize) -> (Vec<Attribute>, bool, usize, bool) {
    let bytes = text.as_bytes();
    let mut attrs: Vec<Attribute> = Vec::new();
    let mut i = from;
    let mut self_closing = false;
    let mut over = false;
    loop {
        while i < bytes.len() && (is_space(bytes[i]) || bytes[i] == b'/') {
            self_closing = bytes[i] == b'/';
            i += 1;
        }
        if i >= bytes.len() {
            return (attrs, false, bytes.len(), over);
        }
        if bytes[i] == b'>' {
            return (attrs, self_closing, i + 1, over);
        }
        self_closing = false;
        let start = i;
        // An attribute name may start with `=`; it ends at space, `/`, `>` or `=`.
        i += 1;
        while i < bytes.len() && !is_space(bytes[i]) && !matches!(bytes[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let name = &text[start..i];
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        let mut value = "";
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && is_space(bytes[i]) {
                i += 1;
            }
            match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let vs = i + 1;
                    let ve = memchr(q, &bytes[vs..]).map_or(bytes.len(), |e| vs + e);
                    value = &text[vs..ve];
                    i = (ve + 1).min(bytes.len());
                }
                Some(_) => {
                    let vs = i;
                    while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'>' {
                        i += 1;
                    }
                    value = &text[vs..i];
                }
                None => {}
            }
        }
        if attrs.len() >= max {
            // Scanned, not kept: the duplicate check below is quadratic in the count.
            over = true;
            continue;
        }
        let lname = lower(name);
        if !attrs.iter().any(|a| *a.name.local == *lname) {
            let value = if value.contains('&') {
                StrTendril::from_slice(&decode_entities(value, true))
            } else {
                StrTendril::from_slice(value)
            };
            attrs.push(Attribute {
                name: QualName::new(None, ns!(), LocalName::from(lname)),
                value,
            });
        }
    }
}

/// The raw content of a raw-text element from `from` to its end tag, and where scanning
/// resumes (after the end tag, or the end of the text when it never closes).
fn raw_content<'a>(text: &'a str, from: usize, name: &str) -> (&'a str, usize) {
    let bytes = text.as_bytes();
    let mut i = from;
    while let Some(off) = memchr(b'<', &bytes[i.min(bytes.len())..]) {
        let lt = i + off;
        let rest = &bytes[lt..];
        if rest.len() >= 2 + name.len()
            && rest[1] == b'/'
            && rest[2..2 + name.len()].eq_ignore_ascii_case(name.as_bytes())
            && rest
                .get(2 + name.len())
                .is_none_or(|&b| is_space(b) || b == b'>' || b == b'/')
        {
            return (&text[from..lt], skip_to_gt(bytes, lt + 2 + name.len()));
        }
        i = lt + 1;
    }
    (&text[from.min(text.len())..], text.len())
}

/// A named reference (`amp;`, or a legacy `amp` without `;`) and its code points. The
/// table also holds prefixes of names, with code point 0: those are no reference.
fn entity(name: &str) -> Option<(u32, u32)> {
    html5ever::data::NAMED_ENTITIES
        .get(name)
        .copied()
        .filter(|v| v.0 != 0)
}

/// Decodes character references. In attribute values a reference without `;` followed by
/// an alphanumeric or `=` stays as written (`?a=1&copy=2` is a URL, not ©).
pub(crate) fn decode_entities(s: &str, in_attribute: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    let mut i = 0;
    while let Some(off) = memchr(b'&', &bytes[i..]) {
        let amp = i + off;
        i = amp + 1;
        let Some((decoded, len)) = reference(s, amp, in_attribute) else {
            continue;
        };
        out.push_str(&s[last..amp]);
        out.push_str(&decoded);
        last = amp + len;
        i = last;
    }
    out.push_str(&s[last..]);
    out
}

/// The reference at `amp` (a `&`): its text and byte length.
fn reference(s: &str, amp: usize, in_attribute: bool) -> Option<(String, usize)> {
    let bytes = s.as_bytes();
    let rest = &bytes[amp + 1..];
    if rest.first() == Some(&b'#') {
        let (hex, digits_from) = match rest.get(1) {
            Some(b'x' | b'X') => (true, 2),
            _ => (false, 1),
        };
        let mut j = digits_from;
        let mut value: u32 = 0;
        while let Some(&b) = rest.get(j) {
            let d = if hex {
                (b as char).to_digit(16)
            } else {
                (b as char).to_digit(10)
            };
            let Some(d) = d else { break };
            value = value
                .saturating_mul(if hex { 16 } else { 10 })
                .saturating_add(d);
            j += 1;
        }
        if j == digits_from {
            return None;
        }
        let len = 1 + j + usize::from(rest.get(j) == Some(&b';'));
        let c = match value {
            0 => '\u{FFFD}',
            0x80..=0x9F => html5ever::data::C1_REPLACEMENTS[(value - 0x80) as usize]
                .unwrap_or(char::from_u32(value).unwrap_or('\u{FFFD}')),
            v => char::from_u32(v).unwrap_or('\u{FFFD}'),
        };
        return Some((c.to_string(), len));
    }
    let mut j = 0;
    while j < rest.len() && j < 32 && rest[j].is_ascii_alphanumeric() {
        j += 1;
    }
    if j == 0 {
        return None;
    }
    let name = &s[amp + 1..amp + 1 + j];
    if rest.get(j) == Some(&b';') {
        if let Some((a, b)) = entity(&s[amp + 1..amp + 2 + j]) {
            return Some((chars(a, b), j + 2));
        }
    }
    // Legacy references without `;` (`&nbsp`, `&amp`): the longest known prefix.
    for k in (2..=j).rev() {
        if let Some((a, b)) = entity(&name[..k]) {
            let next = rest.get(k).copied();
            if in_attribute && next.is_some_and(|n| n.is_ascii_alphanumeric() || n == b'=') {
                return None;
            }
            return Some((chars(a, b), k + 1));
        }
    }
    None
}

fn chars(a: u32, b: u32) -> String {
    let mut s = String::new();
    s.extend(char::from_u32(a));
    if b != 0 {
        s.extend(char::from_u32(b));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree as an indented outline: elements with their class, and trimmed texts.
    fn outline(html: &Html) -> String {
        use ego_tree::iter::Edge;
        let mut out = String::new();
        let mut depth = 0usize;
        for edge in html.tree.root().traverse() {
            match edge {
                Edge::Open(n) => match n.value() {
                    Node::Element(e) => {
                        out.push_str(&"  ".repeat(depth));
                        out.push_str(e.name());
                        if let Some(c) = e.attr("class") {
                            out.push('.');
                            out.push_str(c);
                        }
                        out.push('\n');
                        depth += 1;
                    }
                    Node::Text(t) if !t.trim().is_empty() => {
                        out.push_str(&"  ".repeat(depth));
                        out.push_str(&format!("{:?}\n", t.trim()));
                    }
                    _ => {}
                },
                Edge::Close(n) => {
                    if n.value().is_element() {
                        depth -= 1;
                    }
                }
            }
        }
        out
    }

    fn same_as_html5ever(src: &str) {
        let ours = outline(&parse_document(src));
        let spec = outline(&Html::parse_document(src));
        assert_eq!(
            ours, spec,
            "\nsource: {src}\nours:\n{ours}\nhtml5ever:\n{spec}"
        );
    }

    #[test]
    fn matches_html5ever_on_the_shapes_of_real_pages() {
        for src in [
            "<html><head><title>t &amp; u</title><meta name=SiteName content='市政府'></head><body><div class=a><p>x<p>y</div></body></html>",
            "<ul><li><a href=1.html>一</a><span>2024-01-02</span><li><a href=2.html>二</a><span>2024-01-03</span></ul>",
            "<dl><dt>标题<dd>内容<dt>二<dd>三</dl>",
            "<table><tr><td>a<td>b<tr><td>c</table>",
            "<table><tbody><tr><td>a</td></tr></tbody></table><p>after",
            "<div><span>a</div>b",
            "<p>one</span>two</p>",
            "<a href=1>x<a href=2>y</a>",
            "<h1>a<h2>b</h2>",
            "<select><option>a<option>b</select>",
            "text before any tag<div>x</div>",
            "<script>if (a < b && c > d) { document.write('<p>x</p>'); }</script><p>after</p>",
            "<style>p > a { color: red }</style><textarea>a &lt; b</textarea>",
            "<div id=footer>版权所有&copy;2024 &nbsp;京ICP备12345678号</div>",
            "<img src=a.png alt=\"图\"><br/><input name=q>",
            "<svg><path d='M0'/><circle/></svg><p>x",
            "<li>a<div>b<li>c",
            "<div>a</li>b</div>",
            "<table><td>x</td></table>",
            "<html><body class=home><div>x</div></body></html><div>after body</div>",
            "<title>a</title><link rel=stylesheet href=a.css><div>x</div>",
            "<p>a<table><tr><td>b</td></tr></table>",
            "<noscript><img src=x></noscript><div>y</div>",
            "<!DOCTYPE html><!-- comment --><div>x<!-- inner --></div>",
        ] {
            same_as_html5ever(src);
        }
    }

    #[test]
    fn the_depth_limit_keeps_what_follows_the_nesting_in_place() {
        let src = format!(
            "{}<p>deep</p>{}<div id=after>after</div>",
            "<div>".repeat(40),
            "</div>".repeat(40)
        );
        let budget = TreeBudget {
            max_depth: 10,
            ..TreeBudget::default()
        };
        let (html, cut) = parse_document_within(&src, budget);
        assert_eq!(
            cut.as_deref(),
            Some("page too complex, analysis cut at depth 10")
        );
        let after = html
            .tree
            .nodes()
            .find(|n| {
                n.value()
                    .as_element()
                    .is_some_and(|e| e.attr("id") == Some("after"))
            })
            .expect("after");
        let parent = after.parent().and_then(|p| p.value().as_element());
        assert_eq!(parent.map(|e| e.name()), Some("body"));
        assert!(outline(&html).contains("\"deep\""));
        // Within the limits the tree is the unlimited one.
        let small = "<div><div><p>x</p></div></div><div>y</div>";
        let (html, cut) = parse_document_within(small, budget);
        assert_eq!(cut, None);
        assert_eq!(outline(&html), outline(&parse_document(small)));
    }

    #[test]
    fn stray_end_tags_deep_in_the_tree_are_ignored() {
        // Each `</b>` used to look down the whole stack of spans.
        let src = format!("{}x{}", "<span>".repeat(200), "</b>".repeat(200));
        same_as_html5ever(&src);
        let src = format!("<p>{}x</p>y", "<span>".repeat(100));
        same_as_html5ever(&src);
    }

    #[test]
    fn character_references() {
        assert_eq!(
            decode_entities("a&amp;b&lt;&#20013;&#x56FD;&nbsp;", false),
            "a&b<中国\u{a0}"
        );
        assert_eq!(decode_entities("&nbsp&nbsp政府", false), "\u{a0}\u{a0}政府");
        assert_eq!(
            decode_entities("?a=1&copy=2&amp;b=3", true),
            "?a=1&copy=2&b=3"
        );
        assert_eq!(
            decode_entities("&#150;&#0;&bogus;", false),
            "\u{2013}\u{FFFD}&bogus;"
        );
        assert_eq!(decode_entities("a & b &", false), "a & b &");
    }

    #[test]
    fn never_panics_on_cut_markup() {
        for src in [
            "<",
            "</",
            "<a",
            "<a href",
            "<a href=",
            "<a href='x",
            "<!--",
            "<!",
            "<?x",
            "&",
            "&#",
            "&#x",
            "<script>",
            "<script>a</scr",
            "<title>x",
            "<div a=1 b='2' c=\"3\" /",
            "</div>",
            "<table><tr>",
            "<td>",
            "中文<中文>",
            "<a\u{3000}href=x>",
        ] {
            let h = parse_document(src);
            assert!(h.tree.root().descendants().count() >= 1);
        }
    }
}
