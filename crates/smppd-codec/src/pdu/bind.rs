//! bind_transmitter, bind_receiver, bind_transceiver (SMPP 3.4 §4.1.1, §4.1.3, §4.1.5): the
//! three share one body.

use super::{BodyDecode, BodyEncode};
use crate::wire::{Put, Reader, Sizer, put_cstr};
use crate::{COctetString, Error, Npi, Octets, Tlvs, Ton};
use bytes::{Bytes, BytesMut};

/// The body of a bind request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(bound(serialize = "B: AsRef<[u8]>", deserialize = "B: From<Bytes> + Default"))
)]
pub struct Bind<B: AsRef<[u8]> = Bytes> {
    /// Identifies the ESME to the SMSC (C-string, max 16 with NUL).
    pub system_id: COctetString<B>,
    /// Authenticates the ESME (C-string, max 9 with NUL).
    pub password: COctetString<B>,
    /// Category of ESME (C-string, max 13 with NUL).
    pub system_type: COctetString<B>,
    /// SMPP version supported; 0x34 for 3.4.
    pub interface_version: u8,
    /// TON of the ESME address(es) served.
    pub addr_ton: Ton,
    /// NPI of the ESME address(es) served.
    pub addr_npi: Npi,
    /// Address range served, as a regular expression (C-string, max 41 with NUL).
    pub address_range: COctetString<B>,
    /// Optional parameters (none in 3.4; kept if a peer sends them).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs<B>,
}

impl<B: Octets> Bind<B> {
    /// The same value with its octets as [`Bytes`] (copied if they are borrowed).
    pub fn into_owned(self) -> Bind {
        Bind {
            system_id: self.system_id.into_owned(),
            password: self.password.into_owned(),
            system_type: self.system_type.into_owned(),
            interface_version: self.interface_version,
            addr_ton: self.addr_ton,
            addr_npi: self.addr_npi,
            address_range: self.address_range.into_owned(),
            tlvs: self.tlvs.into_owned(),
        }
    }
}

impl<B: Octets> BodyDecode<B> for Bind<B> {
    fn decode(r: &mut Reader<'_, B>) -> Result<Self, Error> {
        Ok(Bind {
            system_id: r.cstr("system_id", 16)?,
            password: r.cstr("password", 9)?,
            system_type: r.cstr("system_type", 13)?,
            interface_version: r.u8("interface_version")?,
            addr_ton: Ton(r.u8("addr_ton")?),
            addr_npi: Npi(r.u8("addr_npi")?),
            address_range: r.cstr("address_range", 41)?,
            tlvs: r.tlvs()?,
        })
    }
}

impl<B: AsRef<[u8]>> BodyEncode for Bind<B> {
    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        s.cstr("system_id", &self.system_id, 16)?
            .cstr("password", &self.password, 9)?
            .cstr("system_type", &self.system_type, 13)?
            .int(3)
            .cstr("address_range", &self.address_range, 41)?
            .octets(self.tlvs.as_slice());
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
        dst.put_slice(self.tlvs.as_slice());
    }
}
