//! `smppd run`: wires configuration, the connection pool, the consumers of outcomes and
//! inbound messages, metrics, systemd notification and signals together.

use crate::api::server::{Listener, SocketOptions};
use crate::config::{Config, LinkConfig};
use crate::db::Store;
use crate::pool::{Pool, PoolOptions};
use crate::service::{Service, Shared};
use crate::{metrics, systemd};
use std::sync::Arc;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Why the daemon could not run.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// Something could not be set up at start.
    #[error("{0}")]
    Startup(String),
}

/// Runs the gateway until SIGTERM or SIGINT, then shuts down gracefully.
pub async fn run(config: Config) -> Result<(), DaemonError> {
    if let Some(addr) = config.server.metrics {
        metrics::install_exporter(addr).map_err(DaemonError::Startup)?;
    }
    let mut links = config.links.clone();
    let simulator = if links.is_empty() {
        let (sim, link) = start_bundled_simulator().await?;
        links.push(link);
        Some(sim)
    } else {
        None
    };

    let store =
        Store::open(&config.server.state_dir).map_err(|e| DaemonError::Startup(e.to_string()))?;
    let listener = Listener::bind(&SocketOptions::from_config(&config.server))
        .map_err(|e| DaemonError::Startup(e.to_string()))?;

    let (outcomes_tx, outcomes) = mpsc::channel(4096);
    let (inbound_tx, inbound) = mpsc::channel(1024);
    let options = PoolOptions {
        shutdown_timeout: config.server.shutdown_timeout,
        ..PoolOptions::default()
    };
    let pool = Pool::start(links, options, outcomes_tx, inbound_tx)
        .map_err(|e| DaemonError::Startup(e.to_string()))?;
    let service = Arc::new(Service::new(
        store.clone(),
        pool.links().to_vec(),
        config.consent.clone(),
    ));
    service
        .load()
        .await
        .map_err(|e| DaemonError::Startup(format!("loading opt-outs: {e}")))?;
    let resumed = service
        .resume()
        .await
        .map_err(|e| DaemonError::Startup(format!("resuming unfinished messages: {e}")))?;
    if resumed > 0 {
        tracing::info!(
            messages = resumed,
            "resumed messages a previous run had not finished"
        );
    }
    let outcomes_stop = CancellationToken::new();
    let outcome_task = tokio::spawn(
        service
            .clone()
            .run_outcomes(outcomes, outcomes_stop.clone()),
    );
    let inbound_task = tokio::spawn(service.clone().run_inbound(inbound));
    let socket_stop = CancellationToken::new();
    let socket = listener.path().to_owned();
    let socket_task =
        tokio::spawn(listener.serve(Arc::new(Shared(service.clone())), socket_stop.clone()));
    tracing::info!(socket = %socket.display(), "accepting submissions");
    let retention = config.consent.retention_days.map(|days| {
        let store = store.clone();
        tokio::spawn(async move {
            let mut daily = tokio::time::interval(std::time::Duration::from_secs(86_400));
            loop {
                daily.tick().await;
                match store.purge_text_older_than(days).await {
                    Ok(n) => tracing::info!(purged = n, days, "retention: message text purged"),
                    Err(e) => tracing::error!(error = %e, "retention purge failed"),
                }
            }
        })
    });
    // Validity runs out also for segments waiting on a link with no session up to take them.
    let expiry_stop = tokio_util::sync::CancellationToken::new();
    let expiry_task = {
        let links = pool.links().to_vec();
        let stop = expiry_stop.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stop.cancelled() => return,
                }
                let now = std::time::Instant::now();
                for link in &links {
                    let n = link.expire(now).await;
                    if n > 0 {
                        tracing::warn!(link = %link.name, segments = n, "validity ran out while queued");
                    }
                }
            }
        })
    };

    systemd::notify("READY=1");
    let watchdog = systemd::watchdog_interval().map(|every| {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every / 2);
            loop {
                tick.tick().await;
                systemd::notify("WATCHDOG=1");
            }
        })
    });
    tracing::info!(links = pool.links().len(), "smppd running");

    wait_for_signal().await?;
    tracing::info!("shutting down");
    systemd::notify("STOPPING=1");
    // New submissions stop first; then the links drain and unbind.
    socket_stop.cancel();
    joined("socket", socket_task).await;
    expiry_stop.cancel();
    joined("validity expiry", expiry_task).await;
    pool.shutdown().await;
    if let Some(r) = retention {
        r.abort();
    }
    if let Some(w) = watchdog {
        w.abort();
    }
    // Every session has ended, so every outcome is in the channel: record them, then stop.
    outcomes_stop.cancel();
    joined("outcome recorder", outcome_task).await;
    joined("inbound handler", inbound_task).await;
    // Everything is recorded: a last checkpoint leaves an empty WAL for the next start.
    store.close().await;
    if let Some(sim) = simulator {
        sim.shutdown().await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// Waits for a task to end; a task that panicked is reported (its work may be unrecorded).
async fn joined(name: &str, task: tokio::task::JoinHandle<()>) {
    if let Err(e) = task.await {
        tracing::error!(task = name, error = %e, "task ended abnormally");
    }
}

async fn wait_for_signal() -> Result<(), DaemonError> {
    let mut term = signal(SignalKind::terminate())
        .map_err(|e| DaemonError::Startup(format!("installing SIGTERM handler: {e}")))?;
    let mut int = signal(SignalKind::interrupt())
        .map_err(|e| DaemonError::Startup(format!("installing SIGINT handler: {e}")))?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    Ok(())
}

/// With no link configured, smppd binds to its own simulator on loopback so that the quick
/// start works without a carrier account.
async fn start_bundled_simulator() -> Result<(smppd_sim::Simulator, LinkConfig), DaemonError> {
    let config = smppd_sim::SimConfig {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        ..smppd_sim::SimConfig::default()
    };
    let sim = smppd_sim::Simulator::start(config)
        .await
        .map_err(|e| DaemonError::Startup(format!("bundled simulator: {e}")))?;
    let addr = sim.local_addr();
    tracing::info!(%addr, "no link configured: using the bundled SMSC simulator");
    let link = LinkConfig::new("sim", addr.to_string(), "smppd", "smppd");
    Ok((sim, link))
}
