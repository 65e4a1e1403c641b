// Small display helpers: times, durations, rates.

/** `12:03:04.123` for today, else `2026-01-02 12:03:04`. */
export function formatTime(iso: string | undefined | null): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const now = new Date();
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (d.toDateString() === now.toDateString()) return `${time}.${pad(d.getMilliseconds(), 3)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** "3 min ago", "in 5 s". */
export function relativeTime(iso: string | undefined | null, now = Date.now()): string {
  if (!iso) return "";
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return "";
  const diff = Math.round((t - now) / 1000);
  const abs = Math.abs(diff);
  const [value, unit] =
    abs < 60
      ? [abs, "s"]
      : abs < 3600
        ? [Math.round(abs / 60), "min"]
        : abs < 86400
          ? [Math.round(abs / 3600), "h"]
          : [Math.round(abs / 86400), "d"];
  return diff < 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
}

export function formatMs(ms: number | undefined | null): string {
  if (ms === undefined || ms === null) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatPercent(ratio: number | undefined | null): string {
  if (ratio === undefined || ratio === null) return "—";
  const pct = ratio * 100;
  return `${pct >= 99.95 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1)} %`;
}

/** The value for an `<input type="datetime-local">` showing `date` in local time. */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** A span in words: "32 s", "4 min 32 s", "2 h 5 min", "3 d 4 h"; "now" under a second. */
export function formatSpan(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s === 0) return "now";
  const [d, h, m, sec] = [
    Math.floor(s / 86400),
    Math.floor(s / 3600) % 24,
    Math.floor(s / 60) % 60,
    s % 60,
  ];
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return sec > 0 ? `${m} min ${sec} s` : `${m} min`;
  return `${sec} s`;
}

/** `20:37:54` today, else `2026-01-02 20:37:54`: a time of day to read, not to compare. */
export function formatClock(iso: string | undefined | null): string {
  if (!iso) return "—";
  return formatTime(iso).replace(/\.\d{3}$/, "");
}

/**
 * A failed attempt's cause in a few words, from its class (as the node records it) and
 * what it said: "connection refused", "HTTP 500", "timeout".
 */
export function errorLabel(
  errorClass: string | null | undefined,
  statusCode?: number | null,
  error?: string | null,
): string {
  switch (errorClass) {
    case "status":
      return statusCode ? `HTTP ${statusCode}` : "error status";
    case "throttled":
      return statusCode ? `HTTP ${statusCode} (throttled)` : "throttled";
    case "timeout":
      return "timeout";
    case "connect":
      return /refused/i.test(error ?? "") ? "connection refused" : "cannot connect";
    case "tls":
      return "TLS error";
    case "io":
      return "connection dropped";
    case "config":
      return "configuration error";
    case "policy":
      return "address not allowed";
    default:
      if (statusCode) return `HTTP ${statusCode}`;
      return error ? "failed" : "";
  }
}
