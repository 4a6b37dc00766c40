import { createHash } from 'node:crypto'
import { REBUILD_PREDICATE_TYPE } from '../../src/contract/rebuilds'
import { buildConfig, ingestContext, type Config } from '../config'
import { signEnvelope } from '../demo/seed'
import type { DemoKey } from '../demo/keys'
import { ingestBody } from '../ingest/ingest'
import type { Store } from '../store/types'
import { newKey, slsaV1Statement } from './documents'
import { cyclonedx16, diffoscopeReport } from './format-documents'

/*
 * A small, fully known world for the resource stores and routes: two projects, eight builds (one signed by a key nobody
 * trusts, one with a broken signature), rebuild verdicts by two trusted rebuilders, a bare diffoscope report
 * and an SBOM. Ingested through the real ingest path with a fixed clock, so both engines store the same bytes,
 * ids and times.
 */

export const hex = (label: string) => createHash('sha256').update(label).digest('hex')

const HOUR = 3_600_000
export const FIXTURE_T0 = Date.UTC(2026, 10, 2, 10, 0, 0) // a Monday
export const FIXTURE_INGESTED_AT = Date.UTC(2026, 10, 20, 12, 0, 0)

export const keys = {
  ci: newKey('ci-key', 'ed25519'),
  rogue: newKey('rogue-key', 'ed25519'),
  rb1: newKey('rebuilder-one-key', 'ed25519'),
  rb2: newKey('rebuilder-two-key', 'ed25519'),
}

export const REBUILDER_1 = 'https://rebuild.one.example'
export const REBUILDER_2 = 'https://rebuild.two.example'

/** Artifact digests by label. `d1`…`d5` are example/app's, `lib` example/lib's, `sbom-only` only an SBOM's. */
export const digests = {
  d1: hex('d1'),
  d2: hex('d2'),
  d3: hex('d3'),
  d4: hex('d4'),
  d5: hex('d5'),
  lib: hex('lib'),
  sbomOnly: hex('sbom-only'),
  /** Two artifacts whose digests share their first 12 hex characters: a prefix of 12 is ambiguous. */
  twin1: `abababababab${hex('twin-1').slice(12)}`,
  twin2: `abababababab${hex('twin-2').slice(12)}`,
}

export const commits = { first: 'c'.repeat(40), second: 'd'.repeat(40), lib: 'e'.repeat(40) }

export function fixtureConfig(): Config {
  return buildConfig(
    { trust: { keys: [keys.ci, keys.rb1, keys.rb2].map((key) => ({ id: key.id, publicKeyPem: key.publicKeyPem })) } },
    'resource test config',
  )
}

type BuildSpec = { label: string; project: 'app' | 'lib'; name: string; sha256: string; commit: string; hour: number; signer?: 'ci' | 'rogue' | 'broken' }

export const buildSpecs: readonly BuildSpec[] = [
  { label: 'b1', project: 'app', name: 'app-linux-amd64', sha256: digests.d1, commit: commits.first, hour: 0 },
  { label: 'b2', project: 'app', name: 'app-linux-amd64', sha256: digests.d2, commit: commits.first, hour: 1 },
  { label: 'b3', project: 'app', name: 'app-linux-amd64', sha256: digests.d3, commit: commits.second, hour: 2, signer: 'rogue' },
  { label: 'b4', project: 'app', name: 'app-darwin-arm64', sha256: digests.d4, commit: commits.second, hour: 3, signer: 'broken' },
  { label: 'b5', project: 'app', name: 'app-linux-amd64', sha256: digests.d5, commit: commits.second, hour: 4 },
  { label: 'lib', project: 'lib', name: 'lib.tar.gz', sha256: digests.lib, commit: commits.lib, hour: 5 },
  { label: 'twin1', project: 'lib', name: 'lib-twin-1.tar.gz', sha256: digests.twin1, commit: commits.lib, hour: 6 },
  { label: 'twin2', project: 'lib', name: 'lib-twin-2.tar.gz', sha256: digests.twin2, commit: commits.lib, hour: 7 },
]

const iso = (ms: number) => new Date(ms).toISOString()

function buildLine(spec: BuildSpec): string {
  const statement = slsaV1Statement({ subjectName: spec.name, sha256: spec.sha256, repo: `https://github.com/example/${spec.project}`, commit: spec.commit })
  const at = FIXTURE_T0 + spec.hour * HOUR
  statement.predicate.runDetails.metadata = { invocationId: `run-${spec.label}`, startedOn: iso(at - 60_000), finishedOn: iso(at) }
  const envelope = signEnvelope(statement, spec.signer === 'rogue' ? keys.rogue : keys.ci)
  if (spec.signer === 'broken') {
    const signatures = envelope.signatures as { keyid: string; sig: string }[]
    const first = signatures[0]
    if (first !== undefined) first.sig = Buffer.from('not the signature').toString('base64')
  }
  return JSON.stringify(envelope)
}

type RebuildSpec = { key: DemoKey; rebuilder: string; sha256: string; name: string; rebuilt: string; day: number; diffoscope?: boolean }

/** Verdicts, in the order they happened (days after FIXTURE_T0). */
export const rebuildSpecs: readonly RebuildSpec[] = [
  { key: keys.rb1, rebuilder: REBUILDER_1, sha256: digests.d1, name: 'app-linux-amd64', rebuilt: digests.d1, day: 0 },
  { key: keys.rb2, rebuilder: REBUILDER_2, sha256: digests.d1, name: 'app-linux-amd64', rebuilt: hex('other-1'), day: 1, diffoscope: true },
  { key: keys.rb1, rebuilder: REBUILDER_1, sha256: digests.d2, name: 'app-linux-amd64', rebuilt: digests.d2, day: 2 },
  { key: keys.rb1, rebuilder: REBUILDER_1, sha256: digests.d3, name: 'app-linux-amd64', rebuilt: digests.d3, day: 3 },
  { key: keys.rb2, rebuilder: REBUILDER_2, sha256: digests.d3, name: 'app-linux-amd64', rebuilt: digests.d3, day: 8 },
  { key: keys.rb2, rebuilder: REBUILDER_2, sha256: digests.d5, name: 'app-linux-amd64', rebuilt: hex('other-5'), day: 9 },
  { key: keys.rb2, rebuilder: REBUILDER_2, sha256: digests.d5, name: 'app-linux-amd64', rebuilt: digests.d5, day: 10 },
  { key: keys.rb1, rebuilder: REBUILDER_1, sha256: digests.d5, name: 'app-linux-amd64', rebuilt: digests.d5, day: 10.5 },
]

function rebuildLine(spec: RebuildSpec): string {
  const artifact = { name: spec.name, digest: { sha256: spec.sha256 } }
  const finished = FIXTURE_T0 + spec.day * 24 * HOUR + 6 * HOUR
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [artifact],
    predicateType: REBUILD_PREDICATE_TYPE,
    predicate: {
      rebuilder: { id: spec.rebuilder },
      artifact,
      rebuiltDigest: { sha256: spec.rebuilt },
      startedOn: iso(finished - HOUR),
      finishedOn: iso(finished),
      ...(spec.diffoscope ? { diffoscope: diffoscopeReport({ source1: spec.name, source2: `rebuilt/${spec.name}` }) } : {}),
    },
  }
  return JSON.stringify(signEnvelope(statement, spec.key))
}

export const PURL = 'pkg:npm/app@1.4.2'

/** The lines ingested, in order: builds, then rebuilds, then an SBOM and a bare diffoscope report. */
export function fixtureLines(): { builds: string[]; rebuilds: string[]; others: string[] } {
  const sbom = cyclonedx16({
    metadata: {
      timestamp: '2026-11-01T10:05:00Z',
      tools: { components: [{ type: 'application', name: 'cdxgen', version: '11.0.0' }], services: [] },
      component: { type: 'application', name: 'app', version: '1.4.2', purl: PURL, hashes: [{ alg: 'SHA-256', content: digests.sbomOnly }] },
    },
  })
  return { builds: buildSpecs.map(buildLine), rebuilds: rebuildSpecs.map(rebuildLine), others: [JSON.stringify(sbom), JSON.stringify(diffoscopeReport())] }
}

export const idOf = (line: string) => createHash('sha256').update(line).digest('hex')

/** Ingests the fixture through the ingest path; returns the ids of what it stored. */
export async function seedResources(store: Store, config: Config = fixtureConfig()) {
  const lines = fixtureLines()
  const context = ingestContext(config, () => FIXTURE_INGESTED_AT)
  for (const batch of [lines.builds, lines.rebuilds, lines.others]) {
    const result = await ingestBody(store, Buffer.from(batch.join('\n')), 'application/x-ndjson', context)
    if (!result.ok || result.body.errors.length > 0) throw new Error(`resource fixture did not ingest: ${JSON.stringify(result)}`)
  }
  const buildIds = Object.fromEntries(buildSpecs.map((spec, index) => [spec.label, idOf(lines.builds[index] ?? '')]))
  return { buildIds, rebuildDocumentIds: lines.rebuilds.map(idOf), sbomId: idOf(lines.others[0] ?? ''), diffoscopeId: idOf(lines.others[1] ?? '') }
}
