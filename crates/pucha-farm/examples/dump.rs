//! Writes a farm to a directory (one folder per site) for eyeballing, with example hosts.
//!
//! `cargo run -p pucha-farm --example dump -- /tmp/farm-dump [--unseen]` (`--unseen`: the
//! `FarmSpec::unseen` families instead of the demo farm).

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "farm-dump".into());
    let spec = if std::env::args().any(|a| a == "--unseen") {
        pucha_farm::FarmSpec::unseen()
    } else {
        pucha_farm::FarmSpec::demo()
    };
    let farm = pucha_farm::Farm::generate(&spec);
    let port = 8080;
    let hosts: Vec<String> = (0..farm.sites.len())
        .map(|i| {
            format!(
                "{}:{port}",
                pucha_farm::site_ip("127.0.3.0".parse().unwrap(), i)
            )
        })
        .collect();
    for (i, s) in farm.sites.iter().enumerate() {
        for (path, page) in s.pages() {
            let mut p = path.trim_start_matches('/').replace('?', "_");
            if p.is_empty() || p.ends_with('/') {
                p.push_str("index.html");
            }
            let f = std::path::Path::new(&dir)
                .join(format!("s{:02}", i + 1))
                .join(p);
            std::fs::create_dir_all(f.parent().unwrap())?;
            std::fs::write(f, page.fill(&hosts, port))?;
        }
    }
    std::fs::write(
        std::path::Path::new(&dir).join("truth.json"),
        farm.truth_for(&hosts, port).to_json_pretty(),
    )?;
    println!(
        "{} sites, {} HTML pages -> {dir}",
        farm.sites.len(),
        farm.html_pages()
    );
    Ok(())
}
