//! Smoke fuzzer: analyses random documents assembled from real-page fragments and stops at
//! the first panic, printing the input.
//!
//! `cargo run --release -p pucha-analyze --example fuzz -- [CASES] [SEED]`

fn main() {
    let pieces: &[&str] = &[
        "<table>", "<tr>", "<td>", "</td>", "</tr>", "</table>", "<th>", "<tbody>", "<img src='x.png'>", "<a href='/a'>", "</a>", "<a href='javascript:'>", "<a title='2024-01-02'>",
        "<p>", "</p>", "<br>", "<span>", "</span>", " ", "\u{3000}", "\n", "<form><input name='q'></form>", "主办", "主办单位：", "某市人民政府", "<li>", "</li>", "<ul>", "</ul>",
        "<div class='footer'>", "<div class='nav'>", "<div class='header'>", "</div>", "<div>", "2024-10-04", "[08-30]", "8月30日", "２０１９－０８－３０", "日期：", "发布时间：", "留言时间：", "回复时间：",
        "已回复", "办理中", "当前位置：", ">", "首页", "暂无信息", "事项名称", "办理地点", "<h4>", "</h4>", "无", "ICP备", "京", "12345678", "号", "-1", "公网安备", "网站标识码", "bm01000001",
        "<script>", "</script>", "'+'", "%3C", "document.write(unescape('", "')", "<script id='_jiucuo_' sitecode='1' src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'></script>",
        "jiucuo", "Link('1234567')", "<dl>", "<dd>", "</dd>", "<dt>", "标题文字很长的一条新闻", "，", "。", "<title>", "</title>", "<meta name='PubDate' content='2024-01-01'>",
        "<base href='http://x/'>", "联系电话：", "020-12345", "地址：", "网站地图", "站点地图", "<h1>", "</h1>", "下一页", "createPageHTML(3,0,'index','html')", "您现在的位置", "404", "页面不存在",
        "<em>", "</em>", "<b>", "</b>", "<i title='2019-08-30'></i>", "<select><option>x</option></select>", "<noscript>", "</noscript>", "<style>a{}</style>", "&nbsp;", "&amp;", "<!--", "-->",
    ];
    let url = url::Url::parse("http://www.example.gov.cn/col/col1/index.html").unwrap();
    let mut seed: u64 = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0x9E3779B97F4A7C15);
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20000);
    for case in 0..n {
        let len = (next() % 80) as usize;
        let mut s = String::new();
        for _ in 0..len {
            s.push_str(pieces[(next() % pieces.len() as u64) as usize]);
        }
        let r = std::panic::catch_unwind(|| pucha_analyze::analyze(s.as_bytes(), &url, None));
        if r.is_err() {
            println!("PANIC case {case}: {s:?}");
            return;
        }
    }
    println!("ok {n}");
}
