//! Names, resolved as PostgreSQL resolves them: where an unqualified name is created (the
//! first existing schema of the search path) and what it refers to (`pg_catalog` first unless
//! the path places it, then the path's schemas in order).

use std::ops::Range;

use sqlparser::ast::{Ident, ObjectName};

use super::{Loader, Problem, Stmt};
use crate::catalog::tokens::fold_ident;
use crate::catalog::type_names::{BaseType, TypeSpec, builtin_typmod, is_builtin_type};
use crate::catalog::{QualifiedName, TypeName, multirange_name};

pub(super) fn ident(ident: &Ident) -> String {
    fold_ident(&ident.value, ident.quote_style.is_some())
}

pub(super) fn object_name(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|part| match part.as_ident() {
            Some(i) => ident(i),
            None => part.to_string(),
        })
        .collect()
}

/// `pg_temp.name`: a temporary object, never part of the catalog.
pub(super) fn in_temp_schema(parts: &[String]) -> bool {
    parts.len() >= 2 && parts[parts.len() - 2].starts_with("pg_temp")
}

/// `a.b.c` for messages.
pub(super) fn dotted(parts: &[String]) -> String {
    parts.join(".")
}

/// What kind of type a name resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TypeKind {
    Builtin,
    Enum,
    Composite,
    Domain,
    Range,
    Multirange,
    Base,
    /// A table's or view's row type.
    Relation,
    Extension,
}

impl Loader {
    /// The schemas an unqualified name is looked up in, in order: `pg_catalog` first unless
    /// the path lists it, then the path's existing schemas.
    pub(super) fn lookup_schemas(&self) -> Vec<String> {
        let path = self.session.search_path();
        let mut out = Vec::new();
        if !path.iter().any(|s| s == "pg_catalog") {
            out.push("pg_catalog".to_string());
        }
        for schema in path {
            if schema == "pg_catalog" || self.cat.schemas.contains(schema) {
                out.push(schema.clone());
            }
        }
        out
    }

    /// Where `parts` is created: its schema if qualified, else the first existing schema of
    /// the search path.
    pub(super) fn creation_name(
        &self,
        parts: &[String],
        span: Range<usize>,
    ) -> Result<QualifiedName, Problem> {
        match parts {
            [name] => {
                let schema = self
                    .session
                    .search_path()
                    .iter()
                    .find(|s| self.cat.schemas.contains(*s))
                    .ok_or_else(|| {
                        Problem::new("no schema has been selected to create in")
                            .at(span.clone())
                            .help("qualify the name, or set search_path to an existing schema")
                    })?;
                Ok(QualifiedName::new(schema, name))
            }
            [.., schema, name] => {
                if !self.cat.schemas.contains(schema) {
                    return Err(
                        Problem::new(format!("schema \"{schema}\" does not exist")).at(span)
                    );
                }
                Ok(QualifiedName::new(schema, name))
            }
            [] => Err(Problem::new("missing name").at(span)),
        }
    }

    /// The relation (table, view, ...) `parts` names, if any.
    pub(super) fn find_relation(&self, parts: &[String]) -> Option<QualifiedName> {
        match parts {
            [name] => self.lookup_schemas().into_iter().find_map(|schema| {
                let qn = QualifiedName::new(schema, name);
                self.cat.tables.contains_key(&qn).then_some(qn)
            }),
            [.., schema, name] => {
                let qn = QualifiedName::new(schema, name);
                self.cat.tables.contains_key(&qn).then_some(qn)
            }
            [] => None,
        }
    }

    /// The relation `parts` names, or PostgreSQL's error. `Ok(None)` for a temporary relation
    /// (not part of the catalog) or, with `if_exists`, a missing one.
    pub(super) fn relation_for(
        &self,
        parts: &[String],
        span: Range<usize>,
        if_exists: bool,
    ) -> Result<Option<QualifiedName>, Problem> {
        if self.session.is_temp(parts) {
            return Ok(None);
        }
        match self.find_relation(parts) {
            Some(qn) => Ok(Some(qn)),
            None if if_exists => Ok(None),
            None => {
                Err(Problem::new(format!("relation \"{}\" does not exist", dotted(parts))).at(span))
            }
        }
    }

    /// The sequence `parts` names, if any.
    pub(super) fn find_sequence(&self, parts: &[String]) -> Option<QualifiedName> {
        match parts {
            [name] => self.lookup_schemas().into_iter().find_map(|schema| {
                let qn = QualifiedName::new(schema, name);
                self.cat.sequences.contains(&qn).then_some(qn)
            }),
            [.., schema, name] => {
                let qn = QualifiedName::new(schema, name);
                self.cat.sequences.contains(&qn).then_some(qn)
            }
            [] => None,
        }
    }

    /// What the type `schema.name` is, if it exists.
    pub(super) fn type_in(&self, schema: &str, name: &str) -> Option<TypeKind> {
        if schema == "pg_catalog" {
            return is_builtin_type(name).then_some(TypeKind::Builtin);
        }
        let qn = QualifiedName::new(schema, name);
        if self.cat.enums.contains_key(&qn) {
            Some(TypeKind::Enum)
        } else if self.cat.composites.contains_key(&qn) {
            Some(TypeKind::Composite)
        } else if self.cat.domains.contains_key(&qn) {
            Some(TypeKind::Domain)
        } else if self.cat.ranges.contains_key(&qn) {
            Some(TypeKind::Range)
        } else if self.cat.base_types.contains(&qn) {
            Some(TypeKind::Base)
        } else if self.cat.tables.contains_key(&qn) {
            Some(TypeKind::Relation)
        } else if self.extension_types.contains_key(&qn) {
            Some(TypeKind::Extension)
        } else if self
            .cat
            .ranges
            .keys()
            .any(|r| r.schema == schema && multirange_name(&r.name) == name)
        {
            Some(TypeKind::Multirange)
        } else {
            None
        }
    }

    /// The type `parts` names.
    pub(super) fn find_type(&self, parts: &[String]) -> Option<(QualifiedName, TypeKind)> {
        match parts {
            [name] => self.lookup_schemas().into_iter().find_map(|schema| {
                let kind = self.type_in(&schema, name)?;
                Some((QualifiedName::new(schema, name), kind))
            }),
            [.., schema, name] => {
                let kind = self.type_in(schema, name)?;
                Some((QualifiedName::new(schema, name), kind))
            }
            [] => None,
        }
    }

    /// A type name as written → the type PostgreSQL would store.
    pub(super) fn resolve_type(
        &mut self,
        stmt: &Stmt,
        spec: &TypeSpec,
    ) -> Result<TypeName, Problem> {
        let base = match &spec.base {
            BaseType::Sql { typname, typmod } => TypeName::builtin(typname).with_typmod(*typmod),
            BaseType::ColumnType(parts) => {
                let Some((column, table)) = parts.split_last().filter(|(_, t)| !t.is_empty())
                else {
                    return Err(Problem::new(format!(
                        "improper %TYPE reference (too few dotted names): {}",
                        dotted(parts)
                    ))
                    .at(spec.span.clone()));
                };
                let relation = self.find_relation(table).ok_or_else(|| {
                    Problem::new(format!("relation \"{}\" does not exist", dotted(table)))
                        .at(spec.span.clone())
                })?;
                let col = self.cat.tables[&relation].column(column).ok_or_else(|| {
                    Problem::new(format!(
                        "column \"{column}\" of relation \"{}\" does not exist",
                        relation.name
                    ))
                    .at(spec.span.clone())
                })?;
                let ty = col.ty.clone();
                // `%TYPE` of an array column is the array type; `[]` after it keeps it one.
                return Ok(if spec.array_dims > 0 && ty.array_dims == 0 {
                    ty.array_of(spec.array_dims)
                } else {
                    ty
                });
            }
            BaseType::Named { name, mods } => self.resolve_named(stmt, spec, name, mods)?,
        };
        Ok(base.array_of(spec.array_dims))
    }

    fn resolve_named(
        &mut self,
        stmt: &Stmt,
        spec: &TypeSpec,
        name: &[String],
        mods: &[String],
    ) -> Result<TypeName, Problem> {
        let (qn, kind) = match self.find_type(name) {
            Some(found) => found,
            None => self.unknown_type(stmt, spec, name)?,
        };
        let typmod = match kind {
            TypeKind::Builtin => {
                builtin_typmod(&qn.name, mods).map_err(|m| Problem::new(m).at(spec.span.clone()))?
            }
            _ if mods.is_empty() => -1,
            TypeKind::Extension | TypeKind::Base => match mods {
                [one] => one.trim().parse::<i32>().unwrap_or(-1),
                _ => {
                    self.warn(
                        stmt,
                        spec.span.clone(),
                        format!(
                            "squill cannot compute the type modifier of {}({}) offline; \
                             it is left out",
                            qn.name,
                            mods.join(", ")
                        ),
                    );
                    -1
                }
            },
            _ => {
                return Err(Problem::new(format!(
                    "type modifier is not allowed for type \"{}\"",
                    qn.name
                ))
                .at(spec.span.clone()));
            }
        };
        Ok(TypeName::new(qn.schema, qn.name).with_typmod(typmod))
    }

    /// A type squill does not know: an extension's, when an extension it has no list of types
    /// for is installed (assumed to be in that extension's schema), else PostgreSQL's error.
    fn unknown_type(
        &mut self,
        stmt: &Stmt,
        spec: &TypeSpec,
        name: &[String],
    ) -> Result<(QualifiedName, TypeKind), Problem> {
        let unlisted = self
            .extension_schemas
            .iter()
            .filter(|(ext, _)| !crate::catalog::extensions::is_known(ext))
            .map(|(_, schema)| schema.clone())
            .next_back();
        let schema = match (name, unlisted) {
            ([.., schema, _], Some(_)) if self.cat.schemas.contains(schema) => schema.clone(),
            ([_], Some(schema)) => schema,
            _ => {
                return Err(
                    Problem::new(format!("type \"{}\" does not exist", dotted(name)))
                        .at(spec.span.clone()),
                );
            }
        };
        let type_name = name.last().cloned().unwrap_or_default();
        self.warn(
            stmt,
            spec.span.clone(),
            format!(
                "type \"{}\" is not known to squill; assuming an extension created it in \
                 schema \"{schema}\"",
                dotted(name)
            ),
        );
        let qn = QualifiedName::new(schema, type_name);
        self.extension_types
            .insert(qn.clone(), "(unknown)".to_string());
        Ok((qn, TypeKind::Extension))
    }

    /// Some relation or composite type already uses the name (they share `pg_class`).
    pub(super) fn relation_name_taken(&self, qn: &QualifiedName) -> bool {
        self.cat.tables.contains_key(qn)
            || self.cat.sequences.contains(qn)
            || self.cat.composites.contains_key(qn)
            || self.index_name_taken(qn)
    }

    /// Some type already uses the name (a relation's row type included).
    pub(super) fn type_name_taken(&self, qn: &QualifiedName) -> bool {
        self.type_in(&qn.schema, &qn.name).is_some()
    }
}
