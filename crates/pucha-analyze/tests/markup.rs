//! Column lists in the markup families real government CMSs produce (TRS WCM, Hanweb JCMS,
//! DedeCMS, PHPCMS, old table layouts, lists loaded by script): one test per inference.

use chrono::NaiveDate;
use pucha_analyze::{analyze_text_with, AnalyzeOptions};
use pucha_core::PageFacts;

fn at(html: &str, url: &str, today: (i32, u32, u32)) -> PageFacts {
    let options = AnalyzeOptions {
        today: NaiveDate::from_ymd_opt(today.0, today.1, today.2),
        ..AnalyzeOptions::default()
    };
    analyze_text_with(html, &url::Url::parse(url).unwrap(), &options)
}

fn column(body: &str, url: &str, today: (i32, u32, u32)) -> PageFacts {
    let html = format!(
        "<html><head><title>工作动态</title><meta name=\"ColumnName\" content=\"工作动态\"></head><body><div class=\"header\"><a href=\"/\">首页</a></div>{body}<div class=\"footer\">主办单位：某某局</div></body></html>"
    );
    at(&html, url, today)
}

fn dates(f: &PageFacts) -> Vec<String> {
    f.dated_items.iter().map(|i| i.date.to_string()).collect()
}

fn titles(f: &PageFacts) -> Vec<String> {
    f.dated_items.iter().map(|i| i.title.clone()).collect()
}

const TITLES: [&str; 4] = [
    "关于开展安全生产大检查的通知",
    "市政府召开第十二次常务会议",
    "关于印发年度工作要点的通知",
    "全市优化营商环境工作推进会召开",
];

#[test]
fn table_rows_with_bracketed_month_day_dates_across_the_year_boundary() {
    let rows: String = [("01-03", 0), ("12-28", 1), ("12-15", 2)]
        .iter()
        .map(|(d, i)| {
            format!(
                "<tr><td class=\"bt\"><img src=\"/images/dot.gif\"><a href=\"/html/gzdt/{}.html\" target=\"_blank\">{}</a></td><td align=\"right\">[{d}]</td></tr>",
                1000 + i,
                TITLES[*i]
            )
        })
        .collect();
    let body = format!(
        "<table width=\"100%\"><tr><td><table><tr><th>标题</th><th>日期</th></tr>{rows}</table></td></tr></table>"
    );
    let f = column(&body, "http://www.example.gov.cn/html/gzdt/", (2025, 1, 6));
    assert_eq!(dates(&f), ["2025-01-03", "2024-12-28", "2024-12-15"]);
    assert_eq!(titles(&f)[0], TITLES[0]);
}

#[test]
fn dates_only_in_title_attributes() {
    let lis: String = (0..3)
        .map(|i| {
            format!(
                "<li><a href=\"/a/{i}.html\" title=\"{}\">{}</a><span class=\"date\" title=\"2024-01-{:02}\"></span></li>",
                TITLES[i],
                TITLES[i],
                15 - i
            )
        })
        .collect();
    let f = column(
        &format!("<ul class=\"list\">{lis}</ul>"),
        "http://www.example.gov.cn/gzdt/index.html",
        (2024, 3, 1),
    );
    assert_eq!(dates(&f), ["2024-01-15", "2024-01-14", "2024-01-13"]);
    // The date in the link's own title attribute, too.
    let lis: String = (0..3)
        .map(|i| {
            format!(
                "<li><a href=\"/a/{i}.html\" title=\"{}&#10;发布时间：2024-01-{:02}\">{}</a></li>",
                TITLES[i],
                15 - i,
                TITLES[i],
            )
        })
        .collect();
    let f = column(
        &format!("<ul class=\"list\">{lis}</ul>"),
        "http://www.example.gov.cn/gzdt/index.html",
        (2024, 3, 1),
    );
    assert_eq!(dates(&f), ["2024-01-15", "2024-01-14", "2024-01-13"]);
    assert_eq!(titles(&f)[1], TITLES[1]);
}

#[test]
fn relative_dated_links_without_a_visible_date_are_dated_by_their_url() {
    let lis: String = (0..4)
        .map(|i| {
            format!(
                "<li><a href=\"./2024{:02}/t2024{:02}{:02}_{}.html\" target=\"_blank\">{}</a></li>",
                12 - i,
                12 - i,
                20 - i,
                900 + i,
                TITLES[i]
            )
        })
        .collect();
    let f = column(
        &format!("<div class=\"listBox\"><ul>{lis}</ul></div>"),
        "http://www.example.gov.cn/zwgk/gzdt/index.html",
        (2025, 1, 6),
    );
    assert_eq!(
        dates(&f),
        ["2024-12-20", "2024-11-19", "2024-10-18", "2024-09-17"]
    );
    assert_eq!(
        f.dated_items[0].url.as_deref(),
        Some("http://www.example.gov.cn/zwgk/gzdt/202412/t20241220_900.html")
    );
    // Month-day dates take their year from those URLs.
    let lis: String = (0..3)
        .map(|i| {
            format!(
                "<li><a href=\"./2024{:02}/t2024{:02}{:02}_{i}.html\">{}</a><span>{:02}-{:02}</span></li>",
                12 - i,
                12 - i,
                20 - i,
                TITLES[i],
                12 - i,
                20 - i
            )
        })
        .collect();
    let f = column(
        &format!("<ul>{lis}</ul>"),
        "http://www.example.gov.cn/zwgk/gzdt/index.html",
        (2026, 1, 6),
    );
    assert_eq!(dates(&f), ["2024-12-20", "2024-11-19", "2024-10-18"]);
}

#[test]
fn date_forms_in_span_em_font_and_brackets() {
    for (open, close, text, want) in [
        ("<span>", "</span>", "2024-01-15", "2024-01-15"),
        ("<em>", "</em>", "(2024-01-15)", "2024-01-15"),
        (
            "<font color=\"#999999\">",
            "</font>",
            "2024年1月15日",
            "2024-01-15",
        ),
        ("<font>", "</font>", "（2024-01-15）", "2024-01-15"),
        (
            "<span class=\"time\">",
            "</span>",
            "[2024/01/15]",
            "2024-01-15",
        ),
    ] {
        let lis: String = (0..3)
            .map(|i| {
                format!(
                    "<li><a href=\"/a/{i}.html\">{}</a>{open}{text}{close}</li>",
                    TITLES[i]
                )
            })
            .collect();
        let f = column(
            &format!("<ul class=\"list\">{lis}</ul>"),
            "http://www.example.gov.cn/gzdt/",
            (2024, 3, 1),
        );
        assert_eq!(dates(&f), [want; 3], "{text}");
    }
}

#[test]
fn a_lead_row_of_another_shape_and_nested_wrappers() {
    let rows: String = (1..4)
        .map(|i| {
            format!(
                "<div class=\"item\"><div class=\"l\"><i></i><a href=\"/a/{i}.html\">{}</a></div><div class=\"r\"><span>2024-01-{:02}</span></div></div>",
                TITLES[i],
                10 - i
            )
        })
        .collect();
    let body = format!(
        "<div class=\"list\"><div class=\"lead\"><a href=\"/a/0.html\"><img src=\"/p.jpg\"></a><h3><a href=\"/a/0.html\">{}</a></h3><p>为深入贯彻落实有关部署，近日召开会议研究部署相关工作。</p><span class=\"d\">2024-01-12</span></div>{rows}</div>",
        TITLES[0]
    );
    let f = column(&body, "http://www.example.gov.cn/gzdt/", (2024, 3, 1));
    assert_eq!(
        dates(&f),
        ["2024-01-12", "2024-01-09", "2024-01-08", "2024-01-07"]
    );
}

#[test]
fn hidden_rows_are_dropped() {
    let lis: String = (0..4)
        .map(|i| {
            let hide = if i < 2 { " style=\"display:none\"" } else { "" };
            format!(
                "<tr{hide}><td><a href=\"/a/{i}.html\">{}</a></td><td>[01-{:02}]</td></tr>",
                TITLES[i],
                10 - i
            )
        })
        .collect();
    let f = column(
        &format!("<table>{lis}</table>"),
        "http://www.example.gov.cn/gzdt/",
        (2024, 3, 1),
    );
    assert_eq!(dates(&f), ["2024-01-08", "2024-01-07"]);
}

#[test]
fn hanweb_datastore_records_are_list_items() {
    let records: String = (0..3)
        .map(|i| {
            format!(
                "<record><![CDATA[<li><a href=\"/art/2024/1/{}/art_1301_{i}.html\" title=\"{}\">{}</a><span>2024-01-{:02}</span></li>]]></record>\n",
                5 - i,
                TITLES[i],
                TITLES[i],
                5 - i
            )
        })
        .collect();
    let body = format!(
        "<div id=\"div1301\"><script type=\"text/xml\"><datastore><nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=http://www.example.gov.cn/&columnid=1301&unitid=4321&webname=x&permissiontype=0\"></a>]]></nextgroup><recordset>{records}</recordset></datastore></script><script language=\"javascript\" src=\"/module/web/jpage/jpage.js\"></script></div>"
    );
    let f = column(
        &body,
        "http://www.example.gov.cn/col/col1301/index.html",
        (2024, 3, 1),
    );
    assert_eq!(dates(&f), ["2024-01-05", "2024-01-04", "2024-01-03"]);
    assert_eq!(titles(&f)[2], TITLES[2]);
    assert_eq!(
        f.dated_items[0].url.as_deref(),
        Some("http://www.example.gov.cn/art/2024/1/5/art_1301_0.html")
    );
    assert!(!f.list_needs_script);
    // The records' links are the page's links: the crawler reaches the articles.
    assert!(f.links.iter().any(
        |l| l.url.as_deref() == Some("http://www.example.gov.cn/art/2024/1/3/art_1301_2.html")
    ));
    assert!(f.list_data_url.as_deref().is_some_and(
        |u| u.starts_with("http://www.example.gov.cn/module/web/jpage/dataproxy.jsp?")
    ));
}

fn pages(body: &str, url: &str) -> Vec<String> {
    let lis: String = (0..3)
        .map(|i| format!("<li><a href=\"./202401/t202401{:02}_{i}.html\">{}</a><span>2024-01-{:02}</span></li>", 15 - i, TITLES[i], 15 - i))
        .collect();
    column(&format!("<ul>{lis}</ul>{body}"), url, (2024, 3, 1)).pagination
}

#[test]
fn trs_create_page_html_in_its_variants() {
    let u = "http://www.example.gov.cn/zwgk/gzdt/index.html";
    let want = [
        "http://www.example.gov.cn/zwgk/gzdt/index_1.html",
        "http://www.example.gov.cn/zwgk/gzdt/index_2.html",
    ];
    for script in [
        "createPageHTML(3, 0, \"index\", \"html\");",
        "var countPage = 3//共多少页\ncreatePageHTML(countPage, 0, \"index\", \"html\");",
        "createPageHTML('page_div', 3, 0, 'index', 'html', 45);",
        "var currentPage = 0;var countPage = 3;createPageHTML(countPage, currentPage, \"index\", \"html\");",
    ] {
        let got = pages(
            &format!("<div class=\"page\"><script type=\"text/javascript\">{script}</script></div>"),
            u,
        );
        assert_eq!(got, want, "{script}");
    }
    // From a later page, the first page is index.html.
    let got = pages(
        "<script>createPageHTML(3, 2, \"index\", \"html\");</script>",
        "http://www.example.gov.cn/zwgk/gzdt/index_2.html",
    );
    assert_eq!(
        got,
        [
            "http://www.example.gov.cn/zwgk/gzdt/index.html",
            "http://www.example.gov.cn/zwgk/gzdt/index_1.html"
        ]
    );
}

#[test]
fn jcms_page_count_vars_vary_the_page_number_parameter() {
    let got = pages(
        "<script>var totalRecord = 40; var perPage = 15; var pageCount = 3; var uid='4321';</script>",
        "http://www.example.gov.cn/col/col1301/index.html?uid=4321&pageNum=1",
    );
    assert_eq!(
        got,
        [
            "http://www.example.gov.cn/col/col1301/index.html?uid=4321&pageNum=2",
            "http://www.example.gov.cn/col/col1301/index.html?uid=4321&pageNum=3",
        ]
    );
    // Only a record count and a page size.
    let got = pages(
        "<script>var totalRecord = 40; var perPage = 15;</script>",
        "http://www.example.gov.cn/col/col1301/index.html?uid=4321&pageNum=1",
    );
    assert_eq!(got.len(), 2, "{got:?}");
}

#[test]
fn pager_urls_written_by_script_and_go_page_calls() {
    // DedeCMS / PHPCMS pagers written by document.write.
    let got = pages(
        "<script>document.write('<a href=\"list_11_2.html\">下一页</a><a href=\"list_11_3.html\">末页</a>');</script>",
        "http://www.example.gov.cn/gzdt/",
    );
    assert_eq!(
        got,
        [
            "http://www.example.gov.cn/gzdt/list_11_2.html",
            "http://www.example.gov.cn/gzdt/list_11_3.html"
        ]
    );
    // goPage(n) with the URL the function builds.
    let got = pages(
        "<div class=\"pager\"><a href=\"javascript:goPage(2)\">2</a><a href=\"javascript:goPage(3)\">3</a></div><script>function goPage(n){ window.location.href = \"list_\" + n + \".shtml\"; }</script>",
        "http://www.example.gov.cn/gzdt/list.shtml",
    );
    assert_eq!(
        got,
        [
            "http://www.example.gov.cn/gzdt/list_2.shtml",
            "http://www.example.gov.cn/gzdt/list_3.shtml"
        ]
    );
}

#[test]
fn a_list_filled_by_script_needs_javascript() {
    let body = "<div class=\"main\"><h2>通知公告</h2><ul id=\"newsList\"></ul><div id=\"pager\"></div></div><script>$(function(){ $.ajax({ url: \"/api/column/list.json?columnId=12&page=1\", type: \"get\", success: function(d){ render(d); } }); });</script>";
    let f = column(body, "http://www.example.gov.cn/tzgg/", (2024, 3, 1));
    assert!(f.dated_items.is_empty());
    assert!(f.list_needs_script);
    assert_eq!(
        f.list_data_url.as_deref(),
        Some("http://www.example.gov.cn/api/column/list.json?columnId=12&page=1")
    );
    // A Vue template.
    let body = "<div id=\"app\"><ul class=\"list\"><li v-for=\"item in list\"><a :href=\"item.url\">{{item.title}}</a><span>{{item.date}}</span></li></ul></div><script src=\"/js/vue.min.js\"></script>";
    let f = column(body, "http://www.example.gov.cn/tzgg/", (2024, 3, 1));
    assert!(f.list_needs_script);
    // A list in the HTML is read, whatever the scripts do.
    let lis: String = (0..3)
        .map(|i| {
            format!(
                "<li><a href=\"/a/{i}.html\">{}</a><span>2024-01-0{}</span></li>",
                TITLES[i],
                i + 1
            )
        })
        .collect();
    let f = column(
        &format!("<ul>{lis}</ul><script>$.ajax({{url: \"/api/visit.json\"}});</script>"),
        "http://www.example.gov.cn/tzgg/",
        (2024, 3, 1),
    );
    assert!(!f.list_needs_script);
    // A visit counter beside an empty list is no list request: the column stays readable
    // as blank.
    let body = "<ul id=\"newsList\"></ul><script>$.ajax({url: \"/module/visitcount/count.jsp?id=1\"});</script>";
    let f = column(body, "http://www.example.gov.cn/tzgg/", (2024, 3, 1));
    assert!(!f.list_needs_script);
    // A cross-site data URL is not recorded.
    let body = "<ul id=\"list\"></ul><script>$.getJSON(\"http://other.example.com/list.json\", r);</script>";
    let f = column(body, "http://www.example.gov.cn/tzgg/", (2024, 3, 1));
    assert!(f.list_needs_script);
    assert_eq!(f.list_data_url, None);
}

#[test]
fn a_list_writing_the_year_only_for_old_rows() {
    // Recent rows `[MM-DD]`, rows older than a year `[YYYY-MM-DD]`: the old rows' full
    // dates do not date the recent ones.
    let rows: String = [("[12-20]", 0), ("[08-13]", 1), ("[2024-11-02]", 2)]
        .iter()
        .map(|(d, i)| {
            format!(
                "<tr><td><a href=\"/html/tjxx/{i}.html\">{}</a></td><td>{d}</td></tr>",
                TITLES[*i]
            )
        })
        .collect();
    let f = column(
        &format!("<table>{rows}</table>"),
        "http://www.example.gov.cn/tjxx/",
        (2026, 1, 6),
    );
    assert_eq!(dates(&f), ["2025-12-20", "2025-08-13", "2024-11-02"]);
}

#[test]
fn rows_with_one_title_linking_to_distinct_pages_are_a_list() {
    let lis: String = (0..3)
        .map(|i| {
            format!("<li><a href=\"/ghjh/{i}.html\">某某局2025年工作要点</a><span>2025-0{}-01</span></li>", 3 - i)
        })
        .collect();
    let f = column(
        &format!("<ul>{lis}</ul>"),
        "http://www.example.gov.cn/ghjh/",
        (2026, 1, 6),
    );
    assert_eq!(dates(&f), ["2025-03-01", "2025-02-01", "2025-01-01"]);
}
