//! The `tracing` feature: one span per query run, with OpenTelemetry's database attributes,
//! recorded by a minimal subscriber (no formatting, no exporter: just the fields).

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use common::Db;
use squill_demo::db;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

type Fields = BTreeMap<String, String>;

/// Every span's name and fields, in creation order.
#[derive(Clone, Default)]
struct Recorder {
    spans: Arc<Mutex<Vec<(&'static str, Fields)>>>,
}

struct Collect<'a>(&'a mut Fields);

impl Visit for Collect<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Fields::new();
        span.record(&mut Collect(&mut fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push((span.metadata().name(), fields));
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let (_, fields) = &mut spans[span.into_u64() as usize - 1];
        values.record(&mut Collect(fields));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

impl Recorder {
    /// The query spans recorded so far, as (query name, fields).
    fn queries(&self) -> Vec<Fields> {
        self.spans
            .lock()
            .unwrap()
            .iter()
            .filter(|(name, _)| *name == "db.query")
            .map(|(_, fields)| fields.clone())
            .collect()
    }
}

fn field<'a>(span: &'a Fields, name: &str) -> &'a str {
    span.get(name)
        .map(String::as_str)
        .unwrap_or_else(|| panic!("span has no {name}: {span:?}"))
}

#[tokio::test(flavor = "current_thread")]
async fn every_query_run_is_one_span_with_database_attributes() {
    let db_server = Db::start().await;
    let client = db_server.client().await;
    let recorder = Recorder::default();
    let _default = tracing::subscriber::set_default(recorder.clone());

    db::users::create_user(&client, "traced@example.com", Some("T"))
        .await
        .unwrap();
    let found = db::users::get_user_by_email(&client, "traced@example.com")
        .await
        .unwrap();
    assert!(found.is_some());
    let missing = db::settings::get_settings(&client, squill::re::uuid::Uuid::nil()).await;
    assert!(missing.unwrap_err().is_no_rows());
    let duplicate = db::users::create_user(&client, "traced@example.com", None).await;
    assert!(duplicate.unwrap_err().is_unique_violation());

    let spans = recorder.queries();
    assert_eq!(spans.len(), 4, "one span per run: {spans:#?}");
    let [create, get, settings, duplicate] = &spans[..] else {
        unreachable!()
    };
    for span in &spans {
        assert_eq!(field(span, "db.system"), "postgresql");
        assert_eq!(field(span, "otel.kind"), "client");
    }
    assert_eq!(field(create, "otel.name"), "CreateUser");
    assert_eq!(field(create, "db.operation.name"), "INSERT");
    assert!(field(create, "db.query.text").starts_with("INSERT INTO users"));
    assert_eq!(field(create, "db.response.returned_rows"), "1");
    assert!(!create.contains_key("error.type"));

    assert_eq!(field(get, "otel.name"), "GetUserByEmail");
    assert_eq!(field(get, "squill.command"), "opt");
    assert_eq!(field(get, "db.operation.name"), "SELECT");
    assert_eq!(field(get, "db.response.returned_rows"), "1");

    assert_eq!(field(settings, "error.type"), "no_rows");
    assert_eq!(field(settings, "otel.status_code"), "ERROR");

    assert_eq!(field(duplicate, "error.type"), "23505");
    assert!(field(duplicate, "error.message").contains("duplicate key value"));
}

#[test]
fn blocking_query_runs_are_spans_too() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db_server = runtime.block_on(Db::start());
    let mut client = squill::blocking::Client::new(db_server.server.connect("postgres").unwrap());
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || {
        db::users::blocking::create_user(&mut client, "sync@example.com", None).unwrap();
        let renamed =
            db::users::blocking::rename_user(&mut client, Some("x"), squill::re::uuid::Uuid::nil());
        assert_eq!(renamed.unwrap(), 0);
    });
    let spans = recorder.queries();
    assert_eq!(spans.len(), 2, "{spans:#?}");
    assert_eq!(field(&spans[0], "otel.name"), "CreateUser");
    assert_eq!(field(&spans[1], "otel.name"), "RenameUser");
    assert_eq!(field(&spans[1], "db.operation.name"), "UPDATE");
    assert_eq!(field(&spans[1], "db.response.affected_rows"), "0");
}
