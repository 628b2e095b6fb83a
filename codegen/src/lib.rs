//! # squill-codegen
//!
//! Everything squill does at build time: read query files, load the schema, type-check each
//! query, and emit typed Rust. See `ARCHITECTURE.md` for the pipeline.
//!
//! In `build.rs`:
//!
//! ```no_run
//! squill_codegen::Builder::new().compile();
//! ```
//!
//! and in the crate: `squill::include_generated!();`.

// Diagnostics are large by design (file, span, notes) and only travel the cold error path of
// a build-time tool, so boxing every `Result<_, Diagnostic>` would buy nothing.
#![allow(clippy::result_large_err)]

pub mod analyze;
pub mod builtins;
pub mod catalog;
pub mod config;
pub mod copyfrom;
pub mod depth;
pub mod diagnostic;
pub mod emit;
pub mod ir;
pub mod json;
pub mod lint;
pub mod live;
pub mod migrate_cli;
pub mod names;
pub mod overrides;
pub mod pipeline;
pub mod project;
pub mod rust_types;
pub mod schema;
pub mod schema_diff;
mod select_list;
pub mod source;
pub mod tenant;
pub mod vet;

mod builder;

pub use builder::{Builder, write_if_changed};
pub use pipeline::Generated;
