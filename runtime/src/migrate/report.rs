//! What `run`, `status` and `repair` return, and how the CLI prints it.

use std::fmt;
use std::time::Duration;

use super::check::Pending;
use super::error::human;
use super::history::HistoryEntry;
use super::problem::Problem;

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Migrations applied by this run, in order.
    pub applied: Vec<Applied>,
    /// Migrations that were already applied before this run.
    pub already_applied: usize,
}

/// One migration applied by a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub version: u64,
    pub file: String,
    pub transactional: bool,
    /// Time spent running the file (the successful attempt).
    pub duration: Duration,
    /// 1, or more when `lock_timeout` made squill try again.
    pub attempts: u32,
}

/// What [`Migrator::down_to`](super::Migrator::down_to) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownReport {
    /// The version reverted to.
    pub to: u64,
    /// Migrations reverted, newest first.
    pub reverted: Vec<Applied>,
    /// Migrations still applied.
    pub still_applied: usize,
}

impl fmt::Display for DownReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.reverted {
            writeln!(f, "reverted {} ({})", r.file, human(r.duration))?;
        }
        write!(
            f,
            "{} migration{} reverted to version {}, {} still applied",
            self.reverted.len(),
            if self.reverted.len() == 1 { "" } else { "s" },
            self.to,
            self.still_applied
        )
    }
}

/// The result of a dry run: what is applied, what would run, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub applied: Vec<HistoryEntry>,
    pub pending: Vec<Pending>,
    /// Anything here makes `run` refuse to start; `squill migrate status` exits non-zero.
    pub problems: Vec<Problem>,
    /// False before the first run on this database (and schema/table).
    pub history_exists: bool,
}

impl Status {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What `repair` changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    /// The recorded checksum (and file name) now match the file.
    Updated {
        version: u64,
        file: String,
        old_checksum: String,
        new_checksum: String,
    },
    /// The file is gone; its history row was removed (and logged).
    Forgotten {
        version: u64,
        file: String,
        old_checksum: String,
    },
    /// The history already matched the file.
    Unchanged { version: u64, file: String },
    /// A partly applied no-transaction file's record was cleared (and logged): the next run
    /// applies the whole file.
    PartialCleared {
        version: u64,
        file: String,
        committed: usize,
    },
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let newest = self.applied.last();
        match newest {
            Some(newest) => writeln!(
                f,
                "{} applied, the newest {} on {} by {}",
                self.applied.len(),
                newest.file,
                newest.applied_at.format("%Y-%m-%d %H:%M:%S UTC"),
                newest.applied_by
            )?,
            None if self.history_exists => writeln!(f, "nothing applied yet")?,
            None => writeln!(f, "nothing applied yet (no history table)")?,
        }
        if self.pending.is_empty() {
            writeln!(f, "no pending migrations")?;
        } else {
            writeln!(f, "{} pending:", self.pending.len())?;
            for p in &self.pending {
                let mode = if p.transactional {
                    "in a transaction"
                } else {
                    "without a transaction"
                };
                let order = if p.out_of_order { ", out of order" } else { "" };
                writeln!(f, "  {} ({mode}{order})", p.file)?;
            }
        }
        for problem in &self.problems {
            writeln!(f, "\n{problem}")?;
        }
        if !self.problems.is_empty() {
            write!(
                f,
                "\nerror: {} problem{}; `squill migrate` would refuse to run",
                self.problems.len(),
                if self.problems.len() == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for a in &self.applied {
            let retried = if a.attempts > 1 {
                format!(", {} attempts", a.attempts)
            } else {
                String::new()
            };
            writeln!(f, "applied {} ({}{retried})", a.file, human(a.duration))?;
        }
        write!(
            f,
            "{} migration{} applied, {} already applied",
            self.applied.len(),
            if self.applied.len() == 1 { "" } else { "s" },
            self.already_applied
        )
    }
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repair::Updated {
                file,
                old_checksum,
                new_checksum,
                ..
            } => write!(
                f,
                "repaired {file}: recorded checksum {old_checksum} -> {new_checksum} (logged)"
            ),
            Repair::Forgotten {
                file, old_checksum, ..
            } => write!(
                f,
                "forgot {file} (checksum {old_checksum}): it is no longer recorded as applied \
                 (logged)"
            ),
            Repair::PartialCleared {
                file, committed, ..
            } => write!(
                f,
                "cleared the record of {file} as partly applied ({committed} statement(s) \
                 committed; logged): `squill migrate` runs the whole file again"
            ),
            Repair::Unchanged { file, .. } => {
                write!(
                    f,
                    "{file}: the history already matches the file; nothing to do"
                )
            }
        }
    }
}
