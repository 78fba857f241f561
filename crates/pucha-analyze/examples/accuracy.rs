//! Prints a per-field accuracy table of `analyze` on the real pages.
//!
//! `cargo run -p pucha-analyze --example accuracy [-- -v]` (`-v` lists the misses).

#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    let checks = match support::run_all() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let verbose = std::env::args().any(|a| a == "-v");
    println!(
        "{:<32} {:>7} {:>7} {:>8}",
        "field", "right", "total", "accuracy"
    );
    let (mut right, mut total) = (0, 0);
    for (field, (r, t)) in support::table(&checks) {
        println!(
            "{field:<32} {r:>7} {t:>7} {:>7.1}%",
            100.0 * r as f64 / t as f64
        );
        right += r;
        total += t;
    }
    println!(
        "{:<32} {right:>7} {total:>7} {:>7.1}%",
        "ALL",
        100.0 * right as f64 / total as f64
    );
    if verbose {
        for c in checks.iter().filter(|c| !c.ok) {
            println!("MISS {} {}: {}", c.file, c.field, c.detail);
        }
    }
}
