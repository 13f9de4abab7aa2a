//! The systemd notification protocol (`sd_notify`): READY, STOPPING, STATUS and the watchdog
//! keep-alive, over the datagram socket named by `$NOTIFY_SOCKET`. Without that variable
//! (not run by systemd) every call does nothing.

use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::time::Duration;

/// Sends one notification, e.g. `"READY=1"`. Failures are logged, never fatal: the daemon
/// works the same without systemd.
pub fn notify(state: &str) {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    let path = path.to_string_lossy().into_owned();
    let result = (|| -> std::io::Result<()> {
        let socket = UnixDatagram::unbound()?;
        // '@' names a socket in the abstract namespace.
        let addr = match path.strip_prefix('@') {
            Some(name) => SocketAddr::from_abstract_name(name.as_bytes())?,
            None => SocketAddr::from_pathname(&path)?,
        };
        socket.send_to_addr(state.as_bytes(), &addr)?;
        Ok(())
    })();
    if let Err(e) = result {
        tracing::warn!(socket = %path, error = %e, "sd_notify failed");
    }
}

/// The watchdog interval systemd asked for (`WatchdogSec=`), if any and meant for this process.
pub fn watchdog_interval() -> Option<Duration> {
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
    if let Ok(pid) = std::env::var("WATCHDOG_PID") {
        if pid.parse::<u32>().ok()? != std::process::id() {
            return None;
        }
    }
    Some(Duration::from_micros(usec))
}
