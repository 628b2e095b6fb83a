//! # squill-codegen
//!
//! Everything squill does at build time: read query files, load the schema, type-check each
//! query, and emit typed Rust. See `ARCHITECTURE.md` for the pipeline.

pub mod live;
pub mod diagnostic;
pub mod lint;
pub mod migrate_cli;
pub mod source;
