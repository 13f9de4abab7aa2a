//! The user data header (3GPP TS 23.040 §9.2.3.24): building the concatenation and national
//! language elements, and parsing a received header.

use bytes::Bytes;

use crate::error::TextError;
use crate::gsm7::Gsm7Tables;
use crate::shift::NationalLanguage;

/// IEI of concatenated short messages, 8-bit reference (TS 23.040 §9.2.3.24.1).
pub const IEI_CONCAT_8: u8 = 0x00;
/// IEI of concatenated short messages, 16-bit reference (TS 23.040 §9.2.3.24.8).
pub const IEI_CONCAT_16: u8 = 0x08;
/// IEI of the national language single shift (TS 23.040 §9.2.3.24.15).
pub const IEI_SINGLE_SHIFT: u8 = 0x24;
/// IEI of the national language locking shift (TS 23.040 §9.2.3.24.16).
pub const IEI_LOCKING_SHIFT: u8 = 0x25;

/// Where a part sits in a concatenated message, from a UDH element or the SAR TLVs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConcatInfo {
    /// Reference number shared by all parts (an 8-bit reference is widened).
    pub reference: u16,
    /// Number of parts, 1-based.
    pub total: u8,
    /// This part's sequence number, 1-based.
    pub seq: u8,
}

impl ConcatInfo {
    /// Reads the SAR TLVs (`sar_msg_ref_num` 0x020C, `sar_total_segments` 0x020E,
    /// `sar_segment_seqnum` 0x020F) from `(tag, value)` pairs; `None` unless all three are present
    /// with their defined sizes.
    pub fn from_sar_tlvs<'a>(tlvs: impl IntoIterator<Item = (u16, &'a [u8])>) -> Option<Self> {
        let (mut reference, mut total, mut seq) = (None, None, None);
        for (tag, value) in tlvs {
            match (tag, value) {
                (crate::segment::TAG_SAR_MSG_REF_NUM, &[hi, lo]) => {
                    reference = Some(u16::from_be_bytes([hi, lo]));
                }
                (crate::segment::TAG_SAR_TOTAL_SEGMENTS, &[n]) => total = Some(n),
                (crate::segment::TAG_SAR_SEGMENT_SEQNUM, &[n]) => seq = Some(n),
                _ => {}
            }
        }
        Some(ConcatInfo {
            reference: reference?,
            total: total?,
            seq: seq?,
        })
    }
}

/// A parsed user data header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Udh {
    /// The concatenation element, if any (the last one wins if repeated).
    pub concat: Option<ConcatInfo>,
    /// Language of the single shift element, if any (as sent; it may be unsupported).
    pub single_shift: Option<u8>,
    /// Language of the locking shift element, if any (as sent; it may be unsupported).
    pub locking_shift: Option<u8>,
    /// Every other element, kept as `(IEI, value)`.
    pub other: Vec<(u8, Bytes)>,
}

impl Udh {
    /// Parses the header at the start of `message` (UDHL first); returns it and the header's
    /// length in octets, UDHL included.
    pub fn parse(message: &Bytes) -> Result<(Udh, usize), TextError> {
        let Some(&udhl) = message.first() else {
            return Err(TextError::UdhTruncated {
                udhl: 0,
                needed: 1,
                available: 0,
            });
        };
        let end = 1 + usize::from(udhl);
        // TS 23.040 §9.2.3.24: UDHL counts the octets after itself.
        if end > message.len() {
            return Err(TextError::UdhTruncated {
                udhl,
                needed: end,
                available: message.len(),
            });
        }
        let mut udh = Udh::default();
        let mut at = 1;
        while at < end {
            let iei = message[at];
            let Some(&length) = message.get(at + 1).filter(|_| at + 1 < end) else {
                return Err(TextError::IeTruncated {
                    iei,
                    offset: at,
                    length: 0,
                    available: 0,
                });
            };
            let start = at + 2;
            let value_end = start + usize::from(length);
            if value_end > end {
                return Err(TextError::IeTruncated {
                    iei,
                    offset: at,
                    length,
                    available: end - start,
                });
            }
            let value = &message[start..value_end];
            let expect = |expected: u8| {
                if length == expected {
                    Ok(())
                } else {
                    Err(TextError::IeLength {
                        iei,
                        offset: at,
                        length,
                        expected,
                    })
                }
            };
            match iei {
                IEI_CONCAT_8 => {
                    expect(3)?;
                    udh.concat = Some(ConcatInfo {
                        reference: u16::from(value[0]),
                        total: value[1],
                        seq: value[2],
                    });
                }
                IEI_CONCAT_16 => {
                    expect(4)?;
                    udh.concat = Some(ConcatInfo {
                        reference: u16::from_be_bytes([value[0], value[1]]),
                        total: value[2],
                        seq: value[3],
                    });
                }
                IEI_SINGLE_SHIFT => {
                    expect(1)?;
                    udh.single_shift = Some(value[0]);
                }
                IEI_LOCKING_SHIFT => {
                    expect(1)?;
                    udh.locking_shift = Some(value[0]);
                }
                _ => udh.other.push((iei, message.slice(start..value_end))),
            }
            at = value_end;
        }
        Ok((udh, end))
    }

    /// The GSM tables the shift elements select; an unsupported language falls back to the
    /// default table and is returned as the second value.
    pub fn gsm7_tables(&self) -> (Gsm7Tables, Option<u8>) {
        let mut unsupported = None;
        let mut language = |id: Option<u8>, locking: bool| {
            let id = id?;
            match NationalLanguage::from_id(id) {
                Some(l) if !locking || l.has_locking_table() => Some(l),
                _ => {
                    unsupported = Some(id);
                    None
                }
            }
        };
        let locking = language(self.locking_shift, true);
        let single = language(self.single_shift, false);
        let tables = Gsm7Tables::new(locking, single).unwrap_or_default();
        (tables, unsupported)
    }
}

/// The concatenation element a segment carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConcatIe {
    /// `00 03 RR TT SS`.
    Ref8 { reference: u8, total: u8, seq: u8 },
    /// `08 04 RR RR TT SS`.
    Ref16 { reference: u16, total: u8, seq: u8 },
}

/// Writes a UDH (UDHL first) with the concatenation element and the national-language elements
/// of `tables`; writes nothing when there are no elements.
pub(crate) fn write(out: &mut Vec<u8>, concat: Option<ConcatIe>, tables: Gsm7Tables) {
    let concat_len = match concat {
        None => 0,
        Some(ConcatIe::Ref8 { .. }) => 5,
        Some(ConcatIe::Ref16 { .. }) => 6,
    };
    let udhl = concat_len + tables.ie_octets();
    if udhl == 0 {
        return;
    }
    out.push(udhl as u8);
    match concat {
        None => {}
        Some(ConcatIe::Ref8 {
            reference,
            total,
            seq,
        }) => out.extend_from_slice(&[IEI_CONCAT_8, 3, reference, total, seq]),
        Some(ConcatIe::Ref16 {
            reference,
            total,
            seq,
        }) => {
            let [hi, lo] = reference.to_be_bytes();
            out.extend_from_slice(&[IEI_CONCAT_16, 4, hi, lo, total, seq]);
        }
    }
    if let Some(l) = tables.locking_language() {
        out.extend_from_slice(&[IEI_LOCKING_SHIFT, 1, l.id()]);
    }
    if let Some(s) = tables.single_language() {
        out.extend_from_slice(&[IEI_SINGLE_SHIFT, 1, s.id()]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shift::NationalLanguage::{Spanish, Turkish};

    #[test]
    fn writes_concatenation_and_shift_elements() {
        // Concat, tables, expected header.
        let turkish = Gsm7Tables::new(Some(Turkish), Some(Turkish)).unwrap();
        let cases: &[(Option<ConcatIe>, Gsm7Tables, &[u8])] = &[
            (None, Gsm7Tables::DEFAULT, &[]),
            (
                Some(ConcatIe::Ref8 {
                    reference: 0xAB,
                    total: 3,
                    seq: 1,
                }),
                Gsm7Tables::DEFAULT,
                &[0x05, 0x00, 0x03, 0xAB, 0x03, 0x01],
            ),
            (
                Some(ConcatIe::Ref16 {
                    reference: 0x1234,
                    total: 2,
                    seq: 2,
                }),
                Gsm7Tables::DEFAULT,
                &[0x06, 0x08, 0x04, 0x12, 0x34, 0x02, 0x02],
            ),
            (None, Gsm7Tables::single(Spanish), &[0x03, 0x24, 0x01, 0x02]),
            (
                Some(ConcatIe::Ref8 {
                    reference: 7,
                    total: 2,
                    seq: 1,
                }),
                turkish,
                &[
                    0x0B, 0x00, 0x03, 0x07, 0x02, 0x01, 0x25, 0x01, 0x01, 0x24, 0x01, 0x01,
                ],
            ),
        ];
        for (concat, tables, expected) in cases {
            let mut out = Vec::new();
            write(&mut out, *concat, *tables);
            assert_eq!(out, *expected);
            if !expected.is_empty() {
                let (udh, n) = Udh::parse(&Bytes::copy_from_slice(expected)).unwrap();
                assert_eq!(n, expected.len());
                assert_eq!(udh.gsm7_tables().0, *tables);
                assert_eq!(udh.concat.is_some(), concat.is_some());
            }
        }
    }

    #[test]
    fn parses_and_keeps_unknown_elements() {
        let msg = Bytes::from_static(&[
            0x0B, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0, 0x00, 0x03, 0x2A, 0x02, 0x01, b'h', b'i',
        ]);
        let (udh, n) = Udh::parse(&msg).unwrap();
        assert_eq!(n, 12);
        assert_eq!(
            udh.concat,
            Some(ConcatInfo {
                reference: 0x2A,
                total: 2,
                seq: 1
            })
        );
        assert_eq!(
            udh.other,
            [(0x05, Bytes::from_static(&[0x0B, 0x84, 0x23, 0xF0]))]
        );
    }

    #[test]
    fn malformed_headers_are_errors_with_offsets() {
        // Message, expected error.
        let cases: &[(&[u8], TextError)] = &[
            (
                &[],
                TextError::UdhTruncated {
                    udhl: 0,
                    needed: 1,
                    available: 0,
                },
            ),
            (
                &[0x05, 0x00, 0x03],
                TextError::UdhTruncated {
                    udhl: 5,
                    needed: 6,
                    available: 3,
                },
            ),
            (
                &[0x03, 0x00, 0x03, 0x01],
                TextError::IeTruncated {
                    iei: 0,
                    offset: 1,
                    length: 3,
                    available: 1,
                },
            ),
            (
                &[0x01, 0x00],
                TextError::IeTruncated {
                    iei: 0,
                    offset: 1,
                    length: 0,
                    available: 0,
                },
            ),
            (
                &[0x04, 0x00, 0x02, 0x01, 0x01],
                TextError::IeLength {
                    iei: 0,
                    offset: 1,
                    length: 2,
                    expected: 3,
                },
            ),
        ];
        for (msg, expected) in cases {
            let got = Udh::parse(&Bytes::copy_from_slice(msg)).unwrap_err();
            assert_eq!(got, *expected, "{msg:02X?}");
        }
    }

    #[test]
    fn sar_tlvs_are_read() {
        let tlvs: [(u16, &[u8]); 3] = [(0x020C, &[0x01, 0x02]), (0x020E, &[3]), (0x020F, &[2])];
        assert_eq!(
            ConcatInfo::from_sar_tlvs(tlvs),
            Some(ConcatInfo {
                reference: 0x0102,
                total: 3,
                seq: 2
            })
        );
        assert_eq!(ConcatInfo::from_sar_tlvs(tlvs[..2].iter().copied()), None);
    }
}
