//! Renders the sample census (seed composition, with the previous quarter as history) into a
//! directory: `cargo run -p pucha-report --example render_sample -- out/sample [out/sample-q2]`.
//! With a second directory, the previous quarter is rendered there too (for `pucha diff`).

use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "out/sample".to_string());
    let report = pucha_report::sample::seed_census();
    let previous = pucha_report::sample::previous_census();
    if let Some(prev_out) = args.next() {
        pucha_report::write_all(&previous, Path::new(&prev_out), &[])?;
    }
    let w = pucha_report::write_all(&report, Path::new(&out), &[previous])?;
    for p in w.all() {
        println!("{}", p.display());
    }
    Ok(())
}
