//! Mobile-originated messages: split into `deliver_sm` parts with an 8-bit-reference UDH.

use crate::SimError;
use bytes::{BufMut, Bytes, BytesMut};
use smppd_codec::{COctetString, DataCoding, DeliverSm, EsmClass, Npi, OctetString, Ton};

/// A mobile-originated message for [`crate::Simulator::inject_mo`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoMessage {
    /// Deliver on a session bound with this `system_id`; `None`: any receiver session.
    pub system_id: Option<String>,
    /// The sender (the handset): digits, with an optional `+`, are international E.164;
    /// anything else is alphanumeric.
    pub from: String,
    /// The recipient (the ESME's number), same rules.
    pub to: String,
    /// `data_coding` of the payload.
    pub data_coding: DataCoding,
    /// The user data, already encoded (GSM 03.38 unpacked septets, UCS-2, 8-bit...).
    pub payload: Bytes,
    /// Split into concatenated parts; `None`: one `deliver_sm` without UDH.
    pub concat: Option<Concat>,
}

impl MoMessage {
    /// A single-part message in the SMSC default alphabet to any receiver.
    pub fn new(from: impl Into<String>, to: impl Into<String>, payload: impl Into<Bytes>) -> Self {
        MoMessage {
            system_id: None,
            from: from.into(),
            to: to.into(),
            data_coding: DataCoding::DEFAULT,
            payload: payload.into(),
            concat: None,
        }
    }
}

/// How to split an MO message into concatenated parts (UDH `05 00 03 RR TT SS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Concat {
    /// How many parts (1-255); the payload is cut into that many nearly equal pieces, never
    /// inside a UCS-2 character or a GSM escape sequence.
    pub parts: u8,
    /// The concatenation reference.
    pub reference: u8,
    /// Send the parts last first.
    pub out_of_order: bool,
}

/// The most user data a UDH part may carry: `short_message` holds 254 octets, 6 go to the UDH.
const MAX_PART: usize = 254 - 6;

/// The `deliver_sm` bodies for `mo`, in the order they are to be sent.
pub(crate) fn deliver_sms(mo: &MoMessage) -> Result<Vec<DeliverSm>, SimError> {
    let (source_addr_ton, source_addr_npi, source_addr) = address(&mo.from)?;
    let (dest_addr_ton, dest_addr_npi, destination_addr) = address(&mo.to)?;
    let template = DeliverSm {
        source_addr_ton,
        source_addr_npi,
        source_addr,
        dest_addr_ton,
        dest_addr_npi,
        destination_addr,
        data_coding: mo.data_coding,
        ..Default::default()
    };
    let Some(concat) = mo.concat else {
        if mo.payload.len() > 254 {
            return Err(SimError::InvalidMo(format!(
                "{} octets do not fit one short_message (254): ask for concatenation",
                mo.payload.len()
            )));
        }
        return Ok(vec![DeliverSm {
            short_message: OctetString(mo.payload.clone()),
            ..template
        }]);
    };
    let pieces = split(&mo.payload, concat.parts, mo.data_coding)?;
    let total = pieces.len() as u8;
    let mut parts: Vec<DeliverSm> = pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let mut sm = BytesMut::with_capacity(6 + piece.len());
            // TS 23.040 §9.2.3.24.1: UDHL 5, IEI 0x00 (8-bit reference), IEDL 3, ref, total,
            // sequence (1-based).
            sm.put_slice(&[0x05, 0x00, 0x03, concat.reference, total, i as u8 + 1]);
            sm.put_slice(&piece);
            DeliverSm {
                esm_class: EsmClass(EsmClass::UDHI),
                short_message: OctetString(sm.freeze()),
                ..template.clone()
            }
        })
        .collect();
    if concat.out_of_order {
        parts.reverse();
    }
    Ok(parts)
}

/// Cuts `payload` into `parts` non-empty pieces of nearly equal size.
fn split(payload: &Bytes, parts: u8, data_coding: DataCoding) -> Result<Vec<Bytes>, SimError> {
    let parts = usize::from(parts);
    if parts == 0 || payload.len() < parts {
        return Err(SimError::InvalidMo(format!(
            "{} octets cannot make {parts} non-empty parts",
            payload.len()
        )));
    }
    let ucs2 = data_coding == DataCoding::UCS2;
    let gsm = data_coding == DataCoding::DEFAULT;
    let mut pieces = Vec::with_capacity(parts);
    let mut start = 0;
    for i in 0..parts {
        let left = parts - i;
        let mut end = if left == 1 {
            payload.len()
        } else {
            start + (payload.len() - start).div_ceil(left)
        };
        if left > 1 {
            // Never cut a UCS-2 character or a GSM escape sequence in two.
            if ucs2 && (end - start) % 2 == 1 {
                end += 1;
            }
            if gsm && payload[end - 1] == 0x1B {
                end += 1;
            }
            end = end.min(payload.len());
        }
        if end <= start {
            return Err(SimError::InvalidMo(format!(
                "{} octets cannot make {parts} non-empty parts",
                payload.len()
            )));
        }
        if end - start > MAX_PART {
            return Err(SimError::InvalidMo(format!(
                "a part of {} octets exceeds {MAX_PART}: ask for more parts",
                end - start
            )));
        }
        pieces.push(payload.slice(start..end));
        start = end;
    }
    Ok(pieces)
}

fn address(text: &str) -> Result<(Ton, Npi, COctetString), SimError> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    let (ton, npi, value) = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        (Ton::INTERNATIONAL, Npi::ISDN, digits)
    } else {
        (Ton::ALPHANUMERIC, Npi::UNKNOWN, text)
    };
    // §4.6.1: source_addr and destination_addr are C-strings of at most 21 octets.
    if value.len() > 20 || value.contains('\0') {
        return Err(SimError::InvalidMo(format!(
            "address {text:?} is not valid"
        )));
    }
    Ok((ton, npi, COctetString::from(value.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mo(payload: &'static [u8], data_coding: DataCoding, parts: u8) -> MoMessage {
        MoMessage {
            data_coding,
            concat: Some(Concat {
                parts,
                reference: 7,
                out_of_order: false,
            }),
            ..MoMessage::new("+447700900123", "ACME", Bytes::from_static(payload))
        }
    }

    #[test]
    fn single_part() {
        let parts = deliver_sms(&MoMessage::new("447700900123", "12345", &b"hi"[..])).unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(&parts[0].short_message[..], b"hi");
        assert_eq!(parts[0].esm_class.0, 0);
        assert_eq!(parts[0].source_addr_ton, Ton::INTERNATIONAL);
        let long = MoMessage::new("1", "2", vec![b'x'; 255]);
        assert!(deliver_sms(&long).is_err());
    }

    #[test]
    fn concatenated() {
        let parts = deliver_sms(&mo(b"abcdefgh", DataCoding::IA5, 3)).unwrap();
        let sms: Vec<&[u8]> = parts.iter().map(|p| &p.short_message[..]).collect();
        assert_eq!(
            sms,
            [
                &b"\x05\x00\x03\x07\x03\x01abc"[..],
                b"\x05\x00\x03\x07\x03\x02def",
                b"\x05\x00\x03\x07\x03\x03gh"
            ]
        );
        assert!(parts.iter().all(|p| p.esm_class.has_udh()));
        assert_eq!(parts[0].source_addr_ton, Ton::INTERNATIONAL);
        assert_eq!(&parts[0].source_addr[..], b"447700900123");
        assert_eq!(parts[0].dest_addr_ton, Ton::ALPHANUMERIC);
    }

    #[test]
    fn never_cuts_characters() {
        // UCS-2: 3 characters in 2 parts, cut after the 2nd character, not inside it.
        let parts = split(&Bytes::from_static(b"\x00a\x00b\x00c"), 2, DataCoding::UCS2).unwrap();
        assert_eq!(parts, [&b"\x00a\x00b"[..], b"\x00c"]);
        // GSM: an escape sequence stays whole.
        let parts = split(&Bytes::from_static(b"ab\x1b\x65c"), 2, DataCoding::DEFAULT).unwrap();
        assert_eq!(parts, [&b"ab\x1b\x65"[..], b"c"]);
        assert!(split(&Bytes::from_static(b"ab"), 3, DataCoding::IA5).is_err());
        assert!(split(&Bytes::from(vec![0; 600]), 2, DataCoding::IA5).is_err());
    }

    #[test]
    fn out_of_order() {
        let mut m = mo(b"abcd", DataCoding::IA5, 2);
        m.concat = m.concat.map(|c| Concat {
            out_of_order: true,
            ..c
        });
        let parts = deliver_sms(&m).unwrap();
        assert_eq!(parts[0].short_message[5], 2);
        assert_eq!(parts[1].short_message[5], 1);
    }
}
