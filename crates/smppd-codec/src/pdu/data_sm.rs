//! data_sm and data_sm_resp (SMPP 3.4 §4.7): message transfer for packet-style applications;
//! the user data travels in the message_payload TLV.

use super::BodyCodec;
use crate::wire::{Put, Reader, Sizer, put_cstr};
use crate::{COctetString, DataCoding, Error, EsmClass, Npi, RegisteredDelivery, Tlvs, Ton};
use bytes::BytesMut;

/// The body of data_sm.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DataSm {
    /// SMS application service (C-string, max 6 with NUL).
    pub service_type: COctetString,
    /// TON of the source address.
    pub source_addr_ton: Ton,
    /// NPI of the source address.
    pub source_addr_npi: Npi,
    /// Source address (C-string, max 65 with NUL).
    pub source_addr: COctetString,
    /// TON of the destination address.
    pub dest_addr_ton: Ton,
    /// NPI of the destination address.
    pub dest_addr_npi: Npi,
    /// Destination address (C-string, max 65 with NUL).
    pub destination_addr: COctetString,
    /// Message mode, type and GSM features.
    pub esm_class: EsmClass,
    /// Which receipts are requested.
    pub registered_delivery: RegisteredDelivery,
    /// Alphabet of the payload.
    pub data_coding: DataCoding,
    /// Optional parameters, message_payload among them.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs,
}

/// The body of data_sm_resp: message_id and optional parameters, as submit_sm_resp's.
pub type DataSmResp = super::SubmitSmResp;

impl BodyCodec for DataSm {
    fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(DataSm {
            service_type: r.cstr("service_type", 6)?.into(),
            source_addr_ton: Ton(r.u8("source_addr_ton")?),
            source_addr_npi: Npi(r.u8("source_addr_npi")?),
            source_addr: r.cstr("source_addr", 65)?.into(),
            dest_addr_ton: Ton(r.u8("dest_addr_ton")?),
            dest_addr_npi: Npi(r.u8("dest_addr_npi")?),
            destination_addr: r.cstr("destination_addr", 65)?.into(),
            esm_class: EsmClass(r.u8("esm_class")?),
            registered_delivery: RegisteredDelivery(r.u8("registered_delivery")?),
            data_coding: DataCoding(r.u8("data_coding")?),
            tlvs: r.tlvs()?,
        })
    }

    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        s.cstr("service_type", &self.service_type, 6)?
            .int(2)
            .cstr("source_addr", &self.source_addr, 65)?
            .int(2)
            .cstr("destination_addr", &self.destination_addr, 65)?
            .int(3)
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
        dst.put_u8(self.registered_delivery.0);
        dst.put_u8(self.data_coding.0);
        dst.put_slice(self.tlvs.as_bytes());
    }
}
