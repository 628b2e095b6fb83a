//! What the fuzz targets share: the input format (a project's files in one byte string) and
//! the check of generated code (it parses, and no module defines a name twice).
//!
//! Input: files separated by NUL bytes; each file is its relative path on the first line, then
//! its content (any bytes: invalid UTF-8 is input too). `seeds/make-seeds.sh` writes seeds in
//! this format from the shared corpus.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use quote::ToTokens;

/// One file of the input: a sanitized relative path and its bytes.
pub struct InputFile<'a> {
    pub path: String,
    pub content: &'a [u8],
}

/// Splits `data` into files. A path that is not a plain relative path (empty component, `.`,
/// `..`, a character outside `[A-Za-z0-9_. -]`) becomes `default_dir/<n>.sql`.
pub fn files<'a>(data: &'a [u8], default_dir: &str) -> Vec<InputFile<'a>> {
    data.split(|b| *b == 0)
        .enumerate()
        .map(|(n, segment)| {
            let (first, content) = match segment.iter().position(|b| *b == b'\n') {
                Some(at) => (&segment[..at], &segment[at + 1..]),
                None => (segment, &segment[segment.len()..]),
            };
            let path = std::str::from_utf8(first)
                .ok()
                .filter(|p| plain_path(p))
                .map(str::to_owned)
                .unwrap_or_else(|| format!("{default_dir}/{n}.sql"));
            InputFile { path, content }
        })
        .collect()
}

fn plain_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 200
        && path.split('/').count() <= 4
        && path.split('/').all(|c| {
            !c.is_empty()
                && c != "."
                && c != ".."
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_. -".contains(&b))
        })
}

/// Writes `files` under `root`; a file whose path clashes with another's folder is left out.
pub fn write_files(root: &Path, files: &[InputFile<'_>]) {
    for file in files {
        let path = root.join(&file.path);
        if let Some(parent) = path.parent()
            && std::fs::create_dir_all(parent).is_err()
        {
            continue;
        }
        let _ = std::fs::write(&path, file.content);
    }
}

/// Generated code must be Rust (`syn` parses it) and define every name once per module and
/// namespace; returns what is wrong.
pub fn check_generated(code: &str) -> Result<(), String> {
    let file = syn::parse_file(code).map_err(|e| format!("generated code does not parse: {e}"))?;
    let mut problems = Vec::new();
    check_items(&file.items, "crate", &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Rust's namespaces: a module may hold a type and a value of the same name, not two of either.
#[derive(Default)]
struct Names {
    types: HashSet<String>,
    values: HashSet<String>,
}

fn check_items(items: &[syn::Item], module: &str, problems: &mut Vec<String>) {
    let mut names = Names::default();
    let mut trait_impls = HashSet::new();
    let mut inherent: HashMap<String, HashSet<String>> = HashMap::new();
    let mut twice = Vec::new();
    let mut define = |set: &mut HashSet<String>, ident: &syn::Ident, kind: &str| {
        let name = ident.to_string();
        if name != "_" && !set.insert(name.clone()) {
            twice.push(format!("{module}: {kind} `{name}` is defined twice"));
        }
    };
    for item in items {
        match item {
            syn::Item::Mod(m) => {
                define(&mut names.types, &m.ident, "module");
                if let Some((_, inner)) = &m.content {
                    check_items(inner, &format!("{module}::{}", m.ident), problems);
                }
            }
            syn::Item::Struct(s) => {
                define(&mut names.types, &s.ident, "struct");
                if !matches!(s.fields, syn::Fields::Named(_)) {
                    define(&mut names.values, &s.ident, "struct constructor");
                }
                fields_once(&s.fields, &format!("{module}::{}", s.ident), problems);
            }
            syn::Item::Enum(e) => {
                define(&mut names.types, &e.ident, "enum");
                let mut variants = HashSet::new();
                for v in &e.variants {
                    if !variants.insert(v.ident.to_string()) {
                        problems.push(format!(
                            "{module}::{}: variant `{}` is defined twice",
                            e.ident, v.ident
                        ));
                    }
                    fields_once(
                        &v.fields,
                        &format!("{module}::{}::{}", e.ident, v.ident),
                        problems,
                    );
                }
            }
            syn::Item::Union(u) => define(&mut names.types, &u.ident, "union"),
            syn::Item::Trait(t) => define(&mut names.types, &t.ident, "trait"),
            syn::Item::Type(t) => define(&mut names.types, &t.ident, "type alias"),
            syn::Item::ExternCrate(c) => {
                let ident = c.rename.as_ref().map_or(&c.ident, |(_, r)| r);
                define(&mut names.types, ident, "extern crate");
            }
            syn::Item::Fn(f) => define(&mut names.values, &f.sig.ident, "function"),
            syn::Item::Const(c) => define(&mut names.values, &c.ident, "const"),
            syn::Item::Static(s) => define(&mut names.values, &s.ident, "static"),
            syn::Item::Use(u) => {
                // Imports are counted in the type namespace only: what they name may be a
                // value too, but generated code imports modules and types.
                let mut imported = Vec::new();
                use_names(&u.tree, None, &mut imported);
                for ident in &imported {
                    define(&mut names.types, ident, "import");
                }
            }
            syn::Item::Impl(i) => {
                let self_ty = tokens(&i.self_ty);
                match &i.trait_ {
                    Some((_, path, _)) => {
                        let key = format!("impl {} for {self_ty}", tokens(path));
                        if !trait_impls.insert(key.clone()) {
                            problems.push(format!("{module}: `{key}` is written twice"));
                        }
                    }
                    None => {
                        let seen = inherent.entry(self_ty.clone()).or_default();
                        for assoc in &i.items {
                            let ident = match assoc {
                                syn::ImplItem::Fn(f) => &f.sig.ident,
                                syn::ImplItem::Const(c) => &c.ident,
                                syn::ImplItem::Type(t) => &t.ident,
                                _ => continue,
                            };
                            if !seen.insert(ident.to_string()) {
                                problems.push(format!(
                                    "{module}: `{self_ty}::{ident}` is defined twice"
                                ));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    problems.extend(twice);
}

fn fields_once(fields: &syn::Fields, owner: &str, problems: &mut Vec<String>) {
    let mut seen = HashSet::new();
    for field in fields {
        if let Some(ident) = &field.ident
            && !seen.insert(ident.to_string())
        {
            problems.push(format!("{owner}: field `{ident}` is defined twice"));
        }
    }
}

/// The names a `use` tree brings into scope (globs bring none that can clash: local items
/// shadow them).
fn use_names<'t>(
    tree: &'t syn::UseTree,
    parent: Option<&'t syn::Ident>,
    out: &mut Vec<syn::Ident>,
) {
    match tree {
        syn::UseTree::Path(p) => use_names(&p.tree, Some(&p.ident), out),
        syn::UseTree::Name(n) if n.ident == "self" => out.extend(parent.cloned()),
        syn::UseTree::Name(n) => out.push(n.ident.clone()),
        syn::UseTree::Rename(r) => out.push(r.rename.clone()),
        syn::UseTree::Glob(_) => {}
        syn::UseTree::Group(g) => {
            for item in &g.items {
                use_names(item, parent, out);
            }
        }
    }
}

/// A syntax node's tokens as text, to compare impl headers.
fn tokens(node: &impl ToTokens) -> String {
    node.to_token_stream().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_names_defined_twice() {
        assert!(check_generated("pub struct A { x: i32 } pub fn a() {}").is_ok());
        assert!(check_generated("pub struct A; pub fn A() {}").is_err());
        assert!(check_generated("pub mod types {} use super::types;").is_err());
        assert!(check_generated("mod m { pub struct A {} pub enum A {} }").is_err());
        assert!(check_generated("struct A { x: i32, x: i32 }").is_err());
        assert!(check_generated("fn (").is_err());
    }

    #[test]
    fn splits_files_and_refuses_odd_paths() {
        let files = files(b"schema/1.sql\nSELECT 1\0../x\nA\0q", "queries");
        let paths: Vec<_> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["schema/1.sql", "queries/1.sql", "q"]);
        assert_eq!(files[0].content, b"SELECT 1");
    }
}
