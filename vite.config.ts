import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { compressAssets } from './scripts/vite-compress'
import { reactRouterProduction } from './scripts/vite-react-router-production'
import { zodWithoutJsonSchema } from './scripts/vite-zod-json-schema'
import { zodOnMini } from './scripts/vite-zod-mini'

export default defineConfig({
  plugins: [react(), reactRouterProduction(), zodOnMini(), zodWithoutJsonSchema(), compressAssets()],
  // Web Workers (the lineage layout and answers) are bundled apart and get none of `plugins`: they need the same
  // browser-build substitutions, or a worker ships classic zod with its JSON Schema generator (29 kB gzip, not 15).
  worker: {
    plugins: () => [reactRouterProduction(), zodOnMini(), zodWithoutJsonSchema()],
  },
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
    // dist/.vite/manifest.json: which chunks each route loads, read by scripts/bundle-budget.ts.
    manifest: true,
    rolldownOptions: {
      output: {
        // Fewer, larger chunks: the default split gave the Builds screen 22 files, most under 1 kB gzip, each a
        // request. zod, the API client and the contract's common schemas load with every screen (each parses its
        // data), so they are one chunk, preloaded with the entry; a resource's own schemas go with the screens that
        // read them (in `shared` when three or more do), so a new resource does not grow every first visit. Code
        // that three or more screens share is another chunk. Code of one or two screens, and charts, stay with
        // their routes.
        codeSplitting: {
          groups: [
            { name: 'contract', test: /node_modules\/zod\/|\/src\/api\/|\/src\/lib\/zod-on-mini\.ts$|\/src\/contract\/(common|route-spec)\.ts$/, priority: 30 },
            { name: 'shared', test: /\/src\/|node_modules\/@tanstack\/|rolldown\/runtime/, minShareCount: 3, priority: 10 },
          ],
        },
      },
    },
  },
})
