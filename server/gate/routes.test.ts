import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AlertQuery } from '../../src/contract/alerts'
import { ApiErrorBody } from '../../src/contract/common'
import { GateDecision, GateDecisionPage } from '../../src/contract/gate'
import { createApp } from '../app'
import { buildConfig, ingestContext, type Config } from '../config'
import { signEnvelope } from '../demo/seed'
import { ingestBody } from '../ingest/ingest'
import type { Store } from '../store/types'
import { tempStore } from '../testing/documents'
import { statement } from '../testing/format-documents'
import { main } from '../verify/cli'
import { digests, FIXTURE_INGESTED_AT, hex, keys, seedResources } from '../testing/resource-fixture'

/* POST /api/v1/gate over HTTP on the resource fixture: allow, deny with the reason and its evidence, and bad input. */

let app: ReturnType<typeof createApp>
let dispose: () => Promise<void>
let store: Store
let config: Config

beforeAll(async () => {
  const opened = await tempStore()
  dispose = opened.dispose
  store = opened.store
  await seedResources(opened.store)
  config = buildConfig(
    {
      trust: { keys: [keys.ci, keys.rb1, keys.rb2].map((key) => ({ id: key.id, publicKeyPem: key.publicKeyPem })) },
      policies: [
        { name: 'release', repositories: ['https://github.com/nothing-matches/*'], gate: { minRebuildersAgree: 1, blockOnAlertsAtOrAbove: 'high' } },
        { name: 'plain', repositories: ['https://github.com/nothing-matches-either/*'] },
        {
          name: 'promote',
          repositories: ['https://github.com/nothing-matches-at-all/*'],
          gate: { requiredAttestations: ['slsa-provenance', 'sbom'], promotion: { production: ['staging'] } },
        },
        // No alert rule: the deployments other tests post raise alerts on example/app, which `release` counts.
        { name: 'reproduced', repositories: ['https://github.com/nothing-matches-here/*'], gate: { minRebuildersAgree: 1 } },
        {
          name: 'verified-and-tested',
          repositories: ['https://github.com/nothing-matches-there/*'],
          gate: { requiredAttestations: [{ kind: 'vsa', verifierId: 'https://verifier.example/**', verifiedLevels: ['SLSA_BUILD_LEVEL_3'] }, 'test-result'] },
        },
      ],
      tokens: [
        { name: 'deployer', sha256: sha256('deploy-token'), scopes: ['ingest', 'read'] },
        { name: 'ci-gate', sha256: sha256('gate-token'), scopes: ['gate'] },
        { name: 'reader', sha256: sha256('read-token'), scopes: ['read'] },
      ],
    },
    'gate test config',
  )
  app = createApp({ store: opened.store, config, version: 't', demo: false, now: () => FIXTURE_INGESTED_AT })
})
afterAll(async () => dispose())

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

// A CI pipeline's token, with the one scope recording a decision needs.
const post = (body: string, token: string | null = 'gate-token', query = '') =>
  app.request(`/api/v1/gate${query}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } })

async function decide(digestList: string[], policy = 'release', extra: { environment?: string; token?: string | null } = {}): Promise<GateDecision> {
  const response = await post(JSON.stringify({ digests: digestList, policy, ...(extra.environment ? { environment: extra.environment } : {}) }), extra.token)
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

async function decisions(query: string): Promise<GateDecisionPage> {
  const response = await app.request(`/api/v1/gate/decisions${query}`)
  const json: unknown = await response.json()
  expect(response.status, JSON.stringify(json)).toBe(200)
  return GateDecisionPage.parse(json)
}

async function deploy(digest: string, environment: string, deployedAt: string) {
  const response = await app.request('/api/v1/deployments', {
    method: 'POST',
    body: JSON.stringify({ artifacts: [{ digest }], environment: { name: environment }, service: 'app', deployedAt, system: { name: 'argo-cd' } }),
    headers: { 'content-type': 'application/json', authorization: 'Bearer deploy-token' },
  })
  expect(response.status, await response.clone().text()).toBe(201)
}

const failed = (decision: GateDecision, index = 0) => decision.artifacts[index]?.reasons.filter((reason) => !reason.ok).map((reason) => [reason.rule, reason.actual])

describe('POST /api/v1/gate', () => {
  it('counts the alerts the rules raise on what is stored, though nothing has judged it yet', async () => {
    // The fixture went into the store as a pull connector's documents do, with no ingest request to judge them after.
    expect((await store.alerts.list(AlertQuery.parse({}))).items).toEqual([])
    const decision = await decide([`sha256:${digests.d2}`])
    expect(decision.decision).toBe('deny')
    expect(decision.artifacts[0]?.reasons.map((reason) => [reason.rule, reason.ok, reason.actual])).toEqual([
      ['provenance-verified', true, expect.stringMatching(/^build [0-9a-f]{12} is verified$/)],
      ['rebuilders-agree', true, '1 of 1 rebuilders agree'],
      [
        'no-blocking-alerts',
        false,
        'critical: verification failed: envelope-signature; high: https://rebuild.two.example rebuilt app-linux-amd64 to a different digest; high: signed by an unknown signer: rogue-key',
      ],
    ])
    expect((await store.alerts.list(AlertQuery.parse({ state: 'open', project: 'example/app' }))).items).toHaveLength(3)
  })

  it('allows an artifact with verified provenance, reproduced', async () => {
    const decision = await decide([`sha256:${digests.d2}`], 'reproduced')
    expect(decision.decision).toBe('allow')
    expect(decision.artifacts[0]?.reasons.map((reason) => [reason.rule, reason.ok, reason.actual])).toEqual([
      ['provenance-verified', true, expect.stringMatching(/^build [0-9a-f]{12} is verified$/)],
      ['rebuilders-agree', true, '1 of 1 rebuilders agree'],
    ])
    expect(decision.artifacts[0]?.reasons[0]?.evidence[0]).toMatch(/^\/api\/v1\/builds\/[0-9a-f]{64}$/)
  })

  it('denies an artifact one of two rebuilders disagrees about, and a release holding it', async () => {
    const one = await decide([`sha256:${digests.d1}`], 'reproduced')
    expect(one.decision).toBe('deny')
    expect(failed(one)).toEqual([['rebuilders-agree', '1 of 2 rebuilders agree, 1 disagree']])
    expect(one.artifacts[0]?.reasons.find((reason) => reason.rule === 'rebuilders-agree')?.evidence).toEqual([`/api/v1/rebuilds?artifactDigest=sha256:${digests.d1}`])
    const release = await decide([`sha256:${digests.d2}`, `sha256:${digests.d1}`], 'reproduced')
    expect(release.decision).toBe('deny')
    expect(release.artifacts.map((artifact) => artifact.decision)).toEqual(['allow', 'deny'])
  })

  it('denies an artifact signed by an untrusted key, and one nothing is recorded about', async () => {
    expect(failed(await decide([`sha256:${digests.d3}`], 'reproduced'))).toEqual([['provenance-verified', expect.stringMatching(/ is untrusted$/)]])
    const unknown = await decide([`sha256:${hex('never built')}`], 'reproduced')
    expect(unknown.decision).toBe('deny')
    expect(failed(unknown)?.[0]).toEqual(['provenance-verified', 'no stored provenance lists the artifact'])
  })

  it('requires the policy’s attestations and promotion order, from recorded deployments', async () => {
    const d2 = `sha256:${digests.d2}`
    const before = await decide([d2], 'promote', { environment: 'production' })
    expect(before.decision).toBe('deny')
    expect(before.artifacts[0]?.reasons.map((reason) => [reason.rule, reason.ok, reason.actual])).toEqual([
      ['provenance-verified', true, expect.stringMatching(/ is verified$/)],
      ['attestations-present', true, 'provenance/v1, verified'],
      ['attestations-present', false, 'no SBOM names the artifact'],
      ['promotion-order', false, 'never deployed to staging'],
    ])
    await deploy(d2, 'staging', '2026-10-01T10:00:00.000Z')
    const staged = await decide([d2], 'promote', { environment: 'production' })
    const promotion = staged.artifacts[0]?.reasons.find((reason) => reason.rule === 'promotion-order')
    expect(promotion).toMatchObject({ ok: true, actual: 'deployed to staging since 2026-10-01T10:00:00.000Z', evidence: [expect.stringMatching(/^\/api\/v1\/deployments\/[0-9a-f]{64}$/)] })
    // No environment named: promotion order is not judged.
    expect((await decide([d2], 'promote')).artifacts[0]?.reasons.map((reason) => reason.rule)).not.toContain('promotion-order')
    // Already in production before it ever ran in staging: the order was broken.
    const d1 = `sha256:${digests.d1}`
    await deploy(d1, 'production', '2026-10-01T10:00:00.000Z')
    await deploy(d1, 'staging', '2026-10-02T10:00:00.000Z')
    expect((await decide([d1], 'promote', { environment: 'production' })).artifacts[0]?.reasons.find((reason) => reason.rule === 'promotion-order')).toMatchObject({
      ok: false,
      actual: 'deployed to staging since 2026-10-02T10:00:00.000Z; first deployed to production at 2026-10-01T10:00:00.000Z; not in staging before production',
    })
  })

  it('records each decision, who asked and for what, listed newest first by digest or project with cursor paging', async () => {
    const d5 = `sha256:${digests.d5}`
    const first = await decide([d5], 'release', { token: 'gate-token' })
    const second = await decide([d5, `sha256:${digests.d2}`], 'release', { token: 'deploy-token' })
    expect(first).toMatchObject({ askedBy: 'ci-gate', environment: null, id: expect.stringMatching(/^[0-9a-f]{64}$/), recorded: true })
    expect(second.askedBy).toBe('deployer')
    const byDigest = await decisions(`?digest=${d5}`)
    // Both were decided at the server's fixed now: same time, so newest-first falls back to the id, descending.
    expect(byDigest.items.map((item) => item.id)).toEqual([first.id, second.id].sort().reverse())
    expect(byDigest.items.find((item) => item.id === first.id)).toEqual(first)
    const firstPage = await decisions(`?digest=${d5}&limit=1`)
    expect(firstPage.items).toHaveLength(1)
    expect(firstPage.nextCursor).not.toBeNull()
    const secondPage = await decisions(`?digest=${d5}&limit=1&cursor=${firstPage.nextCursor ?? ''}`)
    expect([...firstPage.items, ...secondPage.items].map((item) => item.id)).toEqual(byDigest.items.map((item) => item.id))
    expect(secondPage.nextCursor).toBeNull()
    const project = (await decisions('?project=example/app')).items.map((item) => item.id)
    expect(project).toEqual(expect.arrayContaining([first.id, second.id]))
    expect((await decisions('?project=nobody/here')).items).toEqual([])
    const response = await app.request('/api/v1/gate/decisions?digest=sha256:abc')
    expect(response.status).toBe(400)
    expect(ApiErrorBody.parse(await response.json()).error).toMatchObject({ path: 'query.digest' })
    const cursor = await app.request('/api/v1/gate/decisions?cursor=bogus!')
    expect(cursor.status).toBe(400)
  })

  it('refuses bad input with a 4xx naming the field', async () => {
    expect(await problem(JSON.stringify({ digests: ['sha256:abc'], policy: 'release' }), 400)).toMatchObject({ code: 'invalid-body', path: 'body.digests.0' })
    expect(await problem(JSON.stringify({ digests: [], policy: 'release' }), 400)).toMatchObject({ code: 'invalid-body', path: 'body.digests' })
    expect(await problem(JSON.stringify({ digests: [`sha256:${digests.d1}`] }), 400)).toMatchObject({ code: 'invalid-body', path: 'body.policy' })
    expect(await problem(JSON.stringify({ digests: [`sha256:${digests.d1}`], policy: 'nope' }), 422)).toEqual({
      code: 'unknown-policy',
      message: 'body.policy: no policy named "nope" is configured; known: release, plain, promote, reproduced, verified-and-tested',
      path: 'body.policy',
    })
    expect(await problem(JSON.stringify({ digests: [`sha256:${digests.d1}`], policy: 'plain' }), 422)).toMatchObject({ code: 'no-gate', path: 'body.policy' })
    expect(await problem('{"digests": [', 400)).toMatchObject({ code: 'invalid-json' })
  })

  it('refuses gate rules in the config naming the field', async () => {
    expect(() => buildConfig({ policies: [{ name: 'x', repositories: ['**'], gate: { requiredAttestations: ['sbom', 'tests'] } }] }, 'bad gate')).toThrow(
      /policies\[0\]\.gate\.requiredAttestations\[1\]: expected one of slsa-provenance, sbom, vsa, test-result/,
    )
    expect(() => buildConfig({ policies: [{ name: 'x', repositories: ['**'], gate: { requiredAttestations: [{ kind: 'vsa', verifier: 'https://v.example' }] } }] }, 'bad gate')).toThrow(
      /policies\[0\]\.gate\.requiredAttestations\[0\]: Unrecognized key: "verifier"/,
    )
    expect(() => buildConfig({ policies: [{ name: 'x', repositories: ['**'], gate: { requiredAttestations: [{ kind: 'vsa', verifiedLevels: [''] }] } }] }, 'bad gate')).toThrow(
      /policies\[0\]\.gate\.requiredAttestations\[0\]\.verifiedLevels\[0\]: must not be empty/,
    )
    expect(() => buildConfig({ policies: [{ name: 'x', repositories: ['**'], gate: { promotion: { production: ['production'] } } }] }, 'bad gate')).toThrow(
      /policies\[0\]\.gate\.promotion\.production: production cannot come before itself/,
    )
    expect(await problem(JSON.stringify({ digests: [`sha256:${digests.d1}`], policy: 'release', environment: 'prod env' }), 400)).toMatchObject({ path: 'body.environment' })
    expect(() => buildConfig({ policies: [{ name: 'x', repositories: ['**'], gate: { minRebuildersAgree: -1 } }] }, 'bad gate')).toThrow(/policies\[0\]\.gate\.minRebuildersAgree: /)
    expect(() => buildConfig({ policies: [{ name: 'x', repositories: ['**'], gate: { blockOnAlertsAtOrAbove: 'severe' } }] }, 'bad gate')).toThrow(/policies\[0\]\.gate\.blockOnAlertsAtOrAbove: /)
  })

  it('records only for a token with scope gate or ingest; a dry run answers with the read scope and records nothing', async () => {
    const d4 = `sha256:${digests.d4}`
    const body = JSON.stringify({ digests: [d4], policy: 'release' })
    const unauthenticated = await post(body, null)
    expect(unauthenticated.status).toBe(401)
    expect(ApiErrorBody.parse(await unauthenticated.json()).error).toMatchObject({ code: 'unauthenticated', path: 'header.authorization' })
    const reader = await post(body, 'read-token')
    expect(reader.status).toBe(403)
    expect(ApiErrorBody.parse(await reader.json()).error).toEqual({
      code: 'insufficient-scope',
      message: 'token "reader" has scope read; recording a gate decision needs "gate" or "ingest" (a dry run, ?record=false, needs only "read")',
      path: 'header.authorization',
    })
    expect((await decisions(`?digest=${d4}`)).items).toEqual([])

    // Reads are open in this config, so a dry run needs no token; it is answered in full and kept nowhere.
    for (const token of [null, 'read-token']) {
      const dry = await post(body, token, '?record=false')
      expect(dry.status).toBe(200)
      const decision = GateDecision.parse(await dry.json())
      expect(decision).toMatchObject({ recorded: false, askedBy: token === null ? 'anonymous' : 'reader', policy: 'release' })
      expect(decision.artifacts[0]?.reasons.map((reason) => reason.rule)).toEqual(['provenance-verified', 'rebuilders-agree', 'no-blocking-alerts'])
    }
    expect((await decisions(`?digest=${d4}`)).items).toEqual([])
    const badRecord = await post(body, 'gate-token', '?record=maybe')
    expect(badRecord.status).toBe(400)
    expect(ApiErrorBody.parse(await badRecord.json()).error).toMatchObject({ path: 'query.record' })
  })

  it('requires a verified VSA that fits and a verified test result, both PASSED, each reason linking to its document', async () => {
    const d2 = `sha256:${digests.d2}`
    const subject = [{ name: 'app.tar.gz', digest: { sha256: digests.d2 } }]
    const ingest = async (...documents: unknown[]) => {
      const result = await ingestBody(store, Buffer.from(documents.map((document) => JSON.stringify(document)).join('\n')), 'application/x-ndjson', ingestContext(config, () => FIXTURE_INGESTED_AT))
      if (!result.ok || result.body.errors.length > 0) throw new Error(JSON.stringify(result))
    }
    const vsa = (verifier: string, result: 'PASSED' | 'FAILED', levels: string[], timeVerified: string) =>
      statement('https://slsa.dev/verification_summary/v1', { verifier: { id: verifier }, timeVerified, policy: { uri: 'https://policy.example/release' }, verificationResult: result, verifiedLevels: levels }, subject)
    const tests = (result: 'PASSED' | 'FAILED', run: number) =>
      statement('https://in-toto.io/attestation/test-result/v0.1', { result, configuration: [{ name: 'ci.yml' }], url: `https://ci.example/runs/${run}`, passedTests: ['unit'], failedTests: result === 'FAILED' ? ['e2e'] : [] }, subject)
    const attestations = (decision: GateDecision) => decision.artifacts[0]?.reasons.filter((reason) => reason.rule === 'attestations-present') ?? []

    const none = await decide([d2], 'verified-and-tested')
    expect(attestations(none).map((reason) => [reason.ok, reason.actual, reason.evidence])).toEqual([
      [false, 'no VSA names the artifact', [`/api/v1/artifacts/${d2}`]],
      [false, 'no test result names the artifact', [`/api/v1/artifacts/${d2}`]],
    ])

    // Unsigned, so no one's word; and a signed one from another verifier, which does not fit.
    const unsigned = vsa('https://verifier.example/slsa', 'PASSED', ['SLSA_BUILD_LEVEL_3'], '2026-11-10T00:00:00Z')
    const other = signEnvelope(vsa('https://elsewhere.example', 'PASSED', ['SLSA_BUILD_LEVEL_3'], '2026-11-11T00:00:00Z'), keys.ci)
    await ingest(unsigned, other, signEnvelope(tests('FAILED', 1), keys.ci))
    const unfit = await decide([d2], 'verified-and-tested')
    expect(attestations(unfit).map((reason) => [reason.ok, reason.actual])).toEqual([
      [false, 'no verified VSA fits: VSA from https://verifier.example/slsa against https://policy.example/release at 2026-11-10T00:00:00.000Z: PASSED (SLSA_BUILD_LEVEL_3), document unsigned'],
      [false, 'test run https://ci.example/runs/1 FAILED: 1 passed, 0 warned, 1 failed (e2e), document verified'],
    ])
    expect(attestations(unfit)[0]?.evidence).toEqual([`/api/v1/documents/${hex(JSON.stringify(unsigned))}`])

    // Signed by a trusted key, fitting verifier and level, PASSED; and a later test run that passed.
    const passed = signEnvelope(vsa('https://verifier.example/slsa', 'PASSED', ['SLSA_BUILD_LEVEL_3'], '2026-11-12T00:00:00Z'), keys.ci)
    const rerun = signEnvelope(tests('PASSED', 2), keys.ci)
    await ingest(passed, rerun)
    const allowed = await decide([d2], 'verified-and-tested')
    expect(allowed.decision, JSON.stringify(allowed)).toBe('allow')
    expect(attestations(allowed).map((reason) => reason.evidence)).toEqual([[`/api/v1/documents/${hex(JSON.stringify(passed))}`], [`/api/v1/documents/${hex(JSON.stringify(rerun))}`]])

    // The same verifier later says FAILED: its newest word decides.
    await ingest(signEnvelope(vsa('https://verifier.example/slsa', 'FAILED', ['SLSA_BUILD_LEVEL_3'], '2026-11-13T00:00:00Z'), keys.ci))
    const revoked = await decide([d2], 'verified-and-tested')
    expect(revoked.decision).toBe('deny')
    expect(attestations(revoked)[0]?.actual).toBe('VSA from https://verifier.example/slsa against https://policy.example/release at 2026-11-13T00:00:00.000Z: FAILED (SLSA_BUILD_LEVEL_3), document verified (newest of 3 that fit)')
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
    const allow = await gate('--token', 'gate-token', '--policy', 'reproduced', `sha256:${digests.d2}`)
    expect(allow, allow.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^allow \(policy reproduced; decision [0-9a-f]{12}\)\nallow sha256:[0-9a-f]{64}\n {2}ok {3}provenance-verified: /) as unknown })
    const promote = await gate('--token', 'gate-token', '--policy', 'promote', '--environment', 'production', `sha256:${digests.d4}`)
    expect(promote.code).toBe(1)
    expect(promote.stderr).toMatch(/^deny \(policy promote, to production; decision [0-9a-f]{12}\)\n/)
    expect(promote.stderr).toContain('FAIL promotion-order: never deployed to staging (expected deployed to staging before production)')
    const deny = await gate('--token', 'gate-token', '--policy', 'reproduced', `sha256:${digests.d1}`)
    expect(deny.code).toBe(1)
    expect(deny.stderr).toContain('FAIL rebuilders-agree: 1 of 2 rebuilders agree, 1 disagree (expected at least 1 rebuilders reproduce it and none disagrees)')
    expect(await gate('--token', 'gate-token', '--policy', 'nope', `sha256:${digests.d1}`)).toMatchObject({
      code: 2,
      stderr: 'no decision: 422 unknown-policy: body.policy: no policy named "nope" is configured; known: release, plain, promote, reproduced, verified-and-tested\n',
    })
    expect(await gate('--token', 'gate-token', '--policy', 'release', 'sha256:abc')).toMatchObject({ code: 2, stderr: expect.stringContaining('400 invalid-body: body.digests.0') as unknown })
    expect(await gate(`sha256:${digests.d1}`)).toMatchObject({ code: 2, stderr: expect.stringContaining('--policy NAME is required') as unknown })
    // Without a token that may record, no decision; a dry run is answered and recorded nowhere.
    expect(await gate('--policy', 'reproduced', `sha256:${digests.d2}`)).toMatchObject({ code: 2, stderr: expect.stringContaining('no decision: 401 unauthenticated') as unknown })
    const dry = await gate('--dry-run', '--policy', 'reproduced', `sha256:${digests.d2}`)
    expect(dry).toMatchObject({ code: 0, stdout: expect.stringMatching(/^allow \(policy reproduced; dry run, not recorded\)\n/) as unknown })
  })
})
