//! What the simulator does, and which faults it injects: [`SimConfig`].

use rand::Rng;
use smppd_codec::MessageState;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

/// Everything the simulator does, fixed at [`crate::Simulator::start`]. The fault knobs can also
/// be changed while it runs (`Simulator::set_*`).
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Where to listen; port 0 picks a free one ([`crate::Simulator::local_addr`] tells which).
    pub listen: SocketAddr,
    /// The `system_id` the simulator reports in its bind responses.
    pub system_id: String,
    /// The accounts that may bind. Empty: any `system_id` and password are accepted.
    pub accounts: Vec<Account>,
    /// At most this many sessions bound at once per `system_id` (more: `ESME_RALYBND`).
    pub max_binds: Option<usize>,
    /// Refuse every bind with `ESME_RBINDFAIL`.
    pub refuse_binds: bool,
    /// How `submit_sm_resp` message ids are written.
    pub id_format: IdFormat,
    /// The first message id; by default one derived from the clock, so that a restarted
    /// simulator does not reuse the ids of the previous one.
    pub first_message_id: Option<u64>,
    /// Keep every received `submit_sm` ([`crate::Simulator::received_submits`]).
    pub record: bool,
    /// Delivery receipts.
    pub dlr: DlrConfig,
    /// Answer `ESME_RTHROTTLED` to `submit_sm` beyond this many per second and `system_id`.
    pub throttle: Option<u32>,
    /// Delay before answering `submit_sm`, `data_sm`, `query_sm`, `cancel_sm`, `replace_sm`,
    /// `submit_multi` and `enquire_link`.
    pub response_delay: Delay,
    /// Fraction (0.0-1.0) of `submit_sm` and `data_sm` never answered.
    pub drop_ratio: f64,
    /// Close a session abruptly when it has received this many PDUs (the last one unanswered).
    pub disconnect_after_pdus: Option<u64>,
    /// Close every session abruptly this long after it connected.
    pub disconnect_every: Option<Duration>,
    /// Send 16 octets of garbage once a session has received this many PDUs.
    pub garbage_after_pdus: Option<u64>,
    /// At most this many `deliver_sm` (receipts and MO) awaiting their response per session.
    pub deliver_window: usize,
    /// At most this many receipts held by the simulator (waiting for their time or for a
    /// receiver); beyond it new receipts are discarded and counted in
    /// [`crate::Stats::dlrs_discarded`].
    pub max_pending_receipts: usize,
    /// The largest `command_length` accepted (larger: `generic_nack` and close).
    pub max_pdu_len: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            system_id: "smppd-sim".to_owned(),
            accounts: Vec::new(),
            max_binds: None,
            refuse_binds: false,
            id_format: IdFormat::Hex,
            first_message_id: None,
            record: false,
            dlr: DlrConfig::default(),
            throttle: None,
            response_delay: Delay::None,
            drop_ratio: 0.0,
            disconnect_after_pdus: None,
            disconnect_every: None,
            garbage_after_pdus: None,
            deliver_window: 64,
            max_pending_receipts: 1_000_000,
            max_pdu_len: smppd_codec::Framer::DEFAULT_MAX_LENGTH,
        }
    }
}

/// A `system_id` and its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The ESME's `system_id`.
    pub system_id: String,
    /// Its password.
    pub password: String,
}

impl Account {
    /// An account.
    pub fn new(system_id: impl Into<String>, password: impl Into<String>) -> Self {
        Account {
            system_id: system_id.into(),
            password: password.into(),
        }
    }
}

impl FromStr for Account {
    type Err = String;

    /// `system_id:password`.
    fn from_str(s: &str) -> Result<Self, String> {
        let (system_id, password) = s
            .split_once(':')
            .ok_or_else(|| format!("{s:?}: expected system_id:password"))?;
        if system_id.is_empty() || system_id.len() > 15 {
            return Err(format!("{s:?}: system_id must be 1 to 15 characters"));
        }
        if password.len() > 8 {
            return Err(format!("{s:?}: password must be at most 8 characters"));
        }
        Ok(Account::new(system_id, password))
    }
}

/// How message ids are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum IdFormat {
    /// Lower-case hexadecimal.
    #[default]
    Hex,
    /// Decimal.
    Decimal,
}

impl IdFormat {
    /// `n` written in this format.
    pub fn format(self, n: u64) -> String {
        match self {
            IdFormat::Hex => format!("{n:x}"),
            IdFormat::Decimal => n.to_string(),
        }
    }

    /// The number an id written in this format stands for.
    pub fn parse(self, text: &str) -> Option<u64> {
        match self {
            IdFormat::Hex => u64::from_str_radix(text, 16).ok(),
            IdFormat::Decimal => text.parse().ok(),
        }
    }

    /// The other base.
    pub fn other(self) -> IdFormat {
        match self {
            IdFormat::Hex => IdFormat::Decimal,
            IdFormat::Decimal => IdFormat::Hex,
        }
    }
}

/// How long to wait before answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Delay {
    /// Answer at once.
    #[default]
    None,
    /// Always this long.
    Fixed(Duration),
    /// Uniformly distributed between the two bounds (inclusive).
    Uniform(Duration, Duration),
}

impl Delay {
    /// One delay drawn from the distribution.
    pub(crate) fn sample(self, rng: &mut impl Rng) -> Duration {
        match self {
            Delay::None => Duration::ZERO,
            Delay::Fixed(d) => d,
            Delay::Uniform(a, b) if a >= b => a,
            Delay::Uniform(a, b) => rng.random_range(a..=b),
        }
    }

    /// Whether every delay is zero.
    pub(crate) fn is_zero(self) -> bool {
        match self {
            Delay::None => true,
            Delay::Fixed(d) => d.is_zero(),
            Delay::Uniform(a, b) => a.is_zero() && b.is_zero(),
        }
    }
}

impl FromStr for Delay {
    type Err = String;

    /// `5ms` (fixed) or `1ms..20ms` (uniform).
    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once("..") {
            Some((a, b)) => {
                let (a, b) = (parse_duration(a)?, parse_duration(b)?);
                if a > b {
                    return Err(format!("{s:?}: the lower bound is above the upper one"));
                }
                Ok(Delay::Uniform(a, b))
            }
            None => Ok(Delay::Fixed(parse_duration(s)?)),
        }
    }
}

/// Parses `500ms`, `30s`, `2m`, `1h` (a bare number is seconds).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{s:?}: expected a duration like 500ms, 30s, 2m"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "" | "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3600)),
        _ => Err(format!("{s:?}: unknown unit {unit:?} (ms, s, m, h)")),
    }
}

/// Delivery receipts: when and what.
#[derive(Debug, Clone, PartialEq)]
pub struct DlrConfig {
    /// Time from `submit_sm` to its receipt.
    pub delay: Duration,
    /// The final states receipts report, by weight.
    pub mix: DlrMix,
    /// Quote the id in the receipt text in the other base (decimal where the response gave hex,
    /// hex where it gave decimal), as some carriers do. The TLV keeps the response's form.
    pub id_other_base: bool,
    /// Send the receipt before the `submit_sm_resp` (carriers do; `delay` is then ignored).
    pub before_resp: bool,
    /// Add the `receipted_message_id` and `message_state` TLVs (off: the text alone tells).
    pub tlvs: bool,
}

impl Default for DlrConfig {
    fn default() -> Self {
        DlrConfig {
            delay: Duration::from_secs(1),
            mix: DlrMix::default(),
            id_other_base: false,
            before_resp: false,
            tlvs: true,
        }
    }
}

/// A receipt's final state, as the receipt text's `stat:` writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FinalState {
    /// `DELIVRD`.
    Delivered,
    /// `EXPIRED`.
    Expired,
    /// `DELETED`.
    Deleted,
    /// `UNDELIV`.
    Undeliverable,
    /// `ACCEPTD`.
    Accepted,
    /// `UNKNOWN`.
    Unknown,
    /// `REJECTD`.
    Rejected,
}

impl FinalState {
    /// Every state.
    pub const ALL: [FinalState; 7] = [
        FinalState::Delivered,
        FinalState::Expired,
        FinalState::Deleted,
        FinalState::Undeliverable,
        FinalState::Accepted,
        FinalState::Unknown,
        FinalState::Rejected,
    ];

    /// The receipt text's `stat:` value.
    pub fn stat(self) -> &'static str {
        match self {
            FinalState::Delivered => "DELIVRD",
            FinalState::Expired => "EXPIRED",
            FinalState::Deleted => "DELETED",
            FinalState::Undeliverable => "UNDELIV",
            FinalState::Accepted => "ACCEPTD",
            FinalState::Unknown => "UNKNOWN",
            FinalState::Rejected => "REJECTD",
        }
    }

    /// The `message_state` TLV value (§5.2.28).
    pub fn message_state(self) -> MessageState {
        match self {
            FinalState::Delivered => MessageState::DELIVERED,
            FinalState::Expired => MessageState::EXPIRED,
            FinalState::Deleted => MessageState::DELETED,
            FinalState::Undeliverable => MessageState::UNDELIVERABLE,
            FinalState::Accepted => MessageState::ACCEPTED,
            FinalState::Unknown => MessageState::UNKNOWN,
            FinalState::Rejected => MessageState::REJECTED,
        }
    }

    /// The receipt text's `err:` value: 000 for success, a made-up but stable code otherwise.
    pub fn err(self) -> &'static str {
        match self {
            FinalState::Delivered | FinalState::Accepted => "000",
            FinalState::Undeliverable => "001",
            FinalState::Expired => "002",
            FinalState::Rejected => "003",
            FinalState::Deleted => "004",
            FinalState::Unknown => "005",
        }
    }

    /// Whether the message reached the handset.
    pub fn is_success(self) -> bool {
        matches!(self, FinalState::Delivered | FinalState::Accepted)
    }
}

impl fmt::Display for FinalState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.stat())
    }
}

impl FromStr for FinalState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        FinalState::ALL
            .into_iter()
            .find(|state| state.stat().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("{s:?}: expected DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, UNKNOWN or REJECTD")
            })
    }
}

/// Final states with weights, e.g. `DELIVRD=95,UNDELIV=5`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DlrMix {
    weights: Vec<(FinalState, u32)>,
    total: u32,
}

impl Default for DlrMix {
    /// Every receipt says `DELIVRD`.
    fn default() -> Self {
        DlrMix::only(FinalState::Delivered)
    }
}

impl DlrMix {
    /// Weights per state; `None` if they add up to zero or overflow.
    pub fn new(weights: impl IntoIterator<Item = (FinalState, u32)>) -> Option<Self> {
        let weights: Vec<_> = weights.into_iter().filter(|(_, w)| *w > 0).collect();
        let total = weights
            .iter()
            .try_fold(0u32, |sum, (_, w)| sum.checked_add(*w))?;
        (total > 0).then_some(DlrMix { weights, total })
    }

    /// Every receipt reports `state`.
    pub fn only(state: FinalState) -> Self {
        DlrMix {
            weights: vec![(state, 1)],
            total: 1,
        }
    }

    /// The states and their weights.
    pub fn weights(&self) -> &[(FinalState, u32)] {
        &self.weights
    }

    /// One state drawn by weight.
    pub(crate) fn pick(&self, rng: &mut impl Rng) -> FinalState {
        if let [(only, _)] = self.weights[..] {
            return only;
        }
        let mut n = rng.random_range(0..self.total);
        for &(state, weight) in &self.weights {
            if n < weight {
                return state;
            }
            n -= weight;
        }
        self.weights[0].0
    }
}

impl FromStr for DlrMix {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut weights = Vec::new();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (state, weight) = item
                .split_once('=')
                .ok_or_else(|| format!("{item:?}: expected STATE=WEIGHT"))?;
            let weight: u32 = weight
                .trim()
                .parse()
                .map_err(|_| format!("{item:?}: the weight must be a whole number"))?;
            weights.push((state.trim().parse()?, weight));
        }
        DlrMix::new(weights).ok_or_else(|| format!("{s:?}: the weights add up to zero"))
    }
}

impl fmt::Display for DlrMix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (state, weight)) in self.weights.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{state}={weight}")?;
        }
        Ok(())
    }
}

/// The knobs that may change while the simulator runs: read once per read batch.
#[derive(Debug, Clone)]
pub(crate) struct Faults {
    pub refuse_binds: bool,
    pub dlr: DlrConfig,
    pub throttle: Option<u32>,
    pub response_delay: Delay,
    pub drop_ratio: f64,
    pub disconnect_after_pdus: Option<u64>,
    pub disconnect_every: Option<Duration>,
    pub garbage_after_pdus: Option<u64>,
}

impl Faults {
    pub(crate) fn from_config(config: &SimConfig) -> Self {
        Faults {
            refuse_binds: config.refuse_binds,
            dlr: config.dlr.clone(),
            throttle: config.throttle,
            response_delay: config.response_delay,
            drop_ratio: config.drop_ratio.clamp(0.0, 1.0),
            disconnect_after_pdus: config.disconnect_after_pdus,
            disconnect_every: config.disconnect_every,
            garbage_after_pdus: config.garbage_after_pdus,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert!(parse_duration("ms").is_err());
        assert!(parse_duration("5 days").is_err());
    }

    #[test]
    fn delays() {
        assert_eq!("5ms".parse(), Ok(Delay::Fixed(Duration::from_millis(5))));
        assert_eq!(
            "1ms..20ms".parse(),
            Ok(Delay::Uniform(
                Duration::from_millis(1),
                Duration::from_millis(20)
            ))
        );
        assert!("20ms..1ms".parse::<Delay>().is_err());
    }

    #[test]
    fn accounts() {
        assert_eq!("acme:secret".parse(), Ok(Account::new("acme", "secret")));
        assert_eq!("acme:".parse(), Ok(Account::new("acme", "")));
        assert!("acme".parse::<Account>().is_err());
        assert!(":pw".parse::<Account>().is_err());
        assert!("acme:toolongpassword".parse::<Account>().is_err());
    }

    #[test]
    fn mixes() {
        let mix: DlrMix = "DELIVRD=95,undeliv=5".parse().unwrap();
        assert_eq!(
            mix.weights(),
            &[(FinalState::Delivered, 95), (FinalState::Undeliverable, 5)]
        );
        assert_eq!(mix.to_string(), "DELIVRD=95,UNDELIV=5");
        assert!("DELIVRD=0".parse::<DlrMix>().is_err());
        assert!("DELIVERED=1".parse::<DlrMix>().is_err());
        assert!("DELIVRD".parse::<DlrMix>().is_err());

        let mut rng = rand::rng();
        let mix: DlrMix = "DELIVRD=1,REJECTD=1".parse().unwrap();
        let picks: Vec<_> = (0..200).map(|_| mix.pick(&mut rng)).collect();
        assert!(picks.contains(&FinalState::Delivered));
        assert!(picks.contains(&FinalState::Rejected));
    }

    #[test]
    fn ids() {
        assert_eq!(IdFormat::Hex.format(255), "ff");
        assert_eq!(IdFormat::Decimal.format(255), "255");
        assert_eq!(IdFormat::Hex.parse("ff"), Some(255));
        assert_eq!(IdFormat::Decimal.parse("ff"), None);
    }
}
