//! `smppctl` commands that talk to a running smppd over its socket (docs/socket-protocol.md):
//! `send`, `status`, `subscribe`, `history`, `opt-out`. Blocking IO: each command is one
//! connection and a few lines; `bench` (in [`super::bench`]) is the one that needs more.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::CtlError;

/// The socket smppctl uses: `--socket`, else `$SMPPD_SOCKET`, else the daemon's default.
pub fn socket_path(given: Option<PathBuf>) -> PathBuf {
    given
        .or_else(|| std::env::var_os("SMPPD_SOCKET").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(crate::config::ServerConfig::DEFAULT_SOCKET))
}

/// One connection to smppd.
#[derive(Debug)]
pub struct Client {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    /// Lines read while waiting for an answer to another request (events, mostly), in order.
    pending: VecDeque<Line>,
    /// The `ref` of the next request.
    next_ref: u64,
}

impl Client {
    /// Connects to the socket at `path`.
    pub fn connect(path: &Path) -> Result<Client, CtlError> {
        let stream = UnixStream::connect(path).map_err(|e| {
            let hint = match e.kind() {
                io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused => {
                    " (is smppd running? --socket or $SMPPD_SOCKET choose another socket)"
                }
                io::ErrorKind::PermissionDenied => {
                    " (is this user in the socket's group? see server.socket_mode)"
                }
                _ => "",
            };
            CtlError::Connect(format!("cannot connect to {}: {e}{hint}", path.display()))
        })?;
        let writer = stream.try_clone().map_err(lost)?;
        Ok(Client {
            reader: BufReader::new(stream),
            writer,
            pending: VecDeque::new(),
            next_ref: 1,
        })
    }

    /// Sends one request line as it is.
    pub fn send(&mut self, request: &Value) -> Result<(), CtlError> {
        let mut line = request.to_string();
        line.push('\n');
        self.writer.write_all(line.as_bytes()).map_err(lost)
    }

    /// The next line from smppd (one set aside by [`Client::call`] first); `None` once smppd
    /// has closed the connection.
    pub fn receive(&mut self) -> Result<Option<Value>, CtlError> {
        Ok(self.receive_line()?.map(|line| line.value))
    }

    /// [`Client::receive`] with the line as smppd wrote it.
    pub fn receive_line(&mut self) -> Result<Option<Line>, CtlError> {
        if let Some(line) = self.pending.pop_front() {
            return Ok(Some(line));
        }
        self.read()
    }

    /// Sends `request` with a `ref` of its own and returns its answer. Lines that come first
    /// (events, answers to other requests) are kept for [`Client::receive`].
    pub fn call(&mut self, mut request: Value) -> Result<Value, CtlError> {
        let reference = json!(format!("smppctl-{}", self.next_ref));
        self.next_ref += 1;
        request["ref"] = reference.clone();
        self.send(&request)?;
        loop {
            let Some(line) = self.read()? else {
                return Err(CtlError::Connect(
                    "smppd closed the connection before answering".into(),
                ));
            };
            // An unreadable line is answered with a null ref: ours, as we sent nothing else.
            let value = &line.value;
            let unreadable = value["ref"].is_null() && value["ok"] == false;
            if value["ref"] == reference || unreadable {
                return Ok(line.value);
            }
            self.pending.push_back(line);
        }
    }

    /// Stops waiting for a line after `timeout`; `None` waits forever.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) -> Result<(), CtlError> {
        // A zero timeout would mean "forever" to the kernel.
        let timeout = timeout.map(|t| t.max(Duration::from_millis(1)));
        self.reader
            .get_ref()
            .set_read_timeout(timeout)
            .map_err(lost)
    }

    fn read(&mut self) -> Result<Option<Line>, CtlError> {
        let mut text = String::new();
        match self.reader.read_line(&mut text) {
            Ok(0) => Ok(None),
            Ok(_) => {
                let value = serde_json::from_str(&text).map_err(|e| {
                    CtlError::Connect(format!("smppd sent a line that is not JSON ({e}): {text}"))
                })?;
                text.truncate(text.trim_end().len());
                Ok(Some(Line { text, value }))
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                Err(CtlError::Io(io::Error::new(io::ErrorKind::TimedOut, e)))
            }
            Err(e) => Err(lost(e)),
        }
    }
}

/// A line from smppd.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// As written, without its newline: events are printed so, in smppd's field order.
    pub text: String,
    /// Parsed.
    pub value: Value,
}

fn lost(error: io::Error) -> CtlError {
    CtlError::Connect(format!("the connection to smppd failed: {error}"))
}

/// The answer, or its error as a [`CtlError::Refused`] (`code: message`).
pub fn check(answer: Value) -> Result<Value, CtlError> {
    if answer["ok"] == true {
        Ok(answer)
    } else {
        let code = answer["error"]["code"].as_str().unwrap_or("error");
        let message = answer["error"]["message"].as_str().unwrap_or("");
        Err(CtlError::Refused(format!("{code}: {message}")))
    }
}

/// An event line as it is; an error answer (the end of a subscription) as its error.
fn not_refused(line: Value) -> Result<Value, CtlError> {
    if line["ok"] == false {
        check(line)
    } else {
        Ok(line)
    }
}

/// `smppctl send ... [--wait]`: submits and prints the answer. With `wait`, subscribes to
/// receipts first, then prints the message's receipts as JSON lines until its final one, and
/// fails if that is not `delivered` or does not come within `wait`.
pub fn send(socket: &Path, request: Value, wait: Option<Duration>) -> Result<String, CtlError> {
    send_to(socket, request, wait, &mut io::stdout().lock())
}

/// [`send`] writing to `out`.
pub fn send_to(
    socket: &Path,
    request: Value,
    wait: Option<Duration>,
    out: &mut dyn Write,
) -> Result<String, CtlError> {
    let Some(timeout) = wait else {
        return pretty(check(Client::connect(socket)?.call(request)?)?);
    };
    if request["dlr"] == false {
        return Err(CtlError::Input(
            "--wait waits for a delivery receipt, which --no-dlr does not ask for".into(),
        ));
    }
    let deadline = Instant::now() + timeout;
    let mut client = Client::connect(socket)?;
    // Subscribe first, so that no receipt can come between the submission and the
    // subscription.
    check(client.call(json!({"op": "subscribe", "events": ["dlr"]}))?)?;
    let answer = check(client.call(request)?)?;
    let id = answer["id"].clone();
    writeln!(out, "{}", pretty(answer)?)?;
    // A repeated key answers an earlier message, which may be final already.
    let status = check(client.call(json!({"op": "status", "id": id}))?)?;
    if let Some(state) = final_state(&status) {
        writeln!(out, "{}", pretty(status)?)?;
        return outcome(&id, &state);
    }
    let timed_out = || {
        CtlError::Refused(format!(
            "no final delivery receipt for message {} within {}",
            plain(&id),
            humane(timeout)
        ))
    };
    loop {
        let left = deadline
            .checked_duration_since(Instant::now())
            .ok_or_else(timed_out)?;
        client.set_timeout(Some(left))?;
        let (text, line) = match client.receive_line() {
            Ok(Some(line)) => (line.text, not_refused(line.value)?),
            Ok(None) => return Err(CtlError::Connect("smppd closed the connection".into())),
            Err(CtlError::Io(e)) if e.kind() == io::ErrorKind::TimedOut => {
                return Err(timed_out());
            }
            Err(e) => return Err(e),
        };
        if line["event"] != "dlr" || line["id"] != id {
            continue;
        }
        writeln!(out, "{text}")?;
        out.flush()?;
        if let Some(state) = final_state(&line) {
            return outcome(&id, &state);
        }
    }
}

/// The `state` of an answer or event, if it is final.
fn final_state(line: &Value) -> Option<String> {
    let state = line["state"].as_str()?;
    (!matches!(state, "queued" | "submitted")).then(|| state.to_owned())
}

fn outcome(id: &Value, state: &str) -> Result<String, CtlError> {
    if state == "delivered" {
        Ok(String::new())
    } else {
        Err(CtlError::Refused(format!(
            "message {} was not delivered: {state}",
            plain(id)
        )))
    }
}

/// A string without its quotes; anything else as JSON.
fn plain(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

/// A request whose single answer is printed.
pub fn one(socket: &Path, request: Value) -> Result<String, CtlError> {
    pretty(check(Client::connect(socket)?.call(request)?)?)
}

/// `smppctl subscribe`: prints events as JSON lines until smppd closes the connection or ends
/// the subscription.
pub fn subscribe(socket: &Path, request: Value) -> Result<String, CtlError> {
    subscribe_to(socket, request, &mut io::stdout().lock())
}

/// [`subscribe`] writing to `out`.
pub fn subscribe_to(
    socket: &Path,
    request: Value,
    out: &mut dyn Write,
) -> Result<String, CtlError> {
    let mut client = Client::connect(socket)?;
    check(client.call(request)?)?;
    while let Some(line) = client.receive_line()? {
        // The subscription's end comes as an error answer: say why, and fail.
        not_refused(line.value)?;
        writeln!(out, "{}", line.text)?;
        out.flush()?;
    }
    Err(CtlError::Connect("smppd closed the connection".into()))
}

/// The answer without its `ref` (smppctl's own) and `ok` (it is printed only when true),
/// indented.
fn pretty(mut answer: Value) -> Result<String, CtlError> {
    if let Value::Object(map) = &mut answer {
        map.remove("ref");
        map.remove("ok");
    }
    serde_json::to_string_pretty(&answer).map_err(|e| CtlError::Input(e.to_string()))
}

/// `90s` as `1m30s`, for messages.
fn humane(d: Duration) -> String {
    let secs = d.as_secs();
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::MessageState;
    use crate::api::tests::Running;
    use std::sync::Arc;

    /// Runs the blocking client `f` beside the test server.
    async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        tokio::task::spawn_blocking(f).await.unwrap()
    }

    fn submit(to: &str) -> Value {
        json!({"op": "submit", "to": to, "from": "ACME", "text": "Hello", "link": null,
            "encoding": "auto", "dlr": true, "key": null, "validity": null,
            "schedule_at": null, "transactional": false})
    }

    #[test]
    fn socket_path_prefers_the_option_then_the_environment() {
        assert_eq!(
            socket_path(Some("/tmp/a.sock".into())),
            Path::new("/tmp/a.sock")
        );
        // The environment is the process's: only read it here, never set it.
        let expected = std::env::var_os("SMPPD_SOCKET")
            .map_or_else(|| PathBuf::from("/run/smppd/smppd.sock"), PathBuf::from);
        assert_eq!(socket_path(None), expected);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn one_prints_the_answer_without_its_ref() {
        let server = Running::start().await;
        let path = server.path.clone();
        let out = blocking(move || one(&path, submit("+447700900123"))).await;
        let out: Value = serde_json::from_str(&out.unwrap()).unwrap();
        assert_eq!(out, json!({"id": "m1", "segments": 1, "encoding": "gsm7"}));
        let path = server.path.clone();
        let out = blocking(move || one(&path, json!({"op": "status", "id": "m1"}))).await;
        assert!(out.unwrap().contains("\"state\": \"queued\""));
        server.shutdown.cancel();
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_refused_request_is_an_error_with_its_code() {
        let server = Running::start().await;
        let path = server.path.clone();
        let error = blocking(move || one(&path, submit("07700900123")))
            .await
            .unwrap_err();
        assert!(matches!(error, CtlError::Refused(_)), "{error:?}");
        assert!(
            error.to_string().starts_with("invalid_destination: `to`"),
            "{error}"
        );
        let path = server.path.clone();
        let error = blocking(move || one(&path, json!({"op": "status", "id": "zz"})))
            .await
            .unwrap_err();
        assert!(error.to_string().starts_with("not_found"), "{error}");
        server.shutdown.cancel();
    }

    #[test]
    fn no_daemon_is_a_connect_error() {
        let dir = tempfile::tempdir().unwrap();
        let error = one(&dir.path().join("none.sock"), json!({"op": "ping"})).unwrap_err();
        assert!(matches!(error, CtlError::Connect(_)), "{error:?}");
        assert!(error.to_string().contains("is smppd running?"), "{error}");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn send_wait_prints_receipts_until_the_final_one() {
        let server = Running::start().await;
        let path = server.path.clone();
        let handler = server.handler.clone();
        let waiting = tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            let result = send_to(
                &path,
                submit("+447700900123"),
                Some(Duration::from_secs(30)),
                &mut out,
            );
            (result, String::from_utf8(out).unwrap())
        });
        // Once the client has asked for the status, it is subscribed and waiting.
        wait_for(|| handler.status_calls() > 0).await;
        handler.deliver("m7", MessageState::Delivered);
        handler.deliver("m1", MessageState::Submitted);
        handler.deliver("m1", MessageState::Delivered);
        let (result, out) = waiting.await.unwrap();
        assert_eq!(result.unwrap(), "");
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            out.starts_with("{\n  \"encoding\": \"gsm7\",\n  \"id\": \"m1\""),
            "{out}"
        );
        let events: Vec<Value> = lines
            .iter()
            .filter(|l| l.starts_with("{\"event\""))
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(events.len(), 2, "{out}");
        assert_eq!(events[0]["state"], "submitted");
        assert_eq!(events[1]["state"], "delivered");
        assert!(events.iter().all(|e| e["id"] == "m1"));
        server.shutdown.cancel();
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn send_wait_fails_when_the_message_is_not_delivered() {
        let server = Running::start().await;
        let path = server.path.clone();
        let handler = server.handler.clone();
        let waiting = tokio::task::spawn_blocking(move || {
            send_to(
                &path,
                submit("+447700900123"),
                Some(Duration::from_secs(30)),
                &mut Vec::new(),
            )
        });
        wait_for(|| !handler.submitted().is_empty()).await;
        handler.deliver("m1", MessageState::Undeliverable);
        let error = waiting.await.unwrap().unwrap_err();
        assert_eq!(
            error.to_string(),
            "message m1 was not delivered: undeliverable"
        );

        // A message already final (a repeated key) ends the wait at once.
        let path = server.path.clone();
        let mut out = Vec::new();
        let mut request = submit("+447700900123");
        request["key"] = json!("k");
        let first = request.clone();
        let path2 = path.clone();
        blocking(move || one(&path2, first)).await.unwrap();
        server.handler.deliver("m2", MessageState::Delivered);
        let (result, out) = blocking(move || {
            let result = send_to(&path, request, Some(Duration::from_secs(30)), &mut out);
            (result, out)
        })
        .await;
        assert_eq!(result.unwrap(), "");
        assert!(String::from_utf8(out).unwrap().contains("\"delivered\""));
        server.shutdown.cancel();
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn send_wait_times_out() {
        let server = Running::start().await;
        let path = server.path.clone();
        let error = blocking(move || {
            send_to(
                &path,
                submit("+447700900123"),
                Some(Duration::from_millis(1)),
                &mut Vec::new(),
            )
        })
        .await
        .unwrap_err();
        assert!(
            error.to_string().starts_with("no final delivery receipt"),
            "{error}"
        );
        let no_dlr = json!({"op": "submit", "dlr": false});
        let error = send_to(
            Path::new("/nonexistent"),
            no_dlr,
            Some(Duration::from_secs(1)),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(matches!(error, CtlError::Input(_)), "{error:?}");
        server.shutdown.cancel();
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn subscribe_prints_event_lines_until_the_subscription_ends() {
        let server = Running::start().await;
        let path = server.path.clone();
        let handler = server.handler.clone();
        let out = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = out.clone();
        let subscriber = tokio::task::spawn_blocking(move || {
            let mut buffer = Vec::new();
            let result = subscribe_to(
                &path,
                json!({"op": "subscribe", "events": ["mo"], "since": null}),
                &mut buffer,
            );
            *sink.lock().unwrap() = buffer;
            result
        });
        wait_for(|| handler.subscriber_count() > 0).await;
        handler.receive("+447700900123", "STOP");
        handler.receive("+447700900124", "Hi");
        // Stopping the daemon ends the subscription (after the events already published) with
        // an error the client reports.
        server.shutdown.cancel();
        let error = subscriber.await.unwrap().unwrap_err();
        assert!(error.to_string().starts_with("unavailable"), "{error}");
        let out = String::from_utf8(out.lock().unwrap().clone()).unwrap();
        let texts: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["text"].clone())
            .collect();
        assert_eq!(texts, [json!("STOP"), json!("Hi")]);
    }

    fn cli(args: &[&str]) -> Result<super::super::Cli, clap::Error> {
        use clap::Parser;
        super::super::Cli::try_parse_from(std::iter::once("smppctl").chain(args.iter().copied()))
    }

    #[test]
    fn arguments_are_parsed() {
        use super::super::{Command, OptOutCommand};
        let parsed = cli(&[
            "send",
            "--to",
            "+447700900123",
            "--from",
            "ACME",
            "--text",
            "Hi",
            "--link",
            "carrier-a",
            "--encoding",
            "ucs2",
            "--no-dlr",
            "--key",
            "k1",
            "--validity",
            "2h",
            "--schedule-at",
            "2026-11-22T18:30:00Z",
            "--transactional",
            "--wait",
            "--timeout",
            "90s",
            "--socket",
            "/tmp/s.sock",
        ])
        .unwrap();
        assert_eq!(parsed.socket.as_deref(), Some(Path::new("/tmp/s.sock")));
        let Command::Send {
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
        } = parsed.command
        else {
            panic!("{:?}", parsed.command)
        };
        assert_eq!(
            (to.as_str(), from.as_str(), text.as_str()),
            ("+447700900123", "ACME", "Hi")
        );
        assert_eq!(link.as_deref(), Some("carrier-a"));
        assert_eq!(encoding, "ucs2");
        assert!(no_dlr && transactional && wait);
        assert_eq!(key.as_deref(), Some("k1"));
        assert_eq!(validity.as_deref(), Some("2h"));
        assert_eq!(schedule_at.as_deref(), Some("2026-11-22T18:30:00Z"));
        assert_eq!(timeout, Duration::from_secs(90));

        let parsed = cli(&["send", "--to", "2222", "--from", "ACME", "--text", "Hi"]).unwrap();
        let Command::Send {
            encoding,
            no_dlr,
            wait,
            timeout,
            ..
        } = parsed.command
        else {
            panic!()
        };
        assert_eq!((encoding.as_str(), no_dlr, wait), ("auto", false, false));
        assert_eq!(timeout, Duration::from_secs(60));
        assert_eq!(parsed.socket, None);

        let parsed = cli(&["--socket", "/s", "status", "42"]).unwrap();
        assert!(matches!(parsed.command, Command::Status { id } if id == "42"));
        let parsed = cli(&["subscribe", "--events", "mo", "--since", "7"]).unwrap();
        assert!(matches!(
            parsed.command,
            Command::Subscribe { events, since: Some(7) } if events == ["mo"]
        ));
        let parsed = cli(&["subscribe"]).unwrap();
        assert!(matches!(
            parsed.command,
            Command::Subscribe { events, since: None } if events == ["dlr", "mo"]
        ));
        let parsed = cli(&["history", "+447700900123"]).unwrap();
        assert!(matches!(parsed.command, Command::History { limit: 50, .. }));
        let parsed = cli(&["opt-out", "add", "+447700900123"]).unwrap();
        assert!(matches!(
            parsed.command,
            Command::OptOut(OptOutCommand::Add { number }) if number == "+447700900123"
        ));
        assert!(matches!(
            cli(&["opt-out", "list"]).unwrap().command,
            Command::OptOut(OptOutCommand::List)
        ));
        let parsed = cli(&["bench", "--count", "5", "--concurrency", "2", "--json"]).unwrap();
        let Command::Bench(args) = parsed.command else {
            panic!()
        };
        assert_eq!(
            (args.count, args.concurrency, args.connections),
            (5, 2, None)
        );
        assert!(args.json && !args.no_dlr);
        assert_eq!(args.drain, Duration::from_secs(30));
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        <super::super::Cli as clap::CommandFactory>::command().debug_assert();
    }

    #[test]
    fn bad_arguments_exit_with_status_2() {
        for args in [
            &["send", "--to", "+447700900123", "--from", "ACME"][..],
            &[
                "send",
                "--to",
                "x",
                "--from",
                "y",
                "--text",
                "z",
                "--timeout",
                "soon",
            ],
            &["status"],
            &["opt-out", "block", "+447700900123"],
            &["history", "+447700900123", "--limit", "-1"],
            &["bench", "--count", "many"],
            &["frobnicate"],
        ] {
            let error = cli(args).unwrap_err();
            assert_eq!(error.exit_code(), 2, "{args:?}: {error}");
        }
    }

    /// Yields until `done` holds; the client runs on another thread. The deadline only
    /// guards against a hung test.
    async fn wait_for(mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !done() {
            assert!(Instant::now() < deadline, "gave up waiting");
            tokio::task::yield_now().await;
            std::thread::yield_now();
        }
    }
}
