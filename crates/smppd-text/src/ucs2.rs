//! UCS-2 as SMSCs actually use it (data_coding 8): UTF-16 big-endian, surrogate pairs included.

/// Whether a UTF-16 code unit is the first half of a surrogate pair.
#[inline]
pub(crate) fn is_high_surrogate(unit: u16) -> bool {
    (0xD800..0xDC00).contains(&unit)
}

/// Appends the UTF-16 code units of `text`.
pub(crate) fn encode_units(text: &str, out: &mut Vec<u16>) {
    out.reserve(text.len());
    out.extend(text.encode_utf16());
}

/// Appends the UTF-16 code units of one character (a slice copy costs more for one or two).
#[inline]
pub(crate) fn push_char(ch: char, out: &mut Vec<u16>) {
    let cp = ch as u32;
    if cp < 0x1_0000 {
        out.push(cp as u16);
    } else {
        let v = cp - 0x1_0000;
        out.push(0xD800 | (v >> 10) as u16);
        out.push(0xDC00 | (v & 0x3FF) as u16);
    }
}

/// Appends code units as big-endian octets.
pub(crate) fn write_be(units: &[u16], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + units.len() * 2, 0);
    let dest = out.get_mut(start..).unwrap_or_default();
    for (pair, unit) in dest.chunks_exact_mut(2).zip(units) {
        pair.copy_from_slice(&unit.to_be_bytes());
    }
}

/// What decoding UTF-16 found besides characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ucs2Issue {
    /// A surrogate without its partner; decoded as U+FFFD.
    UnpairedSurrogate(u16),
    /// An odd octet count left one octet over; decoded as U+FFFD.
    OddOctet(u8),
}

/// Decodes big-endian UTF-16, replacing each unpaired surrogate (and a trailing odd octet) with
/// U+FFFD and calling `issue` with what was replaced and its character position.
pub(crate) fn decode_be(data: &[u8], out: &mut String, mut issue: impl FnMut(usize, Ucs2Issue)) {
    let pairs = data.chunks_exact(2);
    let rest = pairs.remainder();
    let units = pairs.map(|p| u16::from_be_bytes([p[0], p[1]]));
    let mut chars = 0;
    for decoded in char::decode_utf16(units) {
        match decoded {
            Ok(ch) => out.push(ch),
            Err(e) => {
                issue(chars, Ucs2Issue::UnpairedSurrogate(e.unpaired_surrogate()));
                out.push(char::REPLACEMENT_CHARACTER);
            }
        }
        chars += 1;
    }
    if let Some(&octet) = rest.first() {
        issue(chars, Ucs2Issue::OddOctet(octet));
        out.push(char::REPLACEMENT_CHARACTER);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_big_endian_with_surrogate_pairs() {
        // Input, octets.
        let cases: &[(&str, &[u8])] = &[
            ("A", &[0x00, 0x41]),
            ("€", &[0x20, 0xAC]),
            ("😀", &[0xD8, 0x3D, 0xDE, 0x00]),
            ("a😀", &[0x00, 0x61, 0xD8, 0x3D, 0xDE, 0x00]),
        ];
        for (text, expected) in cases {
            let mut units = Vec::new();
            encode_units(text, &mut units);
            let mut pushed = Vec::new();
            text.chars().for_each(|c| push_char(c, &mut pushed));
            assert_eq!(pushed, units);
            let mut bytes = Vec::new();
            write_be(&units, &mut bytes);
            assert_eq!(bytes, *expected, "{text:?}");
            let mut back = String::new();
            decode_be(&bytes, &mut back, |_, _| panic!("no issue expected"));
            assert_eq!(back, *text);
        }
    }

    #[test]
    fn unpaired_surrogates_and_odd_octets_become_replacement_characters() {
        let mut s = String::new();
        let mut issues = Vec::new();
        decode_be(
            &[0x00, 0x41, 0xD8, 0x3D, 0x00, 0x42, 0xDE, 0x00, 0x7F],
            &mut s,
            |p, i| issues.push((p, i)),
        );
        assert_eq!(s, "A\u{FFFD}B\u{FFFD}\u{FFFD}");
        assert_eq!(
            issues,
            [
                (1, Ucs2Issue::UnpairedSurrogate(0xD83D)),
                (3, Ucs2Issue::UnpairedSurrogate(0xDE00)),
                (4, Ucs2Issue::OddOctet(0x7F)),
            ]
        );
    }
}
