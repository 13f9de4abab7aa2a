//! `smppctl`: the control client.

fn main() {}
