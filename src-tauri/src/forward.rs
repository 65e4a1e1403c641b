//! Desktop transport: the UI's API requests, sent to the embedded node from Rust, so the
//! webview (origin `tauri://localhost`) needs no CORS and will never hold API keys.
//! Belongs in the core's API client once it has one; the command then stays one line.

use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeRequest {
    pub method: String,
    /// Path and query on the node, starting with `/`.
    pub path: String,
    pub body: Option<serde_json::Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

/// The shell's one HTTP client (loopback only, so short timeouts and no redirects).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("Switchboard-Desktop/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("the HTTP client's static configuration is valid")
}

/// Sends `request` to the node at `base_url`. Only that node: the path cannot name another
/// host, so the webview gains no way to reach anything else through the shell.
pub async fn send(
    http: &reqwest::Client,
    base_url: &str,
    request: NodeRequest,
) -> Result<NodeResponse, String> {
    if !request.path.starts_with('/') {
        return Err(format!("path must start with '/': {:?}", request.path));
    }
    let base = reqwest::Url::parse(base_url).map_err(|e| e.to_string())?;
    let url = reqwest::Url::parse(&format!("{base_url}{}", request.path))
        .map_err(|e| format!("bad path {:?}: {e}", request.path))?;
    if url.origin() != base.origin() {
        return Err(format!("path {:?} leaves the node", request.path));
    }
    let method = reqwest::Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| format!("bad method {:?}", request.method))?;

    let mut builder = http.request(method, url);
    if let Some(body) = &request.body {
        builder = builder.json(body);
    }
    let response = builder
        .send()
        .await
        .map_err(|e| format!("cannot reach the node at {base_url}: {e}"))?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response
        .text()
        .await
        .map_err(|e| format!("reading the node's answer: {e}"))?;
    Ok(NodeResponse {
        status,
        content_type,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard::node::{Node, NodeConfig};
    use switchboard::secrets::SecretBackendKind;
    use tokio_util::sync::CancellationToken;

    fn get(path: &str) -> NodeRequest {
        NodeRequest {
            method: "GET".into(),
            path: path.into(),
            body: None,
        }
    }

    #[tokio::test]
    async fn forwards_to_a_real_node() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = NodeConfig::new(dir.path().to_path_buf());
        config.secret_backend = SecretBackendKind::File;
        let node = Node::start(config, CancellationToken::new()).await.unwrap();
        let base = format!("http://{}", node.addr());
        let http = http_client();

        let ok = send(&http, &base, get("/healthz")).await.unwrap();
        assert_eq!(ok.status, 200);
        assert!(ok.content_type.unwrap().contains("json"));
        let body: serde_json::Value = serde_json::from_str(&ok.body).unwrap();
        assert_eq!(body["status"], "ok");

        // Errors come back as answers (problem+json), not as transport failures.
        let missing = send(&http, &base, get("/v1/no-such-endpoint")).await.unwrap();
        assert_eq!(missing.status, 404);

        node.shutdown().await.unwrap();
    }

    #[tokio::test]
    async fn refuses_paths_that_could_name_another_host() {
        let http = http_client();
        for path in ["healthz", "@example.com/", ".example.com/"] {
            let err = send(&http, "http://127.0.0.1:9", get(path))
                .await
                .unwrap_err();
            assert!(err.starts_with("path must start"), "{path:?}: {err}");
        }
    }
}
