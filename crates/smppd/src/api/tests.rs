//! The socket over real Unix sockets in a temporary directory, with [`Memory`], an in-memory
//! handler; and the wire format's checks, table by table, without sockets.

use std::collections::{BTreeMap, HashMap};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::protocol::{self, parse_line};
use super::*;
use crate::config::SocketGroup;

/// A handler that keeps everything in memory. Status of the id `gated` waits for
/// [`Memory::open_gate`]; status of `panic` panics.
#[derive(Debug)]
pub(crate) struct Memory {
    state: Mutex<State>,
    gate: Semaphore,
}

impl Default for Memory {
    fn default() -> Self {
        Memory {
            state: Mutex::default(),
            gate: Semaphore::new(0),
        }
    }
}

#[derive(Debug, Default)]
struct State {
    messages: Vec<StatusReply>,
    requests: Vec<SubmitRequest>,
    keys: HashMap<String, (SubmitRequest, SubmitReply)>,
    events: Vec<Event>,
    subscribers: Vec<(EventKinds, mpsc::Sender<Event>)>,
    opt_outs: BTreeMap<String, Timestamp>,
    consent_changes_by: Vec<Peer>,
    status_calls: usize,
}

impl Memory {
    /// Lets the waiting `gated` status requests through.
    pub(crate) fn open_gate(&self) {
        self.gate.add_permits(Semaphore::MAX_PERMITS / 2);
    }

    /// Records a delivery receipt for message `id`: its state and a `dlr` event.
    pub(crate) fn deliver(&self, id: &str, state: MessageState) {
        let mut s = self.state.lock().unwrap();
        if let Some(message) = s.messages.iter_mut().find(|m| m.id == id) {
            message.state = state;
        }
        let event_id = s.events.len() as u64 + 1;
        s.publish(Event::Dlr(DlrEvent {
            event_id,
            id: id.to_owned(),
            smsc_id: Some(format!("smsc-{id}")),
            state,
            error: None,
            at: Timestamp::from_unix_ms(1_700_000_000_000),
        }));
    }

    /// Records an inbound message and its `mo` event.
    pub(crate) fn receive(&self, from: &str, text: &str) {
        let mut s = self.state.lock().unwrap();
        let event_id = s.events.len() as u64 + 1;
        s.publish(Event::Mo(MoEvent {
            event_id,
            from: from.to_owned(),
            to: "2222".to_owned(),
            text: text.to_owned(),
            link: "carrier-a".to_owned(),
            at: Timestamp::from_unix_ms(1_700_000_000_000),
            incomplete: false,
        }));
    }

    /// The requests submitted, in order.
    pub(crate) fn submitted(&self) -> Vec<SubmitRequest> {
        self.state.lock().unwrap().requests.clone()
    }

    /// How many `status` requests reached the handler.
    pub(crate) fn status_calls(&self) -> usize {
        self.state.lock().unwrap().status_calls
    }

    /// Subscriptions still open.
    pub(crate) fn subscriber_count(&self) -> usize {
        let mut s = self.state.lock().unwrap();
        s.subscribers.retain(|(_, tx)| !tx.is_closed());
        s.subscribers.len()
    }
}

impl State {
    fn publish(&mut self, event: Event) {
        self.events.push(event.clone());
        // A full channel loses the event (the subscriber may resubscribe with `since`); a
        // closed one is a subscription the server ended.
        self.subscribers.retain(|(kinds, tx)| {
            !kinds.includes(&event)
                || !matches!(tx.try_send(event.clone()), Err(TrySendError::Closed(_)))
        });
    }
}

impl Handler for Memory {
    async fn submit(&self, request: SubmitRequest) -> Result<SubmitReply, ApiError> {
        let mut s = self.state.lock().unwrap();
        if let Some(link) = request.link.as_deref().filter(|l| *l != "carrier-a") {
            return Err(ApiError::new(
                ErrorCode::UnknownLink,
                format!("no link {link:?}"),
            ));
        }
        if s.opt_outs.contains_key(&request.to) && !request.transactional {
            return Err(ApiError::new(
                ErrorCode::OptedOut,
                format!("{} opted out", request.to),
            ));
        }
        if let Some(key) = &request.key {
            if let Some((first, reply)) = s.keys.get(key) {
                if first.text != request.text || first.to != request.to {
                    return Err(ApiError::new(ErrorCode::KeyConflict, "key reused"));
                }
                return Ok(reply.clone());
            }
        }
        let id = format!("m{}", s.messages.len() + 1);
        let segments = request.text.chars().count().div_ceil(160) as u32;
        let encoding = match request.encoding {
            smppd_text::EncodingChoice::Auto => "gsm7".to_owned(),
            smppd_text::EncodingChoice::Forced(encoding) => encoding.to_string(),
        };
        let reply = SubmitReply {
            id: id.clone(),
            segments,
            encoding,
        };
        let at = Timestamp::from_unix_ms(1_700_000_000_000 + s.messages.len() as i64);
        s.messages.push(StatusReply {
            id,
            state: MessageState::Queued,
            error: None,
            segments: (1..=segments)
                .map(|seq| SegmentStatus {
                    seq,
                    smsc_id: None,
                    state: MessageState::Queued,
                    error: None,
                })
                .collect(),
            created_at: at,
            updated_at: at,
        });
        if let Some(key) = &request.key {
            s.keys.insert(key.clone(), (request.clone(), reply.clone()));
        }
        s.requests.push(request);
        Ok(reply)
    }

    async fn status(&self, id: &str) -> Result<StatusReply, ApiError> {
        match id {
            "gated" => {
                drop(self.gate.acquire().await);
                Err(ApiError::not_found(id))
            }
            "panic" => panic!("status of `panic`"),
            _ => {
                let mut s = self.state.lock().unwrap();
                s.status_calls += 1;
                s.messages
                    .iter()
                    .find(|m| m.id == id)
                    .cloned()
                    .ok_or_else(|| ApiError::not_found(id))
            }
        }
    }

    async fn history(&self, number: &str, limit: u32) -> Result<HistoryReply, ApiError> {
        let s = self.state.lock().unwrap();
        let mut messages: Vec<HistoryEntry> = s
            .requests
            .iter()
            .zip(&s.messages)
            .filter(|(request, _)| request.to == number)
            .map(|(request, status)| HistoryEntry {
                direction: Direction::Out,
                id: status.id.clone(),
                text: Some(request.text.clone()),
                state: Some(status.state),
                at: status.created_at,
            })
            .chain(s.events.iter().filter_map(|event| match event {
                Event::Mo(mo) if mo.from == number => Some(HistoryEntry {
                    direction: Direction::In,
                    id: format!("i{}", mo.event_id),
                    text: Some(mo.text.clone()),
                    state: None,
                    at: mo.at,
                }),
                _ => None,
            }))
            .collect();
        messages.sort_by_key(|m| m.at);
        let skip = messages.len().saturating_sub(limit as usize);
        Ok(HistoryReply {
            messages: messages.split_off(skip),
        })
    }

    async fn subscribe(
        &self,
        kinds: EventKinds,
        since: Option<u64>,
    ) -> Result<mpsc::Receiver<Event>, ApiError> {
        let (tx, rx) = mpsc::channel(64);
        let mut s = self.state.lock().unwrap();
        if let Some(since) = since {
            for event in s.events.iter().filter(|e| e.event_id() > since) {
                if kinds.includes(event) {
                    tx.try_send(event.clone())
                        .map_err(|_| ApiError::unavailable("too many events to replay"))?;
                }
            }
        }
        s.subscribers.push((kinds, tx));
        Ok(rx)
    }

    async fn opt_out(&self, op: OptOutOp, peer: Peer) -> Result<OptOutReply, ApiError> {
        let mut s = self.state.lock().unwrap();
        let set = |s: &mut State, number: String, out: bool| {
            s.consent_changes_by.push(peer);
            if out {
                s.opt_outs
                    .insert(number.clone(), Timestamp::from_unix_ms(1_700_000_000_000));
            } else {
                s.opt_outs.remove(&number);
            }
            OptOutReply::Set {
                number,
                opted_out: out,
            }
        };
        Ok(match op {
            OptOutOp::Add { number } => set(&mut s, number, true),
            OptOutOp::Remove { number } => set(&mut s, number, false),
            OptOutOp::List { number } => OptOutReply::List {
                opt_outs: s
                    .opt_outs
                    .iter()
                    .filter(|(n, _)| number.as_ref().is_none_or(|only| only == *n))
                    .map(|(number, since)| OptOutEntry {
                        number: number.clone(),
                        since: *since,
                    })
                    .collect(),
            },
        })
    }
}

/// A server on a socket in a temporary directory.
pub(crate) struct Running {
    _dir: tempfile::TempDir,
    pub(crate) path: PathBuf,
    pub(crate) handler: Arc<Memory>,
    pub(crate) shutdown: CancellationToken,
    pub(crate) task: JoinHandle<()>,
}

impl Running {
    pub(crate) async fn start() -> Running {
        Self::start_with(|_| {}).await
    }

    pub(crate) async fn start_with(configure: impl FnOnce(&mut SocketOptions)) -> Running {
        let dir = tempfile::tempdir().unwrap();
        let mut options = SocketOptions {
            max_line: 4096,
            shutdown_timeout: Duration::from_secs(5),
            ..SocketOptions::at(dir.path().join("run/smppd.sock"))
        };
        configure(&mut options);
        let listener = Listener::bind(&options).unwrap();
        let handler = Arc::new(Memory::default());
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(listener.serve(handler.clone(), shutdown.clone()));
        Running {
            path: options.path,
            _dir: dir,
            handler,
            shutdown,
            task,
        }
    }

    async fn client(&self) -> Client {
        Client::connect(&self.path).await
    }

    /// Stops the server and waits for it.
    async fn stop(self) {
        self.shutdown.cancel();
        self.task.await.unwrap();
    }
}

/// A raw protocol client.
struct Client {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

/// A guard against a hung test, not a delay: every expected line comes at once.
const PATIENCE: Duration = Duration::from_secs(10);

impl Client {
    async fn connect(path: &Path) -> Client {
        let (read, writer) = UnixStream::connect(path).await.unwrap().into_split();
        Client {
            reader: BufReader::new(read),
            writer,
        }
    }

    async fn send(&mut self, line: &str) {
        self.writer.write_all(line.as_bytes()).await.unwrap();
        self.writer.write_all(b"\n").await.unwrap();
    }

    /// The next line, parsed; `None` at end of stream.
    async fn next(&mut self) -> Option<Value> {
        let mut line = String::new();
        let n = tokio::time::timeout(PATIENCE, self.reader.read_line(&mut line))
            .await
            .expect("no line from the server")
            .unwrap();
        (n > 0).then(|| serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line}: {e}")))
    }

    async fn recv(&mut self) -> Value {
        self.next().await.expect("the server closed the connection")
    }

    async fn call(&mut self, line: &str) -> Value {
        self.send(line).await;
        self.recv().await
    }
}

/// The error code of an answer, asserting the answer is an error.
fn code(answer: &Value) -> &str {
    assert_eq!(answer["ok"], false, "{answer}");
    answer["error"]["code"].as_str().unwrap()
}

fn current_ids(path: &Path) -> (u32, u32) {
    let metadata = std::fs::metadata(path).unwrap();
    (metadata.uid(), metadata.gid())
}

#[tokio::test]
async fn ping_echoes_any_ref() {
    let server = Running::start().await;
    let mut client = server.client().await;
    for reference in [json!("r1"), json!(7), json!({"a": [1, 2]}), json!(null)] {
        let answer = client
            .call(&json!({"op": "ping", "ref": reference}).to_string())
            .await;
        assert_eq!(answer, json!({"ref": reference, "ok": true}));
    }
    let answer = client.call(r#"{"op":"ping"}"#).await;
    assert_eq!(answer, json!({"ref": null, "ok": true}));
    server.stop().await;
}

#[tokio::test]
async fn submit_status_history_round_trip() {
    let server = Running::start().await;
    let mut client = server.client().await;
    let answer = client
        .call(
            r#"{"op":"submit","ref":"r1","to":"+447700900123","from":"ACME",
                "text":"Your order shipped","key":"order-1","validity":"2h",
                "schedule_at":"2026-11-22T18:30:00+01:00","encoding":"gsm7","dlr":false}"#
                .replace('\n', "")
                .as_str(),
        )
        .await;
    assert_eq!(
        answer,
        json!({"ref": "r1", "ok": true, "id": "m1", "segments": 1, "encoding": "gsm7"})
    );
    let submitted = &server.handler.submitted()[0];
    assert_eq!(submitted.validity, Some(Duration::from_secs(7200)));
    assert_eq!(
        submitted.schedule_at.unwrap().unix_timestamp(),
        1_795_368_600
    );
    assert!(!submitted.dlr);
    assert_eq!(submitted.key.as_deref(), Some("order-1"));

    let answer = client.call(r#"{"op":"status","ref":2,"id":"m1"}"#).await;
    assert_eq!(
        answer,
        json!({"ref": 2, "ok": true, "id": "m1", "state": "queued", "error": null,
            "segments": [{"seq": 1, "smsc_id": null, "state": "queued", "error": null}],
            "created_at": "2023-11-14T22:13:20.000Z", "updated_at": "2023-11-14T22:13:20.000Z"})
    );
    let answer = client.call(r#"{"op":"status","ref":3,"id":"m9"}"#).await;
    assert_eq!(code(&answer), "not_found");
    assert_eq!(answer["ref"], 3);

    server.handler.receive("+447700900123", "Thanks!");
    let answer = client
        .call(r#"{"op":"history","ref":4,"number":"+447700900123"}"#)
        .await;
    assert_eq!(
        answer,
        json!({"ref": 4, "ok": true, "messages": [
            {"direction": "out", "id": "m1", "text": "Your order shipped", "state": "queued",
                "at": "2023-11-14T22:13:20.000Z"},
            {"direction": "in", "id": "i1", "text": "Thanks!", "state": null,
                "at": "2023-11-14T22:13:20.000Z"},
        ]})
    );
    let answer = client
        .call(r#"{"op":"history","ref":5,"number":"+447700900123","limit":1}"#)
        .await;
    assert_eq!(answer["messages"].as_array().unwrap().len(), 1);
    assert_eq!(answer["messages"][0]["direction"], "in");
    server.stop().await;
}

#[tokio::test]
async fn opt_out_add_list_remove_and_its_effect_on_submit() {
    let server = Running::start().await;
    let mut client = server.client().await;
    let submit = |transactional: bool| {
        json!({"op": "submit", "ref": "s", "to": "+447700900123", "from": "2222",
            "text": "Hi", "transactional": transactional})
        .to_string()
    };
    let answer = client
        .call(r#"{"op":"opt_out","ref":1,"action":"add","number":"+447700900123"}"#)
        .await;
    assert_eq!(
        answer,
        json!({"ref": 1, "ok": true, "number": "+447700900123", "opted_out": true})
    );
    assert_eq!(code(&client.call(&submit(false)).await), "opted_out");
    assert_eq!(client.call(&submit(true)).await["ok"], true);
    let answer = client
        .call(r#"{"op":"opt_out","ref":2,"action":"list"}"#)
        .await;
    assert_eq!(
        answer,
        json!({"ref": 2, "ok": true, "opt_outs": [
            {"number": "+447700900123", "since": "2023-11-14T22:13:20.000Z"}]})
    );
    let answer = client
        .call(r#"{"op":"opt_out","ref":3,"action":"list","number":"+447700900999"}"#)
        .await;
    assert_eq!(answer, json!({"ref": 3, "ok": true, "opt_outs": []}));
    let answer = client
        .call(r#"{"op":"opt_out","ref":4,"action":"remove","number":"+447700900123"}"#)
        .await;
    assert_eq!(answer["opted_out"], false);
    assert_eq!(client.call(&submit(false)).await["ok"], true);
    // The handler learns who changed consent, for the audit trail.
    let by = server
        .handler
        .state
        .lock()
        .unwrap()
        .consent_changes_by
        .clone();
    assert_eq!(by.len(), 2);
    assert_eq!(by[0].uid, current_ids(&server.path).0);
    server.stop().await;
}

#[tokio::test]
async fn handler_errors_and_idempotency_keys_are_answered_with_their_code() {
    let server = Running::start().await;
    let mut client = server.client().await;
    let submit = |key: &str, text: &str, link: Option<&str>| {
        json!({"op": "submit", "ref": key, "to": "+447700900123", "from": "ACME",
            "text": text, "key": key, "link": link})
        .to_string()
    };
    let first = client.call(&submit("k1", "one", None)).await;
    let again = client.call(&submit("k1", "one", None)).await;
    assert_eq!(first, again);
    assert_eq!(
        code(&client.call(&submit("k1", "two", None)).await),
        "key_conflict"
    );
    assert_eq!(
        code(&client.call(&submit("k2", "one", Some("nope"))).await),
        "unknown_link"
    );
    assert_eq!(server.handler.submitted().len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn many_requests_in_flight_on_one_connection_are_answered_with_their_refs() {
    let server = Running::start().await;
    let mut client = server.client().await;
    const N: usize = 1000;
    // All written before any answer is read: far more than the in-flight and queue limits.
    let mut batch = String::new();
    for i in 0..N {
        batch.push_str(
            &json!({"op": "submit", "ref": i, "to": "+447700900123", "from": "ACME",
                "text": format!("message {i}")})
            .to_string(),
        );
        batch.push('\n');
    }
    let (mut reader, mut writer) = (client.reader, client.writer);
    let write = tokio::spawn(async move {
        writer.write_all(batch.as_bytes()).await.unwrap();
        writer
    });
    let mut seen = vec![false; N];
    let mut ids = std::collections::HashSet::new();
    for _ in 0..N {
        let mut line = String::new();
        tokio::time::timeout(PATIENCE, reader.read_line(&mut line))
            .await
            .unwrap()
            .unwrap();
        let answer: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(answer["ok"], true, "{answer}");
        let i = answer["ref"].as_u64().unwrap() as usize;
        assert!(!seen[i], "ref {i} answered twice");
        seen[i] = true;
        assert!(ids.insert(answer["id"].as_str().unwrap().to_owned()));
    }
    assert!(seen.iter().all(|s| *s));
    client.writer = write.await.unwrap();
    client.reader = reader;
    assert_eq!(
        client.call(r#"{"op":"ping","ref":"last"}"#).await["ref"],
        "last"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_slow_request_does_not_hold_up_later_ones() {
    let server = Running::start().await;
    let mut client = server.client().await;
    client
        .send(r#"{"op":"status","ref":"slow","id":"gated"}"#)
        .await;
    client
        .send(r#"{"op":"submit","ref":"fast","to":"12345","from":"ACME","text":"x"}"#)
        .await;
    let first = client.recv().await;
    assert_eq!(first["ref"], "fast");
    server.handler.open_gate();
    let second = client.recv().await;
    assert_eq!(second["ref"], "slow");
    assert_eq!(code(&second), "not_found");
    server.stop().await;
}

#[tokio::test]
async fn a_panicking_handler_is_answered_unavailable() {
    let server = Running::start().await;
    let mut client = server.client().await;
    let answer = client.call(r#"{"op":"status","ref":1,"id":"panic"}"#).await;
    assert_eq!(code(&answer), "unavailable");
    assert_eq!(answer["ref"], 1);
    assert_eq!(client.call(r#"{"op":"ping","ref":2}"#).await["ok"], true);
    server.stop().await;
}

#[tokio::test]
async fn malformed_lines_are_answered_and_the_connection_survives() {
    let server = Running::start().await;
    let mut client = server.client().await;
    for (line, expected) in [
        (r#"{"op":"ping""#, "bad_json"),
        ("hello", "bad_json"),
        (r#"[{"op":"ping"}]"#, "bad_json"),
        ("\"ping\"", "bad_json"),
        ("\u{1}\u{2}\u{3}", "bad_json"),
        (r#"{"op":"pong","ref":"x"}"#, "unknown_op"),
        (r#"{"ref":"x"}"#, "missing_field"),
        (r#"{"op":7,"ref":"x"}"#, "invalid_field"),
        (
            r#"{"op":"submit","ref":"x","to":"+447700900123","from":"ACME"}"#,
            "missing_field",
        ),
        (
            r#"{"op":"submit","ref":"x","to":"07700900123","from":"ACME","text":"a"}"#,
            "invalid_destination",
        ),
        (
            r#"{"op":"submit","ref":"x","to":"+447700900123","from":"ACME LIMITED","text":"a"}"#,
            "invalid_source",
        ),
    ] {
        let answer = client.call(line).await;
        assert_eq!(code(&answer), expected, "{line}");
        let reference = if expected == "bad_json" {
            json!(null)
        } else {
            json!("x")
        };
        assert_eq!(answer["ref"], reference, "{line}");
    }
    // Invalid UTF-8 inside a string.
    client
        .writer
        .write_all(b"{\"op\":\"ping\",\"ref\":\"\xff\"}\n")
        .await
        .unwrap();
    assert_eq!(code(&client.recv().await), "bad_json");
    // Blank lines are skipped without an answer.
    client.send("\n  \r").await;
    assert_eq!(
        client.call(r#"{"op":"ping","ref":"alive"}"#).await["ref"],
        "alive"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_huge_line_is_refused_and_the_next_line_answered() {
    let server = Running::start_with(|options| options.max_line = 1024).await;
    let mut client = server.client().await;
    let huge = format!(
        r#"{{"op":"submit","ref":"big","to":"+447700900123","from":"ACME","text":"{}"}}"#,
        "x".repeat(1_000_000)
    );
    client.send(&huge).await;
    let answer = client.recv().await;
    assert_eq!(code(&answer), "line_too_long");
    assert_eq!(answer["ref"], Value::Null);
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1024"),
        "{answer}"
    );
    assert_eq!(
        client.call(r#"{"op":"ping","ref":"next"}"#).await["ref"],
        "next"
    );
    // Just under the limit is fine.
    let fits = format!(
        r#"{{"op":"submit","ref":"fits","to":"+447700900123","from":"ACME","text":"{}"}}"#,
        "y".repeat(900)
    );
    assert!(fits.len() <= 1024);
    assert_eq!(client.call(&fits).await["ok"], true);
    assert!(
        server
            .handler
            .submitted()
            .iter()
            .all(|s| s.text.len() == 900)
    );
    server.stop().await;
}

#[tokio::test]
async fn a_last_line_without_newline_is_answered_after_half_close() {
    let server = Running::start().await;
    let mut client = server.client().await;
    client
        .writer
        .write_all(br#"{"op":"ping","ref":1}"#)
        .await
        .unwrap();
    client.writer.shutdown().await.unwrap();
    assert_eq!(client.recv().await["ref"], 1);
    assert_eq!(client.next().await, None);
    server.stop().await;
}

#[tokio::test]
async fn subscribers_get_events_of_their_kinds_and_a_replay_since() {
    let server = Running::start().await;
    let mut all = server.client().await;
    let mut mo_only = server.client().await;
    assert_eq!(
        all.call(r#"{"op":"subscribe","ref":"a"}"#).await,
        json!({"ref": "a", "ok": true})
    );
    assert_eq!(
        mo_only
            .call(r#"{"op":"subscribe","ref":"m","events":["mo"]}"#)
            .await["ok"],
        true
    );
    server.handler.deliver("m1", MessageState::Delivered);
    server.handler.receive("+447700900123", "STOP");
    assert_eq!(
        all.recv().await,
        json!({"event": "dlr", "event_id": 1, "id": "m1", "smsc_id": "smsc-m1",
            "state": "delivered", "error": null, "at": "2023-11-14T22:13:20.000Z"})
    );
    let mo = json!({"event": "mo", "event_id": 2, "from": "+447700900123", "to": "2222",
        "text": "STOP", "link": "carrier-a", "at": "2023-11-14T22:13:20.000Z",
        "incomplete": false});
    assert_eq!(all.recv().await, mo);
    assert_eq!(mo_only.recv().await, mo);
    // Requests still work on a subscribed connection.
    assert_eq!(all.call(r#"{"op":"ping","ref":"p"}"#).await["ref"], "p");

    let mut late = server.client().await;
    assert_eq!(
        late.call(r#"{"op":"subscribe","ref":"l","events":["dlr","mo"],"since":1}"#)
            .await["ok"],
        true
    );
    assert_eq!(late.recv().await["event_id"], 2);
    server.handler.deliver("m2", MessageState::Undeliverable);
    assert_eq!(late.recv().await["event_id"], 3);
    assert_eq!(all.recv().await["event_id"], 3);

    // A subscription ends with the daemon, with a word on how to resume.
    server.shutdown.cancel();
    let end = late.recv().await;
    assert_eq!(end["ref"], "l");
    assert_eq!(code(&end), "unavailable");
    assert!(
        end["error"]["message"]
            .as_str()
            .unwrap()
            .contains("\"since\":3"),
        "{end}"
    );
    assert_eq!(late.next().await, None);
    server.task.await.unwrap();
}

#[tokio::test]
async fn a_subscription_ends_when_its_client_goes() {
    let server = Running::start().await;
    let mut client = server.client().await;
    assert_eq!(client.call(r#"{"op":"subscribe"}"#).await["ok"], true);
    assert_eq!(server.handler.subscriber_count(), 1);
    drop(client);
    // The next event finds the client gone and ends the subscription.
    server.handler.deliver("m1", MessageState::Delivered);
    for _ in 0..1000 {
        if server.handler.subscriber_count() == 0 {
            break;
        }
        tokio::task::yield_now().await;
        server.handler.deliver("m1", MessageState::Delivered);
    }
    assert_eq!(server.handler.subscriber_count(), 0);
    server.stop().await;
}

#[tokio::test]
async fn shutdown_answers_requests_in_flight_then_closes() {
    let server = Running::start().await;
    let mut client = server.client().await;
    client
        .send(r#"{"op":"status","ref":"slow","id":"gated"}"#)
        .await;
    // The request is running once a later one is answered.
    assert_eq!(client.call(r#"{"op":"ping","ref":"p"}"#).await["ref"], "p");
    server.shutdown.cancel();
    // New connections are refused as soon as serving stops accepting.
    server.handler.open_gate();
    let answer = client.recv().await;
    assert_eq!(answer["ref"], "slow");
    assert_eq!(client.next().await, None);
    server.task.await.unwrap();
    assert!(!server.path.exists(), "the socket file is removed");
}

#[tokio::test]
async fn a_stale_socket_file_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("smppd.sock");
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(path.exists());
    let listener = Listener::bind(&SocketOptions::at(&path)).unwrap();
    let handler = Arc::new(Memory::default());
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(listener.serve(handler, shutdown.clone()));
    let mut client = Client::connect(&path).await;
    assert_eq!(client.call(r#"{"op":"ping"}"#).await["ok"], true);
    shutdown.cancel();
    task.await.unwrap();
}

#[tokio::test]
async fn a_live_socket_is_not_taken_over() {
    let server = Running::start().await;
    let error = Listener::bind(&SocketOptions::at(&server.path)).unwrap_err();
    assert!(matches!(error, BindError::InUse { .. }), "{error}");
    assert!(error.to_string().contains("in use"), "{error}");
    // The running server is untouched.
    let mut client = server.client().await;
    assert_eq!(client.call(r#"{"op":"ping"}"#).await["ok"], true);
    server.stop().await;
}

#[tokio::test]
async fn a_file_that_is_not_a_socket_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("smppd.sock");
    std::fs::write(&path, "precious").unwrap();
    let error = Listener::bind(&SocketOptions::at(&path)).unwrap_err();
    assert!(matches!(error, BindError::NotASocket { .. }), "{error}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "precious");
}

#[tokio::test]
async fn the_socket_gets_its_mode_and_group() {
    let dir = tempfile::tempdir().unwrap();
    let (_, gid) = current_ids(dir.path());
    let server = Running::start().await;
    let mode = std::fs::metadata(&server.path)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o660);
    server.stop().await;

    let server = Running::start_with(|options| {
        options.mode = 0o600;
        options.group = Some(SocketGroup::Gid(gid));
    })
    .await;
    let metadata = std::fs::metadata(&server.path).unwrap();
    assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    assert_eq!(metadata.gid(), gid);
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(server.path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["smppd.sock"]);
    server.stop().await;

    let error = Listener::bind(&SocketOptions {
        group: Some(SocketGroup::Name("no-such-group-smppd".into())),
        ..SocketOptions::at(dir.path().join("x.sock"))
    })
    .unwrap_err();
    assert!(matches!(error, BindError::UnknownGroup { .. }), "{error}");
}

#[tokio::test]
async fn a_group_is_found_by_name() {
    // Whatever group our own gid has a name in, if any.
    let (_, gid) = current_ids(Path::new("/"));
    let Some(name) = std::fs::read_to_string("/etc/group")
        .ok()
        .and_then(|groups| {
            groups.lines().find_map(|line| {
                let fields: Vec<_> = line.split(':').collect();
                (fields.len() > 2 && fields[2] == gid.to_string()).then(|| fields[0].to_owned())
            })
        })
    else {
        return;
    };
    assert_eq!(access::group_id(&name).unwrap(), Some(gid));
}

#[tokio::test]
async fn peer_credentials_are_checked_against_the_allow_lists() {
    let dir = tempfile::tempdir().unwrap();
    let (uid, gid) = current_ids(dir.path());
    for (uids, gids, allowed) in [
        (vec![uid], vec![], true),
        (vec![uid.wrapping_add(1), uid], vec![], true),
        (vec![], vec![gid], true),
        (vec![uid.wrapping_add(1)], vec![gid.wrapping_add(1)], false),
        (vec![uid.wrapping_add(1)], vec![], false),
    ] {
        let server = Running::start_with(|options| {
            options.access = Access {
                uids: uids.clone(),
                gids: gids.clone(),
            };
        })
        .await;
        let mut client = server.client().await;
        let answer = client.call(r#"{"op":"ping","ref":1}"#).await;
        if allowed {
            assert_eq!(answer["ok"], true, "{uids:?} {gids:?}");
        } else {
            assert_eq!(code(&answer), "forbidden", "{uids:?} {gids:?}");
            assert_eq!(answer["ref"], Value::Null);
            assert!(
                answer["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("uid {uid}"))
            );
            assert_eq!(client.next().await, None, "the connection is closed");
        }
        drop(client);
        server.stop().await;
    }
}

#[test]
fn access_checks_uid_then_groups() {
    let peer = Peer {
        uid: 1000,
        gid: 1000,
        pid: None,
    };
    let groups = || vec![27, 998];
    let never = || -> Vec<u32> { panic!("groups asked for needlessly") };
    let access = |uids: &[u32], gids: &[u32]| Access {
        uids: uids.to_vec(),
        gids: gids.to_vec(),
    };
    assert!(access(&[], &[]).permits(&peer, never));
    assert!(access(&[1000], &[]).permits(&peer, never));
    assert!(access(&[], &[1000]).permits(&peer, never));
    assert!(access(&[], &[998]).permits(&peer, groups));
    assert!(!access(&[], &[999]).permits(&peer, groups));
    assert!(!access(&[0], &[]).permits(&peer, never));
}

#[test]
fn peer_groups_of_a_socket_pair_are_ours() {
    let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    // Where the kernel tells, the list is the process's supplementary groups: a short list.
    assert!(access::peer_groups(&a).len() < 65_536);
}

// The wire format, without sockets.

fn parse(line: &str) -> Result<Request, ApiError> {
    parse_line(line.as_bytes()).request
}

#[test]
fn a_submit_reads_the_same_by_the_fast_path_as_by_the_general_one() {
    let mut lines: Vec<String> = vec![
        r#"{"op":"submit","ref":"r1","to":"+447700900123","from":"ACME","text":"Your order shipped"}"#.into(),
        r#"{"ref":{"a":[1,2]},"op":"submit","to":"2222","from":"+447700900123","text":"hi","dlr":false}"#.into(),
        r#"{"op":"submit","ref":null,"to":"+447700900123","from":"ACME","text":"x","link":null}"#.into(),
        r#"{"op":"submit","to":"+447700900123","from":"ACME","text":"x","to":"+33612345678"}"#.into(),
        r#"{"op":"submit","to":"+447700900123","from":"ACME","text":"Café 
"}"#.into(),
        r#"{"op":"status","to":"+447700900123","from":"ACME","text":"x"}"#.into(),
        r#"{"op":"submit","to":"+447700900123","from":"ACME"}"#.into(),
        r#"{"op":"submit","to":"+447700900123","from":"ACME","text":"x","shedule_at":"2026-11-22T18:30:00Z"}"#.into(),
    ];
    for (field, value) in [
        ("to", json!("0044")),
        ("to", json!(447700900123u64)),
        ("from", json!("ACME TOO LONG NAME")),
        ("text", json!("")),
        ("encoding", json!("ucs2")),
        ("encoding", json!("klingon")),
        ("encoding", json!("binary")),
        ("link", json!("")),
        ("link", json!("carrier-a")),
        ("key", json!("k-1")),
        ("key", json!("")),
        ("validity", json!("2h")),
        ("validity", json!("0s")),
        ("validity", json!("soon")),
        ("schedule_at", json!("2026-11-22T18:30:00Z")),
        ("schedule_at", json!("tomorrow")),
        ("dlr", json!("yes")),
        ("transactional", json!(true)),
    ] {
        lines.push(submit_with(field, value));
    }
    let mut fast = 0;
    for line in &lines {
        let general = protocol::parse_general(line.as_bytes());
        if let Some(parsed) = protocol::fast_submit(line.as_bytes()) {
            assert_eq!(parsed, general, "{line}");
            fast += 1;
        }
        assert_eq!(parse_line(line.as_bytes()), general, "{line}");
    }
    // Most of them did go the fast way, refusals of their values included.
    assert!(fast >= 18, "only {fast} lines went the fast way");
}

fn refused(line: &str) -> ApiError {
    match parse(line) {
        Ok(request) => panic!("{line} accepted: {request:?}"),
        Err(error) => error,
    }
}

fn submit_with(field: &str, value: Value) -> String {
    let mut request = json!({"op": "submit", "to": "+447700900123", "from": "ACME",
        "text": "Hello"});
    request[field] = value;
    request.to_string()
}

#[test]
fn destinations() {
    for to in [
        "+447700900123",
        "+12025550123",
        "+4915123456789",
        "+12345678",
        "+123456789012345",
        "2222",
        "1",
        "12345678",
    ] {
        assert!(parse(&submit_with("to", json!(to))).is_ok(), "{to}");
    }
    for (to, hint) in [
        ("447700900123", "short code of at most 8 digits"),
        ("07700900123", "short code of at most 8 digits"),
        ("+44 7700 900123", "only digits"),
        ("+44-7700-900123", "only digits"),
        ("+1234567", "8 to 15 digits"),
        ("+1234567890123456", "8 to 15 digits"),
        ("+0447700900123", "never 0"),
        ("+", "only digits"),
        ("", "E.164"),
        ("ACME", "E.164"),
        ("123456789", "short code"),
        ("٣٣٣", "E.164"),
    ] {
        let error = refused(&submit_with("to", json!(to)));
        assert_eq!(error.code, ErrorCode::InvalidDestination, "{to}");
        assert!(error.message.contains(hint), "{to}: {}", error.message);
        assert!(
            error.message.contains(&format!("{to:?}")),
            "{}",
            error.message
        );
    }
    assert_eq!(
        refused(&submit_with("to", json!(447700900123u64))).code,
        ErrorCode::InvalidField
    );
}

#[test]
fn sources() {
    for from in [
        "ACME",
        "Acme Shop",
        "A1",
        "ABCDEFGHIJK",
        "+447700900123",
        "2222",
        "12345678",
        "1 A",
    ] {
        assert!(parse(&submit_with("from", json!(from))).is_ok(), "{from}");
    }
    for from in [
        "ABCDEFGHIJKL",
        "ACME LIMITED",
        "ACME!",
        "Café",
        "",
        "   ",
        "123456789",
        "+44770",
        "+44 7700 900123",
        "ACME\u{0}",
    ] {
        let error = refused(&submit_with("from", json!(from)));
        assert_eq!(error.code, ErrorCode::InvalidSource, "{from:?}");
        assert!(error.message.starts_with("`from` is"), "{}", error.message);
    }
}

#[test]
fn submit_fields_and_defaults() {
    let Ok(Request::Submit(request)) = parse(&submit_with("to", json!("+447700900123"))) else {
        panic!()
    };
    assert_eq!(
        request,
        SubmitRequest::new("+447700900123", "ACME", "Hello")
    );
    assert!(request.dlr && !request.transactional);

    let line = json!({"op": "submit", "ref": 1, "to": "2222", "from": "ACME", "text": "0a0B",
        "encoding": "binary", "link": "carrier-a", "dlr": false, "key": "k".repeat(200),
        "validity": "1h30m", "schedule_at": "2026-01-01T00:00:00Z", "transactional": true,
        "unused": null});
    let Ok(Request::Submit(request)) = parse(&line.to_string()) else {
        panic!()
    };
    assert_eq!(request.binary(), Some(vec![0x0a, 0x0b]));
    assert_eq!(request.link.as_deref(), Some("carrier-a"));
    assert_eq!(request.validity, Some(Duration::from_secs(5400)));
    assert_eq!(request.schedule_at.unwrap().unix_timestamp(), 1_767_225_600);
    assert!(!request.dlr && request.transactional);

    for (name, expected) in [
        ("auto", "auto"),
        ("gsm7", "gsm7"),
        ("gsm7-turkish", "gsm7-turkish"),
        ("gsm7-spanish", "gsm7-spanish"),
        ("gsm7-portuguese", "gsm7-portuguese"),
        ("ucs2", "ucs2"),
        ("latin1", "latin1"),
        ("ascii", "ascii"),
    ] {
        let Ok(Request::Submit(request)) = parse(&submit_with("encoding", json!(name))) else {
            panic!("{name}")
        };
        assert_eq!(request.encoding.to_string(), expected);
        assert_eq!(request.binary(), None);
    }
}

#[test]
fn each_bad_field_is_named_with_its_value() {
    for (field, value, code, needle) in [
        (
            "encoding",
            json!("utf8"),
            ErrorCode::InvalidField,
            "\"utf8\"",
        ),
        (
            "encoding",
            json!(8),
            ErrorCode::InvalidField,
            "`encoding` must be a string",
        ),
        (
            "validity",
            json!("2 hours"),
            ErrorCode::InvalidField,
            "`validity`",
        ),
        (
            "validity",
            json!("0s"),
            ErrorCode::InvalidField,
            "more than 0",
        ),
        (
            "validity",
            json!(7200),
            ErrorCode::InvalidField,
            "`validity` must be a string",
        ),
        (
            "schedule_at",
            json!("tomorrow"),
            ErrorCode::InvalidField,
            "\"tomorrow\"",
        ),
        (
            "schedule_at",
            json!("2026-01-01 10:00"),
            ErrorCode::InvalidField,
            "RFC 3339",
        ),
        ("key", json!(""), ErrorCode::InvalidField, "1 to 200"),
        (
            "key",
            json!("k".repeat(201)),
            ErrorCode::InvalidField,
            "201 characters",
        ),
        (
            "dlr",
            json!("yes"),
            ErrorCode::InvalidField,
            "`dlr` must be true or false",
        ),
        (
            "transactional",
            json!(1),
            ErrorCode::InvalidField,
            "`transactional`",
        ),
        (
            "text",
            json!(""),
            ErrorCode::InvalidField,
            "`text` is empty",
        ),
        (
            "text",
            json!(["a"]),
            ErrorCode::InvalidField,
            "`text` must be a string, not a list",
        ),
        (
            "text",
            json!(null),
            ErrorCode::MissingField,
            "submit needs `text`",
        ),
        (
            "link",
            json!(""),
            ErrorCode::InvalidField,
            "`link` is empty",
        ),
        (
            "shedule_at",
            json!("2026-01-01T00:00:00Z"),
            ErrorCode::InvalidField,
            "\"shedule_at\"",
        ),
    ] {
        let error = refused(&submit_with(field, value.clone()));
        assert_eq!(error.code, code, "{field}={value}: {}", error.message);
        assert!(
            error.message.contains(needle),
            "{field}={value}: {}",
            error.message
        );
    }
    let binary = |text: &str| {
        json!({"op": "submit", "to": "2222", "from": "ACME", "text": text,
            "encoding": "binary"})
        .to_string()
    };
    for text in ["abc", "zz", "0x0a", "0a 0b"] {
        let error = refused(&binary(text));
        assert_eq!(error.code, ErrorCode::InvalidField, "{text}");
        assert!(error.message.contains("hex"), "{}", error.message);
    }
}

#[test]
fn other_ops_are_checked() {
    assert_eq!(
        parse(r#"{"op":"status","id":"m1"}"#),
        Ok(Request::Status { id: "m1".into() })
    );
    assert_eq!(
        parse(r#"{"op":"status","id":42}"#),
        Ok(Request::Status { id: "42".into() })
    );
    assert_eq!(
        parse(r#"{"op":"subscribe"}"#),
        Ok(Request::Subscribe {
            kinds: EventKinds::ALL,
            since: None
        })
    );
    assert_eq!(
        parse(r#"{"op":"subscribe","events":["dlr"],"since":17}"#),
        Ok(Request::Subscribe {
            kinds: EventKinds {
                dlr: true,
                mo: false
            },
            since: Some(17)
        })
    );
    assert_eq!(
        parse(r#"{"op":"history","number":"+447700900123"}"#),
        Ok(Request::History {
            number: "+447700900123".into(),
            limit: 50
        })
    );
    assert_eq!(
        parse(r#"{"op":"opt_out","action":"remove","number":"2222"}"#),
        Ok(Request::OptOut(OptOutOp::Remove {
            number: "2222".into()
        }))
    );
    assert_eq!(parse(r#"{"op":"ping","ref":[1]}"#), Ok(Request::Ping));
    for (line, code, needle) in [
        (
            r#"{"op":"status"}"#,
            ErrorCode::MissingField,
            "status needs `id`",
        ),
        (
            r#"{"op":"status","id":""}"#,
            ErrorCode::InvalidField,
            "`id`",
        ),
        (
            r#"{"op":"subscribe","events":["sms"]}"#,
            ErrorCode::InvalidField,
            "\"sms\"",
        ),
        (
            r#"{"op":"subscribe","events":[]}"#,
            ErrorCode::InvalidField,
            "empty",
        ),
        (
            r#"{"op":"subscribe","events":"dlr"}"#,
            ErrorCode::InvalidField,
            "a list",
        ),
        (
            r#"{"op":"subscribe","since":-1}"#,
            ErrorCode::InvalidField,
            "`since`",
        ),
        (
            r#"{"op":"history"}"#,
            ErrorCode::MissingField,
            "history needs `number`",
        ),
        (
            r#"{"op":"history","number":"447700900123"}"#,
            ErrorCode::InvalidDestination,
            "`number` is \"447700900123\"",
        ),
        (
            r#"{"op":"history","number":"2222","limit":0}"#,
            ErrorCode::InvalidField,
            "between 1 and 1000",
        ),
        (
            r#"{"op":"history","number":"2222","limit":5000}"#,
            ErrorCode::InvalidField,
            "`limit` is 5000",
        ),
        (
            r#"{"op":"opt_out"}"#,
            ErrorCode::MissingField,
            "opt_out needs `action`",
        ),
        (
            r#"{"op":"opt_out","action":"add"}"#,
            ErrorCode::MissingField,
            "`number`",
        ),
        (
            r#"{"op":"opt_out","action":"block","number":"2222"}"#,
            ErrorCode::InvalidField,
            "\"block\"",
        ),
        (
            r#"{"op":"opt_out","action":"add","number":"x"}"#,
            ErrorCode::InvalidDestination,
            "\"x\"",
        ),
        (
            r#"{"op":"ping","extra":1}"#,
            ErrorCode::InvalidField,
            "only `op` and `ref`",
        ),
        (r#"{"op":"PING"}"#, ErrorCode::UnknownOp, "\"PING\""),
    ] {
        let error = refused(line);
        assert_eq!(error.code, code, "{line}: {}", error.message);
        assert!(error.message.contains(needle), "{line}: {}", error.message);
    }
}

#[test]
fn error_codes_are_spelt_as_documented() {
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/socket-protocol.md"),
    )
    .unwrap();
    for code in ErrorCode::ALL {
        assert_eq!(serde_json::to_value(code).unwrap(), json!(code.as_str()));
        assert!(
            docs.contains(&format!("| `{code}` |")),
            "docs/socket-protocol.md has no row for {code}"
        );
    }
    for state in MessageState::ALL {
        assert_eq!(serde_json::to_value(state).unwrap(), json!(state.as_str()));
        assert_eq!(state.as_str().parse::<MessageState>(), Ok(state));
        assert!(docs.contains(&format!("| `{state}` |")), "{state}");
    }
    for op in protocol::OPS {
        assert!(docs.contains(&format!("### `{op}`")), "{op}");
    }
}

#[test]
fn answer_lines() {
    let reference = json!("r");
    assert_eq!(
        protocol::ok_line(
            &reference,
            &SubmitReply {
                id: "7".into(),
                segments: 2,
                encoding: "ucs2".into()
            }
        ),
        b"{\"ref\":\"r\",\"ok\":true,\"id\":\"7\",\"segments\":2,\"encoding\":\"ucs2\"}\n"
    );
    assert_eq!(
        protocol::error_line(&Value::Null, &ApiError::new(ErrorCode::NoRoute, "none")),
        b"{\"ref\":null,\"ok\":false,\"error\":{\"code\":\"no_route\",\"message\":\"none\"}}\n"
    );
    let event = Event::Dlr(DlrEvent {
        event_id: 9,
        id: "7".into(),
        smsc_id: None,
        state: MessageState::Expired,
        error: Some("err:027".into()),
        at: Timestamp::from_unix_ms(86_400_001),
    });
    let line = protocol::event_line(&event);
    assert_eq!(
        line,
        b"{\"event\":\"dlr\",\"event_id\":9,\"id\":\"7\",\"smsc_id\":null,\"state\":\"expired\",\
          \"error\":\"err:027\",\"at\":\"1970-01-02T00:00:00.001Z\"}\n"
    );
    // Events read back (as a handler reading them from its store would).
    assert_eq!(serde_json::from_slice::<Event>(&line).unwrap(), event);
    assert_eq!(event.event_id(), 9);
}

#[test]
fn timestamps() {
    let t = Timestamp::from_unix_ms(1_700_000_000_123);
    assert_eq!(t.to_string(), "2023-11-14T22:13:20.123Z");
    assert_eq!(t.unix_ms(), 1_700_000_000_123);
    let parsed: Timestamp = serde_json::from_str("\"2023-11-14T23:13:20.123+01:00\"").unwrap();
    assert_eq!(parsed.unix_ms(), t.unix_ms());
    assert_eq!(parsed.to_string(), t.to_string());
    assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
}

fn socket_doc() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/socket-protocol.md"),
    )
    .unwrap()
}

/// The fenced blocks of `doc`: (language, body).
fn fenced(doc: &str) -> Vec<(&str, &str)> {
    let mut blocks = Vec::new();
    let mut rest = doc;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let (language, body) = after.split_once('\n').unwrap();
        let end = body.find("```").unwrap();
        blocks.push((language, &body[..end]));
        rest = &body[end + 3..];
    }
    blocks
}

/// Every request, answer and event the protocol document shows is what the code does.
#[test]
fn the_documented_examples_are_right() {
    let doc = socket_doc();
    let mut requests = 0;
    let mut answers = 0;
    let mut events = 0;
    let mut refusals = 0;
    for (language, body) in fenced(&doc) {
        for line in body.lines() {
            match language {
                "json" if line.starts_with("{\"op\"") => {
                    if let Err(error) = parse(line) {
                        panic!("{line}: {error}");
                    }
                    requests += 1;
                }
                "json" if line.starts_with("{\"ref\"") && !line.contains("...") => {
                    let answer: Value = serde_json::from_str(line).unwrap();
                    if answer["ok"] == false {
                        serde_json::from_value::<ApiError>(answer["error"].clone()).unwrap();
                    } else if answer.as_object().unwrap().len() > 2 {
                        let fits = serde_json::from_value::<SubmitReply>(answer.clone()).is_ok()
                            || serde_json::from_value::<StatusReply>(answer.clone()).is_ok()
                            || serde_json::from_value::<HistoryReply>(answer.clone()).is_ok()
                            || serde_json::from_value::<OptOutReply>(answer.clone()).is_ok();
                        assert!(fits, "{line}");
                    }
                    answers += 1;
                }
                "json" if line.starts_with("{\"event\"") => {
                    serde_json::from_str::<Event>(line).unwrap_or_else(|e| panic!("{line}: {e}"));
                    events += 1;
                }
                "text" if line.starts_with("{\"op\"") => {
                    let (request, expected) = line.split_once("   ").unwrap();
                    let expected = expected.split_whitespace().next().unwrap();
                    let error = refused(request.trim_end());
                    assert_eq!(error.code.as_str(), expected, "{line}");
                    refusals += 1;
                }
                _ => {}
            }
        }
    }
    assert!(requests >= 12 && answers >= 8 && events >= 2 && refusals >= 6);
}

#[test]
fn the_python_client_in_the_document_is_the_example_file() {
    let doc = socket_doc();
    let (_, shown) = fenced(&doc)
        .into_iter()
        .find(|(language, _)| *language == "python")
        .unwrap();
    let file = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/client.py"),
    )
    .unwrap();
    assert_eq!(shown, file);
    let lines = file.lines().filter(|l| !l.trim().is_empty()).count();
    assert!(lines <= 20, "{lines} lines");
}

/// Runs examples/client.py against a test server. `scripts/test` installs python3.
#[tokio::test(flavor = "multi_thread")]
async fn the_python_client_sends_and_waits_for_the_final_receipt() {
    let status = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .expect("python3, which scripts/test installs, runs");
    assert!(status.status.success());
    let server = Running::start().await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/client.py");
    let child = tokio::process::Command::new("python3")
        .arg(script)
        .args(["+447700900123", "Your order shipped"])
        .env("SMPPD_SOCKET", &server.path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + PATIENCE;
    while server.handler.submitted().is_empty() {
        assert!(std::time::Instant::now() < deadline, "nothing submitted");
        tokio::task::yield_now().await;
    }
    server.handler.deliver("m1", MessageState::Submitted);
    server.handler.deliver("m1", MessageState::Delivered);
    let output = tokio::time::timeout(PATIENCE, child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].starts_with("accepted: {'ref': 2, 'ok': True, 'id': 'm1'"));
    assert!(lines[2].contains("'state': 'delivered'"));
    server.stop().await;
}

#[test]
fn a_subscriptions_kinds_are_named_as_the_store_names_them() {
    let dlr_only = EventKinds {
        dlr: true,
        mo: false,
    };
    assert_eq!(dlr_only.names(), ["dlr"]);
    assert!(dlr_only.wants("dlr"));
    assert!(!dlr_only.wants("mo"));
    assert_eq!(EventKinds::ALL.names(), ["dlr", "mo"]);
    // A kind this version does not write is not sent.
    assert!(!EventKinds::ALL.wants("vote"));
}
