//! Types that well-known extensions create, so that `from_ddl` can resolve a column of type
//! `citext` or `vector(1536)` to the schema the extension was installed in. Extension-owned
//! objects are not part of the catalog itself.
//!
//! PostgreSQL's contrib extensions come from the contrib snapshot ([`crate::builtins::contrib`],
//! read from PostgreSQL 15: the types with a `pg_depend` `deptype = 'e'` entry on the extension),
//! which also gives what each requires and where one that names its schema goes, and pgvector
//! (transcribed from its install script into the same data); PostGIS (not installable here) from
//! its documentation.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::builtins::contrib::Contrib;

/// `(extension, types it creates)` for extensions outside contrib.
const OTHER_EXTENSION_TYPES: &[(&str, &[&str])] = &[(
    "postgis",
    &[
        "box2d",
        "box2df",
        "box3d",
        "geography",
        "geometry",
        "geometry_dump",
        "gidx",
        "spheroid",
        "valid_detail",
    ],
)];

/// Per contrib extension: its types (not their arrays) and what it requires.
struct ContribNames {
    types: HashMap<&'static str, Vec<&'static str>>,
    requires: HashMap<&'static str, Vec<&'static str>>,
}

fn contrib() -> &'static ContribNames {
    static NAMES: OnceLock<ContribNames> = OnceLock::new();
    NAMES.get_or_init(|| {
        let extensions = Contrib::load().extensions();
        ContribNames {
            types: extensions
                .iter()
                .map(|e| {
                    let types = e.types.iter().map(|t| t.name.as_str()).collect();
                    (e.name.as_str(), types)
                })
                .collect(),
            requires: extensions
                .iter()
                .map(|e| {
                    let requires = e.requires.iter().map(String::as_str).collect();
                    (e.name.as_str(), requires)
                })
                .collect(),
        }
    })
}

/// The types `extension` creates (empty for extensions without types, or unknown ones).
pub(crate) fn types_of(extension: &str) -> &'static [&'static str] {
    if let Some(types) = contrib().types.get(extension) {
        return types;
    }
    OTHER_EXTENSION_TYPES
        .iter()
        .find(|(name, _)| *name == extension)
        .map_or(&[], |(_, types)| types)
}

/// Whether squill knows which types `extension` creates.
pub(crate) fn is_known(extension: &str) -> bool {
    extension == "plpgsql"
        || contrib().types.contains_key(extension)
        || OTHER_EXTENSION_TYPES
            .iter()
            .any(|(name, _)| *name == extension)
}

/// Extensions `CREATE EXTENSION ... CASCADE` installs first.
pub(crate) fn requires(extension: &str) -> &'static [&'static str] {
    if let Some(requires) = contrib().requires.get(extension) {
        return requires;
    }
    match extension {
        "postgis_raster" | "postgis_topology" | "postgis_tiger_geocoder" => &["postgis"],
        _ => &[],
    }
}

/// The schema an extension always goes to, whatever `CREATE EXTENSION` says (its control
/// file's `schema`: `adminpack` lives in `pg_catalog`).
pub(crate) fn fixed_schema(extension: &str) -> Option<&'static str> {
    Contrib::load()
        .extension(extension)
        .and_then(|e| e.schema.as_deref())
}
