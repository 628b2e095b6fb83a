//! The whole offline pipeline on a fuzzed project: `Builder::generate` never panics, and when
//! it succeeds the code parses and defines no name twice per module.

#![no_main]

use libfuzzer_sys::fuzz_target;
use squill_fuzz::{check_generated, files, write_files};

const CONFIG: &str = "schema = \"schema\"\nqueries = \"queries\"\nanalysis = \"offline\"\n\
                      async = true\nsync = true\nembed_migrations = true\n";

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut inputs = files(data, "queries");
    for file in &mut inputs {
        // Only the schema and the queries are the project's input; the config stays offline.
        if !file.path.starts_with("schema/") && !file.path.starts_with("queries/") {
            file.path = format!("queries/{}", file.path);
        }
    }
    std::fs::write(dir.path().join("squill.toml"), CONFIG).expect("config");
    write_files(dir.path(), &inputs);
    let builder = squill_codegen::Builder::new().root(dir.path());
    match builder.generate() {
        Ok(generated) => {
            if let Err(problem) = check_generated(&generated.code) {
                panic!("{problem}\n--- generated code ---\n{}", generated.code);
            }
        }
        Err(diagnostics) => {
            for d in &diagnostics.0 {
                let _ = d.render();
            }
        }
    }
});
