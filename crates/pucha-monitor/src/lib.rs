//! `pucha monitor`: the long-running availability prober of indicators §3.7.
//!
//! Why it exists: `veto.site_unreachable` needs at least 20 homepage probes a
//! day over the 7 days before the census date, which a quarterly crawl cannot
//! take. The monitor probes every site's homepage on a fixed interval (30 min
//! by default), spread evenly and jittered over the interval so thousands of
//! sites never burst at once, keeps the samples in Redis as a per-site time
//! series with a retention, and fires an early-warning webhook when a site
//! reaches the warning level (3 % failures over 7 days by default), before
//! the 5 % veto level. Each probe also records what the homepage shows (newest date,
//! fingerprint), and a homepage not updated for 10 days fires a warning of its own,
//! before the 2-week `veto.homepage_not_updated`.
//!
//! Layout:
//! - [`availability`]: pure assessment of a window of samples against the thresholds;
//! - [`schedule`]: pure placement of probe times (even spread, jitter, resume);
//! - [`store`]: the [`SampleStore`] trait with the Redis and in-process stores, and
//!   [`load_samples`] for the census;
//! - [`freshness`]: pure assessment of whether the homepage was updated (the "homepage not
//!   updated" early warning, 10 days by default, before the 2-week veto);
//! - [`notify`]: the [`Notifier`] trait and the JSON webhook;
//! - [`monitor`]: the [`Monitor`] loop tying them to the prober of `pucha-crawl`, and the
//!   [`Recorder`] that stores samples and warns;
//! - [`queue`]: queue mode, the monitor spread over probe consumers through RabbitMQ.

pub mod availability;
pub mod freshness;
pub mod monitor;
pub mod notify;
pub mod queue;
pub mod schedule;
pub mod store;

use std::time::Duration;

pub use availability::{
    assess, census_samples_window, census_window, Assessment, Level, Thresholds,
};
pub use freshness::{assess_freshness, Basis, Freshness};
pub use monitor::{Monitor, MonitorConfig, Prober, Recorded, Recorder};
pub use notify::{NoNotifier, Notifier, Warning, WebhookNotifier};
pub use queue::{handle_job, run_prober, AmqpProbeQueue, Handled, ProbeJob, ProbeQueue};
pub use store::{
    load_samples, MemoryStore, RedisStore, SampleStore, WarnKind, WarnState, DEFAULT_PREFIX,
};

/// Re-exported so callers (the binary, tests) use the same client version.
pub use redis;
/// The shutdown signal [`Monitor::run`] takes.
pub use tokio_util::sync::CancellationToken;

/// Why the monitor (not a probed site) failed. A failing site is a sample, never an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MonitorError {
    #[error("Redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("stored probe sample is not valid JSON: {0}")]
    Decode(#[from] serde_json::Error),
    #[error("webhook {url}: {detail}")]
    Webhook { url: String, detail: String },
    #[error("cannot build the prober: {0}")]
    Prober(String),
    #[error("invalid monitor configuration: {0}")]
    Config(String),
    #[error("probe queue: {0}")]
    Queue(String),
}

impl MonitorError {
    /// Whether trying again later may succeed (Redis or the webhook receiver briefly gone).
    pub fn is_transient(&self) -> bool {
        match self {
            MonitorError::Redis(e) => {
                e.is_io_error() || e.is_timeout() || e.is_connection_dropped()
            }
            MonitorError::Webhook { .. } | MonitorError::Queue(_) => true,
            _ => false,
        }
    }
}

/// The total timeout of one probe: indicators §3.7 ("超过（含）15秒" fails).
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(15);

/// The default probe interval: 48 probes a day, margin over the required 20.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30 * 60);

/// The default retention of samples in the store.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(120 * 24 * 3600);

/// Parses a duration such as `30m`, `90s`, `2h`, `120d`, `500ms` (a bare number is seconds).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("invalid duration {s:?}: expected e.g. 30m, 90s, 2h, 120d"))?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86400.0,
        other => return Err(format!("invalid duration unit {other:?} in {s:?}")),
    };
    if !secs.is_finite() || secs <= 0.0 {
        return Err(format!("duration {s:?} must be positive"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(
            parse_duration("120d").unwrap(),
            Duration::from_secs(120 * 86400)
        );
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("45").unwrap(), Duration::from_secs(45));
        assert!(parse_duration("0m").is_err());
        assert!(parse_duration("3 weeks").is_err());
        assert!(parse_duration("m").is_err());
    }
}
