//! `smppd run`: wires configuration, the connection pool, the consumers of outcomes and
//! inbound messages, metrics, systemd notification and signals together.

use crate::config::{Config, LinkConfig};
use crate::connection::{Inbound, InboundMessage};
use crate::link::Outcome;
use crate::pool::{Pool, PoolOptions};
use crate::{metrics, systemd};
use smppd_codec::CommandStatus;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

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

    let (outcomes_tx, mut outcomes) = mpsc::channel(4096);
    let (inbound_tx, mut inbound) = mpsc::channel(1024);
    let options = PoolOptions {
        shutdown_timeout: config.server.shutdown_timeout,
        ..PoolOptions::default()
    };
    let pool = Pool::start(links, options, outcomes_tx, inbound_tx)
        .map_err(|e| DaemonError::Startup(e.to_string()))?;

    let outcome_task = tokio::spawn(async move {
        while let Some(outcome) = outcomes.recv().await {
            match outcome {
                Outcome::Accepted { id, link, smsc_id } => {
                    tracing::debug!(%link, message = id.message, part = id.part, smsc_id = %smsc_id, "accepted");
                }
                Outcome::Failed {
                    id, link, reason, ..
                } => {
                    tracing::warn!(%link, message = id.message, part = id.part, %reason, "failed");
                }
            }
        }
    });
    let inbound_task = tokio::spawn(async move {
        while let Some(Inbound {
            link,
            message,
            reply,
        }) = inbound.recv().await
        {
            match &message {
                InboundMessage::Deliver(sm) => {
                    tracing::info!(%link, from = %sm.source_addr, receipt = sm.esm_class.is_receipt(), "deliver_sm");
                }
                InboundMessage::Data(sm) => {
                    tracing::info!(%link, from = %sm.source_addr, "data_sm");
                }
            }
            reply.ack(CommandStatus::ESME_ROK);
        }
    });

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
    pool.shutdown().await;
    if let Some(w) = watchdog {
        w.abort();
    }
    // The pool held the senders: the consumers end once everything queued is handled.
    let _ = outcome_task.await;
    let _ = inbound_task.await;
    if let Some(sim) = simulator {
        sim.shutdown().await;
    }
    tracing::info!("stopped");
    Ok(())
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
