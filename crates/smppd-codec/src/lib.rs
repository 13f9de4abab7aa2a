//! A zero-copy SMPP 3.4 PDU codec.
//!
//! Scope: framing a byte stream into PDUs ([`Framer`]), decoding every PDU and TLV of SMPP 3.4
//! into typed values ([`Pdu`], [`Body`]) and encoding them back. No IO, no clock, no session
//! state: sequence numbers, windows and timers belong to the session that uses this crate, and
//! text encodings (GSM 03.38, UCS-2) to `smppd-text`.
//!
//! # Ownership: one parser, two buffers
//!
//! Every value type is generic over the buffer that holds its octets: [`Pdu<B>`](Pdu),
//! [`Body<B>`](Body), each body struct, [`COctetString<B>`](COctetString),
//! [`OctetString<B>`](OctetString) and [`Tlvs<B>`](Tlvs), with `B` either
//! [`bytes::Bytes`] (the default, so `Pdu` means `Pdu<Bytes>`) or `&[u8]`. One parser
//! (`wire::Reader`, generic over the sealed [`Octets`] trait) fills either; the per-PDU code,
//! its checks and its errors exist once.
//!
//! - **Owned, `Pdu<Bytes>`**, for a value that crosses tasks or outlives the read. The reader
//!   keeps a `BytesMut`; [`Framer::decode`] splits one whole PDU off it with
//!   `split_to(len).freeze()`, which hands over that region of the same allocation as a
//!   reference-counted `Bytes` without copying, and [`Pdu::decode`] keeps every non-empty
//!   variable-length field as a `Bytes::slice` of that frame (the optional parameters of a PDU
//!   stay as the single slice that holds them, walked on lookup). No heap allocation, but one
//!   atomic reference-count increment per non-empty field and one for the frame (and as many
//!   decrements when the value is dropped): for a `submit_sm`, about as much time as the whole
//!   borrowed decode. The value is `'static` and `Send`. A PDU built by the application uses
//!   the same types, with `Bytes` from a `&'static str`, a `Vec<u8>` or another frame.
//! - **Borrowed, `Pdu<&[u8]>`**, for a reader that handles each PDU before it reads again
//!   (answering `enquire_link`, routing a `submit_sm` after copying out what it keeps).
//!   [`Framer::peek`] reads the length of the next whole PDU off the read buffer without
//!   splitting it, [`Pdu::decode_borrowed`] decodes `&buf[..len]` in place, and the caller then
//!   advances the buffer past it. No reference count is touched and nothing is allocated; the
//!   value borrows the read buffer, so the borrow checker stops the next read until it is
//!   dropped. [`Pdu::into_owned`] copies what must outlive that (one allocation per non-empty
//!   field): where most PDUs are kept, the owned path is cheaper.
//!
//! Both paths run the same checks and return the same errors; encoding works on either
//! (`B: AsRef<[u8]>`) and writes the same octets. JSON (feature `serde`) serialises either and
//! deserialises into `Bytes`.
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
mod octets;
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
pub use octets::Octets;
pub use pdu::*;
pub use status::CommandStatus;
pub use strings::{COctetString, OctetString};
pub use tlv::{Tag, TlvIter, TlvKind, Tlvs, TlvsBuilder};
pub use types::{DataCoding, EsmClass, MessageState, Npi, RegisteredDelivery, Ton};
