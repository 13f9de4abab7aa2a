//! The spec's two string types as thin wrappers over a slice of the frame.

use crate::Octets;
use bytes::Bytes;
use std::fmt;
use std::ops::Deref;

/// A C-Octet String (§3.1) without its terminating NUL: ASCII text in practice.
///
/// `B` holds the octets: [`Bytes`] (the default) for a value that owns its share of the frame,
/// `&[u8]` for one borrowed from the read buffer ([`crate::Pdu::decode_borrowed`]).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct COctetString<B = Bytes>(pub B);

/// An Octet String (§3.1): opaque octets such as `short_message`. `B` as for [`COctetString`].
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OctetString<B = Bytes>(pub B);

macro_rules! string_impls {
    ($ty:ident) => {
        impl $ty {
            /// The empty value.
            pub const fn new() -> Self {
                $ty(Bytes::new())
            }

            /// A value referring to static octets (no allocation).
            pub const fn from_static(octets: &'static [u8]) -> Self {
                $ty(Bytes::from_static(octets))
            }

            /// The octets as shared bytes.
            pub fn as_bytes(&self) -> &Bytes {
                &self.0
            }
        }

        impl<B: Octets> $ty<B> {
            /// The value with its octets as [`Bytes`]: no copy for `Bytes`, a copy of a borrowed
            /// value.
            pub fn into_owned(self) -> $ty {
                $ty(self.0.into_bytes())
            }
        }

        impl<B: AsRef<[u8]>> Deref for $ty<B> {
            type Target = [u8];
            #[inline]
            fn deref(&self) -> &[u8] {
                self.0.as_ref()
            }
        }

        impl<B: AsRef<[u8]>> AsRef<[u8]> for $ty<B> {
            #[inline]
            fn as_ref(&self) -> &[u8] {
                self.0.as_ref()
            }
        }

        impl From<Bytes> for $ty {
            fn from(octets: Bytes) -> Self {
                $ty(octets)
            }
        }

        impl From<Vec<u8>> for $ty {
            fn from(octets: Vec<u8>) -> Self {
                $ty(Bytes::from(octets))
            }
        }

        impl From<&'static str> for $ty {
            fn from(text: &'static str) -> Self {
                $ty(Bytes::from_static(text.as_bytes()))
            }
        }

        impl From<String> for $ty {
            fn from(text: String) -> Self {
                $ty(Bytes::from(text))
            }
        }

        impl From<&[u8]> for $ty {
            fn from(octets: &[u8]) -> Self {
                $ty(Bytes::copy_from_slice(octets))
            }
        }
    };
}

string_impls!(COctetString);
string_impls!(OctetString);

impl<B: AsRef<[u8]>> COctetString<B> {
    /// The text, if it is valid UTF-8 (it should be ASCII).
    pub fn to_str(&self) -> Option<&str> {
        std::str::from_utf8(self.0.as_ref()).ok()
    }
}

impl<B: AsRef<[u8]>> fmt::Debug for COctetString<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // As `Bytes` prints itself, for either buffer.
        f.write_str("b\"")?;
        for &b in self.0.as_ref() {
            match b {
                b'\n' => f.write_str("\\n")?,
                b'\r' => f.write_str("\\r")?,
                b'\t' => f.write_str("\\t")?,
                b'\\' | b'"' => write!(f, "\\{}", b as char)?,
                b'\0' => f.write_str("\\0")?,
                0x20..0x7f => write!(f, "{}", b as char)?,
                _ => write!(f, "\\x{b:02x}")?,
            }
        }
        f.write_str("\"")
    }
}

impl<B: AsRef<[u8]>> fmt::Display for COctetString<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.0.as_ref()))
    }
}

impl<B: AsRef<[u8]>> fmt::Debug for OctetString<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        self.0
            .as_ref()
            .iter()
            .try_for_each(|b| write!(f, "{b:02x}"))
    }
}
