//! URL normalisation (for dedup) and URL patterns (for crawler-trap budgets). Pure functions.
//!
//! Normalisation keeps the URL fetchable: it drops what never reaches the server (fragments)
//! or does not change the page (default ports, tracking and session parameters, `;jsessionid=`
//! path parameters), and canonicalises percent-encoding so that `%7e`, `%7E` and `~` are one URL.

use url::Url;

/// Normalises an http(s) URL; `None` for other schemes or URLs without a host.
pub fn normalize(url: &Url, drop_params: &[String]) -> Option<Url> {
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    if already_normal(url, drop_params) {
        return Some(url.clone());
    }
    rewrite(url, drop_params)
}

/// The full normalisation, setter by setter.
fn rewrite(url: &Url, drop_params: &[String]) -> Option<Url> {
    let mut u = url.clone();
    u.set_fragment(None);
    // The url crate already lowercases scheme and host and removes default ports.
    let path = canonical_escapes(&strip_path_params(u.path()));
    let path = if path.is_empty() {
        "/".to_string()
    } else {
        path
    };
    u.set_path(&path);
    if let Some(q) = u.query() {
        let kept: Vec<&str> = q
            .split('&')
            .filter(|kv| !kv.is_empty())
            .filter(|kv| {
                let key = kv.split('=').next().unwrap_or("");
                !drop_params.iter().any(|d| param_matches(d, key))
            })
            .collect();
        if kept.is_empty() {
            u.set_query(None);
        } else {
            let q = canonical_escapes(&kept.join("&"));
            u.set_query(Some(&q));
        }
    }
    Some(u)
}

/// True when [`normalize`] would change nothing: the common case, checked without the
/// url crate's re-serialisation on every setter.
fn already_normal(url: &Url, drop_params: &[String]) -> bool {
    let path = url.path();
    url.fragment().is_none()
        && !path.is_empty()
        && !path.bytes().any(|b| b == b';' || b == b'%')
        && url.query().is_none_or(|q| {
            !q.bytes().any(|b| b == b'%')
                && q.split('&').all(|kv| {
                    let key = kv.split('=').next().unwrap_or("");
                    !kv.is_empty() && !drop_params.iter().any(|d| param_matches(d, key))
                })
        })
}

/// Parses `s` and normalises it.
pub fn normalize_str(s: &str, drop_params: &[String]) -> Option<Url> {
    Url::parse(s).ok().and_then(|u| normalize(&u, drop_params))
}

fn param_matches(pattern: &str, key: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => key
            .get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix)),
        None => key.eq_ignore_ascii_case(pattern),
    }
}

/// Removes session path parameters such as `;jsessionid=ABC` from every segment.
fn strip_path_params(path: &str) -> String {
    path.split('/')
        .map(|seg| match seg.find(';') {
            Some(i) => {
                let param = seg[i + 1..].to_ascii_lowercase();
                if param.starts_with("jsessionid") || param.starts_with("sessionid") {
                    &seg[..i]
                } else {
                    seg
                }
            }
            None => seg,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Upper-cases the hex digits of percent-escapes and decodes escapes of unreserved characters.
fn canonical_escapes(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let (h, l) = (b[i + 1], b[i + 2]);
            if let (Some(hv), Some(lv)) = (hex(h), hex(l)) {
                let c = hv * 16 + lv;
                if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') {
                    out.push(c as char);
                } else {
                    out.push('%');
                    out.push(h.to_ascii_uppercase() as char);
                    out.push(l.to_ascii_uppercase() as char);
                }
                i += 3;
                continue;
            }
        }
        // Non-ASCII never occurs here (the url crate escapes it), so bytes are chars.
        out.push(b[i] as char);
        i += 1;
    }
    out
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// The pattern of a URL for trap budgets: host, path and query keys, with digit runs
/// collapsed to `N` and long random-looking tokens (session ids) to `X`.
/// `/cal?d=2024-01-05` and `/cal?d=2031-12-30` share the pattern `host/cal?d=N-N-N`.
pub fn url_pattern(url: &Url) -> String {
    let mut p = String::new();
    p.push_str(url.host_str().unwrap_or(""));
    if let Some(port) = url.port() {
        p.push(':');
        p.push_str(&port.to_string());
    }
    for seg in url.path().split('/').skip(1) {
        p.push('/');
        p.push_str(&collapse(seg));
    }
    if let Some(q) = url.query() {
        let mut parts: Vec<String> = q
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, v)) => format!("{}={}", collapse(k), collapse(v)),
                None => collapse(kv),
            })
            .collect();
        parts.sort();
        p.push('?');
        p.push_str(&parts.join("&"));
    }
    p
}

fn collapse(seg: &str) -> String {
    if looks_random(seg) {
        return "X".to_string();
    }
    let mut out = String::with_capacity(seg.len());
    let mut in_digits = false;
    for c in seg.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('N');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

/// A token of 16+ characters mixing letters and digits (a session id, a hash).
fn looks_random(seg: &str) -> bool {
    let core: String = seg
        .chars()
        .filter(|c| !matches!(c, '(' | ')' | '-' | '_'))
        .collect();
    core.len() >= 16
        && core.chars().all(|c| c.is_ascii_alphanumeric())
        && core.chars().any(|c| c.is_ascii_digit())
        && core.chars().any(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drops() -> Vec<String> {
        pucha_core::CrawlConfig::default().drop_query_params
    }

    fn n(s: &str) -> String {
        normalize_str(s, &drops()).unwrap().to_string()
    }

    #[test]
    fn drops_fragment_default_port_tracking_and_session() {
        assert_eq!(
            n("HTTP://Example.GOV.cn:80/a/b.html#top"),
            "http://example.gov.cn/a/b.html"
        );
        assert_eq!(n("https://x.cn:443"), "https://x.cn/");
        assert_eq!(
            n("http://x.cn/list.html?utm_source=wx&page=2&spm=a.b"),
            "http://x.cn/list.html?page=2"
        );
        assert_eq!(
            n("http://x.cn/a.jsp;jsessionid=ABC123?id=1"),
            "http://x.cn/a.jsp?id=1"
        );
        assert_eq!(n("http://x.cn/a?utm_medium=x"), "http://x.cn/a");
    }

    #[test]
    fn fast_path_agrees_with_the_full_rewrite() {
        for s in [
            "http://x.cn/",
            "http://x.cn/a/b.html",
            "http://x.cn/a/b.html?id=1&page=2",
            "http://x.cn/a?",
            "http://x.cn/a?&id=1",
            "http://x.cn/a?utm_source=1",
            "http://x.cn/a?UTM_SOURCE=1",
            "http://x.cn/a?jsessionid=9",
            "http://x.cn/a;jsessionid=9",
            "http://x.cn/a;v=1/b",
            "http://x.cn/%7e/a",
            "http://x.cn/a?q=%e4",
            "http://x.cn/a#f",
            "http://x.cn:8080/a?b",
            "https://x.cn:443/A/B?C=D",
        ] {
            let u = Url::parse(s).unwrap();
            assert_eq!(
                normalize(&u, &drops()),
                rewrite(&u, &drops()),
                "normalize({s})"
            );
        }
    }

    #[test]
    fn canonicalises_percent_encoding() {
        assert_eq!(n("http://x.cn/%7euser/%2fa"), "http://x.cn/~user/%2Fa");
        assert_eq!(n("http://x.cn/新闻"), n("http://x.cn/%E6%96%B0%E9%97%BB"));
    }

    #[test]
    fn refuses_non_http() {
        assert!(normalize_str("mailto:a@b.cn", &drops()).is_none());
        assert!(normalize_str("ftp://x.cn/a", &drops()).is_none());
    }

    #[test]
    fn patterns_collapse_dates_and_tokens() {
        let p = |s: &str| url_pattern(&Url::parse(s).unwrap());
        assert_eq!(
            p("http://x.cn/cal?d=2024-01-05"),
            p("http://x.cn/cal?d=2031-12-30")
        );
        assert_eq!(p("http://x.cn/cal?d=2024-01-05"), "x.cn/cal?d=N-N-N");
        assert_eq!(
            p("http://x.cn/(S(a1b2c3d4e5f6g7h8i9))/page.aspx"),
            p("http://x.cn/(S(zz9988776655aabbcc))/page.aspx")
        );
        assert_ne!(p("http://x.cn/news/1.html"), p("http://x.cn/notice/1.html"));
    }
}
