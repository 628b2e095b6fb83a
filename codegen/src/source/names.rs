//! Names for positional parameters from the SQL around them, as sqlc gives them:
//! `email = $1` → `email`, `LIMIT $2` → `limit`, `INSERT INTO t (a) VALUES ($1)` → `a`.

use std::collections::HashMap;

use super::lex::{Token, TokenKind};
use super::params::COMPARISONS;

/// Names by parameter number, from the first use of each `$n` that gives one.
/// `tokens` is one statement without its comments.
pub(crate) fn context_names(src: &str, tokens: &[Token]) -> HashMap<u32, String> {
    let inserted = insert_values(src, tokens);
    let mut names = HashMap::new();
    for (i, token) in tokens.iter().enumerate() {
        if token.kind != TokenKind::Param {
            continue;
        }
        let Ok(number) = token.text(src)[1..].parse::<u32>() else {
            continue;
        };
        if names.contains_key(&number) {
            continue;
        }
        let name = keyword_before(src, tokens, i)
            .or_else(|| column_before(src, tokens, i))
            .or_else(|| column_after(src, tokens, i))
            .or_else(|| inserted.get(&i).cloned());
        if let Some(name) = name {
            names.insert(number, name);
        }
    }
    names
}

/// `LIMIT $n`, `OFFSET $n`.
fn keyword_before(src: &str, tokens: &[Token], i: usize) -> Option<String> {
    let before = tokens.get(i.checked_sub(1)?)?;
    ["limit", "offset"]
        .into_iter()
        .find(|w| before.is_word(src, w))
        .map(str::to_owned)
}

/// `col = $n`, `t.col <> $n`, `col NOT LIKE $n`.
fn column_before(src: &str, tokens: &[Token], i: usize) -> Option<String> {
    let op = comparison_ending_at(src, tokens, i.checked_sub(1)?)?;
    let last = op.checked_sub(1)?;
    let mut first = last;
    while first >= 2 && tokens[first - 1].is_punct(src, ".") && column_part(&tokens[first - 2]) {
        first -= 2;
    }
    // What precedes the column must not make it part of a larger expression (`a + b = $1`) or a
    // type (`x::int = $1`).
    let preceded_ok = first.checked_sub(1).is_none_or(|p| {
        let t = &tokens[p];
        t.kind == TokenKind::Ident || t.is_punct(src, "(") || t.is_punct(src, ",")
    });
    if !preceded_ok {
        return None;
    }
    column_name(src, &tokens[first..=last])
}

/// `$n = col`, `$n::text = t.col`.
fn column_after(src: &str, tokens: &[Token], i: usize) -> Option<String> {
    let mut op = i + 1;
    // Skip a cast: `::type`, `::type[]`.
    if tokens.get(op).is_some_and(|t| t.is_punct(src, "::")) {
        op += 2;
        while tokens
            .get(op)
            .is_some_and(|t| t.is_punct(src, "[") || t.is_punct(src, "]"))
        {
            op += 1;
        }
    }
    let op_end = comparison_starting_at(src, tokens, op)?;
    let first = op_end + 1;
    let mut last = first;
    while tokens.get(last + 1).is_some_and(|t| t.is_punct(src, "."))
        && tokens.get(last + 2).is_some_and(column_part)
    {
        last += 2;
    }
    // A call (`now()`), subscript (`a[1]`) or larger expression (`a + 1`) is not a column.
    let followed_ok = tokens.get(last + 1).is_none_or(|t| {
        t.kind != TokenKind::Operator && !t.is_punct(src, "(") && !t.is_punct(src, "[")
    });
    if !followed_ok {
        return None;
    }
    column_name(src, tokens.get(first..=last)?)
}

/// The index of the first token of a comparison ending at `tokens[end]`.
fn comparison_ending_at(src: &str, tokens: &[Token], end: usize) -> Option<usize> {
    let t = &tokens[end];
    if t.kind == TokenKind::Operator && COMPARISONS.contains(&t.text(src)) {
        return Some(end);
    }
    if t.is_word(src, "like") || t.is_word(src, "ilike") {
        let negated = end > 0 && tokens[end - 1].is_word(src, "not");
        return Some(if negated { end - 1 } else { end });
    }
    None
}

/// The index of the last token of a comparison starting at `tokens[start]`.
fn comparison_starting_at(src: &str, tokens: &[Token], start: usize) -> Option<usize> {
    let t = tokens.get(start)?;
    if t.kind == TokenKind::Operator && COMPARISONS.contains(&t.text(src)) {
        return Some(start);
    }
    let like = |t: &Token| t.is_word(src, "like") || t.is_word(src, "ilike");
    if like(t) {
        return Some(start);
    }
    (t.is_word(src, "not") && tokens.get(start + 1).is_some_and(like)).then_some(start + 1)
}

fn column_part(t: &Token) -> bool {
    matches!(t.kind, TokenKind::Ident | TokenKind::QuotedIdent)
}

/// Words that can stand where a column would but are values, not columns.
const NOT_COLUMNS: [&str; 12] = [
    "null",
    "true",
    "false",
    "end",
    "current_date",
    "current_time",
    "current_timestamp",
    "localtime",
    "localtimestamp",
    "current_user",
    "session_user",
    "user",
];

/// The column named by `chain` (`col`, `t.col`, `"Col"`): its last part, unquoted, or folded to
/// lower case as PostgreSQL folds unquoted identifiers.
fn column_name(src: &str, chain: &[Token]) -> Option<String> {
    if !chain.iter().step_by(2).all(column_part) {
        return None;
    }
    let last = chain.last()?;
    if chain.len() == 1 && NOT_COLUMNS.iter().any(|w| last.is_word(src, w)) {
        return None;
    }
    identifier(src, last)
}

fn identifier(src: &str, t: &Token) -> Option<String> {
    let text = t.text(src);
    match t.kind {
        TokenKind::Ident => Some(text.to_ascii_lowercase()),
        TokenKind::QuotedIdent => {
            let inner = text.strip_prefix('"')?.strip_suffix('"')?;
            (!inner.is_empty()).then(|| inner.replace("\"\"", "\""))
        }
        _ => None,
    }
}

/// `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)`: the column of each parameter that is a
/// whole value (optionally cast), by token index.
fn insert_values(src: &str, tokens: &[Token]) -> HashMap<usize, String> {
    let mut names = HashMap::new();
    let Some(start) = tokens
        .windows(2)
        .position(|w| w[0].is_word(src, "insert") && w[1].is_word(src, "into"))
    else {
        return names;
    };
    let mut i = start + 2;
    // Table name, and an optional alias.
    while tokens.get(i).is_some_and(column_part)
        || tokens.get(i).is_some_and(|t| t.is_punct(src, "."))
    {
        i += 1;
    }
    if tokens.get(i).is_some_and(|t| t.is_word(src, "as")) {
        i += 2;
    }
    let Some(columns) = list(src, tokens, i) else {
        return names;
    };
    let columns: Vec<Option<String>> = columns
        .iter()
        .map(|c| match c.as_slice() {
            [single] => identifier(src, &tokens[*single]),
            _ => None,
        })
        .collect();
    i = columns_end(src, tokens, i);
    if tokens.get(i).is_some_and(|t| t.is_word(src, "overriding")) {
        i += 3;
    }
    if !tokens.get(i).is_some_and(|t| t.is_word(src, "values")) {
        return names;
    }
    i += 1;
    while let Some(row) = list(src, tokens, i) {
        for (value, column) in row.iter().zip(&columns) {
            let is_param = value
                .first()
                .is_some_and(|&v| tokens[v].kind == TokenKind::Param)
                && (value.len() == 1 || tokens[value[1]].is_punct(src, "::"));
            if let (true, Some(column)) = (is_param, column) {
                names.insert(value[0], column.clone());
            }
        }
        i = columns_end(src, tokens, i);
        if !tokens.get(i).is_some_and(|t| t.is_punct(src, ",")) {
            break;
        }
        i += 1;
    }
    names
}

/// The items of the parenthesized, comma-separated list at `tokens[open]`, as token indices.
fn list(src: &str, tokens: &[Token], open: usize) -> Option<Vec<Vec<usize>>> {
    if !tokens.get(open)?.is_punct(src, "(") {
        return None;
    }
    let mut items = vec![Vec::new()];
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open + 1) {
        if t.is_punct(src, "(") {
            depth += 1;
        } else if t.is_punct(src, ")") {
            if depth == 0 {
                return Some(items);
            }
            depth -= 1;
        } else if depth == 0 && t.is_punct(src, ",") {
            items.push(Vec::new());
            continue;
        }
        items.last_mut()?.push(i);
    }
    None
}

/// The index after the `)` closing the list at `tokens[open]`.
fn columns_end(src: &str, tokens: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        if t.is_punct(src, "(") {
            depth += 1;
        } else if t.is_punct(src, ")") {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return i + 1;
            }
        }
    }
    tokens.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::lex::tokenize;

    fn names(text: &str) -> Vec<(u32, String)> {
        let tokens = tokenize(text);
        let mut names: Vec<_> = context_names(text, &tokens).into_iter().collect();
        names.sort();
        names
    }

    fn name_of_1(text: &str) -> Option<String> {
        names(text)
            .into_iter()
            .find(|(n, _)| *n == 1)
            .map(|(_, name)| name)
    }

    #[test]
    fn comparisons_name_both_ways() {
        for (text, expected) in [
            ("WHERE email = $1", "email"),
            ("WHERE u.email = $1", "email"),
            ("WHERE public.users.email = $1", "email"),
            ("WHERE $1 = email", "email"),
            ("WHERE $1::text = u.email AND x", "email"),
            ("WHERE Email <> $1", "email"),
            ("WHERE \"Email\" != $1", "Email"),
            ("WHERE a < $1", "a"),
            ("WHERE a >= $1", "a"),
            ("WHERE name LIKE $1", "name"),
            ("WHERE name NOT ILIKE $1", "name"),
            ("WHERE $1 ILIKE name", "name"),
            ("WHERE (a = $1)", "a"),
            ("SET a = 1, b = $1", "b"),
            ("LIMIT $1", "limit"),
            ("offset $1", "offset"),
        ] {
            assert_eq!(name_of_1(text).as_deref(), Some(expected), "{text}");
        }
    }

    #[test]
    fn no_name_without_a_plain_column() {
        for text in [
            "SELECT $1",
            "WHERE lower(email) = $1",
            "WHERE a + b = $1",
            "WHERE x::int = $1",
            "WHERE $1 = now()",
            "WHERE $1 = a + 1",
            "WHERE $1 = a[1]",
            "WHERE NULL = $1",
            "WHERE @x = $1",
            "WHERE sqlc.arg(x) = $1",
        ] {
            assert_eq!(name_of_1(text), None, "{text}");
        }
    }

    #[test]
    fn insert_columns() {
        let text = "INSERT INTO public.users AS u (email, \"Name\", age) VALUES ($1, $2::text, $3 + 1), ($4, lower($5), $6)";
        assert_eq!(
            names(text),
            [
                (1, "email".into()),
                (2, "Name".into()),
                (4, "email".into()),
                (6, "age".into())
            ]
        );
        assert!(names("INSERT INTO t VALUES ($1)").is_empty());
        assert!(names("INSERT INTO t (a) SELECT $1").is_empty());
        assert!(names("INSERT INTO t (a, b) VALUES ($1").is_empty());
    }

    #[test]
    fn first_use_with_a_name_wins() {
        assert_eq!(
            name_of_1("SELECT $1, a FROM t WHERE b = $1 OR c = $1").as_deref(),
            Some("b")
        );
    }
}
