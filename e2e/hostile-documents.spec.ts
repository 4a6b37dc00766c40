import { signEnvelope } from '../server/demo/seed'
import { slsaV1Statement } from '../server/testing/documents'
import { expect, test } from './fixtures'

const payloads = {
  builder: 'javascript:window.__pwned=1//<img src=x onerror="window.__pwned=2">',
  subject: '<img src=x onerror="window.__pwned=3"><script>window.__pwned=4</script>',
  repo: 'https://github.com/e2e/hostile',
  dependency: 'javascript:window.__pwned=5',
}

test('script and javascript: payloads in a provenance document are shown as text and never run', async ({ server, ingest, guardedPage: page }) => {
  const statement = slsaV1Statement({ repo: payloads.repo, builderId: payloads.builder, subjectName: payloads.subject })
  const definition = statement.predicate.buildDefinition as { resolvedDependencies: { uri: string; digest: Record<string, string> }[] }
  definition.resolvedDependencies.push({ uri: payloads.dependency, digest: { sha256: 'f'.repeat(64) } }, { uri: 'https://example.com/<b>bold</b>', digest: {} })
  expect((await ingest(JSON.stringify(signEnvelope(statement, server.key)))).status).toBe(201)

  const response = await page.goto(`${server.url}/builds?project=e2e/hostile`)
  expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self'(;|$)/)
  expect(response?.headers()['x-content-type-options']).toBe('nosniff')
  await expect(page.getByRole('table', { name: 'Builds' }).getByText(payloads.subject)).toBeVisible()

  await page.getByRole('link', { name: /e2e\/hostile build/ }).click()
  await expect(page.getByRole('heading', { level: 1 })).toContainText('e2e/hostile')
  // The payloads are there, as text.
  await expect(page.getByText(payloads.builder, { exact: true }).first()).toBeVisible()
  await expect(page.getByText(payloads.subject, { exact: true }).first()).toBeVisible()
  await expect(page.getByText(payloads.dependency, { exact: true }).first()).toBeVisible()
  await expect(page.getByLabel('Raw statement text')).toContainText('<script>window.__pwned=4</script>')

  // Nothing ran, no markup from the document exists, and no link leads to a javascript: URL.
  expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined()
  await expect(page.locator('main img, main script, main b')).toHaveCount(0)
  const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''))
  expect(hrefs.filter((href) => /^\s*(javascript|data|vbscript):/i.test(href))).toEqual([])
  // The http(s) repository is a link; the javascript: builder id is not.
  await expect(page.getByRole('link', { name: payloads.repo }).first()).toHaveAttribute('href', payloads.repo)
})
