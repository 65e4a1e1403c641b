// Desktop only: which node the console talks to — the embedded one (`local`) or a stored
// remote profile. Keys stay in the shell; switching refetches everything from the new node.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { isDesktop, listProfiles, selectProfile } from "../api";
import { ErrorNote } from "./ErrorNote";

export function ProfileSelector() {
  const client = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [switching, setSwitching] = useState(false);
  const profiles = useQuery({
    queryKey: ["desktop-profiles"],
    queryFn: listProfiles,
    enabled: isDesktop(),
  });
  if (!isDesktop() || !profiles.data || profiles.data.length === 0) {
    return null;
  }
  const current = profiles.data.find((p) => p.current)?.name ?? "local";
  return (
    <div className="sidebar-footer profile-selector">
      <label htmlFor="profile-select" className="nav-heading">
        Node
      </label>
      <select
        id="profile-select"
        value={current}
        disabled={switching}
        onChange={(event) => {
          const name = event.target.value;
          setError(null);
          setSwitching(true);
          selectProfile(name)
            .then(
              () => client.resetQueries(),
              (err: unknown) => setError(err),
            )
            .finally(() => setSwitching(false));
        }}
      >
        {profiles.data.map((p) => (
          <option key={p.name} value={p.name}>
            {p.name === "local" ? "This computer (embedded node)" : `${p.name} · ${p.url}`}
          </option>
        ))}
      </select>
      {error !== null && <ErrorNote error={error} />}
    </div>
  );
}
