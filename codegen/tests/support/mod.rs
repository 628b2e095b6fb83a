//! Shared by the integration tests that read the external corpus.

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
