//! The job processor of a real census: crawl the site, then evaluate the rules on what was crawled.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use pucha_core::{Job, ProbeSample, SiteResult};
use pucha_crawl::Crawler;
use pucha_rules::{evaluate, EvalContext, RulePack};

use crate::worker::{JobProcessor, ProcessError};

/// Where availability samples of the monitor come from (the 7 days before the as-of date).
#[async_trait]
pub trait ProbeSource: Send + Sync {
    /// The samples of the job's window; `Err` (why) when they cannot be read, which is not
    /// the same as none recorded: the report must not say the monitor has no samples.
    async fn samples(&self, job: &Job) -> Result<Vec<ProbeSample>, String>;
}

/// How the availability evidence begins when the monitor's store could not be read
/// (instead of the rules' "监测库无近 N 天探测记录", which would be false).
pub const MONITOR_UNREADABLE_ZH: &str = "监测库暂不可读，改为检测时现场探测";

/// The rules' wording when the monitor's store has no samples for the window.
const NO_SAMPLES_ZH: &str = "监测库无近 ";

/// Restates the availability evidence of a result judged without the monitor's samples
/// because they could not be read: the rules say the store has no samples (they only see
/// an empty list); the worker knows it could not read them.
pub fn state_monitor_unreadable(result: &mut SiteResult) {
    for f in &mut result.findings {
        for e in &mut f.evidence {
            if let Some(rest) = e.detail.strip_prefix(NO_SAMPLES_ZH) {
                // "监测库无近 7 天探测记录，仅依据抓取期间 …" → "监测库暂不可读，改为检测时现场探测，仅依据抓取期间 …"
                let tail = rest.split_once('，').map_or("", |(_, t)| t);
                e.detail = if tail.is_empty() {
                    MONITOR_UNREADABLE_ZH.to_string()
                } else {
                    format!("{MONITOR_UNREADABLE_ZH}，{tail}")
                };
            }
        }
    }
}

/// Crawls and checks one site per job.
pub struct SiteChecker {
    crawler: Crawler,
    /// The pack of jobs that name none (published by coordinators older than `Job::pack`).
    pack: Arc<RulePack>,
    /// Packs resolved from jobs' specs, by content hash.
    resolved: Mutex<HashMap<String, Arc<RulePack>>>,
    probes: Option<Arc<dyn ProbeSource>>,
}

impl SiteChecker {
    pub fn new(crawler: Crawler, pack: Arc<RulePack>) -> SiteChecker {
        SiteChecker {
            crawler,
            pack,
            resolved: Mutex::new(HashMap::new()),
            probes: None,
        }
    }

    /// The crawler (for its counters).
    pub fn crawler(&self) -> &Crawler {
        &self.crawler
    }

    /// The pack that judges `job`: the one its spec names, resolved (and cached) as every
    /// worker resolves it.
    pub fn pack_for(&self, job: &Job) -> Result<Arc<RulePack>, ProcessError> {
        let Some(spec) = &job.pack else {
            return Ok(self.pack.clone());
        };
        if let Some(p) = self.resolved.lock().expect("pack cache").get(&spec.hash) {
            return Ok(p.clone());
        }
        let pack = RulePack::resolve(spec)
            .map(Arc::new)
            .map_err(|e| ProcessError::permanent(format!("rule pack {}: {e}", spec.label)))?;
        self.resolved
            .lock()
            .expect("pack cache")
            .insert(spec.hash.clone(), pack.clone());
        Ok(pack)
    }

    /// Reads monitor samples from a store instead of relying on probes taken during the crawl.
    pub fn with_probe_source(mut self, probes: Arc<dyn ProbeSource>) -> SiteChecker {
        self.probes = Some(probes);
        self
    }
}

#[async_trait]
impl JobProcessor for SiteChecker {
    async fn process(&self, job: &Job) -> Result<SiteResult, ProcessError> {
        // The job's own client settings (user agent, proxy, egress): settings no client can
        // be built from are the job's error, not the site's finding.
        self.crawler.client_for(&job.crawl).map_err(|e| {
            ProcessError::permanent(format!("the job's crawl settings are unusable: {e}"))
        })?;
        let pack = self.pack_for(job)?;
        let crawl = self
            .crawler
            .crawl_site_as_of(&job.site, &job.crawl, Some(job.as_of))
            .await;
        // The dashboards' page, byte, link and fetch-error panels move with every crawl.
        let m = pucha_metrics::metrics();
        m.record_site_crawl(&crawl.stats);
        m.record_broken_links(&crawl.links);
        let (probes, unreadable) = match &self.probes {
            Some(p) => match p.samples(job).await {
                Ok(samples) => (samples, false),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the monitor's availability samples; judging by the probes taken during the crawl");
                    (Vec::new(), true)
                }
            },
            None => (Vec::new(), false),
        };
        let ctx = EvalContext {
            as_of: job.as_of,
            mode: job.mode,
            pack: &pack,
            probes: &probes,
        };
        let mut result = evaluate(&crawl, &ctx);
        if unreadable {
            state_monitor_unreadable(&mut result);
        }
        m.record_findings(&result.findings);
        result.attempts = job.attempt;
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pucha_core::{Category, Evidence, Finding, Site};

    fn site() -> Site {
        Site {
            name: "s".into(),
            url: "http://127.0.0.1/".parse().unwrap(),
            category: Category::Department,
            site_code: None,
            sponsor: None,
        }
    }

    #[test]
    fn unreadable_samples_are_not_reported_as_no_samples() {
        let site = site();
        let mut r = SiteResult::error(site, "x", 1);
        let ev = |d: &str| Evidence {
            url: "http://127.0.0.1/".into(),
            detail: d.into(),
            snippet: None,
            column: None,
            date: None,
            target: None,
        };
        let mut f: Finding = serde_json::from_value(serde_json::json!({
            "rule": "veto.site_unreachable", "count": 1, "severity": "veto",
            "triggered": true, "summary_zh": "x", "evidence": []
        }))
        .unwrap();
        f.evidence = vec![
            ev("监测库无近 7 天探测记录，仅依据抓取期间 3 次探测（跨 0.1 小时），结论为临时结论；失败 3 次"),
            ev("2026-03-01 08:00 探测失败：Timeout（15000 ms）"),
        ];
        r.findings.push(f);
        state_monitor_unreadable(&mut r);
        let d = &r.findings[0].evidence;
        assert_eq!(
            d[0].detail,
            "监测库暂不可读，改为检测时现场探测，仅依据抓取期间 3 次探测（跨 0.1 小时），结论为临时结论；失败 3 次"
        );
        assert!(!d[0].detail.contains("无近"));
        assert_eq!(
            d[1].detail,
            "2026-03-01 08:00 探测失败：Timeout（15000 ms）"
        );
    }

    /// The rules' own wording (not a copy of it) is what gets restated: if pucha-rules
    /// rewords its "no samples" evidence, this fails instead of the report lying again.
    #[test]
    fn the_rules_no_samples_wording_is_restated_when_samples_were_unreadable() {
        use pucha_core::{ProbeFailure, Reachability, SiteCrawl};
        let site = site();
        let at = chrono::Utc::now();
        let probe = ProbeSample {
            content: None,
            at,
            elapsed_ms: 10,
            status: None,
            failure: Some(ProbeFailure::Connect),
        };
        let crawl = SiteCrawl {
            site,
            started_at: at,
            reachability: Reachability::Unreachable {
                reason: "connection refused".into(),
            },
            pages: Vec::new(),
            links: Vec::new(),
            probes: vec![probe.clone(), probe.clone(), probe],
            stats: Default::default(),
            tls_errors: Vec::new(),
            ipv6: None,
        };
        let pack = RulePack::builtin();
        let ctx = EvalContext {
            as_of: at.with_timezone(&pucha_core::cst()).date_naive(),
            mode: Default::default(),
            pack: &pack,
            probes: &[],
        };
        let mut result = evaluate(&crawl, &ctx);
        let details = |r: &SiteResult| {
            r.findings
                .iter()
                .flat_map(|f| f.evidence.iter().map(|e| e.detail.clone()))
                .collect::<Vec<_>>()
        };
        assert!(
            details(&result)
                .iter()
                .any(|d| d.starts_with(NO_SAMPLES_ZH)),
            "the rules state no samples: {:?}",
            details(&result)
        );
        state_monitor_unreadable(&mut result);
        let after = details(&result);
        assert!(
            after.iter().any(|d| d.starts_with(MONITOR_UNREADABLE_ZH)),
            "{after:?}"
        );
        assert!(!after.iter().any(|d| d.contains("监测库无近")), "{after:?}");
    }
}
