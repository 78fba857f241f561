//! Peak memory and time of a worker crawling sites whose pages are all 10 MB (issue #17 item
//! 4): `SITES` sites in parallel on loopback, each a homepage linking `PAGES` pages of 10 MB
//! (half deep nesting, half text), default politeness and budgets, `max_seconds` as given.
//! Prints each site's time against its deadline and the process's peak RSS (VmHWM).
//! Measured, never asserted.
//!
//! ```text
//! cargo run --release -p pucha-crawl --example hostile_memory -- [sites] [pages] [max_seconds]
//! ```

use std::sync::Arc;
use std::time::Instant;

use pucha_core::{Category, CrawlConfig, Site};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[global_allocator]
static ALLOC: pucha_crawl::alloc::WorkerAllocator = pucha_crawl::alloc::WorkerAllocator;

fn status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .map(|l| l[field.len()..].trim().to_string())
        .unwrap_or_else(|| "?".into())
}

/// Serves `/` (links to `/p{i}.html`) and the pages, one request per connection.
async fn serve(pages: usize, bodies: Arc<Vec<Vec<u8>>>) -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let mut home = String::from("<html><head><meta charset=utf-8><title>首页</title></head><body>");
    for i in 0..pages {
        home.push_str(&format!("<a href=\"/p{i}.html\">第{i}页</a>\n"));
    }
    home.push_str("</body></html>");
    let home = Arc::new(home.into_bytes());
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l.accept().await else {
                return;
            };
            let (home, bodies) = (home.clone(), bodies.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf);
                let path = head.split(' ').nth(1).unwrap_or("/").to_string();
                let is_head = head.starts_with("HEAD");
                let body: &[u8] = if path == "/" {
                    &home
                } else if let Some(i) = path
                    .strip_prefix("/p")
                    .and_then(|p| p.strip_suffix(".html"))
                    .and_then(|n| n.parse::<usize>().ok())
                {
                    &bodies[i % bodies.len()]
                } else {
                    b"<h1>404</h1>"
                };
                let code = if body.starts_with(b"<h1>404") {
                    404
                } else {
                    200
                };
                let h = format!(
                    "HTTP/1.1 {code} X\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(h.as_bytes()).await;
                if !is_head {
                    let _ = s.write_all(body).await;
                }
            });
        }
    });
    format!("http://{addr}/")
}

#[tokio::main]
async fn main() {
    pucha_crawl::alloc::tune();
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sites = *args.first().unwrap_or(&8) as usize;
    let pages = *args.get(1).unwrap_or(&20) as usize;
    let max_seconds = *args.get(2).unwrap_or(&45);
    const TEN_MB: usize = 10 * 1024 * 1024;
    let nested = "<div><span>".repeat(TEN_MB / 11).into_bytes();
    let text = format!(
        "<html><body><p>{}</p></body></html>",
        "政务公开信息。".repeat(TEN_MB / 21)
    )
    .into_bytes();
    let bodies = Arc::new(vec![nested, text]);
    println!(
        "before the crawl: VmRSS {} (the server's two 10 MB bodies)",
        status("VmRSS:")
    );
    let mut cfg = CrawlConfig {
        max_seconds,
        inline_probes: 5,
        ..CrawlConfig::default()
    };
    cfg.egress.loopback_only = true;
    let crawler = pucha_crawl::Crawler::new(&cfg).unwrap();
    let mut tasks = Vec::new();
    let t0 = Instant::now();
    for n in 0..sites {
        let url = serve(pages, bodies.clone()).await;
        let (crawler, cfg) = (crawler.clone(), cfg.clone());
        tasks.push(tokio::spawn(async move {
            let site = Site {
                name: format!("网站{n}"),
                url: url.parse().unwrap(),
                category: Category::Department,
                site_code: None,
                sponsor: None,
            };
            let t = Instant::now();
            let c = crawler.crawl_site(&site, &cfg).await;
            (n, t.elapsed(), c)
        }));
    }
    for t in tasks {
        let (n, took, c) = t.await.unwrap();
        let text: usize = c.pages.iter().map(|p| p.facts.body_text.len()).sum();
        println!(
            "site {n}: {:>5.1} s (max_seconds {max_seconds}, over by {:>5.1} %), {} pages, {} cut by time, {} analysis cuts, {} probes ok of {}, body_text kept {} KiB",
            took.as_secs_f64(),
            (took.as_secs_f64() / max_seconds as f64 - 1.0).max(0.0) * 100.0,
            c.pages.len(),
            c.stats.cut_max_time,
            c.stats.analysis_cut.len(),
            c.probes.iter().filter(|p| p.ok()).count(),
            c.probes.len(),
            text / 1024
        );
    }
    println!(
        "all {sites} sites in {:.1} s; peak RSS (VmHWM) {}, now {}; analysis pool {}",
        t0.elapsed().as_secs_f64(),
        status("VmHWM:"),
        status("VmRSS:"),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
}
