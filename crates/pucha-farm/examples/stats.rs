//! Generation time and size of a farm.
//!
//! `cargo run --release -p pucha-farm --example stats -- [sites] [pages_per_site]`
//! (no arguments: the demo farm).

use std::time::Instant;

use pucha_farm::{Farm, FarmSpec};

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let spec = match args.as_slice() {
        [s, p, ..] => FarmSpec::bench(*s, *p),
        _ => FarmSpec::demo(),
    };
    let t = Instant::now();
    let farm = Farm::generate(&spec);
    let took = t.elapsed();
    let (mut html, mut bytes) = (0usize, 0usize);
    for s in &farm.sites {
        for (_, p) in s.pages() {
            if p.is_html() {
                html += 1;
                bytes += p.body.len();
            }
        }
    }
    println!(
        "{} sites x ~{} pages: {html} HTML pages, {:.1} MB of HTML, generated in {:.2} s",
        spec.sites,
        spec.pages_per_site,
        bytes as f64 / 1e6,
        took.as_secs_f64()
    );
}
