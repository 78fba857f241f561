//! The run-wide link board: one outcome per link target and one health state per target host,
//! shared by every site a crawler checks.
//!
//! Why: the sites of a region link the same targets (the city portal, national sites, the 找错
//! and badge hosts), and the world has slow, dead and refusing hosts in it. Without the board,
//! 40 sites linking one target that answers after 20 s pay 40 timeouts, and a site linking 100
//! pages of a host that never answers the SYN pays 100 connect timeouts. With it:
//! - a target is checked once; concurrent checks of it wait for the first one (in-flight
//!   de-duplication), and timeouts and DNS failures are shared results too;
//! - a host that refused a connection, failed DNS or never answered the SYN (or timed out
//!   [`SLOW_STRIKES`] times in a row) is *down*: further checks of it are answered from that
//!   state, with the evidence of the first failure, and count the links they cover.
//!
//! States expire after [`HOST_STATE_TTL`] so a long-lived worker forgets yesterday's outage.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pucha_core::{BrokenReason, LinkOutcome};
use tokio::sync::OnceCell;
use tokio::time::Instant;

/// How long a host's failure state answers for it.
pub const HOST_STATE_TTL: Duration = Duration::from_secs(15 * 60);
/// Response timeouts in a row (no answer in between) that make a host down.
pub const SLOW_STRIKES: u32 = 2;
/// Shared outcomes kept; past it, settled entries are dropped (in-flight ones stay).
const MAX_OUTCOMES: usize = 200_000;

/// What one request told about its target host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HostSignal {
    /// The host answered (any HTTP status).
    Alive,
    /// The host is not there: DNS failure, refused connection, SYN never answered.
    Dead(BrokenReason),
    /// Connected, but no answer within the request timeout.
    Slow,
    /// Nothing learnt about the host (egress, robots, budget, TLS).
    Nothing,
}

/// Why a host is taken as down, with the evidence of its first failure.
#[derive(Debug, Clone)]
pub struct HostDown {
    pub reason: BrokenReason,
    /// The target whose check showed it.
    pub first_url: String,
    since: Instant,
    /// Checks answered from this state (across every site of the run).
    covered: Arc<AtomicU64>,
}

impl HostDown {
    /// Checks answered from this state so far.
    #[cfg(test)]
    pub fn covered(&self) -> u64 {
        self.covered.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Default)]
struct HostState {
    down: Option<HostDown>,
    slow_strikes: u32,
    last_slow_url: String,
}

/// One shared outcome: `None` when the first check's outcome was not for sharing (cut by its
/// site's deadline, egress, robots): the other sites then check for themselves.
type Cell = Arc<OnceCell<Option<LinkOutcome>>>;

/// The board of one crawler (one worker process, every site of its runs).
#[derive(Debug, Default)]
pub struct LinkBoard {
    outcomes: Mutex<HashMap<String, Cell>>,
    hosts: Mutex<HashMap<String, HostState>>,
    checks_saved: AtomicU64,
}

impl LinkBoard {
    /// The shared cell of `url` (created empty when new).
    pub(crate) fn cell(&self, url: &str) -> Cell {
        let mut m = self.outcomes.lock().expect("link board lock");
        if let Some(c) = m.get(url) {
            // Answered by a check another site made or is making.
            self.checks_saved.fetch_add(1, Ordering::Relaxed);
            return c.clone();
        }
        if m.len() >= MAX_OUTCOMES {
            m.retain(|_, c| !c.initialized() || Arc::strong_count(c) > 1);
        }
        let c = Cell::default();
        m.insert(url.to_string(), c.clone());
        c
    }

    /// Checks answered by another site's check of the same target (settled or in flight).
    pub fn checks_saved(&self) -> u64 {
        self.checks_saved.load(Ordering::Relaxed)
    }

    /// The down state of `host_key`, if the host is down; counts the check it answers.
    pub(crate) fn answer_down(&self, host_key: &str) -> Option<HostDown> {
        let mut m = self.hosts.lock().expect("link board lock");
        let st = m.get_mut(host_key)?;
        match &st.down {
            Some(d) if d.since.elapsed() < HOST_STATE_TTL => {
                d.covered.fetch_add(1, Ordering::Relaxed);
                Some(d.clone())
            }
            Some(_) => {
                st.down = None;
                st.slow_strikes = 0;
                None
            }
            None => None,
        }
    }

    /// Whether `host_key` is down now (no counting).
    pub(crate) fn is_down(&self, host_key: &str) -> bool {
        let m = self.hosts.lock().expect("link board lock");
        m.get(host_key)
            .and_then(|s| s.down.as_ref())
            .is_some_and(|d| d.since.elapsed() < HOST_STATE_TTL)
    }

    /// Learns from one request to `host_key` for `url`. Returns the new down state when this
    /// request made the host down.
    pub(crate) fn learn(&self, host_key: &str, url: &str, signal: HostSignal) -> Option<HostDown> {
        if signal == HostSignal::Nothing {
            return None;
        }
        let mut m = self.hosts.lock().expect("link board lock");
        let st = m.entry(host_key.to_string()).or_default();
        if st
            .down
            .as_ref()
            .is_some_and(|d| d.since.elapsed() < HOST_STATE_TTL)
        {
            return None;
        }
        let down = |reason: BrokenReason, first_url: String| HostDown {
            reason,
            first_url,
            since: Instant::now(),
            covered: Arc::new(AtomicU64::new(0)),
        };
        match signal {
            HostSignal::Alive | HostSignal::Nothing => {
                st.slow_strikes = 0;
                st.down = None;
                None
            }
            HostSignal::Dead(reason) => {
                let d = down(reason, url.to_string());
                st.down = Some(d.clone());
                Some(d)
            }
            HostSignal::Slow => {
                st.slow_strikes += 1;
                if st.slow_strikes == 1 {
                    st.last_slow_url = url.to_string();
                }
                (st.slow_strikes >= SLOW_STRIKES).then(|| {
                    let d = down(BrokenReason::Timeout, std::mem::take(&mut st.last_slow_url));
                    st.down = Some(d.clone());
                    d
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn dead_host_answers_later_checks_and_counts_them() {
        let b = LinkBoard::default();
        assert!(b.answer_down("x:80").is_none());
        let d = b
            .learn(
                "x:80",
                "http://x/a",
                HostSignal::Dead(BrokenReason::Refused),
            )
            .expect("made down");
        assert_eq!(d.first_url, "http://x/a");
        for _ in 0..3 {
            assert_eq!(b.answer_down("x:80").unwrap().reason, BrokenReason::Refused);
        }
        assert_eq!(d.covered(), 3);
        assert!(b.is_down("x:80"));
        assert!(!b.is_down("y:80"));
    }

    #[tokio::test]
    async fn one_slow_answer_is_not_a_dead_host_two_in_a_row_are() {
        let b = LinkBoard::default();
        assert!(b.learn("s:80", "http://s/1", HostSignal::Slow).is_none());
        assert!(b.learn("s:80", "http://s/ok", HostSignal::Alive).is_none());
        assert!(b.learn("s:80", "http://s/2", HostSignal::Slow).is_none());
        assert!(!b.is_down("s:80"));
        let d = b.learn("s:80", "http://s/3", HostSignal::Slow).unwrap();
        assert_eq!(d.reason, BrokenReason::Timeout);
        assert_eq!(d.first_url, "http://s/2");
    }

    #[tokio::test(start_paused = true)]
    async fn states_expire() {
        let b = LinkBoard::default();
        b.learn("x:80", "http://x/", HostSignal::Dead(BrokenReason::Dns));
        assert!(b.is_down("x:80"));
        tokio::time::advance(HOST_STATE_TTL + Duration::from_secs(1)).await;
        assert!(!b.is_down("x:80"));
        assert!(b.answer_down("x:80").is_none());
    }

    #[tokio::test]
    async fn one_cell_per_target() {
        let b = LinkBoard::default();
        let c1 = b.cell("http://t/");
        let c2 = b.cell("http://t/");
        assert!(Arc::ptr_eq(&c1, &c2));
        c1.get_or_init(|| async { Some(LinkOutcome::Ok { status: 200 }) })
            .await;
        let _ = b.cell("http://t/");
        let _ = b.cell("http://other/");
        // The second and third asks for http://t/ were answered by the first one's cell.
        assert_eq!(b.checks_saved(), 2);
    }
}
