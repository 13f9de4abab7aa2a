//! query_sm (SMPP 3.4 §4.8.1): the ESME asks for the state of a message it submitted.

use super::{BodyDecode, BodyEncode};
use crate::wire::{Put, Reader, Sizer, put_cstr};
use crate::{COctetString, Error, Npi, Octets, Tlvs, Ton};
use bytes::{Bytes, BytesMut};

/// The body of query_sm.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(bound(serialize = "B: AsRef<[u8]>", deserialize = "B: From<Bytes> + Default"))
)]
pub struct QuerySm<B: AsRef<[u8]> = Bytes> {
    /// The SMSC's id of the message (C-string, max 65 with NUL).
    pub message_id: COctetString<B>,
    /// TON of the original source address.
    pub source_addr_ton: Ton,
    /// NPI of the original source address.
    pub source_addr_npi: Npi,
    /// The original source address (C-string, max 21 with NUL).
    pub source_addr: COctetString<B>,
    /// Optional parameters (none in 3.4; kept if a peer sends them).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs<B>,
}

impl<B: Octets> QuerySm<B> {
    /// The same value with its octets as [`Bytes`] (copied if they are borrowed).
    pub fn into_owned(self) -> QuerySm {
        QuerySm {
            message_id: self.message_id.into_owned(),
            source_addr_ton: self.source_addr_ton,
            source_addr_npi: self.source_addr_npi,
            source_addr: self.source_addr.into_owned(),
            tlvs: self.tlvs.into_owned(),
        }
    }
}

impl<B: Octets> BodyDecode<B> for QuerySm<B> {
    fn decode(r: &mut Reader<'_, B>) -> Result<Self, Error> {
        Ok(QuerySm {
            message_id: r.cstr("message_id", 65)?,
            source_addr_ton: Ton(r.u8("source_addr_ton")?),
            source_addr_npi: Npi(r.u8("source_addr_npi")?),
            source_addr: r.cstr("source_addr", 21)?,
            tlvs: r.tlvs()?,
        })
    }
}

impl<B: AsRef<[u8]>> BodyEncode for QuerySm<B> {
    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        s.cstr("message_id", &self.message_id, 65)?
            .int(2)
            .cstr("source_addr", &self.source_addr, 21)?
            .octets(self.tlvs.as_slice());
        Ok(())
    }

    fn write(&self, dst: &mut BytesMut) {
        put_cstr(dst, &self.message_id);
        dst.put_u8(self.source_addr_ton.0);
        dst.put_u8(self.source_addr_npi.0);
        put_cstr(dst, &self.source_addr);
        dst.put_slice(self.tlvs.as_slice());
    }
}
