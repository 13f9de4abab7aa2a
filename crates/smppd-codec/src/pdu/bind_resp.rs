//! bind_transmitter_resp, bind_receiver_resp, bind_transceiver_resp (SMPP 3.4 §4.1.2, §4.1.4,
//! §4.1.6).

use super::{BodyDecode, BodyEncode};
use crate::wire::{Put, Reader, Sizer, put_cstr};
use crate::{COctetString, Error, Octets, Tlvs};
use bytes::{Bytes, BytesMut};

/// The body of a bind response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(bound(serialize = "B: AsRef<[u8]>", deserialize = "B: From<Bytes> + Default"))
)]
pub struct BindResp<B: AsRef<[u8]> = Bytes> {
    /// The SMSC's identifier (C-string, max 16 with NUL). `None` when the body is absent, which
    /// SMSCs do when refusing a bind (then `tlvs` is empty too).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub system_id: Option<COctetString<B>>,
    /// Optional parameters: sc_interface_version.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs<B>,
}

impl<B: Octets> BindResp<B> {
    /// The same value with its octets as [`Bytes`] (copied if they are borrowed).
    pub fn into_owned(self) -> BindResp {
        BindResp {
            system_id: self.system_id.map(COctetString::into_owned),
            tlvs: self.tlvs.into_owned(),
        }
    }
}

impl<B: Octets> BodyDecode<B> for BindResp<B> {
    fn decode(r: &mut Reader<'_, B>) -> Result<Self, Error> {
        // Carrier practice: a refused bind often comes back as a bare header.
        if r.is_empty() {
            return Ok(BindResp::default());
        }
        Ok(BindResp {
            system_id: Some(r.cstr("system_id", 16)?),
            tlvs: r.tlvs()?,
        })
    }
}

impl<B: AsRef<[u8]>> BodyEncode for BindResp<B> {
    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        if let Some(system_id) = &self.system_id {
            s.cstr("system_id", system_id, 16)?
                .octets(self.tlvs.as_slice());
        }
        Ok(())
    }

    fn write(&self, dst: &mut BytesMut) {
        if let Some(system_id) = &self.system_id {
            put_cstr(dst, system_id);
            dst.put_slice(self.tlvs.as_slice());
        }
    }
}
