import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Plugin } from 'vite'

/**
 * In the browser build, `react-router` resolves to the package's production bundle (dist/production/index.mjs).
 * React Router 7's package exports name only its development bundle, whatever the mode (remix-run/react-router
 * #12532, #14102), so a plain build ships its development warnings and checks: about 3 kB gzip on every screen's
 * first load. The production bundle is the same code built by the same release with those stripped. The dev server
 * and the tests keep the development bundle and its warnings. The build fails if the package stops shipping it.
 */
export function reactRouterProduction(): Plugin {
  const require = createRequire(import.meta.url)
  // The package's own directory, from its (exported) package.json.
  const production = join(dirname(require.resolve('react-router/package.json')), 'dist', 'production', 'index.mjs')
  return {
    name: 'provenance:react-router-production',
    apply: 'build',
    enforce: 'pre',
    async resolveId(source) {
      if (source !== 'react-router') return null
      const resolved = await this.resolve(production, undefined, { skipSelf: true })
      if (resolved === null) this.error(`React Router's production bundle is missing (${production}); update scripts/vite-react-router-production.ts`)
      return resolved
    },
  }
}
