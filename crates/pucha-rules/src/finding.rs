//! Building findings: severity and review flag from the rule table, evidence helpers, merging
//! the per-page findings of a site into one finding per rule.

use std::collections::BTreeMap;

use pucha_core::rule_ids::{self, Auto};
use pucha_core::{Evidence, Finding, Severity};

/// At most this many evidence entries are kept per finding (the count stays exact).
pub const MAX_EVIDENCE: usize = 200;

/// A finding for `rule` with `count` occurrences; triggered when the count reaches `threshold`.
pub fn finding(
    rule: &str,
    count: u32,
    threshold: u32,
    summary_zh: String,
    evidence: Vec<Evidence>,
) -> Finding {
    let info = rule_ids::info(rule);
    let severity = info.map(|r| r.severity).unwrap_or(Severity::Info);
    let needs_review = info.is_some_and(|r| r.auto != Auto::Yes);
    let mut evidence = evidence;
    evidence.truncate(MAX_EVIDENCE);
    Finding {
        rule: rule.to_string(),
        count,
        severity,
        triggered: count >= threshold.max(1),
        needs_review,
        points: None,
        summary_zh,
        evidence,
    }
}

/// A finding counting one occurrence per piece of evidence, or `None` when there is none.
/// `summary_zh` gets the count.
pub fn per_item(
    rule: &str,
    threshold: u32,
    evidence: Vec<Evidence>,
    summary_zh: impl FnOnce(u32) -> String,
) -> Option<Finding> {
    if evidence.is_empty() {
        return None;
    }
    let n = evidence.len() as u32;
    Some(finding(rule, n, threshold, summary_zh(n), evidence))
}

/// Evidence about a URL.
pub fn ev(url: &str, detail: impl Into<String>) -> Evidence {
    Evidence {
        url: url.to_string(),
        detail: detail.into(),
        ..Evidence::default()
    }
}

/// The default one-line summary: "<label> N 处".
pub fn default_summary(rule: &str, count: u32) -> String {
    format!("{} {count} 处", rule_ids::label_zh(rule))
}

/// Merges per-page findings into one finding per rule (counts add up, evidence concatenates).
pub fn merge(findings: impl IntoIterator<Item = Finding>) -> Vec<Finding> {
    let mut by_rule: BTreeMap<String, Finding> = BTreeMap::new();
    for f in findings {
        match by_rule.get_mut(&f.rule) {
            Some(acc) => {
                acc.count += f.count;
                acc.triggered |= f.triggered;
                acc.needs_review |= f.needs_review;
                let room = MAX_EVIDENCE.saturating_sub(acc.evidence.len());
                acc.evidence.extend(f.evidence.into_iter().take(room));
            }
            None => {
                by_rule.insert(f.rule.clone(), f);
            }
        }
    }
    by_rule.into_values().collect()
}
