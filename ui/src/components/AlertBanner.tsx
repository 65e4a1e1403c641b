// Across every page while any destination is disabled.
import { useDestinations } from "../hooks/queries";

export function AlertBanner({ onOpenAlerts }: { onOpenAlerts: () => void }) {
  const { data } = useDestinations();
  const disabled = (data ?? []).filter((d) => d.status === "disabled");
  if (disabled.length === 0) return null;
  const names = disabled.map((d) => d.name);
  const shown =
    names.slice(0, 3).join(", ") + (names.length > 3 ? ` and ${names.length - 3} more` : "");
  return (
    <div className="alert-banner" role="alert">
      <span className="alert-banner-icon" aria-hidden="true">
        !
      </span>
      <span className="alert-banner-text">
        {disabled.length === 1
          ? `Destination ${shown} is disabled: deliveries to it stopped.`
          : `${disabled.length} destinations are disabled: ${shown}.`}
      </span>
      <button type="button" className="button button-small" onClick={onOpenAlerts}>
        Review alerts
      </button>
    </div>
  );
}
