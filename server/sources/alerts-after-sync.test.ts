import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AlertQuery } from '../../src/contract/alerts'
import { SyncStarted } from '../../src/contract/sources'
import { createApp } from '../app'
import type { Config } from '../config'
import { DEMO_INGEST_TOKEN, demoConfig, signEnvelope } from '../demo/seed'
import { newKey, slsaV1Statement, tempStore } from '../testing/documents'
import type { Store } from '../store/types'
import { SourcesConfig } from './config'
import { SourceRunner, type Connector } from './runner'
import { ingestPulled } from './sync'

/*
 * A source's sync stores documents through no ingest request, so no request has the alert rules judge them: the
 * runner has them judged once the sync is done, so their alerts (and the webhook's posts of them) do not wait for
 * someone to read alerts. Read here from the store itself, which catches nothing up.
 */

const stranger = newKey('pulled-stranger', 'ed25519')
const config: Config = { ...demoConfig(), sources: SourcesConfig.parse([{ name: 'npm', kind: 'npm', url: 'http://127.0.0.1:9', packages: [{ name: 'left-pad', versions: '*' }] }]) }

// The registry's answer: one provenance document signed by a key nobody trusts.
const connector: Connector = async (context) => {
  const statement = slsaV1Statement({ repo: 'https://github.com/example/pulled', commit: 'c'.repeat(40), sha256: 'd'.repeat(64) })
  await ingestPulled(context, Buffer.from(JSON.stringify(signEnvelope(statement, stranger))), 'http://127.0.0.1:9/left-pad/-/provenance', null)
}

let store: Store
let dispose: () => Promise<void>
beforeAll(async () => ({ store, dispose } = await tempStore()))
afterAll(async () => dispose())

describe('alerts on what a sync pulled', () => {
  it('are raised when the sync is done, before anyone reads alerts', async () => {
    const runner = new SourceRunner({ store, config, connector })
    const app = createApp({ store, config, version: 'test', demo: false, sources: runner })
    const response = await app.request('/api/v1/sources/npm/sync', { method: 'POST', headers: { authorization: `Bearer ${DEMO_INGEST_TOKEN}` } })
    expect(response.status).toBe(202)
    SyncStarted.parse(await response.json())
    await runner.settled('npm')
    const alerts = (await store.alerts.list(AlertQuery.parse({ rule: 'signer-identity' }))).items
    expect(alerts.map((alert) => [alert.project, alert.title])).toEqual([['example/pulled', 'signed by an unknown signer: pulled-stranger']])
    await runner.stop()
  })
})
