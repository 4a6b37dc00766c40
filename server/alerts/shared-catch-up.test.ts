import { AlertQuery } from '../../src/contract/alerts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildConfig, ingestContext } from '../config'
import { signEnvelope } from '../demo/seed'
import { ingestBody } from '../ingest/ingest'
import { newKey, slsaV1Statement, tempStore } from '../testing/documents'
import type { Store } from '../store/types'
import { alertEngine } from './engine'

/*
 * Ingest asks for a catch-up after every request. Requests that ask while none has started share one evaluation
 * (which reads everything they stored); a request that asks once one is running gets a later one, which judges its
 * builds too.
 */

const stranger = newKey('stranger', 'ed25519')
const repo = 'https://github.com/example/shared'
const config = buildConfig({ policies: [{ name: 'shared', repositories: [repo] }] }, 'shared catch-up test')

let store: Store
let dispose: () => Promise<void>
beforeAll(async () => ({ store, dispose } = await tempStore()))
afterAll(async () => dispose())

let serial = 0
const ingestOne = async () => {
  serial++
  const statement = slsaV1Statement({ repo, commit: serial.toString(16).padStart(40, '0'), sha256: serial.toString(16).padStart(64, '0') })
  const result = await ingestBody(store, Buffer.from(JSON.stringify(signEnvelope(statement, stranger))), 'application/json', ingestContext(config))
  expect(result.ok && result.status).toBe(201)
}

describe('catch-ups asked for together', () => {
  it('share one evaluation, and a catch-up asked for while one runs judges what was stored since', async () => {
    const engine = alertEngine(store, config, Date.now)
    await engine.catchUp()
    await ingestOne()
    await ingestOne()
    await ingestOne()
    const together = await Promise.all([engine.catchUp(), engine.catchUp(), engine.catchUp()])
    // One evaluation judged the three builds, and all three callers were answered with it.
    expect(together.map((outcome) => outcome.evaluated)).toEqual([3, 3, 3])

    const running = engine.catchUp()
    // Let it start, then store a build it may not have read, and ask again.
    await new Promise((resolve) => setImmediate(resolve))
    await ingestOne()
    const later = engine.catchUp()
    expect(later).not.toBe(running)
    const [first, second] = await Promise.all([running, later])
    expect((first?.evaluated ?? 0) + (second?.evaluated ?? 0)).toBe(1)
    expect((await engine.catchUp()).evaluated).toBe(0)
    // Each of the four builds was judged once: one unknown-signer alert with four occurrences.
    const page = await store.alerts.list(AlertQuery.parse({ rule: 'signer-identity' }))
    expect(page.items).toHaveLength(1)
    expect(page.items[0]?.occurrences).toBe(4)
  })
})
