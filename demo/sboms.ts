// A dependency of @noble/curves (same author, pinned by it): synchronous SHA-2 in Node and in the browser alike.
import { sha256 } from '@noble/hashes/sha2.js'

/*
 * The demo's SBOMs: the CycloneDX BOM a project's build writes beside its artifact, and the in-toto Statement that
 * attests it (the pattern of actions/attest-sbom: the artifact is the subject, the BOM the predicate). The build's
 * provenance lists the BOM file too, so its digest there is the SHA-256 of exactly these bytes. The server's demo
 * seed signs the Statement with the project's release key and ingests it; the mocks answer with the facts the
 * server reads from it. Pure and deterministic: a build's SBOM depends on that build alone.
 *
 * This module reads builds structurally (model.ts imports it to give the BOM file its digest), so it imports
 * nothing from model.ts.
 */

/** The facts of a demo build an SBOM is made from. */
export type DemoSbomBuild = {
  index: number
  project: string
  commit: string
  ref: string
  finishedAt: number
  artifacts: readonly { name: string; sha256: string }[]
}

/** A project whose builds write an SBOM: the BOM file's name, and the artifact it describes. */
export type DemoSbomProject = {
  project: string
  /** The BOM file among the build's artifacts. */
  file: string
  /** The artifact the BOM describes. */
  describes: string
  /** The npm package the BOM describes (the project's own package.json). */
  package: { group: string; name: string }
  tool: { group: string; name: string; version: string }
}

export const demoSbomProjects: readonly DemoSbomProject[] = [
  {
    project: 'acme/web',
    file: 'web-sbom.cdx.json',
    describes: 'web-dist.tar.gz',
    package: { group: '@acme', name: 'web' },
    tool: { group: '@cyclonedx', name: 'cyclonedx-npm', version: '1.19.3' },
  },
]

export const CYCLONEDX_PREDICATE_TYPE = 'https://cyclonedx.org/bom'

/** The npm packages acme/web ships, oldest first: later builds depend on more of them. */
const webPackages: readonly [string | null, string, string][] = [
  [null, 'react', '19.2.0'],
  [null, 'react-dom', '19.2.0'],
  [null, 'scheduler', '0.27.0'],
  [null, 'react-router', '7.9.4'],
  [null, 'cookie', '1.0.2'],
  [null, 'set-cookie-parser', '2.7.1'],
  ['@tanstack', 'react-query', '5.90.5'],
  ['@tanstack', 'query-core', '5.90.5'],
  ['@tanstack', 'react-virtual', '3.13.12'],
  ['@tanstack', 'virtual-core', '3.13.12'],
  [null, 'zod', '4.1.12'],
  [null, 'recharts', '3.3.0'],
  [null, 'clsx', '2.1.1'],
  [null, 'd3-array', '3.2.4'],
  [null, 'd3-color', '3.1.0'],
  [null, 'd3-format', '3.1.0'],
  [null, 'd3-interpolate', '3.0.1'],
  [null, 'd3-path', '3.1.0'],
  [null, 'd3-scale', '4.0.2'],
  [null, 'd3-shape', '3.2.0'],
  [null, 'd3-time', '3.1.0'],
  [null, 'd3-time-format', '4.1.0'],
  [null, 'decimal.js-light', '2.5.1'],
  [null, 'eventemitter3', '5.0.1'],
  [null, 'immer', '10.1.3'],
  [null, 'internmap', '2.0.3'],
  [null, 'reselect', '5.1.1'],
  [null, 'tiny-invariant', '1.3.3'],
  [null, 'use-sync-external-store', '1.6.0'],
  [null, 'victory-vendor', '37.3.6'],
  ['@reduxjs', 'toolkit', '2.9.1'],
  [null, 'redux', '5.0.1'],
  [null, 'react-redux', '9.2.0'],
  ['@xyflow', 'react', '12.9.0'],
  ['@xyflow', 'system', '0.0.71'],
  [null, 'd3-drag', '3.0.0'],
  [null, 'd3-selection', '3.0.0'],
  [null, 'd3-zoom', '3.0.0'],
  [null, 'd3-dispatch', '3.0.1'],
  [null, 'd3-ease', '3.0.1'],
  [null, 'd3-timer', '3.0.1'],
  [null, 'd3-transition', '3.0.1'],
  [null, 'zustand', '5.0.8'],
  ['@noble', 'curves', '2.0.1'],
  ['@noble', 'hashes', '2.0.1'],
]

const iso = (ms: number) => new Date(ms).toISOString()
const encoder = new TextEncoder()
const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')

/** Lower-case hex SHA-256 of a text's UTF-8 bytes. */
const sha256Hex = (text: string): string => hex(sha256(encoder.encode(text)))

const npmPurl = (group: string | null, name: string, version: string) => `pkg:npm/${group === null ? '' : `${encodeURIComponent(group)}/`}${name}@${version}`

/** The project's SBOM settings, when its builds write one. */
export function demoSbomProject(project: string): DemoSbomProject | undefined {
  return demoSbomProjects.find((candidate) => candidate.project === project)
}

/** The version the build gives its package: the tag's, else a pre-release named after the commit. */
function packageVersion(build: DemoSbomBuild): string {
  const tag = /^refs\/tags\/v(.+)$/.exec(build.ref)?.[1]
  return tag ?? `0.0.0-${build.commit.slice(0, 12)}`
}

/**
 * The CycloneDX 1.6 BOM the build writes, as cyclonedx-npm would: the project's own package as the described
 * component (with its purl but no hash: the tool describes the package, not the archive made from it), its
 * dependencies as components, written when the build finished. Null when the project writes no SBOM.
 */
export function demoBom(build: DemoSbomBuild): Record<string, unknown> | null {
  const settings = demoSbomProject(build.project)
  if (settings === undefined) return null
  const version = packageVersion(build)
  const purl = npmPurl(settings.package.group, settings.package.name, version)
  // The dependency tree grows over the demo's months, a package every so many builds.
  const packages = webPackages.slice(0, Math.min(webPackages.length, 30 + Math.floor(build.index / 110)))
  const serial = sha256Hex(`sbom:${build.project}:${build.index}:${build.commit}`)
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${serial.slice(0, 8)}-${serial.slice(8, 12)}-4${serial.slice(13, 16)}-a${serial.slice(17, 20)}-${serial.slice(20, 32)}`,
    version: 1,
    metadata: {
      // Written as the build's last step, half a minute before it finished.
      timestamp: iso(build.finishedAt - 30_000),
      tools: { components: [{ type: 'application', group: settings.tool.group, name: settings.tool.name, version: settings.tool.version }] },
      component: { type: 'application', 'bom-ref': purl, group: settings.package.group, name: settings.package.name, version, purl },
    },
    components: packages.map(([group, name, packageVersionText]) => {
      const ref = npmPurl(group, name, packageVersionText)
      return { type: 'library', 'bom-ref': ref, ...(group === null ? {} : { group }), name, version: packageVersionText, purl: ref }
    }),
  }
}

/** The BOM file's bytes as the build writes them (compact JSON), or null when the project writes no SBOM. */
export function demoBomFile(build: DemoSbomBuild): string | null {
  const bom = demoBom(build)
  return bom === null ? null : JSON.stringify(bom)
}

/**
 * Each build's BOM file digest, kept: the mocks ask for it several times a build, and SHA-256 in JavaScript is slow
 * enough to matter over hundreds of builds. Keyed by the build's facts, so a changed copy is hashed afresh.
 */
const fileDigests = new Map<string, string | null>()

/** The SHA-256 the build's provenance lists for its BOM file, or null when the project writes no SBOM. */
export function demoBomFileSha256(build: DemoSbomBuild): string | null {
  const key = `${build.project}\n${build.index}\n${build.commit}\n${build.ref}\n${build.finishedAt}`
  const known = fileDigests.get(key)
  if (known !== undefined) return known
  const file = demoBomFile(build)
  const digest = file === null ? null : sha256Hex(file)
  fileDigests.set(key, digest)
  return digest
}

/**
 * The in-toto Statement attesting the build's SBOM: its subject is the artifact the BOM describes, its predicate
 * the BOM. Null when the project writes no SBOM, or the build does not list the BOM file with the digest of these
 * bytes (a build made up after the history, demo/alerts-scenarios.ts, lists other digests), or has no such artifact.
 */
export function demoSbomStatement(build: DemoSbomBuild): Record<string, unknown> | null {
  const settings = demoSbomProject(build.project)
  const bom = demoBom(build)
  const artifact = build.artifacts.find((candidate) => candidate.name === settings?.describes)
  if (settings === undefined || bom === null || artifact === undefined) return null
  const file = build.artifacts.find((candidate) => candidate.name === settings.file)
  if (file === undefined || file.sha256 !== demoBomFileSha256(build)) return null
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: artifact.name, digest: { sha256: artifact.sha256 } }],
    predicateType: CYCLONEDX_PREDICATE_TYPE,
    predicate: bom,
  }
}

/** What the server reads from a demo SBOM (server/ingest/sbom.ts), for the mocks' answers. */
export function demoSbomFacts(build: DemoSbomBuild) {
  const bom = demoBom(build)
  const statement = demoSbomStatement(build)
  const settings = demoSbomProject(build.project)
  if (bom === null || statement === null || settings === undefined) return null
  const version = packageVersion(build)
  return {
    standard: 'cyclonedx' as const,
    specVersion: '1.6',
    serial: String(bom.serialNumber),
    subject: { name: settings.package.name, version, purl: npmPurl(settings.package.group, settings.package.name, version), digest: {} as Record<string, string> },
    statementSubjects: statement.subject as { name: string; digest: Record<string, string> }[],
    componentCount: (bom.components as unknown[]).length,
    tools: [{ name: `${settings.tool.group}/${settings.tool.name}`, version: settings.tool.version }],
    formulation: null,
    createdAt: build.finishedAt - 30_000,
  }
}
