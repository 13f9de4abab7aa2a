//! Delivery receipts and mobile-originated messages.

mod common;

use common::{Client, eventually, message_id, submit};
use smppd_codec::{Body, CommandId, CommandStatus, DataCoding, Pdu, SubmitSm, Tag};
use smppd_sim::{
    BindKind, Concat, DlrConfig, DlrMix, FinalState, IdFormat, MoMessage, SimConfig, SimError,
    Simulator,
};
use std::time::{Duration, Instant};

fn with_dlr(dlr: DlrConfig) -> SimConfig {
    SimConfig {
        dlr,
        ..SimConfig::default()
    }
}

fn quick() -> DlrConfig {
    DlrConfig {
        delay: Duration::from_millis(50),
        ..DlrConfig::default()
    }
}

fn receipt(pdu: &Pdu) -> &SubmitSm {
    assert_eq!(pdu.command_id(), CommandId::DELIVER_SM, "{pdu:?}");
    let Body::DeliverSm(d) = &pdu.body else {
        unreachable!()
    };
    d
}

fn text(d: &SubmitSm) -> String {
    String::from_utf8(d.short_message.to_vec()).unwrap()
}

/// `YYMMDDhhmm`: ten digits.
fn is_date(s: &str) -> bool {
    s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit())
}

#[tokio::test]
async fn receipt_after_delay_with_id_and_tlvs() {
    let sim = Simulator::start(with_dlr(quick())).await.unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transceiver, "acme", "x").await;
    let sent_at = Instant::now();
    let resp = c
        .request(Body::SubmitSm(submit(
            "447700900123",
            "Hello there, this is a long text",
            1,
        )))
        .await;
    let id = message_id(&resp);
    let pdu = c.recv().await;
    assert!(sent_at.elapsed() >= Duration::from_millis(50));
    let d = receipt(&pdu);
    assert_eq!(d.esm_class.0, 0x04);
    assert_eq!(&d.source_addr[..], b"447700900123");
    assert_eq!(&d.destination_addr[..], b"ACME");
    assert_eq!(
        d.tlvs.get_cstr(Tag::RECEIPTED_MESSAGE_ID),
        Some(id.as_bytes())
    );
    assert_eq!(d.tlvs.get_u8(Tag::MESSAGE_STATE), Some(2));
    let text = text(d);
    let fields: Vec<&str> = text.split(' ').collect();
    assert_eq!(fields[0], format!("id:{id}"));
    assert_eq!(&fields[1..3], ["sub:001", "dlvrd:001"]);
    assert_eq!(fields[3], "submit");
    assert!(is_date(fields[4].strip_prefix("date:").unwrap()), "{text}");
    assert_eq!(fields[5], "done");
    assert!(is_date(fields[6].strip_prefix("date:").unwrap()), "{text}");
    assert_eq!(&fields[7..9], ["stat:DELIVRD", "err:000"]);
    assert!(text.ends_with(" text:Hello there, this is"), "{text}");
    c.ack(&pdu, CommandStatus::ESME_ROK).await;
    eventually("the deliver_sm_resp", || sim.stats().deliver_sm_resps == 1).await;
    assert_eq!(sim.stats().dlrs_sent, 1);
}

#[tokio::test]
async fn receipts_go_round_robin_to_receivers_of_the_system_id() {
    let sim = Simulator::start(with_dlr(quick())).await.unwrap();
    let addr = sim.local_addr();
    let mut tx = Client::bound(addr, BindKind::Transmitter, "acme", "x").await;
    let mut rx1 = Client::bound(addr, BindKind::Receiver, "acme", "x").await;
    let mut rx2 = Client::bound(addr, BindKind::Receiver, "acme", "x").await;
    let mut other = Client::bound(addr, BindKind::Receiver, "beta", "x").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let resp = tx
            .request(Body::SubmitSm(submit("1", &format!("m{i}"), 1)))
            .await;
        ids.push(message_id(&resp));
    }
    let mut got = Vec::new();
    for rx in [&mut rx1, &mut rx2] {
        for _ in 0..2 {
            let pdu = rx.recv().await;
            let id = receipt(&pdu)
                .tlvs
                .get_cstr(Tag::RECEIPTED_MESSAGE_ID)
                .unwrap()
                .to_vec();
            got.push(String::from_utf8(id).unwrap());
            rx.ack(&pdu, CommandStatus::ESME_ROK).await;
        }
    }
    got.sort();
    ids.sort();
    assert_eq!(got, ids);
    other.expect_silence(Duration::from_millis(100)).await;
    tx.expect_silence(Duration::from_millis(10)).await;
}

#[tokio::test]
async fn receipt_waits_for_a_receiver() {
    let sim = Simulator::start(with_dlr(quick())).await.unwrap();
    let mut tx = Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
    let id = message_id(&tx.request(Body::SubmitSm(submit("1", "m", 1))).await);
    let mut rx = Client::bound(sim.local_addr(), BindKind::Receiver, "acme", "x").await;
    let pdu = rx.recv().await;
    assert!(text(receipt(&pdu)).starts_with(&format!("id:{id} ")));
}

#[tokio::test]
async fn unacknowledged_receipt_is_sent_again_on_another_session() {
    let sim = Simulator::start(with_dlr(quick())).await.unwrap();
    let mut first = Client::bound(sim.local_addr(), BindKind::Transceiver, "acme", "x").await;
    let id = message_id(&first.request(Body::SubmitSm(submit("1", "m", 1))).await);
    let pdu = first.recv().await;
    assert!(text(receipt(&pdu)).starts_with(&format!("id:{id} ")));
    drop(first);
    let mut second = Client::bound(sim.local_addr(), BindKind::Receiver, "acme", "x").await;
    let pdu = second.recv().await;
    assert!(text(receipt(&pdu)).starts_with(&format!("id:{id} ")));
}

#[tokio::test]
async fn receipt_id_in_the_other_base_without_tlvs() {
    for format in [IdFormat::Hex, IdFormat::Decimal] {
        let sim = Simulator::start(SimConfig {
            id_format: format,
            dlr: DlrConfig {
                id_other_base: true,
                tlvs: false,
                ..quick()
            },
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let mut c = Client::bound(sim.local_addr(), BindKind::Transceiver, "acme", "x").await;
        let id = message_id(&c.request(Body::SubmitSm(submit("1", "m", 1))).await);
        let n = format.parse(&id).unwrap();
        let pdu = c.recv().await;
        let d = receipt(&pdu);
        assert!(d.tlvs.is_empty());
        assert!(
            text(d).starts_with(&format!("id:{} ", format.other().format(n))),
            "{}",
            text(d)
        );
    }
}

#[tokio::test]
async fn receipt_before_the_response() {
    let sim = Simulator::start(with_dlr(DlrConfig {
        before_resp: true,
        delay: Duration::from_secs(3600),
        ..DlrConfig::default()
    }))
    .await
    .unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transceiver, "acme", "x").await;
    let seq = c.next_seq();
    c.send(&Pdu::new(seq, Body::SubmitSm(submit("1", "m", 1))))
        .await;
    let first = c.recv().await;
    let second = c.recv().await;
    assert_eq!(first.command_id(), CommandId::DELIVER_SM);
    assert_eq!(second.command_id(), CommandId::SUBMIT_SM_RESP);
    assert_eq!(second.sequence_number, seq);
    let id = message_id(&second);
    assert!(text(receipt(&first)).starts_with(&format!("id:{id} ")));
}

#[tokio::test]
async fn final_states_follow_the_mix_and_registered_delivery() {
    let sim = Simulator::start(with_dlr(DlrConfig {
        mix: DlrMix::only(FinalState::Undeliverable),
        delay: Duration::ZERO,
        ..DlrConfig::default()
    }))
    .await
    .unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transceiver, "acme", "x").await;
    // On failure only (2): a failure gets its receipt.
    c.request(Body::SubmitSm(submit("1", "m", 2))).await;
    let pdu = c.recv().await;
    let d = receipt(&pdu);
    assert_eq!(d.tlvs.get_u8(Tag::MESSAGE_STATE), Some(5));
    let t = text(d);
    assert!(
        t.contains(" dlvrd:000 ") && t.contains(" stat:UNDELIV err:001 "),
        "{t}"
    );

    // Success with "on failure only": no receipt; none asked for: none.
    sim.set_dlr(DlrConfig {
        mix: DlrMix::only(FinalState::Delivered),
        delay: Duration::ZERO,
        ..DlrConfig::default()
    });
    c.request(Body::SubmitSm(submit("1", "m", 2))).await;
    c.request(Body::SubmitSm(submit("1", "m", 0))).await;
    c.expect_silence(Duration::from_millis(200)).await;
    assert_eq!(sim.stats().dlrs_sent, 1);

    // A mix draws every state it names.
    let mix: DlrMix = "DELIVRD=1,EXPIRED=1,REJECTD=1".parse().unwrap();
    sim.set_dlr(DlrConfig {
        mix,
        delay: Duration::ZERO,
        ..DlrConfig::default()
    });
    let pdus: Vec<Pdu> = (0..60)
        .map(|_| Pdu::new(c.next_seq(), Body::SubmitSm(submit("1", "m", 1))))
        .collect();
    c.send_all(&pdus).await;
    let mut states = std::collections::HashSet::new();
    let mut receipts = 0;
    while receipts < 60 {
        let pdu = c.recv().await;
        if pdu.command_id() == CommandId::DELIVER_SM {
            receipts += 1;
            states.insert(receipt(&pdu).tlvs.get_u8(Tag::MESSAGE_STATE).unwrap());
            c.ack(&pdu, CommandStatus::ESME_ROK).await;
        }
    }
    assert_eq!(states, [2, 3, 8].into());
}

#[tokio::test]
async fn mo_single_part() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Receiver, "acme", "x").await;
    let mo = MoMessage::new("+447700900123", "12345", &b"STOP"[..]);
    let (statuses, ()) = tokio::join!(sim.inject_mo(mo), async {
        let pdu = c.recv().await;
        let Body::DeliverSm(d) = &pdu.body else {
            panic!("{pdu:?}")
        };
        assert_eq!(&d.short_message[..], b"STOP");
        assert_eq!(&d.source_addr[..], b"447700900123");
        assert_eq!(d.source_addr_ton.0, 1);
        assert_eq!(&d.destination_addr[..], b"12345");
        assert_eq!(d.esm_class.0, 0);
        c.ack(&pdu, CommandStatus::ESME_RX_T_APPN).await;
    });
    assert_eq!(statuses.unwrap(), [CommandStatus::ESME_RX_T_APPN]);
    assert_eq!(sim.stats().mos_sent, 1);
}

#[tokio::test]
async fn mo_concatenated_out_of_order() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transceiver, "acme", "x").await;
    let payload: Vec<u8> = "Ünïcödé text that needs three parts to arrive"
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    let mo = MoMessage {
        data_coding: DataCoding::UCS2,
        payload: payload.clone().into(),
        concat: Some(Concat {
            parts: 3,
            reference: 0x42,
            out_of_order: true,
        }),
        ..MoMessage::new("447700900123", "ACME", &b""[..])
    };
    let (statuses, parts) = tokio::join!(sim.inject_mo(mo), async {
        let mut parts = Vec::new();
        for _ in 0..3 {
            let pdu = c.recv().await;
            let Body::DeliverSm(d) = &pdu.body else {
                panic!("{pdu:?}")
            };
            assert!(d.esm_class.has_udh());
            assert_eq!(d.data_coding, DataCoding::UCS2);
            let sm = d.short_message.to_vec();
            assert_eq!(&sm[..5], &[0x05, 0x00, 0x03, 0x42, 3]);
            assert_eq!(sm[6..].len() % 2, 0, "a UCS-2 character was cut");
            parts.push((sm[5], sm[6..].to_vec()));
            c.ack(&pdu, CommandStatus::ESME_ROK).await;
        }
        parts
    });
    assert_eq!(statuses.unwrap(), [CommandStatus::ESME_ROK; 3]);
    let order: Vec<u8> = parts.iter().map(|(n, _)| *n).collect();
    assert_eq!(order, [3, 2, 1]);
    let mut parts = parts;
    parts.sort();
    let joined: Vec<u8> = parts.into_iter().flat_map(|(_, p)| p).collect();
    assert_eq!(joined, payload);
}

#[tokio::test]
async fn mo_needs_a_receiver() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let mo = MoMessage::new("1", "2", &b"x"[..]);
    assert!(matches!(
        sim.inject_mo(mo.clone()).await,
        Err(SimError::NoReceiver { .. })
    ));
    let _tx = Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
    assert!(matches!(
        sim.inject_mo(mo.clone()).await,
        Err(SimError::NoReceiver { .. })
    ));
    let mut rx = Client::bound(sim.local_addr(), BindKind::Receiver, "acme", "x").await;
    let for_beta = MoMessage {
        system_id: Some("beta".into()),
        ..mo.clone()
    };
    let err = sim.inject_mo(for_beta).await.unwrap_err();
    assert!(err.to_string().contains("beta"), "{err}");
    // The receiver leaves before answering.
    let (result, ()) = tokio::join!(sim.inject_mo(mo.clone()), async {
        rx.recv().await;
        drop(rx);
    });
    assert!(matches!(result, Err(SimError::SessionClosed)), "{result:?}");
    sim.shutdown().await;
    assert!(matches!(sim.inject_mo(mo).await, Err(SimError::ShutDown)));
}
