//! The socket's tokio side: binds the Unix socket, checks each peer, reads request lines,
//! runs each request in its own task and writes the answers through one writer per connection.
//!
//! Memory per connection is bounded: a line buffer of at most `server.max_line` (plus one read),
//! at most [`MAX_IN_FLIGHT`] requests running, and at most [`WRITE_QUEUE`] answers waiting to
//! be written. A client that stops reading its answers stops having its requests read.

use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, StreamExt};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, BufWriter};
use tokio::net::unix::OwnedWriteHalf;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::access::{self, Access};
use super::handler::{Handler, Peer};
use super::protocol::{
    self, ApiError, ErrorCode, Event, EventKinds, Request, ok_empty_line, ok_line,
};
use crate::config::{ServerConfig, SocketGroup};

/// Requests running at once on one connection; reading waits while this many are.
pub const MAX_IN_FLIGHT: usize = 256;

/// Answer and event lines waiting to be written, per connection.
pub const WRITE_QUEUE: usize = 256;

/// Bytes asked of the kernel per read.
const READ_CHUNK: usize = 16 * 1024;

/// How the socket is set up: [`ServerConfig`]'s socket keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketOptions {
    /// `server.socket`.
    pub path: PathBuf,
    /// `server.socket_mode`.
    pub mode: u32,
    /// `server.socket_group`.
    pub group: Option<SocketGroup>,
    /// `server.allowed_uids` and `server.allowed_gids`.
    pub access: Access,
    /// `server.max_line`.
    pub max_line: usize,
    /// `server.shutdown_timeout`: how long [`Listener::serve`] waits, once told to stop, for
    /// connections to finish.
    pub shutdown_timeout: Duration,
}

impl SocketOptions {
    /// The options `config` sets.
    pub fn from_config(config: &ServerConfig) -> Self {
        SocketOptions {
            path: config.socket.clone(),
            mode: config.socket_mode,
            group: config.socket_group.clone(),
            access: Access {
                uids: config.allowed_uids.clone(),
                gids: config.allowed_gids.clone(),
            },
            max_line: config.max_line,
            shutdown_timeout: config.shutdown_timeout,
        }
    }

    /// The defaults, at `path`.
    pub fn at(path: impl Into<PathBuf>) -> Self {
        SocketOptions {
            path: path.into(),
            ..Self::from_config(&ServerConfig::default())
        }
    }
}

/// Why the socket could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    /// Creating the socket's directory failed.
    #[error("creating {path}, the directory of server.socket: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Something answers on the path: another smppd, most likely.
    #[error(
        "{path} is in use: a process is listening on it (another smppd?); stop it or set \
         another server.socket"
    )]
    InUse {
        /// The socket path.
        path: PathBuf,
    },
    /// The path is taken by something that is not a socket.
    #[error("{path} exists and is not a socket; remove it or set another server.socket")]
    NotASocket {
        /// The path.
        path: PathBuf,
    },
    /// The group named by `server.socket_group` does not exist.
    #[error("server.socket_group: there is no group {name:?}")]
    UnknownGroup {
        /// The name.
        name: String,
    },
    /// A step of creating the socket failed.
    #[error("{step} {path}: {source}")]
    Io {
        /// What was being done.
        step: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// The bound socket, not yet accepting.
#[derive(Debug)]
pub struct Listener {
    listener: UnixListener,
    file: SocketFile,
    access: Arc<Access>,
    max_line: usize,
    shutdown_timeout: Duration,
}

/// Binds the socket `config` describes and serves `handler` on it until `shutdown`. See
/// [`Listener::bind`] and [`Listener::serve`].
pub async fn serve<H: Handler>(
    config: &ServerConfig,
    handler: Arc<H>,
    shutdown: CancellationToken,
) -> Result<(), BindError> {
    Listener::bind(&SocketOptions::from_config(config))?
        .serve(handler, shutdown)
        .await;
    Ok(())
}

impl Listener {
    /// Creates the socket: makes its directory if missing, replaces a stale socket file left by
    /// a crash (one nothing answers on), refuses if something does answer, and gives the file
    /// its mode and group before it appears under its name, so that nobody can connect
    /// through wider permissions in between. Must run inside a tokio runtime.
    pub fn bind(options: &SocketOptions) -> Result<Listener, BindError> {
        let path = &options.path;
        let io_error = |step: &'static str, path: &Path| {
            let path = path.to_owned();
            move |source| BindError::Io { step, path, source }
        };
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| BindError::CreateDir {
                path: dir.to_owned(),
                source,
            })?;
        }
        check_stale(path)?;
        let gid = match &options.group {
            None => None,
            Some(SocketGroup::Gid(gid)) => Some(*gid),
            Some(SocketGroup::Name(name)) => match access::group_id(name) {
                Ok(Some(gid)) => Some(gid),
                Ok(None) => return Err(BindError::UnknownGroup { name: name.clone() }),
                Err(source) => {
                    return Err(BindError::Io {
                        step: "looking up server.socket_group for",
                        path: path.clone(),
                        source,
                    });
                }
            },
        };
        // Bind under a temporary name in the same directory, set mode and group, then rename
        // into place (atomic; it also replaces a stale file). When the temporary name would
        // not fit sun_path, bind in place: a brief window with the umask's permissions.
        let temp = temp_path(path);
        let bind_at = temp.as_deref().unwrap_or(path);
        if temp.is_none() {
            remove_stale(path)?;
        }
        if temp.is_some() {
            // Left by an earlier process with our pid that crashed right here.
            let _ = std::fs::remove_file(bind_at);
        }
        let listener =
            UnixListener::bind(bind_at).map_err(io_error("binding the socket", bind_at))?;
        let cleanup = |error: BindError| {
            let _ = std::fs::remove_file(bind_at);
            error
        };
        std::fs::set_permissions(bind_at, std::fs::Permissions::from_mode(options.mode))
            .map_err(io_error("setting server.socket_mode on", bind_at))
            .map_err(cleanup)?;
        if let Some(gid) = gid {
            std::os::unix::fs::chown(bind_at, None, Some(gid))
                .map_err(io_error(
                    "setting server.socket_group (smppd must be in that group) on",
                    bind_at,
                ))
                .map_err(cleanup)?;
        }
        if let Some(temp) = &temp {
            std::fs::rename(temp, path)
                .map_err(io_error("moving the new socket into place at", path))
                .map_err(cleanup)?;
        }
        let metadata =
            std::fs::symlink_metadata(path).map_err(io_error("reading the new socket", path))?;
        Ok(Listener {
            listener,
            file: SocketFile {
                path: path.clone(),
                identity: (metadata.dev(), metadata.ino()),
            },
            access: Arc::new(options.access.clone()),
            max_line: options.max_line,
            shutdown_timeout: options.shutdown_timeout,
        })
    }

    /// The socket's path.
    pub fn path(&self) -> &Path {
        &self.file.path
    }

    /// Accepts connections and serves `handler` on them until `shutdown` is cancelled. Then it
    /// stops accepting and reading, lets the requests already read be answered, ends the
    /// subscriptions (each told `unavailable`), and returns once every connection has closed
    /// or `server.shutdown_timeout` has passed, removing the socket file.
    pub async fn serve<H: Handler>(self, handler: Arc<H>, shutdown: CancellationToken) {
        let connections = TaskTracker::new();
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let connection = Connection {
                            handler: handler.clone(),
                            access: self.access.clone(),
                            max_line: self.max_line,
                            shutdown: shutdown.clone(),
                        };
                        connections.spawn(connection.run(stream));
                    }
                    Err(error) => {
                        // Out of file descriptors, most likely: give connections time to close
                        // rather than spinning.
                        tracing::warn!(%error, "accepting a socket connection failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
            }
        }
        drop(self.listener);
        connections.close();
        if tokio::time::timeout(self.shutdown_timeout, connections.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                connections = connections.len(),
                "socket connections still open at the shutdown timeout; leaving them"
            );
        }
    }
}

/// Refuses a path something listens on or that is not a socket.
fn check_stale(path: &Path) -> Result<(), BindError> {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(BindError::Io {
                step: "checking",
                path: path.to_owned(),
                source,
            });
        }
    };
    if !metadata.file_type().is_socket() {
        return Err(BindError::NotASocket {
            path: path.to_owned(),
        });
    }
    match std::os::unix::net::UnixStream::connect(path) {
        Ok(_) => Err(BindError::InUse {
            path: path.to_owned(),
        }),
        // Nobody listens: a socket file left by a crash.
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
            tracing::info!(socket = %path.display(), "replacing a stale socket file");
            Ok(())
        }
        Err(source) => Err(BindError::Io {
            step: "checking whether something listens on",
            path: path.to_owned(),
            source,
        }),
    }
}

fn remove_stale(path: &Path) -> Result<(), BindError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(BindError::Io {
            step: "removing the stale socket",
            path: path.to_owned(),
            source,
        }),
    }
}

/// `.<name>.<pid>.new` beside `path`, if it fits in `sun_path`.
fn temp_path(path: &Path) -> Option<PathBuf> {
    const MAX_SOCKET_PATH: usize = 107;
    let name = path.file_name()?.to_str()?;
    let temp = path.with_file_name(format!(".{name}.{}.new", std::process::id()));
    (temp.as_os_str().len() <= MAX_SOCKET_PATH).then_some(temp)
}

/// The socket file; removed when the listener goes, unless another process has replaced it.
#[derive(Debug)]
struct SocketFile {
    path: PathBuf,
    /// Device and inode, to recognise our file.
    identity: (u64, u64),
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        let ours = std::fs::symlink_metadata(&self.path)
            .is_ok_and(|m| (m.dev(), m.ino()) == self.identity);
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// What every connection shares.
struct Connection<H> {
    handler: Arc<H>,
    access: Arc<Access>,
    max_line: usize,
    shutdown: CancellationToken,
}

impl<H: Handler> Connection<H> {
    async fn run(self, stream: UnixStream) {
        let peer = match stream.peer_cred() {
            Ok(cred) => Peer {
                uid: cred.uid(),
                gid: cred.gid(),
                pid: cred.pid(),
            },
            Err(error) => {
                tracing::warn!(%error, "cannot read a socket peer's credentials; closing");
                return;
            }
        };
        if !self.access.permits(&peer, || access::peer_groups(&stream)) {
            tracing::warn!(uid = peer.uid, gid = peer.gid, pid = ?peer.pid, "socket peer refused");
            let error = ApiError::new(
                ErrorCode::Forbidden,
                format!(
                    "uid {} (gid {}) may not use this socket: it is not in server.allowed_uids \
                     and none of its groups is in server.allowed_gids",
                    peer.uid, peer.gid
                ),
            );
            refuse(stream, &error).await;
            return;
        }
        tracing::debug!(uid = peer.uid, pid = ?peer.pid, "socket connection");
        let (read, write) = stream.into_split();
        let (lines, queue) = mpsc::channel(WRITE_QUEUE);
        // Cancelled when the client can no longer be written to: everything for it stops.
        let gone = CancellationToken::new();
        let writer = tokio::spawn(write_lines(write, queue, gone.clone()));
        let subscriptions = TaskTracker::new();
        let context = Context {
            handler: self.handler.clone(),
            lines,
            peer,
            subscriptions: subscriptions.clone(),
            shutdown: self.shutdown.clone(),
            gone,
        };
        // The connection's requests run in its own task, polled beside the reading: a spawn
        // per request cost more than most requests' own work.
        let mut requests = FuturesUnordered::new();
        let mut reader = LineReader::new(read, self.max_line);
        loop {
            let frame = tokio::select! {
                biased;
                _ = self.shutdown.cancelled() => break,
                _ = context.gone.cancelled() => break,
                Some(()) = requests.next(), if !requests.is_empty() => continue,
                frame = reader.next(), if requests.len() < MAX_IN_FLIGHT => frame,
            };
            let line = match frame {
                Ok(Some(Frame::Line(line))) => line,
                Ok(Some(Frame::TooLong)) => {
                    let error = ApiError::new(
                        ErrorCode::LineTooLong,
                        format!(
                            "the line is longer than {} bytes (server.max_line); it was skipped",
                            self.max_line
                        ),
                    );
                    if context
                        .lines
                        .send(protocol::error_line(&Value::Null, &error))
                        .await
                        .is_err()
                    {
                        break;
                    }
                    continue;
                }
                Ok(None) => break,
                Err(error) => {
                    tracing::debug!(%error, "reading from a socket client failed");
                    break;
                }
            };
            let parsed = protocol::parse_line(&line);
            let reference = parsed.reference;
            let request = match parsed.request {
                Ok(request) => request,
                Err(error) => {
                    if context
                        .lines
                        .send(protocol::error_line(&reference, &error))
                        .await
                        .is_err()
                    {
                        break;
                    }
                    continue;
                }
            };
            if let Request::Ping = request {
                if context.lines.send(ok_empty_line(&reference)).await.is_err() {
                    break;
                }
                continue;
            }
            requests.push(context.answer(reference, request));
        }
        // No more reading. The requests already read are answered; subscriptions go on until
        // the client goes (a client may half-close after subscribing) or the daemon stops.
        drop(reader);
        while requests.next().await.is_some() {}
        drop(requests);
        drop(context);
        subscriptions.close();
        subscriptions.wait().await;
        let _ = writer.await;
        tracing::debug!(uid = peer.uid, pid = ?peer.pid, "socket connection closed");
    }
}

/// Answers `error` and closes. What the client sent meanwhile is read and dropped first (for
/// a little while): closing a Unix socket with unread data resets the connection, and the
/// client would lose the answer.
async fn refuse(mut stream: UnixStream, error: &ApiError) {
    if stream
        .write_all(&protocol::error_line(&Value::Null, error))
        .await
        .is_err()
        || stream.shutdown().await.is_err()
    {
        return;
    }
    let mut sink = [0; 4096];
    let mut left: usize = 64 * 1024;
    let drain = async {
        while left > 0 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
}

/// What a connection's requests share.
struct Context<H> {
    handler: Arc<H>,
    lines: mpsc::Sender<Vec<u8>>,
    peer: Peer,
    subscriptions: TaskTracker,
    shutdown: CancellationToken,
    gone: CancellationToken,
}

impl<H: Handler> Context<H> {
    /// Runs `request` and sends its answer. A panic in the handler is caught and answered
    /// `unavailable` rather than never.
    async fn answer(&self, reference: Value, request: Request) {
        // Caught in place (a task per request gave the same isolation at the cost of a spawn
        // and a cross-task wake-up per request).
        let reply =
            std::panic::AssertUnwindSafe(run(&*self.handler, &reference, request, self.peer))
                .catch_unwind()
                .await;
        let line = match reply {
            Ok(Reply::Line(line)) => line,
            Ok(Reply::Subscribed { kinds, events }) => {
                let line = ok_empty_line(&reference);
                if self.lines.send(line).await.is_ok() {
                    self.subscriptions.spawn(forward(
                        events,
                        kinds,
                        reference,
                        self.lines.clone(),
                        self.shutdown.clone(),
                        self.gone.clone(),
                    ));
                }
                return;
            }
            Err(panic) => {
                let error = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(%error, "a socket request's handler panicked");
                protocol::error_line(
                    &reference,
                    &ApiError::unavailable("the request failed inside smppd; see its log"),
                )
            }
        };
        let _ = self.lines.send(line).await;
    }
}

/// A request's outcome, before it is written.
enum Reply {
    Line(Vec<u8>),
    Subscribed {
        kinds: EventKinds,
        events: mpsc::Receiver<Event>,
    },
}

async fn run<H: Handler>(handler: &H, reference: &Value, request: Request, peer: Peer) -> Reply {
    fn line<T: serde::Serialize>(reference: &Value, result: Result<T, ApiError>) -> Reply {
        Reply::Line(match result {
            Ok(body) => ok_line(reference, &body),
            Err(error) => protocol::error_line(reference, &error),
        })
    }
    match request {
        Request::Submit(submit) => line(reference, handler.submit(submit).await),
        Request::Status { id } => line(reference, handler.status(&id).await),
        Request::History { number, limit } => {
            line(reference, handler.history(&number, limit).await)
        }
        Request::OptOut(op) => line(reference, handler.opt_out(op, peer).await),
        Request::Subscribe { kinds, since } => match handler.subscribe(kinds, since).await {
            Ok(events) => Reply::Subscribed { kinds, events },
            Err(error) => Reply::Line(protocol::error_line(reference, &error)),
        },
        Request::Ping => Reply::Line(ok_empty_line(reference)),
    }
}

/// Writes a subscription's events until the client goes, the daemon stops or the handler ends
/// the stream; the last two are told with an `unavailable` answer to the subscribe's `ref`.
async fn forward(
    mut events: mpsc::Receiver<Event>,
    kinds: EventKinds,
    reference: Value,
    lines: mpsc::Sender<Vec<u8>>,
    shutdown: CancellationToken,
    gone: CancellationToken,
) {
    let mut last = None;
    let why = loop {
        tokio::select! {
            biased;
            _ = gone.cancelled() => return,
            _ = shutdown.cancelled() => {
                // What was published before the stop still goes out.
                while let Ok(event) = events.try_recv() {
                    if kinds.includes(&event) {
                        last = Some(event.event_id());
                        if lines.send(protocol::event_line(&event)).await.is_err() {
                            return;
                        }
                    }
                }
                break "smppd is stopping";
            }
            event = events.recv() => match event {
                Some(event) => {
                    if !kinds.includes(&event) {
                        continue;
                    }
                    last = Some(event.event_id());
                    if lines.send(protocol::event_line(&event)).await.is_err() {
                        return;
                    }
                }
                None => break "the subscription was ended by smppd",
            },
        }
    };
    let resume = match last {
        Some(id) => format!("subscribe again with \"since\":{id} to miss nothing"),
        None => "subscribe again with \"since\" set to the last event_id you got".to_owned(),
    };
    let error = ApiError::unavailable(format!("{why}; {resume}"));
    let _ = lines.send(protocol::error_line(&reference, &error)).await;
}

/// Writes lines as they come, flushing when none is waiting; on failure cancels `gone`.
async fn write_lines(
    write: OwnedWriteHalf,
    mut queue: mpsc::Receiver<Vec<u8>>,
    gone: CancellationToken,
) {
    let mut out = BufWriter::with_capacity(64 * 1024, write);
    let result: io::Result<()> = async {
        while let Some(line) = queue.recv().await {
            out.write_all(&line).await?;
            while let Ok(line) = queue.try_recv() {
                out.write_all(&line).await?;
            }
            out.flush().await?;
        }
        out.shutdown().await
    }
    .await;
    if let Err(error) = result {
        tracing::debug!(%error, "writing to a socket client failed");
        gone.cancel();
    }
}

/// A line read by [`LineReader`].
#[derive(Debug, PartialEq, Eq)]
enum Frame {
    /// A line, without its `\n` (or `\r\n`).
    Line(Bytes),
    /// A line longer than the cap, which is being or has been skipped.
    TooLong,
}

/// Splits a byte stream into lines of at most `max` bytes, holding at most `max` bytes plus
/// one read. A longer line is reported once as [`Frame::TooLong`] and skipped up to its
/// newline; blank lines are skipped; a last line without a newline still counts.
struct LineReader<R> {
    inner: R,
    buffer: BytesMut,
    max: usize,
    /// Inside an over-long line: drop bytes up to the next newline.
    skipping: bool,
    /// Bytes of `buffer` already searched for a newline.
    searched: usize,
    eof: bool,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    fn new(inner: R, max: usize) -> Self {
        LineReader {
            inner,
            buffer: BytesMut::with_capacity(READ_CHUNK),
            max,
            skipping: false,
            searched: 0,
            eof: false,
        }
    }

    async fn next(&mut self) -> io::Result<Option<Frame>> {
        loop {
            if let Some(frame) = self.frame() {
                match frame {
                    Frame::Line(line) if line.iter().all(u8::is_ascii_whitespace) => continue,
                    frame => return Ok(Some(frame)),
                }
            }
            if self.eof {
                return Ok(None);
            }
            if self.buffer.capacity() - self.buffer.len() < READ_CHUNK / 4 {
                self.buffer.reserve(READ_CHUNK);
            }
            if self.inner.read_buf(&mut self.buffer).await? == 0 {
                self.eof = true;
            }
        }
    }

    /// `line` without a trailing `\r`, or [`Frame::TooLong`].
    fn checked(mut line: Bytes, max: usize) -> Frame {
        if line.last() == Some(&b'\r') {
            line.truncate(line.len() - 1);
        }
        if line.len() > max {
            Frame::TooLong
        } else {
            Frame::Line(line)
        }
    }

    /// The next frame in the buffer, if there is one.
    fn frame(&mut self) -> Option<Frame> {
        let newline = self.buffer[self.searched..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|at| self.searched + at);
        match newline {
            Some(end) if self.skipping => {
                self.buffer.advance(end + 1);
                self.searched = 0;
                self.skipping = false;
                self.frame()
            }
            Some(end) => {
                let mut line = self.buffer.split_to(end + 1).freeze();
                self.searched = 0;
                line.truncate(end);
                Some(Self::checked(line, self.max))
            }
            None if self.skipping => {
                self.buffer.clear();
                self.searched = 0;
                None
            }
            // `max + 1`: the line may still end in `\r\n`.
            None if self.buffer.len() > self.max + 1 => {
                self.buffer.clear();
                self.searched = 0;
                self.skipping = !self.eof;
                Some(Frame::TooLong)
            }
            None if self.eof && !self.buffer.is_empty() => {
                let line = self.buffer.split().freeze();
                self.searched = 0;
                Some(Self::checked(line, self.max))
            }
            None => {
                self.searched = self.buffer.len();
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames `input` split into reads of `chunk` bytes.
    async fn frames(input: &[u8], chunk: usize, max: usize) -> Vec<Frame> {
        let mut builder = tokio_test_reader(input, chunk);
        let mut reader = LineReader::new(&mut builder, max);
        let mut out = Vec::new();
        while let Some(frame) = reader.next().await.unwrap() {
            out.push(frame);
        }
        out
    }

    fn tokio_test_reader(input: &[u8], chunk: usize) -> impl AsyncRead + Unpin {
        let chunks: Vec<Vec<u8>> = input.chunks(chunk).map(<[u8]>::to_vec).collect();
        ChunkReader(chunks.into_iter().rev().collect())
    }

    /// Returns its chunks one read at a time.
    struct ChunkReader(Vec<Vec<u8>>);

    impl AsyncRead for ChunkReader {
        fn poll_read(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> std::task::Poll<io::Result<()>> {
            if let Some(chunk) = self.0.pop() {
                let n = chunk.len().min(buf.remaining());
                buf.put_slice(&chunk[..n]);
                if n < chunk.len() {
                    self.0.push(chunk[n..].to_vec());
                }
            }
            std::task::Poll::Ready(Ok(()))
        }
    }

    fn line(text: &str) -> Frame {
        Frame::Line(Bytes::copy_from_slice(text.as_bytes()))
    }

    #[tokio::test]
    async fn lines_are_split_whatever_the_reads() {
        let input = b"{\"a\":1}\n\r\n{\"b\":2}\r\n\n   \n{\"c\":3}";
        for chunk in [1, 2, 3, 7, 100] {
            assert_eq!(
                frames(input, chunk, 64).await,
                [line("{\"a\":1}"), line("{\"b\":2}"), line("{\"c\":3}")],
                "chunk {chunk}"
            );
        }
    }

    #[tokio::test]
    async fn an_over_long_line_is_reported_once_and_skipped() {
        let long = "x".repeat(100);
        let input = format!("short\n{long}\nnext\n{long}");
        for chunk in [1, 10, 64, 1000] {
            assert_eq!(
                frames(input.as_bytes(), chunk, 50).await,
                [line("short"), Frame::TooLong, line("next"), Frame::TooLong],
                "chunk {chunk}"
            );
        }
    }

    #[tokio::test]
    async fn a_line_of_exactly_the_cap_is_accepted() {
        let exact = "y".repeat(50);
        let over = "z".repeat(51);
        let input = format!("{exact}\n{over}\n{exact}\r\n");
        for chunk in [1, 49, 50, 51, 52, 200] {
            assert_eq!(
                frames(input.as_bytes(), chunk, 50).await,
                [line(&exact), Frame::TooLong, line(&exact)],
                "chunk {chunk}"
            );
        }
    }
}
