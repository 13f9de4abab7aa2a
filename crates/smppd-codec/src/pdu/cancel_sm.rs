//! cancel_sm (SMPP 3.4 §4.9.1): cancel one pending message, or all from a source to a
//! destination. Its response (§4.9.2) is a bare header.

use super::{BodyDecode, BodyEncode};
use crate::wire::{Put, Reader, Sizer, put_cstr};
use crate::{COctetString, Error, Npi, Octets, Tlvs, Ton};
use bytes::{Bytes, BytesMut};

/// The body of cancel_sm.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(bound(serialize = "B: AsRef<[u8]>", deserialize = "B: From<Bytes> + Default"))
)]
pub struct CancelSm<B: AsRef<[u8]> = Bytes> {
    /// Service type of the messages to cancel (C-string, max 6 with NUL).
    pub service_type: COctetString<B>,
    /// The SMSC's id of the message; empty to cancel by addresses (C-string, max 65 with NUL).
    pub message_id: COctetString<B>,
    /// TON of the source address.
    pub source_addr_ton: Ton,
    /// NPI of the source address.
    pub source_addr_npi: Npi,
    /// Source address (C-string, max 21 with NUL).
    pub source_addr: COctetString<B>,
    /// TON of the destination address.
    pub dest_addr_ton: Ton,
    /// NPI of the destination address.
    pub dest_addr_npi: Npi,
    /// Destination address (C-string, max 21 with NUL).
    pub destination_addr: COctetString<B>,
    /// Optional parameters (none in 3.4; kept if a peer sends them).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs<B>,
}

impl<B: Octets> CancelSm<B> {
    /// The same value with its octets as [`Bytes`] (copied if they are borrowed).
    pub fn into_owned(self) -> CancelSm {
        CancelSm {
            service_type: self.service_type.into_owned(),
            message_id: self.message_id.into_owned(),
            source_addr_ton: self.source_addr_ton,
            source_addr_npi: self.source_addr_npi,
            source_addr: self.source_addr.into_owned(),
            dest_addr_ton: self.dest_addr_ton,
            dest_addr_npi: self.dest_addr_npi,
            destination_addr: self.destination_addr.into_owned(),
            tlvs: self.tlvs.into_owned(),
        }
    }
}

impl<B: Octets> BodyDecode<B> for CancelSm<B> {
    fn decode(r: &mut Reader<'_, B>) -> Result<Self, Error> {
        Ok(CancelSm {
            service_type: r.cstr("service_type", 6)?,
            message_id: r.cstr("message_id", 65)?,
            source_addr_ton: Ton(r.u8("source_addr_ton")?),
            source_addr_npi: Npi(r.u8("source_addr_npi")?),
            source_addr: r.cstr("source_addr", 21)?,
            dest_addr_ton: Ton(r.u8("dest_addr_ton")?),
            dest_addr_npi: Npi(r.u8("dest_addr_npi")?),
            destination_addr: r.cstr("destination_addr", 21)?,
            tlvs: r.tlvs()?,
        })
    }
}

impl<B: AsRef<[u8]>> BodyEncode for CancelSm<B> {
    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        s.cstr("service_type", &self.service_type, 6)?
            .cstr("message_id", &self.message_id, 65)?
            .int(2)
            .cstr("source_addr", &self.source_addr, 21)?
            .int(2)
            .cstr("destination_addr", &self.destination_addr, 21)?
            .octets(self.tlvs.as_slice());
        Ok(())
    }

    fn write(&self, dst: &mut BytesMut) {
        put_cstr(dst, &self.service_type);
        put_cstr(dst, &self.message_id);
        dst.put_u8(self.source_addr_ton.0);
        dst.put_u8(self.source_addr_npi.0);
        put_cstr(dst, &self.source_addr);
        dst.put_u8(self.dest_addr_ton.0);
        dst.put_u8(self.dest_addr_npi.0);
        put_cstr(dst, &self.destination_addr);
        dst.put_slice(self.tlvs.as_slice());
    }
}
