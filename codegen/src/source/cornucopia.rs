//! The cornucopia / clorinde dialect of query files, read when a file's annotations are `--!`
//! lines (both tools share it; see their books, "Writing queries"):
//!
//! ```sql
//! --: Author(age?)
//!
//! -- Authors of a country (the comments above a query are its doc).
//! --! authors_from_country (country?) : Author
//! SELECT name, age FROM authors WHERE nationality = :country;
//! ```
//!
//! * `--! name [Params] [(param?, ...)] [: [Row] [(column?, ...)]]` names the statement after it.
//!   `param?` makes the parameter nullable (`Option`), like `sqlc.narg`. After the `:`, `Row`
//!   alone names a row type declared with `--:`; `Row(...)` and `(...)` declare one inline.
//! * `--: Row(column?, ...)` declares a row type that several queries of the file can name.
//! * Parameters are `:name` in the SQL (not in strings, quoted identifiers, dollar quotes or
//!   comments; `::type` is a cast); each name is one parameter, numbered by first use.
//! * `---` lines between the annotation and the SQL (clorinde) are doc lines too.
//!
//! The dialect has no command: cornucopia lets the caller pick one row, an optional row or all
//! of them. squill maps a statement that returns rows (`SELECT`, `WITH … SELECT`, `VALUES`,
//! `TABLE`, `SHOW`, `EXPLAIN`, or `INSERT`/`UPDATE`/`DELETE`/`MERGE` with a top-level
//! `RETURNING`), and any query that declares a row type, to `:many`; anything else to `:exec`.
//!
//! squill infers nullability, so the `?` lists only override it: `column?` makes the column
//! nullable whatever the inference says, and a column listed without `?` claims nothing (it
//! must still be one the query returns). A parameter struct's name (`--! q Params(...)`) is
//! read but unused: squill's functions take the parameters one by one. Element and field
//! nullability (`arr?[?]`, `compos?.field?`) is not supported.

use std::collections::HashMap;
use std::ops::Range;

use heck::ToSnakeCase;

use super::annotation::{self, Parsed, is_valid_name};
use super::lex::{Token, TokenKind, is_space};
use super::lines::LineIndex;
use super::params::{Occurrence, ParamRef, SentAs};
use super::split::{self, Statement};
use super::{Command, RawQuery, RowAnnotation, RowColumn, rewrite};
use crate::diagnostic::{Diagnostic, SourceFile, closest};

const QUERY_EXAMPLE: &str = "a query annotation is `--! query_name (nullable_param?) : RowType(nullable_column?)`; \
     everything after the name is optional";
const TYPE_EXAMPLE: &str = "a row type is declared as `--: RowType(nullable_column?, other?)`";

/// The two kinds of annotation lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarkKind {
    /// `--! name ...`
    Query,
    /// `--: Type(...)`
    Type,
}

fn mark_kind(text: &str, token: &Token) -> Option<MarkKind> {
    if token.kind != TokenKind::LineComment {
        return None;
    }
    let comment = token.text(text);
    if comment.starts_with("--!") {
        Some(MarkKind::Query)
    } else if comment.starts_with("--:") {
        Some(MarkKind::Type)
    } else {
        None
    }
}

/// Reads `file` in this dialect if its annotations are `--!` / `--:` lines; `None` for any other
/// file (sqlc's dialect). A file with annotations of both dialects is one error.
pub(super) fn parse_file(
    file: &SourceFile,
    tokens: &[Token],
) -> Option<(Vec<RawQuery>, Vec<Diagnostic>)> {
    let text = &*file.text;
    let marks: Vec<(usize, MarkKind)> = tokens
        .iter()
        .enumerate()
        .filter_map(|(i, t)| mark_kind(text, t).map(|kind| (i, kind)))
        .collect();
    let first_mark = *marks.first()?;
    let sqlc = tokens
        .iter()
        .filter(|t| t.is_comment())
        .find(|t| !matches!(annotation::parse(file, t), Parsed::Comment));
    if let Some(sqlc) = sqlc {
        return Some((Vec::new(), vec![mixed(file, &tokens[first_mark.0], sqlc)]));
    }
    Some(Reader::new(file, tokens, marks).read())
}

fn mixed(file: &SourceFile, cornucopia: &Token, sqlc: &Token) -> Diagnostic {
    // Point at whichever comes second: the first line of the other dialect is the surprise.
    let (at, other, other_kind) = if sqlc.span.start > cornucopia.span.start {
        (sqlc, cornucopia, "cornucopia annotation (`--!`/`--:`)")
    } else {
        (cornucopia, sqlc, "sqlc annotation (`-- name:`)")
    };
    let (line, col) = file.line_col(other.span.start);
    Diagnostic::error("this file mixes two annotation dialects")
        .at(file, at.span.clone())
        .label("an annotation in the other dialect")
        .note(format!(
            "the file's first {other_kind} is at {}:{line}:{col}",
            file.name
        ))
        .help(
            "write each file in one dialect: sqlc's `-- name: GetUser :one` with `@param`, or \
             cornucopia's `--! get_user` with `:param`",
        )
}

/// One name in a `(...)` list: `column`, `column?`.
#[derive(Debug, Clone)]
struct Item {
    name: String,
    span: Range<usize>,
    nullable: bool,
}

/// What follows a query's name or its `:`: `[Name] [(items)]`.
#[derive(Debug, Clone, Default)]
struct DataStruct {
    name: Option<(String, Range<usize>)>,
    items: Option<Vec<Item>>,
    span: Range<usize>,
}

#[derive(Debug)]
struct QueryAnnotation {
    name: String,
    name_span: Range<usize>,
    params: DataStruct,
    row: Option<DataStruct>,
}

/// A `--:` declaration; `items` is `None` when its list could not be read.
#[derive(Debug)]
struct TypeDecl {
    name: String,
    span: Range<usize>,
    items: Option<Vec<Item>>,
}

/// Reads one annotation line (the comment's bytes after `--!` / `--:`).
struct Line<'a> {
    file: &'a SourceFile,
    pos: usize,
    end: usize,
    errors: Vec<Diagnostic>,
}

/// Bytes that end a name in an annotation.
fn ends_word(b: u8) -> bool {
    is_space(b)
        || matches!(
            b,
            b'(' | b')' | b',' | b':' | b'?' | b'[' | b']' | b'.' | b'"'
        )
}

impl<'a> Line<'a> {
    fn new(file: &'a SourceFile, comment: &Token) -> Self {
        Self {
            file,
            pos: comment.span.start + 3,
            end: comment.span.end,
            errors: Vec::new(),
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.file.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        (self.pos < self.end).then(|| self.bytes()[self.pos])
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        let found = self.peek() == Some(b);
        if found {
            self.pos += 1;
        }
        found
    }

    /// A run of bytes up to a delimiter (possibly empty). Delimiters are ASCII, so the range
    /// falls on character boundaries.
    fn word(&mut self) -> Range<usize> {
        let start = self.pos;
        while self.peek().is_some_and(|b| !ends_word(b)) {
            self.pos += 1;
        }
        start..self.pos
    }

    fn text(&self, span: &Range<usize>) -> &'a str {
        &self.file.text[span.clone()]
    }

    /// The rest of the line, trimmed, if there is any.
    fn rest(&self) -> Option<Range<usize>> {
        let text = &self.file.text[self.pos..self.end];
        let trimmed = text.trim_end();
        let start = self.pos + (trimmed.len() - trimmed.trim_start().len());
        (start < self.pos + trimmed.len()).then(|| start..self.pos + trimmed.len())
    }

    fn error(&mut self, diagnostic: Diagnostic) {
        self.errors.push(diagnostic);
    }

    /// A query or type name, checked; `None` (with an error) if there is none or it is invalid.
    fn name(
        &mut self,
        what: &str,
        at: Range<usize>,
        example: &str,
    ) -> Option<(String, Range<usize>)> {
        let span = self.word();
        if span.is_empty() {
            let span = self.rest().map_or(at, |r| r.start..r.start + 1);
            let span = self.char_span(span);
            self.error(
                Diagnostic::error(format!("{what} has no name"))
                    .at(self.file, span)
                    .label("expected a name here")
                    .help(example.to_owned()),
            );
            return None;
        }
        let name = self.text(&span);
        if !is_valid_name(name) {
            self.error(
                Diagnostic::error(format!("`{name}` is not a valid name"))
                    .at(self.file, span)
                    .label("invalid name")
                    .help(
                        "a name starts with an ASCII letter or `_` and has only ASCII letters, \
                         digits and `_`",
                    ),
            );
            return None;
        }
        Some((name.to_owned(), span))
    }

    /// `span` widened to a whole character when it is one byte of a longer one.
    fn char_span(&self, span: Range<usize>) -> Range<usize> {
        let text = &*self.file.text;
        let mut end = span.end.min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        span.start..end
    }

    /// `[Name] [(items)]`, after a query's name or its `:`.
    fn data_struct(&mut self, what: &str) -> Option<DataStruct> {
        let start = self.pos;
        let name_span = self.word();
        let name = if name_span.is_empty() {
            None
        } else {
            let name = self.text(&name_span);
            if !is_valid_name(name) {
                self.error(
                    Diagnostic::error(format!("`{name}` is not a valid type name"))
                        .at(self.file, name_span)
                        .label("invalid name")
                        .help(QUERY_EXAMPLE),
                );
                return None;
            }
            Some((name.to_owned(), name_span))
        };
        self.skip_space();
        let items = if self.peek() == Some(b'(') {
            Some(self.items(what)?)
        } else {
            None
        };
        let end = if items.is_some() {
            self.pos
        } else {
            name.as_ref().map_or(start, |(_, s)| s.end)
        };
        Some(DataStruct {
            name,
            items,
            span: start..end,
        })
    }

    /// `( item, item?, ... )` at `(`; a trailing comma is allowed, as in cornucopia.
    fn items(&mut self, what: &str) -> Option<Vec<Item>> {
        let open = self.pos..self.pos + 1;
        self.pos += 1;
        let mut items: Vec<Item> = Vec::new();
        loop {
            self.skip_space();
            if self.eat(b')') {
                return Some(items);
            }
            let Some(item) = self.item(what, &open)? else {
                return Some(items);
            };
            if let Some(first) = items.iter().find(|i| i.name == item.name) {
                let (line, col) = self.file.line_col(first.span.start);
                self.error(
                    Diagnostic::error(format!("`{}` is listed twice", item.name))
                        .at(self.file, item.span.clone())
                        .label("listed again here")
                        .note(format!("first listed at {}:{line}:{col}", self.file.name))
                        .help("remove one of the two"),
                );
                return None;
            }
            items.push(item);
            self.skip_space();
            if self.eat(b',') {
                continue;
            }
            if self.eat(b')') {
                return Some(items);
            }
            self.unexpected_in_list(what, &open);
            return None;
        }
    }

    /// One `name` or `name?`; `Ok(None)` if the list ended (`)`) instead.
    fn item(&mut self, what: &str, open: &Range<usize>) -> Option<Option<Item>> {
        let (name, span) = if self.peek() == Some(b'"') {
            // clorinde's quoted names: `"weird name"?`.
            let start = self.pos;
            let close = self.file.text[start + 1..self.end].find('"');
            match close {
                Some(i) if i > 0 => {
                    self.pos = start + 1 + i + 1;
                    (
                        self.file.text[start + 1..start + 1 + i].to_owned(),
                        start..self.pos,
                    )
                }
                _ => {
                    self.unexpected_in_list(what, open);
                    return None;
                }
            }
        } else {
            let span = self.word();
            let name = self.text(&span);
            if span.is_empty() {
                if self.peek().is_none() {
                    self.unclosed(open);
                } else {
                    self.unexpected_in_list(what, open);
                }
                return None;
            }
            if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                self.error(
                    Diagnostic::error(format!("`{name}` is not a valid {what} name"))
                        .at(self.file, span)
                        .label("invalid name")
                        .help(format!(
                            "write a {what} name as it is spelled in the query (ASCII letters, \
                             digits and `_`), or quote it: `\"{name}\"?`"
                        )),
                );
                return None;
            }
            (name.to_owned(), span)
        };
        let nullable = self.eat(b'?');
        match self.peek() {
            Some(b'[') => {
                let start = self.pos;
                let end = self.file.text[start..self.end]
                    .find(']')
                    .map_or(self.end, |i| start + i + 1);
                self.error(
                    Diagnostic::error("nullable array elements (`[?]`) are not supported")
                        .at(self.file, start..end)
                        .label("element nullability")
                        .help(format!(
                            "squill decodes arrays as `Vec<T>`; remove `{}`, and cast or filter \
                             NULL elements out in the query if there can be any",
                            &self.file.text[start..end]
                        )),
                );
                return None;
            }
            Some(b'.') => {
                let start = self.pos;
                self.pos += 1;
                let field = self.word();
                self.error(
                    Diagnostic::error("nullable composite fields (`column.field?`) are not supported")
                        .at(self.file, start..field.end.max(start + 1))
                        .label("field nullability")
                        .help("list the column alone (`column?`); squill maps composites through type overrides"),
                );
                return None;
            }
            _ => {}
        }
        Some(Some(Item {
            name,
            span,
            nullable,
        }))
    }

    fn unclosed(&mut self, open: &Range<usize>) {
        self.error(
            Diagnostic::error("unclosed `(` in the annotation")
                .at(self.file, open.clone())
                .label("this `(` is never closed")
                .help("close the list with `)` on the same line"),
        );
    }

    fn unexpected_in_list(&mut self, what: &str, open: &Range<usize>) {
        match self.rest() {
            None => self.unclosed(open),
            Some(rest) => {
                let span = self.char_span(rest.start..rest.start + 1);
                let found = self.text(&span).to_owned();
                self.error(
                    Diagnostic::error(format!("unexpected `{found}` in a list of {what}s"))
                        .at(self.file, span)
                        .label(format!("expected a {what} name, `,` or `)`"))
                        .help(format!(
                            "list {what}s as `(name, other?)`: a name, then `?` if it is nullable"
                        )),
                );
            }
        }
    }

    /// An error for whatever is left on the line, if anything.
    fn finish(&mut self, what: &str, help: &str) {
        if let Some(rest) = self.rest() {
            let found = self.text(&rest).to_owned();
            self.error(
                Diagnostic::error(format!("unexpected `{found}` in the {what}"))
                    .at(self.file, rest)
                    .label("not part of the annotation")
                    .help(help.to_owned()),
            );
        }
    }
}

fn parse_query_annotation(
    file: &SourceFile,
    comment: &Token,
) -> Result<QueryAnnotation, Vec<Diagnostic>> {
    let mut line = Line::new(file, comment);
    line.skip_space();
    let marker = comment.span.start..comment.span.start + 3;
    let parsed = line
        .name("query annotation", marker, QUERY_EXAMPLE)
        .and_then(|(name, name_span)| {
            line.skip_space();
            let params = line.data_struct("parameter")?;
            line.skip_space();
            let row = if line.eat(b':') {
                let colon = line.pos - 1..line.pos;
                line.skip_space();
                let row = line.data_struct("column")?;
                if row.name.is_none() && row.items.is_none() {
                    let at = line
                        .rest()
                        .map_or(colon, |r| line.char_span(r.start..r.start + 1));
                    line.error(
                        Diagnostic::error("expected a row type after `:`")
                            .at(file, at)
                            .label("expected `RowType`, `RowType(column?)` or `(column?)`")
                            .help(QUERY_EXAMPLE),
                    );
                    return None;
                }
                Some(row)
            } else {
                None
            };
            line.finish("query annotation", QUERY_EXAMPLE);
            Some(QueryAnnotation {
                name,
                name_span,
                params,
                row,
            })
        });
    match parsed {
        Some(annotation) if line.errors.is_empty() => Ok(annotation),
        _ => Err(line.errors),
    }
}

/// A `--:` line. A declaration whose name was read is returned even when the rest has errors
/// (with `items: None`), so the queries naming it are not also told it does not exist.
fn parse_type_decl(file: &SourceFile, comment: &Token) -> (Option<TypeDecl>, Vec<Diagnostic>) {
    let mut line = Line::new(file, comment);
    line.skip_space();
    let marker = comment.span.start..comment.span.start + 3;
    let Some((name, span)) = line.name("row type declaration", marker, TYPE_EXAMPLE) else {
        return (None, line.errors);
    };
    line.skip_space();
    let items = if line.peek() == Some(b'(') {
        line.items("column")
    } else {
        Some(Vec::new())
    };
    line.skip_space();
    if items.is_some() && line.peek() == Some(b':') {
        // clorinde: `--: Author(age?) : Default, serde::Deserialize`.
        let colon = line.pos;
        line.pos = line.end;
        let derives = &file.text[colon + 1..line.end];
        let derives = derives.trim();
        line.errors.push(
            Diagnostic::warning(format!("squill ignores the derives of row type `{name}`"))
                .at(
                    file,
                    colon..colon + 1 + file.text[colon + 1..line.end].trim_end().len(),
                )
                .label("not generated")
                .note("squill's row structs derive Debug, Clone and PartialEq")
                .help(format!(
                    "implement {} for the row struct yourself, or remove the list",
                    if derives.is_empty() {
                        "the traits"
                    } else {
                        derives
                    }
                )),
        );
    }
    if items.is_some() {
        // Junk after a list that was read is an error, but the type is still usable.
        line.finish("row type declaration", TYPE_EXAMPLE);
    }
    let decl = TypeDecl { name, span, items };
    (Some(decl), line.errors)
}

/// Reads a whole file once its marks are known.
struct Reader<'a> {
    file: &'a SourceFile,
    tokens: &'a [Token],
    marks: Vec<(usize, MarkKind)>,
    lines: LineIndex,
    diagnostics: Vec<Diagnostic>,
    types: HashMap<String, TypeDecl>,
}

impl<'a> Reader<'a> {
    fn new(file: &'a SourceFile, tokens: &'a [Token], marks: Vec<(usize, MarkKind)>) -> Self {
        Self {
            file,
            tokens,
            marks,
            lines: LineIndex::new(&file.text),
            diagnostics: Vec::new(),
            types: HashMap::new(),
        }
    }

    fn is_mark(&self, i: usize) -> bool {
        self.marks.binary_search_by_key(&i, |(m, _)| *m).is_ok()
    }

    fn read(mut self) -> (Vec<RawQuery>, Vec<Diagnostic>) {
        let text = &*self.file.text;
        // Row types first: a query may name one declared further down, as in cornucopia.
        for &(mark, kind) in &self.marks {
            if kind != MarkKind::Type {
                continue;
            }
            let (decl, errors) = parse_type_decl(self.file, &self.tokens[mark]);
            self.diagnostics.extend(errors);
            let Some(decl) = decl else { continue };
            if let Some(first) = self.types.get(&decl.name) {
                let (line, col) = self.file.line_col(first.span.start);
                self.diagnostics.push(
                    Diagnostic::error(format!("row type `{}` is declared twice", decl.name))
                        .at(self.file, decl.span.clone())
                        .label("second declaration")
                        .note(format!(
                            "`{}` is first declared at {}:{line}:{col}",
                            decl.name, self.file.name
                        ))
                        .help("remove one declaration, or rename one of the types"),
                );
                continue;
            }
            self.types.insert(decl.name.clone(), decl);
        }

        let tokens = self.tokens;
        let statements = split::split_tokens(text, tokens, |i| self.is_mark(i));
        let mut statements = statements.into_iter().peekable();
        let first_mark = self.marks[0].0;
        while let Some(statement) = statements.next_if(|s| s.tokens.start < first_mark) {
            let d = self.unannotated(&statement, None);
            self.diagnostics.push(d);
        }
        let mut queries = Vec::new();
        let mut seen: HashMap<String, (String, Range<usize>)> = HashMap::new();
        for k in 0..self.marks.len() {
            let (mark, kind) = self.marks[k];
            let next_mark = self.marks.get(k + 1).map_or(tokens.len(), |(m, _)| *m);
            let mut mine = Vec::new();
            while let Some(statement) = statements.next_if(|s| s.tokens.start < next_mark) {
                mine.push(statement);
            }
            if kind == MarkKind::Type {
                for statement in &mine {
                    let d = self.unannotated(statement, Some((kind, mark)));
                    self.diagnostics.push(d);
                }
                continue;
            }
            for extra in mine.iter().skip(1) {
                let d = self.unannotated(extra, Some((kind, mark)));
                self.diagnostics.push(d);
            }
            let annotation = match parse_query_annotation(self.file, &tokens[mark]) {
                Ok(annotation) => annotation,
                Err(errors) => {
                    self.diagnostics.extend(errors);
                    continue;
                }
            };
            let key = annotation.name.to_snake_case();
            if let Some((first, first_span)) = seen.get(&key) {
                let d = self.duplicate(first, first_span, &annotation);
                self.diagnostics.push(d);
                continue;
            }
            seen.insert(key, (annotation.name.clone(), annotation.name_span.clone()));
            let Some(statement) = mine.first() else {
                self.diagnostics.push(
                    Diagnostic::error(format!("query `{}` has no statement", annotation.name))
                        .at(self.file, annotation.name_span.clone())
                        .label("no SQL follows this annotation")
                        .help(
                            "write the query's SQL after the annotation, or remove the annotation",
                        ),
                );
                continue;
            };
            match self.query(mark, &annotation, statement) {
                Ok(query) => queries.push(query),
                Err(errors) => self.diagnostics.extend(errors),
            }
        }
        (queries, self.diagnostics)
    }

    fn query(
        &self,
        mark: usize,
        annotation: &QueryAnnotation,
        statement: &Statement,
    ) -> Result<RawQuery, Vec<Diagnostic>> {
        let file = self.file;
        let text = &*file.text;
        let code: Vec<Token> = self.tokens[statement.tokens.clone()]
            .iter()
            .filter(|t| !t.is_comment())
            .cloned()
            .collect();
        let mut errors = Vec::new();
        // Resolve the annotation's types before the SQL, to report both kinds of problem.
        let param_items = self.resolve(&annotation.params, "parameter", &mut errors);
        let row = annotation.row.as_ref().and_then(|row| {
            let items = self.resolve(row, "row", &mut errors)?;
            Some(RowAnnotation {
                name: row.name.as_ref().map(|(n, _)| n.clone()),
                span: row.span.clone(),
                columns: items
                    .into_iter()
                    .map(|i| RowColumn {
                        name: i.name,
                        span: i.span,
                        nullable: i.nullable,
                    })
                    .collect(),
            })
        });
        let occurrences = match find_params(file, &code) {
            Ok(found) => found,
            Err(e) => {
                errors.extend(e);
                return Err(errors);
            }
        };
        let rewritten =
            match rewrite::rewrite_found(file, &code, statement.span.clone(), &occurrences) {
                Ok(r) => r,
                Err(e) => {
                    errors.extend(e);
                    return Err(errors);
                }
            };
        let mut params = rewritten.params;
        for item in param_items.iter().flatten() {
            match params
                .iter_mut()
                .find(|p| p.name.as_deref() == Some(item.name.as_str()))
            {
                Some(slot) => slot.nullable |= item.nullable,
                None => errors.push(unknown_param(file, &annotation.name, item, &params)),
            }
        }
        // `resolve` reports why whenever it gives nothing.
        if !errors.is_empty() {
            return Err(errors);
        }
        let command = if row.is_some() || returns_rows(text, &code) {
            Command::Many
        } else {
            Command::Exec
        };
        let between = mark + 1..statement.tokens.start;
        Ok(RawQuery {
            name: annotation.name.clone(),
            name_span: annotation.name_span.clone(),
            command,
            doc: self.doc_lines(mark, between),
            line: self.lines.line(self.tokens[mark].span.start),
            span: statement.span.clone(),
            sql: rewritten.sql,
            params,
            embeds: rewritten.embeds,
            row,
            // The tenant directive is sqlc-dialect only.
            cross_tenant: None,
            offsets: rewritten.offsets,
        })
    }

    /// The items a query's parameter or row part stands for: inline, or a declared type's.
    fn resolve(
        &self,
        data: &DataStruct,
        what: &str,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<Vec<Item>> {
        let file = self.file;
        match (&data.name, &data.items) {
            (None, None) => Some(Vec::new()),
            (None, Some(items)) => Some(items.clone()),
            (Some((name, span)), Some(items)) => {
                if let Some(decl) = self.types.get(name) {
                    let (line, col) = file.line_col(decl.span.start);
                    errors.push(
                        Diagnostic::error(format!(
                            "the inline {what} type `{name}` is already declared"
                        ))
                        .at(file, span.clone())
                        .label("declared again inline")
                        .note(format!(
                            "`{name}` is declared with `--:` at {}:{line}:{col}",
                            file.name
                        ))
                        .help(format!(
                            "write `{name}` without a list to use the declared type, or give \
                                 the inline type another name"
                        )),
                    );
                    return None;
                }
                Some(items.clone())
            }
            (Some((name, span)), None) => match self.types.get(name) {
                Some(TypeDecl {
                    items: Some(items), ..
                }) => Some(items.clone()),
                Some(decl) => {
                    let (line, col) = file.line_col(decl.span.start);
                    errors.push(
                        Diagnostic::error(format!("row type `{name}` could not be read"))
                            .at(file, span.clone())
                            .label("its declaration has errors")
                            .note(format!(
                                "`{name}` is declared at {}:{line}:{col}",
                                file.name
                            ))
                            .help("fix the declaration (see the error reported there)"),
                    );
                    None
                }
                None => {
                    let mut error =
                        Diagnostic::error(format!("{what} type `{name}` is not declared"))
                            .at(file, span.clone())
                            .label("no `--:` declaration in this file");
                    error = match closest(name, self.types.keys().map(String::as_str)) {
                        Some(near) => error.help(format!("did you mean `{near}`?")),
                        None => error.help(format!(
                            "declare it in this file (`--: {name}(nullable_column?)`), or write \
                             it inline with its list: `{name}()`"
                        )),
                    };
                    errors.push(error);
                    None
                }
            },
        }
    }

    /// A statement no `--!` line applies to: before the first annotation, after a `--:` line,
    /// or after the one statement a query annotation names.
    fn unannotated(
        &self,
        statement: &Statement,
        previous: Option<(MarkKind, usize)>,
    ) -> Diagnostic {
        let file = self.file;
        let first = &self.tokens[statement.tokens.start];
        let diagnostic = Diagnostic::error("statement has no `--!` annotation")
            .at(file, first.span.clone())
            .label("this statement has no name")
            .help("add a query annotation on the line above it, e.g. `--! query_name`");
        match previous {
            Some((MarkKind::Query, mark)) => {
                let (line, _) = file.line_col(self.tokens[mark].span.start);
                diagnostic.note(format!(
                    "the annotation at {}:{line} applies only to the statement right after it",
                    file.name
                ))
            }
            Some((MarkKind::Type, mark)) => {
                let (line, _) = file.line_col(self.tokens[mark].span.start);
                diagnostic.note(format!(
                    "the `--:` line at {}:{line} declares a row type, not a query",
                    file.name
                ))
            }
            None => diagnostic,
        }
    }

    fn duplicate(
        &self,
        first: &str,
        first_span: &Range<usize>,
        second: &QueryAnnotation,
    ) -> Diagnostic {
        let file = self.file;
        let (line, col) = file.line_col(first_span.start);
        let message = if first == second.name {
            format!("query `{}` is defined twice", second.name)
        } else {
            format!(
                "query `{}` clashes with `{first}`: both are `{}` in Rust",
                second.name,
                second.name.to_snake_case()
            )
        };
        Diagnostic::error(message)
            .at(file, second.name_span.clone())
            .label("second definition")
            .note(format!(
                "`{first}` is first defined at {}:{line}:{col}",
                file.name
            ))
            .help("rename one of the queries")
    }

    /// The doc of the query at `mark`: the comment lines directly above it (up to a blank line,
    /// code or another annotation), then those between it and its statement (`--` or
    /// clorinde's `---`, stripped with one space). Empty lines at either end are dropped.
    fn doc_lines(&self, mark: usize, between: Range<usize>) -> Vec<String> {
        let text = &*self.file.text;
        let tokens = self.tokens;
        let own_line_comment = |i: usize| {
            let token = &tokens[i];
            token.kind == TokenKind::LineComment
                && !self.is_mark(i)
                && text.as_bytes()[self.lines.line_start(token.span.start)..token.span.start]
                    .iter()
                    .all(|&b| is_space(b))
        };
        let mut above = Vec::new();
        let mut line = self.lines.line(tokens[mark].span.start);
        for i in (0..mark).rev() {
            if !own_line_comment(i) || self.lines.line(tokens[i].span.start) + 1 != line {
                break;
            }
            line -= 1;
            above.push(i);
        }
        above.reverse();
        let mut doc: Vec<String> = above
            .into_iter()
            .chain(between.filter(|&i| own_line_comment(i)))
            .map(|i| {
                let comment = tokens[i].text(text);
                let body = comment
                    .strip_prefix("---")
                    .or_else(|| comment.strip_prefix("--"))
                    .unwrap_or(comment);
                body.strip_prefix(' ').unwrap_or(body).trim_end().to_owned()
            })
            .collect();
        while doc.last().is_some_and(String::is_empty) {
            doc.pop();
        }
        let leading = doc.iter().take_while(|l| l.is_empty()).count();
        doc.drain(..leading);
        doc
    }
}

fn unknown_param(
    file: &SourceFile,
    query: &str,
    item: &Item,
    params: &[super::ParamSlot],
) -> Diagnostic {
    let names: Vec<&str> = params.iter().filter_map(|p| p.name.as_deref()).collect();
    let error = Diagnostic::error(format!("query `{query}` has no parameter `:{}`", item.name))
        .at(file, item.span.clone())
        .label("not a parameter of this query");
    if let Some(near) = closest(&item.name, names.iter().copied()) {
        error.help(format!("did you mean `{near}`?"))
    } else if names.is_empty() {
        error.help("the query has no parameters: remove the list")
    } else {
        error.help(format!(
            "its parameters are {}",
            names
                .iter()
                .map(|n| format!("`:{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// Every `:name` parameter of a statement (comments left out). `$n` is an error: cornucopia
/// queries use named parameters only.
fn find_params(file: &SourceFile, tokens: &[Token]) -> Result<Vec<Occurrence>, Vec<Diagnostic>> {
    let text = &*file.text;
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if token.kind == TokenKind::Param {
            errors.push(
                Diagnostic::error(format!(
                    "positional parameter `{}` in a cornucopia query",
                    token.text(text)
                ))
                .at(file, token.span.clone())
                .label("cornucopia queries name their parameters")
                .help("write a named parameter instead, e.g. `:id`"),
            );
            continue;
        }
        if !token.is_punct(text, ":") {
            continue;
        }
        let Some(ident) = tokens
            .get(i + 1)
            .filter(|t| t.kind == TokenKind::Ident && t.span.start == token.span.end)
        else {
            continue;
        };
        let name = ident.text(text);
        let span = token.span.start..ident.span.end;
        if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            errors.push(
                Diagnostic::error(format!("`:{name}` is not a valid parameter name"))
                    .at(file, span)
                    .label("invalid parameter name")
                    .help("a parameter name has only ASCII letters, digits and `_`"),
            );
            continue;
        }
        found.push(Occurrence {
            param: ParamRef::Named {
                name: name.to_owned(),
                nullable: false,
            },
            span,
            token: i,
            sent_as: SentAs::Param,
        });
    }
    if errors.is_empty() {
        Ok(found)
    } else {
        Err(errors)
    }
}

/// Whether a statement (its tokens, comments left out) returns rows: its main statement (after
/// a `WITH` list) is `SELECT`, `VALUES`, `TABLE`, `SHOW` or `EXPLAIN`, or a data-modifying one
/// with `RETURNING` at the top level (not in a CTE or subquery).
fn returns_rows(text: &str, tokens: &[Token]) -> bool {
    const READS: [&str; 5] = ["select", "values", "table", "show", "explain"];
    const WRITES: [&str; 4] = ["insert", "update", "delete", "merge"];
    let Some(first) = tokens.first() else {
        return false;
    };
    if first.is_punct(text, "(") {
        // `(SELECT ...) UNION ...`
        return true;
    }
    let is_any = |t: &Token, words: &[&str]| words.iter().any(|w| t.is_word(text, w));
    let mut depth = 0usize;
    let mut main: Option<&Token> = (!first.is_word(text, "with")).then_some(first);
    let mut returning = false;
    for token in tokens {
        if token.is_punct(text, "(") {
            depth += 1;
        } else if token.is_punct(text, ")") {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && token.kind == TokenKind::Ident {
            if main.is_none() && (is_any(token, &READS) || is_any(token, &WRITES)) {
                main = Some(token);
            } else if token.is_word(text, "returning") {
                returning = true;
            }
        }
    }
    main.is_some_and(|m| is_any(m, &READS) || (is_any(m, &WRITES) && returning))
}

/// The indices of `names` (a query's columns, in order) that its row annotation makes nullable;
/// an error if the annotation names a column the query does not return, or declares a row
/// for a statement that returns none.
pub(super) fn nullable_columns(
    raw: &RawQuery,
    file: &SourceFile,
    names: &[&str],
) -> Result<Vec<usize>, Diagnostic> {
    let Some(row) = &raw.row else {
        return Ok(Vec::new());
    };
    if names.is_empty() {
        let what = row
            .name
            .as_ref()
            .map_or_else(|| "columns".to_owned(), |n| format!("row type `{n}`"));
        return Err(Diagnostic::error(format!(
            "query `{}` declares {what} but returns no rows",
            raw.name
        ))
        .at(file, row.span.clone())
        .label("row declared here")
        .help("remove the row part of the annotation (`: ...`), or add a RETURNING clause"));
    }
    let mut nullable = Vec::new();
    for column in &row.columns {
        let hits: Vec<usize> = (0..names.len())
            .filter(|&i| names[i] == column.name)
            .collect();
        if hits.is_empty() {
            let mut error = Diagnostic::error(format!(
                "query `{}` returns no column `{}`",
                raw.name, column.name
            ))
            .at(file, column.span.clone())
            .label("not a column of this query");
            if let Some(type_name) = &row.name {
                let (line, _) = file.line_col(raw.name_span.start);
                error = error.note(format!(
                    "`{type_name}` is the row type of query `{}` ({}:{line})",
                    raw.name, file.name
                ));
            }
            let error = match closest(&column.name, names.iter().copied()) {
                Some(near) => error.help(format!("did you mean `{near}`?")),
                None => error.help(format!("its columns are {}", names.join(", "))),
            };
            return Err(error);
        }
        if column.nullable {
            nullable.extend(hits);
        }
    }
    nullable.sort_unstable();
    nullable.dedup();
    Ok(nullable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::parse_query_file;

    fn parse(text: &str) -> (Vec<RawQuery>, Vec<Diagnostic>) {
        parse_query_file(&SourceFile::new("q.sql", text))
    }

    fn ok(text: &str) -> Vec<RawQuery> {
        let (queries, diagnostics) = parse(text);
        let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{text}\n{errors:#?}");
        queries
    }

    /// `location message` of every diagnostic.
    fn errors(text: &str) -> Vec<String> {
        parse(text)
            .1
            .iter()
            .map(|d| format!("{} {}", d.location().unwrap_or_default(), d.message))
            .collect()
    }

    fn nullable_params(q: &RawQuery) -> Vec<(&str, bool)> {
        q.params
            .iter()
            .map(|p| (p.name.as_deref().unwrap_or(""), p.nullable))
            .collect()
    }

    fn row(q: &RawQuery) -> (Option<&str>, Vec<(&str, bool)>) {
        let row = q.row.as_ref().expect("a row annotation");
        (
            row.name.as_deref(),
            row.columns
                .iter()
                .map(|c| (c.name.as_str(), c.nullable))
                .collect(),
        )
    }

    #[test]
    fn bare_name_and_named_parameters() {
        let text = "--! authors_from_country\nSELECT id, name FROM authors\nWHERE nationality = :country AND :country <> '' AND x = ':no' AND y::text = $$:no$$ -- :no\n;";
        let q = &ok(text)[0];
        assert_eq!(q.name, "authors_from_country");
        assert_eq!(&text[q.name_span.clone()], "authors_from_country");
        assert_eq!((q.command, q.line), (Command::Many, 1));
        assert!(q.row.is_none());
        assert_eq!(
            q.sql,
            "SELECT id, name FROM authors\nWHERE nationality = $1 AND $1 <> '' AND x = ':no' AND y::text = $$:no$$"
        );
        assert_eq!(nullable_params(q), [("country", false)]);
        assert_eq!(q.params[0].spans.len(), 2);
        assert_eq!(
            q.file_offset(q.sql.find("$1").unwrap()),
            text.find(":country").unwrap()
        );
    }

    #[test]
    fn parameters_are_numbered_by_first_use_and_casts_are_not_parameters() {
        let q = &ok("--! f\nSELECT :b::int, :a, :b, \"x:y\", E'\\':c', arr[1:2] FROM t;")[0];
        assert_eq!(
            q.sql,
            "SELECT $1::int, $2, $1, \"x:y\", E'\\':c', arr[1:2] FROM t"
        );
        assert_eq!(nullable_params(q), [("b", false), ("a", false)]);
    }

    #[test]
    fn nullable_parameters_and_every_row_form() {
        let text = "--: Author(age?, name)\n\n\
                    --! a (country?) : Author\nSELECT name, age FROM authors WHERE nationality = :country;\n\
                    --! b(country?, id) : Inline(age?)\nSELECT name, age FROM authors WHERE nationality = :country AND id = :id;\n\
                    --! c : Empty()\nSELECT name FROM authors;\n\
                    --! d :(age?,)\nSELECT age FROM authors;\n\
                    --! e Params(id?)\nDELETE FROM authors WHERE id = :id;\n";
        let queries = ok(text);
        let [a, b, c, d, e] = queries.as_slice() else {
            panic!("{queries:#?}")
        };
        assert_eq!(nullable_params(a), [("country", true)]);
        assert_eq!(
            row(a),
            (Some("Author"), vec![("age", true), ("name", false)])
        );
        assert_eq!(nullable_params(b), [("country", true), ("id", false)]);
        assert_eq!(row(b), (Some("Inline"), vec![("age", true)]));
        assert_eq!(row(c), (Some("Empty"), vec![]));
        assert_eq!(row(d), (None, vec![("age", true)]));
        assert_eq!(&text[d.row.as_ref().unwrap().span.clone()], "(age?,)");
        assert_eq!(nullable_params(e), [("id", true)]);
        assert!(e.row.is_none());
        assert_eq!(e.command, Command::Exec);
        // The declared type's columns point into the `--:` line.
        let age = &a.row.as_ref().unwrap().columns[0];
        assert_eq!(&text[age.span.clone()], "age");
        assert!(age.span.end < text.find("--!").unwrap());
    }

    #[test]
    fn commands_follow_what_the_statement_returns() {
        let cases = [
            ("SELECT 1", Command::Many),
            ("select 1", Command::Many),
            ("VALUES (1)", Command::Many),
            ("TABLE t", Command::Many),
            ("(SELECT 1) UNION (SELECT 2)", Command::Many),
            ("WITH a AS (SELECT 1) SELECT * FROM a", Command::Many),
            (
                "WITH RECURSIVE a(n) AS (SELECT 1) SELECT * FROM a",
                Command::Many,
            ),
            ("INSERT INTO t VALUES (1) RETURNING id", Command::Many),
            ("UPDATE t SET a = 1 RETURNING *", Command::Many),
            ("DELETE FROM t RETURNING id", Command::Many),
            ("INSERT INTO t VALUES (1)", Command::Exec),
            ("INSERT INTO t SELECT * FROM u", Command::Exec),
            ("UPDATE t SET a = 1", Command::Exec),
            (
                "WITH d AS (DELETE FROM t RETURNING id) DELETE FROM u WHERE id IN (SELECT id FROM d)",
                Command::Exec,
            ),
            (
                "WITH d AS (DELETE FROM t RETURNING id) SELECT * FROM d",
                Command::Many,
            ),
            (
                "WITH d AS (SELECT 1) UPDATE t SET a = 1 RETURNING a",
                Command::Many,
            ),
            ("CREATE TABLE x AS SELECT 1", Command::Exec),
            ("CALL p()", Command::Exec),
        ];
        for (sql, command) in cases {
            let q = &ok(&format!("--! q\n{sql};"))[0];
            assert_eq!(q.command, command, "{sql}");
        }
        // A declared row makes a query return rows whatever the statement looks like.
        assert_eq!(ok("--! q : R()\nCALL p();")[0].command, Command::Many);
    }

    #[test]
    fn docs_come_from_comments_above_and_clorinde_triple_dashes() {
        let text = "-- Header.\n\n--\n-- Finds authors.\n--   (by country)\n--\n--! a\n--- From clorinde.\nSELECT 1;\n\n--! b\nSELECT 2;";
        let queries = ok(text);
        assert_eq!(
            queries[0].doc,
            ["Finds authors.", "  (by country)", "", "From clorinde."]
        );
        assert!(queries[1].doc.is_empty());
    }

    #[test]
    fn types_may_be_declared_after_use_and_spaces_are_lenient() {
        let queries =
            ok("--!   q   (  p?  )   :   Later\nSELECT a FROM t WHERE b = :p;\n--:Later( a? , )\n");
        assert_eq!(nullable_params(&queries[0]), [("p", true)]);
        assert_eq!(row(&queries[0]), (Some("Later"), vec![("a", true)]));
    }

    #[test]
    fn quoted_column_names_from_clorinde() {
        let q = &ok("--! q : R(\"Weird Name\"?)\nSELECT 1 AS \"Weird Name\";")[0];
        assert_eq!(row(q), (Some("R"), vec![("Weird Name", true)]));
    }

    #[test]
    fn derives_are_a_warning() {
        let (queries, diagnostics) = parse(
            "--: Author(age?) : Default, serde::Deserialize\n--! a : Author\nSELECT 1 AS age;",
        );
        assert_eq!(queries.len(), 1);
        assert_eq!(diagnostics.len(), 1);
        assert!(!diagnostics[0].is_error());
        assert_eq!(diagnostics[0].location().as_deref(), Some("q.sql:1:18"));
        assert_eq!(
            diagnostics[0].message,
            "squill ignores the derives of row type `Author`"
        );
    }

    #[test]
    fn malformed_annotations_point_at_the_problem() {
        let cases: &[(&str, &str)] = &[
            ("--!\nSELECT 1;", "q.sql:1:1 query annotation has no name"),
            (
                "--! (a?)\nSELECT :a;",
                "q.sql:1:5 query annotation has no name",
            ),
            (
                "--! 1abc\nSELECT 1;",
                "q.sql:1:5 `1abc` is not a valid name",
            ),
            (
                "--! q (a?\nSELECT :a;",
                "q.sql:1:7 unclosed `(` in the annotation",
            ),
            (
                "--! q (a b)\nSELECT :a;",
                "q.sql:1:10 unexpected `b` in a list of parameters",
            ),
            (
                "--! q (a,,b)\nSELECT :a;",
                "q.sql:1:10 unexpected `,` in a list of parameters",
            ),
            (
                "--! q (a-b)\nSELECT :a;",
                "q.sql:1:8 `a-b` is not a valid parameter name",
            ),
            (
                "--! q :\nSELECT 1;",
                "q.sql:1:7 expected a row type after `:`",
            ),
            (
                "--! q : R() extra\nSELECT 1;",
                "q.sql:1:13 unexpected `extra` in the query annotation",
            ),
            (
                "--! q : R(a[?])\nSELECT 1;",
                "q.sql:1:12 nullable array elements (`[?]`) are not supported",
            ),
            (
                "--! q : R(c?.f?)\nSELECT 1;",
                "q.sql:1:13 nullable composite fields (`column.field?`) are not supported",
            ),
            (
                "--! q : R(a?, a)\nSELECT 1;",
                "q.sql:1:15 `a` is listed twice",
            ),
            (
                "--! q : 9R\nSELECT 1;",
                "q.sql:1:9 `9R` is not a valid type name",
            ),
            (
                "--: \n--! q\nSELECT 1;",
                "q.sql:1:1 row type declaration has no name",
            ),
            (
                "--: R(a?) junk\n--! q : R\nSELECT 1 AS a;",
                "q.sql:1:11 unexpected `junk` in the row type declaration",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(errors(text), [*expected], "{text}");
        }
    }

    #[test]
    fn a_broken_declaration_is_reported_once_and_poisons_its_users() {
        assert_eq!(
            errors("--: R(a?\n--! q : R\nSELECT 1 AS a;"),
            [
                "q.sql:1:6 unclosed `(` in the annotation",
                "q.sql:2:9 row type `R` could not be read"
            ]
        );
    }

    #[test]
    fn type_and_name_errors() {
        assert_eq!(
            errors("--: Author(age?)\n--! a : Autor\nSELECT 1;"),
            ["q.sql:2:9 row type `Autor` is not declared"]
        );
        assert_eq!(
            errors("--: R(a?)\n--: R()\n--! q : R\nSELECT 1 AS a;"),
            ["q.sql:2:5 row type `R` is declared twice"]
        );
        assert_eq!(
            errors("--: R(a?)\n--! q : R(a)\nSELECT 1 AS a;"),
            ["q.sql:2:9 the inline row type `R` is already declared"]
        );
        assert_eq!(
            errors("--! q (nope?)\nSELECT :id;"),
            ["q.sql:1:8 query `q` has no parameter `:nope`"]
        );
        assert_eq!(
            errors("--! q\nSELECT 1;\n--! Q\nSELECT 2;\n--! q\nSELECT 3;"),
            [
                "q.sql:3:5 query `Q` clashes with `q`: both are `q` in Rust",
                "q.sql:5:5 query `q` is defined twice"
            ]
        );
        assert_eq!(
            errors("--! q\nSELECT * FROM t WHERE id = $1;"),
            ["q.sql:2:28 positional parameter `$1` in a cornucopia query"]
        );
        let d = &parse("--! q (nope?)\nSELECT :id;").1[0];
        assert_eq!(d.help.as_deref(), Some("its parameters are `:id`"));
    }

    #[test]
    fn statements_without_a_query_annotation() {
        assert_eq!(
            errors("SELECT 0;\n--: R()\nSELECT 1;\n--! q\nSELECT 2;\nSELECT 3;\n--! empty\n"),
            [
                "q.sql:1:1 statement has no `--!` annotation",
                "q.sql:3:1 statement has no `--!` annotation",
                "q.sql:6:1 statement has no `--!` annotation",
                "q.sql:7:5 query `empty` has no statement"
            ]
        );
    }

    #[test]
    fn mixing_dialects_is_an_error_at_the_second_one() {
        let e = errors("--! a\nSELECT 1;\n-- name: B :one\nSELECT 2;");
        assert_eq!(e, ["q.sql:3:1 this file mixes two annotation dialects"]);
        let (queries, d) = parse("-- name: B :one\nSELECT 2;\n--: R()\n");
        assert!(queries.is_empty());
        assert_eq!(d[0].location().as_deref(), Some("q.sql:3:1"));
        assert_eq!(
            d[0].notes,
            ["the file's first sqlc annotation (`-- name:`) is at q.sql:1:1"]
        );
    }

    #[test]
    fn sqlc_files_are_untouched() {
        let (queries, d) = parse("-- name: A :one\nSELECT :x::int, @y::int;");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(queries[0].sql, "SELECT :x::int, $1::int");
        assert!(queries[0].row.is_none());
    }

    #[test]
    fn row_overrides_apply_to_analyzed_columns() {
        let file = SourceFile::new(
            "q.sql",
            "--: R(b?, a)\n--! q : R\nSELECT 1 AS a, 2 AS b, 3 AS b;\n--! w : W()\nDELETE FROM t;\n--! bad : (zz?)\nSELECT 1 AS a;",
        );
        let (queries, d) = parse_query_file(&file);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            nullable_columns(&queries[0], &file, &["a", "b", "b"]).unwrap(),
            [1, 2]
        );
        let e = nullable_columns(&queries[0], &file, &["a", "c"]).unwrap_err();
        assert_eq!(
            (e.location().unwrap().as_str(), e.message.as_str()),
            ("q.sql:1:7", "query `q` returns no column `b`")
        );
        assert_eq!(e.notes, ["`R` is the row type of query `q` (q.sql:2)"]);
        let e = nullable_columns(&queries[1], &file, &[]).unwrap_err();
        assert_eq!(
            (e.location().unwrap().as_str(), e.message.as_str()),
            (
                "q.sql:4:9",
                "query `w` declares row type `W` but returns no rows"
            )
        );
        let e = nullable_columns(&queries[2], &file, &["a"]).unwrap_err();
        assert_eq!(e.location().as_deref(), Some("q.sql:6:12"));
        assert_eq!(e.help.as_deref(), Some("its columns are a"));
    }
}
