//! The XLSX workbook: the annex table, every finding (filterable) and the evidence.

use std::path::Path;

use pucha_core::Report;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::notice::{annex_rows, AnnexRow, ANNEX_TITLE};
use crate::table::{evidence_rows, finding_rows, EVIDENCE_HEADERS, FINDING_HEADERS};
use crate::ReportError;

/// Sheet names, stable so that readers (and tests) can find them.
pub const SHEET_ANNEX: &str = "附件";
pub const SHEET_FINDINGS: &str = "全部问题";
pub const SHEET_EVIDENCE: &str = "证据";
pub const SHEET_SUMMARY: &str = "概况";

/// Writes the workbook. The annex sheet has a header row then one row per annex site, with the
/// columns of `AnnexRow::HEADERS` (序号 as a number).
pub fn write_xlsx(report: &Report, path: &Path) -> Result<(), ReportError> {
    build(report, path).map_err(|e| ReportError::Xlsx {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })
}

fn build(report: &Report, path: &Path) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let mut wb = Workbook::new();

    let ws = wb.add_worksheet();
    ws.set_name(SHEET_ANNEX)?;
    let rows = annex_rows(report, false);
    for (c, h) in AnnexRow::HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_number(r, 0, row.seq as f64)?;
        for (c, v) in row.cells().iter().enumerate().skip(1) {
            if c == 8 {
                ws.write_string_with_format(r, c as u16, v, &wrap)?;
            } else {
                ws.write_string(r, c as u16, v)?;
            }
        }
    }
    for (c, w) in [6, 10, 28, 24, 30, 14, 16, 8, 60, 40]
        .into_iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, w)?;
    }
    finish(ws, rows.len(), AnnexRow::HEADERS.len())?;

    let ws = wb.add_worksheet();
    ws.set_name(SHEET_FINDINGS)?;
    let rows = finding_rows(report);
    sheet(ws, &FINDING_HEADERS, &rows, &bold)?;

    let ws = wb.add_worksheet();
    ws.set_name(SHEET_EVIDENCE)?;
    let rows = evidence_rows(report);
    sheet(ws, &EVIDENCE_HEADERS, &rows, &bold)?;

    let ws = wb.add_worksheet();
    ws.set_name(SHEET_SUMMARY)?;
    let s = &report.summary;
    let headers = [
        "类别",
        "运行网站数",
        "检查网站数",
        "合格",
        "不合格",
        "检测失败",
        "合格率",
    ];
    let mut srows = Vec::new();
    let mut push = |label: &str, n: &pucha_core::Counts| {
        srows.push(vec![
            label.to_string(),
            n.total.to_string(),
            n.checked().to_string(),
            n.passed.to_string(),
            n.failed.to_string(),
            n.errors.to_string(),
            n.pass_rate_text(),
        ])
    };
    for c in pucha_core::Category::ALL {
        if let Some(n) = s.by_category.get(&c) {
            push(c.label_zh(), n);
        }
    }
    push("合计", &s.counts());
    ws.write_string_with_format(0, 0, format!("{}（{}）", ANNEX_TITLE, report.run.id), &bold)?;
    let ws = sheet_at(ws, 1, &headers, &srows, &bold)?;
    ws.set_column_width(0, 14)?;

    wb.save(path)
}

fn sheet(
    ws: &mut Worksheet,
    headers: &[&str],
    rows: &[Vec<String>],
    bold: &Format,
) -> Result<(), XlsxError> {
    sheet_at(ws, 0, headers, rows, bold)?;
    for c in 0..headers.len() {
        ws.set_column_width(c as u16, 18)?;
    }
    finish(ws, rows.len(), headers.len())
}

fn sheet_at<'a>(
    ws: &'a mut Worksheet,
    first: u32,
    headers: &[&str],
    rows: &[Vec<String>],
    bold: &Format,
) -> Result<&'a mut Worksheet, XlsxError> {
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(first, c as u16, *h, bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(first + 1 + r as u32, c as u16, v)?;
        }
    }
    Ok(ws)
}

/// Freezes the header and turns on Excel's filter over the table.
fn finish(ws: &mut Worksheet, rows: usize, cols: usize) -> Result<(), XlsxError> {
    ws.set_freeze_panes(1, 0)?;
    if cols > 0 {
        ws.autofilter(0, 0, rows as u32, cols as u16 - 1)?;
    }
    Ok(())
}
