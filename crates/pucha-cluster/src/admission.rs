//! How many sites a worker keeps in flight: many, because a polite crawl mostly waits, but
//! never more than its memory allows.
//!
//! A fixed number is wrong both ways: 8 sites leave a polite census idle for hours (each site
//! is bounded by its own host's request rate, not by the worker), and hundreds of large sites
//! at once exhaust memory. The worker therefore takes up to `max` jobs, and takes the next one
//! only while its resident memory is under the budget. A job in flight is never stopped; the
//! budget only holds back new ones, so at least one site always runs.

use std::time::Duration;

/// Sites a worker keeps in flight when not told otherwise.
pub const DEFAULT_MAX_SITES: usize = 256;
/// Resident memory above which a worker takes no new site, when not told otherwise.
pub const DEFAULT_MEMORY_BUDGET: u64 = 768 * 1024 * 1024;

/// The admission rule of a worker: at most `max` sites, new ones only under `memory_budget`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    pub max: usize,
    /// Bytes of resident memory; 0 turns the memory check off.
    pub memory_budget: u64,
}

impl Default for Admission {
    fn default() -> Self {
        Admission {
            max: DEFAULT_MAX_SITES,
            memory_budget: DEFAULT_MEMORY_BUDGET,
        }
    }
}

impl Admission {
    /// A fixed number of sites, no memory check.
    pub fn fixed(n: usize) -> Admission {
        Admission {
            max: n.max(1),
            memory_budget: 0,
        }
    }

    /// Whether a new site may start with `in_flight` running and `rss` bytes resident
    /// (`None`: unknown, e.g. not Linux).
    pub fn admits(&self, in_flight: usize, rss: Option<u64>) -> bool {
        if in_flight == 0 {
            return true;
        }
        if in_flight >= self.max {
            return false;
        }
        match rss {
            Some(r) if self.memory_budget > 0 => r < self.memory_budget,
            _ => true,
        }
    }

    /// Waits until a new site may start; `in_flight` is read again on every look.
    pub async fn wait(&self, in_flight: impl Fn() -> usize) {
        let mut logged = false;
        loop {
            let rss = resident_bytes();
            if self.admits(in_flight(), rss) {
                return;
            }
            if !logged && in_flight() < self.max {
                logged = true;
                tracing::info!(
                    rss_mib = rss.unwrap_or(0) / (1024 * 1024),
                    budget_mib = self.memory_budget / (1024 * 1024),
                    in_flight = in_flight(),
                    "memory budget reached: no new site until one finishes"
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// This process's resident set size (Linux `/proc/self/status` VmRSS), or `None`.
pub fn resident_bytes() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_rss(&s)
}

fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Parses a size as operators write it: `768M`, `1G`, `512MiB`, `1.5GiB`, or bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a size (e.g. 768M, 2G)"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown size unit {other:?} in {s:?} (use K, M or G)"
            ))
        }
    };
    Ok((n * mult) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_max_and_under_the_budget_and_always_one() {
        let a = Admission {
            max: 3,
            memory_budget: 100,
        };
        assert!(a.admits(0, Some(1_000)), "one site always runs");
        assert!(a.admits(2, Some(99)));
        assert!(!a.admits(3, Some(1)), "max");
        assert!(!a.admits(1, Some(100)), "budget");
        assert!(a.admits(1, None), "unknown memory: only max counts");
        assert!(Admission::fixed(2).admits(1, Some(u64::MAX)));
        assert!(!Admission::fixed(2).admits(2, Some(0)));
    }

    #[test]
    fn reads_vm_rss() {
        let s = "Name:\tpucha\nVmHWM:\t  9000 kB\nVmRSS:\t  1234 kB\n";
        assert_eq!(parse_vm_rss(s), Some(1234 * 1024));
        assert_eq!(parse_vm_rss("Name: x\n"), None);
        if cfg!(target_os = "linux") {
            assert!(resident_bytes().is_some_and(|b| b > 0));
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("768M"), Ok(768 * 1024 * 1024));
        assert_eq!(parse_size("1GiB"), Ok(1024 * 1024 * 1024));
        assert_eq!(parse_size("1.5g"), Ok(1536 * 1024 * 1024));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("3T").is_err());
    }
}
