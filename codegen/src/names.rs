//! Rust names for SQL names: snake_case functions and fields, CamelCase types, SHOUTY statics,
//! with keywords escaped and collisions numbered.

use std::collections::HashSet;

use heck::{ToShoutySnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Keywords that can be raw identifiers (`r#type`).
const RAW_OK: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while",
    "abstract", "become", "box", "do", "final", "gen", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];
/// Keywords that cannot be raw identifiers: suffix an underscore instead.
const NO_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// An identifier for `name`, escaping keywords.
pub fn ident(name: &str) -> Ident {
    let name = if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name.to_string()
    };
    if NO_RAW.contains(&name.as_str()) {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if RAW_OK.contains(&name.as_str()) {
        Ident::new_raw(&name, Span::call_site())
    } else {
        Ident::new(&name, Span::call_site())
    }
}

/// snake_case with anything that is not an identifier character dropped, acronym-aware:
/// `runIDs` → `run_ids`, `GetEventsIDbound` → `get_events_id_bound`, `HTTPServer` →
/// `http_server`.
pub fn snake(name: &str) -> String {
    converted(name, |cleaned| words(cleaned).join("_"), "value")
}

/// Acronyms kept whole when lowercase letters follow them (`IDbound` → `id`, `bound`).
const ACRONYMS: &[&str] = &[
    "ACL", "API", "CPU", "CSV", "DB", "DNS", "GPU", "HTML", "HTTP", "HTTPS", "ID", "IO", "IP",
    "JSON", "JWT", "MCP", "OS", "OTP", "PDF", "RPC", "SQL", "SSH", "SSO", "TCP", "TLS", "TTL",
    "UI", "URI", "URL", "UUID", "XML",
];

/// The lowercase words of an identifier-ish string (case changes, digits after letters and
/// non-alphanumerics break words; an uppercase run followed by lowercase letters gives its
/// last letter to the next word unless the run is a known acronym or takes a plural `s`).
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in text.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = chunk.chars().collect();
        let mut word = String::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_uppercase() {
                let run_end = (i..chars.len())
                    .find(|&j| !chars[j].is_uppercase())
                    .unwrap_or(chars.len());
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                let run: String = chars[i..run_end].iter().collect();
                let lower_follows = chars.get(run_end).is_some_and(|c| c.is_lowercase());
                let plural = chars.get(run_end) == Some(&'s')
                    && !chars.get(run_end + 1).is_some_and(|c| c.is_lowercase());
                if run_end - i == 1 || !lower_follows {
                    word.push_str(&run.to_lowercase());
                    i = run_end;
                } else if plural {
                    out.push(format!("{}s", run.to_lowercase()));
                    i = run_end + 1;
                } else if ACRONYMS.contains(&run.as_str())
                    && !ACRONYMS.contains(&&run[..run.len() - 1])
                {
                    out.push(run.to_lowercase());
                    i = run_end;
                } else {
                    out.push(run[..run.len() - 1].to_lowercase());
                    word.push_str(&run[run.len() - 1..].to_lowercase());
                    i = run_end;
                }
                continue;
            }
            if c == '_' {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            } else {
                word.extend(c.to_lowercase());
            }
            i += 1;
        }
        if !word.is_empty() {
            out.push(word);
        }
    }
    out
}

pub fn camel(name: &str) -> String {
    converted(name, |cleaned| cleaned.to_upper_camel_case(), "Value")
}

/// Applies a case conversion after turning non-identifier characters into word breaks.
fn converted(name: &str, convert: impl Fn(&str) -> String, fallback: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let converted = convert(&cleaned);
    if converted.is_empty() {
        fallback.to_string()
    } else {
        converted
    }
}

pub fn shouty(name: &str) -> String {
    snake(name).to_shouty_snake_case()
}

pub fn type_ident(name: &str) -> Ident {
    ident(&camel(name))
}

/// Rust names for a package's user types (enums, composites), keyed by their PostgreSQL
/// display name (`status`, `s.status`): the CamelCase name; where two meet (`status`,
/// `s.status`), types of `home` (the first schema of the search path) keep it and the others
/// take their schema as a prefix (`SStatus`); what still collides is numbered. `Type` is kept
/// free (the `types` module imports it).
pub fn user_type_names(
    types: &[(String, String)],
    home: &str,
    rename: &std::collections::BTreeMap<String, String>,
) -> std::collections::BTreeMap<String, String> {
    let display = |schema: &str, name: &str| {
        if schema == "public" {
            name.to_string()
        } else {
            format!("{schema}.{name}")
        }
    };
    let wanted = |name: &str| camel(rename.get(name).map_or(name, String::as_str));
    let mut ordered: Vec<&(String, String)> = types.iter().collect();
    ordered.sort_by_key(|(schema, name)| (schema != home, schema.clone(), name.clone()));
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    for (_, name) in &ordered {
        *counts.entry(wanted(name)).or_default() += 1;
    }
    let mut taken = Unique::default();
    taken.reserve("Type");
    let mut out = std::collections::BTreeMap::new();
    for (schema, name) in ordered {
        let plain = wanted(name);
        let candidate = if counts[&plain] > 1 && schema != home {
            camel(&format!("{schema}_{name}"))
        } else {
            plain
        };
        out.insert(display(schema, name), taken.camel_name(candidate));
    }
    out
}

/// Hands out names, numbering repeats (`id`, `id_2`, ...).
#[derive(Default)]
pub struct Unique {
    taken: HashSet<String>,
}

impl Unique {
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_string());
    }

    /// Like [`Unique::name`], for CamelCase names: repeats are `Value2`, `Value3`, ...
    pub fn camel_name(&mut self, wanted: String) -> String {
        self.numbered(wanted, "")
    }

    pub fn name(&mut self, wanted: String) -> String {
        self.numbered(wanted, "_")
    }

    fn numbered(&mut self, wanted: String, separator: &str) -> String {
        if self.taken.insert(wanted.clone()) {
            return wanted;
        }
        (2..)
            .map(|n| format!("{wanted}{separator}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("an unused suffix exists")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_numbers() {
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("self").to_string(), "self_");
        assert_eq!(ident("1st").to_string(), "_1st");
        assert_eq!(snake("?column?"), "column");
        assert_eq!(snake("GetEventsIDbound"), "get_events_id_bound");
        assert_eq!(snake("runIDs"), "run_ids");
        assert_eq!(snake("HTTPServer"), "http_server");
        assert_eq!(snake("GetToolsetByMCPSlug"), "get_toolset_by_mcp_slug");
        assert_eq!(snake("GetToolsetByMcpSlug"), "get_toolset_by_mcp_slug");
        assert_eq!(snake("ListAPIKeys"), "list_api_keys");
        assert_eq!(snake("user_id2"), "user_id2");
        assert_eq!(snake("in-progress"), "in_progress");
        assert_eq!(snake("Ärger"), "ärger");
        let types: Vec<(String, String)> = [
            ("public", "status"),
            ("s", "status"),
            ("public", "status2"),
            ("public", "type"),
        ]
        .iter()
        .map(|(s, n)| (s.to_string(), n.to_string()))
        .collect();
        let names = user_type_names(&types, "public", &Default::default());
        assert_eq!(names["status"], "Status");
        assert_eq!(names["s.status"], "SStatus");
        assert_eq!(names["status2"], "Status2");
        assert_eq!(names["type"], "Type2");
        assert_eq!(camel("in-progress"), "InProgress");
        let mut u = Unique::default();
        assert_eq!(u.name("id".into()), "id");
        assert_eq!(u.name("id".into()), "id_2");
    }
}
