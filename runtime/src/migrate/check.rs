//! Folder versus history: what is pending, and what is wrong (edited, missing, out of order).

use std::collections::{BTreeMap, HashMap};

use super::history::{HistoryEntry, Progress};
use super::problem::Problem;
use super::source::Prepared;

/// A migration not applied yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub version: u64,
    pub file: String,
    /// False for `-- squill:no-transaction` files.
    pub transactional: bool,
    /// Older than the newest applied migration (only runs with `allow_out_of_order`).
    pub out_of_order: bool,
}

pub(crate) struct Plan<'p, 'm> {
    pub pending: Vec<&'p Prepared<'m>>,
    pub out_of_order: Vec<bool>,
    pub problems: Vec<Problem>,
}

impl Plan<'_, '_> {
    pub fn pending_list(&self) -> Vec<Pending> {
        self.pending
            .iter()
            .zip(&self.out_of_order)
            .map(|(p, &out_of_order)| Pending {
                version: p.migration.version,
                file: p.file().to_string(),
                transactional: p.transactional,
                out_of_order,
            })
            .collect()
    }
}

/// Compares the folder (sorted by version) with the history.
pub(crate) fn compare<'p, 'm>(
    prepared: &'p [Prepared<'m>],
    history: &[HistoryEntry],
    progress: &[Progress],
    allow_out_of_order: bool,
) -> Plan<'p, 'm> {
    let mut problems = Vec::new();
    let by_version: HashMap<u64, &Prepared<'m>> =
        prepared.iter().map(|p| (p.migration.version, p)).collect();
    for entry in history {
        match by_version.get(&entry.version) {
            None => problems.push(Problem::Missing {
                file: entry.file.clone(),
                version: entry.version,
                checksum: entry.checksum.clone(),
            }),
            Some(p) if p.checksum != entry.checksum => problems.push(Problem::Changed {
                file: p.file().to_string(),
                version: entry.version,
                recorded: entry.checksum.clone(),
                current: p.checksum.clone(),
            }),
            Some(_) => {}
        }
    }

    let applied: BTreeMap<u64, &HistoryEntry> = history.iter().map(|e| (e.version, e)).collect();
    let newest = applied.values().next_back();
    let mut pending = Vec::new();
    let mut out_of_order = Vec::new();
    for p in prepared {
        if applied.contains_key(&p.migration.version) {
            continue;
        }
        let older = newest.filter(|newest| p.migration.version < newest.version);
        if let (Some(newest), false) = (older, allow_out_of_order) {
            problems.push(Problem::OutOfOrder {
                file: p.file().to_string(),
                version: p.migration.version,
                newest_applied: newest.file.clone(),
            });
        }
        if let Err(problem) = p.check() {
            problems.push(problem);
        }
        if let Some(partial) = progress
            .iter()
            .find(|r| r.version == p.migration.version && r.committed > 0)
        {
            problems.push(partly_applied(p, partial));
        }
        pending.push(p);
        out_of_order.push(older.is_some());
    }
    Plan {
        pending,
        out_of_order,
        problems,
    }
}

/// The problem for a file that stopped part-way, naming the committed statements when the
/// file is the one that ran.
pub(crate) fn partly_applied(p: &Prepared<'_>, partial: &Progress) -> Problem {
    let committed_lines = if p.checksum == partial.checksum {
        p.statements
            .iter()
            .take(partial.committed)
            .map(|s| {
                let text = &p.runnable[s.span.clone()];
                let skipped = text.len() - text.trim_start().len();
                let line = p.runnable[..s.span.start + skipped].matches('\n').count() + 1;
                let first: String = text
                    .trim()
                    .lines()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(80)
                    .collect();
                format!("line {line}: {first}")
            })
            .collect()
    } else {
        Vec::new()
    };
    Problem::PartlyApplied {
        file: p.file().to_string(),
        version: p.migration.version,
        committed: partial.committed,
        statements: partial.statements,
        committed_lines,
    }
}
