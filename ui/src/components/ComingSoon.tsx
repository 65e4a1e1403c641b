// Placeholder page for a console section that is not built yet.
import type { Section } from "../lib/sections";

export function ComingSoon({ section }: { section: Section }) {
  return (
    <section className="page">
      <header className="page-header">
        <h1>{section.title}</h1>
        <p className="muted">{section.summary}</p>
      </header>
      <div className="empty-state">
        <span className="empty-icon" aria-hidden="true">
          {section.icon}
        </span>
        <p>
          <strong>{section.title}</strong> is coming soon.
        </p>
      </div>
    </section>
  );
}
