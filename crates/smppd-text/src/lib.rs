//! Message text for smppd: from a Unicode string to `submit_sm`-ready segments, and from received
//! `deliver_sm` parts back to a string.
//!
//! Scope:
//! - **Encodings**: the GSM 03.38 default alphabet and extension table, packed or one septet per
//!   octet; the 3GPP TS 23.038 national language shift tables for Turkish, Spanish and
//!   Portuguese; UCS-2 as UTF-16BE with surrogate pairs; Latin-1; IA5/ASCII; 8-bit binary.
//! - **Choice**: [`EncodingChoice::Auto`] takes the permitted encoding with the fewest segments
//!   (GSM default, then a national table, then UCS-2), optionally after transliterating
//!   look-alikes; a forced encoding fails on the first character it cannot carry.
//! - **Segmentation** ([`encode_message`]): one message when it fits, else UDH with an 8- or
//!   16-bit reference, SAR TLVs, or one `message_payload`; an escape sequence or surrogate pair
//!   is never split.
//! - **Decoding** ([`decode`], [`InboundPart`]) and **reassembly** ([`Reassembler`]) of inbound
//!   parts, bounded in memory, with expiry driven by the caller's clock.
//!
//! Left to others: PDUs and TLV encoding (`smppd-codec`; segments carry TLVs as plain
//! [`Tlv`] tag/value pairs), timers, IO and configuration (the daemon). Nothing here reads a
//! clock, does IO or panics on any input.

#![warn(missing_docs)]

mod decode;
mod encoding;
mod error;
mod gsm7;
mod latin1;
mod reassemble;
mod segment;
mod shift;
pub mod transliterate;
mod ucs2;
mod udh;

pub use decode::{Alphabet, Content, DecodeIssue, DecodeOptions, Decoded, InboundPart, decode};
pub use encoding::{Encoding, EncodingChoice, Offender, Unit};
pub use error::TextError;
pub use gsm7::Gsm7Tables;
pub use reassemble::{Outcome, Reassembled, Reassembler, ReassemblyConfig};
pub use segment::{
    Concat, ESM_CLASS_UDHI, EncodeOptions, EncodedMessage, ReferenceCounter, Segment,
    TAG_MESSAGE_PAYLOAD, TAG_SAR_MSG_REF_NUM, TAG_SAR_SEGMENT_SEQNUM, TAG_SAR_TOTAL_SEGMENTS, Tlv,
    encode_binary, encode_message,
};
pub use shift::{LanguageSet, NationalLanguage};
pub use transliterate::Transliteration;
pub use udh::{ConcatInfo, Udh};
