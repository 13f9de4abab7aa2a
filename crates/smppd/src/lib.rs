//! smppd: an SMPP 3.4 gateway daemon.
//!
//! The binaries (`smppd`, `smppctl`) only parse arguments and call into this library.

pub mod ctl;
