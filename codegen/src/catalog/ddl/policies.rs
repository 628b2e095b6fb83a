//! Row-level security: `CREATE | ALTER | DROP POLICY` (statements the classifier lets through as
//! changing nothing the analyzer types, read here for the tenant rule). `ALTER TABLE ... ENABLE
//! ROW LEVEL SECURITY` is an ALTER TABLE action (`tables.rs`).

use sqlparser::ast::{AlterPolicyOperation, CreatePolicyCommand, CreatePolicyType, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::names::{ident, object_name};
use super::{Loader, Stmt};
use crate::catalog::Policy;

impl Loader {
    /// Records what a policy statement does. A statement sqlparser cannot read, or on a
    /// relation the catalog does not have, changes nothing here (its syntax was checked).
    pub(super) fn policy_statement(&mut self, stmt: &Stmt) {
        let Ok(mut statements) = Parser::parse_sql(&PostgreSqlDialect {}, stmt.sql) else {
            return;
        };
        let Some(statement) = statements.pop() else {
            return;
        };
        match statement {
            Statement::CreatePolicy(p) => {
                let Some(table) = self.find_relation(&object_name(&p.table_name)) else {
                    return;
                };
                let command = match p.command {
                    None | Some(CreatePolicyCommand::All) => "all",
                    Some(CreatePolicyCommand::Select) => "select",
                    Some(CreatePolicyCommand::Insert) => "insert",
                    Some(CreatePolicyCommand::Update) => "update",
                    Some(CreatePolicyCommand::Delete) => "delete",
                };
                let policy = Policy {
                    permissive: !matches!(p.policy_type, Some(CreatePolicyType::Restrictive)),
                    command: command.to_string(),
                    using: p.using.map(|e| e.to_string()),
                    with_check: p.with_check.map(|e| e.to_string()),
                };
                self.cat
                    .row_security
                    .entry(table)
                    .or_default()
                    .policies
                    .insert(ident(&p.name), policy);
            }
            Statement::AlterPolicy(p) => {
                let Some(table) = self.find_relation(&object_name(&p.table_name)) else {
                    return;
                };
                let Some(security) = self.cat.row_security.get_mut(&table) else {
                    return;
                };
                let name = ident(&p.name);
                match p.operation {
                    AlterPolicyOperation::Rename { new_name } => {
                        if let Some(policy) = security.policies.remove(&name) {
                            security.policies.insert(ident(&new_name), policy);
                        }
                    }
                    AlterPolicyOperation::Apply {
                        using, with_check, ..
                    } => {
                        if let Some(policy) = security.policies.get_mut(&name) {
                            if let Some(using) = using {
                                policy.using = Some(using.to_string());
                            }
                            if let Some(check) = with_check {
                                policy.with_check = Some(check.to_string());
                            }
                        }
                    }
                }
            }
            Statement::DropPolicy(p) => {
                if let Some(table) = self.find_relation(&object_name(&p.table_name))
                    && let Some(security) = self.cat.row_security.get_mut(&table)
                {
                    security.policies.remove(&ident(&p.name));
                    self.forget_empty_security(&table);
                }
            }
            _ => {}
        }
    }

    /// `ALTER TABLE ... ENABLE | DISABLE | [NO] FORCE ROW LEVEL SECURITY`.
    pub(super) fn set_row_security(
        &mut self,
        table: &crate::catalog::QualifiedName,
        enabled: Option<bool>,
        forced: Option<bool>,
    ) {
        let security = self.cat.row_security.entry(table.clone()).or_default();
        if let Some(enabled) = enabled {
            security.enabled = enabled;
        }
        if let Some(forced) = forced {
            security.forced = forced;
        }
        self.forget_empty_security(table);
    }

    /// A table with RLS off, not forced and without policies has no entry (as introspection
    /// reads it).
    fn forget_empty_security(&mut self, table: &crate::catalog::QualifiedName) {
        if self
            .cat
            .row_security
            .get(table)
            .is_some_and(|s| !s.enabled && !s.forced && s.policies.is_empty())
        {
            self.cat.row_security.remove(table);
        }
    }
}
