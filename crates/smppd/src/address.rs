//! Phone numbers and sender names as the socket takes them, and as SMPP carries them
//! (TON/NPI plus digits). Numbers are normalised so that history and opt-outs match however a
//! number arrives: an MO from TON 1 `447700900123` is `+447700900123`.

use crate::config::LinkConfig;
use smppd_codec::{Npi, Ton};

/// An address as it goes into a PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmppAddress {
    /// Type of number.
    pub ton: Ton,
    /// Numbering plan.
    pub npi: Npi,
    /// The digits or name, without `+`.
    pub addr: String,
}

/// E.164 with `+`: 8 to 15 digits, the first not 0.
pub fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len()) && all_digits(digits) && !digits.starts_with('0')
    })
}

/// A short code: 1 to 8 digits.
pub fn is_short_code(number: &str) -> bool {
    (1..=8).contains(&number.len()) && all_digits(number)
}

/// 1 to 11 ASCII letters, digits and spaces with at least one letter: what every carrier takes
/// as an alphanumeric `source_addr` (TON 5).
pub fn is_alphanumeric_sender(from: &str) -> bool {
    (1..=11).contains(&from.len())
        && from.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ')
        && from.bytes().any(|b| b.is_ascii_alphabetic())
}

/// Whether `to` is a valid destination: E.164 with `+`, or a short code.
pub fn is_valid_destination(to: &str) -> bool {
    is_e164(to) || is_short_code(to)
}

/// Whether `from` is a valid sender: a number, or an alphanumeric sender id.
pub fn is_valid_source(from: &str) -> bool {
    is_valid_destination(from) || is_alphanumeric_sender(from)
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The destination address of a submit_sm: E.164 with the link's `dest_ton`/`dest_npi`
/// (international / ISDN by default), a short code as TON unknown.
pub fn destination(to: &str, link: &LinkConfig) -> SmppAddress {
    match to.strip_prefix('+') {
        Some(digits) => SmppAddress {
            ton: Ton(link.dest_ton),
            npi: Npi(link.dest_npi),
            addr: digits.to_owned(),
        },
        None => SmppAddress {
            ton: Ton::UNKNOWN,
            npi: Npi(link.dest_npi),
            addr: to.to_owned(),
        },
    }
}

/// The source address of a submit_sm: an alphanumeric sender as TON 5 / NPI 0, E.164 with the
/// link's `source_ton`/`source_npi`, a short code as TON unknown.
pub fn source(from: &str, link: &LinkConfig) -> SmppAddress {
    if let Some(digits) = from.strip_prefix('+') {
        return SmppAddress {
            ton: Ton(link.source_ton),
            npi: Npi(link.source_npi),
            addr: digits.to_owned(),
        };
    }
    if all_digits(from) {
        return SmppAddress {
            ton: Ton::UNKNOWN,
            npi: Npi(link.source_npi),
            addr: from.to_owned(),
        };
    }
    SmppAddress {
        ton: Ton::ALPHANUMERIC,
        npi: Npi::UNKNOWN,
        addr: from.to_owned(),
    }
}

/// The normalised form of an address that came in a PDU: international numbers get their
/// `+`, everything else stays as sent.
pub fn normalize(ton: Ton, addr: &str) -> String {
    let addr = addr.trim();
    if addr.starts_with('+') {
        return addr.to_owned();
    }
    if ton == Ton::INTERNATIONAL && all_digits(addr) {
        return format!("+{addr}");
    }
    // Some carriers send international numbers as 00 + country code with TON unknown.
    if ton == Ton::UNKNOWN && addr.len() > 10 && addr.starts_with("00") && all_digits(addr) {
        return format!("+{}", &addr[2..]);
    }
    addr.to_owned()
}

/// The form a number takes in lookups (history, opt-outs) whatever its input form: an
/// E.164 number written without its `+` (as apps and carriers often do) gets it.
pub fn normalize_number(number: &str) -> String {
    let number = number.trim();
    if !number.starts_with('+') && number.len() > 8 && all_digits(number) {
        return format!("+{number}");
    }
    number.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations() {
        for ok in [
            "+447700900123",
            "+12345678",
            "+123456789012345",
            "2222",
            "12345678",
        ] {
            assert!(is_valid_destination(ok), "{ok}");
        }
        for bad in [
            "",
            "+1234567",
            "+1234567890123456",
            "123456789",
            "447700 900123",
            "+44-7700",
            "ACME",
            "+",
        ] {
            assert!(!is_valid_destination(bad), "{bad}");
        }
    }

    #[test]
    fn sources() {
        for ok in ["ACME", "Acme Shop", "ACME2024", "+447700900123", "2222"] {
            assert!(is_valid_source(ok), "{ok}");
        }
        for bad in [
            "",
            "TwelveChars!",
            "ACME-SHOP",
            "Twelve Chars",
            "Ünïcode",
            "12345678901",
        ] {
            assert!(!is_valid_source(bad), "{bad}");
        }
    }

    #[test]
    fn pdu_addresses() {
        let link = LinkConfig::new("l", "h:1", "id", "pw");
        assert_eq!(
            destination("+447700900123", &link),
            SmppAddress {
                ton: Ton::INTERNATIONAL,
                npi: Npi::ISDN,
                addr: "447700900123".into()
            }
        );
        assert_eq!(destination("2222", &link).ton, Ton::UNKNOWN);
        assert_eq!(source("ACME", &link).ton, Ton::ALPHANUMERIC);
        assert_eq!(source("ACME", &link).npi, Npi::UNKNOWN);
        assert_eq!(source("+447700900123", &link).addr, "447700900123");
    }

    #[test]
    fn normalisation() {
        assert_eq!(
            normalize(Ton::INTERNATIONAL, "447700900123"),
            "+447700900123"
        );
        assert_eq!(normalize(Ton::UNKNOWN, "00447700900123"), "+447700900123");
        assert_eq!(normalize(Ton::UNKNOWN, "2222"), "2222");
        assert_eq!(normalize(Ton::ALPHANUMERIC, "ACME"), "ACME");
        assert_eq!(normalize_number("447700900123"), "+447700900123");
        assert_eq!(normalize_number("+447700900123"), "+447700900123");
        assert_eq!(normalize_number("2222"), "2222");
    }
}
