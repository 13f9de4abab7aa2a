//! The simulator's one error type.

use std::io;
use std::net::SocketAddr;

/// What went wrong starting the simulator or injecting traffic.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The listening socket could not be set up.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// No receiver or transceiver session is bound (for this `system_id`, when one was named).
    #[error("no receiver or transceiver session is bound{}", for_system_id(.system_id))]
    NoReceiver {
        /// The `system_id` the message was meant for, if any.
        system_id: Option<String>,
    },
    /// The session closed before every `deliver_sm_resp` arrived.
    #[error("the session closed before every deliver_sm_resp arrived")]
    SessionClosed,
    /// The MO message cannot be split as asked.
    #[error("MO message: {0}")]
    InvalidMo(String),
    /// A PDU the simulator built could not be encoded.
    #[error("cannot encode: {0}")]
    Codec(#[from] smppd_codec::Error),
    /// The simulator has been shut down.
    #[error("the simulator is shut down")]
    ShutDown,
    /// Waiting for Ctrl-C failed (`run` only).
    #[error("cannot wait for Ctrl-C: {0}")]
    Signal(#[source] io::Error),
}

fn for_system_id(system_id: &Option<String>) -> String {
    match system_id {
        Some(id) => format!(" for system_id {id:?}"),
        None => String::new(),
    }
}
