//! Every metric smppd exports, named in one place, and the Prometheus exporter.
//! `docs/metrics.md` describes each.

use metrics::{Counter, Gauge, Histogram, counter, gauge, histogram};
use std::net::SocketAddr;

/// submit_sm accepted by an SMSC (counter; label `link`).
pub const SUBMIT_ACCEPTED: &str = "smppd_submit_accepted_total";
/// Segments given up (permanent refusal or out of attempts) (counter; label `link`).
pub const SUBMIT_FAILED: &str = "smppd_submit_failed_total";
/// submit_sm sent again after no answer or a transient error (counter; label `link`).
pub const SUBMIT_RETRIED: &str = "smppd_submit_retried_total";
/// ESME_RTHROTTLED / ESME_RMSGQFUL answers (counter; label `link`).
pub const THROTTLED: &str = "smppd_throttled_total";
/// Sessions bound for transmitting (gauge; label `link`).
pub const SESSIONS_BOUND: &str = "smppd_sessions_bound";
/// Connection attempts after the first (counter; label `link`).
pub const RECONNECTS: &str = "smppd_reconnects_total";
/// Segments waiting in a link's queue (gauge; label `link`).
pub const QUEUED: &str = "smppd_queued_segments";
/// The rate limit in force after throttling, per second; 0 means none (gauge; label `link`).
pub const RATE_LIMIT: &str = "smppd_rate_limit";
/// From a submission's arrival (or its resumption after a restart) to the submit_sm_resp
/// that accepted one of its segments, in seconds (histogram, [`SUBMIT_LATENCY_BUCKETS`];
/// label `link`).
pub const SUBMIT_LATENCY: &str = "smppd_submit_latency_seconds";
/// The upper bounds of [`SUBMIT_LATENCY`]'s buckets, in seconds: fine around the
/// milliseconds a healthy link takes, coarse up to the minutes a throttled one can.
pub const SUBMIT_LATENCY_BUCKETS: [f64; 22] = [
    0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.2, 0.5,
    1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0,
];
/// Transactions the store committed (or tried to) (counter).
pub const STORE_COMMITS: &str = "smppd_store_commits_total";
/// Writes (submissions, outcomes, receipts, ...) per store transaction (histogram,
/// [`STORE_BATCH_BUCKETS`]).
pub const STORE_BATCH: &str = "smppd_store_batch_writes";
/// The upper bounds of [`STORE_BATCH`]'s buckets.
pub const STORE_BATCH_BUCKETS: [f64; 10] =
    [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0];
/// From a store transaction's start to its durable commit, in seconds: its writes and the
/// disk's sync (histogram, [`STORE_COMMIT_BUCKETS`]).
pub const STORE_COMMIT: &str = "smppd_store_commit_seconds";
/// The upper bounds of [`STORE_COMMIT`]'s buckets, in seconds.
pub const STORE_COMMIT_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.02, 0.05, 0.1, 0.5, 1.0,
];
/// deliver_sm / data_sm received (counter; labels `link`, `kind` = `mo` | `receipt`).
pub const INBOUND: &str = "smppd_inbound_total";

/// A link's metric handles, registered once so the hot path only touches atomics.
#[derive(Debug, Clone)]
pub struct LinkMetrics {
    /// [`SUBMIT_ACCEPTED`].
    pub accepted: Counter,
    /// [`SUBMIT_FAILED`].
    pub failed: Counter,
    /// [`SUBMIT_RETRIED`].
    pub retried: Counter,
    /// [`THROTTLED`].
    pub throttled: Counter,
    /// [`SESSIONS_BOUND`].
    pub sessions: Gauge,
    /// [`RECONNECTS`].
    pub reconnects: Counter,
    /// [`QUEUED`].
    pub queued: Gauge,
    /// [`RATE_LIMIT`].
    pub rate_limit: Gauge,
    /// [`INBOUND`] with `kind="mo"`.
    pub inbound_mo: Counter,
    /// [`INBOUND`] with `kind="receipt"`.
    pub inbound_receipt: Counter,
    /// [`SUBMIT_LATENCY`].
    pub submit_latency: Histogram,
}

impl LinkMetrics {
    /// The handles for link `name`.
    pub fn new(name: &str) -> Self {
        let link = name.to_owned();
        LinkMetrics {
            accepted: counter!(SUBMIT_ACCEPTED, "link" => link.clone()),
            failed: counter!(SUBMIT_FAILED, "link" => link.clone()),
            retried: counter!(SUBMIT_RETRIED, "link" => link.clone()),
            throttled: counter!(THROTTLED, "link" => link.clone()),
            sessions: gauge!(SESSIONS_BOUND, "link" => link.clone()),
            reconnects: counter!(RECONNECTS, "link" => link.clone()),
            queued: gauge!(QUEUED, "link" => link.clone()),
            rate_limit: gauge!(RATE_LIMIT, "link" => link.clone()),
            inbound_mo: counter!(INBOUND, "link" => link.clone(), "kind" => "mo"),
            inbound_receipt: counter!(INBOUND, "link" => link.clone(), "kind" => "receipt"),
            submit_latency: histogram!(SUBMIT_LATENCY, "link" => link),
        }
    }
}

/// Serves `/metrics` for Prometheus on `addr`. Must be called inside a tokio runtime.
pub fn install_exporter(addr: SocketAddr) -> Result<(), String> {
    let mut builder =
        metrics_exporter_prometheus::PrometheusBuilder::new().with_http_listener(addr);
    let histograms: [(&str, &[f64]); 3] = [
        (SUBMIT_LATENCY, &SUBMIT_LATENCY_BUCKETS),
        (STORE_BATCH, &STORE_BATCH_BUCKETS),
        (STORE_COMMIT, &STORE_COMMIT_BUCKETS),
    ];
    for (name, buckets) in histograms {
        builder = builder
            .set_buckets_for_metric(
                metrics_exporter_prometheus::Matcher::Full(name.to_owned()),
                buckets,
            )
            .map_err(|e| format!("metrics exporter: {e}"))?;
    }
    builder
        .install()
        .map_err(|e| format!("metrics exporter on {addr}: {e}"))
}
