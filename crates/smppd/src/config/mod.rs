//! The TOML configuration read by `smppd run --config FILE` and `smppd check-config --config FILE`.
//!
//! Every key is documented in `config/smppd.toml` and `docs/configuration.md`.
//!
//! Loading has two steps. serde reads the file into `Raw*` structs that refuse unknown keys and
//! keep the span of each value, so toml reports syntax errors, unknown keys and wrongly typed
//! values with their position. Then each section's `validate` turns its raw struct into the typed
//! struct the daemon uses: it applies the defaults, resolves relative paths against the
//! configuration file's directory, reads password files, and checks each rule, collecting every
//! problem (not just the first) with its key path, line and column.
//!
//! To add a section `[foo]`: write `foo.rs` with a `RawFoo` (serde, `deny_unknown_fields`, each
//! field an `Option`, `Spanned` where a rule needs to point at it), a `FooConfig`, and a
//! `validate(raw, &mut Checker) -> FooConfig`; then add one field to `RawConfig` and to
//! [`Config`], and document each key in both files above (a test checks that they mention every
//! key serde accepts).

mod consent;
mod duration;
mod error;
mod link;
mod server;
mod tls;

#[cfg(test)]
mod tests;

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::ops::Range;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

pub use consent::ConsentConfig;
pub use duration::{DurationError, parse_duration};
pub use error::{ConfigError, Position, Problem};
pub use link::{BindType, Concat, DlrPart, LinkConfig, MessageIdFormat, NationalTable, Secret};
pub use server::{ServerConfig, SocketGroup};
pub use tls::{ClientAuth, TlsConfig};

/// Exit status of `smppd check-config` (and of `smppd run`) when the configuration is invalid.
pub const EXIT_INVALID_CONFIG: i32 = 2;

/// A validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `[server]`: the daemon's own files, sockets and timers.
    pub server: ServerConfig,
    /// `[[links]]`: the SMSCs to bind to, in file order, names unique. Empty means that
    /// `smppd run` starts the bundled simulator and binds to it.
    pub links: Vec<LinkConfig>,
    /// `[consent]`: opt-out keywords, automatic replies, retention.
    pub consent: ConsentConfig,
}

/// A configuration together with what was suspicious but not wrong about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// The configuration.
    pub config: Config,
    /// For the operator, one per line, each naming the file and key, e.g. that the file is
    /// readable by every user and holds a password. To be printed on stderr or logged.
    pub warnings: Vec<String>,
}

impl Config {
    /// Reads and validates the configuration file at `path`.
    ///
    /// Relative paths in the file are taken relative to the file's directory.
    pub fn load(path: &Path) -> Result<Loaded, ConfigError> {
        let read_error = |source| ConfigError::Read {
            path: path.to_owned(),
            source,
        };
        let mut file = File::open(path).map_err(read_error)?;
        let mode = file.metadata().map_err(read_error)?.permissions().mode();
        let mut source = String::new();
        file.read_to_string(&mut source).map_err(read_error)?;
        Self::parse_with_mode(&source, path, Some(mode))
    }

    /// Validates `source` as if read from `path`: `path` names the file in messages and its
    /// directory is the base for relative paths.
    pub fn parse(source: &str, path: &Path) -> Result<Loaded, ConfigError> {
        Self::parse_with_mode(source, path, None)
    }

    /// `mode` is the file's permission bits, for the warning about passwords in a file every
    /// user can read.
    fn parse_with_mode(
        source: &str,
        path: &Path,
        mode: Option<u32>,
    ) -> Result<Loaded, ConfigError> {
        let raw: RawConfig = toml::from_str(source).map_err(|error| ConfigError::Invalid {
            path: path.to_owned(),
            problems: vec![Problem::from_toml(&error, source)],
        })?;
        let dir = path.parent().unwrap_or(Path::new(""));
        let mut checker = Checker {
            path,
            dir,
            source,
            problems: Vec::new(),
            warnings: Vec::new(),
            inline_passwords: Vec::new(),
        };
        let config = raw.validate(&mut checker);
        checker.warn_if_world_readable(mode);
        if checker.problems.is_empty() {
            Ok(Loaded {
                config,
                warnings: checker.warnings,
            })
        } else {
            let mut problems = checker.problems;
            problems.sort_by_key(|problem| problem.position);
            Err(ConfigError::Invalid {
                path: path.to_owned(),
                problems,
            })
        }
    }

    /// The link called `name`.
    pub fn link(&self, name: &str) -> Option<&LinkConfig> {
        self.links.iter().find(|link| link.name == name)
    }

    /// The number of binds kept open, over all links.
    pub fn total_sessions(&self) -> u64 {
        self.links.iter().map(|link| u64::from(link.sessions)).sum()
    }
}

/// Loads `path` for `smppd run` and `smppd check-config` alike: writes each warning and error to
/// `err`, one per line, prefixed `warning: ` or `error: `. `None` when the file is invalid; exit
/// with [`EXIT_INVALID_CONFIG`] then. Write errors are ignored: there is nowhere else to report.
pub fn load_and_report(path: &Path, err: &mut dyn Write) -> Option<Config> {
    match Config::load(path) {
        Ok(loaded) => {
            for warning in &loaded.warnings {
                let _ = writeln!(err, "warning: {warning}");
            }
            Some(loaded.config)
        }
        Err(error) => {
            for line in error.to_string().lines() {
                let _ = writeln!(err, "error: {line}");
            }
            None
        }
    }
}

/// `smppd check-config --config FILE`: loads the file, prints its warnings and errors on stderr
/// and a one-line summary on stdout, and returns the exit status: 0 when it is valid (warnings
/// or not), [`EXIT_INVALID_CONFIG`] when it is not.
pub fn check_config(path: &Path) -> i32 {
    check_config_to(path, &mut io::stdout().lock(), &mut io::stderr().lock())
}

/// [`check_config`] writing to the given streams.
pub fn check_config_to(path: &Path, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match load_and_report(path, err) {
        Some(config) => {
            let _ = writeln!(out, "{}: ok: {}", path.display(), Summary(&config));
            0
        }
        None => EXIT_INVALID_CONFIG,
    }
}

/// `2 links (carrier-a: 2 sessions, carrier-b: 1 session), 3 sessions`.
struct Summary<'a>(&'a Config);

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let links = &self.0.links;
        if links.is_empty() {
            return f.write_str(
                "no links; `smppd run` will start the bundled SMSC simulator and bind to it",
            );
        }
        let plural = |n: u64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        write!(f, "{} (", plural(links.len() as u64, "link"))?;
        for (i, link) in links.iter().enumerate() {
            let separator = if i == 0 { "" } else { ", " };
            let sessions = plural(link.sessions.into(), "session");
            write!(f, "{separator}{}: {sessions}", link.name)?;
        }
        write!(f, "), {}", plural(self.0.total_sessions(), "session"))
    }
}

/// The whole file as serde reads it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    server: Option<server::RawServer>,
    consent: Option<consent::RawConsent>,
    #[serde(default)]
    links: Vec<Spanned<link::RawLink>>,
}

impl RawConfig {
    fn validate(self, checker: &mut Checker<'_>) -> Config {
        let server = server::validate(self.server.unwrap_or_default(), checker);
        let consent = consent::validate(self.consent.unwrap_or_default(), checker);
        let links = link::validate_all(self.links, checker);
        if !links.is_empty() && !links.iter().any(|link| link.bind.can_submit()) {
            checker.warnings.push(format!(
                "{}: every link binds as receiver, so no message can be sent",
                checker.path.display()
            ));
        }
        Config {
            server,
            links,
            consent,
        }
    }
}

/// Collects problems and warnings while the sections are validated.
#[derive(Debug)]
struct Checker<'a> {
    /// The configuration file, for messages.
    path: &'a Path,
    /// Its directory: the base of relative paths.
    dir: &'a Path,
    source: &'a str,
    problems: Vec<Problem>,
    warnings: Vec<String>,
    /// The keys of the passwords written in the file itself.
    inline_passwords: Vec<String>,
}

impl Checker<'_> {
    /// Records that the value of `key`, written at `span`, is wrong.
    fn problem(&mut self, key: &str, span: Range<usize>, message: impl fmt::Display) {
        self.problems.push(Problem {
            key: Some(key.to_owned()),
            position: Some(Position::of(self.source, span.start)),
            message: message.to_string(),
        });
    }

    /// Records that the value of `key` is wrong, where no position is known.
    fn problem_unplaced(&mut self, key: &str, message: impl fmt::Display) {
        self.problems.push(Problem {
            key: Some(key.to_owned()),
            position: None,
            message: message.to_string(),
        });
    }

    /// Records something the operator should know about `key`.
    fn warn(&mut self, key: &str, span: Range<usize>, message: impl fmt::Display) {
        let at = Position::of(self.source, span.start);
        let file = self.path.display();
        self.warnings.push(format!(
            "{file}:{}:{}: {key}: {message}",
            at.line, at.column
        ));
    }

    /// A path from the file: relative ones are relative to the file's directory, so that the
    /// meaning of the file does not depend on where the daemon was started.
    fn resolve(&self, path: &str) -> PathBuf {
        self.dir.join(path)
    }

    /// Reads the file `path`, given for `key` at `span`. Reports a problem and returns `None` if
    /// that fails; warns if the file is `secret` and readable by every user.
    fn read_file(
        &mut self,
        key: &str,
        span: Range<usize>,
        path: &Path,
        secret: bool,
    ) -> Option<String> {
        let result = File::open(path).and_then(|mut file| {
            let metadata = file.metadata()?;
            if !metadata.is_file() {
                return Err(io::Error::other("not a regular file"));
            }
            let mut text = String::new();
            file.read_to_string(&mut text)?;
            Ok((metadata.permissions().mode(), text))
        });
        match result {
            Ok((mode, text)) => {
                if secret && mode & 0o004 != 0 {
                    self.warn(
                        key,
                        span,
                        format_args!(
                            "{} is readable by every user (mode {:04o}); `chmod o-r` it",
                            path.display(),
                            mode & 0o7777
                        ),
                    );
                }
                Some(text)
            }
            Err(error) => {
                self.problem(
                    key,
                    span,
                    format_args!("cannot read {}: {error}", path.display()),
                );
                None
            }
        }
    }

    /// Passwords written in the file itself should not be readable by every user.
    fn warn_if_world_readable(&mut self, mode: Option<u32>) {
        let Some(mode) = mode.filter(|mode| mode & 0o004 != 0) else {
            return;
        };
        if !self.inline_passwords.is_empty() {
            self.warnings.push(format!(
                "{}: the file is readable by every user (mode {:04o}) and holds passwords ({}); \
                 `chmod o-r` it or use password_file",
                self.path.display(),
                mode & 0o7777,
                self.inline_passwords.join(", ")
            ));
        }
    }
}
