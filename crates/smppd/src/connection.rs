//! The tokio side of a session: one task per configured session slot connects (TCP or TLS),
//! drives a [`Session`] with bytes and timers, pulls work from its [`Link`], and reconnects
//! with exponential backoff and jitter when the connection ends. Protocol decisions are the
//! session's; this file only moves bytes, time and jobs.

use crate::link::{Job, Link, Recorded, Take, Unrecorded};
use crate::session::{CloseReason, Event, Session, SessionConfig, State};
use crate::tls::Tls;
use bytes::BytesMut;
use rand::Rng;
use smppd_codec::{COctetString, CommandStatus, DataSm, DeliverSm, Framer, Pdu};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until, timeout};
use tokio_util::sync::CancellationToken;

/// A message the SMSC delivered, to be stored and then acknowledged with [`Reply::ack`].
#[derive(Debug)]
pub struct Inbound {
    /// The link it came in on.
    pub link: Arc<str>,
    /// The message (or receipt).
    pub message: InboundMessage,
    /// Answers the SMSC once the message is safe.
    pub reply: Reply,
}

/// The PDU an inbound message came in.
#[derive(Debug)]
pub enum InboundMessage {
    /// deliver_sm: a mobile-originated message or a delivery receipt.
    Deliver(DeliverSm),
    /// data_sm.
    Data(DataSm),
}

/// The way back to the session for a deliver_sm_resp / data_sm_resp.
#[derive(Debug)]
pub struct Reply {
    commands: mpsc::UnboundedSender<Command>,
    sequence_number: u32,
    data_sm: bool,
}

impl Reply {
    /// Sends the response with `status` (`ESME_ROK` once stored; `ESME_RX_T_APPN` asks the
    /// SMSC to try again later). If the session is gone, the SMSC will deliver it again.
    pub fn ack(self, status: CommandStatus) {
        let command = Command::Respond {
            sequence_number: self.sequence_number,
            status,
            data_sm: self.data_sm,
        };
        // A closed session cannot answer; the SMSC redelivers what went unanswered.
        let _ = self.commands.send(command);
    }
}

#[derive(Debug)]
enum Command {
    Respond {
        sequence_number: u32,
        status: CommandStatus,
        data_sm: bool,
    },
}

/// Everything a session slot needs besides its link.
#[derive(Debug, Clone)]
pub struct SlotContext {
    /// Inbound messages go here.
    pub inbound: mpsc::Sender<Inbound>,
    /// Cancelled on shutdown: stop taking work, drain, unbind.
    pub shutdown: CancellationToken,
    /// How long draining may take before unbinding anyway.
    pub shutdown_timeout: Duration,
    /// TLS, when the link uses it.
    pub tls: Option<Tls>,
    /// Largest PDU accepted from the SMSC.
    pub max_pdu: usize,
}

/// How one connection ended.
#[derive(Debug)]
enum End {
    /// The session closed for this reason; `bound` says whether it ever got bound.
    Closed { reason: CloseReason, bound: bool },
    /// Connecting (TCP or TLS) failed.
    Connect(String),
}

/// Runs one session slot of `link` until shutdown: connect, bind, work, and reconnect.
pub async fn run_slot(link: Arc<Link>, slot: usize, ctx: SlotContext) {
    let cfg = link.config.clone();
    let mut failures: u32 = 0;
    let mut credentials_reported = false;
    let mut attempt = 0u64;
    while !ctx.shutdown.is_cancelled() {
        if attempt > 0 {
            link.metrics.reconnects.increment(1);
        }
        attempt += 1;
        let end = connect_and_drive(&link, &ctx).await;
        if ctx.shutdown.is_cancelled() {
            break;
        }
        let delay = match &end {
            End::Closed {
                reason: CloseReason::BindRefused(status),
                ..
            } if is_credentials_error(*status) => {
                // Reported once, clearly; retried slowly in case the carrier fixes it.
                if !credentials_reported {
                    tracing::error!(
                        link = %link.name, slot, %status,
                        "bind refused: check system_id and password for this link; retrying every {:?}",
                        cfg.reconnect_max
                    );
                    credentials_reported = true;
                }
                cfg.reconnect_max
            }
            End::Closed { reason, bound } => {
                if *bound {
                    failures = 0;
                    credentials_reported = false;
                }
                failures = failures.saturating_add(1);
                let delay = backoff(cfg.reconnect_min, cfg.reconnect_max, failures);
                tracing::warn!(link = %link.name, slot, ?reason, ?delay, "session closed; reconnecting");
                delay
            }
            End::Connect(error) => {
                failures = failures.saturating_add(1);
                let delay = backoff(cfg.reconnect_min, cfg.reconnect_max, failures);
                tracing::warn!(link = %link.name, slot, %error, ?delay, "connect failed; retrying");
                delay
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = ctx.shutdown.cancelled() => break,
        }
    }
}

fn is_credentials_error(status: CommandStatus) -> bool {
    matches!(
        status,
        CommandStatus::ESME_RINVPASWD
            | CommandStatus::ESME_RINVSYSID
            | CommandStatus::ESME_RBINDFAIL
    )
}

/// Exponential backoff with jitter: the n-th consecutive failure waits a random time between
/// half and all of `min * 2^(n-1)`, capped at `max`, so that many sessions do not reconnect in
/// step (no reconnect storms).
pub fn backoff(min: Duration, max: Duration, failures: u32) -> Duration {
    let exp = failures.saturating_sub(1).min(20);
    let ceiling = min.saturating_mul(1 << exp).min(max);
    let half = ceiling / 2;
    half + rand::rng().random_range(Duration::ZERO..=half)
}

async fn connect_and_drive(link: &Arc<Link>, ctx: &SlotContext) -> End {
    let cfg = &link.config;
    let connect = timeout(
        cfg.response_timeout,
        TcpStream::connect(cfg.address.as_str()),
    );
    let tcp = match connect.await {
        Ok(Ok(tcp)) => tcp,
        Ok(Err(e)) => return End::Connect(format!("{}: {e}", cfg.address)),
        Err(_) => return End::Connect(format!("{}: connect timed out", cfg.address)),
    };
    // Small PDUs both ways: do not let Nagle hold them back.
    let _ = tcp.set_nodelay(true);
    match &ctx.tls {
        None => drive(tcp, link, ctx).await,
        Some(tls) => {
            let handshake = timeout(
                cfg.response_timeout,
                tls.connector.connect(tls.server_name.clone(), tcp),
            );
            match handshake.await {
                Ok(Ok(stream)) => drive(stream, link, ctx).await,
                Ok(Err(e)) => End::Connect(format!("{}: TLS handshake: {e}", cfg.address)),
                Err(_) => End::Connect(format!("{}: TLS handshake timed out", cfg.address)),
            }
        }
    }
}

fn session_config(link: &Link) -> SessionConfig {
    let cfg = &link.config;
    SessionConfig {
        bind: cfg.bind,
        system_id: COctetString::from(cfg.system_id.clone()),
        password: COctetString::from(cfg.password.expose().to_owned()),
        system_type: COctetString::from(cfg.system_type.clone()),
        window: cfg.window as usize,
        enquire_link_interval: cfg.enquire_link_interval,
        response_timeout: cfg.response_timeout,
    }
}

/// Drives one connected stream until its session closes.
async fn drive<S>(stream: S, link: &Arc<Link>, ctx: &SlotContext) -> End
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut rd, mut wr) = tokio::io::split(stream);
    let mut session: Session<Job> = Session::new(session_config(link), Instant::now().into_std());
    let (commands_tx, mut commands) = mpsc::unbounded_channel();
    let mut work = link.subscribe();
    let framer = Framer::new(ctx.max_pdu);
    let mut rbuf = BytesMut::with_capacity(64 * 1024);
    let mut wbuf = BytesMut::with_capacity(64 * 1024);
    let mut bound = false;
    let mut paced_until: Option<Instant> = None;
    let mut drain_deadline: Option<Instant> = None;
    let unrecorded = Arc::new(Unrecorded::default());

    let reason = loop {
        let now = Instant::now();
        let std_now = now.into_std();

        // Once shutdown starts, take no new work; unbind when drained or out of time.
        if drain_deadline.is_none() && ctx.shutdown.is_cancelled() {
            drain_deadline = Some(now + ctx.shutdown_timeout);
        }
        if let Some(deadline) = drain_deadline
            && session.state() == State::Bound
            && (session.outstanding() == 0 || now >= deadline)
        {
            session.unbind(std_now);
        }

        // Act on the session's events.
        let mut closed = None;
        while let Some(event) = session.poll_event() {
            match event {
                Event::Bound { system_id } => {
                    bound = true;
                    if link.config.bind.can_submit() {
                        link.session_up();
                    }
                    tracing::info!(link = %link.name, smsc = %system_id, "bound");
                }
                Event::Accepted { token, message_id } => {
                    let recorded = Recorded::new(&unrecorded);
                    link.accepted(token, message_id, recorded, std_now).await;
                }
                Event::Refused { token, status } => link.refused(token, status, std_now).await,
                Event::Unanswered { token } => link.unanswered(token).await,
                Event::Deliver {
                    sequence_number,
                    sm,
                } => {
                    deliver(
                        link,
                        ctx,
                        &commands_tx,
                        sequence_number,
                        InboundMessage::Deliver(sm),
                    )
                    .await;
                }
                Event::DataSm {
                    sequence_number,
                    sm,
                } => {
                    deliver(
                        link,
                        ctx,
                        &commands_tx,
                        sequence_number,
                        InboundMessage::Data(sm),
                    )
                    .await;
                }
                Event::Alert(alert) => {
                    tracing::info!(link = %link.name, source = %alert.source_addr, "alert_notification");
                }
                Event::Stray {
                    command_id,
                    sequence_number,
                } => {
                    tracing::debug!(link = %link.name, %command_id, sequence_number, "response to no outstanding request");
                }
                Event::PeerError(error) => {
                    tracing::warn!(link = %link.name, %error, "malformed PDU from the SMSC");
                }
                Event::Closed(reason) => closed = Some(reason),
            }
        }
        // Work is pulled only after the events: an acceptance must count against the window
        // (as unrecorded) before its slot is reused.
        // Pull work while the window and the link's pace allow.
        if drain_deadline.is_none() && paced_until.is_none_or(|t| t <= now) {
            paced_until = None;
            session.set_window(link.window());
            work.borrow_and_update();
            while session.can_submit()
                && session.outstanding() + unrecorded.count() < session.window()
            {
                match link.take(std_now) {
                    Take::Job(job) => {
                        let sm = job.sm.clone();
                        if let Err((_, job)) = session.submit(sm, job, std_now) {
                            link.requeue(job);
                            break;
                        }
                    }
                    Take::Until(t) => {
                        paced_until = Some(Instant::from_std(t));
                        break;
                    }
                    Take::Empty => break,
                    Take::Expired(job) => link.expired(job).await,
                }
            }
        }

        // Encode everything the session wants to send into one write.
        while let Some(pdu) = session.poll_transmit() {
            if let Err(e) = pdu.encode(&mut wbuf) {
                tracing::error!(link = %link.name, error = %e, "PDU not encodable; dropped from the wire");
            }
        }

        if let Some(reason) = closed {
            // Flush what the session said last (an unbind_resp, a generic_nack).
            let _ = timeout(Duration::from_secs(1), wr.write_all(&wbuf)).await;
            let _ = timeout(Duration::from_secs(1), wr.shutdown()).await;
            break reason;
        }
        // Events may have produced PDUs (deliver responses come later, via commands).
        if session.poll_timeout().is_none() && session.state() == State::Closed {
            break CloseReason::ConnectionLost;
        }

        let deadline = session.poll_timeout().map(Instant::from_std);
        let room = session.outstanding() + unrecorded.count() < session.window();
        let want_work =
            drain_deadline.is_none() && paced_until.is_none() && session.can_submit() && room;
        let awaiting_records = session.can_submit() && !room && unrecorded.count() > 0;
        tokio::select! {
            read = rd.read_buf(&mut rbuf) => match read {
                Ok(0) | Err(_) => session.connection_lost(),
                Ok(_) => {
                    let now = Instant::now().into_std();
                    loop {
                        match framer.decode(&mut rbuf) {
                            Ok(Some(frame)) => match Pdu::decode(frame) {
                                Ok(pdu) => session.handle_pdu(pdu, now),
                                Err(e) => session.handle_error(&e, now),
                            },
                            Ok(None) => break,
                            Err(e) => {
                                session.handle_error(&e, now);
                                break;
                            }
                        }
                    }
                }
            },
            written = wr.write_buf(&mut wbuf), if !wbuf.is_empty() => {
                if written.is_err() {
                    session.connection_lost();
                }
            }
            _ = sleep_until(deadline.unwrap_or(now)), if deadline.is_some() => {
                session.handle_timeout(Instant::now().into_std());
            }
            _ = sleep_until(paced_until.unwrap_or(now)), if paced_until.is_some() => {
                paced_until = None;
            }
            changed = work.changed(), if want_work => {
                if changed.is_err() {
                    session.connection_lost();
                }
            }
            _ = unrecorded.recorded(), if awaiting_records => {}
            Some(command) = commands.recv() => match command {
                Command::Respond { sequence_number, status, data_sm: false } => {
                    session.respond_deliver(sequence_number, status);
                }
                Command::Respond { sequence_number, status, data_sm: true } => {
                    session.respond_data_sm(sequence_number, status);
                }
            },
            _ = ctx.shutdown.cancelled(), if drain_deadline.is_none() => {}
            _ = sleep_until(drain_deadline.unwrap_or(now)), if drain_deadline.is_some() && session.state() == State::Bound => {}
        }
    };
    if bound && link.config.bind.can_submit() {
        link.session_down();
    }
    End::Closed { reason, bound }
}

async fn deliver(
    link: &Arc<Link>,
    ctx: &SlotContext,
    commands: &mpsc::UnboundedSender<Command>,
    sequence_number: u32,
    message: InboundMessage,
) {
    let data_sm = matches!(message, InboundMessage::Data(_));
    let receipt = matches!(&message, InboundMessage::Deliver(sm) if sm.esm_class.is_receipt());
    if receipt {
        link.metrics.inbound_receipt.increment(1);
    } else {
        link.metrics.inbound_mo.increment(1);
    }
    let reply = Reply {
        commands: commands.clone(),
        sequence_number,
        data_sm,
    };
    let inbound = Inbound {
        link: link.name.clone(),
        message,
        reply,
    };
    if let Err(mpsc::error::SendError(inbound)) = ctx.inbound.send(inbound).await {
        // Nobody to store it: ask the SMSC to deliver it again later.
        inbound.reply.ack(CommandStatus::ESME_RX_T_APPN);
    }
}
