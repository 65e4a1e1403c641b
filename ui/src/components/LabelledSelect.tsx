// A drop-down list inside its label, for compact rows (route forms, filters). A choice is a
// plain string, or a named thing whose ID is the value; `all` adds a first, empty choice.
type Choice = string | { id: string; name: string };

export function LabelledSelect({
  label,
  value,
  choices,
  onChange,
  all,
}: {
  label: string;
  value: string;
  choices: readonly Choice[];
  onChange: (value: string) => void;
  all?: string;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {all !== undefined && <option value="">{all}</option>}
        {choices.map((c) =>
          typeof c === "string" ? (
            <option key={c}>{c}</option>
          ) : (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ),
        )}
      </select>
    </label>
  );
}
