import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { BuildQuery } from '../../src/contract/builds'
import { Report } from '../../src/contract/reports'
import { createApp } from '../app'
import { buildConfig } from '../config'
import type { Store } from '../store/types'
import { tempStore } from '../testing/documents'
import { digests, FIXTURE_INGESTED_AT, keys, seedResources } from '../testing/resource-fixture'
import { documentFile, signReport } from './archive'
import { reportCsv, reportHtml } from './formats'
import { assembleReport, reportBytes } from './assemble'
import { gatherEvidence } from './gather'
import { produceReport } from './produce'
import { readTar, writeTar } from './tar'
import { verifyArchive } from './verify'

/* Reports on the resource fixture's world in a real SQLite store: assembly, signing, the archive and its check. */

let store: Store
let dispose: () => Promise<void>
const AS_OF = FIXTURE_INGESTED_AT + 1000
const sha = (hex: string) => `sha256:${hex}`
const unknownDigest = sha('0'.repeat(64))
const release = { kind: 'release' as const, digests: [sha(digests.d3), sha(digests.d1), sha(digests.sbomOnly), sha(digests.d4), unknownDigest] }

beforeAll(async () => {
  ;({ store, dispose } = await tempStore())
  await seedResources(store)
})
afterAll(async () => dispose())

describe('report assembly', () => {
  it('says per artifact what is proven, and sums it up in words', async () => {
    const report = assembleReport({ scope: release, asOf: AS_OF, artifacts: await gatherEvidence(store, release, AS_OF) })
    expect(Report.parse(report)).toEqual(report)
    expect(report.artifacts.map((artifact) => artifact.digest)).toEqual([...release.digests.filter((digest) => digest !== unknownDigest)].sort())
    const byDigest = new Map(report.artifacts.map((artifact) => [artifact.digest, artifact]))
    const d1 = byDigest.get(sha(digests.d1))!
    expect(d1.provenance).toBe('verified')
    expect(d1.builds[0]?.sourceCommit).toBe('c'.repeat(40))
    // One rebuilder matched, the other did not: 1 of 2 agree.
    expect(d1.rebuilds).toMatchObject({ rebuilders: 2, matched: 1, mismatched: 1 })
    const provenance = d1.attestations.find((attestation) => attestation.role === 'provenance')!
    expect(provenance.status).toBe('verified')
    expect(provenance.checks.length).toBeGreaterThan(0)
    expect(provenance.signers[0]?.trustedKeyId).toBe('ci-key')
    // Signed by a key nobody trusts, and a broken signature: provenance that does not verify.
    expect(byDigest.get(sha(digests.d3))?.provenance).toBe('unverified')
    expect(byDigest.get(sha(digests.d4))?.attestations.find((attestation) => attestation.role === 'provenance')?.status).toBe('failed')
    // Only an SBOM names it.
    expect(byDigest.get(sha(digests.sbomOnly))?.provenance).toBe('none')
    expect(report.summary).toMatchObject({
      artifacts: 4,
      verifiedProvenance: 1,
      unverifiedProvenance: [sha(digests.d3), sha(digests.d4)].sort(),
      withoutProvenance: [sha(digests.sbomOnly)],
      unknown: [unknownDigest],
    })
    // The instant in words, to the millisecond: '2026-…-… hh:mm:ss.mmm UTC', not ISO's T and Z.
    const [date, time] = new Date(AS_OF).toISOString().slice(0, -1).split('T')
    expect(report.summary.lines[0]).toBe(`As of ${date} ${time} UTC, 1 of 4 artifacts have verified provenance.`)
    expect(report.summary.lines[0]).toMatch(/^As of \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} UTC, /)
    expect(report.summary.lines.join('\n')).toContain('2 have provenance that did not verify: app-darwin-arm64 (sha256:')
    expect(report.summary.lines.join('\n')).toContain('1 has no provenance at all: app (sha256:')
    expect(report.documents).toEqual([...new Set(report.artifacts.flatMap((artifact) => artifact.attestations.map((attestation) => attestation.documentId)))].sort())
  })

  it('gives the same bytes for the same scope and as-of, whatever order the digests were asked in', async () => {
    const reversed = { kind: 'release' as const, digests: [...release.digests].reverse() }
    const first = reportBytes(assembleReport({ scope: release, asOf: AS_OF, artifacts: await gatherEvidence(store, release, AS_OF) }))
    const second = reportBytes(assembleReport({ scope: reversed, asOf: AS_OF, artifacts: (await gatherEvidence(store, reversed, AS_OF)).reverse() }))
    expect(second.equals(first)).toBe(true)
  })

  it('leaves out what was stored after the as-of instant', async () => {
    const scope = { kind: 'artifact' as const, digest: sha(digests.d1) }
    const report = assembleReport({ scope, asOf: FIXTURE_INGESTED_AT - 1, artifacts: await gatherEvidence(store, scope, AS_OF) })
    expect(report.artifacts).toEqual([])
    expect(report.summary.unknown).toEqual([sha(digests.d1)])
  })
})

describe('an environment as of an instant', () => {
  it('reports the artifacts of each service newest deployment by then', async () => {
    const config = buildConfig(
      {
        trust: { keys: [keys.ci, keys.rb1, keys.rb2].map((key) => ({ id: key.id, publicKeyPem: key.publicKeyPem })) },
        tokens: [{ name: 'deployer', sha256: createHash('sha256').update('ingest-secret').digest('hex'), scopes: ['ingest'] }],
      },
      'reports test config',
    )
    const app = createApp({ store, config, version: 't', demo: false, now: () => Date.UTC(2026, 10, 22) })
    const deploy = (digest: string, service: string, hour: number) => ({
      artifacts: [{ digest: sha(digest), name: service }],
      environment: { name: 'production' },
      service,
      deployedAt: new Date(Date.UTC(2026, 10, 20, hour)).toISOString(),
      system: { name: 'argo-cd' },
    })
    const lines = [deploy(digests.d1, 'app', 13), deploy(digests.lib, 'lib', 13), deploy(digests.d5, 'app', 15), deploy(digests.d2, 'app', 9)]
    const response = await app.request('/api/v1/deployments', {
      method: 'POST',
      body: lines.map((line) => JSON.stringify(line)).join('\n'),
      headers: { authorization: 'Bearer ingest-secret', 'content-type': 'application/x-ndjson' },
    })
    expect(response.status).toBeLessThan(300)
    const scope = { kind: 'environment' as const, environment: 'production' }
    const at = async (hour: number) => {
      const asOf = Date.UTC(2026, 10, 20, hour)
      return assembleReport({ scope, asOf, artifacts: await gatherEvidence(store, scope, asOf) }).artifacts.map((artifact) => artifact.digest)
    }
    expect(await at(14)).toEqual([sha(digests.d1), sha(digests.lib)].sort())
    expect(await at(16)).toEqual([sha(digests.d5), sha(digests.lib)].sort())
  })
})

describe('report archive', () => {
  it('verifies offline, and names the document whose bytes were changed', async () => {
    const { archive, report } = await produceReport(store, release, AS_OF)
    const verdict = verifyArchive(archive)
    expect(verdict.problems).toEqual([])
    expect(verdict).toMatchObject({ ok: true, documents: report.documents.length })

    const target = report.documents[0]!
    const files = readTar(archive).map((file) => {
      if (file.name !== documentFile(target)) return file
      const bytes = Uint8Array.from(file.bytes)
      bytes[10] = bytes[10]! ^ 1
      return { name: file.name, bytes }
    })
    const tampered = verifyArchive(writeTar(files, AS_OF / 1000))
    expect(tampered.ok).toBe(false)
    expect(tampered.problems).toEqual([{ file: documentFile(target), message: expect.stringContaining(`document ${target} does not match its digest`) }])
  })

  it('fails when the report is changed after signing, or checked against another key', async () => {
    const { archive } = await produceReport(store, { kind: 'artifact', digest: sha(digests.d1) }, AS_OF)
    const files = readTar(archive).map((file) => (file.name === 'report.json' ? { name: file.name, bytes: Buffer.from(Buffer.from(file.bytes).toString('utf8').replace('"verified"', '"failed"')) } : file))
    const changed = verifyArchive(writeTar(files, 0))
    expect(changed.ok).toBe(false)
    expect(changed.problems).toContainEqual({ file: 'report.json', message: 'differs from the payload the envelope signs' })

    const { generateKeyPairSync } = await import('node:crypto')
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString()
    const wrongKey = verifyArchive(archive, { publicKeyPem: other })
    expect(wrongKey.ok).toBe(false)
    expect(wrongKey.problems.map((problem) => problem.message)).toContain('no signature verifies with the public key')
  })

  it('gives the same archive bytes twice', async () => {
    const scope = { kind: 'artifact' as const, digest: sha(digests.d5) }
    const first = await produceReport(store, scope, AS_OF)
    const second = await produceReport(store, scope, AS_OF)
    expect(second.archive.equals(first.archive)).toBe(true)
  })
})

describe('a project over a time range', () => {
  it('reports the artifacts of the project builds in the range, and refuses a range that ends before it starts', async () => {
    const all = await store.builds.list(BuildQuery.parse({ limit: 500 }))
    const project = all.items[0]!.project
    const builds = all.items.filter((build) => build.project === project).sort((a, b) => (a.time < b.time ? -1 : 1))
    expect(builds.length).toBeGreaterThan(2)
    // From the second build's time up to (not including) the last one's.
    const from = builds[1]!.time
    const to = builds.at(-1)!.time
    const inRange = builds.filter((build) => build.time >= from && build.time < to)
    const expected = [...new Set(inRange.flatMap((build) => build.subjects.map((subject) => `sha256:${subject.digest.sha256}`)))].sort()
    const scope = { kind: 'project' as const, project, from, to }
    const report = assembleReport({ scope, asOf: AS_OF, artifacts: await gatherEvidence(store, scope, AS_OF) })
    expect([...report.artifacts.map((artifact) => artifact.digest), ...report.summary.unknown].sort()).toEqual(expected)
    expect(expected.length).toBeGreaterThan(0)
    expect(report.scope).toEqual(scope)

    const app = createApp({ store, config: buildConfig({}, 'reports test config'), version: 't', demo: false, now: () => AS_OF })
    const response = await app.request('/api/v1/reports', { method: 'POST', body: JSON.stringify({ scope: { ...scope, from: to, to: from } }), headers: { 'content-type': 'application/json' } })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: { code: 'invalid-body', path: 'body.scope.to', message: expect.stringContaining('give from before to') } })
  })
})

describe('a report written as a stream', () => {
  it('is byte for byte the report assembled in memory, signed as signReport signs it', async () => {
    for (const scope of [release, { kind: 'artifact' as const, digest: sha(digests.d1) }, { kind: 'release' as const, digests: [unknownDigest] }]) {
      const expected = reportBytes(assembleReport({ scope, asOf: AS_OF, artifacts: await gatherEvidence(store, scope, AS_OF) }))
      const { reportBytes: streamed, envelope, files } = await produceReport(store, scope, AS_OF)
      expect(streamed.toString('utf8')).toBe(expected.toString('utf8'))
      expect(envelope).toBe(signReport(expected, store.reports.signingKey))
      const report = Report.parse(JSON.parse(expected.toString('utf8')))
      expect(files['report.csv'].equals(reportCsv(report))).toBe(true)
      expect(files['report.html'].equals(reportHtml(report))).toBe(true)
    }
  })
})
