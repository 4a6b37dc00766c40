import { delay, http, HttpResponse, type HttpHandler } from 'msw'
import { BuildPage, ProjectList } from '../src/contract/builds'
import { demoBuilds } from './data/demo-model'
import { apiErrorBody, demoBuildDetail, serverMeta } from './data/factories'

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

  /** A fresh install: no builds, no projects. */
  empty: [
    http.get('/api/v1/builds', () => HttpResponse.json(BuildPage.parse({ items: [], nextCursor: null }))),
    http.get('/api/v1/projects', () => HttpResponse.json(ProjectList.parse({ items: [] }))),
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
