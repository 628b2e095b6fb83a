//! Type overrides end to end: resolved against the schema (by type, schema-qualified, domain,
//! array element, `table.column` and `schema.table.column`), applied to parameters and
//! columns, invalid ones reported in the configuration file, `Json<T>` round trips, and the
//! generated `check_types` run on a real PostgreSQL against a good and a lying mapping.

mod support;

use squill_codegen::Builder;
use squill_codegen::live::TempServer;

const SCHEMA: &str = "\
CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
CREATE DOMAIN score AS integer NOT NULL CHECK (VALUE >= 0);
CREATE TABLE users (
    id bigint PRIMARY KEY,
    email email NOT NULL,
    backups email[] NOT NULL DEFAULT '{}',
    prefs jsonb NOT NULL,
    tags jsonb,
    score score,
    nick text
);
CREATE TABLE teams (id integer PRIMARY KEY, lead_id bigint REFERENCES users);
";

const QUERIES: &str = "\
-- name: CreateUser :exec
INSERT INTO users (id, email, backups, prefs, tags, score, nick)
VALUES (@id, @email, @backups, @prefs, @tags, @score, @nick);

-- name: GetUser :one
SELECT id, email, backups, prefs, tags, score, nick FROM users WHERE id = @id;

-- name: SetPrefs :exec
UPDATE users SET prefs = @prefs WHERE id = @id;

-- name: CreateTeam :exec
INSERT INTO teams (id, lead_id) VALUES (@id, @lead_id);

-- name: LeadScore :one
SELECT t.id, u.score FROM teams t LEFT JOIN users u ON u.id = t.lead_id WHERE t.id = @id;
";

const GOOD: &str = r#"sync = true
[types]
"public.email" = "crate::Email"
[columns]
"users.prefs" = "squill::Json<crate::Prefs>"
"public.users.tags" = "squill::Json<Vec<String>>"
"#;

/// `i64` cannot read text. `String` can read the elements of an `email[]` (generated code hands
/// an array of a domain's elements the base type), so that override is no lie.
const LYING: &str = r#"sync = true
[types]
email = "String"
[columns]
"users.nick" = "i64"
"#;

/// Domains as generated newtypes, beside a column override.
const NEWTYPES: &str = "sync = true\n[domains]\nnewtype = true\n[columns]\n\"users.prefs\" = \"squill::Json<crate::Prefs>\"\n";

fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("schema")).unwrap();
    std::fs::create_dir(dir.path().join("queries")).unwrap();
    std::fs::write(dir.path().join("schema/0001_init.sql"), SCHEMA).unwrap();
    std::fs::write(dir.path().join("queries/users.sql"), QUERIES).unwrap();
    std::fs::write(dir.path().join("squill.toml"), config).unwrap();
    dir
}

fn generate(config: &str) -> Result<String, String> {
    let dir = project(config);
    Builder::new()
        .root(dir.path())
        .generate()
        .map(|g| g.code)
        .map_err(|d| d.to_string())
}

fn flat(code: &str) -> String {
    code.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn overrides_apply_to_parameters_and_columns() {
    let code = flat(&generate(GOOD).unwrap());
    // The domain's override on its column, the elements of its array column, and the
    // parameters written into them; column overrides on parameters too.
    assert!(
        code.contains(
            "id: i64, email: &crate::Email, backups: &[Option<&crate::Email>], prefs: &squill::Json<crate::Prefs>, tags: Option<&squill::Json<Vec<String>>>, score: i32, nick: Option<&str>,"
        ),
        "{code}"
    );
    assert!(
        code.contains("pub email: crate::Email, pub backups: Vec<Option<crate::Email>>, pub prefs: squill::Json<crate::Prefs>, pub tags: Option<squill::Json<Vec<String>>>,"),
        "{code}"
    );
    // A NOT NULL domain does not make its column non-null: PostgreSQL stores NULL there when
    // a NULL of the domain type is inserted (run below), so the column stays an `Option`,
    // while the parameter written into it is required (NULL from Rust would be rejected).
    assert!(
        code.contains("pub score: Option<i32>, pub nick: Option<String>"),
        "{code}"
    );
    assert!(
        code.contains("pub struct LeadScoreRow { pub id: i32, pub score: Option<i32>, }"),
        "{code}"
    );
    // UPDATE SET takes the column's override; comparisons do not (`id` is plain).
    assert!(
        code.contains("prefs: &squill::Json<crate::Prefs>, id: i64,"),
        "{code}"
    );
    assert!(code.contains("pub async fn check_types("), "{code}");
    assert!(code.contains("pub mod blocking { /// Compares"), "{code}");
}

#[test]
fn domains_as_newtypes() {
    let code = flat(&generate(NEWTYPES).unwrap());
    assert!(code.contains("pub struct Email(pub String);"), "{code}");
    assert!(code.contains("pub struct Score(pub i32);"), "{code}");
    assert!(
        code.contains("id: i64, email: &types::Email, backups: &[Option<&types::Email>], prefs: &squill::Json<crate::Prefs>, tags: Option<&serde_json::Value>, score: &types::Score,"),
        "{code}"
    );
    assert!(
        code.contains("pub email: types::Email, pub backups: Vec<Option<types::Email>>,"),
        "{code}"
    );
    assert!(code.contains("pub score: Option<types::Score>"), "{code}");
    // Generated types are not the user's overrides: only `users.prefs` is checked.
    assert!(
        code.contains("OverrideTarget::Column(\"users\", \"prefs\")"),
        "{code}"
    );
    assert!(
        !code.contains("OverrideTarget::Column(\"users\", \"email\")"),
        "{code}"
    );
}

#[test]
fn type_keys_are_resolved_as_postgresql_resolves_type_names() {
    // sqlc's spellings (`pg_catalog.int8`), aliases (`int4`) and arrays name the types
    // `format_type` prints (`bigint`, `integer`, `text[]`).
    let config = "[types]\n\"pg_catalog.int8\" = \"crate::Id\"\nint4 = \"crate::Small\"\n\"TEXT[]\" = \"crate::Words\"\n";
    let code = flat(&generate(config).unwrap());
    assert!(code.contains("pub id: crate::Id,"), "{code}");
    assert!(
        code.contains("pub struct LeadScoreRow { pub id: crate::Small,"),
        "{code}"
    );
    // Two spellings of one type with different Rust types: an error at one of them (keys
    // are taken in sorted order).
    let err =
        generate("[types]\n\"text[]\" = \"crate::A\"\n\"pg_catalog.text[]\" = \"crate::B\"\n")
            .unwrap_err();
    assert!(
        err.contains("text[] is already mapped to `crate::B`"),
        "{err}"
    );
    assert!(err.contains("squill.toml:2:1"), "{err}");
}

#[test]
fn an_unknown_type_or_column_is_an_error_at_its_key() {
    let err = generate("[types]\n\"public.emial\" = \"crate::Email\"\n").unwrap_err();
    assert!(
        err.contains("type \"public.emial\" does not exist"),
        "{err}"
    );
    assert!(err.contains("squill.toml:2:1"), "{err}");
    let err = generate("[columns]\n\"users.prefz\" = \"crate::P\"\n").unwrap_err();
    assert!(
        err.contains("column \"prefz\" of relation \"users\" does not exist"),
        "{err}"
    );
    assert!(err.contains("did you mean \"prefs\"?"), "{err}");
    let err = generate("[columns]\n\"other.users.prefs\" = \"crate::P\"\n").unwrap_err();
    assert!(
        err.contains("relation \"other.users\" does not exist"),
        "{err}"
    );
}

#[test]
fn an_invalid_rust_path_in_sqlc_yaml_points_at_it() {
    let dir = project("");
    std::fs::write(
        dir.path().join("sqlc.yaml"),
        "version: \"2\"\nsql:\n  - engine: postgresql\n    schema: schema\n    queries: queries\n    gen:\n      go:\n        overrides:\n          - db_type: jsonb\n            rust_type: \"crate::My Prefs\"\n",
    )
    .unwrap();
    std::fs::remove_file(dir.path().join("squill.toml")).unwrap();
    let err = Builder::new()
        .root(dir.path())
        .generate()
        .unwrap_err()
        .to_string();
    assert!(err.contains("crate::My Prefs"), "{err}");
    assert!(err.contains("sqlc.yaml:10:25"), "{err}");
}

const MAIN: &str = r#"
use squill::re::postgres_types::{self, FromSql, IsNull, ToSql, Type, to_sql_checked};
use squill::re::{postgres, tokio_postgres};

/// A newtype over the `email` domain: text on the wire, and the domain by name inside arrays.
#[derive(Debug, Clone, PartialEq)]
pub struct Email(pub String);

type Failure = Box<dyn std::error::Error + Sync + Send>;

impl ToSql for Email {
    fn to_sql(&self, ty: &Type, out: &mut postgres_types::private::BytesMut) -> Result<IsNull, Failure> {
        self.0.to_sql(ty, out)
    }
    fn accepts(ty: &Type) -> bool {
        <String as ToSql>::accepts(ty) || ty.name() == "email"
    }
    to_sql_checked!();
}

impl<'a> FromSql<'a> for Email {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Failure> {
        Ok(Email(String::from_sql(ty, raw)?))
    }
    fn accepts(ty: &Type) -> bool {
        <String as ToSql>::accepts(ty) || ty.name() == "email"
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Prefs {
    pub theme: String,
    pub size: i32,
}

fn main() {
    let url = std::env::var("SQUILL_TEST_URL").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let config: tokio_postgres::Config = url.parse().unwrap();
        squill::migrate::Migrator::new(good::MIGRATIONS).run(&config).await.unwrap();
        let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        good::types::check_types(&client).await.expect("good overrides pass");
        let lying = lying::types::check_types(&client).await.expect_err("lying overrides fail");
        println!("LYING: {lying}");

        let prefs = squill::Json(Prefs { theme: "dark".into(), size: 3 });
        let email = Email("a@example.com".into());
        let backup = Email("b@example.com".into());
        let backups = [Some(&backup), None];
        let tags = squill::Json(vec!["x".to_string(), "y".to_string()]);
        good::users::create_user(&client, 1, &email, &backups, &prefs, Some(&tags), 7, None).await.unwrap();
        let row = good::users::get_user(&client, 1).await.unwrap();
        assert_eq!(row.email, email);
        assert_eq!(row.backups, [Some(backup.clone()), None]);
        assert_eq!(row.prefs.0, prefs.0);
        assert_eq!(row.tags.map(|t| t.0), Some(tags.0.clone()));
        assert_eq!((row.score, row.nick), (Some(7), None));
        let bigger = squill::Json(Prefs { theme: "light".into(), size: 5 });
        good::users::set_prefs(&client, &bigger, 1).await.unwrap();
        assert_eq!(good::users::get_user(&client, 1).await.unwrap().prefs.0, bigger.0);
        good::users::create_team(&client, 10, Some(1)).await.unwrap();
        good::users::create_team(&client, 11, None).await.unwrap();
        assert_eq!(good::users::lead_score(&client, 10).await.unwrap().score, Some(7));
        assert_eq!(good::users::lead_score(&client, 11).await.unwrap().score, None);
        // A NULL of a NOT NULL domain's type is stored without a check (CREATE DOMAIN's
        // documentation): such a column can hold NULL.
        client
            .execute(
                "INSERT INTO users (id, email, prefs, score) VALUES (3, 'c@x', '{\"theme\": \"x\", \"size\": 1}', (SELECT score FROM users WHERE false))",
                &[],
            )
            .await
            .unwrap();
        let row = good::users::get_user(&client, 3).await.unwrap();
        assert_eq!(row.score, None);
        // The domain's own checks still run on the server.
        let bad = Email("nobody".into());
        assert!(good::users::create_user(&client, 2, &bad, &[], &prefs, None, 1, None).await.is_err());
    });
    rt.block_on(async {
        let config: tokio_postgres::Config = url.parse().unwrap();
        let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        newtypes::types::check_types(&client).await.expect("newtype overrides pass");
        use newtypes::types::{Email, Score};
        let prefs = squill::Json(Prefs { theme: "n".into(), size: 1 });
        let (email, backup) = (Email("n@x".into()), Email("m@x".into()));
        newtypes::users::create_user(&client, 20, &email, &[Some(&backup)], &prefs, None, &Score(4), Some("nick"))
            .await
            .unwrap();
        let row = newtypes::users::get_user(&client, 20).await.unwrap();
        assert_eq!((row.email, row.backups, row.score), (email, vec![Some(backup)], Some(Score(4))));
        assert!(newtypes::users::create_user(&client, 21, &Email("bad".into()), &[], &prefs, None, &Score(4), None).await.is_err());
    });
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    good::types::blocking::check_types(&mut client).expect("good overrides pass (blocking)");
    let lying = lying::types::blocking::check_types(&mut client).expect_err("lying overrides fail (blocking)");
    println!("LYING BLOCKING: {lying}");
    let row = good::users::blocking::get_user(&mut client, 1).unwrap();
    assert_eq!(row.prefs.0.theme, "light");
    println!("ROUND TRIP OK");
}
"#;

#[test]
fn check_types_and_json_round_trip_on_postgres() {
    let good = generate(GOOD).unwrap();
    let lying = generate(LYING).unwrap();
    let server = TempServer::start().expect("throwaway server");
    let url = server.url("postgres");
    let (ok, said) = support::run_generated(
        "type_overrides",
        &[
            ("good".into(), good),
            ("lying".into(), lying),
            ("newtypes".into(), generate(NEWTYPES).unwrap()),
        ],
        MAIN,
        "serde = { version = \"1\", features = [\"derive\"] }\ntokio = { version = \"1\", features = [\"rt\"] }",
        &[("SQUILL_TEST_URL", &url)],
    );
    assert!(ok, "{said}");
    assert!(said.contains("ROUND TRIP OK"), "{said}");
    for line in said.lines().filter(|l| l.starts_with("LYING")) {
        assert!(
            line.contains(
                "`i64` (the override of column users.nick) cannot decode PostgreSQL type text"
            ),
            "{line}"
        );
        assert!(!line.contains("users.backups"), "{line}");
    }
    assert_eq!(
        said.lines().filter(|l| l.starts_with("LYING")).count(),
        2,
        "{said}"
    );
}
