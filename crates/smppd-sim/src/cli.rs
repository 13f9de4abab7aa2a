//! `smppd sim`: the command-line arguments and the loop that runs until Ctrl-C.

use crate::config::{Account, Delay, DlrConfig, DlrMix, IdFormat, SimConfig, parse_duration};
use crate::{Concat, MoMessage, SimError, Simulator, Stats};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::time::{Interval, MissedTickBehavior, interval_at};

/// The options of `smppd sim`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:2775")]
    pub listen: SocketAddr,
    /// An account allowed to bind, as system_id:password (repeatable). Without any, every
    /// system_id and password is accepted.
    #[arg(long = "account", value_name = "SYSTEM_ID:PASSWORD")]
    pub accounts: Vec<Account>,
    /// The system_id the simulator reports in its bind responses.
    #[arg(long, default_value = "smppd-sim")]
    pub system_id: String,
    /// Time from submit_sm to its delivery receipt (500ms, 1s, 2m).
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub dlr_delay: Duration,
    /// Final states of the receipts, with weights.
    #[arg(long, default_value = "DELIVRD=100", value_name = "STATE=WEIGHT,...")]
    pub dlr_mix: DlrMix,
    /// Quote the message id in the receipt text in the other base than the response.
    #[arg(long)]
    pub dlr_id_other_base: bool,
    /// Send each receipt before the submit_sm_resp (ignores --dlr-delay).
    #[arg(long)]
    pub dlr_before_resp: bool,
    /// Leave out the receipted_message_id and message_state TLVs from receipts.
    #[arg(long)]
    pub dlr_no_tlvs: bool,
    /// Answer ESME_RTHROTTLED beyond N submit_sm per second and system_id.
    #[arg(long, value_name = "N")]
    pub throttle: Option<u32>,
    /// Delay every response: fixed (5ms) or uniform in a range (1ms..20ms).
    #[arg(long, value_name = "DELAY")]
    pub response_delay: Option<Delay>,
    /// Fraction of submit_sm and data_sm never answered (0.0-1.0).
    #[arg(long, default_value_t = 0.0, value_parser = parse_ratio)]
    pub drop_ratio: f64,
    /// Close each session abruptly when it has sent N PDUs.
    #[arg(long, value_name = "N")]
    pub disconnect_every: Option<u64>,
    /// Close each session abruptly this long after it connected.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub disconnect_interval: Option<Duration>,
    /// Send garbage once a session has sent N PDUs.
    #[arg(long, value_name = "N")]
    pub garbage_after: Option<u64>,
    /// Refuse every bind (ESME_RBINDFAIL).
    #[arg(long)]
    pub refuse_binds: bool,
    /// At most N sessions bound at once per system_id (more: ESME_RALYBND).
    #[arg(long, value_name = "N")]
    pub max_binds: Option<usize>,
    /// How message ids are written.
    #[arg(long, value_enum, default_value_t = IdFormat::Hex)]
    pub id_format: IdFormat,
    /// deliver_sm (receipts, MO) awaiting their response per session.
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub deliver_window: usize,
    /// Inject a sample MO message this often (every other one in two concatenated parts).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub mo_every: Option<Duration>,
    /// Print a line of counters this often.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub report: Option<Duration>,
}

impl SimArgs {
    /// The simulator configuration these options describe.
    pub fn to_config(&self) -> SimConfig {
        SimConfig {
            listen: self.listen,
            system_id: self.system_id.clone(),
            accounts: self.accounts.clone(),
            max_binds: self.max_binds,
            refuse_binds: self.refuse_binds,
            id_format: self.id_format,
            dlr: DlrConfig {
                delay: self.dlr_delay,
                mix: self.dlr_mix.clone(),
                id_other_base: self.dlr_id_other_base,
                before_resp: self.dlr_before_resp,
                tlvs: !self.dlr_no_tlvs,
            },
            throttle: self.throttle,
            response_delay: self.response_delay.unwrap_or_default(),
            drop_ratio: self.drop_ratio,
            disconnect_after_pdus: self.disconnect_every,
            disconnect_every: self.disconnect_interval,
            garbage_after_pdus: self.garbage_after,
            deliver_window: self.deliver_window,
            ..SimConfig::default()
        }
    }
}

fn parse_ratio(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!("{s:?}: expected a fraction from 0.0 to 1.0")),
    }
}

/// Runs the simulator until Ctrl-C, printing the listening address, and counters every
/// `--report` interval, on stdout.
pub async fn run(args: SimArgs) -> Result<(), SimError> {
    let sim = Arc::new(Simulator::start(args.to_config()).await?);
    println!("smppd sim: listening on {}", sim.local_addr());
    let mut mo_ticks = args.mo_every.map(ticker);
    let mut report_ticks = args.report.map(ticker);
    let mut last = (Instant::now(), sim.stats());
    let mut mo_count = 0u64;
    // Owned here, so that they end with this future however it ends.
    let mut mo_tasks = tokio::task::JoinSet::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            done = &mut ctrl_c => {
                done.map_err(SimError::Signal)?;
                break;
            }
            () = tick(&mut mo_ticks) => {
                mo_count += 1;
                let sim = sim.clone();
                while mo_tasks.try_join_next().is_some() {}
                // In its own task: the ESME may take its time to answer.
                mo_tasks.spawn(async move {
                    let mo = sample_mo(mo_count);
                    let wait = tokio::time::timeout(Duration::from_secs(30), sim.inject_mo(mo));
                    match wait.await {
                        Ok(Ok(_)) => {}
                        Ok(Err(e)) => tracing::info!(error = %e, "sample MO not delivered"),
                        Err(_) => tracing::info!("sample MO not answered within 30s"),
                    }
                });
            }
            () = tick(&mut report_ticks) => {
                let now = (Instant::now(), sim.stats());
                println!("{}", report_line(&last, &now, sim.sessions().len()));
                last = now;
            }
        }
    }
    mo_tasks.shutdown().await;
    sim.shutdown().await;
    println!("smppd sim: stopped");
    Ok(())
}

fn ticker(every: Duration) -> Interval {
    let every = every.max(Duration::from_millis(10));
    let mut ticks = interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ticks
}

async fn tick(ticks: &mut Option<Interval>) {
    match ticks {
        Some(ticks) => {
            ticks.tick().await;
        }
        None => std::future::pending().await,
    }
}

fn sample_mo(n: u64) -> MoMessage {
    let text = format!("Hello from smppd sim, message {n}. This one comes in parts.");
    let mut mo = MoMessage::new("447700900123", "12345", text.into_bytes());
    if n % 2 == 0 {
        mo.concat = Some(Concat {
            parts: 2,
            reference: n as u8,
            out_of_order: false,
        });
    }
    mo
}

fn report_line(last: &(Instant, Stats), now: &(Instant, Stats), sessions: usize) -> String {
    let secs = now.0.duration_since(last.0).as_secs_f64().max(1e-3);
    let rate = |a: u64, b: u64| (b.saturating_sub(a)) as f64 / secs;
    let (a, b) = (&last.1, &now.1);
    format!(
        "sessions {sessions} | submit_sm {} ({:.0}/s) | responses {} ({:.0}/s) | throttled {} | \
         dropped {} | dlr {} ({:.0}/s) | mo {} | enquire_link {} | outstanding {} (max {})",
        b.submit_sm,
        rate(a.submit_sm, b.submit_sm),
        b.responses_sent,
        rate(a.responses_sent, b.responses_sent),
        b.throttled,
        b.dropped,
        b.dlrs_sent,
        rate(a.dlrs_sent, b.dlrs_sent),
        b.mos_sent,
        b.enquire_links,
        b.outstanding,
        b.max_outstanding,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        sim: SimArgs,
    }

    #[test]
    fn defaults() {
        let args = Cli::try_parse_from(["sim"]).unwrap().sim;
        assert_eq!(args.listen, "127.0.0.1:2775".parse().unwrap());
        let config = args.to_config();
        assert!(config.accounts.is_empty());
        assert_eq!(config.dlr.delay, Duration::from_secs(1));
        assert_eq!(config.dlr.mix.to_string(), "DELIVRD=100");
        assert!(config.dlr.tlvs);
        assert_eq!(config.response_delay, Delay::None);
        assert_eq!(config.throttle, None);
        assert_eq!(config.id_format, IdFormat::Hex);
    }

    #[test]
    fn every_option() {
        let args = Cli::try_parse_from([
            "sim",
            "--listen",
            "0.0.0.0:9000",
            "--account",
            "acme:secret",
            "--account",
            "beta:pw",
            "--dlr-delay",
            "250ms",
            "--dlr-mix",
            "DELIVRD=95,UNDELIV=5",
            "--dlr-id-other-base",
            "--dlr-before-resp",
            "--dlr-no-tlvs",
            "--throttle",
            "100",
            "--response-delay",
            "1ms..5ms",
            "--drop-ratio",
            "0.25",
            "--disconnect-every",
            "1000",
            "--disconnect-interval",
            "30s",
            "--garbage-after",
            "7",
            "--refuse-binds",
            "--max-binds",
            "2",
            "--id-format",
            "decimal",
            "--deliver-window",
            "5",
            "--mo-every",
            "10s",
            "--report",
            "2s",
        ])
        .unwrap()
        .sim;
        let c = args.to_config();
        assert_eq!(c.listen, "0.0.0.0:9000".parse().unwrap());
        assert_eq!(
            c.accounts,
            [Account::new("acme", "secret"), Account::new("beta", "pw")]
        );
        assert_eq!(c.dlr.delay, Duration::from_millis(250));
        assert_eq!(c.dlr.mix.to_string(), "DELIVRD=95,UNDELIV=5");
        assert!(c.dlr.id_other_base && c.dlr.before_resp && !c.dlr.tlvs);
        assert_eq!(c.throttle, Some(100));
        assert_eq!(
            c.response_delay,
            Delay::Uniform(Duration::from_millis(1), Duration::from_millis(5))
        );
        assert_eq!(c.drop_ratio, 0.25);
        assert_eq!(c.disconnect_after_pdus, Some(1000));
        assert_eq!(c.disconnect_every, Some(Duration::from_secs(30)));
        assert_eq!(c.garbage_after_pdus, Some(7));
        assert!(c.refuse_binds);
        assert_eq!(c.max_binds, Some(2));
        assert_eq!(c.id_format, IdFormat::Decimal);
        assert_eq!(c.deliver_window, 5);
        assert_eq!(args.mo_every, Some(Duration::from_secs(10)));
        assert_eq!(args.report, Some(Duration::from_secs(2)));
    }

    #[test]
    fn bad_values() {
        for bad in [
            &["sim", "--drop-ratio", "1.5"][..],
            &["sim", "--account", "nopassword"],
            &["sim", "--dlr-mix", "DELIVRD=0"],
            &["sim", "--dlr-delay", "soon"],
            &["sim", "--id-format", "base64"],
        ] {
            assert!(Cli::try_parse_from(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn report_rates() {
        let t0 = Instant::now();
        let a = Stats::default();
        let b = Stats {
            submit_sm: 2000,
            ..Stats::default()
        };
        let line = report_line(&(t0, a), &(t0 + Duration::from_secs(2), b), 3);
        assert!(
            line.starts_with("sessions 3 | submit_sm 2000 (1000/s)"),
            "{line}"
        );
    }
}
