import { describe, expect, it, vi } from 'vitest'
import { EnvironmentList } from '../../../src/contract/deployments'
import { VerificationStatus } from '../../../src/contract/common'
import { deploymentRecord } from '../../../domain/lineage-edges'
import { demoBuilds } from '../../../demo/model'
import { demoRebuilds } from '../../../demo/rebuilds'
import { createApp } from '../../app'
import { ingestContext } from '../../config'
import { ingestDeployments } from '../../deployments/ingest'
import { seedDemoDeployments } from '../../deployments/seed-demo'
import { demoKeys } from '../../demo/keys'
import { demoRebuildEnvelope } from '../../demo/rebuilds'
import { demoConfig, demoEnvelope, signEnvelope } from '../../demo/seed'
import { ingestBody } from '../../ingest/ingest'
import { lineageReader } from '../../lineage/store'
import type { StoreKind } from '../db'
import { openStore } from '../store'
import { engineStores } from '../testing/engines'
import { rawDb } from '../testing/raw-db'
import type { Store } from '../types'
import { deploymentCountsMigration } from './0038-deployment-counts'

/*
 * The environments list and the lineage of an environment count deployments from counters kept by triggers
 * (migration 0038) instead of reading every deployment. Their answers must be the ones the deployments themselves
 * give: here the reference is read from `deployments` joined to their attestations' documents, on both engines,
 * with the counters kept as deployments arrive (posted and attested), after an attestation's status changes, and
 * backfilled by the migration on a store that held the deployments before it.
 */

vi.setConfig({ testTimeout: 240_000 })
const { location } = engineStores('deployment-counts')
type Where = { dataDir: string; databaseUrl?: string }

/** Every deployment with what it is judged on: its environment, service, way of recording and attestation status. */
async function referenceRows(kind: StoreKind, where: Where) {
  const db = rawDb(kind, where)
  try {
    return await db
      .selectFrom('deployments')
      .leftJoin('documents', 'documents.id', 'deployments.document_id')
      .select(['deployments.environment', 'deployments.service', 'deployments.recorded_by', 'documents.status'])
      .execute()
  } finally {
    await db.destroy()
  }
}

async function compare(kind: StoreKind, where: Where, expectedDeployments: number) {
  const rows = await referenceRows(kind, where)
  expect(rows.length).toBe(expectedDeployments)
  const store = await openStore({ ...where, catchUpLog: false })
  const db = rawDb(kind, where)
  try {
    // The environments list: every service each environment ran, with its number of deployments.
    const app = createApp({ store, config: demoConfig(), version: 'test', demo: false })
    const response = await app.request('/api/v1/environments')
    expect(response.status).toBe(200)
    const list = EnvironmentList.parse(await response.json())
    const perService = new Map<string, number>()
    for (const row of rows) perService.set(`${row.environment}/${row.service}`, (perService.get(`${row.environment}/${row.service}`) ?? 0) + 1)
    const listed = new Map(list.items.flatMap((environment) => environment.services.map((service) => [`${environment.name}/${service.service}`, service.deployments] as const)))
    expect(listed).toEqual(perService)

    // The lineage of each environment: its deployments counted and judged as the domain rule judges each one.
    const reader = lineageReader(db, kind)
    for (const name of new Set(rows.map((row) => row.environment))) {
      const own = rows.filter((row) => row.environment === name)
      const states = { verified: 0, failed: 0, unverified: 0 }
      for (const row of own) {
        const signature = row.recorded_by === 'attestation' && row.status !== null ? VerificationStatus.parse(row.status) : null
        states[deploymentRecord({ recordedBy: row.recorded_by === 'attestation' ? 'attestation' : 'api', signature }).state]++
      }
      const members = await reader.deploymentsIn(name, 3)
      expect({ total: members.total, states: members.states }).toEqual({ total: own.length, states })
      expect(members.items.length).toBe(Math.min(3, own.length))
      expect((await reader.environment(name))?.services).toBe(new Set(own.map((row) => row.service)).size)
    }
    return rows
  } finally {
    await db.destroy()
    await store.close()
  }
}

async function withStore<T>(where: Where, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ ...where, catchUpLog: false })
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}

describe.each(['sqlite', 'postgres'] as const)('deployment counters on %s', (kind) => {
  it('count deployments as the deployments themselves do: kept as they arrive and are re-verified, and backfilled by the migration', async () => {
    const where = await location(kind)
    const config = demoConfig()
    const builds = demoBuilds(200, 16)
    const rebuilds = demoRebuilds(builds, 7)
    const seeded = await withStore(where, async (store) => {
      for (const lines of [builds.map((build) => JSON.stringify(demoEnvelope(build))), rebuilds.map((rebuild) => JSON.stringify(demoRebuildEnvelope(rebuild)))]) {
        const result = await ingestBody(store, Buffer.from(lines.join('\n')), 'application/x-ndjson', ingestContext(config))
        if (!result.ok) throw new Error(result.error.message)
      }
      return (await seedDemoDeployments(store, config, { builds, rebuilds }, (statement) => signEnvelope(statement, demoKeys().ed25519))).deployments
    })
    const rows = await compare(kind, where, seeded)
    // Both ways of recording, and more than one environment, or the comparison proves little.
    expect(new Set(rows.map((row) => row.recorded_by))).toEqual(new Set(['api', 'attestation']))
    expect(new Set(rows.map((row) => row.environment)).size).toBeGreaterThanOrEqual(2)

    // An attestation re-verified to another status moves its deployment's count with it.
    const db = rawDb(kind, where)
    try {
      const attested = await db.selectFrom('deployments').select('document_id').where('recorded_by', '=', 'attestation').orderBy('id').execute()
      const ids = attested.flatMap((row) => (row.document_id === null ? [] : [row.document_id]))
      expect(ids.length).toBeGreaterThanOrEqual(1)
      // Signed by the demo's key, so verified until now: the update below is a change of status.
      const before = await db.selectFrom('documents').select('status').where('id', 'in', ids).execute()
      expect(before.every((row) => row.status === 'verified')).toBe(true)
      await db.updateTable('documents').set({ status: 'failed' }).where('id', 'in', ids).execute()
      // The same status written again (as a re-verification that changed nothing does) counts nothing twice.
      await db.updateTable('documents').set({ status: 'failed' }).where('id', '=', ids[0] ?? '').execute()
    } finally {
      await db.destroy()
    }
    const failed = await compare(kind, where, seeded)
    expect(failed.filter((row) => row.recorded_by === 'attestation' && row.status === 'failed').length).toBeGreaterThanOrEqual(1)

    // A store that held deployments before migration 0038: its counters come from the backfill.
    const migrating = rawDb(kind, where)
    try {
      const migration = deploymentCountsMigration(kind, kind === 'sqlite' ? { blob: 'blob', int64: 'integer' } : { blob: 'bytea', int64: 'bigint' })
      await migration.down?.(migrating)
      await migration.up(migrating)
    } finally {
      await migrating.destroy()
    }
    await compare(kind, where, seeded)

    // Then the triggers add on: a posted deployment to a new environment and one more to an existing service; a
    // deployment posted again is the same deployment and counts nothing.
    const digest = `sha256:${builds[0]?.artifacts[0]?.sha256 ?? ''}`
    const line = (environment: string, service: string, hour: number) =>
      JSON.stringify({ artifacts: [{ digest }], environment: { name: environment }, service, deployedAt: new Date(Date.UTC(2026, 10, 10, hour)).toISOString(), system: { name: 'argo-cd' } })
    const posted = [line('qa', 'web', 1), line('staging', rows.find((row) => row.environment === 'staging')?.service ?? 'web', 2)]
    await withStore(where, async (store) => {
      for (const body of [posted.join('\n'), posted[0] ?? '']) {
        const result = await ingestDeployments(store, Buffer.from(body), 'application/x-ndjson', () => Date.UTC(2026, 10, 11))
        if (!result.ok) throw new Error(result.error.message)
      }
    })
    await compare(kind, where, seeded + 2)
  })

  it('take posts that name the same services in opposite orders at once: all stored, none refused for a deadlock', async () => {
    const where = await location(kind)
    const digest = `sha256:${'ab'.repeat(32)}`
    const line = (environment: string, service: string, minute: number) =>
      JSON.stringify({ artifacts: [{ digest }], environment: { name: environment }, service, deployedAt: new Date(Date.UTC(2026, 10, 10, 0, minute)).toISOString(), system: { name: 'argo-cd' } })
    // Each post adds to two counter rows; its twin adds to the same two the other way round. On PostgreSQL every
    // post holds its first row until it commits, so two twins at once waited on each other until one was aborted.
    const bodies = Array.from({ length: 12 }, (_, pair) => [
      [line('prod', 'api', pair * 2), line('staging', 'web', pair * 2)].join('\n'),
      [line('staging', 'web', pair * 2 + 1), line('prod', 'api', pair * 2 + 1)].join('\n'),
    ]).flat()
    await withStore(where, async (store) => {
      const results = await Promise.all(bodies.map((body) => ingestDeployments(store, Buffer.from(body), 'application/x-ndjson', () => Date.UTC(2026, 10, 11))))
      expect(results.map((result) => (result.ok ? result.status : result.error.message))).toEqual(bodies.map(() => 201))
    })
    const rows = await compare(kind, where, bodies.length * 2)
    expect(rows.filter((row) => row.environment === 'prod').length).toBe(bodies.length)
  })
})
