//! Numbers a statement's parameters and rewrites the named ones to `$n`: positional
//! parameters keep their numbers, each distinct name takes the next number after the highest
//! positional one, in order of first appearance.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use super::ParamSlot;
use super::lex::Token;
use super::names::context_names;
use super::offsets::OffsetMap;
use super::params::{self, MAX_PARAMS, ParamRef};
use crate::diagnostic::{Diagnostic, SourceFile};

/// The SQL to send, its parameters (`params[i]` is `$(i + 1)`), and the way back to the file.
#[derive(Debug)]
pub(crate) struct Rewritten {
    pub sql: String,
    pub params: Vec<ParamSlot>,
    pub offsets: OffsetMap,
    /// The tables of `sqlc.embed(table)`, in order, as written.
    pub embeds: Vec<String>,
}

/// Rewrites the statement at `span`, whose tokens (comments left out) are `tokens`.
pub(crate) fn rewrite(
    file: &SourceFile,
    tokens: &[Token],
    span: Range<usize>,
) -> Result<Rewritten, Vec<Diagnostic>> {
    let occurrences = params::find(file, tokens)?;
    rewrite_found(file, tokens, span, &occurrences)
}

/// [`rewrite`] with the parameter uses already found (another dialect's parameter syntax).
pub(crate) fn rewrite_found(
    file: &SourceFile,
    tokens: &[Token],
    span: Range<usize>,
    occurrences: &[params::Occurrence],
) -> Result<Rewritten, Vec<Diagnostic>> {
    let src = &*file.text;

    let mut positional: BTreeMap<u32, Vec<Range<usize>>> = BTreeMap::new();
    let mut named: Vec<ParamSlot> = Vec::new();
    let mut named_index: HashMap<&str, usize> = HashMap::new();
    let mut embeds = Vec::new();
    for occurrence in occurrences {
        match &occurrence.param {
            ParamRef::Embed { table } => embeds.push(table.clone()),
            ParamRef::Positional(n) => positional
                .entry(*n)
                .or_default()
                .push(occurrence.span.clone()),
            ParamRef::Named { name, nullable } => {
                let slot = *named_index.entry(name).or_insert_with(|| {
                    named.push(ParamSlot {
                        name: Some(name.clone()),
                        nullable: false,
                        spans: Vec::new(),
                    });
                    named.len() - 1
                });
                named[slot].nullable |= nullable;
                named[slot].spans.push(occurrence.span.clone());
            }
        }
    }
    check_no_gaps(file, &positional)?;
    let highest = positional.keys().next_back().map_or(0, |&n| n as usize);
    if highest + named.len() > MAX_PARAMS as usize {
        return Err(vec![
            Diagnostic::error("too many parameters")
                .at(file, named[0].spans[0].clone())
                .label(format!("this would be parameter ${}", highest + 1))
                .note(format!(
                    "PostgreSQL allows at most {MAX_PARAMS} parameters in a statement"
                )),
        ]);
    }

    let context = context_names(src, tokens);
    let mut taken: HashSet<String> = named
        .iter()
        .filter_map(|p| p.name.as_deref())
        .map(str::to_lowercase)
        .collect();
    // Without gaps, the positional numbers are exactly 1..=highest, in order.
    let mut slots: Vec<ParamSlot> = positional
        .into_iter()
        .map(|(n, spans)| ParamSlot {
            name: context.get(&n).map(|name| unique(name, &mut taken)),
            nullable: false,
            spans,
        })
        .collect();
    slots.extend(named);

    let mut sql = String::with_capacity(span.len());
    let mut offsets = OffsetMap::new(span.clone());
    let mut copied = span.start;
    for occurrence in occurrences {
        let sent = match &occurrence.param {
            ParamRef::Named { name, .. } => occurrence
                .sent_as
                .text(highest + 1 + named_index[name.as_str()]),
            ParamRef::Embed { table } => format!("{}.*", crate::catalog::quote_ident(table)),
            ParamRef::Positional(_) => continue,
        };
        sql.push_str(&src[copied..occurrence.span.start]);
        let start = sql.len();
        sql.push_str(&sent);
        offsets.replace(start..sql.len(), occurrence.span.clone());
        copied = occurrence.span.end;
    }
    sql.push_str(&src[copied..span.end]);
    Ok(Rewritten {
        sql,
        params: slots,
        offsets,
        embeds,
    })
}

/// PostgreSQL cannot type a parameter the statement never uses, so `$1` and `$3` without `$2`
/// is an error, reported at the first use of the number after the gap.
fn check_no_gaps(
    file: &SourceFile,
    positional: &BTreeMap<u32, Vec<Range<usize>>>,
) -> Result<(), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut expected = 1;
    for (&n, spans) in positional {
        if n > expected {
            let missing = if n - 1 == expected {
                format!("parameter ${expected} is")
            } else {
                format!("parameters ${expected} to ${} are", n - 1)
            };
            errors.push(
                Diagnostic::error(format!("{missing} never used"))
                    .at(file, spans[0].clone())
                    .label(format!("`${n}` is used, but not `${expected}`"))
                    .help("number the parameters from $1 without gaps, or use named parameters (`@name`)")
                    .note("PostgreSQL cannot tell the type of a parameter the query never uses"),
            );
        }
        expected = n + 1;
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// `base`, or `base_2`, `base_3`… if the name is taken (ignoring case, since Rust names are
/// snake case): `a >= $1 AND a < $2` gives `a` and `a_2`.
fn unique(base: &str, taken: &mut HashSet<String>) -> String {
    let mut name = base.to_owned();
    let mut suffix = 2;
    while !taken.insert(name.to_lowercase()) {
        name = format!("{base}_{suffix}");
        suffix += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::lex::tokenize;

    fn run(text: &str) -> Result<Rewritten, Vec<String>> {
        let file = SourceFile::new("q.sql", text);
        let tokens: Vec<Token> = tokenize(text)
            .into_iter()
            .filter(|t| !t.is_comment())
            .collect();
        rewrite(&file, &tokens, 0..text.len()).map_err(|e| {
            e.iter()
                .map(|d| format!("{} {}", d.location().unwrap(), d.message))
                .collect()
        })
    }

    fn slot(name: &str, nullable: bool, spans: &[(usize, usize)]) -> ParamSlot {
        ParamSlot {
            name: Some(name.into()),
            nullable,
            spans: spans.iter().map(|&(s, e)| s..e).collect(),
        }
    }

    #[test]
    fn named_params_take_numbers_in_order() {
        let r = run("SELECT * FROM t WHERE b = @b AND a = sqlc.arg(a) OR b = @b").unwrap();
        assert_eq!(r.sql, "SELECT * FROM t WHERE b = $1 AND a = $2 OR b = $1");
        assert_eq!(
            r.params,
            [
                slot("b", false, &[(26, 28), (56, 58)]),
                slot("a", false, &[(37, 48)])
            ]
        );
    }

    #[test]
    fn mixed_with_positional_and_nullable() {
        let r = run(
            "UPDATE t SET note = sqlc.narg(note) WHERE id = $2 AND shop = $1 AND note <> @note",
        )
        .unwrap();
        assert_eq!(
            r.sql,
            "UPDATE t SET note = $3 WHERE id = $2 AND shop = $1 AND note <> $3"
        );
        let names: Vec<_> = r
            .params
            .iter()
            .map(|p| (p.name.as_deref(), p.nullable))
            .collect();
        assert_eq!(
            names,
            [
                (Some("shop"), false),
                (Some("id"), false),
                (Some("note"), true)
            ]
        );
    }

    #[test]
    fn inferred_names_do_not_collide() {
        let r = run("WHERE a >= $1 AND a < $2 AND b = $3 AND x = @B").unwrap();
        let names: Vec<_> = r.params.iter().map(|p| p.name.as_deref()).collect();
        assert_eq!(names, [Some("a"), Some("a_2"), Some("b_2"), Some("B")]);
    }

    #[test]
    fn gaps_are_errors() {
        assert_eq!(
            run("SELECT $1, $3").unwrap_err(),
            ["q.sql:1:12 parameter $2 is never used"]
        );
        assert_eq!(
            run("SELECT $4, $1").unwrap_err(),
            ["q.sql:1:8 parameters $2 to $3 are never used"]
        );
        assert_eq!(
            run("SELECT $2").unwrap_err(),
            ["q.sql:1:8 parameter $1 is never used"]
        );
    }

    #[test]
    fn too_many() {
        let text = format!(
            "SELECT {}, @x",
            (1..=65535)
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(run(&text).unwrap_err().len(), 1);
    }

    #[test]
    fn offsets_map_back_into_the_file() {
        let text = "SELECT @email, 'é', @id, $1";
        let r = run(text).unwrap();
        assert_eq!(r.sql, "SELECT $2, 'é', $3, $1");
        let at = |s: &str| r.offsets.file_offset(r.sql.find(s).unwrap());
        assert_eq!(at("$2"), text.find("@email").unwrap());
        assert_eq!(
            r.offsets.file_offset(r.sql.find("$2").unwrap() + 1),
            text.find("@email").unwrap()
        );
        assert_eq!(at("'é'"), text.find("'é'").unwrap());
        assert_eq!(at("$3"), text.find("@id").unwrap());
        assert_eq!(at("$1"), text.find("$1").unwrap());
        assert_eq!(r.offsets.file_offset(r.sql.len()), text.len());
    }
}
