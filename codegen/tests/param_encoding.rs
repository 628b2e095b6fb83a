//! Parameters and array columns that PostgreSQL describes differently from the types squill
//! maps them to, run through every kind of client (async and sync, with and without a
//! statement cache) on a throwaway PostgreSQL:
//!
//! - a domain parameter in a query that also has a composite or an enum-array parameter (the
//!   statement is prepared, and the server would describe the parameter as the domain);
//! - an array of a domain read as `Vec<Option<String>>` (described as the domain's array type);
//! - NULL elements: `&[Option<T>]` for an array written into a column whose elements accept
//!   NULL, `&[T]` elsewhere (`= ANY(...)`, an array of a NOT NULL domain, which PostgreSQL
//!   rejects NULL elements of).

mod support;

use squill_codegen::Builder;
use squill_codegen::live::TempServer;

const SCHEMA: &str = "\
CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
CREATE DOMAIN code AS text NOT NULL;
CREATE DOMAIN work_email AS email;
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TYPE spot AS (x integer, y integer);
CREATE TABLE people (
    id integer PRIMARY KEY,
    email email NOT NULL,
    mood mood,
    place spot,
    moods mood[],
    emails email[],
    work_emails work_email[],
    codes code[],
    notes text[]
);
";

const QUERIES: &str = r#"
-- name: Clear :exec
DELETE FROM people;

-- name: AddPerson :exec
INSERT INTO people (id, email, mood, place) VALUES (@id, @email, @mood, @place);

-- name: AddMoody :exec
INSERT INTO people (id, email, moods) VALUES (@id, @email, @moods);

-- name: AddPeople :batchexec
INSERT INTO people (id, email, place) VALUES (@id, @email, @place);

-- name: Person :one
SELECT email, mood, place, moods FROM people WHERE id = @id;

-- name: SetLists :exec
UPDATE people SET emails = @emails, work_emails = @work_emails, codes = @codes, notes = @notes
WHERE id = @id;

-- name: SetListsAndPlace :exec
UPDATE people SET emails = @emails, place = @place WHERE id = @id;

-- name: Lists :one
SELECT emails, work_emails, codes, notes FROM people WHERE id = @id;

-- name: Emails :one
SELECT emails FROM people WHERE id = @id;

-- name: EmailsOf :batchone
SELECT emails FROM people WHERE id = @id;

-- name: WithNotes :many
SELECT id FROM people WHERE notes && @any_notes ORDER BY id;

-- name: ByIds :many
SELECT id FROM people WHERE id = ANY(@ids) ORDER BY id;

-- name: ByEmails :many
SELECT id FROM people WHERE email = ANY(@emails) AND place = @place::spot ORDER BY id;
"#;

fn generate() -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("schema")).unwrap();
    std::fs::create_dir(dir.path().join("queries")).unwrap();
    std::fs::write(dir.path().join("schema/0001_init.sql"), SCHEMA).unwrap();
    std::fs::write(dir.path().join("queries/people.sql"), QUERIES).unwrap();
    std::fs::write(dir.path().join("squill.toml"), "analysis = \"offline\"\n").unwrap();
    Builder::new()
        .root(dir.path())
        .sync_fns(true)
        .generate()
        .unwrap_or_else(|d| panic!("{}", d.render()))
        .code
}

#[test]
fn array_parameters_take_null_elements_where_the_column_does() {
    let code = generate();
    let flat = code.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        // Written into columns whose elements accept NULL; an array of a NOT NULL domain's
        // elements do not.
        "emails: Option<&[Option<&str>]>, work_emails: Option<&[Option<&str>]>, \
         codes: Option<&[&str]>, notes: Option<&[Option<&str>]>, id: i32",
        // Compared, not written: NULL elements match nothing.
        "any_notes: &[&str]",
        "ids: &[i32]",
        // Mixed with a composite: declared as the base type, the composite left to the server.
        "param_types: &[Type::TEXT_ARRAY, Type::UNKNOWN, Type::INT4], typed: false",
        "param_types: &[Type::INT4, Type::TEXT, Type::UNKNOWN, Type::UNKNOWN], typed: false",
        // Builtins and an enum (whose ToSql accepts `unknown`): one round trip.
        "param_types: &[Type::INT4], typed: true",
        // Arrays read through the reader that takes arrays of domains.
        "emails: ::squill::array_column(row, 0)?",
        "|row| ::squill::array_column(row, 0)",
    ] {
        assert!(flat.contains(expected), "{expected}\n{flat}");
    }
}

const MAIN: &str = r#"
#![allow(dead_code)]
mod db;

use db::people::{ListsRow as Lists, PersonRow as Person};
use db::types::{Mood, Spot};

fn expected_lists(emails: &[Option<&str>], codes: &[&str], notes: &[Option<&str>]) -> Lists {
    let owned = |v: &[Option<&str>]| Some(v.iter().map(|x| x.map(str::to_string)).collect());
    Lists {
        emails: owned(emails),
        work_emails: owned(emails),
        codes: Some(codes.iter().map(|x| Some(x.to_string())).collect()),
        notes: owned(notes),
    }
}

const ADDRESSES: &[Option<&str>] = &[Some("a@x"), None, Some("b@x")];
const NOTES: &[Option<&str>] = &[None, Some("n")];
const PLACE: Spot = Spot { x: Some(1), y: Some(2) };

async fn run_async(c: &impl squill::GenericClient, base: i32, what: &str) {
    use db::people::*;
    clear(c).await.expect(what);
    add_person(c, base, "p@x", Some(Mood::Happy), Some(&PLACE)).await.expect(what);
    add_moody(c, base + 1, "m@x", Some(&[Some(Mood::Sad), None])).await.expect(what);
    let batch = [
        AddPeopleParams { id: base + 2, email: "b1@x", place: Some(&PLACE) },
        AddPeopleParams { id: base + 3, email: "b2@x", place: None },
    ];
    assert_eq!(add_people(c, &batch).await.expect(what), [1, 1]);
    let row = person(c, base).await.expect(what);
    assert_eq!(row, Person { email: "p@x".into(), mood: Some(Mood::Happy), place: Some(PLACE), moods: None });
    assert_eq!(person(c, base + 1).await.expect(what).moods, Some(vec![Some(Mood::Sad), None]));
    set_lists(c, Some(ADDRESSES), Some(ADDRESSES), Some(&["c"]), Some(NOTES), base).await.expect(what);
    assert_eq!(lists(c, base).await.expect(what), expected_lists(ADDRESSES, &["c"], NOTES));
    set_lists_and_place(c, Some(&[None, Some("z@x")]), Some(&PLACE), base + 1).await.expect(what);
    let got = lists(c, base + 1).await.expect(what).emails;
    assert_eq!(got, Some(vec![None, Some("z@x".to_string())]));
    // One column: the value itself, through the same reader.
    assert_eq!(emails(c, base + 1).await.expect(what), got);
    let sets = [EmailsOfParams { id: base + 1 }, EmailsOfParams { id: base + 2 }];
    assert_eq!(emails_of(c, &sets).await.expect(what), [got, None]);
    assert_eq!(with_notes(c, &["n"]).await.expect(what), [base]);
    assert_eq!(by_ids(c, &[base, base + 1, -1]).await.expect(what), [base, base + 1]);
    assert_eq!(by_emails(c, &["p@x", "b1@x"], &PLACE).await.expect(what), [base, base + 2]);
    // The domain's CHECK still runs on each element.
    let bad = set_lists(c, Some(&[Some("nope")]), None, None, None, base).await.unwrap_err();
    assert!(format!("{bad:?}").contains("violates check constraint"), "{bad:?}");
}

fn run_sync(c: &mut impl squill::blocking::GenericClient, base: i32, what: &str) {
    use db::people::blocking::*;
    use db::people::{AddPeopleParams, EmailsOfParams};
    clear(c).expect(what);
    add_person(c, base, "p@x", Some(Mood::Happy), Some(&PLACE)).expect(what);
    add_moody(c, base + 1, "m@x", Some(&[Some(Mood::Sad), None])).expect(what);
    let batch = [
        AddPeopleParams { id: base + 2, email: "b1@x", place: Some(&PLACE) },
        AddPeopleParams { id: base + 3, email: "b2@x", place: None },
    ];
    assert_eq!(add_people(c, &batch).expect(what), [1, 1]);
    let row = person(c, base).expect(what);
    assert_eq!(row, Person { email: "p@x".into(), mood: Some(Mood::Happy), place: Some(PLACE), moods: None });
    assert_eq!(person(c, base + 1).expect(what).moods, Some(vec![Some(Mood::Sad), None]));
    set_lists(c, Some(ADDRESSES), Some(ADDRESSES), Some(&["c"]), Some(NOTES), base).expect(what);
    assert_eq!(lists(c, base).expect(what), expected_lists(ADDRESSES, &["c"], NOTES));
    set_lists_and_place(c, Some(&[None, Some("z@x")]), Some(&PLACE), base + 1).expect(what);
    let got = lists(c, base + 1).expect(what).emails;
    assert_eq!(got, Some(vec![None, Some("z@x".to_string())]));
    assert_eq!(emails(c, base + 1).expect(what), got);
    let sets = [EmailsOfParams { id: base + 1 }, EmailsOfParams { id: base + 2 }];
    assert_eq!(emails_of(c, &sets).expect(what), [got, None]);
    assert_eq!(with_notes(c, &["n"]).expect(what), [base]);
    assert_eq!(by_ids(c, &[base, base + 1, -1]).expect(what), [base, base + 1]);
    assert_eq!(by_emails(c, &["p@x", "b1@x"], &PLACE).expect(what), [base, base + 2]);
    let bad = set_lists(c, Some(&[Some("nope")]), None, None, None, base).unwrap_err();
    assert!(format!("{bad:?}").contains("violates check constraint"), "{bad:?}");
}

fn main() {
    let url = std::env::args().nth(1).expect("the database URL");
    let mut plain = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    // PostgreSQL rejects a NULL element of an array of a NOT NULL domain: hence `&[&str]`.
    plain.batch_execute("INSERT INTO people (id, email) VALUES (0, 'z@x')").unwrap();
    let rejected = plain.batch_execute("UPDATE people SET codes = '{x,NULL}'::text[] WHERE id = 0");
    let rejected = format!("{:?}", rejected.unwrap_err());
    assert!(rejected.contains("domain code does not allow null values"), "{rejected}");
    run_sync(&mut plain, 100, "postgres::Client");
    let mut cached = squill::blocking::Client::new(plain);
    run_sync(&mut cached, 200, "squill::blocking::Client");
    println!("sync OK");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let (plain, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            run_async(&plain, 300, "tokio_postgres::Client").await;
            let cached = squill::Client::new(plain);
            run_async(&cached, 400, "squill::Client").await;
        });
    println!("async OK");
}
"#;

#[test]
fn domains_and_null_elements_round_trip_through_every_client() {
    let code = generate();
    let program = support::build_program("param-encoding", &[("db".into(), code)], MAIN, &["full"])
        .unwrap_or_else(|cargo| panic!("the program does not compile:\n{cargo}"));
    let server = TempServer::start().expect("a throwaway PostgreSQL");
    let mut client = server.connect("postgres").unwrap();
    client.batch_execute(SCHEMA).unwrap();
    drop(client);
    let output = std::process::Command::new(&program)
        .arg(server.url("postgres"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("sync OK") && stdout.contains("async OK"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
