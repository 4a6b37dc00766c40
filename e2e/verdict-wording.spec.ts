import type { APIRequestContext } from '@playwright/test'
import { ArtifactDetail } from '../src/contract/artifacts'
import { BuildPage } from '../src/contract/builds'
import { RebuildPage } from '../src/contract/rebuilds'
import { ReproducibilitySummary } from '../src/contract/reproducibility'
import { expect, test } from './fixtures'

// Read in Chromium, against the seeded demo as `npm start` serves it: every sentence about a verdict must say
// what its checks established and no more.

async function getJson<T>(request: APIRequestContext, url: string, parse: (value: unknown) => T): Promise<T> {
  const response = await request.get(url)
  expect(response.status(), url).toBe(200)
  return parse(await response.json())
}

async function firstBuildWith(request: APIRequestContext, base: string, status: 'untrusted' | 'failed', failedCheck?: string) {
  const page = await getJson(request, `${base}/api/v1/builds?status=${status}&limit=200`, (value) => BuildPage.parse(value))
  const build = page.items.find((item) => failedCheck === undefined || item.failedCheck === failedCheck)
  if (!build) throw new Error(`the demo has no ${status} build${failedCheck ? ` failing ${failedCheck}` : ''}`)
  return build
}

test('a document signed by an unknown key says so, and that its signature could not be checked', async ({ demoServer: server, demoPage: page, request }) => {
  const build = await firstBuildWith(request, server.url, 'untrusted')
  await page.goto(`${server.url}/builds/${build.id}`)

  const verification = page.getByRole('region', { name: 'Verification' })
  await expect(verification.getByText('Signed by rogue-release-key, which this server does not know; the signature could not be checked.', { exact: false })).toBeVisible()
  await expect(verification.getByText(/signature is valid/i)).toHaveCount(0)

  const checks = verification.getByRole('table', { name: /^Checks of/ })
  const signature = checks.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'envelope-signature', exact: true }) })
  await expect(signature.getByText('Not judged', { exact: true })).toBeVisible()
  await expect(signature).toContainText('so it could not be checked')
  await expect(verification.getByRole('table', { name: /^Signers of/ }).getByText('No trusted key verified this signature')).toBeVisible()
})

test('a failed signature puts its plain cause on top, and the signer check reads "not judged", not failed', async ({ demoServer: server, demoPage: page, request }) => {
  const build = await firstBuildWith(request, server.url, 'failed', 'envelope-signature')
  await page.goto(`${server.url}/builds/${build.id}`)

  const verification = page.getByRole('region', { name: 'Verification' })
  const first = verification.getByRole('group', { name: 'First failure: envelope-signature' })
  // The cause is readable without opening anything.
  await expect(first.getByText(/^Cause: The signature does not verify over the signed content/)).toBeVisible()
  await expect(first.getByText(/altered after signing/).first()).toBeVisible()

  const checks = verification.getByRole('table', { name: /^Checks of/ })
  const firstBox = await first.boundingBox()
  const tableBox = await checks.boundingBox()
  expect(firstBox && tableBox && firstBox.y < tableBox.y, 'the first failure sits above the checks table').toBe(true)

  const identity = checks.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'signer-identity', exact: true }) })
  await expect(identity.getByText('Not judged', { exact: true })).toBeVisible()
  await expect(identity.getByText('the envelope-signature check failed, so who signed is not established', { exact: true })).toBeVisible()
  await expect(identity.getByText('Failed', { exact: true })).toHaveCount(0)
  await expect(verification.getByText('No trusted key matched')).toHaveCount(0)
  await expect(verification.getByRole('table', { name: /^Signers of/ }).getByText('None: the signature does not verify')).toBeVisible()
})

test('the top of an artifact page sums up every verdict, rebuild agreement included, over collapsed attestation cards', async ({
  demoServer: server,
  demoPage: page,
  request,
}) => {
  const summary = await getJson(request, `${server.url}/api/v1/reproducibility`, (value) => ReproducibilitySummary.parse(value))
  let artifact: ArtifactDetail | null = null
  for (const project of summary.items.filter((item) => item.mismatched > 0)) {
    const rebuilds = await getJson(request, `${server.url}/api/v1/rebuilds?project=${encodeURIComponent(project.project)}&limit=500`, (value) => RebuildPage.parse(value))
    for (const rebuild of rebuilds.items.filter((item) => item.verdict === 'mismatch')) {
      const sha256 = rebuild.artifact.digest.sha256
      if (!sha256) continue
      const candidate = await getJson(request, `${server.url}/api/v1/artifacts/sha256:${sha256}`, (value) => ArtifactDetail.parse(value))
      // The case that used to mislead: verified provenance, a disagreeing rebuilder far below it.
      if (candidate.reproducibility.mismatched > 0 && candidate.attestations.some((attestation) => attestation.verification.status === 'verified')) {
        artifact = candidate
        break
      }
    }
    if (artifact) break
  }
  if (!artifact) throw new Error('the demo has no verified artifact that a rebuilder disagrees with')
  const { matched, rebuilders, mismatched } = artifact.reproducibility

  await page.goto(`${server.url}/artifacts/${artifact.digest}`)
  const top = page.getByRole('region', { name: 'Every verdict about this artifact' })
  await expect(top).toBeInViewport()
  await expect(top.getByText('Not every verdict about this artifact is good: see rebuilds.', { exact: false })).toBeVisible()
  const agreement = `${matched} of ${rebuilders} rebuilders agree with the published digest; ${mismatched} ${mismatched === 1 ? 'disagrees' : 'disagree'}.`
  await expect(top.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Rebuilds' }) })).toContainText(agreement)
  await expect(top.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Attestations' }) })).toContainText('verified')

  const attestations = page.getByRole('region', { name: /^Attestations and signatures/ })
  const verifiedCard = attestations.getByRole('article').filter({ has: page.getByText('Verified', { exact: true }) }).first()
  await expect(verifiedCard.getByText(/^Signed by .+, which this server trusts; the signature verifies, and all \d+ checks passed\.$/)).toBeVisible()
  await expect(verifiedCard.getByRole('table', { name: /^Checks of/ })).toBeHidden()
  await verifiedCard.getByText(/^Checks \(\d+\), signers and log entries$/).click()
  await expect(verifiedCard.getByRole('table', { name: /^Checks of/ })).toBeVisible()

  // The rebuild evidence the summary points to is one link away.
  await top.getByRole('link', { name: 'Rebuilds' }).click()
  await expect(page.getByRole('region', { name: /^Rebuilds/ }).getByText(/rebuilders? agrees?/).first()).toBeInViewport()
})
