//! `smppctl bench`: a load generator for a running smppd, through its socket like any client.
//!
//! It pipelines `--concurrency` submissions over `--connections` connections, timing each
//! from the moment its line is written to the moment its answer is read (the answer comes once
//! the message is durably stored). Meanwhile one more connection subscribes to delivery
//! receipts; after the last answer it waits up to `--drain` for each accepted message's final
//! receipt, then asks `status` for the messages that have none, to tell how many reached the
//! SMSC. It knows nothing of smppd's insides: the numbers are what an application would see.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::UnixStream;
use tokio::sync::{Notify, Semaphore, oneshot};

use super::CtlError;

/// `smppctl bench` options.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Messages to submit.
    #[arg(long, default_value_t = 10_000)]
    pub count: u64,
    /// Submissions in flight at once, over all connections.
    #[arg(long, default_value_t = 64)]
    pub concurrency: u64,
    /// Connections to spread them over [default: concurrency, at most 4].
    #[arg(long)]
    pub connections: Option<u64>,
    /// The text of every message.
    #[arg(
        long,
        default_value = "smppd bench: the quick brown fox jumps over the lazy dog"
    )]
    pub text: String,
    /// The destination of every message.
    #[arg(long, default_value = "+447700900000")]
    pub to: String,
    /// The sender of every message.
    #[arg(long, default_value = "BENCH")]
    pub from: String,
    /// Send on this link instead of routing.
    #[arg(long)]
    pub link: Option<String>,
    /// Ask for no delivery receipts (reaching the SMSC is then told by `status` only).
    #[arg(long)]
    pub no_dlr: bool,
    /// After the last answer: how long to wait for receipts and for queued messages to be
    /// sent. 0s skips both.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub drain: Duration,
    /// Offer this many submissions per second (over all connections) instead of as many as
    /// the window allows; latency is then counted from when each was due, so a stall is
    /// counted in full.
    #[arg(long)]
    pub rate: Option<f64>,
    /// smppd's metrics address (host:port): watch its count of submit_sm accepted by the
    /// SMSCs during the run, to tell the rate at which the messages reached them, and read its
    /// submit -> submit_sm_resp latency histogram, per link, after the run (start smppd
    /// afresh: the histogram counts since its start).
    #[arg(long)]
    pub metrics: Option<String>,
    /// Print the results as one JSON object.
    #[arg(long)]
    pub json: bool,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    crate::config::parse_duration(text).map_err(|e| e.to_string())
}

/// Runs the benchmark against the smppd at `socket` and returns the report.
pub fn run(socket: &Path, args: &BenchArgs) -> Result<String, CtlError> {
    if args.count == 0 || args.concurrency == 0 || args.connections == Some(0) {
        return Err(CtlError::Input(
            "--count, --concurrency and --connections must be at least 1".into(),
        ));
    }
    if args.rate.is_some_and(|r| !(r.is_finite() && r > 0.0)) {
        return Err(CtlError::Input(
            "--rate must be a number of messages per second above 0".into(),
        ));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(bench(socket, args))?;
    Ok(if args.json {
        serde_json::to_string_pretty(&report).map_err(|e| CtlError::Input(e.to_string()))?
    } else {
        report.to_string()
    })
}

/// What a run measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Submissions sent.
    pub count: u64,
    /// Connections used for them, and submissions in flight on all of them.
    pub connections: u64,
    /// Submissions in flight.
    pub concurrency: u64,
    /// Submissions offered per second (`--rate`); `None`: as fast as answers come.
    pub rate: Option<f64>,
    /// Answered `ok`.
    pub accepted: u64,
    /// Refused, by error code.
    pub refused: BTreeMap<String, u64>,
    /// From the first line written to the last answer read, in seconds.
    pub seconds: f64,
    /// `accepted / seconds`.
    pub accepted_per_second: f64,
    /// Submit to answer, in milliseconds.
    pub latency_ms: Percentiles,
    /// Accepted messages by the last state known (receipt, else `status`); empty when not
    /// asked (`--drain 0s`).
    pub states: BTreeMap<String, u64>,
    /// Accepted messages known to have reached the SMSC: a receipt, or a state other than
    /// `queued` and `failed`.
    pub reached_smsc: Option<u64>,
    /// submit_sm accepted by the SMSCs per second, from the first line written to the moment
    /// smppd's count of them had grown by `accepted` (`--metrics`, sampled every 50 ms);
    /// `None` without `--metrics` or if they did not all get there before the drain ended.
    pub smsc_per_second: Option<f64>,
    /// Accepted messages with a final receipt.
    pub receipts: Option<u64>,
    /// Final receipts per second, from the first line written to the last receipt.
    pub receipts_per_second: Option<f64>,
    /// Submit to final receipt, in milliseconds.
    pub receipt_latency_ms: Option<Percentiles>,
    /// Submission received to submit_sm_resp, per link, in milliseconds, from smppd's
    /// `smppd_submit_latency_seconds` histogram (`--metrics`): p50 and p99 interpolated in
    /// its buckets, `max` the bound of the highest bucket used.
    pub smsc_latency_ms: BTreeMap<String, Percentiles>,
}

/// p50, p99 and the maximum of a set of durations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
}

impl Percentiles {
    /// Of `micros` (sorted here), in milliseconds; `None` if empty.
    pub fn of(micros: &mut [u64]) -> Option<Self> {
        if micros.is_empty() {
            return None;
        }
        micros.sort_unstable();
        // Nearest rank: the smallest value with at least p% of the values at or below it.
        let rank = |p: usize| micros[(micros.len() * p).div_ceil(100).max(1) - 1];
        let ms = |us: u64| us as f64 / 1000.0;
        Some(Percentiles {
            p50: ms(rank(50)),
            p99: ms(rank(99)),
            max: ms(micros[micros.len() - 1]),
        })
    }
}

impl fmt::Display for Percentiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            self.p50, self.p99, self.max
        )
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "submitted  {} messages, {} in flight over {} connection{}",
            self.count,
            self.concurrency,
            self.connections,
            if self.connections == 1 { "" } else { "s" }
        )?;
        if let Some(rate) = self.rate {
            writeln!(f, "offered    {rate:.0} messages/s")?;
        }
        write!(
            f,
            "accepted   {} in {:.3} s: {:.0} messages/s",
            self.accepted, self.seconds, self.accepted_per_second
        )?;
        if !self.refused.is_empty() {
            let refused: Vec<String> = self
                .refused
                .iter()
                .map(|(code, n)| format!("{n} {code}"))
                .collect();
            write!(f, " (refused: {})", refused.join(", "))?;
        }
        writeln!(f)?;
        writeln!(f, "latency    submit -> answer: {}", self.latency_ms)?;
        if let Some(reached) = self.reached_smsc {
            writeln!(
                f,
                "smsc       {reached} of {} accepted reached the SMSC",
                self.accepted
            )?;
        }
        if let Some(rate) = self.smsc_per_second {
            writeln!(f, "smsc       submit_sm accepted by the SMSC: {rate:.0}/s")?;
        }
        if let (Some(receipts), Some(rate)) = (self.receipts, self.receipts_per_second) {
            writeln!(f, "receipts   {receipts} final receipts: {rate:.0}/s")?;
        }
        for (link, latency) in &self.smsc_latency_ms {
            writeln!(
                f,
                "latency    submit -> submit_sm_resp on {link}: {latency}"
            )?;
        }
        if let Some(latency) = &self.receipt_latency_ms {
            writeln!(f, "latency    submit -> final receipt: {latency}")?;
        }
        if !self.states.is_empty() {
            let states: Vec<String> = self
                .states
                .iter()
                .map(|(state, n)| format!("{n} {state}"))
                .collect();
            writeln!(f, "states     {}", states.join(", "))?;
        }
        Ok(())
    }
}

async fn bench(socket: &Path, args: &BenchArgs) -> Result<Report, CtlError> {
    let connect = |socket: &Path| {
        let socket = socket.to_owned();
        async move {
            UnixStream::connect(&socket).await.map_err(|e| {
                CtlError::Connect(format!("cannot connect to {}: {e}", socket.display()))
            })
        }
    };
    let dlr = !args.no_dlr && !args.drain.is_zero();
    let started = Instant::now();
    let receipts = if dlr {
        Some(Receipts::subscribe(connect(socket).await?, started).await?)
    } else {
        None
    };

    let mut request = json!({"op": "submit", "to": args.to, "from": args.from,
        "text": args.text, "dlr": !args.no_dlr});
    if let Some(link) = &args.link {
        request["link"] = json!(link);
    }
    let connections = args
        .connections
        .unwrap_or(args.concurrency.min(4))
        .min(args.concurrency);
    let pace = match &args.metrics {
        Some(addr) => Some(SmscPace::watch(addr.clone(), started).await?),
        None => None,
    };
    let mut submits = Pipeline::new(request, args.count, Field::Id);
    submits.rate = args.rate;
    let mut tasks = Vec::new();
    for i in 0..connections {
        // Spread the window evenly: the first `concurrency % connections` get one more.
        let window = args.concurrency / connections + u64::from(i < args.concurrency % connections);
        tasks.push(tokio::spawn(submits.clone().drive(
            connect(socket).await?,
            window,
            started,
        )));
    }
    let mut answers = Vec::with_capacity(args.count as usize);
    for task in tasks {
        answers.extend(task.await.map_err(|e| CtlError::Connect(e.to_string()))??);
    }
    let seconds = answers
        .iter()
        .map(|a| a.answered_at)
        .max()
        .unwrap_or_default() as f64
        / 1e6;

    let mut refused = BTreeMap::new();
    let mut latencies = Vec::with_capacity(answers.len());
    let mut sent_at = HashMap::with_capacity(answers.len());
    for answer in &answers {
        latencies.push(answer.answered_at.saturating_sub(answer.sent_at));
        match &answer.result {
            Ok(id) => {
                sent_at.insert(id.clone(), answer.sent_at);
            }
            Err(code) => *refused.entry(code.clone()).or_insert(0) += 1,
        }
    }
    let accepted = sent_at.len() as u64;
    let mut report = Report {
        count: args.count,
        connections,
        concurrency: args.concurrency,
        rate: args.rate,
        accepted,
        refused,
        seconds,
        accepted_per_second: if seconds > 0.0 {
            accepted as f64 / seconds
        } else {
            0.0
        },
        latency_ms: Percentiles::of(&mut latencies).unwrap_or(Percentiles {
            p50: 0.0,
            p99: 0.0,
            max: 0.0,
        }),
        states: BTreeMap::new(),
        reached_smsc: None,
        smsc_per_second: None,
        receipts: None,
        receipts_per_second: None,
        receipt_latency_ms: None,
        smsc_latency_ms: BTreeMap::new(),
    };
    if args.drain.is_zero() || accepted == 0 {
        return Ok(report);
    }
    let deadline = Instant::now() + args.drain;
    if let Some(pace) = pace {
        report.smsc_per_second = pace.until(accepted, deadline).await;
    }

    // Receipts, then `status` for the messages without a final one.
    let mut states: HashMap<String, String> = HashMap::with_capacity(sent_at.len());
    if let Some(receipts) = receipts {
        let seen = receipts
            .finish(sent_at.keys().cloned().collect(), deadline)
            .await;
        let mut latencies = Vec::new();
        let mut last = 0;
        for (id, receipt) in seen {
            let Some(sent) = sent_at.get(&id) else {
                continue;
            };
            if receipt.is_final {
                latencies.push(receipt.at.saturating_sub(*sent));
                last = last.max(receipt.at);
            }
            states.insert(id, receipt.state);
        }
        report.receipts = Some(latencies.len() as u64);
        report.receipts_per_second = Some(latencies.len() as f64 / (last.max(1) as f64 / 1e6));
        report.receipt_latency_ms = Percentiles::of(&mut latencies);
    }
    let mut unknown: Vec<String> = sent_at
        .keys()
        .filter(|id| states.get(*id).is_none_or(|s| !is_final(s)))
        .cloned()
        .collect();
    while !unknown.is_empty() {
        let ids = Arc::new(unknown);
        let lookups = Pipeline::status(ids.clone(), Field::State);
        let stream = connect(socket).await?;
        for answer in lookups.drive(stream, 256, started).await? {
            if let Ok(state) = answer.result {
                states.insert(ids[answer.index as usize].clone(), state);
            }
        }
        // Messages still queued may yet be sent; look again while there is time.
        unknown = ids
            .iter()
            .filter(|id| states.get(*id).is_some_and(|s| s == "queued"))
            .cloned()
            .collect();
        if Instant::now() >= deadline {
            break;
        }
        if !unknown.is_empty() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    for state in states.values() {
        *report.states.entry(state.clone()).or_insert(0) += 1;
    }
    report.reached_smsc = Some(
        states
            .values()
            .filter(|s| !matches!(s.as_str(), "queued" | "failed"))
            .count() as u64,
    );
    if let Some(addr) = &args.metrics {
        report.smsc_latency_ms = submit_latency(&scrape(addr).await?);
    }
    Ok(report)
}

/// Samples smppd's count of submit_sm accepted by the SMSCs, to time when a run's messages
/// had all reached them.
struct SmscPace {
    /// (microseconds since the start, count), in time order.
    samples: Arc<std::sync::Mutex<Vec<(u64, f64)>>>,
    stop: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl SmscPace {
    const EVERY: Duration = Duration::from_millis(50);

    /// Takes a first sample now (so that an unreachable address fails the run at once), then
    /// one every 50 ms until stopped.
    async fn watch(addr: String, started: Instant) -> Result<Self, CtlError> {
        let first = accepted_total(&scrape(&addr).await?);
        let samples = Arc::new(std::sync::Mutex::new(vec![(0, first)]));
        let stop = Arc::new(Notify::new());
        let task = tokio::spawn({
            let (samples, stop) = (samples.clone(), stop.clone());
            async move {
                loop {
                    tokio::select! {
                        _ = stop.notified() => return,
                        _ = tokio::time::sleep(Self::EVERY) => {}
                    }
                    // A failed scrape leaves a gap; the next one fills it.
                    if let Ok(page) = scrape(&addr).await {
                        let at = started.elapsed().as_micros() as u64;
                        let mut samples = samples.lock().unwrap_or_else(|e| e.into_inner());
                        samples.push((at, accepted_total(&page)));
                    }
                }
            }
        });
        Ok(SmscPace {
            samples,
            stop,
            task,
        })
    }

    /// The rate at which `count` more submit_sm than at the start were accepted: waits for
    /// the count to get there, up to `deadline`.
    async fn until(self, count: u64, deadline: Instant) -> Option<f64> {
        let reached = loop {
            let at = {
                let samples = self.samples.lock().unwrap_or_else(|e| e.into_inner());
                let base = samples.first().map_or(0.0, |s| s.1);
                samples
                    .iter()
                    .find(|(_, n)| *n - base >= count as f64)
                    .map(|(at, _)| *at)
            };
            if at.is_some() || Instant::now() >= deadline {
                break at;
            }
            tokio::time::sleep(Self::EVERY).await;
        };
        self.stop.notify_one();
        // A sampler that panicked leaves samples that cannot be trusted.
        self.task.await.ok()?;
        reached.map(|at| count as f64 / (at.max(1) as f64 / 1e6))
    }
}

/// The sum over links of `smppd_submit_accepted_total` in a Prometheus text page.
fn accepted_total(page: &str) -> f64 {
    page.lines()
        .filter(|line| {
            line.strip_prefix(crate::metrics::SUBMIT_ACCEPTED)
                .is_some_and(|rest| rest.starts_with(['{', ' ']))
        })
        .filter_map(|line| line.rsplit_once(' ')?.1.trim().parse::<f64>().ok())
        .sum()
}

/// `GET /metrics` from smppd's exporter.
async fn scrape(addr: &str) -> Result<String, CtlError> {
    use tokio::io::AsyncReadExt;
    let failed = |e: std::io::Error| CtlError::Connect(format!("metrics at {addr}: {e}"));
    let mut stream = tokio::net::TcpStream::connect(addr).await.map_err(failed)?;
    stream
        .write_all(format!("GET /metrics HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .map_err(failed)?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await.map_err(failed)?;
    match response.split_once("\r\n\r\n") {
        Some((head, body))
            if head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200") =>
        {
            Ok(body.to_owned())
        }
        _ => Err(CtlError::Connect(format!(
            "metrics at {addr}: not a 200 answer: {}",
            response.lines().next().unwrap_or("")
        ))),
    }
}

/// The per-link p50 and p99 of `smppd_submit_latency_seconds` in a Prometheus text page,
/// interpolated within its buckets as Prometheus's `histogram_quantile` does; `max` is the
/// upper bound of the highest bucket that holds a sample.
fn submit_latency(page: &str) -> BTreeMap<String, Percentiles> {
    let prefix = format!("{}_bucket{{", crate::metrics::SUBMIT_LATENCY);
    // link -> (upper bound, cumulative count), +Inf as infinity.
    let mut buckets: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for line in page.lines() {
        let Some((labels, value)) = line.strip_prefix(&prefix).and_then(|r| r.split_once("} "))
        else {
            continue;
        };
        let label = |name: &str| {
            labels.split(',').find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                (k == name).then(|| v.trim_matches('"').to_owned())
            })
        };
        let (Some(link), Some(le), Ok(count)) =
            (label("link"), label("le"), value.trim().parse::<f64>())
        else {
            continue;
        };
        let bound = if le == "+Inf" {
            f64::INFINITY
        } else {
            match le.parse::<f64>() {
                Ok(bound) => bound,
                Err(_) => continue,
            }
        };
        buckets.entry(link).or_default().push((bound, count));
    }
    buckets
        .into_iter()
        .filter_map(|(link, mut b)| {
            b.sort_by(|x, y| x.0.total_cmp(&y.0));
            let total = b.last()?.1;
            if total <= 0.0 {
                return None;
            }
            let finite = |x: f64| if x.is_finite() { x } else { 0.0 };
            let highest = b
                .iter()
                .rev()
                .filter(|(bound, _)| bound.is_finite())
                .map(|(bound, _)| *bound)
                .next()
                .unwrap_or(0.0);
            let quantile = |q: f64| {
                let rank = q * total;
                let mut lower = (0.0, 0.0);
                for &(bound, count) in &b {
                    if count >= rank {
                        if !bound.is_finite() {
                            return highest;
                        }
                        let share = if count > lower.1 {
                            (rank - lower.1) / (count - lower.1)
                        } else {
                            1.0
                        };
                        return lower.0 + (bound - lower.0) * share;
                    }
                    lower = (finite(bound), count);
                }
                highest
            };
            Some((
                link,
                Percentiles {
                    p50: quantile(0.5) * 1000.0,
                    p99: quantile(0.99) * 1000.0,
                    // The whole rank lands on the upper bound of the last bucket used.
                    max: quantile(1.0) * 1000.0,
                },
            ))
        })
        .collect()
}

fn is_final(state: &str) -> bool {
    !matches!(state, "queued" | "submitted")
}

/// One answer, times in microseconds since the run started.
#[derive(Debug, Clone, PartialEq)]
struct Answer {
    /// Which request.
    index: u64,
    sent_at: u64,
    answered_at: u64,
    /// The answer's `id` (or `state`), or its error code.
    result: Result<String, String>,
}

/// Requests numbered 0 to `count - 1`, taken in turn by every connection that drives them.
#[derive(Debug, Clone)]
struct Pipeline {
    /// The request line up to its `ref`: `{"op":...,"ref":`.
    prefix: Arc<str>,
    /// For `status`: request `i` asks about `ids[i]`.
    ids: Option<Arc<Vec<String>>>,
    count: u64,
    next: Arc<AtomicU64>,
    /// The answer's field to keep.
    field: Field,
    /// Requests per second to offer, `None` for as fast as the window allows.
    rate: Option<f64>,
}

impl Pipeline {
    fn new(request: Value, count: u64, field: Field) -> Self {
        let mut prefix = request.to_string();
        prefix.pop();
        prefix.push_str(",\"ref\":");
        Pipeline {
            prefix: prefix.into(),
            ids: None,
            count,
            next: Arc::new(AtomicU64::new(0)),
            field,
            rate: None,
        }
    }

    fn status(ids: Arc<Vec<String>>, field: Field) -> Self {
        Pipeline {
            ids: Some(ids.clone()),
            ..Self::new(json!({"op": "status"}), ids.len() as u64, field)
        }
    }

    /// Request `index` sent at `t`: its `ref` carries both, so answers need no lookup.
    fn line(&self, index: u64, t: u64) -> String {
        let mut line = format!("{}[{index},{t}]", self.prefix);
        if let Some(ids) = &self.ids {
            line.push_str(",\"id\":");
            line.push_str(&json!(ids[index as usize]).to_string());
        }
        line.push_str("}\n");
        line
    }

    /// Sends requests on `stream`, at most `window` unanswered, until none is left, and
    /// returns their answers.
    async fn drive(
        self,
        stream: UnixStream,
        window: u64,
        started: Instant,
    ) -> Result<Vec<Answer>, CtlError> {
        let (read, write) = stream.into_split();
        let window = Arc::new(Semaphore::new(window as usize));
        let sent = Arc::new(AtomicU64::new(0));
        let done = Arc::new(Notify::new());
        let writer = tokio::spawn({
            let (pipeline, window, sent, done) =
                (self.clone(), window.clone(), sent.clone(), done.clone());
            async move {
                let mut out = BufWriter::with_capacity(64 * 1024, write);
                loop {
                    let permit = match window.try_acquire() {
                        Ok(permit) => permit,
                        Err(_) => {
                            // About to wait for answers: what is written must go first.
                            out.flush().await?;
                            window.acquire().await.map_err(std::io::Error::other)?
                        }
                    };
                    permit.forget();
                    let index = pipeline.next.fetch_add(1, Ordering::Relaxed);
                    if index >= pipeline.count {
                        break;
                    }
                    let now = started.elapsed().as_micros() as u64;
                    let t = match pipeline.rate {
                        Some(rate) => {
                            let due = (index as f64 * 1e6 / rate) as u64;
                            if due > now {
                                out.flush().await?;
                                tokio::time::sleep(Duration::from_micros(due - now)).await;
                            }
                            // Timed from when it was due: a late send counts as latency.
                            due
                        }
                        None => now,
                    };
                    out.write_all(pipeline.line(index, t).as_bytes()).await?;
                    sent.fetch_add(1, Ordering::Release);
                }
                out.flush().await?;
                done.notify_one();
                Ok::<_, std::io::Error>(out)
            }
        });
        let mut reader = BufReader::with_capacity(64 * 1024, read);
        let mut answers = Vec::new();
        // `read_until` keeps what it read when the select drops it; `read_line` would not.
        let mut line = Vec::new();
        let mut writing = true;
        loop {
            if !writing && answers.len() as u64 == sent.load(Ordering::Acquire) {
                break;
            }
            let n = tokio::select! {
                read = reader.read_until(b'\n', &mut line) => read?,
                _ = done.notified(), if writing => {
                    writing = false;
                    continue;
                }
            };
            if n == 0 || line.last() != Some(&b'\n') {
                return Err(CtlError::Connect(format!(
                    "smppd closed the connection after {} answers",
                    answers.len()
                )));
            }
            let answered_at = started.elapsed().as_micros() as u64;
            let text = || String::from_utf8_lossy(&line).trim_end().to_owned();
            let reply: Reply = serde_json::from_slice(&line).map_err(|e| {
                CtlError::Connect(format!(
                    "smppd sent an answer bench cannot read ({e}): {}",
                    text()
                ))
            })?;
            let Some((index, sent_at)) = reply.reference else {
                // Not ours to time (a line it could not read): fail loudly.
                return Err(CtlError::Refused(format!("smppd answered: {}", text())));
            };
            line.clear();
            let result = match (reply.ok, reply.error) {
                (true, _) => Ok(match self.field {
                    Field::Id => reply.id,
                    Field::State => reply.state,
                }
                .unwrap_or_default()),
                (false, Some(error)) => Err(error.code),
                (false, None) => Err("error".to_owned()),
            };
            answers.push(Answer {
                index,
                sent_at,
                answered_at,
                result,
            });
            window.add_permits(1);
        }
        let mut out = writer
            .await
            .map_err(|e| CtlError::Connect(e.to_string()))??;
        let _ = out.shutdown().await;
        Ok(answers)
    }
}

/// The field of an `ok` answer that bench keeps.
#[derive(Debug, Clone, Copy)]
enum Field {
    /// A submit's `id`.
    Id,
    /// A status's `state`.
    State,
}

/// An answer as bench reads it.
#[derive(Debug, Deserialize)]
struct Reply {
    #[serde(rename = "ref")]
    reference: Option<(u64, u64)>,
    ok: bool,
    error: Option<ReplyError>,
    /// A submit's answer.
    id: Option<String>,
    /// A status answer.
    state: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ReplyError {
    code: String,
}

/// The receipt subscription.
struct Receipts {
    ids: oneshot::Sender<(Vec<String>, Instant)>,
    task: tokio::task::JoinHandle<HashMap<String, Receipt>>,
}

/// The latest receipt of a message.
#[derive(Debug, Clone, PartialEq)]
struct Receipt {
    state: String,
    is_final: bool,
    /// When the final one (or else the latest) was read, microseconds since the start.
    at: u64,
}

impl Receipts {
    /// Subscribes to receipts on `stream` and collects them until told which messages to
    /// wait for and until when.
    async fn subscribe(stream: UnixStream, started: Instant) -> Result<Self, CtlError> {
        let (read, mut write) = stream.into_split();
        write
            .write_all(b"{\"op\":\"subscribe\",\"ref\":\"bench\",\"events\":[\"dlr\"]}\n")
            .await?;
        let mut reader = BufReader::new(read);
        let mut line = Vec::new();
        reader.read_until(b'\n', &mut line).await?;
        let answer: Value = serde_json::from_slice(&line).unwrap_or_default();
        super::client::check(answer)?;
        line.clear();
        let (ids, mut target) = oneshot::channel::<(Vec<String>, Instant)>();
        let task = tokio::spawn(async move {
            let _write = write;
            let mut seen: HashMap<String, Receipt> = HashMap::new();
            let mut waiting: Option<(HashSet<String>, tokio::time::Instant)> = None;
            let mut finals = 0;
            loop {
                if let Some((ids, _)) = &waiting {
                    if finals >= ids.len() {
                        break;
                    }
                }
                let deadline = waiting.as_ref().map(|(_, d)| *d);
                tokio::select! {
                    read = reader.read_until(b'\n', &mut line) => {
                        if !matches!(read, Ok(n) if n > 0) {
                            break;
                        }
                    }
                    given = &mut target, if waiting.is_none() => {
                        let Ok((ids, until)) = given else { break };
                        let ids: HashSet<String> = ids.into_iter().collect();
                        finals = ids
                            .iter()
                            .filter(|id| seen.get(*id).is_some_and(|r| r.is_final))
                            .count();
                        waiting = Some((ids, until.into()));
                        continue;
                    }
                    _ = sleep_until(deadline) => break,
                }
                let event = serde_json::from_slice::<Value>(&line);
                line.clear();
                let Ok(event) = event else {
                    continue;
                };
                let (Some(id), Some(state)) = (event["id"].as_str(), event["state"].as_str())
                else {
                    continue;
                };
                let at = started.elapsed().as_micros() as u64;
                let is_final = is_final(state);
                let previous = seen.insert(
                    id.to_owned(),
                    Receipt {
                        state: state.to_owned(),
                        is_final,
                        at,
                    },
                );
                let was_final = previous.as_ref().is_some_and(|r| r.is_final);
                if let Some(previous) = previous.filter(|r| r.is_final) {
                    // The first final receipt counts.
                    seen.insert(id.to_owned(), previous);
                }
                let wanted = waiting.as_ref().is_some_and(|(ids, _)| ids.contains(id));
                if is_final && !was_final && wanted {
                    finals += 1;
                }
            }
            seen
        });
        Ok(Receipts { ids, task })
    }

    /// The receipts of `ids`, waiting until each has a final one or `deadline`.
    async fn finish(self, ids: Vec<String>, deadline: Instant) -> HashMap<String, Receipt> {
        let _ = self.ids.send((ids, deadline));
        self.task.await.unwrap_or_default()
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::tests::Running;

    fn args(count: u64, concurrency: u64) -> BenchArgs {
        BenchArgs {
            count,
            concurrency,
            connections: None,
            text: "bench".into(),
            to: "+447700900000".into(),
            from: "BENCH".into(),
            link: None,
            no_dlr: false,
            drain: Duration::ZERO,
            rate: None,
            metrics: None,
            json: false,
        }
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let mut micros: Vec<u64> = (1..=100).map(|i| i * 1000).collect();
        let p = Percentiles::of(&mut micros).unwrap();
        assert_eq!((p.p50, p.p99, p.max), (50.0, 99.0, 100.0));
        let p = Percentiles::of(&mut [7000]).unwrap();
        assert_eq!((p.p50, p.p99, p.max), (7.0, 7.0, 7.0));
        assert_eq!(Percentiles::of(&mut []), None);
    }

    #[test]
    fn the_latency_quantiles_are_interpolated_in_the_histogram_buckets() {
        let page = "# TYPE smppd_submit_latency_seconds histogram
smppd_submit_latency_seconds_bucket{link=\"a\",le=\"0.001\"} 0
smppd_submit_latency_seconds_bucket{link=\"a\",le=\"0.002\"} 40
smppd_submit_latency_seconds_bucket{link=\"a\",le=\"0.004\"} 90
smppd_submit_latency_seconds_bucket{link=\"a\",le=\"0.01\"} 100
smppd_submit_latency_seconds_bucket{link=\"a\",le=\"+Inf\"} 100
smppd_submit_latency_seconds_sum{link=\"a\"} 0.25
smppd_submit_latency_seconds_count{link=\"a\"} 100
smppd_submit_latency_seconds_bucket{link=\"b\",le=\"0.001\"} 0
smppd_submit_latency_seconds_bucket{link=\"b\",le=\"+Inf\"} 0
smppd_queued_segments{link=\"a\"} 0
";
        let got = submit_latency(page);
        assert_eq!(got.len(), 1, "a link without samples has no quantiles");
        let a = got["a"];
        // Rank 50 lies 10 of 50 into (2 ms, 4 ms]; rank 99 lies 9 of 10 into (4 ms, 10 ms].
        assert!((a.p50 - 2.4).abs() < 1e-9, "{a:?}");
        assert!((a.p99 - 9.4).abs() < 1e-9, "{a:?}");
        assert!((a.max - 10.0).abs() < 1e-9, "{a:?}");
    }

    #[test]
    fn the_smsc_count_is_the_sum_over_links_of_the_accepted_counter_only() {
        let page = "# TYPE smppd_submit_accepted_total counter
smppd_submit_accepted_total{link=\"a\"} 1200
smppd_submit_accepted_total{link=\"b\"} 34
smppd_submit_accepted_totally_other 5
smppd_submit_failed_total{link=\"a\"} 7
";
        assert_eq!(accepted_total(page), 1234.0);
        assert_eq!(accepted_total(""), 0.0);
    }

    #[test]
    fn request_lines_carry_index_and_time_in_their_ref() {
        let pipeline = Pipeline::new(json!({"op": "submit", "to": "+4477"}), 3, Field::Id);
        let line = pipeline.line(2, 1234);
        let value: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            value,
            json!({"op": "submit", "to": "+4477", "ref": [2, 1234]})
        );
        assert!(line.ends_with("}\n"));
        let status = Pipeline::status(Arc::new(vec!["a\"b".into()]), Field::State);
        let value: Value = serde_json::from_str(&status.line(0, 5)).unwrap();
        assert_eq!(value, json!({"op": "status", "ref": [0, 5], "id": "a\"b"}));
    }

    /// `bench` on a current-thread runtime of its own, as [`run`] runs it.
    async fn bench_apart(path: std::path::PathBuf, args: BenchArgs) -> Report {
        tokio::task::spawn_blocking(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(bench(&path, &args))
        })
        .await
        .unwrap()
        .unwrap()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_rate_paces_the_submissions() {
        let server = Running::start().await;
        let path = server.path.clone();
        let mut paced = args(300, 50);
        paced.rate = Some(2000.0);
        let report = bench_apart(path, paced).await;
        assert_eq!(report.accepted, 300);
        assert_eq!(report.rate, Some(2000.0));
        // The last of 300 is not due before 299 / 2000 s: pacing can only make it later.
        assert!(report.seconds >= 0.149, "{} s", report.seconds);
        assert_eq!(server.handler.submitted().len(), 300);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn every_message_is_submitted_once_and_timed() {
        let server = Running::start().await;
        let path = server.path.clone();
        let report = bench_apart(path, args(2000, 50)).await;
        assert_eq!(report.count, 2000);
        assert_eq!(report.accepted, 2000);
        assert_eq!(report.connections, 4);
        assert!(report.refused.is_empty());
        assert!(report.latency_ms.p50 <= report.latency_ms.p99);
        assert!(report.accepted_per_second > 0.0);
        let submitted = server.handler.submitted();
        assert_eq!(submitted.len(), 2000);
        assert!(submitted.iter().all(|s| s.text == "bench" && s.dlr));
        assert!(report.to_string().contains("accepted   2000 in"));
        server.shutdown.cancel();
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn refusals_are_counted_by_code_and_receipts_and_states_reported() {
        let server = Running::start().await;
        let path = server.path.clone();
        let mut refused = args(10, 3);
        refused.link = Some("nowhere".into());
        let report = tokio::task::spawn_blocking(move || run(&path, &refused))
            .await
            .unwrap()
            .unwrap();
        assert!(report.contains("refused: 10 unknown_link"), "{report}");

        // Receipts come for some messages: those are final, the rest are looked up.
        let path = server.path.clone();
        let handler = server.handler.clone();
        let mut with_receipts = args(20, 5);
        with_receipts.drain = Duration::from_millis(300);
        with_receipts.json = true;
        let run = tokio::task::spawn_blocking(move || run(&path, &with_receipts));
        let deadline = Instant::now() + Duration::from_secs(10);
        while handler.submitted().len() < 20 {
            assert!(Instant::now() < deadline);
            tokio::task::yield_now().await;
        }
        for i in 1..=5 {
            handler.deliver(&format!("m{i}"), crate::api::MessageState::Delivered);
        }
        let report: Value = serde_json::from_str(&run.await.unwrap().unwrap()).unwrap();
        assert_eq!(report["accepted"], 20);
        assert_eq!(report["receipts"], 5);
        assert_eq!(report["states"], json!({"delivered": 5, "queued": 15}));
        assert_eq!(report["reached_smsc"], 5);
        server.shutdown.cancel();
    }

    #[test]
    fn bad_arguments_and_no_daemon() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none.sock");
        assert!(matches!(run(&path, &args(0, 1)), Err(CtlError::Input(_))));
        for rate in [0.0, -5.0, f64::NAN] {
            let mut bad = args(1, 1);
            bad.rate = Some(rate);
            assert!(
                matches!(run(&path, &bad), Err(CtlError::Input(_))),
                "{rate}"
            );
        }
        assert!(matches!(run(&path, &args(1, 1)), Err(CtlError::Connect(_))));
    }
}
