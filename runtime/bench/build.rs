//! Generates the benchmark's typed queries from `schema/` and `queries/`, exactly as a squill
//! user's build script does (async and blocking functions, no embedded migrations).
fn main() {
    squill_codegen::Builder::new()
        .root(env!("CARGO_MANIFEST_DIR"))
        .sync_fns(true)
        .embed_migrations(false)
        .compile();
}
