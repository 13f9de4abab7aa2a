//! Zero-copy SMPP 3.4 codec.
