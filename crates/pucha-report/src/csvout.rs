//! CSV tables: every finding (`findings.csv`) and the annex (`annex.csv`), UTF-8 with a BOM so
//! that Excel opens the Chinese text correctly.

use std::io::Write;
use std::path::Path;

use pucha_core::Report;

use crate::notice::{annex_rows, AnnexRow};
use crate::table::{finding_rows, FINDING_HEADERS};
use crate::ReportError;

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
        w.write_record(r).map_err(err)?;
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
