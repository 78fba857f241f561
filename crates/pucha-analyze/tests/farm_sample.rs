//! The synthetic farm sample (/work/shared/farm-sample, two CMS styles, UTF-8 and GBK
//! sites): list pages, blank columns, message boards, service guides and footers must
//! come out as truth.json says.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pucha_analyze::{analyze_with, AnalyzeOptions};
use pucha_core::PageFacts;
use serde_json::Value;

fn farm_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/farm-sample")
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): the farm sample must be at <repo>/../shared/farm-sample",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("json")
}

struct Farm {
    dir: PathBuf,
    truth: Value,
    serve: Value,
    today: chrono::NaiveDate,
}

impl Farm {
    fn open() -> Farm {
        let dir = farm_dir();
        let truth = load(&dir.join("truth.json"));
        let serve = load(&dir.join("serve.json"));
        let today = truth["params"]["as_of"].as_str().unwrap().parse().unwrap();
        Farm {
            dir,
            truth,
            serve,
            today,
        }
    }

    fn sites(&self) -> &Vec<Value> {
        self.truth["sites"].as_array().unwrap()
    }

    /// Analyses the file behind `url` of `site`, with the HTTP charset the server sends.
    fn analyze(&self, site: &Value, url: &str) -> PageFacts {
        let id = site["id"].as_str().unwrap();
        let serve = self.serve["sites"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap();
        let parsed = url::Url::parse(url).unwrap();
        let path = percent_encoding::percent_decode_str(parsed.path())
            .decode_utf8_lossy()
            .into_owned();
        let mut file = self
            .dir
            .join(serve["root"].as_str().unwrap())
            .join(path.trim_start_matches('/'));
        if path.ends_with('/') {
            file = file.join(serve["index"].as_str().unwrap());
        }
        let body = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let charset = serve["header_exceptions"][parsed.path()]
            .as_str()
            .or(serve["header_charset"].as_str());
        let ct = charset.map(|c| format!("text/html; charset={c}"));
        let opts = AnalyzeOptions {
            today: Some(self.today),
            ..Default::default()
        };
        analyze_with(&body, &parsed, ct.as_deref(), &opts)
    }
}

fn newest(f: &PageFacts) -> Option<String> {
    f.dated_items
        .iter()
        .map(|d| d.date)
        .max()
        .map(|d| d.to_string())
}

#[test]
fn column_pages_have_the_items_of_truth() {
    let farm = Farm::open();
    let mut wrong = Vec::new();
    let mut checked = 0;
    for site in farm.sites() {
        for col in site["columns"].as_array().unwrap() {
            let url = col["url"].as_str().unwrap();
            let f = farm.analyze(site, url);
            checked += 1;
            let name = col["name"].as_str().unwrap();
            if !col["blank"].is_null() {
                if !f.dated_items.is_empty() {
                    wrong.push(format!(
                        "{url} {name}: blank column but {} dated items",
                        f.dated_items.len()
                    ));
                }
                continue;
            }
            let want_newest = col["newest"].as_str().map(str::to_string);
            if newest(&f) != want_newest {
                wrong.push(format!(
                    "{url} {name}: newest {:?}, want {want_newest:?}",
                    newest(&f)
                ));
            }
            let items = col["items"].as_u64().unwrap() as usize;
            if col["list_pages"].as_u64() == Some(1) && f.dated_items.len() != items {
                wrong.push(format!(
                    "{url} {name}: {} items, want {items}",
                    f.dated_items.len()
                ));
            }
            if col["list_pages"].as_u64().unwrap_or(1) > 1 && f.pagination.is_empty() {
                wrong.push(format!(
                    "{url} {name}: several list pages but no pagination links"
                ));
            }
            if col["kind"] == "consult" && f.messages.is_empty() {
                wrong.push(format!("{url} {name}: message board without messages"));
            }
            if f.kind != pucha_core::PageKind::Column {
                wrong.push(format!("{url} {name}: kind {:?}", f.kind));
            }
        }
    }
    assert!(checked > 30, "only {checked} columns");
    assert!(
        wrong.is_empty(),
        "{} of {checked} columns wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn blank_columns_show_placeholder_or_nothing() {
    let farm = Farm::open();
    for site in farm.sites() {
        for col in site["columns"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| !c["blank"].is_null())
        {
            let f = farm.analyze(site, col["url"].as_str().unwrap());
            let variant = col["blank"].as_str().unwrap();
            if variant != "empty" {
                assert!(
                    f.placeholder.is_some(),
                    "{}: {variant} column without placeholder",
                    col["url"]
                );
            }
            assert!(f.dated_items.is_empty());
        }
    }
}

#[test]
fn homepages_have_their_newest_item_and_full_footer() {
    let farm = Farm::open();
    for site in farm.sites() {
        let url = site["url"].as_str().unwrap();
        let f = farm.analyze(site, url);
        assert_eq!(f.kind, pucha_core::PageKind::Home, "{url}");
        assert_eq!(
            newest(&f).as_deref(),
            site["homepage_newest"].as_str(),
            "{url}"
        );
        assert!(f.has_search, "{url}");
        let body_enc = site["encoding"]["body"].as_str().unwrap();
        let want = if body_enc == "gbk" {
            "gb18030"
        } else {
            "UTF-8"
        };
        assert_eq!(f.encoding, want, "{url}");

        let missing: BTreeSet<&str> = site["defects"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["rule"].as_str())
            .filter_map(|r| r.strip_prefix("footer.")?.strip_suffix(".missing"))
            .collect();
        let footer = serde_json::to_value(&f.footer).unwrap();
        for (truth_name, key) in [
            ("conac", "conac_badge"),
            ("site_code", "site_id_code"),
            ("icp", "icp"),
            ("police", "psb"),
            ("sponsor", "sponsor"),
            ("phone", "contact"),
            ("sitemap", "sitemap"),
            ("jiucuo", "jiucuo"),
        ] {
            let want_present = !missing.contains(truth_name);
            assert_eq!(
                footer[key]["present"].as_bool(),
                Some(want_present),
                "{url} footer {key}"
            );
        }
        let code = site["site_code"].as_str().unwrap();
        if !missing.contains("site_code") {
            assert_eq!(f.footer.site_id_code.value.as_deref(), Some(code), "{url}");
        }
        if !missing.contains("jiucuo") {
            assert_eq!(f.jiucuo_site_code.as_deref(), Some(code), "{url}");
            assert!(
                f.footer.jiucuo.problems.iter().any(|p| p == "legacy host"),
                "{url}"
            );
        }
        assert_eq!(f.meta("SiteIDCode"), Some(code), "{url}");
    }
}

/// The farm's guide template uses 8 of the 10 key elements of indicators §9 (no 办理机构,
/// no 收费标准), so misses are compared within the elements the farm's guides use.
#[test]
fn service_guides_miss_what_truth_says() {
    let farm = Farm::open();
    let mut cases = Vec::new();
    let mut universe: BTreeSet<String> = BTreeSet::new();
    for site in farm.sites() {
        for d in site["defects"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == "service_guide.missing_elements")
        {
            for g in d["detail"].as_array().unwrap() {
                let url = g["url"].as_str().unwrap().to_string();
                let f = farm.analyze(site, &url);
                let guide = f
                    .service_guide
                    .unwrap_or_else(|| panic!("{url}: no service guide found"));
                let want: BTreeSet<String> = g["missing"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect();
                universe.extend(guide.present.iter().cloned());
                universe.extend(want.iter().cloned());
                assert_eq!(guide.item_name.as_deref(), g["item"].as_str(), "{url}");
                cases.push((url, want, guide.missing));
            }
        }
    }
    assert!(cases.len() >= 4, "only {} guides checked", cases.len());
    assert!(universe.len() >= 6, "farm guides use only {universe:?}");
    for (url, want, missing) in cases {
        let got: BTreeSet<String> = missing
            .into_iter()
            .filter(|m| universe.contains(m))
            .collect();
        assert_eq!(got, want, "{url}");
    }
}

#[test]
fn unanswered_messages_are_seen_on_their_detail_pages() {
    let farm = Farm::open();
    let mut n = 0;
    for site in farm.sites() {
        for d in site["defects"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == "message.unanswered_over_3_months")
        {
            for m in d["detail"].as_array().unwrap() {
                let url = m["url"].as_str().unwrap();
                let f = farm.analyze(site, url);
                assert_eq!(f.messages.len(), 1, "{url}: {:?}", f.messages);
                let msg = &f.messages[0];
                assert_eq!(
                    msg.asked.map(|d| d.to_string()).as_deref(),
                    m["message_date"].as_str(),
                    "{url}"
                );
                assert_eq!(msg.answered, None, "{url}");
                assert_eq!(msg.answered_flag, Some(false), "{url}");
                n += 1;
            }
        }
    }
    assert!(n >= 1);
}

#[test]
fn every_page_analyzes_and_dated_articles_show_their_date() {
    let farm = Farm::open();
    let pages = std::fs::read_to_string(farm.dir.join("pages.tsv")).expect("pages.tsv");
    let mut wrong = Vec::new();
    let mut n = 0;
    for line in pages.lines().filter(|l| !l.starts_with('#')) {
        let Some((id, url)) = line.split_once('\t') else {
            continue;
        };
        let site = farm.sites().iter().find(|s| s["id"] == id).unwrap();
        let f = farm.analyze(site, url);
        n += 1;
        let path = url::Url::parse(url).unwrap().path().to_string();
        if let Some(d) = pucha_analyze::date_in_url(&path) {
            if f.kind != pucha_core::PageKind::Content {
                wrong.push(format!("{url}: kind {:?}", f.kind));
            }
            if f.published != Some(d) && f.messages.is_empty() {
                wrong.push(format!("{url}: published {:?}, URL says {d}", f.published));
            }
            if !f.dated_items.is_empty() {
                wrong.push(format!(
                    "{url}: article with {} dated items",
                    f.dated_items.len()
                ));
            }
        }
        if f.soft_404 != path.ends_with("/404.html") {
            wrong.push(format!("{url}: soft_404 {}", f.soft_404));
        }
    }
    assert!(n > 300, "only {n} pages");
    assert!(
        wrong.is_empty(),
        "{} of {n} pages wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
