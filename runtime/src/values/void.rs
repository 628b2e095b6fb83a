//! `void`: what `SELECT pg_advisory_lock($1)` returns when a query reads it (`:one`); `:exec`
//! queries never decode it.

use std::error::Error as StdError;

use postgres_types::{FromSql, Type, accepts};

/// The (only) value of PostgreSQL's `void`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Void;

impl<'a> FromSql<'a> for Void {
    fn from_sql(_: &Type, _: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(Void)
    }

    // A function returning void returns NULL when it is strict and given a NULL.
    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(Void)
    }

    accepts!(VOID);
}
