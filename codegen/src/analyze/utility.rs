//! Utility statements typed offline: `CALL proc(...)` as `transformCallStmt` analyses it (the
//! call resolved like a function call, where only a procedure may be chosen; its arguments
//! typed; no result columns), and `TRUNCATE` with the checks `ExecuteTruncate` makes of each
//! relation (it exists, it is a table) — PostgreSQL makes those when the statement runs, not
//! when it is prepared.

use sqlparser::ast::{Function, ObjectNamePart, Truncate};

use super::expr::{Cx, name_parts};
use super::scope::Scope;
use super::{Fail, Res, Schema, unsupported};

impl Cx<'_> {
    /// `CALL f(...)`: a procedure without OUT parameters (those return a row, not modelled).
    pub(super) fn call(&mut self, scope: &Scope, f: &Function) -> Res<()> {
        self.calling_procedure = true;
        let r = self.function(scope, f);
        self.calling_procedure = false;
        r.map(|_| ()).map_err(|e| match e {
            Fail::At(inner, line, col) => match *inner {
                Fail::Error(m, help)
                    if m.starts_with("function ") && m.ends_with("does not exist") =>
                {
                    let help = help.map(|h| h.replacen("No function", "No procedure", 1));
                    Fail::At(
                        Box::new(Fail::Error(m.replacen("function", "procedure", 1), help)),
                        line,
                        col,
                    )
                }
                other => Fail::At(Box::new(other), line, col),
            },
            other => other,
        })
    }
}

/// `TRUNCATE [TABLE] [ONLY] name [*], ... [RESTART | CONTINUE IDENTITY] [CASCADE | RESTRICT]`.
pub(super) fn truncate(schema: &Schema, t: &Truncate) -> Res<()> {
    if t.partitions.is_some() || t.if_exists || t.on_cluster.is_some() {
        return unsupported("this TRUNCATE form");
    }
    for target in &t.table_names {
        let parts = name_parts(&target.name)?;
        let span = match target.name.0.first() {
            Some(ObjectNamePart::Identifier(i)) => i.span,
            _ => sqlparser::tokenizer::Span::empty(),
        };
        let name = parts.last().cloned().unwrap_or_default();
        match schema.truncatable(&parts) {
            Ok(Truncatable::Yes) => {}
            Ok(Truncatable::NotATable) => {
                return Err(Fail::Error(format!("\"{name}\" is not a table"), None).at(span));
            }
            Ok(Truncatable::SystemCatalog) => {
                return Err(Fail::Error(
                    format!("permission denied: \"{name}\" is a system catalog"),
                    None,
                )
                .at(span));
            }
            Ok(Truncatable::Unknown(why)) => {
                return unsupported(format!("TRUNCATE of {why}"));
            }
            // Not found: relation_cols' error (with its `did you mean`).
            Err(()) => {
                super::statement::relation_cols(schema, &parts).map_err(|e| e.at(span))?;
            }
        }
    }
    Ok(())
}

/// Whether `TRUNCATE` may empty a relation (`truncate_check_rel`).
enum Truncatable {
    Yes,
    NotATable,
    SystemCatalog,
    /// Decided by what squill does not know (a foreign table's wrapper).
    Unknown(&'static str),
}

impl Schema {
    /// `Err(())`: no such relation.
    fn truncatable(&self, parts: &[String]) -> Result<Truncatable, ()> {
        use crate::builtins::RelationKind as B;
        use crate::catalog::RelKind as K;
        let table = parts.last().ok_or(())?;
        let Some((schema, system)) = self.find_relation(parts) else {
            return match self.lock_refusal(parts) {
                Ok(Some("sequences")) => Ok(Truncatable::NotATable),
                _ => Err(()),
            };
        };
        if system {
            return Ok(
                match self.types.builtins.relation(&schema, table).map(|r| r.kind) {
                    Some(B::Table | B::PartitionedTable) if schema == "pg_catalog" => {
                        Truncatable::SystemCatalog
                    }
                    Some(B::Table | B::PartitionedTable) => {
                        Truncatable::Unknown("an information_schema table")
                    }
                    Some(B::ForeignTable) => Truncatable::Unknown("a foreign table"),
                    _ => Truncatable::NotATable,
                },
            );
        }
        Ok(match self.relkinds.get(&(schema, table.clone())) {
            None | Some(K::Table | K::PartitionedTable) => Truncatable::Yes,
            Some(K::ForeignTable) => Truncatable::Unknown("a foreign table"),
            Some(K::View | K::MaterializedView) => Truncatable::NotATable,
        })
    }
}
