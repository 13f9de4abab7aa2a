//! Load check: pipelines `submit_sm` over a few connections and prints the rate sustained.
//!
//! ```text
//! cargo run --release -p smppd-sim --example load                       # simulator in-process
//! cargo run --release -p smppd-sim --example load -- --serve 127.0.0.1:2775   # simulator only
//! cargo run --release -p smppd-sim --example load -- --addr 127.0.0.1:2775    # client only
//! ```
//!
//! The client does as little as it can so that the simulator is what is measured: it writes
//! copies of one encoded `submit_sm` with the sequence number patched in, `--batch` at a time,
//! keeping at most `--window` unanswered per connection, and reads only response headers.

use bytes::{Buf, BytesMut};
use clap::Parser;
use smppd_codec::{Bind, Body, Npi, OctetString, Pdu, SubmitSm, Ton};
use smppd_sim::{SimConfig, Simulator};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

#[derive(Debug, Parser)]
struct Args {
    /// Load an external simulator (or SMSC) instead of one started in-process.
    #[arg(long)]
    addr: Option<SocketAddr>,
    /// Only run a simulator on this address, until Ctrl-C.
    #[arg(long)]
    serve: Option<SocketAddr>,
    /// Connections (each bound as a transmitter).
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Unanswered submit_sm per connection.
    #[arg(long, default_value_t = 4096)]
    window: usize,
    /// submit_sm per write.
    #[arg(long, default_value_t = 256)]
    batch: usize,
    /// How long to send, in seconds (after one second of warm-up).
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Bind transceivers and ask for a delivery receipt in every submit_sm (answered).
    #[arg(long)]
    dlr: bool,
    /// The simulator's window of unanswered deliver_sm per session (in-process only).
    #[arg(long, default_value_t = 64)]
    deliver_window: usize,
    /// The simulator's receipt delay in milliseconds (in-process only).
    #[arg(long, default_value_t = 1000)]
    dlr_delay_ms: u64,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if let Some(listen) = args.serve {
        let sim = Simulator::start(SimConfig {
            listen,
            ..SimConfig::default()
        })
        .await
        .expect("start the simulator");
        println!("simulator on {}; Ctrl-C to stop", sim.local_addr());
        let _ = tokio::signal::ctrl_c().await;
        println!("{:?}", sim.stats());
        return;
    }
    let sim = match args.addr {
        Some(_) => None,
        None => {
            let config = SimConfig {
                deliver_window: args.deliver_window,
                dlr: smppd_sim::DlrConfig {
                    delay: Duration::from_millis(args.dlr_delay_ms),
                    ..Default::default()
                },
                ..SimConfig::default()
            };
            Some(Simulator::start(config).await.expect("start"))
        }
    };
    let addr = args
        .addr
        .or(sim.as_ref().map(Simulator::local_addr))
        .unwrap();

    let answered = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..args.connections {
        let stream = connect_and_bind(addr, args.dlr).await;
        tasks.push(tokio::spawn(drive(
            stream,
            args.window,
            args.batch,
            args.dlr,
            answered.clone(),
            failed.clone(),
            stop.clone(),
        )));
    }

    tokio::time::sleep(Duration::from_secs(1)).await;
    let start = (Instant::now(), answered.load(Relaxed));
    let mut last = start;
    for _ in 0..args.seconds {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = (Instant::now(), answered.load(Relaxed));
        let rate = (now.1 - last.1) as f64 / now.0.duration_since(last.0).as_secs_f64();
        println!("{rate:>10.0} submit_sm/s");
        last = now;
    }
    let rate = (last.1 - start.1) as f64 / last.0.duration_since(start.0).as_secs_f64();
    stop.store(true, Relaxed);
    for task in tasks {
        let _ = task.await;
    }
    println!(
        "sustained {rate:.0} submit_sm/s over {} s: {} connections, window {}, batch {}{}",
        args.seconds,
        args.connections,
        args.window,
        args.batch,
        if args.dlr { ", with receipts" } else { "" }
    );
    let failed = failed.load(Relaxed);
    if failed > 0 {
        println!("{failed} responses were not ESME_ROK");
    }
    if let Some(sim) = sim {
        println!("{:?}", sim.stats());
        sim.shutdown().await;
    }
}

async fn connect_and_bind(addr: SocketAddr, transceiver: bool) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).unwrap();
    let bind = Bind {
        system_id: "load".into(),
        password: "load".into(),
        interface_version: 0x34,
        ..Default::default()
    };
    let mut out = BytesMut::new();
    let bind = if transceiver {
        Body::BindTransceiver(bind)
    } else {
        Body::BindTransmitter(bind)
    };
    Pdu::new(1, bind).encode(&mut out).unwrap();
    stream.write_all(&out).await.unwrap();
    let mut header = [0u8; 16];
    stream.read_exact(&mut header).await.unwrap();
    let length = u32::from_be_bytes(header[..4].try_into().unwrap()) as usize;
    let status = u32::from_be_bytes(header[8..12].try_into().unwrap());
    assert_eq!(status, 0, "bind refused");
    let mut rest = vec![0; length - 16];
    stream.read_exact(&mut rest).await.unwrap();
    stream
}

async fn drive(
    stream: TcpStream,
    window: usize,
    batch: usize,
    dlr: bool,
    answered: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
) {
    let submit = SubmitSm {
        source_addr_ton: Ton::ALPHANUMERIC,
        source_addr: "LOADTEST".into(),
        dest_addr_ton: Ton::INTERNATIONAL,
        dest_addr_npi: Npi::ISDN,
        destination_addr: "447700900123".into(),
        registered_delivery: smppd_codec::RegisteredDelivery(u8::from(dlr)),
        short_message: OctetString::from_static(
            b"A load test message of a typical length, 60 characters long",
        ),
        ..Default::default()
    };
    let template = Pdu::new(1, Body::SubmitSm(submit)).to_bytes().unwrap();
    let batch = batch.min(window).max(1);
    let (mut rd, mut wr) = stream.into_split();
    let permits = Arc::new(Semaphore::new(window));

    let reader_permits = permits.clone();
    let reader_stop = stop.clone();
    let (acks, mut ack_rx) = tokio::sync::mpsc::unbounded_channel::<BytesMut>();
    let receipts = Arc::new(AtomicU64::new(0));
    let reader_receipts = receipts.clone();
    let reader = tokio::spawn(async move {
        let mut buf = BytesMut::with_capacity(256 * 1024);
        // Until stopped and every submit_sm is answered, or nothing comes for two seconds.
        while !(reader_stop.load(Relaxed) && reader_permits.available_permits() == window) {
            if buf.capacity() - buf.len() < 64 * 1024 {
                buf.reserve(256 * 1024);
            }
            let read = tokio::time::timeout(Duration::from_secs(2), rd.read_buf(&mut buf)).await;
            if !matches!(read, Ok(Ok(n)) if n > 0) {
                break;
            }
            let mut responses = 0u64;
            let mut bad = 0u64;
            let mut ack = BytesMut::new();
            while buf.len() >= 16 {
                let length = u32::from_be_bytes(buf[..4].try_into().unwrap()) as usize;
                if buf.len() < length {
                    break;
                }
                let id = u32::from_be_bytes(buf[4..8].try_into().unwrap());
                let status = u32::from_be_bytes(buf[8..12].try_into().unwrap());
                if id == 0x8000_0004 {
                    responses += 1;
                    bad += u64::from(status != 0);
                } else if id == 0x0000_0005 {
                    // deliver_sm_resp: header and an empty message_id.
                    ack.extend_from_slice(&17u32.to_be_bytes());
                    ack.extend_from_slice(&0x8000_0005u32.to_be_bytes());
                    ack.extend_from_slice(&0u32.to_be_bytes());
                    ack.extend_from_slice(&buf[12..16]);
                    ack.extend_from_slice(&[0]);
                    reader_receipts.fetch_add(1, Relaxed);
                }
                buf.advance(length);
            }
            answered.fetch_add(responses, Relaxed);
            failed.fetch_add(bad, Relaxed);
            reader_permits.add_permits(responses as usize);
            if !ack.is_empty() {
                let _ = acks.send(ack);
            }
        }
    });

    let mut seq = 1u32;
    let mut out = BytesMut::with_capacity(template.len() * batch);
    while !stop.load(Relaxed) {
        let granted = tokio::select! {
            granted = permits.acquire_many(batch as u32) => granted,
            Some(ack) = ack_rx.recv() => {
                if wr.write_all(&ack).await.is_err() {
                    break;
                }
                continue;
            }
        };
        let Ok(granted) = granted else {
            break;
        };
        granted.forget();
        for _ in 0..batch {
            seq = if seq >= 0x7FFF_FFFF { 1 } else { seq + 1 };
            out.extend_from_slice(&template[..12]);
            out.extend_from_slice(&seq.to_be_bytes());
            out.extend_from_slice(&template[16..]);
        }
        if wr.write_all(&out).await.is_err() {
            break;
        }
        out.clear();
    }
    // Keep answering receipts while the last responses come in.
    let drain = async {
        while let Some(ack) = ack_rx.recv().await {
            if wr.write_all(&ack).await.is_err() {
                break;
            }
        }
    };
    tokio::select! {
        _ = reader => {}
        () = drain => {}
    }
    if dlr {
        println!("  connection answered {} receipts", receipts.load(Relaxed));
    }
}
