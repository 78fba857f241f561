//! The call into pucha-analyze for each fetched HTML page.
//!
//! TEMPORARY: until `pucha_analyze::analyze` is committed, this holds a minimal stand-in
//! (decode, title, links) so that the crawler can be built and tested. It is replaced by a
//! one-line call as soon as the real function exists.

use pucha_core::{EncodingSource, LinkTag, PageFacts, PageLink};
use scraper::{Html, Selector};
use url::Url;

/// The facts of one page: `pucha_analyze::analyze(body, url, content_type)`.
pub(crate) fn analyze(body: &[u8], url: &Url, content_type: Option<&str>) -> PageFacts {
    let (text, encoding, source) = decode(body, content_type);
    let doc = Html::parse_document(&text);
    let mut facts = PageFacts {
        encoding: encoding.to_string(),
        encoding_source: source,
        ..Default::default()
    };
    if let Ok(sel) = Selector::parse("title") {
        facts.title = doc
            .select(&sel)
            .next()
            .map(|t| t.text().collect::<String>().trim().to_string());
    }
    let specs: [(&str, &str, LinkTag); 7] = [
        ("a[href]", "href", LinkTag::A),
        ("area[href]", "href", LinkTag::Area),
        ("iframe[src]", "src", LinkTag::Iframe),
        ("img[src]", "src", LinkTag::Img),
        ("script[src]", "src", LinkTag::Script),
        ("link[href]", "href", LinkTag::Link),
        ("form[action]", "action", LinkTag::Form),
    ];
    for (css, attr, tag) in specs {
        let Ok(sel) = Selector::parse(css) else {
            continue;
        };
        for el in doc.select(&sel) {
            if tag == LinkTag::Form
                && el
                    .value()
                    .attr("method")
                    .is_some_and(|m| !m.eq_ignore_ascii_case("get"))
            {
                continue;
            }
            let raw = el.value().attr(attr).unwrap_or("").trim().to_string();
            let text = match tag {
                LinkTag::Img => el.value().attr("alt").unwrap_or("").to_string(),
                _ => el.text().collect::<String>().trim().to_string(),
            };
            facts.links.push(PageLink {
                url: url.join(&raw).ok().map(|u| u.to_string()),
                raw,
                text,
                tag,
                in_nav: false,
                in_footer: false,
                is_more: false,
            });
        }
    }
    let body_text: String = doc.root_element().text().collect::<Vec<_>>().join(" ");
    facts.main_text_chars = body_text.chars().filter(|c| !c.is_whitespace()).count();
    facts.soft_404 = body_text.contains("页面不存在") && facts.main_text_chars < 200;
    facts
}

fn decode(body: &[u8], content_type: Option<&str>) -> (String, &'static str, EncodingSource) {
    if let Some((enc, _)) = encoding_rs::Encoding::for_bom(body) {
        return (
            enc.decode(body).0.into_owned(),
            enc.name(),
            EncodingSource::Bom,
        );
    }
    let declared = content_type
        .and_then(|ct| {
            ct.to_ascii_lowercase()
                .split("charset=")
                .nth(1)
                .map(|s| s.trim_matches(['"', '\'', ' ', ';']).to_string())
        })
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()));
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(&body[..body.len().min(64 * 1024)], body.len() <= 64 * 1024);
    let guessed = det.guess(None, chardetng::Utf8Detection::Allow);
    let enc = match declared {
        // A declaration the bytes contradict (GBK page labelled UTF-8) loses to detection.
        Some(d)
            if d.decode_without_bom_handling_and_without_replacement(body)
                .is_some() =>
        {
            return (
                d.decode(body).0.into_owned(),
                d.name(),
                EncodingSource::HttpHeader,
            );
        }
        _ => guessed,
    };
    (
        enc.decode(body).0.into_owned(),
        enc.name(),
        EncodingSource::Detected,
    )
}
