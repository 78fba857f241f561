//! Pages in GBK with a wrong or missing declaration are decoded correctly: the crawler passes
//! raw bytes and the Content-Type to pucha-analyze and never decodes text itself.

mod support;

use pucha_core::EncodingSource;
use support::*;

fn gbk(s: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(s).0.into_owned()
}

#[tokio::test]
async fn gbk_pages_with_wrong_or_missing_declarations() {
    let body = |title: &str, meta: &str, links: &[(&str, &str)]| {
        let mut s = format!("<html><head>{meta}<title>{title}</title></head><body>");
        for (h, t) in links {
            s.push_str(&format!("<a href=\"{h}\">{t}</a>"));
        }
        s.push_str("<p>本网站由某某市人民政府办公室主办，政务公开专栏发布政府信息，欢迎访问。政务服务、互动交流、新闻动态。</p></body></html>");
        gbk(&s)
    };
    let home = body(
        "某某市人民政府门户网站",
        "",
        &[
            ("/wrong.html", "政务公开"),
            ("/none.html", "新闻动态"),
            ("/meta.html", "通知公告"),
            ("/utf8.html", "政策文件"),
        ],
    );
    // An undeclared UTF-8 page on a GBK site: the site's detected GBK must not stick to it.
    let utf8 = "<html><head><title>政策文件栏目</title></head><body><p>政策文件</p></body></html>";
    let wrong = body("政务公开专栏", "", &[]);
    let none = body("新闻动态栏目", "", &[]);
    let meta = body(
        "通知公告栏目",
        "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">",
        &[],
    );
    let srv = serve("127.0.0.1", move |r| match r.path() {
        // No charset anywhere.
        "/" => Reply::with(200, "text/html", home.clone()),
        // The header says UTF-8, the bytes are GBK.
        "/wrong.html" => Reply::with(200, "text/html; charset=utf-8", wrong.clone()),
        // No Content-Type at all.
        "/none.html" => Reply::Full {
            status: 200,
            headers: vec![],
            body: none.clone(),
        },
        // Declared in a meta tag only.
        "/meta.html" => Reply::with(200, "text/html", meta.clone()),
        "/utf8.html" => Reply::with(200, "text/html", utf8),
        _ => Reply::status(404),
    })
    .await;
    let cfg = cfg();
    let c = crawl_home(&srv, &cfg).await;
    let title = |suffix: &str| {
        c.pages
            .iter()
            .find(|p| p.url.ends_with(suffix))
            .unwrap_or_else(|| panic!("{suffix} not crawled"))
            .facts
            .title
            .clone()
            .unwrap_or_default()
    };
    assert_eq!(title("/"), "某某市人民政府门户网站");
    assert_eq!(title("/wrong.html"), "政务公开专栏");
    assert_eq!(title("/none.html"), "新闻动态栏目");
    assert_eq!(title("/meta.html"), "通知公告栏目");
    assert_eq!(title("/utf8.html"), "政策文件栏目");
    let encoding = |suffix: &str| {
        let p = c.pages.iter().find(|p| p.url.ends_with(suffix)).unwrap();
        (p.facts.encoding.as_str(), p.facts.encoding_source)
    };
    // The homepage went to the detector; the later undeclared GBK pages took the site's
    // detected encoding (same outcome, same source).
    for page in ["/", "/wrong.html", "/none.html"] {
        assert_eq!(
            encoding(page),
            ("gb18030", EncodingSource::Detected),
            "{page}"
        );
    }
    assert_eq!(
        encoding("/meta.html"),
        ("gb18030", EncodingSource::MetaCharset)
    );
    assert_eq!(encoding("/utf8.html").0, "UTF-8");
    // Anchor texts came through decoded too.
    let anchors: Vec<&str> = c.links.iter().map(|l| &*l.text).collect();
    assert!(anchors.contains(&"政务公开"), "{anchors:?}");
    assert_eq!(c.pages.len(), 5);
}
