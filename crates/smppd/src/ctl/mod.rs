//! `smppctl` commands: each submodule holds one command group.

pub mod pdu;
pub mod text;
