//! Ground truth: what a correct checker must find on each site of the farm.
//!
//! Serialised as `truth.json`:
//! `{"as_of":"YYYY-MM-DD","sites":[{"name","url","category","verdict","vetoes","findings":{rule:count},"details":{..}}]}`.
//! Rule ids are those of `shared/spec/indicators.md`. The `findings` map lists
//! every rule the farm asserts for the site (see [`ASSERTED_RULES`]); a rule
//! that is absent has count 0.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use pucha_core::rule_ids as r;
use pucha_core::{Category, Verdict};
use serde::{Deserialize, Serialize};

/// Rules whose counts the truth asserts on every reachable site (absent = 0).
/// Rules outside this list (domain rules, search, person-only rules, ...)
/// are not modelled by the farm; checkers may report them, tests should ignore them.
pub const ASSERTED_RULES: &[&str] = &[
    r::VETO_SERIOUS_WORDING_ERROR,
    r::VETO_PROHIBITED_CONTENT,
    r::VETO_SECURITY_INCIDENT,
    r::VETO_SITE_UNREACHABLE,
    r::VETO_HOMEPAGE_NOT_UPDATED,
    r::VETO_KEY_COLUMNS_STALE,
    r::VETO_LONG_TERM_STALE_COLUMNS,
    r::VETO_BLANK_COLUMNS,
    r::VETO_NO_CONSULTATION_CHANNEL,
    r::VETO_CONSULTATION_UNANSWERED,
    r::VETO_NO_ONLINE_SERVICE,
    r::VETO_SERVICE_GUIDE_ELEMENTS_MISSING,
    r::DED_BROKEN_LINKS_HOMEPAGE,
    r::DED_BROKEN_LINKS_OTHER,
    r::DED_POLICY_DOCS_COLUMN_STALE,
    r::DED_NEWS_COLUMNS,
    r::DED_SERVICE_GUIDE_QUALITY,
    r::DED_MESSAGE_PUBLICATION_STALE,
    r::DED_MESSAGE_FIELDS,
    r::DED_MESSAGE_STATS,
    r::DED_SURVEY_FEEDBACK,
    r::DED_ONLINE_INTERVIEW,
    r::DED_POLICY_INTERPRETATION,
    r::DED_OVERVIEW_INFO,
    r::DED_IPV6,
    r::DED_JIUCUO_ENTRY,
    r::NORM_META_SITE_TAGS,
    r::NORM_META_COLUMN_TAGS,
    r::NORM_META_CONTENT_TAGS,
    r::NORM_META_PUBDATE_FORMAT,
    r::NORM_META_COLUMNTYPE_VOCAB,
    r::NORM_META_SITEIDCODE_CONSISTENCY,
    r::NORM_FOOTER_CONAC_BADGE,
    r::NORM_FOOTER_SITE_ID_CODE,
    r::NORM_FOOTER_ICP,
    r::NORM_FOOTER_PSB_RECORD,
    r::NORM_FOOTER_SPONSOR_CONTACT,
    r::NORM_FOOTER_SITEMAP,
    r::NORM_FOOTER_JIUCUO,
];

/// The truth of a whole farm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FarmTruth {
    pub as_of: NaiveDate,
    pub sites: Vec<SiteTruth>,
}

impl FarmTruth {
    pub fn site(&self, name: &str) -> Option<&SiteTruth> {
        self.sites.iter().find(|s| s.name == name)
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("truth serialises")
    }
}

/// The truth of one site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteTruth {
    pub name: String,
    pub url: String,
    pub category: Category,
    /// `pass` or `fail`.
    pub verdict: Verdict,
    /// Veto rule ids that hold, in rulebook order.
    pub vetoes: Vec<String>,
    /// Rule id → count of occurrences (columns, pages, links, messages, guides; 1 for site-level rules).
    pub findings: BTreeMap<String, u32>,
    #[serde(default)]
    pub details: SiteDetails,
}

impl SiteTruth {
    /// The count for a rule (0 when absent).
    pub fn count(&self, rule: &str) -> u32 {
        self.findings.get(rule).copied().unwrap_or(0)
    }
}

/// Everything else about a site, for debugging checkers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SiteDetails {
    pub site_code: String,
    pub sponsor: String,
    /// CMS family of the templates (trs, jcms, dede, hanweb, modern).
    pub style: String,
    /// `utf8` or `gbk`.
    pub body_encoding: String,
    /// charset in the HTTP header (None = not sent).
    pub header_charset: Option<String>,
    /// charset declared in the page (None = not declared).
    pub meta_charset: Option<String>,
    /// `up`, `refused` or `flaky` (every 3rd homepage request answers 503).
    pub availability: String,
    /// The site answers gzip when asked.
    pub gzip: bool,
    /// Path prefix robots.txt disallows, if any.
    pub robots_disallow: Option<String>,
    /// HTML pages served (including list pagination, excluding assets and robots.txt).
    pub pages: u32,
    /// Newest dated item shown on the homepage.
    pub homepage_newest: Option<NaiveDate>,
    pub columns: Vec<ColumnTruth>,
    /// One entry per occurrence behind the counts of `findings`.
    pub defects: Vec<DefectTruth>,
}

/// One column of a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnTruth {
    pub name: String,
    /// news, notice, policy, interpretation, personnel, planning, fiscal, other, consult, service, interview, survey.
    pub kind: String,
    pub url: String,
    pub items: u32,
    pub list_pages: u32,
    pub newest: Option<NaiveDate>,
    pub blank: bool,
    pub stale: bool,
    pub featured_on_homepage: bool,
}

/// One defect occurrence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DefectTruth {
    pub rule: String,
    /// The page (or column) where it is.
    pub url: String,
    /// Link target, for broken links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// What is wrong, in one line.
    pub detail: String,
}
