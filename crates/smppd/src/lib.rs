//! smppd: an SMPP 3.4 gateway daemon.
//!
//! Layout: [`session`] is the protocol state machine of one SMPP session, with no IO;
//! [`connection`] drives it over TCP or TLS; [`link`] holds a carrier's ordered queue and the
//! pace its sessions share ([`throttle`]); [`pool`] starts every link's sessions and [`route`]
//! picks the link for a destination; [`daemon`] wires them to the configuration ([`config`]),
//! metrics, systemd and signals. The binaries (`smppd`, `smppctl`) only parse arguments and
//! call into this library ([`ctl`] holds `smppctl`'s commands).

pub mod address;
pub mod api;
pub mod config;
pub mod connection;
pub mod consent;
pub mod ctl;
pub mod daemon;
pub mod db;
pub mod dlr;
pub mod link;
pub mod metrics;
pub mod pool;
pub mod route;
pub mod service;
pub mod session;
pub mod systemd;
pub mod throttle;
pub mod tls;
