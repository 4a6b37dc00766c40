import { readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises'
import { extname, join, relative, resolve, sep } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import { gzipAsync as zopfliGzip } from '@gfx/zopfli'
import type { Plugin } from 'vite'

const brotli = promisify(brotliCompress)
const gzipAsync = promisify(gzip)

/**
 * The gzip copy of a served file, made with Zopfli: a gzip stream any client reads, about 3% smaller than zlib's
 * level 9 on our JavaScript (the Overview's first load 125.7 -> 121.6 kB). One iteration: fifteen (its default)
 * saves another 0.1% for twice the time. Zopfli is deterministic, so the build stays reproducible, and its header
 * carries no time or name, as zlib's does not.
 */
async function servedGzip(bytes: Buffer): Promise<Buffer> {
  return Buffer.from(await zopfliGzip(bytes, { numiterations: 1 }))
}

/** Text formats worth compressing; images and fonts the build emits are compressed already. */
export const COMPRESSIBLE_EXTENSIONS: ReadonlySet<string> = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.map', '.txt', '.xml', '.webmanifest'])

export type CompressedFile = { file: string; size: number; br: number | null; gzip: number | null }

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  // Dot folders (`.vite/manifest.json`) hold build metadata, which is never served.
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !relative(dir, file).split(sep).some((segment) => segment.startsWith('.')))
}

/**
 * Writes `<file>.br` and `<file>.gz` beside every compressible file under `dir`, at the highest levels (Brotli 11,
 * gzip by Zopfli): this runs once per build, so the server can send the smallest bytes without compressing anything
 * per request. A copy that would not be smaller than its file is not written (the server then sends the file as it
 * is). Both formats are deterministic (neither gzip header carries a time or name), so the same build gives the
 * same bytes.
 */
export async function compressDir(dir: string): Promise<CompressedFile[]> {
  const files = (await filesUnder(dir)).filter((file) => COMPRESSIBLE_EXTENSIONS.has(extname(file))).sort()
  return Promise.all(
    files.map(async (file): Promise<CompressedFile> => {
      const bytes = await readFile(file)
      // Source maps are large and read only by developer tools: a fast Brotli level is plenty for them.
      const quality = extname(file) === '.map' ? 5 : constants.BROTLI_MAX_QUALITY
      const [br, gz] = await Promise.all([
        brotli(bytes, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: quality,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
          },
        }),
        // Source maps go to developer tools only: zlib is enough for them, and far faster on their size.
        extname(file) === '.map' ? gzipAsync(bytes, { level: constants.Z_BEST_COMPRESSION }) : servedGzip(bytes),
      ])
      const keep = async (copy: Buffer, suffix: '.br' | '.gz'): Promise<number | null> => {
        if (copy.byteLength >= bytes.byteLength) {
          // A copy left by an earlier build must not outlive the file it was made from.
          await unlink(file + suffix).catch(() => undefined)
          return null
        }
        await writeFile(file + suffix, copy)
        return copy.byteLength
      }
      return { file, size: bytes.byteLength, br: await keep(br, '.br'), gzip: await keep(gz, '.gz') }
    }),
  )
}

/** Vite plugin: after the bundle is written, a Brotli and a gzip copy of every text asset (see `compressDir`). */
export function compressAssets(): Plugin {
  let outDir = 'dist'
  return {
    name: 'provenance:compress-assets',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir)
    },
    async closeBundle() {
      if (!(await stat(outDir).catch(() => null))?.isDirectory()) return
      const started = performance.now()
      const files = await compressDir(outDir)
      const written = files.filter((file) => file.br !== null || file.gzip !== null).length
      this.info(`compressed ${written} of ${files.length} text files (br + gzip) in ${Math.round(performance.now() - started)} ms`)
    },
  }
}
