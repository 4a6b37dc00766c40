import type { LineageReader } from '../../domain/lineage-walk'
import type { Db, StoreKind } from '../store/db'
import { startsWith, textKey } from '../store/text-keys'

/* Where a lineage query starts from a prefix: the digests and commits it may mean, each an index range. */

export function prefixLookups(db: Db, kind: StoreKind): Pick<LineageReader, 'digestsWithPrefix' | 'commitsWithPrefix'> {
  return {
    digestsWithPrefix: async (prefix, limit) => {
      const found = new Set<string>()
      // Distinct values in index order: a digest named by many builds is read once.
      const sources: (() => Promise<{ value: string | null }[]>)[] = [
        () => db.selectFrom('subjects').select(textKey(kind, 'digest_value').as('value')).distinct().where('digest_algorithm', '=', 'sha256').where(startsWith(kind, 'digest_value', prefix)).orderBy('value').limit(limit).execute(),
        () => db.selectFrom('deployment_artifacts').select(textKey(kind, 'digest_value').as('value')).distinct().where(startsWith(kind, 'digest_value', prefix)).orderBy('value').limit(limit).execute(),
        () => db.selectFrom('rebuilds').select(textKey(kind, 'artifact_digest').as('value')).distinct().where('artifact_algorithm', '=', 'sha256').where(startsWith(kind, 'artifact_digest', prefix)).orderBy('value').limit(limit).execute(),
        () => db.selectFrom('sbom_digests').select(textKey(kind, 'digest_value').as('value')).distinct().where('digest_algorithm', '=', 'sha256').where(startsWith(kind, 'digest_value', prefix)).orderBy('value').limit(limit).execute(),
      ]
      for (const source of sources) {
        for (const row of await source()) if (row.value !== null) found.add(`sha256:${row.value}`)
        if (found.size >= limit) break
      }
      return [...found].sort().slice(0, limit)
    },

    commitsWithPrefix: async (prefix, limit) => {
      const exact = prefix.length === 40 || prefix.length === 64
      let select = db.selectFrom('builds').select((eb) => ['source_commit', eb.fn.min('source_repo').as('repo'), eb.fn.min('project').as('project')])
      select = exact ? select.where('source_commit', '=', prefix) : select.where(startsWith(kind, 'source_commit', prefix))
      const rows = await select.groupBy('source_commit').limit(limit).execute()
      return rows.flatMap((row) => (row.source_commit === null ? [] : [{ commit: row.source_commit, repo: row.repo, project: row.project ?? row.source_commit }]))
    },
  }
}
