// Turning API errors into what forms and banners show: field issues next to their
// fields, everything else as one message.
import { ApiError, type ProblemIssue } from "../api";

/** A human sentence for any error (never swallowed: every caller shows it). */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const issues = err.problem?.issues ?? [];
    if (issues.length > 0 && !err.problem?.detail) {
      return issues.map(describeIssue).join("; ");
    }
    return err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

export function describeIssue(issue: ProblemIssue): string {
  return [issue.name, issue.detail].filter(Boolean).join(" ");
}

/**
 * Field issues keyed by field path (`metadata.url`), with `stripPrefix` removed (a PATCH
 * names `destination.metadata.url`). Issues that match no known field are returned apart,
 * so the form can show them at the top rather than lose them.
 */
export function fieldIssues(
  err: unknown,
  knownFields: readonly string[],
  stripPrefix = "",
): { byField: Record<string, string>; other: string[] } {
  const byField: Record<string, string> = {};
  const other: string[] = [];
  if (!(err instanceof ApiError)) {
    if (err) other.push(errorMessage(err));
    return { byField, other };
  }
  const issues = err.problem?.issues ?? [];
  for (const issue of issues) {
    let name = issue.name ?? "";
    if (stripPrefix && name.startsWith(stripPrefix)) name = name.slice(stripPrefix.length);
    // `metadata.headers.X-Foo` belongs to the headers field.
    const field = knownFields.find((f) => name === f || name.startsWith(`${f}.`));
    if (field) {
      byField[field] = byField[field]
        ? `${byField[field]}; ${issue.detail ?? ""}`
        : (issue.detail ?? "is invalid");
    } else {
      other.push(describeIssue(issue));
    }
  }
  if (issues.length === 0) other.push(errorMessage(err));
  else if (err.problem?.detail && other.length === 0 && Object.keys(byField).length === 0) {
    other.push(err.problem.detail);
  }
  return { byField, other };
}
