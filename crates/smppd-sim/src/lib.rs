//! An SMSC simulator speaking SMPP 3.4 over TCP: smppd's quick start (`smppd sim`), the peer
//! of its integration tests, and the far end of its load tests.
//!
//! Scope: it accepts binds (checking credentials and a bind limit per `system_id`), answers
//! `submit_sm` with unique message ids, sends delivery receipts after a delay with a mix of
//! final states, delivers injected mobile-originated messages (plain or split with an 8-bit
//! UDH), answers `data_sm`, `query_sm`, `cancel_sm`, `replace_sm`, `submit_multi`,
//! `enquire_link` and `unbind`, and nacks what it cannot frame or does not know. It injects
//! faults on request: throttling, response delays, dropped responses, disconnects, garbage,
//! refused binds. It counts everything ([`Simulator::stats`]), measures the most requests
//! outstanding on a session (to check an ESME's window), keeps a histogram of `submit_sm`
//! arrivals (to check its rate), and records what it received when asked.
//!
//! It is not an SMSC: it stores no messages (a `query_sm` for an id it issued is answered
//! `ENROUTE`), routes nothing, and forgets pending receipts when stopped. There is no TLS; the
//! tests that need it put a TLS acceptor in front.
//!
//! # Speed
//!
//! Each connection is one task that reads into one buffer, frames and answers every whole PDU
//! in it, encodes all the responses into one output buffer and writes it with one call: no
//! task, lock or syscall per PDU. Delayed responses wait in a per-session heap under one timer;
//! receipts wait in one scheduler task. Counters are atomics added to once per read batch.
//!
//! ```no_run
//! # async fn demo() -> Result<(), smppd_sim::SimError> {
//! use smppd_sim::{SimConfig, Simulator};
//! let sim = Simulator::start(SimConfig { throttle: Some(100), ..SimConfig::default() }).await?;
//! println!("SMSC at {}", sim.local_addr());
//! // ... bind an ESME to it, send traffic ...
//! assert_eq!(sim.stats().binds_refused, 0);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

mod cli;
mod config;
mod dlr;
mod error;
mod mo;
mod server;
mod session;
mod stats;
mod throttle;

pub use cli::{SimArgs, run};
pub use config::{
    Account, Delay, DlrConfig, DlrMix, FinalState, IdFormat, SimConfig, parse_duration,
};
pub use error::SimError;
pub use mo::{Concat, MoMessage};
pub use server::{BindKind, ReceivedSubmit, Simulator};
pub use stats::{SessionInfo, Stats, SubmitHistogram};
