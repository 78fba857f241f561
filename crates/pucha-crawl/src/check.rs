//! Checking one link target that is not crawled: internal resources, attachments and external
//! links. HEAD first, GET when the server rejects HEAD; firewalls are "blocked", not "broken";
//! a 0-byte attachment and a soft 404 are broken. External outcomes go through the link cache.

use pucha_core::{BrokenReason, LinkKind, LinkOutcome};
use reqwest::Method;
use url::Url;

use crate::fetch::{is_html, FetchFail};
use crate::site::Ctx;
use crate::verdict;

/// Body bytes read by a GET fallback (enough for soft-404 and firewall signatures).
const GET_CHECK_BYTES: u64 = 64 * 1024;

pub(crate) fn not_checked(why: impl Into<String>) -> LinkOutcome {
    LinkOutcome::NotChecked { why: why.into() }
}

impl crate::Crawler {
    /// The outcome of one link target (deduplicated by the caller).
    pub(crate) async fn check_target(
        &self,
        ctx: &Ctx<'_>,
        url: &Url,
        kind: LinkKind,
    ) -> LinkOutcome {
        if ctx.out_of_time() {
            return not_checked("max_time");
        }
        if let Err(d) = ctx
            .rules
            .check_url(url, &|h| self.inner.http.resolver.is_trusted(h))
        {
            return not_checked(format!("egress policy: {d}"));
        }
        let same_site = ctx.scope.contains(url);
        if same_site && !self.robots_allow(ctx, url).await {
            return not_checked("robots.txt");
        }
        let key = url.as_str();
        let cacheable = kind == LinkKind::External;
        if cacheable {
            if let Some(hit) = self.cache.get(key).await {
                return hit;
            }
        }
        let outcome = self.check_http(ctx, url, kind, same_site).await;
        if cacheable && !matches!(outcome, LinkOutcome::NotChecked { .. }) {
            self.cache.put(key, &outcome).await;
        }
        outcome
    }

    async fn check_http(
        &self,
        ctx: &Ctx<'_>,
        url: &Url,
        kind: LinkKind,
        same_site: bool,
    ) -> LinkOutcome {
        let insecure = ctx.insecure && same_site;
        let fetch = |method: Method, cap: u64| {
            self.fetch_retrying(
                ctx.cfg,
                &ctx.rules,
                url,
                method,
                cap,
                insecure,
                ctx.deadline,
                &ctx.retries,
            )
        };
        let head = fetch(Method::HEAD, 0).await;
        match head {
            Err(FetchFail::Egress(d)) => return not_checked(format!("egress policy: {d}")),
            Err(
                f @ (FetchFail::Dns(_)
                | FetchFail::Refused
                | FetchFail::Tls(_)
                | FetchFail::Timeout
                | FetchFail::RedirectLoop
                | FetchFail::TooManyRedirects),
            ) => {
                return broken(&f);
            }
            Ok(r) if (200..400).contains(&r.status) => {
                let sized = r.content_length().is_some_and(|n| n > 0);
                if kind != LinkKind::Attachment || sized {
                    return LinkOutcome::Ok { status: r.status };
                }
                // An attachment of unknown or zero length: read its first byte.
                return match fetch(Method::GET, 1).await {
                    Ok(g) if (200..400).contains(&g.status) && g.body.is_empty() => {
                        LinkOutcome::Broken {
                            reason: BrokenReason::EmptyAttachment,
                        }
                    }
                    Ok(g) => from_status(&g.status, &g.headers, &g.body),
                    Err(FetchFail::Egress(d)) => not_checked(format!("egress policy: {d}")),
                    Err(f) => broken(&f),
                };
            }
            Ok(r) if r.status == 429 => {
                return LinkOutcome::Blocked {
                    detail: "HTTP 429 (rate limited)".into(),
                }
            }
            // HEAD rejected (405/501/403/404/...) or the connection broke: ask with GET.
            Ok(_) | Err(_) => {}
        }
        match fetch(Method::GET, GET_CHECK_BYTES).await {
            Err(FetchFail::Egress(d)) => not_checked(format!("egress policy: {d}")),
            Err(f) => broken(&f),
            Ok(g) if g.status >= 400 => from_status(&g.status, &g.headers, &g.body),
            Ok(g) => {
                if kind == LinkKind::Attachment && g.body.is_empty() {
                    return LinkOutcome::Broken {
                        reason: BrokenReason::EmptyAttachment,
                    };
                }
                if is_html(g.content_type(), &g.body) {
                    if let Some(sig) = verdict::challenge_signature(&g.body) {
                        return LinkOutcome::Blocked { detail: sig };
                    }
                    if verdict::looks_soft_404(&g.body) {
                        return LinkOutcome::Broken {
                            reason: BrokenReason::Soft404,
                        };
                    }
                }
                LinkOutcome::Ok { status: g.status }
            }
        }
    }
}

/// The outcome of a final status (after redirects and retries).
pub(crate) fn from_status(
    status: &u16,
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
) -> LinkOutcome {
    let status = *status;
    if status < 400 {
        return LinkOutcome::Ok { status };
    }
    match verdict::blocked_signature(status, headers, body) {
        Some(detail) => LinkOutcome::Blocked { detail },
        None => LinkOutcome::Broken {
            reason: BrokenReason::Status { status },
        },
    }
}

pub(crate) fn broken(f: &FetchFail) -> LinkOutcome {
    match verdict::broken_reason(f) {
        Some(reason) => LinkOutcome::Broken { reason },
        None => not_checked("egress policy"),
    }
}
