//! The [`Crawler`]: one per worker process, cheap to clone, holding the shared HTTP clients,
//! the per-host politeness gates and the link cache. Availability probes live here too.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use pucha_core::{CrawlConfig, ProbeFailure, ProbeSample};
use reqwest::Method;
use tokio::time::Instant;
use url::Url;

use crate::cache::{LinkCache, MemLinkCache};
use crate::egress::EgressRules;
use crate::error::CrawlError;
use crate::fetch::{FetchFail, Fetched, Http, Polite, Request};
use crate::politeness::Gates;
use crate::verdict;

/// Bytes read by a probe taken during a crawl: enough to tell an empty body from a page.
const PROBE_BODY_BYTES: u64 = 1;

/// Bytes of the homepage read by [`Crawler::probe`] (the monitor's probe) to see what it shows.
pub const HOMEPAGE_BODY_BYTES: u64 = 4 * 1024 * 1024;

/// The per-worker crawler. Clones share everything.
#[derive(Clone)]
pub struct Crawler {
    pub(crate) inner: Arc<Inner>,
    pub(crate) cache: Arc<dyn LinkCache>,
}

pub(crate) struct Inner {
    pub(crate) http: Http,
    pub(crate) gates: Gates,
    /// The egress rules of the configuration the crawler was built with (used by [`Crawler::probe`]).
    pub(crate) base_rules: EgressRules,
    pub(crate) base_max_redirects: u32,
}

impl std::fmt::Debug for Crawler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crawler").finish_non_exhaustive()
    }
}

impl Crawler {
    /// Builds the shared clients from `cfg` (user agent, connect timeout, egress policy for DNS
    /// results). Per-site settings (budgets, politeness, robots) come with each `crawl_site` call.
    pub fn new(cfg: &CrawlConfig) -> Result<Crawler, CrawlError> {
        validate(cfg)?;
        Ok(Crawler {
            inner: Arc::new(Inner {
                http: Http::new(cfg)?,
                gates: Gates::default(),
                base_rules: EgressRules::from_policy(&cfg.egress),
                base_max_redirects: cfg.max_redirects,
            }),
            cache: Arc::new(MemLinkCache::default()),
        })
    }

    /// Uses `cache` for external link outcomes (e.g. the cluster's Redis cache).
    pub fn with_link_cache(self, cache: Arc<dyn LinkCache>) -> Crawler {
        Crawler {
            inner: self.inner,
            cache,
        }
    }

    /// One availability probe of `url`, never retried. It fails on timeout, DNS, TLS and
    /// connection errors, HTTP 4xx/5xx, an empty body and redirect loops. The probed host is
    /// treated as a site-list host by the egress policy.
    ///
    /// Unlike the probes taken during a crawl, it reads the whole homepage (up to
    /// [`HOMEPAGE_BODY_BYTES`]; the 15 s cover the body too) and, for a 2xx HTML answer,
    /// records what the page shows ([`ProbeSample::content`]: newest date, fingerprint).
    pub async fn probe(&self, url: &Url, timeout: Duration) -> ProbeSample {
        if let Some(h) = url.host_str() {
            self.inner.http.resolver.trust([h]);
        }
        let rules = self.inner.base_rules.clone();
        let (mut sample, _, fetched) = self
            .probe_fetch(
                url,
                timeout,
                &rules,
                false,
                self.inner.base_max_redirects,
                HOMEPAGE_BODY_BYTES,
            )
            .await;
        if let Some(f) = fetched.filter(|f| (200..300).contains(&f.status)) {
            let content_type = f.content_type().map(str::to_string);
            if sample.ok() && crate::fetch::is_html(content_type.as_deref(), &f.body) {
                // CPU work off the async threads; a panic of the analyser loses only the content.
                let analysed = tokio::task::spawn_blocking(move || {
                    let facts = pucha_analyze::analyze_with(
                        &f.body,
                        &f.final_url,
                        content_type.as_deref(),
                        &pucha_analyze::AnalyzeOptions::now(),
                    );
                    pucha_analyze::homepage_content(&facts)
                })
                .await;
                match analysed {
                    Ok(c) => sample.content = Some(c),
                    Err(e) => tracing::error!(url = %url, error = %e, "homepage analysis failed"),
                }
            }
        }
        sample
    }

    /// A probe under explicit rules; also returns the fetch failure for the caller's records.
    pub(crate) async fn probe_with(
        &self,
        url: &Url,
        timeout: Duration,
        rules: &EgressRules,
        insecure: bool,
        max_redirects: u32,
    ) -> (ProbeSample, Option<FetchFail>) {
        let (sample, fail, _) = self
            .probe_fetch(
                url,
                timeout,
                rules,
                insecure,
                max_redirects,
                PROBE_BODY_BYTES,
            )
            .await;
        (sample, fail)
    }

    /// One probe reading at most `body_cap` bytes of the body; also returns the response.
    async fn probe_fetch(
        &self,
        url: &Url,
        timeout: Duration,
        rules: &EgressRules,
        insecure: bool,
        max_redirects: u32,
        body_cap: u64,
    ) -> (ProbeSample, Option<FetchFail>, Option<Fetched>) {
        let at = Utc::now();
        let t0 = Instant::now();
        let req = Request {
            url,
            method: Method::GET,
            body_cap,
            timeout,
            max_redirects,
            insecure,
            egress: rules,
            polite: None,
            deadline: None,
        };
        let r = self.inner.http.fetch(&req).await;
        let elapsed_ms = t0.elapsed().as_millis() as u64;
        let (status, failure, fail, fetched) = match r {
            Err(f) => (None, Some(verdict::probe_failure(&f)), Some(f), None),
            Ok(f) if f.status >= 400 => (
                Some(f.status),
                Some(ProbeFailure::Status(f.status)),
                None,
                Some(f),
            ),
            Ok(f) if f.body.is_empty() => {
                (Some(f.status), Some(ProbeFailure::EmptyBody), None, Some(f))
            }
            Ok(f) => (Some(f.status), None, None, Some(f)),
        };
        let failure = match failure {
            // However the clock was read, a probe that took the whole timeout failed.
            None if elapsed_ms >= timeout.as_millis() as u64 => Some(ProbeFailure::Timeout),
            other => other,
        };
        (
            ProbeSample {
                at,
                elapsed_ms,
                status,
                failure,
                content: None,
            },
            fail,
            fetched,
        )
    }

    /// A request with retries for transient failures (connection resets, 429/502/503/504,
    /// honouring Retry-After), bounded by `deadline`. Timeouts are not retried.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn fetch_retrying(
        &self,
        cfg: &CrawlConfig,
        rules: &EgressRules,
        url: &Url,
        method: Method,
        body_cap: u64,
        insecure: bool,
        deadline: Instant,
        retries: &std::sync::atomic::AtomicU64,
    ) -> Result<Fetched, FetchFail> {
        let polite = (!cfg.no_politeness).then_some(Polite {
            gates: &self.inner.gates,
            concurrency: cfg.per_host_concurrency,
            rps: cfg.per_host_rps,
        });
        let max_wait = Duration::from_secs(cfg.max_retry_after_s);
        let mut attempt = 0;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let timeout = Duration::from_millis(cfg.request_timeout_ms).min(left);
            if timeout.is_zero() {
                return Err(FetchFail::Timeout);
            }
            let req = Request {
                url,
                method: method.clone(),
                body_cap,
                timeout,
                max_redirects: cfg.max_redirects,
                insecure,
                egress: rules,
                polite,
                deadline: Some(deadline),
            };
            let r = self.inner.http.fetch(&req).await;
            if attempt >= cfg.retries {
                return r;
            }
            let wait = match &r {
                Err(f) if f.is_transient() => backoff(attempt),
                Ok(f)
                    if verdict::transient_status(f.status)
                        && (f.status == 429
                            || verdict::blocked_signature(f.status, &f.headers, &f.body)
                                .is_none()) =>
                {
                    verdict::retry_after(&f.headers)
                        .unwrap_or_else(|| backoff(attempt))
                        .min(max_wait)
                }
                _ => return r,
            };
            let until = Instant::now() + wait;
            if until >= deadline {
                return r;
            }
            match polite {
                // The gate holds back every request to the host, not only this one.
                Some(p) => p
                    .gates
                    .get(&crate::fetch::host_key(url), p.concurrency, p.rps)
                    .pause_until(until),
                None => tokio::time::sleep_until(until).await,
            }
            attempt += 1;
            retries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500u64 << attempt.min(6))
}

fn validate(cfg: &CrawlConfig) -> Result<(), CrawlError> {
    let bad = |setting: &'static str, detail: &str| {
        Err(CrawlError::Config {
            setting,
            detail: detail.to_string(),
        })
    };
    if cfg.request_timeout_ms == 0 {
        return bad("request_timeout_ms", "must be > 0");
    }
    if cfg.connect_timeout_ms == 0 {
        return bad("connect_timeout_ms", "must be > 0");
    }
    if cfg.max_body_bytes == 0 {
        return bad("max_body_bytes", "must be > 0");
    }
    if !cfg.no_politeness
        && (cfg.per_host_concurrency == 0 || cfg.per_host_rps.is_nan() || cfg.per_host_rps <= 0.0)
    {
        return bad(
            "per_host_concurrency/per_host_rps",
            "must be > 0 (or set no_politeness)",
        );
    }
    Ok(())
}
