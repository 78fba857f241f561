//! What a homepage shows, reduced to what tells whether it was updated: the newest content
//! date and a fingerprint of what it lists. The monitor stores one per probe and warns when
//! the homepage has not changed for days (indicators §3.8, vendor practice S40).

use pucha_core::{HomepageContent, PageFacts};

/// The newest date and the fingerprint of `facts` (a homepage).
///
/// - `newest`: the latest of the dated list items' dates and the page's publication date.
/// - `fingerprint`: FNV-1a (64 bit) over the sorted, de-duplicated dated items (title and
///   URL); a page without dated items is fingerprinted by its sorted links (text and
///   target) instead. Neither includes the body text, so a clock, a visit counter or a
///   rotating banner image does not change it, and the order of the items does not either.
pub fn homepage_content(facts: &PageFacts) -> HomepageContent {
    let newest = facts
        .dated_items
        .iter()
        .map(|d| d.date)
        .chain(facts.published)
        .max();
    let mut parts: Vec<String> = if facts.dated_items.is_empty() {
        facts
            .links
            .iter()
            .map(|l| {
                let target = l.url.as_deref().unwrap_or(&l.raw);
                format!("l\u{1f}{}\u{1f}{}", l.text.trim(), target)
            })
            .collect()
    } else {
        facts
            .dated_items
            .iter()
            .map(|d| {
                format!(
                    "d\u{1f}{}\u{1f}{}\u{1f}{}",
                    d.title.trim(),
                    d.url.as_deref().unwrap_or(""),
                    d.date
                )
            })
            .collect()
    };
    parts.sort();
    parts.dedup();
    let mut h = Fnv1a::new();
    for p in &parts {
        h.write(p.as_bytes());
        h.write(&[0x1e]);
    }
    HomepageContent {
        newest,
        fingerprint: format!("{:016x}", h.0),
    }
}

/// FNV-1a, 64 bit: stable across Rust versions and platforms (unlike `DefaultHasher`),
/// so fingerprints stored by one build compare with those of the next.
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze_with, AnalyzeOptions};
    use chrono::NaiveDate;
    use url::Url;

    fn facts(html: &str) -> PageFacts {
        let opts = AnalyzeOptions {
            today: NaiveDate::from_ymd_opt(2026, 11, 26),
            ..Default::default()
        };
        analyze_with(
            html.as_bytes(),
            &Url::parse("http://www.example.gov.cn/").unwrap(),
            Some("text/html; charset=utf-8"),
            &opts,
        )
    }

    fn list(items: &[(&str, &str, &str)], extra: &str) -> String {
        let lis: String = items
            .iter()
            .map(|(t, u, d)| format!("<li><a href=\"{u}\">{t}</a><span>{d}</span></li>"))
            .collect();
        format!(
            "<html><head><title>某市人民政府</title></head><body><div>{extra}</div>\
             <div class=\"news\"><h3>政务动态</h3><ul>{lis}</ul></div></body></html>"
        )
    }

    #[test]
    fn newest_date_is_the_latest_dated_item() {
        let html = list(
            &[
                ("市政府召开常务会议", "/a/1.html", "2026-11-14"),
                ("关于开展安全检查的通知", "/a/2.html", "2026-10-02"),
                ("全市经济运行情况", "/a/3.html", "2026-11-03"),
            ],
            "",
        );
        let c = homepage_content(&facts(&html));
        assert_eq!(c.newest, NaiveDate::from_ymd_opt(2026, 11, 14));
        assert_eq!(c.fingerprint.len(), 16);
    }

    #[test]
    fn fingerprint_ignores_clocks_counters_and_order_but_sees_a_new_item() {
        let a = ("市政府召开常务会议", "/a/1.html", "2026-11-14");
        let b = ("关于开展安全检查的通知", "/a/2.html", "2026-10-02");
        let c = ("新增：冬季供暖工作部署", "/a/4.html", "2026-11-25");
        let base = homepage_content(&facts(&list(
            &[a, b],
            "今天是2026年11月26日 10:31:07 访问量：18234",
        )));
        let later = homepage_content(&facts(&list(
            &[b, a],
            "今天是2026年11月26日 16:02:55 访问量：18301",
        )));
        assert_eq!(base.fingerprint, later.fingerprint);
        let updated = homepage_content(&facts(&list(&[c, a, b], "")));
        assert_ne!(base.fingerprint, updated.fingerprint);
        assert_eq!(updated.newest, NaiveDate::from_ymd_opt(2026, 11, 25));
    }

    #[test]
    fn a_page_without_dates_is_fingerprinted_by_its_links() {
        let nav = |links: &[(&str, &str)]| {
            let a: String = links
                .iter()
                .map(|(t, u)| format!("<a href=\"{u}\">{t}</a> "))
                .collect();
            format!(
                "<html><body><p>访问量：{}</p>{a}</body></html>",
                links.len() * 7
            )
        };
        let one = homepage_content(&facts(&nav(&[
            ("政务公开", "/zwgk/"),
            ("政务服务", "/zwfw/"),
        ])));
        assert_eq!(one.newest, None);
        let same = homepage_content(&facts(&nav(&[
            ("政务服务", "/zwfw/"),
            ("政务公开", "/zwgk/"),
        ])));
        assert_eq!(one.fingerprint, same.fingerprint);
        let more = homepage_content(&facts(&nav(&[
            ("政务公开", "/zwgk/"),
            ("政务服务", "/zwfw/"),
            ("互动交流", "/hdjl/"),
        ])));
        assert_ne!(one.fingerprint, more.fingerprint);
    }

    #[test]
    fn the_fingerprint_is_stable_across_builds() {
        // FNV-1a of nothing is its offset basis; a fixed page gives a fixed value.
        let empty = homepage_content(&PageFacts::default());
        assert_eq!(empty.fingerprint, "cbf29ce484222325");
        assert_eq!(empty.newest, None);
    }
}
