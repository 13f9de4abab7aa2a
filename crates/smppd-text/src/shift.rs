//! National language shift tables of 3GPP TS 23.038 annex A for Turkish, Spanish and Portuguese.
//!
//! A locking shift table (UDH IEI 0x25) replaces the default alphabet; a single shift table (UDH
//! IEI 0x24) replaces the default extension table reached through ESC. Spanish has only a single
//! shift table (A.3.2 is void).

use std::fmt;
use std::str::FromStr;

use crate::error::TextError;
use crate::gsm7::{DEFAULT_ALPHABET, DEFAULT_EXTENSION, ESC, sparse};

/// A national language with shift tables in TS 23.038 annex A; the discriminant is the value the
/// UDH information elements 0x24 and 0x25 carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NationalLanguage {
    /// Turkish: single shift A.2.1, locking shift A.3.1.
    Turkish = 1,
    /// Spanish: single shift A.2.2 (no locking shift table).
    Spanish = 2,
    /// Portuguese: single shift A.2.3, locking shift A.3.3.
    Portuguese = 3,
}

impl NationalLanguage {
    /// All supported languages, in language-identifier order.
    pub const ALL: [NationalLanguage; 3] = [Self::Turkish, Self::Spanish, Self::Portuguese];

    /// The language for a UDH national language identifier, if supported.
    pub fn from_id(id: u8) -> Option<Self> {
        match id {
            1 => Some(Self::Turkish),
            2 => Some(Self::Spanish),
            3 => Some(Self::Portuguese),
            _ => None,
        }
    }

    /// The national language identifier carried in UDH IEIs 0x24 and 0x25.
    pub fn id(self) -> u8 {
        self as u8
    }

    /// Lower-case English name, as used in encoding names (`gsm7-turkish`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Turkish => "turkish",
            Self::Spanish => "spanish",
            Self::Portuguese => "portuguese",
        }
    }

    /// ISO 639-1 code (`tr`, `es`, `pt`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Turkish => "tr",
            Self::Spanish => "es",
            Self::Portuguese => "pt",
        }
    }

    /// Whether TS 23.038 defines a locking shift table for the language.
    pub fn has_locking_table(self) -> bool {
        !matches!(self, Self::Spanish)
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for NationalLanguage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for NationalLanguage {
    type Err = TextError;

    /// Accepts the ISO code (`tr`) or the English name (`turkish`), any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|l| l.code() == lower || l.name() == lower)
            .ok_or_else(|| TextError::UnknownName {
                what: "language",
                name: s.to_owned(),
                expected: "tr, es, pt (or turkish, spanish, portuguese)",
            })
    }
}

/// A set of national languages whose tables a link (or a request) permits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct LanguageSet(u8);

impl LanguageSet {
    /// No national tables: the GSM default alphabet only.
    pub const EMPTY: LanguageSet = LanguageSet(0);

    /// Every supported language.
    pub fn all() -> Self {
        NationalLanguage::ALL.into_iter().collect()
    }

    /// Adds a language.
    pub fn insert(&mut self, language: NationalLanguage) {
        self.0 |= 1 << language.index();
    }

    /// Whether the set permits a language.
    pub fn contains(self, language: NationalLanguage) -> bool {
        self.0 & (1 << language.index()) != 0
    }

    /// Whether no language is permitted.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The permitted languages in identifier order.
    pub fn iter(self) -> impl Iterator<Item = NationalLanguage> {
        NationalLanguage::ALL
            .into_iter()
            .filter(move |l| self.contains(*l))
    }
}

impl FromIterator<NationalLanguage> for LanguageSet {
    fn from_iter<I: IntoIterator<Item = NationalLanguage>>(iter: I) -> Self {
        let mut set = LanguageSet::EMPTY;
        for language in iter {
            set.insert(language);
        }
        set
    }
}

/// Locking shift tables indexed by language identifier; 0 is the default alphabet and Spanish,
/// which has none, falls back to it.
pub(crate) const LOCKING: [&[char; 128]; 4] = [
    &DEFAULT_ALPHABET,
    &TURKISH_LOCKING,
    &DEFAULT_ALPHABET,
    &PORTUGUESE_LOCKING,
];

/// Single shift tables indexed by language identifier; 0 is the default extension table.
pub(crate) const SINGLE: [&[char; 128]; 4] = [
    &DEFAULT_EXTENSION,
    &TURKISH_SINGLE,
    &SPANISH_SINGLE,
    &PORTUGUESE_SINGLE,
];

/// TS 23.038 A.3.1 Turkish national language locking shift table.
#[rustfmt::skip]
pub(crate) const TURKISH_LOCKING: [char; 128] = [
    '@', '£', '$', '¥', '€', 'é', 'ù', 'ı', 'ò', 'Ç', '\n', 'Ğ', 'ğ', '\r', 'Å', 'å',
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', ESC, 'Ş', 'ş', 'ß', 'É',
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
    'İ', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
    'ç', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
];

/// TS 23.038 A.3.3 Portuguese national language locking shift table.
#[rustfmt::skip]
pub(crate) const PORTUGUESE_LOCKING: [char; 128] = [
    '@', '£', '$', '¥', 'ê', 'é', 'ú', 'í', 'ó', 'ç', '\n', 'Ô', 'ô', '\r', 'Á', 'á',
    'Δ', '_', 'ª', 'Ç', 'À', '∞', '^', '\\', '€', 'Ó', '|', ESC, 'Â', 'â', 'Ê', 'É',
    ' ', '!', '"', '#', 'º', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
    'Í', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ã', 'Õ', 'Ú', 'Ü', '§',
    '~', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ã', 'õ', '`', 'ü', 'à',
];

/// TS 23.038 A.2.1 Turkish national language single shift table.
pub(crate) const TURKISH_SINGLE: [char; 128] = sparse(&[
    (0x0A, '\u{0C}'),
    (0x14, '^'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2F, '\\'),
    (0x3C, '['),
    (0x3D, '~'),
    (0x3E, ']'),
    (0x40, '|'),
    (0x47, 'Ğ'),
    (0x49, 'İ'),
    (0x53, 'Ş'),
    (0x63, 'ç'),
    (0x65, '€'),
    (0x67, 'ğ'),
    (0x69, 'ı'),
    (0x73, 'ş'),
]);

/// TS 23.038 A.2.2 Spanish national language single shift table.
pub(crate) const SPANISH_SINGLE: [char; 128] = sparse(&[
    (0x09, 'ç'),
    (0x0A, '\u{0C}'),
    (0x14, '^'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2F, '\\'),
    (0x3C, '['),
    (0x3D, '~'),
    (0x3E, ']'),
    (0x40, '|'),
    (0x41, 'Á'),
    (0x49, 'Í'),
    (0x4F, 'Ó'),
    (0x55, 'Ú'),
    (0x61, 'á'),
    (0x65, '€'),
    (0x69, 'í'),
    (0x6F, 'ó'),
    (0x75, 'ú'),
]);

/// TS 23.038 A.2.3 Portuguese national language single shift table.
pub(crate) const PORTUGUESE_SINGLE: [char; 128] = sparse(&[
    (0x05, 'ê'),
    (0x09, 'ç'),
    (0x0A, '\u{0C}'),
    (0x0B, 'Ô'),
    (0x0C, 'ô'),
    (0x0E, 'Á'),
    (0x0F, 'á'),
    (0x12, 'Φ'),
    (0x13, 'Γ'),
    (0x14, '^'),
    (0x15, 'Ω'),
    (0x16, 'Π'),
    (0x17, 'Ψ'),
    (0x18, 'Σ'),
    (0x19, 'Θ'),
    (0x1F, 'Ê'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2F, '\\'),
    (0x3C, '['),
    (0x3D, '~'),
    (0x3E, ']'),
    (0x40, '|'),
    (0x41, 'À'),
    (0x49, 'Í'),
    (0x4F, 'Ó'),
    (0x55, 'Ú'),
    (0x5B, 'Ã'),
    (0x5C, 'Õ'),
    (0x61, 'Â'),
    (0x65, '€'),
    (0x69, 'í'),
    (0x6F, 'ó'),
    (0x75, 'ú'),
    (0x7B, 'ã'),
    (0x7C, 'õ'),
    (0x7F, 'â'),
]);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gsm7::{EXT, Gsm7Tables, decode_septets, encode_septets};

    fn round_trip(tables: Gsm7Tables, ch: char) {
        let mut septets = Vec::new();
        encode_septets(&ch.to_string(), tables, &mut septets).unwrap();
        let mut back = String::new();
        decode_septets(&septets, tables, &mut back, |_, i| panic!("{i:?}"));
        assert_eq!(back, ch.to_string(), "{ch:?} in {tables:?}");
    }

    #[test]
    fn every_locking_shift_entry_round_trips() {
        for language in [NationalLanguage::Turkish, NationalLanguage::Portuguese] {
            let table = LOCKING[language.index()];
            for single in [None, Some(language)] {
                let tables = Gsm7Tables::new(Some(language), single).unwrap();
                for (code, &ch) in table.iter().enumerate() {
                    if code == usize::from(crate::gsm7::ESC_SEPTET) {
                        continue;
                    }
                    assert_eq!(tables.code(ch), Some(code as u8), "{ch:?} {language}");
                    round_trip(tables, ch);
                }
            }
        }
    }

    #[test]
    fn every_single_shift_entry_round_trips() {
        for language in NationalLanguage::ALL {
            let tables = Gsm7Tables::single(language);
            let table = SINGLE[language.index()];
            for (code, &ch) in table.iter().enumerate() {
                if ch == '\0' {
                    continue;
                }
                // A character also in the default alphabet (Portuguese repeats the Greek
                // capitals) takes the cheaper one-septet code.
                let expected = match DEFAULT_ALPHABET.iter().position(|&c| c == ch) {
                    Some(base) => base as u8,
                    None => EXT | code as u8,
                };
                assert_eq!(tables.code(ch), Some(expected), "{ch:?} {language}");
                round_trip(tables, ch);
                // And the escaped code decodes to it whatever the encoder prefers.
                let mut back = String::new();
                decode_septets(&[0x1B, code as u8], tables, &mut back, |_, _| panic!());
                assert_eq!(back, ch.to_string());
            }
        }
    }

    #[test]
    fn spot_checks_against_ts_23_038_annex_a() {
        // Table, character, septet code (EXT for the single shift tables).
        let tr_lock = Gsm7Tables::new(Some(NationalLanguage::Turkish), None).unwrap();
        let pt_lock = Gsm7Tables::new(Some(NationalLanguage::Portuguese), None).unwrap();
        let tr = Gsm7Tables::single(NationalLanguage::Turkish);
        let es = Gsm7Tables::single(NationalLanguage::Spanish);
        let pt = Gsm7Tables::single(NationalLanguage::Portuguese);
        let cases: &[(Gsm7Tables, char, u8)] = &[
            (tr_lock, '€', 0x04),
            (tr_lock, 'ı', 0x07),
            (tr_lock, 'Ğ', 0x0B),
            (tr_lock, 'ğ', 0x0C),
            (tr_lock, 'Ş', 0x1C),
            (tr_lock, 'ş', 0x1D),
            (tr_lock, 'İ', 0x40),
            (tr_lock, 'ç', 0x60),
            (pt_lock, 'ê', 0x04),
            (pt_lock, 'ª', 0x12),
            (pt_lock, '∞', 0x15),
            (pt_lock, 'º', 0x24),
            (pt_lock, '~', 0x60),
            (pt_lock, '`', 0x7D),
            (tr, 'Ğ', EXT | 0x47),
            (tr, 'İ', EXT | 0x49),
            (tr, 'ş', EXT | 0x73),
            (tr, '€', EXT | 0x65),
            (es, 'ç', EXT | 0x09),
            (es, 'Á', EXT | 0x41),
            (es, 'ú', EXT | 0x75),
            (pt, 'ê', EXT | 0x05),
            (pt, 'Ê', EXT | 0x1F),
            (pt, 'Ã', EXT | 0x5B),
            (pt, 'â', EXT | 0x7F),
        ];
        for (tables, ch, code) in cases {
            assert_eq!(tables.code(*ch), Some(*code), "{ch:?}");
        }
        // Replaced in the Turkish locking table: è, ì, Ø, ø, Æ, æ, ¡, ¿ are gone.
        for ch in ['è', 'ì', 'Ø', 'ø', 'Æ', 'æ', '¡', '¿'] {
            assert_eq!(tr_lock.code(ch), None, "{ch:?}");
        }
    }

    #[test]
    fn language_names_and_sets() {
        assert_eq!(
            "TR".parse::<NationalLanguage>().unwrap(),
            NationalLanguage::Turkish
        );
        assert_eq!(
            "spanish".parse::<NationalLanguage>().unwrap(),
            NationalLanguage::Spanish
        );
        assert!("bn".parse::<NationalLanguage>().is_err());
        let set: LanguageSet = [NationalLanguage::Portuguese].into_iter().collect();
        assert!(set.contains(NationalLanguage::Portuguese));
        assert!(!set.contains(NationalLanguage::Turkish));
        assert_eq!(LanguageSet::all().iter().count(), 3);
        assert!(Gsm7Tables::new(Some(NationalLanguage::Spanish), None).is_err());
    }
}
