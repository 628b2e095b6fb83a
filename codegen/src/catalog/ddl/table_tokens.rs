//! A token-level reader for `CREATE TABLE` and `ALTER TABLE`, for the statements sqlparser
//! rejects: `LIKE ... INCLUDING ALL`, `ISNULL` in a CHECK, `VIRTUAL` generated columns,
//! `WITHOUT OVERLAPS` keys, `SET SCHEMA`, `ADD GENERATED ... AS IDENTITY (SEQUENCE NAME ...)`,
//! `DROP IDENTITY`, `ALTER CONSTRAINT`, `SET STATISTICS`, `ATTACH PARTITION`, ... It follows
//! PostgreSQL's grammar closely enough to find what the catalog records (columns, types,
//! NOT NULL, defaults, identity, generated, keys) and skips the rest by balanced groups.

use std::ops::Range;

use sqlparser::tokenizer::Token;

use super::tables::{
    AlterAction, AlterTable, AsQuery, ColumnSpec, DefaultExpr, Element, LikeSpec, TableDef,
};
use crate::catalog::tokens::{Cursor, ReadError, Tok, split_commas};
use crate::catalog::type_names::{BaseType, TypeSpec, parse_type};

/// Words that start a column constraint (and so end a DEFAULT expression).
const COLUMN_CONSTRAINT_WORDS: &[&str] = &[
    "constraint",
    "not",
    "null",
    "check",
    "default",
    "generated",
    "unique",
    "primary",
    "references",
    "collate",
    "compression",
    "deferrable",
    "initially",
];

pub(super) fn create_table(c: &mut Cursor) -> Result<TableDef, ReadError> {
    c.expect_word("create")?;
    c.eat_words(&["or", "replace"]);
    c.eat_word("global");
    c.eat_word("local");
    let temporary = c.eat_word("temp") || c.eat_word("temporary");
    c.eat_word("unlogged");
    let foreign = c.eat_word("foreign");
    c.expect_word("table")?;
    let if_not_exists = c.eat_words(&["if", "not", "exists"]);
    let name_span = c.span();
    let name = c.object_name()?;
    let mut def = TableDef::new(name, name_span.start..c.span().start.max(name_span.end));
    def.temporary = temporary;
    def.if_not_exists = if_not_exists;
    def.foreign = foreign;

    let mut typed = false;
    if c.eat_word("of") {
        // A type's name only: the parenthesis after it is the column list.
        let span = c.span();
        def.of_type = Some(TypeSpec {
            base: BaseType::Named {
                name: c.object_name()?,
                mods: vec![],
            },
            array_dims: 0,
            span,
        });
        typed = true;
    } else if c.eat_words(&["partition", "of"]) {
        let span = c.span();
        def.partition_of = Some((c.object_name()?, span));
        typed = true;
    }
    if c.is(&Token::LParen) {
        let inner = c.parenthesized()?;
        // `CREATE TABLE t (a, b) AS ...`: a column name list.
        let is_name_list = !typed
            && split_commas(inner)
                .iter()
                .all(|part| matches!(part, [t] if matches!(t.token, Token::Word(_))));
        if is_name_list && has_top_level_as(c.rest()) {
            let columns = split_commas(inner)
                .iter()
                .map(|part| Cursor::new(part).ident())
                .collect::<Result<_, _>>()?;
            def.as_query = Some(as_query(c, columns)?);
            return Ok(def);
        }
        let parts = split_commas(inner);
        for part in &parts {
            if part.is_empty() && parts.len() > 1 {
                return Err(c.error("syntax error: an empty element in the column list"));
            }
            if !part.is_empty() {
                def.elements.push(element(part, typed)?);
            }
        }
    } else if !typed {
        def.as_query = Some(as_query(c, vec![])?);
        return Ok(def);
    }
    // The tail: INHERITS, PARTITION BY, FOR VALUES, storage options.
    while !c.at_end() {
        if c.eat_word("inherits") {
            let inner = c.parenthesized()?;
            for part in split_commas(inner) {
                let span = part.first().map_or(0..0, |t| t.span.clone());
                def.inherits.push((Cursor::new(part).object_name()?, span));
            }
        } else if c.eat_words(&["partition", "by"]) {
            def.partitioned = true;
        } else if c.is_word("as") {
            def.as_query = Some(as_query(c, vec![])?);
            return Ok(def);
        } else {
            c.skip_one();
        }
    }
    Ok(def)
}

fn has_top_level_as(rest: &[Tok]) -> bool {
    let mut c = Cursor::new(rest);
    c.skip_until_word(&["as"]);
    !c.at_end()
}

/// `AS query [WITH [NO] DATA]` after the table's name and options.
fn as_query(c: &mut Cursor, columns: Vec<String>) -> Result<AsQuery, ReadError> {
    c.skip_until_word(&["as"]);
    c.expect_word("as")?;
    let span =
        super::views::query_span(c.rest()).ok_or_else(|| c.error("expected a query after AS"))?;
    Ok(AsQuery {
        columns,
        span,
        ast: None,
    })
}

/// One element of the parenthesised list.
fn element(part: &[Tok], typed: bool) -> Result<Element, ReadError> {
    let mut c = Cursor::new(part);
    if c.eat_word("like") {
        return like(&mut c);
    }
    if [
        "constraint",
        "check",
        "unique",
        "primary",
        "exclude",
        "foreign",
    ]
    .iter()
    .any(|w| c.is_word(w))
    {
        return table_constraint(&mut c);
    }
    let span = c.span();
    let name = c.ident()?;
    let ty = if typed && (c.at_end() || c.is_word("with") || is_constraint_start(&c)) {
        c.eat_words(&["with", "options"]);
        None
    } else {
        Some(parse_type(&mut c)?)
    };
    let mut spec = ColumnSpec::new(name, span, ty);
    column_constraints(&mut c, &mut spec)?;
    Ok(Element::Column(spec))
}

fn is_constraint_start(c: &Cursor) -> bool {
    COLUMN_CONSTRAINT_WORDS.iter().any(|w| c.is_word(w))
}

/// Column constraints and options after the type, until the end of the element.
pub(super) fn column_constraints(c: &mut Cursor, spec: &mut ColumnSpec) -> Result<(), ReadError> {
    while !c.at_end() {
        if c.eat_word("constraint") {
            c.ident()?;
        } else if c.eat_words(&["not", "null"]) {
            spec.not_null = true;
        } else if c.eat_word("null") {
        } else if c.eat_words(&["primary", "key"]) {
            spec.primary_key = true;
            skip_index_parameters(c);
        } else if c.eat_word("default") {
            spec.default = Some(default_expr(c));
        } else if c.eat_words(&["generated", "always", "as", "identity"])
            || c.eat_words(&["generated", "by", "default", "as", "identity"])
        {
            spec.identity = Some(identity_sequence_name(c)?);
        } else if c.eat_words(&["generated", "always", "as"]) {
            c.parenthesized()?;
            // STORED, or VIRTUAL (PostgreSQL 18): generated either way.
            if !(c.eat_word("stored") || c.eat_word("virtual")) {
                return Err(c.error("expected STORED"));
            }
            spec.generated = true;
        } else if c.eat_word("check") {
            c.parenthesized()?;
            c.eat_words(&["no", "inherit"]);
        } else if c.eat_word("unique") {
            c.eat_words(&["nulls", "not", "distinct"]);
            c.eat_words(&["nulls", "distinct"]);
            skip_index_parameters(c);
        } else if c.eat_word("references") {
            c.object_name()?;
            skip_references(c);
        } else if c.eat_word("collate") || c.eat_word("compression") {
            c.object_name()?;
        } else if c.eat_words(&["not", "deferrable"])
            || c.eat_word("deferrable")
            || c.eat_words(&["initially", "deferred"])
            || c.eat_words(&["initially", "immediate"])
        {
        } else {
            return Err(c.error("unexpected token in column definition"));
        }
    }
    Ok(())
}

/// INCLUDE (...), WITH (...), USING INDEX TABLESPACE x.
fn skip_index_parameters(c: &mut Cursor) {
    loop {
        if c.eat_word("include")
            || c.eat_word("with")
            || c.eat_words(&["using", "index", "tablespace"])
        {
            c.skip_one();
        } else {
            return;
        }
    }
}

/// Skips the rest of a REFERENCES clause: columns, MATCH, ON DELETE/UPDATE actions.
fn skip_references(c: &mut Cursor) {
    if c.is(&Token::LParen) {
        c.skip_one();
    }
    loop {
        if c.eat_word("match") {
            c.next();
        } else if c.eat_word("on") {
            c.next(); // DELETE / UPDATE
            if c.eat_words(&["set", "null"]) || c.eat_words(&["set", "default"]) {
                if c.is(&Token::LParen) {
                    c.skip_one();
                }
            } else if !c.eat_words(&["no", "action"]) {
                c.next(); // CASCADE / RESTRICT
            }
        } else {
            return;
        }
    }
}

/// `DEFAULT expr`: the expression runs to the next column constraint at top level (CASE ...
/// END counts as a group). Returns whether it is a plain NULL.
fn default_expr(c: &mut Cursor) -> DefaultExpr {
    let start = c.pos();
    let mut case_depth = 0usize;
    while !c.at_end() {
        if c.is_word("case") {
            case_depth += 1;
        } else if c.is_word("end") {
            case_depth = case_depth.saturating_sub(1);
        } else if case_depth == 0 && c.pos() > start && is_constraint_start(c) {
            break;
        }
        c.skip_one();
    }
    let end = c.pos();
    c.set_pos(start);
    let mut e = Cursor::new(&c.rest()[..end - start]);
    c.set_pos(end);
    while e.is(&Token::LParen) {
        let inner = e.parenthesized().unwrap_or(&[]);
        if !e.at_end() {
            return DefaultExpr::Value;
        }
        e = Cursor::new(inner);
    }
    let null = |e: &mut Cursor| e.eat_word("null") && (e.at_end() || e.is(&Token::DoubleColon));
    let cast_of_null = |e: &mut Cursor| {
        e.eat_word("cast")
            && e.parenthesized().is_ok_and(|inner| {
                crate::catalog::tokens::is_word(inner.first().map(|t| &t.token), "null")
            })
            && e.at_end()
    };
    let start = e.pos();
    if null(&mut e) || {
        e.set_pos(start);
        cast_of_null(&mut e)
    } {
        DefaultExpr::Null
    } else {
        DefaultExpr::Value
    }
}

/// `( SEQUENCE NAME x START ... )` after AS IDENTITY: the sequence's name if given.
fn identity_sequence_name(c: &mut Cursor) -> Result<Option<Vec<String>>, ReadError> {
    if !c.is(&Token::LParen) {
        return Ok(None);
    }
    let inner = c.parenthesized()?;
    let mut o = Cursor::new(inner);
    while !o.at_end() {
        if o.eat_words(&["sequence", "name"]) {
            return Ok(Some(o.object_name()?));
        }
        o.skip_one();
    }
    Ok(None)
}

fn like(c: &mut Cursor) -> Result<Element, ReadError> {
    let span = c.span();
    let source = c.object_name()?;
    let mut spec = LikeSpec {
        source,
        span,
        defaults: false,
        identity: false,
        generated: false,
    };
    while !c.at_end() {
        let including = if c.eat_word("including") {
            true
        } else if c.eat_word("excluding") {
            false
        } else {
            return Err(c.error("expected INCLUDING or EXCLUDING"));
        };
        let option = c.ident()?;
        match option.as_str() {
            "all" => {
                spec.defaults = including;
                spec.identity = including;
                spec.generated = including;
            }
            "defaults" => spec.defaults = including,
            "identity" => spec.identity = including,
            "generated" => spec.generated = including,
            _ => {}
        }
    }
    Ok(Element::Like(spec))
}

fn table_constraint(c: &mut Cursor) -> Result<Element, ReadError> {
    if c.eat_word("constraint") {
        c.ident()?;
    }
    let span = c.span();
    if c.eat_words(&["primary", "key"]) {
        if c.is_word("using") {
            return Err(c.error("squill cannot tell the columns of PRIMARY KEY USING INDEX"));
        }
        let columns = key_columns(c)?;
        return Ok(Element::PrimaryKey(columns, span));
    }
    Ok(Element::Constraint)
}

/// `(a, b, period WITHOUT OVERLAPS)`: the column names.
fn key_columns(c: &mut Cursor) -> Result<Vec<String>, ReadError> {
    let inner = c.parenthesized()?;
    split_commas(inner)
        .into_iter()
        .map(|part| Cursor::new(part).ident())
        .collect()
}

pub(super) fn alter_table(c: &mut Cursor) -> Result<AlterTable, ReadError> {
    c.expect_word("alter")?;
    c.eat_word("foreign");
    c.expect_word("table")?;
    let if_exists = c.eat_words(&["if", "exists"]);
    let only = c.eat_word("only");
    let name_start = c.span();
    let name = c.object_name()?;
    let name_span = name_start.start..c.span().start.max(name_start.end);
    c.eat(&Token::Mul);
    let mut actions = Vec::new();
    if c.is_word("rename") || c.is_word("set") && c.is_word_at(1, "schema") {
        actions.push(alter_action(c.rest())?);
    } else {
        for part in split_commas(c.rest()) {
            actions.push(alter_action(part)?);
        }
    }
    Ok(AlterTable {
        name,
        name_span,
        if_exists,
        only,
        actions,
    })
}

fn alter_action(part: &[Tok]) -> Result<(AlterAction, Range<usize>), ReadError> {
    let mut c = Cursor::new(part);
    let span = c.span();
    let action = if c.eat_word("add") {
        if [
            "constraint",
            "check",
            "unique",
            "primary",
            "exclude",
            "foreign",
        ]
        .iter()
        .any(|w| c.is_word(w))
        {
            match table_constraint(&mut c)? {
                Element::PrimaryKey(columns, _) => AlterAction::AddPrimaryKey(columns),
                _ => AlterAction::Irrelevant,
            }
        } else {
            c.eat_word("column");
            let if_not_exists = c.eat_words(&["if", "not", "exists"]);
            let span = c.span();
            let name = c.ident()?;
            let ty = parse_type(&mut c)?;
            let mut column = ColumnSpec::new(name, span, Some(ty));
            column_constraints(&mut c, &mut column)?;
            AlterAction::AddColumn {
                if_not_exists,
                column,
            }
        }
    } else if c.eat_word("drop") {
        if c.eat_word("constraint") {
            AlterAction::Irrelevant
        } else {
            c.eat_word("column");
            let if_exists = c.eat_words(&["if", "exists"]);
            let name = c.ident()?;
            let cascade = c.eat_word("cascade");
            AlterAction::DropColumn {
                name,
                if_exists,
                cascade,
            }
        }
    } else if c.eat_word("alter") {
        if c.eat_word("constraint") {
            AlterAction::Irrelevant
        } else {
            // COLUMN is a reserved word: unquoted, it is never the column's name.
            c.eat_word("column");
            let column = c.ident()?;
            alter_column(&mut c, column)?
        }
    } else if c.eat_word("rename") {
        if c.eat_word("to") {
            AlterAction::RenameTo(c.ident()?)
        } else if c.eat_word("constraint") {
            AlterAction::Irrelevant
        } else {
            c.eat_word("column");
            let from = c.ident()?;
            c.expect_word("to")?;
            AlterAction::RenameColumn {
                from,
                to: c.ident()?,
            }
        }
    } else if c.eat_words(&["set", "schema"]) {
        AlterAction::SetSchema(c.ident()?)
    } else if c.eat_words(&["attach", "partition"]) {
        AlterAction::Link {
            other: c.object_name()?,
            altered_is_parent: true,
        }
    } else if c.eat_words(&["detach", "partition"]) {
        AlterAction::Unlink {
            other: c.object_name()?,
            altered_is_parent: true,
        }
    } else if c.eat_word("inherit") {
        AlterAction::Link {
            other: c.object_name()?,
            altered_is_parent: false,
        }
    } else if c.eat_words(&["no", "inherit"]) {
        AlterAction::Unlink {
            other: c.object_name()?,
            altered_is_parent: false,
        }
    } else {
        // SET/RESET storage parameters, triggers, rules, row level security, CLUSTER,
        // INHERIT, OF, OWNER TO, REPLICA IDENTITY, VALIDATE CONSTRAINT, ...
        return Ok((AlterAction::Irrelevant, span));
    };
    Ok((action, span))
}

fn alter_column(c: &mut Cursor, column: String) -> Result<AlterAction, ReadError> {
    Ok(
        if c.eat_words(&["set", "data", "type"]) || c.eat_word("type") {
            AlterAction::ColumnType {
                column,
                ty: parse_type(c)?,
            }
        } else if c.eat_words(&["set", "default"]) {
            AlterAction::SetDefault(column, default_expr(c))
        } else if c.eat_words(&["drop", "default"]) {
            AlterAction::DropDefault(column)
        } else if c.eat_words(&["set", "not", "null"]) {
            AlterAction::SetNotNull(column)
        } else if c.eat_words(&["drop", "not", "null"]) {
            AlterAction::DropNotNull(column)
        } else if c.eat_words(&["drop", "expression"]) {
            AlterAction::DropExpression {
                column,
                if_exists: c.eat_words(&["if", "exists"]),
            }
        } else if c.eat_words(&["add", "generated"]) {
            c.skip_until_word(&["identity"]);
            c.expect_word("identity")?;
            AlterAction::AddIdentity {
                column,
                sequence: identity_sequence_name(c)?,
            }
        } else if c.eat_words(&["drop", "identity"]) {
            AlterAction::DropIdentity {
                column,
                if_exists: c.eat_words(&["if", "exists"]),
            }
        } else {
            // SET STATISTICS, SET STORAGE, SET COMPRESSION, SET/RESET (...), SET GENERATED,
            // RESTART, sequence options of an identity.
            AlterAction::Irrelevant
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::tokens::tokenize;

    fn create(sql: &str) -> TableDef {
        let toks = tokenize(sql, 0).unwrap();
        create_table(&mut Cursor::new(&toks)).unwrap()
    }

    #[test]
    fn reads_what_sqlparser_rejects() {
        let def = create(
            "CREATE TABLE t (LIKE v1_slot INCLUDING ALL, extra int DEFAULT NULL, \
             g int GENERATED ALWAYS AS (a * 2) VIRTUAL, \
             c text CHECK (c ISNULL) DEFAULT CASE WHEN true THEN NULL END NOT NULL, \
             PRIMARY KEY (a, valid_at WITHOUT OVERLAPS))",
        );
        assert_eq!(def.elements.len(), 5);
        let Element::Like(like) = &def.elements[0] else {
            panic!()
        };
        assert!(like.defaults && like.identity && like.generated);
        let Element::Column(extra) = &def.elements[1] else {
            panic!()
        };
        assert_eq!(extra.default, Some(DefaultExpr::Null));
        let Element::Column(g) = &def.elements[2] else {
            panic!()
        };
        assert!(g.generated);
        let Element::Column(col) = &def.elements[3] else {
            panic!()
        };
        assert_eq!(col.default, Some(DefaultExpr::Value));
        assert!(col.not_null);
        let Element::PrimaryKey(keys, _) = &def.elements[4] else {
            panic!()
        };
        assert_eq!(keys, &["a", "valid_at"]);
    }

    #[test]
    fn reads_partitions_and_options() {
        let def = create(
            "CREATE TABLE p1 PARTITION OF p (b WITH OPTIONS NOT NULL, PRIMARY KEY (a)) \
             FOR VALUES IN (1) PARTITION BY LIST (b)",
        );
        assert!(def.partition_of.is_some());
        assert!(def.partitioned);
        let Element::Column(b) = &def.elements[0] else {
            panic!()
        };
        assert!(b.ty.is_none() && b.not_null);
    }
}
