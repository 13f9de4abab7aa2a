//! `smppctl`: the control client.

fn main() {
    std::process::exit(smppd::ctl::main());
}
