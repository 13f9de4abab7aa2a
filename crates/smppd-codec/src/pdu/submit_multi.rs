//! submit_multi (SMPP 3.4 §4.5.1): one short message to up to 254 destinations (SME addresses
//! or distribution lists).

use super::{BodyDecode, BodyEncode};
use crate::error::Problem;
use crate::wire::{Put, Reader, Sizer, put_cstr, put_short_message};
use crate::{
    COctetString, DataCoding, Error, EsmClass, Npi, OctetString, Octets, RegisteredDelivery, Tlvs,
    Ton,
};
use bytes::{Bytes, BytesMut};

/// One destination of a submit_multi (§4.5.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(
        tag = "dest_flag",
        rename_all = "snake_case",
        bound(serialize = "B: AsRef<[u8]>", deserialize = "B: From<Bytes> + Default")
    )
)]
pub enum Dest<B: AsRef<[u8]> = Bytes> {
    /// dest_flag 1: an SME address.
    SmeAddress {
        /// TON of the destination.
        dest_addr_ton: Ton,
        /// NPI of the destination.
        dest_addr_npi: Npi,
        /// The destination (C-string, max 21 with NUL).
        destination_addr: COctetString<B>,
    },
    /// dest_flag 2: a distribution list held by the SMSC.
    DistributionList {
        /// The list's name (C-string, max 21 with NUL).
        dl_name: COctetString<B>,
    },
}

impl<B: Octets> Dest<B> {
    /// The same destination with its octets as [`Bytes`] (copied if they are borrowed).
    pub fn into_owned(self) -> Dest {
        match self {
            Dest::SmeAddress {
                dest_addr_ton,
                dest_addr_npi,
                destination_addr,
            } => Dest::SmeAddress {
                dest_addr_ton,
                dest_addr_npi,
                destination_addr: destination_addr.into_owned(),
            },
            Dest::DistributionList { dl_name } => Dest::DistributionList {
                dl_name: dl_name.into_owned(),
            },
        }
    }
}

/// The body of submit_multi.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(bound(serialize = "B: AsRef<[u8]>", deserialize = "B: From<Bytes> + Default"))
)]
pub struct SubmitMulti<B: AsRef<[u8]> = Bytes> {
    /// SMS application service (C-string, max 6 with NUL).
    pub service_type: COctetString<B>,
    /// TON of the source address.
    pub source_addr_ton: Ton,
    /// NPI of the source address.
    pub source_addr_npi: Npi,
    /// Source address (C-string, max 21 with NUL).
    pub source_addr: COctetString<B>,
    /// The destinations; `number_of_dests` is derived from it (at most 254).
    pub dest_addresses: Vec<Dest<B>>,
    /// Message mode, type and GSM features.
    pub esm_class: EsmClass,
    /// GSM protocol identifier.
    pub protocol_id: u8,
    /// Priority level, 0-3.
    pub priority_flag: u8,
    /// Scheduled delivery time (C-string, max 17 with NUL).
    pub schedule_delivery_time: COctetString<B>,
    /// Validity period (C-string, max 17 with NUL).
    pub validity_period: COctetString<B>,
    /// Which receipts are requested.
    pub registered_delivery: RegisteredDelivery,
    /// Replace a pending message with the same source, destination and service type.
    pub replace_if_present_flag: u8,
    /// Alphabet of `short_message`.
    pub data_coding: DataCoding,
    /// Index of a canned message; 0 for none.
    pub sm_default_msg_id: u8,
    /// Up to 254 octets of user data.
    pub short_message: OctetString<B>,
    /// Optional parameters.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs<B>,
}

impl<B: Octets> SubmitMulti<B> {
    /// The same value with its octets as [`Bytes`] (copied if they are borrowed).
    pub fn into_owned(self) -> SubmitMulti {
        SubmitMulti {
            service_type: self.service_type.into_owned(),
            source_addr_ton: self.source_addr_ton,
            source_addr_npi: self.source_addr_npi,
            source_addr: self.source_addr.into_owned(),
            dest_addresses: self
                .dest_addresses
                .into_iter()
                .map(Dest::into_owned)
                .collect(),
            esm_class: self.esm_class,
            protocol_id: self.protocol_id,
            priority_flag: self.priority_flag,
            schedule_delivery_time: self.schedule_delivery_time.into_owned(),
            validity_period: self.validity_period.into_owned(),
            registered_delivery: self.registered_delivery,
            replace_if_present_flag: self.replace_if_present_flag,
            data_coding: self.data_coding,
            sm_default_msg_id: self.sm_default_msg_id,
            short_message: self.short_message.into_owned(),
            tlvs: self.tlvs.into_owned(),
        }
    }
}

impl<B: Octets> BodyDecode<B> for SubmitMulti<B> {
    fn decode(r: &mut Reader<'_, B>) -> Result<Self, Error> {
        let service_type = r.cstr("service_type", 6)?;
        let source_addr_ton = Ton(r.u8("source_addr_ton")?);
        let source_addr_npi = Npi(r.u8("source_addr_npi")?);
        let source_addr = r.cstr("source_addr", 21)?;
        let number_of_dests = r.u8("number_of_dests")?;
        // §5.2.24: "a maximum of 254 destination addresses are allowed".
        if number_of_dests > 254 {
            return Err(r.invalid("number_of_dests", u32::from(number_of_dests)));
        }
        // At most 254 entries, each checked against the body as it is read.
        let mut dest_addresses = Vec::with_capacity(usize::from(number_of_dests));
        for _ in 0..number_of_dests {
            let dest = match r.u8("dest_flag")? {
                1 => Dest::SmeAddress {
                    dest_addr_ton: Ton(r.u8("dest_addr_ton")?),
                    dest_addr_npi: Npi(r.u8("dest_addr_npi")?),
                    destination_addr: r.cstr("destination_addr", 21)?,
                },
                2 => Dest::DistributionList {
                    dl_name: r.cstr("dl_name", 21)?,
                },
                other => return Err(r.invalid("dest_flag", u32::from(other))),
            };
            dest_addresses.push(dest);
        }
        Ok(SubmitMulti {
            service_type,
            source_addr_ton,
            source_addr_npi,
            source_addr,
            dest_addresses,
            esm_class: EsmClass(r.u8("esm_class")?),
            protocol_id: r.u8("protocol_id")?,
            priority_flag: r.u8("priority_flag")?,
            schedule_delivery_time: r.cstr("schedule_delivery_time", 17)?,
            validity_period: r.cstr("validity_period", 17)?,
            registered_delivery: RegisteredDelivery(r.u8("registered_delivery")?),
            replace_if_present_flag: r.u8("replace_if_present_flag")?,
            data_coding: DataCoding(r.u8("data_coding")?),
            sm_default_msg_id: r.u8("sm_default_msg_id")?,
            short_message: r.short_message()?,
            tlvs: r.tlvs()?,
        })
    }
}

impl<B: AsRef<[u8]>> BodyEncode for SubmitMulti<B> {
    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        if self.dest_addresses.len() > 254 {
            return Err(s.error(
                "number_of_dests",
                Problem::TooLong {
                    length: self.dest_addresses.len(),
                    max: 254,
                },
            ));
        }
        s.cstr("service_type", &self.service_type, 6)?
            .int(2)
            .cstr("source_addr", &self.source_addr, 21)?
            .int(1);
        for dest in &self.dest_addresses {
            match dest {
                Dest::SmeAddress {
                    destination_addr, ..
                } => s.int(3).cstr("destination_addr", destination_addr, 21)?,
                Dest::DistributionList { dl_name } => s.int(1).cstr("dl_name", dl_name, 21)?,
            };
        }
        s.int(3)
            .cstr("schedule_delivery_time", &self.schedule_delivery_time, 17)?
            .cstr("validity_period", &self.validity_period, 17)?
            .int(4)
            .short_message(&self.short_message)?
            .octets(self.tlvs.as_slice());
        Ok(())
    }

    fn write(&self, dst: &mut BytesMut) {
        put_cstr(dst, &self.service_type);
        dst.put_u8(self.source_addr_ton.0);
        dst.put_u8(self.source_addr_npi.0);
        put_cstr(dst, &self.source_addr);
        dst.put_u8(self.dest_addresses.len() as u8);
        for dest in &self.dest_addresses {
            match dest {
                Dest::SmeAddress {
                    dest_addr_ton,
                    dest_addr_npi,
                    destination_addr,
                } => {
                    dst.put_u8(1);
                    dst.put_u8(dest_addr_ton.0);
                    dst.put_u8(dest_addr_npi.0);
                    put_cstr(dst, destination_addr);
                }
                Dest::DistributionList { dl_name } => {
                    dst.put_u8(2);
                    put_cstr(dst, dl_name);
                }
            }
        }
        dst.put_u8(self.esm_class.0);
        dst.put_u8(self.protocol_id);
        dst.put_u8(self.priority_flag);
        put_cstr(dst, &self.schedule_delivery_time);
        put_cstr(dst, &self.validity_period);
        dst.put_u8(self.registered_delivery.0);
        dst.put_u8(self.replace_if_present_flag);
        dst.put_u8(self.data_coding.0);
        dst.put_u8(self.sm_default_msg_id);
        put_short_message(dst, &self.short_message);
        dst.put_slice(self.tlvs.as_slice());
    }
}
