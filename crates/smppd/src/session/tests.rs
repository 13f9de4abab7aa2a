//! The session on a virtual clock: PDUs in, PDUs and events out, no sockets.

use super::*;
use bytes::{Bytes, BytesMut};
use smppd_codec::{BindResp, EsmClass, Framer, OctetString};

const SECOND: Duration = Duration::from_secs(1);

fn config(bind: BindType, window: usize) -> SessionConfig {
    SessionConfig {
        bind,
        system_id: "acme".into(),
        password: "secret".into(),
        system_type: COctetString::new(),
        window,
        enquire_link_interval: Duration::from_secs(30),
        response_timeout: Duration::from_secs(10),
    }
}

fn sent<T>(s: &mut Session<T>) -> Vec<Pdu> {
    std::iter::from_fn(|| s.poll_transmit()).collect()
}

fn events<T>(s: &mut Session<T>) -> Vec<Event<T>> {
    std::iter::from_fn(|| s.poll_event()).collect()
}

fn bound(window: usize, t0: Instant) -> Session<u32> {
    let mut s = Session::new(config(BindType::Transceiver, window), t0);
    let bind = sent(&mut s).remove(0);
    s.handle_pdu(
        Pdu::new(
            bind.sequence_number,
            Body::BindTransceiverResp(BindResp {
                system_id: Some("SMSC".into()),
                tlvs: Tlvs::new(),
            }),
        ),
        t0,
    );
    events(&mut s);
    s
}

fn submit_sm() -> SubmitSm {
    SubmitSm {
        destination_addr: "447700900123".into(),
        short_message: OctetString::from_static(b"hi"),
        ..SubmitSm::default()
    }
}

fn resp(seq: u32, status: CommandStatus, id: &'static str) -> Pdu {
    Pdu::with_status(seq, status, Body::SubmitSmResp(SubmitSmResp::new(id)))
}

#[test]
fn binds_with_the_configured_type_and_credentials() {
    let t0 = Instant::now();
    for (bind, id) in [
        (BindType::Transmitter, CommandId::BIND_TRANSMITTER),
        (BindType::Receiver, CommandId::BIND_RECEIVER),
        (BindType::Transceiver, CommandId::BIND_TRANSCEIVER),
    ] {
        let mut s: Session<u32> = Session::new(config(bind, 5), t0);
        let out = sent(&mut s);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].command_id(), id);
        let (Body::BindTransmitter(b) | Body::BindReceiver(b) | Body::BindTransceiver(b)) =
            &out[0].body
        else {
            panic!("not a bind: {:?}", out[0]);
        };
        assert_eq!(&b.system_id[..], b"acme");
        assert_eq!(&b.password[..], b"secret");
        assert_eq!(b.interface_version, 0x34);
        assert_eq!(s.state(), State::Binding);
        assert!(!s.can_submit(), "nothing but the bind before bound");
    }
}

#[test]
fn bind_response_ok_binds_and_refusal_closes() {
    let t0 = Instant::now();
    let s = bound(5, t0);
    assert_eq!(s.state(), State::Bound);

    let mut s: Session<u32> = Session::new(config(BindType::Transmitter, 5), t0);
    let seq = sent(&mut s)[0].sequence_number;
    // A refusal often comes without a body.
    s.handle_pdu(
        Pdu::with_status(
            seq,
            CommandStatus::ESME_RINVPASWD,
            Body::BindTransmitterResp(BindResp::default()),
        ),
        t0,
    );
    assert!(matches!(
        events(&mut s).as_slice(),
        [Event::Closed(CloseReason::BindRefused(
            CommandStatus::ESME_RINVPASWD
        ))]
    ));
    assert_eq!(s.state(), State::Closed);
}

#[test]
fn an_unanswered_bind_closes_the_session() {
    let t0 = Instant::now();
    let mut s: Session<u32> = Session::new(config(BindType::Receiver, 5), t0);
    assert_eq!(s.poll_timeout(), Some(t0 + 10 * SECOND));
    s.handle_timeout(t0 + 10 * SECOND);
    assert!(matches!(
        events(&mut s).as_slice(),
        [Event::Closed(CloseReason::Unresponsive(
            CommandId::BIND_RECEIVER
        ))]
    ));
}

#[test]
fn window_caps_outstanding_requests_and_pipelines() {
    let t0 = Instant::now();
    let mut s = bound(3, t0);
    for token in 0..3 {
        assert!(s.submit(submit_sm(), token, t0).is_ok());
    }
    // All three are on the wire before any response: pipelined, not stop-and-wait.
    assert_eq!(sent(&mut s).len(), 3);
    assert!(!s.can_submit());
    let (_, token) = s.submit(submit_sm(), 3, t0).unwrap_err();
    assert_eq!(token, 3, "a refused submission is handed back");
    assert_eq!(s.outstanding(), 3);

    s.handle_pdu(resp(2, CommandStatus::ESME_ROK, "abc"), t0);
    assert!(matches!(
        events(&mut s).as_slice(),
        [Event::Accepted { token: 0, message_id }] if &message_id[..] == b"abc"
    ));
    assert!(s.can_submit());
}

#[test]
fn enquire_link_takes_a_window_slot() {
    let t0 = Instant::now();
    let mut s = bound(2, t0);
    s.submit(submit_sm(), 0, t0 + 25 * SECOND).unwrap();
    s.handle_timeout(t0 + 30 * SECOND);
    let out = sent(&mut s);
    assert_eq!(out.last().unwrap().command_id(), CommandId::ENQUIRE_LINK);
    assert_eq!(s.outstanding(), 2);
    assert!(!s.can_submit(), "submit + enquire_link fill a window of 2");
}

#[test]
fn a_full_window_holds_back_enquire_link() {
    let t0 = Instant::now();
    let mut s = bound(1, t0);
    s.submit(submit_sm(), 0, t0).unwrap();
    sent(&mut s);
    s.handle_timeout(t0 + 5 * SECOND);
    assert!(sent(&mut s).is_empty());
    assert_eq!(s.outstanding(), 1);
}

#[test]
fn response_timeout_frees_the_slot_and_reports_the_submission() {
    let t0 = Instant::now();
    let mut s = bound(1, t0);
    s.submit(submit_sm(), 7, t0).unwrap();
    assert_eq!(s.poll_timeout(), Some(t0 + 10 * SECOND));
    s.handle_timeout(t0 + 9 * SECOND);
    assert!(events(&mut s).is_empty());
    s.handle_timeout(t0 + 10 * SECOND);
    assert!(matches!(
        events(&mut s).as_slice(),
        [Event::Unanswered { token: 7 }]
    ));
    assert!(s.can_submit());
    // The late response is a stray, not a second outcome.
    s.handle_pdu(resp(2, CommandStatus::ESME_ROK, "late"), t0 + 11 * SECOND);
    assert!(matches!(
        events(&mut s).as_slice(),
        [Event::Stray {
            sequence_number: 2,
            ..
        }]
    ));
}

#[test]
fn idle_link_sends_enquire_link_and_unanswered_one_closes() {
    let t0 = Instant::now();
    let mut s = bound(5, t0);
    assert_eq!(s.poll_timeout(), Some(t0 + 30 * SECOND));
    s.handle_timeout(t0 + 30 * SECOND);
    let out = sent(&mut s);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].command_id(), CommandId::ENQUIRE_LINK);
    // Half-open: nothing comes back.
    assert_eq!(s.poll_timeout(), Some(t0 + 40 * SECOND));
    s.handle_timeout(t0 + 40 * SECOND);
    assert!(matches!(
        events(&mut s).as_slice(),
        [Event::Closed(CloseReason::Unresponsive(
            CommandId::ENQUIRE_LINK
        ))]
    ));
}

#[test]
fn answered_enquire_link_keeps_the_session() {
    let t0 = Instant::now();
    let mut s = bound(5, t0);
    s.handle_timeout(t0 + 30 * SECOND);
    let seq = sent(&mut s)[0].sequence_number;
    s.handle_pdu(Pdu::new(seq, Body::EnquireLinkResp), t0 + 31 * SECOND);
    s.handle_timeout(t0 + 45 * SECOND);
    assert!(events(&mut s).is_empty());
    assert_eq!(s.state(), State::Bound);
    assert_eq!(s.poll_timeout(), Some(t0 + 61 * SECOND));
}

#[test]
fn answers_the_smscs_enquire_link_and_unbind() {
    let t0 = Instant::now();
    let mut s = bound(5, t0);
    s.handle_pdu(Pdu::new(77, Body::EnquireLink), t0);
    let out = sent(&mut s);
    assert_eq!(out, vec![Pdu::new(77, Body::EnquireLinkResp)]);

    s.submit(submit_sm(), 1, t0).unwrap();
    sent(&mut s);
    s.handle_pdu(Pdu::new(78, Body::Unbind), t0);
    assert_eq!(sent(&mut s), vec![Pdu::new(78, Body::UnbindResp)]);
    assert!(matches!(
        events(&mut s).as_slice(),
        [
            Event::Unanswered { token: 1 },
            Event::Closed(CloseReason::PeerUnbound)
        ]
    ));
}

#[test]
fn deliver_sm_is_answered_only_when_the_link_says_so() {
    let t0 = Instant::now();
    let mut s = bound(5, t0);
    let receipt = SubmitSm {
        esm_class: EsmClass(EsmClass::DELIVERY_RECEIPT),
        ..SubmitSm::default()
    };
    s.handle_pdu(Pdu::new(9, Body::DeliverSm(receipt)), t0);
    assert!(
        sent(&mut s).is_empty(),
        "no resp before the message is stored"
    );
    let Some(Event::Deliver {
        sequence_number: 9,
        sm,
    }) = s.poll_event()
    else {
        panic!("no deliver event");
    };
    assert!(sm.esm_class.is_receipt());
    s.respond_deliver(9, CommandStatus::ESME_ROK);
    let out = sent(&mut s);
    assert_eq!(out[0].command_id(), CommandId::DELIVER_SM_RESP);
    assert_eq!(out[0].sequence_number, 9);
}

#[test]
fn deliver_sm_before_bind_is_refused_with_rinvbndsts() {
    let t0 = Instant::now();
    let mut s: Session<u32> = Session::new(config(BindType::Receiver, 5), t0);
    sent(&mut s);
    s.handle_pdu(Pdu::new(3, Body::DeliverSm(SubmitSm::default())), t0);
    let out = sent(&mut s);
    assert_eq!(out[0].command_status, CommandStatus::ESME_RINVBNDSTS);
    assert_eq!(out[0].command_id(), CommandId::DELIVER_SM_RESP);
}

#[test]
fn generic_nack_and_error_responses_refuse_the_submission() {
    let t0 = Instant::now();
    let mut s = bound(5, t0);
    s.submit(submit_sm(), 1, t0).unwrap();
    s.submit(submit_sm(), 2, t0).unwrap();
    s.handle_pdu(
        Pdu::with_status(2, CommandStatus::ESME_RINVCMDLEN, Body::GenericNack),
        t0,
    );
    s.handle_pdu(
        Pdu::with_status(
            3,
            CommandStatus::ESME_RTHROTTLED,
            Body::SubmitSmResp(SubmitSmResp::default()),
        ),
        t0,
    );
    let ev = events(&mut s);
    assert!(matches!(
        ev.as_slice(),
        [
            Event::Refused {
                token: 1,
                status: CommandStatus::ESME_RINVCMDLEN
            },
            Event::Refused {
                token: 2,
                status: CommandStatus::ESME_RTHROTTLED
            },
        ]
    ));
}

#[test]
fn unbind_waits_for_its_response() {
    let t0 = Instant::now();
    let mut s = bound(5, t0);
    s.unbind(t0);
    assert_eq!(s.state(), State::Unbinding);
    assert!(!s.can_submit());
    let out = sent(&mut s);
    assert_eq!(out[0].command_id(), CommandId::UNBIND);
    s.handle_pdu(Pdu::new(out[0].sequence_number, Body::UnbindResp), t0);
    assert!(matches!(
        events(&mut s).as_slice(),
        [Event::Closed(CloseReason::Unbound)]
    ));
}

#[test]
fn closing_reports_outstanding_submissions_in_sending_order() {
    let t0 = Instant::now();
    let mut s = bound(10, t0);
    for token in 0..10 {
        s.submit(submit_sm(), token, t0).unwrap();
    }
    s.connection_lost();
    let tokens: Vec<u32> = events(&mut s)
        .into_iter()
        .filter_map(|e| match e {
            Event::Unanswered { token } => Some(token),
            _ => None,
        })
        .collect();
    assert_eq!(tokens, (0..10).collect::<Vec<_>>());
}

/// Feeds the session what a framer and decoder make of raw octets.
fn feed(s: &mut Session<u32>, octets: &[u8], now: Instant) {
    let mut buf = BytesMut::from(octets);
    loop {
        match Framer::default().decode(&mut buf) {
            Ok(Some(frame)) => match Pdu::decode(frame) {
                Ok(pdu) => s.handle_pdu(pdu, now),
                Err(e) => s.handle_error(&e, now),
            },
            Ok(None) => break,
            Err(e) => {
                s.handle_error(&e, now);
                break;
            }
        }
    }
}

#[test]
fn malformed_deliver_sm_gets_its_own_error_response() {
    let t0 = Instant::now();
    let mut s = bound(5, t0);
    let mut octets = Pdu::new(
        41,
        Body::DeliverSm(SubmitSm {
            short_message: OctetString::from_static(b"hello"),
            ..SubmitSm::default()
        }),
    )
    .to_bytes()
    .unwrap()
    .to_vec();
    // sm_length claims more octets than the body holds (§4.6.1).
    let at = octets.len() - 6;
    octets[at] = 200;
    feed(&mut s, &octets, t0);
    let out = sent(&mut s);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].command_id(), CommandId::DELIVER_SM_RESP);
    assert_eq!(out[0].sequence_number, 41);
    assert_eq!(out[0].command_status, CommandStatus::ESME_RINVMSGLEN);
    assert_eq!(s.state(), State::Bound);
}

#[test]
fn unknown_command_gets_generic_nack_and_framing_error_closes() {
    let t0 = Instant::now();
    let mut s = bound(5, t0);
    let unknown = Bytes::from_static(&[0, 0, 0, 16, 0, 0, 0, 0x99, 0, 0, 0, 0, 0, 0, 0, 5]);
    feed(&mut s, &unknown, t0);
    let out = sent(&mut s);
    assert_eq!(
        out,
        vec![Pdu::with_status(
            5,
            CommandStatus::ESME_RINVCMDID,
            Body::GenericNack
        )]
    );
    assert_eq!(s.state(), State::Bound);

    let too_long = [0xFF, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 6];
    feed(&mut s, &too_long, t0);
    assert_eq!(
        sent(&mut s),
        vec![Pdu::with_status(
            6,
            CommandStatus::ESME_RINVCMDLEN,
            Body::GenericNack
        )]
    );
    assert!(matches!(
        events(&mut s).last(),
        Some(Event::Closed(CloseReason::Framing(_)))
    ));
}

#[test]
fn narrowed_window_stays_within_configured_bounds() {
    let t0 = Instant::now();
    let mut s = bound(8, t0);
    s.set_window(2);
    assert_eq!(s.window(), 2);
    s.set_window(0);
    assert_eq!(s.window(), 1);
    s.set_window(100);
    assert_eq!(s.window(), 8);
}
