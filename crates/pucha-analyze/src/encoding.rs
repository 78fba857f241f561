//! Choosing the encoding of a page and decoding it.
//!
//! Government sites often declare the wrong charset (a page saved as UTF-8 still says
//! `gb2312`, a GBK page is served with `charset=utf-8`). The order is: byte-order mark,
//! HTTP `Content-Type` charset, `<meta>` charset, and chardetng whenever a declaration
//! is missing or contradicted by the bytes. GB2312 and GBK are decoded as GB18030 (a
//! superset), because pages declared `gb2312` routinely contain GBK-only characters.

use encoding_rs::{Encoding, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};
use once_cell::sync::Lazy;
use pucha_core::EncodingSource;
use regex::bytes::Regex;

/// A decoded page body.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The page text, without a byte-order mark.
    pub text: String,
    /// The encoding that decoded `text`.
    pub encoding: &'static Encoding,
    /// Which signal decided the encoding.
    pub source: EncodingSource,
}

/// How many leading bytes are searched for a `<meta>` charset declaration.
const META_PRESCAN: usize = 16 * 1024;

/// Decodes a page body, choosing the encoding as described in the module docs.
pub fn decode(body: &[u8], content_type: Option<&str>) -> Decoded {
    decode_with_hint(body, content_type, None)
}

/// [`decode`], with the encoding detection already found on other pages of the same site.
///
/// A site's pages come from one CMS in one encoding, so when an undeclared page would go to
/// the detector, a GB18030 `site_hint` is taken instead if the page decodes cleanly in it
/// and its double-byte pairs look like GB2312-range Chinese ([`looks_gb2312`]); otherwise
/// the detector runs as usual. Only GB18030 hints are used: it is the case that matters
/// for Chinese government sites and the one the guard can vouch for.
pub fn decode_with_hint(
    body: &[u8],
    content_type: Option<&str>,
    site_hint: Option<&'static Encoding>,
) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(body) {
        let enc = widen(enc);
        let (text, _) = enc.decode_without_bom_handling(&body[bom_len..]);
        return Decoded {
            text: text.into_owned(),
            encoding: enc,
            source: EncodingSource::Bom,
        };
    }
    if let Some(enc) = utf16_without_bom(body) {
        let (text, _) = enc.decode_without_bom_handling(body);
        return Decoded {
            text: text.into_owned(),
            encoding: enc,
            source: EncodingSource::Detected,
        };
    }

    // The meta prescan runs only when the header gives no usable charset.
    let declared = std::iter::once_with(|| {
        (
            content_type.and_then(charset_from_content_type),
            EncodingSource::HttpHeader,
        )
    })
    .chain(std::iter::once_with(|| {
        (meta_charset(body), EncodingSource::MetaCharset)
    }));
    let as_utf8 = std::str::from_utf8(body).ok();
    let has_non_ascii = !body.is_ascii();

    for (enc, source) in declared.filter_map(|(e, s)| e.map(|e| (e, s))) {
        if enc == UTF_8 {
            if let Some(text) = as_utf8 {
                return utf8(text, source);
            }
            // Declared UTF-8 but the bytes are not: try the next declaration.
            continue;
        }
        if let (Some(text), true) = (as_utf8, has_non_ascii) {
            // Declared a legacy encoding, but the bytes are valid UTF-8 with multibyte
            // characters: a legacy encoding would almost never produce that.
            return utf8(text, EncodingSource::Detected);
        }
        let (text, had_errors) = enc.decode_without_bom_handling(body);
        if !had_errors {
            return Decoded {
                text: text.into_owned(),
                encoding: enc,
                source,
            };
        }
        // Malformed under the declared encoding: let the detector decide.
        break;
    }

    if let Some(text) = as_utf8 {
        let source = if has_non_ascii {
            EncodingSource::Detected
        } else {
            EncodingSource::Default
        };
        return utf8(text, source);
    }
    // GB18030 first when the site's hint vouches for it, else when a 1 KB sample says so
    // (the common case: GBK that decodes cleanly); a larger sample decides the rest.
    let gb18030_first =
        (site_hint == Some(GB18030) && looks_gb2312(body)) || detect(body, QUICK_SAMPLE) == GB18030;
    if gb18030_first {
        if let Some(text) = GB18030.decode_without_bom_handling_and_without_replacement(body) {
            return Decoded {
                text: text.into_owned(),
                encoding: GB18030,
                source: EncodingSource::Detected,
            };
        }
    }
    let enc = detect(body, DETECT_SAMPLE);
    let (text, _) = enc.decode_without_bom_handling(body);
    Decoded {
        text: text.into_owned(),
        encoding: enc,
        source: EncodingSource::Detected,
    }
}

/// Whether the non-ASCII bytes of `body`, read as GBK pairs, are at least nine in ten in the
/// GB2312 rows (lead and trail bytes 0xA1–0xFE), where everyday Chinese text lies. Big5,
/// which also decodes cleanly as GBK, puts about half its trail bytes below 0x80, so a Big5
/// page fails this and goes to the detector.
pub(crate) fn looks_gb2312(body: &[u8]) -> bool {
    let (mut pairs, mut in_rows) = (0usize, 0usize);
    let mut i = 0;
    while i < body.len() {
        let lead = body[i];
        if lead < 0x80 {
            i += 1;
            continue;
        }
        let Some(&trail) = body.get(i + 1) else { break };
        pairs += 1;
        if (0xA1..=0xFE).contains(&lead) && (0xA1..=0xFE).contains(&trail) {
            in_rows += 1;
        }
        // A GB18030 four-byte sequence has a digit second byte.
        i += if trail.is_ascii_digit() { 4 } else { 2 };
    }
    pairs > 0 && in_rows * 10 >= pairs * 9
}

/// How many bytes, from the first non-ASCII byte on, the detector reads.
const DETECT_SAMPLE: usize = 8 * 1024;
/// The first, quick sample: enough Chinese text to tell GBK from Big5 and the rest.
const QUICK_SAMPLE: usize = 1024;

/// The part of an undeclared body the detector needs: markup before the first non-ASCII
/// byte says nothing about the encoding, and a few KB of Chinese text decide it (chardetng
/// supports detection on a prefix). Returns the sample and whether it ends the body.
fn detection_sample(body: &[u8], len: usize) -> (&[u8], bool) {
    let start = body
        .iter()
        .position(|b| !b.is_ascii())
        .unwrap_or(body.len());
    let end = body.len().min(start.saturating_add(len));
    (&body[start..end], end == body.len())
}

/// chardetng's guess from a sample of `len` bytes (GBK widened to GB18030).
fn detect(body: &[u8], len: usize) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let (sample, last) = detection_sample(body, len);
    detector.feed(sample, last);
    widen(detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow))
}

fn utf8(text: &str, source: EncodingSource) -> Decoded {
    Decoded {
        text: text.to_owned(),
        encoding: UTF_8,
        source,
    }
}

/// GB2312 and GBK decode as GB18030 (a strict superset).
fn widen(enc: &'static Encoding) -> &'static Encoding {
    if enc == GBK {
        GB18030
    } else {
        enc
    }
}

/// Maps a charset label to an encoding usable for an HTML page.
fn for_label(label: &[u8]) -> Option<&'static Encoding> {
    let enc = Encoding::for_label(label)?;
    // A UTF-16 label inside an ASCII-compatible document is wrong by construction
    // (WHATWG: treat it as UTF-8); x-user-defined likewise.
    if enc == UTF_16LE || enc == UTF_16BE {
        return Some(UTF_8);
    }
    Some(widen(enc.output_encoding()))
}

/// The `charset=` parameter of an HTTP `Content-Type` value.
pub fn charset_from_content_type(content_type: &str) -> Option<&'static Encoding> {
    static RE: Lazy<Regex> =
        Lazy::new(|| Regex::new(r#"(?i)charset\s*=\s*["']?([A-Za-z0-9_.:-]+)"#).expect("regex"));
    let caps = RE.captures(content_type.as_bytes())?;
    for_label(caps.get(1)?.as_bytes())
}

/// The charset declared by a `<meta charset>` or `<meta http-equiv=Content-Type>` near the top.
pub fn meta_charset(body: &[u8]) -> Option<&'static Encoding> {
    static CHARSET: Lazy<Regex> =
        Lazy::new(|| Regex::new(r#"(?i)charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)"#).expect("regex"));
    let head = &body[..body.len().min(META_PRESCAN)];
    meta_tags(head)
        .filter_map(|tag| CHARSET.captures(tag))
        .find_map(|c| for_label(c.get(1)?.as_bytes()))
}

/// The `<meta …>` tags of `head` (`<meta` case-insensitive, then up to the next `>`).
fn meta_tags(head: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut from = 0;
    std::iter::from_fn(move || loop {
        let lt = from + memchr::memchr(b'<', head.get(from..)?)?;
        from = lt + 1;
        let name = head.get(lt + 1..lt + 5)?;
        let ends = head
            .get(lt + 5)
            .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'));
        if !(name.eq_ignore_ascii_case(b"meta") && ends) {
            continue;
        }
        let gt = lt + memchr::memchr(b'>', &head[lt..])?;
        from = gt + 1;
        return Some(&head[lt..=gt]);
    })
}

/// Recognises UTF-16 without a BOM by its NUL bytes (ASCII markup is half NULs).
fn utf16_without_bom(body: &[u8]) -> Option<&'static Encoding> {
    let sample = &body[..body.len().min(4096) & !1];
    // Without a single NUL byte it is not UTF-16 (the common case, found by memchr).
    if sample.len() < 64 || memchr::memchr(0, sample).is_none() {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_nul = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nul = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if odd_nul * 10 > pairs * 4 && even_nul * 10 < pairs {
        Some(UTF_16LE)
    } else if even_nul * 10 > pairs * 4 && odd_nul * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_tags_are_found_without_regex() {
        let head = b"<p><META charset=gbk><metadata x><meta\tname=a>< meta><meta";
        let tags: Vec<&[u8]> = meta_tags(head).collect();
        assert_eq!(
            tags,
            vec![&b"<META charset=gbk>"[..], &b"<meta\tname=a>"[..]]
        );
        assert_eq!(meta_charset(head), Some(GB18030));
    }

    fn gbk(s: &str) -> Vec<u8> {
        GB18030.encode(s).0.into_owned()
    }

    const NEWS: &str = "<html><head><title>通知公告</title></head><body><ul>\
        <li><a href=\"/a.html\">关于开展二〇二四年度政府网站普查工作的通知</a></li>\
        <li><a href=\"/b.html\">市人民政府办公室关于印发工作要点的通知</a></li>\
        </ul></body></html>";

    #[test]
    fn a_site_gb18030_hint_decodes_gbk_pages_and_leaves_big5_to_the_detector() {
        let gbk_page = gbk(NEWS);
        assert!(looks_gb2312(&gbk_page));
        let d = decode_with_hint(&gbk_page, Some("text/html"), Some(GB18030));
        assert_eq!(d.encoding, GB18030);
        assert_eq!(d.source, EncodingSource::Detected);
        assert_eq!(d.text, NEWS);

        // Big5 bytes decode cleanly as GBK too, into nonsense; the guard sends them on.
        let traditional = NEWS.replace(
            "</ul>",
            "</ul><p>為進一步加強政府網站管理，提升政府網站服務水平，根據國務院辦公廳\
             關於政府網站發展指引的要求，現將有關事項通知如下：各單位要高度重視，\
             認真組織自查，對發現的問題及時整改，確保網站內容準確、權威、及時更新。</p>",
        );
        let big5 = encoding_rs::BIG5.encode(&traditional).0.into_owned();
        assert!(GB18030
            .decode_without_bom_handling_and_without_replacement(&big5)
            .is_some());
        assert!(!looks_gb2312(&big5));
        // (What the detector then says is its own call: with the `cn` prior it may still
        // pick GBK; the hint must not be what decides.)
        let hinted = decode_with_hint(&big5, Some("text/html"), Some(GB18030));
        let detected = decode(&big5, Some("text/html"));
        assert_eq!(hinted.encoding, detected.encoding);
        assert_eq!(hinted.text, detected.text);

        // A hint never overrides a declaration the bytes agree with, nor valid UTF-8.
        let d = decode_with_hint(NEWS.as_bytes(), None, Some(GB18030));
        assert_eq!(d.encoding, UTF_8);
        let d = decode_with_hint(&gbk_page, Some("text/html; charset=gbk"), Some(GB18030));
        assert_eq!(d.source, EncodingSource::HttpHeader);
    }

    const PAGE: &str =
        "<html><head>{META}</head><body><p>湘潭市人民政府 网站标识码 鎔</p></body></html>";

    fn page(meta: &str) -> String {
        PAGE.replace("{META}", meta)
    }

    #[test]
    fn utf8_declared_utf8() {
        let p = page(r#"<meta charset="utf-8">"#);
        let d = decode(p.as_bytes(), None);
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.source, EncodingSource::MetaCharset);
        assert!(d.text.contains("湘潭市"));
    }

    #[test]
    fn gbk_declared_gb2312_decodes_as_gb18030() {
        // 鎔 is GBK-only (not in GB2312).
        let body = gbk(&page(
            r#"<meta http-equiv="Content-Type" content="text/html; charset=gb2312">"#,
        ));
        let d = decode(&body, None);
        assert_eq!(d.encoding, GB18030);
        assert_eq!(d.source, EncodingSource::MetaCharset);
        assert!(d.text.contains("湘潭市人民政府"));
        assert!(d.text.contains('鎔'));
    }

    #[test]
    fn gbk_without_any_declaration_is_detected() {
        let body = gbk(&page("").repeat(3));
        let d = decode(&body, None);
        assert_eq!(d.encoding, GB18030);
        assert_eq!(d.source, EncodingSource::Detected);
        assert!(d.text.contains("网站标识码"));
    }

    #[test]
    fn undeclared_gbk_after_a_long_ascii_head_is_detected_from_a_sample() {
        // 20 KB of ASCII markup, then 30 KB of Chinese text: only 8 KB of it is read.
        let mut page = format!(
            "<html><head><style>{}</style></head><body>",
            "a{}".repeat(7000)
        );
        page.push_str(&"<p>湘潭市人民政府办公室关于印发工作方案的通知</p>".repeat(800));
        let body = gbk(&page);
        let (sample, last) = detection_sample(&body, DETECT_SAMPLE);
        assert_eq!(sample.len(), DETECT_SAMPLE);
        assert!(!last);
        let d = decode(&body, None);
        assert_eq!(d.encoding, GB18030);
        assert_eq!(d.source, EncodingSource::Detected);
        assert!(d.text.ends_with("通知</p>"));
    }

    #[test]
    fn the_quick_sample_decides_as_the_whole_body_would() {
        // Undeclared pages in several legacy encodings: the two-stage detection picks what
        // chardetng picks from the whole body (for Big5 under the .cn hint that is GB18030,
        // as it was before the quick stage existed).
        let zh =
            "<p>政府信息公开，各机关应主动公开政府信息，便利人民共享及公平利用。</p>".repeat(30);
        let hant =
            "<p>政府資訊公開，各機關應主動公開政府資訊，便利人民共享及公平利用。</p>".repeat(30);
        let ko =
            "<p>정부 정보 공개 각 기관은 정부 정보를 적극적으로 공개해야 합니다</p>".repeat(30);
        let ja = "<p>政府情報の公開について、各機関は積極的に情報を公開しなければならない。</p>"
            .repeat(30);
        for (text, enc) in [
            (&zh, GB18030),
            (&hant, encoding_rs::BIG5),
            (&ko, encoding_rs::EUC_KR),
            (&ja, encoding_rs::SHIFT_JIS),
        ] {
            let body = enc
                .encode(&format!("<html><body>{text}</body></html>"))
                .0
                .into_owned();
            let whole = detect(&body, body.len());
            assert_eq!(decode(&body, None).encoding, whole, "{}", enc.name());
        }
    }

    #[test]
    fn gbk_with_wrong_http_header_utf8_uses_meta() {
        let body = gbk(&page(r#"<meta charset="gbk">"#));
        let d = decode(&body, Some("text/html; charset=utf-8"));
        assert_eq!(d.encoding, GB18030);
        assert_eq!(d.source, EncodingSource::MetaCharset);
        assert!(d.text.contains("湘潭市"));
    }

    #[test]
    fn gbk_with_wrong_header_and_no_meta_is_detected() {
        let body = gbk(&page("").repeat(3));
        let d = decode(&body, Some("text/html; charset=UTF-8"));
        assert_eq!(d.encoding, GB18030);
        assert_eq!(d.source, EncodingSource::Detected);
    }

    #[test]
    fn utf8_mislabeled_gb2312() {
        let p = page(r#"<meta charset="gb2312">"#);
        let d = decode(p.as_bytes(), Some("text/html; charset=gb2312"));
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.source, EncodingSource::Detected);
        assert!(d.text.contains("湘潭市"));
    }

    #[test]
    fn http_header_wins_over_meta_when_consistent() {
        let body = gbk(&page(r#"<meta charset="utf-8">"#));
        let d = decode(&body, Some("text/html;charset=GBK"));
        assert_eq!(d.encoding, GB18030);
        assert_eq!(d.source, EncodingSource::HttpHeader);
    }

    #[test]
    fn utf16le_bom_declared_gb2312() {
        let p = page(r#"<meta charset="gb2312">"#);
        let mut body = vec![0xFF, 0xFE];
        for u in p.encode_utf16() {
            body.extend_from_slice(&u.to_le_bytes());
        }
        let d = decode(&body, None);
        assert_eq!(d.encoding, UTF_16LE);
        assert_eq!(d.source, EncodingSource::Bom);
        assert!(d.text.starts_with("<html>"));
        assert!(d.text.contains("湘潭市"));
    }

    #[test]
    fn utf16le_without_bom_is_detected() {
        let p = page(r#"<meta charset="gb2312">"#);
        let body: Vec<u8> = p.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let d = decode(&body, None);
        assert_eq!(d.encoding, UTF_16LE);
        assert!(d.text.contains("湘潭市"));
    }

    #[test]
    fn utf8_bom_declared_gb2312() {
        let mut body = vec![0xEF, 0xBB, 0xBF];
        body.extend_from_slice(page(r#"<meta charset="gb2312">"#).as_bytes());
        let d = decode(&body, None);
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.source, EncodingSource::Bom);
        assert!(d.text.starts_with("<html>"));
    }

    #[test]
    fn ascii_without_declaration_is_default_utf8() {
        let d = decode(b"<html><body>hello</body></html>", None);
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.source, EncodingSource::Default);
    }
}
