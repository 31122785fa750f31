import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Vitest runs without globals, so Testing Library cannot register this itself. The page's
// place (the URL's hash) goes back to the start too, as a fresh page load would have it.
afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});
