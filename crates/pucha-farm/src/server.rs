//! Serving a farm over loopback: one address per site (`net+1`, `net+2`, ...),
//! one port shared by all of them, one accept task.
//!
//! Pages come from memory. The server fills in the host/port markers, sends
//! each site's charset policy in `Content-Type`, answers 404 for unknown paths,
//! serves robots.txt, gzips for sites that do when asked, and makes the flaky
//! site fail every 3rd homepage request with 503.

use std::convert::Infallible;
use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Body as _;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use pucha_core::Site;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use url::Url;

use crate::farm::{Farm, FarmSite, Page};
use crate::plan::Availability;
use crate::truth::FarmTruth;

/// Why a farm could not be served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    #[error("the farm has {0} sites but a /24 loopback net holds at most 254")]
    TooManySites(usize),
    #[error("net {0} is not a loopback address (use 127.x.y.0)")]
    NotLoopback(Ipv4Addr),
    #[error("no port is free on every farm address after {attempts} attempts: {last}")]
    NoCommonPort { attempts: u32, last: std::io::Error },
}

impl From<ServeError> for std::io::Error {
    fn from(e: ServeError) -> Self {
        std::io::Error::other(e)
    }
}

struct State {
    farm: Farm,
    hosts: Vec<String>,
    port: u16,
    homepage_hits: Vec<AtomicU64>,
    /// Per site, HTML spliced before `</body>` of every page (the world's links), or empty.
    extra_links: Vec<String>,
}

/// A running farm.
pub struct FarmServer {
    state: Arc<State>,
    net: Ipv4Addr,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

/// Address of site `i` in `net`.
pub fn site_ip(net: Ipv4Addr, i: usize) -> Ipv4Addr {
    let o = net.octets();
    Ipv4Addr::new(o[0], o[1], o[2], (i + 1) as u8)
}

impl FarmServer {
    /// Binds every reachable site of `farm` on `net+1`, `net+2`, ... on one common port and starts serving.
    pub async fn start(farm: Farm, net: Ipv4Addr) -> std::io::Result<FarmServer> {
        FarmServer::start_on(farm, net, None).await
    }

    /// [`FarmServer::start`] on a given port (`None`: any port free on every address).
    pub async fn start_on(
        farm: Farm,
        net: Ipv4Addr,
        port: Option<u16>,
    ) -> std::io::Result<FarmServer> {
        FarmServer::start_with_links(farm, net, port, Vec::new()).await
    }

    /// [`FarmServer::start_on`], splicing `links[i]` (ASCII HTML, e.g. a
    /// [`World`](crate::World)'s links) before `</body>` of every HTML page of site `i`.
    pub async fn start_with_links(
        farm: Farm,
        net: Ipv4Addr,
        port: Option<u16>,
        links: Vec<String>,
    ) -> std::io::Result<FarmServer> {
        if farm.sites.len() > 254 {
            return Err(ServeError::TooManySites(farm.sites.len()).into());
        }
        if !net.is_loopback() {
            return Err(ServeError::NotLoopback(net).into());
        }
        let (listeners, port) = bind_all(&farm, net, port).await?;
        let hosts: Vec<String> = (0..farm.sites.len())
            .map(|i| format!("{}:{port}", site_ip(net, i)))
            .collect();
        let homepage_hits = farm.sites.iter().map(|_| AtomicU64::new(0)).collect();
        let state = Arc::new(State {
            farm,
            hosts,
            port,
            homepage_hits,
            extra_links: links,
        });
        let (tx, rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listeners, state.clone(), rx));
        tracing::info!(sites = state.hosts.len(), %net, port, "demo farm serving");
        Ok(FarmServer {
            state,
            net,
            shutdown: tx,
            task: Some(task),
        })
    }

    pub fn port(&self) -> u16 {
        self.state.port
    }

    pub fn net(&self) -> Ipv4Addr {
        self.net
    }

    pub fn farm(&self) -> &Farm {
        &self.state.farm
    }

    /// The base URL of site `i`.
    pub fn url(&self, i: usize) -> Url {
        Url::parse(&format!("http://{}/", self.state.hosts[i])).expect("valid URL")
    }

    /// The site list, with real URLs.
    pub fn sites(&self) -> Vec<Site> {
        self.state
            .farm
            .sites
            .iter()
            .enumerate()
            .map(|(i, s)| Site {
                name: s.name().to_string(),
                url: self.url(i),
                category: s.category(),
                site_code: Some(s.site_code().to_string()),
                sponsor: Some(s.sponsor().to_string()),
            })
            .collect()
    }

    pub fn truth(&self) -> FarmTruth {
        self.state
            .farm
            .truth_for(&self.state.hosts, self.state.port)
    }

    /// Writes `name,url,category,site_code,sponsor` (UTF-8).
    pub fn write_sites_csv(&self, path: impl AsRef<Path>) -> std::io::Result<()> {
        let mut w = csv::Writer::from_path(path.as_ref()).map_err(std::io::Error::other)?;
        w.write_record(["name", "url", "category", "site_code", "sponsor"])
            .map_err(std::io::Error::other)?;
        for s in self.sites() {
            w.write_record([
                s.name.as_str(),
                s.url.as_str(),
                s.category.key(),
                s.site_code.as_deref().unwrap_or(""),
                s.sponsor.as_deref().unwrap_or(""),
            ])
            .map_err(std::io::Error::other)?;
        }
        w.flush()
    }

    /// Writes `truth.json`.
    pub fn write_truth(&self, path: impl AsRef<Path>) -> std::io::Result<()> {
        std::fs::write(path, self.truth().to_json_pretty())
    }

    /// Stops accepting and drops every open connection.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for FarmServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

/// Binds port 0 on the first address, then that port on all others; retries on conflict.
async fn bind_all(
    farm: &Farm,
    net: Ipv4Addr,
    fixed: Option<u16>,
) -> std::io::Result<(Vec<(usize, TcpListener)>, u16)> {
    let serve: Vec<usize> = (0..farm.sites.len())
        .filter(|&i| farm.sites[i].availability() != Availability::Refused)
        .collect();
    let attempts = 30;
    let mut last = std::io::Error::other("no site to serve");
    for _ in 0..attempts {
        let Some(&first) = serve.first() else {
            return Ok((Vec::new(), 0));
        };
        let l0 =
            TcpListener::bind(SocketAddr::from((site_ip(net, first), fixed.unwrap_or(0)))).await?;
        let port = l0.local_addr()?.port();
        let mut ls = vec![(first, l0)];
        let mut ok = true;
        for &i in &serve[1..] {
            match TcpListener::bind(SocketAddr::from((site_ip(net, i), port))).await {
                Ok(l) => ls.push((i, l)),
                Err(e) if fixed.is_some() => return Err(e),
                Err(e) => {
                    last = e;
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            return Ok((ls, port));
        }
    }
    Err(ServeError::NoCommonPort { attempts, last }.into())
}

async fn accept_loop(
    listeners: Vec<(usize, TcpListener)>,
    state: Arc<State>,
    mut stop: watch::Receiver<bool>,
) {
    let mut conns = tokio::task::JoinSet::new();
    if listeners.is_empty() {
        let _ = stop.changed().await;
        return;
    }
    loop {
        let accepts = listeners
            .iter()
            .map(|(i, l)| Box::pin(async move { (*i, l.accept().await) }));
        tokio::select! {
            _ = stop.changed() => break,
            ((site, res), _, _) = futures_select_all(accepts) => {
                let Ok((stream, _)) = res else { continue };
                let state = state.clone();
                conns.spawn(async move {
                    let svc = hyper::service::service_fn(move |req| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(respond(&state, site, req)) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
                // Reap finished connection tasks.
                while conns.try_join_next().is_some() {}
            }
        }
    }
    conns.abort_all();
}

/// `select_all` over boxed futures without pulling in the `futures` crate.
async fn futures_select_all<F: std::future::Future + Unpin>(
    futs: impl IntoIterator<Item = F>,
) -> (F::Output, usize, ()) {
    let mut futs: Vec<F> = futs.into_iter().collect();
    std::future::poll_fn(move |cx| {
        for (i, f) in futs.iter_mut().enumerate() {
            if let std::task::Poll::Ready(v) = std::pin::Pin::new(f).poll(cx) {
                return std::task::Poll::Ready((v, i, ()));
            }
        }
        std::task::Poll::Pending
    })
    .await
}

fn respond(state: &State, site: usize, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let s: &FarmSite = &state.farm.sites[site];
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    }
    let raw_path = req.uri().path();
    let path = percent_encoding::percent_decode_str(raw_path)
        .decode_utf8_lossy()
        .into_owned();
    if path == "/" && s.availability() == Availability::Flaky {
        let n = state.homepage_hits[site].fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_multiple_of(3) {
            return plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service Temporarily Unavailable",
            );
        }
    }
    // HEAD answers carry the GET's headers and no body: no compression, like a static
    // file server.
    let head = req.method() == Method::HEAD;
    let gzip_ok = !head
        && s.gzip()
        && req
            .headers()
            .get(ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("gzip"));
    if path == "/robots.txt" {
        return page_response(state, site, StatusCode::OK, s.robots(), false);
    }
    let found = match req.uri().query() {
        Some(q) => s.page(&format!("{path}?{q}")).or_else(|| s.page(&path)),
        None => s.page(&path),
    };
    let mut r = match found {
        Some(p) => page_response(state, site, StatusCode::OK, p, gzip_ok),
        None => page_response(state, site, StatusCode::NOT_FOUND, s.not_found(), gzip_ok),
    };
    if head {
        let len = r.body().size_hint().exact().unwrap_or(0);
        r.headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(len));
        *r.body_mut() = Full::new(Bytes::new());
    }
    r
}

/// `body` with `extra` inserted before its last `</body>` (appended when there is none).
fn splice_before_body_end(body: &[u8], extra: &[u8]) -> Bytes {
    let at = memchr::memmem::rfind(body, b"</body>")
        .or_else(|| memchr::memmem::rfind(body, b"</BODY>"))
        .unwrap_or(body.len());
    let mut out = Vec::with_capacity(body.len() + extra.len());
    out.extend_from_slice(&body[..at]);
    out.extend_from_slice(extra);
    out.extend_from_slice(&body[at..]);
    Bytes::from(out)
}

fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    r
}

fn page_response(
    state: &State,
    site: usize,
    status: StatusCode,
    p: &Page,
    gzip: bool,
) -> Response<Full<Bytes>> {
    let s = &state.farm.sites[site];
    let mut body = p.fill(&state.hosts, state.port);
    if status == StatusCode::OK && p.is_html() {
        if let Some(extra) = state.extra_links.get(site).filter(|e| !e.is_empty()) {
            body = splice_before_body_end(&body, extra.as_bytes());
        }
    }
    let ct = match (p.is_html(), s.header_charset()) {
        (true, Some(cs)) => format!("text/html; charset={cs}"),
        (true, None) => "text/html".to_string(),
        (false, _) if p.content_type.starts_with("text/") && p.content_type != "text/css" => {
            format!("{}; charset=utf-8", p.content_type)
        }
        (false, _) => p.content_type.to_string(),
    };
    let mut gz = false;
    if gzip && (p.is_html() || p.content_type.starts_with("text/")) {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        if enc.write_all(&body).is_ok() {
            if let Ok(v) = enc.finish() {
                body = Bytes::from(v);
                gz = true;
            }
        }
    }
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_str(&ct).expect("ascii header"),
    );
    h.insert("server", HeaderValue::from_static("pucha-farm"));
    if gz {
        h.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    r
}
