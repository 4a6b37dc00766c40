import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArtifactPage } from '../../src/contract/artifacts'
import { ApiErrorBody } from '../../src/contract/common'
import { digests } from '../testing/resource-fixture'
import { openResourceApp, type ResourceApp } from '../testing/resource-app'
import { createApp } from '../app'
import { tempStore } from '../testing/documents'
import { ingestWideBuilds, listedNames } from '../testing/wide-builds'

/* GET /api/v1/artifacts over HTTP: recent artifacts newest build first, by project and name, paged by cursor. */

let app: ResourceApp['app']
let ids: ResourceApp['ids']
let dispose: ResourceApp['dispose']

beforeAll(async () => {
  ;({ app, ids, dispose } = await openResourceApp())
})
afterAll(async () => dispose())

async function page(query: string): Promise<ArtifactPage> {
  const response = await app.request(`/api/v1/artifacts${query}`)
  const body: unknown = await response.json()
  expect(response.status, JSON.stringify(body)).toBe(200)
  return ArtifactPage.parse(body)
}

describe('GET /api/v1/artifacts', () => {
  it('lists build subjects newest build first, with the build and its status', async () => {
    const all = await page('')
    expect(all.items.map((item) => item.digest)).toEqual(
      [digests.twin2, digests.twin1, digests.lib, digests.d5, digests.d4, digests.d3, digests.d2, digests.d1].map((hex) => `sha256:${hex}`),
    )
    expect(all.items[3]).toMatchObject({ name: 'app-linux-amd64', buildId: ids.buildIds.b5, project: 'example/app', status: 'verified' })
    expect(all.items.find((item) => item.buildId === ids.buildIds.b4)?.status).toBe('failed')
    expect(all.nextCursor).toBeNull()
  })

  it('filters by project and by exact name, alone and together', async () => {
    expect((await page('?project=example/lib')).items.map((item) => item.name)).toEqual(['lib-twin-2.tar.gz', 'lib-twin-1.tar.gz', 'lib.tar.gz'])
    expect((await page('?name=app-linux-amd64')).items.map((item) => item.buildId)).toEqual([ids.buildIds.b5, ids.buildIds.b3, ids.buildIds.b2, ids.buildIds.b1])
    expect((await page('?project=example/lib&name=app-linux-amd64')).items).toEqual([])
    expect((await page('?name=app-')).items).toEqual([])
  })

  it('pages by cursor without skipping or repeating, under every filter', async () => {
    for (const filter of ['', 'project=example/app&', 'name=app-linux-amd64&']) {
      const whole = await page(`?${filter}limit=200`)
      const seen: string[] = []
      let cursor: string | null = ''
      while (cursor !== null) {
        const next: ArtifactPage = await page(`?${filter}limit=3${cursor === '' ? '' : `&cursor=${cursor}`}`)
        seen.push(...next.items.map((item) => `${item.buildId}:${item.digest}`))
        cursor = next.nextCursor
      }
      expect(seen).toEqual(whole.items.map((item) => `${item.buildId}:${item.digest}`))
    }
  })

  it('answers 400 naming the parameter for a bad limit or cursor', async () => {
    for (const [query, path, code] of [
      ['?limit=0', 'query.limit', 'invalid-query'],
      ['?limit=201', 'query.limit', 'invalid-query'],
      ['?limit=many', 'query.limit', 'invalid-query'],
      ['?cursor=%21%21', 'query.cursor', 'invalid-cursor'],
      [`?cursor=${Buffer.from('1:xyz:0').toString('base64url')}`, 'query.cursor', 'invalid-cursor'],
      [`?name=${'n'.repeat(513)}`, 'query.name', 'invalid-query'],
    ] as const) {
      const response = await app.request(`/api/v1/artifacts${query}`)
      const body = ApiErrorBody.parse(await response.json())
      expect(response.status, query).toBe(400)
      expect(body.error, query).toMatchObject({ code, path })
    }
  })
})

describe('GET /api/v1/artifacts with builds of many artifacts', () => {
  let wideApp: ReturnType<typeof createApp>
  let disposeWide: () => Promise<void>
  let buildIds: Map<string, string>

  beforeAll(async () => {
    const { store, dispose: disposeStore } = await tempStore()
    disposeWide = disposeStore
    const ingested = await ingestWideBuilds(store)
    buildIds = ingested.buildIds
    wideApp = createApp({ store, config: ingested.config, version: '0.0.0-test', demo: false })
  })
  afterAll(async () => disposeWide())

  const list = async (query: string) => {
    const response = await wideApp.request(`/api/v1/artifacts${query}`)
    const body: unknown = await response.json()
    expect(response.status, JSON.stringify(body)).toBe(200)
    return ArtifactPage.parse(body)
  }
  const rows = async (query: string) => listedNames((await list(query)).items)

  it('lists the first five of each build, the last of them saying how many more the build has', async () => {
    expect(await rows('')).toEqual(['narrow-1', 'narrow-0', 'wide-4', 'wide-3', 'wide-2', 'wide-1', 'wide-0 +3', 'older-4', 'older-3', 'older-2', 'older-1', 'older-0 +1'])
    expect((await list('')).items.find((item) => item.name === 'wide-0')?.buildId).toBe(buildIds.get('wide'))
    // By project too; and as many of each build as asked for.
    expect(await rows('?project=example/app&perBuild=7')).toEqual(['narrow-1', 'narrow-0', ...[6, 5, 4, 3, 2, 1].map((n) => `wide-${n}`), 'wide-0 +1', ...[5, 4, 3, 2, 1, 0].map((n) => `older-${n}`)])
  })

  it('lists every artifact by name, wherever it is in its build', async () => {
    expect(await rows('?name=wide-7')).toEqual(['wide-7'])
  })

  it('pages without skipping or repeating, the count on the page that ends the build', async () => {
    const whole = await rows('?limit=200')
    for (const limit of [1, 2, 3, 5, 7]) {
      const seen: string[] = []
      let cursor: string | null = ''
      while (cursor !== null) {
        const next: ArtifactPage = await list(`?limit=${limit}${cursor === '' ? '' : `&cursor=${cursor}`}`)
        seen.push(...listedNames(next.items))
        cursor = next.nextCursor
      }
      expect(seen, `limit ${limit}`).toEqual(whole)
    }
  })

  it('answers 400 naming perBuild when it is not a count from 1', async () => {
    for (const value of ['0', '-1', 'all', '10001']) {
      const response = await wideApp.request(`/api/v1/artifacts?perBuild=${value}`)
      expect(response.status, value).toBe(400)
      expect(ApiErrorBody.parse(await response.json()).error, value).toMatchObject({ code: 'invalid-query', path: 'query.perBuild' })
    }
  })
})
