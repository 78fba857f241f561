//! The IPv6 fact of a crawl (ded.ipv6), on loopback only: a farm site served on an IPv4 literal
//! has no AAAA record; a policy that refuses the lookup leaves it not checked. Nothing here sends
//! traffic outside 127.0.0.0/8 (no ::1 either).

mod support;

use pucha_core::Ipv6Check;
use pucha_crawl::Crawler;
use pucha_farm::{Farm, FarmServer, FarmSpec};
use support::*;

#[tokio::test]
async fn ipv4_literal_farm_site_has_no_aaaa() {
    let spec = FarmSpec {
        sites: 1,
        pages_per_site: 40,
        unavailable_sites: false,
        ..FarmSpec::demo()
    };
    let server = FarmServer::start(Farm::generate(&spec), "127.0.44.0".parse().unwrap())
        .await
        .expect("serve one farm site on loopback");
    let site = server.sites().remove(0);
    let mut c = cfg();
    c.max_pages = 3;
    let crawl = Crawler::new(&c).unwrap().crawl_site(&site, &c).await;
    server.shutdown().await;
    let host = site.url.host_str().unwrap().to_string();
    match &crawl.ipv6 {
        Some(Ipv6Check::NoAaaa { detail }) => assert!(detail.contains(&host), "{detail}"),
        other => panic!("expected no AAAA for {host}, got {other:?}"),
    }
}

#[tokio::test]
async fn unreachable_site_is_not_checked_for_ipv6() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let mut s = site(&format!("http://{closed}/"));
    s.name = "关闭的站点".into();
    let crawl = Crawler::new(&cfg()).unwrap().crawl_site(&s, &cfg()).await;
    assert!(crawl.ipv6.is_none(), "{:?}", crawl.ipv6);
}
