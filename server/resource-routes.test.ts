import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiErrorBody } from '../src/contract/common'
import { ArtifactDetail } from '../src/contract/artifacts'
import { BuildNeighbours, BuildPage } from '../src/contract/builds'
import { RebuilderMatrix, ReproducibilityHistory, ReproducibilitySummary } from '../src/contract/reproducibility'
import { SearchResponse } from '../src/contract/search'
import { SignaturePage } from '../src/contract/signatures'
import { RebuildPage } from '../src/contract/rebuilds'
import { createApp } from './app'
import { buildConfig } from './config'
import { commits, digests, keys, REBUILDER_1, REBUILDER_2 } from './testing/resource-fixture'
import { openResourceApp, type ResourceApp } from './testing/resource-app'

/* The artifact, signature, reproducibility, neighbour and search routes over HTTP: what each answers, and a 4xx naming the parameter for bad input. */

let store: ResourceApp['store']
let app: ResourceApp['app']
let ids: ResourceApp['ids']
let dispose: ResourceApp['dispose']

beforeAll(async () => {
  ;({ store, app, ids, dispose } = await openResourceApp())
})
afterAll(async () => dispose())

const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers })

async function ok<T>(path: string, schema: { parse(value: unknown): T }): Promise<T> {
  const response = await get(path)
  const body: unknown = await response.json()
  expect(response.status, JSON.stringify(body)).toBe(200)
  return schema.parse(body)
}

async function problem(path: string, status: number): Promise<{ code: string; message: string; path?: string }> {
  const response = await get(path)
  const body = ApiErrorBody.parse(await response.json())
  expect(response.status, JSON.stringify(body)).toBe(status)
  return body.error
}

describe('GET /api/v1/artifacts/{digest}', () => {
  it('answers the artifact for sha256:hex, bare hex and a 12-character prefix', async () => {
    const artifact = await ok(`/api/v1/artifacts/sha256:${digests.d1}`, ArtifactDetail)
    expect(artifact).toMatchObject({ digest: `sha256:${digests.d1}`, names: ['app-linux-amd64'], reproducibility: { rebuilders: 2, matched: 1, mismatched: 1 } })
    expect(artifact.producedBy?.id).toBe(ids.buildIds.b1)
    expect(artifact.rebuilds.find((rebuild) => rebuild.verdict === 'mismatch')?.rebuilderId).toBe(REBUILDER_2)
    expect(await ok(`/api/v1/artifacts/${digests.d1}`, ArtifactDetail)).toEqual(artifact)
    expect(await ok(`/api/v1/artifacts/${digests.d1.slice(0, 12)}`, ArtifactDetail)).toEqual(artifact)
    expect(await ok(`/api/v1/artifacts/sha256:${digests.d1.toUpperCase()}`, ArtifactDetail)).toEqual(artifact)
  })

  it('answers 404 when nothing names the digest, 409 for an ambiguous prefix, 400 for a bad digest', async () => {
    expect(await problem(`/api/v1/artifacts/sha256:${'0'.repeat(64)}`, 404)).toEqual({
      code: 'not-found',
      message: `no build subject, SBOM or rebuild names an artifact with digest sha256:${'0'.repeat(64)}`,
      path: 'path.digest',
    })
    const ambiguous = await problem('/api/v1/artifacts/abababababab', 409)
    expect(ambiguous).toMatchObject({ code: 'ambiguous-digest', path: 'path.digest' })
    expect(ambiguous.message).toContain('matches 2 artifacts')
    for (const bad of ['abc', 'sha256:xyz', 'not a digest', `${'a'.repeat(129)}`, 'sha256:']) {
      expect(await problem(`/api/v1/artifacts/${encodeURIComponent(bad)}`, 400)).toMatchObject({ code: 'invalid-digest', path: 'path.digest' })
    }
  })
})

describe('GET /api/v1/builds?commit=', () => {
  it('answers the builds of a commit by SHA or prefix, and 400 naming the parameter for anything else', async () => {
    const page = await ok(`/api/v1/builds?commit=${commits.first.slice(0, 7)}`, BuildPage)
    expect(page.items.map((item) => item.id)).toEqual([ids.buildIds.b2, ids.buildIds.b1])
    for (const bad of ['abc12', 'not-a-sha', 'g'.repeat(40), 'a'.repeat(65)]) {
      const error = await problem(`/api/v1/builds?commit=${bad}`, 400)
      expect(error).toMatchObject({ code: 'invalid-query', path: 'query.commit' })
      expect(error.message).toContain('7 to 64 hexadecimal characters')
    }
  })
})

describe('GET /api/v1/signatures', () => {
  it('lists verification results with counts for the same filters', async () => {
    const page = await ok('/api/v1/signatures?project=example/app&status=failed', SignaturePage)
    expect(page.items.map((item) => [item.documentId, item.failedCheck, item.signer])).toEqual([[ids.buildIds.b4, 'envelope-signature', 'ci-key']])
    expect(page.counts).toEqual({ verified: 11, failed: 1, untrusted: 1, unsigned: 0, unverifiable: 0 })
    const bySigner = await ok(`/api/v1/signatures?signer=${keys.rogue.id}`, SignaturePage)
    expect(bySigner.items.map((item) => item.documentId)).toEqual([ids.buildIds.b3])
    const first = await ok('/api/v1/signatures?limit=10', SignaturePage)
    const second = await ok(`/api/v1/signatures?limit=10&cursor=${first.nextCursor ?? ''}`, SignaturePage)
    expect(first.items.length + second.items.length).toBe(18)
    expect(second.nextCursor).toBeNull()
  })

  it('rejects bad filters with the parameter named', async () => {
    expect(await problem('/api/v1/signatures?status=great', 400)).toMatchObject({ code: 'invalid-query', path: 'query.status' })
    expect(await problem('/api/v1/signatures?from=yesterday', 400)).toMatchObject({ code: 'invalid-query', path: 'query.from' })
    expect(await problem('/api/v1/signatures?limit=0', 400)).toMatchObject({ code: 'invalid-query', path: 'query.limit' })
    expect(await problem('/api/v1/signatures?to=2026-13-01', 400)).toMatchObject({ code: 'invalid-query', path: 'query.to' })
    expect(await problem('/api/v1/signatures?cursor=%21%21', 400)).toMatchObject({ code: 'invalid-cursor', path: 'query.cursor' })
    expect(await problem(`/api/v1/signatures?cursor=${Buffer.from('1:xyz').toString('base64url')}`, 400)).toMatchObject({ code: 'invalid-cursor' })
  })
})

describe('GET /api/v1/rebuilds', () => {
  it('lists verdicts by artifact and project, newest first', async () => {
    const page = await ok(`/api/v1/rebuilds?artifactDigest=sha256:${digests.d5}`, RebuildPage)
    expect(page.items.map((rebuild) => [rebuild.rebuilderId, rebuild.verdict])).toEqual([
      [REBUILDER_1, 'match'],
      [REBUILDER_2, 'match'],
      [REBUILDER_2, 'mismatch'],
    ])
    expect((await ok('/api/v1/rebuilds?project=example/app&limit=500', RebuildPage)).items).toHaveLength(8)
    expect(await problem('/api/v1/rebuilds?limit=501', 400)).toMatchObject({ path: 'query.limit' })
  })
})

describe('GET /api/v1/reproducibility', () => {
  it('summarises every project with verdicts', async () => {
    const summary = await ok('/api/v1/reproducibility', ReproducibilitySummary)
    expect(summary.items.find((item) => item.project === 'example/app')).toMatchObject({ rebuilds: 8, matched: 6, mismatched: 2, currentStreak: { verdict: 'match', length: 2 } })
  })
})

describe('GET /api/v1/reproducibility/history', () => {
  it('defaults to the 120 days before now in day buckets, every bucket present', async () => {
    const history = await ok('/api/v1/reproducibility/history?project=example/app', ReproducibilityHistory)
    expect(history.bucket).toBe('day')
    expect(history.buckets).toHaveLength(121)
    expect(history.to).toBe('2026-11-21T00:00:00.000Z')
    expect([history.matched, history.mismatched]).toEqual([6, 2])
    expect(history.buckets.reduce((sum, bucket) => sum + bucket.matched + bucket.mismatched, 0)).toBe(8)
  })

  it('picks weeks for a long range and days when asked', async () => {
    const weeks = await ok('/api/v1/reproducibility/history?project=example/app&from=2024-11-20T00:00:00Z&to=2026-11-20T00:00:00Z', ReproducibilityHistory)
    expect(weeks.bucket).toBe('week')
    expect(weeks.buckets).toHaveLength(105)
    expect(new Date(weeks.from).getUTCDay()).toBe(1)
    const days = await ok('/api/v1/reproducibility/history?project=example/app&bucket=day&from=2026-11-01T00:00:00Z&to=2026-11-08T00:00:00Z', ReproducibilityHistory)
    expect(days.buckets.map((bucket) => bucket.matched + bucket.mismatched)).toEqual([0, 1, 1, 1, 1, 0, 0])
  })

  it('answers 404 for an unknown project and 400 naming the parameter for a bad query', async () => {
    expect(await problem('/api/v1/reproducibility/history?project=nobody/nothing', 404)).toMatchObject({ code: 'unknown-project', path: 'query.project' })
    expect(await problem('/api/v1/reproducibility/history', 400)).toMatchObject({ code: 'invalid-query', path: 'query.project' })
    expect(await problem('/api/v1/reproducibility/history?project=example/app&bucket=month', 400)).toMatchObject({ path: 'query.bucket' })
    expect(await problem('/api/v1/reproducibility/history?project=example/app&from=2026-11-10T00:00:00Z&to=2026-11-01T00:00:00Z', 400)).toMatchObject({
      code: 'invalid-range',
      path: 'query.from',
    })
    expect(await problem('/api/v1/reproducibility/history?project=example/app&bucket=day&from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 400)).toMatchObject({
      code: 'invalid-range',
      path: 'query.bucket',
    })
    expect(await problem('/api/v1/reproducibility/history?project=example/app&to=not-a-time', 400)).toMatchObject({ path: 'query.to' })
  })
})

describe('GET /api/v1/reproducibility/matrix', () => {
  it('answers rebuilders × artifacts with agreement', async () => {
    const matrix = await ok('/api/v1/reproducibility/matrix?project=example/app&limit=1', RebuilderMatrix)
    expect(matrix).toMatchObject({ project: 'example/app', rebuilders: [REBUILDER_1, REBUILDER_2], artifacts: [{ digest: `sha256:${digests.d5}`, agree: 2, total: 2 }] })
    expect(await problem('/api/v1/reproducibility/matrix?project=nobody/nothing', 404)).toMatchObject({ path: 'query.project' })
    expect(await problem('/api/v1/reproducibility/matrix?project=example/app&limit=1000', 400)).toMatchObject({ path: 'query.limit' })
  })
})

describe('GET /api/v1/builds/{id}/neighbours', () => {
  it('answers the previous and next build of the project', async () => {
    const neighbours = await ok(`/api/v1/builds/${ids.buildIds.b2 ?? ''}/neighbours`, BuildNeighbours)
    expect([neighbours.previous?.id, neighbours.next?.id]).toEqual([ids.buildIds.b1, ids.buildIds.b3])
    expect(await problem(`/api/v1/builds/${'f'.repeat(64)}/neighbours`, 404)).toMatchObject({ code: 'not-found', path: 'path.id' })
    expect(await problem('/api/v1/builds/XYZ/neighbours', 400)).toMatchObject({ code: 'invalid-build-id', path: 'path.id' })
  })
})

describe('GET /api/v1/search', () => {
  it('finds artifacts, commits, builds and signers', async () => {
    const prefix = await ok(`/api/v1/search?q=${digests.d2.slice(0, 14)}`, SearchResponse)
    expect(prefix).toMatchObject({ interpretedAs: 'digest', results: [{ kind: 'artifact', target: { type: 'artifact', digest: `sha256:${digests.d2}` } }] })
    const commit = await ok(`/api/v1/search?q=${commits.second}`, SearchResponse)
    expect(commit.results.map((result) => result.target)).toEqual([ids.buildIds.b5, ids.buildIds.b4, ids.buildIds.b3].map((id) => ({ type: 'build', id })))
    const signer = await ok(`/api/v1/search?q=${encodeURIComponent('  ci-key ')}`, SearchResponse)
    expect(signer).toMatchObject({ query: 'ci-key', interpretedAs: 'text', results: [{ kind: 'signer', target: { type: 'signatures', signer: 'ci-key' } }] })
  })

  it('answers 400 naming q when it is missing or empty', async () => {
    expect(await problem('/api/v1/search', 400)).toMatchObject({ code: 'invalid-query', path: 'query.q' })
    expect(await problem('/api/v1/search?q=%20%20', 400)).toMatchObject({ code: 'invalid-query', path: 'query.q' })
    expect(await problem(`/api/v1/search?q=${'x'.repeat(600)}`, 400)).toMatchObject({ path: 'query.q' })
  })
})

describe('scope read', () => {
  it('is required when the config says reads need a token', async () => {
    const tokenHash = createHash('sha256').update('reader').digest('hex')
    const locked = createApp({
      store,
      config: buildConfig({ auth: { readRequiresToken: true }, tokens: [{ name: 'reader', sha256: tokenHash, scopes: ['read'] }] }, 'locked'),
      version: '0.0.0-test',
      demo: false,
    })
    for (const path of ['/api/v1/reproducibility', `/api/v1/artifacts/${digests.d1}`, '/api/v1/signatures', '/api/v1/search?q=app']) {
      expect((await locked.request(path)).status).toBe(401)
      expect((await locked.request(path, { headers: { authorization: 'Bearer reader' } })).status).toBe(200)
    }
  })
})
