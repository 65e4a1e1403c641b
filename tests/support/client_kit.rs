//! Helpers for the API client's tests: a client for a `TestNode`, quick retries, and
//! assertions on `ClientError`.

use std::time::Duration;

use switchboard::client::{Client, ClientConfig, ClientError, RetryPolicy};

use super::node::TestNode;

/// Retries as in production, but with millisecond backoffs so tests stay quick.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(5),
    }
}

pub fn config(base_url: &str, key: Option<&str>) -> ClientConfig {
    let mut config = ClientConfig::new(base_url, "default");
    config.api_key = key.map(str::to_string);
    config.retry = fast_retry();
    config
}

/// A client for the node's `default` project with its admin key.
pub fn client(node: &TestNode) -> Client {
    Client::new(config(&node.base_url, Some(&node.key))).expect("client")
}

/// Asserts that `result` is an API error with `status` naming exactly `issues`, and
/// returns the problem for further checks.
#[track_caller]
pub fn expect_api<T: std::fmt::Debug>(
    result: Result<T, ClientError>,
    status: u16,
    issues: &[&str],
) -> switchboard::problem::Problem {
    match result {
        Err(ClientError::Api { status: s, problem }) => {
            assert_eq!(s, status, "status; problem: {problem:?}");
            assert_eq!(problem.status, status, "problem status: {problem:?}");
            assert!(!problem.title.is_empty(), "title: {problem:?}");
            assert!(!problem.kind.is_empty(), "type: {problem:?}");
            let names: Vec<_> = problem.issues.iter().map(|i| i.name.as_str()).collect();
            assert_eq!(names, issues, "issues: {problem:?}");
            *problem
        }
        other => panic!("expected an API error {status}, got {other:?}"),
    }
}
