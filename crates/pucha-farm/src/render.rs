//! HTML rendering in five CMS styles.
//!
//! Pages are written as UTF-8 strings with markers for the host and port (the
//! server fills them in, see [`crate::farm::HOST_MARK`]) and then encoded in the
//! site's body encoding. Each rendered page also yields a [`PageRecord`] of the
//! page-tag defects it carries, from which the truth counts are taken.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

use crate::items::{list_path, per_page, Item, GROUP_SLUGS};
use crate::names;
use crate::plan::{BlankVariant, ColumnKind, FooterPart, MetaDefect, SitePlan, Style};
use crate::rng::Rng;

/// The role of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Home,
    List,
    Content,
    Misc,
}

/// Page-tag facts of one rendered page.
#[derive(Debug, Clone)]
pub(crate) struct PageRecord {
    pub path: String,
    pub role: Role,
    pub missing_site_tags: bool,
    pub missing_column_tags: bool,
    pub missing_content_tags: bool,
    pub bad_pubdate: bool,
    pub null_column_type: bool,
    pub siteid_mismatch: bool,
}

impl PageRecord {
    /// A page with no meta-tag defect.
    fn new(path: &str, role: Role) -> PageRecord {
        PageRecord {
            path: path.to_string(),
            role,
            missing_site_tags: false,
            missing_column_tags: false,
            missing_content_tags: false,
            bad_pubdate: false,
            null_column_type: false,
            siteid_mismatch: false,
        }
    }
}

/// The marker the server replaces with `ip:port` of site `i`.
pub(crate) fn host(i: usize) -> String {
    format!("\u{1}{i}\u{1}")
}

/// The marker the server replaces with the farm's port.
pub(crate) const PORT: &str = "\u{1}P\u{1}";

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(crate) struct Renderer<'a> {
    pub plan: &'a SitePlan,
    pub items: &'a [Vec<Item>],
    pub as_of: NaiveDate,
    /// (css, js) padding blocks, picked per page.
    pub pads: Vec<(String, String)>,
}

/// A navigation group: name, link to its first column, children (name, link).
type NavGroup = (String, String, Vec<(String, String)>);

/// Paths of the fixed pages.
pub(crate) const SITEMAP: &str = "/sitemap.html";
pub(crate) const SEARCH: &str = "/search/index.html";
pub(crate) const STATIC_PAGES: [(&str, &str, &str); 3] = [
    ("/about/jgzn.html", "机构职能", "机构职能"),
    ("/about/ldxx.html", "领导信息", "负责人信息"),
    ("/about/lxwm.html", "联系我们", "概况信息"),
];
/// Target of the hidden gambling link (a reserved `.example` name: never resolved).
pub(crate) const SPAM_URL: &str = "http://www.am-dc888.example/";
/// The message-handling statistics of the consultation column (受理反馈情况统计).
pub(crate) const STATS_PAGE: &str = "/hdjl/lytj.html";
pub(crate) const TOPIC_PAGE: &str = "/zt/学习贯彻党的二十届四中全会精神专题.html";

/// Builds padding blocks that imitate template CSS and scripts.
pub(crate) fn padding(rng: &mut Rng, bytes: usize) -> Vec<(String, String)> {
    let props = [
        "float:left",
        "overflow:hidden",
        "text-overflow:ellipsis",
        "white-space:nowrap",
        "line-height:36px",
        "font-size:14px",
        "color:#333",
        "background:#f5f5f5",
        "border-bottom:1px dashed #ddd",
        "padding:0 15px",
        "margin:0 auto",
        "width:1200px",
        "cursor:pointer",
        "color:#b40000",
        "display:block",
        "position:relative",
    ];
    let words = [
        "nav", "list", "news", "tab", "item", "banner", "box", "txt", "con", "hd", "bd", "slide",
        "focus",
    ];
    (0..3)
        .map(|_| {
            let mut css = String::new();
            while css.len() < bytes / 2 {
                let _ = write!(css, ".{}-{}{} {}{{", rng.pick(&words), rng.pick(&words), rng.range(1, 99), rng.pick(&["li", "a", "p", "span", "div", "li a"]));
                for _ in 0..rng.range(2, 6) {
                    let _ = write!(css, "{};", rng.pick(&props));
                }
                css.push_str("}\n");
            }
            let mut js = String::new();
            while js.len() < bytes / 2 {
                let a = rng.pick(&words);
                let b = rng.pick(&words);
                let n = rng.range(1, 99);
                let _ = writeln!(
                    js,
                    "$(function(){{$(\".{a}-{b}{n} li\").hover(function(){{$(this).addClass(\"on\").siblings().removeClass(\"on\");$(\".{a}-con{n}\").eq($(this).index()).show().siblings().hide();}});}});"
                );
                let _ = writeln!(js, "var {a}{b}{n}={{speed:{},auto:{},delay:{}}};", rng.range(200, 800), rng.chance(50), rng.range(2000, 6000));
            }
            (css, js)
        })
        .collect()
}

impl Renderer<'_> {
    /// The templates the site shares with its base style (see [`Style::base`]).
    fn style(&self) -> Style {
        self.plan.style.base()
    }

    /// The site's own family: lists, pager and list size.
    fn family(&self) -> Style {
        self.plan.style
    }

    fn me(&self) -> String {
        host(self.plan.index)
    }

    /// A link from page `from` to site path `to`, written the way the style's CMS writes it.
    pub(crate) fn href(&self, from: &str, to: &str) -> String {
        let raw = match self.style() {
            Style::Jcms => format!("http://{}{to}", self.me()),
            Style::Trs if !to.contains('?') => relative(from, to),
            _ => to.to_string(),
        };
        raw.replace('&', "&amp;")
    }

    fn date_list(&self, d: NaiveDate) -> String {
        match self.style() {
            Style::Modern => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
            _ => d.format("%Y-%m-%d").to_string(),
        }
    }

    // ---------------------------------------------------------------- head

    fn head(&self, title: &str, meta: &str, pad: usize) -> String {
        let p = self.plan;
        let mut h = String::with_capacity(4096);
        h.push_str("<!DOCTYPE html>\n");
        h.push_str(if self.style() == Style::Jcms {
            "<html xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
        } else {
            "<html lang=\"zh-CN\">\n<head>\n"
        });
        match (p.charset.meta, self.style()) {
            (Some(cs), Style::Modern | Style::Hanweb) => {
                let _ = writeln!(h, "<meta charset=\"{cs}\">");
            }
            (Some(cs), _) => {
                let _ = writeln!(
                    h,
                    "<meta http-equiv=\"Content-Type\" content=\"text/html; charset={cs}\">"
                );
            }
            (None, _) => {}
        }
        h.push_str("<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">\n");
        if self.style() == Style::Modern {
            h.push_str(
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
            );
        }
        let _ = writeln!(h, "<title>{}</title>", esc(title));
        h.push_str(meta);
        let _ = writeln!(
            h,
            "<meta name=\"keywords\" content=\"{},{}\">",
            esc(&p.name),
            names::CITY
        );
        let _ = writeln!(
            h,
            "<meta name=\"description\" content=\"{}门户网站\">",
            esc(&p.name)
        );
        h.push_str("<link rel=\"stylesheet\" type=\"text/css\" href=\"/css/style.css\">\n");
        h.push_str("<script type=\"text/javascript\" src=\"/js/jquery.min.js\"></script>\n");
        let (css, _) = &self.pads[pad % self.pads.len()];
        let _ = writeln!(h, "<style type=\"text/css\">\n{css}</style>\n</head>");
        h
    }

    /// Meta tags for a page, with the injected defects; returns the tags and the record.
    fn metas(
        &self,
        path: &str,
        role: Role,
        column: Option<usize>,
        item: Option<&Item>,
    ) -> (String, PageRecord) {
        let p = self.plan;
        let mut rec = PageRecord::new(path, role);
        let has = |d: &dyn Fn(&MetaDefect) -> bool| p.meta_defects.iter().any(d);
        let mut m = String::new();
        let _ = writeln!(m, "<meta name=\"SiteName\" content=\"{}\">", esc(&p.name));
        let _ = writeln!(m, "<meta name=\"SiteDomain\" content=\"{}\">", self.me());
        let no_code = role == Role::Content
            && column.is_some_and(|c| has(&|d| *d == MetaDefect::NoSiteIdCode { column: c }));
        if no_code {
            rec.missing_site_tags = true;
        } else if role == Role::Home && has(&|d| *d == MetaDefect::HomepageSiteIdMismatch) {
            let mut code: Vec<char> = p.site_code.chars().collect();
            let n = code.len();
            code.swap(n - 1, n - 2);
            if code.iter().collect::<String>() == p.site_code {
                code[n - 1] = if code[n - 1] == '9' { '8' } else { '9' };
            }
            let _ = writeln!(
                m,
                "<meta name=\"SiteIDCode\" content=\"{}\">",
                code.iter().collect::<String>()
            );
            rec.siteid_mismatch = true;
        } else {
            let _ = writeln!(m, "<meta name=\"SiteIDCode\" content=\"{}\">", p.site_code);
        }
        if let Some(c) = column {
            let col = &p.columns[c];
            let _ = writeln!(
                m,
                "<meta name=\"ColumnName\" content=\"{}\">",
                esc(&col.name)
            );
            if has(&|d| *d == MetaDefect::NoColumnTags { column: c }) {
                rec.missing_column_tags = true;
            } else {
                let _ = writeln!(
                    m,
                    "<meta name=\"ColumnDescription\" content=\"{}{}栏目，发布{}相关信息\">",
                    esc(&p.name),
                    esc(&col.name),
                    esc(&col.name)
                );
            }
            let _ = writeln!(
                m,
                "<meta name=\"ColumnKeywords\" content=\"{},{}\">",
                esc(&col.name),
                names::CITY_SHORT
            );
            if has(&|d| *d == MetaDefect::NullColumnType { column: c }) {
                m.push_str("<meta name=\"ColumnType\" content=\"null\">\n");
                rec.null_column_type = true;
            } else {
                let _ = writeln!(
                    m,
                    "<meta name=\"ColumnType\" content=\"{}\">",
                    col.kind.column_type()
                );
            }
        }
        if let Some(it) = item {
            let _ = writeln!(
                m,
                "<meta name=\"ArticleTitle\" content=\"{}\">",
                esc(&it.title)
            );
            match &it.bad_pubdate {
                Some(bad) => {
                    let _ = writeln!(m, "<meta name=\"PubDate\" content=\"{bad}\">");
                    rec.bad_pubdate = true;
                }
                None => {
                    let _ = writeln!(
                        m,
                        "<meta name=\"PubDate\" content=\"{} {:02}:{:02}\">",
                        it.date.format("%Y-%m-%d"),
                        it.hm.0,
                        it.hm.1
                    );
                }
            }
            if it.no_source {
                rec.missing_content_tags = true;
            } else {
                let _ = writeln!(
                    m,
                    "<meta name=\"ContentSource\" content=\"{}\">",
                    esc(&it.source)
                );
            }
        }
        (m, rec)
    }

    // ---------------------------------------------------------------- chrome

    fn header(&self, from: &str) -> String {
        let p = self.plan;
        let mut h = String::new();
        let home = self.href(from, "/");
        let search = self.href(from, SEARCH);
        match self.style() {
            Style::Trs | Style::TrsWcm => {
                let _ = writeln!(h, "<div class=\"top\"><div class=\"w1200\"><span id=\"nowdate\"></span><a href=\"javascript:void(0)\" onclick=\"aria.start()\">无障碍浏览</a> | <a href=\"javascript:void(0)\">长者模式</a></div></div>\n<div class=\"header\"><div class=\"w1200\"><a href=\"{home}\" class=\"logo\"><img src=\"/images/logo.png\" alt=\"{}\"></a><div class=\"search\"><form action=\"{search}\" method=\"get\" name=\"searchform\"><input type=\"text\" name=\"searchword\" placeholder=\"请输入关键字\"><input type=\"submit\" value=\"搜索\"></form></div></div></div>", esc(&p.name));
            }
            Style::Jcms | Style::HanwebDatastore => {
                let _ = writeln!(h, "<table width=\"1000\" border=\"0\" align=\"center\" cellpadding=\"0\" cellspacing=\"0\"><tr><td class=\"top_bg\"><a href=\"{home}\"><img src=\"/images/logo.png\" width=\"500\" height=\"90\" alt=\"{}\" border=\"0\"></a></td><td align=\"right\"><form action=\"{search}\" method=\"get\"><input name=\"q\" class=\"inp\"><input type=\"image\" src=\"/images/search.png\"></form></td></tr></table>", esc(&p.name));
            }
            Style::Dede | Style::OldTable => {
                let _ = writeln!(h, "<div class=\"header\"><div class=\"top\"><script>document.write(new Date().toLocaleDateString());</script></div><div class=\"logo\"><a href=\"{home}\"><img src=\"/images/logo.png\"></a><h1>{}</h1></div><div class=\"search\"><form name=\"formsearch\" action=\"{search}\"><input type=\"text\" name=\"q\" class=\"search-keyword\"><button type=\"submit\">搜索</button></form></div></div>", esc(&p.name));
            }
            Style::Hanweb => {
                let _ = writeln!(h, "<div class=\"hw-top\"><div class=\"hw-w\"><span class=\"hw-welcome\">欢迎访问{}</span><a href=\"javascript:;\" id=\"jsq\">适老化服务</a></div></div>\n<div class=\"hw-head\"><div class=\"hw-w\"><a class=\"hw-logo\" href=\"{home}\" title=\"{}\"><img src=\"/images/logo.png\"></a><div class=\"hw-search\"><form action=\"{search}\"><input type=\"text\" name=\"keyword\" title=\"站内搜索\"><a href=\"javascript:;\" class=\"hw-btn\">搜索</a></form></div></div></div>", esc(&p.name), esc(&p.name));
            }
            Style::Modern | Style::ScriptList => {
                let _ = writeln!(h, "<header class=\"site-header\"><div class=\"container d-flex justify-content-between align-items-center\"><a class=\"brand\" href=\"{home}\"><img src=\"/images/logo.png\" alt=\"\"><span class=\"brand-name\">{}</span></a><form class=\"search-box\" action=\"{search}\" role=\"search\"><input type=\"search\" name=\"q\" aria-label=\"站内搜索\"><button type=\"submit\" class=\"btn\">搜索</button></form></div></header>", esc(&p.name));
            }
        }
        h.push_str(&self.nav(from));
        h
    }

    fn first_column_of_group(&self, g: usize) -> Option<usize> {
        self.plan.columns.iter().position(|c| c.group == g)
    }

    fn nav(&self, from: &str) -> String {
        let p = self.plan;
        let mut n = String::new();
        let home = self.href(from, "/");
        let groups: Vec<NavGroup> = p
            .groups
            .iter()
            .enumerate()
            .filter_map(|(g, name)| {
                let first = self.first_column_of_group(g)?;
                let children = p
                    .columns
                    .iter()
                    .filter(|c| c.group == g)
                    .map(|c| {
                        (
                            c.name.clone(),
                            self.href(from, &list_path(self.style(), c, 1)),
                        )
                    })
                    .collect();
                Some((
                    name.clone(),
                    self.href(from, &list_path(self.style(), &p.columns[first], 1)),
                    children,
                ))
            })
            .collect();
        let about = self.href(from, STATIC_PAGES[0].0);
        let about_name = match p.category {
            pucha_core::Category::CityPortal | pucha_core::Category::CountyPortal => {
                format!("走进{}", p.name.replace("人民政府", ""))
            }
            _ => "机构概况".to_string(),
        };
        match self.style() {
            Style::Trs | Style::Dede | Style::TrsWcm | Style::OldTable => {
                let cls = if self.style() == Style::Trs {
                    "nav"
                } else {
                    "navMenu"
                };
                let _ = writeln!(
                    n,
                    "<div class=\"{cls}\"><ul>\n<li class=\"on\"><a href=\"{home}\">首页</a></li>"
                );
                for (name, first, children) in &groups {
                    let _ = write!(
                        n,
                        "<li><a href=\"{first}\">{name}</a><div class=\"subnav\">"
                    );
                    for (c, h) in children {
                        let _ = write!(n, "<a href=\"{h}\">{c}</a>");
                    }
                    n.push_str("</div></li>\n");
                }
                let _ = writeln!(
                    n,
                    "<li><a href=\"{about}\">{about_name}</a></li>\n</ul></div>"
                );
            }
            Style::Jcms | Style::HanwebDatastore => {
                let _ = write!(n, "<table width=\"1000\" align=\"center\" class=\"nav\"><tr><td><a href=\"{home}\">首页</a></td>");
                for (name, first, _) in &groups {
                    let _ = write!(n, "<td><a href=\"{first}\">{name}</a></td>");
                }
                let _ = writeln!(
                    n,
                    "<td><a href=\"{about}\">{about_name}</a></td></tr></table>"
                );
            }
            Style::Hanweb => {
                let _ = write!(n, "<div class=\"hw-nav\"><div class=\"hw-w\"><a href=\"{home}\" title=\"首页\">首页</a>");
                for (name, first, _) in &groups {
                    let _ = write!(n, "<a href=\"{first}\" title=\"{name}\">{name}</a>");
                }
                let _ = writeln!(
                    n,
                    "<a href=\"{about}\" title=\"{about_name}\">{about_name}</a></div></div>"
                );
            }
            Style::Modern | Style::ScriptList => {
                let _ = write!(n, "<nav class=\"main-nav\"><div class=\"container nav-flex\"><a class=\"nav-link active\" href=\"{home}\">首页</a>");
                for (name, first, children) in &groups {
                    let _ = write!(n, "<div class=\"nav-item dropdown\"><a class=\"nav-link\" href=\"{first}\">{name}</a><div class=\"dropdown-menu\">");
                    for (c, h) in children {
                        let _ = write!(n, "<a class=\"dropdown-item\" href=\"{h}\">{c}</a>");
                    }
                    n.push_str("</div></div>");
                }
                let _ = writeln!(
                    n,
                    "<a class=\"nav-link\" href=\"{about}\">{about_name}</a></div></nav>"
                );
            }
        }
        n
    }

    fn footer(&self, from: &str, pad: usize) -> String {
        let p = self.plan;
        let missing = |f: FooterPart| p.profile.footer_missing.contains(&f);
        let mut items: Vec<String> = Vec::new();
        // A site without contact details has no 联系我们 link either, so no reading can find one.
        let mut links = Vec::new();
        if !missing(FooterPart::SponsorContact) {
            links.push(format!(
                "<a href=\"{}\">联系我们</a>",
                self.href(from, STATIC_PAGES[2].0)
            ));
        }
        if !missing(FooterPart::Sitemap) {
            links.insert(
                0,
                format!("<a href=\"{}\">网站地图</a>", self.href(from, SITEMAP)),
            );
        }
        items.push(links.join(" | "));
        if missing(FooterPart::SponsorContact) {
            items.push(format!("主办单位：{}", esc(&p.sponsor)));
        } else {
            items.push(format!(
                "主办单位：{}　联系电话：{}　地址：{}{}{}号",
                esc(&p.sponsor),
                p.phone,
                names::CITY,
                names::PLACES[p.index % names::PLACES.len()],
                10 + p.index
            ));
        }
        if p.profile.hidden_spam_link {
            // A 暗链 injected into the template: hidden, leaving the site, gambling words.
            items.push(format!(
                "<span style=\"display:none\"><a href=\"{SPAM_URL}\" target=\"_blank\">澳门博彩-真人娱乐</a></span>"
            ));
        }
        let mut ids = Vec::new();
        if !missing(FooterPart::SiteIdCode) {
            ids.push(format!("网站标识码：{}", p.site_code));
        }
        if !missing(FooterPart::Icp) {
            ids.push(format!(
                "<a href=\"https://beian.miit.gov.cn/\" target=\"_blank\">{}</a>",
                p.icp
            ));
        }
        if !missing(FooterPart::PsbRecord) {
            let code: String = p.psb.chars().filter(char::is_ascii_digit).collect();
            ids.push(format!("<a href=\"http://www.beian.gov.cn/portal/registerSystemInfo?recordcode={code}\" target=\"_blank\"><img src=\"/images/police.png\" alt=\"\">{}</a>", p.psb));
        }
        items.push(ids.join("　"));
        let mut badges = Vec::new();
        if !missing(FooterPart::ConacBadge) {
            badges.push(format!("<span id=\"_ideConac\"><a href=\"https://bszs.conac.cn/sitename?method=show&amp;id={}\" target=\"_blank\"><img src=\"/images/red.png\" alt=\"党政机关\" width=\"47\" height=\"59\"></a></span>", p.conac_id));
        }
        if !missing(FooterPart::Jiucuo) {
            badges.push(if self.style() == Style::Modern {
                format!("<span id=\"_span_jiucuo\"><script id=\"_jiucuo_\" sitecode=\"{}\" src=\"https://zfwzgl.www.gov.cn/exposure/jiucuo.js\"></script></span>", p.site_code)
            } else {
                format!("<a href=\"https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={}\" target=\"_blank\"><img src=\"/images/jiucuo.png\" alt=\"我为政府网站找错\" title=\"我为政府网站找错\"></a>", p.site_code)
            });
        }
        let (_, js) = &self.pads[pad % self.pads.len()];
        let mut f = String::new();
        match self.style() {
            Style::Jcms => {
                f.push_str("<table width=\"1000\" align=\"center\" class=\"footer\"><tr><td width=\"120\">");
                f.push_str(&badges.first().cloned().unwrap_or_default());
                f.push_str("</td><td align=\"center\">");
                for i in &items {
                    let _ = write!(f, "<p>{i}</p>");
                }
                f.push_str("</td><td width=\"120\">");
                f.push_str(&badges.get(1).cloned().unwrap_or_default());
                f.push_str("</td></tr></table>\n");
            }
            Style::Modern => {
                f.push_str("<footer class=\"site-footer\"><div class=\"container footer-flex\"><div class=\"badges\">");
                f.push_str(&badges.concat());
                f.push_str("</div><div class=\"footer-info\">");
                for i in &items {
                    let _ = write!(f, "<p>{i}</p>");
                }
                f.push_str("</div></div></footer>\n");
            }
            _ => {
                let cls = match self.style() {
                    Style::Hanweb => "hw-foot",
                    Style::Dede => "footer",
                    _ => "bottom",
                };
                let _ = write!(f, "<div class=\"{cls}\"><div class=\"w1200\"><div class=\"bt-left\">{}</div><div class=\"bt-mid\">", badges.first().cloned().unwrap_or_default());
                for i in &items {
                    let _ = write!(f, "<p>{i}</p>");
                }
                let _ = writeln!(
                    f,
                    "</div><div class=\"bt-right\">{}</div></div></div>",
                    badges.get(1).cloned().unwrap_or_default()
                );
            }
        }
        let _ = writeln!(
            f,
            "<script type=\"text/javascript\">\n{js}</script>\n</body>\n</html>"
        );
        f
    }

    fn page(&self, path: &str, title: &str, metas: &str, main: &str, pad: usize) -> String {
        let mut s = self.head(title, metas, pad);
        s.push_str("<body>\n");
        s.push_str(&self.header(path));
        s.push_str(main);
        s.push_str(&self.footer(path, pad));
        s
    }

    fn breadcrumb(&self, from: &str, col: usize) -> String {
        let c = &self.plan.columns[col];
        let group = &self.plan.groups[c.group];
        let first = self.first_column_of_group(c.group).unwrap_or(col);
        format!(
            "<div class=\"position\">当前位置：<a href=\"{}\">首页</a> &gt; <a href=\"{}\">{}</a> &gt; <a href=\"{}\">{}</a></div>\n",
            self.href(from, "/"),
            self.href(from, &list_path(self.style(), &self.plan.columns[first], 1)),
            group,
            self.href(from, &list_path(self.style(), c, 1)),
            c.name
        )
    }

    // ---------------------------------------------------------------- lists

    /// A list of dated items. `short_dates` writes `[MM-DD]` (Hanweb homepages).
    fn list(&self, from: &str, items: &[&Item], short_dates: bool) -> String {
        match self.family() {
            Style::TrsWcm => return self.list_trs_wcm(from, items),
            Style::OldTable => return self.list_old_table(from, items),
            _ => {}
        }
        let mut s = String::new();
        let st = self.style();
        match st {
            Style::Trs | Style::TrsWcm => s.push_str("<ul class=\"list\">\n"),
            Style::Jcms | Style::HanwebDatastore => s.push_str("<table width=\"100%\" border=\"0\" cellspacing=\"0\" cellpadding=\"0\" class=\"tb_list\">\n"),
            Style::Dede | Style::OldTable => s.push_str("<dl class=\"list_dl\">\n"),
            Style::Hanweb => s.push_str("<div class=\"default_pgContainer\">\n"),
            Style::Modern | Style::ScriptList => s.push_str("<div class=\"news-list\">\n"),
        }
        for it in items {
            let h = self.href(from, &it.path);
            let t = esc(&it.title);
            let d = self.date_list(it.date);
            match st {
                Style::Trs | Style::TrsWcm => {
                    let _ = writeln!(s, "<li><a href=\"{h}\" target=\"_blank\" title=\"{t}\">{t}</a><span>{d}</span></li>");
                }
                Style::Jcms | Style::HanwebDatastore => {
                    let _ = writeln!(s, "<tr><td class=\"bt\" height=\"30\"><img src=\"/images/dot.gif\" border=\"0\"> <a href=\"{h}\" target=\"_blank\" title=\"{t}\">{t}</a></td><td class=\"rq\" width=\"90\" align=\"right\">{d}</td></tr>");
                }
                Style::Dede | Style::OldTable => {
                    let _ = writeln!(
                        s,
                        "<dd><a href=\"{h}\" target=\"_blank\">{t}</a><em>{}</em></dd>",
                        if short_dates { format!("[{d}]") } else { d }
                    );
                }
                Style::Hanweb => {
                    let shown: String = if it.title.chars().count() > 24 {
                        format!("{}…", it.title.chars().take(23).collect::<String>())
                    } else {
                        it.title.clone()
                    };
                    let date = if short_dates {
                        it.date.format("[%m-%d]").to_string()
                    } else {
                        d
                    };
                    let _ = writeln!(s, "<div class=\"list-item\"><a href=\"{h}\" target=\"_blank\" title=\"{t}\">{}</a><span class=\"time\">{date}</span></div>", esc(&shown));
                }
                Style::Modern | Style::ScriptList => {
                    let summary: String = it
                        .paragraphs
                        .first()
                        .map(|p| p.chars().take(40).collect())
                        .unwrap_or_default();
                    let _ = writeln!(s, "<div class=\"news-item\"><a href=\"{h}\"><h4>{t}</h4><p class=\"summary\">{}</p></a><time datetime=\"{}\">{d}</time></div>", esc(&summary), it.date.format("%Y-%m-%d"));
                }
            }
        }
        match st {
            Style::Trs | Style::TrsWcm => s.push_str("</ul>\n"),
            Style::Jcms | Style::HanwebDatastore => s.push_str("</table>\n"),
            Style::Dede | Style::OldTable => s.push_str("</dl>\n"),
            _ => s.push_str("</div>\n"),
        }
        s
    }

    /// TRS WCM lists: the date only in a `title` attribute, the item link relative and dated.
    fn list_trs_wcm(&self, from: &str, items: &[&Item]) -> String {
        let mut s = String::from("<div class=\"listBox\"><ul class=\"list-ul\">\n");
        for it in items {
            let _ = writeln!(
                s,
                "<li><i class=\"dot\"></i><a href=\"{}\" target=\"_blank\" title=\"{t}\">{t}</a><span class=\"date\" title=\"{} {:02}:{:02}:00\"></span></li>",
                self.href(from, &it.path),
                it.date.format("%Y-%m-%d"),
                it.hm.0,
                it.hm.1,
                t = esc(&it.title)
            );
        }
        s.push_str("</ul></div>\n");
        s
    }

    /// Old table layouts: one `<tr>` per item, `[MM-DD]` dates without a year (items older
    /// than 300 days show their year, so the truth stays readable from the page).
    fn list_old_table(&self, from: &str, items: &[&Item]) -> String {
        let mut s = String::from(
            "<table width=\"98%\" border=\"0\" align=\"center\" cellpadding=\"0\" cellspacing=\"0\">\n",
        );
        for it in items {
            let date = if (self.as_of - it.date).num_days() <= 300 {
                it.date.format("[%m-%d]").to_string()
            } else {
                it.date.format("[%Y-%m-%d]").to_string()
            };
            let _ = writeln!(
                s,
                "<tr><td width=\"12\" height=\"26\"><img src=\"/images/arrow.gif\" width=\"5\" height=\"5\"></td><td class=\"title_list\"><a href=\"{}\" target=\"_blank\"><font color=\"#333333\">{}</font></a></td><td width=\"70\" align=\"right\" class=\"date\">{date}</td></tr>",
                self.href(from, &it.path),
                esc(&it.title)
            );
            s.push_str(
                "<tr><td colspan=\"3\" height=\"1\" background=\"/images/line.gif\"></td></tr>\n",
            );
        }
        s.push_str("</table>\n");
        s
    }

    /// A Hanweb jpage list: the column's records in a datastore for `jpage.js` to page.
    fn list_datastore(&self, from: &str, col: usize, items: &[&Item]) -> String {
        let c = &self.plan.columns[col];
        let mut s = format!(
            "<div id=\"{}\"><script type=\"text/xml\"><datastore>\n<nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=/&columnid={}&unitid={}&webname={}&permissiontype=0\"></a>]]></nextgroup>\n<recordset>\n",
            c.id,
            c.id,
            4000 + c.id,
            esc(&self.plan.name)
        );
        for it in items {
            let _ = writeln!(
                s,
                "<record><![CDATA[\n<li><a href=\"{}\" target=\"_blank\" title=\"{t}\">{t}</a><span class=\"bt-data-time\">{}</span></li>\n]]></record>",
                self.href(from, &it.path),
                it.date.format("%Y-%m-%d"),
                t = esc(&it.title)
            );
        }
        let _ = writeln!(
            s,
            "</recordset>\n</datastore></script><script language=\"javascript\" src=\"/module/web/jpage/jpage.js\"></script><script>$(function(){{ var totalRecord = {}; new jpage({{ container: '{}', perpage: 15, proxyUrl: '/module/web/jpage/dataproxy.jsp' }}); }});</script></div>",
            items.len(),
            c.id
        );
        s
    }

    /// The column whose list a `ScriptList` site loads by script: the first `other` column
    /// that is neither blank nor stale and whose items carry no defect (they are reached only
    /// from that list, so no defect hides behind the script).
    pub(crate) fn script_column(&self) -> Option<usize> {
        if self.family() != Style::ScriptList {
            return None;
        }
        let p = self.plan;
        p.columns.iter().enumerate().position(|(ci, c)| {
            let its = &self.items[ci];
            let newest = its.iter().map(|it| it.date).max();
            let column_defect = p.meta_defects.iter().any(|d| {
                matches!(d, MetaDefect::NoSiteIdCode { column } | MetaDefect::NoColumnTags { column } | MetaDefect::NullColumnType { column } if *column == ci)
            });
            c.kind == ColumnKind::Other
                && c.blank.is_none()
                && !c.featured
                && !column_defect
                && newest.is_some_and(|d| {
                    d >= crate::farm::window_start(self.as_of, c.kind.window())
                })
                && its.iter().all(|it| {
                    it.wording.is_none()
                        && it.broken.is_none()
                        && !it.no_source
                        && it.bad_pubdate.is_none()
                })
        })
    }

    /// The JSON a script-loaded list fetches: `{"total":N,"list":[{"title","url","date"}]}`.
    pub(crate) fn script_list_json(&self, col: usize) -> String {
        let rows: Vec<String> = self.items[col]
            .iter()
            .map(|it| {
                format!(
                    "{{\"title\":{},\"url\":{},\"date\":\"{}\"}}",
                    serde_json::to_string(&it.title).expect("string"),
                    serde_json::to_string(&it.path).expect("string"),
                    it.date.format("%Y-%m-%d")
                )
            })
            .collect();
        format!("{{\"total\":{},\"list\":[{}]}}", rows.len(), rows.join(","))
    }

    /// The list of a column's list page, the way the family writes it.
    fn column_list(&self, from: &str, col: usize, items: &[&Item]) -> String {
        if self.script_column() == Some(col) {
            let id = self.plan.columns[col].id;
            return format!(
                "<div class=\"news-list\" id=\"newsList\"></div><div class=\"pager\" id=\"pager\"></div>\n<script>$(function(){{ $.ajax({{ url: \"/api/list/{id}.json\", type: \"get\", dataType: \"json\", success: function(d){{ renderList(\"#newsList\", d.list); renderPager(\"#pager\", d.total); }} }}); }});</script>\n"
            );
        }
        if self.family() == Style::HanwebDatastore {
            self.list_datastore(from, col, items)
        } else {
            self.list(from, items, false)
        }
    }

    fn messages_table(&self, from: &str, items: &[&Item]) -> String {
        let mut s = String::new();
        if self.style() == Style::Modern {
            s.push_str("<div class=\"letter-list\">\n");
            for it in items {
                let m = it.message.as_ref().expect("message");
                let (status, ans) = match m.answered {
                    Some(a) => (
                        "已答复",
                        format!("<span>答复时间：{}</span>", self.date_list(a)),
                    ),
                    None => ("办理中", String::new()),
                };
                let _ = writeln!(s, "<div class=\"letter\"><a href=\"{}\">{}</a><div class=\"letter-meta\"><span>留言时间：{}</span>{ans}<span class=\"status\">{status}</span></div></div>", self.href(from, &it.path), esc(&it.title), self.date_list(it.date));
            }
            s.push_str("</div>\n");
            return s;
        }
        s.push_str("<table class=\"xx-table\" width=\"100%\"><tr><th>信件标题</th><th>留言时间</th><th>答复时间</th><th>办理状态</th></tr>\n");
        for it in items {
            let m = it.message.as_ref().expect("message");
            let (status, ans) = match m.answered {
                Some(a) => ("已答复", a.format("%Y-%m-%d").to_string()),
                None => ("办理中", String::new()),
            };
            let _ = writeln!(s, "<tr><td><a href=\"{}\" target=\"_blank\">{}</a></td><td>{}</td><td>{ans}</td><td>{status}</td></tr>", self.href(from, &it.path), esc(&it.title), it.date.format("%Y-%m-%d"));
        }
        s.push_str("</table>\n");
        s
    }

    fn pagination(&self, from: &str, col: usize, page: usize, pages: usize) -> String {
        if pages <= 1 {
            return String::new();
        }
        let c = &self.plan.columns[col];
        if self.script_column() == Some(col) {
            // The script draws the pager too.
            return String::new();
        }
        if self.family() == Style::TrsWcm {
            // TRS writes the pager from a call: no page link is in the HTML.
            return format!(
                "<div class=\"page\"><script type=\"text/javascript\">\nvar countPage = {pages}//共多少页\nvar currentPage = {};//当前页\ncreatePageHTML(countPage, currentPage, \"index\", \"html\");\n</script></div>\n",
                page - 1
            );
        }
        let link = |n: usize, text: &str| {
            format!(
                "<a href=\"{}\">{text}</a>",
                self.href(from, &list_path(self.style(), c, n))
            )
        };
        let mut s = format!("<div class=\"page\">共{pages}页 ");
        s.push_str(&link(1, "首页"));
        if page > 1 {
            s.push_str(&link(page - 1, "上一页"));
        }
        for n in 1..=pages {
            if n == page {
                let _ = write!(s, "<span class=\"current\">{n}</span>");
            } else {
                s.push_str(&link(n, &n.to_string()));
            }
        }
        if page < pages {
            s.push_str(&link(page + 1, "下一页"));
        }
        s.push_str(&link(pages, "尾页"));
        s.push_str("</div>\n");
        s
    }

    fn sidebar(&self, from: &str, col: usize) -> String {
        let c = &self.plan.columns[col];
        let mut s = format!(
            "<div class=\"left-menu\"><h3>{}</h3><ul>",
            self.plan.groups[c.group]
        );
        for sib in self.plan.columns.iter().filter(|x| x.group == c.group) {
            let _ = write!(
                s,
                "<li><a href=\"{}\">{}</a></li>",
                self.href(from, &list_path(self.style(), sib, 1)),
                sib.name
            );
        }
        s.push_str("</ul></div>\n");
        s
    }

    // ---------------------------------------------------------------- pages

    /// Every list page of a column: (path, html, record).
    pub(crate) fn column_pages(&self, col: usize) -> Vec<(String, String, PageRecord)> {
        let c = &self.plan.columns[col];
        let items: Vec<&Item> = self.items[col].iter().collect();
        let per = per_page(self.family());
        let pages = items.len().div_ceil(per).max(1);
        let mut out = Vec::with_capacity(pages);
        for n in 1..=pages {
            let path = list_path(self.style(), c, n);
            let (metas, rec) = self.metas(&path, Role::List, Some(col), None);
            let mut main = String::new();
            main.push_str("<div class=\"main w1200\">\n");
            main.push_str(&self.breadcrumb(&path, col));
            main.push_str(&self.sidebar(&path, col));
            let _ = writeln!(
                main,
                "<div class=\"right-con\"><div class=\"con-title\"><h2>{}</h2></div>",
                c.name
            );
            let chunk: Vec<&Item> = items
                .iter()
                .skip((n - 1) * per)
                .take(per)
                .copied()
                .collect();
            match c.blank {
                Some(BlankVariant::Placeholder(text)) => {
                    let _ = writeln!(main, "<div class=\"no-data\"><p>{text}</p></div>");
                }
                Some(BlankVariant::EmptyList) => main.push_str(&self.column_list(&path, col, &[])),
                None if c.kind == ColumnKind::Consult => {
                    main.push_str(&self.messages_table(&path, &chunk));
                    if !self.plan.profile.no_message_stats {
                        let _ = writeln!(
                            main,
                            "<div class=\"tongji\"><a href=\"{}\">留言受理反馈情况统计</a></div>",
                            self.href(&path, STATS_PAGE)
                        );
                    }
                    let _ = writeln!(main, "<div class=\"write-letter\"><h3>我要写信</h3><form action=\"{}\" method=\"post\"><p>姓名：<input name=\"name\"></p><p>标题：<input name=\"title\"></p><p>内容：<textarea name=\"content\"></textarea></p><p><button type=\"submit\">提交</button></p></form></div>", self.href(&path, &format!("/{}/{}/submit", GROUP_SLUGS[3], c.slug)));
                }
                None => main.push_str(&self.column_list(&path, col, &chunk)),
            }
            main.push_str(&self.pagination(&path, col, n, pages));
            main.push_str("</div>\n</div>\n");
            let title = format!("{}_{}", c.name, self.plan.name);
            let html = self.page(&path, &title, &metas, &main, n + col);
            out.push((path, html, rec));
        }
        out
    }

    /// The policy document an interpretation article links to: an item of the first policy
    /// column (none when the site's profile leaves interpretations unlinked).
    fn interpreted_policy(&self, col: usize, k: usize) -> Option<(String, String)> {
        let p = self.plan;
        if p.columns[col].kind != ColumnKind::Interpretation || p.profile.interp_unlinked {
            return None;
        }
        let pc = p
            .columns
            .iter()
            .enumerate()
            .position(|(i, c)| c.kind == ColumnKind::Policy && !self.items[i].is_empty())?;
        let items = &self.items[pc];
        let it = &items[k % items.len()];
        Some((it.path.clone(), it.title.clone()))
    }

    /// The page of one item.
    pub(crate) fn item_page(&self, col: usize, k: usize) -> (String, String, PageRecord) {
        let it = &self.items[col][k];
        let path = it.path.clone();
        let (metas, rec) = self.metas(&path, Role::Content, Some(col), Some(it));
        let mut main = String::new();
        main.push_str("<div class=\"main w1200\">\n");
        main.push_str(&self.breadcrumb(&path, col));
        main.push_str("<div class=\"article\">\n");
        let t = esc(&it.title);
        let date_time = format!(
            "{} {:02}:{:02}",
            it.date.format("%Y-%m-%d"),
            it.hm.0,
            it.hm.1
        );
        if let Some(m) = &it.message {
            let _ = writeln!(
                main,
                "<h1 class=\"title\">{t}</h1>\n<table class=\"letter-detail\" width=\"100%\">"
            );
            let _ = writeln!(main, "<tr><th>留言人</th><td>{}</td></tr><tr><th>留言时间</th><td>{}</td></tr><tr><th>留言内容</th><td>{}</td></tr>", m.asker, date_time, esc(&m.question));
            match m.answered {
                Some(a) => {
                    let _ = writeln!(main, "<tr><th>办理状态</th><td>已答复</td></tr><tr><th>答复单位</th><td>{}</td></tr><tr><th>答复时间</th><td>{}</td></tr><tr><th>答复内容</th><td>{}</td></tr>", esc(&m.unit), a.format("%Y-%m-%d"), esc(&m.reply));
                }
                None => main.push_str("<tr><th>办理状态</th><td>办理中</td></tr>\n"),
            }
            main.push_str("</table>\n");
        } else if let Some(g) = &it.guide {
            let _ = writeln!(main, "<h1 class=\"title\">{t}</h1>");
            if self.style() == Style::Modern {
                main.push_str("<dl class=\"guide\">\n");
                for (l, v) in &g.rows {
                    let _ = writeln!(main, "<dt>{l}</dt><dd>{}</dd>", esc(v));
                }
                main.push_str("</dl>\n");
            } else {
                main.push_str("<table class=\"bszn\" width=\"100%\" border=\"1\">\n");
                for (l, v) in &g.rows {
                    let _ = writeln!(
                        main,
                        "<tr><th width=\"140\">{l}</th><td>{}</td></tr>",
                        esc(v)
                    );
                }
                main.push_str("</table>\n");
            }
            let _ = writeln!(
                main,
                "<p class=\"update\">更新时间：{}</p>",
                it.date.format("%Y-%m-%d")
            );
        } else {
            if let Some(no) = &it.doc_no {
                let idx = format!(
                    "{}-{}-{:05}",
                    self.plan.site_code,
                    it.date.year(),
                    it.id % 100_000
                );
                let written = crate::items::days_before(it.date, 3);
                let _ = writeln!(main, "<table class=\"xxgk-table\" width=\"100%\"><tr><th>索引号</th><td>{idx}</td><th>发布机构</th><td>{}</td></tr><tr><th>文号</th><td>{no}</td><th>成文日期</th><td>{}</td></tr><tr><th>发布日期</th><td>{}</td><th>主题分类</th><td>综合政务</td></tr></table>", esc(&it.source), written.format("%Y年%m月%d日"), it.date.format("%Y年%m月%d日"));
            }
            let _ = writeln!(main, "<h1 class=\"title\">{t}</h1>");
            let src = if it.no_source {
                String::new()
            } else {
                format!("来源：{}", esc(&it.source))
            };
            match self.style() {
                Style::Trs | Style::TrsWcm => {
                    let _ = writeln!(main, "<div class=\"info\"><span>发布时间：{date_time}</span><span>{src}</span><span>字号：<a href=\"javascript:doZoom(16)\">大</a> <a href=\"javascript:doZoom(14)\">中</a></span></div>");
                }
                Style::Jcms | Style::HanwebDatastore => {
                    let _ = writeln!(main, "<table width=\"100%\" class=\"info\"><tr><td>发布日期：{}</td><td>{src}</td><td>浏览次数：<script src=\"/module/visitcount/articlehits.jsp?artid={}\"></script></td></tr></table>", it.date.format("%Y-%m-%d"), it.id);
                }
                Style::Dede | Style::OldTable => {
                    let _ = writeln!(main, "<div class=\"info\">时间：{date_time}:00　{src}　点击：<script src=\"/plus/count.php?view=yes&amp;aid={}\"></script>次</div>", it.id);
                }
                Style::Hanweb => {
                    let _ = writeln!(main, "<div class=\"hw-info\"><span>发布时间：{date_time}</span><span>{src}</span><span>浏览次数：<em id=\"hits\"></em></span></div>");
                }
                Style::Modern | Style::ScriptList => {
                    let _ = writeln!(main, "<div class=\"article-meta\"><time datetime=\"{}T{:02}:{:02}\">{}年{:02}月{:02}日 {:02}:{:02}</time><span>{src}</span></div>", it.date.format("%Y-%m-%d"), it.hm.0, it.hm.1, it.date.year(), it.date.month(), it.date.day(), it.hm.0, it.hm.1);
                }
            }
            let body_cls = match self.style() {
                Style::Trs | Style::TrsWcm => "TRS_Editor",
                Style::Jcms | Style::HanwebDatastore => "zoom",
                Style::Dede | Style::OldTable => "content",
                Style::Hanweb => "hw-article",
                Style::Modern | Style::ScriptList => "article-content",
            };
            let _ = writeln!(main, "<div class=\"{body_cls}\" id=\"zoom\">");
            for p in &it.paragraphs {
                let _ = writeln!(main, "<p style=\"text-indent:2em;\">{}</p>", esc(p));
            }
            if let Some((ppath, ptitle)) = self.interpreted_policy(col, k) {
                let _ = writeln!(
                    main,
                    "<p>相关文件：<a href=\"{}\">{}</a></p>",
                    self.href(&path, &ppath),
                    esc(&ptitle)
                );
            }
            if let Some(a) = &it.attachment {
                let _ = writeln!(
                    main,
                    "<p>附件：<a href=\"{}\">{}.pdf</a></p>",
                    self.href(&path, a),
                    esc(&it.title.chars().take(16).collect::<String>())
                );
            }
            if let Some(b) = &it.broken {
                match b.kind {
                    "image_404" => {
                        let _ = writeln!(
                            main,
                            "<p style=\"text-align:center\"><img src=\"{}\" alt=\"{}\"></p>",
                            self.href(&path, &b.target),
                            b.text
                        );
                    }
                    "external_refused" => {
                        let _ = writeln!(
                            main,
                            "<p>{}：<a href=\"{}\" target=\"_blank\">{}</a></p>",
                            b.text,
                            b.target,
                            b.target.replace(PORT, "80")
                        );
                    }
                    _ => {
                        let _ = writeln!(
                            main,
                            "<p><a href=\"{}\">{}</a></p>",
                            self.href(&path, &b.target),
                            esc(&b.text)
                        );
                    }
                }
            }
            main.push_str("</div>\n");
            if !it.no_source {
                let _ = writeln!(
                    main,
                    "<div class=\"editor\">（责任编辑：{}）</div>",
                    names::SURNAMES[it.id as usize % names::SURNAMES.len()]
                );
            }
        }
        // Previous / next within the column.
        let items = &self.items[col];
        main.push_str("<div class=\"prev-next\">");
        if k > 0 {
            let _ = write!(
                main,
                "<p>上一篇：<a href=\"{}\">{}</a></p>",
                self.href(&path, &items[k - 1].path),
                esc(&items[k - 1].title)
            );
        }
        if k + 1 < items.len() {
            let _ = write!(
                main,
                "<p>下一篇：<a href=\"{}\">{}</a></p>",
                self.href(&path, &items[k + 1].path),
                esc(&items[k + 1].title)
            );
        }
        main.push_str("</div>\n</div>\n</div>\n");
        let title = format!("{}_{}", it.title, self.plan.name);
        let html = self.page(&path, &title, &metas, &main, it.id as usize);
        (path, html, rec)
    }

    /// Homepage; also returns the newest date shown on it.
    pub(crate) fn home(&self) -> (String, PageRecord, Option<NaiveDate>) {
        let p = self.plan;
        let path = "/";
        let (metas, rec) = self.metas(path, Role::Home, None, None);
        let mut main = String::new();
        let mut newest: Option<NaiveDate> = None;
        let _ = writeln!(
            main,
            "<div class=\"banner\"><img src=\"/images/banner.png\" alt=\"{}\"></div>",
            esc(&p.name)
        );
        // Injected homepage broken links: internal 404, missing image, refused external.
        let mut broken_html = String::new();
        for b in 0..p.profile.broken_home as usize {
            match b % 3 {
                0 => {
                    let _ = write!(
                        broken_html,
                        "<a href=\"{}\">{}年专题回顾</a> ",
                        self.href(path, &format!("/zt/{}zt/index.html", 2019 + b)),
                        2019 + b
                    );
                }
                1 => {
                    let _ = write!(
                        broken_html,
                        "<a href=\"{}\"><img src=\"/images/ad_{b}.jpg\" alt=\"专题图片\"></a> ",
                        self.href(path, SEARCH)
                    );
                }
                _ => {
                    let _ = write!(
                        broken_html,
                        "<a href=\"http://127.0.9.{}:{PORT}/\" target=\"_blank\">{}数字档案馆</a> ",
                        1 + (p.index * 7 + b) % 250,
                        names::CITY
                    );
                }
            }
        }
        if !broken_html.is_empty() {
            let _ = writeln!(main, "<div class=\"zt-links\">{broken_html}</div>");
        }
        let short = self.style() == Style::Hanweb;
        let dede_short = self.style() == Style::Dede;
        for (ci, c) in p.columns.iter().enumerate().filter(|(_, c)| c.featured) {
            let shown: Vec<&Item> = self.items[ci]
                .iter()
                .filter(|it| !short || (self.as_of - it.date).num_days() <= 300)
                .take(7)
                .collect();
            for it in &shown {
                newest = newest.max(Some(it.date));
            }
            let more = self.href(path, &list_path(self.style(), c, 1));
            let _ = writeln!(main, "<div class=\"index-box\"><div class=\"box-hd\"><h3>{}</h3><a class=\"more\" href=\"{more}\">更多&gt;&gt;</a></div>", c.name);
            main.push_str(&self.list(path, &shown, short || dede_short));
            main.push_str("</div>\n");
        }
        // Every column, including blank ones.
        main.push_str("<div class=\"column-nav\"><h3>栏目导航</h3>");
        for c in &p.columns {
            let _ = write!(
                main,
                "<a href=\"{}\">{}</a>",
                self.href(path, &list_path(self.style(), c, 1)),
                c.name
            );
        }
        main.push_str("</div>\n");
        // Services (undated) and the message board entry.
        if let Some(si) = p.columns.iter().position(|c| c.kind == ColumnKind::Service) {
            main.push_str("<div class=\"service\"><h3>办事服务</h3><ul>");
            for it in self.items[si].iter().take(4) {
                let _ = write!(
                    main,
                    "<li><a href=\"{}\">{}</a></li>",
                    self.href(path, &it.path),
                    esc(&it.title)
                );
            }
            main.push_str("</ul></div>\n");
        }
        if let Some(c) = p.columns.iter().find(|c| c.kind == ColumnKind::Consult) {
            let _ = writeln!(
                main,
                "<div class=\"hudong\"><a href=\"{}\">{}</a><a href=\"{}\">我要写信</a></div>",
                self.href(path, &list_path(self.style(), c, 1)),
                c.name,
                self.href(path, &list_path(self.style(), c, 1))
            );
        }
        main.push_str("<div class=\"quick\">");
        let no_contact = p
            .profile
            .footer_missing
            .contains(&FooterPart::SponsorContact);
        for (sp, name, _) in STATIC_PAGES {
            if no_contact && sp == STATIC_PAGES[2].0 {
                continue;
            }
            let _ = write!(main, "<a href=\"{}\">{name}</a>", self.href(path, sp));
        }
        if self.style() == Style::Modern {
            let _ = write!(main, "<a href=\"{TOPIC_PAGE}\">学习贯彻专题</a>");
        }
        main.push_str("</div>\n");
        main.push_str("<div class=\"friend-links\"><h3>友情链接</h3><a href=\"https://www.gov.cn/\" target=\"_blank\">中国政府网</a><a href=\"https://www.hunan.gov.cn/\" target=\"_blank\">");
        let _ = write!(main, "{}人民政府</a>", names::PROVINCE);
        for (f, name) in &p.friends {
            let _ = write!(
                main,
                "<a href=\"http://{}/\" target=\"_blank\">{}</a>",
                host(*f),
                esc(name)
            );
        }
        main.push_str("</div>\n");
        let html = self.page(path, &p.name, &metas, &main, 0);
        (html, rec, newest)
    }

    /// Sitemap, search, static pages, topic page and the 404 page.
    pub(crate) fn misc_pages(&self) -> Vec<(String, String, PageRecord)> {
        let p = self.plan;
        let mut out = Vec::new();
        // Sitemap.
        let (metas, rec) = self.metas(SITEMAP, Role::Misc, None, None);
        let mut main = String::from("<div class=\"main w1200\"><h2>网站地图</h2>\n");
        for (g, name) in p.groups.iter().enumerate() {
            let _ = write!(main, "<dl class=\"map\"><dt>{name}</dt>");
            for c in p.columns.iter().filter(|c| c.group == g) {
                let _ = write!(
                    main,
                    "<dd><a href=\"{}\">{}</a></dd>",
                    self.href(SITEMAP, &list_path(self.style(), c, 1)),
                    c.name
                );
            }
            main.push_str("</dl>\n");
        }
        main.push_str("</div>\n");
        out.push((
            SITEMAP.to_string(),
            self.page(SITEMAP, &format!("网站地图_{}", p.name), &metas, &main, 1),
            rec,
        ));
        // Search.
        let (metas, rec) = self.metas(SEARCH, Role::Misc, None, None);
        let main =
            "<div class=\"main w1200\"><h2>站内搜索</h2><p>请输入关键词进行搜索。</p></div>\n";
        out.push((
            SEARCH.to_string(),
            self.page(SEARCH, &format!("站内搜索_{}", p.name), &metas, main, 2),
            rec,
        ));
        // Static pages: full content tags (they are content pages of their own columns).
        for (sp, name, ctype) in STATIC_PAGES {
            let mut m = String::new();
            let _ = writeln!(m, "<meta name=\"SiteName\" content=\"{}\">\n<meta name=\"SiteDomain\" content=\"{}\">\n<meta name=\"SiteIDCode\" content=\"{}\">", esc(&p.name), self.me(), p.site_code);
            let _ = writeln!(m, "<meta name=\"ColumnName\" content=\"{name}\">\n<meta name=\"ColumnDescription\" content=\"{name}\">\n<meta name=\"ColumnKeywords\" content=\"{name}\">\n<meta name=\"ColumnType\" content=\"{ctype}\">");
            let _ = writeln!(m, "<meta name=\"ArticleTitle\" content=\"{name}\">\n<meta name=\"PubDate\" content=\"{} 09:00\">\n<meta name=\"ContentSource\" content=\"{}\">", crate::items::days_before(self.as_of, 200 + p.index as u32).format("%Y-%m-%d"), esc(&p.sponsor));
            let body = match name {
                "机构职能" => {
                    let mut b = format!("<h3>主要职责</h3><p>贯彻执行国家和省有关方针政策和法律法规，拟订{}相关政策措施并组织实施。</p><h3>内设机构</h3><p>办公室、政策法规科、综合业务科、行政审批科。</p>", names::CITY);
                    if !p.profile.overview_incomplete {
                        let _ = write!(
                            b,
                            "<h3>联系方式</h3><p>办公地址：{}迎宾大道{}号　联系电话：{}</p>",
                            names::CITY,
                            100 + p.index,
                            p.phone
                        );
                    }
                    b
                }
                "领导信息" => {
                    let mut r = Rng::new(p.index as u64 * 31 + 5);
                    let mut s = String::new();
                    for role in ["党组书记、主任", "党组成员、副主任", "党组成员、副主任"]
                    {
                        let _ = write!(s, "<div class=\"leader\"><img src=\"/images/leader.png\" alt=\"\"><h4>{}{}</h4><p>{role}</p><p>简历：研究生学历，中共党员，历任县直部门科长、副局长。</p><p>负责全面工作及分管领域工作。</p></div>", r.pick(names::SURNAMES), r.pick(names::GIVEN));
                    }
                    s
                }
                _ => format!(
                    "<p>地址：{}迎宾大道{}号</p><p>电话：{}</p><p>邮编：415000</p>",
                    names::CITY,
                    100 + p.index,
                    p.phone
                ),
            };
            let main =
                format!("<div class=\"main w1200\"><h1 class=\"title\">{name}</h1>{body}</div>\n");
            let rec = PageRecord::new(sp, Role::Content);
            out.push((
                sp.to_string(),
                self.page(sp, &format!("{name}_{}", p.name), &m, &main, 3),
                rec,
            ));
        }
        if let Some(page) = self.stats_page() {
            out.push(page);
        }
        if self.style() == Style::Modern {
            let (metas, rec) = self.metas(TOPIC_PAGE, Role::Misc, None, None);
            let main = "<div class=\"main w1200\"><h2>学习贯彻党的二十届四中全会精神专题</h2><p>本专题集中发布学习贯彻情况。</p></div>\n";
            out.push((
                TOPIC_PAGE.to_string(),
                self.page(TOPIC_PAGE, "专题", &metas, main, 4),
                rec,
            ));
        }
        out
    }

    /// The message-handling statistics page of the consultation column (a content page of it),
    /// unless the site's profile publishes none.
    fn stats_page(&self) -> Option<(String, String, PageRecord)> {
        let p = self.plan;
        if p.profile.no_message_stats {
            return None;
        }
        let ci = p
            .columns
            .iter()
            .position(|c| c.kind == ColumnKind::Consult)?;
        let col = &p.columns[ci];
        let total = self.items[ci].len();
        let answered = self.items[ci]
            .iter()
            .filter(|it| it.message.as_ref().is_some_and(|m| m.answered.is_some()))
            .count();
        let title = "留言受理反馈情况统计";
        let mut m = String::new();
        let _ = writeln!(m, "<meta name=\"SiteName\" content=\"{}\">\n<meta name=\"SiteDomain\" content=\"{}\">\n<meta name=\"SiteIDCode\" content=\"{}\">", esc(&p.name), self.me(), p.site_code);
        let _ = writeln!(m, "<meta name=\"ColumnName\" content=\"{}\">\n<meta name=\"ColumnDescription\" content=\"{}\">\n<meta name=\"ColumnKeywords\" content=\"{}\">\n<meta name=\"ColumnType\" content=\"{}\">", esc(&col.name), esc(&col.name), esc(&col.name), col.kind.column_type());
        let _ = writeln!(m, "<meta name=\"ArticleTitle\" content=\"{title}\">\n<meta name=\"PubDate\" content=\"{} 09:00\">\n<meta name=\"ContentSource\" content=\"{}\">", crate::items::days_before(self.as_of, 5).format("%Y-%m-%d"), esc(&p.sponsor));
        let main = format!(
            "<div class=\"main w1200\"><h1 class=\"title\">{title}</h1><table class=\"tj-table\" width=\"100%\"><tr><th>栏目</th><th>受理留言（件）</th><th>已答复（件）</th><th>办理中（件）</th></tr><tr><td>{}</td><td>{total}</td><td>{answered}</td><td>{}</td></tr></table></div>\n",
            esc(&col.name),
            total - answered
        );
        let rec = PageRecord::new(STATS_PAGE, Role::Content);
        Some((
            STATS_PAGE.to_string(),
            self.page(STATS_PAGE, &format!("{title}_{}", p.name), &m, &main, 4),
            rec,
        ))
    }

    /// The body of the 404 page (served with status 404).
    pub(crate) fn not_found(&self) -> String {
        let (metas, _) = self.metas("/404.html", Role::Misc, None, None);
        self.page(
            "/404.html",
            &format!("页面不存在_{}", self.plan.name),
            &metas,
            "<div class=\"main w1200\"><h2>抱歉，您访问的页面不存在或已被删除！</h2></div>\n",
            5,
        )
    }
}

/// A relative link from page `from` to `to`, as TRS writes them (`./`, `../`).
pub(crate) fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = {
        let mut v: Vec<&str> = from.trim_start_matches('/').split('/').collect();
        v.pop();
        v.into_iter().filter(|s| !s.is_empty()).collect()
    };
    let to_parts: Vec<&str> = to.trim_start_matches('/').split('/').collect();
    let common = from_dir
        .iter()
        .zip(to_parts.iter())
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len().saturating_sub(1));
    let ups = from_dir.len() - common;
    let rest = to_parts[common..].join("/");
    if ups == 0 {
        format!("./{rest}")
    } else {
        format!("{}{rest}", "../".repeat(ups))
    }
}

#[cfg(test)]
mod tests {
    use super::relative;

    #[test]
    fn relative_links_resolve_like_a_browser() {
        let base = url::Url::parse("http://h/").unwrap();
        for (from, to) in [
            ("/", "/zwgk/tzgg/index.html"),
            (
                "/zwgk/tzgg/index.html",
                "/zwgk/tzgg/202509/t20250930_1.html",
            ),
            ("/zwgk/tzgg/202509/t20250930_1.html", "/"),
            (
                "/zwgk/tzgg/202509/t20250930_1.html",
                "/xwzx/zwyw/index_1.html",
            ),
            ("/sitemap.html", "/about/jgzn.html"),
        ] {
            let page = base.join(from).unwrap();
            let got = page.join(&relative(from, to)).unwrap();
            assert_eq!(got.path(), to, "from {from} to {to}");
        }
    }
}
