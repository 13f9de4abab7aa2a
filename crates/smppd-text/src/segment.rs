//! Splitting encoded text into `submit_sm`-ready segments: one message when it fits, otherwise
//! concatenation by UDH (8- or 16-bit reference), SAR TLVs, or one `message_payload`.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use bytes::Bytes;

use crate::encoding::{self, Encoding, EncodingChoice, Offender, Unit, Units};
use crate::error::TextError;
use crate::gsm7::{self, ESC_SEPTET, Gsm7Tables};
use crate::shift::LanguageSet;
use crate::transliterate::Transliteration;
use crate::ucs2;
use crate::udh::{self, ConcatIe};

/// TLV tag `sar_msg_ref_num` (u16).
pub const TAG_SAR_MSG_REF_NUM: u16 = 0x020C;
/// TLV tag `sar_total_segments` (u8).
pub const TAG_SAR_TOTAL_SEGMENTS: u16 = 0x020E;
/// TLV tag `sar_segment_seqnum` (u8).
pub const TAG_SAR_SEGMENT_SEQNUM: u16 = 0x020F;
/// TLV tag `message_payload`.
pub const TAG_MESSAGE_PAYLOAD: u16 = 0x0424;
/// esm_class bit: `short_message` starts with a user data header (UDHI).
pub const ESM_CLASS_UDHI: u8 = 0x40;

/// Octets of user data in one short message (TS 23.040 §9.2.3.16: 140 octets = 160 septets).
const USER_DATA_OCTETS: usize = 140;
/// A TLV's length field is 16 bits.
const PAYLOAD_MAX_OCTETS: usize = u16::MAX as usize;
/// Sequence numbers and totals are one octet.
const MAX_SEGMENTS: usize = 255;
/// A 16-bit-reference concatenation header: `06 08 04 RR RR TT SS`.
const UDH16_OCTETS: usize = 7;
/// An 8-bit-reference concatenation header: `05 00 03 RR TT SS`.
const UDH8_OCTETS: usize = 6;

/// How a text too long for one message is split.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Concat {
    /// UDH element 0x00, 8-bit reference: 153 septets, 67 UCS-2 units, 134 octets a segment.
    #[default]
    Udh8,
    /// UDH element 0x08, 16-bit reference: 152 septets, 66 UCS-2 units, 133 octets a segment.
    Udh16,
    /// SAR TLVs; each segment leaves room for the 16-bit-reference UDH the SMSC adds.
    Sar,
    /// The whole text in one `message_payload` TLV.
    Payload,
}

impl Concat {
    /// Name used in options and output: `udh8`, `udh16`, `sar`, `payload`.
    pub fn name(self) -> &'static str {
        match self {
            Concat::Udh8 => "udh8",
            Concat::Udh16 => "udh16",
            Concat::Sar => "sar",
            Concat::Payload => "payload",
        }
    }
}

impl fmt::Display for Concat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Concat {
    type Err = TextError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Concat::Udh8, Concat::Udh16, Concat::Sar, Concat::Payload]
            .into_iter()
            .find(|c| s.trim().eq_ignore_ascii_case(c.name()))
            .ok_or_else(|| TextError::UnknownName {
                what: "concatenation method",
                name: s.to_owned(),
                expected: "udh8, udh16, sar, payload",
            })
    }
}

/// How to encode and split a message; a link's settings, possibly narrowed by the request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EncodeOptions {
    /// Automatic choice or a forced encoding.
    pub encoding: EncodingChoice,
    /// How to split a text that does not fit one message.
    pub concat: Concat,
    /// GSM text 7-bit packed in `short_message` (otherwise one septet per octet).
    pub gsm7_packed: bool,
    /// Map look-alike characters to GSM ones instead of falling back to UCS-2.
    pub transliterate: bool,
    /// National languages whose shift tables may be used.
    pub national: LanguageSet,
}

/// Hands out concatenation reference numbers; the caller owns one per link (or per destination)
/// so that parts of different messages do not share a reference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferenceCounter {
    next: u16,
}

impl ReferenceCounter {
    /// A counter whose first reference is `start`.
    pub fn new(start: u16) -> Self {
        ReferenceCounter { next: start }
    }

    /// The next reference, wrapping at 65535; an 8-bit reference uses its low octet.
    pub fn take(&mut self) -> u16 {
        let reference = self.next;
        self.next = self.next.wrapping_add(1);
        reference
    }

    /// The reference [`take`](Self::take) will return next.
    pub fn peek(&self) -> u16 {
        self.next
    }
}

/// An optional parameter to attach to the `submit_sm`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tlv {
    /// TLV tag.
    pub tag: u16,
    /// TLV value.
    pub value: Bytes,
}

/// One `submit_sm`'s worth of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// esm_class bits this segment needs: [`ESM_CLASS_UDHI`] when `short_message` (or the
    /// payload) starts with a user data header; the caller ORs in its own mode and type bits.
    pub esm_class: u8,
    /// The data_coding value.
    pub data_coding: u8,
    /// The `short_message` octets, user data header included; empty with `message_payload`.
    pub short_message: Bytes,
    /// TLVs to add: the SAR triple, or `message_payload`.
    pub tlvs: Vec<Tlv>,
    /// Characters of the text in this segment.
    pub characters: usize,
    /// Septets, UCS-2 code units or octets of the text in this segment (header excluded).
    pub units: usize,
}

/// A message encoded and split, with what the choice of encoding found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedMessage {
    /// The encoding used.
    pub encoding: Encoding,
    /// The segments, in order.
    pub segments: Vec<Segment>,
    /// Characters in the (possibly transliterated) text.
    pub characters: usize,
    /// Septets, UCS-2 code units or octets of the whole text.
    pub units: usize,
    /// Characters that forced UCS-2 under automatic choice, each at its first position.
    pub forced_ucs2: Vec<Offender>,
    /// Characters transliteration replaced.
    pub transliterated: Vec<Transliteration>,
}

impl EncodedMessage {
    /// The data_coding every segment carries.
    pub fn data_coding(&self) -> u8 {
        self.encoding.data_coding()
    }

    /// The unit [`units`](Self::units) counts.
    pub fn unit(&self) -> Unit {
        self.encoding.unit()
    }
}

/// Encodes `text` as `options` say and splits it into segments ready for `submit_sm`. A
/// reference is taken from `refs` only when the message is concatenated by UDH or SAR.
pub fn encode_message(
    text: &str,
    options: &EncodeOptions,
    refs: &mut ReferenceCounter,
) -> Result<EncodedMessage, TextError> {
    let chosen = encoding::choose(text, options)?;
    let segments = build(chosen.encoding, &chosen.units, options, refs)?;
    Ok(EncodedMessage {
        encoding: chosen.encoding,
        characters: segments.iter().map(|s| s.characters).sum(),
        units: chosen.units.len(),
        segments,
        forced_ucs2: chosen.forced_ucs2,
        transliterated: chosen.transliterated,
    })
}

/// Splits 8-bit binary data (data_coding 4) into segments, 140 / 134 / 133 octets each.
pub fn encode_binary(
    data: &[u8],
    concat: Concat,
    refs: &mut ReferenceCounter,
) -> Result<EncodedMessage, TextError> {
    let options = EncodeOptions {
        concat,
        ..EncodeOptions::default()
    };
    let units = Units::Octets(data.to_vec());
    let segments = build(Encoding::Binary, &units, &options, refs)?;
    Ok(EncodedMessage {
        encoding: Encoding::Binary,
        characters: data.len(),
        units: data.len(),
        segments,
        forced_ucs2: Vec::new(),
        transliterated: Vec::new(),
    })
}

/// Units of text one message holds: alone, and as one part of a concatenated message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Capacity {
    pub single: usize,
    pub multi: usize,
}

impl Capacity {
    /// TS 23.040 §9.2.3.16 / facts sheet: 160/153/152 septets, 70/67/66 UCS-2 units,
    /// 140/134/133 octets, less whatever the national-language elements take.
    pub(crate) fn of(encoding: Encoding, concat: Concat) -> Capacity {
        let tables = match encoding {
            Encoding::Gsm7(tables) => tables,
            _ => Gsm7Tables::DEFAULT,
        };
        let ies = tables.ie_octets();
        let single_udh = if ies == 0 { 0 } else { 1 + ies };
        let (multi_udh, octets) = match concat {
            Concat::Udh8 => (UDH8_OCTETS + ies, USER_DATA_OCTETS),
            // SAR: the SMSC turns the TLVs into a 16-bit-reference UDH and needs the room.
            Concat::Udh16 | Concat::Sar => (UDH16_OCTETS + ies, USER_DATA_OCTETS),
            Concat::Payload => (single_udh, PAYLOAD_MAX_OCTETS),
        };
        let units = |udh: usize, octets: usize| match encoding.unit() {
            Unit::Septets => (octets * 8 / 7).saturating_sub(gsm7::header_septets(udh)),
            Unit::Ucs2Units => (octets - udh) / 2,
            Unit::Octets => octets - udh,
        };
        Capacity {
            single: units(single_udh, USER_DATA_OCTETS),
            multi: units(multi_udh, octets),
        }
    }
}

impl Units {
    pub(crate) fn len(&self) -> usize {
        match self {
            Units::Septets(v) | Units::Octets(v) => v.len(),
            Units::Ucs2(v) => v.len(),
        }
    }

    /// Whether unit `i` is the first of a pair that must not be split: ESC and the escaped
    /// code, or a surrogate pair.
    fn starts_pair(&self, i: usize) -> bool {
        match self {
            // Encoding never emits ESC as an escaped code, so every ESC starts a pair.
            Units::Septets(v) => v.get(i) == Some(&ESC_SEPTET),
            Units::Ucs2(v) => v.get(i).is_some_and(|&u| ucs2::is_high_surrogate(u)),
            Units::Octets(_) => false,
        }
    }

    fn characters(&self, range: Range<usize>) -> usize {
        let units = self.slice_len(&range);
        match self {
            Units::Septets(v) => units - v[range].iter().filter(|&&s| s == ESC_SEPTET).count(),
            Units::Ucs2(v) => {
                units
                    - v[range]
                        .iter()
                        .filter(|&&u| ucs2::is_high_surrogate(u))
                        .count()
            }
            Units::Octets(_) => units,
        }
    }

    fn slice_len(&self, range: &Range<usize>) -> usize {
        range.end - range.start
    }

    /// Appends the units in `range` as they go on the wire after a header of `udh` octets.
    ///
    /// Packed septets that end with CR exactly on an octet boundary get a second CR when
    /// `room` allows, as TS 23.038 §6.1.2.3.1 asks, because a receiver strips a CR in that
    /// position as padding.
    fn write(&self, range: Range<usize>, udh: usize, packed: bool, room: bool, out: &mut Vec<u8>) {
        match self {
            Units::Septets(v) if packed => {
                let septets = &v[range];
                gsm7::pack(out, udh, septets);
                if room && gsm7::cr_at_boundary(udh, septets) {
                    out.push(CR_AFTER_BOUNDARY);
                }
            }
            Units::Septets(v) | Units::Octets(v) => out.extend_from_slice(&v[range]),
            Units::Ucs2(v) => ucs2::write_be(&v[range], out),
        }
    }
}

/// A CR packed into a fresh octet after an octet boundary (with one zero padding bit).
const CR_AFTER_BOUNDARY: u8 = 0x0D;

/// Ranges of at most `capacity` units, never ending between the two units of a pair. With
/// packed septets a segment does not end with CR on an octet boundary (the receiver would take
/// it for padding): the CR moves to the next segment.
fn split(units: &Units, capacity: usize, packed_udh: Option<usize>) -> Vec<Range<usize>> {
    let len = units.len();
    let mut ranges = Vec::with_capacity(len.div_ceil(capacity.max(1)));
    let mut start = 0;
    while start < len {
        let mut end = (start + capacity).min(len);
        // Capacity is at least 2, so a segment always holds a whole pair.
        if end < len && end > start + 1 && units.starts_pair(end - 1) {
            end -= 1;
        }
        if let (Some(udh), Units::Septets(v)) = (packed_udh, units)
            && end < len
            && end > start + 1
            && gsm7::cr_at_boundary(udh, &v[start..end])
        {
            end -= 1;
        }
        ranges.push(start..end);
        start = end;
    }
    ranges
}

fn build(
    encoding: Encoding,
    units: &Units,
    options: &EncodeOptions,
    refs: &mut ReferenceCounter,
) -> Result<Vec<Segment>, TextError> {
    let tables = match encoding {
        Encoding::Gsm7(tables) => tables,
        _ => Gsm7Tables::DEFAULT,
    };
    let capacity = Capacity::of(encoding, options.concat);
    let data_coding = encoding.data_coding();
    let len = units.len();
    let packed = options.gsm7_packed;

    if len <= capacity.single || options.concat == Concat::Payload {
        let mut out = Vec::with_capacity(USER_DATA_OCTETS);
        udh::write(&mut out, None, tables);
        let udh_len = out.len();
        units.write(0..len, udh_len, packed, len < capacity.single, &mut out);
        let esm_class = if udh_len > 0 { ESM_CLASS_UDHI } else { 0 };
        let segment = |short_message: Bytes, tlvs: Vec<Tlv>| Segment {
            esm_class,
            data_coding,
            short_message,
            tlvs,
            characters: units.characters(0..len),
            units: len,
        };
        if len <= capacity.single {
            return Ok(vec![segment(Bytes::from(out), Vec::new())]);
        }
        if out.len() > PAYLOAD_MAX_OCTETS {
            return Err(TextError::PayloadTooLong {
                octets: out.len(),
                max: PAYLOAD_MAX_OCTETS,
            });
        }
        let payload = Tlv {
            tag: TAG_MESSAGE_PAYLOAD,
            value: Bytes::from(out),
        };
        return Ok(vec![segment(Bytes::new(), vec![payload])]);
    }

    let packed_udh = packed.then(|| match options.concat {
        Concat::Udh8 => UDH8_OCTETS + tables.ie_octets(),
        Concat::Udh16 => UDH16_OCTETS + tables.ie_octets(),
        Concat::Sar | Concat::Payload => match tables.ie_octets() {
            0 => 0,
            ies => 1 + ies,
        },
    });
    let ranges = split(units, capacity.multi, packed_udh);
    let total = u8::try_from(ranges.len()).map_err(|_| TextError::TooManySegments {
        needed: ranges.len(),
        max: MAX_SEGMENTS,
    })?;
    let reference = refs.take();
    let mut buf = Vec::with_capacity(ranges.len() * USER_DATA_OCTETS);
    let mut ends = Vec::with_capacity(ranges.len());
    for (i, range) in ranges.iter().enumerate() {
        let seq = i as u8 + 1;
        let start = buf.len();
        let concat = match options.concat {
            Concat::Udh8 => Some(ConcatIe::Ref8 {
                reference: reference as u8,
                total,
                seq,
            }),
            Concat::Udh16 => Some(ConcatIe::Ref16 {
                reference,
                total,
                seq,
            }),
            Concat::Sar | Concat::Payload => None,
        };
        udh::write(&mut buf, concat, tables);
        let udh_len = buf.len() - start;
        let room = range.len() < capacity.multi;
        units.write(range.clone(), udh_len, packed, room, &mut buf);
        ends.push((start, udh_len, buf.len()));
    }
    let buf = Bytes::from(buf);
    let segments = ranges
        .into_iter()
        .zip(ends)
        .enumerate()
        .map(|(i, (range, (start, udh_len, end)))| {
            let tlvs = if options.concat == Concat::Sar {
                sar_tlvs(reference, total, i as u8 + 1)
            } else {
                Vec::new()
            };
            Segment {
                esm_class: if udh_len > 0 { ESM_CLASS_UDHI } else { 0 },
                data_coding,
                short_message: buf.slice(start..end),
                tlvs,
                characters: units.characters(range.clone()),
                units: range.len(),
            }
        })
        .collect();
    Ok(segments)
}

fn sar_tlvs(reference: u16, total: u8, seq: u8) -> Vec<Tlv> {
    vec![
        Tlv {
            tag: TAG_SAR_MSG_REF_NUM,
            value: Bytes::copy_from_slice(&reference.to_be_bytes()),
        },
        Tlv {
            tag: TAG_SAR_TOTAL_SEGMENTS,
            value: Bytes::copy_from_slice(&[total]),
        },
        Tlv {
            tag: TAG_SAR_SEGMENT_SEQNUM,
            value: Bytes::copy_from_slice(&[seq]),
        },
    ]
}
