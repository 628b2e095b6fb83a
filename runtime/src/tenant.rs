//! A tenant's transaction, for schemas whose row-level security policies read the tenant from
//! a setting: every statement inside sees that tenant's rows only, and the setting ends with
//! the transaction, so a pooled connection never carries it to the next user.
//!
//! The schema side (the tenant column `shop_id`, the setting `app.tenant_id`, as
//! `[tenant] setting` in `squill.toml` names it):
//!
//! ```sql
//! ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
//! ALTER TABLE orders FORCE ROW LEVEL SECURITY;   -- the table's owner too
//! CREATE POLICY tenant ON orders
//!     USING (shop_id = current_setting('app.tenant_id')::uuid);
//! ```
//!
//! Policies do not apply to superusers and roles with `BYPASSRLS`, nor to the table's owner
//! unless the table is `FORCE`d: the application must connect as a role that is none of
//! these. Outside a tenant's transaction that policy is an error, not an empty result: a
//! session that never set the setting gets `unrecognized configuration parameter`, and one
//! that did (a pooled connection) gets `''` back, which the uuid cast rejects. For "no rows"
//! instead, read it as `nullif(current_setting('app.tenant_id', true), '')::uuid` (NULL
//! when unset: the comparison matches nothing).
//!
//! The setting is made with `SELECT set_config($1, $2, true)`, which is `SET LOCAL` with the
//! value as a parameter (no quoting, no injection). A transaction-mode pooler (PgBouncer)
//! keeps one server connection for the whole transaction, so the setting is seen by every
//! statement of it.
//!
//! ```no_run
//! # async fn example(client: &mut squill::Client, shop: uuid::Uuid) -> Result<(), squill::Error> {
//! let tx = squill::tenant::begin(client, "app.tenant_id", shop).await?;
//! // generated queries on `&tx` see the shop's rows only
//! tx.commit().await?;
//!
//! // or: committed when the closure returns Ok, rolled back on Err
//! let count = squill::tenant::run(client, "app.tenant_id", shop, async |tx| {
//!     let row = tx.query_one("SELECT count(*) FROM orders", &[]).await?;
//!     Ok(row.get::<_, i64>(0))
//! })
//! .await?;
//! # let _ = count;
//! # Ok(())
//! # }
//! ```
//!
//! For any other transaction (`tokio_postgres`, a deadpool connection's), [`set`] sets the
//! tenant on one already open; [`blocking`] has the same for the `postgres` crate.

#[cfg(feature = "async")]
use std::fmt::Display;

#[cfg(feature = "async")]
use crate::Error;

/// The statement that sets the tenant for the rest of the transaction.
const SET_LOCAL: &str = "SELECT set_config($1, $2, true)";

/// Sets `setting` to the tenant's text for the rest of the transaction `tx` (a
/// [`crate::Transaction`] or a deadpool one derefs to it).
#[cfg(feature = "async")]
pub async fn set(
    tx: &tokio_postgres::Transaction<'_>,
    setting: &str,
    tenant: impl Display,
) -> Result<(), Error> {
    let tenant = tenant.to_string();
    // Typed parameters: one round trip, no named statement (pooler-safe).
    tx.query_typed(
        SET_LOCAL,
        &[
            (&setting, postgres_types::Type::TEXT),
            (&tenant, postgres_types::Type::TEXT),
        ],
    )
    .await?;
    Ok(())
}

/// Opens a transaction on `client` with the tenant set; it rolls back on drop unless
/// committed.
#[cfg(feature = "async")]
pub async fn begin<'a>(
    client: &'a mut crate::Client,
    setting: &str,
    tenant: impl Display,
) -> Result<crate::Transaction<'a>, Error> {
    let tx = client.transaction().await?;
    set(&tx, setting, tenant).await?;
    Ok(tx)
}

/// Runs `work` in a transaction with the tenant set: committed when it returns `Ok`, rolled
/// back when it returns `Err` (the error is returned).
#[cfg(feature = "async")]
pub async fn run<T>(
    client: &mut crate::Client,
    setting: &str,
    tenant: impl Display,
    work: impl AsyncFnOnce(&crate::Transaction<'_>) -> Result<T, Error>,
) -> Result<T, Error> {
    let tx = begin(client, setting, tenant).await?;
    let value = work(&tx).await?;
    tx.commit().await?;
    Ok(value)
}

/// The same for the `postgres` crate.
#[cfg(feature = "sync")]
pub mod blocking {
    use std::fmt::Display;

    use super::SET_LOCAL;
    use crate::Error;
    use crate::blocking::{Client, Transaction};

    /// Sets `setting` to the tenant's text for the rest of the transaction `tx`.
    pub fn set(
        tx: &mut postgres::Transaction<'_>,
        setting: &str,
        tenant: impl Display,
    ) -> Result<(), Error> {
        let tenant = tenant.to_string();
        tx.query_typed(
            SET_LOCAL,
            &[
                (&setting, postgres_types::Type::TEXT),
                (&tenant, postgres_types::Type::TEXT),
            ],
        )?;
        Ok(())
    }

    /// Opens a transaction on `client` with the tenant set; it rolls back on drop unless
    /// committed.
    pub fn begin<'a>(
        client: &'a mut Client,
        setting: &str,
        tenant: impl Display,
    ) -> Result<Transaction<'a>, Error> {
        let mut tx = client.transaction()?;
        set(tx.inner_mut(), setting, tenant)?;
        Ok(tx)
    }

    /// Runs `work` in a transaction with the tenant set: committed when it returns `Ok`,
    /// rolled back when it returns `Err`.
    pub fn run<T>(
        client: &mut Client,
        setting: &str,
        tenant: impl Display,
        work: impl FnOnce(&mut Transaction<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut tx = begin(client, setting, tenant)?;
        let value = work(&mut tx)?;
        tx.commit()?;
        Ok(value)
    }
}
