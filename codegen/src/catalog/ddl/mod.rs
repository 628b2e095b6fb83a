//! The catalog from DDL text: migrations in version order (their up parts), a schema file, or
//! `pg_dump --schema-only` output.
//!
//! Each file is split into statements (`source::split`), each statement classified by its
//! leading words (`classify`). Skipping is an allow-list: only statement forms PostgreSQL has
//! and that cannot change the catalog (data, grants, comments, indexes, triggers, policies,
//! most `SET`s; psql meta-commands are blanked before) are skipped, and their syntax is still
//! checked (`skipped`); a statement PostgreSQL does not know (`CREAT TABLE`) is its syntax
//! error. What can change the catalog is parsed with sqlparser and applied, the way PostgreSQL would apply it, to a [`Catalog`] being built. Where
//! sqlparser rejects valid PostgreSQL, a token-level reader for that statement form reads it
//! instead (the SQL that runs is never changed), and [`DdlStats`] counts it by form. A
//! statement that matters and cannot be read, or that PostgreSQL would reject (an unknown
//! table, a type that does not exist), becomes a diagnostic pointing at it.
//!
//! Session statements (`SET search_path`, `set_config('search_path', ...)`, `RESET`,
//! `DISCARD`, transaction control) are read at token level: they decide where unqualified
//! names go. The session lasts across files, as when one connection applies them all.
//! `DO` blocks are read for their straight-line statements (see `do_block`).

mod classify;
mod do_block;
mod functions;
mod names;
mod objects;
mod operators;
mod policies;
mod sections;
mod session;
mod skipped;
mod table_syntax;
mod table_tokens;
mod tables;
mod types;
mod unique;
mod views;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Span, Token};

use super::tokens::{Cursor, ReadError, Tok, tokenize};
use super::{Catalog, QualifiedName};
use crate::diagnostic::{Diagnostic, SourceFile, token_span};
use crate::source::split::split_statements;

use classify::{Form, classify};
pub use sections::runnable_sql;
use session::Session;

/// What [`from_ddl`] read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DdlStats {
    /// Statements in the input (psql meta-commands, COPY data and down sections left out; the
    /// statements inside a `DO` block count as well as the block).
    pub statements: usize,
    /// Statements that changed the catalog or the session (search path).
    pub applied: usize,
    /// Statements that cannot change the catalog (data, grants, comments, indexes, ...), and
    /// statements that change what it does not follow (each has a warning).
    pub skipped_irrelevant: usize,
    /// Of those, statements sqlparser rejected whose syntax was checked by their form's
    /// required keywords only.
    pub skipped_unchecked: usize,
    /// Statements that matter, that sqlparser rejected and a token-level reader read.
    pub sqlparser_rejected: usize,
    /// [`DdlStats::sqlparser_rejected`] by statement form (`"ALTER TABLE"`, ...).
    pub rejected_forms: BTreeMap<String, usize>,
    /// Statements that matter and could not be applied (each has a diagnostic).
    pub failed: usize,
}

/// Loads the catalog from DDL files, in order. The diagnostics point into `files`; the catalog
/// holds everything that could be read.
pub fn from_ddl(files: &[SourceFile]) -> (Catalog, Vec<Diagnostic>, DdlStats) {
    crate::depth::guarded(|| load(files))
}

fn load(files: &[SourceFile]) -> (Catalog, Vec<Diagnostic>, DdlStats) {
    let mut loader = Loader::default();
    for file in files {
        let text = runnable_sql(&file.text);
        for range in split_statements(&text) {
            loader.statement(file, &text, range, false);
        }
        loader.session.end_of_file();
    }
    loader.finish()
}

/// The catalog under construction, with what PostgreSQL tracks beside it that the catalog
/// model leaves out (dependencies, ownership, the session).
#[derive(Default)]
pub(super) struct Loader {
    pub cat: Catalog,
    pub session: Session,
    /// Types created by extensions: not part of the catalog, but columns use them.
    pub extension_types: BTreeMap<QualifiedName, String>,
    /// Where each extension was installed.
    pub extension_schemas: BTreeMap<String, String>,
    /// Sequences owned by a column (serial, identity, `OWNED BY`): dropped with it.
    pub owned_sequences: BTreeMap<QualifiedName, (QualifiedName, String)>,
    /// Relations each view reads, for `DROP ... CASCADE`.
    pub view_deps: BTreeMap<QualifiedName, BTreeSet<QualifiedName>>,
    /// Inheritance parents (partition parents included) of each table.
    pub parents: BTreeMap<QualifiedName, Vec<QualifiedName>>,
    /// Every index by name (unique ones are also on their table), with its table: index names
    /// share the namespace of relations.
    indexes: BTreeMap<QualifiedName, unique::IndexEntry>,
    /// Unique indexes PostgreSQL made on a partition for its parent's: the parent's index.
    index_parents: BTreeMap<QualifiedName, QualifiedName>,
    /// Operators a `COMMUTATOR` or `NEGATOR` created as shells, not defined yet.
    pub shell_operators: BTreeSet<super::Operator>,
    pub diagnostics: Vec<Diagnostic>,
    pub stats: DdlStats,
}

/// One statement being applied.
pub(super) struct Stmt<'a> {
    pub file: &'a SourceFile,
    /// The statement's text.
    pub sql: &'a str,
    /// Its byte range in the file.
    pub range: Range<usize>,
    pub toks: Vec<Tok>,
    /// Inside a `DO` block with an exception handler: errors are swallowed there.
    pub tolerant: bool,
}

impl Stmt<'_> {
    /// Byte range of a sqlparser span (line/column relative to the statement).
    pub fn span_of(&self, span: Span) -> Range<usize> {
        if span.start.line == 0 {
            return self.head();
        }
        let offset = |line: u64, column: u64| {
            let start: usize = self
                .sql
                .split_inclusive('\n')
                .take(line.saturating_sub(1) as usize)
                .map(str::len)
                .sum();
            let rest = &self.sql[start.min(self.sql.len())..];
            start
                + rest
                    .char_indices()
                    .nth(column.saturating_sub(1) as usize)
                    .map_or(rest.len(), |(i, _)| i)
        };
        let start = offset(span.start.line, span.start.column);
        let end = offset(span.end.line, span.end.column).max(start);
        self.range.start + start..self.range.start + end
    }

    /// The statement's text at `span` (a byte range in the file within the statement).
    pub fn text_of(&self, span: Range<usize>) -> &str {
        let start = span
            .start
            .saturating_sub(self.range.start)
            .min(self.sql.len());
        let end = span
            .end
            .saturating_sub(self.range.start)
            .clamp(start, self.sql.len());
        &self.sql[start..end]
    }

    /// The first token (the statement's keyword), for messages about the whole statement.
    pub fn head(&self) -> Range<usize> {
        token_span(&self.file.text, self.range.start)
    }

    /// The span of the token after the one at `span` (the type after a column's name).
    pub fn token_after(&self, span: &Range<usize>) -> Range<usize> {
        self.toks
            .iter()
            .find(|t| t.span.start >= span.end)
            .map_or_else(|| span.clone(), |t| t.span.clone())
    }

    /// The span of the first token that is the identifier `name` (folded), else the head.
    pub fn find_ident(&self, name: &str) -> Range<usize> {
        self.toks
            .iter()
            .find(|t| {
                matches!(&t.token, Token::Word(w)
                    if super::tokens::fold_ident(&w.value, w.quote_style.is_some()) == name)
            })
            .map_or_else(|| self.head(), |t| t.span.clone())
    }
}

/// Why a statement could not be applied.
#[derive(Debug, Clone)]
pub(super) struct Problem {
    pub message: String,
    pub span: Option<Range<usize>>,
    pub help: Option<String>,
    /// sqlparser's tree lacks what this statement needs: read it at token level instead.
    pub use_tokens: bool,
}

impl Problem {
    pub fn new(message: impl Into<String>) -> Self {
        Problem {
            message: message.into(),
            span: None,
            help: None,
            use_tokens: false,
        }
    }

    pub fn at(mut self, span: Range<usize>) -> Self {
        self.span = Some(span);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// sqlparser's tree cannot express this statement.
    pub fn use_tokens(what: impl Into<String>) -> Self {
        Problem {
            use_tokens: true,
            ..Problem::new(what)
        }
    }
}

impl From<ReadError> for Problem {
    fn from(e: ReadError) -> Self {
        Problem::new(e.message).at(e.span)
    }
}

pub(super) type Applied = Result<(), Problem>;

impl Loader {
    fn finish(mut self) -> (Catalog, Vec<Diagnostic>, DdlStats) {
        self.cat.sort_functions();
        self.cat.extension_schemas = self.extension_schemas.clone();
        // What `current_schemas(false)` shows the application's new sessions.
        let (path, user, warning) = session::app_search_path(&self.session.stored);
        self.diagnostics.extend(warning);
        self.cat.set_search_path(&path, user.as_deref());
        (self.cat, self.diagnostics, self.stats)
    }

    /// Applies one statement at `range` of `text` (the file's runnable text).
    pub(super) fn statement(
        &mut self,
        file: &SourceFile,
        text: &str,
        range: Range<usize>,
        tolerant: bool,
    ) {
        self.stats.statements += 1;
        let sql = &text[range.clone()];
        let toks = match tokenize(sql, range.start) {
            Ok(toks) => toks,
            Err(e) => {
                // Only matters if it would have mattered; the words say.
                self.stats.failed += 1;
                self.diagnostics.push(
                    Diagnostic::error(format!("cannot read this statement: {e}"))
                        .at(file, token_span(&file.text, range.start))
                        .label("in this statement"),
                );
                return;
            }
        };
        let stmt = Stmt {
            file,
            sql,
            range,
            toks,
            tolerant,
        };
        if let Err(span) = crate::depth::check(sql) {
            let at = stmt.span_of(span);
            let problem = Problem::new(crate::depth::MESSAGE)
                .at(token_span(&file.text, at.start))
                .help(crate::depth::HELP);
            self.record(&stmt, "", Err(problem));
            return;
        }
        match classify(&stmt.toks) {
            Form::Irrelevant(form) => match self.check_skipped(&stmt) {
                Err(problem) if !stmt.tolerant => self.fail(&stmt, form, problem),
                result => {
                    if result.is_ok() && classify::is_policy(&stmt.toks) {
                        self.policy_statement(&stmt);
                    }
                    self.stats.skipped_irrelevant += 1
                }
            },
            Form::Session => {
                if classify::is_rollback(&stmt.toks) {
                    self.warn(
                        &stmt,
                        stmt.head(),
                        "squill's offline catalog keeps what this ROLLBACK undoes",
                    );
                }
                let result = self.session_statement(&stmt);
                self.record(&stmt, "SET", result);
            }
            Form::Do => self.do_block(&stmt, text),
            Form::Ddl(form) => {
                let target = self.unique_target(&stmt, form);
                let result = self.ddl(&stmt, form);
                if result.is_ok()
                    && let Err(problem) = self.unique_after(&stmt, form, target)
                {
                    let span = problem.span.unwrap_or_else(|| stmt.head());
                    self.warn(
                        &stmt,
                        span,
                        format!(
                            "squill could not read the unique constraints of this statement: {}",
                            problem.message
                        ),
                    );
                }
                self.record(&stmt, form, result);
            }
            Form::Index(form) => {
                let result = self
                    .check_skipped(&stmt)
                    .and_then(|()| self.index_statement(&stmt));
                self.record(&stmt, form, result);
            }
            Form::Unfollowed(form) => {
                self.stats.skipped_irrelevant += 1;
                if !stmt.tolerant {
                    self.diagnostics.push(
                        Diagnostic::warning(format!(
                            "{form} is not followed by squill's offline catalog"
                        ))
                        .at(stmt.file, stmt.head())
                        .help(
                            "queries that use what it creates or drops are typed without it; \
                             `analysis = \"live\"` types them on a server",
                        ),
                    );
                }
            }
            Form::SyntaxError(at) => {
                let result = Err(syntax_error(&stmt, at));
                self.record(&stmt, "", result);
            }
            Form::Rejected(message) => {
                let result = Err(Problem::new(message).at(stmt.head()));
                self.record(&stmt, "", result);
            }
        }
    }

    fn record(&mut self, stmt: &Stmt, form: &str, result: Applied) {
        match result {
            Ok(()) => self.stats.applied += 1,
            Err(_) if stmt.tolerant => self.stats.applied += 1,
            Err(problem) => self.fail(stmt, form, problem),
        }
    }

    fn fail(&mut self, stmt: &Stmt, form: &str, problem: Problem) {
        self.stats.failed += 1;
        let span = problem.span.clone().unwrap_or_else(|| stmt.head());
        let label = if form.is_empty() {
            "in this statement".to_string()
        } else {
            format!("in this {form} statement")
        };
        let mut d = Diagnostic::error(problem.message)
            .at(stmt.file, span)
            .label(label);
        if let Some(help) = problem.help {
            d = d.help(help);
        }
        self.diagnostics.push(d);
    }

    pub(super) fn warn(&mut self, stmt: &Stmt, span: Range<usize>, message: impl Into<String>) {
        if !stmt.tolerant {
            self.diagnostics
                .push(Diagnostic::warning(message).at(stmt.file, span));
        }
    }

    /// sqlparser first; its rejections go to the token-level reader of the form.
    fn ddl(&mut self, stmt: &Stmt, form: &'static str) -> Applied {
        let parsed = Parser::new(&PostgreSqlDialect {})
            .try_with_sql(stmt.sql)
            .and_then(|mut p| p.parse_statements());
        let parse_error = match parsed {
            Ok(statements) if statements.len() == 1 => match self.apply_ast(stmt, &statements[0]) {
                Err(problem) if problem.use_tokens => problem.message,
                other => return other,
            },
            Ok(_) => "more than one statement".to_string(),
            Err(e) => e.to_string(),
        };
        match self.apply_tokens(stmt, form) {
            Some(result) => {
                self.stats.sqlparser_rejected += 1;
                *self
                    .stats
                    .rejected_forms
                    .entry(form.to_string())
                    .or_default() += 1;
                result
            }
            None => {
                let span = parser_error_span(stmt, &parse_error);
                Err(
                    Problem::new(format!("cannot read this {form} statement: {parse_error}"))
                        .at(span)
                        .help(
                            "if PostgreSQL accepts it, squill's offline reader falls short: \
                             `analysis = \"live\"` reads the schema from a server instead",
                        ),
                )
            }
        }
    }

    /// A statement sqlparser read.
    fn apply_ast(&mut self, stmt: &Stmt, ast: &Statement) -> Applied {
        match ast {
            Statement::CreateTable(create) => {
                let def = table_syntax::create_table(stmt, create)?;
                self.create_table(stmt, def)
            }
            Statement::AlterTable(alter) => {
                let alter = table_syntax::alter_table(stmt, alter)?;
                self.alter_table(stmt, alter)
            }
            Statement::CreateView(view) => {
                let def = views::from_ast(stmt, view)?;
                self.create_view(stmt, def)
            }
            Statement::CreateType {
                name,
                representation,
            } => {
                let def = types::create_type_from_ast(stmt, name, representation.as_ref())?;
                self.create_type(stmt, def)
            }
            Statement::AlterType(alter) => {
                let (name, action) = types::alter_type_from_ast(alter);
                self.alter_type(stmt, &name, [action])
            }
            Statement::CreateDomain(domain) => {
                let def = types::domain_from_ast(stmt, domain)?;
                self.create_domain(stmt, def)
            }
            Statement::CreateFunction(function) => {
                let def = functions::from_ast(stmt, function)?;
                self.create_function(stmt, def)
            }
            Statement::AlterFunction(alter) => {
                let (target, action) = functions::alter_from_ast(stmt, alter)?;
                self.alter_function(stmt, target, action)
            }
            Statement::CreateSequence {
                temporary,
                if_not_exists,
                name,
                owned_by,
                ..
            } => {
                let def = objects::SequenceDef {
                    name: names::object_name(name),
                    temporary: *temporary,
                    if_not_exists: *if_not_exists,
                    owned_by: owned_by.as_ref().map(names::object_name),
                };
                self.create_sequence(stmt, def)
            }
            Statement::CreateSchema {
                schema_name,
                if_not_exists,
                ..
            } => {
                let name = objects::schema_name_from_ast(schema_name);
                self.create_schema(stmt, &name, *if_not_exists)
            }
            Statement::AlterSchema(alter) => objects::alter_schema_from_ast(self, stmt, alter),
            Statement::CreateExtension(ext) => {
                let def = objects::ExtensionDef {
                    name: names::ident(&ext.name),
                    if_not_exists: ext.if_not_exists,
                    cascade: ext.cascade,
                    schema: ext.schema.as_ref().map(names::ident),
                };
                self.create_extension(stmt, def)
            }
            Statement::Drop {
                object_type,
                if_exists,
                names: objects,
                cascade,
                ..
            } => {
                let Some(kind) = objects::DropKind::from_ast(*object_type) else {
                    return Ok(());
                };
                let def = objects::DropDef {
                    kind,
                    if_exists: *if_exists,
                    names: objects.iter().map(names::object_name).collect(),
                    functions: vec![],
                    cascade: *cascade,
                };
                self.drop(stmt, def)
            }
            Statement::DropFunction(drop) => {
                let def = functions::drop_from_ast(
                    stmt,
                    objects::DropKind::Function,
                    drop.if_exists,
                    &drop.func_desc,
                    drop.drop_behavior,
                )?;
                self.drop(stmt, def)
            }
            Statement::DropProcedure {
                if_exists,
                proc_desc,
                drop_behavior,
            } => {
                let def = functions::drop_from_ast(
                    stmt,
                    objects::DropKind::Procedure,
                    *if_exists,
                    proc_desc,
                    *drop_behavior,
                )?;
                self.drop(stmt, def)
            }
            Statement::DropDomain(drop) => self.drop(
                stmt,
                objects::DropDef {
                    kind: objects::DropKind::Domain,
                    if_exists: drop.if_exists,
                    names: vec![names::object_name(&drop.name)],
                    functions: vec![],
                    cascade: matches!(
                        drop.drop_behavior,
                        Some(sqlparser::ast::DropBehavior::Cascade)
                    ),
                },
            ),
            Statement::DropExtension(drop) => self.drop(
                stmt,
                objects::DropDef {
                    kind: objects::DropKind::Extension,
                    if_exists: drop.if_exists,
                    names: drop.names.iter().map(|n| vec![names::ident(n)]).collect(),
                    functions: vec![],
                    cascade: matches!(
                        drop.cascade_or_restrict,
                        Some(sqlparser::ast::ReferentialAction::Cascade)
                    ),
                },
            ),
            // sqlparser reads some operator symbols, not all: one reader for every operator.
            Statement::CreateOperator(_)
            | Statement::AlterOperator(_)
            | Statement::DropOperator(_) => self.operator_or_cast(stmt),
            // A form the classifier let through that sqlparser reads as something harmless.
            _ => Err(Problem::use_tokens("not a form sqlparser represents")),
        }
    }

    /// The token-level reader for `form`, if there is one.
    fn apply_tokens(&mut self, stmt: &Stmt, form: &str) -> Option<Applied> {
        let mut cursor = Cursor::new(&stmt.toks);
        Some(match form {
            "CREATE TABLE" | "CREATE FOREIGN TABLE" => table_tokens::create_table(&mut cursor)
                .map_err(Problem::from)
                .and_then(|def| self.create_table(stmt, def)),
            "ALTER TABLE" | "ALTER FOREIGN TABLE" => table_tokens::alter_table(&mut cursor)
                .map_err(Problem::from)
                .and_then(|alter| self.alter_table(stmt, alter)),
            "CREATE VIEW" | "CREATE MATERIALIZED VIEW" => views::from_tokens(stmt, &mut cursor)
                .map_err(Problem::from)
                .and_then(|def| self.create_view(stmt, def)),
            "ALTER VIEW" | "ALTER MATERIALIZED VIEW" => self.alter_view_tokens(&mut cursor),
            "CREATE TYPE" => types::create_type_from_tokens(&mut cursor)
                .map_err(Problem::from)
                .and_then(|def| self.create_type(stmt, def)),
            "ALTER TYPE" => types::alter_type_from_tokens(&mut cursor)
                .map_err(Problem::from)
                .and_then(|(name, action)| self.alter_type(stmt, &name, action)),
            "CREATE DOMAIN" => types::domain_from_tokens(&mut cursor)
                .map_err(Problem::from)
                .and_then(|def| self.create_domain(stmt, def)),
            "ALTER DOMAIN" => types::alter_domain_from_tokens(&mut cursor)
                .map_err(Problem::from)
                .and_then(|(name, action)| self.alter_domain(stmt, &name, action)),
            "CREATE FUNCTION" | "CREATE PROCEDURE" => functions::from_tokens(&mut cursor)
                .map_err(Problem::from)
                .and_then(|def| self.create_function(stmt, def)),
            "ALTER FUNCTION" | "ALTER PROCEDURE" | "ALTER ROUTINE" => {
                functions::alter_from_tokens(&mut cursor)
                    .map_err(Problem::from)
                    .and_then(|(target, action)| self.alter_function(stmt, target, action))
            }
            "CREATE SEQUENCE" => objects::sequence_from_tokens(&mut cursor)
                .map_err(Problem::from)
                .and_then(|def| self.create_sequence(stmt, def)),
            "ALTER SEQUENCE" => self.alter_sequence_tokens(&mut cursor),
            "CREATE SCHEMA" => objects::schema_from_tokens(&mut cursor)
                .map_err(Problem::from)
                .and_then(|(name, if_not_exists)| self.create_schema(stmt, &name, if_not_exists)),
            "ALTER SCHEMA" => self.alter_schema_tokens(stmt, &mut cursor),
            "CREATE EXTENSION" => objects::extension_from_tokens(&mut cursor)
                .map_err(Problem::from)
                .and_then(|def| self.create_extension(stmt, def)),
            "ALTER EXTENSION" => self.alter_extension_tokens(stmt, &mut cursor),
            "CREATE OPERATOR" | "ALTER OPERATOR" | "DROP OPERATOR" | "CREATE CAST"
            | "DROP CAST" => self.operator_or_cast(stmt),
            _ if form.starts_with("DROP ") => objects::drop_from_tokens(&mut cursor)
                .map_err(Problem::from)
                .and_then(|def| self.drop(stmt, def)),
            _ => return None,
        })
    }
}

/// sqlparser's `at Line: l, Column: c` as a span in the file.
fn parser_error_span(stmt: &Stmt, message: &str) -> Range<usize> {
    let number_after = |key: &str| -> Option<u64> {
        let at = message.find(key)? + key.len();
        message[at..]
            .trim_start()
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    match (number_after("Line:"), number_after("Column:")) {
        (Some(line), Some(column)) => {
            let location = sqlparser::tokenizer::Location::new(line, column);
            let start = stmt.span_of(Span::new(location, location)).start;
            token_span(&stmt.file.text, start)
        }
        _ => stmt.head(),
    }
}

/// PostgreSQL's `syntax error at or near "word"` at token `at` (a statement that starts with
/// no keyword PostgreSQL knows there), with the keyword it was most likely meant to be.
fn syntax_error(stmt: &Stmt, at: usize) -> Problem {
    let problem = skipped::syntax_error_at_token(stmt, Some(at));
    let Some(tok) = stmt.toks.get(at) else {
        return problem;
    };
    let word = stmt.text_of(tok.span.clone()).to_ascii_uppercase();
    let candidates = if at == 0 {
        classify::STATEMENT_WORDS
    } else {
        classify::OBJECT_WORDS
    };
    match crate::diagnostic::closest(&word, candidates.iter().copied()) {
        Some(keyword) => problem.help(format!("did you mean `{keyword}`?")),
        None => problem.help(
            "PostgreSQL has no statement that starts this way (squill reads every statement of \
             the schema, as the server will)",
        ),
    }
}
