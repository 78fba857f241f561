//! Accuracy of the rules against a farm's ground truth, offline (pages read from disk).
//!
//! `cargo run -p pucha-rules --example rule_accuracy -- <farm dir> [--rules PACK.toml]`
//!
//! Works on `shared/farm-sample` and on a dumped demo farm
//! (`cargo run -p pucha-farm --example dump -- DIR`). Prints the per-rule precision/recall table,
//! the verdict of every site, and the rules found that the truth does not assert.

#[path = "../tests/farm/mod.rs"]
mod farm;

use std::path::PathBuf;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir: Option<PathBuf> = None;
    let mut pack = pucha_rules::RulePack::builtin();
    let mut dump: Option<String> = None;
    while let Some(a) = args.next() {
        if a == "--dump" {
            dump = args.next();
        } else if a == "--rules" {
            let p = args.next().expect("--rules needs a file");
            pack = pucha_rules::RulePack::load(p.as_ref()).unwrap_or_else(|e| {
                eprintln!("{e}");
                std::process::exit(2)
            });
        } else {
            dir = Some(a.into());
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: accuracy <farm dir> [--rules PACK.toml]");
        std::process::exit(2);
    };
    let farm = farm::Farm::load(&dir, &pack);
    if let Some(what) = dump {
        // `--dump sNN` prints the site's columns; `--dump URL` the facts and findings of one page.
        for s in &farm.sites {
            let crawl = farm.crawl(s);
            if what == s.id {
                for c in pucha_rules::columns_at(&crawl, &pack, farm.as_of) {
                    println!("{}", serde_json::to_string(&c).expect("json"));
                }
                let ctx = pucha_rules::EvalContext {
                    as_of: farm.as_of,
                    mode: pucha_core::ScoringMode::FullScore,
                    pack: &pack,
                    probes: &[],
                };
                let r = pucha_rules::evaluate(&crawl, &ctx);
                println!("{}", serde_json::to_string_pretty(&r).expect("json"));
            }
            for p in crawl.pages.iter().filter(|p| p.url == what) {
                println!("{}", serde_json::to_string_pretty(&p.facts).expect("json"));
                let u = url::Url::parse(&p.url).expect("url");
                for f in pucha_rules::check_page(&p.facts, &u, &pack) {
                    println!("{}", serde_json::to_string(&f).expect("json"));
                }
            }
        }
        return;
    }
    let acc = farm.accuracy(&pack);
    println!(
        "farm {} (as of {}), rule pack {}",
        dir.display(),
        farm.as_of,
        pack.label()
    );
    print!("{}", acc.render());
}
