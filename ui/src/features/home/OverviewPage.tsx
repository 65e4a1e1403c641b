// Landing page: what the console will do, one card per section.
import { SECTIONS, type SectionId } from "../../lib/sections";

export function OverviewPage({ onOpen }: { onOpen: (id: SectionId) => void }) {
  return (
    <section className="page">
      <header className="page-header">
        <h1>Switchboard</h1>
        <p className="muted">
          Route lifecycle notifications to webhooks, Kinesis streams and logs — durably, with
          retries, rate limits and alerts when a destination keeps failing.
        </p>
      </header>
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
              <span className="badge">coming soon</span>
            </div>
            <p className="muted">{section.summary}</p>
          </button>
        ))}
      </div>
    </section>
  );
}
