//! Turning an accepted submission into the `submit_sm`s a link sends: addresses by the link's
//! TON/NPI rules, the text's segments, receipts, validity and scheduling, and the carrier's
//! extra TLVs.

use crate::address;
use crate::config::LinkConfig;
use smppd_codec::{
    COctetString, DataCoding, EsmClass, OctetString, RegisteredDelivery, SubmitSm, Tag, Tlvs,
};
use smppd_text::EncodedMessage;
use std::time::Duration;
use time::OffsetDateTime;

/// What a message asks of every one of its segments.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    /// Destination, as validated (`+E164` or a short code).
    pub to: &'a str,
    /// Sender, as validated.
    pub from: &'a str,
    /// Ask for a delivery receipt.
    pub dlr: bool,
    /// How long the SMSC may keep trying.
    pub validity: Option<Duration>,
    /// When the SMSC is to deliver it.
    pub schedule_at: Option<OffsetDateTime>,
}

/// One `submit_sm` per segment of `encoded`, for `link`.
pub fn submits(
    link: &LinkConfig,
    envelope: &Envelope<'_>,
    encoded: &EncodedMessage,
) -> Result<Vec<SubmitSm>, smppd_codec::Error> {
    let source = address::source(envelope.from, link);
    let dest = address::destination(envelope.to, link);
    let validity_period = envelope.validity.map(relative_time).unwrap_or_default();
    let schedule_delivery_time = envelope.schedule_at.map(absolute_time).unwrap_or_default();
    let registered_delivery = if envelope.dlr {
        RegisteredDelivery::ALWAYS
    } else {
        RegisteredDelivery::NONE
    };
    encoded
        .segments
        .iter()
        .map(|segment| {
            let mut tlvs = Tlvs::builder();
            for tlv in &segment.tlvs {
                tlvs.octets(Tag(tlv.tag), &tlv.value)?;
            }
            for (tag, value) in &link.extra_tlvs {
                tlvs.octets(Tag(*tag), value)?;
            }
            Ok(SubmitSm {
                source_addr_ton: source.ton,
                source_addr_npi: source.npi,
                source_addr: COctetString::from(source.addr.clone()),
                dest_addr_ton: dest.ton,
                dest_addr_npi: dest.npi,
                destination_addr: COctetString::from(dest.addr.clone()),
                esm_class: EsmClass(segment.esm_class),
                schedule_delivery_time: COctetString::from(schedule_delivery_time.clone()),
                validity_period: COctetString::from(validity_period.clone()),
                registered_delivery,
                data_coding: DataCoding(segment.data_coding),
                short_message: OctetString::from(segment.short_message.clone()),
                tlvs: tlvs.build(),
                ..SubmitSm::default()
            })
        })
        .collect()
}

/// SMPP relative time (§7.1.1): `YYMMDDhhmmss000R`, here at most 99 days' worth.
pub fn relative_time(d: Duration) -> String {
    let mut s = d.as_secs().min(99 * 86_400 + 86_399);
    let days = s / 86_400;
    s %= 86_400;
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    format!("0000{days:02}{h:02}{m:02}{sec:02}000R")
}

/// SMPP absolute time (§7.1.1) in UTC: `YYMMDDhhmmss000+`.
pub fn absolute_time(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}000+",
        at.year().rem_euclid(100),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use smppd_text::{EncodeOptions, ReferenceCounter, encode_message};

    #[test]
    fn smpp_times() {
        assert_eq!(
            relative_time(Duration::from_secs(2 * 3600)),
            "000000020000000R"
        );
        assert_eq!(
            relative_time(Duration::from_secs(3 * 86_400 + 61)),
            "000003000101000R"
        );
        let at = OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap();
        assert_eq!(absolute_time(at), "261118110640000+");
    }

    #[test]
    fn segments_become_submits_with_link_addressing() {
        let mut link = LinkConfig::new("l", "h:1", "id", "pw");
        link.extra_tlvs = vec![(0x1400, b"1101234567".to_vec())];
        let text = "x".repeat(200);
        let encoded = encode_message(
            &text,
            &EncodeOptions::default(),
            &mut ReferenceCounter::new(7),
        )
        .unwrap();
        let envelope = Envelope {
            to: "+447700900123",
            from: "ACME",
            dlr: true,
            validity: Some(Duration::from_secs(7200)),
            schedule_at: None,
        };
        let sms = submits(&link, &envelope, &encoded).unwrap();
        assert_eq!(sms.len(), 2);
        for sm in &sms {
            assert_eq!(&sm.destination_addr[..], b"447700900123");
            assert_eq!(sm.dest_addr_ton, smppd_codec::Ton::INTERNATIONAL);
            assert_eq!(sm.source_addr_ton, smppd_codec::Ton::ALPHANUMERIC);
            assert!(sm.esm_class.has_udh());
            assert_eq!(sm.registered_delivery, RegisteredDelivery::ALWAYS);
            assert_eq!(&sm.validity_period[..], b"000000020000000R");
            assert_eq!(sm.tlvs.get(Tag(0x1400)), Some(&b"1101234567"[..]));
        }
    }
}
