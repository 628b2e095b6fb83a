//! `squill vet` on a throwaway PostgreSQL: the scans no index serves are found on tenant and
//! large tables (and nowhere else), and the indexes it suggests are the fix: with them
//! applied, PostgreSQL plans every query through an index and vet finds nothing.

use std::path::Path;

use squill_codegen::config::Config;
use squill_codegen::vet::{Report, ScanKind, render_human, render_json, vet};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vet_fixture");

fn run(root: &Path) -> Report {
    let config = Config::load(root).expect("config");
    vet(root, &config, None).expect("vet runs")
}

fn flagged(report: &Report) -> Vec<(String, String, Option<String>)> {
    report
        .findings
        .iter()
        .map(|f| {
            let kind = match &f.kind {
                ScanKind::Seq => "seq".to_owned(),
                ScanKind::WholeIndex { index, .. } => format!("whole {index}"),
            };
            (f.query.clone(), kind, f.index.clone())
        })
        .collect()
}

#[test]
fn finds_unserved_scans_and_its_indexes_fix_them() {
    let report = run(Path::new(FIXTURE));
    assert_eq!(report.queries, 9);
    assert!(report.unchecked.is_empty(), "{}", render_human(&report));
    let s = |x: &str| x.to_owned();
    assert_eq!(
        flagged(&report),
        [
            // The tenant column has no index.
            (
                s("OrdersOfShop"),
                s("seq"),
                Some(s("CREATE INDEX ON orders (shop_id, status, created_at)"))
            ),
            // (shop_id, email) serves CustomerByEmail, but is read whole without shop_id.
            (
                s("CustomerAnyShop"),
                s("whole customers_shop_email"),
                Some(s("CREATE INDEX ON customers (email)"))
            ),
            // A join condition is what an index could serve.
            (
                s("OrdersWithShop"),
                s("seq"),
                Some(s("CREATE INDEX ON orders (shop_id)"))
            ),
            // DML is planned too.
            (
                s("PurgeOrders"),
                s("seq"),
                Some(s("CREATE INDEX ON orders (status)"))
            ),
            // A large table, partitioned: one finding for its partitions, on the parent.
            (
                s("RecentEvents"),
                s("seq"),
                Some(s("CREATE INDEX ON events (kind, at)"))
            ),
        ]
    );
    // Not flagged: CustomerByEmail and CloseOrder (served), Currency (exempt table),
    // AllNotes (neither a tenant nor a large table).
    insta::assert_snapshot!("vet_human", render_human(&report));
    let json: serde_json::Value = serde_json::from_str(&render_json(&report)).unwrap();
    assert_eq!(json["findings"][0]["line"], 2);
    assert_eq!(json["findings"][0]["tenant_column"], "shop_id");
    assert_eq!(
        json["findings"][4]["tenant_column"],
        serde_json::Value::Null
    );

    // PostgreSQL judges the suggestions: applied, every scan is served.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new(FIXTURE), dir.path());
    let indexes: Vec<String> = report
        .findings
        .iter()
        .filter_map(|f| f.index.clone())
        .map(|i| i + ";\n")
        .collect();
    std::fs::write(dir.path().join("schema/0002_indexes.sql"), indexes.concat()).unwrap();
    let fixed = run(dir.path());
    assert!(fixed.findings.is_empty(), "{}", render_human(&fixed));
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn the_command_exits_1_on_findings_with_json_on_stdout() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_squill"))
        .args(["vet", "--format", "json", "--root", FIXTURE])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["queries"], 9);
    assert_eq!(json["findings"].as_array().unwrap().len(), 5);

    // A project vet cannot run on (no schema folder) is exit 2 with the reason.
    let empty = tempfile::tempdir().unwrap();
    std::fs::create_dir(empty.path().join("queries")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_squill"))
        .args(["vet", "--root"])
        .arg(empty.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("schema"));
}
