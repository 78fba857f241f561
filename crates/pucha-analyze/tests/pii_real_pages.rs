//! ext.personal_info_exposed on real government pages: none of /work/shared/real-pages
//! publishes a private person's number (the procurement notice's contact persons, 邱先生 with
//! a mobile, are published on purpose and must not count).

#[test]
fn real_pages_have_no_pii_hits() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/real-pages");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("{} not found, skipped", dir.display());
        return;
    };
    let url = url::Url::parse("http://www.example.gov.cn/a/t20240101_1.html").unwrap();
    let mut pages = 0;
    for e in entries {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "html") {
            continue;
        }
        let f = pucha_analyze::analyze(&std::fs::read(&p).unwrap(), &url, None);
        assert!(f.pii.is_empty(), "{}: {:?}", p.display(), f.pii);
        pages += 1;
    }
    assert!(pages > 20, "{pages} pages");
}
