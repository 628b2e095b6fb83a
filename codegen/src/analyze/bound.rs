//! A view's query typed as PostgreSQL bound it at `CREATE VIEW`: each relation name it wrote
//! refers to the relation it found then (however that relation has been renamed or moved
//! since), with the columns it had then (a column added later is not part of the view's `*`;
//! a renamed one keeps the name the view knew it by). See [`crate::catalog::ViewBinding`].

use super::{Fail, RelColumn, Res, Schema};
use crate::catalog::QualifiedName;

/// A bound relation's name and its columns as the view's query sees them, each with the
/// column's current name.
pub(crate) type BoundColumns = (String, Vec<(RelColumn, String)>);

impl Schema {
    /// The relation the view being typed named `parts` when it was created, if it was bound.
    pub(crate) fn bound_target(&self, parts: &[String]) -> Option<&QualifiedName> {
        self.binding
            .as_ref()?
            .relations
            .iter()
            .find(|b| b.written == parts)
            .map(|b| &b.target)
    }

    /// The columns of the relation the view being typed named `parts` when it was created, as
    /// its query sees them, each with the column's current name; with the relation's name.
    /// `None`: not a bound name (it is looked up as usual).
    pub(crate) fn bound_relation_cols(&self, parts: &[String]) -> Option<Res<BoundColumns>> {
        let bound = self
            .binding
            .as_ref()?
            .relations
            .iter()
            .find(|b| b.written == parts)?;
        let key = (bound.target.schema.clone(), bound.target.name.clone());
        let Some(current) = self.relations.get(&key) else {
            // Not typed (yet): a view over a view typed in a later round, or one that cannot be.
            return Some(Err(Fail::Error(
                format!("relation \"{}\" does not exist", parts.join(".")),
                None,
            )));
        };
        let then = |now: &str| {
            bound
                .columns
                .iter()
                .find(|(_, n)| n == now)
                .map(|(t, _)| t.clone())
        };
        let cols = if bound.complete {
            bound
                .columns
                .iter()
                .filter_map(|(then, now)| {
                    let c = current.iter().find(|c| c.name == *now)?;
                    Some((
                        RelColumn {
                            name: then.clone(),
                            ..c.clone()
                        },
                        now.clone(),
                    ))
                })
                .collect()
        } else {
            current
                .iter()
                .map(|c| {
                    (
                        RelColumn {
                            name: then(&c.name).unwrap_or_else(|| c.name.clone()),
                            ..c.clone()
                        },
                        c.name.clone(),
                    )
                })
                .collect()
        };
        Some(Ok((bound.target.name.clone(), cols)))
    }
}
