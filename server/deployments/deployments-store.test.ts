import { describe, expect, it } from 'vitest'
import { DeploymentQuery, type DeploymentInputJson } from '../../src/contract/deployments'
import { LineageQuery } from '../../src/contract/lineage'
import type { StoreKind } from '../store/db'
import { engineStores } from '../store/testing/engines'
import type { Store } from '../store/types'
import { digests, FIXTURE_INGESTED_AT, seedResources } from '../testing/resource-fixture'
import { ingestDeployments } from './ingest'

/* The deployments store and the lineage reader on SQLite and PostgreSQL: the same answers from the same input. */

const { fresh } = engineStores('deployments-store')

const line = (digest: string, environment: string, hour: number, extra: Partial<DeploymentInputJson> = {}): DeploymentInputJson => ({
  artifacts: [{ digest: `sha256:${digest}` }],
  environment: { name: environment },
  service: 'app',
  deployedAt: new Date(Date.UTC(2026, 10, 10, hour)).toISOString(),
  system: { name: 'argo-cd' },
  ...extra,
})

async function filled(kind: StoreKind): Promise<Store> {
  const store = await fresh(kind)
  await seedResources(store)
  const body = [line(digests.d1, 'staging', 1), line(digests.d1, 'production', 2), line(digests.d3, 'staging', 3), line(digests.d5, 'staging', 3)].map((entry) => JSON.stringify(entry)).join('\n')
  const result = await ingestDeployments(store, Buffer.from(body), 'application/x-ndjson', () => FIXTURE_INGESTED_AT)
  if (!result.ok) throw new Error(result.error.message)
  return store
}

async function answers(store: Store) {
  const pages: string[][] = []
  let cursor: string | undefined
  do {
    const page = await store.deployments.list(DeploymentQuery.parse({ limit: 1, ...(cursor ? { cursor } : {}) }))
    pages.push(page.items.map((item) => `${item.environment.name}:${item.artifacts[0]?.digest ?? ''}:${item.flagged}`))
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined)
  const graph = await store.lineage.graph(LineageQuery.parse({ from: `sha256:${digests.d1}`, depth: 3 }))
  const prefix = await store.lineage.graph(LineageQuery.parse({ from: digests.twin1.slice(0, 12) }))
  return {
    pages,
    environments: (await store.deployments.environments()).items.map((environment) => ({ name: environment.name, flagged: environment.flagged, services: environment.services.map((service) => service.deployment.id) })),
    graph: graph.kind === 'graph' ? { nodes: graph.graph.nodes.map((node) => node.id).sort(), edges: graph.graph.edges.map((edge) => `${edge.id}:${edge.state}`).sort() } : graph,
    prefix: prefix.kind,
  }
}

describe('deployments and lineage on both engines', () => {
  it('page, judge and walk alike on SQLite and PostgreSQL', async () => {
    const sqlite = await filled('sqlite')
    const postgres = await filled('postgres')
    try {
      const fromSqlite = await answers(sqlite)
      expect(fromSqlite.pages).toHaveLength(4)
      // Newest first; at equal times the larger id first. d3's provenance is untrusted: flagged.
      expect(fromSqlite.pages.flat().filter((entry) => entry.endsWith(':true'))).toEqual([`staging:sha256:${digests.d3}:true`])
      expect(fromSqlite.environments.map((environment) => [environment.name, environment.flagged])).toEqual([['production', 0], ['staging', 1]])
      expect(fromSqlite.prefix).toBe('ambiguous')
      expect(await answers(postgres)).toEqual(fromSqlite)
    } finally {
      await sqlite.close()
      await postgres.close()
    }
  }, 180_000)
})
