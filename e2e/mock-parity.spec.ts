import { get } from 'node:http'
import { isDeepStrictEqual } from 'node:util'
import { getResponse } from 'msw'
import { withAlertScenarios } from '../demo/alerts-scenarios'
import { DEMO_END, demoBuilds, demoProjects, type DemoBuild } from '../demo/model'
import { demoSbomStatement } from '../demo/sboms'
import { handlers } from '../mocks/handlers'
import { REBUILD_PREDICATE_TYPE } from '../src/contract/rebuilds'
import { rangeBounds } from '../src/features/reproducibility/lib/reproducibility-search'
import { expect, test } from './fixtures'

/*
 * The MSW mocks (what the SPA is developed and unit-tested against) and the real server seeded with the same
 * demo world (what `npm start` shows) must answer the screens' queries alike. Each test asks both the same
 * question and compares the answers whole, after removing only what legitimately differs, each exclusion
 * below with its reason. The server is the reference: when they differ, the mocks are wrong until shown otherwise.
 *
 * The mocks answer in this process through MSW's `getResponse`, which resolves a request against the handlers
 * without intercepting the process's network: the same process talks to the real server over real HTTP.
 */

type Answer = { status: number; body: unknown }

const MOCK_ORIGIN = 'http://mock.test'

async function askMocks(path: string): Promise<Answer> {
  const response = await getResponse(handlers, new Request(`${MOCK_ORIGIN}${path}`), { baseUrl: MOCK_ORIGIN })
  if (response === undefined) throw new Error(`no mock handler answers GET ${path}`)
  return { status: response.status, body: await response.json() }
}

/**
 * A new connection for every request: building the mocks' demo blocks this process for seconds, long enough for
 * the server to close an idle kept-alive socket that fetch would then reuse ("other side closed").
 */
function askServer(origin: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = get(`${origin}${path}`, { agent: false }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => {
        try {
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown })
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)))
        }
      })
      response.on('error', reject)
    })
    request.on('error', reject)
  })
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

function field(value: unknown, ...path: (string | number)[]): unknown {
  let current = value
  for (const key of path) current = Array.isArray(current) && typeof key === 'number' ? current[key] : isRecord(current) ? current[String(key)] : undefined
  return current
}

function text(value: unknown, ...path: (string | number)[]): string {
  const found = field(value, ...path)
  if (typeof found !== 'string') throw new Error(`expected a string at ${path.join('.')}, found ${JSON.stringify(found)}`)
  return found
}

function list(value: unknown, ...path: (string | number)[]): unknown[] {
  const found = field(value, ...path)
  if (!Array.isArray(found)) throw new Error(`expected a list at ${path.join('.')}, found ${JSON.stringify(found)}`)
  return found
}

/** A build as both sides can name it whatever its id: project, commit and the time it ran. */
const buildKey = (build: { project: string; commit: string; finishedAt: number }) => `${build.project}@${build.commit}@${new Date(build.finishedAt).toISOString()}`
const summaryKey = (summary: unknown) => `${text(summary, 'project')}@${text(summary, 'sourceCommit')}@${text(summary, 'time')}`

// Every build the seeded server holds, the alert scenarios after the history included.
const facts = new Map(withAlertScenarios(demoBuilds()).map((build) => [buildKey(build), build]))

/**
 * Whether the server's id of a demo build is the mocks' too. A document's id is the SHA-256 of its bytes;
 * Ed25519 signatures are deterministic, so the same statement and key give the same bytes on both sides, but
 * the server's ECDSA signatures use a random nonce (node:crypto), so an ECDSA-signed build has a new id on every
 * seed and the mocks cannot know it. Those ids (the build's and its document's, which are the same) are replaced
 * by the build's key on both sides; every other id is compared as it is.
 */
const idIsDeterministic = (build: DemoBuild) => build.keyAlgorithm === 'ed25519' || build.signing === 'unknown-key'

/** Everything both sides say about the demo's builds, for mapping ids and choosing what to ask. */
type Side = {
  ask: (path: string) => Promise<Answer>
  /** Build key → id. */
  idOf: Map<string, string>
  /** Ids that legitimately differ from the other side's, with what stands in for them. */
  placeholders: Map<string, string>
}

async function allPages(ask: (path: string) => Promise<Answer>, path: string): Promise<unknown[]> {
  const items: unknown[] = []
  let cursor: string | null = null
  do {
    const answer = await ask(`${path}${path.includes('?') ? '&' : '?'}limit=500${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)
    expect(answer.status, path).toBe(200)
    items.push(...list(answer.body, 'items'))
    const next = field(answer.body, 'nextCursor')
    cursor = typeof next === 'string' ? next : null
  } while (cursor !== null)
  return items
}

async function side(ask: (path: string) => Promise<Answer>): Promise<Side> {
  const idOf = new Map<string, string>()
  const placeholders = new Map<string, string>()
  for (const summary of await allPages(ask, '/api/v1/builds')) {
    const id = text(summary, 'id')
    const key = summaryKey(summary)
    idOf.set(key, id)
    const build = facts.get(key)
    if (build !== undefined && !idIsDeterministic(build)) placeholders.set(id, `<id of the ECDSA-signed build ${key}>`)
  }
  return { ask, idOf, placeholders }
}

/**
 * Keys whose values legitimately differ, wherever they appear:
 * - `ingestedAt`: the server stamps the wall-clock time of its seed; the mocks say "shortly after the build".
 */
const excludedKeys = new Set(['ingestedAt'])

/** An answer as far as it must agree: excluded keys dropped, unknowable ids replaced, cursors reduced to "is there a next page". */
function normalise(value: unknown, placeholders: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return placeholders.get(value) ?? value
  if (Array.isArray(value)) return value.map((item) => normalise(item, placeholders))
  if (!isRecord(value)) return value
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    if (excludedKeys.has(key)) continue
    // Cursors are opaque and each side encodes its own position; whether there is a next page must agree.
    if (key === 'nextCursor') out[key] = item === null ? null : 'a next page'
    else out[key] = normalise(item, placeholders)
  }
  // A build's pipeline: `updatedAt` is when the server received the trace (the wall clock of its seed).
  if (typeof out.traceId === 'string' && 'updatedAt' in out) delete out.updatedAt
  // A document's size: an ECDSA signature's DER encoding is 70 to 72 bytes long, depending on the nonce.
  if (typeof out.sha256 === 'string' && out.sha256.startsWith('<id of the ECDSA') && 'size' in out) delete out.size
  return out
}

let sides: { server: Side; mocks: Side } | undefined

test.describe('the mocks answer the screens as the seeded demo server does', () => {
  // One seeded server for the whole file, and the mocks' demo built once in this worker: slow on a loaded machine.
  test.describe.configure({ timeout: 180_000 })

  test.beforeEach(async ({ demoServer }) => {
    sides ??= { server: await side((path) => askServer(demoServer.url, path)), mocks: await side(askMocks) }
  })

  /** Asks both sides and expects the same answer, normalised; a success unless `failure` (two equal errors prove little). */
  async function same(path: string, failure = false): Promise<{ server: Answer; mocks: Answer }> {
    if (!sides) throw new Error('sides are set in beforeEach')
    const [server, mocks] = await Promise.all([sides.server.ask(path), sides.mocks.ask(path)])
    if (failure) expect(server.status, `GET ${path}`).toBeGreaterThanOrEqual(400)
    else expect(server.status, `GET ${path}`).toBe(200)
    expect(normalise(mocks, sides.mocks.placeholders), `GET ${path}`).toEqual(normalise(server, sides.server.placeholders))
    return { server, mocks }
  }

  const bothSides = () => {
    if (!sides) throw new Error('sides are set in beforeEach')
    return sides
  }

  test('the same builds, with the same ids where signatures are deterministic', () => {
    const { server, mocks } = bothSides()
    expect([...mocks.idOf.keys()].sort()).toEqual([...server.idOf.keys()].sort())
    expect(server.idOf.size).toBe(facts.size)
    for (const [key, id] of server.idOf) {
      const build = facts.get(key)
      if (build && idIsDeterministic(build)) expect(mocks.idOf.get(key), `id of ${key}`).toBe(id)
    }
    // The exclusion above covers exactly the ECDSA-signed builds, and some builds of every other kind remain.
    expect(server.placeholders.size).toBe([...facts.values()].filter((build) => !idIsDeterministic(build)).length)
    expect(server.placeholders.size).toBeLessThan(facts.size / 2)
  })

  test('builds list: unfiltered, by project, by status, in a time range, and page 2', async () => {
    const day = 86_400_000
    const queries = [
      '/api/v1/builds?limit=100',
      '/api/v1/builds?limit=100&project=acme%2Fapi',
      '/api/v1/builds?limit=100&project=payments%2Fledger',
      '/api/v1/builds?limit=100&status=failed',
      '/api/v1/builds?limit=100&status=untrusted',
      `/api/v1/builds?limit=100&from=${new Date(DEMO_END - 40 * day).toISOString()}&to=${new Date(DEMO_END - 30 * day).toISOString()}`,
      '/api/v1/builds?limit=100&project=acme%2Fcli&status=verified',
    ]
    // By commit, full and as the tables show it (7 characters): a build of each project, so ECDSA-signed ones too.
    for (const build of new Map([...facts.values()].map((candidate) => [candidate.project, candidate])).values()) {
      queries.push(`/api/v1/builds?limit=100&commit=${build.commit}`, `/api/v1/builds?limit=100&commit=${build.commit.slice(0, 7)}`)
    }
    for (const query of queries) {
      const first = await same(query)
      expect(list(first.server.body, 'items').length, `items of ${query}`).toBeGreaterThan(0)
      // Page 2, each side following its own cursor.
      const serverCursor = field(first.server.body, 'nextCursor')
      const mockCursor = field(first.mocks.body, 'nextCursor')
      if (typeof serverCursor !== 'string' || typeof mockCursor !== 'string') continue
      const [server, mocks] = await Promise.all([bothSides().server.ask(`${query}&cursor=${encodeURIComponent(serverCursor)}`), bothSides().mocks.ask(`${query}&cursor=${encodeURIComponent(mockCursor)}`)])
      expect(normalise(mocks, bothSides().mocks.placeholders), `page 2 of ${query}`).toEqual(normalise(server, bothSides().server.placeholders))
    }
  })

  /** One build of every project and every way the demo signs, as both sides name it. */
  function sampleBuilds(): { key: string; build: DemoBuild; server: string; mocks: string }[] {
    const chosen = new Map<string, DemoBuild>()
    for (const build of facts.values()) {
      const kind = `${build.project} ${build.signing}`
      if (!chosen.has(kind)) chosen.set(kind, build)
    }
    expect(chosen.size).toBe(demoProjects.length * 3)
    return [...chosen.values()].map((build) => {
      const key = buildKey(build)
      const server = bothSides().server.idOf.get(key)
      const mocks = bothSides().mocks.idOf.get(key)
      if (server === undefined || mocks === undefined) throw new Error(`build ${key} is missing on one side`)
      return { key, build, server, mocks }
    })
  }

  test('one build and its neighbours, for every project and every way the demo signs', async () => {
    const { server, mocks } = bothSides()
    for (const sample of sampleBuilds()) {
      for (const path of [`/api/v1/builds/${sample.server}`, `/api/v1/builds/${sample.server}/neighbours`]) {
        const [real, mock] = await Promise.all([server.ask(path), mocks.ask(path.replace(sample.server, sample.mocks))])
        expect(real.status, path).toBe(200)
        expect(normalise(mock, mocks.placeholders), `GET ${path} (${sample.key})`).toEqual(normalise(real, server.placeholders))
      }
    }
  })

  test('projects', async () => {
    await same('/api/v1/projects')
  })

  test('artifacts list: unfiltered, by project, by name, and page 2', async () => {
    for (const query of ['/api/v1/artifacts', '/api/v1/artifacts?project=acme%2Fapi', '/api/v1/artifacts?name=cli-linux-amd64', '/api/v1/artifacts?project=data%2Fetl&name=etl-wheel-py3-none-any.whl']) {
      const first = await same(query)
      expect(list(first.server.body, 'items').length, `items of ${query}`).toBeGreaterThan(0)
      const serverCursor = field(first.server.body, 'nextCursor')
      const mockCursor = field(first.mocks.body, 'nextCursor')
      if (typeof serverCursor !== 'string' || typeof mockCursor !== 'string') continue
      const join = query.includes('?') ? '&' : '?'
      const [server, mocks] = await Promise.all([bothSides().server.ask(`${query}${join}cursor=${encodeURIComponent(serverCursor)}`), bothSides().mocks.ask(`${query}${join}cursor=${encodeURIComponent(mockCursor)}`)])
      expect(normalise(mocks, bothSides().mocks.placeholders), `page 2 of ${query}`).toEqual(normalise(server, bothSides().server.placeholders))
    }
  })

  /**
   * Artifacts: what the demo server does not seed, the mocks add for the SPA's views, and it is left out: a Sigstore
   * bundle for acme/cli's artifacts (the seed has no Fulcio or Rekor to get one from, so the mocks fabricate a
   * certificate and a transparency-log entry for the certificate and log views). The server's answer must have
   * none, so this exclusion fails loudly the day the seed adds them. SBOMs are compared whole: both sides have
   * the same signed SBOM attestations (demo/sboms.ts).
   */
  function withoutMockOnlyDocuments(mock: Answer, server: Answer): Answer {
    expect(list(server.body, 'attestations').filter((attestation) => field(attestation, 'format') === 'sigstore-bundle')).toEqual([])
    if (!isRecord(mock.body)) return mock
    const attestations = list(mock.body, 'attestations').filter((attestation) => field(attestation, 'format') !== 'sigstore-bundle')
    return { status: mock.status, body: { ...mock.body, attestations } }
  }

  /**
   * An artifact's attestations are listed provenance first, then SBOMs, then rebuild attestations, and within
   * each kind newest ingest first: an order by the ingest times excluded above. The kinds' order is compared as
   * served; within a kind, the documents by id.
   */
  function attestationsByKind(answer: unknown): unknown {
    const body = field(answer, 'body')
    if (!isRecord(body) || !Array.isArray(body.attestations)) return answer
    const kind = (attestation: unknown) => (field(attestation, 'buildId') !== null ? 'provenance' : field(attestation, 'predicateType') === REBUILD_PREDICATE_TYPE ? 'rebuild' : 'other')
    const kinds = body.attestations.map(kind)
    const sorted = [...body.attestations].sort((a, b) => {
      const byKind = kinds.indexOf(kind(a)) - kinds.indexOf(kind(b))
      const [ia, ib] = [String(field(a, 'documentId')), String(field(b, 'documentId'))]
      return byKind !== 0 ? byKind : ia < ib ? -1 : ia > ib ? 1 : 0
    })
    return { ...(isRecord(answer) ? answer : {}), body: { ...body, attestations: sorted, attestationKinds: kinds } }
  }

  test('artifact by full digest and by a 12-character prefix', async () => {
    const { server, mocks } = bothSides()
    const summary = await server.ask('/api/v1/reproducibility')
    const mismatch = list(summary.body, 'items')
      .map((item) => field(item, 'lastMismatch', 'artifact', 'digest', 'sha256'))
      .filter((digest): digest is string => typeof digest === 'string')
    // Of a build of each project and signing, every subject: the artifacts, and the SBOM files some builds write.
    const subjects = sampleBuilds().flatMap((sample) => sample.build.artifacts.map((artifact) => artifact.sha256))
    const digests = [...subjects, ...mismatch]
    let described = 0
    for (const digest of digests) {
      for (const path of [`/api/v1/artifacts/sha256:${digest}`, `/api/v1/artifacts/${digest.slice(0, 12)}`, `/api/v1/artifacts/${digest.toUpperCase()}`]) {
        const [real, mock] = await Promise.all([server.ask(path), mocks.ask(path)])
        expect(real.status, path).toBe(200)
        if (field(real.body, 'sbom') !== null) described++
        expect(attestationsByKind(normalise(withoutMockOnlyDocuments(mock, real), mocks.placeholders)), `GET ${path}`).toEqual(attestationsByKind(normalise(real, server.placeholders)))
      }
    }
    // Some of them have an SBOM (each acme/web sample's web-dist.tar.gz), so the SBOMs were compared, not two nulls.
    const writers = sampleBuilds().filter((sample) => demoSbomStatement(sample.build) !== null)
    expect(writers.length).toBeGreaterThan(0)
    expect(described).toBe(writers.length * 3)
  })

  test('signatures: unfiltered, by status, by project, and their counts', async () => {
    for (const query of [
      '/api/v1/signatures?limit=100',
      '/api/v1/signatures?limit=100&status=failed',
      '/api/v1/signatures?limit=100&status=untrusted',
      '/api/v1/signatures?limit=100&project=acme%2Fapi',
      '/api/v1/signatures?limit=100&project=data%2Fetl&status=verified',
      // acme/web's SBOM attestations are filed under it, beside its provenance and rebuilds.
      '/api/v1/signatures?limit=100&project=acme%2Fweb',
      '/api/v1/signatures?limit=100&signer=demo-release-ed25519',
      // A range of whole days, as the screen asks: by when each document was signed or its build ran.
      `/api/v1/signatures?limit=100&from=${new Date(DEMO_END - 10 * 86_400_000).toISOString().slice(0, 10)}T00:00:00.000Z&to=${new Date(DEMO_END - 8 * 86_400_000).toISOString().slice(0, 10)}T00:00:00.000Z`,
    ]) {
      const { server } = await same(query)
      expect(list(server.body, 'items').length, `items of ${query}`).toBeGreaterThan(0)
    }
  })

  test('signatures: every verification result, page by page', async () => {
    const { server, mocks } = bothSides()
    const [real, mock] = await Promise.all([allPages(server.ask, '/api/v1/signatures'), allPages(mocks.ask, '/api/v1/signatures')])
    expect(mock.length).toBe(real.length)
    // Row by row, so that a difference reads as the one row it is, not as thousands of lines of diff.
    const [mockRows, realRows] = [normalise(mock, mocks.placeholders), normalise(real, server.placeholders)]
    if (!Array.isArray(mockRows) || !Array.isArray(realRows)) throw new Error('signature pages hold lists')
    const first = realRows.findIndex((row, index) => !isDeepStrictEqual(mockRows[index], row))
    if (first >= 0) expect(mockRows[first], `row ${first} of ${realRows.length}, newest first`).toEqual(realRows[first])
  })

  test('reproducibility summary', async () => {
    await same('/api/v1/reproducibility')
  })

  test('reproducibility history of every project: the screen default (30 days) and 2 years, at the demo clock', async () => {
    for (const project of demoProjects.map((candidate) => candidate.name)) {
      for (const range of ['30', '730'] as const) {
        // The screen asks for whole UTC days up to its clock's today; both sides are asked at the demo's "now".
        const { from, to } = rangeBounds(range, DEMO_END)
        await same(`/api/v1/reproducibility/history?project=${encodeURIComponent(project)}&from=${from}&to=${to}&bucket=auto`)
      }
    }
  })

  test('rebuilder matrix of every project', async () => {
    for (const project of demoProjects.map((candidate) => candidate.name)) {
      await same(`/api/v1/reproducibility/matrix?project=${encodeURIComponent(project)}&limit=30`)
    }
  })

  test('search: a digest prefix, a commit, a build id, a name prefix, a project, a signer', async () => {
    const [sample] = sampleBuilds().filter((candidate) => idIsDeterministic(candidate.build))
    const [ecdsa] = sampleBuilds().filter((candidate) => !idIsDeterministic(candidate.build))
    if (!sample || !ecdsa) throw new Error('no sample builds')
    const queries = [
      sample.build.artifacts[0]?.sha256.slice(0, 12) ?? '',
      `sha256:${sample.build.artifacts[0]?.sha256.slice(0, 16) ?? ''}`,
      sample.build.commit,
      // As the tables show them: 7 characters of a commit, 12 of a build id.
      sample.build.commit.slice(0, 7),
      sample.server.slice(0, 12),
      sample.server,
      'web-',
      'cli',
      'demo-',
      'demo-rebuilder-rebuild.acme.example-r1',
      'acme',
      'payments/ledger',
      'rogue',
      'nothing-is-called-this',
    ]
    for (const q of queries) {
      const { server } = await same(`/api/v1/search?q=${encodeURIComponent(q)}`)
      // Each finds something, but the last, which names nothing: empty on both sides would prove little.
      expect(list(server.body, 'results').length > 0, `results for ${q}`).toBe(q !== 'nothing-is-called-this')
    }
    // An ECDSA-signed build's id differs by side: each is asked for its own.
    const [real, mock] = await Promise.all([bothSides().server.ask(`/api/v1/search?q=${ecdsa.server}`), bothSides().mocks.ask(`/api/v1/search?q=${ecdsa.mocks}`)])
    expect(normalise(mock, bothSides().mocks.placeholders)).toEqual(normalise(real, bothSides().server.placeholders))
  })

  test('log checkpoint: its size', async () => {
    // Only the size: the origin, root hash, signed note and public key are the server's own log and key;
    // the mocks serve seeded random bytes in their place (mocks/data/factories.ts says so).
    const [real, mock] = await Promise.all([bothSides().server.ask('/api/v1/log/checkpoint'), bothSides().mocks.ask('/api/v1/log/checkpoint')])
    expect(mock.status).toBe(real.status)
    expect(field(mock.body, 'size')).toBe(field(real.body, 'size'))
  })

  test('meta', async () => {
    const [real, mock] = await Promise.all([bothSides().server.ask('/api/v1/meta'), bothSides().mocks.ask('/api/v1/meta')])
    // The version: the server reports package.json's, the mocks mark theirs so a developer sees which API answers.
    expect(text(mock.body, 'version')).toMatch(/-mock$/)
    const withoutVersion = (answer: Answer) => ({ ...answer, body: { ...(isRecord(answer.body) ? answer.body : {}), version: undefined } })
    expect(withoutVersion(mock)).toEqual(withoutVersion(real))
  })

  test('malformed and unknown inputs: the same status, code, message and path', async () => {
    const unknownId = 'f'.repeat(64)
    for (const path of [
      '/api/v1/artifacts/not-a-digest',
      '/api/v1/artifacts/sha256:abc',
      `/api/v1/artifacts/sha256:${'0'.repeat(64)}`,
      '/api/v1/builds/not-a-build-id',
      `/api/v1/builds/${unknownId}`,
      `/api/v1/builds/${unknownId}/neighbours`,
      '/api/v1/builds?status=bogus',
      '/api/v1/builds?limit=0',
      '/api/v1/builds?from=yesterday',
      '/api/v1/signatures?status=bogus',
      '/api/v1/signatures?limit=501',
      '/api/v1/search?q=',
      '/api/v1/reproducibility/history?project=acme%2Fweb&from=2026-11-20T00:00:00Z&to=2026-11-10T00:00:00Z',
      '/api/v1/reproducibility/history?project=nobody%2Fnothing&from=2026-11-10T00:00:00Z&to=2026-11-20T00:00:00Z',
      '/api/v1/reproducibility/matrix?project=nobody%2Fnothing',
      '/api/v1/reproducibility/matrix?project=acme%2Fweb&limit=many',
    ]) {
      await same(path, true)
    }
  })
})
