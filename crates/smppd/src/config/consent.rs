//! `[consent]`: opt-out keywords, automatic replies, and how long message text is kept.

use serde::Deserialize;

use super::Checker;

/// `[consent]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentConfig {
    /// `stop_words`: an inbound message that is one of these opts its sender out.
    pub stop_words: Vec<String>,
    /// `start_words`: an inbound message that is one of these opts its sender back in.
    pub start_words: Vec<String>,
    /// `help_words`: an inbound message that is one of these gets `help_reply`.
    pub help_words: Vec<String>,
    /// `allow_transactional`: a submission marked `"transactional": true` may go to an
    /// opted-out number (order and security notices the customer cannot opt out of).
    pub allow_transactional: bool,
    /// `stop_reply`: sent back to a number that opts out; none if absent.
    pub stop_reply: Option<String>,
    /// `start_reply`: sent back to a number that opts back in.
    pub start_reply: Option<String>,
    /// `help_reply`: sent back to a HELP.
    pub help_reply: Option<String>,
    /// `reply_from`: the sender of automatic replies; by default the number the keyword was
    /// sent to.
    pub reply_from: Option<String>,
    /// `retention_days`: message text older than this is blanked (metadata kept); none keeps
    /// text forever.
    pub retention_days: Option<u32>,
}

impl Default for ConsentConfig {
    fn default() -> Self {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect();
        ConsentConfig {
            stop_words: words(&["STOP", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]),
            start_words: words(&["START", "UNSTOP"]),
            help_words: words(&["HELP"]),
            allow_transactional: false,
            stop_reply: None,
            start_reply: None,
            help_reply: None,
            reply_from: None,
            retention_days: None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of [consent] settings")]
pub(super) struct RawConsent {
    stop_words: Option<Vec<String>>,
    start_words: Option<Vec<String>>,
    help_words: Option<Vec<String>>,
    allow_transactional: Option<bool>,
    stop_reply: Option<String>,
    start_reply: Option<String>,
    help_reply: Option<String>,
    reply_from: Option<String>,
    retention_days: Option<u32>,
}

pub(super) fn validate(raw: RawConsent, checker: &mut Checker<'_>) -> ConsentConfig {
    let defaults = ConsentConfig::default();
    let mut words = |key: &str, given: Option<Vec<String>>, default: Vec<String>| {
        let list = given.unwrap_or(default);
        if list.iter().any(|w| w.trim().is_empty()) {
            checker.problem_unplaced(key, "a keyword must not be empty");
        }
        list
    };
    let stop_words = words("consent.stop_words", raw.stop_words, defaults.stop_words);
    let start_words = words("consent.start_words", raw.start_words, defaults.start_words);
    let help_words = words("consent.help_words", raw.help_words, defaults.help_words);
    if raw.retention_days == Some(0) {
        checker.problem_unplaced(
            "consent.retention_days",
            "must be at least 1 (leave it out to keep text forever)",
        );
    }
    ConsentConfig {
        stop_words,
        start_words,
        help_words,
        allow_transactional: raw.allow_transactional.unwrap_or(false),
        stop_reply: raw.stop_reply,
        start_reply: raw.start_reply,
        help_reply: raw.help_reply,
        reply_from: raw.reply_from,
        retention_days: raw.retention_days,
    }
}
