//! Renders the sample census (seed composition, with the previous quarter as history) into a
//! directory: `cargo run -p pucha-report --example render_sample -- out/sample`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "out/sample".to_string());
    let report = pucha_report::sample::seed_census();
    let history = [pucha_report::sample::previous_census()];
    let w = pucha_report::write_all(&report, std::path::Path::new(&out), &history)?;
    for p in w.all() {
        println!("{}", p.display());
    }
    Ok(())
}
