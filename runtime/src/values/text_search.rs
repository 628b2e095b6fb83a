//! `tsvector` and `tsquery` in their binary formats (tsvector.c and tsquery.c `*send`/`*recv`):
//! the server sends them binary to every client, so a text newtype could not read them.

use std::error::Error as StdError;

use postgres_types::private::BytesMut;
use postgres_types::{FromSql, IsNull, ToSql, Type, accepts, to_sql_checked};

use super::BoxError;

/// A lexeme position's weight, `A` (highest) to `D` (the default, printed without a letter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Weight {
    A,
    B,
    C,
    #[default]
    D,
}

/// One position of a lexeme: 1 to 16383, and its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LexemePosition {
    pub position: u16,
    pub weight: Weight,
}

/// A lexeme of a `tsvector` and its positions (none when stripped), in increasing order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lexeme {
    pub word: String,
    pub positions: Vec<LexemePosition>,
}

/// A `tsvector`. The server stores lexemes in byte order, so a value sent in another order
/// reads back sorted; each lexeme at most once (text input merges duplicates, tsvectorrecv
/// only sorts, so sending one twice is refused here).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TsVector(pub Vec<Lexeme>);

/// The 14 bits of a `WordEntryPos` that hold the position; the top two hold the weight.
const POSITION_MASK: u16 = 0x3fff;

fn encode_position(p: LexemePosition) -> Result<u16, BoxError> {
    if p.position == 0 || p.position > POSITION_MASK {
        return Err(format!("a tsvector position must be 1 to 16383, got {}", p.position).into());
    }
    let weight: u16 = match p.weight {
        Weight::A => 3,
        Weight::B => 2,
        Weight::C => 1,
        Weight::D => 0,
    };
    Ok(weight << 14 | p.position)
}

fn decode_position(raw: u16) -> LexemePosition {
    let weight = match raw >> 14 {
        3 => Weight::A,
        2 => Weight::B,
        1 => Weight::C,
        _ => Weight::D,
    };
    LexemePosition {
        position: raw & POSITION_MASK,
        weight,
    }
}

/// A NUL-terminated string (pq_sendstring), and what follows it.
fn read_cstring(raw: &[u8]) -> Result<(String, &[u8]), BoxError> {
    let end = raw
        .iter()
        .position(|&b| b == 0)
        .ok_or("unterminated string in a text search value")?;
    Ok((
        std::str::from_utf8(&raw[..end])?.to_owned(),
        &raw[end + 1..],
    ))
}

fn write_cstring(text: &str, out: &mut BytesMut) -> Result<(), BoxError> {
    if text.contains('\0') {
        return Err("a text search lexeme cannot contain a NUL character".into());
    }
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(&[0]);
    Ok(())
}

impl<'a> FromSql<'a> for TsVector {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        let (count, mut rest) = super::take::<4>(raw)?;
        let count = usize::try_from(i32::from_be_bytes(count))?;
        // Each lexeme takes at least three bytes: never trust the count for an allocation.
        let mut lexemes = Vec::with_capacity(count.min(rest.len() / 3));
        for _ in 0..count {
            let (word, after) = read_cstring(rest)?;
            let (npos, mut after) = super::take::<2>(after)?;
            let npos = u16::from_be_bytes(npos);
            let mut positions = Vec::with_capacity(usize::from(npos).min(after.len() / 2));
            for _ in 0..npos {
                let (pos, next) = super::take::<2>(after)?;
                positions.push(decode_position(u16::from_be_bytes(pos)));
                after = next;
            }
            lexemes.push(Lexeme { word, positions });
            rest = after;
        }
        if !rest.is_empty() {
            return Err("trailing bytes after a tsvector".into());
        }
        Ok(TsVector(lexemes))
    }

    accepts!(TS_VECTOR);
}

impl ToSql for TsVector {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        let mut words: Vec<&str> = self.0.iter().map(|l| l.word.as_str()).collect();
        words.sort_unstable();
        if let Some(pair) = words.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(format!("lexeme {:?} appears twice in a tsvector", pair[0]).into());
        }
        out.extend_from_slice(&i32::try_from(self.0.len())?.to_be_bytes());
        for lexeme in &self.0 {
            if lexeme.word.is_empty() {
                return Err("a tsvector lexeme cannot be empty".into());
            }
            write_cstring(&lexeme.word, out)?;
            out.extend_from_slice(&u16::try_from(lexeme.positions.len())?.to_be_bytes());
            for &p in &lexeme.positions {
                out.extend_from_slice(&encode_position(p)?.to_be_bytes());
            }
        }
        Ok(IsNull::No)
    }

    accepts!(TS_VECTOR);
    to_sql_checked!();
}

/// One item of a `tsquery` in the server's prefix order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TsQueryItem {
    /// A lexeme to match. `weights` is a bitmap (8 = A, 4 = B, 2 = C, 1 = D; 0 = any) and
    /// `prefix` is `:*`.
    Operand {
        lexeme: String,
        weights: u8,
        prefix: bool,
    },
    /// `!`, followed by its operand.
    Not,
    /// `&`, followed by its *right* operand, then its left one.
    And,
    /// `|`, followed by its right operand, then its left one.
    Or,
    /// `<N>` (`<->` is distance 1), followed by its right operand, then its left one.
    Phrase(u16),
}

/// A `tsquery`: its items in prefix order, exactly as the server stores and sends them
/// (`'a' & 'b'` is `[And, Operand b, Operand a]`). Flat rather than a tree, so that neither
/// decoding nor dropping a deeply nested query recurses. Empty for the empty query, which the
/// server sends but cannot receive in binary (tsqueryrecv finds no operand): sending it fails.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TsQuery(pub Vec<TsQueryItem>);

const QI_VAL: u8 = 1;
const QI_OPR: u8 = 2;
const OP_NOT: u8 = 1;
const OP_AND: u8 = 2;
const OP_OR: u8 = 3;
const OP_PHRASE: u8 = 4;

/// Whether `items` form exactly one expression (or none): each operator needs its operands.
fn well_formed(items: &[TsQueryItem]) -> bool {
    if items.is_empty() {
        return true;
    }
    // Scanning backwards, operands push and operators pop their arity then push one.
    let mut depth: usize = 0;
    for item in items.iter().rev() {
        let arity = match item {
            TsQueryItem::Operand { .. } => 0,
            TsQueryItem::Not => 1,
            _ => 2,
        };
        if depth < arity {
            return false;
        }
        depth = depth - arity + 1;
    }
    depth == 1
}

impl<'a> FromSql<'a> for TsQuery {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        let (count, mut rest) = super::take::<4>(raw)?;
        let count = usize::try_from(u32::from_be_bytes(count))?;
        let mut items = Vec::with_capacity(count.min(rest.len() / 2));
        for _ in 0..count {
            let ([kind], after) = super::take::<1>(rest)?;
            rest = match kind {
                QI_VAL => {
                    let ([weights, prefix], after) = super::take::<2>(after)?;
                    let (lexeme, after) = read_cstring(after)?;
                    items.push(TsQueryItem::Operand {
                        lexeme,
                        weights,
                        prefix: prefix != 0,
                    });
                    after
                }
                QI_OPR => {
                    let ([op], after) = super::take::<1>(after)?;
                    match op {
                        OP_NOT => items.push(TsQueryItem::Not),
                        OP_AND => items.push(TsQueryItem::And),
                        OP_OR => items.push(TsQueryItem::Or),
                        OP_PHRASE => {
                            let (distance, after) = super::take::<2>(after)?;
                            items.push(TsQueryItem::Phrase(u16::from_be_bytes(distance)));
                            rest = after;
                            continue;
                        }
                        _ => return Err(format!("unknown tsquery operator {op}").into()),
                    }
                    after
                }
                _ => return Err(format!("unknown tsquery item type {kind}").into()),
            };
        }
        if !rest.is_empty() {
            return Err("trailing bytes after a tsquery".into());
        }
        if !well_formed(&items) {
            return Err("malformed tsquery: an operator lacks an operand".into());
        }
        Ok(TsQuery(items))
    }

    accepts!(TSQUERY);
}

impl ToSql for TsQuery {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        if self.0.is_empty() {
            return Err(
                "PostgreSQL cannot receive an empty tsquery in binary format (tsqueryrecv: \
                        malformed tsquery: operand not found); send NULL instead"
                    .into(),
            );
        }
        if !well_formed(&self.0) {
            return Err(
                "malformed tsquery: every operator needs its operands, in prefix order and \
                        forming one expression"
                    .into(),
            );
        }
        out.extend_from_slice(&u32::try_from(self.0.len())?.to_be_bytes());
        for item in &self.0 {
            match item {
                TsQueryItem::Operand {
                    lexeme,
                    weights,
                    prefix,
                } => {
                    if *weights > 0xf {
                        return Err("tsquery weights are a 4-bit map (A = 8 ... D = 1)".into());
                    }
                    out.extend_from_slice(&[QI_VAL, *weights, u8::from(*prefix)]);
                    write_cstring(lexeme, out)?;
                }
                TsQueryItem::Not => out.extend_from_slice(&[QI_OPR, OP_NOT]),
                TsQueryItem::And => out.extend_from_slice(&[QI_OPR, OP_AND]),
                TsQueryItem::Or => out.extend_from_slice(&[QI_OPR, OP_OR]),
                TsQueryItem::Phrase(distance) => {
                    out.extend_from_slice(&[QI_OPR, OP_PHRASE]);
                    out.extend_from_slice(&distance.to_be_bytes());
                }
            }
        }
        Ok(IsNull::No)
    }

    accepts!(TSQUERY);
    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operand(lexeme: &str) -> TsQueryItem {
        TsQueryItem::Operand {
            lexeme: lexeme.into(),
            weights: 0,
            prefix: false,
        }
    }

    #[test]
    fn tsvector_round_trips() {
        let v = TsVector(vec![
            Lexeme {
                word: "cat".into(),
                positions: vec![LexemePosition {
                    position: 3,
                    weight: Weight::A,
                }],
            },
            Lexeme {
                word: "fat".into(),
                positions: vec![],
            },
        ]);
        let mut out = BytesMut::new();
        v.to_sql(&Type::TS_VECTOR, &mut out).unwrap();
        assert_eq!(TsVector::from_sql(&Type::TS_VECTOR, &out).unwrap(), v);
        assert!(TsVector::from_sql(&Type::TS_VECTOR, &out[..out.len() - 1]).is_err());
        let twice = TsVector(vec![v.0[1].clone(), v.0[1].clone()]);
        assert!(twice.to_sql(&Type::TS_VECTOR, &mut out).is_err());
    }

    #[test]
    fn tsquery_checks_its_shape() {
        let q = TsQuery(vec![TsQueryItem::And, operand("b"), operand("a")]);
        let mut out = BytesMut::new();
        q.to_sql(&Type::TSQUERY, &mut out).unwrap();
        assert_eq!(TsQuery::from_sql(&Type::TSQUERY, &out).unwrap(), q);
        let lacking = TsQuery(vec![TsQueryItem::And, operand("b")]);
        assert!(lacking.to_sql(&Type::TSQUERY, &mut out).is_err());
        let two = TsQuery(vec![operand("a"), operand("b")]);
        assert!(two.to_sql(&Type::TSQUERY, &mut out).is_err());
        assert!(TsQuery(vec![]).to_sql(&Type::TSQUERY, &mut out).is_err());
        assert_eq!(
            TsQuery::from_sql(&Type::TSQUERY, &[0, 0, 0, 0]).unwrap(),
            TsQuery(vec![])
        );
    }
}
