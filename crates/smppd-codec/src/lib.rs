//! A zero-copy SMPP 3.4 PDU codec.
//!
//! Scope: framing a byte stream into PDUs ([`Framer`]), decoding every PDU and TLV of SMPP 3.4
//! into typed values ([`Pdu`], [`Body`]) and encoding them back. No IO, no clock, no session
//! state: sequence numbers, windows and timers belong to the session that uses this crate, and
//! text encodings (GSM 03.38, UCS-2) to `smppd-text`.
//!
//! # Ownership: one representation, sliced from the frame
//!
//! The reader keeps a `BytesMut`; [`Framer::decode`] splits one whole PDU off it with
//! `split_to(len).freeze()`, which hands over that region of the same allocation as a
//! reference-counted [`bytes::Bytes`] without copying. [`Pdu::decode`] reads the frame as `&[u8]`
//! (the optional part with nom's combinators; the fixed fields, once per field of every PDU,
//! with inlined slice reads, measured 1.7× faster than nom's primitives without LTO) and keeps
//! every variable-length field as a `Bytes::slice` of the frame, wrapped
//! as [`COctetString`] or [`OctetString`]; the optional parameters of a PDU stay as the single
//! slice that holds them ([`Tlvs`]), walked on lookup. Decoding a `submit_sm` therefore makes
//! no heap allocation: each field costs a reference-count increment. The decoded values are
//! `'static` and `Send`, so they can outlive the read buffer and cross tasks, and there is no
//! borrowed/owned pair of types: a PDU built by the application uses the same types, with
//! `Bytes` from a `&'static str`, a `Vec<u8>` or another frame.
//!
//! Encoding first checks every field against its limit while adding up `command_length`
//! ([`Pdu::encoded_len`]), reserves once, and writes straight into the caller's `BytesMut`.
//! Derived fields (`command_length`, `command_id`, `sm_length`, `number_of_dests`,
//! `no_unsuccess`) are computed, never stored. `encode(decode(x)) == x` byte for byte for every
//! PDU that decodes, unknown TLVs included.
//!
//! # Bad input
//!
//! Nothing here panics on any input. `command_length` is checked against a configurable
//! maximum before anything is reserved for it; every count read from the wire (`sm_length`,
//! TLV lengths, `number_of_dests`) is checked against what remains of the frame. Errors name
//! the PDU, the field and its offset, and carry the header so that a session can answer on the
//! right sequence number ([`Error::response_status`]). Carrier habits that are legal in
//! practice are accepted: a response without a body when it reports an error, TLVs on
//! responses, an empty `message_id`.
#![warn(missing_docs)]

mod code;
mod command_id;
mod error;
mod frame;
mod header;
pub mod hex;
#[cfg(feature = "serde")]
mod json;
mod pdu;
mod status;
mod strings;
mod tlv;
mod types;
mod wire;

pub use command_id::CommandId;
pub use error::{Error, Problem};
pub use frame::Framer;
pub use header::Header;
pub use pdu::*;
pub use status::CommandStatus;
pub use strings::{COctetString, OctetString};
pub use tlv::{Tag, TlvIter, TlvKind, Tlvs, TlvsBuilder};
pub use types::{DataCoding, EsmClass, MessageState, Npi, RegisteredDelivery, Ton};
