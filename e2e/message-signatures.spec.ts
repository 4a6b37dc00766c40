import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { corpusDir, hasCorpus } from '../server/testing/corpus'
import { startServer, type RunningServer } from '../server/testing/run-server'
import { expect, test as base } from './fixtures'

/*
 * A message-signature Sigstore bundle signs a file, not a build: sigstore-python's staging bundles from
 * ../shared/corpus, posted as a release pipeline would, are listed on the page of the file they sign with their
 * verdict and format, a forged one as failed.
 */

const STAGING = join(corpusDir, '2-dsse-sigstore-bundles/sigstore-conformance/rekor2-happy-path/trusted_root.json')
const PYTHON = join(corpusDir, '2-dsse-sigstore-bundles/sigstore-python')
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

const test = base.extend<object, { stagingServer: RunningServer }>({
  stagingServer: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the fixtures argument to be destructured
    async ({}, use) => {
      const server = await startServer({ config: { trust: { trustedRoots: [STAGING] } } })
      await use(server)
      await server.stop()
    },
    { scope: 'worker', timeout: 200_000 },
  ],
})

test.skip(!hasCorpus, '../shared/corpus is not beside the checkout')

test('a message-signature bundle is listed on the page of the file it signs, verified, and a forged one as failed', async ({ stagingServer, page, request }) => {
  const post = async (file: string) => {
    const response = await request.post(`${stagingServer.url}/api/v1/attestations`, {
      headers: { authorization: `Bearer ${stagingServer.ingestToken}`, 'content-type': 'application/json' },
      data: readFileSync(join(PYTHON, file)),
    })
    expect(response.status()).toBe(201)
  }
  await post('bundle_v3.txt.sigstore')
  await post('bundle_cve_2022_36056.txt.sigstore')

  const signed = sha256(readFileSync(join(PYTHON, 'bundle_v3.txt')))
  await page.goto(`${stagingServer.url}/artifacts/sha256:${signed}`)
  const list = page.getByRole('region', { name: /Attestations and signatures/ })
  await expect(list.getByRole('heading', { name: 'Attestations and signatures (1)' })).toBeVisible({ timeout: 30_000 })
  const card = list.getByRole('article', { name: 'Sigstore bundle', exact: true })
  await expect(card).toHaveCount(1)
  await expect(card.getByText('Verified', { exact: true })).toBeVisible()
  await expect(card.getByRole('paragraph').filter({ hasText: `Document ${sha256(readFileSync(join(PYTHON, 'bundle_v3.txt.sigstore'))).slice(0, 12)}` })).toBeVisible()

  // The CVE-2022-36056 vector: a valid signature over its file, but a log entry for another signature.
  const forged = sha256(readFileSync(join(PYTHON, 'bundle_cve_2022_36056.txt')))
  await page.goto(`${stagingServer.url}/artifacts/sha256:${forged}`)
  const forgedCard = page.getByRole('article', { name: 'Sigstore bundle', exact: true })
  await expect(forgedCard).toHaveCount(1, { timeout: 30_000 })
  await expect(forgedCard.getByText(/^Failed/).first()).toBeVisible()
})
