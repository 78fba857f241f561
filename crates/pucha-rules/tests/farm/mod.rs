//! Offline accuracy fixture: builds a `SiteCrawl` per site of a farm directory from the files on
//! disk (each page analysed by `pucha_analyze::analyze`), evaluates it and compares the findings
//! with the farm's `truth.json`.
//!
//! Two layouts are understood:
//! - `shared/farm-sample`: `serve.json`, `pages.tsv`, `links.tsv` and a truth with its own rule
//!   names (mapped to spec rule ids as its README says);
//! - a dumped demo farm (`cargo run -p pucha-farm --example dump -- DIR`): `sNN/` folders and a
//!   truth using spec rule ids directly (`findings: {rule_id: count}`); link outcomes are derived
//!   from which files exist.
//!
//! Shared by `tests/farm_sample.rs` and `examples/rule_accuracy.rs`.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, TimeZone};
use pucha_core::rule_ids as ids;
use pucha_core::{
    BrokenReason, Category, LinkKind, LinkOutcome, LinkRecord, LinkTag, PageRecord, ProbeFailure,
    ProbeSample, Reachability, ScoringMode, Site, SiteCrawl, SiteResult, Verdict,
};
use pucha_rules::{evaluate, EvalContext, RulePack};
use serde_json::Value;
use url::Url;

/// Rules whose presence (not count) is compared.
const BINARY: &[&str] = &[
    ids::VETO_SITE_UNREACHABLE,
    ids::VETO_HOMEPAGE_NOT_UPDATED,
    ids::VETO_NO_CONSULTATION_CHANNEL,
    ids::VETO_NO_ONLINE_SERVICE,
    ids::DED_MESSAGE_PUBLICATION_STALE,
    ids::DED_SEARCH_FUNCTION,
    ids::DED_HOMEPAGE_AVAILABILITY,
];

/// One site of the farm with its truth.
#[derive(Debug, Clone)]
pub struct FarmSite {
    pub id: String,
    pub name: String,
    pub url: Url,
    pub category: Category,
    pub dir: PathBuf,
    pub fail: bool,
    pub vetoes: BTreeSet<String>,
    pub findings: BTreeMap<String, u32>,
    /// up, refused or flaky.
    pub availability: String,
    pub site_code: Option<String>,
    /// Default charset sent in the HTTP header, and per-path exceptions.
    pub header_charset: Option<String>,
    pub header_exceptions: BTreeMap<String, Option<String>>,
}

/// A farm directory and its truth.
#[derive(Debug, Clone)]
pub struct Farm {
    pub dir: PathBuf,
    pub as_of: NaiveDate,
    /// Rules the truth asserts (absent = 0).
    pub covered: BTreeSet<String>,
    pub sites: Vec<FarmSite>,
    /// farm-sample: site id → listed pages.
    pages: Option<HashMap<String, Vec<String>>>,
    /// farm-sample: link URL → expected status.
    links: Option<HashMap<String, String>>,
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn tsv(path: &Path) -> Vec<Vec<String>> {
    read(path)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// farm-sample rule names → spec rule ids.
fn sample_rule(name: &str) -> Option<&'static str> {
    Some(match name {
        "blank_column" => ids::VETO_BLANK_COLUMNS,
        "stale_column.dynamic" | "stale_column.notice_policy" => ids::VETO_KEY_COLUMNS_STALE,
        "stale_column.other" => ids::VETO_LONG_TERM_STALE_COLUMNS,
        "homepage_not_updated" => ids::VETO_HOMEPAGE_NOT_UPDATED,
        "wording_error.serious" => ids::VETO_SERIOUS_WORDING_ERROR,
        "message.unanswered_over_3_months" => ids::VETO_CONSULTATION_UNANSWERED,
        "service_guide.missing_elements" => ids::DED_SERVICE_GUIDE_QUALITY,
        "site_unreachable" => ids::VETO_SITE_UNREACHABLE,
        _ => return None,
    })
}

fn footer_rule(item: &str) -> Option<&'static str> {
    Some(match item {
        "conac" => ids::NORM_FOOTER_CONAC_BADGE,
        "site_code" => ids::NORM_FOOTER_SITE_ID_CODE,
        "icp" => ids::NORM_FOOTER_ICP,
        "police" => ids::NORM_FOOTER_PSB_RECORD,
        "sponsor" | "phone" => ids::NORM_FOOTER_SPONSOR_CONTACT,
        "sitemap" => ids::NORM_FOOTER_SITEMAP,
        "jiucuo" => ids::NORM_FOOTER_JIUCUO,
        _ => return None,
    })
}

fn meta_rule(tag: &str, what: &str) -> Option<&'static str> {
    Some(match (tag, what) {
        ("SiteName" | "SiteDomain" | "SiteIDCode", _) => ids::NORM_META_SITE_TAGS,
        ("ColumnType", "malformed") => ids::NORM_META_COLUMNTYPE_VOCAB,
        ("ColumnName" | "ColumnDescription" | "ColumnKeywords" | "ColumnType", _) => {
            ids::NORM_META_COLUMN_TAGS
        }
        ("PubDate", "malformed") => ids::NORM_META_PUBDATE_FORMAT,
        ("ArticleTitle" | "PubDate" | "ContentSource", _) => ids::NORM_META_CONTENT_TAGS,
        _ => return None,
    })
}

fn sample_covered() -> BTreeSet<String> {
    [
        ids::VETO_BLANK_COLUMNS,
        ids::VETO_KEY_COLUMNS_STALE,
        ids::VETO_LONG_TERM_STALE_COLUMNS,
        ids::VETO_HOMEPAGE_NOT_UPDATED,
        ids::VETO_SERIOUS_WORDING_ERROR,
        ids::VETO_CONSULTATION_UNANSWERED,
        ids::VETO_SERVICE_GUIDE_ELEMENTS_MISSING,
        ids::VETO_SITE_UNREACHABLE,
        ids::DED_SERVICE_GUIDE_QUALITY,
        ids::DED_BROKEN_LINKS_HOMEPAGE,
        ids::DED_BROKEN_LINKS_OTHER,
        ids::DED_NEWS_COLUMNS,
        ids::DED_POLICY_DOCS_COLUMN_STALE,
        ids::NORM_FOOTER_CONAC_BADGE,
        ids::NORM_FOOTER_SITE_ID_CODE,
        ids::NORM_FOOTER_ICP,
        ids::NORM_FOOTER_PSB_RECORD,
        ids::NORM_FOOTER_SPONSOR_CONTACT,
        ids::NORM_FOOTER_SITEMAP,
        ids::NORM_FOOTER_JIUCUO,
        ids::NORM_META_SITE_TAGS,
        ids::NORM_META_COLUMN_TAGS,
        ids::NORM_META_CONTENT_TAGS,
        ids::NORM_META_PUBDATE_FORMAT,
        ids::NORM_META_COLUMNTYPE_VOCAB,
    ]
    .into_iter()
    .map(str::to_string)
    .collect()
}

fn veto_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "site_unreachable" => ids::VETO_SITE_UNREACHABLE,
        "homepage_not_updated" => ids::VETO_HOMEPAGE_NOT_UPDATED,
        "blank_columns" => ids::VETO_BLANK_COLUMNS,
        "stale_dynamic_notice_policy" => ids::VETO_KEY_COLUMNS_STALE,
        "stale_other" => ids::VETO_LONG_TERM_STALE_COLUMNS,
        "wording_error" => ids::VETO_SERIOUS_WORDING_ERROR,
        "unanswered_message" => ids::VETO_CONSULTATION_UNANSWERED,
        other if other.starts_with("veto.") => return None,
        _ => return None,
    })
}

fn sample_findings(site: &Value, home: &str, pack: &RulePack) -> BTreeMap<String, u32> {
    let mut f: BTreeMap<String, u32> = BTreeMap::new();
    let mut add = |r: &str, n: u32| *f.entry(r.to_string()).or_insert(0) += n;
    for d in site["defects"].as_array().into_iter().flatten() {
        let rule = d["rule"].as_str().unwrap_or_default();
        let n = d["count"].as_u64().unwrap_or(0) as u32;
        if let Some(r) = sample_rule(rule) {
            add(r, n);
        }
        match rule {
            "stale_column.dynamic" => add(ids::DED_NEWS_COLUMNS, n),
            "stale_column.notice_policy" => {
                let policy = d["detail"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|x| x["kind"] == "policy")
                    .count() as u32;
                add(ids::DED_POLICY_DOCS_COLUMN_STALE, policy);
            }
            "service_guide.missing_elements" => {
                let severe = d["detail"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|x| {
                        x["missing"].as_array().map_or(0, Vec::len) as u32
                            >= pack.services.veto_missing_per_guide
                    })
                    .count() as u32;
                add(ids::VETO_SERVICE_GUIDE_ELEMENTS_MISSING, severe);
            }
            "broken_link.internal" | "broken_link.external" => {
                for x in d["detail"].as_array().into_iter().flatten() {
                    for on in x["on"].as_array().into_iter().flatten() {
                        if on.as_str() == Some(home) {
                            add(ids::DED_BROKEN_LINKS_HOMEPAGE, 1);
                        } else {
                            add(ids::DED_BROKEN_LINKS_OTHER, 1);
                        }
                    }
                }
            }
            _ => {}
        }
        let parts: Vec<&str> = rule.split('.').collect();
        match parts.as_slice() {
            ["footer", item, _] => {
                if let Some(r) = footer_rule(item) {
                    add(r, 1);
                }
            }
            ["meta", tag, what] => {
                if let Some(r) = meta_rule(tag, what) {
                    add(r, n);
                }
            }
            _ => {}
        }
    }
    f
}

impl Farm {
    /// Loads a farm directory (either layout).
    pub fn load(dir: &Path, pack: &RulePack) -> Farm {
        let truth: Value =
            serde_json::from_str(&read(&dir.join("truth.json"))).expect("truth.json is JSON");
        if dir.join("pages.tsv").exists() {
            Farm::load_sample(dir, &truth, pack)
        } else {
            Farm::load_demo(dir, &truth)
        }
    }

    fn load_sample(dir: &Path, truth: &Value, pack: &RulePack) -> Farm {
        let as_of = truth["params"]["as_of"]
            .as_str()
            .expect("params.as_of")
            .parse()
            .expect("as_of date");
        let serve: Value =
            serde_json::from_str(&read(&dir.join("serve.json"))).expect("serve.json");
        let mut sites = Vec::new();
        for s in truth["sites"].as_array().expect("sites") {
            let id = s["id"].as_str().expect("id").to_string();
            let sv = serve["sites"]
                .as_array()
                .and_then(|a| a.iter().find(|x| x["id"] == s["id"]))
                .expect("site in serve.json");
            let url = Url::parse(s["url"].as_str().expect("url")).expect("site url");
            let home = url.to_string();
            let mut findings = sample_findings(s, &home, pack);
            findings.retain(|_, n| *n > 0);
            let vetoes = s["veto"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().and_then(veto_name))
                .map(str::to_string)
                .collect();
            let special = s["special"].as_str().unwrap_or("");
            sites.push(FarmSite {
                name: s["name"].as_str().unwrap_or_default().to_string(),
                category: Category::parse(s["category"].as_str().unwrap_or("other"))
                    .unwrap_or(Category::Other),
                dir: dir.join(sv["root"].as_str().expect("root")),
                fail: s["verdict"] == "不合格",
                vetoes,
                findings,
                availability: if special.contains("refuse") {
                    "refused".into()
                } else if special.contains("flaky") || !sv["fail_every"].is_null() {
                    "flaky".into()
                } else {
                    "up".into()
                },
                site_code: s["site_code"].as_str().map(str::to_string),
                header_charset: sv["header_charset"].as_str().map(str::to_string),
                header_exceptions: sv["header_exceptions"]
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string)))
                            .collect()
                    })
                    .unwrap_or_default(),
                id,
                url,
            });
        }
        let mut pages: HashMap<String, Vec<String>> = HashMap::new();
        for row in tsv(&dir.join("pages.tsv")) {
            if row.len() >= 2 {
                pages
                    .entry(row[0].clone())
                    .or_default()
                    .push(row[1].clone());
            }
        }
        let mut links = HashMap::new();
        for row in tsv(&dir.join("links.tsv")) {
            if row.len() >= 3 {
                links.insert(format!("{}\t{}", row[0], row[1]), row[2].clone());
            }
        }
        Farm {
            dir: dir.to_path_buf(),
            as_of,
            covered: sample_covered(),
            sites,
            pages: Some(pages),
            links: Some(links),
        }
    }

    fn load_demo(dir: &Path, truth: &Value) -> Farm {
        let as_of = truth["as_of"]
            .as_str()
            .expect("as_of")
            .parse()
            .expect("as_of date");
        let mut covered: BTreeSet<String> = BTreeSet::new();
        let mut sites = Vec::new();
        for (i, s) in truth["sites"].as_array().expect("sites").iter().enumerate() {
            let findings: BTreeMap<String, u32> = s["findings"]
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0) as u32))
                        .filter(|(_, n)| *n > 0)
                        .collect()
                })
                .unwrap_or_default();
            covered.extend(findings.keys().cloned());
            let det = &s["details"];
            sites.push(FarmSite {
                id: format!("s{:02}", i + 1),
                name: s["name"].as_str().unwrap_or_default().to_string(),
                url: Url::parse(s["url"].as_str().expect("url")).expect("site url"),
                category: serde_json::from_value(s["category"].clone()).unwrap_or(Category::Other),
                dir: dir.join(format!("s{:02}", i + 1)),
                fail: s["verdict"] == "fail",
                vetoes: s["vetoes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                findings,
                availability: det["availability"].as_str().unwrap_or("up").to_string(),
                site_code: det["site_code"].as_str().map(str::to_string),
                header_charset: det["header_charset"].as_str().map(str::to_string),
                header_exceptions: BTreeMap::new(),
            });
        }
        // The demo truth names its asserted rules by using them; the veto rules are asserted always.
        covered.extend(
            pucha_core::rule_ids::ALL
                .iter()
                .filter(|r| {
                    r.severity == pucha_core::Severity::Veto
                        && r.auto != pucha_core::rule_ids::Auto::No
                })
                .map(|r| r.id.to_string()),
        );
        // The demo farm injects no faked dates.
        covered.remove(ids::VETO_FALSIFICATION);
        Farm {
            dir: dir.to_path_buf(),
            as_of,
            covered,
            sites,
            pages: None,
            links: None,
        }
    }

    /// The file serving `url` on `site`, if any.
    fn file_for(&self, site: &FarmSite, url: &Url) -> Option<PathBuf> {
        let path = percent_decode(url.path());
        let mut rel = path.trim_start_matches('/').to_string();
        if let Some(q) = url.query() {
            rel.push('_');
            rel.push_str(q);
        }
        if rel.is_empty() || rel.ends_with('/') {
            rel.push_str("index.html");
        }
        let f = site.dir.join(&rel);
        if f.is_file() {
            return Some(f);
        }
        let idx = site.dir.join(&rel).join("index.html");
        idx.is_file().then_some(idx)
    }

    fn site_for_host(&self, url: &Url) -> Option<&FarmSite> {
        self.sites.iter().find(|s| {
            s.url.host_str() == url.host_str()
                && s.url.port_or_known_default() == url.port_or_known_default()
        })
    }

    fn outcome(&self, site: &FarmSite, target: &Url) -> LinkOutcome {
        if let Some(links) = &self.links {
            let key = format!("{}\t{}", site.id, target);
            return match links.get(&key).map(String::as_str) {
                Some("ok" | "dynamic" | "flaky") => LinkOutcome::Ok { status: 200 },
                Some("broken_404") => LinkOutcome::Broken {
                    reason: BrokenReason::Status { status: 404 },
                },
                Some("broken_refused") => LinkOutcome::Broken {
                    reason: BrokenReason::Refused,
                },
                Some(other) => LinkOutcome::NotChecked {
                    why: format!("links.tsv: {other}"),
                },
                None => LinkOutcome::NotChecked {
                    why: "not in links.tsv".into(),
                },
            };
        }
        let loopback = target
            .host_str()
            .and_then(|h| h.parse::<std::net::IpAddr>().ok())
            .is_some_and(|ip| ip.is_loopback());
        match self.site_for_host(target) {
            Some(s) if s.availability == "refused" => LinkOutcome::Broken {
                reason: BrokenReason::Refused,
            },
            Some(s) => {
                if self.file_for(s, target).is_some() || is_dynamic(target) {
                    LinkOutcome::Ok { status: 200 }
                } else {
                    LinkOutcome::Broken {
                        reason: BrokenReason::Status { status: 404 },
                    }
                }
            }
            None if loopback => LinkOutcome::Broken {
                reason: BrokenReason::Refused,
            },
            None => LinkOutcome::NotChecked {
                why: "non-loopback host, never fetched".into(),
            },
        }
    }

    /// Builds the crawl of one site from disk.
    pub fn crawl(&self, site: &FarmSite) -> SiteCrawl {
        let started_at = pucha_core::cst()
            .from_local_datetime(&self.as_of.and_hms_opt(10, 0, 0).expect("time"))
            .single()
            .expect("time")
            .with_timezone(&chrono::Utc);
        let mut crawl = SiteCrawl {
            site: Site {
                name: site.name.clone(),
                url: site.url.clone(),
                category: site.category,
                site_code: site.site_code.clone(),
                sponsor: None,
            },
            started_at,
            reachability: Reachability::Reachable { status: 200 },
            pages: Vec::new(),
            links: Vec::new(),
            probes: Vec::new(),
            stats: Default::default(),
            tls_errors: Vec::new(),
            // What the crawler records for an IPv4-literal host (no AAAA record to look up).
            ipv6: match site.url.host() {
                Some(url::Host::Ipv4(ip)) => Some(pucha_core::Ipv6Check::NoAaaa {
                    detail: format!("{ip} 为 IPv4 地址，无 AAAA 记录"),
                }),
                _ => None,
            },
        };
        match site.availability.as_str() {
            "refused" => {
                crawl.reachability = Reachability::Unreachable {
                    reason: "connection refused".into(),
                };
                // The crawler checks IPv6 only for a site that answered.
                crawl.ipv6 = None;
                return crawl;
            }
            "flaky" => {
                // The monitor's week: every 3rd homepage request answers 503.
                crawl.probes = (0..7 * 48)
                    .map(|i| ProbeSample {
                        content: None,
                        at: started_at - chrono::Duration::minutes(30 * (7 * 48 - i)),
                        elapsed_ms: 120,
                        status: Some(if i % 3 == 2 { 503 } else { 200 }),
                        failure: (i % 3 == 2).then_some(ProbeFailure::Status(503)),
                    })
                    .collect();
            }
            _ => {}
        }
        let listed: Option<BTreeSet<String>> = self.pages.as_ref().map(|p| {
            p.get(&site.id)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .collect()
        });

        // Breadth-first over the site's own HTML pages.
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut queue: VecDeque<(Url, u32, Option<String>, Option<String>)> = VecDeque::new();
        queue.push_back((site.url.clone(), 0, None, None));
        seen.insert(site.url.to_string());
        let mut link_seen: BTreeSet<(String, String)> = BTreeSet::new();
        while let Some((url, depth, parent, anchor)) = queue.pop_front() {
            let Some(file) = self.file_for(site, &url) else {
                continue;
            };
            let body = std::fs::read(&file).expect("read page");
            let ct = self.content_type(site, &url);
            // A panic in the analyser is reported, and the page skipped, rather than ending the run.
            let facts = match std::panic::catch_unwind(|| {
                // The crawler passes the check date so month-day list dates get the right year.
                // PUCHA_ACCURACY_NO_TODAY=1 leaves the year to the analyser (robustness check).
                let opts = pucha_analyze::AnalyzeOptions {
                    today: std::env::var_os("PUCHA_ACCURACY_NO_TODAY")
                        .is_none()
                        .then_some(self.as_of),
                    ..Default::default()
                };
                pucha_analyze::analyze_with(&body, &url, ct.as_deref(), &opts)
            }) {
                Ok(f) => f,
                Err(_) => {
                    eprintln!("pucha_analyze::analyze panicked on {url}; page skipped");
                    crawl.stats.pages_failed += 1;
                    continue;
                }
            };
            for l in &facts.links {
                let Some(t) = l.url.as_deref().and_then(|u| Url::parse(u).ok()) else {
                    continue;
                };
                if !matches!(t.scheme(), "http" | "https") || l.tag == LinkTag::Form {
                    continue;
                }
                let mut t_nofrag = t.clone();
                t_nofrag.set_fragment(None);
                if t_nofrag.as_str() == url.as_str() {
                    continue;
                }
                let same = t.host_str() == site.url.host_str()
                    && t.port_or_known_default() == site.url.port_or_known_default();
                if link_seen.insert((url.to_string(), t_nofrag.to_string())) {
                    crawl.links.push(LinkRecord {
                        page: url.as_str().into(),
                        target: t_nofrag.as_str().into(),
                        text: l.text.clone(),
                        tag: l.tag,
                        kind: link_kind(&t_nofrag, same, l.tag),
                        outcome: self.outcome(site, &t_nofrag),
                    });
                }
                let html = same && is_html_path(t_nofrag.path()) && l.tag == LinkTag::A
                    || same && l.tag == LinkTag::Iframe;
                if html && seen.insert(t_nofrag.to_string()) {
                    let allowed = listed.as_ref().is_none_or(|set| {
                        set.contains(t_nofrag.as_str())
                            || set.contains(&percent_decode(t_nofrag.as_str()))
                    });
                    if allowed {
                        queue.push_back((
                            t_nofrag,
                            depth + 1,
                            Some(url.to_string()),
                            Some(l.text.to_string()),
                        ));
                    }
                }
            }
            crawl.pages.push(PageRecord {
                url: url.to_string(),
                final_url: url.to_string(),
                status: 200,
                depth,
                parent,
                anchor,
                bytes: body.len() as u64,
                truncated: false,
                facts,
            });
        }
        crawl
    }

    fn content_type(&self, site: &FarmSite, url: &Url) -> Option<String> {
        let cs = site
            .header_exceptions
            .get(url.path())
            .cloned()
            .unwrap_or_else(|| site.header_charset.clone());
        Some(match cs {
            Some(c) => format!("text/html; charset={c}"),
            None => "text/html".into(),
        })
    }

    /// Evaluates every site and compares with the truth.
    pub fn accuracy(&self, pack: &RulePack) -> Accuracy {
        let mut rows: BTreeMap<String, Row> = BTreeMap::new();
        let mut sites = Vec::new();
        let mut extra: BTreeMap<String, u32> = BTreeMap::new();
        for s in &self.sites {
            let crawl = self.crawl(s);
            let result = evaluate(
                &crawl,
                &EvalContext {
                    as_of: self.as_of,
                    mode: ScoringMode::VetoOnly,
                    pack,
                    probes: &[],
                },
            );
            let mut found: BTreeMap<String, u32> = BTreeMap::new();
            for f in &result.findings {
                found.insert(f.rule.clone(), f.count);
            }
            let mut mismatches = Vec::new();
            for rule in &self.covered {
                let binary = BINARY.contains(&rule.as_str());
                let clamp = |n: u32| if binary { n.min(1) } else { n };
                let t = clamp(s.findings.get(rule).copied().unwrap_or(0));
                let p = clamp(found.get(rule).copied().unwrap_or(0));
                let row = rows.entry(rule.clone()).or_insert_with(|| Row {
                    rule: rule.clone(),
                    ..Row::default()
                });
                row.truth += t;
                row.found += p;
                row.tp += t.min(p);
                row.fp += p.saturating_sub(t);
                row.fn_ += t.saturating_sub(p);
                if t != p {
                    mismatches.push((rule.clone(), t, p));
                }
            }
            for (rule, n) in &found {
                if !self.covered.contains(rule) {
                    *extra.entry(rule.clone()).or_insert(0) += n;
                }
            }
            let expected = if s.fail { Verdict::Fail } else { Verdict::Pass };
            sites.push(SiteOutcome {
                id: s.id.clone(),
                name: s.name.clone(),
                expected,
                expected_vetoes: s.vetoes.iter().cloned().collect(),
                pages: crawl.pages.len(),
                result,
                mismatches,
            });
        }
        Accuracy {
            rows: rows.into_values().collect(),
            sites,
            extra,
        }
    }
}

fn is_dynamic(url: &Url) -> bool {
    url.query().is_some() || url.path().contains("search")
}

fn is_html_path(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    last.is_empty()
        || !last.contains('.')
        || [".html", ".htm", ".shtml", ".jsp", ".php", ".asp", ".aspx"]
            .iter()
            .any(|e| last.to_ascii_lowercase().ends_with(e))
}

fn link_kind(t: &Url, same: bool, tag: LinkTag) -> LinkKind {
    if !same {
        return LinkKind::External;
    }
    let p = t.path().to_ascii_lowercase();
    if [
        ".doc", ".docx", ".pdf", ".xls", ".xlsx", ".zip", ".rar", ".wps", ".ppt", ".pptx",
    ]
    .iter()
    .any(|e| p.ends_with(e))
    {
        LinkKind::Attachment
    } else if matches!(tag, LinkTag::Img | LinkTag::Script | LinkTag::Link) || !is_html_path(&p) {
        LinkKind::InternalResource
    } else {
        LinkKind::InternalPage
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Per-rule comparison.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub rule: String,
    pub truth: u32,
    pub found: u32,
    pub tp: u32,
    pub fp: u32,
    pub fn_: u32,
}

impl Row {
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            f64::from(self.tp) / f64::from(self.tp + self.fp)
        }
    }
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            f64::from(self.tp) / f64::from(self.tp + self.fn_)
        }
    }
}

/// One site's outcome.
#[derive(Debug, Clone)]
pub struct SiteOutcome {
    pub id: String,
    pub name: String,
    pub expected: Verdict,
    pub expected_vetoes: Vec<String>,
    pub pages: usize,
    pub result: SiteResult,
    /// (rule, truth, found)
    pub mismatches: Vec<(String, u32, u32)>,
}

impl SiteOutcome {
    pub fn verdict_ok(&self) -> bool {
        self.result.verdict == self.expected
    }
}

/// The comparison of a whole farm.
#[derive(Debug, Clone)]
pub struct Accuracy {
    pub rows: Vec<Row>,
    pub sites: Vec<SiteOutcome>,
    /// Rules found that the truth does not assert, with their total counts.
    pub extra: BTreeMap<String, u32>,
}

impl Accuracy {
    pub fn verdicts_correct(&self) -> usize {
        self.sites.iter().filter(|s| s.verdict_ok()).count()
    }

    /// The report printed by the accuracy example.
    pub fn render(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "{:<42} {:>6} {:>6} {:>5} {:>5} {:>5} {:>9} {:>7}\n",
            "rule", "truth", "found", "tp", "fp", "fn", "precision", "recall"
        ));
        for r in &self.rows {
            s.push_str(&format!(
                "{:<42} {:>6} {:>6} {:>5} {:>5} {:>5} {:>9.3} {:>7.3}\n",
                r.rule,
                r.truth,
                r.found,
                r.tp,
                r.fp,
                r.fn_,
                r.precision(),
                r.recall()
            ));
        }
        s.push_str(&format!(
            "\nverdicts: {}/{} correct\n",
            self.verdicts_correct(),
            self.sites.len()
        ));
        for o in &self.sites {
            s.push_str(&format!(
                "  {} {:<24} pages {:>4}  expected {:<4} got {:<5} vetoes {:?}{}\n",
                o.id,
                o.name,
                o.pages,
                o.expected.label_zh(),
                o.result.verdict.label_zh(),
                o.result.vetoes,
                if o.verdict_ok() { "" } else { "  <-- WRONG" }
            ));
            for (rule, t, p) in &o.mismatches {
                s.push_str(&format!("      {rule}: truth {t}, found {p}\n"));
            }
        }
        if !self.extra.is_empty() {
            s.push_str("\nfound, not asserted by this truth (not scored):\n");
            for (r, n) in &self.extra {
                s.push_str(&format!("  {r}: {n}\n"));
            }
        }
        s
    }
}
