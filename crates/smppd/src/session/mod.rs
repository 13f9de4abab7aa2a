//! One SMPP session seen from the ESME: bind, window, sequence numbers, `enquire_link`,
//! response deadlines, `unbind`, as a plain state machine with no IO and no clock.
//!
//! The driver (`crate::connection`) feeds it decoded PDUs ([`Session::handle_pdu`]), decode
//! errors ([`Session::handle_error`]) and the time ([`Session::handle_timeout`] at
//! [`Session::poll_timeout`]); it takes back PDUs to write ([`Session::poll_transmit`]) and
//! events for the link ([`Session::poll_event`]). Every method takes `now`, so tests run the
//! whole protocol on a virtual clock.

mod sequence;
#[cfg(test)]
mod tests;

pub use sequence::{MAX_SEQUENCE, Sequence};

use crate::config::BindType;
use smppd_codec::{
    AlertNotification, Bind, Body, COctetString, CommandId, CommandStatus, DataSm, DeliverSm,
    Error as CodecError, Npi, Pdu, SubmitSm, SubmitSmResp, Tlvs, Ton,
};
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// What a session needs to know of its link.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Which bind to ask for.
    pub bind: BindType,
    /// Bind credential.
    pub system_id: COctetString,
    /// Bind credential.
    pub password: COctetString,
    /// ESME category; usually empty.
    pub system_type: COctetString,
    /// Requests awaiting a response, at most.
    pub window: usize,
    /// Idle time after which an `enquire_link` is sent.
    pub enquire_link_interval: Duration,
    /// How long a request may wait for its response.
    pub response_timeout: Duration,
}

/// Where the session is in its life (§2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// The bind request is out; nothing else may be sent.
    Binding,
    /// Bound: requests flow both ways.
    Bound,
    /// Our `unbind` is out; no new requests.
    Unbinding,
    /// Over: the driver closes the connection.
    Closed,
}

/// Why a session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// The SMSC refused the bind with this status.
    BindRefused(CommandStatus),
    /// Our unbind was answered (or timed out): a clean end.
    Unbound,
    /// The SMSC sent `unbind`.
    PeerUnbound,
    /// An `enquire_link` (or the bind) went unanswered: the connection is dead or half-open.
    Unresponsive(CommandId),
    /// The byte stream could not be framed any further.
    Framing(String),
    /// The connection was closed or failed under the session.
    ConnectionLost,
}

/// What a session tells its link.
#[derive(Debug)]
pub enum Event<T> {
    /// The bind succeeded; the SMSC calls itself `system_id`.
    Bound {
        /// The SMSC's system_id from the bind response.
        system_id: COctetString,
    },
    /// A `submit_sm` was accepted.
    Accepted {
        /// The submission's token.
        token: T,
        /// The SMSC's id for it (possibly empty: carriers do that).
        message_id: COctetString,
    },
    /// A `submit_sm` was refused with this status (from its response or a `generic_nack`).
    Refused {
        /// The submission's token.
        token: T,
        /// The status; see [`CommandStatus::is_transient`].
        status: CommandStatus,
    },
    /// A `submit_sm` got no answer: its response deadline passed, or the session closed while
    /// it was out. Whether the SMSC has it is unknown; the link sends it again.
    Unanswered {
        /// The submission's token.
        token: T,
    },
    /// A `deliver_sm` (message or receipt): answer it with [`Session::respond_deliver`] once it
    /// is safely stored.
    Deliver {
        /// Sequence number to answer on.
        sequence_number: u32,
        /// The message.
        sm: DeliverSm,
    },
    /// A `data_sm` from the SMSC: answer with [`Session::respond_data_sm`].
    DataSm {
        /// Sequence number to answer on.
        sequence_number: u32,
        /// The message.
        sm: DataSm,
    },
    /// An `alert_notification` (no answer is due).
    Alert(AlertNotification),
    /// A response that matched no outstanding request (late after its timeout, or bogus).
    Stray {
        /// Its command id.
        command_id: CommandId,
        /// Its sequence number.
        sequence_number: u32,
    },
    /// The SMSC sent something malformed that the session answered with an error.
    PeerError(String),
    /// The session is over: close the connection.
    Closed(CloseReason),
}

#[derive(Debug)]
enum Request<T> {
    Bind,
    EnquireLink,
    Unbind,
    Submit(T),
}

#[derive(Debug)]
struct Pending<T> {
    request: Request<T>,
}

/// The ESME side of one SMPP session. `T` identifies a submission to the link (a message and
/// segment, say); the session hands it back in the submission's outcome.
#[derive(Debug)]
pub struct Session<T> {
    config: SessionConfig,
    state: State,
    window: usize,
    sequence: Sequence,
    pending: HashMap<u32, Pending<T>>,
    /// Sequence numbers in sending order, hence in deadline order; answered ones are skipped
    /// lazily.
    deadlines: VecDeque<(Instant, u32)>,
    last_received: Instant,
    enquire_link_out: bool,
    transmit: VecDeque<Pdu>,
    events: VecDeque<Event<T>>,
}

impl<T> Session<T> {
    /// A new session on a fresh connection: the bind request is queued at once.
    pub fn new(config: SessionConfig, now: Instant) -> Self {
        let mut session = Session {
            window: config.window.max(1),
            config,
            state: State::Binding,
            sequence: Sequence::default(),
            pending: HashMap::new(),
            deadlines: VecDeque::new(),
            last_received: now,
            enquire_link_out: false,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
        };
        let bind = Bind {
            system_id: session.config.system_id.clone(),
            password: session.config.password.clone(),
            system_type: session.config.system_type.clone(),
            interface_version: 0x34,
            addr_ton: Ton::UNKNOWN,
            addr_npi: Npi::UNKNOWN,
            address_range: COctetString::new(),
            tlvs: Tlvs::new(),
        };
        let body = match session.config.bind {
            BindType::Transmitter => Body::BindTransmitter(bind),
            BindType::Receiver => Body::BindReceiver(bind),
            BindType::Transceiver => Body::BindTransceiver(bind),
        };
        session.send_request(body, Request::Bind, now);
        session
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Requests sent and not yet answered, of every kind.
    pub fn outstanding(&self) -> usize {
        self.pending.len()
    }

    /// The effective window.
    pub fn window(&self) -> usize {
        self.window
    }

    /// Narrows or widens the effective window (the link's reaction to throttling), between 1
    /// and the configured window.
    pub fn set_window(&mut self, window: usize) {
        self.window = window.clamp(1, self.config.window.max(1));
    }

    /// Whether a `submit_sm` may be sent now: bound for transmitting, with a free window slot.
    pub fn can_submit(&self) -> bool {
        self.state == State::Bound
            && self.config.bind.can_submit()
            && self.pending.len() < self.window
    }

    /// Sends a `submit_sm`; returns its sequence number. When [`Session::can_submit`] is false
    /// the submission is handed back untouched.
    #[allow(
        clippy::result_large_err,
        reason = "the submission is handed back by value; boxing would allocate per message"
    )]
    pub fn submit(&mut self, sm: SubmitSm, token: T, now: Instant) -> Result<u32, (SubmitSm, T)> {
        if !self.can_submit() {
            return Err((sm, token));
        }
        Ok(self.send_request(Body::SubmitSm(sm), Request::Submit(token), now))
    }

    /// Starts a clean end: `unbind` goes out (§4.2.1) and no further requests. Outstanding
    /// responses are still taken until the unbind is answered.
    pub fn unbind(&mut self, now: Instant) {
        match self.state {
            State::Bound => {
                self.state = State::Unbinding;
                self.send_request(Body::Unbind, Request::Unbind, now);
            }
            // Nothing to unbind from yet: just stop.
            State::Binding => self.close(CloseReason::Unbound),
            State::Unbinding | State::Closed => {}
        }
    }

    /// Answers a `deliver_sm` delivered as [`Event::Deliver`].
    pub fn respond_deliver(&mut self, sequence_number: u32, status: CommandStatus) {
        if self.state == State::Closed {
            return;
        }
        self.transmit.push_back(Pdu::with_status(
            sequence_number,
            status,
            Body::DeliverSmResp(SubmitSmResp::new(COctetString::new())),
        ));
    }

    /// Answers a `data_sm` delivered as [`Event::DataSm`].
    pub fn respond_data_sm(&mut self, sequence_number: u32, status: CommandStatus) {
        if self.state == State::Closed {
            return;
        }
        self.transmit.push_back(Pdu::with_status(
            sequence_number,
            status,
            Body::DataSmResp(SubmitSmResp::new(COctetString::new())),
        ));
    }

    /// The next PDU to write, in order.
    pub fn poll_transmit(&mut self) -> Option<Pdu> {
        self.transmit.pop_front()
    }

    /// The next event for the link.
    pub fn poll_event(&mut self) -> Option<Event<T>> {
        self.events.pop_front()
    }

    /// When [`Session::handle_timeout`] must next be called, if ever.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.state == State::Closed {
            return None;
        }
        // Answered entries are trimmed off the front as responses arrive.
        let response = self.deadlines.front().map(|(deadline, _)| *deadline);
        let keepalive = (self.state == State::Bound && !self.enquire_link_out)
            .then(|| self.last_received + self.config.enquire_link_interval);
        match (response, keepalive) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Acts on the deadlines that have passed by `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(&(deadline, seq)) = self.deadlines.front() {
            if deadline > now {
                break;
            }
            self.deadlines.pop_front();
            let Some(pending) = self.pending.remove(&seq) else {
                continue;
            };
            match pending.request {
                Request::Submit(token) => self.events.push_back(Event::Unanswered { token }),
                // An unanswered bind or enquire_link means the peer is gone or half-open.
                Request::Bind => {
                    let bind = match self.config.bind {
                        BindType::Transmitter => CommandId::BIND_TRANSMITTER,
                        BindType::Receiver => CommandId::BIND_RECEIVER,
                        BindType::Transceiver => CommandId::BIND_TRANSCEIVER,
                    };
                    return self.close(CloseReason::Unresponsive(bind));
                }
                Request::EnquireLink => {
                    return self.close(CloseReason::Unresponsive(CommandId::ENQUIRE_LINK));
                }
                Request::Unbind => return self.close(CloseReason::Unbound),
            }
        }
        // §4.11: enquire_link checks an idle link. It takes a window slot like any request;
        // when the window is full, the submits' own deadlines test the link instead.
        if self.state == State::Bound
            && !self.enquire_link_out
            && now >= self.last_received + self.config.enquire_link_interval
            && self.pending.len() < self.window
        {
            self.enquire_link_out = true;
            self.send_request(Body::EnquireLink, Request::EnquireLink, now);
        }
    }

    /// Takes one PDU received from the SMSC.
    pub fn handle_pdu(&mut self, pdu: Pdu, now: Instant) {
        if self.state == State::Closed {
            return;
        }
        self.last_received = now;
        let seq = pdu.sequence_number;
        if pdu.command_id().is_response() {
            return self.handle_response(pdu);
        }
        match pdu.body {
            // §4.11.1: answer at once, in any state.
            Body::EnquireLink => self.respond(seq, CommandStatus::ESME_ROK, Body::EnquireLinkResp),
            // §4.2.1: the peer ends the session; answer, then close.
            Body::Unbind => {
                self.respond(seq, CommandStatus::ESME_ROK, Body::UnbindResp);
                self.close(CloseReason::PeerUnbound);
            }
            Body::DeliverSm(sm) if self.state == State::Bound => {
                self.events.push_back(Event::Deliver {
                    sequence_number: seq,
                    sm,
                });
            }
            Body::DataSm(sm) if self.state == State::Bound => {
                self.events.push_back(Event::DataSm {
                    sequence_number: seq,
                    sm,
                });
            }
            // §2.3: messages before the bind completes get ESME_RINVBNDSTS.
            Body::DeliverSm(_) => self.respond(
                seq,
                CommandStatus::ESME_RINVBNDSTS,
                Body::DeliverSmResp(SubmitSmResp::default()),
            ),
            Body::DataSm(_) => self.respond(
                seq,
                CommandStatus::ESME_RINVBNDSTS,
                Body::DataSmResp(SubmitSmResp::default()),
            ),
            // No response is defined for these (§4.12, §4.1.7).
            Body::AlertNotification(alert) => self.events.push_back(Event::Alert(alert)),
            Body::Outbind(_) => {}
            // An SMSC has no business sending an ESME these requests.
            other => {
                self.events.push_back(Event::PeerError(format!(
                    "unexpected {} from the SMSC",
                    other.command_id()
                )));
                self.respond(seq, CommandStatus::ESME_RINVCMDID, Body::GenericNack);
            }
        }
    }

    /// Takes a PDU that failed to decode: answers it as §5.1.3 says, and closes the session if
    /// the stream cannot be framed any further.
    pub fn handle_error(&mut self, error: &CodecError, now: Instant) {
        if self.state == State::Closed {
            return;
        }
        self.last_received = now;
        let header = error.header().copied();
        let seq = header.map_or(0, |h| h.sequence_number);
        let command_id = header.map_or(CommandId(0), |h| h.command_id);
        self.events.push_back(Event::PeerError(error.to_string()));
        if error.is_framing() {
            self.respond(seq, error.response_status(), Body::GenericNack);
            return self.close(CloseReason::Framing(error.to_string()));
        }
        if command_id.is_response() {
            // A malformed response still answers its request: its status is in the header.
            if let Some(header) = header {
                let status = header.command_status;
                let pdu = match command_id {
                    CommandId::SUBMIT_SM_RESP => Body::SubmitSmResp(SubmitSmResp::default()),
                    _ => Body::GenericNack,
                };
                self.handle_response(Pdu::with_status(seq, status, pdu));
            }
            return;
        }
        // A malformed request gets its own response with the error, where one exists.
        let body = match command_id {
            CommandId::DELIVER_SM => Body::DeliverSmResp(SubmitSmResp::default()),
            CommandId::DATA_SM => Body::DataSmResp(SubmitSmResp::default()),
            CommandId::ENQUIRE_LINK => Body::EnquireLinkResp,
            CommandId::UNBIND => Body::UnbindResp,
            _ => Body::GenericNack,
        };
        self.respond(seq, error.response_status(), body);
    }

    fn handle_response(&mut self, pdu: Pdu) {
        let seq = pdu.sequence_number;
        let command_id = pdu.command_id();
        let Some(pending) = self.pending.remove(&seq) else {
            self.events.push_back(Event::Stray {
                command_id,
                sequence_number: seq,
            });
            return;
        };
        self.trim_deadlines();
        let status = pdu.command_status;
        match pending.request {
            Request::Submit(token) => {
                let event = match pdu.body {
                    Body::SubmitSmResp(resp) if status.is_ok() => Event::Accepted {
                        token,
                        message_id: resp.message_id.unwrap_or_default(),
                    },
                    // A generic_nack or an error response: the status says why.
                    _ if !status.is_ok() => Event::Refused { token, status },
                    // Status 0 on something that is not a submit_sm_resp: treat as a protocol
                    // error, not as an acceptance.
                    _ => Event::Refused {
                        token,
                        status: CommandStatus::ESME_RSYSERR,
                    },
                };
                self.events.push_back(event);
            }
            Request::Bind => {
                let system_id = match pdu.body {
                    Body::BindTransmitterResp(r)
                    | Body::BindReceiverResp(r)
                    | Body::BindTransceiverResp(r) => r.system_id.unwrap_or_default(),
                    _ => COctetString::new(),
                };
                if status.is_ok() {
                    self.state = State::Bound;
                    self.events.push_back(Event::Bound { system_id });
                } else {
                    self.close(CloseReason::BindRefused(status));
                }
            }
            Request::EnquireLink => self.enquire_link_out = false,
            Request::Unbind => self.close(CloseReason::Unbound),
        }
    }

    fn send_request(&mut self, body: Body, request: Request<T>, now: Instant) -> u32 {
        // Skip numbers still in use: only possible after 2^31 requests with one stuck.
        let mut seq = self.sequence.next_number();
        while self.pending.contains_key(&seq) {
            seq = self.sequence.next_number();
        }
        let deadline = now + self.config.response_timeout;
        self.pending.insert(seq, Pending { request });
        self.deadlines.push_back((deadline, seq));
        self.transmit.push_back(Pdu::new(seq, body));
        seq
    }

    /// Drops answered requests off the front of the deadline queue.
    fn trim_deadlines(&mut self) {
        while let Some((_, seq)) = self.deadlines.front() {
            if self.pending.contains_key(seq) {
                break;
            }
            self.deadlines.pop_front();
        }
    }

    fn respond(&mut self, seq: u32, status: CommandStatus, body: Body) {
        self.transmit.push_back(Pdu::with_status(seq, status, body));
    }

    /// Ends the session: every submission still out is reported unanswered, then `Closed`.
    fn close(&mut self, reason: CloseReason) {
        self.state = State::Closed;
        // In sending order, so that the link can requeue them in their original order.
        for (_, seq) in std::mem::take(&mut self.deadlines) {
            if let Some(Pending {
                request: Request::Submit(token),
            }) = self.pending.remove(&seq)
            {
                self.events.push_back(Event::Unanswered { token });
            }
        }
        self.pending.clear();
        self.events.push_back(Event::Closed(reason));
    }

    /// Ends the session because the connection is gone (read EOF or error).
    pub fn connection_lost(&mut self) {
        if self.state != State::Closed {
            self.close(CloseReason::ConnectionLost);
        }
    }
}
