//! The README's quick start is this crate, file for file, and it runs: CI builds the crate and
//! this test runs it against a throwaway PostgreSQL, so the README cannot drift again.

use std::path::Path;
use std::process::Command;

use squill_codegen::live::TempServer;

const CRATE_FILES: [&str; 5] = [
    "Cargo.toml",
    "schema/0001_users.sql",
    "queries/users.sql",
    "build.rs",
    "src/main.rs",
];

/// The fenced blocks of the README's "Quick start" section, by the path their first line names
/// (`# Cargo.toml`, `-- queries/users.sql`, `// src/main.rs`).
fn readme_blocks() -> Vec<(String, String)> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .expect("README.md is readable");
    let start = readme
        .find("\n## Quick start\n")
        .expect("README has a Quick start section");
    let section = &readme[start + 1..];
    let section = &section[..section[3..]
        .find("\n## ")
        .map_or(section.len(), |end| end + 3)];
    let mut blocks = Vec::new();
    let mut lines = section.lines();
    while let Some(line) = lines.next() {
        if !line.starts_with("```") || line == "```" {
            continue;
        }
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        let Some((first, rest)) = body.split_first() else {
            continue;
        };
        let path = ["# ", "-- ", "// "]
            .iter()
            .find_map(|prefix| first.strip_prefix(prefix))
            .filter(|path| CRATE_FILES.contains(path));
        if let Some(path) = path {
            blocks.push((path.to_string(), rest.join("\n") + "\n"));
        }
    }
    blocks
}

/// A file of this crate as the README shows it: without the repository-relative `path` keys of
/// its dependencies and the dev-dependencies this test needs.
fn as_shown(path: &str) -> String {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    if path != "Cargo.toml" {
        return text;
    }
    let text = text
        .split("\n# Not part of the quick start")
        .next()
        .unwrap();
    let mut shown = String::new();
    for line in text.lines() {
        let line = match line.find(", path = \"") {
            Some(at) => {
                let end = line[at + 10..].find('"').unwrap() + at + 11;
                format!("{}{}", &line[..at], &line[end..])
            }
            None => line.to_string(),
        };
        // `name = { version = "0.1" }` reads as `name = "0.1"`.
        let line = match line.split_once(" = { version = ") {
            Some((name, rest)) if !rest.contains(',') => {
                format!("{name} = {}", rest.trim_end_matches(" }"))
            }
            _ => line,
        };
        shown.push_str(&line);
        shown.push('\n');
    }
    shown
}

#[test]
fn readme_quick_start_is_this_crate() {
    let blocks = readme_blocks();
    let shown: Vec<&str> = blocks.iter().map(|(path, _)| path.as_str()).collect();
    assert_eq!(
        shown, CRATE_FILES,
        "the README shows every file of the crate, in order"
    );
    for (path, text) in &blocks {
        assert_eq!(
            text,
            &as_shown(path),
            "README's {path} differs from tests/quickstart/{path}"
        );
    }
}

#[test]
fn quick_start_runs() {
    let server = TempServer::start().expect("throwaway server starts");
    let output = Command::new(env!("CARGO_BIN_EXE_quickstart"))
        .env("DATABASE_URL", server.url("postgres"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "1 a@example.com Some(\"Ada\")\n"
    );
}
