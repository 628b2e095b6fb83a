//! Query files as users write them: splitting, annotations, parameters, doc comments, and the
//! map from the SQL sent back to the file.

use proptest::prelude::*;
use squill_codegen::diagnostic::{Diagnostic, SourceFile};
use squill_codegen::source::split::split_statements;
use squill_codegen::source::{Command, RawQuery, parse_query_file};

fn parse(text: &str) -> (Vec<RawQuery>, Vec<Diagnostic>) {
    parse_query_file(&SourceFile::new("queries/users.sql", text))
}

fn one_query(text: &str) -> RawQuery {
    let (mut queries, diagnostics) = parse(text);
    assert!(diagnostics.is_empty(), "{}", render(&diagnostics));
    assert_eq!(queries.len(), 1, "{queries:?}");
    queries.remove(0)
}

fn render(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(Diagnostic::render).collect()
}

/// The only diagnostic for `text`: checks its message and that both its location and its
/// rendering name `queries/users.sql:line:col`.
fn single_error(text: &str, message: &str, line_col: &str) -> Diagnostic {
    let (_, diagnostics) = parse(text);
    assert_eq!(diagnostics.len(), 1, "{}", render(&diagnostics));
    let d = diagnostics.into_iter().next().unwrap();
    let location = format!("queries/users.sql:{line_col}");
    assert_eq!(d.message, message);
    assert_eq!(d.location().as_deref(), Some(location.as_str()));
    assert!(d.render().contains(&location), "{}", d.render());
    d
}

fn names(query: &RawQuery) -> Vec<Option<&str>> {
    query.params.iter().map(|p| p.name.as_deref()).collect()
}

// ---------------------------------------------------------------------------------------------
// Splitting

fn split(text: &str) -> Vec<&str> {
    split_statements(text)
        .into_iter()
        .map(|r| &text[r])
        .collect()
}

#[test]
fn split_respects_every_quoting_form() {
    let cases: &[(&str, &[&str])] = &[
        ("SELECT 'a;''b'; SELECT 2;", &["SELECT 'a;''b'", "SELECT 2"]),
        (
            r"SELECT E'it\'s;'; SELECT 2",
            &[r"SELECT E'it\'s;'", "SELECT 2"],
        ),
        (r"SELECT e'\\'; SELECT 2", &[r"SELECT e'\\'", "SELECT 2"]),
        (
            r"SELECT U&'d\0061t;'; SELECT 2",
            &[r"SELECT U&'d\0061t;'", "SELECT 2"],
        ),
        (
            r#"SELECT U&"a;" FROM t; SELECT 2"#,
            &[r#"SELECT U&"a;" FROM t"#, "SELECT 2"],
        ),
        (
            r#"SELECT "we;ird""name" FROM t; SELECT 2"#,
            &[r#"SELECT "we;ird""name" FROM t"#, "SELECT 2"],
        ),
        ("SELECT $$a;b$$; SELECT 2", &["SELECT $$a;b$$", "SELECT 2"]),
        (
            "SELECT $body$ $$;$$ $body$; SELECT 2",
            &["SELECT $body$ $$;$$ $body$", "SELECT 2"],
        ),
        ("SELECT $1; SELECT $2;", &["SELECT $1", "SELECT $2"]),
        (
            "SELECT 1 -- not the end;\n, 2; SELECT 3",
            &["SELECT 1 -- not the end;\n, 2", "SELECT 3"],
        ),
        (
            "SELECT /* a /* b; */ c; */ 1; SELECT 2",
            &["SELECT /* a /* b; */ c; */ 1", "SELECT 2"],
        ),
        (
            "-- lead;\n/* block; */ SELECT 1 /* tail */ ;",
            &["SELECT 1"],
        ),
        (";; ;\n-- nothing\n;", &[]),
    ];
    for (text, expected) in cases {
        assert_eq!(split(text), *expected, "{text}");
    }
}

#[test]
fn split_keeps_sql_standard_function_bodies_whole() {
    let text = "CREATE FUNCTION add(a int, b int) RETURNS int\n  LANGUAGE sql IMMUTABLE\n\
                BEGIN ATOMIC\n  SELECT CASE WHEN a IS NULL THEN 0 ELSE a END + b;\nEND;\n\
                CREATE OR REPLACE PROCEDURE ins(x int) LANGUAGE sql\nBEGIN ATOMIC\n  INSERT INTO t VALUES (x);\n  INSERT INTO t VALUES (x + 1);\nEND;\n\
                CREATE TABLE t (x int);";
    let parts = split(text);
    assert_eq!(parts.len(), 3, "{parts:#?}");
    assert!(parts[0].starts_with("CREATE FUNCTION") && parts[0].ends_with("END"));
    assert!(parts[1].starts_with("CREATE OR REPLACE PROCEDURE") && parts[1].ends_with("END"));
    assert_eq!(parts[2], "CREATE TABLE t (x int)");
}

#[test]
fn split_gives_the_rest_of_the_file_to_unterminated_quoting() {
    for (text, expected) in [
        (
            "SELECT 1; SELECT 'oops; SELECT 2;",
            "SELECT 'oops; SELECT 2;",
        ),
        (
            "SELECT 1; SELECT \"oops; SELECT 2;",
            "SELECT \"oops; SELECT 2;",
        ),
        (
            "SELECT 1; SELECT $x$ oops; SELECT 2;",
            "SELECT $x$ oops; SELECT 2;",
        ),
        (
            "SELECT 1; SELECT E'\\'; SELECT 2;",
            "SELECT E'\\'; SELECT 2;",
        ),
    ] {
        assert_eq!(split(text), ["SELECT 1", expected], "{text}");
    }
    assert_eq!(
        split("SELECT 1; SELECT 2 /* oops; SELECT 3;"),
        ["SELECT 1", "SELECT 2"]
    );
}

// ---------------------------------------------------------------------------------------------
// Annotations

#[test]
fn reads_a_file_of_queries() {
    let text = "\
-- Users of a shop.

-- Returns the user, or None.
-- Scoped by shop.
-- name: GetUser :opt
SELECT id, email FROM users WHERE id = @id AND shop_id = @shop_id;

/* name: CountUsers :one */
SELECT count(*) FROM users;

--name:DeleteUser   :execrows
DELETE FROM users WHERE id = $1
";
    let (queries, diagnostics) = parse(text);
    assert!(diagnostics.is_empty(), "{}", render(&diagnostics));
    let summary: Vec<_> = queries
        .iter()
        .map(|q| (q.name.as_str(), q.command, q.line))
        .collect();
    assert_eq!(
        summary,
        [
            ("GetUser", Command::Opt, 5),
            ("CountUsers", Command::One, 8),
            ("DeleteUser", Command::ExecRows, 11)
        ]
    );
    assert_eq!(
        queries[0].doc,
        ["Returns the user, or None.", "Scoped by shop."]
    );
    assert!(queries[1].doc.is_empty());
    assert_eq!(&text[queries[0].name_span.clone()], "GetUser");
    assert_eq!(
        &text[queries[2].span.clone()],
        "DELETE FROM users WHERE id = $1"
    );
    assert_eq!(queries[2].sql, "DELETE FROM users WHERE id = $1");
    assert_eq!(names(&queries[2]), [Some("id")]);
}

#[test]
fn every_command() {
    for command in Command::ALL {
        let q = one_query(&format!("-- name: Q {}\nSELECT 1", command.as_str()));
        assert_eq!(q.command, command);
    }
}

#[test]
fn error_annotation_without_command() {
    let d = single_error(
        "-- name: GetUser\nSELECT 1;",
        "query `GetUser` has no command",
        "1:10",
    );
    assert!(d.help.unwrap().contains("-- name: GetUser :one"));
}

#[test]
fn error_unknown_command_suggests_the_closest() {
    let d = single_error(
        "-- name: GetUser :mny\nSELECT 1;",
        "unknown query command `:mny`",
        "1:18",
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `:many`?"));
    let d = single_error(
        "\n-- name: GetUser :first\nSELECT 1;",
        "unknown query command `:first`",
        "2:18",
    );
    assert!(d.help.unwrap().contains(":one, :opt, :many"));
}

#[test]
fn error_invalid_query_name() {
    single_error(
        "-- name: 2fast :one\nSELECT 1;",
        "`2fast` is not a valid query name",
        "1:10",
    );
    single_error(
        "-- name: get-user :one\nSELECT 1;",
        "`get-user` is not a valid query name",
        "1:10",
    );
}

#[test]
fn error_duplicate_query_name_notes_the_first() {
    let text = "-- name: GetUser :one\nSELECT 1;\n\n-- name: GetUser :many\nSELECT 2;";
    let d = single_error(text, "query `GetUser` is defined twice", "4:10");
    assert_eq!(
        d.notes,
        ["`GetUser` is first defined at queries/users.sql:1:10"]
    );
    let (queries, _) = parse(text);
    assert_eq!(queries.len(), 1);
    assert_eq!(queries[0].command, Command::One);
    // Names that become the same Rust function are both kept (the emitter numbers them).
    let text = "-- name: GetUser :one\nSELECT 1;\n-- name: get_user :one\nSELECT 2;";
    let (queries, problems) = parse(text);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(queries.len(), 2);
}

#[test]
fn error_sql_before_the_first_annotation() {
    let text = "-- header comment\n\n  SELECT 1;\n-- name: A :one\nSELECT 2;";
    let d = single_error(text, "statement has no `-- name:` annotation", "3:3");
    assert!(d.help.unwrap().contains("-- name: QueryName :many"));
    let d = single_error(
        "DELETE FROM t;",
        "statement has no `-- name:` annotation",
        "1:1",
    );
    assert!(d.help.unwrap().contains("-- name: QueryName :exec"));
    // Only comments and whitespace before the first annotation is fine.
    one_query("-- header\n/* block */\n\n-- name: A :one\nSELECT 1;");
}

#[test]
fn error_more_than_one_statement_under_an_annotation() {
    let text = "-- name: A :exec\nDELETE FROM a;\nDELETE FROM b;\n";
    let d = single_error(text, "statement has no `-- name:` annotation", "3:1");
    assert!(
        d.notes[0].contains("`A` at queries/users.sql:1"),
        "{:?}",
        d.notes
    );
    // The first statement is still read.
    assert_eq!(parse(text).0[0].sql, "DELETE FROM a");
}

#[test]
fn error_annotation_without_statement() {
    single_error(
        "-- name: A :one\nSELECT 1;\n-- name: B :one\n-- nothing here\n",
        "query `B` has no statement",
        "3:10",
    );
    single_error(
        "-- name: A :one\n;\n-- name: B :one\nSELECT 2;",
        "query `A` has no statement",
        "1:10",
    );
}

#[test]
fn annotation_spacing_is_lenient_but_other_comments_are_comments() {
    for text in [
        "--name:A :one\nSELECT 1",
        "--   name :  A   :one  \nSELECT 1",
        "-- name: A:one\nSELECT 1",
    ] {
        assert_eq!(one_query(text).name, "A", "{text}");
    }
    single_error(
        "-- nme: A :one\nSELECT 1;",
        "statement has no `-- name:` annotation",
        "2:1",
    );
}

#[test]
fn an_annotation_ends_a_statement_missing_its_semicolon() {
    let (queries, diagnostics) = parse("-- name: A :one\nSELECT (1\n-- name: B :one\nSELECT 2;");
    assert!(diagnostics.is_empty(), "{}", render(&diagnostics));
    let sql: Vec<_> = queries.iter().map(|q| q.sql.as_str()).collect();
    assert_eq!(sql, ["SELECT (1", "SELECT 2"]);
}

#[test]
fn keeps_going_after_errors() {
    let text = "-- name: A :bad\nSELECT 1;\n-- name: B :one\nSELECT sqlc.slice();\n-- name: C :one\nSELECT $2;\n-- name: D :one\nSELECT 4;";
    let (queries, diagnostics) = parse(text);
    let locations: Vec<_> = diagnostics.iter().map(|d| d.location().unwrap()).collect();
    assert_eq!(
        locations,
        [
            "queries/users.sql:1:12",
            "queries/users.sql:4:8",
            "queries/users.sql:6:8"
        ]
    );
    assert_eq!(
        queries.iter().map(|q| q.name.as_str()).collect::<Vec<_>>(),
        ["D"]
    );
}

#[test]
fn doc_comments_are_the_lines_right_above() {
    let text = "-- File header.\n\n-- First line.\n--   indented\n--\n-- name: A :one\n-- After the annotation.\nSELECT 1; -- trailing\n-- name: B :one\nSELECT 2;";
    let (queries, _) = parse(text);
    assert_eq!(
        queries[0].doc,
        ["First line.", "  indented", "", "After the annotation."]
    );
    assert!(queries[1].doc.is_empty(), "{:?}", queries[1].doc);
}

// ---------------------------------------------------------------------------------------------
// Parameters

#[test]
fn named_params_become_numbers_in_order_of_appearance() {
    let text = "-- name: Q :many\nSELECT * FROM users WHERE shop_id = @shop_id AND (email = sqlc.arg(email) OR @email = '') AND shop_id = @shop_id";
    let q = one_query(text);
    assert_eq!(
        q.sql,
        "SELECT * FROM users WHERE shop_id = $1 AND (email = $2 OR $2 = '') AND shop_id = $1"
    );
    assert_eq!(names(&q), [Some("shop_id"), Some("email")]);
    let spans: Vec<Vec<&str>> = q
        .params
        .iter()
        .map(|p| p.spans.iter().map(|s| &text[s.clone()]).collect())
        .collect();
    assert_eq!(
        spans,
        [
            vec!["@shop_id", "@shop_id"],
            vec!["sqlc.arg(email)", "@email"]
        ]
    );
    assert!(q.params.iter().all(|p| !p.nullable));
}

#[test]
fn narg_makes_the_param_nullable_everywhere() {
    let q = one_query(
        "-- name: Q :exec\nUPDATE t SET note = sqlc.narg('note') WHERE note IS DISTINCT FROM @note",
    );
    assert_eq!(
        q.sql,
        "UPDATE t SET note = $1 WHERE note IS DISTINCT FROM $1"
    );
    assert_eq!(q.params.len(), 1);
    assert!(q.params[0].nullable);
    let q = one_query("-- name: Q :exec\nSELECT Sqlc.Arg ( \"x\" ), SQLC.narg(y)");
    assert_eq!(q.sql, "SELECT $1, $2");
    assert_eq!((q.params[0].nullable, q.params[1].nullable), (false, true));
}

#[test]
fn mixed_positional_and_named() {
    let q = one_query(
        "-- name: Q :many\nSELECT * FROM t WHERE a = $2 AND b = @b AND c = $1 LIMIT @lim",
    );
    assert_eq!(
        q.sql,
        "SELECT * FROM t WHERE a = $2 AND b = $3 AND c = $1 LIMIT $4"
    );
    assert_eq!(names(&q), [Some("c"), Some("a"), Some("b"), Some("lim")]);
}

#[test]
fn at_signs_that_are_operators_or_quoted_stay() {
    let text = "-- name: Q :many\nSELECT '@x', \"@y\", $$@z$$, tags @> ARRAY['a'], doc @@ to_tsquery('q'), @-5, a<@b /* @c */ -- @d\nFROM t WHERE n = @n::int";
    let q = one_query(text);
    assert_eq!(
        q.sql,
        "SELECT '@x', \"@y\", $$@z$$, tags @> ARRAY['a'], doc @@ to_tsquery('q'), @-5, a<@b /* @c */ -- @d\nFROM t WHERE n = $1::int"
    );
    assert_eq!(names(&q), [Some("n")]);
}

#[test]
fn glued_at_sign_is_reported() {
    let d = single_error(
        "-- name: Q :one\nSELECT * FROM t WHERE id=@id",
        "`=@id` is the operator `=@` followed by `id`, not a parameter",
        "2:25",
    );
    assert_eq!(
        d.help.as_deref(),
        Some("put a space before the parameter: `= @id`")
    );
}

#[test]
fn positional_gaps_are_errors_at_the_later_param() {
    let d = single_error(
        "-- name: Q :one\nSELECT $1, $3",
        "parameter $2 is never used",
        "2:12",
    );
    assert!(d.render().contains("^^"), "{}", d.render());
    single_error(
        "-- name: Q :one\nSELECT $0",
        "there is no parameter $0",
        "2:8",
    );
}

#[test]
fn unsupported_macros() {
    let d = single_error(
        "-- name: Q :many\nSELECT * FROM t WHERE id = ANY(sqlc.slice(a, b))",
        "`sqlc.slice` takes one parameter name",
        "2:32",
    );
    assert!(d.help.unwrap().contains("sqlc.slice(email)"));
    let d = single_error(
        "-- name: Q :many\nSELECT sqlc.embed() FROM users",
        "`sqlc.embed` takes one table name",
        "2:8",
    );
    assert!(d.help.unwrap().contains("sqlc.embed(users)"));
    let d = single_error(
        "-- name: Q :many\nSELECT sqlc.nargs(a)",
        "unknown macro `sqlc.nargs`",
        "2:8",
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `sqlc.narg`?"));
}

#[test]
fn positional_names_come_from_context() {
    let cases: &[(&str, &[Option<&str>])] = &[
        (
            "SELECT * FROM users u WHERE u.email = $1 AND $2 <> shop_id",
            &[Some("email"), Some("shop_id")],
        ),
        (
            "SELECT * FROM t WHERE \"Display Name\" ILIKE $1",
            &[Some("Display Name")],
        ),
        (
            "SELECT * FROM t WHERE Created_At >= $1 AND created_at < $2",
            &[Some("created_at"), Some("created_at_2")],
        ),
        (
            "SELECT * FROM t ORDER BY id LIMIT $1 OFFSET $2",
            &[Some("limit"), Some("offset")],
        ),
        (
            "SELECT * FROM t WHERE lower(email) = $1 AND $2 = now()",
            &[None, None],
        ),
        ("SELECT $1::int + 1", &[None]),
        (
            "INSERT INTO users (email, shop_id) VALUES ($1, $2) RETURNING id",
            &[Some("email"), Some("shop_id")],
        ),
        (
            "SELECT * FROM t WHERE id = $1 AND name = @id",
            &[Some("id_2"), Some("id")],
        ),
    ];
    for (sql, expected) in cases {
        let q = one_query(&format!("-- name: Q :many\n{sql}"));
        assert_eq!(names(&q), *expected, "{sql}");
    }
}

#[test]
fn alias_nullability_overrides_are_left_alone() {
    let q = one_query("-- name: Q :one\nSELECT sum(x) AS \"total!\", note AS \"note?\" FROM t");
    assert_eq!(
        q.sql,
        "SELECT sum(x) AS \"total!\", note AS \"note?\" FROM t"
    );
}

// ---------------------------------------------------------------------------------------------
// Mapping SQL offsets back into the file

#[test]
fn file_offsets_round_trip() {
    let text = "-- name: Q :one\nSELECT 'é' AS \"ü\", @email, sqlc.narg(note) FROM t WHERE id = $1 AND x = @email";
    let q = one_query(text);
    assert_eq!(
        q.sql,
        "SELECT 'é' AS \"ü\", $2, $3 FROM t WHERE id = $1 AND x = $2"
    );
    // Every character outside a rewritten parameter maps to the same character in the file.
    let rewritten: Vec<_> = q
        .sql
        .match_indices("$2")
        .chain(q.sql.match_indices("$3"))
        .map(|(i, _)| i..i + 2)
        .collect();
    for (i, c) in q
        .sql
        .char_indices()
        .filter(|(i, _)| !rewritten.iter().any(|r| r.contains(i)))
    {
        assert_eq!(
            text[q.file_offset(i)..].chars().next(),
            Some(c),
            "sql offset {i}"
        );
    }
    // Offsets inside `$2` map into `@email`, inside `$3` into `sqlc.narg(note)`.
    let at = |needle: &str| q.sql.find(needle).unwrap();
    for k in 0..2 {
        assert_eq!(q.file_offset(at("$2") + k), text.find("@email").unwrap());
        assert_eq!(q.file_offset(at("$3") + k), text.find("sqlc.narg").unwrap());
    }
    assert_eq!(
        q.file_offset(q.sql.rfind("$2").unwrap()),
        text.rfind("@email").unwrap()
    );
    assert_eq!(q.file_offset(at("$1")), text.find("$1").unwrap());
    // Past the end and mid-character offsets are clamped, never panic.
    assert_eq!(q.file_offset(usize::MAX), text.len());
    assert_eq!(q.file_offset(at("é") + 1), text.find('é').unwrap());
}

// ---------------------------------------------------------------------------------------------
// cornucopia / clorinde dialect (`--!`): tests/cornucopia_project is a small project in it.

fn cornucopia_project() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cornucopia_project")
}

fn cornucopia_queries() -> (SourceFile, Vec<RawQuery>) {
    let text = std::fs::read_to_string(cornucopia_project().join("queries/library.sql")).unwrap();
    let file = SourceFile::new("queries/library.sql", text);
    let (queries, diagnostics) = parse_query_file(&file);
    assert!(diagnostics.is_empty(), "{}", render(&diagnostics));
    (file, queries)
}

/// Name, command, row type, and each parameter's name and nullability.
type QuerySummary<'a> = (&'a str, Command, Option<String>, Vec<(&'a str, bool)>);

#[test]
fn cornucopia_file_is_read_in_its_dialect() {
    let (file, queries) = cornucopia_queries();
    let summary: Vec<QuerySummary> = queries
        .iter()
        .map(|q| {
            (
                q.name.as_str(),
                q.command,
                q.row_type(),
                q.params
                    .iter()
                    .map(|p| (p.name.as_deref().unwrap(), p.nullable))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("authors", Command::Many, Some("Author".into()), vec![]),
            (
                "authors_from_country",
                Command::Many,
                Some("Author".into()),
                vec![("country", true)]
            ),
            ("author_names", Command::Many, None, vec![]),
            ("countries", Command::Many, Some("Countries".into()), vec![]),
            (
                "book_titles",
                Command::Many,
                Some("Titles".into()),
                vec![("after", false)]
            ),
            (
                "insert_author",
                Command::Many,
                None,
                vec![("name", false), ("country", true), ("age", false)]
            ),
            ("delete_author", Command::Exec, None, vec![("id", false)]),
        ]
    );
    let from_country = &queries[1];
    assert_eq!(
        from_country.doc,
        ["Authors of a country; with no country, those whose country is unknown."]
    );
    assert!(
        from_country.sql.ends_with("IS NOT DISTINCT FROM $1"),
        "{}",
        from_country.sql
    );
    let titles = &queries[4];
    assert_eq!(
        titles.doc,
        ["Titles, with the author's name where there is one."]
    );
    assert!(
        titles
            .sql
            .contains("':not_a_parameter' AND b.id > $1::bigint"),
        "{}",
        titles.sql
    );
    assert_eq!(titles.line, 18);
    // The declared type's columns point into its `--:` line.
    let age = &queries[0].row.as_ref().unwrap().columns[0];
    assert_eq!((age.name.as_str(), age.nullable), ("age", true));
    assert_eq!(file.line_col(age.span.start), (3, 12));
}

fn cornucopia_schema() -> squill_codegen::analyze::Schema {
    let path = cornucopia_project().join("schema/0001_init.sql");
    let text = std::fs::read_to_string(path).unwrap();
    let (catalog, problems, _) =
        squill_codegen::catalog::from_ddl(&[SourceFile::new("schema/0001_init.sql", text)]);
    assert!(problems.is_empty(), "{problems:?}");
    squill_codegen::analyze::Schema::from_catalog(&catalog)
}

/// `name type [NULL]` for every parameter, and for every column.
type Typed = (Vec<String>, Vec<String>);

/// `name type [NULL]` for every parameter and column.
fn typed(q: &squill_codegen::ir::Query) -> Typed {
    let show = |name: &str, ty: String, nullable: bool| {
        format!("{name} {ty}{}", if nullable { " NULL" } else { "" })
    };
    (
        q.params
            .iter()
            .map(|p| show(&p.name, p.ty.display_name(), p.nullable))
            .collect(),
        q.columns
            .iter()
            .map(|c| show(&c.name, c.ty.display_name(), c.nullable))
            .collect(),
    )
}

#[test]
fn cornucopia_row_annotations_override_inferred_nullability() {
    let schema = cornucopia_schema();
    let (file, queries) = cornucopia_queries();
    let typed: Vec<(String, Typed)> = queries
        .iter()
        .map(|raw| {
            let q = squill_codegen::analyze::analyze(&schema, raw, &file)
                .unwrap_or_else(|d| panic!("{}", d.render()));
            (q.name.clone(), typed(&q))
        })
        .collect();
    let expected = |name: &str, params: &[&str], columns: &[&str]| {
        (
            name.to_string(),
            (
                params.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                columns.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            ),
        )
    };
    assert_eq!(
        typed,
        [
            // `age` is NOT NULL in the table; `Author(age?)` makes it nullable.
            expected(
                "authors",
                &[],
                &["id bigint", "name text", "age integer NULL"]
            ),
            expected(
                "authors_from_country",
                &["country text NULL"],
                &["id bigint", "name text", "age integer NULL"]
            ),
            expected("author_names", &[], &["name text NULL"]),
            // `country` is listed without `?`: no claim, inference keeps it nullable.
            expected("countries", &[], &["country text NULL", "authors bigint"]),
            // No `?` at all: the outer join's side is inferred nullable.
            expected(
                "book_titles",
                &["after bigint"],
                &["title text", "author text NULL"]
            ),
            expected(
                "insert_author",
                &["name text", "country text NULL", "age integer"],
                &["id bigint"]
            ),
            expected("delete_author", &["id bigint"], &[]),
        ]
    );
}

#[test]
fn cornucopia_annotation_naming_a_missing_column_is_refused_at_the_annotation() {
    let schema = cornucopia_schema();
    let file = SourceFile::new(
        "queries/library.sql",
        "--: Author(age?, nickname?)\n--! authors : Author\nSELECT id, name, age FROM authors;\n\
         --! gone : Gone()\nDELETE FROM authors;\n",
    );
    let (queries, diagnostics) = parse_query_file(&file);
    assert!(diagnostics.is_empty(), "{}", render(&diagnostics));
    let d = squill_codegen::analyze::analyze(&schema, &queries[0], &file).unwrap_err();
    assert_eq!(d.message, "query `authors` returns no column `nickname`");
    assert_eq!(d.location().as_deref(), Some("queries/library.sql:1:18"));
    assert_eq!(d.help.as_deref(), Some("its columns are id, name, age"));
    let d = squill_codegen::analyze::analyze(&schema, &queries[1], &file).unwrap_err();
    assert_eq!(
        d.message,
        "query `gone` declares row type `Gone` but returns no rows"
    );
    assert_eq!(d.location().as_deref(), Some("queries/library.sql:4:12"));
}

/// The project's generated code, checked in and compiled as part of this test crate: the test
/// below fails when generation changes (`SQUILL_BLESS=1` rewrites the file).
#[allow(dead_code, clippy::all)]
mod cornucopia_generated {
    include!("cornucopia_project/generated.rs");
}

#[test]
fn cornucopia_project_generates_code_that_compiles() {
    let generated = squill_codegen::Builder::new()
        .root(cornucopia_project())
        .generate()
        .unwrap_or_else(|d| panic!("{}", d.render()));
    let path = cornucopia_project().join("generated.rs");
    if std::env::var_os("SQUILL_BLESS").is_some() {
        std::fs::write(&path, &generated.code).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap();
    assert!(
        checked_in == generated.code,
        "tests/cornucopia_project/generated.rs is stale (SQUILL_BLESS=1 rewrites it); generated:\n{}",
        generated.code
    );
    let code = &generated.code;
    // The shared row type is emitted once, under the name the annotation gives.
    assert_eq!(code.matches("pub struct Author {").count(), 1, "{code}");
    assert_eq!(code.matches("pub struct Titles {").count(), 1, "{code}");
    assert_eq!(code.matches("pub struct Countries {").count(), 1, "{code}");
    // What the compiler checks: types and nullability as analyzed, functions snake_case.
    use cornucopia_generated::library;
    let author = library::Author {
        id: 1,
        name: String::from("Ursula"),
        age: None::<i32>,
    };
    let _ = library::Titles {
        title: String::new(),
        author: None::<String>,
    };
    let _ = library::Countries {
        country: None::<String>,
        authors: 0i64,
    };
    assert_eq!(author.age, None);
    assert!(
        code.contains("pub async fn authors_from_country(")
            && code.contains("country: Option<&str>"),
        "{code}"
    );
    assert!(code.contains("pub async fn author_names("), "{code}");
    assert!(
        code.contains("Result<Vec<Option<String>>, ::squill::Error>"),
        "{code}"
    );
    assert!(code.contains("pub async fn delete_author("), "{code}");
}

/// A throwaway project with the fixture's schema and one query file.
fn cornucopia_temp_project(queries: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("schema")).unwrap();
    std::fs::create_dir(dir.path().join("queries")).unwrap();
    std::fs::copy(
        cornucopia_project().join("schema/0001_init.sql"),
        dir.path().join("schema/0001_init.sql"),
    )
    .unwrap();
    std::fs::write(dir.path().join("queries/library.sql"), queries).unwrap();
    dir
}

#[test]
fn cornucopia_shared_row_type_takes_the_nullability_of_every_query() {
    let dir = cornucopia_temp_project(
        "--: NameRow()\n--! names : NameRow\nSELECT a.id, a.name FROM authors a;\n\
         --! book_authors : NameRow\nSELECT b.id, a.name FROM books b LEFT JOIN authors a ON a.id = b.author_id;\n",
    );
    let generated = squill_codegen::Builder::new()
        .root(dir.path())
        .generate()
        .unwrap_or_else(|d| panic!("{}", d.render()));
    let code = &generated.code;
    assert_eq!(code.matches("pub struct NameRow {").count(), 1, "{code}");
    assert!(code.contains("pub name: Option<String>,"), "{code}");
    // The analysis itself stays per query.
    let queries = &generated.packages[0].set.modules[0].queries;
    assert!(!queries[0].columns[1].nullable && queries[1].columns[1].nullable);
}

#[test]
fn cornucopia_shared_row_type_with_different_columns_is_an_error() {
    let dir = cornucopia_temp_project(
        "--: NameRow()\n--! names : NameRow\nSELECT id, name FROM authors;\n\
         --! titles : NameRow\nSELECT id, title FROM books;\n",
    );
    let errors = match squill_codegen::Builder::new().root(dir.path()).generate() {
        Ok(_) => panic!("generation should fail"),
        Err(d) => d.render(),
    };
    assert!(
        errors.contains(
            "row type `NameRow` is shared by queries that return different columns: column 2 is \
             `name` text in `names` (queries/library.sql:2) but `title` text in `titles` \
             (queries/library.sql:4)"
        ),
        "{errors}"
    );
}

#[test]
fn cornucopia_overrides_apply_to_live_analysis_too() {
    let text = std::fs::read_to_string(cornucopia_project().join("queries/library.sql")).unwrap();
    let dir = cornucopia_temp_project(&text);
    std::fs::write(
        dir.path().join("squill.toml"),
        "analysis = \"live\"\nembed_migrations = false\n",
    )
    .unwrap();
    let generated = squill_codegen::Builder::new()
        .root(dir.path())
        .generate()
        .unwrap_or_else(|d| panic!("{}", d.render()));
    let queries = &generated.packages[0].set.modules[0].queries;
    let columns = |name: &str| -> Vec<(String, bool)> {
        let q = queries.iter().find(|q| q.name == name).unwrap();
        q.columns
            .iter()
            .map(|c| (c.name.clone(), c.nullable))
            .collect()
    };
    // `age` is a NOT NULL table column: only `Author(age?)` makes it nullable.
    let author = |n: &str| (n.to_string(), n == "age");
    assert_eq!(columns("authors"), ["id", "name", "age"].map(author));
    assert_eq!(columns("author_names"), [("name".to_string(), true)]);
    let from_country = queries
        .iter()
        .find(|q| q.name == "authors_from_country")
        .unwrap();
    assert!(from_country.params[0].nullable);
    assert_eq!(generated.code.matches("pub struct Author {").count(), 1);
}

#[test]
fn cornucopia_diagnostics() {
    let file = SourceFile::new(
        "queries/library.sql",
        "--: Author(age?)\n--: Author(name?)\n\n\
         --! authors : Autor\nSELECT id, name, age FROM authors;\n\n\
         --! by_country (contry?) : Author\nSELECT * FROM authors WHERE country = :country;\n\n\
         --! broken (a? : Row\nSELECT :a;\n\n\
         --! arrays : (tags?[?])\nSELECT ARRAY['a'] AS tags;\n\n\
         --! positional\nSELECT * FROM authors WHERE id = $1;\nSELECT 2;\n\n\
         --! authors\nSELECT 3;\n",
    );
    let (queries, diagnostics) = parse_query_file(&file);
    assert!(queries.is_empty(), "{queries:?}");
    insta::assert_snapshot!(render(&diagnostics));
}

#[test]
fn a_file_mixing_dialects_is_one_error() {
    let d = single_error(
        "-- name: GetUser :one\nSELECT 1;\n\n--! get_email\nSELECT 2;\n",
        "this file mixes two annotation dialects",
        "4:1",
    );
    assert_eq!(
        d.notes,
        ["the file's first sqlc annotation (`-- name:`) is at queries/users.sql:1:1"]
    );
}

// ---------------------------------------------------------------------------------------------
// Properties: no input makes squill panic, and every range it returns can be sliced.

fn arbitrary_text() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..120).prop_map(String::from_iter)
}

/// Text made of the pieces that steer the lexer and the parser, so that odd combinations of
/// quotes, comments, annotations and parameters come up often.
fn sqlish_text() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "'",
        "''",
        "\"",
        "E'",
        "e'\\",
        "\\'",
        "U&'",
        "U&\"",
        "$$",
        "$a$",
        "$1",
        "$2",
        "$0",
        "$99999999999",
        "@",
        "@x",
        "@é",
        "@>",
        "=@y",
        "--",
        "/*",
        "*/",
        "\n",
        "\r",
        " ",
        ";",
        "(",
        ")",
        ",",
        "::",
        ".",
        "-- name: Q :one\n",
        "-- name: R :many\n",
        "--name:",
        "/* name: S :exec */",
        ":one",
        ":bogus",
        "sqlc.arg(",
        "sqlc.narg(x)",
        "sqlc.arg('y')",
        "sqlc.slice(",
        "sqlc.embed(t)",
        "sqlc.",
        "--! q\n",
        "--! r (a?, b) : R(c?)\n",
        "--: R(c?, d)\n",
        "--!",
        "--:",
        ":a",
        ":b",
        "?",
        "[?]",
        "BEGIN",
        "ATOMIC",
        "END",
        "CREATE FUNCTION",
        "CREATE OR REPLACE PROCEDURE",
        "CASE",
        "SELECT",
        "x",
        "=",
        "LIMIT",
        "INSERT INTO t (a, b) VALUES (",
        "é",
        "ü",
        "\u{feff}",
        "\u{0}",
        "日本",
    ];
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|pieces| pieces.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![arbitrary_text(), sqlish_text()]
}

fn check_range(text: &str, range: &std::ops::Range<usize>) -> Result<(), TestCaseError> {
    prop_assert!(
        range.start <= range.end && range.end <= text.len(),
        "{range:?} out of {}",
        text.len()
    );
    prop_assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{range:?}"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn split_ranges_are_sliceable_trimmed_and_ordered(text in any_text()) {
        let ranges = split_statements(&text);
        for range in &ranges {
            check_range(&text, range)?;
            let statement = &text[range.clone()];
            prop_assert!(!statement.is_empty());
            prop_assert_eq!(statement.trim_matches(|c: char| c.is_ascii_whitespace()), statement);
        }
        for pair in ranges.windows(2) {
            prop_assert!(pair[0].end < pair[1].start, "{:?}", pair);
        }
    }

    #[test]
    fn parse_never_panics_and_spans_are_sliceable(text in any_text()) {
        let (queries, diagnostics) = parse(&text);
        for q in &queries {
            check_range(&text, &q.name_span)?;
            check_range(&text, &q.span)?;
            prop_assert_eq!(&text[q.name_span.clone()], q.name.as_str());
            for param in &q.params {
                for span in &param.spans {
                    check_range(&text, span)?;
                    prop_assert!(q.span.start <= span.start && span.end <= q.span.end);
                }
            }
            if let Some(row) = &q.row {
                check_range(&text, &row.span)?;
                for column in &row.columns {
                    check_range(&text, &column.span)?;
                }
            }
            let mut previous = q.span.start;
            for i in 0..=q.sql.len() + 1 {
                let f = q.file_offset(i);
                prop_assert!(text.is_char_boundary(f) && previous <= f && f <= q.span.end, "{i} -> {f}");
                previous = f;
            }
        }
        for pair in queries.windows(2) {
            prop_assert!(pair[0].span.end < pair[1].span.start);
        }
        for d in &diagnostics {
            prop_assert!(d.location().is_some());
            check_range(&text, &d.span)?;
            d.render();
        }
    }

    #[test]
    fn rewritten_sql_maps_back_character_for_character(
        pieces in prop::collection::vec(
            prop::sample::select(&[
                "@a", "@b", "sqlc.arg(c)", "sqlc.narg( a )", " $1", "'é @x'", "x", " + ", "é", " ",
                "::int", "\"Q\"", ", ", "(", ")", "\n", "/* @z */",
            ][..]),
            0..30,
        )
    ) {
        let text = format!("-- name: Q :one\nSELECT 1 {}", pieces.concat());
        let q = one_query(&text);
        let starts: Vec<usize> = q.params.iter().flat_map(|p| p.spans.iter().map(|s| s.start)).collect();
        let mut i = 0;
        while i < q.sql.len() {
            let rest = &q.sql[i..];
            let digits = rest.strip_prefix('$').map_or(0, |r| r.bytes().take_while(u8::is_ascii_digit).count());
            if digits > 0 {
                prop_assert!(starts.contains(&q.file_offset(i)), "{i}");
                i += 1 + digits;
            } else {
                let c = rest.chars().next().unwrap();
                prop_assert_eq!(text[q.file_offset(i)..].chars().next(), Some(c), "{}", i);
                i += c.len_utf8();
            }
        }
    }
}

/// PostgreSQL's lexer rejects an unterminated token at its opening: so does squill, instead of
/// sending the statement cut short or calling it "not supported offline".
#[test]
fn unterminated_tokens_are_syntax_errors_at_their_opening() {
    let cases = [
        (
            "-- name: A :one\nSELECT 1 /* never closed;\n",
            "unterminated /* comment",
            "2:10",
        ),
        (
            "-- name: A :one\nSELECT 'abc;\n",
            "unterminated quoted string",
            "2:8",
        ),
        (
            "-- name: A :one\nSELECT E'a\\';\n",
            "unterminated quoted string",
            "2:8",
        ),
        (
            "-- name: A :one\nSELECT \"abc;\n",
            "unterminated quoted identifier",
            "2:8",
        ),
        (
            "-- name: A :one\nSELECT $x$abc;\n",
            "unterminated dollar-quoted string",
            "2:8",
        ),
    ];
    for (text, message, line_col) in cases {
        single_error(text, message, line_col);
    }
    // Terminated ones stay fine.
    let q = one_query("-- name: A :one\nSELECT 1 /* a /* b */ */, 'x''y', E'\\'', $q$;$q$;\n");
    assert_eq!(q.name, "A");
}
