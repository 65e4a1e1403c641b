// Where a JSON pointer (/data/installationId) is in the editor's text, from the JSON
// syntax tree CodeMirror already keeps: the value's range, or — for a missing field — the
// object it is missing from (its opening brace), so every issue has a place to mark.
import { syntaxTree } from "@codemirror/language";
import type { EditorState } from "@codemirror/state";
import type { SyntaxNode } from "@lezer/common";

const unescape = (s: string) => s.replace(/~1/g, "/").replace(/~0/g, "~");

/** The value child of a Property node: after its PropertyName and the `:`. */
function valueOf(property: SyntaxNode): SyntaxNode | null {
  let node = property.getChild("PropertyName")?.nextSibling ?? null;
  while (node && (node.name === ":" || node.type.isError)) node = node.nextSibling;
  return node;
}

/** Children that are values (not punctuation) of an Array node. */
function items(array: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = array.firstChild; c; c = c.nextSibling) {
    if (!["[", "]", ","].includes(c.name) && !c.type.isError) out.push(c);
  }
  return out;
}

export function pointerRange(state: EditorState, pointer: string): { from: number; to: number } {
  const whole = { from: 0, to: Math.min(state.doc.length, 1) };
  const top = syntaxTree(state).topNode.firstChild;
  if (!top) return whole;
  let node: SyntaxNode = top;
  for (const part of pointer.split("/").slice(1).map(unescape)) {
    if (node.name === "Object") {
      let found: SyntaxNode | null = null;
      for (let p: SyntaxNode | null = node.firstChild; p; p = p.nextSibling) {
        const name = p.name === "Property" ? p.getChild("PropertyName") : null;
        if (!name) continue;
        let key: unknown;
        try {
          key = JSON.parse(state.sliceDoc(name.from, name.to));
        } catch {
          key = undefined;
        }
        if (key === part) {
          found = p;
          break;
        }
      }
      const value: SyntaxNode | null = found ? valueOf(found) : null;
      if (!value) return { from: node.from, to: node.from + 1 };
      node = value;
    } else if (node.name === "Array") {
      const item: SyntaxNode | undefined = items(node)[Number(part)];
      if (!item) return { from: node.from, to: node.from + 1 };
      node = item;
    } else {
      break;
    }
  }
  return { from: node.from, to: node.to };
}
