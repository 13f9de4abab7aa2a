//! Decoding inbound `deliver_sm` / `data_sm` text: data_coding to alphabet, the user data header
//! parsed and stripped, the text decoded to a `String` with every irregularity reported.

use bytes::Bytes;

use crate::error::TextError;
use crate::gsm7::{self, Gsm7Tables, SeptetIssue};
use crate::latin1;
use crate::segment::ESM_CLASS_UDHI;
use crate::ucs2::{self, Ucs2Issue};
use crate::udh::{ConcatInfo, Udh};

/// How inbound text on a link is laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecodeOptions {
    /// GSM text (data_coding 0) arrives 7-bit packed rather than one septet per octet.
    pub gsm7_packed: bool,
}

/// The character set a data_coding value selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alphabet {
    /// GSM 7-bit.
    Gsm7,
    /// IA5 / ASCII.
    Ascii,
    /// ISO 8859-1.
    Latin1,
    /// UCS-2 / UTF-16BE.
    Ucs2,
    /// Octets this crate does not interpret (8-bit data, compressed text, other character sets).
    Binary,
}

impl Alphabet {
    /// The alphabet of a data_coding value: SMPP 3.4 §5.2.19 for 0x00-0x0F, the TS 23.038 §4
    /// coding groups above that.
    pub fn of(data_coding: u8) -> Alphabet {
        // Alphabet bits 3-2 of the general data coding groups (TS 23.038 §4).
        let general = |dc: u8| match (dc & 0x20 != 0, (dc >> 2) & 0x03) {
            (true, _) => Alphabet::Binary,
            (false, 0) => Alphabet::Gsm7,
            (false, 2) => Alphabet::Ucs2,
            _ => Alphabet::Binary,
        };
        match data_coding {
            0x00 => Alphabet::Gsm7,
            0x01 => Alphabet::Ascii,
            0x03 => Alphabet::Latin1,
            0x08 => Alphabet::Ucs2,
            0x02 | 0x04..=0x07 | 0x09..=0x0F => Alphabet::Binary,
            0x10..=0x7F => general(data_coding),
            0xC0..=0xDF => Alphabet::Gsm7,
            0xE0..=0xEF => Alphabet::Ucs2,
            0xF0..=0xFF if data_coding & 0x04 == 0 => Alphabet::Gsm7,
            _ => Alphabet::Binary,
        }
    }
}

/// Decoded message content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Text.
    Text(String),
    /// Octets in an alphabet this crate does not interpret, as received.
    Binary(Bytes),
}

impl Content {
    /// The text, if the content is text.
    pub fn text(&self) -> Option<&str> {
        match self {
            Content::Text(s) => Some(s),
            Content::Binary(_) => None,
        }
    }
}

/// Something decoding had to repair or could not honour; `position` counts characters of the
/// decoded text from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeIssue {
    /// UTF-16 surrogate without its partner, replaced with U+FFFD.
    UnpairedSurrogate {
        /// Where the U+FFFD is.
        position: usize,
        /// The surrogate.
        unit: u16,
    },
    /// UCS-2 text with an odd octet count; the last octet became U+FFFD.
    OddOctet {
        /// Where the U+FFFD is.
        position: usize,
        /// The octet left over.
        octet: u8,
    },
    /// An octet above 0x7F in ASCII text, replaced with U+FFFD.
    NonAscii {
        /// Where the U+FFFD is.
        position: usize,
        /// The octet.
        octet: u8,
    },
    /// An octet above 0x7F in unpacked GSM text, replaced with U+FFFD.
    NotASeptet {
        /// Where the U+FFFD is.
        position: usize,
        /// The octet.
        octet: u8,
    },
    /// GSM text ending in ESC; the ESC was dropped.
    DanglingEscape {
        /// Where the escaped character would have been.
        position: usize,
    },
    /// Binary octets among text parts, shown as Latin-1.
    BinaryAsLatin1 {
        /// Where the first of them is.
        position: usize,
        /// How many octets.
        octets: usize,
    },
    /// A shift-table element named a language without tables here; the default table was used.
    UnsupportedLanguage {
        /// The national language identifier.
        language: u8,
    },
}

impl DecodeIssue {
    fn shifted(self, by: usize) -> Self {
        match self {
            DecodeIssue::UnpairedSurrogate { position, unit } => DecodeIssue::UnpairedSurrogate {
                position: position + by,
                unit,
            },
            DecodeIssue::OddOctet { position, octet } => DecodeIssue::OddOctet {
                position: position + by,
                octet,
            },
            DecodeIssue::NonAscii { position, octet } => DecodeIssue::NonAscii {
                position: position + by,
                octet,
            },
            DecodeIssue::NotASeptet { position, octet } => DecodeIssue::NotASeptet {
                position: position + by,
                octet,
            },
            DecodeIssue::DanglingEscape { position } => DecodeIssue::DanglingEscape {
                position: position + by,
            },
            DecodeIssue::BinaryAsLatin1 { position, octets } => DecodeIssue::BinaryAsLatin1 {
                position: position + by,
                octets,
            },
            other @ DecodeIssue::UnsupportedLanguage { .. } => other,
        }
    }
}

/// A decoded message: its content and what decoding reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The content.
    pub content: Content,
    /// Irregularities found, in order.
    pub issues: Vec<DecodeIssue>,
}

/// The text of one inbound PDU with its header stripped, ready to decode or to reassemble.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundPart {
    /// The PDU's data_coding.
    pub data_coding: u8,
    /// The user data header, if esm_class had UDHI set.
    pub udh: Option<Udh>,
    /// Position in a concatenated message, from the UDH or else the SAR TLVs.
    pub concat: Option<ConcatInfo>,
    pub(crate) body: Body,
}

/// The text units of a part, in a form parts of one message can be joined in before decoding,
/// so that an escape or surrogate pair split by the sender still decodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Body {
    Septets {
        septets: Vec<u8>,
        tables: Gsm7Tables,
        unsupported: Option<u8>,
    },
    Octets {
        alphabet: Alphabet,
        octets: Bytes,
    },
}

impl Body {
    pub(crate) fn len(&self) -> usize {
        match self {
            Body::Septets { septets, .. } => septets.len(),
            Body::Octets { octets, .. } => octets.len(),
        }
    }

    /// Appends another body's units; call only when [`joins`](Self::joins) holds.
    fn append(&mut self, other: &Body) {
        match (self, other) {
            (Body::Septets { septets, .. }, Body::Septets { septets: more, .. }) => {
                septets.extend_from_slice(more);
            }
            (Body::Octets { octets, .. }, Body::Octets { octets: more, .. }) => {
                let mut joined = Vec::with_capacity(octets.len() + more.len());
                joined.extend_from_slice(octets);
                joined.extend_from_slice(more);
                *octets = Bytes::from(joined);
            }
            _ => {}
        }
    }

    /// Whether `other` can be appended to this body and decoded with it.
    fn joins(&self, other: &Body) -> bool {
        match (self, other) {
            (Body::Septets { tables: a, .. }, Body::Septets { tables: b, .. }) => a == b,
            (Body::Octets { alphabet: a, .. }, Body::Octets { alphabet: b, .. }) => a == b,
            _ => false,
        }
    }
}

impl InboundPart {
    /// Splits a received `short_message` (or `message_payload` value) into header and text.
    /// `sar` is the position the SAR TLVs give, if present; a concatenation element in the UDH
    /// wins over it.
    pub fn parse(
        data_coding: u8,
        esm_class: u8,
        message: Bytes,
        sar: Option<ConcatInfo>,
        options: &DecodeOptions,
    ) -> Result<Self, TextError> {
        let (udh, udh_len) = if esm_class & ESM_CLASS_UDHI != 0 {
            let (udh, len) = Udh::parse(&message)?;
            (Some(udh), len)
        } else {
            (None, 0)
        };
        let concat = udh.as_ref().and_then(|u| u.concat).or(sar);
        let alphabet = Alphabet::of(data_coding);
        let body = if alphabet == Alphabet::Gsm7 {
            let (tables, unsupported) = udh.as_ref().map(Udh::gsm7_tables).unwrap_or_default();
            let septets = if options.gsm7_packed {
                gsm7::unpack(&message, udh_len)
            } else {
                message.get(udh_len..).unwrap_or_default().to_vec()
            };
            Body::Septets {
                septets,
                tables,
                unsupported,
            }
        } else {
            Body::Octets {
                alphabet,
                octets: message.slice(udh_len.min(message.len())..),
            }
        };
        Ok(InboundPart {
            data_coding,
            udh,
            concat,
            body,
        })
    }

    /// Decodes this part alone.
    pub fn decode(&self) -> Decoded {
        decode_bodies(std::iter::once(&self.body))
    }

    /// Octets this part holds in memory (its text units).
    pub fn size(&self) -> usize {
        self.body.len()
    }
}

/// Decodes one received `short_message` (or `message_payload`) on its own.
pub fn decode(
    data_coding: u8,
    esm_class: u8,
    message: Bytes,
    options: &DecodeOptions,
) -> Result<Decoded, TextError> {
    InboundPart::parse(data_coding, esm_class, message, None, options).map(|p| p.decode())
}

/// Decodes bodies in order, joining neighbours of the same kind before decoding.
///
/// Only when every body is binary is the content binary; binary octets among text (which the
/// reassembler never produces, as it does not mix data_codings) are shown as Latin-1 and
/// reported.
pub(crate) fn decode_bodies<'a>(bodies: impl IntoIterator<Item = &'a Body>) -> Decoded {
    let bodies: Vec<&Body> = bodies.into_iter().collect();
    let is_binary = |b: &&Body| {
        matches!(
            b,
            Body::Octets {
                alphabet: Alphabet::Binary | Alphabet::Gsm7,
                ..
            }
        )
    };
    if bodies.iter().all(is_binary) {
        let mut binary = Vec::with_capacity(bodies.iter().map(|b| b.len()).sum());
        for body in &bodies {
            if let Body::Octets { octets, .. } = body {
                binary.extend_from_slice(octets);
            }
        }
        return Decoded {
            content: Content::Binary(Bytes::from(binary)),
            issues: Vec::new(),
        };
    }
    let mut text = String::new();
    let mut issues = Vec::new();
    let mut chars = 0;
    let mut group: Option<Body> = None;
    for body in bodies {
        match group.as_mut() {
            Some(g) if g.joins(body) => g.append(body),
            _ => {
                if let Some(g) = group.replace(body.clone()) {
                    chars += decode_body(&g, chars, &mut text, &mut issues);
                }
            }
        }
    }
    if let Some(g) = group {
        decode_body(&g, chars, &mut text, &mut issues);
    }
    Decoded {
        content: Content::Text(text),
        issues,
    }
}

/// Appends the text of one body; issues are positioned after `chars` earlier characters.
/// Returns the characters appended.
fn decode_body(
    body: &Body,
    chars: usize,
    text: &mut String,
    issues: &mut Vec<DecodeIssue>,
) -> usize {
    let start = text.len();
    let mut push = |issue: DecodeIssue| issues.push(issue.shifted(chars));
    match body {
        Body::Septets {
            septets,
            tables,
            unsupported,
        } => {
            if let Some(language) = *unsupported {
                push(DecodeIssue::UnsupportedLanguage { language });
            }
            gsm7::decode_septets(septets, *tables, text, |position, issue| {
                push(match issue {
                    SeptetIssue::NotASeptet(octet) => DecodeIssue::NotASeptet { position, octet },
                    SeptetIssue::DanglingEscape => DecodeIssue::DanglingEscape { position },
                });
            });
        }
        Body::Octets { alphabet, octets } => match alphabet {
            Alphabet::Ucs2 => ucs2::decode_be(octets, text, |position, issue| {
                push(match issue {
                    Ucs2Issue::UnpairedSurrogate(unit) => {
                        DecodeIssue::UnpairedSurrogate { position, unit }
                    }
                    Ucs2Issue::OddOctet(octet) => DecodeIssue::OddOctet { position, octet },
                });
            }),
            Alphabet::Ascii => latin1::decode_ascii(octets, text, |position, octet| {
                push(DecodeIssue::NonAscii { position, octet });
            }),
            Alphabet::Latin1 => latin1::decode_latin1(octets, text),
            Alphabet::Gsm7 | Alphabet::Binary => {
                push(DecodeIssue::BinaryAsLatin1 {
                    position: 0,
                    octets: octets.len(),
                });
                latin1::decode_latin1(octets, text);
            }
        },
    }
    text[start..].chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(dc: u8, esm: u8, msg: &[u8], packed: bool) -> (String, Vec<DecodeIssue>) {
        let opts = DecodeOptions {
            gsm7_packed: packed,
        };
        let d = decode(dc, esm, Bytes::copy_from_slice(msg), &opts).unwrap();
        (d.content.text().unwrap().to_owned(), d.issues)
    }

    #[test]
    fn decodes_each_data_coding() {
        // data_coding, esm_class, octets, packed, expected text.
        let cases: &[(u8, u8, &[u8], bool, &str)] = &[
            (0x00, 0, b"hello", false, "hello"),
            (0x00, 0, &[0xE8, 0x32, 0x9B, 0xFD, 0x06], true, "hello"),
            (0x00, 0, &[0x1B, 0x65, 0x00, 0x11], false, "€@_"),
            (0x01, 0, b"ascii", false, "ascii"),
            (0x03, 0, &[0x63, 0x61, 0x66, 0xE9], false, "café"),
            (0x08, 0, &[0x00, 0x41, 0xD8, 0x3D, 0xDE, 0x00], false, "A😀"),
            (0xF0, 0, b"flash", false, "flash"),
            (0x18, 0, &[0x04, 0x1F], false, "П"),
            // UDH stripped; GSM packed after a 6-octet UDH starts after one fill bit.
            (
                0x00,
                0x40,
                &[0x05, 0x00, 0x03, 0x01, 0x02, 0x01, 0x82],
                true,
                "A",
            ),
            (
                0x00,
                0x40,
                &[0x05, 0x00, 0x03, 0x01, 0x02, 0x01, b'A'],
                false,
                "A",
            ),
            (
                0x08,
                0x40,
                &[0x05, 0x00, 0x03, 0x01, 0x02, 0x02, 0x00, 0x42],
                false,
                "B",
            ),
            // Turkish single shift selected by the UDH: ESC 0x47 is Ğ.
            (
                0x00,
                0x40,
                &[0x03, 0x24, 0x01, 0x01, 0x1B, 0x47],
                false,
                "Ğ",
            ),
            // Turkish locking shift: 0x07 is ı.
            (0x00, 0x40, &[0x03, 0x25, 0x01, 0x01, 0x07], false, "ı"),
        ];
        for (dc, esm, msg, packed, expected) in cases {
            let (got, issues) = text(*dc, *esm, msg, *packed);
            assert_eq!(got, *expected, "dc {dc:#04x} {msg:02X?}");
            assert!(issues.is_empty(), "{issues:?}");
        }
    }

    #[test]
    fn binary_data_codings_are_returned_as_octets() {
        let opts = DecodeOptions::default();
        for dc in [0x02, 0x04, 0xF4, 0x05] {
            let d = decode(dc, 0, Bytes::from_static(&[1, 2, 0xFF]), &opts).unwrap();
            assert_eq!(
                d.content,
                Content::Binary(Bytes::from_static(&[1, 2, 0xFF]))
            );
        }
    }

    #[test]
    fn irregularities_are_reported_with_positions() {
        let (s, issues) = text(0x08, 0, &[0x00, 0x41, 0xDC, 0x00, 0x00], false);
        assert_eq!(s, "A\u{FFFD}\u{FFFD}");
        assert_eq!(
            issues,
            [
                DecodeIssue::UnpairedSurrogate {
                    position: 1,
                    unit: 0xDC00
                },
                DecodeIssue::OddOctet {
                    position: 2,
                    octet: 0
                },
            ]
        );
        let (s, issues) = text(0x00, 0x40, &[0x03, 0x24, 0x01, 0x09, b'a'], false);
        assert_eq!(s, "a");
        assert_eq!(issues, [DecodeIssue::UnsupportedLanguage { language: 9 }]);
    }

    #[test]
    fn bad_udh_is_an_error() {
        let opts = DecodeOptions::default();
        let err = decode(0, 0x40, Bytes::from_static(&[0x09, 0x00]), &opts).unwrap_err();
        assert!(matches!(err, TextError::UdhTruncated { udhl: 9, .. }));
    }
}
