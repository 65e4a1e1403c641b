// What a page shows before there is anything on it: what to do first.
import type { ReactNode } from "react";

export function EmptyState({
  icon,
  title,
  children,
}: {
  icon: string;
  title: string;
  children?: ReactNode;
}) {
  return (
    <div className="empty-state">
      <span className="empty-icon" aria-hidden="true">
        {icon}
      </span>
      <p>
        <strong>{title}</strong>
      </p>
      {children}
    </div>
  );
}
