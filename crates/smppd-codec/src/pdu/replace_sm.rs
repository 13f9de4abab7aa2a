//! replace_sm (SMPP 3.4 §4.10.1): replace a pending message. Its response (§4.10.2) is a bare
//! header.

use super::BodyCodec;
use crate::wire::{Put, Reader, Sizer, put_cstr, put_short_message};
use crate::{COctetString, Error, Npi, OctetString, RegisteredDelivery, Tlvs, Ton};
use bytes::BytesMut;

/// The body of replace_sm.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReplaceSm {
    /// The SMSC's id of the message to replace (C-string, max 65 with NUL).
    pub message_id: COctetString,
    /// TON of the original source address.
    pub source_addr_ton: Ton,
    /// NPI of the original source address.
    pub source_addr_npi: Npi,
    /// The original source address (C-string, max 21 with NUL).
    pub source_addr: COctetString,
    /// New scheduled delivery time (C-string, max 17 with NUL).
    pub schedule_delivery_time: COctetString,
    /// New validity period (C-string, max 17 with NUL).
    pub validity_period: COctetString,
    /// Which receipts are requested.
    pub registered_delivery: RegisteredDelivery,
    /// Index of a canned message; 0 for none.
    pub sm_default_msg_id: u8,
    /// The new user data, up to 254 octets.
    pub short_message: OctetString,
    /// Optional parameters (none in 3.4; kept if a peer sends them).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs,
}

impl BodyCodec for ReplaceSm {
    fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(ReplaceSm {
            message_id: r.cstr("message_id", 65)?.into(),
            source_addr_ton: Ton(r.u8("source_addr_ton")?),
            source_addr_npi: Npi(r.u8("source_addr_npi")?),
            source_addr: r.cstr("source_addr", 21)?.into(),
            schedule_delivery_time: r.cstr("schedule_delivery_time", 17)?.into(),
            validity_period: r.cstr("validity_period", 17)?.into(),
            registered_delivery: RegisteredDelivery(r.u8("registered_delivery")?),
            sm_default_msg_id: r.u8("sm_default_msg_id")?,
            short_message: r.short_message()?.into(),
            tlvs: r.tlvs()?,
        })
    }

    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        s.cstr("message_id", &self.message_id, 65)?
            .int(2)
            .cstr("source_addr", &self.source_addr, 21)?
            .cstr("schedule_delivery_time", &self.schedule_delivery_time, 17)?
            .cstr("validity_period", &self.validity_period, 17)?
            .int(2)
            .short_message(&self.short_message)?
            .octets(self.tlvs.as_bytes());
        Ok(())
    }

    fn write(&self, dst: &mut BytesMut) {
        put_cstr(dst, &self.message_id);
        dst.put_u8(self.source_addr_ton.0);
        dst.put_u8(self.source_addr_npi.0);
        put_cstr(dst, &self.source_addr);
        put_cstr(dst, &self.schedule_delivery_time);
        put_cstr(dst, &self.validity_period);
        dst.put_u8(self.registered_delivery.0);
        dst.put_u8(self.sm_default_msg_id);
        put_short_message(dst, &self.short_message);
        dst.put_slice(self.tlvs.as_bytes());
    }
}
