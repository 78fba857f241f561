//! CSV tables: every finding (`findings.csv`) and the annex (`annex.csv`), UTF-8 with a BOM so
//! that Excel opens the Chinese text correctly.
//!
//! Cells come from pages and site lists, so they are made safe for spreadsheets first
//! ([`spreadsheet_cell`]): no formula (a cell starting with `=`, `+`, `-`, `@`, tab or CR gets
//! a leading `'`) and no cell over Excel's 32,767-character limit (cut, with [`CUT_MARKER`]).

use std::io::Write;
use std::path::Path;

use pucha_core::Report;

use crate::notice::{annex_rows, AnnexRow};
use crate::table::{finding_rows, FINDING_HEADERS};
use crate::ReportError;

/// The most characters (UTF-16 code units, as Excel counts them) an Excel cell holds.
pub const EXCEL_CELL_MAX: usize = 32_767;
/// What ends a cell cut to [`EXCEL_CELL_MAX`].
pub const CUT_MARKER: &str = "…（已截断）";

/// `s` cut to Excel's cell limit, with [`CUT_MARKER`] when cut.
pub fn excel_cut(s: &str) -> std::borrow::Cow<'_, str> {
    if s.len() <= EXCEL_CELL_MAX || s.encode_utf16().count() <= EXCEL_CELL_MAX {
        return s.into();
    }
    let room = EXCEL_CELL_MAX - CUT_MARKER.encode_utf16().count();
    let mut used = 0;
    let mut out = String::new();
    for c in s.chars() {
        used += c.len_utf16();
        if used > room {
            break;
        }
        out.push(c);
    }
    out.push_str(CUT_MARKER);
    out.into()
}

/// A cell as a spreadsheet may take it: cut to Excel's limit, and with a leading `'` when it
/// would start a formula (`=`, `+`, `-`, `@`, tab, CR) and is not simply a number.
pub fn spreadsheet_cell(s: &str) -> String {
    let cut = excel_cut(s);
    let formula_like = cut.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula_like && cut.trim().parse::<f64>().is_err() {
        excel_cut(&format!("'{cut}")).into_owned()
    } else {
        cut.into_owned()
    }
}

fn write_table(path: &Path, headers: &[&str], rows: &[Vec<String>]) -> Result<(), ReportError> {
    let err = |e: csv::Error| ReportError::Csv {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let mut file = std::fs::File::create(path).map_err(|e| ReportError::io(path, e))?;
    file.write_all("\u{feff}".as_bytes())
        .map_err(|e| ReportError::io(path, e))?;
    let mut w = csv::Writer::from_writer(file);
    w.write_record(headers).map_err(err)?;
    for r in rows {
        w.write_record(r.iter().map(|c| spreadsheet_cell(c)))
            .map_err(err)?;
    }
    w.flush().map_err(|e| ReportError::io(path, e))
}

/// Writes one row per finding (columns `table::FINDING_HEADERS`).
pub fn write_csv(report: &Report, path: &Path) -> Result<(), ReportError> {
    write_table(path, &FINDING_HEADERS, &finding_rows(report))
}

/// Writes the annex table (columns `AnnexRow::HEADERS`).
pub fn write_annex_csv(report: &Report, path: &Path) -> Result<(), ReportError> {
    let rows: Vec<Vec<String>> = annex_rows(report, false)
        .iter()
        .map(|r| r.cells().to_vec())
        .collect();
    write_table(path, &AnnexRow::HEADERS, &rows)
}
