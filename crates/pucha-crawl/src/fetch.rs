//! The only module that talks HTTP. One request (with its redirects) in, one value out:
//! final URL, status, headers and a capped body, or a classified failure.
//!
//! Redirects are followed here, not by reqwest, so that every hop passes the egress policy and
//! the politeness gate, loops are detected, and the hop limit is a counted outcome. The body is
//! streamed and cut at the cap: a 20 MB page or a gzip bomb (the cap applies to decoded bytes)
//! never sits in memory beyond the cap. A total deadline covers every hop and the body, so a
//! server that never answers or drips one byte a second costs at most the request timeout.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, ACCEPT_LANGUAGE, LOCATION};
use reqwest::{Client, Method};
use tokio::time::Instant;
use url::Url;

use crate::egress::{EgressDenied, EgressRules, GuardedResolver, ResolverState};
use crate::error::CrawlError;
use crate::politeness::Gates;

/// A response, possibly after redirects.
#[derive(Debug)]
pub struct Fetched {
    pub final_url: Url,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// Body bytes received (and decoded), kept or not ([`Request::keep_body`]).
    pub received: u64,
    /// The body was longer than the cap and was cut.
    pub truncated: bool,
    pub redirects: u32,
}

impl Fetched {
    /// The Content-Type header, if readable.
    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    /// The Content-Length header, if present and numeric.
    pub fn content_length(&self) -> Option<u64> {
        self.headers
            .get(reqwest::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok())
    }
}

/// Why a request produced no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchFail {
    /// Refused by the egress policy before anything was sent.
    Egress(String),
    Dns(String),
    /// No answer within the request timeout (connected, or waiting for the politeness gate).
    Timeout,
    /// The TCP connection was not established within the connect timeout (a host that never
    /// answers the SYN).
    ConnectTimeout,
    /// Not sent: the host is down on the run's link board (see `board`).
    HostDown,
    Tls(String),
    Refused,
    Connect(String),
    RedirectLoop,
    TooManyRedirects,
    /// The status and headers came, the body did not (within the cap): it stalled past the
    /// request timeout, the connection closed before the announced `Content-Length`, or it
    /// was reset. `declared` is the Content-Length, `received` the bytes read.
    Incomplete {
        declared: Option<u64>,
        received: u64,
        timed_out: bool,
        detail: String,
    },
    /// A redirect without a usable Location, a body that failed to decode, ...
    Other(String),
}

impl FetchFail {
    /// Worth retrying: the connection broke, not the target (a body that stalled is a
    /// timeout, never retried).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            FetchFail::Connect(_)
                | FetchFail::Incomplete {
                    timed_out: false,
                    ..
                }
        )
    }

    /// No answer, or no whole body, within the request timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            FetchFail::Timeout
                | FetchFail::Incomplete {
                    timed_out: true,
                    ..
                }
        )
    }

    /// An incomplete response in words (zh-CN, as the findings and notes show it), e.g.
    /// "响应不完整：读取正文超时（已收到 12 字节）"; `None` for other failures.
    pub fn incomplete_text(&self) -> Option<String> {
        let FetchFail::Incomplete {
            declared,
            received,
            timed_out,
            ..
        } = self
        else {
            return None;
        };
        Some(match declared {
            _ if *timed_out => format!("响应不完整：读取正文超时（已收到 {received} 字节）"),
            Some(n) if n > received => {
                format!("响应不完整：声明 {n} 字节，仅收到 {received} 字节")
            }
            _ => format!("响应不完整：读取正文时连接中断（已收到 {received} 字节）"),
        })
    }
}

/// Politeness applied to each hop.
#[derive(Clone, Copy)]
pub struct Polite<'a> {
    pub gates: &'a Gates,
    pub concurrency: u32,
    pub rps: f64,
}

/// One request to make.
pub struct Request<'a> {
    pub url: &'a Url,
    pub method: Method,
    /// Body bytes read (decoded); 0 reads nothing.
    pub body_cap: u64,
    /// Keep the bytes read in [`Fetched::body`]; `false` reads the body up to the cap and
    /// counts it ([`Fetched::received`]) without holding it (availability probes).
    pub keep_body: bool,
    /// Total time for all hops and the body (politeness waits excluded).
    pub timeout: Duration,
    pub max_redirects: u32,
    /// Skip certificate verification (the site's own hosts when the operator allows it).
    pub insecure: bool,
    pub egress: &'a EgressRules,
    pub polite: Option<Polite<'a>>,
    /// When set, a request whose host went down on this board while it waited for the
    /// politeness gate is not sent ([`FetchFail::HostDown`]).
    pub board: Option<&'a crate::board::LinkBoard>,
    /// Politeness waits that would end after this give up with a timeout (the site's budget).
    pub deadline: Option<Instant>,
}

/// The shared clients (verifying and non-verifying) and the resolver state.
#[derive(Debug)]
pub struct Http {
    /// The settings it was built from ([`Http::profile_key`]).
    pub(crate) profile: String,
    client: Client,
    insecure: Client,
    pub resolver: Arc<ResolverState>,
}

impl Http {
    /// Builds both clients with the settings of `cfg`.
    pub fn new(cfg: &pucha_core::CrawlConfig) -> Result<Http, CrawlError> {
        if cfg.user_agent.trim().is_empty() {
            return Err(CrawlError::Config {
                setting: "user_agent",
                detail: "must not be empty".into(),
            });
        }
        let resolver = Arc::new(ResolverState::new(EgressRules::from_policy(&cfg.egress)));
        if let Some(host) = cfg
            .proxy
            .as_deref()
            .and_then(|p| Url::parse(p).ok())
            .and_then(|u| u.host_str().map(str::to_string))
        {
            resolver.trust([host.as_str()]);
        }
        let build = |insecure: bool| {
            let mut headers = HeaderMap::new();
            headers.insert(
                ACCEPT,
                HeaderValue::from_static("text/html,application/xhtml+xml,*/*;q=0.8"),
            );
            headers.insert(
                ACCEPT_LANGUAGE,
                HeaderValue::from_static("zh-CN,zh;q=0.9,en;q=0.5"),
            );
            let builder = Client::builder()
                .user_agent(cfg.user_agent.clone())
                .default_headers(headers)
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(Duration::from_millis(cfg.connect_timeout_ms.max(1)))
                .pool_max_idle_per_host(8)
                .pool_idle_timeout(Duration::from_secs(30))
                .tcp_nodelay(true)
                .dns_resolver(GuardedResolver(resolver.clone()))
                .tls_danger_accept_invalid_certs(insecure)
                .tls_danger_accept_invalid_hostnames(insecure);
            // The environment's proxy variables are not read here: the binary puts
            // HTTPS_PROXY / HTTP_PROXY into `cfg.proxy`, so the job carries it.
            let builder = match &cfg.proxy {
                None => builder.no_proxy(),
                Some(p) => {
                    let proxy = reqwest::Proxy::all(p.as_str()).map_err(|e| CrawlError::Config {
                        setting: "proxy",
                        detail: format!("{p:?} is not a proxy URL ({e}); use e.g. http://proxy.example:3128"),
                    })?;
                    builder.no_proxy().proxy(proxy)
                }
            };
            builder.build().map_err(CrawlError::Client)
        };
        Ok(Http {
            profile: Http::profile_key(cfg),
            client: build(false)?,
            insecure: build(true)?,
            resolver,
        })
    }

    /// The client settings of `cfg`, as one comparable string.
    pub(crate) fn profile_key(cfg: &pucha_core::CrawlConfig) -> String {
        format!(
            "{}\u{1}{}\u{1}{:?}\u{1}{:?}",
            cfg.user_agent, cfg.connect_timeout_ms, cfg.egress, cfg.proxy
        )
    }

    /// Makes one request, following redirects.
    pub async fn fetch(&self, req: &Request<'_>) -> Result<Fetched, FetchFail> {
        let client = if req.insecure {
            &self.insecure
        } else {
            &self.client
        };
        let mut url = req.url.clone();
        let mut seen: HashSet<String> = HashSet::new();
        seen.insert(url.as_str().to_string());
        let mut spent = Duration::ZERO;
        let mut redirects = 0;
        loop {
            req.egress
                .check_url(&url, &|h| self.resolver.is_trusted(h))
                .map_err(FetchFail::Egress)?;
            let _permit = match req.polite {
                Some(p) => {
                    let gate = p.gates.get(&host_key(&url), p.concurrency, p.rps);
                    match req.deadline {
                        Some(d) => tokio::time::timeout_at(d, gate.acquire())
                            .await
                            .map_err(|_| FetchFail::Timeout)?,
                        None => gate.acquire().await,
                    }
                    .into()
                }
                None => None,
            };
            if req.board.is_some_and(|b| b.is_down(&host_key(&url))) {
                return Err(FetchFail::HostDown);
            }
            let left = req.timeout.saturating_sub(spent);
            if left.is_zero() {
                return Err(FetchFail::Timeout);
            }
            let started = Instant::now();
            let hop = hop(client, &url, req, started + left).await;
            spent += started.elapsed();
            let mut fetched = hop?;
            let location = fetched
                .headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            match (is_redirect(fetched.status), location) {
                (true, Some(loc)) => {
                    let next = url.join(loc.trim()).map_err(|e| {
                        FetchFail::Other(format!("bad redirect Location {loc:?}: {e}"))
                    })?;
                    if !seen.insert(next.as_str().to_string()) {
                        return Err(FetchFail::RedirectLoop);
                    }
                    redirects += 1;
                    if redirects > req.max_redirects {
                        return Err(FetchFail::TooManyRedirects);
                    }
                    url = next;
                }
                _ => {
                    fetched.redirects = redirects;
                    return Ok(fetched);
                }
            }
        }
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// `host:port` (port always explicit), the politeness key.
pub fn host_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// One hop, all of it (headers and body) before `deadline`.
async fn hop(
    client: &Client,
    url: &Url,
    req: &Request<'_>,
    deadline: Instant,
) -> Result<Fetched, FetchFail> {
    let mut resp = tokio::time::timeout_at(
        deadline,
        client.request(req.method.clone(), url.clone()).send(),
    )
    .await
    .map_err(|_| FetchFail::Timeout)?
    .map_err(|e| classify(&e))?;
    let status = resp.status().as_u16();
    // Taken, not cloned: the body stream does not need them.
    let headers = std::mem::take(resp.headers_mut());
    let mut body = Vec::new();
    let mut received: u64 = 0;
    let mut truncated = false;
    if req.method != Method::HEAD && req.body_cap > 0 && !is_redirect(status) {
        let cap = req.body_cap;
        // The announced length (as sent: not the decoded length of a compressed body).
        let declared = headers
            .get(reqwest::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|_| !headers.contains_key(reqwest::header::CONTENT_ENCODING));
        if req.keep_body {
            // One allocation when the length is known (not for compressed bodies), never
            // more than the cap whatever the server announces.
            body.reserve(resp.content_length().map_or(0, |n| n.min(cap) as usize));
        }
        let incomplete = |received: u64, timed_out: bool, detail: String| FetchFail::Incomplete {
            declared,
            received,
            timed_out,
            detail,
        };
        loop {
            let chunk = match tokio::time::timeout_at(deadline, resp.chunk()).await {
                Err(_) => {
                    return Err(incomplete(
                        received,
                        true,
                        "body not complete within the request timeout".into(),
                    ))
                }
                Ok(Err(e)) => {
                    return Err(match classify(&e) {
                        // A body that fails to decode (bad gzip) is not the server hanging up.
                        FetchFail::Other(d) if !connection_broke(&e) => FetchFail::Other(d),
                        f => incomplete(received, false, super_detail(&f)),
                    });
                }
                Ok(Ok(None)) => break,
                Ok(Ok(Some(c))) => c,
            };
            let room = cap - received;
            let take = (chunk.len() as u64).min(room) as usize;
            if req.keep_body {
                body.extend_from_slice(&chunk[..take]);
            }
            received += take as u64;
            if (chunk.len() as u64) > room {
                truncated = true;
                break;
            }
            if received == cap {
                // Exactly at the cap: cut only if more is coming.
                truncated = tokio::time::timeout_at(deadline, resp.chunk())
                    .await
                    .ok()
                    .and_then(|r| r.ok())
                    .flatten()
                    .is_some_and(|c| !c.is_empty());
                break;
            }
        }
    }
    // Dropping `resp` here closes a connection whose body was not read to the end.
    Ok(Fetched {
        final_url: url.clone(),
        status,
        headers,
        body,
        received,
        truncated,
        redirects: 0,
    })
}

/// Whether a body error is the connection breaking (reset, closed before the announced
/// length) rather than bytes that fail to decode.
fn connection_broke(e: &reqwest::Error) -> bool {
    use std::io::ErrorKind;
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                ErrorKind::ConnectionReset
                    | ErrorKind::ConnectionAborted
                    | ErrorKind::UnexpectedEof
                    | ErrorKind::BrokenPipe
            ) {
                return true;
            }
        }
        let text = s.to_string();
        if text.contains("reading a body from connection") || text.contains("before message length")
        {
            return true;
        }
        src = s.source();
    }
    false
}

/// The words of a failure, for the detail of an incomplete body.
fn super_detail(f: &FetchFail) -> String {
    match f {
        FetchFail::Connect(d) | FetchFail::Other(d) | FetchFail::Tls(d) | FetchFail::Dns(d) => {
            d.clone()
        }
        other => format!("{other:?}"),
    }
}

/// Sorts a reqwest error into a failure class by walking its source chain.
pub fn classify(e: &reqwest::Error) -> FetchFail {
    let mut chain = String::new();
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut refused = false;
    while let Some(s) = src {
        if let Some(d) = s.downcast_ref::<EgressDenied>() {
            return FetchFail::Egress(d.0.clone());
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                refused = true;
            }
        }
        if !chain.is_empty() {
            chain.push_str(": ");
        }
        chain.push_str(&s.to_string());
        src = s.source();
    }
    let lower = chain.to_ascii_lowercase();
    if lower.contains("egress policy") {
        return FetchFail::Egress(chain);
    }
    if e.is_timeout() {
        return if e.is_connect() {
            FetchFail::ConnectTimeout
        } else {
            FetchFail::Timeout
        };
    }
    if refused || lower.contains("connection refused") {
        return FetchFail::Refused;
    }
    if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("ssl")
    {
        return FetchFail::Tls(chain);
    }
    if e.is_dns()
        || lower.contains("dns error")
        || lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
    {
        return FetchFail::Dns(chain);
    }
    if e.is_decode() {
        return FetchFail::Other(chain);
    }
    FetchFail::Connect(chain)
}

/// True when a Content-Type (or, without one, the body) says HTML.
pub fn is_html(content_type: Option<&str>, body: &[u8]) -> bool {
    match content_type {
        Some(ct) => {
            let ct = ct.to_ascii_lowercase();
            ct.contains("text/html") || ct.contains("application/xhtml")
        }
        None => {
            let start = body
                .iter()
                .position(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF))
                .unwrap_or(body.len());
            body.get(start) == Some(&b'<')
        }
    }
}
