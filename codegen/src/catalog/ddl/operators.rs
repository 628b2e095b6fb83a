//! Operators (`CREATE OPERATOR`, with the shell operators its `COMMUTATOR` and `NEGATOR`
//! create; `ALTER OPERATOR ... SET SCHEMA`; `DROP OPERATOR`) and casts (`CREATE CAST`,
//! `DROP CAST`), read at token level: sqlparser's tokenizer splits some operator symbols
//! (`===` into `==` and `=`), so the symbol is the source text of adjacent tokens.
//!
//! The analyzer does not resolve user-defined operators or casts; it needs to know they exist
//! (an operator of a name the schema defines, or a cast the schema defines, may match where
//! the builtins do not).

use std::collections::BTreeSet;
use std::ops::Range;

use sqlparser::tokenizer::Token;

use super::{Applied, Loader, Problem, Stmt};
use crate::catalog::tokens::{Cursor, ReadError, split_commas};
use crate::catalog::type_names::parse_type;
use crate::catalog::{Cast, Operator, QualifiedName, TypeName};

/// An operator's name as written: `[schema.]symbol`.
struct OperatorName {
    parts: Vec<String>,
    span: Range<usize>,
}

impl Loader {
    /// `CREATE OPERATOR`, `ALTER OPERATOR`, `DROP OPERATOR`, `CREATE CAST`, `DROP CAST`.
    pub(super) fn operator_or_cast(&mut self, stmt: &Stmt) -> Applied {
        let mut c = Cursor::new(&stmt.toks);
        let verb = c.ident()?;
        match (verb.as_str(), c.ident()?.as_str()) {
            ("create", "operator") => self.create_operator(stmt, &mut c),
            ("alter", "operator") => self.alter_operator(stmt, &mut c),
            ("drop", "operator") => self.drop_operators(stmt, &mut c),
            ("create", "cast") => {
                let cast = self.cast_signature(stmt, &mut c)?;
                if !self.cat.casts.insert(cast.clone()) {
                    return Err(Problem::new(format!(
                        "cast from type {} to type {} already exists",
                        cast.source.display(),
                        cast.target.display()
                    ))
                    .at(stmt.head()));
                }
                Ok(())
            }
            ("drop", "cast") => {
                let if_exists = c.eat_words(&["if", "exists"]);
                let cast = self.cast_signature(stmt, &mut c)?;
                if !self.cat.casts.remove(&cast) && !if_exists {
                    return Err(Problem::new(format!(
                        "cast from type {} to type {} does not exist",
                        cast.source.display(),
                        cast.target.display()
                    ))
                    .at(stmt.head()));
                }
                Ok(())
            }
            _ => Err(Problem::new("not an operator or cast statement").at(stmt.head())),
        }
    }

    /// `CREATE OPERATOR name ( LEFTARG = t, RIGHTARG = t, FUNCTION = f, COMMUTATOR = op,
    /// NEGATOR = op, ... )`. Defining an operator a `COMMUTATOR` or `NEGATOR` made a shell of
    /// fills the shell in; a commutator or negator that does not exist is made a shell.
    fn create_operator(&mut self, stmt: &Stmt, c: &mut Cursor) -> Applied {
        let name = operator_name(stmt, c)?;
        let qn = self.creation_name(&name.parts, name.span.clone())?;
        let mut left = None;
        let mut right = None;
        let mut others = Vec::new();
        for part in split_commas(c.parenthesized()?) {
            let mut p = Cursor::new(part);
            let key = p.ident()?;
            if !p.eat(&Token::Eq) {
                // HASHES, MERGES
                continue;
            }
            match key.as_str() {
                "leftarg" => left = Some(self.operand_type(stmt, &mut p)?),
                "rightarg" => right = Some(self.operand_type(stmt, &mut p)?),
                "commutator" => others.push((true, operator_name(stmt, &mut p)?)),
                "negator" => others.push((false, operator_name(stmt, &mut p)?)),
                _ => {}
            }
        }
        let Some(right) = right else {
            return Err(Problem::new(if left.is_none() {
                "at least one of leftarg or rightarg must be specified"
            } else {
                "operator right argument type must be specified"
            })
            .at(name.span));
        };
        let this = Operator {
            name: qn.clone(),
            left: left.clone(),
            right: right.clone(),
        };
        if self.cat.operators.contains(&this) && !self.shell_operators.remove(&this) {
            return Err(Problem::new(format!("operator {} already exists", qn.name)).at(name.span));
        }
        self.cat.operators.insert(this);
        for (commutator, other) in others {
            let (other_left, other_right) = if commutator {
                let Some(left) = left.clone() else {
                    return Err(
                        Problem::new("only binary operators can have commutators").at(other.span)
                    );
                };
                (Some(right.clone()), left)
            } else {
                (left.clone(), right.clone())
            };
            if self
                .find_operator(&other.parts, &other_left, &other_right)
                .is_some()
            {
                continue;
            }
            let shell = Operator {
                name: self.creation_name(&other.parts, other.span.clone())?,
                left: other_left,
                right: other_right,
            };
            self.shell_operators.insert(shell.clone());
            self.cat.operators.insert(shell);
        }
        Ok(())
    }

    /// `ALTER OPERATOR name (left, right) SET SCHEMA s` (other forms change nothing recorded).
    fn alter_operator(&mut self, stmt: &Stmt, c: &mut Cursor) -> Applied {
        let name = operator_name(stmt, c)?;
        let (left, right) = self.operand_types(stmt, c)?;
        let Some(found) = self.find_operator(&name.parts, &left, &right) else {
            return Err(missing_operator(&name, &left, &right));
        };
        if c.eat_words(&["set", "schema"]) {
            let schema = c.ident()?;
            if !self.cat.schemas.contains(&schema) {
                return Err(Problem::new(format!("schema \"{schema}\" does not exist"))
                    .at(stmt.find_ident(&schema)));
            }
            let moved = Operator {
                name: QualifiedName::new(schema, &found.name.name),
                ..found.clone()
            };
            if moved != found && self.cat.operators.contains(&moved) {
                return Err(Problem::new(format!(
                    "operator {} already exists in schema \"{}\"",
                    moved.name.name, moved.name.schema
                ))
                .at(name.span));
            }
            self.cat.operators.remove(&found);
            if self.shell_operators.remove(&found) {
                self.shell_operators.insert(moved.clone());
            }
            self.cat.operators.insert(moved);
        }
        Ok(())
    }

    /// `DROP OPERATOR [IF EXISTS] name (left, right) [, ...] [CASCADE | RESTRICT]`.
    fn drop_operators(&mut self, stmt: &Stmt, c: &mut Cursor) -> Applied {
        let if_exists = c.eat_words(&["if", "exists"]);
        loop {
            let name = operator_name(stmt, c)?;
            let (left, right) = self.operand_types(stmt, c)?;
            match self.find_operator(&name.parts, &left, &right) {
                Some(found) => {
                    self.cat.operators.remove(&found);
                    self.shell_operators.remove(&found);
                }
                None if if_exists => {}
                None => return Err(missing_operator(&name, &left, &right)),
            }
            if !c.eat(&Token::Comma) {
                return Ok(());
            }
        }
    }

    /// The operator `parts` names with these operand types: in its schema, or the first of
    /// the search path's schemas that has it.
    fn find_operator(
        &self,
        parts: &[String],
        left: &Option<TypeName>,
        right: &TypeName,
    ) -> Option<Operator> {
        let (schemas, symbol) = match parts {
            [symbol] => (self.lookup_schemas(), symbol),
            [.., schema, symbol] => (vec![schema.clone()], symbol),
            [] => return None,
        };
        schemas.into_iter().find_map(|schema| {
            let op = Operator {
                name: QualifiedName::new(schema, symbol),
                left: left.clone(),
                right: right.clone(),
            };
            self.cat.operators.contains(&op).then_some(op)
        })
    }

    /// An operand type as `pg_operator` records it (no type modifier).
    fn operand_type(&mut self, stmt: &Stmt, c: &mut Cursor) -> Result<TypeName, Problem> {
        let spec = parse_type(c)?;
        Ok(self
            .resolve_type(stmt, &spec)?
            .without_typmod()
            .undimensioned())
    }

    /// `( {left | NONE} , right )`.
    fn operand_types(
        &mut self,
        stmt: &Stmt,
        c: &mut Cursor,
    ) -> Result<(Option<TypeName>, TypeName), Problem> {
        let span = c.span();
        let inner = c.parenthesized()?;
        let [left, right] = split_commas(inner)[..] else {
            return Err(Problem::new("expected the operator's two operand types").at(span));
        };
        let mut l = Cursor::new(left);
        let left = if l.eat_word("none") {
            None
        } else {
            Some(self.operand_type(stmt, &mut l)?)
        };
        let right = self.operand_type(stmt, &mut Cursor::new(right))?;
        Ok((left, right))
    }

    /// `( source AS target )`.
    fn cast_signature(&mut self, stmt: &Stmt, c: &mut Cursor) -> Result<Cast, Problem> {
        let inner = c.parenthesized()?;
        let mut p = Cursor::new(inner);
        let source = self.operand_type(stmt, &mut p)?;
        p.expect_word("as")?;
        let target = self.operand_type(stmt, &mut p)?;
        Ok(Cast { source, target })
    }

    /// Operators and casts that use type `old` now use `new`; with `None` they are gone
    /// (the type was dropped with `CASCADE`).
    pub(super) fn retype_operators(&mut self, old: &QualifiedName, new: Option<&QualifiedName>) {
        let is_old = |t: &TypeName| t.schema == old.schema && t.name == old.name;
        let renamed = |t: &TypeName| match new {
            Some(new) if is_old(t) => TypeName {
                schema: new.schema.clone(),
                name: new.name.clone(),
                ..t.clone()
            },
            _ => t.clone(),
        };
        let uses = |op: &Operator| op.left.as_ref().is_some_and(is_old) || is_old(&op.right);
        let fix = |op: &Operator| Operator {
            name: op.name.clone(),
            left: op.left.as_ref().map(renamed),
            right: renamed(&op.right),
        };
        let rebuild = |set: &BTreeSet<Operator>| -> BTreeSet<Operator> {
            set.iter()
                .filter(|op| new.is_some() || !uses(op))
                .map(fix)
                .collect()
        };
        self.cat.operators = rebuild(&self.cat.operators);
        self.shell_operators = rebuild(&self.shell_operators);
        self.cat.casts = self
            .cat
            .casts
            .iter()
            .filter(|c| new.is_some() || !(is_old(&c.source) || is_old(&c.target)))
            .map(|c| Cast {
                source: renamed(&c.source),
                target: renamed(&c.target),
            })
            .collect();
    }

    /// The operators of schema `old` are in schema `new` (`None`: dropped with it).
    pub(super) fn move_schema_operators(&mut self, old: &str, new: Option<&str>) {
        let moved = |set: &BTreeSet<Operator>| -> BTreeSet<Operator> {
            set.iter()
                .filter_map(|op| match (op.name.schema == old, new) {
                    (false, _) => Some(op.clone()),
                    (true, Some(new)) => Some(Operator {
                        name: QualifiedName::new(new, &op.name.name),
                        ..op.clone()
                    }),
                    (true, None) => None,
                })
                .collect()
        };
        self.cat.operators = moved(&self.cat.operators);
        self.shell_operators = moved(&self.shell_operators);
    }
}

/// `[schema.]symbol`, or `OPERATOR(schema.symbol)`: the symbol is the text of the adjacent
/// tokens up to `(`, `,` or the end.
fn operator_name(stmt: &Stmt, c: &mut Cursor) -> Result<OperatorName, ReadError> {
    if c.is_word("operator") && c.peek_nth(1) == Some(&Token::LParen) {
        c.next();
        let inner = c.parenthesized()?;
        return operator_name(stmt, &mut Cursor::new(inner));
    }
    let start = c.span();
    let mut parts = Vec::new();
    if matches!(c.peek(), Some(Token::Word(_))) && c.peek_nth(1) == Some(&Token::Period) {
        parts.push(c.ident()?);
        c.next();
    }
    let mut symbol: Option<Range<usize>> = None;
    while let Some(tok) = c.rest().first() {
        let stops = matches!(
            tok.token,
            Token::LParen | Token::Comma | Token::Period | Token::SemiColon | Token::Word(_)
        );
        let adjacent = symbol.as_ref().is_none_or(|s| s.end == tok.span.start);
        if stops || !adjacent {
            break;
        }
        symbol = Some(symbol.map_or(tok.span.clone(), |s| s.start..tok.span.end));
        c.next();
    }
    let Some(symbol) = symbol else {
        return Err(c.error("expected an operator"));
    };
    parts.push(stmt.text_of(symbol.clone()).to_string());
    Ok(OperatorName {
        parts,
        span: start.start..symbol.end,
    })
}

fn missing_operator(name: &OperatorName, left: &Option<TypeName>, right: &TypeName) -> Problem {
    let left = left.as_ref().map_or("NONE".to_string(), TypeName::display);
    Problem::new(format!(
        "operator does not exist: {} ({left}, {})",
        name.parts.join("."),
        right.display()
    ))
    .at(name.span.clone())
}
