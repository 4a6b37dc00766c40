import { signEnvelope } from '../server/demo/seed'
import { slsaV1Statement } from '../server/testing/documents'
import { expect, test } from './fixtures'

test('a signed SLSA v1 provenance shows as verified; the same envelope with its signature altered is stored and shown as failed', async ({
  server,
  ingest,
  guardedPage: page,
}) => {
  const statement = slsaV1Statement({ repo: 'https://github.com/e2e/walking-skeleton', commit: 'd'.repeat(40), sha256: 'e'.repeat(64) })
  const envelope = signEnvelope(statement, server.key)
  const first = await ingest(JSON.stringify(envelope))
  expect(first.status).toBe(201)

  await page.goto(`${server.url}/builds?project=e2e/walking-skeleton`)
  const table = page.getByRole('table', { name: 'Builds' })
  const verifiedLink = page.getByRole('link', { name: 'e2e/walking-skeleton build at ddddddd, Verified' })
  await expect(table.getByRole('row').filter({ has: verifiedLink })).toContainText('Verified')

  // The same statement, its signature altered: a tampered copy.
  const tampered = structuredClone(envelope) as { signatures: { keyid: string; sig: string }[] }
  const sig = Buffer.from(tampered.signatures[0]!.sig, 'base64')
  sig[8]! ^= 0x40
  tampered.signatures[0]!.sig = sig.toString('base64')
  const second = await ingest(JSON.stringify(tampered))
  expect(second.status).toBe(201)

  await page.reload()
  const failedRow = table.getByRole('row').filter({ has: page.getByRole('link', { name: 'e2e/walking-skeleton build at ddddddd, Failed' }) })
  await expect(failedRow).toContainText('Failed: envelope-signature')
  await expect(table.getByRole('link', { name: /walking-skeleton build/ })).toHaveCount(2)

  await failedRow.getByRole('link', { name: 'e2e/walking-skeleton build at ddddddd, Failed' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toContainText('e2e/walking-skeleton')
  const checks = page.getByRole('table', { name: /Checks/ })
  const firstCheck = checks.getByRole('row').nth(1)
  await expect(firstCheck.getByRole('rowheader')).toHaveText('envelope-signature')
  await expect(firstCheck).toContainText('Failed')
  await expect(firstCheck).toContainText('a valid ecdsa-p256 signature by trusted key test-release')
  await expect(firstCheck).toContainText('the signature for keyid test-release does not verify')
})
