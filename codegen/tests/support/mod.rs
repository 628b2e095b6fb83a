//! Shared by the integration tests that read the external corpus.

// Each test crate includes this module and uses only part of it.
#![allow(dead_code)]

pub mod cases;

use std::path::{Path, PathBuf};

/// The shared corpus: `SQUILL_CORPUS`, else `../shared/corpus` next to the repository, else
/// `/work/shared/corpus`. `None` (with a loud message) when there is none, unless
/// `SQUILL_REQUIRE_CORPUS` is set, which makes its absence a failure.
pub fn corpus() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("SQUILL_CORPUS").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")),
        Some(PathBuf::from("/work/shared/corpus")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.is_dir());
    if found.is_none() {
        assert!(
            std::env::var_os("SQUILL_REQUIRE_CORPUS").is_none(),
            "the shared corpus is missing (set SQUILL_CORPUS)"
        );
        eprintln!("SKIPPED: the shared corpus was not found (set SQUILL_CORPUS to its folder)");
    }
    found
}

/// Every sqlc config (`sqlc.json`, `sqlc.yaml`, `sqlc.yml`) below `dir`, in path order.
pub fn find_configs(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            find_configs(&path, out);
        } else if matches!(
            path.file_name().and_then(|n| n.to_str()),
            Some("sqlc.json" | "sqlc.yaml" | "sqlc.yml")
        ) {
            out.push(path);
        }
    }
}
