// Helpers for the amp.yaml editor: where an issue's line and column are in the text, and
// the manifest a new user starts from.
import type { Text } from "@codemirror/state";

/** The span an issue marks: from its line and column to the end of the word there. */
export function issueRange(doc: Text, line: number, column: number): { from: number; to: number } {
  const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
  const from = Math.min(l.from + Math.max(column, 1) - 1, l.to);
  const rest = doc.sliceString(from, l.to);
  const word = rest.match(/^\S+/)?.[0].length ?? 0;
  return { from, to: from + Math.max(word, from === l.to ? 0 : 1) };
}

/** A manifest to start from, reading contacts into `destination`. */
export function manifestTemplate(destination = "contactWebhook"): string {
  return `specVersion: 1.0.0
integrations:
  - name: readCrm
    provider: salesforce
    read:
      objects:
        - objectName: contact
          destination: ${destination}
          schedule: "*/30 * * * *"
          backfill:
            defaultPeriod:
              days: 30
          requiredFields:
            - fieldName: id
            - fieldName: email
            - mapToName: pronoun
              mapToDisplayName: Pronoun
              default: pronoun__c
          optionalFields:
            - fieldName: phone
            - fieldName: company
`;
}
