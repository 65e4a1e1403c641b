// Changing what an installation reads of one object: the same picker as at install time,
// starting from the installed config; saved as `updateMask: config.content.read.objects.<o>`
// (the node publishes installation.updated with the config before and after).
import { useState } from "react";
import { updateReadObject } from "../../api/endpoints";
import type { Installation } from "../../api/types";
import { Dialog } from "../../components/Dialog";
import { ErrorNote } from "../../components/ErrorNote";
import { useReadsMutation } from "../../hooks/queries";
import {
  objectConfig,
  pickFromConfig,
  type ObjectChoices,
  type ObjectPick,
} from "./manifestFields";
import { ObjectPicker } from "./ObjectPicker";

interface Props {
  installation: Installation;
  object: ObjectChoices;
  onClose: () => void;
  onSaved: (message: string) => void;
}

export function EditObjectDialog({ installation, object, onClose, onSaved }: Props) {
  const installed = (
    installation.config.content as { read?: { objects?: Record<string, unknown> } }
  ).read?.objects?.[object.objectName];
  const [pick, setPick] = useState<ObjectPick>(() => pickFromConfig(object, installed));
  const save = useReadsMutation(() =>
    updateReadObject(
      installation.integrationId,
      installation.id,
      object.objectName,
      objectConfig(object, pick),
    ),
  );
  return (
    <Dialog
      title={`What ${installation.group.groupRef} reads of ${object.objectName}`}
      onClose={onClose}
      wide
      actions={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={save.isPending}
            onClick={() =>
              save.mutate(undefined, {
                onSuccess: () => {
                  onSaved(`Saved: ${object.objectName} for ${installation.group.groupRef}.`);
                  onClose();
                },
              })
            }
          >
            {save.isPending ? "Saving…" : "Save"}
          </button>
        </>
      }
    >
      <ObjectPicker
        object={object}
        pick={pick}
        fixed
        onChange={(c) => setPick({ ...pick, ...c })}
      />
      <ErrorNote error={save.error} prefix="Not saved" />
    </Dialog>
  );
}
