//! A tiny raw HTTP/1.1 server on a loopback address for the crawler tests: every test server
//! runs in-process on 127.x:0 and can misbehave on purpose (never answer, drip, stream 20 MB,
//! serve a gzip bomb). It logs every request and counts connections.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pucha_core::{Category, CrawlConfig, Site};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    /// Path and query.
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl Req {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
}

/// What to answer.
pub enum Reply {
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Accept the request, never answer.
    Hang,
    /// Send the status line and headers, then one body byte per interval.
    Drip(Duration),
    /// Wait, then answer.
    After(Duration, Box<Reply>),
    /// Send the status line and headers (announcing `declared` bytes), then nothing.
    HeadersThenHang { declared: u64 },
    /// Announce `declared` bytes, send `body` (fewer), then close the connection.
    Short { declared: u64, body: Vec<u8> },
    /// Announce `declared` bytes, send `body` (fewer), then reset the connection (RST).
    ResetAfter { declared: u64, body: Vec<u8> },
    /// A body of `len` bytes of `fill`, generated while writing.
    Big {
        content_type: String,
        len: usize,
        fill: u8,
    },
}

impl Reply {
    pub fn html(body: impl Into<Vec<u8>>) -> Reply {
        Reply::with(200, "text/html; charset=utf-8", body)
    }
    pub fn with(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }
    pub fn status(status: u16) -> Reply {
        Reply::with(status, "text/html", format!("<h1>{status}</h1>"))
    }
    pub fn redirect(to: &str) -> Reply {
        Reply::Full {
            status: 302,
            headers: vec![("Location".into(), to.into())],
            body: Vec::new(),
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Reply {
        if let Reply::Full { headers, .. } = &mut self {
            headers.push((k.into(), v.into()));
        }
        self
    }
}

type Handler = dyn Fn(&Req) -> Reply + Send + Sync;

/// A running test server.
pub struct TestServer {
    pub addr: SocketAddr,
    pub connections: Arc<AtomicUsize>,
    /// Most requests ever being answered at the same time.
    pub max_in_flight: Arc<AtomicUsize>,
    pub log: Arc<Mutex<Vec<Req>>>,
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
    pub fn requests(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }
    pub fn requested(&self, path: &str) -> bool {
        self.requests().iter().any(|r| r.path() == path)
    }
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Serves `handler` on `ip:0` until the test's runtime ends.
pub async fn serve(
    ip: &str,
    handler: impl Fn(&Req) -> Reply + Send + Sync + 'static,
) -> TestServer {
    let listener = TcpListener::bind((ip, 0)).await.expect("bind loopback");
    let addr = listener.local_addr().unwrap();
    let handler: Arc<Handler> = Arc::new(handler);
    let connections = Arc::new(AtomicUsize::new(0));
    let log = Arc::new(Mutex::new(Vec::new()));
    let max_in_flight = Arc::new(AtomicUsize::new(0));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let (c, l, m) = (connections.clone(), log.clone(), max_in_flight.clone());
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            c.fetch_add(1, Ordering::SeqCst);
            let (h, l) = (handler.clone(), l.clone());
            let (f, m) = (in_flight.clone(), m.clone());
            tokio::spawn(async move {
                let _ = conn(sock, h, l, f, m).await;
            });
        }
    });
    TestServer {
        addr,
        connections,
        max_in_flight,
        log,
    }
}

async fn conn(
    mut sock: TcpStream,
    h: Arc<Handler>,
    log: Arc<Mutex<Vec<Req>>>,
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    loop {
        // Read one request head (requests carry no body: GET/HEAD only).
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            let mut chunk = [0u8; 4096];
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        buf.drain(..head_end + 4);
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or("").split(' ');
        let req = Req {
            method: first.next().unwrap_or("").to_string(),
            target: first.next().unwrap_or("").to_string(),
            headers: lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect(),
        };
        log.lock().unwrap().push(req.clone());
        let head_only = req.method == "HEAD";
        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        max_in_flight.fetch_max(now, Ordering::SeqCst);
        let answered = answer(&mut sock, h(&req), head_only).await;
        in_flight.fetch_sub(1, Ordering::SeqCst);
        if !answered? {
            return Ok(());
        }
    }
}

/// Writes one reply; `false` when the connection must close afterwards.
async fn answer(sock: &mut TcpStream, mut reply: Reply, head_only: bool) -> std::io::Result<bool> {
    {
        if let Reply::After(d, inner) = reply {
            tokio::time::sleep(d).await;
            reply = *inner;
        }
        match reply {
            Reply::After(..) => unreachable!("nested delays are not supported"),
            Reply::Full {
                status,
                headers,
                body,
            } => {
                let mut out = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
                for (k, v) in headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                sock.write_all(out.as_bytes()).await?;
                if !head_only {
                    sock.write_all(&body).await?;
                }
            }
            Reply::Hang => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return Ok(false);
            }
            Reply::HeadersThenHang { declared } => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {declared}\r\n\r\n");
                sock.write_all(head.as_bytes()).await?;
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return Ok(false);
            }
            Reply::Short { declared, body } => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {declared}\r\n\r\n");
                sock.write_all(head.as_bytes()).await?;
                if !head_only {
                    sock.write_all(&body).await?;
                }
                sock.shutdown().await?;
                return Ok(false);
            }
            Reply::ResetAfter { declared, body } => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {declared}\r\n\r\n");
                sock.write_all(head.as_bytes()).await?;
                if !head_only {
                    sock.write_all(&body).await?;
                }
                sock.flush().await?;
                // Give the client the bytes before the reset.
                tokio::time::sleep(Duration::from_millis(100)).await;
                // Linger 0: closing sends RST instead of FIN.
                #[allow(deprecated)]
                sock.set_linger(Some(Duration::ZERO))?;
                return Ok(false);
            }
            Reply::Drip(every) => {
                sock.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n",
                )
                .await?;
                for _ in 0..100_000 {
                    sock.write_all(b"x").await?;
                    tokio::time::sleep(every).await;
                }
                return Ok(false);
            }
            Reply::Big {
                content_type,
                len,
                fill,
            } => {
                let out = format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len}\r\n\r\n");
                sock.write_all(out.as_bytes()).await?;
                if !head_only {
                    let chunk = vec![fill; 64 * 1024];
                    let mut left = len;
                    while left > 0 {
                        let n = left.min(chunk.len());
                        sock.write_all(&chunk[..n]).await?;
                        left -= n;
                    }
                }
            }
        }
    }
    Ok(true)
}

/// A site record for a test server URL.
pub fn site(url: &str) -> Site {
    Site {
        name: "测试网站".into(),
        url: url.parse().unwrap(),
        category: Category::Department,
        site_code: None,
        sponsor: None,
    }
}

/// Test settings: loopback only, no politeness, short timeouts, no inline probes.
/// Crawls the test server's site from its homepage with `cfg`.
pub async fn crawl_home(srv: &TestServer, cfg: &CrawlConfig) -> pucha_core::SiteCrawl {
    pucha_crawl::Crawler::new(cfg)
        .unwrap()
        .crawl_site(&site(&srv.url("/")), cfg)
        .await
}

pub fn cfg() -> CrawlConfig {
    let mut c = CrawlConfig {
        no_politeness: true,
        request_timeout_ms: 2_000,
        connect_timeout_ms: 2_000,
        max_seconds: 60,
        inline_probes: 0,
        ..CrawlConfig::default()
    };
    c.egress.loopback_only = true;
    c
}

/// An HTML page with the given links (`href`, text).
pub fn page(title: &str, links: &[(&str, &str)]) -> String {
    let mut s = format!(
        "<html><head><meta charset=\"utf-8\"><title>{title}</title></head><body><h1>{title}</h1>"
    );
    for (href, text) in links {
        s.push_str(&format!("<a href=\"{href}\">{text}</a>\n"));
    }
    s.push_str("<p>这是一个用于测试的政府网站页面，包含足够的正文内容，以免被误判为空白页面。这里有更多的文字内容，用来填充正文，确保长度超过阈值。政务公开、政务服务、互动交流、新闻动态、通知公告、政策文件、政策解读、办事指南。</p></body></html>");
    s
}

/// The outcome recorded for links to `target_suffix`.
pub fn outcome_of<'a>(
    crawl: &'a pucha_core::SiteCrawl,
    target_suffix: &str,
) -> &'a pucha_core::LinkOutcome {
    &crawl
        .links
        .iter()
        .find(|l| l.target.ends_with(target_suffix))
        .unwrap_or_else(|| panic!("no link to {target_suffix}; links: {:#?}", crawl.links))
        .outcome
}

/// Asserts that the link ending in `target_suffix` is broken for `want`.
pub fn assert_broken(
    crawl: &pucha_core::SiteCrawl,
    target_suffix: &str,
    want: pucha_core::BrokenReason,
) {
    let o = outcome_of(crawl, target_suffix);
    assert!(
        matches!(o, pucha_core::LinkOutcome::Broken { reason } if *reason == want),
        "{target_suffix}: want broken ({want:?}), got {o:?}"
    );
}
