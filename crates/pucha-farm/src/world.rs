//! The world around a farm, as hostile as the real one: link targets that every site of a
//! city shares (the portal), a host that answers after 20 s, a flaky host, a refusing host,
//! a host that never answers the SYN, a name that does not resolve, and a trap site whose
//! calendar never ends.
//!
//! The farm's own sites are the census; the world is what their pages link to. It exists for
//! the census benchmark (`scripts/bench-census.sh`, docs/benchmarks-crawl.md), which measures
//! `pucha run` as shipped against a farm served by another process: a crawler that is fast on
//! a clean farm and waits on every dead link target is slow in a real city.
//!
//! Addresses, on one loopback /24 (`net`): `.1` portal, `.2` slow, `.3` flaky, `.4` refusing
//! (nothing bound), `.5` blackhole (a full accept queue that never accepts), `.6` trap site.
//! The links each farm page carries come from [`World::links_for`]: ASCII only, so they can be
//! spliced into GBK pages as they are.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinSet;

/// Which hostile hosts exist and how they behave.
#[derive(Debug, Clone)]
pub struct WorldSpec {
    /// Loopback /24 of the world's hosts.
    pub net: Ipv4Addr,
    /// How long the slow host waits before it answers.
    pub slow_after: Duration,
    /// One site in `slow_every` links a page of the slow host (0: none).
    pub slow_every: usize,
}

impl Default for WorldSpec {
    fn default() -> Self {
        WorldSpec {
            net: Ipv4Addr::new(127, 0, 30, 0),
            slow_after: Duration::from_secs(20),
            slow_every: 10,
        }
    }
}

/// A running world. Dropping it stops every host.
pub struct World {
    spec: WorldSpec,
    port: u16,
    tasks: JoinSet<()>,
    // Keeps the blackhole's queue full for as long as the world runs.
    _blackhole: Blackhole,
}

/// Name that no resolver answers (`.invalid` is reserved, RFC 6761).
pub const DEAD_NAME: &str = "nx-host.pucha-farm.invalid";

fn host(net: Ipv4Addr, last: u8) -> Ipv4Addr {
    let o = net.octets();
    Ipv4Addr::new(o[0], o[1], o[2], last)
}

fn base(spec: &WorldSpec, port: u16, last: u8) -> String {
    format!("http://{}:{port}", host(spec.net, last))
}

/// The links farm site `i` carries on every HTML page (ASCII, no CJK, so they can be spliced
/// before `</body>` of a GBK page as they are): the shared portal, the flaky host, the refusing
/// and blackhole hosts, a dead name, and on one site in `slow_every` a page of the slow host.
pub fn links(spec: &WorldSpec, port: u16, i: usize) -> String {
    let portal = base(spec, port, 1);
    let flaky = base(spec, port, 3);
    let mut s = String::from("<div class=\"world-links\"><ul>");
    for p in ["/", "/zwgk/", "/xxgk/", "/hdjl/", "/bsfw/", "/about.html"] {
        s.push_str(&format!("<li><a href=\"{portal}{p}\">portal</a></li>"));
    }
    for p in ["/a.html", "/b.html", "/c.html"] {
        s.push_str(&format!("<li><a href=\"{flaky}{p}\">partner</a></li>"));
    }
    s.push_str(&format!(
        "<li><a href=\"{}/\">old site</a></li>",
        base(spec, port, 4)
    ));
    s.push_str(&format!(
        "<li><a href=\"{}/\">archive</a></li>",
        base(spec, port, 5)
    ));
    s.push_str(&format!(
        "<li><a href=\"http://{DEAD_NAME}/\">moved</a></li>"
    ));
    if spec.slow_every > 0 && i.is_multiple_of(spec.slow_every) {
        s.push_str(&format!(
            "<li><a href=\"{}/report/{i}.html\">report</a></li>",
            base(spec, port, 2)
        ));
    }
    s.push_str("</ul></div>");
    s
}

impl World {
    /// Starts the world's hosts on `spec.net`, all on one port.
    pub async fn start(spec: WorldSpec) -> std::io::Result<World> {
        if !spec.net.is_loopback() {
            return Err(std::io::Error::other(format!(
                "world net {} is not a loopback address (use 127.x.y.0)",
                spec.net
            )));
        }
        let portal = TcpListener::bind(SocketAddr::from((host(spec.net, 1), 0))).await?;
        let port = portal.local_addr()?.port();
        let slow = TcpListener::bind(SocketAddr::from((host(spec.net, 2), port))).await?;
        let flaky = TcpListener::bind(SocketAddr::from((host(spec.net, 3), port))).await?;
        let trap = TcpListener::bind(SocketAddr::from((host(spec.net, 6), port))).await?;
        let blackhole = Blackhole::bind(SocketAddr::from((host(spec.net, 5), port))).await?;
        let mut tasks = JoinSet::new();
        let flaky_hits = Arc::new(AtomicU64::new(0));
        let slow_after = spec.slow_after;
        tasks.spawn(serve(
            portal,
            Arc::new(move |_, path: &str| portal_page(path)),
        ));
        tasks.spawn(serve(
            slow,
            Arc::new(move |_, _: &str| Reply::After(slow_after, ok_html("slow report"))),
        ));
        tasks.spawn(serve(
            flaky,
            Arc::new(move |_, _: &str| {
                if flaky_hits.fetch_add(1, Ordering::Relaxed) % 3 == 2 {
                    Reply::Now(status(StatusCode::SERVICE_UNAVAILABLE))
                } else {
                    Reply::Now(ok_html("flaky page"))
                }
            }),
        ));
        tasks.spawn(serve(
            trap,
            Arc::new(move |q, path: &str| trap_page(path, q)),
        ));
        Ok(World {
            spec,
            port,
            tasks,
            _blackhole: blackhole,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Home URL of the trap site (a site of the census: its calendar pages never end).
    pub fn trap_url(&self) -> String {
        format!("{}/", base(&self.spec, self.port, 6))
    }

    /// The links farm site `i` carries on every HTML page: see [`links`].
    pub fn links_for(&self, i: usize) -> String {
        links(&self.spec, self.port, i)
    }

    /// Stops every host.
    pub async fn shutdown(mut self) {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
    }
}

/// A loopback address whose SYNs are never answered: a listener with a full accept queue
/// that is never drained (the kernel drops further SYNs), so a connect only times out. The
/// address stays a blackhole for as long as the value lives.
pub struct Blackhole {
    listener: std::net::TcpListener,
    _fillers: Vec<TcpStream>,
}

impl Blackhole {
    /// Binds `addr` (port 0: any free port) and fills its accept queue.
    pub async fn bind(addr: SocketAddr) -> std::io::Result<Blackhole> {
        let sock = TcpSocket::new_v4()?;
        sock.bind(addr)?;
        let listener = sock.listen(0)?;
        let addr = listener.local_addr()?;
        let mut fillers = Vec::new();
        for _ in 0..4 {
            if let Ok(Ok(s)) =
                tokio::time::timeout(Duration::from_millis(300), TcpStream::connect(addr)).await
            {
                fillers.push(s);
            }
        }
        Ok(Blackhole {
            listener: listener.into_std()?,
            _fillers: fillers,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }
}

/// About `bytes` of markup no page should have: unclosed inline and block tags, attributes,
/// broken tags, references and dates, never closed. Deterministic for a `seed`; pages of
/// different seeds differ. For the analyser's complexity budget (tests, examples).
pub fn pathological_html(bytes: usize, seed: usize) -> String {
    let pieces = [
        "<div class='a'>",
        "<span>",
        "<b>",
        "<a href='/x?a=1&b=2'>",
        "<p>",
        "<font color=red>",
        "<li>",
        "<table><tr><td>",
        "2024-01-01",
        "主办单位",
        "<i title='x'",
        "</q>",
        "&amp;&#x4e2d;",
    ];
    let mut s = String::with_capacity(bytes + 64);
    let mut i = seed;
    while s.len() < bytes {
        s.push_str(pieces[i % pieces.len()]);
        i = i.wrapping_mul(31).wrapping_add(7) % 9973;
    }
    s
}

enum Reply {
    Now(Response<Full<Bytes>>),
    After(Duration, Response<Full<Bytes>>),
}

type Handler = Arc<dyn Fn(Option<&str>, &str) -> Reply + Send + Sync>;

async fn serve(listener: TcpListener, handler: Handler) {
    let mut conns = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let handler = handler.clone();
        conns.spawn(async move {
            let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                let reply = handler(req.uri().query(), req.uri().path());
                async move {
                    Ok::<_, Infallible>(match reply {
                        Reply::Now(r) => r,
                        Reply::After(d, r) => {
                            tokio::time::sleep(d).await;
                            r
                        }
                    })
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
        while conns.try_join_next().is_some() {}
    }
}

fn ok_html(title: &str) -> Response<Full<Bytes>> {
    html(format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><p>{title}</p></body></html>"
    ))
}

fn html(body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

fn status(code: StatusCode) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from_static(b"unavailable")));
    *r.status_mut() = code;
    r
}

fn portal_page(path: &str) -> Reply {
    if path == "/robots.txt" {
        return Reply::Now(status_text(StatusCode::OK, "User-agent: *\nAllow: /\n"));
    }
    Reply::Now(ok_html("青岚市人民政府门户网站"))
}

fn status_text(code: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *r.status_mut() = code;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    r
}

/// The trap: `/cal/?d=N` links days N-1 and N+1 and a month view, for ever.
fn trap_page(path: &str, query: Option<&str>) -> Reply {
    if path == "/robots.txt" {
        return Reply::Now(status_text(StatusCode::OK, "User-agent: *\nAllow: /\n"));
    }
    let day: i64 = query
        .and_then(|q| q.strip_prefix("d="))
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    Reply::Now(html(trap_html(day)))
}

fn trap_html(day: i64) -> String {
    let (prev, next) = (day - 1, day + 1);
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>青岚市活动日历</title>\
         <meta name=\"SiteName\" content=\"青岚市活动日历\"></head><body>\
         <div class=\"nav\"><a href=\"/\">首页</a> <a href=\"/cal/?d=0\">日历</a></div>\
         <div class=\"main\"><h1>第 {day} 天</h1>\
         <a href=\"/cal/?d={prev}\">前一天</a> <a href=\"/cal/?d={next}\">后一天</a> \
         <a href=\"/cal/month/{next}/?d={next}\">月视图</a></div>\
         <div class=\"footer\">主办单位：青岚市文化馆</div></body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_ascii_and_name_every_hostile_host() {
        let w = WorldSpec::default();
        let l0 = links(&w, 80, 0);
        assert!(l0.is_ascii());
        for last in [1, 2, 3, 4, 5] {
            assert!(l0.contains(&base(&w, 80, last)), "{last} missing from {l0}");
        }
        assert!(l0.contains(DEAD_NAME));
        // Only one site in ten links the slow host.
        assert!(!links(&w, 80, 1).contains(&base(&w, 80, 2)));
        assert!(links(&w, 80, 10).contains(&base(&w, 80, 2)));
    }

    #[test]
    fn the_trap_never_ends() {
        assert!(matches!(trap_page("/cal/", Some("d=41")), Reply::Now(_)));
        let text = trap_html(41);
        assert!(text.contains("d=42") && text.contains("d=40"), "{text}");
    }
}
