//! One ESME connection: read a batch, answer every whole PDU in it into one output buffer,
//! write it with one call. Delayed responses wait in a timer queue; `deliver_sm` sent to the
//! ESME (receipts, MO) go out within a window of their own.

use crate::config::Faults;
use crate::dlr::{self, DlrJob};
use crate::server::{BindKind, Bound, ReceivedSubmit, Shared, lock};
use crate::stats::{Local, SessionCounters};
use bytes::{BufMut, Bytes, BytesMut};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use smppd_codec::{
    Bind, BindResp, Body, CommandId, CommandStatus, DataSmResp, DeliverSm, Framer, Header,
    MessageState, Pdu, QuerySmResp, SubmitMultiResp, SubmitSmResp, Tag, Tlvs,
};
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant, SystemTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::time::sleep_until;

/// What the simulator asks of a session.
#[derive(Debug)]
pub(crate) enum Command {
    /// Send these `deliver_sm` (the session must be bound to receive).
    Deliver(Vec<Outbound>),
    /// Write [`GARBAGE`].
    Garbage,
    /// Close at once.
    Disconnect,
}

/// A `deliver_sm` for the ESME.
#[derive(Debug)]
pub(crate) enum Outbound {
    /// A receipt: given back to the scheduler if the session ends before its response.
    Dlr(DlrJob),
    /// An MO part, and where its `deliver_sm_resp` status goes.
    Mo(DeliverSm, oneshot::Sender<CommandStatus>),
}

impl Outbound {
    pub(crate) fn into_receipt(self) -> Option<DlrJob> {
        match self {
            Outbound::Dlr(job) => Some(job),
            Outbound::Mo(..) => None,
        }
    }
}

/// A header whose `command_length` (7) is below the 16-octet minimum: the ESME cannot frame
/// past it.
pub(crate) const GARBAGE: &[u8; 16] = b"\x00\x00\x00\x07\xde\xad\xbe\xefgarbage!";

/// Read at least this much at a time.
const READ_CHUNK: usize = 64 * 1024;
/// Stop reading while this much output waits for the ESME to read it.
const HIGH_WATER: usize = 4 * 1024 * 1024;
/// How long a session closed by the simulator tries to write what it had already answered.
const CLOSE_FLUSH: Duration = Duration::from_millis(50);
/// A deadline that never comes.
const FAR: Duration = Duration::from_secs(365 * 24 * 3600);

/// Leaves the registry and the counters straight however the session ends, abort included.
#[derive(Debug)]
pub(crate) struct SessionGuard {
    shared: Arc<Shared>,
    id: u64,
    counters: Arc<SessionCounters>,
}

impl SessionGuard {
    pub(crate) fn new(shared: Arc<Shared>, id: u64, counters: Arc<SessionCounters>) -> Self {
        SessionGuard {
            shared,
            id,
            counters,
        }
    }
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        self.shared.unregister(self.id);
        let c = &self.shared.counters;
        c.sessions_open.fetch_sub(1, Relaxed);
        c.outstanding
            .fetch_sub(self.counters.outstanding.swap(0, Relaxed), Relaxed);
    }
}

/// Serves one connection until it closes.
pub(crate) async fn run(
    guard: SessionGuard,
    mut stream: TcpStream,
    peer: SocketAddr,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let mut s = Session::new(&guard);
    let (mut rd, mut wr) = stream.split();
    let framer = Framer::new(s.shared.config.max_pdu_len);
    let mut inbuf = BytesMut::with_capacity(READ_CHUNK);
    let far = Instant::now() + FAR;
    let disconnect_at = s
        .shared
        .faults()
        .disconnect_every
        .map(|d| Instant::now() + d);
    let disconnect = sleep_until(disconnect_at.unwrap_or(far).into());
    let timer = sleep_until(far.into());
    tokio::pin!(disconnect, timer);

    let end = loop {
        if s.close_now {
            // Responses already made still go out if the ESME takes them at once; then the
            // connection drops without unbind, as when an SMSC fails.
            if !s.out.is_empty() {
                let _ = tokio::time::timeout(CLOSE_FLUSH, wr.write_all(&s.out)).await;
            }
            break "closed by the simulator";
        }
        if s.closing && s.out.is_empty() {
            break "closed after the last response";
        }
        if let Some(Reverse(next)) = s.delayed.peek()
            && timer.deadline() != next.due.into()
        {
            timer.as_mut().reset(next.due.into());
        }
        if inbuf.capacity() - inbuf.len() < READ_CHUNK / 4 {
            inbuf.reserve(READ_CHUNK);
        }
        let reading = !s.closing && s.out.len() < HIGH_WATER;
        tokio::select! {
            // Output first, so that it never piles up; then timers and commands, which a
            // client that never stops sending would otherwise starve; reading last.
            biased;
            written = wr.write_buf(&mut s.out), if !s.out.is_empty() => match written {
                Ok(0) | Err(_) => break "write failed",
                Ok(_) => {}
            },
            () = &mut timer, if !s.delayed.is_empty() => s.on_timer(),
            () = &mut disconnect, if disconnect_at.is_some() => {
                s.local.disconnects_injected += 1;
                s.close_now = true;
            }
            command = commands.recv() => match command {
                Some(command) => s.on_command(command),
                None => break "simulator gone",
            },
            read = rd.read_buf(&mut inbuf), if reading => match read {
                Ok(0) => break "closed by the ESME",
                Err(_) => break "read failed",
                Ok(_) => s.on_read(&framer, &mut inbuf),
            },
        }
    };
    tracing::debug!(session = s.id, %peer, reason = end, "session ended");
    s.finish();
}

struct Session {
    shared: Arc<Shared>,
    id: u64,
    counters: Arc<SessionCounters>,
    rng: SmallRng,
    bound: Option<Bound>,
    out: BytesMut,
    /// Responses waiting for their time.
    delayed: BinaryHeap<Reverse<Delayed>>,
    delayed_order: u64,
    /// `deliver_sm` waiting for room in the window, and those awaiting their response.
    queue: VecDeque<Outbound>,
    in_flight: HashMap<u32, Outbound>,
    next_sequence: u32,
    pdus_received: u64,
    /// Flush the output, then close.
    closing: bool,
    /// Close without flushing.
    close_now: bool,
    local: Local,
    /// Outstanding requests as last published, and the session's maximum.
    published_outstanding: u64,
    max_outstanding: u64,
    // Per read batch.
    batch_submits: u64,
    batch_wall: Option<SystemTime>,
    receipts: Vec<DlrJob>,
    recorded: Vec<ReceivedSubmit>,
}

/// A response held back by `response_delay`, earliest first.
struct Delayed {
    due: Instant,
    order: u64,
    pdu: Pdu,
}

impl PartialEq for Delayed {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Delayed {}
impl PartialOrd for Delayed {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Delayed {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.due, self.order).cmp(&(other.due, other.order))
    }
}

impl Session {
    fn new(guard: &SessionGuard) -> Self {
        Session {
            shared: guard.shared.clone(),
            id: guard.id,
            counters: guard.counters.clone(),
            rng: SmallRng::from_rng(&mut rand::rng()),
            bound: None,
            out: BytesMut::with_capacity(READ_CHUNK),
            delayed: BinaryHeap::new(),
            delayed_order: 0,
            queue: VecDeque::new(),
            in_flight: HashMap::new(),
            next_sequence: 1,
            pdus_received: 0,
            closing: false,
            close_now: false,
            local: Local::default(),
            published_outstanding: 0,
            max_outstanding: 0,
            batch_submits: 0,
            batch_wall: None,
            receipts: Vec::new(),
            recorded: Vec::new(),
        }
    }

    /// Answers every whole PDU read so far.
    fn on_read(&mut self, framer: &Framer, inbuf: &mut BytesMut) {
        let now = Instant::now();
        let faults = self.shared.faults();
        let record = self.shared.record.load(Relaxed);
        while !self.closing && !self.close_now {
            match framer.decode(inbuf) {
                Ok(Some(frame)) => self.on_frame(frame, now, &faults, record),
                Ok(None) => break,
                Err(e) => {
                    // §4.3: a stream that cannot be framed gets a generic_nack, then the
                    // connection is closed: nothing after it can be trusted.
                    tracing::debug!(session = self.id, error = %e, "framing error");
                    let sequence = e.sequence_number().unwrap_or(0);
                    self.header_only(CommandId::GENERIC_NACK, e.response_status(), sequence);
                    self.closing = true;
                    inbuf.clear();
                }
            }
        }
        self.send_due(Instant::now());
        self.shared.histogram.add(now, self.batch_submits);
        self.counters
            .submit_sm
            .fetch_add(self.batch_submits, Relaxed);
        self.batch_submits = 0;
        self.batch_wall = None;
        if !self.receipts.is_empty() {
            let _ = self.shared.dlr_tx.send(std::mem::take(&mut self.receipts));
        }
        if !self.recorded.is_empty() {
            lock(&self.shared.recorded).append(&mut self.recorded);
        }
        self.pump();
        self.publish();
    }

    fn on_frame(&mut self, frame: Bytes, now: Instant, faults: &Faults, record: bool) {
        self.pdus_received += 1;
        if faults
            .disconnect_after_pdus
            .is_some_and(|n| self.pdus_received >= n)
        {
            self.local.disconnects_injected += 1;
            self.close_now = true;
            return;
        }
        let Some(octets) = frame.first_chunk::<{ Header::LEN }>() else {
            return;
        };
        let header = Header::from_bytes(octets);
        match Pdu::decode(frame) {
            Ok(pdu) => self.on_pdu(pdu, now, faults, record),
            Err(e) => self.on_bad_pdu(header, &e),
        }
        if faults.garbage_after_pdus == Some(self.pdus_received) {
            self.out.put_slice(GARBAGE);
            self.local.garbage_sent += 1;
        }
    }

    fn on_bad_pdu(&mut self, header: Header, e: &smppd_codec::Error) {
        tracing::debug!(session = self.id, error = %e, "undecodable PDU");
        let id = header.command_id;
        if id == CommandId::DELIVER_SM_RESP || id == CommandId::GENERIC_NACK {
            // Still frees the window slot of the deliver_sm it answers.
            self.on_deliver_resp(header.sequence_number, header.command_status);
        } else if id.is_response() {
            // Not ours to answer.
        } else if id.name().is_none() {
            self.header_only(
                CommandId::GENERIC_NACK,
                CommandStatus::ESME_RINVCMDID,
                header.sequence_number,
            );
        } else {
            // §5.1.3: a malformed request of a known command gets its own response, with the
            // error status and no body.
            self.header_only(id.response(), e.response_status(), header.sequence_number);
        }
    }

    fn on_pdu(&mut self, pdu: Pdu, now: Instant, faults: &Faults, record: bool) {
        let seq = pdu.sequence_number;
        match &pdu.body {
            Body::BindTransmitter(b) => self.on_bind(BindKind::Transmitter, seq, b, faults),
            Body::BindReceiver(b) => self.on_bind(BindKind::Receiver, seq, b, faults),
            Body::BindTransceiver(b) => self.on_bind(BindKind::Transceiver, seq, b, faults),
            Body::SubmitSm(_) => self.on_submit(pdu, now, faults, record),
            Body::EnquireLink => {
                // Answered in any state, bound or not.
                self.local.enquire_links += 1;
                self.answer(Pdu::new(seq, Body::EnquireLinkResp), now, faults);
            }
            Body::Unbind => {
                self.local.unbinds += 1;
                if self.bound.is_none() {
                    self.header_only(CommandId::UNBIND_RESP, CommandStatus::ESME_RINVBNDSTS, seq);
                    return;
                }
                // Whatever is still delayed goes out first: unbind_resp is the last word.
                while let Some(Reverse(d)) = self.delayed.pop() {
                    self.encode(&d.pdu);
                }
                self.encode(&Pdu::new(seq, Body::UnbindResp));
                self.closing = true;
            }
            Body::DataSm(_) => {
                self.local.data_sm += 1;
                if !self.may_submit(CommandId::DATA_SM, seq) {
                    return;
                }
                if self.drops(faults) {
                    return;
                }
                let id = self.shared.next_message_id();
                let resp = DataSmResp::new(self.shared.config.id_format.format(id));
                self.answer(Pdu::new(seq, Body::DataSmResp(resp)), now, faults);
            }
            Body::QuerySm(q) => {
                self.local.query_sm += 1;
                if !self.may_submit(CommandId::QUERY_SM, seq) {
                    return;
                }
                let known = q
                    .message_id
                    .to_str()
                    .and_then(|text| self.shared.config.id_format.parse(text))
                    .is_some_and(|id| self.shared.issued(id));
                let resp = if known {
                    // The simulator keeps no per-message state: an id it issued is en route.
                    let body = QuerySmResp {
                        message_id: Some(q.message_id.clone()),
                        message_state: MessageState::ENROUTE,
                        ..Default::default()
                    };
                    Pdu::new(seq, Body::QuerySmResp(body))
                } else {
                    Pdu::with_status(
                        seq,
                        CommandStatus::ESME_RQUERYFAIL,
                        Body::QuerySmResp(QuerySmResp::default()),
                    )
                };
                self.answer(resp, now, faults);
            }
            Body::CancelSm(_) | Body::ReplaceSm(_) | Body::SubmitMulti(_) => {
                self.local.other_requests += 1;
                if !self.may_submit(pdu.command_id(), seq) {
                    return;
                }
                let resp = match &pdu.body {
                    Body::CancelSm(_) => Body::CancelSmResp,
                    Body::ReplaceSm(_) => Body::ReplaceSmResp,
                    _ => {
                        let id = self.shared.next_message_id();
                        Body::SubmitMultiResp(SubmitMultiResp {
                            message_id: Some(self.shared.config.id_format.format(id).into()),
                            ..Default::default()
                        })
                    }
                };
                self.answer(Pdu::new(seq, resp), now, faults);
            }
            Body::DeliverSmResp(_) | Body::GenericNack => {
                self.on_deliver_resp(seq, pdu.command_status);
            }
            Body::EnquireLinkResp
            | Body::UnbindResp
            | Body::BindTransmitterResp(_)
            | Body::BindReceiverResp(_)
            | Body::BindTransceiverResp(_)
            | Body::SubmitSmResp(_)
            | Body::SubmitMultiResp(_)
            | Body::DataSmResp(_)
            | Body::QuerySmResp(_)
            | Body::CancelSmResp
            | Body::ReplaceSmResp => {
                // The simulator sends no such request: nothing to match.
            }
            Body::DeliverSm(_) | Body::Outbind(_) | Body::AlertNotification(_) => {
                // Only an SMSC sends these.
                self.header_only(CommandId::GENERIC_NACK, CommandStatus::ESME_RINVCMDID, seq);
            }
        }
    }

    fn on_bind(&mut self, kind: BindKind, seq: u32, bind: &Bind, faults: &Faults) {
        let status = self.check_bind(kind, bind, faults);
        let body = if status.is_ok() {
            let mut tlvs = Tlvs::builder();
            tlvs.u8(Tag::SC_INTERFACE_VERSION, 0x34);
            BindResp {
                system_id: Some(self.shared.config.system_id.clone().into()),
                tlvs: tlvs.build(),
            }
        } else {
            // Carrier practice: a refused bind is answered with a bare header.
            BindResp::default()
        };
        let body = match kind {
            BindKind::Transmitter => Body::BindTransmitterResp(body),
            BindKind::Receiver => Body::BindReceiverResp(body),
            BindKind::Transceiver => Body::BindTransceiverResp(body),
        };
        self.encode(&Pdu::with_status(seq, status, body));
        let system_id = String::from_utf8_lossy(&bind.system_id);
        if status.is_ok() {
            self.local.binds_accepted += 1;
            tracing::info!(session = self.id, %system_id, ?kind, "bound");
        } else {
            self.local.binds_refused += 1;
            tracing::info!(session = self.id, %system_id, ?kind, %status, "bind refused");
        }
    }

    fn check_bind(&mut self, kind: BindKind, bind: &Bind, faults: &Faults) -> CommandStatus {
        if self.bound.is_some() {
            return CommandStatus::ESME_RALYBND;
        }
        if faults.refuse_binds {
            return CommandStatus::ESME_RBINDFAIL;
        }
        let Some(system_id) = bind.system_id.to_str() else {
            return CommandStatus::ESME_RINVSYSID;
        };
        let accounts = &self.shared.config.accounts;
        if !accounts.is_empty() {
            match accounts.iter().find(|a| a.system_id == system_id) {
                None => return CommandStatus::ESME_RINVSYSID,
                Some(a) if a.password.as_bytes() != &bind.password[..] => {
                    return CommandStatus::ESME_RINVPASWD;
                }
                Some(_) => {}
            }
        }
        match self.shared.try_bind(self.id, system_id, kind) {
            Some(bound) => {
                self.bound = Some(bound);
                CommandStatus::ESME_ROK
            }
            None => CommandStatus::ESME_RALYBND,
        }
    }

    fn on_submit(&mut self, pdu: Pdu, now: Instant, faults: &Faults, record: bool) {
        self.local.submit_sm += 1;
        self.batch_submits += 1;
        let seq = pdu.sequence_number;
        let Body::SubmitSm(sm) = &pdu.body else {
            return;
        };
        let (status, id, dropped) = match &self.bound {
            Some(bound) if bound.kind.transmits() => {
                let throttled = faults.throttle.is_some_and(|limit| {
                    let second = now.saturating_duration_since(self.shared.start).as_secs();
                    !bound.window.try_acquire(second as u32, limit)
                });
                if throttled {
                    self.local.throttled += 1;
                    (CommandStatus::ESME_RTHROTTLED, None, self.drops(faults))
                } else {
                    let dropped = self.drops(faults);
                    (
                        CommandStatus::ESME_ROK,
                        Some(self.shared.next_message_id()),
                        dropped,
                    )
                }
            }
            // §2.3: submit_sm needs a transmitter or transceiver bind.
            _ => (CommandStatus::ESME_RINVBNDSTS, None, false),
        };
        let id_text = id.map(|n| self.shared.config.id_format.format(n));
        if let Some(id) = id
            && !dropped
        {
            self.receipt_for(sm, id, now, faults);
        }
        if !dropped {
            let resp = SubmitSmResp {
                message_id: id_text.clone().map(Into::into),
                tlvs: Tlvs::new(),
            };
            let resp = Pdu::with_status(seq, status, Body::SubmitSmResp(resp));
            if status == CommandStatus::ESME_RINVBNDSTS {
                self.encode(&resp);
            } else {
                self.answer(resp, now, faults);
            }
        }
        if record {
            let system_id = self
                .bound
                .as_ref()
                .map_or_else(|| Arc::from(""), |b| b.system_id.clone());
            self.recorded.push(ReceivedSubmit {
                session: self.id,
                system_id,
                at: now,
                pdu,
                message_id: id_text,
                status: (!dropped).then_some(status),
            });
        }
    }

    /// Makes the receipt for an accepted `submit_sm`, if one is asked for.
    fn receipt_for(&mut self, sm: &smppd_codec::SubmitSm, id: u64, now: Instant, faults: &Faults) {
        if sm.registered_delivery.0 & 0x03 == 0 {
            return;
        }
        let Some(bound) = &self.bound else {
            return;
        };
        let config = &faults.dlr;
        let state = config.mix.pick(&mut self.rng);
        if !dlr::wanted(sm.registered_delivery, state) {
            return;
        }
        let wall = *self.batch_wall.get_or_insert_with(SystemTime::now);
        let delay = if config.before_resp {
            Duration::ZERO
        } else {
            config.delay
        };
        let format = self.shared.config.id_format;
        let job = DlrJob {
            due: now + delay,
            system_id: bound.system_id.clone(),
            body: dlr::receipt(sm, id, format, config, state, wall, wall + delay),
        };
        if !config.before_resp {
            self.receipts.push(job);
        } else if bound.kind.receives() {
            // Ahead of the submit_sm_resp that follows, window or not.
            self.send_deliver(Outbound::Dlr(job));
        } else {
            let left = self.shared.dispatch_receipts(vec![job]);
            if !left.is_empty() {
                let _ = self.shared.dlr_tx.send(left);
            }
        }
    }

    /// Whether the session may submit; if not, answers `ESME_RINVBNDSTS`.
    fn may_submit(&mut self, request: CommandId, seq: u32) -> bool {
        if self.bound.as_ref().is_some_and(|b| b.kind.transmits()) {
            return true;
        }
        self.header_only(request.response(), CommandStatus::ESME_RINVBNDSTS, seq);
        false
    }

    /// Whether to leave this request unanswered (`drop_ratio`).
    fn drops(&mut self, faults: &Faults) -> bool {
        let dropped = faults.drop_ratio > 0.0 && self.rng.random::<f64>() < faults.drop_ratio;
        if dropped {
            self.local.dropped += 1;
        }
        dropped
    }

    /// Answers a request now or after `response_delay`.
    fn answer(&mut self, pdu: Pdu, now: Instant, faults: &Faults) {
        // This request is outstanding until its response is encoded, with every delayed one.
        self.max_outstanding = self.max_outstanding.max(self.delayed.len() as u64 + 1);
        if faults.response_delay.is_zero() {
            self.encode(&pdu);
            return;
        }
        let delay = faults.response_delay.sample(&mut self.rng);
        if delay.is_zero() {
            self.encode(&pdu);
            return;
        }
        self.delayed_order += 1;
        self.delayed.push(Reverse(Delayed {
            due: now + delay,
            order: self.delayed_order,
            pdu,
        }));
    }

    fn on_timer(&mut self) {
        self.send_due(Instant::now());
        self.publish();
    }

    /// Encodes the delayed responses whose time has come.
    fn send_due(&mut self, now: Instant) {
        while self.delayed.peek().is_some_and(|Reverse(d)| d.due <= now) {
            if let Some(Reverse(d)) = self.delayed.pop() {
                self.encode(&d.pdu);
            }
        }
    }

    fn encode(&mut self, pdu: &Pdu) {
        match pdu.encode(&mut self.out) {
            Ok(()) => self.local.responses_sent += 1,
            Err(e) => tracing::warn!(session = self.id, error = %e, "cannot encode a response"),
        }
    }

    /// A response without body (errors, `generic_nack`).
    fn header_only(&mut self, id: CommandId, status: CommandStatus, seq: u32) {
        self.out.reserve(Header::LEN);
        self.out.put_u32(Header::LEN as u32);
        self.out.put_u32(id.0);
        self.out.put_u32(status.0);
        self.out.put_u32(seq);
        self.local.responses_sent += 1;
        if id == CommandId::GENERIC_NACK {
            self.local.generic_nacks += 1;
        }
    }

    fn on_deliver_resp(&mut self, seq: u32, status: CommandStatus) {
        let Some(outbound) = self.in_flight.remove(&seq) else {
            return;
        };
        self.local.deliver_sm_resps += 1;
        if let Outbound::Mo(_, reply) = outbound {
            let _ = reply.send(status);
        }
    }

    fn on_command(&mut self, command: Command) {
        match command {
            Command::Deliver(outbound) => {
                if self.bound.as_ref().is_some_and(|b| b.kind.receives()) {
                    self.queue.extend(outbound);
                    self.pump();
                } else {
                    // Unbound since it was chosen: receipts go back, MO senders hear of it.
                    let receipts: Vec<_> = outbound
                        .into_iter()
                        .filter_map(Outbound::into_receipt)
                        .collect();
                    if !receipts.is_empty() {
                        let _ = self.shared.dlr_tx.send(receipts);
                    }
                }
            }
            Command::Garbage => {
                self.out.put_slice(GARBAGE);
                self.local.garbage_sent += 1;
            }
            Command::Disconnect => {
                self.local.disconnects_injected += 1;
                self.close_now = true;
            }
        }
        self.publish();
    }

    /// Sends queued `deliver_sm` while the window has room.
    fn pump(&mut self) {
        let window = self.shared.config.deliver_window.max(1);
        while self.in_flight.len() < window
            && !self.closing
            && let Some(outbound) = self.queue.pop_front()
        {
            self.send_deliver(outbound);
        }
    }

    fn send_deliver(&mut self, outbound: Outbound) {
        let seq = self.next_sequence;
        // §3.2: sequence numbers run 1..=0x7FFFFFFF and wrap.
        self.next_sequence = if seq >= 0x7FFF_FFFF { 1 } else { seq + 1 };
        let body = match &outbound {
            Outbound::Dlr(job) => {
                self.local.dlrs_sent += 1;
                job.body.clone()
            }
            Outbound::Mo(body, _) => {
                self.local.mos_sent += 1;
                body.clone()
            }
        };
        if let Err(e) = Pdu::new(seq, Body::DeliverSm(body)).encode(&mut self.out) {
            tracing::warn!(session = self.id, error = %e, "cannot encode a deliver_sm");
            return;
        }
        self.in_flight.insert(seq, outbound);
    }

    /// Adds this session's increments to the shared counters.
    fn publish(&mut self) {
        self.shared.counters.flush(&mut self.local);
        let outstanding = self.delayed.len() as u64;
        let c = &self.shared.counters;
        if outstanding != self.published_outstanding {
            if outstanding > self.published_outstanding {
                c.outstanding
                    .fetch_add(outstanding - self.published_outstanding, Relaxed);
            } else {
                c.outstanding
                    .fetch_sub(self.published_outstanding - outstanding, Relaxed);
            }
            self.counters.outstanding.store(outstanding, Relaxed);
            self.published_outstanding = outstanding;
        }
        if self.max_outstanding > self.counters.max_outstanding.load(Relaxed) {
            self.counters
                .max_outstanding
                .store(self.max_outstanding, Relaxed);
            c.max_outstanding.fetch_max(self.max_outstanding, Relaxed);
        }
    }

    /// On a normal end: receipts not yet acknowledged go back to the scheduler for another
    /// receiver session.
    fn finish(&mut self) {
        let receipts: Vec<DlrJob> = self
            .in_flight
            .drain()
            .map(|(_, o)| o)
            .chain(self.queue.drain(..))
            .filter_map(Outbound::into_receipt)
            .map(|mut job| {
                job.due = Instant::now();
                job
            })
            .collect();
        if !receipts.is_empty() {
            let _ = self.shared.dlr_tx.send(receipts);
        }
        self.publish();
    }
}
