// Create or edit a destination: one set of fields per type, with the API's complaints
// shown under the field they are about.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { createDestination, updateDestination } from "../../api/endpoints";
import type {
  CreateDestinationRequest,
  Destination,
  DestinationMetadata,
  DestinationType,
} from "../../api/types";
import { Dialog } from "../../components/Dialog";
import { Field, TextField } from "../../components/Field";
import { qk } from "../../hooks/queries";
import { fieldIssues } from "../../lib/problem";

const METADATA_FIELDS: Record<DestinationType, (keyof DestinationMetadata)[]> = {
  webhook: ["url", "headers"],
  kinesis: ["streamName", "region", "endpointUrl", "partitionKeyTemplate"],
  log: ["path"],
};
const SECRET_FIELDS: Record<DestinationType, string[]> = {
  webhook: [],
  kinesis: ["awsKeyId", "awsSecretKey", "awsSessionToken"],
  log: [],
};
const KNOWN_FIELDS = [
  "name",
  "type",
  "metadata.url",
  "metadata.headers",
  "metadata.streamName",
  "metadata.region",
  "metadata.endpointUrl",
  "metadata.partitionKeyTemplate",
  "metadata.path",
  "secrets.awsKeyId",
  "secrets.awsSecretKey",
  "secrets.awsSessionToken",
  "delivery.retrySchedule",
  "delivery",
] as const;

interface HeaderRow {
  key: number;
  name: string;
  value: string;
}

interface FormState {
  name: string;
  type: DestinationType;
  url: string;
  headers: HeaderRow[];
  streamName: string;
  region: string;
  endpointUrl: string;
  partitionKeyTemplate: string;
  path: string;
  awsKeyId: string;
  awsSecretKey: string;
  awsSessionToken: string;
  retrySchedule: string;
}

/** The fields edited as plain text. */
type TextKey = { [K in keyof FormState]: string extends FormState[K] ? K : never }[keyof FormState];

let headerKey = 0;

function initialState(d?: Destination): FormState {
  const m = d?.metadata ?? {};
  return {
    name: d?.name ?? "",
    type: d?.type ?? "webhook",
    url: m.url ?? "",
    headers: Object.entries(m.headers ?? {}).map(([name, value]) => ({
      key: headerKey++,
      name,
      value,
    })),
    streamName: m.streamName ?? "",
    region: m.region ?? "",
    endpointUrl: m.endpointUrl ?? "",
    partitionKeyTemplate: m.partitionKeyTemplate ?? "",
    path: m.path ?? "",
    awsKeyId: "",
    awsSecretKey: "",
    awsSessionToken: "",
    retrySchedule: d?.delivery?.retrySchedule?.join(", ") ?? "",
  };
}

function buildMetadata(f: FormState): DestinationMetadata {
  const trimmed = (s: string) => (s.trim() === "" ? undefined : s.trim());
  switch (f.type) {
    case "webhook": {
      const headers = Object.fromEntries(
        f.headers.filter((h) => h.name.trim() !== "").map((h) => [h.name.trim(), h.value]),
      );
      return {
        url: trimmed(f.url),
        headers: Object.keys(headers).length > 0 ? headers : undefined,
      };
    }
    case "kinesis":
      return {
        streamName: trimmed(f.streamName),
        region: trimmed(f.region),
        endpointUrl: trimmed(f.endpointUrl),
        partitionKeyTemplate: trimmed(f.partitionKeyTemplate),
      };
    case "log":
      return { path: trimmed(f.path) };
  }
}

function buildSecrets(f: FormState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of SECRET_FIELDS[f.type]) {
    const value = f[name as keyof FormState] as string;
    if (value.trim() !== "") out[name] = value.trim();
  }
  return out;
}

/** "0, 5, 300" → [0, 5, 300]; undefined when empty; an error string when not numbers. */
function parseSchedule(raw: string): number[] | undefined | string {
  if (raw.trim() === "") return undefined;
  const parts = raw.split(/[\s,]+/).filter(Boolean);
  const numbers = parts.map(Number);
  if (numbers.some((n) => !Number.isFinite(n) || n < 0)) {
    return "list delays in seconds, e.g. 0, 5, 300";
  }
  return numbers;
}

export function DestinationForm({
  destination,
  onClose,
  onSaved,
}: {
  destination?: Destination;
  onClose: () => void;
  onSaved: (d: Destination) => void;
}) {
  const editing = destination !== undefined;
  const [form, setForm] = useState(() => initialState(destination));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const client = useQueryClient();
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  const save = useMutation({
    mutationFn: async (f: FormState) => {
      const schedule = parseSchedule(f.retrySchedule);
      const delivery = Array.isArray(schedule) ? { retrySchedule: schedule } : undefined;
      const metadata = buildMetadata(f);
      const secrets = buildSecrets(f);
      if (!editing) {
        const body: CreateDestinationRequest = {
          name: f.name.trim(),
          type: f.type,
          metadata,
          ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
          ...(delivery ? { delivery } : {}),
        };
        return createDestination(body);
      }
      // Field-mask update: every field of this type is named, so clearing one clears it;
      // secrets left blank keep their value.
      const updateMask = [
        "name",
        ...METADATA_FIELDS[f.type].map((k) => `metadata.${k}`),
        ...Object.keys(secrets).map((k) => `secrets.${k}`),
      ];
      const hadSchedule = Boolean(destination.delivery?.retrySchedule);
      if (delivery || hadSchedule) updateMask.push("delivery.retrySchedule");
      return updateDestination(destination.id, {
        updateMask,
        destination: {
          name: f.name.trim(),
          metadata,
          ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
          ...(delivery ? { delivery } : {}),
        },
      });
    },
    onSuccess: async (saved) => {
      await client.invalidateQueries({ queryKey: qk.destinations });
      await client.invalidateQueries({ queryKey: qk.stats });
      onSaved(saved);
    },
  });

  const submit = () => {
    const errors: Record<string, string> = {};
    if (typeof parseSchedule(form.retrySchedule) === "string") {
      errors["delivery.retrySchedule"] = parseSchedule(form.retrySchedule) as string;
    }
    setLocalErrors(errors);
    if (Object.keys(errors).length === 0) save.mutate(form);
  };

  const { byField, other } = fieldIssues(save.error, KNOWN_FIELDS, "destination.");
  const err = (name: string) => localErrors[name] ?? byField[name];
  // A text input's value, setter, and the API's complaint about it (by the API's field name).
  const text = (key: TextKey, issue: string = key) => ({
    value: form[key],
    onChange: (value: string) => set(key, value),
    error: err(issue),
  });
  const metadata = (key: TextKey & keyof DestinationMetadata) => text(key, `metadata.${key}`);
  const secret = (key: TextKey) => ({ ...text(key, `secrets.${key}`), autoComplete: "off" });
  const title = editing ? `Edit ${destination.name}` : "New destination";

  return (
    <Dialog
      title={title}
      onClose={onClose}
      wide
      actions={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form="destination-form"
            className="button button-primary"
            disabled={save.isPending}
          >
            {save.isPending ? "Saving…" : editing ? "Save changes" : "Create destination"}
          </button>
        </>
      }
    >
      <form
        id="destination-form"
        className="form-grid"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        {other.length > 0 && (
          <div className="error-note" role="alert">
            {other.map((o) => (
              <div key={o}>{o}</div>
            ))}
          </div>
        )}
        <TextField
          label="Name"
          {...text("name")}
          hint="Unique in the project, e.g. billing-webhook."
          autoFocus
        />
        <Field label="Type" error={err("type")}>
          <select
            value={form.type}
            disabled={editing}
            onChange={(e) => set("type", e.target.value as DestinationType)}
          >
            <option value="webhook">Webhook</option>
            <option value="kinesis">Kinesis stream</option>
            <option value="log">Log file</option>
          </select>
        </Field>

        {form.type === "webhook" && (
          <>
            <TextField
              label="URL"
              {...metadata("url")}
              hint="https://…, or http:// for localhost and 127.0.0.1."
              type="url"
              placeholder="https://example.com/webhooks/switchboard"
            />
            <HeadersEditor
              rows={form.headers}
              onChange={(rows) => set("headers", rows)}
              error={err("metadata.headers")}
            />
          </>
        )}

        {form.type === "kinesis" && (
          <>
            <TextField label="Stream name" {...metadata("streamName")} />
            <TextField label="Region" {...metadata("region")} hint="e.g. us-east-1" />
            <TextField
              label="Endpoint URL (optional)"
              {...metadata("endpointUrl")}
              hint="For Kinesis-compatible servers; AWS's endpoint when empty."
              type="url"
            />
            <TextField
              label="Partition key template (optional)"
              {...metadata("partitionKeyTemplate")}
              hint="A JMESPath expression over the payload, e.g. data.installationId."
            />
            <TextField
              label="AWS access key ID"
              {...secret("awsKeyId")}
              hint={editing ? "Leave empty to keep the current one." : undefined}
            />
            <TextField
              label="AWS secret access key"
              {...secret("awsSecretKey")}
              hint={editing ? "Write-only. Leave empty to keep the current one." : "Write-only."}
              type="password"
            />
            <TextField
              label="AWS session token (optional)"
              {...secret("awsSessionToken")}
              type="password"
            />
          </>
        )}

        {form.type === "log" && (
          <TextField
            label="File path (optional)"
            {...metadata("path")}
            hint="A .jsonl file on the node; by default one named after the destination in its data directory."
          />
        )}

        <TextField
          label="Retry schedule override (optional)"
          {...text("retrySchedule", "delivery.retrySchedule")}
          error={err("delivery.retrySchedule") ?? err("delivery")}
          hint="Delays before each attempt, in seconds, e.g. 0, 5, 300. Empty: the node's schedule."
          placeholder="0, 5, 300, 1800"
        />
      </form>
    </Dialog>
  );
}

function HeadersEditor({
  rows,
  onChange,
  error,
}: {
  rows: HeaderRow[];
  onChange: (rows: HeaderRow[]) => void;
  error?: string;
}) {
  const update = (key: number, patch: Partial<HeaderRow>) =>
    onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <fieldset className={error ? "field field-invalid headers" : "field headers"}>
      <legend>Custom headers (optional)</legend>
      {rows.map((row, i) => (
        <div key={row.key} className="header-row">
          <input
            aria-label={`Header ${i + 1} name`}
            placeholder="X-Header-Name"
            value={row.name}
            onChange={(e) => update(row.key, { name: e.target.value })}
          />
          <input
            aria-label={`Header ${i + 1} value`}
            placeholder="value"
            value={row.value}
            onChange={(e) => update(row.key, { value: e.target.value })}
          />
          <button
            type="button"
            className="button button-small"
            aria-label={`Remove header ${i + 1}`}
            onClick={() => onChange(rows.filter((r) => r.key !== row.key))}
          >
            Remove
          </button>
        </div>
      ))}
      <button
        type="button"
        className="button button-small"
        onClick={() => onChange([...rows, { key: headerKey++, name: "", value: "" }])}
      >
        Add header
      </button>
      {error && (
        <small className="field-error" role="alert">
          {error}
        </small>
      )}
    </fieldset>
  );
}
