//! replace_sm (SMPP 3.4 §4.10.1): replace a pending message. Its response (§4.10.2) is a bare
//! header.

use super::{BodyDecode, BodyEncode};
use crate::wire::{Put, Reader, Sizer, put_cstr, put_short_message};
use crate::{COctetString, Error, Npi, OctetString, Octets, RegisteredDelivery, Tlvs, Ton};
use bytes::{Bytes, BytesMut};

/// The body of replace_sm.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(bound(serialize = "B: AsRef<[u8]>", deserialize = "B: From<Bytes> + Default"))
)]
pub struct ReplaceSm<B: AsRef<[u8]> = Bytes> {
    /// The SMSC's id of the message to replace (C-string, max 65 with NUL).
    pub message_id: COctetString<B>,
    /// TON of the original source address.
    pub source_addr_ton: Ton,
    /// NPI of the original source address.
    pub source_addr_npi: Npi,
    /// The original source address (C-string, max 21 with NUL).
    pub source_addr: COctetString<B>,
    /// New scheduled delivery time (C-string, max 17 with NUL).
    pub schedule_delivery_time: COctetString<B>,
    /// New validity period (C-string, max 17 with NUL).
    pub validity_period: COctetString<B>,
    /// Which receipts are requested.
    pub registered_delivery: RegisteredDelivery,
    /// Index of a canned message; 0 for none.
    pub sm_default_msg_id: u8,
    /// The new user data, up to 254 octets.
    pub short_message: OctetString<B>,
    /// Optional parameters (none in 3.4; kept if a peer sends them).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs<B>,
}

impl<B: Octets> ReplaceSm<B> {
    /// The same value with its octets as [`Bytes`] (copied if they are borrowed).
    pub fn into_owned(self) -> ReplaceSm {
        ReplaceSm {
            message_id: self.message_id.into_owned(),
            source_addr_ton: self.source_addr_ton,
            source_addr_npi: self.source_addr_npi,
            source_addr: self.source_addr.into_owned(),
            schedule_delivery_time: self.schedule_delivery_time.into_owned(),
            validity_period: self.validity_period.into_owned(),
            registered_delivery: self.registered_delivery,
            sm_default_msg_id: self.sm_default_msg_id,
            short_message: self.short_message.into_owned(),
            tlvs: self.tlvs.into_owned(),
        }
    }
}

impl<B: Octets> BodyDecode<B> for ReplaceSm<B> {
    fn decode(r: &mut Reader<'_, B>) -> Result<Self, Error> {
        Ok(ReplaceSm {
            message_id: r.cstr("message_id", 65)?,
            source_addr_ton: Ton(r.u8("source_addr_ton")?),
            source_addr_npi: Npi(r.u8("source_addr_npi")?),
            source_addr: r.cstr("source_addr", 21)?,
            schedule_delivery_time: r.cstr("schedule_delivery_time", 17)?,
            validity_period: r.cstr("validity_period", 17)?,
            registered_delivery: RegisteredDelivery(r.u8("registered_delivery")?),
            sm_default_msg_id: r.u8("sm_default_msg_id")?,
            short_message: r.short_message()?,
            tlvs: r.tlvs()?,
        })
    }
}

impl<B: AsRef<[u8]>> BodyEncode for ReplaceSm<B> {
    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        s.cstr("message_id", &self.message_id, 65)?
            .int(2)
            .cstr("source_addr", &self.source_addr, 21)?
            .cstr("schedule_delivery_time", &self.schedule_delivery_time, 17)?
            .cstr("validity_period", &self.validity_period, 17)?
            .int(2)
            .short_message(&self.short_message)?
            .octets(self.tlvs.as_slice());
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
        dst.put_slice(self.tlvs.as_slice());
    }
}
