//! Consent keywords in inbound messages: STOP and its synonyms opt a number out, START opts it
//! back in, HELP asks for help. Matching ignores case and spaces, and trailing punctuation
//! ("Stop.", " s t o p ", "STOP!"), but the keyword must be the whole message: "please don't
//! stop" is not an opt-out.

/// What an inbound message asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    /// Opt out.
    Stop,
    /// Opt back in.
    Start,
    /// Help.
    Help,
}

/// The keyword lists (from the `[consent]` configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keywords {
    /// Opt-out words.
    pub stop: Vec<String>,
    /// Opt-in words.
    pub start: Vec<String>,
    /// Help words.
    pub help: Vec<String>,
}

impl Default for Keywords {
    fn default() -> Self {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect();
        Keywords {
            stop: words(&["STOP", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]),
            start: words(&["START", "UNSTOP"]),
            help: words(&["HELP"]),
        }
    }
}

fn canonical(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_end_matches(['.', '!', '?'])
        .to_uppercase()
}

impl Keywords {
    /// The keyword `text` is, if any.
    pub fn classify(&self, text: &str) -> Option<Keyword> {
        let text = canonical(text);
        if text.is_empty() {
            return None;
        }
        let is = |words: &[String]| words.iter().any(|w| canonical(w) == text);
        if is(&self.stop) {
            Some(Keyword::Stop)
        } else if is(&self.start) {
            Some(Keyword::Start)
        } else if is(&self.help) {
            Some(Keyword::Help)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_ignore_case_spaces_and_trailing_punctuation() {
        let k = Keywords::default();
        for stop in [
            "STOP",
            "stop",
            " Stop ",
            "S T O P",
            "stop.",
            "Unsubscribe!",
            "quit",
            "END",
        ] {
            assert_eq!(k.classify(stop), Some(Keyword::Stop), "{stop:?}");
        }
        for start in ["start", "UNSTOP", "Start!"] {
            assert_eq!(k.classify(start), Some(Keyword::Start), "{start:?}");
        }
        assert_eq!(k.classify("help"), Some(Keyword::Help));
        for other in ["", "please don't stop", "stopp", "STOP now", "!"] {
            assert_eq!(k.classify(other), None, "{other:?}");
        }
    }
}
