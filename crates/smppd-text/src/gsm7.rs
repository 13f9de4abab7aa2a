//! The GSM 03.38 (3GPP TS 23.038 §6.2.1) 7-bit alphabet: the tables, character lookup, septet
//! packing (TS 23.038 §6.1.2.1) and septet decoding.

use crate::error::TextError;
use crate::shift::{LOCKING, NationalLanguage, SINGLE};

/// Placeholder in the base tables for 0x1B, the escape to the extension (single shift) table.
pub(crate) const ESC: char = '\u{1B}';
/// The escape septet.
pub(crate) const ESC_SEPTET: u8 = 0x1B;
/// Marks an undefined entry of a single shift table.
const UNDEFINED: char = '\0';

/// TS 23.038 §6.2.1 GSM 7-bit default alphabet.
#[rustfmt::skip]
pub(crate) const DEFAULT_ALPHABET: [char; 128] = [
    '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å',
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', ESC, 'Æ', 'æ', 'ß', 'É',
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
    '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
    '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
];

/// TS 23.038 §6.2.1.1 default alphabet extension table (reached through ESC).
pub(crate) const DEFAULT_EXTENSION: [char; 128] = sparse(&[
    (0x0A, '\u{0C}'),
    (0x14, '^'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2F, '\\'),
    (0x3C, '['),
    (0x3D, '~'),
    (0x3E, ']'),
    (0x40, '|'),
    (0x65, '€'),
]);

/// Builds a single shift table from its defined entries.
pub(crate) const fn sparse(entries: &[(u8, char)]) -> [char; 128] {
    let mut table = [UNDEFINED; 128];
    let mut i = 0;
    while i < entries.len() {
        let (code, ch) = entries[i];
        table[(code & 0x7F) as usize] = ch;
        i += 1;
    }
    table
}

/// The pair of tables a GSM 7-bit message is written in: a locking shift table (the default
/// alphabet when `None`) and a single shift table (the default extension table when `None`).
///
/// Each national table costs a 3-octet information element in the user data header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Gsm7Tables {
    locking: Option<NationalLanguage>,
    single: Option<NationalLanguage>,
}

impl Gsm7Tables {
    /// The default alphabet with the default extension table.
    pub const DEFAULT: Gsm7Tables = Gsm7Tables {
        locking: None,
        single: None,
    };

    /// A table pair; fails for a Spanish locking shift table, which TS 23.038 does not define.
    pub fn new(
        locking: Option<NationalLanguage>,
        single: Option<NationalLanguage>,
    ) -> Result<Self, TextError> {
        match locking {
            Some(language) if !language.has_locking_table() => {
                Err(TextError::NoLockingTable { language })
            }
            _ => Ok(Gsm7Tables { locking, single }),
        }
    }

    /// The single shift table of a language over the default alphabet.
    pub fn single(language: NationalLanguage) -> Self {
        Gsm7Tables {
            locking: None,
            single: Some(language),
        }
    }

    /// The locking shift table of a language.
    pub fn locking_language(self) -> Option<NationalLanguage> {
        self.locking
    }

    /// The single shift table of a language.
    pub fn single_language(self) -> Option<NationalLanguage> {
        self.single
    }

    /// How many national-language information elements the UDH needs (0, 1 or 2).
    pub fn ie_count(self) -> usize {
        usize::from(self.locking.is_some()) + usize::from(self.single.is_some())
    }

    /// Octets the national-language information elements take in the UDH (3 each).
    pub fn ie_octets(self) -> usize {
        3 * self.ie_count()
    }

    fn indices(self) -> (usize, usize) {
        (
            self.locking.map_or(0, NationalLanguage::index),
            self.single.map_or(0, NationalLanguage::index),
        )
    }

    /// The base (locking) table.
    pub(crate) fn base(self) -> &'static [char; 128] {
        LOCKING[self.indices().0]
    }

    /// The extension (single shift) table.
    pub(crate) fn extension(self) -> &'static [char; 128] {
        SINGLE[self.indices().1]
    }

    /// The septet code of a character: the base-table septet, or `EXT | septet` for a character
    /// reached through ESC. `None` if the tables cannot represent it.
    #[inline]
    pub(crate) fn code(self, ch: char) -> Option<u8> {
        self.coder().code(ch)
    }

    /// The lookup for this pair, resolved once for a loop over many characters.
    #[inline]
    pub(crate) fn coder(self) -> Coder {
        let (l, s) = self.indices();
        Coder {
            reverse: &REVERSE[l][s],
            base: LOCKING[l],
            ext: SINGLE[s],
        }
    }
}

/// Character-to-septet lookup for one table pair.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Coder {
    reverse: &'static [u8; REVERSE_SPAN as usize],
    base: &'static [char; 128],
    ext: &'static [char; 128],
}

impl Coder {
    /// See [`Gsm7Tables::code`].
    #[inline]
    pub(crate) fn code(&self, ch: char) -> Option<u8> {
        let cp = ch as u32;
        let code = if cp < REVERSE_SPAN {
            self.reverse[cp as usize]
        } else if HIGH_CHARS.contains(&ch) {
            high_code(self.base, self.ext, ch)
        } else {
            NO_CODE
        };
        (code != NO_CODE).then_some(code)
    }

    /// Septets a character costs (1, 2 through ESC), or `None` if not representable.
    #[inline]
    pub(crate) fn cost(&self, ch: char) -> Option<usize> {
        self.code(ch).map(|code| 1 + usize::from(code >> 7))
    }
}

/// Flag in a code from [`Gsm7Tables::code`]: the character is in the extension table.
pub(crate) const EXT: u8 = 0x80;
/// No code; `EXT | ESC` can never be a real code because 0x1B of a single shift table is reserved.
const NO_CODE: u8 = EXT | ESC_SEPTET;
/// Characters below this have a direct reverse lookup; the few above it are scanned for.
const REVERSE_SPAN: u32 = 0x400;

/// Reverse lookup for every (locking, single) table pair, indexed by language identifier.
static REVERSE: [[[u8; REVERSE_SPAN as usize]; 4]; 4] = build_all_reverse();

const fn build_all_reverse() -> [[[u8; REVERSE_SPAN as usize]; 4]; 4] {
    let mut all = [[[NO_CODE; REVERSE_SPAN as usize]; 4]; 4];
    let mut l = 0;
    while l < 4 {
        let mut s = 0;
        while s < 4 {
            all[l][s] = build_reverse(LOCKING[l], SINGLE[s]);
            s += 1;
        }
        l += 1;
    }
    all
}

const fn build_reverse(base: &[char; 128], ext: &[char; 128]) -> [u8; REVERSE_SPAN as usize] {
    let mut rev = [NO_CODE; REVERSE_SPAN as usize];
    // Extension entries first so that a character present in both tables gets the cheaper
    // one-septet base code.
    let mut i = 0;
    while i < 128 {
        let cp = ext[i] as u32;
        if ext[i] != UNDEFINED && i != ESC_SEPTET as usize && cp < REVERSE_SPAN {
            rev[cp as usize] = EXT | i as u8;
        }
        i += 1;
    }
    i = 0;
    while i < 128 {
        let cp = base[i] as u32;
        if i != ESC_SEPTET as usize && cp < REVERSE_SPAN {
            rev[cp as usize] = i as u8;
        }
        i += 1;
    }
    rev
}

/// The only table characters at or above [`REVERSE_SPAN`]; anything else there (emoji, CJK) is
/// refused without a scan.
const HIGH_CHARS: [char; 2] = ['€', '∞'];

/// Lookup for the handful of table characters above U+03FF (`€`, `∞`).
#[cold]
fn high_code(base: &[char; 128], ext: &[char; 128], ch: char) -> u8 {
    if let Some(i) = base.iter().position(|&c| c == ch) {
        return i as u8;
    }
    match ext.iter().position(|&c| c == ch) {
        Some(i) if i != usize::from(ESC_SEPTET) => EXT | i as u8,
        _ => NO_CODE,
    }
}

/// Septets a header of `udh_octets` occupies, fill bits included (TS 23.040 §9.2.3.24).
pub(crate) fn header_septets(udh_octets: usize) -> usize {
    (udh_octets * 8).div_ceil(7)
}

/// Appends `septets` packed seven bits each, least significant bit first, after a header of
/// `udh_octets` already in `out`, the first septet starting on the septet boundary after the
/// header (fill bits zero; TS 23.038 §6.1.2.1.1, TS 23.040 §9.2.3.24).
///
/// When the last octet has seven spare bits they hold CR, not zero, so that the receiver does
/// not read a spurious `@` (TS 23.038 §6.1.2.3.1); [`unpack`] drops such a trailing CR.
pub(crate) fn pack(out: &mut Vec<u8>, udh_octets: usize, septets: &[u8]) {
    let fill = header_septets(udh_octets) * 7 - udh_octets * 8;
    out.reserve((fill + septets.len() * 7).div_ceil(8));
    let mut acc: u64 = 0;
    let mut bits = fill as u32;
    for &s in septets {
        acc |= u64::from(s & 0x7F) << bits;
        bits += 7;
        // Seven octets at a time rather than one: the hot loop of packed segmentation.
        if bits >= 56 {
            out.extend_from_slice(&acc.to_le_bytes()[..7]);
            acc >>= 56;
            bits -= 56;
        }
    }
    while bits >= 8 {
        out.push(acc as u8);
        acc >>= 8;
        bits -= 8;
    }
    if bits == 1 {
        acc |= 0x0D << 1;
    }
    if bits > 0 {
        out.push(acc as u8);
    }
}

#[cfg(test)]
/// Octets that [`pack`] produces for `septets` after a header of `udh_octets`.
pub(crate) fn packed_len(udh_octets: usize, septets: usize) -> usize {
    ((header_septets(udh_octets) + septets) * 7).div_ceil(8)
}

/// Whether packed `septets` after a header of `udh_octets` end with CR exactly on an octet
/// boundary, where [`unpack`] would take the CR for padding.
pub(crate) fn cr_at_boundary(udh_octets: usize, septets: &[u8]) -> bool {
    septets.last() == Some(&0x0D) && (header_septets(udh_octets) + septets.len()) % 8 == 0
}

/// Unpacks the septets that follow a header of `udh_octets` in packed `data`.
pub(crate) fn unpack(data: &[u8], udh_octets: usize) -> Vec<u8> {
    let total = data.len() * 8 / 7;
    let first = header_septets(udh_octets);
    let mut out = Vec::with_capacity(total.saturating_sub(first));
    for i in first..total {
        let bit = i * 7;
        let lo = data.get(bit / 8).copied().map_or(0, u16::from);
        let hi = data.get(bit / 8 + 1).copied().map_or(0, u16::from);
        out.push((((hi << 8 | lo) >> (bit % 8)) & 0x7F) as u8);
    }
    // Seven spare bits at the end hold a padding CR (see `pack`).
    if data.len() * 8 % 7 == 0 && out.last() == Some(&0x0D) {
        out.pop();
    }
    out
}

/// Appends the septets of `text` in `tables`, one per octet; on failure returns the first
/// character that has no code and its position in characters.
pub(crate) fn encode_septets(
    text: &str,
    tables: Gsm7Tables,
    out: &mut Vec<u8>,
) -> Result<(), (char, usize)> {
    out.reserve(text.len());
    let coder = tables.coder();
    for (position, ch) in text.chars().enumerate() {
        match coder.code(ch) {
            Some(code) if code & EXT != 0 => {
                out.push(ESC_SEPTET);
                out.push(code & 0x7F);
            }
            Some(code) => out.push(code),
            None => return Err((ch, position)),
        }
    }
    Ok(())
}

/// What decoding septets found besides characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SeptetIssue {
    /// An octet above 0x7F in unpacked septets; decoded as U+FFFD.
    NotASeptet(u8),
    /// ESC as the last septet, with nothing to escape; dropped.
    DanglingEscape,
}

/// Decodes septets (one per octet) in `tables`, calling `issue` with each irregularity and the
/// character position it occurred at.
///
/// An escaped code the single shift table does not define shows the base-table character, and
/// ESC ESC shows a space, as TS 23.038 §6.2.1.1 tells receivers to do.
pub(crate) fn decode_septets(
    septets: &[u8],
    tables: Gsm7Tables,
    out: &mut String,
    mut issue: impl FnMut(usize, SeptetIssue),
) {
    let base = tables.base();
    let ext = tables.extension();
    let mut chars = 0;
    let mut iter = septets.iter().copied();
    while let Some(s) = iter.next() {
        if s > 0x7F {
            issue(chars, SeptetIssue::NotASeptet(s));
            out.push(char::REPLACEMENT_CHARACTER);
        } else if s == ESC_SEPTET {
            match iter.next() {
                None => {
                    issue(chars, SeptetIssue::DanglingEscape);
                    continue;
                }
                Some(ESC_SEPTET) => out.push(' '),
                Some(e) if e > 0x7F => {
                    issue(chars, SeptetIssue::NotASeptet(e));
                    out.push(char::REPLACEMENT_CHARACTER);
                }
                Some(e) => {
                    let i = usize::from(e);
                    out.push(if ext[i] == UNDEFINED { base[i] } else { ext[i] });
                }
            }
        } else {
            out.push(base[usize::from(s)]);
        }
        chars += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02X}")).collect()
    }

    fn septets(text: &str, tables: Gsm7Tables) -> Vec<u8> {
        let mut out = Vec::new();
        encode_septets(text, tables, &mut out).unwrap();
        out
    }

    #[test]
    fn default_alphabet_round_trips_every_entry() {
        for (code, &ch) in DEFAULT_ALPHABET.iter().enumerate() {
            if code == usize::from(ESC_SEPTET) {
                continue;
            }
            assert_eq!(Gsm7Tables::DEFAULT.code(ch), Some(code as u8), "{ch:?}");
            let mut s = String::new();
            decode_septets(&[code as u8], Gsm7Tables::DEFAULT, &mut s, |_, _| panic!());
            assert_eq!(s, ch.to_string());
        }
    }

    #[test]
    fn high_characters_list_is_complete() {
        let tables = crate::shift::LOCKING
            .iter()
            .chain(crate::shift::SINGLE.iter());
        for table in tables {
            for &ch in table.iter() {
                assert!(
                    (ch as u32) < REVERSE_SPAN || HIGH_CHARS.contains(&ch),
                    "{ch:?}"
                );
            }
        }
    }

    #[test]
    fn extension_table_costs_two_septets() {
        // Input, septets (unpacked), side by side; values from TS 23.038 §6.2.1.1.
        let cases: &[(&str, &[u8])] = &[
            ("\u{0C}", &[0x1B, 0x0A]),
            ("^", &[0x1B, 0x14]),
            ("{", &[0x1B, 0x28]),
            ("}", &[0x1B, 0x29]),
            ("\\", &[0x1B, 0x2F]),
            ("[", &[0x1B, 0x3C]),
            ("~", &[0x1B, 0x3D]),
            ("]", &[0x1B, 0x3E]),
            ("|", &[0x1B, 0x40]),
            ("€", &[0x1B, 0x65]),
            ("a€b", &[0x61, 0x1B, 0x65, 0x62]),
        ];
        for (text, expected) in cases {
            assert_eq!(septets(text, Gsm7Tables::DEFAULT), *expected, "{text:?}");
        }
    }

    #[test]
    fn characters_outside_the_alphabet_are_refused_with_their_position() {
        let mut out = Vec::new();
        assert_eq!(
            encode_septets("ab`c", Gsm7Tables::DEFAULT, &mut out),
            Err(('`', 2))
        );
        for ch in ['ç', '“', 'á', '😀', '\u{1B}', '\0'] {
            assert_eq!(Gsm7Tables::DEFAULT.code(ch), None, "{ch:?}");
        }
    }

    #[test]
    fn packing_matches_spec_vectors() {
        // Input, UDH, packed octets. "hellohello" is the classic TS 23.038 example; the UDH
        // cases put the first septet on the boundary after one fill bit (6-octet UDH) or none
        // (7-octet UDH).
        let cases: &[(&str, &[u8], &str)] = &[
            ("hellohello", &[], "E8329BFD4697D9EC37"),
            ("A", &[], "41"),
            ("1234567", &[], "31D98C56B3DD1A"),
            ("12345678", &[], "31D98C56B3DD70"),
            ("", &[], ""),
            (
                "A",
                &[0x05, 0x00, 0x03, 0x01, 0x02, 0x01],
                "050003010201", /* + */
            ),
            (
                "A",
                &[0x06, 0x08, 0x04, 0x00, 0x01, 0x02, 0x01],
                "06080400010201",
            ),
        ];
        for (text, udh, expected) in cases {
            let mut out = udh.to_vec();
            pack(&mut out, udh.len(), &septets(text, Gsm7Tables::DEFAULT));
            let expected = match (*text, udh.len()) {
                ("A", 6) => format!("{expected}82"),
                ("A", 7) => format!("{expected}41"),
                _ => (*expected).to_owned(),
            };
            assert_eq!(hex(&out), expected, "{text:?}");
            assert_eq!(out.len(), packed_len(udh.len(), text.len()));
            assert_eq!(unpack(&out, udh.len()), septets(text, Gsm7Tables::DEFAULT));
        }
    }

    #[test]
    fn seven_spare_bits_are_filled_with_cr_and_dropped_on_unpack() {
        // 7 septets leave 7 spare bits in the 7th octet: CR (0x0D << 1 = 0x1A) fills them.
        let mut out = Vec::new();
        pack(&mut out, 0, &[0; 7]);
        assert_eq!(hex(&out), "0000000000001A");
        assert_eq!(unpack(&out, 0), [0; 7]);
    }

    #[test]
    fn undefined_escape_shows_base_character_and_escape_escape_a_space() {
        let mut s = String::new();
        let mut issues = Vec::new();
        decode_septets(
            &[0x1B, 0x41, 0x1B, 0x1B, 0x80, 0x1B],
            Gsm7Tables::DEFAULT,
            &mut s,
            |p, i| issues.push((p, i)),
        );
        assert_eq!(s, "A \u{FFFD}");
        assert_eq!(
            issues,
            [
                (2, SeptetIssue::NotASeptet(0x80)),
                (3, SeptetIssue::DanglingEscape)
            ]
        );
    }
}
