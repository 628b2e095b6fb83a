//! Prints the benchmark table of BENCHMARKS.md from criterion's results: one row per scenario,
//! one column per implementation, each cell the median time and, for everything but the
//! floors, its ratio to the hand-written floor of the same flavour (async: tokio-postgres,
//! blocking: postgres). Then the targets, checked, and the paired (interleaved)
//! ratios of `benches/paired.rs` when that bench ran.
//!
//! `cargo run --release --bin report [-- <criterion dir>]` (default: target/criterion).

use std::collections::HashMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;
use squill_bench::scenarios::{Flavour, IMPLS, SCENARIOS, floor};

/// Median of one benchmark in nanoseconds, with criterion's 95% confidence interval.
#[derive(Debug, Clone, Copy)]
struct Median {
    ns: f64,
    lower: f64,
    upper: f64,
}

fn read_json(path: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// (group, function) → median, from every `<group>/<function>/new/` criterion wrote.
fn load(dir: &Path) -> HashMap<(String, String), Median> {
    let mut out = HashMap::new();
    let Ok(groups) = std::fs::read_dir(dir) else {
        return out;
    };
    for group in groups.flatten() {
        let Ok(functions) = std::fs::read_dir(group.path()) else {
            continue;
        };
        for function in functions.flatten() {
            let new = function.path().join("new");
            let (Some(bench), Some(est)) = (
                read_json(&new.join("benchmark.json")),
                read_json(&new.join("estimates.json")),
            ) else {
                continue;
            };
            let median = &est["median"];
            let ci = &median["confidence_interval"];
            let (Some(group_id), Some(function_id), Some(ns), Some(lower), Some(upper)) = (
                bench["group_id"].as_str(),
                bench["function_id"].as_str(),
                median["point_estimate"].as_f64(),
                ci["lower_bound"].as_f64(),
                ci["upper_bound"].as_f64(),
            ) else {
                continue;
            };
            let median = Median { ns, lower, upper };
            out.insert((group_id.to_owned(), function_id.to_owned()), median);
        }
    }
    out
}

fn fmt_time(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn flavour_of(id: &str) -> Flavour {
    IMPLS.iter().find(|i| i.0 == id).map(|i| i.2).unwrap()
}

struct Results {
    medians: HashMap<(String, String), Median>,
}

impl Results {
    fn get(&self, scenario: &str, imp: &str) -> Option<Median> {
        self.medians
            .get(&(scenario.to_owned(), imp.to_owned()))
            .copied()
    }

    /// `imp`'s median over its flavour's floor.
    fn ratio(&self, scenario: &str, imp: &str) -> Option<f64> {
        let floor = self.get(scenario, floor(flavour_of(imp)))?;
        Some(self.get(scenario, imp)?.ns / floor.ns)
    }
}

fn table(results: &Results) -> String {
    let mut out = String::new();
    out.push_str("| scenario |");
    for (_, label, _) in IMPLS {
        write!(out, " {label} |").unwrap();
    }
    out.push_str("\n|---|");
    for _ in IMPLS {
        out.push_str("---:|");
    }
    out.push('\n');
    for (scenario, label) in SCENARIOS {
        if !IMPLS.iter().any(|i| results.get(scenario, i.0).is_some()) {
            continue;
        }
        write!(out, "| {label} |").unwrap();
        for (imp, _, flavour) in IMPLS {
            match results.get(scenario, imp) {
                None => out.push_str(" — |"),
                Some(m) if *imp == floor(*flavour) => write!(out, " {} |", fmt_time(m.ns)).unwrap(),
                Some(m) => match results.ratio(scenario, imp) {
                    Some(r) => write!(out, " {} ({r:.2}×) |", fmt_time(m.ns)).unwrap(),
                    None => write!(out, " {} |", fmt_time(m.ns)).unwrap(),
                },
            }
        }
        out.push('\n');
    }
    out
}

/// One paired (interleaved, same-connection) comparison from benches/paired.rs: squill over
/// its floor, wall-clock and client CPU time, each the median of the rounds with its 95%
/// confidence interval.
#[derive(Debug, Clone, Copy)]
struct Paired {
    wall: Ci,
    cpu: Ci,
}

#[derive(Debug, Clone, Copy)]
struct Ci {
    median: f64,
    lo: f64,
    hi: f64,
}

impl std::fmt::Display for Ci {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.3} ({:.3}–{:.3})", self.median, self.lo, self.hi)
    }
}

fn load_paired(path: &Path) -> HashMap<(String, String), Paired> {
    let mut out = HashMap::new();
    let Some(Value::Array(items)) = read_json(path) else {
        return out;
    };
    let ci = |item: &Value, prefix: &str| {
        Some(Ci {
            median: item[format!("{prefix}median")].as_f64()?,
            lo: item[format!("{prefix}ci_lo")].as_f64()?,
            hi: item[format!("{prefix}ci_hi")].as_f64()?,
        })
    };
    for item in items {
        if let (Some(s), Some(i), Some(wall), Some(cpu)) = (
            item["scenario"].as_str(),
            item["imp"].as_str(),
            ci(&item, ""),
            ci(&item, "cpu_"),
        ) {
            out.insert((s.to_owned(), i.to_owned()), Paired { wall, cpu });
        }
    }
    out
}

fn targets(results: &Results, paired: &HashMap<(String, String), Paired>) -> String {
    // (scenario, what, limit on squill/floor)
    let checks: &[(&str, &str, f64)] = &[
        ("select_users_10000", "10 000-row select", 1.03),
        ("join_5000", "join, 5 000 rows", 1.03),
        ("select_users_1", "single-row latency (1-row select)", 1.05),
        ("get_user_by_id", "single-row latency (`:one` by id)", 1.05),
        ("insert_1", "insert 1 row", 1.0),
        ("insert_10", "insert 10 rows", 1.0),
        ("insert_100", "insert 100 rows", 1.0),
        ("insert_unnest_100", "insert 100 rows (unnest)", 1.0),
        ("bulk_insert_10000", "bulk insert 10 000", 1.0),
        ("bulk_insert_100000", "bulk insert 100 000", 1.0),
        ("bulk_copy_10000", "bulk insert 10 000 (`:copyfrom`)", 1.0),
        ("bulk_copy_100000", "bulk insert 100 000 (`:copyfrom`)", 1.0),
    ];
    let mut out = String::new();
    out.push_str(
        "| target | squill | criterion ratio | paired wall ratio (95% CI) | paired client-CPU ratio (95% CI) | verdict |\n",
    );
    out.push_str("|---|---|---:|---:|---:|---|\n");
    for (scenario, what, limit) in checks {
        for imp in ["squill_async", "squill_sync"] {
            let (Some(ratio), Some(m), Some(f)) = (
                results.ratio(scenario, imp),
                results.get(scenario, imp),
                results.get(scenario, floor(flavour_of(imp))),
            ) else {
                continue;
            };
            let p = paired
                .get(&(scenario.to_string(), imp.to_string()))
                .copied();
            // The paired wall-clock ratio (same connection, interleaved, so load drift
            // cancels) decides when there is one, else criterion's medians.
            let verdict = match p {
                Some(p) if p.wall.median <= *limit => "met",
                Some(p) if p.wall.lo <= *limit => "met within noise (CI includes the limit)",
                Some(_) => "**missed**",
                None if ratio <= *limit => "met",
                // Scaled to the limit: the intervals of squill and floor × limit overlap.
                None if m.lower <= f.upper * limit => "met within noise (CIs overlap)",
                None => "**missed**",
            };
            let goal = if *limit == 1.0 {
                "no slower".to_owned()
            } else {
                format!("≤ {limit:.2}")
            };
            let label = if imp == "squill_async" {
                "async"
            } else {
                "sync"
            };
            writeln!(
                out,
                "| {what}: squill/floor {goal} | {label} | {ratio:.3} | {} | {} | {verdict} |",
                p.map_or("—".to_owned(), |p| p.wall.to_string()),
                p.map_or("—".to_owned(), |p| p.cpu.to_string()),
            )
            .unwrap();
        }
    }
    if let (Some(sqlx), Some(squill)) = (
        results.get("select_users_10000", "sqlx"),
        results.get("select_users_10000", "squill_async"),
    ) {
        let speedup = sqlx.ns / squill.ns;
        writeln!(
            out,
            "| 10 000-row select: sqlx/squill ≥ 1.40 | async | {speedup:.2}× faster | — | — | {} |",
            if speedup >= 1.4 { "met" } else { "**missed**" }
        )
        .unwrap();
    }
    out
}

fn main() {
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| base.join("criterion"));
    let results = Results {
        medians: load(&dir),
    };
    if results.medians.is_empty() {
        eprintln!(
            "no criterion results under {}: run `cargo bench --bench compare` first",
            dir.display()
        );
        std::process::exit(1);
    }
    let paired = load_paired(&base.join("paired.json"));
    println!(
        "Median time per operation; in parentheses, the ratio to the hand-written floor of the"
    );
    println!("same flavour (async: tokio-postgres, blocking: postgres). Lower is better.\n");
    print!("{}", table(&results));
    println!("\n### Targets\n");
    print!("{}", targets(&results, &paired));
}
