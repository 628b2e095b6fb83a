//! Query annotations: `-- name: GetUser :one` (or `/* name: GetUser :one */`).

use std::ops::Range;

use super::Command;
use super::lex::{Token, TokenKind, is_space};
use crate::diagnostic::{Diagnostic, SourceFile, closest};

/// A well-formed annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Annotation {
    pub name: String,
    pub name_span: Range<usize>,
    pub command: Command,
}

#[derive(Debug)]
pub(crate) enum Parsed {
    /// An ordinary comment.
    Comment,
    Annotation(Annotation),
    /// Meant as an annotation (`-- name:`) but malformed: still ends the query before it.
    Invalid(Vec<Diagnostic>),
}

/// Reads `comment` as an annotation. Lenient on spacing and on the case of `name`
/// (`--name:X :one`, `-- Name : X :one`), strict on the rest.
pub(crate) fn parse(file: &SourceFile, comment: &Token) -> Parsed {
    let text = &*file.text;
    let Token { kind, span, .. } = comment;
    let (mut pos, end) = match kind {
        TokenKind::LineComment => (span.start + 2, span.end),
        TokenKind::BlockComment if span.len() >= 4 && text[span.clone()].ends_with("*/") => {
            (span.start + 2, span.end - 2)
        }
        TokenKind::BlockComment => (span.start + 2, span.end),
        _ => return Parsed::Comment,
    };
    let b = text.as_bytes();
    // `---- name:` is still an annotation.
    while pos < end && (b[pos] == b'-' || is_space(b[pos])) {
        pos += 1;
    }
    if end - pos < 4 || !b[pos..pos + 4].eq_ignore_ascii_case(b"name") {
        return Parsed::Comment;
    }
    let keyword_start = pos;
    pos += 4;
    while pos < end && is_space(b[pos]) {
        pos += 1;
    }
    if b.get(pos) != Some(&b':') || pos >= end {
        return Parsed::Comment;
    }
    let keyword = keyword_start..pos + 1;
    let words = words(b, pos + 1..end);
    match read_words(file, keyword, &words) {
        Ok(annotation) => Parsed::Annotation(annotation),
        Err(diagnostics) => Parsed::Invalid(diagnostics),
    }
}

/// Whitespace-separated words of `b[range]`, as byte ranges (cut at ASCII bytes only, so on
/// character boundaries).
fn words(b: &[u8], range: Range<usize>) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut pos = range.start;
    while pos < range.end {
        if is_space(b[pos]) {
            pos += 1;
            continue;
        }
        let start = pos;
        while pos < range.end && !is_space(b[pos]) {
            pos += 1;
        }
        words.push(start..pos);
    }
    words
}

fn read_words(
    file: &SourceFile,
    keyword: Range<usize>,
    words: &[Range<usize>],
) -> Result<Annotation, Vec<Diagnostic>> {
    let text = &*file.text;
    let example = |name: &str| format!("write the annotation as `-- name: {name} :one`");
    let Some(first) = words.first() else {
        return Err(vec![
            Diagnostic::error("query annotation has no name")
                .at(file, keyword)
                .label("expected a query name and a command after this")
                .help(example("QueryName")),
        ]);
    };
    let first_word = &text[first.clone()];
    // The name, the command's word, and whatever follows them. `GetUser:one` is lenient
    // spacing for `GetUser :one`.
    let (name_span, command_span, rest) = match first_word.find(':') {
        Some(0) => {
            return Err(vec![
                Diagnostic::error("query annotation has no name")
                    .at(file, first.clone())
                    .label("this is the command; the query name goes before it")
                    .help(example("QueryName")),
            ]);
        }
        Some(colon) => {
            let colon = first.start + colon;
            (first.start..colon, Some(colon..first.end), &words[1..])
        }
        None => (
            first.clone(),
            words.get(1).cloned(),
            words.get(2..).unwrap_or_default(),
        ),
    };
    let name = &text[name_span.clone()];
    let mut errors = Vec::new();
    if !is_valid_name(name) {
        errors.push(
            Diagnostic::error(format!("`{name}` is not a valid query name"))
                .at(file, name_span.clone())
                .label("invalid name")
                .help(
                    "a query name starts with an ASCII letter or `_` and has only ASCII \
                     letters, digits and `_`, like `GetUser`",
                ),
        );
    }
    let command = match command_span {
        None => {
            errors.push(
                Diagnostic::error(format!("query `{name}` has no command"))
                    .at(file, name_span.clone())
                    .label("expected a command such as `:one` after the name")
                    .help(format!(
                        "add what the query returns, e.g. `-- name: {name} :one`; the commands \
                         are {}",
                        command_list()
                    )),
            );
            None
        }
        Some(span) => read_command(file, span, &mut errors),
    };
    if let (Some(first), Some(last)) = (rest.first(), rest.last()) {
        errors.push(
            Diagnostic::error(format!(
                "unexpected `{}` after the query command",
                &text[first.start..last.end]
            ))
            .at(file, first.start..last.end)
            .label("not part of an annotation")
            .help(
                "an annotation is `-- name: QueryName :command` and nothing else; put other \
                 text on a comment line above it",
            ),
        );
    }
    match command {
        Some(command) if errors.is_empty() => Ok(Annotation {
            name: name.to_owned(),
            name_span,
            command,
        }),
        _ => Err(errors),
    }
}

fn read_command(
    file: &SourceFile,
    span: Range<usize>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Command> {
    let word = &file.text[span.clone()];
    if let Some(command) = Command::ALL.into_iter().find(|c| c.as_str() == word) {
        return Some(command);
    }
    let bare = word.trim_start_matches(':');
    let error = Diagnostic::error(format!("unknown query command `{word}`")).at(file, span);
    let error = if let Some(command) = Command::ALL.into_iter().find(|c| &c.as_str()[1..] == word) {
        error
            .label("a command starts with `:`")
            .help(format!("write `{}`", command.as_str()))
    } else if bare.eq_ignore_ascii_case("execlastid") {
        error.label("MySQL only").help(
            "PostgreSQL has no last insert id: add `RETURNING id` to the statement and use `:one`",
        )
    } else {
        let error = error.label("not a squill command");
        match closest(bare, Command::ALL.map(|c| &c.as_str()[1..])) {
            Some(near) => error.help(format!("did you mean `:{near}`?")),
            None => error.help(format!("the commands are {}", command_list())),
        }
    };
    errors.push(error);
    None
}

fn command_list() -> String {
    Command::ALL.map(Command::as_str).join(", ")
}

pub(crate) fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::lex::tokenize;

    fn parse_text(text: &str) -> (SourceFile, Parsed) {
        let file = SourceFile::new("q.sql", text);
        let token = tokenize(text).into_iter().next().expect("a token");
        let parsed = parse(&file, &token);
        (file, parsed)
    }

    fn annotation(text: &str) -> Annotation {
        match parse_text(text).1 {
            Parsed::Annotation(a) => a,
            other => panic!("{text}: {other:?}"),
        }
    }

    /// The messages and locations of the errors, for an annotation that must be invalid.
    fn errors(text: &str) -> Vec<(String, String, Option<String>)> {
        match parse_text(text).1 {
            Parsed::Invalid(d) => d
                .into_iter()
                .map(|d| (d.message.clone(), d.location().unwrap(), d.help))
                .collect(),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn reads_spacing_variants() {
        let expected = |name: &str, command| (name.to_owned(), command);
        for text in [
            "-- name: GetUser :one",
            "--name:GetUser :one",
            "--  name :  GetUser   :one  ",
            "-- Name: GetUser :one",
            "---- name: GetUser :one",
            "/* name: GetUser :one */",
            "/*name: GetUser :one*/",
            "-- name: GetUser:one",
        ] {
            let a = annotation(text);
            assert_eq!(
                (a.name.clone(), a.command),
                expected("GetUser", Command::One),
                "{text}"
            );
            assert_eq!(&text[a.name_span], "GetUser", "{text}");
        }
        assert_eq!(
            annotation("-- name: list_all :batchmany").command,
            Command::BatchMany
        );
    }

    #[test]
    fn ordinary_comments_are_not_annotations() {
        for text in [
            "-- nme: X :one",
            "-- names: X :one",
            "-- the name of the user",
            "-- name",
            "/* name */",
            "/**/",
            "/*/",
            "--",
        ] {
            assert!(matches!(parse_text(text).1, Parsed::Comment), "{text}");
        }
    }

    #[test]
    fn missing_command() {
        let e = errors("-- name: GetUser");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].0, "query `GetUser` has no command");
        assert_eq!(e[0].1, "q.sql:1:10");
    }

    #[test]
    fn unknown_commands_suggest() {
        let e = errors("-- name: GetUser :mnay");
        assert_eq!(e[0].0, "unknown query command `:mnay`");
        assert_eq!(e[0].1, "q.sql:1:18");
        assert_eq!(e[0].2.as_deref(), Some("did you mean `:many`?"));
        let e = errors("-- name: GetUser :first");
        assert!(e[0].2.as_deref().unwrap().contains(":execrows"), "{e:?}");
        let e = errors("-- name: GetUser one");
        assert_eq!(e[0].2.as_deref(), Some("write `:one`"));
        let e = errors("-- name: Add :execlastid");
        assert!(e[0].2.as_deref().unwrap().contains("RETURNING"), "{e:?}");
    }

    #[test]
    fn invalid_names_and_extra_words() {
        let e = errors("-- name: 1User :one");
        assert_eq!(
            (e[0].0.as_str(), e[0].1.as_str()),
            ("`1User` is not a valid query name", "q.sql:1:10")
        );
        let e = errors("-- name: get-user :one");
        assert_eq!(e[0].0, "`get-user` is not a valid query name");
        let e = errors("-- name: GetUser :one please");
        assert_eq!(
            (e[0].0.as_str(), e[0].1.as_str()),
            ("unexpected `please` after the query command", "q.sql:1:23")
        );
        let e = errors("-- name: :one");
        assert_eq!(
            (e[0].0.as_str(), e[0].1.as_str()),
            ("query annotation has no name", "q.sql:1:10")
        );
        let e = errors("-- name:");
        assert_eq!(
            (e[0].0.as_str(), e[0].1.as_str()),
            ("query annotation has no name", "q.sql:1:4")
        );
        // Both problems at once.
        assert_eq!(errors("-- name: 9 :nope").len(), 2);
    }

    #[test]
    fn non_ascii_is_sliced_safely() {
        let e = errors("-- name: Ünïcode :one");
        assert_eq!(e[0].0, "`Ünïcode` is not a valid query name");
        let e = errors("-- name: X :oné");
        assert_eq!(e[0].0, "unknown query command `:oné`");
    }
}
