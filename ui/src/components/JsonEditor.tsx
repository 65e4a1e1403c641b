// The JSON flavour of the code editor (most editors in the console hold JSON).
import { CodeEditor, type CodeEditorProps } from "./CodeEditor";

export function JsonEditor(props: Omit<CodeEditorProps, "language">) {
  return <CodeEditor language="json" {...props} />;
}
