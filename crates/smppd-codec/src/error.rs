//! The codec's one error type.

use crate::{CommandId, CommandStatus, Header};

/// What went wrong while framing, decoding or encoding a PDU.
///
/// Decoding errors carry the PDU's [`Header`] whenever it could be read, so that a session can
/// still answer with `generic_nack` or the request's own error response on the right sequence
/// number; [`Error::response_status`] gives the status to answer with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// `command_length` is smaller than the 16-octet header (§3.2).
    #[error("command_length {} is below the 16-octet header ({} seq {})", .header.command_length, .header.command_id, .header.sequence_number)]
    LengthTooShort {
        /// The header as read.
        header: Header,
    },
    /// `command_length` is above the configured maximum.
    #[error("command_length {} exceeds the maximum of {max} octets ({} seq {})", .header.command_length, .header.command_id, .header.sequence_number)]
    LengthTooLong {
        /// The header as read.
        header: Header,
        /// The configured maximum.
        max: usize,
    },
    /// A `command_id` the spec does not define.
    #[error("unknown command_id {:#010x} (seq {})", .header.command_id.0, .header.sequence_number)]
    UnknownCommand {
        /// The header as read.
        header: Header,
    },
    /// A field of a known PDU is malformed.
    #[error("{pdu}.{field} at offset {offset}: {problem} (seq {})", .header.sequence_number)]
    Field {
        /// The header as read.
        header: Header,
        /// The PDU's spec name.
        pdu: &'static str,
        /// The field's spec name.
        field: &'static str,
        /// Offset of the field from the start of the PDU.
        offset: usize,
        /// What is wrong with it.
        problem: Problem,
    },
    /// Octets remain after the last field of a PDU that has no optional part.
    #[error("{pdu}: {extra} octets after the last field (seq {})", .header.sequence_number)]
    TrailingBytes {
        /// The header as read.
        header: Header,
        /// The PDU's spec name.
        pdu: &'static str,
        /// How many octets are left over.
        extra: usize,
    },
    /// A value cannot be encoded as given.
    #[error("cannot encode {pdu}.{field}: {problem}")]
    Encode {
        /// The PDU's spec name.
        pdu: &'static str,
        /// The field's spec name.
        field: &'static str,
        /// What is wrong with it.
        problem: Problem,
    },
}

/// The particular fault in a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The body ends before the field does.
    #[error("body ends {needed} octet(s) short of the field")]
    Truncated {
        /// Octets missing.
        needed: usize,
    },
    /// A C-string has no NUL within its spec limit.
    #[error("C-string has no NUL within its limit of {max} octets")]
    Unterminated {
        /// The spec limit, NUL included.
        max: usize,
    },
    /// A value is longer than the spec allows.
    #[error("{length} octets exceed the limit of {max}")]
    TooLong {
        /// Actual length.
        length: usize,
        /// The limit.
        max: usize,
    },
    /// `sm_length` (or another length octet) points past the end of the body.
    #[error("length {length} runs past the body ({available} octets left)")]
    LengthPastBody {
        /// The declared length.
        length: usize,
        /// Octets actually left.
        available: usize,
    },
    /// A TLV's length runs past the end of the body.
    #[error("TLV {tag:#06x} of length {length} runs past the body ({available} octets left)")]
    TlvPastBody {
        /// The TLV's tag.
        tag: u16,
        /// Its declared length.
        length: usize,
        /// Octets actually left.
        available: usize,
    },
    /// A C-string value contains a NUL octet.
    #[error("contains a NUL octet")]
    InteriorNul,
    /// A field holds a value the spec does not allow here.
    #[error("invalid value {0}")]
    InvalidValue(u32),
    /// `short_message` and `message_payload` are both present.
    #[error("short_message and message_payload are both present")]
    PayloadConflict,
}

impl Error {
    /// The header of the PDU in error, when it could be read.
    pub fn header(&self) -> Option<&Header> {
        match self {
            Error::LengthTooShort { header }
            | Error::LengthTooLong { header, .. }
            | Error::UnknownCommand { header }
            | Error::Field { header, .. }
            | Error::TrailingBytes { header, .. } => Some(header),
            Error::Encode { .. } => None,
        }
    }

    /// The request's `sequence_number`, to answer on.
    pub fn sequence_number(&self) -> Option<u32> {
        self.header().map(|h| h.sequence_number)
    }

    /// The request's `command_id`.
    pub fn command_id(&self) -> Option<CommandId> {
        self.header().map(|h| h.command_id)
    }

    /// Whether the byte stream can no longer be trusted to be framed (the session must close).
    pub fn is_framing(&self) -> bool {
        matches!(
            self,
            Error::LengthTooShort { .. } | Error::LengthTooLong { .. }
        )
    }

    /// The `command_status` that answers this error (§5.1.3): in a `generic_nack` for framing
    /// and unknown commands, else in the request's own response.
    pub fn response_status(&self) -> CommandStatus {
        match self {
            Error::LengthTooShort { .. } | Error::LengthTooLong { .. } => {
                CommandStatus::ESME_RINVCMDLEN
            }
            Error::UnknownCommand { .. } => CommandStatus::ESME_RINVCMDID,
            Error::TrailingBytes { .. } => CommandStatus::ESME_RINVCMDLEN,
            Error::Encode { .. } => CommandStatus::ESME_RSYSERR,
            Error::Field { field, problem, .. } => match (*field, problem) {
                (_, Problem::TlvPastBody { .. }) => CommandStatus::ESME_RINVOPTPARSTREAM,
                (_, Problem::PayloadConflict) => CommandStatus::ESME_RINVOPTPARSTREAM,
                // A TLV header cut short is as much an error of the optional part.
                ("tlv", _) => CommandStatus::ESME_RINVOPTPARSTREAM,
                ("command_length" | "header", _) => CommandStatus::ESME_RINVCMDLEN,
                ("short_message" | "sm_length", _) => CommandStatus::ESME_RINVMSGLEN,
                (_, Problem::Truncated { .. }) => CommandStatus::ESME_RINVCMDLEN,
                ("source_addr", _) => CommandStatus::ESME_RINVSRCADR,
                ("destination_addr" | "dest_address", _) => CommandStatus::ESME_RINVDSTADR,
                ("message_id", _) => CommandStatus::ESME_RINVMSGID,
                ("system_id", _) => CommandStatus::ESME_RINVSYSID,
                ("password", _) => CommandStatus::ESME_RINVPASWD,
                ("system_type", _) => CommandStatus::ESME_RINVSYSTYP,
                ("service_type", _) => CommandStatus::ESME_RINVSERTYP,
                ("schedule_delivery_time", _) => CommandStatus::ESME_RINVSCHED,
                ("validity_period", _) => CommandStatus::ESME_RINVEXPIRY,
                ("number_of_dests", _) => CommandStatus::ESME_RINVNUMDESTS,
                ("dest_flag", _) => CommandStatus::ESME_RINVDESTFLAG,
                ("dl_name", _) => CommandStatus::ESME_RINVDLNAME,
                _ => CommandStatus::ESME_RSYSERR,
            },
        }
    }
}
