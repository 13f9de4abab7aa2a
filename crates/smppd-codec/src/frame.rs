//! Splitting whole PDUs off a byte stream.

use crate::{Error, Header};
use bytes::{Bytes, BytesMut};

/// Splits one whole PDU at a time off a read buffer, without copying it ([`Framer::decode`]), or
/// measures it where it lies for a borrowed decode ([`Framer::peek`]).
///
/// The frame returned by `decode` is `split_to(..).freeze()` of the buffer: later field slices
/// of it share the buffer's allocation. `command_length` is checked against the maximum before any memory is
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
        let Some(length) = self.check_header(buf)? else {
            return Ok(None);
        };
        if buf.len() < length {
            buf.reserve(length - buf.len());
            return Ok(None);
        }
        Ok(Some(buf.split_to(length).freeze()))
    }

    /// The length of the whole PDU at the start of `buf`, or `Ok(None)` when `buf` does not
    /// hold all of it yet; the same checks and errors as [`Framer::decode`], without splitting
    /// or reserving anything.
    ///
    /// For the borrowed path: decode `&buf[..length]` with [`crate::Pdu::decode_borrowed`],
    /// handle the PDU, then drop its octets from the buffer. When this returns `Ok(None)` the
    /// caller reads more; unlike [`Framer::decode`], it reserves nothing for the rest of the PDU.
    ///
    /// ```
    /// use bytes::{Buf, BytesMut};
    /// use smppd_codec::{Body, Framer, Pdu};
    ///
    /// let framer = Framer::default();
    /// let mut buf = BytesMut::new();
    /// Pdu::new(1, Body::EnquireLink).encode(&mut buf)?;
    /// Pdu::new(2, Body::Unbind).encode(&mut buf)?;
    /// let mut seen = Vec::new();
    /// while let Some(len) = framer.peek(&buf)? {
    ///     let pdu = Pdu::decode_borrowed(&buf[..len])?;
    ///     seen.push((pdu.sequence_number, pdu.command_id()));
    ///     buf.advance(len);
    /// }
    /// assert_eq!(seen.len(), 2);
    /// assert!(buf.is_empty());
    /// # Ok::<(), smppd_codec::Error>(())
    /// ```
    #[inline]
    pub fn peek(&self, buf: &[u8]) -> Result<Option<usize>, Error> {
        match self.check_header(buf)? {
            Some(length) if buf.len() >= length => Ok(Some(length)),
            _ => Ok(None),
        }
    }

    /// The checked `command_length` of the PDU at the start of `buf`, once its header is in.
    #[inline]
    fn check_header(&self, buf: &[u8]) -> Result<Option<usize>, Error> {
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
        Ok(Some(length))
    }
}
