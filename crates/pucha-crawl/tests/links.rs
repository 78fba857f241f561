//! Crawl and link-check outcomes on a small loopback site: BFS order, broken vs blocked,
//! soft 404, empty attachments, HEAD-rejecting servers, robots.txt, dedup and stats.

mod support;

use std::time::{Duration, Instant};

use pucha_core::{BrokenReason, LinkKind, LinkOutcome};
use pucha_crawl::Crawler;
use support::*;

#[tokio::test]
async fn crawls_breadth_first_and_classifies_every_link() {
    // A second loopback host plays "external": it rejects HEAD (405) but answers GET.
    let ext = serve("127.0.0.2", |r| match (r.method.as_str(), r.path()) {
        ("HEAD", _) => Reply::status(405),
        (_, "/ok") => Reply::html(page("外部", &[])),
        _ => Reply::status(404),
    })
    .await;
    let ext_ok = ext.url("/ok");
    let ext_gone = ext.url("/gone");
    let srv = serve("127.0.0.1", move |r| match r.path() {
        "/" => Reply::html(page(
            "首页",
            &[
                ("/col/news/", "新闻动态"),
                ("/col/gk/", "政务公开"),
                ("/files/plan.pdf", "规划全文"),
                ("/files/empty.doc", "空附件"),
                ("/waf", "被拦截"),
                ("/gone.html", "已删除"),
                ("/soft.html", "提示页"),
                ("javascript:void(0)", "打印"),
                ("mailto:ban@x.gov.cn", "联系我们"),
                (&ext_ok, "外部链接"),
                (&ext_gone, "外部死链"),
                ("/col/news/#top", "新闻动态（锚点）"),
            ],
        )),
        "/robots.txt" => Reply::status(404),
        "/col/news/" => Reply::html(page(
            "新闻动态",
            &[("/art/1.html", "文章一"), ("/", "首页")],
        )),
        "/col/gk/" => Reply::html(page("政务公开", &[("/art/2.html", "文章二")])),
        "/art/1.html" | "/art/2.html" => Reply::html(page("文章", &[("/art/3.html", "相关")])),
        "/art/3.html" => Reply::html(page("文章三", &[])),
        "/files/plan.pdf" => Reply::with(200, "application/pdf", b"%PDF-1.4 ...".to_vec()),
        "/files/empty.doc" => Reply::with(200, "application/msword", Vec::new()),
        "/waf" => Reply::with(
            403,
            "text/html",
            "<h1>403</h1><p>您的访问已被网站防火墙拦截</p>",
        )
        .header("Server", "Safedog/4.0"),
        "/soft.html" => Reply::html(
            "<html><head><title>提示</title></head><body>抱歉，您访问的页面不存在</body></html>",
        ),
        _ => Reply::status(404),
    })
    .await;

    let cfg = cfg();
    let crawler = Crawler::new(&cfg).unwrap();
    let t0 = Instant::now();
    let c = crawler.crawl_site(&site(&srv.url("/")), &cfg).await;
    assert!(t0.elapsed() < Duration::from_secs(cfg.max_seconds + 10));

    // BFS: homepage first, then the two columns, then articles.
    assert_eq!(c.pages[0].depth, 0);
    assert_eq!(c.pages[0].url, srv.url("/"));
    let depths: Vec<u32> = c.pages.iter().map(|p| p.depth).collect();
    assert!(depths.windows(2).all(|w| w[0] <= w[1]), "{depths:?}");
    assert_eq!(
        c.pages.len(),
        6,
        "{:#?}",
        c.pages.iter().map(|p| &p.url).collect::<Vec<_>>()
    );
    let news = c
        .pages
        .iter()
        .find(|p| p.url.ends_with("/col/news/"))
        .unwrap();
    assert_eq!(news.anchor.as_deref(), Some("新闻动态"));
    assert_eq!(news.parent.as_deref(), Some(c.pages[0].final_url.as_str()));

    assert!(matches!(
        outcome_of(&c, "/files/plan.pdf"),
        LinkOutcome::Ok { status: 200 }
    ));
    assert_eq!(
        outcome_of(&c, "/files/empty.doc"),
        &LinkOutcome::Broken {
            reason: BrokenReason::EmptyAttachment
        }
    );
    assert!(matches!(
        outcome_of(&c, "/waf"),
        LinkOutcome::Blocked { .. }
    ));
    assert_eq!(
        outcome_of(&c, "/gone.html"),
        &LinkOutcome::Broken {
            reason: BrokenReason::Status { status: 404 }
        }
    );
    assert_eq!(
        outcome_of(&c, "/soft.html"),
        &LinkOutcome::Broken {
            reason: BrokenReason::Soft404
        }
    );
    assert!(matches!(
        outcome_of(&c, "/ok"),
        LinkOutcome::Ok { status: 200 }
    ));
    assert_eq!(
        outcome_of(&c, "/gone"),
        &LinkOutcome::Broken {
            reason: BrokenReason::Status { status: 404 }
        }
    );
    assert!(matches!(
        outcome_of(&c, "void(0)"),
        LinkOutcome::NotChecked { .. }
    ));

    let kind = |t: &str| c.links.iter().find(|l| l.target.ends_with(t)).unwrap().kind;
    assert_eq!(kind("/files/plan.pdf"), LinkKind::Attachment);
    assert_eq!(kind("/ok"), LinkKind::External);
    assert_eq!(kind("/col/gk/"), LinkKind::InternalPage);
    assert_eq!(kind("ban@x.gov.cn"), LinkKind::Pseudo);

    // The anchor link to /col/news/#top is the same target as /col/news/: counted once per page.
    let home = &c.pages[0].final_url;
    let news_links = c
        .links
        .iter()
        .filter(|l| *l.page == **home && l.target.ends_with("/col/news/"))
        .count();
    assert_eq!(news_links, 1);
    // The HEAD-rejecting server was asked with GET after HEAD.
    assert!(ext
        .requests()
        .iter()
        .any(|r| r.method == "HEAD" && r.path() == "/ok"));
    assert!(ext
        .requests()
        .iter()
        .any(|r| r.method == "GET" && r.path() == "/ok"));

    let s = &c.stats;
    assert_eq!(s.pages_fetched, 6);
    assert_eq!(s.links_found as usize, c.links.len());
    assert_eq!(s.links_blocked, 1);
    assert_eq!(s.links_broken, 4, "{:#?}", c.links);
    assert_eq!(s.links_checked + s.links_not_checked, s.links_found);
    // Only GET and HEAD were ever sent.
    assert!(srv
        .requests()
        .iter()
        .chain(ext.requests().iter())
        .all(|r| r.method == "GET" || r.method == "HEAD"));
}

#[tokio::test]
async fn honours_robots_txt_unless_overridden() {
    let srv = serve("127.0.0.1", |r| match r.path() {
        "/" => Reply::html(page(
            "首页",
            &[("/private/a.html", "内部"), ("/public/b.html", "公开")],
        )),
        "/robots.txt" => Reply::with(200, "text/plain", "User-agent: *\nDisallow: /private/\n"),
        _ => Reply::html(page("页面", &[])),
    })
    .await;
    let cfg = cfg();
    let crawler = Crawler::new(&cfg).unwrap();
    let c = crawler.crawl_site(&site(&srv.url("/")), &cfg).await;
    assert_eq!(c.stats.skipped_robots, 1);
    assert_eq!(
        outcome_of(&c, "/private/a.html"),
        &LinkOutcome::NotChecked {
            why: "robots.txt".into()
        }
    );
    assert!(!srv.requested("/private/a.html"));
    assert!(srv.requested("/public/b.html"));

    let mut authorised = cfg.clone();
    authorised.respect_robots = false;
    let c = crawler.crawl_site(&site(&srv.url("/")), &authorised).await;
    assert_eq!(c.stats.skipped_robots, 0);
    assert!(srv.requested("/private/a.html"));
}

#[tokio::test]
async fn budgets_are_counted_not_silent() {
    // 30 columns on the homepage, each with 5 articles; budgets cut pages, depth and outlinks.
    let srv = serve("127.0.0.1", |r| {
        let p = r.path().to_string();
        if p == "/" {
            let links: Vec<(String, String)> = (0..30)
                .map(|i| (format!("/col{i}/"), format!("栏目{i}")))
                .collect();
            let l: Vec<(&str, &str)> = links
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            Reply::html(page("首页", &l))
        } else if p.starts_with("/col") && p.ends_with('/') {
            let links: Vec<(String, String)> = (0..5)
                .map(|i| (format!("{p}art{i}.html"), format!("文章{i}")))
                .collect();
            let l: Vec<(&str, &str)> = links
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            Reply::html(page("栏目", &l))
        } else if p == "/robots.txt" {
            Reply::status(404)
        } else {
            Reply::html(page("文章", &[("/deeper.html", "更深")]))
        }
    })
    .await;
    let mut cfg = cfg();
    cfg.max_pages = 20;
    cfg.max_depth = 2;
    cfg.max_outlinks_per_page = 25;
    let crawler = Crawler::new(&cfg).unwrap();
    let c = crawler.crawl_site(&site(&srv.url("/")), &cfg).await;
    let s = &c.stats;
    assert_eq!(s.pages_fetched, 20);
    assert_eq!(s.cut_outlinks, 5, "30 links on the homepage, 25 considered");
    assert!(s.cut_max_pages > 0);
    assert!(c.pages.iter().all(|p| p.depth <= 2));
    assert!(c
        .links
        .iter()
        .any(|l| matches!(&l.outcome, LinkOutcome::NotChecked { why } if why == "max_pages")));
}

#[tokio::test]
async fn backs_off_on_429_with_retry_after() {
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let h = hits.clone();
    let srv = serve("127.0.0.1", move |r| match r.path() {
        "/" => Reply::html(page(
            "首页",
            &[("/busy.html", "繁忙"), ("/always429", "限流")],
        )),
        "/busy.html" => {
            if h.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                Reply::status(429).header("Retry-After", "1")
            } else {
                Reply::html(page("繁忙页", &[]))
            }
        }
        "/always429" => Reply::status(429).header("Retry-After", "0"),
        _ => Reply::status(404),
    })
    .await;
    let cfg = cfg();
    let c = crawl_home(&srv, &cfg).await;
    assert!(matches!(
        outcome_of(&c, "/busy.html"),
        LinkOutcome::Ok { status: 200 }
    ));
    // Rate limited to the end: blocked, not broken.
    assert!(matches!(
        outcome_of(&c, "/always429"),
        LinkOutcome::Blocked { .. }
    ));
    assert!(c.stats.retries > cfg.retries as u64);
    let n429 = srv
        .requests()
        .iter()
        .filter(|r| r.path() == "/always429")
        .count();
    assert_eq!(n429, 1 + cfg.retries as usize);
}

#[tokio::test]
async fn politeness_limits_requests_in_flight_per_host() {
    let srv = serve("127.0.0.1", |r| {
        let p = r.path().to_string();
        if p == "/" {
            let links: Vec<(String, String)> = (0..12)
                .map(|i| (format!("/p{i}.html"), format!("页{i}")))
                .collect();
            let l: Vec<(&str, &str)> = links
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            Reply::html(page("首页", &l))
        } else if p == "/robots.txt" {
            Reply::status(404)
        } else {
            Reply::After(
                Duration::from_millis(40),
                Box::new(Reply::html(page("页", &[("/logo.png", "图")]))),
            )
        }
    })
    .await;
    let mut cfg = cfg();
    cfg.no_politeness = false;
    cfg.per_host_concurrency = 2;
    cfg.per_host_rps = 100.0;
    let c = crawl_home(&srv, &cfg).await;
    assert_eq!(c.stats.pages_fetched, 13);
    assert!(
        srv.max_in_flight() <= 2,
        "{} requests in flight",
        srv.max_in_flight()
    );

    // Lifted: the same site is fetched with more requests in flight.
    let mut fast = cfg.clone();
    fast.no_politeness = true;
    let srv2 = serve("127.0.0.1", |r| {
        Reply::After(
            Duration::from_millis(40),
            Box::new(if r.path() == "/" {
                let links: Vec<(String, String)> = (0..12)
                    .map(|i| (format!("/p{i}.html"), format!("页{i}")))
                    .collect();
                let l: Vec<(&str, &str)> = links
                    .iter()
                    .map(|(a, b)| (a.as_str(), b.as_str()))
                    .collect();
                Reply::html(page("首页", &l))
            } else {
                Reply::html(page("页", &[]))
            }),
        )
    })
    .await;
    let c = Crawler::new(&fast)
        .unwrap()
        .crawl_site(&site(&srv2.url("/")), &fast)
        .await;
    assert_eq!(c.stats.pages_fetched, 13);
    assert!(srv2.max_in_flight() > 2);
}

#[tokio::test]
async fn a_challenge_interstitial_is_blocked_but_an_article_about_captchas_is_a_page() {
    let article = format!(
        "<html><head><meta charset=\"utf-8\"><title>关于网上办事人机验证的说明</title></head><body><p>{}</p></body></html>",
        "为防止恶意注册，网上办事大厅登录时增加人机验证环节，请按提示完成滑动验证后继续办理。".repeat(20)
    );
    let srv = serve("127.0.0.1", move |r| match r.path() {
        "/" => Reply::html(page(
            "首页",
            &[("/challenge.html", "办事大厅"), ("/article.html", "说明")],
        )),
        "/challenge.html" => Reply::html(
            "<html><body><script>document.cookie='__jsl_clearance=1';location.reload()</script>正在进行安全验证</body></html>",
        ),
        "/article.html" => Reply::html(article.clone()),
        _ => Reply::status(404),
    })
    .await;
    let cfg = cfg();
    let c = crawl_home(&srv, &cfg).await;
    assert!(
        matches!(outcome_of(&c, "/challenge.html"), LinkOutcome::Blocked { detail } if detail.contains("__jsl_clearance")),
        "{:?}",
        outcome_of(&c, "/challenge.html")
    );
    assert!(!c.pages.iter().any(|p| p.url.ends_with("/challenge.html")));
    assert!(matches!(
        outcome_of(&c, "/article.html"),
        LinkOutcome::Ok { status: 200 }
    ));
    assert!(c.pages.iter().any(|p| p.url.ends_with("/article.html")));
}

#[tokio::test]
async fn pages_only_a_script_pager_names_are_crawled() {
    let list = |n: usize| {
        format!(
            "<html><head><title>工作动态</title></head><body><ul><li><a href=\"./202401/t2024011{n}_{n}.html\">第{n}页的第一条消息</a><span>2024-01-1{n}</span></li></ul><div class=\"page\"><script>createPageHTML(3, {n}, \"index\", \"html\");</script></div></body></html>"
        )
    };
    let srv = serve("127.0.0.1", move |r| match r.path() {
        "/" => Reply::html(page("首页", &[("/gzdt/index.html", "工作动态")])),
        "/gzdt/index.html" => Reply::html(list(0)),
        "/gzdt/index_1.html" => Reply::html(list(1)),
        "/gzdt/index_2.html" => Reply::html(list(2)),
        p if p.starts_with("/gzdt/202401/") => Reply::html(page("文章", &[])),
        _ => Reply::status(404),
    })
    .await;
    let out = crawl_home(&srv, &cfg()).await;
    assert!(srv.requested("/gzdt/index_1.html"), "{:?}", srv.requests());
    assert!(srv.requested("/gzdt/index_2.html"));
    let second = out
        .pages
        .iter()
        .find(|p| p.url.ends_with("/gzdt/index_2.html"))
        .expect("second pager page crawled");
    assert_eq!(second.facts.dated_items.len(), 1);
    // Followed once, however many pages name it.
    let hits = srv
        .requests()
        .iter()
        .filter(|r| r.path() == "/gzdt/index_1.html" && r.method == "GET")
        .count();
    assert_eq!(hits, 1);
}
