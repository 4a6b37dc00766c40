import { spawn } from 'node:child_process'
import { hash } from 'node:crypto'
import { readFileSync } from 'node:fs'
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
const TABLES = ['documents', 'attestation_subjects', 'builds', 'subjects', 'rebuilds', 'sboms', 'sbom_digests', 'deployments', 'deployment_artifacts'] as const
/** Text columns holding ids, commits or digests: their hex runs are rewritten per copy, the same way everywhere, so joins still meet. */
const KEYS = new Set(['id', 'document_id', 'build_id', 'deployment_id', 'source_commit', 'digest_value', 'artifact_digest', 'replaces', 'subject_digest', 'file_sha256'])
/** Times in milliseconds, shifted back per copy. */
const TIMES = new Set(['time', 'ingested_at', 'started_at', 'finished_at', 'deployed_at', 'signed_at'])

export type FillReport = {
  copies: number
  rows: Record<string, number>
  seconds: number
  /**
   * CPU the fill took (SQLite: this process; PostgreSQL: the server processes serving the fill's connections, when
   * they run on this machine), which says more than `seconds` on a machine shared with other work.
   */
  cpuSeconds: number | null
  /** Seconds and CPU seconds per step (a table's copies, the indexes, …), to see where a fill's time goes. */
  phases: Record<string, Phase>
}

export type Phase = { seconds: number; cpuSeconds: number | null }

/** Times each step of a fill into `phases`, with the CPU `cpu` says was used (null: not known). */
function phaseTimer(phases: Record<string, Phase>, cpu: () => number | null) {
  let last = performance.now()
  let lastCpu = cpu()
  return (name: string) => {
    const now = performance.now()
    const nowCpu = cpu()
    const used = nowCpu === null || lastCpu === null ? null : nowCpu - lastCpu
    phases[name] = { seconds: (phases[name]?.seconds ?? 0) + (now - last) / 1000, cpuSeconds: used === null ? null : (phases[name]?.cpuSeconds ?? 0) + used }
    last = now
    lastCpu = nowCpu
  }
}

const processCpu = () => {
  const used = process.cpuUsage()
  return (used.user + used.system) / 1e6
}

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
  /** SQLite: nothing else has the file open while it fills (see `replicateRows`). */
  alone?: boolean
  /** PostgreSQL: connections copying at once (default 2). */
  workers?: number
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
          // The one-shot hash: a third of createHash's cost per key.
          value = hash('sha256', key, 'hex').slice(0, hex.length).padEnd(hex.length, '0')
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
 * Adds `copies` copies of every row now in the store's copied tables.
 *
 * Each copy of a table is one INSERT … SELECT from the template's rows inside SQLite, the keys rewritten by a
 * function registered on the connection (the same `keyRewriter` as ever): rows never cross into JavaScript, only
 * the key texts do. Triggers fire as on ingest (lineage dependencies, rebuild verdict and project counters, and
 * whatever a later migration adds), so the counters are kept exactly as ingest keeps them.
 *
 * By default the fill runs beside an open store (WAL, a transaction per copy of a table), with the secondary
 * indexes dropped and built again after. With `alone` (nothing else has the file open; bench/postgres.ts's
 * fills) it takes the file for itself: no journal (every page is written once, not to the WAL and again to the
 * file: a million builds are some 27 GiB), foreign keys not checked (the copies are consistent by construction)
 * and the indexes kept: the copies go back in time a span each, so the time-led indexes (most of them) take each
 * copy's entries in one fresh range of pages held in the cache, and only the id- and digest-led ones take them
 * all over. Building an index again afterwards reads the whole table once per index (the documents table alone
 * is 12 GiB at a million builds and holds five), which costs more than that. The file's journal is WAL again at
 * the end, as the store expects; a fill stopped half-way leaves a file to throw away (the marker that says a
 * fill is whole is written after it).
 */
export function replicateRows(file: string, copies: number, options: FillOptions = {}): FillReport {
  const started = performance.now()
  const startedCpu = process.cpuUsage()
  const alone = options.alone === true
  const db = new SqliteDatabase(file)
  db.pragma('busy_timeout = 5000')
  if (alone) {
    db.pragma('locking_mode = EXCLUSIVE')
    db.pragma('journal_mode = OFF')
    db.pragma('foreign_keys = OFF')
  } else db.pragma('journal_mode = WAL')
  // The copy is thrown away with the bench; durability of each step is not what is measured.
  db.pragma('synchronous = OFF')
  // Copied keys are random, so the id- and digest-led indexes take writes all over their pages: keep them in
  // memory (256 MB beside an open store, 2 GiB alone).
  db.pragma(`cache_size = ${alone ? -2_097_152 : -262_144}`)
  db.pragma('temp_store = memory')
  const rows: Record<string, number> = {}
  const phases: Record<string, Phase> = {}
  const lap = phaseTimer(phases, processCpu)
  try {
    const times = db.prepare<[], { low: number | null; high: number | null }>('select min(time) as low, max(time) as high from builds').get()
    const span = copyShift(times?.low ?? null, times?.high ?? null, options.spread)
    const keys = keyRewriter()
    // Beside an open store, a transaction per copy, not one for the whole fill: in WAL mode a transaction's pages
    // stay in the WAL until it commits, so one transaction would need twice the database's size on disk at its
    // end. The marker file written after a fill is what says it is whole.
    // Secondary indexes are dropped and built again after the copy (a sort, not a random insert per row).
    const indexes = alone
      ? []
      : db
          .prepare<[], { name: string; sql: string }>(`select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${TABLES.map((table) => `'${table}'`).join(', ')})`)
          .all()
    db.transaction(() => {
      for (const index of indexes) db.exec(`drop index "${index.name}"`)
    })()
    // Each copy's keys in a table of their own: every distinct key text of the template, rewritten once per copy
    // in JavaScript, then looked up by the copy's INSERT … SELECTs. (A function registered on the connection and
    // called per row and key column cost four times as much: each call crosses into JavaScript.)
    db.exec('create temp table bench_keys (old text primary key, new text not null) without rowid')
    const templateKeys = new Set<string>()
    const inserts: { table: string; insert: (shift: number) => void }[] = []
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
      rows[table] = count * (copies + 1)
      for (const name of columns.filter((column) => columnPlan(table, column) === 'key')) {
        const values = db.prepare<[], { value: unknown }>(`select distinct "${name}" as value from ${templateOf(table)} where "${name}" is not null`).all()
        for (const { value } of values) if (typeof value === 'string') templateKeys.add(value)
      }
      const values = columns.map((name) => {
        const how = columnPlan(table, name)
        return how === 'null' ? 'null' : how === 'key' ? `(select new from bench_keys where old = "${name}")` : how === 'time' ? `"${name}" - @shift` : `"${name}"`
      })
      const statement = db.prepare(`insert into main.${table} (${list}) select ${values.join(', ')} from ${templateOf(table)}`)
      // A statement takes exactly the parameters it names: a table without times has none.
      const shifted = values.some((value) => value.endsWith('@shift'))
      inserts.push({ table, insert: (shift) => void (shifted ? statement.run({ shift }) : statement.run()) })
    }
    const clearKeys = db.prepare('delete from bench_keys')
    const setKey = db.prepare('insert into bench_keys (old, new) values (?, ?)')
    lap('template')
    const copy = db.transaction((from: number, to: number) => {
      for (let n = from; n <= to; n++) {
        clearKeys.run()
        for (const old of templateKeys) setKey.run(old, keys.rewrite(n, old))
        keys.nextCopy()
        lap('keys')
        // Parents first: the tables in TABLES's order.
        for (const { table, insert } of inserts) {
          insert(n * span)
          lap(table)
        }
      }
    })
    // Alone, ten copies a transaction: fewer commits, and still a bounded set of dirty pages in the cache.
    const batch = alone ? 10 : 1
    for (let n = 1; n <= copies; n += batch) copy(n, Math.min(copies, n + batch - 1))
    for (const { table } of inserts) db.exec(`drop table ${templateOf(table)}`)
    db.exec('drop table bench_keys')
    // Each index built in its own transaction, for the same reason.
    for (const index of indexes) db.exec(index.sql)
    if (indexes.length > 0) lap('indexes')
    // Counters ingest keeps beside the rows: every copied document counts as its template does. (The rebuild
    // verdict and project counters of migrations 0029 and 0033 are kept by their triggers as copies are inserted.)
    const counts = db.prepare('select 1 from sqlite_master where type = ? and name = ?').get('table', 'signature_counts')
    if (counts !== undefined) db.prepare('update signature_counts set count = count * ?').run(copies + 1)
    // No ANALYZE: the server never runs one, so the planner sees what it would see in production.
    if (alone) db.pragma('journal_mode = WAL')
    db.pragma('wal_checkpoint(TRUNCATE)')
    lap('checkpoint')
  } finally {
    db.close()
  }
  const cpu = process.cpuUsage(startedCpu)
  return { copies, rows, seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, phases }
}

/**
 * `keyRewriter` in SQL, so PostgreSQL copies rows without sending them anywhere: the same sha256 of
 * `<copy>:<hex run>`, cut (or padded with zeros) to the run's length. A whole-hex value (every key the template
 * holds) is rewritten by a plain SQL expression, which the planner inlines into the INSERT … SELECT (a PL/pgSQL
 * call per value cost twice as much); a value with other text around its hex runs goes through a PL/pgSQL loop.
 */
const PG_REKEY = `
  create or replace function bench_rekey_mixed(copy integer, value text) returns text language plpgsql immutable as $$
  declare
    result text := '';
    rest text := value;
    found text[];
    at integer;
  begin
    if value is null then return null; end if;
    loop
      found := regexp_match(rest, '[0-9a-f]{7,}');
      exit when found is null;
      at := strpos(rest, found[1]);
      result := result || left(rest, at - 1) || rpad(left(encode(sha256(convert_to(copy::text || ':' || found[1], 'UTF8')), 'hex'), length(found[1])), length(found[1]), '0');
      rest := substr(rest, at + length(found[1]));
    end loop;
    return result || rest;
  end $$;
  create or replace function bench_rekey(copy integer, value text) returns text language sql immutable as $$
    select case
      when value ~ '^[0-9a-f]{7,}$' then rpad(left(encode(sha256(convert_to(copy::text || ':' || value, 'UTF8')), 'hex'), length(value)), length(value), '0')
      else bench_rekey_mixed(copy, value)
    end
  $$;`

/**
 * What PostgreSQL's triggers on the copied tables keep, counted again from the rows after a copy that ran without
 * them: the same statements as the migrations that made the triggers backfill with (0019, 0029, 0033). A trigger
 * not named here (a later migration's) keeps firing on its table's copies instead.
 */
const PG_RECOUNTS: Record<string, { table: string; statements: string[] }> = {
  build_dependencies_insert: {
    table: 'builds',
    // Only a build whose dependencies name a sha256 can have one (the function reads nothing else).
    statements: [
      `insert into build_dependencies (build_id, digest_value, time)
       select builds.id, found.digest_value, builds.time from builds cross join lateral build_dependencies_of(builds.resolved_dependencies) as found
       where builds.resolved_dependencies like '%sha256%'
       on conflict do nothing`,
    ],
  },
  project_totals_count: {
    table: 'builds',
    statements: [
      'delete from project_totals',
      'insert into project_totals (project, builds, last_time, source_repo) select project, count(*), max(time), max(source_repo) from builds group by project',
    ],
  },
  rebuild_verdicts_count: {
    table: 'rebuilds',
    statements: [
      'delete from rebuild_verdict_totals',
      'insert into rebuild_verdict_totals (project, verdict, count, last) select project, verdict, count(*), max(time) from rebuilds group by project, verdict',
      'delete from rebuild_verdict_days',
      `insert into rebuild_verdict_days (project, day, verdict, count)
       select project, (time - (((time % 86400000) + 86400000) % 86400000)) as day, verdict, count(*) from rebuilds group by project, day, verdict`,
    ],
  },
}

/** CPU seconds a PostgreSQL server process has used, when it runs on this machine (null when it cannot be read). */
function backendCpu(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return null
  }
}

/**
 * `replicateRows` for a PostgreSQL store holding a template (see `copySqliteToPostgres`): each copy of a table is one
 * INSERT … SELECT from the template's rows inside PostgreSQL, keys rewritten as on SQLite (so a template copied on
 * both engines gives the same keys), times shifted the same way.
 *
 * What makes it fast: `workers` connections copy at once, each taking the next copy; the copies run as a replica
 * (session_replication_role), so neither foreign-key checks (the copies are consistent by construction) nor
 * triggers fire per row, and what the known triggers keep is counted again from the rows after (`PG_RECOUNTS`):
 * a counter trigger made every copy wait on the same few counter rows, and the lineage one opens a
 * subtransaction per build. A table with a trigger the bench does not know is copied with its triggers on, by
 * one connection. Secondary indexes are dropped first and built again after (one sort each, several at once);
 * the WAL may grow to 8 GB between checkpoints during the fill (fewer full-page images), and is set back after.
 * VACUUM ANALYZE at the end, as autovacuum would do after such a load.
 */
export async function replicatePostgres(url: string, copies: number, options: FillOptions = {}): Promise<FillReport> {
  const started = performance.now()
  const connect = async () => {
    const connection = new pg.Client({ connectionString: url })
    connection.on('error', () => undefined)
    await connection.connect()
    // The copy is thrown away with the bench; waiting for each commit's WAL flush is not what is measured.
    await connection.query('set synchronous_commit = off')
    await connection.query("set maintenance_work_mem = '512MB'")
    return connection
  }
  const client = await connect()
  const workers = [client]
  const rows: Record<string, number> = {}
  const phases: Record<string, Phase> = {}
  const pids: number[] = []
  const cpuOf = () => {
    let total = 0
    for (const pid of pids) {
      const used = backendCpu(pid)
      if (used === null) return null
      total += used
    }
    return pids.length === 0 ? null : total
  }
  let cpuBefore: number | null = null
  let cpuAfter: number | null = null
  let lap = phaseTimer(phases, () => null)
  try {
    while (workers.length < Math.max(1, options.workers ?? 2)) workers.push(await connect())
    for (const worker of workers) pids.push(Number((await worker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid))
    cpuBefore = cpuOf()
    lap = phaseTimer(phases, cpuOf)
    await client.query("alter system set max_wal_size = '8GB'")
    await client.query('select pg_reload_conf()')
    await client.query(PG_REKEY)
    const times = (await client.query<{ low: string | null; high: string | null }>('select min(time) as low, max(time) as high from builds')).rows[0]
    const span = copyShift(times?.low == null ? null : Number(times.low), times?.high == null ? null : Number(times.high), options.spread)
    const present = (await client.query<{ name: string }>(`select table_name as name from information_schema.tables where table_schema = current_schema() and table_name = any($1)`, [TABLES])).rows.map((row) => row.name)
    const triggers = (
      await client.query<{ name: string; table: string }>(
        `select t.tgname as name, c.relname as table from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
         where not t.tgisinternal and n.nspname = current_schema() and c.relname = any($1)`,
        [present],
      )
    ).rows
    const indexes = await dropSecondaryIndexes(client, present)
    lap('setup')
    for (const table of TABLES) {
      if (!present.includes(table)) continue
      const columns = await writableColumns(client, table)
      const list = columns.map((c) => `"${c}"`).join(', ')
      // A plain table, not a temporary one: every connection reads it.
      await client.query(`create unlogged table ${templateOf(table)} as select ${list} from ${table}`)
      const count = Number((await client.query<{ count: string }>(`select count(*) as count from ${templateOf(table)}`)).rows[0]?.count ?? 0)
      const values = columns.map((name) => {
        const how = columnPlan(table, name)
        return how === 'null' ? 'null' : how === 'key' ? `bench_rekey($1, "${name}")` : how === 'time' ? `"${name}" - $2` : `"${name}"`
      })
      const insert = `insert into ${table} (${list}) select ${values.join(', ')} from ${templateOf(table)}`
      // PostgreSQL wants exactly the parameters a statement names: a table without times has no $2.
      const parameters = (copy: number) => (insert.includes('$2') ? [copy, copy * span] : [copy])
      const unknown = triggers.some((trigger) => trigger.table === table && PG_RECOUNTS[trigger.name] === undefined)
      const copying = unknown ? workers.slice(0, 1) : workers
      let next = 1
      await Promise.all(
        copying.map(async (worker) => {
          await worker.query(`set session_replication_role = ${unknown ? 'origin' : 'replica'}`)
          for (let copy = next++; copy <= copies; copy = next++) await worker.query(insert, parameters(copy))
          await worker.query('set session_replication_role = origin')
        }),
      )
      await client.query(`drop table ${templateOf(table)}`)
      rows[table] = count * (copies + 1)
      lap(table)
    }
    for (const [name, recount] of Object.entries(PG_RECOUNTS)) {
      if (!triggers.some((trigger) => trigger.name === name && trigger.table === recount.table)) continue
      for (const statement of recount.statements) await client.query(statement)
      lap(`recount ${name}`)
    }
    // Several indexes built at once, one per connection; each may also use PostgreSQL's parallel workers.
    const pending = [...indexes]
    await Promise.all(workers.map(async (worker) => {
      for (let index = pending.shift(); index !== undefined; index = pending.shift()) await worker.query(index.definition)
    }))
    lap('indexes')
    await client.query('update signature_counts set count = count * $1', [copies + 1])
    await client.query('drop function bench_rekey(integer, text)')
    await client.query('drop function bench_rekey_mixed(integer, text)')
    await client.query('alter system reset max_wal_size')
    await client.query('select pg_reload_conf()')
    await client.query('vacuum analyze')
    lap('vacuum analyze')
  } finally {
    cpuAfter = cpuOf()
    for (const worker of workers) await worker.end()
  }
  return { copies, rows, seconds: (performance.now() - started) / 1000, cpuSeconds: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore, phases }
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
  return { copies: 0, rows, seconds: (performance.now() - started) / 1000, cpuSeconds: null, phases: {} }
}
