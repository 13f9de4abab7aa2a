//! Joining the parts of concatenated inbound messages.
//!
//! Parts are keyed by sender, recipient and reference; they may arrive in any order and more
//! than once. Memory is bounded by a number of sets and a number of octets, and a set that stays
//! incomplete past its deadline is delivered as it is, flagged incomplete. Nothing is dropped
//! silently: every part pushed comes back out in exactly one [`Reassembled`], or was a duplicate
//! counted in one. There is no clock and no IO here: the caller passes `now` and asks for
//! [`Reassembler::next_deadline`].

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use crate::decode::{Decoded, InboundPart, decode_bodies};

/// Limits of a [`Reassembler`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReassemblyConfig {
    /// Incomplete sets held at once; beyond it the oldest is delivered incomplete.
    pub max_sets: usize,
    /// Text octets held at once; beyond it the oldest sets are delivered incomplete.
    pub max_bytes: usize,
    /// How long a set may stay incomplete, from its first part.
    pub timeout: Duration,
}

impl Default for ReassemblyConfig {
    /// 10,000 sets, 8 MiB, 5 minutes.
    fn default() -> Self {
        ReassemblyConfig {
            max_sets: 10_000,
            max_bytes: 8 << 20,
            timeout: Duration::from_secs(300),
        }
    }
}

/// Why a message came out of the reassembler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Every part arrived (or the message was not concatenated).
    Complete,
    /// The set was still incomplete at its deadline.
    Expired,
    /// The set was pushed out to keep within the memory bounds.
    Evicted,
    /// A part with the same key but a different total or data_coding started a new set.
    Superseded,
    /// The part's sequence number was 0 or above its total; delivered on its own.
    BadSequence,
    /// [`Reassembler::drain`] emptied the reassembler.
    Drained,
}

/// A message, whole or partial, out of the reassembler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reassembled {
    /// Sender (source address) the parts came from.
    pub sender: String,
    /// Recipient (destination address) they went to.
    pub recipient: String,
    /// The concatenation reference, if the message was concatenated.
    pub reference: Option<u16>,
    /// Parts the message was announced to have (1 if not concatenated).
    pub total: u8,
    /// The data_coding of the parts.
    pub data_coding: u8,
    /// Why it was delivered; only [`Outcome::Complete`] means nothing is missing.
    pub outcome: Outcome,
    /// Sequence numbers (1-based) that never arrived.
    pub missing: Vec<u8>,
    /// Duplicate parts that were received and ignored.
    pub duplicates: u32,
    /// The decoded content of the parts present, in sequence order.
    pub decoded: Decoded,
}

impl Reassembled {
    /// Whether every part is present.
    pub fn is_complete(&self) -> bool {
        self.outcome == Outcome::Complete
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SetKey {
    sender: String,
    recipient: String,
    reference: u16,
}

#[derive(Debug)]
struct PartialSet {
    /// Position in `Reassembler::order`.
    slot: (Instant, u64),
    total: u8,
    data_coding: u8,
    parts: Vec<Option<InboundPart>>,
    received: usize,
    duplicates: u32,
    bytes: usize,
}

/// Joins concatenated inbound messages; see the module documentation.
#[derive(Debug)]
pub struct Reassembler {
    config: ReassemblyConfig,
    sets: HashMap<SetKey, PartialSet>,
    /// Sets by deadline (then arrival), oldest first: for expiry and for eviction.
    order: BTreeMap<(Instant, u64), SetKey>,
    bytes: usize,
    arrivals: u64,
}

impl Reassembler {
    /// An empty reassembler.
    pub fn new(config: ReassemblyConfig) -> Self {
        Reassembler {
            config,
            sets: HashMap::new(),
            order: BTreeMap::new(),
            bytes: 0,
            arrivals: 0,
        }
    }

    /// Whether [`push`](Self::push) holds `part` to wait for others: one of several, with a
    /// sequence number within their count. Any other part comes straight back out.
    pub fn holds(part: &InboundPart) -> bool {
        part.concat
            .is_some_and(|c| c.total > 1 && (1..=c.total).contains(&c.seq))
    }

    /// Adds a part received at `now`; returns the messages it completes, or that had to leave to
    /// make room for it. A part that is not concatenated comes straight back out.
    pub fn push(
        &mut self,
        sender: &str,
        recipient: &str,
        part: InboundPart,
        now: Instant,
    ) -> Vec<Reassembled> {
        let Some(concat) = part.concat.filter(|c| c.total > 1) else {
            let reference = part.concat.map(|c| c.reference);
            return vec![single(
                sender,
                recipient,
                reference,
                part,
                Outcome::Complete,
            )];
        };
        if !Self::holds(&part) {
            let outcome = Outcome::BadSequence;
            return vec![single(
                sender,
                recipient,
                Some(concat.reference),
                part,
                outcome,
            )];
        }
        let key = SetKey {
            sender: sender.to_owned(),
            recipient: recipient.to_owned(),
            reference: concat.reference,
        };
        let mut out = Vec::new();
        if let Some(set) = self.sets.get(&key)
            && (set.total != concat.total || set.data_coding != part.data_coding)
        {
            out.extend(self.remove(&key, Outcome::Superseded));
        }
        let set = match self.sets.get_mut(&key) {
            Some(set) => set,
            None => {
                self.arrivals += 1;
                let slot = (now + self.config.timeout, self.arrivals);
                self.order.insert(slot, key.clone());
                self.sets.entry(key.clone()).or_insert(PartialSet {
                    slot,
                    total: concat.total,
                    data_coding: part.data_coding,
                    parts: vec![None; usize::from(concat.total)],
                    received: 0,
                    duplicates: 0,
                    bytes: 0,
                })
            }
        };
        match set.parts.get_mut(usize::from(concat.seq) - 1) {
            Some(Some(_)) => set.duplicates += 1,
            Some(slot) => {
                let size = part.size();
                set.bytes += size;
                self.bytes += size;
                set.received += 1;
                *slot = Some(part);
            }
            // Unreachable: seq was checked against total, which sized `parts`.
            None => {}
        }
        if set.received == usize::from(set.total) {
            out.extend(self.remove(&key, Outcome::Complete));
        }
        while self.sets.len() > self.config.max_sets || self.bytes > self.config.max_bytes {
            let Some((_, oldest)) = self.order.first_key_value() else {
                break;
            };
            let oldest = oldest.clone();
            out.extend(self.remove(&oldest, Outcome::Evicted));
        }
        out
    }

    /// Delivers, flagged [`Outcome::Expired`], every set whose deadline is at or before `now`.
    pub fn expire(&mut self, now: Instant) -> Vec<Reassembled> {
        let mut out = Vec::new();
        while let Some((&(deadline, _), key)) = self.order.first_key_value() {
            if deadline > now {
                break;
            }
            let key = key.clone();
            out.extend(self.remove(&key, Outcome::Expired));
        }
        out
    }

    /// When [`expire`](Self::expire) next has something to do.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.order
            .first_key_value()
            .map(|(&(deadline, _), _)| deadline)
    }

    /// Delivers every incomplete set, oldest first (for shutdown).
    pub fn drain(&mut self) -> Vec<Reassembled> {
        let keys: Vec<SetKey> = self.order.values().cloned().collect();
        keys.iter()
            .filter_map(|key| self.remove(key, Outcome::Drained))
            .collect()
    }

    /// Incomplete sets held.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Whether no set is held.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// Text octets held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    fn remove(&mut self, key: &SetKey, outcome: Outcome) -> Option<Reassembled> {
        let set = self.sets.remove(key)?;
        self.order.remove(&set.slot);
        self.bytes -= set.bytes;
        let missing = (1..=set.total)
            .filter(|&seq| {
                set.parts
                    .get(usize::from(seq) - 1)
                    .is_some_and(Option::is_none)
            })
            .collect();
        let decoded = decode_bodies(set.parts.iter().flatten().map(|p| &p.body));
        Some(Reassembled {
            sender: key.sender.clone(),
            recipient: key.recipient.clone(),
            reference: Some(key.reference),
            total: set.total,
            data_coding: set.data_coding,
            outcome,
            missing,
            duplicates: set.duplicates,
            decoded,
        })
    }
}

fn single(
    sender: &str,
    recipient: &str,
    reference: Option<u16>,
    part: InboundPart,
    outcome: Outcome,
) -> Reassembled {
    Reassembled {
        sender: sender.to_owned(),
        recipient: recipient.to_owned(),
        reference,
        total: part.concat.map_or(1, |c| c.total.max(1)),
        data_coding: part.data_coding,
        outcome,
        missing: Vec::new(),
        duplicates: 0,
        decoded: part.decode(),
    }
}
