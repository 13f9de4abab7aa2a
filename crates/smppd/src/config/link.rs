//! `[[links]]`: the SMSCs smppd binds to.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::Checker;
use super::duration::TomlDuration;
use super::tls::{self, RawTls, TlsConfig};

/// One `[[links]]` entry: a carrier's SMSC and how to talk to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkConfig {
    /// `name`: unique, non-empty, `[a-z0-9_-]`; what submissions and metrics call the link.
    pub name: String,
    /// `address`: `host:port` (an IPv6 address in brackets), resolved at each connect.
    pub address: String,
    /// `system_id`: bind credential, at most 15 ASCII characters.
    pub system_id: String,
    /// `password`, or the first line of `password_file`: at most 8 ASCII characters.
    pub password: Secret,
    /// `system_type`: at most 12 ASCII characters; empty by default.
    pub system_type: String,
    /// `bind`: which bind to ask for.
    pub bind: BindType,
    /// `sessions`: binds kept open for this link, at least 1.
    pub sessions: u32,
    /// `window`: requests awaiting a response, per session, at least 1.
    pub window: u32,
    /// `max_tps`: `submit_sm` per second for the whole link; 0 means no limit.
    pub max_tps: u32,
    /// `max_queue`: segments that may wait in memory to be sent on this link; beyond it,
    /// submissions are refused `queue_full`. At least 1.
    pub max_queue: u32,
    /// `enquire_link_interval`: idle time after which an `enquire_link` is sent; more than 0.
    pub enquire_link_interval: Duration,
    /// `response_timeout`: how long a request may wait for its response; more than 0.
    pub response_timeout: Duration,
    /// `reconnect_min`: the first reconnect delay; more than 0.
    pub reconnect_min: Duration,
    /// `reconnect_max`: the cap of the exponential backoff; at least `reconnect_min`.
    pub reconnect_max: Duration,
    /// `concat`: how long messages are split.
    pub concat: Concat,
    /// `gsm7_packed`: send GSM 7-bit text packed (7 bits per character) instead of one
    /// character per octet.
    pub gsm7_packed: bool,
    /// `national_tables`: GSM 7-bit national language shift tables the carrier supports, each
    /// once, in file order; empty means the default alphabet only.
    pub national_tables: Vec<NationalTable>,
    /// `routes`: destination prefixes (`+`, then 1 to 15 digits) sent over this link; empty
    /// makes the link part of the default route. Always empty for a receiver link.
    pub routes: Vec<String>,
    /// `message_id_format`: how this carrier's receipts quote the `submit_sm_resp` id.
    pub message_id_format: MessageIdFormat,
    /// `dlr_part`: which part's receipt decides a multi-part message's state.
    pub dlr_part: DlrPart,
    /// `source_ton`: TON of numeric sender addresses (alphanumeric ones are always 5).
    pub source_ton: u8,
    /// `source_npi`: NPI of numeric sender addresses (alphanumeric ones are always 0).
    pub source_npi: u8,
    /// `dest_ton`: TON of destination addresses.
    pub dest_ton: u8,
    /// `dest_npi`: NPI of destination addresses.
    pub dest_npi: u8,
    /// `extra_tlvs`: TLVs added to every `submit_sm`, as (tag, value), in tag order.
    pub extra_tlvs: Vec<(u16, Vec<u8>)>,
    /// `[links.tls]`: connect with TLS; `None` for plain TCP.
    pub tls: Option<TlsConfig>,
}

impl LinkConfig {
    /// A link with the required keys given and every other key at its default, for tests and
    /// for the link to the bundled simulator.
    pub fn new(
        name: impl Into<String>,
        address: impl Into<String>,
        system_id: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            address: address.into(),
            system_id: system_id.into(),
            password: Secret::new(password),
            system_type: String::new(),
            bind: Self::DEFAULT_BIND,
            sessions: Self::DEFAULT_SESSIONS,
            window: Self::DEFAULT_WINDOW,
            max_tps: Self::DEFAULT_MAX_TPS,
            max_queue: Self::DEFAULT_MAX_QUEUE,
            enquire_link_interval: Self::DEFAULT_ENQUIRE_LINK_INTERVAL,
            response_timeout: Self::DEFAULT_RESPONSE_TIMEOUT,
            reconnect_min: Self::DEFAULT_RECONNECT_MIN,
            reconnect_max: Self::DEFAULT_RECONNECT_MAX,
            concat: Self::DEFAULT_CONCAT,
            gsm7_packed: false,
            national_tables: Vec::new(),
            routes: Vec::new(),
            message_id_format: Self::DEFAULT_MESSAGE_ID_FORMAT,
            dlr_part: Self::DEFAULT_DLR_PART,
            source_ton: Self::DEFAULT_SOURCE_TON,
            source_npi: Self::DEFAULT_SOURCE_NPI,
            dest_ton: Self::DEFAULT_DEST_TON,
            dest_npi: Self::DEFAULT_DEST_NPI,
            extra_tlvs: Vec::new(),
            tls: None,
        }
    }

    /// Default `bind`.
    pub const DEFAULT_BIND: BindType = BindType::Transceiver;
    /// Default `sessions`.
    pub const DEFAULT_SESSIONS: u32 = 1;
    /// Default `window`.
    pub const DEFAULT_WINDOW: u32 = 10;
    /// Default `max_tps`: no limit.
    pub const DEFAULT_MAX_TPS: u32 = 0;
    /// Default `max_queue`: a few hours of a typical carrier account's rate, about 50 MB.
    pub const DEFAULT_MAX_QUEUE: u32 = 100_000;
    /// Default `enquire_link_interval`.
    pub const DEFAULT_ENQUIRE_LINK_INTERVAL: Duration = Duration::from_secs(30);
    /// Default `response_timeout`.
    pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default `reconnect_min`.
    pub const DEFAULT_RECONNECT_MIN: Duration = Duration::from_secs(1);
    /// Default `reconnect_max`.
    pub const DEFAULT_RECONNECT_MAX: Duration = Duration::from_secs(60);
    /// Default `concat`.
    pub const DEFAULT_CONCAT: Concat = Concat::Udh8;
    /// Default `message_id_format`.
    pub const DEFAULT_MESSAGE_ID_FORMAT: MessageIdFormat = MessageIdFormat::Auto;
    /// Default `dlr_part`.
    pub const DEFAULT_DLR_PART: DlrPart = DlrPart::All;
    /// Default `source_ton`: international.
    pub const DEFAULT_SOURCE_TON: u8 = 1;
    /// Default `source_npi`: ISDN (E.164).
    pub const DEFAULT_SOURCE_NPI: u8 = 1;
    /// Default `dest_ton`: international.
    pub const DEFAULT_DEST_TON: u8 = 1;
    /// Default `dest_npi`: ISDN (E.164).
    pub const DEFAULT_DEST_NPI: u8 = 1;
}

/// The bind to ask for (SMPP 3.4 section 4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BindType {
    /// `bind_transmitter`: submit only.
    Transmitter,
    /// `bind_receiver`: receipts and inbound messages only.
    Receiver,
    /// `bind_transceiver`: both.
    Transceiver,
}

impl BindType {
    /// Whether this bind may send `submit_sm`.
    pub fn can_submit(self) -> bool {
        matches!(self, Self::Transmitter | Self::Transceiver)
    }

    /// Whether the SMSC sends `deliver_sm` on this bind.
    pub fn can_receive(self) -> bool {
        matches!(self, Self::Receiver | Self::Transceiver)
    }
}

/// How a message too long for one `submit_sm` is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Concat {
    /// Segments with a user data header, 8-bit reference number (IEI 0x00).
    Udh8,
    /// Segments with a user data header, 16-bit reference number (IEI 0x08).
    Udh16,
    /// Segments with the `sar_msg_ref_num`, `sar_total_segments`, `sar_segment_seqnum` TLVs.
    Sar,
    /// One `submit_sm` with the whole text in `message_payload`; the SMSC splits it.
    Payload,
}

/// How a carrier's delivery receipts quote the message id of `submit_sm_resp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageIdFormat {
    /// Try the id as given, then its hexadecimal/decimal conversions.
    Auto,
    /// `submit_sm_resp` ids are hexadecimal, receipts quote them in decimal.
    Hex,
    /// `submit_sm_resp` ids are decimal, receipts quote them in hexadecimal.
    Decimal,
    /// Receipts quote the id exactly as `submit_sm_resp` gave it.
    AsIs,
}

/// For carriers that send a receipt for one part of a multi-part message only: which part's
/// receipt decides the message's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DlrPart {
    /// Every part's receipt; delivered when all parts are.
    All,
    /// The first part's receipt.
    First,
    /// The last part's receipt.
    Last,
}

/// A GSM 7-bit national language shift table (3GPP TS 23.038 section 6.2.1.2.4), written as
/// its ISO 639-1 code or English name, as `smppd_text::NationalLanguage` parses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum NationalTable {
    /// `"tr"` or `"turkish"`.
    #[serde(rename = "tr", alias = "turkish")]
    Turkish,
    /// `"es"` or `"spanish"`.
    #[serde(rename = "es", alias = "spanish")]
    Spanish,
    /// `"pt"` or `"portuguese"`.
    #[serde(rename = "pt", alias = "portuguese")]
    Portuguese,
}

/// A password: compared and cloned like a string, but never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The password itself, for the bind PDU.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of [[links]] settings")]
pub(super) struct RawLink {
    name: Option<Spanned<String>>,
    address: Option<Spanned<String>>,
    system_id: Option<Spanned<String>>,
    password: Option<Spanned<String>>,
    password_file: Option<Spanned<String>>,
    system_type: Option<Spanned<String>>,
    bind: Option<BindType>,
    sessions: Option<Spanned<u32>>,
    window: Option<Spanned<u32>>,
    max_tps: Option<u32>,
    max_queue: Option<Spanned<u32>>,
    enquire_link_interval: Option<Spanned<TomlDuration>>,
    response_timeout: Option<Spanned<TomlDuration>>,
    reconnect_min: Option<Spanned<TomlDuration>>,
    reconnect_max: Option<Spanned<TomlDuration>>,
    concat: Option<Concat>,
    gsm7_packed: Option<bool>,
    national_tables: Option<Vec<Spanned<NationalTable>>>,
    routes: Option<Vec<Spanned<String>>>,
    message_id_format: Option<MessageIdFormat>,
    dlr_part: Option<DlrPart>,
    source_ton: Option<Spanned<u8>>,
    source_npi: Option<Spanned<u8>>,
    dest_ton: Option<Spanned<u8>>,
    dest_npi: Option<Spanned<u8>>,
    extra_tlvs: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    tls: Option<Spanned<RawTls>>,
}

/// SMPP 3.4 section 5.2 gives C-Octet String sizes with the NUL terminator (16, 9, 13); these
/// count the characters before it.
const MAX_SYSTEM_ID: usize = 15;
const MAX_PASSWORD: usize = 8;
const MAX_SYSTEM_TYPE: usize = 12;

/// TLVs smppd sets itself (segmentation); a configured copy would contradict them.
const MANAGED_TLVS: [(u16, &str); 4] = [
    (0x020C, "sar_msg_ref_num"),
    (0x020E, "sar_total_segments"),
    (0x020F, "sar_segment_seqnum"),
    (0x0424, "message_payload"),
];

/// Validates every `[[links]]` entry, then that their names are unique.
pub(super) fn validate_all(
    raws: Vec<Spanned<RawLink>>,
    checker: &mut Checker<'_>,
) -> Vec<LinkConfig> {
    let mut first_index: HashMap<String, usize> = HashMap::new();
    let mut links = Vec::with_capacity(raws.len());
    for (index, raw) in raws.into_iter().enumerate() {
        let name_span = raw.get_ref().name.as_ref().map(Spanned::span);
        let link = validate(index, raw, checker);
        if let (Some(span), false) = (name_span, link.name.is_empty()) {
            if let Some(first) = first_index.get(&link.name) {
                let message = format!("`{}` is already the name of links[{first}]", link.name);
                checker.problem(&format!("links[{index}].name"), span, message);
            } else {
                first_index.insert(link.name.clone(), index);
            }
        }
        links.push(link);
    }
    links
}

fn validate(index: usize, raw: Spanned<RawLink>, checker: &mut Checker<'_>) -> LinkConfig {
    let header = raw.span();
    let raw = raw.into_inner();
    let prefix = format!("links[{index}]");
    let key = |field: &str| format!("{prefix}.{field}");
    let mut required = |field: &str, value: Option<Spanned<String>>| {
        if value.is_none() {
            checker.problem(&key(field), header.clone(), "required key is missing");
        }
        value
    };
    let name = required("name", raw.name);
    let address = required("address", raw.address);
    let system_id = required("system_id", raw.system_id);

    if let Some(name) = &name {
        let valid = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-';
        if name.get_ref().is_empty() || !name.get_ref().bytes().all(valid) {
            let message = "must be one or more of a-z, 0-9, `_` and `-`";
            checker.problem(&key("name"), name.span(), message);
        }
    }
    let mut host = String::new();
    if let Some(address) = &address {
        match split_host_port(address.get_ref()) {
            Ok((h, _)) => host = h.to_owned(),
            Err(message) => checker.problem(&key("address"), address.span(), message),
        }
    }
    if let Some(system_id) = &system_id {
        if system_id.get_ref().is_empty() {
            checker.problem(&key("system_id"), system_id.span(), "must not be empty");
        } else if let Err(message) = c_octet_string(system_id.get_ref(), MAX_SYSTEM_ID) {
            checker.problem(&key("system_id"), system_id.span(), message);
        }
    }
    let password = password(
        &prefix,
        header.clone(),
        raw.password,
        raw.password_file,
        checker,
    );
    let system_type = raw.system_type.map_or_else(String::new, |system_type| {
        if let Err(message) = c_octet_string(system_type.get_ref(), MAX_SYSTEM_TYPE) {
            checker.problem(&key("system_type"), system_type.span(), message);
        }
        system_type.into_inner()
    });

    let mut count = |field: &str, value: Option<Spanned<u32>>, default: u32| {
        value.map_or(default, |value| {
            if *value.get_ref() == 0 {
                checker.problem(&key(field), value.span(), "must be at least 1");
            }
            value.into_inner()
        })
    };
    let sessions = count("sessions", raw.sessions, LinkConfig::DEFAULT_SESSIONS);
    let window = count("window", raw.window, LinkConfig::DEFAULT_WINDOW);
    let max_queue = count("max_queue", raw.max_queue, LinkConfig::DEFAULT_MAX_QUEUE);

    let mut duration = |field: &str, value: Option<Spanned<TomlDuration>>, default: Duration| {
        value.map_or(default, |value| {
            if value.get_ref().0.is_zero() {
                checker.problem(&key(field), value.span(), "must be more than 0");
            }
            value.into_inner().0
        })
    };
    let enquire_link_interval = duration(
        "enquire_link_interval",
        raw.enquire_link_interval,
        LinkConfig::DEFAULT_ENQUIRE_LINK_INTERVAL,
    );
    let response_timeout = duration(
        "response_timeout",
        raw.response_timeout,
        LinkConfig::DEFAULT_RESPONSE_TIMEOUT,
    );
    let reconnect_max_span = raw.reconnect_max.as_ref().map(Spanned::span);
    let reconnect_min = duration(
        "reconnect_min",
        raw.reconnect_min,
        LinkConfig::DEFAULT_RECONNECT_MIN,
    );
    let reconnect_max = duration(
        "reconnect_max",
        raw.reconnect_max,
        LinkConfig::DEFAULT_RECONNECT_MAX,
    );
    if reconnect_max < reconnect_min {
        // reconnect_min alone may exceed the default reconnect_max: then point at the table.
        let message = format!("{reconnect_max:?} is less than reconnect_min ({reconnect_min:?})");
        checker.problem(
            &key("reconnect_max"),
            reconnect_max_span.unwrap_or(header.clone()),
            message,
        );
    }

    let bind = raw.bind.unwrap_or(LinkConfig::DEFAULT_BIND);
    let first_route = raw.routes.as_ref().and_then(|routes| routes.first());
    if let (false, Some(route)) = (bind.can_submit(), first_route) {
        let message = "a receiver link cannot send messages, so it cannot have routes";
        checker.problem(&key("routes"), route.span(), message);
    }
    let routes = routes(&prefix, raw.routes.unwrap_or_default(), checker);
    let national_tables =
        national_tables(&prefix, raw.national_tables.unwrap_or_default(), checker);

    let mut address_field = |field: &str, value: Option<Spanned<u8>>, default: u8, known: &[u8]| {
        value.map_or(default, |value| {
            if !known.contains(value.get_ref()) {
                let message = format!("{} is not a value SMPP 3.4 defines", value.get_ref());
                checker.warn(&key(field), value.span(), message);
            }
            value.into_inner()
        })
    };
    // SMPP 3.4 section 5.2.5 and 5.2.6.
    const TONS: &[u8] = &[0, 1, 2, 3, 4, 5, 6];
    const NPIS: &[u8] = &[0, 1, 3, 4, 6, 8, 9, 10, 14, 18];
    let source_ton = address_field(
        "source_ton",
        raw.source_ton,
        LinkConfig::DEFAULT_SOURCE_TON,
        TONS,
    );
    let source_npi = address_field(
        "source_npi",
        raw.source_npi,
        LinkConfig::DEFAULT_SOURCE_NPI,
        NPIS,
    );
    let dest_ton = address_field("dest_ton", raw.dest_ton, LinkConfig::DEFAULT_DEST_TON, TONS);
    let dest_npi = address_field("dest_npi", raw.dest_npi, LinkConfig::DEFAULT_DEST_NPI, NPIS);

    let extra_tlvs = extra_tlvs(&prefix, raw.extra_tlvs.unwrap_or_default(), checker);
    let tls = raw
        .tls
        .map(|raw| tls::validate(&key("tls"), raw, &host, checker));

    LinkConfig {
        name: name.map(Spanned::into_inner).unwrap_or_default(),
        address: address.map(Spanned::into_inner).unwrap_or_default(),
        system_id: system_id.map(Spanned::into_inner).unwrap_or_default(),
        password,
        system_type,
        bind,
        sessions,
        window,
        max_tps: raw.max_tps.unwrap_or(LinkConfig::DEFAULT_MAX_TPS),
        max_queue,
        enquire_link_interval,
        response_timeout,
        reconnect_min,
        reconnect_max,
        concat: raw.concat.unwrap_or(LinkConfig::DEFAULT_CONCAT),
        gsm7_packed: raw.gsm7_packed.unwrap_or(false),
        national_tables,
        routes,
        message_id_format: raw
            .message_id_format
            .unwrap_or(LinkConfig::DEFAULT_MESSAGE_ID_FORMAT),
        dlr_part: raw.dlr_part.unwrap_or(LinkConfig::DEFAULT_DLR_PART),
        source_ton,
        source_npi,
        dest_ton,
        dest_npi,
        extra_tlvs,
        tls,
    }
}

/// Exactly one of `password` and `password_file`; the file's trailing line break is not part of
/// the password.
fn password(
    prefix: &str,
    header: std::ops::Range<usize>,
    inline: Option<Spanned<String>>,
    file: Option<Spanned<String>>,
    checker: &mut Checker<'_>,
) -> Secret {
    let (key, span, password) = match (inline, file) {
        (Some(inline), None) => {
            let key = format!("{prefix}.password");
            checker.inline_passwords.push(key.clone());
            (key, inline.span(), inline.into_inner())
        }
        (None, Some(file)) => {
            let key = format!("{prefix}.password_file");
            let path = checker.resolve(file.get_ref());
            let Some(text) = checker.read_file(&key, file.span(), &path, true) else {
                return Secret::new("");
            };
            let password = text.trim_end_matches(['\r', '\n']).to_owned();
            if password.contains('\n') {
                let message = format!("{} holds more than one line", path.display());
                checker.problem(&key, file.span(), message);
            }
            (key, file.span(), password)
        }
        (Some(_), Some(file)) => {
            let message = "set either password or password_file, not both";
            checker.problem(&format!("{prefix}.password_file"), file.span(), message);
            return Secret::new("");
        }
        (None, None) => {
            let message = "required key is missing (or set password_file)";
            checker.problem(&format!("{prefix}.password"), header, message);
            return Secret::new("");
        }
    };
    if let Err(message) = c_octet_string(&password, MAX_PASSWORD) {
        checker.problem(&key, span, format_args!("the password {message}"));
    }
    Secret::new(password)
}

/// Splits `host:port`; an IPv6 host is written in brackets, `[2001:db8::1]:2775`.
fn split_host_port(address: &str) -> Result<(&str, u16), &'static str> {
    const EXAMPLE: &str = "expected host:port, e.g. \"smsc.example.net:2775\"";
    let (host, port) = address.rsplit_once(':').ok_or(EXAMPLE)?;
    let host = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.strip_suffix(']').ok_or(EXAMPLE)?,
        None if host.contains(':') => {
            return Err("write an IPv6 address in brackets, e.g. \"[2001:db8::1]:2775\"");
        }
        None => host,
    };
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '/') {
        return Err(EXAMPLE);
    }
    match port.parse::<u16>() {
        Ok(port) if port != 0 => Ok((host, port)),
        _ => Err("the port must be a number from 1 to 65535"),
    }
}

/// Checks an SMPP C-Octet String field of at most `max` characters (without its NUL).
fn c_octet_string(value: &str, max: usize) -> Result<(), String> {
    if !value.is_ascii() || value.contains('\0') {
        Err("must be ASCII without NUL characters".to_owned())
    } else if value.len() > max {
        Err(format!(
            "is {} characters long; SMPP 3.4 allows at most {max}",
            value.len()
        ))
    } else {
        Ok(())
    }
}

fn routes(prefix: &str, raw: Vec<Spanned<String>>, checker: &mut Checker<'_>) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut routes = Vec::with_capacity(raw.len());
    for (index, route) in raw.into_iter().enumerate() {
        let key = format!("{prefix}.routes[{index}]");
        let digits = route.get_ref().strip_prefix('+').unwrap_or(route.get_ref());
        if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            let message = "a route is a destination prefix: an optional `+` and 1 to 15 digits";
            checker.problem(&key, route.span(), message);
        } else if !seen.insert(route.get_ref().clone()) {
            checker.warn(&key, route.span(), "is listed twice");
        }
        routes.push(route.into_inner());
    }
    routes
}

fn national_tables(
    prefix: &str,
    raw: Vec<Spanned<NationalTable>>,
    checker: &mut Checker<'_>,
) -> Vec<NationalTable> {
    let mut tables = Vec::with_capacity(raw.len());
    for (index, table) in raw.into_iter().enumerate() {
        if tables.contains(table.get_ref()) {
            let key = format!("{prefix}.national_tables[{index}]");
            checker.warn(&key, table.span(), "is listed twice");
        } else {
            tables.push(table.into_inner());
        }
    }
    tables
}

/// `extra_tlvs = { 0x1400 = "text", 0x1401 = "hex:0a0b" }`: keys are `0x` and 1 to 4 hex
/// digits; a value is `hex:` and an even number of hex digits for raw octets, else text sent as
/// its UTF-8 octets without a NUL (`text:` may prefix text that would start with `hex:`).
fn extra_tlvs(
    prefix: &str,
    raw: BTreeMap<Spanned<String>, Spanned<String>>,
    checker: &mut Checker<'_>,
) -> Vec<(u16, Vec<u8>)> {
    let mut tlvs: Vec<(u16, Vec<u8>)> = Vec::with_capacity(raw.len());
    for (tag_text, value) in raw {
        let key = format!("{prefix}.extra_tlvs.{}", tag_text.get_ref());
        let tag = match parse_tlv_tag(tag_text.get_ref()) {
            Ok(tag) => tag,
            Err(message) => {
                checker.problem(&key, tag_text.span(), message);
                continue;
            }
        };
        if let Some((_, name)) = MANAGED_TLVS.iter().find(|(managed, _)| *managed == tag) {
            let message = format!("{name} is set by smppd itself and cannot be configured");
            checker.problem(&key, tag_text.span(), message);
            continue;
        }
        if tlvs.iter().any(|(seen, _)| *seen == tag) {
            let message = format!("tag 0x{tag:04x} is given twice");
            checker.problem(&key, tag_text.span(), message);
            continue;
        }
        match parse_tlv_value(value.get_ref()) {
            Ok(bytes) if bytes.len() > usize::from(u16::MAX) => {
                let message = format!("is {} octets long; a TLV holds at most 65535", bytes.len());
                checker.problem(&key, value.span(), message);
            }
            Ok(bytes) => tlvs.push((tag, bytes)),
            Err(message) => checker.problem(&key, value.span(), message),
        }
    }
    tlvs.sort_by_key(|(tag, _)| *tag);
    tlvs
}

fn parse_tlv_tag(text: &str) -> Result<u16, &'static str> {
    const RULE: &str = "a TLV tag is written `0x` and 1 to 4 hex digits, e.g. 0x1400";
    let digits = text.strip_prefix("0x").ok_or(RULE)?;
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(RULE);
    }
    match u16::from_str_radix(digits, 16) {
        Ok(0) | Err(_) => Err("tag 0x0000 is not a TLV tag"),
        Ok(tag) => Ok(tag),
    }
}

fn parse_tlv_value(text: &str) -> Result<Vec<u8>, &'static str> {
    let Some(hex) = text.strip_prefix("hex:") else {
        return Ok(text
            .strip_prefix("text:")
            .unwrap_or(text)
            .as_bytes()
            .to_vec());
    };
    const RULE: &str = "after `hex:` write an even number of hex digits, e.g. \"hex:0a0b\"";
    if hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(RULE);
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| RULE))
        .collect()
}
