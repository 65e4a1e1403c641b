// What "Inspect" elsewhere (Live's message detail) hands to the Inspector page: a body, the
// headers sent with it, and the destination whose keys check its signature.
export interface InspectorDraft {
  body: string;
  headers: string;
  destination: string;
}

let draft: InspectorDraft | null = null;

export function setInspectorDraft(next: InspectorDraft) {
  draft = next;
}

/** The draft, once: the page takes it when it opens. */
export function takeInspectorDraft(): InspectorDraft | null {
  const taken = draft;
  draft = null;
  return taken;
}

/** Headers as the Inspector's box shows them: one `Name: value` per line. */
export function headerLines(headers: unknown): string {
  if (!headers || typeof headers !== "object") return "";
  return Object.entries(headers as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join("\n");
}
