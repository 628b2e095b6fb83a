//! Parameter nullability through the whole pipeline: a parameter written into a nullable
//! column or tested for NULL becomes `Option<...>` in the generated function, offline and live
//! alike; one written into a NOT NULL column or compared stays required.

use squill_codegen::Builder;

const SCHEMA: &str = "CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    display_name text
);
";

const QUERIES: &str = "-- name: CreateUser :exec
INSERT INTO users (email, display_name) VALUES (@email, @display_name);

-- name: FindUsers :many
SELECT id FROM users
WHERE (@name::text IS NULL OR display_name = @name) AND email = @email;
";

fn generate(live: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("schema")).unwrap();
    std::fs::create_dir(dir.path().join("queries")).unwrap();
    std::fs::write(dir.path().join("schema/0001_init.sql"), SCHEMA).unwrap();
    std::fs::write(dir.path().join("queries/users.sql"), QUERIES).unwrap();
    if live {
        std::fs::write(dir.path().join("squill.toml"), "analysis = \"live\"\n").unwrap();
    }
    let generated = Builder::new().root(dir.path()).generate().unwrap();
    // One line per parameter, whatever the formatter's line breaks.
    generated
        .code
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn check(code: &str) {
    assert!(
        code.contains("email: &str, display_name: Option<&str>,"),
        "CreateUser: {code}"
    );
    assert!(
        code.contains("name: Option<&str>, email: &str,"),
        "FindUsers: {code}"
    );
    assert!(!code.contains("display_name: &str"), "{code}");
}

#[test]
fn offline_generates_option_parameters() {
    check(&generate(false));
}

#[test]
fn live_generates_the_same_option_parameters() {
    check(&generate(true));
}
