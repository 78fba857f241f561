//! Reading the bureau's site list: CSV (UTF-8 with or without BOM, or GBK as Excel
//! exports it) and XLSX, with English or Chinese headers.
//!
//! Every bad row is reported with its row number and the problem; nothing is dropped silently.

use std::collections::HashMap;
use std::path::Path;

use url::Url;

use crate::site::{Category, Site};

/// A problem with one row of the site list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based row number as a spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub problem: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}: {}", self.row, self.problem)
    }
}

/// Why a site list could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SiteListError {
    #[error("cannot read site list {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot parse site list {path}: {detail}")]
    Format { path: String, detail: String },
    #[error(
        "site list {path} has no column for {missing}; expected headers such as \
         name/网站名称, url/首页地址, category/网站类别 (found: {found})"
    )]
    MissingColumn {
        path: String,
        missing: &'static str,
        found: String,
    },
    #[error("site list {path} has {} bad row(s); fix them and run again:\n{}", .errors.len(), render(.errors))]
    Rows { path: String, errors: Vec<RowError> },
    #[error("site list {path} lists no site")]
    Empty { path: String },
}

fn render(errors: &[RowError]) -> String {
    errors
        .iter()
        .map(|e| format!("  {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Field {
    Name,
    Url,
    Category,
    SiteCode,
    Sponsor,
}

fn field_of(header: &str) -> Option<Field> {
    let h = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    let f = match h.as_str() {
        "name" | "site" | "site_name" | "网站名称" | "名称" | "站点名称" => Field::Name,
        "url" | "home" | "home_url" | "homepage" | "首页地址" | "首页网址" | "网址"
        | "网站地址" | "首页url" => Field::Url,
        "category" | "type" | "网站类别" | "类别" | "网站类型" => Field::Category,
        "site_code" | "sitecode" | "site_id_code" | "网站标识码" | "标识码" => {
            Field::SiteCode
        }
        "sponsor" | "owner" | "主办单位" | "填报单位" => Field::Sponsor,
        _ => return None,
    };
    Some(f)
}

/// Decodes CSV bytes: BOM first, then strict UTF-8, else GB18030 (a superset of GBK and GB2312).
pub fn decode_csv_bytes(bytes: &[u8]) -> String {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return text.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// Reads a site list from a `.csv` or `.xlsx` file.
pub fn load(path: &Path) -> Result<Vec<Site>, SiteListError> {
    let p = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let rows = if ext == "xlsx" || ext == "xlsm" || ext == "xls" {
        read_xlsx(path)?
    } else {
        let bytes = std::fs::read(path).map_err(|source| SiteListError::Io {
            path: p.clone(),
            source,
        })?;
        read_csv(&decode_csv_bytes(&bytes), &p)?
    };
    parse_rows(rows, &p)
}

/// Parses CSV text (already decoded).
pub fn parse_csv(text: &str, origin: &str) -> Result<Vec<Site>, SiteListError> {
    parse_rows(read_csv(text, origin)?, origin)
}

fn read_csv(text: &str, origin: &str) -> Result<Vec<Vec<String>>, SiteListError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| SiteListError::Format {
            path: origin.to_string(),
            detail: e.to_string(),
        })?;
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

fn read_xlsx(path: &Path) -> Result<Vec<Vec<String>>, SiteListError> {
    use calamine::{open_workbook_auto, Reader};
    let p = path.display().to_string();
    let mut wb = open_workbook_auto(path).map_err(|e| SiteListError::Format {
        path: p.clone(),
        detail: e.to_string(),
    })?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| SiteListError::Format {
            path: p.clone(),
            detail: "the workbook has no sheet".into(),
        })?
        .map_err(|e| SiteListError::Format {
            path: p.clone(),
            detail: e.to_string(),
        })?;
    Ok(range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect())
}

fn parse_rows(rows: Vec<Vec<String>>, origin: &str) -> Result<Vec<Site>, SiteListError> {
    let mut rows = rows.into_iter().enumerate();
    // The header is the first non-empty row.
    let (header_idx, header) = loop {
        match rows.next() {
            Some((i, r)) if r.iter().any(|c| !c.trim().is_empty()) => break (i, r),
            Some(_) => continue,
            None => {
                return Err(SiteListError::Empty {
                    path: origin.into(),
                })
            }
        }
    };
    let mut cols: HashMap<Field, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        if let Some(f) = field_of(h) {
            cols.entry(f).or_insert(i);
        }
    }
    let found = header.join(", ");
    for (f, name) in [(Field::Name, "the site name"), (Field::Url, "the home URL")] {
        if !cols.contains_key(&f) {
            return Err(SiteListError::MissingColumn {
                path: origin.into(),
                missing: name,
                found,
            });
        }
    }
    let get = |r: &Vec<String>, f: Field| -> String {
        cols.get(&f)
            .and_then(|&i| r.get(i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let mut sites = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, r) in rows {
        let row = i + 1;
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let name = get(&r, Field::Name);
        let raw_url = get(&r, Field::Url);
        let raw_cat = get(&r, Field::Category);
        let mut problems = Vec::new();
        if name.is_empty() {
            problems.push("missing site name".to_string());
        }
        let url = if raw_url.is_empty() {
            problems.push("missing home URL".to_string());
            None
        } else {
            match parse_home_url(&raw_url) {
                Ok(u) => Some(u),
                Err(e) => {
                    problems.push(format!("invalid home URL {raw_url:?}: {e}"));
                    None
                }
            }
        };
        let category = if raw_cat.is_empty() {
            Some(Category::Other)
        } else {
            let c = Category::parse(&raw_cat);
            if c.is_none() {
                problems.push(format!(
                    "unknown category {raw_cat:?} (use city_portal/市级门户, department/市级部门, \
                     county_portal/县市区门户, park/园区 or other/其他)"
                ));
            }
            c
        };
        let site_code = Some(get(&r, Field::SiteCode)).filter(|s| !s.is_empty());
        let sponsor = Some(get(&r, Field::Sponsor)).filter(|s| !s.is_empty());
        if let (Some(url), Some(category), true) = (url, category, problems.is_empty()) {
            let site = Site {
                name,
                url,
                category,
                site_code,
                sponsor,
            };
            let key = site.key();
            if let Some(first) = seen.get(&key) {
                errors.push(RowError {
                    row,
                    problem: format!("duplicate site {} (first listed in row {first})", site.url),
                });
                continue;
            }
            seen.insert(key, row);
            sites.push(site);
        } else {
            errors.push(RowError {
                row,
                problem: problems.join("; "),
            });
        }
    }
    let _ = header_idx;
    if !errors.is_empty() {
        return Err(SiteListError::Rows {
            path: origin.into(),
            errors,
        });
    }
    if sites.is_empty() {
        return Err(SiteListError::Empty {
            path: origin.into(),
        });
    }
    Ok(sites)
}

/// Parses a home URL as written in a site list; a missing scheme means http.
pub fn parse_home_url(raw: &str) -> Result<Url, String> {
    let t = raw.trim();
    let with_scheme = if t.contains("://") {
        t.to_string()
    } else {
        format!("http://{t}")
    };
    let u = Url::parse(&with_scheme).map_err(|e| e.to_string())?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(format!("scheme {} is not http or https", u.scheme()));
    }
    match u.host_str() {
        None | Some("") => return Err("no host".into()),
        Some(h) if !h.contains('.') && h != "localhost" && !h.starts_with('[') => {
            return Err(format!("host {h:?} is not a domain name or address"))
        }
        _ => {}
    }
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_english_and_chinese_headers() {
        let en = "name,url,category\nA局,http://a.gov.cn/,department\n";
        let s = parse_csv(en, "t").unwrap();
        assert_eq!(s[0].category, Category::Department);
        let zh = "网站名称,首页网址,网站类别,网站标识码,主办单位\nB市,www.b.gov.cn,市级门户,5101000001,B市人民政府\n";
        let s = parse_csv(zh, "t").unwrap();
        assert_eq!(s[0].url.as_str(), "http://www.b.gov.cn/");
        assert_eq!(s[0].category, Category::CityPortal);
        assert_eq!(s[0].site_code.as_deref(), Some("5101000001"));
        assert_eq!(s[0].owner(), "B市人民政府");
    }

    #[test]
    fn bad_rows_are_named_not_dropped() {
        let t = "name,url,category\nA,http://a.gov.cn/,department\n,http://b.gov.cn/,park\nC,,park\nD,ftp://d,park\nE,http://a.gov.cn,other\nF,http://f.gov.cn,区县\n";
        let err = parse_csv(t, "t").unwrap_err();
        let SiteListError::Rows { errors, .. } = &err else {
            panic!("{err}")
        };
        let rows: Vec<usize> = errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, vec![3, 4, 5, 6, 7]);
        assert!(errors[0].problem.contains("missing site name"));
        assert!(errors[1].problem.contains("missing home URL"));
        assert!(errors[2].problem.contains("invalid home URL"));
        assert!(errors[3].problem.contains("duplicate"));
        assert!(errors[4].problem.contains("unknown category"));
        assert!(err.to_string().contains("row 4: missing home URL"));
    }

    #[test]
    fn gbk_and_bom_csv_decode() {
        let text = "网站名称,首页地址,网站类别\n丰阳市商务局,http://127.0.0.9/,市级部门\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let s = parse_csv(&decode_csv_bytes(&gbk), "t").unwrap();
        assert_eq!(s[0].name, "丰阳市商务局");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        let s = parse_csv(&decode_csv_bytes(&bom), "t").unwrap();
        assert_eq!(s[0].category, Category::Department);
    }

    #[test]
    fn missing_url_column_is_explained() {
        let err = parse_csv("name,foo\nA,b\n", "t").unwrap_err();
        assert!(err.to_string().contains("home URL"), "{err}");
    }

    #[test]
    fn reads_xlsx() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sites.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["网站名称", "首页地址", "网站类别"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (c, v) in ["丰阳园区", "http://127.0.0.9:8080/", "园区"]
            .iter()
            .enumerate()
        {
            ws.write_string(1, c as u16, *v).unwrap();
        }
        wb.save(&path).unwrap();
        let s = load(&path).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].category, Category::Park);
        assert_eq!(s[0].url.port(), Some(8080));
    }
}
