//! Reassembly of concatenated inbound messages: out of order, duplicated, incomplete, bounded.

use std::time::{Duration, Instant};

use bytes::Bytes;
use smppd_text::{
    Concat, ConcatInfo, DecodeIssue, DecodeOptions, EncodeOptions, InboundPart, Outcome,
    Reassembled, Reassembler, ReassemblyConfig, ReferenceCounter, encode_message,
};

/// Encodes `text` as an SMSC would deliver it and returns the parts, in order.
fn parts(text: &str, concat: Concat, packed: bool, reference: u16) -> Vec<InboundPart> {
    let options = EncodeOptions {
        concat,
        gsm7_packed: packed,
        ..EncodeOptions::default()
    };
    let msg = encode_message(text, &options, &mut ReferenceCounter::new(reference)).unwrap();
    let decode = DecodeOptions {
        gsm7_packed: packed,
    };
    msg.segments
        .iter()
        .map(|s| {
            let sar = ConcatInfo::from_sar_tlvs(s.tlvs.iter().map(|t| (t.tag, &t.value[..])));
            InboundPart::parse(
                s.data_coding,
                s.esm_class,
                s.short_message.clone(),
                sar,
                &decode,
            )
            .unwrap()
        })
        .collect()
}

fn text(r: &Reassembled) -> &str {
    r.decoded.content.text().unwrap()
}

fn config() -> ReassemblyConfig {
    ReassemblyConfig {
        max_sets: 4,
        max_bytes: 4096,
        timeout: Duration::from_secs(60),
    }
}

#[test]
fn joins_parts_in_any_order_for_every_method() {
    let gsm = format!("{}€{}", "a".repeat(152), "b".repeat(200));
    let ucs2 = format!("{}😀{}", "a".repeat(66), "é😀".repeat(50));
    let now = Instant::now();
    for (text_in, concat, packed) in [
        (&gsm, Concat::Udh8, false),
        (&gsm, Concat::Udh8, true),
        (&gsm, Concat::Udh16, true),
        (&gsm, Concat::Sar, false),
        (&ucs2, Concat::Udh8, false),
        (&ucs2, Concat::Sar, false),
    ] {
        let mut parts = parts(text_in, concat, packed, 300);
        assert!(parts.len() >= 3);
        parts.reverse();
        let mut r = Reassembler::new(config());
        let last = parts.pop().unwrap();
        for part in parts {
            assert!(r.push("111", "222", part, now).is_empty());
        }
        let out = r.push("111", "222", last, now);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].outcome, Outcome::Complete);
        assert_eq!(text(&out[0]), text_in.as_str(), "{concat} packed={packed}");
        assert!(out[0].decoded.issues.is_empty());
        assert!(r.is_empty());
        assert_eq!(r.bytes(), 0);
    }
}

#[test]
fn duplicates_are_counted_not_repeated() {
    let now = Instant::now();
    let p = parts(&"x".repeat(400), Concat::Udh8, false, 9);
    let mut r = Reassembler::new(config());
    assert!(r.push("a", "b", p[1].clone(), now).is_empty());
    assert!(r.push("a", "b", p[1].clone(), now).is_empty());
    assert!(r.push("a", "b", p[0].clone(), now).is_empty());
    assert!(r.push("a", "b", p[0].clone(), now).is_empty());
    let out = r.push("a", "b", p[2].clone(), now);
    assert_eq!(out.len(), 1);
    assert_eq!(text(&out[0]), "x".repeat(400));
    assert_eq!(out[0].duplicates, 2);
}

#[test]
fn sets_are_keyed_by_sender_recipient_and_reference() {
    let now = Instant::now();
    let one = parts(&"1".repeat(200), Concat::Udh8, false, 5);
    let two = parts(&"2".repeat(200), Concat::Udh8, false, 5);
    let mut r = Reassembler::new(config());
    assert!(r.push("alice", "bob", one[0].clone(), now).is_empty());
    assert!(r.push("carol", "bob", two[0].clone(), now).is_empty());
    assert!(r.push("alice", "dave", two[0].clone(), now).is_empty());
    assert_eq!(r.len(), 3);
    let out = r.push("carol", "bob", two[1].clone(), now);
    assert_eq!(
        (text(&out[0]), out[0].sender.as_str()),
        ("2".repeat(200).as_str(), "carol")
    );
    let out = r.push("alice", "bob", one[1].clone(), now);
    assert_eq!(text(&out[0]), "1".repeat(200));
}

#[test]
fn incomplete_sets_expire_flagged_with_what_is_missing() {
    let start = Instant::now();
    let p = parts(&"y".repeat(400), Concat::Udh16, false, 0xBEEF);
    let mut r = Reassembler::new(config());
    assert!(r.push("a", "b", p[0].clone(), start).is_empty());
    assert!(
        r.push("a", "b", p[2].clone(), start + Duration::from_secs(10))
            .is_empty()
    );
    assert_eq!(r.next_deadline(), Some(start + Duration::from_secs(60)));
    assert!(r.expire(start + Duration::from_secs(59)).is_empty());
    let out = r.expire(start + Duration::from_secs(60));
    assert_eq!(out.len(), 1);
    let got = &out[0];
    assert_eq!(got.outcome, Outcome::Expired);
    assert!(!got.is_complete());
    assert_eq!(
        (got.reference, got.total, got.missing.clone()),
        (Some(0xBEEF), 3, vec![2])
    );
    assert_eq!(text(got), "y".repeat(152 + 96));
    assert!(r.is_empty());
    assert_eq!(r.next_deadline(), None);
}

#[test]
fn memory_bounds_evict_the_oldest_as_incomplete() {
    let now = Instant::now();
    let mut r = Reassembler::new(config());
    let mut evicted = Vec::new();
    for reference in 0..6u16 {
        let p = parts(&"z".repeat(200), Concat::Udh8, false, reference);
        let at = now + Duration::from_secs(u64::from(reference));
        evicted.extend(r.push("a", "b", p[0].clone(), at));
    }
    assert_eq!(r.len(), 4);
    let refs: Vec<(Option<u16>, Outcome)> =
        evicted.iter().map(|e| (e.reference, e.outcome)).collect();
    assert_eq!(
        refs,
        [(Some(0), Outcome::Evicted), (Some(1), Outcome::Evicted)]
    );
    assert_eq!(text(&evicted[0]), "z".repeat(153));

    // Octet bound: each first part holds 153 octets; 1000 octets fit 6.
    let mut r = Reassembler::new(ReassemblyConfig {
        max_sets: 100,
        max_bytes: 1000,
        ..config()
    });
    let mut out = Vec::new();
    for reference in 0..8u16 {
        let p = parts(&"z".repeat(200), Concat::Udh8, false, reference);
        out.extend(r.push("a", "b", p[0].clone(), now));
    }
    assert_eq!(r.len(), 6);
    assert!(r.bytes() <= 1000);
    assert_eq!(out.len(), 2);
    // Nothing is lost: draining returns the rest.
    assert_eq!(r.drain().len(), 6);
    assert!(r.is_empty());
}

#[test]
fn a_different_total_under_the_same_key_supersedes_the_old_set() {
    let now = Instant::now();
    let three = parts(&"q".repeat(400), Concat::Udh8, false, 1);
    let two = parts(&"r".repeat(200), Concat::Udh8, false, 1);
    let mut r = Reassembler::new(config());
    assert!(r.push("a", "b", three[0].clone(), now).is_empty());
    let out = r.push("a", "b", two[0].clone(), now);
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].outcome, out[0].missing.clone()),
        (Outcome::Superseded, vec![2, 3])
    );
    let out = r.push("a", "b", two[1].clone(), now);
    assert_eq!(text(&out[0]), "r".repeat(200));
}

#[test]
fn single_and_malformed_parts_come_straight_back() {
    let now = Instant::now();
    let mut r = Reassembler::new(config());
    let single = parts("hello", Concat::Udh8, false, 0).remove(0);
    let out = r.push("a", "b", single, now);
    assert_eq!(
        (out[0].outcome, text(&out[0])),
        (Outcome::Complete, "hello")
    );
    // Sequence 3 of 2.
    let bad = InboundPart::parse(
        0,
        0x40,
        Bytes::from_static(&[0x05, 0x00, 0x03, 0x01, 0x02, 0x03, b'x']),
        None,
        &DecodeOptions::default(),
    )
    .unwrap();
    let out = r.push("a", "b", bad, now);
    assert_eq!((out[0].outcome, text(&out[0])), (Outcome::BadSequence, "x"));
    assert!(r.is_empty());
}

#[test]
fn a_surrogate_pair_split_by_the_sender_is_rejoined() {
    // Another gateway split 😀 (D83D DE00) across two UCS-2 parts; joining before decoding
    // repairs it.
    let now = Instant::now();
    let part = |seq: u8, body: &[u8]| {
        let mut msg = vec![0x05, 0x00, 0x03, 0x77, 0x02, seq];
        msg.extend_from_slice(body);
        InboundPart::parse(8, 0x40, Bytes::from(msg), None, &DecodeOptions::default()).unwrap()
    };
    let mut r = Reassembler::new(config());
    assert!(
        r.push("a", "b", part(2, &[0xDE, 0x00, 0x00, 0x21]), now)
            .is_empty()
    );
    let out = r.push("a", "b", part(1, &[0x00, 0x41, 0xD8, 0x3D]), now);
    assert_eq!(text(&out[0]), "A😀!");
    // Alone, the first half is reported.
    let lone = part(1, &[0x00, 0x41, 0xD8, 0x3D]).decode();
    assert_eq!(
        lone.issues,
        [DecodeIssue::UnpairedSurrogate {
            position: 1,
            unit: 0xD83D
        }]
    );
}
