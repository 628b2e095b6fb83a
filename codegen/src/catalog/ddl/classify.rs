//! What a statement is, from its leading keywords, following the statement list of
//! PostgreSQL's grammar (`stmt` in gram.y).
//!
//! Skipping is an allow-list: a statement is skipped only when its form is one PostgreSQL has
//! and that cannot change what the catalog records (data, grants, comments, indexes, triggers,
//! policies, roles, statistics, ...). A form that can change the catalog is read; a form that
//! changes something squill's catalog does not follow (aggregates, `DROP OWNED`, `IMPORT
//! FOREIGN SCHEMA`) is skipped with a warning; anything else is not a statement PostgreSQL
//! knows, and is a syntax error at the word its grammar would stop at (`CREAT TABLE` → at
//! `CREAT`).

use sqlparser::tokenizer::Token;

use crate::catalog::tokens::{Tok, is_word};

/// What a statement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    /// Cannot change the catalog; the name of its form (its syntax is still checked).
    Irrelevant(&'static str),
    /// `SET`, `RESET`, `set_config(...)`, `DISCARD`, transaction control, `ALTER ROLE/DATABASE
    /// ... SET`.
    Session,
    Do,
    /// DDL that can change the catalog; the name of its form.
    Ddl(&'static str),
    /// `CREATE [UNIQUE] INDEX`, `DROP INDEX`, `ALTER INDEX`: unique indexes are recorded.
    Index(&'static str),
    /// Valid, and changes what the catalog does not follow: skipped with a warning.
    Unfollowed(&'static str),
    /// PostgreSQL's grammar has no statement that starts this way: a syntax error at the token
    /// with this index.
    SyntaxError(usize),
    /// PostgreSQL parses it but refuses it with this message (at the first token).
    Rejected(&'static str),
}

/// Classifies a statement by its leading words.
pub(super) fn classify(toks: &[Tok]) -> Form {
    let words: Vec<String> = toks
        .iter()
        .take(8)
        .map_while(|t| match &t.token {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
            _ => None,
        })
        .collect();
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let Some(&first) = w.first() else {
        return match toks.first().map(|t| &t.token) {
            // `(SELECT ...) UNION ...`: a query.
            Some(Token::LParen) => Form::Irrelevant("SELECT"),
            _ => Form::SyntaxError(0),
        };
    };
    match first {
        "CREATE" => classify_create(&w),
        "ALTER" => classify_alter(toks, &w),
        "DROP" => classify_drop(toks, &w),
        "DO" => Form::Do,
        "SET" | "RESET" | "DISCARD" | "BEGIN" | "START" | "COMMIT" | "END" | "ROLLBACK"
        | "ABORT" | "SAVEPOINT" | "RELEASE" => Form::Session,
        "PREPARE" if w.get(1) == Some(&"TRANSACTION") => Form::Session,
        "SELECT" if mentions_set_config(toks) => Form::Session,
        "IMPORT" => Form::Unfollowed("IMPORT FOREIGN SCHEMA"),
        "REASSIGN" => Form::Irrelevant("REASSIGN OWNED"),
        "SECURITY" => Form::Irrelevant("SECURITY LABEL"),
        _ => match IRRELEVANT_STATEMENTS.iter().find(|s| **s == first) {
            Some(form) => Form::Irrelevant(form),
            None => Form::SyntaxError(0),
        },
    }
}

/// Statements (by first word) that read or write data, or act on the server, never on the
/// catalog's objects.
const IRRELEVANT_STATEMENTS: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "MERGE",
    "WITH",
    "VALUES",
    "TABLE",
    "COPY",
    "GRANT",
    "REVOKE",
    "COMMENT",
    "ANALYZE",
    "ANALYSE",
    "VACUUM",
    "CLUSTER",
    "REINDEX",
    "REFRESH",
    "TRUNCATE",
    "LOCK",
    "NOTIFY",
    "LISTEN",
    "UNLISTEN",
    "CHECKPOINT",
    "LOAD",
    "EXPLAIN",
    "SHOW",
    "PREPARE",
    "EXECUTE",
    "DEALLOCATE",
    "DECLARE",
    "FETCH",
    "MOVE",
    "CLOSE",
    "CALL",
];

/// Words a statement can start with, for `did you mean`.
pub(super) const STATEMENT_WORDS: &[&str] = &[
    "CREATE",
    "ALTER",
    "DROP",
    "DO",
    "SET",
    "RESET",
    "DISCARD",
    "BEGIN",
    "START",
    "COMMIT",
    "END",
    "ROLLBACK",
    "ABORT",
    "SAVEPOINT",
    "RELEASE",
    "IMPORT",
    "REASSIGN",
    "SECURITY",
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "MERGE",
    "WITH",
    "VALUES",
    "TABLE",
    "COPY",
    "GRANT",
    "REVOKE",
    "COMMENT",
    "ANALYZE",
    "VACUUM",
    "CLUSTER",
    "REINDEX",
    "REFRESH",
    "TRUNCATE",
    "LOCK",
    "NOTIFY",
    "LISTEN",
    "UNLISTEN",
    "CHECKPOINT",
    "LOAD",
    "EXPLAIN",
    "SHOW",
    "PREPARE",
    "EXECUTE",
    "DEALLOCATE",
    "DECLARE",
    "FETCH",
    "MOVE",
    "CLOSE",
    "CALL",
];

/// Words an object kind starts with after `CREATE`, `ALTER` or `DROP`, for `did you mean`.
pub(super) const OBJECT_WORDS: &[&str] = &[
    "TABLE",
    "FOREIGN",
    "VIEW",
    "MATERIALIZED",
    "TYPE",
    "DOMAIN",
    "FUNCTION",
    "PROCEDURE",
    "ROUTINE",
    "SEQUENCE",
    "SCHEMA",
    "EXTENSION",
    "OPERATOR",
    "CAST",
    "INDEX",
    "UNIQUE",
    "TRIGGER",
    "EVENT",
    "POLICY",
    "RULE",
    "ROLE",
    "USER",
    "GROUP",
    "DATABASE",
    "TABLESPACE",
    "STATISTICS",
    "PUBLICATION",
    "SUBSCRIPTION",
    "TRANSFORM",
    "CONVERSION",
    "AGGREGATE",
    "COLLATION",
    "TEXT",
    "LANGUAGE",
    "SERVER",
    "ACCESS",
    "OWNED",
    "TEMPORARY",
    "UNLOGGED",
    "REPLACE",
    "RECURSIVE",
    "DEFAULT",
];

/// The object kinds the catalog records, after `CREATE`, `ALTER` or `DROP` (and any
/// modifiers): their words and the form's name without the verb.
const FOLLOWED: &[(&[&str], &str)] = &[
    (&["TABLE"], "TABLE"),
    (&["FOREIGN", "TABLE"], "FOREIGN TABLE"),
    (&["VIEW"], "VIEW"),
    (&["MATERIALIZED", "VIEW"], "MATERIALIZED VIEW"),
    (&["TYPE"], "TYPE"),
    (&["DOMAIN"], "DOMAIN"),
    (&["FUNCTION"], "FUNCTION"),
    (&["PROCEDURE"], "PROCEDURE"),
    (&["ROUTINE"], "ROUTINE"),
    (&["SEQUENCE"], "SEQUENCE"),
    (&["SCHEMA"], "SCHEMA"),
    (&["EXTENSION"], "EXTENSION"),
    (&["OPERATOR", "CLASS"], ""),
    (&["OPERATOR", "FAMILY"], ""),
    (&["OPERATOR"], "OPERATOR"),
    (&["CAST"], "CAST"),
];

/// Object kinds the catalog does not record and that nothing it records depends on (an empty
/// name: `FOLLOWED` entries that are not followed either).
const UNRECORDED: &[&[&str]] = &[
    &["INDEX"],
    &["TRIGGER"],
    &["EVENT", "TRIGGER"],
    &["POLICY"],
    &["RULE"],
    &["ROLE"],
    &["USER", "MAPPING"],
    &["USER"],
    &["GROUP"],
    &["DATABASE"],
    &["TABLESPACE"],
    &["STATISTICS"],
    &["PUBLICATION"],
    &["SUBSCRIPTION"],
    &["TRANSFORM"],
    &["CONVERSION"],
    &["OPERATOR", "CLASS"],
    &["OPERATOR", "FAMILY"],
];

/// Object kinds the catalog does not record but that columns, functions or views can depend
/// on: skipped, unless dropped with `CASCADE` (which can drop what the catalog records).
const DEPENDED_ON: &[&[&str]] = &[
    &["AGGREGATE"],
    &["COLLATION"],
    &["TEXT", "SEARCH"],
    &["LANGUAGE"],
    &["PROCEDURAL", "LANGUAGE"],
    &["SERVER"],
    &["FOREIGN", "DATA", "WRAPPER"],
    &["ACCESS", "METHOD"],
];

fn starts_with(w: &[&str], words: &[&str]) -> bool {
    w.len() >= words.len() && w.iter().zip(words).all(|(a, b)| a == b)
}

/// Index of the first token after the verb and the modifiers in `modifiers`.
fn skip_modifiers(w: &[&str], modifiers: &[&str]) -> usize {
    let mut i = 1;
    while i < w.len() && modifiers.contains(&w[i]) {
        i += 1;
    }
    i
}

fn followed(verb: &'static str, rest: &[&str]) -> Option<Option<&'static str>> {
    FOLLOWED
        .iter()
        .find(|(words, _)| starts_with(rest, words))
        .map(|(_, name)| (!name.is_empty()).then(|| form_name(verb, name)))
}

/// `"CREATE"` + `"TABLE"` as one static name (the forms are few and fixed).
fn form_name(verb: &str, object: &str) -> &'static str {
    const FORMS: &[&str] = &[
        "CREATE TABLE",
        "CREATE FOREIGN TABLE",
        "CREATE VIEW",
        "CREATE MATERIALIZED VIEW",
        "CREATE TYPE",
        "CREATE DOMAIN",
        "CREATE FUNCTION",
        "CREATE PROCEDURE",
        "CREATE ROUTINE",
        "CREATE SEQUENCE",
        "CREATE SCHEMA",
        "CREATE EXTENSION",
        "CREATE OPERATOR",
        "CREATE CAST",
        "ALTER TABLE",
        "ALTER FOREIGN TABLE",
        "ALTER VIEW",
        "ALTER MATERIALIZED VIEW",
        "ALTER TYPE",
        "ALTER DOMAIN",
        "ALTER FUNCTION",
        "ALTER PROCEDURE",
        "ALTER ROUTINE",
        "ALTER SEQUENCE",
        "ALTER SCHEMA",
        "ALTER EXTENSION",
        "ALTER OPERATOR",
        "ALTER CAST",
        "DROP TABLE",
        "DROP FOREIGN TABLE",
        "DROP VIEW",
        "DROP MATERIALIZED VIEW",
        "DROP TYPE",
        "DROP DOMAIN",
        "DROP FUNCTION",
        "DROP PROCEDURE",
        "DROP ROUTINE",
        "DROP SEQUENCE",
        "DROP SCHEMA",
        "DROP EXTENSION",
        "DROP OPERATOR",
        "DROP CAST",
    ];
    FORMS
        .iter()
        .find(|f| {
            f.len() == verb.len() + 1 + object.len() && f.starts_with(verb) && f.ends_with(object)
        })
        .copied()
        .unwrap_or("DDL")
}

fn unrecorded(rest: &[&str]) -> bool {
    UNRECORDED.iter().any(|words| starts_with(rest, words))
}

fn depended_on(rest: &[&str]) -> bool {
    DEPENDED_ON.iter().any(|words| starts_with(rest, words))
}

fn classify_create(w: &[&str]) -> Form {
    // `OR REPLACE`, `TEMP`, `UNLOGGED`, `RECURSIVE` (views), `UNIQUE` (indexes), `TRUSTED` /
    // `PROCEDURAL` (languages), `DEFAULT` (conversions), `CONSTRAINT` (triggers).
    let i = skip_modifiers(
        w,
        &[
            "OR",
            "REPLACE",
            "TEMP",
            "TEMPORARY",
            "LOCAL",
            "GLOBAL",
            "UNLOGGED",
            "RECURSIVE",
            "UNIQUE",
            "TRUSTED",
            "DEFAULT",
            "CONSTRAINT",
        ],
    );
    let rest = &w[i.min(w.len())..];
    if rest.is_empty() {
        return Form::SyntaxError(i);
    }
    if let Some(form) = followed("CREATE", rest) {
        return match form {
            Some("CREATE ROUTINE") => Form::SyntaxError(i),
            Some(form) => Form::Ddl(form),
            None => Form::Irrelevant("CREATE OPERATOR CLASS"),
        };
    }
    if starts_with(rest, &["AGGREGATE"]) {
        return Form::Unfollowed("CREATE AGGREGATE");
    }
    if starts_with(rest, &["INDEX"]) {
        return Form::Index("CREATE INDEX");
    }
    if starts_with(rest, &["ASSERTION"]) {
        return Form::Rejected("CREATE ASSERTION is not yet implemented");
    }
    if unrecorded(rest) || depended_on(rest) || starts_with(rest, &["ACCESS", "METHOD"]) {
        return Form::Irrelevant("CREATE");
    }
    Form::SyntaxError(i)
}

fn classify_alter(toks: &[Tok], w: &[&str]) -> Form {
    let rest = &w[1.min(w.len())..];
    if rest.is_empty() {
        return Form::SyntaxError(1);
    }
    if matches!(rest[0], "ROLE" | "USER" | "DATABASE") && sets_search_path(toks) {
        return Form::Session;
    }
    let known = followed("ALTER", rest);
    let recognised = known.is_some()
        || unrecorded(rest)
        || depended_on(rest)
        || starts_with(rest, &["DEFAULT", "PRIVILEGES"])
        || starts_with(rest, &["LARGE", "OBJECT"])
        || starts_with(rest, &["SYSTEM"]);
    if !recognised {
        return Form::SyntaxError(1);
    }
    if is_owner_change(toks) {
        return Form::Irrelevant("ALTER ... OWNER TO");
    }
    if starts_with(rest, &["INDEX"]) {
        return Form::Index("ALTER INDEX");
    }
    match known {
        Some(Some("ALTER CAST")) => Form::SyntaxError(1),
        Some(Some(form)) => Form::Ddl(form),
        // Renaming or moving an aggregate, a collation, ...: nothing the catalog records.
        _ => Form::Irrelevant("ALTER"),
    }
}

fn classify_drop(toks: &[Tok], w: &[&str]) -> Form {
    let rest = &w[1.min(w.len())..];
    if rest.is_empty() {
        return Form::SyntaxError(1);
    }
    if let Some(form) = followed("DROP", rest) {
        return match form {
            Some(form) => Form::Ddl(form),
            None => Form::Irrelevant("DROP OPERATOR CLASS"),
        };
    }
    if starts_with(rest, &["OWNED"]) {
        return Form::Unfollowed("DROP OWNED");
    }
    if starts_with(rest, &["INDEX"]) {
        return Form::Index("DROP INDEX");
    }
    if depended_on(rest) {
        let cascade = toks
            .last()
            .is_some_and(|t| is_word(Some(&t.token), "cascade"));
        return if cascade {
            Form::Unfollowed("DROP ... CASCADE")
        } else {
            Form::Irrelevant("DROP")
        };
    }
    if unrecorded(rest) {
        return Form::Irrelevant("DROP");
    }
    Form::SyntaxError(1)
}

/// `ALTER ... OWNER TO role` with nothing else in it.
fn is_owner_change(toks: &[Tok]) -> bool {
    let n = toks.len();
    n >= 3
        && is_word(Some(&toks[n - 3].token), "owner")
        && is_word(Some(&toks[n - 2].token), "to")
        && !toks.iter().any(|t| t.token == Token::Comma)
}

/// `ALTER ROLE r [IN DATABASE d] SET search_path ...` / `ALTER DATABASE d SET search_path`
/// (and their `RESET search_path` / `RESET ALL`).
fn sets_search_path(toks: &[Tok]) -> bool {
    toks.windows(2).any(|pair| {
        let (verb, what) = (Some(&pair[0].token), Some(&pair[1].token));
        (is_word(verb, "set") || is_word(verb, "reset")) && is_word(what, "search_path")
            || is_word(verb, "reset") && is_word(what, "all")
    })
}

/// `ROLLBACK` / `ABORT` (not `ROLLBACK TO SAVEPOINT`, not `ROLLBACK PREPARED`).
pub(super) fn is_rollback(toks: &[Tok]) -> bool {
    let word = |i: usize, w: &str| is_word(toks.get(i).map(|t| &t.token), w);
    (word(0, "rollback") && !word(1, "to") && !word(1, "prepared")) || word(0, "abort")
}

/// `CREATE | ALTER | DROP POLICY`.
pub(super) fn is_policy(toks: &[Tok]) -> bool {
    let word = |i: usize, w: &str| is_word(toks.get(i).map(|t| &t.token), w);
    (word(0, "create") || word(0, "alter") || word(0, "drop")) && word(1, "policy")
}

pub(super) fn mentions_set_config(toks: &[Tok]) -> bool {
    toks.iter()
        .any(|t| matches!(&t.token, Token::Word(w) if w.value.eq_ignore_ascii_case("set_config")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::tokens::tokenize;

    fn form(sql: &str) -> Form {
        classify(&tokenize(sql, 0).unwrap())
    }

    #[test]
    fn typos_are_syntax_errors_at_the_word() {
        assert_eq!(form("CREAT TABLE t (id int)"), Form::SyntaxError(0));
        assert_eq!(form("CREATE TABEL t (id int)"), Form::SyntaxError(1));
        assert_eq!(
            form("CREATE OR REPLACE VEIW v AS SELECT 1"),
            Form::SyntaxError(3)
        );
        assert_eq!(form("ALTER TABL t ADD x int"), Form::SyntaxError(1));
        assert_eq!(form("DROP TABEL t"), Form::SyntaxError(1));
        assert_eq!(form("GRANTS SELECT ON t TO x"), Form::SyntaxError(0));
        assert_eq!(form("CREATE ROUTINE f() AS 'x'"), Form::SyntaxError(1));
    }

    #[test]
    fn forms() {
        assert_eq!(
            form("CREATE UNIQUE INDEX i ON t (a)"),
            Form::Index("CREATE INDEX")
        );
        assert_eq!(
            form("create or replace view v as select 1"),
            Form::Ddl("CREATE VIEW")
        );
        assert_eq!(form("CREATE TEMP TABLE t ()"), Form::Ddl("CREATE TABLE"));
        assert_eq!(
            form("ALTER TABLE t OWNER TO x"),
            Form::Irrelevant("ALTER ... OWNER TO")
        );
        assert_eq!(form("ALTER TABLE t ADD x int"), Form::Ddl("ALTER TABLE"));
        assert_eq!(form("ALTER ROLE r SET search_path = a"), Form::Session);
        assert_eq!(
            form("ALTER ROLE r SET work_mem = '1MB'"),
            Form::Irrelevant("ALTER")
        );
        assert_eq!(form("DROP COLLATION c"), Form::Irrelevant("DROP"));
        assert_eq!(
            form("DROP COLLATION c CASCADE"),
            Form::Unfollowed("DROP ... CASCADE")
        );
        assert_eq!(form("DROP OWNED BY r"), Form::Unfollowed("DROP OWNED"));
        assert_eq!(
            form("CREATE AGGREGATE a (int) (sfunc = f, stype = int)"),
            Form::Unfollowed("CREATE AGGREGATE")
        );
        assert_eq!(form("(SELECT 1)"), Form::Irrelevant("SELECT"));
        assert_eq!(
            form("SELECT set_config('search_path', '', false)"),
            Form::Session
        );
        assert_eq!(
            form("CREATE OPERATOR CLASS c FOR TYPE int USING btree AS OPERATOR 1 <"),
            Form::Irrelevant("CREATE OPERATOR CLASS")
        );
    }
}
