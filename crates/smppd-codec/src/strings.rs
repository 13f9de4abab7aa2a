//! The spec's two string types as thin wrappers over a slice of the frame.

use bytes::Bytes;
use std::fmt;
use std::ops::Deref;

/// A C-Octet String (§3.1) without its terminating NUL: ASCII text in practice.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct COctetString(pub Bytes);

/// An Octet String (§3.1): opaque octets such as `short_message`.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OctetString(pub Bytes);

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

        impl Deref for $ty {
            type Target = [u8];
            fn deref(&self) -> &[u8] {
                &self.0
            }
        }

        impl AsRef<[u8]> for $ty {
            fn as_ref(&self) -> &[u8] {
                &self.0
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

impl COctetString {
    /// The text, if it is valid UTF-8 (it should be ASCII).
    pub fn to_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
}

impl fmt::Debug for COctetString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl fmt::Display for COctetString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

impl fmt::Debug for OctetString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}
