//! Maps byte offsets in a rewritten statement back to the query file, so that an error
//! PostgreSQL reports at a position in the SQL we sent lands on the right place in the file.

use std::ops::Range;

/// The statement's place in the file and every piece of it that was replaced (`@email` →
/// `$2`); text between replacements was copied unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OffsetMap {
    file_span: Range<usize>,
    /// `(range in the SQL, range in the file)`, in order.
    replaced: Vec<(Range<usize>, Range<usize>)>,
}

impl OffsetMap {
    /// A map for SQL copied from `file_span`, before any replacement.
    pub fn new(file_span: Range<usize>) -> Self {
        Self {
            file_span,
            replaced: Vec::new(),
        }
    }

    /// Records that `sql` (appended after every earlier replacement) stands for `file`.
    pub fn replace(&mut self, sql: Range<usize>, file: Range<usize>) {
        self.replaced.push((sql, file));
    }

    /// The file offset of `sql_offset`: copied text maps one to one, an offset anywhere inside a
    /// replacement maps to the start of what it replaced, and anything past the end is clamped
    /// to the end of the statement.
    pub fn file_offset(&self, sql_offset: usize) -> usize {
        let before = self
            .replaced
            .partition_point(|(sql, _)| sql.start <= sql_offset);
        let file = match before.checked_sub(1).map(|i| &self.replaced[i]) {
            None => self.file_span.start.saturating_add(sql_offset),
            Some((sql, file)) if sql_offset < sql.end => file.start,
            Some((sql, file)) => file.end.saturating_add(sql_offset - sql.end),
        };
        file.min(self.file_span.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_copied_text_and_replacements() {
        // File: "xx SELECT @email, 1" with the statement at 3..19; SQL: "SELECT $1, 1".
        let mut map = OffsetMap::new(3..19);
        map.replace(7..9, 10..16);
        assert_eq!(map.file_offset(0), 3);
        assert_eq!(map.file_offset(6), 9);
        assert_eq!(map.file_offset(7), 10);
        assert_eq!(map.file_offset(8), 10);
        assert_eq!(map.file_offset(9), 16);
        assert_eq!(map.file_offset(11), 18);
        assert_eq!(map.file_offset(12), 19);
        assert_eq!(map.file_offset(usize::MAX), 19);
    }
}
