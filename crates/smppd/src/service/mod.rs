//! The message service: what happens to a submission between the socket and the links
//! (consent, routing, encoding, durable storage, queueing), to a submission's outcome (stored),
//! and to what a link receives (receipts correlated, inbound messages reassembled, consent
//! keywords honoured, stored before the SMSC gets its answer).

mod handler;
pub mod outbound;

pub use handler::Shared;

mod inbox;

use crate::address;
use crate::api::protocol::{ApiError, ErrorCode};
use crate::config::{Concat, ConsentConfig, LinkConfig, NationalTable};
use crate::connection::{Inbound, InboundMessage};
use crate::consent::{Keyword, Keywords};
use crate::db::{
    Earlier, Inserted, MoPart, NewInbound, NewMessage, NewReceipt, SegmentOutcome, Store,
    StoreError,
};
use crate::dlr;
use crate::link::{Link, Outcome, SegmentId, Timing};
use crate::route::{RouteError, Router};
use bytes::BytesMut;
use smppd_codec::{Body, CommandStatus, Pdu, SubmitSm};
use smppd_text::{
    ConcatInfo, Content, DecodeOptions, EncodeOptions, EncodingChoice, InboundPart, LanguageSet,
    NationalLanguage, ReassemblyConfig, ReferenceCounter,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio::sync::mpsc;

/// Inbound messages being stored at once.
const INBOUND_IN_HAND: usize = 512;

/// Writes of submission outcomes in flight at once.
const OUTCOME_WRITES: usize = 4;

/// Most receipts stored in one write (at most [`INBOUND_IN_HAND`]).
const RECEIPT_BATCH: usize = 256;

/// Whether `inbound` is a delivery receipt (stored in batches) rather than a message.
fn is_receipt(inbound: &Inbound) -> bool {
    matches!(&inbound.message, InboundMessage::Deliver(sm) if sm.esm_class.is_receipt())
}

/// A submission as validated by the socket layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// `+E164` or a short code.
    pub to: String,
    /// Sender number or name.
    pub from: String,
    /// The text (hex octets for the `binary` encoding).
    pub text: String,
    /// A link to use instead of routing.
    pub link: Option<String>,
    /// `auto` or a forced encoding name.
    pub encoding: String,
    /// Ask for a delivery receipt.
    pub dlr: bool,
    /// Idempotency key.
    pub key: Option<String>,
    /// How long the SMSC may keep trying.
    pub validity: Option<Duration>,
    /// When the SMSC is to deliver it.
    pub schedule_at: Option<OffsetDateTime>,
    /// An order or security notice that may go to an opted-out number, if allowed.
    pub transactional: bool,
}

/// The answer to an accepted submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// Gateway message id.
    pub id: i64,
    /// Segments it costs.
    pub segments: u32,
    /// The encoding used.
    pub encoding: String,
}

/// A refusal, with its stable code (see docs/socket-protocol.md) and a sentence: the
/// socket's own error type, so that the service's answers need no translation.
pub type ServiceError = ApiError;

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        ServiceError::new(ErrorCode::Unavailable, format!("message store: {e}"))
    }
}

/// The service; shared by the socket connections and the consumer tasks.
#[derive(Debug)]
pub struct Service {
    store: Store,
    router: Router,
    links: Vec<Arc<Link>>,
    refs: Mutex<HashMap<Arc<str>, ReferenceCounter>>,
    consent: ConsentConfig,
    keywords: Keywords,
    /// Inbound parts waiting for the rest of their message.
    inbox: Mutex<inbox::Inbox>,
    /// The opted-out numbers, mirrored from the store so that a submission costs no read.
    opted_out: std::sync::RwLock<std::collections::HashSet<String>>,
}

impl Service {
    /// A service over `store` and the pool's `links`.
    pub fn new(store: Store, links: Vec<Arc<Link>>, consent: ConsentConfig) -> Self {
        let keywords = Keywords {
            stop: consent.stop_words.clone(),
            start: consent.start_words.clone(),
            help: consent.help_words.clone(),
        };
        // Random starting references: a restart must not reuse the previous run's.
        let seed = (crate::db::now_ms() as u64 % 65_536) as u16;
        let refs = links
            .iter()
            .map(|l| (l.name.clone(), ReferenceCounter::new(seed)))
            .collect();
        Service {
            store,
            router: Router::new(&links),
            links,
            refs: Mutex::new(refs),
            consent,
            keywords,
            inbox: Mutex::new(inbox::Inbox::new(ReassemblyConfig::default())),
            opted_out: Default::default(),
        }
    }

    /// Loads what the service mirrors from the store (the opt-outs); call once at start.
    pub async fn load(&self) -> Result<(), ServiceError> {
        let numbers = self.store.opt_outs().await?;
        let mut set = self.opted_out.write().unwrap_or_else(|e| e.into_inner());
        set.extend(numbers.into_iter().map(|(number, _)| number));
        Ok(())
    }

    /// Records an opt-out change in the mirror (the store has it already).
    pub(crate) fn mirror_opt_out(&self, number: &str, out: bool) {
        let mut set = self.opted_out.write().unwrap_or_else(|e| e.into_inner());
        if out {
            set.insert(number.to_owned());
        } else {
            set.remove(number);
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    fn link(&self, name: &str) -> Option<&Arc<Link>> {
        self.links.iter().find(|l| &*l.name == name)
    }

    /// Accepts a submission: consent, route, encode, store durably, queue. The answer comes
    /// only once the message is on disk.
    pub async fn submit(&self, s: Submission) -> Result<Submitted, ServiceError> {
        let allowed = s.transactional && self.consent.allow_transactional;
        self.submit_with(s, allowed).await
    }

    /// [`Service::submit`], optionally to an opted-out number (the reply confirming an
    /// opt-out must reach it).
    async fn submit_with(
        &self,
        s: Submission,
        despite_opt_out: bool,
    ) -> Result<Submitted, ServiceError> {
        let received = std::time::Instant::now();
        let to = address::normalize_number(&s.to);
        let opted_out = self
            .opted_out
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&to);
        if opted_out && !despite_opt_out {
            return Err(ServiceError::new(
                ErrorCode::OptedOut,
                format!("{to} has opted out of messages"),
            ));
        }
        let link = self
            .router
            .route(&to, s.link.as_deref())
            .map_err(|e| match e {
                RouteError::UnknownLink(_) => {
                    ServiceError::new(ErrorCode::UnknownLink, e.to_string())
                }
                RouteError::NoRoute(_) => ServiceError::new(ErrorCode::NoRoute, e.to_string()),
            })?;
        let encoded = self.encode(&link, &s)?;
        // Memory holds every segment waiting for the carrier: bounded per link, so that an
        // outage turns into refusals the application can retry, not into smppd's growth.
        let waiting = link.queued();
        let max_queue = link.config.max_queue as usize;
        if waiting + encoded.segments.len() > max_queue {
            // A retry of a message already accepted still gets its first answer.
            if let Some(key) = &s.key {
                let earlier = self
                    .store
                    .earlier_with_key(key.clone(), content_hash(&s))
                    .await?;
                if let Some(earlier) = earlier {
                    return answer_earlier(earlier);
                }
            }
            return Err(ServiceError::new(
                ErrorCode::QueueFull,
                format!(
                    "link {} has {waiting} segments waiting to be sent (max_queue {max_queue}); try again later",
                    link.name
                ),
            ));
        }
        let envelope = outbound::Envelope {
            to: &to,
            from: &s.from,
            dlr: s.dlr,
            validity: s.validity,
            schedule_at: s.schedule_at,
        };
        let submits = outbound::submits(&link.config, &envelope, &encoded)
            .map_err(|e| ServiceError::new(ErrorCode::InvalidField, e.to_string()))?;
        let segments = submits
            .iter()
            .map(|sm| encode_submit(sm).map(|b| b.to_vec()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ServiceError::new(ErrorCode::InvalidField, e.to_string()))?;
        let encoding = encoded.encoding.to_string();
        let key = s.key.as_ref().map(|k| (k.clone(), content_hash(&s)));
        let inserted = self
            .store
            .insert_message(NewMessage {
                to,
                from: s.from.clone(),
                text: s.text.clone(),
                encoding: encoding.clone(),
                link: link.name.to_string(),
                dlr: s.dlr,
                key,
                validity_until: s
                    .validity
                    .map(|v| crate::db::now_ms() + v.as_millis() as i64),
                segments,
            })
            .await?;
        match inserted {
            Inserted::New { id } => {
                let n = submits.len() as u32;
                let timing = Timing {
                    received,
                    expires: s.validity.map(|v| received + v),
                };
                let segments = submits.into_iter().enumerate().map(|(part, sm)| {
                    (
                        SegmentId {
                            message: id as u64,
                            part: part as u16,
                        },
                        sm,
                    )
                });
                link.enqueue_with(segments, timing);
                Ok(Submitted {
                    id,
                    segments: n,
                    encoding,
                })
            }
            Inserted::Earlier(earlier) => answer_earlier(earlier),
        }
    }

    fn encode(
        &self,
        link: &Link,
        s: &Submission,
    ) -> Result<smppd_text::EncodedMessage, ServiceError> {
        let mut refs = self.refs.lock().unwrap_or_else(|e| e.into_inner());
        let counter = refs.entry(link.name.clone()).or_default();
        if s.encoding == "binary" {
            let data = smppd_codec::hex::decode(&s.text).map_err(|e| {
                ServiceError::new(
                    ErrorCode::InvalidField,
                    format!("text: binary needs hex: {e}"),
                )
            })?;
            return smppd_text::encode_binary(&data, concat(link.config.concat), counter)
                .map_err(|e| ServiceError::new(ErrorCode::TextTooLong, e.to_string()));
        }
        let encoding: EncodingChoice = s.encoding.parse().map_err(|e: smppd_text::TextError| {
            ServiceError::new(ErrorCode::InvalidField, e.to_string())
        })?;
        let options = EncodeOptions {
            encoding,
            concat: concat(link.config.concat),
            gsm7_packed: link.config.gsm7_packed,
            transliterate: false,
            national: national(&link.config),
        };
        smppd_text::encode_message(&s.text, &options, counter).map_err(|e| match e {
            smppd_text::TextError::TooManySegments { .. }
            | smppd_text::TextError::PayloadTooLong { .. } => {
                ServiceError::new(ErrorCode::TextTooLong, e.to_string())
            }
            other => ServiceError::new(ErrorCode::InvalidField, other.to_string()),
        })
    }

    /// Queues again every message a previous run accepted but did not finish, with the exact
    /// PDUs stored then. Returns how many.
    pub async fn resume(&self) -> Result<usize, ServiceError> {
        let unfinished = self.store.unfinished().await?;
        let n = unfinished.len();
        for m in unfinished {
            let Some(link) = self.link(&m.link).or_else(|| self.router.links().first()) else {
                for (part, _) in &m.segments {
                    let reason = "no link to send it on after a restart".to_owned();
                    self.store
                        .segment_failed(m.id, *part, reason, false)
                        .await?;
                }
                continue;
            };
            let jobs: Vec<(SegmentId, SubmitSm)> = m
                .segments
                .into_iter()
                .filter_map(|(part, pdu)| {
                    let sm = decode_submit(pdu)?;
                    Some((
                        SegmentId {
                            message: m.id as u64,
                            part,
                        },
                        sm,
                    ))
                })
                .collect();
            // The validity left, from the end stored at submission.
            let now = std::time::Instant::now();
            let expires = m.validity_until.map(|until| {
                let left = until.saturating_sub(crate::db::now_ms()).max(0) as u64;
                now + std::time::Duration::from_millis(left)
            });
            link.enqueue_with(
                jobs,
                Timing {
                    received: now,
                    expires,
                },
            );
        }
        Ok(n)
    }

    /// Records submission outcomes until `stop`, then those still queued. Whatever is waiting
    /// is recorded in one write (one shared commit); the window slots of accepted submissions
    /// are freed only once their acceptance is on disk. Up to four such writes are in flight,
    /// so that outcomes arriving while one waits for its commit join the store's next one
    /// instead of waiting for it to finish. (A segment has one final outcome, so writes in
    /// flight together never touch the same one. The links keep the sending side, so the
    /// channel itself never closes.)
    pub async fn run_outcomes(
        self: Arc<Self>,
        mut outcomes: mpsc::Receiver<Outcome>,
        stop: tokio_util::sync::CancellationToken,
    ) {
        let writes = tokio_util::task::TaskTracker::new();
        let in_flight = Arc::new(tokio::sync::Semaphore::new(OUTCOME_WRITES));
        loop {
            let first = tokio::select! {
                next = outcomes.recv() => match next {
                    Some(outcome) => outcome,
                    None => break,
                },
                _ = stop.cancelled() => match outcomes.try_recv() {
                    Ok(outcome) => outcome,
                    Err(_) => break,
                },
            };
            let mut batch = vec![first];
            while batch.len() < crate::db::MAX_BATCH {
                match outcomes.try_recv() {
                    Ok(outcome) => batch.push(outcome),
                    Err(_) => break,
                }
            }
            let mut guards = Vec::with_capacity(batch.len());
            let records: Vec<SegmentOutcome> = batch
                .into_iter()
                .map(|outcome| match outcome {
                    Outcome::Accepted {
                        id,
                        link,
                        smsc_id,
                        recorded,
                    } => {
                        guards.push(recorded);
                        let config = self.link(&link).map(|l| l.config.clone());
                        let dlr_part = config
                            .as_ref()
                            .map_or(crate::config::DlrPart::All, |c| c.dlr_part);
                        let format = config
                            .as_ref()
                            .map_or(crate::config::MessageIdFormat::Auto, |c| {
                                c.message_id_format
                            });
                        let smsc_id = smsc_id.to_string();
                        SegmentOutcome::Accepted {
                            id: id.message as i64,
                            part: id.part,
                            smsc_key: dlr::lookup_key(&smsc_id),
                            id_format: format,
                            link: link.to_string(),
                            smsc_id,
                            dlr_part,
                        }
                    }
                    // A refusal by the carrier is "rejected"; giving up unanswered "failed".
                    Outcome::Failed {
                        id, status, reason, ..
                    } => SegmentOutcome::Failed {
                        id: id.message as i64,
                        part: id.part,
                        error: reason,
                        rejected: status != CommandStatus::ESME_RUNKNOWNERR,
                    },
                })
                .collect();
            let Ok(permit) = in_flight.clone().acquire_owned().await else {
                break;
            };
            let store = self.store.clone();
            writes.spawn(async move {
                if let Err(e) = store.record_outcomes(records).await {
                    tracing::error!(error = %e, "recording submission outcomes failed");
                }
                drop(guards);
                drop(permit);
            });
        }
        writes.close();
        writes.wait().await;
    }

    /// Handles receipts and inbound messages until the links stop; each is answered to the
    /// SMSC only once stored.
    pub async fn run_inbound(self: Arc<Self>, mut inbound: mpsc::Receiver<Inbound>) {
        // First what a previous run held for reassembly: its parts were acknowledged.
        if let Err(e) = self.reload_parts().await {
            tracing::error!(error = %e, "reloading stored inbound parts failed; they stay stored");
        }
        let mut expiry = tokio::time::interval(Duration::from_secs(5));
        let in_hand = Arc::new(tokio::sync::Semaphore::new(INBOUND_IN_HAND));
        loop {
            tokio::select! {
                next = inbound.recv() => {
                    let Some(first) = next else { break };
                    let mut batch = vec![first];
                    while batch.len() < RECEIPT_BATCH {
                        match inbound.try_recv() {
                            Ok(message) => batch.push(message),
                            Err(_) => break,
                        }
                    }
                    // Receipts waiting together are stored in one write; the rest one task
                    // each, so that many share one commit. Permits bound what is in hand.
                    let (receipts, others): (Vec<Inbound>, Vec<Inbound>) =
                        batch.into_iter().partition(is_receipt);
                    if !receipts.is_empty() {
                        let n = receipts.len() as u32;
                        let Ok(permit) = in_hand.clone().acquire_many_owned(n).await else { break };
                        let service = self.clone();
                        tokio::spawn(async move {
                            service.handle_receipts(receipts).await;
                            drop(permit);
                        });
                    }
                    for message in others {
                        let Ok(permit) = in_hand.clone().acquire_owned().await else { break };
                        let service = self.clone();
                        tokio::spawn(async move {
                            let status = match service.handle_inbound(&message.link, message.message).await {
                                Ok(()) => CommandStatus::ESME_ROK,
                                Err(e) => {
                                    tracing::error!(link = %message.link, error = %e, "inbound message not stored");
                                    // Temporary: the SMSC delivers it again later.
                                    CommandStatus::ESME_RX_T_APPN
                                }
                            };
                            message.reply.ack(status);
                            drop(permit);
                        });
                    }
                }
                _ = expiry.tick() => {
                    let expired = self.inbox().expire(Instant::now());
                    for released in expired {
                        if let Err(e) = self.store_mo(released).await {
                            tracing::error!(error = %e, "storing an incomplete inbound message failed");
                        }
                    }
                }
            }
        }
        // Let the messages in hand finish. Parts still waiting stay stored: the next run
        // reloads them.
        let _ = in_hand.acquire_many(INBOUND_IN_HAND as u32).await;
        let held = self.inbox().len();
        if held > 0 {
            tracing::info!(
                messages = held,
                "inbound messages still incomplete; their parts stay stored"
            );
        }
    }

    fn inbox(&self) -> std::sync::MutexGuard<'_, inbox::Inbox> {
        self.inbox.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Puts the stored parts of a previous run back into the reassembler, with their age.
    async fn reload_parts(&self) -> Result<usize, ServiceError> {
        let parts = self.store.mo_parts().await?;
        let n = parts.len();
        let (now, now_ms) = (Instant::now(), crate::db::now_ms());
        for stored in parts {
            let p = stored.part;
            let part = match self.parse_part(
                &p.link,
                p.data_coding,
                p.esm_class,
                p.payload.into(),
                p.sar,
            ) {
                Ok(part) => part,
                Err(e) => {
                    // It was parsed once before being stored; this cannot differ.
                    tracing::error!(row = stored.id, error = %e, "a stored inbound part does not parse");
                    continue;
                }
            };
            let age = Duration::from_millis(now_ms.saturating_sub(stored.at).max(0) as u64);
            let received = now.checked_sub(age).unwrap_or(now);
            let released = self.inbox().push(
                &p.link,
                &p.sender,
                &p.recipient,
                part,
                Some(stored.id),
                received,
            );
            for r in released {
                self.store_mo(r).await?;
            }
        }
        if n > 0 {
            tracing::info!(parts = n, "reloaded inbound parts a previous run held");
        }
        Ok(n)
    }

    async fn handle_inbound(
        &self,
        link: &str,
        message: InboundMessage,
    ) -> Result<(), ServiceError> {
        let (source_ton, source, dest, esm_class, data_coding, payload, tlvs) = match message {
            // Receipts do not come here: `run_inbound` gives them to `handle_receipts`.
            InboundMessage::Deliver(sm) => {
                let payload = if sm.short_message.is_empty() {
                    sm.tlvs
                        .get_bytes(smppd_codec::Tag::MESSAGE_PAYLOAD)
                        .unwrap_or_default()
                } else {
                    sm.short_message.as_bytes().clone()
                };
                (
                    sm.source_addr_ton,
                    sm.source_addr,
                    sm.destination_addr,
                    sm.esm_class,
                    sm.data_coding,
                    payload,
                    sm.tlvs,
                )
            }
            InboundMessage::Data(sm) => {
                let payload = sm
                    .tlvs
                    .get_bytes(smppd_codec::Tag::MESSAGE_PAYLOAD)
                    .unwrap_or_default();
                (
                    sm.source_addr_ton,
                    sm.source_addr,
                    sm.destination_addr,
                    sm.esm_class,
                    sm.data_coding,
                    payload,
                    sm.tlvs,
                )
            }
        };
        let sar = ConcatInfo::from_sar_tlvs(tlvs.iter().map(|(t, v)| (t.0, v)));
        let part = self
            .parse_part(link, data_coding.0, esm_class.0, payload.clone(), sar)
            .map_err(|e| ServiceError::new(ErrorCode::InvalidField, e.to_string()))?;
        let from = address::normalize(source_ton, &source.to_string());
        let to = dest.to_string();
        // A part that waits for others is stored before it is acknowledged.
        let row = if inbox::Inbox::waits(&part) {
            let stored = MoPart {
                link: link.to_owned(),
                sender: from.clone(),
                recipient: to.clone(),
                data_coding: data_coding.0,
                esm_class: esm_class.0,
                payload: payload.to_vec(),
                sar,
            };
            Some(self.store.insert_mo_part(stored).await?)
        } else {
            None
        };
        let released = self
            .inbox()
            .push(link, &from, &to, part, row, Instant::now());
        for r in released {
            self.store_mo(r).await?;
        }
        Ok(())
    }

    /// An inbound part as `link` encodes it.
    fn parse_part(
        &self,
        link: &str,
        data_coding: u8,
        esm_class: u8,
        payload: bytes::Bytes,
        sar: Option<ConcatInfo>,
    ) -> Result<InboundPart, smppd_text::TextError> {
        let gsm7_packed = self.link(link).is_some_and(|l| l.config.gsm7_packed);
        InboundPart::parse(
            data_coding,
            esm_class,
            payload,
            sar,
            &DecodeOptions { gsm7_packed },
        )
    }

    async fn store_mo(&self, released: inbox::Released) -> Result<(), ServiceError> {
        let inbox::Released {
            message: m,
            link,
            rows,
        } = released;
        let link = link.as_str();
        let text = match &m.decoded.content {
            Content::Text(t) => t.clone(),
            Content::Binary(b) => smppd_codec::hex::encode(b),
        };
        let keyword = self.keywords.classify(&text);
        let opt_out = match keyword {
            Some(Keyword::Stop) => Some(true),
            Some(Keyword::Start) => Some(false),
            _ => None,
        };
        let link_name = if self.link(link).is_some() {
            link.to_owned()
        } else {
            self.links
                .first()
                .map_or_else(String::new, |l| l.name.to_string())
        };
        self.store
            .insert_inbound(NewInbound {
                link: link_name.clone(),
                from: m.sender.clone(),
                to: m.recipient.clone(),
                text,
                incomplete: !m.is_complete(),
                opt_out,
                parts: rows,
            })
            .await?;
        if let Some(out) = opt_out {
            self.mirror_opt_out(&m.sender, out);
        }
        let reply = match keyword {
            Some(Keyword::Stop) => self.consent.stop_reply.clone(),
            Some(Keyword::Start) => self.consent.start_reply.clone(),
            Some(Keyword::Help) => self.consent.help_reply.clone(),
            None => None,
        };
        if let Some(text) = reply
            && address::is_valid_destination(&m.sender)
        {
            let from = self
                .consent
                .reply_from
                .clone()
                .unwrap_or_else(|| m.recipient.clone());
            let submission = Submission {
                to: m.sender.clone(),
                from,
                text,
                link: Some(link_name),
                encoding: "auto".into(),
                dlr: false,
                key: None,
                validity: None,
                schedule_at: None,
                transactional: true,
            };
            if let Err(e) = Box::pin(self.submit_with(submission, true)).await {
                tracing::warn!(to = %m.sender, error = %e, "automatic consent reply not sent");
            }
        }
        Ok(())
    }

    /// Stores `receipts` in one write, then answers each: `ESME_ROK` once stored, else
    /// `ESME_RX_T_APPN` (the SMSC delivers it again later).
    async fn handle_receipts(&self, receipts: Vec<Inbound>) {
        let mut records = Vec::with_capacity(receipts.len());
        let mut replies = Vec::with_capacity(receipts.len());
        for inbound in receipts {
            let InboundMessage::Deliver(sm) = &inbound.message else {
                // Not a receipt after all (`is_receipt` chose): never left unanswered.
                inbound.reply.ack(CommandStatus::ESME_RX_T_APPN);
                continue;
            };
            match self.receipt(&inbound.link, sm) {
                Some(record) => {
                    records.push(record);
                    replies.push((inbound.link, inbound.reply));
                }
                // Nothing to store: answered as taken, so that it is not sent again.
                None => inbound.reply.ack(CommandStatus::ESME_ROK),
            }
        }
        if records.is_empty() {
            return;
        }
        let results = match self.store.record_receipts(records).await {
            Ok(results) => results,
            Err(e) => replies.iter().map(|_| Err(e.clone())).collect(),
        };
        for ((link, reply), result) in replies.into_iter().zip(results) {
            let status = match result {
                Ok(_) => CommandStatus::ESME_ROK,
                Err(e) => {
                    tracing::error!(link = %link, error = %e, "delivery receipt not stored");
                    CommandStatus::ESME_RX_T_APPN
                }
            };
            reply.ack(status);
        }
    }

    /// The receipt `sm` carries, ready to store; `None` (with a warning) if it names no
    /// message id.
    fn receipt(&self, link: &str, sm: &smppd_codec::DeliverSm) -> Option<NewReceipt> {
        let Some(receipt) = dlr::parse(sm) else {
            tracing::warn!(link, text = %String::from_utf8_lossy(&sm.short_message), "receipt without a message id; ignored");
            return None;
        };
        let config = self.link(link).map(|l| l.config.clone());
        let format = config
            .as_ref()
            .map_or(crate::config::MessageIdFormat::Auto, |c| {
                c.message_id_format
            });
        let dlr_part = config
            .as_ref()
            .map_or(crate::config::DlrPart::All, |c| c.dlr_part);
        Some(NewReceipt {
            link: link.to_owned(),
            candidates: dlr::receipt_candidates(&receipt.smsc_id, format),
            state: receipt.state.as_str().to_owned(),
            is_final: receipt.state.is_final(),
            error: receipt.error,
            dlr_part,
        })
    }
}

fn concat(c: Concat) -> smppd_text::Concat {
    match c {
        Concat::Udh8 => smppd_text::Concat::Udh8,
        Concat::Udh16 => smppd_text::Concat::Udh16,
        Concat::Sar => smppd_text::Concat::Sar,
        Concat::Payload => smppd_text::Concat::Payload,
    }
}

fn national(link: &LinkConfig) -> LanguageSet {
    link.national_tables
        .iter()
        .map(|t| match t {
            NationalTable::Turkish => NationalLanguage::Turkish,
            NationalTable::Spanish => NationalLanguage::Spanish,
            NationalTable::Portuguese => NationalLanguage::Portuguese,
        })
        .collect()
}

/// The answer to a submission whose idempotency key was used before: the first message's
/// facts, or the conflict.
fn answer_earlier(earlier: Earlier) -> Result<Submitted, ServiceError> {
    match earlier {
        Earlier::Duplicate {
            id,
            segments,
            encoding,
        } => Ok(Submitted {
            id,
            segments,
            encoding,
        }),
        Earlier::KeyConflict => Err(ServiceError::new(
            ErrorCode::KeyConflict,
            "this key was used before for a different message",
        )),
    }
}

/// A hash of what makes two submissions "the same message" for idempotency.
/// It is stored and compared across restarts and upgrades, so it is FNV-1a (64-bit), fixed
/// here, rather than std's `DefaultHasher`, whose algorithm may change between Rust releases.
/// Each field is fed with its length first, so that no two different submissions feed the
/// same octets.
fn content_hash(s: &Submission) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |octets: &[u8]| {
        for &octet in (octets.len() as u64).to_le_bytes().iter().chain(octets) {
            hash ^= u64::from(octet);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    feed(s.to.as_bytes());
    feed(s.from.as_bytes());
    feed(s.text.as_bytes());
    match &s.link {
        Some(link) => {
            feed(&[1]);
            feed(link.as_bytes());
        }
        None => feed(&[0]),
    }
    feed(s.encoding.as_bytes());
    feed(&[u8::from(s.dlr)]);
    format!("fnv1a:{hash:016x}")
}

/// The stored form of a segment: the whole encoded submit_sm (sequence number 0; the session
/// numbers it when sending).
fn encode_submit(sm: &SubmitSm) -> Result<bytes::Bytes, smppd_codec::Error> {
    let mut buf = BytesMut::new();
    Pdu::new(0, Body::SubmitSm(sm.clone())).encode(&mut buf)?;
    Ok(buf.freeze())
}

fn decode_submit(pdu: Vec<u8>) -> Option<SubmitSm> {
    match Pdu::decode(bytes::Bytes::from(pdu)) {
        Ok(Pdu {
            body: Body::SubmitSm(sm),
            ..
        }) => Some(sm),
        other => {
            tracing::error!(?other, "a stored segment does not decode as a submit_sm");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::handler::Handler;
    use crate::api::protocol::{Event, EventKinds};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_subscriber_that_falls_behind_still_gets_every_event_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let service = Arc::new(Service::new(
            store.clone(),
            vec![],
            ConsentConfig::default(),
        ));
        let mut events = Shared(service)
            .subscribe(EventKinds::ALL, Some(0))
            .await
            .unwrap();
        // Far more events, over far more commits, than the subscriber's queue and the
        // commits kept for it hold, while it reads nothing: it must read them back.
        let ids: Vec<i64> = futures_util::future::join_all((0..3000).map(|i| {
            let store = store.clone();
            async move {
                let m = NewMessage {
                    to: format!("+4477009{i:05}"),
                    from: "ACME".into(),
                    text: "Your order shipped".into(),
                    encoding: "gsm7".into(),
                    link: "carrier".into(),
                    dlr: true,
                    key: None,
                    validity_until: None,
                    segments: vec![vec![0; 3]],
                };
                match store.insert_message(m).await.unwrap() {
                    Inserted::New { id } => id,
                    other => panic!("{other:?}"),
                }
            }
        }))
        .await;
        for chunk in ids.chunks(10) {
            futures_util::future::join_all(
                chunk
                    .iter()
                    .map(|id| store.segment_failed(*id, 0, "no route".into(), true)),
            )
            .await
            .into_iter()
            .collect::<Result<Vec<()>, _>>()
            .unwrap();
        }
        let mut got = Vec::new();
        let mut last = 0;
        while got.len() < ids.len() {
            let event = tokio::time::timeout(Duration::from_secs(20), events.recv())
                .await
                .expect("every event in time")
                .expect("the feed lives");
            let Event::Dlr(dlr) = event else {
                panic!("{event:?}")
            };
            let event_id = dlr.event_id;
            assert!(event_id > last, "{event_id} after {last}");
            last = event_id;
            got.push(dlr.id.parse::<i64>().unwrap());
        }
        got.sort_unstable();
        let mut want = ids.clone();
        want.sort_unstable();
        assert_eq!(got, want);
    }

    fn submission() -> Submission {
        Submission {
            to: "+447700900123".into(),
            from: "ACME".into(),
            text: "Your order shipped".into(),
            link: None,
            encoding: "auto".into(),
            dlr: true,
            key: Some("order-8812".into()),
            validity: None,
            schedule_at: None,
            transactional: false,
        }
    }

    #[test]
    fn the_content_hash_is_fixed_and_tells_every_field_apart() {
        // Stored with the key and compared after restarts and upgrades: it must not change.
        assert_eq!(content_hash(&submission()), "fnv1a:5f83bb81f3157b36");
        let base = content_hash(&submission());
        let variants = [
            Submission {
                to: "+447700900124".into(),
                ..submission()
            },
            Submission {
                from: "ACMe".into(),
                ..submission()
            },
            Submission {
                text: "Your order shipped!".into(),
                ..submission()
            },
            Submission {
                link: Some("a".into()),
                ..submission()
            },
            Submission {
                encoding: "ucs2".into(),
                ..submission()
            },
            Submission {
                dlr: false,
                ..submission()
            },
            // The same octets cut differently between two fields.
            Submission {
                to: "+447700900123A".into(),
                from: "CME".into(),
                ..submission()
            },
        ];
        for v in variants {
            assert_ne!(content_hash(&v), base, "{v:?}");
        }
        // What is not content (the key itself, validity, transactional) does not count.
        let same = Submission {
            key: None,
            transactional: true,
            ..submission()
        };
        assert_eq!(content_hash(&same), base);
    }
}
