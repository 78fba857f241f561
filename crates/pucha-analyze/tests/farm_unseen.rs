//! The demo roster in the CMS families pucha was not first built on (`FarmSpec::unseen`:
//! TRS WCM with `createPageHTML` pagers and title-attribute dates, GBK table layouts with
//! `[MM-DD]` dates across the year boundary, Hanweb datastore lists, a list loaded by
//! script): every column's list, followed through its pagination as the crawler would, must
//! give the truth's item count and newest date, and the script-loaded ones must be flagged.

use std::collections::{BTreeSet, VecDeque};

use pucha_analyze::{analyze_with, AnalyzeOptions};
use pucha_core::PageFacts;
use pucha_farm::{Farm, FarmSpec, FarmTruth};

const PORT: u16 = 8080;

fn hosts(farm: &Farm) -> Vec<String> {
    (0..farm.sites.len())
        .map(|i| format!("127.0.3.{}:{PORT}", i + 1))
        .collect()
}

fn facts(farm: &Farm, truth: &FarmTruth, site: usize, url: &url::Url) -> Option<PageFacts> {
    let s = &farm.sites[site];
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let page = s.page(&path)?;
    let body = page.fill(&hosts(farm), PORT);
    let ct = s
        .header_charset()
        .map(|c| format!("text/html; charset={c}"));
    let opts = AnalyzeOptions {
        today: Some(truth.as_of),
        ..AnalyzeOptions::default()
    };
    Some(analyze_with(&body, url, ct.as_deref(), &opts))
}

#[test]
fn unseen_families_give_each_columns_items_and_newest_date() {
    let farm = Farm::generate(&FarmSpec::unseen());
    let truth = farm.truth_for(&hosts(&farm), PORT);
    let mut checked = BTreeSet::new();
    let mut wrong = Vec::new();
    let mut columns = 0;
    let mut script_lists = 0;
    for (i, st) in truth.sites.iter().enumerate() {
        if st.details.availability == "refused" {
            continue;
        }
        checked.insert(st.details.style.clone());
        for c in st.details.columns.iter().filter(|c| c.kind != "consult") {
            columns += 1;
            // The list pages reached from the first one through `pagination`.
            let mut seen = BTreeSet::new();
            let mut queue = VecDeque::from([url::Url::parse(&c.url).unwrap()]);
            let mut items = BTreeSet::new();
            let mut newest = None;
            let mut by_script = false;
            while let Some(u) = queue.pop_front() {
                if !seen.insert(u.to_string()) {
                    continue;
                }
                let Some(f) = facts(&farm, &truth, i, &u) else {
                    wrong.push(format!("{}: {u} not served", st.name));
                    continue;
                };
                by_script |= f.list_needs_script;
                for it in &f.dated_items {
                    items.insert(it.url.clone().unwrap_or_else(|| it.title.clone()));
                    newest = newest.max(Some(it.date));
                }
                for p in &f.pagination {
                    queue.push_back(url::Url::parse(p).unwrap());
                }
            }
            if by_script {
                // A list only a script fills: nothing read, flagged, and truly not blank.
                script_lists += 1;
                if !items.is_empty() || c.blank || st.details.style != "script_list" {
                    wrong.push(format!("{} {}: needs script", st.name, c.name));
                }
                continue;
            }
            if seen.len() as u32 != c.list_pages
                || items.len() as u32 != c.items
                || newest != c.newest
            {
                wrong.push(format!(
                    "{} [{}] {} ({}): {} pages / {} items / newest {:?}, truth {} / {} / {:?}",
                    st.name,
                    st.details.style,
                    c.name,
                    c.url,
                    seen.len(),
                    items.len(),
                    newest,
                    c.list_pages,
                    c.items,
                    c.newest
                ));
            }
        }
    }
    assert_eq!(
        checked,
        ["hanweb_datastore", "old_table", "script_list", "trs_wcm"]
            .map(String::from)
            .into(),
    );
    assert!(columns > 100, "{columns} columns");
    assert!(
        script_lists >= 3,
        "{script_lists} lists flagged as needing script"
    );
    assert!(
        wrong.is_empty(),
        "{} of {columns} columns wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
