//! The encodings a message can be sent in, their names and data_coding values, and the automatic
//! choice between them.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::error::TextError;
use crate::gsm7::{self, Gsm7Tables};
use crate::latin1;
use crate::segment::{Capacity, Concat, EncodeOptions};
use crate::shift::NationalLanguage;
use crate::transliterate::{self, Transliteration};
use crate::ucs2;

/// How a message's text is written into `short_message`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// GSM 03.38 7-bit alphabet in the given tables (data_coding 0).
    Gsm7(Gsm7Tables),
    /// IA5 / ASCII, one octet per character (data_coding 1).
    Ascii,
    /// ISO 8859-1, one octet per character (data_coding 3).
    Latin1,
    /// UTF-16 big-endian, surrogate pairs included (data_coding 8).
    Ucs2,
    /// Octets passed through unchanged (data_coding 4).
    Binary,
}

/// The unit a message's size is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// GSM 7-bit septets.
    Septets,
    /// UTF-16 code units (a surrogate pair counts two).
    Ucs2Units,
    /// Octets.
    Octets,
}

impl Unit {
    /// Name used in JSON output: `septets`, `ucs2_units`, `octets`.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Septets => "septets",
            Unit::Ucs2Units => "ucs2_units",
            Unit::Octets => "octets",
        }
    }
}

impl Encoding {
    /// The GSM default alphabet and extension table.
    pub const GSM7: Encoding = Encoding::Gsm7(Gsm7Tables::DEFAULT);

    /// The SMPP data_coding value (SMPP 3.4 §5.2.19).
    pub fn data_coding(self) -> u8 {
        match self {
            Encoding::Gsm7(_) => 0x00,
            Encoding::Ascii => 0x01,
            Encoding::Latin1 => 0x03,
            Encoding::Ucs2 => 0x08,
            Encoding::Binary => 0x04,
        }
    }

    /// The unit capacities are counted in.
    pub fn unit(self) -> Unit {
        match self {
            Encoding::Gsm7(_) => Unit::Septets,
            Encoding::Ucs2 => Unit::Ucs2Units,
            Encoding::Ascii | Encoding::Latin1 | Encoding::Binary => Unit::Octets,
        }
    }

    /// Whether the encoding can represent `ch` (binary takes any text as its UTF-8 octets).
    pub fn can_encode(self, ch: char) -> bool {
        match self {
            Encoding::Gsm7(tables) => tables.code(ch).is_some(),
            Encoding::Ascii => latin1::is_ascii(ch),
            Encoding::Latin1 => latin1::is_latin1(ch),
            Encoding::Ucs2 | Encoding::Binary => true,
        }
    }
}

const ENCODING_NAMES: &str = "auto, gsm7, gsm7-<lang>, gsm7-<lang>-locking, \
    gsm7-<lang>-locking-only, gsm7-<lang>-locking-<lang>, ucs2, latin1, ascii, binary \
    (lang: turkish, spanish, portuguese)";

impl fmt::Display for Encoding {
    /// `gsm7`, `gsm7-turkish` (single shift), `gsm7-turkish-locking` (locking and single shift),
    /// `gsm7-turkish-locking-only`, `gsm7-portuguese-locking-spanish`, `ucs2`, `latin1`, `ascii`,
    /// `binary`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Encoding::Gsm7(tables) => {
                f.write_str("gsm7")?;
                match (tables.locking_language(), tables.single_language()) {
                    (None, None) => Ok(()),
                    (None, Some(s)) => write!(f, "-{s}"),
                    (Some(l), Some(s)) if l == s => write!(f, "-{l}-locking"),
                    (Some(l), None) => write!(f, "-{l}-locking-only"),
                    (Some(l), Some(s)) => write!(f, "-{l}-locking-{s}"),
                }
            }
            Encoding::Ascii => f.write_str("ascii"),
            Encoding::Latin1 => f.write_str("latin1"),
            Encoding::Ucs2 => f.write_str("ucs2"),
            Encoding::Binary => f.write_str("binary"),
        }
    }
}

impl FromStr for Encoding {
    type Err = TextError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || TextError::UnknownName {
            what: "encoding",
            name: s.to_owned(),
            expected: ENCODING_NAMES,
        };
        let lower = s.trim().to_ascii_lowercase();
        match lower.as_str() {
            "ascii" | "ia5" => return Ok(Encoding::Ascii),
            "latin1" | "latin-1" | "iso-8859-1" => return Ok(Encoding::Latin1),
            "ucs2" | "ucs-2" | "utf-16be" => return Ok(Encoding::Ucs2),
            "binary" => return Ok(Encoding::Binary),
            "gsm7" | "gsm" => return Ok(Encoding::GSM7),
            _ => {}
        }
        let rest = lower.strip_prefix("gsm7-").ok_or_else(unknown)?;
        let language = |name: &str| -> Result<NationalLanguage, TextError> {
            NationalLanguage::ALL
                .into_iter()
                .find(|l| l.name() == name || l.code() == name)
                .ok_or_else(unknown)
        };
        let tables = match rest.split_once("-locking") {
            None => Gsm7Tables::single(language(rest)?),
            Some((locking, "")) => {
                let l = language(locking)?;
                Gsm7Tables::new(Some(l), Some(l))?
            }
            Some((locking, "-only")) => Gsm7Tables::new(Some(language(locking)?), None)?,
            Some((locking, single)) => {
                let single = single.strip_prefix('-').ok_or_else(unknown)?;
                Gsm7Tables::new(Some(language(locking)?), Some(language(single)?))?
            }
        };
        Ok(Encoding::Gsm7(tables))
    }
}

/// Which encoding a message is sent in: chosen per message, or forced by the caller.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum EncodingChoice {
    /// The encoding with the fewest segments: GSM default alphabet, then a permitted national
    /// table, then UCS-2 (earlier wins a tie).
    #[default]
    Auto,
    /// Exactly this encoding; text it cannot represent is an error.
    Forced(Encoding),
}

impl fmt::Display for EncodingChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodingChoice::Auto => f.write_str("auto"),
            EncodingChoice::Forced(e) => e.fmt(f),
        }
    }
}

impl FromStr for EncodingChoice {
    type Err = TextError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("auto") {
            Ok(EncodingChoice::Auto)
        } else {
            s.parse().map(EncodingChoice::Forced)
        }
    }
}

/// A character that forced UCS-2: no permitted GSM table has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offender {
    /// The character.
    pub ch: char,
    /// Position of its first occurrence, in characters from 0.
    pub position: usize,
}

/// At most this many distinct offenders are listed; the rest of a long non-GSM text adds nothing
/// a reader needs.
const MAX_OFFENDERS: usize = 32;

/// The text of a message in its chosen encoding, one unit per element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Units {
    /// Septets, an escaped character as ESC then its code.
    Septets(Vec<u8>),
    /// UTF-16 code units.
    Ucs2(Vec<u16>),
    /// Octets.
    Octets(Vec<u8>),
}

/// The outcome of [`choose`]: the encoding and the text encoded in it.
#[derive(Debug)]
pub(crate) struct Chosen {
    pub encoding: Encoding,
    pub units: Units,
    pub transliterated: Vec<Transliteration>,
    pub forced_ucs2: Vec<Offender>,
}

/// Picks the encoding for `text` under `options` and encodes it.
pub(crate) fn choose(text: &str, options: &EncodeOptions) -> Result<Chosen, TextError> {
    match options.encoding {
        EncodingChoice::Forced(encoding) => forced(text, encoding, options.transliterate),
        EncodingChoice::Auto => Ok(auto(text, options)),
    }
}

fn forced(text: &str, encoding: Encoding, transliterate: bool) -> Result<Chosen, TextError> {
    let (text, transliterated) = if transliterate {
        transliterate::apply(text, |ch| encoding.can_encode(ch))
    } else {
        (Cow::Borrowed(text), Vec::new())
    };
    let failed = |(ch, position): (char, usize)| TextError::Unencodable {
        ch,
        position: transliterate::original_position(position, &transliterated),
        encoding,
    };
    let units = match encoding {
        Encoding::Gsm7(tables) => {
            let mut septets = Vec::new();
            gsm7::encode_septets(&text, tables, &mut septets).map_err(failed)?;
            Units::Septets(septets)
        }
        Encoding::Ucs2 => {
            let mut units = Vec::new();
            ucs2::encode_units(&text, &mut units);
            Units::Ucs2(units)
        }
        Encoding::Ascii | Encoding::Latin1 => {
            let mut octets = Vec::new();
            latin1::encode(&text, encoding == Encoding::Ascii, &mut octets).map_err(failed)?;
            Units::Octets(octets)
        }
        Encoding::Binary => Units::Octets(text.as_bytes().to_vec()),
    };
    Ok(Chosen {
        encoding,
        units,
        transliterated,
        forced_ucs2: Vec::new(),
    })
}

fn auto(text: &str, options: &EncodeOptions) -> Chosen {
    let candidates = candidates(options);
    if let Some(chosen) = auto_gsm(text, &candidates, options.concat, Vec::new()) {
        return chosen;
    }
    if options.transliterate {
        let any = |ch: char| candidates.iter().any(|t| t.code(ch).is_some());
        let (changed, transliterated) = transliterate::apply(text, any);
        if !transliterated.is_empty() {
            if let Some(chosen) = auto_gsm(&changed, &candidates, options.concat, transliterated) {
                return chosen;
            }
        }
    }
    // UCS-2 represents the original text; a partial transliteration would gain nothing.
    let (units, forced_ucs2) = ucs2_with_offenders(text, &candidates);
    Chosen {
        encoding: Encoding::Ucs2,
        units: Units::Ucs2(units),
        transliterated: Vec::new(),
        forced_ucs2,
    }
}

/// The GSM table pairs the options permit, in order of preference: default, single shift
/// tables, locking shift tables alone, locking with their own single shift, mixed pairs.
fn candidates(options: &EncodeOptions) -> Vec<Gsm7Tables> {
    let mut out = vec![Gsm7Tables::DEFAULT];
    if options.national.is_empty() {
        return out;
    }
    let langs: Vec<NationalLanguage> = options.national.iter().collect();
    let lockable = || langs.iter().copied().filter(|l| l.has_locking_table());
    out.extend(langs.iter().map(|&s| Gsm7Tables::single(s)));
    out.extend(lockable().filter_map(|l| Gsm7Tables::new(Some(l), None).ok()));
    out.extend(lockable().filter_map(|l| Gsm7Tables::new(Some(l), Some(l)).ok()));
    for l in lockable() {
        for &s in langs.iter().filter(|&&s| s != l) {
            out.extend(Gsm7Tables::new(Some(l), Some(s)).ok());
        }
    }
    out
}

/// Encodes `text` in the permitted GSM tables that give the fewest segments, if any can.
fn auto_gsm(
    text: &str,
    candidates: &[Gsm7Tables],
    concat: Concat,
    transliterated: Vec<Transliteration>,
) -> Option<Chosen> {
    let tables = if let [only] = candidates {
        *only
    } else {
        let chars = text.chars().count();
        // Default-alphabet text without escapes spends one septet a character, the least any
        // table can, and has the most room: no national table can beat it.
        if candidates.first() == Some(&Gsm7Tables::DEFAULT) {
            let mut septets = Vec::new();
            if gsm7::encode_septets(text, Gsm7Tables::DEFAULT, &mut septets).is_ok()
                && septets.len() == chars
            {
                return Some(Chosen {
                    encoding: Encoding::GSM7,
                    units: Units::Septets(septets),
                    transliterated,
                    forced_ucs2: Vec::new(),
                });
            }
        }
        let mut best: Option<(usize, Gsm7Tables)> = None;
        for &tables in candidates {
            let capacity = Capacity::of(Encoding::Gsm7(tables), concat);
            // Every character costs at least one septet: a candidate that cannot beat the best
            // even then is not worth counting.
            let at_least = if chars <= capacity.single {
                1
            } else {
                chars.div_ceil(capacity.multi.max(1))
            };
            if best.is_some_and(|(fewest, _)| fewest <= at_least) {
                continue;
            }
            let to_beat = best.map(|(fewest, _)| fewest);
            let Some(segments) = gsm_segments(text, tables, capacity, to_beat) else {
                continue;
            };
            if best.is_none_or(|(fewest, _)| segments < fewest) {
                best = Some((segments, tables));
            }
        }
        best?.1
    };
    let mut septets = Vec::new();
    gsm7::encode_septets(text, tables, &mut septets).ok()?;
    Some(Chosen {
        encoding: Encoding::Gsm7(tables),
        units: Units::Septets(septets),
        transliterated,
        forced_ucs2: Vec::new(),
    })
}

/// Segments `text` needs in `tables`, splitting as the segmenter does (an escaped character
/// never straddles two segments); `None` if the tables cannot represent it or it needs at
/// least `to_beat` segments.
fn gsm_segments(
    text: &str,
    tables: Gsm7Tables,
    capacity: Capacity,
    to_beat: Option<usize>,
) -> Option<usize> {
    let coder = tables.coder();
    let (mut total, mut fill, mut segments) = (0, 0, 1);
    for ch in text.chars() {
        let cost = coder.cost(ch)?;
        if fill + cost > capacity.multi {
            segments += 1;
            // Already as many segments as the best so far: this one cannot win.
            if to_beat.is_some_and(|best| segments >= best) {
                return None;
            }
            fill = 0;
        }
        fill += cost;
        total += cost;
    }
    Some(if total <= capacity.single {
        1
    } else {
        segments
    })
}

/// The UTF-16 code units of `text`, and the distinct characters no candidate can represent,
/// each at its first position; one pass.
fn ucs2_with_offenders(text: &str, candidates: &[Gsm7Tables]) -> (Vec<u16>, Vec<Offender>) {
    let mut units = Vec::with_capacity(text.len());
    let mut out: Vec<Offender> = Vec::new();
    let coders: Vec<_> = candidates.iter().map(|t| t.coder()).collect();
    for (position, ch) in text.chars().enumerate() {
        ucs2::push_char(ch, &mut units);
        if out.len() < MAX_OFFENDERS
            && coders.iter().all(|c| c.code(ch).is_none())
            && out.iter().all(|o| o.ch != ch)
        {
            out.push(Offender { ch, position });
        }
    }
    (units, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shift::NationalLanguage::{Portuguese, Spanish, Turkish};

    #[test]
    fn names_round_trip() {
        let cases: &[(&str, Encoding)] = &[
            ("gsm7", Encoding::GSM7),
            ("gsm7-turkish", Encoding::Gsm7(Gsm7Tables::single(Turkish))),
            ("gsm7-spanish", Encoding::Gsm7(Gsm7Tables::single(Spanish))),
            (
                "gsm7-portuguese-locking",
                Encoding::Gsm7(Gsm7Tables::new(Some(Portuguese), Some(Portuguese)).unwrap()),
            ),
            (
                "gsm7-turkish-locking-only",
                Encoding::Gsm7(Gsm7Tables::new(Some(Turkish), None).unwrap()),
            ),
            (
                "gsm7-turkish-locking-spanish",
                Encoding::Gsm7(Gsm7Tables::new(Some(Turkish), Some(Spanish)).unwrap()),
            ),
            ("ucs2", Encoding::Ucs2),
            ("latin1", Encoding::Latin1),
            ("ascii", Encoding::Ascii),
            ("binary", Encoding::Binary),
        ];
        for (name, encoding) in cases {
            assert_eq!(name.parse::<Encoding>().unwrap(), *encoding, "{name}");
            assert_eq!(encoding.to_string(), *name);
        }
        assert!("gsm7-spanish-locking".parse::<Encoding>().is_err());
        assert!("gsm7-klingon".parse::<Encoding>().is_err());
        assert!("utf8".parse::<Encoding>().is_err());
        assert_eq!(
            "auto".parse::<EncodingChoice>().unwrap(),
            EncodingChoice::Auto
        );
    }

    #[test]
    fn data_coding_values() {
        let cases = [
            (Encoding::GSM7, 0x00),
            (Encoding::Gsm7(Gsm7Tables::single(Turkish)), 0x00),
            (Encoding::Ascii, 0x01),
            (Encoding::Latin1, 0x03),
            (Encoding::Binary, 0x04),
            (Encoding::Ucs2, 0x08),
        ];
        for (encoding, dc) in cases {
            assert_eq!(encoding.data_coding(), dc, "{encoding}");
        }
    }
}
