//! The migration runner.
