//! Times `analyze` over every real page (repeat N times) and prints MB/s.
//!
//! `cargo run --release -p pucha-analyze --example throughput -- [N]` — a quick check
//! without criterion; the bench (`cargo bench -p pucha-analyze`) is the reference.

use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/real-pages");
    let mut pages = Vec::new();
    for e in std::fs::read_dir(&dir).expect("real-pages dir").flatten() {
        if e.path().extension().is_some_and(|x| x == "html") {
            pages.push(std::fs::read(e.path()).expect("read"));
        }
    }
    let url = url::Url::parse("http://www.example.gov.cn/a/index.html").expect("url");
    let bytes: usize = pages.iter().map(Vec::len).sum::<usize>() * n;
    let start = Instant::now();
    for _ in 0..n {
        for p in &pages {
            std::hint::black_box(pucha_analyze::analyze(p, &url, None));
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} pages x {n}: {:.1} MB in {secs:.2} s = {:.1} MB/s",
        pages.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs
    );
}
