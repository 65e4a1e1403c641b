// A JSON editor (CodeMirror 6) with syntax highlighting; the label and error wiring go
// onto the editable element itself so screen readers announce them.
import { json } from "@codemirror/lang-json";
import CodeMirror, { EditorView } from "@uiw/react-codemirror";
import { useMemo } from "react";

interface JsonEditorProps {
  value: string;
  onChange: (value: string) => void;
  label: string;
  invalid?: boolean;
  describedBy?: string;
}

export function JsonEditor({ value, onChange, label, invalid, describedBy }: JsonEditorProps) {
  const extensions = useMemo(() => {
    const attrs: Record<string, string> = { "aria-label": label };
    if (invalid) attrs["aria-invalid"] = "true";
    if (describedBy) attrs["aria-describedby"] = describedBy;
    return [json(), EditorView.contentAttributes.of(attrs)];
  }, [label, invalid, describedBy]);
  const dark = useMemo(() => window.matchMedia("(prefers-color-scheme: dark)").matches, []);

  return (
    <div className={invalid ? "json-editor json-editor-invalid" : "json-editor"}>
      <CodeMirror
        value={value}
        onChange={onChange}
        extensions={extensions}
        basicSetup={{ foldGutter: true, highlightActiveLine: true }}
        minHeight="280px"
        maxHeight="560px"
        theme={dark ? "dark" : "light"}
      />
    </div>
  );
}
