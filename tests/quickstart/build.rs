fn main() {
    squill_codegen::Builder::new().compile(); // schema/ + queries/ → $OUT_DIR/squill.rs
}
