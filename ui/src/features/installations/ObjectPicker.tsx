// The field picker for one read object, built from the manifest: whether to read it,
// required fields fixed, optional ones as checkboxes, "every other field" where the
// manifest allows it, and each mapping as a select of the object's fields (or one typed in).
import { useState } from "react";
import { Field, TextField } from "../../components/Field";
import type { ObjectChoices, ObjectPick } from "./manifestFields";

const OTHER = "__other__";

interface Props {
  object: ObjectChoices;
  pick: ObjectPick;
  onChange: (change: Partial<ObjectPick>) => void;
  /** Editing one object of an installation: it is read, no checkbox for that. */
  fixed?: boolean;
}

export function ObjectPicker({ object: o, pick, onChange, fixed }: Props) {
  return (
    <fieldset className="object-picker">
      <legend>
        {fixed ? (
          <>
            <strong>{o.objectName}</strong> into {o.destination}
          </>
        ) : (
          <label>
            <input
              type="checkbox"
              checked={pick.read}
              onChange={(e) => onChange({ read: e.target.checked })}
            />{" "}
            Read <strong>{o.objectName}</strong> into {o.destination}
          </label>
        )}
      </legend>
      {pick.read && (
        <>
          <div className="checkbox-grid" role="group" aria-label={`${o.objectName} fields`}>
            {o.fields.map((f) => (
              <label key={f.name} className={f.required ? "muted" : undefined}>
                <input
                  type="checkbox"
                  checked={f.required || !!pick.optional[f.name]}
                  disabled={f.required}
                  onChange={(e) =>
                    onChange({ optional: { ...pick.optional, [f.name]: e.target.checked } })
                  }
                />{" "}
                {f.name}
                {f.required ? " (required)" : ""}
              </label>
            ))}
            {o.anyField && (
              <label>
                <input
                  type="checkbox"
                  checked={pick.allFields}
                  onChange={(e) => onChange({ allFields: e.target.checked })}
                />{" "}
                every other field too
              </label>
            )}
          </div>
          {o.mappings.map((m) => (
            <MappingSelect
              key={m.mapToName}
              label={`${m.label}${m.required ? " (required)" : ""}`}
              hint={m.prompt}
              options={[
                ...new Set([
                  ...o.fields.map((f) => f.name),
                  ...(m.defaultField ? [m.defaultField] : []),
                ]),
              ]}
              value={pick.mappings[m.mapToName] ?? ""}
              onChange={(field) =>
                onChange({ mappings: { ...pick.mappings, [m.mapToName]: field } })
              }
            />
          ))}
        </>
      )}
    </fieldset>
  );
}

/** A mapping's provider field: one of the object's fields, or one typed in. */
function MappingSelect(props: {
  label: string;
  hint?: string;
  options: string[];
  value: string;
  onChange: (field: string) => void;
}) {
  const { label, hint, options, value, onChange } = props;
  const [typing, setTyping] = useState(value !== "" && !options.includes(value));
  return (
    <div className="form-row">
      <Field label={`Map ${label} to`} hint={hint}>
        <select
          value={typing ? OTHER : value}
          onChange={(e) => {
            const other = e.target.value === OTHER;
            setTyping(other);
            onChange(other ? "" : e.target.value);
          }}
        >
          <option value="">choose a field…</option>
          {options.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
          <option value={OTHER}>another field…</option>
        </select>
      </Field>
      {typing && <TextField label={`Field for ${label}`} value={value} onChange={onChange} />}
    </div>
  );
}
