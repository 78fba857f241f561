//! Sites as the bureau lists them, and their categories.

use serde::{Deserialize, Serialize};
use url::Url;

/// The category of a site, as broken down in the quarterly notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 市级门户
    CityPortal,
    /// 市级部门
    Department,
    /// 县市区门户
    CountyPortal,
    /// 园区
    Park,
    /// 其他
    Other,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::CityPortal,
        Category::Department,
        Category::CountyPortal,
        Category::Park,
        Category::Other,
    ];

    /// The label used in the notice.
    pub fn label_zh(self) -> &'static str {
        match self {
            Category::CityPortal => "市级门户",
            Category::Department => "市级部门",
            Category::CountyPortal => "县市区门户",
            Category::Park => "园区",
            Category::Other => "其他",
        }
    }

    /// The English key used in JSON.
    pub fn key(self) -> &'static str {
        match self {
            Category::CityPortal => "city_portal",
            Category::Department => "department",
            Category::CountyPortal => "county_portal",
            Category::Park => "park",
            Category::Other => "other",
        }
    }

    /// Whether the site is a government portal (门户网站), which the scoring treats specially.
    pub fn is_portal(self) -> bool {
        matches!(self, Category::CityPortal | Category::CountyPortal)
    }

    /// Parses an English key or a Chinese label (including common variants).
    pub fn parse(s: &str) -> Option<Category> {
        let t = s.trim();
        let by_key = Category::ALL
            .into_iter()
            .find(|c| c.key().eq_ignore_ascii_case(t) || c.label_zh() == t);
        if by_key.is_some() {
            return by_key;
        }
        let c = match t {
            "" => return None,
            "市级门户网站" | "市政府门户" | "市政府门户网站" | "市级政府门户" => {
                Category::CityPortal
            }
            "市级部门网站" | "部门" | "部门网站" => Category::Department,
            "县市区门户网站"
            | "县（市、区）门户"
            | "县（市、区）门户网站"
            | "县(市、区)门户"
            | "县（区）门户"
            | "县级门户"
            | "区县门户" => Category::CountyPortal,
            "园区网站" | "开发区" | "园区/开发区" | "开发区网站" => Category::Park,
            "其他网站" => Category::Other,
            _ => return None,
        };
        Some(c)
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// One government website to inspect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    /// 网站名称
    pub name: String,
    /// 首页地址
    pub url: Url,
    /// 网站类别
    pub category: Category,
    /// 网站标识码, when the site list gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_code: Option<String>,
    /// 主办单位 (the site owner, 填报单位 in the annex), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sponsor: Option<String>,
}

impl Site {
    /// The stable key of a site within a run: its normalised home URL.
    pub fn key(&self) -> String {
        site_key(&self.url)
    }

    /// The owner to show in the annex: the sponsor when known, else the site name.
    pub fn owner(&self) -> &str {
        self.sponsor.as_deref().unwrap_or(&self.name)
    }
}

/// Normalised home URL used as a site's key (scheme, lowercase host, port, path and query; no
/// fragment). The query stays: the homepages of a station cluster (站群) often differ only by it
/// (`/index.php?site=a`, `?site=b`), and each is a site of its own.
pub fn site_key(url: &Url) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    if u.query() == Some("") {
        u.set_query(None);
    }
    let s = u.as_str();
    match u.query() {
        Some(_) => s.to_string(),
        None => s.strip_suffix('/').unwrap_or(s).to_string(),
    }
}
