import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build, type Plugin, type Rolldown } from 'vite'

/**
 * For the build plugins' tests: `lines` (an ES module's source) bundled as the browser build would, with `plugins`,
 * unminified, written to `dir` as `<name>.mjs` and imported. Modules are named by path in `lines` where the folder
 * cannot resolve them by name; `external` modules are imported by name at run time.
 */
export async function bundleForNode(dir: string, name: string, lines: readonly string[], plugins: Plugin[], external: RegExp[] = []) {
  const entry = join(dir, `${name}-entry.mjs`)
  writeFileSync(entry, lines.join('\n'))
  const output = (await build({
    configFile: false,
    logLevel: 'silent',
    root: process.cwd(),
    plugins,
    build: { write: false, minify: false, lib: { entry, formats: ['es'], fileName: 'out' }, rolldownOptions: { external } },
  })) as Rolldown.RolldownOutput[]
  const code = output[0]!.output.map((chunk) => ('code' in chunk ? chunk.code : '')).join('\n')
  const file = join(dir, `${name}.mjs`)
  writeFileSync(file, code)
  return { code, module: (await import(pathToFileURL(file).href)) as Record<string, (...args: unknown[]) => unknown> }
}
