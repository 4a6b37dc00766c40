import { describe, expect, it } from 'vitest'
import { GateDecisionQuery, type GateDecision } from '../../src/contract/gate'
import type { StoreKind } from '../store/db'
import { engineStores } from '../store/testing/engines'
import type { Store } from '../store/types'

/* Recorded gate decisions (migration 0014) on SQLite and PostgreSQL: stored as answered, paged the same way. */

const { fresh } = engineStores('gates')
const digest = (char: string) => `sha256:${char.repeat(64)}`

function decision(index: number, digests: string[], decided: 'allow' | 'deny'): GateDecision & { projects: Record<string, string | null> } {
  return {
    id: index.toString(16).padStart(64, '0'),
    // Two decisions share each instant, so paging must order by the id within it.
    decidedAt: new Date(Date.UTC(2026, 10, 1, 12, Math.floor(index / 2))).toISOString(),
    askedBy: index % 2 === 0 ? 'ci' : 'anonymous',
    decision: decided,
    policy: 'release',
    environment: index % 3 === 0 ? 'production' : null,
    artifacts: digests.map((value) => ({
      digest: value,
      decision: decided,
      reasons: [{ rule: 'rebuilders-agree', ok: decided === 'allow', expected: 'at least 2 rebuilders reproduce it', actual: '“2 of 3” agree', evidence: [`/api/v1/rebuilds?artifactDigest=${value}`] }],
    })),
    recorded: true,
    projects: Object.fromEntries(digests.map((value) => [value, value === digest('c') ? null : value === digest('a') ? 'acme/api' : 'acme/web'])),
  }
}

async function filled(kind: StoreKind): Promise<Store> {
  const store = await fresh(kind)
  for (let index = 0; index < 7; index++) {
    await store.gates.record(decision(index, index % 2 === 0 ? [digest('a'), digest('b')] : [digest('b'), digest('c')], index === 3 ? 'deny' : 'allow'))
  }
  return store
}

async function pages(store: Store, query: Record<string, string>): Promise<string[][]> {
  const out: string[][] = []
  let cursor: string | undefined
  do {
    const page = await store.gates.list(GateDecisionQuery.parse({ ...query, limit: '2', ...(cursor ? { cursor } : {}) }))
    out.push(page.items.map((item) => `${item.id.slice(-1)}:${item.decision}:${item.artifacts.length}`))
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined)
  return out
}

describe('gate decisions on both engines', () => {
  it('record and page alike on SQLite and PostgreSQL, newest first, by digest and project', async () => {
    const sqlite = await filled('sqlite')
    const postgres = await filled('postgres')
    try {
      const answers = async (store: Store) => ({
        all: await pages(store, {}),
        a: await pages(store, { digest: digest('a') }),
        c: await pages(store, { digest: digest('c') }),
        web: await pages(store, { project: 'acme/web' }),
        first: (await store.gates.list(GateDecisionQuery.parse({ digest: digest('c'), limit: '1' }))).items[0],
      })
      const fromSqlite = await answers(sqlite)
      expect(fromSqlite.all).toEqual([['6:allow:2', '5:allow:2'], ['4:allow:2', '3:deny:2'], ['2:allow:2', '1:allow:2'], ['0:allow:2']])
      expect(fromSqlite.a).toEqual([['6:allow:2', '4:allow:2'], ['2:allow:2', '0:allow:2']])
      expect(fromSqlite.c).toEqual([['5:allow:2', '3:deny:2'], ['1:allow:2']])
      // Every decision has an acme/web artifact (b): each listed once, however many of its artifacts match.
      expect(fromSqlite.web.flat()).toHaveLength(7)
      expect(fromSqlite.first).toEqual({ ...decision(5, [digest('b'), digest('c')], 'allow'), projects: undefined })
      expect(await answers(postgres)).toEqual(fromSqlite)
    } finally {
      await sqlite.close()
      await postgres.close()
    }
  }, 180_000)
})
