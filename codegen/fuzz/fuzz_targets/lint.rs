//! `squill lint` on a fuzzed migrations folder (and query files for the rename rules): a
//! report or an error message, never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use squill_fuzz::{files, write_files};

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut inputs = files(data, "migrations");
    for file in &mut inputs {
        if !file.path.starts_with("migrations/") && !file.path.starts_with("queries/") {
            file.path = format!("migrations/{}", file.path);
        }
    }
    write_files(dir.path(), &inputs);
    let queries = dir.path().join("queries");
    let options = squill_codegen::lint::LintOptions {
        schema_dir: dir.path().join("migrations"),
        queries_dir: queries.is_dir().then_some(queries),
        disabled_rules: Vec::new(),
        // The tenant rules run too (index coverage, row-level security).
        tenant: Some(squill_codegen::config::Tenant {
            column: vec!["tenant_id".into(), "shop_id".into()],
            ..Default::default()
        }),
    };
    if let Ok(report) = squill_codegen::lint::lint(&options) {
        for finding in &report.findings {
            let _ = finding.diagnostic.render();
        }
        for error in &report.errors {
            let _ = error.render();
        }
    }
});
