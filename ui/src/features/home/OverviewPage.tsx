// Landing page: a getting-started checklist that follows what exists, then the sections.
import {
  useDestinations,
  useEventTopicRoutes,
  useTopicDestinationRoutes,
  useTopics,
} from "../../hooks/queries";
import { SECTIONS, type SectionId } from "../../lib/sections";
import { PageHeader } from "../../components/PageHeader";

export function OverviewPage({ onOpen }: { onOpen: (id: SectionId) => void }) {
  const destinations = useDestinations();
  const topics = useTopics();
  const eventRoutes = useEventTopicRoutes();
  const destinationRoutes = useTopicDestinationRoutes();
  const steps: { done: boolean; text: string; page: SectionId; action: string }[] = [
    {
      done: (destinations.data?.length ?? 0) > 0,
      text: "Create a destination — a webhook URL that should receive notifications.",
      page: "destinations",
      action: "Destinations",
    },
    {
      done: (topics.data?.length ?? 0) > 0,
      text: "Create a topic to group the event types you care about.",
      page: "topics",
      action: "Topics",
    },
    {
      done: (eventRoutes.data?.length ?? 0) > 0 && (destinationRoutes.data?.length ?? 0) > 0,
      text: "Wire event types into the topic, and the topic to the destination.",
      page: "routing",
      action: "Routing",
    },
    {
      done: false,
      text: "Publish a test notification and watch it arrive on the Live page.",
      page: "publish",
      action: "Publish",
    },
  ];
  const allSetUp = steps.slice(0, 3).every((s) => s.done);

  return (
    <section className="page">
      <PageHeader title="Switchboard">
        Route lifecycle notifications to webhooks, Kinesis streams and logs — durably, with retries,
        rate limits and alerts when a destination keeps failing.
      </PageHeader>
      {!allSetUp && (
        <section className="panel getting-started" aria-labelledby="getting-started">
          <h2 id="getting-started">Getting started</h2>
          <ol className="checklist">
            {steps.map((s) => (
              <li key={s.page} data-done={s.done}>
                <span className="check" aria-hidden="true">
                  {s.done ? "✓" : ""}
                </span>
                <span className="checklist-text">
                  {s.text}
                  {s.done && <span className="visually-hidden"> (done)</span>}
                </span>
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => onOpen(s.page)}
                >
                  {s.action}
                </button>
              </li>
            ))}
          </ol>
        </section>
      )}
      <div className="card-grid">
        {SECTIONS.map((section) => (
          <button
            key={section.id}
            type="button"
            className="card"
            onClick={() => onOpen(section.id)}
          >
            <div className="card-title">
              <span className="nav-icon" aria-hidden="true">
                {section.icon}
              </span>
              {section.title}
            </div>
            <p className="muted">{section.summary}</p>
          </button>
        ))}
      </div>
    </section>
  );
}
