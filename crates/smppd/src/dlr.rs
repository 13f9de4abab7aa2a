//! Delivery receipts: reading what carriers send (SMPP 3.4 appendix B and §5.3.2.12/35, as
//! practised) and the forms of an SMSC message id a receipt may quote.
//!
//! Carriers differ: the TLVs `receipted_message_id` and `message_state` may be present (they
//! win) or not; the text's fields may be missing, reordered, in any case, with seconds in the
//! dates or not; the id in the text may be decimal where `submit_sm_resp` gave hex, or the
//! reverse. Nothing here fails on a strange receipt: what cannot be read is left out.

use crate::config::MessageIdFormat;
use smppd_codec::{DeliverSm, MessageState, Tag};

/// A receipt's final (or intermediate) state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReceiptState {
    /// DELIVRD / DELIVERED.
    Delivered,
    /// UNDELIV / UNDELIVERABLE.
    Undeliverable,
    /// EXPIRED.
    Expired,
    /// DELETED.
    Deleted,
    /// REJECTD / REJECTED.
    Rejected,
    /// ACCEPTD / ACCEPTED: manually read on behalf of the subscriber (intermediate).
    Accepted,
    /// ENROUTE: intermediate.
    Enroute,
    /// UNKNOWN or anything unreadable.
    Unknown,
}

impl ReceiptState {
    /// The name used in status answers and events.
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptState::Delivered => "delivered",
            ReceiptState::Undeliverable => "undeliverable",
            ReceiptState::Expired => "expired",
            ReceiptState::Deleted => "deleted",
            ReceiptState::Rejected => "rejected",
            ReceiptState::Accepted => "accepted",
            ReceiptState::Enroute => "enroute",
            ReceiptState::Unknown => "unknown",
        }
    }

    /// Whether the message will not change state again.
    pub fn is_final(self) -> bool {
        !matches!(self, ReceiptState::Accepted | ReceiptState::Enroute)
    }

    fn from_stat(stat: &str) -> ReceiptState {
        match stat.to_ascii_uppercase().as_str() {
            "DELIVRD" | "DELIVERED" => ReceiptState::Delivered,
            "UNDELIV" | "UNDELIVERABLE" => ReceiptState::Undeliverable,
            "EXPIRED" => ReceiptState::Expired,
            "DELETED" => ReceiptState::Deleted,
            "REJECTD" | "REJECTED" => ReceiptState::Rejected,
            "ACCEPTD" | "ACCEPTED" => ReceiptState::Accepted,
            "ENROUTE" => ReceiptState::Enroute,
            _ => ReceiptState::Unknown,
        }
    }

    fn from_message_state(state: MessageState) -> ReceiptState {
        match state {
            MessageState::DELIVERED => ReceiptState::Delivered,
            MessageState::UNDELIVERABLE => ReceiptState::Undeliverable,
            MessageState::EXPIRED => ReceiptState::Expired,
            MessageState::DELETED => ReceiptState::Deleted,
            MessageState::REJECTED => ReceiptState::Rejected,
            MessageState::ACCEPTED => ReceiptState::Accepted,
            MessageState::ENROUTE => ReceiptState::Enroute,
            _ => ReceiptState::Unknown,
        }
    }
}

/// What a receipt says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The SMSC message id it reports on (TLV first, else the text's `id:`).
    pub smsc_id: String,
    /// The state (TLV first, else the text's `stat:`).
    pub state: ReceiptState,
    /// The text's `err:` (or the network_error_code TLV as hex), if any.
    pub error: Option<String>,
}

/// Reads a receipt from a deliver_sm whose esm_class says it is one. `None` if no id can be
/// found at all.
pub fn parse(sm: &DeliverSm) -> Option<Receipt> {
    let text = std::str::from_utf8(&sm.short_message)
        .ok()
        .map(str::to_owned)
        .or_else(|| {
            sm.tlvs
                .get(Tag::MESSAGE_PAYLOAD)
                .and_then(|p| std::str::from_utf8(p).ok().map(str::to_owned))
        })
        .unwrap_or_default();
    let fields = text_fields(&text);
    let smsc_id = sm
        .tlvs
        .get_cstr(Tag::RECEIPTED_MESSAGE_ID)
        .and_then(|id| std::str::from_utf8(id).ok())
        .map(str::to_owned)
        .filter(|id| !id.is_empty())
        .or_else(|| fields.id.map(str::to_owned))?;
    let state = match sm.tlvs.get_u8(Tag::MESSAGE_STATE) {
        Some(state) => ReceiptState::from_message_state(MessageState(state)),
        None => fields
            .stat
            .map_or(ReceiptState::Unknown, ReceiptState::from_stat),
    };
    // "err:000" (or a zero network error code) means no error.
    let error = fields
        .err
        .map(str::to_owned)
        .or_else(|| {
            sm.tlvs
                .get(Tag::NETWORK_ERROR_CODE)
                .map(smppd_codec::hex::encode)
        })
        .filter(|e| e.bytes().any(|b| b != b'0'));
    Some(Receipt {
        smsc_id,
        state,
        error,
    })
}

#[derive(Debug, Default)]
struct TextFields<'a> {
    id: Option<&'a str>,
    stat: Option<&'a str>,
    err: Option<&'a str>,
}

/// The `key:value` fields of a receipt text. Keys are matched case-insensitively wherever they
/// stand; a value runs to the next space. `text:` ends the scan (it is free text).
fn text_fields(text: &str) -> TextFields<'_> {
    let mut fields = TextFields::default();
    let mut rest = text;
    while let Some(colon) = rest.find(':') {
        let key = rest[..colon]
            .rsplit(' ')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let after = &rest[colon + 1..];
        let value_end = after.find(' ').unwrap_or(after.len());
        let value = &after[..value_end];
        match key.as_str() {
            "id" if fields.id.is_none() && !value.is_empty() => fields.id = Some(value),
            "stat" => fields.stat = Some(value),
            "err" => fields.err = Some(value),
            "text" => break,
            _ => {}
        }
        rest = &after[value_end..];
    }
    fields
}

/// The lookup keys under which the submission a receipt quotes `id` for may have been recorded,
/// most likely first: the id itself, and its conversion between decimal and hexadecimal where
/// the carrier's `message_id_format` says (or, for `auto`, may) differ between `submit_sm_resp`
/// and the receipt. Every key is in [`lookup_key`] form, the form accepted ids are recorded in.
pub fn receipt_candidates(id: &str, format: MessageIdFormat) -> Vec<String> {
    let mut out = vec![lookup_key(id)];
    let mut push = |v: String| {
        let key = lookup_key(&v);
        if !out.contains(&key) {
            out.push(key);
        }
    };
    let decimal = id.parse::<u128>().ok();
    let hex = u128::from_str_radix(id, 16).ok();
    match format {
        MessageIdFormat::AsIs => {}
        // The response gave hex; the receipt quotes it in decimal.
        MessageIdFormat::Hex => decimal.into_iter().for_each(|n| push(format!("{n:x}"))),
        // The response gave decimal; the receipt quotes it in hex.
        MessageIdFormat::Decimal => hex.into_iter().for_each(|n| push(n.to_string())),
        MessageIdFormat::Auto => {
            decimal.into_iter().for_each(|n| push(format!("{n:x}")));
            hex.into_iter().for_each(|n| push(n.to_string()));
        }
    }
    out
}

/// The keys under which a receipt for `smsc_id` (as `submit_sm_resp` gave it) may have been
/// stored before that response arrived: the receipt-side forms of the id, the inverse of
/// [`receipt_candidates`].
pub fn response_candidates(smsc_id: &str, format: MessageIdFormat) -> Vec<String> {
    let inverse = match format {
        MessageIdFormat::Hex => MessageIdFormat::Decimal,
        MessageIdFormat::Decimal => MessageIdFormat::Hex,
        other => other,
    };
    receipt_candidates(smsc_id, inverse)
}

/// The form an SMSC message id is recorded and looked up in: lowercased, without leading zeros
/// (carriers pad and change case between the response and the receipt).
pub fn lookup_key(id: &str) -> String {
    let lower = id.trim().to_ascii_lowercase();
    let trimmed = lower.trim_start_matches('0');
    if trimmed.is_empty() {
        lower
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smppd_codec::{EsmClass, OctetString, Tlvs};

    fn receipt(text: &str, tlvs: Tlvs) -> DeliverSm {
        DeliverSm {
            esm_class: EsmClass(EsmClass::DELIVERY_RECEIPT),
            short_message: OctetString::from(text.to_owned()),
            tlvs,
            ..DeliverSm::default()
        }
    }

    #[test]
    fn standard_text() {
        let sm = receipt(
            "id:0A1B2C sub:001 dlvrd:001 submit date:2611221015 done date:2611221016 stat:DELIVRD err:000 text:Your order shipped",
            Tlvs::new(),
        );
        assert_eq!(
            parse(&sm),
            Some(Receipt {
                smsc_id: "0A1B2C".into(),
                state: ReceiptState::Delivered,
                error: None,
            })
        );
    }

    #[test]
    fn tlvs_win_over_the_text() {
        let mut tlvs = Tlvs::builder();
        tlvs.cstr(Tag::RECEIPTED_MESSAGE_ID, b"abc123").unwrap();
        tlvs.u8(Tag::MESSAGE_STATE, MessageState::UNDELIVERABLE.0);
        let sm = receipt("id:999 stat:DELIVRD", tlvs.build());
        let r = parse(&sm).unwrap();
        assert_eq!(r.smsc_id, "abc123");
        assert_eq!(r.state, ReceiptState::Undeliverable);
    }

    #[test]
    fn carrier_variations() {
        let cases = [
            // Reordered, uppercase keys, seconds in the dates.
            (
                "STAT:EXPIRED ID:77 ERR:012 SUBMIT DATE:261122101500",
                "77",
                ReceiptState::Expired,
            ),
            // Missing fields.
            ("id:5", "5", ReceiptState::Unknown),
            // The text after text: is free and may contain colons.
            (
                "id:6 stat:UNDELIV text:stat:DELIVRD",
                "6",
                ReceiptState::Undeliverable,
            ),
            ("id:7 stat:REJECTD", "7", ReceiptState::Rejected),
            ("id:8 stat:ACCEPTD", "8", ReceiptState::Accepted),
        ];
        for (text, id, state) in cases {
            let r = parse(&receipt(text, Tlvs::new())).unwrap();
            assert_eq!((r.smsc_id.as_str(), r.state), (id, state), "{text}");
        }
        assert_eq!(parse(&receipt("no id here", Tlvs::new())), None);
        assert_eq!(parse(&receipt("", Tlvs::new())), None);
    }

    #[test]
    fn receipt_ids_match_across_hex_decimal_case_and_padding() {
        // submit_sm_resp gave "00A1" (hex); the receipt quotes 161 (decimal).
        let recorded = lookup_key("00A1");
        assert_eq!(recorded, "a1");
        for format in [MessageIdFormat::Auto, MessageIdFormat::Hex] {
            assert!(
                receipt_candidates("161", format).contains(&recorded),
                "{format:?}"
            );
        }
        assert!(!receipt_candidates("161", MessageIdFormat::AsIs).contains(&recorded));
        // submit_sm_resp gave 161 (decimal); the receipt quotes "A1" (hex).
        let recorded = lookup_key("161");
        for format in [MessageIdFormat::Auto, MessageIdFormat::Decimal] {
            assert!(
                receipt_candidates("A1", format).contains(&recorded),
                "{format:?}"
            );
        }
        // The same id in another case or padding always matches.
        assert_eq!(
            receipt_candidates("0000a1", MessageIdFormat::AsIs),
            vec!["a1".to_owned()]
        );
        assert_eq!(lookup_key("000"), "000");
    }
}
