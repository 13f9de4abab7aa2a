//! bind_transmitter_resp, bind_receiver_resp, bind_transceiver_resp (SMPP 3.4 §4.1.2, §4.1.4,
//! §4.1.6).

use super::BodyCodec;
use crate::wire::{Put, Reader, Sizer, put_cstr};
use crate::{COctetString, Error, Tlvs};
use bytes::BytesMut;

/// The body of a bind response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BindResp {
    /// The SMSC's identifier (C-string, max 16 with NUL). `None` when the body is absent, which
    /// SMSCs do when refusing a bind (then `tlvs` is empty too).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub system_id: Option<COctetString>,
    /// Optional parameters: sc_interface_version.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs,
}

impl BodyCodec for BindResp {
    fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        // Carrier practice: a refused bind often comes back as a bare header.
        if r.is_empty() {
            return Ok(BindResp::default());
        }
        Ok(BindResp {
            system_id: Some(r.cstr("system_id", 16)?.into()),
            tlvs: r.tlvs()?,
        })
    }

    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        if let Some(system_id) = &self.system_id {
            s.cstr("system_id", system_id, 16)?
                .octets(self.tlvs.as_bytes());
        }
        Ok(())
    }

    fn write(&self, dst: &mut BytesMut) {
        if let Some(system_id) = &self.system_id {
            put_cstr(dst, system_id);
            dst.put_slice(self.tlvs.as_bytes());
        }
    }
}
