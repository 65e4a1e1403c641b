// The canvas's custom nodes (memoised, registered once at module level as React Flow asks).
import { Handle, Position, type NodeProps, type NodeTypes } from "@xyflow/react";
import { memo } from "react";
import { DestinationAlertActions } from "../../components/DestinationAlertActions";
import { DestinationStatePill, displayedState } from "../../components/DestinationState";
import { targetOf } from "../destinations/target";
import type { DestinationNode, EventNode, IntegrationNode, LabelNode, TopicNode } from "./graph";

/**
 * The target handle, stretched over the whole node: a route dropped anywhere on the node is
 * taken, not only on the dot at its left edge (which it still draws). Never starts a drag.
 */
function DropZone() {
  return (
    <Handle
      type="target"
      position={Position.Left}
      className="drop-zone"
      isConnectableStart={false}
    />
  );
}

const EventTypeNodeView = memo(function EventTypeNodeView({ data }: NodeProps<EventNode>) {
  return (
    <div className={data.routed ? "flow-node flow-event" : "flow-node flow-event flow-unrouted"}>
      <code className="flow-title">{data.eventType}</code>
      <Handle type="source" position={Position.Right} />
    </div>
  );
});

const TopicNodeView = memo(function TopicNodeView({ data }: NodeProps<TopicNode>) {
  return (
    <div className="flow-node flow-topic">
      <DropZone />
      <span className="flow-kind" aria-hidden="true">
        #
      </span>
      <span className="flow-title">{data.topic.name}</span>
      <Handle type="source" position={Position.Right} />
    </div>
  );
});

const DestinationNodeView = memo(function DestinationNodeView({
  data,
}: NodeProps<DestinationNode>) {
  const d = data.destination;
  return (
    <div className={`flow-node flow-destination flow-${d.status} flow-state-${displayedState(d)}`}>
      <DropZone />
      <div className="flow-row">
        <span className="flow-title">{d.name}</span>
        <DestinationStatePill destination={d} />
      </div>
      <div className="flow-sub" title={targetOf(d)}>
        {d.type} · {targetOf(d)}
      </div>
      {d.status === "disabled" && (
        <div className="flow-actions nodrag nopan">
          <DestinationAlertActions destination={d} compact />
        </div>
      )}
    </div>
  );
});

const IntegrationNodeView = memo(function IntegrationNodeView({
  data,
}: NodeProps<IntegrationNode>) {
  const i = data.integration;
  const objects = (i.readObjects ?? []).map((o) => o.objectName).join(", ");
  return (
    <div className="flow-node flow-integration">
      <div className="flow-row">
        <span className="flow-kind" aria-hidden="true">
          ⇊
        </span>
        <span className="flow-title">{i.name}</span>
      </div>
      <div className="flow-sub" title={objects}>
        {i.provider} · reads {objects}
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

const LabelNodeView = memo(function LabelNodeView({ data }: NodeProps<LabelNode>) {
  return (
    <div className="flow-label">
      <strong>{data.text}</strong>
      {data.hint && <span>{data.hint}</span>}
    </div>
  );
});

export const nodeTypes: NodeTypes = {
  event: EventTypeNodeView,
  topic: TopicNodeView,
  destination: DestinationNodeView,
  label: LabelNodeView,
  integration: IntegrationNodeView,
};
