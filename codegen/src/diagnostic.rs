//! User-facing errors: rustc-style, pointing into the user's file with line, column and caret.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term;

/// A file as the user wrote it: the name to show (relative to the project where possible)
/// and its full text, shared by every diagnostic that points into it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: Arc<str>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// One error (or warning) about a place in a file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    /// What is wrong, in PostgreSQL's terms.
    pub message: String,
    /// Where: the file, and the byte range of the offending token within it.
    pub file: Option<SourceFile>,
    pub span: Range<usize>,
    /// Short text under the caret.
    pub label: String,
    /// Extra context (`= note: ...`).
    pub notes: Vec<String>,
    /// How to fix it (`= help: ...`).
    pub help: Option<String>,
    /// Not PostgreSQL's verdict but squill's limit: valid SQL the offline analyzer cannot type
    /// yet (`analysis = "auto"` asks PostgreSQL about it).
    pub refusal: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            message: message.into(),
            file: None,
            span: 0..0,
            label: String::new(),
            notes: Vec::new(),
            help: None,
            refusal: false,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(message)
        }
    }

    /// Points the diagnostic at `span` (byte offsets) in `file`.
    pub fn at(mut self, file: &SourceFile, span: Range<usize>) -> Self {
        let len = file.text.len();
        let start = floor_char_boundary(&file.text, span.start.min(len));
        let end = floor_char_boundary(&file.text, span.end.clamp(start, len));
        self.file = Some(file.clone());
        self.span = start..end;
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Marks the diagnostic as a refusal (see [`Diagnostic::refusal`]).
    pub fn refused(mut self) -> Self {
        self.refusal = true;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col` of the diagnostic's start, when it points into a file.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?;
        let (line, col) = file.line_col(self.span.start);
        Some(format!("{}:{line}:{col}", file.name))
    }

    /// Renders like rustc: header, `--> file:line:col`, the source line, a caret, notes, help.
    pub fn render(&self) -> String {
        let mut cs = match self.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        }
        .with_message(&self.message);
        let mut notes: Vec<String> = self.notes.iter().map(|n| format!("note: {n}")).collect();
        if let Some(help) = &self.help {
            notes.push(format!("help: {help}"));
        }
        cs = cs.with_notes(notes);
        // ASCII box characters read like rustc's output (`-->`, `|`, `^`) and survive any terminal.
        let config = term::Config {
            chars: term::Chars::ascii(),
            ..term::Config::default()
        };
        match &self.file {
            Some(file) => {
                let files = SimpleFile::new(file.name.as_str(), &*file.text);
                // An empty span still gets a one-character caret, unless it is at the very end.
                let mut span = self.span.clone();
                if span.is_empty() && span.end < file.text.len() {
                    span.end = next_char_boundary(&file.text, span.end);
                }
                cs = cs.with_labels(vec![Label::primary((), span).with_message(&self.label)]);
                term::emit_into_string(&config, &files, &cs).unwrap_or_else(|_| self.plain())
            }
            None => {
                let files = SimpleFile::new("", "");
                term::emit_into_string(&config, &files, &cs).unwrap_or_else(|_| self.plain())
            }
        }
    }

    fn plain(&self) -> String {
        format!(
            "{}: {}\n",
            self.location().unwrap_or_default(),
            self.message
        )
    }
}

/// The byte range of the token starting at `start`: an identifier, a quoted identifier, a
/// parameter, a string literal, or one character, so a caret underlines the whole offending
/// word.
pub fn token_span(text: &str, start: usize) -> Range<usize> {
    let start = floor_char_boundary(text, start.min(text.len()));
    let rest = &text[start..];
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let len = match rest.chars().next() {
        Some('"') => rest[1..].find('"').map_or(rest.len(), |i| i + 2),
        // ('' inside is a quote: the literal goes on.)
        Some('\'') => {
            let bytes = rest.as_bytes();
            let mut i = 1;
            loop {
                match bytes.get(i) {
                    None => break rest.len(),
                    Some(b'\'') if bytes.get(i + 1) == Some(&b'\'') => i += 2,
                    Some(b'\'') => break i + 1,
                    Some(_) => i += 1,
                }
            }
        }
        Some(c) if word(c) || c == '@' => rest
            .char_indices()
            .skip(1)
            .find(|(_, c)| !(word(*c) || *c == '.'))
            .map_or(rest.len(), |(i, _)| i),
        Some(c) => c.len_utf8(),
        None => 0,
    };
    start..start + len
}

fn next_char_boundary(text: &str, offset: usize) -> usize {
    let mut end = offset + 1;
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    end.min(text.len())
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// Every diagnostic from one run, rendered in order.
#[derive(Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        for d in &self.0 {
            out.push_str(d.render().trim_end());
            out.push_str("\n\n");
        }
        let errors = self.0.iter().filter(|d| d.is_error()).count();
        if errors > 0 {
            out.push_str(&format!(
                "error: squill found {errors} error{}\n",
                if errors == 1 { "" } else { "s" }
            ));
        }
        out
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for Diagnostics {}

/// The known name closest to `wanted` (edit distance at most a third of its length), for
/// "did you mean" suggestions.
pub fn closest<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = wanted.chars().count().div_ceil(3);
    known
        .into_iter()
        .map(|k| (edit_distance(&wanted.to_lowercase(), &k.to_lowercase()), k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, k)| (*d, *k))
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("q.sql", "SELECT 1;\n-- é\nSELECT x;");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(10), (2, 1));
        let x = f.text.find('x').unwrap();
        assert_eq!(f.line_col(x), (3, 8));
    }

    #[test]
    fn closest_name() {
        assert_eq!(
            closest("emial", ["email", "id", "display_name"]),
            Some("email")
        );
        assert_eq!(closest("zzz", ["email", "id"]), None);
    }

    #[test]
    fn renders_file_line_col_and_caret() {
        let f = SourceFile::new("queries/users.sql", "SELECT id, emial FROM users;\n");
        let d = Diagnostic::error("column \"emial\" does not exist")
            .at(&f, 11..16)
            .label("unknown column")
            .help("did you mean \"email\"?");
        let text = d.render();
        assert!(text.contains("queries/users.sql:1:12"), "{text}");
        assert!(text.contains("^^^^^"), "{text}");
        assert!(text.contains("help: did you mean \"email\"?"), "{text}");
    }
}
