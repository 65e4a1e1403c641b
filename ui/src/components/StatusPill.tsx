// A coloured status word: destination states and message states.
export function StatusPill({ status, title }: { status: string; title?: string }) {
  return (
    <span className={`pill pill-${status}`} title={title}>
      {status}
    </span>
  );
}
