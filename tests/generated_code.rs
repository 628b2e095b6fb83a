//! The demo's generated code, snapshotted: review every change to it like code.

#[test]
fn demo_generated_code() {
    let generated = squill_codegen::Builder::new()
        .root(env!("CARGO_MANIFEST_DIR"))
        .generate()
        .unwrap_or_else(|diagnostics| panic!("{diagnostics}"));
    insta::assert_snapshot!(generated.code);
}

#[test]
fn build_script_output_is_the_same_code() {
    let built = include_str!(concat!(env!("OUT_DIR"), "/squill.rs"));
    let generated = squill_codegen::Builder::new()
        .root(env!("CARGO_MANIFEST_DIR"))
        .generate()
        .unwrap();
    assert_eq!(built, generated.code);
}
