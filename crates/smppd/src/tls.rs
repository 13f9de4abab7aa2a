//! TLS for links (`[links.tls]`), through rustls with the ring provider.

use crate::config::TlsConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::TlsConnector;

/// Why a link's TLS settings could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A certificate or key file could not be read or parsed.
    #[error("{path}: {problem}")]
    File {
        /// The file.
        path: String,
        /// What is wrong with it.
        problem: String,
    },
    /// rustls refused the settings.
    #[error("TLS settings: {0}")]
    Rustls(#[from] rustls::Error),
    /// `server_name` is not a DNS name or IP address.
    #[error("server_name {0:?} is not a valid DNS name or IP address")]
    ServerName(String),
}

/// A connector and the name to verify, ready for every connect of a link.
#[derive(Clone)]
pub struct Tls {
    /// The connector.
    pub connector: TlsConnector,
    /// The name the SMSC's certificate must carry.
    pub server_name: ServerName<'static>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

impl Tls {
    /// Builds the client configuration: the CA file's roots (else the webpki roots), and the
    /// client certificate when one is configured.
    pub fn new(config: &TlsConfig) -> Result<Tls, TlsError> {
        let mut roots = rustls::RootCertStore::empty();
        match &config.ca_file {
            Some(path) => {
                for cert in read_certs(path)? {
                    roots.add(cert)?;
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots);
        let client = match &config.client_auth {
            Some(auth) => {
                let certs = read_certs(&auth.cert_file)?;
                let key = read_key(&auth.key_file)?;
                builder.with_client_auth_cert(certs, key)?
            }
            None => builder.with_no_client_auth(),
        };
        let server_name = ServerName::try_from(config.server_name.clone())
            .map_err(|_| TlsError::ServerName(config.server_name.clone()))?;
        Ok(Tls {
            connector: TlsConnector::from(Arc::new(client)),
            server_name,
        })
    }
}

fn file_error(path: &Path, problem: impl ToString) -> TlsError {
    TlsError::File {
        path: path.display().to_string(),
        problem: problem.to_string(),
    }
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let file = File::open(path).map_err(|e| file_error(path, e))?;
    let certs = rustls_pemfile::certs(&mut BufReader::new(file))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_error(path, e))?;
    if certs.is_empty() {
        return Err(file_error(path, "no PEM certificate found"));
    }
    Ok(certs)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let file = File::open(path).map_err(|e| file_error(path, e))?;
    rustls_pemfile::private_key(&mut BufReader::new(file))
        .map_err(|e| file_error(path, e))?
        .ok_or_else(|| file_error(path, "no PEM private key found"))
}
