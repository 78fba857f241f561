//! Synthetic pages, one per markup variant real sites use: footer item spellings,
//! list shapes, date forms, message boards, service guides, small page facts.

use chrono::NaiveDate;
use pucha_analyze::{analyze, analyze_text, analyze_text_with, AnalyzeOptions};
use pucha_core::{PageFacts, PageKind};

fn url(s: &str) -> url::Url {
    url::Url::parse(s).unwrap()
}

fn page(body: &str) -> PageFacts {
    analyze_text(
        &format!("<html><head><title>t</title></head><body>{body}</body></html>"),
        &url("http://www.example.gov.cn/col/list.html"),
    )
}

fn footer(inner: &str) -> PageFacts {
    page(&format!(
        "<div class='main'><p>正文</p></div><div class='footer'>{inner}</div>"
    ))
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

// ---- footer: ICP ----

#[test]
fn icp_split_across_spans() {
    let f = footer("<p><a href='https://beian.miit.gov.cn'>京<span>ICP</span>备<span>19054529</span>号<span>-1</span></a></p>");
    assert_eq!(f.footer.icp.value.as_deref(), Some("京ICP备19054529号-1"));
    assert!(f.footer.icp.problems.is_empty());
}

#[test]
fn icp_with_space_colon_and_without_hao() {
    let f = footer("<p>蜀ICP备 13001288号</p>");
    assert_eq!(f.footer.icp.value.as_deref(), Some("蜀ICP备13001288号"));
    let f = footer("<p>蜀ICP备：19007388号</p>");
    assert_eq!(f.footer.icp.value.as_deref(), Some("蜀ICP备19007388号"));
    assert!(f.footer.icp.problems.iter().any(|p| p.contains("colon")));
    let f = footer("<p>鄂ICP备05009168</p>");
    assert_eq!(f.footer.icp.value.as_deref(), Some("鄂ICP备05009168"));
    assert!(f.footer.icp.problems.iter().any(|p| p == "no 号"));
}

#[test]
fn two_different_icp_numbers_are_flagged() {
    let f = footer("<p>粤ICP备2023100790号-1</p><div class='m'>粤ICP备19092744号-3</div>");
    assert_eq!(f.footer.icp.value.as_deref(), Some("粤ICP备2023100790号-1"));
    assert!(f
        .footer
        .icp
        .problems
        .iter()
        .any(|p| p.contains("粤ICP备19092744号-3")));
}

// ---- footer: 公网安备 ----

#[test]
fn psb_variants() {
    let f = footer("<p>川公网安备 51010402000507号</p>");
    assert_eq!(
        f.footer.psb.value.as_deref(),
        Some("川公网安备51010402000507号")
    );
    let f = footer("<p>粤公网安备号 44030402003007</p>");
    assert_eq!(
        f.footer.psb.value.as_deref(),
        Some("粤公网安备44030402003007")
    );
    assert!(f.footer.psb.problems.iter().any(|p| p == "no 号"));
    let f = footer("<p>京公网安备:11010202007633</p>");
    assert_eq!(
        f.footer.psb.value.as_deref(),
        Some("京公网安备11010202007633")
    );
    let f = footer("<p>公安机关备案号：51099102000041</p>");
    assert!(f.footer.psb.present);
    assert!(f
        .footer
        .psb
        .problems
        .iter()
        .any(|p| p == "no province prefix"));
}

// ---- footer: 网站标识码 ----

#[test]
fn site_code_variants() {
    for (html, code) in [
        ("网站标识码：5100000062", "5100000062"),
        ("网站标识码5100000062", "5100000062"),
        ("网站标识码 ：4506000001", "4506000001"),
        ("政府网站标识码:1101020002", "1101020002"),
        ("政府网站标识码 3702000025", "3702000025"),
        ("网站标识码：<span>bm14000002</span>", "bm14000002"),
        ("网站识别码：5109000015", "5109000015"),
    ] {
        let f = footer(&format!("<p>{html}</p>"));
        assert_eq!(f.footer.site_id_code.value.as_deref(), Some(code), "{html}");
        assert!(f.footer.site_id_code.problems.is_empty(), "{html}");
    }
    let f = footer("<p>网站标识码：51000000</p>");
    assert!(!f.footer.site_id_code.problems.is_empty());
}

// ---- footer: sponsor and contact ----

#[test]
fn sponsor_label_and_suffix_forms() {
    let f = footer("<p>主办单位：广州市人民政府办公厅 承办：某中心</p>");
    assert_eq!(
        f.footer.sponsor.value.as_deref(),
        Some("广州市人民政府办公厅")
    );
    let f = footer("<p>主办:河北省财政厅</p>");
    assert_eq!(f.footer.sponsor.value.as_deref(), Some("河北省财政厅"));
    let f = footer("<p>西安市人民政府办公厅主办 西安市大数据局承办</p>");
    assert_eq!(
        f.footer.sponsor.value.as_deref(),
        Some("西安市人民政府办公厅")
    );
    let f = footer("<p>中共青岛市委、青岛市人民政府主办</p>");
    assert_eq!(
        f.footer.sponsor.value.as_deref(),
        Some("中共青岛市委、青岛市人民政府")
    );
}

#[test]
fn sponsor_in_article_body_is_not_the_footer_sponsor() {
    let body = format!(
        "<div class='article'><p>{}</p><p>主办单位：教育部思想政治工作司</p><p>{}</p></div>\
         <div class='foot'><p>京ICP备10028400号-1 京公网安备11010202007625号</p></div>",
        "活动说明。".repeat(80),
        "其他内容。".repeat(80)
    );
    let f = page(&body);
    assert!(!f.footer.sponsor.present, "{:?}", f.footer.sponsor);
}

#[test]
fn footer_without_footer_markup_is_found_near_identity_items() {
    let body = format!(
        "<div class='a'><p>{}</p></div><div class='x'><p>主办单位：某某县人民政府</p><p>黑ICP备09010409号</p></div>",
        "正文内容。".repeat(100)
    );
    let f = page(&body);
    assert_eq!(f.footer.sponsor.value.as_deref(), Some("某某县人民政府"));
}

#[test]
fn contact_line_or_link() {
    let f = footer("<p>联系我们：020-12345</p>");
    assert!(f
        .footer
        .contact
        .value
        .as_deref()
        .is_some_and(|v| v.contains("020-12345")));
    let f = footer("<p>地址：北京市西城区金融大街甲15号 邮政编码：100033</p>");
    assert_eq!(
        f.footer.contact.value.as_deref(),
        Some("地址：北京市西城区金融大街甲15号 邮政编码：100033")
    );
    let f = footer("<p><a href='/lxwm.html'>联系我们</a></p>");
    assert_eq!(f.footer.contact.value.as_deref(), Some("/lxwm.html"));
}

#[test]
fn phone_placeholder_is_a_contact_problem() {
    let f = footer(
        "<p>主办单位：某局</p><p>联系电话：暂无</p><p><a href='/lxwm.html'>联系我们</a></p>",
    );
    assert!(f.footer.contact.present);
    assert!(
        f.footer
            .contact
            .problems
            .iter()
            .any(|p| p.starts_with("phone placeholder")),
        "{:?}",
        f.footer.contact
    );
    let f = footer("<p>主办单位：某局</p><p>联系电话：暂无</p>");
    assert!(!f.footer.contact.present);
    assert!(!f.footer.contact.problems.is_empty());
}

// ---- footer: badge, sitemap, jiucuo ----

#[test]
fn conac_badge_forms() {
    let id = "0C82048B9F2F62C6E053012819AC4084";
    let f = footer(&format!(
        "<a href='http://bszs.conac.cn/sitename?method=show&amp;id={id}'><img src='red.png'></a>"
    ));
    assert_eq!(
        f.footer.conac_badge.value,
        Some(format!(
            "https://bszs.conac.cn/sitename?method=show&id={id}"
        ))
    );
    let f = footer("<script>document.write(unescape(\"%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript src='https://dcs.conac.cn/js/33/000/0000/60425889/CA330000000604258890010.js'%3E%3C/script%3E\"));</script>");
    assert!(f.footer.conac_badge.present);
    assert_eq!(f.footer.conac_badge.value, None);
}

#[test]
fn sitemap_wordings() {
    let f = footer("<a href='/zddt.html'>站点地图</a>");
    assert_eq!(f.footer.sitemap.value.as_deref(), Some("/zddt.html"));
    let f = footer("<a href='/map.html'>网站地图</a>");
    assert_eq!(f.footer.sitemap.value.as_deref(), Some("/map.html"));
}

#[test]
fn jiucuo_script_static_link_and_legacy_host() {
    let f = footer("<script id=\"_jiucuo_\" sitecode='4403000026' src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'></script>");
    assert!(f.footer.jiucuo.present);
    assert_eq!(
        f.footer.jiucuo.value.as_deref(),
        Some("https://zfwzgl.www.gov.cn/exposure/jiucuo.js")
    );
    assert_eq!(f.jiucuo_site_code.as_deref(), Some("4403000026"));
    assert!(f.footer.jiucuo.problems.is_empty());

    let f = footer("<a href='https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=5100000062&amp;url=x'><img></a>");
    assert_eq!(f.jiucuo_site_code.as_deref(), Some("5100000062"));

    let f = footer("<a href='https://pucha.kaipuyun.cn/exposure/jiucuo.html?site_code=5204000001&url=x'><img alt='我为政府网站找错'></a>");
    assert!(f.footer.jiucuo.problems.iter().any(|p| p == "legacy host"));
    let f = footer("<script id='_jiucuo_' sitecode='5204000001' src='http://pucha.kaipuyun.cn/exposure/jiucuo.js'></script>");
    assert!(f.footer.jiucuo.problems.iter().any(|p| p == "legacy host"));
}

#[test]
fn footer_written_by_javascript_string_literals() {
    let f = page(
        "<div id='f'></div><script>var pcFooterStr = '<div class=\"foot\">'+\n'<p>主办：&nbsp;广东省人民政府办公厅</p>'+\n\
         '<p>网站标识码4400000131 粤ICP备05070829号 粤公网安备 44010402001160号</p>'+\n'<a href=\"/map.html\">网站地图</a></div>';</script>",
    );
    assert_eq!(
        f.footer.sponsor.value.as_deref(),
        Some("广东省人民政府办公厅")
    );
    assert_eq!(f.footer.site_id_code.value.as_deref(), Some("4400000131"));
    assert_eq!(f.footer.icp.value.as_deref(), Some("粤ICP备05070829号"));
    assert_eq!(
        f.footer.psb.value.as_deref(),
        Some("粤公网安备44010402001160号")
    );
    assert_eq!(f.footer.sitemap.value.as_deref(), Some("/map.html"));
}

// ---- dated list items ----

fn newest(f: &PageFacts) -> Option<NaiveDate> {
    f.dated_items.iter().map(|i| i.date).max()
}

#[test]
fn list_li_with_span_dates() {
    let f = page("<ul class='list'><li><a href='/a1.html'>关于开展安全检查的通知</a><span>2024-10-04</span></li>\
                  <li><a href='/a2.html'>关于调整领导小组成员的通知</a><span>2024-09-28</span></li></ul>");
    assert_eq!(f.dated_items.len(), 2);
    assert_eq!(f.dated_items[0].title, "关于开展安全检查的通知");
    assert_eq!(
        f.dated_items[0].url.as_deref(),
        Some("http://www.example.gov.cn/a1.html")
    );
    assert_eq!(newest(&f), Some(d(2024, 10, 4)));
    assert_eq!(f.kind, PageKind::Column);
}

#[test]
fn list_table_rows() {
    let f = page("<table><tr><th>标题</th><th>日期</th></tr>\
                  <tr><td><a href='/1.html'>政府信息公开工作年度报告</a></td><td>2019/08/30</td></tr>\
                  <tr><td><a href='/2.html'>部门预算公开说明</a></td><td>2019/07/01</td></tr></table>");
    assert_eq!(f.dated_items.len(), 2);
    assert_eq!(newest(&f), Some(d(2019, 8, 30)));
}

#[test]
fn list_dl_dd_and_div_rows() {
    let f = page("<dl><dd><a href='/1.html'>市政府常务会议召开</a>(2019.08.30)</dd><dd><a href='/2.html'>市长调研重点项目建设</a>(2019.08.21)</dd></dl>");
    assert_eq!(f.dated_items.len(), 2);
    let f = page("<div class='r'><div class='row'><a href='/1.html'>全市安全生产工作会议</a><i>2019年8月30日</i></div>\
                  <div class='row'><a href='/2.html'>全市防汛工作部署会</a><i>2019年8月2日</i></div></div>");
    assert_eq!(f.dated_items.len(), 2);
    assert_eq!(newest(&f), Some(d(2019, 8, 30)));
}

#[test]
fn list_month_day_dates_take_the_year_from_context() {
    let html = "<ul><li><a href='/1.html'>通知一号的标题</a>[08-30]</li><li><a href='/2.html'>通知二号的标题</a>[12-30]</li></ul>";
    let opts = AnalyzeOptions {
        today: Some(d(2024, 10, 8)),
        ..Default::default()
    };
    let f = analyze_text_with(html, &url("http://www.example.gov.cn/tzgg/"), &opts);
    let dates: Vec<_> = f.dated_items.iter().map(|i| i.date).collect();
    assert_eq!(dates, vec![d(2024, 8, 30), d(2023, 12, 30)]);
}

#[test]
fn list_full_width_dates_and_title_attribute_dates() {
    let f = page("<ul><li><a href='/1.html'>第一条新闻的标题</a>２０１９－０８－３０</li><li><a href='/2.html'>第二条新闻的标题</a>２０１９－０８－２９</li></ul>");
    assert_eq!(newest(&f), Some(d(2019, 8, 30)));
    let f = page("<ul><li><a href='/1.html' title='发布日期：2019-08-30'>第一条新闻的标题</a></li><li><a href='/2.html' title='发布日期：2019-08-29'>第二条新闻的标题</a></li></ul>");
    assert_eq!(f.dated_items.len(), 2, "{:?}", f.dated_items);
    assert_eq!(newest(&f), Some(d(2019, 8, 30)));
}

#[test]
fn list_dates_inside_link_text() {
    let f = page("<ul><li><a href='/1.html'>关于开展安全检查的通知 2024-10-04</a></li><li><a href='/2.html'>关于调整领导小组的通知（2024-09-28）</a></li></ul>");
    assert_eq!(f.dated_items.len(), 2, "{:?}", f.dated_items);
    assert_eq!(f.dated_items[0].title, "关于开展安全检查的通知");
    assert_eq!(f.dated_items[1].title, "关于调整领导小组的通知");
    assert_eq!(newest(&f), Some(d(2024, 10, 4)));
}

#[test]
fn list_without_links_repeated_widget_rows() {
    let row = |t: &str, date: &str| {
        format!("<tbody class='r'><tr><td><span title='{t}'>{t}</span></td></tr><tr><td><span>留言时间：</span><span>{date}</span></td></tr></tbody>")
    };
    let f = page(&format!(
        "<table>{}{}</table>",
        row("请问许可证还在使用吗", "2025-04-27"),
        row("咨询社保转移办理流程", "2025-03-18")
    ));
    assert_eq!(f.dated_items.len(), 2, "{:?}", f.dated_items);
    assert_eq!(newest(&f), Some(d(2025, 4, 27)));
    assert_eq!(f.messages.len(), 2);
}

#[test]
fn article_date_line_header_today_and_stamps_are_not_list_items() {
    let body = "<div class='header'><span>今天： 2024年2月22日 星期四</span></div>\
        <div class='article'><h1>标题</h1><ul class='info'><li>发布时间：2024-09-12 10:10</li><li>来源：防城港日报</li></ul>\
        <p>9月10日，项目建设动员大会举行。</p><p>9月11日，召开第二次会议，进一步部署。</p>\
        <table><tr><td>作出处罚决定的日期</td><td>2024年7月8日</td></tr></table><table><tr><td>作出处罚决定的日期</td><td>2024年7月8日</td></tr></table>\
        <div class='xxgk'><span>生成日期：2024-06-04</span></div></div>\
        <div class='footer'>publishdate:2024/01/05 22:09:58</div>";
    let f = analyze_text(
        body,
        &url("http://www.fcgs.gov.cn/zxzx/zdxm/t20240912_18993630.shtml"),
    );
    assert!(f.dated_items.is_empty(), "{:?}", f.dated_items);
    assert_eq!(f.published, Some(d(2024, 9, 12)));
    assert_eq!(f.kind, PageKind::Content);
}

// ---- published ----

#[test]
fn published_prefers_visible_label_over_pubdate_meta() {
    let html = "<html><head><meta name='PubDate' content='2022-10-14 10:16:14'></head><body>\
        <div class='art'><h1>标题</h1><p>发布日期 : 2020年09月15日 09时32分</p><p>正文</p></div></body></html>";
    let f = analyze_text(html, &url("http://www.sc.gov.cn/10462/a.shtml"));
    assert_eq!(f.published, Some(d(2020, 9, 15)));
    assert_eq!(f.meta("PubDate"), Some("2022-10-14 10:16:14"));
}

#[test]
fn published_falls_back_to_url_then_meta() {
    let f = analyze_text(
        "<p>正文</p>",
        &url("http://www.sc.gov.cn/10462/2020/9/15/e651.shtml"),
    );
    assert_eq!(f.published, Some(d(2020, 9, 15)));
    let f = analyze_text("<html><head><meta name='pubdate' content='2016-08-11 08:13'></head><body><p>正文</p></body></html>", &url("http://x.gov.cn/a.html"));
    assert_eq!(f.published, Some(d(2016, 8, 11)));
}

// ---- meta ----

#[test]
fn meta_names_any_case_and_attribute_order() {
    let html = "<html><head><meta name='sitename' content='云南省人民政府'><meta content=\"青岛\" name=\"SiteDomain\">\
        <meta name='SITEIDCODE' content=' 5300000033 '><meta name='Sitename' content='second'></head></html>";
    let f = analyze_text(html, &url("http://www.yn.gov.cn/"));
    assert_eq!(f.meta("SiteName"), Some("云南省人民政府"));
    assert_eq!(f.meta("SiteDomain"), Some("青岛"));
    assert_eq!(f.meta("SiteIDCode"), Some("5300000033"));
    assert_eq!(f.kind, PageKind::Home);
}

// ---- messages and service guides ----

#[test]
fn message_table_with_status_and_reply_dates() {
    let f = page("<table><tr><th>留言标题</th><th>留言时间</th><th>回复状态</th><th>回复时间</th></tr>\
        <tr><td><a href='/m1.html'>小区停车难何时解决</a></td><td>2024-04-13</td><td>已回复</td><td>2024-04-27</td></tr>\
        <tr><td><a href='/m2.html'>公交线路调整何时解决</a></td><td>2023年12月07日</td><td>办理中</td><td>—</td></tr></table>");
    assert_eq!(f.messages.len(), 2);
    assert_eq!(f.messages[0].answered, Some(d(2024, 4, 27)));
    assert_eq!(f.messages[0].answered_flag, Some(true));
    assert_eq!(f.messages[1].asked, Some(d(2023, 12, 7)));
    assert_eq!(f.messages[1].answered_flag, Some(false));
}

#[test]
fn service_guide_placeholders_count_as_missing() {
    let f = page("<table class='bszn'><tr><th>事项名称</th><td>公租房申请</td></tr><tr><th>法定依据</th><td>《条例》第7条</td></tr>\
        <tr><th>申请条件</th><td>无</td></tr><tr><th>申请材料</th><td>详见附件</td></tr><tr><th>收费标准</th><td>不收费</td></tr>\
        <tr><th>办理地点</th><td>-</td></tr><tr><th>咨询电话</th><td><a href='/tel.html'>详见联系方式</a></td></tr></table>");
    let g = f.service_guide.expect("guide");
    assert_eq!(g.item_name.as_deref(), Some("公租房申请"));
    for p in ["事项名称", "设定依据", "收费标准", "联系电话"] {
        assert!(
            g.present.contains(&p.to_string()),
            "{p} should be present: {g:?}"
        );
    }
    for m in [
        "申请条件",
        "办理材料",
        "办理地点",
        "办理机构",
        "办理时间",
        "办理流程",
    ] {
        assert!(
            g.missing.contains(&m.to_string()),
            "{m} should be missing: {g:?}"
        );
    }
}

#[test]
fn contact_page_is_not_a_service_guide() {
    let f = page("<div class='lxwm'><p>办公地址：某市人民路1号</p><p>联系电话：0833-1234567</p><p>办公时间：工作日9:00-17:00</p></div>");
    assert!(f.service_guide.is_none(), "{:?}", f.service_guide);
}

#[test]
fn ordinary_article_is_not_a_service_guide() {
    let f = page("<div><h1>新闻</h1><p>联系电话：0833-1234567</p><p>正文内容很长。</p></div>");
    assert!(f.service_guide.is_none());
}

// ---- small facts ----

#[test]
fn breadcrumb_pagination_placeholder_search_more() {
    let f = page("<form action='/search/index.html'><input name='q'></form>\
        <div class='position'>当前位置：<a href='/'>首页</a> &gt; <a href='/xw/'>新闻中心</a> &gt; <a href='/xw/gzdt/'>工作动态</a></div>\
        <div class='t'><a class='more' href='/xw/gzdt/'>更多>></a></div><div class='list'>暂无信息</div>\
        <div class='page'><a href='index_1.html'>2</a><a href='index_1.html'>下一页</a><a href='index_9.html'>尾页</a></div>");
    assert_eq!(f.breadcrumb, vec!["首页", "新闻中心", "工作动态"]);
    assert_eq!(f.placeholder.as_deref(), Some("暂无信息"));
    assert!(f.has_search);
    assert!(f
        .links
        .iter()
        .any(|l| l.is_more && l.url.as_deref() == Some("http://www.example.gov.cn/xw/gzdt/")));
    assert_eq!(
        f.pagination,
        vec![
            "http://www.example.gov.cn/col/index_1.html",
            "http://www.example.gov.cn/col/index_9.html"
        ]
    );
}

#[test]
fn trs_create_page_html_pagination() {
    let f = page("<script>createPageHTML(3, 0, \"index\", \"shtml\");</script>");
    assert_eq!(
        f.pagination,
        vec![
            "http://www.example.gov.cn/col/index_1.shtml",
            "http://www.example.gov.cn/col/index_2.shtml"
        ]
    );
}

#[test]
fn placeholder_words_inside_prose_are_not_placeholders() {
    let f = page("<div class='art'><p>目前该项目仍在建设中，预计明年完工，届时将极大方便群众出行。</p></div>");
    assert_eq!(f.placeholder, None);
    let f = page("<div class='list'><p>本栏目建设中，敬请期待</p></div>");
    assert_eq!(f.placeholder.as_deref(), Some("栏目建设中"));
}

#[test]
fn soft_404_pages() {
    assert!(page("<div class='e'><h2>抱歉，您访问的页面不存在</h2></div>").soft_404);
    assert!(page("<div class='e'><h1>404</h1><p>Not Found</p></div>").soft_404);
    assert!(
        !page("<div class='c'><p>联系电话：0833-7140404</p><p>邮编：404100</p></div>").soft_404
    );
    let long = format!("<p>{}</p><p>页面不存在的情况说明</p>", "正文。".repeat(400));
    assert!(!page(&long).soft_404);
    // A number 404 in a short article is not an error page.
    assert!(
        !page("<div class='c'><h1>工作简报</h1><p>今年以来共开展相关活动404场次。</p></div>")
            .soft_404
    );
}

#[test]
fn links_resolve_against_base_and_keep_tags() {
    let html = "<html><head><base href='http://127.0.2.2:8080/'><link rel='stylesheet' href='css/a.css'>\
        <script src='js/a.js'></script></head><body><nav><a href='gzdt/'>工作动态</a></nav>\
        <img src='images/a.png' alt='图'><iframe src='x.html'></iframe><area href='m.html'>\
        <form action='search/' method='get'></form><form action='post/' method='post'></form>\
        <a href='javascript:void(0)'>js</a><div id='footer'><a href='lxwm.html'>联系我们</a></div></body></html>";
    let f = analyze(
        html.as_bytes(),
        &url("http://127.0.2.2:8080/gzdt/2024/1008/1.html"),
        None,
    );
    let by = |raw: &str| {
        f.links
            .iter()
            .find(|l| &*l.raw == raw)
            .unwrap_or_else(|| panic!("{raw} missing"))
    };
    assert_eq!(
        by("gzdt/").url.as_deref(),
        Some("http://127.0.2.2:8080/gzdt/")
    );
    assert!(by("gzdt/").in_nav);
    assert!(by("lxwm.html").in_footer);
    assert_eq!(by("images/a.png").tag, pucha_core::LinkTag::Img);
    assert_eq!(by("js/a.js").tag, pucha_core::LinkTag::Script);
    assert_eq!(by("css/a.css").tag, pucha_core::LinkTag::Link);
    assert_eq!(by("x.html").tag, pucha_core::LinkTag::Iframe);
    assert_eq!(by("m.html").tag, pucha_core::LinkTag::Area);
    assert_eq!(by("search/").tag, pucha_core::LinkTag::Form);
    assert!(f.links.iter().all(|l| &*l.raw != "post/"));
    assert_eq!(by("javascript:void(0)").url, None);
}
