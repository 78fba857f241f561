//! What pages and site lists put into a report is shown as text, never run: Markdown escapes
//! it, CSV and XLSX never make a formula of it, a cell over Excel's limit is cut, and one
//! format failing never keeps the others from being written.

use calamine::{open_workbook, Data, Reader, Xlsx};
use pucha_report::csvout::{spreadsheet_cell, CUT_MARKER, EXCEL_CELL_MAX};
use pucha_report::markdown::{cell, md_text};
use pucha_report::sample::seed_census;
use pucha_report::xlsx::SHEET_ANNEX;
use pucha_report::{write_all, Format, ReportError};

const IMG: &str = "<img src=x onerror=alert(10)>";

/// The seed census with a hostile site name and hostile page text in the first failing site.
fn hostile() -> pucha_core::Report {
    let mut report = seed_census();
    let i = report
        .sites
        .iter()
        .position(|s| s.findings.iter().any(|f| !f.evidence.is_empty()) && !s.vetoes.is_empty())
        .expect("a failing site with evidence");
    let s = &mut report.sites[i];
    s.site.name = format!(
        "=HYPERLINK(\"http://evil.example/\",\"点我\")<b>{IMG}</b>[x](javascript:alert(1))"
    );
    for f in &mut s.findings {
        for e in &mut f.evidence {
            e.detail = format!("{IMG} | `code` & [link](http://evil.example/)");
            e.snippet = Some(IMG.to_string());
        }
    }
    report
}

#[test]
fn markdown_escapes_page_and_site_list_text() {
    assert_eq!(md_text(IMG), "&lt;img src=x onerror=alert(10)&gt;");
    assert_eq!(
        md_text("[a](b) `c` \\ &amp;"),
        "\\[a\\](b) \\`c\\` \\\\ &amp;amp;"
    );
    assert_eq!(cell("a|b\nc\td\u{1b}"), "a\\|b c d");
    let dir = tempfile::tempdir().unwrap();
    let w = write_all(&hostile(), dir.path(), &[]).unwrap();
    let notice = std::fs::read_to_string(&w.notice_md).unwrap();
    assert!(!notice.contains("<img"), "raw HTML in notice.md");
    assert!(!notice.contains("<b>"), "raw HTML in notice.md");
    assert!(
        !notice.contains("[x](javascript"),
        "a live link in notice.md"
    );
    assert!(
        notice.contains("&lt;b&gt;&lt;img src=x onerror=alert(10)&gt;"),
        "{notice}"
    );
    for p in &w.site_reports {
        let md = std::fs::read_to_string(p).unwrap();
        assert!(!md.contains("<img"), "raw HTML in {}", p.display());
        assert!(
            !md.contains("[link](http"),
            "a live link in {}",
            p.display()
        );
    }
    for p in [&w.notice_html, &w.dashboard_html] {
        let html = std::fs::read_to_string(p).unwrap();
        assert!(!html.contains("<img"), "raw HTML in {}", p.display());
        assert!(
            html.contains("&lt;img src=x onerror=alert(10)&gt;"),
            "{}",
            p.display()
        );
    }
}

#[test]
fn csv_and_xlsx_cells_are_never_formulas() {
    for (raw, safe) in [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-3.5", "-3.5"),
        ("丰阳市", "丰阳市"),
    ] {
        assert_eq!(spreadsheet_cell(raw), safe, "{raw:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let w = write_all(&hostile(), dir.path(), &[]).unwrap();
    let annex = std::fs::read_to_string(&w.annex_csv).unwrap();
    assert!(annex.contains("'=HYPERLINK("), "{annex}");
    let mut rdr = csv::Reader::from_path(&w.annex_csv).unwrap();
    for rec in rdr.records() {
        for c in rec.unwrap().iter() {
            assert!(!c.starts_with('='), "formula cell {c:?} in annex.csv");
        }
    }
    let mut wb: Xlsx<_> = open_workbook(&w.xlsx).unwrap();
    let range = wb.worksheet_range(SHEET_ANNEX).unwrap();
    let formulas = wb.worksheet_formula(SHEET_ANNEX).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "a formula in the annex"
    );
    assert!(range
        .used_cells()
        .any(|(_, _, d)| matches!(d, Data::String(s) if s.starts_with("=HYPERLINK("))));
}

#[test]
fn cells_over_excels_limit_are_cut_and_every_format_is_written() {
    let mut report = hostile();
    let huge = "长".repeat(1_000_000);
    report.sites[0].site.name = huge.clone();
    for f in &mut report.sites[1].findings {
        for e in &mut f.evidence {
            e.detail = "x".repeat(100_000);
        }
    }
    let cut = spreadsheet_cell(&huge);
    assert_eq!(cut.encode_utf16().count(), EXCEL_CELL_MAX);
    assert!(cut.ends_with(CUT_MARKER));
    let astral = "𝐀".repeat(40_000);
    assert!(spreadsheet_cell(&astral).encode_utf16().count() <= EXCEL_CELL_MAX);
    let dir = tempfile::tempdir().unwrap();
    let w = write_all(&report, dir.path(), &[]).expect("every format is written");
    for p in w.all() {
        assert!(p.exists(), "{} missing", p.display());
    }
    let mut wb: Xlsx<_> = open_workbook(&w.xlsx).unwrap();
    let range = wb.worksheet_range(SHEET_ANNEX).unwrap();
    assert!(range
        .used_cells()
        .all(|(_, _, d)| d.to_string().encode_utf16().count() <= EXCEL_CELL_MAX));
}

#[test]
fn a_failing_format_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the workbook should go: the xlsx writer fails, the others do not.
    std::fs::create_dir(dir.path().join("report.xlsx")).unwrap();
    let err = write_all(&seed_census(), dir.path(), &[]).unwrap_err();
    let ReportError::Incomplete { written, failed } = &err else {
        panic!("{err}")
    };
    assert_eq!(failed.len(), 1, "{err}");
    assert_eq!(failed[0].0, Format::Xlsx);
    assert!(
        err.to_string().contains("xlsx: cannot write the workbook"),
        "{err}"
    );
    for p in [
        &written.report_json,
        &written.notice_md,
        &written.notice_html,
        &written.dashboard_html,
        &written.findings_csv,
        &written.annex_csv,
    ] {
        assert!(p.is_file(), "{} not written", p.display());
    }
    assert!(!written.site_reports.is_empty());
}
