//! The 16-octet PDU header (SMPP 3.4 §3.2).

use crate::{CommandId, CommandStatus};

/// Every PDU starts with these four big-endian integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header {
    /// Length of the whole PDU, header included.
    pub command_length: u32,
    /// The operation.
    pub command_id: CommandId,
    /// The outcome (responses); 0 in requests.
    pub command_status: CommandStatus,
    /// Correlates a response with its request.
    pub sequence_number: u32,
}

impl Header {
    /// The header's size in octets.
    pub const LEN: usize = 16;

    /// Reads a header from its 16 octets.
    #[inline]
    pub fn from_bytes(octets: &[u8; Self::LEN]) -> Header {
        let word =
            |i: usize| u32::from_be_bytes([octets[i], octets[i + 1], octets[i + 2], octets[i + 3]]);
        Header {
            command_length: word(0),
            command_id: CommandId(word(4)),
            command_status: CommandStatus(word(8)),
            sequence_number: word(12),
        }
    }
}
