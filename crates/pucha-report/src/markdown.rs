//! Markdown renderings: the notice and the per-site detection report (检测报告).

use std::fmt::Write as _;

use pucha_core::rule_ids::label_zh;
use pucha_core::{CrawlStats, Report, Run, Severity, SiteResult};

use crate::diff::SiteDiff;
use crate::notice::{build_notice, date_zh, fmt_score, AnnexRow, Block, Notice, NoticeOptions};
use crate::table::{finding_evidence_rows, FINDING_EVIDENCE_HEADERS};
use crate::text::{finding_sentence, result_label, rule_order, severity_zh};
use crate::trend::SiteTrend;

/// Escapes text taken from pages and site lists for Markdown: `<`, `>` and `&` as entities (no
/// raw HTML, no autolinks, no character references), `\\`, `` ` ``, `[` and `]` with a backslash
/// (no code spans, links or images), line breaks and tabs as spaces (no new block), other
/// control characters dropped. What renders is the text as it was.
pub fn md_text(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '\\' | '`' | '[' | ']' => {
                o.push('\\');
                o.push(c);
            }
            '\n' | '\r' | '\t' => o.push(' '),
            c if c.is_control() => {}
            c => o.push(c),
        }
    }
    o
}

/// Escapes a table cell: as [`md_text`], and pipes.
pub fn cell(s: &str) -> String {
    let t = md_text(s).replace('|', "\\|");
    if t.is_empty() {
        "—".to_string()
    } else {
        t
    }
}

fn table(out: &mut String, headers: &[String], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(headers.len()));
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

/// The notice of a report in Markdown.
pub fn render_notice_md(report: &Report, opts: &NoticeOptions) -> String {
    notice_md(&build_notice(report, opts))
}

/// Renders an already drafted notice.
pub fn notice_md(n: &Notice) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", md_text(&n.title));
    if let Some(d) = &n.doc_number {
        let _ = writeln!(out, "{}\n", md_text(d));
    }
    let _ = writeln!(out, "{}\n", md_text(&n.recipients));
    let _ = writeln!(out, "{}\n", md_text(&n.basis));
    for s in &n.sections {
        let _ = writeln!(out, "## {}\n", md_text(&s.heading));
        for b in &s.blocks {
            match b {
                Block::Para(p) => {
                    let _ = writeln!(out, "{}\n", md_text(p));
                }
                Block::Table { headers, rows } => table(&mut out, headers, rows),
            }
        }
    }
    if let Some(c) = &n.contact {
        let _ = writeln!(out, "{}\n", md_text(c));
    }
    if n.other_annex_included {
        let _ = writeln!(out, "附件：1. {}", md_text(&n.annex_title));
        let _ = writeln!(out, "　　　2. {}\n", md_text(&n.other_annex_title));
    } else {
        let _ = writeln!(out, "附件：{}\n", md_text(&n.annex_title));
    }
    let _ = writeln!(out, "{}  \n{}\n", md_text(&n.issuer), md_text(&n.date));
    let _ = writeln!(out, "## 附件1　{}\n", md_text(&n.annex_title));
    annex_table(
        &mut out,
        &n.annex,
        "本次检查无存在突出问题的网站。\n",
        "发现的突出问题",
    );
    if n.other_annex_included {
        let _ = writeln!(out, "## 附件2　{}\n", md_text(&n.other_annex_title));
        annex_table(
            &mut out,
            &n.other_annex,
            "本次检查无存在其他问题的网站。\n",
            "发现的其他问题",
        );
    }
    out
}

fn annex_table(out: &mut String, rows: &[AnnexRow], empty: &str, problems_header: &str) {
    if rows.is_empty() {
        out.push_str(empty);
        return;
    }
    let headers: Vec<String> = AnnexRow::HEADERS
        .iter()
        .map(|h| {
            if *h == "发现的突出问题" {
                problems_header
            } else {
                h
            }
            .to_string()
        })
        .collect();
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.cells().to_vec()).collect();
    table(out, &headers, &rows);
}

/// What a per-site report needs besides the site itself.
#[derive(Debug, Clone, Copy)]
pub struct RunContext<'a> {
    pub run: &'a Run,
    /// The site's re-check against the previous run.
    pub recheck: Option<&'a SiteDiff>,
    /// The site's verdicts over the runs kept.
    pub trend: Option<&'a SiteTrend>,
}

/// The detection report (检测报告) of one site: every finding with its evidence, grouped by indicator.
pub fn render_site_md(site: &SiteResult, ctx: &RunContext) -> String {
    let mut out = String::new();
    let s = &site.site;
    let _ = writeln!(out, "# {} 检测报告\n", md_text(&s.name));
    let info = vec![
        vec!["网站名称".to_string(), s.name.clone()],
        vec!["首页地址".to_string(), s.url.to_string()],
        vec!["类别".to_string(), s.category.label_zh().to_string()],
        vec!["主办单位".to_string(), s.owner().to_string()],
        vec![
            "网站标识码".to_string(),
            s.site_code.clone().unwrap_or_default(),
        ],
        vec![
            "检查批次".to_string(),
            format!("{}（规则 {}）", ctx.run.id, rule_pack(ctx.run)),
        ],
        vec!["监测时间点".to_string(), date_zh(ctx.run.as_of)],
        vec!["检查结论".to_string(), result_label(site)],
        vec![
            "得分".to_string(),
            site.score
                .map(fmt_score)
                .unwrap_or_else(|| "不计分（单项否决检查）".into()),
        ],
        vec![
            "否决项".to_string(),
            if site.vetoes.is_empty() {
                "无".to_string()
            } else {
                site.vetoes
                    .iter()
                    .map(|v| label_zh(v))
                    .collect::<Vec<_>>()
                    .join("、")
            },
        ],
    ];
    table(&mut out, &["项目".into(), "内容".into()], &info);
    if let Some(e) = &site.error {
        let _ = writeln!(
            out,
            "**检测失败**：{}（共尝试 {} 次）\n",
            md_text(e),
            site.attempts
        );
    }

    let _ = writeln!(out, "## 检测覆盖\n");
    table(
        &mut out,
        &["项目".into(), "数量".into()],
        &coverage_rows(&site.crawl),
    );
    if !site.crawl.traps.is_empty() {
        let rows: Vec<Vec<String>> = site
            .crawl
            .traps
            .iter()
            .map(|(p, n)| vec![p.clone(), n.to_string()])
            .collect();
        let _ = writeln!(out, "识别为爬虫陷阱而停止抓取的 URL 模式：\n");
        table(&mut out, &["URL 模式".into(), "截断 URL 数".into()], &rows);
    }

    if let Some(d) = ctx.recheck {
        let _ = writeln!(out, "## 复查对比\n");
        let _ = writeln!(out, "结论变化：{}\n", d.verdict_change_zh());
        for (title, v) in [
            ("已整改", &d.fixed),
            ("仍未整改", &d.still_open),
            ("新发现", &d.new),
        ] {
            let items: Vec<String> = v.iter().map(|p| md_text(&p.summary_zh)).collect();
            let _ = writeln!(
                out,
                "- {title}：{}",
                if items.is_empty() {
                    "无".to_string()
                } else {
                    items.join("；")
                }
            );
        }
        out.push('\n');
    }
    if let Some(t) = ctx.trend {
        if t.points.len() > 1 {
            let _ = writeln!(out, "## 历次检查\n");
            let rows: Vec<Vec<String>> = t
                .points
                .iter()
                .map(|p| {
                    vec![
                        p.run_id.clone(),
                        date_zh(p.as_of),
                        p.verdict
                            .map(|v| v.label_zh())
                            .unwrap_or("未检查")
                            .to_string(),
                        p.vetoes.to_string(),
                        p.problems.to_string(),
                    ]
                })
                .collect();
            table(
                &mut out,
                &["批次", "监测时间点", "结论", "否决项数", "问题数"].map(String::from),
                &rows,
            );
        }
    }

    let _ = writeln!(out, "## 检测发现\n");
    if site.findings.is_empty() {
        out.push_str("未发现问题。\n");
    }
    let mut findings: Vec<_> = site.findings.iter().collect();
    findings.sort_by_key(|f| (f.severity, rule_order(&f.rule)));
    let mut current: Option<Severity> = None;
    for f in findings {
        if current != Some(f.severity) {
            current = Some(f.severity);
            let _ = writeln!(out, "### {}\n", severity_zh(f.severity));
        }
        let _ = writeln!(
            out,
            "#### {}（`{}`）\n",
            md_text(label_zh(&f.rule)),
            f.rule.replace('`', "")
        );
        let mut facts = vec![format!("数量：{}", f.count)];
        facts.push(if f.triggered {
            "已达到判定标准".into()
        } else {
            "未达到判定标准（仅提示）".into()
        });
        if f.needs_review {
            facts.push("**待复核**".into());
        }
        if let Some(p) = f.points {
            facts.push(format!("扣分：{}", fmt_score(p)));
        }
        let _ = writeln!(out, "{}\n", facts.join("；"));
        let _ = writeln!(out, "> {}\n", md_text(&finding_sentence(f)));
        if !f.evidence.is_empty() {
            let rows = finding_evidence_rows(f);
            table(&mut out, &FINDING_EVIDENCE_HEADERS.map(String::from), &rows);
        }
    }
    out
}

fn rule_pack(run: &Run) -> &str {
    if run.rule_pack.is_empty() {
        "默认"
    } else {
        &run.rule_pack
    }
}

/// The crawl's coverage in the notice's language: what was fetched, and what caps and robots.txt cut.
pub fn coverage_rows(c: &CrawlStats) -> Vec<Vec<String>> {
    [
        ("抓取页面数", c.pages_fetched),
        ("抓取失败页面数", c.pages_failed),
        ("发现链接数", c.links_found),
        ("已检测链接数", c.links_checked),
        ("不可用链接数", c.links_broken),
        ("被拦截链接数（防火墙/限流，未计为不可用）", c.links_blocked),
        ("未检测链接数", c.links_not_checked),
        ("robots.txt 禁止抓取", c.skipped_robots),
        ("因页面数上限截断", c.cut_max_pages),
        ("因深度上限截断", c.cut_max_depth),
        ("因时间上限截断", c.cut_max_time),
        ("因单页外链上限截断", c.cut_outlinks),
        ("因爬虫陷阱截断", c.cut_traps),
        ("正文超长被截断", c.bodies_truncated),
    ]
    .into_iter()
    .map(|(k, v)| vec![k.to_string(), v.to_string()])
    .chain(std::iter::once(vec![
        "耗时".to_string(),
        format!("{:.1} 秒", c.elapsed_ms as f64 / 1000.0),
    ]))
    .collect()
}
