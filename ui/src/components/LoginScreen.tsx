// Browser login: paste an API key (or use the one-time link `switchboard serve` printed).
// The key is exchanged for an HttpOnly session cookie and not kept by the page.
import { useState } from "react";
import { ApiError, login } from "../api";
import { ErrorNote } from "./ErrorNote";
import { Field } from "./Field";

export function LoginScreen({ onLoggedIn }: { onLoggedIn: () => void }) {
  const [apiKey, setApiKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await login(apiKey.trim());
      setApiKey("");
      onLoggedIn();
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? new Error("That API key is not valid (or was revoked).")
          : err,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form
        className="login-card"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h1>Log in to Switchboard</h1>
        <p className="muted">
          Open the one-time login link that <code>switchboard serve</code> printed, or paste an API
          key (the admin key is printed on the node's first start; make more with{" "}
          <code>switchboard keys create</code>).
        </p>
        <Field label="API key">
          <input
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
            required
            autoFocus
          />
        </Field>
        <ErrorNote error={error} />
        <button type="submit" className="button button-primary" disabled={busy || !apiKey.trim()}>
          {busy ? "Logging in…" : "Log in"}
        </button>
      </form>
    </main>
  );
}
