//! The local submission socket: a Unix stream socket speaking newline-delimited JSON, many
//! requests in flight per connection, answers tagged with the request's `ref`.
//! docs/socket-protocol.md is the reference for the protocol.

pub mod protocol;

use crate::config::ServerConfig;
use crate::db::rfc3339;
use crate::service::{Service, ServiceError};
use protocol::{OptOutAction, Request};
use serde_json::{Value, json};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Answers waiting to be written, per connection.
const ANSWER_QUEUE: usize = 1024;
/// Events read from the store per query while a subscriber catches up.
const EVENT_BATCH: u32 = 500;

/// Why the socket could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    /// Another process answers on the socket path.
    #[error("{0}: another process is listening on this socket (is smppd already running?)")]
    InUse(PathBuf),
    /// Creating, binding or setting up the socket failed.
    #[error("{path}: {source}")]
    Io {
        /// The socket path.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
}

/// The listening socket and who may use it.
#[derive(Debug)]
pub struct Listener {
    listener: UnixListener,
    path: PathBuf,
    allowed_uids: Vec<u32>,
    allowed_gids: Vec<u32>,
    max_line: usize,
}

impl Listener {
    /// Binds `server.socket`: creates its directory, replaces a stale file left by a crash
    /// (nothing answers on it), refuses to start if another process listens there, and sets
    /// the file mode.
    pub async fn bind(server: &ServerConfig) -> Result<Listener, SocketError> {
        let path = server.socket.clone();
        let io = |source| SocketError::Io {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        if path.exists() {
            if UnixStream::connect(&path).await.is_ok() {
                return Err(SocketError::InUse(path));
            }
            tracing::info!(socket = %path.display(), "replacing a stale socket file");
            std::fs::remove_file(&path).map_err(io)?;
        }
        let listener = UnixListener::bind(&path).map_err(io)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(server.socket_mode))
            .map_err(io)?;
        Ok(Listener {
            listener,
            path,
            allowed_uids: server.allowed_uids.clone(),
            allowed_gids: server.allowed_gids.clone(),
            max_line: server.max_line,
        })
    }

    /// The socket's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Serves connections until `shutdown`, then removes the socket file.
    pub async fn serve(self, service: Arc<Service>, shutdown: CancellationToken) {
        let limits = Arc::new((self.allowed_uids, self.allowed_gids, self.max_line));
        loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let service = service.clone();
                        let limits = limits.clone();
                        let shutdown = shutdown.clone();
                        tokio::spawn(async move {
                            connection(stream, service, &limits.0, &limits.1, limits.2, shutdown).await;
                        });
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "accepting a socket connection failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                },
                _ = shutdown.cancelled() => break,
            }
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

fn permitted(stream: &UnixStream, uids: &[u32], gids: &[u32]) -> bool {
    if uids.is_empty() && gids.is_empty() {
        return true;
    }
    match stream.peer_cred() {
        Ok(cred) => uids.contains(&cred.uid()) || gids.contains(&cred.gid()),
        Err(_) => false,
    }
}

async fn connection(
    stream: UnixStream,
    service: Arc<Service>,
    uids: &[u32],
    gids: &[u32],
    max_line: usize,
    shutdown: CancellationToken,
) {
    let (read, mut write) = stream.into_split();
    if !permitted(write.as_ref(), uids, gids) {
        let e = ServiceError::new("forbidden", "this user may not use the smppd socket");
        let _ = write
            .write_all(format!("{}\n", protocol::error(&Value::Null, &e)).as_bytes())
            .await;
        return;
    }
    let (answers, mut queue) = mpsc::channel::<String>(ANSWER_QUEUE);
    let writer = tokio::spawn(async move {
        while let Some(mut line) = queue.recv().await {
            line.push('\n');
            if write.write_all(line.as_bytes()).await.is_err() {
                break;
            }
        }
    });
    let mut reader = BufReader::with_capacity(64 * 1024, read);
    let mut line = Vec::new();
    loop {
        let read = tokio::select! {
            read = read_line(&mut reader, &mut line, max_line) => read,
            _ = shutdown.cancelled() => break,
        };
        match read {
            Ok(Line::Eof) | Err(_) => break,
            Ok(Line::TooLong) => {
                let e = ServiceError::new(
                    "line_too_long",
                    format!("a request line may be at most {max_line} bytes"),
                );
                if answers
                    .send(protocol::error(&Value::Null, &e))
                    .await
                    .is_err()
                {
                    break;
                }
            }
            Ok(Line::Complete) => {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let (reference, request) = protocol::parse(&line);
                let service = service.clone();
                let answers = answers.clone();
                tokio::spawn(async move {
                    handle(service, reference, request, answers).await;
                });
            }
        }
    }
    drop(answers);
    let _ = writer.await;
}

enum Line {
    Complete,
    TooLong,
    Eof,
}

/// Reads one line into `line` (without its newline). A line over `max` bytes is consumed up
/// to its newline without being kept.
async fn read_line(
    reader: &mut BufReader<tokio::net::unix::OwnedReadHalf>,
    line: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Line> {
    line.clear();
    let mut too_long = false;
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok(if line.is_empty() && !too_long {
                Line::Eof
            } else if too_long {
                Line::TooLong
            } else {
                Line::Complete
            });
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        if !too_long {
            if line.len() + chunk.len() > max {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let consumed = done.unwrap_or(buf.len());
        reader.consume(consumed);
        if done.is_some() {
            return Ok(if too_long {
                Line::TooLong
            } else {
                Line::Complete
            });
        }
    }
}

async fn handle(
    service: Arc<Service>,
    reference: Value,
    request: Result<Request, ServiceError>,
    answers: mpsc::Sender<String>,
) {
    let answer = match request {
        Err(e) => protocol::error(&reference, &e),
        Ok(Request::Subscribe { kinds, since }) => {
            return subscribe(service, reference, kinds, since, answers).await;
        }
        Ok(request) => match answer(&service, request).await {
            Ok(fields) => protocol::ok(&reference, fields),
            Err(e) => protocol::error(&reference, &e),
        },
    };
    let _ = answers.send(answer).await;
}

async fn answer(service: &Service, request: Request) -> Result<Value, ServiceError> {
    let store = service.store();
    match request {
        Request::Submit(s) => {
            let done = service.submit(s).await?;
            Ok(
                json!({"id": done.id.to_string(), "segments": done.segments, "encoding": done.encoding}),
            )
        }
        Request::Status { id } => {
            let m = store
                .message(id)
                .await?
                .ok_or_else(|| ServiceError::new("not_found", format!("no message {id}")))?;
            let segments: Vec<Value> = m
                .segments
                .iter()
                .map(|s| json!({"seq": s.seq, "smsc_id": s.smsc_id, "state": s.state, "error": s.error}))
                .collect();
            Ok(
                json!({"id": m.id.to_string(), "state": m.state, "error": m.error,
                      "segments": segments, "created_at": rfc3339(m.created_at),
                      "updated_at": rfc3339(m.updated_at)}),
            )
        }
        Request::History { number, limit } => {
            let items: Vec<Value> = store
                .history(number, limit)
                .await?
                .into_iter()
                .map(|h| {
                    json!({"direction": h.direction, "id": h.id.to_string(), "text": h.text,
                                "state": h.state, "at": rfc3339(h.at)})
                })
                .collect();
            Ok(json!({"messages": items}))
        }
        Request::OptOut { action, number } => match (action, number) {
            (OptOutAction::List, _) => {
                let list: Vec<Value> = store
                    .opt_outs()
                    .await?
                    .into_iter()
                    .map(|(number, since)| json!({"number": number, "since": rfc3339(since)}))
                    .collect();
                Ok(json!({"opt_outs": list}))
            }
            (action, Some(number)) => {
                store
                    .set_opt_out(number.clone(), action == OptOutAction::Add)
                    .await?;
                Ok(json!({"number": number, "opted_out": action == OptOutAction::Add}))
            }
            (_, None) => Err(ServiceError::new("missing_field", "number is required")),
        },
        Request::Ping => Ok(json!({})),
        Request::Subscribe { .. } => Err(ServiceError::new("unknown_op", "subscribe")),
    }
}

/// Answers `ok`, then streams every event after `since` (or from now) until the connection
/// goes away.
async fn subscribe(
    service: Arc<Service>,
    reference: Value,
    kinds: Vec<String>,
    since: Option<i64>,
    answers: mpsc::Sender<String>,
) {
    let store = service.store();
    let mut last_event = store.last_event();
    let mut after = since.unwrap_or(*last_event.borrow());
    if answers
        .send(protocol::ok(&reference, json!({})))
        .await
        .is_err()
    {
        return;
    }
    loop {
        // Marked seen before reading, so that an event committed meanwhile wakes us again.
        last_event.borrow_and_update();
        loop {
            let events = match store.events_since(after, kinds.clone(), EVENT_BATCH).await {
                Ok(events) => events,
                Err(e) => {
                    tracing::error!(error = %e, "reading events for a subscriber");
                    return;
                }
            };
            let Some(newest) = events.last().map(|e| e.event_id) else {
                break;
            };
            for event in events {
                if answers.send(event.body.to_string()).await.is_err() {
                    return;
                }
            }
            after = newest;
        }
        tokio::select! {
            changed = last_event.changed() => if changed.is_err() { return },
            _ = answers.closed() => return,
        }
    }
}
