//! query_sm (SMPP 3.4 §4.8.1): the ESME asks for the state of a message it submitted.

use super::BodyCodec;
use crate::wire::{Put, Reader, Sizer, put_cstr};
use crate::{COctetString, Error, Npi, Tlvs, Ton};
use bytes::BytesMut;

/// The body of query_sm.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QuerySm {
    /// The SMSC's id of the message (C-string, max 65 with NUL).
    pub message_id: COctetString,
    /// TON of the original source address.
    pub source_addr_ton: Ton,
    /// NPI of the original source address.
    pub source_addr_npi: Npi,
    /// The original source address (C-string, max 21 with NUL).
    pub source_addr: COctetString,
    /// Optional parameters (none in 3.4; kept if a peer sends them).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs,
}

impl BodyCodec for QuerySm {
    fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(QuerySm {
            message_id: r.cstr("message_id", 65)?.into(),
            source_addr_ton: Ton(r.u8("source_addr_ton")?),
            source_addr_npi: Npi(r.u8("source_addr_npi")?),
            source_addr: r.cstr("source_addr", 21)?.into(),
            tlvs: r.tlvs()?,
        })
    }

    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        s.cstr("message_id", &self.message_id, 65)?
            .int(2)
            .cstr("source_addr", &self.source_addr, 21)?
            .octets(self.tlvs.as_bytes());
        Ok(())
    }

    fn write(&self, dst: &mut BytesMut) {
        put_cstr(dst, &self.message_id);
        dst.put_u8(self.source_addr_ton.0);
        dst.put_u8(self.source_addr_npi.0);
        put_cstr(dst, &self.source_addr);
        dst.put_slice(self.tlvs.as_bytes());
    }
}
