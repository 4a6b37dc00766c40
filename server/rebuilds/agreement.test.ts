import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REBUILD_PREDICATE_TYPE } from '../../src/contract/rebuilds'
import { ingestContext } from '../config'
import { signEnvelope } from '../demo/seed'
import { ingestBody } from '../ingest/ingest'
import { openStore } from '../store/store'
import type { Store } from '../store/types'
import { digests, FIXTURE_INGESTED_AT, fixtureConfig, hex, keys, seedResources } from '../testing/resource-fixture'

/*
 * "k of n rebuilders agree" on a stored artifact counts only rebuild attestations that verified: a verdict signed
 * by a key nobody trusts (or whose signature fails) is a claim, listed with its status and counted apart.
 */

describe('rebuild agreement in the store', () => {
  let store: Store
  let dir: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rebuild-agreement-'))
    store = await openStore({ dataDir: dir })
    await seedResources(store)
  }, 60_000)
  afterAll(async () => {
    await store?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('leaves untrusted verdicts out of k of n and says how many', async () => {
    const before = await store.artifacts.get(`sha256:${digests.d5}`)
    expect(before.kind === 'found' && before.artifact.reproducibility).toEqual({ rebuilders: 2, matched: 2, mismatched: 0, notCounted: 0 })

    // Someone with a key of their own claims a third rebuilder got other bytes, and another that it agrees.
    const claim = (rebuilder: string, rebuilt: string) => {
      const artifact = { name: 'app-linux-amd64', digest: { sha256: digests.d5 } }
      const statement = {
        _type: 'https://in-toto.io/Statement/v1',
        subject: [artifact],
        predicateType: REBUILD_PREDICATE_TYPE,
        predicate: { rebuilder: { id: rebuilder }, artifact, rebuiltDigest: { sha256: rebuilt }, startedOn: '2026-11-19T10:00:00Z', finishedOn: '2026-11-19T11:00:00Z' },
      }
      return JSON.stringify(signEnvelope(statement, keys.rogue))
    }
    const lines = [claim('https://rebuild.rogue.example', hex('rogue-bytes')), claim('https://rebuild.friendly.example', digests.d5)]
    const result = await ingestBody(store, Buffer.from(lines.join('\n')), 'application/x-ndjson', ingestContext(fixtureConfig(), () => FIXTURE_INGESTED_AT))
    expect(result.ok && result.body.errors).toEqual([])

    const after = await store.artifacts.get(`sha256:${digests.d5}`)
    if (after.kind !== 'found') throw new Error('d5 is stored')
    expect(after.artifact.rebuilds.filter((rebuild) => rebuild.status !== 'verified').map((rebuild) => [rebuild.verdict, rebuild.status])).toEqual(
      expect.arrayContaining([
        ['mismatch', 'untrusted'],
        ['match', 'untrusted'],
      ]),
    )
    expect(after.artifact.reproducibility).toEqual({ rebuilders: 2, matched: 2, mismatched: 0, notCounted: 2 })
  })
})
