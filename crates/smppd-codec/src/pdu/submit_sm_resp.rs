//! submit_sm_resp (SMPP 3.4 §4.4.2): the SMSC's answer with the message id it assigned.
//! deliver_sm_resp (§4.6.2) and data_sm_resp (§4.7.2) share this body.

use super::{BodyDecode, BodyEncode};
use crate::wire::{Put, Reader, Sizer, put_cstr};
use crate::{COctetString, Error, Octets, Tlvs};
use bytes::{Bytes, BytesMut};

/// The body of submit_sm_resp, deliver_sm_resp and data_sm_resp.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(bound(serialize = "B: AsRef<[u8]>", deserialize = "B: From<Bytes> + Default"))
)]
pub struct SubmitSmResp<B: AsRef<[u8]> = Bytes> {
    /// The SMSC's id for the message (C-string, max 65 with NUL). `None` when the body is
    /// absent, as many SMSCs send it when `command_status` is not 0; an empty id is legal too.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub message_id: Option<COctetString<B>>,
    /// Optional parameters (data_sm_resp has them in 3.4; carriers add them to the others).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs<B>,
}

impl<B: Octets> SubmitSmResp<B> {
    /// The same value with its octets as [`Bytes`] (copied if they are borrowed).
    pub fn into_owned(self) -> SubmitSmResp {
        SubmitSmResp {
            message_id: self.message_id.map(COctetString::into_owned),
            tlvs: self.tlvs.into_owned(),
        }
    }
}

impl SubmitSmResp {
    /// A response carrying `message_id`.
    pub fn new(message_id: impl Into<COctetString>) -> Self {
        SubmitSmResp {
            message_id: Some(message_id.into()),
            tlvs: Tlvs::new(),
        }
    }
}

impl<B: Octets> BodyDecode<B> for SubmitSmResp<B> {
    fn decode(r: &mut Reader<'_, B>) -> Result<Self, Error> {
        if r.is_empty() {
            return Ok(SubmitSmResp::default());
        }
        Ok(SubmitSmResp {
            message_id: Some(r.cstr("message_id", 65)?),
            tlvs: r.tlvs()?,
        })
    }
}

impl<B: AsRef<[u8]>> BodyEncode for SubmitSmResp<B> {
    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        if let Some(message_id) = &self.message_id {
            s.cstr("message_id", message_id, 65)?
                .octets(self.tlvs.as_slice());
        }
        Ok(())
    }

    fn write(&self, dst: &mut BytesMut) {
        if let Some(message_id) = &self.message_id {
            put_cstr(dst, message_id);
            dst.put_slice(self.tlvs.as_slice());
        }
    }
}
