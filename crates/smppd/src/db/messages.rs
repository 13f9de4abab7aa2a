//! The store's operations: messages and segments, receipts, inbound messages, events, consent.
//!
//! A message's row stays `queued` until the message is final (delivered, failed, ...): an
//! acceptance by the SMSC updates only its segment, and the message reads as `submitted` once
//! none of its segments is queued. (Files written before schema 3 also hold `submitted` rows.)

use super::{Store, StoreError, sql};
use crate::config::{DlrPart, MessageIdFormat};
use rusqlite::{Connection, OptionalExtension, params};

/// Runs a statement through the connection's prepared-statement cache: the same few
/// statements run for every message, and preparing one costs more than running it.
fn exec<P: rusqlite::Params>(conn: &Connection, sql: &str, params: P) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// [`exec`] for a statement that returns one row.
fn row<T, P, F>(conn: &Connection, sql: &str, params: P, f: F) -> rusqlite::Result<T>
where
    P: rusqlite::Params,
    F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
{
    conn.prepare_cached(sql)?.query_row(params, f)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// `ms` (unix milliseconds) as RFC 3339 in UTC, as answers and events show times.
pub fn rfc3339(ms: i64) -> serde_json::Value {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .map_or(serde_json::Value::Null, serde_json::Value::String)
}

/// A submission to store.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// Normalised destination.
    pub to: String,
    /// Sender as given.
    pub from: String,
    /// The text as submitted.
    pub text: String,
    /// The encoding chosen (`gsm7`, `ucs2`, ...).
    pub encoding: String,
    /// The link it was routed to.
    pub link: String,
    /// Whether a receipt was asked for.
    pub dlr: bool,
    /// Idempotency key and a hash of the content it was first used with.
    pub key: Option<(String, String)>,
    /// When the gateway stops trying (unix ms).
    pub validity_until: Option<i64>,
    /// Each segment's encoded submit_sm.
    pub segments: Vec<Vec<u8>>,
}

/// The answer to [`Store::insert_message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// Stored under this id.
    New {
        /// The gateway message id.
        id: i64,
    },
    /// Not stored: the idempotency key was used before.
    Earlier(Earlier),
}

/// What an earlier submission with the same idempotency key answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Earlier {
    /// The key was used before for the same content: the first message's facts.
    Duplicate {
        /// Its id.
        id: i64,
        /// Its segment count.
        segments: u32,
        /// Its encoding.
        encoding: String,
    },
    /// The key was used before for different content.
    KeyConflict,
}

/// One segment as `status` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentStatus {
    /// 1-based.
    pub seq: u32,
    /// The SMSC's id, once accepted.
    pub smsc_id: Option<String>,
    /// The segment's state.
    pub state: String,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

/// A message as `status` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageStatus {
    /// The gateway id.
    pub id: i64,
    /// The message's state.
    pub state: String,
    /// Why it failed, if it did.
    pub error: Option<String>,
    /// Its segments.
    pub segments: Vec<SegmentStatus>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
}

/// One line of a number's thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryItem {
    /// `out` (sent to the number) or `in` (received from it).
    pub direction: &'static str,
    /// The message id (outbound) or inbound id.
    pub id: i64,
    /// The text (None once purged).
    pub text: Option<String>,
    /// Outbound state; None for inbound.
    pub state: Option<String>,
    /// Unix ms.
    pub at: i64,
}

/// A message to send again after a restart: segments not yet accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumeMessage {
    /// The gateway id.
    pub id: i64,
    /// The link it was routed to.
    pub link: String,
    /// Its pending segments: (0-based part, encoded submit_sm).
    pub segments: Vec<(u16, Vec<u8>)>,
    /// The end of its validity (unix milliseconds), if it has one.
    pub validity_until: Option<i64>,
}

/// A delivery receipt to record.
#[derive(Debug, Clone)]
pub struct NewReceipt {
    /// The link it came on.
    pub link: String,
    /// The id as quoted, in lookup form, then its other possible forms.
    pub candidates: Vec<String>,
    /// The state it reports (`delivered`, ...).
    pub state: String,
    /// Whether that state is final.
    pub is_final: bool,
    /// The error it reports.
    pub error: Option<String>,
    /// The link's rule for multi-part messages.
    pub dlr_part: DlrPart,
}

/// What became of a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptOutcome {
    /// It matched this message, whose state is now `state`.
    Matched {
        /// Gateway id.
        id: i64,
        /// The message's state after it.
        state: String,
    },
    /// No accepted segment has that id (yet): kept, and applied if one is recorded later.
    Unmatched,
}

/// An inbound message to store.
#[derive(Debug, Clone)]
pub struct NewInbound {
    /// The link it came on.
    pub link: String,
    /// Normalised sender.
    pub from: String,
    /// Recipient as sent.
    pub to: String,
    /// The text.
    pub text: String,
    /// Parts were missing when it was given up waiting.
    pub incomplete: bool,
    /// The consent change it causes: `Some(true)` opt-out, `Some(false)` opt-in.
    pub opt_out: Option<bool>,
    /// The `mo_parts` rows it was joined from, deleted in the same transaction.
    pub parts: Vec<i64>,
}

/// A part of a concatenated inbound message, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoPart {
    /// The link it came on.
    pub link: String,
    /// Normalised sender.
    pub sender: String,
    /// Recipient as sent.
    pub recipient: String,
    /// The PDU's data_coding.
    pub data_coding: u8,
    /// The PDU's esm_class.
    pub esm_class: u8,
    /// short_message (or message_payload), user data header included.
    pub payload: Vec<u8>,
    /// What its SAR TLVs said, when it had them.
    pub sar: Option<smppd_text::ConcatInfo>,
}

/// A stored [`MoPart`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMoPart {
    /// Its row.
    pub id: i64,
    /// The part.
    pub part: MoPart,
    /// When it was stored (unix milliseconds).
    pub at: i64,
}

/// A stored event, as subscribers get it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Its id, increasing.
    pub event_id: i64,
    /// `dlr` or `mo`.
    pub kind: String,
    /// The event line as stored: a JSON object without its `event_id`.
    pub body: String,
}

/// A stored `dlr` event: the subscriber's line without its `event_id`.
#[derive(serde::Serialize)]
struct DlrBody<'a> {
    event: &'static str,
    id: String,
    smsc_id: Option<&'a str>,
    state: &'a str,
    error: Option<&'a str>,
    /// `null` for a time out of range, as [`rfc3339`] gives it.
    at: serde_json::Value,
}

impl<'a> DlrBody<'a> {
    fn new(
        id: i64,
        smsc_id: Option<&'a str>,
        state: &'a str,
        error: Option<&'a str>,
        at: i64,
    ) -> Self {
        DlrBody {
            event: "dlr",
            id: id.to_string(),
            smsc_id,
            state,
            error,
            at: rfc3339(at),
        }
    }
}

/// A stored `mo` event: the subscriber's line without its `event_id`.
#[derive(serde::Serialize)]
struct MoBody<'a> {
    event: &'static str,
    from: &'a str,
    to: &'a str,
    text: &'a str,
    link: &'a str,
    at: serde_json::Value,
    incomplete: bool,
}

pub(super) fn insert_event(
    conn: &Connection,
    kind: &str,
    body: &impl serde::Serialize,
) -> Result<(), StoreError> {
    let mut insert = conn
        .prepare_cached(INSERT_EVENT)
        .map_err(sql("recording an event"))?;
    insert_event_with(&mut insert, kind, body)
}

const INSERT_EVENT: &str = "INSERT INTO events (kind, body) VALUES (?1, ?2)";

/// [`insert_event`] through a statement prepared from [`INSERT_EVENT`].
fn insert_event_with(
    insert: &mut rusqlite::Statement<'_>,
    kind: &str,
    body: &impl serde::Serialize,
) -> Result<(), StoreError> {
    let body = serde_json::to_string(body).map_err(|e| StoreError::Sql {
        operation: "serializing an event",
        message: e.to_string(),
    })?;
    let event_id = insert
        .insert(params![kind, body])
        .map_err(sql("recording an event"))?;
    super::event_written(StoredEvent {
        event_id,
        kind: kind.to_owned(),
        body,
    });
    Ok(())
}

/// A message's state as it reads, from the state in its row and whether any of its segments
/// is still queued: a row stays `queued` until the message is final, and reads `submitted`
/// once no segment is queued.
fn state_as_read(row: String, segment_queued: bool) -> String {
    if row == "queued" && !segment_queued {
        "submitted".to_owned()
    } else {
        row
    }
}

/// The message's state from its segments' states, by the link's `dlr_part` rule.
fn message_state(states: &[String], dlr_part: DlrPart) -> Option<String> {
    let pick = match dlr_part {
        DlrPart::First => states.first().map(String::as_str),
        DlrPart::Last => states.last().map(String::as_str),
        DlrPart::All => {
            // A part that failed decides; otherwise all must be delivered.
            let failed = states.iter().find(|s| {
                !matches!(
                    s.as_str(),
                    "queued" | "submitted" | "delivered" | "accepted" | "enroute"
                )
            });
            if let Some(f) = failed {
                Some(f.as_str())
            } else if states.iter().all(|s| s == "delivered") {
                Some("delivered")
            } else {
                None
            }
        }
    }?;
    matches!(
        pick,
        "delivered" | "undeliverable" | "expired" | "deleted" | "rejected" | "unknown"
    )
    .then(|| pick.to_owned())
}

/// What a receipt's message is like before the receipt, when the lookup already read it.
struct Target {
    /// The message's state.
    state: String,
    /// How many segments it has.
    segments: i64,
}

/// `sql_text` from the connection's statement cache; `operation` names a failure.
fn prepared<'c>(
    conn: &'c Connection,
    sql_text: &str,
    operation: &'static str,
) -> Result<rusqlite::CachedStatement<'c>, StoreError> {
    conn.prepare_cached(sql_text).map_err(sql(operation))
}

/// The statements every receipt runs, prepared once for a batch of receipts.
struct ReceiptStatements<'c> {
    lookup: rusqlite::CachedStatement<'c>,
    insert: rusqlite::CachedStatement<'c>,
    segment: rusqlite::CachedStatement<'c>,
    message: rusqlite::CachedStatement<'c>,
    event: rusqlite::CachedStatement<'c>,
}

impl<'c> ReceiptStatements<'c> {
    fn prepare(conn: &'c Connection) -> Result<Self, StoreError> {
        let prepare = |sql_text| prepared(conn, sql_text, "preparing to record receipts");
        Ok(ReceiptStatements {
            lookup: prepare(
                "SELECT s.message_id, s.part, s.smsc_id, m.state, m.segments
                 FROM segments s JOIN messages m ON m.id = s.message_id
                 WHERE s.link = ?1 AND s.smsc_key = ?2
                 ORDER BY s.message_id DESC LIMIT 1",
            )?,
            insert: prepare(
                "INSERT INTO receipts (link, smsc_key, state, error, at, message_id, part)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?,
            segment: prepare(
                "UPDATE segments SET state = ?3, error = ?4, updated_at = ?5
                 WHERE message_id = ?1 AND part = ?2",
            )?,
            message: prepare(
                "UPDATE messages SET state = ?2, error = coalesce(?3, error), updated_at = ?4 WHERE id = ?1",
            )?,
            event: prepare(INSERT_EVENT)?,
        })
    }
}

/// Applies a receipt to segment (id, part); returns the message's new state. `target`, when
/// known, saves reading the message again.
#[allow(clippy::too_many_arguments)]
fn apply_receipt(
    conn: &Connection,
    statements: &mut ReceiptStatements<'_>,
    id: i64,
    part: i64,
    r: &NewReceipt,
    smsc_id: &str,
    target: Option<Target>,
    at: i64,
) -> Result<String, StoreError> {
    if r.is_final {
        statements
            .segment
            .execute(params![id, part, r.state, r.error, at])
            .map_err(sql("applying a receipt"))?;
    }
    let target = match target {
        Some(target) => target,
        None => row(
            conn,
            "SELECT state, segments FROM messages WHERE id = ?1",
            [id],
            |r| {
                Ok(Target {
                    state: r.get(0)?,
                    segments: r.get(1)?,
                })
            },
        )
        .map_err(sql("reading a message state"))?,
    };
    // A one-segment message's state is its segment's: no need to read it back.
    let states: Vec<String> = if target.segments == 1 && r.is_final {
        vec![r.state.clone()]
    } else {
        conn.prepare_cached("SELECT state FROM segments WHERE message_id = ?1 ORDER BY part")
            .and_then(|mut s| {
                s.query_map([id], |row| row.get(0))?
                    .collect::<Result<_, _>>()
            })
            .map_err(sql("reading segment states"))?
    };
    let current = state_as_read(target.state, states.iter().any(|s| s == "queued"));
    let state = message_state(&states, r.dlr_part).unwrap_or(current.clone());
    if state != current {
        statements
            .message
            .execute(params![id, state, r.error, at])
            .map_err(sql("updating a message state"))?;
        insert_event_with(
            &mut statements.event,
            "dlr",
            &DlrBody::new(id, Some(smsc_id), &state, r.error.as_deref(), at),
        )?;
    }
    Ok(state)
}

/// The answer a submission with idempotency `key` and content `hash` gets from an earlier one
/// with that key: `Duplicate` or `KeyConflict`; `None` if the key is new.
fn earlier_with_key(
    conn: &Connection,
    key: &str,
    hash: &str,
) -> Result<Option<Earlier>, StoreError> {
    let found: Option<(i64, String, u32, String)> = row(
        conn,
        "SELECT id, idem_hash, segments, encoding FROM messages WHERE idem_key = ?1",
        [key],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .optional()
    .map_err(sql("looking up an idempotency key"))?;
    Ok(found.map(|(id, first_hash, segments, encoding)| {
        if first_hash == hash {
            Earlier::Duplicate {
                id,
                segments,
                encoding,
            }
        } else {
            Earlier::KeyConflict
        }
    }))
}

/// Records receipt `r` and applies it to its message when it matches one.
fn record_receipt(
    conn: &Connection,
    statements: &mut ReceiptStatements<'_>,
    r: &NewReceipt,
) -> Result<ReceiptOutcome, StoreError> {
    let at = now_ms();
    let mut found: Option<(i64, i64, String, Target)> = None;
    for key in &r.candidates {
        found = statements
            .lookup
            .query_row(params![r.link, key], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    Target {
                        state: row.get(3)?,
                        segments: row.get(4)?,
                    },
                ))
            })
            .optional()
            .map_err(sql("matching a receipt"))?;
        if found.is_some() {
            break;
        }
    }
    let quoted = r.candidates.first().map(String::as_str).unwrap_or_default();
    statements
        .insert
        .execute(params![
            r.link,
            quoted,
            r.state,
            r.error,
            at,
            found.as_ref().map(|f| f.0),
            found.as_ref().map(|f| f.1)
        ])
        .map_err(sql("storing a receipt"))?;
    match found {
        Some((id, part, smsc_id, target)) => {
            let state = apply_receipt(conn, statements, id, part, r, &smsc_id, Some(target), at)?;
            Ok(ReceiptOutcome::Matched { id, state })
        }
        None => Ok(ReceiptOutcome::Unmatched),
    }
}

impl Store {
    /// What an earlier submission with idempotency `key` answers for content `hash`
    /// (`Duplicate` or `KeyConflict`), without writing; `None` if the key is new.
    pub async fn earlier_with_key(
        &self,
        key: String,
        hash: String,
    ) -> Result<Option<Earlier>, StoreError> {
        self.read(move |conn| earlier_with_key(conn, &key, &hash))
            .await
    }

    /// Stores a submission (or finds the first one with the same idempotency key).
    pub async fn insert_message(&self, m: NewMessage) -> Result<Inserted, StoreError> {
        self.write_first(move |conn| {
            if let Some((key, hash)) = &m.key
                && let Some(earlier) = earlier_with_key(conn, key, hash)?
            {
                return Ok(Inserted::Earlier(earlier));
            }
            let at = now_ms();
            conn.prepare_cached(
                "INSERT INTO messages (created_at, updated_at, to_number, from_addr, text, encoding,
                 link, dlr, state, segments, idem_key, idem_hash, validity_until)
                 VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', ?8, ?9, ?10, ?11)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    at,
                    m.to,
                    m.from,
                    m.text,
                    m.encoding,
                    m.link,
                    m.dlr,
                    m.segments.len() as i64,
                    m.key.as_ref().map(|k| &k.0),
                    m.key.as_ref().map(|k| &k.1),
                    m.validity_until,
                ])
            })
            .map_err(sql("storing a message"))?;
            let id = conn.last_insert_rowid();
            let mut insert = conn
                .prepare_cached(
                    "INSERT INTO segments (message_id, part, pdu, link, state, updated_at)
                     VALUES (?1, ?2, ?3, ?4, 'queued', ?5)",
                )
                .map_err(sql("storing segments"))?;
            for (part, pdu) in m.segments.iter().enumerate() {
                insert
                    .execute(params![id, part as i64, pdu, m.link, at])
                    .map_err(sql("storing a segment"))?;
            }
            Ok(Inserted::New { id })
        })
        .await
    }

    /// A segment was accepted by the SMSC with `smsc_id` (and lookup key `smsc_key`). A
    /// receipt that arrived before this is applied now.
    pub async fn segment_accepted(
        &self,
        id: i64,
        part: u16,
        link: String,
        smsc_id: String,
        smsc_key: String,
        dlr_part: DlrPart,
    ) -> Result<(), StoreError> {
        let record = SegmentOutcome::Accepted {
            id,
            part,
            link,
            smsc_id,
            smsc_key,
            id_format: MessageIdFormat::Auto,
            dlr_part,
        };
        self.write(move |conn| record.apply(conn, &mut AcceptStatements::prepare(conn)?))
            .await
    }

    /// A segment will not be sent: refused permanently (`rejected`) or given up (`failed`).
    pub async fn segment_failed(
        &self,
        id: i64,
        part: u16,
        error: String,
        rejected: bool,
    ) -> Result<(), StoreError> {
        let record = SegmentOutcome::Failed {
            id,
            part,
            error,
            rejected,
        };
        self.write(move |conn| record.apply(conn, &mut AcceptStatements::prepare(conn)?))
            .await
    }

    /// Records many segment outcomes in one write (each in its own savepoint, so that one
    /// failing does not undo the others). Returns how many failed to record.
    pub async fn record_outcomes(
        &self,
        outcomes: Vec<SegmentOutcome>,
    ) -> Result<usize, StoreError> {
        self.write(move |conn| {
            let mut failed = 0;
            let mut accept = AcceptStatements::prepare(conn)?;
            for outcome in &outcomes {
                if let Err(e) = super::in_savepoint(conn, |conn| outcome.apply(conn, &mut accept)) {
                    tracing::error!(error = %e, ?outcome, "recording a segment outcome failed");
                    failed += 1;
                }
            }
            Ok(failed)
        })
        .await
    }

    /// Records delivery receipts in one write (one shared commit), each applied to its
    /// message when it matches one; each succeeds or fails on its own.
    pub async fn record_receipts(
        &self,
        receipts: Vec<NewReceipt>,
    ) -> Result<Vec<Result<ReceiptOutcome, StoreError>>, StoreError> {
        self.write(move |conn| {
            let mut statements = ReceiptStatements::prepare(conn)?;
            Ok(receipts
                .iter()
                .map(|r| super::in_savepoint(conn, |conn| record_receipt(conn, &mut statements, r)))
                .collect())
        })
        .await
    }

    /// Receipts kept without a matching message.
    pub async fn unmatched_receipts(&self) -> Result<u64, StoreError> {
        self.read(|conn| {
            row(
                conn,
                "SELECT count(*) FROM receipts WHERE message_id IS NULL",
                [],
                |r| r.get(0),
            )
            .map_err(sql("counting unmatched receipts"))
        })
        .await
    }

    /// Stores an inbound message, its `mo` event and any consent change, in one commit.
    pub async fn insert_inbound(&self, m: NewInbound) -> Result<i64, StoreError> {
        self.write(move |conn| {
            let at = now_ms();
            exec(
                conn,
                "INSERT INTO inbound (link, from_number, to_addr, text, at, incomplete)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![m.link, m.from, m.to, m.text, at, m.incomplete],
            )
            .map_err(sql("storing an inbound message"))?;
            let inbound_id = conn.last_insert_rowid();
            insert_event(
                conn,
                "mo",
                &MoBody {
                    event: "mo",
                    from: &m.from,
                    to: &m.to,
                    text: &m.text,
                    link: &m.link,
                    at: rfc3339(at),
                    incomplete: m.incomplete,
                },
            )?;
            if let Some(out) = m.opt_out {
                set_consent(conn, &m.from, out, "keyword", Some(inbound_id), at)?;
            }
            for row in &m.parts {
                exec(conn, "DELETE FROM mo_parts WHERE id = ?1", [row])
                    .map_err(sql("deleting a joined inbound part"))?;
            }
            Ok(inbound_id)
        })
        .await
    }

    /// Stores a part of a concatenated inbound message until its message is whole; returns
    /// its row.
    pub async fn insert_mo_part(&self, p: MoPart) -> Result<i64, StoreError> {
        self.write(move |conn| {
            exec(
                conn,
                "INSERT INTO mo_parts (link, sender, recipient, data_coding, esm_class, payload,
                 sar_reference, sar_total, sar_seq, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    p.link,
                    p.sender,
                    p.recipient,
                    p.data_coding,
                    p.esm_class,
                    p.payload,
                    p.sar.map(|c| c.reference),
                    p.sar.map(|c| c.total),
                    p.sar.map(|c| c.seq),
                    now_ms()
                ],
            )
            .map_err(sql("storing an inbound part"))?;
            Ok(conn.last_insert_rowid())
        })
        .await
    }

    /// Every stored inbound part, oldest first: what a previous run held for reassembly.
    pub async fn mo_parts(&self) -> Result<Vec<StoredMoPart>, StoreError> {
        self.read(|conn| {
            conn.prepare(
                "SELECT id, link, sender, recipient, data_coding, esm_class, payload,
                 sar_reference, sar_total, sar_seq, at FROM mo_parts ORDER BY id",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    let sar: (Option<u16>, Option<u8>, Option<u8>) =
                        (r.get(7)?, r.get(8)?, r.get(9)?);
                    Ok(StoredMoPart {
                        id: r.get(0)?,
                        part: MoPart {
                            link: r.get(1)?,
                            sender: r.get(2)?,
                            recipient: r.get(3)?,
                            data_coding: r.get(4)?,
                            esm_class: r.get(5)?,
                            payload: r.get(6)?,
                            sar: match sar {
                                (Some(reference), Some(total), Some(seq)) => {
                                    Some(smppd_text::ConcatInfo {
                                        reference,
                                        total,
                                        seq,
                                    })
                                }
                                _ => None,
                            },
                        },
                        at: r.get(10)?,
                    })
                })?
                .collect::<Result<_, _>>()
            })
            .map_err(sql("reading inbound parts"))
        })
        .await
    }

    /// Opts `number` out (`true`) or back in, by hand; `cause` says who, for the audit.
    pub async fn set_opt_out(
        &self,
        number: String,
        out: bool,
        cause: String,
    ) -> Result<(), StoreError> {
        self.write(move |conn| set_consent(conn, &number, out, &cause, None, now_ms()))
            .await
    }

    /// Whether `number` has opted out.
    pub async fn is_opted_out(&self, number: String) -> Result<bool, StoreError> {
        self.read(move |conn| {
            row(
                conn,
                "SELECT 1 FROM opt_outs WHERE number = ?1",
                [number],
                |_| Ok(()),
            )
            .optional()
            .map(|o| o.is_some())
            .map_err(sql("checking an opt-out"))
        })
        .await
    }

    /// Every opted-out number with the time it opted out (unix ms).
    pub async fn opt_outs(&self) -> Result<Vec<(String, i64)>, StoreError> {
        self.read(|conn| {
            conn.prepare("SELECT number, since FROM opt_outs ORDER BY number")
                .and_then(|mut s| {
                    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<Result<_, _>>()
                })
                .map_err(sql("listing opt-outs"))
        })
        .await
    }

    /// The consent audit trail of `number`: (action, cause, inbound id, at).
    pub async fn consent_audit(
        &self,
        number: String,
    ) -> Result<Vec<(String, String, Option<i64>, i64)>, StoreError> {
        self.read(move |conn| {
            conn.prepare(
                "SELECT action, cause, inbound_id, at FROM consent_audit WHERE number = ?1 ORDER BY id",
            )
            .and_then(|mut s| {
                s.query_map([number], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                    .collect::<Result<_, _>>()
            })
            .map_err(sql("reading the consent audit"))
        })
        .await
    }

    /// A message's status.
    pub async fn message(&self, id: i64) -> Result<Option<MessageStatus>, StoreError> {
        self.read(move |conn| {
            let head = row(
                conn,
                "SELECT state, error, created_at, updated_at FROM messages WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(sql("reading a message"))?;
            let Some((state, error, created_at, updated_at)) = head else {
                return Ok(None);
            };
            let rows: Vec<(SegmentStatus, i64)> = conn
                .prepare(
                    "SELECT part, smsc_id, state, error, updated_at FROM segments
                     WHERE message_id = ?1 ORDER BY part",
                )
                .and_then(|mut s| {
                    s.query_map([id], |r| {
                        let segment = SegmentStatus {
                            seq: r.get::<_, u32>(0)? + 1,
                            smsc_id: r.get(1)?,
                            state: r.get(2)?,
                            error: r.get(3)?,
                        };
                        Ok((segment, r.get(4)?))
                    })?
                    .collect::<Result<_, _>>()
                })
                .map_err(sql("reading segments"))?;
            // An acceptance updates only its segment.
            let updated_at = rows.iter().map(|(_, at)| *at).fold(updated_at, i64::max);
            let segments: Vec<SegmentStatus> = rows.into_iter().map(|(s, _)| s).collect();
            let state = state_as_read(state, segments.iter().any(|s| s.state == "queued"));
            Ok(Some(MessageStatus {
                id,
                state,
                error,
                segments,
                created_at,
                updated_at,
            }))
        })
        .await
    }

    /// The most recent `limit` messages exchanged with `number`, oldest first.
    pub async fn history(
        &self,
        number: String,
        limit: u32,
    ) -> Result<Vec<HistoryItem>, StoreError> {
        self.read(move |conn| {
            let mut items: Vec<HistoryItem> = conn
                .prepare(
                    "SELECT * FROM (
                        SELECT 'out', id, text, state, created_at, EXISTS (
                            SELECT 1 FROM segments s WHERE s.message_id = messages.id
                            AND s.state = 'queued')
                        FROM messages WHERE to_number = ?1
                        UNION ALL
                        SELECT 'in', id, text, NULL, at, 0 FROM inbound WHERE from_number = ?1
                     ) ORDER BY 5 DESC, 1 ASC, 2 DESC LIMIT ?2",
                )
                .and_then(|mut s| {
                    s.query_map(params![number, limit], |r| {
                        let direction: String = r.get(0)?;
                        let state: Option<String> = r.get(3)?;
                        let segment_queued: bool = r.get(5)?;
                        Ok(HistoryItem {
                            direction: if direction == "out" { "out" } else { "in" },
                            id: r.get(1)?,
                            text: r.get(2)?,
                            state: state.map(|state| state_as_read(state, segment_queued)),
                            at: r.get(4)?,
                        })
                    })?
                    .collect::<Result<_, _>>()
                })
                .map_err(sql("reading history"))?;
            items.reverse();
            Ok(items)
        })
        .await
    }

    /// Events after `since` of the given kinds, oldest first, at most `limit`.
    pub async fn events_since(
        &self,
        since: i64,
        kinds: Vec<String>,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.read(move |conn| {
            // Kinds are checked words ("dlr", "mo"); an empty list means every kind.
            let all = kinds.is_empty();
            let dlr = kinds.iter().any(|k| k == "dlr");
            let mo = kinds.iter().any(|k| k == "mo");
            let rows: Vec<(i64, String, String)> = conn
                .prepare_cached(
                    "SELECT event_id, kind, body FROM events WHERE event_id > ?1
                     AND (?3 OR (kind = 'dlr' AND ?4) OR (kind = 'mo' AND ?5))
                     ORDER BY event_id LIMIT ?2",
                )
                .and_then(|mut s| {
                    s.query_map(params![since, limit, all, dlr, mo], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })?
                    .collect::<Result<_, _>>()
                })
                .map_err(sql("reading events"))?;
            Ok(rows
                .into_iter()
                .map(|(event_id, kind, body)| StoredEvent {
                    event_id,
                    kind,
                    body,
                })
                .collect())
        })
        .await
    }

    /// Messages not finally answered, with their segments still to send.
    pub async fn unfinished(&self) -> Result<Vec<ResumeMessage>, StoreError> {
        self.read(|conn| {
            type Row = (i64, String, i64, Vec<u8>, Option<i64>);
            let rows: Vec<Row> = conn
                .prepare(
                    "SELECT m.id, m.link, s.part, s.pdu, m.validity_until FROM segments s
                     JOIN messages m ON m.id = s.message_id
                     WHERE s.state = 'queued' AND m.state = 'queued' ORDER BY s.message_id, s.part",
                )
                .and_then(|mut s| {
                    s.query_map([], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                    })?
                    .collect::<Result<_, _>>()
                })
                .map_err(sql("reading unfinished messages"))?;
            let mut out: Vec<ResumeMessage> = Vec::new();
            for (id, link, part, pdu, validity_until) in rows {
                match out.last_mut() {
                    Some(m) if m.id == id => m.segments.push((part as u16, pdu)),
                    _ => out.push(ResumeMessage {
                        id,
                        link,
                        segments: vec![(part as u16, pdu)],
                        validity_until,
                    }),
                }
            }
            Ok(out)
        })
        .await
    }

    /// Blanks the text of messages and inbound messages older than `days`, also in their
    /// `mo` events (metadata stays). Returns how many messages and inbound messages.
    pub async fn purge_text_older_than(&self, days: u32) -> Result<usize, StoreError> {
        let cutoff = now_ms() - i64::from(days) * 86_400_000;
        self.write(move |conn| {
            let a = exec(
                conn,
                "UPDATE messages SET text = NULL WHERE created_at <= ?1 AND text IS NOT NULL",
                [cutoff],
            )
            .map_err(sql("purging message text"))?;
            let b = exec(
                conn,
                "UPDATE inbound SET text = NULL WHERE at <= ?1 AND text IS NOT NULL",
                [cutoff],
            )
            .map_err(sql("purging inbound text"))?;
            // The `mo` events carry the text too. Their `at` is RFC 3339 with as many
            // fraction digits as needed, so it is compared as a time, not as text.
            exec(
                conn,
                "UPDATE events SET body = json_set(body, '$.text', '')
                 WHERE kind = 'mo'
                   AND round(unixepoch(json_extract(body, '$.at'), 'subsec') * 1000) <= ?1
                   AND json_extract(body, '$.text') <> ''",
                [cutoff],
            )
            .map_err(sql("purging inbound text from events"))?;
            Ok(a + b)
        })
        .await
    }
}

fn set_consent(
    conn: &Connection,
    number: &str,
    out: bool,
    cause: &str,
    inbound_id: Option<i64>,
    at: i64,
) -> Result<(), StoreError> {
    if out {
        exec(
            conn,
            "INSERT OR IGNORE INTO opt_outs (number, since) VALUES (?1, ?2)",
            params![number, at],
        )
    } else {
        exec(conn, "DELETE FROM opt_outs WHERE number = ?1", [number])
    }
    .map_err(sql("changing consent"))?;
    exec(
                conn,
        "INSERT INTO consent_audit (number, action, cause, inbound_id, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![number, if out { "opt_out" } else { "opt_in" }, cause, inbound_id, at],
    )
    .map_err(sql("recording consent"))?;
    Ok(())
}

/// What became of one segment, as [`Store::record_outcomes`] records it.
#[derive(Debug, Clone)]
pub enum SegmentOutcome {
    /// Accepted by the SMSC.
    Accepted {
        /// Gateway message id.
        id: i64,
        /// 0-based part.
        part: u16,
        /// The link that sent it.
        link: String,
        /// The SMSC's id as given.
        smsc_id: String,
        /// Its lookup key (`dlr::lookup_key`).
        smsc_key: String,
        /// How the link's receipts quote SMSC ids: a receipt that came before this response
        /// may be stored under any form of the id they may take (`dlr::response_candidates`).
        id_format: MessageIdFormat,
        /// The link's multi-part receipt rule, for an early receipt.
        dlr_part: DlrPart,
    },
    /// Refused permanently (`rejected`) or given up.
    Failed {
        /// Gateway message id.
        id: i64,
        /// 0-based part.
        part: u16,
        /// Why.
        error: String,
        /// Refused by the carrier (rather than given up).
        rejected: bool,
    },
}

/// The statements every accepted segment runs, prepared once for a batch of outcomes.
struct AcceptStatements<'c> {
    segment: rusqlite::CachedStatement<'c>,
    early: rusqlite::CachedStatement<'c>,
    any_early: rusqlite::CachedStatement<'c>,
    /// Links known, within this job, to hold unmatched receipts (`true`) or none. A job
    /// that applies outcomes stores no receipt, so what it learned holds until it ends: most
    /// batches then ask once per link rather than once per segment and key.
    unmatched: Vec<(String, bool)>,
}

impl<'c> AcceptStatements<'c> {
    fn prepare(conn: &'c Connection) -> Result<Self, StoreError> {
        let prepare = |sql_text| prepared(conn, sql_text, "preparing to record outcomes");
        Ok(AcceptStatements {
            segment: prepare(
                "UPDATE segments SET state = 'submitted', smsc_id = ?3, smsc_key = ?4, updated_at = ?5
                 WHERE message_id = ?1 AND part = ?2 AND state = 'queued'",
            )?,
            early: prepare(
                "SELECT id, state, error FROM receipts WHERE link = ?1 AND smsc_key = ?2
                 AND message_id IS NULL ORDER BY id LIMIT 1",
            )?,
            any_early: prepare(
                "SELECT EXISTS (SELECT 1 FROM receipts WHERE link = ?1 AND message_id IS NULL)",
            )?,
            unmatched: Vec::new(),
        })
    }

    /// Whether `link` holds any receipt not yet matched to a segment.
    fn link_has_unmatched(&mut self, link: &str) -> Result<bool, StoreError> {
        if let Some((_, has)) = self.unmatched.iter().find(|(l, _)| l == link) {
            return Ok(*has);
        }
        let has = self
            .any_early
            .query_row([link], |r| r.get(0))
            .map_err(sql("looking for unmatched receipts"))?;
        self.unmatched.push((link.to_owned(), has));
        Ok(has)
    }
}

impl SegmentOutcome {
    fn apply(
        &self,
        conn: &Connection,
        accept: &mut AcceptStatements<'_>,
    ) -> Result<(), StoreError> {
        match self {
            SegmentOutcome::Accepted {
                id,
                part,
                link,
                smsc_id,
                smsc_key,
                id_format,
                dlr_part,
            } => {
                let (id, part) = (*id, *part);
                let at = now_ms();
                let changed = accept
                    .segment
                    .execute(params![id, part, smsc_id, smsc_key, at])
                    .map_err(sql("recording an accepted segment"))?;
                // The message row is left as it is (see the module's doc).
                if changed == 0 {
                    return Ok(());
                }
                // A receipt may have come before the submit_sm_resp, quoting the id as given
                // or in another base; the key as given is tried first.
                let mut early: Option<(i64, String, Option<String>)> = None;
                if accept.link_has_unmatched(link)? {
                    let early_keys = crate::dlr::response_candidates(smsc_id, *id_format);
                    let others = early_keys.iter().filter(|key| *key != smsc_key);
                    for key in std::iter::once(smsc_key).chain(others) {
                        early = accept
                            .early
                            .query_row(params![link, key], |r| {
                                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                            })
                            .optional()
                            .map_err(sql("looking for an early receipt"))?;
                        if early.is_some() {
                            break;
                        }
                    }
                }
                if let Some((receipt_id, state, error)) = early {
                    exec(
                        conn,
                        "UPDATE receipts SET message_id = ?2, part = ?3 WHERE id = ?1",
                        params![receipt_id, id, part],
                    )
                    .map_err(sql("matching an early receipt"))?;
                    let is_final = !matches!(state.as_str(), "accepted" | "enroute");
                    let receipt = NewReceipt {
                        link: link.clone(),
                        candidates: vec![smsc_key.clone()],
                        state,
                        is_final,
                        error,
                        dlr_part: *dlr_part,
                    };
                    let mut statements = ReceiptStatements::prepare(conn)?;
                    apply_receipt(
                        conn,
                        &mut statements,
                        id,
                        i64::from(part),
                        &receipt,
                        smsc_id,
                        None,
                        at,
                    )?;
                }
                Ok(())
            }
            SegmentOutcome::Failed {
                id,
                part,
                error,
                rejected,
            } => {
                let (id, part) = (*id, *part);
                let at = now_ms();
                let state = if *rejected { "rejected" } else { "failed" };
                let changed = exec(
                    conn,
                    "UPDATE segments SET state = ?3, error = ?4, updated_at = ?5
                         WHERE message_id = ?1 AND part = ?2 AND state = 'queued'",
                    params![id, part, state, error, at],
                )
                .map_err(sql("recording a failed segment"))?;
                let updated = exec(
                    conn,
                    "UPDATE messages SET state = ?2, error = ?3, updated_at = ?4
                         WHERE id = ?1 AND state IN ('queued', 'submitted')",
                    params![id, state, error, at],
                )
                .map_err(sql("failing a message"))?;
                if changed > 0 && updated > 0 {
                    insert_event(conn, "dlr", &DlrBody::new(id, None, state, Some(error), at))?;
                }
                Ok(())
            }
        }
    }
}
