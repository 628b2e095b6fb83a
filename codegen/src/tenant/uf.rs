//! Equivalence classes of the values one query level compares: column references, parameters
//! and values known to be one tenant's. A class is *anchored* when every value in it, in every
//! row the level produces, is the tenant the query is scoped to (or NULL: a NULL-extended row
//! of an outer join reads no row of its table).

use std::collections::HashMap;

use super::Anchor;

#[derive(Debug, Default, Clone)]
pub(super) struct Classes {
    parent: Vec<usize>,
    anchor: Vec<Option<Anchor>>,
    columns: HashMap<(usize, String), usize>,
    /// `from → to`: `to` is anchored when `from` is (an outer join's ON clause restricts the
    /// nullable side only).
    directed: Vec<(usize, usize)>,
}

impl Classes {
    pub(super) fn fresh(&mut self, anchor: Option<Anchor>) -> usize {
        self.parent.push(self.parent.len());
        self.anchor.push(anchor);
        self.parent.len() - 1
    }

    /// The node of column `column` of FROM item `item`.
    pub(super) fn column(&mut self, item: usize, column: &str) -> usize {
        if let Some(&id) = self.columns.get(&(item, column.to_string())) {
            return id;
        }
        let id = self.fresh(None);
        self.columns.insert((item, column.to_string()), id);
        id
    }

    /// The node of a column, if anything referred to it.
    pub(super) fn existing(&self, item: usize, column: &str) -> Option<usize> {
        self.columns.get(&(item, column.to_string())).copied()
    }

    pub(super) fn find(&self, mut id: usize) -> usize {
        // Bounded: every step moves to a node created earlier.
        while self.parent[id] != id {
            id = self.parent[id];
        }
        id
    }

    pub(super) fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        let (keep, gone) = if a < b { (a, b) } else { (b, a) };
        self.parent[gone] = keep;
        let merged = merge(self.anchor[keep].take(), self.anchor[gone].take());
        self.anchor[keep] = merged;
    }

    pub(super) fn direct(&mut self, from: usize, to: usize) {
        self.directed.push((from, to));
    }

    pub(super) fn anchor_node(&mut self, id: usize, anchor: Anchor) {
        let root = self.find(id);
        let merged = merge(self.anchor[root].take(), Some(anchor));
        self.anchor[root] = merged;
    }

    /// Follows the directed edges until nothing changes (each pass anchors at least one more
    /// class, so at most one pass per class).
    pub(super) fn settle(&mut self) {
        loop {
            let mut changed = false;
            for i in 0..self.directed.len() {
                let (from, to) = self.directed[i];
                let (from, to) = (self.find(from), self.find(to));
                if self.anchor[to].is_none()
                    && let Some(a) = self.anchor[from].clone()
                {
                    self.anchor[to] = Some(a);
                    changed = true;
                }
            }
            if !changed {
                return;
            }
        }
    }

    pub(super) fn anchor(&self, id: usize) -> Option<&Anchor> {
        self.anchor[self.find(id)].as_ref()
    }

    pub(super) fn same(&self, a: usize, b: usize) -> bool {
        self.find(a) == self.find(b)
    }
}

/// Two anchors of one class: a parameter wins over a policy (it names the tenant in the API),
/// the first parameter over later ones.
fn merge(a: Option<Anchor>, b: Option<Anchor>) -> Option<Anchor> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
