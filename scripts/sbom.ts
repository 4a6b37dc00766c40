// `npm run sbom`: a CycloneDX 1.6 SBOM of what ships: the production dependencies from package-lock.json and the
// files in dist/, written to dist/attestations/sbom.cdx.json (or --out). Reproducible: no clock, no random serial.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { attestationFiles, type OutputFile } from '../domain/build-outputs'
import { readOutputs } from '../server/demo/own-build'
import { integrityDigest, lockedPackages, npmPurl, readLockfile, readPackageJson, readSource, type LockedPackage, type Lockfile, type SourceFacts } from './build-facts'

type Hash = { alg: 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512'; content: string }
type License = { license: { id: string } } | { expression: string }
type Property = { name: string; value: string }

export type CycloneDxComponent = {
  type: 'application' | 'library' | 'file'
  'bom-ref': string
  name: string
  group?: string
  version?: string
  scope?: 'required' | 'optional'
  purl?: string
  licenses?: License[]
  hashes?: Hash[]
  properties?: Property[]
}

export type CycloneDxBom = {
  $schema: string
  bomFormat: 'CycloneDX'
  specVersion: '1.6'
  serialNumber: string
  version: 1
  metadata: {
    timestamp?: string
    lifecycles: { phase: 'build' }[]
    tools: { components: CycloneDxComponent[] }
    component: CycloneDxComponent
    properties: Property[]
  }
  components: CycloneDxComponent[]
  dependencies: { ref: string; dependsOn: string[] }[]
}

const HASH_NAMES: Record<string, Hash['alg']> = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' }

/** An SPDX id stays an id; anything with spaces or parentheses is an expression (`(MIT OR Apache-2.0)`). */
export function licenseOf(license: string | undefined): License[] | undefined {
  if (!license) return undefined
  return /^[A-Za-z0-9.+-]+$/.test(license) ? [{ license: { id: license } }] : [{ expression: license }]
}

/** A name-based (version 5) UUID, so the same build gets the same serial number on every machine. */
export function uuidV5(name: string): string {
  const namespace = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex') // RFC 4122's URL namespace
  const bytes = createHash('sha1').update(namespace).update(name, 'utf8').digest().subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x50
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** Production packages: what the server loads from node_modules and what the SPA bundles. Dev-only tools do not ship. */
export function productionPackages(lock: Lockfile): LockedPackage[] {
  return lockedPackages(lock).filter(({ entry }) => entry.dev !== true && entry.devOptional !== true)
}

/** Packages whose code the SPA bundle carries, read from the source maps' `node_modules/<name>/…` sources. */
export function bundledPackages(root: string): Set<string> {
  const assets = join(root, 'dist', 'assets')
  const found = new Set<string>()
  if (!existsSync(assets)) return found
  for (const file of readdirSync(assets).filter((name) => name.endsWith('.js.map'))) {
    const map: unknown = JSON.parse(readFileSync(join(assets, file), 'utf8'))
    const sources = typeof map === 'object' && map !== null && 'sources' in map && Array.isArray(map.sources) ? map.sources : []
    for (const source of sources) {
      const at = typeof source === 'string' ? source.indexOf('node_modules/') : -1
      if (typeof source !== 'string' || at < 0) continue
      // The lockfile path, nesting included: node_modules/a/node_modules/@s/b for a source inside @s/b under a.
      const match = /^((?:node_modules\/(?:@[^/]+\/)?[^/]+\/)*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(source.slice(at))
      if (match?.[1]) found.add(match[1])
    }
  }
  return found
}

/** Node's resolution over the lockfile's paths: `b` required from `node_modules/a` is `node_modules/a/node_modules/b`, else one level up. */
function resolveFrom(from: string, dependency: string, paths: ReadonlySet<string>): string | null {
  let base = from
  for (;;) {
    const candidate = base === '' ? `node_modules/${dependency}` : `${base}/node_modules/${dependency}`
    if (paths.has(candidate)) return candidate
    if (base === '') return null
    const up = base.lastIndexOf('/node_modules/')
    base = up < 0 ? '' : base.slice(0, up)
  }
}

export type SbomInput = {
  pkg: { name: string; version: string; dependencies: Record<string, string> }
  lock: Lockfile
  outputs: readonly OutputFile[]
  source: SourceFacts
  /** Lockfile paths of the packages the SPA bundles (see bundledPackages). */
  bundled: ReadonlySet<string>
}

export function makeSbom({ pkg, lock, outputs, source, bundled }: SbomInput): CycloneDxBom {
  const packages = productionPackages(lock)
  const refOf = new Map<string, string>()
  const components: CycloneDxComponent[] = []
  const seen = new Set<string>()
  for (const item of packages) {
    const purl = npmPurl(item.name, item.version)
    refOf.set(item.path, purl)
    // The same version nested in two places is one component.
    if (seen.has(purl)) continue
    seen.add(purl)
    const slash = item.name.startsWith('@') ? item.name.indexOf('/') : -1
    const hashes = Object.entries(integrityDigest(item.entry.integrity)).flatMap(([algorithm, content]) => {
      const alg = HASH_NAMES[algorithm]
      return alg ? [{ alg, content }] : []
    })
    const licenses = licenseOf(item.entry.license)
    const properties: Property[] = [{ name: 'provenance-dashboard:shipped', value: bundled.has(item.path) ? 'bundled in dist/assets' : 'installed in node_modules, loaded by dist/server' }]
    if (item.entry.resolved) properties.push({ name: 'npm:resolved', value: item.entry.resolved })
    components.push({
      type: 'library',
      'bom-ref': purl,
      ...(slash > 0 ? { group: item.name.slice(0, slash), name: item.name.slice(slash + 1) } : { name: item.name }),
      version: item.version,
      scope: item.entry.optional === true ? 'optional' : 'required',
      purl,
      ...(licenses ? { licenses } : {}),
      ...(hashes.length > 0 ? { hashes } : {}),
      properties,
    })
  }
  for (const file of outputs) {
    components.push({ type: 'file', 'bom-ref': `file:${file.name}`, name: file.name, hashes: [{ alg: 'SHA-256', content: file.sha256 }] })
  }

  const rootRef = `${pkg.name}@${pkg.version}`
  const paths = new Set(packages.map((item) => item.path))
  const dependsOn = (from: string, names: string[]) =>
    [...new Set(names.flatMap((name) => {
      const path = resolveFrom(from, name, paths)
      const ref = path ? refOf.get(path) : undefined
      return ref ? [ref] : []
    }))].sort()
  const dependencies = [
    { ref: rootRef, dependsOn: dependsOn('', Object.keys(pkg.dependencies)) },
    ...packages
      .filter((item) => refOf.get(item.path) !== undefined)
      .map((item) => ({ ref: refOf.get(item.path) ?? '', dependsOn: dependsOn(item.path, [...Object.keys(item.entry.dependencies ?? {}), ...Object.keys(item.entry.optionalDependencies ?? {})]) })),
  ]
  // Two paths of one purl are one node; merge their edges.
  const merged = new Map<string, Set<string>>()
  for (const { ref, dependsOn: refs } of dependencies) merged.set(ref, new Set([...(merged.get(ref) ?? []), ...refs]))

  const properties: Property[] = []
  if (source.commit) properties.push({ name: 'git:commit', value: source.commit })
  if (source.epoch !== null) properties.push({ name: 'SOURCE_DATE_EPOCH', value: String(source.epoch) })
  if (source.modified.length > 0) properties.push({ name: 'git:modified', value: source.modified.join(' ') })
  const manifest = outputs.map((file) => `${file.sha256}  ${file.name}`).join('\n')
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${uuidV5(`${rootRef} ${source.commit ?? 'no commit'} ${createHash('sha256').update(manifest).digest('hex')}`)}`,
    version: 1,
    metadata: {
      // The commit's time (SOURCE_DATE_EPOCH), never the clock: the SBOM is part of the reproducible build.
      ...(source.epoch !== null ? { timestamp: new Date(source.epoch * 1000).toISOString().replace('.000Z', 'Z') } : {}),
      lifecycles: [{ phase: 'build' }],
      tools: { components: [{ type: 'application', 'bom-ref': `tool:${pkg.name}-sbom`, name: `${pkg.name} scripts/sbom.ts`, version: pkg.version }] },
      component: { type: 'application', 'bom-ref': rootRef, name: pkg.name, version: pkg.version },
      properties,
    },
    components,
    dependencies: [...merged].map(([ref, refs]) => ({ ref, dependsOn: [...refs].sort() })),
  }
}

/** Reads the checkout and dist/ and makes the SBOM. */
export function sbomOfBuild(root: string): CycloneDxBom {
  return makeSbom({ pkg: readPackageJson(root), lock: readLockfile(root), outputs: readOutputs(root), source: readSource(root), bundled: bundledPackages(root) })
}

/** JSON with a final newline: the bytes written and hashed. */
export const jsonFile = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`

function main() {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const { values } = parseArgs({ options: { out: { type: 'string' } } })
  const out = resolve(values.out ?? join(root, attestationFiles.sbom))
  const bom = sbomOfBuild(root)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, jsonFile(bom))
  const libraries = bom.components.filter((component) => component.type === 'library').length
  console.log(`sbom: ${libraries} production packages and ${bom.components.length - libraries} output files in ${relative(process.cwd(), out).startsWith('..') ? out : relative(process.cwd(), out)}`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main()
