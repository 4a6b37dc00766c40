import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { ATTESTATIONS_DIR, attestationFiles, byName, compareOutputs, describeComparison, outputsMatch, type OutputComparison, type OutputFile } from '../../domain/build-outputs'
import type { OwnBuild } from '../../src/contract/meta'
import { ingestContext, type Config } from '../config'
import { ingestBody } from '../ingest/ingest'
import { loadPublicKey } from '../ingest/keys'
import type { Store } from '../store/types'
import { ed25519, type DemoKey } from './keys'

/*
 * The dashboard's own build in its demo: `npm run build` writes the SBOM and the SLSA provenance of dist/ into
 * dist/attestations/, and the compiled server (dist/server/main.js) ingests them on the demo's first start, so a
 * newcomer sees real provenance of the program they are running, from its commit to every file it serves.
 */

/** The key `npm run build` signs its attestations with, trusted by the demo config only. */
export const OWN_BUILD_KEY_ID = 'provenance-dashboard-demo-build'

/**
 * Derived from a label, like the demo's other keys, so that every clone signs and trusts the same key. Its private
 * half is therefore public: a signature by it shows that these files came from that commit by `npm run build`,
 * never who built them. A release is signed with its own key (`npm run provenance -- --key`).
 */
export const ownBuildKey = (): DemoKey => ed25519(OWN_BUILD_KEY_ID)

/** The demo config, trusting the build key as well. Only for the built-in demo config, which has no trusted roots. */
export function withOwnBuildKey(config: Config): Config {
  if (config.keys.some((key) => key.id === OWN_BUILD_KEY_ID)) return config
  const key = loadPublicKey(OWN_BUILD_KEY_ID, ownBuildKey().publicKeyPem)
  return { ...config, keys: [...config.keys, key], sigstore: { ...config.sigstore, keys: [...config.sigstore.keys, key] } }
}

/** The folder holding package.json above a module: the checkout, both from server/main.ts and from dist/server/main.js. */
export function appRoot(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(moduleUrl)}`)
    dir = parent
  }
  return dir
}

/** Whether the module runs from the build in `root`/dist (then dist/ is the running program) or from source. */
export function runningFromBuild(moduleUrl: string, root: string): boolean {
  return fileURLToPath(moduleUrl).startsWith(join(root, 'dist') + sep)
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** Every file under dist/ except the attestations, named from the repository root with `/`, sorted by name. */
export function readOutputs(root: string): OutputFile[] {
  const dist = join(root, 'dist')
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist} holds no build (no index.html): run npm run build first`)
  const files: OutputFile[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name)
      const name = relative(root, full).split(sep).join('/')
      if (entry.isDirectory()) {
        if (name !== ATTESTATIONS_DIR) walk(full)
      } else if (entry.isFile()) {
        files.push({ name, sha256: sha256(readFileSync(full)) })
      }
    }
  }
  walk(dist)
  return files.sort(byName)
}

const EnvelopeSubjects = z.object({ payload: z.string() }).transform(({ payload }, ctx) => {
  const statement = z
    .object({ subject: z.array(z.object({ name: z.string(), digest: z.record(z.string(), z.string()) })) })
    .safeParse(JSON.parse(Buffer.from(payload, 'base64').toString('utf8')))
  if (statement.success) return statement.data.subject
  ctx.addIssue({ code: 'custom', message: 'the payload is not an in-toto Statement with subjects', input: payload })
  return z.NEVER
})

const NOT_FROM_BUILD = 'the server runs from source, not from dist/server/main.js, so it has no build of its own to show'

export type OwnBuildOutcome =
  | { ingested: false; reason: string }
  | { ingested: true; documents: { id: string; status: string }[]; comparison: OutputComparison }

/**
 * Ingests the build's own provenance and signed SBOM through the same path as POST /api/v1/attestations, and
 * compares the files on disk with the subjects, so a file changed after the build is named rather than served as
 * attested. Skips, saying why, when the server runs from source (then dist/ is not what runs) or there is no build.
 */
export async function ingestOwnBuild(store: Store, config: Config, options: { root: string; fromBuild: boolean }): Promise<OwnBuildOutcome> {
  if (!options.fromBuild) return { ingested: false, reason: NOT_FROM_BUILD }
  const paths = [attestationFiles.provenance, attestationFiles.sbomEnvelope].map((path) => join(options.root, path))
  const absent = paths.filter((path) => !existsSync(path))
  if (absent.length > 0) return { ingested: false, reason: `no build-time attestations (${absent.map((path) => relative(options.root, path)).join(', ')}); npm run build writes them` }
  let documents: unknown[]
  try {
    documents = paths.map((path): unknown => JSON.parse(readFileSync(path, 'utf8')))
  } catch (error) {
    return { ingested: false, reason: `the build's attestations are unreadable: ${error instanceof Error ? error.message : String(error)}` }
  }
  // As JSONL they go in as one request, each line judged on its own, as POST /api/v1/attestations would.
  const result = await ingestBody(store, Buffer.from(documents.map((document) => JSON.stringify(document)).join('\n')), 'application/x-ndjson', ingestContext(config))
  if (!result.ok) return { ingested: false, reason: `the attestations were refused: ${result.error.message}` }
  if (result.body.errors.length > 0) return { ingested: false, reason: `the attestations were refused: ${result.body.errors.map((error) => `line ${error.line ?? '?'}: ${error.message}`).join('; ')}` }
  const subjects = EnvelopeSubjects.safeParse(documents[0])
  return {
    ingested: true,
    documents: result.body.documents.map((document) => ({ id: document.id, status: document.verification.status })),
    // The ingest accepted it, so it has subjects; an empty list would name every file as unattested.
    comparison: compareOutputs(subjects.success ? subjects.data : [], readOutputs(options.root)),
  }
}

/**
 * The files this server serves compared with the subjects of its build-time provenance, made at every start (a
 * file can change after the first one): what GET /api/v1/own-build answers and the artifact page shows. The
 * provenance's signature is judged where it was ingested; this only says which bytes on disk it does not cover.
 */
export function compareOwnBuild(options: { root: string; fromBuild: boolean }): OwnBuild {
  if (!options.fromBuild) return { compared: false, reason: NOT_FROM_BUILD }
  const path = join(options.root, attestationFiles.provenance)
  if (!existsSync(path)) return { compared: false, reason: `no build-time provenance (${attestationFiles.provenance}); npm run build writes it` }
  let subjects: z.infer<typeof EnvelopeSubjects>
  try {
    const parsed = EnvelopeSubjects.safeParse(JSON.parse(readFileSync(path, 'utf8')))
    if (!parsed.success) return { compared: false, reason: `${attestationFiles.provenance} is not a DSSE envelope of an in-toto Statement with subjects` }
    subjects = parsed.data
  } catch (error) {
    return { compared: false, reason: `${attestationFiles.provenance} is unreadable: ${error instanceof Error ? error.message : String(error)}` }
  }
  const comparison = compareOutputs(subjects, readOutputs(options.root))
  return {
    compared: true,
    provenance: attestationFiles.provenance,
    matched: comparison.matched.length,
    changed: comparison.changed.map((file) => ({ name: file.name, attested: `sha256:${file.expected}`, served: `sha256:${file.actual}` })),
    missing: comparison.missing,
    unlisted: comparison.unlisted,
  }
}

/** Log lines for the outcome: what was ingested, and every file that is not what was attested. */
export function describeOwnBuild(outcome: OwnBuildOutcome): string[] {
  if (!outcome.ingested) return [`own build not shown: ${outcome.reason}`]
  const { comparison } = outcome
  const lines = [
    `own build shown (provenance and SBOM of dist/): ${outcome.documents.map((document) => `${document.id.slice(0, 12)} (${document.status})`).join(', ')}; ` +
      `${comparison.matched.length} files in dist/ match their provenance`,
  ]
  if (!outputsMatch(comparison)) lines.push('dist/ differs from its provenance:', ...describeComparison(comparison, 20).map((line) => `  ${line}`))
  return lines
}
