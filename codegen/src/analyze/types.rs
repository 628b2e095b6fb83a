//! The analyzer's type space: PostgreSQL's builtin types by OID, plus the schema's own types
//! (enums, and types squill only names) under synthetic OIDs, so that every resolution rule
//! works on plain `u32`s like PostgreSQL's own code. Domains are reduced to their base type
//! where they are read, as the live describe does.
//!
//! The types of the contrib extensions a schema installs ([`Types::install_extension`]) keep
//! the OIDs [`crate::builtins::contrib`] gives them, named in the schema each extension went
//! to; their operators are found on the search path like PostgreSQL's own.

use std::collections::HashMap;
use std::ops::Deref;

use crate::builtins::contrib::{Contrib, Extension, ExtensionType};
use crate::builtins::{BuiltinCast, BuiltinFunction, BuiltinOperator, Builtins, TypeKind, oid};
use crate::ir::PgType;

/// PostgreSQL's builtins, and the functions and casts of its contrib extensions: the lookups
/// by OID ([`Shipped::function_by_oid`], [`Shipped::cast`]) see both; everything else is the
/// builtins' (through `Deref`). Extension objects have OIDs of their own and only reach an
/// analysis through a schema that installs the extension.
#[derive(Debug, Clone, Copy)]
pub struct Shipped {
    pub(crate) pg: &'static Builtins,
    pub(crate) contrib: &'static Contrib,
}

impl Deref for Shipped {
    type Target = Builtins;

    fn deref(&self) -> &Builtins {
        self.pg
    }
}

impl Shipped {
    /// A builtin function, or an extension's.
    pub fn function_by_oid(&self, oid: u32) -> Option<&'static BuiltinFunction> {
        self.pg
            .function_by_oid(oid)
            .or_else(|| self.contrib.function_by_oid(oid).map(|(_, f)| &f.function))
    }

    /// A `pg_cast` row: a builtin one, or an extension's (which involves one of its types).
    pub fn cast(&self, source: u32, target: u32) -> Option<&'static BuiltinCast> {
        self.pg
            .cast(source, target)
            .or_else(|| self.contrib.cast(source, target))
    }
}

/// Synthetic OIDs of schema types start here (PostgreSQL's own OIDs stay far below).
const USER_BASE: u32 = 0x4000_0000;

/// What a schema type is, as far as resolution cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKind {
    Enum,
    /// A composite type: `CREATE TYPE ... AS (...)`, or the row type of a table or view.
    Composite,
    /// A range type over `subtype`, with its multirange type.
    Range {
        subtype: u32,
        multirange: Option<u32>,
    },
    /// A multirange type over `range`.
    Multirange {
        range: u32,
    },
    /// A type squill only passes through (base types, arrays' elements it does not know).
    Opaque,
}

#[derive(Debug, Clone)]
struct UserType {
    schema: String,
    name: String,
    kind: UserKind,
    /// For the array type: its element; for the element type: its array.
    elem: Option<u32>,
    array: Option<u32>,
}

/// Builtin and schema types.
#[derive(Debug, Clone)]
pub struct Types {
    pub(crate) builtins: Shipped,
    user: Vec<UserType>,
    by_name: HashMap<(String, String), u32>,
    domains: HashMap<(String, String), u32>,
    /// The schema each installed contrib extension is in, by extension name.
    extension_schemas: HashMap<String, String>,
    /// The installed extensions' operators an unqualified name finds, by name, each with the
    /// position of its schema on the search path.
    extension_operators: HashMap<String, Vec<(usize, &'static BuiltinOperator)>>,
    /// The position of `pg_catalog` on that search path (first unless the path names it).
    pg_catalog_position: usize,
    /// The symbols of the schema's own operators (`CREATE OPERATOR`), which the analyzer does
    /// not resolve.
    pub(crate) schema_operators: std::collections::HashSet<String>,
    /// The schema defines casts (`CREATE CAST`), which the analyzer does not model: an
    /// operator that matches no builtin might match through one of them.
    pub(crate) schema_casts: bool,
    /// The schema installs an extension squill has no data for (whose operators it does not
    /// know).
    pub(crate) unknown_extensions: bool,
}

impl Default for Types {
    fn default() -> Self {
        Types {
            builtins: Shipped {
                pg: Builtins::load(),
                contrib: Contrib::load(),
            },
            user: Vec::new(),
            by_name: HashMap::new(),
            domains: HashMap::new(),
            extension_schemas: HashMap::new(),
            extension_operators: HashMap::new(),
            pg_catalog_position: 0,
            schema_operators: Default::default(),
            schema_casts: false,
            unknown_extensions: false,
        }
    }
}

impl Types {
    /// Adds a schema type (`is_enum`, or a type squill only passes through) and its array type.
    pub fn add_user_type(&mut self, schema: &str, name: &str, is_enum: bool) -> u32 {
        let kind = if is_enum {
            UserKind::Enum
        } else {
            UserKind::Opaque
        };
        self.add_user_type_of(schema, name, kind)
    }

    /// Adds a schema type of `kind` and its array type (a type known so far only by name takes
    /// the kind).
    pub fn add_user_type_of(&mut self, schema: &str, name: &str, kind: UserKind) -> u32 {
        if let Some(&oid) = self.by_name.get(&(schema.to_string(), name.to_string())) {
            if let Some(u) = oid
                .checked_sub(USER_BASE)
                .and_then(|i| self.user.get_mut(i as usize))
                && u.kind == UserKind::Opaque
            {
                u.kind = kind;
            }
            return oid;
        }
        let oid = USER_BASE + self.user.len() as u32;
        self.user.push(UserType {
            schema: schema.into(),
            name: name.into(),
            kind,
            elem: None,
            array: Some(oid + 1),
        });
        self.user.push(UserType {
            schema: schema.into(),
            name: format!("_{name}"),
            kind: UserKind::Opaque,
            elem: Some(oid),
            array: None,
        });
        self.by_name.insert((schema.into(), name.into()), oid);
        oid
    }

    /// A domain: wherever its name is used, its base type is meant.
    pub fn add_domain(&mut self, schema: &str, name: &str, base: u32) {
        self.domains.insert((schema.into(), name.into()), base);
    }

    /// Installs a contrib extension in `schema`: its types are named there (its domains are
    /// their base types), its casts apply, and its operators are found by unqualified names
    /// when `schema` is on `search_path` (the path queries run with).
    pub fn install_extension(
        &mut self,
        extension: &'static Extension,
        schema: &str,
        search_path: &[String],
    ) {
        self.extension_schemas
            .insert(extension.name.clone(), schema.to_string());
        for t in &extension.types {
            match t.base {
                Some(base) => self.add_domain(schema, &t.name, base),
                None => {
                    self.by_name
                        .insert((schema.to_string(), t.name.clone()), t.oid);
                }
            }
        }
        // OpernameGetCandidates: `pg_catalog` first unless the path names it.
        let path: Vec<&str> = if search_path.iter().any(|s| s == "pg_catalog") {
            search_path.iter().map(String::as_str).collect()
        } else {
            std::iter::once("pg_catalog")
                .chain(search_path.iter().map(String::as_str))
                .collect()
        };
        self.pg_catalog_position = path.iter().position(|s| *s == "pg_catalog").unwrap_or(0);
        if let Some(position) = path.iter().position(|s| *s == schema) {
            for o in &extension.operators {
                self.extension_operators
                    .entry(o.name.clone())
                    .or_default()
                    .push((position, o));
            }
        }
    }

    /// The operators an unqualified `name` finds (`OpernameGetCandidates`): the builtins and
    /// the installed extensions' in schemas on the search path, in path order; of several
    /// with the same operand types only the first.
    pub fn operators_named(&self, name: &str) -> Vec<&'static BuiltinOperator> {
        let builtins = self.builtins.pg.operators_named(name);
        let Some(extension) = self.extension_operators.get(name) else {
            return builtins.iter().collect();
        };
        let mut all: Vec<(usize, &'static BuiltinOperator)> = builtins
            .iter()
            .map(|o| (self.pg_catalog_position, o))
            .chain(extension.iter().copied())
            .collect();
        all.sort_by_key(|(position, _)| *position);
        let mut out: Vec<&'static BuiltinOperator> = Vec::new();
        for (_, o) in all {
            if !out.iter().any(|x| x.left == o.left && x.right == o.right) {
                out.push(o);
            }
        }
        out
    }

    fn user(&self, oid: u32) -> Option<&UserType> {
        oid.checked_sub(USER_BASE)
            .and_then(|i| self.user.get(i as usize))
    }

    /// An installed extension's type (`oid` is its array's: `true`) and the schema it is in.
    fn extension_type(&self, oid: u32) -> Option<(&'static ExtensionType, bool, &str)> {
        let (extension, t) = self.builtins.contrib.type_by_oid(oid)?;
        let schema = self.extension_schemas.get(&extension.name)?;
        Some((t, oid != t.oid, schema.as_str()))
    }

    /// `typcategory`.
    pub fn category(&self, ty: u32) -> char {
        match self.user(ty) {
            Some(u) if u.elem.is_some() => 'A',
            Some(u) => match u.kind {
                UserKind::Enum => 'E',
                UserKind::Composite => 'C',
                UserKind::Range { .. } | UserKind::Multirange { .. } => 'R',
                UserKind::Opaque => 'U',
            },
            None => match self.extension_type(ty) {
                Some((_, true, _)) => 'A',
                Some((t, false, _)) => t.category,
                None => self.builtins.type_by_oid(ty).map_or('U', |t| t.category),
            },
        }
    }

    /// A composite type (PostgreSQL's `ISCOMPLEX`): a schema composite or row type, or a
    /// system catalog's row type.
    pub fn is_composite(&self, ty: u32) -> bool {
        match self.user(ty) {
            Some(u) => u.elem.is_none() && u.kind == UserKind::Composite,
            None => match self.extension_type(ty) {
                Some((t, array, _)) => !array && t.kind == TypeKind::Composite,
                None => self
                    .builtins
                    .type_by_oid(ty)
                    .is_some_and(|t| t.kind == crate::builtins::TypeKind::Composite),
            },
        }
    }

    /// `get_range_subtype`: the element type of a range type.
    pub fn range_subtype(&self, ty: u32) -> Option<u32> {
        match self.user(ty) {
            Some(u) => match u.kind {
                UserKind::Range { subtype, .. } if u.elem.is_none() => Some(subtype),
                _ => None,
            },
            None => self.builtins.type_by_oid(ty).and_then(|t| t.range_subtype),
        }
    }

    /// `get_range_multirange`: the multirange type of a range type.
    pub fn range_multirange(&self, ty: u32) -> Option<u32> {
        match self.user(ty) {
            Some(u) => match u.kind {
                UserKind::Range { multirange, .. } if u.elem.is_none() => multirange,
                _ => None,
            },
            None => self.builtins.type_by_oid(ty).and_then(|t| t.multirange),
        }
    }

    /// `get_multirange_range`: the range type of a multirange type.
    pub fn multirange_range(&self, ty: u32) -> Option<u32> {
        match self.user(ty) {
            Some(u) => match u.kind {
                UserKind::Multirange { range } if u.elem.is_none() => Some(range),
                _ => None,
            },
            None => self
                .builtins
                .types()
                .iter()
                .find(|t| t.range_subtype.is_some() && t.multirange == Some(ty))
                .map(|t| t.oid),
        }
    }

    /// A schema type's (or an installed extension type's) `(schema, name)`.
    pub fn user_name(&self, ty: u32) -> Option<(&str, &str)> {
        if let Some((t, array, schema)) = self.extension_type(ty) {
            let name = if array {
                t.array_name.as_deref()?
            } else {
                &t.name
            };
            return Some((schema, name));
        }
        self.user(ty).map(|u| (u.schema.as_str(), u.name.as_str()))
    }

    /// `typispreferred`.
    pub fn preferred(&self, ty: u32) -> bool {
        if let Some((t, array, _)) = self.extension_type(ty) {
            return !array && t.preferred;
        }
        self.user(ty).is_none() && self.builtins.type_by_oid(ty).is_some_and(|t| t.preferred)
    }

    pub fn is_enum(&self, ty: u32) -> bool {
        self.user(ty).is_some_and(|u| u.kind == UserKind::Enum)
    }

    /// The element type of an array type (PostgreSQL's `get_element_type`).
    pub fn element_of(&self, ty: u32) -> Option<u32> {
        match self.user(ty) {
            Some(u) => u.elem,
            None => match self.extension_type(ty) {
                Some((t, array, _)) => array.then_some(t.oid),
                None => self.builtins.element_of(ty),
            },
        }
    }

    pub fn is_array(&self, ty: u32) -> bool {
        self.element_of(ty).is_some()
    }

    /// The array type over `ty`.
    pub fn array_of(&self, ty: u32) -> Option<u32> {
        match self.user(ty) {
            Some(u) => u.array,
            None => match self.extension_type(ty) {
                Some((t, array, _)) => t.array.filter(|_| !array),
                None => self.builtins.array_of(ty),
            },
        }
    }

    /// A type as SQL spells it: builtin spellings, `[]` suffixes, schema-qualified or
    /// search-path names of schema types and domains (reduced to their base type).
    pub fn resolve_name(&self, spelled: &str, search_path: &[String]) -> Option<u32> {
        let spelled = spelled.trim();
        if let Some(inner) = spelled.strip_suffix("[]") {
            let inner = inner.trim_end();
            let inner = inner.strip_suffix("[]").unwrap_or(inner);
            let elem = self.resolve_name(inner, search_path)?;
            return self
                .element_of(elem)
                .map_or_else(|| self.array_of(elem), |_| Some(elem));
        }
        let unquoted = |s: &str| -> String {
            match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                Some(q) => q.replace("\"\"", "\""),
                None => s.to_lowercase(),
            }
        };
        let (schema, name) = match split_qualified(spelled) {
            Some((s, n)) => (Some(unquoted(s)), unquoted(n)),
            None => (None, unquoted(spelled)),
        };
        let schemas: Vec<String> = match &schema {
            Some(s) => vec![s.clone()],
            None => search_path.to_vec(),
        };
        if schema.as_deref() != Some("pg_catalog") {
            for s in &schemas {
                let key = (s.clone(), name.clone());
                if let Some(&oid) = self.by_name.get(&key) {
                    return Some(oid);
                }
                if let Some(&base) = self.domains.get(&key) {
                    return Some(base);
                }
            }
            if schema.is_some() {
                return None;
            }
        }
        let builtin_spelling = if spelled.starts_with("pg_catalog.") {
            spelled
        } else if schema.is_some() {
            return None;
        } else {
            spelled
        };
        self.builtins.type_by_name(builtin_spelling).map(|t| t.oid)
    }

    /// `format_type` spelling, for messages.
    pub fn display(&self, ty: u32) -> String {
        self.pg_type(ty).display_name()
    }

    /// The IR's view of a type.
    pub fn pg_type(&self, ty: u32) -> PgType {
        if let Some(elem) = self.element_of(ty).filter(|_| ty != oid::NAME)
            && (self.user(ty).is_some()
                || self.extension_type(ty).is_some()
                || self
                    .builtins
                    .type_by_oid(ty)
                    .is_some_and(|t| t.category == 'A'))
        {
            return PgType::Array(Box::new(self.pg_type(elem)));
        }
        if let Some((t, _, schema)) = self.extension_type(ty) {
            return PgType::Other {
                schema: schema.to_string(),
                name: t.name.clone(),
            };
        }
        match self.user(ty) {
            Some(u) if u.kind == UserKind::Enum => PgType::Enum {
                schema: u.schema.clone(),
                name: u.name.clone(),
            },
            Some(u) => PgType::Other {
                schema: u.schema.clone(),
                name: u.name.clone(),
            },
            None => match self.builtins.type_by_oid(ty) {
                Some(t)
                    if t.kind == crate::builtins::TypeKind::Base
                        || t.kind == crate::builtins::TypeKind::Pseudo =>
                {
                    PgType::Builtin {
                        oid: ty,
                        name: t.sql_name.clone(),
                    }
                }
                Some(t) => PgType::Other {
                    schema: "pg_catalog".into(),
                    name: t.name.clone(),
                },
                None => PgType::Other {
                    schema: "pg_catalog".into(),
                    name: format!("oid {ty}"),
                },
            },
        }
    }
}

/// `schema.name` split at the first dot outside quotes.
fn split_qualified(s: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => return Some((&s[..i], &s[i + 1..])),
            _ => {}
        }
    }
    None
}
