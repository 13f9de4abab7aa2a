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
///
/// Errors are built out of line, away from the hot path, by free functions that take what they
/// need by value ([`Snapshot`]): no out-of-line function ever gets the reader's address, so LLVM
/// keeps `rest` in registers. When the cold functions took `&self`, the reader lived on the
/// stack and every field read went through a store and a reload of `rest`, a chain of
/// store-to-load forwarding through the whole body.
pub(crate) struct Reader<'a, B> {
    frame: &'a B,
    rest: &'a [u8],
    pdu: &'static str,
}

/// What an error needs to know of the reader, copied out on the cold path.
#[derive(Clone, Copy)]
struct Snapshot<'a> {
    frame: &'a [u8],
    pdu: &'static str,
    /// Octets of the frame not yet read.
    rest: usize,
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

    #[inline(always)]
    fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            frame: self.frame.as_ref(),
            pdu: self.pdu,
            rest: self.rest.len(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    #[inline]
    fn offset(&self) -> usize {
        self.frame.as_ref().len() - self.rest.len()
    }

    #[inline(always)]
    pub(crate) fn error(&self, field: &'static str, problem: Problem) -> Error {
        field_error(self.snapshot(), field, problem)
    }

    /// The first `len` octets of `rest` (checked by the caller) as a slice of the frame.
    #[inline]
    fn slice(&self, len: usize) -> B {
        let start = self.offset();
        Sealed::slice(self.frame, start..start + len)
    }

    /// A field whose value the spec does not allow.
    #[inline(always)]
    pub(crate) fn invalid(&self, field: &'static str, value: u32) -> Error {
        field_error(self.snapshot(), field, Problem::InvalidValue(value))
    }

    /// A one-octet Integer.
    #[inline]
    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, Error> {
        match self.rest.split_first() {
            Some((&value, rest)) => {
                self.rest = rest;
                Ok(value)
            }
            None => Err(truncated(self.snapshot(), field, 1)),
        }
    }

    /// `N` one-octet Integers in a row (`fields` names them), with one bounds check. An error is
    /// the one reading them one by one would give: the first field past the end.
    #[inline(always)]
    pub(crate) fn u8s<const N: usize>(
        &mut self,
        fields: &'static [&'static str; N],
    ) -> Result<[u8; N], Error> {
        match self.rest.split_first_chunk::<N>() {
            Some((values, rest)) => {
                self.rest = rest;
                Ok(*values)
            }
            None => {
                // The names are a `'static` array (one constant address): an array built at the
                // call was written to the stack on every call, error or not.
                let error = truncated_among(self.snapshot(), fields);
                self.rest = &[];
                Err(error)
            }
        }
    }

    /// A four-octet Integer.
    #[inline]
    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, Error> {
        match self.rest.split_first_chunk::<4>() {
            Some((value, rest)) => {
                self.rest = rest;
                Ok(u32::from_be_bytes(*value))
            }
            None => Err(truncated(self.snapshot(), field, 4)),
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
            return Err(unterminated(self.snapshot(), field, max));
        };
        let text = self.slice(len);
        self.rest = &self.rest[len + 1..];
        Ok(COctetString(text))
    }

    /// `len` opaque octets.
    #[inline(always)]
    pub(crate) fn octets(&mut self, field: &'static str, len: usize) -> Result<B, Error> {
        if len > self.rest.len() {
            return Err(past_body(self.snapshot(), field, len));
        }
        let octets = self.slice(len);
        self.rest = &self.rest[len..];
        Ok(octets)
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
            Err(at) => Err(bad_tlv(self.snapshot(), at)),
        }
    }

    /// Nothing may follow the last field.
    #[inline(always)]
    pub(crate) fn finish(self) -> Result<(), Error> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(trailing(self.snapshot()))
        }
    }
}

/// The PDU's header, read again for an error: keeping a copy in the reader cost a
/// store-to-load forwarding stall per PDU, a fifth of decoding a submit_sm.
#[cold]
fn header_of(frame: &[u8]) -> Header {
    match frame.first_chunk::<{ Header::LEN }>() {
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

#[cold]
#[inline(never)]
fn field_error(at: Snapshot<'_>, field: &'static str, problem: Problem) -> Error {
    Error::Field {
        header: header_of(at.frame),
        pdu: at.pdu,
        field,
        offset: at.frame.len() - at.rest,
        problem,
    }
}

/// `needed` octets were wanted where fewer remain.
#[cold]
#[inline(never)]
fn truncated(at: Snapshot<'_>, field: &'static str, needed: usize) -> Error {
    field_error(
        at,
        field,
        Problem::Truncated {
            needed: needed - at.rest,
        },
    )
}

/// A run of one-octet fields cut short: the fields before the missing one were there, the
/// error is at the first absent one.
#[cold]
#[inline(never)]
fn truncated_among(at: Snapshot<'_>, fields: &'static [&'static str]) -> Error {
    let field = fields.get(at.rest).copied().unwrap_or("pdu");
    let at = Snapshot { rest: 0, ..at };
    truncated(at, field, 1)
}

#[cold]
#[inline(never)]
fn unterminated(at: Snapshot<'_>, field: &'static str, max: usize) -> Error {
    // §3.1: the NUL is part of the value and counts towards the limit.
    let problem = if at.rest >= max {
        Problem::Unterminated { max }
    } else {
        Problem::Truncated { needed: 1 }
    };
    field_error(at, field, problem)
}

#[cold]
#[inline(never)]
fn past_body(at: Snapshot<'_>, field: &'static str, len: usize) -> Error {
    field_error(
        at,
        field,
        Problem::LengthPastBody {
            length: len,
            available: at.rest,
        },
    )
}

/// The TLV at `at` octets into the rest of the body does not fit.
#[cold]
#[inline(never)]
fn bad_tlv(snapshot: Snapshot<'_>, at: usize) -> Error {
    let offset = snapshot.frame.len() - snapshot.rest;
    let rest = snapshot.frame.get(offset..).unwrap_or_default();
    Error::Field {
        header: header_of(snapshot.frame),
        pdu: snapshot.pdu,
        field: "tlv",
        offset: offset + at,
        problem: crate::tlv::tlv_problem(rest.get(at..).unwrap_or_default()),
    }
}

#[cold]
#[inline(never)]
fn trailing(at: Snapshot<'_>) -> Error {
    Error::TrailingBytes {
        header: header_of(at.frame),
        pdu: at.pdu,
        extra: at.rest,
    }
}

/// The index of the first NUL in `octets`, eight octets at a time (C-strings are in almost every
/// PDU; a byte-at-a-time search took 7% of the instructions of decoding a submit_sm). The
/// octets after the last whole word are searched as the word that ends the slice, overlapping
/// the one before: the octets they share are known not to be NUL.
#[inline]
fn find_nul(octets: &[u8]) -> Option<usize> {
    let mut words = octets.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let zeros = zero_octets(word.try_into().unwrap_or([0xFF; 8]));
        if zeros != 0 {
            return Some(at + first_flagged(zeros));
        }
        at += 8;
    }
    if words.remainder().is_empty() {
        return None;
    }
    match octets.last_chunk::<8>() {
        Some(last) => {
            let zeros = zero_octets(*last);
            (zeros != 0).then(|| octets.len() - 8 + first_flagged(zeros))
        }
        // Shorter than a word.
        None => octets.iter().position(|&b| b == 0),
    }
}

/// Whether `octets` holds a NUL, as [`find_nul`] searches, for the encoder's check that a
/// C-string's text has none inside.
#[inline]
fn has_nul(octets: &[u8]) -> bool {
    let mut words = octets.chunks_exact(8);
    if words.any(|word| zero_octets(word.try_into().unwrap_or([0xFF; 8])) != 0) {
        return true;
    }
    if words.remainder().is_empty() {
        return false;
    }
    match octets.last_chunk::<8>() {
        Some(last) => zero_octets(*last) != 0,
        None => words.remainder().contains(&0),
    }
}

/// A word with the high bit of each octet set where `word` has a zero octet, and perhaps of
/// octets above the first zero one (never below it): nonzero exactly when there is a zero octet.
#[inline(always)]
fn zero_octets(word: [u8; 8]) -> u64 {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = u64::from_le_bytes(word);
    word.wrapping_sub(LOW) & !word & HIGH
}

/// The index of the first zero octet flagged by [`zero_octets`] (nonzero).
#[inline(always)]
fn first_flagged(zeros: u64) -> usize {
    (zeros.trailing_zeros() / 8) as usize
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

    #[cold]
    #[inline(never)]
    pub(crate) fn error(&self, field: &'static str, problem: Problem) -> Error {
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
        if value.len() >= max || has_nul(value) {
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
            return Err(self.error(
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

#[cfg(test)]
mod tests {
    use super::{find_nul, has_nul};

    /// Every length up to five words, every NUL position, over fillers that trip the word trick
    /// (0x01 and 0x80 octets, a second NUL), against a plain search.
    #[test]
    fn nul_search_agrees_with_a_plain_search() {
        for filler in [b'a', 0x01, 0x80, 0xFF] {
            for len in 0..40 {
                for first in (0..len).map(Some).chain([None]) {
                    for second in [None, Some(1), Some(7), Some(9)] {
                        let mut octets = vec![filler; len];
                        for at in [first, second.and_then(|d| first.map(|f| f + d))]
                            .into_iter()
                            .flatten()
                            .filter(|&at| at < len)
                        {
                            octets[at] = 0;
                        }
                        let expected = octets.iter().position(|&b| b == 0);
                        assert_eq!(find_nul(&octets), expected, "{octets:?}");
                        assert_eq!(has_nul(&octets), expected.is_some(), "{octets:?}");
                    }
                }
            }
        }
    }
}
