//! Prints the PageFacts of one file as JSON.
//!
//! `cargo run -p pucha-analyze --example facts -- FILE [URL] [CONTENT-TYPE]`

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: facts FILE [URL] [CONTENT-TYPE]");
        std::process::exit(2);
    };
    let url = args
        .next()
        .unwrap_or_else(|| "http://localhost/page.html".to_string());
    let content_type = args.next();
    let body = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let url = match url::Url::parse(&url) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("{url}: {e}");
            std::process::exit(2);
        }
    };
    let mut facts = pucha_analyze::analyze(&body, &url, content_type.as_deref());
    if std::env::var_os("FULL").is_none() {
        facts.body_text = facts.body_text.chars().take(300).collect();
        facts.links.truncate(20);
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&facts).unwrap_or_default()
    );
}
