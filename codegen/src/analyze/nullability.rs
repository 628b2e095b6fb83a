//! When a value can be NULL. The rule is one-sided: the analyzer may call a value nullable
//! that never is, but never the other way round.
//!
//! * A strict function or operator over non-null inputs is non-null, except the builtins
//!   listed in [`NULL_ON_NON_NULL_INPUT`], which return NULL for some non-null inputs
//!   (missing JSON keys, empty arrays, no regex match, ...), and the contrib extensions'
//!   functions [`crate::builtins::contrib::Contrib::null_on_non_null_input`] names (`hstore`'s
//!   `->`, `ltree`'s `lca`, any function of an extension whose sources were not audited).
//!   Non-strict functions may be NULL.
//! * An aggregate: `count` (and any aggregate with an initial value and no final function)
//!   is never NULL. Others are NULL on empty input; in a grouped query every group has a row,
//!   so the aggregates of [`GROUPED_NON_NULL_AGGREGATES`] over non-null arguments, without
//!   `FILTER`, are non-null there. Any other aggregate (`stddev_samp` of one row is NULL) may
//!   be NULL.
//! * Array elements (`Vec<Option<T>>` unless proven): `ARRAY[...]` of non-null elements (of
//!   sub-arrays with non-null elements: NULL sub-arrays are left out), `ARRAY(SELECT c ...)`
//!   of a non-null column, and `array_agg(x)` of a non-null `x` (of arrays with non-null
//!   elements) have none; an outer join that can null `x` makes `x` nullable first. Anything
//!   else (a table's array column, a function's array result) may hold NULLs.
//! * Window functions: ranking functions are non-null; `lag`/`lead`/`first_value`/
//!   `last_value`/`nth_value` may be NULL; an aggregate used as a window function follows the
//!   grouped rule when the frame is the default one (it always holds the current row).

use crate::builtins::BuiltinFunction;

/// Strict builtins that can return NULL although no argument is NULL.
pub const NULL_ON_NON_NULL_INPUT: &[&str] = &[
    "json_extract_path",
    "json_extract_path_text",
    "jsonb_extract_path",
    "jsonb_extract_path_text",
    "json_object_field",
    "json_object_field_text",
    "jsonb_object_field",
    "jsonb_object_field_text",
    "json_array_element",
    "json_array_element_text",
    "jsonb_array_element",
    "jsonb_array_element_text",
    "jsonb_path_query_first",
    "jsonb_path_query_first_tz",
    "jsonb_path_match",
    "jsonb_path_match_tz",
    "jsonb_set_lax",
    "array_upper",
    "array_lower",
    "array_length",
    "array_ndims",
    "array_dims",
    "array_position",
    "array_positions",
    "regexp_match",
    "regexp_substr",
    "regexp_instr",
    "substring",
    "textregexsubstr",
    "current_setting",
    "to_regclass",
    "to_regtype",
    "to_regproc",
    "to_regprocedure",
    "to_regoper",
    "to_regoperator",
    "to_regnamespace",
    "to_regrole",
    "to_regcollation",
    "pg_get_expr",
    "pg_get_viewdef",
    "pg_get_indexdef",
    "pg_get_constraintdef",
    "pg_get_functiondef",
    "pg_get_userbyid",
    "pg_get_serial_sequence",
    "inet_client_addr",
    "inet_client_port",
    "inet_server_addr",
    "inet_server_port",
    "obj_description",
    "col_description",
    "shobj_description",
    "json_typeof",
    "jsonb_typeof",
    "nullif",
    "unnest",
    "string_to_table",
    "regexp_split_to_table",
    "jsonb_array_elements",
    "jsonb_array_elements_text",
    "json_array_elements",
    "json_array_elements_text",
    "jsonb_each",
    "jsonb_each_text",
    "json_each",
    "json_each_text",
    "jsonb_populate_record",
    "json_populate_record",
    "range_lower",
    "range_upper",
    "lower",
    "upper",
];

/// Aggregates that, over at least one row of non-null arguments, never return NULL.
pub const GROUPED_NON_NULL_AGGREGATES: &[&str] = &[
    "sum",
    "min",
    "max",
    "avg",
    "array_agg",
    "string_agg",
    "bool_and",
    "bool_or",
    "every",
    "bit_and",
    "bit_or",
    "bit_xor",
    "json_agg",
    "jsonb_agg",
    "json_object_agg",
    "jsonb_object_agg",
];

/// Window functions that never return NULL (given non-null arguments).
pub const NON_NULL_WINDOW_FUNCTIONS: &[&str] = &[
    "row_number",
    "rank",
    "dense_rank",
    "percent_rank",
    "cume_dist",
    "ntile",
];

/// A plain (non-aggregate, non-window) function call's nullability.
pub fn function_nullable(f: &BuiltinFunction, args_nullable: &[bool]) -> bool {
    if crate::builtins::contrib::Contrib::load().null_on_non_null_input(f.oid) {
        return true;
    }
    if f.retset || !f.strict || NULL_ON_NON_NULL_INPUT.contains(&f.name.as_str()) {
        // `lower`/`upper` of text are fine; only their range forms return NULL.
        if (f.name == "lower" || f.name == "upper")
            && f.strict
            && !f.retset
            && f.ret == crate::builtins::oid::TEXT
        {
            return args_nullable.iter().any(|&n| n);
        }
        return true;
    }
    args_nullable.iter().any(|&n| n)
}

/// An operator's nullability, by its implementing function.
pub fn operator_nullable(code: Option<&BuiltinFunction>, args_nullable: &[bool]) -> bool {
    match code {
        Some(f) => function_nullable(f, args_nullable),
        None => true,
    }
}

/// An aggregate call's nullability (`grouped`: the query has GROUP BY, so every group has at
/// least one row; `filtered`: a FILTER clause may leave none).
pub fn aggregate_nullable(
    f: &BuiltinFunction,
    args_nullable: &[bool],
    grouped: bool,
    filtered: bool,
) -> bool {
    if f.aggregate
        .as_ref()
        .is_some_and(|a| !a.null_on_empty_input())
    {
        return false;
    }
    if !grouped || filtered {
        return true;
    }
    // string_agg's delimiter may be NULL without making the result NULL; only the value counts.
    let value_nullable = args_nullable.first().copied().unwrap_or(false);
    !GROUPED_NON_NULL_AGGREGATES.contains(&f.name.as_str()) || value_nullable
}

/// Whether `ARRAY[elements]` has no NULL element (`is_array`: whether a type is an array
/// type, whose values are sub-arrays of a multidimensional result).
pub fn array_elements_non_null(
    elements: &[super::expr::Typed],
    is_array: impl Fn(u32) -> bool,
) -> bool {
    elements.iter().all(|e| {
        if is_array(e.ty) {
            e.elements_non_null
        } else {
            !e.nullable
        }
    })
}

/// Whether an aggregate's array result has no NULL element: `array_agg(anynonarray)` of a
/// non-null argument, `array_agg(anyarray)` of arrays without NULL elements (a NULL input
/// array is an error there).
pub fn aggregate_elements_non_null(
    f: &BuiltinFunction,
    args_nullable: &[bool],
    first_elements_non_null: Option<bool>,
) -> bool {
    if f.name != "array_agg" {
        return false;
    }
    match f.args.first() {
        Some(&crate::builtins::oid::ANYARRAY) => first_elements_non_null.unwrap_or(false),
        Some(_) => args_nullable.first().is_some_and(|n| !n),
        None => false,
    }
}
