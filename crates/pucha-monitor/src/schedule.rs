//! When each site is probed. Pure: the clock and the random source are arguments.
//!
//! Each site gets a fixed phase within the interval: site `i` of `n` is due at
//! `start + interval·i/n + jitter`, the jitter uniform within its own slot of
//! `interval/n`. So the probes of thousands of sites are spread evenly and
//! never burst, and each site keeps its phase round after round
//! (`next = due + interval`). The next due time of every site is stored, so a
//! restarted monitor resumes where it was; sites whose stored time is already
//! past (the monitor was down) are spread again over one interval instead of
//! all being probed at once.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

fn chrono_dur(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// The first due time of each of `keys`, in order.
///
/// A key with a stored due time still in the future keeps it (resume). The
/// others (new, or overdue while the monitor was down) are spread evenly over
/// one interval from `now`, each jittered within its slot.
pub fn initial(
    keys: &[String],
    stored: &HashMap<String, DateTime<Utc>>,
    now: DateTime<Utc>,
    interval: Duration,
    rng: &mut impl Rng,
) -> Vec<DateTime<Utc>> {
    let horizon = now + chrono_dur(interval);
    let pending: Vec<usize> = (0..keys.len())
        .filter(|&i| match stored.get(&keys[i]) {
            // A stored time beyond one interval is not ours (clock jump, changed interval).
            Some(at) => *at < now || *at > horizon,
            None => true,
        })
        .collect();
    let mut out: Vec<DateTime<Utc>> = keys
        .iter()
        .map(|k| stored.get(k).copied().unwrap_or(now))
        .collect();
    let n = pending.len().max(1) as f64;
    let slot = interval.as_secs_f64() / n;
    for (rank, &i) in pending.iter().enumerate() {
        let offset = slot * rank as f64 + rng.random_range(0.0..1.0) * slot;
        out[i] = now + chrono_dur(Duration::from_secs_f64(offset));
    }
    out
}

/// The due time after a probe that was due at `due`: one interval later, keeping the phase.
/// When the monitor fell more than an interval behind, the site is re-placed within the next
/// interval from `now` (random phase) rather than probed back-to-back to catch up.
pub fn next(
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    interval: Duration,
    rng: &mut impl Rng,
) -> DateTime<Utc> {
    let step = chrono_dur(interval);
    let next = due + step;
    if next > now {
        next
    } else {
        let offset = rng.random_range(0.0..1.0) * interval.as_secs_f64();
        now + chrono_dur(Duration::from_secs_f64(offset))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn keys(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("http://site{i}.gov.cn")).collect()
    }

    #[test]
    fn thousands_of_sites_are_spread_evenly_over_the_interval() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let interval = Duration::from_secs(1800);
        let n = 3000;
        let due = initial(
            &keys(n),
            &HashMap::new(),
            now,
            interval,
            &mut StdRng::seed_from_u64(7),
        );
        // Every minute of the interval gets n/30 = 100 probes, give or take the jitter at
        // the minute's edges.
        let mut per_minute = [0u32; 30];
        for d in &due {
            let secs = (*d - now).num_milliseconds() as f64 / 1000.0;
            assert!((0.0..1800.0).contains(&secs), "{secs}");
            per_minute[(secs / 60.0) as usize] += 1;
        }
        for (m, c) in per_minute.iter().enumerate() {
            assert!((99..=101).contains(c), "minute {m}: {c} probes");
        }
    }

    #[test]
    fn a_restart_keeps_future_times_and_respreads_overdue_ones() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let interval = Duration::from_secs(1800);
        let k = keys(4);
        let mut stored = HashMap::new();
        let kept = now + chrono::Duration::minutes(10);
        stored.insert(k[0].clone(), kept);
        stored.insert(k[1].clone(), now - chrono::Duration::hours(5));
        stored.insert(k[2].clone(), now + chrono::Duration::days(3));
        let due = initial(&k, &stored, now, interval, &mut StdRng::seed_from_u64(1));
        assert_eq!(due[0], kept);
        for d in &due[1..] {
            assert!(*d >= now && *d < now + chrono::Duration::minutes(30), "{d}");
        }
        // The three re-placed sites fall in three different 10-minute slots.
        let mut slots: Vec<i64> = due[1..]
            .iter()
            .map(|d| (*d - now).num_minutes() / 10)
            .collect();
        slots.sort();
        assert_eq!(slots, vec![0, 1, 2]);
    }

    #[test]
    fn the_next_probe_keeps_the_phase_unless_far_behind() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 5).unwrap();
        let due = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let interval = Duration::from_secs(1800);
        let mut rng = StdRng::seed_from_u64(3);
        assert_eq!(
            next(due, now, interval, &mut rng),
            due + chrono::Duration::minutes(30)
        );
        let late = now + chrono::Duration::hours(2);
        let n = next(due, late, interval, &mut rng);
        assert!(n >= late && n < late + chrono::Duration::minutes(30));
    }
}
