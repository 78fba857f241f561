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
    async fn samples(&self, job: &Job) -> Vec<ProbeSample>;
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
        let probes = match &self.probes {
            Some(p) => p.samples(job).await,
            None => Vec::new(),
        };
        let ctx = EvalContext {
            as_of: job.as_of,
            mode: job.mode,
            pack: &pack,
            probes: &probes,
        };
        let mut result = evaluate(&crawl, &ctx);
        m.record_findings(&result.findings);
        result.attempts = job.attempt;
        Ok(result)
    }
}
