//! Whether a homepage was updated recently: the "homepage not updated" early warning.
//! Pure: the samples, the clock and the threshold are arguments.
//!
//! `veto.homepage_not_updated` (indicators §3.8) vetoes a site whose homepage shows no new
//! information for 2 weeks; vendor monitors warn at 10 days (S40). Each successful probe
//! records what the homepage shows ([`pucha_core::HomepageContent`]: newest date and a
//! fingerprint). The homepage counts as not updated when
//! - its newest date is `stale_after_days` or more days old (today in UTC+8), or
//! - it shows no date at all and its fingerprint has not changed for `stale_after_days`
//!   across the stored samples (the snapshot comparison of §3.8 step 4).

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use pucha_core::ProbeSample;
use serde::{Deserialize, Serialize};

/// The window of `veto.homepage_not_updated` (2 weeks): the warning must come before it.
pub const VETO_WINDOW_DAYS: u32 = 14;

/// The default warning level: 10 days without update (vendor practice, S40).
pub const DEFAULT_STALE_AFTER_DAYS: u32 = 10;

/// How the update was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The newest content date shown on the homepage.
    Dates,
    /// No date on the homepage: how long its fingerprint stayed the same.
    Fingerprint,
}

/// How fresh a homepage is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Freshness {
    pub basis: Basis,
    /// The newest date shown ([`Basis::Dates`]).
    pub newest: Option<NaiveDate>,
    /// Since when the homepage shows what it shows now: the newest date at 00:00 UTC+8,
    /// or the first stored sample of the current fingerprint (a lower bound: older
    /// samples than those assessed are not looked at).
    pub updated_at: DateTime<Utc>,
    /// Whole days since `updated_at` (by calendar date in UTC+8 for [`Basis::Dates`]).
    pub age_days: i64,
    /// At or past the warning level.
    pub stale: bool,
}

/// The history [`assess_freshness`] needs: the warning level plus one day.
pub fn lookback(stale_after_days: u32) -> Duration {
    Duration::from_secs((u64::from(stale_after_days) + 1) * 86400)
}

/// Checks the warning level is at least a day and comes before the veto's 2 weeks.
pub fn validate(stale_after_days: u32) -> Result<(), String> {
    if stale_after_days == 0 || stale_after_days >= VETO_WINDOW_DAYS {
        return Err(format!(
            "the homepage-not-updated warning ({stale_after_days} days) must be 1 to {} days, \
             before the {VETO_WINDOW_DAYS}-day veto",
            VETO_WINDOW_DAYS - 1
        ));
    }
    Ok(())
}

/// Assesses `samples` (oldest first) as of `now`; None when no sample saw the page (every
/// probe failed, or the samples predate content recording).
pub fn assess_freshness(
    samples: &[ProbeSample],
    now: DateTime<Utc>,
    stale_after_days: u32,
) -> Option<Freshness> {
    let (last_i, latest) = samples
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, s)| s.content.as_ref().map(|c| (i, c)))?;
    let threshold = i64::from(stale_after_days);
    if let Some(newest) = latest.newest {
        let today = now.with_timezone(&pucha_core::cst()).date_naive();
        let age_days = (today - newest).num_days();
        return Some(Freshness {
            basis: Basis::Dates,
            newest: Some(newest),
            updated_at: cst_midnight(newest),
            age_days,
            stale: age_days >= threshold,
        });
    }
    // No date: walk back over the samples that saw the same page.
    let mut since = samples[last_i].at;
    for s in samples[..last_i].iter().rev() {
        match &s.content {
            Some(c) if c.newest.is_none() && c.fingerprint == latest.fingerprint => since = s.at,
            Some(_) => break,
            // A failed probe saw nothing; it does not end the run.
            None => {}
        }
    }
    let age = now - since;
    Some(Freshness {
        basis: Basis::Fingerprint,
        newest: None,
        updated_at: since,
        age_days: age.num_days(),
        stale: age >= chrono::Duration::days(threshold),
    })
}

fn cst_midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_local_timezone(pucha_core::cst())
        .single()
        .expect("fixed offset")
        .with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use pucha_core::{HomepageContent, ProbeFailure};

    fn now() -> DateTime<Utc> {
        // 2026-11-26 10:00 in UTC+8.
        Utc.with_ymd_and_hms(2026, 11, 26, 2, 0, 0).unwrap()
    }

    fn sample(hours_ago: i64, content: Option<(Option<NaiveDate>, &str)>) -> ProbeSample {
        ProbeSample {
            at: now() - chrono::Duration::hours(hours_ago),
            elapsed_ms: 40,
            status: Some(if content.is_some() { 200 } else { 503 }),
            failure: content.is_none().then_some(ProbeFailure::Status(503)),
            content: content.map(|(newest, fp)| HomepageContent {
                newest,
                fingerprint: fp.to_string(),
            }),
        }
    }

    fn days_ago(n: i64) -> Option<NaiveDate> {
        Some(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap() - chrono::Duration::days(n))
    }

    #[test]
    fn the_newest_date_decides_when_the_page_shows_dates() {
        let f = assess_freshness(&[sample(1, Some((days_ago(12), "a")))], now(), 10).unwrap();
        assert_eq!((f.basis, f.age_days, f.stale), (Basis::Dates, 12, true));
        assert_eq!(f.newest, days_ago(12));
        // 2026-11-14 00:00 UTC+8.
        assert_eq!(
            f.updated_at,
            Utc.with_ymd_and_hms(2026, 11, 13, 16, 0, 0).unwrap()
        );
        let f = assess_freshness(&[sample(1, Some((days_ago(3), "b")))], now(), 10).unwrap();
        assert_eq!((f.age_days, f.stale), (3, false));
        // Exactly at the level: 10 days without update warns.
        assert!(
            assess_freshness(&[sample(1, Some((days_ago(10), "c")))], now(), 10)
                .unwrap()
                .stale
        );
        assert!(
            !assess_freshness(&[sample(1, Some((days_ago(9), "c")))], now(), 10)
                .unwrap()
                .stale
        );
    }

    #[test]
    fn the_latest_sample_that_saw_the_page_counts_and_failures_are_skipped() {
        let samples = [
            sample(30, Some((days_ago(20), "old"))),
            sample(2, Some((days_ago(1), "new"))),
            sample(1, None),
        ];
        let f = assess_freshness(&samples, now(), 10).unwrap();
        assert_eq!((f.age_days, f.stale), (1, false));
        assert_eq!(assess_freshness(&[sample(1, None)], now(), 10), None);
        assert_eq!(assess_freshness(&[], now(), 10), None);
    }

    #[test]
    fn an_undated_page_is_stale_when_its_fingerprint_stays_the_same_for_the_period() {
        // Every 6 hours for 11 days, the same page, with failed probes in between.
        let same: Vec<ProbeSample> = (0..=44)
            .rev()
            .map(|i| {
                if i % 7 == 3 {
                    sample(i * 6, None)
                } else {
                    sample(i * 6, Some((None, "same")))
                }
            })
            .collect();
        let f = assess_freshness(&same, now(), 10).unwrap();
        assert_eq!(f.basis, Basis::Fingerprint);
        assert_eq!(f.updated_at, now() - chrono::Duration::hours(264));
        assert_eq!((f.age_days, f.stale), (11, true));

        // Changed 4 days ago: not stale, and the change is when it counts from.
        let mut changed = same.clone();
        for s in changed
            .iter_mut()
            .filter(|s| s.at >= now() - chrono::Duration::days(4))
        {
            if let Some(c) = &mut s.content {
                c.fingerprint = "other".into();
            }
        }
        let f = assess_freshness(&changed, now(), 10).unwrap();
        assert_eq!(f.updated_at, now() - chrono::Duration::hours(96));
        assert_eq!((f.age_days, f.stale), (4, false));

        // Fewer than 10 days observed: not (yet) stale.
        let f = assess_freshness(&same[same.len() - 20..], now(), 10).unwrap();
        assert!(!f.stale, "{f:?}");
    }

    #[test]
    fn the_level_must_come_before_the_veto() {
        assert!(validate(10).is_ok());
        assert!(validate(13).is_ok());
        assert!(validate(14).is_err());
        assert!(validate(0).is_err());
        assert_eq!(lookback(10), Duration::from_secs(11 * 86400));
    }
}
