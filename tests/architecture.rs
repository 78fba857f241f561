//! Keeps docs/ARCHITECTURE.md true: which of our crates may depend on which, and that the
//! pure crates stay free of async runtimes and network clients.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Our crates and the ones of ours each may depend on (normal dependencies), as the doc's table says.
const ALLOWED: &[(&str, &[&str])] = &[
    ("pucha-core", &[]),
    ("pucha-analyze", &["pucha-core"]),
    ("pucha-rules", &["pucha-core"]),
    ("pucha-report", &["pucha-core"]),
    ("pucha-metrics", &["pucha-core"]),
    ("pucha-farm", &["pucha-core"]),
    ("pucha-crawl", &["pucha-core", "pucha-analyze"]),
    (
        "pucha-monitor",
        &[
            "pucha-core",
            "pucha-crawl",
            "pucha-cluster",
            "pucha-metrics",
        ],
    ),
    (
        "pucha-cluster",
        &["pucha-core", "pucha-crawl", "pucha-rules", "pucha-metrics"],
    ),
];

const PURE: &[&str] = &["pucha-core", "pucha-analyze", "pucha-rules", "pucha-report"];
const IO_CRATES: &[&str] = &[
    "tokio",
    "reqwest",
    "lapin",
    "redis",
    "hyper",
    "axum",
    "async-trait",
];

fn dependencies(manifest: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let doc: toml::Table = text.parse().unwrap();
    doc.get("dependencies")
        .and_then(|d| d.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn crate_graph_follows_the_architecture_doc() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(root.join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let Some(ok) = allowed.get(name.as_str()) else {
            panic!("crate {name} is not in docs/ARCHITECTURE.md nor in this test's table");
        };
        seen.insert(name.clone());
        let deps = dependencies(&dir.join("Cargo.toml"));
        for d in deps.iter().filter(|d| d.starts_with("pucha")) {
            assert!(
                ok.contains(&d.as_str()),
                "{name} must not depend on {d} (see docs/ARCHITECTURE.md)"
            );
        }
        if PURE.contains(&name.as_str()) {
            for io in IO_CRATES {
                assert!(
                    !deps.contains(*io),
                    "pure crate {name} must not depend on {io}"
                );
            }
        }
    }
    assert_eq!(seen.len(), ALLOWED.len(), "every crate of the table exists");
    let doc = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).unwrap();
    for (name, _) in ALLOWED {
        assert!(
            doc.contains(&format!("`{name}`")),
            "docs/ARCHITECTURE.md describes {name}"
        );
    }
}
