// What an installation form needs from a revision's manifest content (free-form JSON in
// the API): each read object's required and optional fields and its mappings. Read with
// runtime checks, since the content is whatever the deployed amp.yaml said.

export interface FieldChoice {
  name: string;
  required: boolean;
}

export interface MappingChoice {
  mapToName: string;
  label: string;
  required: boolean;
  defaultField?: string;
  prompt?: string;
}

export interface ObjectChoices {
  objectName: string;
  destination: string;
  fields: FieldChoice[];
  mappings: MappingChoice[];
  /** `optionalFieldsAuto: all`: the installer may read every field. */
  anyField: boolean;
}

const asRecord = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asText = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The read objects of a manifest's integration, as choices for an installer. */
export function readObjectChoices(content: unknown): ObjectChoices[] {
  const objects = asList(asRecord(asRecord(content).read).objects);
  return objects.map((raw) => {
    const o = asRecord(raw);
    const fields: FieldChoice[] = [];
    const mappings: MappingChoice[] = [];
    for (const [list, required] of [
      ["requiredFields", true],
      ["optionalFields", false],
    ] as const) {
      for (const entry of asList(o[list]).map(asRecord)) {
        const name = asText(entry.fieldName);
        const mapTo = asText(entry.mapToName);
        if (name) fields.push({ name, required });
        else if (mapTo)
          mappings.push({
            mapToName: mapTo,
            label: asText(entry.mapToDisplayName) ?? mapTo,
            required,
            defaultField: asText(entry.default),
            prompt: asText(entry.prompt),
          });
      }
    }
    return {
      objectName: asText(o.objectName) ?? "",
      destination: asText(o.destination) ?? "",
      fields,
      mappings,
      anyField: o.optionalFieldsAuto === "all",
    };
  });
}

/** What the installer picked for one object. */
export interface ObjectPick {
  read: boolean;
  optional: Record<string, boolean>;
  allFields: boolean;
  /** mapToName → provider field. */
  mappings: Record<string, string>;
}

export function defaultPick(o: ObjectChoices): ObjectPick {
  return {
    read: true,
    optional: {},
    allFields: false,
    mappings: Object.fromEntries(
      o.mappings.filter((m) => m.defaultField).map((m) => [m.mapToName, m.defaultField!]),
    ),
  };
}

/** The config content (`config.yaml`'s ConfigContent) for the picks. */
export function configContent(objects: ObjectChoices[], picks: Record<string, ObjectPick>) {
  const read: Record<string, unknown> = {};
  for (const o of objects) {
    const pick = picks[o.objectName];
    if (!pick?.read) continue;
    const selectedFields: Record<string, boolean> = {};
    for (const f of o.fields) {
      if (f.required || pick.optional[f.name]) selectedFields[f.name] = true;
    }
    const mappings = Object.fromEntries(
      Object.entries(pick.mappings).filter(([, field]) => field.trim() !== ""),
    );
    read[o.objectName] = {
      objectName: o.objectName,
      selectedFields,
      selectedFieldMappings: mappings,
      ...(pick.allFields ? { selectedFieldsAuto: "all" } : {}),
    };
  }
  return { read: { objects: read } };
}

/** The picks an installed object's config amounts to (for editing it). */
export function pickFromConfig(o: ObjectChoices, config: unknown): ObjectPick {
  const c = asRecord(config);
  const selected = asRecord(c.selectedFields);
  const mappings = asRecord(c.selectedFieldMappings);
  return {
    read: true,
    optional: Object.fromEntries(
      o.fields.filter((f) => !f.required && selected[f.name] === true).map((f) => [f.name, true]),
    ),
    allFields: c.selectedFieldsAuto === "all",
    mappings: Object.fromEntries(
      Object.entries(mappings).filter((e): e is [string, string] => typeof e[1] === "string"),
    ),
  };
}

/** One object's config for a pick (`config.content.read.objects.<o>`). */
export function objectConfig(o: ObjectChoices, pick: ObjectPick): unknown {
  const content = configContent([o], { [o.objectName]: { ...pick, read: true } });
  return content.read.objects[o.objectName];
}
