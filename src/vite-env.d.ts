/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the patient API; empty or unset = same origin. */
  readonly VITE_API_BASE_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
