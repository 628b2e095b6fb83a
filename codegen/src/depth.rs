//! How deep a statement's syntax tree can be, read from its tokens before anything parses it.
//!
//! sqlparser builds a flat chain (`1+1+…`, `a AND b AND …`, `… UNION …`) as a left-deep tree
//! one level per operator, and everything that walks or drops the tree recurses once per level.
//! This bound is computed in one loop over the tokens, so a statement whose tree could be deeper
//! than [`LIMIT`] is reported (`expression too deeply nested`) instead of overflowing the stack.
//!
//! The bound never underestimates: every operator token of an expression counts as a level, and
//! so does every parenthesis, bracket and `CASE`. It resets where a new expression starts at the
//! same nesting (a comma, a clause keyword, `WHEN`/`THEN`/`ELSE`); set operations never reset.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Span, Token, Tokenizer};

/// The deepest tree analysis accepts. Real queries stay far below it; its cost on the stack is
/// paid by the callers' guard (`guarded`).
pub const LIMIT: usize = 1_000;

/// The diagnostic's text.
pub const MESSAGE: &str = "expression too deeply nested";
pub const HELP: &str = "split the expression (a CTE, a helper function, or an array and `= ANY`) \
                        so no chain of operators or nesting is longer than 1000 levels";

/// Stack a deep-but-accepted statement may need, debug builds included.
const STACK: usize = 256 << 20;
/// With less than this much stack left (a 2 MiB test thread, an 8 MiB main thread), `guarded`
/// switches to a fresh segment of `STACK` (reserved, touched only as used).
const RED_ZONE: usize = 64 << 20;

/// Runs `f` with enough stack for any statement [`check`] accepts, whatever thread calls it.
pub fn guarded<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, STACK, f)
}

#[derive(Default)]
struct Level {
    /// The depth this level starts at (its ancestors' operators and nesting).
    base: usize,
    /// Operators of the current expression at this level.
    ops: usize,
    /// The deepest nested level of the current expression (plus one).
    inner: usize,
    /// Set operations at this level (`UNION`, …): they chain across clauses.
    sets: usize,
    /// The deepest expression finished at this level.
    done: usize,
    /// Opened by `CASE`: closed by `END`.
    case: bool,
}

impl Level {
    fn current(&self) -> usize {
        self.base + self.sets + self.ops + self.inner
    }

    fn finish_item(&mut self) {
        self.done = self.done.max(self.ops + self.inner);
        self.ops = 0;
        self.inner = 0;
    }

    fn depth(&mut self) -> usize {
        self.finish_item();
        self.done + self.sets
    }
}

/// `Err(span)` of the token where the tree would pass [`LIMIT`]; `Ok` otherwise, and when the
/// SQL does not tokenize (the parser reports that).
pub fn check(sql: &str) -> Result<(), Span> {
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize_with_location() else {
        return Ok(());
    };
    let mut stack = vec![Level::default()];
    for t in &tokens {
        let top = stack.last_mut().expect("the root level stays");
        match &t.token {
            Token::LParen | Token::LBracket => open(&mut stack, false),
            Token::Word(w) if w.quote_style.is_none() && w.keyword == Keyword::CASE => {
                open(&mut stack, true)
            }
            Token::RParen | Token::RBracket => close(&mut stack, false),
            Token::Word(w) if w.quote_style.is_none() && w.keyword == Keyword::END && top.case => {
                close(&mut stack, true)
            }
            Token::Comma => top.finish_item(),
            Token::Word(w) if w.quote_style.is_none() => match w.keyword {
                Keyword::UNION | Keyword::INTERSECT | Keyword::EXCEPT => {
                    top.finish_item();
                    top.sets += 1;
                }
                Keyword::AND
                | Keyword::OR
                | Keyword::NOT
                | Keyword::IS
                | Keyword::NOTNULL
                | Keyword::LIKE
                | Keyword::ILIKE
                | Keyword::SIMILAR
                | Keyword::BETWEEN
                | Keyword::IN
                | Keyword::COLLATE
                | Keyword::AT
                | Keyword::OVERLAPS
                | Keyword::ESCAPE
                | Keyword::ANY
                | Keyword::ALL
                | Keyword::SOME
                | Keyword::EXISTS
                | Keyword::ARRAY
                | Keyword::OPERATOR => top.ops += 1,
                Keyword::SELECT
                | Keyword::FROM
                | Keyword::WHERE
                | Keyword::GROUP
                | Keyword::HAVING
                | Keyword::WINDOW
                | Keyword::ORDER
                | Keyword::LIMIT
                | Keyword::OFFSET
                | Keyword::FETCH
                | Keyword::RETURNING
                | Keyword::SET
                | Keyword::VALUES
                | Keyword::ON
                | Keyword::USING
                | Keyword::JOIN
                | Keyword::WHEN
                | Keyword::THEN
                | Keyword::ELSE => top.finish_item(),
                _ => {}
            },
            Token::Word(_)
            | Token::Number(..)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::EscapedStringLiteral(_)
            | Token::NationalStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::HexStringLiteral(_)
            | Token::SingleQuotedByteStringLiteral(_)
            | Token::DollarQuotedString(_)
            | Token::Placeholder(_)
            | Token::Whitespace(_)
            | Token::SemiColon
            | Token::EOF => {}
            // Any other token is an operator, a cast, a field access or a subscript: a level.
            _ => top.ops += 1,
        }
        if stack.last().is_some_and(|l| l.current() > LIMIT) {
            return Err(t.span);
        }
    }
    Ok(())
}

fn open(stack: &mut Vec<Level>, case: bool) {
    let parent = stack.last().expect("the root level stays");
    let base = parent.current() + 1;
    stack.push(Level {
        base,
        case,
        ..Level::default()
    });
}

/// Closes the innermost level (an unbalanced closer is the parser's to report).
fn close(stack: &mut Vec<Level>, case: bool) {
    if stack.len() == 1 || stack.last().is_some_and(|l| l.case != case) {
        return;
    }
    let mut child = stack.pop().expect("checked above");
    let depth = child.depth();
    let parent = stack.last_mut().expect("the root level stays");
    parent.inner = parent.inner.max(depth + 1);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_ok(sql: &str) -> bool {
        check(sql).is_ok()
    }

    #[test]
    fn flat_chains_count_every_operator() {
        let n = LIMIT + 1;
        assert!(!depth_ok(&format!("SELECT {}", vec!["1"; n + 1].join("+"))));
        assert!(!depth_ok(&format!(
            "SELECT 1 WHERE {}",
            vec!["true"; n + 1].join(" AND ")
        )));
        assert!(!depth_ok(&vec!["SELECT 1"; n + 1].join(" UNION ")));
        assert!(depth_ok(&format!(
            "SELECT {}",
            vec!["1"; LIMIT / 2].join("+")
        )));
    }

    #[test]
    fn an_operator_after_a_deep_operand_counts_its_depth() {
        let half = LIMIT / 2 + 1;
        let inner = vec!["1"; half].join("+");
        let outer = vec!["1"; half].join("+");
        assert!(!depth_ok(&format!("SELECT ({inner}) + {outer}")));
    }

    #[test]
    fn nesting_counts_every_level() {
        let n = LIMIT + 1;
        assert!(!depth_ok(&format!(
            "SELECT {}1{}",
            "(".repeat(n),
            ")".repeat(n)
        )));
        assert!(!depth_ok(&format!(
            "SELECT {}1{}",
            "CASE WHEN true THEN ".repeat(n),
            " END".repeat(n)
        )));
        assert!(depth_ok(&format!(
            "SELECT {}1{}",
            "(".repeat(100),
            ")".repeat(100)
        )));
    }

    #[test]
    fn wide_lists_reset_at_each_item() {
        let items = vec!["a + b::int"; 10 * LIMIT].join(", ");
        assert!(depth_ok(&format!("SELECT {items} FROM t")));
        let values = vec!["($1::int, $2::text)"; 10 * LIMIT].join(", ");
        assert!(depth_ok(&format!("INSERT INTO t VALUES {values}")));
    }

    #[test]
    fn unbalanced_closers_do_not_panic() {
        assert!(depth_ok(") ) ] END SELECT 1"));
    }
}
