//! bind_transmitter, bind_receiver, bind_transceiver (SMPP 3.4 §4.1.1, §4.1.3, §4.1.5): the
//! three share one body.

use super::BodyCodec;
use crate::wire::{Put, Reader, Sizer, put_cstr};
use crate::{COctetString, Error, Npi, Tlvs, Ton};
use bytes::BytesMut;

/// The body of a bind request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Bind {
    /// Identifies the ESME to the SMSC (C-string, max 16 with NUL).
    pub system_id: COctetString,
    /// Authenticates the ESME (C-string, max 9 with NUL).
    pub password: COctetString,
    /// Category of ESME (C-string, max 13 with NUL).
    pub system_type: COctetString,
    /// SMPP version supported; 0x34 for 3.4.
    pub interface_version: u8,
    /// TON of the ESME address(es) served.
    pub addr_ton: Ton,
    /// NPI of the ESME address(es) served.
    pub addr_npi: Npi,
    /// Address range served, as a regular expression (C-string, max 41 with NUL).
    pub address_range: COctetString,
    /// Optional parameters (none in 3.4; kept if a peer sends them).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs,
}

impl BodyCodec for Bind {
    fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(Bind {
            system_id: r.cstr("system_id", 16)?.into(),
            password: r.cstr("password", 9)?.into(),
            system_type: r.cstr("system_type", 13)?.into(),
            interface_version: r.u8("interface_version")?,
            addr_ton: Ton(r.u8("addr_ton")?),
            addr_npi: Npi(r.u8("addr_npi")?),
            address_range: r.cstr("address_range", 41)?.into(),
            tlvs: r.tlvs()?,
        })
    }

    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        s.cstr("system_id", &self.system_id, 16)?
            .cstr("password", &self.password, 9)?
            .cstr("system_type", &self.system_type, 13)?
            .int(3)
            .cstr("address_range", &self.address_range, 41)?
            .octets(self.tlvs.as_bytes());
        Ok(())
    }

    fn write(&self, dst: &mut BytesMut) {
        put_cstr(dst, &self.system_id);
        put_cstr(dst, &self.password);
        put_cstr(dst, &self.system_type);
        dst.put_u8(self.interface_version);
        dst.put_u8(self.addr_ton.0);
        dst.put_u8(self.addr_npi.0);
        put_cstr(dst, &self.address_range);
        dst.put_slice(self.tlvs.as_bytes());
    }
}
