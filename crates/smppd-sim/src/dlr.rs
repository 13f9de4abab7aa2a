//! Delivery receipts: the `deliver_sm` an SMSC sends when a message reaches its final state.

use crate::config::{DlrConfig, FinalState, IdFormat};
use smppd_codec::{
    DataCoding, DeliverSm, EsmClass, OctetString, RegisteredDelivery, SubmitSm, Tag, Tlvs,
};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// A receipt waiting for its time, then for a receiver session of its `system_id`.
#[derive(Debug)]
pub(crate) struct DlrJob {
    pub due: Instant,
    pub system_id: Arc<str>,
    pub body: DeliverSm,
}

/// Which final state, if any, a `submit_sm` gets a receipt for.
pub(crate) fn wanted(registered_delivery: RegisteredDelivery, state: FinalState) -> bool {
    // §5.2.17: bits 1-0 are 1 (always), 2 (on failure only); 3 is reserved: treated as 1.
    match registered_delivery.0 & 0x03 {
        0 => false,
        2 => !state.is_success(),
        _ => true,
    }
}

/// The receipt for `submit`, which was given message id `id`.
pub(crate) fn receipt(
    submit: &SubmitSm,
    id: u64,
    format: IdFormat,
    config: &DlrConfig,
    state: FinalState,
    submitted: SystemTime,
    done: SystemTime,
) -> DeliverSm {
    let text_format = if config.id_other_base {
        format.other()
    } else {
        format
    };
    let text = receipt_text(
        &text_format.format(id),
        state,
        submitted,
        done,
        first_chars(submit),
    );
    let tlvs = if config.tlvs {
        let mut b = Tlvs::builder();
        // The id is ASCII without NUL: this cannot fail.
        let _ = b.cstr(Tag::RECEIPTED_MESSAGE_ID, format.format(id).as_bytes());
        b.u8(Tag::MESSAGE_STATE, state.message_state().0);
        b.build()
    } else {
        Tlvs::new()
    };
    // §4.6.1: the receipt travels back from the destination to the original sender.
    DeliverSm {
        source_addr_ton: submit.dest_addr_ton,
        source_addr_npi: submit.dest_addr_npi,
        source_addr: submit.destination_addr.clone(),
        dest_addr_ton: submit.source_addr_ton,
        dest_addr_npi: submit.source_addr_npi,
        destination_addr: submit.source_addr.clone(),
        esm_class: EsmClass(EsmClass::DELIVERY_RECEIPT),
        data_coding: DataCoding::DEFAULT,
        short_message: OctetString::from(text.into_bytes()),
        tlvs,
        ..Default::default()
    }
}

/// `id:<id> sub:001 dlvrd:001 submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DELIVRD
/// err:000 text:<first 20 chars>` (SMPP 3.4 appendix B), dates in UTC.
pub(crate) fn receipt_text(
    id: &str,
    state: FinalState,
    submitted: SystemTime,
    done: SystemTime,
    text: String,
) -> String {
    format!(
        "id:{id} sub:001 dlvrd:{} submit date:{} done date:{} stat:{} err:{} text:{text}",
        if state.is_success() { "001" } else { "000" },
        yymmddhhmm(submitted),
        yymmddhhmm(done),
        state.stat(),
        state.err(),
    )
}

/// The first 20 characters of the message's text, as carriers quote it: printable ASCII kept,
/// anything else as `?` (the receipt itself is plain ASCII). The UDH, if any, is skipped.
fn first_chars(submit: &SubmitSm) -> String {
    let mut user_data: &[u8] = if submit.short_message.is_empty() {
        submit.tlvs.get(Tag::MESSAGE_PAYLOAD).unwrap_or(&[])
    } else {
        &submit.short_message
    };
    if submit.esm_class.has_udh() {
        let udh_len = user_data.first().map_or(0, |&l| usize::from(l) + 1);
        user_data = user_data.get(udh_len..).unwrap_or(&[]);
    }
    let ucs2 = submit.data_coding == DataCoding::UCS2;
    let chars: Box<dyn Iterator<Item = u32>> = if ucs2 {
        Box::new(
            user_data
                .chunks_exact(2)
                .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]]))),
        )
    } else {
        Box::new(user_data.iter().map(|&b| u32::from(b)))
    };
    chars
        .take(20)
        .map(|c| match char::from_u32(c) {
            Some(ch) if (' '..='~').contains(&ch) => ch,
            _ => '?',
        })
        .collect()
}

/// `YYMMDDhhmm` in UTC.
pub(crate) fn yymmddhhmm(at: SystemTime) -> String {
    let secs = at
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let in_day = secs.rem_euclid(86_400);
    format!(
        "{:02}{m:02}{d:02}{:02}{:02}",
        y.rem_euclid(100),
        in_day / 3600,
        in_day % 3600 / 60
    )
}

/// The proleptic Gregorian date of a day counted from 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use smppd_codec::Ton;
    use std::time::Duration;

    #[test]
    fn dates() {
        assert_eq!(yymmddhhmm(UNIX_EPOCH), "7001010000");
        // 2024-02-29T23:59:30Z
        let leap = UNIX_EPOCH + Duration::from_secs(1_709_251_170);
        assert_eq!(yymmddhhmm(leap), "2402292359");
        // 2000-03-01T12:34:00Z
        let y2k = UNIX_EPOCH + Duration::from_secs(951_914_040);
        assert_eq!(yymmddhhmm(y2k), "0003011234");
    }

    #[test]
    fn receipt_fields() {
        let submit = SubmitSm {
            source_addr_ton: Ton::ALPHANUMERIC,
            source_addr: "ACME".into(),
            dest_addr_ton: Ton::INTERNATIONAL,
            destination_addr: "447700900123".into(),
            esm_class: EsmClass(EsmClass::UDHI),
            short_message: OctetString::from_static(
                b"\x05\x00\x03\x01\x02\x01Hello, world! \xe9 and more text",
            ),
            ..Default::default()
        };
        let at = UNIX_EPOCH + Duration::from_secs(1_709_251_170);
        let config = DlrConfig {
            id_other_base: true,
            ..DlrConfig::default()
        };
        let dlr = receipt(
            &submit,
            255,
            IdFormat::Hex,
            &config,
            FinalState::Undeliverable,
            at,
            at,
        );
        assert_eq!(
            &dlr.short_message[..],
            b"id:255 sub:001 dlvrd:000 submit date:2402292359 done date:2402292359 \
              stat:UNDELIV err:001 text:Hello, world! ? and "
        );
        assert_eq!(dlr.esm_class.0, 0x04);
        assert_eq!(&dlr.source_addr[..], b"447700900123");
        assert_eq!(dlr.dest_addr_ton, Ton::ALPHANUMERIC);
        assert_eq!(
            dlr.tlvs.get_cstr(Tag::RECEIPTED_MESSAGE_ID),
            Some(&b"ff"[..])
        );
        assert_eq!(dlr.tlvs.get_u8(Tag::MESSAGE_STATE), Some(5));
    }

    #[test]
    fn registered_delivery() {
        let always = RegisteredDelivery::ALWAYS;
        let failure = RegisteredDelivery::ON_FAILURE;
        assert!(wanted(always, FinalState::Delivered));
        assert!(!wanted(failure, FinalState::Delivered));
        assert!(wanted(failure, FinalState::Expired));
        assert!(!wanted(RegisteredDelivery::NONE, FinalState::Rejected));
        assert!(wanted(RegisteredDelivery(0x11), FinalState::Delivered));
    }
}
