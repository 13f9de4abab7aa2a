//! The daemon's SMSC links against the bundled simulator over real TCP on 127.0.0.1: bind
//! types, window, rate, throttling, an SMSC restart, TLS, response timeouts, bad credentials,
//! graceful shutdown. Every wait is bounded.

use smppd::config::{BindType, LinkConfig, TlsConfig};
use smppd::connection::Inbound;
use smppd::link::{Link, Outcome, SegmentId};
use smppd::pool::{Pool, PoolOptions};
use smppd_codec::{Body, CommandStatus, Npi, OctetString, RegisteredDelivery, SubmitSm, Ton};
use smppd_sim::{Account, Delay, SimConfig, Simulator};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep, timeout};

/// A link to `sim` with test-friendly timers.
fn link_to(sim: &Simulator) -> LinkConfig {
    let mut link = LinkConfig::new("carrier", sim.local_addr().to_string(), "acme", "secret");
    link.reconnect_min = Duration::from_millis(50);
    link.reconnect_max = Duration::from_millis(400);
    link.response_timeout = Duration::from_secs(5);
    link
}

struct Harness {
    pool: Pool,
    outcomes: mpsc::Receiver<Outcome>,
    _inbound: mpsc::Receiver<Inbound>,
}

impl Harness {
    fn start(links: Vec<LinkConfig>) -> Harness {
        let (otx, outcomes) = mpsc::channel(100_000);
        let (itx, inbound) = mpsc::channel(1024);
        let options = PoolOptions {
            shutdown_timeout: Duration::from_secs(2),
            ..PoolOptions::default()
        };
        let pool = Pool::start(links, options, otx, itx).expect("pool starts");
        Harness {
            pool,
            outcomes,
            _inbound: inbound,
        }
    }

    fn link(&self) -> &Arc<Link> {
        &self.pool.links()[0]
    }

    /// Queues `n` one-segment messages numbered `first..first + n`.
    fn enqueue(&self, first: u64, n: u64) {
        for message in first..first + n {
            self.link()
                .enqueue([(SegmentId { message, part: 0 }, submit_sm(message))]);
        }
    }

    /// The next `n` outcomes, or a panic naming how many came within `limit`. Each
    /// acceptance counts as recorded at once (as the daemon's store does after its commit).
    async fn outcomes(&mut self, n: usize, limit: Duration) -> Vec<Got> {
        let mut out = Vec::with_capacity(n);
        let deadline = Instant::now() + limit;
        while out.len() < n {
            match timeout(deadline - Instant::now(), self.outcomes.recv()).await {
                Ok(Some(o)) => out.push(Got::from(o)),
                _ => panic!("{} of {n} outcomes within {limit:?}", out.len()),
            }
        }
        out
    }
}

/// An outcome as the tests look at it.
#[derive(Debug)]
enum Got {
    Accepted(u64),
    Failed {
        message: u64,
        status: CommandStatus,
        reason: String,
    },
}

impl From<Outcome> for Got {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Accepted { id, .. } => Got::Accepted(id.message),
            Outcome::Failed {
                id, status, reason, ..
            } => Got::Failed {
                message: id.message,
                status,
                reason,
            },
        }
    }
}

fn submit_sm(message: u64) -> SubmitSm {
    SubmitSm {
        source_addr_ton: Ton::ALPHANUMERIC,
        source_addr: "ACME".into(),
        dest_addr_ton: Ton::INTERNATIONAL,
        dest_addr_npi: Npi::ISDN,
        destination_addr: "447700900123".into(),
        registered_delivery: RegisteredDelivery::NONE,
        short_message: OctetString::from(format!("message {message}")),
        ..SubmitSm::default()
    }
}

fn accepted_ids(outcomes: &[Got]) -> Vec<u64> {
    outcomes
        .iter()
        .map(|o| match o {
            Got::Accepted(message) => *message,
            Got::Failed {
                message, reason, ..
            } => panic!("message {message} failed: {reason}"),
        })
        .collect()
}

/// The message number a received submit_sm carries in its text.
fn number_of(pdu: &smppd_codec::Pdu) -> u64 {
    let Body::SubmitSm(sm) = &pdu.body else {
        panic!("not a submit_sm: {pdu:?}");
    };
    let text = std::str::from_utf8(&sm.short_message).unwrap();
    text.trim_start_matches("message ").parse().unwrap()
}

async fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn binds_as_transmitter_receiver_and_transceiver() {
    for bind in [
        BindType::Transmitter,
        BindType::Receiver,
        BindType::Transceiver,
    ] {
        let sim = Simulator::start(SimConfig::default()).await.unwrap();
        let mut link = link_to(&sim);
        link.bind = bind;
        link.sessions = 2;
        let h = Harness::start(vec![link]);
        wait_until("both sessions are bound", Duration::from_secs(5), || {
            sim.stats().binds_accepted == 2
        })
        .await;
        let kinds: HashSet<_> = sim.sessions().iter().filter_map(|s| s.bind).collect();
        assert_eq!(kinds.len(), 1);
        let kind = *kinds.iter().next().unwrap();
        assert_eq!(kind.transmits(), bind.can_submit(), "{bind:?}");
        assert_eq!(kind.receives(), bind.can_receive(), "{bind:?}");
        h.pool.shutdown().await;
        assert_eq!(
            sim.stats().unbinds,
            2,
            "each session unbinds before closing"
        );
        sim.shutdown().await;
    }
}

#[tokio::test]
async fn window_is_never_exceeded_and_requests_are_pipelined() {
    let sim = Simulator::start(SimConfig {
        response_delay: Delay::Fixed(Duration::from_millis(20)),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut link = link_to(&sim);
    link.window = 5;
    link.sessions = 2;
    let mut h = Harness::start(vec![link]);
    h.enqueue(0, 300);
    let outcomes = h.outcomes(300, Duration::from_secs(20)).await;
    let mut ids = accepted_ids(&outcomes);
    ids.sort();
    assert_eq!(ids, (0..300).collect::<Vec<_>>());
    let max = sim.stats().max_outstanding;
    assert!(
        max <= 5,
        "the SMSC saw {max} outstanding requests on one session"
    );
    assert!(max >= 4, "only {max} outstanding: not pipelined");
    h.pool.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn max_tps_holds_within_ten_percent_over_three_seconds() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let mut link = link_to(&sim);
    link.max_tps = 200;
    link.sessions = 2;
    link.window = 20;
    let mut h = Harness::start(vec![link]);
    wait_until("bound", Duration::from_secs(5), || {
        h.link().sessions_up() == 2
    })
    .await;
    // Three seconds' worth and then some: the bucket, not the queue, sets the pace.
    h.enqueue(0, 700);
    let started = Instant::now();
    h.outcomes(620, Duration::from_secs(10)).await;
    let elapsed = started.elapsed();
    let busiest = sim.submit_histogram().max_in_window(Duration::from_secs(1));
    assert!(
        busiest <= 220,
        "{busiest} submit_sm in one second at max_tps 200"
    );
    assert!(
        busiest >= 180,
        "only {busiest} in the busiest second: the limit is too tight"
    );
    assert!(
        elapsed >= Duration::from_millis(2800),
        "620 submissions at 200/s took only {elapsed:?}"
    );
    h.pool.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn throttling_is_retried_in_order_and_nothing_is_lost() {
    let sim = Simulator::start(SimConfig {
        throttle: Some(150),
        record: true,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut link = link_to(&sim);
    link.window = 10;
    let mut h = Harness::start(vec![link]);
    h.enqueue(0, 600);
    let outcomes = h.outcomes(600, Duration::from_secs(30)).await;
    let mut ids = accepted_ids(&outcomes);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 600, "every message accepted exactly once");
    let stats = sim.stats();
    assert!(
        stats.throttled > 0,
        "the SMSC never throttled: the test proves nothing"
    );
    // What the SMSC accepted came in queue order: throttled submissions went back to their
    // place instead of behind later ones.
    let accepted: Vec<u64> = sim
        .received_submits()
        .iter()
        .filter(|r| r.status == Some(CommandStatus::ESME_ROK))
        .map(|r| number_of(&r.pdu))
        .collect();
    assert_eq!(accepted.len(), 600);
    // Only submissions already in flight when the carrier throttled can overtake a throttled
    // one, so no message lands further than a window from its place (requeueing at the back
    // would move it by hundreds).
    let mut sorted = accepted.clone();
    sorted.sort();
    let displaced = accepted
        .iter()
        .enumerate()
        .map(|(at, n)| at.abs_diff(sorted.binary_search(n).unwrap()))
        .max()
        .unwrap();
    assert!(
        displaced <= 10,
        "a message was accepted {displaced} places from its own"
    );
    // The link slowed down instead of hammering: few throttled answers per accepted one.
    assert!(
        stats.throttled < 600,
        "{} throttled answers for 600 messages",
        stats.throttled
    );
    h.pool.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn smsc_killed_and_restarted_mid_run_loses_nothing() {
    let sim = Simulator::start(SimConfig {
        response_delay: Delay::Fixed(Duration::from_millis(2)),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let addr = sim.local_addr();
    let mut link = link_to(&sim);
    link.sessions = 2;
    link.max_tps = 2000;
    let mut h = Harness::start(vec![link]);
    h.enqueue(0, 2000);
    let first = h.outcomes(400, Duration::from_secs(10)).await;
    sim.shutdown().await;
    drop(sim);
    // The same port, like an SMSC process restarted.
    let sim = Simulator::start(SimConfig {
        listen: addr,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let rest = h.outcomes(1600, Duration::from_secs(30)).await;
    let mut ids: Vec<u64> = accepted_ids(&first);
    ids.extend(accepted_ids(&rest));
    ids.sort();
    assert_eq!(
        ids,
        (0..2000).collect::<Vec<_>>(),
        "each message accepted once"
    );
    assert!(
        sim.stats().binds_accepted >= 2,
        "reconnected to the new SMSC"
    );
    h.pool.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn unanswered_submissions_are_retried_then_fail_with_a_reason() {
    let sim = Simulator::start(SimConfig {
        drop_ratio: 1.0,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut link = link_to(&sim);
    link.response_timeout = Duration::from_millis(200);
    link.enquire_link_interval = Duration::from_secs(60);
    let mut h = Harness::start(vec![link]);
    h.enqueue(0, 1);
    let outcome = h.outcomes(1, Duration::from_secs(10)).await.remove(0);
    let Got::Failed { status, reason, .. } = outcome else {
        panic!("a message never answered was reported {outcome:?}");
    };
    assert_eq!(status, CommandStatus::ESME_RUNKNOWNERR);
    assert!(reason.contains("no response"), "{reason}");
    assert_eq!(sim.stats().submit_sm, smppd::link::MAX_ATTEMPTS as u64);

    // Once the SMSC answers again, a timed-out submission goes through on its retry.
    sim.set_drop_ratio(0.0);
    h.enqueue(1, 1);
    let outcome = h.outcomes(1, Duration::from_secs(10)).await;
    assert_eq!(accepted_ids(&outcome), vec![1]);
    h.pool.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn bad_credentials_bind_nothing_and_keep_the_queue() {
    let sim = Simulator::start(SimConfig {
        accounts: vec![Account::new("acme", "right")],
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut link = link_to(&sim);
    link.password = smppd::config::Secret::new("wrong");
    let h = Harness::start(vec![link]);
    h.enqueue(0, 3);
    wait_until("the bind is refused twice", Duration::from_secs(5), || {
        sim.stats().binds_refused >= 2
    })
    .await;
    assert_eq!(h.link().sessions_up(), 0);
    assert_eq!(
        h.link().queued(),
        3,
        "messages wait, they are not failed or lost"
    );
    // Retried slowly (reconnect_max), not in a storm.
    let refused = sim.stats().binds_refused;
    sleep(Duration::from_millis(300)).await;
    assert!(sim.stats().binds_refused <= refused + 1);
    h.pool.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn messages_wait_while_the_link_is_down_and_go_when_it_is_up() {
    // Reserve a port, then free it: nothing listens there yet.
    let probe = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = probe.local_addr().unwrap();
    drop(probe);
    let mut link = LinkConfig::new("carrier", addr.to_string(), "acme", "secret");
    link.reconnect_min = Duration::from_millis(50);
    link.reconnect_max = Duration::from_millis(200);
    let mut h = Harness::start(vec![link]);
    h.enqueue(0, 50);
    sleep(Duration::from_millis(300)).await;
    assert_eq!(h.link().queued(), 50);
    let sim = Simulator::start(SimConfig {
        listen: addr,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let outcomes = h.outcomes(50, Duration::from_secs(10)).await;
    assert_eq!(accepted_ids(&outcomes).len(), 50);
    h.pool.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn shutdown_waits_for_outstanding_responses_then_unbinds() {
    let sim = Simulator::start(SimConfig {
        response_delay: Delay::Fixed(Duration::from_millis(300)),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let h = Harness::start(vec![link_to(&sim)]);
    wait_until("bound", Duration::from_secs(5), || {
        h.link().sessions_up() == 1
    })
    .await;
    h.enqueue(0, 5);
    wait_until("five outstanding", Duration::from_secs(5), || {
        sim.stats().outstanding == 5
    })
    .await;
    let Harness { pool, outcomes, .. } = h;
    pool.shutdown().await;
    let mut outcomes = outcomes;
    let mut got = Vec::new();
    while let Ok(o) = outcomes.try_recv() {
        got.push(Got::from(o));
    }
    assert_eq!(
        accepted_ids(&got).len(),
        5,
        "responses were awaited before unbinding"
    );
    assert_eq!(sim.stats().unbinds, 1);
    sim.shutdown().await;
}

mod tls {
    use super::*;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    use tokio::net::{TcpListener, TcpStream};
    use tokio_rustls::TlsAcceptor;

    /// A TLS terminator in front of the simulator, with a certificate made for this test.
    async fn tls_front(
        backend: std::net::SocketAddr,
        dir: &std::path::Path,
    ) -> std::net::SocketAddr {
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        std::fs::write(dir.join("ca.pem"), cert.cert.pem()).unwrap();
        let der = CertificateDer::from(cert.cert.der().to_vec());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.signing_key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![der], key)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Ok(mut plain) = TcpStream::connect(backend).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                });
            }
        });
        addr
    }

    #[tokio::test]
    async fn binds_and_submits_over_tls_with_a_generated_certificate() {
        let sim = Simulator::start(SimConfig::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let front = tls_front(sim.local_addr(), dir.path()).await;
        let mut link = link_to(&sim);
        link.address = front.to_string();
        link.tls = Some(TlsConfig {
            ca_file: Some(dir.path().join("ca.pem")),
            server_name: "localhost".to_owned(),
            client_auth: None,
        });
        let mut h = Harness::start(vec![link]);
        h.enqueue(0, 20);
        let outcomes = h.outcomes(20, Duration::from_secs(10)).await;
        assert_eq!(accepted_ids(&outcomes).len(), 20);
        h.pool.shutdown().await;
        sim.shutdown().await;
    }

    #[tokio::test]
    async fn a_certificate_for_another_name_is_refused() {
        let sim = Simulator::start(SimConfig::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let front = tls_front(sim.local_addr(), dir.path()).await;
        let mut link = link_to(&sim);
        link.address = front.to_string();
        link.tls = Some(TlsConfig {
            ca_file: Some(dir.path().join("ca.pem")),
            server_name: "smsc.example.net".to_owned(),
            client_auth: None,
        });
        let h = Harness::start(vec![link]);
        h.enqueue(0, 1);
        sleep(Duration::from_millis(500)).await;
        assert_eq!(
            sim.stats().binds_accepted,
            0,
            "no bind over an unverified TLS session"
        );
        assert_eq!(h.link().queued(), 1);
        h.pool.shutdown().await;
        sim.shutdown().await;
    }
}
