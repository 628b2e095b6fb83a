//! Finds the parameters of a statement: `$1`, `@name`, `sqlc.arg(name)`, `sqlc.narg(name)`,
//! `sqlc.slice(name)`, and rejects the sqlc macros squill does not support yet.
//!
//! `sqlc.slice(name)` is a parameter like `sqlc.arg(name)`. Written as a whole IN list,
//! `x [NOT] IN (sqlc.slice(name))`, it is sqlc's list expanded at run time; squill sends
//! `x = ANY($n)` (`x <> ALL($n)`) instead, so the parameter is an array and the statement stays
//! one prepared statement whatever the list's length (an empty list matches nothing).

use std::ops::Range;

use super::lex::{Token, TokenKind, is_ident_cont, is_op_char};
use crate::diagnostic::{Diagnostic, SourceFile, closest};

/// PostgreSQL's limit on the parameters of one statement.
pub(crate) const MAX_PARAMS: u32 = 65535;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParamRef {
    /// `$n`.
    Positional(u32),
    /// `@name`, `sqlc.arg(name)` or (nullable) `sqlc.narg(name)`.
    Named { name: String, nullable: bool },
    /// Not a parameter: `sqlc.embed(table)`, sent as `table.*`, whose columns become one
    /// nested struct of the row.
    Embed { table: String },
}

/// One use of a parameter in the statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Occurrence {
    pub param: ParamRef,
    /// File bytes of the whole use: `$1`, `@email`, `sqlc.arg(email)`, or for an IN list of
    /// one `sqlc.slice`, `IN (sqlc.slice(ids))`.
    pub span: Range<usize>,
    /// Index of its first token in the tokens given to [`find`].
    pub token: usize,
    /// How the use is sent: `$n`, or `= ANY($n)` / `<> ALL($n)` for an IN list.
    pub sent_as: SentAs,
}

/// What replaces a parameter's use in the SQL that is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SentAs {
    /// `$n`.
    Param,
    /// `= ANY($n)`, or `<> ALL($n)` when the IN was negated.
    ArrayComparison { negated: bool },
}

impl SentAs {
    /// The text that replaces the use, for parameter `number`.
    pub(crate) fn text(self, number: usize) -> String {
        match self {
            SentAs::Param => format!("${number}"),
            SentAs::ArrayComparison { negated: false } => format!("= ANY(${number})"),
            SentAs::ArrayComparison { negated: true } => format!("<> ALL(${number})"),
        }
    }
}

/// Every parameter use in `tokens` (one statement, comments left out), in order.
pub(crate) fn find(
    file: &SourceFile,
    tokens: &[Token],
) -> Result<Vec<Occurrence>, Vec<Diagnostic>> {
    let src = &*file.text;
    let mut found = Vec::new();
    let mut errors = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        if let Some((name, negated, end)) = slice_in_list(file, tokens, i) {
            found.push(Occurrence {
                param: ParamRef::Named {
                    name,
                    nullable: false,
                },
                span: token.span.start..tokens[end - 1].span.end,
                token: i,
                sent_as: SentAs::ArrayComparison { negated },
            });
            i = end;
            continue;
        }
        let (param, end) = match token.kind {
            TokenKind::Param => (positional(file, token, &mut errors), i + 1),
            TokenKind::Operator => match named_after_at(file, tokens, i, &mut errors) {
                Some(name) => (
                    Some(ParamRef::Named {
                        name,
                        nullable: false,
                    }),
                    i + 2,
                ),
                None => (None, i + 1),
            },
            TokenKind::Ident if is_macro_call(src, tokens, i) => {
                macro_call(file, tokens, i, &mut errors)
            }
            _ => (None, i + 1),
        };
        if let Some(param) = param {
            let span = token.span.start..tokens[end - 1].span.end;
            found.push(Occurrence {
                param,
                span,
                token: i,
                sent_as: SentAs::Param,
            });
        }
        i = end;
    }
    if errors.is_empty() {
        Ok(found)
    } else {
        Err(errors)
    }
}

fn positional(file: &SourceFile, token: &Token, errors: &mut Vec<Diagnostic>) -> Option<ParamRef> {
    let text = token.text(&file.text);
    let error = match text[1..].parse::<u32>() {
        Ok(n) if (1..=MAX_PARAMS).contains(&n) => return Some(ParamRef::Positional(n)),
        Ok(0) => Diagnostic::error("there is no parameter $0")
            .at(file, token.span.clone())
            .label("parameters are numbered from $1")
            .help("number the parameters $1, $2, … or use named parameters (`@name`)"),
        _ => Diagnostic::error(format!("parameter number {text} is too large"))
            .at(file, token.span.clone())
            .label("out of range")
            .note(format!(
                "PostgreSQL allows at most {MAX_PARAMS} parameters in a statement"
            )),
    };
    errors.push(error);
    None
}

/// The name of an `@name` parameter starting at operator `tokens[i]`, if it is one: a lone `@`
/// directly followed by an identifier, not glued to an identifier or operator before it (so
/// `a @> b`, `x @@ q` and `@-5` stay operators).
fn named_after_at(
    file: &SourceFile,
    tokens: &[Token],
    i: usize,
    errors: &mut Vec<Diagnostic>,
) -> Option<String> {
    let src = &*file.text;
    let op = &tokens[i];
    let ident = tokens
        .get(i + 1)
        .filter(|t| t.kind == TokenKind::Ident && t.span.start == op.span.end)?;
    let text = op.text(src);
    let name = ident.text(src);
    if text == "@" {
        let glued = op.span.start > 0 && {
            let before = src.as_bytes()[op.span.start - 1];
            is_ident_cont(before) || is_op_char(before)
        };
        return (!glued).then(|| name.to_owned());
    }
    // `id=@id` lexes as the operator `=@`, which PostgreSQL has not: almost surely a parameter.
    // (`<@` and `>@`-like runs are left alone: `<@` is the "is contained by" operator.)
    let comparison = text
        .strip_suffix('@')
        .filter(|op| ["=", "<>", "!=", "<=", ">="].contains(op))?;
    errors.push(
        Diagnostic::error(format!(
            "`{text}{name}` is the operator `{text}` followed by `{name}`, not a parameter"
        ))
        .at(file, op.span.clone())
        .label(format!("PostgreSQL reads `{text}` as one operator"))
        .help(format!(
            "put a space before the parameter: `{comparison} @{name}`"
        )),
    );
    None
}

/// The comparison operators, whose operands name positional parameters too.
pub(crate) const COMPARISONS: [&str; 7] = ["=", "<>", "!=", "<", ">", "<=", ">="];

/// `sqlc . word (`, case-insensitively.
fn is_macro_call(src: &str, tokens: &[Token], i: usize) -> bool {
    tokens[i].is_word(src, "sqlc")
        && tokens.get(i + 1).is_some_and(|t| t.is_punct(src, "."))
        && tokens
            .get(i + 2)
            .is_some_and(|t| t.kind == TokenKind::Ident)
        && tokens.get(i + 3).is_some_and(|t| t.is_punct(src, "("))
}

const MACROS: [&str; 4] = ["arg", "narg", "slice", "embed"];

/// Reads the `sqlc.<macro>(...)` call at `tokens[i]`: the parameter it stands for (none after an
/// error), and the index of the token after the call.
fn macro_call(
    file: &SourceFile,
    tokens: &[Token],
    i: usize,
    errors: &mut Vec<Diagnostic>,
) -> (Option<ParamRef>, usize) {
    let src = &*file.text;
    let open = i + 3;
    let close = matching_paren(src, tokens, open);
    let end = close.map_or(tokens.len(), |c| c + 1);
    let call = tokens[i].span.start..tokens[end - 1].span.end;
    let func = tokens[i + 2].text(src).to_ascii_lowercase();
    let args = &tokens[open + 1..close.unwrap_or(tokens.len())];
    let result = match func.as_str() {
        "embed" => match (close, args) {
            // An unquoted name folds to lower case, as PostgreSQL folds the alias it names.
            (Some(_), [arg]) => param_name(src, arg).map(|table| ParamRef::Embed {
                table: match arg.kind {
                    TokenKind::Ident => table.to_lowercase(),
                    _ => table,
                },
            }),
            _ => None,
        }
        .ok_or_else(|| {
            Diagnostic::error("`sqlc.embed` takes one table name")
                .at(file, call.clone())
                .label("expected `sqlc.embed(table)`")
                .help("name a table or its alias of the FROM clause, like `sqlc.embed(users)`")
        }),
        "arg" | "narg" | "slice" => match (close, args) {
            (Some(_), [arg]) => param_name(src, arg),
            _ => None,
        }
        .map(|name| ParamRef::Named {
            name,
            nullable: func == "narg",
        })
        .ok_or_else(|| {
            Diagnostic::error(format!("`sqlc.{func}` takes one parameter name"))
                .at(file, call)
                .label(format!("expected `sqlc.{func}(name)`"))
                .help(format!(
                    "write the parameter's name alone in the parentheses, like `sqlc.{func}(email)`"
                ))
        }),
        _ => {
            let error =
                Diagnostic::error(format!("unknown macro `sqlc.{}`", tokens[i + 2].text(src)))
                    .at(file, tokens[i].span.start..tokens[i + 2].span.end)
                    .label("not a sqlc macro");
            Err(match closest(&func, MACROS) {
                Some(near) => error.help(format!("did you mean `sqlc.{near}`?")),
                None => error.help("the macros are `sqlc.arg(name)` and `sqlc.narg(name)`"),
            })
        }
    };
    match result {
        Ok(param) => (Some(param), end),
        Err(error) => {
            errors.push(error);
            (None, end)
        }
    }
}

/// `[NOT] IN ( sqlc.slice(name) )` at `tokens[i]`: the name, whether negated, and the index of
/// the token after the `)`.
fn slice_in_list(file: &SourceFile, tokens: &[Token], i: usize) -> Option<(String, bool, usize)> {
    let src = &*file.text;
    let negated = tokens[i].is_word(src, "not");
    let at_in = if negated { i + 1 } else { i };
    if !tokens.get(at_in)?.is_word(src, "in") || !tokens.get(at_in + 1)?.is_punct(src, "(") {
        return None;
    }
    let call = at_in + 2;
    if !is_macro_call(src, tokens, call) || !tokens[call + 2].is_word(src, "slice") {
        return None;
    }
    let call_close = matching_paren(src, tokens, call + 3)?;
    let [arg] = &tokens[call + 4..call_close] else {
        return None;
    };
    let name = param_name(src, arg)?;
    let list_close = call_close + 1;
    tokens
        .get(list_close)?
        .is_punct(src, ")")
        .then_some((name, negated, list_close + 1))
}

/// Index of the `)` closing the `(` at `tokens[open]`.
fn matching_paren(src: &str, tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        if token.is_punct(src, "(") {
            depth += 1;
        } else if token.is_punct(src, ")") {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// The name in `sqlc.arg(name)`, `sqlc.arg('name')` or `sqlc.arg("name")`, as written.
fn param_name(src: &str, token: &Token) -> Option<String> {
    let text = token.text(src);
    let unquote = |quote: char| {
        let inner = text.strip_prefix(quote)?.strip_suffix(quote)?;
        let doubled = format!("{quote}{quote}");
        Some(inner.replace(&doubled, &quote.to_string()))
    };
    let name = match token.kind {
        TokenKind::Ident => Some(text.to_owned()),
        TokenKind::QuotedIdent => unquote('"'),
        TokenKind::String => unquote('\''),
        _ => None,
    }?;
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::lex::tokenize;

    fn run(text: &str) -> Result<Vec<(ParamRef, String)>, Vec<String>> {
        let file = SourceFile::new("q.sql", text);
        let tokens: Vec<Token> = tokenize(text)
            .into_iter()
            .filter(|t| !t.is_comment())
            .collect();
        match find(&file, &tokens) {
            Ok(found) => Ok(found
                .into_iter()
                .map(|o| (o.param, text[o.span].to_owned()))
                .collect()),
            Err(errors) => Err(errors
                .into_iter()
                .map(|e| format!("{} {}", e.location().unwrap(), e.message))
                .collect()),
        }
    }

    fn named(name: &str, nullable: bool) -> ParamRef {
        ParamRef::Named {
            name: name.into(),
            nullable,
        }
    }

    #[test]
    fn every_form() {
        let found =
            run("SELECT $1, @email::text, sqlc.arg(a), SQLC.NARG( 'b' ), sqlc.arg(\"C\"\"d\")")
                .unwrap();
        assert_eq!(
            found,
            [
                (ParamRef::Positional(1), "$1".into()),
                (named("email", false), "@email".into()),
                (named("a", false), "sqlc.arg(a)".into()),
                (named("b", true), "SQLC.NARG( 'b' )".into()),
                (named("C\"d", false), "sqlc.arg(\"C\"\"d\")".into()),
            ]
        );
    }

    #[test]
    fn operators_that_look_like_params() {
        for text in [
            "a @> b",
            "a <@ b",
            "x @@ to_tsquery('q')",
            "@-5",
            "a@b",
            "1@b",
            "'@x'",
            "\"@x\"",
            "$$@x$$",
            "@ x",
        ] {
            assert_eq!(run(text), Ok(vec![]), "{text}");
        }
        assert_eq!(run("(@x)").unwrap().len(), 1);
        assert_eq!(run("f(1,@x)").unwrap().len(), 1);
    }

    #[test]
    fn glued_comparison_is_an_error() {
        assert_eq!(
            run("WHERE id=@id"),
            Err(vec![
                "q.sql:1:9 `=@id` is the operator `=@` followed by `id`, not a parameter"
                    .to_owned()
            ])
        );
    }

    #[test]
    fn bad_positionals() {
        assert_eq!(
            run("SELECT $0"),
            Err(vec!["q.sql:1:8 there is no parameter $0".to_owned()])
        );
        assert_eq!(run("SELECT $65536").unwrap_err().len(), 1);
        assert_eq!(run("SELECT $99999999999999999999").unwrap_err().len(), 1);
        assert_eq!(run("SELECT $65535").unwrap().len(), 1);
    }

    #[test]
    fn slices_are_array_parameters() {
        let named = |name: &str| ParamRef::Named {
            name: name.into(),
            nullable: false,
        };
        assert_eq!(
            run("WHERE id IN (sqlc.slice(ids)) AND k NOT IN ( sqlc.slice('keys') )"),
            Ok(vec![
                (named("ids"), "IN (sqlc.slice(ids))".to_owned()),
                (named("keys"), "NOT IN ( sqlc.slice('keys') )".to_owned()),
            ])
        );
        // Not a whole IN list, or an array value: a parameter like sqlc.arg.
        assert_eq!(
            run("WHERE id = ANY(sqlc.slice(ids)::uuid[]) OR id IN (sqlc.slice(more), 1)"),
            Ok(vec![
                (named("ids"), "sqlc.slice(ids)".to_owned()),
                (named("more"), "sqlc.slice(more)".to_owned()),
            ])
        );
        let file = SourceFile::new(
            "q.sql",
            "WHERE a NOT IN (sqlc.slice(x)) OR b IN (sqlc.slice(y))",
        );
        let tokens: Vec<Token> = tokenize(&file.text).into_iter().collect();
        let sent: Vec<String> = find(&file, &tokens)
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, o)| o.sent_as.text(i + 1))
            .collect();
        assert_eq!(sent, ["<> ALL($1)", "= ANY($2)"]);
    }

    #[test]
    fn unsupported_and_malformed_macros() {
        assert_eq!(
            run("SELECT sqlc.embed(Users) FROM users"),
            Ok(vec![(
                ParamRef::Embed {
                    table: "users".into()
                },
                "sqlc.embed(Users)".to_owned()
            )])
        );
        assert_eq!(
            run("SELECT sqlc.embed(a, b) FROM users"),
            Err(vec![
                "q.sql:1:8 `sqlc.embed` takes one table name".to_owned()
            ])
        );
        assert_eq!(
            run("SELECT sqlc.ar(x)"),
            Err(vec!["q.sql:1:8 unknown macro `sqlc.ar`".to_owned()])
        );
        for text in [
            "sqlc.arg()",
            "sqlc.arg(a, b)",
            "sqlc.arg(1)",
            "sqlc.arg('')",
            "sqlc.arg(a",
            "sqlc.narg(f(x))",
        ] {
            assert_eq!(run(text).unwrap_err().len(), 1, "{text}");
        }
        // Not a call: a column of a table aliased `sqlc`.
        assert_eq!(run("SELECT sqlc.arg FROM t sqlc"), Ok(vec![]));
    }
}
