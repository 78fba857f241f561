//! Serving tests over loopback: charset headers, GBK bytes, 404, robots.txt,
//! gzip, the flaky and the refusing site. Each test uses its own /24 so that
//! tests (and other farms) can run in parallel.

use std::net::Ipv4Addr;

use pucha_farm::{Farm, FarmServer, FarmSpec};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .no_gzip()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("client")
}

async fn start(net: [u8; 4], sites: usize) -> FarmServer {
    let farm = Farm::generate(&FarmSpec {
        sites,
        ..FarmSpec::demo()
    });
    FarmServer::start(farm, Ipv4Addr::from(net))
        .await
        .expect("farm starts")
}

#[tokio::test]
async fn pages_carry_each_sites_charset_policy() {
    let server = start([127, 0, 61, 0], 24).await;
    let truth = server.truth();
    let c = client();
    let mut gbk_checked = 0;
    for (i, s) in truth.sites.iter().enumerate() {
        if s.details.availability != "up" {
            continue;
        }
        let resp = c.get(server.url(i)).send().await.expect("homepage answers");
        assert_eq!(resp.status(), 200, "{}", s.name);
        let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
        match &s.details.header_charset {
            Some(cs) => assert_eq!(ct, format!("text/html; charset={cs}"), "{}", s.name),
            None => assert_eq!(ct, "text/html", "{}", s.name),
        }
        let gz = resp.headers().get("content-encoding").is_some();
        assert!(!gz, "no gzip unless asked");
        let body = resp.bytes().await.unwrap();
        let text = if s.details.body_encoding == "gbk" {
            assert!(
                std::str::from_utf8(&body).is_err(),
                "{}: GBK body must not be valid UTF-8",
                s.name
            );
            let (t, _, err) = encoding_rs::GBK.decode(&body);
            assert!(!err, "{}: valid GBK", s.name);
            gbk_checked += 1;
            t.into_owned()
        } else {
            String::from_utf8(body.to_vec()).expect("UTF-8 body")
        };
        assert!(text.contains(&s.name), "{}: name on homepage", s.name);
        let host = server.url(i).host_str().unwrap().to_string();
        assert!(
            text.contains(&format!("content=\"{host}:{}\"", server.port())),
            "SiteDomain is the real host"
        );
        match &s.details.meta_charset {
            Some(cs) => assert!(
                text.contains(&format!("charset={cs}"))
                    || text.contains(&format!("charset=\"{cs}\""))
            ),
            None => assert!(!text.contains("charset")),
        }
    }
    assert!(gbk_checked >= 5);
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_paths_robots_gzip_and_internal_links() {
    let server = start([127, 0, 62, 0], 4).await;
    let truth = server.truth();
    let c = client();
    let base = server.url(0);
    let r = c
        .get(base.join("/no/such/page.html").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let robots = c
        .get(base.join("/robots.txt").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(robots.status(), 200);
    let text = robots.text().await.unwrap();
    assert_eq!(
        truth.sites[0].details.robots_disallow.as_deref(),
        Some("/search/")
    );
    assert!(text.contains("Disallow: /search/"), "{text}");
    // Every column URL and every defect page of the truth answers 200.
    for (i, s) in truth.sites.iter().enumerate() {
        for col in &s.details.columns {
            let r = c.get(&col.url).send().await.unwrap();
            assert_eq!(r.status(), 200, "{} {}", s.name, col.url);
        }
        for d in &s.details.defects {
            if d.rule.starts_with("ded.broken_links") {
                let target = d.target.as_deref().unwrap();
                match c.get(target).send().await {
                    Ok(r) => assert_eq!(r.status(), 404, "{target}"),
                    Err(e) => assert!(e.is_connect(), "{target}: {e}"),
                }
            }
        }
        let _ = i;
    }
    // gzip on the sites that do it, when asked.
    let gz = truth
        .sites
        .iter()
        .position(|s| s.details.gzip)
        .expect("a gzip site");
    let r = c
        .get(server.url(gz))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let body = r.bytes().await.unwrap();
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut plain).unwrap();
    assert!(plain.starts_with(b"<!DOCTYPE html>"));
    server.shutdown().await;
}

#[tokio::test]
async fn flaky_site_fails_every_third_homepage_request_and_refused_site_refuses() {
    let server = start([127, 0, 63, 0], 9).await;
    let truth = server.truth();
    let c = client();
    let flaky = truth
        .sites
        .iter()
        .position(|s| s.details.availability == "flaky")
        .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            c.get(server.url(flaky))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [200, 200, 503, 200, 200, 503]);
    let refused = truth
        .sites
        .iter()
        .position(|s| s.details.availability == "refused")
        .unwrap();
    let err = c
        .get(server.url(refused))
        .send()
        .await
        .expect_err("nothing listens");
    assert!(err.is_connect(), "{err}");
    assert_eq!(truth.sites[refused].vetoes, ["veto.site_unreachable"]);
    server.shutdown().await;
}

#[tokio::test]
async fn two_farms_run_side_by_side_and_write_their_files() {
    let a = start([127, 0, 64, 0], 3).await;
    // The second farm takes the first one's port on its own net.
    let farm_b = Farm::generate(&FarmSpec {
        sites: 3,
        ..FarmSpec::demo()
    });
    let b = FarmServer::start_on(farm_b, Ipv4Addr::new(127, 0, 65, 0), Some(a.port()))
        .await
        .expect("same port, other addresses");
    assert_eq!(a.port(), b.port());
    let dir = tempfile::tempdir().unwrap();
    a.write_sites_csv(dir.path().join("sites.csv")).unwrap();
    a.write_truth(dir.path().join("truth.json")).unwrap();
    let sites =
        pucha_core::sitelist::load(&dir.path().join("sites.csv")).expect("site list parses");
    assert_eq!(sites, a.sites());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("truth.json")).unwrap())
            .unwrap();
    assert!(json["as_of"].as_str().unwrap().len() == 10);
    assert!(["pass", "fail"].contains(&json["sites"][0]["verdict"].as_str().unwrap()));
    assert!(json["sites"][0]["findings"].is_object());
    let c = client();
    for s in a.sites().iter().chain(b.sites().iter()) {
        assert_eq!(c.get(s.url.clone()).send().await.unwrap().status(), 200);
    }
    a.shutdown().await;
    b.shutdown().await;
}
