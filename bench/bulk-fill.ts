import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import SqliteDatabase from 'better-sqlite3'
import pg from 'pg'

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

type Plan = 'null' | 'key' | 'time' | 'copy'

/** What a copy does to one column: no log index, keys rewritten, times shifted, the rest copied as it is. */
function columnPlan(table: string, name: string): Plan {
  return table === 'documents' && name === 'log_index' ? 'null' : KEYS.has(name) ? 'key' : TIMES.has(name) ? 'time' : 'copy'
}

/**
 * How far back each copy goes: the template's span (at least a day), so copy n lies n spans before it and no two
 * copies overlap in time; with `spread` s, a span holds s copies (a small template at a larger one's density).
 */
function copyShift(low: number | null, high: number | null, spread = 1): number {
  return Math.round(Math.max(86_400_000, (high ?? 0) - (low ?? 0) + 86_400_000) / Math.max(1, spread))
}

export type FillOptions = {
  /** Copies per template span (default 1, none overlapping): times then reach back `copies / spread` spans. */
  spread?: number
}

/**
 * Rewrites every hex run of a key the same way within a copy (so joins still meet) and differently across copies.
 * Call `nextCopy` after each copy: the cache holds one copy's keys only.
 */
function keyRewriter() {
  const cache = new Map<string, string>()
  return {
    rewrite: (copy: number, text: string) =>
      text.replace(/[0-9a-f]{7,}/g, (hex) => {
        const key = `${copy}:${hex}`
        let value = cache.get(key)
        if (value === undefined) {
          value = createHash('sha256').update(key).digest('hex').slice(0, hex.length).padEnd(hex.length, '0')
          cache.set(key, value)
        }
        return value
      }),
    nextCopy: () => cache.clear(),
  }
}

/** The template's rows of each copied table, read once before any copy, so a copy never copies a copy. */
const templateOf = (table: string) => `bench_template_${table}`

/**
 * Adds `copies` copies of every row now in the store's copied tables. Run it while nothing else writes; an open
 * store may keep reading (WAL).
 *
 * Each copy of a table is one INSERT … SELECT from the template's rows inside SQLite, the keys rewritten by a
 * function registered on the connection (the same `keyRewriter` as ever): rows never cross into JavaScript, only
 * the key texts do. Triggers fire as on ingest (lineage dependencies, rebuild verdict and project counters).
 */
export function replicateRows(file: string, copies: number, options: FillOptions = {}): FillReport {
  const started = performance.now()
  const db = new SqliteDatabase(file)
  db.pragma('journal_mode = WAL')
  db.pragma('busy_timeout = 5000')
  // The copy is thrown away with the bench; durability of each step is not what is measured.
  db.pragma('synchronous = OFF')
  // Copied keys are random, so every index takes writes all over its pages: keep them in memory (256 MB).
  db.pragma('cache_size = -262144')
  db.pragma('temp_store = memory')
  const rows: Record<string, number> = {}
  try {
    const times = db.prepare<[], { low: number | null; high: number | null }>('select min(time) as low, max(time) as high from builds').get()
    const span = copyShift(times?.low ?? null, times?.high ?? null, options.spread)
    const keys = keyRewriter()
    db.function('bench_rekey', { deterministic: true }, (copy: unknown, text: unknown) => (typeof text === 'string' ? keys.rewrite(Number(copy), text) : text))
    // A transaction per copy of a table, not one for the whole fill: in WAL mode a transaction's pages stay in the WAL
    // until it commits, so one transaction would need twice the database's size on disk at its end (a million builds:
    // about 27 GiB of database and as much again of WAL). The marker file written after a fill is what says it is whole.
    // Secondary indexes are dropped and built again after the copy (a sort, not a random insert per row); their
    // pages come out packed where ingest's grow by splits, which reads slightly faster.
    const indexes = db
      .prepare<[], { name: string; sql: string }>(`select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${TABLES.map((table) => `'${table}'`).join(', ')})`)
      .all()
    db.transaction(() => {
      for (const index of indexes) db.exec(`drop index "${index.name}"`)
    })()
    for (const table of TABLES) {
      const exists = db.prepare('select 1 from sqlite_master where type = ? and name = ?').get('table', table)
      if (exists === undefined) continue
      // Generated and hidden columns are derived by SQLite; documents.seq is the append order, given anew.
      const columns = db
        .prepare<[], { name: string; hidden: number }>(`pragma table_xinfo(${table})`)
        .all()
        .filter((column) => column.hidden === 0 && !(table === 'documents' && column.name === 'seq'))
        .map((column) => column.name)
      const list = columns.map((c) => `"${c}"`).join(', ')
      db.exec(`create temp table ${templateOf(table)} as select ${list} from main.${table}`)
      const count = db.prepare<[], { count: number }>(`select count(*) as count from ${templateOf(table)}`).get()?.count ?? 0
      const values = columns.map((name) => {
        const how = columnPlan(table, name)
        return how === 'null' ? 'null' : how === 'key' ? `bench_rekey(@copy, "${name}")` : how === 'time' ? `"${name}" - @shift` : `"${name}"`
      })
      const insert = db.prepare(`insert into main.${table} (${list}) select ${values.join(', ')} from ${templateOf(table)}`)
      for (let copy = 1; copy <= copies; copy++) {
        insert.run({ copy, shift: copy * span })
        keys.nextCopy()
      }
      db.exec(`drop table ${templateOf(table)}`)
      rows[table] = count * (copies + 1)
    }
    // Each index built in its own transaction, for the same reason.
    for (const index of indexes) db.exec(index.sql)
    // Counters ingest keeps beside the rows: every copied document counts as its template does. (The rebuild
    // verdict and project counters of migrations 0029 and 0033 are kept by their triggers as copies are inserted.)
    const counts = db.prepare('select 1 from sqlite_master where type = ? and name = ?').get('table', 'signature_counts')
    if (counts !== undefined) db.prepare('update signature_counts set count = count * ?').run(copies + 1)
    // No ANALYZE: the server never runs one, so the planner sees what it would see in production.
    db.pragma('wal_checkpoint(TRUNCATE)')
  } finally {
    db.close()
  }
  return { copies, rows, seconds: (performance.now() - started) / 1000 }
}

/**
 * `keyRewriter` in SQL, so PostgreSQL copies rows without sending them anywhere: the same sha256 of
 * `<copy>:<hex run>`, cut (or padded with zeros) to the run's length. A whole-hex value (most keys) is rewritten
 * inline; a value with other text around its hex runs goes through a PL/pgSQL loop over the runs.
 */
const PG_REKEY = `
  create or replace function bench_rekey_run(copy integer, hex text) returns text language sql immutable as $$
    select rpad(left(encode(sha256(convert_to(copy::text || ':' || hex, 'UTF8')), 'hex'), length(hex)), length(hex), '0')
  $$;
  create or replace function bench_rekey(copy integer, value text) returns text language plpgsql immutable as $$
  declare
    result text := '';
    rest text := value;
    found text[];
    at integer;
  begin
    if value is null then return null; end if;
    if value ~ '^[0-9a-f]{7,}$' then return bench_rekey_run(copy, value); end if;
    loop
      found := regexp_match(rest, '[0-9a-f]{7,}');
      exit when found is null;
      at := strpos(rest, found[1]);
      result := result || left(rest, at - 1) || bench_rekey_run(copy, found[1]);
      rest := substr(rest, at + length(found[1]));
    end loop;
    return result || rest;
  end $$;`

/**
 * `replicateRows` for a PostgreSQL store holding a template (see `copySqliteToPostgres`): each copy of a table is one
 * INSERT … SELECT from the template's rows inside PostgreSQL, keys rewritten as on SQLite (so a template copied on
 * both engines gives the same keys), times shifted the same way. Triggers fire as on ingest; secondary indexes are
 * dropped first and built again after; VACUUM ANALYZE at the end, as after the COPY load.
 */
export async function replicatePostgres(url: string, copies: number, options: FillOptions = {}): Promise<FillReport> {
  const started = performance.now()
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => undefined)
  await client.connect()
  const rows: Record<string, number> = {}
  try {
    // The copy is thrown away with the bench; waiting for each commit's WAL flush is not what is measured.
    await client.query('set synchronous_commit = off')
    await client.query("set maintenance_work_mem = '512MB'")
    await client.query(PG_REKEY)
    const times = (await client.query<{ low: string | null; high: string | null }>('select min(time) as low, max(time) as high from builds')).rows[0]
    const span = copyShift(times?.low == null ? null : Number(times.low), times?.high == null ? null : Number(times.high), options.spread)
    const present = (await client.query<{ name: string }>(`select table_name as name from information_schema.tables where table_schema = current_schema() and table_name = any($1)`, [TABLES])).rows.map((row) => row.name)
    const indexes = await dropSecondaryIndexes(client, present)
    for (const table of TABLES) {
      if (!present.includes(table)) continue
      const columns = await writableColumns(client, table)
      const list = columns.map((c) => `"${c}"`).join(', ')
      await client.query(`create temp table ${templateOf(table)} as select ${list} from ${table}`)
      const count = Number((await client.query<{ count: string }>(`select count(*) as count from ${templateOf(table)}`)).rows[0]?.count ?? 0)
      const values = columns.map((name) => {
        const how = columnPlan(table, name)
        return how === 'null' ? 'null' : how === 'key' ? `bench_rekey($1, "${name}")` : how === 'time' ? `"${name}" - $2` : `"${name}"`
      })
      const insert = `insert into ${table} (${list}) select ${values.join(', ')} from ${templateOf(table)}`
      // PostgreSQL wants exactly the parameters a statement names: a table without times has no $2.
      const parameters = (copy: number) => (insert.includes('$2') ? [copy, copy * span] : [copy])
      for (let copy = 1; copy <= copies; copy++) await client.query(insert, parameters(copy))
      await client.query(`drop table ${templateOf(table)}`)
      rows[table] = count * (copies + 1)
    }
    for (const index of indexes) await client.query(index.definition)
    await client.query('update signature_counts set count = count * $1', [copies + 1])
    await client.query('drop function bench_rekey(integer, text)')
    await client.query('drop function bench_rekey_run(integer, text)')
    await client.query('vacuum analyze')
  } finally {
    await client.end()
  }
  return { copies, rows, seconds: (performance.now() - started) / 1000 }
}

/** Text of one field in COPY's text format: `\N` for null, and backslash, tab and line breaks escaped. */
/** The columns of `table` a copy writes, in order: identity and generated columns are PostgreSQL's to fill. */
async function writableColumns(client: pg.Client, table: string): Promise<string[]> {
  const result = await client.query<{ name: string }>(
    `select column_name as name from information_schema.columns
     where table_schema = current_schema() and table_name = $1 and is_generated = 'NEVER' and is_identity = 'NO'
     order by ordinal_position`,
    [table],
  )
  return result.rows.map((column) => column.name)
}

/**
 * Drops the secondary indexes (not those behind a constraint) of `tables` before a bulk copy, and says how to build
 * them again after it: one sort per index instead of a random insert per row.
 */
async function dropSecondaryIndexes(client: pg.Client, tables: readonly string[]): Promise<{ name: string; definition: string }[]> {
  const indexes = (
    await client.query<{ name: string; definition: string }>(
      `select i.indexname as name, i.indexdef as definition from pg_indexes i
       where i.schemaname = current_schema() and i.tablename = any($1)
         and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
      [tables],
    )
  ).rows
  for (const index of indexes) await client.query(`drop index "${index.name}"`)
  return indexes
}

function copyField(value: string | null): string {
  if (value === null) return '\\N'
  return value.replace(/[\\\t\n\r]/g, (character) => (character === '\\' ? '\\\\' : character === '\t' ? '\\t' : character === '\n' ? '\\n' : '\\r'))
}

/** A SQLite value in COPY's text form: bytea as `\\x<hex>`, numbers as digits, text escaped. */
function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N'
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString('hex')}`
  if (typeof value === 'bigint' || typeof value === 'number') return String(value)
  if (typeof value === 'string') return copyField(value)
  throw new Error(`a SQLite value of type ${typeof value} has no COPY form`)
}

/**
 * Loads a filled SQLite store into a PostgreSQL database the same migrations made: every table's rows, with COPY …
 * FROM STDIN through `psql` (PostgreSQL's own client, beside the server binaries), so both engines are measured on
 * the same rows. The session runs as a replica (session_replication_role), so triggers and foreign-key checks are
 * off: the rows come consistent from SQLite, and trigger-kept tables (build_dependencies) are copied like any
 * other. Secondary indexes are dropped first and built again after; identity columns (documents.seq) are given
 * anew in the SQLite order. A VACUUM ANALYZE at the end does what autovacuum would do on its own shortly after
 * such a load (statistics, visibility map).
 */
export async function copySqliteToPostgres(file: string, url: string, psql: string): Promise<FillReport> {
  const started = performance.now()
  const sqlite = new SqliteDatabase(file, { readonly: true })
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => undefined)
  await client.connect()
  const rows: Record<string, number> = {}
  try {
    const tables = (
      await client.query<{ name: string }>(
        `select table_name as name from information_schema.tables
         where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kysely_%' order by table_name`,
      )
    ).rows.map((row) => row.name)
    const indexes = await dropSecondaryIndexes(client, tables)
    // What opening the store wrote (its log key claim) comes again from SQLite, with everything else.
    await client.query(`truncate ${tables.join(', ')}`)
    for (const table of tables) {
      const inSqlite = new Set(sqlite.prepare<[], { name: string }>(`select name from pragma_table_info('${table}')`).all().map((column) => column.name))
      if (inSqlite.size === 0) continue
      const columns = (await writableColumns(client, table)).filter((name) => inSqlite.has(name))
      if (columns.length === 0) continue
      const list = columns.map((c) => `"${c}"`).join(', ')
      const child = spawn(psql, ['--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-q', '-d', url, '-c', `copy ${table} (${list}) from stdin`], {
        stdio: ['pipe', 'inherit', 'pipe'],
        env: { ...process.env, PGOPTIONS: '-c session_replication_role=replica' },
      })
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
      const write = async (text: string) => {
        if (!child.stdin.write(text)) await new Promise((resolve) => child.stdin.once('drain', resolve))
      }
      const order = inSqlite.has('seq') ? ' order by seq' : ''
      let count = 0
      let chunk = ''
      for (const row of sqlite.prepare(`select ${list} from ${table}${order}`).raw().iterate() as IterableIterator<unknown[]>) {
        chunk += row.map(copyValue).join('\t') + '\n'
        count++
        if (chunk.length > 1 << 20) {
          await write(chunk)
          chunk = ''
        }
      }
      await write(chunk)
      child.stdin.end()
      const code = await exited
      if (code !== 0) throw new Error(`COPY into ${table} failed (psql exited ${code}): ${stderr.trim()}`)
      rows[table] = count
    }
    for (const index of indexes) await client.query(index.definition)
    await client.query('vacuum analyze')
  } finally {
    sqlite.close()
    await client.end()
  }
  return { copies: 0, rows, seconds: (performance.now() - started) / 1000 }
}
