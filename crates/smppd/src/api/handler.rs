//! What the socket needs from the rest of the daemon: the [`Handler`] the message service
//! implements.

use std::future::Future;

use tokio::sync::mpsc;

use super::protocol::{
    ApiError, Event, EventKinds, HistoryReply, OptOutOp, OptOutReply, StatusReply, SubmitReply,
    SubmitRequest,
};

/// Carries out validated requests. The server has already checked every field (numbers,
/// sender, encoding name, durations, times, key length), so a handler only refuses what
/// needs state: `unknown_link`, `no_route`, `opted_out`, `key_conflict`, `text_too_long`,
/// `not_found`, `unavailable`.
///
/// Each request runs in its own task, so a slow one holds up no other. A handler may panic
/// without harm to the connection (the request is answered `unavailable`), but should not.
pub trait Handler: Send + Sync + 'static {
    /// Stores the message and answers once it is durable. A repeated `key` with the same
    /// content answers what the first submission was answered and sends nothing; with other
    /// content it is `key_conflict`.
    fn submit(
        &self,
        request: SubmitRequest,
    ) -> impl Future<Output = Result<SubmitReply, ApiError>> + Send;

    /// The message `id`'s state; `not_found` if there is none.
    fn status(&self, id: &str) -> impl Future<Output = Result<StatusReply, ApiError>> + Send;

    /// The most recent `limit` messages to and from `number` (already checked to be E.164 with
    /// `+` or a short code), oldest first.
    fn history(
        &self,
        number: &str,
        limit: u32,
    ) -> impl Future<Output = Result<HistoryReply, ApiError>> + Send;

    /// A stream of the events of `kinds`: first every stored one after `since` (if given), in
    /// order, then each new one as it happens. The server writes each received event to the
    /// client until the client goes or the daemon stops; dropping the sender ends the
    /// subscription (the client is then told `unavailable` and may resubscribe with `since`,
    /// e.g. when it reads too slowly to keep up).
    fn subscribe(
        &self,
        kinds: EventKinds,
        since: Option<u64>,
    ) -> impl Future<Output = Result<mpsc::Receiver<Event>, ApiError>> + Send;

    /// Lists or changes opt-outs. `peer` is who asked, for the consent audit trail.
    fn opt_out(
        &self,
        op: OptOutOp,
        peer: Peer,
    ) -> impl Future<Output = Result<OptOutReply, ApiError>> + Send;
}

/// The process at the other end of a connection, from the kernel (`SO_PEERCRED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Peer {
    /// Its user id.
    pub uid: u32,
    /// Its primary group id.
    pub gid: u32,
    /// Its process id, when the kernel tells.
    pub pid: Option<i32>,
}
