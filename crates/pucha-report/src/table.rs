//! Flat tables of a report (findings, evidence) shared by the CSV and XLSX writers.

use pucha_core::rule_ids::label_zh;
use pucha_core::Report;

use crate::notice::fmt_score;
use crate::text::{finding_sentence, result_label, rule_order, severity_zh};

/// Columns of the all-findings table (one row per finding).
pub const FINDING_HEADERS: [&str; 16] = [
    "网站名称",
    "填报单位",
    "类别",
    "首页地址",
    "结果",
    "规则编号",
    "指标",
    "类型",
    "数量",
    "达到判定标准",
    "待复核",
    "扣分",
    "问题描述",
    "证据数",
    "示例页面",
    "示例说明",
];

/// Columns of one finding's evidence table in the per-site reports.
pub const FINDING_EVIDENCE_HEADERS: [&str; 6] =
    ["页面", "栏目", "日期", "链接目标", "说明", "片段"];

/// One row per piece of evidence of one finding, in `FINDING_EVIDENCE_HEADERS` order.
pub fn finding_evidence_rows(f: &pucha_core::Finding) -> Vec<Vec<String>> {
    f.evidence
        .iter()
        .map(|e| {
            vec![
                e.url.clone(),
                e.column.clone().unwrap_or_default(),
                e.date.map(|d| d.to_string()).unwrap_or_default(),
                e.target.clone().unwrap_or_default(),
                e.detail.clone(),
                e.snippet.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

fn yes_no(b: bool) -> String {
    if b { "是" } else { "否" }.to_string()
}

/// One row per finding of every site, in report order then rulebook order.
pub fn finding_rows(report: &Report) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for s in &report.sites {
        let mut fs: Vec<_> = s.findings.iter().collect();
        fs.sort_by_key(|f| (f.severity, rule_order(&f.rule)));
        for f in fs {
            let first = f.evidence.first();
            rows.push(vec![
                s.site.name.clone(),
                s.site.owner().to_string(),
                s.site.category.label_zh().to_string(),
                s.site.url.to_string(),
                result_label(s),
                f.rule.clone(),
                label_zh(&f.rule).to_string(),
                severity_zh(f.severity).to_string(),
                f.count.to_string(),
                yes_no(f.triggered),
                yes_no(f.needs_review),
                f.points.map(fmt_score).unwrap_or_default(),
                finding_sentence(f),
                f.evidence.len().to_string(),
                first.map(|e| e.url.clone()).unwrap_or_default(),
                first.map(|e| e.detail.clone()).unwrap_or_default(),
            ]);
        }
    }
    rows
}

/// Columns of the evidence table (one row per piece of evidence).
pub const EVIDENCE_HEADERS: [&str; 9] = [
    "网站名称",
    "首页地址",
    "规则编号",
    "指标",
    "页面",
    "栏目",
    "日期",
    "链接目标",
    "说明",
];

/// One row per piece of evidence.
pub fn evidence_rows(report: &Report) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for s in &report.sites {
        for f in &s.findings {
            for e in &f.evidence {
                rows.push(vec![
                    s.site.name.clone(),
                    s.site.url.to_string(),
                    f.rule.clone(),
                    label_zh(&f.rule).to_string(),
                    e.url.clone(),
                    e.column.clone().unwrap_or_default(),
                    e.date.map(|d| d.to_string()).unwrap_or_default(),
                    e.target.clone().unwrap_or_default(),
                    e.detail.clone(),
                ]);
            }
        }
    }
    rows
}
