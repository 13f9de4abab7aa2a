//! Binds, requests and responses, and what the simulator does with bad input.

mod common;

use common::{Client, eventually, message_id, submit};
use smppd_codec::{
    Body, CancelSm, CommandId, CommandStatus, DataSm, MessageState, Pdu, QuerySm, ReplaceSm, Tag,
};
use smppd_sim::{Account, BindKind, IdFormat, SimConfig, Simulator};
use std::collections::HashSet;

fn accounts() -> SimConfig {
    SimConfig {
        accounts: vec![Account::new("acme", "secret"), Account::new("beta", "pw")],
        ..SimConfig::default()
    }
}

#[tokio::test]
async fn binds_of_each_type() {
    let sim = Simulator::start(accounts()).await.unwrap();
    let mut clients = Vec::new();
    for kind in [
        BindKind::Transmitter,
        BindKind::Receiver,
        BindKind::Transceiver,
    ] {
        let mut c = Client::connect(sim.local_addr()).await;
        let resp = c.bind(kind, "acme", "secret").await;
        assert_eq!(resp.command_status, CommandStatus::ESME_ROK);
        let (id, body) = match resp.body {
            Body::BindTransmitterResp(b) => (BindKind::Transmitter, b),
            Body::BindReceiverResp(b) => (BindKind::Receiver, b),
            Body::BindTransceiverResp(b) => (BindKind::Transceiver, b),
            other => panic!("{other:?}"),
        };
        assert_eq!(id, kind);
        assert_eq!(body.system_id.unwrap().to_str(), Some("smppd-sim"));
        assert_eq!(body.tlvs.get_u8(Tag::SC_INTERFACE_VERSION), Some(0x34));
        clients.push(c);
    }
    let sessions = sim.sessions();
    assert_eq!(sessions.len(), 3);
    let kinds: Vec<_> = sessions.iter().map(|s| s.bind).collect();
    assert_eq!(
        kinds,
        [
            Some(BindKind::Transmitter),
            Some(BindKind::Receiver),
            Some(BindKind::Transceiver)
        ]
    );
    assert!(
        sessions
            .iter()
            .all(|s| s.system_id.as_deref() == Some("acme"))
    );
    let stats = sim.stats();
    assert_eq!((stats.binds_accepted, stats.binds_refused), (3, 0));
    assert_eq!(stats.connections, 3);
    assert_eq!(stats.sessions_open, 3);
}

#[tokio::test]
async fn bad_credentials_are_refused_without_body() {
    let sim = Simulator::start(accounts()).await.unwrap();
    for (system_id, password, status) in [
        ("acme", "wrong", CommandStatus::ESME_RINVPASWD),
        ("nobody", "secret", CommandStatus::ESME_RINVSYSID),
        ("beta", "secret", CommandStatus::ESME_RINVPASWD),
    ] {
        let mut c = Client::connect(sim.local_addr()).await;
        let seq = c.next_seq();
        let bind = smppd_codec::Bind {
            system_id: system_id.to_owned().into(),
            password: password.to_owned().into(),
            interface_version: 0x34,
            ..Default::default()
        };
        c.send(&Pdu::new(seq, Body::BindTransceiver(bind))).await;
        // A bare 16-octet header: the body is absent.
        let raw = c.read_raw(16).await;
        assert_eq!(&raw[0..4], &16u32.to_be_bytes());
        assert_eq!(
            &raw[4..8],
            &CommandId::BIND_TRANSCEIVER_RESP.0.to_be_bytes()
        );
        assert_eq!(
            &raw[8..12],
            &status.0.to_be_bytes(),
            "{system_id}/{password}"
        );
        // The session stays open and unbound.
        let resp = c.bind(BindKind::Transceiver, "beta", "pw").await;
        assert_eq!(resp.command_status, CommandStatus::ESME_ROK);
    }
    let stats = sim.stats();
    assert_eq!((stats.binds_accepted, stats.binds_refused), (3, 3));
}

#[tokio::test]
async fn any_credentials_without_accounts() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    Client::bound(sim.local_addr(), BindKind::Transmitter, "whoever", "x").await;
    Client::bound(sim.local_addr(), BindKind::Receiver, "someone", "").await;
}

#[tokio::test]
async fn already_bound() {
    let sim = Simulator::start(SimConfig {
        max_binds: Some(1),
        ..accounts()
    })
    .await
    .unwrap();
    let mut first = Client::bound(sim.local_addr(), BindKind::Transceiver, "acme", "secret").await;
    // The same session binding again.
    let again = first.bind(BindKind::Transmitter, "acme", "secret").await;
    assert_eq!(again.command_status, CommandStatus::ESME_RALYBND);
    // A second session of the same system_id.
    let mut second = Client::connect(sim.local_addr()).await;
    let resp = second.bind(BindKind::Receiver, "acme", "secret").await;
    assert_eq!(resp.command_status, CommandStatus::ESME_RALYBND);
    // Another system_id has its own count.
    let _beta = Client::bound(sim.local_addr(), BindKind::Receiver, "beta", "pw").await;
    // Once the first session is gone, the slot is free.
    drop(first);
    eventually("the first session to leave", || sim.sessions().len() == 2).await;
    let resp = second.bind(BindKind::Receiver, "acme", "secret").await;
    assert_eq!(resp.command_status, CommandStatus::ESME_ROK);
}

#[tokio::test]
async fn refused_binds_can_be_switched_off() {
    let sim = Simulator::start(SimConfig {
        refuse_binds: true,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut c = Client::connect(sim.local_addr()).await;
    let resp = c.bind(BindKind::Transceiver, "acme", "secret").await;
    assert_eq!(resp.command_status, CommandStatus::ESME_RBINDFAIL);
    sim.set_refuse_binds(false);
    let resp = c.bind(BindKind::Transceiver, "acme", "secret").await;
    assert_eq!(resp.command_status, CommandStatus::ESME_ROK);
}

#[tokio::test]
async fn requests_before_bind() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let mut c = Client::connect(sim.local_addr()).await;
    let resp = c
        .request(Body::SubmitSm(submit("447700900123", "hi", 0)))
        .await;
    assert_eq!(resp.command_id(), CommandId::SUBMIT_SM_RESP);
    assert_eq!(resp.command_status, CommandStatus::ESME_RINVBNDSTS);
    let resp = c.request(Body::QuerySm(QuerySm::default())).await;
    assert_eq!(resp.command_status, CommandStatus::ESME_RINVBNDSTS);
    let resp = c.request(Body::Unbind).await;
    assert_eq!(resp.command_id(), CommandId::UNBIND_RESP);
    assert_eq!(resp.command_status, CommandStatus::ESME_RINVBNDSTS);
    // enquire_link is answered in any state.
    let resp = c.request(Body::EnquireLink).await;
    assert_eq!(resp.command_id(), CommandId::ENQUIRE_LINK_RESP);
    assert_eq!(resp.command_status, CommandStatus::ESME_ROK);
    // A receiver may not submit either.
    c.bind(BindKind::Receiver, "acme", "x").await;
    let resp = c
        .request(Body::SubmitSm(submit("447700900123", "hi", 0)))
        .await;
    assert_eq!(resp.command_status, CommandStatus::ESME_RINVBNDSTS);
}

#[tokio::test]
async fn submits_get_unique_ids() {
    for format in [IdFormat::Hex, IdFormat::Decimal] {
        let sim = Simulator::start(SimConfig {
            id_format: format,
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let mut c = Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
        let pdus: Vec<Pdu> = (0..500)
            .map(|i| {
                let seq = c.next_seq();
                Pdu::new(
                    seq,
                    Body::SubmitSm(submit("447700900123", &format!("m{i}"), 0)),
                )
            })
            .collect();
        c.send_all(&pdus).await;
        let mut ids = HashSet::new();
        for sent in &pdus {
            let resp = c.recv().await;
            assert_eq!(resp.sequence_number, sent.sequence_number);
            assert_eq!(resp.command_status, CommandStatus::ESME_ROK);
            let id = message_id(&resp);
            assert!(format.parse(&id).is_some(), "{id} is not {format:?}");
            assert!(ids.insert(id), "duplicate id");
        }
        let stats = sim.stats();
        assert_eq!(stats.submit_sm, 500);
        assert_eq!(stats.responses_sent, 501);
        assert_eq!(sim.sessions()[0].submit_sm, 500);
    }
}

#[tokio::test]
async fn restarted_simulator_does_not_reuse_ids() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
    let first = message_id(&c.request(Body::SubmitSm(submit("1", "a", 0))).await);
    sim.shutdown().await;
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
    let second = message_id(&c.request(Body::SubmitSm(submit("1", "a", 0))).await);
    let (a, b) = (
        u64::from_str_radix(&first, 16).unwrap(),
        u64::from_str_radix(&second, 16).unwrap(),
    );
    assert!(b > a, "{second} after {first}");
}

#[tokio::test]
async fn other_requests() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transceiver, "acme", "x").await;

    let resp = c.request(Body::DataSm(DataSm::default())).await;
    assert_eq!(resp.command_status, CommandStatus::ESME_ROK);
    let Body::DataSmResp(data) = &resp.body else {
        panic!("{resp:?}")
    };
    assert!(data.message_id.as_ref().is_some_and(|id| !id.is_empty()));

    let id = message_id(&c.request(Body::SubmitSm(submit("1", "a", 0))).await);
    let query = QuerySm {
        message_id: id.clone().into(),
        ..Default::default()
    };
    let resp = c.request(Body::QuerySm(query)).await;
    assert_eq!(resp.command_status, CommandStatus::ESME_ROK);
    let Body::QuerySmResp(q) = &resp.body else {
        panic!("{resp:?}")
    };
    assert_eq!(
        q.message_id.as_ref().and_then(|m| m.to_str()),
        Some(id.as_str())
    );
    assert_eq!(q.message_state, MessageState::ENROUTE);
    let unknown = QuerySm {
        message_id: "nope".into(),
        ..Default::default()
    };
    let resp = c.request(Body::QuerySm(unknown)).await;
    assert_eq!(resp.command_status, CommandStatus::ESME_RQUERYFAIL);

    let resp = c.request(Body::CancelSm(CancelSm::default())).await;
    assert_eq!(resp.command_id(), CommandId::CANCEL_SM_RESP);
    let resp = c.request(Body::ReplaceSm(ReplaceSm::default())).await;
    assert_eq!(resp.command_id(), CommandId::REPLACE_SM_RESP);
    let resp = c.request(Body::EnquireLink).await;
    assert_eq!(resp.command_id(), CommandId::ENQUIRE_LINK_RESP);

    // unbind: answered, then the simulator closes.
    let seq = c.next_seq();
    c.send(&Pdu::new(seq, Body::Unbind)).await;
    let before = c.expect_eof().await;
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].command_id(), CommandId::UNBIND_RESP);
    assert_eq!(before[0].sequence_number, seq);

    let stats = sim.stats();
    assert_eq!(
        (stats.data_sm, stats.query_sm, stats.other_requests),
        (1, 2, 2)
    );
    assert_eq!((stats.enquire_links, stats.unbinds), (1, 1));
}

#[tokio::test]
async fn unknown_command_gets_generic_nack() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transceiver, "acme", "x").await;
    let mut raw = Vec::new();
    for word in [16u32, 0x0000_0099, 0, 77] {
        raw.extend_from_slice(&word.to_be_bytes());
    }
    c.send_raw(&raw).await;
    let nack = c.recv().await;
    assert_eq!(nack.command_id(), CommandId::GENERIC_NACK);
    assert_eq!(nack.command_status, CommandStatus::ESME_RINVCMDID);
    assert_eq!(nack.sequence_number, 77);
    // The session goes on.
    let resp = c.request(Body::EnquireLink).await;
    assert_eq!(resp.command_id(), CommandId::ENQUIRE_LINK_RESP);
    assert_eq!(sim.stats().generic_nacks, 1);
}

#[tokio::test]
async fn framing_error_gets_generic_nack_then_close() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transceiver, "acme", "x").await;
    // command_length 8 is below the header's 16 octets.
    let mut raw = Vec::new();
    for word in [8u32, 0x0000_0004, 0, 9] {
        raw.extend_from_slice(&word.to_be_bytes());
    }
    c.send_raw(&raw).await;
    let before = c.expect_eof().await;
    assert_eq!(before.len(), 1, "{before:?}");
    assert_eq!(before[0].command_id(), CommandId::GENERIC_NACK);
    assert_eq!(before[0].command_status, CommandStatus::ESME_RINVCMDLEN);
    assert_eq!(before[0].sequence_number, 9);
    eventually("the session to close", || sim.sessions().is_empty()).await;
}

#[tokio::test]
async fn malformed_submit_gets_its_own_error_response() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let mut c = Client::bound(sim.local_addr(), BindKind::Transmitter, "acme", "x").await;
    // A submit_sm whose body stops after service_type.
    let mut raw = Vec::new();
    for word in [20u32, 0x0000_0004, 0, 5] {
        raw.extend_from_slice(&word.to_be_bytes());
    }
    raw.extend_from_slice(b"\0\x01\x01\0");
    c.send_raw(&raw).await;
    let resp = c.recv().await;
    assert_eq!(resp.command_id(), CommandId::SUBMIT_SM_RESP);
    assert_eq!(resp.sequence_number, 5);
    assert!(!resp.command_status.is_ok());
    let Body::SubmitSmResp(body) = &resp.body else {
        panic!("{resp:?}")
    };
    assert!(body.message_id.is_none());
}

#[tokio::test]
async fn port_in_use_is_an_error() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let err = Simulator::start(SimConfig {
        listen: sim.local_addr(),
        ..SimConfig::default()
    })
    .await
    .unwrap_err();
    assert!(matches!(err, smppd_sim::SimError::Listen { .. }), "{err}");
    assert!(
        err.to_string().contains(&sim.local_addr().to_string()),
        "{err}"
    );
}
