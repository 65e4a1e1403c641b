// Left navigation: the overview plus one entry per console section.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { isDesktop, logout } from "../api";
import { useDestinations } from "../hooks/queries";
import { SECTIONS, type SectionId } from "../lib/sections";
import { displayedState } from "./DestinationState";
import { ErrorNote } from "./ErrorNote";
import { ProfileSelector } from "./ProfileSelector";

export type Page = "overview" | SectionId;

interface SidebarProps {
  current: Page;
  onSelect: (page: Page) => void;
}

export function Sidebar({ current, onSelect }: SidebarProps) {
  const destinations = useDestinations();
  // Disabled and failing ones: the banner and the tray count only the disabled.
  const alerts = (destinations.data ?? []).filter(
    (d) => d.status === "disabled" || displayedState(d) === "failing",
  ).length;
  return (
    <nav className="sidebar" aria-label="Sections">
      <div className="brand">
        <SwitchboardMark />
        <span className="brand-name">Switchboard</span>
      </div>
      <ul className="nav-list">
        <li>
          <button
            type="button"
            className="nav-item"
            aria-current={current === "overview" ? "page" : undefined}
            onClick={() => onSelect("overview")}
          >
            <span className="nav-icon" aria-hidden="true">
              ⌂
            </span>
            <span className="nav-label">Overview</span>
          </button>
        </li>
      </ul>
      <div className="nav-heading">Console</div>
      <ul className="nav-list">
        {SECTIONS.map((section) => (
          <li key={section.id}>
            <button
              type="button"
              className="nav-item"
              aria-current={current === section.id ? "page" : undefined}
              onClick={() => onSelect(section.id)}
            >
              <span className="nav-icon" aria-hidden="true">
                {section.icon}
              </span>
              <span className="nav-label">{section.title}</span>
              {section.id === "alerts" && alerts > 0 && (
                <span className="badge badge-bad" aria-label={`${alerts} open`}>
                  {alerts}
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
      {isDesktop() ? <ProfileSelector /> : <LogoutButton />}
    </nav>
  );
}

function LogoutButton() {
  const client = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  return (
    <div className="sidebar-footer">
      <button
        type="button"
        className="nav-item"
        onClick={() => {
          setError(null);
          logout().then(
            () => client.resetQueries(),
            (err: unknown) => setError(err),
          );
        }}
      >
        <span className="nav-icon" aria-hidden="true">
          ⎋
        </span>
        <span className="nav-label">Log out</span>
      </button>
      <ErrorNote error={error} />
    </div>
  );
}

/** The app glyph: patch-panel jacks joined by a cord, as in icons/. */
function SwitchboardMark() {
  return (
    <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="#1e293b" />
      <path d="M9 10 C 9 20, 23 12, 23 22" stroke="#38bdf8" strokeWidth="2.5" fill="none" />
      {[9, 16, 23].map((x) => (
        <g key={x}>
          <circle cx={x} cy={10} r={2.6} fill="#e2e8f0" />
          <circle cx={x} cy={22} r={2.6} fill="#e2e8f0" />
        </g>
      ))}
    </svg>
  );
}
