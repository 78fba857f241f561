//! Builders of hand-made crawls for the rule tests.
#![allow(dead_code)]

use chrono::{NaiveDate, TimeZone, Utc};
use pucha_core::{
    Category, DatedItem, Footer, FooterItem, LinkKind, LinkOutcome, LinkRecord, LinkTag, Message,
    PageFacts, PageKind, PageLink, PageRecord, Reachability, Site, SiteCrawl,
};

pub const HOST: &str = "http://www.fy.gov.cn";

pub fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

pub fn u(path: &str) -> String {
    format!("{HOST}{path}")
}

pub fn item(title: &str, path: &str, date: NaiveDate) -> DatedItem {
    DatedItem {
        title: title.into(),
        url: Some(u(path)),
        date,
    }
}

pub fn link(path: &str, text: &str) -> PageLink {
    PageLink {
        raw: path.into(),
        url: Some(u(path).into()),
        text: text.into(),
        tag: LinkTag::A,
        in_nav: false,
        in_footer: false,
        is_more: false,
    }
}

pub fn nav(path: &str, text: &str) -> PageLink {
    PageLink {
        in_nav: true,
        ..link(path, text)
    }
}

fn present(v: &str) -> FooterItem {
    FooterItem {
        present: true,
        value: Some(v.into()),
        problems: Vec::new(),
    }
}

pub fn good_footer() -> Footer {
    Footer {
        conac_badge: present(
            "https://bszs.conac.cn/sitename?method=show&id=EE22E4B3CB6856D9B167B2922015527F",
        ),
        site_id_code: present("政府网站标识码：5204000001"),
        icp: present("黔ICP备91094053号-3"),
        psb: present("贵公网安备 52040007846018号"),
        sponsor: present("丰阳市人民政府办公室"),
        contact: present("0833-7140159"),
        sitemap: present("/sitemap.html"),
        jiucuo: present("https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=5204000001"),
    }
}

pub fn site_meta(facts: &mut PageFacts) {
    facts
        .meta
        .insert("SiteName".into(), "丰阳市人民政府".into());
    facts
        .meta
        .insert("SiteDomain".into(), "www.fy.gov.cn".into());
    facts.meta.insert("SiteIDCode".into(), "5204000001".into());
}

pub fn page(path: &str, kind: PageKind, depth: u32) -> PageRecord {
    let mut facts = PageFacts {
        encoding: "UTF-8".into(),
        kind,
        main_text_chars: 500,
        has_search: true,
        footer: good_footer(),
        jiucuo_site_code: Some("5204000001".into()),
        ..PageFacts::default()
    };
    site_meta(&mut facts);
    PageRecord {
        url: u(path),
        final_url: u(path),
        status: 200,
        depth,
        parent: None,
        anchor: None,
        bytes: 1000,
        truncated: false,
        facts,
    }
}

/// A homepage with one fresh item (dated `newest`) and links to 领导信箱, 办事服务, 政策解读,
/// 机构职能, 领导信息 and 在线访谈.
pub fn home(newest: NaiveDate) -> PageRecord {
    let mut p = page("/", PageKind::Home, 0);
    p.facts
        .dated_items
        .push(item("首页要闻", "/art/home1.html", newest));
    p.facts.links.push(link("/ldxx/", "领导信箱"));
    p.facts.links.push(link("/bsfw/", "办事服务"));
    p.facts.links.push(link("/zcjd/", "政策解读"));
    p.facts.links.push(link("/gk/", "机构职能"));
    p.facts.links.push(link("/ldxx/info.html", "领导信息"));
    p.facts.links.push(link("/zxft/", "在线访谈"));
    p
}

/// A column page at `path` named `name` with items dated `dates`; breadcrumb 首页 > group > name.
pub fn column(path: &str, name: &str, ctype: &str, dates: &[NaiveDate]) -> PageRecord {
    let mut p = page(path, PageKind::Column, 1);
    p.facts.meta.insert("ColumnName".into(), name.into());
    p.facts
        .meta
        .insert("ColumnDescription".into(), format!("{name}栏目"));
    p.facts.meta.insert("ColumnKeywords".into(), name.into());
    p.facts.meta.insert("ColumnType".into(), ctype.into());
    p.facts.breadcrumb = vec!["首页".into(), "政务公开".into(), name.into()];
    for (i, dt) in dates.iter().enumerate() {
        p.facts.dated_items.push(item(
            &format!("{name}{i}"),
            &format!("{path}art{i}.html"),
            *dt,
        ));
    }
    if dates.is_empty() {
        p.facts.placeholder = Some("暂无信息".into());
        p.facts.main_text_chars = 10;
    }
    p
}

pub fn content(path: &str, published: NaiveDate, body: &str) -> PageRecord {
    let mut p = page(path, PageKind::Content, 2);
    for (k, v) in [
        ("ColumnName", "工作动态"),
        ("ColumnDescription", "工作动态"),
        ("ColumnKeywords", "工作动态"),
        ("ColumnType", "工作动态"),
        ("ArticleTitle", "标题"),
        ("ContentSource", "丰阳市人民政府办公室"),
    ] {
        p.facts.meta.insert(k.into(), v.into());
    }
    p.facts
        .meta
        .insert("PubDate".into(), format!("{published} 09:30"));
    p.facts.published = Some(published);
    p.facts.body_text = body.into();
    p
}

pub fn message(title: &str, path: &str, asked: NaiveDate, answered: Option<NaiveDate>) -> Message {
    Message {
        title: title.into(),
        url: Some(u(path)),
        asked: Some(asked),
        answered,
        answered_flag: Some(answered.is_some()),
    }
}

pub fn crawl(pages: Vec<PageRecord>, links: Vec<LinkRecord>) -> SiteCrawl {
    SiteCrawl {
        site: Site {
            name: "丰阳市人民政府".into(),
            url: url::Url::parse(&u("/")).expect("url"),
            category: Category::CityPortal,
            site_code: Some("5204000001".into()),
            sponsor: None,
        },
        started_at: Utc.with_ymd_and_hms(2024, 10, 8, 2, 0, 0).unwrap(),
        reachability: Reachability::Reachable { status: 200 },
        pages,
        links,
        probes: Vec::new(),
        stats: Default::default(),
        tls_errors: Vec::new(),
        ipv6: None,
    }
}

pub fn link_record(page: &str, target: &str, outcome: LinkOutcome, kind: LinkKind) -> LinkRecord {
    LinkRecord {
        page: u(page).into(),
        target: if target.starts_with("http") {
            target.into()
        } else {
            u(target).into()
        },
        text: "".into(),
        tag: LinkTag::A,
        kind,
        outcome,
    }
}

/// A healthy site at `as_of`: fresh homepage, fresh news/notice/policy columns, a consultation
/// column with answered messages and a link to its statistics, a service column.
pub fn healthy(as_of: NaiveDate) -> Vec<PageRecord> {
    let recent = as_of - chrono::Days::new(3);
    let mut consult = column("/ldxx/", "领导信箱", "咨询投诉", &[]);
    consult.facts.placeholder = None;
    consult.facts.main_text_chars = 300;
    consult
        .facts
        .links
        .push(link("/ldxx/tj.html", "信件办理情况统计"));
    consult.facts.messages.push(message(
        "问题一",
        "/ldxx/1.html",
        recent - chrono::Days::new(20),
        Some(recent),
    ));
    vec![
        home(recent),
        column("/gzdt/", "工作动态", "工作动态", &[recent]),
        column("/tzgg/", "通知公告", "通知公告", &[recent]),
        column("/zcwj/", "政策文件", "政策文件", &[recent]),
        column("/zcjd/", "政策解读", "政策解读", &[recent]),
        column("/bsfw/", "办事服务", "办事服务", &[recent]),
        consult,
    ]
}

pub fn link_abs(url: &str, text: &str) -> PageLink {
    PageLink {
        raw: url.into(),
        url: Some(url.into()),
        text: text.into(),
        tag: LinkTag::A,
        in_nav: false,
        in_footer: true,
        is_more: false,
    }
}
