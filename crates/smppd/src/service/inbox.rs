//! Inbound parts waiting for the rest of their message, with the store rows that hold them.
//!
//! Each part of a concatenated inbound message is stored (`mo_parts`) before the SMSC gets
//! its `deliver_sm_resp`, so a crash loses no acknowledged part. The reassembler joins the
//! parts in memory; this keeps, beside it, which rows hold the parts of each set, so that the
//! message that leaves the reassembler (whole, expired or evicted) is stored together with
//! the deletion of exactly its parts' rows, in one transaction.

use smppd_text::{InboundPart, Outcome, Reassembled, Reassembler, ReassemblyConfig};
use std::collections::HashMap;
use std::time::Instant;

/// (sender, recipient, reference): how the reassembler keys a set.
type SetKey = (String, String, u16);

/// A message out of the inbox, with the link it came on and the rows of its stored parts.
#[derive(Debug)]
pub struct Released {
    /// The message (whole, or what arrived of it).
    pub message: Reassembled,
    /// The link of its parts (of the part that released it, when it was not held).
    pub link: String,
    /// `mo_parts` rows to delete when it is stored.
    pub rows: Vec<i64>,
}

/// The reassembler and the stored rows of what it holds.
#[derive(Debug)]
pub struct Inbox {
    reassembler: Reassembler,
    held: HashMap<SetKey, (String, Vec<i64>)>,
}

impl Inbox {
    /// An empty inbox.
    pub fn new(config: ReassemblyConfig) -> Self {
        Inbox {
            reassembler: Reassembler::new(config),
            held: HashMap::new(),
        }
    }

    /// Whether `part` waits in the reassembler, and so is stored as a part.
    pub fn waits(part: &InboundPart) -> bool {
        Reassembler::holds(part)
    }

    /// Adds `part` from `link` (stored as `row` if it [`waits`](Self::waits)) received at
    /// `now`; returns the messages that leave.
    pub fn push(
        &mut self,
        link: &str,
        sender: &str,
        recipient: &str,
        part: InboundPart,
        row: Option<i64>,
        now: Instant,
    ) -> Vec<Released> {
        let key = part
            .concat
            .map(|c| (sender.to_owned(), recipient.to_owned(), c.reference));
        let mut row = row.filter(|_| Self::waits(&part));
        let out = self.reassembler.push(sender, recipient, part, now);
        let mut released = Vec::with_capacity(out.len());
        for message in out {
            // A set that waited here has its first part's link; else the message is this part.
            let (link, mut rows) = self
                .take(&message)
                .unwrap_or_else(|| (link.to_owned(), Vec::new()));
            let own_set = key.as_ref().is_some_and(|(s, r, reference)| {
                message.sender == *s
                    && message.recipient == *r
                    && message.reference == Some(*reference)
            });
            // A superseded set is the old one: the new part starts the next set.
            if own_set && message.outcome != Outcome::Superseded {
                rows.extend(row.take());
            }
            released.push(Released {
                message,
                link,
                rows,
            });
        }
        if let (Some(row), Some(key)) = (row, key) {
            let entry = self
                .held
                .entry(key)
                .or_insert_with(|| (link.to_owned(), Vec::new()));
            entry.1.push(row);
        }
        released
    }

    /// The sets whose deadline is at or before `now`, incomplete.
    pub fn expire(&mut self, now: Instant) -> Vec<Released> {
        let out = self.reassembler.expire(now);
        out.into_iter()
            .map(|message| {
                // Every waiting part was held with its row; an empty link (never expected)
                // is stored under the first link, as any unknown one.
                let (link, rows) = self.take(&message).unwrap_or_default();
                Released {
                    message,
                    link,
                    rows,
                }
            })
            .collect()
    }

    /// Sets held.
    pub fn len(&self) -> usize {
        self.reassembler.len()
    }

    /// The link and rows of the set `message` came out of, if it was a held set.
    fn take(&mut self, message: &Reassembled) -> Option<(String, Vec<i64>)> {
        // Parts that never waited (single, or a bad sequence number) have no rows.
        if message.total <= 1 || message.outcome == Outcome::BadSequence {
            return None;
        }
        let key = (
            message.sender.clone(),
            message.recipient.clone(),
            message.reference?,
        );
        self.held.remove(&key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smppd_text::DecodeOptions;
    use std::time::Duration;

    /// Part `seq` of `total` with 8-bit reference `reference`, GSM 7-bit text `text`.
    fn part(reference: u8, total: u8, seq: u8, text: &str) -> InboundPart {
        let mut message = vec![0x05, 0x00, 0x03, reference, total, seq];
        message.extend_from_slice(text.as_bytes());
        InboundPart::parse(0, 0x40, message.into(), None, &DecodeOptions::default()).unwrap()
    }

    fn text(r: &Released) -> &str {
        r.message.decoded.content.text().unwrap()
    }

    #[test]
    fn a_whole_message_leaves_with_the_rows_of_all_its_parts() {
        let mut inbox = Inbox::new(ReassemblyConfig::default());
        let now = Instant::now();
        assert!(
            inbox
                .push("a", "+44", "2222", part(7, 3, 3, "c"), Some(10), now)
                .is_empty()
        );
        assert!(
            inbox
                .push("a", "+44", "2222", part(7, 3, 1, "a"), Some(11), now)
                .is_empty()
        );
        let out = inbox.push("b", "+44", "2222", part(7, 3, 2, "b"), Some(12), now);
        assert_eq!(out.len(), 1);
        assert_eq!(text(&out[0]), "abc");
        assert_eq!(out[0].rows, [10, 11, 12]);
        assert_eq!(out[0].link, "a", "the link of the first part held");
        assert_eq!(inbox.len(), 0);
    }

    #[test]
    fn a_single_message_has_no_rows_and_leaves_held_sets_alone() {
        let mut inbox = Inbox::new(ReassemblyConfig::default());
        let now = Instant::now();
        inbox.push("a", "+44", "2222", part(7, 2, 1, "a"), Some(1), now);
        let plain = InboundPart::parse(0, 0, "hi".into(), None, &DecodeOptions::default()).unwrap();
        let out = inbox.push("a", "+44", "2222", plain, None, now);
        assert_eq!((text(&out[0]), out[0].rows.len()), ("hi", 0));
        // One part of one, with the held set's reference: not of that set.
        let out = inbox.push("a", "+44", "2222", part(7, 1, 1, "x"), Some(2), now);
        assert_eq!((text(&out[0]), out[0].rows.len()), ("x", 0));
        let out = inbox.push("a", "+44", "2222", part(7, 2, 2, "b"), Some(3), now);
        assert_eq!((text(&out[0]), out[0].rows.clone()), ("ab", vec![1, 3]));
    }

    #[test]
    fn a_superseded_set_leaves_with_its_own_rows_and_the_new_part_is_held() {
        let mut inbox = Inbox::new(ReassemblyConfig::default());
        let now = Instant::now();
        inbox.push("a", "+44", "2222", part(9, 3, 1, "old"), Some(1), now);
        // Same reference, another total: a new message.
        let out = inbox.push("a", "+44", "2222", part(9, 2, 1, "new"), Some(2), now);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].message.outcome, Outcome::Superseded);
        assert_eq!(out[0].rows, [1]);
        let out = inbox.push("a", "+44", "2222", part(9, 2, 2, "er"), Some(3), now);
        assert_eq!((text(&out[0]), out[0].rows.clone()), ("newer", vec![2, 3]));
    }

    #[test]
    fn an_expired_set_leaves_incomplete_with_its_rows_and_link() {
        let config = ReassemblyConfig::default();
        let timeout = config.timeout;
        let mut inbox = Inbox::new(config);
        let now = Instant::now();
        inbox.push(
            "carrier",
            "+44",
            "2222",
            part(3, 2, 1, "half"),
            Some(5),
            now,
        );
        assert!(inbox.expire(now).is_empty());
        let out = inbox.expire(now + timeout + Duration::from_secs(1));
        assert_eq!(out.len(), 1);
        assert!(!out[0].message.is_complete());
        assert_eq!(
            (out[0].link.as_str(), out[0].rows.clone()),
            ("carrier", vec![5])
        );
    }
}
