//! notice.docx: the notice as a Word document (WordprocessingML written directly into the
//! package with `zip`, the crate the workbook writer already uses): A4 with the GB/T 9704
//! margins, title in 小标宋, body in 仿宋 3号, 文号, sections, 落款, and each annex on a new page
//! as a table with a repeated header row.

use std::io::Write as _;
use std::path::Path;

use crate::html::esc;
use crate::notice::{AnnexRow, Block, Notice};
use crate::ReportError;

const TITLE_FONT: &str = "方正小标宋简体";
const BODY_FONT: &str = "仿宋";
const HEADING_FONT: &str = "黑体";

/// Half-points: 3号 = 16pt, 2号 = 22pt, table text 12pt.
const BODY_SIZE: u32 = 32;
const TITLE_SIZE: u32 = 44;
const TABLE_SIZE: u32 = 24;

fn run(text: &str, font: &str, size: u32) -> String {
    format!(
        "<w:r><w:rPr><w:rFonts w:ascii=\"{font}\" w:hAnsi=\"{font}\" w:eastAsia=\"{font}\" w:cs=\"{font}\"/>\
         <w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
        esc(text)
    )
}

/// A paragraph; `jc` is left/center/right/both, `indent` a first-line indent of two characters.
fn para(text: &str, font: &str, size: u32, jc: &str, indent: bool, page_break: bool) -> String {
    let ind = if indent {
        "<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/>"
    } else {
        ""
    };
    let brk = if page_break {
        "<w:pageBreakBefore/>"
    } else {
        ""
    };
    format!(
        "<w:p><w:pPr>{brk}<w:spacing w:line=\"560\" w:lineRule=\"exact\"/>{ind}<w:jc w:val=\"{jc}\"/></w:pPr>{}</w:p>",
        run(text, font, size)
    )
}

fn table(headers: &[String], rows: &[Vec<String>]) -> String {
    let mut t = String::from(
        "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>\
         <w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/>\
         <w:bottom w:val=\"single\" w:sz=\"4\"/><w:right w:val=\"single\" w:sz=\"4\"/>\
         <w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/>\
         </w:tblBorders></w:tblPr>",
    );
    let cell = |text: &str, font: &str| {
        format!(
            "<w:tc><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>{}</w:p></w:tc>",
            run(text, font, TABLE_SIZE)
        )
    };
    t.push_str("<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>");
    for h in headers {
        t.push_str(&cell(h, HEADING_FONT));
    }
    t.push_str("</w:tr>");
    for r in rows {
        t.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for c in r {
            t.push_str(&cell(c, BODY_FONT));
        }
        t.push_str("</w:tr>");
    }
    t.push_str("</w:tbl>");
    t
}

/// The columns of the annex (the seed notice's, with 类别), as in notice.html.
fn annex_table(rows: &[AnnexRow], problems_header: &str) -> String {
    let last = AnnexRow::DOC_HEADERS.len() - 1;
    let headers: Vec<String> = AnnexRow::DOC_HEADERS
        .iter()
        .enumerate()
        .map(|(i, h)| if i == last { problems_header } else { h }.to_string())
        .collect();
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.doc_cells().to_vec()).collect();
    table(&headers, &rows)
}

/// One annex: its label, its title, then its table or the sentence saying it is empty.
fn annex(
    b: &mut String,
    label: &str,
    title: &str,
    rows: &[AnnexRow],
    empty: &str,
    problems_header: &str,
) {
    b.push_str(&para(label, HEADING_FONT, BODY_SIZE, "left", false, true));
    b.push_str(&para(title, TITLE_FONT, 36, "center", false, false));
    if rows.is_empty() {
        b.push_str(&para(empty, BODY_FONT, BODY_SIZE, "left", true, false));
    } else {
        b.push_str(&annex_table(rows, problems_header));
    }
}

/// word/document.xml of a notice.
pub fn document_xml(n: &Notice) -> String {
    let mut b = String::new();
    if let Some(d) = &n.doc_number {
        b.push_str(&para(d, BODY_FONT, BODY_SIZE, "center", false, false));
    }
    b.push_str(&para(
        &n.title, TITLE_FONT, TITLE_SIZE, "center", false, false,
    ));
    b.push_str(&para(
        &n.recipients,
        BODY_FONT,
        BODY_SIZE,
        "left",
        false,
        false,
    ));
    b.push_str(&para(&n.basis, BODY_FONT, BODY_SIZE, "both", true, false));
    for s in &n.sections {
        b.push_str(&para(
            &s.heading,
            HEADING_FONT,
            BODY_SIZE,
            "left",
            true,
            false,
        ));
        for block in &s.blocks {
            match block {
                Block::Para(p) => b.push_str(&para(p, BODY_FONT, BODY_SIZE, "both", true, false)),
                Block::Table { headers, rows } => b.push_str(&table(headers, rows)),
            }
        }
    }
    if let Some(c) = &n.contact {
        b.push_str(&para(c, BODY_FONT, BODY_SIZE, "both", true, false));
    }
    if n.other_annex_included {
        let line = format!("附件：1．{}", n.annex_title);
        b.push_str(&para(&line, BODY_FONT, BODY_SIZE, "left", true, false));
        let line = format!("　　　2．{}", n.other_annex_title);
        b.push_str(&para(&line, BODY_FONT, BODY_SIZE, "left", true, false));
    } else {
        let line = format!("附件：{}", n.annex_title);
        b.push_str(&para(&line, BODY_FONT, BODY_SIZE, "left", true, false));
    }
    b.push_str(&para(
        &n.issuer, BODY_FONT, BODY_SIZE, "right", false, false,
    ));
    b.push_str(&para(&n.date, BODY_FONT, BODY_SIZE, "right", false, false));
    let label = if n.other_annex_included {
        "附件1"
    } else {
        "附件"
    };
    annex(
        &mut b,
        label,
        &n.annex_title,
        &n.annex,
        "本次检查无存在突出问题的网站。",
        "发现的突出问题",
    );
    if n.other_annex_included {
        annex(
            &mut b,
            "附件2",
            &n.other_annex_title,
            &n.other_annex,
            "本次检查无存在其他问题的网站。",
            "发现的其他问题",
        );
    }
    // A4 (11906 × 16838 twips); margins 37 / 26 / 35 / 28 mm (1 mm = 56.7 twips); page number in the footer.
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>{b}\
         <w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooter\"/>\
         <w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
         <w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>\
         </w:sectPr></w:body></w:document>"
    )
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdFooter" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/></Relationships>"#;

const FOOTER: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve">— </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>"#;

/// Writes notice.docx.
pub fn write_docx(n: &Notice, path: &Path) -> Result<(), ReportError> {
    let io = |e: std::io::Error| ReportError::io(path, e);
    let zerr = |e: zip::result::ZipError| ReportError::Docx {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let file = std::fs::File::create(path).map_err(io)?;
    let mut z = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let doc = document_xml(n);
    for (name, body) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("word/_rels/document.xml.rels", DOC_RELS),
        ("word/footer1.xml", FOOTER),
        ("word/document.xml", doc.as_str()),
    ] {
        z.start_file(name, opts).map_err(zerr)?;
        z.write_all(body.as_bytes()).map_err(io)?;
    }
    let mut w = z.finish().map_err(zerr)?;
    w.flush().map_err(io)?;
    Ok(())
}
