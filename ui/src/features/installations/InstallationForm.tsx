// A new installation with a field picker built from the integration's manifest: required
// fields are fixed, optional ones are checkboxes, mappings are selects of the object's
// fields (or a field typed in). Sample records can be added to the group first, so the
// backfill has something to deliver.
import { useMemo, useState } from "react";
import { createInstallation, generateRecords } from "../../api/endpoints";
import type { Integration } from "../../api/types";
import { ErrorNote } from "../../components/ErrorNote";
import { Field, TextField } from "../../components/Field";
import { ObjectPicker } from "./ObjectPicker";
import { useReadsMutation } from "../../hooks/queries";
import { fieldIssues } from "../../lib/problem";
import {
  configContent,
  defaultPick,
  readObjectChoices,
  type ObjectChoices,
  type ObjectPick,
} from "./manifestFields";

interface Props {
  integrations: Integration[];
  onCreated: (message: string) => void;
}

export function InstallationForm({ integrations, onCreated }: Props) {
  const [integrationId, setIntegrationId] = useState(integrations[0]?.id ?? "");
  const integration = integrations.find((i) => i.id === integrationId);
  const objects = useMemo(
    () => readObjectChoices(integration?.latestRevision.content),
    [integration],
  );
  const [groupRef, setGroupRef] = useState("");
  const [groupName, setGroupName] = useState("");
  const [samples, setSamples] = useState("100");
  const [picks, setPicks] = useState<Record<string, ObjectPick>>({});
  const pickOf = (o: ObjectChoices) => picks[o.objectName] ?? defaultPick(o);
  const setPick = (o: ObjectChoices, change: Partial<ObjectPick>) =>
    setPicks((all) => ({ ...all, [o.objectName]: { ...pickOf(o), ...change } }));

  const create = useReadsMutation(async () => {
    const group = groupRef.trim();
    const count = Number(samples) || 0;
    const chosen = objects.filter((o) => pickOf(o).read);
    if (count > 0) {
      for (const o of chosen) await generateRecords(integrationId, group, o.objectName, count);
    }
    const content = configContent(
      objects,
      Object.fromEntries(objects.map((o) => [o.objectName, pickOf(o)])),
    );
    const made = await createInstallation(integrationId, {
      groupRef: group,
      groupName: groupName.trim() || undefined,
      config: { content, createdBy: "builder:console" },
    });
    return { made, count, chosen: chosen.length };
  });
  const issues = fieldIssues(create.error, ["groupRef"]);

  return (
    <form
      className="panel installation-form"
      aria-label="New installation"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(undefined, {
          onSuccess: ({ made, count, chosen }) => {
            onCreated(
              `Installed ${integration?.name} for ${made.group.groupRef}` +
                (count > 0 ? ` with ${count} sample records per object (${chosen} objects).` : "."),
            );
            setGroupRef("");
            setGroupName("");
            setPicks({});
          },
        });
      }}
    >
      <div className="form-row">
        <Field label="Integration">
          <select value={integrationId} onChange={(e) => setIntegrationId(e.target.value)}>
            {integrations.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name} ({i.provider})
              </option>
            ))}
          </select>
        </Field>
        <TextField
          label="Group reference"
          hint="Your customer's ID, e.g. an org ID"
          value={groupRef}
          onChange={setGroupRef}
          error={issues.byField.groupRef}
          required
        />
        <TextField label="Group name" value={groupName} onChange={setGroupName} />
        <TextField
          label="Sample records to add first"
          hint="Per object, so the backfill has something to read (0: none)"
          type="number"
          min={0}
          max={100000}
          value={samples}
          onChange={setSamples}
        />
      </div>
      {objects.map((o) => (
        <ObjectPicker
          key={o.objectName}
          object={o}
          pick={pickOf(o)}
          onChange={(c) => setPick(o, c)}
        />
      ))}
      <div className="button-row">
        <button
          type="submit"
          className="button button-primary"
          disabled={create.isPending || !integration || groupRef.trim() === ""}
        >
          {create.isPending ? "Installing…" : "Install"}
        </button>
        <span className="muted">The backfill starts at once; its messages show in Live.</span>
      </div>
      {issues.other.length > 0 ? (
        <p className="error-note" role="alert">
          {issues.other.join("; ")}
        </p>
      ) : (
        !issues.byField.groupRef && <ErrorNote error={create.error} prefix="Not installed" />
      )}
    </form>
  );
}
