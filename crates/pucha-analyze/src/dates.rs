//! Finding dates in the many forms Chinese government pages write them.
//!
//! Full dates: `2019-08-30`, `2019/08/30`, `2019.08.30`, `2019年8月30日`, with or without
//! spaces, in full-width digits (`２０１９－０８－３０`). Month-day forms (`08-30`, `[08-30]`,
//! `8月30日`) are only accepted when the caller knows the year from context, because
//! list pages print them without a year.

use chrono::NaiveDate;
use once_cell::sync::Lazy;
use regex::Regex;

/// A date found in a text, with its byte range in that text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundDate {
    pub date: NaiveDate,
    pub start: usize,
    pub end: usize,
    /// The year was written (not taken from context).
    pub has_year: bool,
}

/// Earliest and latest years accepted (guards against version numbers and phone numbers).
const MIN_YEAR: i32 = 1990;
const MAX_YEAR: i32 = 2099;

static FULL: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(\d{4})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?|([-/.])\s*(\d{1,2})\s*([-/.])\s*(\d{1,2}))",
    )
    .expect("regex")
});
static MONTH_DAY: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日|(\d{2})([-/])(\d{2})").expect("regex")
});

/// Full-width digits and date punctuation mapped to ASCII, with a byte-offset map back.
struct Normalized {
    text: String,
    /// For each byte of `text` (and one past the end): the byte offset in the original.
    map: Vec<usize>,
}

fn normalize(s: &str) -> Option<Normalized> {
    let needs = s
        .chars()
        .any(|c| matches!(c, '０'..='９' | '－' | '／' | '．'));
    if !needs {
        return None;
    }
    let mut text = String::with_capacity(s.len());
    let mut map = Vec::with_capacity(s.len() + 1);
    for (i, c) in s.char_indices() {
        let n = match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '－' => '-',
            '／' => '/',
            '．' => '.',
            c => c,
        };
        for _ in 0..n.len_utf8() {
            map.push(i);
        }
        text.push(n);
    }
    map.push(s.len());
    Some(Normalized { text, map })
}

fn digit_at(s: &str, idx: usize) -> bool {
    s.as_bytes().get(idx).is_some_and(u8::is_ascii_digit)
}

fn digit_before(s: &str, idx: usize) -> bool {
    idx > 0 && digit_at(s, idx - 1)
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Finds every date in `text`. Month-day forms need `context_year`.
pub fn find_dates(text: &str, context_year: Option<i32>) -> Vec<FoundDate> {
    let norm = normalize(text);
    let s = norm.as_ref().map_or(text, |n| n.text.as_str());
    let mut out: Vec<FoundDate> = Vec::new();
    if !s.bytes().any(|b| b.is_ascii_digit()) {
        return out;
    }
    for c in FULL.captures_iter(s) {
        let m = c.get(0).expect("match");
        if digit_before(s, m.start()) {
            continue;
        }
        let end = m.end();
        let y: i32 = c[1].parse().unwrap_or(0);
        let date = if let (Some(mo), Some(d)) = (c.get(2), c.get(3)) {
            ymd(
                y,
                mo.as_str().parse().unwrap_or(0),
                d.as_str().parse().unwrap_or(0),
            )
        } else {
            // Same separator twice, and no digit glued to the end (2024-10-081).
            if c[4] != c[6] || digit_at(s, end) {
                continue;
            }
            ymd(y, c[5].parse().unwrap_or(0), c[7].parse().unwrap_or(0))
        };
        if let Some(date) = date {
            out.push(FoundDate {
                date,
                start: m.start(),
                end,
                has_year: true,
            });
        }
    }
    if let Some(year) = context_year {
        for c in MONTH_DAY.captures_iter(s) {
            let m = c.get(0).expect("match");
            if out.iter().any(|f| f.start < m.end() && m.start() < f.end) {
                continue;
            }
            let (mo, d) = match (c.get(1), c.get(2)) {
                (Some(mo), Some(d)) => (mo.as_str(), d.as_str()),
                _ => {
                    // NN-NN: no digit or separator around it (phones, times, ranges).
                    let before = s[..m.start()].chars().next_back();
                    let after = s[m.end()..].chars().next();
                    let glued = |c: Option<char>| {
                        c.is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '/' | '.' | ':'))
                    };
                    if glued(before) || glued(after) {
                        continue;
                    }
                    (&c[3], &c[5])
                }
            };
            if digit_before(s, m.start()) {
                continue;
            }
            if let Some(date) = ymd(year, mo.parse().unwrap_or(0), d.parse().unwrap_or(0)) {
                out.push(FoundDate {
                    date,
                    start: m.start(),
                    end: m.end(),
                    has_year: false,
                });
            }
        }
        out.sort_by_key(|f| f.start);
    }
    if let Some(n) = norm {
        for f in &mut out {
            f.start = n.map[f.start];
            f.end = n.map[f.end];
        }
    }
    out
}

/// Parses the first date in `s` (any supported form). Month-day forms take `context_year`.
pub fn parse_date(s: &str, context_year: Option<i32>) -> Option<NaiveDate> {
    find_dates(s, context_year).first().map(|f| f.date)
}

/// A date in a URL path: `/2024/10/04/`, `/t20230417_`, `/202306/t20230608_`, `/2023-09/27/`,
/// `/2024/1008/` (DedeCMS), `/art/2024/10/4/`.
pub fn date_in_url(path: &str) -> Option<NaiveDate> {
    static PATTERNS: Lazy<[Regex; 5]> = Lazy::new(|| {
        [
            Regex::new(r"[/_]t?((?:19|20)\d{2})(\d{2})(\d{2})[_./]").expect("regex"),
            Regex::new(r"/((?:19|20)\d{2})[/-](\d{1,2})/(\d{1,2})/").expect("regex"),
            Regex::new(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/").expect("regex"),
            Regex::new(r"/((?:19|20)\d{2})-(\d{2})-(\d{2})/").expect("regex"),
            Regex::new(r"/((?:19|20)\d{2})(\d{2})(\d{2})/").expect("regex"),
        ]
    });
    PATTERNS.iter().find_map(|re| {
        let c = re.captures(path)?;
        ymd(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn iso_dash() {
        assert_eq!(parse_date("2019-08-30", None), Some(d(2019, 8, 30)));
        assert_eq!(
            parse_date("发布时间：2024-09-12 10:10", None),
            Some(d(2024, 9, 12))
        );
    }

    #[test]
    fn chinese_form_with_and_without_padding() {
        assert_eq!(parse_date("2019年8月30日", None), Some(d(2019, 8, 30)));
        assert_eq!(
            parse_date("2020年09月15日 09时32分", None),
            Some(d(2020, 9, 15))
        );
        assert_eq!(parse_date("2024 年 7 月 8 日", None), Some(d(2024, 7, 8)));
    }

    #[test]
    fn slash_and_dot() {
        assert_eq!(parse_date("2019/08/30", None), Some(d(2019, 8, 30)));
        assert_eq!(
            parse_date("2024.09.30 09:24:36 GMT+08:00", None),
            Some(d(2024, 9, 30))
        );
    }

    #[test]
    fn mixed_separators_are_rejected() {
        assert_eq!(parse_date("2019-08/30", None), None);
    }

    #[test]
    fn full_width_digits() {
        let text = "日期：２０１９－０８－３０ 更新";
        let found = find_dates(text, None);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].date, d(2019, 8, 30));
        assert_eq!(&text[found[0].start..found[0].end], "２０１９－０８－３０");
    }

    #[test]
    fn month_day_needs_context_year() {
        assert_eq!(parse_date("[08-30]", None), None);
        assert_eq!(parse_date("[08-30]", Some(2019)), Some(d(2019, 8, 30)));
        assert_eq!(parse_date("08-30", Some(2019)), Some(d(2019, 8, 30)));
        assert_eq!(parse_date("8月30日", Some(2019)), Some(d(2019, 8, 30)));
    }

    #[test]
    fn phone_numbers_and_times_are_not_dates() {
        assert_eq!(parse_date("联系电话：020-12345", Some(2024)), None);
        assert_eq!(parse_date("0755-12345", Some(2024)), None);
        assert_eq!(parse_date("10:10-12:30", Some(2024)), None);
        assert_eq!(parse_date("12345678901234", Some(2024)), None);
        assert_eq!(parse_date("京ICP备20130101号", None), None);
    }

    #[test]
    fn invalid_calendar_dates_are_skipped() {
        assert_eq!(parse_date("2019-02-30", None), None);
        assert_eq!(parse_date("2019-13-01", None), None);
        assert_eq!(parse_date("1899-01-01", None), None);
    }

    #[test]
    fn several_dates_in_order() {
        let found = find_dates("留言时间：2023年11月25日 回复时间：2023-12-20", None);
        let dates: Vec<_> = found.iter().map(|f| f.date).collect();
        assert_eq!(dates, vec![d(2023, 11, 25), d(2023, 12, 20)]);
    }

    #[test]
    fn dates_in_urls() {
        assert_eq!(
            date_in_url("/zxzx/zdxm/t20230417_18993630.shtml"),
            Some(d(2023, 4, 17))
        );
        assert_eq!(
            date_in_url("/10462/10595/2020/9/15/e651.shtml"),
            Some(d(2020, 9, 15))
        );
        assert_eq!(
            date_in_url("/hsyw/202306/t20230608_2213652.shtml"),
            Some(d(2023, 6, 8))
        );
        assert_eq!(
            date_in_url("/art/2024/10/4/art_1305_27778.html"),
            Some(d(2024, 10, 4))
        );
        assert_eq!(
            date_in_url("/gzdt/2024/1008/55932.html"),
            Some(d(2024, 10, 8))
        );
        assert_eq!(
            date_in_url("/home/2014-02/23/content_5046259.htm"),
            Some(d(2014, 2, 23))
        );
        assert_eq!(date_in_url("/ysgz/xwdt/content/post_9360641.html"), None);
    }
}
