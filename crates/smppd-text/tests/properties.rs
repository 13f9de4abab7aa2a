//! Property tests: decode(encode(s)) == s, re-joined segments equal the input, no segment over
//! capacity, and decoding arbitrary octets never panics.

use bytes::Bytes;
use proptest::prelude::*;
use smppd_text::{
    Concat, ConcatInfo, DecodeOptions, EncodeOptions, Encoding, EncodingChoice, InboundPart,
    LanguageSet, Reassembler, ReassemblyConfig, ReferenceCounter, Unit, decode, encode_message,
};

/// Characters of the GSM default alphabet and extension table, plus look-alikes and the national
/// characters, plus some that only UCS-2 carries.
const GSM: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà\u{0C}^{}\\[~]|€";
const NATIONAL: &str = "ğĞıİşŞçáíóúÁÍÓÚêÊôÔãõÃÕâÂÀ∞ªº`";
const OTHER: &str = "😀👍🏽漢字Жж“”—…\u{A0}";

fn text_from(alphabet: &'static str, max: usize) -> impl Strategy<Value = String> {
    let chars: Vec<char> = alphabet.chars().collect();
    prop::collection::vec(prop::sample::select(chars), 0..max).prop_map(String::from_iter)
}

fn concat() -> impl Strategy<Value = Concat> {
    prop_oneof![
        Just(Concat::Udh8),
        Just(Concat::Udh16),
        Just(Concat::Sar),
        Just(Concat::Payload)
    ]
}

/// Decodes every segment as an SMSC would hand it back and reassembles.
fn rejoin(msg: &smppd_text::EncodedMessage, packed: bool) -> String {
    let options = DecodeOptions {
        gsm7_packed: packed,
    };
    let mut r = Reassembler::new(ReassemblyConfig::default());
    let now = std::time::Instant::now();
    let mut out = Vec::new();
    for s in &msg.segments {
        let payload = s
            .tlvs
            .iter()
            .find(|t| t.tag == 0x0424)
            .map(|t| t.value.clone());
        let sar = ConcatInfo::from_sar_tlvs(s.tlvs.iter().map(|t| (t.tag, &t.value[..])));
        let body = payload.unwrap_or_else(|| s.short_message.clone());
        let part = InboundPart::parse(s.data_coding, s.esm_class, body, sar, &options).unwrap();
        out.extend(r.push("s", "d", part, now));
    }
    assert_eq!(out.len(), 1);
    assert!(out[0].is_complete());
    assert!(
        out[0].decoded.issues.is_empty(),
        "{:?}",
        out[0].decoded.issues
    );
    out[0].decoded.content.text().unwrap().to_owned()
}

/// Packed GSM and every other encoding fill at most 140 octets; unpacked GSM (one septet an
/// octet, the SMSC packs) up to 7 + 153, within sm_length's 254.
fn max_octets(within_140: bool) -> usize {
    if within_140 { 140 } else { 254 }
}

/// Capacity a segment must respect, in its units.
fn capacity(unit: Unit, concat: Concat, segments: usize, ies: usize) -> usize {
    let udh = match (segments, concat) {
        (1, _) | (_, Concat::Payload) => {
            if ies == 0 {
                0
            } else {
                1 + ies
            }
        }
        (_, Concat::Udh8) => 6 + ies,
        (_, Concat::Udh16 | Concat::Sar) => 7 + ies,
    };
    if segments > 1 && concat == Concat::Payload {
        unreachable!("payload is one segment");
    }
    match unit {
        Unit::Septets => 160 - (udh * 8).div_ceil(7),
        Unit::Ucs2Units => (140 - udh) / 2,
        Unit::Octets => 140 - udh,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn gsm_text_round_trips(text in text_from(GSM, 400), concat in concat(), packed: bool) {
        // A packed message that ends in CR on an octet boundary is ambiguous by design
        // (TS 23.038 §6.1.2.3.1): the encoder doubles the CR.
        prop_assume!(!(packed && text.ends_with('\r')));
        let options = EncodeOptions { concat, gsm7_packed: packed, ..EncodeOptions::default() };
        let msg = encode_message(&text, &options, &mut ReferenceCounter::new(1)).unwrap();
        prop_assert_eq!(msg.encoding, Encoding::GSM7);
        prop_assert_eq!(rejoin(&msg, packed), text.clone());
        let n = msg.segments.len();
        if concat != Concat::Payload {
            for s in &msg.segments {
                prop_assert!(s.units <= capacity(Unit::Septets, concat, n, 0));
                prop_assert!(s.short_message.len() <= max_octets(packed));
            }
        }
        prop_assert_eq!(msg.characters, text.chars().count());
    }

    #[test]
    fn any_text_round_trips(
        text in text_from(concat!("abc é€", "😀👍🏽漢字Жж“”—…\u{A0}", "ğşç"), 300),
        concat in concat(),
        national: bool,
    ) {
        let options = EncodeOptions {
            concat,
            national: if national { LanguageSet::all() } else { LanguageSet::EMPTY },
            ..EncodeOptions::default()
        };
        let msg = encode_message(&text, &options, &mut ReferenceCounter::new(1)).unwrap();
        prop_assert_eq!(rejoin(&msg, false), text.clone());
        let ies = match msg.encoding {
            Encoding::Gsm7(t) => t.ie_octets(),
            _ => 0,
        };
        let n = msg.segments.len();
        if concat != Concat::Payload {
            for s in &msg.segments {
                prop_assert!(s.units <= capacity(msg.unit(), concat, n, ies));
                prop_assert!(s.short_message.len() <= max_octets(msg.unit() != Unit::Septets));
            }
        }
        let joined: usize = msg.segments.iter().map(|s| s.characters).sum();
        prop_assert_eq!(joined, text.chars().count());
    }

    #[test]
    fn national_text_round_trips_in_every_table_pair(
        text in text_from(concat!("abcXYZ 123", "ğĞıİşŞçáíóúÁÍÓÚêÊôÔãõÃÕâÂÀ∞ªº`"), 300),
        name in prop::sample::select(vec![
            "gsm7-turkish", "gsm7-spanish", "gsm7-portuguese", "gsm7-turkish-locking",
            "gsm7-portuguese-locking", "gsm7-turkish-locking-only",
            "gsm7-portuguese-locking-spanish",
        ]),
        packed: bool,
    ) {
        prop_assume!(!(packed && text.ends_with('\r')));
        let encoding: Encoding = name.parse().unwrap();
        let text: String = text.chars().filter(|&c| encoding.can_encode(c)).collect();
        let options = EncodeOptions {
            encoding: EncodingChoice::Forced(encoding),
            gsm7_packed: packed,
            ..EncodeOptions::default()
        };
        let msg = encode_message(&text, &options, &mut ReferenceCounter::new(1)).unwrap();
        prop_assert_eq!(rejoin(&msg, packed), text);
        let Encoding::Gsm7(t) = encoding else { unreachable!() };
        for s in &msg.segments {
            prop_assert!(s.units <= capacity(Unit::Septets, Concat::Udh8, msg.segments.len(), t.ie_octets()));
            prop_assert!(s.short_message.len() <= max_octets(packed));
        }
    }

    #[test]
    fn national_tables_never_cost_more_segments(
        text in text_from(concat!("abc €{}[]", "ğşıçáêã`∞"), 500),
        concat in concat(),
    ) {
        let plain = EncodeOptions { concat, ..EncodeOptions::default() };
        let national = EncodeOptions { national: LanguageSet::all(), ..plain };
        let a = encode_message(&text, &plain, &mut ReferenceCounter::new(1)).unwrap();
        let b = encode_message(&text, &national, &mut ReferenceCounter::new(1)).unwrap();
        prop_assert!(b.segments.len() <= a.segments.len(), "{} vs {}", b.encoding, a.encoding);
        prop_assert_eq!(rejoin(&b, false), text);
    }

    #[test]
    fn latin1_round_trips(text in "[\\x{20}-\\x{FF}]{0,300}") {
        let options = EncodeOptions {
            encoding: EncodingChoice::Forced(Encoding::Latin1),
            ..EncodeOptions::default()
        };
        let msg = encode_message(&text, &options, &mut ReferenceCounter::new(1)).unwrap();
        prop_assert_eq!(rejoin(&msg, false), text);
    }

    #[test]
    fn decoding_arbitrary_octets_never_panics(
        dc: u8,
        esm: u8,
        packed: bool,
        octets in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let options = DecodeOptions { gsm7_packed: packed };
        let _ = decode(dc, esm, Bytes::from(octets.clone()), &options);
        if let Ok(part) = InboundPart::parse(dc, esm, Bytes::from(octets), None, &options) {
            let mut r = Reassembler::new(ReassemblyConfig::default());
            let _ = r.push("a", "b", part, std::time::Instant::now());
            let _ = r.drain();
        }
    }
}

#[test]
fn unused_other_alphabet_is_exercised() {
    // Keeps OTHER and NATIONAL honest: each has characters outside the default alphabet.
    for ch in OTHER.chars().chain(NATIONAL.chars()) {
        assert!(!Encoding::GSM7.can_encode(ch), "{ch:?}");
    }
}
