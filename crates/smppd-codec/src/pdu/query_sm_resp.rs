//! query_sm_resp (SMPP 3.4 §4.8.2): the state of the queried message.

use super::{BodyDecode, BodyEncode};
use crate::wire::{Put, Reader, Sizer, put_cstr};
use crate::{COctetString, Error, MessageState, Octets, Tlvs};
use bytes::{Bytes, BytesMut};

/// The body of query_sm_resp.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(bound(serialize = "B: AsRef<[u8]>", deserialize = "B: From<Bytes> + Default"))
)]
pub struct QuerySmResp<B: AsRef<[u8]> = Bytes> {
    /// The SMSC's id of the message (C-string, max 65 with NUL); `None` when the body is absent
    /// (an error response), and then the other fields are zero.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub message_id: Option<COctetString<B>>,
    /// When the message reached its final state; empty if it has not (C-string, max 17).
    #[cfg_attr(feature = "serde", serde(default))]
    pub final_date: COctetString<B>,
    /// The message's state.
    #[cfg_attr(feature = "serde", serde(default))]
    pub message_state: MessageState,
    /// Network error code for the failure, if any.
    #[cfg_attr(feature = "serde", serde(default))]
    pub error_code: u8,
    /// Optional parameters (none in 3.4; kept if a peer sends them).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs<B>,
}

impl<B: Octets> QuerySmResp<B> {
    /// The same value with its octets as [`Bytes`] (copied if they are borrowed).
    pub fn into_owned(self) -> QuerySmResp {
        QuerySmResp {
            message_id: self.message_id.map(COctetString::into_owned),
            final_date: self.final_date.into_owned(),
            message_state: self.message_state,
            error_code: self.error_code,
            tlvs: self.tlvs.into_owned(),
        }
    }
}

impl<B: Octets> BodyDecode<B> for QuerySmResp<B> {
    fn decode(r: &mut Reader<'_, B>) -> Result<Self, Error> {
        if r.is_empty() {
            return Ok(QuerySmResp::default());
        }
        Ok(QuerySmResp {
            message_id: Some(r.cstr("message_id", 65)?),
            final_date: r.cstr("final_date", 17)?,
            message_state: MessageState(r.u8("message_state")?),
            error_code: r.u8("error_code")?,
            tlvs: r.tlvs()?,
        })
    }
}

impl<B: AsRef<[u8]>> BodyEncode for QuerySmResp<B> {
    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        if let Some(message_id) = &self.message_id {
            s.cstr("message_id", message_id, 65)?
                .cstr("final_date", &self.final_date, 17)?
                .int(2)
                .octets(self.tlvs.as_slice());
        }
        Ok(())
    }

    fn write(&self, dst: &mut BytesMut) {
        if let Some(message_id) = &self.message_id {
            put_cstr(dst, message_id);
            put_cstr(dst, &self.final_date);
            dst.put_u8(self.message_state.0);
            dst.put_u8(self.error_code);
            dst.put_slice(self.tlvs.as_slice());
        }
    }
}
