//! The gateway end to end: the real `smppd` binary with a real SQLite file, its real Unix
//! socket, and the bundled simulator over TCP on 127.0.0.1. Every wait is bounded.

use serde_json::{Value, json};
use smppd_codec::Body;
use smppd_sim::{Concat, DlrConfig, MoMessage, SimConfig, Simulator};
use smppd_text::{DecodeOptions, InboundPart, Reassembler, ReassemblyConfig};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::time::{sleep, timeout};

const LIMIT: Duration = Duration::from_secs(20);

/// A running smppd process bound to `sim`, with its state in `dir`.
struct Daemon {
    child: Child,
    socket: PathBuf,
}

impl Daemon {
    async fn start(dir: &Path, sim: &Simulator, extra: &str) -> Daemon {
        let config = dir.join("smppd.toml");
        std::fs::write(
            &config,
            format!(
                r#"[server]
state_dir = "state"
socket = "state/smppd.sock"
shutdown_timeout = "2s"

[[links]]
name = "carrier"
address = "{addr}"
system_id = "acme"
password = "secret"
sessions = 2
window = 10
reconnect_min = "50ms"
reconnect_max = "500ms"
{extra}
"#,
                addr = sim.local_addr()
            ),
        )
        .unwrap();
        // Only the owner may read a file with a password in it.
        std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_smppd"))
            .args(["run", "--config"])
            .arg(&config)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let socket = dir.join("state/smppd.sock");
        let deadline = Instant::now() + LIMIT;
        while UnixStream::connect(&socket).await.is_err() {
            assert!(Instant::now() < deadline, "smppd did not open its socket");
            sleep(Duration::from_millis(20)).await;
        }
        Daemon { child, socket }
    }

    async fn connect(&self) -> Conn {
        let (read, write) = UnixStream::connect(&self.socket)
            .await
            .unwrap()
            .into_split();
        Conn {
            read: BufReader::new(read),
            write,
        }
    }

    fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn terminate(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + LIMIT;
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "smppd did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
        let status = self.child.wait().unwrap();
        assert!(status.success(), "smppd exited with {status}");
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Conn {
    read: BufReader<OwnedReadHalf>,
    write: OwnedWriteHalf,
}

impl Conn {
    async fn send_raw(&mut self, line: &[u8]) {
        self.write.write_all(line).await.unwrap();
    }

    async fn send(&mut self, request: Value) {
        self.send_raw(format!("{request}\n").as_bytes()).await;
    }

    async fn next(&mut self) -> Value {
        let mut line = String::new();
        let n = timeout(LIMIT, self.read.read_line(&mut line))
            .await
            .expect("an answer in time")
            .unwrap();
        assert!(n > 0, "smppd closed the connection");
        serde_json::from_str(&line).unwrap()
    }

    async fn call(&mut self, request: Value) -> Value {
        self.send(request).await;
        self.next().await
    }
}

fn submit(to: &str, text: &str) -> Value {
    json!({"op": "submit", "ref": text, "to": to, "from": "ACME", "text": text})
}

async fn sim(config: SimConfig) -> Simulator {
    Simulator::start(SimConfig {
        record: true,
        dlr: DlrConfig {
            delay: Duration::from_millis(100),
            ..DlrConfig::default()
        },
        ..config
    })
    .await
    .unwrap()
}

/// A carrier that refuses every bind: nothing can leave smppd's queue.
async fn refusing_sim() -> Simulator {
    sim(SimConfig {
        refuse_binds: true,
        ..SimConfig::default()
    })
    .await
}

/// The texts the simulator received, concatenated parts joined.
fn received_texts(sim: &Simulator) -> Vec<String> {
    let mut reassembler = Reassembler::new(ReassemblyConfig::default());
    let mut texts = Vec::new();
    for r in sim.received_submits() {
        let Body::SubmitSm(sm) = r.pdu.body else {
            continue;
        };
        let part = InboundPart::parse(
            sm.data_coding.0,
            sm.esm_class.0,
            sm.short_message.as_bytes().clone(),
            None,
            &DecodeOptions::default(),
        )
        .unwrap();
        let dest = sm.destination_addr.to_string();
        for m in reassembler.push("", &dest, part, Instant::now()) {
            texts.push(m.decoded.content.text().unwrap().to_owned());
        }
    }
    texts
}

async fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + LIMIT;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn texts_arrive_intact_and_receipts_reach_subscribers() {
    let sim = sim(SimConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(dir.path(), &sim, "").await;
    let mut events = daemon.connect().await;
    assert_eq!(
        events
            .call(json!({"op": "subscribe", "ref": "s", "events": ["dlr"]}))
            .await,
        json!({"ref": "s", "ok": true})
    );
    let mut c = daemon.connect().await;
    let long = "Your parcel is on its way. ".repeat(19);
    let texts = [
        "Your order shipped: 2 × {books} €5",
        "Table for 2 at 19:00 🍝 see you!",
        long.trim(),
    ];
    let mut ids = Vec::new();
    for text in texts {
        let answer = c.call(submit("+447700900123", text)).await;
        assert_eq!(answer["ok"], true, "{answer}");
        assert_eq!(answer["ref"], text);
        ids.push(answer["id"].as_str().unwrap().to_owned());
    }
    let answer = c.call(json!({"op": "status", "id": ids[0]})).await;
    assert_eq!(answer["id"], ids[0]);
    let segments: Vec<u64> = {
        let mut c2 = daemon.connect().await;
        let mut n = Vec::new();
        for id in &ids {
            let s = c2.call(json!({"op": "status", "id": id})).await;
            n.push(s["segments"].as_array().unwrap().len() as u64);
        }
        n
    };
    assert_eq!(
        segments,
        [1, 1, 4],
        "GSM-7, UCS-2 with emoji, 500 characters"
    );
    wait_for("the three texts at the SMSC", || {
        received_texts(&sim).len() == 3
    })
    .await;
    let mut got = received_texts(&sim);
    got.sort();
    let mut want: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
    want.sort();
    assert_eq!(got, want);
    // Every message's receipt reaches the subscriber with its gateway id.
    let mut delivered = Vec::new();
    while delivered.len() < 3 {
        let e = events.next().await;
        assert_eq!(e["event"], "dlr");
        assert_eq!(e["state"], "delivered", "{e}");
        delivered.push(e["id"].as_str().unwrap().to_owned());
    }
    delivered.sort();
    ids.sort();
    assert_eq!(delivered, ids);
    let status = c.call(json!({"op": "status", "id": ids[0]})).await;
    assert_eq!(status["state"], "delivered");
    // The thread view holds all three, oldest first.
    let history = c
        .call(json!({"op": "history", "number": "+447700900123", "limit": 50}))
        .await;
    let messages = history["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[0]["text"], texts[0]);
    daemon.terminate();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_whose_validity_runs_out_in_the_queue_fails_and_is_never_sent() {
    let sim = refusing_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(dir.path(), &sim, "").await;
    let mut events = daemon.connect().await;
    events
        .call(json!({"op": "subscribe", "ref": "s", "events": ["dlr"]}))
        .await;
    let mut c = daemon.connect().await;
    let mut short = submit("+447700900123", "Your code is 123456");
    short["validity"] = json!("1s");
    let short = c.call(short).await;
    assert_eq!(short["ok"], true, "{short}");
    let lasting = c.call(submit("+447700900124", "Your order shipped")).await;
    assert_eq!(lasting["ok"], true, "{lasting}");

    let e = events.next().await;
    assert_eq!(e["event"], "dlr");
    assert_eq!(e["id"], short["id"]);
    assert_eq!(e["state"], "failed", "{e}");
    assert!(e["error"].as_str().unwrap().contains("validity"), "{e}");
    let status = c.call(json!({"op": "status", "id": short["id"]})).await;
    assert_eq!(status["state"], "failed", "{status}");
    assert_eq!(status["segments"][0]["state"], "failed", "{status}");
    // The message without a validity of its own waits for the carrier.
    let status = c.call(json!({"op": "status", "id": lasting["id"]})).await;
    assert_eq!(status["state"], "queued", "{status}");
    assert!(sim.received_submits().is_empty());
    daemon.terminate();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_link_queue_refuses_submissions_without_storing_them() {
    let sim = refusing_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(dir.path(), &sim, "max_queue = 3").await;
    let mut c = daemon.connect().await;
    let keyed = |text: &str| {
        let mut request = submit("+447700900123", text);
        request["key"] = json!("order-1");
        request
    };
    let mut ids = Vec::new();
    for i in 0..3 {
        let request = if i == 0 {
            keyed("Update 0")
        } else {
            submit("+447700900123", &format!("Update {i}"))
        };
        let answer = c.call(request).await;
        assert_eq!(answer["ok"], true, "{answer}");
        ids.push(answer["id"].clone());
    }
    // A retry of an accepted message still gets its first answer; its key, reused for
    // something else, is still a conflict.
    let retry = c.call(keyed("Update 0")).await;
    assert_eq!(
        (&retry["ok"], &retry["id"]),
        (&json!(true), &ids[0]),
        "{retry}"
    );
    let reused = c.call(keyed("Something else")).await;
    assert_eq!(reused["error"]["code"], "key_conflict", "{reused}");
    let refused = c.call(submit("+447700900123", "One too many")).await;
    assert_eq!(refused["error"]["code"], "queue_full", "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("max_queue 3")
    );
    // Nothing refused was stored.
    let history = c
        .call(json!({"op": "history", "number": "+447700900123", "limit": 50}))
        .await;
    assert_eq!(
        history["messages"].as_array().unwrap().len(),
        3,
        "{history}"
    );
    for id in ids {
        let status = c.call(json!({"op": "status", "id": id})).await;
        assert_eq!(status["state"], "queued", "{status}");
    }
    daemon.terminate();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn early_and_other_base_receipts_are_matched() {
    for dlr in [
        DlrConfig {
            before_resp: true,
            ..DlrConfig::default()
        },
        DlrConfig {
            id_other_base: true,
            tlvs: false,
            delay: Duration::from_millis(50),
            ..DlrConfig::default()
        },
        // Both at once: early, and quoting the id in the other base.
        DlrConfig {
            before_resp: true,
            id_other_base: true,
            tlvs: false,
            ..DlrConfig::default()
        },
    ] {
        let sim = Simulator::start(SimConfig {
            dlr: dlr.clone(),
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let daemon = Daemon::start(dir.path(), &sim, "").await;
        let mut c = daemon.connect().await;
        let answer = c.call(submit("+447700900123", "hello")).await;
        let id = answer["id"].as_str().unwrap().to_owned();
        let deadline = Instant::now() + LIMIT;
        loop {
            let status = c.call(json!({"op": "status", "id": id})).await;
            if status["state"] == "delivered" {
                break;
            }
            assert!(Instant::now() < deadline, "{dlr:?}: still {status}");
            sleep(Duration::from_millis(20)).await;
        }
        daemon.terminate();
        sim.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concatenated_mo_out_of_order_arrives_whole_and_stop_blocks_the_next_submission() {
    let sim = sim(SimConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(dir.path(), &sim, "").await;
    let mut events = daemon.connect().await;
    events
        .call(json!({"op": "subscribe", "ref": 1, "events": ["mo"]}))
        .await;
    wait_for("a bound session", || sim.stats().binds_accepted >= 1).await;
    let text = "Can I change my booking to Friday the 28th at 7pm please? ".repeat(5);
    let mut mo = MoMessage::new("447700900123", "2222", text.clone().into_bytes());
    mo.concat = Some(Concat {
        parts: 3,
        reference: 42,
        out_of_order: true,
    });
    sim.inject_mo(mo).await.unwrap();
    let e = events.next().await;
    assert_eq!(e["event"], "mo");
    assert_eq!(e["from"], "+447700900123", "the number is normalised");
    assert_eq!(e["text"], text);
    assert_eq!(e["incomplete"], false);

    sim.inject_mo(MoMessage::new("447700900123", "2222", &b" Stop "[..]))
        .await
        .unwrap();
    let e = events.next().await;
    assert_eq!(e["text"], " Stop ");
    let mut c = daemon.connect().await;
    let answer = c.call(submit("+447700900123", "Last chance!")).await;
    assert_eq!(answer["error"]["code"], "opted_out", "{answer}");
    let list = c.call(json!({"op": "opt_out", "action": "list"})).await;
    assert_eq!(list["opt_outs"][0]["number"], "+447700900123");
    daemon.terminate();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_parts_of_an_inbound_message_survive_a_kill_9() {
    let sim = sim(SimConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut daemon = Daemon::start(dir.path(), &sim, "").await;
    wait_for("a bound session", || sim.stats().binds_accepted >= 1).await;
    let text =
        "Please move my delivery to the neighbour at number 12, I am out all day. ".repeat(3);
    let mo = || {
        let mut mo = MoMessage::new("447700900123", "2222", text.clone().into_bytes());
        mo.concat = Some(Concat {
            parts: 3,
            reference: 77,
            out_of_order: false,
        });
        mo
    };
    // Parts 1 and 3 are acknowledged; then smppd dies before part 2 arrives.
    let statuses = timeout(LIMIT, sim.inject_mo_parts(mo(), Some(&[1, 3])))
        .await
        .expect("answers in time")
        .unwrap();
    assert!(
        statuses
            .iter()
            .all(|s| *s == smppd_codec::CommandStatus::ESME_ROK),
        "{statuses:?}"
    );
    daemon.kill9();

    let binds = sim.stats().binds_accepted;
    let daemon = Daemon::start(dir.path(), &sim, "").await;
    let mut events = daemon.connect().await;
    events
        .call(json!({"op": "subscribe", "ref": 1, "events": ["mo"], "since": 0}))
        .await;
    wait_for("a new bound session", || sim.stats().binds_accepted > binds).await;
    timeout(LIMIT, sim.inject_mo_parts(mo(), Some(&[2])))
        .await
        .expect("an answer in time")
        .unwrap();
    let e = events.next().await;
    assert_eq!(e["event"], "mo");
    assert_eq!(
        e["text"], text,
        "the parts from before the crash are joined"
    );
    assert_eq!(e["incomplete"], false);
    daemon.terminate();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_lines_are_answered_with_their_codes_and_the_connection_survives() {
    let sim = sim(SimConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start(dir.path(), &sim, "").await;
    let mut c = daemon.connect().await;
    let cases = [
        ("{not json\n".to_owned(), "bad_json"),
        (
            r#"{"op":"teleport","ref":1}"#.to_owned() + "\n",
            "unknown_op",
        ),
        (
            r#"{"op":"submit","ref":2,"to":"+447700900123"}"#.to_owned() + "\n",
            "missing_field",
        ),
        (
            r#"{"op":"submit","ref":3,"to":"12a","from":"A","text":"x"}"#.to_owned() + "\n",
            "invalid_destination",
        ),
        (
            r#"{"op":"submit","ref":3,"to":"123456789","from":"A","text":"x"}"#.to_owned() + "\n",
            "invalid_destination",
        ),
        (
            r#"{"op":"submit","ref":4,"to":"+447700900123","from":"!!","text":"x"}"#.to_owned()
                + "\n",
            "invalid_source",
        ),
        (
            r#"{"op":"submit","ref":5,"to":"+447700900123","from":"A","text":"x","link":"nope"}"#
                .to_owned()
                + "\n",
            "unknown_link",
        ),
        (
            format!("{{\"op\":\"ping\",\"pad\":\"{}\"}}\n", "x".repeat(70_000)),
            "line_too_long",
        ),
    ];
    for (line, code) in cases {
        c.send_raw(line.as_bytes()).await;
        let answer = c.next().await;
        assert_eq!(answer["ok"], false, "{answer}");
        assert_eq!(answer["error"]["code"], code, "{answer}");
    }
    // Still the same connection, still answering.
    assert_eq!(
        c.call(json!({"op": "ping", "ref": "p"})).await,
        json!({"ref": "p", "ok": true})
    );
    // Many requests in flight on one connection, each answered under its ref.
    for i in 0..50 {
        c.send(submit("+447700900123", &format!("m{i}"))).await;
    }
    let mut refs: Vec<String> = Vec::new();
    for _ in 0..50 {
        refs.push(c.next().await["ref"].as_str().unwrap().to_owned());
    }
    refs.sort();
    let mut want: Vec<String> = (0..50).map(|i| format!("m{i}")).collect();
    want.sort();
    assert_eq!(refs, want);
    // An idempotency key sends once; reused with other content it is a conflict.
    let first = c.call(json!({"op":"submit","ref":"k1","to":"+447700900124","from":"A","text":"x","key":"order-1"})).await;
    let again = c.call(json!({"op":"submit","ref":"k2","to":"+447700900124","from":"A","text":"x","key":"order-1"})).await;
    assert_eq!(first["id"], again["id"]);
    let other = c.call(json!({"op":"submit","ref":"k3","to":"+447700900124","from":"A","text":"y","key":"order-1"})).await;
    assert_eq!(other["error"]["code"], "key_conflict");
    daemon.terminate();
    sim.shutdown().await;
}

/// A `kill -9` in the middle of 10,000 submissions, then a restart: every acknowledged
/// message reaches the SMSC; at most sessions × window are sent twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_no_acknowledged_message() {
    const TOTAL: usize = 10_000;
    let sim = sim(SimConfig {
        dlr: DlrConfig {
            delay: Duration::from_secs(3600),
            ..DlrConfig::default()
        },
        ..SimConfig::default()
    })
    .await;
    sim.set_response_delay(smppd_sim::Delay::Fixed(Duration::from_millis(1)));
    let dir = tempfile::tempdir().unwrap();
    let mut daemon = Daemon::start(dir.path(), &sim, "max_tps = 4000").await;
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut writers = Vec::new();
    for w in 0..4 {
        let conn = daemon.connect().await;
        let acked = acked.clone();
        writers.push(tokio::spawn(async move {
            let Conn {
                mut read,
                mut write,
            } = conn;
            let sender = tokio::spawn(async move {
                for i in (w..TOTAL).step_by(4) {
                    let line = format!("{}\n", submit("+447700900123", &format!("k{i}")));
                    if write.write_all(line.as_bytes()).await.is_err() {
                        break;
                    }
                }
            });
            let mut line = String::new();
            loop {
                line.clear();
                match timeout(LIMIT, read.read_line(&mut line)).await {
                    Ok(Ok(n)) if n > 0 => {
                        let answer: Value = serde_json::from_str(&line).unwrap();
                        if answer["ok"] == true {
                            acked
                                .lock()
                                .unwrap()
                                .push(answer["ref"].as_str().unwrap().to_owned());
                        }
                    }
                    _ => break,
                }
            }
            sender.abort();
        }));
    }
    wait_for("3,000 acknowledgements", || {
        acked.lock().unwrap().len() >= 3_000
    })
    .await;
    daemon.kill9();
    for w in writers {
        w.await.unwrap();
    }
    let acked: Vec<String> = acked.lock().unwrap().clone();
    assert!(
        acked.len() < TOTAL,
        "the kill came too late to prove anything"
    );

    let daemon = Daemon::start(dir.path(), &sim, "max_tps = 4000").await;
    let received = || -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for r in sim.received_submits() {
            if let Body::SubmitSm(sm) = r.pdu.body {
                *counts
                    .entry(String::from_utf8_lossy(&sm.short_message).into_owned())
                    .or_insert(0) += 1;
            }
        }
        counts
    };
    wait_for("every acknowledged message at the SMSC", || {
        let counts = received();
        acked.iter().all(|k| counts.contains_key(k))
    })
    .await;
    let duplicates: usize = received().values().map(|n| n - 1).sum();

    assert!(
        duplicates <= 2 * 10,
        "{duplicates} messages sent twice; at most sessions x window = 20 may be"
    );
    eprintln!(
        "kill -9 after {} acknowledgements: all reached the SMSC after the restart; {duplicates} sent twice",
        acked.len()
    );
    daemon.terminate();
    sim.shutdown().await;
}
