//! The socket's [`Handler`], implemented by the message service over its store.

use super::{Service, ServiceError, Submission};
use crate::api::handler::{Handler, Peer};
use crate::api::protocol::{
    ApiError, Direction, DlrEvent, Event, EventKinds, HistoryEntry, HistoryReply, MessageState,
    MoEvent, OptOutEntry, OptOutOp, OptOutReply, SegmentStatus, StatusReply, SubmitReply,
    SubmitRequest, Timestamp,
};
use crate::db::{CommittedEvents, StoredEvent};
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc};

/// Events read from the store per query while a subscriber catches up.
const EVENT_BATCH: u32 = 500;
/// Events buffered per subscriber; one that reads slower is told to resubscribe.
const SUBSCRIBER_QUEUE: usize = 1024;

fn state(text: &str) -> MessageState {
    text.parse().unwrap_or(MessageState::Unknown)
}

/// A stored event's body read as the event of its `kind`.
fn stored_event(kind: &str, body: &str) -> Result<Event, serde_json::Error> {
    match kind {
        "dlr" => serde_json::from_str::<DlrEvent>(body).map(Event::Dlr),
        "mo" => serde_json::from_str::<MoEvent>(body).map(Event::Mo),
        // Not written by this version: let the tag inside decide.
        _ => serde_json::from_str::<Event>(body),
    }
}

/// One subscriber's events on their way to its connection.
struct Feed {
    store: crate::db::Store,
    kinds: EventKinds,
    /// The id of the last event sent (or skipped).
    after: i64,
    tx: mpsc::Sender<Event>,
}

/// The feed ends: its subscriber is gone, or a read failed (logged where it failed).
struct Gone;

impl Feed {
    /// Reads what the subscriber missed from the store, then takes each commit's events as it
    /// happens; after falling behind, reads from the store again. Ends when the subscriber
    /// has gone, the store has closed, or a read failed.
    async fn run(mut self, mut committed: broadcast::Receiver<CommittedEvents>) {
        while self.catch_up().await.is_ok() {
            loop {
                let events = tokio::select! {
                    events = committed.recv() => events,
                    _ = self.tx.closed() => return,
                };
                match events {
                    Ok(events) => {
                        if self.send(&events).await.is_err() {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => break,
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        }
    }

    /// Sends the events after the last one sent, of the kinds wanted, in order.
    async fn send(&mut self, events: &[StoredEvent]) -> Result<(), Gone> {
        for stored in events {
            if stored.event_id <= self.after {
                continue;
            }
            self.after = stored.event_id;
            if !self.kinds.wants(&stored.kind) {
                continue;
            }
            // Straight from the stored text to the event, event_id added; the kind picks
            // the type, which spares serde buffering the body to find its tag.
            match stored_event(&stored.kind, &stored.body) {
                Ok(mut event) => {
                    event.set_event_id(stored.event_id as u64);
                    self.tx.send(event).await.map_err(|_| Gone)?;
                }
                Err(e) => {
                    tracing::error!(event_id = stored.event_id, error = %e, "a stored event does not read back");
                }
            }
        }
        Ok(())
    }

    /// Sends every stored event after the last one sent.
    async fn catch_up(&mut self) -> Result<(), Gone> {
        loop {
            let events = self
                .store
                .events_since(self.after, self.kinds.names(), EVENT_BATCH)
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "reading events for a subscriber");
                    Gone
                })?;
            if events.is_empty() {
                return Ok(());
            }
            self.send(&events).await?;
        }
    }
}

/// A shared service is the daemon's handler.
#[derive(Debug, Clone)]
pub struct Shared(pub Arc<Service>);

impl Handler for Shared {
    async fn submit(&self, r: SubmitRequest) -> Result<SubmitReply, ApiError> {
        let done = self
            .0
            .submit(Submission {
                to: r.to,
                from: r.from,
                text: r.text,
                link: r.link,
                encoding: r.encoding.to_string(),
                dlr: r.dlr,
                key: r.key,
                validity: r.validity,
                schedule_at: r.schedule_at,
                transactional: r.transactional,
            })
            .await?;
        Ok(SubmitReply {
            id: done.id.to_string(),
            segments: done.segments,
            encoding: done.encoding,
        })
    }

    async fn status(&self, id: &str) -> Result<StatusReply, ApiError> {
        let not_found = || ApiError::not_found(id);
        let number: i64 = id.parse().map_err(|_| not_found())?;
        let m = self
            .0
            .store()
            .message(number)
            .await
            .map_err(ServiceError::from)?
            .ok_or_else(not_found)?;
        Ok(StatusReply {
            id: m.id.to_string(),
            state: state(&m.state),
            error: m.error,
            segments: m
                .segments
                .into_iter()
                .map(|s| SegmentStatus {
                    seq: s.seq,
                    smsc_id: s.smsc_id,
                    state: state(&s.state),
                    error: s.error,
                })
                .collect(),
            created_at: Timestamp::from_unix_ms(m.created_at),
            updated_at: Timestamp::from_unix_ms(m.updated_at),
        })
    }

    async fn history(&self, number: &str, limit: u32) -> Result<HistoryReply, ApiError> {
        let number = crate::address::normalize_number(number);
        let items = self
            .0
            .store()
            .history(number, limit)
            .await
            .map_err(ServiceError::from)?;
        Ok(HistoryReply {
            messages: items
                .into_iter()
                .map(|h| HistoryEntry {
                    direction: if h.direction == "out" {
                        Direction::Out
                    } else {
                        Direction::In
                    },
                    id: h.id.to_string(),
                    text: h.text,
                    state: h.state.as_deref().map(state),
                    at: Timestamp::from_unix_ms(h.at),
                })
                .collect(),
        })
    }

    async fn subscribe(
        &self,
        kinds: EventKinds,
        since: Option<u64>,
    ) -> Result<mpsc::Receiver<Event>, ApiError> {
        let store = self.0.store().clone();
        // Before the newest id is read: every event after it is then received here.
        let committed = store.committed_events();
        let after = since.map_or_else(|| store.last_event(), |s| s as i64);
        let (tx, rx) = mpsc::channel(SUBSCRIBER_QUEUE);
        let feed = Feed {
            store,
            kinds,
            after,
            tx,
        };
        tokio::spawn(feed.run(committed));
        Ok(rx)
    }

    async fn opt_out(&self, op: OptOutOp, peer: Peer) -> Result<OptOutReply, ApiError> {
        let store = self.0.store();
        let cause = format!("manual (uid {})", peer.uid);
        match op {
            OptOutOp::Add { number } => {
                let number = crate::address::normalize_number(&number);
                store
                    .set_opt_out(number.clone(), true, cause)
                    .await
                    .map_err(ServiceError::from)?;
                self.0.mirror_opt_out(&number, true);
                Ok(OptOutReply::Set {
                    number,
                    opted_out: true,
                })
            }
            OptOutOp::Remove { number } => {
                let number = crate::address::normalize_number(&number);
                store
                    .set_opt_out(number.clone(), false, cause)
                    .await
                    .map_err(ServiceError::from)?;
                self.0.mirror_opt_out(&number, false);
                Ok(OptOutReply::Set {
                    number,
                    opted_out: false,
                })
            }
            OptOutOp::List { number } => {
                let only = number.map(|n| crate::address::normalize_number(&n));
                let opt_outs = store
                    .opt_outs()
                    .await
                    .map_err(ServiceError::from)?
                    .into_iter()
                    .filter(|(n, _)| only.as_ref().is_none_or(|o| o == n))
                    .map(|(number, since)| OptOutEntry {
                        number,
                        since: Timestamp::from_unix_ms(since),
                    })
                    .collect();
                Ok(OptOutReply::List { opt_outs })
            }
        }
    }
}
