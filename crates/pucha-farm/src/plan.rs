//! The plan of each site: name, category, markup style, charset policy, columns
//! and the defects to inject. Rendering follows the plan; the truth is derived
//! from the plan and the rendered pages, never written by hand.

use pucha_core::Category;
use serde::{Deserialize, Serialize};

use crate::names::{self, COUNTIES, DEPARTMENTS, OTHERS, OTHER_COLUMNS, PARKS};
use crate::rng::Rng;
use crate::spec::FarmSpec;

/// The CMS family a site's templates imitate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// TRS WCM: `<ul class="list"><li><a>..</a><span>2025-09-30</span>`, `t20250930_123.html`.
    Trs,
    /// JCMS: table lists, `/col/col1301/index.html?pageNum=2`, `/art/2025/9/30/art_1301_123.html`.
    Jcms,
    /// DedeCMS: `<dl><dd>` lists, `list_3_2.html`, `/a/gzdt/20250930/123.html`.
    Dede,
    /// Hanweb-like div lists with `title` attributes and `[09-30]` dates on the homepage.
    Hanweb,
    /// A modern div/flex template with `<time>2025年9月30日</time>`.
    Modern,
    /// TRS WCM as many sites run it: relative `./202509/t20250930_123.html` item links, the
    /// date only in a `title` attribute (`<span title="2025-09-30 10:20:00">`), and the pager
    /// written by `createPageHTML(countPage, current, "index", "html")` with no links.
    TrsWcm,
    /// An old table layout in GBK: `<tr><td><a>..</a></td><td>[09-30]</td></tr>` rows whose
    /// dates carry no year (items older than 300 days show `[2024-09-30]`), item URLs without
    /// a date (`/html/gzdt/123.html`).
    OldTable,
    /// Hanweb JCMS with its jpage lists: every record of a column in a
    /// `<script type="text/xml"><datastore><recordset><record><![CDATA[<li>..]]>` block
    /// on one list page, nothing of it in the HTML proper.
    HanwebDatastore,
    /// A modern template where one content column's list is filled by script: the list page
    /// holds an empty `<div class="news-list" id="newsList">` and a `$.ajax({url:
    /// "/api/list/<id>.json"})` call; the JSON is served. The other columns are `Modern`.
    ScriptList,
}

impl Style {
    /// The demo farm's styles (the markup pucha was first built on).
    pub const ALL: [Style; 5] = [
        Style::Trs,
        Style::Jcms,
        Style::Dede,
        Style::Hanweb,
        Style::Modern,
    ];

    /// The families of [`FarmSpec::unseen`]: markup the first styles do not show.
    pub const UNSEEN: [Style; 4] = [
        Style::TrsWcm,
        Style::OldTable,
        Style::HanwebDatastore,
        Style::ScriptList,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Style::Trs => "trs",
            Style::Jcms => "jcms",
            Style::Dede => "dede",
            Style::Hanweb => "hanweb",
            Style::Modern => "modern",
            Style::TrsWcm => "trs_wcm",
            Style::OldTable => "old_table",
            Style::HanwebDatastore => "hanweb_datastore",
            Style::ScriptList => "script_list",
        }
    }

    /// The style whose templates a family shares outside its lists, item URLs and pager
    /// (header, navigation, articles, footer, link form).
    pub fn base(self) -> Style {
        match self {
            Style::TrsWcm => Style::Trs,
            Style::OldTable => Style::Dede,
            Style::HanwebDatastore => Style::Jcms,
            Style::ScriptList => Style::Modern,
            s => s,
        }
    }
}

/// The encoding of page bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyEncoding {
    Utf8,
    Gbk,
}

/// How a site encodes its pages and what it declares (header and meta may be wrong or missing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CharsetPolicy {
    pub body: BodyEncoding,
    /// `charset=` sent in the HTTP Content-Type of HTML pages, if any.
    pub header: Option<&'static str>,
    /// `<meta charset>` / `http-equiv` value in the page, if any.
    pub meta: Option<&'static str>,
}

const CHARSETS: [CharsetPolicy; 7] = [
    CharsetPolicy {
        body: BodyEncoding::Utf8,
        header: Some("utf-8"),
        meta: Some("utf-8"),
    },
    CharsetPolicy {
        body: BodyEncoding::Gbk,
        header: None,
        meta: Some("gb2312"),
    },
    CharsetPolicy {
        body: BodyEncoding::Utf8,
        header: None,
        meta: Some("utf-8"),
    },
    CharsetPolicy {
        body: BodyEncoding::Gbk,
        header: Some("gbk"),
        meta: Some("gbk"),
    },
    // Declared gb2312 but UTF-8 bytes: a real mislabelled portal.
    CharsetPolicy {
        body: BodyEncoding::Utf8,
        header: None,
        meta: Some("gb2312"),
    },
    // Server default says utf-8, bytes are GBK.
    CharsetPolicy {
        body: BodyEncoding::Gbk,
        header: Some("utf-8"),
        meta: Some("gb2312"),
    },
    // Nothing declared at all.
    CharsetPolicy {
        body: BodyEncoding::Gbk,
        header: None,
        meta: None,
    },
];

/// Whether and how a site answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    #[default]
    Up,
    /// Nothing listens on its address: connections are refused.
    Refused,
    /// Every 3rd request to its homepage answers 503.
    Flaky,
}

/// The class of a column (indicators §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    News,
    Notice,
    Policy,
    Interpretation,
    Personnel,
    Planning,
    Fiscal,
    Other,
    Consult,
    Service,
    Interview,
    Survey,
}

impl ColumnKind {
    /// Columns that must be updated (veto.long_term_stale_columns counts these).
    pub fn should_update(self) -> bool {
        !matches!(
            self,
            ColumnKind::Consult | ColumnKind::Service | ColumnKind::Interview | ColumnKind::Survey
        )
    }

    /// The update window: days for news, months otherwise.
    pub fn window(self) -> Window {
        match self {
            ColumnKind::News => Window::Days(14),
            ColumnKind::Notice | ColumnKind::Policy | ColumnKind::Interpretation => {
                Window::Months(6)
            }
            _ => Window::Months(12),
        }
    }

    /// The ColumnType meta value (indicators §8.3).
    pub fn column_type(self) -> &'static str {
        match self {
            ColumnKind::News => "工作动态",
            ColumnKind::Notice => "通知公告",
            ColumnKind::Policy => "政策文件",
            ColumnKind::Interpretation => "政策解读",
            ColumnKind::Fiscal => "数据发布",
            ColumnKind::Personnel | ColumnKind::Planning | ColumnKind::Other => "信息公开目录",
            ColumnKind::Consult => "咨询投诉",
            ColumnKind::Service => "办事服务",
            ColumnKind::Interview => "在线访谈",
            ColumnKind::Survey => "征集调查",
        }
    }
}

/// An update window of indicators §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Days(u32),
    Months(u32),
}

/// How an empty column shows that it is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlankVariant {
    /// The list container is there, with no item.
    EmptyList,
    /// "暂无信息" / "栏目建设中" / "敬请期待" / "暂无数据".
    Placeholder(&'static str),
}

/// Footer identity items (indicators §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FooterPart {
    ConacBadge,
    SiteIdCode,
    Icp,
    PsbRecord,
    SponsorContact,
    Sitemap,
    Jiucuo,
}

impl FooterPart {
    pub fn rule(self) -> &'static str {
        use pucha_core::rule_ids as r;
        match self {
            FooterPart::ConacBadge => r::NORM_FOOTER_CONAC_BADGE,
            FooterPart::SiteIdCode => r::NORM_FOOTER_SITE_ID_CODE,
            FooterPart::Icp => r::NORM_FOOTER_ICP,
            FooterPart::PsbRecord => r::NORM_FOOTER_PSB_RECORD,
            FooterPart::SponsorContact => r::NORM_FOOTER_SPONSOR_CONTACT,
            FooterPart::Sitemap => r::NORM_FOOTER_SITEMAP,
            FooterPart::Jiucuo => r::NORM_FOOTER_JIUCUO,
        }
    }
}

/// Page-tag defects (indicators §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetaDefect {
    /// Content pages of one column lack SiteIDCode.
    NoSiteIdCode { column: usize },
    /// List and content pages of one column lack ColumnDescription (one tag, so that counting
    /// pages and counting missing tags agree).
    NoColumnTags { column: usize },
    /// `n` content pages lack ContentSource.
    NoContentSource { n: u32 },
    /// `n` content pages carry PubDate as `2025/09/12` or without a time.
    BadPubDate { n: u32 },
    /// List and content pages of one column carry `ColumnType=null`.
    NullColumnType { column: usize },
    /// The homepage's SiteIDCode meta differs from the footer code.
    HomepageSiteIdMismatch,
}

/// The defects injected into one site.
#[derive(Debug, Clone, Default)]
pub(crate) struct Profile {
    pub blank: u32,
    pub news_stale: u32,
    /// Stale notice/policy columns.
    pub np_stale: u32,
    /// Stale long-term columns (personnel, planning, fiscal, interpretation, other).
    pub other_stale: u32,
    pub homepage_stale: bool,
    pub wording: u32,
    pub unanswered: u32,
    pub availability: Availability,
    pub broken_home: u32,
    pub broken_other: u32,
    pub footer_missing: Vec<FooterPart>,
    /// Service guides that miss one or two key elements.
    pub guides_missing: u32,
    pub content_source_missing: u32,
    pub bad_pubdate: u32,
    pub no_site_id_column: bool,
    pub no_column_tags_column: bool,
    pub null_column_type_column: bool,
    pub siteid_mismatch: bool,
    /// A hidden (display:none) gambling link in the footer of every page (a 暗链).
    pub hidden_spam_link: bool,
    /// The consultation section publishes no message-handling statistics.
    pub no_message_stats: bool,
    /// The survey column lists surveys but no result feedback.
    pub survey_no_feedback: bool,
    /// The interview column's newest interview is more than 12 months old.
    pub interview_stale: bool,
    /// Interpretation articles do not link to the policy document they interpret.
    pub interp_unlinked: bool,
    /// The 机构职能 page shows no 联系方式.
    pub overview_incomplete: bool,
}

/// One column of a site.
#[derive(Debug, Clone)]
pub(crate) struct ColumnPlan {
    /// Numeric id (JCMS `col1301`, DedeCMS `typeid`).
    pub id: u32,
    pub name: String,
    pub slug: String,
    pub kind: ColumnKind,
    /// Index of the navigation group.
    pub group: usize,
    /// Days between the newest item and T; None = blank column.
    pub newest_age: Option<u32>,
    pub blank: Option<BlankVariant>,
    /// Number of items (articles, messages, guides).
    pub items: usize,
    pub featured: bool,
}

/// One site.
#[derive(Debug, Clone)]
pub(crate) struct SitePlan {
    pub index: usize,
    pub name: String,
    /// The unit as it appears in texts (主办单位).
    pub sponsor: String,
    pub category: Category,
    pub style: Style,
    pub charset: CharsetPolicy,
    pub gzip: bool,
    pub site_code: String,
    pub icp: String,
    pub psb: String,
    pub conac_id: String,
    pub phone: String,
    /// 文号 prefix.
    pub doc_prefix: String,
    pub services: Vec<String>,
    pub groups: Vec<String>,
    pub columns: Vec<ColumnPlan>,
    pub profile: Profile,
    pub meta_defects: Vec<MetaDefect>,
    /// Robots.txt disallows this path prefix.
    pub robots_disallow: Option<&'static str>,
    /// Friendly links to other farm sites (index, name).
    pub friends: Vec<(usize, String)>,
}

/// The fixed roster of the first 24 sites: category and defect profile.
fn roster(slot: usize, rng: &mut Rng, unavailable: bool) -> (Category, Profile) {
    use Category::*;
    let p = Profile::default;
    let (cat, prof) = match slot % 24 {
        0 => (
            CityPortal,
            Profile {
                broken_home: 1,
                broken_other: 2,
                ..p()
            },
        ),
        1 => (
            Department,
            Profile {
                blank: rng.range(6, 8),
                ..p()
            },
        ),
        2 => (
            Department,
            Profile {
                news_stale: 2,
                np_stale: rng.range(4, 5),
                ..p()
            },
        ),
        3 => (
            CountyPortal,
            Profile {
                homepage_stale: true,
                broken_other: 1,
                ..p()
            },
        ),
        4 => (Department, Profile { wording: 1, ..p() }),
        5 => (
            Department,
            Profile {
                unanswered: 1,
                broken_home: 1,
                ..p()
            },
        ),
        6 => (
            Park,
            Profile {
                other_stale: rng.range(11, 13),
                ..p()
            },
        ),
        7 => (
            Other,
            Profile {
                availability: Availability::Refused,
                ..p()
            },
        ),
        8 => (
            Department,
            Profile {
                availability: Availability::Flaky,
                ..p()
            },
        ),
        9 => (
            CountyPortal,
            Profile {
                blank: 4,
                broken_home: 2,
                ..p()
            },
        ),
        10 => (
            Department,
            Profile {
                footer_missing: vec![FooterPart::PsbRecord, FooterPart::Icp],
                content_source_missing: 3,
                interp_unlinked: true,
                ..p()
            },
        ),
        11 => (
            Department,
            Profile {
                guides_missing: 2,
                broken_other: 3,
                ..p()
            },
        ),
        12 => (
            Park,
            Profile {
                bad_pubdate: 4,
                blank: 1,
                hidden_spam_link: true,
                ..p()
            },
        ),
        13 => (
            Other,
            Profile {
                footer_missing: vec![FooterPart::Jiucuo, FooterPart::ConacBadge],
                siteid_mismatch: true,
                overview_incomplete: true,
                ..p()
            },
        ),
        14 => (
            CountyPortal,
            Profile {
                news_stale: 1,
                np_stale: 1,
                other_stale: 3,
                survey_no_feedback: true,
                ..p()
            },
        ),
        15 => (
            Department,
            Profile {
                blank: rng.range(6, 7),
                wording: 2,
                ..p()
            },
        ),
        16 => (Department, p()),
        17 => (
            CountyPortal,
            Profile {
                news_stale: 2,
                np_stale: 4,
                other_stale: 11,
                broken_home: 1,
                ..p()
            },
        ),
        18 => (
            Other,
            Profile {
                no_column_tags_column: true,
                null_column_type_column: true,
                no_site_id_column: true,
                ..p()
            },
        ),
        19 => (
            Park,
            Profile {
                unanswered: 2,
                broken_other: 2,
                broken_home: 1,
                ..p()
            },
        ),
        20 => (
            Department,
            Profile {
                blank: 2,
                footer_missing: vec![FooterPart::Sitemap],
                no_message_stats: true,
                ..p()
            },
        ),
        21 => (
            CountyPortal,
            Profile {
                guides_missing: 1,
                interview_stale: true,
                ..p()
            },
        ),
        22 => (
            Department,
            Profile {
                homepage_stale: true,
                ..p()
            },
        ),
        _ => (
            Other,
            Profile {
                footer_missing: vec![FooterPart::SponsorContact, FooterPart::SiteIdCode],
                ..p()
            },
        ),
    };
    let mut prof = prof;
    if !unavailable && prof.availability != Availability::Up {
        prof.availability = Availability::Up;
    }
    // Later rounds of the roster (big farms) are variations, not copies.
    if slot >= 24 && prof.availability == Availability::Up && rng.chance(30) {
        prof.broken_other += rng.range(1, 3);
    }
    (cat, prof)
}

/// Allocates names per category, then falls back to county departments.
struct Namer {
    dept: usize,
    county: usize,
    park: usize,
    other: usize,
    extra: usize,
}

struct Unit {
    name: String,
    sponsor: String,
    code_prefix: String,
    doc_prefix: String,
    services: Vec<String>,
    category: Category,
}

impl Namer {
    fn unit(&mut self, cat: Category, serial: usize) -> Unit {
        let city = names::CITY;
        let svc = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        match cat {
            Category::CityPortal if serial == 0 => Unit {
                name: format!("{city}人民政府"),
                sponsor: format!("{city}人民政府办公室"),
                code_prefix: names::CITY_CODE.into(),
                doc_prefix: names::DOC_PREFIX.into(),
                services: svc(&["户口迁移", "居民身份证办理", "企业开办", "不动产登记"]),
                category: cat,
            },
            Category::CountyPortal if self.county < COUNTIES.len() => {
                let (n, code, doc) = COUNTIES[self.county];
                self.county += 1;
                Unit {
                    name: format!("{n}人民政府"),
                    sponsor: format!("{n}人民政府办公室"),
                    code_prefix: code.into(),
                    doc_prefix: doc.into(),
                    services: svc(&["农村宅基地审批", "临时救助申请", "个体工商户登记"]),
                    category: cat,
                }
            }
            Category::Department if self.dept < DEPARTMENTS.len() => {
                let (n, doc, services) = DEPARTMENTS[self.dept];
                self.dept += 1;
                Unit {
                    name: format!("{city}{n}"),
                    sponsor: format!("{city}{n}"),
                    code_prefix: names::CITY_CODE.into(),
                    doc_prefix: doc.into(),
                    services: svc(services),
                    category: cat,
                }
            }
            Category::Park if self.park < PARKS.len() => {
                let (n, _) = PARKS[self.park];
                self.park += 1;
                Unit {
                    name: n.to_string(),
                    sponsor: n.to_string(),
                    code_prefix: names::CITY_CODE.into(),
                    doc_prefix: "青开管发".into(),
                    services: svc(&["企业投资项目备案", "建设工程规划许可证核发"]),
                    category: cat,
                }
            }
            Category::Other if self.other < OTHERS.len() => {
                let (n, doc) = OTHERS[self.other];
                self.other += 1;
                Unit {
                    name: n.to_string(),
                    sponsor: n.to_string(),
                    code_prefix: names::CITY_CODE.into(),
                    doc_prefix: doc.into(),
                    services: svc(&["信息查询", "档案查阅"]),
                    category: cat,
                }
            }
            _ => {
                // County departments once the city pools run out.
                let (c, code, _) = COUNTIES[self.extra % COUNTIES.len()];
                let (d, doc, services) =
                    DEPARTMENTS[(self.extra / COUNTIES.len() + self.extra) % DEPARTMENTS.len()];
                let round = self.extra / (COUNTIES.len() * DEPARTMENTS.len());
                self.extra += 1;
                let suffix = if round == 0 {
                    String::new()
                } else {
                    format!("（{}）", round + 1)
                };
                Unit {
                    name: format!("{c}{d}{suffix}"),
                    sponsor: format!("{c}{d}"),
                    code_prefix: code.into(),
                    doc_prefix: doc.into(),
                    services: svc(services),
                    category: Category::Other,
                }
            }
        }
    }
}

/// Builds the plans of every site of a farm.
pub(crate) fn plan_sites(spec: &FarmSpec) -> Vec<SitePlan> {
    let root = Rng::new(spec.seed);
    let mut namer = Namer {
        dept: 0,
        county: 0,
        park: 0,
        other: 0,
        extra: 0,
    };
    let mut plans = Vec::with_capacity(spec.sites);
    let mut style_order: Vec<Style> = if spec.styles.is_empty() {
        Style::ALL.to_vec()
    } else {
        spec.styles.clone()
    };
    root.fork(1).shuffle(&mut style_order);
    for index in 0..spec.sites {
        let mut rng = root.fork(1000 + index as u64);
        let (cat, profile) = roster(index, &mut rng, spec.unavailable_sites);
        let unit = namer.unit(cat, index);
        let serial = 1 + index as u32;
        let site_code = format!(
            "{}{:04}",
            &unit.code_prefix,
            if unit.code_prefix == names::CITY_CODE {
                serial
            } else {
                1 + (index as u32 % 7)
            }
        );
        let style = style_order[index % style_order.len()];
        let mut charset = CHARSETS[(index * 3 + (spec.seed as usize % 7)) % CHARSETS.len()].clone();
        if style == Style::OldTable && charset.body != BodyEncoding::Gbk {
            // Old table layouts are GBK sites.
            charset = CHARSETS[if index % 2 == 0 { 1 } else { 3 }].clone();
        }
        let mut plan = SitePlan {
            index,
            name: unit.name,
            sponsor: unit.sponsor,
            category: unit.category,
            style,
            charset,
            gzip: index % 3 == 1,
            site_code,
            icp: format!(
                "{}ICP备{}号{}",
                names::PROVINCE_ABBR,
                rng.digits(8),
                if rng.chance(30) { "-1" } else { "" }
            ),
            psb: format!(
                "{}公网安备 {}{}号",
                names::PROVINCE_ABBR,
                &unit.code_prefix,
                rng.digits(8)
            ),
            conac_id: rng.hex(32),
            phone: format!("0736-{}", rng.range(2_000_000, 8_999_999)),
            doc_prefix: unit.doc_prefix,
            services: unit.services,
            groups: Vec::new(),
            columns: Vec::new(),
            profile,
            meta_defects: Vec::new(),
            robots_disallow: if index == 0 { Some("/search/") } else { None },
            friends: Vec::new(),
        };
        build_columns(&mut plan, spec, &mut rng);
        plans.push(plan);
    }
    // Friendly links between sites that always answer.
    let up: Vec<usize> = plans
        .iter()
        .filter(|p| p.profile.availability == Availability::Up)
        .map(|p| p.index)
        .collect();
    let names: Vec<String> = plans.iter().map(|p| p.name.clone()).collect();
    for p in plans.iter_mut() {
        let mut rng = root.fork(5000 + p.index as u64);
        let mut others: Vec<usize> = up.iter().copied().filter(|&i| i != p.index).collect();
        rng.shuffle(&mut others);
        others.truncate(if p.category == Category::CityPortal {
            8
        } else {
            3
        });
        others.sort_unstable();
        p.friends = others.into_iter().map(|i| (i, names[i].clone())).collect();
    }
    plans
}

fn column(kind: ColumnKind, name: &str, slug: &str) -> ColumnPlan {
    ColumnPlan {
        id: 0,
        name: name.to_string(),
        slug: slug.to_string(),
        kind,
        group: 0,
        newest_age: Some(0),
        blank: None,
        items: 0,
        featured: false,
    }
}

fn build_columns(plan: &mut SitePlan, spec: &FarmSpec, rng: &mut Rng) {
    use ColumnKind::*;
    let prof = plan.profile.clone();
    let mut news: Vec<ColumnPlan> = match plan.category {
        Category::CityPortal => vec![
            column(News, "政务要闻", "zwyw"),
            column(News, "部门动态", "bmdt"),
            column(News, "区县动态", "qxdt"),
        ],
        Category::CountyPortal => vec![
            column(News, "政务要闻", "zwyw"),
            column(News, "乡镇动态", "xzdt"),
        ],
        Category::Park => vec![
            column(News, "园区动态", "yqdt"),
            column(News, "招商动态", "zsdt"),
        ],
        _ => vec![
            column(News, "工作动态", "gzdt"),
            column(News, "要闻动态", "ywdt"),
        ],
    };
    let extra_news = [
        ("图片新闻", "tpxw"),
        ("基层动态", "jcdt"),
        ("媒体关注", "mtgz"),
    ];
    let want_news = if prof.homepage_stale {
        news.len()
    } else {
        (prof.news_stale as usize + 1).max(news.len())
    };
    for &(n, s) in extra_news.iter().take(want_news.saturating_sub(news.len())) {
        news.push(column(News, n, s));
    }
    // News ages: the first columns are fresh (the homepage features the first), stale ones last.
    let n_news = news.len();
    for (i, c) in news.iter_mut().enumerate() {
        let stale = if prof.homepage_stale {
            true
        } else {
            i >= n_news - prof.news_stale as usize
        };
        c.newest_age = Some(if stale {
            rng.range(18, 45)
        } else if i == 0 {
            rng.range(0, 3)
        } else {
            rng.range(0, 9)
        });
    }
    let mut np = vec![
        column(Notice, "通知公告", "tzgg"),
        column(Policy, "政策文件", "zcwj"),
    ];
    let np_extra = [
        (Notice, "公示公告", "gsgg"),
        (Policy, "规范性文件", "gfxwj"),
        (Policy, "部门文件", "bmwj"),
        (Notice, "招考公告", "zkgg"),
        (Policy, "政策法规", "zcfg"),
    ];
    for &(k, n, s) in np_extra.iter().take(prof.np_stale as usize) {
        np.push(column(k, n, s));
    }
    if matches!(plan.category, Category::CityPortal | Category::Department) && prof.np_stale == 0 {
        np.push(column(Policy, "规范性文件", "gfxwj"));
    }
    for (i, c) in np.iter_mut().enumerate() {
        let stale = i >= 2 && i < 2 + prof.np_stale as usize;
        c.newest_age = Some(if stale {
            rng.range(190, 330)
        } else if prof.homepage_stale {
            rng.range(18, 90)
        } else {
            rng.range(0, 60)
        });
    }
    // Long-term columns: interpretation, personnel, planning, fiscal, then others.
    let mut long = vec![
        column(Interpretation, "政策解读", "zcjd"),
        column(Personnel, "人事信息", "rsxx"),
        column(Planning, "规划计划", "ghjh"),
        column(Fiscal, "财政预决算", "czyjs"),
    ];
    let base_other = match plan.category {
        Category::CityPortal | Category::CountyPortal => 4,
        Category::Department => 3,
        _ => 2,
    };
    let need = (prof.blank + prof.other_stale) as usize + 2;
    let want = (long.len() + base_other).max(need);
    let mut pool: Vec<usize> = (0..OTHER_COLUMNS.len()).collect();
    rng.shuffle(&mut pool);
    for &k in pool.iter().take(want.saturating_sub(long.len())) {
        let (n, s) = OTHER_COLUMNS[k];
        long.push(column(Other, n, s));
    }
    // Blank columns come from the end, stale ones right before them; the rest stay fresh.
    let n_long = long.len();
    let variants = [
        BlankVariant::EmptyList,
        BlankVariant::Placeholder("暂无信息"),
        BlankVariant::Placeholder("栏目建设中"),
        BlankVariant::Placeholder("敬请期待"),
        BlankVariant::Placeholder("暂无数据"),
    ];
    for (i, c) in long.iter_mut().enumerate() {
        let from_end = n_long - 1 - i;
        if from_end < prof.blank as usize {
            c.newest_age = None;
            c.blank = Some(*rng.pick(&variants));
        } else if from_end < (prof.blank + prof.other_stale) as usize {
            c.newest_age = Some(rng.range(372, 900));
        } else {
            c.newest_age = Some(rng.range(5, 170));
        }
    }
    let consult_name = match plan.category {
        Category::CityPortal => ("市长信箱", "szxx"),
        Category::CountyPortal => ("政务咨询", "zwzx"),
        Category::Department => ("局长信箱", "jzxx"),
        _ => ("领导信箱", "ldxx"),
    };
    let mut interact = vec![column(Consult, consult_name.0, consult_name.1)];
    interact[0].newest_age = Some(rng.range(1, 9));
    if plan.category.is_portal() || rng.chance(50) {
        let mut c = column(Interview, "在线访谈", "zxft");
        // A stale interview column: the same draw, moved past the 12-month window.
        let age = rng.range(10, 150);
        c.newest_age = Some(if prof.interview_stale { age + 400 } else { age });
        interact.push(c);
        let mut c = column(Survey, "征集调查", "zjdc");
        c.newest_age = Some(rng.range(10, 150));
        interact.push(c);
    }
    let mut service = column(Service, "办事指南", "bszn");
    service.newest_age = Some(rng.range(5, 120));

    // Group names never repeat a column name (a 工作动态 group over a 工作动态 column is ambiguous).
    let news_group = match plan.category {
        Category::Park => "园区资讯",
        _ => "新闻中心",
    };
    plan.groups = vec![
        news_group.to_string(),
        "政务公开".to_string(),
        "办事服务".to_string(),
        "互动交流".to_string(),
    ];
    let mut cols = Vec::new();
    for mut c in news {
        c.group = 0;
        cols.push(c);
    }
    for mut c in np.into_iter().chain(long) {
        c.group = 1;
        cols.push(c);
    }
    service.group = 2;
    cols.push(service);
    for mut c in interact {
        c.group = 3;
        cols.push(c);
    }
    // Featured on the homepage: the first news, notice and policy columns (plus a second news tab on portals).
    let mut seen = std::collections::BTreeMap::new();
    for c in cols.iter_mut() {
        let n = seen.entry(c.kind).or_insert(0u32);
        let limit = if c.kind == News && plan.category.is_portal() {
            2
        } else {
            1
        };
        if matches!(c.kind, News | Notice | Policy) && *n < limit {
            c.featured = true;
        }
        *n += 1;
    }
    for (i, c) in cols.iter_mut().enumerate() {
        c.id = 1300 + 7 * plan.index as u32 % 50 + i as u32;
    }
    for c in cols.iter_mut() {
        c.newest_age = c.newest_age.map(|a| safe_age(spec.as_of, a));
    }
    distribute_items(&mut cols, spec, plan.profile.unanswered, rng);
    plan.columns = cols;
    // Page-tag defects point at concrete columns.
    let pick_fresh = |cols: &[ColumnPlan], kind: ColumnKind, skip: usize| {
        cols.iter()
            .enumerate()
            .filter(|(_, c)| c.kind == kind && c.blank.is_none())
            .nth(skip)
            .map(|(i, _)| i)
    };
    if prof.no_site_id_column {
        if let Some(c) = pick_fresh(&plan.columns, Notice, 0) {
            plan.meta_defects
                .push(MetaDefect::NoSiteIdCode { column: c });
        }
    }
    if prof.no_column_tags_column {
        if let Some(c) = pick_fresh(&plan.columns, Policy, 0) {
            plan.meta_defects
                .push(MetaDefect::NoColumnTags { column: c });
        }
    }
    if prof.null_column_type_column {
        if let Some(c) = pick_fresh(&plan.columns, Interpretation, 0) {
            plan.meta_defects
                .push(MetaDefect::NullColumnType { column: c });
        }
    }
    if prof.content_source_missing > 0 {
        plan.meta_defects.push(MetaDefect::NoContentSource {
            n: prof.content_source_missing,
        });
    }
    if prof.bad_pubdate > 0 {
        plan.meta_defects.push(MetaDefect::BadPubDate {
            n: prof.bad_pubdate,
        });
    }
    if prof.siteid_mismatch {
        plan.meta_defects.push(MetaDefect::HomepageSiteIdMismatch);
    }
}

/// The smallest age ≥ `age` whose date lies at least 3 days from every window
/// start of the rulebook (14 days; 2, 3, 6 and 12 months before T).
pub(crate) fn safe_age(as_of: chrono::NaiveDate, age: u32) -> u32 {
    let starts = [
        as_of - chrono::Days::new(14),
        as_of
            .checked_sub_months(chrono::Months::new(2))
            .expect("date in range"),
        as_of
            .checked_sub_months(chrono::Months::new(3))
            .expect("date in range"),
        as_of
            .checked_sub_months(chrono::Months::new(6))
            .expect("date in range"),
        as_of
            .checked_sub_months(chrono::Months::new(12))
            .expect("date in range"),
    ];
    let mut a = age;
    loop {
        let d = as_of - chrono::Days::new(u64::from(a));
        if starts.iter().all(|s| (d - *s).num_days().abs() >= 3) {
            return a;
        }
        a += 1;
    }
}

/// Share the page budget between columns: news gets most, every live column at least 3 items
/// (a list of one or two entries is hard to tell from navigation, for people and checkers alike).
fn distribute_items(cols: &mut [ColumnPlan], spec: &FarmSpec, unanswered: u32, rng: &mut Rng) {
    let live: Vec<usize> = (0..cols.len())
        .filter(|&i| cols[i].blank.is_none())
        .collect();
    // Fixed pages: home, sitemap, search, three static pages, 404 + one list page per column.
    let fixed = 7 + cols.len();
    let budget = spec
        .pages_per_site
        .saturating_sub(fixed)
        .max(live.len() * 3);
    let weight = |k: ColumnKind| match k {
        ColumnKind::News => 4,
        ColumnKind::Notice | ColumnKind::Policy | ColumnKind::Consult => 2,
        _ => 1,
    };
    let total_w: usize = live.iter().map(|&i| weight(cols[i].kind)).sum();
    for &i in &live {
        let share = budget * weight(cols[i].kind) / total_w.max(1);
        let jitter = rng.range(0, 2) as usize;
        let mut n = share.max(3) + jitter;
        if cols[i].kind == ColumnKind::Consult {
            n = n.max(4 + unanswered as usize);
        }
        if cols[i].kind == ColumnKind::Service {
            n = n.clamp(3, 40);
        }
        cols[i].items = n;
    }
}
