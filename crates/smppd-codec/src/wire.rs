//! Field-level reading and writing shared by every PDU: the spec's C-Octet String, Integer and
//! Octet String types (§3.1), read off the frame's `&[u8]` and kept as slices of it.

use crate::error::{Error, Problem};
use crate::octets::sealed::Sealed;
use crate::{COctetString, Header, OctetString, Octets, Tlvs};
use bytes::BytesMut;

/// Reads the body of one PDU field by field. Every value returned is a slice of the frame, of
/// the frame's own type `B` (`Bytes` or `&[u8]`), so one parser serves both.
///
/// The readers split `rest` with `core`'s slice methods rather than nom's parsers: they run once
/// per field of every PDU, and nom 8 does not mark `input_len` and `take_from` of its `&[u8]`
/// input `#[inline]`, so without cross-crate LTO every `be_u8` or `take` was a call costing more
/// than the read: a third of the instructions of decoding a submit_sm (docs/performance.md).
/// Errors are built out of line, away from the hot path.
pub(crate) struct Reader<'a, B> {
    frame: &'a B,
    rest: &'a [u8],
    pdu: &'static str,
}

impl<'a, B: Octets> Reader<'a, B> {
    #[inline]
    pub(crate) fn new(frame: &'a B, pdu: &'static str) -> Self {
        Reader {
            frame,
            rest: frame.as_ref().get(Header::LEN..).unwrap_or_default(),
            pdu,
        }
    }

    /// The PDU's header, read again for an error: keeping a copy in the reader cost a
    /// store-to-load forwarding stall per PDU, a fifth of decoding a submit_sm.
    #[cold]
    fn header(&self) -> Header {
        match self.frame.as_ref().first_chunk::<{ Header::LEN }>() {
            Some(octets) => Header::from_bytes(octets),
            // Not reached: the decoder checks the header before it reads the body.
            None => Header {
                command_length: 0,
                command_id: crate::CommandId(0),
                command_status: crate::CommandStatus(0),
                sequence_number: 0,
            },
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    #[inline]
    fn offset(&self) -> usize {
        self.frame.as_ref().len() - self.rest.len()
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn error(&self, field: &'static str, problem: Problem) -> Error {
        Error::Field {
            header: self.header(),
            pdu: self.pdu,
            field,
            offset: self.offset(),
            problem,
        }
    }

    /// `needed` octets were wanted where fewer remain.
    #[cold]
    #[inline(never)]
    fn truncated(&self, field: &'static str, needed: usize) -> Error {
        self.error(
            field,
            Problem::Truncated {
                needed: needed - self.rest.len(),
            },
        )
    }

    /// The first `len` octets of `rest` (checked by the caller) as a slice of the frame.
    #[inline]
    fn slice(&self, len: usize) -> B {
        let start = self.offset();
        Sealed::slice(self.frame, start..start + len)
    }

    /// A field whose value the spec does not allow.
    pub(crate) fn invalid(&self, field: &'static str, value: u32) -> Error {
        self.error(field, Problem::InvalidValue(value))
    }

    /// A one-octet Integer.
    #[inline]
    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, Error> {
        match self.rest.split_first() {
            Some((&value, rest)) => {
                self.rest = rest;
                Ok(value)
            }
            None => Err(self.truncated(field, 1)),
        }
    }

    /// `N` one-octet Integers in a row (`fields` names them), with one bounds check. An error is
    /// the one reading them one by one would give: the first field past the end.
    #[inline(always)]
    pub(crate) fn u8s<const N: usize>(
        &mut self,
        fields: [&'static str; N],
    ) -> Result<[u8; N], Error> {
        match self.rest.split_first_chunk::<N>() {
            Some((values, rest)) => {
                self.rest = rest;
                Ok(*values)
            }
            None => Err(self.truncated_among(&fields)),
        }
    }

    #[cold]
    #[inline(never)]
    fn truncated_among(&mut self, fields: &[&'static str]) -> Error {
        // The fields before the missing one were there; the error is at the first absent one.
        let present = self.rest.len();
        self.rest = &[];
        self.truncated(fields.get(present).copied().unwrap_or("pdu"), 1)
    }

    /// A four-octet Integer.
    #[inline]
    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, Error> {
        match self.rest.split_first_chunk::<4>() {
            Some((value, rest)) => {
                self.rest = rest;
                Ok(u32::from_be_bytes(*value))
            }
            None => Err(self.truncated(field, 4)),
        }
    }

    /// A C-Octet String of at most `max` octets including its NUL; returned without the NUL.
    // `always`: with `find_nul` inside, LLVM kept this out of line, and the call and the `Result`
    // passed through memory cost more than the word-wise search saves.
    #[inline(always)]
    pub(crate) fn cstr(
        &mut self,
        field: &'static str,
        max: usize,
    ) -> Result<COctetString<B>, Error> {
        // Most C-strings of a PDU are empty (service_type, the two times): no search for them.
        if let Some((0, rest)) = self.rest.split_first() {
            self.rest = rest;
            return Ok(COctetString(B::default()));
        }
        let window = &self.rest[..self.rest.len().min(max)];
        let Some(len) = find_nul(window) else {
            return Err(self.unterminated(field, max));
        };
        let text = self.slice(len);
        self.rest = &self.rest[len + 1..];
        Ok(COctetString(text))
    }

    #[cold]
    #[inline(never)]
    fn unterminated(&self, field: &'static str, max: usize) -> Error {
        // §3.1: the NUL is part of the value and counts towards the limit.
        let problem = if self.rest.len() >= max {
            Problem::Unterminated { max }
        } else {
            Problem::Truncated { needed: 1 }
        };
        self.error(field, problem)
    }

    /// `len` opaque octets.
    #[inline(always)]
    pub(crate) fn octets(&mut self, field: &'static str, len: usize) -> Result<B, Error> {
        if len > self.rest.len() {
            return Err(self.past_body(field, len));
        }
        let octets = self.slice(len);
        self.rest = &self.rest[len..];
        Ok(octets)
    }

    #[cold]
    #[inline(never)]
    fn past_body(&self, field: &'static str, len: usize) -> Error {
        self.error(
            field,
            Problem::LengthPastBody {
                length: len,
                available: self.rest.len(),
            },
        )
    }

    /// `sm_length` then `short_message` (§4.4.1: sm_length 0..=254, the octets follow).
    #[inline(always)]
    pub(crate) fn short_message(&mut self) -> Result<OctetString<B>, Error> {
        let length = self.u8("sm_length")?;
        // §5.2.21: sm_length is 0 to 254 (255 could not be encoded back).
        if length > 254 {
            return Err(self.error(
                "sm_length",
                Problem::TooLong {
                    length: usize::from(length),
                    max: 254,
                },
            ));
        }
        self.octets("short_message", usize::from(length))
            .map(OctetString)
    }

    /// Everything left, as TLVs (§5.3).
    #[inline]
    pub(crate) fn tlvs(&mut self) -> Result<Tlvs<B>, Error> {
        self.tlvs_and_payload().map(|(tlvs, _)| tlvs)
    }

    /// Everything left, as TLVs (§5.3), and whether a message_payload is among them.
    #[inline(always)]
    pub(crate) fn tlvs_and_payload(&mut self) -> Result<(Tlvs<B>, bool), Error> {
        match crate::tlv::scan(self.rest) {
            Ok(payload) => {
                let tlvs = Tlvs::from_checked(self.slice(self.rest.len()), payload);
                self.rest = &[];
                Ok((tlvs, payload))
            }
            Err(at) => Err(self.bad_tlv(at)),
        }
    }

    #[cold]
    #[inline(never)]
    fn bad_tlv(&self, at: usize) -> Error {
        Error::Field {
            header: self.header(),
            pdu: self.pdu,
            field: "tlv",
            offset: self.offset() + at,
            problem: crate::tlv::tlv_problem(self.rest.get(at..).unwrap_or_default()),
        }
    }

    /// Nothing may follow the last field.
    pub(crate) fn finish(self) -> Result<(), Error> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Error::TrailingBytes {
                header: self.header(),
                pdu: self.pdu,
                extra: self.rest.len(),
            })
        }
    }
}

/// The index of the first NUL in `octets`, eight octets at a time (C-strings are in almost every
/// PDU; a byte-at-a-time search took 7% of the instructions of decoding a submit_sm).
#[inline]
fn find_nul(octets: &[u8]) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = octets.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
        // The lowest flagged octet is the first zero octet; flags above it may be false.
        let zeros = word.wrapping_sub(LOW) & !word & HIGH;
        if zeros != 0 {
            return Some(at + (zeros.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == 0)
        .map(|i| at + i)
}

/// Checks each field against its limit while adding up the body's length, so that encoding
/// reserves once and writes without further checks.
pub(crate) struct Sizer {
    pdu: &'static str,
    pub(crate) len: usize,
}

impl Sizer {
    #[inline]
    pub(crate) fn new(pdu: &'static str) -> Self {
        Sizer { pdu, len: 0 }
    }

    pub(crate) fn error(&self, field: &'static str, problem: Problem) -> Error {
        self.cold_error(field, problem)
    }

    #[cold]
    #[inline(never)]
    fn cold_error(&self, field: &'static str, problem: Problem) -> Error {
        Error::Encode {
            pdu: self.pdu,
            field,
            problem,
        }
    }

    #[inline]
    pub(crate) fn int(&mut self, octets: usize) -> &mut Self {
        self.len += octets;
        self
    }

    /// A C-Octet String of at most `max` octets including the NUL that encoding adds.
    #[inline]
    pub(crate) fn cstr(
        &mut self,
        field: &'static str,
        value: &[u8],
        max: usize,
    ) -> Result<&mut Self, Error> {
        if value.len() >= max || find_nul(value).is_some() {
            return Err(self.cstr_error(field, value, max));
        }
        self.len += value.len() + 1;
        Ok(self)
    }

    #[cold]
    #[inline(never)]
    fn cstr_error(&self, field: &'static str, value: &[u8], max: usize) -> Error {
        let problem = if value.len() >= max {
            Problem::TooLong {
                length: value.len() + 1,
                max,
            }
        } else {
            Problem::InteriorNul
        };
        self.error(field, problem)
    }

    /// `sm_length` and `short_message`: at most 254 octets (§4.4.1).
    #[inline]
    pub(crate) fn short_message(&mut self, value: &[u8]) -> Result<&mut Self, Error> {
        if value.len() > 254 {
            return Err(self.cold_error(
                "short_message",
                Problem::TooLong {
                    length: value.len(),
                    max: 254,
                },
            ));
        }
        self.len += 1 + value.len();
        Ok(self)
    }

    #[inline]
    pub(crate) fn octets(&mut self, value: &[u8]) -> &mut Self {
        self.len += value.len();
        self
    }
}

/// Appends fields to a `BytesMut` through `BytesMut::extend_from_slice`, which `bytes` marks
/// `#[inline]`. Its `BufMut` methods of the same names all go through `put_slice`, which it does
/// not: every one-octet field was a call and a `memcpy`, half the instructions of encoding a
/// submit_sm (docs/performance.md). PDU files import this trait instead of `BufMut`.
pub(crate) trait Put {
    /// A one-octet Integer.
    fn put_u8(&mut self, n: u8);
    /// A four-octet Integer, big-endian.
    fn put_u32(&mut self, n: u32);
    /// Octets as they are.
    fn put_slice(&mut self, octets: &[u8]);
}

impl Put for BytesMut {
    #[inline]
    fn put_u8(&mut self, n: u8) {
        self.extend_from_slice(&[n]);
    }

    #[inline]
    fn put_u32(&mut self, n: u32) {
        self.extend_from_slice(&n.to_be_bytes());
    }

    #[inline]
    fn put_slice(&mut self, octets: &[u8]) {
        // Most C-strings of a PDU are empty: no call to memcpy for them.
        if !octets.is_empty() {
            self.extend_from_slice(octets);
        }
    }
}

/// Writes a C-Octet String: the text, then its NUL.
#[inline]
pub(crate) fn put_cstr(dst: &mut BytesMut, value: &[u8]) {
    dst.put_slice(value);
    dst.put_u8(0);
}

/// Writes `sm_length` and `short_message` (length checked by [`Sizer::short_message`]).
#[inline]
pub(crate) fn put_short_message(dst: &mut BytesMut, value: &[u8]) {
    dst.put_u8(value.len() as u8);
    dst.put_slice(value);
}
