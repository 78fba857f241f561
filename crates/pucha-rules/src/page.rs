//! Page-level rules: the page tags for the page's kind (§8), the PubDate format, the ColumnType
//! vocabulary, SiteIDCode consistency, the homepage footer items (§10) and the wording dictionary.
//!
//! `pucha check-page` prints these for one page; `evaluate` runs them on every page of a site and
//! merges them per rule.

use pucha_core::rule_ids as ids;
use pucha_core::{Evidence, Finding, FooterItem, PageFacts, PageKind};
use regex::Regex;
use url::Url;

use crate::columns::{classify, ColumnClass};
use crate::finding::{ev, finding};
use crate::pack::{RulePack, SiteTagsOn};
use crate::wording::Dictionary;

/// Compiled regexes and dictionary of a pack, built once per evaluation.
pub(crate) struct Compiled {
    pub pubdate: Regex,
    pub site_id_code: Regex,
    pub icp: Regex,
    pub psb: Regex,
    pub phone: Regex,
    pub dict: Dictionary,
}

impl Compiled {
    pub fn new(pack: &RulePack) -> Compiled {
        // The pack was validated when loaded; a builtin-pack regex failing is a bug caught by tests.
        let re = |s: &str| Regex::new(s).unwrap_or_else(|_| Regex::new("$^").expect("regex"));
        Compiled {
            pubdate: re(&pack.meta.pubdate_regex),
            site_id_code: re(&pack.footer.site_id_code_regex),
            icp: re(&pack.footer.icp_regex),
            psb: re(&pack.footer.psb_regex),
            phone: re(&pack.footer.phone_regex),
            dict: Dictionary::new(&pack.wording),
        }
    }
}

/// The page-level findings of one page (its kind as analysed; footer items when it is a homepage).
pub fn check_page(facts: &PageFacts, url: &Url, pack: &RulePack) -> Vec<Finding> {
    let c = Compiled::new(pack);
    let mut out = page_findings(facts, url, pack, &c, facts.kind == PageKind::Home);
    out.extend(wording_findings(facts, url.as_str(), &c));
    out
}

fn value(facts: &PageFacts, tag: &str) -> Option<String> {
    facts
        .meta(tag)
        .map(str::trim)
        .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("null"))
        .map(str::to_string)
}

/// Meta, format, vocabulary, consistency and (homepage) footer findings of one page.
pub(crate) fn page_findings(
    facts: &PageFacts,
    url: &Url,
    pack: &RulePack,
    c: &Compiled,
    is_home: bool,
) -> Vec<Finding> {
    let u = url.as_str();
    let mut out = Vec::new();
    let kind = if is_home {
        PageKind::Home
    } else {
        crate::columns::effective_kind(facts, url.as_str())
    };

    // Site tags.
    if pack.meta.site_tags_on == SiteTagsOn::All || is_home {
        let mut evs = Vec::new();
        for tag in &pack.meta.site_tags {
            match value(facts, tag) {
                None => evs.push(ev(u, format!("缺少 {tag} 标签"))),
                Some(v) if tag == "SiteDomain" => {
                    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
                    let with_port = match url.port() {
                        Some(p) => format!("{host}:{p}"),
                        None => host.clone(),
                    };
                    let v_l = v.to_ascii_lowercase();
                    if v_l != host && v_l != with_port {
                        evs.push(Evidence {
                            snippet: Some(format!("<meta name=\"SiteDomain\" content=\"{v}\">")),
                            ..ev(u, format!("SiteDomain「{v}」与访问域名「{with_port}」不符"))
                        });
                    }
                }
                Some(v) if tag == "SiteIDCode" => {
                    if !c.site_id_code.is_match(&v) {
                        evs.push(ev(
                            u,
                            format!("SiteIDCode「{v}」格式不符（应为 10 位标识码）"),
                        ));
                    }
                }
                Some(_) => {}
            }
        }
        push(
            &mut out,
            ids::NORM_META_SITE_TAGS,
            evs,
            "页面网站标签缺失或错误",
        );
    }

    // Column tags (column and content pages). An empty ColumnType is a vocabulary problem.
    if matches!(kind, PageKind::Column | PageKind::Content) {
        let evs = pack
            .meta
            .column_tags
            .iter()
            .filter(|t| {
                if t.as_str() == "ColumnType" {
                    facts.meta("ColumnType").is_none()
                } else {
                    value(facts, t).is_none()
                }
            })
            .map(String::as_str)
            .collect::<Vec<_>>();
        let evs = missing_ev(u, &evs);
        push(&mut out, ids::NORM_META_COLUMN_TAGS, evs, "栏目标签缺失");

        if let Some(raw) = facts.meta("ColumnType") {
            if let Some(problem) = columntype_problem(raw, u, pack) {
                push(
                    &mut out,
                    ids::NORM_META_COLUMNTYPE_VOCAB,
                    vec![Evidence {
                        snippet: Some(format!("<meta name=\"ColumnType\" content=\"{raw}\">")),
                        ..ev(u, problem)
                    }],
                    "ColumnType 标签取值不规范",
                );
            }
        }
    }

    // Content tags and the PubDate format.
    if kind == PageKind::Content {
        let evs = pack
            .meta
            .content_tags
            .iter()
            .filter(|t| value(facts, t).is_none())
            .map(String::as_str)
            .collect::<Vec<_>>();
        let evs = missing_ev(u, &evs);
        push(
            &mut out,
            ids::NORM_META_CONTENT_TAGS,
            evs,
            "内容页面标签缺失",
        );
        if let Some(v) = value(facts, "PubDate") {
            if !c.pubdate.is_match(&v) {
                push(
                    &mut out,
                    ids::NORM_META_PUBDATE_FORMAT,
                    vec![Evidence {
                        snippet: Some(format!("<meta name=\"PubDate\" content=\"{v}\">")),
                        ..ev(u, format!("PubDate「{v}」不符合 YYYY-MM-DD HH:MM"))
                    }],
                    "PubDate 格式不规范",
                );
            }
        }
    }

    // SiteIDCode = footer 标识码 = jiucuo site_code.
    let mut codes: Vec<(&str, String)> = Vec::new();
    if let Some(v) = value(facts, "SiteIDCode") {
        codes.push(("SiteIDCode 标签", v));
    }
    if let Some(v) = facts
        .footer
        .site_id_code
        .value
        .as_deref()
        .and_then(extract_code)
    {
        codes.push(("页脚网站标识码", v));
    }
    if let Some(v) = facts
        .jiucuo_site_code
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        codes.push(("找错入口 site_code", v.to_string()));
    }
    if codes.iter().any(|(_, v)| *v != codes[0].1) {
        let detail = codes
            .iter()
            .map(|(w, v)| format!("{w}「{v}」"))
            .collect::<Vec<_>>()
            .join("，");
        push(
            &mut out,
            ids::NORM_META_SITEIDCODE_CONSISTENCY,
            vec![ev(u, format!("标识码不一致：{detail}"))],
            "网站标识码前后不一致",
        );
    }

    if is_home {
        out.extend(footer_findings(facts, u, pack, c));
    }
    out
}

/// One evidence entry per page naming its missing tags (a page counts once per rule).
fn missing_ev(url: &str, missing: &[&str]) -> Vec<Evidence> {
    if missing.is_empty() {
        return Vec::new();
    }
    vec![ev(url, format!("缺少 {} 标签", missing.join("、")))]
}

/// The problem with a ColumnType value, if any.
fn columntype_problem(raw: &str, url: &str, pack: &RulePack) -> Option<String> {
    let v = raw.trim();
    if v.is_empty() || v.eq_ignore_ascii_case("null") {
        return Some(format!("ColumnType 为空值「{v}」"));
    }
    let known = |part: &str| {
        pack.meta.columntype_vocab.iter().any(|x| x == part)
            || pack.meta.columntype_accepted.iter().any(|x| x == part)
            || classify("", Some(part), url, pack).0 != ColumnClass::Other
            || classify(part, None, "", pack).0 != ColumnClass::Other
            || pack
                .meta
                .columntype_vocab
                .iter()
                .any(|x| x.contains(part) || part.contains(x.as_str()))
    };
    let parts: Vec<&str> = v
        .split([',', '，', ';', '；', '、'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let unknown: Vec<&str> = parts.iter().copied().filter(|p| !known(p)).collect();
    if !unknown.is_empty() {
        return Some(format!("ColumnType「{v}」不在栏目类型目录中"));
    }
    None
}

/// The 标识码 inside a footer text like "政府网站标识码：5204000001".
fn extract_code(s: &str) -> Option<String> {
    use once_cell::sync::Lazy;
    static CODE: Lazy<Regex> = Lazy::new(|| Regex::new(r"(bm\d{8}|\d{10,})").expect("regex"));
    CODE.find(s).map(|m| m.as_str().to_string())
}

fn push(out: &mut Vec<Finding>, rule: &str, evidence: Vec<Evidence>, what: &str) {
    if evidence.is_empty() {
        return;
    }
    let n = evidence.len() as u32;
    out.push(finding(rule, n, 1, format!("{what} {n} 处"), evidence));
}

fn footer_item(
    out: &mut Vec<Finding>,
    rule: &str,
    url: &str,
    item: &FooterItem,
    what: &str,
    valid: Option<&Regex>,
) {
    let mut evs = Vec::new();
    if !item.present {
        evs.push(ev(url, format!("网站底部缺少{what}")));
    } else {
        for p in &item.problems {
            evs.push(Evidence {
                snippet: item.value.clone(),
                ..ev(url, format!("{what}不规范：{p}"))
            });
        }
        if let (Some(re), true) = (valid, item.problems.is_empty()) {
            let v = item.value.as_deref().unwrap_or("");
            if !re.is_match(v) {
                evs.push(Evidence {
                    snippet: Some(v.to_string()),
                    ..ev(url, format!("{what}格式不规范：「{v}」"))
                });
            }
        }
    }
    if evs.is_empty() {
        return;
    }
    let summary = if item.present {
        format!("网站底部{what}不规范")
    } else {
        format!("网站底部缺少{what}")
    };
    let n = evs.len() as u32;
    out.push(finding(rule, n, 1, summary, evs));
}

/// The footer identity items of a homepage (§10).
fn footer_findings(facts: &PageFacts, url: &str, pack: &RulePack, c: &Compiled) -> Vec<Finding> {
    let f = &facts.footer;
    let mut out = Vec::new();
    footer_item(
        &mut out,
        ids::NORM_FOOTER_CONAC_BADGE,
        url,
        &f.conac_badge,
        "党政机关网站标识",
        None,
    );
    let code_re = Regex::new(&pack.footer.site_id_code_regex.replace(['^', '$'], "")).ok();
    footer_item(
        &mut out,
        ids::NORM_FOOTER_SITE_ID_CODE,
        url,
        &f.site_id_code,
        "政府网站标识码",
        code_re.as_ref(),
    );
    footer_item(
        &mut out,
        ids::NORM_FOOTER_ICP,
        url,
        &f.icp,
        "ICP备案编号",
        Some(&c.icp),
    );
    footer_item(
        &mut out,
        ids::NORM_FOOTER_PSB_RECORD,
        url,
        &f.psb,
        "公安机关备案标识",
        Some(&c.psb),
    );
    footer_item(
        &mut out,
        ids::NORM_FOOTER_SITEMAP,
        url,
        &f.sitemap,
        "网站地图",
        None,
    );

    // Sponsor and contact: one rule, each item counted.
    let mut sc = Vec::new();
    footer_item(
        &mut sc,
        ids::NORM_FOOTER_SPONSOR_CONTACT,
        url,
        &f.sponsor,
        "主办单位",
        None,
    );
    footer_item(
        &mut sc,
        ids::NORM_FOOTER_SPONSOR_CONTACT,
        url,
        &f.contact,
        "联系方式",
        Some(&c.phone),
    );
    if !sc.is_empty() {
        let evidence: Vec<Evidence> = sc.iter().flat_map(|x| x.evidence.clone()).collect();
        let summary = sc
            .iter()
            .map(|x| x.summary_zh.clone())
            .collect::<Vec<_>>()
            .join("、");
        out.push(finding(
            ids::NORM_FOOTER_SPONSOR_CONTACT,
            evidence.len() as u32,
            1,
            summary,
            evidence,
        ));
    }

    // 我为政府网站找错: present, on an accepted host.
    let jiucuo_link = facts.links.iter().find_map(|l| {
        let u = l.url.as_deref()?;
        let host = Url::parse(u).ok()?.host_str()?.to_ascii_lowercase();
        (u.contains("jiucuo") || l.text.contains("找错")).then_some((host, u.to_string()))
    });
    let present = f.jiucuo.present || facts.jiucuo_site_code.is_some() || jiucuo_link.is_some();
    let legacy_ok = !pack.footer.legacy_jiucuo_is_defect
        && jiucuo_link
            .as_ref()
            .is_some_and(|(host, _)| pack.footer.jiucuo_legacy_hosts.iter().any(|h| h == host));
    let mut evs = Vec::new();
    if !present {
        evs.push(ev(url, "网站底部缺少“我为政府网站找错”入口"));
    } else {
        for p in &f.jiucuo.problems {
            // The analyser flags legacy hosts; the pack decides whether that is a defect.
            let about_host = ["legacy", "旧", "host", "域名"]
                .iter()
                .any(|k| p.contains(k));
            if legacy_ok && about_host {
                continue;
            }
            evs.push(ev(url, format!("“我为政府网站找错”入口不规范：{p}")));
        }
        if let Some((host, link)) = &jiucuo_link {
            let official = pack.footer.jiucuo_hosts.iter().any(|h| h == host);
            let legacy = pack.footer.jiucuo_legacy_hosts.iter().any(|h| h == host);
            if !official && (!legacy || pack.footer.legacy_jiucuo_is_defect) {
                evs.push(Evidence {
                    target: Some(link.clone()),
                    ..ev(url, format!("找错入口指向非官方地址 {host}"))
                });
            }
        }
    }
    if !evs.is_empty() {
        let summary = if present {
            "“我为政府网站找错”入口不规范".to_string()
        } else {
            "网站底部缺少“我为政府网站找错”入口".to_string()
        };
        out.push(finding(
            ids::NORM_FOOTER_JIUCUO,
            evs.len() as u32,
            1,
            summary,
            evs,
        ));
    }
    out
}

/// Dictionary hits in the body text: serious ones (veto candidates) and ordinary typos.
pub(crate) fn wording_findings(facts: &PageFacts, url: &str, c: &Compiled) -> Vec<Finding> {
    let mut serious = Vec::new();
    let mut minor = Vec::new();
    for h in c.dict.scan(&facts.body_text) {
        let e = Evidence {
            snippet: Some(h.snippet.clone()),
            date: facts.published,
            ..ev(
                url,
                format!("「{}」应为「{}」", h.entry.wrong, h.entry.correct),
            )
        };
        if h.entry.minor {
            minor.push(e);
        } else {
            serious.push(e);
        }
    }
    let mut out = Vec::new();
    if !serious.is_empty() {
        let n = serious.len() as u32;
        out.push(finding(
            ids::VETO_SERIOUS_WORDING_ERROR,
            n,
            1,
            format!("严重表述错误 {n} 处"),
            serious,
        ));
    }
    if !minor.is_empty() {
        let n = minor.len() as u32;
        out.push(finding(
            ids::DED_MINOR_TYPOS,
            n,
            1,
            format!("一般文字错误 {n} 处"),
            minor,
        ));
    }
    out
}
