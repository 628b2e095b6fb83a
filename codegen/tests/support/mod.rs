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

/// Compiles generated files (`(module name, code)`) as the modules of one crate named `name`
/// that depends on the runtime with `features = ["full"]`, warnings included: whether cargo
/// succeeded with nothing to say, and what it said. The crates share one target folder
/// (`target/generated-crates`), so the runtime compiles once.
pub fn compile_generated(name: &str, modules: &[(String, String)]) -> (bool, String) {
    compile_with_features(name, modules, &["full"])
}

/// Builds generated files (`(module name, code)`) as the modules of a binary crate `name`
/// whose `main.rs` ends with `main` (the runtime with `full`, plus `deps`, Cargo.toml lines)
/// and runs it with `env`: whether it built and exited successfully, and what it printed.
pub fn run_generated(
    name: &str,
    modules: &[(String, String)],
    main: &str,
    deps: &str,
    env: &[(&str, &str)],
) -> (bool, String) {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = workspace.join("target/generated-crates").join(name);
    let _ = std::fs::remove_dir_all(dir.join("src"));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let runtime = workspace.join("runtime");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = {name:?}\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nsquill = {{ path = {:?}, features = [\"full\"] }}\n{deps}\n\n[workspace]\n",
            runtime.display().to_string()
        ),
    )
    .unwrap();
    std::fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let mut code = String::from("//! Generated code under test.\n");
    for (module, text) in modules {
        std::fs::write(dir.join("src").join(format!("{module}.rs")), text).unwrap();
        code.push_str(&format!("pub mod {module};\n"));
    }
    code.push_str(main);
    std::fs::write(dir.join("src/main.rs"), code).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["run", "--offline", "--quiet", "--message-format=short"])
        .current_dir(&dir)
        .env(
            "CARGO_TARGET_DIR",
            workspace.join("target/generated-crates/target"),
        )
        .env_remove("RUSTFLAGS")
        .envs(env.iter().copied())
        .output()
        .expect("cargo runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), said)
}

/// [`compile_generated`] with the runtime's `features`.
pub fn compile_with_features(
    name: &str,
    modules: &[(String, String)],
    features: &[&str],
) -> (bool, String) {
    let mut lib = String::from("//! Generated code under test.\n");
    for (module, _) in modules {
        lib.push_str(&format!("pub mod {module};\n"));
    }
    let dir = write_crate(name, modules, features, &[]);
    std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
    let (ok, stderr) = cargo_build(&dir);
    (ok && stderr.trim().is_empty(), stderr)
}

/// Builds a program (`main`, declaring the `modules`) against the runtime's `features` and
/// the drivers, to run generated code on a server: the binary's path, or what cargo said
/// (warnings included: they fail the build as in [`compile_generated`]).
pub fn build_program(
    name: &str,
    modules: &[(String, String)],
    main: &str,
    features: &[&str],
) -> Result<PathBuf, String> {
    let drivers = [
        "tokio = { version = \"1\", features = [\"rt\"] }",
        "tokio-postgres = \"0.7\"",
        "postgres = \"0.19\"",
    ];
    let dir = write_crate(name, modules, features, &drivers);
    std::fs::write(dir.join("src/main.rs"), main).unwrap();
    match cargo_build(&dir) {
        (true, stderr) if stderr.trim().is_empty() => {
            Ok(generated_target().join("debug").join(name))
        }
        (_, stderr) => Err(stderr),
    }
}

fn generated_target() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    workspace.join("target/generated-crates/target")
}

/// A crate `name` under `target/generated-crates` with the `modules` as source files,
/// depending on the runtime with `features` and on `extra` dependency lines.
fn write_crate(
    name: &str,
    modules: &[(String, String)],
    features: &[&str],
    extra: &[&str],
) -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = workspace.join("target/generated-crates").join(name);
    let _ = std::fs::remove_dir_all(dir.join("src"));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let runtime = workspace.join("runtime");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = {name:?}\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nsquill = {{ path = {:?}, features = {features:?} }}\n{}\n\n[workspace]\n",
            runtime.display().to_string(),
            extra.join("\n")
        ),
    )
    .unwrap();
    std::fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    for (module, code) in modules {
        std::fs::write(dir.join("src").join(format!("{module}.rs")), code).unwrap();
    }
    dir
}

/// `cargo build` in `dir`, offline, into the shared target folder: success and stderr.
fn cargo_build(dir: &Path) -> (bool, String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["build", "--offline", "--quiet", "--message-format=short"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", generated_target())
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.success(), stderr)
}
