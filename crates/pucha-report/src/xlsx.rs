//! The XLSX workbook: the summary (概况, first), the annex table, every finding (filterable) and the evidence.

use std::path::Path;

use pucha_core::Report;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::csvout::excel_cut;
use crate::notice::{annex_rows, other_annex_rows, AnnexRow};
use crate::table::{evidence_rows, finding_rows, EVIDENCE_HEADERS, FINDING_HEADERS};
use crate::ReportError;

/// Sheet names, stable so that readers (and tests) can find them.
pub const SHEET_ANNEX: &str = "附件";
/// 附件2: the sites with deductions and norms (其他问题), after the annex.
pub const SHEET_OTHER_ANNEX: &str = "附件2其他问题";
pub const SHEET_FINDINGS: &str = "全部问题";
pub const SHEET_EVIDENCE: &str = "证据";
pub const SHEET_SUMMARY: &str = "概况";

/// The columns of the 概况 sheet (row 2; row 1 is its title): those of the notice's table.
pub const SUMMARY_HEADERS: [&str; 7] = crate::notice::COUNTS_HEADERS;

/// Every text cell is written as a string (never a formula), cut to Excel's 32,767-character
/// limit with `csvout::CUT_MARKER`.
///
/// Writes the workbook (概况 first). The annex sheet has a header row then one row per annex site, with the
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

    // Row-per-item sheets are written row by row in constant-memory mode (rows go to a temp
    // file as they are written): a province's findings and evidence run to hundreds of
    // thousands of rows, which an in-memory sheet holds several times over.
    // 概况 first: counts as numbers, the pass rate as a percentage-formatted number.
    let ws = wb.add_worksheet();
    ws.set_name(SHEET_SUMMARY)?;
    let s = &report.summary;
    let pct = Format::new().set_num_format("0.00%");
    ws.write_string_with_format(
        0,
        0,
        excel_cut(&format!("{}（{}）", "政府网站普查概况", report.run.id)),
        &bold,
    )?;
    for (c, h) in SUMMARY_HEADERS.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &bold)?;
    }
    let mut lines: Vec<(&str, pucha_core::Counts)> = pucha_core::Category::ALL
        .iter()
        .filter_map(|c| s.by_category.get(c).map(|n| (c.label_zh(), *n)))
        .collect();
    lines.push(("合计", s.counts()));
    for (i, (label, n)) in lines.iter().enumerate() {
        let r = 2 + i as u32;
        ws.write_string(r, 0, *label)?;
        for (c, v) in [n.total, n.checked(), n.passed, n.failed, n.errors]
            .into_iter()
            .enumerate()
        {
            ws.write_number(r, c as u16 + 1, v as f64)?;
        }
        match pucha_core::pass_rate(n.passed, n.checked()) {
            Some(p) => ws.write_number_with_format(r, 6, p / 100.0, &pct)?,
            None => ws.write_string(r, 6, "—")?,
        };
    }
    ws.set_column_width(0, 14)?;

    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(SHEET_ANNEX)?;
    annex_sheet(
        ws,
        &annex_rows(report, false),
        "发现的突出问题",
        &bold,
        &wrap,
    )?;
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(SHEET_OTHER_ANNEX)?;
    annex_sheet(
        ws,
        &other_annex_rows(report),
        "发现的其他问题",
        &bold,
        &wrap,
    )?;

    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(SHEET_FINDINGS)?;
    let rows = finding_rows(report);
    sheet(ws, &FINDING_HEADERS, &rows, &bold)?;

    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(SHEET_EVIDENCE)?;
    let rows = evidence_rows(report);
    sheet(ws, &EVIDENCE_HEADERS, &rows, &bold)?;

    wb.save(path)
}

/// An annex sheet: the annex header row (with its problems column named), then one row per site.
fn annex_sheet(
    ws: &mut Worksheet,
    rows: &[AnnexRow],
    problems_header: &str,
    bold: &Format,
    wrap: &Format,
) -> Result<(), XlsxError> {
    for (c, h) in AnnexRow::HEADERS.iter().enumerate() {
        let h = if *h == "发现的突出问题" {
            problems_header
        } else {
            h
        };
        ws.write_string_with_format(0, c as u16, h, bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_number(r, 0, row.seq as f64)?;
        for (c, v) in row.cells().iter().enumerate().skip(1) {
            if c == 8 {
                ws.write_string_with_format(r, c as u16, excel_cut(v), wrap)?;
            } else {
                ws.write_string(r, c as u16, excel_cut(v))?;
            }
        }
    }
    for (c, w) in [6, 10, 28, 24, 30, 14, 16, 8, 60, 40]
        .into_iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, w)?;
    }
    finish(ws, rows.len(), AnnexRow::HEADERS.len())
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
            ws.write_string(first + 1 + r as u32, c as u16, excel_cut(v))?;
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
