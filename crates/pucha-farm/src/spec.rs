//! What farm to generate: the seed, the size and the check date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::plan::Style;

/// Parameters of a farm. Same spec, same bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FarmSpec {
    pub seed: u64,
    /// Number of sites. The first 24 follow a fixed roster of defect profiles
    /// (docs/demo-farm.md); further sites repeat it with other names.
    pub sites: usize,
    /// Approximate number of HTML pages per site (at least about 40 are always generated).
    pub pages_per_site: usize,
    /// The check time T: every date on the farm is placed relative to it.
    pub as_of: NaiveDate,
    /// Include the site that refuses connections and the flaky site (both veto.site_unreachable).
    pub unavailable_sites: bool,
    /// Pad pages with inline CSS/JS the way real CMS templates do (bytes per page, roughly).
    pub padding_bytes: usize,
    /// Answer unknown paths with a bare 404 page instead of the site's CMS-style one. The
    /// CMS-style page carries the site's navigation as relative links (as real TRS sites
    /// do), so from a missing `/col/old/1.html` it links to `/col/old/zwgk/`, which is
    /// missing too: an endless space for a crawler that follows the links of 404 pages.
    /// The crawl benchmark uses the bare page so that every tool crawls the same finite farm.
    #[serde(default)]
    pub bare_404: bool,
    /// The markup styles sites rotate through; empty means [`Style::ALL`] (the demo farm's).
    #[serde(default)]
    pub styles: Vec<Style>,
}

impl FarmSpec {
    /// The demo farm: 24 sites in all five categories, about half of them failing,
    /// sized so that a whole embedded census runs in well under a minute.
    pub fn demo() -> FarmSpec {
        FarmSpec {
            seed: 2025,
            sites: 24,
            pages_per_site: 60,
            as_of: NaiveDate::from_ymd_opt(2025, 9, 30).expect("valid date"),
            unavailable_sites: true,
            padding_bytes: 6_000,
            bare_404: false,
            styles: Vec::new(),
        }
    }

    /// The demo roster in the CMS families pucha was not first built on ([`Style::UNSEEN`]:
    /// TRS WCM with script pagers and title-attribute dates, GBK table layouts with `[MM-DD]`
    /// dates, Hanweb datastore lists), checked on 2026-01-06 so that month-day dates cross
    /// the year boundary.
    pub fn unseen() -> FarmSpec {
        FarmSpec {
            seed: 2026,
            as_of: NaiveDate::from_ymd_opt(2026, 1, 6).expect("valid date"),
            styles: Style::UNSEEN.to_vec(),
            ..FarmSpec::demo()
        }
    }

    /// A farm for the crawl benchmark: `sites` x `pages_per_site` pages, every site reachable.
    pub fn bench(sites: usize, pages_per_site: usize) -> FarmSpec {
        FarmSpec {
            seed: 7,
            sites,
            pages_per_site,
            unavailable_sites: false,
            bare_404: true,
            ..FarmSpec::demo()
        }
    }
}

impl Default for FarmSpec {
    fn default() -> Self {
        FarmSpec::demo()
    }
}
