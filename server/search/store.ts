import { sql } from 'kysely'
import { z } from 'zod'
import { BuildId, DigestSet, Subject } from '../../src/contract/common'
import { SearchResponse, type SearchResult } from '../../src/contract/search'
import { splitDigest } from '../../domain/digests'
import { MAX_NAME_ARTIFACTS, nameCountCap, nameSummary, projectSummary, searchReadings, signerSummary } from '../../domain/search-query'
import { artifactRepository } from '../artifacts/store'
import { summaryColumns, type SummaryRow } from '../builds/summaries'
import { instant, parseJson, type Db, type StoreKind } from '../store/db'
import { between, prefixUpperBound, startsWith, textKey } from '../store/text-keys'

/*
 * Search over digests (full or a prefix), commits and build ids (full or short), artifact names, purls and
 * signers. Every lookup by prefix is one index seek per distinct value, so a popular prefix costs what a rare
 * one does.
 */

export interface SearchRepository {
  /** How the query was read and at most 20 things it names, exact matches first. */
  find(q: string): Promise<SearchResponse>
}

export function searchRepository(db: Db, kind: StoreKind): SearchRepository {
  return { find: (q) => search(db, kind, q) }
}

const MAX_SEARCH_RESULTS = 20

const short = (hex: string) => (hex.length > 12 ? `${hex.slice(0, 12)}…` : hex)

/** Reads the query as a build id, a commit, a digest or text (domain/search-query.ts), and finds at most 20 things. */
async function search(db: Db, kind: StoreKind, q: string): Promise<SearchResponse> {
  const query = q.trim()
  const lower = query.toLowerCase()
  const respond = (interpretedAs: SearchResponse['interpretedAs'], results: SearchResult[]) =>
    SearchResponse.parse({ query, interpretedAs, results: results.slice(0, MAX_SEARCH_RESULTS) })

  for (const reading of searchReadings(query)) {
    if (reading === 'build-id') {
      const build = await db.selectFrom('builds').select(summaryColumns).where('builds.id', '=', lower).executeTakeFirst()
      if (build !== undefined) return respond('build-id', [buildResult(build, 'build', build.project), ...(await digestResults(db, kind, lower))])
    } else if (reading === 'commit') {
      const builds = await db
        .selectFrom('builds')
        .select(summaryColumns)
        .where('builds.source_commit', '=', lower)
        .orderBy('builds.time', 'desc')
        .orderBy('builds.id', 'desc')
        .limit(MAX_SEARCH_RESULTS)
        .execute()
      if (builds.length > 0)
        return respond(
          'commit',
          builds.map((build) => buildResult(build, 'commit', `commit ${lower.slice(0, 12)}`)),
        )
    } else if (reading === 'commit-prefix') {
      const results = await shortCommitResults(db, kind, lower)
      if (results.length > 0) return respond('commit', results)
    } else if (reading === 'build-id-prefix') {
      const builds = await db
        .selectFrom('builds')
        .select(summaryColumns)
        .where(startsWith(kind, 'builds.id', lower))
        .orderBy(textKey(kind, 'builds.id'))
        .limit(MAX_SEARCH_RESULTS)
        .execute()
      if (builds.length > 0)
        return respond(
          'build-id',
          builds.map((build) => buildResult(build, 'build', `build ${build.id.slice(0, 12)}`)),
        )
    } else if (reading === 'digest') {
      return respond('digest', await digestResults(db, kind, lower))
    } else {
      return respond('text', await textResults(db, kind, query))
    }
  }
  return respond('text', [])
}

function buildResult(build: SummaryRow, resultKind: 'build' | 'commit', title: string): SearchResult {
  return {
    kind: resultKind,
    title,
    detail: `${build.project} · ${build.status}`,
    when: { what: 'built', at: instant(build.time) },
    target: { type: 'build', id: BuildId.parse(build.id) },
  }
}

/**
 * The builds of every commit starting with a short commit, newest first within each commit: one seek per distinct
 * commit on (source_commit, time, id), so a short commit that names two commits lists both.
 */
async function shortCommitResults(db: Db, kind: StoreKind, prefix: string): Promise<SearchResult[]> {
  const results: SearchResult[] = []
  for (const commit of await distinctPrefixed(db, kind, 'builds', 'source_commit', prefix, MAX_SEARCH_RESULTS)) {
    const builds = await db
      .selectFrom('builds')
      .select(summaryColumns)
      .where('builds.source_commit', '=', commit)
      .orderBy('builds.time', 'desc')
      .orderBy('builds.id', 'desc')
      .limit(MAX_SEARCH_RESULTS - results.length)
      .execute()
    results.push(...builds.map((build) => buildResult(build, 'commit', `commit ${commit.slice(0, 12)}`)))
    if (results.length >= MAX_SEARCH_RESULTS) break
  }
  return results
}

/** Artifacts whose digest is, or starts with, the query: the exact one alone, else up to 20 candidates. */
async function digestResults(db: Db, kind: StoreKind, text: string): Promise<SearchResult[]> {
  const resolved = await artifactRepository(db, kind).resolve(text)
  const digests = resolved.kind === 'found' ? [`${resolved.algorithm}:${resolved.value}`] : resolved.kind === 'ambiguous' ? resolved.candidates : []
  const results: SearchResult[] = []
  for (const digest of digests) {
    const { algorithm, value } = splitDigest(digest)
    const newest = await db
      .selectFrom('subjects')
      .innerJoin('builds', 'builds.id', 'subjects.build_id')
      .select(['subjects.name', 'builds.project', 'builds.time'])
      .where('subjects.digest_value', '=', value)
      .where('subjects.digest_algorithm', '=', algorithm ?? 'sha256')
      .orderBy('subjects.time', 'desc')
      .limit(1)
      .executeTakeFirst()
    const rebuilt =
      newest === undefined
        ? await db
            .selectFrom('rebuilds')
            .select(['artifact_name', 'project', 'time'])
            .where('artifact_digest', '=', value)
            .orderBy('time', 'desc')
            .limit(1)
            .executeTakeFirst()
        : undefined
    const name = newest?.name ?? rebuilt?.artifact_name ?? null
    const where = newest ? newest.project : rebuilt ? rebuilt.project : 'described by an SBOM'
    const when: SearchResult['when'] = newest ? { what: 'built', at: instant(newest.time) } : rebuilt ? { what: 'rebuilt', at: instant(rebuilt.time) } : null
    results.push({
      kind: 'artifact',
      title: name ?? `${algorithm}:${short(value)}`,
      detail: `${algorithm}:${short(value)} · ${where}`,
      when,
      target: { type: 'artifact', digest },
    })
  }
  return results
}

/** Up to `limit` distinct values of `column` starting with `prefix`, in byte order, one index seek each. */
async function distinctPrefixed(
  db: Db,
  kind: StoreKind,
  table: 'subjects' | 'sboms' | 'documents' | 'builds',
  column: 'name' | 'subject_purl' | 'signer' | 'source_commit',
  prefix: string,
  limit: number,
): Promise<string[]> {
  const values: string[] = []
  let last: string | undefined
  while (values.length < limit) {
    // One lower bound per query (the prefix, then the last value), so each step is one seek, not a scan past
    // every row of the values already seen.
    const select = db
      .selectFrom(table)
      .select(sql<string>`${sql.ref(column)}`.as('value'))
      .where(last === undefined ? startsWith(kind, column, prefix) : between(kind, column, last, prefix))
    const row = await select.orderBy(textKey(kind, column)).limit(1).executeTakeFirst()
    if (row === undefined || row.value === null) break
    values.push(row.value)
    last = row.value
  }
  return values
}

/** Artifact names, projects, purls and signer identities starting with the text; exact matches first. */
async function textResults(db: Db, kind: StoreKind, text: string): Promise<SearchResult[]> {
  const exact: SearchResult[] = []
  const prefixed: SearchResult[] = []
  const place = (value: string, result: SearchResult) => (value === text ? exact : prefixed).push(result)

  // The names starting with the text and what each answers, in one statement (a popular prefix is 20 names, and
  // a statement per fact per name was most of the time); the name typed exactly gets its full list.
  const prefixedFacts = await prefixedNames(db, kind, text)
  const projects = await projectsOf(
    db,
    prefixedFacts.flatMap((facts) => (facts.name !== text && !facts.otherDigest && facts.newest !== null ? [facts.newest.buildId] : [])),
  )
  for (const facts of prefixedFacts) {
    if (facts.name === text) for (const result of await nameResults(db, facts.name, true)) place(facts.name, result)
    else for (const result of prefixNameResults(facts, projects)) place(facts.name, result)
  }
  // Projects from their totals (one small row each), bytewise in order as the other prefixes.
  for (const row of await db
    .selectFrom('project_totals')
    .select(['project', 'builds'])
    .where(startsWith(kind, 'project', text))
    .orderBy(textKey(kind, 'project'))
    .limit(MAX_SEARCH_RESULTS)
    .execute()) {
    place(row.project, {
      kind: 'project',
      title: row.project,
      detail: projectSummary(Number(row.builds)),
      when: null,
      target: { type: 'builds', project: row.project },
    })
  }
  for (const purl of await distinctPrefixed(db, kind, 'sboms', 'subject_purl', text, MAX_SEARCH_RESULTS)) {
    const sbom = await db
      .selectFrom('sboms')
      .select(['subject_name', 'subject_version', 'subject_digest', 'statement_subjects'])
      .where('subject_purl', '=', purl)
      .orderBy('ingested_at', 'desc')
      .orderBy('document_id', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (sbom === undefined) continue
    const digest = sbomDigest(sbom.subject_digest, sbom.statement_subjects)
    if (digest === null) continue
    place(purl, {
      kind: 'package',
      title: purl,
      detail: `SBOM of ${[sbom.subject_name, sbom.subject_version].filter((part) => part !== null).join(' ') || 'an artifact'} · ${short(digest)}`,
      when: null,
      target: { type: 'artifact', digest },
    })
  }
  for (const signer of await distinctPrefixed(db, kind, 'documents', 'signer', text, MAX_SEARCH_RESULTS)) {
    // A bounded count: "1000+" is as useful as the exact figure and costs nothing on a busy signer. Compared bytewise
    // (the same equality) so PostgreSQL seeks the signer in its bytewise index: asked with the database collation it
    // chose that index anyway for a popular signer and read it from the start with a filter (172 ms at 100,000 builds).
    const counted = await db
      .selectFrom((eb) => eb.selectFrom('documents').select('id').where(textKey(kind, 'signer'), '=', signer).limit(1000).as('capped'))
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow()
    place(signer, { kind: 'signer', title: signer, detail: signerSummary(Number(counted.count)), when: null, target: { type: 'signatures', signer } })
  }
  return [...exact, ...prefixed]
}

/** What a name found by prefix answers: its newest artifact, whether another digest carries it, its builds to a cap. */
type PrefixedName = {
  name: string
  newest: { buildId: string; time: number; algorithm: string; value: string } | null
  otherDigest: boolean
  builds: number
}

/**
 * Up to 20 names starting with `prefix`, bytewise in order, with the facts each answers by: a loose index scan (a
 * recursive CTE seeking the next name, one B-tree seek a name) and, per name, correlated lookups on the
 * (name, time, build_id, position, digest_algorithm) index: the newest row with a digest, one row with another
 * digest, and its sha256 subjects counted to the prefix cap. One statement on both engines, whatever the prefix.
 */
async function prefixedNames(db: Db, kind: StoreKind, prefix: string): Promise<PrefixedName[]> {
  const name = (alias: string) => (kind === 'postgres' ? sql.raw(`${alias}.name collate "C"`) : sql.raw(`${alias}.name`))
  const upper = prefixUpperBound(prefix)
  const below = (alias: string) => (upper === null ? sql`` : sql` and ${name(alias)} < ${upper}`)
  const newest = (column: string) =>
    sql.raw(`(select s.${column} from subjects s where s.name = f.name and s.digest_value is not null order by s.time desc, s.build_id desc limit 1)`)
  const cap = nameCountCap(false)
  const rows = await sql<{
    name: string
    build_id: string | null
    time: number | string | null
    algorithm: string | null
    value: string | null
    other: number | boolean | null
    builds: number | string
  }>`
    with recursive found(name, n) as (
      select (select s.name from subjects s where ${name('s')} >= ${prefix}${below('s')} order by ${name('s')} limit 1), 1
      union all
      select (select s.name from subjects s where ${name('s')} > ${name('found')}${below('s')} order by ${name('s')} limit 1), found.n + 1
      from found where found.name is not null and found.n < ${MAX_SEARCH_RESULTS}
    ), facts as (
      select f.n, f.name, ${newest('build_id')} as build_id, ${newest('time')} as time, ${newest('digest_algorithm')} as algorithm, ${newest('digest_value')} as value
      from found f where f.name is not null
    )
    select facts.name, facts.build_id, facts.time, facts.algorithm, facts.value,
      exists (select 1 from subjects s where s.name = facts.name and s.digest_value is not null and s.digest_value <> facts.value) as other,
      (select count(*) from (select 1 from subjects s where s.name = facts.name and s.digest_algorithm = 'sha256' limit ${cap}) capped) as builds
    from facts order by facts.n
  `.execute(db)
  return rows.rows.map((row) => ({
    name: row.name,
    newest:
      row.build_id !== null && row.time !== null && row.algorithm !== null && row.value !== null
        ? { buildId: row.build_id, time: Number(row.time), algorithm: row.algorithm, value: row.value }
        : null,
    otherDigest: row.other === true || Number(row.other) === 1,
    builds: Number(row.builds),
  }))
}

/** The projects of the given builds, in one query. */
async function projectsOf(db: Db, buildIds: readonly string[]): Promise<Map<string, string>> {
  const ids = [...new Set(buildIds)]
  if (ids.length === 0) return new Map()
  return new Map((await db.selectFrom('builds').select(['id', 'project']).where('id', 'in', ids).execute()).map((row) => [row.id, row.project]))
}

/** A name found by prefix: its one artifact, or a line with the counts leading to the Artifacts list filtered by it. */
function prefixNameResults(facts: PrefixedName, projects: ReadonlyMap<string, string>): SearchResult[] {
  const { name, newest } = facts
  if (newest === null) return []
  if (!facts.otherDigest) {
    const digest = `${newest.algorithm}:${newest.value}`
    return [
      {
        kind: 'artifact',
        title: name,
        detail: `${projects.get(newest.buildId) ?? 'unknown project'} · ${newest.algorithm}:${short(newest.value)}`,
        when: { what: 'newest built', at: instant(newest.time) },
        target: { type: 'artifact', digest },
      },
    ]
  }
  const cap = nameCountCap(false)
  return [
    {
      kind: 'artifact',
      title: name,
      detail: nameSummary(name, null, false, facts.builds, facts.builds >= cap),
      when: { what: 'newest built', at: instant(newest.time) },
      target: { type: 'artifacts', name },
    },
  ]
}

/** The newest builds of a name read to list its artifacts: a bounded range of the (name, time) index. */
const NAME_ROWS = 200

/**
 * What a name found by text search answers: the artifact, when one digest carries it; else a line with the
 * counts (to the Artifacts list filtered by the name) and, when the name was typed exactly, its artifacts
 * newest first, so the newest is never silently the only answer. A name found by prefix is only probed: its
 * newest row and one with another digest, and its builds counted to a lower cap.
 */
async function nameResults(db: Db, name: string, exact: boolean): Promise<SearchResult[]> {
  // Subjects alone (no join): the project is read below only for the few artifacts shown.
  const rows = await db
    .selectFrom('subjects')
    .select(['digest_algorithm', 'digest_value', 'build_id', 'time'])
    .where('name', '=', name)
    .where('digest_value', 'is not', null)
    .orderBy('time', 'desc')
    .orderBy('build_id', 'desc')
    .limit(exact ? NAME_ROWS : 1)
    .execute()
  const [newestRow] = rows
  if (!exact && newestRow?.digest_value != null) {
    const other = await db
      .selectFrom('subjects')
      .select(['digest_algorithm', 'digest_value', 'build_id', 'time'])
      .where('name', '=', name)
      .where('digest_value', 'is not', null)
      .where('digest_value', '<>', newestRow.digest_value)
      .limit(1)
      .execute()
    rows.push(...other)
  }
  const artifacts = new Map<string, { buildId: string; time: number }>()
  for (const row of rows) {
    if (row.digest_algorithm === null || row.digest_value === null) continue
    const digest = `${row.digest_algorithm}:${row.digest_value}`
    if (!artifacts.has(digest)) artifacts.set(digest, { buildId: row.build_id, time: row.time ?? 0 })
  }
  const entries = [...artifacts.entries()]
  const shown = entries.slice(0, entries.length === 1 || !exact ? 1 : MAX_NAME_ARTIFACTS)
  const buildIds = [...new Set(shown.map(([, where]) => where.buildId))]
  const projects = new Map(
    buildIds.length === 0
      ? []
      : (await db.selectFrom('builds').select(['id', 'project']).where('id', 'in', buildIds).execute()).map((row) => [row.id, row.project]),
  )
  const place = (where: { buildId: string }) => projects.get(where.buildId) ?? 'unknown project'
  const [newest] = entries
  if (newest === undefined) return []
  if (entries.length === 1) {
    const [digest, where] = newest
    const { algorithm, value } = splitDigest(digest)
    return [
      {
        kind: 'artifact',
        title: name,
        detail: `${place(where)} · ${algorithm}:${short(value)}`,
        when: { what: 'newest built', at: instant(where.time) },
        target: { type: 'artifact', digest },
      },
    ]
  }
  // Subject rows with a sha256 digest: one a build that published the name, counted from the index alone.
  const counted = await db
    .selectFrom((eb) =>
      eb.selectFrom('subjects').select('build_id').where('name', '=', name).where('digest_algorithm', '=', 'sha256').limit(nameCountCap(exact)).as('capped'),
    )
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow()
  const builds = Number(counted.count)
  const summary: SearchResult = {
    kind: 'artifact',
    title: name,
    detail: nameSummary(name, exact ? entries.length : null, rows.length === NAME_ROWS, builds, builds >= nameCountCap(exact)),
    when: { what: 'newest built', at: instant(newest[1].time) },
    target: { type: 'artifacts', name },
  }
  if (!exact) return [summary]
  return [
    summary,
    ...shown.map(([digest, where], index): SearchResult => {
      const { algorithm, value } = splitDigest(digest)
      return {
        kind: 'artifact',
        title: `${name} (${index === 0 ? 'newest' : `${index + 1} of ${entries.length}`})`,
        detail: `${place(where)} · ${algorithm}:${short(value)}`,
        when: { what: 'built', at: instant(where.time) },
        target: { type: 'artifact', digest },
      }
    }),
  ]
}

/** The digest an SBOM's subject is found by: its described component's sha256, else its first in-toto subject's. */
function sbomDigest(subjectDigest: string, statementSubjects: string): string | null {
  const own = DigestSet.safeParse(parseJson(subjectDigest))
  const candidates = [own.success ? own.data : {}, ...(z.array(Subject).safeParse(parseJson(statementSubjects)).data ?? []).map((subject) => subject.digest)]
  for (const digest of candidates) {
    const algorithm = digest.sha256 !== undefined ? 'sha256' : Object.keys(digest).sort()[0]
    const value = algorithm === undefined ? undefined : digest[algorithm]
    if (algorithm !== undefined && value !== undefined) return `${algorithm}:${value}`
  }
  return null
}
