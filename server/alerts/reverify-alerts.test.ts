import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AlertDetail, AlertPage } from '../../src/contract/alerts'
import { BuildPage } from '../../src/contract/builds'
import { ReverifyResult } from '../../src/contract/reverify'
import { createApp } from '../app'
import { buildConfig, type Config } from '../config'
import { signEnvelope } from '../demo/seed'
import { newKey, slsaV1Statement, tempStore } from '../testing/documents'
import type { Store } from '../store/types'

/*
 * Re-verification changes verdicts in place; the rules judge those builds again. Only the trusted keys change between
 * the configs below (the policy is the same JSON in all three), so nothing but the changed verdicts can move the
 * alerts: a full re-evaluation after a policy change would resolve them for another reason.
 *
 * The document is signed with `signing`. The policy wants the key named `release`:
 * - mislabelled: `signing` is trusted under another name, so the policy's signer-identity check fails (failed);
 * - rotated: `signing` is trusted as `release` (verified);
 * - revoked: `signing` is not trusted at all (untrusted: the signer is unknown).
 */

const signing = newKey('signing', 'ed25519')
const other = newKey('other', 'ed25519')
const token = { name: 'ci', sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', scopes: ['ingest' as const] }
const repo = 'https://github.com/example/reverified'
const policies = [{ name: 'reverified', repositories: [repo], signers: [{ keyId: 'release' }] }]
const configWith = (keys: { id: string; publicKeyPem: string }[], source: string) => buildConfig({ tokens: [token], trust: { keys }, policies }, source)
const mislabelled = configWith([{ id: 'legacy', publicKeyPem: signing.publicKeyPem }, { id: 'release', publicKeyPem: other.publicKeyPem }], 'mislabelled')
const rotated = configWith([{ id: 'release', publicKeyPem: signing.publicKeyPem }, { id: 'legacy', publicKeyPem: other.publicKeyPem }], 'rotated')
const revoked = configWith([{ id: 'release', publicKeyPem: other.publicKeyPem }], 'revoked')

let store: Store
let dispose: () => Promise<void>
beforeAll(async () => ({ store, dispose } = await tempStore()))
afterAll(async () => dispose())

const app = (config: Config) => createApp({ store, config, version: 't', demo: false })
const reverify = async (config: Config) => {
  const response = await app(config).request('/api/v1/reverify', { method: 'POST', headers: { authorization: 'Bearer test' } })
  expect(response.status).toBe(200)
  return ReverifyResult.parse(await response.json())
}
const alerts = async (config: Config, query: string) => AlertPage.parse(await (await app(config).request(`/api/v1/alerts${query}`)).json())
const alert = async (config: Config, id: string) => AlertDetail.parse(await (await app(config).request(`/api/v1/alerts/${id}`)).json())

describe('re-verification runs the rules again for the verdicts it changed', () => {
  let failedId = ''
  let buildId = ''

  it('a failed verdict raises verification-failed at ingest', async () => {
    const posted = await app(mislabelled).request('/api/v1/attestations', {
      method: 'POST',
      headers: { authorization: 'Bearer test', 'content-type': 'application/json' },
      body: JSON.stringify(signEnvelope(slsaV1Statement({ repo }), signing)),
    })
    expect(posted.status).toBe(201)
    const [build] = BuildPage.parse(await (await app(mislabelled).request('/api/v1/builds')).json()).items
    expect(build?.status).toBe('failed')
    buildId = build?.id ?? ''
    const page = await alerts(mislabelled, '?rule=verification-failed')
    expect(page.items.map((item) => [item.cause, item.state])).toEqual([['check signer-identity', 'open']])
    failedId = page.items[0]?.id ?? ''
  })

  it('when re-verification verifies the build, the alert resolves, saying so', async () => {
    expect(await reverify(rotated)).toEqual({ checked: 1, changed: 1 })
    const resolved = await alert(rotated, failedId)
    expect(resolved.state).toBe('resolved')
    expect(resolved.history.at(-1)).toMatchObject({
      actor: 'rules',
      kind: 'cleared',
      from: 'open',
      to: 'resolved',
      reason: `re-verification judged the provenance of build ${buildId.slice(0, 12)} verified; no build shows this cause any more`,
    })
    expect(resolved.recentOccurrences).toEqual([])
    // Nothing else was raised by the verified build.
    expect((await alerts(rotated, '?state=open')).items).toEqual([])
  })

  it('when re-verification fails it again, the same alert reopens with its history', async () => {
    expect(await reverify(mislabelled)).toEqual({ checked: 1, changed: 1 })
    const reopened = await alert(mislabelled, failedId)
    expect(reopened.state).toBe('open')
    expect(reopened.history.map((entry) => [entry.kind, entry.to])).toEqual([
      ['created', 'open'],
      ['cleared', 'resolved'],
      ['reopened', 'open'],
    ])
    expect(reopened.recentOccurrences.map((occurrence) => occurrence.buildId)).toEqual([buildId])
  })

  it('when the key is no longer trusted, the failure resolves and the unknown signer is raised instead', async () => {
    expect(await reverify(revoked)).toEqual({ checked: 1, changed: 1 })
    const failed = await alert(revoked, failedId)
    expect(failed.state).toBe('resolved')
    expect(failed.history.at(-1)?.reason).toBe(`re-verification judged the provenance of build ${buildId.slice(0, 12)} untrusted; no build shows this cause any more`)
    const signer = await alerts(revoked, '?rule=signer-identity')
    expect(signer.items.map((item) => [item.cause.startsWith('unknown '), item.state, item.subject.buildId])).toEqual([[true, 'open', buildId]])
  })

  it('a re-verification that changes nothing leaves the alerts as they are', async () => {
    const before = await alerts(revoked, '?limit=500')
    expect(await reverify(revoked)).toEqual({ checked: 1, changed: 0 })
    expect(await alerts(revoked, '?limit=500')).toEqual(before)
  })
})
