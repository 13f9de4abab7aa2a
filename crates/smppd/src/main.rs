//! `smppd`: the gateway daemon.

fn main() {}
