//! `pucha check-page FILE|URL`: analyse one page and print its facts and page-level findings.
//!
//! A quick way for an operator to see what pucha reads from a page (encoding, page tags, footer
//! items, dated items, messages, service-guide elements) and which page rules it breaks, without a
//! census. URLs are fetched with one plain HTTP GET (redirects followed, 15 s timeout).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use pucha_core::{Finding, PageFacts, PageKind};
use pucha_rules::RulePack;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

/// Arguments of `pucha check-page`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// An HTML file, or an http:// URL to fetch.
    pub target: String,
    /// The URL the page was served from (resolves its links and is checked against SiteDomain);
    /// defaults to the fetched URL, or file:// for a file.
    #[arg(long)]
    pub url: Option<String>,
    /// Print JSON: the PageFacts fields plus `url` and `findings`.
    #[arg(long)]
    pub json: bool,
    /// Rule pack overlay (TOML) merged over the built-in gb-2019 pack.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Treat the page as a homepage (check the footer items) whatever its analysed kind.
    #[arg(long)]
    pub home: bool,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let pack = match &args.rules {
        Some(p) => {
            RulePack::load(p).with_context(|| format!("loading rule pack {}", p.display()))?
        }
        None => RulePack::builtin(),
    };
    let is_url = args.target.starts_with("http://") || args.target.starts_with("https://");
    let (body, content_type, fetched_url) = if is_url {
        let u = Url::parse(&args.target).with_context(|| format!("bad URL {}", args.target))?;
        fetch(&u).await.with_context(|| format!("fetching {u}"))?
    } else {
        let path = PathBuf::from(&args.target);
        let body = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let abs = std::fs::canonicalize(&path).unwrap_or(path);
        let u = Url::from_file_path(&abs)
            .map_err(|_| anyhow::anyhow!("cannot make a file URL of {}", abs.display()))?;
        (body, None, u)
    };
    let url = match &args.url {
        Some(u) => Url::parse(u).with_context(|| format!("bad --url {u}"))?,
        None => fetched_url,
    };
    let mut facts = pucha_analyze::analyze(&body, &url, content_type.as_deref());
    if args.home {
        facts.kind = PageKind::Home;
    }
    let findings = pucha_rules::check_page(&facts, &url, &pack);
    if args.json {
        let mut v = serde_json::to_value(&facts).context("serialising facts")?;
        if let Some(o) = v.as_object_mut() {
            o.insert("url".into(), serde_json::Value::String(url.to_string()));
            o.insert("rule_pack".into(), serde_json::Value::String(pack.label()));
            o.insert("findings".into(), serde_json::to_value(&findings)?);
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print!("{}", render(&facts, &url, &findings, &pack));
    }
    Ok(())
}

fn render(f: &PageFacts, url: &Url, findings: &[Finding], pack: &RulePack) -> String {
    let mut s = String::new();
    let mut line = |k: &str, v: String| s.push_str(&format!("{k:<16} {v}\n"));
    line("url", url.to_string());
    line(
        "encoding",
        format!("{} ({:?})", f.encoding, f.encoding_source),
    );
    line("kind", format!("{:?}", f.kind));
    line("title", f.title.clone().unwrap_or_default());
    line(
        "published",
        f.published
            .map(|d| d.to_string())
            .unwrap_or_else(|| "-".into()),
    );
    for (k, v) in &f.meta {
        line(&format!("meta {k}"), v.clone());
    }
    if !f.breadcrumb.is_empty() {
        line("breadcrumb", f.breadcrumb.join(" > "));
    }
    line("links", f.links.len().to_string());
    line("main text", format!("{} chars", f.main_text_chars));
    line("search", if f.has_search { "yes" } else { "no" }.into());
    if let Some(p) = &f.placeholder {
        line("placeholder", p.clone());
    }
    let mut items = f.dated_items.clone();
    items.sort_by_key(|it| std::cmp::Reverse(it.date));
    line("dated items", items.len().to_string());
    for it in items.iter().take(5) {
        line("", format!("{} {}", it.date, it.title));
    }
    if !f.messages.is_empty() {
        line("messages", f.messages.len().to_string());
        for m in f.messages.iter().take(5) {
            let asked = m.asked.map(|d| d.to_string()).unwrap_or_else(|| "?".into());
            let ans = m
                .answered
                .map(|d| d.to_string())
                .unwrap_or_else(|| match m.answered_flag {
                    Some(true) => "answered".into(),
                    Some(false) => "unanswered".into(),
                    None => "?".into(),
                });
            line("", format!("{asked} -> {ans}  {}", m.title));
        }
    }
    if let Some(g) = &f.service_guide {
        line(
            "service guide",
            format!(
                "{} present {:?} missing {:?}",
                g.item_name.clone().unwrap_or_default(),
                g.present,
                g.missing
            ),
        );
    }
    let ft = &f.footer;
    for (name, item) in [
        ("conac badge", &ft.conac_badge),
        ("site id code", &ft.site_id_code),
        ("icp", &ft.icp),
        ("psb record", &ft.psb),
        ("sponsor", &ft.sponsor),
        ("contact", &ft.contact),
        ("sitemap", &ft.sitemap),
        ("jiucuo", &ft.jiucuo),
    ] {
        let v = if item.present {
            format!(
                "{}{}",
                item.value.clone().unwrap_or_default(),
                if item.problems.is_empty() {
                    String::new()
                } else {
                    format!("  problems: {}", item.problems.join("; "))
                }
            )
        } else {
            "missing".into()
        };
        line(&format!("footer {name}"), v);
    }
    // Tampering signals (veto.security_incident, veto.prohibited_content).
    for h in &f.signals.hidden_links {
        line(
            "hidden link",
            format!("{} ({:?}) {}", h.url, h.hiding, h.text),
        );
    }
    for r in &f.signals.redirects {
        line("redirect", format!("{} ({:?}) {}", r.url, r.kind, r.code));
    }
    s.push_str(&format!(
        "\nfindings ({}, rule pack {}):\n",
        findings.len(),
        pack.label()
    ));
    if findings.is_empty() {
        s.push_str("  none\n");
    }
    for fi in findings {
        s.push_str(&format!(
            "  [{:?}] {} ×{}  {}{}\n",
            fi.severity,
            fi.rule,
            fi.count,
            fi.summary_zh,
            if fi.needs_review {
                "  (needs review)"
            } else {
                ""
            }
        ));
        for e in &fi.evidence {
            s.push_str(&format!("      {}", e.detail));
            if let Some(sn) = &e.snippet {
                s.push_str(&format!("  「{sn}」"));
            }
            s.push('\n');
        }
    }
    s
}

const TIMEOUT: Duration = Duration::from_secs(15);

/// One plain HTTP/1.0 GET (redirects followed): body, Content-Type and the final URL.
async fn fetch(start: &Url) -> anyhow::Result<(Vec<u8>, Option<String>, Url)> {
    let mut url = start.clone();
    for _ in 0..6 {
        if url.scheme() != "http" {
            bail!(
                "only http:// URLs are fetched by check-page; save the page (e.g. with curl) and run \
                 `pucha check-page FILE --url {url}`"
            );
        }
        let host = url.host_str().context("URL without host")?.to_string();
        let port = url.port_or_known_default().unwrap_or(80);
        let mut stream = tokio::time::timeout(
            TIMEOUT,
            tokio::net::TcpStream::connect((host.as_str(), port)),
        )
        .await
        .context("connect timed out after 15 s")?
        .with_context(|| format!("connecting to {host}:{port}"))?;
        let path = &url[url::Position::BeforePath..url::Position::AfterQuery];
        let host_header = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.clone(),
        };
        let req = format!(
            "GET {path} HTTP/1.0\r\nHost: {host_header}\r\nUser-Agent: pucha-check-page/{}\r\nAccept: text/html,*/*\r\nConnection: close\r\n\r\n",
            env!("CARGO_PKG_VERSION")
        );
        stream.write_all(req.as_bytes()).await?;
        let mut raw = Vec::new();
        tokio::time::timeout(TIMEOUT, stream.read_to_end(&mut raw))
            .await
            .context("response timed out after 15 s")??;
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .context("malformed HTTP response (no header end)")?;
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let mut body = raw[split + 4..].to_vec();
        let mut lines = head.lines();
        let status: u16 = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .context("malformed HTTP status line")?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let header = |k: &str| headers.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if (300..400).contains(&status) {
            if let Some(loc) = header("location") {
                url = url
                    .join(&loc)
                    .with_context(|| format!("bad redirect {loc}"))?;
                continue;
            }
        }
        if status >= 400 {
            eprintln!("warning: {url} answered HTTP {status}; analysing the error page");
        }
        if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            body = dechunk(&body);
        }
        return Ok((body, header("content-type"), url));
    }
    bail!("too many redirects")
}

fn dechunk(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(nl) = b[i..].windows(2).position(|w| w == b"\r\n") {
        let size_line = String::from_utf8_lossy(&b[i..i + nl]).to_string();
        let size = usize::from_str_radix(size_line.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or(0);
        i += nl + 2;
        if size == 0 || i + size > b.len() {
            break;
        }
        out.extend_from_slice(&b[i..i + size]);
        i += size + 2;
        if i >= b.len() {
            break;
        }
    }
    out
}
