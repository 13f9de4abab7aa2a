//! Interoperability with an SMSC that no one here wrote: the npm `smpp` package's server
//! (tests/interop/smsc.js), over TCP on 127.0.0.1. What it decodes must be what smppd sent.
//!
//! `scripts/test` installs node and the package and sets `SMPPD_INTEROP_REQUIRED=1`, so there
//! a missing peer fails the test; elsewhere the test says why it skips.

use bytes::BytesMut;
use serde_json::Value;
use smppd::config::LinkConfig;
use smppd::connection::{Inbound, InboundMessage};
use smppd::link::{Outcome, SegmentId};
use smppd::pool::{Pool, PoolOptions};
use smppd_codec::{
    Body, CommandStatus, DataCoding, EsmClass, Npi, OctetString, Pdu, RegisteredDelivery, SubmitSm,
    Tag, Tlvs, Ton,
};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc as std_mpsc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(15);

struct Peer {
    child: Child,
    lines: std_mpsc::Receiver<Value>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Peer {
    /// Starts the node SMSC, or explains why it cannot (None: skip).
    fn start() -> Option<(Peer, u16)> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let script = root.join("interop/smsc.js");
        let modules = root.join("interop/node_modules/smpp");
        let required = std::env::var_os("SMPPD_INTEROP_REQUIRED").is_some();
        let missing = if !modules.exists() {
            Some("tests/interop/node_modules/smpp is missing (run `npm ci` in tests/interop)")
        } else if Command::new("node").arg("--version").output().is_err() {
            Some("node is not installed")
        } else {
            None
        };
        if let Some(why) = missing {
            assert!(!required, "interop peer unavailable: {why}");
            eprintln!("skipping the npm smpp interop test: {why}");
            return None;
        }
        let mut child = Command::new("node")
            .arg(&script)
            .args(["acme", "secret"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("node starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std_mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&line)
                    && tx.send(v).is_err()
                {
                    break;
                }
            }
        });
        let mut peer = Peer { child, lines };
        let first = peer.next();
        let port = first["port"].as_u64().expect("the port line") as u16;
        Some((peer, port))
    }

    fn next(&mut self) -> Value {
        self.lines
            .recv_timeout(LIMIT)
            .expect("a line from the node SMSC")
    }

    /// The next line about `command`.
    fn next_of(&mut self, command: &str) -> Value {
        loop {
            let line = self.next();
            if line["command"] == command {
                return line;
            }
        }
    }
}

fn base() -> SubmitSm {
    SubmitSm {
        source_addr_ton: Ton::ALPHANUMERIC,
        source_addr: "ACME".into(),
        dest_addr_ton: Ton::INTERNATIONAL,
        dest_addr_npi: Npi::ISDN,
        destination_addr: "447700900123".into(),
        registered_delivery: RegisteredDelivery::ALWAYS,
        ..SubmitSm::default()
    }
}

/// The submissions: GSM text, UCS-2 with a UDH, SAR TLVs, message_payload.
fn submissions() -> Vec<SubmitSm> {
    let mut ucs2 = vec![0x05, 0x00, 0x03, 0x2a, 0x02, 0x01];
    for unit in "Grüße 👋".encode_utf16() {
        ucs2.extend(unit.to_be_bytes());
    }
    let mut sar = Tlvs::builder();
    sar.u16(Tag::SAR_MSG_REF_NUM, 0x0102)
        .u8(Tag::SAR_TOTAL_SEGMENTS, 2)
        .u8(Tag::SAR_SEGMENT_SEQNUM, 1);
    let mut payload = Tlvs::builder();
    payload
        .octets(
            Tag::MESSAGE_PAYLOAD,
            "Long text in message_payload ".repeat(12).as_bytes(),
        )
        .unwrap();
    vec![
        SubmitSm {
            short_message: OctetString::from_static(b"Your order shipped"),
            ..base()
        },
        SubmitSm {
            esm_class: EsmClass(EsmClass::UDHI),
            data_coding: DataCoding::UCS2,
            short_message: OctetString::from(ucs2),
            ..base()
        },
        SubmitSm {
            short_message: OctetString::from_static(b"First half of a SAR message"),
            tlvs: sar.build(),
            ..base()
        },
        SubmitSm {
            source_addr_ton: Ton::INTERNATIONAL,
            source_addr_npi: Npi::ISDN,
            source_addr: "447700900999".into(),
            tlvs: payload.build(),
            registered_delivery: RegisteredDelivery::NONE,
            ..base()
        },
    ]
}

// Two workers: the test blocks one reading the peer's lines while the pool runs on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_npm_smpp_server_receives_what_smppd_sent() {
    let Some((mut peer, port)) = Peer::start() else {
        return;
    };
    let mut link = LinkConfig::new("npm", format!("127.0.0.1:{port}"), "acme", "secret");
    link.reconnect_min = Duration::from_millis(50);
    let (otx, mut outcomes) = mpsc::channel(64);
    let (itx, mut inbound) = mpsc::channel::<Inbound>(64);
    let pool = Pool::start(vec![link], PoolOptions::default(), otx, itx).unwrap();
    let bind = peer.next_of("bind_transceiver");
    assert_eq!(bind["fields"]["system_id"], "acme");
    assert_eq!(bind["fields"]["interface_version"], 0x34);

    let sent = submissions();
    for (i, sm) in sent.iter().enumerate() {
        pool.links()[0].enqueue([(
            SegmentId {
                message: i as u64,
                part: 0,
            },
            sm.clone(),
        )]);
        let got = peer.next_of("submit_sm");
        let f = &got["fields"];
        assert_eq!(f["source_addr"], sm.source_addr.to_string(), "{got}");
        assert_eq!(f["source_addr_ton"], sm.source_addr_ton.0);
        assert_eq!(f["destination_addr"], "447700900123");
        assert_eq!(f["dest_addr_ton"], 1);
        assert_eq!(f["dest_addr_npi"], 1);
        assert_eq!(f["esm_class"], sm.esm_class.0);
        assert_eq!(f["data_coding"], sm.data_coding.0);
        assert_eq!(f["registered_delivery"], sm.registered_delivery.0);
        // The library re-encodes what it decoded: byte for byte what smppd sent.
        let seq = f["sequence_number"].as_u64().unwrap() as u32;
        let mut ours = BytesMut::new();
        Pdu::new(seq, Body::SubmitSm(sm.clone()))
            .encode(&mut ours)
            .unwrap();
        match got["hex"].as_str() {
            Some(hex) => assert_eq!(hex, smppd_codec::hex::encode(&ours), "submission {i}"),
            None => {
                // Only the UDH message: the library decoded the UDH and the UCS-2 text.
                assert!(sm.esm_class.has_udh(), "{got}");
                assert_eq!(f["short_message"]["message"], "Grüße 👋", "{got}");
                assert_eq!(f["short_message"]["udh"][0], "00032a0201", "{got}");
            }
        }
        let outcome = timeout(LIMIT, outcomes.recv()).await.unwrap().unwrap();
        let Outcome::Accepted { id, smsc_id, .. } = outcome else {
            panic!("submission {i}: {outcome:?}");
        };
        assert_eq!(id.message, i as u64);
        assert_eq!(smsc_id.to_string(), got["id"].as_str().unwrap());
    }
    // A receipt for the first message comes back and is answered.
    let receipt = timeout(LIMIT, inbound.recv()).await.unwrap().unwrap();
    let InboundMessage::Deliver(sm) = &receipt.message else {
        panic!("not a deliver_sm");
    };
    assert!(sm.esm_class.is_receipt());
    assert_eq!(
        sm.tlvs.get_cstr(Tag::RECEIPTED_MESSAGE_ID),
        Some(&b"npm-1"[..])
    );
    receipt.reply.ack(CommandStatus::ESME_ROK);
    let resp = peer.next_of("deliver_sm_resp");
    assert_eq!(resp["fields"]["command_status"], 0);
    pool.shutdown().await;
    peer.next_of("unbind");
}
