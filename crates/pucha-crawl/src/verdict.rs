//! Pure decisions on a response: blocked by a firewall or broken, soft 404, Retry-After, and
//! the mapping of fetch failures to broken-link reasons and probe failures.
//!
//! Being blocked is not being broken: a 403/429/503 that carries a WAF signature (header or
//! body) and a 200 challenge page mean the crawler was turned away, and the link is reported
//! as blocked, separately from broken links.

use std::time::Duration;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use once_cell::sync::Lazy;
use pucha_core::{BrokenReason, ProbeFailure};
use reqwest::header::HeaderMap;

use crate::fetch::FetchFail;

/// Signatures of web application firewalls and rate limiters, matched case-insensitively in
/// response headers and the start of the body of a 403/429/503.
const WAF_SIGNATURES: &[&str] = &[
    "waf",
    "firewall",
    "防火墙",
    "safedog",
    "安全狗",
    "yundun",
    "云盾",
    "jiasule",
    "加速乐",
    "yunjiasu",
    "创宇盾",
    "知道创宇",
    "360wzb",
    "网站卫士",
    "cloudflare",
    "captcha",
    "验证码",
    "人机验证",
    "安全验证",
    "拦截",
    "非法请求",
    "访问频率",
    "访问过于频繁",
    "请求过于频繁",
    "rate limit",
    "too many requests",
    "__jsl_clearance",
    "acw_sc__v2",
    "cf-chl",
];

/// Header names that only firewalls and anti-bot layers set.
const WAF_HEADERS: &[&str] = &[
    "x-waf-uuid",
    "x-waf-event-info",
    "x-safe-firewall",
    "x-powered-by-360wzb",
    "x-powered-by-anquanbao",
    "cf-mitigated",
    "x-datadome",
    "x-yd-waf-info",
];

/// Strong challenge-page signatures, looked for in small 200 responses.
const CHALLENGE_SIGNATURES: &[&str] = &[
    "__jsl_clearance",
    "acw_sc__v2",
    "cf-chl",
    "challenge-platform",
    "cf_chl_opt",
    "人机验证",
    "安全验证",
    "请开启javascript并刷新",
    "滑动验证",
];

/// Soft-404 phrases of a 200 page that is really an error page.
const SOFT_404: &[&str] = &[
    "页面不存在",
    "页面未找到",
    "找不到页面",
    "您访问的页面不存在",
    "您所访问的页面不存在",
    "404 not found",
    "page not found",
];

/// How much of a body is searched for signatures.
const SIGNATURE_PRESCAN: usize = 32 * 1024;

/// A case-insensitive matcher of signatures over raw body bytes, in UTF-8 and in GB18030
/// (the two encodings of Chinese pages), so no page is decoded or lowercased to be matched.
struct Signatures {
    ac: AhoCorasick,
    /// Pattern index to the signature it encodes.
    names: Vec<&'static str>,
}

impl Signatures {
    fn new(list: &[&'static str]) -> Signatures {
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut names = Vec::new();
        for s in list {
            patterns.push(s.as_bytes().to_vec());
            names.push(*s);
            if !s.is_ascii() {
                patterns.push(encoding_rs::GB18030.encode(s).0.into_owned());
                names.push(*s);
            }
        }
        // A DFA: the lists are short and every page is searched.
        let ac = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .ascii_case_insensitive(true)
            .build(&patterns)
            .expect("signature patterns");
        Signatures { ac, names }
    }

    /// The first signature found in the start of `body`.
    fn find(&self, body: &[u8]) -> Option<&'static str> {
        let head = &body[..body.len().min(SIGNATURE_PRESCAN)];
        self.ac
            .find(head)
            .map(|m| self.names[m.pattern().as_usize()])
    }
}

static WAF: Lazy<Signatures> = Lazy::new(|| Signatures::new(WAF_SIGNATURES));
static CHALLENGE: Lazy<Signatures> = Lazy::new(|| Signatures::new(CHALLENGE_SIGNATURES));
static SOFT_404_PHRASES: Lazy<Signatures> = Lazy::new(|| Signatures::new(SOFT_404));

/// Why a 403/429/503 response looks like a firewall or rate limiter, if it does.
pub fn blocked_signature(status: u16, headers: &HeaderMap, body: &[u8]) -> Option<String> {
    if status == 429 {
        return Some("HTTP 429 (rate limited)".into());
    }
    if !matches!(status, 403 | 503 | 405 | 412 | 418 | 468 | 493) {
        return None;
    }
    for name in WAF_HEADERS {
        if headers.contains_key(*name) {
            return Some(format!("HTTP {status}, header {name}"));
        }
    }
    for (name, value) in headers {
        let v = value.to_str().unwrap_or("").to_ascii_lowercase();
        let interesting = matches!(
            name.as_str(),
            "server" | "set-cookie" | "x-powered-by" | "via"
        );
        if interesting {
            if let Some(sig) = WAF_SIGNATURES.iter().find(|s| v.contains(*s)) {
                return Some(format!("HTTP {status}, {name}: {sig}"));
            }
        }
    }
    WAF.find(body)
        .map(|sig| format!("HTTP {status}, page mentions {sig:?}"))
}

/// Why a 200 response is an anti-bot challenge rather than the page, if it is.
pub fn challenge_signature(body: &[u8]) -> Option<String> {
    if body.len() > 64 * 1024 {
        return None;
    }
    CHALLENGE
        .find(body)
        .map(|sig| format!("challenge page ({sig})"))
}

/// A 200 HTML body that says the page does not exist.
pub fn looks_soft_404(body: &[u8]) -> bool {
    if body.len() > 64 * 1024 {
        return false;
    }
    SOFT_404_PHRASES.find(body).is_some()
}

/// The Retry-After delay (seconds form; the HTTP-date form is treated as 5 s).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    match v.parse::<u64>() {
        Ok(s) => Some(Duration::from_secs(s)),
        Err(_) => Some(Duration::from_secs(5)),
    }
}

/// Statuses worth retrying (with Retry-After when given).
pub fn transient_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// The broken-link reason of a failed fetch (`None` for egress refusals, which are not checks).
pub fn broken_reason(f: &FetchFail) -> Option<BrokenReason> {
    Some(match f {
        FetchFail::Egress(_) => return None,
        FetchFail::Dns(_) => BrokenReason::Dns,
        FetchFail::Timeout | FetchFail::ConnectTimeout => BrokenReason::Timeout,
        FetchFail::HostDown => BrokenReason::Connect {
            detail: "host down (see the crawl notes)".into(),
        },
        FetchFail::Tls(d) => BrokenReason::Tls { detail: d.clone() },
        FetchFail::Refused => BrokenReason::Refused,
        FetchFail::Connect(d) | FetchFail::Other(d) => BrokenReason::Connect { detail: d.clone() },
        FetchFail::RedirectLoop | FetchFail::TooManyRedirects => BrokenReason::TooManyRedirects,
        FetchFail::Incomplete {
            timed_out: true, ..
        } => BrokenReason::Timeout,
        f @ FetchFail::Incomplete { .. } => BrokenReason::Connect {
            detail: f.incomplete_text().unwrap_or_default(),
        },
    })
}

/// A failed fetch in words, with what to do where there is something to do.
pub fn fetch_fail_text(f: &FetchFail) -> String {
    match f {
        FetchFail::Egress(d) => format!(
            "refused by the egress policy ({d}); see --loopback-only and the egress settings"
        ),
        FetchFail::Dns(d) => format!("the name does not resolve ({d})"),
        FetchFail::Timeout => "no answer within the request timeout".into(),
        FetchFail::ConnectTimeout => {
            "the connection was not established within the connect timeout".into()
        }
        FetchFail::HostDown => "the host is down".into(),
        FetchFail::Tls(d) => format!("TLS failed ({d}); --insecure accepts invalid certificates"),
        FetchFail::Refused => "connection refused".into(),
        FetchFail::Connect(d) | FetchFail::Other(d) => d.clone(),
        FetchFail::RedirectLoop => "redirect loop".into(),
        FetchFail::TooManyRedirects => "too many redirects".into(),
        f @ FetchFail::Incomplete { detail, .. } => {
            format!("{} ({detail})", f.incomplete_text().unwrap_or_default())
        }
    }
}

/// The probe failure of a failed fetch.
pub fn probe_failure(f: &FetchFail) -> ProbeFailure {
    match f {
        FetchFail::Egress(d) => ProbeFailure::Other(format!("egress policy: {d}")),
        FetchFail::Dns(_) => ProbeFailure::Dns,
        FetchFail::Timeout | FetchFail::ConnectTimeout => ProbeFailure::Timeout,
        FetchFail::HostDown => ProbeFailure::Connect,
        FetchFail::Tls(_) => ProbeFailure::Tls,
        FetchFail::Refused | FetchFail::Connect(_) => ProbeFailure::Connect,
        FetchFail::RedirectLoop | FetchFail::TooManyRedirects => ProbeFailure::RedirectLoop,
        FetchFail::Other(d) => ProbeFailure::Other(d.clone()),
        // The homepage's headers came, not its body: it did not open (indicators §3.7).
        f @ FetchFail::Incomplete { .. } => {
            ProbeFailure::Other(format!("首页{}", f.incomplete_text().unwrap_or_default()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn waf_403_is_blocked_plain_403_and_404_are_not() {
        let mut h = HeaderMap::new();
        h.insert("server", HeaderValue::from_static("Safedog-WAF/4.0"));
        assert!(blocked_signature(403, &h, b"").is_some());
        assert!(blocked_signature(404, &h, b"").is_none());
        let plain = HeaderMap::new();
        assert!(blocked_signature(403, &plain, b"<h1>403 Forbidden</h1>").is_none());
        let gbk = encoding_rs::GBK
            .encode("<p>您的请求已被网站防火墙拦截</p>")
            .0;
        assert!(blocked_signature(403, &plain, &gbk).is_some());
        assert!(blocked_signature(429, &plain, b"").is_some());
    }

    #[test]
    fn soft_404_and_challenges() {
        assert!(looks_soft_404(
            "<title>提示</title><p>抱歉，页面不存在</p>".as_bytes()
        ));
        assert!(!looks_soft_404("<p>政务公开</p>".as_bytes()));
        assert!(
            challenge_signature(b"<script>document.cookie='__jsl_clearance=1'</script>").is_some()
        );
        assert!(challenge_signature("<p>政务公开</p>".as_bytes()).is_none());
    }

    #[test]
    fn signatures_match_gbk_bodies_and_any_ascii_case() {
        let gbk = encoding_rs::GB18030
            .encode("<p>对不起，您访问的页面不存在</p>")
            .0
            .into_owned();
        assert!(looks_soft_404(&gbk));
        let gbk = encoding_rs::GB18030
            .encode("<p>请完成人机验证</p>")
            .0
            .into_owned();
        assert_eq!(
            challenge_signature(&gbk).as_deref(),
            Some("challenge page (人机验证)")
        );
        assert!(looks_soft_404(b"<h1>404 Not Found</h1>"));
        assert!(looks_soft_404(b"<h1>PAGE NOT FOUND</h1>"));
        let waf = blocked_signature(403, &HeaderMap::new(), b"<p>Blocked by SafeDog</p>");
        assert_eq!(waf.as_deref(), Some("HTTP 403, page mentions \"safedog\""));
    }
}
