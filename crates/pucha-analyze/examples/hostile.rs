//! Times the analysis of hostile pages (deep nesting, huge pages of broken markup) and
//! prints whether the complexity budget cut them. Numbers are measured, never asserted.
//!
//! `cargo run --release -p pucha-analyze --example hostile -- [DEPTHS...]`
//! (`MAX_DEPTH=` / `MAX_NODES=` in the environment try other budgets).

use std::time::Instant;

fn nested(depth: usize, tag: &str) -> String {
    let mut s = format!("<{tag}>").repeat(depth);
    s.push_str("<li><a href='/a'>标题很长的一条</a>2024-01-01</li>");
    s.push_str(&format!("</{tag}>").repeat(depth));
    s
}

fn time(label: &str, html: &str) {
    let url = url::Url::parse("http://www.example.gov.cn/a/index.html").unwrap();
    let mut options = pucha_analyze::AnalyzeOptions::default();
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse().ok());
    if let Some(d) = env("MAX_DEPTH") {
        options.budget.tree.max_depth = d;
    }
    if let Some(n) = env("MAX_NODES") {
        options.budget.tree.max_nodes = n;
    }
    let t = Instant::now();
    let f = pucha_analyze::analyze_with(html.as_bytes(), &url, None, &options);
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "{label:<28} {:>9} bytes {ms:>9.1} ms  cut: {}",
        html.len(),
        f.analysis_cut.as_deref().unwrap_or("-")
    );
}

fn main() {
    let depths: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let depths = if depths.is_empty() {
        vec![25_000, 50_000, 100_000]
    } else {
        depths
    };
    for d in &depths {
        time(&format!("{d} nested div"), &nested(*d, "div"));
    }
    for d in &depths {
        time(&format!("{d} nested span"), &nested(*d, "span"));
    }
    for d in &depths {
        time(&format!("{d} nested table"), &nested(*d, "table"));
    }
    for mb in [1, 2, 4, 10] {
        time(
            &format!("{mb} MB pathological"),
            &pucha_farm::pathological_html(mb << 20, 0),
        );
    }
}
