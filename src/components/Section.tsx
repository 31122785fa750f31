import type { ReactNode } from 'react';

interface SectionProps {
  id: string;
  title: string;
  intro?: string;
  className?: string;
  children: ReactNode;
}

/** A landmark region named by its heading, reachable from the top navigation. */
export function Section({ id, title, intro, className, children }: SectionProps) {
  return (
    <section id={id} aria-labelledby={`${id}-title`} className={`panel ${className ?? ''}`.trim()}>
      {/* Focusable from script only: a move to another page puts the focus here (usePageFocus). */}
      <h2 id={`${id}-title`} tabIndex={-1}>
        {title}
      </h2>
      {intro && <p className="panel__intro">{intro}</p>}
      {children}
    </section>
  );
}
