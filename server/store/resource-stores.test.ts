import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArtifactListQuery, type ArtifactListQueryInput } from '../../src/contract/artifacts'
import { BuildQuery } from '../../src/contract/builds'
import { MatrixQuery } from '../../src/contract/reproducibility'
import { SignatureQuery, type SignatureQueryInput } from '../../src/contract/signatures'
import { bucketRange, type BucketRange } from '../../domain/buckets'
import { commits, digests, FIXTURE_INGESTED_AT, FIXTURE_T0, PURL, REBUILDER_1, REBUILDER_2, seedResources } from '../testing/resource-fixture'
import { prefixUpperBound } from './text-keys'
import { engineStores } from './testing/engines'
import { ingestWideBuilds, listedNames } from '../testing/wide-builds'
import type { StoreKind } from './db'
import type { Store } from './types'

/*
 * The resource stores (artifacts, signatures, rebuilds and reproducibility, build neighbours, search) on both
 * engines, over a small world ingested through the real ingest path (see server/testing/resource-fixture.ts). Each engine's answers are also collected and compared at the end: the
 * same documents must read the same on SQLite and PostgreSQL.
 */

const { fresh } = engineStores('resource-stores')

const DAY = 86_400_000
const signatures = (store: Store, input: SignatureQueryInput = {}) => store.signatures.list(SignatureQuery.parse(input))
const range = (input: Parameters<typeof bucketRange>[0]): BucketRange => {
  const result = bucketRange(input, FIXTURE_INGESTED_AT)
  if ('message' in result) throw new Error(result.message)
  return result
}

/** Every answer each engine gave, by name, compared across engines at the end. */
const answers: Record<StoreKind, Map<string, unknown>> = {
  sqlite: new Map(),
  postgres: new Map(),
}

describe('prefixUpperBound', () => {
  it('is the smallest string after every string with the prefix', () => {
    expect(prefixUpperBound('abc')).toBe('abd')
    expect(prefixUpperBound('ab\u{10ffff}')).toBe('ac')
    expect(prefixUpperBound('a\ud7ff')).toBe('a\ue000')
    expect(prefixUpperBound('')).toBeNull()
  })
})

describe.each(['sqlite', 'postgres'] as const)('resource stores on %s', (kind) => {
  let store: Store
  let ids: Awaited<ReturnType<typeof seedResources>>
  const record = <T>(name: string, value: T): T => {
    answers[kind].set(name, value)
    return value
  }

  beforeAll(async () => {
    store = await fresh(kind)
    ids = await seedResources(store)
  }, 60_000)
  afterAll(async () => store?.close())

  describe('artifacts list', () => {
    const list = (input: ArtifactListQueryInput) => store.artifacts.list(ArtifactListQuery.parse(input))
    it('pages newest build first under every filter, each page an index range, the same on both engines', async () => {
      for (const filter of [{}, { project: 'example/app' }, { name: 'app-linux-amd64' }, { project: 'example/lib', name: 'lib.tar.gz' }]) {
        const whole = record(`artifacts ${JSON.stringify(filter)}`, await list({ ...filter, limit: 200 }))
        const paged: string[] = []
        let cursor: string | undefined
        do {
          const page = await list({ ...filter, limit: 2, ...(cursor ? { cursor } : {}) })
          paged.push(...page.items.map((item) => `${item.buildId} ${item.digest}`))
          cursor = page.nextCursor ?? undefined
        } while (cursor !== undefined)
        expect(paged, JSON.stringify(filter)).toEqual(whole.items.map((item) => `${item.buildId} ${item.digest}`))
        expect([...whole.items].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0))).toEqual(whole.items)
      }
      expect((await list({ name: 'app-linux-amd64' })).items.map((item) => item.digest)).toEqual([digests.d5, digests.d3, digests.d2, digests.d1].map((hex) => `sha256:${hex}`))
      await expect(list({ cursor: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({ code: 'invalid-cursor', path: 'cursor' })
    })

    it('lists the first of each build, the last of them saying how many more it has, the same on both engines', async () => {
      const wide = await fresh(kind)
      try {
        await ingestWideBuilds(wide)
        const listWide = async (input: ArtifactListQueryInput) => listedNames(record(`wide artifacts ${JSON.stringify(input)}`, await wide.artifacts.list(ArtifactListQuery.parse(input))).items)
        expect(await listWide({})).toEqual(['narrow-1', 'narrow-0', 'wide-4', 'wide-3', 'wide-2', 'wide-1', 'wide-0 +3', 'older-4', 'older-3', 'older-2', 'older-1', 'older-0 +1'])
        expect(await listWide({ project: 'example/app', perBuild: 2, limit: 3 })).toEqual(['narrow-1', 'narrow-0', 'wide-1'])
        expect(await listWide({ perBuild: 2, limit: 4 })).toEqual(['narrow-1', 'narrow-0', 'wide-1', 'wide-0 +6'])
      } finally {
        await wide.close()
      }
    })
  })

  describe('artifact', () => {
    it('finds an artifact by sha256:hex, bare hex and a unique prefix, with its build, rebuilds and agreement', async () => {
      const full = record('artifact d1', await store.artifacts.get(`sha256:${digests.d1}`))
      expect(await store.artifacts.get(digests.d1)).toEqual(full)
      expect(await store.artifacts.get(digests.d1.slice(0, 12).toUpperCase())).toEqual(full)
      if (full.kind !== 'found') throw new Error('d1 not found')
      const artifact = full.artifact
      expect(artifact.digest).toBe(`sha256:${digests.d1}`)
      expect(artifact.digests).toEqual({ sha256: digests.d1 })
      expect(artifact.names).toEqual(['app-linux-amd64'])
      expect(artifact.producedBy?.id).toBe(ids.buildIds.b1)
      expect(artifact.builds.map((build) => build.id)).toEqual([ids.buildIds.b1])
      expect(artifact.rebuilds.map((rebuild) => [rebuild.rebuilderId, rebuild.verdict])).toEqual([
        [REBUILDER_2, 'mismatch'],
        [REBUILDER_1, 'match'],
      ])
      expect(artifact.rebuilds[0]?.diffoscope?.differences.map((difference) => difference.source1)).toEqual(['app.tar', 'app/build-info.txt', 'file list'])
      expect(artifact.reproducibility).toEqual({
        rebuilders: 2,
        matched: 1,
        mismatched: 1,
        notCounted: 0,
      })
      expect(artifact.attestations.map((attestation) => [attestation.predicateType, attestation.buildId, attestation.verification.status])).toEqual([
        ['https://slsa.dev/provenance/v1', ids.buildIds.b1, 'verified'],
        ['https://provenance-dashboard.dev/rebuild/v1', null, 'verified'],
        ['https://provenance-dashboard.dev/rebuild/v1', null, 'verified'],
      ])
      expect(artifact.sbom).toBeNull()
      expect(artifact.deployments).toEqual([])
    })

    it("takes each rebuilder's latest verdict for the agreement", async () => {
      const found = record('artifact d5', await store.artifacts.get(`sha256:${digests.d5}`))
      expect(found.kind === 'found' && found.artifact.reproducibility).toEqual({ rebuilders: 2, matched: 2, mismatched: 0, notCounted: 0 })
    })

    it('finds an artifact only an SBOM describes', async () => {
      const found = record('artifact sbom', await store.artifacts.get(digests.sbomOnly))
      if (found.kind !== 'found') throw new Error('sbom-only artifact not found')
      expect(found.artifact).toMatchObject({
        names: ['app'],
        producedBy: null,
        builds: [],
        rebuilds: [],
      })
      expect(found.artifact.sbom).toMatchObject({
        standard: 'cyclonedx',
        subject: { purl: PURL },
        componentCount: 3,
      })
      expect(found.artifact.attestations.map((attestation) => [attestation.documentId, attestation.format, attestation.verification.status])).toEqual([
        [ids.sbomId, 'cyclonedx-json', 'unsigned'],
      ])
    })

    it('says when nothing names the digest, and when a prefix is ambiguous', async () => {
      expect(await store.artifacts.get(`sha256:${'0'.repeat(64)}`)).toEqual({
        kind: 'not-found',
      })
      expect(await store.artifacts.get('0123456789ab')).toEqual({
        kind: 'not-found',
      })
      expect(await store.artifacts.get(`sha512:${digests.d1}`)).toEqual({
        kind: 'not-found',
      })
      expect(await store.artifacts.get('abababababab')).toEqual({
        kind: 'ambiguous',
        candidates: [`sha256:${digests.twin1}`, `sha256:${digests.twin2}`].sort(),
        more: false,
      })
      expect((await store.artifacts.get(digests.twin1.slice(0, 13))).kind).toBe('found')
    })
  })

  describe('signatures', () => {
    it('lists every verification result with counts by status for the same filters', async () => {
      const all = record('signatures', await signatures(store, { limit: 500 }))
      expect(all.counts).toEqual({
        verified: 14,
        failed: 1,
        untrusted: 1,
        unsigned: 2,
        unverifiable: 0,
      })
      expect(all.items).toHaveLength(18)
      expect(all.nextCursor).toBeNull()
      // Newest signing (else ingest) time first; ties go by id, descending.
      const order = (item: { time: string; documentId: string }) => `${item.time} ${item.documentId}`
      expect(all.items.map(order)).toEqual(all.items.map(order).sort().reverse())
      const b4 = all.items.find((item) => item.documentId === ids.buildIds.b4)
      expect(b4).toMatchObject({
        status: 'failed',
        failedCheck: 'envelope-signature',
        kind: 'provenance',
        signer: 'ci-key',
        project: 'example/app',
        buildId: ids.buildIds.b4,
      })
      expect(b4?.subjects).toEqual([{ name: 'app-darwin-arm64', digest: { sha256: digests.d4 } }])
      const rebuild = all.items.find((item) => item.documentId === ids.rebuildDocumentIds[0])
      expect(rebuild).toMatchObject({
        status: 'verified',
        kind: 'rebuild',
        signer: 'rebuilder-one-key',
        project: 'example/app',
        buildId: null,
        subjects: [{ name: 'app-linux-amd64', digest: { sha256: digests.d1 } }],
      })
      expect(all.items.find((item) => item.documentId === ids.buildIds.b3)).toMatchObject({ status: 'untrusted', signer: 'rogue-key' })
      expect(all.items.find((item) => item.documentId === ids.sbomId)).toMatchObject({ status: 'unsigned', kind: 'sbom', signer: null, project: null })
      // What each document is, read from what was stored of it: every build's provenance, every rebuild verdict.
      expect(new Set(all.items.filter((item) => item.buildId !== null).map((item) => item.kind))).toEqual(new Set(['provenance']))
      expect(all.items.filter((item) => ids.rebuildDocumentIds.includes(item.documentId)).map((item) => item.kind)).toEqual(ids.rebuildDocumentIds.map(() => 'rebuild'))
    })

    it('filters by status, project, signer and time, counting without the status filter', async () => {
      const app = record('signatures app', await signatures(store, { project: 'example/app', limit: 500 }))
      expect(app.counts).toEqual({
        verified: 11,
        failed: 1,
        untrusted: 1,
        unsigned: 0,
        unverifiable: 0,
      })
      const failed = await signatures(store, {
        project: 'example/app',
        status: 'failed',
      })
      expect(failed.items.map((item) => item.documentId)).toEqual([ids.buildIds.b4])
      expect(failed.counts).toEqual(app.counts)
      const ci = await signatures(store, { signer: 'ci-key', limit: 500 })
      expect(ci.counts).toEqual({
        verified: 6,
        failed: 1,
        untrusted: 0,
        unsigned: 0,
        unverifiable: 0,
      })
      const both = await signatures(store, {
        signer: 'rebuilder-two-key',
        project: 'example/app',
        status: 'verified',
      })
      expect(both.items).toHaveLength(4)
      const later = await signatures(store, {
        from: new Date(FIXTURE_INGESTED_AT + 1).toISOString(),
      })
      expect(later).toEqual({
        items: [],
        nextCursor: null,
        counts: {
          verified: 0,
          failed: 0,
          untrusted: 0,
          unsigned: 0,
          unverifiable: 0,
        },
      })
      const during = await signatures(store, {
        from: new Date(FIXTURE_T0 - DAY).toISOString(),
        to: new Date(FIXTURE_INGESTED_AT + 1).toISOString(),
      })
      expect(during.counts.verified).toBe(14)
      // The time filter reads the signing time, not the ingest time: nothing here was signed when it was ingested
      // except the diffoscope report, which says no time of its own (the SBOM's is its metadata.timestamp).
      const atIngest = await signatures(store, {
        from: new Date(FIXTURE_INGESTED_AT).toISOString(),
        to: new Date(FIXTURE_INGESTED_AT + 1).toISOString(),
      })
      expect(atIngest.items.map((item) => item.documentId)).toEqual([ids.diffoscopeId])
      expect(atIngest.items.every((item) => item.signedAt === null && item.time === item.ingestedAt)).toBe(true)
      const b1 = await signatures(store, { from: new Date(FIXTURE_T0).toISOString(), to: new Date(FIXTURE_T0 + 1).toISOString() })
      expect(b1.items.map((item) => [item.documentId, item.signedAt])).toEqual([[ids.buildIds.b1, new Date(FIXTURE_T0).toISOString()]])
    })

    it('pages with a cursor, each row once', async () => {
      const seen: string[] = []
      let cursor: string | undefined
      for (let page = 0; page < 10; page++) {
        const result = await signatures(store, {
          limit: 5,
          ...(cursor === undefined ? {} : { cursor }),
        })
        seen.push(...result.items.map((item) => item.documentId))
        cursor = result.nextCursor ?? undefined
        if (cursor === undefined) break
      }
      expect(seen).toHaveLength(18)
      expect(new Set(seen).size).toBe(18)
    })
  })

  describe('builds by commit', () => {
    it('finds a commit by its full SHA or a prefix of 7 or more, in any case, newest first', async () => {
      const byCommit = async (commit: string) => (await store.builds.list(BuildQuery.parse({ commit }))).items.map((item) => item.id)
      const full = record('builds by commit', await byCommit(commits.second))
      expect(full).toEqual([ids.buildIds.b5, ids.buildIds.b4, ids.buildIds.b3])
      expect(await byCommit(commits.second.slice(0, 7))).toEqual(full)
      expect(await byCommit(commits.second.slice(0, 12).toUpperCase())).toEqual(full)
      expect(await byCommit(commits.first)).toEqual([ids.buildIds.b2, ids.buildIds.b1])
      expect(await byCommit('0000000')).toEqual([])
      const combined = await store.builds.list(BuildQuery.parse({ commit: commits.second, status: 'untrusted' }))
      expect(combined.items.map((item) => item.id)).toEqual([ids.buildIds.b3])
    })
  })

  describe('reproducibility', () => {
    it('summarises each project: counts, current streak, last mismatch', async () => {
      const summary = record('summary', await store.rebuilds.summary())
      expect(summary.items.map((item) => item.project)).toEqual(['app.tar.gz', 'example/app'])
      const app = summary.items[1]
      expect(app).toMatchObject({
        project: 'example/app',
        rebuilds: 8,
        matched: 6,
        mismatched: 2,
        currentStreak: { verdict: 'match', length: 2 },
      })
      expect(app?.lastMismatch?.artifact.digest).toEqual({
        sha256: digests.d5,
      })
      expect(app?.lastRebuildAt).toBe(new Date(FIXTURE_T0 + 10.5 * DAY + 6 * 3_600_000).toISOString())
      // A bare diffoscope report names no build, so its verdict is filed under its source1.
      expect(summary.items[0]).toMatchObject({
        rebuilds: 1,
        mismatched: 1,
        currentStreak: { verdict: 'mismatch', length: 1 },
      })
    })

    it('counts a history in day and week buckets, every bucket present', async () => {
      const days = record(
        'history days',
        await store.rebuilds.history(
          'example/app',
          range({
            bucket: 'day',
            from: FIXTURE_T0,
            to: FIXTURE_T0 + 14 * DAY,
          }),
        ),
      )
      expect(days?.bucket).toBe('day')
      expect(days?.buckets).toHaveLength(15)
      expect(days?.from).toBe('2026-11-02T00:00:00.000Z')
      expect(days?.to).toBe('2026-11-17T00:00:00.000Z')
      expect(days?.buckets.map((bucket) => `${bucket.matched}/${bucket.mismatched}`).join(' ')).toBe('1/0 0/1 1/0 1/0 0/0 0/0 0/0 0/0 1/0 0/1 1/0 1/0 0/0 0/0 0/0')
      expect([days?.matched, days?.mismatched]).toEqual([6, 2])
      expect(days?.currentStreak).toEqual({ verdict: 'match', length: 2 })
      const weeks = record(
        'history weeks',
        await store.rebuilds.history(
          'example/app',
          range({
            bucket: 'auto',
            from: FIXTURE_T0 - 200 * DAY,
            to: FIXTURE_T0 + 14 * DAY,
          }),
        ),
      )
      expect(weeks?.bucket).toBe('week')
      expect(weeks?.buckets.at(-3)?.start).toBe('2026-11-02T00:00:00.000Z')
      expect(weeks?.buckets.slice(-3).map((bucket) => [bucket.matched, bucket.mismatched])).toEqual([
        [3, 1],
        [3, 1],
        [0, 0],
      ])
      expect(weeks?.buckets.slice(0, -3).every((bucket) => bucket.matched === 0 && bucket.mismatched === 0)).toBe(true)
    })

    it('gives a project with builds but no rebuilds an empty history, and an unknown project none', async () => {
      const lib = await store.rebuilds.history(
        'example/lib',
        range({
          bucket: 'day',
          from: Date.UTC(2026, 10, 2),
          to: Date.UTC(2026, 10, 4),
        }),
      )
      expect(lib).toMatchObject({
        matched: 0,
        mismatched: 0,
        currentStreak: null,
        lastMismatch: null,
      })
      expect(lib?.buckets).toEqual([
        { start: '2026-11-02T00:00:00.000Z', matched: 0, mismatched: 0 },
        { start: '2026-11-03T00:00:00.000Z', matched: 0, mismatched: 0 },
      ])
      expect(await store.rebuilds.history('nobody/nothing', range({ bucket: 'day' }))).toBeNull()
    })

    it("builds the rebuilder matrix from each rebuilder's latest verdict", async () => {
      const matrix = record('matrix', await store.rebuilds.matrix(MatrixQuery.parse({ project: 'example/app' })))
      expect(matrix?.rebuilders).toEqual([REBUILDER_1, REBUILDER_2])
      expect(matrix?.artifacts.map((artifact) => [artifact.digest, artifact.cells.map((cell) => cell?.verdict ?? null), artifact.agree, artifact.total])).toEqual([
        [`sha256:${digests.d5}`, ['match', 'match'], 2, 2],
        [`sha256:${digests.d3}`, ['match', 'match'], 2, 2],
        [`sha256:${digests.d2}`, ['match', null], 1, 1],
        [`sha256:${digests.d1}`, ['match', 'mismatch'], 1, 2],
      ])
      expect(matrix?.artifacts[0]?.name).toBe('app-linux-amd64')
      const two = await store.rebuilds.matrix(MatrixQuery.parse({ project: 'example/app', limit: 2 }))
      expect(two?.artifacts.map((artifact) => artifact.digest)).toEqual([`sha256:${digests.d5}`, `sha256:${digests.d3}`])
      expect(await store.rebuilds.matrix(MatrixQuery.parse({ project: 'example/lib' }))).toEqual({ project: 'example/lib', rebuilders: [], artifacts: [] })
      expect(await store.rebuilds.matrix(MatrixQuery.parse({ project: 'nobody/nothing' }))).toBeNull()
    })
  })

  it('finds the previous and next build of the same project', async () => {
    const middle = record('neighbours b3', await store.builds.neighbours(ids.buildIds.b3 ?? ''))
    expect([middle?.previous?.id, middle?.next?.id]).toEqual([ids.buildIds.b2, ids.buildIds.b4])
    expect(middle?.previous?.subjects).toEqual([{ name: 'app-linux-amd64', digest: { sha256: digests.d2 } }])
    const first = await store.builds.neighbours(ids.buildIds.b1 ?? '')
    expect([first?.previous, first?.next?.id]).toEqual([null, ids.buildIds.b2])
    const lib = await store.builds.neighbours(ids.buildIds.lib ?? '')
    expect([lib?.previous, lib?.next?.id]).toEqual([null, ids.buildIds.twin1])
    expect(await store.builds.neighbours('f'.repeat(64))).toBeNull()
  })

  describe('search', () => {
    it('reads digests, prefixes, commits and build ids', async () => {
      const prefix = record('search prefix', await store.search.find(digests.d3.slice(0, 12)))
      expect(prefix).toMatchObject({
        interpretedAs: 'digest',
        results: [
          {
            kind: 'artifact',
            title: 'app-linux-amd64',
            target: { type: 'artifact', digest: `sha256:${digests.d3}` },
          },
        ],
      })
      expect((await store.search.find(`sha256:${digests.d3}`)).results).toEqual(prefix.results)
      const twins = await store.search.find('abababababab')
      const byDigest = [
        [digests.twin1, 'lib-twin-1.tar.gz'],
        [digests.twin2, 'lib-twin-2.tar.gz'],
      ].sort(([a = ''], [b = '']) => (a < b ? -1 : 1))
      expect(twins.results.map((result) => result.title)).toEqual(byDigest.map(([, name]) => name))
      const commit = record('search commit', await store.search.find(commits.first))
      expect(commit.interpretedAs).toBe('commit')
      expect(commit.results.map((result) => [result.kind, result.target])).toEqual([
        ['commit', { type: 'build', id: ids.buildIds.b2 }],
        ['commit', { type: 'build', id: ids.buildIds.b1 }],
      ])
      const build = await store.search.find(ids.buildIds.b5 ?? '')
      expect(build).toMatchObject({
        interpretedAs: 'build-id',
        results: [
          {
            kind: 'build',
            title: 'example/app',
            target: { type: 'build', id: ids.buildIds.b5 },
          },
        ],
      })
      // A 40-character value no commit has is still a digest prefix.
      expect((await store.search.find(digests.d4.slice(0, 40))).results.map((result) => result.target)).toEqual([{ type: 'artifact', digest: `sha256:${digests.d4}` }])
      expect(await store.search.find('0123456789abcdef')).toEqual({
        query: '0123456789abcdef',
        interpretedAs: 'digest',
        results: [],
      })
    })

    it('reads a short commit and a build id prefix as the tables show them', async () => {
      const short = record('search short commit', await store.search.find(commits.second.slice(0, 7)))
      expect(short.interpretedAs).toBe('commit')
      expect(short.results.map((result) => [result.kind, result.title, result.target])).toEqual([
        ['commit', `commit ${commits.second.slice(0, 12)}`, { type: 'build', id: ids.buildIds.b5 }],
        ['commit', `commit ${commits.second.slice(0, 12)}`, { type: 'build', id: ids.buildIds.b4 }],
        ['commit', `commit ${commits.second.slice(0, 12)}`, { type: 'build', id: ids.buildIds.b3 }],
      ])
      expect((await store.search.find(commits.first.slice(0, 7).toUpperCase())).results.map((result) => result.target)).toEqual([
        { type: 'build', id: ids.buildIds.b2 },
        { type: 'build', id: ids.buildIds.b1 },
      ])
      const b5 = ids.buildIds.b5 ?? ''
      const byId = record('search build id prefix', await store.search.find(b5.slice(0, 12)))
      expect(byId).toMatchObject({ interpretedAs: 'build-id', results: [{ kind: 'build', title: `build ${b5.slice(0, 12)}`, target: { type: 'build', id: b5 } }] })
      expect((await store.search.find(b5.slice(0, 7))).results.map((result) => result.target)).toEqual([{ type: 'build', id: b5 }])
      // Six hex characters are too few for a commit: read as text, which no name starts with.
      expect(await store.search.find(commits.second.slice(0, 6))).toMatchObject({ interpretedAs: 'text', results: [] })
    })

    it('lists every artifact of a name shared by several, newest first, after a line with the counts', async () => {
      const shared = record('search shared name', await store.search.find('app-linux-amd64'))
      expect(shared.results.map((result) => [result.title, result.target])).toEqual([
        ['app-linux-amd64', { type: 'artifacts', name: 'app-linux-amd64' }],
        ['app-linux-amd64 (newest)', { type: 'artifact', digest: `sha256:${digests.d5}` }],
        ['app-linux-amd64 (2 of 4)', { type: 'artifact', digest: `sha256:${digests.d3}` }],
        ['app-linux-amd64 (3 of 4)', { type: 'artifact', digest: `sha256:${digests.d2}` }],
        ['app-linux-amd64 (4 of 4)', { type: 'artifact', digest: `sha256:${digests.d1}` }],
      ])
      expect(shared.results[0]?.detail).toBe('4 artifacts named app-linux-amd64 from 4 builds')
      // The time apart from the text: the counts line's is its newest artifact's build, then each artifact's own.
      const times = shared.results.slice(1).map((result) => result.when)
      expect(times.map((when) => when?.what)).toEqual(['built', 'built', 'built', 'built'])
      expect(shared.results[0]?.when).toEqual({ what: 'newest built', at: times[0]?.at })
      expect(times.map((when) => when?.at)).toEqual(times.map((when) => when?.at).sort().reverse())
    })

    it('matches names, purls and signers by prefix, exact matches first', async () => {
      const names = record('search names', await store.search.find('app-'))
      expect(names.interpretedAs).toBe('text')
      expect(names.results.map((result) => [result.kind, result.title])).toEqual([
        ['artifact', 'app-darwin-arm64'],
        ['artifact', 'app-linux-amd64'],
      ])
      // A name one artifact carries leads to it; a name four artifacts share leads to them all, with counts.
      expect(names.results[0]?.target).toEqual({ type: 'artifact', digest: `sha256:${digests.d4}` })
      expect(names.results[1]).toMatchObject({ target: { type: 'artifacts', name: 'app-linux-amd64' }, detail: 'artifacts named app-linux-amd64 from 4 builds', when: { what: 'newest built' } })
      const purl = await store.search.find('pkg:npm/app')
      expect(purl.results).toEqual([
        {
          kind: 'package',
          title: PURL,
          detail: expect.stringContaining('SBOM of app 1.4.2') as string,
          when: null,
          target: { type: 'artifact', digest: `sha256:${digests.sbomOnly}` },
        },
      ])
      const signers = record('search signers', await store.search.find('rebuilder-'))
      expect(signers.results.map((result) => [result.kind, result.title, result.detail])).toEqual([
        ['signer', 'rebuilder-one-key', 'signer of 4 documents'],
        ['signer', 'rebuilder-two-key', 'signer of 4 documents'],
      ])
      const lib = await store.search.find('lib')
      expect(lib.results.map((result) => result.title)).toEqual(['lib-twin-1.tar.gz', 'lib-twin-2.tar.gz', 'lib.tar.gz'])
      expect((await store.search.find('lib.tar.gz')).results.map((result) => result.title)).toEqual(['lib.tar.gz'])
      expect((await store.search.find('nothing-like-this')).results).toEqual([])
      expect((await store.search.find('%')).results).toEqual([])
    })

    it('finds projects by how their name starts, each leading to its builds', async () => {
      const projects = record('search projects', await store.search.find('example/'))
      expect(projects.results.filter((result) => result.kind === 'project')).toEqual([
        { kind: 'project', title: 'example/app', detail: 'project with 5 builds', when: null, target: { type: 'builds', project: 'example/app' } },
        { kind: 'project', title: 'example/lib', detail: 'project with 3 builds', when: null, target: { type: 'builds', project: 'example/lib' } },
      ])
      // Typed whole, the project comes first.
      expect((await store.search.find('example/lib')).results[0]).toMatchObject({ kind: 'project', title: 'example/lib' })
    })
  })

  it('keeps the signature counts equal to a count of the documents, through re-verification', async () => {
    const everything = { from: '1970-01-01T00:00:00Z' }
    for (const filter of [{}, { project: 'example/app' }, { signer: 'ci-key' }, { project: 'example/app', signer: 'rebuilder-two-key' }]) {
      expect((await signatures(store, filter)).counts).toEqual((await signatures(store, { ...filter, ...everything })).counts)
    }
    // Re-verification that finds b1 failed now (as if its key were revoked) moves it between the counts.
    const b1 = ids.buildIds.b1
    const outcome = await store.documents.reverify((document) =>
      document.id === b1
        ? { status: 'failed', failedCheck: 'signer-trusted', checks: [{ name: 'signer-trusted', ok: false }], signers: [{ keyId: 'ci-key', trustedKeyId: null, algorithm: null }] }
        : null,
    )
    expect(outcome.changed).toBe(1)
    const after = await signatures(store, { signer: 'ci-key' })
    expect(after.counts).toEqual({ verified: 5, failed: 2, untrusted: 0, unsigned: 0, unverifiable: 0 })
    expect(after.counts).toEqual((await signatures(store, { signer: 'ci-key', ...everything })).counts)
    expect((await signatures(store, {})).counts).toEqual({ verified: 13, failed: 2, untrusted: 1, unsigned: 2, unverifiable: 0 })
  })
})

describe('both engines', () => {
  it('give the same answers', () => {
    expect(answers.postgres.size).toBeGreaterThan(0)
    expect(Object.fromEntries(answers.postgres)).toEqual(Object.fromEntries(answers.sqlite))
  })
})
