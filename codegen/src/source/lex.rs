//! SQL tokens as PostgreSQL's lexer sees them: just enough to tell code from strings, quoted
//! identifiers, dollar-quoted bodies and comments. It never fails: anything unterminated runs to
//! the end of the text and is marked so (query files report it as PostgreSQL's lexer does).
//!
//! Every delimiter is ASCII and every byte >= 0x80 belongs to an identifier (as in PostgreSQL),
//! so token boundaries always fall on UTF-8 character boundaries.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// A keyword or an unquoted identifier (`select`, `users`, `a$b`).
    Ident,
    /// `"Name"` or `U&"..."`.
    QuotedIdent,
    /// `'...'`, `E'...'`, `U&'...'`, `B'...'`, `X'...'`, `N'...'`.
    String,
    /// `$$...$$` or `$tag$...$tag$`.
    DollarString,
    Number,
    /// A positional parameter: `$1`.
    Param,
    /// A run of operator characters: `=`, `<>`, `@>`, `@`.
    Operator,
    /// `(` `)` `[` `]` `,` `;` `.` `:` `::`
    Punct,
    LineComment,
    BlockComment,
    /// Anything PostgreSQL would reject: a stray `$`, `\`, control characters.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub span: Range<usize>,
    /// A string, quoted identifier, dollar quote or block comment the text ends inside.
    pub unterminated: bool,
}

impl Token {
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.span.clone()]
    }

    /// PostgreSQL's message for an unterminated token (scan.l), if this is one.
    pub fn unterminated_message(&self, src: &str) -> Option<&'static str> {
        if !self.unterminated {
            return None;
        }
        Some(match self.kind {
            TokenKind::BlockComment => "unterminated /* comment",
            TokenKind::QuotedIdent => "unterminated quoted identifier",
            TokenKind::DollarString => "unterminated dollar-quoted string",
            _ => match self.text(src).as_bytes().first() {
                Some(b'b' | b'B') => "unterminated bit string literal",
                Some(b'x' | b'X') => "unterminated hexadecimal string literal",
                _ => "unterminated quoted string",
            },
        })
    }

    pub fn is_comment(&self) -> bool {
        matches!(self.kind, TokenKind::LineComment | TokenKind::BlockComment)
    }

    pub fn is_punct(&self, src: &str, punct: &str) -> bool {
        self.kind == TokenKind::Punct && self.text(src) == punct
    }

    /// An unquoted identifier or keyword equal to `word`, ignoring ASCII case.
    pub fn is_word(&self, src: &str, word: &str) -> bool {
        self.kind == TokenKind::Ident && self.text(src).eq_ignore_ascii_case(word)
    }
}

/// All tokens of `text`, comments included, whitespace left out.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut lexer = Lexer {
        src: text,
        b: text.as_bytes(),
        pos: 0,
        open: false,
    };
    // A byte order mark some editors write is not SQL; treat it as whitespace.
    if text.starts_with('\u{feff}') {
        lexer.pos = '\u{feff}'.len_utf8();
    }
    let mut tokens = Vec::new();
    while let Some(token) = lexer.next_token() {
        tokens.push(token);
    }
    tokens
}

/// PostgreSQL's whitespace: space, tab, newline, carriage return, form feed, vertical tab.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

pub(crate) fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

pub(crate) fn is_ident_cont(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit() || b == b'$'
}

pub(crate) fn is_op_char(b: u8) -> bool {
    matches!(
        b,
        b'~' | b'!'
            | b'@'
            | b'#'
            | b'^'
            | b'&'
            | b'|'
            | b'`'
            | b'?'
            | b'+'
            | b'-'
            | b'*'
            | b'/'
            | b'%'
            | b'<'
            | b'>'
            | b'='
    )
}

struct Lexer<'a> {
    /// The last token reached the end of the text unterminated.
    open: bool,
    src: &'a str,
    b: &'a [u8],
    pos: usize,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.b.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn next_token(&mut self) -> Option<Token> {
        while self.pos < self.b.len() && is_space(self.b[self.pos]) {
            self.pos += 1;
        }
        if self.pos >= self.b.len() {
            return None;
        }
        let start = self.pos;
        let kind = match (self.peek(0), self.peek(1), self.peek(2)) {
            (b'-', b'-', _) => self.line_comment(),
            (b'/', b'*', _) => self.block_comment(),
            (b'\'', ..) => self.quoted(b'\'', false),
            (b'"', ..) => self.quoted(b'"', false),
            (b'e' | b'E', b'\'', _) => {
                self.pos += 1;
                self.quoted(b'\'', true)
            }
            (b'u' | b'U', b'&', q @ (b'\'' | b'"')) => {
                self.pos += 2;
                self.quoted(q, false)
            }
            (b'b' | b'B' | b'x' | b'X' | b'n' | b'N', b'\'', _) => {
                self.pos += 1;
                self.quoted(b'\'', false)
            }
            (b'$', ..) => self.dollar(),
            (c, ..) if is_ident_start(c) => {
                self.eat_while(is_ident_cont);
                TokenKind::Ident
            }
            (b'0'..=b'9', ..) | (b'.', b'0'..=b'9', _) => self.number(),
            (b'(' | b')' | b'[' | b']' | b',' | b';' | b'.', ..) => {
                self.pos += 1;
                TokenKind::Punct
            }
            (b':', next, _) => {
                self.pos += if next == b':' { 2 } else { 1 };
                TokenKind::Punct
            }
            (c, ..) if is_op_char(c) => self.operator(),
            _ => {
                self.pos += 1;
                TokenKind::Other
            }
        };
        Some(Token {
            kind,
            span: start..self.pos,
            unterminated: std::mem::take(&mut self.open),
        })
    }

    fn eat_while(&mut self, pred: impl Fn(u8) -> bool) {
        while self.pos < self.b.len() && pred(self.b[self.pos]) {
            self.pos += 1;
        }
    }

    fn line_comment(&mut self) -> TokenKind {
        self.eat_while(|b| b != b'\n' && b != b'\r');
        TokenKind::LineComment
    }

    /// Block comments nest in PostgreSQL: `/* a /* b */ still comment */`.
    fn block_comment(&mut self) -> TokenKind {
        self.pos += 2;
        let mut depth = 1usize;
        while self.pos < self.b.len() {
            match (self.peek(0), self.peek(1)) {
                (b'/', b'*') => {
                    depth += 1;
                    self.pos += 2;
                }
                (b'*', b'/') => {
                    self.pos += 2;
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => self.pos += 1,
            }
        }
        self.open = depth > 0;
        TokenKind::BlockComment
    }

    /// A string or quoted identifier starting at the opening `quote`; a doubled quote is an
    /// escaped one, and in `E'...'` strings so is a backslash-escaped one.
    fn quoted(&mut self, quote: u8, backslash_escapes: bool) -> TokenKind {
        self.pos += 1;
        self.open = true;
        while self.pos < self.b.len() {
            let b = self.b[self.pos];
            if backslash_escapes && b == b'\\' {
                // Skipping one byte of a multi-byte character is harmless: only ASCII bytes
                // are ever compared, and the token still ends on an ASCII quote or at the end.
                self.pos = (self.pos + 2).min(self.b.len());
            } else if b == quote && self.peek(1) == quote {
                self.pos += 2;
            } else if b == quote {
                self.pos += 1;
                self.open = false;
                break;
            } else {
                self.pos += 1;
            }
        }
        if quote == b'"' {
            TokenKind::QuotedIdent
        } else {
            TokenKind::String
        }
    }

    /// `$1` is a parameter, `$$` and `$tag$` open a dollar-quoted string, anything else is junk.
    fn dollar(&mut self) -> TokenKind {
        if self.peek(1).is_ascii_digit() {
            self.pos += 1;
            self.eat_while(|b| b.is_ascii_digit());
            return TokenKind::Param;
        }
        let tag_start = self.pos + 1;
        let mut tag_end = tag_start;
        while tag_end < self.b.len() && is_ident_cont(self.b[tag_end]) && self.b[tag_end] != b'$' {
            tag_end += 1;
        }
        if self.b.get(tag_end) != Some(&b'$') {
            self.pos += 1;
            return TokenKind::Other;
        }
        let delimiter = &self.src[self.pos..=tag_end];
        let body = tag_end + 1;
        self.pos = match self.src[body..].find(delimiter) {
            Some(i) => body + i + delimiter.len(),
            None => {
                self.open = true;
                self.b.len()
            }
        };
        TokenKind::DollarString
    }

    fn number(&mut self) -> TokenKind {
        let digits = |b: u8| b.is_ascii_digit() || b == b'_';
        self.eat_while(digits);
        // `1..2` is not a fraction (PL/pgSQL ranges), `1.5` and `1.` are.
        if self.peek(0) == b'.' && self.peek(1) != b'.' {
            self.pos += 1;
            self.eat_while(digits);
        }
        let exponent = match (self.peek(0), self.peek(1), self.peek(2)) {
            (b'e' | b'E', b'0'..=b'9', _) => 1,
            (b'e' | b'E', b'+' | b'-', b'0'..=b'9') => 2,
            _ => 0,
        };
        if exponent > 0 {
            self.pos += exponent;
            self.eat_while(digits);
        }
        TokenKind::Number
    }

    /// A run of operator characters, cut before a comment start, with PostgreSQL's rule that a
    /// trailing `+` or `-` is its own operator unless the run has one of ``~!@#^&|`?%``
    /// (so `=-1` is `=` then `-1`).
    fn operator(&mut self) -> TokenKind {
        let start = self.pos;
        while self.pos < self.b.len() && is_op_char(self.b[self.pos]) {
            if self.pos > start
                && matches!((self.peek(0), self.peek(1)), (b'-', b'-') | (b'/', b'*'))
            {
                break;
            }
            self.pos += 1;
        }
        let run = &self.b[start..self.pos];
        let special = run[..run.len() - 1]
            .iter()
            .any(|b| b"~!@#^&|`?%".contains(b));
        if !special {
            while self.pos - start > 1 && matches!(self.b[self.pos - 1], b'+' | b'-') {
                self.pos -= 1;
            }
        }
        TokenKind::Operator
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(text: &str) -> Vec<(TokenKind, &str)> {
        tokenize(text)
            .iter()
            .map(|t| (t.kind, t.text(text)))
            .collect()
    }

    #[test]
    fn strings_and_escapes() {
        use TokenKind::*;
        assert_eq!(lex("'it''s'"), [(String, "'it''s'")]);
        assert_eq!(lex(r"E'it\'s;' x"), [(String, r"E'it\'s;'"), (Ident, "x")]);
        assert_eq!(lex(r"'a\' x"), [(String, r"'a\'"), (Ident, "x")]);
        assert_eq!(
            lex("U&'d\\0061t' U&\"x\"\"y\""),
            [(String, "U&'d\\0061t'"), (QuotedIdent, "U&\"x\"\"y\"")]
        );
        assert_eq!(lex("B'101' X'ff'"), [(String, "B'101'"), (String, "X'ff'")]);
        assert_eq!(lex("\"a\"\"b\""), [(QuotedIdent, "\"a\"\"b\"")]);
        assert_eq!(lex("note'x'"), [(Ident, "note"), (String, "'x'")]);
    }

    #[test]
    fn dollar_quotes_and_params() {
        use TokenKind::*;
        assert_eq!(lex("$$a;b$$"), [(DollarString, "$$a;b$$")]);
        assert_eq!(
            lex("$fn$ $$ $fn$ x"),
            [(DollarString, "$fn$ $$ $fn$"), (Ident, "x")]
        );
        assert_eq!(lex("$1 $23"), [(Param, "$1"), (Param, "$23")]);
        assert_eq!(lex("a$b$ c"), [(Ident, "a$b$"), (Ident, "c")]);
        assert_eq!(lex("$x y"), [(Other, "$"), (Ident, "x"), (Ident, "y")]);
        assert_eq!(lex("$é$ ; $é$"), [(DollarString, "$é$ ; $é$")]);
    }

    #[test]
    fn comments_nest_and_cut_operators() {
        use TokenKind::*;
        assert_eq!(
            lex("/* a /* b */ c */ d"),
            [(BlockComment, "/* a /* b */ c */"), (Ident, "d")]
        );
        assert_eq!(
            lex("a--b\nc"),
            [(Ident, "a"), (LineComment, "--b"), (Ident, "c")]
        );
        assert_eq!(lex("=--x"), [(Operator, "="), (LineComment, "--x")]);
        assert_eq!(
            lex("@> @@ <@"),
            [(Operator, "@>"), (Operator, "@@"), (Operator, "<@")]
        );
        assert_eq!(
            lex("=-1"),
            [(Operator, "="), (Operator, "-"), (Number, "1")]
        );
        assert_eq!(lex("@-1"), [(Operator, "@-"), (Number, "1")]);
        assert_eq!(lex("x::int"), [(Ident, "x"), (Punct, "::"), (Ident, "int")]);
    }

    #[test]
    fn numbers() {
        use TokenKind::*;
        assert_eq!(
            lex("1.5e-3 .5 1_000"),
            [(Number, "1.5e-3"), (Number, ".5"), (Number, "1_000")]
        );
        assert_eq!(lex("t.a"), [(Ident, "t"), (Punct, "."), (Ident, "a")]);
    }

    #[test]
    fn unterminated_runs_to_the_end() {
        for text in [
            "'abc", "E'abc\\", "\"abc", "$$abc", "$t$abc$t", "/* /* */", "U&'", "E'\\é",
        ] {
            let tokens = tokenize(text);
            assert_eq!(tokens.len(), 1, "{text}");
            assert_eq!(tokens[0].span, 0..text.len(), "{text}");
        }
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        assert_eq!(lex("\u{feff}SELECT"), [(TokenKind::Ident, "SELECT")]);
    }
}
