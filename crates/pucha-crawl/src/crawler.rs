//! The [`Crawler`]: one per worker process, cheap to clone, holding the shared HTTP clients,
//! the per-host politeness gates and the link cache. Availability probes live here too.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use pucha_core::{CrawlConfig, ProbeFailure, ProbeSample};
use reqwest::Method;
use tokio::time::Instant;
use url::Url;

use crate::board::LinkBoard;
use crate::cache::{LinkCache, MemLinkCache};
use crate::egress::EgressRules;
use crate::error::CrawlError;
use crate::fetch::{FetchFail, Fetched, Http, Polite, Request};
use crate::politeness::Gates;
use crate::verdict;

/// How long a canary answer stands for the worker.
pub const OUTSIDE_TTL: Duration = Duration::from_secs(10 * 60);
/// One canary's lookup and connect.
const CANARY_TIMEOUT: Duration = Duration::from_secs(5);

/// Bytes read by a probe taken during a crawl (counted, not kept): the homepage must come
/// whole within the timeout to count as opened, as for the monitor's probe. A homepage that
/// stalls after its headers, drips, or closes before its Content-Length fails the probe.
const PROBE_BODY_BYTES: u64 = HOMEPAGE_BODY_BYTES;

/// Bytes of the homepage read by [`Crawler::probe`] (the monitor's probe) to see what it shows.
pub const HOMEPAGE_BODY_BYTES: u64 = 4 * 1024 * 1024;

/// The per-worker crawler. Clones share everything.
#[derive(Clone)]
pub struct Crawler {
    pub(crate) inner: Arc<Inner>,
    pub(crate) cache: Arc<dyn LinkCache>,
}

pub(crate) struct Inner {
    /// The client of the configuration the crawler was built with.
    pub(crate) http: Arc<Http>,
    /// Clients of other client settings (user agent, proxy, connect timeout, egress) that
    /// jobs asked for, built once each.
    profiles: std::sync::Mutex<std::collections::HashMap<String, Arc<Http>>>,
    pub(crate) gates: Gates,
    /// Run-wide link outcomes and host health, shared by every site.
    pub(crate) board: LinkBoard,
    /// The last canary answer: (when, which canaries and proxy, whether the outside answered).
    outside: tokio::sync::Mutex<Option<(Instant, String, bool)>>,
    /// The egress rules of the configuration the crawler was built with (used by [`Crawler::probe`]).
    pub(crate) base_rules: EgressRules,
    pub(crate) base_max_redirects: u32,
    /// Live counters for progress.
    pub(crate) live: crate::live::Live,
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
                http: Arc::new(Http::new(cfg)?),
                profiles: Default::default(),
                gates: Gates::default(),
                board: LinkBoard::default(),
                outside: tokio::sync::Mutex::new(None),
                base_rules: EgressRules::from_policy(&cfg.egress),
                base_max_redirects: cfg.max_redirects,
                live: Default::default(),
            }),
            cache: Arc::new(MemLinkCache::default()),
        })
    }

    /// Pages fetched, link targets checked and sites in flight so far, over every site this
    /// crawler (and its clones) crawled.
    pub fn live(&self) -> crate::LiveStats {
        self.inner.live.snapshot()
    }

    /// The HTTP client for a job's configuration: the crawler's own when the client settings
    /// (user agent, proxy, connect timeout, egress policy) are the same, else one built for
    /// them and kept. Fails on settings no client can be built from (empty user agent, bad
    /// proxy URL): a job error, not a site finding.
    pub fn client_for(&self, cfg: &CrawlConfig) -> Result<Arc<Http>, CrawlError> {
        validate(cfg)?;
        let key = Http::profile_key(cfg);
        if key == self.inner.http.profile {
            return Ok(self.inner.http.clone());
        }
        let mut m = self.inner.profiles.lock().expect("profiles lock");
        if let Some(h) = m.get(&key) {
            return Ok(h.clone());
        }
        let h = Arc::new(Http::new(cfg)?);
        m.insert(key, h.clone());
        Ok(h)
    }

    /// Fetches one page by itself with the client, egress policy, size cap, timeout and redirect
    /// limit of `cfg`: what `pucha check-page URL` shows is what a census would have read.
    pub async fn fetch_one(&self, url: &Url, cfg: &CrawlConfig) -> Result<Fetched, CrawlError> {
        let http = self.client_for(cfg)?;
        let rules = EgressRules::from_policy(&cfg.egress);
        let req = Request {
            url,
            method: Method::GET,
            body_cap: cfg.max_body_bytes,
            keep_body: true,
            timeout: Duration::from_millis(cfg.request_timeout_ms),
            max_redirects: cfg.max_redirects,
            insecure: cfg.accept_invalid_certs,
            egress: &rules,
            polite: None,
            board: None,
            deadline: None,
        };
        http.fetch(&req).await.map_err(|f| CrawlError::Fetch {
            url: url.to_string(),
            reason: verdict::fetch_fail_text(&f),
        })
    }

    /// Whether the outside world answers for this crawl's settings: asked once per crawl, and
    /// from the canaries at most every [`OUTSIDE_TTL`] per worker. A change is logged once.
    pub(crate) async fn outside_network(&self, ctx: &crate::site::Ctx<'_>) -> bool {
        *ctx.outside
            .get_or_init(|| self.outside_answers(ctx.cfg))
            .await
    }

    /// The canary check itself (see `CrawlConfig::canaries`).
    pub async fn outside_answers(&self, cfg: &CrawlConfig) -> bool {
        if cfg.egress.loopback_only || cfg.canaries.is_empty() {
            return true;
        }
        let targets: Vec<String> = match cfg.proxy.as_deref().and_then(|p| Url::parse(p).ok()) {
            Some(p) => vec![format!(
                "{}:{}",
                p.host_str().unwrap_or(""),
                p.port_or_known_default().unwrap_or(3128)
            )],
            None => cfg.canaries.clone(),
        };
        let key = targets.join(",");
        let mut last = self.inner.outside.lock().await;
        if let Some((at, k, up)) = last.as_ref() {
            if *k == key && at.elapsed() < OUTSIDE_TTL {
                return *up;
            }
        }
        let attempts = targets.iter().map(|t| async move {
            let connect = async {
                let mut addrs = tokio::net::lookup_host(t.as_str()).await.ok()?;
                let addr = addrs.next()?;
                tokio::net::TcpStream::connect(addr).await.ok()
            };
            tokio::time::timeout(CANARY_TIMEOUT, connect)
                .await
                .ok()
                .flatten()
                .is_some()
        });
        let up = futures::future::join_all(attempts)
            .await
            .into_iter()
            .any(|ok| ok);
        let before = last.as_ref().map(|l| l.2);
        if before != Some(up) {
            if up {
                tracing::info!(canaries = %key, "outside network answers: external links are checked");
            } else {
                tracing::warn!(canaries = %key, "no outside network: none of the canaries answered; external links are recorded as not checked, not broken");
            }
        }
        *last = Some((Instant::now(), key, up));
        up
    }

    /// Checks answered from the run-wide link board instead of a request (a metric).
    pub fn link_checks_shared(&self) -> u64 {
        self.inner.board.checks_saved()
    }

    /// Shares every host's request rate with other processes through `pace` (pucha-cluster's
    /// Redis pace in a cluster), so a host that many sites link to is asked at its polite rate
    /// by the whole census. Call before crawling: hosts already contacted keep pacing locally.
    pub fn with_host_pace(self, pace: Arc<dyn crate::HostPace>) -> Crawler {
        self.inner.gates.share_pace(pace);
        self
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
                &self.inner.http,
                url,
                timeout,
                &rules,
                false,
                self.inner.base_max_redirects,
                HOMEPAGE_BODY_BYTES,
                true,
            )
            .await;
        if let Some(f) = fetched.filter(|f| (200..300).contains(&f.status)) {
            let content_type = f.content_type().map(str::to_string);
            if sample.ok() && crate::fetch::is_html(content_type.as_deref(), &f.body) {
                // CPU work on the bounded blocking pool (`cpu`), as the crawl's pages; a panic
                // of the analyser loses only the content.
                let today = sample.at.with_timezone(&pucha_core::cst()).date_naive();
                let analysed = crate::cpu::run(move || {
                    let facts = pucha_analyze::analyze_with(
                        &f.body,
                        &f.final_url,
                        content_type.as_deref(),
                        &pucha_analyze::AnalyzeOptions {
                            // What the homepage shows is read as of the probe's own time.
                            today: Some(today),
                            ..Default::default()
                        },
                    );
                    pucha_analyze::homepage_content(&facts)
                })
                .await;
                match analysed {
                    Ok(c) => sample.content = Some(c),
                    Err(crate::cpu::Panicked) => {
                        tracing::error!(url = %url, "homepage analysis panicked")
                    }
                }
            }
        }
        sample
    }

    /// A probe under explicit rules; also returns the fetch failure for the caller's records.
    pub(crate) async fn probe_with(
        &self,
        http: &Http,
        url: &Url,
        timeout: Duration,
        rules: &EgressRules,
        insecure: bool,
        max_redirects: u32,
    ) -> (ProbeSample, Option<FetchFail>) {
        let (sample, fail, _) = self
            .probe_fetch(
                http,
                url,
                timeout,
                rules,
                insecure,
                max_redirects,
                PROBE_BODY_BYTES,
                false,
            )
            .await;
        (sample, fail)
    }

    /// One probe reading at most `body_cap` bytes of the body (kept only with `keep_body`);
    /// also returns the response.
    #[allow(clippy::too_many_arguments)]
    async fn probe_fetch(
        &self,
        http: &Http,
        url: &Url,
        timeout: Duration,
        rules: &EgressRules,
        insecure: bool,
        max_redirects: u32,
        body_cap: u64,
        keep_body: bool,
    ) -> (ProbeSample, Option<FetchFail>, Option<Fetched>) {
        let at = Utc::now();
        let t0 = Instant::now();
        let req = Request {
            url,
            method: Method::GET,
            body_cap,
            keep_body,
            timeout,
            max_redirects,
            insecure,
            egress: rules,
            polite: None,
            board: None,
            deadline: None,
        };
        let r = http.fetch(&req).await;
        let elapsed_ms = t0.elapsed().as_millis() as u64;
        let (status, failure, fail, fetched) = match r {
            Err(f) => (None, Some(verdict::probe_failure(&f)), Some(f), None),
            Ok(f) if f.status >= 400 => (
                Some(f.status),
                Some(ProbeFailure::Status(f.status)),
                None,
                Some(f),
            ),
            Ok(f) if f.received == 0 => {
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
        http: &Http,
        skip_down_hosts: bool,
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
                keep_body: true,
                timeout,
                max_redirects: cfg.max_redirects,
                insecure,
                egress: rules,
                polite,
                board: skip_down_hosts.then_some(&self.inner.board),
                deadline: Some(deadline),
            };
            let r = http.fetch(&req).await;
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
