//! Reading the bureau's site list: CSV (UTF-8 with or without BOM, or GBK as Excel
//! exports it) and XLSX, with English or Chinese headers.
//!
//! Every bad row is reported with its row number and the problem; nothing is dropped silently.
//!
//! What the list may hold is bounded: a home URL of at most [`MAX_URL_CHARS`] characters, a
//! name, sponsor or site code of at most [`MAX_TEXT_CHARS`], http or https only, and no user
//! name or password in a URL (refused by default; [`LoadOptions::strip_credentials`] strips
//! them with a warning instead). Values quoted back in errors are cut and never show a
//! password, so the errors are safe to log.

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

/// The longest home URL a site list may give (characters).
pub const MAX_URL_CHARS: usize = 2048;
/// The longest name, sponsor, site code or category a site list may give (characters).
pub const MAX_TEXT_CHARS: usize = 200;

/// How to read a site list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Strip a user name and password from a home URL (with a warning) instead of refusing the row.
    pub strip_credentials: bool,
}

/// A site list read: its sites, and warnings about rows that were changed (credentials stripped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loaded {
    pub sites: Vec<Site>,
    pub warnings: Vec<RowError>,
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
        "the site list {path} is not text in UTF-8/GBK/UTF-16 (looks like {looks_like}); \
         save it as CSV (UTF-8) or XLSX"
    )]
    NotText { path: String, looks_like: String },
    #[error(
        "site list {path}, row {row}: a quoted field opened here is never closed \
         (unclosed \"); close the quote or remove it"
    )]
    UnclosedQuote { path: String, row: usize },
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

/// Folds a header for matching: full-width forms to ASCII (the NFKC fold of U+FF01..U+FF5E and
/// the ideographic space), lower case, no white space, `_` or `-` at all (`Site Name`,
/// `site_name` and `site-name` are one header).
fn fold_header(header: &str) -> String {
    header
        .trim_start_matches('\u{feff}')
        .chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            '【' | '〔' => '[',
            '】' | '〕' => ']',
            _ => c,
        })
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The field a header names: the folded header itself, else the header without a bracketed
/// suffix (`首页地址（URL）`), else what the brackets hold.
fn field_of(header: &str) -> Option<Field> {
    let h = fold_header(header);
    if let Some(f) = field_of_folded(&h) {
        return Some(f);
    }
    let open = h.find(['(', '['])?;
    let inner = h[open + 1..].trim_end_matches([')', ']']);
    field_of_folded(&h[..open]).or_else(|| field_of_folded(inner))
}

fn field_of_folded(h: &str) -> Option<Field> {
    let f = match h {
        "name" | "site" | "sitename" | "网站名称" | "名称" | "站点名称" => Field::Name,
        "url" | "home" | "homeurl" | "homepage" | "首页地址" | "首页网址" | "网址" | "网站地址"
        | "首页url" => Field::Url,
        "category" | "type" | "网站类别" | "类别" | "网站类型" => Field::Category,
        "sitecode" | "siteidcode" | "网站标识码" | "标识码" => Field::SiteCode,
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

/// What undecodable bytes look like, when they are not text in UTF-8, GBK or UTF-16 with a BOM.
fn not_text(bytes: &[u8]) -> Option<String> {
    if encoding_rs::Encoding::for_bom(bytes).is_some() {
        return None;
    }
    let head = &bytes[..bytes.len().min(4096)];
    if head.starts_with(b"PK\x03\x04") {
        return Some("a ZIP file, e.g. an XLSX workbook: name it .xlsx".into());
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Some("an old Excel .xls workbook: save it as .xlsx or CSV".into());
    }
    if head.starts_with(b"%PDF") {
        return Some("a PDF document".into());
    }
    let nul_even = head.iter().step_by(2).filter(|&&b| b == 0).count();
    let nul_odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let half = head.len() / 2;
    if half > 0 && nul_odd * 4 > half && nul_even * 10 < half {
        return Some("UTF-16 little-endian without a BOM".into());
    }
    if half > 0 && nul_even * 4 > half && nul_odd * 10 < half {
        return Some("UTF-16 big-endian without a BOM".into());
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
        .count();
    if head.contains(&0) || control * 20 > head.len() {
        return Some("binary data".into());
    }
    if std::str::from_utf8(bytes).is_err() {
        let (_, _, had_errors) = encoding_rs::GB18030.decode(bytes);
        if had_errors {
            return Some("neither UTF-8 nor GBK text".into());
        }
    }
    None
}

/// Decodes site-list bytes as [`decode_csv_bytes`] does, after refusing what is not text
/// (UTF-16 without a BOM, binary files, workbooks saved with a .csv name).
pub fn decode_site_list_bytes(bytes: &[u8], origin: &str) -> Result<String, SiteListError> {
    if let Some(looks_like) = not_text(bytes) {
        return Err(SiteListError::NotText {
            path: origin.into(),
            looks_like,
        });
    }
    Ok(decode_csv_bytes(bytes))
}

/// Reads a site list from a `.csv` or `.xlsx` file, refusing URLs with credentials.
pub fn load(path: &Path) -> Result<Vec<Site>, SiteListError> {
    load_with(path, LoadOptions::default()).map(|l| l.sites)
}

/// Reads a site list from a `.csv` or `.xlsx` file with the given options.
pub fn load_with(path: &Path, opts: LoadOptions) -> Result<Loaded, SiteListError> {
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
        read_csv(&decode_site_list_bytes(&bytes, &p)?, &p)?
    };
    parse_rows(rows, &p, opts)
}

/// Parses CSV text (already decoded), refusing URLs with credentials.
pub fn parse_csv(text: &str, origin: &str) -> Result<Vec<Site>, SiteListError> {
    parse_csv_with(text, origin, LoadOptions::default()).map(|l| l.sites)
}

/// Parses CSV text (already decoded) with the given options.
pub fn parse_csv_with(
    text: &str,
    origin: &str,
    opts: LoadOptions,
) -> Result<Loaded, SiteListError> {
    parse_rows(read_csv(text, origin)?, origin, opts)
}

/// The 1-based row (record) where a quoted field opens and never closes, if one does. A quote
/// opens a quoted field only at the start of a field, as the CSV reader has it.
fn unclosed_quote_row(text: &str) -> Option<usize> {
    let mut row = 1;
    let mut at_field_start = true;
    let mut open_row = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if open_row.is_some() {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                } else {
                    open_row = None;
                    at_field_start = false;
                }
            } else if c == '\n' {
                row += 1;
            }
            continue;
        }
        match c {
            '"' if at_field_start => open_row = Some(row),
            ',' => at_field_start = true,
            '\n' => {
                row += 1;
                at_field_start = true;
            }
            '\r' => {}
            _ => at_field_start = false,
        }
    }
    open_row
}

fn read_csv(text: &str, origin: &str) -> Result<Vec<Vec<String>>, SiteListError> {
    if let Some(row) = unclosed_quote_row(text) {
        return Err(SiteListError::UnclosedQuote {
            path: origin.into(),
            row,
        });
    }
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

/// At most `n` characters of `s`, with an ellipsis and the full length when cut: for errors and logs.
pub fn clip(s: &str, n: usize) -> String {
    let len = s.chars().count();
    if len <= n {
        s.to_string()
    } else {
        let head: String = s.chars().take(n).collect();
        format!("{head}…（{len} characters）")
    }
}

/// A URL as written in a site list, with any user name and password hidden and cut to a
/// loggable length: what errors may quote.
pub fn redact_url_text(raw: &str) -> String {
    let t = raw.trim();
    let start = t.find("://").map_or(0, |i| i + 3);
    let rest = &t[start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let shown = match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***@{}", &t[..start], &rest[at + 1..]),
        None => t.to_string(),
    };
    clip(&shown, 120)
}

fn parse_rows(
    rows: Vec<Vec<String>>,
    origin: &str,
    opts: LoadOptions,
) -> Result<Loaded, SiteListError> {
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
    let found = clip(
        &header
            .iter()
            .map(|h| clip(h, 40))
            .collect::<Vec<_>>()
            .join(", "),
        200,
    );
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
    let mut warnings = Vec::new();
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
        let mut too_long = false;
        for (f, label, max) in [
            (Field::Name, "site name", MAX_TEXT_CHARS),
            (Field::Url, "home URL", MAX_URL_CHARS),
            (Field::Category, "category", MAX_TEXT_CHARS),
            (Field::SiteCode, "site code", MAX_TEXT_CHARS),
            (Field::Sponsor, "sponsor", MAX_TEXT_CHARS),
        ] {
            let len = get(&r, f).chars().count();
            if len > max {
                too_long = true;
                problems.push(format!(
                    "the {label} is {len} characters long (at most {max})"
                ));
            }
        }
        if too_long {
            errors.push(RowError {
                row,
                problem: problems.join("; "),
            });
            continue;
        }
        if name.is_empty() {
            problems.push("missing site name".to_string());
        }
        let url = if raw_url.is_empty() {
            problems.push("missing home URL".to_string());
            None
        } else {
            match parse_home_url(&raw_url) {
                Ok(u) if u.username().is_empty() && u.password().is_none() => Some(u),
                Ok(mut u) if opts.strip_credentials => {
                    let _ = u.set_username("");
                    let _ = u.set_password(None);
                    warnings.push(RowError {
                        row,
                        problem: format!(
                            "the home URL carried a user name or password; stripped, checking {u}"
                        ),
                    });
                    Some(u)
                }
                Ok(_) => {
                    problems.push(format!(
                        "the home URL {} carries a user name or password; remove them from \
                         the site list (or pass --strip-url-credentials to strip them)",
                        redact_url_text(&raw_url)
                    ));
                    None
                }
                Err(e) => {
                    problems.push(format!(
                        "invalid home URL {:?}: {e}",
                        redact_url_text(&raw_url)
                    ));
                    None
                }
            }
        };
        let category = if raw_cat.is_empty() {
            Some(Category::Other)
        } else {
            let c = Category::parse(&raw_cat);
            if c.is_none() {
                let raw_cat = clip(&raw_cat, 40);
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
                    problem: format!(
                        "duplicate site {} (first listed in row {first})",
                        clip(site.url.as_str(), 120)
                    ),
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
    Ok(Loaded { sites, warnings })
}

/// The scheme a URL text starts with (`javascript` of `javascript:alert(1)`), when it has one
/// that is not a host name followed by a port (`www.a.gov.cn:8080`).
fn explicit_scheme(t: &str) -> Option<&str> {
    let (scheme, rest) = t.split_once(':')?;
    let is_scheme = !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let port_follows = !authority.is_empty() && authority.chars().all(|c| c.is_ascii_digit());
    // `user:password@host` without a scheme is an authority, not a scheme.
    let userinfo_follows = authority.contains('@');
    let bare = !port_follows && !userinfo_follows;
    (is_scheme && !scheme.contains('.') && (rest.starts_with("//") || bare)).then_some(scheme)
}

/// Parses a home URL as written in a site list; a missing scheme means http.
pub fn parse_home_url(raw: &str) -> Result<Url, String> {
    let t = raw.trim();
    if let Some(scheme) = explicit_scheme(t) {
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(format!(
                "URL scheme {} is not http or https",
                clip(&scheme.to_ascii_lowercase(), 20)
            ));
        }
    }
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

    fn row_errors(err: &SiteListError) -> &[RowError] {
        match err {
            SiteListError::Rows { errors, .. } => errors,
            other => panic!("not a row error: {other}"),
        }
    }

    #[test]
    fn credentials_in_urls_are_refused_without_showing_the_password() {
        let t = "name,url\nA,http://admin:S3cretPW@a.gov.cn/\nB,admin:S3cretPW@b.gov.cn\n";
        let err = parse_csv(t, "t").unwrap_err();
        let text = err.to_string();
        assert!(!text.contains("S3cretPW"), "{text}");
        let errors = row_errors(&err);
        assert_eq!(errors.len(), 2, "{text}");
        assert_eq!(errors[0].row, 2);
        assert!(
            errors[0].problem.contains("user name or password"),
            "{text}"
        );
        assert!(errors[0].problem.contains("http://***@a.gov.cn/"), "{text}");
        assert!(text.contains("--strip-url-credentials"), "{text}");
    }

    #[test]
    fn credentials_can_be_stripped_with_a_warning() {
        let t = "name,url\nA,http://admin:S3cretPW@a.gov.cn/x\n";
        let opts = LoadOptions {
            strip_credentials: true,
        };
        let l = parse_csv_with(t, "t", opts).unwrap();
        assert_eq!(l.sites[0].url.as_str(), "http://a.gov.cn/x");
        assert_eq!(l.warnings.len(), 1);
        assert_eq!(l.warnings[0].row, 2);
        assert!(!l.warnings[0].to_string().contains("S3cretPW"));
    }

    #[test]
    fn overlong_cells_are_refused_and_not_quoted() {
        let long_url = format!("http://a.gov.cn/{}", "x".repeat(1_000_000));
        let long_name = "名".repeat(201);
        let t = format!("name,url\nA,{long_url}\n{long_name},http://b.gov.cn/\n");
        let err = parse_csv(&t, "t").unwrap_err();
        let text = err.to_string();
        assert!(
            text.len() < 1000,
            "the error quotes the cell: {} bytes",
            text.len()
        );
        let errors = row_errors(&err);
        assert_eq!(errors[0].row, 2);
        assert!(
            errors[0]
                .problem
                .contains("home URL is 1000016 characters long (at most 2048)"),
            "{text}"
        );
        assert_eq!(errors[1].row, 3);
        assert!(
            errors[1].problem.contains("site name is 201 characters"),
            "{text}"
        );
    }

    #[test]
    fn utf16_without_bom_and_binary_are_not_text() {
        let text = "网站名称,首页地址\nA,http://a.gov.cn/\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let err = decode_site_list_bytes(&le, "t").unwrap_err().to_string();
        assert!(err.contains("is not text in UTF-8/GBK/UTF-16"), "{err}");
        assert!(err.contains("UTF-16 little-endian without a BOM"), "{err}");
        let ascii_le: Vec<u8> = "name,url\nA,http://a.gov.cn/\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let err = decode_site_list_bytes(&ascii_le, "t")
            .unwrap_err()
            .to_string();
        assert!(err.contains("UTF-16 little-endian"), "{err}");
        let be: Vec<u8> = "name,url\nA,http://a.gov.cn/\n"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        let err = decode_site_list_bytes(&be, "t").unwrap_err().to_string();
        assert!(err.contains("UTF-16 big-endian"), "{err}");
        let binary: Vec<u8> = (0..2048u32).map(|i| (i * 7919 % 251) as u8).collect();
        let err = decode_site_list_bytes(&binary, "t")
            .unwrap_err()
            .to_string();
        assert!(err.contains("binary data"), "{err}");
        let zip = b"PK\x03\x04\x14\x00\x06\x00rest";
        let err = decode_site_list_bytes(zip, "t").unwrap_err().to_string();
        assert!(err.contains("XLSX"), "{err}");
        // Text still decodes: UTF-8, GBK, UTF-16 with a BOM.
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(decode_site_list_bytes(&gbk, "t").unwrap(), text);
        let mut bom = vec![0xFF, 0xFE];
        bom.extend_from_slice(&le);
        assert_eq!(decode_site_list_bytes(&bom, "t").unwrap(), text);
        assert_eq!(decode_site_list_bytes(text.as_bytes(), "t").unwrap(), text);
    }

    #[test]
    fn an_unclosed_quote_is_named_with_its_row() {
        let t = "name,url\nA,http://a.gov.cn/\n\"B,http://b.gov.cn/\nC,http://c.gov.cn/\n";
        let err = parse_csv(t, "t").unwrap_err();
        assert!(
            matches!(err, SiteListError::UnclosedQuote { row: 3, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("row 3"), "{err}");
        // Quotes that close, doubled quotes and a quote inside a field are fine.
        let ok = "name,url\n\"A, \"\"the\"\" 局\",http://a.gov.cn/\nB\"x,http://b.gov.cn/\n";
        let s = parse_csv(ok, "t").unwrap();
        assert_eq!(s[0].name, "A, \"the\" 局");
        assert_eq!(s[1].name, "B\"x");
    }

    #[test]
    fn other_schemes_are_explained() {
        for (raw, scheme) in [
            ("javascript:alert(1)", "javascript"),
            ("ftp://a.gov.cn/", "ftp"),
            ("file:///etc/passwd", "file"),
            ("data:text/html,hi", "data"),
        ] {
            let e = parse_home_url(raw).unwrap_err();
            assert_eq!(
                e,
                format!("URL scheme {scheme} is not http or https"),
                "{raw}"
            );
        }
        for ok in [
            "www.a.gov.cn:8080",
            "localhost:8080/x",
            "127.0.0.1:9000",
            "HTTPS://a.gov.cn",
        ] {
            assert!(parse_home_url(ok).is_ok(), "{ok}");
        }
        let t = "name,url\nA,javascript:alert(1)\n";
        let err = parse_csv(t, "t").unwrap_err().to_string();
        assert!(
            err.contains("row 2: invalid home URL \"javascript:alert(1)\": URL scheme javascript is not http or https"),
            "{err}"
        );
    }

    #[test]
    fn header_variants_are_accepted() {
        for header in [
            "网站 名称,首页地址",
            "网站名称,ＵＲＬ",
            "网站名称,首页地址（URL）",
            "网站名称（必填）,首页地址(必填)",
            "Site Name,Home URL",
            "【网站名称】,网址",
            "\u{3000}网站名称\u{3000},Ｕｒｌ",
        ] {
            let t = format!("{header}\nA局,http://a.gov.cn/\n");
            let s = parse_csv(&t, "t").unwrap_or_else(|e| panic!("{header}: {e}"));
            assert_eq!(s[0].name, "A局", "{header}");
        }
    }

    #[test]
    fn station_cluster_homepages_differing_by_query_are_distinct() {
        let t =
            "name,url\nA,http://zq.gov.cn/index.php?site=a\nB,http://zq.gov.cn/index.php?site=b\n";
        let s = parse_csv(t, "t").unwrap();
        assert_eq!(s.len(), 2);
        assert_ne!(s[0].key(), s[1].key());
        let dup = "name,url\nA,http://zq.gov.cn/index.php?site=a\nA2,http://zq.gov.cn/index.php?site=a#top\nC,http://c.gov.cn/\nC2,http://c.gov.cn\n";
        let err = parse_csv(dup, "t").unwrap_err();
        let rows: Vec<usize> = row_errors(&err).iter().map(|e| e.row).collect();
        assert_eq!(rows, vec![3, 5], "{err}");
    }
}
