import { screen, within } from '@testing-library/react'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { demoDb } from '../../../../mocks/data/demo-db'
import { server } from '../../../../mocks/node'
import { GateDecisionPage } from '../../../contract/gate'
import { renderApp } from '../../../test/render-app'

/* The artifact page's release-gate section, through the app's routes with the mocks answering. */

function verifiedDigest(): string {
  const sha256 = demoDb().summaries.find((summary) => summary.status === 'verified')?.subjects[0]?.digest.sha256
  if (!sha256) throw new Error('no verified demo build')
  return `sha256:${sha256}`
}

describe('GateDecisionsSection on the artifact page', () => {
  it('says when no pipeline has asked', async () => {
    renderApp(`/artifacts/${verifiedDigest()}`)
    // The first test of the file builds the mocks' demo world, which takes tens of seconds under load.
    const section = await screen.findByRole('region', { name: 'Release gate decisions' }, { timeout: 80_000 })
    expect(await within(section).findByText('No pipeline has asked the release gate about this artifact.')).toBeTruthy()
  }, 90_000)

  it('lists each decision with who asked and every failed condition in words', async () => {
    const digest = verifiedDigest()
    let asked: URL | undefined
    const page = GateDecisionPage.parse({
      items: [
        {
          id: 'a'.repeat(64),
          decidedAt: '2026-11-27T11:00:00.000Z',
          askedBy: 'ci',
          decision: 'deny',
          policy: 'release',
          environment: 'production',
          artifacts: [
            {
              digest,
              decision: 'deny',
              reasons: [
                { rule: 'provenance-verified', ok: true, expected: 'verified', actual: 'build 0123456789ab is verified', evidence: [] },
                { rule: 'rebuilders-agree', ok: false, expected: 'at least 2 rebuilders reproduce it and none disagrees', actual: '2 of 3 rebuilders agree, 1 disagree', evidence: [] },
                { rule: 'promotion-order', ok: false, expected: 'deployed to staging before production', actual: 'never deployed to staging', evidence: [] },
                {
                  rule: 'attestations-present',
                  ok: false,
                  expected: 'a verified in-toto test result about the artifact whose result is PASSED',
                  actual: 'test run FAILED: 3 passed, 0 warned, 1 failed (e2e), document verified',
                  evidence: [`/api/v1/documents/${'7'.repeat(64)}`],
                },
              ],
            },
          ],
        },
        {
          id: 'b'.repeat(64),
          decidedAt: '2026-11-27T10:00:00.000Z',
          askedBy: 'anonymous',
          decision: 'allow',
          policy: 'release',
          environment: null,
          artifacts: [{ digest, decision: 'allow', reasons: [{ rule: 'provenance-verified', ok: true, expected: 'verified', actual: 'verified', evidence: [] }] }],
        },
      ],
      nextCursor: null,
    })
    server.use(
      http.get('/api/v1/gate/decisions', ({ request }) => {
        asked = new URL(request.url)
        return HttpResponse.json(page)
      }),
    )
    renderApp(`/artifacts/${digest}`)
    const section = await screen.findByRole('region', { name: 'Release gate decisions' })
    const denied = await within(section).findByRole('listitem', { name: 'Denied to production under policy release' })
    expect(within(denied).getByText('ci')).toBeTruthy()
    const failed = within(denied).getByRole('list', { name: 'Failed conditions' })
    expect(within(failed).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'Rebuilders do not agree: 2 of 3 rebuilders agree, 1 disagree; the policy needs at least 2 rebuilders reproduce it and none disagrees.',
      'Promotion order not kept: never deployed to staging; the policy needs it deployed to staging before production.',
      'A required attestation does not satisfy the policy: test run FAILED: 3 passed, 0 warned, 1 failed (e2e), document verified; the policy needs a verified in-toto test result about the artifact whose result is PASSED. Evidence: document 777777777777',
    ])
    // The evidence is the stored document the gate judged, downloaded as stored.
    expect(within(failed).getByRole('link', { name: 'document 777777777777' }).getAttribute('href')).toBe(`/api/v1/documents/${'7'.repeat(64)}`)
    const allowed = within(section).getByRole('listitem', { name: 'Allowed under policy release' })
    expect(within(allowed).getByText('Every condition was met (provenance-verified).')).toBeTruthy()
    expect(asked?.searchParams.get('digest')).toBe(digest)
  })

  it('says when the decisions could not be loaded', async () => {
    server.use(http.get('/api/v1/gate/decisions', () => HttpResponse.json({ error: { code: 'boom', message: 'the store did not answer' } }, { status: 503 })))
    renderApp(`/artifacts/${verifiedDigest()}`)
    const section = await screen.findByRole('region', { name: 'Release gate decisions' })
    expect(await within(section).findByRole('alert')).toBeTruthy()
    expect(within(section).getByText('Could not load gate decisions')).toBeTruthy()
  })
})
