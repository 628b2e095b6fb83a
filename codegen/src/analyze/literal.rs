//! Untyped string literals coerced to a type are read by that type's input function while
//! PostgreSQL analyses the query (`coerce_type` folds the constant), so an invalid one fails
//! PREPARE. The input functions reproduced here are the ones whose rules are small and exact
//! (int2/4/8, oid, numeric, float4/8, bool, uuid, enum labels, the JSON grammar); for the
//! date/time types only what no spelling can make valid (no digit and no special word) is
//! rejected. Anything else is accepted.

use crate::builtins::oid;

/// PostgreSQL's message if `text` is not valid input for the type `ty`, else `None` (also
/// for a type whose input is not reproduced).
pub fn check_input(text: &str, ty: u32) -> Option<String> {
    let syntax = |name: &str| Some(format!("invalid input syntax for type {name}: \"{text}\""));
    match ty {
        oid::INT2 => integer(text, i16::MIN.into(), i16::MAX.into(), "smallint"),
        oid::INT4 => integer(text, i32::MIN.into(), i32::MAX.into(), "integer"),
        oid::INT8 => integer(text, i64::MIN.into(), i64::MAX.into(), "bigint"),
        oid::NUMERIC => (!numeric(text)).then(|| syntax("numeric")).flatten(),
        oid::FLOAT4 => float(text, "real"),
        oid::FLOAT8 => float(text, "double precision"),
        oid::BOOL => (!boolean(text)).then(|| syntax("boolean")).flatten(),
        oid::UUID => (!uuid(text)).then(|| syntax("uuid")).flatten(),
        oid::DATE => datetime(text, "date").or_else(|| concatenated_date(text)),
        oid::TIMESTAMP => datetime(text, "timestamp").or_else(|| concatenated_date(text)),
        oid::TIMESTAMPTZ => {
            datetime(text, "timestamp with time zone").or_else(|| concatenated_date(text))
        }
        oid::TIME => datetime(text, "time"),
        oid::TIMETZ => datetime(text, "time with time zone"),
        // (PostgreSQL names the bad token in a DETAIL line, not in the message.)
        oid::JSON | oid::JSONB => {
            (!json(text)).then(|| "invalid input syntax for type json".to_string())
        }
        oid::OID => integer(text, i32::MIN.into(), u32::MAX.into(), "oid"),
        oid::INTERVAL => (!text.bytes().any(|b| b.is_ascii_digit()))
            .then(|| syntax("interval"))
            .flatten(),
        _ => None,
    }
}

/// PostgreSQL's message if `text` is not valid input for `ty` (an enum: one of `labels`;
/// `name`: the type as PostgreSQL displays it), with a help showing valid input.
pub fn invalid(
    text: &str,
    ty: u32,
    labels: Option<&[String]>,
    name: &str,
) -> Option<(String, Option<String>)> {
    if let Some(message) = check_input(text, ty) {
        return Some((message, input_help(ty, name)));
    }
    let labels = labels?;
    let message = check_enum(text, labels, name)?;
    let help = match crate::diagnostic::closest(text, labels.iter().map(String::as_str)) {
        Some(near) => format!("did you mean '{near}'?"),
        None => {
            let shown: Vec<String> = labels.iter().take(8).map(|l| format!("'{l}'")).collect();
            let more = if labels.len() > shown.len() {
                ", ..."
            } else {
                ""
            };
            format!("the labels of {name} are {}{more}", shown.join(", "))
        }
    };
    Some((message, Some(help)))
}

/// What valid input for `ty` looks like.
fn input_help(ty: u32, name: &str) -> Option<String> {
    let range = |lo: i128, hi: i128| Some(format!("{name} takes whole numbers from {lo} to {hi}"));
    let like = |example: &str| Some(format!("write {name} input like '{example}'"));
    match ty {
        oid::INT2 => range(i16::MIN.into(), i16::MAX.into()),
        oid::INT4 => range(i32::MIN.into(), i32::MAX.into()),
        oid::INT8 => range(i64::MIN.into(), i64::MAX.into()),
        oid::OID => range(0, u32::MAX.into()),
        oid::NUMERIC | oid::FLOAT4 | oid::FLOAT8 => like("12.5"),
        oid::BOOL => {
            Some("write 'true' or 'false' (or 't', 'f', 'yes', 'no', 'on', 'off', '1', '0')".into())
        }
        oid::UUID => like("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        oid::DATE => like("2024-01-31"),
        oid::TIMESTAMP => like("2024-01-31 12:00:00"),
        oid::TIMESTAMPTZ => like("2024-01-31 12:00:00+00"),
        oid::TIME => like("12:00:00"),
        oid::TIMETZ => like("12:00:00+00"),
        oid::INTERVAL => like("1 day 2 hours"),
        oid::JSON | oid::JSONB => like("{\"key\": 1}"),
        _ => None,
    }
}

/// `enum_in`: the text must be one of the labels, exactly.
pub fn check_enum(text: &str, labels: &[String], name: &str) -> Option<String> {
    (!labels.iter().any(|l| l == text))
        .then(|| format!("invalid input value for enum {name}: \"{text}\""))
}

/// The JSON grammar as PostgreSQL's lexer and parser read it (json.c): RFC 8259 values with
/// surrounding whitespace. (What only jsonb refuses, `\u0000` or a number too large for
/// numeric, is accepted; so is nesting deeper than checked here.)
fn json(text: &str) -> bool {
    let mut p = JsonParser {
        s: text.as_bytes(),
        at: 0,
        deep: false,
    };
    p.space();
    let ok = p.value(0);
    p.space();
    ok && (p.deep || p.at == p.s.len())
}

struct JsonParser<'a> {
    s: &'a [u8],
    at: usize,
    /// Nested deeper than followed here: the rest is taken as valid.
    deep: bool,
}

impl JsonParser<'_> {
    const MAX_DEPTH: usize = 256;

    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.at += 1;
        }
        hit
    }

    fn value(&mut self, depth: usize) -> bool {
        if depth > Self::MAX_DEPTH {
            // Too deep to follow here: taken as valid (PostgreSQL's limit is the stack).
            self.deep = true;
            return true;
        }
        match self.peek() {
            Some(b'{') => self.container(b'}', depth, true),
            Some(b'[') => self.container(b']', depth, false),
            Some(b'"') => self.string(),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.word(b"true"),
            Some(b'f') => self.word(b"false"),
            Some(b'n') => self.word(b"null"),
            _ => false,
        }
    }

    fn container(&mut self, close: u8, depth: usize, object: bool) -> bool {
        self.at += 1;
        self.space();
        if self.eat(close) {
            return true;
        }
        loop {
            if object {
                if !self.string() {
                    return false;
                }
                self.space();
                if !self.eat(b':') {
                    return false;
                }
                self.space();
            }
            if !self.value(depth + 1) {
                return false;
            }
            if self.deep {
                return true;
            }
            self.space();
            if self.eat(close) {
                return true;
            }
            if !self.eat(b',') {
                return false;
            }
            self.space();
        }
    }

    fn string(&mut self) -> bool {
        if !self.eat(b'"') {
            return false;
        }
        while let Some(b) = self.peek() {
            self.at += 1;
            match b {
                b'"' => return true,
                b'\\' => match self.peek() {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.at += 1,
                    Some(b'u') => {
                        let hex = self.s.get(self.at + 1..self.at + 5);
                        if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                            return false;
                        }
                        self.at += 5;
                    }
                    _ => return false,
                },
                0..=0x1f => return false,
                _ => {}
            }
        }
        false
    }

    fn number(&mut self) -> bool {
        self.eat(b'-');
        let digits = |p: &mut Self| {
            let start = p.at;
            while p.peek().is_some_and(|b| b.is_ascii_digit()) {
                p.at += 1;
            }
            p.at > start
        };
        // `0`, or a run of digits not starting with 0.
        let integer_part = self.eat(b'0') || digits(self);
        if !integer_part {
            return false;
        }
        if self.eat(b'.') && !digits(self) {
            return false;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if !digits(self) {
                return false;
            }
        }
        // A number runs to a delimiter (`01`, `1x` are one bad token).
        !self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
    }

    fn word(&mut self, w: &[u8]) -> bool {
        if self.s[self.at..].starts_with(w) {
            self.at += w.len();
            !self
                .peek()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        } else {
            false
        }
    }
}

/// `isspace` as PostgreSQL's input functions skip it.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// `pg_strtoint16/32/64` (PostgreSQL 15: optional sign, decimal digits, surrounding spaces).
fn integer(text: &str, min: i128, max: i128, name: &str) -> Option<String> {
    let t = text.trim_matches(is_space);
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(format!("invalid input syntax for type {name}: \"{text}\""));
    }
    match t.parse::<i128>() {
        Ok(v) if v >= min && v <= max => None,
        _ => Some(format!("value \"{text}\" is out of range for type {name}")),
    }
}

/// `numeric_in`'s syntax: a decimal number with an optional exponent, or NaN / Infinity.
/// (An exponent too large for numeric is another error, not decided here: accepted.)
fn numeric(text: &str) -> bool {
    let t = text.trim_matches(is_space);
    let lower = t.to_ascii_lowercase();
    if lower == "nan" {
        return true;
    }
    let unsigned = lower.strip_prefix(['+', '-']).unwrap_or(&lower);
    if unsigned == "infinity" || unsigned == "inf" {
        return true;
    }
    decimal(unsigned)
}

/// `digits[.digits][e[+-]digits]` or `.digits[...]`, nothing else.
fn decimal(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = all_digits(int)
        && frac.is_none_or(all_digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

/// `float4in`/`float8in`: `strtod`'s decimal syntax or NaN / [+-]Infinity / [+-]inf; a
/// value that overflows the type, or underflows to zero, is out of range (`ERANGE`).
fn float(text: &str, name: &str) -> Option<String> {
    let t = text.trim_matches(is_space);
    let lower = t.to_ascii_lowercase();
    let unsigned = lower.strip_prefix(['+', '-']).unwrap_or(&lower);
    if matches!(unsigned, "nan" | "infinity" | "inf") {
        return None;
    }
    if !decimal(unsigned) {
        return Some(format!("invalid input syntax for type {name}: \"{text}\""));
    }
    let (infinite, zero) = if name == "real" {
        let v: f32 = unsigned.parse().ok()?;
        (v.is_infinite(), v == 0.0)
    } else {
        let v: f64 = unsigned.parse().ok()?;
        (v.is_infinite(), v == 0.0)
    };
    (infinite || (zero && mantissa_nonzero(unsigned)))
        .then(|| format!("\"{text}\" is out of range for type {name}"))
}

/// Whether the mantissa of a decimal spelling has a non-zero digit (so a zero result means
/// underflow).
fn mantissa_nonzero(s: &str) -> bool {
    s.split(['e', 'E'])
        .next()
        .is_some_and(|m| m.bytes().any(|b| (b'1'..=b'9').contains(&b)))
}

/// `parse_bool_with_len`: a case-insensitive prefix of true/false/yes/no (one letter is
/// enough), on/off (two letters at least), 1 or 0, with surrounding spaces.
fn boolean(text: &str) -> bool {
    let t = text.trim_matches(is_space).to_ascii_lowercase();
    let prefix_of = |word: &str, min: usize| t.len() >= min && word.starts_with(t.as_str());
    match t.as_bytes().first() {
        Some(b't') => prefix_of("true", 1),
        Some(b'f') => prefix_of("false", 1),
        Some(b'y') => prefix_of("yes", 1),
        Some(b'n') => prefix_of("no", 1),
        Some(b'o') => prefix_of("on", 2) || prefix_of("off", 2),
        Some(b'1' | b'0') => t.len() == 1,
        _ => false,
    }
}

/// `string_to_uuid`: optional braces around 32 hex digits, a hyphen allowed after any group
/// of four digits but the last; no spaces.
fn uuid(text: &str) -> bool {
    let (braced, mut rest) = match text.strip_prefix('{') {
        Some(r) => (true, r.as_bytes()),
        None => (false, text.as_bytes()),
    };
    for i in 0..16 {
        match rest {
            [a, b, tail @ ..] if a.is_ascii_hexdigit() && b.is_ascii_hexdigit() => rest = tail,
            _ => return false,
        }
        if i % 2 == 1
            && i < 15
            && let [b'-', tail @ ..] = rest
        {
            rest = tail;
        }
    }
    if braced {
        match rest {
            [b'}', tail @ ..] => rest = tail,
            _ => return false,
        }
    }
    rest.is_empty()
}

/// The date/time input functions read a date or time from digits; without any digit only
/// a special word (`now`, `today`, `epoch`, `infinity`, ...) can make the input valid.
fn datetime(text: &str, name: &str) -> Option<String> {
    const SPECIAL: &[&str] = &[
        "epoch",
        "infinity",
        "-infinity",
        "+infinity",
        "now",
        "today",
        "tomorrow",
        "yesterday",
        "allballs",
    ];
    if text.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    let special = lower
        .split(|c: char| c.is_whitespace() || c == ',')
        .any(|w| SPECIAL.contains(&w));
    (!special).then(|| format!("invalid input syntax for type {name}: \"{text}\""))
}

/// A date written as one run of six or more digits (`20240131`): `DecodeNumberField` reads
/// the last two as the day, the two before as the month, the rest as the year, and
/// `ValidateDate` refuses a month outside 1-12 or a day outside 1-31 (the day within its month
/// and the year are not checked here).
fn concatenated_date(text: &str) -> Option<String> {
    let digits = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if digits.len() < 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = digits.len();
    let month: u32 = digits[n - 4..n - 2].parse().ok()?;
    let day: u32 = digits[n - 2..].parse().ok()?;
    (!(1..=12).contains(&month) || !(1..=31).contains(&day))
        .then(|| format!("date/time field value out of range: \"{text}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenated_dates_follow_postgres() {
        for bad in [
            "99999999999",
            "20241301",
            "20240132",
            "241301",
            "1234567",
            "000000",
        ] {
            assert_eq!(
                check_input(bad, oid::DATE),
                Some(format!("date/time field value out of range: \"{bad}\"")),
                "{bad}"
            );
        }
        assert!(check_input(" 20241301 ", oid::TIMESTAMPTZ).is_some());
        for ok in ["20240131", "240131", "2024-13-01x", "12345"] {
            assert_eq!(
                check_input(ok, oid::TIMESTAMP)
                    .filter(|m| m.starts_with("date/time field value out of range")),
                None,
                "{ok}"
            );
        }
    }

    #[test]
    fn inputs_follow_postgres() {
        assert_eq!(check_input(" 12 ", oid::INT4), None);
        assert_eq!(check_input("+12", oid::INT4), None);
        assert!(check_input("1_000", oid::INT4).is_some());
        assert_eq!(
            check_input("99999999999", oid::INT4).as_deref(),
            Some("value \"99999999999\" is out of range for type integer")
        );
        assert_eq!(check_input("99999999999", oid::INT8), None);
        assert_eq!(
            check_input("abc", oid::INT8).as_deref(),
            Some("invalid input syntax for type bigint: \"abc\"")
        );
        for ok in ["1e5", ".5", "5.", " 12 ", "NaN", "-inf", "Infinity"] {
            assert_eq!(check_input(ok, oid::NUMERIC), None, "{ok}");
        }
        assert!(check_input("1e", oid::NUMERIC).is_some());
        assert!(check_input("1e999", oid::FLOAT8).is_some());
        assert!(check_input("1e-400", oid::FLOAT8).is_some());
        assert_eq!(check_input("-inf", oid::FLOAT8), None);
        for ok in ["of", " yes ", "t", "1", "ON"] {
            assert_eq!(check_input(ok, oid::BOOL), None, "{ok}");
        }
        assert!(check_input("o", oid::BOOL).is_some());
        for ok in [
            "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
            "a0eebc999c0b4ef8bb6d6bb9bd380a11",
            "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
        ] {
            assert_eq!(check_input(ok, oid::UUID), None, "{ok}");
        }
        assert!(check_input(" a0eebc999c0b4ef8bb6d6bb9bd380a11", oid::UUID).is_some());
        assert!(check_input("abc", oid::DATE).is_some());
        assert_eq!(check_input("today", oid::TIMESTAMPTZ), None);
        assert_eq!(check_input("2024-01-01", oid::DATE), None);
        assert!(check_input("day", oid::INTERVAL).is_some());
        for ok in [
            r#" {"a": [1, -0.5e+3, true, null, "x\u00e9\n"], "b": {}} "#,
            "[]",
            "0",
            "\"s\"",
        ] {
            assert_eq!(check_input(ok, oid::JSONB), None, "{ok}");
        }
        for bad in [
            "abc",
            "",
            "01",
            "[1,]",
            "{\"a\" 1}",
            "\"\\x\"",
            "1 2",
            "{",
            "tru",
        ] {
            assert_eq!(
                check_input(bad, oid::JSON).as_deref(),
                Some("invalid input syntax for type json"),
                "{bad}"
            );
        }
        assert!(check_input(&"[".repeat(100_000), oid::JSON).is_none());
        assert!(check_input("4294967296", oid::OID).is_some());
        assert_eq!(check_input("-1", oid::OID), None);
    }
}
