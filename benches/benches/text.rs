//! Analysing and segmenting message text: a 1,000-character GSM text and a 1,000-character text
//! with emoji, as `smppd_text::encode_message` does for every submission. Throughput is
//! reported in bytes of UTF-8 input per second (target: at least 200 MB/s on one core).
//!
//!     cargo bench -p smppd-benches --bench text

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smppd_text::{Concat, EncodeOptions, LanguageSet, ReferenceCounter, encode_message};
use std::hint::black_box;

fn gsm_text() -> String {
    "Your order #4711 has shipped! Track it at example.com/t/4711 - questions? Reply HELP. "
        .chars()
        .cycle()
        .take(1000)
        .collect()
}

/// GSM text with extension characters (two septets each), for the national-table choice.
fn gsm_euro_text() -> String {
    "Your code is 483920 {valid 10 min}; cost 0,05€ [reply STOP]. "
        .chars()
        .cycle()
        .take(1000)
        .collect()
}

fn emoji_text() -> String {
    "Table for 2 at 19:00 confirmed 🍝🍷 See you soon! 😊 "
        .chars()
        .cycle()
        .take(1000)
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("text");
    let with = |concat, gsm7_packed, national| EncodeOptions {
        concat,
        gsm7_packed,
        national,
        ..EncodeOptions::default()
    };
    let none = LanguageSet::EMPTY;
    for (name, text, options) in [
        (
            "gsm7_1000_chars_udh8",
            gsm_text(),
            with(Concat::Udh8, false, none),
        ),
        (
            "emoji_1000_chars_udh8",
            emoji_text(),
            with(Concat::Udh8, false, none),
        ),
        (
            "gsm7_1000_chars_sar",
            gsm_text(),
            with(Concat::Sar, false, none),
        ),
        (
            "gsm7_1000_chars_udh8_packed",
            gsm_text(),
            with(Concat::Udh8, true, none),
        ),
        (
            "gsm7_euro_1000_chars_udh8_all_national_tables",
            gsm_euro_text(),
            with(Concat::Udh8, false, LanguageSet::all()),
        ),
    ] {
        let segments = encode_message(&text, &options, &mut ReferenceCounter::new(1))
            .unwrap()
            .segments
            .len();
        assert!(segments > 1, "{name}: {segments} segment(s)");
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| {
            let mut refs = ReferenceCounter::new(1);
            b.iter(|| encode_message(black_box(&text), &options, &mut refs).unwrap());
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
