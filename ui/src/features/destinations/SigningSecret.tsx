// A webhook's signing secret: hidden until asked for, copyable, rotatable (the previous
// secret keeps signing for the node's grace period, so receivers can switch over).
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { getDestination } from "../../api/endpoints";
import type { Destination, DestinationSecrets } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorNote } from "../../components/ErrorNote";
import { formatTime } from "../../lib/format";

export function SigningSecret({ destination }: { destination: Destination }) {
  const [secrets, setSecrets] = useState<DestinationSecrets | null>(null);
  const [copied, setCopied] = useState(false);
  const [confirmRotate, setConfirmRotate] = useState(false);

  const reveal = useMutation({
    mutationFn: () => getDestination(destination.id, { includeSecrets: true }),
    onSuccess: (d) => setSecrets(d.secrets ?? {}),
  });
  const rotate = useMutation({
    mutationFn: () => getDestination(destination.id, { rotate: true }),
    onSuccess: (d) => {
      setSecrets(d.secrets ?? {});
      setConfirmRotate(false);
    },
  });
  const copy = useMutation({
    mutationFn: async () => {
      const key =
        secrets?.webhookSigningKey ??
        (await getDestination(destination.id, { includeSecrets: true })).secrets?.webhookSigningKey;
      if (!key) throw new Error("this destination has no signing secret");
      await navigator.clipboard.writeText(key);
    },
    onSuccess: () => {
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    },
  });

  const key = secrets?.webhookSigningKey;
  return (
    <section className="subsection" aria-labelledby="secret-heading">
      <h3 id="secret-heading">Signing secret</h3>
      <p className="muted">
        Receivers verify the <code>webhook-signature</code> / <code>svix-signature</code> headers
        with it.
      </p>
      <div className="secret-row">
        <code className="secret-value" aria-label="Signing secret value">
          {key ?? "whsec_••••••••••••••••••••••••"}
        </code>
        {key ? (
          <button type="button" className="button button-small" onClick={() => setSecrets(null)}>
            Hide
          </button>
        ) : (
          <button
            type="button"
            className="button button-small"
            disabled={reveal.isPending}
            onClick={() => reveal.mutate()}
          >
            Reveal
          </button>
        )}
        <button
          type="button"
          className="button button-small"
          disabled={copy.isPending}
          onClick={() => copy.mutate()}
        >
          {copied ? "Copied" : "Copy"}
        </button>
        <button
          type="button"
          className="button button-small"
          onClick={() => setConfirmRotate(true)}
        >
          Rotate…
        </button>
      </div>
      {secrets?.previousWebhookSigningKey && (
        <p className="muted">
          The previous secret keeps signing until{" "}
          {formatTime(secrets.previousWebhookSigningKeyExpireTime)}.
        </p>
      )}
      <ErrorNote error={reveal.error ?? copy.error} />
      {confirmRotate && (
        <ConfirmDialog
          title="Rotate the signing secret?"
          confirmLabel="Rotate"
          busy={rotate.isPending}
          error={rotate.error}
          onConfirm={() => rotate.mutate()}
          onCancel={() => setConfirmRotate(false)}
        >
          <p>
            A new secret signs from now on. The current one keeps signing alongside it for a grace
            period, so update the receiver before it ends.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
