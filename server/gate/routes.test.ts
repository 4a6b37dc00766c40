import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiErrorBody } from '../../src/contract/common'
import { GateDecision } from '../../src/contract/gate'
import { createApp } from '../app'
import { buildConfig } from '../config'
import { tempStore } from '../testing/documents'
import { main } from '../verify/cli'
import { digests, FIXTURE_INGESTED_AT, hex, keys, seedResources } from '../testing/resource-fixture'

/* POST /api/v1/gate over HTTP on the resource fixture: allow, deny with the reason and its evidence, and bad input. */

let app: ReturnType<typeof createApp>
let dispose: () => Promise<void>

beforeAll(async () => {
  const opened = await tempStore()
  dispose = opened.dispose
  await seedResources(opened.store)
  const config = buildConfig(
    {
      trust: { keys: [keys.ci, keys.rb1, keys.rb2].map((key) => ({ id: key.id, publicKeyPem: key.publicKeyPem })) },
      policies: [
        { name: 'release', repositories: ['https://github.com/nothing-matches/*'], gate: { minRebuildersAgree: 1, blockOnAlertsAtOrAbove: 'high' } },
        { name: 'plain', repositories: ['https://github.com/nothing-matches-either/*'] },
      ],
    },
    'gate test config',
  )
  app = createApp({ store: opened.store, config, version: 't', demo: false, now: () => FIXTURE_INGESTED_AT })
})
afterAll(async () => dispose())

const post = (body: string) => app.request('/api/v1/gate', { method: 'POST', body, headers: { 'content-type': 'application/json' } })

async function decide(digestList: string[], policy = 'release'): Promise<GateDecision> {
  const response = await post(JSON.stringify({ digests: digestList, policy }))
  const json: unknown = await response.json()
  expect(response.status, JSON.stringify(json)).toBe(200)
  return GateDecision.parse(json)
}

async function problem(body: string, status: number) {
  const response = await post(body)
  const json = ApiErrorBody.parse(await response.json())
  expect(response.status, JSON.stringify(json)).toBe(status)
  return json.error
}

const failed = (decision: GateDecision, index = 0) => decision.artifacts[index]?.reasons.filter((reason) => !reason.ok).map((reason) => [reason.rule, reason.actual])

describe('POST /api/v1/gate', () => {
  it('allows an artifact with verified provenance, reproduced, with no blocking alert', async () => {
    const decision = await decide([`sha256:${digests.d2}`])
    expect(decision.decision).toBe('allow')
    expect(decision.artifacts[0]?.reasons.map((reason) => [reason.rule, reason.ok, reason.actual])).toEqual([
      ['provenance-verified', true, expect.stringMatching(/^build [0-9a-f]{12} is verified$/)],
      ['rebuilders-agree', true, '1 of 1 rebuilders agree'],
      ['no-blocking-alerts', true, 'none open'],
    ])
    expect(decision.artifacts[0]?.reasons[0]?.evidence[0]).toMatch(/^\/api\/v1\/builds\/[0-9a-f]{64}$/)
  })

  it('denies an artifact one of two rebuilders disagrees about, and a release holding it', async () => {
    const one = await decide([`sha256:${digests.d1}`])
    expect(one.decision).toBe('deny')
    expect(failed(one)).toEqual([['rebuilders-agree', '1 of 2 rebuilders agree, 1 disagree']])
    expect(one.artifacts[0]?.reasons.find((reason) => reason.rule === 'rebuilders-agree')?.evidence).toEqual([`/api/v1/rebuilds?artifactDigest=sha256:${digests.d1}`])
    const release = await decide([`sha256:${digests.d2}`, `sha256:${digests.d1}`])
    expect(release.decision).toBe('deny')
    expect(release.artifacts.map((artifact) => artifact.decision)).toEqual(['allow', 'deny'])
  })

  it('denies an artifact signed by an untrusted key, and one nothing is recorded about', async () => {
    expect(failed(await decide([`sha256:${digests.d3}`]))).toEqual([['provenance-verified', expect.stringMatching(/ is untrusted$/)]])
    const unknown = await decide([`sha256:${hex('never built')}`])
    expect(unknown.decision).toBe('deny')
    expect(failed(unknown)?.[0]).toEqual(['provenance-verified', 'no stored provenance lists the artifact'])
  })

  it('refuses bad input with a 4xx naming the field', async () => {
    expect(await problem(JSON.stringify({ digests: ['sha256:abc'], policy: 'release' }), 400)).toMatchObject({ code: 'invalid-body', path: 'body.digests.0' })
    expect(await problem(JSON.stringify({ digests: [], policy: 'release' }), 400)).toMatchObject({ code: 'invalid-body', path: 'body.digests' })
    expect(await problem(JSON.stringify({ digests: [`sha256:${digests.d1}`] }), 400)).toMatchObject({ code: 'invalid-body', path: 'body.policy' })
    expect(await problem(JSON.stringify({ digests: [`sha256:${digests.d1}`], policy: 'nope' }), 422)).toEqual({
      code: 'unknown-policy',
      message: 'body.policy: no policy named "nope" is configured; known: release, plain',
      path: 'body.policy',
    })
    expect(await problem(JSON.stringify({ digests: [`sha256:${digests.d1}`], policy: 'plain' }), 422)).toMatchObject({ code: 'no-gate', path: 'body.policy' })
    expect(await problem('{"digests": [', 400)).toMatchObject({ code: 'invalid-json' })
  })

  it('refuses gate rules in the config naming the field', () => {
    expect(() => buildConfig({ policies: [{ name: 'x', repositories: ['**'], gate: { minRebuildersAgree: -1 } }] }, 'bad gate')).toThrow(/policies\[0\]\.gate\.minRebuildersAgree: /)
    expect(() => buildConfig({ policies: [{ name: 'x', repositories: ['**'], gate: { blockOnAlertsAtOrAbove: 'severe' } }] }, 'bad gate')).toThrow(/policies\[0\]\.gate\.blockOnAlertsAtOrAbove: /)
  })

  it('answers `provenance-dashboard gate` with exit 0 on allow, 1 on deny, 2 when there is no decision', async () => {
    const gate = async (...args: string[]) => {
      let stdout = ''
      let stderr = ''
      const code = await main(['gate', '--url', 'http://dashboard.test/', ...args], {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        cwd: process.cwd(),
        fetch: async (url, init) => app.request(url, init),
      })
      return { code, stdout, stderr }
    }
    const allow = await gate('--policy', 'release', `sha256:${digests.d2}`)
    expect(allow).toMatchObject({ code: 0, stdout: expect.stringMatching(/^allow \(policy release\)\nallow sha256:[0-9a-f]{64}\n {2}ok {3}provenance-verified: /) as unknown })
    const deny = await gate('--policy', 'release', `sha256:${digests.d1}`)
    expect(deny.code).toBe(1)
    expect(deny.stderr).toContain('FAIL rebuilders-agree: 1 of 2 rebuilders agree, 1 disagree (expected at least 1 rebuilders reproduce it and none disagrees)')
    expect(await gate('--policy', 'nope', `sha256:${digests.d1}`)).toMatchObject({
      code: 2,
      stderr: 'no decision: 422 unknown-policy: body.policy: no policy named "nope" is configured; known: release, plain\n',
    })
    expect(await gate('--policy', 'release', 'sha256:abc')).toMatchObject({ code: 2, stderr: expect.stringContaining('400 invalid-body: body.digests.0') as unknown })
    expect(await gate(`sha256:${digests.d1}`)).toMatchObject({ code: 2, stderr: expect.stringContaining('--policy NAME is required') as unknown })
  })
})
