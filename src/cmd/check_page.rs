//! `pucha check-page FILE|URL`: analyse one page and print its facts and page-level findings.
//!
//! A quick way for an operator to see what pucha reads from a page (encoding, page tags, footer
//! items, dated items, messages, service-guide elements) and which page rules it breaks, without a
//! census. URLs are fetched by the crawler's own client (`pucha_crawl::Crawler::fetch_one`):
//! the same egress policy, body cap, timeouts, redirects, user agent and proxy as a census, and
//! the page is judged at `--as-of` like a census of that date.

use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use pucha_core::{CrawlConfig, Finding, PageFacts, PageKind};
use pucha_rules::RulePack;
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
    /// 监测时间点: the date month-day list dates are read against (YYYY-MM-DD). Default: today (UTC+8).
    #[arg(long, value_parser = crate::census::parse_date)]
    pub as_of: Option<NaiveDate>,
    /// User agent of the fetch (as `pucha run --user-agent`).
    #[arg(long, env = "PUCHA_USER_AGENT")]
    pub user_agent: Option<String>,
    /// HTTP(S) proxy of the fetch (as `pucha run --proxy`).
    #[arg(long)]
    pub proxy: Option<String>,
    /// Accept invalid TLS certificates.
    #[arg(long)]
    pub insecure: bool,
    /// Fetch only from loopback (127.0.0.0/8), as `pucha run --loopback-only`: the way to check a
    /// page of a local test server, which the default egress policy refuses.
    #[arg(long)]
    pub loopback_only: bool,
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
        fetch(&u, &args).await?
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
    let options = pucha_analyze::AnalyzeOptions {
        today: Some(args.as_of.unwrap_or_else(pucha_crawl::today_cst)),
        ..Default::default()
    };
    let mut facts = pucha_analyze::analyze_with(&body, &url, content_type.as_deref(), &options);
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
        // Page-derived text (titles, link texts, dates) goes to a terminal: without its escape
        // sequences and control characters, which could retitle the window, write the clipboard
        // (OSC 52) or clear the screen.
        print!("{}", terminal_safe(&render(&facts, &url, &findings, &pack)));
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

/// `s` without terminal escape sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL|ST`, DCS/APC/PM
/// strings and two-byte escapes, their 8-bit C1 forms too) and without any other control
/// character but newline and tab. The payload of a sequence goes with it, so an OSC window title
/// or clipboard write leaves no trace.
pub fn terminal_safe(s: &str) -> String {
    #[derive(PartialEq)]
    enum St {
        Text,
        Esc,
        Csi,
        Str,
        StrEsc,
    }
    let mut out = String::with_capacity(s.len());
    let mut st = St::Text;
    for c in s.chars() {
        st = match st {
            St::Text => match c {
                '\u{1b}' => St::Esc,
                '\u{9b}' => St::Csi,
                '\u{90}' | '\u{9d}' | '\u{9e}' | '\u{9f}' | '\u{98}' => St::Str,
                '\n' | '\t' => {
                    out.push(c);
                    St::Text
                }
                c if c.is_control() => St::Text,
                // Bidirectional overrides and isolates reorder what the terminal shows.
                '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => St::Text,
                c => {
                    out.push(c);
                    St::Text
                }
            },
            St::Esc => match c {
                '[' => St::Csi,
                ']' | 'P' | 'X' | '^' | '_' => St::Str,
                // Intermediate bytes of a two-byte-plus escape (ESC ( B …): keep skipping.
                '\u{20}'..='\u{2f}' => St::Esc,
                _ => St::Text,
            },
            St::Csi => match c {
                '\u{40}'..='\u{7e}' => St::Text,
                '\u{20}'..='\u{3f}' => St::Csi,
                // A CSI broken by anything else ends there; the rest is dropped if control.
                c if c.is_control() => St::Text,
                c => {
                    out.push(c);
                    St::Text
                }
            },
            St::Str => match c {
                '\u{7}' | '\u{9c}' => St::Text,
                '\u{1b}' => St::StrEsc,
                _ => St::Str,
            },
            St::StrEsc => match c {
                '\\' => St::Text,
                '\u{1b}' => St::StrEsc,
                _ => St::Str,
            },
        };
    }
    out
}

/// Fetches `url` as a census would: body, Content-Type and the final URL.
async fn fetch(url: &Url, args: &Args) -> anyhow::Result<(Vec<u8>, Option<String>, Url)> {
    let mut cfg = CrawlConfig::default();
    if let Some(ua) = &args.user_agent {
        cfg.user_agent = ua.clone();
    }
    cfg.proxy = args.proxy.clone();
    cfg.accept_invalid_certs = args.insecure;
    cfg.egress.loopback_only = args.loopback_only;
    let crawler = pucha_crawl::Crawler::new(&cfg).context("cannot build the HTTP client")?;
    let f = crawler.fetch_one(url, &cfg).await?;
    if f.status >= 400 {
        eprintln!(
            "warning: {} answered HTTP {}; analysing the error page",
            f.final_url, f.status
        );
    }
    if f.truncated {
        eprintln!(
            "warning: the page is longer than {} bytes; only its first {} bytes are analysed",
            cfg.max_body_bytes, cfg.max_body_bytes
        );
    }
    let ct = f.content_type().map(str::to_string);
    Ok((f.body, ct, f.final_url))
}

#[cfg(test)]
mod tests {
    use super::terminal_safe;

    #[test]
    fn escape_sequences_and_controls_are_stripped() {
        let title = "\u{1b}]0;pwned\u{7}某县\u{1b}]52;c;ZWNobyBoaQ==\u{1b}\\人民\u{1b}[2J\u{1b}[H政府\u{1b}[31m!\u{1b}[0m\u{8}\r\u{9b}1;2H\u{202e}x";
        assert_eq!(terminal_safe(title), "某县人民政府!x");
        assert_eq!(terminal_safe("a\tb\nc"), "a\tb\nc");
        assert_eq!(terminal_safe("\u{1b}(Bplain"), "plain");
        assert_eq!(terminal_safe("\u{1b}Pq#0\u{1b}\\ok"), "ok");
        assert_eq!(terminal_safe("unfinished \u{1b}]0;title"), "unfinished ");
    }
}
