import { z } from 'zod'
import { GateArtifactDecision } from '../../src/contract/gate'
import type { LineageGateDecision, LineagePulledFrom } from '../../src/contract/lineage'
import type { LineageReader } from '../../domain/lineage-walk'
import { instant, parseJson, type Db } from '../store/db'
import { chunked } from './members'

/* What the graph tells beside its nodes: where each document was pulled from, and the gate's decisions on each artifact. */

const StoredArtifacts = z.array(GateArtifactDecision)

export function surroundings(db: Db): Pick<LineageReader, 'originsOf' | 'gateDecisionsOf'> {
  return {
    originsOf: async (documentIds) => {
      const origins = new Map<string, LineagePulledFrom>()
      for (const ids of chunked(documentIds)) {
        // The source that stored a document first names its origin; another that met it again later does not.
        const rows = await db
          .selectFrom('source_documents')
          .leftJoin('source_state', 'source_state.name', 'source_documents.source')
          .select(['source_documents.document_id', 'source_documents.source', 'source_documents.origin', 'source_documents.first_seen_at', 'source_state.kind'])
          .where('source_documents.document_id', 'in', ids)
          .orderBy('source_documents.created', 'desc')
          .orderBy('source_documents.first_seen_at', 'asc')
          .orderBy('source_documents.source', 'asc')
          .execute()
        for (const row of rows) {
          if (!origins.has(row.document_id)) origins.set(row.document_id, { source: row.source, kind: row.kind, url: row.origin, at: instant(row.first_seen_at) })
        }
      }
      return origins
    },

    gateDecisionsOf: async (digests, limit) => {
      const decisions = new Map<string, LineageGateDecision[]>()
      if (limit <= 0) return decisions
      for (const values of chunked(digests)) {
        // The newest few of each digest along the (digest, decided_at, decision_id) index, numbered per digest.
        const newest = await db
          .selectFrom((eb) =>
            eb
              .selectFrom('gate_decision_artifacts')
              .select((inner) => [
                'decision_id',
                'digest',
                'decided_at',
                inner.fn.agg<number>('row_number').over((over) => over.partitionBy('digest').orderBy('decided_at', 'desc').orderBy('decision_id', 'desc')).as('rank'),
              ])
              .where('digest', 'in', values)
              .as('ranked'),
          )
          .select(['ranked.decision_id', 'ranked.digest'])
          .where('ranked.rank', '<=', limit)
          .orderBy('ranked.digest')
          .orderBy('ranked.decided_at', 'desc')
          .orderBy('ranked.decision_id', 'desc')
          .execute()
        if (newest.length === 0) continue
        const rows = await db.selectFrom('gate_decisions').selectAll().where('id', 'in', [...new Set(newest.map((row) => row.decision_id))]).execute()
        const byId = new Map(rows.map((row) => [row.id, row]))
        for (const { decision_id: id, digest } of newest) {
          const row = byId.get(id)
          if (row === undefined) continue
          const artifacts = StoredArtifacts.safeParse(parseJson(row.artifacts))
          const own = artifacts.success ? artifacts.data.find((artifact) => artifact.digest === digest) : undefined
          const release = row.decision === 'allow' ? 'allow' : 'deny'
          decisions.set(digest, [
            ...(decisions.get(digest) ?? []),
            {
              id: row.id,
              decision: own?.decision ?? release,
              release,
              policy: row.policy,
              environment: row.environment,
              decidedAt: instant(row.decided_at),
              askedBy: row.asked_by,
              failed: own?.reasons.filter((reason) => !reason.ok).map((reason) => reason.rule) ?? [],
              href: `/api/v1/gate/decisions?digest=${encodeURIComponent(digest)}`,
            },
          ])
        }
      }
      return decisions
    },
  }
}
