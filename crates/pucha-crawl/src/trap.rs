//! Crawler-trap detection by budgets per URL pattern, not only by depth. Pure.
//!
//! Calendars, endless pagination and session ids in paths generate unbounded URL sets that
//! all share a pattern (see [`crate::normalize::url_pattern`]). Three budgets stop them:
//! pages per pattern, the length of a chain of same-pattern pages each found on the previous
//! one (next day, next page), and repeated path segments (`/a/b/a/b/a/b`, relative-link loops).
//! Whatever they cut is counted per pattern and reported.

use std::collections::HashMap;

use url::Url;

use crate::normalize::url_pattern;

/// Where an admitted URL sits in the trap accounting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrapMark {
    pub pattern: String,
    /// Same-pattern ancestors in an unbroken chain.
    pub chain: u32,
}

/// Pattern budgets of one site.
#[derive(Debug)]
pub struct TrapGuard {
    max_per_pattern: u32,
    max_chain: u32,
    admitted: HashMap<String, u32>,
    cut: HashMap<String, u64>,
}

/// Segments repeated this often in one path mark a loop.
const MAX_SEGMENT_REPEATS: usize = 3;
/// Paths deeper than this are traps whatever they repeat.
const MAX_PATH_SEGMENTS: usize = 24;

impl TrapGuard {
    pub fn new(max_per_pattern: u32, max_chain: u32) -> TrapGuard {
        TrapGuard {
            max_per_pattern: max_per_pattern.max(1),
            max_chain,
            admitted: HashMap::new(),
            cut: HashMap::new(),
        }
    }

    /// The mark of a page admitted without a parent (the homepage).
    pub fn root(&mut self, url: &Url) -> TrapMark {
        let pattern = url_pattern(url);
        *self.admitted.entry(pattern.clone()).or_default() += 1;
        TrapMark { pattern, chain: 0 }
    }

    /// Admits `url` found on a page marked `parent`, or says which trap it belongs to.
    pub fn admit(&mut self, url: &Url, parent: &TrapMark) -> Result<TrapMark, String> {
        let pattern = url_pattern(url);
        let segs: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
        let repeated = segs
            .iter()
            .any(|s| segs.iter().filter(|t| *t == s).count() >= MAX_SEGMENT_REPEATS);
        let verdict = if repeated {
            Some(format!("{pattern} (repeated path segments)"))
        } else if segs.len() > MAX_PATH_SEGMENTS {
            Some(format!(
                "{pattern} (path deeper than {MAX_PATH_SEGMENTS} segments)"
            ))
        } else {
            None
        };
        let chain = if pattern == parent.pattern {
            parent.chain + 1
        } else {
            0
        };
        let verdict = verdict.or_else(|| {
            if chain > self.max_chain {
                Some(format!("{pattern} (chain of {chain} same-pattern pages)"))
            } else if self.admitted.get(&pattern).copied().unwrap_or(0) >= self.max_per_pattern {
                Some(format!(
                    "{pattern} (more than {} pages)",
                    self.max_per_pattern
                ))
            } else {
                None
            }
        });
        match verdict {
            Some(label) => {
                // Count per pattern, whatever the reason.
                let key = label;
                *self.cut.entry(key.clone()).or_default() += 1;
                Err(key)
            }
            None => {
                *self.admitted.entry(pattern.clone()).or_default() += 1;
                Ok(TrapMark { pattern, chain })
            }
        }
    }

    /// What was cut, per trap, largest first.
    pub fn report(&self) -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = self.cut.iter().map(|(k, n)| (k.clone(), *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn stops_chains_budgets_and_loops() {
        let mut g = TrapGuard::new(5, 2);
        let home = g.root(&u("http://x.cn/"));
        let d1 = g.admit(&u("http://x.cn/cal?d=2024-01-01"), &home).unwrap();
        let d2 = g.admit(&u("http://x.cn/cal?d=2024-01-02"), &d1).unwrap();
        let d3 = g.admit(&u("http://x.cn/cal?d=2024-01-03"), &d2).unwrap();
        assert_eq!(d3.chain, 2);
        assert!(g.admit(&u("http://x.cn/cal?d=2024-01-04"), &d3).is_err());
        // Two more from the homepage fill the pattern budget of 5, then it is cut.
        g.admit(&u("http://x.cn/cal?d=2025-01-01"), &home).unwrap();
        g.admit(&u("http://x.cn/cal?d=2026-01-01"), &home).unwrap();
        assert!(g.admit(&u("http://x.cn/cal?d=2027-01-01"), &home).is_err());
        assert!(g
            .admit(&u("http://x.cn/a/b/a/b/a/b/c.html"), &home)
            .is_err());
        assert!(g.admit(&u("http://x.cn/news/1.html"), &home).is_ok());
        let rep = g.report();
        assert_eq!(rep.iter().map(|r| r.1).sum::<u64>(), 3);
    }
}
