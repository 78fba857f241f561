//! Trends over the runs kept: the overall pass rate and each site's verdict, run by run.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use pucha_core::{Report, Verdict};
use serde::{Deserialize, Serialize};

use crate::text::problems;

/// One run's overall numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunPoint {
    pub run_id: String,
    pub as_of: NaiveDate,
    pub total: usize,
    pub checked: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub pass_rate: Option<f64>,
}

/// One site in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SitePoint {
    pub run_id: String,
    pub as_of: NaiveDate,
    /// None when the site was not in that run.
    pub verdict: Option<Verdict>,
    pub vetoes: usize,
    pub problems: usize,
}

/// One site over the runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteTrend {
    pub key: String,
    pub name: String,
    pub points: Vec<SitePoint>,
}

/// Trends of the current run and its history, oldest run first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Trends {
    pub runs: Vec<RunPoint>,
    /// The sites of the current run, in its order.
    pub sites: Vec<SiteTrend>,
}

impl Trends {
    /// Builds the trends of `current` over `history` (other runs; the current run is skipped there,
    /// runs are ordered by as_of then start time).
    pub fn build(current: &Report, history: &[Report]) -> Trends {
        let mut reports: Vec<&Report> = history
            .iter()
            .filter(|r| r.run.id != current.run.id)
            .collect();
        reports.push(current);
        reports.sort_by_key(|r| (r.run.as_of, r.run.started_at));
        let runs = reports
            .iter()
            .map(|r| {
                let c = r.summary.counts();
                RunPoint {
                    run_id: r.run.id.clone(),
                    as_of: r.run.as_of,
                    total: c.total,
                    checked: c.checked(),
                    passed: c.passed,
                    failed: c.failed,
                    errors: c.errors,
                    pass_rate: c.pass_rate,
                }
            })
            .collect();
        let indexed: Vec<BTreeMap<String, &pucha_core::SiteResult>> = reports
            .iter()
            .map(|r| r.sites.iter().map(|s| (s.site.key(), s)).collect())
            .collect();
        let sites = current
            .sites
            .iter()
            .map(|s| {
                let key = s.site.key();
                let points = reports
                    .iter()
                    .zip(&indexed)
                    .map(|(r, idx)| {
                        let hit = idx.get(&key);
                        SitePoint {
                            run_id: r.run.id.clone(),
                            as_of: r.run.as_of,
                            verdict: hit.map(|h| h.verdict),
                            vetoes: hit.map(|h| h.vetoes.len()).unwrap_or(0),
                            problems: hit.map(|h| problems(h).len()).unwrap_or(0),
                        }
                    })
                    .collect();
                SiteTrend {
                    key: key.clone(),
                    name: s.site.name.clone(),
                    points,
                }
            })
            .collect();
        Trends { runs, sites }
    }

    pub fn site(&self, key: &str) -> Option<&SiteTrend> {
        self.sites.iter().find(|s| s.key == key)
    }
}

/// The run in `history` just before `current` (by as_of, then start time), for the re-check.
pub fn previous<'a>(current: &Report, history: &'a [Report]) -> Option<&'a Report> {
    history
        .iter()
        .filter(|r| r.run.id != current.run.id)
        .filter(|r| (r.run.as_of, r.run.started_at) < (current.run.as_of, current.run.started_at))
        .max_by_key(|r| (r.run.as_of, r.run.started_at))
}
