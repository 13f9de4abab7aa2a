//! Optional transliteration: look-alike characters that would force UCS-2 (curly quotes, dashes,
//! unusual spaces, the ellipsis, a few accented letters) mapped to ones the GSM alphabet has.

use std::borrow::Cow;

/// One character replaced by transliteration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transliteration {
    /// Position of the replaced character in the original text, in characters from 0.
    pub position: usize,
    /// The character replaced.
    pub from: char,
    /// What replaced it.
    pub to: &'static str,
}

/// The replacement for a character, if it has one.
pub fn replacement(ch: char) -> Option<&'static str> {
    Some(match ch {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{00B4}' | '`' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' => "\"",
        '\u{2039}' => "<",
        '\u{203A}' => ">",
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => "-",
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => " ",
        '\u{2026}' => "...",
        '\u{2022}' | '\u{00B7}' => "-",
        '\u{00D7}' => "x",
        '\u{2044}' | '\u{2215}' => "/",
        '\u{00A9}' => "(c)",
        '\u{00AE}' => "(R)",
        '\u{2122}' => "TM",
        'ç' => "Ç",
        'á' | 'â' | 'ã' | 'ā' => "a",
        'Á' | 'Â' | 'Ã' | 'À' | 'Ā' => "A",
        'ê' | 'ë' | 'ē' => "e",
        'Ê' | 'Ë' | 'È' | 'Ē' => "E",
        'í' | 'î' | 'ï' | 'ı' => "i",
        'Í' | 'Î' | 'Ï' | 'Ì' | 'İ' => "I",
        'ó' | 'ô' | 'õ' => "o",
        'Ó' | 'Ô' | 'Õ' | 'Ò' => "O",
        'ú' | 'û' => "u",
        'Ú' | 'Û' | 'Ù' => "U",
        'ğ' => "g",
        'Ğ' => "G",
        'ş' => "s",
        'Ş' => "S",
        _ => return None,
    })
}

/// Replaces each character that `keep` refuses and that has a replacement all of whose
/// characters `keep` accepts. Borrows the text when nothing changes.
pub(crate) fn apply(
    text: &str,
    keep: impl Fn(char) -> bool,
) -> (Cow<'_, str>, Vec<Transliteration>) {
    let mut changes = Vec::new();
    let mut out: Option<String> = None;
    for (position, (offset, ch)) in text.char_indices().enumerate() {
        let to = match replacement(ch) {
            Some(to) if !keep(ch) && to.chars().all(&keep) => to,
            _ => {
                if let Some(out) = out.as_mut() {
                    out.push(ch);
                }
                continue;
            }
        };
        let out = out.get_or_insert_with(|| {
            let mut s = String::with_capacity(text.len());
            s.push_str(&text[..offset]);
            s
        });
        out.push_str(to);
        changes.push(Transliteration {
            position,
            from: ch,
            to,
        });
    }
    (out.map_or(Cow::Borrowed(text), Cow::Owned), changes)
}

/// Maps a character position in transliterated text back to the original text.
pub(crate) fn original_position(position: usize, changes: &[Transliteration]) -> usize {
    // Each change before `position` shifted later characters by (replacement length - 1).
    let mut shift = 0usize;
    for change in changes {
        let len = change.to.chars().count();
        if change.position + shift >= position {
            break;
        }
        shift += len - 1;
    }
    position - shift
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gsm7::Gsm7Tables;

    fn gsm(ch: char) -> bool {
        Gsm7Tables::DEFAULT.code(ch).is_some()
    }

    #[test]
    fn look_alikes_become_gsm_and_are_reported() {
        // Input, output, changed characters.
        type Case<'a> = (&'a str, &'a str, &'a [(usize, char)]);
        let cases: &[Case<'_>] = &[
            ("plain", "plain", &[]),
            (
                "\u{201C}Hi\u{201D} \u{2014} ok\u{2026}",
                "\"Hi\" - ok...",
                &[
                    (0, '\u{201C}'),
                    (3, '\u{201D}'),
                    (5, '\u{2014}'),
                    (9, '\u{2026}'),
                ],
            ),
            (
                "it\u{2019}s\u{00A0}ça",
                "it's Ça",
                &[(2, '\u{2019}'), (4, '\u{00A0}'), (5, 'ç')],
            ),
            // No replacement: left alone for UCS-2 to carry.
            ("😀", "😀", &[]),
        ];
        for (input, output, changed) in cases {
            let (text, changes) = apply(input, gsm);
            assert_eq!(text, *output);
            let got: Vec<(usize, char)> = changes.iter().map(|c| (c.position, c.from)).collect();
            assert_eq!(got, *changed, "{input:?}");
        }
    }

    #[test]
    fn characters_the_tables_have_are_kept() {
        // `é` is in the default alphabet; `á` is only in the Spanish single shift table.
        let (text, changes) = apply("éá", gsm);
        assert_eq!(text, "éa");
        assert_eq!(changes.len(), 1);
        let spanish = Gsm7Tables::single(crate::NationalLanguage::Spanish);
        let (text, changes) = apply("éá", |c| spanish.code(c).is_some());
        assert_eq!(text, "éá");
        assert!(changes.is_empty());
    }

    #[test]
    fn positions_map_back_through_longer_replacements() {
        let (text, changes) = apply("a\u{2026}b\u{2026}c😀", gsm);
        assert_eq!(text, "a...b...c😀");
        // `😀` is at 9 in the new text and at 5 in the original.
        assert_eq!(original_position(9, &changes), 5);
        assert_eq!(original_position(0, &changes), 0);
        assert_eq!(original_position(4, &changes), 2);
    }
}
