import type { Plugin } from 'vite'

/**
 * One import narrowed to what our charts reach: in the modules `importers` matches, `source` is replaced by a module
 * that re-exports the names in `kept`, defines those in `own`, and makes every other export of the package
 * `exportsOf` a function that throws, naming the plugin's file. A chart that reaches a name left out fails loudly
 * instead of drawing something else.
 */
export type Narrowing = {
  importers: RegExp
  source: string
  /** The package whose export names are listed (victory-vendor's modules re-export d3's). */
  exportsOf: string
  kept: readonly string[]
  /** Names given our own code instead: a JavaScript expression that may use the kept names and `fail(name)`. */
  own?: Readonly<Record<string, string>>
}

/** The plugin for `narrowings`; `file` is where its lists live, named in every error it throws. */
export function narrowImports(name: string, file: string, narrowings: readonly Narrowing[]): Plugin {
  const prefix = `\0${name}:`
  return {
    name,
    apply: 'build',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer) return null
      const index = narrowings.findIndex((narrowing) => narrowing.source === source && narrowing.importers.test(importer))
      return index < 0 ? null : `${prefix}${index}`
    },
    async load(id) {
      if (!id.startsWith(prefix)) return null
      const { source, exportsOf, kept, own = {} } = narrowings[Number(id.slice(prefix.length))]!
      // The package's own list, so a name added upstream is stubbed (and so named in the error) rather than missing.
      const names = Object.keys((await import(exportsOf)) as Record<string, unknown>)
      const missing = [...kept, ...Object.keys(own)].filter((kept) => !names.includes(kept))
      if (missing.length > 0) return this.error(`${exportsOf} no longer exports ${missing.join(', ')}: update ${file}`)
      // `default` and a CommonJS build's `__esModule` marker are no names a module imports.
      const stubbed = names.filter((name) => name !== 'default' && name !== '__esModule' && !kept.includes(name) && !(name in own))
      return [
        ...(kept.length > 0 ? [`import { ${kept.join(', ')} } from ${JSON.stringify(source)}`, `export { ${kept.join(', ')} }`] : []),
        // A function, and (for d3's symbol types, which are called through `draw`) its own `draw`.
        `const fail = (name) => { const stub = () => { throw new Error(name + ${JSON.stringify(` is not part of the browser build: add it to KEPT in ${file}`)}) }; stub.draw = stub; return stub }`,
        ...Object.entries(own).map(([name, code]) => `export const ${name} = ${code}`),
        ...stubbed.map((name) => `export const ${name} = /* @__PURE__ */ fail(${JSON.stringify(name)})`),
      ].join('\n')
    },
  }
}
