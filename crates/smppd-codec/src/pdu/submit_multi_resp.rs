//! submit_multi_resp (SMPP 3.4 §4.5.2): the message id and the destinations that failed.

use super::{BodyDecode, BodyEncode};
use crate::error::Problem;
use crate::wire::{Put, Reader, Sizer, put_cstr};
use crate::{COctetString, CommandStatus, Error, Npi, Octets, Tlvs, Ton};
use bytes::{Bytes, BytesMut};

/// A destination the SMSC could not accept (§4.5.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(bound(serialize = "B: AsRef<[u8]>", deserialize = "B: From<Bytes> + Default"))
)]
pub struct UnsuccessSme<B: AsRef<[u8]> = Bytes> {
    /// TON of the destination.
    pub dest_addr_ton: Ton,
    /// NPI of the destination.
    pub dest_addr_npi: Npi,
    /// The destination (C-string, max 21 with NUL).
    pub destination_addr: COctetString<B>,
    /// Why it failed.
    pub error_status_code: CommandStatus,
}

impl<B: Octets> UnsuccessSme<B> {
    /// The same value with its octets as [`Bytes`] (copied if they are borrowed).
    pub fn into_owned(self) -> UnsuccessSme {
        UnsuccessSme {
            dest_addr_ton: self.dest_addr_ton,
            dest_addr_npi: self.dest_addr_npi,
            destination_addr: self.destination_addr.into_owned(),
            error_status_code: self.error_status_code,
        }
    }
}

/// The body of submit_multi_resp.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(bound(serialize = "B: AsRef<[u8]>", deserialize = "B: From<Bytes> + Default"))
)]
pub struct SubmitMultiResp<B: AsRef<[u8]> = Bytes> {
    /// The SMSC's id for the message (C-string, max 65 with NUL); `None` when the body is
    /// absent (an error response).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub message_id: Option<COctetString<B>>,
    /// The failed destinations; `no_unsuccess` is derived from it (at most 255).
    #[cfg_attr(feature = "serde", serde(default))]
    pub unsuccess_smes: Vec<UnsuccessSme<B>>,
    /// Optional parameters (none in 3.4; kept if a peer sends them).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs<B>,
}

impl<B: Octets> SubmitMultiResp<B> {
    /// The same value with its octets as [`Bytes`] (copied if they are borrowed).
    pub fn into_owned(self) -> SubmitMultiResp {
        SubmitMultiResp {
            message_id: self.message_id.map(COctetString::into_owned),
            unsuccess_smes: self
                .unsuccess_smes
                .into_iter()
                .map(UnsuccessSme::into_owned)
                .collect(),
            tlvs: self.tlvs.into_owned(),
        }
    }
}

impl<B: Octets> BodyDecode<B> for SubmitMultiResp<B> {
    fn decode(r: &mut Reader<'_, B>) -> Result<Self, Error> {
        if r.is_empty() {
            return Ok(SubmitMultiResp::default());
        }
        let message_id = Some(r.cstr("message_id", 65)?);
        let no_unsuccess = r.u8("no_unsuccess")?;
        let mut unsuccess_smes = Vec::with_capacity(usize::from(no_unsuccess));
        for _ in 0..no_unsuccess {
            unsuccess_smes.push(UnsuccessSme {
                dest_addr_ton: Ton(r.u8("dest_addr_ton")?),
                dest_addr_npi: Npi(r.u8("dest_addr_npi")?),
                destination_addr: r.cstr("destination_addr", 21)?,
                error_status_code: CommandStatus(r.u32("error_status_code")?),
            });
        }
        Ok(SubmitMultiResp {
            message_id,
            unsuccess_smes,
            tlvs: r.tlvs()?,
        })
    }
}

impl<B: AsRef<[u8]>> BodyEncode for SubmitMultiResp<B> {
    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        let Some(message_id) = &self.message_id else {
            return Ok(());
        };
        if self.unsuccess_smes.len() > 255 {
            return Err(s.error(
                "no_unsuccess",
                Problem::TooLong {
                    length: self.unsuccess_smes.len(),
                    max: 255,
                },
            ));
        }
        s.cstr("message_id", message_id, 65)?.int(1);
        for sme in &self.unsuccess_smes {
            s.int(2)
                .cstr("destination_addr", &sme.destination_addr, 21)?
                .int(4);
        }
        s.octets(self.tlvs.as_slice());
        Ok(())
    }

    fn write(&self, dst: &mut BytesMut) {
        let Some(message_id) = &self.message_id else {
            return;
        };
        put_cstr(dst, message_id);
        dst.put_u8(self.unsuccess_smes.len() as u8);
        for sme in &self.unsuccess_smes {
            dst.put_u8(sme.dest_addr_ton.0);
            dst.put_u8(sme.dest_addr_npi.0);
            put_cstr(dst, &sme.destination_addr);
            dst.put_u32(sme.error_status_code.0);
        }
        dst.put_slice(self.tlvs.as_slice());
    }
}
