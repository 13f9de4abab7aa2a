//! Lowercase hex, as used for octet strings in the JSON form and by tools reading traces.

use std::fmt::Write;

/// Lowercase hex of `octets`.
pub fn encode(octets: &[u8]) -> String {
    let mut out = String::with_capacity(octets.len() * 2);
    for b in octets {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Octets from hex text; ASCII whitespace and a leading `0x` are ignored, so that traces can be
/// pasted as they are. The error names the first offending character and its position.
pub fn decode(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    let text = text.strip_prefix("0x").unwrap_or(text);
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut high: Option<u8> = None;
    for (at, c) in text.char_indices() {
        if c.is_ascii_whitespace() {
            continue;
        }
        let Some(nibble) = c.to_digit(16) else {
            return Err(format!("invalid hex character {c:?} at position {at}"));
        };
        match high.take() {
            None => high = Some(nibble as u8),
            Some(h) => out.push(h << 4 | nibble as u8),
        }
    }
    if high.is_some() {
        return Err("odd number of hex digits".to_owned());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        assert_eq!(encode(&[0x00, 0xab, 0x7f]), "00ab7f");
        assert_eq!(decode("0x00 AB\n7f").unwrap(), vec![0x00, 0xab, 0x7f]);
        assert_eq!(
            decode("0g").unwrap_err(),
            "invalid hex character 'g' at position 1"
        );
        assert_eq!(decode("abc").unwrap_err(), "odd number of hex digits");
    }
}
