//! Unmasked personal numbers in a page's visible text (`ext.personal_info_exposed`, a check
//! beyond the 2019 indicators): 18-digit 居民身份证号 passing the GB 11643-1999 check digit,
//! 11-digit mobile numbers next to a personal name, bank card numbers passing Luhn next to a
//! card word.
//!
//! Digit runs are taken whole (a number inside a longer run of digits is not a match), and
//! masked forms (`5107**********1234`, `138****1234`) are not runs of the right length, so they
//! never match. A [`PiiHit`] keeps only the masked number and a masked context: the raw number
//! never leaves this module.

use pucha_core::{PiiHit, PiiKind};

/// At most this many hits are kept per page.
pub const MAX_HITS: usize = 50;
/// Characters of context kept on each side of a hit.
const CONTEXT_CHARS: usize = 20;
/// Characters before a mobile number searched for a personal name / contact word.
const NAME_WINDOW: usize = 12;
/// Characters before a card number searched for a card word.
const CARD_WINDOW: usize = 16;

const CARD_WORDS: [&str; 6] = ["卡号", "银行", "账号", "帐号", "银行卡", "开户"];
/// Words that say a mobile number belongs to a private person (a row or line with a name).
/// 联系人/负责人 are not among them: a notice's contact person is published on purpose.
const PERSON_WORDS: [&str; 5] = ["姓名", "户主", "申请人", "本人", "身份证"];
/// A "name" ending in one of these (邱先生, 王主任) is a contact's form of address, not a
/// private person's full name.
const ADDRESS_FORMS: [&str; 10] = [
    "先生", "女士", "老师", "同志", "经理", "主任", "科长", "局长", "处长", "书记",
];
/// Common single-character surnames (a 2–4 character name before a mobile number).
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: [u8; 11] = *b"10X98765432";

/// The check character of the first 17 digits of a 居民身份证号 (GB 11643-1999).
pub fn id_check_char(first17: &[u8]) -> Option<u8> {
    if first17.len() != 17 || !first17.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = first17
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    Some(ID_CHECK[(sum % 11) as usize])
}

/// An 18-character 居民身份证号: region code starting 1–8, a plausible birth date (1900–2099)
/// and the right check character.
pub fn is_valid_id(s: &[u8]) -> bool {
    if s.len() != 18 || !(b'1'..=b'8').contains(&s[0]) {
        return false;
    }
    let Some(check) = id_check_char(&s[..17]) else {
        return false;
    };
    if s[17].to_ascii_uppercase() != check {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> u32 {
        s[r].iter().fold(0, |a, d| a * 10 + u32::from(d - b'0'))
    };
    let (y, m, d) = (num(6..10), num(10..12), num(12..14));
    (1900..=2099).contains(&y) && chrono::NaiveDate::from_ymd_opt(y as i32, m, d).is_some()
}

/// The Luhn check of a digit string.
pub fn luhn(digits: &[u8]) -> bool {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let v = u32::from(d - b'0');
            if i % 2 == 1 {
                let x = v * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                v
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// `s` with all but the first `head` and last `tail` characters replaced by `*`.
pub fn mask(s: &str, head: usize, tail: usize) -> String {
    let n = s.chars().count();
    if n <= head + tail {
        return "*".repeat(n);
    }
    s.chars()
        .enumerate()
        .map(|(i, c)| if i < head || i >= n - tail { c } else { '*' })
        .collect()
}

/// A run of digits (an ID's last character may be X) in `text`, by byte offsets.
struct Run {
    start: usize,
    end: usize,
}

fn digit_runs(text: &str) -> Vec<Run> {
    let b = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        // An ID's check character X directly after 17 digits belongs to the run.
        if i - start == 17 && i < b.len() && (b[i] == b'X' || b[i] == b'x') {
            let next_alnum = b.get(i + 1).is_some_and(|c| c.is_ascii_alphanumeric());
            if !next_alnum {
                i += 1;
            }
        }
        // A letter glued to the run (an order code, a hash) makes it no personal number.
        let glued = (start > 0 && b[start - 1].is_ascii_alphabetic())
            || b.get(i)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'*');
        let masked_before = start > 0 && b[start - 1] == b'*';
        if !glued && !masked_before {
            runs.push(Run { start, end: i });
        }
    }
    runs
}

/// The `n` characters before byte offset `at`.
fn before(text: &str, at: usize, n: usize) -> &str {
    let head = &text[..at];
    let start = head
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    &head[start..]
}

/// The `n` characters after byte offset `at`.
fn after(text: &str, at: usize, n: usize) -> &str {
    let tail = &text[at..];
    let end = tail.char_indices().nth(n).map_or(tail.len(), |(i, _)| i);
    &tail[..end]
}

/// The text just before a mobile number shows a personal name: a contact word, or a 2–4
/// character Chinese name starting with a common surname, separated from the number by
/// spaces, a colon, a comma or a table cell break.
fn has_name_before(window: &str) -> bool {
    if PERSON_WORDS.iter().any(|w| window.contains(w)) {
        return true;
    }
    let trimmed = window.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, ':' | '：' | ',' | '，' | '、' | '|' | '(' | '（')
    });
    // The trailing run of Han characters.
    let han: Vec<char> = trimmed
        .chars()
        .rev()
        .take_while(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .collect();
    if han.is_empty() {
        return false;
    }
    // The name is the last 2–4 Han characters before the separator; the separator must exist
    // (a phone glued to a word is not a row of a list).
    let separated = trimmed.len() < window.len();
    if !separated {
        return false;
    }
    let n = han.len();
    let name: String = han.iter().rev().collect();
    (2..=4).contains(&n) && is_name(&name)
}

/// Finds unmasked personal numbers in `text` (the page's visible text).
pub fn find(text: &str) -> Vec<PiiHit> {
    find_with(text, false)
}

/// Finds unmasked personal numbers in a page: its visible text, and each table row read with
/// its cells apart (the visible text runs cells together) and their column headers
/// (`身份证号：…`). A row with a name cell (or a 姓名 column) makes its mobile numbers personal.
pub fn find_in_page(html: &scraper::Html, body_text: &str) -> Vec<PiiHit> {
    let mut hits = find(body_text);
    for (row, person_row) in table_rows(html) {
        for h in find_with(&row, person_row) {
            if !hits
                .iter()
                .any(|x| x.kind == h.kind && x.masked == h.masked)
            {
                hits.push(h);
            }
        }
    }
    hits.truncate(MAX_HITS);
    hits
}

/// A 2–4 character Han name starting with a common surname.
fn is_name(cell: &str) -> bool {
    let c: Vec<char> = cell.chars().collect();
    (2..=4).contains(&c.len())
        && c.iter().all(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        && SURNAMES.contains(c[0])
        && !ADDRESS_FORMS.iter().any(|f| cell.ends_with(f))
}

/// Each table row as `header：value | header：value …`, and whether it is a person's row.
fn table_rows(html: &scraper::Html) -> Vec<(String, bool)> {
    let cell_text = |c: scraper::ElementRef| -> String {
        c.text()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = Vec::new();
    let mut headers: Vec<String> = Vec::new();
    for node in html.tree.nodes() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        if el.name() == "table" {
            headers.clear();
        }
        if el.name() != "tr" {
            continue;
        }
        let cells: Vec<String> = node
            .children()
            .filter_map(scraper::ElementRef::wrap)
            .filter(|c| matches!(c.value().name(), "td" | "th"))
            .map(cell_text)
            .collect();
        if cells.len() < 2 {
            continue;
        }
        let is_header = !cells.iter().any(|c| c.bytes().any(|b| b.is_ascii_digit()))
            && cells.iter().any(|c| {
                PERSON_WORDS
                    .iter()
                    .chain(CARD_WORDS.iter())
                    .any(|w| c.contains(w))
                    || ["电话", "手机", "身份证", "序号"]
                        .iter()
                        .any(|w| c.contains(w))
            });
        if is_header {
            headers = cells;
            continue;
        }
        let person_row = cells.iter().any(|c| is_name(c))
            || headers
                .iter()
                .any(|h| PERSON_WORDS.iter().any(|w| h.contains(w)));
        let row = cells
            .iter()
            .enumerate()
            .map(|(i, c)| match headers.get(i) {
                Some(h) if !h.is_empty() => format!("{h}：{c}"),
                _ => c.clone(),
            })
            .collect::<Vec<_>>()
            .join(" | ");
        out.push((row, person_row));
    }
    out
}

fn find_with(text: &str, person_row: bool) -> Vec<PiiHit> {
    let mut hits = Vec::new();
    for r in digit_runs(text) {
        if hits.len() >= MAX_HITS {
            break;
        }
        let s = &text[r.start..r.end];
        let b = s.as_bytes();
        let kind = match b.len() {
            18 if is_valid_id(b) => Some(PiiKind::IdCard),
            11 if b[0] == b'1'
                && (b'3'..=b'9').contains(&b[1])
                && (person_row || has_name_before(before(text, r.start, NAME_WINDOW))) =>
            {
                Some(PiiKind::Mobile)
            }
            16..=19
                if luhn(b)
                    && CARD_WORDS
                        .iter()
                        .any(|w| before(text, r.start, CARD_WINDOW).contains(w)) =>
            {
                Some(PiiKind::BankCard)
            }
            _ => None,
        };
        let Some(kind) = kind else { continue };
        let masked = match kind {
            PiiKind::Mobile => mask(s, 3, 4),
            _ => mask(s, 4, 4),
        };
        let context = format!(
            "{}{}{}",
            mask_digits(before(text, r.start, CONTEXT_CHARS)),
            masked,
            mask_digits(after(text, r.end, CONTEXT_CHARS))
        );
        let context = context.split_whitespace().collect::<Vec<_>>().join(" ");
        hits.push(PiiHit {
            kind,
            masked,
            context,
        });
    }
    hits
}

/// Context text with every run of 7 or more digits masked (a neighbouring number in a table
/// row may be another person's).
fn mask_digits(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 7 {
            out.push_str(&mask(run, 3, 2));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in s.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid ID built from its first 17 digits.
    fn id(first17: &str) -> String {
        let c = id_check_char(first17.as_bytes()).unwrap() as char;
        format!("{first17}{c}")
    }

    #[test]
    fn gb11643_check_digit() {
        // The standard's example: 11010519491231002X.
        assert!(is_valid_id(b"11010519491231002X"));
        assert!(is_valid_id(b"11010519491231002x"));
        assert!(!is_valid_id(b"110105194912310021"));
        let v = id("51070219900307123");
        assert!(is_valid_id(v.as_bytes()));
        // Region code starting 9 or 0, impossible birth date.
        assert!(!is_valid_id(id("91070219900307123").as_bytes()));
        assert!(!is_valid_id(id("01070219900307123").as_bytes()));
        assert!(!is_valid_id(id("51070219901307123").as_bytes()));
        assert!(!is_valid_id(id("51070219900230123").as_bytes()));
    }

    #[test]
    fn finds_an_id_and_masks_it() {
        let v = id("51070219900307123");
        let text = format!("申请人：张三 身份证号：{v} 住址：绵阳");
        let hits = find(&text);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].kind, PiiKind::IdCard);
        assert_eq!(hits[0].masked, format!("5107**********{}", &v[14..]));
        assert!(!format!("{hits:?}").contains(&v));
        assert!(hits[0].context.contains("身份证号"));
    }

    #[test]
    fn wrong_check_digit_masked_forms_and_longer_runs_are_not_hits() {
        let v = id("51070219900307123");
        let wrong = format!("{}{}", &v[..17], if v.ends_with('0') { '1' } else { '0' });
        assert!(find(&format!("身份证号：{wrong}")).is_empty());
        assert!(find("身份证号：5107**********1234").is_empty());
        assert!(find("张三 138****1234").is_empty());
        assert!(find(&format!("编号 9{v}")).is_empty());
        assert!(find(&format!("编号 {v}5")).is_empty());
        assert!(find(&format!("订单ABC{v}")).is_empty());
    }

    #[test]
    fn mobile_only_next_to_a_name() {
        let hits = find("1 张三 13812345678\n2 李四 13987654321");
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert_eq!(hits[0].kind, PiiKind::Mobile);
        assert_eq!(hits[0].masked, "138****5678");
        assert_eq!(find("申请人：13812345678").len(), 1);
        // A notice's contact person is published on purpose.
        assert!(find("联系人：13812345678").is_empty());
        assert!(find("项目联系人：邱先生 13812345678").is_empty());
        // An office hotline or a number without a name is not personal information.
        assert!(find("咨询电话：13812345678").is_empty());
        assert!(find("欢迎拨打13812345678咨询").is_empty());
        // Not a mobile prefix, a longer run.
        assert!(find("张三 12812345678").is_empty());
        assert!(find("张三 138123456789").is_empty());
    }

    #[test]
    fn bank_card_needs_luhn_and_a_card_word() {
        // 6222020200112233445 fails or passes Luhn; build one that passes.
        let mut base = b"622202020011223344".to_vec();
        let check = (0..=9u8)
            .find(|d| {
                let mut v = base.clone();
                v.push(b'0' + d);
                luhn(&v)
            })
            .unwrap();
        base.push(b'0' + check);
        let card = String::from_utf8(base).unwrap();
        assert!(luhn(card.as_bytes()));
        let hits = find(&format!("收款人 王五 开户银行卡号：{card}"));
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].kind, PiiKind::BankCard);
        assert_eq!(hits[0].masked, mask(&card, 4, 4));
        assert!(find(&format!("文号 {card}")).is_empty());
        let mut bad = card.clone().into_bytes();
        let last = bad.last_mut().unwrap();
        *last = if *last == b'9' { b'0' } else { *last + 1 };
        assert!(find(&format!("卡号：{}", String::from_utf8(bad).unwrap())).is_empty());
        assert!(luhn(b"4111111111111111"));
        assert!(!luhn(b"4111111111111112"));
    }

    #[test]
    fn context_masks_neighbouring_numbers() {
        let v = id("51070219900307123");
        let hits = find(&format!("王五 13812345678 {v}"));
        assert_eq!(hits.len(), 2, "{hits:?}");
        for h in &hits {
            assert!(!h.context.contains("13812345678"), "{h:?}");
            assert!(!h.context.contains(&v), "{h:?}");
        }
    }
}

#[cfg(test)]
mod page_tests {
    use super::*;

    #[test]
    fn table_rows_of_an_analysed_page() {
        let v = {
            let f = "51070219900307123";
            format!("{f}{}", id_check_char(f.as_bytes()).unwrap() as char)
        };
        let html = format!(
            "<html><head><title>补贴发放名单公示</title></head><body><div class=\"content\">\
             <h1>补贴发放名单公示</h1><p>以下人员符合条件，现予公示。</p><table>\
             <tr><td>序号</td><td>姓名</td><td>联系电话</td><td>身份证号</td></tr>\
             <tr><td>1</td><td>张三</td><td>13812345678</td><td>{v}</td></tr>\
             <tr><td>2</td><td>李四</td><td>139****4321</td><td>5107**********1234</td></tr>\
             </table></div></body></html>"
        );
        let url = url::Url::parse("http://www.example.gov.cn/gsgg/1.html").unwrap();
        let facts = crate::analyze_text(&html, &url);
        let kinds: Vec<PiiKind> = facts.pii.iter().map(|h| h.kind).collect();
        assert_eq!(
            kinds,
            vec![PiiKind::Mobile, PiiKind::IdCard],
            "{:?}",
            facts.pii
        );
        assert!(facts.pii[1].context.contains("身份证号"), "{:?}", facts.pii);
        let json = serde_json::to_string(&facts).unwrap();
        assert!(!json.contains("13812345678") || facts.body_text.contains("13812345678"));
        let pii_json = serde_json::to_string(&facts.pii).unwrap();
        assert!(
            !pii_json.contains("13812345678") && !pii_json.contains(&v),
            "{pii_json}"
        );
    }

    #[test]
    fn office_phone_tables_are_not_personal_and_card_headers_count() {
        let html =
            "<html><body><div class=\"content\"><p>科室联系方式一览表，欢迎来电咨询。</p><table>\
            <tr><th>科室</th><th>联系电话</th></tr>\
            <tr><td>办公室</td><td>13812345678</td></tr></table>\
            <table><tr><th>户名</th><th>银行卡号</th></tr>\
            <tr><td>某某合作社</td><td>4111111111111111</td></tr></table></div></body></html>";
        let url = url::Url::parse("http://www.example.gov.cn/lxfs/").unwrap();
        let facts = crate::analyze_text(html, &url);
        let kinds: Vec<PiiKind> = facts.pii.iter().map(|h| h.kind).collect();
        assert_eq!(kinds, vec![PiiKind::BankCard], "{:?}", facts.pii);
        assert_eq!(facts.pii[0].masked, "4111********1111");
    }
}
