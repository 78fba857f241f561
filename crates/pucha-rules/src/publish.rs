//! Publishing deductions read from page content (indicators §4 发布解读): policy interpretation
//! (`ded.policy_interpretation`: present, updated within its window, each interpretation linking
//! to the document it interprets) and the static basics (`ded.overview_info`: 概况信息/机构职能 and
//! 负责人信息 present, showing their elements). Both are `auto = partly`.

use std::collections::BTreeSet;

use pucha_core::rule_ids as ids;
use pucha_core::{Evidence, Finding, LinkTag, PageKind, PageRecord};
use regex::Regex;

use crate::columns::{effective_kind, norm_url, ColumnClass};
use crate::eval::{col_ev, Site};
use crate::finding::{ev, per_item};

fn has_any(text: &str, words: &[String]) -> bool {
    words
        .iter()
        .any(|w| !w.is_empty() && text.contains(w.as_str()))
}

/// The name a page goes by: ColumnName, else breadcrumb end, else the anchor it was found under,
/// else its title; plus its ColumnType.
fn page_names(p: &PageRecord) -> Vec<&str> {
    let f = &p.facts;
    let name = f
        .meta("ColumnName")
        .map(str::trim)
        .filter(|n| !n.is_empty() && *n != "null")
        .or_else(|| f.breadcrumb.last().map(String::as_str))
        .or(p.anchor.as_deref())
        .or(f.title.as_deref());
    name.into_iter().chain(f.meta("ColumnType")).collect()
}

impl Site<'_> {
    /// `ded.policy_interpretation`: no interpretation at all; or interpretation columns blank or
    /// past their window; or interpretation pages that link to no policy document.
    pub(crate) fn policy_interpretation(&self) -> Option<Finding> {
        let pack = self.pack();
        let cols: Vec<_> = self
            .cols
            .iter()
            .filter(|c| c.class == ColumnClass::Interpretation)
            .collect();
        let present = !cols.is_empty()
            || self
                .ok_pages()
                .flat_map(|p| p.facts.links.iter())
                .any(|l| l.text.contains("解读"))
            || self
                .ok_pages()
                .flat_map(|p| p.facts.dated_items.iter())
                .any(|i| i.title.contains("解读"));
        if !present {
            return per_item(
                ids::DED_POLICY_INTERPRETATION,
                1,
                vec![ev(&self.home.url, "未发现政策解读栏目、入口或解读类信息")],
                |_| "未发现政策解读栏目或解读信息".into(),
            );
        }
        let mut evidence = Vec::new();
        let mut stale = 0;
        if let Some(w) = ColumnClass::Interpretation.window(pack) {
            for c in cols.iter().filter(|c| c.judged()) {
                if let Some(why) = &c.blank {
                    stale += 1;
                    evidence.push(col_ev(c, format!("政策解读栏目无信息（{why}）")));
                } else if self.stale_in(c, w) {
                    stale += 1;
                    evidence.push(col_ev(c, self.stale_detail(c, w)));
                }
            }
        }
        let unlinked = self.unlinked_interpretations();
        let n_unlinked = unlinked.len();
        evidence.extend(unlinked);
        let summary = move |n: u32| {
            let mut parts = Vec::new();
            if stale > 0 {
                parts.push(format!("政策解读栏目未按期更新 {stale} 个"));
            }
            if n_unlinked > 0 {
                parts.push(format!("解读未关联所解读的政策文件 {n_unlinked} 篇"));
            }
            if parts.is_empty() {
                format!("政策解读问题 {n} 处")
            } else {
                parts.join("、")
            }
        };
        per_item(ids::DED_POLICY_INTERPRETATION, 1, evidence, summary)
    }

    /// Interpretation content pages with no link to a policy document.
    fn unlinked_interpretations(&self) -> Vec<Evidence> {
        let cfg = &self.pack().interpretation;
        let title_re = Regex::new(&cfg.policy_title_regex).ok();
        let policy_pages: BTreeSet<String> = self
            .ok_pages()
            .filter(|p| effective_kind(&p.facts, &p.url) == PageKind::Content)
            .filter(|p| self.page_class(p) == Some(ColumnClass::Policy))
            .flat_map(|p| [norm_url(&p.url), norm_url(&p.final_url)])
            .collect();
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for p in self.ok_pages() {
            if effective_kind(&p.facts, &p.url) != PageKind::Content
                || self.page_class(p) != Some(ColumnClass::Interpretation)
                || !seen.insert(norm_url(&p.url))
            {
                continue;
            }
            let linked = p.facts.links.iter().any(|l| {
                if l.in_nav || l.in_footer || !matches!(l.tag, LinkTag::A | LinkTag::Area) {
                    return false;
                }
                let t = l.text.trim();
                if t.contains("解读") {
                    return false;
                }
                l.url
                    .as_deref()
                    .is_some_and(|u| policy_pages.contains(&norm_url(u)))
                    || has_any(t, &cfg.policy_link_keywords)
                    || title_re.as_ref().is_some_and(|r| r.is_match(t))
            });
            if !linked {
                let title = p
                    .facts
                    .meta("ArticleTitle")
                    .map(str::to_string)
                    .or_else(|| p.facts.title.clone())
                    .unwrap_or_default();
                out.push(Evidence {
                    date: p.facts.published,
                    snippet: Some(title),
                    ..ev(
                        &p.url,
                        "解读页面未链接所解读的政策文件（无指向政策文件页面、原文或文件标题的链接）",
                    )
                });
            }
        }
        out
    }

    /// `ded.overview_info`: the 概况信息/机构职能 part or the 负责人信息 part missing, or their pages
    /// not showing their elements (机构设置, 主要职责, 联系方式; 姓名职务, 简历, 分工).
    pub(crate) fn overview_info(&self) -> Option<Finding> {
        let cfg = &self.pack().overview;
        let home_key = norm_url(&self.home.url);
        let section = |words: &[String]| -> Vec<&PageRecord> {
            self.ok_pages()
                .filter(|p| norm_url(&p.url) != home_key)
                .filter(|p| page_names(p).iter().any(|n| has_any(n, words)))
                .collect()
        };
        let linked = |words: &[String]| {
            self.ok_pages()
                .flat_map(|p| p.facts.links.iter())
                .any(|l| !l.in_footer && has_any(l.text.trim(), words))
                || self
                    .cols
                    .iter()
                    .any(|c| c.external && has_any(&c.name, words))
        };
        let mut evidence = Vec::new();
        let overview_pages = section(&cfg.overview_keywords);
        if overview_pages.is_empty() && !linked(&cfg.overview_keywords) {
            evidence.push(ev(
                &self.home.url,
                "未发现概况信息或机构职能栏目、页面或入口",
            ));
        }
        let leader_pages = section(&cfg.leader_keywords);
        if leader_pages.is_empty() && !linked(&cfg.leader_keywords) {
            evidence.push(ev(
                &self.home.url,
                "未发现负责人信息（领导信息）栏目、页面或入口",
            ));
        }
        for (what, pages, elements) in [
            (
                "机构职能",
                section(&cfg.function_keywords),
                &cfg.function_elements,
            ),
            ("负责人信息", leader_pages, &cfg.leader_elements),
        ] {
            if pages.is_empty() {
                continue;
            }
            let text: String = pages
                .iter()
                .map(|p| p.facts.body_text.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            let missing: Vec<&str> = elements
                .iter()
                .filter(|(_, words)| !has_any(&text, words))
                .map(|(e, _)| e.as_str())
                .collect();
            if missing.is_empty() {
                continue;
            }
            let urls: Vec<&str> = pages.iter().take(3).map(|p| p.url.as_str()).collect();
            evidence.push(Evidence {
                column: Some(what.to_string()),
                snippet: Some(urls.join(" ")),
                ..ev(
                    &pages[0].url,
                    format!(
                        "{what}页面（{} 个）未见：{}",
                        pages.len(),
                        missing.join("、")
                    ),
                )
            });
        }
        per_item(ids::DED_OVERVIEW_INFO, 1, evidence, |n| {
            format!("概况信息、机构职能、负责人信息缺失或不完整 {n} 处")
        })
    }
}
