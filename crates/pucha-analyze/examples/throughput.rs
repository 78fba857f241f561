//! Times `analyze` (or one parser layer) over every real page, repeated N times.
//!
//! `cargo run --release -p pucha-analyze --example throughput -- [analyze|parse|parse-html5ever|tokenize|decode] [N]`
//!
//! Run it under `/usr/bin/time -f "user %U s"` on a busy machine: user CPU seconds give
//! the per-core throughput, wall time also counts waiting for a core.

use std::cell::Cell;
use std::time::Instant;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, Token, TokenSink, TokenSinkResult, Tokenizer};

struct CountSink(Cell<usize>);

impl TokenSink for CountSink {
    type Handle = ();
    fn process_token(&self, _token: Token, _line: u64) -> TokenSinkResult<()> {
        self.0.set(self.0.get() + 1);
        TokenSinkResult::Continue
    }
}

fn tokenize(text: &str) -> usize {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(text));
    let tok = Tokenizer::new(CountSink(Cell::new(0)), Default::default());
    let _ = tok.feed(&input);
    tok.end();
    tok.sink.0.get()
}

fn main() {
    let mode = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "analyze".to_string());
    let n: usize = std::env::args()
        .nth(2)
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
    let texts: Vec<String> = pages
        .iter()
        .map(|p| pucha_analyze::decode(p, None).text)
        .collect();
    let url = url::Url::parse("http://www.example.gov.cn/a/index.html").expect("url");
    let bytes: usize = pages.iter().map(Vec::len).sum::<usize>() * n;
    let start = Instant::now();
    for _ in 0..n {
        for (p, t) in pages.iter().zip(&texts) {
            match mode.as_str() {
                "parse" => drop(std::hint::black_box(pucha_analyze::tree::parse_document(t))),
                "parse-html5ever" => drop(std::hint::black_box(scraper::Html::parse_document(t))),
                "tokenize" => drop(std::hint::black_box(tokenize(t))),
                "decode" => drop(std::hint::black_box(pucha_analyze::decode(p, None))),
                _ => drop(std::hint::black_box(pucha_analyze::analyze(p, &url, None))),
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{mode}: {} pages x {n} = {:.1} MB in {secs:.2} s wall = {:.1} MB/s (wall)",
        pages.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs
    );
}
