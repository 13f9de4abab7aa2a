//! Segmentation, table-driven: input and options, expected octets and segments side by side.

use smppd_text::{
    Concat, EncodeOptions, Encoding, EncodingChoice, LanguageSet, NationalLanguage,
    ReferenceCounter, TextError, encode_binary, encode_message,
};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// What one segment should look like: esm_class, short_message hex, TLVs as (tag, hex),
/// characters, units.
type Expect = (u8, String, Vec<(u16, String)>, usize, usize);

fn seg(esm: u8, sm: impl Into<String>, chars: usize, units: usize) -> Expect {
    (esm, sm.into(), Vec::new(), chars, units)
}

fn check(text: &str, options: EncodeOptions, encoding: &str, expected: &[Expect]) {
    let mut refs = ReferenceCounter::new(0x4142);
    let msg = encode_message(text, &options, &mut refs).unwrap();
    assert_eq!(msg.encoding.to_string(), encoding, "{text:?}");
    let got: Vec<Expect> = msg
        .segments
        .iter()
        .map(|s| {
            assert_eq!(s.data_coding, msg.data_coding());
            let tlvs = s.tlvs.iter().map(|t| (t.tag, hex(&t.value))).collect();
            (
                s.esm_class,
                hex(&s.short_message),
                tlvs,
                s.characters,
                s.units,
            )
        })
        .collect();
    assert_eq!(got, expected, "{text:?} {options:?}");
}

fn opts(concat: Concat) -> EncodeOptions {
    EncodeOptions {
        concat,
        ..EncodeOptions::default()
    }
}

#[test]
fn single_messages() {
    let packed = EncodeOptions {
        gsm7_packed: true,
        ..EncodeOptions::default()
    };
    let d = EncodeOptions::default();
    // Input, options, encoding, segments.
    let cases: Vec<(&str, EncodeOptions, &str, Vec<Expect>)> = vec![
        ("Hello", d, "gsm7", vec![seg(0, "48656C6C6F", 5, 5)]),
        ("Hello", packed, "gsm7", vec![seg(0, "C8329BFD06", 5, 5)]),
        (
            "hellohello",
            packed,
            "gsm7",
            vec![seg(0, "E8329BFD4697D9EC37", 10, 10)],
        ),
        ("€5", d, "gsm7", vec![seg(0, "1B6535", 2, 3)]),
        ("@£$¥", d, "gsm7", vec![seg(0, "00010203", 4, 4)]),
        ("é ñ", d, "gsm7", vec![seg(0, "05207D", 3, 3)]),
        ("😀", d, "ucs2", vec![seg(0, "D83DDE00", 1, 2)]),
        ("ça", d, "ucs2", vec![seg(0, "00E70061", 2, 2)]),
        ("", d, "gsm7", vec![seg(0, "", 0, 0)]),
        (
            "x".repeat(160).as_str(),
            d,
            "gsm7",
            vec![seg(0, "78".repeat(160), 160, 160)],
        ),
        (
            format!("{}€", "x".repeat(158)).as_str(),
            d,
            "gsm7",
            vec![seg(0, format!("{}1B65", "78".repeat(158)), 159, 160)],
        ),
        (
            format!("{}😀", "x".repeat(68)).as_str(),
            d,
            "ucs2",
            vec![seg(0, format!("{}D83DDE00", "0078".repeat(68)), 69, 70)],
        ),
    ]
    .into_iter()
    .map(|(t, o, e, s)| (t.to_owned().leak() as &str, o, e, s))
    .collect();
    for (text, options, encoding, expected) in &cases {
        check(text, *options, encoding, expected);
    }
}

#[test]
fn concatenation_methods() {
    let text = "x".repeat(161);
    let udh8 = |seq: &str| format!("05000342020{seq}");
    let udh16 = |seq: &str| format!("0608044142020{seq}");
    let sar = |seq: u8| {
        vec![
            (0x020C, "4142".to_owned()),
            (0x020E, "02".to_owned()),
            (0x020F, format!("{seq:02X}")),
        ]
    };
    // Method, segments.
    let cases: Vec<(Concat, Vec<Expect>)> = vec![
        (
            Concat::Udh8,
            vec![
                seg(0x40, udh8("1") + &"78".repeat(153), 153, 153),
                seg(0x40, udh8("2") + &"78".repeat(8), 8, 8),
            ],
        ),
        (
            Concat::Udh16,
            vec![
                seg(0x40, udh16("1") + &"78".repeat(152), 152, 152),
                seg(0x40, udh16("2") + &"78".repeat(9), 9, 9),
            ],
        ),
        (
            Concat::Sar,
            vec![
                (0, "78".repeat(152), sar(1), 152, 152),
                (0, "78".repeat(9), sar(2), 9, 9),
            ],
        ),
        (
            Concat::Payload,
            vec![(0, String::new(), vec![(0x0424, "78".repeat(161))], 161, 161)],
        ),
    ];
    for (concat, expected) in &cases {
        check(&text, opts(*concat), "gsm7", expected);
    }
}

#[test]
fn packed_segments_start_on_a_septet_boundary() {
    let options = EncodeOptions {
        gsm7_packed: true,
        ..EncodeOptions::default()
    };
    let mut refs = ReferenceCounter::new(7);
    let msg = encode_message(&"A".repeat(161), &options, &mut refs).unwrap();
    assert_eq!(msg.segments.len(), 2);
    // 6 octets of UDH, one fill bit, 153 septets: exactly 140 octets.
    let first = &msg.segments[0].short_message;
    assert_eq!(first.len(), 140);
    // 0x41 after one fill bit: 0x82; the next octet holds the second septet and bit 0 of the
    // third: 0x41 | 0x80.
    assert_eq!(hex(&first[..8]), "05000307020182C1");
    // 8 septets after the 7-septet header: 15 septets, 105 bits, 14 octets.
    let second = &msg.segments[1].short_message;
    assert_eq!(second.len(), 14);
    assert_eq!(hex(&second[..7]), "05000307020282");
    let packed = smppd_text::DecodeOptions { gsm7_packed: true };
    for (segment, expected) in msg.segments.iter().zip([153, 8]) {
        let decoded = smppd_text::decode(0, 0x40, segment.short_message.clone(), &packed).unwrap();
        assert_eq!(decoded.content.text().unwrap(), "A".repeat(expected));
    }
}

#[test]
fn ucs2_and_binary_capacities() {
    // Input, method, segments (units each).
    let emoji = "😀".repeat(40); // 80 code units
    let cases: Vec<(&str, Concat, Vec<usize>)> = vec![
        (&emoji, Concat::Udh8, vec![66, 14]),
        (&emoji, Concat::Udh16, vec![66, 14]),
        (&emoji, Concat::Sar, vec![66, 14]),
    ];
    for (text, concat, units) in cases {
        let msg = encode_message(text, &opts(concat), &mut ReferenceCounter::new(0)).unwrap();
        let got: Vec<usize> = msg.segments.iter().map(|s| s.units).collect();
        assert_eq!(got, units, "{concat}");
    }
    let data = vec![0xAB; 300];
    for (concat, sizes) in [
        (Concat::Udh8, vec![134, 134, 32]),
        (Concat::Udh16, vec![133, 133, 34]),
        (Concat::Sar, vec![133, 133, 34]),
        (Concat::Payload, vec![300]),
    ] {
        let msg = encode_binary(&data, concat, &mut ReferenceCounter::new(0)).unwrap();
        let got: Vec<usize> = msg.segments.iter().map(|s| s.units).collect();
        assert_eq!(got, sizes, "{concat}");
        assert!(msg.segments.iter().all(|s| s.data_coding == 4));
    }
}

#[test]
fn national_tables_only_when_permitted() {
    let tr: LanguageSet = [NationalLanguage::Turkish].into_iter().collect();
    let all = LanguageSet::all();
    let with = |national| EncodeOptions {
        national,
        ..EncodeOptions::default()
    };
    // Input, permitted, encoding, segments.
    let cases: Vec<(&str, LanguageSet, &str, Vec<Expect>)> = vec![
        ("ğ", LanguageSet::EMPTY, "ucs2", vec![seg(0, "011F", 1, 1)]),
        (
            "ğ",
            tr,
            "gsm7-turkish",
            vec![seg(0x40, "032401011B67", 1, 2)],
        ),
        // ç is in the Turkish single shift table; ş too.
        (
            "çş",
            tr,
            "gsm7-turkish",
            vec![seg(0x40, "032401011B631B73", 2, 4)],
        ),
        // Spanish: á only through its single shift table.
        (
            "á",
            all,
            "gsm7-spanish",
            vec![seg(0x40, "032401021B61", 1, 2)],
        ),
        // Portuguese: ê in the single shift table.
        (
            "ê",
            all,
            "gsm7-portuguese",
            vec![seg(0x40, "032401031B05", 1, 2)],
        ),
        // A backtick is only in the Portuguese locking shift table.
        (
            "`",
            all,
            "gsm7-portuguese-locking-only",
            vec![seg(0x40, "032501037D", 1, 1)],
        ),
        // Text the default alphabet carries stays in it.
        ("abc", all, "gsm7", vec![seg(0, "616263", 3, 3)]),
        // Curly quotes are in no table.
        ("“x”", all, "ucs2", vec![seg(0, "201C0078201D", 3, 3)]),
    ];
    for (text, national, encoding, expected) in &cases {
        check(text, with(*national), encoding, expected);
    }
}

#[test]
fn auto_choice_minimises_segments() {
    // 100 ı (Turkish dotless i): single shift costs 2 septets each (200 > 155: 2 segments); the
    // locking table holds it in one septet (100 <= 155: 1 segment).
    let text = "ı".repeat(100);
    let options = EncodeOptions {
        national: LanguageSet::all(),
        ..EncodeOptions::default()
    };
    let msg = encode_message(&text, &options, &mut ReferenceCounter::new(0)).unwrap();
    assert_eq!(msg.encoding.to_string(), "gsm7-turkish-locking-only");
    assert_eq!(msg.segments.len(), 1);
    assert_eq!(msg.units, 100);
    // A single shift IE leaves 155 septets for a lone message.
    let fits = format!("{}ğ", "a".repeat(153));
    let msg = encode_message(&fits, &options, &mut ReferenceCounter::new(0)).unwrap();
    assert_eq!((msg.segments.len(), msg.units), (1, 155));
    // With 8-bit-reference concatenation the same IE makes a 9-octet UDH (11 septets with fill):
    // 149 septets a segment.
    let long = format!("{}ğ", "a".repeat(300));
    let msg = encode_message(&long, &options, &mut ReferenceCounter::new(0)).unwrap();
    let units: Vec<usize> = msg.segments.iter().map(|s| s.units).collect();
    assert_eq!(units, [149, 149, 4]);
    assert!(
        msg.segments[0]
            .short_message
            .starts_with(&[0x08, 0x00, 0x03])
    );
}

#[test]
fn forced_encodings_name_the_first_offender() {
    let force = |e: &str| EncodeOptions {
        encoding: e.parse().unwrap(),
        ..EncodeOptions::default()
    };
    // Input, encoding, error.
    let cases: &[(&str, &str, char, usize)] = &[
        ("ab`c", "gsm7", '`', 2),
        ("naïve ☃", "latin1", '☃', 6),
        ("café", "ascii", 'é', 3),
        ("x😀", "gsm7-turkish", '😀', 1),
    ];
    for (text, encoding, ch, position) in cases {
        let err = encode_message(text, &force(encoding), &mut ReferenceCounter::new(0));
        assert_eq!(
            err.unwrap_err(),
            TextError::Unencodable {
                ch: *ch,
                position: *position,
                encoding: encoding.parse::<Encoding>().unwrap(),
            }
        );
    }
    // Forced encodings that can carry the text.
    let msg = encode_message("café", &force("latin1"), &mut ReferenceCounter::new(0)).unwrap();
    assert_eq!(hex(&msg.segments[0].short_message), "636166E9");
    assert_eq!(msg.data_coding(), 3);
    let msg = encode_message("abc", &force("ucs2"), &mut ReferenceCounter::new(0)).unwrap();
    assert_eq!(hex(&msg.segments[0].short_message), "006100620063");
    let msg = encode_message("abc", &force("ascii"), &mut ReferenceCounter::new(0)).unwrap();
    assert_eq!((msg.data_coding(), msg.segments[0].units), (1, 3));
}

#[test]
fn transliteration_reports_changes_and_positions() {
    let options = EncodeOptions {
        transliterate: true,
        ..EncodeOptions::default()
    };
    let msg = encode_message("It’s “fine” — ok…", &options, &mut ReferenceCounter::new(0)).unwrap();
    assert_eq!(msg.encoding, Encoding::GSM7);
    assert_eq!(
        hex(&msg.segments[0].short_message),
        hex(b"It's \"fine\" - ok...")
    );
    let changed: Vec<(usize, char, &str)> = msg
        .transliterated
        .iter()
        .map(|t| (t.position, t.from, t.to))
        .collect();
    assert_eq!(
        changed,
        [
            (2, '’', "'"),
            (5, '“', "\""),
            (10, '”', "\""),
            (12, '—', "-"),
            (16, '…', "...")
        ]
    );
    // Off by default: the same text goes UCS-2 and says why.
    let msg = encode_message(
        "It’s “fine”",
        &EncodeOptions::default(),
        &mut ReferenceCounter::new(0),
    )
    .unwrap();
    assert_eq!(msg.encoding, Encoding::Ucs2);
    let offenders: Vec<(char, usize)> =
        msg.forced_ucs2.iter().map(|o| (o.ch, o.position)).collect();
    assert_eq!(offenders, [('’', 2), ('“', 5), ('”', 10)]);
    // A character with no look-alike keeps the whole text in UCS-2, untransliterated.
    let msg = encode_message("“hi” 😀", &options, &mut ReferenceCounter::new(0)).unwrap();
    assert_eq!(msg.encoding, Encoding::Ucs2);
    assert!(msg.transliterated.is_empty());
    assert_eq!(msg.forced_ucs2.len(), 3);
    // Forced with transliteration: the error names the original position.
    let forced = EncodeOptions {
        encoding: EncodingChoice::Forced(Encoding::GSM7),
        transliterate: true,
        ..EncodeOptions::default()
    };
    let err = encode_message("a…b😀", &forced, &mut ReferenceCounter::new(0)).unwrap_err();
    assert!(
        matches!(
            err,
            TextError::Unencodable {
                ch: '😀',
                position: 3,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn references_come_from_the_callers_counter() {
    let mut refs = ReferenceCounter::new(0x01FF);
    let long = "x".repeat(200);
    // Single messages take no reference.
    encode_message("short", &EncodeOptions::default(), &mut refs).unwrap();
    assert_eq!(refs.peek(), 0x01FF);
    let a = encode_message(&long, &opts(Concat::Udh8), &mut refs).unwrap();
    let b = encode_message(&long, &opts(Concat::Udh16), &mut refs).unwrap();
    assert_eq!(a.segments[0].short_message[3], 0xFF);
    assert_eq!(&b.segments[0].short_message[3..5], &[0x02, 0x00]);
    assert_eq!(refs.peek(), 0x0201);
}

#[test]
fn limits_are_errors() {
    let mut refs = ReferenceCounter::new(0);
    let err = encode_message(&"x".repeat(153 * 255 + 1), &opts(Concat::Udh8), &mut refs);
    assert_eq!(
        err.unwrap_err(),
        TextError::TooManySegments {
            needed: 256,
            max: 255
        }
    );
    assert!(encode_message(&"x".repeat(153 * 255), &opts(Concat::Udh8), &mut refs).is_ok());
    let err = encode_message(&"x".repeat(70_000), &opts(Concat::Payload), &mut refs);
    assert_eq!(
        err.unwrap_err(),
        TextError::PayloadTooLong {
            octets: 70_000,
            max: 65_535
        }
    );
}
