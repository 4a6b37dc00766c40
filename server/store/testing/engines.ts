import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import type { StoreKind } from '../db'
import { openStore } from '../store'
import type { Store } from '../types'
import { startPgCluster, type PgCluster } from './pg-cluster'

/**
 * Fresh stores on both engines for one test file: a throwaway PostgreSQL cluster started before its tests and
 * stopped after, and a temporary SQLite directory per store. A cluster that did not start fails every
 * PostgreSQL test, naming why, rather than skipping them.
 */
export interface EngineStores {
  /** Where a fresh store lives: a temporary data directory, and on PostgreSQL a new database in the cluster. */
  location: (kind: StoreKind) => Promise<{ dataDir: string; databaseUrl?: string }>
  /** A fresh store opened at a new location. */
  fresh: (kind: StoreKind) => Promise<Store>
}

export function engineStores(name: string): EngineStores {
  const dirs: string[] = []
  let cluster: PgCluster | undefined
  let clusterError: unknown
  let databases = 0

  beforeAll(async () => {
    cluster = await startPgCluster().catch((error: unknown) => {
      clusterError = error
      return undefined
    })
  }, 60_000)
  afterAll(async () => {
    await cluster?.stop()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  }, 30_000)

  const location: EngineStores['location'] = async (kind) => {
    const dataDir = mkdtempSync(join(tmpdir(), `${name}-`))
    dirs.push(dataDir)
    if (kind === 'sqlite') return { dataDir }
    if (cluster === undefined) throw clusterError instanceof Error ? clusterError : new Error(`PostgreSQL did not start: ${String(clusterError)}`)
    return { dataDir, databaseUrl: await cluster.createDatabase(`${name.replace(/\W/g, '_')}_${++databases}`) }
  }
  return { location, fresh: async (kind) => openStore(await location(kind)) }
}
