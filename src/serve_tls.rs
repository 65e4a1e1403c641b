//! `serve --tls-cert/--tls-key`: the node's listener over TLS (rustls with the `ring`
//! provider, TLS 1.2 and 1.3), so a remote console and CLI never send API keys or session
//! cookies in clear.

use std::sync::Arc;

use anyhow::Context;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::PrivateKeyDer;

use crate::config::TlsFiles;

/// The server's TLS settings from its PEM files; a file without what it should hold is an
/// error naming the file.
pub fn server_config(files: &TlsFiles) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    // Read as the CA files of `delivery.ca-certificates` are: a file without any is an error.
    let chain = crate::sinks::http::read_certificates(std::slice::from_ref(&files.cert))?;
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .with_context(|| format!("reading the TLS key {}", files.key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("the TLS key does not belong to the certificate")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
