import { signEnvelope } from '../server/demo/seed'
import { slsaV1Statement } from '../server/testing/documents'
import { expect, test } from './fixtures'

// A server whose config sets auth.readRequiresToken: the dashboard must ask for a token before it can show anything.
test.use({ readRequiresToken: true })

test('with readRequiresToken the dashboard asks for a read token, refuses a wrong one, and shows builds with the right one', async ({ server, ingest, page, request }) => {
  const envelope = signEnvelope(slsaV1Statement({ repo: 'https://github.com/e2e/locked' }), server.key)
  expect((await ingest(JSON.stringify(envelope))).status).toBe(201)
  expect((await request.get(`${server.url}/api/v1/builds`)).status()).toBe(401)

  await page.goto(`${server.url}/builds`)
  await expect(page.getByText('This server needs a token to read data.')).toBeVisible()
  await page.getByLabel('Read token').fill('not-a-token')
  await page.getByRole('button', { name: 'Use token' }).click()
  await expect(page.getByText('The server refused that token.')).toBeVisible()

  await page.getByLabel('Read token').fill(server.readToken)
  await page.getByRole('button', { name: 'Use token' }).click()
  await expect(page.getByRole('link', { name: /e2e\/locked build/ })).toBeVisible()
})
