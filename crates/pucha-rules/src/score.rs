//! Scoring (indicators §2): the 100-point deduction part with per-item and per-group caps, the
//! no-service scaling (75 × 4/3), and the bonus gate. Vetoes are decided before this runs.
//!
//! A column already penalised under one column-based item is not penalised again under another
//! (score.no_double_count, keyed on the column URL).

use std::collections::{BTreeMap, BTreeSet};

use pucha_core::{Finding, Severity, SiteCrawl};

use crate::pack::RulePack;

/// Column-based deduction items, in the order they claim columns.
const COLUMN_ITEMS: [&str; 3] = [
    pucha_core::rule_ids::DED_POLICY_DOCS_COLUMN_STALE,
    pucha_core::rule_ids::DED_NEWS_COLUMNS,
    pucha_core::rule_ids::DED_SERVICE_STATS_STALE,
];

/// Whether the site has no external service function (per the pack).
pub fn no_service_site(crawl: &SiteCrawl, pack: &RulePack) -> bool {
    let site = &crawl.site;
    let key = site.key();
    pack.services.no_service_sites.iter().any(|s| {
        let s = s.trim();
        s.trim_end_matches('/') == key
            || site.site_code.as_deref() == Some(s)
            || url::Url::parse(s).is_ok_and(|u| pucha_core::site_key(&u) == key)
    })
}

/// Sets `points` on the scored deduction findings and returns the site's score (deductions plus
/// bonus; the bonus part is person-scored, so it adds 0 here).
pub fn score(findings: &mut [Finding], crawl: &SiteCrawl, pack: &RulePack) -> f64 {
    let s = &pack.scoring;
    let no_service = no_service_site(crawl, pack);
    let mut claimed: BTreeSet<String> = BTreeSet::new();
    let mut by_group: BTreeMap<String, f64> = BTreeMap::new();

    // Column items first, in their fixed order, so that claims are deterministic.
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| {
        COLUMN_ITEMS
            .iter()
            .position(|r| *r == findings[i].rule)
            .unwrap_or(COLUMN_ITEMS.len())
    });
    for i in order {
        let f = &mut findings[i];
        if f.severity != Severity::Deduction {
            continue;
        }
        let Some(item) = s.items.get(&f.rule) else {
            continue;
        };
        if no_service && item.group == "service" {
            continue;
        }
        let mut n = f.count;
        if COLUMN_ITEMS.contains(&f.rule.as_str()) {
            n = f
                .evidence
                .iter()
                .filter(|e| claimed.insert(e.url.clone()))
                .count() as u32;
        }
        let pts = (f64::from(n) * item.points_each).min(item.cap).max(0.0);
        let group_cap = s.groups.get(&item.group).copied().unwrap_or(f64::INFINITY);
        let used = by_group.entry(item.group.clone()).or_insert(0.0);
        let applied = pts.min((group_cap - *used).max(0.0));
        *used += applied;
        f.points = Some(round2(applied));
    }
    let deducted: f64 = by_group.values().sum();
    let part2 = if no_service {
        // Service items were skipped above: everything deducted is from the other 75 points.
        (s.no_service_base - deducted).max(0.0) * s.no_service_scale
    } else {
        (s.deduction_total - deducted).max(0.0)
    };
    // Bonus (portals only, above the gate): person-scored items, none automatic.
    let bonus = 0.0_f64.min(s.bonus_total);
    let total = if part2 > s.bonus_above && crawl.site.category.is_portal() {
        part2 + bonus
    } else {
        part2
    };
    round2(total)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
