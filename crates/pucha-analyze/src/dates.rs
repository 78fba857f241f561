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

/// Full-width digits and date punctuation mapped to ASCII, with a byte-offset map back.
struct Normalized {
    text: String,
    /// For each byte of `text` (and one past the end): the byte offset in the original.
    map: Vec<usize>,
}

impl Normalized {
    /// Moves the ranges of dates found in the normalised text back to the original's bytes.
    fn map_back(&self, dates: &mut [FoundDate]) {
        for f in dates {
            f.start = self.map[f.start];
            f.end = self.map[f.end];
        }
    }
}

fn normalize(s: &str) -> Option<Normalized> {
    // ０-９ (U+FF10–FF19), － (FF0D), ． (FF0E) and ／ (FF0F) all encode as EF BC 8D..99.
    let needs = memchr::memmem::find_iter(s.as_bytes(), b"\xEF\xBC").any(|k| {
        s.as_bytes()
            .get(k + 2)
            .is_some_and(|b| (0x8D..=0x99).contains(b))
    });
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
///
/// A hand scanner: every page's text goes through here, and the two regexes it replaces
/// (kept in the tests as the reference it must agree with) were a visible share of a crawl.
pub fn find_dates(text: &str, context_year: Option<i32>) -> Vec<FoundDate> {
    let norm = normalize(text);
    let s = norm.as_ref().map_or(text, |n| n.text.as_str());
    let mut out: Vec<FoundDate> = Vec::new();
    if !s.bytes().any(|b| b.is_ascii_digit()) {
        return out;
    }
    for (start, end, fields) in matches(s, full_at) {
        if digit_before(s, start) {
            continue;
        }
        if let Some(date) = fields.and_then(|(y, m, d)| ymd(y, m, d)) {
            out.push(FoundDate {
                date,
                start,
                end,
                has_year: true,
            });
        }
    }
    if let Some(year) = context_year {
        // The full dates are sorted and do not overlap, and month-days come in order: one
        // cursor finds the full date a month-day could overlap (a scan of all of them per
        // month-day was quadratic on pages with thousands of dates).
        let full = out.len();
        let mut next_full = 0;
        for (start, end, md) in matches(s, month_day_at) {
            while next_full < full && out[next_full].end <= start {
                next_full += 1;
            }
            if next_full < full && out[next_full].start < end {
                continue;
            }
            if let MonthDay::Dashed(..) = md {
                // NN-NN: no digit or separator around it (phones, times, ranges).
                let before = s[..start].chars().next_back();
                let after = s[end..].chars().next();
                let glued = |c: Option<char>| {
                    c.is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '/' | '.' | ':'))
                };
                if glued(before) || glued(after) {
                    continue;
                }
            }
            if digit_before(s, start) {
                continue;
            }
            let (MonthDay::Chinese(mo, d) | MonthDay::Dashed(mo, d)) = md;
            if let Some(date) = ymd(year, mo, d) {
                out.push(FoundDate {
                    date,
                    start,
                    end,
                    has_year: false,
                });
            }
        }
        out.sort_by_key(|f| f.start);
    }
    if let Some(n) = norm {
        n.map_back(&mut out);
    }
    out
}

/// The leftmost, non-overlapping matches of a pattern tried at each ASCII digit, as a
/// regex's `find_iter` gives them: `(start, end, what the pattern read)`.
fn matches<'a, T>(
    s: &'a str,
    at: impl Fn(&str, usize) -> Option<(usize, T)> + 'a,
) -> impl Iterator<Item = (usize, usize, T)> + 'a {
    let b = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        // Patterns start with a digit; an ASCII digit is always a char boundary.
        while let Some(d) = next_digit(b, i) {
            if let Some((end, v)) = at(s, d) {
                i = end;
                return Some((d, end, v));
            }
            i = d + 1;
        }
        i = b.len();
        None
    })
}

/// The first ASCII digit at or after `i`, eight bytes at a time (most text has none).
fn next_digit(b: &[u8], mut i: usize) -> Option<usize> {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES * 128;
    const LOW7: u64 = ONES * 127;
    while i + 8 <= b.len() {
        let x = u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
        // Whether a byte lies strictly between b'/' and b':' (Bit Twiddling Hacks,
        // "hasbetween"); bytes of 0x80 and above never count.
        let between = (ONES * (127 + u64::from(b':'))).wrapping_sub(x & LOW7)
            & !x
            & (x & LOW7).wrapping_add(ONES * (127 - u64::from(b'/')))
            & HIGH;
        if between != 0 {
            break;
        }
        i += 8;
    }
    b.get(i..)?
        .iter()
        .position(u8::is_ascii_digit)
        .map(|k| i + k)
}

/// The end of the whitespace run at byte `i`.
fn skip_ws(s: &str, mut i: usize) -> usize {
    while let Some(c) = s[i..].chars().next().filter(|c| c.is_whitespace()) {
        i += c.len_utf8();
    }
    i
}

/// How many ASCII digits start at byte `i`.
fn digit_run(b: &[u8], i: usize) -> usize {
    b[i.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count()
}

/// The value of `len` ASCII digits at `i`.
fn number(b: &[u8], i: usize, len: usize) -> u32 {
    b[i..i + len]
        .iter()
        .fold(0, |n, d| n * 10 + u32::from(d - b'0'))
}

/// Year, month and day as read, not yet checked.
type Ymd = (i32, u32, u32);

fn is_sep(b: Option<&u8>) -> bool {
    matches!(b, Some(b'-' | b'/' | b'.'))
}

/// A full date at byte `i`: `YYYY年M月D日` (日 optional; a day of more digits keeps its
/// first two) or `YYYY-M-D` with `-`, `/` or `.`; the same greedy, leftmost-first reading
/// as the regex `(\d{4})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?|([-/.])\s*(\d{1,2})\s*([-/.])\s*(\d{1,2}))`.
/// Returns the match end and the fields, `None` for a match the caller must skip (two
/// different separators, or a digit glued to the end: `2024-10-081`).
fn full_at(s: &str, i: usize) -> Option<(usize, Option<Ymd>)> {
    let b = s.as_bytes();
    if digit_run(b, i) < 4 {
        return None;
    }
    let y = number(b, i, 4) as i32;
    let j = skip_ws(s, i + 4);
    if s[j..].starts_with('年') {
        let k = skip_ws(s, j + '年'.len_utf8());
        let r = digit_run(b, k);
        if !(1..=2).contains(&r) {
            return None;
        }
        let k2 = skip_ws(s, k + r);
        if !s[k2..].starts_with('月') {
            return None;
        }
        let k3 = skip_ws(s, k2 + '月'.len_utf8());
        let dl = digit_run(b, k3).min(2);
        if dl == 0 {
            return None;
        }
        let mut end = skip_ws(s, k3 + dl);
        if s[end..].starts_with('日') {
            end += '日'.len_utf8();
        }
        return Some((end, Some((y, number(b, k, r), number(b, k3, dl)))));
    }
    if !is_sep(b.get(j)) {
        return None;
    }
    let k = skip_ws(s, j + 1);
    let r = digit_run(b, k);
    if !(1..=2).contains(&r) {
        return None;
    }
    let k2 = skip_ws(s, k + r);
    if !is_sep(b.get(k2)) {
        return None;
    }
    let k3 = skip_ws(s, k2 + 1);
    let dl = digit_run(b, k3).min(2);
    if dl == 0 {
        return None;
    }
    let end = k3 + dl;
    let keep = b[j] == b[k2] && !digit_at(s, end);
    Some((end, keep.then(|| (y, number(b, k, r), number(b, k3, dl)))))
}

/// What a month-day match read.
#[derive(Debug, Clone, Copy)]
enum MonthDay {
    /// `8月30日`
    Chinese(u32, u32),
    /// `08-30`, `08/30`
    Dashed(u32, u32),
}

/// A month-day at byte `i`, as the regex `(\d{1,2})\s*月\s*(\d{1,2})\s*日|(\d{2})([-/])(\d{2})`.
fn month_day_at(s: &str, i: usize) -> Option<(usize, MonthDay)> {
    let b = s.as_bytes();
    let r = digit_run(b, i);
    if (1..=2).contains(&r) {
        let k = skip_ws(s, i + r);
        if s[k..].starts_with('月') {
            let k2 = skip_ws(s, k + '月'.len_utf8());
            let r2 = digit_run(b, k2);
            if (1..=2).contains(&r2) {
                let k3 = skip_ws(s, k2 + r2);
                if s[k3..].starts_with('日') {
                    let md = MonthDay::Chinese(number(b, i, r), number(b, k2, r2));
                    return Some((k3 + '日'.len_utf8(), md));
                }
            }
        }
    }
    let w = b.get(i..i + 5)?;
    let dashed = w[0].is_ascii_digit()
        && w[1].is_ascii_digit()
        && matches!(w[2], b'-' | b'/')
        && w[3].is_ascii_digit()
        && w[4].is_ascii_digit();
    dashed.then(|| {
        (
            i + 5,
            MonthDay::Dashed(number(b, i, 2), number(b, i + 3, 2)),
        )
    })
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
    use proptest::prelude::*;

    static FULL: Lazy<Regex> = Lazy::new(|| {
        Regex::new(
            r"(\d{4})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?|([-/.])\s*(\d{1,2})\s*([-/.])\s*(\d{1,2}))",
        )
        .expect("regex")
    });
    static MONTH_DAY: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日|(\d{2})([-/])(\d{2})").expect("regex")
    });

    /// The regex reading `find_dates` replaced: the reference it must agree with.
    fn find_dates_regex(text: &str, context_year: Option<i32>) -> Vec<FoundDate> {
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
                            c.is_some_and(|c| {
                                c.is_ascii_digit() || matches!(c, '-' | '/' | '.' | ':')
                            })
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
            n.map_back(&mut out);
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn the_scanner_agrees_with_the_regexes(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("2024"), Just("1999"), Just("2019"), Just("12"), Just("8"), Just("30"),
                    Just("123"), Just("0"), Just("9"), Just("年"), Just("月"), Just("日"),
                    Just("-"), Just("/"), Just("."), Just(":"), Just(" "), Just("\u{3000}"),
                    Just("\n"), Just("a"), Just("发布"), Just("２０２４"), Just("－"), Just("０８"),
                    Just("٢٠٢٤"),
                ],
                0..14,
            ),
            year in prop_oneof![Just(None), Just(Some(2024))],
        ) {
            let text: String = parts.concat();
            prop_assert_eq!(find_dates(&text, year), find_dates_regex(&text, year), "{:?}", text);
        }
    }

    #[test]
    fn next_digit_finds_the_first_ascii_digit() {
        let texts = [
            "",
            "abc",
            "abcdefgh9",
            "12345678",
            "第二十三条，共计",
            "汉字汉字汉字5",
            "/:/:/:/:/:0",
        ];
        for t in texts {
            let b = t.as_bytes();
            for i in 0..=b.len() {
                let want = b[i..].iter().position(u8::is_ascii_digit).map(|k| i + k);
                assert_eq!(next_digit(b, i), want, "{t:?} from {i}");
            }
        }
        // Every byte value, at every place in a word.
        for v in 0..=255u8 {
            for at in 0..8 {
                let mut b = [b'x'; 11];
                b[at] = v;
                let want = b.iter().position(u8::is_ascii_digit);
                assert_eq!(next_digit(&b, 0), want, "byte {v:#x} at {at}");
            }
        }
    }

    #[test]
    fn the_scanner_agrees_with_the_regexes_on_page_like_text() {
        let texts = [
            "发布时间：2024-09-12 10:10 来源：本站",
            "2024年 8 月 3 日 星期六",
            "2024年10月123",
            "2024-10-081 2024/10/08 2024.1.8 2024-10/08",
            "[08-30] 关于开展工作的通知 08-31 12-01",
            "电话：0731-12345678 13812345678 10:30-11:30",
            "8月30日 12月1日 13月40日 2月30日",
            "２０２４－０８－３０ 的全角日期",
            "12024-10-08 x2024-10-08",
            "",
        ];
        for t in texts {
            for y in [None, Some(2024)] {
                assert_eq!(find_dates(t, y), find_dates_regex(t, y), "{t:?}");
            }
        }
    }

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
