//! Interoperability with SMSCs that no one here wrote, over TCP on 127.0.0.1: the npm `smpp`
//! package's server (`tests/interop/smsc.js`) and Debian's Net::SMPP acting as a server
//! (`tests/interop/smsc.pl`). smppd's link layer binds to them, submits what the daemon's own
//! pipeline makes of a varied set of messages, and each peer reports, one JSON line per PDU,
//! how its library decoded what arrived: that must be, field by field, what smppd sent. Receipts
//! and MO messages the peers' libraries encode must come back to smppd intact. What is covered
//! and what the peers do differently is in docs/interop.md.
//!
//! `scripts/test` installs node, the npm package and Net::SMPP and sets
//! `SMPPD_INTEROP_REQUIRED=1`: then a missing peer fails the test. Elsewhere the test prints why
//! it skips. Every wait is bounded; a peer process is killed when its test ends, and exits on
//! its own when its stdin closes.

use bytes::BytesMut;
use serde_json::{Map, Value, json};
use smppd::config::{BindType, LinkConfig, TlsConfig};
use smppd::connection::{Inbound, InboundMessage};
use smppd::dlr::{self, ReceiptState};
use smppd::link::{Outcome, SegmentId};
use smppd::pool::{Pool, PoolOptions};
use smppd::service::outbound::{self, Envelope};
use smppd_codec::{
    Body, CommandStatus, DeliverSm, Pdu, RegisteredDelivery, SubmitSm, Tag, TlvKind, hex,
};
use smppd_text::{
    Concat, EncodeOptions, Encoding, EncodingChoice, ReferenceCounter, encode_message,
};
use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::timeout;

/// The bound on every single wait.
const WAIT: Duration = Duration::from_secs(10);
const SYSTEM_ID: &str = "acme";
const PASSWORD: &str = "secret";

#[tokio::test]
async fn npm_smpp_smsc_receives_what_smppd_sent() {
    exchange(Peer::Node).await;
}

#[tokio::test]
async fn net_smpp_smsc_receives_what_smppd_sent() {
    exchange(Peer::Perl).await;
}

#[tokio::test]
async fn npm_smpp_smsc_refuses_bad_credentials() {
    bad_credentials(Peer::Node).await;
}

#[tokio::test]
async fn net_smpp_smsc_refuses_bad_credentials() {
    bad_credentials(Peer::Perl).await;
}

/// smppd's TLS client (rustls) against Node's TLS server, with a certificate made for the test.
/// (Net::SMPP has no TLS.)
#[tokio::test]
async fn npm_smpp_smsc_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (key_pem, cert_pem) = (dir.path().join("key.pem"), dir.path().join("cert.pem"));
    std::fs::write(&key_pem, cert.signing_key.serialize_pem()).unwrap();
    std::fs::write(&cert_pem, cert.cert.pem()).unwrap();
    let tls_args = [
        OsStr::new("--tls"),
        key_pem.as_os_str(),
        cert_pem.as_os_str(),
    ];
    let Some(mut smsc) = Smsc::start_with(Peer::Node, &tls_args).await else {
        return;
    };
    let mut link = link_to(&smsc, PASSWORD, BindType::Transceiver);
    link.tls = Some(TlsConfig {
        ca_file: Some(cert_pem),
        server_name: "localhost".to_owned(),
        client_auth: None,
    });
    let mut gw = Gateway::start(link);
    let bind = smsc.expect("bind_transceiver").await;
    assert_eq!(bind["command_status"], 0, "{bind}");
    // Two UCS-2 parts, each asking for a receipt.
    let case = cases().swap_remove(2);
    let parts: Vec<_> = (0..)
        .map(|part| SegmentId { message: 9, part })
        .zip(case.submits.iter().cloned())
        .collect();
    gw.pool.links()[0].enqueue(parts.clone());
    for (id, sm) in &parts {
        let got = smsc.expect("submit_sm").await;
        check_fields(&got["fields"], &expected_fields(sm), "over TLS");
        let smsc_id = got["message_id"].as_str().unwrap().to_owned();
        assert_eq!(gw.outcome().await, Got::Accepted(*id, smsc_id));
    }
    for _ in &parts {
        let receipt = gw.inbound().await;
        receipt.reply.ack(CommandStatus::ESME_ROK);
        smsc.expect("deliver_sm_resp").await;
    }
    timeout(WAIT, gw.pool.shutdown())
        .await
        .expect("the pool shuts down");
    smsc.expect("unbind").await;
    smsc.expect("closed").await;
}

#[tokio::test]
async fn npm_smpp_smsc_takes_a_transmitter_bind() {
    transmitter(Peer::Node).await;
}

#[tokio::test]
async fn net_smpp_smsc_takes_a_transmitter_bind() {
    transmitter(Peer::Perl).await;
}

/// The whole life of a transceiver session against `peer`: bind, every kind of submission,
/// outcomes with the peer's ids, receipts, MO messages, the SMSC's own enquire_link and unbind
/// (smppd must answer and bind again), smppd's enquire_link, and unbind at shutdown.
async fn exchange(peer: Peer) {
    let Some(mut smsc) = Smsc::start(peer).await else {
        return;
    };
    let mut gw = Gateway::start(link_to(&smsc, PASSWORD, BindType::Transceiver));

    let bind = smsc.expect("bind_transceiver").await;
    assert_eq!(bind["command_status"], 0, "{bind}");
    assert_eq!(
        bind["fields"],
        json!({
            "system_id": SYSTEM_ID, "password": PASSWORD, "system_type": "",
            "interface_version": 0x34, "addr_ton": 0, "addr_npi": 0, "address_range": "",
        }),
        "{peer}: the bind as decoded"
    );

    // Every submission, in queue order, with the case it belongs to.
    let cases = cases();
    let mut sent: Vec<(usize, SegmentId, SubmitSm)> = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let segments: Vec<_> = case
            .submits
            .iter()
            .enumerate()
            .map(|(part, sm)| {
                let id = SegmentId {
                    message: i as u64,
                    part: part as u16,
                };
                sent.push((i, id, sm.clone()));
                (id, sm.clone())
            })
            .collect();
        gw.pool.links()[0].enqueue(segments);
    }

    // What the peer decoded, segment by segment.
    let mut smsc_ids = HashMap::new();
    let mut decoded_text: Vec<String> = vec![String::new(); cases.len()];
    for (i, id, sm) in &sent {
        let got = smsc.expect("submit_sm").await;
        let what = format!("{peer}: {} part {}", cases[*i].name, id.part);
        assert_eq!(got["command_status"], 0, "{what}");
        check_fields(&got["fields"], &expected_fields(sm), &what);
        check_fields(
            &got["tlvs"],
            &expected_tlvs(sm, peer),
            &format!("{what} TLVs"),
        );
        // The frame as it arrived is what smppd's codec makes of the submission.
        let seq = got["sequence_number"].as_u64().expect("a sequence number") as u32;
        let mut ours = BytesMut::new();
        Pdu::new(seq, Body::SubmitSm(sm.clone()))
            .encode(&mut ours)
            .unwrap();
        assert_eq!(got["hex"], hex::encode(&ours), "{what}: the frame");
        if let Some(warnings) = got["warnings"].as_array() {
            // Net::SMPP warns about every TLV it does not know; nothing else is expected.
            for w in warnings {
                let w = w.as_str().unwrap_or_default();
                assert!(
                    w.contains("Unknown tag") && w.contains(": 5120,"),
                    "{what}: {w}"
                );
            }
        }
        if peer == Peer::Node {
            decoded_text[*i].push_str(&node_text(&got, sm, &what));
        }
        smsc_ids.insert(*id, got["message_id"].as_str().unwrap().to_owned());
    }
    if peer == Peer::Node {
        // The npm library's own GSM 03.38 / UCS-2 decoders read back the original texts, the
        // parts joined (no escape or surrogate pair split across parts).
        for (case, text) in cases.iter().zip(&decoded_text) {
            assert_eq!(text, &case.text, "{peer}: the text of {}", case.name);
        }
    }

    // Every segment accepted, with the id the peer gave it.
    for _ in &sent {
        let (id, smsc_id) = gw.accepted().await;
        assert_eq!(
            Some(&smsc_id),
            smsc_ids.get(&id),
            "{peer}: outcome of {id:?}"
        );
    }
    let unique: HashSet<_> = smsc_ids.values().collect();
    assert_eq!(unique.len(), sent.len(), "{peer}: message ids are unique");

    // A receipt for every segment that asked for one, on the same session.
    let mut awaited: HashSet<String> = sent
        .iter()
        .filter(|(_, _, sm)| sm.registered_delivery.0 & 1 == 1)
        .map(|(_, id, _)| smsc_ids[id].clone())
        .collect();
    assert!(awaited.len() >= 3, "the cases ask for receipts");
    let receipts = awaited.len();
    for _ in 0..receipts {
        let inbound = gw.inbound().await;
        let InboundMessage::Deliver(sm) = &inbound.message else {
            panic!("{peer}: a data_sm, not a receipt");
        };
        assert!(sm.esm_class.is_receipt(), "{peer}: {sm:?}");
        let receipt = dlr::parse(sm).expect("a receipt smppd can read");
        assert!(
            awaited.remove(&receipt.smsc_id),
            "{peer}: receipt {receipt:?}"
        );
        assert_eq!(
            sm.tlvs.get_cstr(Tag::RECEIPTED_MESSAGE_ID),
            Some(receipt.smsc_id.as_bytes()),
            "{peer}: receipted_message_id"
        );
        assert_eq!(
            receipt.state,
            ReceiptState::Delivered,
            "{peer}: {receipt:?}"
        );
        assert_eq!(receipt.error, None, "{peer}: {receipt:?}");
        // The receipt is addressed back to the sender of the submission.
        assert_eq!(&sm.destination_addr[..], b"ACME", "{peer}: {sm:?}");
        // The npm library, given text and no data_coding, writes GSM 03.38 and labels it 0x01
        // (IA5): smppd reads the receipt text whatever the label.
        let labelled = if peer == Peer::Node { 0x01 } else { 0x00 };
        assert_eq!(sm.data_coding.0, labelled, "{peer}: receipt data_coding");
        inbound.reply.ack(CommandStatus::ESME_ROK);
    }
    for _ in 0..receipts {
        let resp = smsc.expect("deliver_sm_resp").await;
        assert_eq!(resp["command_status"], 0, "{peer}: {resp}");
        assert_eq!(resp["kind"], "receipt", "{peer}: {resp}");
    }

    // MO messages the peer's library encodes.
    for mo in mo_messages() {
        smsc.send(json!({ "mo": mo.command }));
        let inbound = gw.inbound().await;
        let InboundMessage::Deliver(sm) = &inbound.message else {
            panic!("{peer}: a data_sm, not a deliver_sm");
        };
        check_mo(sm, &mo, peer);
        inbound.reply.ack(CommandStatus::ESME_ROK);
        let resp = smsc.expect("deliver_sm_resp").await;
        assert_eq!(resp["command_status"], 0, "{peer}: {resp}");
        assert_eq!(resp["kind"], "mo", "{peer}: {resp}");
    }

    // The SMSC refuses: throttling is sent again after the link's pause, a permanent error
    // fails the message with its status. The npm library answers with the header alone,
    // Net::SMPP with a body and an empty message_id.
    let mut plain = cases[0].submits[0].clone();
    plain.registered_delivery = RegisteredDelivery::NONE;
    for (n, status) in [
        CommandStatus::ESME_RTHROTTLED,
        CommandStatus::ESME_RINVDSTADR,
    ]
    .into_iter()
    .enumerate()
    {
        smsc.send(json!({ "refuse": [status.0] }));
        smsc.expect("refusing").await;
        let id = SegmentId {
            message: 100 + n as u64,
            part: 0,
        };
        gw.pool.links()[0].enqueue([(id, plain.clone())]);
        let refused = smsc.expect("submit_sm").await;
        assert_eq!(refused["command_status"], status.0, "{peer}: {refused}");
        if status.is_throttling() {
            let again = smsc.expect("submit_sm").await;
            assert_eq!(again["command_status"], 0, "{peer}: {again}");
            check_fields(&again["fields"], &expected_fields(&plain), "sent again");
            let smsc_id = again["message_id"].as_str().unwrap().to_owned();
            assert_eq!(gw.outcome().await, Got::Accepted(id, smsc_id), "{peer}");
        } else {
            assert_eq!(gw.outcome().await, Got::Failed(id, status), "{peer}");
        }
    }

    // The SMSC checks the link: smppd answers.
    smsc.send(json!({ "enquire_link": true }));
    let resp = smsc.expect("enquire_link_resp").await;
    assert_eq!(resp["command_status"], 0, "{peer}: {resp}");

    // The SMSC ends the session: smppd answers, closes, binds again and carries on.
    smsc.send(json!({ "unbind": true }));
    let resp = smsc.expect("unbind_resp").await;
    assert_eq!(resp["command_status"], 0, "{peer}: {resp}");
    smsc.expect("closed").await;
    let bind = smsc.expect("bind_transceiver").await;
    assert_eq!(bind["command_status"], 0, "{peer}: {bind}");
    let after = SegmentId {
        message: 1000,
        part: 0,
    };
    let sm = cases[0].submits[0].clone();
    gw.pool.links()[0].enqueue([(after, sm.clone())]);
    let got = smsc.expect("submit_sm").await;
    check_fields(&got["fields"], &expected_fields(&sm), "after rebinding");
    let (id, smsc_id) = gw.accepted().await;
    assert_eq!(
        (id, Some(smsc_id.as_str())),
        (after, got["message_id"].as_str())
    );
    let receipt = gw.inbound().await;
    receipt.reply.ack(CommandStatus::ESME_ROK);

    // smppd checks an idle link (enquire_link_interval is short here).
    if !smsc.saw("enquire_link") {
        smsc.expect("enquire_link").await;
    }

    // Shutdown unbinds.
    timeout(WAIT, gw.pool.shutdown())
        .await
        .expect("the pool shuts down");
    smsc.expect("unbind").await;
    smsc.expect("closed").await;
    let log = smsc.finish().await;
    for line in &log {
        assert!(line.get("unhandled").is_none(), "{peer}: smppd sent {line}");
    }
}

/// A refused bind (the npm library answers it with a header-only PDU, Net::SMPP with a body)
/// is reported, the connection closed, and not retried at once.
async fn bad_credentials(peer: Peer) {
    let Some(mut smsc) = Smsc::start(peer).await else {
        return;
    };
    let mut link = link_to(&smsc, "wrong", BindType::Transceiver);
    link.reconnect_max = Duration::from_secs(60);
    let gw = Gateway::start(link);
    let bind = smsc.expect("bind_transceiver").await;
    assert_eq!(bind["fields"]["password"], "wrong");
    assert_eq!(bind["command_status"], 0x0d, "{peer}: ESME_RBINDFAIL");
    smsc.expect("closed").await;
    assert_eq!(gw.pool.links()[0].sessions_up(), 0);
    // Bad credentials are retried every reconnect_max; shutdown does not wait for that.
    timeout(WAIT, gw.pool.shutdown())
        .await
        .expect("the pool shuts down");
    let log = smsc.finish().await;
    let binds = log.iter().filter(|l| l["command"] == "bind_transceiver");
    assert_eq!(binds.count(), 0, "{peer}: bound again at once: {log:?}");
}

/// A transmitter bind: the peer takes it, and submissions go through.
async fn transmitter(peer: Peer) {
    let Some(mut smsc) = Smsc::start(peer).await else {
        return;
    };
    let mut gw = Gateway::start(link_to(&smsc, PASSWORD, BindType::Transmitter));
    let bind = smsc.expect("bind_transmitter").await;
    assert_eq!(bind["command_status"], 0, "{peer}: {bind}");
    let sm = cases()[0].submits[0].clone();
    let id = SegmentId {
        message: 7,
        part: 0,
    };
    gw.pool.links()[0].enqueue([(id, sm.clone())]);
    let got = smsc.expect("submit_sm").await;
    check_fields(&got["fields"], &expected_fields(&sm), "on a transmitter");
    let (accepted, smsc_id) = gw.accepted().await;
    assert_eq!(
        (accepted, Some(smsc_id.as_str())),
        (id, got["message_id"].as_str())
    );
    timeout(WAIT, gw.pool.shutdown())
        .await
        .expect("the pool shuts down");
    smsc.expect("unbind").await;
    smsc.expect("closed").await;
    let log = smsc.finish().await;
    assert!(log.is_empty(), "{peer}: {log:?}");
}

// ---------------------------------------------------------------------------------------------
// What is sent, and what the peers must have read.

/// One message as the daemon would send it, and the text it was made from.
struct Case {
    name: &'static str,
    text: String,
    submits: Vec<SubmitSm>,
}

/// What a case asks of the daemon's pipeline.
struct Spec {
    name: &'static str,
    text: String,
    encoding: EncodingChoice,
    concat: Concat,
    from: &'static str,
    dlr: bool,
    validity: Option<Duration>,
    extra_tlvs: Vec<(u16, Vec<u8>)>,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            name: "",
            text: String::new(),
            encoding: EncodingChoice::Auto,
            concat: Concat::Udh8,
            from: "ACME",
            dlr: true,
            validity: None,
            extra_tlvs: Vec::new(),
        }
    }
}

/// Messages through the daemon's own pipeline (smppd-text, then the link's addressing): GSM
/// text, GSM split with a UDH right at an escape, UCS-2 with 8-bit-reference UDHs and a
/// surrogate pair at the split, 16-bit-reference UDHs, Latin-1, SAR TLVs, message_payload, alphanumeric (TON 5) and
/// international senders, a vendor TLV 0x1400 from `extra_tlvs`, and mandatory fields away from
/// their defaults.
fn cases() -> Vec<Case> {
    let specs = [
        Spec {
            name: "gsm",
            text: "Your order #1234 shipped: @home £5, €10 {ok}".into(),
            ..Spec::default()
        },
        Spec {
            name: "gsm-udh8-escape-at-split",
            text: format!("{}€ and the rest", "a".repeat(152)),
            from: "+447700900999",
            dlr: false,
            ..Spec::default()
        },
        Spec {
            name: "ucs2-udh8-surrogate-at-split",
            text: format!("{}👋 Grüße", "ж".repeat(66)),
            ..Spec::default()
        },
        Spec {
            name: "gsm-udh16",
            text: "Sixteen-bit reference, ".repeat(8),
            concat: Concat::Udh16,
            dlr: false,
            ..Spec::default()
        },
        Spec {
            name: "latin1",
            text: "Café crème brûlée à 5 £, ¿qué?".into(),
            encoding: EncodingChoice::Forced(Encoding::Latin1),
            ..Spec::default()
        },
        Spec {
            name: "sar",
            text: "SAR segments: ".repeat(14),
            concat: Concat::Sar,
            ..Spec::default()
        },
        Spec {
            name: "message_payload",
            text: "A long text in one message_payload TLV. ".repeat(8),
            concat: Concat::Payload,
            from: "+447700900999",
            dlr: false,
            validity: Some(Duration::from_secs(2 * 3600)),
            ..Spec::default()
        },
        Spec {
            name: "vendor-tlv",
            text: "Carrier wants its TLV".into(),
            extra_tlvs: vec![(0x1400, b"1101234567".to_vec())],
            ..Spec::default()
        },
    ];
    let mut refs = ReferenceCounter::new(0x2a);
    let mut cases: Vec<Case> = specs
        .into_iter()
        .map(|spec| {
            let mut link = LinkConfig::new("build", "127.0.0.1:1", SYSTEM_ID, PASSWORD);
            link.extra_tlvs = spec.extra_tlvs;
            let options = EncodeOptions {
                encoding: spec.encoding,
                concat: spec.concat,
                ..EncodeOptions::default()
            };
            let encoded = encode_message(&spec.text, &options, &mut refs).expect("encodable");
            let envelope = Envelope {
                to: "+447700900123",
                from: spec.from,
                dlr: spec.dlr,
                validity: spec.validity,
                schedule_at: None,
            };
            let submits = outbound::submits(&link, &envelope, &encoded).expect("submits");
            Case {
                name: spec.name,
                text: spec.text,
                submits,
            }
        })
        .collect();
    // Mandatory fields the pipeline leaves at their defaults.
    let sm = &mut cases.last_mut().unwrap().submits[0];
    sm.service_type = "CMT".into();
    sm.protocol_id = 0x7f;
    sm.priority_flag = 1;
    sm.schedule_delivery_time = "261231235959000+".into();
    sm.replace_if_present_flag = 1;
    for (case, parts) in cases.iter().zip([1, 2, 2, 2, 1, 2, 1, 1]) {
        assert_eq!(case.submits.len(), parts, "{}: parts", case.name);
    }
    cases
}

/// The mandatory fields of `sm` as the peers render what they decoded.
fn expected_fields(sm: &SubmitSm) -> Value {
    let text = |s: &smppd_codec::COctetString| s.to_str().expect("ASCII").to_owned();
    json!({
        "service_type": text(&sm.service_type),
        "source_addr_ton": sm.source_addr_ton.0,
        "source_addr_npi": sm.source_addr_npi.0,
        "source_addr": text(&sm.source_addr),
        "dest_addr_ton": sm.dest_addr_ton.0,
        "dest_addr_npi": sm.dest_addr_npi.0,
        "destination_addr": text(&sm.destination_addr),
        "esm_class": sm.esm_class.0,
        "protocol_id": sm.protocol_id,
        "priority_flag": sm.priority_flag,
        "schedule_delivery_time": text(&sm.schedule_delivery_time),
        "validity_period": text(&sm.validity_period),
        "registered_delivery": sm.registered_delivery.0,
        "replace_if_present_flag": sm.replace_if_present_flag,
        "data_coding": sm.data_coding.0,
        "sm_default_msg_id": sm.sm_default_msg_id,
        "short_message": hex::encode(&sm.short_message),
    })
}

/// The TLVs of `sm` as `peer` renders them: by spec name (a tag outside 3.4 as "0x1400"); the
/// npm library types integers and C-strings, Net::SMPP keeps octets.
fn expected_tlvs(sm: &SubmitSm, peer: Peer) -> Value {
    let mut out = Map::new();
    for (tag, value) in sm.tlvs.iter() {
        let rendered = match (peer, tag.kind()) {
            (Peer::Perl, _) | (_, TlvKind::Octets | TlvKind::Empty) => json!(hex::encode(value)),
            (Peer::Node, TlvKind::U8) => json!(value[0]),
            (Peer::Node, TlvKind::U16) => json!(u16::from_be_bytes([value[0], value[1]])),
            (Peer::Node, TlvKind::U32) => json!(u32::from_be_bytes(value.try_into().unwrap())),
            (Peer::Node, TlvKind::CString(_)) => {
                json!(String::from_utf8_lossy(value.strip_suffix(b"\0").unwrap()))
            }
        };
        out.insert(tag.to_string(), rendered);
    }
    Value::Object(out)
}

/// Field-by-field equality, naming the first field that differs.
fn check_fields(got: &Value, expected: &Value, what: &str) {
    let (Some(got), Some(expected)) = (got.as_object(), expected.as_object()) else {
        panic!("{what}: not objects: {got} / {expected}");
    };
    for (key, value) in expected {
        assert_eq!(got.get(key), Some(value), "{what}: {key}");
    }
    let extra: Vec<_> = got.keys().filter(|k| !expected.contains_key(*k)).collect();
    assert!(extra.is_empty(), "{what}: the peer read more: {extra:?}");
}

/// The npm library's decoding of one segment's text (its UDH split checked against ours).
fn node_text(got: &Value, sm: &SubmitSm, what: &str) -> String {
    if let Some(payload) = got.get("payload_text") {
        return payload["message"].as_str().expect("text").to_owned();
    }
    let decoded = &got["text"];
    if sm.esm_class.has_udh() {
        let udhl = usize::from(sm.short_message[0]);
        let mut ies = Vec::new();
        let mut rest = &sm.short_message[1..=udhl];
        while let [_, len, ..] = rest {
            let end = 2 + usize::from(*len);
            ies.push(hex::encode(&rest[..end]));
            rest = &rest[end..];
        }
        assert_eq!(
            decoded["udh"],
            json!(ies),
            "{what}: the UDH as the peer split it"
        );
    } else {
        assert!(decoded.get("udh").is_none(), "{what}: {decoded}");
    }
    decoded["message"].as_str().expect("text").to_owned()
}

/// An MO message for the peer to encode with its library, and what smppd must read.
struct Mo {
    command: Value,
    data_coding: u8,
    short_message: Vec<u8>,
}

fn mo_messages() -> Vec<Mo> {
    let address = json!({
        "source_addr_ton": 1, "source_addr_npi": 1, "source_addr": "447700900123",
        "dest_addr_ton": 5, "dest_addr_npi": 0, "destination_addr": "ACME",
    });
    let with = |more: Value| {
        let mut command = address.clone();
        command
            .as_object_mut()
            .unwrap()
            .extend(more.as_object().unwrap().clone());
        command
    };
    let ucs2 = "Привет 👋";
    vec![
        Mo {
            command: with(json!({ "data_coding": 0, "text": "STOP" })),
            data_coding: 0,
            short_message: b"STOP".to_vec(),
        },
        Mo {
            command: with(json!({ "data_coding": 8, "text": ucs2 })),
            data_coding: 8,
            short_message: ucs2.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        },
    ]
}

fn check_mo(sm: &DeliverSm, mo: &Mo, peer: Peer) {
    let what = format!("{peer}: MO {}", mo.command);
    assert!(!sm.esm_class.is_receipt(), "{what}");
    assert_eq!(
        (sm.source_addr_ton.0, sm.source_addr_npi.0),
        (1, 1),
        "{what}"
    );
    assert_eq!(&sm.source_addr[..], b"447700900123", "{what}");
    assert_eq!((sm.dest_addr_ton.0, sm.dest_addr_npi.0), (5, 0), "{what}");
    assert_eq!(&sm.destination_addr[..], b"ACME", "{what}");
    assert_eq!(sm.data_coding.0, mo.data_coding, "{what}");
    assert_eq!(
        hex::encode(&sm.short_message),
        hex::encode(&mo.short_message),
        "{what}"
    );
}

// ---------------------------------------------------------------------------------------------
// smppd's side: a pool with one link, its outcomes and inbound messages.

fn link_to(smsc: &Smsc, password: &str, bind: BindType) -> LinkConfig {
    let address = format!("127.0.0.1:{}", smsc.port);
    let mut link = LinkConfig::new("interop", address, SYSTEM_ID, password);
    link.bind = bind;
    link.reconnect_min = Duration::from_millis(50);
    link.reconnect_max = Duration::from_millis(500);
    link.response_timeout = Duration::from_secs(5);
    link.enquire_link_interval = Duration::from_millis(500);
    link
}

struct Gateway {
    pool: Pool,
    /// Outcomes, with the window slot of an acceptance released at once.
    outcomes: mpsc::UnboundedReceiver<Got>,
    inbound: mpsc::Receiver<Inbound>,
}

/// An outcome as the tests look at it.
#[derive(Debug, PartialEq, Eq)]
enum Got {
    /// Accepted with this SMSC id.
    Accepted(SegmentId, String),
    /// Failed with this status.
    Failed(SegmentId, CommandStatus),
}

impl Gateway {
    fn start(link: LinkConfig) -> Gateway {
        let (otx, mut outcomes) = mpsc::channel(256);
        let (itx, inbound) = mpsc::channel(256);
        let options = PoolOptions {
            shutdown_timeout: Duration::from_secs(2),
            ..PoolOptions::default()
        };
        let pool = Pool::start(vec![link], options, otx, itx).expect("pool starts");
        let (gtx, got) = mpsc::unbounded_channel();
        // Acceptances count against the window until recorded: record them as they come, as
        // the daemon's store does, so that the test's order of reading cannot stall the link.
        tokio::spawn(async move {
            while let Some(outcome) = outcomes.recv().await {
                let _ = gtx.send(match outcome {
                    Outcome::Accepted { id, smsc_id, .. } => Got::Accepted(id, smsc_id.to_string()),
                    Outcome::Failed { id, status, .. } => Got::Failed(id, status),
                });
            }
        });
        Gateway {
            pool,
            outcomes: got,
            inbound,
        }
    }

    async fn outcome(&mut self) -> Got {
        timeout(WAIT, self.outcomes.recv())
            .await
            .expect("an outcome in time")
            .expect("outcomes open")
    }

    async fn accepted(&mut self) -> (SegmentId, String) {
        match self.outcome().await {
            Got::Accepted(id, smsc_id) => (id, smsc_id),
            failed => panic!("not accepted: {failed:?}"),
        }
    }

    async fn inbound(&mut self) -> Inbound {
        timeout(WAIT, self.inbound.recv())
            .await
            .expect("an inbound message in time")
            .expect("inbound open")
    }
}

// ---------------------------------------------------------------------------------------------
// The peers: a child process speaking JSON lines.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Peer {
    /// npm `smpp` 0.5.1 under node.
    Node,
    /// Debian's Net::SMPP under perl.
    Perl,
}

impl std::fmt::Display for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Peer::Node => "npm smpp",
            Peer::Perl => "Net::SMPP",
        })
    }
}

impl Peer {
    fn dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop")
    }

    fn command(self) -> Command {
        let (program, script) = match self {
            Peer::Node => ("node", "smsc.js"),
            Peer::Perl => ("perl", "smsc.pl"),
        };
        let mut command = Command::new(program);
        command.arg(Self::dir().join(script));
        command
    }

    /// Why this peer cannot run here, if it cannot.
    fn missing(self) -> Option<String> {
        let runs = |program: &str, args: &[&str]| {
            Command::new(program)
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        match self {
            Peer::Node if !runs("node", &["--version"]) => {
                Some("node is not installed (apt-get install nodejs)".into())
            }
            Peer::Node if !Self::dir().join("node_modules/smpp/package.json").exists() => Some(
                "tests/interop/node_modules/smpp is missing (run `npm ci` in tests/interop)".into(),
            ),
            Peer::Perl if !runs("perl", &["-e1"]) => Some("perl is not installed".into()),
            Peer::Perl if !runs("perl", &["-MNet::SMPP", "-MJSON::PP", "-e1"]) => {
                Some("Net::SMPP is missing (apt-get install libnet-smpp-perl)".into())
            }
            _ => None,
        }
    }
}

/// A running peer SMSC. Lines it printed go to `lines`; what its stderr said is kept for
/// failure messages. Dropping it kills the process.
struct Smsc {
    peer: Peer,
    port: u16,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::UnboundedReceiver<Value>,
    stderr: Arc<Mutex<String>>,
    /// Every line read so far.
    log: Vec<Value>,
}

impl Drop for Smsc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Smsc {
    /// Starts `peer` with the test's credentials; `None` (after saying why) when it cannot
    /// run here and `SMPPD_INTEROP_REQUIRED` is not set.
    async fn start(peer: Peer) -> Option<Smsc> {
        Self::start_with(peer, &[]).await
    }

    /// [`Smsc::start`] with more arguments for the script.
    async fn start_with(peer: Peer, args: &[&OsStr]) -> Option<Smsc> {
        if let Some(why) = peer.missing() {
            let required = std::env::var("SMPPD_INTEROP_REQUIRED").is_ok_and(|v| v != "0");
            assert!(
                !required,
                "SMPPD_INTEROP_REQUIRED is set but the {peer} peer cannot run: {why}"
            );
            // Straight to stderr, past the test harness's capture: a skip must be seen.
            let _ = writeln!(
                std::io::stderr(),
                "skipping the {peer} interop test: {why}; SMPPD_INTEROP_REQUIRED=1 makes this a failure"
            );
            return None;
        }
        let mut child = peer
            .command()
            .args([SYSTEM_ID, PASSWORD])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{peer} peer does not start: {e}"));
        let (tx, lines) = mpsc::unbounded_channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line).unwrap_or(Value::String(line));
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0; 4096];
            while let Ok(n @ 1..) = err.read(&mut buf) {
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut smsc = Smsc {
            peer,
            port: 0,
            stdin: child.stdin.take(),
            child,
            lines,
            stderr,
            log: Vec::new(),
        };
        let first = smsc.next().await;
        smsc.port = first["port"]
            .as_u64()
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or_else(|| panic!("{peer}: a port line, not {first}"));
        Some(smsc)
    }

    async fn next(&mut self) -> Value {
        match timeout(WAIT, self.lines.recv()).await {
            Ok(Some(line)) => {
                self.log.push(line.clone());
                line
            }
            Ok(None) => panic!("{} peer exited; stderr: {}", self.peer, self.stderr()),
            Err(_) => panic!(
                "{} peer said nothing for {WAIT:?}; stderr: {}",
                self.peer,
                self.stderr()
            ),
        }
    }

    /// The next line about `command` (lines about others are kept in the log).
    async fn expect(&mut self, command: &str) -> Value {
        loop {
            let line = self.next().await;
            if line["command"] == command {
                return line;
            }
            assert!(
                line.get("unhandled").is_none(),
                "{}: smppd sent {line}",
                self.peer
            );
        }
    }

    /// Whether a line about `command` has been read.
    fn saw(&self, command: &str) -> bool {
        self.log.iter().any(|l| l["command"] == command)
    }

    fn send(&mut self, command: Value) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{command}")
            .and_then(|()| stdin.flush())
            .unwrap();
    }

    /// Closes the peer's stdin (it exits) and returns the lines it printed from then on.
    async fn finish(mut self) -> Vec<Value> {
        drop(self.stdin.take());
        let mut rest = Vec::new();
        loop {
            match timeout(WAIT, self.lines.recv()).await {
                Ok(Some(line)) => rest.push(line),
                Ok(None) => return rest,
                Err(_) => panic!("{} peer did not exit when its stdin closed", self.peer),
            }
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}
