//! The facts extracted from one HTML page (by `pucha-analyze`), which the rules read.
//!
//! Field names here are part of the `pucha check-page --json` contract: keep them stable
//! and add new fields with `#[serde(default)]`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::intern::SharedStr;

/// Which signal decided the encoding a page was decoded with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EncodingSource {
    Bom,
    HttpHeader,
    MetaCharset,
    /// chardetng, because declarations were missing or contradicted the bytes.
    Detected,
    #[default]
    Default,
}

/// What kind of page this looks like (for page-tag rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PageKind {
    Home,
    /// A column (栏目) / list page.
    Column,
    /// A content (article / detail) page.
    Content,
    #[default]
    Other,
}

/// The element a link was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LinkTag {
    #[default]
    A,
    Area,
    Iframe,
    Img,
    Script,
    Link,
    Form,
}

/// A link found on a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageLink {
    /// The href/src as written (trimmed).
    pub raw: SharedStr,
    /// Resolved against the page URL, when it resolves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<SharedStr>,
    /// Anchor text (or alt/title for images).
    #[serde(default)]
    pub text: SharedStr,
    #[serde(default)]
    pub tag: LinkTag,
    /// Inside the main navigation.
    #[serde(default)]
    pub in_nav: bool,
    /// Inside the footer.
    #[serde(default)]
    pub in_footer: bool,
    /// A "更多/more" link next to a list (points to a column).
    #[serde(default)]
    pub is_more: bool,
}

/// One dated entry of a list on the page (a news item, a notice, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedItem {
    pub title: String,
    pub url: Option<String>,
    pub date: NaiveDate,
}

/// One footer identity item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FooterItem {
    pub present: bool,
    /// Normalised value (e.g. `蜀ICP备13001288号`); serialised as `null` when there is none,
    /// so `check-page` JSON always has `{present, value}`.
    #[serde(default)]
    pub value: Option<String>,
    /// Malformations found (e.g. "no 号", "code in link differs from text").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// The footer identity items of indicators §10.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Footer {
    pub conac_badge: FooterItem,
    pub site_id_code: FooterItem,
    pub icp: FooterItem,
    pub psb: FooterItem,
    pub sponsor: FooterItem,
    pub contact: FooterItem,
    pub sitemap: FooterItem,
    pub jiucuo: FooterItem,
}

/// A citizen message (留言) on a message-board list or detail page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
    /// 留言时间
    pub asked: Option<NaiveDate>,
    /// 答复时间
    #[serde(default)]
    pub answered: Option<NaiveDate>,
    /// The page says it is answered (已答复/已回复/已办结) even without a date.
    #[serde(default)]
    pub answered_flag: Option<bool>,
}

/// The 办事指南 elements found on a service-guide page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ServiceGuide {
    /// 事项名称 when found.
    pub item_name: Option<String>,
    /// Key elements (canonical names of indicators §9) present with a real value.
    pub present: Vec<String>,
    /// Key elements missing or holding only a placeholder.
    pub missing: Vec<String>,
}

/// How a link was hidden from view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hiding {
    /// `display:none` (also used by menus and tabs).
    DisplayNone,
    /// `visibility:hidden` (also used by menus and tabs).
    VisibilityHidden,
    /// The `hidden` attribute.
    HiddenAttr,
    /// Positioned far off the screen (`left:-9999px`, `text-indent:-9999px`, ...).
    OffScreen,
    /// `font-size:0`.
    FontSizeZero,
    /// `width:0`/`height:0` (or 1px) with `overflow:hidden`.
    ZeroSize,
}

impl Hiding {
    /// A method legitimate menus and tabs do not use for links.
    pub fn is_strong(self) -> bool {
        matches!(
            self,
            Hiding::OffScreen | Hiding::FontSizeZero | Hiding::ZeroSize
        )
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Hiding::DisplayNone => "display:none 隐藏",
            Hiding::VisibilityHidden => "visibility:hidden 隐藏",
            Hiding::HiddenAttr => "hidden 属性隐藏",
            Hiding::OffScreen => "定位到屏幕之外",
            Hiding::FontSizeZero => "字号为 0",
            Hiding::ZeroSize => "宽高为 0",
        }
    }
}

/// A link hidden from view that points to another host (a 暗链 candidate, indicators §3.3/§3.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HiddenLink {
    /// The target, resolved against the page.
    pub url: String,
    /// The anchor text (hidden text included), or its title attribute.
    #[serde(default)]
    pub text: String,
    pub hiding: Hiding,
}

/// How a page sends its visitor elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedirectKind {
    /// `<meta http-equiv="refresh" content="0;url=...">`
    MetaRefresh,
    /// `location.href = "..."`, `location.replace("...")` in an inline script.
    Script,
}

/// A redirect written in the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRedirect {
    pub kind: RedirectKind,
    /// The target, resolved against the page.
    pub url: String,
    /// The statement or meta content as written (trimmed, ≤200 chars).
    #[serde(default)]
    pub code: String,
}

/// Tampering signals of one page (veto.security_incident, veto.prohibited_content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PageSignals {
    /// Hidden links whose target is on another host than the page.
    #[serde(default)]
    pub hidden_links: Vec<HiddenLink>,
    #[serde(default)]
    pub redirects: Vec<PageRedirect>,
}

/// What kind of personal number a [`PiiHit`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    /// 18-digit 居民身份证号 passing the GB 11643-1999 check digit.
    IdCard,
    /// 11-digit mobile number next to a personal name.
    Mobile,
    /// 16–19 digit bank card number passing Luhn, with a card context word.
    BankCard,
}

impl PiiKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            PiiKind::IdCard => "身份证号",
            PiiKind::Mobile => "手机号码",
            PiiKind::BankCard => "银行卡号",
        }
    }
}

/// An unmasked personal number seen in a page's visible text (`ext.personal_info_exposed`).
/// Never holds the full number: `masked` keeps only its ends, `context` is masked too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PiiHit {
    pub kind: PiiKind,
    /// The number masked, e.g. `5107**********1234`, `138****1234`.
    pub masked: String,
    /// Text around the hit with the number masked (≤ 60 chars).
    #[serde(default)]
    pub context: String,
}

/// Everything the rules need to know about one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PageFacts {
    /// WHATWG name of the encoding that decoded the page (e.g. "UTF-8", "gb18030").
    pub encoding: String,
    #[serde(default)]
    pub encoding_source: EncodingSource,
    #[serde(default)]
    pub title: Option<String>,
    /// Standard meta tags under their canonical names (SiteIDCode, PubDate, ...), whatever case the page used.
    #[serde(default)]
    pub meta: BTreeMap<String, String>,
    #[serde(default)]
    pub kind: PageKind,
    #[serde(default)]
    pub links: Vec<PageLink>,
    #[serde(default)]
    pub dated_items: Vec<DatedItem>,
    /// The article's publication date (not the generation time, not today's date in the header).
    #[serde(default)]
    pub published: Option<NaiveDate>,
    /// Pagination links of a list page (next pages).
    #[serde(default)]
    pub pagination: Vec<String>,
    /// Placeholder text of an empty column (暂无信息, 栏目建设中, ...), when found.
    #[serde(default)]
    pub placeholder: Option<String>,
    /// Characters of main-content text outside navigation, header and footer.
    #[serde(default)]
    pub main_text_chars: usize,
    #[serde(default)]
    pub footer: Footer,
    /// 我为政府网站找错 site_code, when an entry was found.
    #[serde(default)]
    pub jiucuo_site_code: Option<String>,
    #[serde(default)]
    pub messages: Vec<Message>,
    #[serde(default)]
    pub service_guide: Option<ServiceGuide>,
    /// Has a site search box or a search link.
    #[serde(default)]
    pub has_search: bool,
    /// The column path shown in the breadcrumb (当前位置), e.g. ["首页", "新闻中心", "工作动态"].
    #[serde(default)]
    pub breadcrumb: Vec<String>,
    /// Visible body text, for wording checks (main content when found, else the whole body).
    #[serde(default)]
    pub body_text: String,
    /// The page looks like a soft 404 (200 status with "页面不存在" text).
    #[serde(default)]
    pub soft_404: bool,
    /// Tampering signals: links hidden from view that leave the site, redirects written in the page.
    #[serde(default)]
    pub signals: PageSignals,
    /// Set when the page was over the analysis budget (nesting depth, nodes, attributes,
    /// text) and was analysed on a truncated tree: what was cut, e.g. "page too complex,
    /// analysis cut at depth 512". The facts then describe only the part that was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis_cut: Option<String>,
    /// Unmasked personal numbers in the visible text (masked here; never the raw number).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pii: Vec<PiiHit>,
    /// The page's list is filled in by script (an empty list container with a data request,
    /// or a client-side template) and holds no item in the HTML: its items cannot be read
    /// without running JavaScript, so an empty reading is no evidence of a blank column.
    #[serde(default)]
    pub list_needs_script: bool,
    /// A same-site URL the page's script loads list data from (`….json`,
    /// `/module/web/jpage/dataproxy.jsp?…`), when the page names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_data_url: Option<String>,
}

impl PageFacts {
    /// A standard meta tag by canonical name.
    pub fn meta(&self, name: &str) -> Option<&str> {
        self.meta.get(name).map(String::as_str)
    }
}
