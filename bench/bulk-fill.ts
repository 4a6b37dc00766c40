import { createHash } from 'node:crypto'
import SqliteDatabase from 'better-sqlite3'

/*
 * Filling a benchmark's SQLite store to 100,000 builds through ingest signs and verifies every document and takes
 * many minutes on a loaded machine. Instead a bench ingests a template (a thousand builds with their verdicts and
 * deployments) through the real code path, then copies the template's rows in one transaction with prepared
 * statements: every key (document, build, commit, digest, deployment) rewritten per copy, every time shifted
 * back by the template's span per copy. The proportions of subjects, signatures, rebuilds and deployments, and
 * every column ingest fills, are the template's. What is not rewritten: blobs and JSON text (a copied statement
 * still names the template's digests) and the Merkle log (copies have no log index; reads never need one).
 */

/** Tables copied, parents first; other tables (alerts, sources, telemetry) keep the template's rows only. */
const TABLES = ['documents', 'builds', 'subjects', 'rebuilds', 'sboms', 'sbom_digests', 'deployments', 'deployment_artifacts'] as const
/** Text columns holding ids, commits or digests: their hex runs are rewritten per copy, the same way everywhere, so joins still meet. */
const KEYS = new Set(['id', 'document_id', 'build_id', 'deployment_id', 'source_commit', 'digest_value', 'artifact_digest', 'replaces', 'subject_digest', 'file_sha256'])
/** Times in milliseconds, shifted back per copy. */
const TIMES = new Set(['time', 'ingested_at', 'started_at', 'finished_at', 'deployed_at', 'signed_at'])

export type FillReport = { copies: number; rows: Record<string, number>; seconds: number }

/**
 * Adds `copies` copies of every row now in the store's copied tables. Run it while nothing else writes; an open
 * store may keep reading (WAL).
 */
export function replicateRows(file: string, copies: number): FillReport {
  const started = performance.now()
  const db = new SqliteDatabase(file)
  db.pragma('journal_mode = WAL')
  db.pragma('busy_timeout = 5000')
  // The copy is thrown away with the bench; durability of each step is not what is measured.
  db.pragma('synchronous = OFF')
  // Copied keys are random, so every index takes writes all over its pages: keep them in memory (256 MB).
  db.pragma('cache_size = -262144')
  const rows: Record<string, number> = {}
  try {
    const times = db.prepare<[], { low: number | null; high: number | null }>('select min(time) as low, max(time) as high from builds').get()
    const span = Math.max(86_400_000, (times?.high ?? 0) - (times?.low ?? 0) + 86_400_000)
    const keyCache = new Map<string, string>()
    const rewrite = (copy: number, text: string) =>
      text.replace(/[0-9a-f]{7,}/g, (hex) => {
        const key = `${copy}:${hex}`
        let value = keyCache.get(key)
        if (value === undefined) {
          value = createHash('sha256').update(key).digest('hex').slice(0, hex.length).padEnd(hex.length, '0')
          keyCache.set(key, value)
        }
        return value
      })
    db.transaction(() => {
      // Secondary indexes are dropped and built again after the copy (a sort, not a random insert per row); their
      // pages come out packed where ingest's grow by splits, which reads slightly faster.
      const indexes = db
        .prepare<[], { name: string; sql: string }>(`select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${TABLES.map((table) => `'${table}'`).join(', ')})`)
        .all()
      for (const index of indexes) db.exec(`drop index "${index.name}"`)
      for (const table of TABLES) {
        const exists = db.prepare('select 1 from sqlite_master where type = ? and name = ?').get('table', table)
        if (exists === undefined) continue
        // Generated and hidden columns are derived by SQLite; documents.seq is the append order, given anew.
        const columns = db
          .prepare<[], { name: string; hidden: number }>(`pragma table_xinfo(${table})`)
          .all()
          .filter((column) => column.hidden === 0 && !(table === 'documents' && column.name === 'seq'))
          .map((column) => column.name)
        const template = db.prepare(`select ${columns.map((c) => `"${c}"`).join(', ')} from ${table}`).raw().all() as unknown[][]
        const insert = db.prepare(`insert into ${table} (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`)
        const plan = columns.map((name) => (table === 'documents' && name === 'log_index' ? 'null' : KEYS.has(name) ? 'key' : TIMES.has(name) ? 'time' : 'copy'))
        for (let copy = 1; copy <= copies; copy++) {
          const shift = copy * span
          for (const row of template) {
            insert.run(
              row.map((value, index) => {
                const how = plan[index]
                if (how === 'null') return null
                if (how === 'key' && typeof value === 'string') return rewrite(copy, value)
                if (how === 'time' && typeof value === 'number') return value - shift
                return value
              }),
            )
          }
          keyCache.clear()
        }
        rows[table] = template.length * (copies + 1)
      }
      for (const index of indexes) db.exec(index.sql)
      // Counters ingest keeps beside the rows: every copied document counts as its template does.
      const counts = db.prepare('select 1 from sqlite_master where type = ? and name = ?').get('table', 'signature_counts')
      if (counts !== undefined) db.prepare('update signature_counts set count = count * ?').run(copies + 1)
    })()
    // No ANALYZE: the server never runs one, so the planner sees what it would see in production.
    db.pragma('wal_checkpoint(TRUNCATE)')
  } finally {
    db.close()
  }
  return { copies, rows, seconds: (performance.now() - started) / 1000 }
}
