//! A tiny ESME for the tests: the codec over a `TcpStream`, every wait bounded.
#![allow(dead_code, reason = "each test file uses part of the helper")]

use bytes::{Bytes, BytesMut};
use smppd_codec::{
    Bind, Body, CommandStatus, DeliverSmResp, Framer, Npi, OctetString, Pdu, RegisteredDelivery,
    SubmitSm, Ton,
};
use smppd_sim::BindKind;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// The longest any single wait in a test may take.
pub const WAIT: Duration = Duration::from_secs(5);

pub struct Client {
    stream: TcpStream,
    buf: BytesMut,
    framer: Framer,
    seq: u32,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Client {
        let stream = timeout(WAIT, TcpStream::connect(addr))
            .await
            .expect("connect timed out")
            .expect("connect");
        stream.set_nodelay(true).unwrap();
        Client {
            stream,
            buf: BytesMut::with_capacity(64 * 1024),
            framer: Framer::default(),
            seq: 0,
        }
    }

    /// Connects and binds, asserting success.
    pub async fn bound(
        addr: SocketAddr,
        kind: BindKind,
        system_id: &str,
        password: &str,
    ) -> Client {
        let mut c = Client::connect(addr).await;
        let resp = c.bind(kind, system_id, password).await;
        assert_eq!(resp.command_status, CommandStatus::ESME_ROK, "{resp:?}");
        c
    }

    pub fn next_seq(&mut self) -> u32 {
        self.seq += 1;
        self.seq
    }

    pub async fn send(&mut self, pdu: &Pdu) {
        self.send_all(std::slice::from_ref(pdu)).await;
    }

    /// Encodes every PDU into one buffer and writes it at once (pipelined).
    pub async fn send_all(&mut self, pdus: &[Pdu]) {
        let mut out = BytesMut::new();
        for pdu in pdus {
            pdu.encode(&mut out).unwrap();
        }
        self.send_raw(&out).await;
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        timeout(WAIT, self.stream.write_all(bytes))
            .await
            .expect("write timed out")
            .expect("write");
    }

    /// The next PDU; panics on timeout, EOF or a decoding error.
    pub async fn recv(&mut self) -> Pdu {
        match self.recv_within(WAIT).await {
            Some(Ok(pdu)) => pdu,
            Some(Err(eof)) => panic!("connection closed while waiting for a PDU: {eof}"),
            None => panic!("no PDU within {WAIT:?}"),
        }
    }

    /// The next PDU within `within`: `None` if none came, `Some(Err)` on EOF or a bad stream.
    pub async fn recv_within(&mut self, within: Duration) -> Option<Result<Pdu, String>> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match self.framer.decode(&mut self.buf) {
                Ok(Some(frame)) => return Some(Pdu::decode(frame).map_err(|e| e.to_string())),
                Ok(None) => {}
                Err(e) => return Some(Err(e.to_string())),
            }
            match tokio::time::timeout_at(deadline, self.stream.read_buf(&mut self.buf)).await {
                Err(_) => return None,
                Ok(Ok(0)) => return Some(Err("EOF".into())),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Some(Err(e.to_string())),
            }
        }
    }

    /// Reads exactly `n` raw octets.
    pub async fn read_raw(&mut self, n: usize) -> Bytes {
        while self.buf.len() < n {
            let read = timeout(WAIT, self.stream.read_buf(&mut self.buf))
                .await
                .expect("read timed out")
                .expect("read");
            assert!(read > 0, "EOF after {} of {n} octets", self.buf.len());
        }
        self.buf.split_to(n).freeze()
    }

    /// Waits for the simulator to close the connection, skipping whatever PDUs come first.
    pub async fn expect_eof(&mut self) -> Vec<Pdu> {
        let mut before = Vec::new();
        loop {
            match self.recv_within(WAIT).await {
                Some(Ok(pdu)) => before.push(pdu),
                Some(Err(_)) => return before,
                None => panic!("connection still open after {WAIT:?}"),
            }
        }
    }

    /// Asserts that nothing arrives within `within`.
    pub async fn expect_silence(&mut self, within: Duration) {
        if let Some(got) = self.recv_within(within).await {
            panic!("expected silence, got {got:?}");
        }
    }

    pub async fn bind(&mut self, kind: BindKind, system_id: &str, password: &str) -> Pdu {
        let bind = Bind {
            system_id: system_id.to_owned().into(),
            password: password.to_owned().into(),
            interface_version: 0x34,
            ..Default::default()
        };
        let body = match kind {
            BindKind::Transmitter => Body::BindTransmitter(bind),
            BindKind::Receiver => Body::BindReceiver(bind),
            BindKind::Transceiver => Body::BindTransceiver(bind),
        };
        self.request(body).await
    }

    /// Sends a request and returns the next PDU (the tests make sure it is the response).
    pub async fn request(&mut self, body: Body) -> Pdu {
        let seq = self.next_seq();
        self.send(&Pdu::new(seq, body)).await;
        let resp = self.recv().await;
        assert_eq!(resp.sequence_number, seq, "{resp:?}");
        resp
    }

    /// Answers a deliver_sm with `status`.
    pub async fn ack(&mut self, deliver: &Pdu, status: CommandStatus) {
        let resp = Pdu::with_status(
            deliver.sequence_number,
            status,
            Body::DeliverSmResp(DeliverSmResp::new("")),
        );
        self.send(&resp).await;
    }
}

/// A plain submit_sm.
pub fn submit(to: &str, text: &str, registered_delivery: u8) -> SubmitSm {
    SubmitSm {
        source_addr_ton: Ton::ALPHANUMERIC,
        source_addr: "ACME".into(),
        dest_addr_ton: Ton::INTERNATIONAL,
        dest_addr_npi: Npi::ISDN,
        destination_addr: to.to_owned().into(),
        registered_delivery: RegisteredDelivery(registered_delivery),
        short_message: OctetString::from(text.as_bytes().to_vec()),
        ..Default::default()
    }
}

/// The message id of a submit_sm_resp.
pub fn message_id(resp: &Pdu) -> String {
    match &resp.body {
        Body::SubmitSmResp(r) => r
            .message_id
            .as_ref()
            .and_then(|id| id.to_str())
            .expect("message_id")
            .to_owned(),
        other => panic!("not a submit_sm_resp: {other:?}"),
    }
}

/// Polls `check` every 10 ms until it holds, for at most [`WAIT`].
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
