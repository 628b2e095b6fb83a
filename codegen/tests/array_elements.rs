//! Array element nullability: `Vec<Option<T>>` unless the analyzer proves the elements
//! non-null (`array_agg` of a non-null value not nulled by an outer join, `ARRAY[...]` of
//! non-null elements, `ARRAY(SELECT non-null)`) or the alias asserts it (`"x[!]"`); every
//! query then runs on PostgreSQL over data built to put NULLs wherever they can go.

mod support;

use squill_codegen::Builder;
use squill_codegen::live::TempServer;

const SCHEMA: &str = "\
CREATE TABLE users (id bigint PRIMARY KEY, nick text, tags text[] NOT NULL DEFAULT '{}');
CREATE TABLE teams (id integer PRIMARY KEY, lead_id bigint REFERENCES users);
CREATE TYPE labelled AS (name text, labels text[]);
CREATE TABLE boxes (id integer PRIMARY KEY, item labelled NOT NULL);
";

const QUERIES: &str = r#"
-- name: Ids :one
SELECT array_agg(id ORDER BY id) FROM users;

-- name: Nicks :one
SELECT array_agg(nick ORDER BY id) FROM users;

-- name: TeamMembers :many
SELECT t.id, array_agg(u.id) AS members
FROM teams t LEFT JOIN users u ON u.id = t.lead_id
GROUP BY t.id ORDER BY t.id;

-- name: Pairs :many
SELECT ARRAY[id, id + 1] AS pair, ARRAY[id, NULL::bigint] AS holey FROM users ORDER BY id;

-- name: AllIds :one
SELECT ARRAY(SELECT id FROM users ORDER BY id) AS ids,
       ARRAY(SELECT nick FROM users ORDER BY id) AS nicks;

-- name: Tags :many
SELECT id, tags FROM users ORDER BY id;

-- name: SureTags :one
SELECT tags AS "sure[!]" FROM users WHERE id = @id;

-- name: CastPairs :many
SELECT ARRAY[id]::text[] AS texts, '{1,NULL}'::text::int[] AS parsed FROM users ORDER BY id;

-- name: Boxes :many
SELECT item FROM boxes ORDER BY id;

-- name: SetTags :exec
UPDATE users SET tags = @tags WHERE id = @id;
"#;

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("schema")).unwrap();
    std::fs::create_dir(dir.path().join("queries")).unwrap();
    std::fs::write(dir.path().join("schema/0001_init.sql"), SCHEMA).unwrap();
    std::fs::write(dir.path().join("queries/arrays.sql"), QUERIES).unwrap();
    std::fs::write(dir.path().join("squill.toml"), "analysis = \"offline\"\n").unwrap();
    dir
}

fn generate() -> String {
    let dir = project();
    Builder::new().root(dir.path()).generate().unwrap().code
}

#[test]
fn analyze_json_says_which_arrays_may_hold_nulls() {
    let dir = project();
    let packages = Builder::new().root(dir.path()).analyze().unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&squill_codegen::json::render_packages(&packages)).unwrap();
    let pairs = &json["queries"][3]["columns"];
    assert_eq!(pairs[0]["elements_nullable"], false, "{json}");
    assert_eq!(pairs[1]["elements_nullable"], true, "{json}");
    let ids = &json["queries"][0]["columns"][0];
    assert_eq!(ids["elements_nullable"], false, "{json}");
    // Not an array: no such key.
    let tags = &json["queries"][5]["columns"][0];
    assert!(tags.get("elements_nullable").is_none(), "{json}");
}

#[test]
fn element_nullability_is_proven_or_optional() {
    let code = generate();
    let flat = code.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        // Ungrouped: NULL without rows, but the elements are the non-null ids.
        "Result<Option<Vec<i64>>, ::squill::Error>",
        "Result<Option<Vec<Option<String>>>, ::squill::Error>",
        // The outer join nulls u.id: elements may be NULL.
        "pub members: Option<Vec<Option<i64>>>",
        "pub pair: Vec<i64>, pub holey: Vec<Option<i64>>",
        "pub ids: Vec<i64>, pub nicks: Vec<Option<String>>",
        // A table's array column: nothing is known of its elements.
        "pub tags: Vec<Option<String>>",
        // The alias's assertion.
        "Result<Vec<String>, ::squill::Error>",
        // A cast keeps an array's elements; text cast to an array may spell NULLs.
        "pub texts: Vec<String>, pub parsed: Vec<Option<i32>>",
        // A composite's array field, like any array.
        "pub labels: Option<Vec<Option<String>>>",
        // A parameter written into an array column may carry NULL elements.
        "tags: &[Option<&str>], id: i64",
    ] {
        assert!(flat.contains(expected), "{expected}\n{flat}");
    }
}

const MAIN: &str = r#"
use squill::re::tokio_postgres;

fn main() {
    let url = std::env::var("SQUILL_TEST_URL").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let config: tokio_postgres::Config = url.parse().unwrap();
        squill::migrate::Migrator::new(db::MIGRATIONS).run(&config).await.unwrap();
        let (c, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        use db::arrays::*;
        assert_eq!(ids(&c).await.unwrap(), None);
        c.batch_execute(
            "INSERT INTO users VALUES (1, 'ann', '{a,NULL}'), (2, NULL, '{b}');
             INSERT INTO teams VALUES (10, 1), (11, NULL);",
        )
        .await
        .unwrap();
        assert_eq!(ids(&c).await.unwrap(), Some(vec![1, 2]));
        assert_eq!(nicks(&c).await.unwrap(), Some(vec![Some("ann".to_string()), None]));
        let members: Vec<_> = team_members(&c).await.unwrap().into_iter().map(|r| (r.id, r.members)).collect();
        assert_eq!(members, [(10, Some(vec![Some(1)])), (11, Some(vec![None]))]);
        let pairs = pairs(&c).await.unwrap();
        assert_eq!((pairs[0].pair.clone(), pairs[0].holey.clone()), (vec![1, 2], vec![Some(1), None]));
        let all = all_ids(&c).await.unwrap();
        assert_eq!((all.ids, all.nicks), (vec![1, 2], vec![Some("ann".to_string()), None]));
        let tags: Vec<_> = tags(&c).await.unwrap().into_iter().map(|r| r.tags).collect();
        assert_eq!(tags, [vec![Some("a".to_string()), None], vec![Some("b".to_string())]]);
        assert_eq!(sure_tags(&c, 2).await.unwrap(), ["b"]);
        let cast = cast_pairs(&c).await.unwrap();
        assert_eq!((cast[0].texts.clone(), cast[0].parsed.clone()), (vec!["1".to_string()], vec![Some(1), None]));
        c.batch_execute("INSERT INTO boxes VALUES (1, ROW('x', ARRAY['a', NULL])::labelled)").await.unwrap();
        let item = boxes(&c).await.unwrap().remove(0);
        assert_eq!(item.labels, Some(vec![Some("a".to_string()), None]));
        set_tags(&c, &[Some("x"), Some("y")], 1).await.unwrap();
        assert_eq!(sure_tags(&c, 1).await.unwrap(), ["x", "y"]);
        set_tags(&c, &[None, Some("y")], 2).await.unwrap();
        let rows = db::arrays::tags(&c).await.unwrap();
        assert_eq!(rows[1].tags, [None, Some("y".to_string())]);
        println!("ARRAYS OK");
    });
}
"#;

#[test]
fn generated_types_decode_what_postgres_returns() {
    let code = generate();
    let server = TempServer::start().expect("throwaway server");
    let url = server.url("postgres");
    let (ok, said) = support::run_generated(
        "array_elements",
        &[("db".into(), code)],
        MAIN,
        "tokio = { version = \"1\", features = [\"rt\"] }",
        &[("SQUILL_TEST_URL", &url)],
    );
    assert!(ok && said.contains("ARRAYS OK"), "{said}");
}
