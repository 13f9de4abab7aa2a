//! The two buffers a decoded value can keep its octets in: a reference-counted [`Bytes`] that
//! owns its share of the frame, or a `&[u8]` borrowed from the caller's read buffer.

use bytes::Bytes;
use std::ops::Range;

/// A buffer that decoded values are sliced from: [`Bytes`] (owned, `'static`, `Send`) or
/// `&[u8]` (borrowed from the read buffer, no reference count). Sealed: the codec's decoder
/// relies on slicing being cheap and infallible within bounds it has checked.
pub trait Octets: AsRef<[u8]> + Clone + Default + std::fmt::Debug + sealed::Sealed {
    /// The octets as [`Bytes`]: the same value for `Bytes`, a copy for a borrowed slice (no
    /// allocation when it is empty).
    fn into_bytes(self) -> Bytes;
}

pub(crate) mod sealed {
    use std::ops::Range;

    pub trait Sealed {
        /// The octets in `range`, which the caller has checked to be within bounds.
        fn slice(&self, range: Range<usize>) -> Self;
    }
}

impl sealed::Sealed for Bytes {
    #[inline]
    fn slice(&self, range: Range<usize>) -> Self {
        Bytes::slice(self, range)
    }
}

impl Octets for Bytes {
    #[inline]
    fn into_bytes(self) -> Bytes {
        self
    }
}

impl sealed::Sealed for &[u8] {
    #[inline]
    fn slice(&self, range: Range<usize>) -> Self {
        // `get` rather than indexing: the bounds were checked by the reader, and a failed
        // check here must not panic (it yields an empty slice, which no caller reaches).
        self.get(range).unwrap_or_default()
    }
}

impl Octets for &[u8] {
    #[inline]
    fn into_bytes(self) -> Bytes {
        Bytes::copy_from_slice(self)
    }
}
