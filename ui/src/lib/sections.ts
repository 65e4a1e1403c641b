// The console's sections, in sidebar order; each becomes a page under features/.
export type SectionId =
  | "destinations"
  | "topics"
  | "routing"
  | "live"
  | "alerts"
  | "publish"
  | "integrations"
  | "installations"
  | "inspector"
  | "inbox";

export interface Section {
  id: SectionId;
  title: string;
  summary: string;
  icon: string;
}

export const SECTIONS: readonly Section[] = [
  {
    id: "destinations",
    title: "Destinations",
    summary: "Webhook, Kinesis and log outlets that notifications are delivered to.",
    icon: "⇥",
  },
  {
    id: "topics",
    title: "Topics",
    summary: "Named channels that group event types for fan-out.",
    icon: "#",
  },
  {
    id: "routing",
    title: "Routing",
    summary: "Wire event types to topics and topics to destinations on a canvas.",
    icon: "⋈",
  },
  {
    id: "live",
    title: "Live",
    summary: "Watch deliveries, attempts and retries as they happen.",
    icon: "◉",
  },
  {
    id: "alerts",
    title: "Alerts",
    summary: "Webhooks disabled after repeated failures, and what to do about them.",
    icon: "!",
  },
  {
    id: "publish",
    title: "Publish",
    summary: "Publish a notification by hand from an editable, valid example.",
    icon: "↗",
  },
  {
    id: "integrations",
    title: "Integrations",
    summary: "amp.yaml read actions: what is read, where results go, how often.",
    icon: "⇊",
  },
  {
    id: "installations",
    title: "Installations",
    summary: "Each group's installation: its fields, backfill, reads and pauses.",
    icon: "⊞",
  },
  {
    id: "inspector",
    title: "Inspector",
    summary: "Paste any payload: what it is, what is wrong with it, and its signature.",
    icon: "⌕",
  },
  {
    id: "inbox",
    title: "Inbox",
    summary: "A receiver on the node: see every delivery, make it fail on purpose, replay.",
    icon: "⤓",
  },
];
