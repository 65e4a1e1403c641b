// A code editor (CodeMirror 6) for JSON or YAML with syntax highlighting; the label and error wiring go
// onto the editable element itself so screen readers announce them. Tab indents inside it,
// so it says how to leave: Esc, then Tab (CodeMirror's own escape hatch).
import { json } from "@codemirror/lang-json";
import { yaml } from "@codemirror/lang-yaml";
import CodeMirror, { EditorView } from "@uiw/react-codemirror";
import { useId, useMemo } from "react";

export interface CodeEditorProps {
  value: string;
  /** JSON unless said otherwise. */
  language?: "json" | "yaml";
  onChange: (value: string) => void;
  label: string;
  invalid?: boolean;
  describedBy?: string;
  /** The editor's view, once made: for marking places in it and moving to them. */
  onView?: (view: EditorView) => void;
}

export function CodeEditor({
  value,
  language = "json",
  onChange,
  label,
  invalid,
  describedBy,
  onView,
}: CodeEditorProps) {
  const hintId = useId();
  const extensions = useMemo(() => {
    // tabindex: the editable element is in the tab order anyway; saying so lets checkers
    // (axe's scrollable-region-focusable) see that the scroller around it is reachable.
    const attrs: Record<string, string> = { "aria-label": label, tabindex: "0" };
    if (invalid) attrs["aria-invalid"] = "true";
    attrs["aria-describedby"] = [hintId, describedBy].filter(Boolean).join(" ");
    return [language === "yaml" ? yaml() : json(), EditorView.contentAttributes.of(attrs)];
  }, [label, invalid, describedBy, hintId, language]);
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
        onCreateEditor={onView}
      />
      <small id={hintId} className="json-editor-hint">
        Tab indents here; to leave the editor press Esc, then Tab.
      </small>
    </div>
  );
}
