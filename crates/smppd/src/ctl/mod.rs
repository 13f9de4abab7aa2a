//! `smppctl`: the control client. Each submodule holds one command group; [`main`] parses the
//! arguments and dispatches.

pub mod bench;
pub mod client;
pub mod pdu;
pub mod text;

use clap::{Parser, Subcommand};
use serde_json::json;
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

/// An `smppctl` failure: bad input (exit status 2) or a failure to reach the daemon.
#[derive(Debug, thiserror::Error)]
pub enum CtlError {
    /// The input could not be read or parsed.
    #[error("{0}")]
    Input(String),
    /// The codec refused the PDU.
    #[error(transparent)]
    Codec(#[from] smppd_codec::Error),
    /// Reading or writing failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// smppd cannot be reached (exit status 1).
    #[error("{0}")]
    Connect(String),
    /// smppd refused the request (exit status 2).
    #[error("{0}")]
    Refused(String),
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
    /// smppd's socket (default: $SMPPD_SOCKET, else /run/smppd/smppd.sock).
    #[arg(long, global = true)]
    socket: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode and encode single SMPP PDUs.
    #[command(subcommand)]
    Pdu(PduCommand),
    /// Message text: what a text costs and how it goes on the wire.
    #[command(subcommand)]
    Text(TextCommand),
    /// Send a message.
    Send {
        /// Destination: E.164 with + or a short code.
        #[arg(long)]
        to: String,
        /// Sender: a number or up to 11 letters and digits.
        #[arg(long)]
        from: String,
        /// The text (`-` reads standard input).
        #[arg(long)]
        text: String,
        /// Send over this link instead of routing.
        #[arg(long)]
        link: Option<String>,
        /// auto, gsm7, gsm7-turkish, gsm7-spanish, gsm7-portuguese, ucs2, latin1, ascii, binary.
        #[arg(long, default_value = "auto")]
        encoding: String,
        /// Do not ask for a delivery receipt.
        #[arg(long)]
        no_dlr: bool,
        /// Idempotency key: sending again with the same key sends nothing.
        #[arg(long)]
        key: Option<String>,
        /// How long the carrier may keep trying, e.g. 2h.
        #[arg(long)]
        validity: Option<String>,
        /// When to deliver (RFC 3339).
        #[arg(long)]
        schedule_at: Option<String>,
        /// An order or security notice (may reach opted-out numbers if the config allows).
        #[arg(long)]
        transactional: bool,
        /// Wait for the final delivery receipt and print it.
        #[arg(long)]
        wait: bool,
        /// How long --wait waits.
        #[arg(long, default_value = "60s", value_parser = parse_duration)]
        timeout: Duration,
    },
    /// Show a message's state.
    Status {
        /// The gateway message id.
        id: String,
    },
    /// Print events (receipts, inbound messages) as JSON lines.
    Subscribe {
        /// Kinds of event: dlr, mo.
        #[arg(long, value_delimiter = ',', default_value = "dlr,mo")]
        events: Vec<String>,
        /// Replay the events after this event_id first.
        #[arg(long)]
        since: Option<i64>,
    },
    /// Show the messages exchanged with a number, oldest first.
    History {
        /// The number.
        number: String,
        /// How many of the most recent.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// List, add or remove opt-outs.
    #[command(subcommand, name = "opt-out")]
    OptOut(OptOutCommand),
    /// Measure a running smppd: submissions accepted per second, submit-to-answer latency,
    /// and how many messages reached the SMSC.
    Bench(bench::BenchArgs),
}

#[derive(Debug, Subcommand)]
enum OptOutCommand {
    /// Every opted-out number.
    List,
    /// Opt a number out.
    Add {
        /// The number.
        number: String,
    },
    /// Opt a number back in.
    Remove {
        /// The number.
        number: String,
    },
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    crate::config::parse_duration(text).map_err(|e| e.to_string())
}

#[derive(Debug, Subcommand)]
enum TextCommand {
    /// Print the encoding, the characters that forced UCS-2, and the segments as JSON.
    Analyze(text::AnalyzeArgs),
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

/// Runs `smppctl` with the process's arguments; returns the exit status: 0, 1 when smppd
/// cannot be reached, 2 for bad input or a refused request.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let socket = client::socket_path(cli.socket);
    let result = match cli.command {
        Command::Pdu(PduCommand::Decode { hex }) => pdu::decode(&hex),
        Command::Pdu(PduCommand::Encode { json }) => pdu::encode(&json),
        Command::Text(TextCommand::Analyze(args)) => text::analyze(&args),
        Command::Send {
            to,
            from,
            text,
            link,
            encoding,
            no_dlr,
            key,
            validity,
            schedule_at,
            transactional,
            wait,
            timeout,
        } => read_arg(&text).and_then(|text| {
            let request = json!({"op": "submit", "to": to, "from": from,
                "text": text.strip_suffix('\n').unwrap_or(&text), "link": link, "encoding": encoding,
                "dlr": !no_dlr, "key": key, "validity": validity, "schedule_at": schedule_at,
                "transactional": transactional});
            client::send(&socket, request, wait.then_some(timeout))
        }),
        Command::Status { id } => client::one(&socket, json!({"op": "status", "id": id})),
        Command::Subscribe { events, since } => client::subscribe(
            &socket,
            json!({"op": "subscribe", "events": events, "since": since}),
        ),
        Command::History { number, limit } => client::one(
            &socket,
            json!({"op": "history", "number": number, "limit": limit}),
        ),
        Command::Bench(args) => bench::run(&socket, &args),
        Command::OptOut(cmd) => {
            let request = match cmd {
                OptOutCommand::List => json!({"op": "opt_out", "action": "list"}),
                OptOutCommand::Add { number } => {
                    json!({"op": "opt_out", "action": "add", "number": number})
                }
                OptOutCommand::Remove { number } => {
                    json!({"op": "opt_out", "action": "remove", "number": number})
                }
            };
            client::one(&socket, request)
        }
    };
    match result {
        Ok(out) => {
            if !out.is_empty() {
                println!("{out}");
            }
            0
        }
        Err(e) => {
            eprintln!("smppctl: {e}");
            match e {
                CtlError::Connect(_) => 1,
                _ => 2,
            }
        }
    }
}
