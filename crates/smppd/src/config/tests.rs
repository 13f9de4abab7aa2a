use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

/// The smallest valid link: only the required keys, on lines 1 to 5.
const LINK: &str = r#"[[links]]
name = "a"
address = "127.0.0.1:2775"
system_id = "acme"
password = "secret"
"#;

const FILE: &str = "/etc/smppd/smppd.toml";

fn parse(source: &str) -> Result<Loaded, ConfigError> {
    Config::parse(source, Path::new(FILE))
}

fn ok(source: &str) -> Loaded {
    parse(source).unwrap_or_else(|error| panic!("{error}"))
}

/// The single problem with `source`.
fn problem(source: &str) -> Problem {
    match parse(source) {
        Ok(loaded) => panic!("accepted: {loaded:?}"),
        Err(error) => match error.problems() {
            [problem] => problem.clone(),
            problems => panic!("expected one problem, got {problems:#?}"),
        },
    }
}

fn config_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config")
}

#[test]
fn every_file_in_config_dir_is_valid() {
    let mut checked = 0;
    for entry in fs::read_dir(config_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "toml") {
            if let Err(error) = Config::load(&path) {
                panic!("{error}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 2, "found only {checked} files in config/");
}

#[test]
fn sample_config_sets_every_link_key() {
    let loaded = Config::load(&config_dir().join("smppd.toml")).unwrap();
    let config = loaded.config;
    assert_eq!(
        config.server.metrics,
        Some("127.0.0.1:9464".parse().unwrap())
    );
    assert_eq!(config.links.len(), 2);
    let a = config.link("carrier-a").unwrap();
    assert_eq!(a.sessions, 2);
    assert_eq!(a.max_tps, 100);
    assert_eq!(a.routes, ["+44", "44"]);
    assert_eq!(a.extra_tlvs, [(0x1400, b"1101234567".to_vec())]);
    assert_eq!(config.total_sessions(), 3);
    assert!(config.link("carrier-b").unwrap().routes.is_empty());
}

#[test]
fn local_config_has_no_links_and_keeps_state_beside_it() {
    let dir = config_dir();
    let loaded = Config::load(&dir.join("local.toml")).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let server = loaded.config.server;
    assert!(loaded.config.links.is_empty());
    assert_eq!(server.state_dir, dir.join("state"));
    assert_eq!(server.socket.parent(), Some(server.state_dir.as_path()));
    assert_eq!(server.metrics, Some("127.0.0.1:9464".parse().unwrap()));
}

/// Every key serde accepts is documented in config/smppd.toml and docs/configuration.md.
#[test]
fn every_key_is_documented() {
    let sample = fs::read_to_string(config_dir().join("smppd.toml")).unwrap();
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/configuration.md");
    let docs = fs::read_to_string(docs).unwrap();
    for (table, prefix) in [
        ("", ""),
        ("[server]\n", ""),
        ("[consent]\n", ""),
        (LINK, ""),
        (LINK, "[links.tls]\n"),
    ] {
        for key in accepted_keys(&format!("{table}{prefix}")) {
            assert!(
                sample.lines().any(|line| {
                    // `key = ...`, `[key]`, `[[key]]` or `[table.key]`, commented out or not.
                    let line = line.trim_start_matches(['#', ' ', '[']);
                    let name = line.split([' ', ']']).next().unwrap();
                    name == key || name.ends_with(&format!(".{key}"))
                }),
                "config/smppd.toml does not show `{key}`"
            );
            let forms = [
                format!("`{key}`"),
                format!("`[{key}]`"),
                format!("`[[{key}]]`"),
            ];
            assert!(
                forms.iter().any(|form| docs.contains(form)),
                "docs/configuration.md does not describe `{key}`"
            );
        }
    }
}

/// The keys serde accepts at the end of `source`, from its message for an unknown one.
fn accepted_keys(source: &str) -> Vec<String> {
    let error = parse(&format!("{source}zzz = 1\n")).unwrap_err();
    let message = &error.problems()[0].message;
    let (_, expected) = message
        .split_once("expected")
        .unwrap_or_else(|| panic!("{message}"));
    let keys: Vec<_> = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    assert!(!keys.is_empty(), "{message}");
    keys
}

#[test]
fn empty_file_is_all_defaults() {
    let loaded = ok("");
    assert!(loaded.warnings.is_empty());
    let server = loaded.config.server;
    assert_eq!(server.state_dir, Path::new("/var/lib/smppd"));
    assert_eq!(server.socket, Path::new("/run/smppd/smppd.sock"));
    assert_eq!(server.metrics, None);
    assert_eq!(server.shutdown_timeout, Duration::from_secs(10));
    assert!(loaded.config.links.is_empty());
    assert_eq!(server, ServerConfig::default());
}

#[test]
fn link_defaults() {
    let loaded = ok(LINK);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let link = &loaded.config.links[0];
    let expected = LinkConfig {
        name: "a".into(),
        address: "127.0.0.1:2775".into(),
        system_id: "acme".into(),
        password: Secret::new("secret"),
        system_type: String::new(),
        bind: BindType::Transceiver,
        sessions: 1,
        window: 10,
        max_tps: 0,
        max_queue: 100_000,
        enquire_link_interval: Duration::from_secs(30),
        response_timeout: Duration::from_secs(10),
        reconnect_min: Duration::from_secs(1),
        reconnect_max: Duration::from_secs(60),
        concat: Concat::Udh8,
        gsm7_packed: false,
        national_tables: vec![],
        routes: vec![],
        message_id_format: MessageIdFormat::Auto,
        dlr_part: DlrPart::All,
        source_ton: 1,
        source_npi: 1,
        dest_ton: 1,
        dest_npi: 1,
        extra_tlvs: vec![],
        tls: None,
    };
    assert_eq!(*link, expected);
    assert_eq!(
        *link,
        LinkConfig::new("a", "127.0.0.1:2775", "acme", "secret")
    );
}

#[test]
fn every_value_is_read() {
    let source = format!(
        r#"{LINK}system_type = "vma"
bind = "transmitter"
sessions = 3
window = 50
max_tps = 200
enquire_link_interval = "1m"
response_timeout = "2500ms"
reconnect_min = "250ms"
reconnect_max = "5m"
concat = "payload"
gsm7_packed = true
national_tables = ["tr", "portuguese"]
routes = ["+90", "90"]
message_id_format = "as-is"
dlr_part = "last"
source_ton = 5
source_npi = 0
dest_ton = 0
dest_npi = 0
extra_tlvs = {{ 0x1400 = "hex:0A0b", 0x0210 = "text:hex:", 0x1401 = "" }}
"#
    );
    let link = ok(&source).config.links.remove(0);
    assert_eq!(link.system_type, "vma");
    assert_eq!(link.bind, BindType::Transmitter);
    assert_eq!((link.sessions, link.window, link.max_tps), (3, 50, 200));
    assert_eq!(link.enquire_link_interval, Duration::from_secs(60));
    assert_eq!(link.response_timeout, Duration::from_millis(2500));
    assert_eq!(link.reconnect_min, Duration::from_millis(250));
    assert_eq!(link.reconnect_max, Duration::from_secs(300));
    assert_eq!(link.concat, Concat::Payload);
    assert!(link.gsm7_packed);
    let tables = [NationalTable::Turkish, NationalTable::Portuguese];
    assert_eq!(link.national_tables, tables);
    assert_eq!(link.routes, ["+90", "90"]);
    assert_eq!(link.message_id_format, MessageIdFormat::AsIs);
    assert_eq!(link.dlr_part, DlrPart::Last);
    let addresses = (
        link.source_ton,
        link.source_npi,
        link.dest_ton,
        link.dest_npi,
    );
    assert_eq!(addresses, (5, 0, 0, 0));
    let tlvs = [
        (0x0210, b"hex:".to_vec()),
        (0x1400, vec![0x0a, 0x0b]),
        (0x1401, vec![]),
    ];
    assert_eq!(link.extra_tlvs, tlvs);
}

/// Each rule: the lines after [`LINK`] (so starting at line 6), the key the problem must
/// name, its line, and part of its message.
#[test]
fn each_bad_value_names_its_key() {
    #[rustfmt::skip]
    let cases = [
        ("window = 0", "links[0].window", 6, "must be at least 1"),
        ("sessions = 0", "links[0].sessions", 6, "must be at least 1"),
        ("window = -1", "links[0].window", 6, "expected u32"),
        (r#"window = "ten""#, "links[0].window", 6, "expected u32"),
        (r#"gsm7_packed = "yes""#, "links[0].gsm7_packed", 6, "expected a boolean"),
        (r#"bind = "tx""#, "links[0].bind", 6, "unknown variant `tx`"),
        (r#"concat = "udh""#, "links[0].concat", 6, "`udh8`"),
        (r#"message_id_format = "as_is""#, "links[0].message_id_format", 6, "`as-is`"),
        (r#"dlr_part = "any""#, "links[0].dlr_part", 6, "`first`"),
        (r#"national_tables = ["de"]"#, "links[0].national_tables[0]", 6, "`tr`"),
        ("source_ton = 256", "links[0].source_ton", 6, "expected u8"),
        (r#"response_timeout = "10""#, "links[0].response_timeout", 6, "no unit"),
        ("response_timeout = 10", "links[0].response_timeout", 6, "expected a duration"),
        (r#"response_timeout = "0s""#, "links[0].response_timeout", 6, "more than 0"),
        (r#"enquire_link_interval = "1x""#, "links[0].enquire_link_interval", 6, "unit"),
        (r#"reconnect_min = "0ms""#, "links[0].reconnect_min", 6, "more than 0"),
        (r#"reconnect_max = "500ms""#, "links[0].reconnect_max", 6,
            "500ms is less than reconnect_min (1s)"),
        (r#"system_type = "0123456789abc""#, "links[0].system_type", 6, "at most 12"),
        (r#"routes = ["+44", "+4x"]"#, "links[0].routes[1]", 6, "1 to 15 digits"),
        (r#"routes = ["+"]"#, "links[0].routes[0]", 6, "1 to 15 digits"),
        (r#"routes = ["1234567890123456"]"#, "links[0].routes[0]", 6, "1 to 15 digits"),
        ("bind = \"receiver\"\nroutes = [\"44\"]", "links[0].routes", 7,
            "a receiver link cannot send messages"),
        (r#"extra_tlvs = { 1400 = "x" }"#, "links[0].extra_tlvs.1400", 6, "`0x`"),
        (r#"extra_tlvs = { 0x12345 = "x" }"#, "links[0].extra_tlvs.0x12345", 6, "1 to 4"),
        (r#"extra_tlvs = { 0x0 = "x" }"#, "links[0].extra_tlvs.0x0", 6, "not a TLV tag"),
        (r#"extra_tlvs = { 0x1400 = "hex:abc" }"#, "links[0].extra_tlvs.0x1400", 6, "even"),
        (r#"extra_tlvs = { 0x1400 = "hex:zz" }"#, "links[0].extra_tlvs.0x1400", 6, "hex"),
        ("extra_tlvs = { 0x1400 = 5 }", "links[0].extra_tlvs.0x1400", 6, "a string"),
        (r#"extra_tlvs = { 0x0424 = "x" }"#, "links[0].extra_tlvs.0x0424", 6,
            "message_payload is set by smppd itself"),
        (r#"extra_tlvs = { 0x20c = "x" }"#, "links[0].extra_tlvs.0x20c", 6, "sar_msg_ref_num"),
        (r#"extra_tlvs = { 0x0210 = "x", 0x210 = "y" }"#, "links[0].extra_tlvs.0x210", 6,
            "tag 0x0210 is given twice"),
        ("[links.tls]\nclient_cert = \"/c.pem\"", "links[0].tls.client_key", 6,
            "client_cert is set but client_key is not"),
        ("[links.tls]\nclient_key = \"/k.pem\"", "links[0].tls.client_cert", 6,
            "client_key is set but client_cert is not"),
        ("[links.tls]\nserver_name = \"\"", "links[0].tls.server_name", 7, "a DNS name"),
        ("[links.tls]\nca_file = \"missing.pem\"", "links[0].tls.ca_file", 7,
            "cannot read /etc/smppd/missing.pem"),
        ("tls = { ca_file = 5 }", "links[0].tls.ca_file", 6, "a string"),
        ("tls = true", "links[0].tls", 6, "expected a table of [links.tls] settings"),
    ];
    for (lines, key, line, message) in cases {
        let problem = problem(&format!("{LINK}{lines}\n"));
        assert_eq!(problem.key.as_deref(), Some(key), "{lines}: {problem}");
        assert_eq!(problem.position.unwrap().line, line, "{lines}: {problem}");
        assert!(problem.message.contains(message), "{lines}: {problem}");
    }
}

/// Rules about the keys [`LINK`] sets: the text of it to replace, what with (nothing to remove
/// the line), the key the problem must name, its line, and part of its message.
#[test]
fn each_bad_required_value_names_its_key() {
    #[rustfmt::skip]
    let cases = [
        (r#"name = "a""#, "", "links[0].name", 1, "required key is missing"),
        (r#"address = "127.0.0.1:2775""#, "", "links[0].address", 1, "missing"),
        (r#"system_id = "acme""#, "", "links[0].system_id", 1, "missing"),
        (r#"password = "secret""#, "", "links[0].password", 1, "or set password_file"),
        (r#""a""#, r#""A""#, "links[0].name", 2, "a-z, 0-9, `_` and `-`"),
        (r#""a""#, r#""""#, "links[0].name", 2, "a-z"),
        (r#""a""#, r#""a b""#, "links[0].name", 2, "a-z"),
        ("127.0.0.1:2775", "h", "links[0].address", 3, "host:port"),
        ("127.0.0.1:2775", ":2775", "links[0].address", 3, "host:port"),
        ("127.0.0.1:2775", "h:0", "links[0].address", 3, "port must be"),
        ("127.0.0.1:2775", "h:99999", "links[0].address", 3, "port must be"),
        ("127.0.0.1:2775", "h:x", "links[0].address", 3, "port must be"),
        ("127.0.0.1:2775", "::1:2775", "links[0].address", 3, "brackets"),
        ("127.0.0.1:2775", "[::1:2775", "links[0].address", 3, "host:port"),
        (r#""acme""#, r#""""#, "links[0].system_id", 4, "must not be empty"),
        ("acme", "0123456789abcdef", "links[0].system_id", 4,
            "is 16 characters long; SMPP 3.4 allows at most 15"),
        ("acme", "acmé", "links[0].system_id", 4, "ASCII"),
        ("acme", r"a\u0000", "links[0].system_id", 4, "NUL"),
        ("secret", "123456789", "links[0].password", 5, "the password is 9 characters"),
        ("secret\"", "p\"\npassword_file = \"f\"", "links[0].password_file", 6, "not both"),
    ];
    for (from, to, key, line, message) in cases {
        let source = if to.is_empty() {
            LINK.replace(&format!("{from}\n"), "")
        } else {
            LINK.replacen(from, to, 1)
        };
        assert_ne!(source, LINK);
        let problem = problem(&source);
        assert_eq!(problem.key.as_deref(), Some(key), "{source}: {problem}");
        assert_eq!(problem.position.unwrap().line, line, "{source}: {problem}");
        assert!(problem.message.contains(message), "{source}: {problem}");
    }
}

/// Other rules, each with a whole file: the file, the key, its line, part of the message.
#[test]
fn each_bad_file_names_its_key() {
    let twice = format!("{LINK}{}", LINK.replace("127.0.0.1", "127.0.0.2"));
    let long_socket = format!("[server]\nsocket = \"/{}\"", "s".repeat(107));
    #[rustfmt::skip]
    let cases = [
        (twice.as_str(), "links[1].name", 7, "`a` is already the name of links[0]"),
        ("[server]\nstate_dir = \"\"", "server.state_dir", 2, "must not be empty"),
        ("[server]\nsocket = \"\"", "server.socket", 2, "must not be empty"),
        (&long_socket, "server.socket", 2,
            "is 108 bytes long; a Unix socket path may have at most 107"),
        ("[server]\nmetrics = \"localhost\"", "server.metrics", 2, "socket address"),
        ("[server]\nshutdown_timeout = \"1.5s\"", "server.shutdown_timeout", 2, "fractions"),
        ("links = 5", "links", 1, "a sequence"),
        ("links = [1]", "links[0]", 1, "expected a table of [[links]] settings"),
        ("server = []", "server", 1, "expected a table of [server] settings"),
    ];
    for (source, key, line, message) in cases {
        let problem = problem(source);
        assert_eq!(problem.key.as_deref(), Some(key), "{source}: {problem}");
        assert_eq!(problem.position.unwrap().line, line, "{source}: {problem}");
        assert!(problem.message.contains(message), "{source}: {problem}");
    }
}

/// A TOML syntax error is reported with its position; it concerns no key.
#[test]
fn syntax_error_has_a_position() {
    let problem = problem("[[links]]\nname = \"a\n");
    assert_eq!(problem.key, None);
    assert_eq!(
        problem.position,
        Some(Position {
            line: 2,
            column: 10
        })
    );
    assert!(problem.message.contains("string"), "{problem}");
}

#[test]
fn unknown_keys_are_errors() {
    let cases = [
        ("[sever]\n", "sever", 1),
        ("[server]\nsockets = \"/s\"\n", "server.sockets", 2),
        (&format!("{LINK}windw = 3\n") as &str, "links[0].windw", 6),
        (
            &format!("{LINK}{LINK}tls = {{ ca = \"x\" }}\n"),
            "links[1].tls.ca",
            11,
        ),
        (
            &format!("{LINK}[links.tls]\nkey = \"x\"\n"),
            "links[0].tls.key",
            7,
        ),
    ];
    for (source, key, line) in cases {
        let problem = problem(source);
        assert_eq!(problem.key.as_deref(), Some(key), "{problem}");
        assert_eq!(problem.position.unwrap().line, line, "{problem}");
        let field = key.rsplit('.').next().unwrap();
        let unknown = format!("unknown field `{field}`");
        assert!(problem.message.starts_with(&unknown), "{problem}");
    }
}

#[test]
fn every_problem_is_reported_with_file_line_and_key() {
    let source =
        format!("{LINK}window = 0\nsessions = 0\nmax_queue = 0\n[[links]]\nname = \"a\"\n");
    let error = parse(&source).unwrap_err();
    let lines: Vec<_> = error.to_string().lines().map(str::to_owned).collect();
    assert_eq!(
        lines,
        [
            format!("{FILE}:6:10: links[0].window: must be at least 1"),
            format!("{FILE}:7:12: links[0].sessions: must be at least 1"),
            format!("{FILE}:8:13: links[0].max_queue: must be at least 1"),
            format!("{FILE}:9:1: links[1].address: required key is missing"),
            format!("{FILE}:9:1: links[1].system_id: required key is missing"),
            format!(
                "{FILE}:9:1: links[1].password: required key is missing (or set password_file)"
            ),
            format!("{FILE}:10:8: links[1].name: `a` is already the name of links[0]"),
        ]
    );
}

#[test]
fn durations() {
    let ms = Duration::from_millis;
    let good = [
        ("0s", ms(0)),
        ("1ms", ms(1)),
        ("500ms", ms(500)),
        ("1500ms", ms(1500)),
        ("30s", ms(30_000)),
        ("2m", ms(120_000)),
        ("1h", ms(3_600_000)),
        ("7d", ms(7 * 86_400_000)),
        ("1m30s", ms(90_000)),
        ("1h0m1s500ms", ms(3_601_500)),
        ("007s", ms(7_000)),
    ];
    for (text, expected) in good {
        assert_eq!(parse_duration(text), Ok(expected), "{text}");
    }
    let bad = [
        ("", "empty"),
        ("30", "no unit"),
        ("s", "whole number"),
        ("-1s", "whole number"),
        ("1.5s", "fractions"),
        ("30 s", "fractions"),
        (" 30s", "whole number"),
        ("30S", "unit"),
        ("30sec", "unit"),
        ("1y", "unit"),
        ("30s ", "whole number"),
        ("99999999999999999999s", "too long"),
        ("18446744073709551615d", "too long"),
    ];
    for (text, reason) in bad {
        let error = parse_duration(text).unwrap_err().to_string();
        assert!(
            error.starts_with(&format!("invalid duration `{text}`")),
            "{error}"
        );
        assert!(error.contains(reason), "{text}: {error}");
    }
}

#[test]
fn password_file_is_read_relative_to_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("carrier.password");
    fs::write(&secret, "s3cret\r\n").unwrap();
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o600)).unwrap();
    let source = LINK.replace(
        "password = \"secret\"",
        "password_file = \"carrier.password\"",
    );
    let config = write_config(dir.path(), &source, 0o644);
    let loaded = Config::load(&config).unwrap();
    assert_eq!(loaded.config.links[0].password.expose(), "s3cret");
    // The password is in another file, so a readable config file is fine.
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);

    fs::set_permissions(&secret, fs::Permissions::from_mode(0o644)).unwrap();
    let loaded = Config::load(&config).unwrap();
    assert_eq!(loaded.warnings.len(), 1);
    assert!(
        loaded.warnings[0].contains("links[0].password_file"),
        "{:?}",
        loaded.warnings
    );
    assert!(
        loaded.warnings[0].contains("mode 0644"),
        "{:?}",
        loaded.warnings
    );

    fs::write(&secret, "123456789\n").unwrap();
    let error = Config::load(&config).unwrap_err().to_string();
    assert!(
        error.contains("links[0].password_file: the password is 9 characters"),
        "{error}"
    );

    fs::write(&secret, "one\ntwo\n").unwrap();
    let error = Config::load(&config).unwrap_err().to_string();
    assert!(error.contains("more than one line"), "{error}");

    fs::remove_file(&secret).unwrap();
    let error = Config::load(&config).unwrap_err().to_string();
    assert!(
        error.contains("links[0].password_file: cannot read"),
        "{error}"
    );
    assert!(error.contains("carrier.password"), "{error}");
}

#[test]
fn password_in_world_readable_file_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), &format!("{LINK}{LINK}"), 0o644);
    let error = Config::load(&path).unwrap_err();
    assert_eq!(error.problems().len(), 1, "{error}"); // duplicate name
    let path = write_config(
        dir.path(),
        &format!("{LINK}{}", LINK.replace("\"a\"", "\"b\"")),
        0o644,
    );
    let loaded = Config::load(&path).unwrap();
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    let warning = &loaded.warnings[0];
    assert!(
        warning.starts_with(&path.display().to_string()),
        "{warning}"
    );
    assert!(warning.contains("mode 0644"), "{warning}");
    assert!(
        warning.contains("links[0].password, links[1].password"),
        "{warning}"
    );

    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    assert!(Config::load(&path).unwrap().warnings.is_empty());
}

#[test]
fn tls() {
    let dir = tempfile::tempdir().unwrap();
    for (file, mode) in [
        ("ca.pem", 0o644),
        ("client.crt", 0o644),
        ("client.key", 0o600),
    ] {
        let path = dir.path().join(file);
        fs::write(&path, "-----BEGIN-----\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    }
    let source = format!(
        "{LINK}[links.tls]\nca_file = \"ca.pem\"\nclient_cert = \"client.crt\"\n\
         client_key = \"client.key\"\n"
    );
    let path = write_config(dir.path(), &source, 0o600);
    let loaded = Config::load(&path).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let tls = loaded.config.links[0].tls.clone().unwrap();
    assert_eq!(tls.ca_file, Some(dir.path().join("ca.pem")));
    assert_eq!(tls.server_name, "127.0.0.1");
    let auth = tls.client_auth.unwrap();
    assert_eq!(auth.cert_file, dir.path().join("client.crt"));
    assert_eq!(auth.key_file, dir.path().join("client.key"));

    let key = dir.path().join("client.key");
    fs::set_permissions(&key, fs::Permissions::from_mode(0o604)).unwrap();
    let warnings = Config::load(&path).unwrap().warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("links[0].tls.client_key"),
        "{warnings:?}"
    );

    // An empty table turns TLS on with the defaults; the name comes from the address.
    let source = LINK.replace("127.0.0.1:2775", "[2001:db8::1]:2775") + "tls = {}\n";
    let tls = ok(&source).config.links[0].tls.clone().unwrap();
    assert_eq!(tls.server_name, "2001:db8::1");
    assert_eq!((tls.ca_file, tls.client_auth), (None, None));
    let source = LINK.replace("127.0.0.1", "smsc.example.net")
        + "[links.tls]\nserver_name = \"tls.example.net\"\n";
    let tls = ok(&source).config.links[0].tls.clone().unwrap();
    assert_eq!(tls.server_name, "tls.example.net");
}

#[test]
fn suspicious_values_are_warnings() {
    let source = format!(
        "{LINK}routes = [\"44\", \"44\"]\nnational_tables = [\"es\", \"es\"]\nsource_ton = 9\n\
         dest_npi = 2\n"
    );
    let loaded = ok(&source);
    let warnings = loaded.warnings.join("\n");
    assert_eq!(loaded.warnings.len(), 4, "{warnings}");
    assert!(
        warnings.contains(":6:17: links[0].routes[1]: is listed twice"),
        "{warnings}"
    );
    assert!(
        warnings.contains("links[0].national_tables[1]: is listed twice"),
        "{warnings}"
    );
    assert!(
        warnings.contains("links[0].source_ton: 9 is not a value"),
        "{warnings}"
    );
    assert!(
        warnings.contains("links[0].dest_npi: 2 is not a value"),
        "{warnings}"
    );
    assert_eq!(
        loaded.config.links[0].national_tables,
        [NationalTable::Spanish]
    );

    let receiver = ok(&format!("{LINK}bind = \"receiver\"\n"));
    assert!(
        receiver.warnings[0].contains("no message can be sent"),
        "{:?}",
        receiver.warnings
    );
}

#[test]
fn check_config_exit_status_and_output() {
    let dir = tempfile::tempdir().unwrap();
    let run = |path: &Path| {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = check_config_to(path, &mut out, &mut err);
        let text = |bytes| String::from_utf8(bytes).unwrap();
        (status, text(out), text(err))
    };

    let two = format!("{LINK}sessions = 2\n{}", LINK.replace("\"a\"", "\"b\""));
    let path = write_config(dir.path(), &two, 0o644);
    let (status, out, err) = run(&path);
    assert_eq!(status, 0);
    let summary = format!(
        "{}: ok: 2 links (a: 2 sessions, b: 1 session), 3 sessions\n",
        path.display()
    );
    assert_eq!(out, summary);
    assert!(
        err.starts_with("warning: ") && err.contains("readable by every user"),
        "{err}"
    );

    let path = write_config(dir.path(), "", 0o644);
    let (status, out, err) = run(&path);
    assert_eq!((status, err.as_str()), (0, ""));
    assert!(out.contains("ok: no links; `smppd run` will start the bundled SMSC simulator"));

    let path = write_config(dir.path(), &format!("{LINK}window = 0\nbind = 1\n"), 0o600);
    let (status, out, err) = run(&path);
    assert_eq!((status, out.as_str()), (EXIT_INVALID_CONFIG, ""));
    let expected = format!(
        "error: {}:7:8: links[0].bind: wanted string or table\n",
        path.display()
    );
    assert_eq!(err, expected);

    let (status, _, err) = run(&dir.path().join("missing.toml"));
    assert_eq!(status, EXIT_INVALID_CONFIG);
    assert!(
        err.starts_with("error: ") && err.contains("missing.toml: cannot read"),
        "{err}"
    );
}

#[test]
fn password_is_not_in_debug_output() {
    let loaded = ok(&LINK.replace("secret", "hunter2"));
    let debug = format!("{loaded:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert_eq!(loaded.config.links[0].password.expose(), "hunter2");
}

#[test]
fn positions_count_characters() {
    let source = "a = 1\nébc = 2\n";
    assert_eq!(Position::of(source, 0), Position { line: 1, column: 1 });
    assert_eq!(Position::of(source, 6), Position { line: 2, column: 1 });
    assert_eq!(Position::of(source, 9), Position { line: 2, column: 3 });
    // Inside a character, and past the end, are clamped rather than a panic.
    assert_eq!(Position::of(source, 7), Position { line: 2, column: 1 });
    assert_eq!(Position::of(source, 99), Position { line: 3, column: 1 });
}

fn write_config(dir: &Path, source: &str, mode: u32) -> PathBuf {
    let path = dir.join("smppd.toml");
    fs::write(&path, source).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    path
}

#[test]
fn socket_keys() {
    let server = ok("").config.server;
    assert_eq!(server.socket_mode, 0o660);
    assert_eq!(server.socket_group, None);
    assert!(server.allowed_uids.is_empty() && server.allowed_gids.is_empty());
    assert_eq!(server.max_line, 65536);

    let source = "[server]\nsocket_mode = \"0600\"\nsocket_group = \"smppd-clients\"\n\
                  allowed_uids = [0, 1001]\nallowed_gids = [998]\nmax_line = 1024\n";
    let server = ok(source).config.server;
    assert_eq!(server.socket_mode, 0o600);
    assert_eq!(
        server.socket_group,
        Some(SocketGroup::Name("smppd-clients".into()))
    );
    assert_eq!(server.allowed_uids, [0, 1001]);
    assert_eq!(server.allowed_gids, [998]);
    assert_eq!(server.max_line, 1024);
    for (group, gid) in [("998", 998), ("\"998\"", 998), ("0", 0)] {
        let server = ok(&format!("[server]\nsocket_group = {group}\n"))
            .config
            .server;
        assert_eq!(server.socket_group, Some(SocketGroup::Gid(gid)), "{group}");
    }
}

#[test]
#[rustfmt::skip]
fn bad_socket_keys_name_their_key() {
    for (source, key, line, needle) in [
        ("[server]\nsocket_mode = \"0999\"", "server.socket_mode", 2, "octal"),
        ("[server]\nsocket_mode = \"1777\"", "server.socket_mode", 2, "octal"),
        ("[server]\nsocket_group = \"bad name\"", "server.socket_group", 2, "group name"),
        ("[server]\nsocket_group = \"\"", "server.socket_group", 2, "group name"),
        ("[server]\nsocket_group = -1", "server.socket_group", 2, "not a gid"),
        ("[server]\nsocket_group = true", "server.socket_group", 2, "a group name"),
        ("[server]\nallowed_uids = [-1]", "server.allowed_uids[0]", 2, "u32"),
        ("[server]\nmax_line = 10", "server.max_line", 2, "between 256"),
    ] {
        let problem = problem(source);
        assert_eq!(problem.key.as_deref(), Some(key), "{source}: {problem:?}");
        assert_eq!(problem.position.unwrap().line, line, "{source}");
        assert!(problem.message.contains(needle), "{source}: {}", problem.message);
    }
}

#[test]
fn a_socket_every_user_may_use_is_a_warning() {
    let loaded = ok("[server]\nsocket_mode = \"0666\"\n");
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    assert!(
        loaded.warnings[0].contains(":2:15: server.socket_mode: 0666 lets every local user"),
        "{:?}",
        loaded.warnings
    );
    let guarded = ok("[server]\nsocket_mode = \"0666\"\nallowed_gids = [998]\n");
    assert!(guarded.warnings.is_empty(), "{:?}", guarded.warnings);
}
