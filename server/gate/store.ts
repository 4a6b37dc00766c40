import { GateArtifactDecision, GateDecision, GateDecisionPage, type GateDecisionQuery } from '../../src/contract/gate'
import { z } from 'zod'
import { encodeCursor, decodeCursor } from '../store/cursor'
import { instant, parseJson, type Db } from '../store/db'
import { testResultsForDigests, vsasForDigests, type TestResultFact, type VsaFact } from '../documents/attestation-index'
import type { DeploymentFact } from './decide'

/** A decision to record, with the project of each artifact (null when nothing records one) for the project filter. */
export type DecisionRecord = GateDecision & { projects: Record<string, string | null> }

export interface GateRepository {
  record(decision: DecisionRecord): Promise<void>
  list(query: GateDecisionQuery): Promise<GateDecisionPage>
  /** Every recorded deployment of a digest (`sha256:<hex>`): its environment and time, for promotion order. */
  deploymentsOf(digest: string): Promise<DeploymentFact[]>
  /** The VSAs about each digest, newest first (server/documents/attestation-index.ts). */
  vsasFor(digests: readonly string[]): Promise<Map<string, VsaFact[]>>
  /** The in-toto test results about each digest, newest first. */
  testResultsFor(digests: readonly string[]): Promise<Map<string, TestResultFact[]>>
}

const StoredArtifacts = z.array(GateArtifactDecision)

export function gateRepository(db: Db): GateRepository {
  return {
    async record(decision) {
      const at = Date.parse(decision.decidedAt)
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('gate_decisions')
          .values({
            id: decision.id,
            decided_at: at,
            asked_by: decision.askedBy,
            policy: decision.policy,
            environment: decision.environment,
            decision: decision.decision,
            artifacts: JSON.stringify(decision.artifacts),
          })
          .execute()
        // A release may name the same digest twice; it is one artifact of the decision.
        const digests = [...new Set(decision.artifacts.map((artifact) => artifact.digest))]
        await trx
          .insertInto('gate_decision_artifacts')
          .values(digests.map((digest) => ({ decision_id: decision.id, digest, project: decision.projects[digest] ?? null, decided_at: at })))
          .execute()
      })
    },

    async list(query) {
      const limit = Math.min(Math.max(Math.trunc(query.limit), 1), 200)
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
      let ids: { id: string; decided_at: number }[]
      if (query.digest === undefined && query.project === undefined) {
        let select = db.selectFrom('gate_decisions').select(['id', 'decided_at'])
        if (after !== undefined) select = select.where((eb) => eb(eb.refTuple('decided_at', 'id'), '<', eb.tuple(after.time, after.id)))
        ids = await select.orderBy('decided_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute()
      } else {
        let select = db.selectFrom('gate_decision_artifacts').select(['decision_id as id', 'decided_at']).distinct()
        if (query.digest !== undefined) select = select.where('digest', '=', query.digest)
        if (query.project !== undefined) select = select.where('project', '=', query.project)
        if (after !== undefined) select = select.where((eb) => eb(eb.refTuple('decided_at', 'decision_id'), '<', eb.tuple(after.time, after.id)))
        ids = await select.orderBy('decided_at', 'desc').orderBy('decision_id', 'desc').limit(limit + 1).execute()
      }
      const page = ids.slice(0, limit)
      const rows = page.length === 0 ? [] : await db.selectFrom('gate_decisions').selectAll().where('id', 'in', page.map((row) => row.id)).execute()
      const byId = new Map(rows.map((row) => [row.id, row]))
      const items = page.flatMap(({ id }) => {
        const row = byId.get(id)
        if (row === undefined) return []
        return [
          GateDecision.parse({
            id: row.id,
            decidedAt: instant(row.decided_at),
            askedBy: row.asked_by,
            decision: row.decision,
            policy: row.policy,
            environment: row.environment,
            artifacts: StoredArtifacts.parse(parseJson(row.artifacts)),
          }),
        ]
      })
      const last = page.at(-1)
      return GateDecisionPage.parse({ items, nextCursor: ids.length > limit && last !== undefined ? encodeCursor({ time: last.decided_at, id: last.id }) : null })
    },

    async deploymentsOf(digest) {
      const hex = digest.replace(/^sha256:/, '')
      const rows = await db.selectFrom('deployment_artifacts').select(['deployment_id', 'environment', 'deployed_at']).where('digest_value', '=', hex).execute()
      return rows.map((row) => ({ id: row.deployment_id, environment: row.environment, at: instant(row.deployed_at) }))
    },

    vsasFor: (digests) => vsasForDigests(db, digests),
    testResultsFor: (digests) => testResultsForDigests(db, digests),
  }
}
