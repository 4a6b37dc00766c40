/**
 * One side of the alerts bench's ingest figure (bench/alerts.ts, part 1), run as a process of its own, as a server
 * is: BENCH_ALERTS_SIDE=plain ingests without the rules, =ruled also runs what the ingest middleware runs after each
 * request (engine.catchUp()). The bench sends it one batch at a time and it answers what the batch cost it: wall
 * time, and this process's CPU time (every thread: the garbage collector's helpers and the disk syncs included).
 *
 * In a process of its own each side pays for collecting its own garbage, wherever the collector runs it. With both
 * stores in one process the two shared one heap, and a scavenge that one side's allocation made due, or that V8
 * ran while one side's request waited for the disk, was charged to whichever side was running then.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { AlertQuery } from '../src/contract/alerts'
import { demoBuilds } from '../demo/model'
import { alertEngine, type AlertEngine } from '../server/alerts/engine'
import { ingestContext } from '../server/config'
import { demoConfig, demoEnvelope } from '../server/demo/seed'
import { ingestBody } from '../server/ingest/ingest'
import { openStore } from '../server/store/store'
import type { Store } from '../server/store/types'

/** What the bench asks: a fresh store, a batch into it, the end of the round (closing the store), the end. */
export const SideRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('round') }),
  z.object({ kind: z.literal('batch'), index: z.number().int().nonnegative() }),
  z.object({ kind: z.literal('end-round') }),
  z.object({ kind: z.literal('exit') }),
])
export type SideRequest = z.infer<typeof SideRequest>
/** A batch's cost; `evaluation` is the catch-up's share of it (zero without the rules). */
export const SideCost = z.object({ wall: z.number(), cpu: z.number(), evaluation: z.object({ wall: z.number(), cpu: z.number() }) })
export type SideCost = z.infer<typeof SideCost>
export const SideReply = z.union([z.object({ kind: z.literal('ready') }), z.object({ kind: z.literal('cost'), cost: SideCost }), z.object({ kind: z.literal('ended'), alertsOpen: z.number() })])
export type SideReply = z.infer<typeof SideReply>

/** The bench's documents: the same signed demo envelopes on both sides, JSONL batches of 250. */
export function ingestBatches(documents: number): Buffer[] {
  const envelopes = demoBuilds(documents, 3).map((build) => JSON.stringify(demoEnvelope(build)))
  const batches: Buffer[] = []
  for (let offset = 0; offset < envelopes.length; offset += 250) batches.push(Buffer.from(envelopes.slice(offset, offset + 250).join('\n')))
  return batches
}

const cpuMs = () => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

function serve(side: 'plain' | 'ruled', documents: number): void {
  const config = demoConfig()
  const batches = ingestBatches(documents)
  let current: { store: Store; engine: AlertEngine | null; dir: string } | null = null
  const send = (reply: SideReply) => process.send?.(reply)
  const handle = async (request: SideRequest): Promise<void> => {
    if (request.kind === 'round') {
      const dir = mkdtempSync(join(tmpdir(), `provenance-bench-alerts-${side}-`))
      const store = await openStore({ dataDir: dir })
      const engine = side === 'ruled' ? alertEngine(store, config, Date.now) : null
      // As a server's store is after its first evaluation: the engine has recorded the policy it judges by.
      if (engine !== null) await engine.catchUp()
      current = { store, engine, dir }
      send({ kind: 'ready' })
    } else if (request.kind === 'batch') {
      const batch = batches[request.index]
      if (current === null || batch === undefined) throw new Error(`bench side ${side}: no store or no batch ${request.index}`)
      const [t0, c0] = [performance.now(), cpuMs()]
      const outcome = await ingestBody(current.store, batch, 'application/x-ndjson', ingestContext(config))
      const [t1, c1] = [performance.now(), cpuMs()]
      if (!outcome.ok) throw new Error(`bench side ${side}: ingest failed: ${outcome.error.message}`)
      // What the ingest middleware runs after each request (server/alerts/routes.ts afterIngest).
      if (current.engine !== null) await current.engine.catchUp()
      const [t2, c2] = [performance.now(), cpuMs()]
      send({ kind: 'cost', cost: { wall: t2 - t0, cpu: c2 - c0, evaluation: { wall: t2 - t1, cpu: c2 - c1 } } })
    } else if (request.kind === 'end-round') {
      if (current === null) throw new Error(`bench side ${side}: no round to end`)
      const found = await current.store.alerts.list(AlertQuery.parse({ sort: 'severity', limit: 1 }))
      await current.store.close()
      rmSync(current.dir, { recursive: true, force: true })
      current = null
      send({ kind: 'ended', alertsOpen: found.counts.open })
    } else {
      process.exit(0)
    }
  }
  // One request at a time: the bench waits for each answer before it sends the next.
  process.on('message', (message) => {
    handle(SideRequest.parse(message)).catch((error: unknown) => {
      console.error(error)
      process.exit(1)
    })
  })
}

const side = process.env.BENCH_ALERTS_SIDE
if (side === 'plain' || side === 'ruled') serve(side, Number(process.env.BENCH_INGEST_DOCS ?? 2000))
