//! `types::check_types`: the type overrides generated code uses, checked against a server
//! (see `squill::check_types`). Emitted only when the package uses an override.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use crate::config::Config;
use crate::ir::QuerySet;
use crate::rust_types::{Applied, Target, applied};

/// Every override used, with whether generated code sends it (ToSql) and reads it (FromSql).
pub fn used(set: &QuerySet, config: &Config) -> BTreeMap<Applied, (bool, bool)> {
    let mut used: BTreeMap<Applied, (bool, bool)> = BTreeMap::new();
    let mut note = |a: Option<Applied>, to: bool, from: bool| {
        if let Some(a) = a {
            let entry = used.entry(a).or_default();
            entry.0 |= to;
            entry.1 |= from;
        }
    };
    for query in set.modules.iter().flat_map(|m| &m.queries) {
        for p in &query.params {
            let origin = p.origin.as_ref().map(|(t, c)| (t.as_str(), c.as_str()));
            note(applied(&p.ty, origin, config), true, false);
        }
        if query.command.returns_rows() {
            for c in &query.columns {
                let origin = c.origin.as_ref().map(|(t, c)| (t.as_str(), c.as_str()));
                note(applied(&c.ty, origin, config), false, true);
            }
        }
    }
    // A composite's fields are written and read.
    for (_, ty) in set.composites.iter().flat_map(|c| &c.fields) {
        note(applied(ty, None, config), true, true);
    }
    used
}

/// The `TYPE_OVERRIDES` table and the `check_types` functions, for the `types` module.
pub fn emit(used: &BTreeMap<Applied, (bool, bool)>, config: &Config) -> Option<TokenStream> {
    if used.is_empty() {
        return None;
    }
    let entries = used.iter().filter_map(|(a, &(to, from))| {
        let ty: syn::Type = syn::parse_str(&a.rust).ok()?;
        let rust = &a.rust;
        let target = match &a.target {
            Target::Type(name) => quote!(::squill::OverrideTarget::Type(#name)),
            Target::Column(table, column) => {
                quote!(::squill::OverrideTarget::Column(#table, #column))
            }
        };
        let element = a.element;
        let to_sql = if to {
            quote!(Some(<#ty as postgres_types::ToSql>::accepts))
        } else {
            quote!(None)
        };
        let from_sql = if from {
            quote!(Some(<#ty as postgres_types::FromSql<'static>>::accepts))
        } else {
            quote!(None)
        };
        Some(quote! {
            ::squill::TypeOverride {
                rust: #rust,
                target: #target,
                element: #element,
                to_sql: #to_sql,
                from_sql: #from_sql,
            }
        })
    });
    let async_fn = config.async_fns.then(|| {
        quote! {
            /// Compares every type override generated code uses with the server's types: an
            /// error names each Rust type that cannot encode or decode what it maps (call it
            /// in a test or at startup, after migrations).
            pub async fn check_types(
                client: &::squill::re::tokio_postgres::Client,
            ) -> Result<(), ::squill::Error> {
                ::squill::check_types(client, TYPE_OVERRIDES).await
            }
        }
    });
    let sync_fn = config.sync_fns.then(|| {
        quote! {
            /// Blocking versions of the type check, for `postgres` clients.
            pub mod blocking {
                /// Compares every type override generated code uses with the server's types
                /// (see the async `check_types`).
                pub fn check_types(
                    client: &mut ::squill::re::postgres::Client,
                ) -> Result<(), ::squill::Error> {
                    ::squill::check_types_blocking(client, super::TYPE_OVERRIDES)
                }
            }
        }
    });
    Some(quote! {
        /// The type overrides of the configuration that generated code uses, for
        /// `check_types`.
        pub static TYPE_OVERRIDES: &[::squill::TypeOverride] = &[#(#entries),*];
        #async_fn
        #sync_fn
    })
}
