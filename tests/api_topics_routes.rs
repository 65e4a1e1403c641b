//! Projects, topics and both kinds of routes over real HTTP.

mod support;

use serde_json::{json, Value};
use support::node::TestNode;
use support::spec::assert_response_matches;

const API: &str = "management-api.yaml";

#[tokio::test]
async fn projects_default_exists_and_new_ones_are_addressable_by_name_or_id() {
    let n = TestNode::start().await;
    let list = n.get("/v1/projects").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body[0]["name"], "default");
    let created = n.post("/v1/projects", json!({"name": "staging"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap();
    n.post("/v1/projects", json!({"name": "staging"}))
        .await
        .expect_problem(409, &["name"]);
    n.post("/v1/projects", json!({"name": "no spaces"}))
        .await
        .expect_problem(422, &["name"]);
    n.post("/v1/projects", json!({}))
        .await
        .expect_problem(422, &["name"]);
    // Resources live per project, whichever way the project is named.
    let t = n
        .post(
            &format!("/v1/projects/{id}/topics"),
            json!({"name": "alerts"}),
        )
        .await;
    assert_eq!(t.status, 201);
    assert_eq!(t.body["projectId"], id);
    let by_name = n.get("/v1/projects/staging/topics").await;
    assert_eq!(by_name.body.as_array().unwrap().len(), 1);
    assert_eq!(n.get(&n.p("/topics")).await.body, json!([]));
}

#[tokio::test]
async fn topics_create_rename_delete() {
    let n = TestNode::start().await;
    let t = n
        .post(&n.p("/topics"), json!({"name": "system-alerts"}))
        .await;
    assert_eq!(t.status, 201);
    assert_response_matches(
        API,
        "/projects/{projectIdOrName}/topics",
        "post",
        "201",
        &t.body,
    );
    let id = t.body["id"].as_str().unwrap().to_string();
    n.post(&n.p("/topics"), json!({"name": "system-alerts"}))
        .await
        .expect_problem(409, &["name"]);
    n.post(&n.p("/topics"), json!({"name": "x".repeat(65)}))
        .await
        .expect_problem(422, &["name"]);
    n.post(&n.p("/topics"), json!({"name": "a.b"}))
        .await
        .expect_problem(422, &["name"]);
    n.post(&n.p("/topics"), json!({"name": 3}))
        .await
        .expect_problem(422, &["name"]);
    assert_eq!(
        n.post(&n.p("/topics"), json!({"name": "x".repeat(64)}))
            .await
            .status,
        201
    );

    let listed = n.get(&n.p("/topics")).await;
    assert_response_matches(
        API,
        "/projects/{projectIdOrName}/topics",
        "get",
        "200",
        &listed.body,
    );

    let renamed = n
        .patch(
            &n.p(&format!("/topics/{id}")),
            json!({"name": "ops-alerts"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_response_matches(
        API,
        "/projects/{projectIdOrName}/topics/{topicId}",
        "patch",
        "200",
        &renamed.body,
    );
    assert_eq!(renamed.body["name"], "ops-alerts");
    n.patch(
        &n.p(&format!("/topics/{id}")),
        json!({"name": "x".repeat(64)}),
    )
    .await
    .expect_problem(409, &["name"]);
    n.patch(&n.p("/topics/missing"), json!({"name": "y"}))
        .await
        .expect_problem(404, &[]);

    assert_eq!(n.delete(&n.p(&format!("/topics/{id}"))).await.status, 204);
    n.delete(&n.p(&format!("/topics/{id}")))
        .await
        .expect_problem(404, &[]);
}

#[tokio::test]
async fn routes_connect_events_topics_and_destinations() {
    let n = TestNode::start().await;
    let topic = n.topic("installs").await;
    let other = n.topic("other").await;
    let dest = n.webhook("hook", "https://h.example/").await;
    let (tid, did) = (topic["id"].as_str().unwrap(), dest["id"].as_str().unwrap());
    let etr = n.p("/notification-event-topic-routes");
    let tdr = n.p("/topic-destination-routes");

    let r = n
        .post(
            &etr,
            json!({"eventType": "installation.created", "topicId": tid}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_response_matches(
        API,
        "/projects/{projectIdOrName}/notification-event-topic-routes",
        "post",
        "201",
        &r.body,
    );
    let etr_id = r.body["id"].as_str().unwrap().to_string();
    n.post(
        &etr,
        json!({"eventType": "installation.created", "topicId": tid}),
    )
    .await
    .expect_problem(409, &["eventType"]);
    n.post(
        &etr,
        json!({"eventType": "installation.exploded", "topicId": tid}),
    )
    .await
    .expect_problem(422, &["eventType"]);
    n.post(
        &etr,
        json!({"eventType": "connection.created", "topicId": "nope"}),
    )
    .await
    .expect_problem(404, &["topicId"]);
    n.post(&etr, json!({"topicId": tid}))
        .await
        .expect_problem(422, &["eventType"]);
    n.post(
        &etr,
        json!({"eventType": "connection.created", "topicId": other["id"]}),
    )
    .await;
    n.post(
        &etr,
        json!({"eventType": "installation.created", "topicId": other["id"]}),
    )
    .await;

    let all = n.get(&etr).await;
    assert_response_matches(
        API,
        "/projects/{projectIdOrName}/notification-event-topic-routes",
        "get",
        "200",
        &all.body,
    );
    assert_eq!(all.body.as_array().unwrap().len(), 3);
    let by_topic = n.get(&format!("{etr}?topicId={tid}")).await;
    assert_eq!(by_topic.body.as_array().unwrap().len(), 1);
    let by_event = n
        .get(&format!("{etr}?eventType=installation.created"))
        .await;
    assert_eq!(by_event.body.as_array().unwrap().len(), 2);
    n.get(&format!("{etr}?eventType=bogus"))
        .await
        .expect_problem(422, &["eventType"]);

    let r = n
        .post(&tdr, json!({"topicId": tid, "destinationId": did}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_response_matches(
        API,
        "/projects/{projectIdOrName}/topic-destination-routes",
        "post",
        "201",
        &r.body,
    );
    n.post(&tdr, json!({"topicId": tid, "destinationId": did}))
        .await
        .expect_problem(409, &["destinationId"]);
    n.post(
        &tdr,
        json!({"topicId": "ghost", "destinationId": "phantom"}),
    )
    .await
    .expect_problem(404, &["topicId", "destinationId"]);
    n.post(&tdr, json!({"topicId": tid}))
        .await
        .expect_problem(422, &["destinationId"]);
    n.post(&tdr, json!({"topicId": other["id"], "destinationId": did}))
        .await;
    let filtered = n.get(&format!("{tdr}?destinationId={did}")).await;
    assert_response_matches(
        API,
        "/projects/{projectIdOrName}/topic-destination-routes",
        "get",
        "200",
        &filtered.body,
    );
    assert_eq!(filtered.body.as_array().unwrap().len(), 2);
    assert_eq!(
        n.get(&format!("{tdr}?topicId={tid}"))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );

    assert_eq!(n.delete(&format!("{etr}/{etr_id}")).await.status, 204);
    n.delete(&format!("{etr}/{etr_id}"))
        .await
        .expect_problem(404, &[]);

    // Deleting a topic removes its routes of both kinds; deleting a destination removes its routes.
    assert_eq!(
        n.delete(&n.p(&format!("/topics/{}", other["id"].as_str().unwrap())))
            .await
            .status,
        204
    );
    assert_eq!(n.get(&etr).await.body.as_array().unwrap().len(), 0);
    assert_eq!(n.get(&tdr).await.body.as_array().unwrap().len(), 1);
    assert_eq!(n.delete(&n.p("/destinations/hook")).await.status, 204);
    assert_eq!(n.get(&tdr).await.body, json!([]));
}

#[tokio::test]
async fn every_event_type_is_routable() {
    let n = TestNode::start().await;
    let topic = n.topic("everything").await;
    for t in switchboard::model::EventType::ALL {
        let r = n
            .post(
                &n.p("/notification-event-topic-routes"),
                json!({"eventType": t.as_str(), "topicId": topic["id"]}),
            )
            .await;
        assert_eq!(r.status, 201, "{t}: {}", r.body);
    }
    assert_eq!(
        n.get(&n.p("/notification-event-topic-routes"))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        15
    );
}

#[tokio::test]
async fn access_needs_a_live_api_key() {
    let n = TestNode::start().await;
    let anon = n.http.get(n.url("/v1/projects")).send().await.unwrap();
    TestNode::read(anon).await.expect_problem(401, &[]);
    let wrong = n
        .http
        .get(n.url("/v1/projects"))
        .header("X-Api-Key", "sbk_wrong")
        .send()
        .await
        .unwrap();
    TestNode::read(wrong).await.expect_problem(401, &[]);
    let bearer = n
        .http
        .get(n.url("/v1/projects"))
        .bearer_auth(&n.key)
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), 200);

    // Keys are created, listed (never their values) and revoked.
    let created = n.post("/v1/keys", json!({"name": "ci"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let secret = created.body["secret"].as_str().unwrap().to_string();
    let listed = n.get("/v1/keys").await;
    assert!(!listed.body.to_string().contains(&secret));
    assert_eq!(listed.body.as_array().unwrap().len(), 2);
    let with = |k: &str| {
        n.http
            .get(n.url("/v1/projects"))
            .header("X-Api-Key", k.to_string())
            .send()
    };
    assert_eq!(with(&secret).await.unwrap().status(), 200);
    assert_eq!(
        n.delete(&format!(
            "/v1/keys/{}",
            created.body["id"].as_str().unwrap()
        ))
        .await
        .status,
        204
    );
    assert_eq!(with(&secret).await.unwrap().status(), 401);
    assert!(
        !support::node::contains(&n.database_bytes(), &secret),
        "keys are stored hashed"
    );

    // No request can lock everyone out: the node's last active key, and the key making
    // the request, are not revoked (409 saying why); with another key, the first goes.
    let admin = n.get("/v1/keys").await.body[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    n.delete(&format!("/v1/keys/{admin}"))
        .await
        .expect_problem(409, &["key"]);
    let second = n.post("/v1/keys", json!({"name": "second"})).await.body;
    let second_secret = second["secret"].as_str().unwrap().to_string();
    let own = n.delete(&format!("/v1/keys/{admin}")).await;
    own.expect_problem(409, &["key"]);
    assert!(
        own.body["detail"]
            .as_str()
            .unwrap()
            .contains("making the request"),
        "{}",
        own.body
    );
    let by_second = n
        .http
        .delete(n.url(&format!("/v1/keys/{admin}")))
        .header("X-Api-Key", &second_secret)
        .send()
        .await
        .unwrap();
    assert_eq!(by_second.status(), 204);
    let last = n
        .http
        .delete(n.url(&format!("/v1/keys/{}", second["id"].as_str().unwrap())))
        .header("X-Api-Key", &second_secret)
        .send()
        .await
        .unwrap();
    assert_eq!(
        last.status(),
        409,
        "the last key (and the caller's own) stays"
    );
    assert_eq!(with(&second_secret).await.unwrap().status(), 200);

    // Public endpoints.
    let health = n.http.get(n.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let doc: Value = n
        .http
        .get(n.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/v1/projects/{projectIdOrName}/destinations"]["post"].is_object());
    assert!(
        doc["paths"]["/v1/projects/{projectIdOrName}/topic-destination-routes"]["get"].is_object()
    );
    n.get("/v1/nothing-here").await.expect_problem(404, &[]);
    let put = n
        .send(reqwest::Method::PUT, "/v1/projects", Some(json!({})))
        .await;
    put.expect_problem(405, &[]);
}

/// The dashboard's topic form: a topic with its event types and destinations in one call,
/// all or nothing; an update replaces each list given, keeping the routes that stay.
#[tokio::test]
async fn a_topic_is_made_and_changed_with_its_routes_in_one_call() {
    let n = TestNode::start().await;
    let a = n.webhook("a", "http://127.0.0.1:9/a").await;
    let b = n.webhook("b", "http://127.0.0.1:9/b").await;
    let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let routes = |kind: &'static str| {
        let n = &n;
        async move {
            let mut r: Vec<(String, String)> = n
                .get(&n.p(kind))
                .await
                .body
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let other = r.get("eventType").or(r.get("destinationId")).unwrap();
                    (
                        r["id"].as_str().unwrap().into(),
                        other.as_str().unwrap().into(),
                    )
                })
                .collect();
            r.sort_by(|x, y| x.1.cmp(&y.1));
            r
        }
    };

    // Refused as a whole: nothing is created, not even the topic.
    n.post(
        &n.p("/topics"),
        json!({"name": "installs", "eventTypes": ["installation.created", "nope"], "destinationIds": [a]}),
    )
    .await
    .expect_problem(422, &["eventTypes[1]"]);
    n.post(
        &n.p("/topics"),
        json!({"name": "installs", "eventTypes": ["installation.created"], "destinationIds": [a, "missing"]}),
    )
    .await
    .expect_problem(404, &["destinationIds[1]"]);
    n.post(
        &n.p("/topics"),
        json!({"name": "installs", "eventTypes": ["installation.created", "installation.created"]}),
    )
    .await
    .expect_problem(422, &["eventTypes[1]"]);
    n.post(
        &n.p("/topics"),
        json!({"name": "installs", "destinationIds": "a"}),
    )
    .await
    .expect_problem(422, &["destinationIds"]);
    assert_eq!(n.get(&n.p("/topics")).await.body, json!([]));
    assert_eq!(routes("/notification-event-topic-routes").await, vec![]);

    let created = n
        .post(
            &n.p("/topics"),
            json!({"name": "installs", "eventTypes": ["installation.created", "installation.deleted"],
                   "destinationIds": [a, "b"]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let topic = created.body["id"].as_str().unwrap().to_string();
    let events = routes("/notification-event-topic-routes").await;
    assert_eq!(
        events.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        ["installation.created", "installation.deleted"]
    );
    let mut both = vec![a.to_string(), b.to_string()];
    both.sort();
    assert_eq!(
        routes("/topic-destination-routes")
            .await
            .into_iter()
            .map(|r| r.1)
            .collect::<Vec<_>>(),
        both
    );

    // An update with a bad destination changes nothing, the name included.
    n.patch(
        &n.p(&format!("/topics/{topic}")),
        json!({"name": "renamed", "eventTypes": [], "destinationIds": ["missing"]}),
    )
    .await
    .expect_problem(404, &["destinationIds[0]"]);
    assert_eq!(
        n.get(&n.p(&format!("/topics/{topic}"))).await.body["name"],
        "installs"
    );
    assert_eq!(routes("/notification-event-topic-routes").await, events);

    // Replace: installation.created stays (same route ID), deleted goes, updated comes;
    // destinations: only b. Routes it was not given stay as they are.
    let kept = events
        .iter()
        .find(|r| r.1 == "installation.created")
        .unwrap()
        .0
        .clone();
    let updated = n
        .patch(
            &n.p(&format!("/topics/{topic}")),
            json!({"eventTypes": ["installation.updated", "installation.created"], "destinationIds": [b]}),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["name"], "installs");
    let events = routes("/notification-event-topic-routes").await;
    assert_eq!(
        events.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        ["installation.created", "installation.updated"]
    );
    assert!(
        events.iter().any(|r| r.0 == kept),
        "a route that stays keeps its ID"
    );
    assert_eq!(
        routes("/topic-destination-routes")
            .await
            .into_iter()
            .map(|r| r.1)
            .collect::<Vec<_>>(),
        vec![b.to_string()]
    );
    let renamed = n
        .patch(
            &n.p(&format!("/topics/{topic}")),
            json!({"name": "installations"}),
        )
        .await;
    assert_eq!(renamed.status, 200);
    assert_eq!(routes("/notification-event-topic-routes").await, events);
    n.patch(&n.p(&format!("/topics/{topic}")), json!({}))
        .await
        .expect_problem(422, &["name"]);
}
