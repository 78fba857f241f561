//! `analyze` must never panic, whatever the bytes, URL or Content-Type.

use proptest::prelude::*;

fn url() -> url::Url {
    url::Url::parse("http://www.example.gov.cn/col/col1/index.html").unwrap()
}

/// Fragments real pages are made of, to build HTML-like inputs that reach deep code paths.
const PIECES: &[&str] = &[
    "<li><a href='/a.html' title='标题'>通知公告标题</a><span>2024-10-04</span></li>",
    "<ul>",
    "</ul>",
    "<table><tr><th>留言标题</th><th>留言时间</th><th>回复状态</th><th>回复时间</th></tr>",
    "<tr><td><a href='x'>请问</a></td><td>2023年12月07日</td><td>办理中</td><td>—</td></tr>",
    "</table>",
    "<div class='footer'>",
    "</div>",
    "主办单位：某某市人民政府办公室",
    "京<span>ICP</span>备<span>1905</span>号",
    "川公网安备 51010402000507号",
    "网站标识码：bm01000001",
    "<script id='_jiucuo_' sitecode='1' src='x'></script>",
    "<script>document.write(unescape('%3Cspan%3E%E4'))</script>",
    "<script>var s = '<div>'+'主办：</div>';</script>",
    "当前位置：首页 > 新闻",
    "<li>当前位置： </li>",
    "<ul><li>您现在的位置：\u{3000}</li>",
    "<span title='2019-08-30'></span>",
    "<a href='index_2.html'>下一页</a>",
    "createPageHTML(99999999999, 0, \"index\", \"html\")",
    "<h4>办理地点</h4>",
    "发布时间：２０１９－０８－３０",
    "[08-30]",
    "8月30日",
    "暂无信息",
    "<th>事项名称</th><td>无</td>",
    "<meta name='pubdate' content='2024-01-01'>",
    "<meta charset='gbk'>",
    "\u{feff}",
    "\0",
    "<",
    "&#x0;",
    "&amp;",
    "<base href='::'>",
    "<table>",
    "<tr>",
    "<td>",
    "</td>",
    "<th>",
    "<img src='x.png'>",
    "<a href='/'>",
    "</a>",
    "<p>",
    "</p>",
    "<br>",
    "<span>",
    "</span>",
    " ",
    "\u{3000}",
    "\n",
    "<form><input name='q'></form>",
    "主办",
    "<a href='javascript:'>更多</a>",
    "<a href='http://[::1'>x</a>",
    "%",
    "'",
    "\"",
    "\\",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..4096),
                                    ct in proptest::option::of("[ -~]{0,40}")) {
        let _ = pucha_analyze::analyze(&body, &url(), ct.as_deref());
    }

    #[test]
    fn html_like_inputs_never_panic(parts in proptest::collection::vec((0..PIECES.len(), any::<u8>()), 0..60)) {
        let mut s: Vec<u8> = Vec::new();
        for (i, b) in parts {
            s.extend_from_slice(PIECES[i].as_bytes());
            if b % 7 == 0 {
                s.push(b);
            }
        }
        let f = pucha_analyze::analyze(&s, &url(), None);
        prop_assert!(f.main_text_chars <= f.body_text.chars().count() + s.len());
    }

    #[test]
    fn dates_never_panic(s in "\\PC{0,64}", year in proptest::option::of(1900i32..2100)) {
        for d in pucha_analyze::find_dates(&s, year) {
            prop_assert!(s.is_char_boundary(d.start) && s.is_char_boundary(d.end) && d.start < d.end);
        }
        let _ = pucha_analyze::parse_date(&s, year);
    }
}

#[test]
fn deeply_nested_markup_does_not_overflow_the_stack() {
    let depth = 20_000;
    let mut s = "<div>".repeat(depth);
    s.push_str("<li><a href='/a'>标题很长的一条</a>2024-01-01</li>");
    s.push_str(&"</div>".repeat(depth));
    let f = pucha_analyze::analyze(s.as_bytes(), &url(), None);
    assert!(f.title.is_none());
}

#[test]
fn table_cells_with_empty_links_and_images() {
    for html in [
        "<table><tr><td><a href=\"/\"><img src=\"x.png\"></a></td><td>主办</td></tr></table>",
        "<table><tr><td><img src=\"x.png\"></td><td>主办</td></tr></table>",
        "<table><tr><td><a href=\"/\"></a></td><td>主办</td></tr></table>",
        "<div><div><a href=\"/\"><img src=\"x.png\"></a></div><div>主办</div></div>",
        "<table><tr><td><form><input name=\"q\"></form></td></tr></table>",
        "<table><tr><td>x</td><td>主办</td></tr></table>",
    ] {
        let _ = pucha_analyze::analyze_text(html, &url());
    }
}
