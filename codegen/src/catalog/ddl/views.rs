//! Views and materialized views (`CREATE [OR REPLACE] [MATERIALIZED] VIEW [IF NOT EXISTS]`,
//! `ALTER [MATERIALIZED] VIEW ... RENAME / SET SCHEMA`), and the query of `CREATE TABLE AS`.
//!
//! A view's columns are the analyzer's to type: the catalog keeps the defining query text in
//! `Relation::view_sql` (wrapped as `SELECT * FROM (query) AS v(a, b)` when the view names its
//! columns) and no columns. The relations the query reads are kept for `DROP ... CASCADE`, and
//! with the view, its binding (`Relation::binding`): the relation each name found when the view
//! was created, with that relation's columns then, and the creating session's search path, kept
//! up to date as those relations, their columns and schemas are renamed or moved.

use std::collections::BTreeSet;
use std::ops::{ControlFlow, Range};

use sqlparser::ast::{
    self, Expr, GroupByExpr, Query, SelectItem, SelectItemQualifiedWildcardKind, SetExpr,
    TableFactor, visit_relations,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

use super::names::{ident, object_name};
use super::table_syntax::name_span_of;
use super::{Applied, Loader, Problem, Stmt};
use crate::catalog::tokens::{Cursor, ReadError, Tok, is_word, split_commas};
use crate::catalog::{
    BoundRelation, Column, QualifiedName, RelKind, Relation, ViewBinding, quote_ident,
    rename_bound_column,
};

#[derive(Debug, Clone)]
pub(super) struct ViewDef {
    pub name: Vec<String>,
    pub name_span: Range<usize>,
    pub materialized: bool,
    pub or_replace: bool,
    pub if_not_exists: bool,
    pub temporary: bool,
    /// `CREATE RECURSIVE VIEW`: PostgreSQL's shorthand for `CREATE VIEW v (cols) AS WITH
    /// RECURSIVE v (cols) AS (query) SELECT cols FROM v`.
    pub recursive: bool,
    pub columns: Vec<String>,
    /// The defining query's byte range in the file.
    pub query: Range<usize>,
    pub ast: Option<Box<Query>>,
}

pub(super) fn from_ast(stmt: &Stmt, view: &ast::CreateView) -> Result<ViewDef, Problem> {
    let mut c = Cursor::new(&stmt.toks);
    c.skip_until_word(&["recursive", "view"]);
    if c.is_word("recursive") {
        return Err(Problem::use_tokens("RECURSIVE"));
    }
    let query = query_span_after_as(stmt).ok_or_else(|| Problem::use_tokens("no AS"))?;
    Ok(ViewDef {
        name: object_name(&view.name),
        name_span: name_span_of(stmt, &view.name),
        materialized: view.materialized,
        or_replace: view.or_replace,
        if_not_exists: view.if_not_exists,
        temporary: view.temporary,
        recursive: false,
        columns: view.columns.iter().map(|c| ident(&c.name)).collect(),
        query,
        ast: Some(view.query.clone()),
    })
}

pub(super) fn from_tokens(stmt: &Stmt, c: &mut Cursor) -> Result<ViewDef, ReadError> {
    c.expect_word("create")?;
    let or_replace = c.eat_words(&["or", "replace"]);
    let temporary = c.eat_word("temp") || c.eat_word("temporary");
    let recursive = c.eat_word("recursive");
    if recursive && c.is_word("materialized") {
        return Err(syntax_error(c));
    }
    let materialized = c.eat_word("materialized");
    c.expect_word("view")?;
    let if_not_exists = c.eat_words(&["if", "not", "exists"]);
    let start = c.span();
    let name = c.object_name()?;
    let name_span = start.start..c.span().start.max(start.end);
    let mut columns = Vec::new();
    if c.is(&Token::LParen) {
        for part in split_commas(c.parenthesized()?) {
            columns.push(Cursor::new(part).ident()?);
        }
    }
    // The grammar of the recursive form has the column list, and no other.
    if recursive && columns.is_empty() {
        return Err(syntax_error(c));
    }
    c.skip_until_word(&["as"]);
    c.expect_word("as")?;
    let query = query_span(c.rest()).ok_or_else(|| c.error("expected the view's query"))?;
    // `WITH [CASCADED | LOCAL] CHECK OPTION`, which `query_span` left out.
    let check_option = c.rest().iter().find(|t| t.span.start >= query.end);
    if recursive
        && let Some(with) = check_option
        && c.rest()
            .last()
            .is_some_and(|t| is_word(Some(&t.token), "option"))
    {
        return Err(ReadError::new(
            "WITH CHECK OPTION not supported on recursive views",
            with.span.clone(),
        ));
    }
    let ast = parse_query(stmt.text_of(query.clone()));
    Ok(ViewDef {
        name,
        name_span,
        materialized,
        or_replace,
        if_not_exists,
        temporary,
        recursive,
        columns,
        query,
        ast,
    })
}

/// PostgreSQL's `syntax error at or near "..."` at the cursor.
fn syntax_error(c: &Cursor) -> ReadError {
    match c.rest().first() {
        Some(tok) => c.error(format!("syntax error at or near \"{}\"", tok.token)),
        None => c.error("syntax error at end of input"),
    }
}

/// The byte range of a query in `rest` (the tokens after `AS`), without a trailing
/// `WITH [NO] DATA` or `WITH [CASCADED | LOCAL] CHECK OPTION`.
pub(super) fn query_span(rest: &[Tok]) -> Option<Range<usize>> {
    let mut end = rest.len();
    let word = |i: usize, w: &str| i < rest.len() && is_word(Some(&rest[i].token), w);
    if end >= 2 && word(end - 1, "data") {
        let mut at = end - 1;
        if at >= 1 && word(at - 1, "no") {
            at -= 1;
        }
        if at >= 1 && word(at - 1, "with") {
            end = at - 1;
        }
    } else if end >= 3 && word(end - 1, "option") && word(end - 2, "check") {
        let mut at = end - 2;
        if at >= 1 && (word(at - 1, "cascaded") || word(at - 1, "local")) {
            at -= 1;
        }
        if at >= 1 && word(at - 1, "with") {
            end = at - 1;
        }
    }
    let query = &rest[..end];
    Some(query.first()?.span.start..query.last()?.span.end)
}

/// The query after the top-level `AS` that follows `TABLE`/`VIEW` in the statement.
pub(super) fn query_span_after_as(stmt: &Stmt) -> Option<Range<usize>> {
    let mut c = Cursor::new(&stmt.toks);
    c.skip_until_word(&["table", "view"]);
    c.next()?;
    c.skip_until_word(&["as"]);
    c.next()?;
    query_span(c.rest())
}

pub(super) fn parse_query(sql: &str) -> Option<Box<Query>> {
    let mut parser = Parser::new(&PostgreSqlDialect {}).try_with_sql(sql).ok()?;
    let query = parser.parse_query().ok()?;
    parser.peek_token().token.eq(&Token::EOF).then_some(query)
}

/// The names of the CTEs a query defines, at any depth.
fn cte_names(query: &Query) -> BTreeSet<String> {
    struct Ctes(BTreeSet<String>);
    impl ast::Visitor for Ctes {
        type Break = ();
        fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
            if let Some(with) = &query.with {
                self.0
                    .extend(with.cte_tables.iter().map(|cte| ident(&cte.alias.name)));
            }
            ControlFlow::Continue(())
        }
    }
    let mut ctes = Ctes(BTreeSet::new());
    let _ = ast::Visit::visit(query, &mut ctes);
    ctes.0
}

/// The query with the view's column names applied, for the analyzer.
pub(super) fn with_column_names(sql: &str, columns: &[String]) -> String {
    if columns.is_empty() {
        return sql.to_string();
    }
    let names: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
    format!("SELECT * FROM ({sql}) AS v({})", names.join(", "))
}

/// The columns of `SELECT [DISTINCT [ON (...)]] *, t.*, col, col AS x FROM one_table ...`
/// (no joins, grouping or set operations): the table's columns, nullable, without defaults,
/// as `CREATE TABLE AS` makes them.
pub(super) fn simple_projection(loader: &Loader, query: &Query) -> Option<Vec<Column>> {
    if query.with.is_some() {
        return None;
    }
    let SetExpr::Select(select) = query.body.as_ref() else {
        return None;
    };
    let [from] = select.from.as_slice() else {
        return None;
    };
    if !from.joins.is_empty() || select.having.is_some() {
        return None;
    }
    if !matches!(&select.group_by, GroupByExpr::Expressions(e, m) if e.is_empty() && m.is_empty()) {
        return None;
    }
    let TableFactor::Table {
        name, alias, args, ..
    } = &from.relation
    else {
        return None;
    };
    if args.is_some() || alias.as_ref().is_some_and(|a| !a.columns.is_empty()) {
        return None;
    }
    let table = loader.find_relation(&object_name(name))?;
    let relation = &loader.cat.tables[&table];
    if relation.columns_pending() {
        return None;
    }
    let reference = alias
        .as_ref()
        .map_or_else(|| table.name.clone(), |a| ident(&a.name));
    let column = |expr: &Expr| -> Option<Column> {
        let name = match expr {
            Expr::Identifier(i) => ident(i),
            Expr::CompoundIdentifier(parts)
                if parts.len() == 2 && ident(&parts[0]) == reference =>
            {
                ident(&parts[1])
            }
            _ => return None,
        };
        let source = relation.column(&name)?;
        Some(Column::plain(name, source.ty.undimensioned()))
    };
    let all = || {
        relation
            .columns
            .iter()
            .map(|c| Column::plain(&c.name, c.ty.undimensioned()))
    };
    let mut out = Vec::new();
    for item in &select.projection {
        match item {
            SelectItem::Wildcard(_) => out.extend(all()),
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(n), _)
                if object_name(n).last() == Some(&reference) =>
            {
                out.extend(all())
            }
            SelectItem::UnnamedExpr(expr) => out.push(column(expr)?),
            SelectItem::ExprWithAlias { expr, alias } => {
                let mut c = column(expr)?;
                c.name = ident(alias);
                out.push(c);
            }
            _ => return None,
        }
    }
    Some(out)
}

impl Loader {
    pub(super) fn create_view(&mut self, stmt: &Stmt, def: ViewDef) -> Applied {
        if def.temporary
            || super::names::in_temp_schema(&def.name)
            || self.reads_temp_relation(def.ast.as_deref())
        {
            if let Some(name) = def.name.last() {
                self.session.temp_relations.insert(name.clone());
            }
            return Ok(());
        }
        let qn = self.creation_name(&def.name, def.name_span.clone())?;
        let kind = if def.materialized {
            RelKind::MaterializedView
        } else {
            RelKind::View
        };
        if let Some(existing) = self.cat.tables.get(&qn) {
            if def.if_not_exists {
                return Ok(());
            }
            if !(def.or_replace && existing.kind == kind) {
                return Err(
                    Problem::new(format!("relation \"{}\" already exists", qn.name))
                        .at(def.name_span),
                );
            }
        } else if self.relation_name_taken(&qn) || self.type_name_taken(&qn) {
            return Err(
                Problem::new(format!("relation \"{}\" already exists", qn.name)).at(def.name_span),
            );
        }
        let written = stmt.text_of(def.query.clone());
        let (sql, ast) = if def.recursive {
            let name = quote_ident(&qn.name);
            let columns: Vec<String> = def.columns.iter().map(|c| quote_ident(c)).collect();
            let columns = columns.join(", ");
            let sql = format!(
                "WITH RECURSIVE {name}({columns}) AS ({written}) SELECT {columns} FROM {name}"
            );
            let ast = parse_query(&sql);
            (sql, ast)
        } else {
            self.check_self_reference(stmt, &def)?;
            (with_column_names(written, &def.columns), def.ast.clone())
        };
        let deps = self.relations_read(ast.as_deref());
        let binding = self.bind_query(ast.as_deref());
        self.view_deps.insert(qn.clone(), deps);
        self.cat.tables.insert(
            qn,
            Relation {
                kind,
                columns: vec![],
                view_sql: Some(sql),
                binding: Some(Box::new(binding)),
                unique_indexes: Vec::new(),
                exclusion_constraints: Vec::new(),
            },
        );
        Ok(())
    }

    /// A view cannot read itself: in its query, its own name (not a CTE's) finds no relation
    /// while it is being created, as `relation "v" does not exist` (a recursive view is
    /// written `CREATE RECURSIVE VIEW`).
    fn check_self_reference(&self, stmt: &Stmt, def: &ViewDef) -> Applied {
        let Some(query) = def.ast.as_deref() else {
            return Ok(());
        };
        let ctes = cte_names(query);
        let mut itself = false;
        let _ = visit_relations(query, |name| {
            let parts = object_name(name);
            let is_cte = matches!(parts.as_slice(), [one] if ctes.contains(one));
            if parts == def.name && !is_cte && self.bound_relation_or_system(&parts).is_none() {
                itself = true;
            }
            ControlFlow::<()>::Continue(())
        });
        if !itself {
            return Ok(());
        }
        let last = def.name.last().cloned().unwrap_or_default();
        let span = stmt
            .toks
            .iter()
            .filter(|t| t.span.start >= def.query.start)
            .find(|t| {
                matches!(&t.token, Token::Word(w)
                if crate::catalog::tokens::fold_ident(&w.value, w.quote_style.is_some()) == last)
            })
            .map_or_else(|| stmt.head(), |t| t.span.clone());
        let written: Vec<String> = def.name.iter().map(|p| quote_ident(p)).collect();
        Err(Problem::new(format!("relation \"{}\" does not exist", written.join(".")))
            .at(span)
            .help("a view that reads itself is written CREATE RECURSIVE VIEW name (columns) AS ..."))
    }

    /// What a relation name finds: a catalog relation, or a system one (`Some(None)`).
    fn bound_relation_or_system(&self, parts: &[String]) -> Option<Option<QualifiedName>> {
        if let Some(qn) = self.find_relation(parts) {
            return Some(Some(qn));
        }
        let builtins = crate::builtins::Builtins::load();
        let system = match parts {
            [name] => ["pg_catalog", "information_schema"]
                .iter()
                .any(|s| builtins.relation(s, name).is_some()),
            [schema, name] => builtins.relation(schema, name).is_some(),
            _ => false,
        };
        system.then_some(None)
    }

    /// What the names of a view's (or `CREATE TABLE AS`'s) query refer to now: the session's
    /// search path and the catalog relation each relation name finds.
    pub(super) fn bind_query(&self, query: Option<&Query>) -> ViewBinding {
        let search_path = self
            .session
            .search_path()
            .iter()
            .filter(|s| {
                matches!(s.as_str(), "pg_catalog" | "information_schema")
                    || self.cat.schemas.contains(*s)
            })
            .cloned()
            .collect();
        let mut relations: Vec<BoundRelation> = Vec::new();
        if let Some(query) = query {
            let _ = visit_relations(query, |name| {
                let parts = object_name(name);
                if !relations.iter().any(|b| b.written == parts)
                    && let Some(target) = self.bound_relation(&parts)
                {
                    let relation = &self.cat.tables[&target];
                    let complete = !relation.columns_pending();
                    let columns = match complete {
                        true => relation
                            .columns
                            .iter()
                            .map(|c| (c.name.clone(), c.name.clone()))
                            .collect(),
                        false => Vec::new(),
                    };
                    relations.push(BoundRelation {
                        written: parts,
                        target,
                        columns,
                        complete,
                    });
                }
                ControlFlow::<()>::Continue(())
            });
        }
        ViewBinding {
            search_path,
            relations,
            renamed_columns: Vec::new(),
        }
    }

    /// The catalog relation a relation name in a query finds now; `None` for a system
    /// relation (`pg_catalog` is searched first unless the path places it), a temporary one,
    /// or one that does not exist.
    fn bound_relation(&self, parts: &[String]) -> Option<QualifiedName> {
        if self.session.is_temp(parts) {
            return None;
        }
        let [name] = parts else {
            return self.find_relation(parts);
        };
        let builtins = crate::builtins::Builtins::load();
        self.lookup_schemas()
            .into_iter()
            .find_map(|schema| {
                if matches!(schema.as_str(), "pg_catalog" | "information_schema") {
                    // A system relation ends the search, but is not the catalog's to bind.
                    return builtins.relation(&schema, name).map(|_| Err(()));
                }
                let qn = QualifiedName::new(schema, name);
                self.cat.tables.contains_key(&qn).then_some(Ok(qn))
            })?
            .ok()
    }

    /// Renames column `from` of the view (or pending `CREATE TABLE AS`) `qn` to `to`, for its
    /// own columns and for the views bound to it.
    pub(super) fn rename_view_column(&mut self, qn: &QualifiedName, from: &str, to: &str) {
        for (name, relation) in self.cat.tables.iter_mut() {
            let Some(binding) = relation.binding.as_deref_mut() else {
                continue;
            };
            if name == qn {
                rename_bound_column(&mut binding.renamed_columns, false, from, to);
            }
            for bound in binding.relations.iter_mut().filter(|b| b.target == *qn) {
                rename_bound_column(&mut bound.columns, bound.complete, from, to);
            }
        }
    }

    /// Renames column `from` of table `qn` to `to` in the views bound to it.
    pub(super) fn rename_bound_table_column(&mut self, qn: &QualifiedName, from: &str, to: &str) {
        for relation in self.cat.tables.values_mut() {
            let Some(binding) = relation.binding.as_deref_mut() else {
                continue;
            };
            for bound in binding.relations.iter_mut().filter(|b| b.target == *qn) {
                rename_bound_column(&mut bound.columns, bound.complete, from, to);
            }
        }
    }

    /// Column `column` of table `qn` is gone: views bound to it no longer see it.
    pub(super) fn drop_bound_column(&mut self, qn: &QualifiedName, column: &str) {
        for relation in self.cat.tables.values_mut() {
            let Some(binding) = relation.binding.as_deref_mut() else {
                continue;
            };
            for bound in binding.relations.iter_mut().filter(|b| b.target == *qn) {
                bound.columns.retain(|(_, now)| now != column);
            }
        }
    }

    /// Relation `old` is now `new` (renamed, moved, or its schema renamed) for the views bound
    /// to it.
    pub(super) fn rebind_relation(&mut self, old: &QualifiedName, new: &QualifiedName) {
        for relation in self.cat.tables.values_mut() {
            let Some(binding) = relation.binding.as_deref_mut() else {
                continue;
            };
            for bound in binding.relations.iter_mut().filter(|b| b.target == *old) {
                bound.target = new.clone();
            }
        }
    }

    /// The catalog relations a query names (CTE names that match none are ignored).
    fn relations_read(&self, query: Option<&Query>) -> BTreeSet<crate::catalog::QualifiedName> {
        let mut out = BTreeSet::new();
        if let Some(query) = query {
            let _ = visit_relations(query, |name| {
                if let Some(qn) = self.find_relation(&object_name(name)) {
                    out.insert(qn);
                }
                ControlFlow::<()>::Continue(())
            });
        }
        out
    }

    /// A view over a temporary table is itself temporary.
    fn reads_temp_relation(&self, query: Option<&Query>) -> bool {
        let mut temp = false;
        if let Some(query) = query {
            let _ = visit_relations(query, |name| {
                let parts = object_name(name);
                if self.session.is_temp(&parts) && self.find_relation(&parts).is_none() {
                    temp = true;
                }
                ControlFlow::<()>::Continue(())
            });
        }
        temp
    }

    /// `ALTER [MATERIALIZED] VIEW [IF EXISTS] name RENAME TO | SET SCHEMA | RENAME COLUMN`.
    pub(super) fn alter_view_tokens(&mut self, c: &mut Cursor) -> Applied {
        c.expect_word("alter")?;
        c.eat_word("materialized");
        c.expect_word("view")?;
        let if_exists = c.eat_words(&["if", "exists"]);
        let span = c.span();
        let name = c.object_name()?;
        let Some(qn) = self.relation_for(&name, span.clone(), if_exists)? else {
            return Ok(());
        };
        if c.eat_words(&["rename", "to"]) {
            let new = crate::catalog::QualifiedName::new(&qn.schema, c.ident()?);
            self.move_relation(&qn, new, span)?;
        } else if c.eat_words(&["set", "schema"]) {
            let schema = c.ident()?;
            if !self.cat.schemas.contains(&schema) {
                return Err(Problem::new(format!("schema \"{schema}\" does not exist")).at(span));
            }
            let new = crate::catalog::QualifiedName::new(schema, &qn.name);
            self.move_relation(&qn, new, span)?;
        } else if c.eat_word("rename") {
            // `RENAME [COLUMN] a TO b`: the view's columns are typed from its query later, so
            // the rename is recorded with its binding.
            c.eat_word("column");
            let from = c.ident()?;
            c.expect_word("to")?;
            let to = c.ident()?;
            self.rename_view_column(&qn, &from, &to);
        }
        // ALTER COLUMN SET DEFAULT, SET (options), OWNER: views keep no columns offline, so
        // nothing to record.
        Ok(())
    }
}
