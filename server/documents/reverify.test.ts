import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BuildPage } from '../../src/contract/builds'
import { ReverifyResult } from '../../src/contract/reverify'
import { createApp } from '../app'
import { buildConfig, type Config } from '../config'
import { signEnvelope } from '../demo/seed'
import { verdictsAreStale } from './reverify'
import { newKey, slsaV1Statement, tempStore } from '../testing/documents'
import type { Store } from '../store/types'

const key = newKey('rotated-in', 'ed25519')
const token = { name: 'ci', sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', scopes: ['ingest' as const] }
const before = buildConfig({ tokens: [token] }, 'before')
const after = buildConfig({ tokens: [token], trust: { keys: [{ id: key.id, publicKeyPem: key.publicKeyPem }] } }, 'after')

let store: Store
let dispose: () => Promise<void>
beforeAll(async () => ({ store, dispose } = await tempStore()))
afterAll(async () => dispose())

const app = (config: Config) => createApp({ store, config, version: 't', demo: false })
const builds = async (config: Config) => BuildPage.parse(await (await app(config).request('/api/v1/builds')).json()).items

describe('re-verification when the config changes', () => {
  it('turns documents from untrusted to verified once their key is trusted, keeping the bytes and the log', async () => {
    expect(await verdictsAreStale(store, before)).toBe(false)
    const posted = await app(before).request('/api/v1/attestations', {
      method: 'POST',
      headers: { authorization: 'Bearer test', 'content-type': 'application/json' },
      body: JSON.stringify(signEnvelope(slsaV1Statement({ repo: 'https://github.com/example/rotate' }), key)),
    })
    expect(posted.status).toBe(201)
    expect((await builds(before)).map((build) => build.status)).toEqual(['untrusted'])
    const checkpoint = await store.log.checkpoint()

    expect(await verdictsAreStale(store, after)).toBe(true)
    const response = await app(after).request('/api/v1/reverify', { method: 'POST', headers: { authorization: 'Bearer test' } })
    expect(ReverifyResult.parse(await response.json())).toEqual({ checked: 1, changed: 1 })
    expect((await builds(after)).map((build) => build.status)).toEqual(['verified'])
    expect(await verdictsAreStale(store, after)).toBe(false)
    // Verdicts are derived; the record of what was accepted is untouched.
    expect(await store.log.checkpoint()).toEqual(checkpoint)

    const again = await app(after).request('/api/v1/reverify', { method: 'POST', headers: { authorization: 'Bearer test' } })
    expect(ReverifyResult.parse(await again.json())).toEqual({ checked: 1, changed: 0 })
  })

  it('needs the ingest scope', async () => {
    expect((await app(after).request('/api/v1/reverify', { method: 'POST' })).status).toBe(401)
  })
})
