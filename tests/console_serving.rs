//! `switchboard serve` as the console's web server: the embedded UI, the one-time login
//! link and API-key logins that give an HttpOnly session cookie.

mod support;

use reqwest::redirect::Policy;
use serde_json::json;
use support::node::TestNode;

fn cookie_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// What the API answers this client (by its session cookie, if any) for the project list.
async fn projects_status(n: &TestNode, client: &reqwest::Client) -> u16 {
    let r = client.get(n.url("/v1/projects")).send().await.unwrap();
    r.status().as_u16()
}

#[tokio::test]
async fn the_one_time_link_logs_a_browser_in_once() {
    let n = TestNode::start().await;
    let browser = cookie_client();
    // Without a login the API refuses the browser.
    assert_eq!(projects_status(&n, &browser).await, 401);

    let link = n.node.login_url();
    let r = browser.get(&link).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert_eq!(projects_status(&n, &browser).await, 200);

    // The link works once only.
    let other = cookie_client();
    let r = other.get(&link).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(projects_status(&n, &other).await, 401);

    // Logging out ends the session.
    assert_eq!(
        browser
            .delete(n.url("/v1/session"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(projects_status(&n, &browser).await, 401);
}

#[tokio::test]
async fn a_pasted_api_key_logs_in_and_a_wrong_one_does_not() {
    let n = TestNode::start().await;
    let browser = cookie_client();
    let r = browser
        .post(n.url("/v1/session"))
        .json(&json!({"apiKey": "sbk_nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = browser
        .post(n.url("/v1/session"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    TestNode::read(r).await.expect_problem(422, &["apiKey"]);
    let r = browser
        .post(n.url("/v1/session"))
        .json(&json!({"apiKey": n.key}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(projects_status(&n, &browser).await, 200);
}

#[tokio::test]
async fn the_ui_is_served_with_client_side_routes() {
    let n = TestNode::start().await;
    let r = n.http.get(n.url("/")).send().await.unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    if std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("ui/dist/index.html")
        .exists()
    {
        assert_eq!(status, 200);
        assert!(
            body.contains("<div id=\"root\">") || body.contains("id=\"root\""),
            "{body}"
        );
        // A client-side route gets index.html too.
        let deep = n
            .http
            .get(n.url("/destinations/some-name"))
            .send()
            .await
            .unwrap();
        assert_eq!(deep.status(), 200);
        assert_eq!(deep.text().await.unwrap(), body);
    } else {
        assert_eq!(
            status, 503,
            "without a built UI the node says how to build it"
        );
        assert!(body.contains("npm run build"));
    }
    // The API keeps answering problems, not pages.
    n.get("/v1/no-such-thing").await.expect_problem(404, &[]);
    let event_types = n.get("/v1/event-types").await.body;
    assert_eq!(event_types.as_array().unwrap().len(), 15);
    for t in event_types.as_array().unwrap() {
        let r = n.post(&n.p("/notifications"), t["example"].clone()).await;
        assert_eq!(
            r.status, 202,
            "the example of {} is valid: {}",
            t["eventType"], r.body
        );
    }
}

/// The console comes with a Content-Security-Policy (own scripts only, never framed), and
/// no response may be sniffed into another type. (The browser e2e runs the console under
/// this policy.)
#[tokio::test]
async fn the_console_and_the_api_send_protective_headers() {
    let n = TestNode::start().await;
    if std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("ui/dist/index.html")
        .exists()
    {
        let r = n.http.get(n.url("/")).send().await.unwrap();
        let policy = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"),
            "{policy}"
        );
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    }
    let r = n
        .http
        .get(n.url("/v1/projects"))
        .header("X-Api-Key", &n.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let r = n.http.get(n.url("/v1/projects")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
}
