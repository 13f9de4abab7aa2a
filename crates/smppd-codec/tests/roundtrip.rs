//! Property tests: every valid PDU survives encode → framer → decode unchanged and re-encodes to
//! the same octets; arbitrary and mutated input never panics, and whatever decodes re-encodes
//! byte for byte (the rustls oracle, shared with the fuzz target).

use bytes::{Bytes, BytesMut};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use smppd_codec::*;

// Fields within their spec limits ----------------------------------------------------------------

/// A C-Octet String of limit `max` (§3.1): at most `max - 1` octets, none of them NUL. Mostly
/// printable ASCII, sometimes any octet (carriers send Latin-1 in addresses).
fn cstr(max: usize) -> impl Strategy<Value = COctetString> {
    prop_oneof![
        3 => vec(0x20u8..0x7f, 0..max),
        1 => vec(1u8..=255, 0..max),
    ]
    .prop_map(COctetString::from)
}

/// `short_message`: 0 to 254 octets (§5.2.21).
fn short_message() -> impl Strategy<Value = OctetString> {
    prop_oneof![vec(any::<u8>(), 0..=20), vec(any::<u8>(), 0..=254),].prop_map(OctetString::from)
}

fn ton() -> impl Strategy<Value = Ton> {
    any::<u8>().prop_map(Ton)
}

fn npi() -> impl Strategy<Value = Npi> {
    any::<u8>().prop_map(Npi)
}

/// A TLV tag: one the spec names, or any other (§5.3: unknown tags are kept).
fn tag() -> impl Strategy<Value = Tag> {
    prop_oneof![select(Tag::ALL), any::<u16>().prop_map(Tag)]
}

/// Raw TLVs: tags and values of any length (a named tag may carry an off-spec length too).
fn tlv_list() -> impl Strategy<Value = Vec<(Tag, Vec<u8>)>> {
    vec((tag(), vec(any::<u8>(), 0..12)), 0..4)
}

fn build_tlvs(list: &[(Tag, Vec<u8>)]) -> Tlvs {
    let mut builder = Tlvs::builder();
    for (tag, value) in list {
        builder.octets(*tag, value).expect("values are short");
    }
    builder.build()
}

fn tlvs() -> impl Strategy<Value = Tlvs> {
    tlv_list().prop_map(|list| build_tlvs(&list))
}

// Bodies -----------------------------------------------------------------------------------------

prop_compose! {
    /// bind_transmitter, bind_receiver, bind_transceiver (§4.1.1, §4.1.3, §4.1.5).
    fn bind()(
        system_id in cstr(16),
        password in cstr(9),
        system_type in cstr(13),
        interface_version in any::<u8>(),
        addr_ton in ton(),
        addr_npi in npi(),
        address_range in cstr(41),
        tlvs in tlvs(),
    ) -> Bind {
        Bind {
            system_id,
            password,
            system_type,
            interface_version,
            addr_ton,
            addr_npi,
            address_range,
            tlvs,
        }
    }
}

/// A body may be absent in a response (carriers do so on error); then it has no TLVs either.
fn bind_resp() -> impl Strategy<Value = BindResp> {
    let present = (cstr(16), tlvs()).prop_map(|(system_id, tlvs)| BindResp {
        system_id: Some(system_id),
        tlvs,
    });
    prop_oneof![1 => Just(BindResp::default()), 4 => present]
}

prop_compose! {
    /// outbind (§4.1.7).
    fn outbind()(system_id in cstr(16), password in cstr(9)) -> Outbind {
        Outbind { system_id, password }
    }
}

prop_compose! {
    /// submit_sm and deliver_sm (§4.4.1, §4.6.1). `message_payload` only goes with an empty
    /// `short_message` (§5.3.2.32).
    fn submit_sm()(
        service_type in cstr(6),
        source_addr_ton in ton(),
        source_addr_npi in npi(),
        source_addr in cstr(21),
        dest_addr_ton in ton(),
        dest_addr_npi in npi(),
        destination_addr in cstr(21),
        esm_class in any::<u8>(),
        protocol_id in any::<u8>(),
        priority_flag in any::<u8>(),
        schedule_delivery_time in cstr(17),
        validity_period in cstr(17),
        registered_delivery in any::<u8>(),
        replace_if_present_flag in any::<u8>(),
        data_coding in any::<u8>(),
        sm_default_msg_id in any::<u8>(),
        short_message in short_message(),
        mut tlvs in tlv_list(),
    ) -> SubmitSm {
        if !short_message.is_empty() {
            tlvs.retain(|(tag, _)| *tag != Tag::MESSAGE_PAYLOAD);
        }
        SubmitSm {
            service_type,
            source_addr_ton,
            source_addr_npi,
            source_addr,
            dest_addr_ton,
            dest_addr_npi,
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
            tlvs: build_tlvs(&tlvs),
        }
    }
}

/// submit_sm_resp, deliver_sm_resp, data_sm_resp (§4.4.2, §4.6.2, §4.7.2): an id, possibly
/// empty, or no body at all.
fn submit_sm_resp() -> impl Strategy<Value = SubmitSmResp> {
    let present = (cstr(65), tlvs()).prop_map(|(message_id, tlvs)| SubmitSmResp {
        message_id: Some(message_id),
        tlvs,
    });
    prop_oneof![1 => Just(SubmitSmResp::default()), 4 => present]
}

/// One dest_address of submit_multi (§4.5.1.1).
fn dest() -> impl Strategy<Value = Dest> {
    let sme =
        (ton(), npi(), cstr(21)).prop_map(|(dest_addr_ton, dest_addr_npi, destination_addr)| {
            Dest::SmeAddress {
                dest_addr_ton,
                dest_addr_npi,
                destination_addr,
            }
        });
    let list = cstr(21).prop_map(|dl_name| Dest::DistributionList { dl_name });
    prop_oneof![sme, list]
}

prop_compose! {
    /// submit_multi (§4.5.1): 0 to 254 destinations (§5.2.24), kept few for speed (the lax
    /// strategies below reach 255).
    fn submit_multi()(
        s in submit_sm(),
        dest_addresses in vec(dest(), 0..5),
    ) -> SubmitMulti {
        SubmitMulti {
            service_type: s.service_type,
            source_addr_ton: s.source_addr_ton,
            source_addr_npi: s.source_addr_npi,
            source_addr: s.source_addr,
            dest_addresses,
            esm_class: s.esm_class,
            protocol_id: s.protocol_id,
            priority_flag: s.priority_flag,
            schedule_delivery_time: s.schedule_delivery_time,
            validity_period: s.validity_period,
            registered_delivery: s.registered_delivery,
            replace_if_present_flag: s.replace_if_present_flag,
            data_coding: s.data_coding,
            sm_default_msg_id: s.sm_default_msg_id,
            short_message: s.short_message,
            tlvs: s.tlvs,
        }
    }
}

prop_compose! {
    /// One unsuccess_sme of submit_multi_resp (§4.5.2.1).
    fn unsuccess_sme()(
        dest_addr_ton in ton(),
        dest_addr_npi in npi(),
        destination_addr in cstr(21),
        error_status_code in any::<u32>(),
    ) -> UnsuccessSme {
        UnsuccessSme {
            dest_addr_ton,
            dest_addr_npi,
            destination_addr,
            error_status_code: CommandStatus(error_status_code),
        }
    }
}

/// submit_multi_resp (§4.5.2), or no body.
fn submit_multi_resp() -> impl Strategy<Value = SubmitMultiResp> {
    let present = (cstr(65), vec(unsuccess_sme(), 0..4), tlvs()).prop_map(
        |(message_id, unsuccess_smes, tlvs)| SubmitMultiResp {
            message_id: Some(message_id),
            unsuccess_smes,
            tlvs,
        },
    );
    prop_oneof![1 => Just(SubmitMultiResp::default()), 4 => present]
}

prop_compose! {
    /// data_sm (§4.7.1).
    fn data_sm()(
        service_type in cstr(6),
        source_addr_ton in ton(),
        source_addr_npi in npi(),
        source_addr in cstr(65),
        dest_addr_ton in ton(),
        dest_addr_npi in npi(),
        destination_addr in cstr(65),
        esm_class in any::<u8>(),
        registered_delivery in any::<u8>(),
        data_coding in any::<u8>(),
        tlvs in tlvs(),
    ) -> DataSm {
        DataSm {
            service_type,
            source_addr_ton,
            source_addr_npi,
            source_addr,
            dest_addr_ton,
            dest_addr_npi,
            destination_addr,
            esm_class: EsmClass(esm_class),
            registered_delivery: RegisteredDelivery(registered_delivery),
            data_coding: DataCoding(data_coding),
            tlvs,
        }
    }
}

prop_compose! {
    /// query_sm (§4.8.1).
    fn query_sm()(
        message_id in cstr(65),
        source_addr_ton in ton(),
        source_addr_npi in npi(),
        source_addr in cstr(21),
        tlvs in tlvs(),
    ) -> QuerySm {
        QuerySm {
            message_id,
            source_addr_ton,
            source_addr_npi,
            source_addr,
            tlvs,
        }
    }
}

/// query_sm_resp (§4.8.2), or no body.
fn query_sm_resp() -> impl Strategy<Value = QuerySmResp> {
    let present = (cstr(65), cstr(17), any::<u8>(), any::<u8>(), tlvs()).prop_map(
        |(message_id, final_date, message_state, error_code, tlvs)| QuerySmResp {
            message_id: Some(message_id),
            final_date,
            message_state: MessageState(message_state),
            error_code,
            tlvs,
        },
    );
    prop_oneof![1 => Just(QuerySmResp::default()), 4 => present]
}

prop_compose! {
    /// cancel_sm (§4.9.1).
    fn cancel_sm()(
        service_type in cstr(6),
        message_id in cstr(65),
        source_addr_ton in ton(),
        source_addr_npi in npi(),
        source_addr in cstr(21),
        dest_addr_ton in ton(),
        dest_addr_npi in npi(),
        destination_addr in cstr(21),
        tlvs in tlvs(),
    ) -> CancelSm {
        CancelSm {
            service_type,
            message_id,
            source_addr_ton,
            source_addr_npi,
            source_addr,
            dest_addr_ton,
            dest_addr_npi,
            destination_addr,
            tlvs,
        }
    }
}

prop_compose! {
    /// replace_sm (§4.10.1).
    fn replace_sm()(
        message_id in cstr(65),
        source_addr_ton in ton(),
        source_addr_npi in npi(),
        source_addr in cstr(21),
        schedule_delivery_time in cstr(17),
        validity_period in cstr(17),
        registered_delivery in any::<u8>(),
        sm_default_msg_id in any::<u8>(),
        short_message in short_message(),
        tlvs in tlvs(),
    ) -> ReplaceSm {
        ReplaceSm {
            message_id,
            source_addr_ton,
            source_addr_npi,
            source_addr,
            schedule_delivery_time,
            validity_period,
            registered_delivery: RegisteredDelivery(registered_delivery),
            sm_default_msg_id,
            short_message,
            tlvs,
        }
    }
}

prop_compose! {
    /// alert_notification (§4.12.1).
    fn alert_notification()(
        source_addr_ton in ton(),
        source_addr_npi in npi(),
        source_addr in cstr(65),
        esme_addr_ton in ton(),
        esme_addr_npi in npi(),
        esme_addr in cstr(65),
        tlvs in tlvs(),
    ) -> AlertNotification {
        AlertNotification {
            source_addr_ton,
            source_addr_npi,
            source_addr,
            esme_addr_ton,
            esme_addr_npi,
            esme_addr,
            tlvs,
        }
    }
}

/// Any of the 27 bodies of SMPP 3.4.
fn body() -> impl Strategy<Value = Body> {
    Union::new([
        bind().prop_map(Body::BindTransmitter).boxed(),
        bind().prop_map(Body::BindReceiver).boxed(),
        bind().prop_map(Body::BindTransceiver).boxed(),
        bind_resp().prop_map(Body::BindTransmitterResp).boxed(),
        bind_resp().prop_map(Body::BindReceiverResp).boxed(),
        bind_resp().prop_map(Body::BindTransceiverResp).boxed(),
        outbind().prop_map(Body::Outbind).boxed(),
        submit_sm().prop_map(Body::SubmitSm).boxed(),
        submit_sm_resp().prop_map(Body::SubmitSmResp).boxed(),
        submit_multi().prop_map(Body::SubmitMulti).boxed(),
        submit_multi_resp().prop_map(Body::SubmitMultiResp).boxed(),
        submit_sm().prop_map(Body::DeliverSm).boxed(),
        submit_sm_resp().prop_map(Body::DeliverSmResp).boxed(),
        data_sm().prop_map(Body::DataSm).boxed(),
        submit_sm_resp().prop_map(Body::DataSmResp).boxed(),
        query_sm().prop_map(Body::QuerySm).boxed(),
        query_sm_resp().prop_map(Body::QuerySmResp).boxed(),
        cancel_sm().prop_map(Body::CancelSm).boxed(),
        replace_sm().prop_map(Body::ReplaceSm).boxed(),
        alert_notification()
            .prop_map(Body::AlertNotification)
            .boxed(),
        Just(Body::EnquireLink).boxed(),
        Just(Body::EnquireLinkResp).boxed(),
        Just(Body::Unbind).boxed(),
        Just(Body::UnbindResp).boxed(),
        Just(Body::GenericNack).boxed(),
        Just(Body::CancelSmResp).boxed(),
        Just(Body::ReplaceSmResp).boxed(),
    ])
}

/// A PDU with any body, a status named by the spec or not, and any sequence number (the codec
/// leaves the 1..=0x7FFFFFFF range of §5.1.4 to the session).
fn pdu() -> impl Strategy<Value = Pdu> {
    let status = prop_oneof![
        select(CommandStatus::ALL),
        any::<u32>().prop_map(CommandStatus),
    ];
    (status, any::<u32>(), body())
        .prop_map(|(status, sequence_number, body)| Pdu::with_status(sequence_number, status, body))
}

// The oracle -------------------------------------------------------------------------------------

/// Frames and decodes `stream` to its end. Every PDU that decodes must re-encode to exactly its
/// frame; every decoding error must carry the frame's header.
fn check_stream(stream: &[u8]) -> Result<(), TestCaseError> {
    let framer = Framer::default();
    let mut buf = BytesMut::from(stream);
    loop {
        match framer.decode(&mut buf) {
            Ok(Some(frame)) => check_frame(frame)?,
            Ok(None) => return Ok(()),
            Err(e) => {
                prop_assert!(e.is_framing(), "{e:?}");
                return Ok(());
            }
        }
    }
}

fn check_frame(frame: Bytes) -> Result<(), TestCaseError> {
    let header = Header::from_bytes(frame[..Header::LEN].try_into().unwrap());
    // The borrowed decoder agrees with the owned one, value for value and error for error.
    let owned = Pdu::decode(frame.clone());
    let borrowed = Pdu::decode_borrowed(&frame).map(Pdu::into_owned);
    prop_assert_eq!(&borrowed, &owned);
    match owned {
        Ok(pdu) => {
            let again = pdu.to_bytes();
            prop_assert_eq!(again, Ok(frame), "{:?}", pdu);
        }
        Err(e) => {
            prop_assert_eq!(e.header(), Some(&header), "{}", e);
            prop_assert!(!e.is_framing(), "{e:?}");
        }
    }
    Ok(())
}

/// Octets under a header that frames: a known command (or any), any status, any body.
fn framed_garbage() -> impl Strategy<Value = Vec<u8>> {
    let command_id = prop_oneof![
        4 => select(CommandId::ALL),
        1 => any::<u32>().prop_map(CommandId),
    ];
    (
        command_id,
        any::<u32>(),
        any::<u32>(),
        vec(any::<u8>(), 0..200),
    )
        .prop_map(|(id, status, sequence_number, body)| {
            let mut out = Vec::with_capacity(Header::LEN + body.len());
            out.extend_from_slice(&((Header::LEN + body.len()) as u32).to_be_bytes());
            out.extend_from_slice(&id.0.to_be_bytes());
            out.extend_from_slice(&status.to_be_bytes());
            out.extend_from_slice(&sequence_number.to_be_bytes());
            out.extend_from_slice(&body);
            out
        })
}

/// What a mutation does to an encoded PDU.
#[derive(Debug, Clone)]
enum Mutation {
    /// Overwrite the octet at this index (modulo the length).
    Set(usize, u8),
    /// Keep only this many octets (modulo the length + 1).
    Truncate(usize),
    /// Append octets.
    Extend(Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        6 => (any::<usize>(), any::<u8>()).prop_map(|(at, octet)| Mutation::Set(at, octet)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => vec(any::<u8>(), 1..8).prop_map(Mutation::Extend),
    ]
}

fn mutate(wire: &[u8], mutations: &[Mutation], fix_length: bool) -> Vec<u8> {
    let mut out = wire.to_vec();
    for m in mutations {
        match m {
            Mutation::Set(at, octet) => {
                let at = at % out.len().max(1);
                if let Some(slot) = out.get_mut(at) {
                    *slot = *octet;
                }
            }
            Mutation::Truncate(len) => out.truncate(len % (out.len() + 1)),
            Mutation::Extend(octets) => out.extend_from_slice(octets),
        }
    }
    // Mostly keep command_length true to the octets, so that the body parsers see the damage.
    if fix_length && out.len() >= 4 {
        let len = (out.len() as u32).to_be_bytes();
        out[..4].copy_from_slice(&len);
    }
    out
}

// Lax PDUs: counts and combinations that the encoder refuses, written out by hand ---------------

/// Raw TLV octets, `message_payload` among the likely tags.
fn raw_tlvs() -> impl Strategy<Value = Vec<u8>> {
    let tag = prop_oneof![1 => Just(Tag::MESSAGE_PAYLOAD), 3 => tag()];
    vec((tag, vec(any::<u8>(), 0..6)), 0..3).prop_map(|list| {
        let mut out = Vec::new();
        for (tag, value) in list {
            out.extend_from_slice(&tag.0.to_be_bytes());
            out.extend_from_slice(&(value.len() as u16).to_be_bytes());
            out.extend_from_slice(&value);
        }
        out
    })
}

/// A PDU ending in sm_length, short_message and TLVs (submit_sm, deliver_sm, replace_sm,
/// submit_multi) with any sm_length up to 255, a message of that length and TLVs that may hold
/// message_payload beside it.
fn lax_short_message() -> impl Strategy<Value = Vec<u8>> {
    let body = prop_oneof![
        submit_sm().prop_map(|b| Body::SubmitSm(SubmitSm {
            short_message: OctetString::new(),
            tlvs: Tlvs::new(),
            ..b
        })),
        submit_sm().prop_map(|b| Body::DeliverSm(SubmitSm {
            short_message: OctetString::new(),
            tlvs: Tlvs::new(),
            ..b
        })),
        replace_sm().prop_map(|b| Body::ReplaceSm(ReplaceSm {
            short_message: OctetString::new(),
            tlvs: Tlvs::new(),
            ..b
        })),
        submit_multi().prop_map(|b| Body::SubmitMulti(SubmitMulti {
            short_message: OctetString::new(),
            tlvs: Tlvs::new(),
            ..b
        })),
    ];
    let message = prop_oneof![vec(any::<u8>(), 0..=8), vec(any::<u8>(), 250..=255)];
    (body, message, raw_tlvs()).prop_map(|(body, message, tlvs)| {
        let mut out = Pdu::new(1, body).to_bytes().unwrap().to_vec();
        // The body ends in sm_length 0 (no message, no TLVs): write the lax tail in its place.
        out.pop();
        out.push(message.len() as u8);
        out.extend_from_slice(&message);
        out.extend_from_slice(&tlvs);
        let len = (out.len() as u32).to_be_bytes();
        out[..4].copy_from_slice(&len);
        out
    })
}

/// submit_multi with any number_of_dests up to 255, and that many destinations.
fn lax_number_of_dests() -> impl Strategy<Value = Vec<u8>> {
    let count = prop_oneof![0usize..=4, 252usize..=255];
    (submit_multi(), count).prop_map(|(multi, count)| {
        let dest = Dest::DistributionList {
            dl_name: "L".into(),
        };
        let multi = SubmitMulti {
            dest_addresses: vec![dest; count.min(254)],
            ..multi
        };
        let mut out = Pdu::new(1, Body::SubmitMulti(multi.clone()))
            .to_bytes()
            .unwrap()
            .to_vec();
        if count == 255 {
            // number_of_dests follows service_type, source_addr_ton/npi and source_addr.
            let at = Header::LEN + multi.service_type.len() + 1 + 2 + multi.source_addr.len() + 1;
            out[at] = 255;
            out.splice(at + 1..at + 1, [2, b'L', 0]);
            let len = (out.len() as u32).to_be_bytes();
            out[..4].copy_from_slice(&len);
        }
        out
    })
}

// Properties -------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    /// encode → framer → decode gives back the PDU, and re-encoding gives back the octets.
    #[test]
    fn valid_pdus_round_trip(pdu in pdu()) {
        let wire = pdu.to_bytes().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(pdu.encoded_len(), Ok(wire.len()));
        // §5.1.1: command_length is the whole PDU; §5.1.2.1: the command_id of the body.
        prop_assert_eq!(&wire[..4], &(wire.len() as u32).to_be_bytes()[..]);
        prop_assert_eq!(&wire[4..8], &pdu.command_id().0.to_be_bytes()[..]);

        let mut buf = BytesMut::from(&wire[..]);
        let frame = Framer::default().decode(&mut buf).unwrap().unwrap();
        prop_assert!(buf.is_empty());
        let decoded = Pdu::decode(frame).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&decoded, &pdu);
        prop_assert_eq!(decoded.to_bytes().unwrap(), &wire);

        // The borrowed path: measured in place, decoded into slices of `wire`, the same PDU,
        // encoded to the same octets.
        prop_assert_eq!(Framer::default().peek(&wire), Ok(Some(wire.len())));
        let borrowed = Pdu::decode_borrowed(&wire)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(borrowed.to_bytes().unwrap(), &wire);
        prop_assert_eq!(borrowed.into_owned(), pdu);
    }

    /// The JSON form (what `smppctl pdu decode` prints and `pdu encode` reads) is lossless.
    #[cfg(feature = "serde")]
    #[test]
    fn valid_pdus_round_trip_through_json(pdu in pdu()) {
        let json = serde_json::to_string(&pdu).unwrap();
        let back: Pdu = serde_json::from_str(&json)
            .map_err(|e| TestCaseError::fail(format!("{e}: {json}")))?;
        prop_assert_eq!(back, pdu, "{}", json);
    }

    /// Several PDUs back to back, cut anywhere, frame one by one.
    #[test]
    fn a_stream_of_pdus_frames_at_any_chunking(
        pdus in vec(pdu(), 1..5),
        chunk in 1usize..64,
    ) {
        let encoded: Vec<Bytes> = pdus.iter().map(|p| p.to_bytes().unwrap()).collect();
        let stream = encoded.concat();
        let framer = Framer::default();
        let mut buf = BytesMut::new();
        let mut frames = Vec::new();
        for piece in stream.chunks(chunk) {
            buf.extend_from_slice(piece);
            while let Some(frame) = framer.decode(&mut buf).unwrap() {
                frames.push(frame);
            }
        }
        prop_assert_eq!(&frames, &encoded);
        let decoded: Vec<Pdu> = frames.into_iter().map(|f| Pdu::decode(f).unwrap()).collect();
        prop_assert_eq!(decoded, pdus);
    }

    /// Any octets at all: no panic.
    #[test]
    fn arbitrary_octets_never_panic(stream in vec(any::<u8>(), 0..300)) {
        check_stream(&stream)?;
    }

    /// Any body under a header that frames: every decoder meets garbage.
    #[test]
    fn arbitrary_bodies_never_panic_and_what_decodes_reencodes(wire in framed_garbage()) {
        check_stream(&wire)?;
    }

    /// Counts and combinations the encoder refuses: what decodes must encode back.
    #[test]
    fn lax_pdus_decode_to_an_error_or_reencode_exactly(
        wire in prop_oneof![lax_short_message(), lax_number_of_dests()],
    ) {
        check_stream(&wire)?;
    }

    /// Valid PDUs with octets changed, cut or added.
    #[test]
    fn mutated_pdus_never_panic_and_what_decodes_reencodes(
        pdu in pdu(),
        mutations in vec(mutation(), 1..4),
        fix_length in prop::bool::weighted(0.9),
    ) {
        let wire = pdu.to_bytes().unwrap();
        check_stream(&mutate(&wire, &mutations, fix_length))?;
    }
}
