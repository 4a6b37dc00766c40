import { delay, http, HttpResponse, type HttpHandler } from 'msw'
import { BuildPage, ProjectList } from '../src/contract/builds'
import { RebuilderMatrix, ReproducibilityHistory, ReproducibilitySummary } from '../src/contract/reproducibility'
import { SearchResponse } from '../src/contract/search'
import { SignaturePage } from '../src/contract/signatures'
import { demoBuilds } from '../demo/model'
import { apiErrorBody, demoBuildDetail, serverMeta } from './data/factories'

/** The project of the `emptyProject` scenario: known, but nothing rebuilt, signed or searchable yet. */
export const EMPTY_PROJECT = 'acme/new-service'

const noSignatures = () => SignaturePage.parse({ items: [], nextCursor: null, counts: { verified: 0, failed: 0, untrusted: 0, unsigned: 0, unverifiable: 0 } })

/** A history with every bucket of the asked range present and empty, as the server answers for a quiet project. */
function emptyHistory(request: Request): ReproducibilityHistory {
  const url = new URL(request.url)
  const day = 86_400_000
  const to = Date.parse(url.searchParams.get('to') ?? '') || Date.now()
  const from = Date.parse(url.searchParams.get('from') ?? '') || to - 30 * day
  const bucket = to - from <= 120 * day ? 'day' : 'week'
  const size = bucket === 'day' ? day : 7 * day
  const buckets = []
  for (let start = Math.floor(from / day) * day; start < to; start += size) buckets.push({ start: new Date(start).toISOString(), matched: 0, mismatched: 0 })
  return ReproducibilityHistory.parse({
    project: url.searchParams.get('project') ?? EMPTY_PROJECT,
    bucket,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    buckets,
    matched: 0,
    mismatched: 0,
    currentStreak: null,
    lastMismatch: null,
  })
}

const emptyResources = [
  http.get('/api/v1/signatures', () => HttpResponse.json(noSignatures())),
  http.get('/api/v1/reproducibility/history', ({ request }) => HttpResponse.json(emptyHistory(request))),
  http.get('/api/v1/reproducibility/matrix', ({ request }) =>
    HttpResponse.json(RebuilderMatrix.parse({ project: new URL(request.url).searchParams.get('project') ?? EMPTY_PROJECT, rebuilders: [], artifacts: [] })),
  ),
  http.get('/api/v1/search', ({ request }) =>
    HttpResponse.json(SearchResponse.parse({ query: new URL(request.url).searchParams.get('q') ?? '', interpretedAs: 'text', results: [] })),
  ),
]

/** The read token the `readRequiresToken` scenario accepts. */
export const DEMO_READ_TOKEN = 'demo-read-token'

/** A subject name that would run script if anything rendered it as HTML. */
export const HOSTILE_NAME = '<img src=x onerror=alert(1)>'

/** A demo build whose document carries markup and a `javascript:` URL, to show that both stay inert text. */
export function hostileBuildDetail() {
  const [base] = demoBuilds(1)
  if (!base) throw new Error('the demo model produced no build')
  return demoBuildDetail({
    ...base,
    sourceRepo: 'javascript:alert(document.cookie)',
    artifacts: [{ name: HOSTILE_NAME, sha256: 'f'.repeat(64) }, ...base.artifacts],
  })
}

/**
 * Failure modes by name, applied over the happy-path handlers with `.use()`: in vitest and Playwright directly,
 * in dev with `?scenario=name` (several: `?scenario=slow,empty`).
 */
export const scenarios = {
  /** The API answers 503 to everything. */
  apiDown: [http.all('/api/*', () => new HttpResponse(null, { status: 503 }))],

  /** Every API answer takes two seconds; the handlers below still answer. */
  slow: [
    http.all('/api/*', async () => {
      await delay(2000)
      // Returning nothing lets the request fall through to the next handler.
    }),
  ],

  /** A fresh install: no builds, no projects, no signatures, no rebuilds. */
  empty: [
    http.get('/api/v1/builds', () => HttpResponse.json(BuildPage.parse({ items: [], nextCursor: null }))),
    http.get('/api/v1/projects', () => HttpResponse.json(ProjectList.parse({ items: [] }))),
    http.get('/api/v1/reproducibility', () => HttpResponse.json(ReproducibilitySummary.parse({ items: [] }))),
    ...emptyResources,
  ],

  /** One project that exists but has nothing yet: no rebuilds in any range, no signatures, nothing to find. */
  emptyProject: [
    http.get('/api/v1/projects', () => HttpResponse.json(ProjectList.parse({ items: [{ name: EMPTY_PROJECT, sourceRepo: null, builds: 0, lastBuildAt: null }] }))),
    http.get('/api/v1/reproducibility', () =>
      HttpResponse.json(
        ReproducibilitySummary.parse({
          items: [{ project: EMPTY_PROJECT, rebuilds: 0, matched: 0, mismatched: 0, currentStreak: null, lastMismatch: null, lastRebuildAt: null }],
        }),
      ),
    ),
    ...emptyResources,
  ],

  /** Reads need `Authorization: Bearer demo-read-token`. */
  readRequiresToken: [
    http.get('/api/v1/meta', () => HttpResponse.json(serverMeta({ readRequiresToken: true }))),
    http.all('/api/v1/*', ({ request }) => {
      const header = request.headers.get('authorization')
      if (header === `Bearer ${DEMO_READ_TOKEN}`) return undefined
      return HttpResponse.json(
        header === null
          ? apiErrorBody('token-required', 'Reading needs a token', 'Authorization')
          : apiErrorBody('token-invalid', 'The token is not valid', 'Authorization'),
        { status: 401 },
      )
    }),
  ],

  /** The first build's document carries markup in a subject name and a `javascript:` source URL. */
  hostileDocument: [
    http.get('/api/v1/builds', ({ request }) => {
      const url = new URL(request.url)
      if (url.searchParams.has('cursor') || url.searchParams.size > 1) return undefined
      const detail = hostileBuildDetail()
      return HttpResponse.json(BuildPage.parse({ items: [detail], nextCursor: null }))
    }),
    http.get('/api/v1/builds/:id', ({ params }) => {
      const detail = hostileBuildDetail()
      return params.id === detail.id ? HttpResponse.json(detail) : undefined
    }),
  ],
} satisfies Record<string, HttpHandler[]>

export type ScenarioName = keyof typeof scenarios

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(scenarios, name)
}

/** The handlers of the named scenarios, unknown names reported rather than silently ignored. */
export function scenarioHandlers(names: readonly string[]): { handlers: HttpHandler[]; unknown: string[] } {
  const handlers: HttpHandler[] = []
  const unknown: string[] = []
  for (const name of names) {
    if (isScenarioName(name)) handlers.push(...scenarios[name])
    else unknown.push(name)
  }
  return { handlers, unknown }
}
