//! Checks beyond the 2019 indicators (超出 2019 指标的检查, issue #16): `ext.*` rules.
//!
//! Their findings have [`Severity::Extension`]: reported in a section of their own, never
//! scored and never a veto — unless the rule pack promotes a rule
//! (`[extensions.promote] "ext.personal_info_exposed" = "veto"`).
//!
//! - `ext.personal_info_exposed`: the page facts' [`pucha_core::PiiHit`]s (masked numbers).
//! - `ext.outdated_institution_name`: old names of the 机构改革 register on pages published
//!   after the name ended (plus a grace period).

use std::collections::{BTreeMap, BTreeSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use chrono::{Datelike, Days, NaiveDate};
use pucha_core::rule_ids as ids;
use pucha_core::{Evidence, Finding, PageRecord, Severity};
use serde::{Deserialize, Serialize};

use crate::error::RulesError;
use crate::finding::{ev, per_item};

const REGISTER: &str = include_str!("../registers/institution-names.toml");

/// `[extensions]` of the rule pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Extensions {
    /// Rule id → the class it counts as instead of `extension` (`veto`, `deduction`, `norm`).
    /// A promoted deduction also needs a `[scoring.items."ext.…"]` entry to cost points.
    pub promote: BTreeMap<String, Severity>,
    pub outdated_names: OutdatedNames,
    pub annual_report: AnnualReport,
}

/// `[extensions.annual_report]`: ext.annual_report_missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnnualReport {
    /// A page title, list title or link text naming the report has one of these words
    /// and the previous year (`2023`).
    pub keywords: Vec<String>,
    /// The report is owed from the day after this month-day of the following year.
    pub due_month: u32,
    pub due_day: u32,
}

impl Default for AnnualReport {
    fn default() -> Self {
        AnnualReport {
            keywords: vec!["年度报表".into(), "工作报表".into(), "年度工作报表".into()],
            due_month: 1,
            due_day: 31,
        }
    }
}

/// `[extensions.outdated_names]`: ext.outdated_institution_name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutdatedNames {
    /// Days after a name ended during which pages may still use it.
    pub grace_days: u32,
    /// Use the shipped register (`registers/institution-names.toml`).
    pub builtin_register: bool,
    /// The operator's own entries, added to the shipped register.
    pub extra: Vec<RegisterEntry>,
    /// Current names that contain an old pattern (never flagged), added to the register's.
    pub extra_shadow: Vec<String>,
    /// An old name right after one of these (原国家工商行政管理总局) is a historical reference.
    pub historical_prefixes: Vec<String>,
    /// An old name followed (within 2 characters) by one of these (国家工商行政管理总局令) cites
    /// a historical document.
    pub document_suffixes: Vec<String>,
    /// An old name followed by one of these (环境保护部门, 农业部门) is a generic word.
    pub not_followed_by: Vec<String>,
    /// An old name inside a 《…》 title is a quotation of a historical document.
    pub titles_are_quotations: bool,
    /// Characters of text kept on each side of a hit.
    pub snippet_chars: usize,
}

impl Default for OutdatedNames {
    fn default() -> Self {
        OutdatedNames {
            grace_days: 180,
            builtin_register: true,
            extra: Vec::new(),
            extra_shadow: Vec::new(),
            historical_prefixes: vec!["原".into(), "前".into()],
            document_suffixes: vec!["令".into(), "文件".into()],
            not_followed_by: vec!["门".into()],
            titles_are_quotations: true,
            snippet_chars: 20,
        }
    }
}

/// One register entry: a name no longer in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterEntry {
    pub old: String,
    pub new: String,
    pub ended: NaiveDate,
    /// A pattern matched inside a local name (四川省工商行政管理局).
    #[serde(default)]
    pub local: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterFile {
    #[allow(dead_code)]
    register: String,
    #[allow(dead_code)]
    version: String,
    #[serde(default)]
    shadow: Vec<String>,
    #[serde(default)]
    entry: Vec<RegisterEntry>,
}

fn builtin_register() -> RegisterFile {
    toml::from_str(REGISTER).expect("the shipped institution-name register parses (tested)")
}

impl Extensions {
    /// Checks the promotions name ext rules and real classes.
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (id, sev) in &self.promote {
            if !id.starts_with("ext.") || ids::info(id).is_none() {
                out.push(format!("extensions.promote.\"{id}\": not an ext rule id"));
            }
            if matches!(sev, Severity::Info | Severity::Extension) {
                out.push(format!(
                    "extensions.promote.\"{id}\": promote to veto, deduction or norm"
                ));
            }
        }
        for e in &self.outdated_names.extra {
            if e.old.trim().is_empty() {
                out.push("extensions.outdated_names.extra: empty old name".into());
            }
        }
        out
    }
}

/// The compiled register: old names (entries) and shadowing current names in one automaton.
pub(crate) struct Register {
    ac: AhoCorasick,
    /// Pattern index → entry (None for a shadow pattern).
    entries: Vec<Option<RegisterEntry>>,
}

impl Register {
    pub(crate) fn new(cfg: &OutdatedNames) -> Result<Register, RulesError> {
        let mut entries: Vec<RegisterEntry> = Vec::new();
        let mut shadow: Vec<String> = cfg.extra_shadow.clone();
        if cfg.builtin_register {
            let b = builtin_register();
            entries.extend(b.entry);
            shadow.extend(b.shadow);
        }
        entries.extend(cfg.extra.iter().cloned());
        // Current names are shadows too: 文化和旅游部 must not read as an old name inside it.
        shadow.extend(entries.iter().map(|e| e.new.clone()));
        let mut seen = BTreeSet::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut slots: Vec<Option<RegisterEntry>> = Vec::new();
        // Operator entries come last and override the shipped one of the same old name.
        for e in entries.into_iter().rev() {
            if seen.insert(e.old.clone()) {
                patterns.push(e.old.clone());
                slots.push(Some(e));
            }
        }
        for s in shadow {
            if !s.is_empty() && seen.insert(s.clone()) {
                patterns.push(s);
                slots.push(None);
            }
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .map_err(|e| RulesError::Invalid(format!("extensions.outdated_names: {e}")))?;
        Ok(Register { ac, entries: slots })
    }

    /// Old names in `text` that count on a page published on `published`: one per old name.
    pub(crate) fn hits<'a>(
        &'a self,
        text: &'a str,
        published: NaiveDate,
        cfg: &OutdatedNames,
    ) -> Vec<(&'a RegisterEntry, String)> {
        let mut out: Vec<(&RegisterEntry, String)> = Vec::new();
        let mut seen = BTreeSet::new();
        for m in self.ac.find_iter(text) {
            let Some(e) = &self.entries[m.pattern().as_usize()] else {
                continue;
            };
            let Some(until) = e
                .ended
                .checked_add_days(Days::new(u64::from(cfg.grace_days)))
            else {
                continue;
            };
            if published <= until || seen.contains(&e.old) {
                continue;
            }
            let (pre, post) = (&text[..m.start()], &text[m.end()..]);
            if excepted(pre, post, e, cfg) {
                continue;
            }
            seen.insert(e.old.clone());
            let snippet = format!(
                "{}{}{}",
                tail_chars(pre, cfg.snippet_chars),
                &text[m.start()..m.end()],
                head_chars(post, cfg.snippet_chars)
            );
            out.push((e, snippet.split_whitespace().collect::<Vec<_>>().join(" ")));
        }
        out
    }
}

fn tail_chars(s: &str, n: usize) -> &str {
    let start = s
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    if n == 0 {
        return "";
    }
    &s[start..]
}

fn head_chars(s: &str, n: usize) -> &str {
    let end = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    &s[..end]
}

/// The exceptions: historical references and quotations of historical documents.
fn excepted(pre: &str, post: &str, e: &RegisterEntry, cfg: &OutdatedNames) -> bool {
    if cfg
        .not_followed_by
        .iter()
        .any(|w| post.starts_with(w.as_str()))
    {
        return true;
    }
    // 原国家工商行政管理总局. For a local pattern the place name sits in between
    // (原四川省工商行政管理局): the prefix must open the run of Han characters before the
    // pattern, or follow a preposition (经原…), so 太原市工商行政管理局 still counts.
    if e.local {
        let run: Vec<char> = pre
            .chars()
            .rev()
            .take_while(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
            .take(12)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let run: String = run.into_iter().collect();
        let historical = cfg.historical_prefixes.iter().any(|p| {
            run.starts_with(p.as_str())
                || run.match_indices(p.as_str()).any(|(i, _)| {
                    run[..i]
                        .chars()
                        .next_back()
                        .is_some_and(|c| "经由及和与的对将在按向从据".contains(c))
                })
        });
        if historical {
            return true;
        }
    } else if cfg
        .historical_prefixes
        .iter()
        .any(|p| tail_chars(pre, 1).ends_with(p.as_str()))
    {
        return true;
    }
    let next = head_chars(post, 2);
    if cfg
        .document_suffixes
        .iter()
        .any(|s| post.starts_with(s.as_str()) || next.ends_with(s.as_str()))
    {
        return true;
    }
    // 〔2016〕, [2016], （2016）, (2016) right after the name, with a year up to the end year.
    let after = head_chars(post, 8);
    let mut chars = after.chars();
    if let Some(open) = chars.next() {
        if matches!(open, '〔' | '[' | '（' | '(' | '【' | '［') {
            let year: String = chars.take_while(char::is_ascii_digit).collect();
            if year.len() == 4 && year.parse::<i32>().is_ok_and(|y| y <= e.ended.year()) {
                return true;
            }
        }
    }
    if cfg.titles_are_quotations {
        // Inside 《…》: an opening 《 before the hit not closed before it, closed after it.
        let open = pre.rfind('《');
        let close = pre.rfind('》');
        let opened = match (open, close) {
            (Some(o), Some(c)) => o > c,
            (Some(_), None) => true,
            _ => false,
        };
        if opened
            && post
                .find('》')
                .is_some_and(|c| post[..c].chars().count() <= 80)
        {
            return true;
        }
    }
    false
}

/// `ext.personal_info_exposed`: every masked hit of every page.
pub(crate) fn personal_info(pages: &[&PageRecord]) -> Option<Finding> {
    let mut evidence = Vec::new();
    for p in pages {
        for h in &p.facts.pii {
            evidence.push(Evidence {
                snippet: Some(h.context.clone()),
                date: p.facts.published,
                ..ev(
                    &p.url,
                    format!("未脱敏的{}：{}", h.kind.label_zh(), h.masked),
                )
            });
        }
    }
    per_item(ids::EXT_PERSONAL_INFO_EXPOSED, 1, evidence, |n| {
        format!("页面公开未脱敏的个人信息（身份证号、手机号码、银行卡号）{n} 处")
    })
}

/// `ext.outdated_institution_name`: one occurrence per (page, old name). Pages without a
/// publication date are not judged (nothing says they were written after the reform).
pub(crate) fn outdated_names(
    pages: &[&PageRecord],
    reg: &Register,
    cfg: &OutdatedNames,
) -> Option<Finding> {
    let mut evidence = Vec::new();
    for p in pages {
        let Some(published) = p.facts.published else {
            continue;
        };
        let mut texts = vec![p.facts.body_text.as_str()];
        if let Some(t) = p.facts.title.as_deref() {
            texts.push(t);
        }
        let mut seen = BTreeSet::new();
        for t in texts {
            for (e, snippet) in reg.hits(t, published, cfg) {
                if !seen.insert(e.old.clone()) {
                    continue;
                }
                let fix = if e.local {
                    format!("「…{}」应为「…{}」", e.old, e.new)
                } else {
                    format!("「{}」应为「{}」", e.old, e.new)
                };
                evidence.push(Evidence {
                    snippet: Some(snippet),
                    date: Some(published),
                    ..ev(
                        &p.url,
                        format!(
                            "{fix}（旧名称已于 {} 停用，页面发布于 {published}）",
                            e.ended
                        ),
                    )
                });
            }
        }
    }
    per_item(ids::EXT_OUTDATED_INSTITUTION_NAME, 1, evidence, |n| {
        format!("机构改革后仍使用旧机构名称 {n} 处")
    })
}

/// `ext.annual_report_missing`: after the due day (31 January), the previous year's
/// 政府网站工作年度报表 is named by no page title, list title or link text of the site.
pub(crate) fn annual_report(
    pages: &[&PageRecord],
    home_url: &str,
    as_of: NaiveDate,
    cfg: &AnnualReport,
) -> Option<Finding> {
    let due = NaiveDate::from_ymd_opt(as_of.year(), cfg.due_month, cfg.due_day)?;
    if as_of <= due {
        return None;
    }
    let year = (as_of.year() - 1).to_string();
    let names =
        |t: &str| t.contains(year.as_str()) && cfg.keywords.iter().any(|k| t.contains(k.as_str()));
    let found = pages.iter().any(|p| {
        let f = &p.facts;
        f.title.as_deref().is_some_and(names)
            || f.meta("ArticleTitle").is_some_and(names)
            || f.dated_items.iter().any(|i| names(&i.title))
            || f.links.iter().any(|l| names(&l.text))
    });
    if found {
        return None;
    }
    per_item(
        ids::EXT_ANNUAL_REPORT_MISSING,
        1,
        vec![ev(
            home_url,
            format!("在已抓取页面的标题和链接中未找到 {year} 年度政府网站工作年度报表"),
        )],
        |_| format!("未找到 {year} 年度政府网站工作年度报表"),
    )
}

/// Sets the class a pack promotes an ext rule to.
pub(crate) fn promote(findings: &mut [Finding], cfg: &Extensions) {
    for f in findings.iter_mut() {
        if let Some(sev) = cfg.promote.get(&f.rule) {
            f.severity = *sev;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn names(text: &str, published: &str) -> Vec<(String, String)> {
        let cfg = OutdatedNames::default();
        let reg = Register::new(&cfg).unwrap();
        reg.hits(text, d(published), &cfg)
            .into_iter()
            .map(|(e, _)| (e.old.clone(), e.new.clone()))
            .collect()
    }

    #[test]
    fn shipped_register_parses_and_has_the_2018_reform() {
        let r = builtin_register();
        for old in [
            "国家工商行政管理总局",
            "国家质量监督检验检疫总局",
            "国家食品药品监督管理总局",
            "国土资源部",
            "环境保护部",
            "国家卫生和计划生育委员会",
            "文化部",
            "国家旅游局",
            "农业部",
            "监察部",
        ] {
            let e = r.entry.iter().find(|e| e.old == old).expect(old);
            assert!(
                e.ended >= d("2018-03-17") && e.ended <= d("2018-04-30"),
                "{e:?}"
            );
        }
    }

    #[test]
    fn old_name_after_end_plus_grace_is_a_hit() {
        assert_eq!(
            names("经国土资源部批准，", "2020-05-01"),
            vec![("国土资源部".into(), "自然资源部".into())]
        );
        // Published before the end date, or within the grace period.
        assert!(names("经国土资源部批准，", "2018-01-01").is_empty());
        assert!(names("经国土资源部批准，", "2018-09-01").is_empty());
        // 180 days after 2018-04-10 is 2018-10-07: the day after counts.
        assert!(names("国土资源部", "2018-10-07").is_empty());
        assert_eq!(names("国土资源部", "2018-10-08").len(), 1);
    }

    #[test]
    fn local_variants_and_shadowed_current_names() {
        assert_eq!(
            names("四川省工商行政管理局发布", "2021-01-01"),
            vec![("工商行政管理局".into(), "市场监督管理局".into())]
        );
        assert!(names(
            "四川省市场监督管理局、文化和旅游部、农业农村部",
            "2021-01-01"
        )
        .is_empty());
        assert!(names("各级环境保护部门、农业部门", "2021-01-01").is_empty());
        // The national name is one hit, not also the local pattern.
        assert_eq!(names("国家卫生和计划生育委员会", "2021-01-01").len(), 1);
    }

    #[test]
    fn historical_quotations_are_exceptions() {
        assert!(names("根据《国家工商行政管理总局关于某事的通知》", "2021-01-01").is_empty());
        assert!(names("国家工商行政管理总局令第86号", "2021-01-01").is_empty());
        assert!(names("环境保护部〔2016〕12号", "2021-01-01").is_empty());
        assert!(names("原国家质量监督检验检疫总局", "2021-01-01").is_empty());
        assert!(names("原绵阳市国土资源局", "2021-01-01").is_empty());
        assert!(names("经原绵阳市国土资源局批准", "2021-01-01").is_empty());
        // 原 inside a place name is no historical reference.
        assert_eq!(names("太原市工商行政管理局发布", "2021-01-01").len(), 1);
        assert_eq!(names("由太原市国土资源局负责", "2021-01-01").len(), 1);
        // A later year in brackets is no historical document.
        assert_eq!(names("环境保护部〔2020〕12号", "2021-01-01").len(), 1);
        // A closed title before the name does not shield it.
        assert_eq!(
            names("《某办法》由国土资源部负责解释", "2021-01-01").len(),
            1
        );
    }

    #[test]
    fn overlay_entries_extend_the_register() {
        let cfg = OutdatedNames {
            extra: vec![RegisterEntry {
                old: "某某县扶贫开发办公室".into(),
                new: "某某县乡村振兴局".into(),
                ended: d("2021-02-25"),
                local: false,
            }],
            ..OutdatedNames::default()
        };
        let reg = Register::new(&cfg).unwrap();
        let hits = reg.hits("某某县扶贫开发办公室通知", d("2022-01-01"), &cfg);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].0.new, "某某县乡村振兴局");
        assert_eq!(reg.hits("农业部", d("2022-01-01"), &cfg).len(), 1);
    }
}
