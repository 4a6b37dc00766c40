/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** `false` turns the dev server's mock API off, for running against a real server. */
  readonly VITE_MOCKS?: string
}

interface ImportMeta {
  readonly env: ImportMetaEnv
}
