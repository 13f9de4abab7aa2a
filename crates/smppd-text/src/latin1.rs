//! Single-octet character sets: Latin-1 (ISO 8859-1, data_coding 3) and IA5/ASCII (data_coding 1).

/// Whether `ch` has a Latin-1 octet.
#[inline]
pub(crate) fn is_latin1(ch: char) -> bool {
    (ch as u32) < 0x100
}

/// Whether `ch` is ASCII (IA5).
#[inline]
pub(crate) fn is_ascii(ch: char) -> bool {
    ch.is_ascii()
}

/// Appends the octets of `text` in Latin-1 (or ASCII when `ascii_only`); on failure returns the
/// first character that has no octet and its position in characters.
pub(crate) fn encode(text: &str, ascii_only: bool, out: &mut Vec<u8>) -> Result<(), (char, usize)> {
    out.reserve(text.len());
    for (position, ch) in text.chars().enumerate() {
        let fits = if ascii_only {
            is_ascii(ch)
        } else {
            is_latin1(ch)
        };
        if !fits {
            return Err((ch, position));
        }
        out.push(ch as u8);
    }
    Ok(())
}

/// Decodes Latin-1: every octet is the code point of the same value.
pub(crate) fn decode_latin1(data: &[u8], out: &mut String) {
    out.extend(data.iter().map(|&b| char::from(b)));
}

/// Decodes ASCII, replacing an octet above 0x7F with U+FFFD and calling `issue` with it and its
/// character position.
pub(crate) fn decode_ascii(data: &[u8], out: &mut String, mut issue: impl FnMut(usize, u8)) {
    for (position, &b) in data.iter().enumerate() {
        if b.is_ascii() {
            out.push(char::from(b));
        } else {
            issue(position, b);
            out.push(char::REPLACEMENT_CHARACTER);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_and_ascii_table() {
        // Input, ascii_only, expected octets or first offender.
        type Case<'a> = (&'a str, bool, Result<&'a [u8], (char, usize)>);
        let cases: &[Case<'_>] = &[
            ("abc", true, Ok(b"abc")),
            ("café", false, Ok(&[0x63, 0x61, 0x66, 0xE9])),
            ("café", true, Err(('é', 3))),
            ("ÿ€", false, Err(('€', 1))),
        ];
        for (text, ascii_only, expected) in cases {
            let mut out = Vec::new();
            let got = encode(text, *ascii_only, &mut out).map(|()| out.as_slice());
            assert_eq!(got, *expected, "{text:?}");
        }
    }

    #[test]
    fn ascii_decoding_replaces_high_octets() {
        let mut s = String::new();
        let mut issues = Vec::new();
        decode_ascii(b"a\xE9b", &mut s, |p, b| issues.push((p, b)));
        assert_eq!(s, "a\u{FFFD}b");
        assert_eq!(issues, [(1, 0xE9)]);
        let mut s = String::new();
        decode_latin1(b"a\xE9b", &mut s);
        assert_eq!(s, "aéb");
    }
}
