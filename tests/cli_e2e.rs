//! The `switchboard` binary's client commands end to end against a real node on
//! 127.0.0.1: create → list → route, as tables and as `--json`; API errors' exit code and
//! stderr; profiles; publishing and the live tail.

mod support;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use support::node::TestNode;
use support::receiver::Receiver;
use tokio::io::AsyncBufReadExt;
use tokio::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    #[track_caller]
    fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "exit {}; stdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// The binary with a private config dir, file-kept profile keys, and none of the caller's
/// SWITCHBOARD_* connection settings.
fn command(config_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    for var in [
        "SWITCHBOARD_URL",
        "SWITCHBOARD_PROJECT",
        "SWITCHBOARD_API_KEY",
        "SWITCHBOARD_PROFILE",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("SWITCHBOARD_CONFIG_DIR", config_dir)
        .env("SWITCHBOARD_PROFILE_KEY_STORE", "file")
        .env("SWITCHBOARD_LOG", "warn")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    cmd
}

async fn run(mut cmd: Command, args: &[&str]) -> Run {
    let out = tokio::time::timeout(Duration::from_secs(60), cmd.args(args).output())
        .await
        .expect("the command finishes within a minute")
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs the binary against `node` (URL and key from the environment, as in CI).
async fn sb(node: &TestNode, config_dir: &Path, args: &[&str]) -> Run {
    let mut cmd = command(config_dir);
    cmd.env("SWITCHBOARD_URL", &node.base_url)
        .env("SWITCHBOARD_API_KEY", &node.key);
    run(cmd, args).await
}

#[tokio::test(flavor = "multi_thread")]
async fn create_list_and_route_as_tables_and_json() {
    let node = TestNode::start().await;
    let cfg = tempfile::tempdir().unwrap();
    let cfg = cfg.path();

    let topic = sb(&node, cfg, &["topics", "create", "alerts", "--json"])
        .await
        .ok()
        .json();
    assert_eq!(topic["name"], "alerts");
    let topic_id = topic["id"].as_str().unwrap().to_string();

    let hook = sb(
        &node,
        cfg,
        &[
            "destinations",
            "create",
            "hook",
            "--webhook-url",
            "http://127.0.0.1:9/hook",
            "--header",
            "X-Team=ops",
            "--json",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(hook["type"], "webhook");
    assert_eq!(hook["metadata"]["headers"]["X-Team"], "ops");
    let hook_id = hook["id"].as_str().unwrap().to_string();

    // Global flags go before or after the subcommand.
    let table = sb(
        &node,
        cfg,
        &["--project", "default", "destinations", "list"],
    )
    .await
    .ok();
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", table.stdout);
    for col in ["ID", "NAME", "TYPE", "STATUS", "TARGET"] {
        assert!(lines[0].contains(col), "{}", table.stdout);
    }
    for cell in [
        hook_id.as_str(),
        "hook",
        "webhook",
        "active",
        "http://127.0.0.1:9/hook",
    ] {
        assert!(lines[1].contains(cell), "{}", table.stdout);
    }
    let list = sb(&node, cfg, &["destinations", "list", "--json"])
        .await
        .ok()
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1);

    let route = sb(
        &node,
        cfg,
        &[
            "routes",
            "events",
            "create",
            "installation.created",
            "alerts",
            "--json",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(route["eventType"], "installation.created");
    assert_eq!(route["topicId"], topic_id.as_str());
    let route = sb(
        &node,
        cfg,
        &[
            "routes",
            "destinations",
            "create",
            "alerts",
            "hook",
            "--json",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(route["destinationId"], hook_id.as_str());

    let events = sb(&node, cfg, &["routes", "events", "list"]).await.ok();
    assert!(events.stdout.lines().next().unwrap().contains("EVENT TYPE"));
    assert!(events.stdout.contains("installation.created") && events.stdout.contains(&topic_id));
    let filtered = sb(
        &node,
        cfg,
        &[
            "routes",
            "destinations",
            "list",
            "--destination",
            &hook_id,
            "--json",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(filtered.as_array().unwrap().len(), 1);
    assert_eq!(filtered[0]["topicId"], topic_id.as_str());

    let topics = sb(&node, cfg, &["topics", "list"]).await.ok();
    assert!(topics.stdout.contains("alerts"), "{}", topics.stdout);

    // Update (the flags given become the mask), then show the signing key.
    let updated = sb(
        &node,
        cfg,
        &[
            "destinations",
            "update",
            "hook",
            "--name",
            "hook-2",
            "--json",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(updated["name"], "hook-2");
    assert_eq!(updated["metadata"]["headers"]["X-Team"], "ops", "untouched");
    let shown = sb(
        &node,
        cfg,
        &["destinations", "get", "hook-2", "--include-secrets"],
    )
    .await
    .ok();
    assert!(shown.stdout.contains("signing key:"), "{}", shown.stdout);
    assert!(shown.stdout.contains("whsec_"), "{}", shown.stdout);

    let deleted = sb(&node, cfg, &["destinations", "delete", "hook-2"])
        .await
        .ok();
    assert!(deleted.stdout.is_empty());
    assert!(deleted.stderr.contains("deleted destination hook-2"));
    let list = sb(&node, cfg, &["destinations", "list", "--json"])
        .await
        .ok()
        .json();
    assert!(list.as_array().unwrap().is_empty());
    let routes = sb(&node, cfg, &["routes", "destinations", "list", "--json"])
        .await
        .ok()
        .json();
    assert!(
        routes.as_array().unwrap().is_empty(),
        "deleted with the destination"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_exit_non_zero_with_the_problem_on_stderr() {
    let node = TestNode::start().await;
    let cfg = tempfile::tempdir().unwrap();
    let cfg = cfg.path();

    let r = sb(&node, cfg, &["topics", "create", "bad name"]).await;
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains("error: Unprocessable Entity (422)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("  - name: may contain only letters, digits and dashes"),
        "{}",
        r.stderr
    );

    let r = sb(
        &node,
        cfg,
        &[
            "destinations",
            "create",
            "x",
            "--webhook-url",
            "http://example.com/",
        ],
    )
    .await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("  - metadata.url: must start with https://"),
        "{}",
        r.stderr
    );

    sb(&node, cfg, &["topics", "create", "dup"]).await.ok();
    let r = sb(&node, cfg, &["topics", "create", "dup", "--json"]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("Conflict (409)"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("  - name: a topic with this name already exists"),
        "{}",
        r.stderr
    );

    let r = sb(&node, cfg, &["destinations", "get", "nope"]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("error: Not Found (404)"), "{}", r.stderr);
    assert!(
        r.stderr.contains("destination 'nope' was not found"),
        "{}",
        r.stderr
    );

    // No key: 401 and a hint.
    let mut cmd = command(cfg);
    cmd.env("SWITCHBOARD_URL", &node.base_url);
    let r = run(cmd, &["topics", "list"]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("Unauthorized (401)"), "{}", r.stderr);
    assert!(r.stderr.contains("hint:"), "{}", r.stderr);

    // Nothing listening: exit 3.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = run(
        command(cfg),
        &[
            "--url",
            &format!("http://127.0.0.1:{port}"),
            "topics",
            "list",
        ],
    )
    .await;
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("could not reach the node"),
        "{}",
        r.stderr
    );

    // Usage mistakes found after parsing: exit 2, nothing sent.
    let r = sb(&node, cfg, &["destinations", "update", "dup"]).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("nothing to update"), "{}", r.stderr);
    let r = sb(
        &node,
        cfg,
        &["notify", "installation.created", "--data", "{nope"],
    )
    .await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not valid JSON"), "{}", r.stderr);
    let r = sb(&node, cfg, &["--profile", "ghost", "topics", "list"]).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("no profile named 'ghost'"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_hold_url_project_and_key() {
    let node = TestNode::start().await;
    let cfg_dir = tempfile::tempdir().unwrap();
    let cfg = cfg_dir.path();

    let added = run(
        command(cfg),
        &[
            "profiles",
            "add",
            "test",
            "--url",
            &node.base_url,
            "--api-key",
            &node.key,
        ],
    )
    .await
    .ok();
    assert!(
        added.stdout.contains("key:") && added.stdout.contains("file"),
        "{}",
        added.stdout
    );
    let config = std::fs::read_to_string(cfg.join("config.toml")).unwrap();
    assert!(
        !config.contains(&node.key),
        "no key in the config:\n{config}"
    );
    assert!(std::fs::read_to_string(cfg.join("credentials.toml"))
        .unwrap()
        .contains(&node.key));

    // The current profile is used without any flag.
    run(command(cfg), &["topics", "create", "via-profile"])
        .await
        .ok();
    let listed = run(command(cfg), &["topics", "list", "--json"])
        .await
        .ok()
        .json();
    assert_eq!(listed[0]["name"], "via-profile");

    run(
        command(cfg),
        &[
            "profiles",
            "add",
            "elsewhere",
            "--url",
            "http://127.0.0.1:1",
        ],
    )
    .await
    .ok();
    let list = run(command(cfg), &["profiles", "list"]).await.ok();
    let current: Vec<&str> = list.stdout.lines().filter(|l| l.starts_with('*')).collect();
    assert_eq!(current.len(), 1, "{}", list.stdout);
    assert!(current[0].contains("test"), "{}", list.stdout);

    run(command(cfg), &["profiles", "use", "elsewhere"])
        .await
        .ok();
    let r = run(command(cfg), &["topics", "list"]).await;
    assert_eq!(
        r.code, 3,
        "the current profile points nowhere: {}",
        r.stderr
    );
    run(command(cfg), &["--profile", "test", "topics", "list"])
        .await
        .ok();
    let mut env_profile = command(cfg);
    env_profile.env("SWITCHBOARD_PROFILE", "test");
    run(env_profile, &["topics", "list"]).await.ok();

    // A bare --url uses no profile, so no stored key goes to a URL it was not stored for.
    let r = run(command(cfg), &["--url", &node.base_url, "topics", "list"]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("Unauthorized (401)"), "{}", r.stderr);
    // Flags override a profile's fields.
    let r = run(
        command(cfg),
        &["--profile", "test", "--project", "nope", "topics", "list"],
    )
    .await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("project 'nope' was not found"),
        "{}",
        r.stderr
    );

    run(command(cfg), &["profiles", "remove", "test"])
        .await
        .ok();
    assert!(!std::fs::read_to_string(cfg.join("credentials.toml"))
        .unwrap()
        .contains(&node.key));
    let left = run(command(cfg), &["profiles", "list", "--json"])
        .await
        .ok()
        .json();
    assert_eq!(left.as_array().unwrap().len(), 1);
    assert_eq!(left[0]["name"], "elsewhere");
    assert_eq!(left[0]["current"], true);
    let r = run(command(cfg), &["profiles", "use", "test"]).await;
    assert_eq!(r.code, 2);

    // The key can come from stdin instead of the command line.
    let mut cmd = command(cfg);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .args([
            "profiles",
            "add",
            "piped",
            "--url",
            &node.base_url,
            "--api-key-stdin",
            "--use",
        ])
        .spawn()
        .unwrap();
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(format!("{}\n", node.key).as_bytes())
            .await
            .unwrap();
    }
    let out = child.wait_with_output().await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    run(command(cfg), &["topics", "list"]).await.ok();
}

// ---- Publishing and the live tail ----

/// Wires installation.created → topic → a log destination (it delivers to a file, so no
/// receiver is needed), through the CLI.
async fn wire_log(node: &TestNode, cfg: &Path) {
    sb(
        node,
        cfg,
        &["destinations", "create", "audit", "--type", "log"],
    )
    .await
    .ok();
    sb(node, cfg, &["topics", "create", "installs"]).await.ok();
    sb(
        node,
        cfg,
        &[
            "routes",
            "events",
            "create",
            "installation.created",
            "installs",
        ],
    )
    .await
    .ok();
    sb(
        node,
        cfg,
        &["routes", "destinations", "create", "installs", "audit"],
    )
    .await
    .ok();
}

fn payload_file(dir: &Path) -> String {
    let data = switchboard::payload::notification::example_data(
        switchboard::model::EventType::InstallationCreated,
    );
    let path = dir.join("data.json");
    std::fs::write(&path, serde_json::to_vec(&data).unwrap()).unwrap();
    format!("@{}", path.display())
}

/// A running `switchboard tail --json`: its stdout lines as JSON, its stderr lines as text.
struct Tail {
    child: tokio::process::Child,
    events: tokio::sync::mpsc::UnboundedReceiver<Value>,
    notes: tokio::sync::mpsc::UnboundedReceiver<String>,
}

impl Tail {
    async fn start(node_url: &str, key: &str, cfg: &Path, args: &[&str]) -> Tail {
        use tokio::io::AsyncBufReadExt;
        let mut cmd = command(cfg);
        cmd.env("SWITCHBOARD_URL", node_url)
            .env("SWITCHBOARD_API_KEY", key)
            .args(["tail", "--json"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let (etx, events) = tokio::sync::mpsc::unbounded_channel();
        let (ntx, notes) = tokio::sync::mpsc::unbounded_channel();
        let mut out = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        tokio::spawn(async move {
            while let Ok(Some(line)) = out.next_line().await {
                let v: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("tail printed non-JSON ({e}): {line}"));
                let _ = etx.send(v);
            }
        });
        let mut err = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        tokio::spawn(async move {
            while let Ok(Some(line)) = err.next_line().await {
                let _ = ntx.send(line);
            }
        });
        Tail {
            child,
            events,
            notes,
        }
    }

    async fn note_containing(&mut self, text: &str) -> String {
        loop {
            let line = tokio::time::timeout(Duration::from_secs(20), self.notes.recv())
                .await
                .unwrap_or_else(|_| panic!("tail never said '{text}'"))
                .expect("tail's stderr is open");
            if line.contains(text) {
                return line;
            }
        }
    }

    async fn event(&mut self) -> Value {
        tokio::time::timeout(Duration::from_secs(20), self.events.recv())
            .await
            .expect("an event within 20 s")
            .expect("tail's stdout is open")
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn notify_then_tail_shows_the_delivery() {
    let node = TestNode::start().await;
    let cfg_dir = tempfile::tempdir().unwrap();
    let cfg = cfg_dir.path();
    wire_log(&node, cfg).await;

    let mut tail = Tail::start(&node.base_url, &node.key, cfg, &["--count", "2"]).await;
    tail.note_containing("connected").await;

    let data = payload_file(cfg);
    let published = sb(
        &node,
        cfg,
        &["notify", "installation.created", "--data", &data],
    )
    .await
    .ok();
    assert!(
        published.stdout.starts_with("notification "),
        "{}",
        published.stdout
    );
    assert!(published.stdout.contains("audit"), "{}", published.stdout);

    let created = tail.event().await;
    assert_eq!(created["kind"], "message.created");
    assert_eq!(created["data"]["destinationName"], "audit");
    let message_id = created["data"]["messageId"].as_str().unwrap().to_string();
    let delivered = tail.event().await;
    assert_eq!(delivered["kind"], "attempt.succeeded");
    assert_eq!(delivered["data"]["messageId"], message_id.as_str());
    assert!(delivered["id"].as_u64().unwrap() > created["id"].as_u64().unwrap());
    let status = tokio::time::timeout(Duration::from_secs(10), tail.child.wait())
        .await
        .expect("tail stops after --count events")
        .unwrap();
    assert!(status.success());

    // The message, as tables and JSON.
    let list = sb(&node, cfg, &["messages", "list", "--status", "delivered"])
        .await
        .ok();
    assert!(
        list.stdout.contains(&message_id) && list.stdout.contains("delivered"),
        "{}",
        list.stdout
    );
    let shown = sb(&node, cfg, &["messages", "get", &message_id]).await.ok();
    assert!(shown.stdout.contains("payload:"), "{}", shown.stdout);
    assert!(
        shown.stdout.contains("installation.created"),
        "{}",
        shown.stdout
    );
    let m = sb(&node, cfg, &["messages", "get", &message_id, "--json"])
        .await
        .ok()
        .json();
    assert_eq!(m["payload"]["notificationType"], "installation.created");
    assert_eq!(m["attempts"][0]["succeeded"], true);
    let resent = sb(&node, cfg, &["messages", "resend", &message_id, "--json"])
        .await
        .ok()
        .json();
    assert_eq!(resent["id"], message_id.as_str());

    // Same idempotency key: the first answer again.
    let notify_k1 = [
        "notify",
        "installation.created",
        "--data",
        &data,
        "--idempotency-key",
        "k1",
        "--json",
    ];
    let a = sb(&node, cfg, &notify_k1).await.ok().json();
    let b = sb(&node, cfg, &notify_k1).await.ok().json();
    assert_eq!(a["notificationId"], b["notificationId"]);

    // A publish the node refuses: its issues on stderr.
    let r = sb(
        &node,
        cfg,
        &["notify", "installation.created", "--data", "{}"],
    )
    .await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("(422)") && r.stderr.contains("  - data."),
        "{}",
        r.stderr
    );
    let stats = sb(&node, cfg, &["stats"]).await.ok().json();
    assert!(stats["destinations"].is_array(), "{stats}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tail_reconnects_across_a_node_restart() {
    let data_dir = tempfile::tempdir().unwrap();
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let start = || {
        let mut config = support::node::config(data_dir.path());
        config.listen = addr;
        TestNode::start_with(config)
    };
    let node = start().await;
    let cfg_dir = tempfile::tempdir().unwrap();
    let cfg = cfg_dir.path();
    wire_log(&node, cfg).await;
    let data = payload_file(cfg);

    let mut tail = Tail::start(&node.base_url, &node.key, cfg, &["--count", "4"]).await;
    tail.note_containing("connected").await;
    sb(
        &node,
        cfg,
        &["notify", "installation.created", "--data", &data],
    )
    .await
    .ok();
    assert_eq!(tail.event().await["kind"], "message.created");
    let before = tail.event().await;
    assert_eq!(before["kind"], "attempt.succeeded");

    let key = node.key.clone();
    tokio::time::timeout(Duration::from_secs(20), node.node.shutdown())
        .await
        .expect("the node shuts down while `tail` is connected")
        .unwrap();
    tail.note_containing("disconnected").await;
    let node = start().await;
    assert_eq!(node.key, key);
    let resumed = tail.note_containing("resuming after event").await;
    assert!(resumed.contains(&before["id"].to_string()), "{resumed}");

    sb(
        &node,
        cfg,
        &["notify", "installation.created", "--data", &data],
    )
    .await
    .ok();
    let after = tail.event().await;
    assert_eq!(after["kind"], "message.created");
    assert!(after["id"].as_u64().unwrap() > before["id"].as_u64().unwrap());
    assert_eq!(tail.event().await["kind"], "attempt.succeeded");
    let status = tokio::time::timeout(Duration::from_secs(10), tail.child.wait())
        .await
        .expect("tail stops after --count events")
        .unwrap();
    assert!(status.success());
}

/// Client commands offer only what a client uses: the node's own options (data directory,
/// secret store, settings file, log format) belong to `serve` and `keys`, where they act.
#[tokio::test]
async fn client_commands_show_only_client_options() {
    let dir = tempfile::tempdir().unwrap();
    const NODE_OPTIONS: [&str; 4] = ["--data-dir", "--secret-store", "--config", "--log-format"];
    for client in [
        &["routes", "events", "create", "--help"][..],
        &["destinations", "list", "--help"],
        &["tail", "--help"],
    ] {
        let help = run(command(dir.path()), client).await;
        assert_eq!(help.code, 0, "{}", help.stderr);
        for option in NODE_OPTIONS {
            assert!(!help.stdout.contains(option), "{client:?} offers {option}");
        }
        assert!(help.stdout.contains("--url"), "{}", help.stdout);
    }
    for node in [&["serve", "--help"][..], &["keys", "create", "--help"]] {
        let help = run(command(dir.path()), node).await;
        for option in NODE_OPTIONS {
            assert!(help.stdout.contains(option), "{node:?} lacks {option}");
        }
    }
    // Given to a client command anyway, a node option is a usage error, not ignored.
    let misplaced = run(
        command(dir.path()),
        &["--data-dir", "/tmp", "topics", "list"],
    )
    .await;
    assert_eq!(misplaced.code, 2, "{}", misplaced.stderr);
}

/// `topics create` wires the topic's routes in the same call, `topics update` replaces them.
#[tokio::test(flavor = "multi_thread")]
async fn a_topic_is_created_and_rewired_with_its_routes() {
    let node = TestNode::start().await;
    let cfg = tempfile::tempdir().unwrap();
    let cfg = cfg.path();
    node.webhook("hook", "http://127.0.0.1:9/hook").await;
    let routes = || async {
        let events = node
            .get(&node.p("/notification-event-topic-routes"))
            .await
            .body;
        let mut events: Vec<String> = events
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["eventType"].as_str().unwrap().to_string())
            .collect();
        events.sort();
        let feeds = node.get(&node.p("/topic-destination-routes")).await.body;
        (events, feeds.as_array().unwrap().len())
    };
    let bad = sb(
        &node,
        cfg,
        &["topics", "create", "installs", "--event-type", "nope"],
    )
    .await;
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("nope"), "{}", bad.stderr);
    sb(
        &node,
        cfg,
        &[
            "topics",
            "create",
            "installs",
            "--event-type",
            "installation.created",
            "--event-type",
            "installation.deleted",
            "--destination",
            "hook",
        ],
    )
    .await
    .ok();
    assert_eq!(
        routes().await,
        (
            vec!["installation.created".into(), "installation.deleted".into()],
            1
        )
    );
    sb(
        &node,
        cfg,
        &[
            "topics",
            "update",
            "installs",
            "--event-types",
            "installation.updated",
            "--destinations",
        ],
    )
    .await
    .ok();
    assert_eq!(routes().await, (vec!["installation.updated".into()], 0));
}

/// `inspect` checks a body and its signature here, and through the node with a
/// destination's keys; its exit code says whether everything checked out.
#[tokio::test(flavor = "multi_thread")]
async fn inspect_explains_a_body_and_its_signature() {
    let node = TestNode::start().await;
    let cfg = tempfile::tempdir().unwrap();
    let dir = cfg.path();
    // The published Standard Webhooks vector.
    let body = dir.join("body.json");
    std::fs::write(
        &body,
        r#"{"email":"test@example.com","username":"test_user"}"#,
    )
    .unwrap();
    let body = body.to_str().unwrap();
    let vector = [
        "-H",
        "webhook-id: msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
        "-H",
        "webhook-timestamp: 1649367553",
        "-H",
        "webhook-signature: v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
    ];
    let mut args = vec!["inspect", body];
    args.extend(vector);
    args.extend([
        "--secret",
        "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
        "--json",
    ]);
    let r = sb(&node, dir, &args).await;
    // The signature matches, but 2022's timestamp is far outside the tolerance.
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["kind"], "json");
    assert_eq!(
        report["signature"]["headerSets"][0]["signatures"][0]["matchedSecret"],
        "given 1"
    );
    assert!(report["signature"]["causes"][0]
        .as_str()
        .unwrap()
        .contains("s old"));

    // A notification the node delivered, checked through the node with its keys.
    let mut rx = Receiver::start().await;
    node.webhook("hook", &rx.url("/")).await;
    node.wire("t", &["connection.created"], &["hook"]).await;
    node.notify("connection.created").await;
    let got = rx.next(Duration::from_secs(10)).await;
    let delivered = dir.join("delivered.json");
    std::fs::write(&delivered, &got.body).unwrap();
    let headers: Vec<String> = ["webhook-id", "webhook-timestamp", "webhook-signature"]
        .iter()
        .map(|h| format!("{h}: {}", got.header(h)))
        .collect();
    let mut args = vec![
        "inspect",
        delivered.to_str().unwrap(),
        "--destination",
        "hook",
    ];
    for h in &headers {
        args.extend(["-H", h.as_str()]);
    }
    let r = sb(&node, dir, &args).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("`connection.created` notification: valid; signature verified"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("matches the hook's current secret"),
        "{}",
        r.stdout
    );
}

/// `inbox create --destination`, then `inbox wait` returns the delivery as it arrives;
/// `inbox rules` changes the answers at once; a wait with nothing coming times out with 1.
#[tokio::test(flavor = "multi_thread")]
async fn inbox_commands_capture_and_wait_for_a_delivery() {
    let node = TestNode::start().await;
    let cfg = tempfile::tempdir().unwrap();
    let cfg = cfg.path();
    let made = sb(
        &node,
        cfg,
        &["inbox", "create", "ci", "--destination", "--json"],
    )
    .await
    .ok()
    .json();
    let destination = made["destinationId"].as_str().unwrap().to_string();
    node.wire(
        "t",
        &["installation.created", "connection.created"],
        &[&destination],
    )
    .await;
    let mut wait = command(cfg);
    wait.env("SWITCHBOARD_URL", &node.base_url)
        .env("SWITCHBOARD_API_KEY", &node.key)
        .args([
            "inbox",
            "wait",
            "--inbox",
            "ci",
            "--type",
            "installation.created",
            "--timeout",
            "20s",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = wait.spawn().unwrap();
    // Publish once it says it is waiting (its start point is taken).
    let mut stderr = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let said = stderr.next_line().await.unwrap().unwrap_or_default();
    assert!(said.starts_with("waiting for a capture in ci"), "{said}");
    // Something else first: the wait is for installation.created only.
    node.notify("connection.created").await;
    node.notify("installation.created").await;
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::new(),
    };
    assert_eq!(
        r.code,
        0,
        "{}\ncaptures: {}\nmessages: {}",
        r.stdout,
        node.get(&node.p("/inboxes/ci/captures")).await.body,
        node.get(&node.p("/messages")).await.body
    );
    let capture: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        capture["body"]
            .as_str()
            .unwrap()
            .contains("installation.created"),
        "{capture}"
    );

    let rules = sb(
        &node,
        cfg,
        &["inbox", "rules", "ci", r#"[{"status": 503}]"#, "--json"],
    )
    .await
    .ok()
    .json();
    assert_eq!(rules["rules"][0]["status"], 503);
    let listed = sb(&node, cfg, &["inbox", "captures", "ci"]).await.ok();
    assert!(listed.stdout.contains("POST"), "{}", listed.stdout);
    let har = sb(&node, cfg, &["inbox", "export", "ci", "--format", "har"])
        .await
        .ok();
    har::from_str(&har.stdout).expect("HAR 1.2");
    // Replayed to the inbox itself: its new rule answers 503.
    let id = capture["id"].as_str().unwrap();
    let url = made["captureUrl"].as_str().unwrap();
    let replayed = sb(
        &node,
        cfg,
        &["inbox", "replay", "ci", id, "--to", url, "--json"],
    )
    .await
    .ok()
    .json();
    assert_eq!(replayed["status"], 503, "{replayed}");
    let timed_out = sb(
        &node,
        cfg,
        &["inbox", "wait", "--inbox", "ci", "--timeout", "300ms"],
    )
    .await;
    assert_eq!(timed_out.code, 1, "{}", timed_out.stderr);
    assert!(
        timed_out.stderr.contains("within 300ms"),
        "{}",
        timed_out.stderr
    );
}

/// `integrations validate` checks an amp.yaml without a node: `FILE:LINE:COL` per issue,
/// exit 1 on an error.
#[tokio::test(flavor = "multi_thread")]
async fn integrations_validate_points_at_each_issue() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("amp.yaml");
    std::fs::write(
        &file,
        "specVersion: 1.0.0\nintegrations:\n  - name: r\n    provider: hubspot\n    read:\n      objects:\n        - objectName: contact\n          destination: hook\n          schedule: \"* * * * *\"\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    // No node answers here (port 1 is closed): the manifest alone is checked.
    let no_node = || {
        let mut cmd = command(dir.path());
        cmd.env("SWITCHBOARD_URL", "http://127.0.0.1:1");
        cmd
    };
    let r = run(no_node(), &["integrations", "validate", path]).await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains(&format!(
            "{path}:9:21: error: schedule '* * * * *' must not have '*' in the minute field"
        )),
        "{}",
        r.stdout
    );
    std::fs::write(
        &file,
        std::fs::read_to_string(&file)
            .unwrap()
            .replace("* * * * *", "*/10 * * * *"),
    )
    .unwrap();
    let r = run(no_node(), &["integrations", "validate", path]).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("destinations were not checked"),
        "{}",
        r.stderr
    );
}

/// `integrations deploy` against a node: the node's issues as `FILE:LINE:COL` (a
/// destination that does not exist included), exit 1; fixed, it deploys, lists, and
/// `reads records generate` fills the object's source for a group.
#[tokio::test(flavor = "multi_thread")]
async fn integrations_deploy_and_reads_records_against_a_node() {
    let node = TestNode::start().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("amp.yaml");
    let manifest = "specVersion: 1.0.0\nintegrations:\n  - name: r\n    provider: hubspot\n    read:\n      objects:\n        - objectName: contact\n          destination: hook\n          schedule: \"*/30 * * * *\"\n          requiredFields:\n            - fieldName: email\n";
    std::fs::write(&file, manifest).unwrap();
    let path = file.to_str().unwrap();
    let r = sb(&node, dir.path(), &["integrations", "deploy", path]).await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!(
            "{path}:8:24: error: destination 'hook' does not exist in project 'default'"
        )),
        "{}",
        r.stdout
    );
    let r = sb(&node, dir.path(), &["integrations", "validate", path]).await;
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains(":8:24: error: destination 'hook'"),
        "{}",
        r.stdout
    );

    node.webhook("hook", "http://127.0.0.1:9/never").await;
    sb(&node, dir.path(), &["integrations", "deploy", path])
        .await
        .ok();
    let r = sb(&node, dir.path(), &["integrations", "list"]).await.ok();
    assert!(
        r.stdout.contains("contact") && r.stdout.contains("*/30 * * * *"),
        "{}",
        r.stdout
    );

    let r = sb(
        &node,
        dir.path(),
        &[
            "reads",
            "records",
            "generate",
            "--object",
            "contact",
            "--count",
            "250",
            "--group-ref",
            "acme",
            "--json",
        ],
    )
    .await
    .ok();
    assert_eq!(r.json()["accepted"], 250);
    let records = dir.path().join("records.ndjson");
    std::fs::write(
        &records,
        "{\"Id\":\"x1\",\"Modified\":\"2026-12-01T00:00:00Z\"}\n{\"Id\":\"x2\"}\n",
    )
    .unwrap();
    let r = sb(
        &node,
        dir.path(),
        &[
            "reads",
            "records",
            "add",
            records.to_str().unwrap(),
            "--object",
            "contact",
            "--group-ref",
            "acme",
            "--id-field",
            "Id",
            "--update-time-field",
            "Modified",
        ],
    )
    .await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("[1].Modified"), "{}", r.stderr);
    // Without --group-ref and no installation, it says what to add.
    let r = sb(
        &node,
        dir.path(),
        &[
            "reads", "records", "generate", "--object", "contact", "--count", "1",
        ],
    )
    .await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--group-ref"), "{}", r.stderr);
}
