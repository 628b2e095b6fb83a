//! Rust names for SQL names: snake_case functions and fields, CamelCase types, SHOUTY statics,
//! with keywords escaped and collisions numbered.

use std::collections::HashSet;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
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

/// snake_case with anything that is not an identifier character dropped.
pub fn snake(name: &str) -> String {
    converted(name, |cleaned| cleaned.to_snake_case(), "value")
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

/// Hands out names, numbering repeats (`id`, `id_2`, ...).
#[derive(Default)]
pub struct Unique {
    taken: HashSet<String>,
}

impl Unique {
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_string());
    }

    pub fn name(&mut self, wanted: String) -> String {
        if self.taken.insert(wanted.clone()) {
            return wanted;
        }
        (2..)
            .map(|n| format!("{wanted}_{n}"))
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
        assert_eq!(camel("in-progress"), "InProgress");
        let mut u = Unique::default();
        assert_eq!(u.name("id".into()), "id");
        assert_eq!(u.name("id".into()), "id_2");
    }
}
