//! Fault injection, the outstanding-request measure, recording, histogram, shutdown.

mod common;

use bytes::Bytes;
use common::{Client, WAIT, eventually, message_id, submit};
use smppd_codec::{
    Body, CommandId, CommandStatus, DataCoding, EsmClass, OctetString, Pdu, Tag, Tlvs,
};
use smppd_sim::{BindKind, Delay, SimConfig, Simulator};
use std::collections::HashSet;
use std::time::{Duration, Instant};

fn submits(c: &mut Client, n: usize) -> Vec<Pdu> {
    (0..n)
        .map(|i| {
            Pdu::new(
                c.next_seq(),
                Body::SubmitSm(submit("447700900123", &format!("m{i}"), 0)),
            )
        })
        .collect()
}

#[tokio::test]
async fn throttling_answers_0x58_above_the_rate() {
    let sim = Simulator::start(SimConfig {
        throttle: Some(10),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
    let pdus = submits(&mut c, 30);
    c.send_all(&pdus).await;
    let mut ok = 0;
    let mut throttled = 0;
    for _ in 0..30 {
        let resp = c.recv().await;
        match resp.command_status {
            CommandStatus::ESME_ROK => ok += 1,
            CommandStatus::ESME_RTHROTTLED => {
                throttled += 1;
                let Body::SubmitSmResp(r) = &resp.body else {
                    panic!("{resp:?}")
                };
                assert!(r.message_id.is_none());
            }
            other => panic!("{other}"),
        }
    }
    // The 30 arrive within one second window, or straddle two.
    assert!((10..=20).contains(&ok), "{ok} accepted");
    assert_eq!(ok + throttled, 30);
    assert_eq!(sim.stats().throttled, throttled);

    // Another system_id has its own window.
    let mut other = Client::bound(sim.local_addr(), BindKind::Transmitter, "beta", "x").await;
    let resp = other.request(Body::SubmitSm(submit("1", "m", 0))).await;
    assert_eq!(resp.command_status, CommandStatus::ESME_ROK);

    sim.set_throttle(None);
    let pdus = submits(&mut c, 30);
    c.send_all(&pdus).await;
    for _ in 0..30 {
        assert_eq!(c.recv().await.command_status, CommandStatus::ESME_ROK);
    }
}

#[tokio::test]
async fn max_outstanding_with_delayed_responses() {
    let sim = Simulator::start(SimConfig {
        response_delay: Delay::Fixed(Duration::from_millis(100)),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transceiver, "acme", "x").await;
    // Six submit_sm and an enquire_link: seven requests awaiting their responses.
    let mut pdus = submits(&mut c, 6);
    pdus.push(Pdu::new(c.next_seq(), Body::EnquireLink));
    let sent_at = Instant::now();
    c.send_all(&pdus).await;
    eventually("7 outstanding", || sim.stats().outstanding == 7).await;
    let mut seqs = HashSet::new();
    for _ in 0..7 {
        let resp = c.recv().await;
        seqs.insert(resp.sequence_number);
    }
    assert!(sent_at.elapsed() >= Duration::from_millis(100));
    assert_eq!(seqs.len(), 7);
    eventually("0 outstanding", || sim.stats().outstanding == 0).await;
    assert_eq!(sim.stats().max_outstanding, 7);
    // Stop-and-wait traffic afterwards does not lower the maximum.
    for _ in 0..3 {
        c.request(Body::SubmitSm(submit("1", "m", 0))).await;
    }
    let session = &sim.sessions()[0];
    assert_eq!((session.outstanding, session.max_outstanding), (0, 7));
    assert_eq!(sim.stats().max_outstanding, 7);

    // A second session's window is measured apart.
    let mut d = Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
    let pdus = submits(&mut d, 3);
    d.send_all(&pdus).await;
    for _ in 0..3 {
        d.recv().await;
    }
    let maxima: Vec<u64> = sim.sessions().iter().map(|s| s.max_outstanding).collect();
    assert_eq!(maxima, [7, 3]);
}

#[tokio::test]
async fn random_delays_answer_everything() {
    let sim = Simulator::start(SimConfig {
        response_delay: Delay::Uniform(Duration::from_millis(1), Duration::from_millis(30)),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
    let pdus = submits(&mut c, 50);
    c.send_all(&pdus).await;
    let mut seqs = HashSet::new();
    for _ in 0..50 {
        seqs.insert(c.recv().await.sequence_number);
    }
    assert_eq!(seqs.len(), 50);
    sim.set_response_delay(Delay::None);
    c.request(Body::EnquireLink).await;
}

#[tokio::test]
async fn dropped_responses_never_come() {
    let sim = Simulator::start(SimConfig {
        drop_ratio: 1.0,
        record: true,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
    let pdus = submits(&mut c, 5);
    c.send_all(&pdus).await;
    c.expect_silence(Duration::from_millis(200)).await;
    let stats = sim.stats();
    assert_eq!(
        (stats.submit_sm, stats.dropped, stats.outstanding),
        (5, 5, 0)
    );
    assert!(sim.received_submits().iter().all(|r| r.status.is_none()));
    // enquire_link is never dropped.
    c.request(Body::EnquireLink).await;
    sim.set_drop_ratio(0.0);
    let resp = c.request(Body::SubmitSm(submit("1", "m", 0))).await;
    assert_eq!(resp.command_status, CommandStatus::ESME_ROK);
}

#[tokio::test]
async fn disconnect_after_pdus() {
    let sim = Simulator::start(SimConfig {
        disconnect_after_pdus: Some(3),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    // The bind and one submit_sm are answered; the third PDU is not.
    let mut c = Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
    c.request(Body::SubmitSm(submit("1", "m", 0))).await;
    let pdus = submits(&mut c, 1);
    c.send_all(&pdus).await;
    assert!(c.expect_eof().await.is_empty());
    assert_eq!(sim.stats().disconnects_injected, 1);
    sim.set_disconnect_after_pdus(None);
    let mut c = Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
    for _ in 0..5 {
        c.request(Body::EnquireLink).await;
    }
}

#[tokio::test]
async fn disconnect_every_interval() {
    let sim = Simulator::start(SimConfig {
        disconnect_every: Some(Duration::from_millis(100)),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let started = Instant::now();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
    c.expect_eof().await;
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert!(started.elapsed() < WAIT);
}

#[tokio::test]
async fn disconnect_all_and_garbage_on_demand() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let mut a = Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
    let mut b = Client::connect(sim.local_addr()).await;
    eventually("both sessions", || sim.sessions().len() == 2).await;
    sim.send_garbage();
    for c in [&mut a, &mut b] {
        let raw = c.read_raw(16).await;
        assert_eq!(&raw[..4], &[0, 0, 0, 7]);
    }
    assert_eq!(sim.stats().garbage_sent, 2);
    sim.disconnect_all();
    a.expect_eof().await;
    b.expect_eof().await;
    eventually("no sessions", || sim.sessions().is_empty()).await;
    assert_eq!(sim.stats().disconnects_injected, 2);
    // The listener is still open.
    Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
}

#[tokio::test]
async fn garbage_after_pdus() {
    let sim = Simulator::start(SimConfig {
        garbage_after_pdus: Some(2),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
    let seq = c.next_seq();
    c.send(&Pdu::new(seq, Body::EnquireLink)).await;
    // enquire_link_resp (16 octets), then the garbage.
    let raw = c.read_raw(32).await;
    assert_eq!(&raw[4..8], &CommandId::ENQUIRE_LINK_RESP.0.to_be_bytes());
    assert_eq!(&raw[16..20], &[0, 0, 0, 7]);
}

#[tokio::test]
async fn shutdown_closes_everything_and_frees_the_port() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let addr = sim.local_addr();
    let mut c = Client::bound(addr, BindKind::Transceiver, "acme", "x").await;
    let pdus = submits(&mut c, 10);
    c.send_all(&pdus).await;
    sim.shutdown().await;
    let before = c.expect_eof().await;
    assert!(before.len() <= 10);
    assert!(sim.sessions().is_empty());
    assert_eq!(sim.stats().sessions_open, 0);
    // Twice is harmless.
    sim.shutdown().await;

    let sim = Simulator::start(SimConfig {
        listen: addr,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    assert_eq!(sim.local_addr(), addr);
    let mut c = Client::bound(addr, BindKind::Transceiver, "acme", "x").await;
    c.request(Body::SubmitSm(submit("1", "m", 0))).await;
    // Dropping stops it too.
    drop(sim);
    c.expect_eof().await;
}

#[tokio::test]
async fn recording_keeps_what_arrived() {
    let sim = Simulator::start(SimConfig {
        record: true,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
    let mut tlvs = Tlvs::builder();
    tlvs.u16(Tag::SAR_MSG_REF_NUM, 7)
        .u8(Tag::SAR_TOTAL_SEGMENTS, 2);
    tlvs.octets(Tag(0x1400), b"1101234567").unwrap();
    let udh = smppd_codec::SubmitSm {
        esm_class: EsmClass(EsmClass::UDHI),
        data_coding: DataCoding::UCS2,
        short_message: OctetString(Bytes::from_static(b"\x05\x00\x03\x01\x02\x01\x00h\x00i")),
        tlvs: tlvs.build(),
        ..submit("447700900123", "", 1)
    };
    let mut sent = vec![
        Pdu::new(
            c.next_seq(),
            Body::SubmitSm(submit("447700900123", "first", 0)),
        ),
        Pdu::new(c.next_seq(), Body::SubmitSm(udh)),
    ];
    sent.extend(submits(&mut c, 100));
    c.send_all(&sent).await;
    let mut ids = Vec::new();
    for _ in 0..sent.len() {
        ids.push(message_id(&c.recv().await));
    }
    let received = sim.received_submits();
    let pdus: Vec<Pdu> = received.iter().map(|r| r.pdu.clone()).collect();
    assert_eq!(pdus, sent);
    let session = sim.sessions()[0].id;
    for (r, id) in received.iter().zip(&ids) {
        assert_eq!(r.session, session);
        assert_eq!(&*r.system_id, "acme");
        assert_eq!(r.message_id.as_deref(), Some(id.as_str()));
        assert_eq!(r.status, Some(CommandStatus::ESME_ROK));
    }
    assert!(received.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(sim.take_received_submits().len(), 102);
    assert!(sim.received_submits().is_empty());
    sim.set_record(false);
    c.request(Body::SubmitSm(submit("1", "m", 0))).await;
    assert!(sim.received_submits().is_empty());
}

#[tokio::test]
async fn histogram_counts_arrivals() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
    let pdus = submits(&mut c, 250);
    c.send_all(&pdus).await;
    for _ in 0..250 {
        c.recv().await;
    }
    let h = sim.submit_histogram();
    assert_eq!(h.total(), 250);
    assert_eq!(h.bucket, Duration::from_millis(100));
    assert_eq!(h.per_second().iter().sum::<u64>(), 250);
    // One pipelined write arrives within a few buckets.
    assert!(h.max_in_window(Duration::from_secs(1)) == 250, "{h:?}");
}
