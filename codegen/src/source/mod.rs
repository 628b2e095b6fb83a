//! Query files: statement splitting, annotations, parameters.
//!
//! A query file is a sequence of annotated statements (sqlc's dialect):
//!
//! ```sql
//! -- Returns the user, or None.
//! -- name: GetUser :opt
//! SELECT id, email FROM users WHERE id = @id AND shop_id = sqlc.arg(shop_id);
//! ```
//!
//! [`parse_query_file`] turns each into a [`RawQuery`]: the SQL to send with named parameters
//! rewritten to `$n`, the parameters' names and nullability, and byte spans back into the file
//! for every diagnostic that comes later.
//!
//! A file whose annotations are `--!` / `--:` lines is read in cornucopia's (and clorinde's)
//! dialect instead (`source/cornucopia.rs` describes it and how its queries map to squill's
//! commands). Each file is in one dialect; a file mixing both is an error.

mod annotation;
mod cornucopia;
mod doc;
mod lex;
mod lines;
mod names;
mod offsets;
mod params;
mod rewrite;
pub mod split;

use std::collections::HashMap;
use std::ops::Range;

use crate::diagnostic::{Diagnostic, SourceFile};
use annotation::{Annotation, Parsed};
use lex::Token;
use lines::LineIndex;
use offsets::OffsetMap;
use split::Statement;

/// What a query returns, from its annotation (`:one`, `:many`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// Exactly one row; no row is an error.
    One,
    /// Zero or one row.
    Opt,
    Many,
    Exec,
    /// The number of rows affected.
    ExecRows,
    ExecResult,
    /// Binary `COPY FROM` bulk insert.
    CopyFrom,
    BatchExec,
    BatchOne,
    BatchMany,
}

impl Command {
    pub const ALL: [Command; 10] = [
        Command::One,
        Command::Opt,
        Command::Many,
        Command::Exec,
        Command::ExecRows,
        Command::ExecResult,
        Command::CopyFrom,
        Command::BatchExec,
        Command::BatchOne,
        Command::BatchMany,
    ];

    /// The command as written in an annotation: `":one"`, `":execrows"`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Command::One => ":one",
            Command::Opt => ":opt",
            Command::Many => ":many",
            Command::Exec => ":exec",
            Command::ExecRows => ":execrows",
            Command::ExecResult => ":execresult",
            Command::CopyFrom => ":copyfrom",
            Command::BatchExec => ":batchexec",
            Command::BatchOne => ":batchone",
            Command::BatchMany => ":batchmany",
        }
    }

    /// Whether the generated function decodes rows.
    pub fn returns_rows(self) -> bool {
        matches!(
            self,
            Command::One | Command::Opt | Command::Many | Command::BatchOne | Command::BatchMany
        )
    }
}

/// One annotated query, read but not yet analyzed.
#[derive(Debug, Clone)]
pub struct RawQuery {
    /// The name as written (`GetUser`).
    pub name: String,
    /// Bytes of the name in the file.
    pub name_span: Range<usize>,
    pub command: Command,
    /// The comment lines documenting the query, `-- ` stripped, in order.
    pub doc: Vec<String>,
    /// 1-based line of the annotation.
    pub line: usize,
    /// Bytes of the statement in the file, trimmed, without its `;`.
    pub span: Range<usize>,
    /// The SQL to send: the statement with named parameters rewritten to `$n`, without `;`.
    pub sql: String,
    /// `params[i]` is `$(i + 1)`.
    pub params: Vec<ParamSlot>,
    /// The tables of the query's `sqlc.embed(table)` items, in order, as written.
    pub embeds: Vec<String>,
    /// The row part of a cornucopia annotation (`--! q : Row(col?)`); `None` in sqlc's dialect.
    pub row: Option<RowAnnotation>,
    /// `-- squill:cross-tenant <reason>` above the annotation: the query spans tenants on
    /// purpose, and the tenant rule does not apply to it.
    pub cross_tenant: Option<CrossTenant>,
    offsets: OffsetMap,
}

/// A query's `-- squill:cross-tenant <reason>` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossTenant {
    pub reason: String,
    /// Bytes of the directive's comment in the file.
    pub span: Range<usize>,
}

/// The directive that marks a query as deliberately cross-tenant.
pub const CROSS_TENANT: &str = "squill:cross-tenant";

/// Takes the `squill:` directives out of a query's doc comments: the doc lines left, and the
/// cross-tenant reason. An unknown directive or an empty reason is an error.
fn directives(
    file: &SourceFile,
    comments: Vec<(String, Range<usize>)>,
) -> Result<(Vec<String>, Option<CrossTenant>), Vec<Diagnostic>> {
    let mut doc = Vec::new();
    let mut cross = None;
    let mut errors = Vec::new();
    for (line, span) in comments {
        let Some(rest) = line.trim_start().strip_prefix("squill:") else {
            doc.push(line);
            continue;
        };
        let (word, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        if word != "cross-tenant" {
            let mut d = Diagnostic::error(format!("unknown query directive `squill:{word}`"))
                .at(file, span.clone())
                .label("not a squill directive");
            if let Some(close) = crate::diagnostic::closest(word, ["cross-tenant"]) {
                d = d.help(format!("did you mean `squill:{close}`?"));
            }
            errors.push(d);
            continue;
        }
        let reason = reason.trim();
        if reason.is_empty() {
            errors.push(
                Diagnostic::error("`squill:cross-tenant` needs a reason")
                    .at(file, span.clone())
                    .label("no reason given")
                    .help("say why the query spans tenants, e.g. `-- squill:cross-tenant nightly billing job over every shop`"),
            );
            continue;
        }
        cross = Some(CrossTenant {
            reason: reason.to_string(),
            span,
        });
    }
    match errors.is_empty() {
        true => Ok((doc, cross)),
        false => Err(errors),
    }
}

/// The row type a cornucopia / clorinde annotation gives a query: `: SizeRow` (declared with
/// `--: SizeRow(col?)`), `: SizeRow(col?)` or `: (col?)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowAnnotation {
    /// The row struct's name; `None` for `: (col?)`.
    pub name: Option<String>,
    /// Bytes of the row part of the query's annotation (after the `:`).
    pub span: Range<usize>,
    /// The columns listed, in order (for a declared type, spans into its `--:` line).
    pub columns: Vec<RowColumn>,
}

/// One column a row annotation lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowColumn {
    pub name: String,
    pub span: Range<usize>,
    /// Written `col?`: nullable whatever inference says. Without `?` the listing claims
    /// nothing about nullability (squill infers it); the column must still exist.
    pub nullable: bool,
}

impl RawQuery {
    /// File byte offset of byte `sql_offset` of `self.sql`. An offset inside a rewritten
    /// parameter maps to the start of what the user wrote (`@email`); past the end, to the end
    /// of the statement. Always a character boundary of the file; never panics.
    pub fn file_offset(&self, sql_offset: usize) -> usize {
        let mut offset = sql_offset.min(self.sql.len());
        while !self.sql.is_char_boundary(offset) {
            offset -= 1;
        }
        self.offsets.file_offset(offset)
    }

    /// The row struct name the annotation gives, if any (`: SizeRow` → `SizeRow`).
    pub fn row_type(&self) -> Option<String> {
        self.row.as_ref().and_then(|r| r.name.clone())
    }

    /// Applies the row annotation to the columns an analysis found (`names`, in order): the
    /// indices of those it makes nullable (`col?`). An error, pointing into the annotation, if
    /// it lists a column the query does not return, or declares a row and none is returned.
    pub fn annotated_nullable(
        &self,
        file: &SourceFile,
        names: &[&str],
    ) -> Result<Vec<usize>, Diagnostic> {
        cornucopia::nullable_columns(self, file, names)
    }
}

/// One parameter of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSlot {
    /// The name written (`@email`, `sqlc.arg(email)`), or for `$n` one inferred from the SQL
    /// around it (`email = $1`, `LIMIT $2`, `INSERT INTO t (email) VALUES ($1)`), made unique
    /// within the query (`a`, `a_2`).
    pub name: Option<String>,
    /// Written as `sqlc.narg(...)` at least once.
    pub nullable: bool,
    /// File bytes of every use (`@email`, `sqlc.arg(email)`, `$1`).
    pub spans: Vec<Range<usize>>,
}

/// Splits and parses one query file: every query it could read, and every problem found
/// (it keeps going after an error; a query with an error is left out).
pub fn parse_query_file(file: &SourceFile) -> (Vec<RawQuery>, Vec<Diagnostic>) {
    let text = &*file.text;
    let tokens = lex::tokenize(text);
    // PostgreSQL's lexer rejects these before anything else: at the opening token.
    if let Some(token) = tokens.iter().find(|t| t.unterminated) {
        let message = token.unterminated_message(text).unwrap_or("syntax error");
        let d = Diagnostic::error(message)
            .at(file, token.span.start..token.span.start + 1)
            .label("opened here and never closed")
            .help("close it, or remove it");
        return (Vec::new(), vec![d]);
    }

    if let Some(parsed) = cornucopia::parse_file(file, &tokens) {
        return parsed;
    }
    let mut diagnostics = Vec::new();
    // Every `-- name:` comment, well-formed or not, by token index.
    let mut marks: Vec<(usize, Option<Annotation>)> = Vec::new();
    for (i, token) in tokens.iter().enumerate().filter(|(_, t)| t.is_comment()) {
        match annotation::parse(file, token) {
            Parsed::Comment => {}
            Parsed::Annotation(a) => marks.push((i, Some(a))),
            Parsed::Invalid(errors) => {
                diagnostics.extend(errors);
                marks.push((i, None));
            }
        }
    }
    let is_mark = |i: usize| marks.binary_search_by_key(&i, |(m, _)| *m).is_ok();
    let mut statements = split::split_tokens(text, &tokens, is_mark)
        .into_iter()
        .peekable();

    let first_mark = marks.first().map_or(tokens.len(), |(m, _)| *m);
    while let Some(statement) = statements.next_if(|s| s.tokens.start < first_mark) {
        diagnostics.push(unannotated(file, &tokens, &statement, None));
    }

    let ctx = Context {
        file,
        tokens: &tokens,
        lines: LineIndex::new(text),
        is_mark: &is_mark,
    };
    let mut queries = Vec::new();
    let mut seen: HashMap<String, &Annotation> = HashMap::new();
    for (k, (mark, annotation)) in marks.iter().enumerate() {
        let next_mark = marks.get(k + 1).map_or(tokens.len(), |(m, _)| *m);
        let mut mine = Vec::new();
        while let Some(statement) = statements.next_if(|s| s.tokens.start < next_mark) {
            mine.push(statement);
        }
        for extra in mine.iter().skip(1) {
            diagnostics.push(unannotated(file, &tokens, extra, annotation.as_ref()));
        }
        let Some(annotation) = annotation else {
            continue;
        };
        // Exact repeats only: names that meet after case folding (`GetByMCPSlug`,
        // `GetByMcpSlug`) are told apart by the emitter's numbering.
        if let Some(first) = seen.get(&annotation.name) {
            diagnostics.push(duplicate(file, first, annotation));
            continue;
        }
        seen.insert(annotation.name.clone(), annotation);
        match mine.first() {
            Some(statement) => match ctx.query(*mark, annotation, statement) {
                Ok(query) => queries.push(query),
                Err(errors) => diagnostics.extend(errors),
            },
            None => diagnostics.push(
                Diagnostic::error(format!("query `{}` has no statement", annotation.name))
                    .at(file, annotation.name_span.clone())
                    .label("no SQL follows this annotation")
                    .help("write the query's SQL after the annotation, or remove the annotation"),
            ),
        }
    }
    (queries, diagnostics)
}

/// What building a query needs to know about the whole file.
struct Context<'a, F: Fn(usize) -> bool> {
    file: &'a SourceFile,
    tokens: &'a [Token],
    lines: LineIndex,
    is_mark: &'a F,
}

impl<F: Fn(usize) -> bool> Context<'_, F> {
    fn query(
        &self,
        mark: usize,
        annotation: &Annotation,
        statement: &Statement,
    ) -> Result<RawQuery, Vec<Diagnostic>> {
        let text = &*self.file.text;
        let code: Vec<Token> = self.tokens[statement.tokens.clone()]
            .iter()
            .filter(|t| !t.is_comment())
            .cloned()
            .collect();
        let rewritten = rewrite::rewrite(self.file, &code, statement.span.clone())?;
        let between = mark + 1..statement.tokens.start;
        let comments =
            doc::doc_comments(text, self.tokens, &self.lines, mark, between, self.is_mark);
        let (doc, cross_tenant) = directives(self.file, comments)?;
        Ok(RawQuery {
            name: annotation.name.clone(),
            name_span: annotation.name_span.clone(),
            command: annotation.command,
            doc,
            cross_tenant,
            line: self.lines.line(self.tokens[mark].span.start),
            span: statement.span.clone(),
            sql: rewritten.sql,
            params: rewritten.params,
            embeds: rewritten.embeds,
            row: None,
            offsets: rewritten.offsets,
        })
    }
}

/// A statement no annotation applies to: before the first annotation, or after the one
/// statement an annotation (`previous`) names.
fn unannotated(
    file: &SourceFile,
    tokens: &[Token],
    statement: &Statement,
    previous: Option<&Annotation>,
) -> Diagnostic {
    let text = &*file.text;
    let code = || {
        tokens[statement.tokens.clone()]
            .iter()
            .filter(|t| !t.is_comment())
    };
    let first = &tokens[statement.tokens.start];
    let reads = code().next().is_some_and(|t| {
        ["select", "with", "values", "table", "show"]
            .iter()
            .any(|w| t.is_word(text, w))
    }) || code().any(|t| t.is_word(text, "returning"));
    let command = if reads { ":many" } else { ":exec" };
    let diagnostic = Diagnostic::error("statement has no `-- name:` annotation")
        .at(file, first.span.clone())
        .label("this statement has no name")
        .help(format!(
            "add an annotation on the line above it, e.g. `-- name: QueryName {command}`"
        ));
    match previous {
        Some(annotation) => {
            let (line, _) = file.line_col(annotation.name_span.start);
            diagnostic.note(format!(
                "the annotation of `{}` at {}:{line} applies only to the statement right after it",
                annotation.name, file.name
            ))
        }
        None => diagnostic,
    }
}

fn duplicate(file: &SourceFile, first: &Annotation, second: &Annotation) -> Diagnostic {
    let (line, col) = file.line_col(first.name_span.start);
    Diagnostic::error(format!("query `{}` is defined twice", second.name))
        .at(file, second.name_span.clone())
        .label("second definition")
        .note(format!(
            "`{}` is first defined at {}:{line}:{col}",
            first.name, file.name
        ))
        .help("rename one of the queries")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<RawQuery>, Vec<String>) {
        let file = SourceFile::new("q.sql", text);
        let (queries, diagnostics) = parse_query_file(&file);
        let errors = diagnostics
            .iter()
            .map(|d| format!("{} {}", d.location().unwrap(), d.message))
            .collect();
        (queries, errors)
    }

    #[test]
    fn command_strings_round_trip() {
        for command in Command::ALL {
            assert!(command.as_str().starts_with(':'));
        }
        assert_eq!(Command::ExecRows.as_str(), ":execrows");
        let rows: Vec<_> = Command::ALL
            .into_iter()
            .filter(|c| c.returns_rows())
            .collect();
        assert_eq!(
            rows,
            [
                Command::One,
                Command::Opt,
                Command::Many,
                Command::BatchOne,
                Command::BatchMany
            ]
        );
    }

    #[test]
    fn reads_queries_in_order() {
        let text = "-- Gets one.\n-- name: GetUser :one\nSELECT * FROM users WHERE id = @id;\n\n\
                    -- name: ListUsers :many\nSELECT * FROM users LIMIT $1";
        let (queries, errors) = parse(text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(queries.len(), 2);
        let q = &queries[0];
        assert_eq!(
            (q.name.as_str(), q.command, q.line),
            ("GetUser", Command::One, 2)
        );
        assert_eq!(&text[q.name_span.clone()], "GetUser");
        assert_eq!(q.doc, ["Gets one."]);
        assert_eq!(&text[q.span.clone()], "SELECT * FROM users WHERE id = @id");
        assert_eq!(q.sql, "SELECT * FROM users WHERE id = $1");
        let q = &queries[1];
        assert_eq!((q.name.as_str(), q.line), ("ListUsers", 5));
        assert!(q.doc.is_empty());
        assert_eq!(q.params[0].name.as_deref(), Some("limit"));
    }

    #[test]
    fn statement_errors_point_at_the_statement() {
        let (queries, errors) =
            parse("SELECT 1;\n-- name: A :one\nSELECT 2;\nSELECT 3;\n-- name: B :one\n");
        assert_eq!(queries.len(), 1);
        assert_eq!(
            errors,
            [
                "q.sql:1:1 statement has no `-- name:` annotation",
                "q.sql:4:1 statement has no `-- name:` annotation",
                "q.sql:5:10 query `B` has no statement",
            ]
        );
    }

    #[test]
    fn duplicates_point_at_the_second() {
        let file = SourceFile::new(
            "q.sql",
            "-- name: GetUser :one\nSELECT 1;\n-- name: GetUser :one\nSELECT 2;",
        );
        let (queries, diagnostics) = parse_query_file(&file);
        assert_eq!(queries.len(), 1);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].location().as_deref(), Some("q.sql:3:10"));
        assert_eq!(
            diagnostics[0].notes,
            ["`GetUser` is first defined at q.sql:1:10"]
        );
    }

    #[test]
    fn invalid_annotations_still_separate_queries() {
        let (queries, errors) = parse("-- name: A :nope\nSELECT 1;\n-- name: B :one\nSELECT 2;");
        assert_eq!(errors, ["q.sql:1:12 unknown query command `:nope`"]);
        assert_eq!(queries.len(), 1);
        assert_eq!(queries[0].name, "B");
    }

    #[test]
    fn file_offsets_are_clamped_to_characters() {
        let text = "-- name: A :one\nSELECT 'é', @x";
        let (queries, _) = parse(text);
        let q = &queries[0];
        assert_eq!(q.sql, "SELECT 'é', $1");
        assert_eq!(
            q.file_offset(q.sql.find('$').unwrap()),
            text.find("@x").unwrap()
        );
        // Byte 9 is inside `é`: it is floored to the character's start.
        assert_eq!(q.file_offset(9), text.find('é').unwrap());
        assert_eq!(q.file_offset(1000), text.len());
    }
}
