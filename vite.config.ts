import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { compressAssets } from './scripts/vite-compress.ts'
import { d3TreeShakable } from './scripts/vite-d3-tree-shakable.ts'
import { queryMutationsOnDemand } from './scripts/vite-query-mutations-on-demand.ts'
import { reactDomClientOnly } from './scripts/vite-react-dom-client-only.ts'
import { reactRouterProduction } from './scripts/vite-react-router-production.ts'
import { rechartsScales } from './scripts/vite-recharts-scales.ts'
import { rechartsShapes } from './scripts/vite-recharts-shapes.ts'
import { rechartsStoreTransitions } from './scripts/vite-recharts-store-transitions.ts'
import { zodWithoutJsonSchema } from './scripts/vite-zod-json-schema.ts'
import { zodOnMini } from './scripts/vite-zod-mini.ts'

export default defineConfig({
  plugins: [
    react(),
    reactDomClientOnly(),
    reactRouterProduction(),
    queryMutationsOnDemand(),
    zodOnMini(),
    zodWithoutJsonSchema(),
    rechartsScales(),
    rechartsShapes(),
    rechartsStoreTransitions(),
    d3TreeShakable(),
    compressAssets(),
  ],
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
    // Each chunk's map is written beside it and served, but not named in the chunk: the comment naming it is a
    // content hash a browser cannot compress, about 36 bytes gzip in each of the app's 67 chunks (2.5 kB in all,
    // measured), downloaded by everyone for developer tools that can be given the map by hand.
    sourcemap: 'hidden',
    // The server's CSP forbids inline code; keep every asset a file.
    assetsInlineLimit: 0,
    // Every browser we support (evergreen, Safari 17+) preloads modules natively.
    modulePreload: { polyfill: false },
    // dist/.vite/manifest.json: which chunks each route loads, read by scripts/bundle-budget.ts.
    manifest: true,
    rolldownOptions: {
      output: {
        // Chunks by who needs them. zod, the API client and the contract's common schemas are one chunk (`contract`):
        // every screen parses its data with them, and the lineage Web Workers import it without React. Everything else
        // the entry imports statically (React, the router, TanStack Query, the layout) is the entry chunk. App code
        // and TanStack Query modules that at least six of the bundle's lazy parts use (pages, loaders, charts) are one
        // `shared` chunk, so a screen does not fetch a dozen tiny files; the rest splits by the set of screens that
        // use it, so a screen loads no code that only other screens need. A resource's schemas
        // (src/contract/<resource>.ts) never go to `shared`, nor what imports them (a module in a group takes its
        // imports along): they load with the screens that parse that resource.
        // Measured (scripts/bundle-budget.ts, gzip): the earlier `shared` (anything three screens used, resources'
        // schemas included) cost the Overview and the lightest screens 3.5 to 5 kB they never ran, for two or
        // three fewer requests on the largest screens.
        codeSplitting: {
          groups: [
            {
              name: 'contract',
              test: /node_modules\/zod\/|\/src\/api\/(client|api-error|token-store)\.ts$|\/src\/lib\/zod-on-mini\.ts$|\/src\/contract\/(common|route-spec)\.ts$/,
              priority: 30,
            },
            // The lineage Web Workers' modules (src/features/lineage/lib/answer-worker.ts), without React: the answers' reader,
            // which imports only `contract` and which the page loads too (so the few words the lazily loaded node panel
            // shares with the page ride along; otherwise they would be a file of their own on the page's first load), and
            // the layout, which the graph's drawing code (loaded apart, see lineage-drawing.ts) loads with it.
            { name: 'lineage-answers', test: /\/src\/features\/lineage\/lib\/(answer-worker|worker-role|lineage-words)\.ts$/, priority: 21 },
            { name: 'lineage-layout', test: /\/src\/features\/lineage\/lib\/layout-worker\.ts$/, priority: 20 },
            {
              name: 'shared',
              test: (id) =>
                /\/src\/|node_modules\/@tanstack\/|rolldown\/runtime/.test(id) &&
                !/\/src\/contract\/(?!common\.ts$|route-spec\.ts$)|\/src\/api\/project-queries\.ts$/.test(id),
              minShareCount: 6,
              priority: 10,
            },
          ],
        },
      },
    },
  },
})
