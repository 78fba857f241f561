//! Compares `analyze` output with /work/shared/real-pages/expected.json (shared by the
//! `real_pages` test and the `accuracy` example).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

/// Where the real pages live: `<repo>/../shared/real-pages`.
pub fn real_pages_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/real-pages")
}

/// One compared field of one page.
pub struct Check {
    pub file: String,
    pub field: String,
    pub ok: bool,
    pub detail: String,
}

/// Fields excluded from scoring, with the reason (see docs/analysis-accuracy.md).
pub fn excluded(file: &str, field: &str) -> Option<&'static str> {
    match (file, field) {
        ("city_fangchenggang_portal_article.html", "footer.contact.value") => Some(
            "expected.json gives the 联系我们 link, but the footer also shows the contact line \
             联系地址：防城港市行政中心区市政府楼 邮编：538001, which analyze reports (text is preferred over a link \
             on every other page of the corpus)",
        ),
        ("district_guangzhou_nansha_article.html", "breadcrumb") => Some(
            "expected.json only looked for the word 当前位置; the page labels its breadcrumb 您现在的位置 \
             (首页 > 广州市南沙区统计局 > 政务动态), which analyze reports",
        ),
        _ => None,
    }
}

fn enc_family(name: &str) -> String {
    match name.to_ascii_uppercase().as_str() {
        "GB2312" | "GBK" | "GB18030" => "GB18030".into(),
        other => other.into(),
    }
}

fn digits_and_mails(s: &str) -> Vec<String> {
    let re = regex::Regex::new(r"[\w.-]+@[\w.-]+|\d[\d-]{4,}\d").unwrap();
    re.find_iter(s).map(|m| m.as_str().to_string()).collect()
}

fn footer_value_ok(key: &str, expected: &Value, ours: Option<&str>) -> bool {
    let norm = |s: &str| s.replace("&amp;", "&").trim().to_string();
    match expected {
        Value::Null => true,
        Value::Array(list) => {
            ours.is_some_and(|o| list.iter().any(|v| v.as_str().map(norm) == Some(norm(o))))
        }
        Value::String(v) => {
            let Some(o) = ours else { return false };
            let looks_link = v.starts_with('/') || v.starts_with("http") || v.starts_with('.');
            if key == "conac_badge" {
                // The badge is identified by its id; expected.json keeps http:// once.
                let id = |s: &str| s.rsplit("id=").next().unwrap_or("").to_ascii_uppercase();
                return id(v) == id(o);
            }
            if key == "contact" && !looks_link {
                let want = digits_and_mails(v);
                if want.is_empty() {
                    return o.contains(v.as_str());
                }
                return want.iter().any(|w| o.contains(w.as_str()));
            }
            norm(v) == norm(o)
        }
        _ => false,
    }
}

/// Runs `analyze` on every page of expected.json and compares the fields.
pub fn run_all() -> Result<Vec<Check>, String> {
    let dir = real_pages_dir();
    let exp_path = dir.join("expected.json");
    let text = std::fs::read_to_string(&exp_path).map_err(|e| {
        format!(
            "cannot read {} ({e}): the real-page corpus must be at <repo>/../shared/real-pages",
            exp_path.display()
        )
    })?;
    let exp: Value = serde_json::from_str(&text).map_err(|e| format!("expected.json: {e}"))?;
    let files = exp["files"]
        .as_object()
        .ok_or("expected.json has no files")?;
    let mut checks = Vec::new();
    let bc_sep = regex::Regex::new(r"\s*(?:>>|>|»)\s*|\s+").unwrap();
    for (file, e) in files {
        let body = std::fs::read(dir.join(file)).map_err(|err| format!("{file}: {err}"))?;
        let url = e["original_url"]
            .as_str()
            .unwrap_or("https://real-pages.invalid/page.html");
        let url = url::Url::parse(url).map_err(|err| format!("{file}: {err}"))?;
        let facts = pucha_analyze::analyze(&body, &url, None);
        let mut push = |field: String, ok: bool, detail: String| {
            if excluded(file, &field).is_none() {
                checks.push(Check {
                    file: file.clone(),
                    field,
                    ok,
                    detail,
                });
            }
        };

        let want = enc_family(e["encoding"]["actual"].as_str().unwrap_or(""));
        let got = enc_family(&facts.encoding);
        push(
            "encoding".into(),
            want == got,
            format!("want {want}, got {got}"),
        );

        let mut metas: BTreeMap<String, Value> = BTreeMap::new();
        if let Some(m) = e["meta"].as_object() {
            metas.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        if let Some(m) = e["meta_other_standard_like"].as_object() {
            metas.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        for (k, v) in metas {
            let want = match &v {
                Value::Array(a) => a
                    .first()
                    .and_then(Value::as_str)
                    .map(|s| s.trim().to_string()),
                Value::String(s) => Some(s.trim().to_string()),
                _ => None,
            };
            let got = facts.meta(&k).map(str::to_string);
            push(
                format!("meta.{k}"),
                want == got,
                format!("want {want:?}, got {got:?}"),
            );
        }

        let footer = serde_json::to_value(&facts.footer).unwrap();
        for key in [
            "conac_badge",
            "site_id_code",
            "icp",
            "psb",
            "sponsor",
            "contact",
            "sitemap",
            "jiucuo",
        ] {
            let ev = &e["footer"][key];
            let want_present = ev["present"].as_bool().unwrap_or(false);
            let got_present = footer[key]["present"].as_bool().unwrap_or(false);
            push(
                format!("footer.{key}.present"),
                want_present == got_present,
                format!("want {want_present}, got {got_present}"),
            );
            if want_present && !ev["value"].is_null() {
                let got = footer[key]["value"].as_str();
                push(
                    format!("footer.{key}.value"),
                    footer_value_ok(key, &ev["value"], got),
                    format!("want {}, got {got:?}", ev["value"]),
                );
            }
        }

        let want_count = e["dated_list_items"]["count"].as_u64().unwrap_or(0) as usize;
        let got_count = facts.dated_items.len();
        push(
            "dated_items.count".into(),
            want_count == got_count,
            format!(
                "want {want_count}, got {got_count}: {:?}",
                facts
                    .dated_items
                    .iter()
                    .map(|d| (&d.title, d.date))
                    .collect::<Vec<_>>()
            ),
        );
        let want_newest = e["dated_list_items"]["newest"].as_str().map(str::to_string);
        let got_newest = facts
            .dated_items
            .iter()
            .map(|d| d.date)
            .max()
            .map(|d| d.to_string());
        push(
            "dated_items.newest".into(),
            want_newest == got_newest,
            format!("want {want_newest:?}, got {got_newest:?}"),
        );

        let want_kind = match e["page_kind"].as_str().unwrap_or("") {
            k if k.starts_with("homepage") => "home",
            _ => "content",
        };
        let got_kind = serde_json::to_value(facts.kind).unwrap();
        push(
            "kind".into(),
            got_kind == want_kind,
            format!("want {want_kind}, got {got_kind}"),
        );

        let want_bc: Vec<String> = e["breadcrumb_column_path"]
            .as_str()
            .map(|s| s.split(" (").next().unwrap_or(s))
            .map(|s| {
                bc_sep
                    .split(s.trim())
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        push(
            "breadcrumb".into(),
            facts.breadcrumb == want_bc,
            format!("want {want_bc:?}, got {:?}", facts.breadcrumb),
        );

        let want_pub = e["displayed_pubdate"]
            .as_str()
            .and_then(|s| pucha_analyze::parse_date(s, None))
            .map(|d| d.to_string());
        let got_pub = facts.published.map(|d| d.to_string());
        push(
            "published".into(),
            want_pub == got_pub,
            format!("want {want_pub:?}, got {got_pub:?}"),
        );
    }
    Ok(checks)
}

/// Per-field (group) accuracy: field → (right, total).
pub fn table(checks: &[Check]) -> BTreeMap<String, (usize, usize)> {
    let mut t: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for c in checks {
        let group = if c.field.starts_with("meta.") {
            "meta (all tags)".to_string()
        } else {
            c.field.clone()
        };
        let e = t.entry(group).or_default();
        e.1 += 1;
        if c.ok {
            e.0 += 1;
        }
    }
    t
}
