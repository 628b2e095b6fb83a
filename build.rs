//! Generates the demo's typed queries from `schema/` and `queries/` (settings in squill.toml).
fn main() {
    squill_codegen::Builder::new().compile();
}
