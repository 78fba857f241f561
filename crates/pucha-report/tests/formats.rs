//! Every format written by `write_all`, read back: JSON, XLSX (with calamine), CSV and Markdown.

use calamine::{open_workbook, Data, Reader, Xlsx};
use pucha_core::Report;
use pucha_report::notice::annex_rows;
use pucha_report::sample::{previous_census, seed_census};
use pucha_report::xlsx::{SHEET_ANNEX, SHEET_EVIDENCE, SHEET_FINDINGS};
use pucha_report::{write_all, AnnexRow};

fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        other => other.to_string(),
    }
}

#[test]
fn write_all_writes_every_format_and_the_xlsx_annex_matches_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let report = seed_census();
    let w = write_all(&report, dir.path(), &[previous_census()]).unwrap();
    for p in w.all() {
        assert!(p.exists(), "{} missing", p.display());
    }
    assert_eq!(w.site_reports.len(), 53);
    assert!(
        w.review.is_none(),
        "no finding needs review in the seed census"
    );

    // The JSON is the report contract and round-trips.
    let json = std::fs::read_to_string(&w.report_json).unwrap();
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);

    // The annex sheet equals the annex derived from the JSON, cell by cell.
    let expected = annex_rows(&back, false);
    let mut wb: Xlsx<_> = open_workbook(&w.xlsx).unwrap();
    // 概况 is the first sheet; counts are numbers and the rate a fraction shown as a percentage.
    assert_eq!(wb.sheet_names()[0], pucha_report::xlsx::SHEET_SUMMARY);
    let summary = wb
        .worksheet_range(pucha_report::xlsx::SHEET_SUMMARY)
        .unwrap();
    let total = summary
        .rows()
        .find(|r| matches!(&r[0], Data::String(s) if s == "合计"))
        .unwrap();
    assert_eq!(total[1], Data::Float(53.0));
    assert_eq!(total[3], Data::Float(35.0));
    match &total[6] {
        Data::Float(f) => assert!((f - 0.6604).abs() < 1e-9, "{f}"),
        other => panic!("rate is not a number: {other:?}"),
    }
    let range = wb.worksheet_range(SHEET_ANNEX).unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(text).collect()).collect();
    assert_eq!(rows[0], AnnexRow::HEADERS.map(String::from).to_vec());
    assert_eq!(rows.len() - 1, expected.len());
    assert_eq!(expected.len(), 18);
    for (got, want) in rows[1..].iter().zip(&expected) {
        assert_eq!(got, &want.cells().to_vec());
    }

    // 附件2 (其他问题): its own sheet after the annex, one row per site with deductions or norms.
    assert_eq!(wb.sheet_names()[2], pucha_report::xlsx::SHEET_OTHER_ANNEX);
    let other = pucha_report::notice::other_annex_rows(&back);
    let range = wb
        .worksheet_range(pucha_report::xlsx::SHEET_OTHER_ANNEX)
        .unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(text).collect()).collect();
    assert_eq!(rows[0][8], "发现的其他问题");
    assert_eq!(rows.len().saturating_sub(1), other.len());
    for (got, want) in rows[1..].iter().zip(&other) {
        assert_eq!(got, &want.cells().to_vec());
    }

    // One row per finding, one per piece of evidence.
    let findings: usize = back.sites.iter().map(|s| s.findings.len()).sum();
    let evidence: usize = back
        .sites
        .iter()
        .flat_map(|s| &s.findings)
        .map(|f| f.evidence.len())
        .sum();
    assert_eq!(
        wb.worksheet_range(SHEET_FINDINGS).unwrap().height(),
        findings + 1
    );
    assert_eq!(
        wb.worksheet_range(SHEET_EVIDENCE).unwrap().height(),
        evidence + 1
    );

    // CSV: same findings, BOM for Excel.
    let raw = std::fs::read(&w.findings_csv).unwrap();
    assert!(raw.starts_with("\u{feff}".as_bytes()));
    let mut rdr = csv::Reader::from_reader(&raw[3..]);
    assert_eq!(rdr.records().count(), findings);
    let raw = std::fs::read(&w.annex_csv).unwrap();
    let mut rdr = csv::Reader::from_reader(&raw[3..]);
    let names: Vec<String> = rdr.records().map(|r| r.unwrap()[2].to_string()).collect();
    assert_eq!(
        names,
        expected.iter().map(|r| r.name.clone()).collect::<Vec<_>>()
    );

    // The HTML page: key figures, the annex, the trend chart, no external assets.
    let html = std::fs::read_to_string(&w.dashboard_html).unwrap();
    assert!(html.contains("id=\"fig-pass-rate\">66.04%<"));
    assert!(html.contains("id=\"fig-problem-sites\">18<"));
    assert!(html.contains("<svg id=\"trend-chart\""));
    assert_eq!(html.matches("<details class=\"site").count(), 53);
    assert!(!html.contains("<link") && !html.contains("src=\"http"));

    // The notice carries the re-check against the previous quarter.
    let md = std::fs::read_to_string(&w.notice_md).unwrap();
    assert!(md.contains("三、整改复查情况"), "{md}");
    assert!(md.contains("四、下一步工作要求"));
}

#[test]
fn site_report_shows_evidence_coverage_and_recheck() {
    let dir = tempfile::tempdir().unwrap();
    let report = seed_census();
    let w = write_all(&report, dir.path(), &[previous_census()]).unwrap();
    let sites = pucha_report::sample::seed_sites();
    let target = &sites[8]; // 7 blank columns now, 9 before
    let pos = report
        .sites
        .iter()
        .position(|s| s.site.url == target.url)
        .unwrap();
    let md = std::fs::read_to_string(&w.site_reports[pos]).unwrap();
    assert!(
        md.starts_with(&format!("# {} 检测报告", target.name)),
        "{md}"
    );
    assert!(md.contains("### 单项否决指标"));
    assert!(md.contains("#### 空白栏目（`veto.blank_columns`）"));
    assert!(
        md.contains(&format!("| {}col3/ | 栏目4 |", target.url)),
        "{md}"
    );
    assert!(md.contains("| robots.txt 禁止抓取 | 3 |"));
    assert!(md.contains("| 因页面数上限截断 | 12 |"));
    assert!(md.contains("仍未整改：空白栏目7个"));
    assert!(md.contains("## 历次检查"));
}

#[test]
fn notice_html_is_the_official_document_and_dashboard_html_the_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let report = pucha_report::sample::seed_census();
    let w = write_all(
        &report,
        dir.path(),
        &[pucha_report::sample::previous_census()],
    )
    .unwrap();
    assert_eq!(w.notice_html, dir.path().join("notice.html"));
    assert_eq!(w.dashboard_html, dir.path().join("dashboard.html"));
    assert!(w.all().contains(&w.dashboard_html.as_path()));

    let notice = std::fs::read_to_string(&w.notice_html).unwrap();
    // GB/T 9704: A4 with its margins, 小标宋 title, 仿宋 3号 body, page numbers, annex on a new page.
    assert!(
        notice.contains("@page{size:A4;margin:37mm 26mm 35mm 28mm"),
        "{notice}"
    );
    assert!(notice.contains("counter(page)"));
    assert!(notice
        .contains("\"FZXiaoBiaoSong-B05S\",\"方正小标宋简体\",\"STZhongsong\",\"SimSun\",serif"));
    assert!(notice.contains("font-family:\"FangSong\",\"仿宋\""));
    assert!(notice.contains("font-size:16pt"));
    assert!(notice.contains(".annex{break-before:page;page-break-before:always}"));
    assert!(notice.contains("<section class=\"annex\" id=\"annex\">"));
    assert!(notice.contains("word-break:keep-all"));
    assert!(notice.contains("td.url{overflow-wrap:anywhere"));
    assert!(!notice.contains("break-all"), "one character per line");
    // Every annex row, and none of the dashboard.
    let annex = pucha_report::annex_rows(&report, false);
    assert_eq!(annex.len(), 18);
    for r in &annex {
        assert!(
            notice.contains(&format!("<td class=\"owner\">{}</td>", r.owner)),
            "{}",
            r.owner
        );
    }
    for dashboard_only in [
        "key-figures",
        "fig-pass-rate",
        "trend-chart",
        "id=\"findings\"",
        "<details",
        "<script",
        "<svg",
    ] {
        assert!(
            !notice.contains(dashboard_only),
            "{dashboard_only} in notice.html"
        );
    }
    assert!(notice.contains("合格率为66.04%"));

    let dash = std::fs::read_to_string(&w.dashboard_html).unwrap();
    for element in [
        "key-figures",
        "fig-pass-rate",
        "trend-chart",
        "id=\"findings\"",
        "<details",
        "<script",
    ] {
        assert!(
            dash.contains(element),
            "{element} missing from dashboard.html"
        );
    }
    assert!(!dash.contains("@page{size:A4"));
}

#[test]
fn notice_docx_carries_the_summary_and_every_annex_row() {
    use std::io::Read as _;
    let dir = tempfile::tempdir().unwrap();
    let report = pucha_report::sample::seed_census();
    let opts = pucha_report::NoticeOptions {
        issuer: "绵阳市政务服务监督管理局".into(),
        doc_number: Some("绵政监函〔2019〕49号".into()),
        ..pucha_report::NoticeOptions::default()
    };
    let w =
        pucha_report::write_formats(&report, dir.path(), &[], &opts, &[pucha_report::Format::Md])
            .unwrap();
    assert_eq!(w.notice_docx, dir.path().join("notice.docx"));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&w.notice_docx).unwrap()).unwrap();
    for part in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/_rels/document.xml.rels",
        "word/footer1.xml",
    ] {
        assert!(zip.by_name(part).is_ok(), "{part} missing");
    }
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    // Title, 文号, sections and the summary numbers.
    assert!(xml.contains("绵阳市政务服务监督管理局关于"), "{xml}");
    assert!(xml.contains("绵政监函〔2019〕49号"));
    for s in ["一、总体情况", "二、主要问题", "下一步工作要求"] {
        assert!(xml.contains(s), "{s}");
    }
    assert!(xml.contains("共有运行政府网站53家"));
    assert!(xml.contains("发现存在突出问题的网站18家"));
    assert!(xml.contains("合格率为66.04%"));
    // A4 with the GB/T 9704 margins, fonts by name, the annex on a new page with a header row.
    assert!(xml.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    assert!(xml.contains("w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\""));
    assert!(xml.contains("w:eastAsia=\"仿宋\"") && xml.contains("w:eastAsia=\"方正小标宋简体\""));
    assert!(xml.contains("<w:pageBreakBefore/>"));
    assert!(xml.contains("<w:tblHeader/>"));
    for h in [
        "序号",
        "类别",
        "填报单位",
        "首页地址",
        "结果",
        "发现的突出问题",
    ] {
        assert!(
            xml.contains(&format!("<w:t xml:space=\"preserve\">{h}</w:t>")),
            "{h}"
        );
    }
    let annex = pucha_report::annex_rows(&report, false);
    assert_eq!(annex.len(), 18);
    let esc = pucha_report::html::esc;
    for r in &annex {
        for cell in [&r.owner, &r.url, &r.problems] {
            assert!(xml.contains(&format!(">{}</w:t>", esc(cell))), "{cell}");
        }
    }
}
