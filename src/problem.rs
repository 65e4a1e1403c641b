//! RFC 9457 problem details in Ampersand's shape (`ApiProblem`, `InputValidationProblem`):
//! the error bodies on the wire, shared by the server (`api::problem_response` writes them)
//! and the client (`client::error` reads them). Wire types only: no HTTP framework here.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// Where an invalid input was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum IssueLocation {
    Body,
    Header,
    Path,
    Query,
}

/// One invalid input: `{in, name, value, detail}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Issue {
    #[serde(rename = "in")]
    pub location: IssueLocation,
    /// Dotted path of the field, e.g. `metadata.url`.
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub value: Option<Value>,
    pub detail: String,
    /// Where in a YAML document (an `amp.yaml` deploy): 1-based line and column.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub column: Option<usize>,
    /// The manifest rule broken (`schedule`, `duplicate-object`, …).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rule: Option<String>,
}

impl Issue {
    pub fn body(name: impl Into<String>, value: Option<&Value>, detail: impl Into<String>) -> Self {
        Issue {
            location: IssueLocation::Body,
            name: name.into(),
            value: value.cloned(),
            detail: detail.into(),
            line: None,
            column: None,
            rule: None,
        }
    }

    pub fn at(
        location: IssueLocation,
        name: impl Into<String>,
        value: Option<Value>,
        detail: impl Into<String>,
    ) -> Self {
        Issue {
            location,
            name: name.into(),
            value,
            detail: detail.into(),
            line: None,
            column: None,
            rule: None,
        }
    }
}

/// The JSON body of an error response.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem, e.g. `urn:problem-type:switchboard:conflict`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default)]
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub issues: Vec<Issue>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub retryable: Option<bool>,
}

/// Stable problem codes; clients match on these, never on message text.
pub mod codes {
    pub const MALFORMED: &str = "urn:problem-type:switchboard:malformed-request";
    pub const INVALID: &str = "urn:problem-type:switchboard:invalid-input";
    pub const NOT_FOUND: &str = "urn:problem-type:switchboard:not-found";
    pub const CONFLICT: &str = "urn:problem-type:switchboard:conflict";
    pub const UNAUTHORIZED: &str = "urn:problem-type:switchboard:unauthorized";
    pub const FORBIDDEN: &str = "urn:problem-type:switchboard:forbidden";
    pub const UNSUPPORTED_MEDIA: &str = "urn:problem-type:switchboard:unsupported-media-type";
    pub const INTERNAL: &str = "urn:problem-type:switchboard:internal";
    pub const UNAVAILABLE: &str = "urn:problem-type:switchboard:unavailable";
    pub const TOO_LARGE: &str = "urn:problem-type:switchboard:payload-too-large";
    pub const TIMEOUT: &str = "urn:problem-type:switchboard:request-timeout";
    pub const TOO_MANY_REQUESTS: &str = "urn:problem-type:switchboard:too-many-requests";
}
