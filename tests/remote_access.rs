//! A node reached over a network: `serve` over TLS (a client and profile trusting a custom
//! CA), the console's session cookie (`Secure` over TLS, `SameSite=Strict`, writes only
//! from the console's own origin), wrong-key logins slowed per address, and API keys that
//! are read-only, for one project, or expiring.

mod support;

use std::time::Duration;

use rcgen::{CertificateParams, SanType};
use reqwest::header::{ORIGIN, SET_COOKIE};
use serde_json::{json, Value};
use support::certs::TestCa;
use support::node::TestNode;
use switchboard::client::{Client, ClientConfig};

/// A CA (PEM) and, signed by it, a certificate for localhost and 127.0.0.1 with its key
/// (PEM), written into `dir`: (ca, cert, key) paths.
fn certificates(
    dir: &std::path::Path,
) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let ca = TestCa::new();
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params
        .subject_alt_names
        .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
    let (cert, key) = ca.sign(params);
    let paths = (
        dir.join("ca.pem"),
        dir.join("node.pem"),
        dir.join("node.key"),
    );
    std::fs::write(&paths.0, ca.pem()).unwrap();
    std::fs::write(&paths.1, cert.pem()).unwrap();
    std::fs::write(&paths.2, key.serialize_pem()).unwrap();
    paths
}

fn trusting(ca: &std::path::Path) -> reqwest::Client {
    let pem = std::fs::read(ca).unwrap();
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap()
}

#[tokio::test]
async fn serve_over_tls_with_a_custom_ca_and_a_secure_session_cookie() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(dir.path());
    let n = TestNode::start_configured(|c| {
        c.tls = Some(switchboard::config::TlsFiles {
            cert: cert.clone(),
            key: key.clone(),
        })
    })
    .await;
    let base = n.url("");
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let http = trusting(&ca);
    let health = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);

    // A client that does not trust the CA, or speaks plain HTTP, gets nowhere.
    let untrusting = reqwest::Client::new()
        .get(format!("{base}/healthz"))
        .send()
        .await;
    assert!(untrusting.is_err(), "an untrusted certificate was accepted");
    let plain = base.replacen("https://", "http://", 1);
    let clear = reqwest::Client::new()
        .get(format!("{plain}/healthz"))
        .send()
        .await;
    assert!(clear.map(|r| r.status() != 200).unwrap_or(true));

    // Switchboard's client (and so the CLI and profiles) with the CA.
    let mut config = ClientConfig::new(base.clone(), "default").api_key(n.key.clone());
    config.ca_cert = Some(ca.clone());
    let client = Client::new(config).unwrap();
    let topic = client
        .create_topic(&switchboard::model::requests::CreateTopicRequest::named(
            "over-tls",
        ))
        .await
        .unwrap();
    assert_eq!(topic.name, "over-tls");

    // The console's cookie never travels in clear.
    let login = http
        .post(format!("{base}/v1/session"))
        .json(&json!({"apiKey": n.key}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 204);
    let cookie = login.headers()[SET_COOKIE].to_str().unwrap().to_string();
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
}

/// Logs in with the node's key; the session cookie as a `Cookie` header value.
async fn session(n: &TestNode) -> String {
    let login = reqwest::Client::new()
        .post(n.url("/v1/session"))
        .json(&json!({"apiKey": n.key}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 204);
    let cookie = login.headers()[SET_COOKIE].to_str().unwrap();
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    cookie.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn a_session_cookie_changes_nothing_from_another_origin() {
    let n = TestNode::start().await;
    let cookie = session(&n).await;
    let own = n.url("");
    let http = reqwest::Client::new();
    let create = |origin: Option<&str>, name: &str| {
        let mut request = http
            .post(n.url("/v1/projects/default/topics"))
            .header("cookie", &cookie)
            .json(&json!({"name": name}));
        if let Some(o) = origin {
            request = request.header(ORIGIN, o);
        }
        request.send()
    };
    // Another site (a page on another port of this host is same-site, so SameSite alone
    // would let the cookie through), or a request that says nothing of where it is from.
    for (origin, name) in [
        (Some("http://127.0.0.1:1"), "forged-port"),
        (Some("https://evil.example"), "forged-site"),
        (None, "unsaid"),
    ] {
        let r = create(origin, name).await.unwrap();
        assert_eq!(r.status(), 403, "{origin:?}");
        let problem: Value = r.json().await.unwrap();
        assert!(problem["detail"].as_str().unwrap().contains("own origin"));
    }
    assert_eq!(
        n.get("/v1/projects/default/topics").await.body,
        json!([]),
        "nothing was created"
    );
    // The console itself.
    let r = create(Some(&own), "console").await.unwrap();
    assert_eq!(r.status(), 201);
    // Reading needs no origin.
    let r = http
        .get(n.url("/v1/projects/default/topics"))
        .header("cookie", &cookie)
        .header(ORIGIN, "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Nor may another site log a browser in.
    let r = http
        .post(n.url("/v1/session"))
        .header(ORIGIN, "https://evil.example")
        .json(&json!({"apiKey": n.key}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn logins_with_wrong_keys_are_slowed_per_address() {
    let n = TestNode::start_configured(|c| c.clock = switchboard::time::Clock::manual()).await;
    let login = |key: &str| n.post("/v1/session", json!({"apiKey": key}));
    for _ in 0..5 {
        assert_eq!(login("sbk_wrong").await.status, 401);
    }
    let slowed = login("sbk_wrong").await;
    assert_eq!(slowed.status, 429, "{}", slowed.body);
    assert_eq!(slowed.body["retryable"], true);
    // While it waits, not even the right key is looked at.
    assert_eq!(login(&n.key).await.status, 429);
    n.advance(Duration::from_millis(1_100));
    assert_eq!(login(&n.key).await.status, 204);
    // A success clears the address.
    assert_eq!(login("sbk_wrong").await.status, 401);
}

#[tokio::test]
async fn keys_can_be_read_only_for_one_project_and_expiring() {
    let n = TestNode::start_configured(|c| c.clock = switchboard::time::Clock::manual()).await;
    assert_eq!(
        n.post("/v1/projects", json!({"name": "other"}))
            .await
            .status,
        201
    );
    let make = |body: Value| n.post("/v1/keys", body);
    let as_key = |key: &str, method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut request = reqwest::Client::new()
            .request(method, n.url(path))
            .header("x-api-key", key);
        if let Some(b) = body {
            request = request.json(&b);
        }
        request.send()
    };
    let secret =
        |created: &support::node::Reply| created.body["secret"].as_str().unwrap().to_string();

    let reader = make(json!({"name": "reader", "readOnly": true})).await;
    assert_eq!(reader.status, 201, "{}", reader.body);
    assert_eq!(reader.body["readOnly"], true);
    let reader = secret(&reader);
    let r = as_key(
        &reader,
        reqwest::Method::GET,
        "/v1/projects/default/topics",
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let r = as_key(
        &reader,
        reqwest::Method::POST,
        "/v1/projects/default/topics",
        Some(json!({"name": "x"})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 403);
    let r = as_key(
        &reader,
        reqwest::Method::POST,
        "/v1/keys",
        Some(json!({"name": "escalate"})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 403, "a read-only key makes no keys");

    let scoped = make(json!({"name": "other-only", "project": "other"})).await;
    assert_eq!(scoped.status, 201, "{}", scoped.body);
    let other_id = n.get("/v1/projects/other").await.body["id"].clone();
    assert_eq!(scoped.body["projectId"], other_id);
    let scoped = secret(&scoped);
    for (path, status) in [
        ("/v1/projects/other/topics", 200),
        ("/v1/projects/default/topics", 403),
        ("/v1/projects/no-such/topics", 403),
        ("/v1/keys", 403),
        ("/v1/projects", 403),
        ("/v1/event-types", 200),
    ] {
        let r = as_key(&scoped, reqwest::Method::GET, path, None)
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{path}");
    }
    let r = as_key(
        &scoped,
        reqwest::Method::POST,
        "/v1/projects/other/topics",
        Some(json!({"name": "mine"})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201);

    let brief = make(json!({"name": "brief", "expiresIn": "1h"})).await;
    assert_eq!(brief.status, 201, "{}", brief.body);
    assert!(brief.body["expireTime"].is_string(), "{}", brief.body);
    let brief = secret(&brief);
    let r = as_key(
        &brief,
        reqwest::Method::GET,
        "/v1/projects/default/topics",
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    n.advance(Duration::from_secs(3601));
    let r = as_key(
        &brief,
        reqwest::Method::GET,
        "/v1/projects/default/topics",
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 401, "expired");

    // Refusals name the field.
    make(json!({"name": "bad", "expiresIn": "soon"}))
        .await
        .expect_problem(422, &["expiresIn"]);
    make(json!({"name": "bad", "readOnly": "yes"}))
        .await
        .expect_problem(422, &["readOnly"]);
    assert_eq!(
        make(json!({"name": "bad", "project": "nope"})).await.status,
        404
    );
}
