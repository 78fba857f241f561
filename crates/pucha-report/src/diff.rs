//! Re-check (复查): what was fixed, what is still open and what is new between two runs.
//!
//! Sites are matched by their key (normalised home URL), problems by rule id, so a
//! re-check compares like with like even when the site list was reordered.

use std::collections::BTreeMap;

use pucha_core::{Finding, Report, SiteResult, Verdict};
use serde::{Deserialize, Serialize};

use crate::text::{finding_sentence, problems};

/// One problem in a re-check, with its count in each run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemRef {
    pub rule: String,
    /// Count in the earlier run (0 when new).
    pub count_before: u32,
    /// Count in the later run (0 when fixed).
    pub count_after: u32,
    /// The sentence of the notice (from the later run when still present).
    pub summary_zh: String,
}

/// The re-check of one site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteDiff {
    pub key: String,
    pub name: String,
    /// None when the site was not in that run.
    pub verdict_before: Option<Verdict>,
    pub verdict_after: Option<Verdict>,
    /// Problems of the earlier run that are gone (已整改).
    pub fixed: Vec<ProblemRef>,
    /// Problems present in both runs (仍未整改).
    pub still_open: Vec<ProblemRef>,
    /// Problems only in the later run (新发现).
    pub new: Vec<ProblemRef>,
}

impl SiteDiff {
    /// Nothing changed and nothing is open: not worth a line in the notice.
    pub fn is_quiet(&self) -> bool {
        self.fixed.is_empty()
            && self.still_open.is_empty()
            && self.new.is_empty()
            && self.verdict_before == self.verdict_after
    }

    /// "不合格 → 合格" style verdict change.
    pub fn verdict_change_zh(&self) -> String {
        let l = |v: Option<Verdict>| v.map(|v| v.label_zh()).unwrap_or("未检查");
        format!("{} → {}", l(self.verdict_before), l(self.verdict_after))
    }
}

/// The re-check of a whole run against an earlier one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunDiff {
    pub run_before: String,
    pub run_after: String,
    pub as_of_before: chrono::NaiveDate,
    pub as_of_after: chrono::NaiveDate,
    /// Every site of either run, in the later run's order (then sites only in the earlier one).
    pub sites: Vec<SiteDiff>,
}

impl RunDiff {
    pub fn site(&self, key: &str) -> Option<&SiteDiff> {
        self.sites.iter().find(|s| s.key == key)
    }

    /// Totals: (fixed, still open, new) problems.
    pub fn totals(&self) -> (usize, usize, usize) {
        self.sites.iter().fold((0, 0, 0), |(a, b, c), s| {
            (a + s.fixed.len(), b + s.still_open.len(), c + s.new.len())
        })
    }
}

/// Compares an earlier run (`before`) with a later one (`after`).
pub fn diff(before: &Report, after: &Report) -> RunDiff {
    let before_sites: BTreeMap<String, &SiteResult> =
        before.sites.iter().map(|s| (s.site.key(), s)).collect();
    let mut sites = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for a in &after.sites {
        let key = a.site.key();
        seen.insert(key.clone());
        sites.push(site_diff(
            key.clone(),
            before_sites.get(&key).copied(),
            Some(a),
        ));
    }
    for b in &before.sites {
        let key = b.site.key();
        if !seen.contains(&key) {
            sites.push(site_diff(key, Some(b), None));
        }
    }
    RunDiff {
        run_before: before.run.id.clone(),
        run_after: after.run.id.clone(),
        as_of_before: before.run.as_of,
        as_of_after: after.run.as_of,
        sites,
    }
}

fn site_diff(key: String, before: Option<&SiteResult>, after: Option<&SiteResult>) -> SiteDiff {
    let name = after
        .or(before)
        .map(|s| s.site.name.clone())
        .unwrap_or_default();
    let pb: Vec<&Finding> = before.map(problems).unwrap_or_default();
    let pa: Vec<&Finding> = after.map(problems).unwrap_or_default();
    let mut d = SiteDiff {
        key,
        name,
        verdict_before: before.map(|s| s.verdict),
        verdict_after: after.map(|s| s.verdict),
        fixed: Vec::new(),
        still_open: Vec::new(),
        new: Vec::new(),
    };
    // A site whose check failed in either run tells nothing about fixes.
    let comparable = before.is_some_and(|s| s.verdict != Verdict::Error)
        && after.is_some_and(|s| s.verdict != Verdict::Error);
    for f in &pb {
        match pa.iter().find(|g| g.rule == f.rule) {
            Some(g) => d.still_open.push(ProblemRef {
                rule: f.rule.clone(),
                count_before: f.count,
                count_after: g.count,
                summary_zh: finding_sentence(g),
            }),
            None if comparable => d.fixed.push(ProblemRef {
                rule: f.rule.clone(),
                count_before: f.count,
                count_after: 0,
                summary_zh: finding_sentence(f),
            }),
            None => {}
        }
    }
    for g in &pa {
        if !pb.iter().any(|f| f.rule == g.rule) {
            d.new.push(ProblemRef {
                rule: g.rule.clone(),
                count_before: 0,
                count_after: g.count,
                summary_zh: finding_sentence(g),
            });
        }
    }
    d
}
