import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { BuildDetail, BuildPage, BuildQuery, ProjectList, type BuildQueryInput } from '../../src/contract/builds'
import type { Subject, Verification, VerificationStatus } from '../../src/contract/common'
import { encodeCursor } from './cursor'
import { StoreQueryError } from './errors'
import { openStore } from './store'
import { startPgCluster, type PgCluster } from './testing/pg-cluster'
import type { IngestItem } from '../documents/records'
import type { StoreKind } from './db'
import type { Store } from './types'

/** Where a fresh, empty store lives; `open` may be called again to reopen the same data. */
type Location = { open(): Promise<Store>; dataDir: string }

type Backend = {
  kind: StoreKind
  setup(): Promise<void>
  teardown(): Promise<void>
  fresh(): Promise<Location>
}

const tempDirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'provenance-store-'))
  tempDirs.push(dir)
  return dir
}

const sqlite: Backend = {
  kind: 'sqlite',
  async setup() {},
  async teardown() {},
  fresh() {
    // A nested directory that does not exist yet: openStore must create it.
    const dataDir = join(tempDir(), 'data', 'nested')
    return Promise.resolve({ dataDir, open: () => openStore({ dataDir }) })
  },
}

let cluster: PgCluster | undefined
let clusterError: unknown
let databases = 0
const postgres: Backend = {
  kind: 'postgres',
  async setup() {
    // A failed start is rethrown by every test rather than from beforeAll, where vitest would list the
    // tests as skipped: a missing PostgreSQL must read as failures naming the command that installs it.
    cluster = await startPgCluster().catch((error: unknown) => {
      clusterError = error
      return undefined
    })
  },
  async teardown() {
    await cluster?.stop()
  },
  async fresh() {
    if (cluster === undefined) {
      if (clusterError instanceof Error) throw clusterError
      throw new Error(`PostgreSQL did not start: ${String(clusterError)}`)
    }
    const databaseUrl = await cluster.createDatabase(`store_test_${++databases}`)
    const dataDir = tempDir()
    return { dataDir, open: () => openStore({ databaseUrl, dataDir }) }
  },
}

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

const T0 = Date.UTC(2025, 0, 1)
const HOUR = 3_600_000
/** Bytes that are not valid UTF-8, so any text round trip in the driver would corrupt them. */
const NON_UTF8 = [0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0xed, 0xa0, 0x80]

const verified: Verification = {
  status: 'verified',
  failedCheck: null,
  checks: [{ name: 'envelope-signature', ok: true }, { name: 'signer-trusted', ok: true }],
  signers: [{ keyId: 'key-1', trustedKeyId: 'ci-key', algorithm: 'ecdsa-p256-sha256' }],
}

function verification(status: VerificationStatus): Verification {
  if (status === 'verified') return verified
  if (status === 'failed') {
    return {
      status,
      failedCheck: 'envelope-signature',
      checks: [{ name: 'envelope-signature', ok: false, expected: 'valid', actual: 'mismatch' }],
      signers: [{ keyId: 'key-1', trustedKeyId: null, algorithm: null }],
    }
  }
  return { status, failedCheck: null, checks: [], signers: [] }
}

type ItemSpec = {
  n: number
  project?: string
  repo?: string | null
  status?: VerificationStatus
  time?: number
  subjects?: Subject[]
  withBuild?: boolean
}

function item(spec: ItemSpec): IngestItem {
  const project = spec.project ?? 'acme/web'
  const repo = spec.repo === undefined ? `https://github.com/${project}` : spec.repo
  const status = spec.status ?? 'verified'
  const time = spec.time ?? T0 + spec.n * HOUR
  const raw = Uint8Array.from([...Buffer.from(JSON.stringify({ n: spec.n, project, time }), 'utf8'), ...NON_UTF8])
  const id = createHash('sha256').update(raw).digest('hex')
  const v = verification(status)
  return {
    document: {
      id,
      raw,
      format: 'dsse',
      payloadType: 'application/vnd.in-toto+json',
      verification: v,
      ingestedAt: T0,
    },
    build:
      spec.withBuild === false
        ? null
        : {
            id,
            documentId: id,
            project,
            sourceRepo: repo,
            sourceCommit: 'a'.repeat(40),
            builderId: 'https://github.com/actions/runner',
            buildType: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
            invocationId: `run-${spec.n}`,
            predicateType: 'https://slsa.dev/provenance/v1',
            statementType: 'https://in-toto.io/Statement/v1',
            slsaVersion: 'v1',
            status,
            failedCheck: v.failedCheck,
            startedAt: time - 60_000,
            finishedAt: time,
            ingestedAt: T0,
            time,
            subjects: spec.subjects ?? [{ name: `app-${spec.n}.tgz`, digest: { sha256: hex(`subject-${spec.n}`) } }],
            externalParameters: { workflow: { ref: 'refs/heads/main', path: '.github/workflows/build.yml' } },
            internalParameters: undefined,
            resolvedDependencies: [
              { uri: 'git+https://github.com/acme/web', name: null, digest: { gitCommit: 'a'.repeat(40) } },
            ],
            statement: JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', n: spec.n }, null, 2),
          },
  }
}

function hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

function query(input: BuildQueryInput = {}): BuildQuery {
  return BuildQuery.parse(input)
}

/** Follows nextCursor to the end, checking every page against the contract on the way. */
async function allPages(store: Store, input: BuildQueryInput): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = []
  let cursor: string | undefined
  let pages = 0
  do {
    const page = BuildPage.parse(await store.builds.list(query({ ...input, cursor })))
    pages += 1
    ids.push(...page.items.map((build) => build.id))
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined && pages < 1000)
  return { ids, pages }
}

/** The order every list promises: newest first, ties broken by id, descending. */
function expectedOrder(items: IngestItem[]): string[] {
  return items
    .flatMap(({ build }) => (build === null ? [] : [build]))
    .sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((build) => build.id)
}

describe.each([sqlite, postgres])('store on $kind', (backend) => {
  const open: Store[] = []
  let location: Location

  beforeAll(() => backend.setup(), 60_000)
  afterAll(() => backend.teardown(), 30_000)
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()))
  })

  async function freshStore(): Promise<Store> {
    location = await backend.fresh()
    return reopen()
  }
  async function reopen(): Promise<Store> {
    const store = await location.open()
    open.push(store)
    return store
  }

  it('opens the expected backend', async () => {
    const store = await freshStore()
    expect(store.kind).toBe(backend.kind)
    expect(await store.documents.count()).toBe(0)
    expect(await store.builds.list(query())).toEqual({ items: [], nextCursor: null })
    expect(await store.builds.projects()).toEqual({ items: [] })
  })

  it('returns the raw bytes byte for byte, including bytes that are not UTF-8', async () => {
    const store = await freshStore()
    const first = item({ n: 1 })
    const second = item({ n: 2, withBuild: false })
    const outcomes = await store.documents.ingest([first, second])
    expect(outcomes).toEqual([
      { id: first.document.id, created: true, verification: verified, buildId: first.document.id },
      { id: second.document.id, created: true, verification: verified, buildId: null },
    ])

    const stored = await store.documents.get(first.document.id)
    expect(stored).not.toBeNull()
    expect(Buffer.from(stored?.raw ?? []).equals(Buffer.from(first.document.raw))).toBe(true)
    expect(Array.from(stored?.raw.slice(-NON_UTF8.length) ?? [])).toEqual(NON_UTF8)
    expect(stored).toMatchObject({
      seq: 1,
      id: first.document.id,
      format: 'dsse',
      payloadType: 'application/vnd.in-toto+json',
      verification: verified,
      ingestedAt: T0,
    })
    expect((await store.documents.get(second.document.id))?.seq).toBe(2)
    expect(await store.documents.get('0'.repeat(64))).toBeNull()
    expect(await store.documents.count()).toBe(2)
  })

  it('keeps the first record of a duplicate document and reports it unchanged', async () => {
    const store = await freshStore()
    const original = item({ n: 1, status: 'verified' })
    await store.documents.ingest([original])

    // Same bytes, verified again later against different trust material: nothing may change.
    const again: IngestItem = {
      document: { ...original.document, verification: verification('untrusted'), ingestedAt: T0 + HOUR },
      build: original.build && { ...original.build, status: 'untrusted', project: 'someone/else' },
    }
    const [outcome] = await store.documents.ingest([again])
    expect(outcome).toEqual({
      id: original.document.id,
      created: false,
      verification: verified,
      buildId: original.document.id,
    })

    expect(await store.documents.count()).toBe(1)
    expect((await store.documents.get(original.document.id))?.verification).toEqual(verified)
    const detail = await store.builds.get(original.document.id)
    expect(detail?.status).toBe('verified')
    expect(detail?.project).toBe('acme/web')
    expect(detail?.document.ingestedAt).toBe(new Date(T0).toISOString())
  })

  it('treats a repeated id within one batch as a duplicate', async () => {
    const store = await freshStore()
    const one = item({ n: 1 })
    const again: IngestItem = { ...one, document: { ...one.document, verification: verification('failed') } }
    const outcomes = await store.documents.ingest([one, again])
    expect(outcomes.map((outcome) => outcome.created)).toEqual([true, false])
    expect(outcomes[1]?.verification).toEqual(verified)
    expect(await store.documents.count()).toBe(1)
  })

  it('stores one record when eight clients post the same document at once', async () => {
    const store = await freshStore()
    const one = item({ n: 7 })
    const outcomes = (await Promise.all(Array.from({ length: 8 }, () => store.documents.ingest([one])))).flat()
    expect(outcomes.filter((outcome) => outcome.created)).toHaveLength(1)
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ id: one.document.id, verification: verified, buildId: one.document.id })
    }
    expect(await store.documents.count()).toBe(1)
    expect((await store.builds.list(query())).items).toHaveLength(1)
  })

  it('rejects a document whose id is not the SHA-256 of its bytes, storing nothing of the batch', async () => {
    const store = await freshStore()
    const good = item({ n: 1 })
    const bad = item({ n: 2 })
    const tampered: IngestItem = { ...bad, document: { ...bad.document, raw: Uint8Array.from([1, 2, 3]) } }
    await expect(store.documents.ingest([good, tampered])).rejects.toThrow(/not the SHA-256/)
    expect(await store.documents.count()).toBe(0)
  })

  it('rolls back the whole batch when one item fails inside the transaction', async () => {
    const store = await freshStore()
    const good = item({ n: 1 })
    const broken = item({ n: 2 })
    // NaN reaches the database (NULL in SQLite, 'NaN' in PostgreSQL) and violates the schema there,
    // after the first item of the batch was already written.
    const failing: IngestItem = { ...broken, build: broken.build && { ...broken.build, time: Number.NaN } }
    await expect(store.documents.ingest([good, failing])).rejects.toThrow()
    expect(await store.documents.count()).toBe(0)
    expect(await store.documents.get(good.document.id)).toBeNull()
    expect((await store.documents.ingest([good]))[0]?.created).toBe(true)
  })

  describe('listing builds', () => {
    // 30 builds over three projects and statuses, with deliberate ties in time to exercise the id tiebreak.
    const statuses: VerificationStatus[] = ['verified', 'failed', 'untrusted']
    const projects = ['acme/web', 'acme/api', 'globex/cli']
    const items = Array.from({ length: 30 }, (_, n) =>
      item({
        n,
        project: projects[n % 3],
        status: statuses[Math.floor(n / 3) % 3],
        repo: n % 10 === 9 ? null : undefined,
        time: T0 + Math.floor(n / 4) * HOUR,
      }),
    )
    const ids = (predicate: (build: NonNullable<IngestItem['build']>) => boolean) =>
      expectedOrder(items.filter(({ build }) => build !== null && predicate(build)))

    it('lists newest first and filters by project, repo, status and time range', async () => {
      const store = await freshStore()
      await store.documents.ingest(items)

      const everything = BuildPage.parse(await store.builds.list(query({ limit: 500 })))
      expect(everything.items.map((build) => build.id)).toEqual(ids(() => true))
      expect(everything.nextCursor).toBeNull()

      const byProject = await store.builds.list(query({ project: 'acme/api', limit: 500 }))
      expect(byProject.items.map((build) => build.id)).toEqual(ids((build) => build.project === 'acme/api'))
      expect(byProject.items.every((build) => build.project === 'acme/api')).toBe(true)

      const repo = 'https://github.com/globex/cli'
      const byRepo = await store.builds.list(query({ repo, limit: 500 }))
      expect(byRepo.items.map((build) => build.id)).toEqual(ids((build) => build.sourceRepo === repo))
      expect(byRepo.items.length).toBeGreaterThan(0)

      const failed = await store.builds.list(query({ status: 'failed', limit: 500 }))
      expect(failed.items.map((build) => build.id)).toEqual(ids((build) => build.status === 'failed'))
      expect(failed.items.every((build) => build.failedCheck === 'envelope-signature')).toBe(true)

      // from is inclusive, to exclusive, on the build's time.
      const from = new Date(T0 + 2 * HOUR).toISOString()
      const to = new Date(T0 + 5 * HOUR).toISOString()
      const range = await store.builds.list(query({ from, to, limit: 500 }))
      expect(range.items.map((build) => build.id)).toEqual(
        ids((build) => build.time >= T0 + 2 * HOUR && build.time < T0 + 5 * HOUR),
      )
      expect(range.items.map((build) => build.time)).toContain(from)
      expect(range.items.map((build) => build.time)).not.toContain(to)

      const combined = await store.builds.list(query({ project: 'acme/web', status: 'verified', from, limit: 500 }))
      expect(combined.items.map((build) => build.id)).toEqual(
        ids((build) => build.project === 'acme/web' && build.status === 'verified' && build.time >= T0 + 2 * HOUR),
      )

      expect((await store.builds.list(query({ project: 'nobody/nothing' }))).items).toEqual([])
    })

    it('returns each build exactly once across pages, with its subjects and ISO times', async () => {
      const store = await freshStore()
      await store.documents.ingest(items)

      const { ids: paged, pages } = await allPages(store, { limit: 7 })
      expect(pages).toBe(Math.ceil(items.length / 7))
      expect(paged).toEqual(ids(() => true))
      expect(new Set(paged).size).toBe(items.length)

      const filtered = await allPages(store, { status: 'untrusted', limit: 2 })
      expect(filtered.ids).toEqual(ids((build) => build.status === 'untrusted'))

      // A page size that divides the total exactly must still end with a null cursor, not an empty page.
      const exact = await allPages(store, { limit: 10 })
      expect(exact.pages).toBe(3)

      const first = (await store.builds.list(query({ limit: 1 }))).items[0]
      const source = items.find(({ build }) => build?.id === first?.id)?.build
      expect(first?.subjects).toEqual(source?.subjects)
      expect(first?.time).toBe(new Date(source?.time ?? 0).toISOString())
      expect(first?.startedAt).toBe(new Date((source?.time ?? 0) - 60_000).toISOString())
    })

    it('rejects a cursor it did not issue with a StoreQueryError on `cursor`', async () => {
      const store = await freshStore()
      await store.documents.ingest(items.slice(0, 3))
      const bad = [
        'not a cursor',
        '!!!',
        Buffer.from('hello').toString('base64url'),
        Buffer.from(`12:${'z'.repeat(64)}`).toString('base64url'),
        Buffer.from(`99999999999999999:${'a'.repeat(64)}`).toString('base64url'),
        `${encodeCursor({ time: T0, id: 'a'.repeat(64) })}=`,
      ]
      for (const cursor of bad) {
        const attempt = store.builds.list(query({ cursor }))
        await expect(attempt).rejects.toBeInstanceOf(StoreQueryError)
        await expect(attempt).rejects.toMatchObject({ code: 'invalid-cursor', path: 'cursor' })
      }
      const badTime = store.builds.list({ ...query(), from: 'yesterday' })
      await expect(badTime).rejects.toMatchObject({ name: 'StoreQueryError', code: 'invalid-time', path: 'from' })
      // A well-formed cursor past the end is simply an empty last page.
      expect(await store.builds.list(query({ cursor: encodeCursor({ time: 0, id: '0'.repeat(64) }) }))).toEqual({
        items: [],
        nextCursor: null,
      })
    })
  })

  it('returns build detail that parses with the contract', async () => {
    const store = await freshStore()
    const subjects: Subject[] = [
      { name: 'app.tgz', digest: { sha256: hex('app'), sha512: hex('app512') + hex('x') } },
      { name: 'no-digest', digest: {} },
      { name: 'lib.so', digest: { sha256: hex('lib') } },
    ]
    const one = item({ n: 3, status: 'failed', subjects })
    await store.documents.ingest([one])

    const detail = BuildDetail.parse(await store.builds.get(one.document.id))
    const build = one.build
    expect(build).not.toBeNull()
    expect(detail).toMatchObject({
      id: one.document.id,
      project: 'acme/web',
      status: 'failed',
      failedCheck: 'envelope-signature',
      invocationId: 'run-3',
      slsaVersion: 'v1',
      subjects,
      externalParameters: build?.externalParameters,
      resolvedDependencies: build?.resolvedDependencies,
      verification: verification('failed'),
      statement: build?.statement,
      document: {
        id: one.document.id,
        sha256: one.document.id,
        format: 'dsse',
        payloadType: 'application/vnd.in-toto+json',
        size: one.document.raw.byteLength,
        ingestedAt: new Date(T0).toISOString(),
      },
    })
    expect(detail.internalParameters).toBeUndefined()
    expect(await store.builds.get('f'.repeat(64))).toBeNull()
  })

  it('summarises projects', async () => {
    const store = await freshStore()
    await store.documents.ingest([
      item({ n: 1, project: 'acme/web', time: T0 }),
      item({ n: 2, project: 'acme/web', time: T0 + 5 * HOUR }),
      item({ n: 3, project: 'globex/cli', repo: null, time: T0 + HOUR }),
      item({ n: 4, withBuild: false }),
    ])
    expect(ProjectList.parse(await store.builds.projects())).toEqual({
      items: [
        {
          name: 'acme/web',
          sourceRepo: 'https://github.com/acme/web',
          builds: 2,
          lastBuildAt: new Date(T0 + 5 * HOUR).toISOString(),
        },
        { name: 'globex/cli', sourceRepo: null, builds: 1, lastBuildAt: new Date(T0 + HOUR).toISOString() },
      ],
    })
  })

  it('keeps its data and schema when reopened', async () => {
    const store = await freshStore()
    const one = item({ n: 1 })
    await store.documents.ingest([one])
    await store.close()
    open.splice(open.indexOf(store), 1)

    const reopened = await reopen()
    expect(await reopened.documents.count()).toBe(1)
    expect((await reopened.documents.ingest([one]))[0]?.created).toBe(false)
    expect((await reopened.documents.ingest([item({ n: 2 })]))[0]?.created).toBe(true)
  })

  // Registered only for SQLite rather than skipped elsewhere, so a skip in the summary always means trouble.
  if (backend.kind === 'sqlite') {
    it('writes provenance.db in WAL mode', async () => {
      const store = await freshStore()
      await store.documents.ingest([item({ n: 1 })])
      const file = new SqliteDatabase(join(location.dataDir, 'provenance.db'), { readonly: true })
      try {
        expect(file.pragma('journal_mode', { simple: true })).toBe('wal')
      } finally {
        file.close()
      }
    })

    it('does not copy the WAL into the database file at every 1,000 pages, as SQLite would by default', async () => {
      const store = await freshStore()
      await store.documents.ingest([item({ n: 0 })])
      const database = join(location.dataDir, 'provenance.db')
      const before = statSync(database).size
      // Each a commit of its own, with random index keys: well over 1,000 pages of WAL in all.
      for (let batch = 0; batch < 40; batch++) await store.documents.ingest(Array.from({ length: 25 }, (_, n) => item({ n: 1 + batch * 25 + n })))
      expect(statSync(`${database}-wal`).size).toBeGreaterThan(1000 * 4096)
      expect(statSync(database).size).toBe(before)
      expect(await store.documents.count()).toBe(1001)
    })
  }
})
