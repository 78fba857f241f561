//! The self-contained HTML report: the notice, the annex, trends (inline SVG), every finding
//! and each site's detection report. No external assets; tables sort on a click (a small
//! inline script) and the page prints cleanly.

use std::fmt::Write as _;

use pucha_core::rule_ids::label_zh;
use pucha_core::{Report, SiteResult, Verdict};

use crate::diff::SiteDiff;
use crate::markdown::coverage_rows;
use crate::notice::{build_notice, date_zh, fmt_score, AnnexRow, Block, NoticeOptions};
use crate::table::{
    finding_evidence_rows, finding_rows, FINDING_EVIDENCE_HEADERS, FINDING_HEADERS,
};
use crate::text::{finding_sentence, result_label, rule_order, severity_zh};
use crate::trend::{previous, SiteTrend, Trends};

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

const STYLE: &str = r#"
body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;max-width:1100px;margin:0 auto;padding:24px;color:#222;line-height:1.7}
h1{text-align:center;font-size:1.6em;color:#b00}h2{border-bottom:2px solid #b00;padding-bottom:4px;margin-top:2em}
h3{margin-top:1.4em}p{text-indent:2em}p.noindent{text-indent:0}
table{border-collapse:collapse;width:100%;margin:12px 0;font-size:.92em}
th,td{border:1px solid #999;padding:4px 6px;vertical-align:top;word-break:break-all}
th{background:#f3e9e9}table.sortable th{cursor:pointer;user-select:none}
table.sortable th.asc::after{content:" ▲"}table.sortable th.desc::after{content:" ▼"}
.figs{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.fig{border:1px solid #ccc;border-radius:6px;padding:8px 14px;min-width:110px;text-align:center}
.fig .v{font-size:1.5em;font-weight:bold;color:#b00;display:block}.fig .k{font-size:.85em;color:#555}
.fail{color:#b00;font-weight:bold}.pass{color:#070}.error{color:#777}.review{background:#fff4c2}
details{border:1px solid #ddd;border-radius:4px;margin:6px 0;padding:4px 10px}summary{cursor:pointer;font-weight:bold}
.meta{color:#555;font-size:.9em}code{font-size:.9em}
@media print{body{max-width:none;padding:0}details{border:none}table.sortable th::after{content:""!important}.noprint{display:none}h2{page-break-after:avoid}tr{page-break-inside:avoid}}
"#;

const SCRIPT: &str = r##"
(function(){
  function key(td){var t=(td&&td.textContent||"").trim();var n=parseFloat(t.replace(/[,%]/g,""));return isNaN(n)||!/^[-\d.,%\s]+$/.test(t)?t:n;}
  document.querySelectorAll("table.sortable").forEach(function(table){
    table.setAttribute("data-sortable","ready");
    table.querySelectorAll("thead th").forEach(function(th,col){
      th.addEventListener("click",function(){
        var asc=!th.classList.contains("asc");
        table.querySelectorAll("thead th").forEach(function(h){h.classList.remove("asc","desc");});
        th.classList.add(asc?"asc":"desc");
        var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
        rows.sort(function(a,b){var x=key(a.cells[col]),y=key(b.cells[col]);
          var r=(typeof x==="number"&&typeof y==="number")?x-y:String(x).localeCompare(String(y),"zh-CN");
          return asc?r:-r;});
        rows.forEach(function(r){body.appendChild(r);});
      });
    });
  });
  window.addEventListener("beforeprint",function(){document.querySelectorAll("details").forEach(function(d){d.open=true;});});
  var n=document.querySelectorAll("#annex tbody tr").length;
  var c=document.getElementById("annex-count");if(c){c.textContent=String(n);}
})();
"##;

fn table(out: &mut String, id: Option<&str>, headers: &[String], rows: &[Vec<String>]) {
    let id = id
        .map(|i| format!(" id=\"{}\"", esc(i)))
        .unwrap_or_default();
    let _ = write!(out, "<table class=\"sortable\"{id}><thead><tr>");
    for h in headers {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            let _ = write!(out, "<td>{}</td>", esc(c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

/// The dashboard (dashboard.html) of a run; `history` holds earlier runs (re-check baseline
/// and trends). The notice as a document is [`render_notice_html`].
pub fn render_html(report: &Report, history: &[Report]) -> String {
    let opts = NoticeOptions {
        recheck: previous(report, history).map(|p| crate::diff::diff(p, report)),
        ..NoticeOptions::default()
    };
    render_html_with(report, &Trends::build(report, history), &opts)
}

/// The dashboard with explicit trends and notice options.
pub fn render_html_with(report: &Report, trends: &Trends, opts: &NoticeOptions) -> String {
    let n = build_notice(report, opts);
    let s = &report.summary;
    let c = s.counts();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n",
        esc(&n.title)
    );
    let _ = writeln!(out, "<h1 id=\"title\">{}</h1>", esc(&n.title));
    if let Some(d) = &n.doc_number {
        let _ = writeln!(
            out,
            "<p class=\"noindent\" style=\"text-align:center\">{}</p>",
            esc(d)
        );
    }
    let _ = writeln!(
        out,
        "<p class=\"noindent meta\">检查批次 {} · 监测时间点 {} · 规则 {}</p>",
        esc(&report.run.id),
        esc(&date_zh(report.run.as_of)),
        esc(if report.run.rule_pack.is_empty() {
            "默认"
        } else {
            &report.run.rule_pack
        })
    );

    // Key figures, as a reader looks for them first.
    let figs = [
        ("fig-total", "运行网站", s.total.to_string()),
        ("fig-checked", "检查网站", c.checked().to_string()),
        ("fig-passed", "合格", s.passed.to_string()),
        ("fig-failed", "不合格", s.failed.to_string()),
        (
            "fig-problem-sites",
            "存在突出问题",
            n.annex.len().to_string(),
        ),
        ("fig-errors", "检测失败", s.errors.to_string()),
        ("fig-review", "待复核", s.needs_review.to_string()),
        ("fig-pass-rate", "合格率", crate::notice::rate_text(&c)),
    ];
    out.push_str("<div class=\"figs\" id=\"key-figures\">");
    for (id, k, v) in figs {
        let _ = write!(
            out,
            "<div class=\"fig\"><span class=\"v\" id=\"{id}\">{}</span><span class=\"k\">{k}</span></div>",
            esc(&v)
        );
    }
    out.push_str("</div>\n");

    let _ = writeln!(out, "<p class=\"noindent\">{}</p>", esc(&n.recipients));
    let _ = writeln!(out, "<p>{}</p>", esc(&n.basis));
    for sec in &n.sections {
        let _ = writeln!(out, "<h2>{}</h2>", esc(&sec.heading));
        for b in &sec.blocks {
            match b {
                Block::Para(p) => {
                    let _ = writeln!(out, "<p>{}</p>", esc(p));
                }
                Block::Table { headers, rows } => table(&mut out, None, headers, rows),
            }
        }
    }
    let _ = writeln!(
        out,
        "<p class=\"noindent\">附件：{}</p><p class=\"noindent\" style=\"text-align:right\">{}<br>{}</p>",
        esc(&n.annex_title),
        esc(&n.issuer),
        esc(&n.date)
    );

    let _ = writeln!(
        out,
        "<h2 id=\"annex-title\">附件　{}（<span id=\"annex-count\">{}</span> 家）</h2>",
        esc(&n.annex_title),
        n.annex.len()
    );
    let headers: Vec<String> = AnnexRow::HEADERS.iter().map(|h| h.to_string()).collect();
    let rows: Vec<Vec<String>> = n.annex.iter().map(|r| r.cells().to_vec()).collect();
    table(&mut out, Some("annex"), &headers, &rows);
    // 附件2: deductions and norms, kept apart from 突出问题.
    let _ = writeln!(
        out,
        "<h2 id=\"other-annex-title\">附件2　{}（{}家）</h2>",
        esc(&n.other_annex_title),
        n.other_annex.len()
    );
    let rows: Vec<Vec<String>> = n.other_annex.iter().map(|r| r.cells().to_vec()).collect();
    table(&mut out, Some("other-annex"), &headers, &rows);

    trends_html(&mut out, trends);

    let _ = writeln!(out, "<h2>全部检测发现</h2>");
    let headers: Vec<String> = FINDING_HEADERS.iter().map(|h| h.to_string()).collect();
    table(&mut out, Some("findings"), &headers, &finding_rows(report));

    let _ = writeln!(out, "<h2>各网站检测报告</h2>");
    for site in &report.sites {
        let key = site.site.key();
        site_html(
            &mut out,
            site,
            opts.recheck.as_ref().and_then(|d| d.site(&key)),
            trends.site(&key),
        );
    }
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body></html>\n");
    out
}

fn verdict_class(v: Option<Verdict>) -> &'static str {
    match v {
        Some(Verdict::Pass) => "pass",
        Some(Verdict::Fail) => "fail",
        Some(Verdict::Error) => "error",
        None => "",
    }
}

fn trends_html(out: &mut String, t: &Trends) {
    let _ = writeln!(out, "<h2 id=\"trends\">历次检查趋势</h2>");
    let (w, h, pad) = (720.0_f64, 220.0_f64, 40.0_f64);
    let n = t.runs.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            w / 2.0
        } else {
            pad + i as f64 * (w - 2.0 * pad) / (n - 1) as f64
        }
    };
    let y = |r: f64| h - pad - r / 100.0 * (h - 2.0 * pad);
    let _ = write!(
        out,
        "<svg id=\"trend-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"合格率趋势\">"
    );
    for g in [0.0, 50.0, 100.0] {
        let _ = write!(
            out,
            "<line x1=\"{pad}\" x2=\"{}\" y1=\"{y0:.1}\" y2=\"{y0:.1}\" stroke=\"#ddd\"/><text x=\"4\" y=\"{y1:.1}\" font-size=\"11\" fill=\"#777\">{g}%</text>",
            w - pad,
            y0 = y(g),
            y1 = y(g) + 4.0
        );
    }
    let pts: Vec<(f64, f64)> = t
        .runs
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.pass_rate.map(|p| (x(i), y(p))))
        .collect();
    if pts.len() > 1 {
        let poly: Vec<String> = pts.iter().map(|(a, b)| format!("{a:.1},{b:.1}")).collect();
        let _ = write!(
            out,
            "<polyline fill=\"none\" stroke=\"#b00\" stroke-width=\"2\" points=\"{}\"/>",
            poly.join(" ")
        );
    }
    for (i, r) in t.runs.iter().enumerate() {
        let label = r
            .pass_rate
            .map(|p| format!("{}/{} = {p:.2}%", r.passed, r.checked))
            .unwrap_or_else(|| "—".into());
        if let Some(p) = r.pass_rate {
            let _ = write!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"#b00\"><title>{}: {}</title></circle><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
                x(i),
                y(p),
                esc(&r.run_id),
                esc(&label),
                x(i),
                y(p) - 8.0,
                esc(&label)
            );
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
            x(i),
            h - 12.0,
            esc(&r.as_of.to_string())
        );
    }
    out.push_str("</svg>\n");
    let rows: Vec<Vec<String>> = t
        .runs
        .iter()
        .map(|r| {
            vec![
                r.run_id.clone(),
                date_zh(r.as_of),
                r.total.to_string(),
                r.checked.to_string(),
                r.passed.to_string(),
                r.failed.to_string(),
                r.errors.to_string(),
                r.pass_rate
                    .map(|p| format!("{}/{} = {p:.2}%", r.passed, r.checked))
                    .unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    table(
        out,
        Some("trend-runs"),
        &[
            "批次",
            "监测时间点",
            "运行网站",
            "检查网站",
            "合格",
            "不合格",
            "检测失败",
            "合格率",
        ]
        .map(String::from),
        &rows,
    );
    if t.runs.len() > 1 {
        let _ = writeln!(out, "<table id=\"trend-sites\"><thead><tr><th>网站名称</th><th>历次结论（旧→新）</th><th>问题数（旧→新）</th></tr></thead><tbody>");
        for s in &t.sites {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&s.name),
                strip(s),
                esc(&counts_line(s))
            );
        }
        out.push_str("</tbody></table>\n");
    }
}

/// A row of small squares, one per run, coloured by verdict.
fn strip(s: &SiteTrend) -> String {
    let mut o = format!(
        "<svg class=\"strip\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"14\">",
        s.points.len() * 16
    );
    for (i, p) in s.points.iter().enumerate() {
        let fill = match p.verdict {
            Some(Verdict::Pass) => "#2a2",
            Some(Verdict::Fail) => "#c22",
            Some(Verdict::Error) => "#999",
            None => "#fff",
        };
        let label = p.verdict.map(|v| v.label_zh()).unwrap_or("未检查");
        let _ = write!(
            o,
            "<rect x=\"{}\" y=\"1\" width=\"12\" height=\"12\" fill=\"{fill}\" stroke=\"#666\"><title>{} {}</title></rect>",
            i * 16,
            esc(&p.as_of.to_string()),
            label
        );
    }
    o.push_str("</svg>");
    o
}

fn counts_line(s: &SiteTrend) -> String {
    s.points
        .iter()
        .map(|p| p.problems.to_string())
        .collect::<Vec<_>>()
        .join(" → ")
}

fn site_html(
    out: &mut String,
    site: &SiteResult,
    recheck: Option<&SiteDiff>,
    trend: Option<&SiteTrend>,
) {
    let s = &site.site;
    let review = if site.needs_review { " review" } else { "" };
    let _ = write!(
        out,
        "<details class=\"site{review}\"><summary>{} <span class=\"{}\">{}</span></summary>",
        esc(&s.name),
        verdict_class(Some(site.verdict)),
        esc(&result_label(site))
    );
    let info = vec![
        vec!["首页地址".to_string(), s.url.to_string()],
        vec!["类别".to_string(), s.category.label_zh().to_string()],
        vec!["主办单位".to_string(), s.owner().to_string()],
        vec![
            "网站标识码".to_string(),
            s.site_code.clone().unwrap_or_default(),
        ],
        vec![
            "得分".to_string(),
            site.score.map(fmt_score).unwrap_or_else(|| "不计分".into()),
        ],
        vec![
            "否决项".to_string(),
            site.vetoes
                .iter()
                .map(|v| label_zh(v))
                .collect::<Vec<_>>()
                .join("、"),
        ],
        vec![
            "检测失败原因".to_string(),
            site.error.clone().unwrap_or_default(),
        ],
    ];
    table(out, None, &["项目", "内容"].map(String::from), &info);
    let _ = writeln!(out, "<h4>检测覆盖</h4>");
    table(
        out,
        None,
        &["项目", "数量"].map(String::from),
        &coverage_rows(&site.crawl),
    );
    if let Some(d) = recheck {
        let join = |v: &[crate::diff::ProblemRef]| {
            if v.is_empty() {
                "无".to_string()
            } else {
                v.iter()
                    .map(|p| p.summary_zh.clone())
                    .collect::<Vec<_>>()
                    .join("；")
            }
        };
        let _ = writeln!(
            out,
            "<h4>复查对比</h4><p class=\"noindent\">结论变化：{}<br>已整改：{}<br>仍未整改：{}<br>新发现：{}</p>",
            esc(&d.verdict_change_zh()),
            esc(&join(&d.fixed)),
            esc(&join(&d.still_open)),
            esc(&join(&d.new))
        );
    }
    if let Some(t) = trend.filter(|t| t.points.len() > 1) {
        let _ = writeln!(
            out,
            "<h4>历次检查</h4><p class=\"noindent\">{} 问题数：{}</p>",
            strip(t),
            esc(&counts_line(t))
        );
    }
    let _ = writeln!(out, "<h4>检测发现</h4>");
    if site.findings.is_empty() {
        out.push_str("<p class=\"noindent\">未发现问题。</p>");
    }
    let mut fs: Vec<_> = site.findings.iter().collect();
    fs.sort_by_key(|f| (f.severity, rule_order(&f.rule)));
    for f in fs {
        let mut facts = vec![
            format!("{}", severity_zh(f.severity)),
            format!("数量 {}", f.count),
        ];
        facts.push(if f.triggered {
            "已达到判定标准".into()
        } else {
            "未达到判定标准（仅提示）".into()
        });
        if f.needs_review {
            facts.push("待复核".into());
        }
        if let Some(p) = f.points {
            facts.push(format!("扣分 {}", fmt_score(p)));
        }
        let _ = writeln!(
            out,
            "<h5 class=\"{}\">{}（<code>{}</code>）</h5><p class=\"noindent\">{}<br><span class=\"meta\">{}</span></p>",
            if f.needs_review { "review" } else { "" },
            esc(label_zh(&f.rule)),
            esc(&f.rule),
            esc(&finding_sentence(f)),
            esc(&facts.join(" · "))
        );
        if !f.evidence.is_empty() {
            let rows = finding_evidence_rows(f);
            table(
                out,
                None,
                &FINDING_EVIDENCE_HEADERS.map(String::from),
                &rows,
            );
        }
    }
    out.push_str("</details>\n");
}

/// The notice as an official document (GB/T 9704): A4 with the standard margins, title in
/// 小标宋, body in 仿宋 3号, page numbers where the browser prints them, each annex on a new page.
const DOC_STYLE: &str = r#"
@page{size:A4;margin:37mm 26mm 35mm 28mm;@bottom-center{content:"— " counter(page) " —";font-family:"SimSun","宋体",serif;font-size:14pt}}
body{font-family:"FangSong","仿宋","FangSong_GB2312","STFangsong",serif;font-size:16pt;line-height:28pt;color:#000;max-width:156mm;margin:0 auto;padding:0}
h1.doc-title{font-family:"FZXiaoBiaoSong-B05S","方正小标宋简体","STZhongsong","SimSun",serif;font-size:22pt;line-height:1.5;font-weight:normal;text-align:center;margin:0 0 28pt}
p{text-indent:2em;margin:0;text-align:justify}p.noindent{text-indent:0}
p.doc-number{text-align:center;text-indent:0;margin-bottom:28pt}
h2.sec{font-family:"SimHei","黑体","STHeiti",sans-serif;font-size:16pt;font-weight:normal;text-indent:2em;margin:0}
.signature{text-align:right;text-indent:0;margin-top:28pt}
.annex{break-before:page;page-break-before:always}
.annex-label{font-family:"SimHei","黑体","STHeiti",sans-serif;text-indent:0}
h2.annex-title{font-family:"FZXiaoBiaoSong-B05S","方正小标宋简体","STZhongsong","SimSun",serif;font-size:18pt;font-weight:normal;text-align:center;margin:12pt 0}
table{border-collapse:collapse;width:100%;font-size:12pt;line-height:1.4;margin:8pt 0}
th,td{border:1px solid #000;padding:2pt 4pt;vertical-align:middle;word-break:normal;overflow-wrap:normal}
th{font-family:"SimHei","黑体","STHeiti",sans-serif;font-weight:normal;text-align:center}
td.seq,td.category,td.result,th{word-break:keep-all;white-space:nowrap}
td.category,td.result{text-align:center}
td.url{overflow-wrap:anywhere;word-break:normal}
tr{break-inside:avoid;page-break-inside:avoid}thead{display:table-header-group}
@media screen{body{padding:24px}}
"#;

/// The columns of the annex in the official document (the seed notice's, with 类别).
/// CSS classes of the columns of [`AnnexRow::DOC_HEADERS`].
const DOC_ANNEX_CLASSES: [&str; 6] = ["seq", "category", "owner", "url", "result", "problems"];

fn doc_annex(
    out: &mut String,
    id: &str,
    label: &str,
    title: &str,
    rows: &[AnnexRow],
    problems: &str,
    empty: &str,
) {
    let _ = writeln!(
        out,
        "<section class=\"annex\" id=\"{id}\"><p class=\"annex-label\">{}</p><h2 class=\"annex-title\">{}</h2>",
        esc(label),
        esc(title)
    );
    if rows.is_empty() {
        let _ = writeln!(out, "<p class=\"noindent\">{}</p></section>", esc(empty));
        return;
    }
    out.push_str("<table><thead><tr>");
    let last = AnnexRow::DOC_HEADERS.len() - 1;
    for (i, h) in AnnexRow::DOC_HEADERS.into_iter().enumerate() {
        let h = if i == last { problems } else { h };
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str("<tr>");
        for (class, c) in DOC_ANNEX_CLASSES.iter().zip(r.doc_cells()) {
            let _ = write!(out, "<td class=\"{class}\">{}</td>", esc(&c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></section>\n");
}

/// notice.html: the notice alone, laid out as an official document (no figures, charts,
/// findings or site reports: those are in dashboard.html).
pub fn render_notice_html(report: &Report, opts: &NoticeOptions) -> String {
    let n = build_notice(report, opts);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <title>{}</title><style>{DOC_STYLE}</style></head><body>\n",
        esc(&n.title)
    );
    if let Some(d) = &n.doc_number {
        let _ = writeln!(out, "<p class=\"doc-number\">{}</p>", esc(d));
    }
    let _ = writeln!(
        out,
        "<h1 class=\"doc-title\" id=\"title\">{}</h1>",
        esc(&n.title)
    );
    let _ = writeln!(out, "<p class=\"noindent\">{}</p>", esc(&n.recipients));
    let _ = writeln!(out, "<p>{}</p>", esc(&n.basis));
    for sec in &n.sections {
        let _ = writeln!(out, "<h2 class=\"sec\">{}</h2>", esc(&sec.heading));
        for b in &sec.blocks {
            match b {
                Block::Para(p) => {
                    let _ = writeln!(out, "<p>{}</p>", esc(p));
                }
                Block::Table { headers, rows } => {
                    out.push_str("<table><thead><tr>");
                    for h in headers {
                        let _ = write!(out, "<th>{}</th>", esc(h));
                    }
                    out.push_str("</tr></thead><tbody>");
                    for r in rows {
                        out.push_str("<tr>");
                        for (i, c) in r.iter().enumerate() {
                            let class = if i == 0 { " class=\"category\"" } else { "" };
                            let _ = write!(out, "<td{class}>{}</td>", esc(c));
                        }
                        out.push_str("</tr>");
                    }
                    out.push_str("</tbody></table>\n");
                }
            }
        }
    }
    if let Some(c) = &n.contact {
        let _ = writeln!(out, "<p>{}</p>", esc(c));
    }
    if n.other_annex_included {
        let _ = writeln!(
            out,
            "<p>附件：1．{}</p><p style=\"text-indent:5em\">2．{}</p>",
            esc(&n.annex_title),
            esc(&n.other_annex_title)
        );
    } else {
        let _ = writeln!(out, "<p>附件：{}</p>", esc(&n.annex_title));
    }
    let _ = writeln!(
        out,
        "<p class=\"signature\">{}<br>{}</p>",
        esc(&n.issuer),
        esc(&n.date)
    );
    let label1 = if n.other_annex_included {
        "附件1"
    } else {
        "附件"
    };
    doc_annex(
        &mut out,
        "annex",
        label1,
        &n.annex_title,
        &n.annex,
        "发现的突出问题",
        "本次检查无存在突出问题的网站。",
    );
    if n.other_annex_included {
        doc_annex(
            &mut out,
            "other-annex",
            "附件2",
            &n.other_annex_title,
            &n.other_annex,
            "发现的其他问题",
            "本次检查无存在其他问题的网站。",
        );
    }
    out.push_str("</body></html>\n");
    out
}
