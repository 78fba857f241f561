//! The run summary: counts, pass rate and the breakdown by category (report.pass_rate).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::result::{SiteResult, Verdict};
use crate::site::Category;

/// Counts for one group of sites.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Counts {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    /// passed ÷ checked × 100, rounded to two decimals (checked = total − errors); null when none was checked.
    pub pass_rate: Option<f64>,
}

impl Counts {
    fn add(&mut self, v: Verdict) {
        self.total += 1;
        match v {
            Verdict::Pass => self.passed += 1,
            Verdict::Fail => self.failed += 1,
            Verdict::Error => self.errors += 1,
        }
    }

    /// Sites that got a verdict (检查网站数).
    pub fn checked(&self) -> usize {
        self.passed + self.failed
    }

    fn finish(&mut self) {
        self.pass_rate = pass_rate(self.passed, self.checked());
    }

    /// "35/53 = 66.04%": numerator and denominator are always printed (indicators §13.3).
    pub fn pass_rate_text(&self) -> String {
        match self.pass_rate {
            Some(r) => format!("{}/{} = {:.2}%", self.passed, self.checked(), r),
            None => "—".to_string(),
        }
    }
}

/// passed ÷ checked × 100 rounded half away from zero to two decimals.
pub fn pass_rate(passed: usize, checked: usize) -> Option<f64> {
    if checked == 0 {
        return None;
    }
    let bp = (passed as f64 * 10000.0 / checked as f64).round();
    Some(bp / 100.0)
}

/// The run summary of the report contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub pass_rate: Option<f64>,
    /// Sites with some vetoing finding that a person must confirm (待复核).
    #[serde(default)]
    pub needs_review: usize,
    pub by_category: BTreeMap<Category, Counts>,
}

impl Summary {
    pub fn from_results(results: &[SiteResult]) -> Summary {
        let mut all = Counts::default();
        let mut by_category: BTreeMap<Category, Counts> = BTreeMap::new();
        let mut needs_review = 0;
        for r in results {
            all.add(r.verdict);
            by_category
                .entry(r.site.category)
                .or_default()
                .add(r.verdict);
            if r.needs_review {
                needs_review += 1;
            }
        }
        all.finish();
        by_category.values_mut().for_each(Counts::finish);
        Summary {
            total: all.total,
            passed: all.passed,
            failed: all.failed,
            errors: all.errors,
            pass_rate: all.pass_rate,
            needs_review,
            by_category,
        }
    }

    pub fn counts(&self) -> Counts {
        Counts {
            total: self.total,
            passed: self.passed,
            failed: self.failed,
            errors: self.errors,
            pass_rate: self.pass_rate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_rate_matches_published_examples() {
        assert_eq!(pass_rate(35, 53), Some(66.04));
        assert_eq!(pass_rate(259, 314), Some(82.48));
        assert_eq!(pass_rate(854, 858), Some(99.53));
        assert_eq!(pass_rate(734, 735), Some(99.86));
        assert_eq!(pass_rate(0, 0), None);
    }
}
