//! `run`, as `smppd sim` calls it.

mod common;

use clap::Parser;
use common::{Client, WAIT};
use smppd_codec::{Body, CommandStatus};
use smppd_sim::{BindKind, SimArgs};
use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

#[derive(Debug, Parser)]
struct Cli {
    #[command(flatten)]
    sim: SimArgs,
}

/// A port that was free a moment ago.
fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

#[tokio::test]
async fn run_serves_accounts_and_sends_sample_mo() {
    let addr = free_addr();
    let args = Cli::try_parse_from([
        "sim",
        "--listen",
        &addr.to_string(),
        "--account",
        "acme:secret",
        "--mo-every",
        "50ms",
        "--report",
        "50ms",
    ])
    .unwrap()
    .sim;
    let server = tokio::spawn(smppd_sim::run(args));

    // Wait for the listener (bounded).
    let mut c = None;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            c = Some(Client::connect(addr).await);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut c = c.expect("the simulator did not start listening");
    let resp = c.bind(BindKind::Receiver, "acme", "wrong").await;
    assert_eq!(resp.command_status, CommandStatus::ESME_RINVPASWD);
    let resp = c.bind(BindKind::Receiver, "acme", "secret").await;
    assert_eq!(resp.command_status, CommandStatus::ESME_ROK);

    // A sample MO comes within a few intervals; answer it.
    let pdu = tokio::time::timeout(WAIT, c.recv()).await.unwrap();
    let Body::DeliverSm(d) = &pdu.body else {
        panic!("{pdu:?}")
    };
    assert!(!d.esm_class.is_receipt());
    c.ack(&pdu, CommandStatus::ESME_ROK).await;

    server.abort();
    let _ = server.await;
    c.expect_eof().await;
}
