//! Read actions end to end with a real node and real receivers: deploying `amp.yaml`
//! (issues with line and column), installations and their notifications, backfill,
//! scheduled, triggered and on-request reads delivered as webhook messages, pausing, and
//! the local record source's refusals. Schedules run on the node's manual clock.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{json, Value};
use support::node::TestNode;
use support::receiver::{Received, Receiver};
use switchboard::payload::webhook_message::validate_webhook_message;

const WAIT: Duration = Duration::from_secs(20);

/// Ampersand's full example from the read-actions page.
const FULL_EXAMPLE: &str = r#"specVersion: 1.0.0
integrations: 
  - name: readSalesforce
    provider: salesforce
    read:
      objects:
      
        - objectName: account
          destination: accountWebhook
          schedule: "*/10 * * * *" # every 10 minutes
          # Read all accounts when integration is installed
          backfill:
            defaultPeriod:
              fullHistory: true
          requiredFields:
            - fieldName: id
            - fieldName: name
            - fieldName: industry
          optionalFields:
            - fieldName: annualrevenue
            - fieldName: website
                
        - objectName: contact
          destination: contactWebhook
          schedule: "*/10 * * * *" # every 10 minutes
          # Read contacts from the last 30 days when integration is installed
          backfill:
            defaultPeriod:
              days: 30
          requiredFields:
            - fieldName: id
            - fieldName: firstname
            - fieldName: lastname
            - mapToName: pronoun
              mapToDisplayName: Pronoun
              prompt: We will use this word in emails we send out.
          # All other field are optional
          optionalFieldsAuto: all
"#;

struct Setup {
    node: TestNode,
    accounts: Receiver,
    contacts: Receiver,
    notifications: Receiver,
}

/// A node on a manual clock with the example's two destinations, a third that receives
/// every installation and read notification, and the example deployed.
async fn setup() -> Setup {
    let node = TestNode::start_configured(|c| c.clock = switchboard::time::Clock::manual()).await;
    let accounts = Receiver::start().await;
    let contacts = Receiver::start().await;
    let notifications = Receiver::start().await;
    node.webhook("accountWebhook", &accounts.url("/a")).await;
    node.webhook("contactWebhook", &contacts.url("/c")).await;
    let hook = node.webhook("notified", &notifications.url("/n")).await;
    node.wire(
        "reads",
        &[
            "installation.created",
            "installation.updated",
            "installation.deleted",
            "read.backfill.done",
            "read.triggered.done",
            "read.triggered.error",
            "read.schedule.paused",
        ],
        &[hook["id"].as_str().unwrap()],
    )
    .await;
    let r = deploy(&node, FULL_EXAMPLE).await;
    assert_eq!(r.status, 200, "{}", r.body);
    Setup {
        node,
        accounts,
        contacts,
        notifications,
    }
}

async fn deploy(node: &TestNode, yaml: &str) -> support::node::Reply {
    node.send(
        reqwest::Method::PUT,
        &node.p("/integrations:batch"),
        Some(json!({"sourceYaml": yaml})),
    )
    .await
}

fn install_body(group: &str) -> Value {
    json!({
        "groupRef": group,
        "groupName": "XYZ Company",
        "config": {"content": {"provider": "salesforce", "read": {"objects": {
            "contact": {"objectName": "contact", "selectedFields": {"email": true},
                        "selectedFieldMappings": {"pronoun": "pronoun_custom_field"}}
        }}}}
    })
}

async fn install(node: &TestNode, group: &str) -> Value {
    let r = node
        .post(
            &node.p("/integrations/readSalesforce/installations"),
            install_body(group),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

async fn add_records(node: &TestNode, group: &str, records: &[Value]) {
    let r = node
        .post(
            &node.p(&format!(
                "/integrations/readSalesforce/groups/{group}/objects/contact/records"
            )),
            Value::Array(records.to_vec()),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}

fn contact(i: usize, time: &str) -> Value {
    json!({"id": format!("c{i}"), "updatedAt": time, "firstname": format!("F{i}"), "lastname": "L",
           "email": format!("c{i}@example.com"), "pronoun_custom_field": "they", "secret_stuff": i})
}

/// Receives messages until `records` records arrived; returns the messages.
async fn receive_records(r: &mut Receiver, records: usize) -> Vec<Value> {
    let mut got = Vec::new();
    let mut count = 0;
    while count < records {
        let m: Received = r.next(WAIT).await;
        assert!(
            m.body.len() <= 307_200,
            "a message of {} bytes",
            m.body.len()
        );
        let v = m.json();
        assert!(
            validate_webhook_message(&v).is_empty(),
            "{:?}",
            validate_webhook_message(&v)
        );
        count += v["resultInfo"]["numRecords"].as_u64().unwrap() as usize;
        got.push(v);
    }
    assert_eq!(count, records, "more records than expected");
    got
}

async fn notification(r: &mut Receiver, kind: &str) -> Value {
    loop {
        let v = r.next(WAIT).await.json();
        if v["notificationType"] == kind {
            return v;
        }
    }
}

#[tokio::test]
async fn deploy_names_each_issue_with_line_and_column_and_the_full_example_deploys_clean() {
    let s = setup().await;
    let n = &s.node;
    let list = n.get(&n.p("/integrations")).await.body;
    assert_eq!(list[0]["name"], "readSalesforce");
    assert_eq!(list[0]["provider"], "salesforce");
    assert_eq!(list[0]["latestRevision"]["specVersion"], "1.0.0");
    assert_eq!(
        list[0]["readObjects"][1]["nextRuns"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(list[0]["readObjects"][0]["destinationId"].is_string());

    let broken = FULL_EXAMPLE
        .replace("destination: contactWebhook", "destination: nowhere")
        .replace(
            "schedule: \"*/10 * * * *\" # every 10 minutes\n          # Read all",
            "schedule: \"* * * * *\"\n          # Read all",
        );
    let r = deploy(n, &broken).await;
    r.expect_problem(
        422,
        &[
            "integrations[0].read.objects[0].schedule",
            "integrations[0].read.objects[1].destination",
        ],
    );
    let issues = r.body["issues"].as_array().unwrap();
    assert_eq!(
        (issues[0]["line"].as_u64(), issues[0]["column"].as_u64()),
        (Some(10), Some(21))
    );
    assert_eq!(issues[0]["rule"], "schedule");
    assert_eq!(
        (issues[1]["line"].as_u64(), issues[1]["column"].as_u64()),
        (Some(24), Some(24))
    );
    assert!(issues[1]["detail"]
        .as_str()
        .unwrap()
        .contains("'nowhere' does not exist"));

    let r = n
        .send(
            reqwest::Method::PUT,
            &n.p("/integrations:batch"),
            Some(json!({"sourceZipUrl": "https://x/y.zip"})),
        )
        .await;
    r.expect_problem(422, &["sourceZipUrl"]);

    // Nothing of a refused deploy was stored.
    let again = n.get(&n.p("/integrations/readSalesforce")).await.body;
    assert_eq!(
        again["latestRevision"]["id"],
        list[0]["latestRevision"]["id"]
    );
}

#[tokio::test]
async fn installations_announce_created_updated_and_deleted_with_their_configs() {
    let mut s = setup().await;
    let n = &s.node;
    // A config that does not fit the manifest: named field by field, nothing created.
    let mut bad = install_body("g1");
    bad["config"]["content"]["read"]["objects"]["contact"]["selectedFieldMappings"] =
        json!({"nickname": "x"});
    n.post(&n.p("/integrations/readSalesforce/installations"), bad)
        .await
        .expect_problem(
            422,
            &[
                "config.content.read.objects.contact.selectedFieldMappings.nickname",
                "config.content.read.objects.contact.selectedFieldMappings",
            ],
        );

    let inst = install(n, "g1").await;
    let id = inst["id"].as_str().unwrap();
    assert_eq!(inst["group"]["groupRef"], "g1");
    let created = notification(&mut s.notifications, "installation.created").await;
    assert_eq!(created["data"]["installationId"], id);
    assert_eq!(created["data"]["integrationName"], "readSalesforce");
    assert_eq!(
        created["data"]["config"]["read"]["objects"]["contact"]["selectedFieldMappings"]["pronoun"],
        "pronoun_custom_field"
    );

    let path = n.p(&format!("/integrations/readSalesforce/installations/{id}"));
    n.patch(
        &path,
        json!({"updateMask": ["config.content.read.objects.leads"], "installation": {}}),
    )
    .await
    .expect_problem(400, &["updateMask[0]"]);
    n.patch(
        &path,
        json!({"updateMask": ["config.nonsense"], "installation": {}}),
    )
    .await
    .expect_problem(400, &["updateMask[0]"]);
    // A config past 300 KB: the notification carries URLs instead.
    let many: serde_json::Map<String, Value> = (0..12_000)
        .map(|i| (format!("custom_field_number_{i:05}__c"), json!(true)))
        .collect();
    let r = n
        .patch(
            &path,
            json!({"updateMask": ["config.content.read.objects.contact"],
                   "installation": {"config": {"content": {"read": {"objects": {"contact": {
                       "objectName": "contact", "selectedFields": many,
                       "selectedFieldMappings": {"pronoun": "pronoun_custom_field"}}}}}}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let updated = notification(&mut s.notifications, "installation.updated").await;
    let config_url = updated["data"]["configURL"]
        .as_str()
        .expect("config moved to a URL");
    assert!(updated["data"].get("config").is_none());
    let config: Value = reqwest::get(config_url)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        config["read"]["objects"]["contact"]["selectedFields"]
            .as_object()
            .unwrap()
            .len(),
        12_000
    );
    // lastConfig was small enough to stay inline.
    assert_eq!(
        updated["data"]["lastConfig"]["read"]["objects"]["contact"]["selectedFields"],
        json!({"email": true})
    );

    assert_eq!(n.delete(&path).await.status, 204);
    let deleted = notification(&mut s.notifications, "installation.deleted").await;
    assert_eq!(deleted["data"]["installationId"], id);
    assert_eq!(n.get(&path).await.status, 404);
}

#[tokio::test]
async fn backfill_then_scheduled_reads_deliver_every_record_once_with_mappings() {
    let mut s = setup().await;
    let n = &s.node;
    let now = switchboard::time::to_rfc3339(n.node.state().config.clock.now_ms());
    let old = switchboard::time::to_rfc3339(n.node.state().config.clock.now_ms() - 40 * 86_400_000);
    // 1,500 recent contacts, 10 older than the 30-day backfill, and one 400 KB contact.
    let mut records: Vec<Value> = (0..1500).map(|i| contact(i, &now)).collect();
    records.extend((1500..1510).map(|i| contact(i, &old)));
    let mut big = contact(9999, &now);
    big["notes"] = json!("n".repeat(400_000));
    records.push(big);
    for chunk in records.chunks(500) {
        add_records(n, "g1", chunk).await;
    }
    let inst = install(n, "g1").await;
    let id = inst["id"].as_str().unwrap().to_string();

    let messages = receive_records(&mut s.contacts, 1501).await;
    let mut seen = HashSet::new();
    let mut url_messages = 0;
    for m in &messages {
        assert_eq!(m["action"], "read");
        assert_eq!(m["readType"], "backfill");
        assert_eq!(m["installationId"], id.as_str());
        assert_eq!(m["groupName"], "XYZ Company");
        assert_eq!(m["operationId"], messages[0]["operationId"]);
        if m["resultInfo"]["type"] == "url" {
            url_messages += 1;
            let url = m["resultInfo"]["downloadUrl"].as_str().unwrap();
            let result: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
            assert_eq!(result[0]["raw"]["id"], "c9999");
            assert_eq!(result[0]["raw"]["notes"].as_str().unwrap().len(), 400_000);
            assert!(seen.insert("c9999".to_string()));
            continue;
        }
        let result = m["result"].as_array().unwrap();
        assert_eq!(
            m["resultInfo"]["numRecords"].as_u64().unwrap() as usize,
            result.len()
        );
        for e in result {
            let rid = e["raw"]["id"].as_str().unwrap().to_string();
            assert_eq!(e["fields"]["email"], format!("{rid}@example.com"));
            assert_eq!(e["fields"]["firstname"], e["raw"]["firstname"]);
            assert!(
                e["fields"].get("secret_stuff").is_none(),
                "only selected fields: {e}"
            );
            assert_eq!(e["mappedFields"], json!({"pronoun": "they"}));
            assert!(seen.insert(rid), "a record twice");
        }
    }
    assert_eq!(url_messages, 1);
    assert!(messages.len() >= 2, "1,500 records do not fit one message");
    assert!(
        !seen.contains("c1500"),
        "records older than 30 days are not backfilled"
    );
    let done = notification(&mut s.notifications, "read.backfill.done").await;
    assert_eq!(done["data"]["objectName"], "contact");
    let progress = n
        .get(&n.p(&format!(
            "/integrations/readSalesforce/installations/{id}/objects/contact/backfill-progress"
        )))
        .await;
    assert_eq!(progress.body["recordsProcessed"], 1501, "{}", progress.body);

    // Changes after the backfill: one updated, one new. The next scheduled run sends them.
    add_records(n, "g1", &[contact(7, &now), contact(20_000, &now)]).await;
    n.advance(Duration::from_secs(600));
    let later = receive_records(&mut s.contacts, 2).await;
    assert_eq!(later[0]["readType"], "scheduled");
    let ids: HashSet<&str> = later
        .iter()
        .flat_map(|m| m["result"].as_array().unwrap())
        .map(|e| e["raw"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, HashSet::from(["c7", "c20000"]));

    // Triggered: only the window asked for.
    let r = n
        .post(
            &n.p("/integrations/readSalesforce/objects/contact"),
            json!({"groupRef": "g1", "mode": "async",
                   "sinceTimestamp": switchboard::time::to_rfc3339(n.node.state().config.clock.now_ms() - 50 * 86_400_000),
                   "untilTimestamp": switchboard::time::to_rfc3339(n.node.state().config.clock.now_ms() - 35 * 86_400_000)}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let operation = r.body["operationId"].as_str().unwrap().to_string();
    let triggered = receive_records(&mut s.contacts, 10).await;
    assert!(triggered
        .iter()
        .all(|m| m["readType"] == "triggered" && m["operationId"] == operation.as_str()));
    let done = notification(&mut s.notifications, "read.triggered.done").await;
    assert_eq!(done["data"]["objectName"], "contact");
    let op = n.get(&n.p(&format!("/operations/{operation}"))).await.body;
    assert_eq!(op["status"], "success", "{op}");
    assert_eq!(op["metadata"]["progress"]["recordsProcessed"], 10);

    // Paused: a due run sends nothing; unpaused, it does.
    let action = n.p(&format!(
        "/integrations/readSalesforce/installations/{id}:pause"
    ));
    assert_eq!(
        n.post(&action, json!({"objects": ["contact"]}))
            .await
            .status,
        204
    );
    add_records(n, "g1", &[contact(30_000, &now)]).await;
    n.advance(Duration::from_secs(600));
    let state = n
        .get(&n.p(&format!("/integrations/readSalesforce/installations/{id}")))
        .await
        .body;
    assert_eq!(state["readObjects"][0]["paused"], true);
    let action = n.p(&format!(
        "/integrations/readSalesforce/installations/{id}:unpause"
    ));
    assert_eq!(n.post(&action, json!({})).await.status, 204);
    n.advance(Duration::from_secs(600));
    let resumed = receive_records(&mut s.contacts, 1).await;
    assert_eq!(resumed[0]["result"][0]["raw"]["id"], "c30000");
    // The accounts object was not installed: nothing went there.
    assert!(s.accounts.try_next().is_none());
}

#[tokio::test]
async fn a_missing_destination_fails_runs_and_pauses_the_object_after_three() {
    let mut s = setup().await;
    let n = &s.node;
    let inst = install(n, "g2").await;
    let _ = notification(&mut s.notifications, "read.backfill.done").await;
    assert_eq!(
        n.delete(&n.p("/destinations/contactWebhook")).await.status,
        204
    );
    add_records(
        n,
        "g2",
        &[contact(
            1,
            &switchboard::time::to_rfc3339(n.node.state().config.clock.now_ms()),
        )],
    )
    .await;
    let ops_path = n.p(&format!(
        "/integrations/readSalesforce/installations/{}/operations",
        inst["id"].as_str().unwrap()
    ));
    for run in 1..=3 {
        n.advance(Duration::from_secs(600));
        // Each run ends before the clock moves again: the failures are counted in a row.
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let ops = n.get(&ops_path).await.body;
            let failed = ops
                .as_array()
                .unwrap()
                .iter()
                .filter(|o| o["status"] == "failure")
                .count();
            if failed == run {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "run {run} never failed: {ops}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let paused = notification(&mut s.notifications, "read.schedule.paused").await;
    assert!(
        paused["data"]["error"]
            .as_str()
            .unwrap()
            .contains("'contactWebhook' does not exist"),
        "{paused}"
    );
    assert!(paused["data"]["config"]["read"].is_object());
}

#[tokio::test]
async fn an_upload_with_one_bad_record_is_refused_whole() {
    let s = setup().await;
    let n = &s.node;
    let r = n
        .post(
            &n.p("/integrations/readSalesforce/groups/g3/objects/contact/records"),
            json!([{"id": "a", "updatedAt": "2026-12-01T00:00:00Z"}, {"updatedAt": "2026-12-01T00:00:00Z"}, 7, {"id": "b", "updatedAt": "yesterday"}]),
        )
        .await;
    r.expect_problem(422, &["[1].id", "[2]", "[3].updatedAt"]);
    n.post(
        &n.p("/integrations/readSalesforce/groups/g3/objects/lead/records"),
        json!([]),
    )
    .await
    .expect_problem(404, &["objectName"]);
    // Nothing of the refused upload was stored: a new installation backfills nothing.
    let mut s = s;
    install(&s.node, "g3").await;
    let done = notification(&mut s.notifications, "read.backfill.done").await;
    assert_eq!(done["data"]["groupRef"], "g3");
    // The backfill is done, and its messages would have been committed before its end.
    let ops = s
        .node
        .get(&s.node.p(&format!(
            "/integrations/readSalesforce/installations/{}/operations",
            done["data"]["installationId"].as_str().unwrap()
        )))
        .await
        .body;
    assert_eq!(
        ops[0]["metadata"]["progress"]["recordsProcessed"], 0,
        "{ops}"
    );
    assert_eq!(ops[0]["messages"], 0);
}

/// An `onRequest` object delivers at most `pageSize` records a message, and only the
/// pages `deliverResults` asks for.
#[tokio::test]
async fn on_request_objects_deliver_the_pages_asked_for() {
    let mut s = setup().await;
    let n = &s.node;
    let manifest = "specVersion: 1.0.0\nintegrations:\n  - name: paged\n    provider: hubspot\n    read:\n      objects:\n        - objectName: contact\n          destination: contactWebhook\n          schedule: \"*/30 * * * *\"\n          delivery:\n            mode: onRequest\n            pageSize: 50\n          backfill:\n            defaultPeriod:\n              fullHistory: true\n          requiredFields:\n            - fieldName: email\n";
    assert_eq!(deploy(n, manifest).await.status, 200);
    let now = switchboard::time::to_rfc3339(n.node.state().config.clock.now_ms());
    let records: Vec<Value> = (0..120).map(|i| contact(i, &now)).collect();
    let r = n
        .post(
            &n.p("/integrations/paged/groups/p1/objects/contact/records"),
            Value::Array(records),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = n
        .post(
            &n.p("/integrations/paged/installations"),
            json!({"groupRef": "p1", "config": {"content": {"read": {"objects": {"contact": {}}}}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    let _ = notification(&mut s.notifications, "installation.created").await;

    let ask_path = n.p("/integrations/paged/objects/contact:deliverResults");
    let ask = |pages: i64| n.post(&ask_path, json!({"groupRef": "p1", "pages": pages}));
    assert_eq!(ask(2).await.status, 204);
    let first = receive_records(&mut s.contacts, 100).await;
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|m| m["resultInfo"]["numRecords"] == 50));
    // Nothing more until asked: the backfill waits with its credit spent.
    let state = n
        .get(&n.p(&format!("/integrations/paged/installations/{id}")))
        .await
        .body;
    assert_eq!(state["readObjects"][0]["backfill"], "running", "{state}");
    assert_eq!(state["readObjects"][0]["pageCredit"], 0);
    assert!(s.contacts.try_next().is_none());
    assert_eq!(ask(5).await.status, 204);
    let rest = receive_records(&mut s.contacts, 20).await;
    assert_eq!(rest.len(), 1);
    let done = notification(&mut s.notifications, "read.backfill.done").await;
    assert_eq!(done["data"]["installationId"], id.as_str());
    // A group without an installation of the integration: 404 naming groupRef.
    n.post(
        &n.p("/integrations/readSalesforce/objects/contact:deliverResults"),
        json!({"groupRef": "p1", "pages": 1}),
    )
    .await
    .expect_problem(404, &["groupRef"]);
}

/// A triggered read whose destination is gone ends in `read.triggered.error` saying why;
/// an object the config marks `disabled` is not read at all.
#[tokio::test]
async fn a_triggered_read_that_cannot_deliver_says_so_and_disabled_objects_are_not_read() {
    let mut s = setup().await;
    let n = &s.node;
    let mut body = install_body("g4");
    body["config"]["content"]["read"]["objects"]["account"] =
        json!({"objectName": "account", "disabled": true});
    let r = n
        .post(&n.p("/integrations/readSalesforce/installations"), body)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let objects: Vec<&str> = r.body["readObjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["objectName"].as_str().unwrap())
        .collect();
    assert_eq!(objects, ["contact"], "a disabled object gets no read state");
    let _ = notification(&mut s.notifications, "read.backfill.done").await;

    assert_eq!(
        n.delete(&n.p("/destinations/contactWebhook")).await.status,
        204
    );
    let r = n
        .post(
            &n.p("/integrations/readSalesforce/objects/contact"),
            json!({"groupRef": "g4", "mode": "async"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let error = notification(&mut s.notifications, "read.triggered.error").await;
    assert_eq!(error["data"]["objectName"], "contact");
    assert!(
        error["data"]["error"]
            .as_str()
            .unwrap()
            .contains("does not exist"),
        "{error}"
    );
    let op = n
        .get(&n.p(&format!(
            "/operations/{}",
            r.body["operationId"].as_str().unwrap()
        )))
        .await
        .body;
    assert_eq!(op["status"], "failure", "{op}");
    // Triggering needs an installation of the group, and an object it reads.
    n.post(
        &n.p("/integrations/readSalesforce/objects/account"),
        json!({"groupRef": "g4", "mode": "async"}),
    )
    .await
    .expect_problem(404, &["objectName"]);
    n.post(
        &n.p("/integrations/readSalesforce/objects/contact"),
        json!({"groupRef": "nobody", "mode": "sync"}),
    )
    .await
    .expect_problem(400, &["mode"]);
}

/// A record sent by URL keeps a working link however late its delivery succeeds: each
/// attempt links the stored record afresh (the first link, 20 minutes on, has expired).
#[tokio::test]
async fn a_retried_url_message_carries_a_fresh_link() {
    let mut s = setup().await;
    let n = &s.node;
    s.contacts.script([support::receiver::Reply::status(500)]);
    let mut big = contact(
        1,
        &switchboard::time::to_rfc3339(n.node.state().config.clock.now_ms()),
    );
    big["notes"] = json!("n".repeat(400_000));
    add_records(n, "g5", &[big]).await;
    install(n, "g5").await;
    let first = s.contacts.next(WAIT).await.json();
    let first_url = first["resultInfo"]["downloadUrl"]
        .as_str()
        .unwrap()
        .to_string();
    // Once the failure is recorded (its retry due on the node's clock), 20 minutes pass.
    let listed = n.get(&n.p("/messages?eventType=read")).await.body;
    let id = listed["items"][0]["id"].as_str().unwrap().to_string();
    n.wait_message(&id, WAIT, |m| m["status"] == "retrying")
        .await;
    n.advance(Duration::from_secs(20 * 60));
    let second = s.contacts.next(WAIT).await.json();
    assert_eq!(second["operationId"], first["operationId"]);
    let second_url = second["resultInfo"]["downloadUrl"].as_str().unwrap();
    assert_ne!(second_url, first_url);
    assert!(
        !reqwest::get(&first_url)
            .await
            .unwrap()
            .status()
            .is_success(),
        "the first link has expired"
    );
    let result: Value = reqwest::get(second_url)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(result[0]["raw"]["id"], "c1");
}
