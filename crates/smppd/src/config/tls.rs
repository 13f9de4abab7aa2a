//! `[links.tls]`: TLS to the SMSC.

use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use super::Checker;

/// `[links.tls]`: connect with TLS. Every file named here exists and is readable at load time;
/// parsing the PEM is left to the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// `ca_file`: PEM certificates to trust; `None` trusts the webpki roots.
    pub ca_file: Option<PathBuf>,
    /// `server_name`: the name the SMSC's certificate must carry (DNS name or IP address);
    /// defaults to the host of the link's `address`.
    pub server_name: String,
    /// `client_cert` and `client_key`, present together or not at all.
    pub client_auth: Option<ClientAuth>,
}

/// A client certificate for carriers that authenticate the connection itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAuth {
    /// `client_cert`: PEM certificate chain, leaf first.
    pub cert_file: PathBuf,
    /// `client_key`: PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key_file: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of [links.tls] settings")]
pub(super) struct RawTls {
    ca_file: Option<Spanned<String>>,
    server_name: Option<Spanned<String>>,
    client_cert: Option<Spanned<String>>,
    client_key: Option<Spanned<String>>,
}

/// `prefix` is the table's key path (`links[0].tls`); `host` is the host of the link's address.
pub(super) fn validate(
    prefix: &str,
    raw: Spanned<RawTls>,
    host: &str,
    checker: &mut Checker<'_>,
) -> TlsConfig {
    let header = raw.span();
    let raw = raw.into_inner();
    let key = |field: &str| format!("{prefix}.{field}");
    let mut file = |field: &str, value: Spanned<String>, secret: bool| {
        let path = checker.resolve(value.get_ref());
        checker.read_file(&key(field), value.span(), &path, secret);
        path
    };
    let ca_file = raw.ca_file.map(|value| file("ca_file", value, false));
    let client_auth = match (raw.client_cert, raw.client_key) {
        (Some(cert), Some(key)) => Some(ClientAuth {
            cert_file: file("client_cert", cert, false),
            key_file: file("client_key", key, true),
        }),
        (None, None) => None,
        (Some(_), None) => {
            let message = "client_cert is set but client_key is not; set both or neither";
            checker.problem(&key("client_key"), header, message);
            None
        }
        (None, Some(_)) => {
            let message = "client_key is set but client_cert is not; set both or neither";
            checker.problem(&key("client_cert"), header, message);
            None
        }
    };
    let server_name = match raw.server_name {
        Some(name) => {
            if name.get_ref().is_empty() || name.get_ref().contains(char::is_whitespace) {
                let message = "must be a DNS name or an IP address";
                checker.problem(&key("server_name"), name.span(), message);
            }
            name.into_inner()
        }
        None => host.to_owned(),
    };
    TlsConfig {
        ca_file,
        server_name,
        client_auth,
    }
}
