//! TLS with rustls, configured from the connection string as libpq reads it (feature `tls`).
//!
//! [`ConnectConfig::from_url`] reads `sslmode` and `sslrootcert` (which `tokio-postgres` does
//! not know, or knows only in part), and returns the driver's `Config` with the connector that
//! does what the mode says:
//!
//! | `sslmode` | encrypted | certificate checked |
//! |---|---|---|
//! | `disable` | never | — |
//! | `prefer` (the default, as libpq's) | when the server offers TLS, else plaintext | no |
//! | `require` | always (fails on a server without TLS) | no; with `sslrootcert`, the chain as `verify-ca` (libpq's rule) |
//! | `verify-ca` | always | chain to a trusted root, any host name |
//! | `verify-full` | always | chain and host name |
//!
//! `prefer` only protects against passive eavesdropping on a server that offers TLS: an active
//! attacker can answer "no TLS" and read everything. Use `require` or stronger for anything
//! that crosses a network you do not control. Trusted roots come from `sslrootcert=<file>`
//! (PEM), else from the system's store (`sslrootcert=system` says so explicitly). Client
//! certificates (`sslcert`/`sslkey`) are not supported yet and are refused, not ignored.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
pub use tokio_postgres_rustls::MakeRustlsConnect;

/// How a connection uses TLS, as libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Option<SslMode> {
        Some(match value {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }
}

/// A connection string read with its TLS settings: the driver's configuration and the
/// connector to pass to `connect`.
#[derive(Clone)]
pub struct ConnectConfig {
    pub config: tokio_postgres::Config,
    pub tls: MakeRustlsConnect,
    pub ssl_mode: SslMode,
}

impl fmt::Debug for ConnectConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectConfig")
            .field("config", &self.config)
            .field("ssl_mode", &self.ssl_mode)
            .finish_non_exhaustive()
    }
}

/// Why a connection string's TLS settings cannot be used.
#[derive(Debug)]
pub enum TlsError {
    /// The rest of the connection string is not valid for `tokio-postgres`.
    Config(tokio_postgres::Error),
    /// An `sslmode` libpq does not have (`allow` is not supported: it would retry in plaintext).
    SslMode(String),
    /// An option squill does not support, which would otherwise be silently ignored.
    Unsupported(&'static str),
    /// `sslrootcert` cannot be read or holds no certificate.
    RootCert { path: PathBuf, message: String },
    /// No root certificate in the system's store, and no `sslrootcert`.
    NoSystemRoots(String),
    /// rustls refused the configuration.
    Rustls(rustls::Error),
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::Config(e) => write!(f, "invalid connection string: {e}"),
            TlsError::SslMode(mode) => write!(
                f,
                "unsupported sslmode `{mode}`: use disable, prefer, require, verify-ca or verify-full"
            ),
            TlsError::Unsupported(option) => write!(
                f,
                "`{option}` is not supported (client certificates): remove it, or authenticate with a password"
            ),
            TlsError::RootCert { path, message } => {
                write!(f, "cannot use sslrootcert {}: {message}", path.display())
            }
            TlsError::NoSystemRoots(message) => write!(
                f,
                "no trusted root certificate in the system's store ({message}): give one with sslrootcert=<file>"
            ),
            TlsError::Rustls(e) => write!(f, "TLS configuration: {e}"),
        }
    }
}

impl std::error::Error for TlsError {}

impl ConnectConfig {
    /// Reads `url` (`postgres://...?sslmode=...` or `host=... sslmode=...`).
    pub fn from_url(url: &str) -> Result<ConnectConfig, TlsError> {
        let options = extract_options(url, &["sslmode", "sslrootcert", "sslcert", "sslkey"]);
        let mut ssl_mode = SslMode::Prefer;
        let mut root_cert = None;
        for (key, value) in &options.taken {
            match key.as_str() {
                "sslmode" => {
                    ssl_mode =
                        SslMode::parse(value).ok_or_else(|| TlsError::SslMode(value.clone()))?
                }
                "sslrootcert" => root_cert = Some(value.clone()),
                "sslcert" => return Err(TlsError::Unsupported("sslcert")),
                _ => return Err(TlsError::Unsupported("sslkey")),
            }
        }
        let mut config: tokio_postgres::Config = options.rest.parse().map_err(TlsError::Config)?;
        config.ssl_mode(match ssl_mode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            _ => tokio_postgres::config::SslMode::Require,
        });
        let tls = connector(ssl_mode, root_cert.as_deref())?;
        Ok(ConnectConfig {
            config,
            tls,
            ssl_mode,
        })
    }
}

/// The connector for `mode`: libpq's verification rules.
pub fn connector(mode: SslMode, root_cert: Option<&str>) -> Result<MakeRustlsConnect, TlsError> {
    // ring builds with a C compiler alone (aws-lc-rs, rustls's default, wants cmake-level
    // tooling); rustls deprecates it only for lacking post-quantum key exchange.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Rustls)?;
    let verify_chain = match mode {
        SslMode::Disable | SslMode::Prefer => false,
        // libpq: with a root certificate given, `require` checks the chain as `verify-ca`.
        SslMode::Require => root_cert.is_some_and(|path| path != "system"),
        SslMode::VerifyCa | SslMode::VerifyFull => true,
    };
    let config = if !verify_chain {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unverified(provider)))
            .with_no_client_auth()
    } else {
        let roots = Arc::new(roots(root_cert)?);
        if mode == SslMode::VerifyFull {
            builder.with_root_certificates(roots).with_no_client_auth()
        } else {
            let chain = WebPkiServerVerifier::builder_with_provider(roots, provider)
                .build()
                .map_err(|e| TlsError::Rustls(rustls::Error::General(e.to_string())))?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(ChainOnly(chain)))
                .with_no_client_auth()
        }
    };
    Ok(MakeRustlsConnect::new(config))
}

/// `sslrootcert`'s certificates, or the system's.
fn roots(root_cert: Option<&str>) -> Result<RootCertStore, TlsError> {
    let mut store = RootCertStore::empty();
    match root_cert {
        Some(path) if path != "system" => {
            let path = Path::new(path);
            let fail = |message: String| TlsError::RootCert {
                path: path.to_path_buf(),
                message,
            };
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| fail(e.to_string()))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| fail(e.to_string()))?;
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(fail("no PEM certificate in it".into()));
            }
        }
        _ => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                let why = found
                    .errors
                    .first()
                    .map_or_else(|| "it is empty".to_string(), ToString::to_string);
                return Err(TlsError::NoSystemRoots(why));
            }
        }
    }
    Ok(store)
}

/// `prefer` and `require` without a root certificate: encrypted, peer not authenticated (as
/// libpq). The handshake's signatures are still checked, so the session key is the peer's.
#[derive(Debug)]
struct Unverified(Arc<CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain must lead to a trusted root; the host name is not compared.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // webpki checks the chain first and the name last: a name error means the chain passed.
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// A connection string with some options taken out.
struct Extracted {
    /// The string without them, as `tokio-postgres` parses it.
    rest: String,
    /// The options taken, in order, values decoded.
    taken: Vec<(String, String)>,
}

/// Takes `keys` out of a URL's query string or a `key=value` string.
fn extract_options(url: &str, keys: &[&str]) -> Extracted {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let Some((base, query)) = url.split_once('?') else {
            return Extracted {
                rest: url.to_string(),
                taken: Vec::new(),
            };
        };
        let mut kept = Vec::new();
        let mut taken = Vec::new();
        for pair in query.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(key);
            if keys.contains(&key.as_str()) {
                taken.push((key, percent_decode(value)));
            } else {
                kept.push(pair);
            }
        }
        let rest = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        return Extracted { rest, taken };
    }
    let mut kept = Vec::new();
    let mut taken = Vec::new();
    for (key, value, raw) in key_values(url) {
        if keys.contains(&key.as_str()) {
            taken.push((key, value));
        } else {
            kept.push(raw);
        }
    }
    Extracted {
        rest: kept.join(" "),
        taken,
    }
}

/// `key = value` pairs of a libpq keyword/value string: (key, unquoted value, raw text).
/// Malformed text is kept raw so that `tokio-postgres` reports it.
fn key_values(text: &str) -> Vec<(String, String, &str)> {
    let bytes = text.as_bytes();
    let mut pairs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == bytes.len() {
            break;
        }
        let start = i;
        while i < bytes.len() && bytes[i] != b'=' && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = text[start..i].to_string();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
        }
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = Vec::new();
        let quoted = i < bytes.len() && bytes[i] == b'\'';
        if quoted {
            i += 1;
        }
        while i < bytes.len() {
            let b = bytes[i];
            if quoted && b == b'\'' {
                i += 1;
                break;
            }
            if !quoted && b.is_ascii_whitespace() {
                break;
            }
            if b == b'\\' && i + 1 < bytes.len() {
                i += 1;
            }
            value.push(bytes[i]);
            i += 1;
        }
        let value = String::from_utf8_lossy(&value).into_owned();
        pairs.push((key, value, &text[start..i]));
    }
    pairs
}

/// `%XX` escapes of a URL component (invalid ones kept as written).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_tls_options_out_of_urls() {
        let e = extract_options(
            "postgres://u@h/db?sslmode=verify-full&application_name=x&sslrootcert=%2Ftmp%2Fca.pem",
            &["sslmode", "sslrootcert"],
        );
        assert_eq!(e.rest, "postgres://u@h/db?application_name=x");
        assert_eq!(
            e.taken,
            [
                ("sslmode".to_string(), "verify-full".to_string()),
                ("sslrootcert".to_string(), "/tmp/ca.pem".to_string())
            ]
        );
    }

    #[test]
    fn takes_tls_options_out_of_keyword_strings() {
        let e = extract_options(
            "host=h sslrootcert = '/a b/c\\'s.pem' dbname=x sslmode=require",
            &["sslmode", "sslrootcert"],
        );
        assert_eq!(e.rest, "host=h dbname=x");
        assert_eq!(e.taken[0].1, "/a b/c's.pem");
        assert_eq!(e.taken[1].1, "require");
    }

    #[test]
    fn refuses_what_it_would_otherwise_ignore() {
        let err = ConnectConfig::from_url("postgres://h/db?sslmode=allow").unwrap_err();
        assert!(matches!(err, TlsError::SslMode(_)), "{err}");
        let err = ConnectConfig::from_url("host=h sslcert=/c.pem").unwrap_err();
        assert!(matches!(err, TlsError::Unsupported("sslcert")), "{err}");
        let err = ConnectConfig::from_url("host=h sslmode=verify-ca sslrootcert=/nonexistent")
            .unwrap_err();
        assert!(matches!(err, TlsError::RootCert { .. }), "{err}");
    }

    #[test]
    fn maps_libpq_modes_onto_the_driver() {
        use tokio_postgres::config::SslMode as Driver;
        for (url, mode) in [
            ("postgres://h/db", Driver::Prefer),
            ("postgres://h/db?sslmode=disable", Driver::Disable),
            ("postgres://h/db?sslmode=require", Driver::Require),
        ] {
            assert_eq!(
                ConnectConfig::from_url(url).unwrap().config.get_ssl_mode(),
                mode
            );
        }
    }
}
