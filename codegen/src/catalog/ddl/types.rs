//! User-defined types: enums (`CREATE TYPE ... AS ENUM`, `ALTER TYPE ... ADD VALUE [BEFORE |
//! AFTER] / RENAME VALUE`), composites (`AS (...)`, `ADD / DROP / ALTER / RENAME
//! ATTRIBUTE`), ranges, base and shell types, domains (`CREATE DOMAIN ... NOT NULL`,
//! `ALTER DOMAIN ... SET / DROP NOT NULL`), and renaming or moving any of them (every use of
//! the type follows, as PostgreSQL refers to types by OID).

use std::ops::Range;

use sqlparser::ast::{
    self, AlterTypeAddValuePosition, AlterTypeOperation, ObjectName, UserDefinedTypeRangeOption,
    UserDefinedTypeRepresentation,
};
use sqlparser::tokenizer::Token;

use super::names::{TypeKind, dotted, ident, object_name};
use super::table_syntax::name_span_of;
use super::{Applied, Loader, Problem, Stmt};
use crate::catalog::tokens::{Cursor, ReadError, split_commas};
use crate::catalog::type_names::{TypeSpec, parse_type, spec_from_data_type};
use crate::catalog::{Domain, Field, Function, QualifiedName, TypeName, multirange_name};

#[derive(Debug, Clone)]
pub(super) struct TypeDef {
    pub name: Vec<String>,
    pub span: Range<usize>,
    pub body: TypeBody,
}

#[derive(Debug, Clone)]
pub(super) enum TypeBody {
    Enum(Vec<String>),
    Composite(Vec<(String, TypeSpec)>),
    Range {
        subtype: TypeSpec,
        multirange: Option<Vec<String>>,
    },
    /// `CREATE TYPE name (INPUT = ..., ...)`, or a shell `CREATE TYPE name`.
    Base,
}

#[derive(Debug, Clone)]
pub(super) enum TypeAction {
    AddValue {
        value: String,
        if_not_exists: bool,
        /// `(before, neighbour)`.
        position: Option<(bool, String)>,
    },
    RenameValue {
        from: String,
        to: String,
    },
    RenameTo(String),
    SetSchema(String),
    AddAttribute(String, TypeSpec),
    DropAttribute {
        name: String,
        if_exists: bool,
    },
    AlterAttribute(String, TypeSpec),
    RenameAttribute {
        from: String,
        to: String,
    },
    /// OWNER TO, SET (...): nothing to record.
    Irrelevant,
}

#[derive(Debug, Clone)]
pub(super) struct DomainDef {
    pub name: Vec<String>,
    pub span: Range<usize>,
    pub base: TypeSpec,
    pub not_null: bool,
}

#[derive(Debug, Clone)]
pub(super) enum DomainAction {
    SetNotNull,
    DropNotNull,
    RenameTo(String),
    SetSchema(String),
    Irrelevant,
}

pub(super) fn create_type_from_ast(
    stmt: &Stmt,
    name: &ObjectName,
    representation: Option<&UserDefinedTypeRepresentation>,
) -> Result<TypeDef, Problem> {
    let span = name_span_of(stmt, name);
    let body = match representation {
        None | Some(UserDefinedTypeRepresentation::SqlDefinition { .. }) => TypeBody::Base,
        Some(UserDefinedTypeRepresentation::Enum { labels }) => {
            TypeBody::Enum(labels.iter().map(|l| l.value.clone()).collect())
        }
        Some(UserDefinedTypeRepresentation::Composite { attributes }) => TypeBody::Composite(
            attributes
                .iter()
                .map(|a| {
                    let span = stmt.span_of(a.name.span);
                    Ok((ident(&a.name), spec_from_data_type(&a.data_type, span)?))
                })
                .collect::<Result<_, Problem>>()?,
        ),
        Some(UserDefinedTypeRepresentation::Range { options }) => {
            let mut subtype = None;
            let mut multirange = None;
            for option in options {
                match option {
                    UserDefinedTypeRangeOption::Subtype(t) => {
                        subtype = Some(spec_from_data_type(t, span.clone())?);
                    }
                    UserDefinedTypeRangeOption::MultirangeTypeName(n) => {
                        multirange = Some(object_name(n));
                    }
                    _ => {}
                }
            }
            TypeBody::Range {
                subtype: subtype.ok_or_else(|| {
                    Problem::new("type attribute \"subtype\" is required").at(span.clone())
                })?,
                multirange,
            }
        }
    };
    Ok(TypeDef {
        name: object_name(name),
        span,
        body,
    })
}

pub(super) fn create_type_from_tokens(c: &mut Cursor) -> Result<TypeDef, ReadError> {
    c.expect_word("create")?;
    c.expect_word("type")?;
    let span = c.span();
    let name = c.object_name()?;
    let body = if c.eat_words(&["as", "enum"]) {
        let inner = c.parenthesized()?;
        TypeBody::Enum(
            split_commas(inner)
                .into_iter()
                .filter(|p| !p.is_empty())
                .map(|p| match p {
                    [t] => match &t.token {
                        // `E'...'` too: the tokenizer has already unescaped it.
                        Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s) => {
                            Ok(s.clone())
                        }
                        _ => Err(ReadError::new("expected a string label", t.span.clone())),
                    },
                    _ => Err(ReadError::new("expected a string label", span.clone())),
                })
                .collect::<Result<_, _>>()?,
        )
    } else if c.eat_words(&["as", "range"]) {
        let inner = c.parenthesized()?;
        let mut subtype = None;
        let mut multirange = None;
        for part in split_commas(inner) {
            let mut o = Cursor::new(part);
            let option = o.ident()?;
            o.expect(&Token::Eq)?;
            match option.as_str() {
                "subtype" => subtype = Some(parse_type(&mut o)?),
                "multirange_type_name" => multirange = Some(o.object_name()?),
                _ => {}
            }
        }
        TypeBody::Range {
            subtype: subtype.ok_or_else(|| {
                ReadError::new("type attribute \"subtype\" is required", span.clone())
            })?,
            multirange,
        }
    } else if c.eat_word("as") {
        let inner = c.parenthesized()?;
        let mut fields = Vec::new();
        for part in split_commas(inner) {
            if part.is_empty() {
                continue;
            }
            let mut f = Cursor::new(part);
            let name = f.ident()?;
            fields.push((name, parse_type(&mut f)?));
        }
        TypeBody::Composite(fields)
    } else {
        TypeBody::Base
    };
    Ok(TypeDef { name, span, body })
}

pub(super) fn alter_type_from_ast(alter: &ast::AlterType) -> (Vec<String>, TypeAction) {
    let action = match &alter.operation {
        AlterTypeOperation::Rename(rename) => TypeAction::RenameTo(ident(&rename.new_name)),
        AlterTypeOperation::AddValue(add) => TypeAction::AddValue {
            value: add.value.value.clone(),
            if_not_exists: add.if_not_exists,
            position: add.position.as_ref().map(|p| match p {
                AlterTypeAddValuePosition::Before(v) => (true, v.value.clone()),
                AlterTypeAddValuePosition::After(v) => (false, v.value.clone()),
            }),
        },
        AlterTypeOperation::RenameValue(rename) => TypeAction::RenameValue {
            from: rename.from.value.clone(),
            to: rename.to.value.clone(),
        },
    };
    (object_name(&alter.name), action)
}

pub(super) fn alter_type_from_tokens(
    c: &mut Cursor,
) -> Result<(Vec<String>, Vec<TypeAction>), ReadError> {
    c.expect_word("alter")?;
    c.expect_word("type")?;
    let name = c.object_name()?;
    let mut actions = Vec::new();
    if c.eat_words(&["add", "value"]) {
        let if_not_exists = c.eat_words(&["if", "not", "exists"]);
        let value = string(c)?;
        let position = if c.eat_word("before") {
            Some((true, string(c)?))
        } else if c.eat_word("after") {
            Some((false, string(c)?))
        } else {
            None
        };
        actions.push(TypeAction::AddValue {
            value,
            if_not_exists,
            position,
        });
        return Ok((name, actions));
    }
    if c.eat_words(&["rename", "value"]) {
        let from = string(c)?;
        c.expect_word("to")?;
        actions.push(TypeAction::RenameValue {
            from,
            to: string(c)?,
        });
    } else if c.eat_words(&["rename", "to"]) {
        actions.push(TypeAction::RenameTo(c.ident()?));
    } else if c.eat_words(&["rename", "attribute"]) {
        let from = c.ident()?;
        c.expect_word("to")?;
        actions.push(TypeAction::RenameAttribute {
            from,
            to: c.ident()?,
        });
    } else if c.eat_words(&["set", "schema"]) {
        actions.push(TypeAction::SetSchema(c.ident()?));
    } else {
        for part in split_commas(c.rest()) {
            let mut a = Cursor::new(part);
            if a.eat_words(&["add", "attribute"]) {
                let name = a.ident()?;
                actions.push(TypeAction::AddAttribute(name, parse_type(&mut a)?));
            } else if a.eat_words(&["drop", "attribute"]) {
                let if_exists = a.eat_words(&["if", "exists"]);
                actions.push(TypeAction::DropAttribute {
                    name: a.ident()?,
                    if_exists,
                });
            } else if a.eat_words(&["alter", "attribute"]) {
                let name = a.ident()?;
                a.eat_words(&["set", "data"]);
                a.expect_word("type")?;
                actions.push(TypeAction::AlterAttribute(name, parse_type(&mut a)?));
            } else {
                actions.push(TypeAction::Irrelevant);
            }
        }
    }
    Ok((name, actions))
}

fn string(c: &mut Cursor) -> Result<String, ReadError> {
    match c.peek() {
        Some(Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s)) => {
            let s = s.clone();
            c.next();
            Ok(s)
        }
        _ => Err(c.error("expected a string")),
    }
}

pub(super) fn domain_from_ast(
    stmt: &Stmt,
    domain: &ast::CreateDomain,
) -> Result<DomainDef, Problem> {
    let span = name_span_of(stmt, &domain.name);
    let base = spec_from_data_type(&domain.data_type, span.clone())?;
    // sqlparser's tree keeps only CHECK constraints; NOT NULL is read from the tokens.
    Ok(DomainDef {
        name: object_name(&domain.name),
        span,
        base,
        not_null: domain_not_null(&stmt.toks),
    })
}

/// Whether a `CREATE DOMAIN`'s constraints include NOT NULL (the last of NULL / NOT NULL wins).
fn domain_not_null(toks: &[crate::catalog::tokens::Tok]) -> bool {
    let mut c = Cursor::new(toks);
    let mut not_null = false;
    while !c.at_end() {
        if c.eat_words(&["not", "null"]) {
            not_null = true;
        } else if c.eat_word("null") {
            not_null = false;
        } else {
            c.skip_one();
        }
    }
    not_null
}

pub(super) fn domain_from_tokens(c: &mut Cursor) -> Result<DomainDef, ReadError> {
    c.expect_word("create")?;
    c.expect_word("domain")?;
    let span = c.span();
    let name = c.object_name()?;
    c.eat_word("as");
    let base = parse_type(c)?;
    Ok(DomainDef {
        name,
        span,
        base,
        not_null: domain_not_null(c.rest()),
    })
}

pub(super) fn alter_domain_from_tokens(
    c: &mut Cursor,
) -> Result<(Vec<String>, DomainAction), ReadError> {
    c.expect_word("alter")?;
    c.expect_word("domain")?;
    let name = c.object_name()?;
    let action = if c.eat_words(&["set", "not", "null"]) {
        DomainAction::SetNotNull
    } else if c.eat_words(&["drop", "not", "null"]) {
        DomainAction::DropNotNull
    } else if c.eat_words(&["rename", "to"]) {
        DomainAction::RenameTo(c.ident()?)
    } else if c.eat_words(&["set", "schema"]) {
        DomainAction::SetSchema(c.ident()?)
    } else if c.eat_word("add") {
        // `ADD [CONSTRAINT name] NOT NULL` is a NOT NULL constraint; CHECKs do not matter.
        if c.eat_word("constraint") {
            c.ident()?;
        }
        if c.eat_words(&["not", "null"]) {
            DomainAction::SetNotNull
        } else {
            DomainAction::Irrelevant
        }
    } else {
        DomainAction::Irrelevant
    };
    Ok((name, action))
}

impl Loader {
    pub(super) fn create_type(&mut self, stmt: &Stmt, def: TypeDef) -> Applied {
        let qn = self.creation_name(&def.name, def.span.clone())?;
        let is_shell = self.cat.base_types.contains(&qn);
        if self.type_name_taken(&qn) && !(is_shell && matches!(def.body, TypeBody::Base)) {
            return Err(Problem::new(format!("type \"{}\" already exists", qn.name)).at(def.span));
        }
        match def.body {
            TypeBody::Enum(labels) => {
                self.cat.enums.insert(qn, labels);
            }
            TypeBody::Composite(fields) => {
                if self.relation_name_taken(&qn) {
                    return Err(
                        Problem::new(format!("relation \"{}\" already exists", qn.name))
                            .at(def.span),
                    );
                }
                let mut resolved = Vec::new();
                for (name, spec) in fields {
                    let ty = self.resolve_type(stmt, &spec)?;
                    resolved.push(Field { name, ty });
                }
                self.cat.composites.insert(qn, resolved);
            }
            TypeBody::Range {
                subtype,
                multirange,
            } => {
                let subtype = self.resolve_type(stmt, &subtype)?.without_typmod();
                if multirange.is_some_and(|m| m.last() != Some(&multirange_name(&qn.name))) {
                    self.warn(
                        stmt,
                        def.span.clone(),
                        "squill assumes the default name of a range's multirange type",
                    );
                }
                self.add_range_constructors(&qn, &subtype);
                self.cat.ranges.insert(qn, subtype);
            }
            TypeBody::Base => {
                self.cat.base_types.insert(qn);
            }
        }
        Ok(())
    }

    /// The functions PostgreSQL creates with a range type: `r(s, s)`, `r(s, s, text)`, and
    /// the multirange's `mr()`, `mr(r)`, `mr(VARIADIC r[])`.
    fn add_range_constructors(&mut self, range: &QualifiedName, subtype: &TypeName) {
        let range_type = TypeName::new(&range.schema, &range.name);
        let multirange = QualifiedName::new(&range.schema, multirange_name(&range.name));
        let multirange_type = TypeName::new(&multirange.schema, &multirange.name);
        let subtype = subtype.undimensioned();
        let constructor =
            |name: &QualifiedName, args: Vec<TypeName>, ret: &TypeName, strict| Function {
                name: name.clone(),
                arg_names: vec![None; args.len()],
                nargdefaults: 0,
                variadic: false,
                args,
                ret: Some(ret.clone()),
                returns_set: false,
                table_columns: vec![],
                strict,
                language: "internal".to_string(),
            };
        let text = TypeName::builtin("text");
        self.cat.functions.extend([
            constructor(
                range,
                vec![subtype.clone(), subtype.clone()],
                &range_type,
                false,
            ),
            constructor(
                range,
                vec![subtype.clone(), subtype, text],
                &range_type,
                false,
            ),
            constructor(&multirange, vec![], &multirange_type, true),
            constructor(
                &multirange,
                vec![range_type.clone()],
                &multirange_type,
                true,
            ),
            Function {
                variadic: true,
                ..constructor(
                    &multirange,
                    vec![range_type.array_of(1)],
                    &multirange_type,
                    true,
                )
            },
        ]);
    }

    pub(super) fn alter_type(
        &mut self,
        stmt: &Stmt,
        name: &[String],
        actions: impl IntoIterator<Item = TypeAction>,
    ) -> Applied {
        let span = stmt.find_ident(name.last().map_or("", String::as_str));
        let Some((mut qn, kind)) = self.find_type(name) else {
            return Err(Problem::new(format!("type \"{}\" does not exist", dotted(name))).at(span));
        };
        for action in actions {
            qn = self.alter_type_action(stmt, qn, kind, action, span.clone())?;
        }
        Ok(())
    }

    fn alter_type_action(
        &mut self,
        stmt: &Stmt,
        qn: QualifiedName,
        kind: TypeKind,
        action: TypeAction,
        span: Range<usize>,
    ) -> Result<QualifiedName, Problem> {
        match action {
            TypeAction::AddValue {
                value,
                if_not_exists,
                position,
            } => {
                let labels = self.enum_labels(&qn, kind, span.clone())?;
                if labels.contains(&value) {
                    if if_not_exists {
                        return Ok(qn);
                    }
                    return Err(
                        Problem::new(format!("enum label \"{value}\" already exists")).at(span),
                    );
                }
                let at = match position {
                    None => labels.len(),
                    Some((before, neighbour)) => {
                        let i = labels.iter().position(|l| *l == neighbour).ok_or_else(|| {
                            Problem::new(format!("\"{neighbour}\" is not an existing enum label"))
                                .at(span.clone())
                        })?;
                        if before { i } else { i + 1 }
                    }
                };
                labels.insert(at, value);
            }
            TypeAction::RenameValue { from, to } => {
                let labels = self.enum_labels(&qn, kind, span.clone())?;
                if labels.contains(&to) {
                    return Err(
                        Problem::new(format!("enum label \"{to}\" already exists")).at(span)
                    );
                }
                let label = labels.iter_mut().find(|l| **l == from).ok_or_else(|| {
                    Problem::new(format!("\"{from}\" is not an existing enum label"))
                        .at(span.clone())
                })?;
                *label = to;
            }
            TypeAction::RenameTo(new_name) => {
                let new = QualifiedName::new(&qn.schema, new_name);
                return self.move_type(qn, kind, new, span);
            }
            TypeAction::SetSchema(schema) => {
                if !self.cat.schemas.contains(&schema) {
                    return Err(
                        Problem::new(format!("schema \"{schema}\" does not exist")).at(span)
                    );
                }
                let new = QualifiedName::new(schema, &qn.name);
                return self.move_type(qn, kind, new, span);
            }
            TypeAction::AddAttribute(name, spec) => {
                let ty = self.resolve_type(stmt, &spec)?;
                let fields = self.composite_fields(&qn, kind, span.clone())?;
                if fields.iter().any(|f| f.name == name) {
                    return Err(Problem::new(format!(
                        "column \"{name}\" of relation \"{}\" already exists",
                        qn.name
                    ))
                    .at(span));
                }
                fields.push(Field { name, ty });
            }
            TypeAction::DropAttribute { name, if_exists } => {
                let fields = self.composite_fields(&qn, kind, span.clone())?;
                let before = fields.len();
                fields.retain(|f| f.name != name);
                if fields.len() == before && !if_exists {
                    return Err(Problem::new(format!(
                        "column \"{name}\" of relation \"{}\" does not exist",
                        qn.name
                    ))
                    .at(span));
                }
            }
            TypeAction::AlterAttribute(name, spec) => {
                let ty = self.resolve_type(stmt, &spec)?;
                let fields = self.composite_fields(&qn, kind, span.clone())?;
                let field = fields.iter_mut().find(|f| f.name == name).ok_or_else(|| {
                    Problem::new(format!("column \"{name}\" does not exist")).at(span.clone())
                })?;
                field.ty = ty;
            }
            TypeAction::RenameAttribute { from, to } => {
                let fields = self.composite_fields(&qn, kind, span.clone())?;
                let field = fields.iter_mut().find(|f| f.name == from).ok_or_else(|| {
                    Problem::new(format!("column \"{from}\" does not exist")).at(span.clone())
                })?;
                field.name = to;
            }
            TypeAction::Irrelevant => {}
        }
        Ok(qn)
    }

    fn enum_labels(
        &mut self,
        qn: &QualifiedName,
        kind: TypeKind,
        span: Range<usize>,
    ) -> Result<&mut Vec<String>, Problem> {
        match kind {
            TypeKind::Enum => Ok(self.cat.enums.get_mut(qn).expect("enum exists")),
            _ => Err(Problem::new(format!("\"{}\" is not an enum", qn.name)).at(span)),
        }
    }

    fn composite_fields(
        &mut self,
        qn: &QualifiedName,
        kind: TypeKind,
        span: Range<usize>,
    ) -> Result<&mut Vec<Field>, Problem> {
        match kind {
            TypeKind::Composite => Ok(self.cat.composites.get_mut(qn).expect("composite exists")),
            _ => Err(Problem::new(format!("\"{}\" is not a composite type", qn.name)).at(span)),
        }
    }

    /// Renames or moves a type; its uses follow.
    fn move_type(
        &mut self,
        old: QualifiedName,
        kind: TypeKind,
        new: QualifiedName,
        span: Range<usize>,
    ) -> Result<QualifiedName, Problem> {
        if old == new {
            return Ok(new);
        }
        if self.type_name_taken(&new) {
            return Err(Problem::new(format!("type \"{}\" already exists", new.name)).at(span));
        }
        match kind {
            TypeKind::Enum => move_entry(&mut self.cat.enums, &old, &new),
            TypeKind::Composite => move_entry(&mut self.cat.composites, &old, &new),
            TypeKind::Domain => move_entry(&mut self.cat.domains, &old, &new),
            TypeKind::Range => {
                move_entry(&mut self.cat.ranges, &old, &new);
                if old.schema != new.schema {
                    let multirange =
                        |q: &QualifiedName| QualifiedName::new(&q.schema, multirange_name(&q.name));
                    self.retype(&multirange(&old), Some(&multirange(&new)));
                }
            }
            TypeKind::Base => {
                self.cat.base_types.remove(&old);
                self.cat.base_types.insert(new.clone());
            }
            TypeKind::Relation => {
                return Err(Problem::new(format!("{} is a table's row type", old.name))
                    .at(span)
                    .help("use ALTER TABLE instead"));
            }
            TypeKind::Builtin | TypeKind::Multirange | TypeKind::Extension => {
                return Err(Problem::new(format!(
                    "squill does not follow ALTER TYPE on \"{}\"",
                    old.name
                ))
                .at(span));
            }
        }
        self.retype(&old, Some(&new));
        Ok(new)
    }

    pub(super) fn create_domain(&mut self, stmt: &Stmt, def: DomainDef) -> Applied {
        let qn = self.creation_name(&def.name, def.span.clone())?;
        if self.type_name_taken(&qn) {
            return Err(Problem::new(format!("type \"{}\" already exists", qn.name)).at(def.span));
        }
        let base = self.resolve_type(stmt, &def.base)?;
        self.cat.domains.insert(
            qn,
            Domain {
                base,
                not_null: def.not_null,
            },
        );
        Ok(())
    }

    pub(super) fn alter_domain(
        &mut self,
        stmt: &Stmt,
        name: &[String],
        action: DomainAction,
    ) -> Applied {
        let span = stmt.find_ident(name.last().map_or("", String::as_str));
        let Some((qn, TypeKind::Domain)) = self.find_type(name) else {
            return Err(Problem::new(format!("type \"{}\" does not exist", dotted(name))).at(span));
        };
        match action {
            DomainAction::SetNotNull => {
                self.cat.domains.get_mut(&qn).expect("domain").not_null = true;
            }
            DomainAction::DropNotNull => {
                self.cat.domains.get_mut(&qn).expect("domain").not_null = false;
            }
            DomainAction::RenameTo(new_name) => {
                let new = QualifiedName::new(&qn.schema, new_name);
                self.move_type(qn, TypeKind::Domain, new, span)?;
            }
            DomainAction::SetSchema(schema) => {
                let new = QualifiedName::new(schema, &qn.name);
                self.move_type(qn, TypeKind::Domain, new, span)?;
            }
            DomainAction::Irrelevant => {}
        }
        Ok(())
    }
}

fn move_entry<V>(
    map: &mut std::collections::BTreeMap<QualifiedName, V>,
    old: &QualifiedName,
    new: &QualifiedName,
) {
    if let Some(value) = map.remove(old) {
        map.insert(new.clone(), value);
    }
}
