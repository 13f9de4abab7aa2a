//! The socket's wire format, without IO: one JSON object per line in each direction.
//!
//! [`parse_line`] turns a request line into its `ref` and either a validated [`Request`] or the
//! [`ApiError`] to answer; [`ok_line`], [`error_line`] and [`event_line`] write answers. Every
//! check a request can fail is here, so that the [`Handler`](super::Handler) gets only values it
//! can act on. The format is documented in `docs/socket-protocol.md`; keep the two in step.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::address::{is_alphanumeric_sender, is_e164, is_short_code};
use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use smppd_text::EncodingChoice;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::parse_duration;

/// The ops a request may name, in the order the documentation lists them.
pub const OPS: [&str; 6] = [
    "submit",
    "status",
    "subscribe",
    "history",
    "opt_out",
    "ping",
];

/// Longest idempotency `key`, in characters.
pub const MAX_KEY_CHARS: usize = 200;

/// `history`'s default `limit`.
pub const DEFAULT_HISTORY_LIMIT: u32 = 50;

/// The largest `history` `limit`: an answer must stay a reasonable line.
pub const MAX_HISTORY_LIMIT: u32 = 1000;

/// The encoding names `encoding` takes, for messages.
const ENCODINGS: &str = "auto, gsm7, gsm7-turkish, gsm7-spanish, gsm7-portuguese, ucs2, latin1, \
                         ascii, binary";

/// The stable error codes. Clients branch on these; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The line is not a JSON object.
    BadJson,
    /// `op` names no operation.
    UnknownOp,
    /// A required field is absent (or `null`).
    MissingField,
    /// A field has the wrong type or value, or is not a field of the op.
    InvalidField,
    /// `to` (or a `number`) is not E.164 with `+` nor a short code.
    InvalidDestination,
    /// `from` is not a number nor an alphanumeric sender.
    InvalidSource,
    /// The text needs more segments than the gateway sends for one message.
    TextTooLong,
    /// `link` names no configured link.
    UnknownLink,
    /// No link routes the destination.
    NoRoute,
    /// The destination opted out, and the submission may not override that.
    OptedOut,
    /// The idempotency `key` was used before with different content.
    KeyConflict,
    /// No message has this `id`.
    NotFound,
    /// The line is longer than `server.max_line`.
    LineTooLong,
    /// The peer's user or group is not allowed on the socket.
    Forbidden,
    /// The link already holds its `max_queue` segments waiting to be sent (the carrier is
    /// down or slower than the submissions); nothing was stored: try again later.
    QueueFull,
    /// The gateway cannot take the request now (store failure, shutting down, a subscription
    /// that ended); try again later.
    Unavailable,
}

impl ErrorCode {
    /// Every code, in the documentation's order.
    pub const ALL: [ErrorCode; 16] = [
        ErrorCode::BadJson,
        ErrorCode::UnknownOp,
        ErrorCode::MissingField,
        ErrorCode::InvalidField,
        ErrorCode::InvalidDestination,
        ErrorCode::InvalidSource,
        ErrorCode::TextTooLong,
        ErrorCode::UnknownLink,
        ErrorCode::NoRoute,
        ErrorCode::OptedOut,
        ErrorCode::KeyConflict,
        ErrorCode::NotFound,
        ErrorCode::LineTooLong,
        ErrorCode::Forbidden,
        ErrorCode::QueueFull,
        ErrorCode::Unavailable,
    ];

    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadJson => "bad_json",
            ErrorCode::UnknownOp => "unknown_op",
            ErrorCode::MissingField => "missing_field",
            ErrorCode::InvalidField => "invalid_field",
            ErrorCode::InvalidDestination => "invalid_destination",
            ErrorCode::InvalidSource => "invalid_source",
            ErrorCode::TextTooLong => "text_too_long",
            ErrorCode::UnknownLink => "unknown_link",
            ErrorCode::NoRoute => "no_route",
            ErrorCode::OptedOut => "opted_out",
            ErrorCode::KeyConflict => "key_conflict",
            ErrorCode::NotFound => "not_found",
            ErrorCode::LineTooLong => "line_too_long",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::QueueFull => "queue_full",
            ErrorCode::Unavailable => "unavailable",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused request: the `error` object of an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    /// What went wrong, for programs.
    pub code: ErrorCode,
    /// What went wrong, for people: names the field and the value.
    pub message: String,
}

impl ApiError {
    /// An error with this code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }

    /// `unavailable`: the gateway cannot serve the request now.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unavailable, message)
    }

    /// `not_found`: no message has this id.
    pub fn not_found(id: &str) -> Self {
        Self::new(
            ErrorCode::NotFound,
            format!("no message has id {}", shown(id)),
        )
    }
}

/// A validated request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `submit`: send a message.
    Submit(SubmitRequest),
    /// `status`: what became of a message.
    Status {
        /// The gateway message id `submit` answered.
        id: String,
    },
    /// `subscribe`: stream events on this connection.
    Subscribe {
        /// Which events.
        kinds: EventKinds,
        /// Replay the stored events after this `event_id` first; `None`: only new ones.
        since: Option<u64>,
    },
    /// `history`: the thread with one number.
    History {
        /// E.164 with `+`, or a short code.
        number: String,
        /// The most recent this many messages.
        limit: u32,
    },
    /// `opt_out`: list or change opt-outs.
    OptOut(OptOutOp),
    /// `ping`: answered at once.
    Ping,
}

/// A validated `submit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitRequest {
    /// Destination: E.164 with `+` (8 to 15 digits), or a short code of 1 to 8 digits.
    pub to: String,
    /// Sender: E.164 with `+`, a short code, or 1 to 11 ASCII letters, digits and spaces with at
    /// least one letter (an alphanumeric sender, sent with TON 5).
    pub from: String,
    /// The text; with [`Encoding::Binary`](smppd_text::Encoding::Binary), the octets in hex (an
    /// even number of hex digits, at least two). Never empty.
    pub text: String,
    /// The link to send on; `None`: the route decides.
    pub link: Option<String>,
    /// The encoding asked for (`auto` by default).
    pub encoding: EncodingChoice,
    /// Ask for a delivery receipt (default true).
    pub dlr: bool,
    /// Idempotency key: 1 to [`MAX_KEY_CHARS`] characters.
    pub key: Option<String>,
    /// How long the message may take to deliver; more than zero.
    pub validity: Option<Duration>,
    /// When to send; a time in the past sends at once.
    pub schedule_at: Option<OffsetDateTime>,
    /// Order or security notice: may go to an opted-out number if the configuration allows.
    pub transactional: bool,
}

impl SubmitRequest {
    /// A request with only the required fields, the others at their defaults.
    pub fn new(to: impl Into<String>, from: impl Into<String>, text: impl Into<String>) -> Self {
        SubmitRequest {
            to: to.into(),
            from: from.into(),
            text: text.into(),
            link: None,
            encoding: EncodingChoice::Auto,
            dlr: true,
            key: None,
            validity: None,
            schedule_at: None,
            transactional: false,
        }
    }

    /// The octets of a `binary` message (its `text` decoded from hex); `None` for text.
    pub fn binary(&self) -> Option<Vec<u8>> {
        match self.encoding {
            EncodingChoice::Forced(smppd_text::Encoding::Binary) => decode_hex(&self.text),
            _ => None,
        }
    }
}

/// Which events a subscription wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventKinds {
    /// Delivery receipts.
    pub dlr: bool,
    /// Inbound messages.
    pub mo: bool,
}

impl EventKinds {
    /// Every kind: the default when `events` is left out.
    pub const ALL: EventKinds = EventKinds {
        dlr: true,
        mo: true,
    };

    /// Whether events of the kind named `kind` (`dlr` or `mo`, as the store names them) are
    /// wanted.
    pub fn wants(self, kind: &str) -> bool {
        match kind {
            "dlr" => self.dlr,
            "mo" => self.mo,
            _ => false,
        }
    }

    /// The names of the wanted kinds.
    pub fn names(self) -> Vec<String> {
        ["dlr", "mo"]
            .into_iter()
            .filter(|kind| self.wants(kind))
            .map(str::to_owned)
            .collect()
    }

    /// Whether `event` is of a wanted kind.
    pub fn includes(self, event: &Event) -> bool {
        match event {
            Event::Dlr(_) => self.dlr,
            Event::Mo(_) => self.mo,
        }
    }
}

/// An `opt_out` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptOutOp {
    /// Record that `number` opted out.
    Add {
        /// E.164 with `+`, or a short code.
        number: String,
    },
    /// Remove `number`'s opt-out.
    Remove {
        /// E.164 with `+`, or a short code.
        number: String,
    },
    /// List opted-out numbers: all of them, or only `number` if given (empty if it has not
    /// opted out).
    List {
        /// Only this number.
        number: Option<String>,
    },
}

/// The answer to `submit`: sent once the message is durably stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitReply {
    /// The gateway message id, for `status` and to match receipts.
    pub id: String,
    /// How many SMS the message is sent as.
    pub segments: u32,
    /// The encoding used: `gsm7`, `gsm7-turkish`, `ucs2`, ... (as `smppd_text::Encoding`
    /// displays it).
    pub encoding: String,
}

/// A message's (or a segment's) state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    /// Stored, waiting for its turn or retrying.
    Queued,
    /// Every segment accepted by the carrier; no final receipt yet.
    Submitted,
    /// Delivered to the handset.
    Delivered,
    /// The carrier could not deliver it.
    Undeliverable,
    /// Its validity ran out at the carrier.
    Expired,
    /// Deleted at the carrier.
    Deleted,
    /// Refused by the carrier, permanently.
    Rejected,
    /// Given up by the gateway: validity ran out, or a permanent local error.
    Failed,
    /// The carrier reports it does not know.
    Unknown,
}

impl MessageState {
    /// Every state.
    pub const ALL: [MessageState; 9] = [
        MessageState::Queued,
        MessageState::Submitted,
        MessageState::Delivered,
        MessageState::Undeliverable,
        MessageState::Expired,
        MessageState::Deleted,
        MessageState::Rejected,
        MessageState::Failed,
        MessageState::Unknown,
    ];

    /// The state's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Queued => "queued",
            MessageState::Submitted => "submitted",
            MessageState::Delivered => "delivered",
            MessageState::Undeliverable => "undeliverable",
            MessageState::Expired => "expired",
            MessageState::Deleted => "deleted",
            MessageState::Rejected => "rejected",
            MessageState::Failed => "failed",
            MessageState::Unknown => "unknown",
        }
    }

    /// Whether nothing more will happen to the message: every state but `queued` and
    /// `submitted`.
    pub fn is_final(self) -> bool {
        !matches!(self, MessageState::Queued | MessageState::Submitted)
    }
}

impl fmt::Display for MessageState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MessageState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| format!("{} is not a message state", shown(s)))
    }
}

/// The answer to `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReply {
    /// The gateway message id.
    pub id: String,
    /// The message's state, from its segments'.
    pub state: MessageState,
    /// Why it failed, if it did (`null` otherwise).
    pub error: Option<String>,
    /// Its segments, `seq` from 1.
    pub segments: Vec<SegmentStatus>,
    /// When it was accepted.
    pub created_at: Timestamp,
    /// When its state last changed.
    pub updated_at: Timestamp,
}

/// One segment in a [`StatusReply`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentStatus {
    /// 1-based position in the message.
    pub seq: u32,
    /// The carrier's id for it, once accepted.
    pub smsc_id: Option<String>,
    /// Its state.
    pub state: MessageState,
    /// Why it failed (the `command_status` or the receipt's `err:`), if it did.
    pub error: Option<String>,
}

/// The answer to `history`: oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryReply {
    /// The most recent `limit` messages to or from the number, oldest first.
    pub messages: Vec<HistoryEntry>,
}

/// One message in a [`HistoryReply`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Sent to the number (`out`) or received from it (`in`).
    pub direction: Direction,
    /// The gateway message id (`out`) or inbound message id (`in`).
    pub id: String,
    /// The text; `null` once purged by `consent.retention_days`.
    pub text: Option<String>,
    /// An outbound message's state; `null` for inbound ones.
    pub state: Option<MessageState>,
    /// When it was accepted (`out`) or received (`in`).
    pub at: Timestamp,
}

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Sent by the gateway.
    Out,
    /// Received by the gateway.
    In,
}

/// The answer to `opt_out`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OptOutReply {
    /// `add` or `remove`: the number's consent now.
    Set {
        /// The number.
        number: String,
        /// Whether it is opted out now.
        opted_out: bool,
    },
    /// `list`.
    List {
        /// The opted-out numbers, by number.
        opt_outs: Vec<OptOutEntry>,
    },
}

/// One opted-out number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptOutEntry {
    /// The number.
    pub number: String,
    /// Since when.
    pub since: Timestamp,
}

/// An event line sent to subscribers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A delivery receipt was matched to a message.
    Dlr(DlrEvent),
    /// An inbound message arrived.
    Mo(MoEvent),
}

impl Event {
    /// Its position in the event log: increasing, never reused.
    pub fn event_id(&self) -> u64 {
        match self {
            Event::Dlr(dlr) => dlr.event_id,
            Event::Mo(mo) => mo.event_id,
        }
    }

    /// Sets its position in the event log.
    pub fn set_event_id(&mut self, event_id: u64) {
        match self {
            Event::Dlr(dlr) => dlr.event_id = event_id,
            Event::Mo(mo) => mo.event_id = event_id,
        }
    }
}

/// `{"event":"dlr", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DlrEvent {
    /// Its position in the event log (added to the stored event when it is read).
    #[serde(default)]
    pub event_id: u64,
    /// The gateway message id.
    pub id: String,
    /// The carrier's id the receipt quoted.
    pub smsc_id: Option<String>,
    /// The message's state after the receipt.
    pub state: MessageState,
    /// The receipt's error, if any.
    pub error: Option<String>,
    /// When the gateway got the receipt.
    pub at: Timestamp,
}

/// `{"event":"mo", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoEvent {
    /// Its position in the event log (added to the stored event when it is read).
    #[serde(default)]
    pub event_id: u64,
    /// The sender, normalised (E.164 with `+` when the carrier said it is international).
    pub from: String,
    /// The number it was sent to.
    pub to: String,
    /// The whole text, reassembled.
    pub text: String,
    /// The link it came on.
    pub link: String,
    /// When the gateway stored it.
    pub at: Timestamp,
    /// Some parts never came; `text` is what did.
    pub incomplete: bool,
}

/// A point in time, written as RFC 3339 in UTC with milliseconds:
/// `"2026-11-22T10:06:35.123Z"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub OffsetDateTime);

impl Timestamp {
    /// Now.
    pub fn now() -> Self {
        Timestamp(OffsetDateTime::now_utc())
    }

    /// `ms` milliseconds after the Unix epoch (how the store keeps time).
    pub fn from_unix_ms(ms: i64) -> Self {
        let nanos = i128::from(ms) * 1_000_000;
        Timestamp(
            OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH),
        )
    }

    /// Milliseconds after the Unix epoch.
    pub fn unix_ms(self) -> i64 {
        (self.0.unix_timestamp_nanos() / 1_000_000) as i64
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0.to_offset(time::UtcOffset::UTC);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        OffsetDateTime::parse(&text, &Rfc3339)
            .map(Timestamp)
            .map_err(|e| de::Error::custom(format!("{text:?} is not an RFC 3339 time: {e}")))
    }
}

/// A request line, read: its `ref` (`null` if it has none or the line is not an object) and
/// the request or the error to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedLine {
    /// The request's `ref`, echoed in the answer as given.
    pub reference: Value,
    /// The request, or why it is refused.
    pub request: Result<Request, ApiError>,
}

/// Reads one request line (without its newline).
pub fn parse_line(line: &[u8]) -> ParsedLine {
    fast_submit(line).unwrap_or_else(|| parse_general(line))
}

/// Reads any line through a JSON tree, naming whatever is wrong with it.
pub(crate) fn parse_general(line: &[u8]) -> ParsedLine {
    let value: Value = match serde_json::from_slice(line) {
        Ok(value) => value,
        Err(error) => {
            return ParsedLine {
                reference: Value::Null,
                request: Err(ApiError::new(
                    ErrorCode::BadJson,
                    format!("the line is not JSON: {error}"),
                )),
            };
        }
    };
    let Value::Object(map) = value else {
        return ParsedLine {
            reference: Value::Null,
            request: Err(ApiError::new(
                ErrorCode::BadJson,
                format!("a request is a JSON object, not {}", kind(&value)),
            )),
        };
    };
    let reference = map.get("ref").cloned().unwrap_or(Value::Null);
    let request = parse_request(&map);
    ParsedLine { reference, request }
}

fn parse_request(map: &Map<String, Value>) -> Result<Request, ApiError> {
    let op = match map.get("op") {
        None | Some(Value::Null) => {
            return Err(ApiError::new(
                ErrorCode::MissingField,
                format!("`op` is missing; it is one of {}", OPS.join(", ")),
            ));
        }
        Some(Value::String(op)) => op.as_str(),
        Some(other) => {
            return Err(ApiError::new(
                ErrorCode::InvalidField,
                format!("`op` must be a string, not {}", kind(other)),
            ));
        }
    };
    let fields = Fields { op, map };
    match op {
        "submit" => submit(&fields).map(Request::Submit),
        "status" => {
            fields.only(&["id"])?;
            let id = match fields.get("id") {
                None => return Err(fields.missing("id")),
                Some(Value::String(id)) if !id.is_empty() => id.clone(),
                Some(Value::Number(n)) if n.is_u64() => n.to_string(),
                Some(other) => return Err(fields.wrong_type("id", "a non-empty string", other)),
            };
            Ok(Request::Status { id })
        }
        "subscribe" => {
            fields.only(&["events", "since"])?;
            let kinds = match fields.get("events") {
                None => EventKinds::ALL,
                Some(Value::Array(names)) => event_kinds(names)?,
                Some(other) => {
                    return Err(fields.wrong_type(
                        "events",
                        "a list such as [\"dlr\",\"mo\"]",
                        other,
                    ));
                }
            };
            let since = fields.u64("since")?;
            Ok(Request::Subscribe { kinds, since })
        }
        "history" => {
            fields.only(&["number", "limit"])?;
            let number = fields.required_str("number")?;
            check_number("number", number)?;
            let limit = match fields.u64("limit")? {
                None => DEFAULT_HISTORY_LIMIT,
                Some(n @ 1..) if n <= u64::from(MAX_HISTORY_LIMIT) => n as u32,
                Some(n) => {
                    return Err(invalid(format!(
                        "`limit` is {n}; it must be between 1 and {MAX_HISTORY_LIMIT}"
                    )));
                }
            };
            Ok(Request::History {
                number: number.to_owned(),
                limit,
            })
        }
        "opt_out" => {
            fields.only(&["action", "number"])?;
            let action = fields.required_str("action")?;
            let number = fields.str("number")?;
            if let Some(number) = number {
                check_number("number", number)?;
            }
            let number = number.map(str::to_owned);
            let op = match (action, number) {
                ("list", number) => OptOutOp::List { number },
                ("add" | "remove", None) => return Err(fields.missing("number")),
                ("add", Some(number)) => OptOutOp::Add { number },
                ("remove", Some(number)) => OptOutOp::Remove { number },
                (other, _) => {
                    return Err(invalid(format!(
                        "`action` is {}; it is one of add, remove, list",
                        shown(other)
                    )));
                }
            };
            Ok(Request::OptOut(op))
        }
        "ping" => {
            fields.only(&[])?;
            Ok(Request::Ping)
        }
        other => Err(ApiError::new(
            ErrorCode::UnknownOp,
            format!(
                "there is no op {}; it is one of {}",
                shown(other),
                OPS.join(", ")
            ),
        )),
    }
}

const SUBMIT_FIELDS: [&str; 10] = [
    "to",
    "from",
    "text",
    "link",
    "encoding",
    "dlr",
    "key",
    "validity",
    "schedule_at",
    "transactional",
];

fn submit(fields: &Fields<'_>) -> Result<SubmitRequest, ApiError> {
    fields.only(&SUBMIT_FIELDS)?;
    // Checked in this order: the first problem is the one reported.
    let to = fields.required_str("to")?;
    check_destination(to)?;
    let from = fields.required_str("from")?;
    check_source(from)?;
    let text = fields.required_str("text")?;
    let submit = RawSubmit {
        op: "submit",
        reference: None,
        to,
        from,
        text,
        encoding: fields.str("encoding")?,
        link: fields.str("link")?,
        key: fields.str("key")?,
        validity: fields.str("validity")?,
        schedule_at: fields.str("schedule_at")?,
        dlr: fields.bool("dlr")?,
        transactional: fields.bool("transactional")?,
    };
    checked_submit(&submit)
}

/// A submit line as the fast path reads it: borrowed from the line, typed, every field known.
/// A line that does not read this way (an escape in a string, a wrong type, a missing or
/// unknown field, another op) goes the general way, which names the problem.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubmit<'a> {
    op: &'a str,
    #[serde(rename = "ref")]
    reference: Option<Value>,
    to: &'a str,
    from: &'a str,
    text: &'a str,
    encoding: Option<&'a str>,
    link: Option<&'a str>,
    key: Option<&'a str>,
    validity: Option<&'a str>,
    schedule_at: Option<&'a str>,
    dlr: Option<bool>,
    transactional: Option<bool>,
}

/// A well-formed submit line straight to its request, without building a JSON tree;
/// `None` sends the line the general way.
pub(crate) fn fast_submit(line: &[u8]) -> Option<ParsedLine> {
    let mut raw: RawSubmit<'_> = serde_json::from_slice(line).ok()?;
    if raw.op != "submit" {
        return None;
    }
    let reference = raw.reference.take().unwrap_or(Value::Null);
    let request = check_destination(raw.to)
        .and_then(|()| check_source(raw.from))
        .and_then(|()| checked_submit(&raw))
        .map(Request::Submit);
    Some(ParsedLine { reference, request })
}

/// The checks of a submit's values, once their types are known.
fn checked_submit(raw: &RawSubmit<'_>) -> Result<SubmitRequest, ApiError> {
    let (to, from, text) = (raw.to, raw.from, raw.text);
    let encoding = match raw.encoding {
        None => EncodingChoice::Auto,
        Some(name) => parse_encoding(name)?,
    };
    if text.is_empty() {
        return Err(invalid("`text` is empty"));
    }
    if encoding == EncodingChoice::Forced(smppd_text::Encoding::Binary)
        && decode_hex(text).is_none()
    {
        return Err(invalid(format!(
            "`text` is {}; with \"encoding\":\"binary\" it is the octets in hex, an even \
             number of 0-9 a-f",
            shown(text)
        )));
    }
    let link = match raw.link {
        Some("") => {
            return Err(invalid(
                "`link` is empty; leave it out to let routes decide",
            ));
        }
        link => link.map(str::to_owned),
    };
    let key = match raw.key {
        Some(key) if key.is_empty() || key.chars().count() > MAX_KEY_CHARS => {
            return Err(invalid(format!(
                "`key` is {} characters long; it must have 1 to {MAX_KEY_CHARS}",
                key.chars().count()
            )));
        }
        key => key.map(str::to_owned),
    };
    let validity = match raw.validity {
        None => None,
        Some(text) => match parse_duration(text) {
            Ok(d) if d.is_zero() => return Err(invalid("`validity` must be more than 0")),
            Ok(d) => Some(d),
            Err(e) => return Err(invalid(format!("`validity`: {e}"))),
        },
    };
    let schedule_at = match raw.schedule_at {
        None => None,
        Some(text) => match OffsetDateTime::parse(text, &Rfc3339) {
            Ok(t) => Some(t),
            Err(e) => {
                return Err(invalid(format!(
                    "`schedule_at` is {}, not an RFC 3339 time such as \
                     \"2026-11-22T18:30:00Z\": {e}",
                    shown(text)
                )));
            }
        },
    };
    Ok(SubmitRequest {
        to: to.to_owned(),
        from: from.to_owned(),
        text: text.to_owned(),
        link,
        encoding,
        dlr: raw.dlr.unwrap_or(true),
        key,
        validity,
        schedule_at,
        transactional: raw.transactional.unwrap_or(false),
    })
}

fn parse_encoding(name: &str) -> Result<EncodingChoice, ApiError> {
    name.parse::<EncodingChoice>().map_err(|_| {
        invalid(format!(
            "`encoding` is {}; it is one of {ENCODINGS}",
            shown(name)
        ))
    })
}

fn event_kinds(names: &[Value]) -> Result<EventKinds, ApiError> {
    let mut kinds = EventKinds {
        dlr: false,
        mo: false,
    };
    for name in names {
        match name.as_str() {
            Some("dlr") => kinds.dlr = true,
            Some("mo") => kinds.mo = true,
            _ => {
                return Err(invalid(format!(
                    "`events` holds {name}; the events are \"dlr\" and \"mo\""
                )));
            }
        }
    }
    if kinds
        == (EventKinds {
            dlr: false,
            mo: false,
        })
    {
        return Err(invalid(
            "`events` is empty; list \"dlr\", \"mo\" or both, or leave it out for both",
        ));
    }
    Ok(kinds)
}

/// `to`: E.164 with `+`, or a short code.
pub fn check_destination(to: &str) -> Result<(), ApiError> {
    if is_e164(to) || is_short_code(to) {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::InvalidDestination,
        format!("`to` is {}; {}", shown(to), number_rule(to)),
    ))
}

/// `from`: E.164 with `+`, a short code, or an alphanumeric sender.
pub fn check_source(from: &str) -> Result<(), ApiError> {
    if is_e164(from) || is_short_code(from) || is_alphanumeric_sender(from) {
        return Ok(());
    }
    let rule = if from.starts_with('+') || from.bytes().all(|b| b.is_ascii_digit()) {
        number_rule(from)
    } else {
        "a sender name is 1 to 11 ASCII letters, digits and spaces, with at least one letter"
    };
    Err(ApiError::new(
        ErrorCode::InvalidSource,
        format!("`from` is {}; {rule}", shown(from)),
    ))
}

/// A customer's number in `history` and `opt_out`: like `to`.
fn check_number(field: &str, number: &str) -> Result<(), ApiError> {
    if is_e164(number) || is_short_code(number) {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::InvalidDestination,
        format!("`{field}` is {}; {}", shown(number), number_rule(number)),
    ))
}

/// Why `number` is not a number, as precisely as its shape allows.
fn number_rule(number: &str) -> &'static str {
    match number.strip_prefix('+') {
        Some(digits) if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.is_empty() => {
            "after the + only digits may follow, no spaces or dashes (\"+447700900123\")"
        }
        Some(digits) if digits.starts_with('0') => {
            "an international number starts with its country code, never 0 (\"+447700900123\")"
        }
        Some(_) => "an international number has 8 to 15 digits after the +",
        None if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
            "without + it is a short code of at most 8 digits; write an international number \
             with + and its country code (\"+447700900123\")"
        }
        None => {
            "write an E.164 number with + (\"+447700900123\") or a short code of up to 8 digits"
        }
    }
}

/// E.164 with `+`: 8 to 15 digits, the first (of the country code) not 0.
/// `text` decoded from hex: an even number (at least two) of hex digits.
fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.is_empty() || text.len() % 2 != 0 {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let digit = |b: u8| (b as char).to_digit(16);
            Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8)
        })
        .collect()
}

/// The fields of one request, with the op's name for messages.
struct Fields<'a> {
    op: &'a str,
    map: &'a Map<String, Value>,
}

impl Fields<'_> {
    /// A field's value; `null` counts as absent.
    fn get(&self, name: &str) -> Option<&Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    /// Refuses fields the op does not have: a misspelt optional field would otherwise be
    /// ignored silently (a `shedule_at` would send at once). `null` is absent, here too.
    fn only(&self, allowed: &[&str]) -> Result<(), ApiError> {
        for (name, value) in self.map {
            let known = name == "op" || name == "ref" || allowed.contains(&name.as_str());
            if !known && !value.is_null() {
                let expected = if allowed.is_empty() {
                    "it has only `op` and `ref`".to_owned()
                } else {
                    format!("its fields are {}", allowed.join(", "))
                };
                return Err(invalid(format!(
                    "{} has no field {}; {expected}",
                    self.op,
                    shown(name)
                )));
            }
        }
        Ok(())
    }

    fn missing(&self, name: &str) -> ApiError {
        ApiError::new(
            ErrorCode::MissingField,
            format!("{} needs `{name}`", self.op),
        )
    }

    fn wrong_type(&self, name: &str, expected: &str, value: &Value) -> ApiError {
        invalid(format!("`{name}` must be {expected}, not {}", kind(value)))
    }

    fn str(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.wrong_type(name, "a string", other)),
        }
    }

    fn required_str(&self, name: &str) -> Result<&str, ApiError> {
        self.str(name)?.ok_or_else(|| self.missing(name))
    }

    fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong_type(name, "true or false", other)),
        }
    }

    fn u64(&self, name: &str) -> Result<Option<u64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) if n.is_u64() => Ok(n.as_u64()),
            Some(other) => Err(self.wrong_type(name, "a whole number, 0 or more", other)),
        }
    }
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidField, message)
}

/// A JSON value's kind with the value itself when short, for "must be X, not Y".
fn kind(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("{b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {}", shown(s)),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// A client's value quoted for a message, cut short so that an answer stays short.
fn shown(value: &str) -> String {
    const MAX: usize = 40;
    if value.chars().count() <= MAX {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("{head:?}... ({} characters)", value.chars().count())
    }
}

/// `{"ref":..,"ok":true, <body's fields>}` and a newline.
pub fn ok_line<T: Serialize>(reference: &Value, body: &T) -> Vec<u8> {
    #[derive(Serialize)]
    struct Ok<'a, T> {
        #[serde(rename = "ref")]
        reference: &'a Value,
        ok: bool,
        #[serde(flatten)]
        body: &'a T,
    }
    let answer = Ok {
        reference,
        ok: true,
        body,
    };
    match serde_json::to_vec(&answer) {
        Ok(mut line) => {
            line.push(b'\n');
            line
        }
        Err(e) => error_line(
            reference,
            &ApiError::unavailable(format!("the answer could not be written: {e}")),
        ),
    }
}

/// `{"ref":..,"ok":true}` and a newline.
pub fn ok_empty_line(reference: &Value) -> Vec<u8> {
    ok_line(reference, &Map::new())
}

/// `{"ref":..,"ok":false,"error":{"code":..,"message":..}}` and a newline.
pub fn error_line(reference: &Value, error: &ApiError) -> Vec<u8> {
    #[derive(Serialize)]
    struct Refused<'a> {
        #[serde(rename = "ref")]
        reference: &'a Value,
        ok: bool,
        error: &'a ApiError,
    }
    let mut line = serde_json::to_vec(&Refused {
        reference,
        ok: false,
        error,
    })
    .unwrap_or_else(|_| br#"{"ref":null,"ok":false,"error":{"code":"unavailable","message":"the answer could not be written"}}"#.to_vec());
    line.push(b'\n');
    line
}

/// An event line and its newline.
pub fn event_line(event: &Event) -> Vec<u8> {
    // An event holds only strings, numbers and booleans: it always serializes.
    let mut line = serde_json::to_vec(event).unwrap_or_default();
    line.push(b'\n');
    line
}
