//! Live counters of a crawler, for progress a person can follow while a long census runs
//! (pages fetched, link targets checked, sites in flight). [`CrawlStats`](pucha_core::CrawlStats)
//! counts the same things per site, but only once the site is done.

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters shared by every clone of a [`Crawler`](crate::Crawler).
#[derive(Debug, Default)]
pub(crate) struct Live {
    pages: AtomicU64,
    link_checks: AtomicU64,
    sites_in_flight: AtomicU64,
    sites_started: AtomicU64,
}

/// What a crawler has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LiveStats {
    /// Pages fetched (HTML pages kept for analysis).
    pub pages: u64,
    /// Link targets checked (one per distinct target per site, answered from the run's board or not).
    pub link_checks: u64,
    /// Sites being crawled now.
    pub sites_in_flight: u64,
    /// Sites whose crawl has started.
    pub sites_started: u64,
}

impl Live {
    pub(crate) fn page(&self) {
        self.pages.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn link_check(&self) {
        self.link_checks.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a site in flight until the guard is dropped.
    pub(crate) fn site(&self) -> SiteGuard<'_> {
        self.sites_started.fetch_add(1, Ordering::Relaxed);
        self.sites_in_flight.fetch_add(1, Ordering::Relaxed);
        SiteGuard(self)
    }

    pub(crate) fn snapshot(&self) -> LiveStats {
        LiveStats {
            pages: self.pages.load(Ordering::Relaxed),
            link_checks: self.link_checks.load(Ordering::Relaxed),
            sites_in_flight: self.sites_in_flight.load(Ordering::Relaxed),
            sites_started: self.sites_started.load(Ordering::Relaxed),
        }
    }
}

pub(crate) struct SiteGuard<'a>(&'a Live);

impl Drop for SiteGuard<'_> {
    fn drop(&mut self) {
        self.0.sites_in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_releases_sites() {
        let l = Live::default();
        {
            let _a = l.site();
            let _b = l.site();
            l.page();
            l.link_check();
            l.link_check();
            assert_eq!(
                l.snapshot(),
                LiveStats {
                    pages: 1,
                    link_checks: 2,
                    sites_in_flight: 2,
                    sites_started: 2
                }
            );
        }
        assert_eq!(l.snapshot().sites_in_flight, 0);
        assert_eq!(l.snapshot().sites_started, 2);
    }
}
