// A page's title and what the page is for, with the page's own controls beside them when
// it has any (`actions`, even if nothing is to show right now: the layout stays put).
import type { ReactNode } from "react";

export function PageHeader({
  title,
  children,
  actions,
}: {
  title: string;
  /** The description under the title. */
  children: ReactNode;
  actions?: ReactNode;
}) {
  const heading = (
    <>
      <h1>{title}</h1>
      <p className="muted">{children}</p>
    </>
  );
  if (actions === undefined) {
    return <header className="page-header">{heading}</header>;
  }
  return (
    <header className="page-header page-header-row">
      <div>{heading}</div>
      {actions}
    </header>
  );
}
