//! alert_notification (SMPP 3.4 §4.12.1): the SMSC tells the ESME that a mobile station became
//! available. It has no response.

use super::{BodyDecode, BodyEncode};
use crate::wire::{Put, Reader, Sizer, put_cstr};
use crate::{COctetString, Error, Npi, Octets, Tlvs, Ton};
use bytes::{Bytes, BytesMut};

/// The body of alert_notification.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(bound(serialize = "B: AsRef<[u8]>", deserialize = "B: From<Bytes> + Default"))
)]
pub struct AlertNotification<B: AsRef<[u8]> = Bytes> {
    /// TON of the mobile station's address.
    pub source_addr_ton: Ton,
    /// NPI of the mobile station's address.
    pub source_addr_npi: Npi,
    /// The mobile station's address (C-string, max 65 with NUL).
    pub source_addr: COctetString<B>,
    /// TON of the ESME address that asked for the alert.
    pub esme_addr_ton: Ton,
    /// NPI of the ESME address.
    pub esme_addr_npi: Npi,
    /// The ESME address (C-string, max 65 with NUL).
    pub esme_addr: COctetString<B>,
    /// Optional parameters: ms_availability_status.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs<B>,
}

impl<B: Octets> AlertNotification<B> {
    /// The same value with its octets as [`Bytes`] (copied if they are borrowed).
    pub fn into_owned(self) -> AlertNotification {
        AlertNotification {
            source_addr_ton: self.source_addr_ton,
            source_addr_npi: self.source_addr_npi,
            source_addr: self.source_addr.into_owned(),
            esme_addr_ton: self.esme_addr_ton,
            esme_addr_npi: self.esme_addr_npi,
            esme_addr: self.esme_addr.into_owned(),
            tlvs: self.tlvs.into_owned(),
        }
    }
}

impl<B: Octets> BodyDecode<B> for AlertNotification<B> {
    fn decode(r: &mut Reader<'_, B>) -> Result<Self, Error> {
        Ok(AlertNotification {
            source_addr_ton: Ton(r.u8("source_addr_ton")?),
            source_addr_npi: Npi(r.u8("source_addr_npi")?),
            source_addr: r.cstr("source_addr", 65)?,
            esme_addr_ton: Ton(r.u8("esme_addr_ton")?),
            esme_addr_npi: Npi(r.u8("esme_addr_npi")?),
            esme_addr: r.cstr("esme_addr", 65)?,
            tlvs: r.tlvs()?,
        })
    }
}

impl<B: AsRef<[u8]>> BodyEncode for AlertNotification<B> {
    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        s.int(2)
            .cstr("source_addr", &self.source_addr, 65)?
            .int(2)
            .cstr("esme_addr", &self.esme_addr, 65)?
            .octets(self.tlvs.as_slice());
        Ok(())
    }

    fn write(&self, dst: &mut BytesMut) {
        dst.put_u8(self.source_addr_ton.0);
        dst.put_u8(self.source_addr_npi.0);
        put_cstr(dst, &self.source_addr);
        dst.put_u8(self.esme_addr_ton.0);
        dst.put_u8(self.esme_addr_npi.0);
        put_cstr(dst, &self.esme_addr);
        dst.put_slice(self.tlvs.as_slice());
    }
}
