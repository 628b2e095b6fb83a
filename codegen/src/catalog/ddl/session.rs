//! The session the DDL runs in: its search path (`SET search_path`, pg_dump's
//! `set_config('search_path', '', false)`, `SET LOCAL`, `RESET`), transactions (which end
//! `SET LOCAL`), and temporary tables (which live in `pg_temp` and never reach the catalog).
//!
//! Also what later sessions start with: `ALTER ROLE ... SET search_path` and `ALTER DATABASE
//! ... SET search_path` (`pg_db_role_setting`), from which [`Loader::finish`] decides the
//! search path of the application's sessions (see [`app_search_path`]).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use sqlparser::tokenizer::Token;

use super::{Applied, Loader, Problem, Stmt};
use crate::catalog::tokens::{Cursor, fold_ident, split_commas};
use crate::diagnostic::Diagnostic;

#[derive(Debug, Clone)]
pub(in crate::catalog) struct Session {
    /// As set: may hold `$user`, `pg_catalog`, `pg_temp` and schemas that do not exist.
    search_path: Vec<String>,
    /// `SET LOCAL search_path`, until the transaction ends.
    local_search_path: Option<Vec<String>>,
    /// Temporary relations (and views) created so far.
    pub temp_relations: BTreeSet<String>,
    /// `pg_db_role_setting` for `search_path`: by (role, database), `None` for `ALL` / any.
    pub stored: BTreeMap<SettingKey, StoredPath>,
}

/// `(role, database)` of a stored setting; `None` for all roles / any database.
pub(in crate::catalog) type SettingKey = (Option<String>, Option<String>);

/// A search path stored for new sessions, and the statement that stored it.
#[derive(Debug, Clone)]
pub(in crate::catalog) struct StoredPath {
    pub path: Vec<String>,
    pub file: crate::diagnostic::SourceFile,
    pub span: Range<usize>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            search_path: default_search_path(),
            local_search_path: None,
            temp_relations: BTreeSet::new(),
            stored: BTreeMap::new(),
        }
    }
}

fn default_search_path() -> Vec<String> {
    vec!["$user".to_string(), "public".to_string()]
}

impl Session {
    /// The search path in effect, as set.
    pub fn search_path(&self) -> &[String] {
        self.local_search_path
            .as_deref()
            .unwrap_or(&self.search_path)
    }

    /// Each file runs as one transaction (or batch): `SET LOCAL` ends with it.
    pub fn end_of_file(&mut self) {
        self.local_search_path = None;
    }

    fn end_transaction(&mut self) {
        self.local_search_path = None;
    }

    /// `name` (unqualified, or in `pg_temp`) names a temporary relation.
    pub fn is_temp(&self, parts: &[String]) -> bool {
        match parts {
            [name] => self.temp_relations.contains(name),
            [schema, name] if schema.starts_with("pg_temp") => self.temp_relations.contains(name),
            _ => false,
        }
    }
}

impl Loader {
    /// `SET`, `RESET`, `SELECT set_config(...)`, `DISCARD`, and transaction control.
    pub(super) fn session_statement(&mut self, stmt: &Stmt) -> Applied {
        let mut c = Cursor::new(&stmt.toks);
        if c.eat_word("set") {
            let local = if c.eat_word("local") {
                true
            } else {
                c.eat_word("session");
                false
            };
            let path = if c.eat_word("search_path") {
                if !(c.eat(&Token::Eq) || c.eat_word("to")) {
                    return Err(c.error("expected TO or =").into());
                }
                if c.eat_word("default") {
                    default_search_path()
                } else {
                    set_list(c.rest())
                }
            } else if c.eat_word("schema") {
                // `SET SCHEMA 'name'` is `SET search_path TO 'name'`.
                set_list(c.rest())
            } else {
                return Ok(());
            };
            self.set_search_path(path, local);
        } else if c.eat_word("reset") {
            if c.eat_word("search_path") || c.eat_word("all") {
                self.session.search_path = default_search_path();
                self.session.local_search_path = None;
            }
        } else if c.eat_word("discard") {
            if c.eat_word("all") {
                self.session.search_path = default_search_path();
                self.session.local_search_path = None;
                self.session.temp_relations.clear();
            } else if c.eat_word("temp") || c.eat_word("temporary") {
                self.session.temp_relations.clear();
            }
        } else if c.eat_word("select") {
            self.set_config(stmt)?;
        } else if c.eat_word("alter") {
            self.alter_role_or_database(stmt, &mut c)?;
        } else if ["commit", "end", "abort"].iter().any(|w| c.is_word(w))
            || (c.is_word("rollback") && !c.is_word_at(1, "to"))
        {
            self.session.end_transaction();
        }
        Ok(())
    }

    /// `ALTER ROLE r [IN DATABASE d] SET search_path ...`, `ALTER ROLE ALL ...`, `ALTER USER`,
    /// `ALTER DATABASE d SET search_path ...`, their `RESET search_path` and `SET ... FROM
    /// CURRENT`.
    fn alter_role_or_database(&mut self, stmt: &Stmt, c: &mut Cursor) -> Applied {
        let (role, database) = if c.eat_word("database") {
            (None, Some(c.ident()?))
        } else if c.eat_word("role") || c.eat_word("user") {
            let role = if c.eat_word("all") {
                None
            } else {
                Some(c.ident()?)
            };
            let database = if c.eat_words(&["in", "database"]) {
                Some(c.ident()?)
            } else {
                None
            };
            (role, database)
        } else {
            return Err(c.error("expected ROLE, USER or DATABASE").into());
        };
        let key = (role, database);
        if c.eat_word("reset") {
            self.session.stored.remove(&key);
            return Ok(());
        }
        c.expect_word("set")?;
        c.expect_word("search_path")?;
        let path = if c.eat_words(&["from", "current"]) {
            self.session.search_path().to_vec()
        } else {
            if !(c.eat(&Token::Eq) || c.eat_word("to")) {
                return Err(c.error("expected TO or =").into());
            }
            if c.eat_word("default") {
                self.session.stored.remove(&key);
                return Ok(());
            }
            set_list(c.rest())
        };
        self.session.stored.insert(
            key,
            StoredPath {
                path,
                file: stmt.file.clone(),
                span: stmt.head(),
            },
        );
        Ok(())
    }

    fn set_search_path(&mut self, path: Vec<String>, local: bool) {
        if local {
            self.session.local_search_path = Some(path);
        } else {
            self.session.search_path = path;
            self.session.local_search_path = None;
        }
    }

    /// `SELECT [pg_catalog.]set_config('search_path', 'a, b', is_local)`.
    fn set_config(&mut self, stmt: &Stmt) -> Applied {
        let toks = &stmt.toks;
        let Some(at) = toks.iter().position(
            |t| matches!(&t.token, Token::Word(w) if w.value.eq_ignore_ascii_case("set_config")),
        ) else {
            return Ok(());
        };
        let mut c = Cursor::new(&toks[at + 1..]);
        let args = c.parenthesized()?;
        let args = split_commas(args);
        let string = |part: &[crate::catalog::tokens::Tok]| match part {
            [t] => match &t.token {
                Token::SingleQuotedString(s) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        };
        if args.len() != 3 || string(args[0]).as_deref() != Some("search_path") {
            return Ok(());
        }
        let Some(value) = string(args[1]) else {
            return Err(Problem::new(
                "set_config('search_path', ...) with a value that is not a literal",
            )
            .at(stmt.head()));
        };
        let local =
            matches!(args[2], [t] if crate::catalog::tokens::is_word(Some(&t.token), "true"));
        self.set_search_path(split_identifier_string(&value), local);
        Ok(())
    }
}

/// The search path the application's sessions start with, and the user `"$user"` stands for
/// in it when that is known; a warning when the schema leaves it ambiguous.
///
/// At connection PostgreSQL applies the stored setting for the role in the database, else for
/// the role, else for the database, else for all roles (`pg_db_role_setting`), else the
/// server's default `"$user", public`. Offline the application's role and database are not
/// known: a level where every stored setting agrees (typically one `ALTER ROLE app SET
/// search_path`) is taken; one where they disagree is reported and passed over. A plain `SET
/// search_path` in the schema is not taken: it lasts for the session that applies the schema
/// (pg_dump sets `''` there, and qualifies every name).
pub(super) fn app_search_path(
    stored: &BTreeMap<SettingKey, StoredPath>,
) -> (Vec<String>, Option<String>, Option<Diagnostic>) {
    let levels: [&dyn Fn(&SettingKey) -> bool; 3] = [
        &|(role, _)| role.is_some(),
        &|(role, database)| role.is_none() && database.is_some(),
        &|(role, database)| role.is_none() && database.is_none(),
    ];
    let mut warning = None;
    for level in levels {
        // Role-and-database settings before the role's own: the most specific one per role.
        let entries: Vec<(&SettingKey, &StoredPath)> =
            stored.iter().filter(|(key, _)| level(key)).collect();
        let Some((_, first)) = entries.first() else {
            continue;
        };
        if entries.iter().all(|(_, s)| s.path == first.path) {
            let roles: BTreeSet<&String> = entries
                .iter()
                .filter_map(|((r, _), _)| r.as_ref())
                .collect();
            let user = (roles.len() == 1)
                .then(|| roles.into_iter().next().cloned())
                .flatten();
            return (first.path.clone(), user, warning);
        }
        if warning.is_none() {
            let listed: Vec<String> = entries
                .iter()
                .map(|((role, database), s)| {
                    let who = match (role, database) {
                        (Some(r), Some(d)) => format!("role {r} in database {d}"),
                        (Some(r), None) => format!("role {r}"),
                        (None, Some(d)) => format!("database {d}"),
                        (None, None) => "all roles".to_string(),
                    };
                    format!("{who}: {}", s.path.join(", "))
                })
                .collect();
            let (_, last) = entries[entries.len() - 1];
            warning = Some(
                Diagnostic::warning(
                    "the schema stores different search paths for new sessions; squill cannot \
                     tell which one the application's sessions get",
                )
                .at(&last.file, last.span.clone())
                .note(listed.join("; "))
                .help("set `search_path` in squill.toml to the one the application uses"),
            );
        }
    }
    (default_search_path(), None, warning)
}

/// The values of `SET search_path TO a, "B", 'c'`: identifiers folded, strings taken as names.
fn set_list(toks: &[crate::catalog::tokens::Tok]) -> Vec<String> {
    split_commas(toks)
        .into_iter()
        .filter_map(|part| match part {
            [t] => match &t.token {
                Token::Word(w) => Some(fold_ident(&w.value, w.quote_style.is_some())),
                Token::SingleQuotedString(s) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// PostgreSQL's `SplitIdentifierString` for a list setting given as one string:
/// `'"$user", public'` → `["$user", "public"]`, `''` → `[]`.
fn split_identifier_string(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = value.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&first) = chars.peek() else {
            break;
        };
        let mut name = String::new();
        if first == '"' {
            chars.next();
            while let Some(c) = chars.next() {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        name.push('"');
                    } else {
                        break;
                    }
                } else {
                    name.push(c);
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' || c.is_whitespace() {
                    break;
                }
                name.push(c);
                chars.next();
            }
            name = fold_ident(&name, false);
        }
        out.push(name);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some(',') {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_setting_strings() {
        assert_eq!(split_identifier_string(""), Vec::<String>::new());
        assert_eq!(
            split_identifier_string("\"$user\", Public"),
            ["$user", "public"]
        );
        assert_eq!(split_identifier_string("a,\"B c\""), ["a", "B c"]);
    }
}
