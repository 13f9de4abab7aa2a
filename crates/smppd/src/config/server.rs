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
}

impl ServerConfig {
    /// Default `state_dir`.
    pub const DEFAULT_STATE_DIR: &str = "/var/lib/smppd";
    /// Default `socket`; also `smppctl`'s default.
    pub const DEFAULT_SOCKET: &str = "/run/smppd/smppd.sock";
    /// Default `shutdown_timeout`.
    pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            state_dir: Self::DEFAULT_STATE_DIR.into(),
            socket: Self::DEFAULT_SOCKET.into(),
            metrics: None,
            shutdown_timeout: Self::DEFAULT_SHUTDOWN_TIMEOUT,
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
    ServerConfig {
        state_dir,
        socket,
        metrics: raw.metrics,
        shutdown_timeout: raw
            .shutdown_timeout
            .map_or(ServerConfig::DEFAULT_SHUTDOWN_TIMEOUT, |d| d.0),
    }
}
