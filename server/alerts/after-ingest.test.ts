import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { AlertQuery } from '../../src/contract/alerts'
import { createApp } from '../app'
import { buildConfig } from '../config'
import { signEnvelope } from '../demo/seed'
import { newKey, slsaV1Statement, tempStore } from '../testing/documents'
import type { Store } from '../store/types'

/*
 * When the rules judge what ingest requests stored (server/alerts/routes.ts): a request stored alone is judged
 * before it answers; requests stored alongside each other leave it to the last of them, so they share one
 * evaluation. Read here from the store itself, which catches nothing up (the API's reads of alerts would).
 */

const stranger = newKey('stranger', 'ed25519')
const repo = 'https://github.com/example/after-ingest'
const token = 'after-ingest-token'
const config = buildConfig(
  { policies: [{ name: 'after-ingest', repositories: [repo] }], tokens: [{ name: 'ci', sha256: createHash('sha256').update(token).digest('hex'), scopes: ['ingest'] }] },
  'after-ingest test',
)

let store: Store
let dispose: () => Promise<void>
let app: ReturnType<typeof createApp>
beforeAll(async () => {
  ;({ store, dispose } = await tempStore())
  app = createApp({ store, config, version: 'test', demo: false })
})
afterAll(async () => dispose())

let serial = 0
const post = async () => {
  serial++
  const statement = slsaV1Statement({ repo, commit: serial.toString(16).padStart(40, '0'), sha256: serial.toString(16).padStart(64, '0') })
  const response = await app.request('/api/v1/attestations', { method: 'POST', body: JSON.stringify(signEnvelope(statement, stranger)), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } })
  expect(response.status).toBe(201)
}

// One unknown-signer alert for the repository's project; each build signed by the stranger is an occurrence.
const occurrences = async () => (await store.alerts.list(AlertQuery.parse({ rule: 'signer-identity' }))).items[0]?.occurrences ?? 0

describe('the rules after ingest requests', () => {
  it('judge a request stored alone before it answers', async () => {
    await post()
    expect(await occurrences()).toBe(1)
  })

  it('leave requests stored alongside each other to the last of them: the others answer without waiting', async () => {
    // Evaluations are held at their first read until let go.
    const read = store.alerts.marks.bind(store.alerts)
    let letGo = () => undefined as void
    const held = new Promise<void>((resolve) => {
      letGo = resolve
    })
    const evaluations = vi.spyOn(store.alerts, 'marks').mockImplementation(async (keys) => {
      await held
      return read(keys)
    })
    try {
      let answered = 0
      const all = Promise.all([post(), post(), post(), post()].map((request) => request.then(() => answered++)))
      await new Promise((resolve) => setTimeout(resolve, 100))
      // The first to be stored judges (none had for a while) and the last does; the two between answer at once.
      expect(answered).toBe(2)
      letGo()
      await all
      // All four judged by the time the last answered.
      expect(await occurrences()).toBe(5)
      expect(evaluations.mock.calls.length).toBeLessThanOrEqual(2)
    } finally {
      evaluations.mockRestore()
    }
  })

  it('answer a stored upload as stored when judging it fails, and leave it to the next read of alerts', async () => {
    const before = await occurrences()
    const failing = vi.spyOn(store.alerts, 'marks').mockRejectedValueOnce(new Error('the rules broke'))
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      // post() expects 201: the document is on disk, and a fault of the rules is not the upload's.
      await post()
      expect(failing).toHaveBeenCalled()
      expect(logged.mock.calls.flat().join(' ')).toContain('the rules broke')
      expect(await occurrences()).toBe(before)
      // The next read of alerts judges what the failed evaluation left.
      const page = await app.request('/api/v1/alerts?rule=signer-identity')
      expect(page.status).toBe(200)
      expect(await occurrences()).toBe(before + 1)
    } finally {
      failing.mockRestore()
      logged.mockRestore()
    }
  })
})
