//! The review file (`review.toml`): a person confirms or drops findings that need one (待复核)
//! before the notice is published, and the next render honours the decisions.
//!
//! Dropping a vetoing finding re-derives the site's vetoes and verdict, and the run summary
//! is recomputed with `Summary::from_results`.

use std::path::Path;

use pucha_core::{Report, ScoringMode, Severity, SiteResult, Summary, Verdict};
use serde::{Deserialize, Serialize};

use crate::text::finding_sentence;
use crate::ReportError;

/// A reviewer's decision on one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Not reviewed yet: the finding stays 待复核.
    #[default]
    Pending,
    /// The problem is real: it counts, and is no longer marked 待复核.
    Confirm,
    /// A false alarm: the finding is removed from the report.
    Drop,
}

/// One line of the review file: a finding, identified by site key and rule id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    /// The site key (normalised home URL, `Site::key`).
    pub site: String,
    pub rule: String,
    #[serde(default)]
    pub decision: Decision,
    /// The site name, for the reader of the file (not used to match).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// What was found, for the reader of the file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub finding: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reviewer: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// The review file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Review {
    #[serde(default, rename = "item")]
    pub items: Vec<ReviewItem>,
}

/// What applying a review did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Applied {
    pub confirmed: usize,
    pub dropped: usize,
    pub pending: usize,
    /// Decisions whose finding is not in the report (already dropped, or fixed).
    pub unmatched: usize,
}

/// The file name next to a report.
pub const REVIEW_FILE: &str = "review.toml";

const HEADER: &str =
    "# pucha review file: for each finding set decision = \"confirm\" (the problem is real)\n\
# or \"drop\" (a false alarm), then render again (`pucha report --from DIR`).\n\
# \"pending\" findings stay marked 待复核 in the notice.\n\n";

impl Review {
    pub fn load(path: &Path) -> Result<Review, ReportError> {
        let text = std::fs::read_to_string(path).map_err(|e| ReportError::io(path, e))?;
        toml::from_str(&text).map_err(|e| ReportError::Review {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })
    }

    /// Loads `path` when it exists, else an empty review.
    pub fn load_or_default(path: &Path) -> Result<Review, ReportError> {
        if path.exists() {
            Review::load(path)
        } else {
            Ok(Review::default())
        }
    }

    pub fn save(&self, path: &Path) -> Result<(), ReportError> {
        let body = toml::to_string_pretty(self).map_err(|e| ReportError::Review {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        std::fs::write(path, format!("{HEADER}{body}")).map_err(|e| ReportError::io(path, e))
    }

    /// Pending items for every finding of the report that needs a person.
    pub fn template(report: &Report) -> Review {
        let mut r = Review::default();
        r.merge_pending(report);
        r
    }

    /// Adds a pending item for each finding needing review that the file does not list yet.
    /// Returns how many were added; existing decisions are kept.
    pub fn merge_pending(&mut self, report: &Report) -> usize {
        let mut added = 0;
        for s in &report.sites {
            let key = s.site.key();
            for f in s.findings.iter().filter(|f| f.needs_review) {
                if self.get(&key, &f.rule).is_none() {
                    self.items.push(ReviewItem {
                        site: key.clone(),
                        rule: f.rule.clone(),
                        decision: Decision::Pending,
                        name: s.site.name.clone(),
                        finding: finding_sentence(f),
                        reviewer: String::new(),
                        note: String::new(),
                    });
                    added += 1;
                }
            }
        }
        added
    }

    pub fn get(&self, site: &str, rule: &str) -> Option<&ReviewItem> {
        self.items.iter().find(|i| i.site == site && i.rule == rule)
    }

    /// Records a decision (adding the item when absent).
    pub fn decide(
        &mut self,
        site: &str,
        rule: &str,
        decision: Decision,
        reviewer: &str,
        note: &str,
    ) {
        match self
            .items
            .iter_mut()
            .find(|i| i.site == site && i.rule == rule)
        {
            Some(i) => {
                i.decision = decision;
                if !reviewer.is_empty() {
                    i.reviewer = reviewer.to_string();
                }
                if !note.is_empty() {
                    i.note = note.to_string();
                }
            }
            None => self.items.push(ReviewItem {
                site: site.to_string(),
                rule: rule.to_string(),
                decision,
                name: String::new(),
                finding: String::new(),
                reviewer: reviewer.to_string(),
                note: note.to_string(),
            }),
        }
    }

    /// Applies the decisions to a report: confirmed findings lose their 待复核 mark, dropped
    /// ones are removed; verdicts, vetoes and the summary are re-derived.
    pub fn apply(&self, report: &mut Report) -> Applied {
        let mut a = Applied::default();
        let mut dropped_at: Vec<String> = Vec::new();
        let mut confirmed_at: Vec<String> = Vec::new();
        for item in &self.items {
            let Some(site) = report.sites.iter_mut().find(|s| s.site.key() == item.site) else {
                if item.decision != Decision::Pending {
                    a.unmatched += 1;
                }
                continue;
            };
            let Some(pos) = site.findings.iter().position(|f| f.rule == item.rule) else {
                if item.decision != Decision::Pending {
                    a.unmatched += 1;
                }
                continue;
            };
            match item.decision {
                Decision::Pending => a.pending += 1,
                Decision::Confirm => {
                    site.findings[pos].needs_review = false;
                    confirmed_at.push(item.site.clone());
                    a.confirmed += 1;
                }
                Decision::Drop => {
                    let f = site.findings.remove(pos);
                    if let (Some(p), Some(s)) = (f.points, site.score.as_mut()) {
                        *s += p;
                    }
                    dropped_at.push(item.site.clone());
                    a.dropped += 1;
                }
            }
        }
        // Only sites a decision touched are re-derived: the rules' verdicts stand elsewhere.
        for s in &mut report.sites {
            let key = s.site.key();
            if dropped_at.contains(&key) {
                rederive(s, report.run.mode);
            } else if confirmed_at.contains(&key) {
                s.needs_review = pending_veto(s);
            }
        }
        report.summary = Summary::from_results(&report.sites);
        a
    }
}

/// Re-derives a site's vetoes, verdict and 待复核 flag from its findings (indicators §2 order:
/// any veto fails the site; otherwise a full-score site fails below 60).
pub fn rederive(s: &mut SiteResult, mode: ScoringMode) {
    if s.verdict == Verdict::Error {
        return;
    }
    s.vetoes = s
        .findings
        .iter()
        .filter(|f| vetoing(f))
        .map(|f| f.rule.clone())
        .collect();
    s.needs_review = pending_veto(s);
    s.verdict = if !s.vetoes.is_empty() {
        Verdict::Fail
    } else {
        match (mode, s.score) {
            (ScoringMode::FullScore, Some(score)) if score < 60.0 => Verdict::Fail,
            _ => Verdict::Pass,
        }
    };
}

fn vetoing(f: &pucha_core::Finding) -> bool {
    f.severity == Severity::Veto && f.triggered
}

/// Some vetoing finding still awaits a person.
fn pending_veto(s: &SiteResult) -> bool {
    s.findings.iter().any(|f| vetoing(f) && f.needs_review)
}
