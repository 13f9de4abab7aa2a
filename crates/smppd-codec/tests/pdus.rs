//! Spec-driven tests, one per PDU of SMPP 3.4 (§4): each vector is written out field by field
//! with the spec section of every field, decoded through the framer, checked field by field and
//! re-encoded byte for byte. After the 27 PDUs come the carrier habits that must be accepted.

use bytes::{Bytes, BytesMut};
use smppd_codec::*;

/// Joins a vector's fields into the octets of the PDU.
fn octets(fields: &[&str]) -> Bytes {
    Bytes::from(hex::decode(&fields.concat()).expect("test vectors are hex"))
}

/// Frames and decodes a vector that holds exactly one PDU.
fn decode(fields: &[&str]) -> (Bytes, Pdu) {
    let wire = octets(fields);
    let mut buf = BytesMut::from(&wire[..]);
    let frame = Framer::default()
        .decode(&mut buf)
        .expect("frames")
        .expect("a whole PDU");
    assert!(buf.is_empty(), "the vector is one PDU, nothing after it");
    assert_eq!(frame, wire);
    let pdu = Pdu::decode(frame).unwrap_or_else(|e| panic!("decodes: {e}"));
    (wire, pdu)
}

/// `encode(decode(x)) == x`, and the length the encoder announces is what it writes.
fn assert_reencodes(pdu: &Pdu, wire: &[u8]) {
    assert_eq!(pdu.encoded_len(), Ok(wire.len()));
    let mut out = BytesMut::new();
    pdu.encode(&mut out).expect("encodes");
    assert_eq!(hex::encode(&out), hex::encode(wire));
}

/// The TLVs in wire order, as (tag, value).
fn tlv_list(tlvs: &Tlvs) -> Vec<(Tag, &[u8])> {
    tlvs.iter().collect()
}

/// The header every test checks first (§3.2).
fn assert_header(pdu: &Pdu, id: CommandId, status: CommandStatus, sequence_number: u32) {
    assert_eq!(pdu.command_id(), id);
    assert_eq!(pdu.command_status, status);
    assert_eq!(pdu.sequence_number, sequence_number);
}

// §4.1.1 bind_transmitter.
const BIND_TRANSMITTER: &[&str] = &[
    "0000002d",                 // command_length (§5.1.1): 45 octets, header included
    "00000002",                 // command_id (§5.1.2.1): bind_transmitter
    "00000000",                 // command_status (§5.1.3): 0 in a request
    "00000001",                 // sequence_number (§5.1.4): 1
    "736d7070636c69656e743100", // system_id (§5.2.1): "smppclient1"
    "70617373776f726400", // password (§5.2.2): "password", 8 characters + NUL = the limit of 9
    "564d5300",           // system_type (§5.2.3): "VMS"
    "34",                 // interface_version (§5.2.4): 0x34, SMPP 3.4
    "01",                 // addr_ton (§5.2.5): international
    "01",                 // addr_npi (§5.2.6): ISDN (E.164)
    "00",                 // address_range (§5.2.7): empty (NULL)
];

#[test]
fn bind_transmitter() {
    let (wire, pdu) = decode(BIND_TRANSMITTER);
    assert_header(
        &pdu,
        CommandId::BIND_TRANSMITTER,
        CommandStatus::ESME_ROK,
        1,
    );
    let Body::BindTransmitter(Bind {
        system_id,
        password,
        system_type,
        interface_version,
        addr_ton,
        addr_npi,
        address_range,
        tlvs,
    }) = &pdu.body
    else {
        panic!("not a bind_transmitter: {:?}", pdu.body);
    };
    assert_eq!(&system_id[..], b"smppclient1");
    assert_eq!(&password[..], b"password");
    assert_eq!(&system_type[..], b"VMS");
    assert_eq!(*interface_version, 0x34);
    assert_eq!(*addr_ton, Ton::INTERNATIONAL);
    assert_eq!(*addr_npi, Npi::ISDN);
    assert_eq!(&address_range[..], b"");
    assert!(tlvs.is_empty());
    assert_reencodes(&pdu, &wire);
}

// §4.1.2 bind_transmitter_resp: system_id, then the optional sc_interface_version.
const BIND_TRANSMITTER_RESP: &[&str] = &[
    "0000001a",   // command_length (§5.1.1): 26 octets, header included
    "80000002",   // command_id (§5.1.2.1): bind_transmitter_resp
    "00000000",   // command_status (§5.1.3): ESME_ROK
    "00000001",   // sequence_number (§5.1.4): 1
    "534d534300", // system_id (§5.2.1): "SMSC"
    "0210",       // tag (§5.3.1): sc_interface_version (§5.3.2.25)
    "0001",       // length (§5.3.1): 1 octet
    "34",         // value: 0x34, SMPP 3.4
];

#[test]
fn bind_transmitter_resp() {
    let (wire, pdu) = decode(BIND_TRANSMITTER_RESP);
    assert_header(
        &pdu,
        CommandId::BIND_TRANSMITTER_RESP,
        CommandStatus::ESME_ROK,
        1,
    );
    let Body::BindTransmitterResp(BindResp { system_id, tlvs }) = &pdu.body else {
        panic!("not a bind_transmitter_resp: {:?}", pdu.body);
    };
    assert_eq!(system_id.as_deref(), Some(&b"SMSC"[..]));
    assert_eq!(tlvs.get_u8(Tag::SC_INTERFACE_VERSION), Some(0x34));
    assert_eq!(tlv_list(tlvs), [(Tag::SC_INTERFACE_VERSION, &[0x34][..])]);
    assert_reencodes(&pdu, &wire);
}

// §4.1.3 bind_receiver.
const BIND_RECEIVER: &[&str] = &[
    "00000021",         // command_length (§5.1.1): 33 octets, header included
    "00000001",         // command_id (§5.1.2.1): bind_receiver
    "00000000",         // command_status (§5.1.3): 0 in a request
    "00000002",         // sequence_number (§5.1.4): 2
    "65736d652d727800", // system_id (§5.2.1): "esme-rx"
    "00",               // password (§5.2.2): empty (NULL)
    "00",               // system_type (§5.2.3): empty (NULL)
    "34",               // interface_version (§5.2.4): 0x34, SMPP 3.4
    "00",               // addr_ton (§5.2.5): unknown
    "00",               // addr_npi (§5.2.6): unknown
    "5e343400",         // address_range (§5.2.7): "^44", a regular expression
];

#[test]
fn bind_receiver() {
    let (wire, pdu) = decode(BIND_RECEIVER);
    assert_header(&pdu, CommandId::BIND_RECEIVER, CommandStatus::ESME_ROK, 2);
    let Body::BindReceiver(Bind {
        system_id,
        password,
        system_type,
        interface_version,
        addr_ton,
        addr_npi,
        address_range,
        tlvs,
    }) = &pdu.body
    else {
        panic!("not a bind_receiver: {:?}", pdu.body);
    };
    assert_eq!(&system_id[..], b"esme-rx");
    assert_eq!(&password[..], b"");
    assert_eq!(&system_type[..], b"");
    assert_eq!(*interface_version, 0x34);
    assert_eq!(*addr_ton, Ton::UNKNOWN);
    assert_eq!(*addr_npi, Npi::UNKNOWN);
    assert_eq!(&address_range[..], b"^44");
    assert!(tlvs.is_empty());
    assert_reencodes(&pdu, &wire);
}

// §4.1.4 bind_receiver_resp, without the optional sc_interface_version.
const BIND_RECEIVER_RESP: &[&str] = &[
    "00000015",   // command_length (§5.1.1): 21 octets, header included
    "80000001",   // command_id (§5.1.2.1): bind_receiver_resp
    "00000000",   // command_status (§5.1.3): ESME_ROK
    "00000002",   // sequence_number (§5.1.4): 2
    "534d534300", // system_id (§5.2.1): "SMSC"
];

#[test]
fn bind_receiver_resp() {
    let (wire, pdu) = decode(BIND_RECEIVER_RESP);
    assert_header(
        &pdu,
        CommandId::BIND_RECEIVER_RESP,
        CommandStatus::ESME_ROK,
        2,
    );
    let Body::BindReceiverResp(BindResp { system_id, tlvs }) = &pdu.body else {
        panic!("not a bind_receiver_resp: {:?}", pdu.body);
    };
    assert_eq!(system_id.as_deref(), Some(&b"SMSC"[..]));
    assert!(tlvs.is_empty());
    assert_reencodes(&pdu, &wire);
}

// §4.1.5 bind_transceiver, with system_id and address_range at their limits.
const BIND_TRANSCEIVER: &[&str] = &[
    "00000058", // command_length (§5.1.1): 88 octets, header included
    "00000009", // command_id (§5.1.2.1): bind_transceiver
    "00000000", // command_status (§5.1.3): 0 in a request
    "00000003", // sequence_number (§5.1.4): 3
    // system_id (§5.2.1): "ABCDEFGHIJKLMNO", 15 characters + NUL = the limit of 16
    "4142434445464748494a4b4c4d4e4f00",
    "73656372657400", // password (§5.2.2): "secret"
    "534d505000",     // system_type (§5.2.3): "SMPP"
    "34",             // interface_version (§5.2.4): 0x34, SMPP 3.4
    "02",             // addr_ton (§5.2.5): national
    "08",             // addr_npi (§5.2.6): national
    // address_range (§5.2.7): "0123456789" four times + NUL = the limit of 41
    "3031323334353637383930313233343536373839303132333435363738393031",
    "323334353637383900",
];

#[test]
fn bind_transceiver() {
    let (wire, pdu) = decode(BIND_TRANSCEIVER);
    assert_header(
        &pdu,
        CommandId::BIND_TRANSCEIVER,
        CommandStatus::ESME_ROK,
        3,
    );
    let Body::BindTransceiver(Bind {
        system_id,
        password,
        system_type,
        interface_version,
        addr_ton,
        addr_npi,
        address_range,
        tlvs,
    }) = &pdu.body
    else {
        panic!("not a bind_transceiver: {:?}", pdu.body);
    };
    assert_eq!(&system_id[..], b"ABCDEFGHIJKLMNO");
    assert_eq!(&password[..], b"secret");
    assert_eq!(&system_type[..], b"SMPP");
    assert_eq!(*interface_version, 0x34);
    assert_eq!(*addr_ton, Ton::NATIONAL);
    assert_eq!(*addr_npi, Npi::NATIONAL);
    assert_eq!(
        &address_range[..],
        b"0123456789012345678901234567890123456789"
    );
    assert!(tlvs.is_empty());
    assert_reencodes(&pdu, &wire);
}

// §4.1.6 bind_transceiver_resp.
const BIND_TRANSCEIVER_RESP: &[&str] = &[
    "0000001a",   // command_length (§5.1.1): 26 octets, header included
    "80000009",   // command_id (§5.1.2.1): bind_transceiver_resp
    "00000000",   // command_status (§5.1.3): ESME_ROK
    "00000003",   // sequence_number (§5.1.4): 3
    "534d534300", // system_id (§5.2.1): "SMSC"
    "0210",       // tag (§5.3.1): sc_interface_version (§5.3.2.25)
    "0001",       // length (§5.3.1): 1 octet
    "34",         // value: 0x34, SMPP 3.4
];

#[test]
fn bind_transceiver_resp() {
    let (wire, pdu) = decode(BIND_TRANSCEIVER_RESP);
    assert_header(
        &pdu,
        CommandId::BIND_TRANSCEIVER_RESP,
        CommandStatus::ESME_ROK,
        3,
    );
    let Body::BindTransceiverResp(BindResp { system_id, tlvs }) = &pdu.body else {
        panic!("not a bind_transceiver_resp: {:?}", pdu.body);
    };
    assert_eq!(system_id.as_deref(), Some(&b"SMSC"[..]));
    assert_eq!(tlvs.get_u8(Tag::SC_INTERFACE_VERSION), Some(0x34));
    assert_reencodes(&pdu, &wire);
}

// §4.1.7 outbind: system_id and password, no optional part.
const OUTBIND: &[&str] = &[
    "00000018",   // command_length (§5.1.1): 24 octets, header included
    "0000000b",   // command_id (§5.1.2.1): outbind
    "00000000",   // command_status (§5.1.3): 0 in a request
    "00000004",   // sequence_number (§5.1.4): 4
    "534d534300", // system_id (§5.2.1): "SMSC"
    "707700",     // password (§5.2.2): "pw"
];

#[test]
fn outbind() {
    let (wire, pdu) = decode(OUTBIND);
    assert_header(&pdu, CommandId::OUTBIND, CommandStatus::ESME_ROK, 4);
    let Body::Outbind(Outbind {
        system_id,
        password,
    }) = &pdu.body
    else {
        panic!("not an outbind: {:?}", pdu.body);
    };
    assert_eq!(&system_id[..], b"SMSC");
    assert_eq!(&password[..], b"pw");
    assert_reencodes(&pdu, &wire);
}

// §4.2.1 unbind: the header alone.
const UNBIND: &[&str] = &[
    "00000010", // command_length (§5.1.1): 16 octets, header included
    "00000006", // command_id (§5.1.2.1): unbind
    "00000000", // command_status (§5.1.3): 0 in a request
    "00000005", // sequence_number (§5.1.4): 5
];

#[test]
fn unbind() {
    let (wire, pdu) = decode(UNBIND);
    assert_header(&pdu, CommandId::UNBIND, CommandStatus::ESME_ROK, 5);
    assert_eq!(pdu.body, Body::Unbind);
    assert_reencodes(&pdu, &wire);
}

// §4.2.2 unbind_resp: the header alone.
const UNBIND_RESP: &[&str] = &[
    "00000010", // command_length (§5.1.1): 16 octets, header included
    "80000006", // command_id (§5.1.2.1): unbind_resp
    "00000000", // command_status (§5.1.3): ESME_ROK
    "00000005", // sequence_number (§5.1.4): 5
];

#[test]
fn unbind_resp() {
    let (wire, pdu) = decode(UNBIND_RESP);
    assert_header(&pdu, CommandId::UNBIND_RESP, CommandStatus::ESME_ROK, 5);
    assert_eq!(pdu.body, Body::UnbindResp);
    assert_reencodes(&pdu, &wire);
}

// §4.3.1 generic_nack: the header alone, the error in command_status.
const GENERIC_NACK: &[&str] = &[
    "00000010", // command_length (§5.1.1): 16 octets, header included
    "80000000", // command_id (§5.1.2.1): generic_nack
    "00000003", // command_status (§5.1.3): ESME_RINVCMDID
    "00000006", // sequence_number (§5.1.4): 6
];

#[test]
fn generic_nack() {
    let (wire, pdu) = decode(GENERIC_NACK);
    assert_header(
        &pdu,
        CommandId::GENERIC_NACK,
        CommandStatus::ESME_RINVCMDID,
        6,
    );
    assert_eq!(pdu.body, Body::GenericNack);
    assert_reencodes(&pdu, &wire);
}

// §4.4.1 submit_sm: a UCS-2 part of a concatenated message, with a standard TLV and an unknown
// one.
const SUBMIT_SM: &[&str] = &[
    "0000005d",                   // command_length (§5.1.1): 93 octets, header included
    "00000004",                   // command_id (§5.1.2.1): submit_sm
    "00000000",                   // command_status (§5.1.3): 0 in a request
    "00000007",                   // sequence_number (§5.1.4): 7
    "57415000",                   // service_type (§5.2.11): "WAP"
    "05",                         // source_addr_ton (§5.2.5): alphanumeric
    "00",                         // source_addr_npi (§5.2.6): unknown
    "41434d4500",                 // source_addr (§5.2.8): "ACME"
    "01",                         // dest_addr_ton (§5.2.5): international
    "01",                         // dest_addr_npi (§5.2.6): ISDN (E.164)
    "34343737303039303031323300", // destination_addr (§5.2.9): "447700900123"
    "40",                         // esm_class (§5.2.12): UDHI: short_message starts with a UDH
    "00",                         // protocol_id (§5.2.13)
    "01",                         // priority_flag (§5.2.14): level 1
    "00",                         // schedule_delivery_time (§5.2.15): empty (NULL), immediate
    // validity_period (§5.2.16, §7.1.2): "000001000000000R", relative, 1 day
    "3030303030313030303030303030305200",
    "01",           // registered_delivery (§5.2.17): receipt on success or failure
    "00",           // replace_if_present_flag (§5.2.18): don't replace
    "08",           // data_coding (§5.2.19): UCS-2
    "00",           // sm_default_msg_id (§5.2.20): none
    "0c",           // sm_length (§5.2.21): 12 octets follow
    "050003070201", // short_message (§5.2.22): UDH 05 00 03, concat reference 7, 2 parts, part 1
    "0048006920ac", // short_message (§5.2.22): "Hi€" in UCS-2
    "0204",         // tag (§5.3.1): user_message_reference (§5.3.2.17)
    "0002",         // length (§5.3.1): 2 octets
    "0007",         // value: 7
    "1400",         // tag (§5.3.1): 0x1400, not in SMPP 3.4 (§5.3)
    "0003",         // length (§5.3.1): 3 octets
    "00ff01",       // value: opaque; an unknown tag is kept, never rejected
];

#[test]
fn submit_sm() {
    let (wire, pdu) = decode(SUBMIT_SM);
    assert_header(&pdu, CommandId::SUBMIT_SM, CommandStatus::ESME_ROK, 7);
    let Body::SubmitSm(SubmitSm {
        service_type,
        source_addr_ton,
        source_addr_npi,
        source_addr,
        dest_addr_ton,
        dest_addr_npi,
        destination_addr,
        esm_class,
        protocol_id,
        priority_flag,
        schedule_delivery_time,
        validity_period,
        registered_delivery,
        replace_if_present_flag,
        data_coding,
        sm_default_msg_id,
        short_message,
        tlvs,
    }) = &pdu.body
    else {
        panic!("not a submit_sm: {:?}", pdu.body);
    };
    assert_eq!(&service_type[..], b"WAP");
    assert_eq!(*source_addr_ton, Ton::ALPHANUMERIC);
    assert_eq!(*source_addr_npi, Npi::UNKNOWN);
    assert_eq!(&source_addr[..], b"ACME");
    assert_eq!(*dest_addr_ton, Ton::INTERNATIONAL);
    assert_eq!(*dest_addr_npi, Npi::ISDN);
    assert_eq!(&destination_addr[..], b"447700900123");
    assert_eq!(*esm_class, EsmClass(EsmClass::UDHI));
    assert!(esm_class.has_udh());
    assert_eq!(*protocol_id, 0);
    assert_eq!(*priority_flag, 1);
    assert_eq!(&schedule_delivery_time[..], b"");
    assert_eq!(&validity_period[..], b"000001000000000R");
    assert_eq!(*registered_delivery, RegisteredDelivery::ALWAYS);
    assert_eq!(*replace_if_present_flag, 0);
    assert_eq!(*data_coding, DataCoding::UCS2);
    assert_eq!(*sm_default_msg_id, 0);
    assert_eq!(
        &short_message[..],
        [
            0x05, 0x00, 0x03, 0x07, 0x02, 0x01, 0x00, 0x48, 0x00, 0x69, 0x20, 0xac
        ]
    );
    assert_eq!(tlvs.get_u16(Tag::USER_MESSAGE_REFERENCE), Some(7));
    assert_eq!(
        tlv_list(tlvs),
        [
            (Tag::USER_MESSAGE_REFERENCE, &[0x00, 0x07][..]),
            (Tag(0x1400), &[0x00, 0xff, 0x01][..]),
        ]
    );
    // The same TLVs written by the builder are the same octets.
    let mut built = Tlvs::builder();
    built.u16(Tag::USER_MESSAGE_REFERENCE, 7);
    built.octets(Tag(0x1400), &[0x00, 0xff, 0x01]).unwrap();
    assert_eq!(built.build(), *tlvs);
    assert_reencodes(&pdu, &wire);
}

// §4.4.2 submit_sm_resp.
const SUBMIT_SM_RESP: &[&str] = &[
    "00000019",           // command_length (§5.1.1): 25 octets, header included
    "80000004",           // command_id (§5.1.2.1): submit_sm_resp
    "00000000",           // command_status (§5.1.3): ESME_ROK
    "00000007",           // sequence_number (§5.1.4): 7
    "356633653261313000", // message_id (§5.2.23): "5f3e2a10"
];

#[test]
fn submit_sm_resp() {
    let (wire, pdu) = decode(SUBMIT_SM_RESP);
    assert_header(&pdu, CommandId::SUBMIT_SM_RESP, CommandStatus::ESME_ROK, 7);
    let Body::SubmitSmResp(SubmitSmResp { message_id, tlvs }) = &pdu.body else {
        panic!("not a submit_sm_resp: {:?}", pdu.body);
    };
    assert_eq!(message_id.as_deref(), Some(&b"5f3e2a10"[..]));
    assert!(tlvs.is_empty());
    assert_eq!(pdu.body, Body::SubmitSmResp(SubmitSmResp::new("5f3e2a10")));
    assert_reencodes(&pdu, &wire);
}

// §4.5.1 submit_multi: one SME address and one distribution list.
const SUBMIT_MULTI: &[&str] = &[
    "00000047",                   // command_length (§5.1.1): 71 octets, header included
    "00000021",                   // command_id (§5.1.2.1): submit_multi
    "00000000",                   // command_status (§5.1.3): 0 in a request
    "00000008",                   // sequence_number (§5.1.4): 8
    "00",                         // service_type (§5.2.11): empty (NULL), default
    "01",                         // source_addr_ton (§5.2.5): international
    "01",                         // source_addr_npi (§5.2.6): ISDN (E.164)
    "34343737303039303039393900", // source_addr (§5.2.8): "447700900999"
    "02",                         // number_of_dests (§5.2.24): 2 dest_address follow
    "01",                         // dest_flag (§5.2.25): 1 = SME address (§4.5.1.1)
    "01",                         // dest_addr_ton (§5.2.5): international
    "01",                         // dest_addr_npi (§5.2.6): ISDN (E.164)
    "34343737303039303030303100", // destination_addr (§5.2.9): "447700900001"
    "02",                         // dest_flag (§5.2.25): 2 = distribution list (§4.5.1.1)
    "737461666600",               // dl_name (§5.2.27): "staff"
    "00",                         // esm_class (§5.2.12): default mode and type
    "00",                         // protocol_id (§5.2.13)
    "00",                         // priority_flag (§5.2.14)
    "00",                         // schedule_delivery_time (§5.2.15): empty (NULL), immediate
    "00",                         // validity_period (§5.2.16): empty (NULL), SMSC default
    "00",                         // registered_delivery (§5.2.17): no receipt
    "00",                         // replace_if_present_flag (§5.2.18)
    "00",                         // data_coding (§5.2.19): SMSC default alphabet
    "00",                         // sm_default_msg_id (§5.2.20)
    "05",                         // sm_length (§5.2.21)
    "68656c6c6f",                 // short_message (§5.2.22): "hello"
];

#[test]
fn submit_multi() {
    let (wire, pdu) = decode(SUBMIT_MULTI);
    assert_header(&pdu, CommandId::SUBMIT_MULTI, CommandStatus::ESME_ROK, 8);
    let Body::SubmitMulti(SubmitMulti {
        service_type,
        source_addr_ton,
        source_addr_npi,
        source_addr,
        dest_addresses,
        esm_class,
        protocol_id,
        priority_flag,
        schedule_delivery_time,
        validity_period,
        registered_delivery,
        replace_if_present_flag,
        data_coding,
        sm_default_msg_id,
        short_message,
        tlvs,
    }) = &pdu.body
    else {
        panic!("not a submit_multi: {:?}", pdu.body);
    };
    assert_eq!(&service_type[..], b"");
    assert_eq!(*source_addr_ton, Ton::INTERNATIONAL);
    assert_eq!(*source_addr_npi, Npi::ISDN);
    assert_eq!(&source_addr[..], b"447700900999");
    assert_eq!(
        *dest_addresses,
        [
            Dest::SmeAddress {
                dest_addr_ton: Ton::INTERNATIONAL,
                dest_addr_npi: Npi::ISDN,
                destination_addr: "447700900001".into(),
            },
            Dest::DistributionList {
                dl_name: "staff".into(),
            },
        ]
    );
    assert_eq!(*esm_class, EsmClass(0));
    assert_eq!(*protocol_id, 0);
    assert_eq!(*priority_flag, 0);
    assert_eq!(&schedule_delivery_time[..], b"");
    assert_eq!(&validity_period[..], b"");
    assert_eq!(*registered_delivery, RegisteredDelivery::NONE);
    assert_eq!(*replace_if_present_flag, 0);
    assert_eq!(*data_coding, DataCoding::DEFAULT);
    assert_eq!(*sm_default_msg_id, 0);
    assert_eq!(&short_message[..], b"hello");
    assert!(tlvs.is_empty());
    assert_reencodes(&pdu, &wire);
}

// §4.5.2 submit_multi_resp: the message id and one destination that failed.
const SUBMIT_MULTI_RESP: &[&str] = &[
    "0000002b",                 // command_length (§5.1.1): 43 octets, header included
    "80000021",                 // command_id (§5.1.2.1): submit_multi_resp
    "00000000",                 // command_status (§5.1.3): ESME_ROK
    "00000008",                 // sequence_number (§5.1.4): 8
    "6d756c74692d3100",         // message_id (§5.2.23): "multi-1"
    "01",                       // no_unsuccess (§5.2.26): 1 unsuccess_sme follows (§4.5.2.1)
    "02",                       // dest_addr_ton (§5.2.5): national
    "08",                       // dest_addr_npi (§5.2.6): national
    "303737303039303030303200", // destination_addr (§5.2.9): "07700900002"
    "0000000b",                 // error_status_code (§4.5.2.1, §5.1.3): ESME_RINVDSTADR
];

#[test]
fn submit_multi_resp() {
    let (wire, pdu) = decode(SUBMIT_MULTI_RESP);
    assert_header(
        &pdu,
        CommandId::SUBMIT_MULTI_RESP,
        CommandStatus::ESME_ROK,
        8,
    );
    let Body::SubmitMultiResp(SubmitMultiResp {
        message_id,
        unsuccess_smes,
        tlvs,
    }) = &pdu.body
    else {
        panic!("not a submit_multi_resp: {:?}", pdu.body);
    };
    assert_eq!(message_id.as_deref(), Some(&b"multi-1"[..]));
    assert_eq!(
        *unsuccess_smes,
        [UnsuccessSme {
            dest_addr_ton: Ton::NATIONAL,
            dest_addr_npi: Npi::NATIONAL,
            destination_addr: "07700900002".into(),
            error_status_code: CommandStatus::ESME_RINVDSTADR,
        }]
    );
    assert!(tlvs.is_empty());
    assert_reencodes(&pdu, &wire);
}

// §4.6.1 deliver_sm carrying an SMSC delivery receipt (esm_class 0x04, Appendix B), with the
// receipt TLVs of §5.3.2.
const DELIVER_SM: &[&str] = &[
    "000000b3",                   // command_length (§5.1.1): 179 octets, header included
    "00000005",                   // command_id (§5.1.2.1): deliver_sm
    "00000000",                   // command_status (§5.1.3): 0 in a request
    "00000009",                   // sequence_number (§5.1.4): 9
    "00",                         // service_type (§5.2.11): empty (NULL)
    "01",                         // source_addr_ton (§5.2.5): international
    "01",                         // source_addr_npi (§5.2.6): ISDN (E.164)
    "34343737303039303031323300", // source_addr (§5.2.8): "447700900123", the handset
    "05",                         // dest_addr_ton (§5.2.5): alphanumeric
    "00",                         // dest_addr_npi (§5.2.6): unknown
    "41434d4500",                 // destination_addr (§5.2.9): "ACME"
    "04",                         // esm_class (§5.2.12): 0x04: SMSC delivery receipt
    "00",                         // protocol_id (§5.2.13)
    "00",                         // priority_flag (§5.2.14)
    "00", // schedule_delivery_time (§5.2.15): empty (NULL), must be NULL in deliver_sm (§4.6.1)
    "00", // validity_period (§5.2.16): empty (NULL), must be NULL in deliver_sm (§4.6.1)
    "00", // registered_delivery (§5.2.17)
    "00", // replace_if_present_flag (§5.2.18): must be NULL in deliver_sm (§4.6.1)
    "00", // data_coding (§5.2.19)
    "00", // sm_default_msg_id (§5.2.20): must be NULL in deliver_sm (§4.6.1)
    "69", // sm_length (§5.2.21): 105 octets
    // short_message (§5.2.22): the receipt text (Appendix B)
    "69643a3061316232633364207375623a30303120646c7672", // "id:0a1b2c3d sub:001 dlvr"
    "643a303031207375626d697420646174653a323531313231", // "d:001 submit date:251121"
    "3132303020646f6e6520646174653a323531313231313230", // "1200 done date:251121120"
    "3120737461743a44454c49565244206572723a3030302074", // "1 stat:DELIVRD err:000 t"
    "6578743a48656c6c6f",                               // "ext:Hello"
    "001e",               // tag (§5.3.1): receipted_message_id (§5.3.2.12)
    "0009",               // length (§5.3.1): 9 octets
    "306131623263336400", // value: C-string "0a1b2c3d"
    "0427",               // tag (§5.3.1): message_state (§5.3.2.35)
    "0001",               // length (§5.3.1): 1 octet
    "02",                 // value: 2, DELIVERED (§5.2.28)
    "0423",               // tag (§5.3.1): network_error_code (§5.3.2.31)
    "0003",               // length (§5.3.1): 3 octets
    "030000",             // value: network type 3 (GSM), error code 0
];

#[test]
fn deliver_sm() {
    let (wire, pdu) = decode(DELIVER_SM);
    assert_header(&pdu, CommandId::DELIVER_SM, CommandStatus::ESME_ROK, 9);
    let Body::DeliverSm(DeliverSm {
        service_type,
        source_addr_ton,
        source_addr_npi,
        source_addr,
        dest_addr_ton,
        dest_addr_npi,
        destination_addr,
        esm_class,
        protocol_id,
        priority_flag,
        schedule_delivery_time,
        validity_period,
        registered_delivery,
        replace_if_present_flag,
        data_coding,
        sm_default_msg_id,
        short_message,
        tlvs,
    }) = &pdu.body
    else {
        panic!("not a deliver_sm: {:?}", pdu.body);
    };
    assert_eq!(&service_type[..], b"");
    assert_eq!(*source_addr_ton, Ton::INTERNATIONAL);
    assert_eq!(*source_addr_npi, Npi::ISDN);
    assert_eq!(&source_addr[..], b"447700900123");
    assert_eq!(*dest_addr_ton, Ton::ALPHANUMERIC);
    assert_eq!(*dest_addr_npi, Npi::UNKNOWN);
    assert_eq!(&destination_addr[..], b"ACME");
    assert_eq!(esm_class.message_type(), EsmClass::DELIVERY_RECEIPT);
    assert!(esm_class.is_receipt());
    assert_eq!(*protocol_id, 0);
    assert_eq!(*priority_flag, 0);
    assert_eq!(&schedule_delivery_time[..], b"");
    assert_eq!(&validity_period[..], b"");
    assert_eq!(*registered_delivery, RegisteredDelivery::NONE);
    assert_eq!(*replace_if_present_flag, 0);
    assert_eq!(*data_coding, DataCoding::DEFAULT);
    assert_eq!(*sm_default_msg_id, 0);
    assert_eq!(
        &short_message[..],
        &b"id:0a1b2c3d sub:001 dlvrd:001 submit date:2511211200 done date:2511211201 \
           stat:DELIVRD err:000 text:Hello"[..]
    );
    assert_eq!(
        tlvs.get_cstr(Tag::RECEIPTED_MESSAGE_ID),
        Some(&b"0a1b2c3d"[..])
    );
    assert_eq!(
        tlvs.get_u8(Tag::MESSAGE_STATE).map(MessageState),
        Some(MessageState::DELIVERED)
    );
    assert_eq!(tlvs.get(Tag::NETWORK_ERROR_CODE), Some(&[3, 0, 0][..]));
    let mut built = Tlvs::builder();
    built.cstr(Tag::RECEIPTED_MESSAGE_ID, b"0a1b2c3d").unwrap();
    built.u8(Tag::MESSAGE_STATE, 2);
    built.octets(Tag::NETWORK_ERROR_CODE, &[3, 0, 0]).unwrap();
    assert_eq!(built.build(), *tlvs);
    assert_reencodes(&pdu, &wire);
}

// §4.6.2 deliver_sm_resp: message_id is unused and set to NULL.
const DELIVER_SM_RESP: &[&str] = &[
    "00000011", // command_length (§5.1.1): 17 octets, header included
    "80000005", // command_id (§5.1.2.1): deliver_sm_resp
    "00000000", // command_status (§5.1.3): ESME_ROK
    "00000009", // sequence_number (§5.1.4): 9
    "00",       // message_id (§5.2.23): empty (NULL), unused in deliver_sm_resp (§4.6.2)
];

#[test]
fn deliver_sm_resp() {
    let (wire, pdu) = decode(DELIVER_SM_RESP);
    assert_header(&pdu, CommandId::DELIVER_SM_RESP, CommandStatus::ESME_ROK, 9);
    let Body::DeliverSmResp(DeliverSmResp { message_id, tlvs }) = &pdu.body else {
        panic!("not a deliver_sm_resp: {:?}", pdu.body);
    };
    assert_eq!(message_id.as_deref(), Some(&b""[..]));
    assert!(tlvs.is_empty());
    assert_reencodes(&pdu, &wire);
}

// §4.7.1 data_sm: a WAP push, the user data in message_payload.
const DATA_SM: &[&str] = &[
    "0000004f",                   // command_length (§5.1.1): 79 octets, header included
    "00000103",                   // command_id (§5.1.2.1): data_sm
    "00000000",                   // command_status (§5.1.3): 0 in a request
    "0000000a",                   // sequence_number (§5.1.4): 10
    "00",                         // service_type (§5.2.11): empty (NULL)
    "01",                         // source_addr_ton (§5.2.5): international
    "01",                         // source_addr_npi (§5.2.6): ISDN (E.164)
    "34343737303039303031323300", // source_addr (§5.2.8): "447700900123"
    "01",                         // dest_addr_ton (§5.2.5): international
    "01",                         // dest_addr_npi (§5.2.6): ISDN (E.164)
    "34343737303039303034353600", // destination_addr (§5.2.9): "447700900456"
    "40",                         // esm_class (§5.2.12): UDHI
    "01",                         // registered_delivery (§5.2.17): receipt on success or failure
    "04",                         // data_coding (§5.2.19): 8-bit binary
    "020a",                       // tag (§5.3.1): source_port (§5.3.2.20)
    "0002",                       // length (§5.3.1): 2 octets
    "23f0",                       // value: 9200, WAP connectionless
    "020b",                       // tag (§5.3.1): destination_port (§5.3.2.21)
    "0002",                       // length (§5.3.1): 2 octets
    "0b84",                       // value: 2948, WAP push
    "0424",                       // tag (§5.3.1): message_payload (§5.3.2.32)
    "000d",                       // length (§5.3.1): 13 octets
    "0b05040b8423f0000003010201", // value: the user data, UDH included
];

#[test]
fn data_sm() {
    let (wire, pdu) = decode(DATA_SM);
    assert_header(&pdu, CommandId::DATA_SM, CommandStatus::ESME_ROK, 10);
    let Body::DataSm(DataSm {
        service_type,
        source_addr_ton,
        source_addr_npi,
        source_addr,
        dest_addr_ton,
        dest_addr_npi,
        destination_addr,
        esm_class,
        registered_delivery,
        data_coding,
        tlvs,
    }) = &pdu.body
    else {
        panic!("not a data_sm: {:?}", pdu.body);
    };
    assert_eq!(&service_type[..], b"");
    assert_eq!(*source_addr_ton, Ton::INTERNATIONAL);
    assert_eq!(*source_addr_npi, Npi::ISDN);
    assert_eq!(&source_addr[..], b"447700900123");
    assert_eq!(*dest_addr_ton, Ton::INTERNATIONAL);
    assert_eq!(*dest_addr_npi, Npi::ISDN);
    assert_eq!(&destination_addr[..], b"447700900456");
    assert!(esm_class.has_udh());
    assert_eq!(*registered_delivery, RegisteredDelivery::ALWAYS);
    assert_eq!(*data_coding, DataCoding::BINARY_ALT);
    assert_eq!(tlvs.get_u16(Tag::SOURCE_PORT), Some(9200));
    assert_eq!(tlvs.get_u16(Tag::DESTINATION_PORT), Some(2948));
    assert_eq!(
        tlvs.get(Tag::MESSAGE_PAYLOAD),
        Some(&[0x0b, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0, 0, 0, 3, 1, 2, 1][..])
    );
    assert_reencodes(&pdu, &wire);
}

// §4.7.2 data_sm_resp reporting a failure, with the TLVs that explain it.
const DATA_SM_RESP: &[&str] = &[
    "00000021",       // command_length (§5.1.1): 33 octets, header included
    "80000103",       // command_id (§5.1.2.1): data_sm_resp
    "000000fe",       // command_status (§5.1.3): ESME_RDELIVERYFAILURE
    "0000000a",       // sequence_number (§5.1.4): 10
    "00",             // message_id (§5.2.23): empty (NULL)
    "0425",           // tag (§5.3.1): delivery_failure_reason (§5.3.2.33)
    "0001",           // length (§5.3.1): 1 octet
    "01",             // value: 1, destination unavailable
    "001d",           // tag (§5.3.1): additional_status_info_text (§5.3.2.11)
    "0007",           // length (§5.3.1): 7 octets
    "616273656e7400", // value: C-string "absent"
];

#[test]
fn data_sm_resp() {
    let (wire, pdu) = decode(DATA_SM_RESP);
    assert_header(
        &pdu,
        CommandId::DATA_SM_RESP,
        CommandStatus::ESME_RDELIVERYFAILURE,
        10,
    );
    let Body::DataSmResp(DataSmResp { message_id, tlvs }) = &pdu.body else {
        panic!("not a data_sm_resp: {:?}", pdu.body);
    };
    assert_eq!(message_id.as_deref(), Some(&b""[..]));
    assert_eq!(tlvs.get_u8(Tag::DELIVERY_FAILURE_REASON), Some(1));
    assert_eq!(
        tlvs.get_cstr(Tag::ADDITIONAL_STATUS_INFO_TEXT),
        Some(&b"absent"[..])
    );
    assert_reencodes(&pdu, &wire);
}

// §4.8.1 query_sm.
const QUERY_SM: &[&str] = &[
    "00000028",                   // command_length (§5.1.1): 40 octets, header included
    "00000003",                   // command_id (§5.1.2.1): query_sm
    "00000000",                   // command_status (§5.1.3): 0 in a request
    "0000000b",                   // sequence_number (§5.1.4): 11
    "356633653261313000",         // message_id (§5.2.23): "5f3e2a10"
    "01",                         // source_addr_ton (§5.2.5): international
    "01",                         // source_addr_npi (§5.2.6): ISDN (E.164)
    "34343737303039303039393900", // source_addr (§5.2.8): "447700900999"
];

#[test]
fn query_sm() {
    let (wire, pdu) = decode(QUERY_SM);
    assert_header(&pdu, CommandId::QUERY_SM, CommandStatus::ESME_ROK, 11);
    let Body::QuerySm(QuerySm {
        message_id,
        source_addr_ton,
        source_addr_npi,
        source_addr,
        tlvs,
    }) = &pdu.body
    else {
        panic!("not a query_sm: {:?}", pdu.body);
    };
    assert_eq!(&message_id[..], b"5f3e2a10");
    assert_eq!(*source_addr_ton, Ton::INTERNATIONAL);
    assert_eq!(*source_addr_npi, Npi::ISDN);
    assert_eq!(&source_addr[..], b"447700900999");
    assert!(tlvs.is_empty());
    assert_reencodes(&pdu, &wire);
}

// §4.8.2 query_sm_resp.
const QUERY_SM_RESP: &[&str] = &[
    "0000002c",           // command_length (§5.1.1): 44 octets, header included
    "80000003",           // command_id (§5.1.2.1): query_sm_resp
    "00000000",           // command_status (§5.1.3): ESME_ROK
    "0000000b",           // sequence_number (§5.1.4): 11
    "356633653261313000", // message_id (§5.2.23): "5f3e2a10"
    // final_date (§4.8.2, §7.1.1): "251121120100004+", absolute, UTC+1
    "3235313132313132303130303030342b00",
    "02", // message_state (§5.2.28): DELIVERED
    "00", // error_code (§4.8.2): no error
];

#[test]
fn query_sm_resp() {
    let (wire, pdu) = decode(QUERY_SM_RESP);
    assert_header(&pdu, CommandId::QUERY_SM_RESP, CommandStatus::ESME_ROK, 11);
    let Body::QuerySmResp(QuerySmResp {
        message_id,
        final_date,
        message_state,
        error_code,
        tlvs,
    }) = &pdu.body
    else {
        panic!("not a query_sm_resp: {:?}", pdu.body);
    };
    assert_eq!(message_id.as_deref(), Some(&b"5f3e2a10"[..]));
    assert_eq!(&final_date[..], b"251121120100004+");
    assert_eq!(*message_state, MessageState::DELIVERED);
    assert_eq!(*error_code, 0);
    assert!(tlvs.is_empty());
    assert_reencodes(&pdu, &wire);
}

// §4.9.1 cancel_sm.
const CANCEL_SM: &[&str] = &[
    "00000038",                   // command_length (§5.1.1): 56 octets, header included
    "00000008",                   // command_id (§5.1.2.1): cancel_sm
    "00000000",                   // command_status (§5.1.3): 0 in a request
    "0000000c",                   // sequence_number (§5.1.4): 12
    "00",                         // service_type (§5.2.11): empty (NULL)
    "356633653261313000",         // message_id (§5.2.23): "5f3e2a10"
    "01",                         // source_addr_ton (§5.2.5): international
    "01",                         // source_addr_npi (§5.2.6): ISDN (E.164)
    "34343737303039303039393900", // source_addr (§5.2.8): "447700900999"
    "01",                         // dest_addr_ton (§5.2.5): international
    "01",                         // dest_addr_npi (§5.2.6): ISDN (E.164)
    "34343737303039303031323300", // destination_addr (§5.2.9): "447700900123"
];

#[test]
fn cancel_sm() {
    let (wire, pdu) = decode(CANCEL_SM);
    assert_header(&pdu, CommandId::CANCEL_SM, CommandStatus::ESME_ROK, 12);
    let Body::CancelSm(CancelSm {
        service_type,
        message_id,
        source_addr_ton,
        source_addr_npi,
        source_addr,
        dest_addr_ton,
        dest_addr_npi,
        destination_addr,
        tlvs,
    }) = &pdu.body
    else {
        panic!("not a cancel_sm: {:?}", pdu.body);
    };
    assert_eq!(&service_type[..], b"");
    assert_eq!(&message_id[..], b"5f3e2a10");
    assert_eq!(*source_addr_ton, Ton::INTERNATIONAL);
    assert_eq!(*source_addr_npi, Npi::ISDN);
    assert_eq!(&source_addr[..], b"447700900999");
    assert_eq!(*dest_addr_ton, Ton::INTERNATIONAL);
    assert_eq!(*dest_addr_npi, Npi::ISDN);
    assert_eq!(&destination_addr[..], b"447700900123");
    assert!(tlvs.is_empty());
    assert_reencodes(&pdu, &wire);
}

// §4.9.2 cancel_sm_resp: the header alone.
const CANCEL_SM_RESP: &[&str] = &[
    "00000010", // command_length (§5.1.1): 16 octets, header included
    "80000008", // command_id (§5.1.2.1): cancel_sm_resp
    "00000000", // command_status (§5.1.3): ESME_ROK
    "0000000c", // sequence_number (§5.1.4): 12
];

#[test]
fn cancel_sm_resp() {
    let (wire, pdu) = decode(CANCEL_SM_RESP);
    assert_header(&pdu, CommandId::CANCEL_SM_RESP, CommandStatus::ESME_ROK, 12);
    assert_eq!(pdu.body, Body::CancelSmResp);
    assert_reencodes(&pdu, &wire);
}

// §4.10.1 replace_sm.
const REPLACE_SM: &[&str] = &[
    "00000044",                   // command_length (§5.1.1): 68 octets, header included
    "00000007",                   // command_id (§5.1.2.1): replace_sm
    "00000000",                   // command_status (§5.1.3): 0 in a request
    "0000000d",                   // sequence_number (§5.1.4): 13
    "356633653261313000",         // message_id (§5.2.23): "5f3e2a10"
    "01",                         // source_addr_ton (§5.2.5): international
    "01",                         // source_addr_npi (§5.2.6): ISDN (E.164)
    "34343737303039303039393900", // source_addr (§5.2.8): "447700900999"
    // schedule_delivery_time (§5.2.15, §7.1.1): "251224090000000+", absolute, UTC
    "3235313232343039303030303030302b00",
    "00",             // validity_period (§5.2.16): empty (NULL), unchanged
    "01",             // registered_delivery (§5.2.17): receipt on success or failure
    "00",             // sm_default_msg_id (§5.2.20)
    "07",             // sm_length (§5.2.21)
    "75706461746564", // short_message (§5.2.22): "updated"
];

#[test]
fn replace_sm() {
    let (wire, pdu) = decode(REPLACE_SM);
    assert_header(&pdu, CommandId::REPLACE_SM, CommandStatus::ESME_ROK, 13);
    let Body::ReplaceSm(ReplaceSm {
        message_id,
        source_addr_ton,
        source_addr_npi,
        source_addr,
        schedule_delivery_time,
        validity_period,
        registered_delivery,
        sm_default_msg_id,
        short_message,
        tlvs,
    }) = &pdu.body
    else {
        panic!("not a replace_sm: {:?}", pdu.body);
    };
    assert_eq!(&message_id[..], b"5f3e2a10");
    assert_eq!(*source_addr_ton, Ton::INTERNATIONAL);
    assert_eq!(*source_addr_npi, Npi::ISDN);
    assert_eq!(&source_addr[..], b"447700900999");
    assert_eq!(&schedule_delivery_time[..], b"251224090000000+");
    assert_eq!(&validity_period[..], b"");
    assert_eq!(*registered_delivery, RegisteredDelivery::ALWAYS);
    assert_eq!(*sm_default_msg_id, 0);
    assert_eq!(&short_message[..], b"updated");
    assert!(tlvs.is_empty());
    assert_reencodes(&pdu, &wire);
}

// §4.10.2 replace_sm_resp: the header alone.
const REPLACE_SM_RESP: &[&str] = &[
    "00000010", // command_length (§5.1.1): 16 octets, header included
    "80000007", // command_id (§5.1.2.1): replace_sm_resp
    "00000000", // command_status (§5.1.3): ESME_ROK
    "0000000d", // sequence_number (§5.1.4): 13
];

#[test]
fn replace_sm_resp() {
    let (wire, pdu) = decode(REPLACE_SM_RESP);
    assert_header(
        &pdu,
        CommandId::REPLACE_SM_RESP,
        CommandStatus::ESME_ROK,
        13,
    );
    assert_eq!(pdu.body, Body::ReplaceSmResp);
    assert_reencodes(&pdu, &wire);
}

// §4.11.1 enquire_link: the header alone.
const ENQUIRE_LINK: &[&str] = &[
    "00000010", // command_length (§5.1.1): 16 octets, header included
    "00000015", // command_id (§5.1.2.1): enquire_link
    "00000000", // command_status (§5.1.3): 0 in a request
    "0000000e", // sequence_number (§5.1.4): 14
];

#[test]
fn enquire_link() {
    let (wire, pdu) = decode(ENQUIRE_LINK);
    assert_header(&pdu, CommandId::ENQUIRE_LINK, CommandStatus::ESME_ROK, 14);
    assert_eq!(pdu.body, Body::EnquireLink);
    assert_reencodes(&pdu, &wire);
}

// §4.11.2 enquire_link_resp: the header alone.
const ENQUIRE_LINK_RESP: &[&str] = &[
    "00000010", // command_length (§5.1.1): 16 octets, header included
    "80000015", // command_id (§5.1.2.1): enquire_link_resp
    "00000000", // command_status (§5.1.3): ESME_ROK
    "0000000e", // sequence_number (§5.1.4): 14
];

#[test]
fn enquire_link_resp() {
    let (wire, pdu) = decode(ENQUIRE_LINK_RESP);
    assert_header(
        &pdu,
        CommandId::ENQUIRE_LINK_RESP,
        CommandStatus::ESME_ROK,
        14,
    );
    assert_eq!(pdu.body, Body::EnquireLinkResp);
    assert_reencodes(&pdu, &wire);
}

// §4.12.1 alert_notification, with ms_availability_status.
const ALERT_NOTIFICATION: &[&str] = &[
    "0000002b",                   // command_length (§5.1.1): 43 octets, header included
    "00000102",                   // command_id (§5.1.2.1): alert_notification
    "00000000",                   // command_status (§5.1.3): 0 in a request
    "0000000f",                   // sequence_number (§5.1.4): 15
    "01",                         // source_addr_ton (§5.2.5): international
    "01",                         // source_addr_npi (§5.2.6): ISDN (E.164)
    "34343737303039303031323300", // source_addr (§5.2.8): "447700900123", the handset
    "05",                         // esme_addr_ton (§5.2.5): alphanumeric
    "00",                         // esme_addr_npi (§5.2.6): unknown
    "41434d4500",                 // esme_addr (§5.2.10): "ACME"
    "0422",                       // tag (§5.3.1): ms_availability_status (§5.3.2.30)
    "0001",                       // length (§5.3.1): 1 octet
    "00",                         // value: 0, available
];

#[test]
fn alert_notification() {
    let (wire, pdu) = decode(ALERT_NOTIFICATION);
    assert_header(
        &pdu,
        CommandId::ALERT_NOTIFICATION,
        CommandStatus::ESME_ROK,
        15,
    );
    let Body::AlertNotification(AlertNotification {
        source_addr_ton,
        source_addr_npi,
        source_addr,
        esme_addr_ton,
        esme_addr_npi,
        esme_addr,
        tlvs,
    }) = &pdu.body
    else {
        panic!("not an alert_notification: {:?}", pdu.body);
    };
    assert_eq!(*source_addr_ton, Ton::INTERNATIONAL);
    assert_eq!(*source_addr_npi, Npi::ISDN);
    assert_eq!(&source_addr[..], b"447700900123");
    assert_eq!(*esme_addr_ton, Ton::ALPHANUMERIC);
    assert_eq!(*esme_addr_npi, Npi::UNKNOWN);
    assert_eq!(&esme_addr[..], b"ACME");
    assert_eq!(tlvs.get_u8(Tag::MS_AVAILABILITY_STATUS), Some(0));
    assert_reencodes(&pdu, &wire);
}

/// §5.1.2.1 names 27 command_ids; the vectors above cover each of them once.
#[test]
fn every_command_id_of_smpp_3_4_has_a_vector() {
    let vectors = [
        BIND_TRANSMITTER,
        BIND_TRANSMITTER_RESP,
        BIND_RECEIVER,
        BIND_RECEIVER_RESP,
        BIND_TRANSCEIVER,
        BIND_TRANSCEIVER_RESP,
        OUTBIND,
        UNBIND,
        UNBIND_RESP,
        GENERIC_NACK,
        SUBMIT_SM,
        SUBMIT_SM_RESP,
        SUBMIT_MULTI,
        SUBMIT_MULTI_RESP,
        DELIVER_SM,
        DELIVER_SM_RESP,
        DATA_SM,
        DATA_SM_RESP,
        QUERY_SM,
        QUERY_SM_RESP,
        CANCEL_SM,
        CANCEL_SM_RESP,
        REPLACE_SM,
        REPLACE_SM_RESP,
        ENQUIRE_LINK,
        ENQUIRE_LINK_RESP,
        ALERT_NOTIFICATION,
    ];
    let mut covered: Vec<CommandId> = vectors.iter().map(|v| decode(v).1.command_id()).collect();
    let mut all = CommandId::ALL.to_vec();
    covered.sort();
    all.sort();
    assert_eq!(covered, all);
    // §5.1.2.1: a response's command_id is its request's with bit 31 set; every request has
    // one except outbind and alert_notification (§4.1.7, §4.12.1).
    for id in CommandId::ALL.iter().filter(|id| !id.is_response()) {
        let has_response = id.response().name().is_some();
        let expected = !matches!(*id, CommandId::OUTBIND | CommandId::ALERT_NOTIFICATION);
        assert_eq!(has_response, expected, "{id}");
    }
}

// Carrier habits that are legal in practice and must be accepted.

// Many SMSCs answer a refused submit_sm with the header alone (§4.4.2 asks for a message_id).
const SUBMIT_SM_RESP_THROTTLED: &[&str] = &[
    "00000010", // command_length (§5.1.1): 16 octets, header included
    "80000004", // command_id (§5.1.2.1): submit_sm_resp
    "00000058", // command_status (§5.1.3): ESME_RTHROTTLED
    "00000015", // sequence_number (§5.1.4): 21
];

#[test]
fn submit_sm_resp_without_body_when_status_is_not_zero() {
    let (wire, pdu) = decode(SUBMIT_SM_RESP_THROTTLED);
    assert_header(
        &pdu,
        CommandId::SUBMIT_SM_RESP,
        CommandStatus::ESME_RTHROTTLED,
        21,
    );
    assert_eq!(
        pdu.body,
        Body::SubmitSmResp(SubmitSmResp {
            message_id: None,
            tlvs: Tlvs::new(),
        })
    );
    assert_reencodes(&pdu, &wire);
}

// A refused bind likewise comes back as a bare header (§4.1.2, §4.1.4, §4.1.6).
const BIND_TRANSMITTER_RESP_REFUSED: &[&str] = &[
    "00000010", // command_length (§5.1.1): 16 octets, header included
    "80000002", // command_id (§5.1.2.1): bind_transmitter_resp
    "0000000e", // command_status (§5.1.3): ESME_RINVPASWD
    "00000016", // sequence_number (§5.1.4): 22
];

const BIND_RECEIVER_RESP_REFUSED: &[&str] = &[
    "00000010", // command_length (§5.1.1): 16 octets, header included
    "80000001", // command_id (§5.1.2.1): bind_receiver_resp
    "0000000d", // command_status (§5.1.3): ESME_RBINDFAIL
    "00000017", // sequence_number (§5.1.4): 23
];

const BIND_TRANSCEIVER_RESP_REFUSED: &[&str] = &[
    "00000010", // command_length (§5.1.1): 16 octets, header included
    "80000009", // command_id (§5.1.2.1): bind_transceiver_resp
    "0000000f", // command_status (§5.1.3): ESME_RINVSYSID
    "00000018", // sequence_number (§5.1.4): 24
];

#[test]
fn bind_resps_without_body_when_the_bind_is_refused() {
    let cases = [
        (
            BIND_TRANSMITTER_RESP_REFUSED,
            CommandId::BIND_TRANSMITTER_RESP,
            CommandStatus::ESME_RINVPASWD,
            22,
        ),
        (
            BIND_RECEIVER_RESP_REFUSED,
            CommandId::BIND_RECEIVER_RESP,
            CommandStatus::ESME_RBINDFAIL,
            23,
        ),
        (
            BIND_TRANSCEIVER_RESP_REFUSED,
            CommandId::BIND_TRANSCEIVER_RESP,
            CommandStatus::ESME_RINVSYSID,
            24,
        ),
    ];
    for (vector, id, status, sequence_number) in cases {
        let (wire, pdu) = decode(vector);
        assert_header(&pdu, id, status, sequence_number);
        let (Body::BindTransmitterResp(body)
        | Body::BindReceiverResp(body)
        | Body::BindTransceiverResp(body)) = &pdu.body
        else {
            panic!("not a bind response: {:?}", pdu.body);
        };
        assert_eq!(*body, BindResp::default());
        assert_eq!(body.system_id, None);
        assert_reencodes(&pdu, &wire);
    }
}

// An empty message_id is a legal C-string (§3.1: a single NUL) and stays distinct from no body.
const SUBMIT_SM_RESP_EMPTY_ID: &[&str] = &[
    "00000011", // command_length (§5.1.1): 17 octets, header included
    "80000004", // command_id (§5.1.2.1): submit_sm_resp
    "00000000", // command_status (§5.1.3): ESME_ROK
    "00000019", // sequence_number (§5.1.4): 25
    "00",       // message_id (§5.2.23): empty (NULL), an SMSC that assigns no id
];

#[test]
fn submit_sm_resp_with_empty_message_id() {
    let (wire, pdu) = decode(SUBMIT_SM_RESP_EMPTY_ID);
    assert_header(&pdu, CommandId::SUBMIT_SM_RESP, CommandStatus::ESME_ROK, 25);
    assert_eq!(pdu.body, Body::SubmitSmResp(SubmitSmResp::new("")));
    assert_reencodes(&pdu, &wire);
}

// TLVs on responses that 3.4 gives none (submit_sm_resp, deliver_sm_resp): 5.0 added them and
// carriers send them to 3.4 peers.
const SUBMIT_SM_RESP_WITH_TLVS: &[&str] = &[
    "00000023",           // command_length (§5.1.1): 35 octets, header included
    "80000004",           // command_id (§5.1.2.1): submit_sm_resp
    "00000045",           // command_status (§5.1.3): ESME_RSUBMITFAIL
    "0000001a",           // sequence_number (§5.1.4): 26
    "00",                 // message_id (§5.2.23): empty (NULL)
    "001d",               // tag (§5.3.1): additional_status_info_text (§5.3.2.11)
    "0009",               // length (§5.3.1): 9 octets
    "6e6f20726f75746500", // value: C-string "no route"
    "1400",               // tag (§5.3.1): 0x1400, a vendor tag (§5.3)
    "0001",               // length (§5.3.1): 1 octet
    "2a",                 // value: opaque
];

const DELIVER_SM_RESP_WITH_TLV: &[&str] = &[
    "00000018", // command_length (§5.1.1): 24 octets, header included
    "80000005", // command_id (§5.1.2.1): deliver_sm_resp
    "00000000", // command_status (§5.1.3): ESME_ROK
    "0000001b", // sequence_number (§5.1.4): 27
    "00",       // message_id (§5.2.23): empty (NULL)
    "0423",     // tag (§5.3.1): network_error_code (§5.3.2.31)
    "0003",     // length (§5.3.1): 3 octets
    "030001",   // value: network type 3 (GSM), error 1
];

#[test]
fn tlvs_on_responses() {
    let (wire, pdu) = decode(SUBMIT_SM_RESP_WITH_TLVS);
    assert_header(
        &pdu,
        CommandId::SUBMIT_SM_RESP,
        CommandStatus::ESME_RSUBMITFAIL,
        26,
    );
    let Body::SubmitSmResp(SubmitSmResp { message_id, tlvs }) = &pdu.body else {
        panic!("not a submit_sm_resp: {:?}", pdu.body);
    };
    assert_eq!(message_id.as_deref(), Some(&b""[..]));
    assert_eq!(
        tlv_list(tlvs),
        [
            (Tag::ADDITIONAL_STATUS_INFO_TEXT, &b"no route\0"[..]),
            (Tag(0x1400), &[0x2a][..]),
        ]
    );
    assert_reencodes(&pdu, &wire);

    let (wire, pdu) = decode(DELIVER_SM_RESP_WITH_TLV);
    assert_header(
        &pdu,
        CommandId::DELIVER_SM_RESP,
        CommandStatus::ESME_ROK,
        27,
    );
    let Body::DeliverSmResp(DeliverSmResp { message_id, tlvs }) = &pdu.body else {
        panic!("not a deliver_sm_resp: {:?}", pdu.body);
    };
    assert_eq!(message_id.as_deref(), Some(&b""[..]));
    assert_eq!(tlvs.get(Tag::NETWORK_ERROR_CODE), Some(&[3, 0, 1][..]));
    assert_reencodes(&pdu, &wire);
}

// §5.3: "an SMPP entity must ignore an unknown optional parameter". Unknown tags, a known tag
// of an unexpected length, an empty value and a repeated tag are all kept in order and written
// back exactly.
const DELIVER_SM_ODD_TLVS: &[&str] = &[
    "00000052",                   // command_length (§5.1.1): 82 octets, header included
    "00000005",                   // command_id (§5.1.2.1): deliver_sm
    "00000000",                   // command_status (§5.1.3): 0 in a request
    "0000001d",                   // sequence_number (§5.1.4): 29
    "00",                         // service_type (§5.2.11): empty (NULL)
    "01",                         // source_addr_ton (§5.2.5): international
    "01",                         // source_addr_npi (§5.2.6): ISDN (E.164)
    "34343737303039303031323300", // source_addr (§5.2.8): "447700900123"
    "00",                         // dest_addr_ton (§5.2.5): unknown
    "00",                         // dest_addr_npi (§5.2.6): unknown
    "3132333400",                 // destination_addr (§5.2.9): "1234", a short code
    "00",                         // esm_class (§5.2.12): a mobile-originated message
    "00",                         // protocol_id (§5.2.13)
    "00",                         // priority_flag (§5.2.14)
    "00",                         // schedule_delivery_time (§5.2.15): empty (NULL)
    "00",                         // validity_period (§5.2.16): empty (NULL)
    "00",                         // registered_delivery (§5.2.17)
    "00",                         // replace_if_present_flag (§5.2.18)
    "00",                         // data_coding (§5.2.19)
    "00",                         // sm_default_msg_id (§5.2.20)
    "04",                         // sm_length (§5.2.21)
    "53544f50",                   // short_message (§5.2.22): "STOP"
    "1400",                       // tag (§5.3.1): 0x1400, a vendor tag (§5.3)
    "0003",                       // length (§5.3.1): 3 octets
    "0a0b0c",                     // value: opaque
    "020c",                       // tag (§5.3.1): sar_msg_ref_num (§5.3.2.22)
    "0001",                       // length (§5.3.1): 1 octet
    "07",                         // value: one octet where the spec says two: kept
    "1401",                       // tag (§5.3.1): 0x1401, a vendor tag (§5.3)
    "0000",                       // length (§5.3.1): 0 octets
    // value: no value
    "1400",     // tag (§5.3.1): 0x1400 again (§5.3)
    "0001",     // length (§5.3.1): 1 octet
    "ff",       // value: a repeated tag: kept, in order
    "0202",     // tag (§5.3.1): source_subaddress (§5.3.2.15)
    "0004",     // length (§5.3.1): 4 octets
    "a0313233", // value: NSAP (even), "123"
];

#[test]
fn unknown_and_odd_tlvs_are_kept_byte_exact() {
    let (wire, pdu) = decode(DELIVER_SM_ODD_TLVS);
    assert_header(&pdu, CommandId::DELIVER_SM, CommandStatus::ESME_ROK, 29);
    let Body::DeliverSm(body) = &pdu.body else {
        panic!("not a deliver_sm: {:?}", pdu.body);
    };
    assert_eq!(&body.short_message[..], b"STOP");
    assert_eq!(
        tlv_list(&body.tlvs),
        [
            (Tag(0x1400), &[0x0a, 0x0b, 0x0c][..]),
            (Tag::SAR_MSG_REF_NUM, &[0x07][..]),
            (Tag(0x1401), &[][..]),
            (Tag(0x1400), &[0xff][..]),
            (Tag::SOURCE_SUBADDRESS, &[0xa0, 0x31, 0x32, 0x33][..]),
        ]
    );
    // The first of a repeated tag wins a lookup; a value of the wrong width is no integer.
    assert_eq!(body.tlvs.get(Tag(0x1400)), Some(&[0x0a, 0x0b, 0x0c][..]));
    assert_eq!(body.tlvs.get_u16(Tag::SAR_MSG_REF_NUM), None);
    assert_eq!(body.tlvs.get(Tag(0x1401)), Some(&[][..]));
    assert_eq!(body.tlvs.get(Tag::SAR_TOTAL_SEGMENTS), None);
    assert_reencodes(&pdu, &wire);
}

// §5.1.3: 0x400-0x4FF are reserved for SMSC vendors; such a status is kept as its number.
const GENERIC_NACK_VENDOR: &[&str] = &[
    "00000010", // command_length (§5.1.1): 16 octets, header included
    "80000000", // command_id (§5.1.2.1): generic_nack
    "00000401", // command_status (§5.1.3): 0x401, reserved for SMSC vendors
    "0000001c", // sequence_number (§5.1.4): 28
];

#[test]
fn generic_nack_with_a_vendor_status() {
    let (wire, pdu) = decode(GENERIC_NACK_VENDOR);
    assert_header(&pdu, CommandId::GENERIC_NACK, CommandStatus(0x401), 28);
    assert_eq!(pdu.command_status.name(), None);
    assert!(!pdu.command_status.is_ok());
    assert_eq!(pdu.command_status.to_string(), "0x00000401");
    assert_eq!(pdu.body, Body::GenericNack);
    assert_reencodes(&pdu, &wire);
}
