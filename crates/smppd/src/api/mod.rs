//! The local submission socket: a Unix stream socket on which local applications submit
//! messages, ask what became of them, follow delivery receipts and inbound messages, read a
//! number's history and manage opt-outs, in newline-delimited JSON (`docs/socket-protocol.md`).
//!
//! [`protocol`] is the wire format and every check a request can fail, without IO; [`server`]
//! is the tokio side (binding, peer credentials, line framing, one task per request, one
//! writer per connection); [`Handler`] is what the rest of the daemon provides to carry the
//! requests out. Storing, routing and sending are the handler's business, not this module's.

pub mod access;
pub mod handler;
pub mod protocol;
pub mod server;

#[cfg(test)]
pub(crate) mod tests;

pub use access::Access;
pub use handler::{Handler, Peer};
pub use protocol::{
    ApiError, Direction, DlrEvent, ErrorCode, Event, EventKinds, HistoryEntry, HistoryReply,
    MessageState, MoEvent, OptOutEntry, OptOutOp, OptOutReply, Request, SegmentStatus, StatusReply,
    SubmitReply, SubmitRequest, Timestamp,
};
pub use server::{BindError, Listener, SocketOptions, serve};
