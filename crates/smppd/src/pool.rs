//! The connection pool: every configured link with its session slots, started together and
//! shut down together.

use crate::config::LinkConfig;
use crate::connection::{Inbound, SlotContext, run_slot};
use crate::link::{Link, Outcome};
use crate::route::Router;
use crate::tls::{Tls, TlsError};
use smppd_codec::Framer;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// The pool's settings besides the links.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// How long shutdown waits for outstanding responses before unbinding anyway.
    pub shutdown_timeout: Duration,
    /// Largest PDU accepted from an SMSC.
    pub max_pdu: usize,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            shutdown_timeout: Duration::from_secs(10),
            max_pdu: Framer::DEFAULT_MAX_LENGTH,
        }
    }
}

/// Why the pool could not start.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// A link's TLS settings are unusable.
    #[error("link {link}: {source}")]
    Tls {
        /// The link.
        link: String,
        /// What is wrong.
        source: TlsError,
    },
}

/// All links and their running session slots.
#[derive(Debug)]
pub struct Pool {
    links: Vec<Arc<Link>>,
    router: Router,
    shutdown: CancellationToken,
    tasks: JoinSet<()>,
    options: PoolOptions,
}

impl Pool {
    /// Starts `sessions` slots for every link. Outcomes of submissions go to `outcomes`,
    /// inbound messages to `inbound`.
    pub fn start(
        configs: Vec<LinkConfig>,
        options: PoolOptions,
        outcomes: mpsc::Sender<Outcome>,
        inbound: mpsc::Sender<Inbound>,
    ) -> Result<Pool, PoolError> {
        let now = std::time::Instant::now();
        let shutdown = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let mut links = Vec::with_capacity(configs.len());
        for config in configs {
            let tls = config
                .tls
                .as_ref()
                .map(Tls::new)
                .transpose()
                .map_err(|source| PoolError::Tls {
                    link: config.name.clone(),
                    source,
                })?;
            let sessions = config.sessions as usize;
            let link = Arc::new(Link::new(config, outcomes.clone(), now));
            let ctx = SlotContext {
                inbound: inbound.clone(),
                shutdown: shutdown.clone(),
                shutdown_timeout: options.shutdown_timeout,
                tls,
                max_pdu: options.max_pdu,
            };
            for slot in 0..sessions {
                tasks.spawn(run_slot(link.clone(), slot, ctx.clone()));
            }
            links.push(link);
        }
        let router = Router::new(&links);
        Ok(Pool {
            links,
            router,
            shutdown,
            tasks,
            options,
        })
    }

    /// Every link, in configuration order.
    pub fn links(&self) -> &[Arc<Link>] {
        &self.links
    }

    /// The link named `name`.
    pub fn link(&self, name: &str) -> Option<&Arc<Link>> {
        self.links.iter().find(|l| &*l.name == name)
    }

    /// The routing table.
    pub fn router(&self) -> &Router {
        &self.router
    }

    /// Stops taking work, lets outstanding responses arrive (up to the shutdown timeout),
    /// unbinds every session and waits for the slots to end.
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        // Drain time, plus time for the unbind to be answered.
        let limit = self.options.shutdown_timeout + Duration::from_secs(5);
        let all = async { while self.tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(limit, all).await.is_err() {
            tracing::warn!("sessions did not close in time; aborting them");
            self.tasks.abort_all();
        }
    }
}
