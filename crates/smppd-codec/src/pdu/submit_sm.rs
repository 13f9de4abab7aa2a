//! submit_sm (SMPP 3.4 §4.4.1): an ESME submits a short message for delivery. deliver_sm
//! (§4.6.1) has the same body.

use super::BodyCodec;
use crate::error::Problem;
use crate::wire::{Put, Reader, Sizer, put_cstr, put_short_message};
use crate::{
    COctetString, DataCoding, Error, EsmClass, Npi, OctetString, RegisteredDelivery, Tag, Tlvs, Ton,
};
use bytes::BytesMut;

/// The body of submit_sm and deliver_sm.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SubmitSm {
    /// SMS application service (C-string, max 6 with NUL); empty for the default.
    pub service_type: COctetString,
    /// TON of the source address.
    pub source_addr_ton: Ton,
    /// NPI of the source address.
    pub source_addr_npi: Npi,
    /// Source address (C-string, max 21 with NUL).
    pub source_addr: COctetString,
    /// TON of the destination address.
    pub dest_addr_ton: Ton,
    /// NPI of the destination address.
    pub dest_addr_npi: Npi,
    /// Destination address (C-string, max 21 with NUL).
    pub destination_addr: COctetString,
    /// Message mode, type and GSM features (UDHI).
    pub esm_class: EsmClass,
    /// GSM protocol identifier.
    pub protocol_id: u8,
    /// Priority level, 0-3.
    pub priority_flag: u8,
    /// Empty for immediate delivery, else a 16-character time (C-string, max 17 with NUL).
    pub schedule_delivery_time: COctetString,
    /// Empty for the SMSC default, else a 16-character time (C-string, max 17 with NUL).
    pub validity_period: COctetString,
    /// Which receipts are requested.
    pub registered_delivery: RegisteredDelivery,
    /// Whether to replace a pending message with the same source, destination and service type.
    pub replace_if_present_flag: u8,
    /// Alphabet of `short_message`.
    pub data_coding: DataCoding,
    /// Index of a canned message; 0 for none.
    pub sm_default_msg_id: u8,
    /// Up to 254 octets of user data, UDH included (`sm_length` is derived from it).
    pub short_message: OctetString,
    /// Optional parameters.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs,
}

impl BodyCodec for SubmitSm {
    fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        let body = SubmitSm {
            service_type: r.cstr("service_type", 6)?.into(),
            source_addr_ton: Ton(r.u8("source_addr_ton")?),
            source_addr_npi: Npi(r.u8("source_addr_npi")?),
            source_addr: r.cstr("source_addr", 21)?.into(),
            dest_addr_ton: Ton(r.u8("dest_addr_ton")?),
            dest_addr_npi: Npi(r.u8("dest_addr_npi")?),
            destination_addr: r.cstr("destination_addr", 21)?.into(),
            esm_class: EsmClass(r.u8("esm_class")?),
            protocol_id: r.u8("protocol_id")?,
            priority_flag: r.u8("priority_flag")?,
            schedule_delivery_time: r.cstr("schedule_delivery_time", 17)?.into(),
            validity_period: r.cstr("validity_period", 17)?.into(),
            registered_delivery: RegisteredDelivery(r.u8("registered_delivery")?),
            replace_if_present_flag: r.u8("replace_if_present_flag")?,
            data_coding: DataCoding(r.u8("data_coding")?),
            sm_default_msg_id: r.u8("sm_default_msg_id")?,
            short_message: r.short_message()?.into(),
            tlvs: r.tlvs()?,
        };
        // §5.3.2.32: message_payload replaces short_message; both at once is an error.
        if !body.short_message.is_empty() && body.tlvs.get(Tag::MESSAGE_PAYLOAD).is_some() {
            return Err(r.error("message_payload", Problem::PayloadConflict));
        }
        Ok(body)
    }

    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        // §5.3.2.32: message_payload replaces short_message; both at once is an error.
        if !self.short_message.is_empty() && self.tlvs.get(Tag::MESSAGE_PAYLOAD).is_some() {
            return Err(s.error("message_payload", Problem::PayloadConflict));
        }
        s.cstr("service_type", &self.service_type, 6)?
            .int(2)
            .cstr("source_addr", &self.source_addr, 21)?
            .int(2)
            .cstr("destination_addr", &self.destination_addr, 21)?
            .int(3)
            .cstr("schedule_delivery_time", &self.schedule_delivery_time, 17)?
            .cstr("validity_period", &self.validity_period, 17)?
            .int(4)
            .short_message(&self.short_message)?
            .octets(self.tlvs.as_bytes());
        Ok(())
    }

    fn write(&self, dst: &mut BytesMut) {
        put_cstr(dst, &self.service_type);
        dst.put_u8(self.source_addr_ton.0);
        dst.put_u8(self.source_addr_npi.0);
        put_cstr(dst, &self.source_addr);
        dst.put_u8(self.dest_addr_ton.0);
        dst.put_u8(self.dest_addr_npi.0);
        put_cstr(dst, &self.destination_addr);
        dst.put_u8(self.esm_class.0);
        dst.put_u8(self.protocol_id);
        dst.put_u8(self.priority_flag);
        put_cstr(dst, &self.schedule_delivery_time);
        put_cstr(dst, &self.validity_period);
        dst.put_u8(self.registered_delivery.0);
        dst.put_u8(self.replace_if_present_flag);
        dst.put_u8(self.data_coding.0);
        dst.put_u8(self.sm_default_msg_id);
        put_short_message(dst, &self.short_message);
        dst.put_slice(self.tlvs.as_bytes());
    }
}
