//! The node's HTTP API: Ampersand-compatible `/v1/projects/{p}/…` resources, node
//! extensions, `/healthz` and `/openapi.json` (generated from the handlers' annotations).

pub mod auth;
pub mod blobs;
pub mod capture;
pub mod destination_actions;
pub mod destinations;
mod document;
pub mod event_types;
pub mod extract;
pub mod health;
pub mod inboxes;
pub mod inspect;
pub mod installations;
pub mod integrations;
pub mod keys;
pub mod login_throttle;
pub mod lookups;
pub mod messages;
pub mod metrics;
pub mod notifications;
pub mod operations;
mod problem_response;
pub mod projects;
pub mod read_views;
pub mod reads;
mod request_bodies;
pub mod routes;
#[cfg(test)]
mod schema_check;
pub mod session;
pub mod stats;
pub mod stream;
pub mod topics;
pub mod ui;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{middleware, Json, Router};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::config::NodeConfig;
use crate::error::ApiError;
use crate::secrets::SecretStore;
use crate::store::Store;

/// What every handler can reach: one shared `Services`. axum clones the state for every
/// request (the auth middleware and each `State` extractor), so it is one reference
/// count here rather than a dozen plus a string in `Services` itself (perf while
/// publishing: ~3.5 % of the CPU went to cloning and dropping it).
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    pub fn new(services: Services) -> AppState {
        AppState(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// The node's parts the API works with.
pub struct Services {
    pub store: Store,
    pub secrets: SecretStore,
    pub config: Arc<NodeConfig>,
    pub dispatcher: crate::dispatch::Dispatcher,
    /// The one-time console login link of this run.
    pub login: session::LoginLink,
    /// Wrong-key console logins per client address.
    pub login_throttle: login_throttle::LoginThrottle,
    pub blobs: crate::blobs::Blobs,
    /// Fires when the node shuts down: long-lived responses (the live stream) end with it.
    pub cancel: tokio_util::sync::CancellationToken,
    /// API keys and projects, as every request looks them up.
    pub lookups: Arc<lookups::Lookups>,
    /// Where this node is reached (capture URLs and download links start with it).
    pub public_url: String,
    /// Each capture inbox's place in its response rules.
    pub inbox_sequences: capture::Sequences,
    /// Stores captures, many to a transaction.
    pub capture_writer: capture::CaptureWriter,
    pub inbox_cache: capture::InboxCache,
    /// Runs read actions; told when there is new work.
    pub reads: crate::reads::runner::Reads,
    /// Prunes old data (retention).
    pub pruner: crate::retention::Pruner,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Switchboard node API", description = "Ampersand-compatible notification management API, plus node extensions."),
    modifiers(&ApiKeyScheme),
    security(("APIKeyHeader" = [])),
    components(schemas(crate::problem::Problem, crate::problem::Issue, crate::model::live::LiveEvent))
)]
struct ApiDoc;

struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "APIKeyHeader",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Api-Key"))),
        );
    }
}

/// The OpenAPI document `/openapi.json` serves, built without a node: the same list of
/// handlers as [`router`], minus the state the API-key check needs.
pub fn openapi() -> serde_json::Value {
    document::finish(documented(protected_routes()).into_openapi())
}

/// Builds the router and the OpenAPI document from the same list of handlers.
pub fn router(state: AppState) -> Router {
    let protected = protected_routes().route_layer(middleware::from_fn_with_state(
        state.clone(),
        auth::require_api_key,
    ));
    let (router, openapi) = documented(protected).split_for_parts();
    let openapi = Arc::new(document::finish(openapi));
    router
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let doc = openapi.clone();
                async move { Json(doc.as_ref().clone()) }
            }),
        )
        .route("/login", axum::routing::get(session::login_link))
        .route("/in/{token}", axum::routing::any(capture::capture))
        .route("/in/{token}/{*rest}", axum::routing::any(capture::capture))
        .fallback(ui::fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(extract::BODY_LIMIT))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            ApiError::Internal(anyhow::anyhow!("a handler panicked")).into_response()
        }))
        // No response is to be sniffed into something else (an attachment into HTML).
        .layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                axum::http::header::X_CONTENT_TYPE_OPTIONS,
                axum::http::HeaderValue::from_static("nosniff"),
            ),
        )
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// The documented API: the document's header plus the protected and the public routes.
fn documented(protected: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(protected)
        .merge(public_routes())
}

/// The routes behind the API key (the caller adds the check: it needs the state).
fn protected_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(projects::list_projects, projects::create_project))
        .routes(routes!(projects::get_project))
        .routes(routes!(
            destinations::create_destination,
            destinations::list_destinations
        ))
        .routes(routes!(
            destinations::get_destination,
            destinations::update_destination,
            destinations::delete_destination
        ))
        .routes(routes!(topics::create_topic, topics::list_topics))
        .routes(routes!(
            topics::get_topic,
            topics::update_topic,
            topics::delete_topic
        ))
        .routes(routes!(
            routes::create_event_topic_route,
            routes::list_event_topic_routes
        ))
        .routes(routes!(routes::delete_event_topic_route))
        .routes(routes!(
            routes::create_topic_destination_route,
            routes::list_topic_destination_routes
        ))
        .routes(routes!(routes::delete_topic_destination_route))
        .routes(routes!(destination_actions::pause))
        .routes(routes!(destination_actions::resume))
        .routes(routes!(destination_actions::enable))
        .routes(routes!(destination_actions::recover))
        .routes(routes!(destination_actions::send_test))
        .routes(routes!(notifications::publish))
        .routes(routes!(messages::list_messages))
        .routes(routes!(messages::get_message))
        .routes(routes!(messages::resend_message))
        .routes(routes!(stream::stream))
        .routes(routes!(stats::stats))
        .routes(routes!(event_types::list_event_types))
        .routes(routes!(inspect::inspect_payload))
        .routes(routes!(inboxes::create_inbox, inboxes::list_inboxes))
        .routes(routes!(
            inboxes::get_inbox,
            inboxes::update_inbox,
            inboxes::delete_inbox
        ))
        .routes(routes!(inboxes::list_captures))
        .routes(routes!(inboxes::export_captures))
        .routes(routes!(inboxes::list_captured_messages))
        .routes(routes!(inboxes::replay_capture))
        .routes(routes!(inspect::diff_values))
        .routes(routes!(integrations::list_integrations))
        .routes(routes!(integrations::batch_upsert))
        .routes(routes!(integrations::validate))
        .routes(routes!(
            integrations::get_integration,
            integrations::delete_integration
        ))
        .routes(routes!(integrations::create_revision))
        .routes(routes!(
            installations::create_installation,
            installations::list_installations
        ))
        .routes(routes!(installations::list_project_installations))
        .routes(routes!(
            installations::get_installation,
            installations::update_installation,
            installations::delete_installation,
            operations::pause_or_unpause
        ))
        .routes(routes!(operations::list_operations))
        .routes(routes!(operations::get_operation))
        .routes(routes!(operations::backfill_progress))
        .routes(routes!(reads::trigger_read))
        .routes(routes!(reads::add_records))
        .routes(routes!(reads::generate_records))
        .routes(routes!(reads::add_group_records))
        .routes(routes!(reads::generate_group_records))
        .routes(routes!(metrics::metrics))
        .routes(routes!(keys::list_keys, keys::create_key))
        .routes(routes!(keys::revoke_key))
}

fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health::healthz))
        .routes(routes!(session::create_session, session::delete_session))
        .routes(routes!(blobs::get_blob))
}

async fn method_not_allowed() -> impl IntoResponse {
    let problem = crate::problem::Problem {
        kind: "urn:problem-type:switchboard:method-not-allowed".into(),
        title: "Method Not Allowed".into(),
        status: 405,
        detail: "this endpoint does not support that method; see /openapi.json".into(),
        issues: vec![],
        time: None,
        retryable: None,
    };
    let mut response = (StatusCode::METHOD_NOT_ALLOWED, Json(problem)).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/problem+json"),
    );
    response
}
