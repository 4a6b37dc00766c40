import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Plugin } from 'vite'

/**
 * Leaves zod's JSON Schema generator out of the browser bundle (about 6 kB gzip of the 26 kB zod costs there).
 * Classic zod wires `toJSONSchema()` into every schema it makes, so the generator is always bundled, yet only the
 * server's OpenAPI document uses it (scripts/write-openapi.ts, under Node, where this plugin does not apply). The
 * two modules are replaced by stand-ins with the same exports: the `create…Method` factories (called whenever a
 * schema is made) return a method that throws, and every other export throws if called. The build fails, rather
 * than ship a broken zod, if zod's modules stop exporting only functions.
 */
const MODULES = ['v4/core/to-json-schema.js', 'v4/core/json-schema-processors.js'] as const
const STUB = '\0provenance:zod-json-schema:'

export function zodWithoutJsonSchema(): Plugin {
  // The package does not export these paths; find them under the folder its main entry lives in.
  const main = createRequire(import.meta.url).resolve('zod')
  const root = main.slice(0, main.lastIndexOf('/node_modules/zod/') + '/node_modules/zod/'.length)
  const paths = new Map(MODULES.map((module) => [join(root, module), join(root, module)]))
  return {
    name: 'provenance:zod-without-json-schema',
    apply: 'build',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer?.includes('/node_modules/zod/') || !/json-schema/.test(source)) return null
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true })
      const module = resolved && paths.get(resolved.id)
      return module ? STUB + module : null
    },
    async load(id) {
      if (!id.startsWith(STUB)) return null
      const module = id.slice(STUB.length)
      const exports = Object.entries((await import(pathToFileURL(module).href)) as Record<string, unknown>)
      // The path from node_modules on, never the absolute one: the build must not depend on where the checkout is.
      const message = JSON.stringify(`zod's JSON Schema generation is not part of the browser build (${module.slice(module.lastIndexOf('node_modules/'))})`)
      const stub = ([name, value]: [string, unknown]): string => {
        if (typeof value === 'function') return `export const ${name} = ${/^create\w*Method$/.test(name) ? '() => unavailable' : 'unavailable'}`
        // A table of processors by schema type: the same keys, each unavailable.
        if (typeof value === 'object' && value !== null && Object.values(value).every((entry) => typeof entry === 'function')) {
          return `export const ${name} = { ${Object.keys(value).map((key) => `${JSON.stringify(key)}: unavailable`).join(', ')} }`
        }
        return this.error(`${module} exports ${name}, which is neither a function nor a table of them: update scripts/vite-zod-json-schema.ts`)
      }
      return [`const unavailable = () => { throw new Error(${message}) }`, ...exports.map(stub)].join('\n')
    },
  }
}
