//! A processor that checks nothing: it derives each result from the job itself.
//!
//! Used to drill the cluster's failure handling (worker crashes, broker and Redis
//! outages, poison jobs) and to benchmark the queue and store without crawling.
//! Markers in a site's name steer it: `[sleep=MS]` makes the check take MS
//! milliseconds, `[fail]` gives verdict "fail", `[flaky]` fails the first attempt,
//! `[poison]` panics on every attempt.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use pucha_core::{Finding, Job, Severity, SiteResult, Verdict};

use crate::worker::{JobProcessor, ProcessError};

/// The drill processor; counts how often each site was started and finished.
#[derive(Default)]
pub struct DrillProcessor {
    started: Mutex<HashMap<String, u32>>,
    finished: Mutex<HashMap<String, u32>>,
}

impl DrillProcessor {
    pub fn new() -> DrillProcessor {
        DrillProcessor::default()
    }

    /// Times the check of `site_key` was started in this process.
    pub fn started(&self, site_key: &str) -> u32 {
        self.started
            .lock()
            .expect("drill lock")
            .get(site_key)
            .copied()
            .unwrap_or(0)
    }

    /// Times the check of `site_key` ran to its end in this process.
    pub fn finished(&self, site_key: &str) -> u32 {
        self.finished
            .lock()
            .expect("drill lock")
            .get(site_key)
            .copied()
            .unwrap_or(0)
    }

    /// Checks started in all.
    pub fn total_started(&self) -> u32 {
        self.started.lock().expect("drill lock").values().sum()
    }
}

fn marker_ms(name: &str, marker: &str) -> Option<u64> {
    let start = name.find(marker)? + marker.len();
    let end = name[start..].find(']')? + start;
    name[start..end].parse().ok()
}

/// The result the drill derives from a job (also what embedded mode computes for the same site).
pub fn drill_result(job: &Job) -> SiteResult {
    let mut r = SiteResult::error(job.site.clone(), "", job.attempt);
    r.error = None;
    if job.site.name.contains("[fail]") {
        r.verdict = Verdict::Fail;
        r.vetoes = vec!["veto.site_unreachable".into()];
        r.findings = vec![Finding {
            rule: "veto.site_unreachable".into(),
            count: 1,
            severity: Severity::Veto,
            triggered: true,
            needs_review: false,
            points: None,
            summary_zh: "演练：首页无法访问".into(),
            evidence: Vec::new(),
        }];
    } else {
        r.verdict = Verdict::Pass;
    }
    r
}

#[async_trait]
impl JobProcessor for DrillProcessor {
    async fn process(&self, job: &Job) -> Result<SiteResult, ProcessError> {
        let key = job.site.key();
        *self
            .started
            .lock()
            .expect("drill lock")
            .entry(key.clone())
            .or_insert(0) += 1;
        let name = &job.site.name;
        if let Some(ms) = marker_ms(name, "[sleep=") {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        if name.contains("[poison]") {
            panic!("poison job {name}");
        }
        if name.contains("[flaky]") && job.attempt == 1 {
            return Err(ProcessError::transient("drill: transient failure"));
        }
        *self
            .finished
            .lock()
            .expect("drill lock")
            .entry(key)
            .or_insert(0) += 1;
        Ok(drill_result(job))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_read_from_the_name() {
        assert_eq!(marker_ms("a [sleep=250] b", "[sleep="), Some(250));
        assert_eq!(marker_ms("a [sleep=x]", "[sleep="), None);
        assert_eq!(marker_ms("plain", "[sleep="), None);
    }
}
