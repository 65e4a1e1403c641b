//! Every request body the API describes by a named schema, with the top-level fields its
//! parser accepts. The parsers refuse any other field, so the document closes these
//! schemas (`additionalProperties: false`) and `schema_check` keeps both lists equal.

use crate::model::requests::RequestBody;

/// A schema name and the fields its parser accepts.
pub type Body = (String, &'static [&'static str]);

fn body<T: RequestBody + utoipa::ToSchema>() -> Body {
    (T::name().into_owned(), T::FIELDS)
}

pub fn all() -> Vec<Body> {
    use crate::model::requests::*;
    vec![
        body::<CreateDestinationRequest>(),
        body::<UpdateDestinationRequest>(),
        body::<NameRequest>(),
        body::<CreateTopicRequest>(),
        body::<UpdateTopicRequest>(),
        body::<crate::inspect::request::InspectRequest>(),
        body::<crate::inspect::request::DiffRequest>(),
        body::<crate::model::inbox::CreateInboxRequest>(),
        body::<crate::model::inbox::UpdateInboxRequest>(),
        body::<crate::model::inbox::ReplayRequest>(),
        body::<CreateEventTopicRouteRequest>(),
        body::<CreateTopicDestinationRouteRequest>(),
        body::<super::destination_actions::RecoverRequest>(),
        body::<crate::keys::CreateKeyRequest>(),
        body::<super::session::LoginRequest>(),
        body::<crate::model::integration::DeployRequest>(),
        body::<crate::model::installation::CreateInstallationRequest>(),
        body::<crate::model::installation::UpdateInstallationRequest>(),
        body::<crate::model::read::ReadRequest>(),
        body::<crate::model::read::PauseRequest>(),
        body::<crate::model::read::GenerateRecordsRequest>(),
    ]
}
