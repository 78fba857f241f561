//! Content-safety vetoes (indicators §3.3, §3.4) and the IPv6 deduction.
//!
//! - `veto.prohibited_content`: prohibited terms (the pack's dictionary) in body text, in link
//!   texts, and in the text of hidden links. One occurrence per distinct link target or text
//!   snippet, however many pages repeat it (an injected template shows on every page).
//! - `veto.security_incident`: tampering signals — links hidden from view that leave the site (暗链)
//!   and redirects of the homepage to another host.
//! - `ded.ipv6`: the crawl's IPv6 check.
//!
//! The vetoes are `auto = partly`: every finding needs a person's confirmation (待复核).

use std::collections::BTreeMap;

use pucha_core::rule_ids as ids;
use pucha_core::{Evidence, Finding, Ipv6Check, LinkTag, RedirectKind, SiteCrawl};

use crate::columns::norm_url;
use crate::eval::Site;
use crate::finding::{ev, finding};
use crate::pack::RedirectPages;
use crate::spam::SpamDict;

/// The host of a URL without `www.`, lower-case.
fn host_of(u: &str) -> Option<String> {
    let h = url::Url::parse(u).ok()?.host_str()?.to_ascii_lowercase();
    Some(h.strip_prefix("www.").unwrap_or(&h).to_string())
}

/// Occurrences keyed by what was injected, with the pages they were seen on.
#[derive(Default)]
struct Occurrences {
    map: BTreeMap<String, (Evidence, u32)>,
}

impl Occurrences {
    fn add(&mut self, key: String, e: impl FnOnce() -> Evidence) {
        self.map.entry(key).or_insert_with(|| (e(), 0)).1 += 1;
    }

    fn into_evidence(self) -> Vec<Evidence> {
        self.map
            .into_values()
            .map(|(mut e, pages)| {
                if pages > 1 {
                    e.detail.push_str(&format!("（共 {pages} 个页面出现）"));
                }
                e
            })
            .collect()
    }
}

impl Site<'_> {
    fn is_site_host(&self, host: &str) -> bool {
        let site = self
            .crawl
            .site
            .url
            .host_str()
            .map(|h| h.to_ascii_lowercase())
            .unwrap_or_default();
        host == site.strip_prefix("www.").unwrap_or(&site)
    }

    fn trusted_host(&self, host: &str) -> bool {
        self.pack()
            .security
            .trusted_suffixes
            .iter()
            .any(|s| host.ends_with(s.as_str()))
    }

    /// `veto.prohibited_content`.
    pub(crate) fn prohibited_content(&self, dict: &SpamDict) -> Option<Finding> {
        if dict.is_empty() {
            return None;
        }
        let mut occ = Occurrences::default();
        for p in self.ok_pages() {
            let mut link_terms: Vec<String> = Vec::new();
            for l in &p.facts.links {
                if !matches!(l.tag, LinkTag::A | LinkTag::Area | LinkTag::Img) {
                    continue;
                }
                let terms = dict.terms_in(&l.text);
                if terms.is_empty() {
                    continue;
                }
                let target = l.url.clone().unwrap_or_else(|| l.raw.clone());
                occ.add(format!("link {}", norm_url(&target)), || Evidence {
                    target: Some(target.to_string()),
                    snippet: Some(l.text.trim().to_string()),
                    ..ev(
                        &p.url,
                        format!("链接文字含违禁词「{}」", terms.join("」「")),
                    )
                });
                link_terms.extend(terms);
            }
            for h in &p.facts.signals.hidden_links {
                let terms = dict.terms_in(&h.text);
                if terms.is_empty() {
                    continue;
                }
                occ.add(format!("link {}", norm_url(&h.url)), || Evidence {
                    target: Some(h.url.clone()),
                    snippet: Some(h.text.clone()),
                    ..ev(
                        &p.url,
                        format!(
                            "隐藏链接（{}）文字含违禁词「{}」",
                            h.hiding.label_zh(),
                            terms.join("」「")
                        ),
                    )
                });
                link_terms.extend(terms);
            }
            for hit in dict.scan(&p.facts.body_text) {
                if link_terms.contains(&hit.term) {
                    continue;
                }
                occ.add(format!("text {} {}", hit.term, hit.snippet), || Evidence {
                    snippet: Some(hit.snippet.clone()),
                    ..ev(&p.url, format!("正文含违禁词「{}」", hit.term))
                });
            }
        }
        let evidence = occ.into_evidence();
        if evidence.is_empty() {
            return None;
        }
        let n = evidence.len() as u32;
        Some(finding(
            ids::VETO_PROHIBITED_CONTENT,
            n,
            1,
            format!("疑似发布或链接违禁内容（赌博、色情等）{n} 处，待人工确认"),
            evidence,
        ))
    }

    /// `veto.security_incident`: hidden links to other hosts, homepage redirects to other hosts.
    pub(crate) fn security_incident(&self, dict: &SpamDict) -> Option<Finding> {
        let cfg = &self.pack().security;
        let home_key = norm_url(&self.home.url);
        let mut occ = Occurrences::default();
        for p in self.ok_pages() {
            for h in &p.facts.signals.hidden_links {
                let Some(host) = host_of(&h.url) else {
                    continue;
                };
                if self.is_site_host(&host) {
                    continue;
                }
                let terms = dict.terms_in(&h.text);
                let counts = !terms.is_empty()
                    || (!self.trusted_host(&host)
                        && (h.hiding.is_strong() || !cfg.weak_hiding_needs_term));
                if !counts {
                    continue;
                }
                occ.add(format!("hidden {}", norm_url(&h.url)), || Evidence {
                    target: Some(h.url.clone()),
                    snippet: (!h.text.is_empty()).then(|| h.text.clone()),
                    ..ev(
                        &p.url,
                        format!(
                            "隐藏链接（{}）指向外部网站 {host}{}，疑似暗链",
                            h.hiding.label_zh(),
                            if terms.is_empty() {
                                String::new()
                            } else {
                                format!("，文字含违禁词「{}」", terms.join("」「"))
                            }
                        ),
                    )
                });
            }
            let judged = cfg.redirect_pages == RedirectPages::All || norm_url(&p.url) == home_key;
            if !judged {
                continue;
            }
            for r in &p.facts.signals.redirects {
                let Some(host) = host_of(&r.url) else {
                    continue;
                };
                if self.is_site_host(&host) || self.trusted_host(&host) {
                    continue;
                }
                let how = match r.kind {
                    RedirectKind::MetaRefresh => "meta refresh",
                    RedirectKind::Script => "脚本",
                };
                occ.add(format!("redirect {}", norm_url(&r.url)), || Evidence {
                    target: Some(r.url.clone()),
                    snippet: Some(r.code.clone()),
                    ..ev(
                        &p.url,
                        format!("页面通过{how}跳转到外部网站 {host}，疑似被劫持"),
                    )
                });
            }
        }
        let evidence = occ.into_evidence();
        if evidence.is_empty() {
            return None;
        }
        let n = evidence.len() as u32;
        Some(finding(
            ids::VETO_SECURITY_INCIDENT,
            n,
            1,
            format!("疑似被篡改或劫持（暗链、跳转至外部网站）{n} 处，待人工确认"),
            evidence,
        ))
    }
}

/// `ded.ipv6` from the crawl's IPv6 check (a fact of the host, judged whenever the crawl recorded
/// it, even when the homepage could not be read). Not checked, or no check: no finding.
pub(crate) fn ipv6(crawl: &SiteCrawl) -> Option<Finding> {
    let detail = match crawl.ipv6.as_ref()? {
        Ipv6Check::Reachable { .. } | Ipv6Check::NotChecked { .. } => return None,
        Ipv6Check::NoAaaa { detail } => format!("未发现 IPv6（AAAA）解析记录：{detail}"),
        Ipv6Check::ConnectFailed { addr, error } => {
            format!("IPv6 地址 {addr} 无法连接：{error}")
        }
    };
    Some(finding(
        ids::DED_IPV6,
        1,
        1,
        "网站不支持 IPv6 访问".into(),
        vec![ev(crawl.site.url.as_str(), detail)],
    ))
}
