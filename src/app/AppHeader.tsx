import type { ReactNode } from 'react';

/** The banner of every page: the app's name, then what the page adds (navigation, the user). */
export function AppHeader({ children }: { children?: ReactNode }) {
  return (
    <header className="app-header">
      <div className="app-header__inner">
        <h1>Patient Registry</h1>
        {children}
      </div>
    </header>
  );
}
