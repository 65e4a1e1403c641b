//! The real `switchboard` binary: `serve` prints its address and the admin key once, logs
//! no secrets, shuts down gracefully on SIGTERM, and `keys` manages keys on the data dir.

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_switchboard");

struct Served {
    child: Child,
    base_url: String,
    admin_key: Option<String>,
    stderr_path: std::path::PathBuf,
}

/// Starts `switchboard serve` on a free port and reads its banner from stdout.
fn serve(data_dir: &Path, extra_env: &[(&str, &str)], log_format: &str) -> Served {
    let stderr_path = data_dir.with_extension(format!("stderr-{}.log", uuid::Uuid::new_v4()));
    let stderr = std::fs::File::create(&stderr_path).unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args([
        "serve",
        "--data-dir",
        data_dir.to_str().unwrap(),
        "--log-format",
        log_format,
        "--listen",
        "127.0.0.1:0",
    ])
    .env_remove("SWITCHBOARD_SECRET_STORE")
    .env("SWITCHBOARD_SECRET_STORE", "file")
    .stdout(Stdio::piped())
    .stderr(stderr);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn switchboard serve");
    let (base_url, admin_key) = support::served::read_banner(&mut child);
    Served {
        child,
        base_url,
        admin_key,
        stderr_path,
    }
}

const DESTINATIONS: &str = "/v1/projects/default/destinations";

impl Served {
    /// A request to this node's API with `key`.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        key: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = reqwest::Client::new()
            .request(method, format!("{}{path}", self.base_url))
            .header("X-Api-Key", key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    async fn get_json(&self, path: &str, key: &str) -> Value {
        let response = self.call(reqwest::Method::GET, path, key, None).await;
        response.json().await.unwrap()
    }

    async fn post(&self, path: &str, key: &str, body: Value) -> reqwest::Response {
        self.call(reqwest::Method::POST, path, key, Some(body))
            .await
    }
}

fn terminate(mut served: Served) -> String {
    let pid = served.child.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(s) = served.child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "node did not stop within 20 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "graceful shutdown exits 0, got {exit}");
    std::fs::read_to_string(&served.stderr_path).unwrap()
}

#[tokio::test]
async fn serve_prints_the_key_once_logs_no_secrets_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let served = serve(&data, &[], "json");
    let key = served
        .admin_key
        .clone()
        .expect("first start prints the admin key");
    let health: Value = reqwest::get(format!("{}/healthz", served.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let created = served
        .post(DESTINATIONS, &key, json!({"name": "k", "type": "kinesis", "metadata": {"streamName": "s", "region": "us-east-1"},
                      "secrets": {"awsKeyId": "AKID", "awsSecretKey": "very-secret-aws-key-42"}}))
        .await;
    assert_eq!(created.status(), 201);
    let hook: Value = served
        .post(
            DESTINATIONS,
            &key,
            json!({"name": "h", "type": "webhook", "metadata": {"url": "https://h.example"}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let signing = served
        .get_json(&format!("{DESTINATIONS}/h?includeSecrets=true"), &key)
        .await;
    let signing = signing["secrets"]["webhookSigningKey"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(hook["name"], "h");

    let log = terminate(served);
    for line in log.lines() {
        let entry: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
        assert!(entry["level"].is_string(), "{line}");
    }
    for secret in [key.as_str(), "very-secret-aws-key-42", signing.as_str()] {
        assert!(!log.contains(secret), "a secret reached the log");
    }

    // A restart prints no key; the old key still works; data is intact.
    let served = serve(&data, &[], "text");
    assert_eq!(served.admin_key, None);
    let listed = served.get_json(DESTINATIONS, &key).await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    terminate(served);
}

#[test]
fn keys_commands_manage_keys_on_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(["keys", "--data-dir", data, "--secret-store", "file"])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, out, _) = run(&["create", "--name", "deploy"]);
    assert!(ok);
    let new_key = out.lines().last().unwrap().trim().to_string();
    assert!(new_key.starts_with("sbk_"), "{out}");
    let (ok, listing, _) = run(&["list"]);
    assert!(ok);
    assert!(
        listing.contains("admin") && listing.contains("deploy"),
        "{listing}"
    );
    assert!(!listing.contains(&new_key), "list never shows key values");
    let (ok, _, _) = run(&["revoke", "deploy"]);
    assert!(ok);
    let (_, listing, _) = run(&["list"]);
    assert!(
        listing
            .lines()
            .any(|l| l.contains("deploy") && l.contains("revoked")),
        "{listing}"
    );
    let (ok, _, err) = run(&["revoke", "deploy"]);
    assert!(!ok, "revoking twice fails");
    assert!(err.contains("no active key"), "{err}");
}

#[tokio::test]
async fn a_master_key_from_the_environment_replaces_the_key_file() {
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key_a = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let key_b = base64::engine::general_purpose::STANDARD.encode([8u8; 32]);
    let signing_key = format!("{DESTINATIONS}/h?includeSecrets=true");

    let served = serve(&data, &[("SWITCHBOARD_MASTER_KEY", &key_a)], "text");
    let admin = served.admin_key.clone().unwrap();
    let created = served
        .post(
            DESTINATIONS,
            &admin,
            json!({"name": "h", "type": "webhook", "metadata": {"url": "https://h.example"}}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let first = served.get_json(&signing_key, &admin).await;
    assert!(first["secrets"]["webhookSigningKey"].is_string(), "{first}");
    terminate(served);
    assert!(
        !data.join("master.key").exists(),
        "the environment's key is used, no key file is written"
    );

    // The same master key opens the secrets again; another one cannot.
    let served = serve(&data, &[("SWITCHBOARD_MASTER_KEY", &key_a)], "text");
    let again = served.get_json(&signing_key, &admin).await;
    assert_eq!(again["secrets"], first["secrets"]);
    terminate(served);
    // With a wrong master key the node refuses to start, and says why.
    let out = Command::new(BIN)
        .args([
            "serve",
            "--data-dir",
            data.to_str().unwrap(),
            "--secret-store",
            "file",
            "--listen",
            "127.0.0.1:0",
        ])
        .env("SWITCHBOARD_MASTER_KEY", &key_b)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("could not be decrypted"), "{err}");
}

#[test]
fn a_settings_file_sets_the_retry_schedule_and_bad_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        "[delivery]\nretry-schedule = [\"0s\", \"1s\"]\ntimeout = \"3s\"\n",
    )
    .unwrap();
    let parsed = switchboard::config::FileConfig::load(&good).unwrap();
    let mut config = switchboard::config::NodeConfig::new(dir.path().to_path_buf());
    parsed.apply(&mut config);
    assert_eq!(
        config.delivery.retry_schedule,
        vec![Duration::ZERO, Duration::from_secs(1)]
    );
    assert_eq!(config.delivery.timeout, Duration::from_secs(3));

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[delivery]\nretry-schedul = [\"0s\"]\n").unwrap();
    let out = Command::new(BIN)
        .args([
            "keys",
            "list",
            "--config",
            bad.to_str().unwrap(),
            "--data-dir",
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("retry-schedul"), "{err}");
}

/// `switchboard openapi` needs no node, and prints exactly what a running node serves at
/// /openapi.json (CI checks the UI's generated bindings against it).
#[tokio::test]
async fn the_openapi_command_prints_what_a_node_serves() {
    let out = Command::new(BIN)
        .arg("openapi")
        .env_remove("SWITCHBOARD_CONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();

    let node = support::node::TestNode::start().await;
    // Public: no key needed.
    let resp = reqwest::get(node.url("/openapi.json")).await.unwrap();
    assert_eq!(resp.status(), 200);
    let served = resp.text().await.unwrap();
    assert_eq!(printed.strip_suffix('\n'), Some(served.as_str()));

    let doc: Value = serde_json::from_str(&served).unwrap();
    assert!(doc["paths"]["/v1/projects/{projectIdOrName}/destinations"]["post"].is_object());
    assert!(doc["components"]["securitySchemes"]["APIKeyHeader"].is_object());
}

/// The shutdown handlers are in place before the node says it listens: a SIGTERM sent the
/// moment the banner appears is a graceful stop, not the default action's kill.
#[test]
fn a_sigterm_right_after_the_banner_is_a_graceful_stop() {
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let served = serve(&dir.path().join("data"), &[], "text");
        terminate(served);
    }
}

/// Shell completions and the manual page come from the same command definitions.
#[test]
fn completions_and_the_manual_page_are_printed() {
    for (shell, marker) in [
        ("bash", "_switchboard()"),
        ("zsh", "#compdef switchboard"),
        ("fish", "complete -c switchboard"),
    ] {
        let out = Command::new(BIN)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains(marker),
            "{shell}: {}",
            &text[..200.min(text.len())]
        );
        assert!(
            text.contains("integrations"),
            "{shell} completes the subcommands"
        );
    }
    let out = Command::new(BIN).arg("man").output().unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH switchboard 1"), "{page}");
    assert!(page.contains("serve"));
}
