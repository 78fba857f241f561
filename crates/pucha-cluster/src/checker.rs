//! The job processor of a real census: crawl the site, then evaluate the rules on what was crawled.

use std::sync::Arc;

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
    pack: Arc<RulePack>,
    probes: Option<Arc<dyn ProbeSource>>,
}

impl SiteChecker {
    pub fn new(crawler: Crawler, pack: Arc<RulePack>) -> SiteChecker {
        SiteChecker {
            crawler,
            pack,
            probes: None,
        }
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
        let crawl = self.crawler.crawl_site(&job.site, &job.crawl).await;
        let probes = match &self.probes {
            Some(p) => p.samples(job).await,
            None => Vec::new(),
        };
        let ctx = EvalContext {
            as_of: job.as_of,
            mode: job.mode,
            pack: &self.pack,
            probes: &probes,
        };
        let mut result = evaluate(&crawl, &ctx);
        result.attempts = job.attempt;
        Ok(result)
    }
}
