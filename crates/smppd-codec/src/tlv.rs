//! Optional parameters: tag, length, value (SMPP 3.4 §5.3).
//!
//! A PDU's TLVs are kept as the one slice of the frame that holds them, checked once at decode
//! time. Lookups walk that slice; nothing is copied and no list is allocated, and unknown tags are
//! written back exactly as they arrived (§5.3: "an SMPP entity must ignore an unknown optional
//! parameter").

use crate::Octets;
use crate::code::code_space;
use crate::error::{Error, Problem};
use bytes::{BufMut, Bytes, BytesMut};
use std::fmt;

/// Checks that `raw` is a sequence of whole TLVs (§5.3: a 2-octet tag, a 2-octet length and
/// that many octets of value). `Ok` tells whether one of them is a message_payload, which
/// submit_sm must not carry beside a short_message (one walk for both); `Err` is the offset of
/// the first TLV that does not fit.
#[inline]
pub(crate) fn scan(raw: &[u8]) -> Result<bool, usize> {
    let mut at = 0;
    let mut payload = false;
    while let Some(&[t0, t1, l0, l1]) = raw.get(at..at + 4) {
        let end = at + 4 + usize::from(u16::from_be_bytes([l0, l1]));
        if end > raw.len() {
            return Err(at);
        }
        payload |= u16::from_be_bytes([t0, t1]) == Tag::MESSAGE_PAYLOAD.0;
        at = end;
    }
    if at == raw.len() {
        Ok(payload)
    } else {
        Err(at)
    }
}

/// Why the TLV at the start of `rest` does not fit: a header cut short, or a length running
/// past the PDU (ESME_RINVOPTPARSTREAM either way).
#[cold]
#[inline(never)]
pub(crate) fn tlv_problem(rest: &[u8]) -> Problem {
    match rest {
        &[t0, t1, l0, l1, ref value @ ..] => Problem::TlvPastBody {
            tag: u16::from_be_bytes([t0, t1]),
            length: usize::from(u16::from_be_bytes([l0, l1])),
            available: value.len(),
        },
        short => Problem::Truncated {
            needed: 4 - short.len(),
        },
    }
}

/// A TLV tag.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(pub u16);

code_space!(Tag: u16 {
    /// dest_addr_subunit (§5.3.2.1), u8.
    DEST_ADDR_SUBUNIT = 0x0005 => "dest_addr_subunit",
    /// dest_network_type (§5.3.2.3), u8.
    DEST_NETWORK_TYPE = 0x0006 => "dest_network_type",
    /// dest_bearer_type (§5.3.2.5), u8.
    DEST_BEARER_TYPE = 0x0007 => "dest_bearer_type",
    /// dest_telematics_id (§5.3.2.7), u16.
    DEST_TELEMATICS_ID = 0x0008 => "dest_telematics_id",
    /// source_addr_subunit (§5.3.2.2), u8.
    SOURCE_ADDR_SUBUNIT = 0x000D => "source_addr_subunit",
    /// source_network_type (§5.3.2.4), u8.
    SOURCE_NETWORK_TYPE = 0x000E => "source_network_type",
    /// source_bearer_type (§5.3.2.6), u8.
    SOURCE_BEARER_TYPE = 0x000F => "source_bearer_type",
    /// source_telematics_id (§5.3.2.8), u8.
    SOURCE_TELEMATICS_ID = 0x0010 => "source_telematics_id",
    /// qos_time_to_live (§5.3.2.9), u32 seconds.
    QOS_TIME_TO_LIVE = 0x0017 => "qos_time_to_live",
    /// payload_type (§5.3.2.10), u8.
    PAYLOAD_TYPE = 0x0019 => "payload_type",
    /// additional_status_info_text (§5.3.2.11), C-string of up to 256 octets.
    ADDITIONAL_STATUS_INFO_TEXT = 0x001D => "additional_status_info_text",
    /// receipted_message_id (§5.3.2.12), C-string of up to 65 octets.
    RECEIPTED_MESSAGE_ID = 0x001E => "receipted_message_id",
    /// ms_msg_wait_facilities (§5.3.2.13), u8.
    MS_MSG_WAIT_FACILITIES = 0x0030 => "ms_msg_wait_facilities",
    /// privacy_indicator (§5.3.2.14), u8.
    PRIVACY_INDICATOR = 0x0201 => "privacy_indicator",
    /// source_subaddress (§5.3.2.15), octets.
    SOURCE_SUBADDRESS = 0x0202 => "source_subaddress",
    /// dest_subaddress (§5.3.2.16), octets.
    DEST_SUBADDRESS = 0x0203 => "dest_subaddress",
    /// user_message_reference (§5.3.2.17), u16.
    USER_MESSAGE_REFERENCE = 0x0204 => "user_message_reference",
    /// user_response_code (§5.3.2.18), u8.
    USER_RESPONSE_CODE = 0x0205 => "user_response_code",
    /// source_port (§5.3.2.20), u16.
    SOURCE_PORT = 0x020A => "source_port",
    /// destination_port (§5.3.2.21), u16.
    DESTINATION_PORT = 0x020B => "destination_port",
    /// sar_msg_ref_num (§5.3.2.22), u16.
    SAR_MSG_REF_NUM = 0x020C => "sar_msg_ref_num",
    /// language_indicator (§5.3.2.19), u8.
    LANGUAGE_INDICATOR = 0x020D => "language_indicator",
    /// sar_total_segments (§5.3.2.23), u8.
    SAR_TOTAL_SEGMENTS = 0x020E => "sar_total_segments",
    /// sar_segment_seqnum (§5.3.2.24), u8.
    SAR_SEGMENT_SEQNUM = 0x020F => "sar_segment_seqnum",
    /// sc_interface_version (§5.3.2.25), u8.
    SC_INTERFACE_VERSION = 0x0210 => "sc_interface_version",
    /// callback_num_pres_ind (§5.3.2.37), u8.
    CALLBACK_NUM_PRES_IND = 0x0302 => "callback_num_pres_ind",
    /// callback_num_atag (§5.3.2.38), octets.
    CALLBACK_NUM_ATAG = 0x0303 => "callback_num_atag",
    /// number_of_messages (§5.3.2.39), u8.
    NUMBER_OF_MESSAGES = 0x0304 => "number_of_messages",
    /// callback_num (§5.3.2.36), octets.
    CALLBACK_NUM = 0x0381 => "callback_num",
    /// dpf_result (§5.3.2.28), u8.
    DPF_RESULT = 0x0420 => "dpf_result",
    /// set_dpf (§5.3.2.29), u8.
    SET_DPF = 0x0421 => "set_dpf",
    /// ms_availability_status (§5.3.2.30), u8.
    MS_AVAILABILITY_STATUS = 0x0422 => "ms_availability_status",
    /// network_error_code (§5.3.2.31), 3 octets: network type, error code (u16).
    NETWORK_ERROR_CODE = 0x0423 => "network_error_code",
    /// message_payload (§5.3.2.32), octets.
    MESSAGE_PAYLOAD = 0x0424 => "message_payload",
    /// delivery_failure_reason (§5.3.2.33), u8.
    DELIVERY_FAILURE_REASON = 0x0425 => "delivery_failure_reason",
    /// more_messages_to_send (§5.3.2.34), u8.
    MORE_MESSAGES_TO_SEND = 0x0426 => "more_messages_to_send",
    /// message_state (§5.3.2.35), u8.
    MESSAGE_STATE = 0x0427 => "message_state",
    /// ussd_service_op (§5.3.2.44), one octet.
    USSD_SERVICE_OP = 0x0501 => "ussd_service_op",
    /// display_time (§5.3.2.26), u8.
    DISPLAY_TIME = 0x1201 => "display_time",
    /// sms_signal (§5.3.2.40), u16.
    SMS_SIGNAL = 0x1203 => "sms_signal",
    /// ms_validity (§5.3.2.27), u8.
    MS_VALIDITY = 0x1204 => "ms_validity",
    /// alert_on_message_delivery (§5.3.2.41), no value.
    ALERT_ON_MESSAGE_DELIVERY = 0x130C => "alert_on_message_delivery",
    /// its_reply_type (§5.3.2.42), u8.
    ITS_REPLY_TYPE = 0x1380 => "its_reply_type",
    /// its_session_info (§5.3.2.43), 2 octets.
    ITS_SESSION_INFO = 0x1383 => "its_session_info",
});

/// How a tag's value is laid out, for display and typed access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlvKind {
    /// No value (length 0).
    Empty,
    /// One-octet integer.
    U8,
    /// Two-octet big-endian integer.
    U16,
    /// Four-octet big-endian integer.
    U32,
    /// NUL-terminated ASCII text of at most this many octets, NUL included.
    CString(usize),
    /// Opaque octets (also every tag the spec does not name).
    Octets,
}

impl Tag {
    /// The layout the spec gives this tag's value.
    pub const fn kind(self) -> TlvKind {
        match self.0 {
            0x130C => TlvKind::Empty,
            0x0008 | 0x0204 | 0x020A | 0x020B | 0x020C | 0x1203 => TlvKind::U16,
            0x0017 => TlvKind::U32,
            0x001D => TlvKind::CString(256),
            0x001E => TlvKind::CString(65),
            0x0202 | 0x0203 | 0x0303 | 0x0381 | 0x0423 | 0x0424 | 0x0501 | 0x1383 => {
                TlvKind::Octets
            }
            _ if self.name().is_some() => TlvKind::U8,
            _ => TlvKind::Octets,
        }
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{:#06x}", self.0),
        }
    }
}

/// The TLVs of one PDU, in wire order, as the octets that carry them.
///
/// Construct with [`Tlvs::builder`]; decoding produces a slice of the received frame (`B` as
/// for [`crate::COctetString`]). Every instance is well formed: each TLV's length fits inside
/// the region.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Tlvs<B = Bytes> {
    raw: B,
    /// Whether a message_payload is among them, found when they were checked: encoding a
    /// submit_sm asks (§5.3.2.32), and walking the TLVs again cost a tenth of the encode.
    payload: bool,
}

impl Tlvs {
    /// No TLVs.
    pub const fn new() -> Self {
        Tlvs {
            raw: Bytes::new(),
            payload: false,
        }
    }

    /// A builder that writes TLVs one after another.
    pub fn builder() -> TlvsBuilder {
        TlvsBuilder {
            buf: BytesMut::new(),
            payload: false,
        }
    }

    /// The encoded octets (tag, length, value, repeated).
    pub fn as_bytes(&self) -> &Bytes {
        &self.raw
    }

    /// The value of the first TLV with this tag as a slice of the frame (no copy).
    pub fn get_bytes(&self, tag: Tag) -> Option<Bytes> {
        self.get(tag).map(|v| self.raw.slice_ref(v))
    }
}

impl<B> Tlvs<B> {
    /// The same TLVs in another buffer type (for JSON input, which builds `Bytes`).
    #[cfg(feature = "serde")]
    pub(crate) fn map_octets<C: From<B>>(self) -> Tlvs<C> {
        Tlvs {
            raw: self.raw.into(),
            payload: self.payload,
        }
    }
}

impl<B: Octets> Tlvs<B> {
    /// The same TLVs with their octets as [`Bytes`] (a copy if they are borrowed).
    pub fn into_owned(self) -> Tlvs {
        Tlvs {
            raw: self.raw.into_bytes(),
            payload: self.payload,
        }
    }
}

impl<B: AsRef<[u8]>> Tlvs<B> {
    /// Whether one of the TLVs is a message_payload.
    #[inline]
    pub(crate) fn has_payload(&self) -> bool {
        self.payload
    }

    /// Octets that [`scan`] has accepted, with its answer.
    #[inline]
    pub(crate) fn from_checked(raw: B, payload: bool) -> Self {
        Tlvs { raw, payload }
    }

    /// Checks that `raw` is a sequence of whole TLVs and keeps it as is.
    ///
    /// On error, the `usize` is the offset within `raw` of the TLV that runs past the end.
    #[inline]
    pub fn from_bytes(raw: B) -> Result<Self, (usize, Problem)> {
        match scan(raw.as_ref()) {
            Ok(payload) => Ok(Tlvs { raw, payload }),
            Err(at) => Err((at, tlv_problem(raw.as_ref().get(at..).unwrap_or_default()))),
        }
    }

    /// The encoded octets (tag, length, value, repeated), for either buffer.
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        self.raw.as_ref()
    }

    /// Whether there are no TLVs.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    /// The encoded size in octets.
    pub fn encoded_len(&self) -> usize {
        self.as_slice().len()
    }

    /// Each TLV in wire order.
    #[inline]
    pub fn iter(&self) -> TlvIter<'_> {
        TlvIter {
            rest: self.as_slice(),
        }
    }

    /// The value of the first TLV with this tag.
    #[inline]
    pub fn get(&self, tag: Tag) -> Option<&[u8]> {
        self.iter().find(|(t, _)| *t == tag).map(|(_, v)| v)
    }

    /// A one-octet value; `None` if absent or of another length.
    pub fn get_u8(&self, tag: Tag) -> Option<u8> {
        match self.get(tag)? {
            &[b] => Some(b),
            _ => None,
        }
    }

    /// A two-octet value; `None` if absent or of another length.
    pub fn get_u16(&self, tag: Tag) -> Option<u16> {
        let v: [u8; 2] = self.get(tag)?.try_into().ok()?;
        Some(u16::from_be_bytes(v))
    }

    /// A four-octet value; `None` if absent or of another length.
    pub fn get_u32(&self, tag: Tag) -> Option<u32> {
        let v: [u8; 4] = self.get(tag)?.try_into().ok()?;
        Some(u32::from_be_bytes(v))
    }

    /// A C-string value without its NUL (a missing NUL is tolerated: carriers omit it).
    pub fn get_cstr(&self, tag: Tag) -> Option<&[u8]> {
        let v = self.get(tag)?;
        Some(v.strip_suffix(&[0]).unwrap_or(v))
    }
}

impl<B: AsRef<[u8]>> fmt::Debug for Tlvs<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Iterator over `(tag, value)` pairs of [`Tlvs`].
#[derive(Debug, Clone)]
pub struct TlvIter<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = (Tag, &'a [u8]);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        // Well-formedness was checked when the Tlvs was made; `get` keeps this panic-free anyway.
        let (&[t0, t1, l0, l1], rest) = self.rest.split_first_chunk::<4>()?;
        let len = usize::from(u16::from_be_bytes([l0, l1]));
        let value = rest.get(..len)?;
        self.rest = &rest[len..];
        Some((Tag(u16::from_be_bytes([t0, t1])), value))
    }
}

/// Writes TLVs for [`Tlvs`].
#[derive(Debug, Default)]
pub struct TlvsBuilder {
    buf: BytesMut,
    payload: bool,
}

impl TlvsBuilder {
    /// Writes a TLV's tag, noting a message_payload.
    fn tag(&mut self, tag: Tag) {
        self.payload |= tag == Tag::MESSAGE_PAYLOAD;
        self.buf.put_u16(tag.0);
    }

    /// Appends a TLV with an arbitrary value. A value over 65,535 octets cannot be encoded.
    pub fn octets(&mut self, tag: Tag, value: &[u8]) -> Result<&mut Self, Error> {
        let len = u16::try_from(value.len()).map_err(|_| Error::Encode {
            pdu: "tlv",
            field: tag.name().unwrap_or("tlv"),
            problem: Problem::TooLong {
                length: value.len(),
                max: usize::from(u16::MAX),
            },
        })?;
        self.buf.reserve(4 + value.len());
        self.tag(tag);
        self.buf.put_u16(len);
        self.buf.put_slice(value);
        Ok(self)
    }

    /// Appends a one-octet integer TLV.
    pub fn u8(&mut self, tag: Tag, value: u8) -> &mut Self {
        self.tag(tag);
        self.buf.put_u16(1);
        self.buf.put_u8(value);
        self
    }

    /// Appends a two-octet integer TLV.
    pub fn u16(&mut self, tag: Tag, value: u16) -> &mut Self {
        self.tag(tag);
        self.buf.put_u16(2);
        self.buf.put_u16(value);
        self
    }

    /// Appends a four-octet integer TLV.
    pub fn u32(&mut self, tag: Tag, value: u32) -> &mut Self {
        self.tag(tag);
        self.buf.put_u16(4);
        self.buf.put_u32(value);
        self
    }

    /// Appends a C-string TLV, adding the NUL.
    pub fn cstr(&mut self, tag: Tag, text: &[u8]) -> Result<&mut Self, Error> {
        if text.contains(&0) {
            return Err(Error::Encode {
                pdu: "tlv",
                field: tag.name().unwrap_or("tlv"),
                problem: Problem::InteriorNul,
            });
        }
        let len = u16::try_from(text.len() + 1).map_err(|_| Error::Encode {
            pdu: "tlv",
            field: tag.name().unwrap_or("tlv"),
            problem: Problem::TooLong {
                length: text.len() + 1,
                max: usize::from(u16::MAX),
            },
        })?;
        self.tag(tag);
        self.buf.put_u16(len);
        self.buf.put_slice(text);
        self.buf.put_u8(0);
        Ok(self)
    }

    /// Appends already-encoded TLVs.
    pub fn extend<B: AsRef<[u8]>>(&mut self, tlvs: &Tlvs<B>) -> &mut Self {
        self.payload |= tlvs.payload;
        self.buf.put_slice(tlvs.as_slice());
        self
    }

    /// The TLVs written so far.
    pub fn build(&mut self) -> Tlvs {
        Tlvs {
            raw: self.buf.split().freeze(),
            payload: std::mem::take(&mut self.payload),
        }
    }
}
