//! Webhook delivery over TLS: receivers behind https on loopback, with certificates made
//! here (a CA and a certificate it signed, and a self-signed one), and a node told to trust
//! the CA (`delivery.ca-certificates`).

mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rcgen::{CertificateParams, KeyPair};
use serde_json::Value;
use support::certs::TestCa;
use support::node::{fast_delivery, TestNode};
use support::receiver::Receiver;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

const WAIT: Duration = Duration::from_secs(15);

/// A server certificate for `localhost` and its key.
struct ServerCert {
    der: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl ServerCert {
    fn tls_config(&self) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![self.der.clone()],
                PrivateKeyDer::Pkcs8(self.key.clone_key()),
            )
            .unwrap();
        Arc::new(config)
    }
}

/// A CA (as PEM) and a `localhost` certificate it signed.
fn ca_and_signed() -> (String, ServerCert) {
    let ca = TestCa::new();
    let (cert, key) = ca.sign(CertificateParams::new(vec!["localhost".to_string()]).unwrap());
    let signed = ServerCert {
        der: cert.der().clone(),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
    };
    (ca.pem(), signed)
}

/// A `localhost` certificate nobody vouches for.
fn self_signed() -> ServerCert {
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    ServerCert {
        der: cert.der().clone(),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
    }
}

/// The message of a publish response bound for `destination`.
fn message_for<'a>(published: &'a Value, destination: &str) -> &'a str {
    published["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["destinationName"] == destination)
        .and_then(|m| m["id"].as_str())
        .unwrap_or_else(|| panic!("no message for {destination}: {published}"))
}

#[tokio::test]
async fn webhooks_reach_receivers_with_a_trusted_certificate_and_fail_as_tls_otherwise() {
    let (ca_pem, signed) = ca_and_signed();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("internal-ca.pem");
    std::fs::write(&ca_file, ca_pem).unwrap();
    let mut trusted = Receiver::start_tls(signed.tls_config()).await;
    let mut untrusted = Receiver::start_tls(self_signed().tls_config()).await;
    let n = TestNode::start_configured(|c| {
        c.delivery = fast_delivery(&[0]);
        c.delivery.ca_certificates = vec![ca_file.clone()];
    })
    .await;
    n.webhook("trusted", &trusted.url("/hooks")).await;
    n.webhook("untrusted", &untrusted.url("/hooks")).await;
    n.wire("t", &["connection.created"], &["trusted", "untrusted"])
        .await;

    let published = n.notify("connection.created").await;
    assert_eq!(published.status, 202, "{}", published.body);

    // Over TLS, signed and whole, like any delivery.
    let got = trusted.next(WAIT).await;
    assert_eq!(got.json()["notificationType"], "connection.created");
    assert!(got.header("webhook-signature").starts_with("v1,"));
    let delivered = n
        .wait_message(message_for(&published.body, "trusted"), WAIT, |m| {
            m["status"] == "delivered"
        })
        .await;
    assert_eq!(delivered["attempts"][0]["statusCode"], 204);

    // A certificate the node cannot chain to a root it trusts: no request is sent, and
    // the attempt says why, classed for operators as TLS (not "connect").
    let failed = n
        .wait_message(message_for(&published.body, "untrusted"), WAIT, |m| {
            m["status"] == "exhausted"
        })
        .await;
    let attempt = &failed["attempts"][0];
    assert_eq!(attempt["errorClass"], "tls", "{failed}");
    let error = attempt["error"].as_str().unwrap();
    assert!(error.contains("certificate"), "{error}");
    // Exhausted is final: nothing reached the untrusted receiver, and nothing will.
    untrusted.assert_nothing_arrived();
}

#[tokio::test]
async fn a_ca_file_without_a_certificate_stops_the_node_from_starting() {
    let dir = tempfile::tempdir().unwrap();
    let empty: PathBuf = dir.path().join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let mut config = support::node::config(&dir.path().join("data"));
    config.delivery.ca_certificates = vec![empty];
    let started =
        switchboard::node::Node::start(config, tokio_util::sync::CancellationToken::new()).await;
    let error = format!("{:#}", started.err().expect("the node refused to start"));
    assert!(error.contains("holds no PEM certificate"), "{error}");
}

/// A certificate signed by a trusted CA that is `for_host` and valid `from`..`until`.
fn signed_by_ca(for_host: &str, until: (i32, u8, u8)) -> (String, ServerCert) {
    let ca = TestCa::new();
    let mut params = CertificateParams::new(vec![for_host.to_string()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2019, 1, 1);
    params.not_after = rcgen::date_time_ymd(until.0, until.1, until.2);
    let (cert, key) = ca.sign(params);
    let server = ServerCert {
        der: cert.der().clone(),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
    };
    (ca.pem(), server)
}

/// Rows of the receiver fault table: an expired certificate and one for another host fail
/// as `tls` (and are retried like any failure), though a trusted CA signed both.
#[tokio::test]
async fn an_expired_certificate_and_one_for_another_host_fail_as_tls() {
    let dir = tempfile::tempdir().unwrap();
    for (name, host, until, expect) in [
        ("expired", "localhost", (2020, 1, 1), "expired"),
        (
            "elsewhere",
            "other.example",
            (2100, 1, 1),
            "not valid for name",
        ),
    ] {
        let (ca_pem, cert) = signed_by_ca(host, until);
        let ca_file = dir.path().join(format!("{name}-ca.pem"));
        std::fs::write(&ca_file, ca_pem).unwrap();
        let mut rx = Receiver::start_tls(cert.tls_config()).await;
        let n = TestNode::start_configured(|c| {
            c.delivery = fast_delivery(&[0, 60_000]);
            c.delivery.ca_certificates = vec![ca_file.clone()];
        })
        .await;
        n.webhook(name, &rx.url("/hooks")).await;
        n.wire("t", &["connection.created"], &[name]).await;
        let published = n.notify("connection.created").await;
        let m = n
            .wait_message(message_for(&published.body, name), WAIT, |m| {
                m["status"] == "retrying"
            })
            .await;
        let attempt = &m["attempts"][0];
        assert_eq!(attempt["errorClass"], "tls", "{name}: {m}");
        let error = attempt["error"].as_str().unwrap();
        assert!(error.to_lowercase().contains(expect), "{name}: {error}");
        rx.assert_nothing_arrived();
    }
}
