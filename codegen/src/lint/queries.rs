//! The identifiers the project's query files use, so a rename can be checked against them.

use sqlparser::tokenizer::Token;

use super::catalog::normalize;
use super::statement::Statement;
use crate::diagnostic::SourceFile;
use crate::source::parse_query_file;

/// Every query statement, as the identifiers it contains.
#[derive(Debug, Default)]
pub(crate) struct QueryIndex {
    files: Vec<SourceFile>,
    queries: Vec<Query>,
}

#[derive(Debug)]
struct Query {
    file: usize,
    /// From the `-- name: GetUser :one` annotation.
    name: String,
    /// Normalised identifiers (unquoted lowercased) with their file offsets.
    words: Vec<(String, usize)>,
}

/// Where a query uses a name.
#[derive(Debug)]
pub(crate) struct Use {
    pub query_name: String,
    /// `file:line:col`
    pub location: String,
}

impl QueryIndex {
    pub fn build(files: &[SourceFile]) -> Self {
        let mut queries = Vec::new();
        for (n, file) in files.iter().enumerate() {
            // Queries with errors are left out: they get their own diagnostics from the build.
            for query in parse_query_file(file).0 {
                let Some(stmt) = Statement::read(&file.text, query.span, false) else {
                    continue;
                };
                let words = stmt
                    .tokens
                    .iter()
                    .filter_map(|t| match &t.token {
                        Token::Word(w) => {
                            Some((normalize(&w.value, w.quote_style.is_some()), t.span.start))
                        }
                        _ => None,
                    })
                    .collect();
                queries.push(Query {
                    file: n,
                    name: query.name,
                    words,
                });
            }
        }
        QueryIndex {
            files: files.to_vec(),
            queries,
        }
    }

    /// The first use of `word` in a query that also mentions one of `context` (when given).
    pub fn find(&self, word: &str, context: &[&str]) -> Option<Use> {
        self.queries.iter().find_map(|q| {
            let in_context =
                context.is_empty() || q.words.iter().any(|(w, _)| context.contains(&w.as_str()));
            let (_, at) = q
                .words
                .iter()
                .find(|(w, _)| w == word)
                .filter(|_| in_context)?;
            let file = &self.files[q.file];
            let (line, col) = file.line_col(*at);
            Some(Use {
                query_name: q.name.clone(),
                location: format!("{}:{line}:{col}", file.name),
            })
        })
    }
}
