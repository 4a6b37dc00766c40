import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Source } from '../../../src/contract/sources'
import { buildConfig, ingestContext, type Config } from '../../config'
import { ingestBody } from '../../ingest/ingest'
import { corpusDir, describeWithCorpus } from '../../testing/corpus'
import { tempStore } from '../../testing/documents'
import { startReplayServer, type ReplayServer } from '../replay-server'
import { SourceRunner } from '../runner'
import { attestedDigests, integrityDigest } from './sync'

/*
 * The npm source against a local server replaying the npm registry's real attestations responses from the
 * corpus (sigstore@2.3.1: a publish attestation and SLSA provenance; and the same with the provenance signature
 * tampered). The packument around them is written here, naming the real tarball integrity the attestations are
 * about (the corpus has no packument).
 */

describe('integrityDigest', () => {
  it('reads a sha512 SRI string as sha512:<hex>, and nothing else', () => {
    const hex = 'ab'.repeat(64)
    expect(integrityDigest(`sha512-${Buffer.from(hex, 'hex').toString('base64')}`)).toBe(`sha512:${hex}`)
    expect(integrityDigest('sha1-abc=')).toBeNull()
    expect(integrityDigest(undefined)).toBeNull()
    expect(integrityDigest('sha512-c2hvcnQ=')).toBeNull()
  })
  it('finds no digest in something that is not an attestations response', () => {
    expect(attestedDigests({ attestations: 'no' })).toEqual([])
    expect(attestedDigests({ attestations: [{ predicateType: 'x', bundle: { dsseEnvelope: { payload: 'bm90IGpzb24=' } } }] })).toEqual([])
  })
})

describeWithCorpus(
  'npm source (replayed registry responses)',
  () => {
    const npm = join(corpusDir, '3-npm-github-attestations/npm-registry')
    const valid = readFileSync(join(npm, 'provenance-npm-test-cli-v1-prega.tgz.json'))
    const tampered = readFileSync(join(npm, 'provenance-npm-test-cli-v1-prega-invalidsigprov.tgz.json'))
    const digest = 'f06fbf5c353cc0db093904b9cac0d53b412d83dff6b80e6047d9786708a38e5c3105cad4e913dfc22dbe8c999b3fe029d47969fe75406843b8163db6fd22f681'
    const integrity = `sha512-${Buffer.from(digest, 'hex').toString('base64')}`
    let replay: ReplayServer

    beforeAll(async () => {
      replay = await startReplayServer()
      const version = (v: string, attestations: string | null, sri = integrity) => ({
        version: v,
        dist: { integrity: sri, tarball: `${replay.url}/sigstore/-/sigstore-${v}.tgz`, ...(attestations ? { attestations: { url: attestations, provenance: { predicateType: 'https://slsa.dev/provenance/v1' } } } : {}) },
      })
      replay.set('/sigstore', {
        body: JSON.stringify({
          name: 'sigstore',
          versions: {
            '1.9.0': version('1.9.0', `${replay.url}/-/npm/v1/attestations/sigstore@1.9.0`),
            '2.3.0': version('2.3.0', null),
            '2.3.1': version('2.3.1', `${replay.url}/-/npm/v1/attestations/sigstore@2.3.1`),
            // Relative, as a registry may write it; the tampered provenance of the same tarball.
            '2.3.2': version('2.3.2', '/-/npm/v1/attestations/sigstore@2.3.2'),
            // An attestations URL on another host is not followed.
            '2.3.3': version('2.3.3', 'http://169.254.169.254/latest/meta-data'),
            // Attestations that are about another tarball than this version's.
            '2.4.0': version('2.4.0', `${replay.url}/-/npm/v1/attestations/sigstore@2.3.1`, `sha512-${Buffer.from('cd'.repeat(64), 'hex').toString('base64')}`),
          },
        }),
      })
      replay.set('/-/npm/v1/attestations/sigstore@2.3.1', { body: valid })
      replay.set('/-/npm/v1/attestations/sigstore@2.3.2', { body: tampered })
    })
    afterAll(async () => {
      await replay.close()
    })

    const config = (): Config =>
      buildConfig(
        {
          trust: { trustedRoots: [join(corpusDir, '3-npm-github-attestations/github-gh-cli/trusted_root.json')], npmRegistryKeys: join(npm, 'npm-sigstore-tuf-keys.json') },
          sources: [{ name: 'npm', kind: 'npm', url: replay.url, packages: [{ name: 'sigstore', versions: '^2.3.0' }] }],
        },
        'test config',
      )

    it('stores the attestations of each version in range, linked to the tarball integrity, with the verdict a push gets', async () => {
      const { store, dispose } = await tempStore()
      try {
        const runner = new SourceRunner({ store, config: config() })
        runner.syncNow('npm', 'on-demand')
        await runner.settled('npm')
        const source = Source.parse(await runner.get('npm'))
        expect(source.lastRun?.state).toBe('partial')
        expect(source.lastRun?.documentsFound).toBe(2)
        expect(source.lastRun?.documentsIngested).toBe(2)
        // 1.9.0 is out of range (never asked for); 2.4.0's attestations are about another tarball.
        expect(replay.log.some((line) => line.includes('sigstore@1.9.0'))).toBe(false)
        expect(source.lastRun?.errors).toEqual([
          expect.objectContaining({ url: 'http://169.254.169.254/latest/meta-data', message: expect.stringMatching(/sigstore@2\.3\.3 is not on the registry/) }),
          expect.objectContaining({ url: `${replay.url}/-/npm/v1/attestations/sigstore@2.3.1`, message: expect.stringMatching(/sigstore@2\.4\.0 are about sha512:f06f.*not the tarball's integrity sha512:cdcd/) }),
        ])
        const rows = await store.sources.documentsOf('npm')
        expect(rows.map((row) => row.subject)).toEqual([`sha512:${digest}`, `sha512:${digest}`])
        expect(rows.map((row) => row.origin).sort()).toEqual([`${replay.url}/-/npm/v1/attestations/sigstore@2.3.1`, `${replay.url}/-/npm/v1/attestations/sigstore@2.3.2`])

        const { store: other, dispose: disposeOther } = await tempStore()
        try {
          const statuses: string[] = []
          for (const row of rows) {
            const stored = await store.documents.get(row.documentId)
            const pushed = await ingestBody(other, Buffer.from(stored?.raw ?? []), 'application/json', ingestContext(config()))
            if (!pushed.ok) throw new Error(pushed.error.message)
            expect(pushed.body.documents[0]?.verification).toEqual(stored?.verification)
            statuses.push(stored?.verification.status ?? '')
          }
          // The real response verifies; the one with the tampered provenance signature fails.
          expect(statuses.sort()).toEqual(['failed', 'verified'])
        } finally {
          await disposeOther()
        }

        // Next sync: the stored versions are not asked again; the one that failed is (and fails again, visibly).
        const sync = async () => {
          const before = replay.log.length
          runner.syncNow('npm', 'on-demand')
          await runner.settled('npm')
          return { source: Source.parse(await runner.get('npm')), requests: replay.log.slice(before) }
        }
        const second = await sync()
        expect(second.requests).toEqual(['GET /sigstore', 'GET /-/npm/v1/attestations/sigstore@2.3.1'])
        expect(second.source.lastRun?.documentsIngested).toBe(0)
        expect(second.source.lastRun?.errors).toHaveLength(2)

        // Once every version in the packument is stored, its ETag is remembered and the next sync is one 304.
        const packument = JSON.parse(replay.body('/sigstore')) as { versions: Record<string, unknown> }
        delete packument.versions['2.4.0']
        delete packument.versions['2.3.3']
        replay.set('/sigstore', { body: JSON.stringify(packument) })
        const third = await sync()
        expect(third.source.lastRun?.state).toBe('succeeded')
        const fourth = await sync()
        expect(fourth.requests).toEqual([expect.stringMatching(/^GET \/sigstore \("[0-9a-f]+"\)$/)])
        expect(fourth.source.lastRun?.unchanged).toBe(1)
        expect([fourth.source.documentsFound, fourth.source.documentsIngested]).toEqual([2, 2])
      } finally {
        await dispose()
      }
    }, 30_000)
  },
  { needs: '3-npm-github-attestations/npm-registry' },
)
