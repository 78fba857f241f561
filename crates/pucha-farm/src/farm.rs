//! Generating a whole farm: plans → items → rendered, encoded pages → truth.

use std::collections::{BTreeMap, BTreeSet};

use bytes::Bytes;
use chrono::{Months, NaiveDate};
use pucha_core::rule_ids as r;
use pucha_core::Verdict;

use crate::items::{self, Item};
use crate::plan::{
    self, Availability, BodyEncoding, ColumnKind, FooterPart, SitePlan, Style, Window,
};
use crate::render::{self, PageRecord, Renderer, Role};
use crate::rng::Rng;
use crate::spec::FarmSpec;
use crate::truth::{ColumnTruth, DefectTruth, FarmTruth, SiteDetails, SiteTruth};

/// Byte that opens and closes a host/port marker in page bodies (`\x01<site>\x01`, `\x01P\x01`).
pub const HOST_MARK: u8 = 1;

/// One servable resource of a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// MIME type without parameters.
    pub content_type: &'static str,
    /// Bytes as generated: encoded in the site's body encoding, with host/port markers.
    pub body: Bytes,
    /// The body holds markers the server must fill in.
    pub marked: bool,
}

impl Page {
    fn new(content_type: &'static str, body: impl Into<Bytes>) -> Page {
        let body: Bytes = body.into();
        let marked = body.contains(&HOST_MARK);
        Page {
            content_type,
            body,
            marked,
        }
    }

    pub fn is_html(&self) -> bool {
        self.content_type == "text/html"
    }

    /// The body with markers replaced: site `i` → `hosts[i]`, `P` → `port`.
    pub fn fill(&self, hosts: &[String], port: u16) -> Bytes {
        if !self.marked {
            return self.body.clone();
        }
        Bytes::from(fill_markers(&self.body, hosts, port))
    }
}

/// Replaces `\x01<n>\x01` by `hosts[n]` and `\x01P\x01` by the port.
pub(crate) fn fill_markers(body: &[u8], hosts: &[String], port: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 64);
    let mut i = 0;
    while i < body.len() {
        // Copy up to the next marker in one go (memchr), not byte by byte.
        let next = memchr::memchr(HOST_MARK, &body[i..]).map_or(body.len(), |k| i + k);
        out.extend_from_slice(&body[i..next]);
        i = next;
        if i >= body.len() {
            break;
        }
        // `body[i]` is a mark: a token runs to the next one; an unpaired mark stays.
        if let Some(len) = memchr::memchr(HOST_MARK, &body[i + 1..]) {
            let token = &body[i + 1..i + 1 + len];
            if token == b"P" {
                out.extend_from_slice(port.to_string().as_bytes());
            } else if let Some(h) = std::str::from_utf8(token)
                .ok()
                .and_then(|t| t.parse::<usize>().ok())
                .and_then(|n| hosts.get(n))
            {
                out.extend_from_slice(h.as_bytes());
            }
            i += len + 2;
            continue;
        }
        out.push(HOST_MARK);
        i += 1;
    }
    out
}

fn fill_str(s: &str, hosts: &[String], port: u16) -> String {
    if !s.as_bytes().contains(&HOST_MARK) {
        return s.to_string();
    }
    String::from_utf8(fill_markers(s.as_bytes(), hosts, port)).expect("markers keep UTF-8")
}

/// One generated site.
#[derive(Debug, Clone)]
pub struct FarmSite {
    pub(crate) plan: SitePlan,
    /// Path (percent-decoded, with `?query` when the CMS uses one) → resource.
    pub(crate) pages: BTreeMap<String, Page>,
    pub(crate) not_found: Page,
    pub(crate) robots: Page,
    /// Truth with host markers in URLs.
    pub(crate) truth: SiteTruth,
}

impl FarmSite {
    pub fn name(&self) -> &str {
        &self.plan.name
    }

    pub fn availability(&self) -> Availability {
        self.plan.profile.availability
    }

    /// charset parameter of HTML responses.
    pub fn header_charset(&self) -> Option<&'static str> {
        self.plan.charset.header
    }

    pub fn gzip(&self) -> bool {
        self.plan.gzip
    }

    /// Resources by path, in path order.
    pub fn pages(&self) -> impl Iterator<Item = (&str, &Page)> {
        self.pages.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn page(&self, path: &str) -> Option<&Page> {
        self.pages.get(path)
    }

    pub fn robots(&self) -> &Page {
        &self.robots
    }

    pub fn not_found(&self) -> &Page {
        &self.not_found
    }

    pub fn site_code(&self) -> &str {
        &self.plan.site_code
    }

    pub fn sponsor(&self) -> &str {
        &self.plan.sponsor
    }

    pub fn category(&self) -> pucha_core::Category {
        self.plan.category
    }
}

/// A generated farm: every site's pages and truth. Pure and deterministic.
#[derive(Debug, Clone)]
pub struct Farm {
    pub spec: FarmSpec,
    pub sites: Vec<FarmSite>,
}

impl Farm {
    pub fn generate(spec: &FarmSpec) -> Farm {
        let plans = plan::plan_sites(spec);
        let root = Rng::new(spec.seed);
        let sites = plans
            .into_iter()
            .map(|p| {
                let mut rng = root.fork(9000 + p.index as u64);
                generate_site(p, spec, &mut rng)
            })
            .collect();
        Farm {
            spec: spec.clone(),
            sites,
        }
    }

    /// The truth with site `i` at `hosts[i]` (`ip:port`).
    pub fn truth_for(&self, hosts: &[String], port: u16) -> FarmTruth {
        let sites = self
            .sites
            .iter()
            .map(|s| {
                let mut t = s.truth.clone();
                t.url = fill_str(&t.url, hosts, port);
                for c in &mut t.details.columns {
                    c.url = fill_str(&c.url, hosts, port);
                }
                for d in &mut t.details.defects {
                    d.url = fill_str(&d.url, hosts, port);
                    d.target = d.target.as_deref().map(|x| fill_str(x, hosts, port));
                }
                t
            })
            .collect();
        FarmTruth {
            as_of: self.spec.as_of,
            sites,
        }
    }

    /// Total number of HTML pages.
    pub fn html_pages(&self) -> usize {
        self.sites
            .iter()
            .map(|s| s.pages.values().filter(|p| p.is_html()).count())
            .sum()
    }
}

fn encode(plan: &SitePlan, html: &str) -> Bytes {
    match plan.charset.body {
        BodyEncoding::Utf8 => Bytes::from(html.to_string()),
        BodyEncoding::Gbk => Bytes::from(encoding_rs::GBK.encode(html).0.into_owned()),
    }
}

/// The date T − window (calendar months clamp to the month end).
pub(crate) fn window_start(as_of: NaiveDate, w: Window) -> NaiveDate {
    match w {
        Window::Days(d) => items::days_before(as_of, d),
        Window::Months(m) => as_of
            .checked_sub_months(Months::new(m))
            .expect("date in range"),
    }
}

const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];
const TINY_GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

fn generate_site(plan: SitePlan, spec: &FarmSpec, rng: &mut Rng) -> FarmSite {
    let as_of = spec.as_of;
    let items = items::generate(&plan, as_of, &mut rng.fork(1));
    let pads = render::padding(&mut rng.fork(2), spec.padding_bytes);
    let rend = Renderer {
        plan: &plan,
        items: &items,
        as_of,
        pads,
    };
    let mut pages = BTreeMap::new();
    let mut records: Vec<PageRecord> = Vec::new();
    let mut homepage_newest = None;
    let up = plan.profile.availability != Availability::Refused;
    if up {
        let (home, rec, newest) = rend.home();
        homepage_newest = newest;
        pages.insert(
            "/".to_string(),
            Page::new("text/html", encode(&plan, &home)),
        );
        records.push(rec);
        for (ci, col_items) in items.iter().enumerate() {
            for (path, html, rec) in rend.column_pages(ci) {
                pages.insert(path, Page::new("text/html", encode(&plan, &html)));
                records.push(rec);
            }
            for k in 0..col_items.len() {
                let (path, html, rec) = rend.item_page(ci, k);
                pages.insert(path, Page::new("text/html", encode(&plan, &html)));
                records.push(rec);
            }
            if plan.columns[ci].kind == ColumnKind::Consult {
                let path = format!(
                    "/{}/{}/submit",
                    items::GROUP_SLUGS[3],
                    plan.columns[ci].slug
                );
                pages.insert(
                    path,
                    Page::new("text/plain", "请通过网页表单提交留言。".as_bytes().to_vec()),
                );
            }
        }
        for (path, html, rec) in rend.misc_pages() {
            pages.insert(path, Page::new("text/html", encode(&plan, &html)));
            records.push(rec);
        }
        for its in &items {
            for it in its {
                if let Some(a) = &it.attachment {
                    pages.insert(
                        a.clone(),
                        Page::new(
                            "application/pdf",
                            format!("%PDF-1.4\n% {}\n%%EOF\n", it.id).into_bytes(),
                        ),
                    );
                }
            }
        }
        for (path, ct, body) in [
            ("/css/style.css", "text/css", b"body{margin:0;font:14px/1.6 \"Microsoft YaHei\",sans-serif}a{color:#333;text-decoration:none}.w1200{width:1200px;margin:0 auto}\n".to_vec()),
            ("/js/jquery.min.js", "application/javascript", b"/*! jQuery stub for the pucha demo farm */\nwindow.$=window.jQuery=function(){return{hover:function(){},ready:function(){}}};\n".to_vec()),
            ("/module/visitcount/articlehits.jsp", "application/javascript", b"document.write('128');\n".to_vec()),
            ("/plus/count.php", "application/javascript", b"document.write('96');\n".to_vec()),
            ("/images/logo.png", "image/png", TINY_PNG.to_vec()),
            ("/images/banner.png", "image/png", TINY_PNG.to_vec()),
            ("/images/red.png", "image/png", TINY_PNG.to_vec()),
            ("/images/jiucuo.png", "image/png", TINY_PNG.to_vec()),
            ("/images/police.png", "image/png", TINY_PNG.to_vec()),
            ("/images/leader.png", "image/png", TINY_PNG.to_vec()),
            ("/images/search.png", "image/png", TINY_PNG.to_vec()),
            ("/images/dot.gif", "image/gif", TINY_GIF.to_vec()),
            ("/favicon.ico", "image/png", TINY_PNG.to_vec()),
        ] {
            pages.insert(path.to_string(), Page::new(ct, body));
        }
        // The families' own template assets (the demo styles' page sets stay as they were).
        match plan.style {
            Style::HanwebDatastore => {
                pages.insert(
                    "/module/web/jpage/jpage.js".to_string(),
                    Page::new(
                        "application/javascript",
                        b"/* jpage stub: pages a datastore on the client */\nfunction jpage(o){}\n"
                            .to_vec(),
                    ),
                );
            }
            Style::OldTable => {
                pages.insert(
                    "/images/arrow.gif".to_string(),
                    Page::new("image/gif", TINY_GIF.to_vec()),
                );
            }
            Style::ScriptList => {
                if let Some(ci) = rend.script_column() {
                    pages.insert(
                        format!("/api/list/{}.json", plan.columns[ci].id),
                        Page::new("application/json", rend.script_list_json(ci).into_bytes()),
                    );
                }
            }
            _ => {}
        }
    }
    let not_found = if spec.bare_404 {
        Page::new(
            "text/html",
            encode(
                &plan,
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404</title></head>\
                 <body><h1>404 Not Found</h1></body></html>",
            ),
        )
    } else {
        Page::new("text/html", encode(&plan, &rend.not_found()))
    };
    let robots = Page::new(
        "text/plain",
        match plan.robots_disallow {
            Some(p) => format!("User-agent: *\nDisallow: {p}\n"),
            None => "User-agent: *\nDisallow:\n".to_string(),
        }
        .into_bytes(),
    );
    let truth = site_truth(&plan, &items, &records, &pages, homepage_newest, as_of);
    FarmSite {
        plan,
        pages,
        not_found,
        robots,
        truth,
    }
}

fn url_of(plan: &SitePlan, path: &str) -> String {
    format!("http://{}{path}", render::host(plan.index))
}

fn site_truth(
    plan: &SitePlan,
    items: &[Vec<Item>],
    records: &[PageRecord],
    pages: &BTreeMap<String, Page>,
    homepage_newest: Option<NaiveDate>,
    as_of: NaiveDate,
) -> SiteTruth {
    let mut findings: BTreeMap<String, u32> = BTreeMap::new();
    let mut defects: Vec<DefectTruth> = Vec::new();
    let mut add = |rule: &str, url: String, target: Option<String>, detail: String| {
        *findings.entry(rule.to_string()).or_insert(0) += 1;
        defects.push(DefectTruth {
            rule: rule.to_string(),
            url,
            target,
            detail,
        });
    };
    let mut columns = Vec::new();
    let availability = plan.profile.availability;
    if availability != Availability::Up {
        add(
            r::VETO_SITE_UNREACHABLE,
            url_of(plan, "/"),
            None,
            match availability {
                Availability::Refused => "connection refused".to_string(),
                _ => "every 3rd homepage request answers 503".to_string(),
            },
        );
    }
    if availability != Availability::Refused {
        for (ci, c) in plan.columns.iter().enumerate() {
            let url = url_of(plan, &items::list_path(plan.style, c, 1));
            let newest = items[ci].iter().map(|it| it.date).max();
            let stale = c.blank.is_none()
                && c.kind.should_update()
                && newest.is_some_and(|d| d < window_start(as_of, c.kind.window()));
            let per = items::per_page(plan.style);
            columns.push(ColumnTruth {
                name: c.name.clone(),
                kind: format!("{:?}", c.kind).to_lowercase(),
                url: url.clone(),
                items: items[ci].len() as u32,
                list_pages: items[ci].len().div_ceil(per).max(1) as u32,
                newest,
                blank: c.blank.is_some(),
                stale,
                featured_on_homepage: c.featured,
            });
            if let Some(b) = c.blank {
                add(
                    r::VETO_BLANK_COLUMNS,
                    url.clone(),
                    None,
                    format!("blank column {} ({:?})", c.name, b),
                );
            }
            if stale {
                let nd = newest.map(|d| d.to_string()).unwrap_or_default();
                if matches!(
                    c.kind,
                    ColumnKind::News | ColumnKind::Notice | ColumnKind::Policy
                ) {
                    add(
                        r::VETO_KEY_COLUMNS_STALE,
                        url.clone(),
                        None,
                        format!("{} ({:?}) newest {nd}", c.name, c.kind),
                    );
                }
                // Key columns are should-update columns too (§3.10 list; rule pack default
                // `includes_key_columns = true`): they count here as well as above.
                add(
                    r::VETO_LONG_TERM_STALE_COLUMNS,
                    url.clone(),
                    None,
                    format!("{} ({:?}) newest {nd}", c.name, c.kind),
                );
                if c.kind == ColumnKind::Policy {
                    add(
                        r::DED_POLICY_DOCS_COLUMN_STALE,
                        url.clone(),
                        None,
                        format!("{} newest {nd}", c.name),
                    );
                }
                if c.kind == ColumnKind::News {
                    add(
                        r::DED_NEWS_COLUMNS,
                        url.clone(),
                        None,
                        format!("{} newest {nd}", c.name),
                    );
                }
            }
            if c.kind == ColumnKind::Interpretation {
                // Interpretation published within its 6-month window, each article linking to the
                // policy document it interprets.
                if c.blank.is_some() || stale {
                    add(
                        r::DED_POLICY_INTERPRETATION,
                        url.clone(),
                        None,
                        format!("{} blank or not updated in 6 months", c.name),
                    );
                }
                if plan.profile.interp_unlinked {
                    for it in &items[ci] {
                        add(
                            r::DED_POLICY_INTERPRETATION,
                            url_of(plan, &it.path),
                            None,
                            "interpretation without a link to its policy document".into(),
                        );
                    }
                }
            }
            if c.kind == ColumnKind::Survey
                && !items[ci].is_empty()
                && plan.profile.survey_no_feedback
            {
                add(
                    r::DED_SURVEY_FEEDBACK,
                    url.clone(),
                    None,
                    format!("{} lists surveys without result feedback", c.name),
                );
            }
            if c.kind == ColumnKind::Interview
                && newest.is_none_or(|d| d < window_start(as_of, Window::Months(12)))
            {
                add(
                    r::DED_ONLINE_INTERVIEW,
                    url.clone(),
                    None,
                    format!("newest interview {newest:?}, older than 12 months"),
                );
            }
            if c.kind == ColumnKind::Consult && plan.profile.no_message_stats {
                add(
                    r::DED_MESSAGE_STATS,
                    url.clone(),
                    None,
                    "no message-handling statistics published".into(),
                );
            }
            if c.kind == ColumnKind::Consult {
                let three = window_start(as_of, Window::Months(3));
                let year = window_start(as_of, Window::Months(12));
                let mut newest_reply = None;
                for it in &items[ci] {
                    let m = it.message.as_ref().expect("consult items are messages");
                    newest_reply = newest_reply.max(m.answered);
                    if m.answered.is_none() && it.date < three && it.date >= year {
                        add(
                            r::VETO_CONSULTATION_UNANSWERED,
                            url_of(plan, &it.path),
                            None,
                            format!("message of {} unanswered", it.date),
                        );
                    }
                }
                if newest_reply.is_none_or(|d| d < window_start(as_of, Window::Months(2))) {
                    add(
                        r::DED_MESSAGE_PUBLICATION_STALE,
                        url.clone(),
                        None,
                        "no reply published in 2 months".into(),
                    );
                }
            }
            for it in &items[ci] {
                if let Some((wrong, correct)) = it.wording {
                    add(
                        r::VETO_SERIOUS_WORDING_ERROR,
                        url_of(plan, &it.path),
                        None,
                        format!("{wrong} (should be {correct})"),
                    );
                }
                if let Some(b) = &it.broken {
                    let target = if b.target.starts_with("http") {
                        b.target.clone()
                    } else {
                        url_of(plan, &b.target)
                    };
                    add(
                        r::DED_BROKEN_LINKS_OTHER,
                        url_of(plan, &it.path),
                        Some(target),
                        b.kind.to_string(),
                    );
                }
                if let Some(g) = &it.guide {
                    if !g.missing.is_empty() {
                        add(
                            r::DED_SERVICE_GUIDE_QUALITY,
                            url_of(plan, &it.path),
                            None,
                            format!("missing {}", g.missing.join("、")),
                        );
                    }
                }
            }
        }
        if !plan.columns.iter().any(|c| c.kind == ColumnKind::Interview) {
            add(
                r::DED_ONLINE_INTERVIEW,
                url_of(plan, "/"),
                None,
                "no 在线访谈 column or entry".into(),
            );
        }
        if plan.profile.overview_incomplete {
            add(
                r::DED_OVERVIEW_INFO,
                url_of(plan, render::STATIC_PAGES[0].0),
                None,
                "机构职能 page without 联系方式".into(),
            );
        }
        if plan.profile.hidden_spam_link {
            for rule in [r::VETO_PROHIBITED_CONTENT, r::VETO_SECURITY_INCIDENT] {
                add(
                    rule,
                    url_of(plan, "/"),
                    Some(render::SPAM_URL.to_string()),
                    "hidden gambling link in the footer of every page".into(),
                );
            }
        }
        // Served on an IPv4 literal: no AAAA record.
        add(
            r::DED_IPV6,
            url_of(plan, "/"),
            None,
            "served on an IPv4 address: no AAAA record".into(),
        );
        if homepage_newest.is_none_or(|d| d < window_start(as_of, Window::Days(14))) {
            add(
                r::VETO_HOMEPAGE_NOT_UPDATED,
                url_of(plan, "/"),
                None,
                format!("newest homepage item {homepage_newest:?}"),
            );
        }
        for b in 0..plan.profile.broken_home as usize {
            let target = match b % 3 {
                0 => url_of(plan, &format!("/zt/{}zt/index.html", 2019 + b)),
                1 => url_of(plan, &format!("/images/ad_{b}.jpg")),
                _ => format!(
                    "http://127.0.9.{}:{}/",
                    1 + (plan.index * 7 + b) % 250,
                    render::PORT
                ),
            };
            add(
                r::DED_BROKEN_LINKS_HOMEPAGE,
                url_of(plan, "/"),
                Some(target),
                ["internal_404", "image_404", "external_refused"][b % 3].into(),
            );
        }
        let missing: BTreeSet<FooterPart> = plan.profile.footer_missing.iter().copied().collect();
        for f in &missing {
            add(
                f.rule(),
                url_of(plan, "/"),
                None,
                format!("footer lacks {f:?}"),
            );
        }
        if missing.contains(&FooterPart::Jiucuo) {
            add(
                r::DED_JIUCUO_ENTRY,
                url_of(plan, "/"),
                None,
                "no 我为政府网站找错 entry".into(),
            );
        }
        for rec in records {
            let u = url_of(plan, &rec.path);
            if rec.missing_site_tags {
                add(
                    r::NORM_META_SITE_TAGS,
                    u.clone(),
                    None,
                    "SiteIDCode missing".into(),
                );
            }
            if rec.missing_column_tags {
                add(
                    r::NORM_META_COLUMN_TAGS,
                    u.clone(),
                    None,
                    "ColumnDescription, ColumnKeywords missing".into(),
                );
            }
            if rec.missing_content_tags {
                add(
                    r::NORM_META_CONTENT_TAGS,
                    u.clone(),
                    None,
                    "ContentSource missing".into(),
                );
            }
            if rec.bad_pubdate {
                add(
                    r::NORM_META_PUBDATE_FORMAT,
                    u.clone(),
                    None,
                    "PubDate not YYYY-MM-DD HH:MM".into(),
                );
            }
            if rec.null_column_type {
                add(
                    r::NORM_META_COLUMNTYPE_VOCAB,
                    u.clone(),
                    None,
                    "ColumnType=null".into(),
                );
            }
            if rec.siteid_mismatch {
                add(
                    r::NORM_META_SITEIDCODE_CONSISTENCY,
                    u.clone(),
                    None,
                    "SiteIDCode meta differs from the footer code".into(),
                );
            }
            debug_assert!(rec.role != Role::Home || !rec.missing_column_tags);
        }
    }
    let count = |rule: &str| findings.get(rule).copied().unwrap_or(0);
    let veto_holds = |rule: &str| match rule {
        r::VETO_BLANK_COLUMNS | r::VETO_KEY_COLUMNS_STALE => count(rule) >= 5,
        r::VETO_LONG_TERM_STALE_COLUMNS => count(rule) >= 10,
        r::VETO_SERVICE_GUIDE_ELEMENTS_MISSING => false,
        _ => count(rule) >= 1,
    };
    let vetoes: Vec<String> = r::ALL
        .iter()
        .filter(|i| i.severity == pucha_core::Severity::Veto && veto_holds(i.id))
        .map(|i| i.id.to_string())
        .collect();
    let verdict = if vetoes.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    SiteTruth {
        name: plan.name.clone(),
        url: url_of(plan, "/"),
        category: plan.category,
        verdict,
        vetoes,
        findings,
        details: SiteDetails {
            site_code: plan.site_code.clone(),
            sponsor: plan.sponsor.clone(),
            style: plan.style.key().to_string(),
            body_encoding: match plan.charset.body {
                BodyEncoding::Utf8 => "utf8".into(),
                BodyEncoding::Gbk => "gbk".into(),
            },
            header_charset: plan.charset.header.map(str::to_string),
            meta_charset: plan.charset.meta.map(str::to_string),
            availability: format!("{availability:?}").to_lowercase(),
            gzip: plan.gzip,
            robots_disallow: plan.robots_disallow.map(str::to_string),
            pages: pages.values().filter(|p| p.is_html()).count() as u32,
            homepage_newest,
            columns,
            defects,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_markers_replaces_hosts_and_port_and_keeps_an_unpaired_mark() {
        let hosts = ["127.0.10.1:8080".to_string(), "127.0.10.2:8080".to_string()];
        let fill = |s: &str| String::from_utf8(fill_markers(s.as_bytes(), &hosts, 8080)).unwrap();
        assert_eq!(fill("http://\u{1}1\u{1}/a"), "http://127.0.10.2:8080/a");
        assert_eq!(
            fill("\u{1}0\u{1}\u{1}1\u{1}"),
            "127.0.10.1:8080127.0.10.2:8080"
        );
        assert_eq!(fill("port \u{1}P\u{1}."), "port 8080.");
        // An index with no host drops the token; a lone mark is copied.
        assert_eq!(fill("a\u{1}9\u{1}b"), "ab");
        assert_eq!(fill("a\u{1}b"), "a\u{1}b");
        assert_eq!(fill("无标记的文本"), "无标记的文本");
    }
}
