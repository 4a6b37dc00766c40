import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { demoDeployments } from '../demo/deployments'
import { DEMO_RELEASE_POLICY, demoGatePair } from '../demo/gates'
import { demoBuilds } from '../demo/model'
import { demoRebuilds } from '../demo/rebuilds'
import { GateDecision, GateDecisionPage } from '../src/contract/gate'
import { DEMO_INGEST_TOKEN } from '../server/demo/seed'
import { expect, test } from './fixtures'

/*
 * The release gate on the seeded demo, as a pipeline and a reviewer meet it: `provenance-dashboard gate` (the
 * package's bin) asks the demo server about the pair demo/gates.ts picks, exits 0 for the artifact that may go to
 * production and 1 for the one a rebuilder disagrees about, 2 when there is no decision; then both artifact pages
 * show the recorded decision. The decisions it records are the only writes to the shared demo store.
 */

const builds = demoBuilds()
const rebuilds = demoRebuilds(builds)
const pair = demoGatePair(builds, rebuilds, demoDeployments(builds, rebuilds))
const bin = fileURLToPath(new URL('../scripts/cli.mjs', import.meta.url))

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 120_000, env: { ...process.env, PROVENANCE_TOKEN: '' } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      resolve({ code, stdout, stderr })
    })
  })
}

test('the CLI asks the release gate: exit 0 for the allowed artifact, 1 for the denied one, 2 without a decision', async ({ demoServer: server }) => {
  test.setTimeout(240_000)
  const allow = await cli('gate', '--url', server.url, '--token', DEMO_INGEST_TOKEN, '--policy', DEMO_RELEASE_POLICY, '--environment', 'production', pair.allowed.digest)
  expect(allow.code, allow.stderr).toBe(0)
  expect(allow.stdout).toMatch(/^allow \(policy release, to production; decision [0-9a-f]{12}\)\n/)
  for (const rule of ['provenance-verified', 'builder-allowed', 'attestations-present', 'rebuilders-agree', 'promotion-order']) expect(allow.stdout).toContain(`ok   ${rule}: `)
  expect(allow.stdout).toContain('rebuilders-agree: 3 of 3 rebuilders agree')

  const deny = await cli('gate', '--url', server.url, '--token', DEMO_INGEST_TOKEN, '--policy', DEMO_RELEASE_POLICY, pair.denied.digest)
  expect(deny.code, deny.stdout).toBe(1)
  expect(deny.stderr).toMatch(/^deny \(policy release; decision [0-9a-f]{12}\)\n/)
  expect(deny.stderr).toContain('FAIL rebuilders-agree: 2 of 3 rebuilders agree, 1 disagree (expected at least 2 rebuilders reproduce it and none disagrees)')
  expect(deny.stderr.match(/FAIL/g)).toHaveLength(1)

  const unknown = await cli('gate', '--url', server.url, '--token', DEMO_INGEST_TOKEN, '--policy', 'nightly', pair.allowed.digest)
  expect(unknown.code).toBe(2)
  expect(unknown.stderr).toContain('no decision: 422 unknown-policy: body.policy: no policy named "nightly" is configured')
  const malformed = await cli('gate', '--url', server.url, '--token', DEMO_INGEST_TOKEN, '--policy', DEMO_RELEASE_POLICY, 'sha256:abc')
  expect(malformed.code).toBe(2)
  expect(malformed.stderr).toContain('no decision: 400 invalid-body: body.digests.0: expected sha256: followed by 64 hex digits')
  // Recording a decision is a write: without a token there is none. A dry run is answered with the read scope.
  const anonymous = await cli('gate', '--url', server.url, '--policy', DEMO_RELEASE_POLICY, pair.denied.digest)
  expect(anonymous.code).toBe(2)
  expect(anonymous.stderr).toContain('no decision: 401 unauthenticated')
  const dryRun = await cli('gate', '--url', server.url, '--dry-run', '--policy', DEMO_RELEASE_POLICY, pair.denied.digest)
  expect(dryRun.code, dryRun.stderr).toBe(1)
  expect(dryRun.stderr).toMatch(/^deny \(policy release; dry run, not recorded\)\n/)
})

test('the decisions are recorded and shown on both artifact pages, the denial with its failed condition in words', async ({ demoServer: server, page, request }) => {
  test.setTimeout(120_000)
  // Asked over HTTP here, so the test stands on its own: the demo token's ingest scope may record decisions.
  const ask = async (digest: string, environment?: string) => {
    const response = await request.post(`${server.url}/api/v1/gate`, {
      headers: { authorization: `Bearer ${DEMO_INGEST_TOKEN}` },
      data: { digests: [digest], policy: DEMO_RELEASE_POLICY, ...(environment === undefined ? {} : { environment }) },
    })
    expect(response.status()).toBe(200)
    return GateDecision.parse(await response.json())
  }
  expect(await ask(pair.allowed.digest, 'production')).toMatchObject({ decision: 'allow', askedBy: 'demo' })
  expect(await ask(pair.denied.digest)).toMatchObject({ decision: 'deny', environment: null })
  const denial = await ask(pair.denied.digest, 'production')
  expect(denial).toMatchObject({ decision: 'deny', askedBy: 'demo', environment: 'production' })
  const listed = GateDecisionPage.parse(await (await request.get(`${server.url}/api/v1/gate/decisions?digest=${pair.denied.digest}`)).json())
  expect(listed.items[0]).toEqual(denial)

  await page.goto(`${server.url}/artifacts/${pair.allowed.digest}`)
  const allowedSection = page.getByRole('region', { name: 'Release gate decisions' })
  const allowed = allowedSection.getByRole('listitem', { name: 'Allowed to production under policy release' }).first()
  await expect(allowed).toBeVisible({ timeout: 30_000 })
  await expect(allowed).toContainText('asked by demo')
  await expect(allowed).toContainText('Every condition was met')

  await page.goto(`${server.url}/artifacts/${pair.denied.digest}`)
  const deniedSection = page.getByRole('region', { name: 'Release gate decisions' })
  const toProduction = deniedSection.getByRole('listitem', { name: 'Denied to production under policy release' }).first()
  await expect(toProduction).toBeVisible({ timeout: 30_000 })
  const failed = toProduction.getByRole('list', { name: 'Failed conditions' }).getByRole('listitem')
  await expect(failed).toHaveText([
    'Rebuilders do not agree: 2 of 3 rebuilders agree, 1 disagree; the policy needs at least 2 rebuilders reproduce it and none disagrees. Evidence: rebuilds of this artifact',
    /^Promotion order not kept: never deployed to staging; the policy needs it deployed to staging before production\. Evidence: /,
  ])
  // Asked without an environment: denied for the disagreeing rebuilder alone.
  const release = deniedSection.getByRole('listitem', { name: 'Denied under policy release' }).first()
  await expect(release.getByRole('list', { name: 'Failed conditions' }).getByRole('listitem')).toHaveText([/^Rebuilders do not agree: 2 of 3 rebuilders agree, 1 disagree/])
})
