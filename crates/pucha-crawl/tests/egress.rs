//! The egress policy: links to private addresses from a public-looking site are refused by
//! default (even through a redirect), and with `loopback_only` real external hosts are recorded
//! as NotChecked without any connection or DNS lookup.

mod support;

use std::time::Duration;

use pucha_core::{CrawlConfig, LinkOutcome, ProbeFailure};
use pucha_crawl::Crawler;
use support::*;

fn not_checked_why(o: &LinkOutcome) -> &str {
    match o {
        LinkOutcome::NotChecked { why } => why,
        other => panic!("expected NotChecked, got {other:?}"),
    }
}

#[tokio::test]
async fn private_targets_are_refused_unless_the_site_list_points_there() {
    // An internal service on another loopback address, not in the site list.
    let internal = serve("127.0.0.3", |_| Reply::html("secret")).await;
    let internal_url = internal.url("/admin");
    let redirect_to = internal.url("/via-redirect");
    let srv = serve("127.0.0.1", move |r| match r.path() {
        "/" => Reply::html(page(
            "首页",
            &[
                (&internal_url, "内网"),
                ("http://10.0.0.1/", "私网"),
                ("http://192.168.1.1/login", "路由器"),
                ("http://169.254.169.254/latest/meta-data/", "元数据"),
                ("http://[::1]:9/", "本机 IPv6"),
                ("/go", "跳转"),
                ("/ok.html", "正常"),
            ],
        )),
        "/go" => Reply::redirect(&redirect_to),
        "/ok.html" => Reply::html(page("正常", &[])),
        _ => Reply::status(404),
    })
    .await;
    // The default policy: no loopback_only, no allow_private. The site's own host (127.0.0.1)
    // is in the site list and therefore allowed.
    let cfg = CrawlConfig {
        no_politeness: true,
        request_timeout_ms: 2_000,
        inline_probes: 0,
        ..CrawlConfig::default()
    };
    let c = crawl_home(&srv, &cfg).await;
    assert!(matches!(outcome_of(&c, "/ok.html"), LinkOutcome::Ok { .. }));
    for t in [
        "/admin",
        "10.0.0.1/",
        "/login",
        "/meta-data/",
        "[::1]:9/",
        "/go",
    ] {
        let why = not_checked_why(outcome_of(&c, t));
        assert!(why.starts_with("egress policy"), "{t}: {why}");
    }
    assert_eq!(c.stats.skipped_egress, 6);
    assert_eq!(c.stats.links_broken, 0, "refused is not broken");
    assert_eq!(
        internal.connections(),
        0,
        "no connection to a refused address"
    );
}

#[tokio::test]
async fn loopback_only_never_contacts_real_external_hosts() {
    let srv = serve("127.0.0.1", |r| match r.path() {
        "/" => Reply::html(page(
            "首页",
            &[
                (
                    "https://bszs.conac.cn/sitename?method=show&id=0123456789ABCDEF0123456789ABCDEF",
                    "党政机关",
                ),
                (
                    "https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=1234000001&url=x",
                    "我为政府网站找错",
                ),
                ("http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=11010502000001", "公网安备"),
                ("http://8.8.8.8/", "公网 IP"),
            ],
        )),
        _ => Reply::status(404),
    })
    .await;
    let cfg = cfg(); // loopback_only
    let crawler = Crawler::new(&cfg).unwrap();
    let c = crawler.crawl_site(&site(&srv.url("/")), &cfg).await;
    for t in ["0123456789ABCDEF", "url=x", "11010502000001", "8.8.8.8/"] {
        let why = not_checked_why(outcome_of(&c, t));
        assert!(why.contains("loopback_only"), "{t}: {why}");
    }
    let conac = outcome_of(&c, "0123456789ABCDEF");
    assert!(not_checked_why(conac).contains("not even resolved"));
    assert_eq!(c.stats.skipped_egress, 4);
    assert_eq!(c.stats.links_broken, 0);

    // A probe of a real host is refused the same way.
    let p = crawler
        .probe(
            &"https://www.gov.cn/".parse().unwrap(),
            Duration::from_secs(2),
        )
        .await;
    assert!(matches!(p.failure, Some(ProbeFailure::Other(ref d)) if d.contains("loopback_only")));
}

#[tokio::test]
async fn allow_list_and_deny_list() {
    let other = serve("127.0.0.4", |_| Reply::html(page("允许", &[]))).await;
    let other_url = other.url("/a.html");
    let srv = serve("127.0.0.1", move |r| match r.path() {
        "/" => Reply::html(page(
            "首页",
            &[(&other_url, "允许的内网"), ("/deny.html", "禁止")],
        )),
        _ => Reply::status(404),
    })
    .await;
    let mut cfg = CrawlConfig {
        no_politeness: true,
        request_timeout_ms: 2_000,
        inline_probes: 0,
        ..CrawlConfig::default()
    };
    cfg.egress.allow = vec!["127.0.0.4/32".into()];
    let c = crawl_home(&srv, &cfg).await;
    assert!(matches!(outcome_of(&c, "/a.html"), LinkOutcome::Ok { .. }));
    assert!(other.connections() > 0);

    // Deny wins over allow.
    cfg.egress.deny = vec!["127.0.0.4".into()];
    let c = crawl_home(&srv, &cfg).await;
    assert!(not_checked_why(outcome_of(&c, "/a.html")).contains("denied"));
}
