//! Field-level reading and writing shared by every PDU: the spec's C-Octet String, Integer and
//! Octet String types (§3.1), parsed with nom over the frame and kept as slices of it.

use crate::error::{Error, Problem};
use crate::{Header, Tlvs};
use bytes::{BufMut, Bytes, BytesMut};
use nom::bytes::complete::{take, take_till};
use nom::number::complete::{be_u8, be_u32};
use nom::{IResult, Parser};

type NomError<'a> = nom::error::Error<&'a [u8]>;

/// Reads the body of one PDU field by field. Every value returned is a slice of the frame.
pub(crate) struct Reader<'a> {
    frame: &'a Bytes,
    rest: &'a [u8],
    header: Header,
    pdu: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(frame: &'a Bytes, header: Header, pdu: &'static str) -> Self {
        Reader {
            frame,
            rest: frame.get(Header::LEN..).unwrap_or_default(),
            header,
            pdu,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn offset(&self) -> usize {
        self.frame.len() - self.rest.len()
    }

    pub(crate) fn error(&self, field: &'static str, problem: Problem) -> Error {
        Error::Field {
            header: self.header,
            pdu: self.pdu,
            field,
            offset: self.offset(),
            problem,
        }
    }

    fn step<T>(
        &mut self,
        field: &'static str,
        needed: usize,
        parsed: IResult<&'a [u8], T, NomError<'a>>,
    ) -> Result<T, Error> {
        match parsed {
            Ok((rest, value)) => {
                self.rest = rest;
                Ok(value)
            }
            Err(_) => Err(self.error(
                field,
                Problem::Truncated {
                    needed: needed - self.rest.len(),
                },
            )),
        }
    }

    /// A field whose value the spec does not allow.
    pub(crate) fn invalid(&self, field: &'static str, value: u32) -> Error {
        self.error(field, Problem::InvalidValue(value))
    }

    /// A one-octet Integer.
    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, Error> {
        let parsed = be_u8(self.rest);
        self.step(field, 1, parsed)
    }

    /// A four-octet Integer.
    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, Error> {
        let parsed = be_u32(self.rest);
        self.step(field, 4, parsed)
    }

    /// A C-Octet String of at most `max` octets including its NUL; returned without the NUL.
    pub(crate) fn cstr(&mut self, field: &'static str, max: usize) -> Result<Bytes, Error> {
        let window = &self.rest[..self.rest.len().min(max)];
        let (after, text) = take_till::<_, _, NomError<'a>>(|b| b == 0)
            .parse(window)
            .unwrap_or((&[], window));
        if after.is_empty() {
            // §3.1: the NUL is part of the value and counts towards the limit.
            let problem = if self.rest.len() >= max {
                Problem::Unterminated { max }
            } else {
                Problem::Truncated { needed: 1 }
            };
            return Err(self.error(field, problem));
        }
        self.rest = &self.rest[text.len() + 1..];
        Ok(self.frame.slice_ref(text))
    }

    /// `len` opaque octets.
    pub(crate) fn octets(&mut self, field: &'static str, len: usize) -> Result<Bytes, Error> {
        if len > self.rest.len() {
            return Err(self.error(
                field,
                Problem::LengthPastBody {
                    length: len,
                    available: self.rest.len(),
                },
            ));
        }
        let parsed = take(len).parse(self.rest);
        let octets = self.step(field, len, parsed)?;
        Ok(self.frame.slice_ref(octets))
    }

    /// `sm_length` then `short_message` (§4.4.1: sm_length 0..=254, the octets follow).
    pub(crate) fn short_message(&mut self) -> Result<Bytes, Error> {
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
    }

    /// Everything left, as TLVs (§5.3).
    pub(crate) fn tlvs(&mut self) -> Result<Tlvs, Error> {
        let start = self.offset();
        let rest = self.frame.slice_ref(self.rest);
        match Tlvs::from_bytes(rest) {
            Ok(tlvs) => {
                self.rest = &[];
                Ok(tlvs)
            }
            Err((at, problem)) => Err(Error::Field {
                header: self.header,
                pdu: self.pdu,
                field: "tlv",
                offset: start + at,
                problem,
            }),
        }
    }

    /// Nothing may follow the last field.
    pub(crate) fn finish(self) -> Result<(), Error> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Error::TrailingBytes {
                header: self.header,
                pdu: self.pdu,
                extra: self.rest.len(),
            })
        }
    }
}

/// Checks each field against its limit while adding up the body's length, so that encoding
/// reserves once and writes without further checks.
pub(crate) struct Sizer {
    pdu: &'static str,
    pub(crate) len: usize,
}

impl Sizer {
    pub(crate) fn new(pdu: &'static str) -> Self {
        Sizer { pdu, len: 0 }
    }

    pub(crate) fn error(&self, field: &'static str, problem: Problem) -> Error {
        Error::Encode {
            pdu: self.pdu,
            field,
            problem,
        }
    }

    pub(crate) fn int(&mut self, octets: usize) -> &mut Self {
        self.len += octets;
        self
    }

    /// A C-Octet String of at most `max` octets including the NUL that encoding adds.
    pub(crate) fn cstr(
        &mut self,
        field: &'static str,
        value: &[u8],
        max: usize,
    ) -> Result<&mut Self, Error> {
        if value.len() >= max {
            return Err(self.error(
                field,
                Problem::TooLong {
                    length: value.len() + 1,
                    max,
                },
            ));
        }
        if value.contains(&0) {
            return Err(self.error(field, Problem::InteriorNul));
        }
        self.len += value.len() + 1;
        Ok(self)
    }

    /// `sm_length` and `short_message`: at most 254 octets (§4.4.1).
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

    pub(crate) fn octets(&mut self, value: &[u8]) -> &mut Self {
        self.len += value.len();
        self
    }
}

/// Writes a C-Octet String: the text, then its NUL.
pub(crate) fn put_cstr(dst: &mut BytesMut, value: &[u8]) {
    dst.put_slice(value);
    dst.put_u8(0);
}

/// Writes `sm_length` and `short_message` (length checked by [`Sizer::short_message`]).
pub(crate) fn put_short_message(dst: &mut BytesMut, value: &[u8]) {
    dst.put_u8(value.len() as u8);
    dst.put_slice(value);
}
