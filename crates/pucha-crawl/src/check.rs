//! Checking one link target that is not crawled: internal resources, attachments and external
//! links. HEAD first, GET when the server rejects HEAD; firewalls are "blocked", not "broken";
//! a 0-byte attachment and a soft 404 are broken. Every outcome goes through the run's link
//! board (`board`: one check per target, hosts that are down answered from their state), and
//! external outcomes through the worker's link cache too.

use pucha_core::{BrokenReason, LinkKind, LinkOutcome};
use reqwest::Method;
use url::Url;

use crate::board::HostSignal;
use crate::fetch::{host_key, is_html, FetchFail, Fetched};
use crate::site::Ctx;
use crate::verdict;

/// Body bytes read by a GET fallback (enough for soft-404 and firewall signatures).
const GET_CHECK_BYTES: u64 = 64 * 1024;

pub(crate) fn not_checked(why: impl Into<String>) -> LinkOutcome {
    LinkOutcome::NotChecked { why: why.into() }
}

impl crate::Crawler {
    /// The outcome of one link target (deduplicated within the site by the caller, and across
    /// the sites of the run by the link board).
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
            .check_url(url, &|h| ctx.http.resolver.is_trusted(h))
        {
            return not_checked(format!("egress policy: {d}"));
        }
        let same_site = ctx.scope.contains(url);
        if same_site && !self.robots_allow(ctx, url).await {
            return not_checked("robots.txt");
        }
        if kind == LinkKind::External && !self.outside_network(ctx).await {
            return not_checked(NO_OUTSIDE_NETWORK);
        }
        let host = host_key(url);
        if !same_site {
            if let Some(down) = self.inner.board.answer_down(&host) {
                ctx.host_down(&host, &down);
                return LinkOutcome::Broken {
                    reason: down.reason,
                };
            }
        }
        // One check per target for the whole run; concurrent askers wait for the first.
        let cell = self.inner.board.cell(url.as_str());
        let shared = tokio::time::timeout_at(
            ctx.deadline,
            cell.get_or_init(|| async {
                let o = self.check_cached(ctx, url, kind, same_site, &host).await;
                shareable(&o).then_some(o)
            }),
        )
        .await;
        match shared {
            Err(_) => not_checked("max_time"),
            Ok(Some(o)) => o.clone(),
            Ok(None) => self.check_cached(ctx, url, kind, same_site, &host).await,
        }
    }

    /// The check behind the run's board: the worker-wide cache (Redis in the cluster) for
    /// external targets, else HTTP.
    async fn check_cached(
        &self,
        ctx: &Ctx<'_>,
        url: &Url,
        kind: LinkKind,
        same_site: bool,
        host: &str,
    ) -> LinkOutcome {
        let key = url.as_str();
        let cacheable = kind == LinkKind::External;
        if cacheable {
            if let Some(hit) = self.cache.get(key).await {
                return hit;
            }
        }
        let outcome = self.check_http(ctx, url, kind, same_site, host).await;
        if cacheable && shareable(&outcome) {
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
        host: &str,
    ) -> LinkOutcome {
        let insecure = ctx.insecure && same_site;
        // Each answer (or its absence) tells the board about the host; the site's own hosts
        // are crawled, not judged by the board.
        let fetch = |method: Method, cap: u64| async move {
            let r = self
                .fetch_retrying(
                    &ctx.http,
                    !same_site,
                    ctx.cfg,
                    &ctx.rules,
                    url,
                    method,
                    cap,
                    insecure,
                    ctx.deadline,
                    &ctx.retries,
                )
                .await;
            if !same_site {
                let signal = host_signal(&r, ctx.out_of_time());
                if let Some(down) = self.inner.board.learn(host, url.as_str(), signal) {
                    ctx.host_down(host, &down);
                }
            }
            r
        };
        let head = fetch(Method::HEAD, 0).await;
        match head {
            Err(FetchFail::Egress(d)) => return not_checked(format!("egress policy: {d}")),
            Err(FetchFail::HostDown) => return self.answered_down(ctx, host),
            Err(f) if f.is_timeout() && ctx.out_of_time() => return not_checked("max_time"),
            Err(
                f @ (FetchFail::Dns(_)
                | FetchFail::Refused
                | FetchFail::Tls(_)
                | FetchFail::Timeout
                | FetchFail::ConnectTimeout
                | FetchFail::RedirectLoop
                | FetchFail::TooManyRedirects),
            ) => {
                // A timed-out HEAD is not asked again with GET: the host had its time.
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
                    Err(FetchFail::HostDown) => self.answered_down(ctx, host),
                    Err(f) if f.is_timeout() && ctx.out_of_time() => not_checked("max_time"),
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
            Err(FetchFail::HostDown) => self.answered_down(ctx, host),
            Err(f) if f.is_timeout() && ctx.out_of_time() => not_checked("max_time"),
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

    /// A check not sent because its host went down while it waited: the host's state answers.
    fn answered_down(&self, ctx: &Ctx<'_>, host: &str) -> LinkOutcome {
        match self.inner.board.answer_down(host) {
            Some(down) => {
                ctx.host_down(host, &down);
                LinkOutcome::Broken {
                    reason: down.reason,
                }
            }
            // Expired in between: rare; the next check asks again.
            None => not_checked("host state expired while waiting"),
        }
    }
}

/// Why an external link is not checked when the checker has no outside network.
pub(crate) const NO_OUTSIDE_NETWORK: &str =
    "no outside network (the run's canaries did not answer)";

/// Outcomes every site of the run may take as theirs: what the target answered, not what the
/// asking site's budget, policy or robots.txt decided.
fn shareable(o: &LinkOutcome) -> bool {
    !matches!(o, LinkOutcome::NotChecked { .. })
}

/// What a request's result says about its host.
fn host_signal(r: &Result<Fetched, FetchFail>, out_of_time: bool) -> HostSignal {
    match r {
        Ok(_) => HostSignal::Alive,
        Err(FetchFail::Dns(_)) => HostSignal::Dead(BrokenReason::Dns),
        Err(FetchFail::Refused) => HostSignal::Dead(BrokenReason::Refused),
        Err(FetchFail::ConnectTimeout) => HostSignal::Dead(BrokenReason::Timeout),
        // A politeness wait cut by the site's own deadline says nothing about the host.
        Err(f) if f.is_timeout() && !out_of_time => HostSignal::Slow,
        Err(_) => HostSignal::Nothing,
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
