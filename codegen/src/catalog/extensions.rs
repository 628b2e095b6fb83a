//! Types that well-known extensions create, so that `from_ddl` can resolve a column of type
//! `citext` or `vector(1536)` to the schema the extension was installed in. Extension-owned
//! objects are not part of the catalog itself.
//!
//! The contrib entries were read from PostgreSQL 15 (`CREATE EXTENSION` each, then the
//! non-array types with a `pg_depend` `deptype = 'e'` entry on it); pgvector and PostGIS from
//! their documentation.

/// `(extension, types it creates)`.
const EXTENSION_TYPES: &[(&str, &[&str])] = &[
    (
        "btree_gist",
        &[
            "gbtreekey16",
            "gbtreekey2",
            "gbtreekey32",
            "gbtreekey4",
            "gbtreekey8",
            "gbtreekey_var",
        ],
    ),
    ("citext", &["citext"]),
    ("cube", &["cube"]),
    ("dblink", &["dblink_pkey_results"]),
    ("earthdistance", &["earth"]),
    ("hstore", &["ghstore", "hstore"]),
    ("intarray", &["intbig_gkey", "query_int"]),
    (
        "isn",
        &[
            "ean13", "isbn", "isbn13", "ismn", "ismn13", "issn", "issn13", "upc",
        ],
    ),
    ("lo", &["lo"]),
    ("ltree", &["lquery", "ltree", "ltree_gist", "ltxtquery"]),
    ("pg_trgm", &["gtrgm"]),
    ("seg", &["seg"]),
    (
        "tablefunc",
        &[
            "tablefunc_crosstab_2",
            "tablefunc_crosstab_3",
            "tablefunc_crosstab_4",
        ],
    ),
    ("vector", &["halfvec", "sparsevec", "vector"]),
    (
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
    ),
];

/// Extensions known to create no types.
const WITHOUT_TYPES: &[&str] = &[
    "adminpack",
    "amcheck",
    "autoinc",
    "bloom",
    "btree_gin",
    "dict_int",
    "dict_xsyn",
    "file_fdw",
    "fuzzystrmatch",
    "insert_username",
    "intagg",
    "moddatetime",
    "old_snapshot",
    "pageinspect",
    "pg_buffercache",
    "pg_freespacemap",
    "pg_prewarm",
    "pg_stat_statements",
    "pg_surgery",
    "pg_visibility",
    "pg_walinspect",
    "pgcrypto",
    "pgrowlocks",
    "pgstattuple",
    "plpgsql",
    "postgres_fdw",
    "refint",
    "sslinfo",
    "tcn",
    "tsm_system_rows",
    "tsm_system_time",
    "unaccent",
    "uuid-ossp",
    "xml2",
];

/// The types `extension` creates (empty for extensions without types, or unknown ones).
pub(crate) fn types_of(extension: &str) -> &'static [&'static str] {
    EXTENSION_TYPES
        .iter()
        .find(|(name, _)| *name == extension)
        .map_or(&[], |(_, types)| types)
}

/// Whether squill knows which types `extension` creates.
pub(crate) fn is_known(extension: &str) -> bool {
    WITHOUT_TYPES.contains(&extension) || EXTENSION_TYPES.iter().any(|(name, _)| *name == extension)
}

/// Extensions `CREATE EXTENSION ... CASCADE` installs first.
pub(crate) fn requires(extension: &str) -> &'static [&'static str] {
    match extension {
        "earthdistance" => &["cube"],
        "postgis_raster" | "postgis_topology" | "postgis_tiger_geocoder" => &["postgis"],
        _ => &[],
    }
}
