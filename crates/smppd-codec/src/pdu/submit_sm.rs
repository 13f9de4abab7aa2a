//! submit_sm (SMPP 3.4 §4.4.1): an ESME submits a short message for delivery. deliver_sm
//! (§4.6.1) has the same body.

use super::{BodyDecode, BodyEncode};
use crate::error::Problem;
use crate::wire::{Put, Reader, Sizer};
use crate::{
    COctetString, DataCoding, Error, EsmClass, Npi, OctetString, Octets, RegisteredDelivery, Tlvs,
    Ton,
};
use bytes::{Bytes, BytesMut};

/// The body of submit_sm and deliver_sm.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(bound(serialize = "B: AsRef<[u8]>", deserialize = "B: From<Bytes> + Default"))
)]
pub struct SubmitSm<B: AsRef<[u8]> = Bytes> {
    /// SMS application service (C-string, max 6 with NUL); empty for the default.
    pub service_type: COctetString<B>,
    /// TON of the source address.
    pub source_addr_ton: Ton,
    /// NPI of the source address.
    pub source_addr_npi: Npi,
    /// Source address (C-string, max 21 with NUL).
    pub source_addr: COctetString<B>,
    /// TON of the destination address.
    pub dest_addr_ton: Ton,
    /// NPI of the destination address.
    pub dest_addr_npi: Npi,
    /// Destination address (C-string, max 21 with NUL).
    pub destination_addr: COctetString<B>,
    /// Message mode, type and GSM features (UDHI).
    pub esm_class: EsmClass,
    /// GSM protocol identifier.
    pub protocol_id: u8,
    /// Priority level, 0-3.
    pub priority_flag: u8,
    /// Empty for immediate delivery, else a 16-character time (C-string, max 17 with NUL).
    pub schedule_delivery_time: COctetString<B>,
    /// Empty for the SMSC default, else a 16-character time (C-string, max 17 with NUL).
    pub validity_period: COctetString<B>,
    /// Which receipts are requested.
    pub registered_delivery: RegisteredDelivery,
    /// Whether to replace a pending message with the same source, destination and service type.
    pub replace_if_present_flag: u8,
    /// Alphabet of `short_message`.
    pub data_coding: DataCoding,
    /// Index of a canned message; 0 for none.
    pub sm_default_msg_id: u8,
    /// Up to 254 octets of user data, UDH included (`sm_length` is derived from it).
    pub short_message: OctetString<B>,
    /// Optional parameters.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Tlvs::is_empty")
    )]
    pub tlvs: Tlvs<B>,
}

impl<B: Octets> SubmitSm<B> {
    /// The same value with its octets as [`Bytes`] (copied if they are borrowed).
    pub fn into_owned(self) -> SubmitSm {
        SubmitSm {
            service_type: self.service_type.into_owned(),
            source_addr_ton: self.source_addr_ton,
            source_addr_npi: self.source_addr_npi,
            source_addr: self.source_addr.into_owned(),
            dest_addr_ton: self.dest_addr_ton,
            dest_addr_npi: self.dest_addr_npi,
            destination_addr: self.destination_addr.into_owned(),
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

impl<B: Octets> BodyDecode<B> for SubmitSm<B> {
    // `always`: the most frequent PDUs by far; inlined into `Pdu`'s decoder, the body is built
    // where the `Pdu` is returned instead of being copied there (about 50 instructions).
    #[inline(always)]
    fn decode(r: &mut Reader<'_, B>) -> Result<Self, Error> {
        // Runs of one-octet fields are read together (one bounds check each run).
        let service_type = r.cstr("service_type", 6)?;
        let [source_addr_ton, source_addr_npi] = r.u8s(&["source_addr_ton", "source_addr_npi"])?;
        let source_addr = r.cstr("source_addr", 21)?;
        let [dest_addr_ton, dest_addr_npi] = r.u8s(&["dest_addr_ton", "dest_addr_npi"])?;
        let destination_addr = r.cstr("destination_addr", 21)?;
        let [esm_class, protocol_id, priority_flag] =
            r.u8s(&["esm_class", "protocol_id", "priority_flag"])?;
        let schedule_delivery_time = r.cstr("schedule_delivery_time", 17)?;
        let validity_period = r.cstr("validity_period", 17)?;
        let [
            registered_delivery,
            replace_if_present_flag,
            data_coding,
            sm_default_msg_id,
        ] = r.u8s(&[
            "registered_delivery",
            "replace_if_present_flag",
            "data_coding",
            "sm_default_msg_id",
        ])?;
        let short_message = r.short_message()?;
        let (tlvs, payload) = r.tlvs_and_payload()?;
        // §5.3.2.32: message_payload replaces short_message; both at once is an error.
        if payload && !short_message.is_empty() {
            return Err(r.error("message_payload", Problem::PayloadConflict));
        }
        Ok(SubmitSm {
            service_type,
            source_addr_ton: Ton(source_addr_ton),
            source_addr_npi: Npi(source_addr_npi),
            source_addr,
            dest_addr_ton: Ton(dest_addr_ton),
            dest_addr_npi: Npi(dest_addr_npi),
            destination_addr,
            esm_class: EsmClass(esm_class),
            protocol_id,
            priority_flag,
            schedule_delivery_time,
            validity_period,
            registered_delivery: RegisteredDelivery(registered_delivery),
            replace_if_present_flag,
            data_coding: DataCoding(data_coding),
            sm_default_msg_id,
            short_message,
            tlvs,
        })
    }
}

/// Appends `octets` unless empty: service_type and the two times usually are, and an empty
/// append still costs a call to `memcpy`.
#[inline(always)]
fn put_some(dst: &mut BytesMut, octets: &[u8]) {
    if !octets.is_empty() {
        dst.put_slice(octets);
    }
}

impl<B: AsRef<[u8]>> BodyEncode for SubmitSm<B> {
    // `always`: out of line, the `Sizer` was kept in memory and each field's check went
    // through a store and a reload of the running length.
    #[inline(always)]
    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        // §5.3.2.32: message_payload replaces short_message; both at once is an error.
        if !self.short_message.is_empty() && self.tlvs.has_payload() {
            return Err(s.error("message_payload", Problem::PayloadConflict));
        }
        s.cstr("service_type", &self.service_type, 6)?
            .int(2)
            .cstr("source_addr", &self.source_addr, 21)?
            .int(2)
            .cstr("destination_addr", &self.destination_addr, 21)?
            .int(3)
            .cstr("schedule_delivery_time", &self.schedule_delivery_time, 17)?
            .cstr("validity_period", &self.validity_period, 17)?
            .int(4)
            .short_message(&self.short_message)?
            .octets(self.tlvs.as_slice());
        Ok(())
    }

    // `always`: out of line, it re-read every field of the PDU through its pointer.
    #[inline(always)]
    fn write(&self, dst: &mut BytesMut) {
        // Each C-string's NUL goes out with the one-octet fields after it, in one append: each
        // append checks the capacity and moves the length (`size` has reserved the space).
        put_some(dst, &self.service_type);
        dst.put_slice(&[0, self.source_addr_ton.0, self.source_addr_npi.0]);
        dst.put_slice(&self.source_addr);
        dst.put_slice(&[0, self.dest_addr_ton.0, self.dest_addr_npi.0]);
        dst.put_slice(&self.destination_addr);
        dst.put_slice(&[0, self.esm_class.0, self.protocol_id, self.priority_flag]);
        put_some(dst, &self.schedule_delivery_time);
        dst.put_u8(0);
        put_some(dst, &self.validity_period);
        dst.put_slice(&[
            0,
            self.registered_delivery.0,
            self.replace_if_present_flag,
            self.data_coding.0,
            self.sm_default_msg_id,
            // Checked by `size`: at most 254.
            self.short_message.len() as u8,
        ]);
        dst.put_slice(&self.short_message);
        dst.put_slice(self.tlvs.as_slice());
    }
}
