//! pucha-crawl: the per-site crawler and link checker.
//!
//! A worker builds one [`Crawler`] (one pooled HTTP client, per-host politeness gates, a link
//! cache) and calls [`Crawler::crawl_site`] for each site; the result is a
//! [`pucha_core::SiteCrawl`] value in which every site problem (unreachable, TLS, broken links,
//! blocked by a firewall) and every cut budget is recorded. [`Crawler::probe`] is the single
//! availability probe of indicators §3.7.
//!
//! Module map: `fetch` is the only module doing HTTP; `normalize`, `scope`, `trap`, `verdict`,
//! `robots` and `egress` (apart from its resolver) are pure decisions; `ipv6` checks a site's AAAA
//! reachability (one TCP connect, within the egress policy); `site` orchestrates a crawl,
//! `check` checks link targets, `politeness` spaces requests per host, `cpu` runs page
//! analyses on a bounded blocking pool. See docs/crawler.md.

pub mod alloc;
mod board;
mod cache;
mod check;
mod cpu;
mod crawler;
mod egress;
mod error;
mod fetch;
mod ipv6;
mod live;
pub mod normalize;
mod politeness;
mod robots;
pub mod scope;
mod site;
mod trap;
mod verdict;

pub use cache::{LinkCache, MemLinkCache};
pub use crawler::{Crawler, HOMEPAGE_BODY_BYTES, OUTSIDE_TTL};
pub use error::CrawlError;
pub use fetch::{Fetched, Http};
pub use live::LiveStats;
pub use politeness::HostPace;

/// Today's date in UTC+8, for the binaries' defaults (`--as-of`) and the monitor's clock. The
/// pure crates never read the clock: the date reaches them as an argument.
pub fn today_cst() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&pucha_core::cst())
        .date_naive()
}
