//! Durations as people write them: `500ms`, `30s`, `2m`, `1h`, `7d`, or sums such as `1m30s`.
//!
//! A dozen lines do not justify a dependency; the grammar is deliberately strict (no spaces, no
//! fractions, a unit always) so that `30` or `1.5s` is an error rather than a guess.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, de};

/// Parses a duration: one or more `<digits><unit>` groups, unit one of `ms`, `s`, `m`, `h`, `d`.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let error = |reason| DurationError {
        text: text.to_owned(),
        reason,
    };
    if text.is_empty() {
        return Err(error("it is empty; write e.g. `30s`"));
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(error(
                "expected a whole number followed by ms, s, m, h or d, e.g. `30s` or `1m30s`",
            ));
        }
        let (number, after) = rest.split_at(digits);
        let letters = after.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (unit, after) = after.split_at(letters);
        let millis_per_unit: u64 = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "" if after.is_empty() => return Err(error("it has no unit; write e.g. `30s`")),
            "" => return Err(error("fractions are not allowed; write e.g. `1500ms`")),
            _ => return Err(error("the unit must be ms, s, m, h or d")),
        };
        let too_long = || error("it is too long");
        let millis = number
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(millis_per_unit))
            .ok_or_else(too_long)?;
        total = total
            .checked_add(Duration::from_millis(millis))
            .ok_or_else(too_long)?;
        rest = after;
    }
    Ok(total)
}

/// A duration that [`parse_duration`] refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration `{text}`: {reason}")]
pub struct DurationError {
    text: String,
    reason: &'static str,
}

/// A duration read from a TOML string with [`parse_duration`]. Refusing it inside serde lets
/// toml report the error with its position, like any other wrongly typed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TomlDuration(pub(super) Duration);

impl<'de> Deserialize<'de> for TomlDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = TomlDuration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as \"500ms\", \"30s\", \"2m\" or \"1h\"")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<TomlDuration, E> {
                parse_duration(text).map(TomlDuration).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}
