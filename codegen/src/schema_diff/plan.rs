//! The diff: the statements that turn one [`Model`] into another, each in a phase that puts
//! it after what it depends on (schemas, extensions and types first; views, foreign keys and
//! constraints dropped before what they depend on; foreign keys added after every table
//! exists; views created in dependency order after the tables and functions they read).

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Column, Constraint, Model, Table, View};

/// Where a step goes; steps run phase by phase, in the order they were planned within one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// New enum labels: first, and committed on their own when the file uses them (see
    /// [`Plan::labels_used`]).
    EnumLabels,
    CreateSchema,
    CreateExtension,
    Types,
    CreateSequence,
    Rename,
    DropView,
    DropTrigger,
    DropForeignKey,
    DropConstraint,
    DropTable,
    CreateTable,
    AlterColumns,
    Functions,
    AddConstraint,
    AddForeignKey,
    SequenceOwner,
    CreateView,
    ViewIndexes,
    CreateTrigger,
    DropObjects,
    Comments,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub phase: Phase,
    /// Comment lines written above the statement (without `-- `).
    pub comments: Vec<String>,
    pub sql: String,
    /// Runs outside a transaction (`CREATE INDEX CONCURRENTLY`).
    pub concurrent: bool,
}

#[derive(Debug, Default, Clone)]
pub struct Options {
    /// `old=new` (table) and `table.old=new` (column).
    pub renames: Vec<String>,
    /// `CREATE INDEX CONCURRENTLY` on existing tables.
    pub concurrently: bool,
}

/// Why no migration can be written.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffError {
    pub message: String,
    pub help: Option<String>,
}

impl std::fmt::Display for DiffError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

fn error(message: impl Into<String>, help: Option<&str>) -> DiffError {
    DiffError {
        message: message.into(),
        help: help.map(str::to_string),
    }
}

#[derive(Debug, Default)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// The literals of the enum labels the plan adds (`'sad'`).
    pub new_labels: Vec<String>,
    /// Possible renames and other things a reviewer must know (printed on stderr).
    pub warnings: Vec<String>,
}

impl Plan {
    fn push(&mut self, phase: Phase, sql: impl Into<String>) {
        self.steps.push(Step {
            phase,
            comments: Vec::new(),
            sql: sql.into(),
            concurrent: false,
        });
    }

    fn push_noted(&mut self, phase: Phase, comment: impl Into<String>, sql: impl Into<String>) {
        self.push(phase, sql);
        if let Some(step) = self.steps.last_mut() {
            step.comments.push(comment.into());
        }
    }

    /// Whether a step other than the label additions names a new enum label (a default, a
    /// check, a view, a function...). PostgreSQL before 17 refuses such a use in the
    /// transaction that adds the label ("unsafe use of new value"), so the additions must
    /// commit first. Matched by spelling: a false match only costs the file its atomicity.
    pub fn labels_used(&self) -> bool {
        self.steps
            .iter()
            .filter(|s| s.phase != Phase::EnumLabels)
            .any(|s| self.new_labels.iter().any(|l| s.sql.contains(l.as_str())))
    }

    /// The steps in execution order.
    pub fn ordered(&self) -> Vec<&Step> {
        let mut steps: Vec<&Step> = self.steps.iter().collect();
        steps.sort_by_key(|s| s.phase); // stable: planning order within a phase
        steps
    }
}

/// `'text'` as a string literal.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The plan from `from` to `to`.
pub fn diff(from: &Model, to: &Model, options: &Options) -> Result<Plan, DiffError> {
    let mut plan = Plan::default();
    let mut from = from.clone();
    apply_renames(&mut from, to, &options.renames, &mut plan)?;
    let from = &from;

    for (schema, _) in to
        .schemas
        .iter()
        .filter(|(s, _)| !from.schemas.contains_key(*s))
    {
        plan.push(Phase::CreateSchema, format!("CREATE SCHEMA {schema};"));
    }
    for (ext, schema) in &to.extensions {
        match from.extensions.get(ext) {
            None => plan.push(
                Phase::CreateExtension,
                format!("CREATE EXTENSION IF NOT EXISTS \"{ext}\" SCHEMA {schema};"),
            ),
            Some(old) if old != schema => plan.push(
                Phase::CreateExtension,
                format!("ALTER EXTENSION \"{ext}\" SET SCHEMA {schema};"),
            ),
            Some(_) => {}
        }
    }
    types(from, to, &mut plan)?;
    sequences(from, to, &mut plan);
    let recreated_views = views(from, to, &mut plan);
    tables(from, to, &mut plan)?;
    indexes(from, to, options, &recreated_views, &mut plan);
    functions(from, to, &mut plan);
    drops(from, to, &mut plan);
    comments(from, to, &recreated_views, &mut plan);
    rename_warnings(from, to, &mut plan);
    Ok(plan)
}

/// `--rename`: renames `from`'s table or column so that the rest of the diff sees one object.
fn apply_renames(
    from: &mut Model,
    to: &Model,
    renames: &[String],
    plan: &mut Plan,
) -> Result<(), DiffError> {
    for rename in renames {
        let Some((old, new)) = rename.split_once('=') else {
            return Err(error(
                format!("--rename {rename}: expected old=new or table.old=new"),
                None,
            ));
        };
        let (old, new) = (old.trim(), new.trim());
        if let Some(table_key) = find_table(from, old) {
            let table = &from.tables[&table_key];
            let target = to
                .tables
                .values()
                .find(|t| t.name.schema == table.name.schema && t.name.name == new)
                .ok_or_else(|| {
                    error(
                        format!("--rename {rename}: the desired schema has no table \"{new}\" in schema \"{}\"", table.name.schema),
                        None,
                    )
                })?;
            let mut table = from
                .tables
                .remove(&table_key)
                .unwrap_or_else(|| unreachable!());
            plan.push(
                Phase::Rename,
                format!(
                    "ALTER TABLE {} RENAME TO {};",
                    table.name,
                    quote_last(&target.name.quoted)
                ),
            );
            table.name = target.name.clone();
            from.tables.insert(target.name.quoted.clone(), table);
            continue;
        }
        let Some((table_name, column)) = old.rsplit_once('.') else {
            return Err(error(
                format!("--rename {rename}: no table \"{old}\" in the current schema"),
                Some("name a table (`old=new`) or a column (`table.old=new`)"),
            ));
        };
        let Some(table_key) = find_table(from, table_name) else {
            return Err(error(
                format!("--rename {rename}: no table \"{table_name}\" in the current schema"),
                None,
            ));
        };
        let wanted =
            |name: &str, unquoted: &str| name == unquoted || name == format!("\"{unquoted}\"");
        let target_column = to
            .tables
            .get(&table_key)
            .and_then(|t| t.columns.iter().find(|c| wanted(&c.name, new)))
            .map(|c| c.name.clone())
            .ok_or_else(|| {
                error(
                    format!(
                        "--rename {rename}: the desired table {table_key} has no column \"{new}\""
                    ),
                    None,
                )
            })?;
        let Some(table) = from.tables.get_mut(&table_key) else {
            unreachable!("found above")
        };
        let Some(col) = table.columns.iter_mut().find(|c| wanted(&c.name, column)) else {
            return Err(error(
                format!("--rename {rename}: table {table_key} has no column \"{column}\""),
                None,
            ));
        };
        plan.push(
            Phase::Rename,
            format!(
                "ALTER TABLE {table_key} RENAME COLUMN {} TO {target_column};",
                col.name
            ),
        );
        col.name = target_column;
    }
    Ok(())
}

/// A table by `name` or `schema.name` (unquoted), or by its quoted key.
/// The `--rename` list of the opposite diff (desired → current, for a down part): each table
/// rename turned around first, then each column rename, named by the table's current name.
/// `current` is the model the forward renames start from.
pub fn reverse_renames(current: &Model, renames: &[String]) -> Vec<String> {
    let mut tables = Vec::new();
    let mut moved: Vec<(String, String)> = Vec::new();
    let mut columns = Vec::new();
    for rename in renames {
        let Some((old, new)) = rename.split_once('=') else {
            continue;
        };
        let (old, new) = (old.trim(), new.trim());
        if let Some(key) = find_table(current, old) {
            let table = &current.tables[&key];
            tables.push(format!("{}.{new}={}", table.name.schema, table.name.name));
            moved.push((new.to_string(), table.name.name.clone()));
            continue;
        }
        if let Some((table, column)) = old.rsplit_once('.') {
            // Named by its new name when the table rename came first.
            let table = moved
                .iter()
                .find(|(to, _)| table == to || table.ends_with(&format!(".{to}")))
                .map_or(table.to_string(), |(_, from)| from.clone());
            columns.push(format!("{table}.{new}={column}"));
        }
    }
    tables.extend(columns);
    tables
}

fn find_table(model: &Model, name: &str) -> Option<String> {
    if model.tables.contains_key(name) {
        return Some(name.to_string());
    }
    let (schema, table) = match name.split_once('.') {
        Some((s, t)) => (Some(s), t),
        None => (None, name),
    };
    let mut found = model
        .tables
        .values()
        .filter(|t| t.name.name == table && schema.is_none_or(|s| t.name.schema == s));
    let first = found.next()?;
    // Unqualified and in several schemas: prefer public, else ambiguous.
    match found.next() {
        None => Some(first.name.quoted.clone()),
        Some(_) if schema.is_none() => model
            .tables
            .values()
            .find(|t| t.name.name == table && t.name.schema == "public")
            .map(|t| t.name.quoted.clone()),
        Some(_) => None,
    }
}

/// The last part of a qualified quoted name (`RENAME TO` takes a bare name).
fn quote_last(qualified: &str) -> String {
    // format('%I.%I') output: the schema part is quoted or a plain identifier without dots.
    let mut in_quotes = false;
    let mut split = None;
    for (i, c) in qualified.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            '.' if !in_quotes => {
                split = Some(i);
                break;
            }
            _ => {}
        }
    }
    split.map_or(qualified.to_string(), |i| qualified[i + 1..].to_string())
}

fn types(from: &Model, to: &Model, plan: &mut Plan) -> Result<(), DiffError> {
    for (key, want) in &to.enums {
        let labels: Vec<String> = want.labels.iter().map(|l| literal(l)).collect();
        let Some(have) = from.enums.get(key) else {
            plan.push(
                Phase::Types,
                format!("CREATE TYPE {key} AS ENUM ({});", labels.join(", ")),
            );
            continue;
        };
        // PostgreSQL can add a label anywhere, and rename one, but never remove or reorder.
        let mut kept = want.labels.iter().filter(|l| have.labels.contains(l));
        let in_order = have.labels.iter().all(|l| kept.next() == Some(l));
        if let Some(removed) = have.labels.iter().find(|l| !want.labels.contains(l)) {
            return Err(error(
                format!(
                    "enum {key} loses the label {}: PostgreSQL cannot remove a value from an enum \
                     (rows and indexes may still hold it)",
                    literal(removed)
                ),
                Some(
                    "write the migration by hand: create a new type, ALTER the columns with \
                     `USING col::text::new_type`, drop the old type; or, for a renamed label, \
                     `ALTER TYPE ... RENAME VALUE 'old' TO 'new'`",
                ),
            ));
        }
        if !in_order {
            return Err(error(
                format!(
                    "enum {key} reorders its labels: PostgreSQL cannot reorder enum values in place"
                ),
                Some(
                    "write the migration by hand: create a new type and convert the columns to it",
                ),
            ));
        }
        for (i, label) in want.labels.iter().enumerate() {
            if have.labels.contains(label) {
                continue;
            }
            let position = match (i, have.labels.first()) {
                (0, Some(first)) => format!(" BEFORE {}", literal(first)),
                (0, None) => String::new(),
                _ => format!(" AFTER {}", literal(&want.labels[i - 1])),
            };
            // IF NOT EXISTS: when it commits on its own, running the file again after a later
            // failure must not fail here.
            plan.push_noted(
                Phase::EnumLabels,
                "the new value cannot be used in the transaction that adds it",
                format!(
                    "ALTER TYPE {key} ADD VALUE IF NOT EXISTS {}{position};",
                    literal(label)
                ),
            );
            plan.new_labels.push(literal(label));
        }
    }
    for (key, want) in &to.other_types {
        match from.other_types.get(key) {
            None => plan.push(Phase::Types, format!("{};", want.create)),
            Some(have) if have.create != want.create => {
                return Err(error(
                    format!(
                        "type {key} changes ({} → {}): squill diff does not write changes to domains \
                         and composite types",
                        have.create, want.create
                    ),
                    Some("write this migration by hand (ALTER DOMAIN / ALTER TYPE)"),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn sequences(from: &Model, to: &Model, plan: &mut Plan) {
    for (key, want) in &to.sequences {
        let have = from.sequences.get(key);
        match have {
            None => plan.push(
                Phase::CreateSequence,
                format!("CREATE SEQUENCE {key} {};", want.options),
            ),
            Some(have) if have.options != want.options => plan.push(
                Phase::CreateSequence,
                format!("ALTER SEQUENCE {key} {};", want.options),
            ),
            Some(_) => {}
        }
        // A sequence kept while its owner goes would be dropped with it: release it first.
        if let Some((table, column)) = have.and_then(|h| h.owned_by.as_ref())
            && to
                .tables
                .get(table)
                .is_none_or(|t| !t.columns.iter().any(|c| &c.name == column))
        {
            plan.push(
                Phase::CreateSequence,
                format!("ALTER SEQUENCE {key} OWNED BY NONE;"),
            );
        }
        if have.and_then(|h| h.owned_by.as_ref()) != want.owned_by.as_ref() {
            let owner = want
                .owned_by
                .as_ref()
                .map_or("NONE".to_string(), |(t, c)| format!("{t}.{c}"));
            plan.push(
                Phase::SequenceOwner,
                format!("ALTER SEQUENCE {key} OWNED BY {owner};"),
            );
        }
    }
}

/// Whether a table changes in a way a view reading it cannot survive (PostgreSQL refuses to
/// alter or drop a column a view uses).
fn table_changes_shape(from: &Table, to: Option<&Table>) -> bool {
    let Some(to) = to else { return true };
    from.columns.iter().any(|c| {
        to.columns
            .iter()
            .find(|t| t.name == c.name)
            .is_none_or(|t| {
                t.data_type != c.data_type
                    || t.collation != c.collation
                    || t.generated != c.generated
            })
    })
}

/// Drops the views that change or read something that changes (dependents first) and
/// creates the desired ones that are new or were dropped (dependencies first). Returns the
/// recreated views.
fn views(from: &Model, to: &Model, plan: &mut Plan) -> BTreeSet<String> {
    let mut recreate: BTreeSet<String> = BTreeSet::new();
    for (key, have) in &from.views {
        let same = to.views.get(key).is_some_and(|want| {
            want.definition == have.definition
                && want.options == have.options
                && want.materialized == have.materialized
        });
        if !same {
            recreate.insert(key.clone());
        }
    }
    let shape_changed: BTreeSet<&String> = from
        .tables
        .iter()
        .filter(|(k, t)| table_changes_shape(t, to.tables.get(*k)))
        .map(|(k, _)| k)
        .collect();
    // Dependents of what changes change too; at most one round per view.
    for _ in 0..=from.views.len() {
        let before = recreate.len();
        for (key, view) in &from.views {
            if view
                .depends_on
                .iter()
                .any(|d| recreate.contains(d) || shape_changed.contains(d))
            {
                recreate.insert(key.clone());
            }
        }
        if recreate.len() == before {
            break;
        }
    }
    for key in dependency_order(&from.views, &recreate).iter().rev() {
        let view = &from.views[key];
        let kind = if view.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        };
        plan.push(Phase::DropView, format!("DROP {kind} {key};"));
    }
    let create: BTreeSet<String> = to
        .views
        .keys()
        .filter(|k| recreate.contains(*k) || !from.views.contains_key(*k))
        .cloned()
        .collect();
    for key in dependency_order(&to.views, &create) {
        plan.push(Phase::CreateView, create_view(&to.views[&key]));
    }
    recreate.extend(create);
    recreate
}

fn create_view(view: &View) -> String {
    let kind = if view.materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    };
    let options = if view.options.is_empty() {
        String::new()
    } else {
        format!(" WITH ({})", view.options)
    };
    let body = view.definition.trim().trim_end_matches(';');
    format!("CREATE {kind} {}{options} AS\n{body};", view.name)
}

/// `wanted` views of `views`, each after the views it reads (cycles cannot exist in
/// PostgreSQL; the loop is bounded anyway).
fn dependency_order(views: &BTreeMap<String, View>, wanted: &BTreeSet<String>) -> Vec<String> {
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut order = Vec::new();
    for _ in 0..=wanted.len() {
        for key in wanted {
            if done.contains(key) {
                continue;
            }
            let Some(view) = views.get(key) else { continue };
            let ready = view
                .depends_on
                .iter()
                .all(|d| d == key || !wanted.contains(d) || done.contains(d));
            if ready {
                done.insert(key.clone());
                order.push(key.clone());
            }
        }
    }
    // Anything left (not possible in PostgreSQL) goes last rather than missing.
    order.extend(
        wanted
            .iter()
            .filter(|k| !done.contains(*k) && views.contains_key(*k))
            .cloned(),
    );
    order
}

pub(super) fn column_definition(column: &Column) -> String {
    let mut sql = format!("{} {}", column.name, column.data_type);
    if let Some(collation) = &column.collation {
        sql.push_str(&format!(" COLLATE {collation}"));
    }
    if let Some(expression) = &column.generated {
        sql.push_str(&format!(" GENERATED ALWAYS AS ({expression}) STORED"));
    }
    match column.identity.as_str() {
        "a" => sql.push_str(" GENERATED ALWAYS AS IDENTITY"),
        "d" => sql.push_str(" GENERATED BY DEFAULT AS IDENTITY"),
        _ => {}
    }
    if let Some(default) = &column.default {
        sql.push_str(&format!(" DEFAULT {default}"));
    }
    if column.not_null {
        sql.push_str(" NOT NULL");
    }
    sql
}

fn tables(from: &Model, to: &Model, plan: &mut Plan) -> Result<(), DiffError> {
    for (key, want) in &to.tables {
        let have = from.tables.get(key);
        if (want.inheritance.is_some() || have.is_some_and(|h| h.inheritance.is_some()))
            && have != Some(want)
        {
            return Err(error(
                format!(
                    "table {key} is partitioned or inherits ({}): squill diff does not write \
                     changes to partitioned or inheriting tables yet",
                    want.inheritance
                        .as_deref()
                        .or(have.and_then(|h| h.inheritance.as_deref()))
                        .unwrap_or_default()
                ),
                Some("write this part of the migration by hand"),
            ));
        }
        match have {
            None => {
                let columns: Vec<String> = want
                    .columns
                    .iter()
                    .map(|c| format!("    {}", column_definition(c)))
                    .collect();
                let body = if columns.is_empty() {
                    "()".to_string()
                } else {
                    format!("(\n{}\n)", columns.join(",\n"))
                };
                plan.push(Phase::CreateTable, format!("CREATE TABLE {key} {body};"));
            }
            Some(have) => columns(key, have, want, plan),
        }
        let dropped = dropped_columns(from, to, key);
        constraints(key, have, want, &dropped, plan);
        for (name, definition) in &want.triggers {
            if have.and_then(|h| h.triggers.get(name)) != Some(definition) {
                plan.push(Phase::CreateTrigger, format!("{definition};"));
            }
        }
    }
    for (key, have) in &from.tables {
        let want = to.tables.get(key);
        if have.inheritance.is_some() && want.is_none() {
            return Err(error(
                format!("table {key} is partitioned or inherits: squill diff does not drop it"),
                Some("write this part of the migration by hand"),
            ));
        }
        let Some(want) = want else {
            // Its foreign keys go first: the tables they reference may be dropped too.
            for (name, constraint) in &have.constraints {
                if constraint.kind == 'f' {
                    plan.push(
                        Phase::DropForeignKey,
                        format!("ALTER TABLE {key} DROP CONSTRAINT {name};"),
                    );
                }
            }
            plan.push(Phase::DropTable, format!("DROP TABLE {key};"));
            continue;
        };
        for (name, constraint) in &have.constraints {
            if want.constraints.get(name) != Some(constraint) {
                let phase = if constraint.kind == 'f' {
                    Phase::DropForeignKey
                } else {
                    Phase::DropConstraint
                };
                plan.push(phase, format!("ALTER TABLE {key} DROP CONSTRAINT {name};"));
            }
        }
        for (name, definition) in &have.triggers {
            if want.triggers.get(name) != Some(definition) {
                plan.push(Phase::DropTrigger, format!("DROP TRIGGER {name} ON {key};"));
            }
        }
    }
    Ok(())
}

/// A name for a temporary constraint, within PostgreSQL's 63 bytes.
fn temporary_name(column: &str) -> String {
    let mut base: String = column.trim_matches('"').replace('"', "");
    while base.len() > 40 {
        base.pop();
    }
    format!("\"squill_{base}_not_null\"")
}

/// SET NOT NULL without the long ACCESS EXCLUSIVE scan: a NOT VALID check validated under a
/// weaker lock lets PostgreSQL skip the scan.
fn set_not_null(key: &str, column: &str, plan: &mut Plan) {
    let check = temporary_name(column);
    plan.push_noted(
        Phase::AlterColumns,
        format!("{column} becomes NOT NULL: a NOT VALID check first, so that SET NOT NULL needs no table scan"),
        format!("ALTER TABLE {key} ADD CONSTRAINT {check} CHECK ({column} IS NOT NULL) NOT VALID;"),
    );
    plan.push(
        Phase::AlterColumns,
        format!("ALTER TABLE {key} VALIDATE CONSTRAINT {check};"),
    );
    plan.push(
        Phase::AlterColumns,
        format!("ALTER TABLE {key} ALTER COLUMN {column} SET NOT NULL;"),
    );
    plan.push(
        Phase::AlterColumns,
        format!("ALTER TABLE {key} DROP CONSTRAINT {check};"),
    );
}

fn add_column(key: &str, column: &Column, plan: &mut Plan) {
    let needs_backfill = column.not_null
        && column.default.is_none()
        && column.identity.is_empty()
        && column.generated.is_none();
    if !needs_backfill {
        plan.push(
            Phase::AlterColumns,
            format!(
                "ALTER TABLE {key} ADD COLUMN {};",
                column_definition(column)
            ),
        );
        return;
    }
    let nullable = Column {
        not_null: false,
        ..column.clone()
    };
    plan.push_noted(
        Phase::AlterColumns,
        format!(
            "{} is NOT NULL without a default: added nullable, to be backfilled before it is made NOT NULL",
            column.name
        ),
        format!("ALTER TABLE {key} ADD COLUMN {};", column_definition(&nullable)),
    );
    let next = plan.steps.len();
    set_not_null(key, &column.name, plan);
    if let Some(step) = plan.steps.get_mut(next) {
        step.comments.insert(
            0,
            format!(
                "TODO backfill: UPDATE {key} SET {} = ... WHERE {} IS NULL;",
                column.name, column.name
            ),
        );
    }
}

fn columns(key: &str, have: &Table, want: &Table, plan: &mut Plan) {
    for old in &have.columns {
        let Some(new) = want.columns.iter().find(|c| c.name == old.name) else {
            plan.push(
                Phase::AlterColumns,
                format!("ALTER TABLE {key} DROP COLUMN {};", old.name),
            );
            continue;
        };
        alter_column(key, old, new, plan);
    }
    for new in &want.columns {
        if !have.columns.iter().any(|c| c.name == new.name) {
            add_column(key, new, plan);
        }
    }
}

/// Columns of `key` that the migration drops (also to add them again): the constraints and
/// indexes that use them go with them.
fn dropped_columns(from: &Model, to: &Model, key: &str) -> Vec<String> {
    let (Some(have), Some(want)) = (from.tables.get(key), to.tables.get(key)) else {
        return Vec::new();
    };
    have.columns
        .iter()
        .filter(|c| {
            want.columns
                .iter()
                .find(|w| w.name == c.name)
                .is_none_or(|w| recreated_column(c, w))
        })
        .map(|c| c.name.clone())
        .collect()
}

/// Whether [`alter_column`] drops and re-adds the column (a generation expression change).
fn recreated_column(old: &Column, new: &Column) -> bool {
    old.generated != new.generated
        && !(old.generated.is_some() && new.generated.is_none() && old.data_type == new.data_type)
}

fn alter_column(key: &str, old: &Column, new: &Column, plan: &mut Plan) {
    let name = &new.name;
    let alter = |what: String| format!("ALTER TABLE {key} ALTER COLUMN {name} {what};");
    if old.generated != new.generated {
        if !recreated_column(old, new) {
            plan.push(Phase::AlterColumns, alter("DROP EXPRESSION".into()));
            // The column keeps its values and becomes an ordinary one; continue below.
        } else {
            // PostgreSQL 15 cannot add or change a generation expression in place.
            plan.push_noted(
                Phase::AlterColumns,
                format!("{name}: the generation expression changes, which PostgreSQL can only do by recreating the column"),
                format!("ALTER TABLE {key} DROP COLUMN {name};"),
            );
            add_column(key, new, plan);
            return;
        }
    }
    if !old.identity.is_empty() && new.identity.is_empty() {
        plan.push(Phase::AlterColumns, alter("DROP IDENTITY".into()));
    }
    let retype = old.data_type != new.data_type || old.collation != new.collation;
    let mut default_dropped = false;
    if old.default.is_some() && (old.default != new.default || retype) {
        plan.push(Phase::AlterColumns, alter("DROP DEFAULT".into()));
        default_dropped = true;
    }
    if old.not_null && !new.not_null {
        plan.push(Phase::AlterColumns, alter("DROP NOT NULL".into()));
    }
    if retype {
        let collate = new
            .collation
            .as_ref()
            .map_or(String::new(), |c| format!(" COLLATE {c}"));
        plan.push(
            Phase::AlterColumns,
            alter(format!(
                "TYPE {}{collate} USING {name}::{}",
                new.data_type, new.data_type
            )),
        );
    }
    if let Some(default) = &new.default
        && (default_dropped || old.default.as_ref() != Some(default))
    {
        plan.push(Phase::AlterColumns, alter(format!("SET DEFAULT {default}")));
    }
    if !old.not_null && new.not_null {
        set_not_null(key, name, plan);
    }
    match (old.identity.as_str(), new.identity.as_str()) {
        (o, n) if o == n => {}
        (_, "a") if old.identity.is_empty() => plan.push(
            Phase::AlterColumns,
            alter("ADD GENERATED ALWAYS AS IDENTITY".into()),
        ),
        (_, "d") if old.identity.is_empty() => plan.push(
            Phase::AlterColumns,
            alter("ADD GENERATED BY DEFAULT AS IDENTITY".into()),
        ),
        (_, "a") => plan.push(Phase::AlterColumns, alter("SET GENERATED ALWAYS".into())),
        (_, "d") => plan.push(
            Phase::AlterColumns,
            alter("SET GENERATED BY DEFAULT".into()),
        ),
        _ => {}
    }
}

fn constraints(
    key: &str,
    have: Option<&Table>,
    want: &Table,
    dropped_columns: &[String],
    plan: &mut Plan,
) {
    for (name, constraint) in &want.constraints {
        let kept = have.and_then(|h| h.constraints.get(name)) == Some(constraint)
            && !constraint
                .columns
                .iter()
                .any(|c| dropped_columns.contains(c));
        if kept {
            continue;
        }
        add_constraint(key, name, constraint, have.is_some(), plan);
    }
}

/// On an existing table, a check or foreign key is added NOT VALID and validated after, so
/// the validating scan does not block writes.
fn add_constraint(key: &str, name: &str, constraint: &Constraint, existing: bool, plan: &mut Plan) {
    let phase = if constraint.kind == 'f' {
        Phase::AddForeignKey
    } else {
        Phase::AddConstraint
    };
    let def = &constraint.definition;
    let deferrable = matches!(constraint.kind, 'c' | 'f');
    if existing && deferrable && !def.ends_with("NOT VALID") {
        plan.push(
            phase,
            format!("ALTER TABLE {key} ADD CONSTRAINT {name} {def} NOT VALID;"),
        );
        plan.push(
            phase,
            format!("ALTER TABLE {key} VALIDATE CONSTRAINT {name};"),
        );
    } else {
        plan.push(
            phase,
            format!("ALTER TABLE {key} ADD CONSTRAINT {name} {def};"),
        );
    }
}

fn indexes(
    from: &Model,
    to: &Model,
    options: &Options,
    recreated_views: &BTreeSet<String>,
    plan: &mut Plan,
) {
    for (key, have) in &from.indexes {
        let gone_with_owner = (!to.tables.contains_key(&have.on)
            && from.tables.contains_key(&have.on))
            || recreated_views.contains(&have.on);
        if to
            .indexes
            .get(key)
            .is_some_and(|w| w.definition == have.definition && w.on == have.on)
            || gone_with_owner
        {
            continue;
        }
        if options.concurrently && from.tables.contains_key(&have.on) {
            plan.steps.push(Step {
                phase: Phase::DropConstraint,
                comments: Vec::new(),
                sql: format!("DROP INDEX CONCURRENTLY IF EXISTS {key};"),
                concurrent: true,
            });
        } else {
            plan.push(Phase::DropConstraint, format!("DROP INDEX {key};"));
        }
    }
    for (key, want) in &to.indexes {
        let dropped = dropped_columns(from, to, &want.on);
        let unchanged = from.indexes.get(key).is_some_and(|h| {
            h.definition == want.definition
                && h.on == want.on
                && !h.columns.iter().any(|c| dropped.contains(c))
        });
        if unchanged && !recreated_views.contains(&want.on) {
            continue;
        }
        let on_view = to.views.contains_key(&want.on);
        let phase = if on_view {
            Phase::ViewIndexes
        } else {
            Phase::AddConstraint
        };
        let existing = from.tables.contains_key(&want.on) && !on_view;
        if options.concurrently && existing {
            let sql = concurrent_index(&want.definition);
            plan.steps.push(Step {
                phase,
                comments: Vec::new(),
                sql: format!("{sql};"),
                concurrent: true,
            });
        } else {
            plan.push(phase, format!("{};", want.definition));
        }
    }
}

/// `CREATE [UNIQUE] INDEX name ...` → `CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS name ...`.
fn concurrent_index(definition: &str) -> String {
    match definition.find(" INDEX ") {
        Some(at) => format!(
            "{} INDEX CONCURRENTLY IF NOT EXISTS {}",
            &definition[..at],
            &definition[at + " INDEX ".len()..]
        ),
        None => definition.to_string(),
    }
}

fn functions(from: &Model, to: &Model, plan: &mut Plan) {
    for (key, want) in &to.functions {
        let have = from.functions.get(key);
        if have.is_some_and(|h| h.definition == want.definition) {
            continue;
        }
        if let Some(have) = have
            && (have.result != want.result || have.kind != want.kind)
        {
            // CREATE OR REPLACE cannot change what a function returns.
            plan.push(Phase::DropTrigger, format!("DROP {} {key};", have.kind));
        }
        let body = want.definition.trim_end();
        plan.push(Phase::Functions, format!("{body};"));
    }
}

/// Objects of `from` that `to` does not have and that nothing else dropped took with it.
fn drops(from: &Model, to: &Model, plan: &mut Plan) {
    for (key, have) in &from.functions {
        if !to.functions.contains_key(key) {
            plan.push(Phase::DropObjects, format!("DROP {} {key};", have.kind));
        }
    }
    for (key, have) in &from.sequences {
        if to.sequences.contains_key(key) {
            continue;
        }
        // An owned sequence goes with its column.
        let owner_gone = have.owned_by.as_ref().is_some_and(|(table, column)| {
            to.tables
                .get(table)
                .is_none_or(|t| !t.columns.iter().any(|c| &c.name == column))
        });
        if !owner_gone {
            plan.push(Phase::DropObjects, format!("DROP SEQUENCE {key};"));
        }
    }
    for key in from
        .other_types
        .keys()
        .filter(|k| !to.other_types.contains_key(*k))
    {
        plan.push(Phase::DropObjects, format!("DROP TYPE {key};"));
    }
    for key in from.enums.keys().filter(|k| !to.enums.contains_key(*k)) {
        plan.push(Phase::DropObjects, format!("DROP TYPE {key};"));
    }
    for ext in from
        .extensions
        .keys()
        .filter(|k| !to.extensions.contains_key(*k))
    {
        plan.push(Phase::DropObjects, format!("DROP EXTENSION \"{ext}\";"));
    }
    for schema in from.schemas.keys().filter(|k| !to.schemas.contains_key(*k)) {
        plan.push(Phase::DropObjects, format!("DROP SCHEMA {schema};"));
    }
}

fn comment_step(plan: &mut Plan, what: &str, have: Option<&Option<String>>, want: &Option<String>) {
    let have = have.cloned().flatten();
    if have == *want {
        return;
    }
    let value = want.as_deref().map_or("NULL".to_string(), literal);
    plan.push(Phase::Comments, format!("COMMENT ON {what} IS {value};"));
}

fn comments(from: &Model, to: &Model, recreated_views: &BTreeSet<String>, plan: &mut Plan) {
    for (key, want) in &to.schemas {
        comment_step(plan, &format!("SCHEMA {key}"), from.schemas.get(key), want);
    }
    for (key, want) in &to.enums {
        comment_step(
            plan,
            &format!("TYPE {key}"),
            from.enums.get(key).map(|e| &e.comment),
            &want.comment,
        );
    }
    for (key, want) in &to.other_types {
        comment_step(
            plan,
            &format!("TYPE {key}"),
            from.other_types.get(key).map(|e| &e.comment),
            &want.comment,
        );
    }
    for (key, want) in &to.sequences {
        comment_step(
            plan,
            &format!("SEQUENCE {key}"),
            from.sequences.get(key).map(|e| &e.comment),
            &want.comment,
        );
    }
    for (key, want) in &to.tables {
        let have = from.tables.get(key);
        comment_step(
            plan,
            &format!("TABLE {key}"),
            have.map(|t| &t.comment),
            &want.comment,
        );
        for column in &want.columns {
            // A recreated column (generation change) lost its comment.
            let old = have
                .and_then(|t| t.columns.iter().find(|c| c.name == column.name))
                .filter(|c| !recreated_column(c, column));
            comment_step(
                plan,
                &format!("COLUMN {key}.{}", column.name),
                old.map(|c| &c.comment),
                &column.comment,
            );
        }
    }
    for (key, want) in &to.views {
        let kind = if want.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        };
        let have = from
            .views
            .get(key)
            .filter(|_| !recreated_views.contains(key));
        comment_step(
            plan,
            &format!("{kind} {key}"),
            have.map(|v| &v.comment),
            &want.comment,
        );
    }
    for (key, want) in &to.indexes {
        let have = from
            .indexes
            .get(key)
            .filter(|h| h.definition == want.definition && !recreated_views.contains(&want.on));
        comment_step(
            plan,
            &format!("INDEX {key}"),
            have.map(|i| &i.comment),
            &want.comment,
        );
    }
    for (key, want) in &to.functions {
        let have = from
            .functions
            .get(key)
            .filter(|h| h.result == want.result && h.kind == want.kind);
        comment_step(
            plan,
            &format!("{} {key}", want.kind),
            have.map(|f| &f.comment),
            &want.comment,
        );
    }
}

/// A dropped and an added table (or column) may be one renamed: say so, never guess.
fn rename_warnings(from: &Model, to: &Model, plan: &mut Plan) {
    let dropped: Vec<&Table> = from
        .tables
        .values()
        .filter(|t| !to.tables.contains_key(&t.name.quoted))
        .collect();
    let added: Vec<&Table> = to
        .tables
        .values()
        .filter(|t| !from.tables.contains_key(&t.name.quoted))
        .collect();
    for old in &dropped {
        for new in added.iter().filter(|n| n.name.schema == old.name.schema) {
            plan.warnings.push(format!(
                "table {} is dropped and {} is created: if it is a rename, pass `--rename {}={}` \
                 (a drop loses the data)",
                old.name, new.name, old.name.name, new.name.name
            ));
        }
    }
    for (key, have) in &from.tables {
        let Some(want) = to.tables.get(key) else {
            continue;
        };
        let dropped = have
            .columns
            .iter()
            .filter(|c| !want.columns.iter().any(|w| w.name == c.name));
        for old in dropped {
            for new in want.columns.iter().filter(|w| {
                w.data_type == old.data_type && !have.columns.iter().any(|c| c.name == w.name)
            }) {
                plan.warnings.push(format!(
                    "column {key}.{} is dropped and {key}.{} ({}) is added: if it is a rename, pass \
                     `--rename {}.{}={}` (a drop loses the data)",
                    old.name,
                    new.name,
                    new.data_type,
                    have.name.name,
                    old.name.trim_matches('"'),
                    new.name.trim_matches('"')
                ));
            }
        }
    }
}
