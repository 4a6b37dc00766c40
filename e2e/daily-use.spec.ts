import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { APIRequestContext, Page } from '@playwright/test'
import { ArtifactDetail, ArtifactPage } from '../src/contract/artifacts'
import { BuildPage } from '../src/contract/builds'
import { DocumentVerification } from '../src/contract/documents'
import { SearchResponse } from '../src/contract/search'
import { expect, test } from './fixtures'
import { expectPrintable } from './print'

// The rest of issue 8's daily use on the seeded demo, as `npm start` runs it: search by a build id prefix, a
// package URL and a shared name; the Artifact page's downloads, cards and print; the Builds commit filter; and
// what every screen says when the API fails.

async function getJson<T>(request: APIRequestContext, url: string, parse: (value: unknown) => T): Promise<T> {
  const response = await request.get(url)
  expect(response.status(), url).toBe(200)
  return parse(await response.json())
}

async function search(page: Page, text: string) {
  const box = page.getByRole('search', { name: 'Search everything' }).getByRole('searchbox')
  await box.fill(text)
  await box.press('Enter')
}

test('search finds a build by the start of its id, and an artifact by its package URL', async ({ demoServer: server, demoPage: page, request }) => {
  const builds = await getJson(request, `${server.url}/api/v1/builds?limit=5`, (value) => BuildPage.parse(value))
  const build = builds.items[0]
  if (!build) throw new Error('the demo has builds')
  await page.goto(`${server.url}/builds`)
  await search(page, build.id.slice(0, 12))
  await expect(page).toHaveURL(`${server.url}/builds/${build.id}`)

  // The SBOM's package URL, as a person copies it from the SBOM: its described component.
  const packages = await getJson(request, `${server.url}/api/v1/search?q=${encodeURIComponent('pkg:npm/')}`, (value) => SearchResponse.parse(value))
  const found = packages.results.find((result) => result.kind === 'package')
  if (!found || found.target.type !== 'artifact') throw new Error('the demo has an SBOM with a package URL')
  await search(page, found.title)
  const results = page.getByRole('list', { name: 'Search results' })
  const link = results.getByRole('link', { name: `Package ${found.title}`, exact: true })
  // One match goes straight to the artifact; several list it among them.
  if (await page.waitForURL(/\/artifacts\//, { timeout: 5_000 }).then(() => false, () => true)) await link.click()
  await expect(page).toHaveURL(`${server.url}/artifacts/${found.target.digest}`)
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
})

test('a name shared by many artifacts lists them with counts, newest first, never only the newest', async ({ demoServer: server, demoPage: page, request }) => {
  const name = 'web-dist.tar.gz'
  const artifacts = await getJson(request, `${server.url}/api/v1/artifacts?name=${name}&limit=3`, (value) => ArtifactPage.parse(value))
  const [newest, second] = artifacts.items
  if (!newest || !second) throw new Error(`the demo has several artifacts named ${name}`)

  await page.goto(`${server.url}/builds`)
  await search(page, name)
  await expect(page).toHaveURL(/\/search\?q=web-dist\.tar\.gz$/)
  const results = page.getByRole('list', { name: 'Search results' })
  const items = results.getByRole('listitem')
  // The summary line first: how many artifacts and builds carry the name, leading to the filtered Artifacts list.
  await expect(items.first()).toContainText(new RegExp(`^Artifact ${name.replace(/\./g, '\\.')}\\s*[\\d,]+\\+? artifacts named ${name.replace(/\./g, '\\.')} from [\\d,]+\\+? builds`))
  await expect(results.getByRole('link', { name: `Artifact ${name} (newest)` })).toHaveAttribute('href', `/artifacts/${newest.digest}`)
  await expect(results.getByRole('link', { name: new RegExp(`^Artifact ${name.replace(/\./g, '\\.')} \\(2 of [\\d,]+\\)$`) })).toHaveAttribute('href', `/artifacts/${second.digest}`)

  await items.first().getByRole('link').click()
  await expect(page).toHaveURL(new RegExp(`/artifacts\\?name=${name.replace(/\./g, '\\.')}$`))
  const names = page.getByRole('table', { name: 'Artifacts' }).getByRole('row').locator('td:first-child')
  await expect(names.first()).toHaveText(name)
  expect(new Set(await names.allTextContents())).toEqual(new Set([name]))
})

test('the Builds commit filter lists only that commit’s builds, from a short commit as the tables show it', async ({ demoServer: server, demoPage: page, request }) => {
  const builds = await getJson(request, `${server.url}/api/v1/builds?limit=20`, (value) => BuildPage.parse(value))
  const commit = builds.items.find((build) => build.sourceCommit !== null)?.sourceCommit
  if (!commit) throw new Error('the demo has builds with commits')
  const expected = await getJson(request, `${server.url}/api/v1/builds?commit=${commit}&limit=200`, (value) => BuildPage.parse(value))

  await page.goto(`${server.url}/builds`)
  const field = page.getByRole('search', { name: 'Filter builds' }).getByLabel('Commit', { exact: true })
  await field.fill(commit.slice(0, 7))
  await field.press('Enter')
  await expect(page).toHaveURL(new RegExp(`[?&]commit=${commit.slice(0, 7)}(&|$)`))
  const table = page.getByRole('table', { name: 'Builds' })
  await expect(table.getByRole('row')).toHaveCount(expected.items.length + 1)
  const commits = await table.getByRole('link', { name: /^Builds of commit / }).allTextContents()
  expect(new Set(commits)).toEqual(new Set([commit.slice(0, 7)]))
})

/** A verified artifact with an attestation that failed too, from the demo's failed builds. */
async function artifactWithFailedAndVerified(request: APIRequestContext, base: string): Promise<ArtifactDetail> {
  const failed = await getJson(request, `${base}/api/v1/builds?status=failed&limit=50`, (value) => BuildPage.parse(value))
  for (const build of failed.items) {
    const digest = build.subjects.find((subject) => subject.digest.sha256)?.digest.sha256
    if (!digest) continue
    const artifact = await getJson(request, `${base}/api/v1/artifacts/sha256:${digest}`, (value) => ArtifactDetail.parse(value))
    if (artifact.attestations.some((attestation) => attestation.verification.status === 'failed')) return artifact
  }
  throw new Error('the demo has an artifact with a failed attestation')
}

test('the Artifact page opens failing attestation cards, and downloads each document exactly as stored with its verdict as JSON', async ({
  demoServer: server,
  demoPage: page,
  request,
}) => {
  const artifact = await artifactWithFailedAndVerified(request, server.url)
  const failed = artifact.attestations.find((attestation) => attestation.verification.status === 'failed')
  if (!failed) throw new Error('a failed attestation')
  await page.goto(`${server.url}/artifacts/${artifact.digest}`)
  const attestations = page.getByRole('region', { name: /^Attestations and signatures/ })
  const card = attestations.getByRole('article').filter({ has: page.getByText(failed.documentId.slice(0, 12)) })
  await expect(card.getByRole('table', { name: /^Checks of/ })).toBeVisible()

  const [document] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: /^Download the .+ as stored \(sha256 / }).click()])
  const bytes = await readFile((await document.path()) ?? '')
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(failed.documentId)
  const [verdict] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: /^Download the verdict on the .+ as JSON$/ }).click()])
  const parsed = DocumentVerification.parse(JSON.parse(await readFile((await verdict.path()) ?? '', 'utf8')))
  expect(parsed).toMatchObject({ id: failed.documentId, verification: { status: 'failed', failedCheck: failed.verification.failedCheck } })
})

test('a printed Artifact page has no navigation or search, and absolute UTC times', async ({ demoServer: server, demoPage: page, request }) => {
  const artifacts = await getJson(request, `${server.url}/api/v1/artifacts?limit=1`, (value) => ArtifactPage.parse(value))
  const item = artifacts.items[0]
  if (!item) throw new Error('the demo has artifacts')
  await page.goto(`${server.url}/artifacts/${item.digest}`)
  await expectPrintable(page, 'print-artifact.png')
})

test('when the API fails, every screen says so in a sentence, without API paths or backticks', async ({ demoServer: server, demoPage: page, request }) => {
  test.setTimeout(240_000) // sixteen screens, each waiting out one retry of a failed request
  const builds = await getJson(request, `${server.url}/api/v1/builds?limit=2`, (value) => BuildPage.parse(value))
  const [first, second] = builds.items
  const digest = first?.subjects[0]?.digest.sha256
  if (!first || !second || !digest) throw new Error('the demo has builds with artifacts')
  const screens = [
    '/builds',
    `/builds/${first.id}`,
    `/builds/compare?a=${second.id}&b=${first.id}`,
    '/artifacts',
    `/artifacts/sha256:${digest}`,
    '/signatures',
    '/search?q=web-dist',
    '/log',
  ]
  // Two ways a server fails: its own 503 with the API's error body, and a proxy's bare 503.
  for (const body of [JSON.stringify({ error: { code: 'store-unavailable', message: 'the database cannot be reached right now; nothing was changed by this request, retry in a few seconds' } }), '']) {
    await page.unroute('**/api/v1/**')
    await page.route('**/api/v1/**', (route) => route.fulfill({ status: 503, contentType: body === '' ? 'text/plain' : 'application/json', body }))
    for (const path of screens) {
      await page.goto(`${server.url}${path}`)
      const alert = page.getByRole('alert').filter({ hasText: /503|cannot be reached/ }).first()
      await expect(alert, `${path}: ${await page.getByRole('main').innerText().catch(() => '(no main)')}`).toBeVisible({ timeout: 30_000 })
      const text = (await alert.innerText()).trim()
      expect(text, path).not.toContain('/api/')
      expect(text, path).not.toContain('`')
      // What went wrong is a sentence of its own, capitalised and ending in a full stop.
      const sentence = body === '' ? 'The server answered 503 Service Unavailable.' : 'The database cannot be reached right now; nothing was changed by this request, retry in a few seconds.'
      await expect(alert.getByText(sentence, { exact: true }), path).toBeVisible()
    }
  }
})
