import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArtifactPage } from '../../src/contract/artifacts'
import { ApiErrorBody } from '../../src/contract/common'
import { digests } from '../testing/resource-fixture'
import { openResourceApp, type ResourceApp } from '../testing/resource-app'

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
