import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

// `npm run dev` talks to the FastAPI back end on :8000 through this proxy, so the
// browser sees one origin and VITE_API_BASE_URL can stay empty.
const API_TARGET = process.env.API_PROXY_TARGET ?? 'http://localhost:8000';
const API_PATHS = ['/patients', '/deleted-patients', '/duplicates', '/audit', '/health', '/auth', '/users', '/docs', '/openapi.json'];

/**
 * Swagger UI's two files, served by the back end's /docs from dist/api-docs/ (with
 * public/api-docs/init.js): the API documentation loads nothing from a third-party CDN.
 */
function swaggerUiAssets(): Plugin {
  const require = createRequire(import.meta.url);
  return {
    name: 'swagger-ui-assets',
    apply: 'build',
    generateBundle() {
      for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
        const source = readFileSync(require.resolve(`swagger-ui-dist/${file}`));
        this.emitFile({ type: 'asset', fileName: `api-docs/${file}`, source });
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), swaggerUiAssets()],
  base: '/',
  server: {
    proxy: Object.fromEntries(API_PATHS.map((path) => [path, API_TARGET])),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['src/testing/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    // Times are shown in the viewer's zone: the tests read them in one zone, wherever they run.
    env: { TZ: 'UTC' },
    restoreMocks: true,
    unstubGlobals: true,
  },
});
