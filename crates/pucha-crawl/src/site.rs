//! `crawl_site`: the reachability pre-check, robots.txt, the breadth-first crawl under budgets,
//! link checks running alongside, inline availability probes, and the accounting of every cut.
//!
//! The crawl proceeds depth level by depth level, so the homepage, its columns and list pages
//! come first. Pages of one level are fetched concurrently while the link targets found on the
//! previous level are checked. Every budget that stops something records it in `CrawlStats`.

use std::collections::HashMap;

// URL-keyed sets of one crawl: fast, randomly seeded hashing (keys come from pages).
use foldhash::{HashMap as UrlMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use pucha_core::{
    BrokenReason, CrawlConfig, CrawlStats, Interner, LinkKind, LinkOutcome, LinkRecord, LinkTag,
    PageLink, PageRecord, ProbeSample, Reachability, Site, SiteCrawl,
};
use reqwest::Method;
use tokio::time::Instant;
use url::Url;

use crate::board::HostDown;
use crate::check::{broken, from_status, not_checked};
use crate::egress::EgressRules;
use crate::fetch::{host_key, is_html, FetchFail, Http};
use crate::normalize::{normalize, normalize_str};
use crate::robots::RobotsRules;
use crate::scope::{classify, is_attachment, is_pseudo, Scope};
use crate::trap::{TrapGuard, TrapMark};
use crate::{verdict, Crawler};

/// robots.txt bodies beyond this are cut (Google reads 500 KiB).
const ROBOTS_BYTES: u64 = 512 * 1024;
/// An availability probe that takes this long failed (indicators §3.7).
const PROBE_TIMEOUT: Duration = Duration::from_secs(15);
/// The IPv6 check's connect (and lookup) timeout.
const IPV6_TIMEOUT: Duration = Duration::from_secs(5);
/// Spacing of the probes still owed when the crawl ends early.
const PROBE_FILL_GAP: Duration = Duration::from_millis(100);

/// Per-site state shared by the concurrent fetches and checks of one crawl.
pub(crate) struct Ctx<'a> {
    pub(crate) cfg: &'a CrawlConfig,
    /// The client of the job's settings (user agent, proxy, egress).
    pub(crate) http: Arc<Http>,
    /// The census as-of date: the analysis's "today" (never the machine's clock).
    pub(crate) as_of: Option<chrono::NaiveDate>,
    /// Whether the outside world answers (the run's canaries), asked once per crawl.
    pub(crate) outside: tokio::sync::OnceCell<bool>,
    /// Link target hosts found down during this crawl, by `host:port`.
    hosts_down: Mutex<HashMap<String, HostDown>>,
    pub(crate) scope: Scope,
    pub(crate) rules: EgressRules,
    pub(crate) deadline: Instant,
    /// Certificate errors of the site's own hosts are tolerated (recorded in `tls_errors`).
    pub(crate) insecure: bool,
    pub(crate) retries: AtomicU64,
    robots: tokio::sync::Mutex<HashMap<String, Arc<RobotsRules>>>,
    notes: Mutex<Vec<String>>,
    analysis_failed: Mutex<Vec<String>>,
    /// Pages over the analysis budget: "URL: what was cut".
    analysis_cut: Mutex<Vec<String>>,
    /// This site's share of the worker's analysis pool (`cpu`): a site of many slow pages
    /// queues at most this many analyses ahead of its neighbours' pages.
    analysis_share: tokio::sync::Semaphore,
    /// Why the homepage could not be fetched by the crawl (after a probe had answered):
    /// (failure, when, how long it took), recorded as a failed availability probe.
    home_fail: Mutex<Option<(FetchFail, chrono::DateTime<Utc>, u64)>>,
    /// The encoding the detector found on an undeclared page of this site
    /// (`pucha_analyze::site_encoding_hint`), offered to the site's later pages.
    site_encoding: OnceLock<&'static encoding_rs::Encoding>,
}

impl Ctx<'_> {
    pub(crate) fn out_of_time(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// Records that `host` is down for this site's links (the first failure is the evidence).
    pub(crate) fn host_down(&self, host: &str, down: &HostDown) {
        if let Ok(mut m) = self.hosts_down.lock() {
            m.entry(host.to_string()).or_insert_with(|| down.clone());
        }
    }

    fn note(&self, s: String) {
        if let Ok(mut n) = self.notes.lock() {
            if !n.contains(&s) {
                n.push(s);
            }
        }
    }
}

/// One page of the frontier.
struct Item {
    url: Url,
    depth: u32,
    parent: Option<String>,
    anchor: Option<String>,
    mark: TrapMark,
}

/// What fetching a frontier page gave.
enum PageFetch {
    Page {
        record: Box<PageRecord>,
        outcome: LinkOutcome,
        follow: bool,
    },
    NotPage(LinkOutcome),
    OutOfTime,
}

/// One link occurrence, resolved at the end once every target has an outcome.
struct Occurrence {
    /// Index into the crawl's pages.
    page: u32,
    /// Interned target URL (shared with the outcome map).
    target: Arc<str>,
    text: Arc<str>,
    tag: LinkTag,
    kind: LinkKind,
}

impl Crawler {
    /// [`Crawler::crawl_site_as_of`] with no as-of date: month-day dates on the pages take
    /// their year from the pages' own evidence only.
    pub async fn crawl_site(&self, site: &Site, cfg: &CrawlConfig) -> SiteCrawl {
        self.crawl_site_as_of(site, cfg, None).await
    }

    /// Crawls and checks one site within the budgets of `cfg`, reading its pages as of the
    /// census date `as_of`. Site problems are values in the result, never errors. `pages[0]`
    /// is the homepage when it was fetched.
    pub async fn crawl_site_as_of(
        &self,
        site: &Site,
        cfg: &CrawlConfig,
        as_of: Option<chrono::NaiveDate>,
    ) -> SiteCrawl {
        let t0 = Instant::now();
        let _in_flight = self.inner.live.site();
        let mut out = SiteCrawl {
            site: site.clone(),
            started_at: Utc::now(),
            reachability: Reachability::Unreachable {
                reason: "not attempted".into(),
            },
            pages: Vec::new(),
            links: Vec::new(),
            probes: Vec::new(),
            stats: CrawlStats::default(),
            tls_errors: Vec::new(),
            ipv6: None,
        };
        let Some(home) = normalize(&site.url, &cfg.drop_query_params) else {
            out.reachability = Reachability::Unreachable {
                reason: format!("not an http(s) URL: {}", site.url),
            };
            return out;
        };
        let scope = Scope::new(&home, &cfg.extra_hosts);
        let (http, client_note) = match self.client_for(cfg) {
            Ok(h) => (h, None),
            Err(e) => (
                self.inner.http.clone(),
                Some(format!(
                    "crawl settings unusable ({e}): the worker's client was used"
                )),
            ),
        };
        http.resolver.trust(scope.host_names());
        let mut ctx = Ctx {
            cfg,
            http,
            as_of,
            outside: tokio::sync::OnceCell::new(),
            hosts_down: Mutex::new(HashMap::new()),
            scope,
            rules: EgressRules::from_policy(&cfg.egress),
            deadline: t0 + Duration::from_secs(cfg.max_seconds),
            insecure: false,
            retries: AtomicU64::new(0),
            robots: tokio::sync::Mutex::new(HashMap::new()),
            notes: Mutex::new(Vec::new()),
            analysis_failed: Mutex::new(Vec::new()),
            analysis_cut: Mutex::new(Vec::new()),
            analysis_share: tokio::sync::Semaphore::new(crate::cpu::pool_size().div_ceil(2)),
            home_fail: Mutex::new(None),
            site_encoding: OnceLock::new(),
        };
        if let Some(n) = client_note {
            ctx.note(n);
        }

        // Reachability pre-check: an unreachable site costs one probe, not a crawl. It is a
        // request to the site's host like any other: under the host's politeness gate.
        let probe_timeout = PROBE_TIMEOUT.min(Duration::from_millis(cfg.request_timeout_ms));
        let gate = (!cfg.no_politeness).then(|| {
            self.inner.gates.get(
                &crate::fetch::host_key(&home),
                cfg.per_host_concurrency,
                cfg.per_host_rps,
            )
        });
        let permit = match &gate {
            Some(g) => Some(g.acquire().await),
            None => None,
        };
        let (mut sample, mut fail) = self
            .probe_with(
                &ctx.http,
                &home,
                probe_timeout,
                &ctx.rules,
                false,
                cfg.max_redirects,
            )
            .await;
        if let Some(FetchFail::Tls(detail)) = &fail {
            out.tls_errors.push(detail.clone());
            if cfg.accept_invalid_certs {
                ctx.insecure = true;
                ctx.note("TLS certificate not valid: continuing without verification".into());
                (sample, fail) = self
                    .probe_with(
                        &ctx.http,
                        &home,
                        probe_timeout,
                        &ctx.rules,
                        true,
                        cfg.max_redirects,
                    )
                    .await;
            }
        }
        drop(permit);
        out.probes.push(sample.clone());
        if let Some(f) = fail {
            out.reachability = Reachability::Unreachable {
                reason: unreachable_reason(&f),
            };
            out.stats.notes = ctx.notes.into_inner().unwrap_or_default();
            out.stats.elapsed_ms = t0.elapsed().as_millis() as u64;
            return out;
        }
        out.reachability = Reachability::Reachable {
            status: sample.status.unwrap_or(0),
        };

        // IPv6 reachability (ded.ipv6): AAAA records and one TCP connect, within the egress policy.
        let v6 = crate::ipv6::check(&home, &ctx.rules, probe_timeout.min(IPV6_TIMEOUT)).await;
        if let pucha_core::Ipv6Check::NotChecked { why } = &v6 {
            ctx.note(format!("ipv6 not checked, ded.ipv6 not evaluated: {why}"));
        }
        out.ipv6 = Some(v6);

        // Inline availability probes, spread over the crawl.
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let owed = cfg.inline_probes.saturating_sub(1);
        let ticker = (owed > 0).then(|| {
            let me = self.clone();
            let http = ctx.http.clone();
            let url = home.clone();
            let rules = ctx.rules.clone();
            let every = Duration::from_secs(cfg.max_seconds)
                .checked_div(cfg.inline_probes)
                .unwrap_or_default()
                .clamp(Duration::from_millis(250), Duration::from_secs(60));
            let (insecure, redirects) = (ctx.insecure, cfg.max_redirects);
            tokio::spawn(probe_ticker(
                me,
                http,
                url,
                rules,
                insecure,
                redirects,
                probe_timeout,
                every,
                owed,
                stop_rx,
            ))
        });

        let (pages, links, mut stats) = self.bfs(&ctx, &home).await;
        out.pages = pages;
        out.links = links;
        // A homepage that answered the probe but could not be read whole (it stalls after
        // its headers, drips past the timeout, closes before its Content-Length, resets) did
        // not open: an availability failure like a refused connection, judged by
        // veto.site_unreachable, not a site pucha failed to read.
        let home_fail = ctx.home_fail.lock().ok().and_then(|mut h| h.take());
        if let (true, Some((f, at, elapsed_ms))) = (out.pages.is_empty(), home_fail) {
            if availability_failure(&f) {
                let reason = unreachable_reason(&f);
                ctx.note(format!("homepage not fetched: {reason}"));
                out.probes.push(ProbeSample {
                    at,
                    elapsed_ms,
                    status: None,
                    failure: Some(verdict::probe_failure(&f)),
                    content: None,
                });
                out.reachability = Reachability::Unreachable { reason };
            }
        }

        let _ = stop_tx.send(true);
        if let Some(t) = ticker {
            out.probes.extend(t.await.unwrap_or_default());
        }
        while (out.probes.len() as u32) < cfg.inline_probes && !ctx.out_of_time() {
            tokio::time::sleep(PROBE_FILL_GAP).await;
            let (s, _) = self
                .probe_with(
                    &ctx.http,
                    &home,
                    probe_timeout,
                    &ctx.rules,
                    ctx.insecure,
                    cfg.max_redirects,
                )
                .await;
            out.probes.push(s);
        }
        if (out.probes.len() as u32) < cfg.inline_probes {
            ctx.note(format!(
                "inline probes: {} of {} taken before max_seconds",
                out.probes.len(),
                cfg.inline_probes
            ));
        }
        stats.retries = ctx.retries.load(Ordering::Relaxed);
        stats.analysis_cut = ctx
            .analysis_cut
            .lock()
            .map(|mut a| std::mem::take(&mut *a))
            .unwrap_or_default();
        if let Some(first) = stats.analysis_cut.first() {
            ctx.note(format!(
                "{} pages over the analysis budget, analysed on a truncated tree (first: {first})",
                stats.analysis_cut.len()
            ));
        }
        stats.analysis_failed = ctx.analysis_failed.into_inner().unwrap_or_default();
        stats.notes = ctx.notes.into_inner().unwrap_or_default();
        stats.elapsed_ms = t0.elapsed().as_millis() as u64;
        out.stats = stats;
        out
    }

    /// The breadth-first crawl and the link checks.
    async fn bfs(
        &self,
        ctx: &Ctx<'_>,
        home: &Url,
    ) -> (Vec<PageRecord>, Vec<LinkRecord>, CrawlStats) {
        let cfg = ctx.cfg;
        let mut stats = CrawlStats::default();
        let mut traps = TrapGuard::new(cfg.max_pages_per_pattern, cfg.max_pattern_chain);
        let mut pages: Vec<PageRecord> = Vec::new();
        // Target URLs are interned (`Arc<str>`): one allocation per target, however many
        // pages link to it (navigation and footer links repeat on every page).
        let mut outcomes: UrlMap<Arc<str>, LinkOutcome> = UrlMap::default();
        let mut admitted: HashSet<Arc<str>> = HashSet::default();
        let mut checks_queued: HashSet<Arc<str>> = HashSet::default();
        let mut fetched_final: HashSet<String> = HashSet::default();
        let mut occurrences: Vec<Occurrence> = Vec::new();
        // The interned final URL of each page, by index.
        let mut page_keys: Vec<Arc<str>> = Vec::new();
        // Targets already recorded for the page being read (one occurrence per page and
        // target); cleared per page, so it never holds more than one page's links.
        let mut seen_on_page: HashSet<Arc<str>> = HashSet::default();
        // A link URL the site's pages already gave (navigation repeats on every page) maps
        // straight to its target key and kind: no re-parse, no re-normalisation. A target
        // found here was handled when first seen, so only its occurrence is new.
        let mut known_links: UrlMap<Arc<str>, (Arc<str>, LinkKind)> = UrlMap::default();
        // Every URL and anchor text of the site's link data shares one allocation per
        // distinct value (pucha_core::Interner).
        let mut strs = Interner::new();
        let mut intern = |s: &str| -> Arc<str> { strs.intern(s) };
        let mut pending_checks: Vec<(Url, LinkKind)> = Vec::new();

        let page_conc = if cfg.no_politeness {
            cfg.unpolite_concurrency
        } else {
            cfg.per_host_concurrency
        }
        .max(1) as usize;
        let check_conc = cfg.check_concurrency.max(1) as usize;

        admitted.insert(intern(home.as_str()));
        let mut level = vec![Item {
            url: home.clone(),
            depth: 0,
            parent: None,
            anchor: None,
            mark: traps.root(home),
        }];

        // Link checks run beside the page fetches, across levels: a slow, dead or rate-limited
        // link target never holds back the site's pages; what is left is drained at the end
        // (bounded by the site's deadline).
        let mut check_queue: std::collections::VecDeque<(Url, LinkKind)> = Default::default();
        let mut running = futures::stream::FuturesUnordered::new();
        let check_one = |u: Url, k: LinkKind| async move {
            let o = self.check_target(ctx, &u, k).await;
            (u, o)
        };
        let record = |u: Url,
                      o: LinkOutcome,
                      outcomes: &mut UrlMap<Arc<str>, LinkOutcome>,
                      stats: &mut CrawlStats,
                      intern: &mut dyn FnMut(&str) -> Arc<str>| {
            self.inner.live.link_check();
            if matches!(&o, LinkOutcome::NotChecked { why } if why == "max_time") {
                stats.cut_max_time += 1;
            }
            if matches!(&o, LinkOutcome::NotChecked { why } if why == crate::check::NO_OUTSIDE_NETWORK)
            {
                stats.external_unchecked_offline += 1;
            }
            outcomes.insert(intern(u.as_str()), o);
        };

        while !level.is_empty() {
            // Unordered, so a slow page does not hold back the next starts; the level's
            // order is restored below (pages stay in BFS order).
            let mut fetch_level =
                futures::stream::iter(level.into_iter().enumerate().map(|(i, item)| async move {
                    let r = self.fetch_page(ctx, &item).await;
                    (i, item, r)
                }))
                .buffer_unordered(page_conc);
            let mut fetched = Vec::new();
            loop {
                while running.len() < check_conc {
                    match check_queue.pop_front() {
                        Some((u, k)) => running.push(check_one(u, k)),
                        None => break,
                    }
                }
                tokio::select! {
                    biased;
                    page = fetch_level.next() => match page {
                        Some(p) => fetched.push(p),
                        None => break,
                    },
                    Some((u, o)) = running.next(), if !running.is_empty() => {
                        record(u, o, &mut outcomes, &mut stats, &mut intern);
                    }
                }
            }
            drop(fetch_level);
            fetched.sort_unstable_by_key(|f| f.0);

            let mut next = Vec::new();
            for (_, item, r) in fetched {
                let key = intern(item.url.as_str());
                let (record, follow) = match r {
                    PageFetch::OutOfTime => {
                        stats.cut_max_time += 1;
                        outcomes.insert(key, not_checked("max_time"));
                        continue;
                    }
                    PageFetch::NotPage(o) => {
                        match &o {
                            LinkOutcome::Broken { .. } => stats.pages_failed += 1,
                            LinkOutcome::Blocked { detail } => {
                                stats.pages_blocked += 1;
                                if item.depth == 0 {
                                    ctx.note(format!("homepage blocked: {detail}"));
                                }
                            }
                            _ => {}
                        }
                        outcomes.insert(key, o);
                        continue;
                    }
                    PageFetch::Page {
                        record,
                        outcome,
                        follow,
                    } => {
                        let soft_404 = matches!(outcome, LinkOutcome::Broken { .. });
                        outcomes.insert(key, outcome);
                        if soft_404 {
                            stats.pages_failed += 1;
                            // An error page dressed as 200 is a broken link, not a page
                            // (the homepage is kept so the rules can see it).
                            if item.depth > 0 {
                                continue;
                            }
                        }
                        (record, follow)
                    }
                };
                // A redirect to a page already fetched (`/` → `/index.html`) adds nothing.
                if !fetched_final.insert(record.final_url.clone()) && item.depth > 0 {
                    continue;
                }
                stats.pages_fetched += 1;
                self.inner.live.page();
                stats.bytes += record.bytes;
                if record.truncated {
                    stats.bodies_truncated += 1;
                    ctx.note(format!(
                        "bodies cut at max_body_bytes ({} bytes)",
                        cfg.max_body_bytes
                    ));
                }
                let page_idx = pages.len() as u32;
                let page_url = record.final_url.clone();
                page_keys.push(intern(&page_url));
                let mut record = *record;
                for l in &mut record.facts.links {
                    l.raw = intern(&l.raw);
                    l.text = intern(&l.text);
                    if let Some(u) = l.url.as_mut() {
                        *u = intern(u);
                    }
                }
                pages.push(record);
                let links: &[PageLink] = match (follow, pages.last()) {
                    (true, Some(p)) => &p.facts.links,
                    _ => &[],
                };
                // Pages that only a script's pager names (`createPageHTML(…)`) are followed
                // like the links a browser would render for them.
                let script_pages: Vec<PageLink> = match (follow, pages.last()) {
                    (true, Some(p)) => script_pagination(&p.facts),
                    _ => Vec::new(),
                };
                let base = Url::parse(&page_url).unwrap_or_else(|_| item.url.clone());

                let mut considered = 0u32;
                seen_on_page.clear();
                for link in links.iter().chain(&script_pages) {
                    let raw = link.raw.trim();
                    if raw.is_empty() || raw.starts_with('#') {
                        continue;
                    }
                    considered += 1;
                    if considered > cfg.max_outlinks_per_page {
                        stats.cut_outlinks += 1;
                        continue;
                    }
                    if let Some((target, kind)) =
                        link.url.as_ref().and_then(|u| known_links.get(u)).cloned()
                    {
                        if seen_on_page.insert(target.clone()) {
                            occurrences.push(Occurrence {
                                page: page_idx,
                                target,
                                text: link.text.clone(),
                                tag: link.tag,
                                kind,
                            });
                        }
                        continue;
                    }
                    let Some((target, kind, parsed)) = target_of(link, &base, ctx) else {
                        continue;
                    };
                    let target = intern(&target);
                    if let Some(u) = &link.url {
                        known_links.insert(u.clone(), (target.clone(), kind));
                    }
                    if !seen_on_page.insert(target.clone()) {
                        continue;
                    }
                    occurrences.push(Occurrence {
                        page: page_idx,
                        target: target.clone(),
                        text: link.text.clone(),
                        tag: link.tag,
                        kind,
                    });
                    match (kind, parsed) {
                        (LinkKind::Pseudo, _) => {
                            outcomes.entry(target).or_insert_with(|| {
                                not_checked("pseudo link (javascript:, mailto:, tel:)")
                            });
                        }
                        (LinkKind::Malformed, _) => {
                            outcomes
                                .entry(target)
                                .or_insert_with(|| LinkOutcome::Broken {
                                    reason: BrokenReason::Malformed {
                                        detail: raw.to_string(),
                                    },
                                });
                        }
                        (_, None) => {
                            outcomes
                                .entry(target)
                                .or_insert_with(|| not_checked("unsupported scheme"));
                        }
                        (LinkKind::InternalPage, Some(url)) => {
                            if admitted.contains(&target) || outcomes.contains_key(&target) {
                                continue;
                            }
                            let cut = if cfg.respect_robots && !self.robots_allow(ctx, &url).await {
                                stats.skipped_robots += 1;
                                Some(not_checked("robots.txt"))
                            } else if item.depth + 1 > cfg.max_depth {
                                stats.cut_max_depth += 1;
                                Some(not_checked("max_depth"))
                            } else {
                                match traps.admit(&url, &item.mark) {
                                    Err(trap) => {
                                        stats.cut_traps += 1;
                                        Some(not_checked(format!("crawler trap: {trap}")))
                                    }
                                    Ok(_) if admitted.len() as u64 >= cfg.max_pages as u64 => {
                                        stats.cut_max_pages += 1;
                                        Some(not_checked("max_pages"))
                                    }
                                    Ok(mark) => {
                                        admitted.insert(target.clone());
                                        next.push(Item {
                                            url,
                                            depth: item.depth + 1,
                                            parent: Some(page_url.clone()),
                                            anchor: Some(link.text.trim().to_string())
                                                .filter(|s| !s.is_empty()),
                                            mark,
                                        });
                                        None
                                    }
                                }
                            };
                            if let Some(o) = cut {
                                outcomes.insert(target, o);
                            }
                        }
                        (_, Some(url)) => {
                            if !checks_queued.insert(target.clone()) {
                                continue;
                            }
                            if kind == LinkKind::External && !cfg.check_external {
                                outcomes.insert(
                                    target,
                                    not_checked(
                                        "external links not checked (check_external=false)",
                                    ),
                                );
                            } else if checks_queued.len() as u64 > cfg.max_link_checks as u64 {
                                stats.cut_link_checks += 1;
                                outcomes.insert(target, not_checked("max_link_checks"));
                            } else {
                                pending_checks.push((url, kind));
                            }
                        }
                    }
                }
            }
            check_queue.extend(pending_checks.drain(..));
            level = next;
        }
        loop {
            while running.len() < check_conc {
                match check_queue.pop_front() {
                    Some((u, k)) => running.push(check_one(u, k)),
                    None => break,
                }
            }
            match running.next().await {
                Some((u, o)) => record(u, o, &mut outcomes, &mut stats, &mut intern),
                None => break,
            }
        }
        drop(running);
        stats.traps = traps.report();
        // The result lives until the worker hands it on: no growth slack.
        pages.shrink_to_fit();

        let links: Vec<LinkRecord> = occurrences
            .into_iter()
            .map(|o| {
                let outcome = outcomes
                    .get(&o.target)
                    .cloned()
                    .unwrap_or_else(|| not_checked("not reached"));
                LinkRecord {
                    page: page_keys[o.page as usize].clone(),
                    target: o.target,
                    text: o.text,
                    tag: o.tag,
                    kind: o.kind,
                    outcome,
                }
            })
            .collect();
        stats.links_found = links.len() as u64;
        for l in &links {
            match &l.outcome {
                LinkOutcome::Ok { .. } => stats.links_checked += 1,
                LinkOutcome::Broken { .. } => {
                    stats.links_checked += 1;
                    stats.links_broken += 1;
                }
                LinkOutcome::Blocked { .. } => {
                    stats.links_checked += 1;
                    stats.links_blocked += 1;
                }
                LinkOutcome::NotChecked { why } => {
                    stats.links_not_checked += 1;
                    if why.starts_with("egress policy") {
                        stats.skipped_egress += 1;
                    }
                }
            }
        }
        let hosts_down = ctx.hosts_down.lock().map(|m| m.clone()).unwrap_or_default();
        if !hosts_down.is_empty() {
            let mut per_host: HashMap<String, u64> = HashMap::new();
            for l in &links {
                if matches!(l.outcome, LinkOutcome::Broken { .. }) {
                    if let Ok(u) = Url::parse(&l.target) {
                        let h = host_key(&u);
                        if hosts_down.contains_key(&h) {
                            *per_host.entry(h).or_default() += 1;
                        }
                    }
                }
            }
            let mut records: Vec<pucha_core::HostDownRecord> = hosts_down
                .into_iter()
                .map(|(host, d)| pucha_core::HostDownRecord {
                    links: per_host.get(&host).copied().unwrap_or(0),
                    host,
                    reason: d.reason,
                    first_url: d.first_url,
                })
                .collect();
            records.sort_by(|a, b| a.host.cmp(&b.host));
            for r in &records {
                ctx.note(format!(
                    "link target host {} down ({}, first seen on {}): {} links answered from that state",
                    r.host,
                    r.reason.label_zh(),
                    r.first_url,
                    r.links
                ));
            }
            stats.hosts_down = records;
        }
        if stats.external_unchecked_offline > 0 {
            ctx.note(format!(
                "no outside network: {} external links not checked (not broken)",
                stats.external_unchecked_offline
            ));
        }
        (pages, links, stats)
    }

    /// Fetches and analyses one frontier page.
    async fn fetch_page(&self, ctx: &Ctx<'_>, item: &Item) -> PageFetch {
        if ctx.out_of_time() {
            return PageFetch::OutOfTime;
        }
        let cfg = ctx.cfg;
        let insecure = ctx.insecure && ctx.scope.contains(&item.url);
        let (at, t0) = (Utc::now(), Instant::now());
        let r = self
            .fetch_retrying(
                &ctx.http,
                false,
                cfg,
                &ctx.rules,
                &item.url,
                Method::GET,
                cfg.max_body_bytes,
                insecure,
                ctx.deadline,
                &ctx.retries,
            )
            .await;
        let f = match r {
            Err(f) if f.is_timeout() && ctx.out_of_time() => return PageFetch::OutOfTime,
            Err(FetchFail::Egress(d)) => {
                return PageFetch::NotPage(not_checked(format!("egress policy: {d}")))
            }
            Err(f) => {
                if item.depth == 0 {
                    if let Ok(mut h) = ctx.home_fail.lock() {
                        *h = Some((f.clone(), at, t0.elapsed().as_millis() as u64));
                    }
                }
                return PageFetch::NotPage(broken(&f));
            }
            Ok(f) => f,
        };
        if f.status >= 400 {
            return PageFetch::NotPage(from_status(&f.status, &f.headers, &f.body));
        }
        let ok = LinkOutcome::Ok { status: f.status };
        let final_url =
            normalize(&f.final_url, &cfg.drop_query_params).unwrap_or(f.final_url.clone());
        if !ctx.scope.contains(&final_url) {
            // Redirected off-site (e.g. to the provincial service portal): a working link.
            return PageFetch::NotPage(ok);
        }
        let content_type = f.content_type().map(str::to_string);
        if !is_html(content_type.as_deref(), &f.body) {
            if f.body.is_empty()
                && (is_attachment(&item.url) || is_attachment_type(content_type.as_deref()))
            {
                return PageFetch::NotPage(LinkOutcome::Broken {
                    reason: BrokenReason::EmptyAttachment,
                });
            }
            return PageFetch::NotPage(ok);
        }
        // Analysis runs on the bounded blocking pool (`cpu`), never on the runtime's threads;
        // the body goes with it and is dropped there once read. The analyser must never
        // panic; if it does anyway, one page must not end the crawl.
        let options = pucha_analyze::AnalyzeOptions {
            today: ctx.as_of,
            site_encoding: ctx.site_encoding.get().copied(),
            ..Default::default()
        };
        let (status, truncated, bytes) = (f.status, f.truncated, f.body.len() as u64);
        let body = f.body;
        let page_url = final_url.clone();
        let work = move || {
            let facts =
                pucha_analyze::analyze_with(&body, &page_url, content_type.as_deref(), &options);
            // An anti-bot challenge shows next to no text and links of its own (a script and
            // a line such as 正在进行安全验证); only such pages are searched for challenge
            // signatures, so an article that mentions 人机验证 is not taken for one and
            // ordinary pages cost no scan.
            let challenge = (facts.main_text_chars < CHALLENGE_MAX_TEXT
                && facts.links.len() < CHALLENGE_MAX_LINKS)
                .then(|| verdict::challenge_signature(&body))
                .flatten();
            let soft_404 =
                facts.soft_404 || (facts.main_text_chars < 200 && verdict::looks_soft_404(&body));
            (facts, challenge, soft_404)
        };
        let analyse = async {
            // Never closed.
            let _share = ctx.analysis_share.acquire().await;
            crate::cpu::run(work).await
        };
        let analysed = if item.depth == 0 {
            // The homepage is waited for: without it nothing of the site can be judged.
            analyse.await
        } else {
            match tokio::time::timeout_at(ctx.deadline, analyse).await {
                Ok(r) => r,
                Err(_) => return PageFetch::OutOfTime,
            }
        };
        let (facts, challenge, soft_404) = match analysed {
            Ok(a) => a,
            Err(crate::cpu::Panicked) => {
                // Not judged: a page with default facts would read as one without tags or dates.
                ctx.note(format!(
                    "analysis failed on {final_url}: the page is not judged (report it as a pucha bug)"
                ));
                if let Ok(mut a) = ctx.analysis_failed.lock() {
                    a.push(final_url.to_string());
                }
                tracing::error!(url = %final_url, "pucha-analyze panicked; page not judged");
                return PageFetch::NotPage(ok);
            }
        };
        if let Some(hint) = pucha_analyze::site_encoding_hint(&facts) {
            let _ = ctx.site_encoding.set(hint);
        }
        if let Some(cut) = &facts.analysis_cut {
            if let Ok(mut a) = ctx.analysis_cut.lock() {
                a.push(format!("{final_url}: {cut}"));
            }
        }
        if let Some(sig) = challenge {
            return PageFetch::NotPage(LinkOutcome::Blocked { detail: sig });
        }
        let outcome = if soft_404 {
            LinkOutcome::Broken {
                reason: BrokenReason::Soft404,
            }
        } else {
            ok
        };
        PageFetch::Page {
            record: Box::new(PageRecord {
                url: item.url.to_string(),
                final_url: final_url.to_string(),
                status,
                depth: item.depth,
                parent: item.parent.clone(),
                anchor: item.anchor.clone(),
                bytes,
                truncated,
                facts,
            }),
            outcome,
            // A homepage that looks like an error page is still followed: a wrong guess there
            // would hide the whole site.
            follow: !soft_404 || item.depth == 0,
        }
    }

    /// Whether robots.txt allows `url` (fetched once per host; always true when robots are not
    /// respected).
    pub(crate) async fn robots_allow(&self, ctx: &Ctx<'_>, url: &Url) -> bool {
        if !ctx.cfg.respect_robots {
            return true;
        }
        let rules = {
            let mut map = ctx.robots.lock().await;
            let key = host_key(url);
            match map.get(&key) {
                Some(r) => r.clone(),
                None => {
                    let r = Arc::new(self.fetch_robots(ctx, url).await);
                    map.insert(key, r.clone());
                    r
                }
            }
        };
        rules.allowed(url.as_str())
    }

    async fn fetch_robots(&self, ctx: &Ctx<'_>, url: &Url) -> RobotsRules {
        let cfg = ctx.cfg;
        let Ok(robots_url) = url.join("/robots.txt") else {
            return RobotsRules::AllowAll;
        };
        let insecure = ctx.insecure && ctx.scope.contains(url);
        let r = self
            .fetch_retrying(
                &ctx.http,
                false,
                cfg,
                &ctx.rules,
                &robots_url,
                Method::GET,
                ROBOTS_BYTES,
                insecure,
                ctx.deadline,
                &ctx.retries,
            )
            .await;
        let rules = match r {
            Ok(f) if (200..300).contains(&f.status) => {
                match RobotsRules::parse(&cfg.user_agent, &f.body) {
                    Ok(r) => r,
                    Err(e) => {
                        ctx.note(format!(
                            "{robots_url} unparsable ({e}): treated as allowing all"
                        ));
                        RobotsRules::AllowAll
                    }
                }
            }
            Ok(f) if (400..500).contains(&f.status) => RobotsRules::AllowAll,
            Ok(f) => {
                ctx.note(format!(
                    "{robots_url} answered HTTP {}: treated as allowing all",
                    f.status
                ));
                RobotsRules::AllowAll
            }
            Err(e) => {
                ctx.note(format!(
                    "{robots_url} unreadable ({e:?}): treated as allowing all"
                ));
                RobotsRules::AllowAll
            }
        };
        if let Some(delay) = rules.crawl_delay() {
            let cap = Duration::from_secs(cfg.max_retry_after_s);
            if delay > cap {
                ctx.note(format!(
                    "robots.txt Crawl-delay {:.1}s clamped to {}s",
                    delay.as_secs_f32(),
                    cfg.max_retry_after_s
                ));
            }
            if !cfg.no_politeness {
                self.inner
                    .gates
                    .get(&host_key(url), cfg.per_host_concurrency, cfg.per_host_rps)
                    .at_least(delay.min(cap));
            }
        }
        rules
    }
}

/// Pages with at least this many characters of main text are not checked for anti-bot
/// challenge signatures (interstitials say a line or two).
const CHALLENGE_MAX_TEXT: usize = 500;
/// The pagination URLs of a page that none of its links names (a script's pager), as links.
fn script_pagination(facts: &pucha_core::PageFacts) -> Vec<PageLink> {
    facts
        .pagination
        .iter()
        .filter(|u| {
            !facts
                .links
                .iter()
                .any(|l| l.url.as_deref() == Some(u.as_str()))
        })
        .map(|u| PageLink {
            raw: Arc::from(u.as_str()),
            url: Some(Arc::from(u.as_str())),
            text: Arc::from(""),
            tag: LinkTag::A,
            in_nav: false,
            in_footer: false,
            is_more: false,
        })
        .collect()
}

/// Nor are pages with this many links (scripts, images and styles included).
const CHALLENGE_MAX_LINKS: usize = 20;

/// The normalised target key, kind and parsed URL of a link (`None` when skipped).
fn target_of(
    link: &PageLink,
    base: &Url,
    ctx: &Ctx<'_>,
) -> Option<(String, LinkKind, Option<Url>)> {
    let raw = link.raw.trim();
    if is_pseudo(raw) {
        return Some((raw.to_string(), LinkKind::Pseudo, None));
    }
    let resolved = match &link.url {
        Some(u) => Url::parse(u).ok(),
        None => base.join(raw).ok(),
    };
    let Some(resolved) = resolved else {
        return Some((raw.to_string(), LinkKind::Malformed, None));
    };
    if is_pseudo(resolved.as_str()) {
        return Some((resolved.to_string(), LinkKind::Pseudo, None));
    }
    match normalize(&resolved, &ctx.cfg.drop_query_params) {
        Some(u) => {
            let kind = classify(&u, link.tag, &ctx.scope);
            Some((u.to_string(), kind, Some(u)))
        }
        // ftp:, file: and the like: recorded, never fetched.
        None => Some((resolved.to_string(), LinkKind::External, None)),
    }
}

fn is_attachment_type(ct: Option<&str>) -> bool {
    ct.is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        c.starts_with("application/")
            && !c.contains("json")
            && !c.contains("javascript")
            && !c.contains("xml")
    })
}

/// A failure of the homepage that means it did not open for a visitor (not an egress refusal,
/// not a budget).
fn availability_failure(f: &FetchFail) -> bool {
    !matches!(f, FetchFail::Egress(_) | FetchFail::HostDown)
}

fn unreachable_reason(f: &FetchFail) -> String {
    match f {
        FetchFail::Egress(d) => format!("egress policy: {d}"),
        FetchFail::Dns(_) => "DNS resolution failed".into(),
        FetchFail::Timeout | FetchFail::ConnectTimeout => "timed out".into(),
        FetchFail::HostDown => "host down".into(),
        FetchFail::Tls(d) => format!("TLS error: {d}"),
        FetchFail::Refused => "connection refused".into(),
        FetchFail::Connect(d) => format!("connection failed: {d}"),
        FetchFail::RedirectLoop => "redirect loop".into(),
        FetchFail::TooManyRedirects => "too many redirects".into(),
        FetchFail::Other(d) => d.clone(),
        f @ FetchFail::Incomplete { .. } => {
            format!("首页{}", f.incomplete_text().unwrap_or_default())
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn probe_ticker(
    crawler: Crawler,
    http: Arc<Http>,
    url: Url,
    rules: EgressRules,
    insecure: bool,
    max_redirects: u32,
    timeout: Duration,
    every: Duration,
    max: u32,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Vec<ProbeSample> {
    let mut samples = Vec::new();
    while (samples.len() as u32) < max {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => break,
        }
        let (s, _) = crawler
            .probe_with(&http, &url, timeout, &rules, insecure, max_redirects)
            .await;
        samples.push(s);
    }
    samples
}

#[allow(dead_code)]
fn _assert_send(c: &Crawler, s: &Site, cfg: &CrawlConfig) {
    fn is_send<T: Send>(_: T) {}
    is_send(c.crawl_site(s, cfg));
    let _ = normalize_str;
}
