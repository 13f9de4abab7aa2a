//! `smppctl`: the control client. Each submodule holds one command group; [`main`] parses the
//! arguments and dispatches.

pub mod pdu;
pub mod text;

use clap::{Parser, Subcommand};
use std::io::Read;

/// An `smppctl` failure: bad input (exit status 2) or a failure to reach the daemon.
#[derive(Debug, thiserror::Error)]
pub enum CtlError {
    /// The input could not be read or parsed.
    #[error("{0}")]
    Input(String),
    /// The codec refused the PDU.
    #[error(transparent)]
    Codec(#[from] smppd_codec::Error),
    /// Reading standard input failed.
    #[error("reading standard input: {0}")]
    Io(#[from] std::io::Error),
}

/// The argument itself, or standard input when it is `-`.
pub(crate) fn read_arg(arg: &str) -> Result<String, CtlError> {
    if arg != "-" {
        return Ok(arg.to_owned());
    }
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    Ok(text)
}

/// smppctl: inspect PDUs and message text, and talk to a running smppd.
#[derive(Debug, Parser)]
#[command(name = "smppctl", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode and encode single SMPP PDUs.
    #[command(subcommand)]
    Pdu(PduCommand),
}

#[derive(Debug, Subcommand)]
enum PduCommand {
    /// Print one PDU given in hex (or `-` for standard input) as JSON.
    Decode {
        /// The PDU's octets in hex; whitespace and a leading 0x are ignored.
        hex: String,
    },
    /// Print one PDU given as JSON (or `-` for standard input) in hex.
    Encode {
        /// The PDU in the JSON form that `decode` prints.
        json: String,
    },
}

/// Runs `smppctl` with the process's arguments; returns the exit status.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Pdu(PduCommand::Decode { hex }) => pdu::decode(&hex),
        Command::Pdu(PduCommand::Encode { json }) => pdu::encode(&json),
    };
    match result {
        Ok(out) => {
            println!("{out}");
            0
        }
        Err(e) => {
            eprintln!("smppctl: {e}");
            2
        }
    }
}
