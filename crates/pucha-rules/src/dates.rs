//! Look-back windows of the indicators, relative to the check date T (a UTC+8 calendar date).
//!
//! "2 weeks" is 14 calendar days; "N months" is the same day N calendar months earlier, clamped to
//! the month end (chrono `Months`). An item is inside a window when its date is on or after the
//! window start.

use chrono::{Days, Months, NaiveDate};

/// The first day still inside an N-day window ending at `as_of`.
pub fn days_before(as_of: NaiveDate, days: u32) -> NaiveDate {
    as_of
        .checked_sub_days(Days::new(days.into()))
        .unwrap_or(NaiveDate::MIN)
}

/// The first day still inside an N-month window ending at `as_of`.
pub fn months_before(as_of: NaiveDate, months: u32) -> NaiveDate {
    as_of
        .checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDate::MIN)
}

/// A should-update window: days or calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Days(u32),
    Months(u32),
}

impl Window {
    pub fn start(self, as_of: NaiveDate) -> NaiveDate {
        match self {
            Window::Days(d) => days_before(as_of, d),
            Window::Months(m) => months_before(as_of, m),
        }
    }

    /// Chinese wording for notices: "两周", "六个月", "12 个月".
    pub fn label_zh(self) -> String {
        match self {
            Window::Days(14) => "两周".into(),
            Window::Days(d) => format!("{d} 天"),
            Window::Months(3) => "三个月".into(),
            Window::Months(6) => "六个月".into(),
            Window::Months(12) => "一年".into(),
            Window::Months(m) => format!("{m} 个月"),
        }
    }
}

/// A list date later than `limit` that would be in the past one year earlier is taken as that
/// date: list entries often show only month and day, and the year an analyser guessed for them
/// can be one too far. Other dates are returned unchanged.
pub fn list_date(d: NaiveDate, limit: NaiveDate) -> NaiveDate {
    if d <= limit {
        return d;
    }
    match d.checked_sub_months(Months::new(12)) {
        Some(prev) if prev <= limit => prev,
        _ => d,
    }
}

/// Dates found in a URL path: `/2024/10/4/`, `/2024/0829/`, `/t20230417_`, `/202406/`.
pub fn date_in_url(url: &str) -> Option<NaiveDate> {
    use once_cell::sync::Lazy;
    use regex::Regex;
    static YMD: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"/(20\d{2})/(\d{1,2})/(\d{1,2})/").expect("regex"));
    static Y_MD: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"/(20\d{2})/?(\d{2})(\d{2})/").expect("regex"));
    static T: Lazy<Regex> = Lazy::new(|| Regex::new(r"/t(20\d{2})(\d{2})(\d{2})_").expect("regex"));
    for re in [&*YMD, &*Y_MD, &*T] {
        if let Some(c) = re.captures(url) {
            let y = c[1].parse().ok()?;
            let m = c[2].parse().ok()?;
            let d = c[3].parse().ok()?;
            if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                return Some(date);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn months_clamp_to_month_end() {
        assert_eq!(months_before(d("2024-08-31"), 6), d("2024-02-29"));
        assert_eq!(months_before(d("2024-10-08"), 3), d("2024-07-08"));
        assert_eq!(months_before(d("2024-10-08"), 12), d("2023-10-08"));
    }

    #[test]
    fn two_weeks_is_fourteen_days() {
        assert_eq!(days_before(d("2024-10-08"), 14), d("2024-09-24"));
    }

    #[test]
    fn list_dates_a_year_ahead_are_moved_back() {
        let limit = d("2025-10-01");
        assert_eq!(list_date(d("2026-09-27"), limit), d("2025-09-27"));
        assert_eq!(list_date(d("2025-09-27"), limit), d("2025-09-27"));
        assert_eq!(list_date(d("2027-09-27"), limit), d("2027-09-27"));
    }

    #[test]
    fn url_dates() {
        assert_eq!(
            date_in_url("http://h/art/2024/10/4/art_1313_27764.html"),
            Some(d("2024-10-04"))
        );
        assert_eq!(
            date_in_url("http://h/ywdt/2024/0829/22476.html"),
            Some(d("2024-08-29"))
        );
        assert_eq!(
            date_in_url("http://h/zwgk/t20230417_123.html"),
            Some(d("2023-04-17"))
        );
        assert_eq!(date_in_url("http://h/col/col1305/index.html"), None);
    }
}
