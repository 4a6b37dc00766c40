import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { compressAssets } from './scripts/vite-compress'

export default defineConfig({
  plugins: [react(), compressAssets()],
  server: {
    port: 5173,
    strictPort: true,
  },
  preview: {
    port: 4173,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // The server's CSP forbids inline code; keep every asset a file.
    assetsInlineLimit: 0,
    // Every browser we support (evergreen, Safari 17+) preloads modules natively.
    modulePreload: { polyfill: false },
    // dist/.vite/manifest.json: which chunks each route loads, read by scripts/bundle-budget.mjs.
    manifest: true,
  },
})
