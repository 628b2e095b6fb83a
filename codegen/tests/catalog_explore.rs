use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use squill_codegen::source::split::split_statements;
use std::collections::BTreeMap;

fn files() -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    let roots = ["/work/shared/corpus", "/work/main/schema"];
    for r in roots {
        for e in walk(std::path::Path::new(r)) {
            let s = e.to_string_lossy().to_string();
            if s.ends_with(".sql")
                && !s.contains("quer")
                && !s.ends_with(".down.sql")
                && !s.contains("pagila-sql-pgq")
            {
                out.push(e);
            }
        }
    }
    out
}
fn walk(p: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v = vec![];
    if p.is_dir() {
        for e in std::fs::read_dir(p).unwrap() {
            v.extend(walk(&e.unwrap().path()));
        }
    } else {
        v.push(p.to_path_buf());
    }
    v
}
#[test]
fn explore() {
    let mut fails: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut total = 0;
    for f in files() {
        let text = std::fs::read_to_string(&f).unwrap();
        for r in split_statements(&text) {
            total += 1;
            let s = &text[r];
            if let Err(e) = Parser::parse_sql(&PostgreSqlDialect {}, s) {
                let words: Vec<String> = s
                    .split_whitespace()
                    .take(3)
                    .map(|w| w.to_uppercase())
                    .collect();
                let key = words.join(" ");
                fails.entry(key).or_default().push(format!(
                    "{}: {e}\n    {}",
                    f.display(),
                    s.chars().take(300).collect::<String>().replace('\n', " ")
                ));
            }
        }
    }
    println!("total {total}");
    for (k, v) in &fails {
        println!("== {k}: {}", v.len());
        for x in v.iter().take(4) {
            println!("  {x}");
        }
    }
}
