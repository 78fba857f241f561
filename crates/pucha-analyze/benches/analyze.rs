//! Throughput of `analyze` on the real pages and on synthetic list pages, next to the
//! raw speed of the parser layers: pucha's tree builder (`tree`), and for comparison
//! html5ever's tree builder and its bare tokenizer.
//!
//! `cargo bench -p pucha-analyze --bench analyze` (numbers in docs/analysis-accuracy.md).

use std::cell::Cell;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, Token, TokenSink, TokenSinkResult, Tokenizer};

fn real_pages() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/real-pages");
    let mut out = Vec::new();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".html") {
            out.push((name, std::fs::read(e.path()).expect("read page")));
        }
    }
    out.sort();
    out
}

/// A column page of `n` dated items in the jcms style, with header, nav and footer.
fn synthetic_list(n: usize) -> String {
    let mut s = String::from(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>工作动态-某市人民政府</title>\
         <meta name='SiteName' content='某市人民政府'><meta name='ColumnName' content='工作动态'></head><body>\
         <div class='header'><a href='/'>首页</a></div><div class='nav'><ul>",
    );
    for i in 0..12 {
        s.push_str(&format!(
            "<li><a href='/col/col{i}/index.html'>栏目{i}</a></li>"
        ));
    }
    s.push_str("</ul></div><div class='position'>当前位置：<a href='/'>首页</a> &gt; 工作动态</div><ul class='list'>");
    for i in 0..n {
        let (m, d) = (1 + i % 12, 1 + i % 28);
        s.push_str(&format!(
            "<li><a href='/art/2024/{m}/{d}/art_{i}.html' title='我市召开第{i}次专题工作推进会议'>我市召开第{i}次专题工作推进会议</a><span class='date'>2024-{m:02}-{d:02}</span></li>"
        ));
    }
    s.push_str(
        "</ul><div class='page'><a href='index_1.html'>下一页</a></div><div class='footer'><p>主办单位：某市人民政府办公室 \
         联系电话：0833-7140159</p><p>政府网站标识码：5204000001 黔ICP备91094053号-3 贵公网安备 52040007846018号</p>\
         <a href='https://bszs.conac.cn/sitename?method=show&id=EE22E4B3CB6856D9B167B2922015527F'>党政机关</a>\
         <script id='_jiucuo_' sitecode='5204000001' src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'></script></div></body></html>",
    );
    s
}

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

fn bench(c: &mut Criterion) {
    let url = url::Url::parse("http://www.example.gov.cn/col/col1/index.html").expect("url");
    let pages = real_pages();
    let total: usize = pages.iter().map(|(_, b)| b.len()).sum();
    let texts: Vec<String> = pages
        .iter()
        .map(|(_, b)| pucha_analyze::decode(b, None).text)
        .collect();

    let mut g = c.benchmark_group("real_pages");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("analyze", |b| {
        b.iter(|| {
            for (_, body) in &pages {
                std::hint::black_box(pucha_analyze::analyze(body, &url, None));
            }
        })
    });
    g.bench_function("decode_only", |b| {
        b.iter(|| {
            for (_, body) in &pages {
                std::hint::black_box(pucha_analyze::decode(body, None));
            }
        })
    });
    g.bench_function("tree_parse_only", |b| {
        b.iter(|| {
            for t in &texts {
                std::hint::black_box(pucha_analyze::tree::parse_document(t));
            }
        })
    });
    g.bench_function("html5ever_parse_only", |b| {
        b.iter(|| {
            for t in &texts {
                std::hint::black_box(scraper::Html::parse_document(t));
            }
        })
    });
    g.bench_function("html5ever_tokenize_only", |b| {
        b.iter(|| {
            for t in &texts {
                std::hint::black_box(tokenize(t));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("synthetic_list");
    for n in [50, 500] {
        let page = synthetic_list(n);
        g.throughput(Throughput::Bytes(page.len() as u64));
        g.bench_function(format!("analyze_{n}_items"), |b| {
            b.iter(|| std::hint::black_box(pucha_analyze::analyze(page.as_bytes(), &url, None)))
        });
        g.bench_function(format!("html5ever_tokenize_{n}_items"), |b| {
            b.iter(|| std::hint::black_box(tokenize(&page)))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
