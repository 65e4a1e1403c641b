//! Secret values never reach the SQLite file in clear, with either backend, and survive
//! restarts.

mod support;

use serde_json::json;
use support::node::{contains, TestNode};
use switchboard::config::NodeConfig;
use switchboard::secrets::SecretBackendKind;

const AWS_SECRET: &str = "aws-secret-key-value-0123456789";
const AWS_TOKEN: &str = "aws-session-token-value-0123456789";

/// Writes secrets of every kind through the API and checks the database bytes for each.
async fn secrets_stay_out_of_the_database(n: &TestNode) {
    n.webhook("hook", "https://h.example/").await;
    let r = n
        .post(
            &n.p("/destinations"),
            json!({"name": "stream", "type": "kinesis", "metadata": {"streamName": "s", "region": "eu-west-1"},
                   "secrets": {"awsKeyId": "AKIDEXAMPLE", "awsSecretKey": AWS_SECRET, "awsSessionToken": AWS_TOKEN}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let first = n
        .get(&n.p("/destinations/hook?includeSecrets=true"))
        .await
        .body["secrets"]["webhookSigningKey"]
        .as_str()
        .unwrap()
        .to_string();
    let rotated = n.get(&n.p("/destinations/hook?rotate=true")).await.body["secrets"]
        ["webhookSigningKey"]
        .as_str()
        .unwrap()
        .to_string();
    let created_key = n.post("/v1/keys", json!({"name": "extra"})).await.body["secret"]
        .as_str()
        .unwrap()
        .to_string();

    // Checkpoint the WAL so the main file holds everything too, then look at all bytes.
    // (On a connection of its own: the node's read door is read-only.)
    rusqlite::Connection::open(n.data_dir.join("switchboard.db"))
        .unwrap()
        .query_row("PRAGMA wal_checkpoint(FULL)", [], |_| Ok(()))
        .unwrap();
    let bytes = n.database_bytes();
    assert!(!bytes.is_empty());
    for (what, secret) in [
        ("signing key", first.as_str()),
        ("rotated signing key", rotated.as_str()),
        ("AWS secret key", AWS_SECRET),
        ("AWS session token", AWS_TOKEN),
        ("admin API key", n.key.as_str()),
        ("created API key", created_key.as_str()),
    ] {
        assert!(
            !contains(&bytes, secret),
            "the {what} is in the database file in clear"
        );
        // Nor its base64 body without the prefix.
        let body = secret.trim_start_matches("whsec_");
        assert!(
            !contains(&bytes, body),
            "the {what} body is in the database file"
        );
    }
}

#[tokio::test]
async fn file_backend_encrypts_secrets_at_rest() {
    let n = TestNode::start().await;
    secrets_stay_out_of_the_database(&n).await;
    let key_file = n.data_dir.join("master.key");
    assert!(key_file.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

/// Runs against the OS keyring (Secret Service). `scripts/test` provides one through
/// gnome-keyring in a private D-Bus session and sets SWITCHBOARD_TEST_KEYRING=required.
#[tokio::test]
async fn keyring_backend_keeps_secrets_in_the_os_keyring() {
    if std::env::var("SWITCHBOARD_TEST_KEYRING").as_deref() != Ok("required") {
        eprintln!("SKIPPED: no keyring session (run through scripts/test, which provides one)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut config = NodeConfig::new(dir.path().to_path_buf());
    config.secret_backend = SecretBackendKind::Keyring;
    let n = TestNode::start_with(config).await;
    assert_eq!(n.node.state().secrets.backend_name(), "keyring");
    secrets_stay_out_of_the_database(&n).await;
    assert!(
        !dir.path().join("master.key").exists(),
        "the keyring backend needs no key file"
    );

    // Deleting a destination removes its secrets from the keyring too, and a restart with
    // the keyring finds the remaining ones.
    let signing = n
        .get(&n.p("/destinations/hook?includeSecrets=true"))
        .await
        .body["secrets"]["webhookSigningKey"]
        .clone();
    let node_id = switchboard::store::meta::get(&n.node.state().store, "node_id")
        .await
        .unwrap()
        .unwrap();
    n.node.shutdown().await.unwrap();
    let mut config = NodeConfig::new(dir.path().to_path_buf());
    config.secret_backend = SecretBackendKind::Auto;
    let n = TestNode::start_with(config).await;
    assert_eq!(
        n.node.state().secrets.backend_name(),
        "keyring",
        "the first choice is kept"
    );
    let again = n.get(&n.p("/destinations/hook?includeSecrets=true")).await;
    assert_eq!(again.body["secrets"]["webhookSigningKey"], signing);
    let hook_id = again.body["id"].as_str().unwrap().to_string();
    assert_eq!(n.delete(&n.p("/destinations/hook")).await.status, 204);
    let entry = keyring::Entry::new(
        "switchboard",
        &format!("{node_id}/destination/{hook_id}/webhookSigningKey"),
    )
    .unwrap();
    assert!(matches!(entry.get_password(), Err(keyring::Error::NoEntry)));
}

#[tokio::test]
async fn a_restart_on_the_same_data_directory_keeps_everything() {
    let n = TestNode::start().await;
    let project = n.post("/v1/projects", json!({"name": "second"})).await.body;
    let topic = n.topic("t").await;
    let hook = n.webhook("hook", "https://h.example/").await;
    n.post(
        &n.p("/notification-event-topic-routes"),
        json!({"eventType": "connection.error", "topicId": topic["id"]}),
    )
    .await;
    n.post(
        &n.p("/topic-destination-routes"),
        json!({"topicId": topic["id"], "destinationId": hook["id"]}),
    )
    .await;
    let secret_before = n
        .get(&n.p("/destinations/hook?includeSecrets=true"))
        .await
        .body["secrets"]
        .clone();
    let key_before = n.key.clone();

    let n = n.restart().await;
    assert_eq!(n.key, key_before, "no new admin key on a restart");
    assert_eq!(n.node.new_admin_key, None);
    let projects = n.get("/v1/projects").await.body;
    assert_eq!(projects.as_array().unwrap().len(), 2);
    assert_eq!(projects[1], project);
    assert_eq!(n.get(&n.p("/topics")).await.body[0], topic);
    let hook_after = n
        .get(&n.p("/destinations/hook?includeSecrets=true"))
        .await
        .body;
    assert_eq!(hook_after["secrets"], secret_before);
    assert_eq!(hook_after["id"], hook["id"]);
    assert_eq!(
        n.get(&n.p("/notification-event-topic-routes"))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        n.get(&n.p("/topic-destination-routes"))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
