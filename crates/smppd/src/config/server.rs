//! `[server]`: the daemon's own files, sockets and timers.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::Checker;
use super::duration::TomlDuration;

/// `[server]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// `state_dir`: where the message store lives; created if missing.
    pub state_dir: PathBuf,
    /// `socket`: the Unix socket local applications submit messages on.
    pub socket: PathBuf,
    /// `metrics`: where Prometheus metrics are served over HTTP; `None` serves none.
    pub metrics: Option<SocketAddr>,
    /// `shutdown_timeout`: on SIGTERM, how long to wait for outstanding responses before
    /// unbinding anyway.
    pub shutdown_timeout: Duration,
    /// `socket_mode`: the socket file's permission bits (an octal string such as `"0660"`).
    pub socket_mode: u32,
    /// `allowed_uids`: when not empty, only peers with one of these user ids may connect.
    pub allowed_uids: Vec<u32>,
    /// `allowed_gids`: when not empty, peers with one of these group ids may connect too.
    pub allowed_gids: Vec<u32>,
    /// `max_line`: the longest request line accepted on the socket, in bytes.
    pub max_line: usize,
    /// `socket_group`: the group the socket file is given (the daemon must be a member of
    /// it, or root); `None` leaves the daemon's own.
    pub socket_group: Option<SocketGroup>,
}

/// `socket_group`: a group by name (looked up when the socket is created) or by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketGroup {
    /// A group name, such as `"smppd-clients"`.
    Name(String),
    /// A numeric group id.
    Gid(u32),
}

impl std::fmt::Display for SocketGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SocketGroup::Name(name) => f.write_str(name),
            SocketGroup::Gid(gid) => write!(f, "gid {gid}"),
        }
    }
}

impl ServerConfig {
    /// Default `state_dir`.
    pub const DEFAULT_STATE_DIR: &str = "/var/lib/smppd";
    /// Default `socket`; also `smppctl`'s default.
    pub const DEFAULT_SOCKET: &str = "/run/smppd/smppd.sock";
    /// Default `shutdown_timeout`.
    pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default `socket_mode`: owner and group may connect.
    pub const DEFAULT_SOCKET_MODE: u32 = 0o660;
    /// Default `max_line`: 64 KiB.
    pub const DEFAULT_MAX_LINE: usize = 64 * 1024;
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            state_dir: Self::DEFAULT_STATE_DIR.into(),
            socket: Self::DEFAULT_SOCKET.into(),
            metrics: None,
            shutdown_timeout: Self::DEFAULT_SHUTDOWN_TIMEOUT,
            socket_mode: Self::DEFAULT_SOCKET_MODE,
            allowed_uids: Vec::new(),
            allowed_gids: Vec::new(),
            max_line: Self::DEFAULT_MAX_LINE,
            socket_group: None,
        }
    }
}

/// A Unix socket path must fit `sockaddr_un.sun_path` (108 bytes on Linux) with its NUL.
const MAX_SOCKET_PATH: usize = 107;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of [server] settings")]
pub(super) struct RawServer {
    state_dir: Option<Spanned<String>>,
    socket: Option<Spanned<String>>,
    metrics: Option<SocketAddr>,
    shutdown_timeout: Option<TomlDuration>,
    socket_mode: Option<Spanned<String>>,
    #[serde(default)]
    allowed_uids: Vec<u32>,
    #[serde(default)]
    allowed_gids: Vec<u32>,
    max_line: Option<Spanned<u64>>,
    socket_group: Option<Spanned<RawGroup>>,
}

/// `socket_group` as written: a name or a number (TOML integer or a string of digits).
#[derive(Debug)]
struct RawGroup(SocketGroup);

impl<'de> Deserialize<'de> for RawGroup {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = RawGroup;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a group name such as \"smppd\" or a numeric gid")
            }
            fn visit_i64<E: serde::de::Error>(self, gid: i64) -> Result<RawGroup, E> {
                u32::try_from(gid)
                    .map(|gid| RawGroup(SocketGroup::Gid(gid)))
                    .map_err(|_| E::custom(format!("{gid} is not a gid (0 to 4294967295)")))
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<RawGroup, E> {
                if let Ok(gid) = name.parse::<u32>() {
                    return Ok(RawGroup(SocketGroup::Gid(gid)));
                }
                let valid = !name.is_empty()
                    && name.len() <= 32
                    && !name.starts_with('-')
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '$'));
                if valid {
                    Ok(RawGroup(SocketGroup::Name(name.to_owned())))
                } else {
                    Err(E::custom(format!(
                        "{name:?} is not a group name (1 to 32 of a-z, 0-9, _, -, .)"
                    )))
                }
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

pub(super) fn validate(raw: RawServer, checker: &mut Checker<'_>) -> ServerConfig {
    let state_dir = match raw.state_dir {
        Some(dir) => {
            if dir.get_ref().is_empty() {
                checker.problem("server.state_dir", dir.span(), "must not be empty");
            }
            checker.resolve(dir.get_ref())
        }
        None => ServerConfig::DEFAULT_STATE_DIR.into(),
    };
    let socket = match raw.socket {
        Some(socket) => {
            let path = checker.resolve(socket.get_ref());
            if socket.get_ref().is_empty() {
                checker.problem("server.socket", socket.span(), "must not be empty");
            } else if path.as_os_str().len() > MAX_SOCKET_PATH {
                let message = format!(
                    "{} is {} bytes long; a Unix socket path may have at most {MAX_SOCKET_PATH}",
                    path.display(),
                    path.as_os_str().len()
                );
                checker.problem("server.socket", socket.span(), message);
            }
            path
        }
        None => ServerConfig::DEFAULT_SOCKET.into(),
    };
    let socket_mode = match &raw.socket_mode {
        Some(mode) => match u32::from_str_radix(mode.get_ref().trim_start_matches("0o"), 8) {
            Ok(bits) if bits <= 0o777 => bits,
            _ => {
                let message = format!(
                    "{:?} is not a permission mode; write it in octal, like \"0660\"",
                    mode.get_ref()
                );
                checker.problem("server.socket_mode", mode.span(), message);
                ServerConfig::DEFAULT_SOCKET_MODE
            }
        },
        None => ServerConfig::DEFAULT_SOCKET_MODE,
    };
    let open_to_all = raw.allowed_uids.is_empty() && raw.allowed_gids.is_empty();
    if let Some(mode) = raw
        .socket_mode
        .as_ref()
        .filter(|_| socket_mode & 0o002 != 0)
    {
        if open_to_all {
            checker.warn(
                "server.socket_mode",
                mode.span(),
                format_args!(
                    "{socket_mode:04o} lets every local user submit messages; \
                     drop the last digit to 0 or set allowed_uids / allowed_gids"
                ),
            );
        }
    }
    let max_line = match raw.max_line {
        Some(n) if (256..=16 * 1024 * 1024).contains(n.get_ref()) => *n.get_ref() as usize,
        Some(n) => {
            checker.problem(
                "server.max_line",
                n.span(),
                "must be between 256 and 16777216 bytes",
            );
            ServerConfig::DEFAULT_MAX_LINE
        }
        None => ServerConfig::DEFAULT_MAX_LINE,
    };
    ServerConfig {
        state_dir,
        socket,
        socket_mode,
        allowed_uids: raw.allowed_uids,
        allowed_gids: raw.allowed_gids,
        max_line,
        socket_group: raw.socket_group.map(|group| group.into_inner().0),
        metrics: raw.metrics,
        shutdown_timeout: raw
            .shutdown_timeout
            .map_or(ServerConfig::DEFAULT_SHUTDOWN_TIMEOUT, |d| d.0),
    }
}
