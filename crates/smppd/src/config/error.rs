//! What can go wrong loading a configuration file, each problem with its place in the file.

use std::fmt;
use std::io;
use std::ops::Range;
use std::path::PathBuf;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Why a configuration file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be opened or read, or is not UTF-8.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The configuration file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The file is not valid TOML, has an unknown key or a value of the wrong type, or breaks a
    /// rule of its key. Every problem found is listed, not only the first.
    #[error("{}", Problems { path, problems })]
    Invalid {
        /// The configuration file.
        path: PathBuf,
        /// At least one; in the order they appear in the file.
        problems: Vec<Problem>,
    },
}

impl ConfigError {
    /// The problems found; empty when the file could not be read.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Read { .. } => &[],
            Self::Invalid { problems, .. } => problems,
        }
    }
}

/// One thing wrong with a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The key it concerns, as a path such as `links[1].window` or `server.socket`; `None` for
    /// a TOML syntax error that is not about one key.
    pub key: Option<String>,
    /// Where in the file, when known.
    pub position: Option<Position>,
    /// What is wrong, for a person.
    pub message: String,
}

/// A place in a text file, both counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// Line number.
    pub line: usize,
    /// Column, in characters.
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` of `source`.
    pub(super) fn of(source: &str, offset: usize) -> Self {
        // A span may end past the text (an error at end of file) or inside a character.
        let mut offset = offset.min(source.len());
        while !source.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &source[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Self {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(at) = self.position {
            write!(f, "{}:{}: ", at.line, at.column)?;
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Formats each problem on its own line, prefixed with the file as compilers do, so that editors
/// can jump to it: `config/smppd.toml:12:10: links[0].window: must be at least 1`.
struct Problems<'a> {
    path: &'a PathBuf,
    problems: &'a [Problem],
}

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}:{problem}", self.path.display())?;
        }
        Ok(())
    }
}

impl Problem {
    /// Turns toml's error (bad syntax, unknown key, wrong type, a value serde refused) into a
    /// problem naming the key it is about.
    ///
    /// toml reports a span but not the key path, and its messages for a wrong value ("invalid
    /// type: string, expected u32") do not say which key; the path is recovered by finding the
    /// span in toml's own spanned parse of the same text.
    pub(super) fn from_toml(error: &toml::de::Error, source: &str) -> Self {
        let span = error.span();
        Self {
            key: span.as_ref().and_then(|span| key_at(source, span.start)),
            position: span.map(|span| Position::of(source, span.start)),
            message: error.message().trim_end().to_owned(),
        }
    }
}

/// The path of the innermost key whose name or value contains byte `offset` of `source`.
fn key_at(source: &str, offset: usize) -> Option<String> {
    let table = DeTable::parse(source).ok()?;
    let mut path = String::new();
    find_in_table(table.get_ref(), offset, &mut path).then_some(path)
}

fn find_in_table(table: &DeTable<'_>, offset: usize, path: &mut String) -> bool {
    for (key, value) in table {
        let len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        push_key(path, key.get_ref());
        if contains(&key.span(), offset) || find_in_value(value, offset, path) {
            return true;
        }
        path.truncate(len);
    }
    false
}

fn find_in_value(value: &Spanned<DeValue<'_>>, offset: usize, path: &mut String) -> bool {
    // Look inside first: a `[table]` or `[[array]]` value's span is only its header, and an
    // inline table's span contains its entries' spans.
    let inside = match value.get_ref() {
        DeValue::Table(table) => find_in_table(table, offset, path),
        DeValue::Array(array) => array.iter().enumerate().any(|(i, element)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = find_in_value(element, offset, path);
            if !found {
                path.truncate(len);
            }
            found
        }),
        _ => false,
    };
    inside || contains(&value.span(), offset)
}

fn contains(span: &Range<usize>, offset: usize) -> bool {
    span.contains(&offset) || (span.is_empty() && span.start == offset)
}

/// Appends a key as TOML would write it: bare when it can be, else quoted.
fn push_key(path: &mut String, key: &str) {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        path.push_str(key);
    } else {
        path.push_str(&format!("{key:?}"));
    }
}
