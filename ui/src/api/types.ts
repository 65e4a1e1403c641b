// Names for the node's API shapes, taken from the generated OpenAPI bindings
// (src/bindings/api.ts, `npm run gen:api`): the UI never hand-writes a wire type.
import type { components } from "../bindings/api";

type Schemas = components["schemas"];

export type EventType = Schemas["EventType"];
export type Destination = Schemas["Destination"];
export type DestinationType = Schemas["DestinationType"];
export type DestinationStatus = Schemas["DestinationStatus"];
export type DestinationMetadata = Schemas["DestinationMetadata"];
export type DestinationSecrets = Schemas["DestinationSecrets"];
export type DestinationSecretsInput = Schemas["DestinationSecretsInput"];
export type CreateDestinationRequest = Schemas["CreateDestinationRequest"];
export type UpdateDestinationRequest = Schemas["UpdateDestinationRequest"];
export type Topic = Schemas["Topic"];
export type CreateTopicRequest = Schemas["CreateTopicRequest"];
export type UpdateTopicRequest = Schemas["UpdateTopicRequest"];
export type EventTopicRoute = Schemas["EventTopicRoute"];
export type TopicDestinationRoute = Schemas["TopicDestinationRoute"];
export type Message = Schemas["Message"];
export type MessageStatus = Schemas["MessageStatus"];
export type MessageDetail = Schemas["MessageDetail"];
export type MessagePage = Schemas["MessagePage"];
export type Attempt = Schemas["Attempt"];
export type PublishResponse = Schemas["PublishResponse"];
export type PublishedMessage = Schemas["PublishedMessage"];
export type Stats = Schemas["Stats"];
export type InspectRequest = Schemas["InspectRequest"];
export type Inbox = Schemas["Inbox"];
export type Capture = Schemas["Capture"];
export type ResponseRule = Schemas["ResponseRule"];
export type ReplayResult = Schemas["ReplayResult"];
export type Change = Schemas["Change"];
export type CapturedMessage = Schemas["CapturedMessage"];
export type InspectReport = Schemas["InspectReport"];
export type SignatureReport = Schemas["SignatureReport"];
export type DestinationStats = Schemas["DestinationStats"];
/** `GET /v1/event-types` items (a node extension; older nodes lack it). */
export type EventTypeInfo = Schemas extends { EventTypeInfo: infer T }
  ? T
  : { eventType: EventType; example: unknown };
export type RecoverResponse = Schemas["RecoverResponse"];
export type Integration = Schemas["Integration"];
export type ReadObjectSummary = Schemas["ReadObjectSummary"];
export type ManifestCheck = Schemas["ManifestCheck"];
export type ManifestIssue = Schemas["ManifestIssue"];
export type Installation = Schemas["Installation"];
export type ReadObjectState = Schemas["ReadObjectState"];
export type Operation = Schemas["Operation"];
export type RecordsAccepted = Schemas["RecordsAccepted"];
export type ReadResultAsync = Schemas["ReadResultAsync"];
/** One live event of `/stream`: `{kind, data}` (the SSE event name and its data). */
export type LiveEvent = Schemas["LiveEvent"];
export type LiveEventKind = LiveEvent["kind"];
