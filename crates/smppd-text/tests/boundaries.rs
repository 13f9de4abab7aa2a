//! Escape sequences and surrogate pairs at the capacity boundaries: never split.
//!
//! Each case: the text, the method, and the units (septets or UCS-2 code units) of each segment.

use smppd_text::{Concat, EncodeOptions, ReferenceCounter, encode_message};

fn units(text: &str, concat: Concat, packed: bool) -> Vec<usize> {
    let options = EncodeOptions {
        concat,
        gsm7_packed: packed,
        ..EncodeOptions::default()
    };
    let msg = encode_message(text, &options, &mut ReferenceCounter::new(0)).unwrap();
    msg.segments.iter().map(|s| s.units).collect()
}

fn a(n: usize) -> String {
    "a".repeat(n)
}

#[test]
fn escape_sequences_at_septets_152_to_154() {
    // Text, method, septets per segment. `€` is ESC 0x65: two septets.
    let cases: Vec<(String, Concat, Vec<usize>)> = vec![
        // Single message limit: 160 septets.
        (format!("{}€", a(158)), Concat::Udh8, vec![160]),
        (format!("{}€", a(159)), Concat::Udh8, vec![153, 8]),
        // 8-bit reference, 153 a segment: ESC at septet 153 (1-based) moves on.
        (format!("{}€{}", a(151), a(10)), Concat::Udh8, vec![153, 10]),
        (format!("{}€{}", a(152), a(10)), Concat::Udh8, vec![152, 12]),
        (format!("{}€{}", a(153), a(10)), Concat::Udh8, vec![153, 12]),
        // 16-bit reference and SAR, 152 a segment.
        (
            format!("{}€{}", a(150), a(10)),
            Concat::Udh16,
            vec![152, 10],
        ),
        (
            format!("{}€{}", a(151), a(10)),
            Concat::Udh16,
            vec![151, 12],
        ),
        (
            format!("{}€{}", a(152), a(10)),
            Concat::Udh16,
            vec![152, 12],
        ),
        (format!("{}€{}", a(151), a(10)), Concat::Sar, vec![151, 12]),
        (format!("{}€{}", a(152), a(10)), Concat::Sar, vec![152, 12]),
        // All escapes: 76 per 153-septet segment (152 septets), never 153.
        ("€".repeat(100), Concat::Udh8, vec![152, 48]),
    ];
    for (text, concat, expected) in cases {
        assert_eq!(
            units(&text, concat, false),
            expected,
            "{concat} {}",
            text.len()
        );
        assert_eq!(units(&text, concat, true), expected, "packed {concat}");
    }
}

#[test]
fn surrogate_pairs_at_units_66_to_68() {
    // Text, method, UCS-2 code units per segment. `😀` is a surrogate pair.
    let cases: Vec<(String, Concat, Vec<usize>)> = vec![
        (format!("{}😀", a(68)), Concat::Udh8, vec![70]),
        (format!("{}😀", a(69)), Concat::Udh8, vec![67, 4]),
        (format!("{}😀{}", a(65), a(10)), Concat::Udh8, vec![67, 10]),
        (format!("{}😀{}", a(66), a(10)), Concat::Udh8, vec![66, 12]),
        (format!("{}😀{}", a(67), a(10)), Concat::Udh8, vec![67, 12]),
        (format!("{}😀{}", a(64), a(10)), Concat::Udh16, vec![66, 10]),
        (format!("{}😀{}", a(65), a(10)), Concat::Udh16, vec![65, 12]),
        (format!("{}😀{}", a(66), a(10)), Concat::Udh16, vec![66, 12]),
        (format!("{}😀{}", a(65), a(10)), Concat::Sar, vec![65, 12]),
        ("😀".repeat(40), Concat::Udh8, vec![66, 14]),
    ];
    for (text, concat, expected) in cases {
        assert_eq!(
            units(&text, concat, false),
            expected,
            "{concat} {}",
            text.len()
        );
    }
}

#[test]
fn packed_cr_never_ends_a_full_segment() {
    // 153 septets after a 6-octet UDH end exactly on octet 140; a CR there would read as
    // padding, so it opens the next segment instead.
    let text = format!("{}\r{}", a(152), a(10));
    assert_eq!(units(&text, Concat::Udh8, true), [152, 11]);
    assert_eq!(units(&text, Concat::Udh8, false), [153, 10]);
}
