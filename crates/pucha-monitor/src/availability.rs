//! The assessment of a window of probe samples (indicators §3.7): failure share, probes per
//! day, and the level reached. Pure: the window and thresholds are arguments.

use std::collections::BTreeMap;

use pucha_core::ProbeSample;
use serde::{Deserialize, Serialize};

/// Failure shares that define the levels. Defaults: warning at 3 % (the UCAP practice, S40),
/// veto at 5 % (the rule), and at least 20 probes a day for the evidence to count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Early warning when failures / probes ≥ this.
    pub warn_failure_ratio: f64,
    /// `veto.site_unreachable` when failures / probes ≥ this.
    pub veto_failure_ratio: f64,
    /// Probes a day the rule requires; days with fewer are reported as thin evidence.
    pub min_probes_per_day: u32,
    /// No level is assessed from fewer probes than this (one failed probe out of two is noise).
    pub min_probes: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            warn_failure_ratio: 0.03,
            veto_failure_ratio: 0.05,
            min_probes_per_day: 20,
            min_probes: 20,
        }
    }
}

impl Thresholds {
    /// Checks the shares are ordered and within 0..=1.
    pub fn validate(&self) -> Result<(), String> {
        let ok = |r: f64| (0.0..=1.0).contains(&r);
        if !ok(self.warn_failure_ratio) || !ok(self.veto_failure_ratio) {
            return Err("failure ratios must be within 0..=1".into());
        }
        if self.warn_failure_ratio > self.veto_failure_ratio {
            return Err(format!(
                "the warning level ({}) must not exceed the veto level ({})",
                self.warn_failure_ratio, self.veto_failure_ratio
            ));
        }
        Ok(())
    }
}

/// How bad a site's availability is over the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Too few probes to say.
    Unknown,
    Ok,
    /// At or past the warning level, below the veto level.
    Warning,
    /// At or past the veto level.
    Veto,
}

/// The availability of one site over a window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub probes: u64,
    pub failures: u64,
    /// failures / probes (0 when there is no probe).
    pub failure_ratio: f64,
    pub level: Level,
    /// Probes per calendar day (UTC+8), as the evidence lists them.
    pub per_day: BTreeMap<chrono::NaiveDate, (u64, u64)>,
    /// Days of the window with fewer probes than the rule requires.
    pub thin_days: u32,
}

impl Assessment {
    /// Share of successful probes (1 when there is no probe).
    pub fn availability_ratio(&self) -> f64 {
        if self.probes == 0 {
            1.0
        } else {
            1.0 - self.failure_ratio
        }
    }
}

/// The window `veto.site_unreachable` reads for a census as of `as_of` (UTC+8): the 7 days
/// before that date, `[as_of − 7 d 00:00, as_of 00:00)` in UTC+8, as UTC instants
/// (the end is the last millisecond before midnight, for inclusive range queries).
pub fn census_window(
    as_of: chrono::NaiveDate,
) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    days_before_window(as_of, 7)
}

/// The samples a census reads for one site: the 7 days of `veto.site_unreachable` and the
/// 14 days of `veto.homepage_not_updated` plus the snapshots just before them (16 days in
/// all), `[as_of − 16 d 00:00, as_of 00:00)` in UTC+8. Each rule keeps its own days.
pub fn census_samples_window(
    as_of: chrono::NaiveDate,
) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    days_before_window(as_of, i64::from(crate::freshness::VETO_WINDOW_DAYS) + 2)
}

fn days_before_window(
    as_of: chrono::NaiveDate,
    days: i64,
) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let midnight = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_local_timezone(pucha_core::cst())
            .single()
            .expect("fixed offset")
            .with_timezone(&chrono::Utc)
    };
    let end = midnight(as_of);
    (
        end - chrono::Duration::days(days),
        end - chrono::Duration::milliseconds(1),
    )
}

/// Assesses `samples` (already restricted to the window) against `t`.
pub fn assess(samples: &[ProbeSample], t: &Thresholds) -> Assessment {
    let probes = samples.len() as u64;
    let failures = samples.iter().filter(|s| !s.ok()).count() as u64;
    let failure_ratio = if probes == 0 {
        0.0
    } else {
        failures as f64 / probes as f64
    };
    let level = if probes < u64::from(t.min_probes) || probes == 0 {
        Level::Unknown
    } else if failure_ratio >= t.veto_failure_ratio {
        Level::Veto
    } else if failure_ratio >= t.warn_failure_ratio {
        Level::Warning
    } else {
        Level::Ok
    };
    let mut per_day: BTreeMap<chrono::NaiveDate, (u64, u64)> = BTreeMap::new();
    for s in samples {
        let day = s.at.with_timezone(&pucha_core::cst()).date_naive();
        let e = per_day.entry(day).or_default();
        e.0 += 1;
        e.1 += u64::from(!s.ok());
    }
    let thin_days = per_day
        .values()
        .filter(|(n, _)| *n < u64::from(t.min_probes_per_day))
        .count() as u32;
    Assessment {
        probes,
        failures,
        failure_ratio,
        level,
        per_day,
        thin_days,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};
    use pucha_core::ProbeFailure;

    fn samples(n: usize, fail_every: usize) -> Vec<ProbeSample> {
        let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        (0..n)
            .map(|i| ProbeSample {
                content: None,
                at: t0 + Duration::minutes(30 * i as i64),
                elapsed_ms: 100,
                status: Some(200),
                failure: (fail_every > 0 && (i + 1) % fail_every == 0)
                    .then_some(ProbeFailure::Timeout),
            })
            .collect()
    }

    #[test]
    fn levels_follow_the_failure_share() {
        let t = Thresholds::default();
        // 7 days at 48/day = 336 probes.
        assert_eq!(assess(&samples(336, 0), &t).level, Level::Ok);
        assert_eq!(assess(&samples(336, 3), &t).level, Level::Veto);
        // 1 in 25 = 4 %: warning, not veto.
        let a = assess(&samples(336, 25), &t);
        assert_eq!(a.level, Level::Warning, "{a:?}");
        assert_eq!(a.failures, 13);
        // Exactly 5 % is a veto ("≥5%").
        assert_eq!(assess(&samples(340, 20), &t).level, Level::Veto);
        assert_eq!(assess(&samples(5, 0), &t).level, Level::Unknown);
    }

    #[test]
    fn days_are_counted_in_utc_plus_8() {
        let a = assess(&samples(48, 0), &Thresholds::default());
        // 00:00 .. 23:30 UTC is 08:00 .. 07:30 next day in UTC+8: 32 + 16 probes.
        let counts: Vec<u64> = a.per_day.values().map(|(n, _)| *n).collect();
        assert_eq!(counts, vec![32, 16]);
        assert_eq!(a.thin_days, 1);
    }

    #[test]
    fn the_census_window_is_the_7_days_before_as_of_in_utc_plus_8() {
        let (from, to) = census_window(chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
        assert_eq!(from, Utc.with_ymd_and_hms(2026, 3, 23, 16, 0, 0).unwrap());
        assert_eq!(
            to,
            Utc.with_ymd_and_hms(2026, 3, 30, 16, 0, 0).unwrap() - Duration::milliseconds(1)
        );
    }

    #[test]
    fn the_census_reads_16_days_of_samples_for_the_homepage_snapshots() {
        let (from, to) =
            census_samples_window(chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
        assert_eq!(from, Utc.with_ymd_and_hms(2026, 3, 14, 16, 0, 0).unwrap());
        assert_eq!(
            to,
            Utc.with_ymd_and_hms(2026, 3, 30, 16, 0, 0).unwrap() - Duration::milliseconds(1)
        );
    }

    #[test]
    fn thresholds_must_be_ordered() {
        let t = Thresholds {
            warn_failure_ratio: 0.06,
            ..Thresholds::default()
        };
        assert!(t.validate().is_err());
        assert!(Thresholds::default().validate().is_ok());
    }
}
