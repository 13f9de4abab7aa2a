//! data_sm and data_sm_resp (SMPP 3.4 §4.7): message transfer for packet-style applications;
//! the user data travels in the message_payload TLV.

use super::{BodyDecode, BodyEncode};
use crate::wire::{Put, Reader, Sizer, put_cstr};
use crate::{
    COctetString, DataCoding, Error, EsmClass, Npi, Octets, RegisteredDelivery, Tlvs, Ton,
};
use bytes::{Bytes, BytesMut};

/// The body of data_sm.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(bound(serialize = "B: AsRef<[u8]>", deserialize = "B: From<Bytes> + Default"))
)]
pub struct DataSm<B: AsRef<[u8]> = Bytes> {
    /// SMS application service (C-string, max 6 with NUL).
    pub service_type: COctetString<B>,
    /// TON of the source address.
    pub source_addr_ton: Ton,
    /// NPI of the source address.
    pub source_addr_npi: Npi,
    /// Source address (C-string, max 65 with NUL).
    pub source_addr: COctetString<B>,
    /// TON of the destination address.
    pub dest_addr_ton: Ton,
    /// NPI of the destination address.
    pub dest_addr_npi: Npi,
    /// Destination address (C-string, max 65 with NUL).
    pub destination_addr: COctetString<B>,
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
    pub tlvs: Tlvs<B>,
}

impl<B: Octets> DataSm<B> {
    /// The same value with its octets as [`Bytes`] (copied if they are borrowed).
    pub fn into_owned(self) -> DataSm {
        DataSm {
            service_type: self.service_type.into_owned(),
            source_addr_ton: self.source_addr_ton,
            source_addr_npi: self.source_addr_npi,
            source_addr: self.source_addr.into_owned(),
            dest_addr_ton: self.dest_addr_ton,
            dest_addr_npi: self.dest_addr_npi,
            destination_addr: self.destination_addr.into_owned(),
            esm_class: self.esm_class,
            registered_delivery: self.registered_delivery,
            data_coding: self.data_coding,
            tlvs: self.tlvs.into_owned(),
        }
    }
}

/// The body of data_sm_resp: message_id and optional parameters, as submit_sm_resp's.
pub type DataSmResp<B = Bytes> = super::SubmitSmResp<B>;

impl<B: Octets> BodyDecode<B> for DataSm<B> {
    fn decode(r: &mut Reader<'_, B>) -> Result<Self, Error> {
        Ok(DataSm {
            service_type: r.cstr("service_type", 6)?,
            source_addr_ton: Ton(r.u8("source_addr_ton")?),
            source_addr_npi: Npi(r.u8("source_addr_npi")?),
            source_addr: r.cstr("source_addr", 65)?,
            dest_addr_ton: Ton(r.u8("dest_addr_ton")?),
            dest_addr_npi: Npi(r.u8("dest_addr_npi")?),
            destination_addr: r.cstr("destination_addr", 65)?,
            esm_class: EsmClass(r.u8("esm_class")?),
            registered_delivery: RegisteredDelivery(r.u8("registered_delivery")?),
            data_coding: DataCoding(r.u8("data_coding")?),
            tlvs: r.tlvs()?,
        })
    }
}

impl<B: AsRef<[u8]>> BodyEncode for DataSm<B> {
    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        s.cstr("service_type", &self.service_type, 6)?
            .int(2)
            .cstr("source_addr", &self.source_addr, 65)?
            .int(2)
            .cstr("destination_addr", &self.destination_addr, 65)?
            .int(3)
            .octets(self.tlvs.as_slice());
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
        dst.put_slice(self.tlvs.as_slice());
    }
}
