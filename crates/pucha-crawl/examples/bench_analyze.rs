//! Page analysis alone over the bench farm's HTML pages: the per-page CPU of a crawl
//! without the network, for profiling (`perf record`) and a MB/s figure.
//!
//! ```text
//! cargo run --release -p pucha-crawl --example bench_analyze -- [sites] [pages] [passes]
//! ```

use std::collections::BTreeMap;
use std::time::Instant;

#[global_allocator]
static ALLOC: pucha_crawl::alloc::WorkerAllocator = pucha_crawl::alloc::WorkerAllocator;

use pucha_farm::{Farm, FarmSpec};
use url::Url;

fn main() {
    pucha_crawl::alloc::tune();
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (sites, pages, passes) = match args.as_slice() {
        [s, p, n, ..] => (*s, *p, *n),
        [s, p] => (*s, *p, 3),
        _ => (8, 250, 3),
    };
    let mut spec = FarmSpec::bench(sites, pages);
    spec.bare_404 = true;
    let farm = Farm::generate(&spec);
    let hosts: Vec<String> = (0..farm.sites.len())
        .map(|i| format!("127.0.10.{}:8080", i + 1))
        .collect();
    let mut docs = Vec::new();
    for (i, s) in farm.sites.iter().enumerate() {
        let ct = s
            .header_charset()
            .map(|cs| format!("text/html; charset={cs}"));
        for (path, p) in s.pages() {
            if p.is_html() {
                let url = Url::parse(&format!("http://{}{path}", hosts[i])).expect("url");
                docs.push((i, url, p.fill(&hosts, 8080), ct.clone()));
            }
        }
    }
    let bytes: usize = docs.iter().map(|d| d.2.len()).sum();
    let mut options = pucha_analyze::AnalyzeOptions {
        today: chrono::NaiveDate::from_ymd_opt(2025, 1, 6),
        ..Default::default()
    };
    // Per site, the encoding detected on its earlier pages, as the crawler keeps it.
    let mut site_encoding = vec![None; farm.sites.len()];
    let t = Instant::now();
    let mut links = 0usize;
    // Which signal decided each page's encoding (detection is the costly one).
    let mut sources: BTreeMap<String, usize> = BTreeMap::new();
    for pass in 0..passes {
        for (site, url, body, ct) in &docs {
            options.site_encoding = site_encoding[*site];
            let facts = pucha_analyze::analyze_with(body, url, ct.as_deref(), &options);
            if let Some(hint) = pucha_analyze::site_encoding_hint(&facts) {
                site_encoding[*site] = Some(hint);
            }
            links += facts.links.len();
            if pass == 0 {
                *sources
                    .entry(format!("{:?}", facts.encoding_source))
                    .or_default() += 1;
            }
        }
    }
    let secs = t.elapsed().as_secs_f64();
    eprintln!("encoding decided by: {sources:?}");
    println!(
        "{{\"pages\":{},\"bytes\":{},\"passes\":{passes},\"links\":{links},\"secs\":{secs:.2},\"pages_per_s\":{:.0},\"mb_per_s\":{:.1}}}",
        docs.len(),
        bytes,
        (docs.len() * passes) as f64 / secs,
        (bytes * passes) as f64 / secs / 1e6
    );
}
