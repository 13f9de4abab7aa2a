//! alert_notification (SMPP 3.4 §4.12.1): the SMSC tells the ESME that a mobile station became
//! available. It has no response.

use super::BodyCodec;
use crate::wire::{Put, Reader, Sizer, put_cstr};
use crate::{COctetString, Error, Npi, Tlvs, Ton};
use bytes::BytesMut;

/// The body of alert_notification.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AlertNotification {
    /// TON of the mobile station's address.
    pub source_addr_ton: Ton,
    /// NPI of the mobile station's address.
    pub source_addr_npi: Npi,
    /// The mobile station's address (C-string, max 65 with NUL).
    pub source_addr: COctetString,
    /// TON of the ESME address that asked for the alert.
    pub esme_addr_ton: Ton,
    /// NPI of the ESME address.
    pub esme_addr_npi: Npi,
    /// The ESME address (C-string, max 65 with NUL).
    pub esme_addr: COctetString,
    /// Optional parameters: ms_availability_status.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs,
}

impl BodyCodec for AlertNotification {
    fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(AlertNotification {
            source_addr_ton: Ton(r.u8("source_addr_ton")?),
            source_addr_npi: Npi(r.u8("source_addr_npi")?),
            source_addr: r.cstr("source_addr", 65)?.into(),
            esme_addr_ton: Ton(r.u8("esme_addr_ton")?),
            esme_addr_npi: Npi(r.u8("esme_addr_npi")?),
            esme_addr: r.cstr("esme_addr", 65)?.into(),
            tlvs: r.tlvs()?,
        })
    }

    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        s.int(2)
            .cstr("source_addr", &self.source_addr, 65)?
            .int(2)
            .cstr("esme_addr", &self.esme_addr, 65)?
            .octets(self.tlvs.as_bytes());
        Ok(())
    }

    fn write(&self, dst: &mut BytesMut) {
        dst.put_u8(self.source_addr_ton.0);
        dst.put_u8(self.source_addr_npi.0);
        put_cstr(dst, &self.source_addr);
        dst.put_u8(self.esme_addr_ton.0);
        dst.put_u8(self.esme_addr_npi.0);
        put_cstr(dst, &self.esme_addr);
        dst.put_slice(self.tlvs.as_bytes());
    }
}
