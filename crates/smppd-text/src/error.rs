//! The crate's one error type.

use crate::encoding::Encoding;

/// Everything that can go wrong while encoding, segmenting or decoding message text.
///
/// Each variant carries the facts a caller needs to explain the failure: the offending character
/// and where it is, the octet offset of a malformed header, the limit that was exceeded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// A character cannot be represented in the encoding the caller forced.
    #[error(
        "character {ch:?} (U+{code:04X}) at position {position} cannot be encoded in {encoding}",
        code = u32::from(*ch)
    )]
    Unencodable {
        /// The first offending character.
        ch: char,
        /// Its position in the input, counted in characters from 0.
        position: usize,
        /// The encoding that was forced.
        encoding: Encoding,
    },

    /// The text needs more segments than the concatenation method can number (255).
    #[error("the message needs {needed} segments; concatenation allows at most {max}")]
    TooManySegments {
        /// Segments the text would need.
        needed: usize,
        /// The most the method allows.
        max: usize,
    },

    /// The encoded text does not fit in one `message_payload` TLV.
    #[error("the message is {octets} octets; message_payload holds at most {max}")]
    PayloadTooLong {
        /// Encoded size, user data header included.
        octets: usize,
        /// The TLV's limit.
        max: usize,
    },

    /// A name given for an encoding, language or concatenation method is not known.
    #[error("unknown {what} {name:?} (expected one of: {expected})")]
    UnknownName {
        /// What kind of name it was (`encoding`, `language`, `concatenation method`).
        what: &'static str,
        /// The name as given.
        name: String,
        /// The accepted names.
        expected: &'static str,
    },

    /// A Spanish locking shift table was asked for; TS 23.038 A.3.2 defines none.
    #[error("TS 23.038 defines no locking shift table for {language}")]
    NoLockingTable {
        /// The language asked for.
        language: crate::shift::NationalLanguage,
    },

    /// The user data header length octet points past the end of the message.
    #[error("user data header length {udhl} needs {needed} octets but the message has {available}")]
    UdhTruncated {
        /// The UDHL octet.
        udhl: u8,
        /// Octets the header needs, UDHL included.
        needed: usize,
        /// Octets present.
        available: usize,
    },

    /// An information element inside the user data header runs past the header's end.
    #[error(
        "UDH element 0x{iei:02X} at offset {offset} declares {length} octets, {available} remain"
    )]
    IeTruncated {
        /// Information element identifier.
        iei: u8,
        /// Offset of the IEI octet from the start of the message.
        offset: usize,
        /// Declared length.
        length: u8,
        /// Octets left in the header after the length octet.
        available: usize,
    },

    /// A concatenation or shift-table element has the wrong length for its kind.
    #[error("UDH element 0x{iei:02X} at offset {offset} has length {length}, expected {expected}")]
    IeLength {
        /// Information element identifier.
        iei: u8,
        /// Offset of the IEI octet from the start of the message.
        offset: usize,
        /// Declared length.
        length: u8,
        /// The length TS 23.040 defines for it.
        expected: u8,
    },
}
