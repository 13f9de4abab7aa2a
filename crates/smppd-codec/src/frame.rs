//! Splitting whole PDUs off a byte stream.

use crate::{Error, Header};
use bytes::{Bytes, BytesMut};

/// Splits one whole PDU at a time off a read buffer, without copying it.
///
/// The returned frame is `split_to(..).freeze()` of the buffer: later field slices of it share
/// the buffer's allocation. `command_length` is checked against the maximum before any memory is
/// reserved for the rest of the PDU.
#[derive(Debug, Clone, Copy)]
pub struct Framer {
    max_length: usize,
}

impl Default for Framer {
    fn default() -> Self {
        Framer::new(Framer::DEFAULT_MAX_LENGTH)
    }
}

impl Framer {
    /// The default largest `command_length` accepted: 64 KiB.
    pub const DEFAULT_MAX_LENGTH: usize = 64 * 1024;

    /// A framer refusing PDUs longer than `max_length` octets.
    pub fn new(max_length: usize) -> Self {
        Framer {
            max_length: max_length.max(Header::LEN),
        }
    }

    /// The largest `command_length` accepted.
    pub fn max_length(&self) -> usize {
        self.max_length
    }

    /// The next whole PDU, or `Ok(None)` when more bytes are needed. An error means the stream
    /// cannot be framed any further: the caller answers with `generic_nack` and closes.
    pub fn decode(&self, buf: &mut BytesMut) -> Result<Option<Bytes>, Error> {
        let Some(octets) = buf.first_chunk::<{ Header::LEN }>() else {
            return Ok(None);
        };
        let header = Header::from_bytes(octets);
        let length = header.command_length as usize;
        // §3.2: command_length counts the header itself, so anything below 16 is corrupt.
        if length < Header::LEN {
            return Err(Error::LengthTooShort { header });
        }
        if length > self.max_length {
            return Err(Error::LengthTooLong {
                header,
                max: self.max_length,
            });
        }
        if buf.len() < length {
            buf.reserve(length - buf.len());
            return Ok(None);
        }
        Ok(Some(buf.split_to(length).freeze()))
    }
}
